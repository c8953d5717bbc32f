//! The side panel: edit the selected service (image, replicas, tiers, published ports,
//! proxy route, flows) or the selected tier.
//!
//! The panel is written as escaped HTML rows patched by key (`rows::keep`), one row per
//! field or fieldset, and every change, click and submit is handled by delegation on
//! the panel: an edit re-renders only the rows it changed, so the field the person
//! tabbed to keeps its focus, and the page stays small.

use std::fmt::Write;

use leptos::prelude::*;
use tiermap_core::design::{PortSpec, RouteSpec};
use tiermap_core::diagram::escape;
use tiermap_core::findings::FixAction;
use tiermap_core::model::{FlowOrigin, Model, Protocol, PublishMode, Service};
use tiermap_core::Analysis;

use super::delegate::{data, element, named, value};
use super::rows;
use crate::studio::{Notice, Selection, Studio};

const PANEL_ID: &str = "panel-rows";

/// The panel for whatever is selected.
#[component]
pub fn Panel() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let shown = Box::new(move || {
        let selected = studio.selected.get();
        let analysis = studio.analysis.read();
        studio.history.with(|h| {
            let m = h.current().model();
            match &selected {
                Some(Selection::Service(n)) => m
                    .service(n)
                    .map(|s| service_rows(m, &analysis, s))
                    .unwrap_or_else(hint_rows),
                Some(Selection::Tier(k)) => {
                    m.tier(k).map(|_| tier_rows(m, k)).unwrap_or_else(hint_rows)
                }
                None => hint_rows(),
            }
        })
    });
    rows::keep(PANEL_ID, shown);
    let on_change = move |ev: web_sys::Event| {
        if let Some(el) = element(&ev) {
            change(studio, &el);
        }
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        if let Some(el) = element(&ev) {
            click(studio, &el);
        }
    };
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if let Some(form) = element(&ev) {
            submit(studio, &form);
        }
    };
    view! {
        <aside class="panel" aria-label="Details" id=PANEL_ID on:change=on_change on:click=on_click on:submit=on_submit></aside>
    }
}

fn hint_rows() -> Vec<String> {
    vec![
        "<h2>Details</h2>".into(),
        "<p class=\"hint\">Select a service card or a tier to edit it. Drag a card onto another tier to move it; hold Alt or Shift while dropping to attach it to that tier as well.</p>".into(),
    ]
}

fn service_rows(m: &Model, analysis: &Analysis, s: &Service) -> Vec<String> {
    let name = escape(&s.name);
    let field = |label: &str, key: &str, kind: &str, value: &str| {
        format!(
            "<label class=\"field\"><span>{label}</span><input data-field=\"{key}\"{kind} aria-label=\"{}\" value=\"{}\"></label>",
            if key == "name" { "Service name" } else { label },
            escape(value)
        )
    };
    let replicas = s.replicas().map(|r| r.to_string()).unwrap_or_default();
    vec![
        format!("<h2>Service {name}</h2>"),
        field("Name", "name", "", &s.name),
        field("Image", "image", "", s.image.as_deref().unwrap_or_default()),
        field(
            "Replicas",
            "replicas",
            " type=\"number\" min=\"0\"",
            &replicas,
        ),
        tiers_row(m, s),
        ports_row(s),
        route_row(s),
        flows_row(m, analysis, s),
        blast_row(m, analysis, s),
        format!(
            "<button class=\"danger\" data-act=\"remove-service\">Delete service {name}</button>"
        ),
    ]
}

fn tiers_row(m: &Model, s: &Service) -> String {
    let mut out = String::from("<fieldset><legend>Tiers</legend><ul class=\"plain\">");
    for a in &s.networks {
        let tier = escape(&a.tier);
        let _ = write!(out, "<li><span>{tier}</span>");
        if s.home.as_deref() == Some(a.tier.as_str()) {
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
    out.push_str("</ul><select aria-label=\"Attach to tier\" data-act=\"attach\">");
    options(
        &mut out,
        m.tiers.iter().map(|t| t.key.as_str()),
        "Attach to tier…",
    );
    out.push_str("</select></fieldset>");
    out
}

fn ports_row(s: &Service) -> String {
    let mut out = String::from(
        "<fieldset><legend>Published ports</legend><table class=\"ports\"><thead><tr><th>Published</th><th>Target</th><th>Protocol</th><th>Mode</th><th></th></tr></thead><tbody>",
    );
    for (i, p) in s.ports.iter().enumerate() {
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
    out.push_str("</tbody></table><button data-act=\"add-port\">Add port</button></fieldset>");
    out
}

fn route_row(s: &Service) -> String {
    let r = s.routes.first();
    let first = |v: Option<&Vec<String>>| v.and_then(|v| v.first()).map(|h| escape(h).into_owned());
    format!(
        "<fieldset><legend>Proxy route</legend><form class=\"route\" data-form=\"route\">\
         <label class=\"field\"><span>Host</span><input name=\"host\" aria-label=\"Route host\" placeholder=\"api.example.com\" value=\"{}\"></label>\
         <label class=\"field\"><span>Path</span><input name=\"path\" aria-label=\"Route path\" placeholder=\"/\" value=\"{}\"></label>\
         <label class=\"field\"><span>Port</span><input name=\"port\" type=\"number\" aria-label=\"Route port\" value=\"{}\"></label>\
         <div class=\"row\"><button type=\"submit\">Set route</button><button type=\"button\" class=\"quiet\" data-act=\"clear-route\">Remove route</button></div></form></fieldset>",
        first(r.map(|r| &r.hosts)).unwrap_or_default(),
        first(r.map(|r| &r.paths)).unwrap_or_default(),
        r.and_then(|r| r.port).map(|p| p.to_string()).unwrap_or_default(),
    )
}

fn flows_row(m: &Model, analysis: &Analysis, s: &Service) -> String {
    let mut out = String::from("<fieldset><legend>Flows</legend><ul class=\"plain flows\">");
    for check in &analysis.flows {
        let Some(f) = m
            .flows
            .get(check.flow)
            .filter(|f| f.from == s.name || f.to == s.name)
        else {
            continue;
        };
        let origin = match &f.origin {
            FlowOrigin::User => "you".into(),
            FlowOrigin::DependsOn => "depends_on".into(),
            FlowOrigin::ProxyRoute => "proxy route".into(),
            FlowOrigin::Environment(k) => escape(&format!("env {k}")).into_owned(),
        };
        let (from, to) = (escape(&f.from), escape(&f.to));
        let port = f.port.map(|p| format!(":{p}")).unwrap_or_default();
        let blocked = check.blocked();
        let _ = write!(
            out,
            "<li{}><span>{from} → {to}{port}</span><span class=\"muted\">{origin}</span>{}",
            if blocked { " class=\"blocked\"" } else { "" },
            if blocked {
                "<span class=\"badge error\">blocked</span>"
            } else {
                ""
            },
        );
        if f.origin == FlowOrigin::User {
            let _ = write!(out, "<button class=\"quiet\" data-from=\"{from}\" data-to=\"{to}\" aria-label=\"Remove flow {from} to {to}\">×</button>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ul><form class=\"row\" data-form=\"flow\"><select name=\"to\" aria-label=\"Flow to service\">");
    let others = m.services.iter().map(|o| o.name.as_str());
    options(&mut out, others.filter(|o| *o != s.name), "Talks to…");
    out.push_str("</select><input name=\"port\" type=\"number\" aria-label=\"Flow port\" placeholder=\"port\" class=\"short\"><button type=\"submit\">Add flow</button></form></fieldset>");
    out
}

fn blast_row(m: &Model, analysis: &Analysis, s: &Service) -> String {
    let mut out = String::from("<section class=\"blast\" aria-label=\"Blast radius\"><h3>Blast radius</h3><p class=\"muted\">If this service is compromised, it reaches:</p>");
    let reached = m
        .service_index(&s.name)
        .map(|i| analysis.blast_radius.reached(i))
        .unwrap_or_default();
    if reached.is_empty() {
        out.push_str("<p>nothing: it shares no network with another service.</p>");
    } else {
        out.push_str("<ul class=\"plain\">");
        let max = reached.iter().map(|(_, h)| *h).max().unwrap_or(0);
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
    }
    out.push_str("</section>");
    out
}

fn tier_rows(m: &Model, key: &str) -> Vec<String> {
    let Some(t) = m.tier(key) else {
        return hint_rows();
    };
    let k = escape(key);
    let yes = |b: bool| if b { "yes" } else { "no" };
    vec![
        format!("<h2>Tier {k}</h2>"),
        format!("<label class=\"field\"><span>Name</span><input data-field=\"tier-name\" aria-label=\"Tier name\" value=\"{k}\"></label>"),
        format!(
            "<dl class=\"facts\"><dt>Driver</dt><dd>{}</dd><dt>On the swarm</dt><dd>{}</dd><dt>Encrypted</dt><dd>{}</dd><dt>Attachable</dt><dd>{}</dd><dt>Internal</dt><dd>{}</dd><dt>Services</dt><dd>{}</dd></dl>",
            escape(t.driver.as_deref().unwrap_or("overlay")),
            escape(&t.swarm_name(&m.stack)),
            if t.encryption.is_effective() { "yes (IPsec)" } else { "no" },
            yes(t.attachable),
            yes(t.internal),
            m.services.iter().filter(|s| s.on(&t.key)).count(),
        ),
        "<button data-act=\"encrypt-tier\">Encrypt this tier</button>".into(),
        format!("<button class=\"danger\" data-act=\"remove-tier\">Delete tier {k}</button>"),
    ]
}

/// `<option>`s for a select whose first entry is a placeholder.
fn options<'a>(out: &mut String, items: impl Iterator<Item = &'a str>, placeholder: &str) {
    let _ = write!(out, "<option value=\"\">{placeholder}</option>");
    for item in items {
        let item = escape(item);
        let _ = write!(out, "<option value=\"{item}\">{item}</option>");
    }
}

fn selected_service(studio: Studio) -> Option<String> {
    match studio.selected.get_untracked() {
        Some(Selection::Service(n)) => Some(n),
        _ => None,
    }
}

fn selected_tier(studio: Studio) -> Option<String> {
    match studio.selected.get_untracked() {
        Some(Selection::Tier(k)) => Some(k),
        _ => None,
    }
}

/// The selected service's ports as edit specs.
fn specs(studio: Studio, name: &str) -> Vec<PortSpec> {
    studio.history.with_untracked(|h| {
        h.current()
            .model()
            .service(name)
            .map(|s| {
                s.ports
                    .iter()
                    .map(|p| PortSpec {
                        target: p.target,
                        published: p.published,
                        protocol: p.protocol,
                        mode: p.mode,
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// A field or select changed.
fn change(studio: Studio, el: &web_sys::Element) {
    let v = value(el).trim().to_string();
    if let Some(field) = el.get_attribute("data-field") {
        match (field.as_str(), studio.selected.get_untracked()) {
            ("name", Some(Selection::Service(n))) if v != n => {
                studio.edit(|d| d.rename_service(&n, &v));
                if studio.notice.with_untracked(Option::is_none) {
                    studio.select(Some(Selection::Service(v)));
                }
            }
            ("image", Some(Selection::Service(n))) => studio.edit(|d| d.set_image(&n, &v)),
            ("replicas", Some(Selection::Service(n))) => {
                if let Ok(count) = v.parse::<u32>() {
                    studio.edit(|d| d.set_replicas(&n, count));
                }
            }
            ("tier-name", Some(Selection::Tier(k))) if v != k => {
                studio.edit(|d| d.rename_tier(&k, &v));
                if studio.notice.with_untracked(Option::is_none) {
                    studio.select(Some(Selection::Tier(v)));
                }
            }
            _ => {}
        }
        return;
    }
    let Some(n) = selected_service(studio) else {
        return;
    };
    if el.get_attribute("data-act").as_deref() == Some("attach") {
        if !v.is_empty() {
            studio.edit(|d| d.attach(&n, &v));
        }
        return;
    }
    let (Some(index), Some(field)) = (
        data(el, "row").and_then(|i| i.parse::<usize>().ok()),
        el.get_attribute("data-port"),
    ) else {
        return;
    };
    let mut ports = specs(studio, &n);
    let Some(port) = ports.get_mut(index) else {
        return;
    };
    match field.as_str() {
        "published" => port.published = v.parse().ok(),
        "target" => match v.parse::<u16>() {
            Ok(t) if t > 0 => port.target = t,
            _ => return,
        },
        "protocol" => port.protocol = Protocol::parse(&v).unwrap_or(Protocol::Tcp),
        "mode" if v == "host" => port.mode = PublishMode::Host,
        "mode" => port.mode = PublishMode::Ingress,
        _ => return,
    }
    studio.edit(|d| d.set_ports(&n, &ports));
}

/// A button was pressed.
fn click(studio: Studio, el: &web_sys::Element) {
    if let Some(k) = selected_tier(studio) {
        match data(el, "act").as_deref() {
            Some("encrypt-tier") => {
                studio.edit(|d| d.apply(&FixAction::EncryptTier { tier: k.clone() }))
            }
            Some("remove-tier") => {
                studio.edit(|d| d.remove_tier(&k));
                studio.select(None);
            }
            _ => {}
        }
        return;
    }
    let Some(n) = selected_service(studio) else {
        return;
    };
    if let Some(tier) = data(el, "detach") {
        studio.edit(|d| d.detach(&n, &tier));
    } else if let Some(tier) = data(el, "home") {
        studio.edit(|d| d.set_home(&n, &tier));
    } else if let Some(index) = data(el, "remove").and_then(|i| i.parse::<usize>().ok()) {
        let mut ports = specs(studio, &n);
        if index < ports.len() {
            ports.remove(index);
        }
        studio.edit(|d| d.set_ports(&n, &ports));
    } else if let (Some(from), Some(to)) = (data(el, "from"), data(el, "to")) {
        studio.edit(|d| d.remove_flow(&from, &to));
    } else {
        match data(el, "act").as_deref() {
            Some("add-port") => {
                let mut ports = specs(studio, &n);
                ports.push(PortSpec {
                    target: 80,
                    published: None,
                    protocol: Protocol::Tcp,
                    mode: PublishMode::Ingress,
                });
                studio.edit(|d| d.set_ports(&n, &ports));
            }
            Some("clear-route") => studio.edit(|d| d.clear_route(&n)),
            Some("remove-service") => {
                studio.edit(|d| d.remove_service(&n));
                studio.select(None);
            }
            _ => {}
        }
    }
}

/// The route or flow form was submitted.
fn submit(studio: Studio, form: &web_sys::Element) {
    let Some(n) = selected_service(studio) else {
        return;
    };
    match form.get_attribute("data-form").as_deref() {
        Some("route") => {
            let Ok(port) = named(form, "port").parse::<u16>() else {
                let text = "A route needs the container port the proxy connects to.".to_string();
                studio.notice.set(Some(Notice { error: true, text }));
                return;
            };
            let spec = RouteSpec {
                host: named(form, "host"),
                path: named(form, "path"),
                port,
            };
            studio.edit(|d| d.set_route(&n, &spec));
        }
        Some("flow") => {
            let to = named(form, "to");
            if !to.is_empty() {
                let port = named(form, "port").parse::<u16>().ok();
                studio.edit(|d| d.add_flow(&n, &to, port));
            }
        }
        _ => {}
    }
}
