//! Drawing a [`Layout`] as a standalone SVG: no scripts, no external resources, every
//! name from the user's file escaped. Colours come from the SVG's own style sheet, with
//! a dark variant for `prefers-color-scheme: dark`, so the drawing reads on the page's
//! light and dark themes and as a file. Its rules select SVG elements only (`rect`,
//! `path`, `text`), since in the page the sheet applies to the whole document.

use std::borrow::Cow;
use std::fmt::Write;

use super::graph::{CARD_INSET, PUBLIC_TITLE};
use super::layout::{Card, Change, Edge, Layout, Rect, Tone};
use super::text;

/// Tier fills and strokes, after seed 000's diagram (web green, infra pink, job purple,
/// ml yellow, ...), readable on a projector: light fill, stroke, dark fill, dark stroke.
const PALETTE: &[(&str, &str, &str, &str)] = &[
    ("#e8f5e9", "#2e7d32", "#13261a", "#66bb6a"),
    ("#fce4ec", "#c2185b", "#2c1420", "#f06292"),
    ("#f3e5f5", "#7b1fa2", "#24152e", "#ba68c8"),
    ("#fff9c4", "#8a5a00", "#29240f", "#ffd54f"),
    ("#e3f2fd", "#1565c0", "#0f2238", "#64b5f6"),
    ("#e0f2f1", "#00695c", "#0e2624", "#4db6ac"),
    ("#fbe9e7", "#bf360c", "#2d1a12", "#ff8a65"),
    ("#ede7f6", "#4527a0", "#1c1a34", "#9575cd"),
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
    /// Services that changed since the baseline, outlined in amber.
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

const CSS: &str = "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;fill:#1b1f24}\
rect.bg{fill:#fafbfc}\
text.tt{font-size:16px;font-weight:700}text.ts{font-size:12px;fill:#4a525c}\
text.cn{font-size:15px;font-weight:700}text.cd{font-size:11.5px;fill:#4a525c}text.ch{font-size:11px;fill:#37628f}\
rect.card{fill:#fff;stroke:#8a94a3;stroke-width:1.2}.proxy rect.card{fill:#fff3e0;stroke:#e65100;stroke-width:2}\
.data rect.card{stroke:#6d4c41}.hl rect.card{stroke:#1565c0;stroke-width:3}\
.chg rect.card{stroke:#e08e00;stroke-width:4}.sel rect.card,g.sel>rect.tier{stroke:#ff6f00;stroke-width:4}\
.dim{opacity:.35}\
path.flow{fill:none;stroke:#5c6773;stroke-width:1.6;stroke-linejoin:round}path.public{stroke:#1565c0;stroke-width:2.4}\
path.blocked{stroke:#d32f2f;stroke-width:2.2}path.added{stroke:#2e7d32;stroke-width:2.8}\
path.removed{stroke:#d32f2f;stroke-width:2.2;stroke-dasharray:7 5}\
path.ah{fill:#5c6773}path.ah.public{fill:#1565c0}path.ah.blocked,path.ah.removed{fill:#d32f2f}path.ah.added{fill:#2e7d32}\
text.lbl{font-size:11px;font-weight:600;fill:#37474f}.lbl .public{fill:#1565c0}.lbl .blocked{fill:#d32f2f;font-weight:700}\
.lbl .added{fill:#2e7d32;font-weight:700}.lbl .removed{fill:#d32f2f;text-decoration:line-through}\
text.halo{stroke:#fafbfc;stroke-width:4px;paint-order:stroke;stroke-linejoin:round}\
rect.net{fill:#e3f2fd;stroke:#1976d2;stroke-width:2}text.net{fill:#0d47a1}\
rect.edge{fill:#fff8ef;stroke:#f57c00;stroke-width:2}text.edge{fill:#bf5b00}.tl.pe text{stroke:#fff8ef}circle.junction{fill:#5c6773;stroke:#fafbfc;stroke-width:2}\
@media (prefers-color-scheme:dark){text{fill:#e8ecf1}rect.bg{fill:#12171d}text.ts,text.cd{fill:#a3adb8}text.ch{fill:#8ab4f8}\
rect.card{fill:#1f2731;stroke:#7d8896}.proxy rect.card{fill:#33250f;stroke:#ffb74d}.data rect.card{stroke:#bcaaa4}\
.hl rect.card{stroke:#64b5f6}.chg rect.card{stroke:#fbbf24}.sel rect.card,g.sel>rect.tier{stroke:#ffa726}\
path.flow{stroke:#a3adb8}path.public{stroke:#64b5f6}path.blocked,path.removed{stroke:#ff6b6b}path.added{stroke:#81c784}\
path.ah{fill:#a3adb8}path.ah.public{fill:#64b5f6}path.ah.blocked,path.ah.removed{fill:#ff6b6b}path.ah.added{fill:#81c784}\
text.lbl{fill:#d5dde5}.lbl .public{fill:#90caf9}.lbl .blocked,.lbl .removed{fill:#ff8a80}.lbl .added{fill:#a5d6a7}\
text.halo{stroke:#12171d}rect.net{fill:#0d2640;stroke:#64b5f6}text.net{fill:#bbdefb}\
rect.edge{fill:#2a1e10;stroke:#ffb74d}text.edge{fill:#ffcc80}.tl.pe text{stroke:#2a1e10}circle.junction{fill:#a3adb8;stroke:#12171d}}";

/// The palette's rules: each tier's fill and stroke, its title's colour and halo.
fn palette_css(out: &mut String) {
    let mut dark = String::new();
    for (i, (fill, stroke, dfill, dstroke)) in PALETTE.iter().enumerate() {
        let _ = write!(
            out,
            "rect.tier.p{i}{{fill:{fill};stroke:{stroke}}}.tl.p{i} text{{stroke:{fill}}}.tl.p{i} text.tt{{fill:{stroke}}}"
        );
        let _ = write!(
            dark,
            "rect.tier.p{i}{{fill:{dfill};stroke:{dstroke}}}.tl.p{i} text{{stroke:{dfill}}}.tl.p{i} text.tt{{fill:{dstroke}}}"
        );
    }
    let _ = write!(
        out,
        "rect.tier{{stroke-width:2.5}}.tl text{{stroke-width:4px;paint-order:stroke;stroke-linejoin:round}}@media (prefers-color-scheme:dark){{{dark}}}"
    );
}

/// The diagram as its parts: its size and its top-level elements in drawing order, so a
/// view can replace only the elements an edit changed. Boxes, cards and labels are
/// groups that start with their position (`<g transform="translate(x y)"`), so one that
/// only moved is moved without laying out its text again (moving a `<text>` itself
/// would). `to_string()` is the SVG file.
///
/// For measures and tests, arrows are `path` elements of class `flow`, cards `rect`
/// elements of class `card`, tier boxes `rect` elements of class `tier` and port
/// labels `text` elements of class `lbl`.
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

/// The class an arrow is drawn with (after `flow`), and its marker's id.
fn kind(edge: &Edge) -> (&'static str, &'static str) {
    match (edge.change, edge.blocked, edge.public) {
        (Change::Removed, _, _) => ("removed", "arrow-removed"),
        (_, true, _) => ("blocked", "arrow-blocked"),
        (Change::Added, _, _) => ("added", "arrow-added"),
        (_, _, true) => ("public", "arrow-public"),
        _ => ("", "arrow"),
    }
}

/// An orthogonal path through `points`, its corners rounded.
fn path(points: &[(f32, f32)]) -> String {
    let p: Vec<(i32, i32)> = points.iter().map(|&(x, y)| (px(x), px(y))).collect();
    let mut d = String::with_capacity(16 * p.len());
    let Some(&(x0, y0)) = p.first() else {
        return d;
    };
    let _ = write!(d, "M{x0} {y0}");
    for i in 1..p.len() {
        let (Some(&(ax, ay)), Some(&(bx, by))) = (p.get(i - 1), p.get(i)) else {
            continue;
        };
        match p.get(i + 1) {
            Some(&(cx, cy)) => {
                // Round the corner at b by at most 6 px, half its shorter leg.
                let leg = |x: i32, y: i32| (x.abs() + y.abs()) / 2;
                let r = 6.min(leg(bx - ax, by - ay)).min(leg(cx - bx, cy - by));
                let toward = |from: i32, to: i32| from + r * (to - from).signum();
                let _ = write!(
                    d,
                    "L{} {}Q{bx} {by} {} {}",
                    toward(bx, ax),
                    toward(by, ay),
                    toward(bx, cx),
                    toward(by, cy)
                );
            }
            None => {
                let _ = write!(d, "L{bx} {by}");
            }
        }
    }
    d
}

/// Draws the layout as parts (see [`Drawing`]).
pub fn drawing(layout: &Layout, style: &Style) -> Drawing {
    let mut children = Vec::with_capacity(
        4 + 2 * layout.tiers.len() + layout.edges.len() + layout.cards.len() + layout.labels.len(),
    );
    let mut s = String::with_capacity(4096);
    let (w, h) = (px(layout.width.ceil()), px(layout.height.ceil()));
    let _ = write!(s, "<defs><style>{CSS}");
    palette_css(&mut s);
    s.push_str("</style>");
    for (id, class) in [
        ("arrow", ""),
        ("arrow-public", " public"),
        ("arrow-blocked", " blocked"),
        ("arrow-added", " added"),
        ("arrow-removed", " removed"),
    ] {
        let _ = write!(
            s,
            "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path class=\"ah{class}\" d=\"M0 0L10 5L0 10z\"/></marker>"
        );
    }
    s.push_str("</defs>");
    children.push(std::mem::take(&mut s));
    let _ = write!(s, "<rect class=\"bg\" width=\"{w}\" height=\"{h}\"/>");
    children.push(std::mem::take(&mut s));
    let focus = |name: &str| {
        style.selected.as_deref() == Some(name) || style.highlight.iter().any(|h| h == name)
    };

    if let Some(r) = layout.internet {
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\"><rect class=\"net\" width=\"{}\" height=\"{}\" rx=\"20\"/><text class=\"tt net\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">Internet</text></g>",
            px(r.x), px(r.y), px(r.w), px(r.h), px(r.w / 2.0), px(r.h / 2.0 + 6.0)
        );
        children.push(std::mem::take(&mut s));
    }
    let mut titles: Vec<String> = Vec::new();
    if let Some(r) = layout.public_band {
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\"><rect class=\"edge\" width=\"{}\" height=\"{}\" rx=\"12\"/></g>",
            px(r.x), px(r.y), px(r.w), px(r.h)
        );
        children.push(std::mem::take(&mut s));
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\" class=\"tl pe\"><text class=\"tt edge\" x=\"{}\" y=\"23\">{PUBLIC_TITLE}</text></g>",
            px(r.x), px(r.y), px(layout.public_title_at)
        );
        titles.push(std::mem::take(&mut s));
    }
    for tier in &layout.tiers {
        let r = tier.rect;
        let key = escape(&tier.key);
        let sub = escape(&tier.subtitle);
        let p = tier.color % PALETTE.len();
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\" data-tier=\"{key}\"{}><title>Tier {key}: {sub}</title><rect class=\"tier p{p}\" width=\"{}\" height=\"{}\" rx=\"12\"/></g>",
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
        // the box's colour, so an arrow never hides them. The flags sit at the box's
        // right edge in a group of their own: a box that grows moves it, not its text.
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\" data-tier=\"{key}\" class=\"tl p{p}\"><text class=\"tt\" x=\"{}\" y=\"23\">{key}</text><g transform=\"translate({} 23)\"><text class=\"ts\" text-anchor=\"end\">{sub}</text></g></g>",
            px(r.x),
            px(r.y),
            px(tier.title_at),
            px(tier.subtitle_end),
        );
        titles.push(std::mem::take(&mut s));
    }
    for edge in &layout.edges {
        let (class, marker) = kind(edge);
        let dim = style.dimmed_others
            && !(focus(&edge.from) && focus(&edge.to))
            && !(edge.public && focus(&edge.to));
        let note = match (edge.change, edge.blocked) {
            (Change::Removed, _) => " (removed since the baseline)",
            (_, true) => " (blocked: no shared network)",
            (Change::Added, _) => " (added since the baseline)",
            _ => "",
        };
        let port = edge
            .label
            .as_deref()
            .map(|l| format!(" on {}", escape(l)))
            .unwrap_or_default();
        let _ = write!(
            s,
            "<g{}><title>{} → {}{port}{note}</title><path class=\"flow{}{class}\" d=\"{}\" marker-end=\"url(#{marker})\"/></g>",
            if dim { " class=\"dim\"" } else { "" },
            escape(&edge.from),
            escape(&edge.to),
            if class.is_empty() { "" } else { " " },
            path(&edge.points),
        );
        children.push(std::mem::take(&mut s));
    }
    for j in &layout.junctions {
        let list = |names: &[String]| {
            let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
            let more = names.len().saturating_sub(6);
            let mut text = shown.join(", ");
            if more > 0 {
                let _ = write!(text, " and {more} more");
            }
            escape(&text).into_owned()
        };
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\"><title>Each of {} calls each of {}</title><circle class=\"junction\" r=\"5\"/></g>",
            px(j.at.0),
            px(j.at.1),
            list(&j.sources),
            list(&j.targets),
        );
        children.push(std::mem::take(&mut s));
    }
    children.extend(titles);
    for card in &layout.cards {
        draw_card(&mut s, card, style, focus(&card.service));
        children.push(std::mem::take(&mut s));
    }
    // Labels last, over everything they might touch.
    for label in &layout.labels {
        let dim = style.dimmed_others && !focus(&label.service);
        let _ = write!(
            s,
            "<g transform=\"translate({} {})\"><text class=\"lbl halo{}\">",
            px(label.rect.x),
            px(label.rect.y + label.rect.h - 4.0),
            if dim { " dim" } else { "" },
        );
        for (i, (text, tone)) in label.parts.iter().enumerate() {
            let class = match tone {
                Tone::Flow => "",
                Tone::Public => "public",
                Tone::Blocked => "blocked",
                Tone::Added => "added",
                Tone::Removed => "removed",
            };
            if i > 0 {
                s.push_str("<tspan> · </tspan>");
            }
            if class.is_empty() {
                let _ = write!(s, "<tspan>{}</tspan>", escape(text));
            } else {
                let _ = write!(s, "<tspan class=\"{class}\">{}</tspan>", escape(text));
            }
        }
        s.push_str("</text></g>");
        children.push(std::mem::take(&mut s));
    }
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
    let room = w - 2.0 * CARD_INSET;
    let (x, y, w, h) = (px(x), px(y), px(w), px(h));
    let _ = write!(
        s,
        "<g transform=\"translate({x} {y})\" class=\"{class}\" data-service=\"{name}\"><title>{name}{ports}</title><rect class=\"card\" width=\"{w}\" height=\"{h}\" rx=\"{rx}\"/><text class=\"cn\" x=\"10\" y=\"21\">{}</text><text class=\"cd\" x=\"10\" y=\"38\">{}</text>",
        escape(&text::fit(&card.service, room, 15.0, true)),
        escape(&text::fit(&card.detail, room, 11.5, false)),
        rx = if card.data { 14 } else { 7 },
        ports = if card.ports.is_empty() { String::new() } else { format!(" (published {})", escape(&card.ports)) },
    );
    if !card.extra_tiers.is_empty() {
        let chips = format!("+ {}", card.extra_tiers.join(", "));
        let _ = write!(
            s,
            "<text class=\"ch\" x=\"10\" y=\"52\">{}</text>",
            escape(&text::fit(&chips, room, 11.0, false))
        );
    } else if !card.ports.is_empty() {
        let _ = write!(
            s,
            "<text class=\"ch\" x=\"10\" y=\"52\">{}</text>",
            escape(&text::fit(
                &format!("published {}", card.ports),
                room,
                11.0,
                false
            ))
        );
    }
    s.push_str("</g>");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::diagram::{layout, layout_with, Options};
    use crate::templates::TEMPLATES;
    use crate::{Design, ImportOptions};

    fn draw(design: &Design) -> (Layout, String) {
        let analysis = design.analyze();
        let l = layout(design.model(), &analysis);
        let s = svg(&l, &Style::default());
        (l, s)
    }

    #[test]
    fn every_template_draws_balanced_markup_with_the_measure_classes() {
        for template in TEMPLATES {
            let design = template.design().unwrap();
            let (l, s) = draw(&design);
            assert_eq!(s.matches("<g").count(), s.matches("</g>").count());
            assert_eq!(s.matches("<text").count(), s.matches("</text>").count());
            // The contract the outside measure reads.
            assert_eq!(s.matches("<path class=\"flow").count(), l.edges.len());
            assert_eq!(s.matches("<rect class=\"card\"").count(), l.cards.len());
            assert_eq!(s.matches("<text class=\"lbl").count(), l.labels.len());
            assert_eq!(s.matches("<rect class=\"tier ").count(), l.tiers.len());
            // One element per card names it, so a view can key the cards.
            assert_eq!(s.matches("data-service=").count(), l.cards.len());
            assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        }
    }

    #[test]
    fn paths_are_orthogonal_with_rounded_corners() {
        assert_eq!(path(&[(0.0, 0.0), (0.0, 40.0)]), "M0 0L0 40");
        // A corner rounded by 6 px; a short leg rounds less.
        assert_eq!(
            path(&[(0.0, 0.0), (0.0, 40.0), (30.0, 40.0), (30.0, 44.0)]),
            "M0 0L0 34Q0 40 6 40L28 40Q30 40 30 42L30 44"
        );
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
        assert!(s.contains("flow blocked") && s.contains("✕ 5432"), "{s}");
        assert!(l.edges.iter().any(|e| e.public && e.to == "traefik"));
    }

    #[test]
    fn a_port_published_behind_the_proxy_gets_the_internets_arrow() {
        let mut design = crate::templates::find("scores").unwrap().design().unwrap();
        let into_postgres = |s: &str| s.contains("<title>internet → postgres");
        assert!(!into_postgres(&draw(&design).1));
        let port = crate::design::PortSpec {
            target: 5432,
            published: Some(5432),
            protocol: crate::model::Protocol::Tcp,
            mode: crate::model::PublishMode::Ingress,
        };
        design.set_ports("postgres", &[port]).unwrap();
        let (l, s) = draw(&design);
        assert!(into_postgres(&s), "{s}");
        let arrow = l
            .edges
            .iter()
            .find(|e| e.public && e.to == "postgres")
            .unwrap();
        // It comes down from the internet's band to the card's top.
        let postgres = l.cards.iter().find(|c| c.service == "postgres").unwrap();
        let internet = l.internet.unwrap();
        assert_eq!(arrow.points.first().unwrap().1, internet.y + internet.h);
        assert_eq!(arrow.points.last().unwrap().1, postgres.rect.y);
        // Its port is written where it arrives, in the internet's colour.
        assert!(l.labels.iter().any(
            |lb| lb.service == "postgres" && lb.parts.contains(&("5432".into(), Tone::Public))
        ));
        assert!(s.contains("<tspan class=\"public\">5432</tspan>"), "{s}");
    }

    #[test]
    fn hostile_names_are_escaped() {
        let yaml = "services:\n  '\"><script>alert(1)</script>':\n    image: 'x<i>'\n    networks: ['x\"><b>']\n    ports: ['80:80']\n";
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

    #[test]
    fn a_baseline_draws_added_arrows_green_and_removed_ones_red_and_dashed() {
        let scores = crate::templates::find("scores").unwrap().design().unwrap();
        let (mut before, mut after) = (scores.clone(), scores);
        before.add_flow("events", "clickhouse", Some(8123)).unwrap();
        after.add_flow("api", "clickhouse", Some(8123)).unwrap();
        let analysis = after.analyze();
        let l = layout_with(
            after.model(),
            &analysis,
            &Options {
                baseline: Some(before.model()),
                ..Options::default()
            },
        );
        let s = svg(&l, &Style::default());
        let added: Vec<_> = l
            .edges
            .iter()
            .filter(|e| e.change == Change::Added)
            .collect();
        let removed: Vec<_> = l
            .edges
            .iter()
            .filter(|e| e.change == Change::Removed)
            .collect();
        assert_eq!(
            added
                .iter()
                .map(|e| (e.from.as_str(), e.to.as_str()))
                .collect::<Vec<_>>(),
            [("api", "clickhouse")]
        );
        assert_eq!(
            removed
                .iter()
                .map(|e| (e.from.as_str(), e.to.as_str()))
                .collect::<Vec<_>>(),
            [("events", "clickhouse")]
        );
        assert_eq!(s.matches("class=\"flow added\"").count(), 1);
        assert_eq!(s.matches("class=\"flow removed\"").count(), 1);
        assert!(CSS.contains("path.removed{stroke:#d32f2f;stroke-width:2.2;stroke-dasharray"));
        assert!(CSS.contains("path.added{stroke:#2e7d32"));
        assert!(CSS.contains(".chg rect.card{stroke:#e08e00"));
        // Without a baseline every arrow is kept, and nothing removed is drawn.
        let plain = layout(after.model(), &analysis);
        assert!(plain.edges.iter().all(|e| e.change == Change::Kept));
        assert_eq!(plain.edges.len() + 1, l.edges.len());
    }

    #[test]
    fn the_drawing_has_a_dark_variant_for_every_colour_it_sets() {
        let mut css = CSS.to_string();
        palette_css(&mut css);
        // The rules inside the dark blocks, and the others.
        let (mut light, mut dark) = (String::new(), String::new());
        let mut rest = css.as_str();
        while let Some((before, after)) = rest.split_once("@media (prefers-color-scheme:dark){") {
            light.push_str(before);
            let mut depth = 1;
            let end = after
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            dark.push_str(&after[..end]);
            rest = &after[end + 1..];
        }
        light.push_str(rest);
        for selector in [
            "rect.bg",
            "rect.card",
            "path.flow",
            "path.public",
            "path.added",
            "text.lbl",
            "text.halo",
            "rect.net",
            "rect.edge",
            "rect.tier.p0",
            ".chg rect.card",
        ] {
            assert!(
                light.contains(&format!("{selector}{{")) || light.contains(&format!("{selector},")),
                "{selector}"
            );
            assert!(dark.contains(selector), "no dark colour for {selector}");
        }
    }
}
