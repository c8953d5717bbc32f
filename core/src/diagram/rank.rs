//! Which row each box sits in, and which rank (line of cards) each card sits in inside
//! its box, so that arrows point down: boxes below the boxes that call them, cards
//! below the cards of their box that call them, no line wider than the drawing may be.

use std::collections::HashMap;

use super::graph::{Graph, GroupKind};
use super::layout::{Key, Memory};
use super::title;

/// Padding inside a box, left and right.
pub(super) const PAD: f32 = 16.0;
/// Between two cards side by side.
pub(super) const CARD_GAP: f32 = 26.0;
/// Between two boxes side by side.
pub(super) const BOX_GAP: f32 = 40.0;
/// Rows of boxes and ranks of cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ranked {
    /// Groups by row, top to bottom, each row in a first order.
    pub rows: Vec<Vec<usize>>,
    /// Per group: its cards by rank, top to bottom.
    pub ranks: Vec<Vec<Vec<usize>>>,
}

/// The key a group is remembered by between two layouts.
pub(super) fn key(graph: &Graph, g: usize) -> Key {
    match graph.groups.get(g).map(|g| (g.kind, &g.title)) {
        Some((GroupKind::Edge, _)) => Key::Edge,
        Some((GroupKind::Tier(_), title)) => Key::Tier(title.clone()),
        _ => Key::Loose,
    }
}

/// The least width a box needs for its title line.
pub(super) fn title_width(graph: &Graph, g: usize) -> f32 {
    graph.groups.get(g).map_or(0.0, |g| {
        if g.kind == GroupKind::Loose {
            0.0
        } else {
            title::name_width(&g.title) + title::flags_width(&g.subtitle) + 3.0 * PAD
        }
    })
}

/// How a cycle of flows is broken: ties in [`greedy_order`] go to the later node, the
/// order is [`shorten`]ed, and in a box the cards the internet calls go first. None
/// draws fewer crossings in general, so a fresh layout tries each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Breaking {
    pub later_first: bool,
    pub shorten: bool,
    pub published_first: bool,
}

/// An order of `n` nodes that puts callers before what they call where it can (Eades,
/// Lin and Smyth's greedy heuristic: sources first, sinks last, otherwise the node
/// with the most flows out over in; `first` counts calls from above and breaks ties,
/// then the earlier node, or with `later_first` the later).
/// Returns each node's place in the order.
fn greedy_order(
    n: usize,
    flows: &[(usize, usize)],
    first: &[usize],
    later_first: bool,
) -> Vec<usize> {
    let mut out = vec![0i64; n];
    let mut inn = vec![0i64; n];
    for &(a, b) in flows.iter().filter(|(a, b)| a != b) {
        if let Some(k) = out.get_mut(a) {
            *k += 1;
        }
        if let Some(k) = inn.get_mut(b) {
            *k += 1;
        }
    }
    let mut done = vec![false; n];
    let mut head: Vec<usize> = Vec::with_capacity(n);
    let mut tail: Vec<usize> = Vec::new();
    let remove = |v: usize, done: &mut Vec<bool>, out: &mut Vec<i64>, inn: &mut Vec<i64>| {
        if let Some(d) = done.get_mut(v) {
            *d = true;
        }
        for &(a, b) in flows.iter().filter(|(a, b)| a != b) {
            if a == v {
                if let Some(k) = inn.get_mut(b) {
                    *k -= 1;
                }
            } else if b == v {
                if let Some(k) = out.get_mut(a) {
                    *k -= 1;
                }
            }
        }
    };
    let score = |i: usize, out: &[i64], inn: &[i64]| {
        first.get(i).copied().unwrap_or(0) as i64 * 1000 + out.get(i).copied().unwrap_or(0)
            - inn.get(i).copied().unwrap_or(0)
    };
    while head.len() + tail.len() < n {
        let open = |i: &usize| done.get(*i) == Some(&false);
        let pick = if let Some(s) = (0..n)
            .filter(open)
            .filter(|&i| inn.get(i) == Some(&0))
            .max_by_key(|&i| (first.get(i).copied().unwrap_or(0), std::cmp::Reverse(i)))
        {
            Some((s, true))
        } else if let Some(s) = (0..n).filter(open).find(|&i| out.get(i) == Some(&0)) {
            Some((s, false))
        } else {
            let tie = |i: usize| if later_first { i } else { n - i };
            (0..n)
                .filter(open)
                .max_by_key(|&i| (score(i, &out, &inn), tie(i)))
                .map(|s| (s, true))
        };
        let Some((v, to_head)) = pick else { break };
        remove(v, &mut done, &mut out, &mut inn);
        if to_head {
            head.push(v);
        } else {
            tail.push(v);
        }
    }
    head.extend(tail.into_iter().rev());
    let mut place = vec![usize::MAX; n];
    for (k, v) in head.into_iter().enumerate() {
        if let Some(p) = place.get_mut(v) {
            *p = k;
        }
    }
    place
}

/// What a flow against the order costs in [`shorten`] beyond its length, in places.
/// Over the templates and 91 real files, 1 draws 2% fewer crossings but shows 16
/// designs smaller (greenbone's names 21 -> 14 px); 6 shows sourcegraph's at 13 px, not 16.
const AGAINST: usize = 3;

/// The most nodes [`shorten`] moves: it weighs each node at every place over every flow.
const SHORTEN_MOST: usize = 40;

/// `place` (each node's place in an order) with its flows shorter: each node in turn
/// moves to where the flows it is in span least along the order (one against the order
/// costs [`AGAINST`] more, a call from above its distance from the top), until none
/// moves. The greedy order counts only the flows it turns round, which leaves long
/// arrows crossing (openreplay: 31 crossings, 1 so; nitro-testnode: 21, 13 so).
/// A flow outside any cycle may be turned round too: a service many call then sits
/// among its callers, some calling up into it (appwrite's redis: 21 crossings, 7 so).
fn shorten(place: Vec<usize>, flows: &[(usize, usize)], first: &[usize]) -> Vec<usize> {
    let n = place.len();
    if n > SHORTEN_MOST {
        return place;
    }
    // Each node's place from the order (nodes by place), and the order from it.
    let places = |order: &[usize]| {
        let mut at = vec![0; n];
        for (k, &v) in order.iter().enumerate() {
            if let Some(a) = at.get_mut(v) {
                *a = k;
            }
        }
        at
    };
    let mut order = places(&place);
    let cost = |order: &[usize]| -> usize {
        let at = places(order);
        let at = |v: usize| at.get(v).copied().unwrap_or(0);
        let spans: usize = flows
            .iter()
            .filter(|(a, b)| a != b)
            .map(|&(a, b)| at(a).abs_diff(at(b)) + if at(b) < at(a) { AGAINST } else { 0 })
            .sum();
        let above: usize = first.iter().enumerate().map(|(v, f)| f * (at(v) + 1)).sum();
        spans + above
    };
    let mut least = cost(&order);
    // A few rounds: each settles most of what the one before left.
    for _ in 0..4 {
        let before = least;
        for v in 0..n {
            let Some(from) = order.iter().position(|&x| x == v) else {
                continue;
            };
            order.remove(from);
            let mut best = (least, from);
            for to in (0..n).filter(|&to| to != from) {
                order.insert(to, v);
                let c = cost(&order);
                order.remove(to);
                if c < best.0 {
                    best = (c, to);
                }
            }
            order.insert(best.1, v);
            least = best.0;
        }
        if least == before {
            break;
        }
    }
    places(&order)
}

/// The flows as edges of an acyclic graph: each points from earlier to later in the
/// greedy order (a flow against it is turned round), without loops or repeats.
fn acyclic(
    n: usize,
    flows: &[(usize, usize)],
    first: &[usize],
    breaking: Breaking,
) -> Vec<(usize, usize)> {
    let mut place = greedy_order(n, flows, first, breaking.later_first);
    if breaking.shorten {
        place = shorten(place, flows, first);
    }
    let mut edges: Vec<(usize, usize)> = flows
        .iter()
        .filter(|(a, b)| a != b)
        .map(|&(a, b)| {
            if place.get(a) < place.get(b) {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect();
    crate::sort::sort(&mut edges);
    edges.dedup();
    edges
}

/// Each node of an acyclic graph one layer below the lowest of its predecessors
/// (longest path, in topological order).
fn longest_path(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut inn = vec![0usize; n];
    for &(_, b) in edges {
        if let Some(k) = inn.get_mut(b) {
            *k += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| inn.get(i) == Some(&0)).collect();
    ready.reverse();
    let mut layer = vec![0usize; n];
    while let Some(v) = ready.pop() {
        let here = layer.get(v).copied().unwrap_or(0);
        for &(_, b) in edges.iter().filter(|(a, _)| *a == v) {
            if let Some(l) = layer.get_mut(b) {
                *l = (*l).max(here + 1);
            }
            if let Some(k) = inn.get_mut(b) {
                *k -= 1;
                if *k == 0 {
                    ready.push(b);
                }
            }
        }
    }
    layer
}

/// Shortens arrows: moves single cards a rank up or down while that lowers the ranks
/// their arrows span (within the box, and to the box's top for arrows from above, to
/// its bottom for arrows below), keeping every arrow in the box pointing the way it
/// did, no two partners in one rank and every rank within its room. A local take on
/// the network simplex layering.
fn relax(
    ranks: Vec<Vec<usize>>,
    n: usize,
    edges: &[(usize, usize)],
    ties: &[(u32, u32)],
    room: &Room,
) -> Vec<Vec<usize>> {
    let depth = ranks.len();
    if depth < 2 {
        return ranks;
    }
    let mut at = vec![0usize; n];
    let mut used = vec![0.0f32; depth];
    for (r, list) in ranks.iter().enumerate() {
        for &i in list {
            if let Some(a) = at.get_mut(i) {
                *a = r;
            }
            if let Some(u) = used.get_mut(r) {
                *u += room.size(i);
            }
        }
    }
    let cost = |i: usize, r: usize, at: &[usize]| -> usize {
        let (up, down) = ties.get(i).copied().unwrap_or((0, 0));
        let mut c = up as usize * r + down as usize * (depth - 1 - r);
        for &(a, b) in edges {
            if a == i {
                c += at.get(b).copied().unwrap_or(0).abs_diff(r);
            } else if b == i {
                c += at.get(a).copied().unwrap_or(0).abs_diff(r);
            }
        }
        c
    };
    for _ in 0..4 * n + 4 {
        let mut improved = false;
        for i in 0..n {
            let here = at.get(i).copied().unwrap_or(0);
            for to in [here.wrapping_sub(1), here + 1] {
                if to >= depth || room.alone(i) {
                    continue;
                }
                // Arrows keep their direction: callers above, callees below.
                let keeps = edges.iter().all(|&(a, b)| {
                    let ra = if a == i {
                        to
                    } else {
                        at.get(a).copied().unwrap_or(0)
                    };
                    let rb = if b == i {
                        to
                    } else {
                        at.get(b).copied().unwrap_or(0)
                    };
                    ra < rb
                });
                let fits = used
                    .get(to)
                    .is_some_and(|&u| u <= 0.0 || u + room.size(i) <= room.room);
                if keeps && fits && cost(i, to, &at) < cost(i, here, &at) {
                    if let Some(u) = used.get_mut(here) {
                        *u -= room.size(i);
                    }
                    if let Some(u) = used.get_mut(to) {
                        *u += room.size(i);
                    }
                    if let Some(a) = at.get_mut(i) {
                        *a = to;
                    }
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, &r) in at.iter().enumerate() {
        if let Some(list) = out.get_mut(r) {
            list.push(i);
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// How wide a rank of a box may be: each member's width with the gap after it, and
/// the room for them.
struct Room {
    sizes: Vec<f32>,
    room: f32,
    /// Members no arrow touches.
    alone: Vec<bool>,
}

impl Room {
    fn alone(&self, i: usize) -> bool {
        self.alone.get(i).copied().unwrap_or(false)
    }

    fn size(&self, i: usize) -> f32 {
        self.sizes.get(i).copied().unwrap_or(0.0)
    }

    /// Whether member `i` fits a rank that already holds `used` (an empty one holds any).
    fn fits(&self, used: f32, i: usize) -> bool {
        used <= 0.0 || used + self.size(i) <= self.room
    }
}

/// Ranks for a box's cards: each card below the cards of the box that call it, no rank
/// wider than `room` allows, the earliest rank with room (a list schedule, like
/// Coffman–Graham's). `wish` is a rank a card keeps if it still may (from the layout
/// before an edit).
fn schedule(
    n: usize,
    edges: &[(usize, usize)],
    room: &Room,
    wish: &[Option<usize>],
) -> Vec<Vec<usize>> {
    let mut rank: Vec<Option<usize>> = vec![None; n];
    let mut count: Vec<f32> = Vec::new();
    for _ in 0..n {
        // The unplaced card whose callers are placed, lowest least rank first.
        let least = |i: usize, rank: &[Option<usize>]| -> Option<usize> {
            let mut at = wish.get(i).copied().flatten().unwrap_or(0);
            for &(a, b) in edges {
                if b == i {
                    at = at.max(rank.get(a).copied().flatten()? + 1);
                }
            }
            Some(at)
        };
        let mut pick: Option<(usize, usize)> = None;
        for i in (0..n).filter(|&i| rank.get(i) == Some(&None) && !room.alone(i)) {
            if let Some(at) = least(i, &rank) {
                if pick.is_none_or(|(_, best)| at < best) {
                    pick = Some((i, at));
                }
            }
        }
        let Some((i, mut at)) = pick else { break };
        while count.get(at).is_some_and(|&used| !room.fits(used, i)) {
            at += 1;
        }
        while count.len() <= at {
            count.push(0.0);
        }
        if let Some(c) = count.get_mut(at) {
            *c += room.size(i);
        }
        if let Some(r) = rank.get_mut(i) {
            *r = Some(at);
        }
    }
    // Cards without any arrow take the room left, from the lowest rank up: they would
    // only push the others aside.
    for i in (0..n).filter(|&i| room.alone(i)) {
        let at = (0..count.len())
            .rev()
            .find(|&r| count.get(r).is_some_and(|&used| room.fits(used, i)))
            .unwrap_or(count.len());
        while count.len() <= at {
            count.push(0.0);
        }
        if let Some(c) = count.get_mut(at) {
            *c += room.size(i);
        }
        if let Some(r) = rank.get_mut(i) {
            *r = Some(at);
        }
    }
    let mut ranks: Vec<Vec<usize>> = vec![Vec::new(); count.len()];
    for (i, r) in rank.iter().enumerate() {
        if let Some(list) = r.and_then(|r| ranks.get_mut(r)) {
            list.push(i);
        }
    }
    ranks.retain(|r| !r.is_empty());
    ranks
}

/// Each box's layer as its distance from the top (the edge proxies, then what the
/// internet calls) along flows, so a box is as near the entry as its traffic is; a box
/// called from a box of its own layer moves a layer down. `None` when nothing is on
/// top. Boxes not reached keep layer 0 (placed later).
fn distance_from_top(
    n: usize,
    flows: &[(usize, usize)],
    first: &[usize],
    edge: Option<usize>,
) -> Option<Vec<usize>> {
    let mut layer: Vec<Option<usize>> = (0..n)
        .map(|g| {
            if Some(g) == edge {
                Some(0)
            } else if first.get(g).copied().unwrap_or(0) > 0 {
                Some(usize::from(edge.is_some()))
            } else {
                None
            }
        })
        .collect();
    if layer.iter().all(Option::is_none) {
        return None;
    }
    // Breadth first.
    let mut grew = true;
    while grew {
        grew = false;
        for &(a, b) in flows {
            if let (Some(la), true) = (layer.get(a).copied().flatten(), a != b) {
                let better = layer.get(b).copied().flatten().is_none_or(|lb| la + 1 < lb);
                if better {
                    if let Some(l) = layer.get_mut(b) {
                        *l = Some(la + 1);
                    }
                    grew = true;
                }
            }
        }
    }
    // No flow within a layer: the called box moves down (a bounded number of times).
    for _ in 0..n * n + 1 {
        let flat = flows.iter().find(|&&(a, b)| {
            a != b && layer.get(a).copied().flatten().is_some() && layer.get(a) == layer.get(b)
        });
        let Some(&(_, b)) = flat else { break };
        if let Some(Some(l)) = layer.get_mut(b) {
            *l += 1;
        }
    }
    let edge_shift = usize::from(edge.is_some());
    // The caller adds one for boxes below the edge proxies: take it back here.
    Some(
        layer
            .into_iter()
            .enumerate()
            .map(|(g, l)| match l {
                Some(l) if Some(g) != edge => l.saturating_sub(edge_shift),
                Some(l) => l,
                None => 0,
            })
            .collect(),
    )
}

/// Boxes that nothing from the top reaches (the internet or the edge proxies, through
/// any flows), such as a tier of background jobs, go just below the boxes they call,
/// their arrows pointing up: so they stay clear of the arrows coming down from the
/// edge. Each goes to the layer nearest its partners (fewest layers spanned) that holds
/// none of them, the lower one when two are as near.
fn below_what_they_call(
    layer: &mut [usize],
    flows: &[(usize, usize)],
    first: &[usize],
    edge: Option<usize>,
) {
    let n = layer.len();
    let mut reached: Vec<bool> = (0..n)
        .map(|g| Some(g) == edge || first.get(g).copied().unwrap_or(0) > 0)
        .collect();
    if !reached.iter().any(|&r| r) {
        return;
    }
    let mut grew = true;
    while grew {
        grew = false;
        for &(a, b) in flows {
            if reached.get(a) == Some(&true) && reached.get(b) == Some(&false) {
                if let Some(r) = reached.get_mut(b) {
                    *r = true;
                }
                grew = true;
            }
        }
    }
    let mut placed = reached.clone();
    for _ in 0..n {
        let mut any = false;
        for g in 0..n {
            if placed.get(g) != Some(&false) {
                continue;
            }
            let partners: Vec<usize> = flows
                .iter()
                .filter_map(|&(a, b)| match (a == g, b == g) {
                    (true, false) => Some(b),
                    (false, true) => Some(a),
                    _ => None,
                })
                .filter(|&p| placed.get(p) == Some(&true))
                .filter_map(|p| layer.get(p).copied())
                .collect();
            let Some(&deepest) = partners.iter().max() else {
                continue;
            };
            let cost = |l: usize| partners.iter().map(|&p| p.abs_diff(l)).sum::<usize>();
            let best = (0..=deepest + 1)
                .filter(|l| !partners.contains(l))
                .min_by_key(|&l| (cost(l), std::cmp::Reverse(l)));
            if let (Some(best), Some(l)) = (best, layer.get_mut(g)) {
                *l = best;
            }
            if let Some(p) = placed.get_mut(g) {
                *p = true;
            }
            any = true;
        }
        if !any {
            break;
        }
    }
}

/// Ranks for a box after an edit: the cards it had keep their ranks, unless a flow now
/// joins two cards of one rank (the called one moves down); a card new to the box goes
/// below its callers in the box where that rank has room and none of its partners,
/// else to the first rank that has, so the others stay. Arrows between ranks may then
/// point up.
fn keep_ranks(
    n: usize,
    flows: &[(usize, usize)],
    room: &Room,
    wish: &[Option<usize>],
) -> Vec<Vec<usize>> {
    let mut rank: Vec<Option<usize>> = wish.to_vec();
    rank.resize(n, None);
    // Flows within one rank: the called card gives up its place.
    for &(a, b) in flows {
        if a != b && rank.get(a).copied().flatten().is_some() && rank.get(a) == rank.get(b) {
            if let Some(r) = rank.get_mut(b) {
                *r = None;
            }
        }
    }
    let mut count: Vec<f32> = Vec::new();
    for (i, r) in rank.iter().enumerate() {
        let Some(r) = *r else { continue };
        while count.len() <= r {
            count.push(0.0);
        }
        if let Some(c) = count.get_mut(r) {
            *c += room.size(i);
        }
    }
    for i in 0..n {
        if rank.get(i).copied().flatten().is_some() {
            continue;
        }
        let partners: Vec<usize> = flows
            .iter()
            .filter_map(|&(a, b)| {
                if a == i {
                    rank.get(b).copied().flatten()
                } else if b == i {
                    rank.get(a).copied().flatten()
                } else {
                    None
                }
            })
            .collect();
        let callers = flows
            .iter()
            .filter(|&&(_, b)| b == i)
            .filter_map(|&(a, _)| rank.get(a).copied().flatten())
            .max();
        let fits = |r: usize| {
            count.get(r).is_none_or(|&used| room.fits(used, i)) && !partners.contains(&r)
        };
        let first = callers.map_or(0, |c| c + 1);
        let at = (first..count.len() + 1)
            .find(|&r| fits(r))
            .or_else(|| (0..first).find(|&r| fits(r)))
            .unwrap_or(count.len());
        while count.len() <= at {
            count.push(0.0);
        }
        if let Some(c) = count.get_mut(at) {
            *c += room.size(i);
        }
        if let Some(r) = rank.get_mut(i) {
            *r = Some(at);
        }
    }
    let mut ranks: Vec<Vec<usize>> = vec![Vec::new(); count.len()];
    for (i, r) in rank.iter().enumerate() {
        if let Some(list) = r.and_then(|r| ranks.get_mut(r)) {
            list.push(i);
        }
    }
    ranks.retain(|r| !r.is_empty());
    ranks
}

/// The widest rank of a box, with its padding, or its title if wider.
pub(super) fn box_width(graph: &Graph, g: usize, ranks: &[Vec<usize>]) -> f32 {
    let widest = ranks
        .iter()
        .map(|r| {
            r.iter()
                .filter_map(|&c| graph.cards.get(c).map(|c| c.rect.w + CARD_GAP))
                .sum::<f32>()
                - CARD_GAP
        })
        .fold(0.0, f32::max);
    (widest + 2.0 * PAD).max(title_width(graph, g))
}

/// Places the groups in rows and their cards in ranks, no row wider than `width` where
/// a box allows it: each card as early as it may (just below its callers in the box),
/// or with `late` as late (just above what it calls). A cycle of flows is broken as
/// `breaking` says. With `memory` (the layout before an edit), groups keep their row
/// and order and cards their rank, unless an arrow would then run within a row.
pub(super) fn rank(
    graph: &Graph,
    width: f32,
    memory: Option<&Memory>,
    late: bool,
    breaking: Breaking,
) -> Ranked {
    let n = graph.groups.len();
    let keys: Vec<Key> = (0..n).map(|g| key(graph, g)).collect();
    let edge = graph.groups.iter().position(|g| g.kind == GroupKind::Edge);

    // Flows between groups; calls from the internet or the edge proxies count as calls
    // from above.
    let mut group_flows = Vec::new();
    let mut first = vec![0usize; n];
    let mut inner: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    // Per group: how many arrows from the internet each of its cards takes.
    let mut published: Vec<Vec<usize>> = graph
        .groups
        .iter()
        .map(|g| vec![0; g.members.len()])
        .collect();
    let mut touched = vec![false; n];
    let group_of = |c: usize| graph.group_of.get(c).copied();
    // Each node's place in its group's list of members.
    let mut slot = vec![0usize; graph.group_of.len()];
    for group in &graph.groups {
        for (k, &c) in group.members.iter().enumerate() {
            if let Some(s) = slot.get_mut(c) {
                *s = k;
            }
        }
    }
    for arrow in &graph.links {
        let Some(gb) = group_of(arrow.to) else {
            continue;
        };
        if let Some(t) = touched.get_mut(gb) {
            *t = true;
        }
        match arrow.from.and_then(|a| Some((a, group_of(a)?))) {
            None => {
                if let Some(f) = first.get_mut(gb) {
                    *f += 1;
                }
                let slot = slot.get(arrow.to).copied().unwrap_or(usize::MAX);
                if let Some(p) = published.get_mut(gb).and_then(|p| p.get_mut(slot)) {
                    *p += 1;
                }
            }
            Some((a, ga)) if ga == gb => {
                if let (Some(list), Some(&sa), Some(&sb)) =
                    (inner.get_mut(ga), slot.get(a), slot.get(arrow.to))
                {
                    list.push((sa, sb));
                }
            }
            Some((_, ga)) => {
                if let Some(t) = touched.get_mut(ga) {
                    *t = true;
                }
                if Some(ga) == edge {
                    if let Some(f) = first.get_mut(gb) {
                        *f += 1;
                    }
                }
                group_flows.push((ga, gb));
            }
        }
    }
    if let Some(f) = edge.and_then(|e| first.get_mut(e)) {
        *f += 1000;
    }
    let dag = acyclic(n, &group_flows, &first, breaking);
    // Boxes by their distance from the top; without a top (nothing published, no edge
    // proxy), callers above what they call.
    let mut layer =
        distance_from_top(n, &group_flows, &first, edge).unwrap_or_else(|| longest_path(n, &dag));
    below_what_they_call(&mut layer, &group_flows, &first, edge);
    // Services on no tier that only call (sidecars sharing another's network, which a
    // swarm does not): above everything, as sources, their blocked arrows pointing down.
    let loose = graph.groups.iter().position(|g| g.kind == GroupKind::Loose);
    if let Some(lg) = loose {
        let calls = group_flows.iter().any(|&(a, b)| a == lg && b != lg);
        let called = group_flows.iter().any(|&(a, b)| b == lg && a != lg)
            || first.get(lg).copied().unwrap_or(0) > 0;
        if calls && !called {
            for (g, l) in layer.iter_mut().enumerate() {
                *l = if g == lg { 0 } else { *l + 1 };
            }
        }
    }
    // The edge proxies alone on top; boxes nothing points to or from at the bottom.
    let lowest = layer.iter().copied().max().unwrap_or(0);
    let any_touched = touched.iter().any(|&t| t);
    for (g, l) in layer.iter_mut().enumerate() {
        if Some(g) == edge {
            *l = 0;
        } else {
            if edge.is_some() {
                *l += 1;
            }
            if any_touched && !touched.get(g).copied().unwrap_or(false) {
                *l = lowest + usize::from(edge.is_some());
            }
        }
    }

    // Each node's arrows to boxes above (and the internet) and to boxes below.
    let mut ties = vec![(0u32, 0u32); graph.group_of.len()];
    for link in &graph.links {
        let gb = group_of(link.to);
        let ga = link.from.and_then(group_of);
        let up = |g: Option<usize>, other: Option<usize>| match (g, other) {
            (Some(g), Some(o)) => layer.get(o) < layer.get(g),
            (Some(_), None) => true,
            _ => false,
        };
        if ga != gb {
            if let Some(t) = ties.get_mut(link.to) {
                if up(gb, ga) {
                    t.0 += 1;
                } else {
                    t.1 += 1;
                }
            }
            if let Some(t) = link.from.and_then(|f| ties.get_mut(f)) {
                if up(ga, gb) {
                    t.0 += 1;
                } else {
                    t.1 += 1;
                }
            }
        }
    }
    // Which nodes any arrow touches.
    let mut linked = vec![false; graph.group_of.len()];
    for link in &graph.links {
        for n in link.from.into_iter().chain([link.to]) {
            if let Some(l) = linked.get_mut(n) {
                *l = true;
            }
        }
    }
    // Cards in ranks, no rank wider than a row of the drawing's width may be.
    let room = width - 2.0 * PAD + CARD_GAP;
    let remembered = |c: usize, g: usize| -> Option<usize> {
        let name = &graph.cards.get(c)?.service;
        let (k, r) = memory?.ranks.get(name)?;
        (Some(k) == keys.get(g)).then_some(*r)
    };
    let ranks: Vec<Vec<Vec<usize>>> = graph
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let m = group.members.len();
            let flows = inner.get(g).map_or(&[][..], Vec::as_slice);
            // Calls from the internet count as calls from above, where asked: published
            // cards deep in a box draw the internet's arrows across the box's own
            // (quorum's orchestrate: 37 crossings, 19 so, Mermaid 20).
            let above = match published.get(g) {
                Some(p) if breaking.published_first => p.as_slice(),
                _ => &[],
            };
            let edges = acyclic(m, flows, above, breaking);
            let wish: Vec<Option<usize>> =
                group.members.iter().map(|&c| remembered(c, g)).collect();
            let kept = wish.iter().flatten().count();
            let sizes: Vec<f32> = group
                .members
                .iter()
                .map(|&c| graph.cards.get(c).map_or(0.0, |c| c.rect.w + CARD_GAP))
                .collect();
            let mut fits = room;
            if edges.is_empty() {
                // Even lines: 7 cards in lines of 4 and 3, not 6 and 1.
                let total: f32 = sizes.iter().sum();
                let widest = sizes.iter().copied().fold(0.0, f32::max);
                let lines = (total / room.max(1.0)).ceil().max(1.0);
                fits = fits.min(total / lines + widest * 0.6);
            }
            if kept > 0 {
                // The widest rank the layout before had still fits.
                let mut before: HashMap<usize, f32> = HashMap::new();
                for (k, r) in wish.iter().enumerate() {
                    if let Some(r) = r {
                        *before.entry(*r).or_default() += sizes.get(k).copied().unwrap_or(0.0);
                    }
                }
                fits = fits.max(before.values().copied().fold(0.0, f32::max));
            }
            let alone = group
                .members
                .iter()
                .map(|c| !linked.get(*c).copied().unwrap_or(false))
                .collect();
            let room = Room {
                sizes,
                room: fits,
                alone,
            };
            let ranks = if kept > 0 {
                keep_ranks(m, inner.get(g).map_or(&[][..], Vec::as_slice), &room, &wish)
            } else {
                let scheduled = if late {
                    // As late as possible: schedule from the bottom, callees first.
                    let reversed: Vec<(usize, usize)> =
                        edges.iter().map(|&(a, b)| (b, a)).collect();
                    let mut ranks = schedule(m, &reversed, &room, &wish);
                    ranks.reverse();
                    ranks
                } else {
                    schedule(m, &edges, &room, &wish)
                };
                let member_ties: Vec<(u32, u32)> = group
                    .members
                    .iter()
                    .map(|&c| ties.get(c).copied().unwrap_or((0, 0)))
                    .collect();
                relax(scheduled, m, &edges, &member_ties, &room)
            };
            ranks
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .filter_map(|k| group.members.get(k).copied())
                        .collect()
                })
                .collect()
        })
        .collect();
    let widths: Vec<f32> = (0..n)
        .map(|g| box_width(graph, g, ranks.get(g).map_or(&[][..], Vec::as_slice)))
        .collect();

    let rows = match memory {
        Some(m) if !m.rows.is_empty() => {
            kept_rows(m, &keys, &layer, &widths, width, &group_flows, edge)
        }
        _ => fresh_rows(&layer, &widths, width, &dag),
    };
    Ranked { rows, ranks }
}

/// The ranking with each box's last rank split: the cards there that arrows reach from
/// two ranks up or more (or from outside the box) go to a rank of their own below, when
/// the last rank also holds cards called only from just above. The long arrows then
/// pass those cards instead of crossing their short arrows: a message bus every service
/// calls, beside a config store only its neighbour calls. Where the last rank holds
/// only such cards, all but the least called go below it: a database and a cache that
/// every service calls, whose arrows side by side would cross each caller's. `None`
/// where no box's last rank splits.
pub(super) fn split_last(graph: &Graph, ranked: &Ranked) -> Option<Ranked> {
    let mut split = ranked.clone();
    let mut any = false;
    for ranks in &mut split.ranks {
        let Some((last, above)) = ranks.split_last() else {
            continue;
        };
        // Ranks of the box's nodes, for the callers' distance.
        let rank_of = |n: usize| above.iter().position(|r| r.contains(&n));
        let depth = above.len();
        let called_from_far = |c: usize| {
            graph
                .links
                .iter()
                .any(|l| l.to == c && l.from.and_then(rank_of).is_none_or(|r| r + 2 <= depth))
        };
        let callers = |c: usize| graph.links.iter().filter(|l| l.to == c).count();
        let far: Vec<usize> = last
            .iter()
            .copied()
            .filter(|&c| called_from_far(c))
            .collect();
        let near = last.iter().any(|&c| callers(c) > 0 && !far.contains(&c));
        let mut below = far;
        if !near {
            // Only sinks called from far: all but the one with the fewest callers go
            // below it, so the arrows to them pass it on either side.
            let stays = below.iter().copied().min_by_key(|&c| callers(c));
            below.retain(|&c| Some(c) != stays);
        }
        if below.is_empty() {
            continue;
        }
        if let Some(last) = ranks.last_mut() {
            last.retain(|c| !below.contains(c));
        }
        ranks.push(below);
        any = true;
    }
    any.then_some(split)
}

/// Every ranking one card away from `ranked`: a card moved to another rank of its box,
/// or below the box's last, where no arrow then joins two cards of one rank. The ranks
/// come from longest paths, which know nothing of crossings, and ordering keeps each
/// card in its rank: mailcow's database, called from three ranks, crosses their arrows
/// less from a rank of its own below the resolver it calls (12 crossings -> 10).
pub(super) fn moves(graph: &Graph, ranked: &Ranked) -> Vec<Ranked> {
    let mut out = Vec::new();
    for (g, ranks) in ranked.ranks.iter().enumerate() {
        let rank_of = |n: usize| ranks.iter().position(|r| r.contains(&n));
        for (r, rank) in ranks.iter().enumerate() {
            for &c in rank {
                // Ranks holding none of its neighbours in the box.
                let neighbours: Vec<usize> = graph
                    .links
                    .iter()
                    .filter_map(|link| match link.from {
                        Some(f) if link.to == c && f != c => rank_of(f),
                        Some(f) if f == c && link.to != c => rank_of(link.to),
                        _ => None,
                    })
                    .collect();
                // The last rank's only card moved below it stays where it was.
                let last_alone = rank.len() == 1 && r + 1 == ranks.len();
                let free = |to: &usize| {
                    *to != r && !neighbours.contains(to) && !(last_alone && *to == ranks.len())
                };
                for to in (0..=ranks.len()).filter(free) {
                    let mut moved = ranked.clone();
                    let Some(box_ranks) = moved.ranks.get_mut(g) else {
                        continue;
                    };
                    for list in box_ranks.iter_mut() {
                        list.retain(|&n| n != c);
                    }
                    match box_ranks.get_mut(to) {
                        Some(list) => list.push(c),
                        None => box_ranks.push(vec![c]),
                    }
                    box_ranks.retain(|list| !list.is_empty());
                    out.push(moved);
                }
            }
        }
    }
    out
}

/// Rows a layer at a time, each filled up to `width`, the boxes of a layer ordered by
/// where their callers are (the barycenter heuristic on boxes).
fn fresh_rows(
    layer: &[usize],
    widths: &[f32],
    width: f32,
    dag: &[(usize, usize)],
) -> Vec<Vec<usize>> {
    let layers = layer.iter().copied().max().map_or(0, |l| l + 1);
    let mut rows: Vec<Vec<usize>> = Vec::new();
    // Each placed group's place along the drawing, 0 to 1.
    let mut along: Vec<Option<f32>> = vec![None; layer.len()];
    for l in 0..layers {
        let mut members: Vec<(usize, f32)> = layer
            .iter()
            .enumerate()
            .filter(|(_, &gl)| gl == l)
            .map(|(g, _)| {
                let callers: Vec<f32> = dag
                    .iter()
                    .filter(|&&(_, b)| b == g)
                    .filter_map(|&(a, _)| along.get(a).copied().flatten())
                    .collect();
                let key = if callers.is_empty() {
                    f32::MAX
                } else {
                    callers.iter().sum::<f32>() / callers.len() as f32
                };
                (g, key)
            })
            .collect();
        crate::sort::sort_by(&mut members, |a, b| a.1.total_cmp(&b.1));
        let total: f32 = members
            .iter()
            .map(|(g, _)| widths.get(*g).copied().unwrap_or(0.0) + BOX_GAP)
            .sum::<f32>()
            .max(1.0);
        let mut row: Vec<usize> = Vec::new();
        let mut used = 0.0;
        let mut before = 0.0;
        for (g, _) in members {
            let w = widths.get(g).copied().unwrap_or(0.0);
            if !row.is_empty() && used + BOX_GAP + w > width {
                rows.push(std::mem::take(&mut row));
                used = 0.0;
            }
            used += if row.is_empty() { w } else { BOX_GAP + w };
            if let Some(a) = along.get_mut(g) {
                *a = Some((before + w / 2.0) / total);
            }
            before += w + BOX_GAP;
            row.push(g);
        }
        if !row.is_empty() {
            rows.push(row);
        }
    }
    rows
}

/// The rows of the layout before an edit, with the groups gone left out and new ones
/// put in their layer's row; then no arrow may run between two boxes of one row (the
/// called box moves a row down) and no row may outgrow the drawing.
fn kept_rows(
    memory: &Memory,
    keys: &[Key],
    layer: &[usize],
    widths: &[f32],
    width: f32,
    flows: &[(usize, usize)],
    edge: Option<usize>,
) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = memory
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|k| keys.iter().position(|key| key == k))
                .collect::<Vec<usize>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    // New groups: into the row of another group of their layer, or a row of their own
    // below the rows of the layers above.
    for g in 0..keys.len() {
        if rows.iter().any(|r| r.contains(&g)) {
            continue;
        }
        let l = layer.get(g).copied().unwrap_or(0);
        if Some(g) == edge {
            rows.insert(0, vec![g]);
            continue;
        }
        let same = rows.iter().position(|r| {
            r.iter()
                .any(|&o| layer.get(o) == Some(&l) && Some(o) != edge)
        });
        match same {
            Some(r) => {
                if let Some(row) = rows.get_mut(r) {
                    row.push(g);
                }
            }
            None => {
                let after = rows
                    .iter()
                    .rposition(|r| r.iter().any(|&o| layer.get(o).is_some_and(|&ol| ol < l)))
                    .map_or(0, |r| r + 1);
                rows.insert(after.min(rows.len()), vec![g]);
            }
        }
    }
    // The edge proxies keep a row of their own on top.
    if let Some(e) = edge {
        for row in rows.iter_mut() {
            row.retain(|&g| g != e);
        }
        rows.retain(|r| !r.is_empty());
        rows.insert(0, vec![e]);
    }
    // An arrow within a row moves the box it points to a row down.
    let mut r = 0;
    let mut steps = 0;
    while r < rows.len() && steps < 4 * keys.len() * keys.len() + 8 {
        steps += 1;
        let Some(row) = rows.get(r) else { break };
        let clash = flows
            .iter()
            .find(|&&(a, b)| a != b && row.contains(&a) && row.contains(&b))
            .map(|&(_, b)| b);
        let too_wide = row.len() > 1
            && row
                .iter()
                .map(|g| widths.get(*g).copied().unwrap_or(0.0) + BOX_GAP)
                .sum::<f32>()
                - BOX_GAP
                > width;
        let moved = clash.or_else(|| too_wide.then(|| row.last().copied()).flatten());
        let Some(g) = moved else {
            r += 1;
            continue;
        };
        if let Some(row) = rows.get_mut(r) {
            row.retain(|&o| o != g);
        }
        if rows.get(r + 1).is_none() {
            rows.push(Vec::new());
        }
        if let Some(next) = rows.get_mut(r + 1) {
            next.push(g);
        }
    }
    rows.retain(|r| !r.is_empty());
    rows
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::diagram::graph::graph;
    use crate::{Design, ImportOptions};

    #[test]
    fn a_card_moves_to_every_rank_of_its_box_but_those_of_the_cards_it_shares_an_arrow_with() {
        // a calls b, b calls c: one box, a rank each.
        let yaml = "services:
  a: {image: a, environment: [B=http://b:80]}
  b: {image: b, environment: [C=http://c:80]}
  c: {image: c}
";
        let design = Design::import(yaml, ImportOptions::default()).unwrap();
        let g = graph(design.model(), &design.analyze(), None);
        let ranked = rank(&g, 2000.0, None, false, Breaking::default());
        let card = |name: &str| g.cards.iter().position(|c| c.service == name).unwrap();
        let (a, b, c) = (card("a"), card("b"), card("c"));
        let tier = ranked.ranks.iter().position(|r| !r.is_empty()).unwrap();
        assert_eq!(ranked.ranks[tier], vec![vec![a], vec![b], vec![c]]);
        let moved: Vec<Vec<Vec<usize>>> = moves(&g, &ranked)
            .into_iter()
            .map(|m| m.ranks[tier].clone())
            .collect();
        // a beside c or below it; b below c; c beside a. Never beside a card it calls or
        // is called by, and c not below itself.
        assert_eq!(
            moved,
            vec![
                vec![vec![b], vec![c, a]],
                vec![vec![b], vec![c], vec![a]],
                vec![vec![a], vec![c], vec![b]],
                vec![vec![a, c], vec![b]],
            ]
        );
    }
}
