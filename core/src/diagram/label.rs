//! Port labels. Arrows into a card say on which port they arrive, once per port, on a
//! line of its own just outside the side they enter, within the card's width: cards of
//! a rank never overlap, so neither do their labels, and the line is kept free of
//! cards and titles when ranks are placed. Along that line a label goes between the
//! arrows that enter or leave the side, clear of their heads and lines, where it
//! fits; a long port list that fits nowhere between them is cut to the widest room
//! there is.

use super::graph::{Arrow, Graph};
use super::layout::{Change, Label, Rect, Tone};
use super::order::{Chain, Layered};
use super::place::LABEL_H;
use super::route::Runs;
use super::text;

/// What an arrow's label says and how it is coloured.
pub(super) fn part(arrow: &Arrow) -> Option<(String, Tone)> {
    let tone = match (arrow.change, arrow.blocked, arrow.from.is_none()) {
        (Change::Removed, _, _) => Tone::Removed,
        (_, true, _) => Tone::Blocked,
        (Change::Added, _, _) => Tone::Added,
        (_, _, true) => Tone::Public,
        _ => Tone::Flow,
    };
    let text = match (&arrow.label, arrow.blocked) {
        (Some(l), true) => format!("✕ {l}"),
        (None, true) => "✕ blocked".to_string(),
        (Some(l), false) => l.clone(),
        (None, false) => return None,
    };
    Some((text, tone))
}

/// The link an arrow arrives by (the last of its links).
fn head_link(graph: &Graph, arrow: usize) -> Option<usize> {
    graph.arrow_links.get(arrow)?.last().copied()
}

/// Which ranks get a line for labels above their cards (`.0`) and below (`.1`): where an
/// arrow with something to say enters a card from that side.
pub(super) fn bands(graph: &Graph, layered: &Layered) -> (Vec<bool>, Vec<bool>) {
    let mut above = vec![false; layered.ranks];
    let mut below = vec![false; layered.ranks];
    for (a, arrow) in graph.arrows.iter().enumerate() {
        if part(arrow).is_none() {
            continue;
        }
        let Some(chain) = head_link(graph, a).and_then(|l| layered.chains.get(l)) else {
            continue;
        };
        let (head, list) = if chain.reversed {
            (chain.slots.first(), &mut below)
        } else {
            (chain.slots.last(), &mut above)
        };
        let rank = head.and_then(|&s| layered.slots.get(s)).map(|s| s.rank);
        if let Some(b) = rank.and_then(|r| list.get_mut(r)) {
            *b = true;
        }
    }
    (above, below)
}

/// What arrives at one side of a card: (card, below?) to (where, text, colour).
type Sides = std::collections::BTreeMap<(usize, bool), Vec<(f32, String, Tone)>>;

/// How far a label keeps from an arrow entering or leaving its side: half the widest
/// arrowhead (an added arrow's, 6 strokes of 2.8 px) and a gap, so no head covers a digit.
pub(super) const HEAD_CLEAR: f32 = 10.0;

/// How far a label keeps from an arrow leaving its side: half the widest line (a
/// public arrow's, 3 px) and a gap, so the line does not touch a digit.
const TAIL_CLEAR: f32 = 4.0;

/// How wide a label's text is drawn: 11 px, semi-bold, measured as bold.
pub(super) fn text_width(text: &str) -> f32 {
    text::width(text, 11.0, true)
}

/// What a side's label says: each part once, and a port both published and called
/// inside once, as published (flows arrive on it as the internet does).
pub(super) fn said(parts: impl IntoIterator<Item = (String, Tone)>) -> Vec<(String, Tone)> {
    let mut out: Vec<(String, Tone)> = Vec::new();
    for (text, tone) in parts {
        let same = out.iter_mut().find(|(t, o)| {
            *t == text
                && (*o == tone
                    || matches!(
                        (*o, tone),
                        (Tone::Flow, Tone::Public) | (Tone::Public, Tone::Flow)
                    ))
        });
        match same {
            Some(part) if tone == Tone::Public => part.1 = Tone::Public,
            Some(_) => {}
            None => out.push((text, tone)),
        }
    }
    out
}

/// How wide a side's label is drawn: its parts, one after the other with " · " between.
pub(super) fn width(parts: &[(String, Tone)]) -> f32 {
    parts.iter().map(|(t, _)| text_width(t)).sum::<f32>()
        + parts.len().saturating_sub(1) as f32 * text_width(" · ")
}

/// Where link `link` of an arrow meets a card, at the arrow's head or at its tail: the
/// drawn runs go from the link's upper end down, and a reversed arrow points up.
fn end_x(runs: &Runs, chain: &Chain, link: usize, head: bool) -> Option<f32> {
    let drawn = runs.drawn.get(link)?;
    let x = if head == chain.reversed {
        drawn.first()
    } else {
        drawn.last()
    };
    x.copied()
}

/// The labels of every card side that arrows with something to say enter.
pub(super) fn labels(graph: &Graph, layered: &Layered, runs: &Runs) -> Vec<Label> {
    // (card, below?) -> [(x where the arrow enters, part)], and where every arrow
    // entering or leaving that side does, said or not, with the room it keeps.
    let mut sides = Sides::new();
    let mut entering: std::collections::BTreeMap<(usize, bool), Vec<(f32, f32)>> =
        Default::default();
    for (a, arrow) in graph.arrows.iter().enumerate() {
        let Some(head) = head_link(graph, a) else {
            continue;
        };
        let Some(chain) = layered.chains.get(head) else {
            continue;
        };
        let x = end_x(runs, chain, head, true).unwrap_or(0.0);
        let side = (arrow.to, chain.reversed);
        entering.entry(side).or_default().push((x, HEAD_CLEAR));
        // Its tail crosses the label line of the side it leaves by too.
        let tail = graph.arrow_links.get(a).and_then(|l| l.first()).copied();
        let tail_chain = tail.and_then(|t| Some((t, layered.chains.get(t)?)));
        if let (Some(from), Some((t, chain))) = (arrow.from, tail_chain) {
            if let Some(x) = end_x(runs, chain, t, false) {
                entering
                    .entry((from, !chain.reversed))
                    .or_default()
                    .push((x, TAIL_CLEAR));
            }
        }
        if let Some((text, tone)) = part(arrow) {
            sides.entry(side).or_default().push((x, text, tone));
        }
    }
    let mut out = Vec::with_capacity(sides.len());
    for ((c, below), mut parts) in sides {
        let Some(card) = graph.cards.get(c) else {
            continue;
        };
        crate::sort::sort_by(&mut parts, |a, b| a.0.total_cmp(&b.0));
        let left = parts.first().map_or(card.rect.x, |p| p.0);
        let mut said = said(parts.into_iter().map(|(_, text, tone)| (text, tone)));
        let (lo, hi) = (card.rect.x + 2.0, card.rect.x + card.rect.w - 2.0);
        shorten(&mut said, hi - lo);
        let xs = entering.get(&(c, below)).map_or(&[][..], Vec::as_slice);
        let wished = left + HEAD_CLEAR;
        let mut w = width(&said);
        let (mut x, through) = spot(lo, hi - w, w, xs, wished);
        // Arrows would run through the text: the widest room between them takes it,
        // shortened (the arrows' titles say every port), where a whole port of each
        // part kept fits and no blocked or changed port is left out.
        if through > 0 {
            if let Some((from, to)) = widest_gap(lo, hi, xs) {
                let mut short = said.clone();
                if shorten(&mut short, to - from) && marked(&short) == marked(&said) {
                    w = width(&short);
                    x = spot(from, to - w, w, xs, wished).0;
                    said = short;
                }
            }
        }
        let y = if below {
            card.rect.y + card.rect.h + 1.0
        } else {
            card.rect.y - LABEL_H + 1.0
        };
        out.push(Label {
            service: card.service.clone(),
            rect: Rect {
                x,
                y,
                w,
                h: LABEL_H - 2.0,
            },
            parts: said,
        });
    }
    out
}

/// Shortens a label to `room`: the last part's port list ("80, 443, 8080") cut after
/// a port, then the part left out, summed up as "…", until it fits. Whether it keeps a
/// whole port of each part left (when not, the one part left is cut wherever it must be).
fn shorten(said: &mut Vec<(String, Tone)>, room: f32) -> bool {
    while width(said) > room {
        let parts = said.len();
        let Some(last) = said.last_mut() else {
            return true;
        };
        if let Some((kept, _)) = last.0.trim_end_matches('…').rsplit_once(", ") {
            last.0 = format!("{kept}…");
        } else if parts > 1 {
            said.pop();
            if let Some(last) = said.last_mut().filter(|l| !l.0.ends_with('…')) {
                last.0.push('…');
            }
        } else {
            last.0 = text::fit(&last.0, room, 11.0, true);
            return false;
        }
    }
    true
}

/// How many parts of a label say what a review must see: a blocked flow, or one added
/// or removed since the baseline.
fn marked(said: &[(String, Tone)]) -> usize {
    said.iter()
        .filter(|p| matches!(p.1, Tone::Blocked | Tone::Added | Tone::Removed))
        .count()
}

/// The widest stretch of a card side between `lo` and `hi` that no arrow entering or
/// leaving it at `xs` runs through (each keeps its room, `.1`, either side).
fn widest_gap(lo: f32, hi: f32, xs: &[(f32, f32)]) -> Option<(f32, f32)> {
    let mut xs = xs.to_vec();
    crate::sort::sort_by(&mut xs, |a, b| a.0.total_cmp(&b.0));
    let starts = std::iter::once(lo).chain(xs.iter().map(|(x, clear)| x + clear));
    let ends = xs
        .iter()
        .map(|(x, clear)| x - clear)
        .chain(std::iter::once(hi));
    starts
        .zip(ends)
        .map(|(a, b)| (a.max(lo), b.min(hi)))
        .filter(|(a, b)| b > a)
        .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
}

/// Where a label `w` wide starts, between `lo` and `hi`, on a side that arrows enter at
/// `xs`: where the fewest of them run through it, and of those the nearest to `wished`
/// (just after the first arrow, so the label reads as that arrow's); and how many run
/// through it there.
fn spot(lo: f32, hi: f32, w: f32, xs: &[(f32, f32)], wished: f32) -> (f32, usize) {
    // A hair's tolerance: a label placed just clear of an arrow (at `a + clear`) must
    // not count it through for the rounding of that sum.
    let through = |x: f32| {
        xs.iter()
            .filter(|&&(a, clear)| a > x - clear + 0.01 && a < x + w + clear - 0.01)
            .count()
    };
    let places = [wished, lo, hi]
        .into_iter()
        .chain(xs.iter().flat_map(|&(a, clear)| [a + clear, a - clear - w]))
        .map(|x| x.min(hi).max(lo));
    let mut best = (usize::MAX, f32::MAX, lo);
    for x in places {
        let cost = (through(x), (x - wished).abs());
        if cost.0 < best.0 || (cost.0 == best.0 && cost.1 < best.1) {
            best = (cost.0, cost.1, x);
        }
    }
    (best.2, best.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_published_and_called_inside_is_said_once_as_published() {
        let parts = [
            ("7233".to_string(), Tone::Flow),
            ("7233".to_string(), Tone::Public),
            ("7233".to_string(), Tone::Added),
            ("8080".to_string(), Tone::Flow),
            ("8080".to_string(), Tone::Flow),
        ];
        assert_eq!(
            said(parts),
            [
                ("7233".to_string(), Tone::Public),
                ("7233".to_string(), Tone::Added),
                ("8080".to_string(), Tone::Flow),
            ]
        );
    }

    #[test]
    fn a_long_port_list_is_cut_between_ports_to_its_room() {
        let ports = || vec![("19991, 143, 993, 110".to_string(), Tone::Public)];
        let mut said = ports();
        assert!(shorten(&mut said, 200.0));
        assert_eq!(said, ports());
        let room = text_width("19991, 143…") + 1.0;
        assert!(shorten(&mut said, room));
        assert_eq!(said[0].0, "19991, 143…");
        // Not even one port fits: cut where it must be, and said so.
        let mut said = ports();
        assert!(!shorten(&mut said, text_width("199…")));
        assert_eq!(said[0].0, "199…");
        // The last part's list is cut first; a part that does not fit then is summed
        // up as "…" on the part before it.
        let two = || {
            vec![
                ("5432".to_string(), Tone::Flow),
                ("9090, 9091".to_string(), Tone::Public),
            ]
        };
        let mut said = two();
        let room = width(&said) - 1.0;
        assert!(shorten(&mut said, room));
        assert_eq!(said[1].0, "9090…");
        let mut said = two();
        assert!(shorten(&mut said, text_width("5432…") + 1.0));
        assert_eq!(said, [("5432…".to_string(), Tone::Flow)]);
    }

    #[test]
    fn the_widest_room_between_arrows_keeps_clear_of_their_heads() {
        // A side from 0 to 100 with arrows at 30 and 45: the widest room is after them.
        let heads =
            |xs: &[f32]| -> Vec<(f32, f32)> { xs.iter().map(|&x| (x, HEAD_CLEAR)).collect() };
        assert_eq!(
            widest_gap(0.0, 100.0, &heads(&[45.0, 30.0])),
            Some((55.0, 100.0))
        );
        assert_eq!(widest_gap(0.0, 100.0, &[]), Some((0.0, 100.0)));
        // Arrows all along: no room at all.
        assert_eq!(widest_gap(0.0, 30.0, &heads(&[5.0, 15.0, 25.0])), None);
        // An arrow leaving the side has no head to keep clear of, only its line.
        assert_eq!(
            widest_gap(0.0, 100.0, &[(45.0, TAIL_CLEAR), (30.0, HEAD_CLEAR)]),
            Some((49.0, 100.0))
        );
    }

    #[test]
    fn a_label_goes_between_the_arrows_not_over_them() {
        // A card side from 0 to 100, arrows at 10 and 50, a label 30 wide: right after
        // the first arrow it would run over the second, so it goes after the second.
        let heads =
            |xs: &[f32]| -> Vec<(f32, f32)> { xs.iter().map(|&x| (x, HEAD_CLEAR)).collect() };
        assert_eq!(
            spot(2.0, 68.0, 30.0, &heads(&[10.0, 50.0]), 20.0),
            (60.0, 0)
        );
        // With room between them, right after the first.
        assert_eq!(
            spot(2.0, 68.0, 20.0, &heads(&[10.0, 50.0]), 20.0),
            (20.0, 0)
        );
        // No room anywhere: where the fewest arrows run through it (one, from 30 on),
        // as near the first arrow as that allows.
        assert_eq!(
            spot(2.0, 48.0, 50.0, &heads(&[10.0, 20.0, 30.0, 90.0]), 20.0),
            (30.0, 1)
        );
        // The second arrow leaves the side: the label fits between the two, closer to
        // the line than it may come to a head.
        assert_eq!(
            spot(
                2.0,
                68.0,
                24.0,
                &[(10.0, HEAD_CLEAR), (50.0, TAIL_CLEAR)],
                20.0
            ),
            (20.0, 0)
        );
    }
}
