//! The command line is a contract scripts depend on: exit codes, JSON keys, stderr.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn tiermap(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tiermap"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tiermap");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const CLEAN: &str = "
services:
  web:
    image: nginx:1.27
    ports: [{target: 80, published: 80, mode: host}]
    networks: [front]
    healthcheck: {test: ['CMD', 'true']}
    deploy: {replicas: 2, resources: {limits: {memory: 128M}}}
  app:
    image: app:1
    networks: [front]
    environment: [UPSTREAM=http://web:80]
    healthcheck: {test: ['CMD', 'true']}
    deploy: {replicas: 2, resources: {limits: {memory: 128M}}}
networks:
  front: {driver: overlay, driver_opts: {encrypted: ''}}
";

const DB_PUBLISHED: &str = "services:\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n    networks: [n]\nnetworks:\n  n: {}\n";

#[test]
fn json_report_has_the_promised_keys() {
    let out = tiermap(
        &[
            "check",
            file("clean.yml", CLEAN).to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["services"], serde_json::json!(["web", "app"]));
    let pairs = v["reachability"].as_array().unwrap();
    assert!(pairs.contains(&serde_json::json!({"from": "web", "to": "app", "networks": ["front"]})));
    assert!(pairs.contains(&serde_json::json!({"from": "app", "to": "web", "networks": ["front"]})));
    assert_eq!(
        v["blast_radius"]["web"],
        serde_json::json!([{"service": "app", "hops": 1}])
    );
    assert_eq!(
        v["exposed"],
        serde_json::json!([{"service": "web", "published": 80, "target": 80, "protocol": "tcp", "mode": "host", "nodes": "nodes running web"}])
    );
    for f in v["findings"].as_array().unwrap() {
        for key in ["id", "severity", "message", "service", "tier", "line"] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
    }
}

#[test]
fn fail_on_sets_the_exit_code() {
    let db = file("db.yml", DB_PUBLISHED);
    let out = tiermap(&["check", db.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "database-published:db:5432")
        .unwrap();
    assert_eq!(f["severity"], "error");
    assert_eq!(f["line"], 4);
    assert_eq!(f["service"], "db");
    // An unencrypted overlay is a warning: fails only with --fail-on warning.
    let warn = file(
        "warn.yml",
        &CLEAN.replace("driver_opts: {encrypted: ''}", "attachable: false"),
    );
    assert_eq!(
        tiermap(&["check", warn.to_str().unwrap()], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        tiermap(
            &["check", warn.to_str().unwrap(), "--fail-on", "warning"],
            None
        )
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn unreadable_input_exits_2_with_place_on_stderr() {
    let cases: &[(&str, &str, &str)] = &[
        ("not-yaml.yml", "services:\n  a: [unclosed\n", ":3:1:"),
        (
            "not-compose.yml",
            "just: a mapping\nof: things\n",
            "not a compose",
        ),
        (
            "wrong-type.yml",
            "services:\n  a:\n    image: a\n    ports: 80\n",
            "`services.a.ports` must be a list",
        ),
        (
            "bad-port.yml",
            "services:\n  a:\n    image: a\n    ports: ['80:http']\n",
            ":4:13: `services.a.ports[0]`",
        ),
        (
            "dup.yml",
            "services:\n  a: {image: a}\n  a: {image: b}\n",
            "already defined at line 2",
        ),
    ];
    for (name, text, expected) in cases {
        let out = tiermap(&["check", file(name, text).to_str().unwrap()], None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(expected),
            "{name}: stderr lacks {expected:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let missing = tiermap(&["check", "/nonexistent/file.yml"], None);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn hostile_input_is_refused_quickly() {
    let mut bomb = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..10u8 {
        let (cur, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
    }
    bomb.push_str("services: {x: {image: x, command: *j}}\n");
    let huge = format!(
        "services:\n  a:\n    image: a\n    command: \"{}\"\n",
        "x".repeat(30 * 1024 * 1024)
    );
    for (name, text, expected) in [("bomb.yml", bomb, "aliases"), ("huge.yml", huge, "bytes")] {
        let start = Instant::now();
        let out = tiermap(&["check", file(name, &text).to_str().unwrap()], None);
        let took = start.elapsed();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expected),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(took < Duration::from_secs(10), "{name} took {took:?}");
    }
}

#[test]
fn stdin_and_stack_name() {
    let out = tiermap(
        &["check", "-", "--format", "json", "--stack", "prod"],
        Some(CLEAN),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stack"], "prod");
}

#[test]
fn export_prints_a_stack_file_that_docker_accepts() {
    let out = tiermap(
        &[
            "export",
            file("clean2.yml", CLEAN).to_str().unwrap(),
            "--to",
            "stack",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let exported = file("clean2.exported.yml", &String::from_utf8_lossy(&out.stdout));
    let check = Command::new("docker")
        .args(["stack", "config", "-c"])
        .arg(&exported)
        .output()
        .expect("docker CLI");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn compare_prints_the_reduction() {
    let before = file("before.yml", "services:\n  t: {image: traefik:v3, ports: ['80:80', '443:443']}\n  db: {image: postgres, ports: ['5432:5432']}\n  api: {image: api, ports: ['3000:3000']}\n");
    let after = file("after.yml", "services:\n  t: {image: traefik:v3, ports: ['80:80', '443:443']}\n  db: {image: postgres}\n  api: {image: api}\n");
    let out = tiermap(
        &["compare", before.to_str().unwrap(), after.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 ports -> 2 ports, 50% less"), "{text}");
    assert!(text.contains("closed: 3000/tcp, 5432/tcp"), "{text}");
    // Same networks before and after, so no pair changes; the published database is fixed.
    assert!(!text.contains("Reachable pairs"), "{text}");
    assert!(text.contains("Findings fixed:"), "{text}");
    assert!(text.contains("[database-published:db"), "{text}");
    let json = tiermap(
        &[
            "compare",
            before.to_str().unwrap(),
            after.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (
            v["before"].as_u64(),
            v["after"].as_u64(),
            v["reduction_percent"].as_i64()
        ),
        (Some(4), Some(2), Some(50))
    );
    assert!(v["fixed"].as_array().unwrap().iter().any(|f| f["id"]
        .as_str()
        .unwrap()
        .starts_with("database-published:db")));
    assert_eq!(v["pairs_added"].as_array().map(Vec::len), Some(0));
}

#[test]
fn templates_are_listed_and_printed() {
    let out = tiermap(&["templates"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "scores",
        "three-tier",
        "docker-flow-proxy",
        "envoy-edge",
        "production",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} missing from:\n{text}"
        );
        let one = tiermap(&["template", name], None);
        assert_eq!(one.status.code(), Some(0), "{name}");
        assert!(String::from_utf8_lossy(&one.stdout).contains("services:"));
    }
    assert_eq!(tiermap(&["template", "nope"], None).status.code(), Some(2));
}

#[test]
fn export_help_lists_every_artifact() {
    let out = tiermap(&["export", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for slug in [
        "iptables",
        "nftables",
        "ufw",
        "digitalocean",
        "terraform-digitalocean",
        "terraform-aws",
        "hcloud",
        "verify",
        "envoy",
        "mermaid",
        "stack",
        "traefik",
        "dfp",
    ] {
        assert!(
            help.contains(&format!("- {slug}:")),
            "{slug} missing:\n{help}"
        );
    }
}

#[test]
fn export_writes_firewall_rules_from_the_options() {
    let out = tiermap(
        &[
            "export",
            file("clean3.yml", CLEAN).to_str().unwrap(),
            "--to",
            "iptables",
            "--role",
            "manager",
            "--peer",
            "10.1.0.0/16",
            "--admin",
            "192.0.2.10",
            "--allow",
            "80=198.51.100.0/24",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules = String::from_utf8_lossy(&out.stdout);
    assert!(
        rules.contains("-s 10.1.0.0/16 -p tcp --dport 2377"),
        "{rules}"
    );
    assert!(
        rules.contains("-s 192.0.2.10/32 -p tcp --dport 22"),
        "{rules}"
    );
    assert!(rules.contains("-s 198.51.100.0/24"), "{rules}");
}

#[test]
fn export_refuses_bad_options_and_names_with_exit_2() {
    let clean = file("clean4.yml", CLEAN);
    let out = tiermap(
        &[
            "export",
            clean.to_str().unwrap(),
            "--to",
            "nftables",
            "--peer",
            "10.0.0.0/8;reboot",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--peer"));

    // Every bad option is named with its reason, and nothing is written.
    let out = tiermap(
        &[
            "export",
            clean.to_str().unwrap(),
            "--to",
            "digitalocean",
            "--admin",
            "10.0.0.0/33",
            "--tag",
            "x y",
            "--allow",
            "80=198.51.100.0/24,$(id)",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    for reason in [
        "tiermap: --admin: `10.0.0.0/33` is not an IP address or CIDR range",
        "tiermap: --tag: `x y` is not a tag",
        "tiermap: --allow 80: `$(id)` is not an IP address",
    ] {
        assert!(err.contains(reason), "{reason} missing from:\n{err}");
    }
    let out = tiermap(
        &[
            "export",
            clean.to_str().unwrap(),
            "--to",
            "ufw",
            "--allow",
            "80",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not PORT=CIDR"));

    let evil = file("evil.yml", "services:\n  'x; rm -rf /': {image: nginx}\n");
    let out = tiermap(&["export", evil.to_str().unwrap(), "--to", "verify"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("x; rm -rf /") && err.contains("rename"),
        "{err}"
    );

    let out = tiermap(&["export", clean.to_str().unwrap(), "--to", "envoy"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Envoy service"));
}

#[test]
fn export_writes_to_a_file_or_under_its_conventional_name_in_a_directory() {
    let clean = file("clean5.yml", CLEAN);
    let args = |extra: &[&str]| {
        let mut args = vec!["export", clean.to_str().unwrap(), "--to", "nftables"];
        args.extend_from_slice(extra);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let args = args(extra);
        tiermap(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
    };
    let stdout = run(&["--role", "manager"]);
    assert_eq!(stdout.status.code(), Some(0));

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-out");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let into_dir = run(&["--role", "manager", "-o", dir.to_str().unwrap()]);
    assert_eq!(into_dir.status.code(), Some(0));
    assert!(into_dir.stdout.is_empty());
    let written = dir.join("firewall-manager.nft");
    assert_eq!(std::fs::read(&written).unwrap(), stdout.stdout);
    assert!(String::from_utf8_lossy(&into_dir.stderr).contains("wrote"));

    let named = dir.join("edge.nft");
    let out = run(&["--role", "manager", "--output", named.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&named).unwrap(), stdout.stdout);

    let dash = run(&["--role", "manager", "-o", "-"]);
    assert_eq!(dash.stdout, stdout.stdout);

    // A design the artifact cannot be made for writes no file.
    let out = tiermap(
        &[
            "export",
            clean.to_str().unwrap(),
            "--to",
            "envoy",
            "-o",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("envoy.yaml").exists());
}
