//! Event delegation. Lists are written as HTML strings, so one listener per list routes
//! a click by the `data-*` attributes of the element it hit (or of an ancestor).

use wasm_bindgen::JsCast;

use crate::studio::{Selection, Studio};

/// The element an event happened on.
pub fn element(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}

/// The value of `data-<name>` on the element or its nearest ancestor that has it.
pub fn data(el: &web_sys::Element, name: &str) -> Option<String> {
    let attribute = format!("data-{name}");
    el.closest(&format!("[{attribute}]"))
        .ok()
        .flatten()?
        .get_attribute(&attribute)
}

/// Selects the service or tier the element names (`data-service`, `data-tier`);
/// false when it names neither.
pub fn select_from(studio: Studio, el: &web_sys::Element) -> bool {
    if let Some(service) = data(el, "service") {
        studio.select(Some(Selection::Service(service)));
    } else if let Some(tier) = data(el, "tier") {
        studio.select(Some(Selection::Tier(tier)));
    } else {
        return false;
    }
    true
}

/// The value of an input or select.
pub fn value(el: &web_sys::Element) -> String {
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        return input.value();
    }
    el.dyn_ref::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The control named `name` inside `form`.
pub fn control(form: &web_sys::Element, name: &str) -> Option<web_sys::Element> {
    form.query_selector(&format!("[name=\"{name}\"]"))
        .ok()
        .flatten()
}

/// The value of the control named `name` inside `form`, trimmed.
pub fn named(form: &web_sys::Element, name: &str) -> String {
    control(form, name)
        .map(|el| value(&el).trim().to_string())
        .unwrap_or_default()
}
