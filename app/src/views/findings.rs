//! The findings list: every finding with its severity, place, sentence and fix, the
//! buttons that apply the fix or accept it with the room's note, and a count.
//!
//! Rows are keyed by finding id, and each reads its finding from a signal of its own:
//! an edit updates only the rows whose finding changed.

use leptos::prelude::*;
use tiermap_core::findings::Severity;
use tiermap_core::Analysis;

use super::keyed::{numbered, Names, Rows};
use crate::studio::{subject, Studio};

/// Notes (info findings) shown before "show all": a big design has hundreds.
const NOTES_SHOWN: usize = 25;

/// The findings as listed.
#[derive(Debug, Clone, PartialEq, Default)]
struct Listed {
    /// The rows shown.
    rows: Vec<Row>,
    /// Notes left out until "show all".
    hidden: usize,
}

/// One finding as listed.
#[derive(Debug, Clone, PartialEq, Default)]
struct Row {
    /// The finding's id (numbered if it repeats): the row's key.
    key: String,
    /// The finding's id.
    id: String,
    severity: &'static str,
    message: String,
    fix: String,
    /// "line 12", or empty when the finding has no place in the file.
    line: String,
    service: Option<String>,
    tier: Option<String>,
    /// The room's note, once accepted.
    accepted: Option<String>,
    /// Whether tiermap can apply the fix.
    fixable: bool,
}

fn listed(a: &Analysis, all_notes: bool) -> Listed {
    let mut out = Listed::default();
    let mut seen_notes = 0;
    let keys = numbered(a.findings.iter().map(|f| f.id.as_str()));
    for ((id, n), f) in keys.into_iter().zip(&a.findings) {
        if f.severity == Severity::Info {
            seen_notes += 1;
            if seen_notes > NOTES_SHOWN && !all_notes {
                out.hidden += 1;
                continue;
            }
        }
        out.rows.push(Row {
            key: if n == 0 {
                id.to_string()
            } else {
                format!("{id}#{n}")
            },
            id: f.id.clone(),
            severity: f.severity.as_str(),
            message: f.message.clone(),
            fix: f.fix.to_string(),
            line: if f.at.is_known() {
                format!("line {}", f.at.line)
            } else {
                String::new()
            },
            service: f.service.clone(),
            tier: f.tier.clone(),
            accepted: f.accepted.clone(),
            fixable: f.action.is_some(),
        });
    }
    out
}

/// The findings region.
#[component]
pub fn Findings() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let all_notes = RwSignal::new(false);
    let listed = Memo::new(move |_| {
        let all = all_notes.get();
        studio.analysis.with(|a| listed(a, all))
    });
    let keys = Memo::new(move |_| {
        listed.with(|l| l.rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>())
    });
    // Each row reads its finding from a signal of its own, set only when that finding
    // changed: a row whose finding is unchanged is not touched.
    let rows = Rows::new(move |_| {
        listed.with(|l| l.rows.iter().map(|r| (r.key.clone(), r.clone())).collect())
    });
    let row = Callback::new(move |key| view! { <FindingRow row=rows.value(key)/> }.into_any());
    let counts = Memo::new(move |_| {
        studio.analysis.with(|a| {
            let count = |s: Severity| a.open_findings().filter(|f| f.severity == s).count();
            format!(
                "{} errors, {} warnings, {} notes",
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Info)
            )
        })
    });
    let hidden = move || listed.with(|l| l.hidden);
    view! {
        <section class="findings card-panel">
            <h2>"Findings"</h2>
            <p class="muted">{counts}</p>
            <ul class="findings-list" aria-label="Findings" id="findings-list">
                <Names each=keys.into() row/>
                <Show when=move || { hidden() > 0 }>
                    <li class="finding more">
                        <button class="quiet" on:click=move |_| all_notes.set(true)>
                            {move || format!("Show {} more notes", hidden())}
                        </button>
                    </li>
                </Show>
            </ul>
        </section>
    }
}

/// One finding; its main button selects the service or tier it is about.
#[component]
fn FindingRow(row: RwSignal<Row>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let severity = move || row.with(|r| r.severity);
    let class = move || {
        let accepted = row.with(|r| r.accepted.is_some());
        format!(
            "finding {}{}",
            severity(),
            if accepted { " accepted" } else { "" }
        )
    };
    let select = move |_| {
        let target = row.with_untracked(|r| subject(&r.service, &r.tier));
        if target.is_some() {
            studio.select(target);
        }
    };
    let apply = move |_| {
        let id = row.with_untracked(|r| r.id.clone());
        let action = studio.analysis.with_untracked(|a| {
            a.findings
                .iter()
                .find(|f| f.id == id)
                .and_then(|f| f.action.clone())
        });
        if let Some(action) = action {
            studio.edit(|d| d.apply(&action));
        }
    };
    let accept = move |_| {
        // The note goes into the design under `x-tiermap`, and into the report.
        let question = "Accept this finding: what did the review decide, and why?";
        let note = window().prompt_with_message(question).ok().flatten();
        if let Some(note) = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) {
            let id = row.with_untracked(|r| r.id.clone());
            studio.edit(|d| d.accept(&id, &note));
        }
    };
    view! {
        <li class=class>
            <button class="finding-main" on:click=select>
                <span class=move || format!("badge {}", severity())>{severity}</span>
                <span class="message">{move || row.with(|r| r.message.clone())}</span>
                <span class="muted">{move || row.with(|r| r.line.clone())}</span>
            </button>
            <p class="fix">"Fix: " {move || row.with(|r| r.fix.clone())}</p>
            {move || {
                row.with(|r| r.accepted.clone())
                    .map(|note| view! { <p class="muted">"Accepted: " {note}</p> })
            }}
            {move || {
                row.with(|r| r.fixable).then(|| view! { <button class="quiet" on:click=apply>"Apply fix"</button> })
            }}
            {move || {
                row.with(|r| r.accepted.is_none())
                    .then(|| view! { <button class="quiet" on:click=accept>"Accept…"</button> })
            }}
        </li>
    }
}
