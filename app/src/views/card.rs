//! A service card on the board: its name, image and replicas, published ports, worst
//! finding, the other tiers it is attached to (each with a detach button), and its
//! `⋯` menu, which moves or attaches it from the keyboard.

use std::collections::HashMap;

use leptos::prelude::*;
use tiermap_core::findings::Severity;
use tiermap_core::model::Service;
use tiermap_core::role::{self, Role};
use wasm_bindgen::JsCast;

use super::keyed::{Names, Rows};
use crate::browser;
use crate::studio::{Selection, Studio};

/// The drag payload type for a card (files dropped on the page carry none).
pub const CARD_TYPE: &str = "application/x-tiermap-service";

/// What a card shows of its service.
#[derive(Debug, Clone, PartialEq, Default)]
struct Facts {
    /// Image name and replica count.
    meta: String,
    /// "published 80, 443 host", or empty.
    ports: String,
    /// Whether it is an edge proxy.
    proxy: bool,
    /// The tiers it is attached to besides its home.
    chips: Vec<String>,
    /// The severity of its worst open finding.
    worst: Option<&'static str>,
}

impl Facts {
    /// What the card of `s` shows, `worst` being its worst open finding.
    fn of(s: &Service, worst: Option<Severity>) -> Facts {
        let image = s
            .image
            .as_deref()
            .map(role::image_name)
            .unwrap_or("no image");
        let replicas = s
            .replicas()
            .map_or_else(|| "global".to_string(), |n| format!("×{n}"));
        let ports = tiermap_core::port_range::published_list(&s.ports, "*");
        Facts {
            meta: format!("{image} {replicas}"),
            ports: if ports.is_empty() {
                String::new()
            } else {
                format!("published {ports}")
            },
            proxy: matches!(s.role, Role::EdgeProxy(_)),
            chips: s
                .networks
                .iter()
                .filter(|t| Some(&t.tier) != s.home.as_ref())
                .map(|t| t.tier.clone())
                .collect(),
            worst: worst.map(Severity::as_str),
        }
    }
}

/// What the cards read besides their own service, provided by the board.
#[derive(Clone, Copy)]
pub struct Cards {
    /// What each card shows, by service: an edit wakes only the cards it changed.
    facts: Rows<String, Facts>,
    /// The service whose card menu is open.
    menu: RwSignal<Option<String>>,
    /// Whether a card's menu is open, waking only the cards it concerns.
    open: StoredValue<Selector<Option<String>>>,
}

impl Cards {
    /// The cards of the open design, with their worst open findings.
    pub fn new(studio: Studio) -> Cards {
        let menu = RwSignal::new(None);
        let facts = Rows::new(move |_| {
            studio.analysis.with(|a| {
                let mut worst: HashMap<&str, Severity> = HashMap::new();
                for f in a.open_findings() {
                    if let Some(s) = &f.service {
                        let entry = worst.entry(s.as_str()).or_insert(f.severity);
                        *entry = (*entry).max(f.severity);
                    }
                }
                studio.model(|m| {
                    let facts = m.services.iter().map(|s| {
                        let worst = worst.get(s.name.as_str()).copied();
                        (s.name.clone(), Facts::of(s, worst))
                    });
                    facts.collect()
                })
            })
        });
        Cards {
            facts,
            menu,
            open: StoredValue::new(Selector::new(move || menu.get())),
        }
    }

    /// Whether `service`'s menu is open (tracked through the selector).
    fn is_open(&self, service: &str) -> bool {
        self.open
            .try_with_value(|s| s.selected(&Some(service.to_string())))
            .unwrap_or(false)
    }
}

/// Moves (or with `attach`, attaches) a service and records how long the view took.
pub fn place(studio: Studio, service: String, tier: String, attach: bool) {
    let start = browser::now();
    // The focused button (the card's, pressed to drag it, or its menu's) goes with the
    // card; losing focus mid-update makes Chrome restyle and lay out the page at once.
    if let Some(focused) = document()
        .active_element()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = focused.blur();
    }
    studio.edit(|d| {
        if attach {
            d.attach(&service, &tier)
        } else {
            d.move_to(&service, &tier)
        }
    });
    browser::publish_update_time(start);
}

/// One service's card, draggable onto another tier.
#[component]
pub fn Card(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let cards = expect_context::<Cards>();
    let facts = cards.facts.value(name.clone());
    let open = {
        let name = name.clone();
        move || cards.is_open(&name)
    };
    let selection = Selection::Service(name.clone());
    let selected = {
        let selection = selection.clone();
        move || studio.is_selected(selection.clone())
    };
    let dragstart = {
        let name = name.clone();
        move |ev: web_sys::DragEvent| {
            if let Some(dt) = ev.data_transfer() {
                let _ = dt.set_data(CARD_TYPE, &name);
                let _ = dt.set_data("text/plain", &name);
                dt.set_effect_allowed("copyMove");
            }
        }
    };
    let toggle_menu = {
        let name = name.clone();
        move |_| {
            cards.menu.update(|m| {
                *m = if m.as_deref() == Some(name.as_str()) {
                    None
                } else {
                    Some(name.clone())
                }
            })
        }
    };
    let ports = move || {
        facts.with(|f| {
            (!f.ports.is_empty())
                .then(|| view! { <span class="card-ports">{f.ports.clone()}</span> })
        })
    };
    let badge = move || {
        facts.with(|f| f.worst).map(|w| {
            view! { <span class=format!("badge {w}") title=format!("worst finding: {w}")>{w}</span> }
        })
    };
    let chip = {
        let name = name.clone();
        move |tier: String| {
            let label = format!("Detach {name} from {tier}");
            let (service, detach) = (name.clone(), tier.clone());
            view! {
                <span class="chip">
                    {tier}
                    <button
                        class="chip-x"
                        aria-label=label
                        on:click=move |_| {
                            studio.edit(|d| d.detach(&service, &detach));
                        }
                    >
                        "×"
                    </button>
                </span>
            }
        }
    };
    let menu = {
        let (name, open) = (name.clone(), open.clone());
        move || open().then(|| view! { <CardMenu name=name.clone()/> })
    };
    view! {
        <div
            class="card"
            class:selected=selected
            class:proxy=move || facts.with(|f| f.proxy)
            role="group"
            aria-label=format!("Service {name}")
            draggable="true"
            on:dragstart=dragstart
        >
            <button class="card-main" on:click=move |_| studio.select(Some(selection.clone()))>
                <span class="card-name">{name.clone()}</span>
                <span class="card-meta">{move || facts.with(|f| f.meta.clone())}</span>
                {ports}
            </button>
            {badge}
            <button
                class="card-menu-button"
                aria-label=format!("Menu for {name}")
                aria-expanded=move || open().to_string()
                on:click=toggle_menu
            >
                "⋯"
            </button>
            <div class="chips">
                <Names
                    each=Signal::derive(move || facts.with(|f| f.chips.clone()))
                    row=Callback::new(move |tier| chip(tier).into_any())
                />
            </div>
            {menu}
        </div>
    }
}

/// The card's menu: move here or attach, for every tier.
#[component]
fn CardMenu(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let cards = expect_context::<Cards>();
    let row = {
        let name = name.clone();
        move |tier: String| {
            let attached = {
                let (name, tier) = (name.clone(), tier.clone());
                move || studio.model(|m| m.service(&name).is_some_and(|s| s.on(&tier)))
            };
            let go = |attach: bool| {
                let (name, tier) = (name.clone(), tier.clone());
                move |_| {
                    cards.menu.set(None);
                    place(studio, name.clone(), tier.clone(), attach);
                }
            };
            view! {
                <div class="menu-row">
                    <span>{tier.clone()}</span>
                    <button role="menuitem" aria-label=format!("Move {name} to {tier}") on:click=go(false)>
                        "Move here"
                    </button>
                    <button
                        role="menuitem"
                        aria-label=format!("Attach {name} to {tier}")
                        disabled=attached
                        on:click=go(true)
                    >
                        "Attach"
                    </button>
                </div>
            }
        }
    };
    view! {
        <div class="card-menu" role="menu" aria-label=format!("Actions for {name}")>
            <Names each=studio.tier_keys.into() row=Callback::new(move |tier| row(tier).into_any())/>
        </div>
    }
}
