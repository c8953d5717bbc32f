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
        return Err(NameError::BadCharacter {
            name: name.into(),
            bad: first,
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
    }
}
