//! The published ports table of the service panel: one row per port, or per range of
//! consecutive ports as the file writes them (`10000-20000`), edited as a whole. Each
//! field is read by core's rules (`tiermap_core::field`) when it changes: a port out of
//! range is refused beside the field, and the design keeps the ports it had.

use leptos::ev::Targeted;
use leptos::prelude::*;
use tiermap_core::design::PortSpec;
use tiermap_core::field::{self, FieldError};
use tiermap_core::model::{Model, Protocol, PublishMode};
use tiermap_core::port_range::{self, PortRange};

use super::keyed::Indexed;
use super::refusal::Refusal;
use crate::studio::Studio;

/// The service's ports as ranges of consecutive ports.
fn ranges(m: &Model, name: &str) -> Vec<PortRange> {
    m.service(name)
        .map(|s| port_range::of_ports(&s.ports))
        .unwrap_or_default()
}

/// Changes the service's ports with `change` (given them all, as ranges) and saves them.
fn edit_ports(studio: Studio, name: &str, change: impl FnOnce(&mut Vec<PortRange>)) {
    let mut ranges = studio.model_untracked(|m| ranges(m, name));
    let before = ranges.clone();
    change(&mut ranges);
    if ranges != before {
        let ports: Vec<PortSpec> = ranges.iter().flat_map(PortRange::ports).collect();
        studio.edit(|d| d.set_ports(name, &ports));
    }
}

/// The table: one row per published port, and a button to add one.
#[component]
pub fn PortsTable(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let ports = Memo::new({
        let name = name.clone();
        move |_| studio.model(|m| ranges(m, &name))
    });
    let add = {
        let name = name.clone();
        move |_| {
            edit_ports(studio, &name, |ports| {
                ports.push(PortRange::single(PortSpec {
                    target: 80,
                    published: None,
                    protocol: Protocol::Tcp,
                    mode: PublishMode::Ingress,
                }))
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

/// One port or range: published and target ports, protocol and mode, and its remove
/// button.
#[component]
fn PortRow(name: String, index: usize, ports: Memo<Vec<PortRange>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let port = Memo::new(move |_| ports.with(|p| p.get(index).copied()));
    let number = move || index + 1;
    let published_refused = RwSignal::new(None::<String>);
    let target_refused = RwSignal::new(None::<String>);
    // A change that core refuses (a published range of another length) is shown
    // beside the field that was typed, and nothing changes.
    let change = {
        let name = name.clone();
        move |edit: Box<dyn FnOnce(PortRange) -> Result<PortRange, FieldError>>| {
            let mut refused = None;
            edit_ports(studio, &name, |ports| {
                if let Some(port) = ports.get_mut(index) {
                    match edit(*port) {
                        Ok(changed) => *port = changed,
                        Err(e) => refused = Some(e.to_string()),
                    }
                }
            });
            refused
        }
    };
    let set_published = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlInputElement>| {
            let refused = match field::optional_port_span(&ev.target().value()) {
                Err(e) => Some(e.to_string()),
                Ok(published) => change(Box::new(move |p| p.published_on(published))),
            };
            published_refused.set(refused);
        }
    };
    let set_target = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlInputElement>| {
            let refused = match field::port_span(&ev.target().value()) {
                Err(e) => Some(e.to_string()),
                Ok(target) => change(Box::new(move |p| p.targeting(target))),
            };
            target_refused.set(refused);
        }
    };
    let set_protocol = {
        let change = change.clone();
        move |ev: Targeted<web_sys::Event, web_sys::HtmlSelectElement>| {
            let protocol = Protocol::parse(&ev.target().value()).unwrap_or(Protocol::Tcp);
            change(Box::new(move |mut p| {
                p.first.protocol = protocol;
                p.last.protocol = protocol;
                Ok(p)
            }));
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
            change(Box::new(move |mut p| {
                p.first.mode = mode;
                p.last.mode = mode;
                Ok(p)
            }));
        }
    };
    let remove = move |_| {
        edit_ports(studio, &name, |ports| {
            if index < ports.len() {
                ports.remove(index);
            }
        })
    };
    let protocol =
        move |p: Protocol| move || port.with(|s| s.is_some_and(|s| s.first.protocol == p));
    let mode = move |m: PublishMode| move || port.with(|s| s.is_some_and(|s| s.first.mode == m));
    view! {
        <tr>
            <td>
                <input
                    inputmode="numeric"
                    aria-label=format!("Published port {}", number())
                    aria-invalid=move || published_refused.with(Option::is_some).to_string()
                    prop:value=move || {
                        port.with(|p| p.map(|p| p.published_text(""))).unwrap_or_default()
                    }
                    on:change:target=set_published
                />
                <Refusal reason=published_refused/>
            </td>
            <td>
                <input
                    inputmode="numeric"
                    aria-label=format!("Target port {}", number())
                    aria-invalid=move || target_refused.with(Option::is_some).to_string()
                    prop:value=move || port.with(|p| p.map(|p| p.target_text())).unwrap_or_default()
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
