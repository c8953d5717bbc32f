//! What the user tells tiermap once per design so it can write firewalls and proxy
//! configs: the nodes' addresses, who may use SSH, who may reach each published port,
//! the node role, the Traefik version. Every value is parsed into a typed form here, so
//! the generators only ever write addresses, tags and numbers.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A node's role in the swarm: managers also listen on 2377/tcp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NodeRole {
    /// A manager node.
    Manager,
    /// A worker node.
    #[default]
    Worker,
}

impl NodeRole {
    /// Both roles, as the page and `--help` list them.
    pub const ALL: [NodeRole; 2] = [NodeRole::Worker, NodeRole::Manager];

    /// `manager` or `worker`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Manager => "manager",
            NodeRole::Worker => "worker",
        }
    }
}

impl FromStr for NodeRole {
    type Err = DeploymentError;

    fn from_str(text: &str) -> Result<NodeRole, DeploymentError> {
        NodeRole::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| DeploymentError::Role(text.to_string()))
    }
}

/// The Traefik label spelling to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraefikVersion {
    /// Traefik v2: `providers.docker.swarmMode`, `traefik.docker.network`.
    V2,
    /// Traefik v3: `providers.swarm`, `traefik.swarm.network`.
    #[default]
    V3,
}

impl TraefikVersion {
    /// Both versions, as the page and `--help` list them.
    pub const ALL: [TraefikVersion; 2] = [TraefikVersion::V3, TraefikVersion::V2];

    /// `v2` or `v3`.
    pub fn as_str(self) -> &'static str {
        match self {
            TraefikVersion::V2 => "v2",
            TraefikVersion::V3 => "v3",
        }
    }
}

impl FromStr for TraefikVersion {
    type Err = DeploymentError;

    fn from_str(text: &str) -> Result<TraefikVersion, DeploymentError> {
        TraefikVersion::ALL
            .into_iter()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| DeploymentError::Traefik(text.to_string()))
    }
}

/// An IPv4 or IPv6 address or network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    /// The address.
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl Cidr {
    /// Every IPv4 address.
    pub const ANY_V4: Cidr = Cidr {
        addr: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        prefix: 0,
    };
    /// Every IPv6 address.
    pub const ANY_V6: Cidr = Cidr {
        addr: IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        prefix: 0,
    };

    /// Whether this is an IPv4 range.
    pub fn is_v4(&self) -> bool {
        self.addr.is_ipv4()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = DeploymentError;

    fn from_str(text: &str) -> Result<Cidr, DeploymentError> {
        let bad = || DeploymentError::Address(text.to_string());
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { addr, prefix })
    }
}

/// A bad value in the deployment inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentError {
    /// Not an address or CIDR range.
    #[error("`{0}` is not an IP address or CIDR range such as 10.0.0.0/16 or 2001:db8::/32")]
    Address(String),
    /// Not a cloud tag.
    #[error("`{0}` is not a tag; use letters, digits, `-`, `_` and `:` (at most 255)")]
    Tag(String),
    /// Not a port number.
    #[error("`{0}` is not a port from 1 to 65535")]
    Port(String),
    /// Not an image reference.
    #[error("`{0}` is not an image reference such as busybox:1.36")]
    Image(String),
    /// Not a node role.
    #[error("`{0}` is not a node role; use manager or worker")]
    Role(String),
    /// Not a Traefik version tiermap writes labels for.
    #[error("`{0}` is not a Traefik version; use v2 or v3")]
    Traefik(String),
    /// Not a port and its sources.
    #[error("`{0}` is not PORT=CIDR[,CIDR...] such as 443=203.0.113.0/24")]
    Allow(String),
}

/// The inputs a user gives once per design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The swarm nodes' addresses: the only sources allowed to the swarm's own ports.
    pub peers: Vec<Cidr>,
    /// The cloud tag (DigitalOcean) or label (Hetzner) on every swarm node.
    pub tag: String,
    /// Who may open SSH (port 22); empty means anywhere, with a warning.
    pub admin: Vec<Cidr>,
    /// Who may reach a published port; a port not listed is open to anywhere.
    pub allowed: Vec<(u16, Vec<Cidr>)>,
    /// The node role host firewalls are written for.
    pub role: NodeRole,
    /// The Traefik label spelling.
    pub traefik: TraefikVersion,
    /// The image the verification script's probe tasks run (needs `nc` and `nslookup`).
    pub probe_image: String,
}

impl Default for Deployment {
    fn default() -> Deployment {
        Deployment {
            peers: Vec::new(),
            tag: "swarm".to_string(),
            admin: Vec::new(),
            allowed: Vec::new(),
            role: NodeRole::default(),
            traefik: TraefikVersion::default(),
            probe_image: "busybox:1.36".to_string(),
        }
    }
}

impl Deployment {
    /// The peers, or the private ranges when none are given (with a warning from the
    /// firewall plan), so swarm ports are never open to the internet.
    pub fn peers_or_private(&self) -> Vec<Cidr> {
        if self.peers.is_empty() {
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                .iter()
                .filter_map(|c| c.parse().ok())
                .collect()
        } else {
            self.peers.clone()
        }
    }

    /// Who may reach a published port (empty means anywhere).
    pub fn allowed_for(&self, port: u16) -> &[Cidr] {
        self.allowed
            .iter()
            .find(|(p, _)| *p == port)
            .map(|(_, c)| c.as_slice())
            .unwrap_or(&[])
    }

    /// Sets the tag after checking it.
    pub fn set_tag(&mut self, tag: &str) -> Result<(), DeploymentError> {
        let ok = !tag.is_empty()
            && tag.len() <= 255
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'));
        if !ok {
            return Err(DeploymentError::Tag(tag.to_string()));
        }
        self.tag = tag.to_string();
        Ok(())
    }

    /// Sets the probe image after checking it is a plain image reference.
    pub fn set_probe_image(&mut self, image: &str) -> Result<(), DeploymentError> {
        let ok = !image.is_empty()
            && image.len() <= 255
            && image
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && image.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@')
            });
        if !ok {
            return Err(DeploymentError::Image(image.to_string()));
        }
        self.probe_image = image.to_string();
        Ok(())
    }

    /// Parses a list of addresses separated by commas or white space, as typed in a
    /// field or given to a repeated flag; an empty list is `[]`.
    pub fn parse_cidrs(text: &str) -> Result<Vec<Cidr>, DeploymentError> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect()
    }

    /// Splits `PORT=CIDR[,CIDR...]` or `FIRST-LAST=...` (a published range), the forms
    /// `--allow` takes, into the ports (first and last) and the text of its sources (at
    /// least one).
    pub fn split_allowed(text: &str) -> Result<((u16, u16), &str), DeploymentError> {
        let (ports, sources) = text
            .split_once('=')
            .filter(|(_, sources)| !sources.trim().is_empty())
            .ok_or_else(|| DeploymentError::Allow(text.to_string()))?;
        let ports =
            crate::field::port_span(ports).map_err(|_| DeploymentError::Port(ports.to_string()))?;
        Ok((ports, sources))
    }

    /// Parses `PORT=CIDR[,CIDR...]` (one port).
    pub fn parse_allowed(text: &str) -> Result<(u16, Vec<Cidr>), DeploymentError> {
        match Deployment::split_allowed(text)? {
            ((port, last), sources) if port == last => {
                Ok((port, Deployment::parse_cidrs(sources)?))
            }
            _ => {
                let ports = text.split_once('=').map_or(text, |(ports, _)| ports);
                Err(DeploymentError::Port(ports.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_parse_and_refuse() {
        assert_eq!(
            "10.0.0.0/16".parse::<Cidr>().map(|c| c.to_string()),
            Ok("10.0.0.0/16".into())
        );
        assert_eq!(
            "203.0.113.7".parse::<Cidr>().map(|c| c.to_string()),
            Ok("203.0.113.7/32".into())
        );
        assert_eq!(
            "2001:db8::/32".parse::<Cidr>().map(|c| c.to_string()),
            Ok("2001:db8::/32".into())
        );
        for bad in [
            "10.0.0.0/33",
            "x; rm -rf /",
            "$(id)",
            "10.0.0.0/",
            "",
            "1.2.3",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_images_and_allowed_ports() {
        let mut d = Deployment::default();
        assert!(d.set_tag("swarm-prod").is_ok());
        assert!(d.set_tag("x; rm -rf /").is_err());
        assert!(d.set_tag("$(id)").is_err());
        assert_eq!(d.tag, "swarm-prod");
        assert!(d
            .set_probe_image("registry.example.com/tools/busybox:1.36")
            .is_ok());
        assert!(d.set_probe_image("busybox; id").is_err());
        let (port, sources) = Deployment::parse_allowed("443=0.0.0.0/0,::/0").unwrap_or_default();
        assert_eq!((port, sources.len()), (443, 2));
        assert!(Deployment::parse_allowed("0=1.2.3.4").is_err());
        assert!(Deployment::parse_allowed("443").is_err());
    }

    #[test]
    fn fields_as_typed_in_the_page() {
        let peers =
            Deployment::parse_cidrs(" 10.0.0.0/24, 10.0.1.5\n2001:db8::1 ").unwrap_or_default();
        assert_eq!(peers.len(), 3);
        assert_eq!(Deployment::parse_cidrs("").map(|v| v.len()), Ok(0));
        assert!(Deployment::parse_cidrs("10.0.0.0/24, $(id)").is_err());
        assert!(Deployment::parse_allowed("443=").is_err());
        assert!(Deployment::parse_allowed("443=0.0.0.0/0 x").is_err());
        assert_eq!("manager".parse(), Ok(NodeRole::Manager));
        assert!("Manager".parse::<NodeRole>().is_err());
        assert_eq!("v2".parse(), Ok(TraefikVersion::V2));
        assert!("v4".parse::<TraefikVersion>().is_err());
    }
}
