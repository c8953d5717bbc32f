//! A design: the stack file's text, the document read from it and the model derived
//! from that, with the edits the designer page offers. The text is the source of truth:
//! export returns it. An edit changes a copy of the document; `yaml::rewrite` turns the
//! change into a few replacements of the text (everything else stays as the user wrote
//! it), and the new text is read again into the document and the model.

use std::sync::Arc;

use crate::analysis::Analysis;
use crate::compose::import::{self, Reading};
use crate::compose::{schema, ImportError, ImportOptions};
use crate::findings::{FixAction, TierGroup};
use crate::model::{Model, Protocol, PublishMode};
use crate::names::{self, NameError};
use crate::yaml::rewrite::{self, RewriteError};
use crate::yaml::{Node, Value};

/// Why an edit could not be made. The design is unchanged when an edit fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No service with that name.
    #[error("there is no service `{0}`")]
    UnknownService(String),
    /// No tier with that key.
    #[error("there is no tier `{0}`")]
    UnknownTier(String),
    /// The name is taken.
    #[error("`{0}` already exists")]
    Exists(String),
    /// The name breaks Docker's rules.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A key in the document has a shape the edit cannot change safely.
    #[error("`{0}` has an unexpected shape in the file; edit it in the YAML instead")]
    Shape(String),
    /// The edited document no longer reads (a bug in the edit, reported instead of lost).
    #[error("the edit produced a file tiermap cannot read: {0}")]
    Import(#[from] ImportError),
    /// The edited document could not be written as text that reads back the same.
    #[error("the edit cannot be written into the file: {0}")]
    Rewrite(#[from] RewriteError),
}

/// A published port as the editor sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    /// Container port.
    pub target: u16,
    /// Published port (`None`: swarm picks one).
    pub published: Option<u16>,
    /// Protocol.
    pub protocol: Protocol,
    /// Publish mode.
    pub mode: PublishMode,
}

impl PortSpec {
    /// A port as the model read it, as the editor takes it.
    pub fn of(port: &crate::model::Port) -> PortSpec {
        PortSpec {
            target: port.target,
            published: port.published,
            protocol: port.protocol,
            mode: port.mode,
        }
    }

    /// Port `port` published on the same number (tcp, ingress): for grouping bare port
    /// numbers into ranges ([`port_range::number_runs`](crate::port_range::number_runs)).
    pub fn number(port: u16) -> PortSpec {
        PortSpec {
            target: port,
            published: Some(port),
            protocol: Protocol::Tcp,
            mode: PublishMode::Ingress,
        }
    }
}

/// A proxy route as the editor sets it (written as Traefik v3 labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// Host name.
    pub host: String,
    /// Path prefix, empty for every path.
    pub path: String,
    /// Container port.
    pub port: u16,
}

/// The design being edited. Copies share the text, the document and the model, which
/// an edit replaces and never changes in place: each undo step costs three pointers.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    text: Arc<str>,
    doc: Arc<Node>,
    options: ImportOptions,
    model: Arc<Model>,
    /// What reading each service gave, so an edit reads again only those it changed.
    reading: Arc<Reading>,
}

/// The text of a design with nothing in it.
const EMPTY: &str = "services: {}\n";

impl Design {
    /// An empty design named `stack`.
    pub fn empty(stack: &str) -> Design {
        let options = ImportOptions {
            stack: Some(stack.to_string()),
            ..ImportOptions::default()
        };
        let doc = import::read(EMPTY, options.limits).unwrap_or_else(|_| {
            let mut doc = Node::map();
            doc.set("services", Node::map());
            doc
        });
        let model = Model {
            stack: stack.to_string(),
            ..Model::default()
        };
        Design {
            text: Arc::from(EMPTY),
            doc: Arc::new(doc),
            options,
            model: Arc::new(model),
            reading: Arc::default(),
        }
    }

    /// Reads a compose or stack file.
    pub fn import(text: &str, options: ImportOptions) -> Result<Design, ImportError> {
        let doc = import::read(text, options.limits)?;
        let (model, reading) = import::model_reusing(&doc, &options, &Reading::default())?;
        Ok(Design {
            text: Arc::from(text),
            doc: Arc::new(doc),
            options,
            model: Arc::new(model),
            reading: Arc::new(reading),
        })
    }

    /// The stack file: what `docker stack deploy -c` takes, and what tiermap reopens. It
    /// is the imported text, changed only where edits changed the design.
    pub fn export(&self) -> String {
        self.text.to_string()
    }

    /// The stack file's text, without a copy.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The design deployed under another stack name, as `tiermap --stack NAME` reads
    /// it: the same document, its model derived again with that name. The name is not
    /// checked here; artifacts refuse one that breaks Docker's rules.
    pub fn with_stack(&self, stack: &str) -> Result<Design, ImportError> {
        let options = ImportOptions {
            stack: Some(stack.to_string()),
            ..self.options.clone()
        };
        let (model, reading) = import::model_reusing(&self.doc, &options, &Reading::default())?;
        Ok(Design {
            text: Arc::clone(&self.text),
            doc: Arc::clone(&self.doc),
            options,
            model: Arc::new(model),
            reading: Arc::new(reading),
        })
    }

    /// The model derived from the document.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The document as it stands.
    pub fn document(&self) -> &Node {
        &self.doc
    }

    /// Every analysis of the current model.
    pub fn analyze(&self) -> Analysis {
        Analysis::of(&self.model)
    }

    /// Applies an edit to a copy of the document, writes it into the text and keeps the
    /// result only if it reads back.
    fn edit(
        &mut self,
        change: impl FnOnce(&mut Node) -> Result<(), EditError>,
    ) -> Result<(), EditError> {
        let mut doc = Node::clone(&self.doc);
        let had_meta = doc.get("x-tiermap").is_some();
        change(&mut doc)?;
        if !had_meta && doc.get("x-tiermap").is_some() {
            raise_version_for_extensions(&mut doc);
        }
        let written = rewrite::rewrite(&self.text, &self.doc, &doc, self.options.limits)?;
        let (model, reading) = import::model_reusing(&written.doc, &self.options, &self.reading)?;
        self.text = Arc::from(written.text);
        self.doc = Arc::new(written.doc);
        self.model = Arc::new(model);
        self.reading = Arc::new(reading);
        Ok(())
    }

    fn require_service(&self, name: &str) -> Result<(), EditError> {
        self.model
            .service(name)
            .map(|_| ())
            .ok_or_else(|| EditError::UnknownService(name.into()))
    }

    fn require_tier(&self, key: &str) -> Result<(), EditError> {
        self.model
            .tier(key)
            .map(|_| ())
            .ok_or_else(|| EditError::UnknownTier(key.into()))
    }

    /// Adds an encrypted overlay tier.
    pub fn add_tier(&mut self, key: &str) -> Result<(), EditError> {
        names::validate(key)?;
        if self.model.tier(key).is_some_and(|t| t.declared) {
            return Err(EditError::Exists(key.into()));
        }
        self.edit(|doc| {
            define_network(doc, key)?;
            Ok(())
        })
    }

    /// Removes a tier and detaches every service from it.
    pub fn remove_tier(&mut self, key: &str) -> Result<(), EditError> {
        self.require_tier(key)?;
        let members: Vec<String> = self
            .model
            .services
            .iter()
            .filter(|s| s.on(key))
            .map(|s| s.name.clone())
            .collect();
        self.edit(|doc| {
            for service in &members {
                detach_network(service_node(doc, service)?, key);
            }
            if let Some(networks) = doc.get_mut("networks") {
                networks.remove(key);
            }
            Ok(())
        })
    }

    /// Renames a tier and every reference to it.
    pub fn rename_tier(&mut self, old: &str, new: &str) -> Result<(), EditError> {
        names::validate(new)?;
        self.require_tier(old)?;
        if self.model.tier(new).is_some() {
            return Err(EditError::Exists(new.into()));
        }
        let members: Vec<String> = self
            .model
            .services
            .iter()
            .filter(|s| s.on(old))
            .map(|s| s.name.clone())
            .collect();
        self.edit(|doc| {
            if let Some(entries) = doc.get_mut("networks").and_then(Node::as_map_mut) {
                for (k, _) in entries.iter_mut().filter(|(k, _)| k.is_text(old)) {
                    k.value = Value::Str(new.into());
                }
            }
            for service in &members {
                rename_network(service_node(doc, service)?, old, new);
            }
            rename_in_meta(doc, "homes", |v| v == old, new, true);
            Ok(())
        })
    }

    /// Adds a service on a tier.
    pub fn add_service(&mut self, name: &str, image: &str, tier: &str) -> Result<(), EditError> {
        names::validate(name)?;
        if self.model.service(name).is_some() {
            return Err(EditError::Exists(name.into()));
        }
        self.edit(|doc| {
            let mut service = Node::map();
            service.set("image", Node::str(image));
            let mut networks = Node::seq();
            if let Some(items) = networks.as_seq_mut() {
                items.push(Node::str(tier));
            }
            service.set("networks", networks);
            if tier != "default" && doc.get("networks").and_then(|n| n.get(tier)).is_none() {
                define_network(doc, tier)?;
            }
            services(doc)?.set(name, service);
            Ok(())
        })
    }

    /// Removes a service and the flows that name it.
    pub fn remove_service(&mut self, name: &str) -> Result<(), EditError> {
        self.require_service(name)?;
        self.edit(|doc| {
            services(doc)?.remove(name);
            remove_flows(doc, |from, to| from == name || to == name);
            if let Some(homes) = doc.get_mut("x-tiermap").and_then(|m| m.get_mut("homes")) {
                homes.remove(name);
            }
            Ok(())
        })
    }

    /// Renames a service, and the `depends_on` entries and flows that name it.
    pub fn rename_service(&mut self, old: &str, new: &str) -> Result<(), EditError> {
        names::validate(new)?;
        self.require_service(old)?;
        if self.model.service(new).is_some() {
            return Err(EditError::Exists(new.into()));
        }
        self.edit(|doc| {
            let services = services(doc)?;
            if let Some(entries) = services.as_map_mut() {
                for (k, v) in entries.iter_mut() {
                    if k.is_text(old) {
                        k.value = Value::Str(new.into());
                        rename_route_labels(v, old, new);
                    }
                    if let Some(deps) = v.get_mut("depends_on").and_then(Node::as_seq_mut) {
                        for dep in deps.iter_mut().filter(|d| d.is_text(old)) {
                            dep.value = Value::Str(new.into());
                        }
                    }
                }
            }
            if let Some(flows) = doc
                .get_mut("x-tiermap")
                .and_then(|m| m.get_mut("flows"))
                .and_then(Node::as_seq_mut)
            {
                for flow in flows.iter_mut() {
                    for key in ["from", "to"] {
                        if let Some(end) = flow.get_mut(key).filter(|n| n.is_text(old)) {
                            end.value = Value::Str(new.into());
                        }
                    }
                }
            }
            if let Some(homes) = doc
                .get_mut("x-tiermap")
                .and_then(|m| m.get_mut("homes"))
                .and_then(Node::as_map_mut)
            {
                for (k, _) in homes.iter_mut().filter(|(k, _)| k.is_text(old)) {
                    k.value = Value::Str(new.into());
                }
            }
            Ok(())
        })
    }

    /// Attaches a service to one more tier.
    pub fn attach(&mut self, service: &str, tier: &str) -> Result<(), EditError> {
        self.require_service(service)?;
        self.require_tier(tier)?;
        if self.model.service(service).is_some_and(|s| s.on(tier)) {
            return Ok(());
        }
        let implicit_default = self.model.service(service).is_some_and(|s| s.on("default"));
        self.edit(|doc| {
            attach_network(service_node(doc, service)?, tier, implicit_default);
            Ok(())
        })
    }

    /// Detaches a service from a tier (it keeps its other tiers).
    pub fn detach(&mut self, service: &str, tier: &str) -> Result<(), EditError> {
        self.require_service(service)?;
        self.edit(|doc| {
            detach_network(service_node(doc, service)?, tier);
            Ok(())
        })
    }

    /// Moves a service's card to another tier: the attachment to its home tier is
    /// replaced by `tier`; its other tiers stay.
    pub fn move_to(&mut self, service: &str, tier: &str) -> Result<(), EditError> {
        self.require_tier(tier)?;
        let Some(current) = self.model.service(service) else {
            return Err(EditError::UnknownService(service.into()));
        };
        let home = current.home.clone();
        let implicit_default = current.on("default");
        let already = current.on(tier);
        self.edit(|doc| {
            let node = service_node(doc, service)?;
            let moved = match home.as_deref().filter(|h| *h != tier) {
                // The home tier's entry becomes the new tier's, in place (with its
                // comment, and its aliases in the mapping form).
                Some(home) if !already => rename_network(node, home, tier),
                _ => false,
            };
            if !moved {
                if let Some(home) = home.as_deref().filter(|h| *h != tier) {
                    detach_network(node, home);
                }
                attach_network(
                    node,
                    tier,
                    implicit_default && home.as_deref() != Some("default"),
                );
            }
            set_home(doc, service, Some(tier));
            Ok(())
        })
    }

    /// Sets the tier whose box holds the card (it must be one of the service's tiers).
    pub fn set_home(&mut self, service: &str, tier: &str) -> Result<(), EditError> {
        if !self.model.service(service).is_some_and(|s| s.on(tier)) {
            return Err(EditError::UnknownTier(tier.into()));
        }
        self.edit(|doc| {
            set_home(doc, service, Some(tier));
            Ok(())
        })
    }

    /// Sets `image:`.
    pub fn set_image(&mut self, service: &str, image: &str) -> Result<(), EditError> {
        self.require_service(service)?;
        self.edit(|doc| {
            service_node(doc, service)?.set("image", Node::str(image));
            Ok(())
        })
    }

    /// Sets `deploy.replicas` (and `mode: replicated`).
    pub fn set_replicas(&mut self, service: &str, replicas: u32) -> Result<(), EditError> {
        self.require_service(service)?;
        self.edit(|doc| {
            let deploy = service_node(doc, service)?
                .get_or_insert("deploy", Node::map())
                .ok_or_else(|| EditError::Shape("deploy".into()))?;
            if deploy.is_null() {
                *deploy = Node::map();
            }
            if deploy.as_map().is_none() {
                return Err(EditError::Shape("deploy".into()));
            }
            if deploy.get("mode").and_then(Node::as_str) == Some("global") {
                deploy.set("mode", Node::str("replicated"));
            }
            deploy.set("replicas", Node::new(Value::Int(i64::from(replicas))));
            Ok(())
        })
    }

    /// Replaces the service's published ports. An entry that already says ports the
    /// list keeps, in the same order (one port, or a range's), stays as written; an
    /// entry in the place of a changed port is changed in place (short syntax stays
    /// short when it can say the port, long syntax keeps its other keys); other ports
    /// are written in long syntax.
    pub fn set_ports(&mut self, service: &str, ports: &[PortSpec]) -> Result<(), EditError> {
        self.require_service(service)?;
        let written: Vec<crate::model::Port> = self
            .model
            .service(service)
            .map(|s| s.ports.clone())
            .unwrap_or_default();
        self.edit(|doc| {
            let node = service_node(doc, service)?;
            if ports.is_empty() {
                node.remove("ports");
                return Ok(());
            }
            let old: Vec<Node> = node
                .get("ports")
                .and_then(Node::as_seq)
                .map(<[Node]>::to_vec)
                .unwrap_or_default();
            let said: Vec<Vec<PortSpec>> = old.iter().map(|item| says(&written, item)).collect();
            // An entry whose ports the list still holds is kept for them, never rewritten
            // in the place of another port.
            let kept_later: Vec<bool> = said
                .iter()
                .map(|run| !run.is_empty() && ports.windows(run.len()).any(|w| w == run.as_slice()))
                .collect();
            let mut unused: Vec<Option<Node>> = old.into_iter().map(Some).collect();
            let mut items = Vec::with_capacity(ports.len());
            let mut rest = ports;
            while let Some(spec) = rest.first() {
                let kept = |rest: &[PortSpec], unused: &[Option<Node>]| {
                    said.iter().zip(unused).position(|(run, item)| {
                        item.is_some() && !run.is_empty() && rest.starts_with(run)
                    })
                };
                if let Some(k) = kept(rest, &unused) {
                    let taken = unused.get_mut(k).and_then(Option::take);
                    items.extend(taken);
                    let len = said.get(k).map_or(1, Vec::len);
                    rest = rest.get(len..).unwrap_or_default();
                    continue;
                }
                // Consecutive ports no kept entry says are written as one range, as a
                // range in the file is read (a range of thousands stays one line).
                let mut len = 1;
                while let (Some(last), Some(next)) = (rest.get(len - 1), rest.get(len)) {
                    let after = rest.get(len..).unwrap_or_default();
                    if !follows(last, next) || kept(after, &unused).is_some() {
                        break;
                    }
                    len += 1;
                }
                let in_place = items.len();
                let place = unused
                    .get_mut(in_place)
                    .filter(|_| !kept_later.get(in_place).copied().unwrap_or(false))
                    .and_then(Option::take);
                let item = match (place, rest.get(len - 1)) {
                    (place, Some(last)) if len > 1 => range_port(place, spec, last),
                    (Some(item), _) => port_in_place(item, spec),
                    (None, _) => long_port(spec),
                };
                items.push(item);
                rest = rest.get(len..).unwrap_or_default();
            }
            match node.get_mut("ports").and_then(Node::as_seq_mut) {
                Some(list) => *list = items,
                None => {
                    node.set("ports", Node::seq_of(items));
                }
            }
            Ok(())
        })
    }

    /// Routes a host name (and path) to the service through Traefik v3 labels.
    pub fn set_route(&mut self, service: &str, route: &RouteSpec) -> Result<(), EditError> {
        self.require_service(service)?;
        let network = self.route_network(service);
        self.edit(|doc| {
            let mut rule = format!("Host(`{}`)", route.host.replace('`', ""));
            if !route.path.is_empty() && route.path != "/" {
                rule.push_str(&format!(
                    " && PathPrefix(`{}`)",
                    route.path.replace('`', "")
                ));
            }
            // A dot separates the parts of a Traefik label: a service named `api.v2`
            // gets the router `api-v2`.
            let router = service.replace('.', "-");
            let labels = [
                ("traefik.enable".to_string(), "true".to_string()),
                (format!("traefik.http.routers.{router}.rule"), rule),
                (
                    format!("traefik.http.services.{router}.loadbalancer.server.port"),
                    route.port.to_string(),
                ),
            ];
            let node = service_node(doc, service)?;
            for (k, v) in labels.iter().chain(network.iter()) {
                set_deploy_label(node, k, v)?;
            }
            Ok(())
        })
    }

    /// The network label a new route needs: set when the service sits on several
    /// networks, to the one it shares with the edge proxy.
    fn route_network(&self, service: &str) -> Option<(String, String)> {
        let s = self.model.service(service)?;
        if s.networks.len() < 2 {
            return None;
        }
        let shared = s.networks.iter().find(|a| {
            self.model
                .services
                .iter()
                .any(|p| matches!(p.role, crate::role::Role::EdgeProxy(_)) && p.on(&a.tier))
        })?;
        let tier = self.model.tier(&shared.tier)?;
        Some((
            crate::proxy::TRAEFIK_V3_NETWORK.to_string(),
            tier.swarm_name(&self.model.stack),
        ))
    }

    /// Removes every Traefik and Docker Flow Proxy label from the service.
    pub fn clear_route(&mut self, service: &str) -> Result<(), EditError> {
        self.require_service(service)?;
        self.edit(|doc| {
            let node = service_node(doc, service)?;
            if let Some(labels) = node.get_mut("labels") {
                retain_labels(labels, |k| !is_route_label(k));
            }
            if let Some(labels) = node.get_mut("deploy").and_then(|d| d.get_mut("labels")) {
                retain_labels(labels, |k| !is_route_label(k));
            }
            Ok(())
        })
    }

    /// Adds an intended flow, kept under `x-tiermap.flows`.
    pub fn add_flow(&mut self, from: &str, to: &str, port: Option<u16>) -> Result<(), EditError> {
        self.require_service(from)?;
        self.require_service(to)?;
        self.edit(|doc| {
            let flows = meta(doc)?
                .get_or_insert("flows", Node::seq())
                .and_then(Node::as_seq_mut)
                .ok_or_else(|| EditError::Shape("x-tiermap.flows".into()))?;
            let mut flow = Node::map();
            flow.set("from", Node::str(from));
            flow.set("to", Node::str(to));
            if let Some(port) = port {
                flow.set("port", Node::new(Value::Int(i64::from(port))));
            }
            flows.push(flow);
            Ok(())
        })
    }

    /// Removes user flows from `from` to `to`.
    pub fn remove_flow(&mut self, from: &str, to: &str) -> Result<(), EditError> {
        self.edit(|doc| {
            remove_flows(doc, |f, t| f == from && t == to);
            Ok(())
        })
    }

    /// Accepts a finding with a note (kept under `x-tiermap.accepted`); an empty note
    /// withdraws the acceptance.
    pub fn accept(&mut self, finding_id: &str, note: &str) -> Result<(), EditError> {
        self.edit(|doc| {
            let list = meta(doc)?
                .get_or_insert("accepted", Node::seq())
                .and_then(Node::as_seq_mut)
                .ok_or_else(|| EditError::Shape("x-tiermap.accepted".into()))?;
            let is_it = |item: &Node| item.get("id").is_some_and(|id| id.is_text(finding_id));
            match list.iter_mut().find(|item| is_it(item)) {
                // A new note for an accepted finding changes the note in place.
                Some(item) if !note.is_empty() => {
                    item.set("note", Node::str(note));
                }
                Some(_) => list.retain(|item| !is_it(item)),
                None if !note.is_empty() => {
                    let mut item = Node::map();
                    item.set("id", Node::str(finding_id));
                    item.set("note", Node::str(note));
                    list.push(item);
                }
                None => {}
            }
            prune_meta(doc);
            Ok(())
        })
    }

    /// Applies the fix a finding offers.
    pub fn apply(&mut self, action: &FixAction) -> Result<(), EditError> {
        match action {
            FixAction::EncryptTier { tier } => self.edit(|doc| {
                let node = doc
                    .get_mut("networks")
                    .and_then(|n| n.get_mut(tier))
                    .ok_or_else(|| EditError::UnknownTier(tier.clone()))?;
                if node.is_null() {
                    *node = Node::map();
                }
                node.remove("encrypted");
                let opts = node
                    .get_or_insert("driver_opts", Node::map())
                    .ok_or_else(|| EditError::Shape(format!("networks.{tier}")))?;
                opts.set("encrypted", Node::str(""));
                Ok(())
            }),
            FixAction::MakeNotAttachable { tier } => self.edit(|doc| {
                let node = doc
                    .get_mut("networks")
                    .and_then(|n| n.get_mut(tier))
                    .ok_or_else(|| EditError::UnknownTier(tier.clone()))?;
                node.set("attachable", Node::new(Value::Bool(false)));
                Ok(())
            }),
            FixAction::Unpublish { service, target } => {
                let keep = self.kept_ports(service, |p| p.target != *target)?;
                self.set_ports(service, &keep)
            }
            FixAction::DropHostIp { service, target } => {
                let keep = self.kept_ports(service, |_| true)?;
                let _ = target;
                self.set_ports(service, &keep)
            }
            FixAction::DefineNetwork { tier } => self.edit(|doc| define_network(doc, tier)),
            FixAction::Attach { service, tier } => self.attach(service, tier),
            FixAction::SetRouteNetwork {
                service,
                label,
                network,
            } => {
                self.require_service(service)?;
                self.edit(|doc| set_deploy_label(service_node(doc, service)?, label, network))
            }
            FixAction::MoveLabelsToDeploy { service } => {
                self.require_service(service)?;
                let moved: Vec<(String, String)> = self
                    .model
                    .service(service)
                    .map(|s| {
                        s.labels
                            .iter()
                            .filter(|(k, _)| is_route_label(k))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                self.edit(|doc| {
                    let node = service_node(doc, service)?;
                    if let Some(labels) = node.get_mut("labels") {
                        retain_labels(labels, |k| !is_route_label(k));
                    }
                    for (k, v) in &moved {
                        set_deploy_label(node, k, v)?;
                    }
                    Ok(())
                })
            }
            FixAction::SplitTier { tier, groups } => self.split_tier(tier, groups),
            FixAction::DropCapabilities { service } => {
                self.require_service(service)?;
                self.edit(|doc| {
                    let node = service_node(doc, service)?;
                    match node.get_mut("cap_drop").map(|n| &mut n.value) {
                        Some(Value::Seq(items)) => {
                            if !items
                                .iter()
                                .any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ALL")))
                            {
                                Arc::make_mut(items).push(Node::str("ALL"));
                            }
                        }
                        _ => {
                            node.set(
                                "cap_drop",
                                Node::new(Value::Seq(Arc::new(vec![Node::str("ALL")]))),
                            );
                        }
                    }
                    Ok(())
                })
            }
            FixAction::ReadOnlyRoot { service } => {
                self.require_service(service)?;
                self.edit(|doc| {
                    service_node(doc, service)?.set("read_only", Node::new(Value::Bool(true)));
                    Ok(())
                })
            }
            FixAction::TmpfsAsMounts { service } => {
                self.require_service(service)?;
                self.edit(|doc| {
                    let node = service_node(doc, service)?;
                    let paths: Vec<String> = match node.remove("tmpfs").map(|n| n.value) {
                        Some(Value::Seq(items)) => {
                            items.iter().filter_map(Node::scalar_text).collect()
                        }
                        Some(Value::Str(path)) => vec![path],
                        _ => Vec::new(),
                    };
                    let volumes = node
                        .get_or_insert("volumes", Node::seq())
                        .ok_or_else(|| EditError::Shape("volumes".into()))?;
                    if volumes.is_null() {
                        *volumes = Node::seq();
                    }
                    let items = volumes
                        .as_seq_mut()
                        .ok_or_else(|| EditError::Shape("volumes".into()))?;
                    for path in paths {
                        // `tmpfs: /run:size=64k` names the path before its options.
                        let target = path.split(':').next().unwrap_or(&path);
                        let mut mount = Node::map();
                        mount.set("type", Node::str("tmpfs"));
                        mount.set("target", Node::str(target));
                        items.push(mount);
                    }
                    Ok(())
                })
            }
            FixAction::RenameService { from, to } => self.rename_service(from, to),
            FixAction::DependsOnList { service } => self.edit(|doc| {
                let node = service_node(doc, service)?;
                if let Some(deps) = node.get_mut("depends_on") {
                    if let Value::Map(entries) = &deps.value {
                        let list = entries.iter().map(|(k, _)| k.clone()).collect();
                        *deps = Node::seq_of(list);
                    }
                }
                Ok(())
            }),
        }
    }

    /// Splits a tier: the first group keeps it, each other group gets a new encrypted
    /// overlay, and members of the tier in no kept group leave it.
    fn split_tier(&mut self, tier: &str, groups: &[TierGroup]) -> Result<(), EditError> {
        self.require_tier(tier)?;
        let Some((kept, new)) = groups.split_first() else {
            return Ok(());
        };
        if kept.tier != tier {
            return Err(EditError::Shape(format!("networks.{tier}")));
        }
        for group in new {
            names::validate(&group.tier)?;
            for service in &group.services {
                self.require_service(service)?;
            }
        }
        let leaving: Vec<String> = self
            .model
            .services
            .iter()
            .filter(|s| s.on(tier) && !kept.services.contains(&s.name))
            .map(|s| s.name.clone())
            .collect();
        let on_default: Vec<String> = self
            .model
            .services
            .iter()
            .filter(|s| s.on("default"))
            .map(|s| s.name.clone())
            .collect();
        let relabel = self.split_route_labels(tier, new, &leaving);
        self.edit(|doc| {
            for group in new {
                define_network(doc, &group.tier)?;
                for service in &group.services {
                    let implicit_default = on_default.contains(service);
                    attach_network(service_node(doc, service)?, &group.tier, implicit_default);
                }
            }
            for service in &leaving {
                detach_network(service_node(doc, service)?, tier);
            }
            for (service, label, network) in &relabel {
                set_deploy_label(service_node(doc, service)?, label, network)?;
            }
            Ok(())
        })
    }

    /// The proxy network labels a split must change: a routed service that leaves the
    /// tier its label names is reached on the new tier it shares with the edge proxy.
    fn split_route_labels(
        &self,
        tier: &str,
        new: &[TierGroup],
        leaving: &[String],
    ) -> Vec<(String, String, String)> {
        let model = &self.model;
        let Some(old) = model.tier(tier).map(|t| t.swarm_name(&model.stack)) else {
            return Vec::new();
        };
        let proxies: Vec<&str> = model
            .services
            .iter()
            .filter(|s| matches!(s.role, crate::role::Role::EdgeProxy(_)))
            .map(|s| s.name.as_str())
            .collect();
        let mut out = Vec::new();
        for name in leaving {
            let Some(service) = model.service(name) else {
                continue;
            };
            let Some((label, _)) = service.deploy_labels.iter().find(|(k, v)| {
                (k == crate::proxy::TRAEFIK_V3_NETWORK || k == crate::proxy::TRAEFIK_V2_NETWORK)
                    && *v == old
            }) else {
                continue;
            };
            let joined = new.iter().find(|g| {
                g.services.contains(name)
                    && g.services.iter().any(|m| proxies.contains(&m.as_str()))
            });
            if let Some(group) = joined {
                out.push((
                    name.clone(),
                    label.clone(),
                    format!("{}_{}", model.stack, group.tier),
                ));
            }
        }
        out
    }

    fn kept_ports(
        &self,
        service: &str,
        keep: impl Fn(&crate::model::Port) -> bool,
    ) -> Result<Vec<PortSpec>, EditError> {
        let s = self
            .model
            .service(service)
            .ok_or_else(|| EditError::UnknownService(service.into()))?;
        Ok(s.ports
            .iter()
            .filter(|p| keep(p))
            .map(PortSpec::of)
            .collect())
    }
}

/// Top-level `x-*` keys need file format 3.4 or later: a design that starts keeping data
/// under `x-tiermap` raises an older `version` to 3.4 (in the document, so the model
/// reads what the file says). `"3"` is the latest format to docker, so it stays.
fn raise_version_for_extensions(doc: &mut Node) {
    let Some(version) = doc.get_mut("version") else {
        return;
    };
    let Some(text) = version.scalar_text() else {
        return;
    };
    if schema::minor_version(Some(&text)).is_some_and(|minor| minor < 4) {
        // Written as it was: a number stays a number, a string a string.
        version.value = match version.value {
            Value::Str(_) => Value::Str("3.4".into()),
            _ => Value::Float("3.4".into()),
        };
    }
}

fn services(doc: &mut Node) -> Result<&mut Node, EditError> {
    let node = doc
        .get_or_insert("services", Node::map())
        .ok_or_else(|| EditError::Shape("services".into()))?;
    if node.is_null() {
        *node = Node::map();
    }
    Ok(node)
}

fn service_node<'d>(doc: &'d mut Node, name: &str) -> Result<&'d mut Node, EditError> {
    let node = services(doc)?
        .get_mut(name)
        .ok_or_else(|| EditError::UnknownService(name.into()))?;
    if node.is_null() {
        *node = Node::map();
    }
    Ok(node)
}

fn meta(doc: &mut Node) -> Result<&mut Node, EditError> {
    doc.get_or_insert("x-tiermap", Node::map())
        .ok_or_else(|| EditError::Shape("x-tiermap".into()))
}

fn define_network(doc: &mut Node, key: &str) -> Result<(), EditError> {
    let networks = doc
        .get_or_insert("networks", Node::map())
        .ok_or_else(|| EditError::Shape("networks".into()))?;
    if networks.is_null() {
        *networks = Node::map();
    }
    if networks.get(key).is_some() {
        return Ok(());
    }
    let mut tier = Node::map();
    tier.set("driver", Node::str("overlay"));
    let mut opts = Node::map();
    opts.set("encrypted", Node::str(""));
    tier.set("driver_opts", opts);
    networks.set(key, tier);
    Ok(())
}

fn attach_network(service: &mut Node, tier: &str, keep_default: bool) {
    let networks = match service.get_mut("networks") {
        Some(n) if !n.is_null() => n,
        _ => {
            let mut list = Vec::new();
            if keep_default && tier != "default" {
                list.push(Node::str("default"));
            }
            service.set("networks", Node::seq_of(list));
            match service.get_mut("networks") {
                Some(n) => n,
                None => return,
            }
        }
    };
    match &mut networks.value {
        Value::Seq(items) if !items.iter().any(|i| i.is_text(tier)) => {
            Arc::make_mut(items).push(Node::str(tier))
        }
        Value::Map(entries) if !entries.iter().any(|(k, _)| k.is_text(tier)) => {
            Arc::make_mut(entries).push((Node::str(tier), Node::new(Value::Null)));
        }
        _ => {}
    }
}

fn detach_network(service: &mut Node, tier: &str) {
    let implicit = service.get("networks").is_none_or(Node::is_null);
    if implicit {
        // Leaving the implicit default network: the service needs a `networks:` key, or
        // swarm puts it back on `default`. An empty list keeps it on none.
        if tier == "default" {
            service.set("networks", Node::seq());
        }
        return;
    }
    if let Some(networks) = service.get_mut("networks") {
        match &mut networks.value {
            Value::Seq(items) => Arc::make_mut(items).retain(|i| !i.is_text(tier)),
            Value::Map(entries) => Arc::make_mut(entries).retain(|(k, _)| !k.is_text(tier)),
            _ => {}
        }
    }
}

/// Renames the service's attachment to `old`; false when it has none written.
fn rename_network(service: &mut Node, old: &str, new: &str) -> bool {
    let Some(networks) = service.get_mut("networks") else {
        return false;
    };
    let mut renamed = false;
    match &mut networks.value {
        Value::Seq(items) => {
            for item in Arc::make_mut(items).iter_mut().filter(|i| i.is_text(old)) {
                item.value = Value::Str(new.into());
                renamed = true;
            }
        }
        Value::Map(entries) => {
            for (k, _) in Arc::make_mut(entries)
                .iter_mut()
                .filter(|(k, _)| k.is_text(old))
            {
                k.value = Value::Str(new.into());
                renamed = true;
            }
        }
        _ => {}
    }
    renamed
}

fn set_home(doc: &mut Node, service: &str, tier: Option<&str>) {
    let first = doc
        .get("services")
        .and_then(|s| s.get(service))
        .and_then(|s| s.get("networks"))
        .and_then(|n| match &n.value {
            Value::Seq(items) => items.first().and_then(Node::scalar_text),
            Value::Map(entries) => entries.first().and_then(|(k, _)| k.scalar_text()),
            _ => None,
        });
    let needed = tier.filter(|t| first.as_deref() != Some(*t));
    match needed {
        Some(t) => {
            if let Ok(meta) = meta(doc) {
                if let Some(homes) = meta.get_or_insert("homes", Node::map()) {
                    homes.set(service, Node::str(t));
                }
            }
        }
        None => {
            if let Some(homes) = doc.get_mut("x-tiermap").and_then(|m| m.get_mut("homes")) {
                homes.remove(service);
            }
        }
    }
    prune_meta(doc);
}

fn rename_in_meta(
    doc: &mut Node,
    section: &str,
    matches: impl Fn(&str) -> bool,
    new: &str,
    values: bool,
) {
    if let Some(entries) = doc
        .get_mut("x-tiermap")
        .and_then(|m| m.get_mut(section))
        .and_then(Node::as_map_mut)
    {
        for (k, v) in entries.iter_mut() {
            let target = if values { v } else { k };
            if target.as_str().is_some_and(&matches) {
                target.value = Value::Str(new.into());
            }
        }
    }
}

fn remove_flows(doc: &mut Node, matches: impl Fn(&str, &str) -> bool) {
    if let Some(flows) = doc
        .get_mut("x-tiermap")
        .and_then(|m| m.get_mut("flows"))
        .and_then(Node::as_seq_mut)
    {
        flows.retain(|f| {
            let get = |k: &str| f.get(k).and_then(Node::scalar_text).unwrap_or_default();
            !matches(&get("from"), &get("to"))
        });
    }
    prune_meta(doc);
}

/// Drops empty `x-tiermap` sections so an unedited design exports as it was read.
fn prune_meta(doc: &mut Node) {
    let Some(meta) = doc.get_mut("x-tiermap") else {
        return;
    };
    if let Some(entries) = meta.as_map_mut() {
        entries.retain(|(_, v)| match &v.value {
            Value::Map(m) => !m.is_empty(),
            Value::Seq(s) => !s.is_empty(),
            _ => true,
        });
        if entries.is_empty() {
            doc.remove("x-tiermap");
        }
    }
}

/// The ports a written entry says, in order (one, or a range's), when it can stay as
/// written for them: it has no host address, which an edited port drops. `ports` are the
/// service's ports as the model read them, each with the place of its entry.
fn says(ports: &[crate::model::Port], item: &Node) -> Vec<PortSpec> {
    if !item.at.is_known() {
        return Vec::new();
    }
    let said: Vec<&crate::model::Port> = ports.iter().filter(|p| p.at == item.at).collect();
    if said.iter().any(|p| p.host_ip.is_some()) {
        return Vec::new();
    }
    said.into_iter().map(PortSpec::of).collect()
}

/// A written port entry changed to say `spec`: a short-syntax entry stays short when
/// the port can be said that way, a long-syntax one keeps its other keys.
fn port_in_place(mut item: Node, spec: &PortSpec) -> Node {
    match &item.value {
        Value::Str(_) | Value::Int(_) if spec.mode == PublishMode::Ingress => {
            item.value = match (spec.published, spec.protocol) {
                (None, Protocol::Tcp) if matches!(item.value, Value::Int(_)) => {
                    Value::Int(i64::from(spec.target))
                }
                (published, protocol) => {
                    let mut text = match published {
                        Some(p) => format!("{p}:{}", spec.target),
                        None => spec.target.to_string(),
                    };
                    if protocol != Protocol::Tcp {
                        text.push('/');
                        text.push_str(protocol.as_str());
                    }
                    Value::Str(text)
                }
            };
            item
        }
        Value::Map(_) => {
            let number = |n: u16| Node::new(Value::Int(i64::from(n)));
            let says = |item: &Node, key: &str, text: &str| {
                item.get(key).and_then(Node::scalar_text).as_deref() == Some(text)
            };
            if !says(&item, "target", &spec.target.to_string()) {
                item.set("target", number(spec.target));
            }
            match spec.published {
                Some(p) if !says(&item, "published", &p.to_string()) => {
                    item.set("published", number(p));
                }
                Some(_) => {}
                None => {
                    item.remove("published");
                }
            }
            let protocol = spec.protocol.as_str();
            let default_protocol = spec.protocol == Protocol::Tcp && item.get("protocol").is_none();
            if !default_protocol && !says(&item, "protocol", protocol) {
                item.set("protocol", Node::str(protocol));
            }
            let mode = spec.mode.as_str();
            let default_mode = spec.mode == PublishMode::Ingress && item.get("mode").is_none();
            if !default_mode && !says(&item, "mode", mode) {
                item.set("mode", Node::str(mode));
            }
            item.remove("host_ip");
            item
        }
        _ => long_port(spec),
    }
}

/// Whether `next` continues a range after `last` that can be written as one short-syntax
/// entry, which says only the routing mesh.
fn follows(last: &PortSpec, next: &PortSpec) -> bool {
    last.mode == PublishMode::Ingress && crate::port_range::follows(last, next)
}

/// The ports from `first` to `last` as one short-syntax range (`"9000-9010:80-90/udp"`),
/// written in the place of `item` (keeping its quotes and comment) when it is one.
fn range_port(item: Option<Node>, first: &PortSpec, last: &PortSpec) -> Node {
    let mut text = match (first.published, last.published) {
        (Some(a), Some(b)) => format!("{a}-{b}:{}-{}", first.target, last.target),
        _ => format!("{}-{}", first.target, last.target),
    };
    if first.protocol != Protocol::Tcp {
        text.push('/');
        text.push_str(first.protocol.as_str());
    }
    match item {
        Some(mut item) if matches!(item.value, Value::Str(_) | Value::Int(_)) => {
            item.value = Value::Str(text);
            item
        }
        _ => Node::str(text),
    }
}

fn long_port(port: &PortSpec) -> Node {
    let mut node = Node::map();
    node.set("target", Node::new(Value::Int(i64::from(port.target))));
    if let Some(p) = port.published {
        node.set("published", Node::new(Value::Int(i64::from(p))));
    }
    node.set("protocol", Node::str(port.protocol.as_str()));
    node.set("mode", Node::str(port.mode.as_str()));
    node
}

fn is_route_label(key: &str) -> bool {
    key.starts_with("traefik.") || key.starts_with("com.df.")
}

fn label_key(item: &Node) -> Option<String> {
    item.as_str()
        .map(|s| s.split('=').next().unwrap_or(s).to_string())
}

/// Renames the Traefik router and service named after a service (as `set_route` names
/// them) in its labels, and a router's `service=` that points at it, so a route keeps
/// belonging to the service after a rename (two routers would leave Traefik unable to
/// tell which service each one uses).
fn rename_route_labels(service: &mut Node, old: &str, new: &str) {
    let (old, new) = (old.replace('.', "-"), new.replace('.', "-"));
    let key = |k: &str| -> Option<String> {
        ["traefik.http.routers.", "traefik.http.services."]
            .iter()
            .find_map(|prefix| {
                let rest = k.strip_prefix(prefix)?.strip_prefix(old.as_str())?;
                rest.starts_with('.')
                    .then(|| format!("{prefix}{new}{rest}"))
            })
    };
    let value = |k: &str, v: &str| -> Option<String> {
        (k.starts_with("traefik.http.routers.") && k.ends_with(".service") && v == old)
            .then(|| new.clone())
    };
    let rename = |labels: &mut Node| match &mut labels.value {
        Value::Map(entries) => {
            for (k, v) in Arc::make_mut(entries).iter_mut() {
                let Some(name) = k.as_str().map(str::to_string) else {
                    continue;
                };
                if let Some(to) = v.as_str().and_then(|v| value(&name, v)) {
                    v.value = Value::Str(to);
                }
                if let Some(to) = key(&name) {
                    k.value = Value::Str(to);
                }
            }
        }
        Value::Seq(items) => {
            for item in Arc::make_mut(items).iter_mut() {
                let Some((k, v)) = item.as_str().and_then(|s| s.split_once('=')) else {
                    continue;
                };
                let (k2, v2) = (key(k), value(k, v));
                if k2.is_some() || v2.is_some() {
                    let line = format!(
                        "{}={}",
                        k2.as_deref().unwrap_or(k),
                        v2.as_deref().unwrap_or(v)
                    );
                    item.value = Value::Str(line);
                }
            }
        }
        _ => {}
    };
    if let Some(labels) = service.get_mut("labels") {
        rename(labels);
    }
    if let Some(labels) = service.get_mut("deploy").and_then(|d| d.get_mut("labels")) {
        rename(labels);
    }
}

fn retain_labels(labels: &mut Node, keep: impl Fn(&str) -> bool) {
    match &mut labels.value {
        Value::Seq(items) => Arc::make_mut(items).retain(|i| label_key(i).is_none_or(|k| keep(&k))),
        Value::Map(entries) => Arc::make_mut(entries).retain(|(k, _)| k.as_str().is_none_or(&keep)),
        _ => {}
    }
}

fn set_deploy_label(service: &mut Node, key: &str, value: &str) -> Result<(), EditError> {
    let deploy = service
        .get_or_insert("deploy", Node::map())
        .ok_or_else(|| EditError::Shape("deploy".into()))?;
    if deploy.is_null() {
        *deploy = Node::map();
    }
    let labels = deploy
        .get_or_insert("labels", Node::map())
        .ok_or_else(|| EditError::Shape("deploy".into()))?;
    if labels.is_null() {
        *labels = Node::map();
    }
    match &mut labels.value {
        Value::Map(_) => {
            labels.set(key, Node::str(value));
        }
        Value::Seq(items) => {
            let items = Arc::make_mut(items);
            let line = Node::str(format!("{key}={value}"));
            match items
                .iter_mut()
                .find(|i| label_key(i).as_deref() == Some(key))
            {
                Some(item) => *item = line,
                None => items.push(line),
            }
        }
        _ => return Err(EditError::Shape("deploy.labels".into())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_shares_the_document_until_one_of_them_is_edited() {
        let mut design = Design::empty("shop");
        assert_eq!(design.add_tier("web_tier"), Ok(()));
        let before = design.clone();
        // An undo step is a copy: it must not copy the document or the model.
        assert!(std::ptr::eq(before.document(), design.document()));
        assert!(std::ptr::eq(before.model(), design.model()));
        assert_eq!(design.add_service("api", "nginx:1.27", "web_tier"), Ok(()));
        assert!(!std::ptr::eq(before.document(), design.document()));
        assert!(before.model().services.is_empty());
        assert_eq!(design.model().services.len(), 1);
        assert!(!before.export().contains("api"));
    }
}
