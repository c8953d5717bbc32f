//! Reading a compose or stack document into a [`Model`].
//!
//! The document is never changed here: problems that swarm would reject or ignore are
//! recorded as facts ([`Problem`], [`Encryption`], host IPs on ports) for the rules in
//! `findings` to report with their place and fix. Only input whose shape makes no sense
//! (a list where a mapping belongs, a port that is not a number) is an [`ImportError`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::compose::interpolate::{interpolate, InterpolationError, Variables};
use crate::compose::ports::{self, PortError};
use crate::compose::schema;
use crate::flows;
use crate::model::*;
use crate::proxy;
use crate::yaml::{self, Location, Node, Value};

/// What the import needs besides the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Stack name, which wins over `x-tiermap.name`.
    pub stack: Option<String>,
    /// Stack name when neither `stack` nor `x-tiermap.name` gives one (e.g. the file
    /// name); `stack` when this is missing too.
    pub default_stack: Option<String>,
    /// Variables for `${...}` interpolation (none: defaults apply).
    pub variables: Variables,
    /// Size and expansion bounds.
    pub limits: yaml::Limits,
}

/// Why a file could not be read as a stack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not YAML, or over a bound.
    #[error(transparent)]
    Yaml(#[from] yaml::ParseError),
    /// YAML, but not a compose file.
    #[error("{reason}")]
    NotCompose {
        /// Where.
        at: Location,
        /// What is missing, and what to check.
        reason: String,
    },
    /// A key holds the wrong kind of value.
    #[error("`{path}` must be {expected}, not {found}")]
    WrongType {
        /// Dotted key path, e.g. `services.api.ports[1]`.
        path: String,
        /// Where the value starts.
        at: Location,
        /// What compose expects.
        expected: &'static str,
        /// What the file has.
        found: &'static str,
    },
    /// A port that cannot be read.
    #[error("`{path}`: {source}")]
    Port {
        /// Key path.
        path: String,
        /// Where.
        at: Location,
        /// What is wrong.
        source: PortError,
    },
    /// A port whose number comes from variables that are not set (a `.env` file beside
    /// the compose file sets them for `docker compose`; the command line reads one with
    /// `--env-file`).
    #[error(
        "`{path}`: the port has no number, because {} not set: write the port in its place, \
         or a default such as `${{{first}:-8080}}` (the command line also \
         takes `--env {first}=8080`, or `--env-file .env`)",
        names(.unset),
        first = .unset.first().map_or("NAME", String::as_str)
    )]
    UnsetPort {
        /// Key path.
        path: String,
        /// Where.
        at: Location,
        /// The variables, in the order the value names them.
        unset: Vec<String>,
    },
    /// A value that should be a number is not.
    #[error("`{path}` must be a whole number, not `{text}`")]
    NotANumber {
        /// Key path.
        path: String,
        /// Where.
        at: Location,
        /// The text found.
        text: String,
    },
    /// A `$` expression compose would refuse.
    #[error("`{path}`: {source}")]
    Interpolation {
        /// Key path.
        path: String,
        /// Where.
        at: Location,
        /// What is wrong.
        source: InterpolationError,
    },
}

impl ImportError {
    /// Where in the file the problem is.
    pub fn location(&self) -> Option<Location> {
        match self {
            ImportError::Yaml(e) => e.location(),
            ImportError::NotCompose { at, .. }
            | ImportError::WrongType { at, .. }
            | ImportError::Port { at, .. }
            | ImportError::UnsetPort { at, .. }
            | ImportError::NotANumber { at, .. }
            | ImportError::Interpolation { at, .. } => Some(*at),
        }
    }

    /// The key path the problem is at, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ImportError::WrongType { path, .. }
            | ImportError::Port { path, .. }
            | ImportError::UnsetPort { path, .. }
            | ImportError::NotANumber { path, .. }
            | ImportError::Interpolation { path, .. } => Some(path),
            ImportError::Yaml(_) | ImportError::NotCompose { .. } => None,
        }
    }
}

type Result<T> = std::result::Result<T, ImportError>;

/// `${A}` is, or `${A}` and `${B}` are: the unset variables of an error, as a sentence's
/// subject.
fn names(unset: &[String]) -> String {
    let list: Vec<String> = unset.iter().map(|n| format!("`${{{n}}}`")).collect();
    match list.as_slice() {
        [one] => format!("{one} is"),
        [rest @ .., last] => format!("{} and {last} are", rest.join(", ")),
        [] => "a variable is".to_string(),
    }
}

/// `KEY=value` entries, in order.
type Pairs = Vec<(String, String)>;

/// Reads text into a document tree and checks that it is a compose file.
pub fn read(text: &str, limits: yaml::Limits) -> Result<Node> {
    let doc = yaml::parse(text, limits)?;
    check_shape(&doc)?;
    Ok(doc)
}

/// Checks that a document is a compose file: a mapping with a `services` mapping.
pub fn check_shape(doc: &Node) -> Result<()> {
    let Some(entries) = doc.as_map() else {
        let reason = if doc.is_null() {
            "the file is empty; a compose file starts with `services:`".to_string()
        } else {
            format!(
                "a compose file is a mapping with a `services:` key, but this file is {}",
                doc.type_name()
            )
        };
        return Err(ImportError::NotCompose { at: doc.at, reason });
    };
    let top = entries.first().map_or(doc.at, |(k, _)| k.at);
    match doc.entry("services") {
        Some((_, services)) if services.as_map().is_some() || services.is_null() => Ok(()),
        Some((key, services)) => Err(ImportError::WrongType {
            path: "services".into(),
            at: if services.at.is_known() {
                services.at
            } else {
                key.at
            },
            expected: "a mapping of service names",
            found: services.type_name(),
        }),
        None => {
            let legacy = entries
                .iter()
                .any(|(_, v)| v.get("image").is_some() || v.get("build").is_some());
            let reason = if legacy {
                "this looks like a version 1 compose file (services at the top level); put them under `services:` and add `version: \"3.8\"`".to_string()
            } else {
                "no `services:` key; this YAML is not a compose or stack file".to_string()
            };
            Err(ImportError::NotCompose { at: top, reason })
        }
    }
}

/// Derives the model from a compose document.
pub fn model(doc: &Node, options: &ImportOptions) -> Result<Model> {
    Ok(model_reusing(doc, options, &Reading::default())?.0)
}

/// What reading one service gives before it is put with the others: the service (its
/// home not chosen yet) and, in the order they came up, its problems and the networks
/// it joins (which make implicit tiers, and problems when undeclared, in the model).
#[derive(Debug, Clone, PartialEq)]
struct ServiceRead {
    service: Service,
    events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Problem(Problem),
    /// Joins this network, here.
    Network(String, Location),
}

impl ServiceRead {
    /// The read of the same service written `lines` lines further down (or up).
    fn moved(&self, lines: i64) -> ServiceRead {
        let mut read = self.clone();
        let by = |at: &mut Location| {
            if at.is_known() {
                at.line = u32::try_from(i64::from(at.line) + lines)
                    .unwrap_or(1)
                    .max(1);
            }
        };
        // Every field named, so that a new place in a service cannot be missed here.
        let Service {
            name: _,
            image: _,
            image_at,
            mode: _,
            networks,
            home: _,
            network_mode: _,
            ports,
            labels: _,
            deploy_labels: _,
            constraints: _,
            secrets: _,
            healthcheck: _,
            resources: _,
            update: _,
            volumes,
            environment: _,
            environment_at,
            depends_on: _,
            endpoint_mode: _,
            routes,
            command: _,
            role: _,
            container,
            at,
        } = &mut read.service;
        by(at);
        by(image_at);
        environment_at.iter_mut().for_each(&by);
        let Container {
            user,
            read_only,
            privileged,
            cap_add,
            cap_drop,
            security_opt,
            sysctls,
            devices,
            tmpfs,
            logging_driver,
            namespaces,
        } = container;
        [user, read_only, privileged, logging_driver]
            .into_iter()
            .flatten()
            .chain(
                [
                    cap_add,
                    cap_drop,
                    security_opt,
                    sysctls,
                    devices,
                    tmpfs,
                    namespaces,
                ]
                .into_iter()
                .flatten(),
            )
            .for_each(|s| by(&mut s.at));
        networks.iter_mut().for_each(|a| by(&mut a.at));
        ports.iter_mut().for_each(|p| by(&mut p.at));
        volumes.iter_mut().for_each(|m| by(&mut m.at));
        routes.iter_mut().for_each(|r| by(&mut r.at));
        for event in &mut read.events {
            match event {
                Event::Network(_, at) => by(at),
                Event::Problem(problem) => by(problem_at(problem)),
            }
        }
        read
    }
}

/// Where a problem is.
fn problem_at(problem: &mut Problem) -> &mut Location {
    match problem {
        Problem::UndefinedNetwork { at, .. }
        | Problem::DependsOnMapping { at, .. }
        | Problem::NoImage { at, .. }
        | Problem::IgnoredKey { at, .. }
        | Problem::RejectedKey { at, .. }
        | Problem::UnknownFlowService { at, .. }
        | Problem::UnsupportedVersion { at, .. }
        | Problem::UnsetVariable { at, .. }
        | Problem::Refused { at, .. } => at,
    }
}

/// The reads of a document's services, kept with the model so that the model of an
/// edited document reads again only the services the edit changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Each service's key and value as read, and what reading them gave.
    services: Vec<(Node, Node, Arc<ServiceRead>)>,
    /// The `networks:` value as read, and what reading it gave.
    networks: Option<(Node, Arc<TiersRead>)>,
}

/// The tiers `networks:` declares, and the problems reading it found.
type TiersRead = (Vec<Tier>, Vec<Problem>);

/// Derives the model from a compose document, reusing the reads of `previous` for
/// every service whose key and value are as they were there (same text, same place).
pub fn model_reusing(
    doc: &Node,
    options: &ImportOptions,
    previous: &Reading,
) -> Result<(Model, Reading)> {
    check_shape(doc)?;
    let mut reader = Reader {
        vars: &options.variables,
        problems: Vec::new(),
        events: None,
    };
    let meta = reader.tiermap(doc)?;
    let stack = options
        .stack
        .clone()
        .or(meta.name)
        .or_else(|| options.default_stack.clone())
        .unwrap_or_else(|| "stack".to_string());
    let version = match doc.get("version") {
        Some(node) => reader.text(node, "version")?,
        None => None,
    };
    // Docker validates the file against the schema of its version, and refuses a version
    // it has no schema for before looking further.
    match (
        schema::minor_version(version.as_deref()),
        doc.get("version"),
    ) {
        (Some(minor), _) => {
            let refused = schema::check(doc, minor, &options.variables, REJECTED_KEYS);
            reader.problems.extend(refused);
        }
        (None, Some(node)) => reader.problems.push(Problem::UnsupportedVersion {
            version: version.clone().unwrap_or_default(),
            at: node.at,
        }),
        (None, None) => {}
    }
    let mut reading = Reading::default();
    let moved = |now: &Node, then: &Node, read: &TiersRead| {
        let lines = yaml::moved_by(now, then)?;
        let by = |at: &mut Location| {
            if at.is_known() {
                at.line = u32::try_from(i64::from(at.line) + lines)
                    .unwrap_or(1)
                    .max(1);
            }
        };
        let (mut tiers, mut problems) = read.clone();
        tiers.iter_mut().for_each(|t| by(&mut t.at));
        problems.iter_mut().for_each(|p| by(problem_at(p)));
        Some(Arc::new((tiers, problems)))
    };
    let mut tiers = match (doc.get("networks"), &previous.networks) {
        (Some(now), Some((then, read))) if now == then => {
            reader.problems.extend(read.1.iter().cloned());
            reading.networks = Some((now.clone(), Arc::clone(read)));
            read.0.clone()
        }
        (Some(now), Some((then, read))) if moved(now, then, read).is_some() => {
            let read = moved(now, then, read).unwrap_or_else(|| Arc::clone(read));
            reader.problems.extend(read.1.iter().cloned());
            let tiers = read.0.clone();
            reading.networks = Some((now.clone(), read));
            tiers
        }
        (now, _) => {
            let before = reader.problems.len();
            let tiers = reader.tiers(doc)?;
            let problems = reader.problems.get(before..).unwrap_or_default().to_vec();
            reading.networks = now.map(|n| (n.clone(), Arc::new((tiers.clone(), problems))));
            tiers
        }
    };
    let entries = doc
        .get("services")
        .and_then(Node::as_map)
        .unwrap_or_default();
    // Previous reads by name, for services that moved among the others.
    let mut by_name: Option<HashMap<String, usize>> = None;
    for (i, (key, node)) in entries.iter().enumerate() {
        let same = |(k, v, _): &&(Node, Node, Arc<ServiceRead>)| k == key && v == node;
        let mut reused = previous.services.get(i).filter(same);
        if reused.is_none() && !previous.services.is_empty() {
            let names = by_name.get_or_insert_with(|| {
                previous
                    .services
                    .iter()
                    .enumerate()
                    .filter_map(|(j, (k, _, _))| Some((k.scalar_text()?, j)))
                    .collect()
            });
            reused = key
                .scalar_text()
                .and_then(|name| names.get(&name))
                .and_then(|j| previous.services.get(*j))
                .filter(same);
        }
        // A service the edit only moved up or down keeps its read, moved alike.
        let moved = || {
            let (k, v, read) = previous
                .services
                .get(i)
                .filter(|(k, _, _)| k.same_value(key))?;
            let lines = yaml::moved_by(key, k)?;
            (yaml::moved_by(node, v)? == lines).then(|| Arc::new(read.moved(lines)))
        };
        let read = match reused.map(|(_, _, read)| Arc::clone(read)).or_else(moved) {
            Some(read) => read,
            None => {
                let name = key.scalar_text().unwrap_or_default();
                let mut own = Reader {
                    vars: &options.variables,
                    problems: Vec::new(),
                    events: Some(Vec::new()),
                };
                let service = own.service(&name, key.at, node)?;
                Arc::new(ServiceRead {
                    service,
                    events: own.events.unwrap_or_default(),
                })
            }
        };
        reading.services.push((key.clone(), node.clone(), read));
    }
    // The services put together: tiers they join in order of first use, problems in
    // order (an unset variable once), homes from `x-tiermap`.
    let mut known: HashSet<String> = tiers.iter().map(|t| t.key.clone()).collect();
    let mut unset: HashSet<String> = reader
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::UnsetVariable { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut services = Vec::with_capacity(reading.services.len());
    for (_, _, read) in &reading.services {
        let mut service = read.service.clone();
        for event in &read.events {
            match event {
                Event::Problem(Problem::UnsetVariable { name, .. }) if unset.contains(name) => {}
                Event::Problem(problem) => {
                    if let Problem::UnsetVariable { name, .. } = problem {
                        unset.insert(name.clone());
                    }
                    reader.problems.push(problem.clone());
                }
                Event::Network(key, at) => {
                    if known.insert(key.clone()) {
                        if key != "default" {
                            reader.problems.push(Problem::UndefinedNetwork {
                                service: service.name.clone(),
                                network: key.clone(),
                                at: *at,
                            });
                        }
                        tiers.push(implicit_tier(key));
                    }
                }
            }
        }
        service.home = meta
            .homes
            .iter()
            .find(|(s, t)| *s == service.name && service.on(t))
            .map(|(_, t)| t.clone())
            .or_else(|| service.networks.first().map(|a| a.tier.clone()));
        services.push(service);
    }
    let mut model = Model {
        stack,
        version,
        tiers,
        services,
        flows: Vec::new(),
        problems: reader.problems,
        accepted: meta.accepted,
    };
    for flow in &meta.flows {
        for name in [&flow.from, &flow.to] {
            if model.service(name).is_none() {
                model.problems.push(Problem::UnknownFlowService {
                    name: name.clone(),
                    at: flow.at,
                });
            }
        }
    }
    let mut all_flows = meta.flows;
    all_flows.extend(flows::infer(&model));
    model.flows = flows::dedup(all_flows);
    Ok((model, reading))
}

/// What tiermap keeps in the document under `x-tiermap`.
#[derive(Default)]
struct Meta {
    name: Option<String>,
    homes: Vec<(String, String)>,
    flows: Vec<Flow>,
    accepted: Vec<Accepted>,
}

struct Reader<'a> {
    vars: &'a Variables,
    problems: Vec<Problem>,
    /// Reading a service: its problems and networks, in order (`problems` then only
    /// serves to report an unset variable once).
    events: Option<Vec<Event>>,
}

/// Keys `docker stack deploy` ignores: the ones it warns about ("Ignoring unsupported
/// options", "Ignoring deprecated options") and `tmpfs`, which its conversion drops
/// without a word (docs/stack-deploy.md). `depends_on` is ignored too but kept out:
/// tiermap reads it as a flow.
const IGNORED_KEYS: &[&str] = &[
    "build",
    "cgroup_parent",
    "cgroupns_mode",
    "container_name",
    "devices",
    "domainname",
    "expose",
    "external_links",
    "ipc",
    "links",
    "mac_address",
    "network_mode",
    "pid",
    "privileged",
    "restart",
    "security_opt",
    "shm_size",
    "tmpfs",
    "userns_mode",
];
/// Keys `docker stack deploy` refuses.
const REJECTED_KEYS: &[&str] = &[
    "extends",
    "volume_driver",
    "volumes_from",
    "cpu_quota",
    "cpu_shares",
    "cpuset",
    "mem_limit",
    "memswap_limit",
];

impl Reader<'_> {
    /// A scalar as interpolated text; `None` for null.
    fn text(&mut self, node: &Node, path: &str) -> Result<Option<String>> {
        let raw = match &node.value {
            Value::Null => return Ok(None),
            Value::Str(s) => s.clone(),
            Value::Seq(_) | Value::Map(_) => {
                return Err(ImportError::WrongType {
                    path: path.into(),
                    at: node.at,
                    expected: "a single value",
                    found: node.type_name(),
                })
            }
            _ => return Ok(node.scalar_text()),
        };
        let done = interpolate(&raw, self.vars).map_err(|source| ImportError::Interpolation {
            path: path.into(),
            at: node.at,
            source,
        })?;
        for name in done.unset {
            if !self
                .problems
                .iter()
                .any(|p| matches!(p, Problem::UnsetVariable { name: n, .. } if *n == name))
            {
                self.problem(Problem::UnsetVariable { name, at: node.at });
            }
        }
        Ok(Some(done.value))
    }

    fn problem(&mut self, problem: Problem) {
        if let Some(events) = &mut self.events {
            events.push(Event::Problem(problem.clone()));
        }
        self.problems.push(problem);
    }

    fn required_text(&mut self, node: &Node, path: &str) -> Result<String> {
        Ok(self.text(node, path)?.unwrap_or_default())
    }

    fn int(&mut self, node: &Node, path: &str) -> Result<Option<u64>> {
        if let Value::Int(i) = node.value {
            return u64::try_from(i)
                .map(Some)
                .map_err(|_| ImportError::NotANumber {
                    path: path.into(),
                    at: node.at,
                    text: i.to_string(),
                });
        }
        // `replicas: 1.0` is a whole number to docker too.
        if let Value::Float(f) = &node.value {
            if let Some(whole) = f
                .parse::<f64>()
                .ok()
                .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 1e15)
            {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                return Ok(Some(whole as u64));
            }
        }
        match self.text(node, path)? {
            None => Ok(None),
            Some(t) if t.is_empty() => Ok(None),
            Some(t) => t
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ImportError::NotANumber {
                    path: path.into(),
                    at: node.at,
                    text: t,
                }),
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Result<bool> {
        match &node.value {
            Value::Bool(b) => Ok(*b),
            Value::Null => Ok(false),
            _ => match self
                .required_text(node, path)?
                .to_ascii_lowercase()
                .as_str()
            {
                "true" | "yes" | "on" | "1" => Ok(true),
                "false" | "no" | "off" | "0" | "" => Ok(false),
                _ => Err(ImportError::WrongType {
                    path: path.into(),
                    at: node.at,
                    expected: "true or false",
                    found: node.type_name(),
                }),
            },
        }
    }

    fn seq<'n>(&self, node: &'n Node, path: &str) -> Result<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Ok(items),
            Value::Null => Ok(&[]),
            _ => Err(ImportError::WrongType {
                path: path.into(),
                at: node.at,
                expected: "a list",
                found: node.type_name(),
            }),
        }
    }

    fn map<'n>(&self, node: &'n Node, path: &str) -> Result<&'n [(Node, Node)]> {
        match &node.value {
            Value::Map(entries) => Ok(entries),
            Value::Null => Ok(&[]),
            _ => Err(ImportError::WrongType {
                path: path.into(),
                at: node.at,
                expected: "a mapping",
                found: node.type_name(),
            }),
        }
    }

    /// A list of strings, or a single string (compose accepts both for many keys).
    fn strings(&mut self, node: &Node, path: &str) -> Result<Vec<String>> {
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.extend(self.text(item, &format!("{path}[{i}]"))?);
                }
                Ok(out)
            }
            _ => Ok(self.text(node, path)?.into_iter().collect()),
        }
    }

    /// [`Reader::pairs`] with the place of each entry.
    fn pairs_at(&mut self, node: &Node, path: &str) -> Result<(Pairs, Vec<Location>)> {
        let pairs = self.pairs(node, path)?;
        let places = match &node.value {
            Value::Seq(items) => items.iter().map(|i| i.at).collect(),
            Value::Map(entries) => entries.iter().map(|(k, _)| k.at).collect(),
            _ => Vec::new(),
        };
        Ok((pairs, places))
    }

    /// A scalar setting or a list of them, as [`Setting`]s.
    fn settings(&mut self, node: &Node, path: &str) -> Result<Vec<Setting>> {
        let mut out = Vec::new();
        match &node.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(value) = self.text(item, &format!("{path}[{i}]"))? {
                        out.push(Setting { value, at: item.at });
                    }
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries.iter() {
                    let key = k.scalar_text().unwrap_or_default();
                    let value = self.text(v, &format!("{path}.{key}"))?.unwrap_or_default();
                    out.push(Setting {
                        value: format!("{key}={value}"),
                        at: k.at,
                    });
                }
            }
            _ => {
                if let Some(value) = self.text(node, path)? {
                    out.push(Setting { value, at: node.at });
                }
            }
        }
        Ok(out)
    }

    /// The container settings the hardening rules read.
    fn container(
        &mut self,
        container: &mut Container,
        key: &str,
        value: &Node,
        path: &str,
    ) -> Result<()> {
        let one = |reader: &mut Self| -> Result<Option<Setting>> {
            Ok(reader.settings(value, path)?.into_iter().next())
        };
        match key {
            "user" => container.user = one(self)?,
            "read_only" => container.read_only = one(self)?,
            "privileged" => container.privileged = one(self)?,
            "cap_add" => container.cap_add = self.settings(value, path)?,
            "cap_drop" => container.cap_drop = self.settings(value, path)?,
            "security_opt" => container.security_opt = self.settings(value, path)?,
            "sysctls" => container.sysctls = self.settings(value, path)?,
            "devices" => container.devices = self.settings(value, path)?,
            "tmpfs" => container.tmpfs = self.settings(value, path)?,
            "logging" => {
                if let Some(driver) = value.get("driver") {
                    let path = format!("{path}.driver");
                    container.logging_driver = self.text(driver, &path)?.map(|value| Setting {
                        value,
                        at: driver.at,
                    });
                }
            }
            _ => {
                if let Some(setting) = one(self)? {
                    container.namespaces.push(Setting {
                        value: format!("{key}: {}", setting.value),
                        at: setting.at,
                    });
                }
            }
        }
        Ok(())
    }

    /// `KEY=value` list or `KEY: value` mapping (labels, environment).
    fn pairs(&mut self, node: &Node, path: &str) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        match &node.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let text = self.required_text(item, &format!("{path}[{i}]"))?;
                    let (k, v) = text.split_once('=').unwrap_or((&text, ""));
                    out.push((k.to_string(), v.to_string()));
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries.iter() {
                    let key = k.scalar_text().unwrap_or_default();
                    let value = self.text(v, &format!("{path}.{key}"))?.unwrap_or_default();
                    out.push((key, value));
                }
            }
            Value::Null => {}
            _ => {
                return Err(ImportError::WrongType {
                    path: path.into(),
                    at: node.at,
                    expected: "a list or a mapping",
                    found: node.type_name(),
                })
            }
        }
        Ok(out)
    }

    fn tiermap(&mut self, doc: &Node) -> Result<Meta> {
        let mut meta = Meta::default();
        let Some(node) = doc.get("x-tiermap") else {
            return Ok(meta);
        };
        if let Some(name) = node.get("name") {
            meta.name = self.text(name, "x-tiermap.name")?;
        }
        if let Some(homes) = node.get("homes") {
            for (k, v) in self.map(homes, "x-tiermap.homes")? {
                let service = k.scalar_text().unwrap_or_default();
                let tier = self.required_text(v, &format!("x-tiermap.homes.{service}"))?;
                meta.homes.push((service, tier));
            }
        }
        if let Some(list) = node.get("flows") {
            for (i, item) in self.seq(list, "x-tiermap.flows")?.iter().enumerate() {
                let path = format!("x-tiermap.flows[{i}]");
                let field = |key: &str| item.get(key);
                let (Some(from), Some(to)) = (field("from"), field("to")) else {
                    return Err(ImportError::WrongType {
                        path,
                        at: item.at,
                        expected: "a mapping with `from` and `to`",
                        found: item.type_name(),
                    });
                };
                let port = match field("port") {
                    Some(p) => self
                        .int(p, &format!("{path}.port"))?
                        .and_then(|p| u16::try_from(p).ok()),
                    None => None,
                };
                meta.flows.push(Flow {
                    from: self.required_text(from, &format!("{path}.from"))?,
                    to: self.required_text(to, &format!("{path}.to"))?,
                    port,
                    origin: FlowOrigin::User,
                    at: item.at,
                });
            }
        }
        if let Some(list) = node.get("accepted") {
            for (i, item) in self.seq(list, "x-tiermap.accepted")?.iter().enumerate() {
                let path = format!("x-tiermap.accepted[{i}]");
                let id = match item.get("id") {
                    Some(n) => self.required_text(n, &format!("{path}.id"))?,
                    None => continue,
                };
                let note = match item.get("note") {
                    Some(n) => self.required_text(n, &format!("{path}.note"))?,
                    None => String::new(),
                };
                meta.accepted.push(Accepted { id, note });
            }
        }
        Ok(meta)
    }

    fn tiers(&mut self, doc: &Node) -> Result<Vec<Tier>> {
        let mut tiers = Vec::new();
        let Some((key_node, node)) = doc.entry("networks") else {
            return Ok(tiers);
        };
        let _ = key_node;
        for (k, v) in self.map(node, "networks")? {
            let key = k.scalar_text().unwrap_or_default();
            let path = format!("networks.{key}");
            let mut tier = Tier {
                key: key.clone(),
                name: None,
                driver: None,
                encryption: Encryption::Off,
                attachable: false,
                internal: false,
                external: false,
                labels: Vec::new(),
                declared: true,
                at: k.at,
            };
            for (field, value) in self.map(v, &path)? {
                let field_name = field.scalar_text().unwrap_or_default();
                let fpath = format!("{path}.{field_name}");
                match field_name.as_str() {
                    "name" => tier.name = self.text(value, &fpath)?,
                    "driver" => tier.driver = self.text(value, &fpath)?,
                    "attachable" => tier.attachable = self.boolean(value, &fpath)?,
                    "internal" => tier.internal = self.boolean(value, &fpath)?,
                    "labels" => tier.labels = self.pairs(value, &fpath)?,
                    "encrypted" => tier.encryption = Encryption::TopLevelKey,
                    "external" => match &value.value {
                        // Legacy `external: { name: x }`.
                        Value::Map(_) => {
                            tier.external = true;
                            if let Some(n) = value.get("name") {
                                tier.name = self.text(n, &format!("{fpath}.name"))?;
                            }
                        }
                        _ => tier.external = self.boolean(value, &fpath)?,
                    },
                    "driver_opts" => {
                        if let Some(enc) = value.get("encrypted") {
                            tier.encryption = match enc.value {
                                Value::Bool(_) => Encryption::DriverOptBoolean,
                                _ => Encryption::DriverOpt,
                            };
                        }
                    }
                    _ => {}
                }
            }
            tiers.push(tier);
        }
        Ok(tiers)
    }

    fn service(&mut self, name: &str, key_at: Location, node: &Node) -> Result<Service> {
        let base = format!("services.{name}");
        let mut service = Service {
            name: name.to_string(),
            image: None,
            mode: DeployMode::Replicated(1),
            networks: Vec::new(),
            home: None,
            network_mode: None,
            ports: Vec::new(),
            labels: Vec::new(),
            deploy_labels: Vec::new(),
            constraints: Vec::new(),
            secrets: Vec::new(),
            healthcheck: None,
            resources: Resources::default(),
            update: None,
            volumes: Vec::new(),
            environment: Vec::new(),
            environment_at: Vec::new(),
            image_at: key_at,
            container: Container::default(),
            depends_on: Vec::new(),
            endpoint_mode: None,
            routes: Vec::new(),
            command: Vec::new(),
            role: crate::role::Role::Other,
            at: key_at,
        };
        let mut wrote_networks = false;
        for (field, value) in self.map(node, &base)? {
            let key = field.scalar_text().unwrap_or_default();
            let path = format!("{base}.{key}");
            if IGNORED_KEYS.contains(&key.as_str()) {
                self.problem(Problem::IgnoredKey {
                    service: name.into(),
                    key: key.clone(),
                    at: field.at,
                });
            }
            if REJECTED_KEYS.contains(&key.as_str()) {
                self.problem(Problem::RejectedKey {
                    service: name.into(),
                    key: key.clone(),
                    at: field.at,
                });
            }
            match key.as_str() {
                "image" => {
                    service.image = self.text(value, &path)?;
                    service.image_at = value.at;
                }
                "network_mode" => service.network_mode = self.text(value, &path)?,
                "networks" => {
                    wrote_networks = true;
                    self.attachments(&mut service, value, &path)?;
                }
                "ports" => {
                    for (i, item) in self.seq(value, &path)?.iter().enumerate() {
                        let ports = self.port(item, &format!("{path}[{i}]"))?;
                        service.ports.extend(ports);
                    }
                }
                "labels" => service.labels = self.pairs(value, &path)?,
                "environment" => {
                    let (pairs, places) = self.pairs_at(value, &path)?;
                    service.environment = pairs;
                    service.environment_at = places;
                }
                "user" | "read_only" | "privileged" | "cap_add" | "cap_drop" | "security_opt"
                | "sysctls" | "devices" | "tmpfs" | "logging" | "pid" | "ipc" | "userns_mode"
                | "cgroupns_mode" => self.container(&mut service.container, &key, value, &path)?,
                "secrets" => {
                    for (i, item) in self.seq(value, &path)?.iter().enumerate() {
                        let source = match item.get("source") {
                            Some(s) => self.text(s, &format!("{path}[{i}].source"))?,
                            None => self.text(item, &format!("{path}[{i}]"))?,
                        };
                        service.secrets.extend(source);
                    }
                }
                "depends_on" => match &value.value {
                    Value::Map(entries) => {
                        self.problem(Problem::DependsOnMapping {
                            service: name.into(),
                            at: field.at,
                        });
                        service.depends_on = entries
                            .iter()
                            .filter_map(|(k, _)| k.scalar_text())
                            .collect();
                    }
                    _ => service.depends_on = self.strings(value, &path)?,
                },
                "healthcheck" => {
                    let test = match value.get("test") {
                        Some(t) => self.strings(t, &format!("{path}.test"))?,
                        None => Vec::new(),
                    };
                    let disabled = match value.get("disable") {
                        Some(d) => self.boolean(d, &format!("{path}.disable"))?,
                        None => false,
                    } || test.first().is_some_and(|t| t == "NONE");
                    service.healthcheck = Some(HealthCheck { test, disabled });
                }
                "volumes" => {
                    for (i, item) in self.seq(value, &path)?.iter().enumerate() {
                        service
                            .volumes
                            .push(self.mount(item, &format!("{path}[{i}]"))?);
                    }
                }
                "command" => service.command = self.strings(value, &path)?,
                "deploy" => self.deploy(&mut service, value, &path)?,
                _ => {}
            }
        }
        if service.image.is_none() {
            self.problem(Problem::NoImage {
                service: name.into(),
                at: key_at,
            });
        }
        let on_host = service.network_mode.is_some();
        if !wrote_networks && !on_host {
            self.join("default", key_at);
            service.networks.push(Attachment {
                tier: "default".into(),
                aliases: Vec::new(),
                at: key_at,
            });
        }
        service.routes = proxy::routes(&service.labels, &service.deploy_labels, node);
        service.role = crate::role::classify(&service);
        Ok(service)
    }

    /// The service being read joins a network.
    fn join(&mut self, key: &str, at: Location) {
        if let Some(events) = &mut self.events {
            events.push(Event::Network(key.to_string(), at));
        }
    }

    fn attachments(&mut self, service: &mut Service, value: &Node, path: &str) -> Result<()> {
        let mut attach = |reader: &mut Self, key: String, aliases: Vec<String>, at: Location| {
            reader.join(&key, at);
            service.networks.push(Attachment {
                tier: key,
                aliases,
                at,
            });
        };
        match &value.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let key = self.required_text(item, &format!("{path}[{i}]"))?;
                    attach(self, key, Vec::new(), item.at);
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries.iter() {
                    let key = k.scalar_text().unwrap_or_default();
                    let aliases = match v.get("aliases") {
                        Some(a) => self.strings(a, &format!("{path}.{key}.aliases"))?,
                        None => Vec::new(),
                    };
                    self.map(v, &format!("{path}.{key}"))?;
                    attach(self, key, aliases, k.at);
                }
            }
            Value::Null => {}
            _ => {
                return Err(ImportError::WrongType {
                    path: path.into(),
                    at: value.at,
                    expected: "a list or a mapping of networks",
                    found: value.type_name(),
                })
            }
        }
        Ok(())
    }

    fn port(&mut self, item: &Node, path: &str) -> Result<Vec<Port>> {
        self.port_numbers(item, path).map_err(|e| {
            // No number where a variable stood: say which variable, not that `` is no port.
            let unset = match e {
                ImportError::Port { .. } | ImportError::NotANumber { .. } => self.unset_in(item),
                _ => Vec::new(),
            };
            match (e.location(), unset.is_empty()) {
                (Some(at), false) => ImportError::UnsetPort {
                    path: path.into(),
                    at,
                    unset,
                },
                _ => e,
            }
        })
    }

    /// The variables a port entry (short, or the long form's values) names that are not
    /// set and have no default.
    fn unset_in(&self, item: &Node) -> Vec<String> {
        let raw: Vec<&str> = match &item.value {
            Value::Str(s) => vec![s.as_str()],
            Value::Map(entries) => entries
                .iter()
                .filter_map(|(_, v)| match &v.value {
                    Value::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut unset: Vec<String> = Vec::new();
        for text in raw {
            for name in interpolate(text, self.vars).map_or_else(|_| Vec::new(), |d| d.unset) {
                if !unset.contains(&name) {
                    unset.push(name);
                }
            }
        }
        unset
    }

    fn port_numbers(&mut self, item: &Node, path: &str) -> Result<Vec<Port>> {
        let port_err = |source| ImportError::Port {
            path: path.into(),
            at: item.at,
            source,
        };
        if let Value::Map(_) = item.value {
            let field = |key: &str| item.get(key);
            let target = match field("target") {
                Some(t) => self.int(t, &format!("{path}.target"))?,
                None => None,
            };
            let target = target
                .and_then(|t| u16::try_from(t).ok())
                .filter(|t| *t > 0)
                .ok_or_else(|| port_err(PortError::BadNumber(String::from("target"))))?;
            let published = match field("published") {
                Some(p) => match self.text(p, &format!("{path}.published"))? {
                    Some(t) if !t.is_empty() => Some(ports::range(&t).map_err(port_err)?.0),
                    _ => None,
                },
                None => None,
            };
            let protocol = match field("protocol") {
                Some(p) => {
                    let text = self.required_text(p, &format!("{path}.protocol"))?;
                    Protocol::parse(&text).ok_or_else(|| port_err(PortError::BadProtocol(text)))?
                }
                None => Protocol::Tcp,
            };
            let mode = match field("mode") {
                Some(m) if self.required_text(m, &format!("{path}.mode"))? == "host" => {
                    PublishMode::Host
                }
                _ => PublishMode::Ingress,
            };
            let host_ip = match field("host_ip") {
                Some(h) => self
                    .text(h, &format!("{path}.host_ip"))?
                    .filter(|h| !h.is_empty()),
                None => None,
            };
            return Ok(vec![Port {
                target,
                published,
                protocol,
                mode,
                host_ip,
                at: item.at,
                long_syntax: true,
            }]);
        }
        let spec = self.required_text(item, path)?;
        let parsed = ports::parse_short(&spec).map_err(port_err)?;
        Ok(parsed
            .into_iter()
            .map(|p| Port {
                target: p.target,
                published: p.published,
                protocol: p.protocol,
                mode: PublishMode::Ingress,
                host_ip: p.host_ip,
                at: item.at,
                long_syntax: false,
            })
            .collect())
    }

    fn mount(&mut self, item: &Node, path: &str) -> Result<Mount> {
        if let Value::Map(_) = item.value {
            let get = |reader: &mut Self, key: &str| -> Result<String> {
                match item.get(key) {
                    Some(n) => reader.required_text(n, &format!("{path}.{key}")),
                    None => Ok(String::new()),
                }
            };
            let source = get(self, "source")?;
            let target = get(self, "target")?;
            let read_only = match item.get("read_only") {
                Some(r) => self.boolean(r, &format!("{path}.read_only"))?,
                None => false,
            };
            let kind = match get(self, "type")?.as_str() {
                "bind" => MountKind::Bind,
                "volume" => MountKind::Volume,
                "tmpfs" => MountKind::Tmpfs,
                _ => MountKind::Other,
            };
            let propagation = match item.get("bind").and_then(|b| b.get("propagation")) {
                Some(p) => self.text(p, &format!("{path}.bind.propagation"))?,
                None => None,
            };
            return Ok(Mount {
                source,
                target,
                read_only,
                kind,
                propagation,
                at: item.at,
            });
        }
        let spec = self.required_text(item, path)?;
        let parts: Vec<&str> = spec.split(':').collect();
        let (source, target, options) = match parts.as_slice() {
            [target] => ("", *target, ""),
            [source, target] => (*source, *target, ""),
            [source, target, options, ..] => (*source, *target, *options),
            [] => ("", "", ""),
        };
        let read_only = options.split(',').any(|o| o == "ro");
        // Like docker's volume spec: a source that is a path is a bind, a name a volume.
        let kind = if source.is_empty() || !source.contains(['/', '\\', '.', '~']) {
            MountKind::Volume
        } else {
            MountKind::Bind
        };
        let propagation = options
            .split(',')
            .find(|o| {
                matches!(
                    *o,
                    "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"
                )
            })
            .map(str::to_string);
        Ok(Mount {
            source: source.into(),
            target: target.into(),
            read_only,
            kind,
            propagation,
            at: item.at,
        })
    }

    fn deploy(&mut self, service: &mut Service, node: &Node, base: &str) -> Result<()> {
        let mut global = false;
        let mut replicas = None;
        for (field, value) in self.map(node, base)? {
            let key = field.scalar_text().unwrap_or_default();
            let path = format!("{base}.{key}");
            match key.as_str() {
                "mode" => global = self.text(value, &path)?.as_deref() == Some("global"),
                "replicas" => replicas = self.int(value, &path)?,
                "endpoint_mode" => service.endpoint_mode = self.text(value, &path)?,
                "labels" => service.deploy_labels = self.pairs(value, &path)?,
                "placement" => {
                    if let Some(c) = value.get("constraints") {
                        service.constraints = self.strings(c, &format!("{path}.constraints"))?;
                    }
                }
                "resources" => {
                    let get =
                        |reader: &mut Self, group: &str, key: &str| -> Result<Option<String>> {
                            match value.get(group).and_then(|g| g.get(key)) {
                                Some(n) => reader.text(n, &format!("{path}.{group}.{key}")),
                                None => Ok(None),
                            }
                        };
                    service.resources = Resources {
                        limit_cpus: get(self, "limits", "cpus")?,
                        limit_memory: get(self, "limits", "memory")?,
                        reserve_cpus: get(self, "reservations", "cpus")?,
                        reserve_memory: get(self, "reservations", "memory")?,
                    };
                }
                "update_config" => {
                    let text = |reader: &mut Self, key: &str| -> Result<Option<String>> {
                        match value.get(key) {
                            Some(n) => reader.text(n, &format!("{path}.{key}")),
                            None => Ok(None),
                        }
                    };
                    let delay = text(self, "delay")?;
                    let order = text(self, "order")?;
                    let failure_action = text(self, "failure_action")?;
                    let parallelism = match value.get("parallelism") {
                        Some(n) => self.int(n, &format!("{path}.parallelism"))?,
                        None => None,
                    };
                    service.update = Some(UpdatePolicy {
                        parallelism,
                        delay,
                        order,
                        failure_action,
                    });
                }
                _ => {}
            }
        }
        service.mode = if global {
            DeployMode::Global
        } else {
            DeployMode::Replicated(replicas.unwrap_or(1))
        };
        Ok(())
    }
}

fn implicit_tier(key: &str) -> Tier {
    Tier {
        key: key.to_string(),
        name: None,
        driver: None,
        encryption: Encryption::Off,
        attachable: false,
        internal: false,
        external: false,
        labels: Vec::new(),
        declared: false,
        at: Location::NONE,
    }
}
