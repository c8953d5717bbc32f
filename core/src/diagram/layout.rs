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
const MARGIN: f32 = 24.0;
/// Rows of tier boxes wrap past this width.
const MAX_ROW: f32 = 1250.0;
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
    /// labels neither overlap each other nor hide under a card.
    pub label_t: f32,
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

    // Tiers in an order that keeps arrows short: those the public services sit on
    // first, then by how many flows link them to tiers already placed, then file order.
    let mut members: Vec<(usize, Vec<&Service>)> = model
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let list = model
                .services
                .iter()
                .filter(|s| {
                    s.home.as_deref() == Some(t.key.as_str())
                        && !public_names.contains(&s.name.as_str())
                })
                .collect();
            (i, list)
        })
        .filter(|(_, list): &(usize, Vec<&Service>)| !list.is_empty())
        .collect();
    // Flows between each pair of tiers, counted once: scoring a candidate tier then
    // costs a row lookup, not a pass over every flow (200 services: 10 ms -> 0.1 ms).
    let tier_index: HashMap<&str, usize> = model
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.as_str(), i))
        .collect();
    let home_of: HashMap<&str, usize> = model
        .services
        .iter()
        .filter_map(|s| Some((s.name.as_str(), *tier_index.get(s.home.as_deref()?)?)))
        .collect();
    let n = model.tiers.len();
    let mut links = vec![0usize; n * n];
    for f in &model.flows {
        if let (Some(&a), Some(&b)) = (home_of.get(f.from.as_str()), home_of.get(f.to.as_str())) {
            if let Some(count) = links.get_mut(a * n + b) {
                *count += 1;
            }
        }
    }
    let weight = |a: usize, b: usize| {
        let at = |i: usize| links.get(i).copied().unwrap_or(0);
        if a == b {
            at(a * n + a)
        } else {
            at(a * n + b) + at(b * n + a)
        }
    };
    let mut ordered: Vec<(usize, Vec<&Service>)> = Vec::new();
    while !members.is_empty() {
        let score = |(i, _): &(usize, Vec<&Service>)| {
            let key = model.tiers.get(*i).map_or("", |t| t.key.as_str());
            let from_public = public.iter().filter(|p| p.on(key)).count() * 100;
            let linked: usize = ordered.iter().map(|(j, _)| weight(*i, *j)).sum();
            from_public + linked * 10
        };
        let best = members
            .iter()
            .enumerate()
            .max_by(|(ia, a), (ib, b)| score(a).cmp(&score(b)).then(ib.cmp(ia)))
            .map_or(0, |(i, _)| i);
        ordered.push(members.remove(best));
    }

    // Size each tier box.
    struct Sized {
        key: String,
        subtitle: String,
        encrypted: bool,
        color: usize,
        cards: Vec<Card>,
        cols: usize,
        card_w: f32,
        w: f32,
        h: f32,
    }
    let sized: Vec<Sized> = ordered
        .iter()
        .map(|(i, services)| {
            let tier = model.tiers.get(*i);
            let key = tier.map(|t| t.key.clone()).unwrap_or_default();
            let cards: Vec<Card> = services.iter().map(|s| card_for(s, Some(&key))).collect();
            let cols = match cards.len() {
                0..=3 => cards.len().max(1),
                4 => 2,
                _ => 3,
            };
            let rows = cards.len().div_ceil(cols);
            let card_w = cards.iter().map(card_width).fold(CARD_MIN_W, f32::max);
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
            let w = (cols as f32 * card_w + (cols as f32 - 1.0) * GAP + 2.0 * PAD)
                .max(text_width(&key, 1.1) + text_width(&subtitle, 0.85) + 3.0 * PAD);
            let h = TITLE_H + rows as f32 * CARD_H + (rows as f32 - 1.0).max(0.0) * GAP + PAD;
            Sized {
                encrypted: tier.is_some_and(|t| t.encryption.is_effective()),
                color: *i,
                key,
                subtitle,
                cards,
                cols,
                card_w,
                w,
                h,
            }
        })
        .collect();

    // Rows of tier boxes, filled up to a width that still reads on a projector.
    let mut rows: Vec<&[Sized]> = Vec::new();
    let mut start = 0;
    let mut width = 0.0;
    for (i, tier) in sized.iter().enumerate() {
        if i > start && width + BOX_GAP + tier.w > MAX_ROW {
            rows.push(sized.get(start..i).unwrap_or_default());
            start = i;
            width = 0.0;
        }
        width += if i > start { BOX_GAP + tier.w } else { tier.w };
    }
    if start < sized.len() {
        rows.push(sized.get(start..).unwrap_or_default());
    }
    let row_width = |row: &[Sized]| {
        row.iter().map(|s| s.w).sum::<f32>() + (row.len() as f32 - 1.0).max(0.0) * BOX_GAP
    };
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
        y += band.h + BOX_GAP + 10.0;
    }
    for row in rows {
        let mut x = MARGIN + (content_w - row_width(row)) / 2.0;
        let row_h = row.iter().map(|s| s.h).fold(0.0, f32::max);
        for tier in row {
            let rect = Rect {
                x,
                y,
                w: tier.w,
                h: tier.h,
            };
            let inner_w = tier.cols as f32 * tier.card_w + (tier.cols as f32 - 1.0) * GAP;
            let left = x + (tier.w - inner_w) / 2.0;
            for (n, card) in tier.cards.iter().enumerate() {
                let (col, line) = (n % tier.cols, n / tier.cols);
                let mut card = card.clone();
                card.rect = Rect {
                    x: left + col as f32 * (tier.card_w + GAP),
                    y: y + TITLE_H + line as f32 * (CARD_H + GAP),
                    w: tier.card_w,
                    h: CARD_H,
                };
                out.cards.push(card);
            }
            out.tiers.push(TierBox {
                key: tier.key.clone(),
                subtitle: tier.subtitle.clone(),
                rect,
                encrypted: tier.encrypted,
                color: tier.color,
            });
            x += tier.w + BOX_GAP;
        }
        y += row_h + BOX_GAP;
    }
    out.height = y - BOX_GAP + MARGIN;

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
                label_t: 0.4,
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
            label_t: 0.72,
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
/// placed before it; where there is none, at its usual place.
fn place_labels(edges: &mut [Edge], obstacles: &[Rect]) {
    let mut taken: Vec<Rect> = Vec::new();
    for e in edges.iter_mut() {
        let Some(text) = e.label_text() else { continue };
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
        e.label_t = t;
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
        let depth = (gap / 6.0).clamp(28.0, 70.0);
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
