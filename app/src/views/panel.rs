//! The side panel: the selected service or tier, to edit, or a hint when nothing is
//! selected. The panel is made again only when the selection changes: an edit updates
//! the fields it changed, so the field the person tabbed to keeps its focus.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use tiermap_core::findings::FixAction;

use super::service::ServicePanel;
use crate::studio::{Selection, Studio};

/// What the panel shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Hint,
    Service(String),
    Tier(String),
}

/// The panel for whatever is selected.
#[component]
pub fn Panel() -> impl IntoView {
    let studio = expect_context::<Studio>();
    // A deleted or renamed selection falls back to the hint.
    let shown = Memo::new(move |_| match studio.selected.get() {
        Some(Selection::Service(name)) if studio.model(|m| m.service(&name).is_some()) => {
            Shown::Service(name)
        }
        Some(Selection::Tier(key)) if studio.model(|m| m.tier(&key).is_some()) => Shown::Tier(key),
        _ => Shown::Hint,
    });
    view! {
        <aside class="panel" aria-label="Details" id="panel">
            {move || match shown.get() {
                Shown::Service(name) => EitherOf3::A(view! { <ServicePanel name/> }),
                Shown::Tier(key) => EitherOf3::B(view! { <TierPanel key/> }),
                Shown::Hint => EitherOf3::C(view! { <Hint/> }),
            }}
        </aside>
    }
}

#[component]
fn Hint() -> impl IntoView {
    view! {
        <h2>"Details"</h2>
        <p class="hint">
            "Select a service card or a tier to edit it. Drag a card onto another tier to move it; hold Alt or Shift while dropping to attach it to that tier as well."
        </p>
    }
}

/// What the tier panel lists about a tier.
#[derive(Debug, Clone, PartialEq, Default)]
struct TierFacts {
    driver: String,
    swarm_name: String,
    encrypted: bool,
    attachable: bool,
    internal: bool,
    services: usize,
}

fn yes(on: bool) -> &'static str {
    if on {
        "yes"
    } else {
        "no"
    }
}

/// The selected tier: rename it, read its facts, encrypt or delete it.
#[component]
fn TierPanel(key: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let facts = Memo::new({
        let key = key.clone();
        move |_| {
            studio.model(|m| {
                let Some(t) = m.tier(&key) else {
                    return TierFacts::default();
                };
                TierFacts {
                    driver: t.driver.clone().unwrap_or_else(|| "overlay".into()),
                    swarm_name: t.swarm_name(&m.stack),
                    encrypted: t.encryption.is_effective(),
                    attachable: t.attachable,
                    internal: t.internal,
                    services: m.services.iter().filter(|s| s.on(&t.key)).count(),
                }
            })
        }
    });
    let fact = move |read: fn(&TierFacts) -> String| move || facts.with(read);
    let rename = {
        let key = key.clone();
        move |ev: leptos::ev::Targeted<web_sys::Event, web_sys::HtmlInputElement>| {
            let new = ev.target().value().trim().to_string();
            if new != key && studio.edit(|d| d.rename_tier(&key, &new)) {
                studio.select(Some(Selection::Tier(new)));
            }
        }
    };
    let encrypt = {
        let tier = key.clone();
        move |_| {
            let action = FixAction::EncryptTier { tier: tier.clone() };
            studio.edit(|d| d.apply(&action));
        }
    };
    let remove = {
        let key = key.clone();
        move |_| {
            if studio.edit(|d| d.remove_tier(&key)) {
                studio.select(None);
            }
        }
    };
    view! {
        <h2>"Tier " {key.clone()}</h2>
        <label class="field">
            <span>"Name"</span>
            <input aria-label="Tier name" prop:value=key.clone() on:change:target=rename/>
        </label>
        <dl class="facts">
            <dt>"Driver"</dt>
            <dd>{fact(|f| f.driver.clone())}</dd>
            <dt>"On the swarm"</dt>
            <dd>{fact(|f| f.swarm_name.clone())}</dd>
            <dt>"Encrypted"</dt>
            <dd>{fact(|f| if f.encrypted { "yes (IPsec)".into() } else { "no".into() })}</dd>
            <dt>"Attachable"</dt>
            <dd>{fact(|f| yes(f.attachable).into())}</dd>
            <dt>"Internal"</dt>
            <dd>{fact(|f| yes(f.internal).into())}</dd>
            <dt>"Services"</dt>
            <dd>{fact(|f| f.services.to_string())}</dd>
        </dl>
        <button on:click=encrypt>"Encrypt this tier"</button>
        <button class="danger" on:click=remove>"Delete tier " {key}</button>
    }
}
