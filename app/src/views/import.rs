//! Bringing a compose file in: the file picker, a file dropped anywhere on the page, and
//! the paste box, which keeps text that did not import so nothing typed is lost.

use leptos::html;
use leptos::prelude::*;

use crate::browser;
use crate::studio::{Notice, Studio};

/// Reads `file` and imports it.
fn import_file(studio: Studio, file: web_sys::File) {
    browser::read_file(file, move |name, text| match text {
        Ok(text) => studio.import(&name, text),
        Err(e) => studio
            .notice
            .set(Notice::error(format!("Could not read {name}: {e}"))),
    });
}

/// Imports the first file of a drop anywhere on the page (card drags carry no file).
pub fn drop_file(studio: Studio, ev: web_sys::DragEvent) {
    let Some(file) = ev
        .data_transfer()
        .and_then(|dt| dt.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    ev.prevent_default();
    import_file(studio, file);
}

/// The "Import…" button: a file input styled as a button.
#[component]
pub fn ImportFile() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let picked = move |ev: leptos::ev::Targeted<web_sys::Event, web_sys::HtmlInputElement>| {
        let input = ev.target();
        let file = input.files().and_then(|f| f.get(0));
        // Cleared, so picking the same file again imports it again.
        input.set_value("");
        if let Some(file) = file {
            import_file(studio, file);
        }
    };
    view! {
        <label class="button file">
            <span>"Import…"</span>
            <input
                type="file"
                aria-label="Import compose file"
                accept=".yml,.yaml,text/yaml,application/yaml"
                on:change:target=picked
            />
        </label>
    }
}

/// Paste YAML to import it; a failed import's text and error come back here. The box is
/// only hidden when closed, so what the person typed stays when it is opened again.
#[component]
pub fn PasteBox(open: RwSignal<bool>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let area = NodeRef::<html::Textarea>::new();
    // A failed import opens the box with its text, to correct or keep.
    Effect::new(move |_| {
        studio.failed.with(|failed| {
            let (Some(failed), Some(area)) = (failed, area.get_untracked()) else {
                return;
            };
            area.set_value(&failed.text);
            open.set(true);
        })
    });
    let pasted = move || area.get_untracked().map(|a| a.value()).unwrap_or_default();
    let message = move || {
        studio
            .failed
            .with(|f| f.as_ref().map(|f| f.message.clone()))
            .unwrap_or_default()
    };
    view! {
        <div class="paste" id="paste" role="dialog" aria-label="Paste YAML" hidden=move || !open.get()>
            <textarea node_ref=area aria-label="YAML to import" rows="14" spellcheck="false"></textarea>
            <p class="error" role="alert" hidden=move || message().is_empty()>
                {message}
            </p>
            <div class="row">
                <button class="primary" on:click=move |_| studio.import("pasted text", pasted())>
                    "Import pasted YAML"
                </button>
                // Text that does not import yet can still be kept, as it is.
                <button on:click=move |_| {
                    browser::download("pasted.yml", "application/yaml", &pasted())
                }>"Download this text"</button>
                <button on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </div>
    }
}
