//! The forms under the board that add a tier and a service. A name core refuses stays in
//! its field, with the reason in the message above the board, to be corrected.

use leptos::html;
use leptos::prelude::*;

use super::keyed::Names;
use crate::studio::{Selection, Studio};

/// The trimmed text of an input.
fn text(input: NodeRef<html::Input>) -> String {
    input
        .get_untracked()
        .map(|i| i.value().trim().to_string())
        .unwrap_or_default()
}

/// Empties inputs after their values were used.
fn clear(inputs: &[NodeRef<html::Input>]) {
    for input in inputs.iter().filter_map(NodeRef::get_untracked) {
        input.set_value("");
    }
}

/// A choice in a `<select>`, shown as it is named.
pub fn option(value: String) -> AnyView {
    let text = value.clone();
    view! { <option value=value>{text}</option> }.into_any()
}

/// Add a tier, add a service (to the tier chosen, which stays chosen while it exists).
#[component]
pub fn AddForms() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let tiers = studio.tier_keys;
    let tier = NodeRef::<html::Input>::new();
    let service = NodeRef::<html::Input>::new();
    let image = NodeRef::<html::Input>::new();
    let home = NodeRef::<html::Select>::new();
    let add_tier = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let key = text(tier);
        if studio.edit(|d| d.add_tier(&key)) {
            clear(&[tier]);
        }
    };
    let add_service = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let name = text(service);
        let image_name = match text(image) {
            typed if typed.is_empty() => format!("{name}:latest"),
            typed => typed,
        };
        let chosen = home.get_untracked().map(|s| s.value()).unwrap_or_default();
        let tier = if chosen.is_empty() {
            tiers
                .with_untracked(|t| t.first().cloned())
                .unwrap_or_else(|| "default".into())
        } else {
            chosen
        };
        if studio.edit(|d| d.add_service(&name, &image_name, &tier)) {
            clear(&[service, image]);
            studio.select(Some(Selection::Service(name)));
        }
    };
    view! {
        <div class="add-forms">
            <form aria-label="Add tier" on:submit=add_tier>
                <input node_ref=tier aria-label="New tier name" placeholder="new tier, e.g. web_tier"/>
                <button type="submit">"Add tier"</button>
            </form>
            <form aria-label="Add service" on:submit=add_service>
                <input node_ref=service aria-label="New service name" placeholder="new service"/>
                <input node_ref=image aria-label="New service image" placeholder="image"/>
                <select node_ref=home aria-label="Tier for the new service">
                    <Names each=tiers.into() row=Callback::new(option)/>
                </select>
                <button type="submit">"Add service"</button>
            </form>
        </div>
    }
}
