//! The reason a field refused what was typed, shown beside it. The text stays in the
//! field to be corrected, and the design is left as it was.

use leptos::prelude::*;

/// The refusal message of one field, if any.
#[component]
pub fn Refusal(reason: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        reason
            .get()
            .map(|text| view! { <span class="refused" role="alert">{text}</span> })
    }
}
