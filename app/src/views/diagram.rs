//! The diagram, drawn by core (`tiermap_core::diagram`), the one renderer behind the
//! page, the SVG and PNG downloads, the report and the command line. The page shows
//! the drawing's parts one by one, each in a `<g>` of its own keyed by its markup: an
//! edit replaces only the parts it changed (a move, the moved card and its arrows), and
//! every name in them was escaped by core's writer. Clicks on a card or tier select it.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use leptos::prelude::*;
use reactive_stores::{Field, Patch, Store};
use tiermap_core::diagram::Drawing;
use wasm_bindgen::JsCast;

use super::keyed::numbered;
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

/// A part of the drawing as the page shows it.
#[derive(Debug, Clone, PartialEq, Store, Patch)]
struct Part {
    /// What the part shows (a hash of its markup without its position), and how many
    /// parts showing the same came before it: the part's key.
    shows: u64,
    repeat: usize,
    /// Its markup, without its position.
    markup: String,
    /// Its position (`translate(x y)`), for boxes, cards and labels.
    at: Option<String>,
}

/// The drawing's parts, keyed by what they show.
#[derive(Debug, Clone, PartialEq, Default, Store, Patch)]
struct Parts {
    #[store(key: (u64, usize) = |p| (p.shows, p.repeat))]
    parts: Vec<Part>,
}

/// How a part opens when it has a position (core's contract, see [`Drawing`]).
const PLACED: &str = "<g transform=\"translate(";

/// Splits a part into its markup without its position, and its position.
fn placed(part: &str) -> (String, Option<String>) {
    let split = part.strip_prefix(PLACED).and_then(|rest| {
        let (at, rest) = rest.split_once(")\"")?;
        at.bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
            .then(|| (format!("<g{rest}"), Some(format!("translate({at})"))))
    });
    split.unwrap_or_else(|| (part.to_string(), None))
}

fn parts(drawing: &Drawing) -> Parts {
    let split: Vec<(String, Option<String>)> = drawing.children.iter().map(|p| placed(p)).collect();
    let shows = split.iter().map(|(markup, _)| {
        let mut hasher = DefaultHasher::new();
        markup.hash(&mut hasher);
        hasher.finish()
    });
    let parts = numbered(shows)
        .into_iter()
        .zip(split)
        .map(|((shows, repeat), (markup, at))| Part {
            shows,
            repeat,
            markup,
            at,
        })
        .collect();
    Parts { parts }
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
    let shown = Store::new(drawing.with_untracked(parts));
    // Patched part by part: only the parts that differ notify (see `findings` on why
    // the keyed field is patched itself).
    Effect::new(move |_| shown.parts().patch(drawing.with(parts).parts));
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
                            <For each=move || shown.parts() key=|p| p.key() let:part>
                                <DiagramPart part/>
                            </For>
                        </svg>
                    </div>
                </div>
            </div>
        </section>
    }
}

/// One part of the drawing, in a `<g>` that carries its position. Its markup is core's,
/// which escaped every name in it.
#[component]
fn DiagramPart(#[prop(into)] part: Field<Part>) -> impl IntoView {
    view! { <g transform=move || part.at().get() inner_html=move || part.markup().get()></g> }
}
