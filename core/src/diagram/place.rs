//! Coordinates for the ordered layered graph. Across: each card, pass and box as near
//! the things it is linked to as its order allows (so arrows run straight), found by
//! weighted isotonic regression (pool adjacent violators) rank by rank and row by row,
//! a few sweeps down and up. Down: ranks stacked with room between them for the
//! arrows' horizontal runs and the port labels.

use super::graph::{Graph, GroupKind, CARD_H};
use super::label::HEAD_CLEAR as LABEL_CLEAR;
use super::layout::Tone;
use super::order::{ColumnKind, Hints, Layered, SlotKind};
use super::rank::{title_width, BOX_GAP, CARD_GAP, PAD};

/// Between a card and a pass beside it (so a pass fits between two cards as close as
/// they may be).
const PASS_GAP: f32 = CARD_GAP / 2.0;
/// Most room between two ports of one side of a card.
const PORT_GAP: f32 = 14.0;

/// Least room between two ports of one side of a card: their heads side by side.
const PORT_MIN: f32 = 10.0;
/// The most room arrows into a card are packed closer to make for their port label (a
/// port or two); a longer list is cut to that room.
const LABEL_ROOM: f32 = 48.0;

/// The widest a card that many arrows come into is drawn for them (wider than any
/// card's text makes it).
const HUB_MAX_W: f32 = 360.0;

/// The nearest an arrow moved aside for its label comes to the card's left edge.
const ARROW_INSET: f32 = 16.0;

/// How wide a card must be for `count` arrows into one side, heads side by side, and
/// their port label (`label` wide, counted up to [`LABEL_ROOM`]) beside them.
pub(super) fn side_width(count: usize, label: f32) -> f32 {
    count.saturating_sub(1) as f32 * PORT_MIN
        + label.min(LABEL_ROOM)
        + 2.0
        + LABEL_CLEAR
        + ARROW_INSET
        // A pixel to spare, so that rounding never leaves the label a hair short.
        + 1.0
}

/// How much a card wants to stay where it was, against one link: it stays unless its
/// order or its box's room forbid it.
const STAY: f32 = 1.0e6;

/// The drawing's top and bottom margin, and the internet's band.
pub(super) const MARGIN: f32 = 24.0;
pub(super) const INTERNET_H: f32 = 40.0;
const INTERNET_GAP: f32 = 30.0;
/// Room for a box's title above its first rank.
pub(super) const TITLE_H: f32 = 34.0;
/// Below a box's last rank.
const BOX_BOTTOM: f32 = 16.0;
/// Room for the port labels above or below a rank's cards.
pub(super) const LABEL_H: f32 = 17.0;
/// A rank that holds no card, and the least room next to it.
const THIN_H: f32 = 10.0;
const THIN_GAP: f32 = 14.0;
/// The least room between two ranks of a box, and between two rows of boxes.
const MIN_GAP: f32 = 26.0;
const MIN_CHANNEL: f32 = 40.0;

/// How closely arrows are packed: the usual room between parallel lines, or less for a
/// design whose drawing would otherwise not read on a projector (names under 12 px
/// when it fills 1920x1080).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Density {
    #[default]
    Normal,
    Dense,
}

impl Density {
    /// Between the horizontal runs of two arrows.
    pub(super) fn track(self) -> f32 {
        match self {
            Density::Normal => 8.0,
            Density::Dense => 4.0,
        }
    }

    /// Above the first horizontal run of a gap and below the last.
    fn track_pad(self) -> f32 {
        match self {
            Density::Normal => 12.0,
            Density::Dense => 8.0,
        }
    }

    /// Between two passes side by side.
    fn passes_gap(self) -> f32 {
        match self {
            Density::Normal => 10.0,
            Density::Dense => 5.0,
        }
    }

    /// Between a box and a lane.
    fn lane_gap(self) -> f32 {
        match self {
            Density::Normal => 18.0,
            Density::Dense => 12.0,
        }
    }

    /// Between two lanes.
    fn lanes_gap(self) -> f32 {
        match self {
            Density::Normal => 10.0,
            Density::Dense => 5.0,
        }
    }
}

/// Where everything is across.
#[derive(Debug, Clone, Default)]
pub(super) struct Across {
    /// Per slot: its centre.
    pub x: Vec<f32>,
    /// Per arrow: where it leaves the card at the top of its chain and enters the card
    /// at the bottom, from the card's centre.
    pub dx_first: Vec<f32>,
    pub dx_last: Vec<f32>,
    /// Per column: left edge and width.
    pub left: Vec<f32>,
    pub width: Vec<f32>,
}

impl Across {
    /// Where arrow `a` meets the slot at place `k` of its chain.
    pub(super) fn attach(&self, layered: &Layered, a: usize, k: usize) -> f32 {
        let Some(chain) = layered.chains.get(a) else {
            return 0.0;
        };
        let Some(&s) = chain.slots.get(k) else {
            return 0.0;
        };
        let x = self.x.get(s).copied().unwrap_or(0.0);
        let card = layered
            .slots
            .get(s)
            .is_some_and(|s| matches!(s.kind, SlotKind::Card(_)));
        if !card {
            x
        } else if k + 1 == chain.slots.len() {
            x + self.dx_last.get(a).copied().unwrap_or(0.0)
        } else {
            x + self.dx_first.get(a).copied().unwrap_or(0.0)
        }
    }
}

fn slot_width(graph: &Graph, layered: &Layered, s: usize) -> f32 {
    match layered.slots.get(s).map(|s| s.kind) {
        Some(SlotKind::Card(c)) => graph.cards.get(c).map_or(0.0, |c| c.rect.w),
        _ => 0.0,
    }
}

fn is_card(layered: &Layered, s: usize) -> bool {
    layered
        .slots
        .get(s)
        .is_some_and(|s| matches!(s.kind, SlotKind::Card(_)))
}

/// Least distance between the centres of two neighbours in a rank.
fn separation(graph: &Graph, layered: &Layered, a: usize, b: usize) -> f32 {
    let gap = match (is_card(layered, a), is_card(layered, b)) {
        (true, true) => CARD_GAP,
        (false, false) => graph.density.passes_gap(),
        _ => PASS_GAP,
    };
    slot_width(graph, layered, a) / 2.0 + gap + slot_width(graph, layered, b) / 2.0
}

fn column_gap(graph: &Graph, layered: &Layered, a: usize, b: usize) -> f32 {
    let lane = |c: usize| {
        layered
            .columns
            .get(c)
            .is_some_and(|c| c.kind == ColumnKind::Lane)
    };
    match (lane(a), lane(b)) {
        (false, false) => BOX_GAP,
        (true, true) => graph.density.lanes_gap(),
        _ => graph.density.lane_gap(),
    }
}

/// Weighted least-squares positions for items in a fixed order, each at least
/// `dist[i]` after the one before, the first at least `lo` and the last at most `hi`
/// (pool adjacent violators on the positions less their least offsets).
fn pava(wish: &[f32], weight: &[f32], dist: &[f32], lo: f32, hi: f32) -> Vec<f32> {
    let mut pooled = Pooled::default();
    pava_into(wish, weight, dist, lo, hi, &mut pooled);
    pooled.out
}

/// [`pava`]'s working lists and its result, kept from one call to the next by a caller
/// that makes many (packing a layout's columns rank by rank takes thousands).
#[derive(Debug, Default)]
struct Pooled {
    offset: Vec<f64>,
    /// Blocks of pooled items: (weighted sum, weight, count).
    blocks: Vec<(f64, f64, usize)>,
    out: Vec<f32>,
}

/// [`pava`], its result in `pooled.out`.
fn pava_into(wish: &[f32], weight: &[f32], dist: &[f32], lo: f32, hi: f32, pooled: &mut Pooled) {
    // In f64: a card that stays weighs a million links.
    let n = wish.len();
    let Pooled {
        offset,
        blocks,
        out,
    } = pooled;
    offset.clear();
    blocks.clear();
    out.clear();
    let mut o = 0.0f64;
    for i in 0..n {
        if i > 0 {
            o += f64::from(dist.get(i).copied().unwrap_or(0.0));
        }
        offset.push(o);
    }
    for i in 0..n {
        let w = f64::from(weight.get(i).copied().unwrap_or(1.0)).max(1e-3);
        let t =
            f64::from(wish.get(i).copied().unwrap_or(0.0)) - offset.get(i).copied().unwrap_or(0.0);
        blocks.push((t * w, w, 1));
        while blocks.len() > 1 {
            let (Some(&last), Some(&before)) = (blocks.last(), blocks.get(blocks.len() - 2)) else {
                break;
            };
            if before.0 / before.1 <= last.0 / last.1 {
                break;
            }
            blocks.pop();
            if let Some(b) = blocks.last_mut() {
                *b = (b.0 + last.0, b.1 + last.1, b.2 + last.2);
            }
        }
    }
    let (lo, hi) = (f64::from(lo), f64::from(hi));
    let top = hi - offset.last().copied().unwrap_or(0.0);
    for &(sum, w, count) in blocks.iter() {
        let y = if lo > top {
            (lo + top) / 2.0
        } else {
            (sum / w).max(lo).min(top)
        };
        for _ in 0..count {
            let i = out.len();
            out.push((y + offset.get(i).copied().unwrap_or(0.0)) as f32);
        }
    }
}

/// What the port label of each link arriving at a card's top says, by link.
fn said_at_top(graph: &Graph, layered: &Layered) -> Vec<Option<(String, Tone)>> {
    let mut said = vec![None; layered.chains.len()];
    for (arrow, links) in graph.arrows.iter().zip(&graph.arrow_links) {
        let head = links
            .last()
            .and_then(|&l| Some((l, layered.chains.get(l)?)));
        if let (Some(part), Some((l, chain))) = (super::label::part(arrow), head) {
            if let (false, Some(p)) = (chain.reversed, said.get_mut(l)) {
                *p = Some(part);
            }
        }
    }
    said
}

/// Widens each card that arrows meet at its top to room for them, heads side by side,
/// and their port label beside them ([`side_width`]), up to [`HUB_MAX_W`]: so the label
/// need not lie on the arrows (a bus or a vault that every service calls).
pub(super) fn widen(graph: &mut Graph, layered: &Layered) {
    // Per card slot: the links meeting its top, and what their labels say.
    let mut top: Vec<(usize, Vec<(String, Tone)>)> = vec![(0, Vec::new()); layered.slots.len()];
    for (chain, part) in layered.chains.iter().zip(said_at_top(graph, layered)) {
        let at = chain.slots.last().and_then(|&s| top.get_mut(s));
        if let (Some(at), true) = (at, chain.slots.len() >= 2) {
            at.0 += 1;
            at.1.extend(part);
        }
    }
    for (s, (count, parts)) in top.into_iter().enumerate() {
        let Some(SlotKind::Card(c)) = layered.slots.get(s).map(|s| s.kind) else {
            continue;
        };
        let label = super::label::width(&super::label::said(parts));
        if let Some(card) = graph.cards.get_mut(c) {
            card.rect.w = card.rect.w.max(side_width(count, label).min(HUB_MAX_W));
        }
    }
}

/// Ports: the arrows leaving a side of a card are spread along it in the order of
/// where they go next, so they do not cross at the card.
fn ports(graph: &Graph, layered: &Layered) -> (Vec<f32>, Vec<f32>) {
    let n = layered.chains.len();
    let (mut first, mut last) = (vec![0.0; n], vec![0.0; n]);
    // Each slot's index in its rank.
    let mut index = vec![0usize; layered.slots.len()];
    for rank in 0..layered.ranks {
        for (i, s) in layered.rank_order(rank).into_iter().enumerate() {
            if let Some(p) = index.get_mut(s) {
                *p = i;
            }
        }
    }
    // (card slot, bottom side?) -> [(key, arrow)]
    let mut sides: std::collections::BTreeMap<(usize, bool), Vec<(usize, usize)>> =
        std::collections::BTreeMap::new();
    for (a, chain) in layered.chains.iter().enumerate() {
        let len = chain.slots.len();
        if let (Some(&s), true) = (chain.slots.first(), len >= 2) {
            if is_card(layered, s) {
                let next = chain
                    .slots
                    .get(1)
                    .and_then(|&t| index.get(t))
                    .copied()
                    .unwrap_or(0);
                sides.entry((s, true)).or_default().push((next, a));
            }
        }
        if let Some(&s) = chain.slots.last() {
            let before = if len >= 2 {
                chain
                    .slots
                    .get(len - 2)
                    .and_then(|&t| index.get(t))
                    .copied()
                    .unwrap_or(0)
            } else {
                index.get(s).copied().unwrap_or(0)
            };
            sides.entry((s, false)).or_default().push((before, a));
        }
    }
    let said = said_at_top(graph, layered);
    for ((s, bottom), mut list) in sides {
        crate::sort::sort(&mut list);
        let w = slot_width(graph, layered, s);
        let count = list.len();
        let step = if count > 1 {
            ((w - 30.0) / (count - 1) as f32).min(PORT_GAP)
        } else {
            0.0
        };
        // Arrows into the middle of a card whose label is too wide for the room beside
        // them come in further left, so the label reads beside them, not across them.
        let parts = super::label::said(
            list.iter()
                .filter(|_| !bottom)
                .filter_map(|(_, a)| said.get(*a).cloned().flatten()),
        );
        let label = super::label::width(&parts);
        // A label that fits nowhere beside the arrows gets room: the arrows come closer
        // together, down to heads side by side. A longer one than a port or two gets
        // that much, and is cut to the room it gets (see `label::labels`).
        let beside = w - side_width(1, label);
        let step = if count > 1 && beside < (count - 1) as f32 * step {
            // Never wider apart than they were (not `clamp`: that panics where they were
            // closer than heads side by side).
            (beside / (count - 1) as f32).max(PORT_MIN).min(step)
        } else {
            step
        };
        let span = (count.saturating_sub(1)) as f32 * step;
        let room = (w - span) / 2.0 - 2.0 - LABEL_CLEAR;
        let spare = (w - span) / 2.0 - ARROW_INSET;
        // The arrows move left of centre for the label, as far as there is room.
        let shift = if label > room {
            -(label - room).min(spare.max(0.0))
        } else {
            0.0
        };
        for (i, (_, a)) in list.into_iter().enumerate() {
            let dx = (i as f32 - (count - 1) as f32 / 2.0) * step + shift;
            let target = if bottom {
                first.get_mut(a)
            } else {
                last.get_mut(a)
            };
            if let Some(t) = target {
                *t = dx;
            }
        }
    }
    (first, last)
}

/// Places everything across. `hints` (the layout before an edit) holds cards and boxes
/// near where they were.
pub(super) fn across(graph: &Graph, layered: &Layered, hints: Option<&Hints>) -> Across {
    let (dx_first, dx_last) = ports(graph, layered);
    let mut at = Across {
        x: vec![0.0; layered.slots.len()],
        dx_first,
        dx_last,
        left: vec![0.0; layered.columns.len()],
        width: vec![0.0; layered.columns.len()],
    };
    // Column widths, and a first packing.
    for (c, column) in layered.columns.iter().enumerate() {
        let pad = match column.kind {
            ColumnKind::Group(g) => {
                if graph
                    .groups
                    .get(g)
                    .is_some_and(|g| g.kind == GroupKind::Loose)
                {
                    0.0
                } else {
                    PAD
                }
            }
            ColumnKind::Lane => 0.0,
        };
        let content = column
            .members
            .iter()
            .map(|m| {
                let mut w = m.first().map_or(0.0, |&s| slot_width(graph, layered, s));
                for pair in m.windows(2) {
                    if let [a, b] = *pair {
                        w += separation(graph, layered, a, b) - slot_width(graph, layered, a) / 2.0
                            + slot_width(graph, layered, b) / 2.0;
                    }
                }
                w
            })
            .fold(0.0, f32::max);
        let mut w = content + 2.0 * pad;
        if let ColumnKind::Group(g) = column.kind {
            w = w.max(title_width(graph, g));
        }
        if let Some(cw) = at.width.get_mut(c) {
            *cw = w;
        }
    }
    for row in &layered.rows {
        let mut x = 0.0;
        let mut before: Option<usize> = None;
        for &c in &row.columns {
            if let Some(b) = before {
                x += column_gap(graph, layered, b, c);
            }
            if let Some(l) = at.left.get_mut(c) {
                *l = x;
            }
            x += at.width.get(c).copied().unwrap_or(0.0);
            before = Some(c);
        }
    }
    let mut packing = Packing::default();
    for c in 0..layered.columns.len() {
        pack_column(graph, layered, &mut at, c, None, &mut packing);
    }
    // The links (arrow, place in its chain) that end in each row, for the wishes.
    let mut links: Vec<Vec<(usize, usize)>> = vec![Vec::new(); layered.rows.len()];
    for (a, chain) in layered.chains.iter().enumerate() {
        for k in 1..chain.slots.len() {
            let rows: Vec<usize> = [k - 1, k]
                .iter()
                .filter_map(|&j| chain.slots.get(j))
                .filter_map(|&sl| layered.slots.get(sl))
                .filter_map(|sl| layered.row_of(sl.rank))
                .collect();
            for (i, &r) in rows.iter().enumerate() {
                if i == 0 || rows.first() != Some(&r) {
                    if let Some(list) = links.get_mut(r) {
                        list.push((a, k));
                    }
                }
            }
        }
    }
    // Sweeps: down (towards what is above), up, then both ways.
    let mut wanted: Vec<(f32, f32)> = Vec::new();
    for pass in 0..6 {
        let (up, down) = match pass {
            0 | 2 => (true, false),
            1 | 3 => (false, true),
            _ => (true, true),
        };
        let rows: Vec<usize> = if up && !down {
            (0..layered.rows.len()).collect()
        } else if down && !up {
            (0..layered.rows.len()).rev().collect()
        } else {
            (0..layered.rows.len()).collect()
        };
        for r in rows {
            let row_links = links.get(r).map_or(&[][..], Vec::as_slice);
            wishes(
                layered,
                &at,
                hints,
                (up, down),
                row_links,
                Some(r),
                &mut wanted,
            );
            place_row(graph, layered, &mut at, r, &wanted, hints, &mut packing);
        }
    }
    if hints.is_some() {
        let all: Vec<(usize, usize)> = links.iter().flatten().copied().collect();
        wishes(layered, &at, hints, (true, true), &all, None, &mut wanted);
        for r in 0..layered.rows.len() {
            settle_row(graph, layered, &mut at, r, &wanted, hints);
        }
    }
    at
}

/// After an edit: each box as wide as its cards need where they want to be (the cards
/// that were there, where they were), then boxes and lanes moved apart only where they
/// would overlap, the boxes that keep cards least.
fn settle_row(
    graph: &Graph,
    layered: &Layered,
    at: &mut Across,
    r: usize,
    wishes: &[(f32, f32)],
    hints: Option<&Hints>,
) {
    let Some(row) = layered.rows.get(r) else {
        return;
    };
    let mut spans = Vec::with_capacity(row.columns.len());
    for &c in &row.columns {
        let Some(column) = layered.columns.get(c) else {
            continue;
        };
        let pad = column_pad(graph, column.kind);
        let (mut lo, mut hi) = (f32::MAX, f32::MIN);
        let mut kept = 0.0;
        if column.kind == ColumnKind::Lane {
            // A lane stays one straight line.
            let all = || column.members.iter().flatten();
            let (sum, w) = all()
                .filter_map(|&s| wishes.get(s))
                .fold((0.0, 0.0), |(s, w), &(x, wt)| (s + x * wt, w + wt));
            let x = if w > 0.0 {
                sum / w
            } else {
                at.left.get(c).copied().unwrap_or(0.0)
            };
            for &s in all() {
                if let Some(v) = at.x.get_mut(s) {
                    *v = x;
                }
            }
            if let Some(l) = at.left.get_mut(c) {
                *l = x;
            }
            spans.push((c, x, 0.0, w.max(0.05)));
            continue;
        }
        for members in &column.members {
            let mut dist = vec![0.0];
            for pair in members.windows(2) {
                if let [a, b] = *pair {
                    dist.push(separation(graph, layered, a, b));
                }
            }
            let (wish, weight): (Vec<f32>, Vec<f32>) = members
                .iter()
                .map(|&s| wishes.get(s).copied().unwrap_or((0.0, 0.0)))
                .unzip();
            // Nothing left of the margin: a new card there makes room to its right. A
            // pass may run in the box's padding (as near its edge as PAD - PASS_GAP).
            let edge = |s: usize| {
                if is_card(layered, s) {
                    slot_width(graph, layered, s) / 2.0 + pad
                } else {
                    (pad - PASS_GAP).max(0.0)
                }
            };
            let first = members.first().map_or(0.0, |&s| edge(s));
            let xs = pava(&wish, &weight, &dist, MARGIN + first, f32::MAX / 4.0);
            for (&s, x) in members.iter().zip(xs) {
                lo = lo.min(x - edge(s));
                hi = hi.max(x + edge(s));
                if let Some(v) = at.x.get_mut(s) {
                    *v = x;
                }
                kept += wishes.get(s).map_or(0.0, |w| w.1);
            }
        }
        let old_left = at.left.get(c).copied().unwrap_or(0.0);
        let (left, width) = if lo <= hi {
            // Cards narrower than the box's title sit in its middle.
            let title = match column.kind {
                ColumnKind::Group(g) => title_width(graph, g),
                ColumnKind::Lane => 0.0,
            };
            let width = (hi - lo).max(title);
            // Where the box was, if its cards are still inside it there.
            let before = match (hints, column.kind) {
                (Some(h), ColumnKind::Group(g)) => h.group_x.get(g).copied().flatten(),
                _ => None,
            };
            let centre = before.unwrap_or((lo + hi) / 2.0);
            // (max then min, not clamp: rounding may cross the bounds, and clamp panics.)
            let left = (centre - width / 2.0).max(hi - width).min(lo);
            (left, width)
        } else {
            (old_left, at.width.get(c).copied().unwrap_or(0.0))
        };
        if let Some(l) = at.left.get_mut(c) {
            *l = left;
        }
        if let Some(w) = at.width.get_mut(c) {
            *w = width;
        }
        spans.push((c, left, width, kept.max(0.05)));
    }
    // Apart where they overlap.
    let mut wish = Vec::with_capacity(spans.len());
    let mut weight = Vec::with_capacity(spans.len());
    let mut dist = Vec::with_capacity(spans.len());
    for (i, &(c, left, width, kept)) in spans.iter().enumerate() {
        wish.push(left + width / 2.0);
        weight.push(kept);
        dist.push(match i.checked_sub(1).and_then(|p| spans.get(p)) {
            Some(&(p, _, pw, _)) => pw / 2.0 + column_gap(graph, layered, p, c) + width / 2.0,
            None => 0.0,
        });
    }
    let pinned: Vec<bool> = spans.iter().map(|s| s.3 >= STAY).collect();
    let first = spans.first().map_or(0.0, |s| s.2 / 2.0);
    let centres = walls(&wish, &weight, &dist, &pinned, MARGIN + first);
    for (&(c, left, width, _), centre) in spans.iter().zip(centres) {
        let moved = centre - width / 2.0 - left;
        if let Some(l) = at.left.get_mut(c) {
            *l += moved;
        }
        for members in layered.column_slots(c) {
            for &s in members {
                if let Some(x) = at.x.get_mut(s) {
                    *x += moved;
                }
            }
        }
    }
}

/// Like [`pava`], but the `pinned` items are walls: each stays where it wishes unless
/// the walls and what lies between them before it push it right; the others go as near
/// their wishes as the walls around them allow. So a box that grows pushes only what
/// is right of it, and a box that keeps its cards never moves left.
fn walls(wish: &[f32], weight: &[f32], dist: &[f32], pinned: &[bool], lo: f32) -> Vec<f32> {
    let n = wish.len();
    let d = |i: usize| dist.get(i).copied().unwrap_or(0.0);
    let mut out: Vec<f32> = wish.to_vec();
    // Walls left to right, each after the one before by the room between them.
    let mut before: Option<usize> = None;
    let mut walls_at: Vec<usize> = Vec::new();
    for i in (0..n).filter(|&i| pinned.get(i).copied().unwrap_or(false)) {
        let least = match before {
            Some(b) => out.get(b).copied().unwrap_or(0.0) + (b + 1..=i).map(d).sum::<f32>(),
            None => lo + (1..=i).map(d).sum::<f32>(),
        };
        if let Some(v) = out.get_mut(i) {
            *v = v.max(least);
        }
        before = Some(i);
        walls_at.push(i);
    }
    // The others, between the walls around them.
    let mut start = 0;
    for end in walls_at.iter().copied().chain(std::iter::once(n)) {
        if end > start {
            let lower = match start.checked_sub(1) {
                Some(w) => out.get(w).copied().unwrap_or(0.0) + d(start),
                None => lo,
            };
            let upper = match end < n {
                true => out.get(end).copied().unwrap_or(0.0) - d(end),
                false => f32::MAX / 4.0,
            };
            let slice = |v: &[f32]| v.get(start..end).map(<[f32]>::to_vec).unwrap_or_default();
            let mut gaps = slice(dist);
            if let Some(g) = gaps.first_mut() {
                *g = 0.0;
            }
            let placed = pava(&slice(wish), &slice(weight), &gaps, lower, upper);
            for (k, x) in placed.into_iter().enumerate() {
                if let Some(v) = out.get_mut(start + k) {
                    *v = x;
                }
            }
        }
        start = end + 1;
    }
    out
}

/// Padding inside a column: a box's, none for lanes and cards on no tier.
fn column_pad(graph: &Graph, kind: ColumnKind) -> f32 {
    match kind {
        ColumnKind::Group(g)
            if graph
                .groups
                .get(g)
                .is_some_and(|g| g.kind != GroupKind::Loose) =>
        {
            PAD
        }
        _ => 0.0,
    }
}

/// What each slot wants, into `sum` (by slot): a weighted mean of where it is linked to
/// (towards the ranks above when `up`, below when `down`), and where it was. With
/// `row`, only that row's slots are worked out (a row is placed by its own wishes; the
/// others keep what they had, so one buffer serves every row).
fn wishes(
    layered: &Layered,
    at: &Across,
    hints: Option<&Hints>,
    (up, down): (bool, bool),
    links: &[(usize, usize)],
    row: Option<usize>,
    sum: &mut Vec<(f32, f32)>,
) {
    let in_row = |s: usize| {
        row.is_none()
            || layered
                .slots
                .get(s)
                .and_then(|slot| layered.row_of(slot.rank))
                == row
    };
    sum.resize(layered.slots.len(), (0.0, 0.0));
    if row.is_some() {
        each_row_slot(layered, row, sum, |_, v| *v = (0.0, 0.0));
    } else {
        sum.fill((0.0, 0.0));
    }
    for &(a, k) in links {
        let Some(chain) = layered.chains.get(a) else {
            continue;
        };
        {
            let (Some(&s), Some(&t)) = (chain.slots.get(k - 1), chain.slots.get(k)) else {
                continue;
            };
            let (xs, xt) = (at.attach(layered, a, k - 1), at.attach(layered, a, k));
            // A pass pulls harder: long arrows should run straight.
            let weight = |slot: usize| if is_card(layered, slot) { 1.0 } else { 2.0 };
            let own = |slot: usize, kk: usize| {
                at.attach(layered, a, kk) - at.x.get(slot).copied().unwrap_or(0.0)
            };
            if down && in_row(s) {
                // s looks down at t.
                if let Some(v) = sum.get_mut(s) {
                    let w = weight(s);
                    *v = (v.0 + (xt - own(s, k - 1)) * w, v.1 + w);
                }
            }
            if up && in_row(t) {
                if let Some(v) = sum.get_mut(t) {
                    let w = weight(t);
                    *v = (v.0 + (xs - own(t, k)) * w, v.1 + w);
                }
            }
        }
    }
    let wish = |s: usize, (total, w): (f32, f32)| {
        let here = at.x.get(s).copied().unwrap_or(0.0);
        let before = match (hints, layered.slots.get(s).map(|s| s.kind)) {
            (Some(h), Some(SlotKind::Card(c))) => h.card_x.get(c).copied().flatten(),
            _ => None,
        };
        match before {
            // A card that was there stays exactly where it was, if it may.
            Some(b) => (b, STAY),
            None if w > 0.0 => (total / w, w),
            None => (here, 0.05),
        }
    };
    if row.is_some() {
        each_row_slot(layered, row, sum, |s, v| *v = wish(s, *v));
    } else {
        for (s, v) in sum.iter_mut().enumerate() {
            *v = wish(s, *v);
        }
    }
}

/// Calls `f` with each slot of row `row` and its entry in `by_slot`, in plain loops:
/// nested iterator adaptors cost several times as much in the page's size-optimised
/// build, and this runs for every row in every sweep.
fn each_row_slot<T>(
    layered: &Layered,
    row: Option<usize>,
    by_slot: &mut [T],
    mut f: impl FnMut(usize, &mut T),
) {
    let Some(row) = row.and_then(|r| layered.rows.get(r)) else {
        return;
    };
    for &c in &row.columns {
        for members in layered.column_slots(c) {
            for &s in members {
                if let Some(v) = by_slot.get_mut(s) {
                    f(s, v);
                }
            }
        }
    }
}

/// Places a row's columns, then each column's slots rank by rank.
fn place_row(
    graph: &Graph,
    layered: &Layered,
    at: &mut Across,
    r: usize,
    wishes: &[(f32, f32)],
    hints: Option<&Hints>,
    packing: &mut Packing,
) {
    let Some(row) = layered.rows.get(r) else {
        return;
    };
    let columns = &row.columns;
    let mut wish = Vec::with_capacity(columns.len());
    let mut weight = Vec::with_capacity(columns.len());
    let mut dist = Vec::with_capacity(columns.len());
    for (i, &c) in columns.iter().enumerate() {
        let w = at.width.get(c).copied().unwrap_or(0.0);
        let left = at.left.get(c).copied().unwrap_or(0.0);
        let (mut shift, mut total) = (0.0, 0.0);
        for members in layered.column_slots(c) {
            for &s in members {
                let (want, wt) = wishes.get(s).copied().unwrap_or((0.0, 0.0));
                shift += (want - at.x.get(s).copied().unwrap_or(0.0)) * wt;
                total += wt;
            }
        }
        // A box goes where its cards want to be (after an edit, where they were); one
        // with nothing linked stays where it was.
        let mut centre = left + w / 2.0 + if total > 0.0 { shift / total } else { 0.0 };
        let mut wt = total.max(0.05);
        let before = match (hints, layered.columns.get(c).map(|c| c.kind)) {
            (Some(h), Some(ColumnKind::Group(g))) => h.group_x.get(g).copied().flatten(),
            _ => None,
        };
        if let (Some(b), true) = (before, total < 1.0) {
            centre = b;
            wt = STAY;
        }
        wish.push(centre);
        weight.push(wt);
        let d = match i.checked_sub(1).and_then(|p| columns.get(p)) {
            Some(&p) => {
                at.width.get(p).copied().unwrap_or(0.0) / 2.0
                    + column_gap(graph, layered, p, c)
                    + w / 2.0
            }
            None => 0.0,
        };
        dist.push(d);
    }
    let centres = pava(&wish, &weight, &dist, f32::MIN / 4.0, f32::MAX / 4.0);
    for (&c, centre) in columns.iter().zip(centres) {
        let w = at.width.get(c).copied().unwrap_or(0.0);
        let old = at.left.get(c).copied().unwrap_or(0.0);
        let new = centre - w / 2.0;
        if let Some(l) = at.left.get_mut(c) {
            *l = new;
        }
        for members in layered.column_slots(c) {
            for &s in members {
                if let Some(x) = at.x.get_mut(s) {
                    *x += new - old;
                }
            }
        }
        pack_column(graph, layered, at, c, Some(wishes), packing);
    }
}

/// Places a column's slots within it, rank by rank: as wished, or packed and centred.
fn pack_column(
    graph: &Graph,
    layered: &Layered,
    at: &mut Across,
    c: usize,
    wishes: Option<&[(f32, f32)]>,
    packing: &mut Packing,
) {
    let Some(column) = layered.columns.get(c) else {
        return;
    };
    let left = at.left.get(c).copied().unwrap_or(0.0);
    let width = at.width.get(c).copied().unwrap_or(0.0);
    let pad = match column.kind {
        ColumnKind::Group(g)
            if graph
                .groups
                .get(g)
                .is_some_and(|g| g.kind != GroupKind::Loose) =>
        {
            PAD
        }
        _ => 0.0,
    };
    let Packing {
        dist,
        wish,
        weight,
        pooled,
    } = packing;
    for members in &column.members {
        let Some(&first) = members.first() else {
            continue;
        };
        dist.clear();
        dist.push(0.0);
        for pair in members.windows(2) {
            if let [a, b] = *pair {
                dist.push(separation(graph, layered, a, b));
            }
        }
        let total: f32 = dist.iter().sum();
        let lo = left + pad + slot_width(graph, layered, first) / 2.0;
        let last_w = members
            .last()
            .map_or(0.0, |&s| slot_width(graph, layered, s));
        let hi = left + width - pad - last_w / 2.0;
        wish.clear();
        weight.clear();
        match wishes {
            Some(w) => {
                for &s in members {
                    let (x, wt) = w.get(s).copied().unwrap_or((0.0, 0.0));
                    wish.push(x);
                    weight.push(wt);
                }
            }
            None => {
                // Centred.
                let start = (lo + hi - total) / 2.0;
                let mut o = 0.0;
                for d in dist.iter().take(members.len()) {
                    o += d;
                    wish.push(start + o);
                    weight.push(1.0);
                }
            }
        }
        pava_into(wish, weight, dist, lo, hi, pooled);
        for (&s, &x) in members.iter().zip(&pooled.out) {
            if let Some(v) = at.x.get_mut(s) {
                *v = x;
            }
        }
    }
}

/// [`pack_column`]'s working lists, kept from one column to the next.
#[derive(Debug, Default)]
struct Packing {
    dist: Vec<f32>,
    wish: Vec<f32>,
    weight: Vec<f32>,
    pooled: Pooled,
}

/// About how wide and tall the drawing of an ordered layered graph will be, without
/// placing it: boxes and lanes side by side, ranks without their arrows' tracks.
pub(super) fn estimate(graph: &Graph, layered: &Layered, internet: bool) -> (f32, f32) {
    let mut width: f32 = 0.0;
    let mut height = 2.0 * MARGIN
        + if internet {
            INTERNET_H + INTERNET_GAP
        } else {
            0.0
        };
    for row in &layered.rows {
        let mut w = 0.0;
        let mut before: Option<usize> = None;
        for &c in &row.columns {
            let Some(column) = layered.columns.get(c) else {
                continue;
            };
            if let Some(b) = before {
                w += column_gap(graph, layered, b, c);
            }
            before = Some(c);
            if let ColumnKind::Group(g) = column.kind {
                let widest = column
                    .members
                    .iter()
                    .map(|m| {
                        m.windows(2)
                            .filter_map(|p| match *p {
                                [a, b] => Some(separation(graph, layered, a, b)),
                                _ => None,
                            })
                            .sum::<f32>()
                            + m.first()
                                .map_or(0.0, |&s| slot_width(graph, layered, s) / 2.0)
                            + m.last()
                                .map_or(0.0, |&s| slot_width(graph, layered, s) / 2.0)
                    })
                    .fold(0.0, f32::max);
                w += (widest + 2.0 * column_pad(graph, column.kind)).max(title_width(graph, g));
            }
        }
        width = width.max(w);
        let depth = row.depth as f32;
        height += TITLE_H + depth * (CARD_H + LABEL_H) + (depth - 1.0) * MIN_GAP + BOX_BOTTOM;
    }
    height += layered.rows.len().saturating_sub(1) as f32 * MIN_CHANNEL;
    (width + 2.0 * MARGIN, height)
}

/// Where everything is down the drawing.
#[derive(Debug, Clone, Default)]
pub(super) struct Down {
    /// The internet's band, when drawn: top and bottom.
    pub internet: Option<(f32, f32)>,
    /// Per global rank: the top of its cards.
    pub rank_top: Vec<f32>,
    /// Per global rank: its height (a card's, or less where it holds none).
    pub rank_height: Vec<f32>,
    /// Per gap below a global rank (the last one of a row: the channel to the next
    /// row): where its first track runs.
    pub track_top: Vec<f32>,
    /// Per row: top and bottom.
    pub row: Vec<(f32, f32)>,
    /// Per column: its box's bottom.
    pub box_bottom: Vec<f32>,
    /// The drawing's height.
    pub height: f32,
    /// Between two tracks of a gap.
    pub track: f32,
}

/// Places the ranks down the drawing: `tracks[r]` horizontal runs below rank `r`,
/// `labels_above[r]` and `labels_below[r]` whether a rank's cards have port labels on
/// that side.
pub(super) fn down(
    graph: &Graph,
    layered: &Layered,
    internet: bool,
    tracks: &[usize],
    labels_above: &[bool],
    labels_below: &[bool],
    hints: Option<&Hints>,
) -> Down {
    // After an edit, a rank stays as low as its cards were, so what is below stays too.
    let mut least = vec![0.0f32; layered.ranks];
    if let Some(h) = hints {
        for slot in &layered.slots {
            if let (SlotKind::Card(c), Some(l)) = (slot.kind, least.get_mut(slot.rank)) {
                if let Some(y) = h.card_y.get(c).copied().flatten() {
                    *l = l.max(y);
                }
            }
        }
    }
    let mut d = Down {
        rank_top: vec![0.0; layered.ranks],
        track_top: vec![0.0; layered.ranks],
        box_bottom: vec![0.0; layered.columns.len()],
        ..Down::default()
    };
    let band = |list: &[bool], r: usize| {
        if list.get(r).copied().unwrap_or(false) {
            LABEL_H
        } else {
            0.0
        }
    };
    let track = graph.density.track();
    d.track = track;
    // Room for `t` tracks, counted in pairs: one more arrow often needs no more room,
    // so an edit moves less.
    let room = |t: usize, least: f32| {
        let t = t.div_ceil(2) * 2;
        if t == 0 {
            least
        } else {
            least.max(2.0 * graph.density.track_pad() + (t - 1) as f32 * track)
        }
    };
    // A rank with no card (only arrows passing and junctions) is a thin one.
    let mut has_card = vec![false; layered.ranks];
    for slot in &layered.slots {
        if let (SlotKind::Card(_), Some(h)) = (slot.kind, has_card.get_mut(slot.rank)) {
            *h = true;
        }
    }
    let carded = |r: usize| has_card.get(r).copied().unwrap_or(true);
    d.rank_height = (0..layered.ranks)
        .map(|r| if carded(r) { CARD_H } else { THIN_H })
        .collect();
    let mut y = MARGIN;
    if internet {
        d.internet = Some((y, y + INTERNET_H));
        y += INTERNET_H + INTERNET_GAP;
    }
    for (r, row) in layered.rows.iter().enumerate() {
        let top = y;
        let framed = row.columns.iter().any(|&c| {
            matches!(layered.columns.get(c).map(|c| c.kind), Some(ColumnKind::Group(g)) if graph.groups.get(g).is_some_and(|g| g.kind != GroupKind::Loose))
        });
        y += if framed { TITLE_H } else { 8.0 };
        let mut bottoms = Vec::with_capacity(row.depth);
        for local in 0..row.depth {
            let rank = row.first + local;
            if carded(rank) {
                y += band(labels_above, rank);
            }
            y = y.max(least.get(rank).copied().unwrap_or(0.0));
            if let Some(t) = d.rank_top.get_mut(rank) {
                *t = y;
            }
            y += d.rank_height.get(rank).copied().unwrap_or(CARD_H);
            if carded(rank) {
                y += band(labels_below, rank);
            }
            bottoms.push(y);
            if local + 1 < row.depth {
                let t = tracks.get(rank).copied().unwrap_or(0);
                let least = if carded(rank) && carded(rank + 1) {
                    MIN_GAP
                } else {
                    THIN_GAP
                };
                let gap = room(t, least);
                if let Some(tt) = d.track_top.get_mut(rank) {
                    *tt = y + (gap - (t.max(1) - 1) as f32 * track) / 2.0;
                }
                y += gap;
            }
        }
        // Each box ends below its own last rank; the row below all of them.
        let mut row_bottom = bottoms.last().copied().unwrap_or(y) + BOX_BOTTOM;
        for &c in &row.columns {
            let own = match layered.columns.get(c).map(|c| c.kind) {
                Some(ColumnKind::Group(g)) => layered.columns.get(c).map_or(0, |col| {
                    let _ = g;
                    col.members
                        .iter()
                        .rposition(|m| m.iter().any(|&s| is_card(layered, s)))
                        .map_or(0, |p| p + 1)
                }),
                _ => row.depth,
            };
            let bottom = bottoms.get(own.max(1) - 1).copied().unwrap_or(y) + BOX_BOTTOM;
            if let Some(b) = d.box_bottom.get_mut(c) {
                *b = bottom;
            }
            row_bottom = row_bottom.max(bottom);
        }
        d.row.push((top, row_bottom));
        y = row_bottom;
        if r + 1 < layered.rows.len() {
            let last = row.first + row.depth - 1;
            let t = tracks.get(last).copied().unwrap_or(0);
            let gap = room(t, MIN_CHANNEL);
            if let Some(tt) = d.track_top.get_mut(last) {
                *tt = y + (gap - (t.max(1) - 1) as f32 * track) / 2.0;
            }
            y += gap;
        }
    }
    d.height = y + MARGIN;
    d
}
