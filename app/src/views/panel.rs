//! The side panel: edit the selected service (image, replicas, tiers, published ports,
//! proxy route, flows) or the selected tier.

use leptos::prelude::*;
use tiermap_core::design::{PortSpec, RouteSpec};
use tiermap_core::findings::FixAction;
use tiermap_core::model::{Protocol, PublishMode, Service};

use crate::studio::{Selection, Studio};

/// The panel for whatever is selected.
#[component]
pub fn Panel() -> impl IntoView {
    let studio = expect_context::<Studio>();
    view! {
        <aside class="panel" aria-label="Details">
            {move || match studio.selected.get() {
                Some(Selection::Service(name)) => {
                    let exists = studio.history.with(|h| h.current().model().service(&name).is_some());
                    if exists { view! { <ServicePanel name=name/> }.into_any() } else { view! { <Hint/> }.into_any() }
                }
                Some(Selection::Tier(key)) => {
                    let exists = studio.history.with(|h| h.current().model().tier(&key).is_some());
                    if exists { view! { <TierPanel key=key/> }.into_any() } else { view! { <Hint/> }.into_any() }
                }
                None => view! { <Hint/> }.into_any(),
            }}
        </aside>
    }
}

#[component]
fn Hint() -> impl IntoView {
    view! {
        <div class="hint">
            <h2>"Details"</h2>
            <p>"Select a service card or a tier to edit it. Drag a card onto another tier to move it; hold Alt or Shift while dropping to attach it to that tier as well."</p>
        </div>
    }
}

fn current(studio: Studio, name: &str) -> Option<Service> {
    studio
        .history
        .with(|h| h.current().model().service(name).cloned())
}

#[component]
fn ServicePanel(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let service = Memo::new({
        let name = name.clone();
        move |_| current(studio, &name)
    });
    let n = name.clone();
    let rename = move |ev: web_sys::Event| {
        let new = event_target_value(&ev).trim().to_string();
        if new != n {
            studio.edit(|d| d.rename_service(&n, &new));
            if studio.notice.with_untracked(Option::is_none) {
                studio.select(Some(Selection::Service(new)));
            }
        }
    };
    let n = name.clone();
    let set_image = move |ev: web_sys::Event| {
        let image = event_target_value(&ev);
        studio.edit(|d| d.set_image(&n, image.trim()));
    };
    let n = name.clone();
    let set_replicas = move |ev: web_sys::Event| {
        if let Ok(count) = event_target_value(&ev).trim().parse::<u32>() {
            studio.edit(|d| d.set_replicas(&n, count));
        }
    };
    let n = name.clone();
    let remove = move |_| {
        studio.edit(|d| d.remove_service(&n));
        studio.select(None);
    };
    view! {
        <div class="service-panel">
            <h2>{format!("Service {name}")}</h2>
            <label class="field"><span>"Name"</span><input aria-label="Service name" prop:value=name.clone() on:change=rename/></label>
            <label class="field"><span>"Image"</span><input aria-label="Image" prop:value=move || service.get().and_then(|s| s.image).unwrap_or_default() on:change=set_image/></label>
            <label class="field"><span>"Replicas"</span>
                <input type="number" min="0" aria-label="Replicas" prop:value=move || service.get().and_then(|s| s.replicas()).map(|r| r.to_string()).unwrap_or_default() on:change=set_replicas/>
            </label>
            <TiersEditor name=name.clone() service=service/>
            <PortsEditor name=name.clone() service=service/>
            <RouteEditor name=name.clone() service=service/>
            <FlowsEditor name=name.clone()/>
            <BlastRadius name=name.clone()/>
            <button class="danger" on:click=remove>{format!("Delete service {name}")}</button>
        </div>
    }
}

#[component]
fn TiersEditor(name: String, service: Memo<Option<Service>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let all = move || {
        studio.history.with(|h| {
            h.current()
                .model()
                .tiers
                .iter()
                .map(|t| t.key.clone())
                .collect::<Vec<_>>()
        })
    };
    let n = name.clone();
    let attach = move |ev: web_sys::Event| {
        let tier = event_target_value(&ev);
        if !tier.is_empty() {
            studio.edit(|d| d.attach(&n, &tier));
        }
    };
    view! {
        <fieldset>
            <legend>"Tiers"</legend>
            <ul class="plain">
                {move || service.get().map(|s| s.networks.iter().map(|a| {
                    let (svc, tier, svc2, tier2) = (s.name.clone(), a.tier.clone(), s.name.clone(), a.tier.clone());
                    let home = s.home.as_deref() == Some(a.tier.as_str());
                    view! {
                        <li>
                            <span>{a.tier.clone()}</span>
                            {home.then(|| view! { <span class="flag">"home"</span> })}
                            {(!home).then(|| view! { <button class="quiet" on:click=move |_| studio.edit(|d| d.set_home(&svc2, &tier2))>"Make home"</button> })}
                            <button class="quiet" aria-label=format!("Detach {svc} from {tier}") on:click=move |_| studio.edit(|d| d.detach(&svc, &tier))>"Detach"</button>
                        </li>
                    }
                }).collect_view())}
            </ul>
            <select aria-label="Attach to tier" on:change=attach prop:value="">
                <option value="">"Attach to tier…"</option>
                {move || all().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
            </select>
        </fieldset>
    }
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

#[component]
fn PortsEditor(name: String, service: Memo<Option<Service>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let change = {
        let name = name.clone();
        move |index: usize, update: &dyn Fn(&mut PortSpec)| {
            let Some(s) = service.get_untracked() else {
                return;
            };
            let mut ports = specs(&s);
            if let Some(p) = ports.get_mut(index) {
                update(p);
            }
            studio.edit(|d| d.set_ports(&name, &ports));
        }
    };
    let n = name.clone();
    let add = move |_| {
        let Some(s) = service.get_untracked() else {
            return;
        };
        let mut ports = specs(&s);
        ports.push(PortSpec {
            target: 80,
            published: Some(8080),
            protocol: Protocol::Tcp,
            mode: PublishMode::Ingress,
        });
        studio.edit(|d| d.set_ports(&n, &ports));
    };
    view! {
        <fieldset>
            <legend>"Published ports"</legend>
            <table class="ports">
                <thead><tr><th>"Published"</th><th>"Target"</th><th>"Protocol"</th><th>"Mode"</th><th></th></tr></thead>
                <tbody>
                    {move || service.get().map(|s| specs(&s).into_iter().enumerate().map(|(i, p)| {
                        let (c1, c2, c3, c4, c5) = (change.clone(), change.clone(), change.clone(), change.clone(), change.clone());
                        view! {
                            <tr>
                                <td><input type="number" aria-label=format!("Published port {}", i + 1) prop:value=p.published.map(|n| n.to_string()).unwrap_or_default()
                                    on:change=move |ev| { let v = event_target_value(&ev).trim().parse::<u16>().ok(); c1(i, &|p| p.published = v); }/></td>
                                <td><input type="number" aria-label=format!("Target port {}", i + 1) prop:value=p.target.to_string()
                                    on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u16>() { if v > 0 { c2(i, &|p| p.target = v); } } }/></td>
                                <td><select aria-label=format!("Protocol {}", i + 1) prop:value=p.protocol.as_str() on:change=move |ev| { if let Some(v) = Protocol::parse(&event_target_value(&ev)) { c3(i, &|p| p.protocol = v); } }>
                                    <option value="tcp">"tcp"</option><option value="udp">"udp"</option><option value="sctp">"sctp"</option>
                                </select></td>
                                <td><select aria-label=format!("Mode {}", i + 1) prop:value=p.mode.as_str() on:change=move |ev| { let host = event_target_value(&ev) == "host"; c4(i, &|p| p.mode = if host { PublishMode::Host } else { PublishMode::Ingress }); }>
                                    <option value="ingress">"ingress"</option><option value="host">"host"</option>
                                </select></td>
                                <td><button class="quiet" aria-label=format!("Remove port {}", i + 1) on:click=move |_| {
                                    let Some(s) = service.get_untracked() else { return };
                                    let mut ports = specs(&s);
                                    if i < ports.len() { ports.remove(i); }
                                    let name = s.name.clone();
                                    let _ = &c5;
                                    studio.edit(|d| d.set_ports(&name, &ports));
                                }>"×"</button></td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
            <button on:click=add>"Add port"</button>
        </fieldset>
    }
}

#[component]
fn RouteEditor(name: String, service: Memo<Option<Service>>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let route = move || service.get().and_then(|s| s.routes.first().cloned());
    let host = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());
    Effect::new(move |_| {
        let r = route();
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
    let apply = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Ok(p) = port.get_untracked().trim().parse::<u16>() else {
            studio.notice.set(Some(crate::studio::Notice {
                error: true,
                text: "A route needs the container port the proxy connects to.".into(),
            }));
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
    view! {
        <fieldset>
            <legend>"Proxy route"</legend>
            <form class="route" on:submit=apply>
                <label class="field"><span>"Host"</span><input aria-label="Route host" placeholder="api.example.com" prop:value=move || host.get() on:input=move |ev| host.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Path"</span><input aria-label="Route path" placeholder="/" prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Port"</span><input type="number" aria-label="Route port" prop:value=move || port.get() on:input=move |ev| port.set(event_target_value(&ev))/></label>
                <div class="row">
                    <button type="submit">"Set route"</button>
                    <button type="button" class="quiet" on:click=move |_| studio.edit(|d| d.clear_route(&n))>"Remove route"</button>
                </div>
            </form>
        </fieldset>
    }
}

#[component]
fn FlowsEditor(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let target = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());
    let flows = {
        let name = name.clone();
        move || {
            let analysis = studio.analysis.get();
            studio.history.with(|h| {
                let m = h.current().model();
                analysis
                    .flows
                    .iter()
                    .filter_map(|c| m.flows.get(c.flow).map(|f| (f.clone(), c.blocked())))
                    .filter(|(f, _)| f.from == name || f.to == name)
                    .collect::<Vec<_>>()
            })
        }
    };
    let others = {
        let name = name.clone();
        move || {
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
    };
    let n = name.clone();
    let add = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let to = target.get_untracked();
        if to.is_empty() {
            return;
        }
        let p = port.get_untracked().trim().parse::<u16>().ok();
        studio.edit(|d| d.add_flow(&n, &to, p));
    };
    view! {
        <fieldset>
            <legend>"Flows"</legend>
            <ul class="plain flows">
                {move || flows().into_iter().map(|(f, blocked)| {
                    let origin = match &f.origin {
                        tiermap_core::model::FlowOrigin::User => "you".to_string(),
                        tiermap_core::model::FlowOrigin::DependsOn => "depends_on".to_string(),
                        tiermap_core::model::FlowOrigin::ProxyRoute => "proxy route".to_string(),
                        tiermap_core::model::FlowOrigin::Environment(k) => format!("env {k}"),
                    };
                    let user = f.origin == tiermap_core::model::FlowOrigin::User;
                    let (from, to) = (f.from.clone(), f.to.clone());
                    view! {
                        <li class:blocked=blocked>
                            <span>{format!("{} → {}{}", f.from, f.to, f.port.map(|p| format!(":{p}")).unwrap_or_default())}</span>
                            <span class="muted">{origin}</span>
                            {blocked.then(|| view! { <span class="badge error">"blocked"</span> })}
                            {user.then(|| view! { <button class="quiet" aria-label=format!("Remove flow {from} to {to}") on:click={
                                let (from, to) = (from.clone(), to.clone());
                                move |_| studio.edit(|d| d.remove_flow(&from, &to))
                            }>"×"</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="row" on:submit=add>
                <select aria-label="Flow to service" on:change=move |ev| target.set(event_target_value(&ev))>
                    <option value="">"Talks to…"</option>
                    {move || others().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
                <input type="number" aria-label="Flow port" placeholder="port" class="short" prop:value=move || port.get() on:input=move |ev| port.set(event_target_value(&ev))/>
                <button type="submit">"Add flow"</button>
            </form>
        </fieldset>
    }
}

#[component]
fn BlastRadius(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let rows = move || {
        let analysis = studio.analysis.get();
        studio.history.with(|h| {
            let m = h.current().model();
            let Some(i) = m.service_index(&name) else {
                return Vec::new();
            };
            let reached = analysis.blast_radius.reached(i).into_iter();
            reached
                .filter_map(|(s, hops)| m.services.get(s).map(|s| (s.name.clone(), hops)))
                .collect()
        })
    };
    view! {
        <section class="blast" aria-label="Blast radius">
            <h3>"Blast radius"</h3>
            <p class="muted">"If this service is compromised, it reaches:"</p>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    return view! { <p>"nothing: it shares no network with another service."</p> }.into_any();
                }
                let max = rows.iter().map(|(_, h)| *h).max().unwrap_or(0);
                view! {
                    <ul class="plain">
                        {(1..=max).map(|hop| {
                            let names: Vec<String> = rows.iter().filter(|(_, h)| *h == hop).map(|(n, _)| n.clone()).collect();
                            view! { <li><strong>{format!("{hop} hop{}: ", if hop == 1 { "" } else { "s" })}</strong>{names.join(", ")}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn TierPanel(key: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let tier = Memo::new({
        let key = key.clone();
        move |_| {
            studio
                .history
                .with(|h| h.current().model().tier(&key).cloned())
        }
    });
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
    let remove = move |_| {
        studio.edit(|d| d.remove_tier(&k));
        studio.select(None);
    };
    let k = key.clone();
    let encrypt = move |_| studio.edit(|d| d.apply(&FixAction::EncryptTier { tier: k.clone() }));
    view! {
        <div class="tier-panel">
            <h2>{format!("Tier {key}")}</h2>
            <label class="field"><span>"Name"</span><input aria-label="Tier name" prop:value=key.clone() on:change=rename/></label>
            {move || tier.get().map(|t| view! {
                <dl class="facts">
                    <dt>"Driver"</dt><dd>{t.driver.clone().unwrap_or_else(|| "overlay".into())}</dd>
                    <dt>"On the swarm"</dt><dd>{studio.history.with(|h| t.swarm_name(&h.current().model().stack))}</dd>
                    <dt>"Encrypted"</dt><dd>{if t.encryption.is_effective() { "yes (IPsec)" } else { "no" }}</dd>
                    <dt>"Attachable"</dt><dd>{if t.attachable { "yes" } else { "no" }}</dd>
                    <dt>"Internal"</dt><dd>{if t.internal { "yes" } else { "no" }}</dd>
                </dl>
            })}
            <Show when=move || tier.get().is_some_and(|t| !t.encryption.is_effective() && !t.external)>
                <button on:click=encrypt.clone()>"Encrypt this tier"</button>
            </Show>
            <button class="danger" on:click=remove>{format!("Delete tier {key}")}</button>
        </div>
    }
}
