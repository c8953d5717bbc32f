//! The comparison with the baseline: exposed ports before and after with the
//! reduction, reachable pairs added and removed, findings fixed, introduced and
//! accepted. Shown once the review has set a baseline.

use std::fmt::Write;

use leptos::prelude::*;
use tiermap_core::baseline::{Changes, Direction};
use tiermap_core::diagram::escape;

use crate::studio::Studio;

/// Items listed per group before "and N more": the figures matter more than a long list.
const LISTED: usize = 12;

/// The comparison region (hidden until a baseline is set).
#[component]
pub fn Comparison() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let html = Memo::new(move |_| {
        studio
            .changes
            .with(|c| c.as_ref().map(changes_html).unwrap_or_default())
    });
    view! {
        <section class="comparison card-panel" role="region" aria-label="Comparison" hidden=move || studio.changes.with(Option::is_none)>
            <div class="row">
                <h2>"Compared with the baseline"</h2>
                <span class="spacer"></span>
                <button class="quiet" on:click=move |_| studio.clear_baseline()>"Clear baseline"</button>
            </div>
            <div inner_html=move || html.get()></div>
        </section>
    }
}

fn changes_html(c: &Changes) -> String {
    let s = &c.surface;
    let tone = match s.reduction_percent {
        r if r > 0 => "ok",
        r if r < 0 => "error",
        _ => "muted",
    };
    let mut out = format!(
        "<p class=\"headline {tone}\">Exposed ports: {}</p>",
        escape(&s.summary())
    );
    if c.is_empty() {
        out.push_str("<p class=\"muted\">No change since the baseline.</p>");
        return out;
    }
    if !c.changed_services.is_empty() {
        let _ = write!(
            out,
            "<p>Outlined dashed in the diagram ({}): {}.</p>",
            c.changed_services.len(),
            escape(&c.changed_services.join(", "))
        );
    }
    out.push_str("<div class=\"columns\">");
    for group in c.groups() {
        let tone = match group.direction {
            Direction::Better => "ok",
            Direction::Worse => "error",
            Direction::Neutral => "muted",
        };
        group_html(&mut out, group.title, tone, &group.items);
    }
    out.push_str("</div>");
    out
}

/// One titled list with its count.
fn group_html(out: &mut String, title: &str, tone: &str, items: &[String]) {
    let _ = write!(
        out,
        "<div><h3 class=\"{tone}\">{title}: {}</h3><ul class=\"plain\">",
        items.len()
    );
    for item in items.iter().take(LISTED) {
        let _ = write!(out, "<li>{}</li>", escape(item));
    }
    if items.len() > LISTED {
        let _ = write!(
            out,
            "<li class=\"muted\">and {} more</li>",
            items.len() - LISTED
        );
    }
    out.push_str("</ul></div>");
}
