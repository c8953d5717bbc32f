//! The rules: each finding has a stable id, a severity, the service or tier it is
//! about, the place in the file, a sentence and the fix.

use std::borrow::Cow;

use serde::Serialize;

use crate::blast_radius::BlastRadius;
use crate::flows::FlowCheck;
use crate::model::{Encryption, Model, Problem, ProxyKind, PublishMode, Service};
use crate::reachability::Reachability;
use crate::role::{port_role, Role};
use crate::yaml::Location;

mod catalogue;
mod control;
mod hardening;
mod network;
mod ports;
mod reach;
mod refusals;
mod service;

pub use catalogue::Explanation;

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

/// Every rule tiermap checks. The kebab-case name is part of each finding's id;
/// [`Rule::explain`] says what each checks, why it matters on Swarm and how to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A database port is published.
    DatabasePublished,
    /// A message bus port is published.
    MessageBusPublished,
    /// Swarm's own ports (2377, 7946, 4789) are published.
    SwarmPortPublished,
    /// An admin or control interface (Envoy admin, a proxy's API, the Docker API,
    /// Prometheus...) is published.
    ControlInterfacePublished,
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
    /// Pairs on a tier that no flow uses.
    OverPermissive,
    /// `depends_on` as a mapping, which `docker stack config` rejects.
    DependsOnMapping,
    /// A service without `image:`.
    NoImage,
    /// A key `docker stack deploy` ignores.
    IgnoredKey,
    /// A key `docker stack deploy` rejects.
    RejectedKey,
    /// A key the compose file format does not have.
    UnknownKey,
    /// A value of the wrong type.
    WrongType,
    /// A value `docker stack config` cannot read (duration, size, port, `$`...).
    InvalidValue,
    /// A name outside `[a-zA-Z0-9._-]`, which `docker stack config` refuses.
    InvalidName,
    /// A name swarm refuses when the stack is deployed (a DNS label of at most 63).
    SwarmNameRefused,
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
    /// `security_opt`, which swarm ignores: no-new-privileges, seccomp and AppArmor
    /// settings written there do not apply.
    SecurityOptIgnored,
    /// A service keeps Docker's default capabilities.
    CapabilitiesNotDropped,
    /// A capability that reaches the node is added.
    DangerousCapability,
    /// The container's root filesystem is writable.
    WritableRootFilesystem,
    /// `user: root` (or uid 0) written explicitly.
    RootUser,
    /// A sensitive path of the node is bind-mounted.
    SensitiveHostMount,
    /// A bind mount with shared propagation.
    SharedMountPropagation,
    /// `logging.driver: none`.
    LoggingDisabled,
    /// An image with no tag or a moving tag (`latest`).
    ImageNotPinned,
    /// An image pinned by tag only, not by digest.
    ImageWithoutDigest,
    /// A credential in `environment:` instead of a swarm secret.
    SecretInEnvironment,
    /// A sysctl that is not namespaced, so the task cannot start.
    SysctlNotNamespaced,
}

/// Who refuses a file that breaks a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusedBy {
    /// `docker stack config` (and so `docker stack deploy`) refuses the file.
    StackConfig,
    /// `docker stack config` accepts it; `docker stack deploy` or swarm refuses it.
    StackDeploy,
}

impl RefusedBy {
    /// The command that refuses it, for people.
    pub fn command(self) -> &'static str {
        match self {
            RefusedBy::StackConfig => "docker stack config",
            RefusedBy::StackDeploy => "docker stack deploy",
        }
    }
}

impl Rule {
    /// The rule's stable name, e.g. `database-published`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::DatabasePublished => "database-published",
            Rule::MessageBusPublished => "message-bus-published",
            Rule::SwarmPortPublished => "swarm-port-published",
            Rule::ControlInterfacePublished => "control-interface-published",
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
            Rule::UnknownKey => "unknown-key",
            Rule::WrongType => "wrong-type",
            Rule::InvalidValue => "invalid-value",
            Rule::InvalidName => "invalid-name",
            Rule::SwarmNameRefused => "swarm-name-refused",
            Rule::UnknownFlowService => "unknown-flow-service",
            Rule::UnsupportedVersion => "unsupported-version",
            Rule::UnsetVariable => "unset-variable",
            Rule::HostNetwork => "host-network",
            Rule::InternalWithIngress => "internal-with-ingress",
            Rule::SecurityOptIgnored => "security-opt-ignored",
            Rule::CapabilitiesNotDropped => "capabilities-not-dropped",
            Rule::DangerousCapability => "dangerous-capability",
            Rule::WritableRootFilesystem => "writable-root-filesystem",
            Rule::RootUser => "root-user",
            Rule::SensitiveHostMount => "sensitive-host-mount",
            Rule::SharedMountPropagation => "shared-mount-propagation",
            Rule::LoggingDisabled => "logging-disabled",
            Rule::ImageNotPinned => "image-not-pinned",
            Rule::ImageWithoutDigest => "image-without-digest",
            Rule::SecretInEnvironment => "secret-in-environment",
            Rule::SysctlNotNamespaced => "sysctl-not-namespaced",
        }
    }

    /// The rule with this name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// Whether docker refuses a file that breaks this rule, and which command does.
    pub fn refused_by(self) -> Option<RefusedBy> {
        match self {
            Rule::EncryptedKeyRejected
            | Rule::EncryptedBoolean
            | Rule::DependsOnMapping
            | Rule::RejectedKey
            | Rule::UnknownKey
            | Rule::WrongType
            | Rule::InvalidValue
            | Rule::InvalidName
            | Rule::UnsupportedVersion => Some(RefusedBy::StackConfig),
            Rule::NoImage
            | Rule::UndefinedNetwork
            | Rule::DnsrrWithIngress
            | Rule::DuplicatePublishedPort
            | Rule::SwarmNameRefused => Some(RefusedBy::StackDeploy),
            _ => None,
        }
    }

    /// Every rule, in the order `tiermap explain` lists them.
    pub const ALL: [Rule; 48] = [
        Rule::DatabasePublished,
        Rule::MessageBusPublished,
        Rule::SwarmPortPublished,
        Rule::ControlInterfacePublished,
        Rule::HostIpIgnored,
        Rule::DuplicatePublishedPort,
        Rule::DnsrrWithIngress,
        Rule::HostNetwork,
        Rule::UnencryptedOverlay,
        Rule::EncryptedKeyRejected,
        Rule::EncryptedBoolean,
        Rule::AttachableNetwork,
        Rule::InternalWithIngress,
        Rule::UndefinedNetwork,
        Rule::OverPermissive,
        Rule::FlowBlocked,
        Rule::UnknownFlowService,
        Rule::ProxyOnDatabaseTier,
        Rule::RouteNetworkUnset,
        Rule::RoutePortMissing,
        Rule::RouteLabelsNotDeploy,
        Rule::SingleReplicaRouted,
        Rule::DockerSocket,
        Rule::SensitiveHostMount,
        Rule::SharedMountPropagation,
        Rule::SecurityOptIgnored,
        Rule::CapabilitiesNotDropped,
        Rule::DangerousCapability,
        Rule::WritableRootFilesystem,
        Rule::RootUser,
        Rule::SysctlNotNamespaced,
        Rule::SecretInEnvironment,
        Rule::ImageNotPinned,
        Rule::ImageWithoutDigest,
        Rule::LoggingDisabled,
        Rule::NoHealthCheck,
        Rule::NoResourceLimits,
        Rule::UnsupportedVersion,
        Rule::UnknownKey,
        Rule::WrongType,
        Rule::InvalidValue,
        Rule::InvalidName,
        Rule::SwarmNameRefused,
        Rule::DependsOnMapping,
        Rule::RejectedKey,
        Rule::IgnoredKey,
        Rule::NoImage,
        Rule::UnsetVariable,
    ];
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
    /// Replace a tier by smaller ones, each holding a service that others call and its
    /// callers, so that services no flow joins no longer share a network.
    SplitTier {
        /// The tier split.
        tier: String,
        /// The tiers after the split: the first keeps the tier's key, the others are
        /// new. Members of the tier in none of them leave it.
        groups: Vec<TierGroup>,
    },
    /// Add `cap_drop: [ALL]` (swarm honours `cap_drop` and `cap_add`).
    DropCapabilities {
        /// Service.
        service: String,
    },
    /// Set `read_only: true`.
    ReadOnlyRoot {
        /// Service.
        service: String,
    },
    /// Rewrite the service-level `tmpfs:` (which stack deploy drops) as `type: tmpfs`
    /// mounts under `volumes:`, which it honours.
    TmpfsAsMounts {
        /// Service.
        service: String,
    },
    /// Rename a service (and what refers to it) to a name Docker and swarm accept.
    RenameService {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
}

/// One tier of a [`FixAction::SplitTier`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierGroup {
    /// The new tier's key.
    pub tier: String,
    /// Its members.
    pub services: Vec<String>,
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
            .find(|a| accepts(&a.id, &id, rule))
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

/// Whether an entry of `x-tiermap.accepted` covers a finding: its exact id, the rule's
/// name (every finding of the rule), or a prefix ending in `*` (`root-user:*`).
pub fn accepts(entry: &str, id: &str, rule: Rule) -> bool {
    entry == id
        || entry == rule.name()
        || entry
            .strip_suffix('*')
            .is_some_and(|prefix| id.starts_with(prefix))
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
    network::tiers(&mut out);
    for service in &model.services {
        ports::ports(&mut out, service);
        control::interfaces(&mut out, service);
        service::service_rules(&mut out, service);
        hardening::container(&mut out, service);
    }
    ports::duplicate_ports(&mut out);
    service::proxies(&mut out, blast);
    refusals::problems(&mut out);
    refusals::names(&mut out);
    reach::flow_rules(&mut out, reach, checks);
    let mut list = out.list;
    crate::sort::sort_by(&mut list, |a, b| {
        b.severity.cmp(&a.severity).then(a.at.cmp(&b.at))
    });
    list
}
