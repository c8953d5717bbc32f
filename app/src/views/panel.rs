//! The side panel: edit the selected service (image, replicas, tiers, published ports,
//! proxy route, flows) or the selected tier.
//!
//! Lists are written as escaped HTML with `data-*` attributes and handled by
//! delegation (one listener per list, not one per row), which keeps the page small.

use std::fmt::Write;

use leptos::prelude::*;
use tiermap_core::design::{PortSpec, RouteSpec};
use tiermap_core::diagram::escape;
use tiermap_core::findings::FixAction;
use tiermap_core::model::{FlowOrigin, Protocol, PublishMode, Service};
use wasm_bindgen::JsCast;

use super::delegate::{data, element};
use crate::studio::{Notice, Selection, Studio};

/// The panel for whatever is selected.
#[component]
pub fn Panel() -> impl IntoView {
    let studio = expect_context::<Studio>();
    // Rebuilt only when the selection (or whether it still exists) changes, not on
    // every edit: the panels below follow the design through their own memos.
    let shown = Memo::new(move |_| {
        let selected = studio.selected.get();
        let exists = studio.history.with(|h| {
            let m = h.current().model();
            match &selected {
                Some(Selection::Service(n)) => m.service(n).is_some(),
                Some(Selection::Tier(k)) => m.tier(k).is_some(),
                None => false,
            }
        });
        selected.filter(|_| exists)
    });
    view! {
        <aside class="panel" aria-label="Details">
            {move || match shown.get() {
                Some(Selection::Service(name)) => view! { <ServicePanel name=name/> }.into_any(),
                Some(Selection::Tier(key)) => view! { <TierPanel key=key/> }.into_any(),
                None => view! {
                    <div class="hint">
                        <h2>"Details"</h2>
                        <p>"Select a service card or a tier to edit it. Drag a card onto another tier to move it; hold Alt or Shift while dropping to attach it to that tier as well."</p>
                    </div>
                }
                .into_any(),
            }}
        </aside>
    }
}

fn value(el: &web_sys::Element) -> String {
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        return input.value();
    }
    el.dyn_ref::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

fn specs(service: &Service) -> Vec<PortSpec> {
    service
        .ports
        .iter()
        .map(|p| PortSpec {
            target: p.target,
            published: p.published,
            protocol: p.protocol,
            mode: p.mode,
        })
        .collect()
}

fn options(items: &[String], placeholder: &str) -> String {
    let mut out = format!("<option value=\"\">{}</option>", escape(placeholder));
    for item in items {
        let item = escape(item);
        let _ = write!(out, "<option value=\"{item}\">{item}</option>");
    }
    out
}

#[component]
fn ServicePanel(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let service = Memo::new({
        let name = name.clone();
        move |_| {
            studio
                .history
                .with(|h| h.current().model().service(&name).cloned())
        }
    });
    let tiers = Memo::new(move |_| {
        studio.history.with(|h| {
            h.current()
                .model()
                .tiers
                .iter()
                .map(|t| t.key.clone())
                .collect::<Vec<_>>()
        })
    });
    let others = Memo::new({
        let name = name.clone();
        move |_| {
            studio.history.with(|h| {
                h.current()
                    .model()
                    .services
                    .iter()
                    .map(|s| s.name.clone())
                    .filter(|s| *s != name)
                    .collect::<Vec<_>>()
            })
        }
    });

    // Name, image, replicas.
    let n = name.clone();
    let on_basics = move |ev: web_sys::Event| {
        let Some(el) = element(&ev) else { return };
        let v = value(&el).trim().to_string();
        match data(&el, "field").as_deref() {
            Some("name") if v != n => {
                studio.edit(|d| d.rename_service(&n, &v));
                if studio.notice.with_untracked(Option::is_none) {
                    studio.select(Some(Selection::Service(v)));
                }
            }
            Some("image") => studio.edit(|d| d.set_image(&n, &v)),
            Some("replicas") => {
                if let Ok(count) = v.parse::<u32>() {
                    studio.edit(|d| d.set_replicas(&n, count));
                }
            }
            _ => {}
        }
    };

    // Tiers: detach, make home, attach.
    let n = name.clone();
    let on_tiers_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        if let Some(tier) = data(&el, "detach") {
            studio.edit(|d| d.detach(&n, &tier));
        } else if let Some(tier) = data(&el, "home") {
            studio.edit(|d| d.set_home(&n, &tier));
        }
    };
    let n = name.clone();
    let on_attach = move |ev: web_sys::Event| {
        let tier = event_target_value(&ev);
        if !tier.is_empty() {
            studio.edit(|d| d.attach(&n, &tier));
        }
    };
    let tiers_html = move || {
        let Some(s) = service.get() else {
            return String::new();
        };
        let mut out = String::new();
        for a in &s.networks {
            let tier = escape(&a.tier);
            let home = s.home.as_deref() == Some(a.tier.as_str());
            let _ = write!(out, "<li><span>{tier}</span>");
            if home {
                out.push_str("<span class=\"flag\">home</span>");
            } else {
                let _ = write!(
                    out,
                    "<button class=\"quiet\" data-home=\"{tier}\">Make home</button>"
                );
            }
            let _ = write!(
                out,
                "<button class=\"quiet\" data-detach=\"{tier}\" aria-label=\"Detach {} from {tier}\">Detach</button></li>",
                escape(&s.name)
            );
        }
        out
    };

    // Ports: every input names its row and field.
    let n = name.clone();
    let on_ports_change = move |ev: web_sys::Event| {
        let Some(el) = element(&ev) else { return };
        let (Some(index), Some(field)) = (
            data(&el, "row").and_then(|i| i.parse::<usize>().ok()),
            data(&el, "port"),
        ) else {
            return;
        };
        let Some(s) = service.get_untracked() else {
            return;
        };
        let mut ports = specs(&s);
        let v = value(&el);
        let Some(port) = ports.get_mut(index) else {
            return;
        };
        match field.as_str() {
            "published" => port.published = v.trim().parse().ok(),
            "target" => match v.trim().parse::<u16>() {
                Ok(t) if t > 0 => port.target = t,
                _ => return,
            },
            "protocol" => port.protocol = Protocol::parse(&v).unwrap_or(Protocol::Tcp),
            "mode" => {
                port.mode = if v == "host" {
                    PublishMode::Host
                } else {
                    PublishMode::Ingress
                }
            }
            _ => return,
        }
        studio.edit(|d| d.set_ports(&n, &ports));
    };
    let n = name.clone();
    let on_ports_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        let Some(index) = data(&el, "remove").and_then(|i| i.parse::<usize>().ok()) else {
            return;
        };
        let Some(s) = service.get_untracked() else {
            return;
        };
        let mut ports = specs(&s);
        if index < ports.len() {
            ports.remove(index);
        }
        studio.edit(|d| d.set_ports(&n, &ports));
    };
    let n = name.clone();
    let add_port = move |_| {
        let Some(s) = service.get_untracked() else {
            return;
        };
        let mut ports = specs(&s);
        ports.push(PortSpec {
            target: 80,
            published: None,
            protocol: Protocol::Tcp,
            mode: PublishMode::Ingress,
        });
        studio.edit(|d| d.set_ports(&n, &ports));
    };
    let ports_html = move || {
        let Some(s) = service.get() else {
            return String::new();
        };
        let mut out = String::new();
        for (i, p) in specs(&s).iter().enumerate() {
            let row = i + 1;
            let selected = |on: bool| if on { " selected" } else { "" };
            let _ = write!(
                out,
                "<tr data-row=\"{i}\"><td><input type=\"number\" data-port=\"published\" aria-label=\"Published port {row}\" value=\"{}\"></td>\
                 <td><input type=\"number\" data-port=\"target\" aria-label=\"Target port {row}\" value=\"{}\"></td>\
                 <td><select data-port=\"protocol\" aria-label=\"Protocol {row}\"><option{}>tcp</option><option{}>udp</option><option{}>sctp</option></select></td>\
                 <td><select data-port=\"mode\" aria-label=\"Mode {row}\"><option{}>ingress</option><option{}>host</option></select></td>\
                 <td><button class=\"quiet\" data-remove=\"{i}\" aria-label=\"Remove port {row}\">×</button></td></tr>",
                p.published.map(|n| n.to_string()).unwrap_or_default(),
                p.target,
                selected(p.protocol == Protocol::Tcp),
                selected(p.protocol == Protocol::Udp),
                selected(p.protocol == Protocol::Sctp),
                selected(p.mode == PublishMode::Ingress),
                selected(p.mode == PublishMode::Host),
            );
        }
        out
    };

    // Route.
    let host = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());
    Effect::new(move |_| {
        let r = service.get().and_then(|s| s.routes.first().cloned());
        host.set(
            r.as_ref()
                .and_then(|r| r.hosts.first().cloned())
                .unwrap_or_default(),
        );
        path.set(
            r.as_ref()
                .and_then(|r| r.paths.first().cloned())
                .unwrap_or_default(),
        );
        port.set(
            r.as_ref()
                .and_then(|r| r.port)
                .map(|p| p.to_string())
                .unwrap_or_default(),
        );
    });
    let n = name.clone();
    let set_route = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Ok(p) = port.get_untracked().trim().parse::<u16>() else {
            let text = "A route needs the container port the proxy connects to.".to_string();
            studio.notice.set(Some(Notice { error: true, text }));
            return;
        };
        let spec = RouteSpec {
            host: host.get_untracked().trim().to_string(),
            path: path.get_untracked().trim().to_string(),
            port: p,
        };
        studio.edit(|d| d.set_route(&n, &spec));
    };
    let n = name.clone();
    let clear_route = move |_| studio.edit(|d| d.clear_route(&n));

    // Flows, and the blast radius.
    let flow_to = RwSignal::new(String::new());
    let flow_port = RwSignal::new(String::new());
    let n = name.clone();
    let add_flow = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let to = flow_to.get_untracked();
        if !to.is_empty() {
            let p = flow_port.get_untracked().trim().parse::<u16>().ok();
            studio.edit(|d| d.add_flow(&n, &to, p));
        }
    };
    let on_flows_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = element(&ev) else { return };
        if let (Some(from), Some(to)) = (data(&el, "from"), data(&el, "to")) {
            studio.edit(|d| d.remove_flow(&from, &to));
        }
    };
    let n = name.clone();
    let flows_html = move || {
        let analysis = studio.analysis.read();
        studio.history.with(|h| {
            let m = h.current().model();
            let mut out = String::new();
            for check in &analysis.flows {
                let Some(f) = m.flows.get(check.flow).filter(|f| f.from == n || f.to == n) else { continue };
                let origin = match &f.origin {
                    FlowOrigin::User => "you".to_string(),
                    FlowOrigin::DependsOn => "depends_on".to_string(),
                    FlowOrigin::ProxyRoute => "proxy route".to_string(),
                    FlowOrigin::Environment(k) => format!("env {k}"),
                };
                let (from, to) = (escape(&f.from), escape(&f.to));
                let port = f.port.map(|p| format!(":{p}")).unwrap_or_default();
                let _ = write!(
                    out,
                    "<li{}><span>{from} → {to}{port}</span><span class=\"muted\">{}</span>{}",
                    if check.blocked() { " class=\"blocked\"" } else { "" },
                    escape(&origin),
                    if check.blocked() { "<span class=\"badge error\">blocked</span>" } else { "" },
                );
                if f.origin == FlowOrigin::User {
                    let _ = write!(out, "<button class=\"quiet\" data-from=\"{from}\" data-to=\"{to}\" aria-label=\"Remove flow {from} to {to}\">×</button>");
                }
                out.push_str("</li>");
            }
            out
        })
    };
    let n = name.clone();
    let blast_html = move || {
        let analysis = studio.analysis.read();
        studio.history.with(|h| {
            let m = h.current().model();
            let Some(i) = m.service_index(&n) else {
                return String::new();
            };
            let reached = analysis.blast_radius.reached(i);
            if reached.is_empty() {
                return "<p>nothing: it shares no network with another service.</p>".to_string();
            }
            let max = reached.iter().map(|(_, h)| *h).max().unwrap_or(0);
            let mut out = String::from("<ul class=\"plain\">");
            for hop in 1..=max {
                let names: Vec<&str> = reached
                    .iter()
                    .filter(|(_, h)| *h == hop)
                    .filter_map(|(s, _)| m.services.get(*s).map(|s| s.name.as_str()))
                    .collect();
                let _ = write!(
                    out,
                    "<li><strong>{hop} hop{}:</strong> {}</li>",
                    if hop == 1 { "" } else { "s" },
                    escape(&names.join(", "))
                );
            }
            out.push_str("</ul>");
            out
        })
    };
    let n = name.clone();
    let remove = move |_| {
        studio.edit(|d| d.remove_service(&n));
        studio.select(None);
    };

    view! {
        <div class="service-panel">
            <h2>{format!("Service {name}")}</h2>
            <div on:change=on_basics>
                <label class="field"><span>"Name"</span><input data-field="name" aria-label="Service name" prop:value=name.clone()/></label>
                <label class="field"><span>"Image"</span><input data-field="image" aria-label="Image" prop:value=move || service.get().and_then(|s| s.image).unwrap_or_default()/></label>
                <label class="field"><span>"Replicas"</span><input data-field="replicas" type="number" min="0" aria-label="Replicas" prop:value=move || service.get().and_then(|s| s.replicas()).map(|r| r.to_string()).unwrap_or_default()/></label>
            </div>
            <fieldset>
                <legend>"Tiers"</legend>
                <ul class="plain" on:click=on_tiers_click inner_html=tiers_html></ul>
                <select aria-label="Attach to tier" on:change=on_attach prop:value="" inner_html=move || options(&tiers.get(), "Attach to tier…")></select>
            </fieldset>
            <fieldset>
                <legend>"Published ports"</legend>
                <table class="ports">
                    <thead><tr><th>"Published"</th><th>"Target"</th><th>"Protocol"</th><th>"Mode"</th><th></th></tr></thead>
                    <tbody on:change=on_ports_change on:click=on_ports_click inner_html=ports_html></tbody>
                </table>
                <button on:click=add_port>"Add port"</button>
            </fieldset>
            <fieldset>
                <legend>"Proxy route"</legend>
                <form class="route" on:submit=set_route>
                    <label class="field"><span>"Host"</span><input aria-label="Route host" placeholder="api.example.com" prop:value=move || host.get() on:input=move |ev| host.set(event_target_value(&ev))/></label>
                    <label class="field"><span>"Path"</span><input aria-label="Route path" placeholder="/" prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/></label>
                    <label class="field"><span>"Port"</span><input type="number" aria-label="Route port" prop:value=move || port.get() on:input=move |ev| port.set(event_target_value(&ev))/></label>
                    <div class="row">
                        <button type="submit">"Set route"</button>
                        <button type="button" class="quiet" on:click=clear_route>"Remove route"</button>
                    </div>
                </form>
            </fieldset>
            <fieldset>
                <legend>"Flows"</legend>
                <ul class="plain flows" on:click=on_flows_click inner_html=flows_html></ul>
                <form class="row" on:submit=add_flow>
                    <select aria-label="Flow to service" on:change=move |ev| flow_to.set(event_target_value(&ev)) inner_html=move || options(&others.get(), "Talks to…")></select>
                    <input type="number" aria-label="Flow port" placeholder="port" class="short" prop:value=move || flow_port.get() on:input=move |ev| flow_port.set(event_target_value(&ev))/>
                    <button type="submit">"Add flow"</button>
                </form>
            </fieldset>
            <section class="blast" aria-label="Blast radius">
                <h3>"Blast radius"</h3>
                <p class="muted">"If this service is compromised, it reaches:"</p>
                <div inner_html=blast_html></div>
            </section>
            <button class="danger" on:click=remove>{format!("Delete service {name}")}</button>
        </div>
    }
}

#[component]
fn TierPanel(key: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let k = key.clone();
    let facts = move || {
        studio.history.with(|h| {
            let m = h.current().model();
            let Some(t) = m.tier(&k) else { return String::new() };
            let yes = |b: bool| if b { "yes" } else { "no" };
            format!(
                "<dt>Driver</dt><dd>{}</dd><dt>On the swarm</dt><dd>{}</dd><dt>Encrypted</dt><dd>{}</dd><dt>Attachable</dt><dd>{}</dd><dt>Internal</dt><dd>{}</dd><dt>Services</dt><dd>{}</dd>",
                escape(t.driver.as_deref().unwrap_or("overlay")),
                escape(&t.swarm_name(&m.stack)),
                if t.encryption.is_effective() { "yes (IPsec)" } else { "no" },
                yes(t.attachable),
                yes(t.internal),
                m.services.iter().filter(|s| s.on(&t.key)).count(),
            )
        })
    };
    let k = key.clone();
    let rename = move |ev: web_sys::Event| {
        let new = event_target_value(&ev).trim().to_string();
        if new != k {
            studio.edit(|d| d.rename_tier(&k, &new));
            if studio.notice.with_untracked(Option::is_none) {
                studio.select(Some(Selection::Tier(new)));
            }
        }
    };
    let k = key.clone();
    let encrypt = move |_| studio.edit(|d| d.apply(&FixAction::EncryptTier { tier: k.clone() }));
    let k = key.clone();
    let remove = move |_| {
        studio.edit(|d| d.remove_tier(&k));
        studio.select(None);
    };
    view! {
        <div class="tier-panel">
            <h2>{format!("Tier {key}")}</h2>
            <label class="field"><span>"Name"</span><input aria-label="Tier name" prop:value=key.clone() on:change=rename/></label>
            <dl class="facts" inner_html=facts></dl>
            <button on:click=encrypt>"Encrypt this tier"</button>
            <button class="danger" on:click=remove>{format!("Delete tier {key}")}</button>
        </div>
    }
}
