//! Orthogonal arrows: each runs down (or up) through its passes and bends only in the
//! gaps between ranks, where its horizontal run gets a track of its own. Tracks are
//! stacked so that two runs cross only where their order forces it: a run whose
//! vertical start lies under another run's span must run above it, one whose vertical
//! end lies under it must run below (the classic channel-routing constraints, with
//! their cycles broken). Two runs that cross either way constrain nothing; they only
//! take different tracks.

use super::graph::CARD_H;
use super::order::{Layered, SlotKind};
use super::place::{Across, Down};

/// Two ends closer than this are drawn as one straight line.
const STRAIGHT: f32 = 5.0;
/// Runs on one track keep this far apart.
const RUN_GAP: f32 = 4.0;

/// The arrows' horizontal runs.
#[derive(Debug, Clone, Default)]
pub(super) struct Runs {
    /// Per arrow: the x it is drawn at in each slot of its chain.
    pub drawn: Vec<Vec<f32>>,
    /// Per arrow: for each link of its chain (slot k to k + 1), its track when it bends.
    pub track: Vec<Vec<Option<usize>>>,
    /// Per global rank: tracks in the gap below it.
    pub count: Vec<usize>,
}

/// A horizontal run between two ranks: from `xa` under its upper slot to `xb` over its
/// lower one.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Run {
    upper: usize,
    lower: usize,
    xa: f32,
    xb: f32,
}

/// Runs grouped into nets: for each net the x its verticals come down from and the x
/// they go on down at; for each run its net.
type Nets = (Vec<(Vec<f32>, Vec<f32>)>, Vec<usize>);

/// Where each link runs across, and its tracks.
pub(super) fn runs(layered: &Layered, across: &Across) -> Runs {
    let mut runs = Runs {
        drawn: Vec::with_capacity(layered.chains.len()),
        track: Vec::with_capacity(layered.chains.len()),
        count: vec![0; layered.ranks],
    };
    let is_card = |s: usize| {
        layered
            .slots
            .get(s)
            .is_some_and(|s| matches!(s.kind, SlotKind::Card(_)))
    };
    // A slot several links arrive at (a bundle's trunk) is drawn where it is, the same
    // for all of them; another is drawn straight under the slot before it when that
    // is within a hair.
    let shared = |s: usize| layered.slots.get(s).is_some_and(|s| s.up.len() > 1);
    // Per gap: its runs, each once; per link and step, the gap and run it takes.
    let mut gaps: Vec<Vec<Run>> = vec![Vec::new(); layered.ranks];
    let mut run_of: Vec<Vec<Option<(usize, usize)>>> = Vec::with_capacity(layered.chains.len());
    for (a, chain) in layered.chains.iter().enumerate() {
        let mut drawn: Vec<f32> = Vec::with_capacity(chain.slots.len());
        for (k, &slot) in chain.slots.iter().enumerate() {
            let x = across.attach(layered, a, k);
            let x = match drawn.last() {
                Some(&before)
                    if (x - before).abs() < STRAIGHT && (is_card(slot) || !shared(slot)) =>
                {
                    before
                }
                _ => x,
            };
            drawn.push(x);
        }
        let mut mine = vec![None; chain.slots.len().saturating_sub(1)];
        for k in 1..chain.slots.len() {
            let (Some(&xa), Some(&xb), Some(&upper), Some(&lower)) = (
                drawn.get(k - 1),
                drawn.get(k),
                chain.slots.get(k - 1),
                chain.slots.get(k),
            ) else {
                continue;
            };
            let rank = layered.slots.get(upper).map(|s| s.rank);
            let (Some(r), true) = (rank, xa != xb) else {
                continue;
            };
            let Some(list) = gaps.get_mut(r) else {
                continue;
            };
            let run = Run {
                upper,
                lower,
                xa,
                xb,
            };
            let i = match list.iter().position(|x| *x == run) {
                Some(i) => i,
                None => {
                    list.push(run);
                    list.len() - 1
                }
            };
            if let Some(m) = mine.get_mut(k - 1) {
                *m = Some((r, i));
            }
        }
        run_of.push(mine);
        runs.track
            .push(vec![None; chain.slots.len().saturating_sub(1)]);
        runs.drawn.push(drawn);
    }
    let mut tracks_of: Vec<Vec<usize>> = Vec::with_capacity(gaps.len());
    for (rank, list) in gaps.iter().enumerate() {
        let tracks = assign(&nets(list, &is_card));
        let most = tracks.iter().map(|t| t + 1).max().unwrap_or(0);
        if let Some(c) = runs.count.get_mut(rank) {
            *c = most;
        }
        tracks_of.push(tracks);
    }
    for (a, mine) in run_of.iter().enumerate() {
        for (k, at) in mine.iter().enumerate() {
            let Some((rank, i)) = *at else { continue };
            let t = tracks_of.get(rank).and_then(|t| t.get(i)).copied();
            if let Some(slot) = runs.track.get_mut(a).and_then(|v| v.get_mut(k)) {
                *slot = t;
            }
        }
    }
    runs
}

/// The runs of one gap in nets: runs that meet at a slot other than a card (a bundle's
/// trunk or junction) run as one line, one track, where no other run comes down or
/// goes on inside that line's span (so the line crosses nothing the runs would not);
/// the others each on a track of their own.
fn nets(runs: &[Run], is_card: &dyn Fn(usize) -> bool) -> Nets {
    let n = runs.len();
    let mut of: Vec<usize> = (0..n).collect();
    // Candidate groups: by the shared lower slot, then by the shared upper slot.
    for lower_side in [true, false] {
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            let key = if lower_side { r.lower } else { r.upper };
            if is_card(key) || of.get(i) != Some(&i) {
                continue;
            }
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        for (_, list) in groups.into_iter().filter(|(_, l)| l.len() > 1) {
            let xs = || {
                list.iter()
                    .filter_map(|&i| runs.get(i))
                    .flat_map(|r| [r.xa, r.xb])
            };
            let lo = xs().fold(f32::MAX, f32::min);
            let hi = xs().fold(f32::MIN, f32::max);
            let foreign = runs.iter().enumerate().any(|(j, r)| {
                !list.contains(&j)
                    && [r.xa, r.xb]
                        .iter()
                        .any(|&x| x > lo - RUN_GAP && x < hi + RUN_GAP)
            });
            if foreign {
                continue;
            }
            let Some(&first) = list.first() else { continue };
            for &i in &list {
                if let Some(o) = of.get_mut(i) {
                    *o = first;
                }
            }
        }
    }
    // Number the nets.
    let mut index: Vec<Option<usize>> = vec![None; n];
    let mut out: Vec<(Vec<f32>, Vec<f32>)> = Vec::new();
    let mut net_of = Vec::with_capacity(n);
    for (i, r) in runs.iter().enumerate() {
        let root = of.get(i).copied().unwrap_or(i);
        let k = match index.get(root).copied().flatten() {
            Some(k) => k,
            None => {
                out.push((Vec::new(), Vec::new()));
                if let Some(slot) = index.get_mut(root) {
                    *slot = Some(out.len() - 1);
                }
                out.len() - 1
            }
        };
        if let Some(net) = out.get_mut(k) {
            net.0.push(r.xa);
            net.1.push(r.xb);
        }
        net_of.push(k);
    }
    (out, net_of)
}

/// Tracks for the runs of one gap (0 is the top one), by their nets.
fn assign((nets, of): &Nets) -> Vec<usize> {
    let n = nets.len();
    let spans: Vec<(f32, f32)> = nets
        .iter()
        .map(|(a, b)| {
            a.iter()
                .chain(b)
                .fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
        })
        .collect();
    // Two nets whose spans come within a run gap of each other need different tracks.
    let overlap = |i: usize, j: usize| match (spans.get(i), spans.get(j)) {
        (Some(a), Some(b)) => a.0 <= b.1 + RUN_GAP && b.0 <= a.1 + RUN_GAP,
        _ => false,
    };
    // below[i]: nets that must run lower than net i.
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut inn = vec![0usize; n];
    for i in 0..n {
        for j in i + 1..n {
            if !overlap(i, j) {
                continue;
            }
            let (Some(&si), Some(&sj), Some((ai, bi)), Some((aj, bj))) =
                (spans.get(i), spans.get(j), nets.get(i), nets.get(j))
            else {
                continue;
            };
            // A net's verticals drop from above into its track and go on down from it:
            // one dropping into another's span must run above it, one going on down
            // under another's span must run below it.
            // Runs that share an end meet there (they touch, not cross): that end says
            // nothing, except that of two runs leaving one point the farther runs
            // higher.
            let same =
                |a: &[f32], b: &[f32]| a.iter().any(|&x| b.iter().any(|&y| (x - y).abs() < 0.5));
            let (shared_start, shared_end) = (same(ai, aj), same(bi, bj));
            // Whether the net with starts `a` and span `s` must run above the other (ends
            // `ob`, span `os`), its ends kept `gap` clear of the other's span.
            type Net<'a> = (&'a [f32], &'a [f32], (f32, f32));
            let above = |(a, _, s): Net<'_>, (_, ob, os): Net<'_>, gap: f32| {
                let inside = |x: f32, (lo, hi): (f32, f32)| x >= lo - gap && x <= hi + gap;
                if shared_start {
                    // The farther reaching runs higher.
                    s.1 - s.0 > os.1 - os.0
                } else {
                    a.iter().any(|&x| inside(x, os))
                        || (!shared_end && ob.iter().any(|&x| inside(x, s)))
                }
            };
            let (ni, nj) = ((&ai[..], &bi[..], si), (&aj[..], &bj[..], sj));
            let first = |gap: f32| (above(ni, nj, gap), above(nj, ni, gap));
            // Runs keep their gap from each other's ends; where that asks each to run
            // above the other, the ends themselves decide, and only where they too
            // conflict must the runs cross.
            let order = match first(RUN_GAP) {
                (true, true) => first(0.0),
                either => either,
            };
            let (upper, lower) = match order {
                (true, false) => (i, j),
                (false, true) => (j, i),
                // They must cross: either order crosses, so the pair asks nothing of
                // the order; they only keep to tracks of their own (below).
                _ => continue,
            };
            if let Some(list) = below.get_mut(upper) {
                list.push(lower);
            }
            if let Some(k) = inn.get_mut(lower) {
                *k += 1;
            }
        }
    }
    // A topological order, the net that starts further left first where the order is
    // free (as two runs that must cross are drawn); a cycle is broken at the net with
    // the fewest nets still above it.
    let left = |i: usize| {
        nets.get(i)
            .map_or(0.0, |(a, _)| a.iter().copied().fold(f32::MAX, f32::min))
    };
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for _ in 0..n {
        let next = (0..n)
            .filter(|&i| done.get(i) == Some(&false))
            .min_by(|&a, &b| {
                let inn = |i: usize| inn.get(i).copied().unwrap_or(0);
                inn(a)
                    .cmp(&inn(b))
                    .then(left(a).total_cmp(&left(b)))
                    .then(a.cmp(&b))
            });
        let Some(v) = next else { break };
        if let Some(d) = done.get_mut(v) {
            *d = true;
        }
        order.push(v);
        for &w in below.get(v).map_or(&[][..], Vec::as_slice) {
            if let Some(k) = inn.get_mut(w) {
                *k = k.saturating_sub(1);
            }
        }
    }
    // Each net in that order on the highest track below every net it must run under
    // that no net it overlaps has taken: nets that must cross each other just keep
    // apart, on whichever tracks are free.
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (u, list) in below.iter().enumerate() {
        for &w in list {
            if let Some(a) = above.get_mut(w) {
                a.push(u);
            }
        }
    }
    let mut track: Vec<Option<usize>> = vec![None; n];
    for &v in &order {
        let upper = above.get(v).map_or(&[][..], Vec::as_slice);
        let least = upper
            .iter()
            .filter_map(|&u| track.get(u).copied().flatten())
            .map(|t| t + 1)
            .max()
            .unwrap_or(0);
        let mut taken = vec![false; n + 1];
        for w in (0..n).filter(|&w| w != v && overlap(v, w)) {
            if let Some(t) = track
                .get(w)
                .copied()
                .flatten()
                .and_then(|t| taken.get_mut(t))
            {
                *t = true;
            }
        }
        let free = (least..)
            .find(|&t| !taken.get(t).copied().unwrap_or(false))
            .unwrap_or(least);
        if let Some(slot) = track.get_mut(v) {
            *slot = Some(free);
        }
    }
    let track: Vec<usize> = track.into_iter().map(Option::unwrap_or_default).collect();
    of.iter()
        .map(|&k| track.get(k).copied().unwrap_or(0))
        .collect()
}

/// Each arrow's points, from its source's port to its target's, orthogonal.
pub(super) fn polylines(
    layered: &Layered,
    runs: &Runs,
    down: &Down,
    from_internet: &[bool],
) -> Vec<Vec<(f32, f32)>> {
    let top = |s: usize| {
        layered
            .slots
            .get(s)
            .and_then(|s| down.rank_top.get(s.rank))
            .copied()
            .unwrap_or(0.0)
    };
    let height = |s: usize| {
        layered
            .slots
            .get(s)
            .and_then(|s| down.rank_height.get(s.rank))
            .copied()
            .unwrap_or(CARD_H)
    };
    layered
        .chains
        .iter()
        .enumerate()
        .map(|(a, chain)| {
            let drawn = runs.drawn.get(a).map_or(&[][..], Vec::as_slice);
            let Some(&x0) = drawn.first() else {
                return Vec::new();
            };
            let internet = from_internet.get(a).copied().unwrap_or(false);
            let y0 = if internet {
                down.internet.map_or(0.0, |(_, bottom)| bottom)
            } else {
                chain.slots.first().map_or(0.0, |&s| top(s) + height(s))
            };
            let mut points = vec![(x0, y0)];
            for k in 1..chain.slots.len() {
                let (Some(&xa), Some(&xb)) = (drawn.get(k - 1), drawn.get(k)) else {
                    continue;
                };
                if xa == xb {
                    continue;
                }
                let rank = chain
                    .slots
                    .get(k - 1)
                    .and_then(|&s| layered.slots.get(s))
                    .map_or(0, |s| s.rank);
                let t = runs
                    .track
                    .get(a)
                    .and_then(|v| v.get(k - 1))
                    .copied()
                    .flatten()
                    .unwrap_or(0);
                let y = down.track_top.get(rank).copied().unwrap_or(0.0) + t as f32 * down.track;
                points.push((xa, y));
                points.push((xb, y));
            }
            let x1 = drawn.last().copied().unwrap_or(x0);
            points.push((x1, chain.slots.last().map_or(0.0, |&s| top(s))));
            if chain.reversed {
                points.reverse();
            }
            points
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each run a net of its own.
    fn single(segments: &[(usize, usize, f32, f32)]) -> Nets {
        (
            segments
                .iter()
                .map(|&(_, _, a, b)| (vec![a], vec![b]))
                .collect(),
            (0..segments.len()).collect(),
        )
    }

    fn crossings(segments: &[(usize, usize, f32, f32)], tracks: &[usize]) -> usize {
        // Each run: down at a from 0 to its track, across, down at b to 100.
        let y = |t: usize| 10.0 + t as f32 * 8.0;
        let mut n = 0;
        for (i, &(_, _, ai, bi)) in segments.iter().enumerate() {
            for (j, &(_, _, aj, bj)) in segments.iter().enumerate() {
                if i == j {
                    continue;
                }
                let (ti, tj) = (y(tracks[i]), y(tracks[j]));
                let (lo, hi) = (aj.min(bj), aj.max(bj));
                // i's verticals against j's run.
                if ai > lo && ai < hi && tj < ti {
                    n += 1;
                }
                if bi > lo && bi < hi && tj > ti {
                    n += 1;
                }
            }
        }
        n
    }

    #[test]
    fn runs_in_order_never_cross() {
        // Four arrows fanning right and two fanning left, in order: no crossing.
        let segs = [
            (0, 0, 0.0, 40.0),
            (1, 0, 10.0, 60.0),
            (2, 0, 20.0, 80.0),
            (3, 0, 30.0, 100.0),
            (4, 0, 200.0, 120.0),
            (5, 0, 210.0, 150.0),
        ];
        let t = assign(&single(&segs));
        assert_eq!(crossings(&segs, &t), 0, "{t:?}");
        // Runs that do not overlap share a track.
        assert_eq!(t.iter().copied().max(), Some(3));
    }

    #[test]
    fn runs_whose_ends_come_near_still_need_not_cross() {
        // Two runs fanning right, the second's end within a run gap of the first's: the
        // kept gap would ask each to run above the other; their ends say which.
        let segs = [(0, 0, 333.1, 350.8), (1, 0, 343.1, 354.6)];
        let t = assign(&single(&segs));
        assert_eq!(crossings(&segs, &t), 0, "{t:?}");
    }

    #[test]
    fn runs_that_must_cross_ask_nothing_of_the_others() {
        // eShopOnContainers: a fan of four runs from one point, and a long run whose
        // span holds the fan's start and all of one branch (they cross whichever runs
        // higher) and whose end lies under the other branches (it runs below them).
        // Ordering that one pair by where they start made a cycle, whose breaking
        // took the long run over the whole fan.
        let segs = [
            (0, 0, 364.0, 629.0),
            (1, 0, 271.0, 453.0),
            (2, 0, 569.0, 467.0),
            (3, 0, 569.0, 643.0),
            (4, 0, 569.0, 724.0),
            (5, 0, 569.0, 805.0),
        ];
        let t = assign(&single(&segs));
        assert_eq!(crossings(&segs, &t), 1, "{t:?}");
    }

    #[test]
    fn runs_out_of_order_cross_once() {
        let segs = [(0, 0, 0.0, 50.0), (1, 0, 10.0, 30.0)];
        let t = assign(&single(&segs));
        assert_eq!(crossings(&segs, &t), 1);
    }
}
