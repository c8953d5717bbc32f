//! The last message: what happened, or what went wrong and what to do.

use leptos::prelude::*;
use tiermap_core::diagram::escape;

use super::rows;
use crate::studio::Studio;

/// The last message, dismissable.
#[component]
pub fn Notices() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let rows = Box::new(move || {
        studio.notice.with(|n| {
            n.iter()
                .map(|n| {
                    let (class, role) = if n.error {
                        ("error", "alert")
                    } else {
                        ("ok", "status")
                    };
                    format!(
                        "<div class=\"notice {class}\" role=\"{role}\"><span>{}</span><button class=\"quiet\" aria-label=\"Dismiss message\">×</button></div>",
                        escape(&n.text)
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    rows::keep("notices", rows);
    // The only button in a notice dismisses it.
    let on_click = move |ev: web_sys::MouseEvent| {
        if super::delegate::element(&ev).is_some_and(|el| el.tag_name() == "BUTTON") {
            studio.notice.set(None);
        }
    };
    view! { <div class="notices" id="notices" on:click=on_click></div> }
}
