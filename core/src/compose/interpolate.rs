//! Compose's variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$`.
//!
//! The document keeps the text as written (so export hands the same text to
//! `docker stack deploy`); the model reads interpolated values.

use std::collections::BTreeMap;

/// Variable values, as the shell that runs `docker stack deploy` would have them.
pub type Variables = BTreeMap<String, String>;

/// A `$` expression compose would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid interpolation in `{text}`: {reason}; write `$$` for a literal `$`")]
pub struct InterpolationError {
    /// The whole value.
    pub text: String,
    /// What is wrong.
    pub reason: &'static str,
}

/// An interpolated value and the variables it used that had no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolated {
    /// The text after substitution.
    pub value: String,
    /// Variables that were unset and had no default (read as empty).
    pub unset: Vec<String>,
}

/// Substitutes variables in `text`.
pub fn interpolate(text: &str, vars: &Variables) -> Result<Interpolated, InterpolationError> {
    let mut out = Interpolated {
        value: String::with_capacity(text.len()),
        unset: Vec::new(),
    };
    if !text.contains('$') {
        out.value.push_str(text);
        return Ok(out);
    }
    expand(text, vars, &mut out, 0).map_err(|reason| InterpolationError {
        text: text.to_string(),
        reason,
    })?;
    Ok(out)
}

const MAX_NESTING: usize = 16;

fn expand(
    text: &str,
    vars: &Variables,
    out: &mut Interpolated,
    depth: usize,
) -> Result<(), &'static str> {
    if depth > MAX_NESTING {
        return Err("defaults are nested too deeply");
    }
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        let (before, after) = rest.split_at(pos);
        out.value.push_str(before);
        let after = &after[1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.value.push('$');
            rest = tail;
        } else if let Some(inner_start) = after.strip_prefix('{') {
            let close = matching_brace(inner_start).ok_or("a `${` is not closed")?;
            let (inner, tail) = inner_start.split_at(close);
            braced(inner, vars, out, depth)?;
            rest = &tail[1..];
        } else {
            let len = name_len(after);
            if len == 0 {
                // A lone `$` (e.g. at the end) is kept, as compose does.
                out.value.push('$');
                rest = after;
                continue;
            }
            let (name, tail) = after.split_at(len);
            lookup(name, vars, out);
            rest = tail;
        }
    }
    out.value.push_str(rest);
    Ok(())
}

fn name_len(text: &str) -> usize {
    let mut len = 0;
    for (i, c) in text.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// Index of the `}` that closes a `${`, allowing nested `${...}` in defaults.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn lookup(name: &str, vars: &Variables, out: &mut Interpolated) {
    match vars.get(name) {
        Some(value) => out.value.push_str(value),
        None => out.unset.push(name.to_string()),
    }
}

fn braced(
    inner: &str,
    vars: &Variables,
    out: &mut Interpolated,
    depth: usize,
) -> Result<(), &'static str> {
    let len = name_len(inner);
    if len == 0 {
        return Err("a variable name must start with a letter or `_`");
    }
    let (name, op) = inner.split_at(len);
    let value = vars.get(name);
    let empty = value.is_none_or(|v| v.is_empty());
    let (check_empty, op) = match op.strip_prefix(':') {
        Some(op) => (true, op),
        None => (false, op),
    };
    let missing = if check_empty { empty } else { value.is_none() };
    match op.chars().next() {
        None if !check_empty => {
            lookup(name, vars, out);
            Ok(())
        }
        Some('-') => {
            if missing {
                expand(&op[1..], vars, out, depth + 1)
            } else {
                out.value.push_str(value.map_or("", String::as_str));
                Ok(())
            }
        }
        Some('+') => {
            if missing {
                Ok(())
            } else {
                expand(&op[1..], vars, out, depth + 1)
            }
        }
        Some('?') => {
            match value {
                Some(v) if !missing => out.value.push_str(v),
                _ => out.unset.push(name.to_string()),
            }
            Ok(())
        }
        _ => Err("expected `:-`, `-`, `:?`, `?`, `:+` or `+` after the variable name"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Interpolated {
        let vars: Variables = [
            ("SET".to_string(), "value".to_string()),
            ("EMPTY".to_string(), String::new()),
        ]
        .into_iter()
        .collect();
        interpolate(text, &vars).unwrap_or_else(|e| Interpolated {
            value: format!("ERR {e}"),
            unset: vec![],
        })
    }

    #[test]
    fn defaults_follow_compose() {
        assert_eq!(run("${UNSET:-10000}:10000/udp").value, "10000:10000/udp");
        assert_eq!(run("${EMPTY:-x}").value, "x");
        assert_eq!(run("${EMPTY-x}").value, "");
        assert_eq!(run("${UNSET-x}").value, "x");
        assert_eq!(run("${SET:-x}").value, "value");
        assert_eq!(run("${SET:+alt}").value, "alt");
        assert_eq!(run("${UNSET:+alt}").value, "");
        assert_eq!(run("a$SET-b").value, "avalue-b");
        assert_eq!(run("${UNSET:-${SET}}").value, "value");
    }

    #[test]
    fn dollar_escapes_and_unset_names() {
        assert_eq!(run("$$HOME").value, "$HOME");
        assert_eq!(run("cost $").value, "cost $");
        let r = run("${MISSING?set it}:80");
        assert_eq!(r.value, ":80");
        assert_eq!(r.unset, vec!["MISSING".to_string()]);
        assert_eq!(run("$NOPE").unset, vec!["NOPE".to_string()]);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        assert!(run("${UNCLOSED").value.starts_with("ERR"));
        assert!(run("${1abc}").value.starts_with("ERR"));
        assert!(run("${A/b}").value.starts_with("ERR"));
    }
}
