//! Tier boxes holding service cards. Drag a card onto a tier to move it there (hold
//! Alt or Shift to attach it to that tier as well); every card also has a menu that
//! does the same from the keyboard.
//!
//! The boxes and cards are written as one escaped HTML string and every interaction is
//! handled by delegation on the board: one DOM write per change, and a small page.

use std::fmt::Write;

use leptos::prelude::*;
use tiermap_core::diagram::escape;
use tiermap_core::model::{Model, PublishMode, Service};
use tiermap_core::role::{self, Role};
use tiermap_core::Analysis;
use wasm_bindgen::JsCast;

use super::delegate::{control, data, element, named, value};
use super::rows;
use crate::browser;
use crate::studio::{Selection, Studio};

/// The drag payload type for a card (files dropped on the page carry none).
const CARD_TYPE: &str = "application/x-tiermap-service";

/// The worst open finding of each service, computed once per update.
type Worst<'a> = std::collections::HashMap<&'a str, tiermap_core::findings::Severity>;

fn card(
    out: &mut String,
    s: &Service,
    worst: &Worst<'_>,
    m: &Model,
    selected: &Option<Selection>,
    menu: &Option<String>,
) {
    let name = escape(&s.name);
    let worst = worst.get(s.name.as_str()).copied();
    let mut class = String::from("card");
    if *selected == Some(Selection::Service(s.name.clone())) {
        class.push_str(" selected");
    }
    if matches!(s.role, Role::EdgeProxy(_)) {
        class.push_str(" proxy");
    }
    let image = s
        .image
        .as_deref()
        .map(role::image_name)
        .unwrap_or("no image");
    let replicas = s
        .replicas()
        .map_or_else(|| "global".to_string(), |n| format!("×{n}"));
    let _ = write!(
        out,
        "<div class=\"{class}\" role=\"group\" aria-label=\"Service {name}\" draggable=\"true\" data-card=\"{name}\">\
         <button class=\"card-main\" data-select=\"{name}\"><span class=\"card-name\">{name}</span><span class=\"card-meta\">{} {replicas}</span>",
        escape(image)
    );
    if !s.ports.is_empty() {
        let ports: Vec<String> = s
            .ports
            .iter()
            .map(|p| {
                let n = p
                    .published
                    .map_or_else(|| "*".to_string(), |n| n.to_string());
                if p.mode == PublishMode::Host {
                    format!("{n} host")
                } else {
                    n
                }
            })
            .collect();
        let _ = write!(
            out,
            "<span class=\"card-ports\">published {}</span>",
            ports.join(", ")
        );
    }
    out.push_str("</button>");
    if let Some(w) = worst {
        let _ = write!(
            out,
            "<span class=\"badge {0}\" title=\"worst finding: {0}\">{0}</span>",
            w.as_str()
        );
    }
    let open = menu.as_deref() == Some(s.name.as_str());
    let _ = write!(
        out,
        "<button class=\"card-menu-button\" data-menu=\"{name}\" aria-label=\"Menu for {name}\" aria-expanded=\"{open}\">⋯</button><div class=\"chips\">"
    );
    for t in s
        .networks
        .iter()
        .filter(|t| Some(&t.tier) != s.home.as_ref())
    {
        let tier = escape(&t.tier);
        let _ = write!(
            out,
            "<span class=\"chip\">{tier}<button class=\"chip-x\" data-detach=\"{tier}\" data-of=\"{name}\" aria-label=\"Detach {name} from {tier}\">×</button></span>"
        );
    }
    out.push_str("</div>");
    if open {
        let _ = write!(
            out,
            "<div class=\"card-menu\" role=\"menu\" aria-label=\"Actions for {name}\">"
        );
        for t in &m.tiers {
            let tier = escape(&t.key);
            let attached = if s.on(&t.key) { " disabled" } else { "" };
            let _ = write!(
                out,
                "<div class=\"menu-row\"><span>{tier}</span>\
                 <button role=\"menuitem\" data-move=\"{tier}\" data-of=\"{name}\" aria-label=\"Move {name} to {tier}\">Move here</button>\
                 <button role=\"menuitem\" data-attach=\"{tier}\" data-of=\"{name}\" aria-label=\"Attach {name} to {tier}\"{attached}>Attach</button></div>"
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
}

/// One HTML string per tier box (and one for services on no tier), so that a change
/// rewrites only the boxes whose text changed.
fn board_html(
    m: &Model,
    a: &Analysis,
    selected: &Option<Selection>,
    menu: &Option<String>,
) -> Vec<String> {
    let mut boxes = Vec::with_capacity(m.tiers.len() + 1);
    let mut worst: Worst<'_> = Worst::new();
    for f in a.open_findings() {
        if let Some(s) = f.service.as_deref() {
            let entry = worst.entry(s).or_insert(f.severity);
            *entry = (*entry).max(f.severity);
        }
    }
    for t in &m.tiers {
        let mut out = String::with_capacity(256 + m.services.len() * 40);
        let key = escape(&t.key);
        let mut flags: Vec<&str> = Vec::new();
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
        let selected_class = if *selected == Some(Selection::Tier(t.key.clone())) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<div class=\"tier{selected_class}\" role=\"region\" aria-label=\"Tier {key}\" data-drop=\"{key}\"><button class=\"tier-title\" data-select-tier=\"{key}\"><span class=\"tier-name\">{key}</span>"
        );
        for f in flags {
            let _ = write!(out, "<span class=\"flag {f}\">{f}</span>");
        }
        out.push_str("</button><div class=\"cards\">");
        for s in m
            .services
            .iter()
            .filter(|s| s.home.as_deref() == Some(t.key.as_str()))
        {
            card(&mut out, s, &worst, m, selected, menu);
        }
        out.push_str("</div></div>");
        boxes.push(out);
    }
    let loose: Vec<&Service> = m.services.iter().filter(|s| s.home.is_none()).collect();
    if !loose.is_empty() {
        let mut out = String::new();
        out.push_str("<div class=\"loose\" role=\"region\" aria-label=\"Services on no tier\"><h3>On no overlay (host network or none)</h3><div class=\"cards\">");
        for s in loose {
            card(&mut out, s, &worst, m, selected, menu);
        }
        out.push_str("</div></div>");
        boxes.push(out);
    }
    if m.tiers.is_empty() && m.services.is_empty() {
        boxes.push("<p class=\"empty\">No tiers yet. Add a tier, then add services to it — or open a template or import a compose file.</p>".to_string());
    }
    boxes
}

/// Moves (or with `attach`, attaches) a service and records how long the view took.
fn place(studio: Studio, service: String, tier: String, attach: bool) {
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

/// The board: every tier with its cards, and the forms that add tiers and services.
#[component]
pub fn Board() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let menu = RwSignal::new(None::<String>);
    let html = Box::new(move || {
        let selected = studio.selected.get();
        let open = menu.get();
        let analysis = studio.analysis.read();
        studio
            .history
            .with(|h| board_html(h.current().model(), &analysis, &selected, &open))
    });
    // Keyed by its text: an unchanged box keeps its DOM.
    rows::keep("tier-boxes", html);
    let tier_keys = Memo::new(move |_| {
        studio.history.with(|h| {
            h.current()
                .model()
                .tiers
                .iter()
                .map(|t| t.key.clone())
                .collect::<Vec<_>>()
        })
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        if let (Some(tier), Some(service)) = (data(&el, "move"), data(&el, "of")) {
            menu.set(None);
            place(studio, service, tier, false);
        } else if let (Some(tier), Some(service)) = (data(&el, "attach"), data(&el, "of")) {
            menu.set(None);
            place(studio, service, tier, true);
        } else if let (Some(tier), Some(service)) = (data(&el, "detach"), data(&el, "of")) {
            studio.edit(|d| d.detach(&service, &tier));
        } else if let Some(service) = data(&el, "menu") {
            menu.update(|m| {
                *m = if m.as_deref() == Some(service.as_str()) {
                    None
                } else {
                    Some(service)
                }
            });
        } else if let Some(service) = data(&el, "select") {
            studio.select(Some(Selection::Service(service)));
        } else if let Some(tier) = data(&el, "select-tier") {
            studio.select(Some(Selection::Tier(tier)));
        }
    };
    let on_dragstart = move |ev: web_sys::DragEvent| {
        let (Some(el), Some(dt)) = (element(&ev), ev.data_transfer()) else {
            return;
        };
        if let Some(service) = data(&el, "card") {
            let _ = dt.set_data(CARD_TYPE, &service);
            let _ = dt.set_data("text/plain", &service);
            dt.set_effect_allowed("copyMove");
        }
    };
    let drop_target = |ev: &web_sys::DragEvent| {
        element(ev).and_then(|el| el.closest("[data-drop]").ok().flatten())
    };
    let on_dragover = move |ev: web_sys::DragEvent| {
        if let Some(tier) = drop_target(&ev) {
            ev.prevent_default();
            let _ = tier.class_list().add_1("over");
        }
    };
    let on_dragleave = move |ev: web_sys::DragEvent| {
        if let Some(tier) = drop_target(&ev) {
            let _ = tier.class_list().remove_1("over");
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        let Some(tier_el) = drop_target(&ev) else {
            return;
        };
        let _ = tier_el.class_list().remove_1("over");
        let service = ev
            .data_transfer()
            .and_then(|dt| dt.get_data(CARD_TYPE).ok())
            .filter(|s| !s.is_empty());
        let (Some(service), Some(tier)) = (service, tier_el.get_attribute("data-drop")) else {
            return;
        };
        ev.prevent_default();
        ev.stop_propagation();
        let attach = ev.alt_key() || ev.shift_key() || ev.ctrl_key() || ev.meta_key();
        place(studio, service, tier, attach);
    };
    view! {
        <section class="board" aria-label="Tiers">
            <div
                class="tiers"
                on:click=on_click
                on:dragstart=on_dragstart
                on:dragover=on_dragover
                on:dragleave=on_dragleave
                on:drop=on_drop
                id="tier-boxes"
            >
            </div>
            <AddForms tiers=tier_keys/>
        </section>
    }
}

/// The add forms: static markup read on submit (typed inputs bound to signals cost
/// several KB of page for two small forms).
const ADD_FORMS: &str = "<form data-act=\"add-tier\" aria-label=\"Add tier\">\
<input name=\"tier\" aria-label=\"New tier name\" placeholder=\"new tier, e.g. web_tier\"/>\
<button type=\"submit\">Add tier</button></form>\
<form data-act=\"add-service\" aria-label=\"Add service\">\
<input name=\"service\" aria-label=\"New service name\" placeholder=\"new service\"/>\
<input name=\"image\" aria-label=\"New service image\" placeholder=\"image\"/>\
<select name=\"in\" id=\"new-service-tier\" aria-label=\"Tier for the new service\"></select>\
<button type=\"submit\">Add service</button></form>";

/// Add a tier, add a service.
#[component]
fn AddForms(tiers: Memo<Vec<String>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    // The tier list follows the design; the chosen tier stays chosen while it exists.
    Effect::new(move |_| {
        let Some(select) = document().get_element_by_id("new-service-tier") else {
            return;
        };
        let chosen = value(&select);
        let mut out = String::new();
        for t in tiers.get() {
            let t = escape(&t);
            let on = if *t == *chosen { " selected" } else { "" };
            let _ = write!(out, "<option value=\"{t}\"{on}>{t}</option>");
        }
        select.set_inner_html(&out);
    });
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = element(&ev) else { return };
        let clear = |names: &[&str]| {
            for name in names {
                if let Some(input) = control(&form, name)
                    .as_ref()
                    .and_then(|el| el.dyn_ref::<web_sys::HtmlInputElement>())
                {
                    input.set_value("");
                }
            }
        };
        match data(&form, "act").as_deref() {
            Some("add-tier") => {
                let key = named(&form, "tier");
                studio.edit(|d| d.add_tier(&key));
                if studio.notice.with_untracked(Option::is_none) {
                    clear(&["tier"]);
                }
            }
            Some("add-service") => {
                let name = named(&form, "service");
                let image = named(&form, "image");
                let mut tier = named(&form, "in");
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
                    clear(&["service", "image"]);
                    studio.select(Some(Selection::Service(name)));
                }
            }
            _ => {}
        }
    };
    view! { <div class="add-forms" on:submit=on_submit inner_html=ADD_FORMS></div> }
}
