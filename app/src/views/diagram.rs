//! The diagram, drawn by core (`tiermap_core::diagram`), the one renderer behind the
//! page, the SVG and PNG downloads, the report and the command line. The page shows
//! the drawing's parts one by one, each in a `<g>` of its own keyed by its markup: an
//! edit replaces only the parts it changed (a move, the moved card and its arrows), and
//! every name in them was escaped by core's writer. Clicks on a card or tier select it.

use leptos::prelude::*;
use tiermap_core::diagram::Drawing;
use wasm_bindgen::JsCast;

use super::keyed::{numbered, Rows};
use crate::browser;
use crate::studio::{Selection, Studio};

/// The service or tier a click on the drawing landed on (core names them in
/// `data-service` and `data-tier`).
fn clicked(ev: &web_sys::MouseEvent) -> Option<Selection> {
    let el = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let named = el.closest("[data-service],[data-tier]").ok()??;
    match named.get_attribute("data-service") {
        Some(service) => Some(Selection::Service(service)),
        None => named.get_attribute("data-tier").map(Selection::Tier),
    }
}

/// How a part opens when it has a position (core's contract, see [`Drawing`]).
const PLACED: &str = "<g transform=\"translate(";

/// Splits a part into what it shows (its markup without its position) and its position.
fn placed(part: &str) -> (String, Option<String>) {
    let split = part.strip_prefix(PLACED).and_then(|rest| {
        let (at, rest) = rest.split_once(")\"")?;
        at.bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
            .then(|| (format!("<g{rest}"), Some(format!("translate({at})"))))
    });
    split.unwrap_or_else(|| (part.to_string(), None))
}

/// A part's key: what it shows, numbered if another part shows the same.
type Key = (String, usize);

/// The drawing's parts by what they show, in drawing order, with their positions.
fn parts(drawing: &Drawing) -> Vec<(Key, Option<String>)> {
    let split: Vec<(String, Option<String>)> = drawing.children.iter().map(|p| placed(p)).collect();
    let keys = numbered(split.iter().map(|(shows, _)| shows.clone()));
    keys.into_iter()
        .zip(split.into_iter().map(|(_, at)| at))
        .collect()
}

/// The diagram panel. Each part of the drawing is a `<g>` keyed by what it shows: a
/// part that only moved (a card below a box that grew) has its position set and keeps
/// its nodes, so its text is not laid out again; a part that changed is replaced.
#[component]
pub fn Diagram() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let drawing = studio.drawing;
    let size = Memo::new(move |_| drawing.with(|d| (d.width.max(1), d.height.max(1))));
    // The drawing's size is the canvas's (see `.canvas` in the style); the <svg> only
    // grows or shrinks a power of two at a time, because resizing an <svg> lays out
    // every label in it again. Each element gets the sizes it reads: they are not
    // inherited, since a change of an inherited property lays out the whole drawing.
    let width = move || size.get().0.to_string();
    let height = move || size.get().1.to_string();
    let canvas = move |side: fn((i32, i32)) -> i32| {
        move || {
            side(size.get())
                .unsigned_abs()
                .next_power_of_two()
                .to_string()
        }
    };
    let parts = Memo::new(move |_| drawing.with(parts));
    let shown = Memo::new(move |_| {
        parts.with(|p| p.iter().map(|(key, _)| key.clone()).collect::<Vec<_>>())
    });
    // A part keeps its nodes while it shows the same; its position is a signal of its
    // own, so a part that only moved has its transform set, and no other part wakes.
    let positions = Rows::new(move |_| parts.with(|p| p.iter().cloned().collect()));
    let part = move |key: Key| {
        let at = positions.value(key.clone());
        view! { <g transform=at inner_html=key.0></g> }
    };
    let download = move |_| {
        let name = studio.model_untracked(|m| m.stack.clone());
        let svg = drawing.with_untracked(Drawing::to_string);
        browser::download(&format!("{name}.svg"), "image/svg+xml", &svg);
    };
    let png = move |_| {
        let name = studio.model_untracked(|m| m.stack.clone());
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
            <div class="diagram" on:click=move |ev| studio.select(clicked(&ev))>
                <div class="canvas" id="diagram-canvas" style:--w=width style:--h=height>
                    <div style:--w=width style:--h=height>
                        <svg
                            id="diagram-svg"
                            role="img"
                            aria-label="Stack diagram"
                            style:--cw=canvas(|s| s.0)
                            style:--ch=canvas(|s| s.1)
                        >
                            <For each=move || shown.get() key=Clone::clone children=part/>
                        </svg>
                    </div>
                </div>
            </div>
        </section>
    }
}
