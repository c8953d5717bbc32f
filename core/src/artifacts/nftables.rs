//! The host firewall as a table of our own (`inet tiermap`, IPv4 and IPv6), which Docker
//! never touches. Its forward hook runs before Docker's chains and matches published
//! ports by the port the client asked for (`ct original proto-dst`); its input hook
//! holds the swarm's ports and SSH. A drop here is final; an accept lets the packet go
//! on to Docker's own rules. Loading the file again replaces the table.

use std::fmt::Write;

use super::deployment::Cidr;
use super::firewall::{by_family, Plan, Transport};
use super::iptables::DOCKER_BRIDGES;

/// Writes the file and returns it with the plan's warnings.
pub fn render(plan: &Plan) -> (String, Vec<String>) {
    let mut out = String::from("#!/usr/sbin/nft -f\n");
    out.push_str(&plan.header(
        "#",
        "nftables table",
        &["Load: nft -f THIS_FILE (replaces table inet tiermap)"],
    ));
    out.push_str("table inet tiermap\ndelete table inet tiermap\n\ntable inet tiermap {\n");
    let (peers4, peers6) = by_family(&plan.peers);
    set(&mut out, "peers4", "ipv4_addr", &peers4);
    set(&mut out, "peers6", "ipv6_addr", &peers6);
    let bridges = DOCKER_BRIDGES
        .iter()
        .map(|b| format!("\"{b}\""))
        .collect::<Vec<_>>()
        .join(", ");

    out.push_str(
        "\n\tchain input {\n\t\ttype filter hook input priority filter - 10; policy accept;\n",
    );
    out.push_str("\t\tiifname \"lo\" accept\n\t\tct state established,related accept\n");
    let _ = writeln!(out, "\t\tiifname {{ {bridges} }} accept");
    out.push_str("\t\tmeta l4proto { icmp, ipv6-icmp } accept\n");
    for from in saddr(&plan.ssh) {
        let _ = writeln!(out, "\t\t{from}tcp dport 22 accept comment \"ssh\"");
    }
    for port in &plan.swarm {
        let matcher = match (port.transport, port.port) {
            (Transport::Esp, _) | (_, None) => format!("meta l4proto {}", port.transport.as_str()),
            (t, Some(p)) => format!("{} dport {p}", t.as_str()),
        };
        for (family, set, list) in [("ip", "@peers4", &peers4), ("ip6", "@peers6", &peers6)] {
            if !list.is_empty() {
                let _ = writeln!(
                    out,
                    "\t\t{family} saddr {set} {matcher} accept comment \"{}\"",
                    port.why
                );
            }
        }
    }
    out.push_str("\t\tcounter drop comment \"not in the design\"\n\t}\n");

    out.push_str("\n\tchain published {\n\t\ttype filter hook forward priority filter - 10; policy accept;\n");
    out.push_str("\t\tct state established,related accept\n");
    let _ = writeln!(out, "\t\tiifname {{ {bridges} }} accept");
    for opening in &plan.published {
        for from in saddr(&opening.sources) {
            let _ = writeln!(
                out,
                "\t\t{from}meta l4proto {} ct original proto-dst {} accept comment \"{}\"",
                opening.transport.as_str(),
                opening.ports("-"),
                opening.services.join(" ")
            );
        }
    }
    out.push_str("\t\tct state new counter drop comment \"not in the design\"\n\t}\n}\n");
    (out, plan.warnings.clone())
}

/// A named set of addresses.
fn set(out: &mut String, name: &str, kind: &str, list: &[Cidr]) {
    let _ = write!(
        out,
        "\tset {name} {{\n\t\ttype {kind}\n\t\tflags interval\n"
    );
    if !list.is_empty() {
        let elements = list
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "\t\telements = {{ {elements} }}");
    }
    out.push_str("\t}\n");
}

/// The source matches for a rule: one empty prefix for anywhere, else one per family.
fn saddr(sources: &[Cidr]) -> Vec<String> {
    if sources.is_empty() {
        return vec![String::new()];
    }
    let (v4, v6) = by_family(sources);
    let mut out = Vec::new();
    for (family, list) in [("ip", v4), ("ip6", v6)] {
        if !list.is_empty() {
            let items = list
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            out.push(format!("{family} saddr {{ {items} }} "));
        }
    }
    out
}
