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
fn an_env_file_sets_variables_as_docker_compose_reads_it() {
    // As open-telemetry's demo: ports from variables its `.env` sets.
    let stack = file(
        "from-env.yml",
        "services:\n  web:\n    image: nginx:1.27\n    ports: ['${WEB_PORT}']\n    environment: ['UPSTREAM=http://api:${API_PORT}']\n  api:\n    image: api:1\n",
    );
    let stack = stack.to_str().unwrap();
    let refused = tiermap(&["check", stack], None);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("`--env-file .env`"));
    // Comments, `export`, quotes and a value naming another; a later file and --env win.
    let env = file(
        "stack.env",
        "# ports\nexport WEB_PORT=8080\nAPI_PORT=\"9000\" # the api\nNAME=${WEB_PORT}-web\n",
    );
    let later = file("later.env", "API_PORT=9100\n");
    let args = [
        "check",
        stack,
        "--format",
        "json",
        "--env-file",
        env.to_str().unwrap(),
        "--env-file",
        later.to_str().unwrap(),
    ];
    let out = tiermap(&args, None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let flows = report["flows"].to_string();
    assert!(flows.contains("9100"), "{flows}");
    assert_eq!(report["exposed_port_count"], 1, "{report}");
    let out = tiermap(&[&args[..], &["--env", "API_PORT=9200"]].concat(), None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("9200"));
    // A line that is no KEY=VALUE is named by file, line and column.
    let bad = file("bad.env", "WEB_PORT=8080\nAPI PORT=9000\n");
    let out = tiermap(&["check", stack, "--env-file", bad.to_str().unwrap()], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.env:2:5: `API PORT=9000`"), "{err}");
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
        "svg",
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
fn export_draws_the_diagram_as_svg() {
    let out = tiermap(
        &[
            "export",
            file("clean-svg.yml", CLEAN).to_str().unwrap(),
            "--to",
            "svg",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.ends_with("</svg>"));
    // A card per service, an arrow from the internet to the published one.
    assert!(svg.contains("data-service=\"web\"") && svg.contains("<rect class=\"card\""));
    assert!(
        svg.contains("<title>internet → web on 80 host</title><path class=\"flow public\""),
        "{svg}"
    );
}

#[test]
fn a_port_range_is_listed_and_drawn_as_one_range() {
    let pbx = file(
        "pbx.yml",
        "services:\n  pbx:\n    image: andrius/asterisk:18\n    ports:\n      - \"5060:5060/udp\"\n      - \"10000-20000:10000-20000/udp\"\n",
    );
    let text = String::from_utf8_lossy(&tiermap(&["check", pbx.to_str().unwrap()], None).stdout)
        .into_owned();
    // Counted port by port (swarm publishes each), listed as the file writes them.
    assert!(text.contains("Exposed surface: 10002 ports\n  5060/udp -> pbx:5060 (ingress, every node)\n  10000-20000/udp -> pbx:10000-20000 (ingress, every node)\n"), "{text}");
    let mermaid = tiermap(&["export", pbx.to_str().unwrap(), "--to", "mermaid"], None);
    let mermaid = String::from_utf8_lossy(&mermaid.stdout);
    assert_eq!(mermaid.matches("internet -->").count(), 2, "{mermaid}");
    assert!(mermaid.contains("internet -->|\"10000-20000/udp\"| s0"));
    let svg = tiermap(&["export", pbx.to_str().unwrap(), "--to", "svg"], None);
    let svg = String::from_utf8_lossy(&svg.stdout);
    assert!(
        svg.contains("<title>internet → pbx on 5060, 10000-20000</title>"),
        "{svg}"
    );
    assert!(svg.len() < 20_000, "{} bytes", svg.len());
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

fn template_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../core/templates/{name}.yml"))
}

/// sarif-multitool, installed into .tools by scripts/setup.
fn sarif_multitool() -> PathBuf {
    let tool = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../.tools/node_modules/.bin/sarif-multitool");
    assert!(
        tool.exists(),
        "{} is missing: run scripts/setup",
        tool.display()
    );
    tool
}

#[test]
fn sarif_output_validates_and_points_at_file_line_and_column() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sarif");
    std::fs::create_dir_all(&dir).unwrap();
    let base = file(
        "sarif-base.yml",
        "version: '3.8'\nservices:\n  db:\n    image: postgres:16\n",
    );
    let over = file(
        "sarif-prod.yml",
        "version: '3.8'\nservices:\n  db:\n    ports: ['5432:5432']\n",
    );
    let runs: Vec<(String, Vec<String>)> = vec![
        (
            "scores".into(),
            vec![template_file("scores").display().to_string()],
        ),
        (
            "dfp".into(),
            vec![template_file("docker-flow-proxy").display().to_string()],
        ),
        (
            "merged".into(),
            vec![
                "-c".into(),
                base.display().to_string(),
                "-c".into(),
                over.display().to_string(),
            ],
        ),
    ];
    let mut logs = Vec::new();
    for (name, files) in &runs {
        let mut args = vec!["check".to_string()];
        args.extend(files.iter().cloned());
        args.extend(["--format".into(), "sarif".into()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tiermap(&refs, None);
        assert!(out.status.code().is_some_and(|c| c < 2), "{name}");
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(rules.len(), 48);
        for r in run["tool"]["driver"]["rules"].as_array().unwrap() {
            assert!(r["help"]["text"]
                .as_str()
                .unwrap()
                .contains("Why it matters on Swarm"));
        }
        for result in run["results"].as_array().unwrap() {
            assert!(rules.contains(&result["ruleId"].as_str().unwrap()));
            let place = &result["locations"][0]["physicalLocation"];
            assert!(place["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with(".yml"));
            assert!(place["region"]["startLine"].as_u64().unwrap() >= 1);
        }
        let path = dir.join(format!("{name}.sarif"));
        std::fs::write(&path, &out.stdout).unwrap();
        logs.push(log);
    }
    // The database port comes from the second file, line 4, column 13.
    let merged = &logs[2]["runs"][0]["results"];
    let db = merged
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "database-published")
        .unwrap();
    let place = &db["locations"][0]["physicalLocation"];
    assert!(place["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("sarif-prod.yml"));
    assert_eq!(place["region"]["startLine"], 4);
    assert_eq!(place["region"]["startColumn"], 13);
    // The seed 002 template's published reconfigure API is an error result.
    assert!(logs[1]["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["ruleId"] == "control-interface-published" && r["level"] == "error"));
    // Microsoft's validator: no errors (it has opinions, as warnings and notes).
    let report = dir.join("validation.sarif");
    let mut cmd = Command::new(sarif_multitool());
    cmd.arg("validate");
    for (name, _) in &runs {
        cmd.arg(dir.join(format!("{name}.sarif")));
    }
    let out = cmd
        .args(["-o"])
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let validation: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let problems: Vec<&serde_json::Value> = validation["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| {
            run["results"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
        })
        .filter(|r| r["level"] == "error")
        .map(|_| &validation["runs"][0])
        .collect();
    assert!(
        problems.is_empty(),
        "sarif-multitool found errors:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_rule_can_be_explained() {
    let list = tiermap(&["explain"], None);
    assert_eq!(list.status.code(), Some(0));
    let list = String::from_utf8_lossy(&list.stdout).to_string();
    let names: Vec<&str> = list
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names.len(), 48, "{list}");
    for name in names {
        let out = tiermap(&["explain", name], None);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let text = String::from_utf8_lossy(&out.stdout);
        for part in ["What it checks", "Why it matters on Swarm", "How to fix it"] {
            assert!(text.contains(part), "{name}: {part} missing:\n{text}");
        }
    }
    // A finding's id explains its rule; an unknown id exits 2.
    let by_id = tiermap(&["explain", "control-interface-published:proxy:8080"], None);
    assert!(String::from_utf8_lossy(&by_id.stdout).contains("Docker Flow Proxy"));
    assert_eq!(
        tiermap(&["explain", "no-such-rule"], None).status.code(),
        Some(2)
    );
}

#[test]
fn fix_prints_a_diff_and_apply_writes_it() {
    let text = "services:\n  proxy:\n    image: vfarcic/docker-flow-proxy:18.04\n    ports: ['80:80', '8080:8080']\n    networks: [proxy]\n  listener:\n    image: vfarcic/docker-flow-swarm-listener:18.04\n    networks: [proxy]\n    environment: [DF_NOTIF_CREATE_SERVICE_URL=http://proxy:8080/v1/docker-flow-proxy/reconfigure]\nnetworks:\n  proxy: {driver_opts: {encrypted: ''}}\n";
    let path = file("fixme.yml", text);
    let shown = path.to_str().unwrap();
    let dry = tiermap(
        &["fix", shown, "--only", "control-interface-published"],
        None,
    );
    assert_eq!(dry.status.code(), Some(0));
    let diff = String::from_utf8_lossy(&dry.stdout);
    assert!(diff.contains("--- a/") && diff.contains("+++ b/"), "{diff}");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('-') && l.contains("8080")),
        "{diff}"
    );
    assert!(String::from_utf8_lossy(&dry.stderr)
        .contains("fixed control-interface-published:proxy:8080"));
    // The dry run writes nothing.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let applied = tiermap(
        &[
            "fix",
            shown,
            "--only",
            "control-interface-published",
            "--apply",
        ],
        None,
    );
    assert_eq!(applied.status.code(), Some(0));
    assert!(applied.stdout.is_empty());
    // The fix changes only the port it unpublishes: the flow list keeps its quotes and
    // every other line is as written.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text.replace("['80:80', '8080:8080']", "['80:80']")
    );
    let check = tiermap(&["check", shown, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(!v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "control-interface-published"));
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(
        tiermap(&["fix", shown, "--only", "nope"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn several_files_merge_and_findings_name_their_file() {
    let base = file(
        "merge-base.yml",
        "version: '3.8'\nservices:\n  api:\n    image: api:1\n  db:\n    image: postgres:16\n",
    );
    let prod = file(
        "merge-prod.yml",
        "version: '3.8'\nservices:\n  db:\n    ports: ['5432:5432']\nx-tiermap:\n  accepted:\n    - {id: image-without-digest, note: digests come from the release}\n",
    );
    let out = tiermap(
        &[
            "check",
            "-c",
            base.to_str().unwrap(),
            "-c",
            prod.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |id: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let db = find("database-published:db:5432");
    assert!(db["file"].as_str().unwrap().ends_with("merge-prod.yml"));
    assert_eq!(db["line"], 4);
    let health = find("no-health-check:api");
    assert!(health["file"].as_str().unwrap().ends_with("merge-base.yml"));
    assert_eq!(health["line"], 3);
    // Acceptances merge in from the second file.
    assert_eq!(
        find("image-without-digest:api")["accepted"],
        "digests come from the release"
    );
    let text = tiermap(
        &[
            "check",
            "-c",
            base.to_str().unwrap(),
            "-c",
            prod.to_str().unwrap(),
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("merge-prod.yml:4"));
    // Files of different versions are refused, with the file and line, as docker does.
    let other = file("merge-other.yml", "version: '3.7'\nservices: {}\n");
    let out = tiermap(
        &[
            "check",
            "-c",
            base.to_str().unwrap(),
            "-c",
            other.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("merge-other.yml:1:10") && err.contains("3.7"),
        "{err}"
    );
}

#[test]
fn refusals_are_errors_in_json_with_the_command_that_refuses() {
    let path = file(
        "refused.yml",
        "version: 3.8\nservices:\n  web:\n    image: nginx:1.27\n    environment:\n      DEBUG: true\n",
    );
    let out = tiermap(&["check", path.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused: Vec<(&str, &str, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["refused_by"] == "docker stack config")
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        vec![
            ("wrong-type:version", "error", 1),
            ("wrong-type:services.web.environment.DEBUG", "error", 6)
        ]
    );
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
