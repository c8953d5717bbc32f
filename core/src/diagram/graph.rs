//! What the diagram shows, before anything is placed: a card per service, the groups
//! that hold them (the edge proxies, one per tier, the services on no tier) and the
//! arrows (the internet's to each published service, one per flow, and with a
//! baseline the ones it had that are gone).

use std::collections::HashMap;

use super::layout::{Card, Change, Rect};
use super::place::Density;
use super::text;
use crate::analysis::Analysis;
use crate::model::{Model, Service};
use crate::role::{image_name, Role};

/// Card height.
pub(super) const CARD_H: f32 = 58.0;
/// The title of the box the edge proxies sit in.
pub(super) const PUBLIC_TITLE: &str = "Public entry points";
const CARD_MIN_W: f32 = 150.0;
const CARD_MAX_W: f32 = 260.0;
/// Text starts this far inside a card.
pub(super) const CARD_INSET: f32 = 10.0;

/// What a group of cards stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum GroupKind {
    /// The edge proxies: the public entry points, drawn first under the internet.
    Edge,
    /// A tier, by its index in the model.
    Tier(usize),
    /// Services on no tier (host network, or no network at all): no box.
    Loose,
}

/// A group of cards: a box, except for [`GroupKind::Loose`].
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub kind: GroupKind,
    /// The box's title: the tier's key, or "Public entry points".
    pub title: String,
    /// The line beside the title: driver and flags.
    pub subtitle: String,
    pub encrypted: bool,
    /// Palette index.
    pub color: usize,
    /// Cards (service indices), in the model's order.
    pub members: Vec<usize>,
}

/// An arrow before it is routed.
#[derive(Debug, Clone)]
pub(super) struct Arrow {
    /// Client card, `None` for the internet.
    pub from: Option<usize>,
    /// Server card.
    pub to: usize,
    pub label: Option<String>,
    pub blocked: bool,
    pub change: Change,
}

/// Where a bundle of arrows meets: every one of `sources` has a flow to every one of
/// `targets` (a complete bipartite graph), so each source's arrows run to one point and
/// part there for the targets. Every flow keeps a path of its own; they share the
/// trunk. A confluent drawing: no arrow is lost or added.
#[derive(Debug, Clone)]
pub(super) struct Junction {
    pub sources: Vec<usize>,
    pub targets: Vec<usize>,
}

/// What the layout places and routes: an arrow, or the part of a bundled arrow between
/// its source and the junction or between the junction and its target. Ends are nodes:
/// cards (service indices), then junctions (after the last card).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Link {
    /// `None` for the internet.
    pub from: Option<usize>,
    pub to: usize,
}

/// The diagram's content.
#[derive(Debug, Clone)]
pub(super) struct Graph {
    /// One card per service, by service index; rects are not placed yet (widths are).
    pub cards: Vec<Card>,
    /// The group each node (card, then junction) is in.
    pub group_of: Vec<usize>,
    pub groups: Vec<Group>,
    pub arrows: Vec<Arrow>,
    pub junctions: Vec<Junction>,
    pub links: Vec<Link>,
    /// Per arrow: the links it is drawn along, in order.
    pub arrow_links: Vec<Vec<usize>>,
    /// How closely arrows are packed.
    pub density: Density,
}

impl Graph {
    /// The junction a node is, if it is one.
    pub(super) fn junction(&self, node: usize) -> Option<usize> {
        node.checked_sub(self.cards.len())
    }
}

/// Bundles: sources that each call every one of the same targets in their box (plain
/// arrows only: not blocked, not changed; a source may call others besides), where a
/// bundle at least halves the lines (six sources of three targets, four of four, three
/// of six; never two of either). The bundle saving the most lines goes first, and an
/// arrow joins one bundle at most. A source one of the targets calls back stays out:
/// ranked around that cycle, its arrows would run past their target to the junction
/// and back (eShopOnAbp's calls nearly all both ways: 187 crossings bundled, 125 not).
fn bundles(graph: &mut Graph) {
    let n = graph.cards.len();
    let plain = |a: &Arrow| a.change == Change::Kept && !a.blocked;
    // Each source's targets in its own box; and every card it calls.
    let mut targets: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); n];
    for a in &graph.arrows {
        let Some(from) = a.from else { continue };
        if let Some(list) = callees.get_mut(from) {
            list.push(a.to);
        }
        if plain(a) && graph.group_of.get(from) == graph.group_of.get(a.to) && from != a.to {
            if let Some(list) = targets.get_mut(from) {
                list.push(a.to);
            }
        }
    }
    for list in targets.iter_mut().chain(&mut callees) {
        crate::sort::sort(list);
        list.dedup();
    }
    let calls = |from: usize, to: usize| {
        callees
            .get(from)
            .is_some_and(|l| l.binary_search(&to).is_ok())
    };
    // The target sets to try: each source's own, once.
    let mut sets: Vec<Vec<usize>> = Vec::new();
    for list in &targets {
        if list.len() >= 2 && !sets.contains(list) {
            sets.push(list.clone());
        }
    }
    // Per source, its targets already in a bundle.
    let mut bundled: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut classes: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    loop {
        let mut best: Option<(usize, Vec<usize>, Vec<usize>)> = None;
        for set in &sets {
            let free = |src: usize, t: &[usize]| {
                t.iter().all(|&x| {
                    targets
                        .get(src)
                        .is_some_and(|l| l.binary_search(&x).is_ok())
                        && !bundled.get(src).is_some_and(|b| b.contains(&x))
                })
            };
            let called_back = |src: usize| set.iter().any(|&x| calls(x, src));
            let sources: Vec<usize> = (0..n)
                .filter(|&src| free(src, set) && !called_back(src))
                .collect();
            let (s, t) = (sources.len(), set.len());
            if s < 2 || s * t < 2 * (s + t) {
                continue;
            }
            let saved = s * t - (s + t);
            if best.as_ref().is_none_or(|b| saved > b.0) {
                best = Some((saved, set.clone(), sources));
            }
        }
        let Some((_, set, sources)) = best else {
            break;
        };
        for &src in &sources {
            if let Some(b) = bundled.get_mut(src) {
                b.extend_from_slice(&set);
            }
        }
        classes.push((set, sources));
    }
    for (targets, sources) in classes {
        let j = graph.junctions.len();
        let node = n + j;
        let group = sources
            .first()
            .and_then(|&c| graph.group_of.get(c))
            .copied()
            .unwrap_or(0);
        graph.group_of.push(group);
        if let Some(g) = graph.groups.get_mut(group) {
            g.members.push(node);
        }
        let first_in = graph.links.len();
        for &src in &sources {
            graph.links.push(Link {
                from: Some(src),
                to: node,
            });
        }
        let first_out = graph.links.len();
        for &tgt in &targets {
            graph.links.push(Link {
                from: Some(node),
                to: tgt,
            });
        }
        for (a, arrow) in graph.arrows.iter().enumerate() {
            let (Some(from), true) = (arrow.from, plain(arrow)) else {
                continue;
            };
            let (Some(si), Some(ti)) = (
                sources.iter().position(|&x| x == from),
                targets.iter().position(|&x| x == arrow.to),
            ) else {
                continue;
            };
            if let Some(l) = graph.arrow_links.get_mut(a) {
                *l = vec![first_in + si, first_out + ti];
            }
        }
        graph.junctions.push(Junction { sources, targets });
    }
}

/// The published ports as the card and the internet's arrow write them.
fn ports(service: &Service) -> String {
    crate::port_range::published_list(&service.ports, "random")
}

fn card_for(service: &Service, tier: Option<&str>) -> Card {
    // An image named only by a variable that is not set reads as empty.
    let image = service
        .image
        .as_deref()
        .map(image_name)
        .filter(|name| !name.is_empty())
        .unwrap_or("no image");
    let replicas = service.replicas().map_or_else(
        || "global".to_string(),
        |n| format!("{n} replica{}", if n == 1 { "" } else { "s" }),
    );
    let r = service.role;
    let mut card = Card {
        service: service.name.clone(),
        detail: format!("{image} · {replicas}"),
        extra_tiers: service
            .networks
            .iter()
            .map(|a| a.tier.clone())
            .filter(|t| Some(t.as_str()) != tier)
            .collect(),
        tier: tier.map(str::to_string),
        rect: Rect::default(),
        proxy: matches!(r, Role::EdgeProxy(_)),
        data: matches!(r, Role::Database | Role::MessageBus),
        ports: ports(service),
    };
    // As wide as its text (the name at 15px bold, the lines below at 11.5 and 11px),
    // within bounds; longer text is cut when drawn.
    let name = text::width(&card.service, 15.0, true);
    let detail = text::width(&card.detail, 11.5, false);
    let chips = text::width(&format!("+ {}", card.extra_tiers.join(", ")), 11.0, false);
    card.rect.w = (name.max(detail).max(chips) + 2.0 * CARD_INSET).clamp(CARD_MIN_W, CARD_MAX_W);
    card.rect.h = CARD_H;
    card
}

fn subtitle(model: &Model, tier: usize) -> String {
    let Some(t) = model.tiers.get(tier) else {
        return String::new();
    };
    let mut flags = vec![t.driver.clone().unwrap_or_else(|| "overlay".into())];
    for (on, flag) in [
        (t.encryption.is_effective(), "encrypted"),
        (t.internal, "internal"),
        (t.external, "external"),
        (t.attachable, "attachable"),
    ] {
        if on {
            flags.push(flag.into());
        }
    }
    flags.join(" · ")
}

/// The graph of a design; with a baseline, arrows it had that are gone are added as
/// removed and the others marked added or kept.
pub(super) fn graph(model: &Model, analysis: &Analysis, baseline: Option<&Model>) -> Graph {
    let tier_index: HashMap<&str, usize> = model.tier_indices();
    let index: HashMap<&str, usize> = model.service_indices();
    // Which group each service goes to: edge proxies together, the others by home tier.
    let kind_of = |s: &Service| {
        if matches!(s.role, Role::EdgeProxy(_)) {
            GroupKind::Edge
        } else {
            s.home
                .as_deref()
                .and_then(|h| tier_index.get(h))
                .map_or(GroupKind::Loose, |&t| GroupKind::Tier(t))
        }
    };
    let mut kinds: Vec<GroupKind> = Vec::new();
    if model.services.iter().any(|s| kind_of(s) == GroupKind::Edge) {
        kinds.push(GroupKind::Edge);
    }
    for t in 0..model.tiers.len() {
        if model
            .services
            .iter()
            .any(|s| kind_of(s) == GroupKind::Tier(t))
        {
            kinds.push(GroupKind::Tier(t));
        }
    }
    if model
        .services
        .iter()
        .any(|s| kind_of(s) == GroupKind::Loose)
    {
        kinds.push(GroupKind::Loose);
    }
    let mut groups: Vec<Group> = kinds
        .iter()
        .map(|&kind| {
            let (title, subtitle, encrypted, color) = match kind {
                GroupKind::Edge => (PUBLIC_TITLE.to_string(), String::new(), false, 0),
                GroupKind::Tier(t) => (
                    model
                        .tiers
                        .get(t)
                        .map(|t| t.key.clone())
                        .unwrap_or_default(),
                    subtitle(model, t),
                    model
                        .tiers
                        .get(t)
                        .is_some_and(|t| t.encryption.is_effective()),
                    t,
                ),
                GroupKind::Loose => (String::new(), String::new(), false, 0),
            };
            Group {
                kind,
                title,
                subtitle,
                encrypted,
                color,
                members: Vec::new(),
            }
        })
        .collect();
    let mut group_of = Vec::with_capacity(model.services.len());
    let mut cards = Vec::with_capacity(model.services.len());
    for (i, s) in model.services.iter().enumerate() {
        let kind = kind_of(s);
        let g = kinds.iter().position(|k| *k == kind).unwrap_or(0);
        if let Some(group) = groups.get_mut(g) {
            group.members.push(i);
        }
        group_of.push(g);
        let tier = match kind {
            GroupKind::Tier(t) => model.tiers.get(t).map(|t| t.key.as_str()),
            _ => None,
        };
        cards.push(card_for(s, tier));
    }

    let mut arrows = Vec::new();
    let published_before = |name: &str| {
        baseline
            .and_then(|b| b.service(name))
            .map(|s| !s.ports.is_empty())
    };
    for (i, s) in model.services.iter().enumerate() {
        if s.ports.is_empty() {
            continue;
        }
        let change = match (baseline.is_some(), published_before(&s.name)) {
            (true, Some(true)) | (false, _) => Change::Kept,
            (true, _) => Change::Added,
        };
        arrows.push(Arrow {
            from: None,
            to: i,
            label: Some(ports(s)),
            blocked: false,
            change,
        });
    }
    let same = |a: &crate::model::Flow, b: &crate::model::Flow| {
        a.from == b.from && a.to == b.to && a.port == b.port
    };
    for check in &analysis.flows {
        let Some(flow) = model.flows.get(check.flow) else {
            continue;
        };
        let (Some(&a), Some(&b)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str()))
        else {
            continue;
        };
        if a == b {
            continue;
        }
        let change = match baseline {
            Some(base) if !base.flows.iter().any(|f| same(f, flow)) => Change::Added,
            _ => Change::Kept,
        };
        arrows.push(Arrow {
            from: Some(a),
            to: b,
            label: flow.port.map(|p| p.to_string()),
            blocked: check.blocked(),
            change,
        });
    }
    if let Some(base) = baseline {
        // What the baseline published and no longer does, where the card is still drawn.
        for s in &base.services {
            let Some(&i) = index.get(s.name.as_str()) else {
                continue;
            };
            if !s.ports.is_empty() && model.services.get(i).is_some_and(|n| n.ports.is_empty()) {
                arrows.push(Arrow {
                    from: None,
                    to: i,
                    label: Some(ports(s)),
                    blocked: false,
                    change: Change::Removed,
                });
            }
        }
        for flow in &base.flows {
            let (Some(&a), Some(&b)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str()))
            else {
                continue;
            };
            if a != b && !model.flows.iter().any(|f| same(f, flow)) {
                arrows.push(Arrow {
                    from: Some(a),
                    to: b,
                    label: flow.port.map(|p| p.to_string()),
                    blocked: false,
                    change: Change::Removed,
                });
            }
        }
    }
    let links: Vec<Link> = arrows
        .iter()
        .map(|a| Link {
            from: a.from,
            to: a.to,
        })
        .collect();
    let arrow_links = (0..arrows.len()).map(|a| vec![a]).collect();
    let mut graph = Graph {
        cards,
        group_of,
        groups,
        arrows,
        junctions: Vec::new(),
        links,
        arrow_links,
        density: Density::Normal,
    };
    bundles(&mut graph);
    // Links no arrow uses any more (bundled ones) are dropped, the others renumbered.
    let mut used = vec![false; graph.links.len()];
    for &l in graph.arrow_links.iter().flatten() {
        if let Some(u) = used.get_mut(l) {
            *u = true;
        }
    }
    let mut renumber = vec![usize::MAX; graph.links.len()];
    let mut kept = Vec::with_capacity(graph.links.len());
    for (l, link) in graph.links.iter().enumerate() {
        if used.get(l) == Some(&true) {
            if let Some(r) = renumber.get_mut(l) {
                *r = kept.len();
            }
            kept.push(link.clone());
        }
    }
    graph.links = kept;
    for list in &mut graph.arrow_links {
        for l in list.iter_mut() {
            *l = renumber.get(*l).copied().unwrap_or(*l);
        }
    }
    graph
}
