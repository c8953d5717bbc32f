//! Routes that edge proxies read from service labels: Traefik v1, v2 and v3
//! (`traefik.http.routers.<r>.rule`, `...services.<s>.loadbalancer.server.port`,
//! `traefik.swarm.network`/`traefik.docker.network`) and Docker Flow Proxy (`com.df.*`).

use crate::model::{ProxyKind, Route};
use crate::yaml::{Location, Node};

/// The label that names the network Traefik v3 uses to reach a service.
pub const TRAEFIK_V3_NETWORK: &str = "traefik.swarm.network";
/// The same label in Traefik v2.
pub const TRAEFIK_V2_NETWORK: &str = "traefik.docker.network";

/// Reads every route from a service's labels. Swarm providers read `deploy.labels`;
/// routes found only in container `labels` are returned with `in_deploy_labels: false`.
pub fn routes(
    labels: &[(String, String)],
    deploy_labels: &[(String, String)],
    service: &Node,
) -> Vec<Route> {
    let mut out = from_labels(deploy_labels, true, service);
    if out.is_empty() {
        out = from_labels(labels, false, service);
    }
    out
}

fn from_labels(labels: &[(String, String)], in_deploy: bool, service: &Node) -> Vec<Route> {
    let get = |key: &str| {
        labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut out = Vec::new();
    let network = get(TRAEFIK_V3_NETWORK)
        .or_else(|| get(TRAEFIK_V2_NETWORK))
        .map(str::to_string);
    if get("traefik.enable") != Some("false") {
        for (key, rule) in labels {
            let Some((kind, router)) = router_rule_key(key) else {
                continue;
            };
            let mut route = Route {
                proxy: ProxyKind::Traefik,
                router: router.to_string(),
                hosts: rule_args(
                    rule,
                    if kind == "tcp" {
                        &["HostSNI"]
                    } else {
                        &["Host", "HostRegexp"]
                    },
                ),
                paths: rule_args(rule, &["PathPrefix", "Path"]),
                port: None,
                network: network.clone(),
                in_deploy_labels: in_deploy,
                at: label_at(service, in_deploy, key),
            };
            let named = get(&format!("traefik.{kind}.routers.{router}.service"));
            route.port = traefik_port(labels, kind, named);
            out.push(route);
        }
        // Traefik v1: one frontend per service.
        if let Some(rule) = get("traefik.frontend.rule") {
            out.push(Route {
                proxy: ProxyKind::Traefik,
                router: "frontend".into(),
                hosts: v1_rule(rule, "Host:"),
                paths: v1_rule(rule, "PathPrefix:"),
                port: get("traefik.port").and_then(|p| p.trim().parse().ok()),
                network: network.clone(),
                in_deploy_labels: in_deploy,
                at: label_at(service, in_deploy, "traefik.frontend.rule"),
            });
        }
    }
    if get("com.df.notify") == Some("true") {
        let all = |prefix: &str| -> Vec<String> {
            labels
                .iter()
                .filter(|(k, _)| {
                    k == prefix
                        || k.strip_prefix(prefix)
                            .is_some_and(|rest| rest.starts_with('.'))
                })
                .flat_map(|(_, v)| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        out.push(Route {
            proxy: ProxyKind::DockerFlowProxy,
            router: "df".into(),
            hosts: all("com.df.serviceDomain"),
            paths: all("com.df.servicePath"),
            port: get("com.df.port").and_then(|p| p.trim().parse().ok()),
            network: None,
            in_deploy_labels: in_deploy,
            at: label_at(service, in_deploy, "com.df.notify"),
        });
    }
    out
}

/// `traefik.http.routers.<r>.rule` -> `("http", r)`.
fn router_rule_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("traefik.")?;
    let (kind, rest) = rest.split_once(".routers.")?;
    if kind != "http" && kind != "tcp" && kind != "udp" {
        return None;
    }
    let router = rest.strip_suffix(".rule")?;
    (!router.contains('.')).then_some((kind, router))
}

/// The port of the router's service: the one it names, else the only one defined.
fn traefik_port(labels: &[(String, String)], kind: &str, named: Option<&str>) -> Option<u16> {
    let prefix = format!("traefik.{kind}.services.");
    let ports: Vec<(&str, &str)> = labels
        .iter()
        .filter_map(|(k, v)| {
            let service = k
                .strip_prefix(&prefix)?
                .strip_suffix(".loadbalancer.server.port")?;
            Some((service, v.as_str()))
        })
        .collect();
    let chosen = match named {
        Some(name) => ports.iter().find(|(s, _)| *s == name),
        None if ports.len() == 1 => ports.first(),
        None => None,
    };
    chosen.and_then(|(_, p)| p.trim().parse().ok())
}

/// Arguments of matchers in a Traefik rule: ``Host(`a`, `b`) && PathPrefix(`/x`)``.
pub fn rule_args(rule: &str, matchers: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = rule;
    while let Some(open) = rest.find('(') {
        // The matcher name is the ASCII word before `(`; step over a whole character,
        // not one byte, when what precedes it is not ASCII.
        let name_start = rest[..open]
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = &rest[name_start..open];
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let args = &rest[open + 1..open + close];
        if matchers.contains(&name) {
            for arg in args.split(',') {
                let arg = arg
                    .trim()
                    .trim_matches(|c| c == '`' || c == '"' || c == '\'');
                if !arg.is_empty() {
                    out.push(arg.to_string());
                }
            }
        }
        rest = &rest[open + close + 1..];
    }
    out
}

fn v1_rule(rule: &str, prefix: &str) -> Vec<String> {
    rule.split(';')
        .filter_map(|part| part.trim().strip_prefix(prefix))
        .flat_map(|values| values.split(',').map(|s| s.trim().to_string()))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Where a label is written in the service's `labels` or `deploy.labels`.
fn label_at(service: &Node, in_deploy: bool, key: &str) -> Location {
    let labels = if in_deploy {
        service.get("deploy").and_then(|d| d.get("labels"))
    } else {
        service.get("labels")
    };
    let Some(labels) = labels else {
        return service.at;
    };
    if let Some((k, _)) = labels.entry(key) {
        return k.at;
    }
    labels
        .as_seq()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i.as_str().is_some_and(|s| s.split('=').next() == Some(key)))
        })
        .map_or(labels.at, |n| n.at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traefik_rules() {
        assert_eq!(
            rule_args("Host(`api.example.com`)", &["Host"]),
            vec!["api.example.com"]
        );
        assert_eq!(
            rule_args("Host(`a.com`, `b.com`) && PathPrefix(`/api`)", &["Host"]),
            vec!["a.com", "b.com"]
        );
        assert_eq!(
            rule_args("Host(`a.com`) && PathPrefix(`/api`)", &["PathPrefix"]),
            vec!["/api"]
        );
        assert_eq!(
            rule_args("Host(`a.com`) || Host(`b.com`)", &["Host"]),
            vec!["a.com", "b.com"]
        );
        assert_eq!(
            v1_rule("Host:a.com,b.com;PathPrefix:/x", "Host:"),
            vec!["a.com", "b.com"]
        );
    }

    #[test]
    fn ports_follow_the_router_service() {
        let labels: Vec<(String, String)> = [
            ("traefik.http.routers.ws.rule", "Host(`stream.example.com`)"),
            ("traefik.http.routers.ws.service", "ws"),
            ("traefik.http.services.ws.loadbalancer.server.port", "8010"),
            ("traefik.http.services.other.loadbalancer.server.port", "9"),
            ("traefik.swarm.network", "scores_web_tier"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let routes = routes(&[], &labels, &Node::map());
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].port, Some(8010));
        assert_eq!(routes[0].hosts, vec!["stream.example.com"]);
        assert_eq!(routes[0].network.as_deref(), Some("scores_web_tier"));
        assert!(routes[0].in_deploy_labels);
    }
}
