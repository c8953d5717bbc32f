//! What docker refuses or ignores: the facts import records as [`Problem`]s, and the
//! names swarm refuses when the stack is deployed.

use super::*;
use crate::model::Refusal;
use crate::names;

pub(super) fn problems(out: &mut Out) {
    for problem in &out.model.problems {
        match problem {
            Problem::UndefinedNetwork { service, network, at } => out.push(
                Rule::UndefinedNetwork, Severity::Error, &format!("{service}:{network}"), Some(service), Some(network), *at,
                format!("`{service}` is on network `{network}`, which the file does not define; `docker stack deploy` fails"),
                format!("add `{network}:` under the top-level `networks:`"),
                Some(FixAction::DefineNetwork { tier: network.clone() }),
            ),
            Problem::DependsOnMapping { service, at } => out.push(
                Rule::DependsOnMapping, Severity::Error, service, Some(service), None, *at,
                format!("`{service}` writes `depends_on` as a mapping (with conditions), which `docker stack config` rejects"),
                "write it as a list of service names; swarm does not order start-up anyway",
                Some(FixAction::DependsOnList { service: service.clone() }),
            ),
            Problem::NoImage { service, at } => out.push(
                Rule::NoImage, Severity::Error, service, Some(service), None, *at,
                format!("`{service}` has no `image:`; stack deploy does not build images"),
                "build and push the image, then set `image:`",
                None,
            ),
            // `security_opt` has a rule of its own, which says what it fails to do.
            Problem::IgnoredKey { key, .. } if key == "security_opt" => {}
            Problem::IgnoredKey { service, key, at } => {
                let (severity, effect, fix) = ignored(key);
                let action = (key == "tmpfs").then(|| FixAction::TmpfsAsMounts { service: service.clone() });
                out.push(
                    Rule::IgnoredKey, severity, &format!("{service}:{key}"), Some(service), None, *at,
                    if key == "restart" {
                        format!("`docker stack deploy` says it ignores `restart` on `{service}`, but {effect}")
                    } else {
                        format!("`docker stack deploy` ignores `{key}` on `{service}`: {effect}")
                    },
                    fix,
                    action,
                );
            }
            Problem::RejectedKey { service, key, at } => out.push(
                Rule::RejectedKey, Severity::Error, &format!("{service}:{key}"), Some(service), None, *at,
                format!("`docker stack deploy` refuses `{key}` on `{service}`"),
                "use the `deploy:` equivalent (e.g. `deploy.resources.limits.memory` for `mem_limit`)",
                None,
            ),
            Problem::UnknownFlowService { name, at } => out.push(
                Rule::UnknownFlowService, Severity::Warning, name, None, None, *at,
                format!("a flow in `x-tiermap.flows` names `{name}`, which is not a service"),
                "rename or remove the flow",
                None,
            ),
            Problem::UnsupportedVersion { version, at } => out.push(
                Rule::UnsupportedVersion, Severity::Error, version, None, None, *at,
                format!("compose file version {version} is not supported by `docker stack deploy` (\"unsupported Compose file version\"); it takes 3.0 to 3.13"),
                "write `version: \"3.8\"` (or no `version:`, which means 3.13) and move the swarm settings under `deploy:`",
                None,
            ),
            Problem::Refused { path, reason, at } => refused(out, path, reason, *at),
            Problem::UnsetVariable { name, at } => out.push(
                Rule::UnsetVariable, Severity::Info, name, None, None, *at,
                format!("variable `{name}` has no value and no default here; it was read as empty"),
                format!("give it a default (`${{{name}:-value}}`) or set it where you deploy"),
                None,
            ),
        }
    }
}

/// What happens to a key stack deploy ignores, and what works on swarm instead.
fn ignored(key: &str) -> (Severity, &'static str, &'static str) {
    match key {
        "privileged" => (Severity::Info, "swarm does not run privileged tasks, so the task starts without extra devices or capabilities", "grant the capabilities it needs with `cap_add` (swarm honours it), or run it outside the stack with `docker run`"),
        "devices" => (Severity::Info, "swarm passes no devices to tasks", "run what needs a device outside the stack, or expose it as a generic resource on the nodes that have it"),
        "tmpfs" => (Severity::Warning, "it drops the service-level `tmpfs:` without a warning, so those paths are on the container's own filesystem (and fail to write under `read_only: true`)", "mount them as `volumes: [{type: tmpfs, target: /path}]`, which swarm honours"),
        "pid" | "ipc" | "userns_mode" | "cgroupns_mode" | "cgroup_parent" => (Severity::Info, "the task gets Docker's defaults (its own namespaces)", "remove it; a task that needs the node's namespaces does not belong in a stack"),
        // docker/cli's conversion never reads `network_mode`; tiermap still draws the
        // service on the host network (DOMAIN.md), as docker compose would run it.
        "network_mode" => (Severity::Info, "its conversion never reads it (\"Ignoring unsupported options\"), so the diagram's host network is what docker compose would do, not swarm", "attach the service to the tiers it needs; for the node's network, attach the external `host` network"),
        "restart" => (Severity::Info, "it reads it as the restart policy when `deploy.restart_policy` is missing, and `restart: \"no\"` then means swarm's default: restart always", "write `deploy.restart_policy.condition` (`none`, `on-failure` or `any`) instead"),
        "build" => (Severity::Info, "stack deploy does not build images", "build and push the image in CI, and set `image:`"),
        "container_name" => (Severity::Info, "swarm names tasks itself (`<stack>_<service>.<n>.<id>`)", "remove it; other services reach this one by its service name"),
        "links" | "external_links" => (Severity::Info, "services on a shared network reach each other by name already", "remove it and put both services on a common tier"),
        "expose" => (Severity::Info, "on a shared network every port is reachable anyway", "remove it; tiers, not `expose:`, decide who reaches the service"),
        _ => (Severity::Info, "swarm has no such setting", "remove it from the stack file, or keep it for docker compose"),
    }
}

/// The service or tier a document path is about (`services.api.ports.0` -> `api`).
fn subject(path: &str, section: &str) -> Option<String> {
    let rest = path.strip_prefix(section)?.strip_prefix('.')?;
    Some(rest.split('.').next().unwrap_or(rest).to_string()).filter(|s| !s.is_empty())
}

/// Keys of docker compose that stack files write elsewhere.
fn hint(key: &str) -> Option<&'static str> {
    Some(match key {
        "pids_limit" => "write `deploy.resources.limits.pids` (file format 3.9 and later)",
        "cpus" => "write `deploy.resources.limits.cpus`",
        "mem_reservation" => "write `deploy.resources.reservations.memory`",
        "host_ip" => "drop it: swarm publishes on every address of the node and cannot bind to one (limit who reaches the port with the firewall, `tiermap export --to iptables`)",
        "platform" => "use a placement constraint such as `node.platform.arch == x86_64`",
        "profiles" | "pull_policy" | "develop" | "gpus" | "runtime" | "scale" | "mem_swappiness" | "storage_opt" | "volumes_from" => "it is a docker compose key that stack files do not have; remove it",
        _ => return None,
    })
}

fn refused(out: &mut Out, path: &str, reason: &Refusal, at: Location) {
    let named = |section: &str| match reason {
        Refusal::BadName { name } if path == section => Some(name.clone()),
        _ => subject(path, section),
    };
    let (service, tier) = (named("services"), named("networks"));
    let from = "`docker stack config` refuses the file";
    let (rule, subject, message, fix, action): (Rule, String, String, String, Option<FixAction>) =
        match reason {
            Refusal::UnknownKey { key, since } => {
                let fix = match (since, hint(key)) {
                (Some(v), _) => format!("it needs file format {v} or later: set `version: \"{v}\"` (or remove `version:`, which means 3.13)"),
                (None, Some(h)) => h.to_string(),
                (None, None) => "remove it, or fix its spelling (see the compose file reference for version 3)".to_string(),
            };
                let action = match (key.as_str(), &service) {
                    ("host_ip", Some(s)) if path.contains(".ports.") => out
                        .model
                        .service(s)
                        .and_then(|svc| svc.ports.iter().rfind(|p| p.at <= at))
                        .map(|p| FixAction::DropHostIp {
                            service: s.clone(),
                            target: p.target,
                        }),
                    _ => None,
                };
                (
                Rule::UnknownKey,
                format!("{path}.{key}"),
                format!("{from}: `{path}` has `{key}`, which the compose file format does not allow there (\"Additional property {key} is not allowed\")"),
                fix,
                action,
            )
            }
            Refusal::WrongType { expected, found } => {
                let fix = if path.ends_with(".cpus") {
                    "quote the number: `cpus: \"0.5\"`".to_string()
                } else if path == "version" {
                    "quote it: `version: \"3.8\"`".to_string()
                } else if expected.contains("string") && found == "a boolean" {
                    "quote it (`\"true\"`), or write it as a `KEY=value` list item".to_string()
                } else {
                    format!("write {expected} here")
                };
                (
                    Rule::WrongType,
                    path.to_string(),
                    format!("{from}: `{path}` must be {expected}, not {found}"),
                    fix,
                    None,
                )
            }
            Refusal::BadName { name } => {
                let section = path.split('.').next().unwrap_or(path);
                let action = (section == "services").then(|| FixAction::RenameService {
                    from: name.clone(),
                    to: clean_name(name),
                });
                (
                Rule::InvalidName,
                format!("{section}.{name}"),
                format!("{from}: the name `{name}` under `{section}` has characters outside letters, digits, `.`, `_` and `-`"),
                format!("rename it, e.g. `{}`", clean_name(name)),
                action,
            )
            }
            other => {
                let (what, fix) = match other {
                Refusal::Repeated { first, second } => (format!("repeats item {first} as item {second}"), "remove the repeated item".to_string()),
                Refusal::Missing { key } => (format!("lacks `{key}`"), format!("add `{key}:`")),
                Refusal::BadDuration { text } => (format!("holds `{text}`, which is not a duration"), "write a number with a unit: `10s`, `1m30s`, `500ms`".to_string()),
                Refusal::BadSize { text } => (format!("holds `{text}`, which is not a size"), "write a number with a unit: `512M`, `1G`".to_string()),
                Refusal::NotOneOf { text, options } => (format!("holds `{text}`"), format!("write one of {options}")),
                Refusal::BadPort { text } => (format!("holds `{text}`, which is not a port"), "write `PUBLISHED:TARGET[/PROTOCOL]` or the long syntax".to_string()),
                Refusal::BadCast { text } => (format!("becomes `{text}` after interpolation, which is not the number or boolean it must be"), "give the variable a value of the right type, or a default (`${VAR:-1}`)".to_string()),
                Refusal::Interpolation { text, reason } => (format!("holds `{text}`, which docker cannot interpolate ({reason})"), "write `$$` for a literal `$`".to_string()),
                Refusal::UnknownKey { .. } | Refusal::WrongType { .. } | Refusal::BadName { .. } => (String::new(), String::new()),
            };
                (
                    Rule::InvalidValue,
                    path.to_string(),
                    format!("{from}: `{path}` {what}"),
                    fix,
                    None,
                )
            }
        };
    out.push(
        rule,
        Severity::Error,
        &subject,
        service.as_deref(),
        tier.as_deref(),
        at,
        message,
        fix,
        action,
    );
}

/// A name Docker and swarm accept, made from one they refuse: other characters become
/// `-`, and the name starts and ends with a letter or digit.
pub(crate) fn clean_name(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = mapped.trim_matches(|c| c == '-' || c == '_');
    if clean.is_empty() {
        "service".to_string()
    } else {
        clean.to_string()
    }
}

/// Names swarm refuses when the stack is deployed: a service or network is created as
/// `<stack>_<key>`, which must be a DNS label (letters and digits, `-` and `_` inside,
/// no `.`) of at most 63 characters.
pub(super) fn names(out: &mut Out) {
    let model = out.model;
    let stack = model.stack.as_str();
    for service in &model.services {
        let key = service.name.as_str();
        if !names::schema_name(key) {
            continue; // `docker stack config` refuses it first (invalid-name).
        }
        let full = format!("{stack}_{key}");
        if let Err(e) = names::swarm_name(&full) {
            let clean = clean_name(key);
            out.push(
                Rule::SwarmNameRefused,
                Severity::Error,
                key,
                Some(key),
                None,
                service.at,
                format!("swarm refuses to create service `{full}` when the stack is deployed as `{stack}`: {e}"),
                if clean != key {
                    format!("rename `{key}`, e.g. `{clean}`")
                } else {
                    "shorten the service or the stack name".to_string()
                },
                (clean != key).then(|| FixAction::RenameService { from: key.into(), to: clean }),
            );
        }
    }
    for tier in model.tiers.iter().filter(|t| t.declared && !t.external) {
        let full = tier.swarm_name(stack);
        if !names::schema_name(&tier.key) {
            continue;
        }
        if let Err(e) = names::swarm_name(&full) {
            out.push(
                Rule::SwarmNameRefused,
                Severity::Error,
                &tier.key,
                None,
                Some(&tier.key),
                tier.at,
                format!("swarm refuses to create network `{full}` when the stack is deployed as `{stack}`: {e}"),
                "rename the network (or its `name:`) with letters, digits, `-` and `_` only",
                None,
            );
        }
    }
}
