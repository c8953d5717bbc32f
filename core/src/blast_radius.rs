//! What a compromised service reaches in 1, 2, ... hops by pivoting through the
//! services it reaches, and which services bridge tiers.
//!
//! Computed on the bipartite graph of services and networks: a service `2k` edges
//! away is `k` hops away. That keeps the cost linear in attachments per source instead
//! of quadratic in services.

use std::collections::VecDeque;

use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use crate::model::Model;
use crate::reachability::{networks_of, HOST, INGRESS};
use crate::role::{role, Role};

/// A service that sits on several tiers and so joins them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bridge {
    /// Service index.
    pub service: usize,
    /// The tiers it joins.
    pub tiers: Vec<String>,
    /// Whether it is an edge proxy (which bridges at layer 7 by design).
    pub is_proxy: bool,
}

/// Blast radius of every service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlastRadius {
    /// For each service, the services it reaches with their hop count, nearest first.
    pub reached: Vec<Vec<(usize, u32)>>,
    /// Services that join tiers.
    pub bridges: Vec<Bridge>,
}

impl BlastRadius {
    /// How many services a service reaches within `hops` hops.
    pub fn within(&self, service: usize, hops: u32) -> usize {
        self.reached
            .get(service)
            .map_or(0, |r| r.iter().filter(|(_, h)| *h <= hops).count())
    }
}

/// Computes the blast radius of every service.
pub fn analyze(model: &Model) -> BlastRadius {
    let n = model.services.len();
    let mut graph: UnGraph<(), ()> = UnGraph::with_capacity(n, n * 2);
    let service_nodes: Vec<NodeIndex> = (0..n).map(|_| graph.add_node(())).collect();
    let mut network_nodes: std::collections::HashMap<String, NodeIndex> =
        std::collections::HashMap::new();
    let mut bridges = Vec::new();
    for (i, service) in model.services.iter().enumerate() {
        let networks = networks_of(model, service);
        let tiers: Vec<String> = networks
            .iter()
            .filter(|n| *n != INGRESS && *n != HOST)
            .cloned()
            .collect();
        if tiers.len() > 1 {
            bridges.push(Bridge {
                service: i,
                tiers,
                is_proxy: matches!(role(service), Role::EdgeProxy(_)),
            });
        }
        for network in networks {
            let node = *network_nodes
                .entry(network)
                .or_insert_with(|| graph.add_node(()));
            if let Some(&s) = service_nodes.get(i) {
                graph.add_edge(s, node, ());
            }
        }
    }
    let mut distance = vec![u32::MAX; graph.node_count()];
    let mut queue = VecDeque::new();
    let mut reached = Vec::with_capacity(n);
    for &start in &service_nodes {
        distance.iter_mut().for_each(|d| *d = u32::MAX);
        let mut found = Vec::new();
        if let Some(d) = distance.get_mut(start.index()) {
            *d = 0;
        }
        queue.push_back(start);
        while let Some(node) = queue.pop_front() {
            let d = distance.get(node.index()).copied().unwrap_or(u32::MAX);
            for next in graph.neighbors(node) {
                let Some(slot) = distance.get_mut(next.index()) else {
                    continue;
                };
                if *slot != u32::MAX {
                    continue;
                }
                *slot = d + 1;
                if next.index() < n {
                    found.push((next.index(), (d + 1).div_ceil(2)));
                }
                queue.push_back(next);
            }
        }
        reached.push(found);
    }
    BlastRadius { reached, bridges }
}
