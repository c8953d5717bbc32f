//! The last message: what happened, or what went wrong and what to do.

use leptos::prelude::*;

use crate::studio::Studio;

/// The last message, dismissable.
#[component]
pub fn Notices() -> impl IntoView {
    let studio = expect_context::<Studio>();
    view! {
        <div class="notices" id="notices">
            {move || {
                studio
                    .notice
                    .get()
                    .map(|n| {
                        let (class, role) = if n.error {
                            ("notice error", "alert")
                        } else {
                            ("notice ok", "status")
                        };
                        view! {
                            <div class=class role=role>
                                <span>{n.text}</span>
                                <button
                                    class="quiet"
                                    aria-label="Dismiss message"
                                    on:click=move |_| studio.notice.set(None)
                                >
                                    "×"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
