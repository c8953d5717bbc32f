//! Intended flows: inferred from the file (`depends_on`, proxy routes, environment
//! values and command arguments that name a service as a host) and checked against
//! reachability.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Flow, FlowOrigin, Model, ProxyKind};
use crate::reachability::Reachability;
use crate::role::{Proxy, Role};

/// Environment keys whose bare value (`DB_HOST=postgres`) names a host.
const HOST_KEY_HINTS: &[&str] = &[
    "HOST", "ADDR", "SERVER", "URL", "URI", "ENDPOINT", "BROKER", "PROXY", "LISTENER", "DSN",
    "TARGET",
];

/// Flows the file implies.
pub fn infer(model: &Model) -> Vec<Flow> {
    let mut out = Vec::new();
    let index = model.service_indices();
    let prefix = format!("{}_", model.stack);
    let proxies: Vec<&crate::model::Service> = model
        .services
        .iter()
        .filter(|s| matches!(s.role, Role::EdgeProxy(_)))
        .collect();
    for service in &model.services {
        for dep in &service.depends_on {
            if index.contains_key(dep.as_str()) {
                out.push(Flow {
                    from: service.name.clone(),
                    to: dep.clone(),
                    port: None,
                    origin: FlowOrigin::DependsOn,
                    at: service.at,
                });
            }
        }
        for route in &service.routes {
            let wanted = match route.proxy {
                ProxyKind::Traefik => Proxy::Traefik,
                ProxyKind::DockerFlowProxy => Proxy::DockerFlowProxy,
            };
            for proxy in proxies
                .iter()
                .filter(|s| s.role == Role::EdgeProxy(wanted) && s.name != service.name)
            {
                out.push(Flow {
                    from: proxy.name.clone(),
                    to: service.name.clone(),
                    port: route.port,
                    origin: FlowOrigin::ProxyRoute,
                    at: route.at,
                });
            }
        }
        // Environment values and command arguments that name a host: the key its hint
        // is read from, the value, and where the flow comes from.
        let named = service
            .environment
            .iter()
            .map(|(key, value)| {
                let origin = FlowOrigin::Environment(key.clone());
                (key.as_str(), value.as_str(), origin)
            })
            .chain(
                command_arguments(&service.command)
                    .into_iter()
                    .map(|(flag, value)| {
                        let word = if flag.is_empty() { value } else { flag };
                        (host_key(flag), value, FlowOrigin::Command(word.to_string()))
                    }),
            );
        for (key, value, origin) in named {
            for (host, port) in hosts_in(value, key) {
                let Some(target) = resolve(&index, &prefix, &host) else {
                    continue;
                };
                if target != service.name {
                    out.push(Flow {
                        from: service.name.clone(),
                        to: target.to_string(),
                        port,
                        origin: origin.clone(),
                        at: service.at,
                    });
                }
            }
        }
    }
    out
}

/// The key [`hosts_in`] reads a command flag's hint from: `-h` is `--host` to the
/// clients that take a host (`mysqldump`, `psql`, `redis-cli`).
fn host_key(flag: &str) -> &str {
    if flag == "-h" {
        "HOST"
    } else {
        flag
    }
}

/// A command's arguments as (flag, value) pairs, so [`hosts_in`] reads them as it reads
/// environment entries: `--consul.endpoint=consul:8500` and `--host db` give the flag
/// as the key; any other word (`wait-for-it db:3306`, a URL) comes with an empty key.
/// Shell text (`sh -c "mysqldump --host=db ..."`) is split at spaces and quotes.
fn command_arguments(command: &[String]) -> Vec<(&str, &str)> {
    let words: Vec<&str> = command
        .iter()
        .flat_map(|w| w.split(|c: char| c.is_whitespace() || c == '"' || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, &word) in words.iter().enumerate() {
        match word.split_once('=') {
            Some((flag, value)) if flag.starts_with('-') => out.push((flag, value)),
            _ => {
                out.push(("", word));
                // `--host db`, `-h db`: the flag names the next word a host.
                let next = words.get(i + 1).filter(|n| !n.starts_with('-'));
                if let Some(&next) = next.filter(|_| word.starts_with('-')) {
                    out.push((word, next));
                }
            }
        }
    }
    out
}

/// Keeps the first flow of each (from, to, port), so user flows win over inferred ones.
/// An inferred flow without a port goes where the same pair has a flow with one:
/// `depends_on: [vault]` and `VAULT_URL=http://vault:8200` name one connection, which
/// is one arrow, not two.
pub fn dedup(flows: Vec<Flow>) -> Vec<Flow> {
    let ported: std::collections::HashSet<(String, String)> = flows
        .iter()
        .filter(|f| f.port.is_some())
        .map(|f| (f.from.clone(), f.to.clone()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    flows
        .into_iter()
        .filter(|f| {
            f.port.is_some()
                || f.origin == FlowOrigin::User
                || !ported.contains(&(f.from.clone(), f.to.clone()))
        })
        .filter(|f| seen.insert((f.from.clone(), f.to.clone(), f.port)))
        .collect()
}

/// The service a host name resolves to: `name`, `tasks.name`, `<stack>_name`.
fn resolve<'m>(index: &HashMap<&'m str, usize>, stack_prefix: &str, host: &str) -> Option<&'m str> {
    let host = host.strip_prefix("tasks.").unwrap_or(host);
    let host = host.strip_prefix(stack_prefix).unwrap_or(host);
    index.get_key_value(host).map(|(name, _)| *name)
}

/// Host names (with ports) an environment value points at: URLs
/// (`postgres://admin@postgres:5432/db`), `host:port` lists, or a bare host under a
/// key like `DB_HOST`.
pub fn hosts_in(value: &str, key: &str) -> Vec<(String, Option<u16>)> {
    let mut out = Vec::new();
    for token in value.split([',', ';', ' ']).filter(|t| !t.is_empty()) {
        let (had_scheme, rest) = match token.split_once("://") {
            Some((_, rest)) => (true, rest),
            None => (false, token),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => match p.parse::<u16>() {
                Ok(port) => (h, Some(port)),
                Err(_) => continue,
            },
            None => (authority, None),
        };
        if host.is_empty() {
            continue;
        }
        // The key's hint is looked at only when the value says nothing itself.
        let hinted = || {
            let key = key.to_ascii_uppercase();
            HOST_KEY_HINTS.iter().any(|h| key.contains(h))
        };
        if !(had_scheme || port.is_some() || hinted()) {
            continue;
        }
        out.push((host.to_string(), port));
    }
    out
}

/// Whether a flow can happen on the designed networks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowCheck {
    /// Index into `Model::flows`.
    pub flow: usize,
    /// The networks that carry it; empty when no network allows it.
    pub networks: Vec<String>,
}

impl FlowCheck {
    /// True when no shared network allows the flow: it will fail at run time.
    pub fn blocked(&self) -> bool {
        self.networks.is_empty()
    }
}

/// Checks every flow against reachability.
pub fn check(model: &Model, reach: &Reachability) -> Vec<FlowCheck> {
    let index = model.service_indices();
    model
        .flows
        .iter()
        .enumerate()
        .map(|(i, flow)| {
            let networks = match (index.get(flow.from.as_str()), index.get(flow.to.as_str())) {
                (Some(&a), Some(&b)) => reach
                    .between(a, b)
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            FlowCheck { flow: i, networks }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_from_environment_values() {
        assert_eq!(
            hosts_in("postgres://admin@postgres:5432/scores", "DATABASE_URL"),
            vec![("postgres".into(), Some(5432))]
        );
        assert_eq!(
            hosts_in("http://proxy:8080/v1/docker-flow-proxy/reconfigure", "X"),
            vec![("proxy".into(), Some(8080))]
        );
        assert_eq!(
            hosts_in("postgres", "DB_HOST"),
            vec![("postgres".into(), None)]
        );
        assert!(hosts_in("postgres", "POSTGRES_USER").is_empty());
        assert_eq!(
            hosts_in("kafka:9092,zk:2181", "BROKERS"),
            vec![("kafka".into(), Some(9092)), ("zk".into(), Some(2181))]
        );
        assert!(hosts_in("12:30", "TIME").iter().all(|(h, _)| h == "12"));
    }

    #[test]
    fn a_connection_named_with_and_without_its_port_is_one_flow() {
        let flow = |to: &str, port: Option<u16>, origin: FlowOrigin| Flow {
            from: "api".into(),
            to: to.into(),
            port,
            origin,
            at: Default::default(),
        };
        let kept = dedup(vec![
            flow("vault", None, FlowOrigin::DependsOn),
            flow(
                "vault",
                Some(8200),
                FlowOrigin::Environment("VAULT_URL".into()),
            ),
            flow("db", None, FlowOrigin::DependsOn),
            flow("cache", None, FlowOrigin::User),
            flow(
                "cache",
                Some(6379),
                FlowOrigin::Environment("REDIS_URL".into()),
            ),
        ]);
        let kept: Vec<(&str, Option<u16>)> = kept.iter().map(|f| (f.to.as_str(), f.port)).collect();
        // The user's own flow stays as written, beside the one the file implies.
        assert_eq!(
            kept,
            [
                ("vault", Some(8200)),
                ("db", None),
                ("cache", None),
                ("cache", Some(6379))
            ]
        );
    }

    #[test]
    fn hosts_from_command_arguments() {
        let hosts = |words: &[&str]| -> Vec<(String, Option<u16>)> {
            let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            command_arguments(&words)
                .into_iter()
                .flat_map(|(flag, value)| hosts_in(value, host_key(flag)))
                .collect()
        };
        assert_eq!(
            hosts(&["--providers.docker.endpoint=tcp://socket-proxy:2375"]),
            vec![("socket-proxy".into(), Some(2375))]
        );
        assert_eq!(
            hosts(&[
                "/usr/bin/wait-for.sh",
                "-t",
                "0",
                "db:3306",
                "--",
                "/run.sh"
            ]),
            vec![("db".into(), Some(3306))]
        );
        assert_eq!(
            hosts(&[
                "sh",
                "-c",
                "mysqldump --all-databases --host=db > /backup/all.sql"
            ]),
            vec![("db".into(), None)]
        );
        assert_eq!(
            hosts(&["redis-cli", "-h", "cache", "ping"]),
            vec![("cache".into(), None)]
        );
        assert_eq!(
            hosts(&["--redis-host", "cache"]),
            vec![("cache".into(), None)]
        );
        // Flags and words that name no host give none.
        assert!(hosts(&["--appendonly", "yes", "-t", "120", "--port=6379"]).is_empty());
        assert!(hosts(&["--entrypoints.web.address=:80"]).is_empty());
    }
}
