//! Placing tiers, cards and arrows: the layered layout of a graph with groups, after
//! ELK's (Eclipse Layout Kernel) layered algorithm. [`graph`](super::graph) says what
//! there is; [`rank`](super::rank) puts boxes in rows and cards in ranks so arrows
//! point down and no row is wider than a projector shows; [`order`](super::order)
//! orders every rank against crossings over the whole drawing; [`place`](super::place)
//! gives coordinates; [`route`](super::route) draws each arrow orthogonally through
//! the gaps; [`label`](super::label) writes ports where arrows arrive.
//!
//! Deterministic: the same design (and the same layout before it) always gives the
//! same picture, so a review can compare two screenshots.

use std::collections::HashMap;

use super::graph::{graph, GroupKind, CARD_H, PUBLIC_TITLE};
use super::label;
use super::order::{ColumnKind, Effort, Hints, Layered};
use super::place::{self, Density, MARGIN};
use super::rank::{self, Breaking, CARD_GAP};
use super::route;
use super::title;
use crate::analysis::Analysis;
use crate::model::Model;

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// Whether two rectangles share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    /// Whether `other` lies inside this rectangle.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.w <= self.x + self.w
            && other.y + other.h <= self.y + self.h
    }
}

/// A tier's box.
#[derive(Debug, Clone, PartialEq)]
pub struct TierBox {
    /// Network key.
    pub key: String,
    /// The line under the name: driver and flags.
    pub subtitle: String,
    /// Where it is.
    pub rect: Rect,
    /// Whether swarm encrypts it.
    pub encrypted: bool,
    /// Palette index.
    pub color: usize,
    /// Where the name starts on the title line, from the box's left edge: off the
    /// arrows that cross the line where it has room.
    pub title_at: f32,
    /// Where the subtitle ends on the title line, from the box's left edge.
    pub subtitle_end: f32,
}

/// A service's card.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Service name.
    pub service: String,
    /// Second line: image and replicas.
    pub detail: String,
    /// Other tiers the service is on.
    pub extra_tiers: Vec<String>,
    /// The tier box holding it (`None` for the proxy band).
    pub tier: Option<String>,
    /// Where it is.
    pub rect: Rect,
    /// Edge proxy (drawn in the public band).
    pub proxy: bool,
    /// Database or message bus.
    pub data: bool,
    /// Published ports, e.g. `80, 443`.
    pub ports: String,
}

/// How an arrow compares with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Change {
    /// In both (or no baseline is set).
    #[default]
    Kept,
    /// New since the baseline.
    Added,
    /// In the baseline, gone now: drawn so the review sees what went.
    Removed,
}

/// An arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Client service, or `internet`.
    pub from: String,
    /// Server service.
    pub to: String,
    /// Its corners, from the client's side to the server's: horizontal and vertical
    /// segments only.
    pub points: Vec<(f32, f32)>,
    /// No network allows this flow.
    pub blocked: bool,
    /// Port or ports.
    pub label: Option<String>,
    /// From the internet to a published port.
    pub public: bool,
    /// Against the baseline.
    pub change: Change,
}

/// How a part of a label is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// A flow's port.
    Flow,
    /// A published port, where the internet's arrow arrives.
    Public,
    /// A blocked flow's port.
    Blocked,
    /// A port of an arrow added since the baseline.
    Added,
    /// A port of an arrow removed since the baseline.
    Removed,
}

/// The ports arrows arrive on at one side of a card, on a line just outside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The card.
    pub service: String,
    /// The box the text covers (its baseline is 4 px above the bottom).
    pub rect: Rect,
    /// The ports, each with its colour.
    pub parts: Vec<(String, Tone)>,
}

/// Where a bundle of arrows meets: each of `sources` calls each of `targets`, so their
/// arrows run together to this point and part there (every flow still has its own
/// arrow along the shared lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Junction {
    /// The point.
    pub at: (f32, f32),
    /// The calling services.
    pub sources: Vec<String>,
    /// The called services.
    pub targets: Vec<String>,
}

/// The key a box is remembered by between two layouts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Edge,
    Tier(String),
    Loose,
}

/// What a layout keeps for the next one, so an edit does not reshuffle the drawing.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Memory {
    /// Boxes by row, in order.
    pub rows: Vec<Vec<Key>>,
    /// Each card's box and rank in it.
    pub ranks: HashMap<String, (Key, usize)>,
    /// Each box's centre.
    pub boxes: Vec<(Key, f32)>,
    /// The width rows were wrapped at.
    pub width: f32,
    /// How closely arrows were packed.
    pub density: Density,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Canvas width.
    pub width: f32,
    /// Canvas height.
    pub height: f32,
    /// The internet's band across the top, when anything is published.
    pub internet: Option<Rect>,
    /// The box of public entry points (the edge proxies), when any.
    pub public_band: Option<Rect>,
    /// Where the public band's title starts, from its left edge.
    pub public_title_at: f32,
    /// Tier boxes.
    pub tiers: Vec<TierBox>,
    /// Service cards, in the model's order.
    pub cards: Vec<Card>,
    /// Arrows: the internet's, then flows, then (with a baseline) the removed ones.
    pub edges: Vec<Edge>,
    /// Port labels.
    pub labels: Vec<Label>,
    /// Where bundled arrows meet.
    pub junctions: Vec<Junction>,
    memory: Memory,
}

/// What a layout may take besides the design.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The layout drawn before an edit: boxes keep their rows and order and cards their
    /// place unless an arrow would then run within a row or a row outgrow the drawing.
    /// `None` for a fresh layout (a design opened or imported).
    pub previous: Option<&'a Layout>,
    /// The baseline the review compares with: arrows it lacks are drawn as added,
    /// arrows it has that are gone as removed.
    pub baseline: Option<&'a Model>,
}

/// Lays out a design afresh.
pub fn layout(model: &Model, analysis: &Analysis) -> Layout {
    layout_with(model, analysis, &Options::default())
}

/// The width rows wrap at: a 16:9 picture of the cards' area, within what a projector
/// shows readably.
fn wrap_width(cards: &[Card]) -> f32 {
    let area: f32 = cards
        .iter()
        .map(|c| (c.rect.w + CARD_GAP) * (CARD_H + 80.0))
        .sum();
    ((area * 16.0 / 9.0).sqrt() * 1.15).clamp(900.0, MAX_WRAP)
}

/// Lays out a design, after the layout before it and against a baseline.
pub fn layout_with(model: &Model, analysis: &Analysis, options: &Options<'_>) -> Layout {
    let mut g = graph(model, analysis, options.baseline);
    let memory = options
        .previous
        .map(|p| &p.memory)
        .filter(|m| !m.rows.is_empty());
    if let Some(m) = memory {
        g.density = m.density;
        let ranked = rank::rank(&g, m.width, Some(m), false, Breaking::default());
        return place(g, m.width, &ranked, options, Some(m)).0;
    }
    // A fresh layout tries a few wrap widths, with cards in their boxes as early and as
    // late as they may be, each ordered quickly; the most promising
    // (all of them, or the best two for a large design) are then ordered and placed in
    // full, and the best of those (see below) wins.
    let base = wrap_width(&g.cards);
    let internet = g.arrows.iter().any(|a| a.from.is_none());
    // A large design (the page lays it out on every open) tries fewer.
    let large = g.cards.len() > LARGE;
    // The narrowest widths hold two cards a rank, or one: what a design's sinks calling
    // one another or all called from the same few (K3,3-like) need to stop crossing, as
    // Mermaid draws them; the score below keeps them only where that gain outweighs how
    // much smaller the taller picture shows.
    let tried: Vec<(f32, bool)> = if large {
        vec![(1.0, false), (1.0, true), (1.4, false)]
    } else {
        [0.3, 0.45, 0.6, 0.8, 1.0, 1.4, 1.9]
            .into_iter()
            .flat_map(|f| [(f, false), (f, true)])
            .collect()
    };
    // Widths past the widest row, and cards with no room to move between ranks, give
    // the same ranks: each distinct ranking once. Each is tried with cycles of flows
    // broken both ways where a tie decides (see `rank::greedy_order`) and, but for a
    // large design, each way again with its order shortened (`rank::shorten`) and with
    // published cards first in their box: none draws fewer crossings in general
    // (tempo's two-way calls, opencrvs' auth and events, openreplay's long calls,
    // quorum's published services).
    let mut distinct: Vec<(f32, rank::Ranked)> = Vec::new();
    for (factor, late) in tried {
        let width = (base * factor).min(MAX_WRAP);
        for way in 0..if large { 2 } else { 6 } {
            let breaking = Breaking {
                later_first: way % 2 == 1,
                shorten: way / 2 == 1,
                published_first: way / 2 == 2,
            };
            let ranked = rank::rank(&g, width, None, late, breaking);
            if distinct.iter().all(|(_, seen)| *seen != ranked) {
                distinct.push((width, ranked));
            }
        }
    }
    let tries = if g.cards.len() <= 60 {
        distinct.len().min(FULL_MOST)
    } else {
        2
    };
    // The quick order only picks which to lay out in full: with none to leave out (a
    // large design whose rows all reach the widest width has one), it is skipped.
    // Candidates by their index in `distinct`.
    let candidates: Vec<usize> = if distinct.len() <= tries {
        (0..distinct.len()).collect()
    } else {
        let mut quick: Vec<(usize, (usize, f32))> = distinct
            .iter()
            .enumerate()
            .map(|(d, (_, ranked))| (d, quick_look(&g, ranked, internet)))
            .collect();
        crate::sort::sort_by(&mut quick, |a, b| promising(a.1, b.1));
        quick.into_iter().map(|(d, _)| d).collect()
    };
    let full = |g: &super::graph::Graph, d: usize| {
        let (width, ranked) = distinct.get(d)?;
        Some(laid_out(g.clone(), *width, ranked, options))
    };
    let mut placed: Vec<Candidate> = candidates
        .iter()
        .take(tries.max(1))
        .filter_map(|&d| full(&g, d))
        .collect();
    // Every ranking again with its boxes' last ranks split (see `rank::split_last`),
    // where that changes it: ordered quickly, and the two most promising laid out in
    // full. A ranking's own score foretells little of its split's: appwrite's best
    // split comes from its eighth-best ranking.
    let split: Vec<Candidate> = if large {
        Vec::new()
    } else {
        let mut quick: Vec<(f32, rank::Ranked, (usize, f32))> = distinct
            .iter()
            .filter_map(|(width, ranked)| {
                let split = rank::split_last(&g, ranked)?;
                let look = quick_look(&g, &split, internet);
                Some((*width, split, look))
            })
            .collect();
        crate::sort::sort_by(&mut quick, |a, b| promising(a.2, b.2));
        quick
            .into_iter()
            .take(2)
            .map(|(width, ranked, _)| laid_out(g.clone(), width, &ranked, options))
            .collect()
    };
    // The most promising again with arrows packed closer (the order, so the crossings,
    // stay the same), where that may change which wins: all of them where the best by
    // score (or every one) nearly reads on a projector but does not, else those that
    // cross less than the best but show smaller. Packing saves about a quarter of the
    // height at most, so a drawing further off is left as it is.
    let most = placed.iter().map(|p| p.scale).fold(0.0, f32::max);
    let mut best: Vec<(f32, usize, usize, f32)> = candidates
        .iter()
        .zip(&placed)
        .map(|(&d, p)| (p.score(most), d, p.crossings, p.scale))
        .collect();
    crate::sort::sort_by(&mut best, |a, b| a.0.total_cmp(&b.0));
    best.truncate(if large { 1 } else { 3 });
    let nearly = |scale: f32| (READABLE * NEARLY..READABLE).contains(&scale);
    let (least, largest) = best.first().map_or((0, 0.0), |b| (b.2, b.3));
    let all = nearly(largest) || nearly(most);
    let worth: Vec<usize> = best
        .iter()
        .filter(|&&(_, _, crossings, scale)| {
            all || (crossings < least
                && scale >= READABLE * NEARLY
                && scale < largest.min(LARGE_ENOUGH))
        })
        .map(|b| b.1)
        .collect();
    if !worth.is_empty() {
        g.density = Density::Dense;
        placed.extend(worth.iter().filter_map(|&d| full(&g, d)));
    }
    placed.extend(split);
    // The winner with one card moved between ranks (see `rank::moves`): each ordered
    // from the winner's order, and the most promising laid out in full; again from a
    // new winner. Arrows a move turns up count as crossings (see `Candidate::turned`):
    // counted as nothing, 548 arrows point up over the 145 designs below, against 325
    // before moves and 374 so.
    let rounds = if large { 0 } else { MOVE_ROUNDS };
    let mut looked = 0;
    for _ in 0..rounds {
        if looked >= LOOKS_MOST {
            break;
        }
        let before = winner(&placed);
        let moved = before.and_then(|w| placed.get(w)).map(|w| {
            let (width, density) = (w.layout.memory.width, w.layout.memory.density);
            let mut g = g.clone();
            g.density = density;
            let turned = |upward: usize| w.turned + upward.saturating_sub(w.upward);
            let moves = rank::moves(&g, &w.ordered);
            looked += moves.len();
            let mut quick: Vec<(rank::Ranked, (usize, f32))> = moves
                .into_iter()
                .map(|ranked| {
                    let (crossings, upward, scale) = look(&g, &ranked, internet, Effort::Warm);
                    (ranked, (crossings + turned(upward), scale))
                })
                .collect();
            crate::sort::sort_by(&mut quick, |a, b| promising(a.1, b.1));
            quick
                .into_iter()
                .take(MOVED_MOST)
                .map(|(ranked, _)| {
                    let mut moved = laid_out(g.clone(), width, &ranked, options);
                    moved.turned = turned(moved.upward);
                    moved
                })
                .collect::<Vec<_>>()
        });
        placed.extend(moved.into_iter().flatten());
        if winner(&placed) == before {
            break;
        }
    }
    let chosen = winner(&placed).map(|w| placed.swap_remove(w).layout);
    chosen.unwrap_or_else(|| {
        let ranked = rank::rank(&g, base, None, false, Breaking::default());
        place(g, base, &ranked, options, None).0
    })
}

/// A fresh layout of one ranking at one wrap width, and how it was made.
struct Candidate {
    layout: Layout,
    /// Its crossings, as ordering counts them.
    crossings: usize,
    /// Its arrows pointing up.
    upward: usize,
    /// Arrows that moving cards between ranks (see `rank::moves`) turned up to reach
    /// it: each counts as a crossing, so a move turns arrows up only where it saves
    /// more crossings.
    turned: usize,
    /// The scale it shows at on a 1920x1080 screen.
    scale: f32,
    /// Its ranking in the order found: where orders of rankings near it start (the
    /// layout's memory keeps the wrap width and how closely arrows were packed).
    ordered: rank::Ranked,
}

impl Candidate {
    /// Fewer crossings, and a drawing that fills the screen: its crossings and arrows
    /// turned up (plus one) times how much smaller than the best (`most`) it shows,
    /// squared. Scales past [`LARGE_ENOUGH`] count as that: a larger picture reads no
    /// better.
    fn score(&self, most: f32) -> f32 {
        let shrink = most.min(LARGE_ENOUGH) / self.scale.clamp(1e-3, LARGE_ENOUGH);
        (self.crossings + self.turned + 1) as f32 * shrink * shrink
    }
}

/// Which of `placed` wins: the least score, among those readable if any is; of equal
/// scores the one that shows larger, then the first.
fn winner(placed: &[Candidate]) -> Option<usize> {
    let most = placed.iter().map(|p| p.scale).fold(0.0, f32::max);
    let readable = most >= READABLE;
    placed
        .iter()
        .enumerate()
        .filter(|(_, p)| !readable || p.scale >= READABLE)
        .min_by(|(_, a), (_, b)| {
            a.score(most)
                .total_cmp(&b.score(most))
                .then(b.scale.total_cmp(&a.scale))
        })
        .map(|(i, _)| i)
}

/// A fresh layout of one ranking at one wrap width.
fn laid_out(
    g: super::graph::Graph,
    width: f32,
    ranked: &rank::Ranked,
    options: &Options<'_>,
) -> Candidate {
    let (layout, found) = place(g, width, ranked, options, None);
    Candidate {
        scale: screen_scale(layout.width, layout.height),
        layout,
        crossings: found.crossings,
        upward: found.upward,
        turned: 0,
        ordered: found.ordered,
    }
}

/// A ranking ordered quickly: its crossings and about the scale it would show at.
fn quick_look(g: &super::graph::Graph, ranked: &rank::Ranked, internet: bool) -> (usize, f32) {
    let (crossings, _, scale) = look(g, ranked, internet, Effort::Quick);
    (crossings, scale)
}

/// A ranking ordered with `effort`: its crossings, its arrows pointing up and about
/// the scale it would show at.
fn look(
    g: &super::graph::Graph,
    ranked: &rank::Ranked,
    internet: bool,
    effort: Effort,
) -> (usize, usize, f32) {
    let mut layered = Layered::new(g, ranked);
    layered.order(None, effort);
    let (w, h) = place::estimate(g, &layered, internet);
    (layered.crossings(), layered.upward(g), screen_scale(w, h))
}

/// How large a drawing `w` by `h` shows when it fills a 1920x1080 screen.
fn screen_scale(w: f32, h: f32) -> f32 {
    (1920.0 / w).min(1080.0 / h)
}

/// Which of two quick looks to lay out in full first: one that reads on a projector,
/// then fewer crossings, then larger.
fn promising(a: (usize, f32), b: (usize, f32)) -> std::cmp::Ordering {
    let readable = |c: (usize, f32)| c.1 >= READABLE;
    readable(b)
        .cmp(&readable(a))
        .then(a.0.cmp(&b.0))
        .then(b.1.total_cmp(&a.1))
}

/// The scale from which a drawing reads as well as it can on a 1920x1080 screen: card
/// names at their own 15 px. Showing them larger is worth no crossing (lagoon: 2
/// crossings with names at 16 px against 1 at 13 px, Mermaid 1).
const LARGE_ENOUGH: f32 = 1.0;

/// The most rankings of a design that is not large laid out in full (the most promising
/// by a quick order): as many as the widths tried give, so that breaking cycles both
/// ways costs no more than a quick order each, and six for the other ways: with none,
/// the shortened orders pushed out the drawing that shows largest (sourcegraph's names
/// 15.6 -> 12.5 px at the same crossings).
const FULL_MOST: usize = 20;

/// The most rankings one card away from the winner laid out in full, each round. Over
/// 145 designs (the templates, the corpus, real files and generated stacks; rounds
/// not capped by [`LOOKS_MOST`]): one draws 1,441 crossings, three 860, six 895 (a
/// different winner early leads elsewhere).
const MOVED_MOST: usize = 3;

/// The most rounds of moves, each from the winner of the round before, while it
/// changes. Over the same designs, uncapped: one round draws 961 crossings, three 860 (getsentry
/// 537 -> 11, DeathStarBench 133 -> 97), six 839. They replaced a deeper order of the
/// winner from many starts, which saved 5 crossings after one round.
const MOVE_ROUNDS: usize = 3;

/// The most moves looked at before another round starts: a design of 30 services has
/// about 200, each ordered from a start. Over the same designs, rounds without this
/// draw 860 crossings and take a third more time than before moves (the slowest,
/// zkevm-node, 232 -> 638 ms natively, 1.2 s in the page); with it, 903 crossings and
/// a seventh more time.
const LOOKS_MOST: usize = 200;

/// Cards from which a design counts as large.
const LARGE: usize = 80;

/// The widest a row may be: 12 px names at 1920 px wide, from 15 px names.
const MAX_WRAP: f32 = 2400.0;

/// The least scale at which the cards' names (15 px) read at 12 px when the drawing
/// fills a 1920x1080 screen.
const READABLE: f32 = 0.8;

/// How near readable (as a share of [`READABLE`]) a drawing must be for closer packing
/// to be tried.
const NEARLY: f32 = 0.7;

/// After an edit each tier keeps the colour it had, and a new one takes the first colour
/// no kept tier has: adding a tier, or removing one, recolours no other (a fresh layout
/// colours tiers by their place in the file).
fn keep_colors(tiers: &mut [TierBox], before: &[TierBox]) {
    let old = |key: &str| before.iter().find(|t| t.key == key).map(|t| t.color);
    let kept: Vec<usize> = tiers.iter().filter_map(|t| old(&t.key)).collect();
    let mut free = (0..).filter(|c| !kept.contains(c));
    for tier in tiers {
        tier.color = match old(&tier.key) {
            Some(c) => c,
            None => free.next().unwrap_or(tier.color),
        };
    }
}

/// What ordering found for a layout.
struct Found {
    /// Crossings, as ordering counts them.
    crossings: usize,
    /// Arrows pointing up.
    upward: usize,
    /// The ranking in the order found.
    ordered: rank::Ranked,
}

/// One layout at one wrap width, with what ordering found.
fn place(
    mut g: super::graph::Graph,
    width: f32,
    ranked: &rank::Ranked,
    options: &Options<'_>,
    memory: Option<&Memory>,
) -> (Layout, Found) {
    let mut layered = Layered::new(&g, ranked);
    place::widen(&mut g, &layered);
    let keys: Vec<Key> = (0..g.groups.len()).map(|i| rank::key(&g, i)).collect();
    let hints = match (options.previous, memory) {
        (Some(previous), Some(m)) => {
            let before: HashMap<&str, &Card> = previous
                .cards
                .iter()
                .map(|c| (c.service.as_str(), c))
                .collect();
            // The cards still in the box they were in, those that changed size too (a
            // longer image, more arrows in to make room for): each keeps its place.
            let kept: Vec<Option<&Card>> = g
                .cards
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let (key, _) = m.ranks.get(&c.service)?;
                    let same = g.group_of.get(i).and_then(|&gi| keys.get(gi)) == Some(key);
                    let old = before.get(c.service.as_str()).copied()?;
                    same.then_some(old)
                })
                .collect();
            Some(Hints {
                card_x: kept
                    .iter()
                    .map(|c| c.map(|c| c.rect.x + c.rect.w / 2.0))
                    .collect(),
                card_y: kept.iter().map(|c| c.map(|c| c.rect.y)).collect(),
                card_w: g.cards.iter().map(|c| c.rect.w).collect(),
                group_x: keys
                    .iter()
                    .map(|k| m.boxes.iter().find(|(b, _)| b == k).map(|(_, x)| *x))
                    .collect(),
            })
        }
        _ => None,
    };
    layered.order(hints.as_ref(), Effort::Full);
    let found = Found {
        crossings: layered.crossings(),
        upward: layered.upward(&g),
        ordered: layered.ranked(&g),
    };
    let across = place::across(&g, &layered, hints.as_ref());
    let runs = route::runs(&layered, &across);
    let (above, below) = label::bands(&g, &layered);
    let internet = g.arrows.iter().any(|a| a.from.is_none());
    let down = place::down(
        &g,
        &layered,
        internet,
        &runs.count,
        &above,
        &below,
        hints.as_ref(),
    );

    // Everything across starts at the margin (after an edit, only if it must move).
    let least = (0..layered.columns.len())
        .filter_map(|c| across.left.get(c).copied())
        .fold(f32::MAX, f32::min);
    let shift = match memory {
        Some(_) if least >= MARGIN - 0.5 => 0.0,
        _ => MARGIN - if least == f32::MAX { 0.0 } else { least },
    };
    let most = (0..layered.columns.len())
        .filter_map(|c| Some(across.left.get(c)? + across.width.get(c)?))
        .fold(0.0, f32::max)
        + shift;
    let mut out = Layout {
        width: (most + MARGIN).max(360.0),
        height: down.height,
        ..Layout::default()
    };
    for (s, slot) in layered.slots.iter().enumerate() {
        if let super::order::SlotKind::Card(c) = slot.kind {
            let x = across.x.get(s).copied().unwrap_or(0.0) + shift;
            let y = down.rank_top.get(slot.rank).copied().unwrap_or(0.0);
            if let Some(card) = g.cards.get_mut(c) {
                card.rect.x = x - card.rect.w / 2.0;
                card.rect.y = y;
            }
        }
    }
    if let Some((top, bottom)) = down.internet {
        out.internet = Some(Rect {
            x: MARGIN,
            y: top,
            w: out.width - 2.0 * MARGIN,
            h: bottom - top,
        });
    }
    let mut boxes = Vec::new();
    for (c, column) in layered.columns.iter().enumerate() {
        let ColumnKind::Group(gi) = column.kind else {
            continue;
        };
        let Some(group) = g.groups.get(gi) else {
            continue;
        };
        let (top, _) = down.row.get(column.row).copied().unwrap_or((0.0, 0.0));
        let rect = Rect {
            x: across.left.get(c).copied().unwrap_or(0.0) + shift,
            y: top,
            w: across.width.get(c).copied().unwrap_or(0.0),
            h: down.box_bottom.get(c).copied().unwrap_or(top) - top,
        };
        if let Some(k) = keys.get(gi) {
            boxes.push((k.clone(), rect.x + rect.w / 2.0));
        }
        match group.kind {
            GroupKind::Edge => out.public_band = Some(rect),
            GroupKind::Tier(_) => out.tiers.push(TierBox {
                key: group.title.clone(),
                subtitle: group.subtitle.clone(),
                rect,
                encrypted: group.encrypted,
                color: group.color,
                title_at: title::INSET,
                subtitle_end: rect.w - title::INSET,
            }),
            GroupKind::Loose => {}
        }
    }
    let from_internet: Vec<bool> = g.links.iter().map(|l| l.from.is_none()).collect();
    let mut lines = route::polylines(&layered, &runs, &down, &from_internet);
    for line in &mut lines {
        for p in line.iter_mut() {
            p.0 += shift;
        }
    }
    let mut drawn = runs.clone();
    for xs in &mut drawn.drawn {
        for x in xs.iter_mut() {
            *x += shift;
        }
    }
    out.labels = label::labels(&g, &layered, &drawn);
    let name = |c: Option<usize>| {
        c.and_then(|c| g.cards.get(c))
            .map_or_else(|| "internet".to_string(), |c| c.service.clone())
    };
    // A bundled arrow runs along its links one after the other, through the junction.
    let joined: Vec<Vec<(f32, f32)>> = g
        .arrow_links
        .iter()
        .map(|links| {
            let mut points: Vec<(f32, f32)> = Vec::new();
            for part in links.iter().filter_map(|&l| lines.get(l)) {
                for &p in part {
                    if points.last() != Some(&p) {
                        points.push(p);
                    }
                }
            }
            points
        })
        .collect();
    out.junctions = layered
        .slots
        .iter()
        .enumerate()
        .filter_map(|(s, slot)| match slot.kind {
            super::order::SlotKind::Junction(j) => Some((s, slot.rank, g.junctions.get(j)?)),
            _ => None,
        })
        .map(|(s, rank, j)| {
            let names = |list: &[usize]| -> Vec<String> {
                list.iter()
                    .filter_map(|&c| g.cards.get(c).map(|c| c.service.clone()))
                    .collect()
            };
            Junction {
                at: (
                    across.x.get(s).copied().unwrap_or(0.0) + shift,
                    down.rank_top.get(rank).copied().unwrap_or(0.0)
                        + down.rank_height.get(rank).copied().unwrap_or(CARD_H) / 2.0,
                ),
                sources: names(&j.sources),
                targets: names(&j.targets),
            }
        })
        .collect();
    out.edges = g
        .arrows
        .iter()
        .zip(joined)
        .map(|(a, points)| Edge {
            from: name(a.from),
            to: name(Some(a.to)),
            points,
            blocked: a.blocked,
            label: a.label.clone(),
            public: a.from.is_none(),
            change: a.change,
        })
        .collect();
    if let (Some(previous), Some(_)) = (options.previous, memory) {
        keep_colors(&mut out.tiers, &previous.tiers);
    }
    let extents = title::extents(&out.edges);
    for tier in &mut out.tiers {
        (tier.title_at, tier.subtitle_end) =
            title::place(&tier.rect, &tier.key, &tier.subtitle, &extents);
    }
    if let Some(band) = out.public_band {
        out.public_title_at = title::place(&band, PUBLIC_TITLE, "", &extents).0;
    }
    out.memory = Memory {
        rows: found
            .ordered
            .rows
            .iter()
            .map(|row| row.iter().filter_map(|&gi| keys.get(gi).cloned()).collect())
            .collect(),
        ranks: ranked
            .ranks
            .iter()
            .enumerate()
            .flat_map(|(gi, ranks)| {
                let key = keys.get(gi).cloned();
                let g = &g;
                ranks.iter().enumerate().flat_map(move |(r, cards)| {
                    let key = key.clone();
                    cards.iter().filter_map(move |&c| {
                        Some((g.cards.get(c)?.service.clone(), (key.clone()?, r)))
                    })
                })
            })
            .collect(),
        boxes,
        width,
        density: g.density,
    };
    out.cards = g.cards;
    (out, found)
}
