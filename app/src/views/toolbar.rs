//! The top bar: templates, import (file, drop, paste), undo, downloads.

use leptos::prelude::*;
use tiermap_core::templates::TEMPLATES;
use wasm_bindgen::JsCast;

use tiermap_core::diagram::escape;
use tiermap_core::review::{self, Review};

use super::delegate::{data, element};
use super::rows;
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

/// The top bar. Its controls are HTML rows patched by key (only the stack name, Undo,
/// Redo and the share link change) and every click or change is handled by delegation.
#[component]
pub fn Toolbar() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let paste_open = RwSignal::new(false);
    let rows = Box::new(move || {
        let (stack, undo, redo) = studio.history.with(|h| {
            let stack = escape(&h.current().model().stack).into_owned();
            (stack, h.can_undo(), h.can_redo())
        });
        let disabled = |on: bool| if on { "" } else { " disabled" };
        let url = studio.share_url.get();
        vec![
            "<h1 class=\"brand\">tiermap</h1>".to_string(),
            format!("<span class=\"stack\" title=\"Stack name\">{stack}</span>"),
            template_chooser(),
            "<label class=\"button file\"><span>Import…</span><input type=\"file\" data-act=\"import\" aria-label=\"Import compose file\" accept=\".yml,.yaml,text/yaml,application/yaml\"></label>".into(),
            format!("<button data-act=\"paste\" aria-expanded=\"{}\">Paste YAML</button>", paste_open.get()),
            "<span class=\"spacer\"></span>".into(),
            format!("<button data-act=\"undo\" title=\"Ctrl+Z\"{}>Undo</button>", disabled(undo)),
            format!("<button data-act=\"redo\" title=\"Ctrl+Shift+Z\"{}>Redo</button>", disabled(redo)),
            "<button data-act=\"baseline\" title=\"Compare what changes from here\">Set baseline</button>".into(),
            "<button data-act=\"share\">Share link</button>".into(),
            "<button data-act=\"present\" title=\"Full screen for the review; arrows step through findings, Escape ends\">Present</button>".into(),
            match url {
                Some(url) => format!("<input class=\"share-url\" readonly aria-label=\"Share link URL\" value=\"{}\">", escape(&url)),
                None => String::new(),
            },
            "<button class=\"primary\" data-act=\"download\">Download stack file</button>".into(),
            "<button data-act=\"copy\" aria-label=\"Copy YAML\" title=\"Copy the stack file to the clipboard\">Copy</button>".into(),
            "<button data-act=\"report\" title=\"HTML that prints well: diagram, surface, comparison, reachability, findings, decisions\">Download report</button>".into(),
            "<button data-act=\"report-md\" aria-label=\"Download report as Markdown\" title=\"The report as Markdown, for the minutes\">.md</button>".into(),
        ]
    });
    rows::keep(ROWS_ID, rows);
    paste_box(studio, paste_open);
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        match data(&el, "act").as_deref() {
            Some("paste") => paste_open.update(|o| *o = !*o),
            Some("paste-import") => studio.import("pasted text", pasted()),
            // Text that does not import yet can still be kept, as it is.
            Some("paste-save") => browser::download("pasted.yml", "application/yaml", &pasted()),
            Some("undo") => studio.undo(),
            Some("redo") => studio.redo(),
            Some("baseline") => studio.set_baseline(),
            Some("share") => studio.share(),
            Some("present") => studio.present(true),
            Some("download") => download(studio),
            Some("copy") => copy(studio),
            Some("report") => download_report(studio, false),
            Some("report-md") => download_report(studio, true),
            _ => {}
        }
    };
    let on_change = move |ev: web_sys::Event| {
        let Some(el) = element(&ev) else { return };
        match el.get_attribute("data-act").as_deref() {
            Some("template") => open_template(studio, &el),
            Some("import") => import_picked(studio, &el),
            _ => {}
        }
    };
    view! {
        <header class="toolbar" on:click=on_click on:change=on_change>
            <div class="toolbar-rows" id=ROWS_ID></div>
            <div inner_html=PASTE_HTML></div>
        </header>
    }
}

const ROWS_ID: &str = "toolbar-rows";

/// The template chooser: an empty design or any built-in template.
fn template_chooser() -> String {
    let mut out = String::from(
        "<label class=\"field\"><span class=\"sr-only\">Template</span><select aria-label=\"Template\" data-act=\"template\"><option value=\"\" selected>Template…</option><option value=\"empty\">Empty design</option>",
    );
    for t in TEMPLATES {
        out.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            escape(t.name),
            escape(t.title)
        ));
    }
    out.push_str("</select></label>");
    out
}

fn open_template(studio: Studio, el: &web_sys::Element) {
    let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() else {
        return;
    };
    let value = select.value();
    if value == "empty" {
        studio.open(
            tiermap_core::Design::empty("stack"),
            "Started an empty design.".into(),
        );
    } else if let Some(t) = tiermap_core::templates::find(&value) {
        studio.open_template(t);
    }
    select.set_value("");
}

fn import_picked(studio: Studio, el: &web_sys::Element) {
    let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() else {
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
}

fn download(studio: Studio) {
    let (name, text) = studio
        .history
        .with(|h| (h.current().model().stack.clone(), h.current().export()));
    browser::download(&format!("{name}.yml"), "application/yaml", &text);
}

/// The review's report, as printable HTML or as Markdown for the minutes.
fn download_report(studio: Studio, markdown: bool) {
    let svg = super::diagram::current_drawing(studio).to_string();
    let text = studio.analysis.with_untracked(|analysis| {
        studio.changes.with_untracked(|changes| {
            studio.history.with_untracked(|h| {
                let review = Review {
                    model: h.current().model(),
                    analysis,
                    changes: changes.as_ref(),
                    svg: &svg,
                };
                let name = format!("{}-review", h.current().model().stack);
                if markdown {
                    (name + ".md", "text/markdown", review::markdown(&review))
                } else {
                    (name + ".html", "text/html", review::html(&review))
                }
            })
        })
    });
    browser::download(&text.0, text.1, &text.2);
}

fn copy(studio: Studio) {
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
}

/// The paste box: written once and shown or hidden, so what the person typed stays
/// there when it is closed and opened again.
const PASTE_HTML: &str = "<div class=\"paste\" id=\"paste\" role=\"dialog\" aria-label=\"Paste YAML\" hidden>\
<textarea aria-label=\"YAML to import\" rows=\"14\" spellcheck=\"false\"></textarea>\
<p class=\"error\" role=\"alert\" hidden></p>\
<div class=\"row\"><button class=\"primary\" data-act=\"paste-import\">Import pasted YAML</button><button data-act=\"paste-save\">Download this text</button><button data-act=\"paste\">Close</button></div></div>";

/// Paste YAML to import it; a failed import's text and error come back here.
fn paste_box(studio: Studio, open: RwSignal<bool>) {
    Effect::new(move |_| {
        if studio.failed.with(Option::is_some) {
            open.set(true);
        }
    });
    Effect::new(move |_| {
        let open = open.get();
        if let Some(el) = document().get_element_by_id("paste") {
            let _ = el.toggle_attribute_with_force("hidden", !open);
        }
    });
    Effect::new(move |_| {
        let Some(failed) = studio.failed.get() else {
            return;
        };
        let Some(paste) = document().get_element_by_id("paste") else {
            return;
        };
        if let Some(area) = paste
            .query_selector("textarea")
            .ok()
            .flatten()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            area.set_value(&failed.text);
        }
        if let Some(error) = paste.query_selector("p").ok().flatten() {
            error.set_text_content(Some(&failed.message));
            let _ = error.toggle_attribute_with_force("hidden", failed.message.is_empty());
        }
    });
}

/// The text in the paste box.
fn pasted() -> String {
    document()
        .query_selector("#paste textarea")
        .ok()
        .flatten()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default()
}
