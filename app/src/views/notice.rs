//! Messages, and the text of a failed import kept for the person to fix.

use leptos::prelude::*;

use crate::studio::Studio;

/// The last message, and the kept text of a failed import.
#[component]
pub fn Notices() -> impl IntoView {
    let studio = expect_context::<Studio>();
    view! {
        {move || studio.notice.get().map(|n| {
            let class = if n.error { "notice error" } else { "notice ok" };
            let role = if n.error { "alert" } else { "status" };
            view! {
                <div class=class role=role>
                    <span>{n.text}</span>
                    <button class="quiet" aria-label="Dismiss message" on:click=move |_| studio.notice.set(None)>"×"</button>
                </div>
            }
        })}
    }
}
