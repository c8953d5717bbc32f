//! The model of a stack as tiermap sees it: tiers (overlay networks), services and
//! the flows between them. Plain data, derived from the document by
//! [`crate::compose::import`]; analyses take a [`Model`] and return a result.

use std::collections::HashMap;

use serde::Serialize;

use crate::role::Role;
use crate::yaml::Location;

/// A whole stack.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Model {
    /// The stack name used for `docker stack deploy` (network prefixes, `tasks.` names).
    pub stack: String,
    /// The file's `version` key, if any.
    pub version: Option<String>,
    /// Networks, in file order; the implicit `default` network comes last when used.
    pub tiers: Vec<Tier>,
    /// Services, in file order.
    pub services: Vec<Service>,
    /// Intended flows: written by the user, and inferred from the file.
    pub flows: Vec<Flow>,
    /// Things read from the file that a finding should mention (unknown network names,
    /// rejected keys). Facts only: the rules that judge them live in `findings`.
    pub problems: Vec<Problem>,
    /// Findings the team has accepted, with their note (`x-tiermap.accepted`).
    pub accepted: Vec<Accepted>,
}

/// An overlay network drawn as a tier box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// The key under `networks:`.
    pub key: String,
    /// `name:` when the network has an explicit name.
    pub name: Option<String>,
    /// `driver:`; swarm uses `overlay` when it is missing.
    pub driver: Option<String>,
    /// How the file asks for encryption.
    pub encryption: Encryption,
    /// `attachable: true`.
    pub attachable: bool,
    /// `internal: true`.
    pub internal: bool,
    /// `external: true` (created outside the stack).
    pub external: bool,
    /// `labels:` of the network.
    pub labels: Vec<(String, String)>,
    /// False for the implicit `default` network and for networks services name but the
    /// file does not define.
    pub declared: bool,
    /// Where the network is defined.
    pub at: Location,
}

impl Tier {
    /// The network's name on the swarm: `name:` if given, the key if external, else
    /// `<stack>_<key>`.
    pub fn swarm_name(&self, stack: &str) -> String {
        match (&self.name, self.external) {
            (Some(name), _) => name.clone(),
            (None, true) => self.key.clone(),
            (None, false) => format!("{stack}_{}", self.key),
        }
    }

    /// Whether the driver is overlay (explicitly, or by swarm's default).
    pub fn is_overlay(&self) -> bool {
        self.driver.as_deref().is_none_or(|d| d == "overlay")
    }
}

/// Encryption of an overlay network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encryption {
    /// No encryption asked for.
    Off,
    /// `driver_opts: { encrypted: ... }` with a string value: swarm encrypts (even for
    /// `"false"`, since the driver looks only at the key).
    DriverOpt,
    /// `encrypted: true` on the network itself: `docker stack config` rejects it.
    TopLevelKey,
    /// `driver_opts: { encrypted: true }` with a boolean: rejected too.
    DriverOptBoolean,
}

impl Encryption {
    /// Whether swarm will actually encrypt traffic on this network.
    pub fn is_effective(self) -> bool {
        self == Encryption::DriverOpt
    }
}

/// A service drawn as a card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// The key under `services:`.
    pub name: String,
    /// `image:`, interpolated.
    pub image: Option<String>,
    /// Replicated with a count, or global.
    pub mode: DeployMode,
    /// Networks the service sits on (keys under `networks:`), in file order. Services
    /// with no `networks:` and no `network_mode` sit on `default`.
    pub networks: Vec<Attachment>,
    /// The tier whose box holds the card: `x-tiermap.homes`, else the first network.
    pub home: Option<String>,
    /// `network_mode:` (`host`, `none`, `service:x`, ...).
    pub network_mode: Option<String>,
    /// Published ports, one per port (ranges are expanded).
    pub ports: Vec<Port>,
    /// Container labels (`labels:`).
    pub labels: Vec<(String, String)>,
    /// Service labels (`deploy.labels`), which Traefik and Docker Flow Proxy read in swarm.
    pub deploy_labels: Vec<(String, String)>,
    /// `deploy.placement.constraints`.
    pub constraints: Vec<String>,
    /// Secret names.
    pub secrets: Vec<String>,
    /// Health check, if the file declares one.
    pub healthcheck: Option<HealthCheck>,
    /// `deploy.resources`.
    pub resources: Resources,
    /// `deploy.update_config`.
    pub update: Option<UpdatePolicy>,
    /// `volumes:` of the service.
    pub volumes: Vec<Mount>,
    /// `environment:`, interpolated.
    pub environment: Vec<(String, String)>,
    /// Where each entry of `environment` is written, in the same order.
    pub environment_at: Vec<Location>,
    /// Where `image:` is written (the service's key when it is missing).
    pub image_at: Location,
    /// How the container runs: the settings the hardening rules read.
    pub container: Container,
    /// Services named in `depends_on`.
    pub depends_on: Vec<String>,
    /// `deploy.endpoint_mode` (`vip` or `dnsrr`).
    pub endpoint_mode: Option<String>,
    /// Routes an edge proxy sends to this service, read from its labels.
    pub routes: Vec<Route>,
    /// `command:` words, interpolated (proxies are configured there).
    pub command: Vec<String>,
    /// What the service is (edge proxy, database, ...), judged once at import.
    pub role: Role,
    /// Where the service is defined.
    pub at: Location,
}

impl Service {
    /// Replica count for replicated services (`None` for global).
    pub fn replicas(&self) -> Option<u64> {
        match self.mode {
            DeployMode::Replicated(n) => Some(n),
            DeployMode::Global => None,
        }
    }

    /// Whether the service sits on the given network key.
    pub fn on(&self, tier: &str) -> bool {
        self.networks.iter().any(|a| a.tier == tier)
    }

    /// Whether the service shares the node's network stack.
    pub fn host_network(&self) -> bool {
        self.network_mode.as_deref() == Some("host")
    }
}

/// A setting as written, interpolated, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The value (a list item, or the scalar).
    pub value: String,
    /// Where it is written.
    pub at: Location,
}

/// The container settings of a service that decide what a compromised task can do on
/// its node. Each is recorded as written; whether `docker stack deploy` honours it is
/// the rules' business (docs/stack-deploy.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Container {
    /// `user:`.
    pub user: Option<Setting>,
    /// `read_only:` (`true`/`false`).
    pub read_only: Option<Setting>,
    /// `privileged:`.
    pub privileged: Option<Setting>,
    /// `cap_add:` entries.
    pub cap_add: Vec<Setting>,
    /// `cap_drop:` entries.
    pub cap_drop: Vec<Setting>,
    /// `security_opt:` entries.
    pub security_opt: Vec<Setting>,
    /// `sysctls:` as `name=value`.
    pub sysctls: Vec<Setting>,
    /// `devices:` entries.
    pub devices: Vec<Setting>,
    /// `tmpfs:` entries (the service-level key).
    pub tmpfs: Vec<Setting>,
    /// `logging.driver`.
    pub logging_driver: Option<Setting>,
    /// `pid:`, `ipc:`, `userns_mode:` and `cgroupns_mode:` as `key: value`.
    pub namespaces: Vec<Setting>,
}

/// How many tasks a service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployMode {
    /// `mode: replicated` with `replicas` (1 when missing).
    Replicated(u64),
    /// `mode: global`: one task per eligible node.
    Global,
}

/// A service's attachment to a network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    /// Network key.
    pub tier: String,
    /// Extra DNS aliases on that network.
    pub aliases: Vec<String>,
    /// Where the attachment is written (the service's key for `default`).
    pub at: Location,
}

/// A published port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Port {
    /// Container port.
    pub target: u16,
    /// Published port; `None` means swarm picks one (30000-32767) in ingress mode.
    pub published: Option<u16>,
    /// Transport protocol.
    pub protocol: Protocol,
    /// Ingress (routing mesh, every node) or host (nodes running a task).
    pub mode: PublishMode,
    /// A host IP written in the file. Swarm ignores it and listens on every address.
    pub host_ip: Option<String>,
    /// Where the port is written.
    pub at: Location,
    /// Whether the entry uses the long syntax (`target:`/`published:`).
    pub long_syntax: bool,
}

/// Transport protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// The spelling compose uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }

    /// Parses compose's spelling.
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "sctp" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where swarm opens a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishMode {
    /// The routing mesh: every node of the swarm listens.
    Ingress,
    /// Only the nodes running a task of the service listen.
    Host,
}

impl PublishMode {
    /// The spelling compose uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PublishMode::Ingress => "ingress",
            PublishMode::Host => "host",
        }
    }
}

/// A declared health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthCheck {
    /// The test command words.
    pub test: Vec<String>,
    /// `disable: true` or `test: ["NONE"]`.
    pub disabled: bool,
}

/// `deploy.resources`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Resources {
    /// `limits.cpus`.
    pub limit_cpus: Option<String>,
    /// `limits.memory`.
    pub limit_memory: Option<String>,
    /// `reservations.cpus`.
    pub reserve_cpus: Option<String>,
    /// `reservations.memory`.
    pub reserve_memory: Option<String>,
}

impl Resources {
    /// Whether any limit is set.
    pub fn has_limits(&self) -> bool {
        self.limit_cpus.is_some() || self.limit_memory.is_some()
    }
}

/// `deploy.update_config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdatePolicy {
    /// `parallelism`.
    pub parallelism: Option<u64>,
    /// `delay`.
    pub delay: Option<String>,
    /// `order` (`stop-first`, `start-first`).
    pub order: Option<String>,
    /// `failure_action`.
    pub failure_action: Option<String>,
}

/// A volume or bind mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// Volume name or host path; empty for anonymous volumes.
    pub source: String,
    /// Path in the container.
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// What is mounted.
    pub kind: MountKind,
    /// Bind propagation (`shared`, `rshared`, `slave`, ...), when written.
    pub propagation: Option<String>,
    /// Where it is written.
    pub at: Location,
}

/// What a mount brings into the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountKind {
    /// A named or anonymous volume.
    Volume,
    /// A path of the node the task runs on.
    Bind,
    /// Memory.
    Tmpfs,
    /// Anything else (`npipe`, `cluster`).
    Other,
}

impl Mount {
    /// Whether this mount hands the Docker API to the container.
    pub fn is_docker_socket(&self) -> bool {
        self.source.ends_with("docker.sock") || self.target.ends_with("docker.sock")
    }
}

/// Which proxy a route is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxyKind {
    /// Traefik (v2 or v3 labels).
    Traefik,
    /// Docker Flow Proxy (`com.df.*`).
    DockerFlowProxy,
}

/// A route an edge proxy sends to a service, read from its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Which proxy reads the labels.
    pub proxy: ProxyKind,
    /// Router name (Traefik) or `df` for Docker Flow Proxy.
    pub router: String,
    /// Host names from `Host(...)` or `com.df.serviceDomain`.
    pub hosts: Vec<String>,
    /// Paths from `PathPrefix(...)`/`Path(...)` or `com.df.servicePath`.
    pub paths: Vec<String>,
    /// The container port the proxy connects to, when a label sets it.
    pub port: Option<u16>,
    /// The network the proxy should use (`traefik.swarm.network`/`traefik.docker.network`).
    pub network: Option<String>,
    /// Whether the labels sit under `deploy.labels` (where swarm providers read them).
    pub in_deploy_labels: bool,
    /// Where the rule label is written.
    pub at: Location,
}

/// An intended flow: `from` opens connections to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// Client service.
    pub from: String,
    /// Server service.
    pub to: String,
    /// Port, when known.
    pub port: Option<u16>,
    /// Where tiermap learned of it.
    pub origin: FlowOrigin,
    /// Where it is written.
    pub at: Location,
}

/// Where a flow comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum FlowOrigin {
    /// Written by the user under `x-tiermap.flows`.
    User,
    /// A `depends_on` entry.
    DependsOn,
    /// A proxy route (the proxy connects to the routed service).
    ProxyRoute,
    /// An environment value that names the service as a host; holds the variable name.
    Environment(String),
    /// A command argument that names the service as a host; holds its flag
    /// (`--consul.endpoint`) or, for a bare word, the word (`db:3306`).
    Command(String),
}

/// A fact from the file that a rule reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Problem {
    /// A service names a network the file does not define.
    UndefinedNetwork {
        /// The service.
        service: String,
        /// The network key.
        network: String,
        /// Where the service names it.
        at: Location,
    },
    /// `depends_on` written as a mapping, which `docker stack config` rejects.
    DependsOnMapping {
        /// The service.
        service: String,
        /// Where.
        at: Location,
    },
    /// A service with no `image:` (build-only), which stack deploy cannot run.
    NoImage {
        /// The service.
        service: String,
        /// Where.
        at: Location,
    },
    /// A key that `docker stack deploy` ignores (`build`, `container_name`, ...).
    IgnoredKey {
        /// The service.
        service: String,
        /// The key.
        key: String,
        /// Where.
        at: Location,
    },
    /// A key that `docker stack deploy` rejects (`extends`, `volumes_from`, `mem_limit`...).
    RejectedKey {
        /// The service.
        service: String,
        /// The key.
        key: String,
        /// Where.
        at: Location,
    },
    /// A flow names a service that does not exist.
    UnknownFlowService {
        /// The missing name.
        name: String,
        /// Where.
        at: Location,
    },
    /// The file's `version` is one `docker stack deploy` does not take (`2.x`).
    UnsupportedVersion {
        /// The version.
        version: String,
        /// Where.
        at: Location,
    },
    /// A variable used without a value or default; it was read as empty.
    UnsetVariable {
        /// The variable.
        name: String,
        /// Where.
        at: Location,
    },
    /// A value `docker stack config` refuses (the compose file format, see
    /// [`crate::compose::schema`]).
    Refused {
        /// Dotted path of the value, as docker prints it (`services.api.ports.0`).
        path: String,
        /// What is wrong.
        reason: Refusal,
        /// Where.
        at: Location,
    },
}

/// Why `docker stack config` refuses a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum Refusal {
    /// A key the file format does not have (or not in this file's version).
    UnknownKey {
        /// The key.
        key: String,
        /// The first file format version that has it, if any does.
        since: Option<String>,
    },
    /// A value of the wrong type.
    WrongType {
        /// What the format takes (`a string`, `a list`...).
        expected: String,
        /// What the file has.
        found: String,
    },
    /// A service, volume, secret or config name outside `[a-zA-Z0-9._-]`.
    BadName {
        /// The name.
        name: String,
    },
    /// A list whose items must differ repeats one.
    Repeated {
        /// Index of the first.
        first: usize,
        /// Index of the repeat.
        second: usize,
    },
    /// A required key is missing.
    Missing {
        /// The key.
        key: String,
    },
    /// Not a Go duration (`10s`, `1m30s`).
    BadDuration {
        /// The text.
        text: String,
    },
    /// Not a size (`512M`, `1g`).
    BadSize {
        /// The text.
        text: String,
    },
    /// Not one of the allowed words.
    NotOneOf {
        /// The text.
        text: String,
        /// The allowed words.
        options: String,
    },
    /// A port spec that does not parse.
    BadPort {
        /// The text.
        text: String,
    },
    /// An interpolated value that cannot be cast to the number or boolean it must be.
    BadCast {
        /// The text after interpolation.
        text: String,
    },
    /// A `$` expression docker cannot read.
    Interpolation {
        /// The value.
        text: String,
        /// What is wrong.
        reason: String,
    },
}

/// A finding the team accepted, with the reason (kept under `x-tiermap.accepted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// The finding's id.
    pub id: String,
    /// The decision, in the team's words.
    pub note: String,
}

impl Model {
    /// The service with this name.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The index of the service with this name.
    pub fn service_index(&self, name: &str) -> Option<usize> {
        self.services.iter().position(|s| s.name == name)
    }

    /// The tier with this key.
    pub fn tier(&self, key: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.key == key)
    }

    /// Service indices by name, for the loops that look many services up by name.
    pub fn service_indices(&self) -> HashMap<&str, usize> {
        let names = self.services.iter().map(|s| s.name.as_str());
        names.enumerate().map(|(i, name)| (name, i)).collect()
    }

    /// Tier indices by key, for the loops that look many tiers up by key.
    pub fn tier_indices(&self) -> HashMap<&str, usize> {
        let keys = self.tiers.iter().map(|t| t.key.as_str());
        keys.enumerate().map(|(i, key)| (key, i)).collect()
    }
}
