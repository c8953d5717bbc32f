//! Who can open a connection to whom inside the swarm.
//!
//! Two tasks reach each other on every port when they share a network (`ports:` and
//! `expose:` do not limit traffic inside a network). Besides the tiers written in the
//! file this counts the networks swarm adds on its own: `default` for services with no
//! `networks:`, `ingress` for services that publish a port through the routing mesh,
//! and the host's network for `network_mode: host` (or the external `host` network).

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Model, PublishMode, Service};

/// The routing mesh network swarm attaches to services with ingress-published ports.
pub const INGRESS: &str = "ingress";
/// The node's own network stack.
pub const HOST: &str = "host";

/// One direction of reachability: `from` can connect to `to` over `networks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// Client service index.
    pub from: usize,
    /// Server service index.
    pub to: usize,
    /// Networks both sit on (tier keys, or `ingress`/`host`).
    pub networks: Vec<String>,
}

/// Reachability between every ordered pair of services.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reachability {
    /// Every pair that can connect, both directions, sorted by (from, to).
    pub pairs: Vec<Reach>,
}

impl Reachability {
    /// The networks over which `from` reaches `to`, if it does.
    pub fn between(&self, from: usize, to: usize) -> Option<&[String]> {
        let i = self
            .pairs
            .binary_search_by_key(&(from, to), |r| (r.from, r.to))
            .ok()?;
        self.pairs.get(i).map(|r| r.networks.as_slice())
    }

    /// Whether `from` can connect to `to`.
    pub fn reaches(&self, from: usize, to: usize) -> bool {
        self.between(from, to).is_some()
    }
}

/// The networks a service's tasks are attached to, including the ones swarm adds.
pub fn networks_of(model: &Model, service: &Service) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(service.networks.len() + 1);
    let mut on_host = service.host_network();
    for attachment in &service.networks {
        let is_host = model
            .tier(&attachment.tier)
            .is_some_and(|t| t.external && t.swarm_name(&model.stack) == HOST);
        if is_host {
            on_host = true;
        } else {
            out.push(attachment.tier.clone());
        }
    }
    if on_host {
        out.push(HOST.to_string());
    } else if service.ports.iter().any(|p| p.mode == PublishMode::Ingress) {
        out.push(INGRESS.to_string());
    }
    out
}

/// Computes reachability for every ordered pair of services.
pub fn analyze(model: &Model) -> Reachability {
    // Network ids in order of first use, and each network's members.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, service) in model.services.iter().enumerate() {
        for network in networks_of(model, service) {
            let id = *ids.entry(network.clone()).or_insert_with(|| {
                names.push(network);
                members.push(Vec::new());
                names.len() - 1
            });
            if let Some(list) = members.get_mut(id) {
                list.push(i);
            }
        }
    }
    let mut triples: Vec<(usize, usize, usize)> = Vec::new();
    for (network, list) in members.iter().enumerate() {
        for &a in list {
            triples.extend(list.iter().filter(|&&b| b != a).map(|&b| (a, b, network)));
        }
    }
    crate::sort::sort(&mut triples);
    let mut pairs: Vec<Reach> = Vec::new();
    for (from, to, network) in triples {
        let name = names.get(network).cloned().unwrap_or_default();
        match pairs.last_mut() {
            Some(last) if last.from == from && last.to == to => last.networks.push(name),
            _ => pairs.push(Reach {
                from,
                to,
                networks: vec![name],
            }),
        }
    }
    Reachability { pairs }
}
