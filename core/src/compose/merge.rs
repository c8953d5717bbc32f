//! Several stack files read as one, the way `docker stack deploy -c base.yml -c
//! prod.yml` merges them (docker/cli's `cli/compose/loader/merge.go`, checked against
//! the real CLI in core/tests/merge.rs):
//!
//! - services merge by name; networks, volumes, secrets and configs are replaced whole
//!   by the later file's definition of the same key;
//! - in a service, a later value replaces an earlier one unless it is empty, `false` or
//!   `0` (except for `replicas` and `init`, which always replace); maps (`environment`,
//!   `labels`, `deploy.labels`, `networks`...) merge key by key; lists append, except
//!   `ports` (keyed by published port: unpublished ports collapse into one), `volumes`
//!   (by target), `secrets` and `configs` (by source; docker rebuilds these four lists
//!   for every service two files define), and `command`, `entrypoint` and
//!   `ulimits` entries, which a non-empty later value replaces; `logging` merges its
//!   options when the driver is the same;
//! - every file must have the same `version` (a file without one counts as 3.13).
//!
//! Each node keeps the place it was read from. So that a place also says which file,
//! the lines of the `n`-th file are numbered from `n *` [`FILE_LINES`]; [`place`]
//! splits them again.

use std::sync::Arc;

use crate::compose::import::{self, ImportError, ImportOptions};
use crate::compose::interpolate::{interpolate, Variables};
use crate::compose::{ports, schema};
use crate::model::Model;
use crate::yaml::{self, Location, Node, Value};

/// Lines per file in a merged document's locations (no file tiermap reads has more).
pub const FILE_LINES: u32 = 1 << 24;

/// Why files cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The files name different compose versions; docker refuses to merge them.
    #[error("`version` is {later} here but {first} in the first file; `docker stack deploy` refuses to merge files of different versions (a file without `version` counts as 3.13)")]
    VersionMismatch {
        /// The first file's version.
        first: String,
        /// This file's version.
        later: String,
        /// Where this file sets it (its first line when it does not).
        at: Location,
    },
    /// A file that is not a mapping of compose keys.
    #[error("a compose file is a mapping of keys such as `services:`, but this file is {found}")]
    NotAMapping {
        /// What the file is.
        found: &'static str,
        /// Where.
        at: Location,
    },
}

impl MergeError {
    /// Where the problem is (in merged numbering: see [`place`]).
    pub fn location(&self) -> Location {
        match self {
            MergeError::VersionMismatch { at, .. } | MergeError::NotAMapping { at, .. } => *at,
        }
    }
}

/// Why several files cannot be read as one stack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilesError {
    /// A file is not YAML; the error's location is in that file.
    #[error("{error}")]
    Read {
        /// Which file (0 for the first).
        file: usize,
        /// What is wrong.
        error: ImportError,
    },
    /// The files cannot be merged; the location is a merged one ([`place`]).
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The merged document is not a stack; the location is a merged one ([`place`]).
    #[error(transparent)]
    Import(#[from] ImportError),
}

/// Reads several stack files as one model, merged the way `docker stack deploy -c a -c b`
/// merges them. Every location in the model is a merged one: [`place`] tells the file.
pub fn model(texts: &[&str], options: &ImportOptions) -> Result<Model, FilesError> {
    let mut docs = Vec::with_capacity(texts.len());
    for (file, text) in texts.iter().enumerate() {
        let mut doc = yaml::parse(text, options.limits).map_err(|e| FilesError::Read {
            file,
            error: ImportError::from(e),
        })?;
        relocate(&mut doc, file);
        docs.push(doc);
    }
    let merged = merge(docs, &options.variables)?;
    Ok(import::model(&merged, options)?)
}

/// The file (0 for the first) and the place in it of a location in a merged document.
pub fn place(at: Location) -> (usize, Location) {
    let file = (at.line / FILE_LINES) as usize;
    (
        file,
        Location {
            line: at.line % FILE_LINES,
            column: at.column,
        },
    )
}

/// Renumbers the lines of a document read as the `file`-th of a merge.
pub fn relocate(node: &mut Node, file: usize) {
    let offset = u32::try_from(file).unwrap_or(0).saturating_mul(FILE_LINES);
    if offset == 0 {
        return;
    }
    fn walk(node: &mut Node, offset: u32) {
        if node.at.is_known() {
            node.at.line = node.at.line.saturating_add(offset);
        }
        match &mut node.value {
            Value::Seq(items) => Arc::make_mut(items)
                .iter_mut()
                .for_each(|i| walk(i, offset)),
            Value::Map(entries) => Arc::make_mut(entries).iter_mut().for_each(|(k, v)| {
                walk(k, offset);
                walk(v, offset);
            }),
            _ => {}
        }
    }
    walk(node, offset);
}

/// Merges documents in order (each already [`relocate`]d), as `docker stack deploy`
/// does with several `-c` files.
pub fn merge(files: Vec<Node>, vars: &Variables) -> Result<Node, MergeError> {
    let mut files = files.into_iter();
    let Some(mut base) = files.next() else {
        return Ok(Node::map());
    };
    check_mapping(&base)?;
    let first_version = version(&base, vars);
    for over in files {
        check_mapping(&over)?;
        let later = version(&over, vars);
        if later != first_version {
            let at = over
                .get("version")
                .map(|v| v.at)
                .or_else(|| over.as_map().and_then(|e| e.first()).map(|(k, _)| k.at))
                .unwrap_or(over.at);
            return Err(MergeError::VersionMismatch {
                first: first_version,
                later,
                at,
            });
        }
        merge_file(&mut base, over);
    }
    Ok(base)
}

fn check_mapping(doc: &Node) -> Result<(), MergeError> {
    match doc.value {
        Value::Map(_) => Ok(()),
        _ => Err(MergeError::NotAMapping {
            found: doc.type_name(),
            at: doc.at,
        }),
    }
}

/// The version docker compares files by: `3` and a missing one are 3.13.
fn version(doc: &Node, vars: &Variables) -> String {
    let text = doc
        .get("version")
        .and_then(Node::scalar_text)
        .map(|v| interpolate(&v, vars).map_or(v, |i| i.value));
    match schema::minor_version(text.as_deref()) {
        Some(minor) if text.as_deref().is_none_or(|t| t == "3" || t.is_empty()) => {
            format!("3.{minor}")
        }
        _ => text.unwrap_or_default(),
    }
}

fn merge_file(base: &mut Node, over: Node) {
    let Value::Map(entries) = over.value else {
        return;
    };
    for (key, value) in Arc::unwrap_or_clone(entries) {
        let name = key.scalar_text().unwrap_or_default();
        match name.as_str() {
            "services" => {
                if let Some(target) = slot(base, &name) {
                    merge_named(target, value, merge_service);
                }
            }
            // A later definition of a network, volume, secret or config replaces it.
            "networks" | "volumes" | "secrets" | "configs" => {
                if let Some(target) = slot(base, &name) {
                    merge_named(target, value, |old, new| *old = new);
                }
            }
            // tiermap's own data merges, so acceptances can live in an override file;
            // docker ignores every `x-` key.
            "x-tiermap" => {
                if let Some(target) = slot(base, &name) {
                    if target.is_null() {
                        *target = value;
                    } else {
                        deep(target, value);
                    }
                }
            }
            "version" => {}
            _ if base.get(&name).is_none() => {
                if let Some(entries) = base.as_map_mut() {
                    entries.push((key, value));
                }
            }
            _ => {}
        }
    }
}

/// The value under `name` in a mapping, inserted (null) when missing.
fn slot<'m>(map: &'m mut Node, name: &str) -> Option<&'m mut Node> {
    map.get_or_insert(name, Node::new(Value::Null))
}

/// Merges mappings of named things (services, networks...) entry by entry.
fn merge_named(target: &mut Node, over: Node, each: impl Fn(&mut Node, Node)) {
    if target.is_null() {
        *target = Node::map();
    }
    let Value::Map(entries) = over.value else {
        return;
    };
    for (key, value) in Arc::unwrap_or_clone(entries) {
        let name = key.scalar_text().unwrap_or_default();
        match target.get_mut(&name) {
            Some(existing) => each(existing, value),
            None => {
                if let Some(list) = target.as_map_mut() {
                    list.push((key, value));
                }
            }
        }
    }
}

/// The keys of a list item (a port range stands for several ports).
type Keys = fn(&Node) -> Vec<(String, Node)>;

/// The lists docker merges by key; it rebuilds them (deduplicated by key, sorted) for
/// every service two files define, whether the later file lists them or not.
const KEYED: [(&str, Keys); 4] = [
    ("ports", port_keys),
    ("volumes", volume_key),
    ("secrets", source_key),
    ("configs", source_key),
];

fn merge_service(base: &mut Node, over: Node) {
    if base.is_null() {
        *base = Node::map();
    }
    let Value::Map(entries) = over.value else {
        return;
    };
    for (name, keys) in KEYED {
        if let Some(list) = base.get_mut(name) {
            keyed(list, Node::seq(), keys);
        }
    }
    for (key, value) in Arc::unwrap_or_clone(entries) {
        let name = key.scalar_text().unwrap_or_default();
        let Some(old) = base.get_mut(&name) else {
            if let Some(list) = base.as_map_mut() {
                list.push((key, value));
            }
            continue;
        };
        match name.as_str() {
            "ports" => keyed(old, value, port_keys),
            "volumes" => keyed(old, value, volume_key),
            "secrets" | "configs" => keyed(old, value, source_key),
            "environment" | "labels" | "sysctls" => merge_pairs(old, value),
            "networks" => merge_networks(old, value),
            "command" | "entrypoint" => {
                if !empty(&value) {
                    *old = value;
                }
            }
            "ulimits" => merge_named(old, value, |o, n| {
                if !empty(&n) {
                    *o = n;
                }
            }),
            "logging" => merge_logging(old, value),
            "init" => *old = value,
            "deploy" => merge_deploy(old, value),
            _ => deep(old, value),
        }
    }
}

fn merge_deploy(base: &mut Node, over: Node) {
    if base.is_null() {
        *base = over;
        return;
    }
    let Value::Map(entries) = over.value else {
        return;
    };
    for (key, value) in Arc::unwrap_or_clone(entries) {
        let name = key.scalar_text().unwrap_or_default();
        match base.get_mut(&name) {
            None => {
                if let Some(list) = base.as_map_mut() {
                    list.push((key, value));
                }
            }
            Some(old) => match name.as_str() {
                "labels" => merge_pairs(old, value),
                // A pointer in docker's types: set means set, 0 included.
                "replicas" => *old = value,
                _ => deep(old, value),
            },
        }
    }
}

/// The default merge: mappings key by key, lists appended, a later scalar replaces an
/// earlier one unless it is empty, `false`, `0` or null.
fn deep(base: &mut Node, over: Node) {
    match (&mut base.value, over.value) {
        (Value::Map(old), Value::Map(new)) => {
            let old = Arc::make_mut(old);
            for (key, value) in Arc::unwrap_or_clone(new) {
                let name = key.scalar_text().unwrap_or_default();
                match old
                    .iter_mut()
                    .find(|(k, _)| k.scalar_text().as_deref() == Some(name.as_str()))
                {
                    Some((_, existing)) => deep(existing, value),
                    None => old.push((key, value)),
                }
            }
        }
        (Value::Seq(old), Value::Seq(new)) => Arc::make_mut(old).extend(Arc::unwrap_or_clone(new)),
        // `dns: 8.8.8.8` and `dns: [1.1.1.1]` are both lists to docker.
        (Value::Seq(old), new @ Value::Str(_)) => Arc::make_mut(old).push(node_at(new, over.at)),
        (Value::Str(_), Value::Seq(new)) => {
            let first = std::mem::replace(base, Node::seq());
            let mut list = vec![first];
            list.extend(Arc::unwrap_or_clone(new));
            base.value = Value::Seq(Arc::new(list));
        }
        (_, new) => {
            let node = node_at(new, over.at);
            if !empty(&node) {
                *base = node;
            }
        }
    }
}

/// A node read from `at` (for values the merge builds from the files' text).
fn node_at(value: Value, at: Location) -> Node {
    let mut node = Node::new(value);
    node.at = at;
    node
}

/// Whether docker's merge treats a value as unset (a zero value in Go).
fn empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => f.parse::<f64>().is_ok_and(|x| x == 0.0),
        Value::Str(s) => s.is_empty(),
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
    }
}

/// `KEY=value` lists and `KEY: value` mappings, merged by key into a mapping.
fn merge_pairs(base: &mut Node, over: Node) {
    let mut merged = pairs(std::mem::replace(base, Node::map()));
    for (key, value) in pairs(over) {
        let name = key.scalar_text().unwrap_or_default();
        match merged
            .iter_mut()
            .find(|(k, _)| k.scalar_text().as_deref() == Some(name.as_str()))
        {
            Some((_, v)) => *v = value,
            None => merged.push((key, value)),
        }
    }
    base.value = Value::Map(Arc::new(merged));
}

fn pairs(node: Node) -> Vec<(Node, Node)> {
    match node.value {
        Value::Map(entries) => Arc::unwrap_or_clone(entries),
        Value::Seq(items) => Arc::unwrap_or_clone(items)
            .into_iter()
            .map(|item| {
                let text = item.scalar_text().unwrap_or_default();
                let (key, value) = match text.split_once('=') {
                    Some((k, v)) => (k.to_string(), Value::Str(v.to_string())),
                    None => (text, Value::Null),
                };
                (node_at(Value::Str(key), item.at), node_at(value, item.at))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A service's `networks` as a mapping: a list names networks with no settings.
fn network_map(node: Node) -> Vec<(Node, Node)> {
    match node.value {
        Value::Map(entries) => Arc::unwrap_or_clone(entries),
        Value::Seq(items) => Arc::unwrap_or_clone(items)
            .into_iter()
            .map(|item| {
                let at = item.at;
                (item, node_at(Value::Null, at))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn merge_networks(base: &mut Node, over: Node) {
    let mut merged = network_map(std::mem::replace(base, Node::map()));
    for (key, value) in network_map(over) {
        let name = key.scalar_text().unwrap_or_default();
        match merged
            .iter_mut()
            .find(|(k, _)| k.scalar_text().as_deref() == Some(name.as_str()))
        {
            Some((_, existing)) if existing.is_null() => *existing = value,
            Some((_, existing)) => {
                if !empty(&value) {
                    // Aliases are replaced; the addresses replace when set.
                    if let Some(aliases) = value.get("aliases").cloned() {
                        existing.set("aliases", aliases);
                    }
                    for field in ["ipv4_address", "ipv6_address", "driver_opts"] {
                        if let Some(v) = value.get(field).filter(|v| !empty(v)).cloned() {
                            existing.set(field, v);
                        }
                    }
                }
            }
            None => merged.push((key, value)),
        }
    }
    base.value = Value::Map(Arc::new(merged));
}

fn merge_logging(base: &mut Node, over: Node) {
    let driver = |n: &Node| {
        n.get("driver")
            .and_then(Node::scalar_text)
            .unwrap_or_default()
    };
    let (old, new) = (driver(base), driver(&over));
    if old == new || old.is_empty() || new.is_empty() {
        if old.is_empty() && !new.is_empty() {
            if let Some(d) = over.get("driver").cloned() {
                base.set("driver", d);
            }
        }
        if let Some(options) = over.get("options").cloned() {
            match base.get_mut("options") {
                Some(existing) => merge_pairs(existing, options),
                None => {
                    base.set("options", options);
                }
            }
        }
    } else {
        *base = over;
    }
}

/// Merges two lists of items identified by a key: a later item replaces an earlier
/// one with the same key, and the result is ordered by key, as docker does.
fn keyed(base: &mut Node, over: Node, keys: Keys) {
    let mut items: Vec<(String, Node)> = match &base.value {
        Value::Seq(list) => list.iter().flat_map(keys).collect(),
        _ => Vec::new(),
    };
    // Within one list too, the last item of a key wins.
    let mut merged: Vec<(String, Node)> = Vec::new();
    let new: Vec<(String, Node)> = match &over.value {
        Value::Seq(list) => list.iter().flat_map(keys).collect(),
        _ => Vec::new(),
    };
    items.extend(new);
    for (key, item) in items {
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = item,
            None => merged.push((key, item)),
        }
    }
    crate::sort::sort_by(&mut merged, |a, b| order(&a.0).cmp(&order(&b.0)));
    base.value = Value::Seq(
        merged
            .into_iter()
            .map(|(_, n)| n)
            .collect::<Vec<_>>()
            .into(),
    );
}

/// Keys sort as numbers when they are (published ports), as text otherwise.
fn order(key: &str) -> (u64, &str) {
    (key.parse().unwrap_or(u64::MAX), key)
}

/// The published port of each port an item stands for (a range stands for several,
/// each written as its own item); `0` when swarm picks it.
fn port_keys(item: &Node) -> Vec<(String, Node)> {
    if let Some(published) = item.get("published") {
        let key = published
            .scalar_text()
            .and_then(|t| ports::range(&t).ok())
            .map_or(0, |(p, _)| p);
        return vec![(key.to_string(), item.clone())];
    }
    if item.as_map().is_some() {
        return vec![("0".to_string(), item.clone())];
    }
    let text = item.scalar_text().unwrap_or_default();
    match ports::parse_short(&text) {
        Ok(list) if list.len() > 1 => list
            .iter()
            .map(|p| {
                let host = p
                    .host_ip
                    .as_deref()
                    .map(|ip| format!("{ip}:"))
                    .unwrap_or_default();
                let published = p.published.map(|n| format!("{n}:")).unwrap_or_default();
                let spec = format!("{host}{published}{}/{}", p.target, p.protocol);
                let node = node_at(Value::Str(spec), item.at);
                (p.published.unwrap_or(0).to_string(), node)
            })
            .collect(),
        Ok(list) => {
            let key = list.first().and_then(|p| p.published).unwrap_or(0);
            vec![(key.to_string(), item.clone())]
        }
        Err(_) => vec![(text, item.clone())],
    }
}

/// The target of a mount, read the way docker's volume spec reader does (a single
/// letter before `:` is a Windows drive, so `v:/data` is all target).
fn volume_key(item: &Node) -> Vec<(String, Node)> {
    let key = match item.get("target") {
        Some(t) => t.scalar_text().unwrap_or_default(),
        None => {
            let spec = item.scalar_text().unwrap_or_default();
            let mut parts: Vec<String> = Vec::new();
            let mut current = String::new();
            for c in spec.chars() {
                let drive = c == ':'
                    && current.chars().count() == 1
                    && current.chars().all(char::is_alphabetic);
                if c == ':' && !drive {
                    parts.push(std::mem::take(&mut current));
                } else {
                    current.push(c);
                }
            }
            parts.push(current);
            match parts.len() {
                1 => parts.swap_remove(0),
                _ => parts.swap_remove(1),
            }
        }
    };
    vec![(key, item.clone())]
}

fn source_key(item: &Node) -> Vec<(String, Node)> {
    let key = item
        .get("source")
        .unwrap_or(item)
        .scalar_text()
        .unwrap_or_default();
    vec![(key, item.clone())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Limits};

    fn doc(text: &str, file: usize) -> Node {
        let mut node = parse(text, Limits::default()).unwrap_or_else(|_| Node::map());
        relocate(&mut node, file);
        node
    }

    #[test]
    fn places_say_the_file() {
        let merged = merge(
            vec![
                doc("services:\n  a:\n    image: x\n", 0),
                doc("services:\n  a:\n    image: y\n", 1),
            ],
            &Variables::new(),
        )
        .unwrap_or_else(|_| Node::map());
        let image = merged
            .get("services")
            .and_then(|s| s.get("a"))
            .and_then(|a| a.get("image"))
            .cloned()
            .unwrap_or_else(Node::map);
        assert_eq!(image.as_str(), Some("y"));
        assert_eq!(
            place(image.at),
            (
                1,
                Location {
                    line: 3,
                    column: 12
                }
            )
        );
    }

    #[test]
    fn versions_must_match() {
        let r = merge(
            vec![
                doc("version: '3.8'\nservices: {}\n", 0),
                doc("services: {}\n", 1),
            ],
            &Variables::new(),
        );
        assert!(matches!(r, Err(MergeError::VersionMismatch { .. })));
        let r = merge(
            vec![
                doc("version: '3'\nservices: {}\n", 0),
                doc("services: {}\n", 1),
            ],
            &Variables::new(),
        );
        assert!(r.is_ok());
    }

    #[test]
    fn volume_targets() {
        let key = |s: &str| volume_key(&Node::str(s)).remove(0).0;
        assert_eq!(key("data:/var/lib/x:ro"), "/var/lib/x");
        assert_eq!(key("/srv:/srv"), "/srv");
        assert_eq!(key("/anon"), "/anon");
        assert_eq!(key("v:/data"), "v:/data");
    }
}
