//! The exposed surface: every port reachable from outside the swarm, where it opens,
//! and the host names and paths the edge proxy routes in. Also the comparison of two
//! designs' surfaces ("9 ports -> 2 ports, 78% less").

use std::collections::BTreeSet;

use serde::Serialize;

use crate::design::PortSpec;
use crate::model::{Model, Protocol, PublishMode};
use crate::port_range::PortRange;
use crate::role::{Proxy, Role};
use crate::yaml::Location;

/// One published port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// The service that publishes it.
    pub service: String,
    /// Published port; `None` when swarm picks one from 30000-32767.
    pub published: Option<u16>,
    /// Container port.
    pub target: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Publish mode.
    pub mode: PublishMode,
    /// Where it opens: `every node` for ingress, the service's nodes for host mode.
    pub nodes: String,
    /// A host IP the file asks for and swarm ignores (it listens on every address).
    pub ignored_host_ip: Option<String>,
    /// Where the port is written.
    pub at: Location,
}

/// A host name and path an edge proxy sends to a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposedRoute {
    /// The routed service.
    pub service: String,
    /// The proxy services that read the route.
    pub proxies: Vec<String>,
    /// Host names (empty means any host).
    pub hosts: Vec<String>,
    /// Paths (empty means every path).
    pub paths: Vec<String>,
    /// The container port the proxy connects to.
    pub port: Option<u16>,
}

impl Exposure {
    /// The port as the editor takes it.
    pub fn spec(&self) -> PortSpec {
        PortSpec {
            target: self.target,
            published: self.published,
            protocol: self.protocol,
            mode: self.mode,
        }
    }
}

/// Everything reachable from outside the swarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Surface {
    /// Published ports.
    pub ports: Vec<Exposure>,
    /// Routes the edge proxies expose.
    pub routes: Vec<ExposedRoute>,
    /// Services on the host's network: every port they listen on is exposed.
    pub host_network: Vec<String>,
}

/// A published port as counted in a comparison: the port number (or the publishing
/// service and container port when swarm picks the number) and the protocol.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PortKey {
    /// Published port number, if fixed.
    pub published: Option<u16>,
    /// Protocol.
    pub protocol: Protocol,
    /// For ports swarm numbers itself: `service:target`.
    pub dynamic: Option<String>,
}

impl std::fmt::Display for PortKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.published, &self.dynamic) {
            (Some(p), _) => write!(f, "{p}/{}", self.protocol),
            (None, Some(d)) => write!(f, "random port -> {d}/{}", self.protocol),
            (None, None) => write!(f, "?/{}", self.protocol),
        }
    }
}

impl Surface {
    /// The published ports as runs of consecutive ports (a range written once in the
    /// file is listed once), each with its ports.
    pub fn port_ranges(&self) -> Vec<(PortRange, &[Exposure])> {
        crate::port_range::runs(&self.ports, Exposure::spec, |a, b| {
            a.service == b.service && a.nodes == b.nodes && a.ignored_host_ip == b.ignored_host_ip
        })
    }

    /// The distinct ports open to the outside (a port published on tcp and udp counts
    /// twice; ranges count each port).
    pub fn port_keys(&self) -> BTreeSet<PortKey> {
        self.ports
            .iter()
            .map(|e| PortKey {
                published: e.published,
                protocol: e.protocol,
                dynamic: e
                    .published
                    .is_none()
                    .then(|| format!("{}:{}", e.service, e.target)),
            })
            .collect()
    }

    /// Number of distinct exposed ports.
    pub fn port_count(&self) -> usize {
        self.port_keys().len()
    }
}

/// Computes the exposed surface of a design.
pub fn analyze(model: &Model) -> Surface {
    let mut surface = Surface::default();
    for service in &model.services {
        if service.host_network() {
            surface.host_network.push(service.name.clone());
        }
        for port in &service.ports {
            surface.ports.push(Exposure {
                service: service.name.clone(),
                published: port.published,
                target: port.target,
                protocol: port.protocol,
                mode: port.mode,
                nodes: match port.mode {
                    PublishMode::Ingress => "every node".to_string(),
                    PublishMode::Host => format!("nodes running {}", service.name),
                },
                ignored_host_ip: port.host_ip.clone(),
                at: port.at,
            });
        }
    }
    for service in &model.services {
        for route in &service.routes {
            let wanted = match route.proxy {
                crate::model::ProxyKind::Traefik => Proxy::Traefik,
                crate::model::ProxyKind::DockerFlowProxy => Proxy::DockerFlowProxy,
            };
            let proxies = model
                .services
                .iter()
                .filter(|s| s.role == Role::EdgeProxy(wanted))
                .map(|s| s.name.clone())
                .collect();
            surface.routes.push(ExposedRoute {
                service: service.name.clone(),
                proxies,
                hosts: route.hosts.clone(),
                paths: route.paths.clone(),
                port: route.port,
            });
        }
    }
    surface
}

/// Two designs' surfaces side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Ports exposed before.
    pub before: usize,
    /// Ports exposed after.
    pub after: usize,
    /// Reduction in percent, rounded (negative when the surface grew).
    pub reduction_percent: i64,
    /// Ports open before and closed after.
    pub closed: Vec<PortKey>,
    /// Ports open after that were not before.
    pub opened: Vec<PortKey>,
    /// Ports open in both.
    pub kept: Vec<PortKey>,
}

impl Comparison {
    /// One line for people: `9 ports -> 2 ports, 78% less`.
    pub fn summary(&self) -> String {
        let plural = |n: usize| if n == 1 { "port" } else { "ports" };
        let change = match self.reduction_percent {
            0 if self.before == self.after => "no change".to_string(),
            r if r >= 0 => format!("{r}% less"),
            r => format!("{}% more", -r),
        };
        format!(
            "{} {} -> {} {}, {}",
            self.before,
            plural(self.before),
            self.after,
            plural(self.after),
            change
        )
    }
}

/// Compares the surface of a design before and after a change.
pub fn compare(before: &Surface, after: &Surface) -> Comparison {
    let (b, a) = (before.port_keys(), after.port_keys());
    let reduction_percent = if b.is_empty() {
        if a.is_empty() {
            0
        } else {
            -100
        }
    } else {
        let (nb, na) = (b.len() as f64, a.len() as f64);
        ((nb - na) / nb * 100.0).round() as i64
    };
    Comparison {
        before: b.len(),
        after: a.len(),
        reduction_percent,
        closed: b.difference(&a).cloned().collect(),
        opened: a.difference(&b).cloned().collect(),
        kept: b.intersection(&a).cloned().collect(),
    }
}
