//! Drawing a [`Layout`] as a standalone SVG: no scripts, no external resources, every
//! name from the user's file escaped.

use std::borrow::Cow;
use std::fmt::Write;

use super::layout::{Card, Layout, Rect};

/// Tier fills and strokes, after seed 000's diagram (web green, infra pink, job purple,
/// ml yellow, ...), readable on a projector.
const PALETTE: &[(&str, &str)] = &[
    ("#e8f5e9", "#2e7d32"),
    ("#fce4ec", "#c2185b"),
    ("#f3e5f5", "#7b1fa2"),
    ("#fff9c4", "#b06f00"),
    ("#e3f2fd", "#1565c0"),
    ("#e0f2f1", "#00695c"),
    ("#fbe9e7", "#d84315"),
    ("#ede7f6", "#4527a0"),
];

/// What to emphasise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Style {
    /// Services to outline (e.g. the selected service's blast radius).
    pub highlight: Vec<String>,
    /// The selected service.
    pub selected: Option<String>,
    /// Fade everything that is neither selected nor highlighted.
    pub dimmed_others: bool,
    /// The selected tier, drawn with a heavy outline.
    pub selected_tier: Option<String>,
    /// Services that changed since the baseline, outlined dashed.
    pub changed: Vec<String>,
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A coordinate in whole pixels: precise enough for a diagram, and it keeps float
/// formatting (a large part of std) out of the page.
fn px(v: f32) -> i32 {
    v.round() as i32
}

/// Shortens text to about `max` characters for a fixed-width card.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

// Texts take the default fill only where they set none themselves (`:where` adds no
// weight, so every class below still wins).
const CSS: &str = "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}:where(text:not([fill])){fill:#1b1f24}\
.tt{font-size:15px;font-weight:700}.ts{font-size:11.5px;fill:#4a525c}\
.cn{font-size:13.5px;font-weight:700}.cd{font-size:11px;fill:#4a525c}.ch{font-size:10.5px;fill:#37628f}\
.card{fill:#fff;stroke:#8a94a3;stroke-width:1.2}.proxy .card{fill:#fff3e0;stroke:#e65100;stroke-width:2}\
.data .card{stroke:#6d4c41}.chg .card{stroke:#8e24aa;stroke-width:3;stroke-dasharray:7 3}.sel .card,.sel>rect{stroke:#ff6f00;stroke-width:3.5}.hl .card{stroke:#1565c0;stroke-width:3}\
.dim{opacity:.35}.flow{fill:none;stroke:#5c6773;stroke-width:1.6}.public{stroke:#1565c0;stroke-width:3}\
.blocked{stroke:#d32f2f;stroke-width:2.2;stroke-dasharray:6 4}.lbl{font-size:10.5px;fill:#37474f}\
.lbl.bad{fill:#d32f2f;font-weight:700}.halo{stroke:#fff;stroke-width:3.5;paint-order:stroke}\
.in rect{fill:#1565c0}.in text{font-size:11px;font-weight:700;fill:#fff}";

/// The diagram as its parts: its size and its top-level elements in drawing order, so a
/// view can replace only the elements an edit changed. Boxes, cards and labels are
/// groups that start with their position (`<g transform="translate(x y)"`), so one that
/// only moved is moved without laying out its text again (moving a `<text>` itself
/// would). `to_string()` is the SVG file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Drawing {
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// The elements inside `<svg>`, each one element's markup.
    pub children: Vec<String>,
}

impl std::fmt::Display for Drawing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (w, h) = (&self.width, &self.height);
        write!(
            f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"Stack diagram\">"
        )?;
        for child in &self.children {
            f.write_str(child)?;
        }
        f.write_str("</svg>")
    }
}

/// Draws the layout as one SVG document.
pub fn svg(layout: &Layout, style: &Style) -> String {
    drawing(layout, style).to_string()
}

/// Draws the layout as parts (see [`Drawing`]).
pub fn drawing(layout: &Layout, style: &Style) -> Drawing {
    let mut children =
        Vec::with_capacity(4 + layout.tiers.len() + layout.edges.len() + layout.cards.len());
    let mut s = String::with_capacity(1024);
    let (w, h) = (px(layout.width.ceil()), px(layout.height.ceil()));
    let _ = write!(
        s,
        "<defs><style>{CSS}</style>\
<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#5c6773\"/></marker>\
<marker id=\"arrow-public\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#1565c0\"/></marker>\
<marker id=\"arrow-blocked\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#d32f2f\"/></marker></defs>"
    );
    children.push(std::mem::take(&mut s));
    let _ = write!(s, "<rect width=\"{w}\" height=\"{h}\" fill=\"#fafbfc\"/>");
    children.push(std::mem::take(&mut s));
    let mut labels: Vec<String> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let focus = |name: &str| {
        style.selected.as_deref() == Some(name) || style.highlight.iter().any(|h| h == name)
    };

    if let Some(r) = layout.internet {
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\"><rect width=\"{}\" height=\"{}\" rx=\"20\" fill=\"#e3f2fd\" stroke=\"#1976d2\" stroke-width=\"2.5\"/><text class=\"tt\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">Internet</text></g>",
            px(r.x), px(r.y), px(r.w), px(r.h), px(r.w / 2.0), px(r.h / 2.0 + 5.0)
        );
        children.push(std::mem::take(&mut s));
    }
    if let Some(r) = layout.public_band {
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\"><rect width=\"{}\" height=\"{}\" rx=\"12\" fill=\"#fff8ef\" stroke=\"#f57c00\" stroke-width=\"2\" stroke-dasharray=\"2 0\"/><text class=\"tt\" x=\"14\" y=\"{}\">Public entry points</text></g>",
            px(r.x), px(r.y), px(r.w), px(r.h), px(r.h / 2.0 + 5.0)
        );
        children.push(std::mem::take(&mut s));
    }
    for tier in &layout.tiers {
        let (fill, stroke) = PALETTE
            .get(tier.color % PALETTE.len())
            .copied()
            .unwrap_or(("#eef3fb", "#5b7db1"));
        let r = tier.rect;
        let key = escape(&tier.key);
        let sub = escape(&tier.subtitle);
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\" data-tier=\"{key}\"{}><title>Tier {key}: {sub}</title><rect width=\"{}\" height=\"{}\" rx=\"12\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2.5\"/></g>",
            px(r.x),
            px(r.y),
            if style.selected_tier.as_deref() == Some(tier.key.as_str()) {
                " class=\"sel\""
            } else {
                ""
            },
            px(r.w),
            px(r.h),
        );
        children.push(std::mem::take(&mut s));
        // The name and flags are drawn over the arrows that enter the box, on a halo of
        // the box's colour, so an arrow never hides them (presentation attributes, not
        // `style`: a page whose CSP allows no inline style still shows them). The flags
        // sit at the box's right edge in a group of their own: a box that grows moves it,
        // not its text.
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\" data-tier=\"{key}\" stroke=\"{fill}\" stroke-width=\"4\" paint-order=\"stroke\"><text class=\"tt\" x=\"14\" y=\"23\" fill=\"{stroke}\">{key}</text><g transform=\"translate({} 23)\"><text class=\"ts\" text-anchor=\"end\">{sub}</text></g></g>",
            px(r.x),
            px(r.y),
            px(r.w - 14.0),
        );
        titles.push(std::mem::take(&mut s));
    }
    for edge in &layout.edges {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = edge.points;
        let d = [x0, y0, x1, y1, x2, y2, x3, y3].map(px);
        let (class, marker) = match (edge.public, edge.blocked) {
            (true, _) => ("flow public", "arrow-public"),
            (false, true) => ("flow blocked", "arrow-blocked"),
            (false, false) => ("flow", "arrow"),
        };
        let dim = style.dimmed_others
            && !(focus(&edge.from) && focus(&edge.to))
            && !(edge.public && focus(&edge.to));
        let _ = write!(
            s,
            "<g{}><title>{} → {}{}</title><path class=\"{class}\" d=\"M{} {}C{} {} {} {} {} {}\" marker-end=\"url(#{marker})\"/>",
            if dim { " class=\"dim\"" } else { "" },
            escape(&edge.from),
            escape(&edge.to),
            if edge.blocked { " (blocked: no shared network)" } else { "" },
            d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7],
        );
        s.push_str("</g>");
        children.push(std::mem::take(&mut s));
        // Labels sit near the arrow's head, where they say which door the flow enters
        // (the layout moves one along its curve off cards and other labels), and are
        // drawn after the cards so none is hidden where there was no free place.
        if let Some((label, t)) = edge.label_text().zip(edge.label_t) {
            let (mx, my) = edge.at(t);
            labels.push(format!(
                "<g transform=\"translate({} {})\"><text class=\"lbl halo{}{}\" text-anchor=\"{}\">{}</text></g>",
                px(if edge.public { mx + 8.0 } else { mx }),
                px(my - 3.0),
                if edge.blocked { " bad" } else { "" },
                if dim { " dim" } else { "" },
                if edge.public { "start" } else { "middle" },
                escape(&label)
            ));
        }
    }
    children.extend(titles);
    for card in &layout.cards {
        draw_card(&mut s, card, style, focus(&card.service));
        children.push(std::mem::take(&mut s));
    }
    children.extend(labels);
    Drawing {
        width: w,
        height: h,
        children,
    }
}

fn draw_card(s: &mut String, card: &Card, style: &Style, focused: bool) {
    let Rect { x, y, w, h } = card.rect;
    let mut class = String::from("c");
    if card.proxy {
        class.push_str(" proxy");
    }
    if card.data {
        class.push_str(" data");
    }
    if style.selected.as_deref() == Some(card.service.as_str()) {
        class.push_str(" sel");
    } else if style.highlight.contains(&card.service) {
        class.push_str(" hl");
    }
    if style.changed.contains(&card.service) {
        class.push_str(" chg");
    }
    if style.dimmed_others && !focused {
        class.push_str(" dim");
    }
    let name = escape(&card.service);
    let chars = ((w - 20.0) / 7.0).max(8.0) as usize;
    let (x, y, w, h) = (px(x), px(y), px(w), px(h));
    let _ = write!(
        s,
        "<g transform=\"translate({x} {y})\" class=\"{class}\" data-service=\"{name}\"><title>{name}{ports}</title><rect class=\"card\" width=\"{w}\" height=\"{h}\" rx=\"{rx}\"/><text class=\"cn\" x=\"10\" y=\"19\">{}</text><text class=\"cd\" x=\"10\" y=\"34\">{}</text>",
        escape(&fit(&card.service, chars)),
        escape(&fit(&card.detail, chars + 3)),
        rx = if card.data { 14 } else { 7 },
        ports = if card.ports.is_empty() { String::new() } else { format!(" (published {})", escape(&card.ports)) },
    );
    if !card.extra_tiers.is_empty() {
        let text = format!("+ {}", card.extra_tiers.join(", "));
        let _ = write!(
            s,
            "<text class=\"ch\" x=\"10\" y=\"48\">{}</text>",
            escape(&fit(&text, chars + 4))
        );
    } else if !card.ports.is_empty() {
        let _ = write!(
            s,
            "<text class=\"ch\" x=\"10\" y=\"48\">published {}</text>",
            escape(&card.ports)
        );
    }
    // A port published behind the proxy's back (a database, say) is marked where the
    // internet comes in, on the card's top edge, so the review sees it.
    if card.tier.is_some() && !card.ports.is_empty() {
        let text = format!("↓ {}", card.ports);
        let pw = text.chars().count() as i32 * 7 + 12;
        let _ = write!(
            s,
            "<g class=\"in\"><title>published to the internet: {ports}</title><rect x=\"{}\" y=\"-9\" width=\"{pw}\" height=\"17\" rx=\"8\"/><text x=\"{}\" y=\"4\" text-anchor=\"middle\">{}</text></g>",
            w - pw - 8,
            w - pw / 2 - 8,
            escape(&text),
            ports = escape(&card.ports),
        );
    }
    s.push_str("</g>");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::diagram::{layout, Edge};
    use crate::templates::TEMPLATES;
    use crate::{Design, ImportOptions};

    fn draw(design: &Design) -> (Layout, String) {
        let analysis = design.analyze();
        let l = layout(design.model(), &analysis);
        let s = svg(&l, &Style::default());
        (l, s)
    }

    #[test]
    fn templates_lay_out_without_overlaps() {
        for template in TEMPLATES {
            let design = template.design().unwrap();
            let (l, s) = draw(&design);
            for (i, a) in l.tiers.iter().enumerate() {
                for b in l.tiers.iter().skip(i + 1) {
                    assert!(
                        !a.rect.overlaps(&b.rect),
                        "{}: tiers {} and {} overlap",
                        template.name,
                        a.key,
                        b.key
                    );
                }
            }
            for (i, a) in l.cards.iter().enumerate() {
                for b in l.cards.iter().skip(i + 1) {
                    assert!(
                        !a.rect.overlaps(&b.rect),
                        "{}: cards {} and {} overlap",
                        template.name,
                        a.service,
                        b.service
                    );
                }
                if let Some(tier) = &a.tier {
                    let bx = l.tiers.iter().find(|t| &t.key == tier).unwrap();
                    assert!(
                        bx.rect.contains(&a.rect),
                        "{}: {} outside {}",
                        template.name,
                        a.service,
                        tier
                    );
                }
                assert!(
                    a.rect.x >= 0.0
                        && a.rect.x + a.rect.w <= l.width
                        && a.rect.y + a.rect.h <= l.height
                );
            }
            // Every service is drawn once, every flow has an arrow.
            assert_eq!(
                l.cards.len(),
                design.model().services.len(),
                "{}",
                template.name
            );
            assert_eq!(
                l.edges.iter().filter(|e| !e.public).count(),
                design.model().flows.len(),
                "{}",
                template.name
            );
            assert_eq!(s.matches("<g").count(), s.matches("</g>").count());
            assert_eq!(
                svg(
                    &layout(design.model(), &design.analyze()),
                    &Style::default()
                ),
                s,
                "deterministic"
            );
        }
    }

    #[test]
    fn labels_never_overlap_and_arrows_never_share_an_end() {
        for template in TEMPLATES {
            let design = template.design().unwrap();
            let (l, _) = draw(&design);
            let boxes: Vec<Rect> = l
                .edges
                .iter()
                .filter_map(|e| Some(e.label_box(&e.label_text()?, e.label_t?)))
                .collect();
            for (i, a) in boxes.iter().enumerate() {
                assert!(
                    !boxes.iter().skip(i + 1).any(|b| a.overlaps(b)),
                    "{}: labels overlap at {a:?}",
                    template.name
                );
            }
            // No two arrows meet a card at the same point.
            let mut ends: Vec<(i32, i32)> = l
                .edges
                .iter()
                .flat_map(|e| [e.points[0], e.points[3]])
                .map(|(x, y)| (px(x), px(y)))
                .collect();
            let all = ends.len();
            ends.sort_unstable();
            ends.dedup();
            assert_eq!(ends.len(), all, "{}: arrows share an end", template.name);
        }
    }

    /// Points along an arrow, for the readability measures below.
    fn polyline(e: &Edge) -> Vec<(f32, f32)> {
        (0..=50).map(|k| e.at(k as f32 / 50.0)).collect()
    }

    /// How readable a layout is: arrows passing over a card that is neither of their
    /// ends, and pairs of arrows that cross (arrows sharing a card excepted).
    fn clutter(l: &Layout) -> (usize, usize) {
        let edges: Vec<&Edge> = l.edges.iter().filter(|e| !e.public).collect();
        let mut over_cards = 0;
        for e in &edges {
            let line = polyline(e);
            over_cards += l
                .cards
                .iter()
                .filter(|c| c.service != e.from && c.service != e.to)
                .filter(|c| {
                    let r = Rect {
                        x: c.rect.x + 2.0,
                        y: c.rect.y + 2.0,
                        w: c.rect.w - 4.0,
                        h: c.rect.h - 4.0,
                    };
                    line.iter()
                        .any(|&(x, y)| x > r.x && x < r.x + r.w && y > r.y && y < r.y + r.h)
                })
                .count();
        }
        let cross = |p: (f32, f32), q: (f32, f32), r: (f32, f32), s: (f32, f32)| {
            let side = |a: (f32, f32), b: (f32, f32), c: (f32, f32)| {
                (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
            };
            side(p, q, r) * side(p, q, s) < 0.0 && side(r, s, p) * side(r, s, q) < 0.0
        };
        let mut crossings = 0;
        for (i, a) in edges.iter().enumerate() {
            for b in edges.iter().skip(i + 1) {
                if [&a.from, &a.to]
                    .iter()
                    .any(|n| **n == b.from || **n == b.to)
                {
                    continue;
                }
                let (la, lb) = (polyline(a), polyline(b));
                if la
                    .windows(2)
                    .any(|sa| lb.windows(2).any(|sb| cross(sa[0], sa[1], sb[0], sb[1])))
                {
                    crossings += 1;
                }
            }
        }
        (over_cards, crossings)
    }

    #[test]
    fn seed_diagrams_read_cleanly() {
        for template in TEMPLATES {
            let design = template.design().unwrap();
            let (l, drawn) = draw(&design);
            let (over_cards, crossings) = clutter(&l);
            // Kept for a person to look at (the e2e tests screenshot the page's own).
            let dir = std::env::temp_dir().join("tiermap-diagrams");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}.svg", template.name)), &drawn);
            println!(
                "# diagram {}: {} x {} px, {over_cards} arrows over a card, {crossings} crossings",
                template.name, l.width, l.height
            );
            // The layout before the layered one drew scores with 11 arrows over cards
            // and 42 crossings.
            assert_eq!(over_cards, 0, "{}: arrows over cards", template.name);
            assert!(crossings <= 10, "{}: {crossings} crossings", template.name);
        }
    }

    #[test]
    fn scores_puts_traefik_on_top_and_blocked_flows_in_red() {
        let mut design = crate::templates::find("scores").unwrap().design().unwrap();
        design
            .add_flow("text-classifier", "postgres", Some(5432))
            .unwrap();
        let (l, s) = draw(&design);
        let traefik = l.cards.iter().find(|c| c.service == "traefik").unwrap();
        assert!(traefik.tier.is_none() && traefik.proxy);
        assert!(l.tiers.iter().all(|t| t.rect.y > traefik.rect.y));
        let blocked: Vec<_> = l.edges.iter().filter(|e| e.blocked).collect();
        assert_eq!(blocked.len(), 1);
        assert!(s.contains("flow blocked") && s.contains("✕ 5432"));
        assert!(l.edges.iter().any(|e| e.public && e.to == "traefik"));
    }

    #[test]
    fn a_card_moved_to_another_tier_keeps_its_place_among_the_cards() {
        let mut design = crate::templates::find("scores").unwrap().design().unwrap();
        let names = |d: &Design| -> Vec<String> {
            draw(d).0.cards.iter().map(|c| c.service.clone()).collect()
        };
        let before = names(&design);
        let in_tiers: Vec<&String> = design
            .model()
            .services
            .iter()
            .map(|s| &s.name)
            .filter(|n| before.contains(n) && *n != "traefik")
            .collect();
        // The public card first, then the boxes' cards in the model's order.
        assert_eq!(before.first().map(String::as_str), Some("traefik"));
        assert_eq!(before.iter().skip(1).collect::<Vec<_>>(), in_tiers);
        design.move_to("text-classifier", "web_tier").unwrap();
        assert_eq!(names(&design), before);
        let (l, _) = draw(&design);
        let moved = l
            .cards
            .iter()
            .find(|c| c.service == "text-classifier")
            .unwrap();
        assert_eq!(moved.tier.as_deref(), Some("web_tier"));
    }

    #[test]
    fn a_port_published_behind_the_proxy_is_marked_on_its_card() {
        let mut design = crate::templates::find("scores").unwrap().design().unwrap();
        assert!(!draw(&design).1.contains("class=\"in\""));
        let port = crate::design::PortSpec {
            target: 5432,
            published: Some(5432),
            protocol: crate::model::Protocol::Tcp,
            mode: crate::model::PublishMode::Ingress,
        };
        design.set_ports("postgres", &[port]).unwrap();
        let (_, s) = draw(&design);
        assert_eq!(s.matches("class=\"in\"").count(), 1, "{s}");
        let postgres = s.split("data-service=\"postgres\"").nth(1).unwrap();
        let card = postgres.split("</g>").next().unwrap();
        assert!(
            card.contains("<title>published to the internet: 5432</title>"),
            "{card}"
        );
    }

    #[test]
    fn hostile_names_are_escaped() {
        let yaml = "services:\n  '\"><script>alert(1)</script>':\n    image: 'x<i>'\n    networks: ['x\"><b>']\n";
        let design = Design::import(yaml, ImportOptions::default()).unwrap();
        let (_, s) = draw(&design);
        assert!(!s.contains("<script>") && !s.contains("<b>"), "{s}");
        assert!(
            s.contains("data-service=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""),
            "{s}"
        );
        assert_eq!(escape("a&b<c>\"'"), "a&amp;b&lt;c&gt;&quot;&#39;");
    }

    #[test]
    fn highlight_and_dim() {
        let design = crate::templates::find("three-tier")
            .unwrap()
            .design()
            .unwrap();
        let l = layout(design.model(), &design.analyze());
        let style = Style {
            highlight: vec!["backend".into()],
            selected: Some("frontend".into()),
            dimmed_others: true,
            selected_tier: Some("app-net".into()),
            changed: vec!["database".into()],
        };
        let s = svg(&l, &style);
        assert!(
            s.contains("class=\"c sel\" data-service=\"frontend\""),
            "{s}"
        );
        assert!(s.contains("class=\"c hl\" data-service=\"backend\""));
        assert!(s.contains("class=\"c data chg dim\" data-service=\"database\""));
        assert!(s.contains(" data-tier=\"app-net\" class=\"sel\">"), "{s}");
        assert_eq!(s.matches("class=\"sel\"><title>Tier").count(), 1);
    }
}
