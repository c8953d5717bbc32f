//! The deployment options as a person writes them: one text per field of the page's
//! Export panel, or per flag of `tiermap export`. [`DeploymentText::parse`] is the one
//! reading both use, so the page and the command line accept and refuse the same
//! values with the same reasons, and generate the same bytes from them.

use std::collections::BTreeMap;

use super::deployment::{Deployment, DeploymentError, NodeRole, TraefikVersion};

/// One deployment option: a field of the page, a flag of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The node role host firewalls are written for (`--role`).
    Role,
    /// The swarm nodes' addresses (`--peer`).
    Peers,
    /// Who may open SSH (`--admin`).
    Admin,
    /// The cloud tag on the swarm's nodes (`--tag`).
    Tag,
    /// Who may reach one published port (`--allow PORT=...`).
    Allowed(u16),
    /// The Traefik label spelling (`--traefik`).
    Traefik,
    /// The image of the verification script's probe tasks (`--probe-image`).
    ProbeImage,
}

/// The deployment options as text, field by field. An empty field means the
/// option's default, as leaving out its flag does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentText {
    /// `manager` or `worker`; empty: worker.
    pub role: String,
    /// Addresses or ranges separated by commas or white space; empty: the private
    /// ranges, with a warning.
    pub peers: String,
    /// Addresses or ranges SSH is allowed from, listed like `peers`; empty: anywhere,
    /// with a warning.
    pub admin: String,
    /// The cloud tag; empty: `swarm`.
    pub tag: String,
    /// Per published port, the sources allowed to reach it, listed like `peers`; a port
    /// not here, or with an empty list, is open to anywhere.
    pub allowed: BTreeMap<u16, String>,
    /// `v2` or `v3`; empty: v3.
    pub traefik: String,
    /// The probe image; empty: `busybox:1.36`.
    pub probe_image: String,
}

/// A field whose text cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source}")]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// Why, as the person reads it.
    pub source: DeploymentError,
}

impl DeploymentText {
    /// Adds `PORT=CIDR[,CIDR...]` (the form `--allow` takes) to the port's sources, or
    /// `FIRST-LAST=...` to each port of a published range.
    pub fn allow(&mut self, entry: &str) -> Result<(), DeploymentError> {
        let ((first, last), sources) = Deployment::split_allowed(entry)?;
        for port in first..=last {
            let listed = self.allowed.entry(port).or_default();
            if !listed.is_empty() {
                listed.push(',');
            }
            listed.push_str(sources);
        }
        Ok(())
    }

    /// Reads every field. On failure, every field that cannot be read, in the order
    /// of [`Field`], each with its reason; nothing falls back to a default.
    pub fn parse(&self) -> Result<Deployment, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |field: Field, result: Result<(), DeploymentError>| {
            if let Err(source) = result {
                errors.push(FieldError { field, source });
            }
        };
        let mut deployment = Deployment::default();
        if !self.role.is_empty() {
            check(
                Field::Role,
                self.role.parse().map(|r: NodeRole| deployment.role = r),
            );
        }
        check(
            Field::Peers,
            Deployment::parse_cidrs(&self.peers).map(|p| deployment.peers = p),
        );
        check(
            Field::Admin,
            Deployment::parse_cidrs(&self.admin).map(|a| deployment.admin = a),
        );
        if !self.tag.is_empty() {
            check(Field::Tag, deployment.set_tag(&self.tag));
        }
        for (&port, sources) in &self.allowed {
            let parsed = Deployment::parse_cidrs(sources).map(|sources| {
                if !sources.is_empty() {
                    deployment.allowed.push((port, sources));
                }
            });
            check(Field::Allowed(port), parsed);
        }
        if !self.traefik.is_empty() {
            check(
                Field::Traefik,
                self.traefik
                    .parse()
                    .map(|v: TraefikVersion| deployment.traefik = v),
            );
        }
        if !self.probe_image.is_empty() {
            check(
                Field::ProbeImage,
                deployment.set_probe_image(&self.probe_image),
            );
        }
        if errors.is_empty() {
            Ok(deployment)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::Cidr;

    #[test]
    fn empty_fields_are_the_defaults() {
        assert_eq!(DeploymentText::default().parse(), Ok(Deployment::default()));
    }

    #[test]
    fn every_field_is_read() {
        let mut text = DeploymentText {
            role: "manager".into(),
            peers: "10.0.0.0/24, 10.0.1.5\n2001:db8::1".into(),
            admin: "192.0.2.0/28".into(),
            tag: "swarm-prod".into(),
            traefik: "v2".into(),
            probe_image: "registry.example.com/busybox:1.36".into(),
            ..DeploymentText::default()
        };
        assert_eq!(text.allow("443=198.51.100.0/24"), Ok(()));
        assert_eq!(text.allow("443=2001:db8:1::/48"), Ok(()));
        text.allowed.insert(80, String::new());
        let d = text.parse().unwrap();
        assert_eq!(d.role, NodeRole::Manager);
        assert_eq!(d.peers.len(), 3);
        assert_eq!(d.admin.len(), 1);
        assert_eq!(d.tag, "swarm-prod");
        assert_eq!(d.traefik, TraefikVersion::V2);
        assert_eq!(d.probe_image, "registry.example.com/busybox:1.36");
        let listed: Vec<String> = d.allowed_for(443).iter().map(Cidr::to_string).collect();
        assert_eq!(listed, ["198.51.100.0/24", "2001:db8:1::/48"]);
        assert!(d.allowed_for(80).is_empty(), "an empty list is anywhere");
    }

    #[test]
    fn every_bad_field_is_named_with_its_reason() {
        let text = DeploymentText {
            role: "boss".into(),
            peers: "10.0.0.0/8;reboot".into(),
            tag: "x y".into(),
            allowed: BTreeMap::from([(443, "10.0.0.0/33".into()), (80, "1.2.3.4".into())]),
            traefik: "v4".into(),
            probe_image: "busybox; id".into(),
            ..DeploymentText::default()
        };
        let errors = text.parse().unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Field::Role,
                Field::Peers,
                Field::Tag,
                Field::Allowed(443),
                Field::Traefik,
                Field::ProbeImage
            ]
        );
        assert_eq!(
            errors.get(1).map(ToString::to_string).as_deref(),
            Some("`10.0.0.0/8;reboot` is not an IP address or CIDR range such as 10.0.0.0/16 or 2001:db8::/32")
        );
    }

    #[test]
    fn allow_takes_the_flag_form() {
        let mut text = DeploymentText::default();
        assert_eq!(text.allow("443"), Err(DeploymentError::Allow("443".into())));
        assert_eq!(
            text.allow("443="),
            Err(DeploymentError::Allow("443=".into()))
        );
        assert_eq!(
            text.allow("0=1.2.3.4"),
            Err(DeploymentError::Port("0".into()))
        );
        assert_eq!(
            text.allow("20-10=1.2.3.4"),
            Err(DeploymentError::Port("20-10".into()))
        );
        assert!(text.allowed.is_empty());
        // A range gives each of its ports the sources.
        assert_eq!(text.allow("10000-10002=198.51.100.0/24"), Ok(()));
        assert_eq!(text.allowed.len(), 3);
        assert_eq!(
            text.allowed.get(&10_001).map(String::as_str),
            Some("198.51.100.0/24")
        );
    }
}
