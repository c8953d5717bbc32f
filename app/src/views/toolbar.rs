//! The top bar: templates, import, undo and redo, the review's baseline, share link and
//! presentation, and the downloads (stack file, report).

use leptos::prelude::*;
use tiermap_core::review::{self, Review};
use tiermap_core::templates::{self, TEMPLATES};
use tiermap_core::Design;

use super::import::{ImportFile, PasteBox};
use crate::browser;
use crate::studio::{Notice, Studio};

/// What a button of the bar does.
#[derive(Debug, Clone, Copy)]
enum Press {
    Paste,
    Undo,
    Redo,
    Baseline,
    Share,
    Present,
    Download,
    Copy,
    Report,
    Minutes,
}

/// The top bar.
#[component]
pub fn Toolbar() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let paste_open = RwSignal::new(false);
    let stack = Memo::new(move |_| studio.model(|m| m.stack.clone()));
    let can_undo = Memo::new(move |_| studio.history.with(|h| h.can_undo()));
    let can_redo = Memo::new(move |_| studio.history.with(|h| h.can_redo()));
    // One handler for every button (a handler per button is code per button).
    let press = move |what: Press| {
        move |_: web_sys::MouseEvent| match what {
            Press::Paste => paste_open.update(|o| *o = !*o),
            Press::Undo => studio.undo(),
            Press::Redo => studio.redo(),
            Press::Baseline => studio.set_baseline(),
            Press::Share => studio.share(),
            Press::Present => studio.present(true),
            Press::Download => download(studio),
            Press::Copy => copy(studio),
            Press::Report => download_report(studio, false),
            Press::Minutes => download_report(studio, true),
        }
    };
    let share_url = move || {
        studio.share_url.get().map(|url| {
            view! { <input class="share-url" readonly aria-label="Share link URL" prop:value=url/> }
        })
    };
    view! {
        <header class="toolbar">
            <h1 class="brand">"tiermap"</h1>
            <span class="stack" title="Stack name">{stack}</span>
            <TemplateChooser/>
            <ImportFile/>
            <button aria-expanded=move || paste_open.get().to_string() on:click=press(Press::Paste)>
                "Paste YAML"
            </button>
            <span class="spacer"></span>
            <button title="Ctrl+Z" disabled=move || !can_undo.get() on:click=press(Press::Undo)>"Undo"</button>
            <button title="Ctrl+Shift+Z" disabled=move || !can_redo.get() on:click=press(Press::Redo)>"Redo"</button>
            <button title="Compare what changes from here" on:click=press(Press::Baseline)>"Set baseline"</button>
            <button on:click=press(Press::Share)>"Share link"</button>
            <button
                title="Full screen for the review; arrows step through findings, Escape ends"
                on:click=press(Press::Present)
            >
                "Present"
            </button>
            {share_url}
            <button class="primary" on:click=press(Press::Download)>"Download stack file"</button>
            <button aria-label="Copy YAML" title="Copy the stack file to the clipboard" on:click=press(Press::Copy)>
                "Copy"
            </button>
            <button
                title="HTML that prints well: diagram, surface, comparison, reachability, findings, decisions"
                on:click=press(Press::Report)
            >
                "Download report"
            </button>
            <button
                aria-label="Download report as Markdown"
                title="The report as Markdown, for the minutes"
                on:click=press(Press::Minutes)
            >
                ".md"
            </button>
            <PasteBox open=paste_open/>
        </header>
    }
}

/// The template chooser: an empty design or any built-in template. It goes back to its
/// prompt once one is opened, so the same one can be opened again.
#[component]
fn TemplateChooser() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let chosen = move |ev: leptos::ev::Targeted<web_sys::Event, web_sys::HtmlSelectElement>| {
        let select = ev.target();
        let value = select.value();
        if value == "empty" {
            studio.open(Design::empty("stack"), "Started an empty design.".into());
        } else if let Some(t) = templates::find(&value) {
            studio.open_template(t);
        }
        select.set_value("");
    };
    let options = TEMPLATES
        .iter()
        .map(|t| view! { <option value=t.name>{t.title}</option> })
        .collect_view();
    view! {
        <label class="field">
            <span class="sr-only">"Template"</span>
            <select aria-label="Template" on:change:target=chosen>
                <option value="" selected>"Template…"</option>
                <option value="empty">"Empty design"</option>
                {options}
            </select>
        </label>
    }
}

fn download(studio: Studio) {
    let (name, text) = studio
        .history
        .with_untracked(|h| (h.current().model().stack.clone(), h.current().export()));
    browser::download(&format!("{name}.yml"), "application/yaml", &text);
}

/// The review's report, as printable HTML or as Markdown for the minutes.
fn download_report(studio: Studio, markdown: bool) {
    let svg = studio.drawing.with_untracked(ToString::to_string);
    let (name, mime, text) = studio.analysis.with_untracked(|analysis| {
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
    browser::download(&name, mime, &text);
}

fn copy(studio: Studio) {
    let text = studio.history.with_untracked(|h| h.current().export());
    browser::copy(text, move |ok| {
        studio.notice.set(if ok {
            Notice::ok("Stack file copied to the clipboard.")
        } else {
            Notice::error("The browser did not allow copying; use Download instead.")
        });
    });
}
