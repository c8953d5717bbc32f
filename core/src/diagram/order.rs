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

/// Links to slots of an adjacent rank, each with how many arrows it carries.
pub(super) type Links = Vec<(usize, u32)>;

/// What stands at a place in a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SlotKind {
    /// A card, by service index.
    Card(usize),
    /// A link passing through, by link index.
    Pass(usize),
    /// Where a bundle of arrows meets, by junction index.
    Junction(usize),
}

/// A place in a rank.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    pub kind: SlotKind,
    /// Global rank.
    pub rank: usize,
    /// Slots in the rank above and below it is linked to, each with how many arrows the
    /// link carries (more than one where bundled arrows run together).
    pub up: Links,
    pub down: Links,
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
    /// Per link.
    pub chains: Vec<Chain>,
    /// Per node (card, then junction): its slot.
    pub card_slot: Vec<usize>,
    /// Number of global ranks.
    pub ranks: usize,
    /// Slots and columns that keep their order among themselves (cards and boxes that
    /// were there before an edit).
    fixed: Vec<bool>,
    fixed_column: Vec<bool>,
    /// Per global rank: its row.
    rank_row: Vec<usize>,
    /// Per column: the slots its first rank links to above and its last rank links to
    /// below (what a column's place in its row changes).
    ends: Vec<(Links, Links)>,
}

/// How hard ordering tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effort {
    /// A few sweeps and swaps: enough to compare candidate layouts.
    Quick,
    /// Sweeps, swaps and sifting until they stop helping, from several starts where
    /// the drawing is small.
    Full,
    /// As `Full` from the order as built only, unpolished: for a ranking near one
    /// ordered already, whose order is the start.
    Warm,
}

/// The most slots a drawing may have to be ordered from several starts, and from many.
const RESTART_MOST: usize = 400;
const SHUFFLE_MOST: usize = 160;

/// The longest rank of a column that is sifted.
const SIFT_MOST: usize = 48;

/// The most rounds of moving cards with their passes and untangling arrows, each
/// followed by sweeps from the order it leaves.
const AFTER_MOST: usize = 2;

/// Every row's column order, then every column's slot orders, one after the other in
/// one list (ordering never changes their lengths).
type Snapshot = Vec<usize>;

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
            chains: vec![Chain::default(); graph.links.len()],
            card_slot: vec![usize::MAX; graph.group_of.len()],
            ranks: 0,
            fixed: Vec::new(),
            fixed_column: Vec::new(),
            rank_row: Vec::new(),
            ends: Vec::new(),
        };
        // Per card: (row, column).
        let mut card_at: Vec<(usize, usize)> = vec![(0, 0); graph.group_of.len()];
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
                            kind: match graph.junction(card) {
                                Some(j) => SlotKind::Junction(j),
                                None => SlotKind::Card(card),
                            },
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
        // How many arrows each link carries, and the trunks' passes by (junction, into it?, rank).
        let mut weight = vec![0u32; graph.links.len()];
        for &link in graph.arrow_links.iter().flatten() {
            if let Some(w) = weight.get_mut(link) {
                *w += 1;
            }
        }
        let mut trunks: std::collections::HashMap<(usize, bool, usize), usize> =
            std::collections::HashMap::new();
        for (a, arrow) in graph.links.iter().enumerate() {
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
                        // A bundle's links share one pass a rank: its trunk.
                        let trunk = match (graph.junction(arrow.to), graph.junction(from)) {
                            (Some(j), _) => Some((j, true)),
                            (None, Some(j)) => Some((j, false)),
                            _ => None,
                        };
                        for rank in gt + 1..gl {
                            let shared =
                                trunk.and_then(|(j, into)| trunks.get(&(j, into, rank)).copied());
                            let pass = match shared {
                                Some(p) => p,
                                None => {
                                    let p = l.pass(rank, ct, a);
                                    if let Some((j, into)) = trunk {
                                        trunks.insert((j, into, rank), p);
                                    }
                                    p
                                }
                            };
                            chain.slots.push(pass);
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
            // Each link once, weighed by the arrows it carries.
            let carried = weight.get(a).copied().unwrap_or(1);
            for pair in chain.slots.windows(2) {
                if let [upper, lower] = *pair {
                    let add = |list: &mut Vec<(usize, u32)>, other: usize| match list
                        .iter_mut()
                        .find(|(o, _)| *o == other)
                    {
                        Some((_, w)) => *w += carried,
                        None => list.push((other, carried)),
                    };
                    if let Some(s) = l.slots.get_mut(upper) {
                        add(&mut s.down, lower);
                    }
                    if let Some(s) = l.slots.get_mut(lower) {
                        add(&mut s.up, upper);
                    }
                }
            }
            if let Some(c) = l.chains.get_mut(a) {
                *c = chain;
            }
        }
        l.rank_row = vec![0; l.ranks];
        for (r, row) in l.rows.iter().enumerate() {
            for rank in row.first..row.first + row.depth {
                if let Some(v) = l.rank_row.get_mut(rank) {
                    *v = r;
                }
            }
        }
        l.ends = l
            .columns
            .iter()
            .map(|c| {
                let near = |local: Option<&Vec<usize>>, up: bool| -> Links {
                    local
                        .into_iter()
                        .flatten()
                        .filter_map(|&s| l.slots.get(s))
                        .flat_map(|s| if up { s.up.iter() } else { s.down.iter() })
                        .copied()
                        .collect()
                };
                (near(c.members.first(), true), near(c.members.last(), false))
            })
            .collect();
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
        self.rank_row.get(rank).copied()
    }

    /// The slots of a rank, in order.
    pub(super) fn rank_order(&self, rank: usize) -> Vec<usize> {
        self.rank_slots(rank).collect()
    }

    /// The slots of a rank, in order, without collecting them.
    fn rank_slots(&self, rank: usize) -> impl Iterator<Item = usize> + '_ {
        self.rank_lists(rank).flatten().copied()
    }

    /// A rank's slots as its columns hold them, column by column in order: the hot
    /// loops go over each list in a plain loop of their own.
    fn rank_lists(&self, rank: usize) -> impl Iterator<Item = &Vec<usize>> + '_ {
        let row = self.row_of(rank).and_then(|r| self.rows.get(r));
        let local = row.map_or(0, |row| rank.saturating_sub(row.first));
        row.into_iter()
            .flat_map(|row| row.columns.iter())
            .filter_map(move |&c| self.columns.get(c)?.members.get(local))
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
        // Run after every swap and move: plain loops, and the rank's length from its
        // columns' lengths.
        let n = self.rank_lists(rank).map(Vec::len).sum::<usize>().max(1) as f32;
        let mut i = 0;
        for members in self.rank_lists(rank) {
            for &s in members {
                if let Some(p) = pos.get_mut(s) {
                    *p = ((i as f32 + 0.5) / n, i);
                }
                i += 1;
            }
        }
    }

    /// Crossings between two adjacent ranks, counted as inversions of the links'
    /// lower ends when sorted by their upper ends (a Fenwick tree over the lower rank).
    fn crossings_below(
        &self,
        rank: usize,
        pos: &[(f32, usize)],
        (links, tree): &mut (Vec<(usize, usize, usize)>, Vec<usize>),
    ) -> usize {
        // (upper, lower, arrows carried)
        links.clear();
        // Plain loops: this runs after every move the ordering tries.
        for members in self.rank_lists(rank) {
            for &s in members {
                let Some(slot) = self.slots.get(s) else {
                    continue;
                };
                let here = pos.get(s).map_or(0, |p| p.1);
                // Slots come in order, so only each slot's own few links need sorting
                // (by lower end): each goes in its place as it comes.
                let start = links.len();
                for &(t, w) in &slot.down {
                    if let Some(p) = pos.get(t) {
                        links.push((here, p.1, w as usize));
                        let mut i = links.len() - 1;
                        while i > start && links.get(i - 1).map(|l| l.1) > Some(p.1) {
                            links.swap(i - 1, i);
                            i -= 1;
                        }
                    }
                }
            }
        }
        let size = links.iter().map(|l| l.1 + 1).max().unwrap_or(0);
        // Weights so far by lower end, and their total.
        tree.clear();
        tree.resize(size + 1, 0);
        let mut total = 0;
        let mut crossings = 0;
        for &(_, lower, w) in links.iter() {
            // Weight of the links so far whose lower end is at or left of this one's.
            let mut at_or_left = 0;
            let mut i = lower + 1;
            while i > 0 {
                at_or_left += tree.get(i).copied().unwrap_or(0);
                i &= i - 1;
            }
            crossings += (total - at_or_left) * w;
            total += w;
            let mut i = lower + 1;
            while i <= size {
                if let Some(t) = tree.get_mut(i) {
                    *t += w;
                }
                i += i & i.wrapping_neg();
            }
        }
        crossings
    }

    /// The ranking as ordered: each row's boxes and each rank's cards in the order found.
    pub(super) fn ranked(&self, graph: &Graph) -> Ranked {
        let cards = graph.cards.len();
        let mut ranks = vec![Vec::new(); graph.groups.len()];
        let mut rows = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            let mut groups = Vec::new();
            for column in row.columns.iter().filter_map(|&c| self.columns.get(c)) {
                let ColumnKind::Group(g) = column.kind else {
                    continue;
                };
                let mut nodes: Vec<Vec<usize>> = column
                    .members
                    .iter()
                    .map(|slots| {
                        slots
                            .iter()
                            .filter_map(|&s| match self.slots.get(s)?.kind {
                                SlotKind::Card(c) => Some(c),
                                SlotKind::Junction(j) => Some(cards + j),
                                SlotKind::Pass(_) => None,
                            })
                            .collect()
                    })
                    .collect();
                // A box shallower than its row has nothing in its last ranks.
                while nodes.last().is_some_and(Vec::is_empty) {
                    nodes.pop();
                }
                if let Some(r) = ranks.get_mut(g) {
                    *r = nodes;
                }
                groups.push(g);
            }
            rows.push(groups);
        }
        Ranked { rows, ranks }
    }

    /// Arrows pointing up, against the flow.
    pub(super) fn upward(&self, graph: &Graph) -> usize {
        let reversed = |&l: &usize| self.chains.get(l).is_some_and(|c| c.reversed);
        graph
            .arrow_links
            .iter()
            .filter(|links| links.iter().any(reversed))
            .count()
    }

    /// Crossings in the whole drawing.
    pub(super) fn crossings(&self) -> usize {
        let pos = self.positions();
        let mut lists = (Vec::new(), Vec::new());
        (0..self.ranks.saturating_sub(1))
            .map(|r| self.crossings_below(r, &pos, &mut lists))
            .sum()
    }

    /// Orders every rank. With hints (the layout before an edit), cards and boxes keep
    /// their order along the drawing and only what is new is ordered among them.
    pub(super) fn order(&mut self, hints: Option<&Hints>, effort: Effort) {
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
        // Sweeps settle in a local optimum that depends on where they start: start from
        // the order as built, reversed, and interleaved, and a small drawing from
        // shuffles too (never with hints); keep the best.
        let many = match effort {
            Effort::Quick | Effort::Warm => 0,
            Effort::Full => SHUFFLE_MOST,
        };
        let size = self.slots.len();
        let starts = if hints.is_some() || matches!(effort, Effort::Quick | Effort::Warm) {
            1
        } else if size <= many {
            16
        } else if size <= RESTART_MOST {
            3
        } else {
            1
        };
        let initial = self.snapshot();
        let mut best = initial.clone();
        let mut best_crossings = usize::MAX;
        for start in 0..starts {
            self.restore(&initial);
            match start {
                1 => self.permute(|list| list.reverse()),
                2 => self.permute(|list| {
                    let mut out: Vec<usize> = list.iter().step_by(2).copied().collect();
                    let odd: Vec<usize> = list.iter().skip(1).step_by(2).copied().collect();
                    out.extend(odd.into_iter().rev());
                    *list = out;
                }),
                0 => {}
                _ => {
                    // A shuffle from a fixed seed: deterministic, and different each start.
                    let mut state: u64 =
                        0x9e37_79b9_7f4a_7c15 ^ (start as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
                    self.permute(|list| {
                        for i in (1..list.len()).rev() {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            list.swap(i, (state % (i as u64 + 1)) as usize);
                        }
                    });
                }
            }
            let (order, crossings) = self.descend(effort);
            if crossings < best_crossings {
                best = order;
                best_crossings = crossings;
            }
            if best_crossings == 0 {
                break;
            }
        }
        if hints.is_none() && effort == Effort::Full && size <= many {
            (best, _) = self.polish(best, best_crossings);
        }
        self.restore(&best);
    }

    /// From `order` with its `crossings`: moves cards with their passes and untangles
    /// arrows, then sweeps from the order they leave, while they gain; the best order
    /// met and its crossings. Sweeps and sifting move one slot at a time; a card whose
    /// arrows run through passes often only gains when they move with it, and so do two
    /// long arrows that cross (see `untangle`).
    fn polish(&mut self, order: Snapshot, crossings: usize) -> (Snapshot, usize) {
        let (mut best, mut best_crossings) = (order, crossings);
        self.restore(&best);
        for _ in 0..AFTER_MOST {
            // Both run: `|` does not stop at the first that gains.
            let gained = self.carry() | self.untangle();
            let crossings = self.crossings();
            if crossings < best_crossings {
                best = self.snapshot();
                best_crossings = crossings;
            }
            if !gained {
                break;
            }
            let (order, crossings) = self.descend(Effort::Full);
            if crossings < best_crossings {
                best = order.clone();
                best_crossings = crossings;
            }
            self.restore(&order);
        }
        (best, best_crossings)
    }

    /// Swaps two arrows' passes over a run of ranks where both pass through the same
    /// column, keeping each swap that removes crossings. Two long arrows that cross
    /// where one could have stayed on its side all along only uncross when every pass
    /// between moves at once, which sifting one slot at a time never tries. Whether
    /// any swap was kept.
    fn untangle(&mut self) -> bool {
        let mut any = false;
        let mut pos = self.positions();
        // Per arrow, its passes: (rank, slot, column).
        let passes: Vec<Vec<(usize, usize, usize)>> = self
            .chains
            .iter()
            .map(|chain| {
                chain
                    .slots
                    .iter()
                    .filter(|&&s| {
                        self.slots
                            .get(s)
                            .is_some_and(|s| matches!(s.kind, SlotKind::Pass(_)))
                    })
                    .filter_map(|&s| {
                        let (c, _) = self.place_of(s)?;
                        Some((self.slots.get(s)?.rank, s, c))
                    })
                    .collect()
            })
            .collect();
        let mut lists = (Vec::new(), Vec::new());
        for (a, pa) in passes.iter().enumerate() {
            for (b, pb) in passes.iter().enumerate().skip(a + 1) {
                if pa.is_empty() || pb.is_empty() {
                    continue;
                }
                // Only arrows that cross each other are worth a swap.
                if !self.arrows_cross(a, b, &pos) {
                    continue;
                }
                // Ranks where both pass through the same column, as (rank, slot, slot).
                let common: Vec<(usize, usize, usize)> = pa
                    .iter()
                    .filter_map(|&(r, sa, ca)| {
                        let &(_, sb, _) = pb
                            .iter()
                            .find(|&&(rb, sb, cb)| rb == r && cb == ca && sb != sa)?;
                        Some((r, sa, sb))
                    })
                    .collect();
                for run in common.chunk_by(|x, y| y.0 == x.0 + 1) {
                    for i in 0..run.len() {
                        for j in i..run.len() {
                            let Some(part) = run.get(i..=j) else { continue };
                            let (Some(&(top, _, _)), Some(&(bottom, _, _))) =
                                (part.first(), part.last())
                            else {
                                continue;
                            };
                            let gaps = top.saturating_sub(1)
                                ..(bottom + 1).min(self.ranks.saturating_sub(1));
                            let before: usize = gaps
                                .clone()
                                .map(|g| self.crossings_below(g, &pos, &mut lists))
                                .sum();
                            self.swap_passes(part, &mut pos);
                            let after: usize = gaps
                                .map(|g| self.crossings_below(g, &pos, &mut lists))
                                .sum();
                            if after < before {
                                any = true;
                            } else {
                                self.swap_passes(part, &mut pos);
                            }
                        }
                    }
                }
            }
        }
        any
    }

    /// Whether two arrows cross between some two ranks (not where they share a slot).
    fn arrows_cross(&self, a: usize, b: usize, pos: &[(f32, usize)]) -> bool {
        let (Some(a), Some(b)) = (self.chains.get(a), self.chains.get(b)) else {
            return false;
        };
        let at = |s: usize| pos.get(s).map_or(0, |p| p.1);
        let rank = |s: usize| self.slots.get(s).map_or(0, |s| s.rank);
        a.slots.windows(2).any(|wa| {
            let [ua, la] = *wa else { return false };
            b.slots.windows(2).any(|wb| {
                let [ub, lb] = *wb else { return false };
                rank(ua) == rank(ub)
                    && ua != ub
                    && la != lb
                    && (at(ua) < at(ub)) != (at(la) < at(lb))
            })
        })
    }

    /// Exchanges the places of each pair of passes, each pair at its own rank.
    fn swap_passes(&mut self, pairs: &[(usize, usize, usize)], pos: &mut [(f32, usize)]) {
        for &(rank, sa, sb) in pairs {
            let Some((c, local)) = self.place_of(sa) else {
                continue;
            };
            if let Some(m) = self
                .columns
                .get_mut(c)
                .and_then(|c| c.members.get_mut(local))
            {
                let ia = m.iter().position(|&s| s == sa);
                let ib = m.iter().position(|&s| s == sb);
                if let (Some(ia), Some(ib)) = (ia, ib) {
                    m.swap(ia, ib);
                }
            }
            self.place_rank(rank, pos);
        }
    }

    /// Moves each card to each place in its rank with the passes of its arrows sifted
    /// after it, keeping each move that removes crossings (or ties). Whether any
    /// removed some.
    fn carry(&mut self) -> bool {
        let mut any = false;
        let mut pos = self.positions();
        for u in 0..self.slots.len() {
            let Some((SlotKind::Card(_), rank)) = self.slots.get(u).map(|s| (s.kind, s.rank))
            else {
                continue;
            };
            // The passes of its arrows, nearest first.
            let mut passes: Vec<usize> = self
                .chains
                .iter()
                .filter(|c| c.slots.contains(&u))
                .flat_map(|c| c.slots.iter().copied())
                .filter(|&s| {
                    self.slots
                        .get(s)
                        .is_some_and(|s| matches!(s.kind, SlotKind::Pass(_)))
                })
                .collect();
            crate::sort::sort_by_key(&mut passes, |&s| {
                (self.slots.get(s).map_or(0, |s| s.rank.abs_diff(rank)), s)
            });
            passes.dedup();
            let Some((c, local)) = self.place_of(u) else {
                continue;
            };
            // The ranks a move changes (to put back when it does not pay) and the gaps
            // whose crossings it changes.
            let mut places: Vec<(usize, usize, usize)> = std::iter::once(u)
                .chain(passes.iter().copied())
                .filter_map(|s| Some((self.place_of(s)?, self.slots.get(s)?.rank)))
                .map(|((c, l), r)| (c, l, r))
                .collect();
            crate::sort::sort(&mut places);
            places.dedup();
            let mut gaps: Vec<usize> = places
                .iter()
                .flat_map(|&(_, _, r)| [r.checked_sub(1), Some(r)])
                .flatten()
                .filter(|&g| g + 1 < self.ranks)
                .collect();
            crate::sort::sort(&mut gaps);
            gaps.dedup();
            let mut lists = (Vec::new(), Vec::new());
            let mut near = |l: &Self, pos: &[(f32, usize)]| -> usize {
                gaps.iter()
                    .map(|&g| l.crossings_below(g, pos, &mut lists))
                    .sum()
            };
            let mut crossings = near(self, &pos);
            let n = self.members(c, local).map_or(0, Vec::len);
            for j in 0..n {
                let before: Vec<Vec<usize>> = places
                    .iter()
                    .map(|&(c, l, _)| self.members(c, l).cloned().unwrap_or_default())
                    .collect();
                let Some(m) = self
                    .columns
                    .get_mut(c)
                    .and_then(|c| c.members.get_mut(local))
                else {
                    continue;
                };
                let Some(i) = m.iter().position(|&s| s == u) else {
                    continue;
                };
                if i == j {
                    continue;
                }
                m.remove(i);
                m.insert(j, u);
                self.place_rank(rank, &mut pos);
                for &p in &passes {
                    self.sift_slot(p, &mut pos);
                }
                let now = near(self, &pos);
                // A move that ties is kept too: it may open the way to one that gains.
                if now <= crossings {
                    any |= now < crossings;
                    crossings = now;
                } else {
                    for (&(c, l, r), list) in places.iter().zip(before) {
                        if let Some(m) = self.columns.get_mut(c).and_then(|c| c.members.get_mut(l))
                        {
                            *m = list;
                        }
                        self.place_rank(r, &mut pos);
                    }
                }
            }
        }
        any
    }

    /// The column a slot is in and its rank within the column's row.
    fn place_of(&self, s: usize) -> Option<(usize, usize)> {
        let rank = self.slots.get(s)?.rank;
        let row = self.rows.get(self.row_of(rank)?)?;
        let local = rank.checked_sub(row.first)?;
        let c = row
            .columns
            .iter()
            .copied()
            .find(|&c| self.members(c, local).is_some_and(|m| m.contains(&s)))?;
        Some((c, local))
    }

    /// A column's slots, rank by rank within its row (none for a column that is not).
    pub(super) fn column_slots(&self, c: usize) -> &[Vec<usize>] {
        self.columns.get(c).map_or(&[], |c| &c.members[..])
    }

    /// A column's slots at a rank within its row.
    fn members(&self, c: usize, local: usize) -> Option<&Vec<usize>> {
        self.columns.get(c)?.members.get(local)
    }

    /// Moves one slot to the place in its column's rank where its links cross least.
    fn sift_slot(&mut self, u: usize, pos: &mut [(f32, usize)]) {
        let Some(((c, local), rank)) = self.place_of(u).zip(self.slots.get(u).map(|s| s.rank))
        else {
            return;
        };
        self.sift_in(u, (c, local, rank), pos, &mut Vec::new());
    }

    /// [`Layered::sift_slot`] for a slot known to be in column `c` at its rank `local`
    /// within the row (`rank` globally), working out the crossings into `costs`.
    fn sift_in(
        &mut self,
        u: usize,
        (c, local, rank): (usize, usize, usize),
        pos: &mut [(f32, usize)],
        costs: &mut Vec<(usize, usize)>,
    ) {
        let order = self.members(c, local).map_or(&[][..], Vec::as_slice);
        let place = sifted(order, u, &self.fixed, costs, |v| {
            self.pair_crossings(u, v, pos)
        });
        let members = self
            .columns
            .get_mut(c)
            .and_then(|c| c.members.get_mut(local));
        if let (Some(place), Some(m)) = (place, members) {
            move_to(m, u, place);
            self.place_rank(rank, pos);
        }
    }

    /// Sweeps, swaps and sifting until they stop removing crossings; the best order
    /// met and its crossings.
    fn descend(&mut self, effort: Effort) -> (Snapshot, usize) {
        let mut best = self.snapshot();
        let mut best_crossings = self.crossings();
        let mut stall = 0;
        let rounds = match effort {
            Effort::Quick => 4,
            Effort::Full | Effort::Warm => 12,
        };
        for round in 0..rounds {
            if best_crossings == 0 {
                break;
            }
            self.sweep(round % 2 == 0);
            self.transpose();
            if effort != Effort::Quick {
                self.sift();
            }
            let c = self.crossings();
            if c < best_crossings {
                best = self.snapshot();
                best_crossings = c;
                stall = 0;
            } else {
                stall += 1;
                if stall >= 3 {
                    break;
                }
            }
        }
        (best, best_crossings)
    }

    /// Rearranges every row's columns and every column's ranks, fixed ones excepted.
    fn permute(&mut self, mut change: impl FnMut(&mut Vec<usize>)) {
        for row in &mut self.rows {
            if !row
                .columns
                .iter()
                .any(|c| self.fixed_column.get(*c).copied().unwrap_or(false))
            {
                change(&mut row.columns);
            }
        }
        for column in &mut self.columns {
            for members in &mut column.members {
                if !members
                    .iter()
                    .any(|s| self.fixed.get(*s).copied().unwrap_or(false))
                {
                    change(members);
                }
            }
        }
    }

    fn snapshot(&self) -> Snapshot {
        let mut all = Vec::with_capacity(self.columns.len() + self.slots.len());
        for row in &self.rows {
            all.extend_from_slice(&row.columns);
        }
        for column in &self.columns {
            for members in &column.members {
                all.extend_from_slice(members);
            }
        }
        all
    }

    fn restore(&mut self, snapshot: &[usize]) {
        let mut rest = snapshot;
        let lists = self
            .rows
            .iter_mut()
            .map(|r| &mut r.columns)
            .chain(self.columns.iter_mut().flat_map(|c| c.members.iter_mut()));
        for list in lists {
            let (taken, left) = rest.split_at(list.len().min(rest.len()));
            list.clear();
            list.extend_from_slice(taken);
            rest = left;
        }
    }

    /// One sweep down (each rank ordered by its links to the rank above) or up.
    fn sweep(&mut self, down: bool) {
        let mut pos = self.positions();
        // Reused for every list ordered: its keys, and the keys paired with the items.
        let mut keys: Vec<f32> = Vec::new();
        let mut paired: Vec<(f32, usize)> = Vec::new();
        for step in 0..self.ranks {
            let rank = if down { step } else { self.ranks - 1 - step };
            let Some(r) = self.row_of(rank) else { continue };
            let Some(row) = self.rows.get(r) else {
                continue;
            };
            let (first, depth) = (row.first, row.depth);
            let local = rank - first;
            // Boxes and lanes move as blocks where the row meets the rank before it.
            let boundary = if down { local == 0 } else { local + 1 == depth };
            if boundary {
                let count = row.columns.len().max(1) as f32;
                keys.clear();
                for (i, &c) in row.columns.iter().enumerate() {
                    let members = self
                        .columns
                        .get(c)
                        .and_then(|c| c.members.get(local))
                        .map_or(&[][..], Vec::as_slice);
                    let wished = mean(members.iter().filter_map(|&s| self.key(s, &pos, down)));
                    keys.push(wished.unwrap_or_else(|| {
                        members
                            .first()
                            .and_then(|&s| pos.get(s).map(|p| p.0))
                            .unwrap_or((i as f32 + 0.5) / count)
                    }));
                }
                if let Some(row) = self.rows.get_mut(r) {
                    keep_fixed(&row.columns, &mut keys, &self.fixed_column);
                    sort_by_keys(&mut row.columns, &keys, &mut paired);
                }
                for k in first..first + depth {
                    self.place_rank(k, &mut pos);
                }
            }
            let Some(row) = self.rows.get(r) else {
                continue;
            };
            for &c in &row.columns {
                let Some(members) = self.columns.get(c).and_then(|c| c.members.get(local)) else {
                    continue;
                };
                keys.clear();
                keys.extend(members.iter().map(|&s| {
                    self.key(s, &pos, down)
                        .unwrap_or_else(|| pos.get(s).map_or(0.0, |p| p.0))
                }));
                keep_fixed(members, &mut keys, &self.fixed);
                if let Some(m) = self
                    .columns
                    .get_mut(c)
                    .and_then(|c| c.members.get_mut(local))
                {
                    sort_by_keys(m, &keys, &mut paired);
                }
            }
            self.place_rank(rank, &mut pos);
        }
    }

    /// Where a slot would like to be in a sweep: the mean place of the slots it links
    /// to in the rank above (down) or below, weighted by the arrows each link carries.
    fn key(&self, s: usize, pos: &[(f32, usize)], down: bool) -> Option<f32> {
        let slot = self.slots.get(s)?;
        let near = if down { &slot.up } else { &slot.down };
        let (sum, weight) = near
            .iter()
            .filter_map(|&(n, w)| pos.get(n).map(|p| (p.0 * w as f32, w as f32)))
            .fold((0.0, 0.0), |(s, t), (x, w)| (s + x, t + w));
        (weight > 0.0).then(|| sum / weight)
    }

    /// Crossings between the links of slot `a` and of slot `b` when `a` is left of
    /// `b`, and when it is right of it.
    fn pair_crossings(&self, a: usize, b: usize, pos: &[(f32, usize)]) -> (usize, usize) {
        let (Some(sa), Some(sb)) = (self.slots.get(a), self.slots.get(b)) else {
            return (0, 0);
        };
        let up = count_pairs(&sa.up, &sb.up, pos);
        let down = count_pairs(&sa.down, &sb.down, pos);
        (up.0 + down.0, up.1 + down.1)
    }

    /// Like [`Layered::pair_crossings`] for two columns of a row, by the links that
    /// leave the row above and below.
    fn column_crossings(&self, a: usize, b: usize, pos: &[(f32, usize)]) -> (usize, usize) {
        let (Some(ea), Some(eb)) = (self.ends.get(a), self.ends.get(b)) else {
            return (0, 0);
        };
        let up = count_pairs(&ea.0, &eb.0, pos);
        let down = count_pairs(&ea.1, &eb.1, pos);
        (up.0 + down.0, up.1 + down.1)
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
                for i in 1..row.columns.len() {
                    let pair = self
                        .rows
                        .get(r)
                        .and_then(|row| Some((*row.columns.get(i - 1)?, *row.columns.get(i)?)));
                    let Some((a, b)) = pair else {
                        continue;
                    };
                    let fixed = |c: usize| self.fixed_column.get(c).copied().unwrap_or(false);
                    if fixed(a) && fixed(b) {
                        continue;
                    }
                    let (ab, ba) = self.column_crossings(a, b, &pos);
                    if ba < ab {
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
                            let (ab, ba) = self.pair_crossings(a, b, &pos);
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

    /// Moves each slot to the place in its column's rank where its links cross least,
    /// and each column to the place in its row where the links leaving the row cross
    /// least (sifting); fixed ones keep their order among themselves.
    fn sift(&mut self) {
        let mut pos = self.positions();
        let mut costs: Vec<(usize, usize)> = Vec::new();
        let mut visit: Vec<usize> = Vec::new();
        for r in 0..self.rows.len() {
            let Some(row) = self.rows.get(r) else {
                continue;
            };
            let (first, depth) = (row.first, row.depth);
            // Boxes (lanes, often many, follow the sweeps and swaps).
            visit.clear();
            visit.extend_from_slice(&row.columns);
            for &a in &visit {
                if self
                    .columns
                    .get(a)
                    .is_some_and(|c| c.kind == ColumnKind::Lane)
                {
                    continue;
                }
                let Some(order) = self.rows.get(r).map(|row| row.columns.as_slice()) else {
                    continue;
                };
                let place = sifted(order, a, &self.fixed_column, &mut costs, |b| {
                    self.column_crossings(a, b, &pos)
                });
                if let (Some(place), Some(row)) = (place, self.rows.get_mut(r)) {
                    move_to(&mut row.columns, a, place);
                    for k in first..first + depth {
                        self.place_rank(k, &mut pos);
                    }
                }
            }
            // Slots within columns.
            for local in 0..depth {
                let count = self.rows.get(r).map_or(0, |row| row.columns.len());
                for i in 0..count {
                    let Some(c) = self.rows.get(r).and_then(|row| row.columns.get(i)).copied()
                    else {
                        continue;
                    };
                    visit.clear();
                    visit.extend_from_slice(self.members(c, local).map_or(&[][..], Vec::as_slice));
                    // Sifting costs the square of a rank's length: long ones follow the
                    // sweeps and swaps alone.
                    if visit.len() < 2 || visit.len() > SIFT_MOST {
                        continue;
                    }
                    for &u in &visit {
                        self.sift_in(u, (c, local, first + local), &mut pos, &mut costs);
                    }
                }
            }
        }
    }

    /// Orders everything by where it was: cards and boxes by their place before, the
    /// rest by where their arrow's ends were.
    fn order_by_hints(&mut self, hints: &Hints) {
        let mut paired = Vec::new();
        // Each slot's estimated x: a card's from before, a pass's between its arrow's ends.
        let mut x: Vec<Option<f32>> = self
            .slots
            .iter()
            .map(|s| match s.kind {
                SlotKind::Card(c) => hints.card_x.get(c).copied().flatten(),
                SlotKind::Pass(_) | SlotKind::Junction(_) => None,
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
            if matches!(slot.kind, SlotKind::Card(_) | SlotKind::Junction(_)) {
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
            if let Some(row) = self.rows.get_mut(r) {
                sort_by_keys(&mut row.columns, &keys, &mut paired);
            }
        }
        for column in &mut self.columns {
            for members in &mut column.members {
                let keys: Vec<f32> = members.iter().map(|&s| at(s)).collect();
                sort_by_keys(members, &keys, &mut paired);
            }
        }
    }
}

/// For links to `near_a` and to `near_b` (slots in one adjacent rank, with the arrows
/// each carries): how many pairs of arrows cross when their owner `a` is left of `b`,
/// and when it is right of it.
fn count_pairs(
    near_a: &[(usize, u32)],
    near_b: &[(usize, u32)],
    pos: &[(f32, usize)],
) -> (usize, usize) {
    let at = |s: usize| pos.get(s).map_or(0, |p| p.1);
    let (mut ab, mut ba) = (0, 0);
    for &(x, wx) in near_a {
        let px = at(x);
        for &(y, wy) in near_b {
            let w = (wx * wy) as usize;
            match px.cmp(&at(y)) {
                std::cmp::Ordering::Greater => ab += w,
                std::cmp::Ordering::Less => ba += w,
                std::cmp::Ordering::Equal => {}
            }
        }
    }
    (ab, ba)
}

/// Where `item` crosses least in `order`, given for each other item (in order) the
/// crossings with `item` left of it and right of it: its place among the others, or
/// `None` when it is best where it is. A fixed item stays between the fixed items
/// around it.
fn best_place(
    order: &[usize],
    item: usize,
    costs: &[(usize, usize)],
    fixed: &[bool],
) -> Option<usize> {
    let here = order.iter().position(|&o| o == item)?;
    // The others: `order` without `item`, which is at `here`.
    let (left, right) = (order.get(..here)?, order.get(here + 1..)?);
    let others = order.len() - 1;
    let is_fixed = |o: usize| fixed.get(o).copied().unwrap_or(false);
    // The places it may take among the others.
    let (lo, hi) = if is_fixed(item) {
        let before = left.iter().rposition(|&o| is_fixed(o)).map_or(0, |p| p + 1);
        let after = right
            .iter()
            .position(|&o| is_fixed(o))
            .map_or(others, |p| here + p);
        (before, after)
    } else {
        (0, others)
    };
    // Cost with `item` before every other, then moving it right one at a time.
    let mut cost: usize = costs.iter().map(|c| c.0).sum();
    let mut best = (usize::MAX, here);
    for p in 0..=others {
        if p >= lo && p <= hi && (cost < best.0 || (cost == best.0 && p == here)) {
            best = (cost, p);
        }
        if let Some(&(left, right)) = costs.get(p) {
            cost = cost - left + right;
        }
    }
    let current: usize = {
        let mut c = 0;
        for (k, &(left, right)) in costs.iter().enumerate() {
            c += if k < here { right } else { left };
        }
        c
    };
    if best.1 == here || best.0 >= current {
        return None;
    }
    Some(best.1)
}

/// [`best_place`] with the crossings `cost` gives against each other item of `order`,
/// worked out into `costs`.
fn sifted(
    order: &[usize],
    item: usize,
    fixed: &[bool],
    costs: &mut Vec<(usize, usize)>,
    cost: impl Fn(usize) -> (usize, usize),
) -> Option<usize> {
    costs.clear();
    costs.extend(order.iter().filter(|&&o| o != item).map(|&o| cost(o)));
    best_place(order, item, costs, fixed)
}

/// Moves `item` in `list` to `place` among the others.
fn move_to(list: &mut Vec<usize>, item: usize, place: usize) {
    if let Some(here) = list.iter().position(|&o| o == item) {
        list.remove(here);
        list.insert(place.min(list.len()), item);
    }
}

/// Makes `keys` keep the fixed items of `items` in their present order: each fixed
/// item's key becomes at least the key of the fixed item before it.
fn keep_fixed(items: &[usize], keys: &mut [f32], fixed: &[bool]) {
    let mut floor = f32::MIN;
    for (k, &item) in keys.iter_mut().zip(items) {
        if fixed.get(item).copied().unwrap_or(false) {
            *k = k.max(floor);
            floor = *k;
        }
    }
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
            crate::sort::sort_by(&mut boxes, |a, b| a.1.total_cmp(&b.1));
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

/// Puts `items` in the order of `keys` (equal keys keep their order), pairing them in
/// `paired`.
fn sort_by_keys(items: &mut [usize], keys: &[f32], paired: &mut Vec<(f32, usize)>) {
    paired.clear();
    paired.extend(
        items
            .iter()
            .enumerate()
            .map(|(i, &item)| (keys.get(i).copied().unwrap_or(f32::MAX), item)),
    );
    crate::sort::sort_by(paired, |a, b| a.0.total_cmp(&b.0));
    for (item, &(_, sorted)) in items.iter_mut().zip(paired.iter()) {
        *item = sorted;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::diagram::{graph::graph, rank};
    use crate::{Design, ImportOptions};

    #[test]
    fn two_long_arrows_that_cross_swap_every_pass_they_share() {
        // a calls b, c and d, each calling the next: a's arrows to c and d pass b's
        // rank, and the one to d passes c's too.
        let yaml = "services:
  a: {image: a, environment: [B=http://b:80, C=http://c:80, D=http://d:80]}
  b: {image: b, environment: [C=http://c:80]}
  c: {image: c, environment: [D=http://d:80]}
  d: {image: d}
";
        let design = Design::import(yaml, ImportOptions::default()).unwrap();
        let g = graph(design.model(), &design.analyze(), None);
        let mut l = Layered::new(&g, &rank::rank(&g, 2000.0, None, false, Default::default()));
        let card = |name: &str| g.cards.iter().position(|c| c.service == name).unwrap();
        let slot_of = |l: &Layered, kind: SlotKind, rank: usize| {
            l.slots
                .iter()
                .position(|s| s.kind == kind && s.rank == rank)
                .unwrap()
        };
        let link = |from: &str, to: &str| {
            g.links
                .iter()
                .position(|k| k.from == Some(card(from)) && k.to == card(to))
                .unwrap()
        };
        let (to_c, to_d) = (link("a", "c"), link("a", "d"));
        let b = slot_of(&l, SlotKind::Card(card("b")), 1);
        let c = slot_of(&l, SlotKind::Card(card("c")), 2);
        let (c1, d1, d2) = (
            slot_of(&l, SlotKind::Pass(to_c), 1),
            slot_of(&l, SlotKind::Pass(to_d), 1),
            slot_of(&l, SlotKind::Pass(to_d), 2),
        );
        // The arrow to d passes left of b and then right of c: it crosses b's arrow
        // and a's arrow to c.
        for (slot, order) in [(b, vec![d1, b, c1]), (c, vec![c, d2])] {
            let (column, local) = l.place_of(slot).unwrap();
            l.columns[column].members[local] = order;
        }
        assert_eq!(l.crossings(), 2);
        assert!(l.untangle());
        assert_eq!(l.crossings(), 0);
    }
}
