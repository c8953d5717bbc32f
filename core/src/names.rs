//! Docker's rules for service, network and stack names. Names from user files are
//! checked here before they reach a label, a script or a rule.

/// Why a name is not valid for Docker.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty name.
    #[error("a name cannot be empty")]
    Empty,
    /// Over 63 characters (a DNS label, which swarm uses for service names).
    #[error("`{0}` is longer than 63 characters")]
    TooLong(String),
    /// Not a DNS label, which swarm requires of service and network names.
    #[error(
        "`{0}` must be a DNS label: letters and digits, with `-` or `_` only between them (no `.`)"
    )]
    NotDnsLabel(String),
    /// A first character Docker does not allow (an unset variable in front of the name
    /// often leaves `_` there).
    #[error("`{name}` starts with `{first}`; start it with a letter or digit")]
    BadStart {
        /// The name.
        name: String,
        /// Its first character.
        first: char,
    },
    /// A character Docker does not allow.
    #[error("`{name}` contains `{bad}`; use letters, digits, `_`, `.` and `-`, starting with a letter or digit")]
    BadCharacter {
        /// The name.
        name: String,
        /// The first bad character.
        bad: char,
    },
}

/// Checks a service or network key against `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 63
/// characters.
pub fn validate(name: &str) -> Result<(), NameError> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(NameError::Empty);
    };
    if !first.is_ascii_alphanumeric() {
        return Err(NameError::BadStart {
            name: name.into(),
            first,
        });
    }
    if let Some(bad) = chars.find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(NameError::BadCharacter {
            name: name.into(),
            bad,
        });
    }
    if name.len() > 63 {
        return Err(NameError::TooLong(name.into()));
    }
    Ok(())
}

/// Whether `docker stack config` takes a key under `services`, `volumes`, `secrets` or
/// `configs`: `^[a-zA-Z0-9._-]+$`.
pub fn schema_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Checks the name swarm gives a service or network of a stack (`<stack>_<key>`): a DNS
/// label, `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`, of at most 63 characters. Swarm refuses
/// any other when the stack is deployed ("name must be valid as a DNS name component").
pub fn swarm_name(name: &str) -> Result<(), NameError> {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return Err(NameError::Empty);
    };
    let label = first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if !label {
        return Err(NameError::NotDnsLabel(name.into()));
    }
    if name.len() > 63 {
        return Err(NameError::TooLong(name.into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_names() {
        assert!(validate("web_tier").is_ok());
        assert!(validate("files-webdev-1.0").is_ok());
        assert!(validate("x; rm -rf /").is_err());
        assert!(validate("$(id)").is_err());
        assert!(validate("-x").is_err());
        assert!(validate("").is_err());
        assert!(validate(&"a".repeat(64)).is_err());
        // `${SWARM_STACK_NAME}_default` with the variable unset: the `_` is wrong only
        // where it stands, and the message says so.
        let start = validate("_default").unwrap_err().to_string();
        assert_eq!(
            start,
            "`_default` starts with `_`; start it with a letter or digit"
        );
    }

    #[test]
    fn swarm_names_are_dns_labels() {
        assert!(swarm_name("scores_web-tier").is_ok());
        assert!(swarm_name("app_api.v2").is_err());
        assert!(swarm_name("app_api-").is_err());
        assert!(swarm_name(&format!("app_{}", "a".repeat(60))).is_err());
        assert!(schema_name("api.v2") && !schema_name("a b") && !schema_name(""));
    }
}
