//! The rules: each finding has a stable id, a severity, the service or tier it is
//! about, the place in the file, a sentence and the fix.

use std::borrow::Cow;

use serde::Serialize;

use crate::blast_radius::BlastRadius;
use crate::flows::{self, FlowCheck};
use crate::model::{Encryption, Model, Problem, ProxyKind, PublishMode, Service};
use crate::reachability::Reachability;
use crate::role::{port_role, Role};
use crate::yaml::Location;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be fixed.
    Warning,
    /// Fails at deploy or run time, or exposes data.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Every rule tiermap checks. The kebab-case name is part of each finding's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A database port is published.
    DatabasePublished,
    /// A message bus port is published.
    MessageBusPublished,
    /// Swarm's own ports (2377, 7946, 4789) are published.
    SwarmPortPublished,
    /// An overlay without encryption.
    UnencryptedOverlay,
    /// `encrypted: true` written on the network, which swarm rejects.
    EncryptedKeyRejected,
    /// `driver_opts.encrypted` as a boolean, which swarm rejects.
    EncryptedBoolean,
    /// `attachable: true`.
    AttachableNetwork,
    /// A host IP on a published port, which swarm ignores.
    HostIpIgnored,
    /// The Docker socket is mounted.
    DockerSocket,
    /// The edge proxy sits on a tier that holds a database.
    ProxyOnDatabaseTier,
    /// A routed service on several networks without the proxy's network label.
    RouteNetworkUnset,
    /// A Traefik route with no `loadbalancer.server.port`.
    RoutePortMissing,
    /// Traefik labels under `labels:` instead of `deploy.labels:`.
    RouteLabelsNotDeploy,
    /// No health check declared.
    NoHealthCheck,
    /// No resource limits.
    NoResourceLimits,
    /// A routed service with a single replica.
    SingleReplicaRouted,
    /// A service names a network the file does not define.
    UndefinedNetwork,
    /// `endpoint_mode: dnsrr` with an ingress-published port.
    DnsrrWithIngress,
    /// Two services publish the same port.
    DuplicatePublishedPort,
    /// An intended flow that no network allows.
    FlowBlocked,
    /// Reachability that no flow uses.
    OverPermissive,
    /// `depends_on` as a mapping, which `docker stack config` rejects.
    DependsOnMapping,
    /// A service without `image:`.
    NoImage,
    /// A key `docker stack deploy` ignores.
    IgnoredKey,
    /// A key `docker stack deploy` rejects.
    RejectedKey,
    /// A flow names a service that does not exist.
    UnknownFlowService,
    /// A compose version stack deploy does not take.
    UnsupportedVersion,
    /// A variable with no value and no default.
    UnsetVariable,
    /// Every port of a host-network service is exposed.
    HostNetwork,
    /// An internal network that still gets egress through ingress.
    InternalWithIngress,
}

impl Rule {
    /// The rule's stable name, e.g. `database-published`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::DatabasePublished => "database-published",
            Rule::MessageBusPublished => "message-bus-published",
            Rule::SwarmPortPublished => "swarm-port-published",
            Rule::UnencryptedOverlay => "unencrypted-overlay",
            Rule::EncryptedKeyRejected => "encrypted-key-rejected",
            Rule::EncryptedBoolean => "encrypted-boolean",
            Rule::AttachableNetwork => "attachable-network",
            Rule::HostIpIgnored => "host-ip-ignored",
            Rule::DockerSocket => "docker-socket",
            Rule::ProxyOnDatabaseTier => "proxy-on-database-tier",
            Rule::RouteNetworkUnset => "route-network-unset",
            Rule::RoutePortMissing => "route-port-missing",
            Rule::RouteLabelsNotDeploy => "route-labels-not-deploy",
            Rule::NoHealthCheck => "no-health-check",
            Rule::NoResourceLimits => "no-resource-limits",
            Rule::SingleReplicaRouted => "single-replica-routed",
            Rule::UndefinedNetwork => "undefined-network",
            Rule::DnsrrWithIngress => "dnsrr-with-ingress",
            Rule::DuplicatePublishedPort => "duplicate-published-port",
            Rule::FlowBlocked => "flow-blocked",
            Rule::OverPermissive => "over-permissive",
            Rule::DependsOnMapping => "depends-on-mapping",
            Rule::NoImage => "no-image",
            Rule::IgnoredKey => "ignored-key",
            Rule::RejectedKey => "rejected-key",
            Rule::UnknownFlowService => "unknown-flow-service",
            Rule::UnsupportedVersion => "unsupported-version",
            Rule::UnsetVariable => "unset-variable",
            Rule::HostNetwork => "host-network",
            Rule::InternalWithIngress => "internal-with-ingress",
        }
    }
}

/// A change tiermap can make to the document to fix a finding, offered, never applied
/// on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum FixAction {
    /// Replace `encrypted: true` (or a boolean under `driver_opts`) with
    /// `driver_opts: { encrypted: "" }`.
    EncryptTier {
        /// Network key.
        tier: String,
    },
    /// Set `attachable: false`.
    MakeNotAttachable {
        /// Network key.
        tier: String,
    },
    /// Remove the published ports of a service that match `target`.
    Unpublish {
        /// Service.
        service: String,
        /// Container port.
        target: u16,
    },
    /// Drop the host IP from a short-syntax port.
    DropHostIp {
        /// Service.
        service: String,
        /// Container port.
        target: u16,
    },
    /// Add a network to the top-level `networks:` (as an overlay).
    DefineNetwork {
        /// Network key.
        tier: String,
    },
    /// Attach the client of a blocked flow to a network the server is on.
    Attach {
        /// Service to attach.
        service: String,
        /// Network key.
        tier: String,
    },
    /// Set the proxy network label on a routed service.
    SetRouteNetwork {
        /// Service.
        service: String,
        /// Label key.
        label: String,
        /// Network name.
        network: String,
    },
    /// Move Traefik labels from `labels` to `deploy.labels`.
    MoveLabelsToDeploy {
        /// Service.
        service: String,
    },
    /// Rewrite map-form `depends_on` as a list.
    DependsOnList {
        /// Service.
        service: String,
    },
}

/// A problem found in a design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable id: the rule name and the subject, e.g. `database-published:postgres:5432`.
    pub id: String,
    /// The rule.
    pub rule: Rule,
    /// How serious.
    pub severity: Severity,
    /// One sentence for people.
    pub message: String,
    /// The service it is about.
    pub service: Option<String>,
    /// The tier it is about.
    pub tier: Option<String>,
    /// Where in the file (line 0 when not from the file).
    pub at: Location,
    /// How to fix it, in words.
    pub fix: Cow<'static, str>,
    /// The edit tiermap can apply for it.
    pub action: Option<FixAction>,
    /// The team's note when the finding was accepted.
    pub accepted: Option<String>,
}

struct Out<'m> {
    model: &'m Model,
    list: Vec<Finding>,
    /// Tiers at least one service sits on.
    used_tiers: std::collections::HashSet<&'m str>,
    /// The edge proxies.
    proxies: Vec<&'m Service>,
}

impl Out<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: Rule,
        severity: Severity,
        subject: &str,
        service: Option<&str>,
        tier: Option<&str>,
        at: Location,
        message: impl Into<Cow<'static, str>>,
        fix: impl Into<Cow<'static, str>>,
        action: Option<FixAction>,
    ) {
        let (message, fix) = (message.into().into_owned(), fix.into());
        let id = if subject.is_empty() {
            rule.name().to_string()
        } else {
            format!("{}:{subject}", rule.name())
        };
        let accepted = self
            .model
            .accepted
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.note.clone());
        self.list.push(Finding {
            id,
            rule,
            severity,
            message,
            service: service.map(str::to_string),
            tier: tier.map(str::to_string),
            at,
            fix,
            action,
            accepted,
        });
    }
}

/// Runs every rule. Findings come sorted by severity (errors first), then file order.
pub fn analyze(
    model: &Model,
    reach: &Reachability,
    blast: &BlastRadius,
    checks: &[FlowCheck],
) -> Vec<Finding> {
    let mut out = Out {
        model,
        list: Vec::new(),
        used_tiers: model
            .services
            .iter()
            .flat_map(|s| s.networks.iter().map(|a| a.tier.as_str()))
            .collect(),
        proxies: model
            .services
            .iter()
            .filter(|s| matches!(s.role, Role::EdgeProxy(_)))
            .collect(),
    };
    tiers(&mut out);
    for service in &model.services {
        ports(&mut out, service);
        service_rules(&mut out, service);
    }
    duplicate_ports(&mut out);
    proxies(&mut out, blast);
    problems(&mut out);
    flow_rules(&mut out, reach, checks);
    let mut list = out.list;
    list.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.at.cmp(&b.at)));
    list
}

fn tiers(out: &mut Out) {
    let model = out.model;
    for tier in &model.tiers {
        let key = tier.key.as_str();
        let used = out.used_tiers.contains(key);
        match tier.encryption {
            Encryption::TopLevelKey => out.push(
                Rule::EncryptedKeyRejected, Severity::Error, key, None, Some(key), tier.at,
                format!("network `{key}` has `encrypted: true`, which `docker stack deploy` rejects (\"Additional property encrypted is not allowed\") and which would not encrypt anything"),
                "write `driver_opts: { encrypted: \"\" }` instead",
                Some(FixAction::EncryptTier { tier: key.into() }),
            ),
            Encryption::DriverOptBoolean => out.push(
                Rule::EncryptedBoolean, Severity::Error, key, None, Some(key), tier.at,
                format!("network `{key}` sets `driver_opts.encrypted` to a boolean, which `docker stack deploy` rejects; driver options are strings"),
                "write `encrypted: \"\"` (any string value encrypts, even \"false\")",
                Some(FixAction::EncryptTier { tier: key.into() }),
            ),
            Encryption::Off if used && tier.is_overlay() && !tier.external && tier.key != "default" => out.push(
                Rule::UnencryptedOverlay, Severity::Warning, key, None, Some(key), tier.at,
                format!("overlay `{key}` is not encrypted: traffic between nodes crosses the wire in clear"),
                "add `driver_opts: { encrypted: \"\" }` (IPsec; open ESP, IP protocol 50, between nodes)",
                Some(FixAction::EncryptTier { tier: key.into() }),
            ),
            Encryption::Off if used && tier.key == "default" => out.push(
                Rule::UnencryptedOverlay, Severity::Info, key, None, Some(key), tier.at,
                "services with no `networks:` share the stack's unencrypted `default` overlay, so they all reach each other",
                "put each service on the tier it belongs to",
                None,
            ),
            _ => {}
        }
        if tier.attachable {
            out.push(
                Rule::AttachableNetwork, Severity::Warning, key, None, Some(key), tier.at,
                format!("network `{key}` is attachable: any container started by hand on any node can join it and reach its services"),
                "set `attachable: false` unless a one-off container must join it",
                Some(FixAction::MakeNotAttachable { tier: key.into() }),
            );
        }
        if tier.internal {
            let exposed: Vec<&str> = model
                .services
                .iter()
                .filter(|s| s.on(key) && s.ports.iter().any(|p| p.mode == PublishMode::Ingress))
                .map(|s| s.name.as_str())
                .collect();
            if !exposed.is_empty() {
                out.push(
                    Rule::InternalWithIngress, Severity::Warning, key, None, Some(key), tier.at,
                    format!("`{key}` is internal, but {} publish ports through ingress, which still accepts traffic from outside and gives the tasks a route out", exposed.join(", ")),
                    "publish through the edge proxy instead, or accept that these tasks are not isolated",
                    None,
                );
            }
        }
    }
}

fn ports(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    let service_role = service.role;
    let mut reported = std::collections::HashSet::new();
    for port in &service.ports {
        let shown = port
            .published
            .map_or_else(|| "a random port".to_string(), |p| p.to_string());
        if !reported.insert((port.target, port.published)) {
            continue;
        }
        let data_role = match service_role {
            Role::Database | Role::MessageBus => Some(service_role),
            _ => port_role(port.target).filter(|_| service_role == Role::Other),
        };
        match data_role {
            Some(Role::Database) => out.push(
                Rule::DatabasePublished, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("database `{name}` publishes port {} on {shown}: anyone who can reach a node can try to log in", port.target),
                "remove the published port; reach it from a service on its tier, or `docker exec` for debugging",
                Some(FixAction::Unpublish { service: name.into(), target: port.target }),
            ),
            Some(Role::MessageBus) => out.push(
                Rule::MessageBusPublished, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("message bus `{name}` publishes port {} on {shown} to the outside", port.target),
                "remove the published port; clients on its tier reach it by name",
                Some(FixAction::Unpublish { service: name.into(), target: port.target }),
            ),
            _ => {}
        }
        if let Some(p) = port.published.filter(|p| matches!(p, 2377 | 7946 | 4789)) {
            out.push(
                Rule::SwarmPortPublished, Severity::Error, &format!("{name}:{p}"), Some(name), None, port.at,
                format!("`{name}` publishes port {p}, one of swarm's own ports (2377 management, 7946 gossip, 4789 VXLAN); it clashes with the node and must never face the internet"),
                "publish on another port",
                Some(FixAction::Unpublish { service: name.into(), target: port.target }),
            );
        }
        if let Some(ip) = &port.host_ip {
            out.push(
                Rule::HostIpIgnored, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("`{name}` binds port {} to {ip}, but swarm ignores host IPs and publishes on 0.0.0.0 of every node", port.target),
                "remove the published port if it must stay private; swarm cannot bind to one address",
                Some(FixAction::DropHostIp { service: name.into(), target: port.target }),
            );
        }
        if service.endpoint_mode.as_deref() == Some("dnsrr") && port.mode == PublishMode::Ingress {
            out.push(
                Rule::DnsrrWithIngress, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("`{name}` uses `endpoint_mode: dnsrr` with an ingress-published port, which swarm refuses"),
                "publish in `mode: host`, or drop `endpoint_mode: dnsrr`",
                None,
            );
        }
    }
}

fn service_rules(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    for mount in service.volumes.iter().filter(|m| m.is_docker_socket()) {
        out.push(
            Rule::DockerSocket,
            Severity::Warning,
            name,
            Some(name),
            None,
            mount.at,
            format!(
                "`{name}` mounts the Docker socket{}: whoever controls it is root on its node",
                if mount.read_only {
                    " (read-only does not limit the API)"
                } else {
                    ""
                }
            ),
            "keep it on managers behind a socket proxy that allows only the calls it needs",
            None,
        );
    }
    let is_job = service.replicas() == Some(0);
    if service.healthcheck.is_none() && !is_job {
        out.push(
            Rule::NoHealthCheck, Severity::Info, name, Some(name), None, service.at,
            format!("`{name}` declares no health check; swarm counts a task healthy as soon as it starts, so rolling updates cannot wait for readiness"),
            "add `healthcheck:` (unless the image defines HEALTHCHECK)",
            None,
        );
    }
    if !service.resources.has_limits() && !is_job {
        out.push(
            Rule::NoResourceLimits,
            Severity::Info,
            name,
            Some(name),
            None,
            service.at,
            format!("`{name}` has no resource limits; one runaway task can starve its node"),
            "set `deploy.resources.limits` (cpus, memory)",
            None,
        );
    }
    if service.host_network() {
        out.push(
            Rule::HostNetwork, Severity::Warning, name, Some(name), None, service.at,
            format!("`{name}` uses the host's network: every port it listens on is exposed on its nodes"),
            "attach it to a tier and publish only the ports it serves",
            None,
        );
    }
    if service.routes.is_empty() {
        return;
    }
    let tiers: Vec<&str> = service.networks.iter().map(|a| a.tier.as_str()).collect();
    for route in &service.routes {
        if route.proxy == ProxyKind::Traefik {
            if route.port.is_none() {
                out.push(
                    Rule::RoutePortMissing, Severity::Error, &format!("{name}:{}", route.router), Some(name), None, route.at,
                    format!("router `{}` of `{name}` has no `loadbalancer.server.port`; in swarm Traefik cannot detect the port and the route fails", route.router),
                    format!("add `traefik.http.services.{}.loadbalancer.server.port=<container port>`", route.router),
                    None,
                );
            }
            if !route.in_deploy_labels {
                out.push(
                    Rule::RouteLabelsNotDeploy, Severity::Error, &format!("{name}:{}", route.router), Some(name), None, route.at,
                    format!("`{name}` has its Traefik labels under `labels:`; in swarm Traefik reads `deploy.labels`, so the route does not exist"),
                    "move the traefik.* labels under `deploy.labels`",
                    Some(FixAction::MoveLabelsToDeploy { service: name.into() }),
                );
            }
            if tiers.len() > 1 && route.network.is_none() {
                let proxy_tier = tiers
                    .iter()
                    .find(|t| out.proxies.iter().any(|p| p.on(t)))
                    .copied();
                out.push(
                    Rule::RouteNetworkUnset, Severity::Warning, &format!("{name}:{}", route.router), Some(name), proxy_tier, route.at,
                    format!("`{name}` sits on {} networks and sets no `traefik.swarm.network` (v3) / `traefik.docker.network` (v2): Traefik picks one at random and may route into a network it is not on", tiers.len()),
                    "set the label to the network the proxy shares with it",
                    proxy_tier.map(|t| FixAction::SetRouteNetwork {
                        service: name.into(),
                        label: crate::proxy::TRAEFIK_V3_NETWORK.into(),
                        network: out.model.tier(t).map_or_else(|| t.to_string(), |tier| tier.swarm_name(&out.model.stack)),
                    }),
                );
            }
        }
        if service.replicas() == Some(1) {
            out.push(
                Rule::SingleReplicaRouted, Severity::Warning, &format!("{name}:{}", route.router), Some(name), None, route.at,
                format!("`{name}` is routed from the internet but runs a single replica: every update or node loss is an outage"),
                "set `deploy.replicas: 2` or more",
                None,
            );
            break;
        }
    }
}

fn duplicate_ports(out: &mut Out) {
    let mut seen: std::collections::HashMap<(u16, &'static str), &str> =
        std::collections::HashMap::new();
    let model = out.model;
    for service in &model.services {
        let mut own = std::collections::HashSet::new();
        for port in &service.ports {
            let Some(p) = port.published else { continue };
            let key = (p, port.protocol.as_str());
            if !own.insert(key) {
                continue;
            }
            match seen.get(&key) {
                Some(first) if port.mode == PublishMode::Ingress || *first == service.name => out.push(
                    Rule::DuplicatePublishedPort, Severity::Error, &format!("{p}/{}", port.protocol), Some(&service.name), None, port.at,
                    format!("port {p}/{} is published by `{first}` and `{}`; swarm refuses a second service on the same published port", port.protocol, service.name),
                    "publish one of them on another port",
                    None,
                ),
                Some(_) => {}
                None => {
                    seen.insert(key, &service.name);
                }
            }
        }
    }
}

fn proxies(out: &mut Out, blast: &BlastRadius) {
    let model = out.model;
    for bridge in blast.bridges.iter().filter(|b| b.is_proxy) {
        let Some(proxy) = model.services.get(bridge.service) else {
            continue;
        };
        for tier in &bridge.tiers {
            let holds_data = model
                .services
                .iter()
                .any(|s| s.on(tier) && matches!(s.role, Role::Database | Role::MessageBus));
            if holds_data {
                out.push(
                    Rule::ProxyOnDatabaseTier, Severity::Warning, &format!("{}:{tier}", proxy.name), Some(&proxy.name), Some(tier), Location::NONE,
                    format!("edge proxy `{}` sits on `{tier}`, which holds a database or message bus: a compromised proxy reaches your data in one hop", proxy.name),
                    format!("detach `{}` from `{tier}` and keep it on the tiers of the services it routes to", proxy.name),
                    None,
                );
            }
        }
    }
}

fn problems(out: &mut Out) {
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
            Problem::IgnoredKey { service, key, at } => out.push(
                Rule::IgnoredKey, Severity::Info, &format!("{service}:{key}"), Some(service), None, *at,
                format!("`docker stack deploy` ignores `{key}` on `{service}`"),
                "remove it from the stack file, or keep it for docker compose",
                None,
            ),
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
                format!("compose file version {version} is not supported by `docker stack deploy`"),
                "use version \"3.8\" (or no version) and the swarm keys under `deploy:`",
                None,
            ),
            Problem::UnsetVariable { name, at } => out.push(
                Rule::UnsetVariable, Severity::Info, name, None, None, *at,
                format!("variable `{name}` has no value and no default here; it was read as empty"),
                format!("give it a default (`${{{name}:-value}}`) or set it where you deploy"),
                None,
            ),
        }
    }
}

fn flow_rules(out: &mut Out, reach: &Reachability, checks: &[FlowCheck]) {
    let model = out.model;
    for check in checks.iter().filter(|c| c.blocked()) {
        let Some(flow) = model.flows.get(check.flow) else {
            continue;
        };
        let (Some(from), Some(to)) = (model.service(&flow.from), model.service(&flow.to)) else {
            continue;
        };
        let target_tier = to
            .home
            .clone()
            .or_else(|| to.networks.first().map(|a| a.tier.clone()));
        out.push(
            Rule::FlowBlocked,
            Severity::Error,
            &format!("{}->{}", flow.from, flow.to),
            Some(&flow.from),
            target_tier.as_deref(),
            flow.at,
            format!(
                "`{}` needs `{}`{} but they share no network: the connection will fail at run time",
                flow.from,
                flow.to,
                flow.port
                    .map(|p| format!(" on port {p}"))
                    .unwrap_or_default()
            ),
            match &target_tier {
                Some(t) => format!("attach `{}` to `{t}`", from.name),
                None => format!("put `{}` and `{}` on a common tier", from.name, to.name),
            },
            target_tier.clone().map(|t| FixAction::Attach {
                service: from.name.clone(),
                tier: t,
            }),
        );
    }
    for (a, b) in flows::unused(model, reach) {
        let (Some(sa), Some(sb)) = (model.services.get(a), model.services.get(b)) else {
            continue;
        };
        let networks = reach.between(a, b).unwrap_or_default().join(", ");
        out.push(
            Rule::OverPermissive,
            Severity::Info,
            &format!("{}<->{}", sa.name, sb.name),
            Some(&sa.name),
            None,
            Location::NONE,
            format!(
                "`{}` and `{}` can reach each other over {networks}, but no flow uses it",
                sa.name, sb.name
            ),
            "if they never talk, split them onto separate tiers; if they do, add the flow",
            None,
        );
    }
}
