//! The live analysis: exposed surface, findings, and the reachability matrix.

use leptos::prelude::*;
use tiermap_core::model::PublishMode;

use crate::studio::{Selection, Studio};

/// Above this many services the matrix lists each service's reach instead of a grid
/// (a 200 x 200 grid is 40,000 cells nobody can read, and slow to draw).
const GRID_LIMIT: usize = 40;

/// Surface, findings and reachability, side by side.
#[component]
pub fn AnalysisPanels() -> impl IntoView {
    view! {
        <section class="analysis">
            <Surface/>
            <Findings/>
            <Reachability/>
        </section>
    }
}

#[component]
fn Surface() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let surface = move || studio.analysis.with(|a| a.surface.clone());
    view! {
        <section class="surface card-panel" role="region" aria-label="Exposed surface">
            <h2>"Exposed surface"</h2>
            {move || {
                let s = surface();
                let count = s.port_count();
                view! {
                    <p class="figure"><strong>{count}</strong>{if count == 1 { " exposed port" } else { " exposed ports" }}</p>
                    <ul class="plain">
                        {s.ports.iter().map(|e| {
                            let published = e.published.map_or_else(|| "random".to_string(), |p| p.to_string());
                            let ignored = e.ignored_host_ip.clone().map(|ip| format!(" (host IP {ip} ignored: listens on 0.0.0.0)"));
                            view! {
                                <li>
                                    <code>{format!("{published}/{}", e.protocol)}</code>
                                    {format!(" → {}:{} · {} · {}", e.service, e.target, if e.mode == PublishMode::Host { "host mode" } else { "ingress" }, e.nodes)}
                                    {ignored}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(!s.routes.is_empty()).then(|| view! {
                        <h3>"Routes through the edge proxy"</h3>
                        <ul class="plain">
                            {s.routes.iter().map(|r| {
                                let hosts = if r.hosts.is_empty() { "any host".to_string() } else { r.hosts.join(", ") };
                                let paths = r.paths.join(", ");
                                view! { <li><code>{format!("{hosts}{paths}")}</code>{format!(" → {}{}", r.service, r.port.map(|p| format!(":{p}")).unwrap_or_default())}</li> }
                            }).collect_view()}
                        </ul>
                    })}
                    {(!s.host_network.is_empty()).then(|| view! {
                        <p class="warn">{format!("On the host network (every port they listen on is exposed): {}", s.host_network.join(", "))}</p>
                    })}
                }
            }}
        </section>
    }
}

#[component]
fn Findings() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let findings = move || studio.analysis.with(|a| a.findings.clone());
    let counts = move || {
        studio.analysis.with(|a| {
            let count = |s: tiermap_core::findings::Severity| {
                a.findings
                    .iter()
                    .filter(|f| f.severity == s && f.accepted.is_none())
                    .count()
            };
            use tiermap_core::findings::Severity::*;
            format!(
                "{} errors, {} warnings, {} notes",
                count(Error),
                count(Warning),
                count(Info)
            )
        })
    };
    view! {
        <section class="findings card-panel">
            <h2>"Findings"</h2>
            <p class="muted">{counts}</p>
            <ul class="findings-list" aria-label="Findings">
                {move || findings().into_iter().map(|f| {
                    let target = f.service.clone().map(Selection::Service).or_else(|| f.tier.clone().map(Selection::Tier));
                    let action = f.action.clone();
                    let place = if f.at.is_known() { format!("line {}", f.at.line) } else { String::new() };
                    view! {
                        <li class=format!("finding {}", f.severity.as_str()) class:accepted=f.accepted.is_some()>
                            <button class="finding-main" on:click=move |_| studio.select(target.clone())>
                                <span class=format!("badge {}", f.severity.as_str())>{f.severity.as_str()}</span>
                                <span class="message">{f.message.clone()}</span>
                                <span class="muted">{place}</span>
                            </button>
                            <p class="fix">{format!("Fix: {}", f.fix)}</p>
                            {f.accepted.clone().map(|note| view! { <p class="muted">{format!("Accepted: {note}")}</p> })}
                            {action.map(|a| view! { <button class="quiet" on:click=move |_| studio.edit(|d| d.apply(&a))>"Apply fix"</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Reachability() -> impl IntoView {
    let studio = expect_context::<Studio>();
    view! {
        <section class="reach card-panel">
            <h2>"Reachability"</h2>
            <p class="muted">"Who can open a connection to whom (shared network = every port)."</p>
            <div class="scroll">
                {move || {
                    let analysis = studio.analysis.get();
                    studio.history.with(|h| {
                        let m = h.current().model();
                        let names: Vec<&str> = m.services.iter().map(|s| s.name.as_str()).collect();
                        if names.len() > GRID_LIMIT {
                            return view! {
                                <table aria-label="Reachability">
                                    <thead><tr><th scope="col">"Service"</th><th scope="col">"Reaches"</th></tr></thead>
                                    <tbody>
                                        {names.iter().enumerate().map(|(i, n)| {
                                            let reached: Vec<&str> = analysis.reachability.pairs.iter().filter(|r| r.from == i).filter_map(|r| names.get(r.to).copied()).collect();
                                            view! { <tr><th scope="row">{n.to_string()}</th><td>{format!("{} services", reached.len())}</td></tr> }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any();
                        }
                        view! {
                            <table class="matrix" aria-label="Reachability">
                                <thead><tr><th></th>{names.iter().map(|n| view! { <th scope="col"><span>{n.to_string()}</span></th> }).collect_view()}</tr></thead>
                                <tbody>
                                    {names.iter().enumerate().map(|(i, from)| view! {
                                        <tr>
                                            <th scope="row">{from.to_string()}</th>
                                            {(0..names.len()).map(|j| {
                                                if i == j {
                                                    return view! { <td class="self"></td> }.into_any();
                                                }
                                                match analysis.reachability.between(i, j) {
                                                    Some(nets) => {
                                                        let title = format!("{from} → {} via {}", names.get(j).unwrap_or(&""), nets.join(", "));
                                                        view! { <td class="yes" title=title.clone() aria-label=title>"●"</td> }.into_any()
                                                    }
                                                    None => view! { <td class="no" aria-label="no"></td> }.into_any(),
                                                }
                                            }).collect_view()}
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    })
                }}
            </div>
        </section>
    }
}
