//! The side panel for a service: name, image, replicas, the tiers it sits on, its
//! published ports, its proxy route, its flows and its blast radius.

use leptos::ev::Targeted;
use leptos::html;
use leptos::prelude::*;
use tiermap_core::design::RouteSpec;
use tiermap_core::field;
use tiermap_core::model::FlowOrigin;

use super::forms::option;
use super::keyed::Names;
use super::ports::PortsTable;
use super::refusal::Refusal;
use crate::studio::{Selection, Studio};

type InputChange = Targeted<web_sys::Event, web_sys::HtmlInputElement>;

/// The selected service.
#[component]
pub fn ServicePanel(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let remove = {
        let name = name.clone();
        move |_| {
            if studio.edit(|d| d.remove_service(&name)) {
                studio.select(None);
            }
        }
    };
    view! {
        <h2>"Service " {name.clone()}</h2>
        <Fields name=name.clone()/>
        <Tiers name=name.clone()/>
        <PortsTable name=name.clone()/>
        <Route name=name.clone()/>
        <Flows name=name.clone()/>
        <Blast name=name.clone()/>
        <button class="danger" on:click=remove>"Delete service " {name}</button>
    }
}

/// Name, image and replicas.
#[component]
fn Fields(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let image = Memo::new({
        let name = name.clone();
        move |_| studio.model(|m| m.service(&name).and_then(|s| s.image.clone()))
    });
    let replicas = Memo::new({
        let name = name.clone();
        move |_| studio.model(|m| m.service(&name).and_then(|s| s.replicas()))
    });
    let refused = RwSignal::new(None::<String>);
    let rename = {
        let name = name.clone();
        move |ev: InputChange| {
            let new = ev.target().value().trim().to_string();
            if new != name && studio.edit(|d| d.rename_service(&name, &new)) {
                studio.select(Some(Selection::Service(new)));
            }
        }
    };
    let set_image = {
        let name = name.clone();
        move |ev: InputChange| {
            let new = ev.target().value().trim().to_string();
            if image.with_untracked(|i| i.as_deref() != Some(new.as_str())) {
                studio.edit(|d| d.set_image(&name, &new));
            }
        }
    };
    let set_replicas = {
        let name = name.clone();
        move |ev: InputChange| match field::replicas(&ev.target().value()) {
            Err(e) => refused.set(Some(e.to_string())),
            Ok(count) => {
                refused.set(None);
                if replicas.get_untracked() != Some(u64::from(count)) {
                    studio.edit(|d| d.set_replicas(&name, count));
                }
            }
        }
    };
    view! {
        <label class="field">
            <span>"Name"</span>
            <input aria-label="Service name" prop:value=name on:change:target=rename/>
        </label>
        <label class="field">
            <span>"Image"</span>
            <input aria-label="Image" prop:value=move || image.get().unwrap_or_default() on:change:target=set_image/>
        </label>
        <label class="field">
            <span>"Replicas"</span>
            <input
                type="number"
                min="0"
                aria-label="Replicas"
                aria-invalid=move || refused.with(Option::is_some).to_string()
                prop:value=move || replicas.get().map(|n| n.to_string()).unwrap_or_default()
                on:change:target=set_replicas
            />
            <Refusal reason=refused/>
        </label>
    }
}

/// The tiers the service sits on (make one its home, detach from one) and attach to another.
#[component]
fn Tiers(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let on = Memo::new({
        let name = name.clone();
        move |_| {
            studio.model(|m| {
                let s = m.service(&name);
                s.map(|s| {
                    s.networks
                        .iter()
                        .map(|a| a.tier.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
            })
        }
    });
    let home = Memo::new({
        let name = name.clone();
        move |_| studio.model(|m| m.service(&name).and_then(|s| s.home.clone()))
    });
    let row = {
        let name = name.clone();
        move |tier: String| {
            let is_home = {
                let tier = tier.clone();
                move || home.with(|h| h.as_deref() == Some(tier.as_str()))
            };
            let (service, make_home) = (name.clone(), tier.clone());
            let home_button = move || {
                let (service, tier) = (service.clone(), make_home.clone());
                if is_home() {
                    view! { <span class="flag">"home"</span> }.into_any()
                } else {
                    let set = move |_| {
                        studio.edit(|d| d.set_home(&service, &tier));
                    };
                    view! { <button class="quiet" on:click=set>"Make home"</button> }.into_any()
                }
            };
            let label = format!("Detach {name} from {tier}");
            let (service, detach) = (name.clone(), tier.clone());
            view! {
                <li>
                    <span>{tier}</span>
                    {home_button}
                    <button
                        class="quiet"
                        aria-label=label
                        on:click=move |_| {
                            studio.edit(|d| d.detach(&service, &detach));
                        }
                    >
                        "Detach"
                    </button>
                </li>
            }
        }
    };
    let attach = move |ev: Targeted<web_sys::Event, web_sys::HtmlSelectElement>| {
        let select = ev.target();
        let tier = select.value();
        select.set_value("");
        if !tier.is_empty() {
            studio.edit(|d| d.attach(&name, &tier));
        }
    };
    view! {
        <fieldset>
            <legend>"Tiers"</legend>
            <ul class="plain">
                <Names each=on.into() row=Callback::new(move |tier| row(tier).into_any())/>
            </ul>
            <select aria-label="Attach to tier" on:change:target=attach>
                <option value="">"Attach to tier…"</option>
                <Names each=studio.tier_keys.into() row=Callback::new(option)/>
            </select>
        </fieldset>
    }
}

/// The first route's host, path and port, as the route form shows them.
#[derive(Debug, Clone, PartialEq, Default)]
struct RouteFields {
    host: String,
    path: String,
    port: String,
}

/// The proxy route: set one host (and path) to a container port, or remove it.
#[component]
fn Route(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let route = Memo::new({
        let name = name.clone();
        move |_| {
            studio.model(|m| {
                let Some(r) = m.service(&name).and_then(|s| s.routes.first()) else {
                    return RouteFields::default();
                };
                RouteFields {
                    host: r.hosts.first().cloned().unwrap_or_default(),
                    path: r.paths.first().cloned().unwrap_or_default(),
                    port: r.port.map(|p| p.to_string()).unwrap_or_default(),
                }
            })
        }
    });
    let (host, path, port) = (
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Input>::new(),
    );
    let value = |input: NodeRef<html::Input>| {
        input
            .get_untracked()
            .map(|i| i.value().trim().to_string())
            .unwrap_or_default()
    };
    let refused = RwSignal::new(None::<String>);
    let set = {
        let name = name.clone();
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            match field::port(&value(port)) {
                Err(e) => refused.set(Some(format!(
                    "{e}: the route needs the container port the proxy connects to"
                ))),
                Ok(port) => {
                    refused.set(None);
                    let spec = RouteSpec {
                        host: value(host),
                        path: value(path),
                        port,
                    };
                    studio.edit(|d| d.set_route(&name, &spec));
                }
            }
        }
    };
    let clear = move |_| {
        refused.set(None);
        studio.edit(|d| d.clear_route(&name));
    };
    view! {
        <fieldset>
            <legend>"Proxy route"</legend>
            <form class="route" on:submit=set>
                <label class="field">
                    <span>"Host"</span>
                    <input
                        node_ref=host
                        aria-label="Route host"
                        placeholder="api.example.com"
                        prop:value=move || route.with(|r| r.host.clone())
                    />
                </label>
                <label class="field">
                    <span>"Path"</span>
                    <input
                        node_ref=path
                        aria-label="Route path"
                        placeholder="/"
                        prop:value=move || route.with(|r| r.path.clone())
                    />
                </label>
                <label class="field">
                    <span>"Port"</span>
                    <input
                        node_ref=port
                        type="number"
                        aria-label="Route port"
                        aria-invalid=move || refused.with(Option::is_some).to_string()
                        prop:value=move || route.with(|r| r.port.clone())
                    />
                    <Refusal reason=refused/>
                </label>
                <div class="row">
                    <button type="submit">"Set route"</button>
                    <button type="button" class="quiet" on:click=clear>
                        "Remove route"
                    </button>
                </div>
            </form>
        </fieldset>
    }
}

/// One flow of the service as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FlowRow {
    from: String,
    to: String,
    port: Option<u16>,
    origin: String,
    blocked: bool,
    /// Written by the person (so it can be removed here).
    own: bool,
}

/// The flows from and to the service (blocked ones marked), and a form to add one.
#[component]
fn Flows(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let rows = Memo::new({
        let name = name.clone();
        move |_| {
            let analysis = studio.analysis.read();
            studio.model(|m| {
                let rows = analysis.flows.iter().filter_map(|check| {
                    let f = m.flows.get(check.flow)?;
                    (f.from == name || f.to == name).then(|| FlowRow {
                        from: f.from.clone(),
                        to: f.to.clone(),
                        port: f.port,
                        origin: match &f.origin {
                            FlowOrigin::User => "you".into(),
                            FlowOrigin::DependsOn => "depends_on".into(),
                            FlowOrigin::ProxyRoute => "proxy route".into(),
                            FlowOrigin::Environment(k) => format!("env {k}"),
                            FlowOrigin::Command(w) => format!("command {w}"),
                        },
                        blocked: check.blocked(),
                        own: f.origin == FlowOrigin::User,
                    })
                });
                rows.collect::<Vec<_>>()
            })
        }
    });
    let others = Memo::new({
        let name = name.clone();
        move |_| {
            studio.service_names.with(|n| {
                n.iter()
                    .filter(|o| **o != name)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }
    });
    let row = move |row: FlowRow| {
        let port = row.port.map(|p| format!(":{p}")).unwrap_or_default();
        let remove = row.own.then(|| {
            let label = format!("Remove flow {} to {}", row.from, row.to);
            let (from, to) = (row.from.clone(), row.to.clone());
            let remove = move |_| {
                studio.edit(|d| d.remove_flow(&from, &to));
            };
            view! { <button class="quiet" aria-label=label on:click=remove>"×"</button> }
        });
        view! {
            <li class:blocked=row.blocked>
                <span>{format!("{} → {}{port}", row.from, row.to)}</span>
                <span class="muted">{row.origin}</span>
                {row.blocked.then(|| view! { <span class="badge error">"blocked"</span> })}
                {remove}
            </li>
        }
    };
    let (to, port) = (
        NodeRef::<html::Select>::new(),
        NodeRef::<html::Input>::new(),
    );
    let refused = RwSignal::new(None::<String>);
    let add = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let target = to.get_untracked().map(|s| s.value()).unwrap_or_default();
        let typed = port.get_untracked().map(|p| p.value()).unwrap_or_default();
        match field::optional_port(&typed) {
            Err(e) => refused.set(Some(e.to_string())),
            Ok(number) => {
                refused.set(None);
                if !target.is_empty() {
                    studio.edit(|d| d.add_flow(&name, &target, number));
                }
            }
        }
    };
    view! {
        <fieldset>
            <legend>"Flows"</legend>
            <ul class="plain flows">
                {move || rows.get().into_iter().map(row).collect_view()}
            </ul>
            <form class="row" on:submit=add>
                <select node_ref=to aria-label="Flow to service">
                    <option value="">"Talks to…"</option>
                    <Names each=others.into() row=Callback::new(option)/>
                </select>
                <input
                    node_ref=port
                    type="number"
                    aria-label="Flow port"
                    aria-invalid=move || refused.with(Option::is_some).to_string()
                    placeholder="port"
                    class="short"
                />
                <button type="submit">"Add flow"</button>
                <Refusal reason=refused/>
            </form>
        </fieldset>
    }
}

/// What a compromise of the service reaches, hop by hop.
#[component]
fn Blast(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let hops = Memo::new(move |_| {
        let analysis = studio.analysis.read();
        studio.model(|m| {
            let reached = m
                .service_index(&name)
                .map(|i| analysis.blast_radius.reached(i))
                .unwrap_or_default();
            let max = reached.iter().map(|(_, h)| *h).max().unwrap_or(0);
            (1..=max)
                .map(|hop| {
                    let names: Vec<&str> = reached
                        .iter()
                        .filter(|(_, h)| *h == hop)
                        .filter_map(|(s, _)| m.services.get(*s).map(|s| s.name.as_str()))
                        .collect();
                    (hop, names.join(", "))
                })
                .collect::<Vec<_>>()
        })
    });
    let hop = |(hop, names): (u32, String)| {
        let plural = if hop == 1 { "" } else { "s" };
        view! {
            <li>
                <strong>{format!("{hop} hop{plural}:")}</strong>
                " "
                {names}
            </li>
        }
    };
    view! {
        <section class="blast" aria-label="Blast radius">
            <h3>"Blast radius"</h3>
            <p class="muted">"If this service is compromised, it reaches:"</p>
            <Show
                when=move || !hops.with(Vec::is_empty)
                fallback=|| view! { <p>"nothing: it shares no network with another service."</p> }
            >
                <ul class="plain">
                    {move || hops.get().into_iter().map(hop).collect_view()}
                </ul>
            </Show>
        </section>
    }
}
