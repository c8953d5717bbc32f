//! The findings list: every finding with its severity, place, sentence and fix, the
//! buttons that apply the fix or accept it with the room's note, and a count.
//!
//! The list is a store keyed by finding id and patched with each new analysis, so an
//! edit changes only the rows (and in them the fields) whose finding changed.

use leptos::prelude::*;
use reactive_stores::{Field, Patch, Store};
use tiermap_core::findings::Severity;
use tiermap_core::Analysis;

use super::keyed::numbered;
use crate::studio::{subject, Studio};

/// Notes (info findings) shown before "show all": a big design has hundreds.
const NOTES_SHOWN: usize = 25;

/// The findings as listed.
#[derive(Debug, Clone, PartialEq, Default, Store, Patch)]
struct Listed {
    /// The rows shown, keyed by finding id.
    #[store(key: String = |row| row.key.clone())]
    rows: Vec<Row>,
    /// Notes left out until "show all".
    hidden: usize,
}

/// One finding as listed.
#[derive(Debug, Clone, PartialEq, Store, Patch)]
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

/// Patches the list with `new`: the rows through their own keyed patch, which follows
/// rows that moved. (A patch of the whole store panics on them in reactive_stores 0.4:
/// leptos-rs/leptos#4486; the test below fails with it.)
fn refresh(store: Store<Listed>, new: Listed) {
    store.rows().patch(new.rows);
    store.hidden().patch(new.hidden);
}

/// The findings region.
#[component]
pub fn Findings() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let all_notes = RwSignal::new(false);
    let fresh = Memo::new(move |_| {
        let all = all_notes.get();
        studio.analysis.with(|a| listed(a, all))
    });
    let store = Store::new(fresh.get_untracked());
    // Only the fields that differ notify: a row whose finding is unchanged is not touched.
    Effect::new(move |_| refresh(store, fresh.get()));
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
    let hidden = move || store.hidden().get();
    view! {
        <section class="findings card-panel">
            <h2>"Findings"</h2>
            <p class="muted">{counts}</p>
            <ul class="findings-list" aria-label="Findings" id="findings-list">
                <For each=move || store.rows() key=|row| row.key() let:row>
                    <FindingRow row/>
                </For>
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
fn FindingRow(#[prop(into)] row: Field<Row>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let severity = move || row.severity().get();
    let class = move || {
        let accepted = row.accepted().with(Option::is_some);
        format!(
            "finding {}{}",
            severity(),
            if accepted { " accepted" } else { "" }
        )
    };
    let select = move |_| {
        let target = subject(&row.service().get_untracked(), &row.tier().get_untracked());
        if target.is_some() {
            studio.select(target);
        }
    };
    let apply = move |_| {
        let id = row.id().get_untracked();
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
            let id = row.id().get_untracked();
            studio.edit(|d| d.accept(&id, &note));
        }
    };
    view! {
        <li class=class>
            <button class="finding-main" on:click=select>
                <span class=move || format!("badge {}", severity())>{severity}</span>
                <span class="message">{move || row.message().get()}</span>
                <span class="muted">{move || row.line().get()}</span>
            </button>
            <p class="fix">"Fix: " {move || row.fix().get()}</p>
            {move || {
                row.accepted()
                    .get()
                    .map(|note| view! { <p class="muted">"Accepted: " {note}</p> })
            }}
            {move || {
                row.fixable().get().then(|| view! { <button class="quiet" on:click=apply>"Apply fix"</button> })
            }}
            {move || {
                row.accepted()
                    .with(Option::is_none)
                    .then(|| view! { <button class="quiet" on:click=accept>"Accept…"</button> })
            }}
        </li>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn row(id: &str, message: &str) -> Row {
        Row {
            key: id.to_string(),
            id: id.to_string(),
            severity: "warning",
            message: message.to_string(),
            fix: String::new(),
            line: String::new(),
            service: None,
            tier: None,
            accepted: None,
            fixable: false,
        }
    }

    /// Rows added, removed, moved and changed, in every order a few ids allow: the
    /// store ends equal to the list it was patched with, and never panics.
    #[test]
    fn patching_follows_any_change_of_the_list() {
        let owner = Owner::new();
        owner.set();
        let ids = ["a", "b", "c", "d", "e"];
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let store = Store::new(Listed::default());
        for round in 0..400 {
            let mut rows: Vec<Row> = Vec::new();
            for id in ids {
                if next() % 3 != 0 {
                    rows.push(row(id, if next() % 2 == 0 { "one" } else { "two" }));
                }
            }
            for i in (1..rows.len()).rev() {
                rows.swap(i, next() % (i + 1));
            }
            let new = Listed {
                rows,
                hidden: round % 3,
            };
            refresh(store, new.clone());
            assert_eq!(store.get_untracked(), new, "round {round}");
            // Reading each row by its key, as the list does, finds it.
            for r in &new.rows {
                let field = store.rows().at_key(r.key.clone());
                assert_eq!(field.message().get_untracked(), r.message, "round {round}");
            }
        }
    }
}
