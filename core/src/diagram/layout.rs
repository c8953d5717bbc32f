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
    /// Internet traffic into the proxy.
    pub public: bool,
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
    let public_w = public_cards
        .iter()
        .map(|c| card_width(c) + GAP)
        .sum::<f32>()
        - GAP
        + 2.0 * PAD;
    let content_w = rows
        .iter()
        .map(|r| row_width(r))
        .fold(if public.is_empty() { 0.0 } else { public_w }, f32::max)
        .max(320.0);
    out.width = content_w + 2.0 * MARGIN;

    let mut y = MARGIN;
    if !public.is_empty() {
        let internet = Rect {
            x: out.width / 2.0 - 70.0,
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
            h: TITLE_H + CARD_H + PAD,
        };
        let mut x = band.x + PAD;
        for mut card in public_cards {
            let w = card_width(&card);
            card.rect = Rect {
                x,
                y: band.y + TITLE_H,
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
                points: curve(internet, card.rect),
                blocked: false,
                label: (!card.ports.is_empty()).then(|| card.ports.clone()),
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
        out.edges.push(Edge {
            from: flow.from.clone(),
            to: flow.to.clone(),
            points: curve(*a, *b),
            blocked: check.blocked(),
            label: flow.port.map(|p| p.to_string()),
            public: false,
        });
    }
    out
}

/// A cubic curve from the border of `a` to the border of `b`: vertical when `b` is above
/// or below, sideways between neighbours, and a loop under the row for cards further
/// apart on one row (a straight line would cross the cards between them).
fn curve(a: Rect, b: Rect) -> [(f32, f32); 4] {
    let dy = b.center_y() - a.center_y();
    let gap = if b.x > a.x {
        b.x - (a.x + a.w)
    } else {
        a.x - (b.x + b.w)
    };
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
