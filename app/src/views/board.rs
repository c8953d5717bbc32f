//! Tier boxes holding service cards. Drag a card onto a tier to move it there (hold
//! Alt or Shift to attach it to that tier as well); every card also has a menu that
//! does the same from the keyboard.

use leptos::prelude::*;
use tiermap_core::findings::Severity;
use tiermap_core::model::Model;
use tiermap_core::role::{self, Role};

use crate::browser;
use crate::studio::{Selection, Studio};

/// What a card shows; a changed card is drawn again, an unchanged one is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CardView {
    name: String,
    image: String,
    replicas: String,
    extra_tiers: Vec<String>,
    ports: String,
    proxy: bool,
    worst: Option<Severity>,
    selected: bool,
}

/// What a tier box shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TierView {
    key: String,
    flags: Vec<&'static str>,
    selected: bool,
    cards: Vec<CardView>,
}

fn board(
    model: &Model,
    analysis: &tiermap_core::Analysis,
    selected: &Option<Selection>,
) -> (Vec<TierView>, Vec<CardView>) {
    let card = |s: &tiermap_core::model::Service| {
        let worst = analysis
            .findings
            .iter()
            .filter(|f| f.service.as_deref() == Some(&s.name) && f.accepted.is_none())
            .map(|f| f.severity)
            .max();
        let ports: Vec<String> = s
            .ports
            .iter()
            .map(|p| {
                format!(
                    "{}{}",
                    p.published
                        .map_or_else(|| "*".to_string(), |n| n.to_string()),
                    if p.mode == tiermap_core::model::PublishMode::Host {
                        " host"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        CardView {
            name: s.name.clone(),
            image: s
                .image
                .as_deref()
                .map(role::image_name)
                .unwrap_or("no image")
                .to_string(),
            replicas: s
                .replicas()
                .map_or_else(|| "global".to_string(), |n| format!("×{n}")),
            extra_tiers: s
                .networks
                .iter()
                .map(|a| a.tier.clone())
                .filter(|t| Some(t) != s.home.as_ref())
                .collect(),
            ports: ports.join(", "),
            proxy: matches!(s.role, Role::EdgeProxy(_)),
            worst,
            selected: *selected == Some(Selection::Service(s.name.clone())),
        }
    };
    let tiers = model
        .tiers
        .iter()
        .map(|t| {
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
            TierView {
                key: t.key.clone(),
                flags,
                selected: *selected == Some(Selection::Tier(t.key.clone())),
                cards: model
                    .services
                    .iter()
                    .filter(|s| s.home.as_deref() == Some(t.key.as_str()))
                    .map(card)
                    .collect(),
            }
        })
        .collect();
    let loose = model
        .services
        .iter()
        .filter(|s| s.home.is_none())
        .map(card)
        .collect();
    (tiers, loose)
}

/// The board: every tier with its cards, and the forms that add tiers and services.
#[component]
pub fn Board() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let data = Memo::new(move |_| {
        let selected = studio.selected.get();
        let analysis = studio.analysis.get();
        studio
            .history
            .with(|h| board(h.current().model(), &analysis, &selected))
    });
    let tier_keys = Memo::new(move |_| {
        data.with(|(tiers, _)| tiers.iter().map(|t| t.key.clone()).collect::<Vec<_>>())
    });
    view! {
        <section class="board" aria-label="Tiers">
            <div class="tiers">
                <For each=move || data.get().0 key=|tier| tier.clone() let:tier>
                    <TierBox tier=tier tiers=tier_keys/>
                </For>
                <Show when=move || data.with(|(tiers, loose)| tiers.is_empty() && loose.is_empty())>
                    <p class="empty">"No tiers yet. Add a tier, then add services to it — or open a template or import a compose file."</p>
                </Show>
            </div>
            <Show when=move || data.with(|(_, loose)| !loose.is_empty())>
                <div class="loose" role="region" aria-label="Services on no tier">
                    <h3>"On no overlay (host network or none)"</h3>
                    <div class="cards">
                        {move || data.get().1.into_iter().map(|card| view! { <Card card=card tiers=tier_keys/> }).collect_view()}
                    </div>
                </div>
            </Show>
            <AddForms tiers=tier_keys/>
        </section>
    }
}

#[component]
fn TierBox(tier: TierView, tiers: Memo<Vec<String>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let key = tier.key.clone();
    let drop_key = key.clone();
    let over = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        over.set(false);
        let Some(service) = ev
            .data_transfer()
            .and_then(|dt| dt.get_data("application/x-tiermap-service").ok())
            .filter(|s| !s.is_empty())
        else {
            return;
        };
        ev.prevent_default();
        ev.stop_propagation();
        let start = browser::now();
        let attach = ev.alt_key() || ev.shift_key() || ev.ctrl_key() || ev.meta_key();
        let tier = drop_key.clone();
        studio.edit(|d| {
            if attach {
                d.attach(&service, &tier)
            } else {
                d.move_to(&service, &tier)
            }
        });
        browser::publish_update_time(start);
    };
    let select_key = key.clone();
    let class = if tier.selected {
        "tier selected"
    } else {
        "tier"
    };
    view! {
        <div
            class=class
            class:over=move || over.get()
            role="region"
            aria-label=format!("Tier {key}")
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop
        >
            <button class="tier-title" on:click=move |_| studio.select(Some(Selection::Tier(select_key.clone())))>
                <span class="tier-name">{key.clone()}</span>
                {tier.flags.iter().map(|f| view! { <span class=format!("flag {f}")>{*f}</span> }).collect_view()}
            </button>
            <div class="cards">
                {tier.cards.into_iter().map(|card| view! { <Card card=card tiers=tiers/> }).collect_view()}
            </div>
        </div>
    }
}

#[component]
fn Card(card: CardView, tiers: Memo<Vec<String>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let name = card.name.clone();
    let menu_open = RwSignal::new(false);
    let drag_name = name.clone();
    let select_name = name.clone();
    let badge = card.worst.map(|s| view! { <span class=format!("badge {}", s.as_str()) title=format!("worst finding: {}", s.as_str())>{s.as_str()}</span> });
    let mut class = String::from("card");
    if card.selected {
        class.push_str(" selected");
    }
    if card.proxy {
        class.push_str(" proxy");
    }
    let chips_name = name.clone();
    let menu_name = name.clone();
    view! {
        <div
            class=class
            role="group"
            aria-label=format!("Service {name}")
            draggable="true"
            on:dragstart=move |ev: web_sys::DragEvent| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("application/x-tiermap-service", &drag_name);
                    let _ = dt.set_data("text/plain", &drag_name);
                    dt.set_effect_allowed("copyMove");
                }
            }
        >
            <button class="card-main" on:click=move |_| studio.select(Some(Selection::Service(select_name.clone())))>
                <span class="card-name">{name.clone()}</span>
                <span class="card-meta">{format!("{} {}", card.image, card.replicas)}</span>
                {(!card.ports.is_empty()).then(|| view! { <span class="card-ports">{format!("published {}", card.ports)}</span> })}
            </button>
            {badge}
            <button class="card-menu-button" aria-label=format!("Menu for {name}") aria-expanded=move || menu_open.get().to_string() on:click=move |_| menu_open.update(|o| *o = !*o)>"⋯"</button>
            <div class="chips">
                {card.extra_tiers.into_iter().map(|t| {
                    let (service, tier) = (chips_name.clone(), t.clone());
                    view! {
                        <span class="chip">
                            {t.clone()}
                            <button class="chip-x" aria-label=format!("Detach {service} from {tier}") on:click=move |_| {
                                let (s, t) = (service.clone(), tier.clone());
                                studio.edit(|d| d.detach(&s, &t));
                            }>"×"</button>
                        </span>
                    }
                }).collect_view()}
            </div>
            <Show when=move || menu_open.get()>
                <CardMenu service=menu_name.clone() tiers=tiers close=move || menu_open.set(false)/>
            </Show>
        </div>
    }
}

/// The keyboard (and touch) way to do what dragging does.
#[component]
fn CardMenu(
    service: String,
    tiers: Memo<Vec<String>>,
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let label = format!("Actions for {service}");
    let on = {
        let service = service.clone();
        move |tier: &str| {
            studio.history.with(|h| {
                h.current()
                    .model()
                    .service(&service)
                    .is_some_and(|s| s.on(tier))
            })
        }
    };
    view! {
        <div class="card-menu" role="menu" aria-label=label>
            {move || tiers.get().into_iter().map(|tier| {
                let (s1, t1, s2, t2) = (service.clone(), tier.clone(), service.clone(), tier.clone());
                let attached = on(&tier);
                view! {
                    <div class="menu-row">
                        <span>{tier.clone()}</span>
                        <button role="menuitem" aria-label=format!("Move {service} to {tier}") on:click=move |_| {
                            let start = browser::now();
                            studio.edit(|d| d.move_to(&s1, &t1));
                            browser::publish_update_time(start);
                            close();
                        }>"Move here"</button>
                        <button role="menuitem" disabled=attached aria-label=format!("Attach {service} to {tier}") on:click=move |_| {
                            studio.edit(|d| d.attach(&s2, &t2));
                            close();
                        }>"Attach"</button>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// Add a tier, add a service.
#[component]
fn AddForms(tiers: Memo<Vec<String>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let tier_name = RwSignal::new(String::new());
    let service_name = RwSignal::new(String::new());
    let service_image = RwSignal::new(String::new());
    let service_tier = RwSignal::new(String::new());
    let add_tier = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let key = tier_name.get_untracked().trim().to_string();
        studio.edit(|d| d.add_tier(&key));
        if studio.notice.with_untracked(Option::is_none) {
            tier_name.set(String::new());
        }
    };
    let add_service = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let name = service_name.get_untracked().trim().to_string();
        let image = service_image.get_untracked().trim().to_string();
        let mut tier = service_tier.get_untracked();
        if tier.is_empty() {
            tier = tiers
                .with_untracked(|t| t.first().cloned())
                .unwrap_or_else(|| "default".into());
        }
        let image = if image.is_empty() {
            format!("{name}:latest")
        } else {
            image
        };
        studio.edit(|d| d.add_service(&name, &image, &tier));
        if studio.notice.with_untracked(Option::is_none) {
            service_name.set(String::new());
            service_image.set(String::new());
            studio.select(Some(Selection::Service(name)));
        }
    };
    view! {
        <div class="add-forms">
            <form on:submit=add_tier aria-label="Add tier">
                <input aria-label="New tier name" placeholder="new tier, e.g. web_tier" prop:value=move || tier_name.get() on:input=move |ev| tier_name.set(event_target_value(&ev))/>
                <button type="submit">"Add tier"</button>
            </form>
            <form on:submit=add_service aria-label="Add service">
                <input aria-label="New service name" placeholder="new service" prop:value=move || service_name.get() on:input=move |ev| service_name.set(event_target_value(&ev))/>
                <input aria-label="New service image" placeholder="image" prop:value=move || service_image.get() on:input=move |ev| service_image.set(event_target_value(&ev))/>
                <select aria-label="Tier for the new service" on:change=move |ev| service_tier.set(event_target_value(&ev))>
                    {move || tiers.get().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                </select>
                <button type="submit">"Add service"</button>
            </form>
        </div>
    }
}
