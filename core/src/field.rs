//! What a person types into the designer's number fields (a port, a replica count),
//! read into the value an edit takes or refused with the reason. Nothing typed is
//! guessed into something else: `70000` is refused, not read as "no published port"
//! (which swarm would fill with a random one). The page shows the reason beside the
//! field and leaves the design as it was.

/// Why a field's text cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Nothing typed where a value is needed.
    #[error("a port is needed here (1 to 65535)")]
    PortRequired,
    /// Nothing typed for a replica count.
    #[error("a number of replicas is needed here (0 or more)")]
    ReplicasRequired,
    /// Not a whole number.
    #[error("`{0}` is not a whole number")]
    NotANumber(String),
    /// A whole number outside 1-65535.
    #[error("{0} is not a port: ports run from 1 to 65535")]
    PortOutOfRange(String),
    /// A range whose last port is below its first.
    #[error("`{0}` runs backwards: write the lower port first (`10000-20000`)")]
    RangeBackwards(String),
    /// A published range of another length than the container ports it publishes.
    #[error("{published} published ports cannot publish {target} container ports: a range publishes one port for each")]
    RangeLengths {
        /// Ports in the published range.
        published: usize,
        /// Container ports.
        target: usize,
    },
    /// A negative or too large replica count.
    #[error("{0} replicas cannot run: enter 0 or more, up to {max}", max = MAX_REPLICAS)]
    ReplicasOutOfRange(String),
}

/// The most replicas the field takes (a service with more is written in the YAML).
pub const MAX_REPLICAS: u32 = 1_000_000;

/// A whole number as written: `Some(value)` for digits with an optional `-` (a value
/// too large for `i64` saturates), `None` for anything else.
fn whole(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits.parse::<i64>().unwrap_or(i64::MAX);
    Some(if negative { -value } else { value })
}

/// A port that must be given (a container port, a route's port).
pub fn port(text: &str) -> Result<u16, FieldError> {
    optional_port(text)?.ok_or(FieldError::PortRequired)
}

/// A port that may be left empty (a published port swarm picks, a flow's port):
/// `Ok(None)` for an empty field.
pub fn optional_port(text: &str) -> Result<Option<u16>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = whole(text).ok_or_else(|| FieldError::NotANumber(text.to_string()))?;
    u16::try_from(value)
        .ok()
        .filter(|port| *port > 0)
        .map(Some)
        .ok_or_else(|| FieldError::PortOutOfRange(text.to_string()))
}

/// Ports that must be given: one (`80`) or a range (`10000-20000`), as first and last.
pub fn port_span(text: &str) -> Result<(u16, u16), FieldError> {
    optional_port_span(text)?.ok_or(FieldError::PortRequired)
}

/// Ports that may be left empty (published ports swarm picks): one or a range.
pub fn optional_port_span(text: &str) -> Result<Option<(u16, u16)>, FieldError> {
    let text = text.trim();
    let Some((first, last)) = text.split_once('-').filter(|(first, _)| !first.is_empty()) else {
        return Ok(optional_port(text)?.map(|p| (p, p)));
    };
    let (first, last) = (port(first)?, port(last)?);
    if last < first {
        return Err(FieldError::RangeBackwards(text.to_string()));
    }
    Ok(Some((first, last)))
}

/// A replica count: 0 (stopped) up to [`MAX_REPLICAS`].
pub fn replicas(text: &str) -> Result<u32, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::ReplicasRequired);
    }
    let value = whole(text).ok_or_else(|| FieldError::NotANumber(text.to_string()))?;
    u32::try_from(value)
        .ok()
        .filter(|n| *n <= MAX_REPLICAS)
        .ok_or_else(|| FieldError::ReplicasOutOfRange(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_spans() {
        assert_eq!(port_span("80"), Ok((80, 80)));
        assert_eq!(port_span(" 10000-20000 "), Ok((10_000, 20_000)));
        assert_eq!(optional_port_span(""), Ok(None));
        assert_eq!(
            port_span("20000-10000"),
            Err(FieldError::RangeBackwards("20000-10000".into()))
        );
        assert_eq!(
            port_span("10-70000"),
            Err(FieldError::PortOutOfRange("70000".into()))
        );
        assert_eq!(
            port_span("-5"),
            Err(FieldError::PortOutOfRange("-5".into()))
        );
        assert_eq!(port_span("a-b"), Err(FieldError::NotANumber("a".into())));
    }

    #[test]
    fn ports_in_range_are_read_and_others_refused() {
        assert_eq!(port("80"), Ok(80));
        assert_eq!(port(" 65535 "), Ok(65535));
        assert_eq!(optional_port(""), Ok(None));
        assert_eq!(optional_port("  "), Ok(None));
        assert_eq!(optional_port("5432"), Ok(Some(5432)));
        assert_eq!(port(""), Err(FieldError::PortRequired));
        for out in ["70000", "65536", "0", "-1", "99999999999999999999999"] {
            assert_eq!(
                optional_port(out),
                Err(FieldError::PortOutOfRange(out.into())),
                "{out}"
            );
        }
        for bad in ["80a", "8.0", "+80", "1e3", "eighty", "-"] {
            assert_eq!(port(bad), Err(FieldError::NotANumber(bad.into())), "{bad}");
        }
        assert_eq!(
            optional_port("70000").map_err(|e| e.to_string()),
            Err("70000 is not a port: ports run from 1 to 65535".into())
        );
    }

    #[test]
    fn replica_counts() {
        assert_eq!(replicas("0"), Ok(0));
        assert_eq!(replicas("4"), Ok(4));
        assert_eq!(replicas(""), Err(FieldError::ReplicasRequired));
        assert_eq!(
            replicas("-2"),
            Err(FieldError::ReplicasOutOfRange("-2".into()))
        );
        assert_eq!(
            replicas("1000001"),
            Err(FieldError::ReplicasOutOfRange("1000001".into()))
        );
        assert_eq!(replicas("two"), Err(FieldError::NotANumber("two".into())));
    }
}
