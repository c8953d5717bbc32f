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

/// Where a box's name starts and its flags end, from the box's left edge: where the
/// fewest arrows cross them, and of those the nearest to the edges (the name moves
/// less willingly than the flags).
pub(super) fn place(rect: &Rect, title: &str, subtitle: &str, edges: &[Edge]) -> (f32, f32) {
    let (top, bottom) = (rect.y + LINE.0, rect.y + LINE.1);
    // Along the line, from the box's left edge: where arrows cross it.
    let mut blocked: Vec<(f32, f32)> = Vec::new();
    for e in edges {
        for (&(x0, y0), &(x1, y1)) in e.points.iter().zip(e.points.iter().skip(1)) {
            let (xl, xh) = (x0.min(x1), x0.max(x1));
            if y0.max(y1) > top && y0.min(y1) < bottom && xh > rect.x && xl < rect.x + rect.w {
                blocked.push((xl - CLEAR - rect.x, xh + CLEAR - rect.x));
            }
        }
    }
    let (start, end) = (INSET, rect.w - INSET);
    if blocked.is_empty() {
        return (start, end);
    }
    let tw = text::width(title, 16.0, true);
    let sw = if subtitle.is_empty() {
        0.0
    } else {
        text::width(subtitle, 12.0, false)
    };
    let hits = |a: f32, b: f32| blocked.iter().filter(|&&(lo, hi)| lo < b && hi > a).count();
    let clamp = |v: f32, lo: f32, hi: f32| v.min(hi).max(lo);
    let names: Vec<f32> = [start]
        .into_iter()
        .chain(blocked.iter().flat_map(|&(lo, hi)| [hi, lo - tw]))
        .map(|t| clamp(t, start, (end - tw).max(start)))
        .collect();
    let flags: Vec<f32> = [end]
        .into_iter()
        .chain(blocked.iter().flat_map(|&(lo, hi)| [lo, hi + sw]))
        .map(|e| clamp(e, (start + sw).min(end), end))
        .collect();
    let mut best = (usize::MAX, f32::MAX, start, end);
    for &t in &names {
        for &e in &flags {
            if sw > 0.0 && t + tw + GAP > e - sw {
                continue;
            }
            let through = hits(t, t + tw) + if sw > 0.0 { hits(e - sw, e) } else { 0 };
            let moved = 2.0 * (t - start) + (end - e);
            if (through, moved) < (best.0, best.1) {
                best = (through, moved, t, e);
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
        Edge {
            from: "a".into(),
            to: "b".into(),
            points: vec![(x, 0.0), (x, 200.0)],
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
        assert_eq!(place(&rect, "web", "overlay", &[]), (INSET, 400.0 - INSET));
        // An arrow through the name's place: the name goes right of it.
        let (t, e) = place(&rect, "web", "overlay", &[arrow_down(130.0)]);
        assert!(t >= 35.0, "{t}");
        assert_eq!(e, 400.0 - INSET);
        // An arrow through the flags' place: the flags end left of it.
        let (t, e) = place(&rect, "web", "overlay", &[arrow_down(480.0)]);
        assert_eq!(t, INSET);
        assert!(e <= 375.0, "{e}");
        // An arrow outside the title line (below it) changes nothing.
        let mut low = arrow_down(130.0);
        low.points = vec![(130.0, 90.0), (130.0, 200.0)];
        assert_eq!(
            place(&rect, "web", "overlay", &[low]),
            (INSET, 400.0 - INSET)
        );
    }
}
