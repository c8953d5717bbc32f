//! The published ports table of the service panel. Each field is read by core's rules
//! (`tiermap_core::field`) when it changes: a port out of range is refused beside the
//! field, and the design keeps the port it had.

use leptos::ev::Targeted;
use leptos::prelude::*;
use tiermap_core::design::PortSpec;
use tiermap_core::field;
use tiermap_core::model::{Model, Protocol, PublishMode};

use super::keyed::Indexed;
use super::refusal::Refusal;
use crate::studio::Studio;

/// The service's ports as the edit takes them.
fn specs(m: &Model, name: &str) -> Vec<PortSpec> {
    m.service(name)
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
}

/// Changes the service's ports with `change` (given them all) and saves them.
fn edit_ports(studio: Studio, name: &str, change: impl FnOnce(&mut Vec<PortSpec>)) {
    let mut ports = studio.model_untracked(|m| specs(m, name));
    let before = ports.clone();
    change(&mut ports);
    if ports != before {
        studio.edit(|d| d.set_ports(name, &ports));
    }
}

/// The table: one row per published port, and a button to add one.
#[component]
pub fn PortsTable(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let ports = Memo::new({
        let name = name.clone();
        move |_| studio.model(|m| specs(m, &name))
    });
    let add = {
        let name = name.clone();
        move |_| {
            edit_ports(studio, &name, |ports| {
                ports.push(PortSpec {
                    target: 80,
                    published: None,
                    protocol: Protocol::Tcp,
                    mode: PublishMode::Ingress,
                })
            })
        }
    };
    // Rows are keyed by position: a port has no name, and its row keeps its fields
    // (and their focus) while the port changes.
    let row = move |index: usize| view! { <PortRow name=name.clone() index ports/> }.into_any();
    view! {
        <fieldset>
            <legend>"Published ports"</legend>
            <table class="ports">
                <thead>
                    <tr>
                        <th>"Published"</th>
                        <th>"Target"</th>
                        <th>"Protocol"</th>
                        <th>"Mode"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    <Indexed count=Signal::derive(move || ports.with(Vec::len)) row=Callback::new(row)/>
                </tbody>
            </table>
            <button on:click=add>"Add port"</button>
        </fieldset>
    }
}

/// One port: published and target port, protocol and mode, and its remove button.
#[component]
fn PortRow(name: String, index: usize, ports: Memo<Vec<PortSpec>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let port = Memo::new(move |_| ports.with(|p| p.get(index).copied()));
    let number = move || index + 1;
    let published_refused = RwSignal::new(None::<String>);
    let target_refused = RwSignal::new(None::<String>);
    let change = {
        let name = name.clone();
        move |edit: Box<dyn FnOnce(&mut PortSpec)>| {
            edit_ports(studio, &name, |ports| {
                if let Some(port) = ports.get_mut(index) {
                    edit(port);
                }
            })
        }
    };
    let set_published = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlInputElement>| match field::optional_port(
            &ev.target().value(),
        ) {
            Err(e) => published_refused.set(Some(e.to_string())),
            Ok(published) => {
                published_refused.set(None);
                change(Box::new(move |p| p.published = published));
            }
        }
    };
    let set_target = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlInputElement>| match field::port(
            &ev.target().value(),
        ) {
            Err(e) => target_refused.set(Some(e.to_string())),
            Ok(target) => {
                target_refused.set(None);
                change(Box::new(move |p| p.target = target));
            }
        }
    };
    let set_protocol = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlSelectElement>| {
            let protocol = Protocol::parse(&ev.target().value()).unwrap_or(Protocol::Tcp);
            change(Box::new(move |p| p.protocol = protocol));
        }
    };
    let set_mode = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlSelectElement>| {
            let mode = if ev.target().value() == "host" {
                PublishMode::Host
            } else {
                PublishMode::Ingress
            };
            change(Box::new(move |p| p.mode = mode));
        }
    };
    let remove = move |_| {
        edit_ports(studio, &name, |ports| {
            if index < ports.len() {
                ports.remove(index);
            }
        })
    };
    let protocol = move |p: Protocol| move || port.with(|s| s.is_some_and(|s| s.protocol == p));
    let mode = move |m: PublishMode| move || port.with(|s| s.is_some_and(|s| s.mode == m));
    view! {
        <tr>
            <td>
                <input
                    type="number"
                    aria-label=format!("Published port {}", number())
                    aria-invalid=move || published_refused.with(Option::is_some).to_string()
                    prop:value=move || {
                        port.with(|p| p.and_then(|p| p.published).map(|n| n.to_string()))
                            .unwrap_or_default()
                    }
                    on:change:target=set_published
                />
                <Refusal reason=published_refused/>
            </td>
            <td>
                <input
                    type="number"
                    aria-label=format!("Target port {}", number())
                    aria-invalid=move || target_refused.with(Option::is_some).to_string()
                    prop:value=move || port.with(|p| p.map(|p| p.target.to_string())).unwrap_or_default()
                    on:change:target=set_target
                />
                <Refusal reason=target_refused/>
            </td>
            <td>
                <select aria-label=format!("Protocol {}", number()) on:change:target=set_protocol>
                    <option prop:selected=protocol(Protocol::Tcp)>"tcp"</option>
                    <option prop:selected=protocol(Protocol::Udp)>"udp"</option>
                    <option prop:selected=protocol(Protocol::Sctp)>"sctp"</option>
                </select>
            </td>
            <td>
                <select aria-label=format!("Mode {}", number()) on:change:target=set_mode>
                    <option prop:selected=mode(PublishMode::Ingress)>"ingress"</option>
                    <option prop:selected=mode(PublishMode::Host)>"host"</option>
                </select>
            </td>
            <td>
                <button class="quiet" aria-label=format!("Remove port {}", number()) on:click=remove>
                    "×"
                </button>
            </td>
        </tr>
    }
}
