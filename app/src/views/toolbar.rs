//! The top bar: templates, import (file, drop, paste), undo, downloads.

use leptos::prelude::*;
use tiermap_core::templates::TEMPLATES;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::studio::Studio;

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
    browser::read_file(file, move |name, text| match text {
        Ok(text) => studio.import(&name, text),
        Err(e) => studio.notice.set(Some(crate::studio::Notice {
            error: true,
            text: format!("Could not read {name}: {e}"),
        })),
    });
}

/// The top bar.
#[component]
pub fn Toolbar() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let stack = move || studio.history.with(|h| h.current().model().stack.clone());
    let on_template = move |ev: web_sys::Event| {
        let value = event_target_value(&ev);
        if value == "empty" {
            studio.open(
                tiermap_core::Design::empty("stack"),
                "Started an empty design.".into(),
            );
        } else if let Some(t) = tiermap_core::templates::find(&value) {
            studio.open_template(t);
        }
        if let Some(select) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            select.set_value("");
        }
    };
    let on_file = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        browser::read_file(file, move |name, text| match text {
            Ok(text) => studio.import(&name, text),
            Err(e) => studio.notice.set(Some(crate::studio::Notice {
                error: true,
                text: format!("Could not read {name}: {e}"),
            })),
        });
    };
    let download = move |_| {
        let (name, text) = studio
            .history
            .with(|h| (h.current().model().stack.clone(), h.current().export()));
        browser::download(&format!("{name}.yml"), "application/yaml", &text);
    };
    let copy = move |_| {
        let text = studio.history.with(|h| h.current().export());
        browser::copy(text, move |ok| {
            let text = if ok {
                "Stack file copied to the clipboard."
            } else {
                "The browser did not allow copying; use Download instead."
            };
            studio.notice.set(Some(crate::studio::Notice {
                error: !ok,
                text: text.into(),
            }));
        });
    };
    view! {
        <header class="toolbar">
            <h1 class="brand">"tiermap"</h1>
            <span class="stack" title="Stack name">{stack}</span>
            <label class="field">
                <span>"Template"</span>
                <select aria-label="Template" on:change=on_template>
                    <option value="" selected=true>"Open…"</option>
                    <option value="empty">"Empty design"</option>
                    {TEMPLATES.iter().map(|t| view! { <option value=t.name>{t.title}</option> }).collect_view()}
                </select>
            </label>
            <label class="button file">
                <span>"Import…"</span>
                <input type="file" aria-label="Import compose file" accept=".yml,.yaml,text/yaml,application/yaml" on:change=on_file/>
            </label>
            <PasteBox/>
            <span class="spacer"></span>
            <button on:click=move |_| studio.undo() disabled=move || studio.history.with(|h| !h.can_undo()) title="Ctrl+Z">"Undo"</button>
            <button on:click=move |_| studio.redo() disabled=move || studio.history.with(|h| !h.can_redo()) title="Ctrl+Shift+Z">"Redo"</button>
            <button on:click=move |_| studio.set_baseline() title="Compare what changes from here">"Set baseline"</button>
            <button on:click=move |_| studio.share()>"Share link"</button>
            <button on:click=move |_| studio.present(true) title="Full screen for the review; arrows step through findings, Escape ends">"Present"</button>
            <input class="share-url" readonly aria-label="Share link URL" hidden=move || studio.share_url.with(Option::is_none) prop:value=move || studio.share_url.get().unwrap_or_default()/>
            <button class="primary" on:click=download>"Download stack file"</button>
            <button on:click=copy>"Copy YAML"</button>
        </header>
    }
}

/// Paste YAML to import it; a failed import's text comes back here.
#[component]
fn PasteBox() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let text = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(failed) = studio.failed.get() {
            text.set(failed.text);
            open.set(true);
        }
    });
    view! {
        <button aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>"Paste YAML"</button>
        <Show when=move || open.get()>
            <div class="paste" role="dialog" aria-label="Paste YAML">
                <textarea
                    aria-label="YAML to import"
                    rows="14"
                    spellcheck="false"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                {move || studio.failed.get().filter(|f| !f.message.is_empty()).map(|f| view! { <p class="error" role="alert">{f.message}</p> })}
                <div class="row">
                    <button class="primary" on:click=move |_| studio.import("pasted text", text.get_untracked())>"Import pasted YAML"</button>
                    <button on:click=move |_| open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
