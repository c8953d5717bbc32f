//! Presentation mode for the review meeting: the diagram fills the screen with the
//! surface figures in large type, the editing chrome is hidden, and the open findings
//! are stepped through one by one, each selecting (and so highlighting) its subject.

use leptos::prelude::*;
use tiermap_core::diagram::escape;
use tiermap_core::findings::Finding;

use super::delegate::{data, element};
use crate::studio::Studio;

/// The presentation bar (hidden unless presenting).
#[component]
pub fn PresentBar() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let html = Memo::new(move |_| {
        if !studio.presenting.get() {
            return String::new();
        }
        let step = studio.step.get();
        let summary = studio
            .changes
            .with(|c| c.as_ref().map(|c| c.surface.summary()));
        studio.analysis.with(|a| bar_html(a, step, summary))
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        match data(&el, "act").as_deref() {
            Some("previous") => studio.step_finding(-1),
            Some("next") => studio.step_finding(1),
            Some("exit") => studio.present(false),
            _ => {}
        }
    };
    view! {
        <section class="present-bar" role="region" aria-label="Presentation" hidden=move || !studio.presenting.get() on:click=on_click inner_html=move || html.get()></section>
    }
}

fn bar_html(a: &tiermap_core::Analysis, step: usize, summary: Option<String>) -> String {
    let count = a.surface.port_count();
    let mut out = format!(
        "<div class=\"figures\"><p><strong>{count}</strong> exposed port{}</p>",
        if count == 1 { "" } else { "s" }
    );
    if let Some(summary) = summary {
        out.push_str(&format!("<p>Since the baseline: {}</p>", escape(&summary)));
    }
    out.push_str("</div><div class=\"step\">");
    let open: Vec<&Finding> = a.open_findings().collect();
    match open.get(step) {
        Some(f) => out.push_str(&format!(
            "<p><span class=\"muted\">Finding {} of {}</span> <span class=\"badge {sev}\">{sev}</span> {}</p>",
            step + 1,
            open.len(),
            escape(&f.message),
            sev = f.severity.as_str(),
        )),
        None => out.push_str("<p>No open findings.</p>"),
    }
    out.push_str(
        "</div><div class=\"row\"><button data-act=\"previous\" aria-label=\"Previous finding\">←</button>\
         <button data-act=\"next\" aria-label=\"Next finding\">→</button>\
         <button data-act=\"exit\">Exit presentation</button></div>",
    );
    out
}
