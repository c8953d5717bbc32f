//! The review's report for the minutes: the diagram, the exposed surface and its
//! comparison with the baseline, who reaches whom, the findings, and the decisions
//! (findings accepted with a note). One outline, written as Markdown or as a
//! self-contained HTML page that prints well.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::artifacts::mermaid;
use crate::baseline::Changes;
use crate::diagram::escape;
use crate::model::{Model, PublishMode};

/// What the report is made of.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    /// The design as the review left it.
    pub model: &'a Model,
    /// Its analysis.
    pub analysis: &'a Analysis,
    /// What changed since the baseline, if the review set one.
    pub changes: Option<&'a Changes>,
    /// The diagram as SVG, for the HTML report (the Markdown one carries Mermaid text):
    /// the page's drawing, laid out against the baseline when one is set
    /// ([`crate::diagram::Options::baseline`]), so the report shows what changed.
    pub svg: &'a str,
}

/// Up to this many services the reachability is a grid, as on the page; beyond it, a
/// list per service (a grid of hundreds of columns prints as noise).
const GRID_LIMIT: usize = 40;

/// One part of the outline.
enum Block {
    Heading(String),
    Text(String),
    Items(Vec<String>),
    /// Column titles, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    Diagram,
}

/// The report as Markdown, for the minutes.
pub fn markdown(review: &Review<'_>) -> String {
    // Names come from the user's file: `<`, `&` and `|` become entities so they can
    // neither open markup nor break a table (`>` stays: no line starts with a name).
    let md = |text: &str| -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '&' => out.push_str("&amp;"),
                '|' => out.push_str("&#124;"),
                '\n' | '\r' => out.push(' '),
                c => out.push(c),
            }
        }
        out
    };
    let mut out = String::new();
    for block in outline(review) {
        match block {
            Block::Heading(h) if out.is_empty() => {
                let _ = writeln!(out, "# {}\n", md(&h));
            }
            Block::Heading(h) => {
                let _ = writeln!(out, "## {}\n", md(&h));
            }
            Block::Text(t) => {
                let _ = writeln!(out, "{}\n", md(&t));
            }
            Block::Items(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md(&item));
                }
                out.push('\n');
            }
            Block::Table(head, rows) => {
                let head: Vec<String> = head.iter().map(|h| md(h)).collect();
                let _ = writeln!(out, "| {} |", head.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
            Block::Diagram => {
                let _ = writeln!(
                    out,
                    "```mermaid\n{}```\n",
                    mermaid::render(review.model, review.analysis)
                );
            }
        }
    }
    out
}

/// The report as one HTML page with its own styles (no request when opened or printed).
pub fn html(review: &Review<'_>) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Architecture review: {}</title><style>{STYLE}</style></head><body>",
        escape(&review.model.stack)
    );
    let mut first = true;
    for block in outline(review) {
        match block {
            Block::Heading(h) => {
                let level = if first { 1 } else { 2 };
                first = false;
                let _ = write!(out, "<h{level}>{}</h{level}>", escape(&h));
            }
            Block::Text(t) => {
                let _ = write!(out, "<p>{}</p>", escape(&t));
            }
            Block::Items(items) => {
                out.push_str("<ul>");
                for item in items {
                    let _ = write!(out, "<li>{}</li>", escape(&item));
                }
                out.push_str("</ul>");
            }
            Block::Table(head, rows) => {
                out.push_str("<table><thead><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", escape(&h));
                }
                out.push_str("</tr></thead><tbody>");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", escape(&cell));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</tbody></table>");
            }
            // Drawn by core's diagram, which escapes every name in it.
            Block::Diagram => {
                // With a baseline the page draws the diagram with what changed marked.
                let caption = if review.changes.is_some() {
                    "<figcaption>Since the baseline: green arrows were added, red dashed arrows removed; services outlined in amber changed.</figcaption>"
                } else {
                    ""
                };
                let _ = write!(out, "<figure>{}{caption}</figure>", review.svg);
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;color:#111;max-width:70rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;break-after:avoid}\
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.85em}th,td{border:1px solid #999;padding:.2rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}\
tr{break-inside:avoid}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}\
@media print{body{margin:0;max-width:none;font-size:10pt}figure{break-inside:avoid}}";

/// The report's outline, shared by both formats.
fn outline(review: &Review<'_>) -> Vec<Block> {
    let (m, a) = (review.model, review.analysis);
    let mut blocks = vec![
        Block::Heading(format!("Architecture review: {}", m.stack)),
        Block::Text(format!(
            "{} services on {} tiers. {} exposed ports. {} open findings ({} errors, {} warnings).",
            m.services.len(),
            m.tiers.len(),
            a.surface.port_count(),
            a.open_findings().count(),
            count(a, crate::findings::Severity::Error),
            count(a, crate::findings::Severity::Warning),
        )),
        Block::Heading("Diagram".into()),
        Block::Diagram,
        Block::Heading("Exposed surface".into()),
    ];
    if a.surface.ports.is_empty() {
        blocks.push(Block::Text("No port is published.".into()));
    } else {
        let rows = a
            .surface
            .port_ranges()
            .into_iter()
            .filter_map(|(range, list)| Some((range, list.first()?)))
            .map(|(range, e)| {
                vec![
                    range.published_text("random"),
                    e.protocol.to_string(),
                    format!("{}:{}", e.service, range.target_text()),
                    if e.mode == PublishMode::Host {
                        "host"
                    } else {
                        "ingress"
                    }
                    .into(),
                    e.nodes.clone(),
                ]
            })
            .collect();
        let head = ["Port", "Protocol", "Service", "Mode", "Open on"];
        blocks.push(Block::Table(titles(&head), rows));
    }
    let routes: Vec<String> = a
        .surface
        .routes
        .iter()
        .map(|r| {
            let port = r.port.map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{} {} -> {}{port}",
                r.hosts.join(", "),
                r.paths.join(", "),
                r.service
            )
        })
        .collect();
    if !routes.is_empty() {
        blocks.push(Block::Text("Routes through the edge proxy:".into()));
        blocks.push(Block::Items(routes));
    }
    if let Some(c) = review.changes {
        blocks.push(Block::Heading("Compared with the baseline".into()));
        blocks.push(Block::Text(format!(
            "Exposed ports: {}.",
            c.surface.summary()
        )));
        for group in c.groups() {
            let (title, n) = (group.title, group.items.len());
            blocks.push(Block::Text(format!("{title} ({n}):")));
            blocks.push(Block::Items(group.items));
        }
    }
    blocks.push(Block::Heading("Who reaches whom".into()));
    if a.reachability.pairs.is_empty() {
        blocks.push(Block::Text("No service can reach another.".into()));
    } else if m.services.len() <= GRID_LIMIT {
        blocks.push(Block::Text(
            "Row reaches column (a shared network opens every port):".into(),
        ));
        let mut head = vec!["".to_string()];
        head.extend(m.services.iter().map(|s| s.name.clone()));
        let rows = (0..m.services.len())
            .map(|from| {
                let mut row = vec![head.get(from + 1).cloned().unwrap_or_default()];
                row.extend((0..m.services.len()).map(|to| {
                    if a.reachability.reaches(from, to) {
                        "●"
                    } else {
                        ""
                    }
                    .to_string()
                }));
                row
            })
            .collect();
        blocks.push(Block::Table(head, rows));
    } else {
        let reach = m
            .services
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let targets: Vec<String> = a
                    .reachability
                    .pairs
                    .iter()
                    .filter(|r| r.from == i)
                    .filter_map(|r| {
                        let to = m.services.get(r.to)?;
                        Some(format!("{} ({})", to.name, r.networks.join(", ")))
                    })
                    .collect();
                (!targets.is_empty()).then(|| vec![s.name.clone(), targets.join("; ")])
            })
            .collect();
        blocks.push(Block::Table(titles(&["Service", "Reaches (over)"]), reach));
    }
    blocks.push(Block::Heading("Findings".into()));
    let open: Vec<Vec<String>> = a
        .open_findings()
        .map(|f| {
            let subject = f.service.as_ref().or(f.tier.as_ref()).cloned();
            vec![
                f.severity.as_str().into(),
                f.message.clone(),
                subject.unwrap_or_default(),
                f.fix.to_string(),
            ]
        })
        .collect();
    if open.is_empty() {
        blocks.push(Block::Text("No open findings.".into()));
    } else {
        blocks.push(Block::Table(
            titles(&["Severity", "Finding", "Subject", "Fix"]),
            open,
        ));
    }
    blocks.push(Block::Heading("Decisions".into()));
    let decisions: Vec<Vec<String>> = a
        .findings
        .iter()
        .filter_map(|f| Some(vec![f.message.clone(), f.accepted.clone()?, f.id.clone()]))
        .collect();
    if decisions.is_empty() {
        blocks.push(Block::Text("No finding was accepted.".into()));
    } else {
        let head = titles(&["Accepted finding", "Note", "Id"]);
        blocks.push(Block::Table(head, decisions));
    }
    blocks
}

fn titles(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn count(a: &Analysis, severity: crate::findings::Severity) -> usize {
    a.open_findings().filter(|f| f.severity == severity).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{baseline, templates, Design, ImportOptions};

    fn scores() -> Design {
        templates::find("scores")
            .and_then(|t| t.design().ok())
            .expect("the scores template opens")
    }

    #[test]
    fn both_formats_carry_every_section_the_comparison_and_the_decisions() {
        let before = Design::import(
            "services:\n  traefik: {image: traefik:v3, ports: ['80:80', '443:443']}\n  api: {image: api, ports: ['3000:3000']}\n  postgres: {image: postgres, ports: ['5432:5432']}\n",
            ImportOptions::default(),
        )
        .expect("imports");
        let mut after = scores();
        let id = after
            .analyze()
            .findings
            .iter()
            .find(|f| f.accepted.is_none())
            .map(|f| f.id.clone())
            .expect("scores has a finding");
        after.accept(&id, "agreed in the review").expect("accepts");
        let (ba, aa) = (before.analyze(), after.analyze());
        let changes = baseline::compare((before.model(), &ba), (after.model(), &aa));
        let review = Review {
            model: after.model(),
            analysis: &aa,
            changes: Some(&changes),
            svg: "<svg id=\"d\"></svg>",
        };
        let md = markdown(&review);
        assert!(md.starts_with("# Architecture review: scores\n"), "{md}");
        for part in [
            "## Exposed surface",
            "| 443 | tcp | traefik:443 | host |",
            "## Compared with the baseline",
            "Exposed ports: 4 ports -> 2 ports, 50% less.",
            "## Who reaches whom",
            "|  | traefik | api |",
            "| api | ● |  |",
            "## Findings",
            "| agreed in the review |",
            "```mermaid\n%% Stack scores",
        ] {
            assert!(md.contains(part), "no `{part}` in\n{md}");
        }
        let html = html(&review);
        assert!(html.contains(
            "<figure><svg id=\"d\"></svg><figcaption>Since the baseline: green arrows were added"
        ));
        assert!(html.contains("<h2>Decisions</h2>"));
        assert!(html.contains("<td>agreed in the review</td>"));
        assert!(html.contains("4 ports -&gt; 2 ports, 50% less"));
    }

    #[test]
    fn names_from_the_file_cannot_open_markup_or_break_a_table() {
        let d = Design::import(
            "services:\n  \"a|b<script>\":\n    image: x\n    ports: ['8080:80']\n",
            ImportOptions::default(),
        )
        .expect("imports");
        let a = d.analyze();
        let review = Review {
            model: d.model(),
            analysis: &a,
            changes: None,
            svg: "",
        };
        let md = markdown(&review);
        assert!(!md.contains("<script>") && !md.contains("a|b"), "{md}");
        assert!(md.contains("a&#124;b&lt;script>:80"), "{md}");
        let html = html(&review);
        assert!(!html.contains("<script>"), "{html}");
    }
}
