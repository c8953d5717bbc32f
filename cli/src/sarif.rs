//! `tiermap check --format sarif`: the findings as a SARIF 2.1.0 log, the format code
//! scanning (GitHub, GitLab, Azure DevOps) reads. Every rule is described with its
//! help (what it checks, why it matters on Swarm, how to fix it); every finding is a
//! result at its file, line and column; an accepted finding is a suppressed result.

use serde::Serialize;
use serde_json::{json, Value};
use tiermap_core::findings::{Rule, Severity};
use tiermap_core::Report;

/// The final SARIF 2.1.0 schema (with its errata).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub ranks security results by this score (0-10).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// `control-interface-published` -> `ControlInterfacePublished`.
fn pascal(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A sentence ends with a period (SARIF viewers show messages as sentences).
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// A file name as a URI reference: relative paths stay relative (to the repository
/// root code scanning checks out), absolute ones become `file://` URIs.
fn uri(path: &str) -> String {
    // `a/../b` is `b`: SARIF consumers refuse `..` segments (symbolic links make them
    // ambiguous), so they are resolved here as the path is written.
    let slashed = path.replace('\\', "/");
    let absolute = slashed.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in slashed.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            _ => parts.push(part),
        }
    }
    let normal = format!("{}{}", if absolute { "/" } else { "" }, parts.join("/"));
    let mut out = String::with_capacity(normal.len());
    for byte in normal.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn rule(rule: Rule) -> Value {
    let e = rule.explain();
    let mut help = format!(
        "{}\n\nWhy it matters on Swarm: {}\n\nHow to fix it: {}",
        e.checks, e.swarm, e.fix
    );
    if let Some(by) = rule.refused_by() {
        help.push_str(&format!(
            "\n\n`{}` refuses a file that breaks this rule.",
            by.command()
        ));
    }
    if !e.compose_lint.is_empty() {
        help.push_str(&format!("\n\ncompose-lint: {}.", e.compose_lint.join(", ")));
    }
    let markdown = help
        .replace(
            "\n\nWhy it matters on Swarm: ",
            "\n\n**Why it matters on Swarm.** ",
        )
        .replace("\n\nHow to fix it: ", "\n\n**How to fix it.** ");
    let mut tags = vec!["swarm"];
    if rule.refused_by().is_some() {
        tags.push("correctness");
    } else {
        tags.push("security");
    }
    json!({
        "id": rule.name(),
        "name": pascal(rule.name()),
        "shortDescription": { "text": sentence(e.title) },
        "fullDescription": { "text": sentence(e.checks) },
        "help": { "text": help, "markdown": markdown },
        "defaultConfiguration": { "level": level(e.severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": security_severity(e.severity),
            "compose-lint": e.compose_lint,
        },
    })
}

/// A SARIF result: one finding.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'r> {
    rule_id: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Value,
    locations: [Location; 1],
    partial_fingerprints: Value,
    properties: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Value>,
}

/// The SARIF log of a check. `files` are the files checked, as named on the command
/// line; findings with no place point at the first.
pub fn log(report: &Report, files: &[String]) -> Value {
    let rules: Vec<Value> = Rule::ALL.iter().map(|r| rule(*r)).collect();
    let first = files.first().map(String::as_str).unwrap_or("stack.yml");
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| {
            let file = f.file.as_deref().unwrap_or(first);
            let region = match (f.line, f.column) {
                (Some(line), Some(column)) => json!({ "startLine": line, "startColumn": column }),
                // A finding about the whole stack points at its first line.
                _ => json!({ "startLine": 1 }),
            };
            let mut logical = Vec::new();
            for (name, section) in [(&f.service, "services"), (&f.tier, "networks")] {
                if let Some(name) = name {
                    logical.push(json!({
                        "name": name,
                        "fullyQualifiedName": format!("{section}.{name}"),
                        "kind": "resource",
                    }));
                }
            }
            SarifResult {
                rule_id: f.rule,
                rule_index: Rule::ALL.iter().position(|r| r.name() == f.rule),
                level: level(f.severity),
                message: json!({ "text": sentence(&format!("{}. Fix: {}", f.message, f.fix)) }),
                locations: [Location {
                    physical_location: json!({
                        "artifactLocation": { "uri": uri(file) },
                        "region": region,
                    }),
                    logical_locations: logical,
                }],
                partial_fingerprints: json!({ "tiermapFindingId/v1": f.id }),
                properties: json!({ "id": f.id, "fix": f.fix, "refusedBy": f.refused_by }),
                suppressions: f
                    .accepted
                    .iter()
                    .map(|note| json!({ "kind": "inSource", "justification": note }))
                    .collect(),
            }
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tiermap",
                    "version": tiermap_core::VERSION,
                    "semanticVersion": tiermap_core::VERSION,
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(
            pascal("control-interface-published"),
            "ControlInterfacePublished"
        );
        assert_eq!(uri("stacks/prod stack.yml"), "stacks/prod%20stack.yml");
        assert_eq!(uri("/tmp/a.yml"), "file:///tmp/a.yml");
        assert_eq!(uri("/w/cli/../core/./t.yml"), "file:///w/core/t.yml");
        assert_eq!(uri("./stack.yml"), "stack.yml");
        assert_eq!(sentence("done"), "done.");
    }
}
