//! Tier boxes holding service cards. Drag a card onto a tier to move it there (hold
//! Alt or Shift to attach it to that tier as well); every card also has a menu that
//! does the same from the keyboard.
//!
//! Each box and card is a component keyed by its tier or service: an edit updates the
//! few texts and classes it changed, and a box or field keeps its node (and its focus).

use leptos::prelude::*;
use tiermap_core::model::Tier;

use super::card::{place, Card, Cards, CARD_TYPE};
use super::forms::AddForms;
use super::keyed::Names;
use crate::studio::{Selection, Studio};

/// The board: every tier with its cards, and the forms that add tiers and services.
#[component]
pub fn Board() -> impl IntoView {
    let studio = expect_context::<Studio>();
    provide_context(Cards::new(studio));
    let loose = Memo::new(move |_| {
        studio.model(|m| {
            let loose = m.services.iter().filter(|s| s.home.is_none());
            loose.map(|s| s.name.clone()).collect::<Vec<_>>()
        })
    });
    let empty = Memo::new(move |_| studio.model(|m| m.tiers.is_empty() && m.services.is_empty()));
    view! {
        <section class="board" aria-label="Tiers">
            <div class="tiers" id="tier-boxes">
                <Names
                    each=studio.tier_keys.into()
                    row=Callback::new(|key| view! { <TierBox key/> }.into_any())
                />
                <Show when=move || !loose.with(Vec::is_empty)>
                    <div class="loose" role="region" aria-label="Services on no tier">
                        <h3>"On no overlay (host network or none)"</h3>
                        <div class="cards">
                            <Names each=loose.into() row=Callback::new(card)/>
                        </div>
                    </div>
                </Show>
                <Show when=move || empty.get()>
                    <p class="empty">
                        "No tiers yet. Add a tier, then add services to it — or open a template or import a compose file."
                    </p>
                </Show>
            </div>
            <AddForms/>
        </section>
    }
}

/// A card, as a row of a list of names.
fn card(name: String) -> AnyView {
    view! { <Card name/> }.into_any()
}

/// The flags a tier box shows beside its name.
fn flags(t: &Tier) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if t.encryption.is_effective() {
        flags.push("encrypted");
    }
    if t.internal {
        flags.push("internal");
    }
    if t.external {
        flags.push("external");
    }
    if t.attachable {
        flags.push("attachable");
    }
    if !t.declared {
        flags.push(if t.key == "default" {
            "implicit"
        } else {
            "undefined"
        });
    }
    flags
}

/// One tier: its name, flags and the cards whose home it is; a drop target for cards.
#[component]
fn TierBox(key: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let flags = Memo::new({
        let key = key.clone();
        move |_| studio.model(|m| m.tier(&key).map(flags).unwrap_or_default())
    });
    let cards = Memo::new({
        let key = key.clone();
        move |_| {
            studio.model(|m| {
                let home = m
                    .services
                    .iter()
                    .filter(|s| s.home.as_deref() == Some(&key));
                home.map(|s| s.name.clone()).collect::<Vec<_>>()
            })
        }
    });
    let over = RwSignal::new(false);
    let selection = Selection::Tier(key.clone());
    let selected = {
        let selection = selection.clone();
        move || studio.is_selected(selection.clone())
    };
    let dragover = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        if !over.get_untracked() {
            over.set(true);
        }
    };
    let drop = {
        let key = key.clone();
        move |ev: web_sys::DragEvent| {
            over.set(false);
            let service = ev
                .data_transfer()
                .and_then(|dt| dt.get_data(CARD_TYPE).ok())
                .filter(|s| !s.is_empty());
            let Some(service) = service else {
                return;
            };
            ev.prevent_default();
            ev.stop_propagation();
            let attach = ev.alt_key() || ev.shift_key() || ev.ctrl_key() || ev.meta_key();
            place(studio, service, key.clone(), attach);
        }
    };
    view! {
        <div
            class="tier"
            class:selected=selected
            class:over=move || over.get()
            role="region"
            aria-label=format!("Tier {key}")
            on:dragover=dragover
            on:dragleave=move |_| over.set(false)
            on:drop=drop
        >
            <button class="tier-title" on:click=move |_| studio.select(Some(selection.clone()))>
                <span class="tier-name">{key.clone()}</span>
                {move || {
                    flags
                        .get()
                        .into_iter()
                        .map(|flag| view! { <span class=format!("flag {flag}")>{flag}</span> })
                        .collect_view()
                }}
            </button>
            <div class="cards">
                <Names each=cards.into() row=Callback::new(card)/>
            </div>
        </div>
    }
}
