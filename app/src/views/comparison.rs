//! The comparison with the baseline: exposed ports before and after with the
//! reduction, reachable pairs added and removed, findings fixed, introduced and
//! accepted. Shown once the review has set a baseline.

use leptos::prelude::*;
use tiermap_core::baseline::{Changes, Direction};

use crate::studio::Studio;

/// Items listed per group before "and N more": the figures matter more than a long list.
const LISTED: usize = 12;

/// One titled list of changes as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    title: &'static str,
    tone: &'static str,
    count: usize,
    items: Vec<String>,
}

/// What the comparison shows.
#[derive(Debug, Clone, PartialEq, Default)]
struct Shown {
    headline: String,
    tone: &'static str,
    unchanged: bool,
    /// "Outlined dashed in the diagram (3): a, b, c.", or empty.
    changed: String,
    groups: Vec<Group>,
}

fn shown(c: &Changes) -> Shown {
    let s = &c.surface;
    let tone = match s.reduction_percent {
        r if r > 0 => "ok",
        r if r < 0 => "error",
        _ => "muted",
    };
    let changed = if c.changed_services.is_empty() {
        String::new()
    } else {
        format!(
            "Outlined dashed in the diagram ({}): {}.",
            c.changed_services.len(),
            c.changed_services.join(", ")
        )
    };
    let groups = c
        .groups()
        .into_iter()
        .map(|g| Group {
            title: g.title,
            tone: match g.direction {
                Direction::Better => "ok",
                Direction::Worse => "error",
                Direction::Neutral => "muted",
            },
            count: g.items.len(),
            items: g.items.into_iter().take(LISTED).collect(),
        })
        .collect();
    Shown {
        headline: format!("Exposed ports: {}", s.summary()),
        tone,
        unchanged: c.is_empty(),
        changed,
        groups,
    }
}

/// The comparison region (hidden until a baseline is set).
#[component]
pub fn Comparison() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let shown = Memo::new(move |_| {
        studio
            .changes
            .with(|c| c.as_ref().map(shown).unwrap_or_default())
    });
    let group = |g: Group| {
        let more = g.count.saturating_sub(LISTED);
        view! {
            <div>
                <h3 class=g.tone>{format!("{}: {}", g.title, g.count)}</h3>
                <ul class="plain">
                    {g.items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
                    {(more > 0).then(|| view! { <li class="muted">{format!("and {more} more")}</li> })}
                </ul>
            </div>
        }
    };
    view! {
        <section
            class="comparison card-panel"
            role="region"
            aria-label="Comparison"
            hidden=move || studio.changes.with(Option::is_none)
        >
            <div class="row">
                <h2>"Compared with the baseline"</h2>
                <span class="spacer"></span>
                <button class="quiet" on:click=move |_| studio.clear_baseline()>
                    "Clear baseline"
                </button>
            </div>
            <p class=move || format!("headline {}", shown.with(|s| s.tone))>
                {move || shown.with(|s| s.headline.clone())}
            </p>
            <Show when=move || shown.with(|s| s.unchanged)>
                <p class="muted">"No change since the baseline."</p>
            </Show>
            <Show when=move || !shown.with(|s| s.changed.is_empty())>
                <p>{move || shown.with(|s| s.changed.clone())}</p>
            </Show>
            <div class="columns">
                {move || shown.with(|s| s.groups.clone()).into_iter().map(group).collect_view()}
            </div>
        </section>
    }
}
