//! `tiermap check --format sarif`: the findings as a SARIF 2.1.0 log, the format code
//! scanning (GitHub, GitLab, Azure DevOps) reads. Every rule is described with its
//! help (what it checks, why it matters on Swarm, how to fix it); every finding is a
//! result at its file, line and column; an accepted finding is a suppressed result.

use serde::Serialize;
use tiermap_core::analysis::FindingRow;
use tiermap_core::findings::{Rule, Severity};
use tiermap_core::Report;

/// The final SARIF 2.1.0 schema (with its errata).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A SARIF log with one run.
#[derive(Serialize)]
pub struct Log<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'r>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'r> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'r>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleDescriptor>,
}

/// Text for people, as SARIF wraps it.
#[derive(Serialize)]
struct Text<T> {
    text: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: String,
    short_description: Text<String>,
    full_description: Text<String>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    security_severity: &'static str,
    compose_lint: &'static [&'static str],
}

/// A SARIF result: one finding.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'r> {
    rule_id: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<String>,
    locations: [Location<'r>; 1],
    partial_fingerprints: Fingerprints<'r>,
    properties: ResultProperties<'r>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'r>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'r> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'r>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'r> {
    name: &'r str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints<'r> {
    #[serde(rename = "tiermapFindingId/v1")]
    id: &'r str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'r> {
    id: &'r str,
    fix: &'r str,
    refused_by: Option<&'static str>,
}

#[derive(Serialize)]
struct Suppression<'r> {
    kind: &'static str,
    justification: &'r str,
}

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
    if absolute {
        format!("file://{out}")
    } else {
        out
    }
}

fn rule(rule: Rule) -> RuleDescriptor {
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
    let kind = if rule.refused_by().is_some() {
        "correctness"
    } else {
        "security"
    };
    RuleDescriptor {
        id: rule.name(),
        name: pascal(rule.name()),
        short_description: Text {
            text: sentence(e.title),
        },
        full_description: Text {
            text: sentence(e.checks),
        },
        help: Help {
            text: help,
            markdown,
        },
        default_configuration: Configuration {
            level: level(e.severity),
        },
        properties: RuleProperties {
            tags: vec!["swarm", kind],
            precision: "high",
            security_severity: security_severity(e.severity),
            compose_lint: e.compose_lint,
        },
    }
}

fn result<'r>(f: &'r FindingRow, file: &str) -> SarifResult<'r> {
    let region = match (f.line, f.column) {
        (Some(line), column) => Region {
            start_line: line,
            start_column: column,
        },
        // A finding about the whole stack points at its first line.
        (None, _) => Region {
            start_line: 1,
            start_column: None,
        },
    };
    let mut logical = Vec::new();
    for (name, section) in [(&f.service, "services"), (&f.tier, "networks")] {
        if let Some(name) = name {
            logical.push(LogicalLocation {
                name,
                fully_qualified_name: format!("{section}.{name}"),
                kind: "resource",
            });
        }
    }
    SarifResult {
        rule_id: f.rule,
        rule_index: Rule::ALL.iter().position(|r| r.name() == f.rule),
        level: level(f.severity),
        message: Text {
            text: sentence(&format!("{}. Fix: {}", f.message, f.fix)),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(file) },
                region,
            },
            logical_locations: logical,
        }],
        partial_fingerprints: Fingerprints { id: &f.id },
        properties: ResultProperties {
            id: &f.id,
            fix: &f.fix,
            refused_by: f.refused_by,
        },
        suppressions: f
            .accepted
            .iter()
            .map(|note| Suppression {
                kind: "inSource",
                justification: note,
            })
            .collect(),
    }
}

/// The SARIF log of a check. `files` are the files checked, as named on the command
/// line; findings with no place point at the first.
pub fn log<'r>(report: &'r Report, files: &[String]) -> Log<'r> {
    let first = files.first().map(String::as_str).unwrap_or("stack.yml");
    let results = report
        .findings
        .iter()
        .map(|f| result(f, f.file.as_deref().unwrap_or(first)))
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "tiermap",
                    version: tiermap_core::VERSION,
                    semantic_version: tiermap_core::VERSION,
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: Rule::ALL.iter().map(|r| rule(*r)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
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
