//! Placing tiers, cards and arrows. Deterministic: the same design always gives the
//! same picture, so a review can compare two screenshots.

use std::collections::HashMap;

use crate::analysis::Analysis;
use crate::model::{Model, PublishMode, Service};
use crate::role::{image_name, Role};

const CARD_H: f32 = 54.0;
const CARD_MIN_W: f32 = 150.0;
const CARD_MAX_W: f32 = 250.0;
const PAD: f32 = 16.0;
const TITLE_H: f32 = 34.0;
/// Room for "Public entry points" (15px bold) left of the public band's cards.
const BAND_TITLE_W: f32 = 150.0;
const GAP: f32 = 14.0;
const BOX_GAP: f32 = 40.0;
/// Below the cards of a box whose cards call each other, for the loops between them.
const LOOP_ROOM: f32 = 22.0;
/// Between rows of boxes, where the arrows bend and their labels sit.
const ROW_GAP: f32 = 64.0;
const MARGIN: f32 = 24.0;
/// Rows of tier boxes wrap past this width.
const MAX_ROW: f32 = 1500.0;
/// Cards in one row of a tier box that needs several rows.
const MAX_COLS: usize = 4;
/// Layers drawn one below the other; more run on in rows.
const MAX_LAYERS: usize = 4;
/// Width of one character of the 13px system font, on average.
const GLYPH: f32 = 7.4;

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

    fn center_x(&self) -> f32 {
        self.x + self.w / 2.0
    }

    fn center_y(&self) -> f32 {
        self.y + self.h / 2.0
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

/// An arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Client service, or `internet`.
    pub from: String,
    /// Server service.
    pub to: String,
    /// Start, two control points, end of a cubic curve.
    pub points: [(f32, f32); 4],
    /// No network allows this flow.
    pub blocked: bool,
    /// Port or host name.
    pub label: Option<String>,
    /// Where the label sits on the curve (0 at the start, 1 at the end), chosen so
    /// labels neither overlap each other nor hide under a card; `None` when it is not
    /// drawn because an arrow into the same card already says the same.
    pub label_t: Option<f32>,
    /// Internet traffic into the proxy.
    pub public: bool,
}

impl Edge {
    /// The point at `t` on the curve.
    pub fn at(&self, t: f32) -> (f32, f32) {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = self.points;
        let u = 1.0 - t;
        let mix = |a: f32, b: f32, c: f32, d: f32| {
            u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d
        };
        (mix(x0, x1, x2, x3), mix(y0, y1, y2, y3))
    }

    /// The label as drawn: a blocked flow is marked.
    pub fn label_text(&self) -> Option<String> {
        match (&self.label, self.blocked) {
            (Some(l), true) => Some(format!("✕ {l}")),
            (None, true) => Some("✕ blocked".to_string()),
            (Some(l), false) => Some(l.clone()),
            (None, false) => None,
        }
    }

    /// The box the label covers at `t`: public labels start right of the curve, the
    /// others are centred on it (10.5px text, about 6.2px a character).
    pub fn label_box(&self, text: &str, t: f32) -> Rect {
        let (x, y) = self.at(t);
        let w = text.chars().count() as f32 * 6.2 + 4.0;
        let x = if self.public { x + 6.0 } else { x - w / 2.0 };
        Rect {
            x,
            y: y - 14.0,
            w,
            h: 14.0,
        }
    }
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Canvas width.
    pub width: f32,
    /// Canvas height.
    pub height: f32,
    /// The internet node, when anything is published.
    pub internet: Option<Rect>,
    /// The band of public entry points, when any.
    pub public_band: Option<Rect>,
    /// Tier boxes.
    pub tiers: Vec<TierBox>,
    /// Service cards.
    pub cards: Vec<Card>,
    /// Arrows.
    pub edges: Vec<Edge>,
}

fn text_width(text: &str, scale: f32) -> f32 {
    text.chars().count() as f32 * GLYPH * scale
}

fn card_for(service: &Service, tier: Option<&str>) -> Card {
    let image = service
        .image
        .as_deref()
        .map(image_name)
        .unwrap_or("no image");
    let replicas = service.replicas().map_or_else(
        || "global".to_string(),
        |n| format!("{n} replica{}", if n == 1 { "" } else { "s" }),
    );
    let ports: Vec<String> = service
        .ports
        .iter()
        .map(|p| {
            let n = p
                .published
                .map_or_else(|| "random".to_string(), |n| n.to_string());
            if p.mode == PublishMode::Host {
                format!("{n} host")
            } else {
                n
            }
        })
        .collect();
    let r = service.role;
    Card {
        service: service.name.clone(),
        detail: format!("{image} · {replicas}"),
        extra_tiers: service
            .networks
            .iter()
            .map(|a| a.tier.clone())
            .filter(|t| Some(t.as_str()) != tier)
            .collect(),
        tier: tier.map(str::to_string),
        rect: Rect::default(),
        proxy: matches!(r, Role::EdgeProxy(_)),
        data: matches!(r, Role::Database | Role::MessageBus),
        ports: ports.join(", "),
    }
}

fn card_width(card: &Card) -> f32 {
    let name = text_width(&card.service, 1.05);
    let detail = text_width(&card.detail, 0.85);
    let chips = text_width(&card.extra_tiers.join("  "), 0.8) + 14.0;
    (name.max(detail).max(chips) + 2.0 * 12.0).clamp(CARD_MIN_W, CARD_MAX_W)
}

/// A tier box being laid out: its rows of cards.
struct Sized {
    key: String,
    subtitle: String,
    encrypted: bool,
    color: usize,
    /// Rows of cards, each with its service's index in the model and its width
    /// already in its rect.
    grid: Vec<Vec<(usize, Card)>>,
    w: f32,
    h: f32,
}

/// The width of a row of cards side by side.
fn cards_width(cards: &[(usize, Card)]) -> f32 {
    cards.iter().map(|(_, c)| c.rect.w + GAP).sum::<f32>() - GAP
}

fn row_width(row: &[Sized]) -> f32 {
    row.iter().map(|s| s.w).sum::<f32>() + (row.len() as f32 - 1.0).max(0.0) * BOX_GAP
}

/// A layer for each of `n` nodes given the flows between them (`first` counts calls
/// from outside, which put a node early): a greedy order that puts callers before what
/// they call (Eades, Lin and Smyth's, which breaks cycles at their fewest flows), then
/// each node one layer below the lowest of its callers earlier in that order.
fn layers(n: usize, flows: &[(usize, usize)], first: &[usize]) -> Vec<usize> {
    let flows: Vec<(usize, usize)> = flows.iter().copied().filter(|(a, b)| a != b).collect();
    let count = |pick: fn(&(usize, usize)) -> usize| {
        let mut c = vec![0i64; n];
        for f in &flows {
            if let Some(k) = c.get_mut(pick(f)) {
                *k += 1;
            }
        }
        c
    };
    // Flows out to and in from the nodes not yet ordered.
    let (mut out, mut inn) = (count(|f| f.0), count(|f| f.1));
    // Position in the order (`usize::MAX` until ordered).
    let mut rank = vec![usize::MAX; n];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    while order.len() < n {
        let score = |i: usize| {
            let outside = first.get(i).copied().unwrap_or(0) as i64;
            outside * 100 + out.get(i).copied().unwrap_or(0) - inn.get(i).copied().unwrap_or(0)
        };
        let Some(next) = (0..n).filter(|&i| rank.get(i) == Some(&usize::MAX)).fold(
            None,
            |best: Option<usize>, i| match best {
                Some(b) if score(b) >= score(i) => Some(b),
                _ => Some(i),
            },
        ) else {
            break;
        };
        if let Some(r) = rank.get_mut(next) {
            *r = order.len();
        }
        order.push(next);
        for &(a, b) in &flows {
            let side = if a == next {
                inn.get_mut(b)
            } else if b == next {
                out.get_mut(a)
            } else {
                None
            };
            if let Some(k) = side {
                *k -= 1;
            }
        }
    }
    let mut layer = vec![0; n];
    for node in order {
        // Callers later in the order are the flows that go up: they do not push down.
        let below = flows
            .iter()
            .filter(|&&(a, b)| b == node && rank.get(a) < rank.get(node))
            .filter_map(|&(a, _)| layer.get(a).map(|l| l + 1))
            .max()
            .unwrap_or(0);
        if let Some(l) = layer.get_mut(node) {
            *l = below;
        }
    }
    layer
}

/// Where [`place`] puts the tier boxes and cards, in the order of the rows.
struct Placed {
    tiers: Vec<Rect>,
    /// Each card's rect and its line (a row of cards, counted from the top; the
    /// public band is line 0).
    cards: Vec<(Rect, usize)>,
    bottom: f32,
}

/// Places the rows of tier boxes from `top` down, each row and each row of cards
/// centred.
fn place(rows: &[Vec<Sized>], content_w: f32, top: f32) -> Placed {
    let mut placed = Placed {
        tiers: Vec::new(),
        cards: Vec::new(),
        bottom: top,
    };
    let mut y = top;
    let mut line = 1;
    for row in rows {
        let mut x = MARGIN + (content_w - row_width(row)) / 2.0;
        let row_h = row.iter().map(|s| s.h).fold(0.0, f32::max);
        let lines = row.iter().map(|s| s.grid.len()).max().unwrap_or(0);
        for tier in row {
            placed.tiers.push(Rect {
                x,
                y,
                w: tier.w,
                h: tier.h,
            });
            for (k, cards) in tier.grid.iter().enumerate() {
                let mut left = x + (tier.w - cards_width(cards)) / 2.0;
                for (_, card) in cards {
                    let rect = Rect {
                        x: left,
                        y: y + TITLE_H + k as f32 * (CARD_H + GAP),
                        w: card.rect.w,
                        h: CARD_H,
                    };
                    left += card.rect.w + GAP;
                    placed.cards.push((rect, line + k));
                }
            }
            x += tier.w + BOX_GAP;
        }
        line += lines;
        placed.bottom = y + row_h;
        y += row_h + ROW_GAP;
    }
    placed
}

/// Orders the tier boxes in each row and the cards in each row of a box so that arrows
/// cross less: each goes under the mean position of what it exchanges flows with in
/// the rows above (then below, then above again), the classic barycenter heuristic.
fn uncross(
    rows: &mut [Vec<Sized>],
    public: &[(usize, Rect)],
    ends: &[(usize, usize)],
    services: usize,
    content_w: f32,
    top: f32,
) {
    // Who exchanges flows with whom, both ways, by service index.
    let mut partners: Vec<Vec<usize>> = vec![Vec::new(); services];
    for &(a, b) in ends {
        for (one, other) in [(a, b), (b, a)] {
            if let Some(list) = partners.get_mut(one) {
                list.push(other);
            }
        }
    }
    for pass in 0..3 {
        let down = pass != 1;
        for r in 0..rows.len() {
            let r = if down { r } else { rows.len() - 1 - r };
            // Each card's centre and line, by service index.
            let mut at: Vec<Option<(f32, usize)>> = vec![None; services];
            let placed = place(rows, content_w, top);
            let mut spot = |i: usize, rect: &Rect, line: usize| {
                if let Some(a) = at.get_mut(i) {
                    *a = Some((rect.center_x(), line));
                }
            };
            for (i, rect) in public {
                spot(*i, rect, 0);
            }
            let cards = rows.iter().flatten().flat_map(|t| t.grid.iter().flatten());
            for ((i, _), (rect, line)) in cards.zip(&placed.cards) {
                spot(*i, rect, *line);
            }
            // Each card's wish: the mean x of its partners on the side looked at. A card
            // with none there keeps to the card on its left (or stays where it is), and
            // a row with none stays as it is.
            let across = |i: usize| {
                let (_, line) = at.get(i).copied().flatten()?;
                let (sum, n) = partners
                    .get(i)?
                    .iter()
                    .filter_map(|&other| {
                        let (ox, ol) = at.get(other).copied().flatten()?;
                        (if down { ol < line } else { ol > line }).then_some(ox)
                    })
                    .fold((0.0, 0.0), |(s, n), x| (s + x, n + 1.0));
                (n > 0.0).then(|| sum / n)
            };
            let Some(row) = rows.get_mut(r) else { continue };
            if row
                .iter()
                .flat_map(|t| t.grid.iter().flatten())
                .all(|(i, _)| across(*i).is_none())
            {
                continue;
            }
            let mut tier_wish = Vec::with_capacity(row.len());
            for tier in row.iter_mut() {
                let (mut sum, mut n) = (0.0, 0.0);
                for cards in &mut tier.grid {
                    let mut left = None;
                    let mut keys = Vec::with_capacity(cards.len());
                    for &(i, _) in cards.iter() {
                        let own = at.get(i).copied().flatten().map_or(0.0, |p| p.0);
                        let wish = across(i).or(left).unwrap_or(own);
                        left = Some(wish);
                        keys.push(wish);
                        (sum, n) = (sum + wish, n + 1.0);
                    }
                    reorder(cards, &keys);
                }
                tier_wish.push(sum / f32::max(n, 1.0));
            }
            reorder(row, &tier_wish);
        }
    }
}

/// Puts `items` in the order of `keys` (equal keys keep their order). An insertion
/// sort: rows hold a few items, and the standard sorts would add kilobytes to the page.
fn reorder<T>(items: &mut [T], keys: &[f32]) {
    let mut keys = keys.to_vec();
    keys.resize(items.len(), f32::MAX);
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && keys.get(j - 1) > keys.get(j) {
            keys.swap(j - 1, j);
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Lays out a design.
pub fn layout(model: &Model, analysis: &Analysis) -> Layout {
    let mut out = Layout::default();
    // Public band: the edge proxies; without one, whatever publishes ports.
    let mut public: Vec<&Service> = model
        .services
        .iter()
        .filter(|s| matches!(s.role, Role::EdgeProxy(_)))
        .collect();
    if public.is_empty() {
        public = model
            .services
            .iter()
            .filter(|s| !s.ports.is_empty() || s.host_network())
            .collect();
    }
    let public_names: Vec<&str> = public.iter().map(|s| s.name.as_str()).collect();

    // Services by their index in the model, flows as pairs of indices: named once here,
    // so that ordering 1,000 cards does not hash a name per step.
    let index: HashMap<&str, usize> = model
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let ends: Vec<(usize, usize)> = model
        .flows
        .iter()
        .filter_map(|f| Some((*index.get(f.from.as_str())?, *index.get(f.to.as_str())?)))
        .collect();
    let is_public: Vec<bool> = model
        .services
        .iter()
        .map(|s| public_names.contains(&s.name.as_str()))
        .collect();

    // Tiers in layers, so that most arrows point down: a tier sits below the tiers whose
    // services call its services, and the tiers the public services call come first.
    let tier_index: HashMap<&str, usize> = model
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.as_str(), i))
        .collect();
    let mut in_tier: Vec<Vec<usize>> = vec![Vec::new(); model.tiers.len()];
    for (i, s) in model.services.iter().enumerate() {
        // Public services are drawn in the band, not in their tier.
        if is_public.get(i) == Some(&true) {
            continue;
        }
        let tier = s.home.as_deref().and_then(|h| tier_index.get(h));
        if let Some(list) = tier.and_then(|&t| in_tier.get_mut(t)) {
            list.push(i);
        }
    }
    // (tier index, its services) for the tiers with a card to draw.
    let members: Vec<(usize, Vec<usize>)> = in_tier
        .into_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .collect();
    // Which member tier each service is drawn in, and where in that tier's list.
    let mut drawn_in: Vec<Option<(usize, usize)>> = vec![None; model.services.len()];
    for (m, (_, list)) in members.iter().enumerate() {
        for (k, &i) in list.iter().enumerate() {
            if let Some(d) = drawn_in.get_mut(i) {
                *d = Some((m, k));
            }
        }
    }
    let at = |i: usize| drawn_in.get(i).copied().flatten();
    let mut tier_flows = Vec::new();
    let mut inner: Vec<Vec<(usize, usize)>> = vec![Vec::new(); members.len()];
    let mut from_public = vec![0; members.len()];
    for &(a, b) in &ends {
        match (at(a), at(b)) {
            (Some((ta, ka)), Some((tb, kb))) if ta == tb => {
                if let Some(list) = inner.get_mut(ta) {
                    list.push((ka, kb));
                }
            }
            (Some((ta, _)), Some((tb, _))) => tier_flows.push((ta, tb)),
            (None, Some((tb, _))) if is_public.get(a) == Some(&true) => {
                if let Some(count) = from_public.get_mut(tb) {
                    *count += 1;
                }
            }
            _ => {}
        }
    }
    let tier_layer = layers(members.len(), &tier_flows, &from_public);

    // Size each tier box; inside it, rows of cards.
    let sized: Vec<Sized> = members
        .iter()
        .zip(&inner)
        .map(|((i, services), inner)| {
            let tier = model.tiers.get(*i);
            let key = tier.map(|t| t.key.clone()).unwrap_or_default();
            // Callers left of what they call, so flows inside a box read left to right.
            let card_layer = layers(services.len(), inner, &[]);
            let mut cards: Vec<(usize, Card)> = Vec::with_capacity(services.len());
            for l in 0..=card_layer.iter().copied().max().unwrap_or(0) {
                for (&i, _) in services.iter().zip(&card_layer).filter(|(_, &cl)| cl == l) {
                    let Some(s) = model.services.get(i) else {
                        continue;
                    };
                    let mut card = card_for(s, Some(&key));
                    card.rect.w = card_width(&card);
                    cards.push((i, card));
                }
            }
            // One row up to five cards (arrows from above reach every card), then rows
            // of four, which keep large boxes narrow enough to sit side by side.
            let cols = if cards.len() <= MAX_COLS + 1 {
                MAX_COLS + 1
            } else {
                MAX_COLS
            };
            let grid: Vec<Vec<(usize, Card)>> = cards.chunks(cols).map(<[_]>::to_vec).collect();
            let mut flags = vec![tier
                .and_then(|t| t.driver.clone())
                .unwrap_or_else(|| "overlay".into())];
            if let Some(t) = tier {
                if t.encryption.is_effective() {
                    flags.push("encrypted".into());
                }
                if t.internal {
                    flags.push("internal".into());
                }
                if t.external {
                    flags.push("external".into());
                }
                if t.attachable {
                    flags.push("attachable".into());
                }
            }
            let subtitle = flags.join(" · ");
            let lines = grid.len() as f32;
            let w = (grid
                .iter()
                .map(|cards| cards_width(cards))
                .fold(0.0, f32::max)
                + 2.0 * PAD)
                .max(text_width(&key, 1.1) + text_width(&subtitle, 0.85) + 3.0 * PAD);
            // Flows between cards of the box loop under them: keep the loops inside.
            let loops = if inner.iter().any(|(a, b)| a != b) {
                LOOP_ROOM
            } else {
                0.0
            };
            let h = TITLE_H + lines * CARD_H + (lines - 1.0).max(0.0) * GAP + PAD + loops;
            Sized {
                encrypted: tier.is_some_and(|t| t.encryption.is_effective()),
                color: *i,
                key,
                subtitle,
                grid,
                w,
                h,
            }
        })
        .collect();

    // Rows of tier boxes, a layer at a time, filled up to a width that still reads on a
    // projector.
    let mut by_layer: Vec<Vec<Sized>> = Vec::new();
    for (l, tier) in tier_layer.iter().copied().zip(sized) {
        while by_layer.len() <= l {
            by_layer.push(Vec::new());
        }
        if let Some(layer) = by_layer.get_mut(l) {
            layer.push(tier);
        }
    }
    // Past a few layers a row per layer makes a tall, thin picture: rows then run on
    // from one layer into the next.
    let run_on = by_layer.len() > MAX_LAYERS;
    let mut rows: Vec<Vec<Sized>> = Vec::new();
    let mut row: Vec<Sized> = Vec::new();
    let mut width = 0.0;
    for layer in by_layer {
        if !run_on && !row.is_empty() {
            rows.push(std::mem::take(&mut row));
        }
        for tier in layer {
            if !row.is_empty() && width + BOX_GAP + tier.w > MAX_ROW {
                rows.push(std::mem::take(&mut row));
            }
            width = if row.is_empty() {
                tier.w
            } else {
                width + BOX_GAP + tier.w
            };
            row.push(tier);
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    let public_cards: Vec<Card> = public.iter().map(|s| card_for(s, None)).collect();
    // The band's title sits left of its cards, clear of the arrows from the internet.
    let public_w = public_cards
        .iter()
        .map(|c| card_width(c) + GAP)
        .sum::<f32>()
        + BAND_TITLE_W
        + 2.0 * PAD;
    let content_w = rows
        .iter()
        .map(|r| row_width(r))
        .fold(if public.is_empty() { 0.0 } else { public_w }, f32::max)
        .max(320.0);
    out.width = content_w + 2.0 * MARGIN;

    let mut y = MARGIN;
    if !public.is_empty() {
        // Above the middle of the public cards (the band's title is on their left).
        let internet = Rect {
            x: out.width / 2.0 + (BAND_TITLE_W + GAP) / 2.0 - 70.0,
            y,
            w: 140.0,
            h: 40.0,
        };
        out.internet = Some(internet);
        y += internet.h + 36.0;
        let band = Rect {
            x: out.width / 2.0 - public_w / 2.0,
            y,
            w: public_w,
            h: CARD_H + 2.0 * PAD,
        };
        let mut x = band.x + PAD + BAND_TITLE_W + GAP;
        for mut card in public_cards {
            let w = card_width(&card);
            card.rect = Rect {
                x,
                y: band.y + PAD,
                w,
                h: CARD_H,
            };
            x += w + GAP;
            out.cards.push(card);
        }
        out.public_band = Some(band);
        y += band.h + ROW_GAP;
    }
    let public_spots: Vec<(usize, Rect)> = out
        .cards
        .iter()
        .filter_map(|c| Some((*index.get(c.service.as_str())?, c.rect)))
        .collect();
    uncross(
        &mut rows,
        &public_spots,
        &ends,
        model.services.len(),
        content_w,
        y,
    );
    let placed = place(&rows, content_w, y);
    let mut card_rects = placed.cards.iter();
    // The boxes' cards in the model's order, not box by box: a card moved to another box
    // keeps its place among the drawing's elements, so a live view only repositions it.
    let mut in_order: Vec<Option<Card>> = model.services.iter().map(|_| None).collect();
    for (tier, rect) in rows.into_iter().flatten().zip(&placed.tiers) {
        for (i, mut card) in tier.grid.into_iter().flatten() {
            card.rect = card_rects.next().map_or_else(Rect::default, |(r, _)| *r);
            match in_order.get_mut(i) {
                Some(slot @ None) => *slot = Some(card),
                _ => out.cards.push(card),
            }
        }
        out.tiers.push(TierBox {
            key: tier.key,
            subtitle: tier.subtitle,
            rect: *rect,
            encrypted: tier.encrypted,
            color: tier.color,
        });
    }
    out.cards.extend(in_order.into_iter().flatten());
    out.height = placed.bottom + MARGIN;

    // Arrows.
    let rect_of: HashMap<&str, Rect> = out
        .cards
        .iter()
        .map(|c| (c.service.as_str(), c.rect))
        .collect();
    if let (Some(internet), true) = (out.internet, !public.is_empty()) {
        for card in out.cards.iter().filter(|c| c.tier.is_none()) {
            out.edges.push(Edge {
                from: "internet".into(),
                to: card.service.clone(),
                points: curve(internet, card.rect, false),
                blocked: false,
                label: (!card.ports.is_empty()).then(|| card.ports.clone()),
                label_t: Some(0.4),
                public: true,
            });
        }
    }
    for check in &analysis.flows {
        let Some(flow) = model.flows.get(check.flow) else {
            continue;
        };
        let (Some(a), Some(b)) = (
            rect_of.get(flow.from.as_str()),
            rect_of.get(flow.to.as_str()),
        ) else {
            continue;
        };
        // A loop under a row would cross the cards of the row below: go over instead.
        let covered = |r: &Rect| {
            out.cards.iter().any(|c| {
                c.rect.y > r.y + r.h
                    && c.rect.y <= r.y + r.h + GAP + 1.0
                    && c.rect.x < r.x + r.w
                    && r.x < c.rect.x + c.rect.w
            })
        };
        let over = covered(a) || covered(b);
        out.edges.push(Edge {
            from: flow.from.clone(),
            to: flow.to.clone(),
            points: curve(*a, *b, over),
            blocked: check.blocked(),
            label: flow.port.map(|p| p.to_string()),
            label_t: Some(0.72),
            public: false,
        });
    }
    spread_ends(&mut out.edges, |public, name| {
        if public {
            out.internet
        } else {
            rect_of.get(name).copied()
        }
    });
    // Labels keep off the cards and the tier boxes' title lines.
    let mut obstacles: Vec<Rect> = out.cards.iter().map(|c| c.rect).collect();
    obstacles.extend(out.tiers.iter().map(|t| Rect {
        h: TITLE_H,
        ..t.rect
    }));
    place_labels(&mut out.edges, &obstacles);
    out
}

/// Spreads the arrows that meet one side of a card along that side, ordered by where
/// their other end is, so they neither pile into one point nor cross at the card.
fn spread_ends(edges: &mut [Edge], rect_of: impl Fn(bool, &str) -> Option<Rect>) {
    // (node, side, edge, end, the other end's coordinate along the side)
    type End = (bool, String, u8, usize, usize, f32);
    let mut ends: Vec<End> = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        for (end, public, name, other) in [(0, e.public, &e.from, 3), (3, false, &e.to, 0)] {
            let (Some(r), Some(&p), Some(&q)) = (
                rect_of(public, name),
                e.points.get(end),
                e.points.get(other),
            ) else {
                continue;
            };
            let side = if p.1 == r.y {
                0
            } else if p.1 == r.y + r.h {
                1
            } else if p.0 == r.x {
                2
            } else if p.0 == r.x + r.w {
                3
            } else {
                continue;
            };
            let along = if side < 2 { q.0 } else { q.1 };
            ends.push((public, name.clone(), side, i, end, along));
        }
    }
    // Rank each end within its group by counting (no sort: it keeps the page small).
    let same = |a: &End, b: &End| a.0 == b.0 && a.1 == b.1 && a.2 == b.2;
    let before = |a: &End, b: &End| (b.5, b.3, b.4) < (a.5, a.3, a.4);
    for a in &ends {
        let n = ends.iter().filter(|b| same(a, b)).count() as f32;
        let k = ends.iter().filter(|b| same(a, b) && before(a, b)).count() as f32;
        let (public, name, side, i, end, _) = a;
        let Some(r) = rect_of(*public, name) else {
            continue;
        };
        let share = (k + 1.0) / (n + 1.0);
        // The control point next to an end shares its x (top, bottom) or y (sides).
        let control = if *end == 0 { 1 } else { 2 };
        let Some(e) = edges.get_mut(*i) else { continue };
        for j in [*end, control] {
            if let Some(p) = e.points.get_mut(j) {
                if *side < 2 {
                    p.0 = r.x + r.w * (0.15 + 0.7 * share);
                } else {
                    p.1 = r.y + r.h * (0.2 + 0.6 * share);
                }
            }
        }
    }
}

/// Puts each label at the place along its curve nearest its usual one (near the arrow's
/// head; for the internet, near the middle) where it covers no obstacle and no label
/// placed before it; where there is none, at its usual place. A label another arrow
/// into the same card already shows is not drawn again.
fn place_labels(edges: &mut [Edge], obstacles: &[Rect]) {
    let mut taken: Vec<Rect> = Vec::new();
    let mut said: Vec<(String, String)> = Vec::new();
    for e in edges.iter_mut() {
        let Some(text) = e.label_text() else { continue };
        // Three arrows into postgres say 5432 once, near the card.
        if said.iter().any(|(to, t)| *to == e.to && *t == text) {
            e.label_t = None;
            continue;
        }
        said.push((e.to.clone(), text.clone()));
        let usual = if e.public { 0.4 } else { 0.72 };
        let free = |t: f32| {
            let b = e.label_box(&text, t);
            !taken.iter().chain(obstacles).any(|r| r.overlaps(&b))
        };
        // Steps of 0.04 either side of the usual place, nearest first.
        let t = (0..40)
            .map(|k| usual + if k % 2 == 0 { 0.02 } else { -0.02 } * k as f32)
            .filter(|t| (0.06..=0.94).contains(t))
            .find(|&t| free(t))
            .unwrap_or(usual);
        e.label_t = Some(t);
        taken.push(e.label_box(&text, t));
    }
}

/// A cubic curve from the border of `a` to the border of `b`: vertical when `b` is above
/// or below, sideways between neighbours, and a loop under the row (or `over` it) for
/// cards further apart on one row (a straight line would cross the cards between them).
fn curve(a: Rect, b: Rect, over: bool) -> [(f32, f32); 4] {
    let dy = b.center_y() - a.center_y();
    let gap = if b.x > a.x {
        b.x - (a.x + a.w)
    } else {
        a.x - (b.x + b.w)
    };
    if dy.abs() <= (a.h + b.h) / 2.0 && gap > BOX_GAP + GAP && over {
        let top = a.y.min(b.y);
        let lift = (gap / 6.0).clamp(24.0, 40.0);
        let (start, end) = ((a.center_x(), a.y), (b.center_x(), b.y));
        return [start, (start.0, top - lift), (end.0, top - lift), end];
    }
    if dy.abs() <= (a.h + b.h) / 2.0 && gap > BOX_GAP + GAP {
        let bottom = a.y.max(b.y) + a.h.max(b.h);
        let depth = (gap / 6.0).clamp(24.0, 44.0);
        let (start, end) = ((a.center_x(), a.y + a.h), (b.center_x(), b.y + b.h));
        return [
            start,
            (start.0, bottom + depth),
            (end.0, bottom + depth),
            end,
        ];
    }
    if dy.abs() > (a.h + b.h) / 2.0 {
        let (start, end) = if dy > 0.0 {
            ((a.center_x(), a.y + a.h), (b.center_x(), b.y))
        } else {
            ((a.center_x(), a.y), (b.center_x(), b.y + b.h))
        };
        let bend = ((end.1 - start.1) / 2.0).clamp(-80.0, 80.0);
        [start, (start.0, start.1 + bend), (end.0, end.1 - bend), end]
    } else {
        let (start, end) = if b.center_x() > a.center_x() {
            ((a.x + a.w, a.center_y()), (b.x, b.center_y()))
        } else {
            ((a.x, a.center_y()), (b.x + b.w, b.center_y()))
        };
        let bend = ((end.0 - start.0) / 2.0).clamp(-60.0, 60.0);
        [start, (start.0 + bend, start.1), (end.0 - bend, end.1), end]
    }
}
