//! The firewall every format writes, decided once: the swarm's own ports from the peers
//! only (2377/tcp on managers, 7946 tcp and udp, 4789/udp, ESP when a tier is
//! encrypted), SSH from the admin range, and each published port from the sources the
//! user allows. Docker's published ports bypass INPUT, so formats put
//! [`Plan::published`] in `DOCKER-USER` (or a forward hook) matched on the original
//! destination port, and the rest in INPUT.

use std::collections::BTreeMap;

use crate::model::{Model, Protocol, PublishMode};

use super::deployment::{Cidr, Deployment, NodeRole};

/// A transport a rule opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
    /// IP protocol 50, for encrypted overlays.
    Esp,
}

impl Transport {
    /// The protocol name iptables, nft and the clouds use.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Sctp => "sctp",
            Transport::Esp => "esp",
        }
    }
}

impl From<Protocol> for Transport {
    fn from(p: Protocol) -> Transport {
        match p {
            Protocol::Tcp => Transport::Tcp,
            Protocol::Udp => Transport::Udp,
            Protocol::Sctp => Transport::Sctp,
        }
    }
}

/// A port of the swarm itself, open to the peers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmPort {
    /// Transport.
    pub transport: Transport,
    /// Port (none for ESP).
    pub port: Option<u16>,
    /// Why it is open.
    pub why: &'static str,
}

/// A published port, or a range of them, and who may reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// The published port (the first of a range).
    pub port: u16,
    /// The last port of a range (`port` for one port).
    pub last: u16,
    /// Transport.
    pub transport: Transport,
    /// The services that publish it.
    pub services: Vec<String>,
    /// Allowed sources; empty means anywhere.
    pub sources: Vec<Cidr>,
    /// Container ports behind it in host mode: after Docker's translation a forwarded
    /// packet carries these, which matters to rules that cannot see the original port.
    pub host_targets: Vec<u16>,
}

impl Opening {
    /// The ports as a format writes a range: `443`, or `10000` `sep` `20000`.
    pub fn ports(&self, sep: &str) -> String {
        crate::port_range::span(self.port, self.last, sep)
    }

    /// Whether `next` is the port after this opening's last, for the same services,
    /// sources and transport, through the routing mesh (host mode maps each port to its
    /// own container port).
    fn continued_by(&self, next: &Opening) -> bool {
        self.last.checked_add(1) == Some(next.port)
            && self.transport == next.transport
            && self.services == next.services
            && self.sources == next.sources
            && self.host_targets.is_empty()
            && next.host_targets.is_empty()
    }
}

/// A host or cloud firewall for one node role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The stack the plan is for.
    pub stack: String,
    /// The node role.
    pub role: NodeRole,
    /// The swarm nodes' addresses.
    pub peers: Vec<Cidr>,
    /// Swarm ports for this role.
    pub swarm: Vec<SwarmPort>,
    /// SSH sources; empty means anywhere.
    pub ssh: Vec<Cidr>,
    /// Published ports.
    pub published: Vec<Opening>,
    /// What the reader must know.
    pub warnings: Vec<String>,
}

impl Plan {
    /// The plan for `deployment.role`.
    pub fn new(model: &Model, deployment: &Deployment) -> Plan {
        Plan::for_role(model, deployment, deployment.role)
    }

    /// The plan for a given role.
    pub fn for_role(model: &Model, deployment: &Deployment, role: NodeRole) -> Plan {
        let mut warnings = Vec::new();
        if deployment.peers.is_empty() {
            warnings.push("No peer addresses given: swarm ports are open to the private ranges 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16. Give the nodes' addresses.".to_string());
        }
        if deployment.admin.is_empty() {
            warnings.push(
                "No admin range given: SSH is open to anywhere. Give the range you administer from."
                    .to_string(),
            );
        }
        let mut swarm = Vec::new();
        if role == NodeRole::Manager {
            swarm.push(SwarmPort {
                transport: Transport::Tcp,
                port: Some(2377),
                why: "cluster management (managers)",
            });
        }
        swarm.push(SwarmPort {
            transport: Transport::Tcp,
            port: Some(7946),
            why: "node gossip",
        });
        swarm.push(SwarmPort {
            transport: Transport::Udp,
            port: Some(7946),
            why: "node gossip",
        });
        swarm.push(SwarmPort {
            transport: Transport::Udp,
            port: Some(4789),
            why: "overlay data (VXLAN)",
        });
        if model.tiers.iter().any(|t| t.encryption.is_effective()) {
            swarm.push(SwarmPort {
                transport: Transport::Esp,
                port: None,
                why: "encrypted overlay (IPsec ESP)",
            });
        }
        let mut published: Vec<Opening> = Vec::new();
        // Where each port's opening is: a range publishes thousands of ports.
        let mut opened: BTreeMap<(u16, Transport), usize> = BTreeMap::new();
        for service in &model.services {
            if service.host_network() {
                warnings.push(format!(
                    "{} uses the host network: its ports arrive through INPUT and are dropped unless you add them.",
                    service.name
                ));
            }
            for port in &service.ports {
                let Some(number) = port.published else {
                    warnings.push(format!(
                        "{} publishes container port {} on a port swarm picks (30000-32767): it stays closed; publish a fixed port.",
                        service.name, port.target
                    ));
                    continue;
                };
                let transport = Transport::from(port.protocol);
                let index = *opened.entry((number, transport)).or_insert_with(|| {
                    published.push(Opening {
                        port: number,
                        last: number,
                        transport,
                        services: Vec::new(),
                        sources: deployment.allowed_for(number).to_vec(),
                        host_targets: Vec::new(),
                    });
                    published.len() - 1
                });
                if let Some(o) = published.get_mut(index) {
                    if !o.services.contains(&service.name) {
                        o.services.push(service.name.clone());
                    }
                    if port.mode == PublishMode::Host && !o.host_targets.contains(&port.target) {
                        o.host_targets.push(port.target);
                    }
                }
            }
        }
        crate::sort::sort_by_key(&mut published, |o| (o.transport, o.port));
        // A range in the file is one rule in every format (all of them take ranges),
        // not ten thousand: consecutive ports the same services publish to the same
        // sources through the routing mesh.
        let mut merged: Vec<Opening> = Vec::with_capacity(published.len());
        for o in published {
            match merged.last_mut() {
                Some(m) if m.continued_by(&o) => m.last = o.port,
                _ => merged.push(o),
            }
        }
        crate::sort::sort_by_key(&mut merged, |o| (o.port, o.transport));
        let published = merged;
        Plan {
            stack: model.stack.clone(),
            role,
            peers: deployment.peers_or_private(),
            swarm,
            ssh: deployment.admin.clone(),
            published,
            warnings,
        }
    }

    /// Whether a tier is encrypted, so ESP must pass between peers.
    pub fn needs_esp(&self) -> bool {
        self.swarm.iter().any(|p| p.transport == Transport::Esp)
    }

    /// The header every text format starts with, as comment lines after `prefix`.
    pub fn header(&self, prefix: &str, what: &str, apply: &[&str]) -> String {
        let mut out = format!(
            "{prefix} {what} for the {} nodes of stack {}, generated by tiermap.\n",
            self.role.as_str(),
            self.stack
        );
        for line in apply {
            out.push_str(&format!("{prefix} {line}\n"));
        }
        for w in &self.warnings {
            out.push_str(&format!("{prefix} WARNING: {w}\n"));
        }
        out
    }
}

/// The sources of a rule split by family; `[]` means anywhere.
pub fn by_family(sources: &[Cidr]) -> (Vec<Cidr>, Vec<Cidr>) {
    sources.iter().partition(|c| c.is_v4())
}
