//! Where a box's title line puts its name and its flags (`overlay · encrypted`): the
//! name at the left and the flags at the right, each moved along the line off the
//! arrows that cross it where the line has room, so no arrow runs through a word.

use super::layout::{Edge, Rect};
use super::text;

/// Where the name starts and the flags end, from the box's edges, when nothing is in
/// the way.
pub(super) const INSET: f32 = 14.0;
/// The title line's top and bottom below the box's top (16 px text on a baseline at 23).
const LINE: (f32, f32) = (8.0, 28.0);
/// How far text keeps from an arrow crossing its line: half the widest stroke and a gap.
const CLEAR: f32 = 5.0;
/// The least gap between the name and the flags.
const GAP: f32 = 12.0;

/// How wide a box's name is drawn: 16 px, bold.
pub(super) fn name_width(title: &str) -> f32 {
    text::width(title, 16.0, true)
}

/// How wide a box's flags are drawn: 12 px.
pub(super) fn flags_width(subtitle: &str) -> f32 {
    text::width(subtitle, 12.0, false)
}

/// Every straight piece of every arrow as its extent: left, right, top, bottom.
pub(super) type Extent = (f32, f32, f32, f32);

/// The extents of the arrows' pieces, gathered once for every box's title line.
pub(super) fn extents(edges: &[Edge]) -> Vec<Extent> {
    let pieces = edges
        .iter()
        .flat_map(|e| e.points.iter().zip(e.points.iter().skip(1)));
    pieces
        .map(|(&(x0, y0), &(x1, y1))| (x0.min(x1), x0.max(x1), y0.min(y1), y0.max(y1)))
        .collect()
}

/// Where a box's name starts and its flags end, from the box's left edge: where the
/// fewest arrows (`extents`) cross them, and of those the nearest to the edges (the
/// name moves less willingly than the flags).
pub(super) fn place(rect: &Rect, title: &str, subtitle: &str, extents: &[Extent]) -> (f32, f32) {
    let (top, bottom) = (rect.y + LINE.0, rect.y + LINE.1);
    let (left, right) = (rect.x, rect.x + rect.w);
    // Along the line, from the box's left edge: where arrows cross it.
    let mut blocked: Vec<(f32, f32)> = extents
        .iter()
        .filter(|&&(xl, xh, yl, yh)| yh > top && yl < bottom && xh > left && xl < right)
        .map(|&(xl, xh, _, _)| (xl - CLEAR - left, xh + CLEAR - left))
        .collect();
    let (start, end) = (INSET, rect.w - INSET);
    if blocked.is_empty() {
        return (start, end);
    }
    // Overlapping crossings as one stretch (a bundle of arrows), with how many arrows.
    crate::sort::sort_by(&mut blocked, |a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f32, f32, usize)> = Vec::with_capacity(blocked.len());
    for (lo, hi) in blocked {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => {
                last.1 = last.1.max(hi);
                last.2 += 1;
            }
            _ => merged.push((lo, hi, 1)),
        }
    }
    let (tw, sw) = (name_width(title), flags_width(subtitle));
    let hits = |a: f32, b: f32| -> usize {
        merged
            .iter()
            .filter(|&&(lo, hi, _)| lo < b && hi > a)
            .map(|m| m.2)
            .sum()
    };
    let clamp = |v: f32, lo: f32, hi: f32| v.min(hi).max(lo);
    // Each place for the name and for the flags: at the edge, or just past a crossing;
    // with the crossings it has and how far it moved.
    let names: Vec<(f32, usize, f32)> = [start]
        .into_iter()
        .chain(merged.iter().flat_map(|&(lo, hi, _)| [hi, lo - tw]))
        .map(|t| clamp(t, start, (end - tw).max(start)))
        .map(|t| (t, hits(t, t + tw), 2.0 * (t - start)))
        .collect();
    let flags: Vec<(f32, usize, f32)> = if sw > 0.0 {
        [end]
            .into_iter()
            .chain(merged.iter().flat_map(|&(lo, hi, _)| [lo, hi + sw]))
            .map(|e| clamp(e, (start + sw).min(end), end))
            .map(|e| (e, hits(e - sw, e), end - e))
            .collect()
    } else {
        vec![(end, 0, 0.0)]
    };
    let mut best = (usize::MAX, f32::MAX, start, end);
    for &(t, t_hits, t_moved) in &names {
        for &(e, e_hits, e_moved) in &flags {
            if sw > 0.0 && t + tw + GAP > e - sw {
                continue;
            }
            let cost = (t_hits + e_hits, t_moved + e_moved);
            if cost < (best.0, best.1) {
                best = (cost.0, cost.1, t, e);
            }
        }
    }
    (best.2, best.3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram::Change;

    fn arrow_down(x: f32) -> Edge {
        arrow(vec![(x, 0.0), (x, 200.0)])
    }

    fn arrow(points: Vec<(f32, f32)>) -> Edge {
        Edge {
            from: "a".into(),
            to: "b".into(),
            points,
            blocked: false,
            label: None,
            public: false,
            change: Change::Kept,
        }
    }

    #[test]
    fn name_and_flags_step_off_the_arrows_crossing_their_line() {
        let rect = Rect {
            x: 100.0,
            y: 50.0,
            w: 400.0,
            h: 100.0,
        };
        // Nothing in the way: at the edges.
        let place = |edges: &[Edge]| place(&rect, "web", "overlay", &extents(edges));
        assert_eq!(place(&[]), (INSET, 400.0 - INSET));
        // An arrow through the name's place: the name goes right of it.
        let (t, e) = place(&[arrow_down(130.0)]);
        assert!(t >= 35.0, "{t}");
        assert_eq!(e, 400.0 - INSET);
        // An arrow through the flags' place: the flags end left of it.
        let (t, e) = place(&[arrow_down(480.0)]);
        assert_eq!(t, INSET);
        assert!(e <= 375.0, "{e}");
        // An arrow outside the title line (below it) changes nothing.
        let low = arrow(vec![(130.0, 90.0), (130.0, 200.0)]);
        assert_eq!(place(&[low]), (INSET, 400.0 - INSET));
    }
}
