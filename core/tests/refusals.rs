//! Docker's own refusals are tiermap errors, checked against the real
//! `docker stack config`: a file docker refuses for its content gets at least one
//! error finding of a rule docker enforces (or, when it is not a stack file at all, an
//! import error with its place), and a file docker accepts gets none of them.
//!
//! Some corpus files fail only because their context is missing: an `env_file` that is
//! not in the corpus, a variable the deploy shell sets. That is not a refusal of the
//! content. The manifest's `stack_config_with_context` column records docker's verdict
//! with that context; this test rebuilds it where the manifest names it (empty stub
//! files, placeholder variables, given to docker and to tiermap alike), runs docker
//! again and takes its verdict. Where the context is the repository's `.env`, which the
//! corpus does not carry, the recorded verdict is used; the plain run is checked
//! against the manifest for every file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::process::Command;

use tiermap_core::compose::Variables;
use tiermap_core::findings::{Finding, RefusedBy, Severity};
use tiermap_core::{Design, ImportOptions};

/// Runs `docker stack config -c file` in the file's directory with only these
/// variables set; `Err` holds docker's message.
fn docker(file: &Path, vars: &Variables) -> Result<(), String> {
    let dir = file.parent().unwrap();
    let mut cmd = Command::new("docker");
    cmd.args(["stack", "config", "-c"])
        .arg(file)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the docker CLI");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// What tiermap says about a file: `Ok` with the findings of rules docker enforces
/// at `docker stack config`, or `Err` for a file it cannot read (with the place).
fn tiermap(text: &str, vars: &Variables) -> Result<Vec<Finding>, String> {
    let options = ImportOptions {
        variables: vars.clone(),
        ..ImportOptions::default()
    };
    match Design::import(text, options) {
        Ok(design) => Ok(design
            .analyze()
            .findings
            .into_iter()
            .filter(|f| {
                f.severity == Severity::Error && f.rule.refused_by() == Some(RefusedBy::StackConfig)
            })
            .collect()),
        Err(e) => {
            assert!(
                e.location().is_some_and(|at| at.is_known()),
                "an import error must say where: {e}"
            );
            Err(e.to_string())
        }
    }
}

/// Checks that tiermap agrees with docker's verdict; returns a line for the table.
fn agree(name: &str, text: &str, vars: &Variables, refused: Result<(), String>) -> String {
    let ours = tiermap(text, vars);
    match (&refused, &ours) {
        (Err(why), Ok(findings)) => assert!(
            !findings.is_empty(),
            "{name}: docker refuses it ({why}) but tiermap reports no refusal"
        ),
        (Ok(()), Ok(findings)) => assert!(
            findings.is_empty(),
            "{name}: docker accepts it but tiermap says it refuses it: {findings:#?}"
        ),
        (Ok(()), Err(e)) => panic!("{name}: docker accepts it but tiermap cannot read it: {e}"),
        (Err(_), Err(_)) => {}
    }
    let theirs = match &refused {
        Ok(()) => "accepts".to_string(),
        Err(why) => format!("refuses: {}", why.lines().next().unwrap_or_default()),
    };
    let said = match &ours {
        Ok(f) if f.is_empty() => "no refusal".to_string(),
        Ok(f) => f
            .iter()
            .map(|x| x.id.clone())
            .collect::<Vec<_>>()
            .join(", "),
        Err(e) => format!("cannot read: {e}"),
    };
    format!("{name}\t{theirs}\t{said}")
}

/// The context the manifest names for a file: stub files and variables, or `None`
/// when it is the repository's `.env` (not in the corpus).
fn context(cell: &str) -> Option<(Vec<String>, Variables)> {
    let Some(inner) = cell
        .split_once("(with: ")
        .map(|(_, rest)| rest.trim_end_matches(')'))
    else {
        return Some((Vec::new(), Variables::new()));
    };
    let mut files = Vec::new();
    let mut vars = Variables::new();
    for part in inner.split(", ") {
        if part == "repo .env" {
            return None;
        }
        if let Some(file) = part.strip_prefix("stub file ") {
            files.push(file.to_string());
        } else if let Some((k, v)) = part.split_once('=') {
            vars.insert(k.to_string(), v.to_string());
        }
    }
    Some((files, vars))
}

#[test]
fn corpus_refusals_match_docker() {
    let manifest = std::fs::read_to_string(support::corpus_dir().join("MANIFEST.tsv")).unwrap();
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (file_col, plain_col, ctx_col) = (
        col("file"),
        col("docker_stack_config"),
        col("stack_config_with_context"),
    );
    let mut table = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let name = cells[file_col];
        let text = support::corpus_text(name);
        let dir = support::scratch(&format!("refusals/{name}"));
        let path = dir.join(name);
        std::fs::write(&path, &text).unwrap();
        // The plain run, as the manifest recorded it.
        let plain = docker(&path, &Variables::new());
        assert_eq!(
            plain.is_ok(),
            cells[plain_col] == "PASS",
            "{name}: docker's plain verdict changed: {plain:?}"
        );
        let recorded = cells[ctx_col];
        let (verdict, vars) = match context(recorded) {
            Some((stubs, vars)) => {
                for stub in &stubs {
                    let stub = dir.join(stub);
                    std::fs::create_dir_all(stub.parent().unwrap()).unwrap();
                    std::fs::write(stub, "").unwrap();
                }
                let verdict = docker(&path, &vars);
                assert_eq!(
                    verdict.is_ok(),
                    recorded.starts_with("PASS"),
                    "{name}: docker's verdict with the context changed: {verdict:?}"
                );
                (verdict, vars)
            }
            None if recorded.starts_with("PASS") => (Ok(()), Variables::new()),
            None => (Err(recorded.to_string()), Variables::new()),
        };
        if verdict.is_ok() {
            accepted += 1;
        } else {
            refused += 1;
        }
        table.push(agree(name, &text, &vars, verdict));
    }
    println!("file\tdocker stack config (with context)\ttiermap refusals");
    for row in &table {
        println!("{row}");
    }
    assert!(
        refused >= 5 && accepted >= 15,
        "{refused} refused, {accepted} accepted"
    );
}

/// Small files, each with one thing docker refuses (or one that looks refusable but is
/// not): docker's verdict is taken live, never written here.
const CASES: &[(&str, &str)] = &[
    ("clean", "version: '3.8'\nservices:\n  a:\n    image: nginx:1.27\n"),
    ("no-version", "services:\n  a:\n    image: nginx\n"),
    ("version-3", "version: '3'\nservices:\n  a:\n    image: nginx\n"),
    ("version-float", "version: 3.8\nservices:\n  a:\n    image: nginx\n"),
    ("version-int", "version: 3\nservices:\n  a:\n    image: nginx\n"),
    ("version-2", "version: '2.4'\nservices:\n  a:\n    image: nginx\n"),
    ("version-3.14", "version: '3.14'\nservices:\n  a:\n    image: nginx\n"),
    ("unknown-service-key", "services:\n  a:\n    image: nginx\n    pids_limit: 100\n"),
    ("unknown-top-level-key", "services:\n  a:\n    image: nginx\nfoo: 1\n"),
    ("extension-3.8", "version: '3.8'\nx-common: &c {image: nginx}\nservices:\n  a: *c\n"),
    ("extension-3.3", "version: '3.3'\nx-common: 1\nservices:\n  a:\n    image: nginx\n"),
    ("init-3.6", "version: '3.6'\nservices:\n  a:\n    image: nginx\n    init: true\n"),
    ("init-3.7", "version: '3.7'\nservices:\n  a:\n    image: nginx\n    init: true\n"),
    ("pids-3.8", "version: '3.8'\nservices:\n  a:\n    image: nginx\n    deploy: {resources: {limits: {pids: 10}}}\n"),
    ("pids-3.9", "version: '3.9'\nservices:\n  a:\n    image: nginx\n    deploy: {resources: {limits: {pids: 10}}}\n"),
    ("cpus-number", "services:\n  a:\n    image: nginx\n    deploy: {resources: {limits: {cpus: 0.5}}}\n"),
    ("cpus-string", "services:\n  a:\n    image: nginx\n    deploy: {resources: {limits: {cpus: '0.5', memory: 512M}}}\n"),
    ("memory-bad", "services:\n  a:\n    image: nginx\n    deploy: {resources: {limits: {memory: 1 gigabyte}}}\n"),
    ("env-bool", "services:\n  a:\n    image: nginx\n    environment: {DEBUG: true}\n"),
    ("env-number", "services:\n  a:\n    image: nginx\n    environment: {WORKERS: 4}\n"),
    ("published-quoted", "services:\n  a:\n    image: nginx\n    ports: [{target: 80, published: '8080'}]\n"),
    ("published-variable", "services:\n  a:\n    image: nginx\n    ports: [{target: 80, published: '${PORT:-8080}'}]\n"),
    ("host-ip-long", "services:\n  a:\n    image: nginx\n    ports: [{target: 80, published: 8080, host_ip: 127.0.0.1}]\n"),
    ("host-ip-short", "services:\n  a:\n    image: nginx\n    ports: ['127.0.0.1:8080:80']\n"),
    ("replicas-float", "services:\n  a:\n    image: nginx\n    deploy: {replicas: 1.0}\n"),
    ("replicas-fraction", "services:\n  a:\n    image: nginx\n    deploy: {replicas: 1.5}\n"),
    ("replicas-variable-bad", "services:\n  a:\n    image: nginx\n    deploy: {replicas: '${R:-two}'}\n"),
    ("interval-no-unit", "services:\n  a:\n    image: nginx\n    healthcheck: {test: [CMD, 'true'], interval: '10'}\n"),
    ("interval-ok", "services:\n  a:\n    image: nginx\n    healthcheck: {test: [CMD, 'true'], interval: 1m30s}\n"),
    ("order-bad", "services:\n  a:\n    image: nginx\n    deploy: {update_config: {order: first}}\n"),
    ("cap-repeated", "services:\n  a:\n    image: nginx\n    cap_add: [NET_ADMIN, NET_ADMIN]\n"),
    ("depends-on-map", "services:\n  a:\n    image: nginx\n    depends_on: {b: {condition: service_started}}\n  b:\n    image: nginx\n"),
    ("depends-on-list", "services:\n  a:\n    image: nginx\n    depends_on: [b]\n  b:\n    image: nginx\n"),
    ("mem-limit", "services:\n  a:\n    image: nginx\n    mem_limit: 1g\n"),
    ("service-name-space", "services:\n  'my app':\n    image: nginx\n"),
    ("service-name-dot", "services:\n  api.v2:\n    image: nginx\n"),
    ("network-name-space", "services:\n  a:\n    image: nginx\nnetworks:\n  'x y': {}\n"),
    ("network-encrypted-key", "services:\n  a:\n    image: nginx\n    networks: [n]\nnetworks:\n  n: {encrypted: true}\n"),
    ("network-encrypted-bool", "services:\n  a:\n    image: nginx\n    networks: [n]\nnetworks:\n  n: {driver_opts: {encrypted: true}}\n"),
    ("network-encrypted-string", "services:\n  a:\n    image: nginx\n    networks: [n]\nnetworks:\n  n: {driver_opts: {encrypted: ''}}\n"),
    ("network-unknown-key", "services:\n  a:\n    image: nginx\nnetworks:\n  n: {driver: overlay, scope: swarm}\n"),
    ("secret-null", "services:\n  a:\n    image: nginx\nsecrets:\n  s:\n"),
    ("secret-external", "services:\n  a:\n    image: nginx\n    secrets: [s]\nsecrets:\n  s: {external: true}\n"),
    ("bad-interpolation", "services:\n  a:\n    image: nginx\n    command: 'echo ${X'\n"),
    ("bad-interpolation-extension", "version: '3.8'\nservices:\n  a:\n    image: nginx\n    x-note: '${'\n"),
    ("ulimits-uppercase", "services:\n  a:\n    image: nginx\n    ulimits: {NOFILE: 5}\n"),
    ("ulimits-missing-hard", "services:\n  a:\n    image: nginx\n    ulimits: {nofile: {soft: 5}}\n"),
    ("volume-long-no-type", "services:\n  a:\n    image: nginx\n    volumes: [{source: data, target: /data}]\nvolumes:\n  data: {}\n"),
    ("build-only", "services:\n  a:\n    build: .\n"),
    ("privileged-string", "services:\n  a:\n    image: nginx\n    privileged: 'yes'\n"),
    ("labels-list", "services:\n  a:\n    image: nginx\n    deploy: {labels: [a=b, c=d]}\n"),
    ("image-number", "services:\n  a:\n    image: 5\n"),
];

#[test]
fn small_refusals_match_docker() {
    let dir = support::scratch("refusals-cases");
    let mut table = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    for (name, text) in CASES {
        let path = dir.join(format!("{name}.yml"));
        std::fs::write(&path, text).unwrap();
        let verdict = docker(&path, &Variables::new());
        if verdict.is_ok() {
            accepted += 1;
        } else {
            refused += 1;
        }
        table.push(agree(name, text, &Variables::new(), verdict));
    }
    for row in &table {
        println!("{row}");
    }
    assert!(
        refused >= 20 && accepted >= 10,
        "{refused} refused, {accepted} accepted"
    );
}

#[test]
fn a_port_from_an_unset_variable_names_the_variable() {
    // A `.env` beside the file sets these for `docker compose`; without it docker refuses
    // the file, and tiermap says which variable to set or where to write the port.
    let dir = support::scratch("refusals-unset-port");
    let cases = [
        (
            "short",
            "services:\n  api:\n    image: api\n    ports:\n      - ${API_PORT}:${API_PORT}\n",
            (5, 9),
        ),
        (
            "long",
            "services:\n  web:\n    image: web\n    ports:\n      - published: 80\n        target: $WEB_PORT\n",
            (5, 18),
        ),
    ];
    for (name, text, (line, column)) in cases {
        let path = dir.join(format!("{name}.yml"));
        std::fs::write(&path, text).unwrap();
        assert!(
            docker(&path, &Variables::new()).is_err(),
            "{name}: docker accepts it"
        );
        let variable = if name == "short" {
            "API_PORT"
        } else {
            "WEB_PORT"
        };
        let e = Design::import(text, ImportOptions::default()).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains(&format!("`${{{variable}}}` is not set"))
                && message.contains(&format!("`${{{variable}:-8080}}`")),
            "{name}: {message}"
        );
        let at = e.location().unwrap();
        assert_eq!((at.line, at.column), (line, column), "{name}: {message}");
        // Given the variable, both read it.
        let vars: Variables = [(variable.to_string(), "8080".to_string())]
            .into_iter()
            .collect();
        assert!(
            docker(&path, &vars).is_ok(),
            "{name}: docker refuses it with {variable} set"
        );
        let options = ImportOptions {
            variables: vars,
            ..ImportOptions::default()
        };
        assert!(Design::import(text, options).is_ok(), "{name}");
    }
}
