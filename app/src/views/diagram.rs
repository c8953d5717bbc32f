//! The diagram, drawn as SVG by core (`tiermap_core::diagram`); the selected service's
//! blast radius is highlighted. Clicks on a card or tier select it.

use leptos::prelude::*;
use tiermap_core::diagram::{self, Style};

use super::delegate::{element, select_from};
use crate::browser;
use crate::studio::{Selection, Studio};

/// The SVG of the design as it stands, with the selection's blast radius highlighted.
pub fn current_svg(studio: Studio) -> String {
    let analysis = studio.analysis.read();
    let selected = match studio.selected.get() {
        Some(Selection::Service(name)) => Some(name),
        _ => None,
    };
    studio.history.with(|h| {
        let model = h.current().model();
        let highlight: Vec<String> = selected
            .as_ref()
            .and_then(|name| model.service_index(name))
            .map(|i| {
                let reached = analysis.blast_radius.reached(i).into_iter();
                reached
                    .filter_map(|(s, _)| model.services.get(s).map(|s| s.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let layout = diagram::layout(model, &analysis);
        let style = Style {
            dimmed_others: selected.is_some(),
            highlight,
            selected,
        };
        diagram::svg(&layout, &style)
    })
}

/// The diagram panel.
#[component]
pub fn Diagram() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let svg = Memo::new(move |_| current_svg(studio));
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        if !select_from(studio, &el) {
            studio.select(None);
        }
    };
    let download = move |_| {
        let name = studio.history.with(|h| h.current().model().stack.clone());
        browser::download(
            &format!("{name}.svg"),
            "image/svg+xml",
            &svg.get_untracked(),
        );
    };
    view! {
        <section class="diagram-panel" aria-label="Diagram">
            <div class="row">
                <h2>"Diagram"</h2>
                <span class="muted">"Select a service to see its blast radius."</span>
                <span class="spacer"></span>
                <button on:click=download>"Download diagram (SVG)"</button>
            </div>
            // The SVG is built by core, which escapes every name from the file.
            <div class="diagram" on:click=on_click inner_html=move || svg.get()></div>
        </section>
    }
}
