//! The exposed surface: how many ports are open to the outside, each published port
//! and where it opens, the routes the edge proxy takes in, and the services on the
//! host's network.

use leptos::prelude::*;
use tiermap_core::model::PublishMode;
use tiermap_core::surface::Surface as Exposed;

use crate::studio::{Selection, Studio};

/// A published port as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PortRow {
    port: String,
    service: String,
    rest: String,
    ignored_host_ip: Option<String>,
}

/// A route as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RouteRow {
    rule: String,
    to: String,
}

fn port_rows(s: &Exposed) -> Vec<PortRow> {
    s.port_ranges()
        .into_iter()
        .filter_map(|(range, list)| Some((range, list.first()?)))
        .map(|(range, e)| {
            let mode = if e.mode == PublishMode::Host {
                "host mode"
            } else {
                "ingress"
            };
            PortRow {
                port: format!("{}/{}", range.published_text("random"), e.protocol),
                service: e.service.clone(),
                rest: format!(":{} · {mode} · {}", range.target_text(), e.nodes),
                ignored_host_ip: e.ignored_host_ip.clone(),
            }
        })
        .collect()
}

fn route_rows(s: &Exposed) -> Vec<RouteRow> {
    s.routes
        .iter()
        .map(|r| {
            let hosts = if r.hosts.is_empty() {
                "any host".to_string()
            } else {
                r.hosts.join(", ")
            };
            let port = r.port.map(|p| format!(":{p}")).unwrap_or_default();
            RouteRow {
                rule: format!("{hosts}{}", r.paths.join(", ")),
                to: format!("{}{port}", r.service),
            }
        })
        .collect()
}

/// The exposed surface region.
#[component]
pub fn Surface() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let surface = Memo::new(move |_| studio.analysis.with(|a| a.surface.clone()));
    let count = Memo::new(move |_| surface.with(Exposed::port_count));
    let ports = Memo::new(move |_| surface.with(port_rows));
    let routes = Memo::new(move |_| surface.with(route_rows));
    let host = Memo::new(move |_| surface.with(|s| s.host_network.join(", ")));
    let port = move |row: PortRow| {
        let selection = Selection::Service(row.service.clone());
        view! {
            <li>
                <code>{row.port}</code>
                " → "
                <button class="link" on:click=move |_| studio.select(Some(selection.clone()))>
                    {row.service}
                </button>
                {row.rest}
                {row.ignored_host_ip.map(|ip| {
                    view! {
                        " "
                        <span class="warn">{format!("(host IP {ip} ignored: listens on 0.0.0.0)")}</span>
                    }
                })}
            </li>
        }
    };
    let route = |row: RouteRow| {
        view! {
            <li>
                <code>{row.rule}</code>
                " → "
                {row.to}
            </li>
        }
    };
    view! {
        <section class="surface card-panel" role="region" aria-label="Exposed surface">
            <h2>"Exposed surface"</h2>
            <p class="figure">
                <strong>{count}</strong>
                {move || if count.get() == 1 { " exposed port" } else { " exposed ports" }}
            </p>
            <ul class="plain">
                {move || ports.get().into_iter().map(port).collect_view()}
            </ul>
            <Show when=move || !routes.with(Vec::is_empty)>
                <h3>"Routes through the edge proxy"</h3>
                <ul class="plain">
                    {move || routes.get().into_iter().map(route).collect_view()}
                </ul>
            </Show>
            <Show when=move || !host.with(String::is_empty)>
                <p class="warn">
                    "On the host network (every port they listen on is exposed): " {move || host.get()}
                </p>
            </Show>
        </section>
    }
}
