//! The drawing as one layered graph, and the order of everything in each rank so that
//! arrows cross as little as possible across the whole drawing.
//!
//! Each rank of cards is a line across the drawing. An arrow that spans several ranks
//! gets a pass (a point it goes through) in each rank between its ends: inside the box
//! of its end while in that box's row, and in a lane of its own between the boxes of
//! the rows it crosses, so that it never runs over a card or through a box that holds
//! neither of its ends. A row's boxes and lanes are its columns; a rank's order is its
//! row's columns in order, each with its cards and passes at that rank. Ordering is
//! the layer sweep of Sugiyama's method (the barycenter heuristic, down and up, with
//! adjacent swaps while they remove crossings), over the whole drawing at once: boxes
//! move as blocks, cards and passes within their box.

use super::graph::Graph;
use super::place::MARGIN;
use super::rank::{Ranked, BOX_GAP, CARD_GAP, PAD};

/// What stands at a place in a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SlotKind {
    /// A card, by service index.
    Card(usize),
    /// An arrow passing through, by arrow index.
    Pass(usize),
}

/// A place in a rank.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    pub kind: SlotKind,
    /// Global rank.
    pub rank: usize,
    /// Slots in the rank above and below it is linked to.
    pub up: Vec<usize>,
    pub down: Vec<usize>,
}

/// What a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ColumnKind {
    /// A group's box (and the room below it when its row is deeper).
    Group(usize),
    /// One arrow crossing a row between its boxes.
    Lane,
}

/// A box or lane of a row: what it holds at each of the row's ranks.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub kind: ColumnKind,
    pub row: usize,
    /// Slots by rank within the row, each in order.
    pub members: Vec<Vec<usize>>,
}

/// A row of boxes: its first global rank, how many ranks, its columns in order.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub first: usize,
    pub depth: usize,
    pub columns: Vec<usize>,
}

/// The slots an arrow goes through, from its upper end down. An arrow from the
/// internet starts above everything (its first slot is not a card); a `reversed`
/// arrow points up.
#[derive(Debug, Clone, Default)]
pub(super) struct Chain {
    pub slots: Vec<usize>,
    pub reversed: bool,
}

/// The layered graph.
#[derive(Debug, Clone)]
pub(super) struct Layered {
    pub slots: Vec<Slot>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Per arrow.
    pub chains: Vec<Chain>,
    /// Per card: its slot.
    pub card_slot: Vec<usize>,
    /// Number of global ranks.
    pub ranks: usize,
    /// Slots and columns that keep their order among themselves (cards and boxes that
    /// were there before an edit).
    fixed: Vec<bool>,
    fixed_column: Vec<bool>,
}

/// Where cards and boxes were before an edit, to keep them there: each card's centre
/// along x and its top, each box's centre.
#[derive(Debug, Clone, Default)]
pub(super) struct Hints {
    pub card_x: Vec<Option<f32>>,
    pub card_y: Vec<Option<f32>>,
    pub group_x: Vec<Option<f32>>,
    /// Every card's width.
    pub card_w: Vec<f32>,
}

impl Layered {
    /// The layered graph of ranked groups.
    pub(super) fn new(graph: &Graph, ranked: &Ranked) -> Layered {
        let mut l = Layered {
            slots: Vec::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            chains: vec![Chain::default(); graph.arrows.len()],
            card_slot: vec![usize::MAX; graph.cards.len()],
            ranks: 0,
            fixed: Vec::new(),
            fixed_column: Vec::new(),
        };
        // Per card: (row, column).
        let mut card_at: Vec<(usize, usize)> = vec![(0, 0); graph.cards.len()];
        // Per group: its column.
        let mut group_column: Vec<usize> = vec![usize::MAX; graph.groups.len()];
        for (r, groups) in ranked.rows.iter().enumerate() {
            let depth = groups
                .iter()
                .map(|&g| ranked.ranks.get(g).map_or(0, Vec::len))
                .max()
                .unwrap_or(0)
                .max(1);
            let first = l.ranks;
            let mut columns = Vec::with_capacity(groups.len());
            for &g in groups {
                let c = l.columns.len();
                if let Some(gc) = group_column.get_mut(g) {
                    *gc = c;
                }
                let mut members = vec![Vec::new(); depth];
                for (k, cards) in ranked.ranks.get(g).into_iter().flatten().enumerate() {
                    for &card in cards {
                        let s = l.slots.len();
                        l.slots.push(Slot {
                            kind: SlotKind::Card(card),
                            rank: first + k,
                            up: Vec::new(),
                            down: Vec::new(),
                        });
                        if let Some(m) = members.get_mut(k) {
                            m.push(s);
                        }
                        if let Some(cs) = l.card_slot.get_mut(card) {
                            *cs = s;
                        }
                        if let Some(at) = card_at.get_mut(card) {
                            *at = (r, c);
                        }
                    }
                }
                l.columns.push(Column {
                    kind: ColumnKind::Group(g),
                    row: r,
                    members,
                });
                columns.push(c);
            }
            l.rows.push(Row {
                first,
                depth,
                columns,
            });
            l.ranks += depth;
        }
        for (a, arrow) in graph.arrows.iter().enumerate() {
            let Some(&bottom_slot) = l.card_slot.get(arrow.to) else {
                continue;
            };
            let (Some(&(rb, cb)), Some(gb)) = (
                card_at.get(arrow.to),
                l.slots.get(bottom_slot).map(|s| s.rank),
            ) else {
                continue;
            };
            let mut chain = Chain::default();
            match arrow.from {
                None => {
                    // From the internet: lanes through every row above, then down the
                    // card's own column.
                    for r in 0..rb {
                        let s = l.lane(r, a);
                        chain.slots.extend(s);
                    }
                    let first = l.rows.get(rb).map_or(gb, |row| row.first);
                    for rank in first..gb {
                        chain.slots.push(l.pass(rank, cb, a));
                    }
                    chain.slots.push(bottom_slot);
                }
                Some(from) => {
                    let Some(&top_slot) = l.card_slot.get(from) else {
                        continue;
                    };
                    let (Some(&(ra, ca)), Some(ga)) =
                        (card_at.get(from), l.slots.get(top_slot).map(|s| s.rank))
                    else {
                        continue;
                    };
                    let reversed = ga > gb;
                    let ((rt, ct, gt, st), (rl, cl, gl, sl)) = if reversed {
                        ((rb, cb, gb, bottom_slot), (ra, ca, ga, top_slot))
                    } else {
                        ((ra, ca, ga, top_slot), (rb, cb, gb, bottom_slot))
                    };
                    chain.reversed = reversed;
                    chain.slots.push(st);
                    if rt == rl {
                        for rank in gt + 1..gl {
                            chain.slots.push(l.pass(rank, ct, a));
                        }
                    } else {
                        let end = l.rows.get(rt).map_or(gt, |row| row.first + row.depth);
                        for rank in gt + 1..end {
                            chain.slots.push(l.pass(rank, ct, a));
                        }
                        for r in rt + 1..rl {
                            let s = l.lane(r, a);
                            chain.slots.extend(s);
                        }
                        let first = l.rows.get(rl).map_or(gl, |row| row.first);
                        for rank in first..gl {
                            chain.slots.push(l.pass(rank, cl, a));
                        }
                    }
                    chain.slots.push(sl);
                }
            }
            for pair in chain.slots.windows(2) {
                if let [upper, lower] = *pair {
                    if let Some(s) = l.slots.get_mut(upper) {
                        s.down.push(lower);
                    }
                    if let Some(s) = l.slots.get_mut(lower) {
                        s.up.push(upper);
                    }
                }
            }
            if let Some(c) = l.chains.get_mut(a) {
                *c = chain;
            }
        }
        l
    }

    /// A pass for arrow `a` at `rank` in `column`.
    fn pass(&mut self, rank: usize, column: usize, a: usize) -> usize {
        let s = self.slots.len();
        self.slots.push(Slot {
            kind: SlotKind::Pass(a),
            rank,
            up: Vec::new(),
            down: Vec::new(),
        });
        let local = self
            .columns
            .get(column)
            .and_then(|c| self.rows.get(c.row))
            .map_or(0, |row| rank.saturating_sub(row.first));
        if let Some(m) = self
            .columns
            .get_mut(column)
            .and_then(|c| c.members.get_mut(local))
        {
            m.push(s);
        }
        s
    }

    /// A lane for arrow `a` across row `r`: its passes, top down.
    fn lane(&mut self, r: usize, a: usize) -> Vec<usize> {
        let Some((first, depth)) = self.rows.get(r).map(|row| (row.first, row.depth)) else {
            return Vec::new();
        };
        let c = self.columns.len();
        self.columns.push(Column {
            kind: ColumnKind::Lane,
            row: r,
            members: vec![Vec::new(); depth],
        });
        if let Some(row) = self.rows.get_mut(r) {
            row.columns.push(c);
        }
        (first..first + depth)
            .map(|rank| self.pass(rank, c, a))
            .collect()
    }

    /// The row a global rank is in.
    pub(super) fn row_of(&self, rank: usize) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| rank >= r.first && rank < r.first + r.depth)
    }

    /// The slots of a rank, in order.
    pub(super) fn rank_order(&self, rank: usize) -> Vec<usize> {
        let Some(row) = self.row_of(rank).and_then(|r| self.rows.get(r)) else {
            return Vec::new();
        };
        let local = rank - row.first;
        row.columns
            .iter()
            .filter_map(|&c| self.columns.get(c)?.members.get(local))
            .flatten()
            .copied()
            .collect()
    }

    /// Each slot's place in its rank, as a fraction (0 to 1) so ranks of different
    /// lengths compare, and as an index.
    fn positions(&self) -> Vec<(f32, usize)> {
        let mut pos = vec![(0.0, 0); self.slots.len()];
        for rank in 0..self.ranks {
            self.place_rank(rank, &mut pos);
        }
        pos
    }

    fn place_rank(&self, rank: usize, pos: &mut [(f32, usize)]) {
        let order = self.rank_order(rank);
        let n = order.len().max(1) as f32;
        for (i, s) in order.into_iter().enumerate() {
            if let Some(p) = pos.get_mut(s) {
                *p = ((i as f32 + 0.5) / n, i);
            }
        }
    }

    /// Crossings between two adjacent ranks, counted as inversions of the links'
    /// lower ends when sorted by their upper ends (a Fenwick tree over the lower rank).
    fn crossings_below(&self, rank: usize, pos: &[(f32, usize)]) -> usize {
        let mut links: Vec<(usize, usize)> = Vec::new();
        for s in self.rank_order(rank) {
            let Some(slot) = self.slots.get(s) else {
                continue;
            };
            let here = pos.get(s).map_or(0, |p| p.1);
            links.extend(
                slot.down
                    .iter()
                    .filter_map(|&t| pos.get(t).map(|p| (here, p.1))),
            );
        }
        links.sort_unstable();
        let size = links.iter().map(|l| l.1 + 1).max().unwrap_or(0);
        let mut tree = vec![0usize; size + 1];
        let mut crossings = 0;
        for (k, &(_, lower)) in links.iter().enumerate() {
            // Links so far whose lower end is at or left of this one's.
            let mut at_or_left = 0;
            let mut i = lower + 1;
            while i > 0 {
                at_or_left += tree.get(i).copied().unwrap_or(0);
                i &= i - 1;
            }
            crossings += k - at_or_left;
            let mut i = lower + 1;
            while i <= size {
                if let Some(t) = tree.get_mut(i) {
                    *t += 1;
                }
                i += i & i.wrapping_neg();
            }
        }
        crossings
    }

    /// Crossings in the whole drawing.
    pub(super) fn crossings(&self) -> usize {
        let pos = self.positions();
        (0..self.ranks.saturating_sub(1))
            .map(|r| self.crossings_below(r, &pos))
            .sum()
    }

    /// Orders every rank. With hints (the layout before an edit), cards and boxes keep
    /// their order along the drawing and only what is new is ordered among them.
    pub(super) fn order(&mut self, hints: Option<&Hints>) {
        self.fixed = vec![false; self.slots.len()];
        self.fixed_column = vec![false; self.columns.len()];
        if let Some(h) = hints {
            self.order_by_hints(h);
            // Cards keep the order just given (a new one where it makes room); only the
            // arrows' passes are ordered against crossings.
            for (s, slot) in self.slots.iter().enumerate() {
                if let (SlotKind::Card(_), Some(f)) = (slot.kind, self.fixed.get_mut(s)) {
                    *f = true;
                }
            }
            for (c, column) in self.columns.iter().enumerate() {
                if let (ColumnKind::Group(g), Some(f)) = (column.kind, self.fixed_column.get_mut(c))
                {
                    *f = h.group_x.get(g).copied().flatten().is_some();
                }
            }
        }
        let mut best = self.snapshot();
        let mut best_crossings = self.crossings();
        let mut stall = 0;
        for round in 0..16 {
            if best_crossings == 0 {
                break;
            }
            self.sweep(round % 2 == 0);
            self.transpose();
            let c = self.crossings();
            if c < best_crossings {
                best = self.snapshot();
                best_crossings = c;
                stall = 0;
            } else {
                stall += 1;
                if stall >= 4 {
                    break;
                }
            }
        }
        self.restore(best);
    }

    fn snapshot(&self) -> (Vec<Vec<usize>>, Vec<Vec<Vec<usize>>>) {
        (
            self.rows.iter().map(|r| r.columns.clone()).collect(),
            self.columns.iter().map(|c| c.members.clone()).collect(),
        )
    }

    fn restore(&mut self, (rows, columns): (Vec<Vec<usize>>, Vec<Vec<Vec<usize>>>)) {
        for (row, order) in self.rows.iter_mut().zip(rows) {
            row.columns = order;
        }
        for (column, members) in self.columns.iter_mut().zip(columns) {
            column.members = members;
        }
    }

    /// One sweep down (each rank ordered by its links to the rank above) or up.
    fn sweep(&mut self, down: bool) {
        let mut pos = self.positions();
        let ranks: Vec<usize> = if down {
            (0..self.ranks).collect()
        } else {
            (0..self.ranks).rev().collect()
        };
        for rank in ranks {
            let Some(r) = self.row_of(rank) else { continue };
            let Some(row) = self.rows.get(r) else {
                continue;
            };
            let (first, depth) = (row.first, row.depth);
            let local = rank - first;
            let key = |s: usize, pos: &[(f32, usize)]| -> Option<f32> {
                let slot = self.slots.get(s)?;
                let near = if down { &slot.up } else { &slot.down };
                if near.is_empty() {
                    return None;
                }
                let sum: f32 = near.iter().filter_map(|&n| pos.get(n).map(|p| p.0)).sum();
                Some(sum / near.len() as f32)
            };
            // Boxes and lanes move as blocks where the row meets the rank before it.
            let boundary = if down { local == 0 } else { local + 1 == depth };
            if boundary {
                let columns = self
                    .rows
                    .get(r)
                    .map(|row| row.columns.clone())
                    .unwrap_or_default();
                let count = columns.len().max(1) as f32;
                let keys: Vec<f32> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| {
                        let members = self
                            .columns
                            .get(c)
                            .and_then(|c| c.members.get(local))
                            .cloned()
                            .unwrap_or_default();
                        let wished: Vec<f32> =
                            members.iter().filter_map(|&s| key(s, &pos)).collect();
                        if wished.is_empty() {
                            members
                                .first()
                                .and_then(|&s| pos.get(s).map(|p| p.0))
                                .unwrap_or((i as f32 + 0.5) / count)
                        } else {
                            wished.iter().sum::<f32>() / wished.len() as f32
                        }
                    })
                    .collect();
                let keys = keep_fixed(&columns, keys, &self.fixed_column);
                let order = sorted(&columns, &keys);
                if let Some(row) = self.rows.get_mut(r) {
                    row.columns = order;
                }
                for k in first..first + depth {
                    self.place_rank(k, &mut pos);
                }
            }
            let columns = self
                .rows
                .get(r)
                .map(|row| row.columns.clone())
                .unwrap_or_default();
            for c in columns {
                let Some(members) = self.columns.get(c).and_then(|c| c.members.get(local)) else {
                    continue;
                };
                let keys: Vec<f32> = members
                    .iter()
                    .map(|&s| key(s, &pos).unwrap_or_else(|| pos.get(s).map_or(0.0, |p| p.0)))
                    .collect();
                let keys = keep_fixed(members, keys, &self.fixed);
                let order = sorted(members, &keys);
                if let Some(m) = self
                    .columns
                    .get_mut(c)
                    .and_then(|c| c.members.get_mut(local))
                {
                    *m = order;
                }
            }
            self.place_rank(rank, &mut pos);
        }
    }

    /// Crossings between the links of `a` and of `b` when `a` is left of `b`.
    fn pair_crossings(&self, a: &[usize], b: &[usize], pos: &[(f32, usize)]) -> (usize, usize) {
        let at = |s: usize| pos.get(s).map_or(0, |p| p.1);
        let (mut ab, mut ba) = (0, 0);
        for (near_a, near_b) in [
            (self.near(a, true), self.near(b, true)),
            (self.near(a, false), self.near(b, false)),
        ] {
            for &x in &near_a {
                for &y in &near_b {
                    match at(x).cmp(&at(y)) {
                        std::cmp::Ordering::Greater => ab += 1,
                        std::cmp::Ordering::Less => ba += 1,
                        std::cmp::Ordering::Equal => {}
                    }
                }
            }
        }
        (ab, ba)
    }

    /// The slots linked to any of `slots` above (`up`) or below.
    fn near(&self, slots: &[usize], up: bool) -> Vec<usize> {
        slots
            .iter()
            .filter_map(|&s| self.slots.get(s))
            .flat_map(|s| if up { s.up.iter() } else { s.down.iter() })
            .copied()
            .collect()
    }

    /// Swaps neighbours (slots in a column, columns in a row) while that removes
    /// crossings; two fixed ones keep their order.
    fn transpose(&mut self) {
        let mut pos = self.positions();
        for _ in 0..8 {
            let mut improved = false;
            for r in 0..self.rows.len() {
                let Some(row) = self.rows.get(r) else {
                    continue;
                };
                let (first, depth) = (row.first, row.depth);
                // Whole columns, judged by the links leaving the row at its top and bottom.
                let columns = row.columns.clone();
                for i in 1..columns.len() {
                    let order = self
                        .rows
                        .get(r)
                        .map(|row| row.columns.clone())
                        .unwrap_or_default();
                    let (Some(&a), Some(&b)) = (order.get(i - 1), order.get(i)) else {
                        continue;
                    };
                    let fixed = |c: usize| self.fixed_column.get(c).copied().unwrap_or(false);
                    if fixed(a) && fixed(b) {
                        continue;
                    }
                    let edge_slots = |c: usize, local: usize| -> Vec<usize> {
                        self.columns
                            .get(c)
                            .and_then(|c| c.members.get(local))
                            .cloned()
                            .unwrap_or_default()
                    };
                    let top =
                        self.pair_crossings_side(&edge_slots(a, 0), &edge_slots(b, 0), &pos, true);
                    let bottom = self.pair_crossings_side(
                        &edge_slots(a, depth - 1),
                        &edge_slots(b, depth - 1),
                        &pos,
                        false,
                    );
                    if top.1 + bottom.1 < top.0 + bottom.0 {
                        if let Some(row) = self.rows.get_mut(r) {
                            row.columns.swap(i - 1, i);
                        }
                        for k in first..first + depth {
                            self.place_rank(k, &mut pos);
                        }
                        improved = true;
                    }
                }
                // Slots within each column, rank by rank.
                for local in 0..depth {
                    let columns = self
                        .rows
                        .get(r)
                        .map(|row| row.columns.clone())
                        .unwrap_or_default();
                    for c in columns {
                        let n = self
                            .columns
                            .get(c)
                            .and_then(|c| c.members.get(local))
                            .map_or(0, Vec::len);
                        for i in 1..n {
                            let Some(m) = self.columns.get(c).and_then(|c| c.members.get(local))
                            else {
                                continue;
                            };
                            let (Some(&a), Some(&b)) = (m.get(i - 1), m.get(i)) else {
                                continue;
                            };
                            let fixed = |s: usize| self.fixed.get(s).copied().unwrap_or(false);
                            if fixed(a) && fixed(b) {
                                continue;
                            }
                            let (ab, ba) = self.pair_crossings(&[a], &[b], &pos);
                            if ba < ab {
                                if let Some(m) = self
                                    .columns
                                    .get_mut(c)
                                    .and_then(|c| c.members.get_mut(local))
                                {
                                    m.swap(i - 1, i);
                                }
                                self.place_rank(first + local, &mut pos);
                                improved = true;
                            }
                        }
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Like [`Layered::pair_crossings`], for the links on one side only.
    fn pair_crossings_side(
        &self,
        a: &[usize],
        b: &[usize],
        pos: &[(f32, usize)],
        up: bool,
    ) -> (usize, usize) {
        let at = |s: usize| pos.get(s).map_or(0, |p| p.1);
        let (mut ab, mut ba) = (0, 0);
        let (near_a, near_b) = (self.near(a, up), self.near(b, up));
        for &x in &near_a {
            for &y in &near_b {
                match at(x).cmp(&at(y)) {
                    std::cmp::Ordering::Greater => ab += 1,
                    std::cmp::Ordering::Less => ba += 1,
                    std::cmp::Ordering::Equal => {}
                }
            }
        }
        (ab, ba)
    }

    /// Orders everything by where it was: cards and boxes by their place before, the
    /// rest by where their arrow's ends were.
    fn order_by_hints(&mut self, hints: &Hints) {
        // Each slot's estimated x: a card's from before, a pass's between its arrow's ends.
        let mut x: Vec<Option<f32>> = self
            .slots
            .iter()
            .map(|s| match s.kind {
                SlotKind::Card(c) => hints.card_x.get(c).copied().flatten(),
                SlotKind::Pass(_) => None,
            })
            .collect();
        // A new card goes where its neighbours are.
        for s in 0..self.slots.len() {
            if x.get(s).copied().flatten().is_some() {
                continue;
            }
            let Some(slot) = self.slots.get(s) else {
                continue;
            };
            if matches!(slot.kind, SlotKind::Card(_)) {
                let ends: Vec<f32> = self
                    .chains
                    .iter()
                    .filter(|c| c.slots.first() == Some(&s) || c.slots.last() == Some(&s))
                    .filter_map(|c| {
                        let other = if c.slots.first() == Some(&s) {
                            c.slots.last()
                        } else {
                            c.slots.first()
                        };
                        x.get(*other?).copied().flatten()
                    })
                    .collect();
                if !ends.is_empty() {
                    if let Some(v) = x.get_mut(s) {
                        *v = Some(ends.iter().sum::<f32>() / ends.len() as f32);
                    }
                }
            }
        }
        for chain in &self.chains {
            let n = chain.slots.len();
            let top = chain
                .slots
                .first()
                .and_then(|&s| x.get(s).copied().flatten());
            let bottom = chain
                .slots
                .last()
                .and_then(|&s| x.get(s).copied().flatten());
            for (k, &s) in chain.slots.iter().enumerate() {
                if x.get(s).copied().flatten().is_some() {
                    continue;
                }
                let t = k as f32 / (n.max(2) - 1) as f32;
                let est = match (top, bottom) {
                    (Some(a), Some(b)) => Some(a + (b - a) * t),
                    (a, b) => a.or(b),
                };
                if let Some(v) = x.get_mut(s) {
                    *v = est;
                }
            }
        }
        self.make_room(hints, &mut x);
        let at = |s: usize| x.get(s).copied().flatten().unwrap_or(f32::MAX);
        for r in 0..self.rows.len() {
            let Some(row) = self.rows.get(r) else {
                continue;
            };
            let keys: Vec<f32> = row
                .columns
                .iter()
                .map(|&c| {
                    let Some(column) = self.columns.get(c) else {
                        return f32::MAX;
                    };
                    match column.kind {
                        ColumnKind::Group(g) => {
                            hints.group_x.get(g).copied().flatten().unwrap_or_else(|| {
                                mean(
                                    column
                                        .members
                                        .iter()
                                        .flatten()
                                        .map(|&s| at(s))
                                        .filter(|v| *v < f32::MAX),
                                )
                                .unwrap_or(f32::MAX)
                            })
                        }
                        ColumnKind::Lane => mean(column.members.iter().flatten().map(|&s| at(s)))
                            .unwrap_or(f32::MAX),
                    }
                })
                .collect();
            let order = sorted(&row.columns, &keys);
            if let Some(row) = self.rows.get_mut(r) {
                row.columns = order;
            }
        }
        for column in &mut self.columns {
            for members in &mut column.members {
                let keys: Vec<f32> = members.iter().map(|&s| at(s)).collect();
                *members = sorted(members, &keys);
            }
        }
    }
}

/// Keys that keep the fixed items of `items` in their present order: each fixed
/// item's key is at least the key of the fixed item before it.
fn keep_fixed(items: &[usize], mut keys: Vec<f32>, fixed: &[bool]) -> Vec<f32> {
    let mut floor = f32::MIN;
    for (k, &item) in keys.iter_mut().zip(items) {
        if fixed.get(item).copied().unwrap_or(false) {
            *k = k.max(floor);
            floor = *k;
        }
    }
    keys
}

impl Layered {
    /// Where a card new to a box goes in its rank (`x` holds estimates): inside the box
    /// where the cards that stay leave room, else at the end of the rank on the side
    /// where the box can grow without pushing a neighbour (the side nearer where it
    /// would like to be, when both can), else at the right end.
    fn make_room(&self, hints: &Hints, x: &mut [Option<f32>]) {
        let card_of = |s: usize| match self.slots.get(s).map(|s| s.kind) {
            Some(SlotKind::Card(c)) => Some(c),
            _ => None,
        };
        let width = |c: usize| hints.card_w.get(c).copied().unwrap_or(0.0);
        let kept = |c: usize| hints.card_x.get(c).copied().flatten();
        // Each box's extent from the cards it keeps.
        let extent = |column: &Column| -> Option<(f32, f32)> {
            let mut span: Option<(f32, f32)> = None;
            for c in column.members.iter().flatten().filter_map(|&s| card_of(s)) {
                if let Some(cx) = kept(c) {
                    let (l, r) = (cx - width(c) / 2.0, cx + width(c) / 2.0);
                    span = Some(span.map_or((l, r), |(a, b)| (a.min(l), b.max(r))));
                }
            }
            span.map(|(l, r)| (l - PAD, r + PAD))
        };
        for row in &self.rows {
            // The row's boxes that keep cards, along x.
            let mut boxes: Vec<(usize, f32, f32)> = row
                .columns
                .iter()
                .filter_map(|&c| {
                    let (l, r) = extent(self.columns.get(c)?)?;
                    Some((c, l, r))
                })
                .collect();
            boxes.sort_by(|a, b| a.1.total_cmp(&b.1));
            for (i, &(c, left, right)) in boxes.iter().enumerate() {
                let Some(column) = self.columns.get(c) else {
                    continue;
                };
                let room_left = match i.checked_sub(1).and_then(|p| boxes.get(p)) {
                    Some(&(_, _, r)) => left - r - BOX_GAP,
                    None => left - MARGIN,
                };
                let room_right = boxes
                    .get(i + 1)
                    .map_or(f32::MAX, |&(_, l, _)| l - right - BOX_GAP);
                for members in &column.members {
                    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
                    for c in members.iter().filter_map(|&s| card_of(s)) {
                        if let Some(cx) = kept(c) {
                            lo = lo.min(cx - width(c) / 2.0);
                            hi = hi.max(cx + width(c) / 2.0);
                        }
                    }
                    for &s in members {
                        let Some(c) = card_of(s).filter(|&c| kept(c).is_none()) else {
                            continue;
                        };
                        let need = width(c) + CARD_GAP;
                        let wish = x.get(s).copied().flatten().unwrap_or((left + right) / 2.0);
                        let place = if lo > hi {
                            // Nothing kept in this rank: anywhere in the box.
                            wish.max(left + PAD + need / 2.0)
                                .min(right - PAD - need / 2.0)
                        } else if hi + need <= right - PAD {
                            hi + need / 2.0
                        } else if lo - need >= left + PAD {
                            lo - need / 2.0
                        } else {
                            // Growing left where there is no room moves this box's own
                            // cards too; growing right moves only what is right of it.
                            let towards_right = wish >= (lo + hi) / 2.0;
                            let fits_left = room_left >= need;
                            if fits_left && !(towards_right && room_right >= need) {
                                lo - need / 2.0
                            } else {
                                hi + need / 2.0
                            }
                        };
                        if let Some(v) = x.get_mut(s) {
                            *v = Some(place);
                        }
                        lo = lo.min(place - need / 2.0);
                        hi = hi.max(place + need / 2.0);
                    }
                }
            }
        }
    }
}

fn mean(values: impl Iterator<Item = f32>) -> Option<f32> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f32)
}

/// `items` in the order of `keys` (equal keys keep their order).
fn sorted(items: &[usize], keys: &[f32]) -> Vec<usize> {
    let mut paired: Vec<(f32, usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, &item)| (keys.get(i).copied().unwrap_or(f32::MAX), i, item))
        .collect();
    paired.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    paired.into_iter().map(|(_, _, item)| item).collect()
}
