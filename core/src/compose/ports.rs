//! Compose's port syntax: `"8080:80"`, `"127.0.0.1:5432:5432"`, `"9090-9091:8080-8081"`,
//! `"53:53/udp"`, `"[::1]:80:80"`, `"3000"`, and the long form's values.

use crate::model::Protocol;

/// One short-syntax entry after range expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortPort {
    /// Host IP, if written.
    pub host_ip: Option<String>,
    /// Published port, if written.
    pub published: Option<u16>,
    /// Container port.
    pub target: u16,
    /// Protocol (tcp when not written).
    pub protocol: Protocol,
}

/// Why a port spec cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// Not a number in 1..=65535 where one is needed.
    #[error("`{0}` is not a port number (1-65535)")]
    BadNumber(String),
    /// Unknown protocol after `/`.
    #[error("`{0}` is not a protocol; use tcp, udp or sctp")]
    BadProtocol(String),
    /// Published and container ranges of different lengths.
    #[error("the published range and the container range have different lengths")]
    RangeMismatch,
    /// Too large a range to be a real port list.
    #[error("the range `{0}` is reversed or empty")]
    BadRange(String),
}

/// Parses a short-syntax port spec, expanding ranges into one entry per port.
pub fn parse_short(spec: &str) -> Result<Vec<ShortPort>, PortError> {
    let spec = spec.trim();
    let (addr, protocol) = match spec.rsplit_once('/') {
        Some((addr, proto)) => (
            addr,
            Protocol::parse(proto).ok_or_else(|| PortError::BadProtocol(proto.to_string()))?,
        ),
        None => (spec, Protocol::Tcp),
    };
    let (host_ip, rest) = split_ip(addr);
    let (published, target) = match rest.rsplit_once(':') {
        Some((published, target)) => (Some(published), target),
        None => (None, rest),
    };
    let target = range(target)?;
    let published = match published {
        Some(p) if !p.is_empty() => Some(range(p)?),
        _ => None,
    };
    let host_ip = host_ip.filter(|ip| !ip.is_empty()).map(str::to_string);
    let entry = |published: Option<u16>, target: u16| ShortPort {
        host_ip: host_ip.clone(),
        published,
        target,
        protocol,
    };
    let targets = target.0..=target.1;
    match published {
        None => Ok(targets.map(|t| entry(None, t)).collect()),
        Some((start, end)) if end - start == target.1 - target.0 => Ok((start..=end)
            .zip(targets)
            .map(|(p, t)| entry(Some(p), t))
            .collect()),
        // "8000-8010:80": swarm publishes one port of the range; the first is what it picks.
        Some((start, _)) if target.0 == target.1 => Ok(vec![entry(Some(start), target.0)]),
        Some(_) => Err(PortError::RangeMismatch),
    }
}

/// Splits `ip:published:target` into the IP (with IPv6 brackets removed) and the rest.
fn split_ip(addr: &str) -> (Option<&str>, &str) {
    if let Some(inner) = addr.strip_prefix('[') {
        if let Some((ip, rest)) = inner.split_once(']') {
            return (Some(ip), rest.strip_prefix(':').unwrap_or(rest));
        }
    }
    let colons = addr.matches(':').count();
    if colons < 2 {
        return (None, addr);
    }
    // The last two fields are ports; what comes before is the IP (IPv6 without brackets too).
    let mut cut = addr.len();
    for _ in 0..2 {
        cut = addr[..cut].rfind(':').unwrap_or(0);
    }
    (Some(&addr[..cut]), &addr[cut + 1..])
}

/// Parses `80` or `8000-8010`.
pub fn range(text: &str) -> Result<(u16, u16), PortError> {
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (number(a)?, number(b)?);
            if b < a {
                return Err(PortError::BadRange(text.to_string()));
            }
            Ok((a, b))
        }
        None => {
            let n = number(text)?;
            Ok((n, n))
        }
    }
}

/// Parses a port number in 1..=65535 (0 is allowed for "any" in long syntax only by
/// callers that check for it).
pub fn number(text: &str) -> Result<u16, PortError> {
    text.trim()
        .parse::<u16>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| PortError::BadNumber(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(spec: &str) -> (Option<String>, Option<u16>, u16, Protocol) {
        let p = parse_short(spec).ok().and_then(|v| v.into_iter().next());
        let p = p.unwrap_or(ShortPort {
            host_ip: Some("ERR".into()),
            published: None,
            target: 0,
            protocol: Protocol::Sctp,
        });
        (p.host_ip, p.published, p.target, p.protocol)
    }

    #[test]
    fn short_forms() {
        assert_eq!(one("3000"), (None, None, 3000, Protocol::Tcp));
        assert_eq!(one("8080:80"), (None, Some(8080), 80, Protocol::Tcp));
        assert_eq!(one("53:53/udp"), (None, Some(53), 53, Protocol::Udp));
        assert_eq!(
            one("127.0.0.1:5432:5432"),
            (Some("127.0.0.1".into()), Some(5432), 5432, Protocol::Tcp)
        );
        assert_eq!(
            one("[::1]:80:8080"),
            (Some("::1".into()), Some(80), 8080, Protocol::Tcp)
        );
        assert_eq!(one(":7777"), (None, None, 7777, Protocol::Tcp));
        assert_eq!(
            one("127.0.0.1::5000"),
            (Some("127.0.0.1".into()), None, 5000, Protocol::Tcp)
        );
    }

    #[test]
    fn ranges_expand() {
        let ports = parse_short("9090-9091:8080-8081").unwrap_or_default();
        assert_eq!(
            ports
                .iter()
                .map(|p| (p.published, p.target))
                .collect::<Vec<_>>(),
            vec![(Some(9090), 8080), (Some(9091), 8081)]
        );
        assert_eq!(parse_short("3000-3005").map(|v| v.len()), Ok(6));
        assert_eq!(parse_short("1-3:1-2"), Err(PortError::RangeMismatch));
        assert!(parse_short("80/icmp").is_err());
        assert!(parse_short("99999").is_err());
    }
}
