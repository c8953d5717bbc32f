//! Segmentation: on each tier, the pairs of services that can connect but that no flow
//! joins, and the split of the tier that would separate them.
//!
//! A Docker network cannot allow one pair and refuse another: everyone on it reaches
//! everyone. So the split gives each service that others call on the tier a tier of
//! its own with its callers; two callers of the same service still meet there, which
//! the split says. A call between services that share several tiers is kept on one
//! of them (see [`carrier`]), so a split never cuts a flow.

use std::collections::HashMap;

use crate::model::{Model, Service};
use crate::reachability::HOST;

/// One tier's reach that no flow uses, and the split that closes most of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierReach {
    /// The tier's key.
    pub tier: String,
    /// Pairs (service names, in file order) on the tier that no flow joins.
    pub unused: Vec<(String, String)>,
    /// The tiers the split makes: the first keeps the tier's key, the others are new.
    /// Empty when no split would close a pair.
    pub split: Vec<Group>,
    /// Unused pairs that still meet after the split (callers of one service).
    pub kept: Vec<(String, String)>,
}

/// A tier of a split and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The tier's key.
    pub tier: String,
    /// Its members, in file order.
    pub services: Vec<String>,
}

/// The unused reach of every tier that has any, in the model's tier order.
pub fn analyze(model: &Model) -> Vec<TierReach> {
    let index: HashMap<&str, usize> = model.service_indices();
    let tier_index: HashMap<&str, usize> = model.tier_indices();
    // Pairs a flow joins (low, high), and each call on the one tier that carries it.
    let mut joined: Vec<(usize, usize)> = Vec::new();
    let mut calls: Vec<Vec<(usize, usize)>> = vec![Vec::new(); model.tiers.len()];
    for flow in &model.flows {
        let (Some(&a), Some(&b)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str()))
        else {
            continue;
        };
        if a == b {
            continue;
        }
        joined.push((a.min(b), a.max(b)));
        if let (Some(from), Some(to)) = (model.services.get(a), model.services.get(b)) {
            let carried = carrier(from, to).and_then(|t| tier_index.get(t));
            if let Some(list) = carried.and_then(|&t| calls.get_mut(t)) {
                list.push((a, b));
            }
        }
    }
    crate::sort::sort(&mut joined);
    calls.iter_mut().for_each(|list| crate::sort::sort(list));
    // Members of each tier, in file order.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); model.tiers.len()];
    for (i, service) in model.services.iter().enumerate() {
        for attachment in &service.networks {
            if let Some(list) = tier_index
                .get(attachment.tier.as_str())
                .and_then(|&t| members.get_mut(t))
            {
                list.push(i);
            }
        }
    }
    let name = |i: usize| {
        model
            .services
            .get(i)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let pair = |&(a, b): &(usize, usize)| (name(a), name(b));
    let mut out = Vec::new();
    for ((tier, on), carried) in model.tiers.iter().zip(&members).zip(&calls) {
        if on.is_empty() || (tier.external && tier.swarm_name(&model.stack) == HOST) {
            continue;
        }
        let mut unused = Vec::new();
        for (n, &a) in on.iter().enumerate() {
            for &b in on.iter().skip(n + 1) {
                if joined.binary_search(&(a.min(b), a.max(b))).is_err() {
                    unused.push((a, b));
                }
            }
        }
        if unused.is_empty() {
            continue;
        }
        let groups = if tier.declared {
            split(model, &tier.key, on, carried)
        } else {
            Vec::new()
        };
        // The groups each member is in (by its place on the tier), to tell which pairs
        // still meet.
        let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); on.len()];
        for (g, (_, group)) in groups.iter().enumerate() {
            for m in group {
                if let Some(list) = on.binary_search(m).ok().and_then(|p| member_of.get_mut(p)) {
                    list.push(g);
                }
            }
        }
        let groups_of = |s: usize| on.binary_search(&s).ok().and_then(|p| member_of.get(p));
        let meet = |a: usize, b: usize| match (groups_of(a), groups_of(b)) {
            (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
            _ => false,
        };
        let closes = unused.iter().any(|&(a, b)| !meet(a, b));
        let (split, kept) = if closes {
            (
                groups
                    .iter()
                    .map(|(tier, g)| Group {
                        tier: tier.clone(),
                        services: g.iter().map(|&i| name(i)).collect(),
                    })
                    .collect(),
                unused
                    .iter()
                    .filter(|&&(a, b)| meet(a, b))
                    .map(pair)
                    .collect(),
            )
        } else {
            (Vec::new(), unused.iter().map(pair).collect())
        };
        out.push(TierReach {
            tier: tier.key.clone(),
            unused: unused.iter().map(pair).collect(),
            split,
            kept,
        });
    }
    out
}

/// The one tier a split keeps a call on, when client and server share several: the
/// server's home tier, else the client's, else the first the server is on. (Traefik's
/// routes name theirs with `traefik.swarm.network`, which is usually the same.)
fn carrier<'m>(from: &'m Service, to: &'m Service) -> Option<&'m str> {
    let shared = |tier: &str| from.on(tier) && to.on(tier);
    to.home
        .as_deref()
        .filter(|t| shared(t))
        .or_else(|| from.home.as_deref().filter(|t| shared(t)))
        .or_else(|| {
            to.networks
                .iter()
                .map(|a| a.tier.as_str())
                .find(|t| shared(t))
        })
}

/// The groups of a tier's split: each called service with its callers on the tier (the
/// largest keeps the tier's key), and each member with no flow on the tier and no other
/// tier alone on a tier of its own. Members with no flow on the tier but other tiers
/// are in no group: they leave it.
fn split(
    model: &Model,
    tier: &str,
    on: &[usize],
    calls: &[(usize, usize)],
) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for &server in on {
        let mut group: Vec<usize> = on
            .iter()
            .copied()
            .filter(|&c| c == server || calls.binary_search(&(c, server)).is_ok())
            .collect();
        if group.len() > 1 {
            crate::sort::sort(&mut group);
            groups.push((server, group));
        }
    }
    // A group inside another adds nothing.
    let mut kept: Vec<(usize, Vec<usize>)> = Vec::new();
    for (server, group) in &groups {
        let inside = groups.iter().any(|(other, g)| {
            other != server
                && group.iter().all(|m| g.contains(m))
                && (g.len() > group.len() || other < server)
        });
        if !inside {
            kept.push((*server, group.clone()));
        }
    }
    for &member in on {
        let grouped = kept.iter().any(|(_, g)| g.contains(&member));
        let elsewhere = model
            .services
            .get(member)
            .is_some_and(|s| s.networks.len() > 1);
        if !grouped && !elsewhere {
            kept.push((member, vec![member]));
        }
    }
    // The largest group keeps the tier; the others are named after their service.
    let largest = kept
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, g))| (g.len(), std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    if let Some(i) = largest {
        let first = kept.remove(i);
        kept.insert(0, first);
    }
    let mut taken: Vec<String> = model.tiers.iter().map(|t| t.key.clone()).collect();
    kept.into_iter()
        .enumerate()
        .map(|(n, (server, group))| {
            let key = if n == 0 {
                tier.to_string()
            } else {
                let base = format!(
                    "{tier}_{}",
                    model
                        .services
                        .get(server)
                        .map_or("split", |s| s.name.as_str())
                );
                let mut key = base.clone();
                let mut k = 2;
                while taken.contains(&key) {
                    key = format!("{base}{k}");
                    k += 1;
                }
                taken.push(key.clone());
                key
            };
            (key, group)
        })
        .collect()
}
