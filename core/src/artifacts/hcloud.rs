//! Hetzner Cloud firewall rules for one node role, as the JSON file
//! `hcloud firewall replace-rules NAME --rules-file FILE` reads. Hetzner rules take
//! addresses only, so the swarm's ports admit the peers' ranges; ESP is `esp`.

use serde::Serialize;

use super::firewall::{Plan, Transport};

/// One rule in Hetzner's format.
#[derive(Serialize)]
struct Rule {
    description: String,
    direction: &'static str,
    protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<String>,
    source_ips: Vec<String>,
}

/// Writes the rules file and returns it with the plan's warnings.
pub fn render(plan: &Plan) -> (String, Vec<String>) {
    let mut warnings = plan.warnings.clone();
    let anywhere = || vec!["0.0.0.0/0".to_string(), "::/0".to_string()];
    let list = |c: &[super::Cidr]| -> Vec<String> {
        if c.is_empty() {
            anywhere()
        } else {
            c.iter().map(ToString::to_string).collect()
        }
    };
    let mut rules = vec![
        Rule {
            description: "ssh".into(),
            direction: "in",
            protocol: "tcp",
            port: Some("22".into()),
            source_ips: list(&plan.ssh),
        },
        Rule {
            description: "icmp".into(),
            direction: "in",
            protocol: "icmp",
            port: None,
            source_ips: anywhere(),
        },
    ];
    for port in &plan.swarm {
        let protocol = match port.transport {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Esp => "esp",
            Transport::Sctp => continue,
        };
        rules.push(Rule {
            description: port.why.to_string(),
            direction: "in",
            protocol,
            port: port.port.map(|p| p.to_string()),
            source_ips: list(&plan.peers),
        });
    }
    for opening in &plan.published {
        let protocol = match opening.transport {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Sctp | Transport::Esp => {
                warnings.push(format!(
                    "Hetzner firewalls have no {}: port {} stays closed.",
                    opening.transport.as_str(),
                    opening.ports("-")
                ));
                continue;
            }
        };
        rules.push(Rule {
            description: format!("published by {}", opening.services.join(" ")),
            direction: "in",
            protocol,
            port: Some(opening.ports("-")),
            source_ips: list(&opening.sources),
        });
    }
    // Serialising plain strings and numbers cannot fail.
    let text = serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n";
    (text, warnings)
}
