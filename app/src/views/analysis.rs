//! The live analysis: exposed surface, findings, and the reachability matrix.
//!
//! These panels are plain lists that change all at once, so each is written as one
//! escaped HTML string (every name goes through `escape`) and clicks are handled by
//! delegation. That keeps the page small and each update a single DOM write.

use std::fmt::Write;

use leptos::prelude::*;
use tiermap_core::diagram::escape;
use tiermap_core::model::{Model, PublishMode};
use tiermap_core::Analysis;

use super::delegate::{data, element, select_from};
use super::rows;
use crate::studio::Studio;

/// Notes (info findings) shown before "show all": a big design has hundreds.
const NOTES_SHOWN: usize = 25;

/// Above this many services the matrix lists each service's reach instead of a grid
/// (a 200 x 200 grid is 40,000 cells nobody can read, and slow to draw).
const GRID_LIMIT: usize = 40;

/// Surface, findings and reachability, side by side.
#[component]
pub fn AnalysisPanels() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let surface = Memo::new(move |_| studio.analysis.with(surface_html));
    let all_notes = RwSignal::new(false);
    let findings = Box::new(move || {
        let all = all_notes.get();
        studio.analysis.with(|a| findings_rows(a, all))
    });
    let counts = Memo::new(move |_| studio.analysis.with(counts));
    let matrix = Memo::new(move |_| {
        let analysis = studio.analysis.read();
        studio
            .history
            .with(|h| matrix_parts(h.current().model(), &analysis))
    });
    let matrix_head = Memo::new(move |_| matrix.with(|m| m.head.clone()));
    rows::keep("findings-list", findings);
    rows::keep(
        "reach-rows",
        Box::new(move || matrix.with(|m| m.rows.clone())),
    );
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        if data(&el, "all-notes").is_some() {
            all_notes.set(true);
        } else if let Some(id) = data(&el, "fix") {
            let action = studio.analysis.with_untracked(|a| {
                a.findings
                    .iter()
                    .find(|f| f.id == id)
                    .and_then(|f| f.action.clone())
            });
            if let Some(action) = action {
                studio.edit(|d| d.apply(&action));
            }
        } else if let Some(id) = data(&el, "accept") {
            // The note goes into the design under `x-tiermap`, and into the report.
            let question = "Accept this finding: what did the review decide, and why?";
            let note = window().prompt_with_message(question).ok().flatten();
            if let Some(note) = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) {
                studio.edit(|d| d.accept(&id, &note));
            }
        } else {
            select_from(studio, &el);
        }
    };
    view! {
        <section class="analysis" on:click=on_click>
            <section class="surface card-panel" role="region" aria-label="Exposed surface">
                <h2>"Exposed surface"</h2>
                <div inner_html=move || surface.get()></div>
            </section>
            <section class="findings card-panel">
                <h2>"Findings"</h2>
                <p class="muted">{move || counts.get()}</p>
                <ul class="findings-list" aria-label="Findings" id="findings-list"></ul>
            </section>
            <section class="reach card-panel">
                <h2>"Reachability"</h2>
                <p class="muted">"Who can open a connection to whom (shared network = every port)."</p>
                <div class="scroll">
                    <table class="matrix" aria-label="Reachability">
                        <thead inner_html=move || matrix_head.get()></thead>
                        <tbody id="reach-rows"></tbody>
                    </table>
                </div>
            </section>
        </section>
    }
}

fn counts(a: &Analysis) -> String {
    use tiermap_core::findings::Severity;
    let count = |s: Severity| a.open_findings().filter(|f| f.severity == s).count();
    format!(
        "{} errors, {} warnings, {} notes",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

fn surface_html(a: &Analysis) -> String {
    let s = &a.surface;
    let count = s.port_count();
    let mut out = format!(
        "<p class=\"figure\"><strong>{count}</strong> exposed port{}</p><ul class=\"plain\">",
        if count == 1 { "" } else { "s" }
    );
    for e in &s.ports {
        let published = e
            .published
            .map_or_else(|| "random".to_string(), |p| p.to_string());
        let mode = if e.mode == PublishMode::Host {
            "host mode"
        } else {
            "ingress"
        };
        let _ = write!(
            out,
            "<li><code>{published}/{}</code> → <button class=\"link\" data-service=\"{name}\">{name}</button>:{} · {mode} · {}",
            e.protocol,
            e.target,
            escape(&e.nodes),
            name = escape(&e.service),
        );
        if let Some(ip) = &e.ignored_host_ip {
            let _ = write!(
                out,
                " <span class=\"warn\">(host IP {} ignored: listens on 0.0.0.0)</span>",
                escape(ip)
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    if !s.routes.is_empty() {
        out.push_str("<h3>Routes through the edge proxy</h3><ul class=\"plain\">");
        for r in &s.routes {
            let hosts = if r.hosts.is_empty() {
                "any host".to_string()
            } else {
                r.hosts.join(", ")
            };
            let port = r.port.map(|p| format!(":{p}")).unwrap_or_default();
            let _ = write!(
                out,
                "<li><code>{}{}</code> → {}{port}</li>",
                escape(&hosts),
                escape(&r.paths.join(", ")),
                escape(&r.service)
            );
        }
        out.push_str("</ul>");
    }
    if !s.host_network.is_empty() {
        let _ = write!(
            out,
            "<p class=\"warn\">On the host network (every port they listen on is exposed): {}</p>",
            escape(&s.host_network.join(", "))
        );
    }
    out
}

/// One `<li>` per shown finding, patched by [`rows`](super::rows): an unchanged finding
/// keeps its DOM.
fn findings_rows(a: &Analysis, all_notes: bool) -> Vec<String> {
    use tiermap_core::findings::Severity;
    let mut rows: Vec<String> = Vec::with_capacity(a.findings.len().min(NOTES_SHOWN * 4));
    let mut notes = 0;
    for f in &a.findings {
        if f.severity == Severity::Info {
            notes += 1;
            if notes > NOTES_SHOWN && !all_notes {
                continue;
            }
        }
        let severity = f.severity.as_str();
        let target = match (&f.service, &f.tier) {
            (Some(s), _) => format!(" data-service=\"{}\"", escape(s)),
            (None, Some(t)) => format!(" data-tier=\"{}\"", escape(t)),
            _ => String::new(),
        };
        let place = if f.at.is_known() {
            format!("line {}", f.at.line)
        } else {
            String::new()
        };
        let mut out = format!(
            "<li class=\"finding {severity}{}\"><button class=\"finding-main\"{target}><span class=\"badge {severity}\">{severity}</span><span class=\"message\">{}</span><span class=\"muted\">{place}</span></button><p class=\"fix\">Fix: {}</p>",
            if f.accepted.is_some() { " accepted" } else { "" },
            escape(&f.message),
            escape(&f.fix),
        );
        if let Some(note) = &f.accepted {
            let _ = write!(out, "<p class=\"muted\">Accepted: {}</p>", escape(note));
        }
        if f.action.is_some() {
            let _ = write!(
                out,
                "<button class=\"quiet\" data-fix=\"{}\">Apply fix</button>",
                escape(&f.id)
            );
        }
        if f.accepted.is_none() {
            let _ = write!(
                out,
                "<button class=\"quiet\" data-accept=\"{}\">Accept…</button>",
                escape(&f.id)
            );
        }
        out.push_str("</li>");
        rows.push(out);
    }
    if notes > NOTES_SHOWN && !all_notes {
        rows.push(format!(
            "<li class=\"finding more\"><button class=\"quiet\" data-all-notes=\"1\">Show {} more notes</button></li>",
            notes - NOTES_SHOWN
        ));
    }
    rows
}

/// The reachability table in parts: its header row and its body rows (each
/// a `<tr>`, unique by the row's service), so an update only replaces the rows whose
/// cells changed.
#[derive(Clone, PartialEq, Default)]
struct Matrix {
    head: String,
    rows: Vec<String>,
}

fn matrix_parts(m: &Model, a: &Analysis) -> Matrix {
    let names: Vec<std::borrow::Cow<'_, str>> =
        m.services.iter().map(|s| escape(&s.name)).collect();
    if names.len() > GRID_LIMIT {
        let rows = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let reached = a.reachability.pairs.iter().filter(|r| r.from == i).count();
                format!("<tr><th scope=\"row\">{n}</th><td>{reached} services</td></tr>")
            })
            .collect();
        return Matrix {
            head: "<tr><th scope=\"col\">Service</th><th scope=\"col\">Reaches</th></tr>".into(),
            rows,
        };
    }
    let mut head = String::from("<tr><th></th>");
    for n in &names {
        let _ = write!(head, "<th scope=\"col\"><span>{n}</span></th>");
    }
    head.push_str("</tr>");
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, from)| {
            let mut row = format!("<tr><th scope=\"row\">{from}</th>");
            // Every cell has the same shape (the dot is drawn by the style), so a cell
            // that changes is two attribute writes, not a new row.
            for (j, to) in names.iter().enumerate() {
                if i == j {
                    row.push_str("<td class=\"self\" aria-label=\"itself\"></td>");
                    continue;
                }
                match a.reachability.between(i, j) {
                    Some(nets) => {
                        let label = format!("{from} → {to} via {}", escape(&nets.join(", ")));
                        let _ = write!(row, "<td class=\"yes\" aria-label=\"{label}\"></td>");
                    }
                    None => row.push_str("<td class=\"no\" aria-label=\"no\"></td>"),
                }
            }
            row.push_str("</tr>");
            row
        })
        .collect();
    Matrix { head, rows }
}
