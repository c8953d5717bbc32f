//! The human-readable form of the command line's output.

use std::fmt::Write;

use tiermap_core::baseline::Changes;
use tiermap_core::Report;

/// `tiermap check` as text: surface, reachability, bridges, flows, findings.
pub fn check(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "stack {}: {} services on {} tiers",
        report.stack,
        report.services.len(),
        report.tiers.len()
    );
    let _ = writeln!(
        out,
        "\nExposed surface: {} ports",
        report.exposed_port_count
    );
    for e in &report.exposed {
        let published = e
            .published
            .map_or_else(|| "random".to_string(), |p| p.to_string());
        let _ = writeln!(
            out,
            "  {published}/{} -> {}:{} ({}, {})",
            e.protocol.as_str(),
            e.service,
            e.target,
            e.mode.as_str(),
            e.nodes
        );
    }
    for r in &report.routes {
        let hosts = if r.hosts.is_empty() {
            "*".to_string()
        } else {
            r.hosts.join(", ")
        };
        let paths = if r.paths.is_empty() {
            String::new()
        } else {
            r.paths.join(", ")
        };
        let port = r.port.map(|p| format!(":{p}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  route {hosts}{paths} -> {}{port} via {}",
            r.service,
            if r.proxies.is_empty() {
                "no proxy in this stack".to_string()
            } else {
                r.proxies.join(", ")
            }
        );
    }
    let _ = writeln!(
        out,
        "\nReachability: {} pairs (both directions)",
        report.reachability.len()
    );
    for r in report.reachability.iter().filter(|r| r.from < r.to) {
        let _ = writeln!(
            out,
            "  {} <-> {} via {}",
            r.from,
            r.to,
            r.networks.join(", ")
        );
    }
    if !report.bridges.is_empty() {
        let _ = writeln!(out, "\nBridges between tiers:");
        for b in &report.bridges {
            let _ = writeln!(
                out,
                "  {}{} joins {}",
                b.service,
                if b.proxy { " (proxy)" } else { "" },
                b.tiers.join(", ")
            );
        }
    }
    if !report.flows.is_empty() {
        let _ = writeln!(out, "\nFlows:");
        for f in &report.flows {
            let port = f.port.map(|p| format!(":{p}")).unwrap_or_default();
            let status = if f.blocked {
                "BLOCKED".to_string()
            } else {
                format!("ok via {}", f.networks.join(", "))
            };
            let _ = writeln!(
                out,
                "  {} -> {}{port} ({}) {status}",
                f.from, f.to, f.origin
            );
        }
    }
    let _ = writeln!(out, "\nFindings: {}", report.findings.len());
    for f in &report.findings {
        let place = f.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        let accepted = f
            .accepted
            .as_ref()
            .map(|n| format!(" [accepted: {n}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<7} {place}{} [{}]{accepted}\n          fix: {}",
            f.severity.as_str(),
            f.message,
            f.id,
            f.fix
        );
    }
    out
}

/// `tiermap compare` as text.
pub fn compare(c: &Changes) -> String {
    let mut out = String::new();
    let s = &c.surface;
    let _ = writeln!(out, "Exposed ports: {}", s.summary());
    let list = |ports: &[tiermap_core::surface::PortKey]| {
        ports
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (label, ports) in [
        ("closed:", &s.closed),
        ("opened:", &s.opened),
        ("kept:  ", &s.kept),
    ] {
        if !ports.is_empty() {
            let _ = writeln!(out, "  {label} {}", list(ports));
        }
    }
    for (label, pairs) in [
        ("Reachable pairs added", &c.pairs_added),
        ("Reachable pairs removed", &c.pairs_removed),
    ] {
        if !pairs.is_empty() {
            let _ = writeln!(out, "{label}: {}", pairs.len());
            for p in pairs {
                let _ = writeln!(out, "  {} -> {}", p.from, p.to);
            }
        }
    }
    for (label, findings) in [
        ("Findings fixed", &c.fixed),
        ("Findings introduced", &c.introduced),
        ("Findings accepted", &c.accepted),
    ] {
        if !findings.is_empty() {
            let _ = writeln!(out, "{label}: {}", findings.len());
            for f in findings {
                let _ = writeln!(
                    out,
                    "  {:<7} {}  [{}]",
                    f.severity.as_str(),
                    f.message,
                    f.id
                );
            }
        }
    }
    out
}
