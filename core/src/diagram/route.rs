//! Orthogonal arrows: each runs down (or up) through its passes and bends only in the
//! gaps between ranks, where its horizontal run gets a track of its own. Tracks are
//! stacked so that two runs cross only where their order forces it: a run whose
//! vertical start lies under another run's span must run above it, one whose vertical
//! end lies under it must run below (the classic channel-routing constraints, with
//! their cycles broken).

use super::graph::CARD_H;
use super::order::Layered;
use super::place::{Across, Down, TRACK};

/// Two ends closer than this are drawn as one straight line.
const STRAIGHT: f32 = 2.0;
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

/// Where each arrow runs across, and its tracks.
pub(super) fn runs(layered: &Layered, across: &Across) -> Runs {
    let mut runs = Runs {
        drawn: Vec::with_capacity(layered.chains.len()),
        track: Vec::with_capacity(layered.chains.len()),
        count: vec![0; layered.ranks],
    };
    // Per gap: (arrow, link, from x, to x).
    let mut gaps: Vec<Vec<(usize, usize, f32, f32)>> = vec![Vec::new(); layered.ranks];
    for (a, chain) in layered.chains.iter().enumerate() {
        let mut drawn: Vec<f32> = Vec::with_capacity(chain.slots.len());
        for k in 0..chain.slots.len() {
            let x = across.attach(layered, a, k);
            let x = match drawn.last() {
                Some(&before) if (x - before).abs() < STRAIGHT => before,
                _ => x,
            };
            drawn.push(x);
        }
        for k in 1..chain.slots.len() {
            let (Some(&xa), Some(&xb)) = (drawn.get(k - 1), drawn.get(k)) else {
                continue;
            };
            let rank = chain
                .slots
                .get(k - 1)
                .and_then(|&s| layered.slots.get(s))
                .map(|s| s.rank);
            if let (Some(list), true) = (rank.and_then(|r| gaps.get_mut(r)), xa != xb) {
                list.push((a, k - 1, xa, xb));
            }
        }
        runs.track
            .push(vec![None; chain.slots.len().saturating_sub(1)]);
        runs.drawn.push(drawn);
    }
    for (rank, segments) in gaps.iter().enumerate() {
        let tracks = assign(segments);
        let mut most = 0;
        for (&(a, k, _, _), t) in segments.iter().zip(tracks) {
            most = most.max(t + 1);
            if let Some(slot) = runs.track.get_mut(a).and_then(|v| v.get_mut(k)) {
                *slot = Some(t);
            }
        }
        if let Some(c) = runs.count.get_mut(rank) {
            *c = most;
        }
    }
    runs
}

/// Tracks for the runs of one gap (0 is the top one).
fn assign(segments: &[(usize, usize, f32, f32)]) -> Vec<usize> {
    let n = segments.len();
    let span = |i: usize| {
        segments
            .get(i)
            .map_or((0.0, 0.0), |&(_, _, a, b)| (a.min(b), a.max(b)))
    };
    let inside = |x: f32, i: usize| {
        let (lo, hi) = span(i);
        x >= lo - RUN_GAP && x <= hi + RUN_GAP
    };
    let ends = |i: usize| segments.get(i).map_or((0.0, 0.0), |&(_, _, a, b)| (a, b));
    // above[i]: runs that must lie below run i.
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut inn = vec![0usize; n];
    for i in 0..n {
        for j in i + 1..n {
            let ((li, hi_), (lj, hj)) = (span(i), span(j));
            if li > hj + RUN_GAP || lj > hi_ + RUN_GAP {
                continue;
            }
            let ((ai, bi), (aj, bj)) = (ends(i), ends(j));
            // A run's start drops from above into its track; its end drops below it.
            let i_first = inside(ai, j) || inside(bj, i);
            let j_first = inside(aj, i) || inside(bi, j);
            let (upper, lower) = match (i_first, j_first) {
                (true, false) => (i, j),
                (false, true) => (j, i),
                // They must cross: either order crosses once.
                _ => {
                    if ai <= aj {
                        (i, j)
                    } else {
                        (j, i)
                    }
                }
            };
            if let Some(list) = below.get_mut(upper) {
                list.push(lower);
            }
            if let Some(k) = inn.get_mut(lower) {
                *k += 1;
            }
        }
    }
    // Longest path from the top, in topological order; a cycle is broken at the run
    // with the fewest runs still above it.
    let mut track = vec![0usize; n];
    let mut done = vec![false; n];
    for _ in 0..n {
        let next = (0..n)
            .filter(|&i| done.get(i) == Some(&false))
            .min_by_key(|&i| (inn.get(i).copied().unwrap_or(0), i));
        let Some(v) = next else { break };
        if let Some(d) = done.get_mut(v) {
            *d = true;
        }
        let here = track.get(v).copied().unwrap_or(0);
        for &w in below.get(v).map_or(&[][..], Vec::as_slice) {
            if done.get(w) == Some(&true) {
                continue;
            }
            if let Some(t) = track.get_mut(w) {
                *t = (*t).max(here + 1);
            }
            if let Some(k) = inn.get_mut(w) {
                *k = k.saturating_sub(1);
            }
        }
    }
    track
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
                chain.slots.first().map_or(0.0, |&s| top(s) + CARD_H)
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
                let y = down.track_top.get(rank).copied().unwrap_or(0.0) + t as f32 * TRACK;
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
        let t = assign(&segs);
        assert_eq!(crossings(&segs, &t), 0, "{t:?}");
        // Runs that do not overlap share a track.
        assert_eq!(t.iter().copied().max(), Some(3));
    }

    #[test]
    fn runs_out_of_order_cross_once() {
        let segs = [(0, 0, 0.0, 50.0), (1, 0, 10.0, 30.0)];
        let t = assign(&segs);
        assert_eq!(crossings(&segs, &t), 1);
    }
}
