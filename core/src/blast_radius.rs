//! What a compromised service reaches in 1, 2, ... hops by pivoting through the
//! services it reaches, and which services bridge tiers.
//!
//! Two services on a shared network are one hop apart; a service on network `b` is
//! `1 + d(a, b)` hops from a service on `a`, where `d` counts the pivots between the
//! networks. Distances are computed once between networks (a small graph, built with
//! petgraph), so any service's radius is answered in time linear in the services,
//! without materialising every pair of a large stack.

use std::collections::{HashMap, VecDeque};

use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use crate::model::Model;
use crate::reachability::{networks_of, HOST, INGRESS};
use crate::role::Role;

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
    /// Network ids of each service.
    networks_of: Vec<Vec<usize>>,
    /// Pivots needed between two networks (`u32::MAX`: never).
    distance: Vec<Vec<u32>>,
    /// Services that join tiers.
    pub bridges: Vec<Bridge>,
}

impl BlastRadius {
    /// The services `service` reaches with their hop count, nearest first (then in
    /// file order).
    pub fn reached(&self, service: usize) -> Vec<(usize, u32)> {
        let Some(own) = self.networks_of.get(service) else {
            return Vec::new();
        };
        if own.is_empty() {
            return Vec::new();
        }
        let networks = self.distance.len();
        let to_network: Vec<u32> = (0..networks)
            .map(|b| {
                own.iter()
                    .filter_map(|&a| self.distance.get(a)?.get(b).copied())
                    .min()
                    .unwrap_or(u32::MAX)
            })
            .collect();
        let found: Vec<(usize, u32)> = self
            .networks_of
            .iter()
            .enumerate()
            .filter(|(t, _)| *t != service)
            .filter_map(|(t, nets)| {
                let d = nets
                    .iter()
                    .filter_map(|&b| to_network.get(b).copied())
                    .min()?;
                (d != u32::MAX).then(|| (t, d + 1))
            })
            .collect();
        // Nearest first, file order within a distance: a counting sort by hops, since
        // hops are few and the services are already in file order.
        let most = found.iter().map(|&(_, h)| h as usize).max().unwrap_or(0);
        let mut start = vec![0usize; most + 2];
        for &(_, h) in &found {
            if let Some(slot) = start.get_mut(h as usize + 1) {
                *slot += 1;
            }
        }
        for i in 1..start.len() {
            let before = start.get(i - 1).copied().unwrap_or(0);
            if let Some(slot) = start.get_mut(i) {
                *slot += before;
            }
        }
        let mut out = vec![(0usize, 0u32); found.len()];
        for &(t, h) in &found {
            if let Some(next) = start.get_mut(h as usize) {
                if let Some(slot) = out.get_mut(*next) {
                    *slot = (t, h);
                }
                *next += 1;
            }
        }
        out
    }

    /// How many services a service reaches within `hops` hops.
    pub fn within(&self, service: usize, hops: u32) -> usize {
        self.reached(service)
            .iter()
            .filter(|(_, h)| *h <= hops)
            .count()
    }
}

/// Computes the blast radius structure of a design.
pub fn analyze(model: &Model) -> BlastRadius {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut graph: UnGraph<(), ()> = UnGraph::default();
    let mut networks_of = Vec::with_capacity(model.services.len());
    let mut bridges = Vec::new();
    for (i, service) in model.services.iter().enumerate() {
        let names = networks_of_service(model, i);
        let tiers: Vec<String> = names
            .iter()
            .filter(|n| *n != INGRESS && *n != HOST)
            .cloned()
            .collect();
        if tiers.len() > 1 {
            bridges.push(Bridge {
                service: i,
                tiers,
                is_proxy: matches!(service.role, Role::EdgeProxy(_)),
            });
        }
        let own: Vec<usize> = names
            .into_iter()
            .map(|n| *ids.entry(n).or_insert_with(|| graph.add_node(()).index()))
            .collect();
        // A service on several networks is a pivot between each pair of them.
        for (k, &a) in own.iter().enumerate() {
            for &b in own.iter().skip(k + 1) {
                if graph
                    .find_edge(NodeIndex::new(a), NodeIndex::new(b))
                    .is_none()
                {
                    graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
                }
            }
        }
        networks_of.push(own);
    }
    let n = graph.node_count();
    let mut distance = vec![vec![u32::MAX; n]; n];
    let mut queue = VecDeque::new();
    for (start, row) in distance.iter_mut().enumerate() {
        if let Some(d) = row.get_mut(start) {
            *d = 0;
        }
        queue.push_back(NodeIndex::new(start));
        while let Some(node) = queue.pop_front() {
            let d = row.get(node.index()).copied().unwrap_or(u32::MAX);
            for next in graph.neighbors(node) {
                if let Some(slot) = row.get_mut(next.index()).filter(|s| **s == u32::MAX) {
                    *slot = d + 1;
                    queue.push_back(next);
                }
            }
        }
    }
    BlastRadius {
        networks_of,
        distance,
        bridges,
    }
}

fn networks_of_service(model: &Model, index: usize) -> Vec<String> {
    model
        .services
        .get(index)
        .map(|s| networks_of(model, s))
        .unwrap_or_default()
}
