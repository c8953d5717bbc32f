//! The human-readable form of the command line's output.

use std::fmt::Write;

use tiermap_core::analysis::{ExposedRow, FindingRow};
use tiermap_core::baseline::Changes;
use tiermap_core::findings::{Rule, Severity};
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
    let ranges = tiermap_core::port_range::runs(&report.exposed, ExposedRow::spec, |a, b| {
        a.service == b.service && a.nodes == b.nodes
    });
    for (range, list) in ranges {
        let Some(e) = list.first() else {
            continue;
        };
        let _ = writeln!(
            out,
            "  {}/{} -> {}:{} ({}, {})",
            range.published_text("random"),
            e.protocol.as_str(),
            e.service,
            range.target_text(),
            e.mode.as_str(),
            e.nodes
        );
    }
    for r in report.routes {
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
    findings(&mut out, report);
    out
}

/// Findings of one rule, severity and fix shown as one entry when there are this many
/// (the same hardening gap on every service reads as one entry, not fourteen).
const GROUP_FROM: usize = 3;

fn findings(out: &mut String, report: &Report) {
    let open: Vec<&FindingRow> = report
        .findings
        .iter()
        .filter(|f| f.accepted.is_none())
        .collect();
    let count = |s: Severity| open.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "\nFindings: {} open ({} errors, {} warnings, {} info), {} accepted",
        open.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        report.findings.len() - open.len()
    );
    // File names are shown when the findings come from several files.
    let first_file = report.findings.iter().find_map(|f| f.file.as_deref());
    let several = report.findings.iter().any(|f| {
        f.file
            .as_deref()
            .is_some_and(|file| Some(file) != first_file)
    });
    let place = |f: &FindingRow| {
        let file = f.file.as_deref().filter(|_| several);
        match (file, f.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            (Some(file), None) => file.to_string(),
            (None, Some(line)) => format!("line {line}"),
            (None, None) => String::new(),
        }
    };
    // Groups of one rule and severity, in the order their first finding comes.
    let mut groups: Vec<Vec<&FindingRow>> = Vec::new();
    for f in &open {
        match groups.iter_mut().find(|g| {
            g.first()
                .is_some_and(|x| x.rule == f.rule && x.severity == f.severity)
        }) {
            Some(group) => group.push(f),
            None => groups.push(vec![f]),
        }
    }
    for group in &groups {
        let Some(first) = group.first() else { continue };
        let severity = first.severity.as_str();
        // Only the same fix for each reads as one entry (per-tier splits differ).
        if group.len() >= GROUP_FROM && group.iter().all(|f| f.fix == first.fix) {
            let title = Rule::from_name(first.rule).map_or("", |r| r.explain().title);
            let subjects: Vec<String> = group
                .iter()
                .map(|f| {
                    let who = f
                        .service
                        .clone()
                        .or_else(|| f.tier.clone())
                        .unwrap_or_else(|| f.id.clone());
                    match place(f) {
                        p if p.is_empty() => who,
                        p => format!("{who} ({p})"),
                    }
                })
                .collect();
            let fix = &first.fix;
            let _ = writeln!(
                out,
                "  {severity:<7} {} x{}: {title}\n          {}\n          e.g. {}\n          fix: {fix}",
                first.rule,
                group.len(),
                subjects.join(", "),
                first.message,
            );
        } else {
            for f in group {
                let at = match place(f) {
                    p if p.is_empty() => String::new(),
                    p => format!("{p}: "),
                };
                let _ = writeln!(
                    out,
                    "  {severity:<7} {at}{} [{}]\n          fix: {}",
                    f.message, f.id, f.fix
                );
            }
        }
    }
    let accepted: Vec<&FindingRow> = report
        .findings
        .iter()
        .filter(|f| f.accepted.is_some())
        .collect();
    if !accepted.is_empty() {
        let _ = writeln!(out, "\nAccepted:");
        for f in accepted {
            let _ = writeln!(
                out,
                "  {:<7} [{}] {}",
                f.severity.as_str(),
                f.id,
                f.accepted.as_deref().unwrap_or_default()
            );
        }
    }
}

/// `tiermap explain` without an id: every rule, one line each.
pub fn rules() -> String {
    let mut out = String::new();
    for rule in Rule::ALL {
        let e = rule.explain();
        let _ = writeln!(
            out,
            "{:<28} {:<7} {}",
            rule.name(),
            e.severity.as_str(),
            e.title
        );
    }
    out.push_str("\n`tiermap explain RULE` says what a rule checks, why it matters on Swarm and how to fix it.\n");
    out
}

/// `tiermap explain RULE`.
pub fn explain(rule: Rule) -> String {
    let e = rule.explain();
    let mut out = format!(
        "{} ({}): {}\n\nWhat it checks\n  {}\n\nWhy it matters on Swarm\n  {}\n\nHow to fix it\n  {}\n",
        rule.name(),
        e.severity.as_str(),
        e.title,
        e.checks,
        e.swarm,
        e.fix
    );
    if let Some(by) = rule.refused_by() {
        let _ = writeln!(out, "\nRefused by\n  `{}`", by.command());
    }
    if !e.compose_lint.is_empty() {
        let _ = writeln!(out, "\ncompose-lint\n  {}", e.compose_lint.join(", "));
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
