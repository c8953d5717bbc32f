//! An Envoy v3 static configuration for an Envoy edge proxy, as seed 003 writes by hand:
//! one HTTP listener on the container port Envoy publishes, one virtual host per host
//! name, and a `STRICT_DNS` cluster per backend on `tasks.<stack>_<service>` (every task's
//! address, so Envoy balances instead of swarm's VIP) and the container port, never the
//! published one. Backends are the routed services and the flows from Envoy.

use std::collections::BTreeMap;

use crate::model::{Model, Service};
use crate::role::{Proxy, Role};
use crate::yaml::{emit, Node, Value};

use super::labels::{is_host_name, shared_network};
use super::{swarm_service, ArtifactError};

/// Envoy's admin port, bound to loopback so it never faces the network.
const ADMIN_PORT: i64 = 9901;

/// Writes envoy.yaml.
pub fn render(model: &Model) -> Result<(String, Vec<String>), ArtifactError> {
    let Some(envoy) = model
        .services
        .iter()
        .find(|s| s.role == Role::EdgeProxy(Proxy::Envoy))
    else {
        return Err(ArtifactError::NotApplicable(
            "no Envoy service in the design (an image named envoy); add one as the edge proxy"
                .to_string(),
        ));
    };
    let mut warnings = Vec::new();
    let listen = envoy
        .ports
        .iter()
        .map(|p| p.target)
        .find(|&t| i64::from(t) != ADMIN_PORT)
        .unwrap_or(10000);

    // host -> [(path, cluster)], and cluster -> (service, port)
    let mut hosts: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut clusters: BTreeMap<String, u16> = BTreeMap::new();
    let mut add =
        |service: &Service, hostnames: Vec<String>, paths: &[String], port: Option<u16>| {
            let Some(port) = port else {
                warnings.push(format!(
                    "{} has no container port for Envoy: set the route's or the flow's port.",
                    service.name
                ));
                return;
            };
            if shared_network(model, service, Proxy::Envoy).is_none() {
                warnings.push(format!(
                    "{} shares no tier with {}: Envoy cannot reach it.",
                    service.name, envoy.name
                ));
            }
            clusters.insert(service.name.clone(), port);
            let paths: Vec<String> = if paths.is_empty() {
                vec!["/".to_string()]
            } else {
                paths.to_vec()
            };
            for host in hostnames {
                let routes = hosts.entry(host).or_default();
                for path in &paths {
                    if !routes.iter().any(|(p, _)| p == path) {
                        routes.push((path.clone(), service.name.clone()));
                    }
                }
            }
        };
    // Routed services first, then the backends Envoy has flows to.
    let mut jobs: Vec<Backend<'_>> = Vec::new();
    for service in &model.services {
        if let Some(route) = service.routes.first() {
            for host in &route.hosts {
                if !is_host_name(host) {
                    return Err(ArtifactError::Host {
                        service: service.name.clone(),
                        host: host.clone(),
                    });
                }
            }
            let hostnames = if route.hosts.is_empty() {
                vec![format!("{}.*", service.name)]
            } else {
                route.hosts.clone()
            };
            jobs.push((service, hostnames, &route.paths, route.port));
        }
    }
    for flow in model.flows.iter().filter(|f| f.from == envoy.name) {
        let Some(service) = model.service(&flow.to) else {
            continue;
        };
        if jobs.iter().any(|(s, ..)| s.name == service.name) {
            continue;
        }
        jobs.push((service, vec![format!("{}.*", service.name)], &[], flow.port));
    }
    for (service, hostnames, paths, port) in jobs {
        add(service, hostnames, paths, port);
    }
    if clusters.is_empty() {
        return Err(ArtifactError::NotApplicable(format!(
            "{} routes nowhere: add a flow from {} to a backend with its port, or a route",
            envoy.name, envoy.name
        )));
    }

    let virtual_hosts = hosts
        .into_iter()
        .map(|(host, mut routes)| {
            // Longest prefix first: Envoy takes the first route that matches.
            crate::sort::sort_by(&mut routes, |a, b| {
                b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0))
            });
            let routes = routes
                .into_iter()
                .map(|(path, cluster)| {
                    map(vec![
                        ("match", map(vec![("prefix", s(&path))])),
                        ("route", map(vec![("cluster", s(&cluster))])),
                    ])
                })
                .collect();
            map(vec![
                ("name", s(&host)),
                ("domains", seq(vec![s(&host)])),
                ("routes", seq(routes)),
            ])
        })
        .collect();
    let hcm = map(vec![
        (
            "@type",
            s("type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
        ),
        ("stat_prefix", s("ingress_http")),
        ("strip_any_host_port", Node::new(Value::Bool(true))),
        (
            "route_config",
            map(vec![("name", s("routes")), ("virtual_hosts", seq(virtual_hosts))]),
        ),
        (
            "http_filters",
            seq(vec![map(vec![
                ("name", s("envoy.filters.http.router")),
                (
                    "typed_config",
                    map(vec![(
                        "@type",
                        s("type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"),
                    )]),
                ),
            ])]),
        ),
    ]);
    let listener = map(vec![
        ("name", s("http")),
        ("address", socket("0.0.0.0", i64::from(listen))),
        (
            "filter_chains",
            seq(vec![map(vec![(
                "filters",
                seq(vec![map(vec![
                    ("name", s("envoy.filters.network.http_connection_manager")),
                    ("typed_config", hcm),
                ])]),
            )])]),
        ),
    ]);
    let clusters = clusters
        .into_iter()
        .map(|(name, port)| {
            let address = format!("tasks.{}", swarm_service(model, &name));
            map(vec![
                ("name", s(&name)),
                ("type", s("STRICT_DNS")),
                ("connect_timeout", s("5s")),
                ("lb_policy", s("ROUND_ROBIN")),
                ("dns_lookup_family", s("V4_ONLY")),
                (
                    "load_assignment",
                    map(vec![
                        ("cluster_name", s(&name)),
                        (
                            "endpoints",
                            seq(vec![map(vec![(
                                "lb_endpoints",
                                seq(vec![map(vec![(
                                    "endpoint",
                                    map(vec![("address", socket(&address, i64::from(port)))]),
                                )])]),
                            )])]),
                        ),
                    ]),
                ),
            ])
        })
        .collect();
    let doc = map(vec![
        (
            "admin",
            map(vec![("address", socket("127.0.0.1", ADMIN_PORT))]),
        ),
        (
            "static_resources",
            map(vec![
                ("listeners", seq(vec![listener])),
                ("clusters", seq(clusters)),
            ]),
        ),
    ]);
    let mut out = format!(
        "# Envoy v3 static configuration for {} in stack {}, generated by tiermap.\n# Clusters use tasks.<stack>_<service> and the container port (not the published one).\n",
        envoy.name, model.stack
    );
    for w in &warnings {
        out.push_str(&format!("# WARNING: {w}\n"));
    }
    out.push_str(&emit(&doc));
    Ok((out, warnings))
}

/// A service Envoy sends to: the host names and paths that lead there, and its port.
type Backend<'a> = (&'a Service, Vec<String>, &'a [String], Option<u16>);

fn s(text: &str) -> Node {
    Node::str(text)
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::map_of(
        entries
            .into_iter()
            .map(|(k, v)| (Node::str(k), v))
            .collect(),
    )
}

fn seq(items: Vec<Node>) -> Node {
    Node::seq_of(items)
}

fn socket(address: &str, port: i64) -> Node {
    map(vec![(
        "socket_address",
        map(vec![
            ("address", s(address)),
            ("port_value", Node::new(Value::Int(port))),
        ]),
    )])
}
