//! The host firewall for hosts managed with ufw, as one bash script. ufw's own rules sit
//! in INPUT, which Docker's published ports never reach, so the script puts a block in
//! `/etc/ufw/after.rules` that sends new forwarded connections through ufw's route
//! rules (`ufw-user-forward`) and drops the rest, then adds the `ufw allow` lines for the
//! swarm's ports and SSH and a `ufw route allow` line per published port.

use std::fmt::Write;

use super::deployment::Cidr;
use super::firewall::{Plan, Transport};
use super::iptables::DOCKER_BRIDGES;
use super::shell::quote;

/// The markers around our block in after.rules.
pub const BEGIN: &str = "# BEGIN tiermap";
/// See [`BEGIN`].
pub const END: &str = "# END tiermap";

/// Writes the script and returns it with the plan's warnings.
pub fn render(plan: &Plan) -> (String, Vec<String>) {
    let mut warnings = plan.warnings.clone();
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&plan.header(
        "#",
        "ufw rules",
        &[
            "Run as root on each node of this role: bash THIS_FILE",
            "It replaces tiermap's block in /etc/ufw/after.rules, adds the rules below and reloads ufw.",
        ],
    ));
    out.push_str("set -euo pipefail\n\nrules=${UFW_AFTER_RULES:-/etc/ufw/after.rules}\nblock=$(cat <<'TIERMAP_BLOCK'\n");
    let _ = writeln!(out, "{BEGIN}");
    out.push_str("*filter\n:ufw-user-forward - [0:0]\n:DOCKER-USER - [0:0]\n");
    out.push_str("-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n");
    for bridge in DOCKER_BRIDGES {
        let _ = writeln!(out, "-A DOCKER-USER -i {bridge} -j RETURN");
    }
    out.push_str("-A DOCKER-USER -j ufw-user-forward\n");
    out.push_str(
        "-A DOCKER-USER -m conntrack --ctstate NEW -j DROP\n-A DOCKER-USER -j RETURN\nCOMMIT\n",
    );
    let _ = writeln!(out, "{END}");
    out.push_str("TIERMAP_BLOCK\n)\n");
    out.push_str("tmp=$(mktemp)\n");
    let _ = writeln!(out, "sed '/^{BEGIN}$/,/^{END}$/d' \"$rules\" > \"$tmp\"");
    out.push_str(
        "printf '%s\\n' \"$block\" >> \"$tmp\"\ncat \"$tmp\" > \"$rules\"\nrm -f \"$tmp\"\n\n",
    );

    for from in froms(&plan.ssh) {
        let _ = writeln!(
            out,
            "ufw allow proto tcp from {from} to any port 22 comment {}",
            quote("tiermap: ssh")
        );
    }
    for port in &plan.swarm {
        for peer in &plan.peers {
            let rule = match (port.transport, port.port) {
                (Transport::Esp, _) | (_, None) => {
                    format!("proto {} from {peer}", port.transport.as_str())
                }
                (t, Some(p)) => format!("proto {} from {peer} to any port {p}", t.as_str()),
            };
            let _ = writeln!(
                out,
                "ufw allow {rule} comment {}",
                quote(&format!("tiermap: {}", port.why))
            );
        }
    }
    for opening in &plan.published {
        if opening.transport == Transport::Sctp {
            warnings.push(format!(
                "ufw has no sctp rules: port {}/sctp stays closed.",
                opening.ports("-")
            ));
            continue;
        }
        // Forwarded packets are already translated: ingress keeps the published port,
        // host mode carries the container port.
        let mut ports = vec![opening.ports(":")];
        for &t in &opening.host_targets {
            if !ports.contains(&t.to_string()) {
                ports.push(t.to_string());
            }
        }
        for port in ports {
            for from in froms(&opening.sources) {
                let _ = writeln!(
                    out,
                    "ufw route allow proto {} from {from} to any port {port} comment {}",
                    opening.transport.as_str(),
                    quote(&format!(
                        "tiermap: {} published by {}",
                        opening.ports("-"),
                        opening.services.join(" ")
                    ))
                );
            }
        }
    }
    out.push_str("ufw default deny incoming\nufw reload\n");
    (out, warnings)
}

/// `from` values: `any`, or each range.
fn froms(sources: &[Cidr]) -> Vec<String> {
    if sources.is_empty() {
        vec!["any".to_string()]
    } else {
        sources.iter().map(ToString::to_string).collect()
    }
}
