//! The host firewall as an `iptables-restore --noflush` file (IPv4). Published ports are
//! filtered in `DOCKER-USER`, which Docker jumps to before its own rules and never
//! flushes, matching the port the client asked for (`--ctorigdstport`, since the packet
//! is already translated there). The swarm's ports and SSH go in a chain of our own
//! that INPUT jumps to; both chains are flushed and refilled on every load.

use std::fmt::Write;

use super::deployment::Cidr;
use super::firewall::{by_family, Plan, Transport};

/// Chain INPUT jumps to.
pub const INPUT_CHAIN: &str = "TIERMAP-INPUT";

/// Interfaces whose traffic is the containers' own (egress and bridge), never filtered.
pub const DOCKER_BRIDGES: [&str; 2] = ["docker_gwbridge", "docker0"];

/// Writes the file and returns it with the plan's warnings.
pub fn render(plan: &Plan) -> (String, Vec<String>) {
    let mut warnings = plan.warnings.clone();
    let mut out = plan.header(
        "#",
        "iptables rules (IPv4)",
        &[
            "Load: iptables-restore --noflush < THIS_FILE",
            &format!("Once per node: iptables -C INPUT -j {INPUT_CHAIN} 2>/dev/null || iptables -I INPUT 1 -j {INPUT_CHAIN}"),
            "Docker's published ports never reach INPUT: they are filtered in DOCKER-USER by the original port.",
        ],
    );
    out.push_str("*filter\n:DOCKER-USER - [0:0]\n");
    let _ = writeln!(out, ":{INPUT_CHAIN} - [0:0]");
    out.push_str("-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n");
    for bridge in DOCKER_BRIDGES {
        let _ = writeln!(out, "-A DOCKER-USER -i {bridge} -j RETURN");
    }
    for opening in &plan.published {
        let comment = comment(&format!("published by {}", opening.services.join(", ")));
        let Some(list) = sources(&opening.sources) else {
            warnings.push(format!(
                "Port {}/{} is allowed from IPv6 ranges only: closed in this IPv4 file.",
                opening.ports("-"),
                opening.transport.as_str()
            ));
            continue;
        };
        for source in list {
            let _ = writeln!(
                out,
                "-A DOCKER-USER{source} -p {} -m conntrack --ctorigdstport {} -m comment --comment {comment} -j RETURN",
                opening.transport.as_str(),
                opening.ports(":")
            );
        }
    }
    out.push_str("-A DOCKER-USER -m conntrack --ctstate NEW -m comment --comment \"tiermap: not in the design\" -j DROP\n");
    out.push_str("-A DOCKER-USER -j RETURN\n");

    let _ = writeln!(out, "-A {INPUT_CHAIN} -i lo -j RETURN");
    let _ = writeln!(
        out,
        "-A {INPUT_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"
    );
    for bridge in DOCKER_BRIDGES {
        let _ = writeln!(out, "-A {INPUT_CHAIN} -i {bridge} -j RETURN");
    }
    let _ = writeln!(out, "-A {INPUT_CHAIN} -p icmp -j RETURN");
    for source in sources(&plan.ssh).unwrap_or_default() {
        let _ = writeln!(
            out,
            "-A {INPUT_CHAIN}{source} -p tcp --dport 22 -m comment --comment \"tiermap: ssh\" -j RETURN"
        );
    }
    let peers = by_family(&plan.peers).0;
    if peers.is_empty() {
        warnings.push("Every peer is IPv6: the swarm ports stay closed in this IPv4 file.".into());
    }
    for port in &plan.swarm {
        let comment = comment(port.why);
        for peer in &peers {
            let rule = match (port.transport, port.port) {
                (Transport::Esp, _) | (_, None) => format!("-p {}", port.transport.as_str()),
                (t, Some(p)) => format!("-p {} --dport {p}", t.as_str()),
            };
            let _ = writeln!(
                out,
                "-A {INPUT_CHAIN} -s {peer} {rule} -m comment --comment {comment} -j RETURN"
            );
        }
    }
    let _ = writeln!(
        out,
        "-A {INPUT_CHAIN} -m comment --comment \"tiermap: not in the design\" -j DROP"
    );
    out.push_str("COMMIT\n");
    (out, warnings)
}

/// ` -s CIDR` for each IPv4 source, one empty string for anywhere, or `None` when
/// every source is IPv6 (the rule has no place in an IPv4 file).
fn sources(list: &[Cidr]) -> Option<Vec<String>> {
    if list.is_empty() {
        return Some(vec![String::new()]);
    }
    let v4 = by_family(list).0;
    (!v4.is_empty()).then(|| v4.iter().map(|c| format!(" -s {c}")).collect())
}

/// A quoted comment for `-m comment` (at most 256 bytes; names are Docker names).
fn comment(text: &str) -> String {
    let mut text = format!("tiermap: {text}");
    text.retain(|c| c != '"' && c != '\\' && !c.is_control());
    if text.len() > 200 {
        let mut end = 200;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    format!("\"{text}\"")
}
