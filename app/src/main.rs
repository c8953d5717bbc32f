//! The tiermap designer page: drag service cards into tier boxes and see what the
//! design allows, live. A thin view over `tiermap-core`, where every rule lives.

mod browser;
mod share_link;
mod studio;
mod views;

use leptos::prelude::*;

use crate::studio::Studio;

// Talc instead of the default dlmalloc: a smaller page and faster allocation, which
// every edit does a lot of.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // Where a panic happened, in the console, in debug builds. The page is written not
    // to panic; in release a panic shows as a WebAssembly `unreachable` error, and the
    // page is 0.4 KB smaller without the hook.
    #[cfg(debug_assertions)]
    std::panic::set_hook(Box::new(|info| {
        if let Some(at) = info.location() {
            leptos::logging::error!("tiermap panicked at {}:{}", at.file(), at.line());
        }
    }));
    leptos::mount::mount_to_body(App);
    browser::publish_ready();
    request_idle_callback(|| compile_ahead(0));
}

/// How many times each built-in design is laid out ahead.
const AHEAD_LAYOUTS: usize = 4;

/// How many copies of the first template's services make the design laid out ahead
/// as a large one (over 80 cards: the layout's path for large designs).
const AHEAD_COPIES: usize = 7;

/// Opens, analyses, lays out and draws built-in design `i` off screen (one template per
/// idle period after the page opened), laying it out a few times, then moves one card
/// as a drag does: the move, the analysis, the layout after the one before, the drawing
/// and the text the page saves. V8 compiles WebAssembly lazily, each function on its
/// first call, and optimises it only once it has run a while: without this, the first
/// file a person opens pays for compiling the import, the analysis and the layout (200
/// services: a first layout of 18 ms against 4 ms for the next, measured in Chromium),
/// and the first drag for compiling the layout after an edit. After the first template,
/// a large design made of its copies runs the path only large designs take.
fn compile_ahead(i: usize) {
    use tiermap_core::diagram;
    if i == 1 {
        if let Some(Ok(design)) = tiermap_core::templates::TEMPLATES
            .first()
            .map(|t| t.design())
        {
            let mut model = design.model().clone();
            for k in 1..AHEAD_COPIES {
                let copy = |name: &String| format!("{name}-{k}");
                for s in &design.model().services {
                    let mut s = s.clone();
                    s.name = copy(&s.name);
                    model.services.push(s);
                }
                for f in &design.model().flows {
                    let mut f = f.clone();
                    (f.from, f.to) = (copy(&f.from), copy(&f.to));
                    model.flows.push(f);
                }
            }
            let analysis = tiermap_core::Analysis::of(&model);
            let _ = diagram::layout(&model, &analysis);
        }
    }
    let Some(template) = tiermap_core::templates::TEMPLATES.get(i) else {
        browser::publish_warm();
        return;
    };
    if let Ok(design) = template.design() {
        let analysis = design.analyze();
        for _ in 1..AHEAD_LAYOUTS {
            let _ = diagram::layout(design.model(), &analysis);
        }
        let layout = diagram::layout(design.model(), &analysis);
        let _ = diagram::drawing(&layout, &Default::default());
        let model = design.model();
        if let (Some(service), Some(tier)) = (model.services.first(), model.tiers.last()) {
            let mut moved = design.clone();
            if moved.move_to(&service.name, &tier.key).is_ok() {
                let analysis = moved.analyze();
                let options = diagram::Options {
                    previous: Some(&layout),
                    baseline: Some(model),
                };
                let after = diagram::layout_with(moved.model(), &analysis, &options);
                let _ = diagram::drawing(&after, &Default::default());
                let _ = moved.export();
            }
        }
    }
    request_idle_callback(move || compile_ahead(i + 1));
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    let studio = Studio::new();
    provide_context(studio);
    // Undo and redo from the keyboard, unless the person is typing in a field.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if studio.presenting.get_untracked() && !typing {
            match ev.key().as_str() {
                "ArrowRight" | "ArrowDown" | "PageDown" | " " => studio.step_finding(1),
                "ArrowLeft" | "ArrowUp" | "PageUp" => studio.step_finding(-1),
                "Escape" => studio.present(false),
                _ => return,
            }
            ev.prevent_default();
            return;
        }
        if typing || !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        match ev.key().to_ascii_lowercase().as_str() {
            "z" if ev.shift_key() => studio.redo(),
            "z" => studio.undo(),
            "y" => studio.redo(),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());
    view! {
        <div
            class="app"
            class:presenting=move || studio.presenting.get()
            on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=move |ev: web_sys::DragEvent| views::import::drop_file(studio, ev)
        >
            <views::toolbar::Toolbar/>
            <views::present::PresentBar/>
            <views::notice::Notices/>
            <main class="workspace">
                <views::board::Board/>
                <views::panel::Panel/>
            </main>
            <views::diagram::Diagram/>
            <views::comparison::Comparison/>
            <section class="analysis">
                <views::surface::Surface/>
                <views::findings::Findings/>
                <views::matrix::Matrix/>
            </section>
            <views::export::Export/>
        </div>
    }
}
