//! The diagram, drawn as SVG by core (`tiermap_core::diagram`); the selected service's
//! blast radius is highlighted. Clicks on a card or tier select it.

use leptos::prelude::*;
use tiermap_core::diagram::{self, Drawing, Style};

use super::delegate::{element, select_from};
use super::rows;
use crate::browser;
use crate::studio::{Selection, Studio};

/// The diagram of the design as it stands, with the selection's blast radius highlighted.
pub fn current_drawing(studio: Studio) -> Drawing {
    let analysis = studio.analysis.read();
    let (selected, selected_tier) = match studio.selected.get() {
        Some(Selection::Service(name)) => (Some(name), None),
        Some(Selection::Tier(key)) => (None, Some(key)),
        None => (None, None),
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
            selected_tier,
            changed: studio
                .changes
                .with(|c| c.as_ref().map(|c| c.changed_services.clone()))
                .unwrap_or_default(),
        };
        diagram::drawing(&layout, &style)
    })
}

/// The diagram's root in the box that has the drawing's size; [`Drawing`]'s parts fill it.
const SVG_ROOT: &str = "<div class=\"canvas\" id=\"diagram-canvas\"><div><svg id=\"diagram-svg\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Stack diagram\"></svg></div></div>";

/// The diagram panel.
#[component]
pub fn Diagram() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let drawing = Memo::new(move |_| current_drawing(studio));
    // The <svg> stays and only changed elements are replaced (a move in a 200-service
    // design changes about a tenth of them). The drawing's size is the canvas's (see
    // `.canvas` in the style); the <svg> only grows or shrinks a power of two at a time,
    // because resizing an <svg> lays out every label in it again.
    Effect::new(move |_| {
        let (w, h) = drawing.with(|d| (d.width.max(1), d.height.max(1)));
        let (cw, ch) = (
            w.unsigned_abs().next_power_of_two(),
            h.unsigned_abs().next_power_of_two(),
        );
        // Each element gets the sizes it reads: they are not inherited (see the style),
        // since a change of an inherited property lays out the whole drawing again.
        let size = format!("--w:{w};--h:{h}");
        let canvas = document().get_element_by_id("diagram-canvas");
        let scaled = canvas.as_ref().and_then(|c| c.first_element_child());
        let svg = document().get_element_by_id("diagram-svg");
        for (el, style) in [
            (canvas, size.clone()),
            (scaled, size),
            (svg, format!("--cw:{cw};--ch:{ch}")),
        ] {
            let Some(el) = el else { continue };
            if el.get_attribute("style").as_deref() != Some(style.as_str()) {
                let _ = el.set_attribute("style", &style);
            }
        }
    });
    rows::keep(
        "diagram-svg",
        Box::new(move || drawing.with(|d| d.children.clone())),
    );
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
            &drawing.with_untracked(Drawing::to_string),
        );
    };
    let png = move |_| {
        let name = studio.history.with(|h| h.current().model().stack.clone());
        drawing.with_untracked(|d| {
            let (w, h) = (f64::from(d.width), f64::from(d.height));
            browser::download_png(format!("{name}.png"), &d.to_string(), w, h);
        });
    };
    view! {
        <section class="diagram-panel" aria-label="Diagram">
            <div class="row">
                <h2>"Diagram"</h2>
                <span class="muted">"Select a service to see its blast radius."</span>
                <span class="spacer"></span>
                <button on:click=download>"Download diagram (SVG)"</button>
                <button on:click=png>"Download diagram (PNG)"</button>
            </div>
            // The SVG is built by core, which escapes every name from the file.
            <div class="diagram" on:click=on_click inner_html=SVG_ROOT></div>
        </section>
    }
}
