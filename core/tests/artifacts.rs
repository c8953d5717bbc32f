//! Every artifact is checked by the tool that consumes it, on every template and on
//! every corpus file docker accepts: `iptables-restore --test`, `nft -c`, `ufw
//! --dry-run`, `bash -n` and shellcheck, `docker stack config`, Mermaid's own parser,
//! an HCL parser and YAML/JSON parses with structural checks. And names from a file
//! cannot inject a command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tiermap_core::artifacts::{self, Artifact, ArtifactError, Cidr, Deployment, NodeRole};
use tiermap_core::templates::TEMPLATES;
use tiermap_core::{Design, ImportOptions};

/// Every design the tests run artifacts on: the templates, then the corpus files docker
/// accepts (with the corpus file's name as the stack name).
fn designs() -> Vec<(String, Design)> {
    let mut out: Vec<(String, Design)> = TEMPLATES
        .iter()
        .map(|t| (t.name.to_string(), t.design().expect("template imports")))
        .collect();
    for entry in support::corpus()
        .into_iter()
        .filter(|e| e.stack_config_passes)
    {
        let options = ImportOptions {
            default_stack: Some("corpus".to_string()),
            ..ImportOptions::default()
        };
        let design = Design::import(&support::corpus_text(&entry.file), options)
            .unwrap_or_else(|e| panic!("{}: {e}", entry.file));
        out.push((entry.file.replace(['.', '/'], "_"), design));
    }
    // Port ranges, as a VoIP server and a passive FTP server publish them: one rule each.
    out.push((
        "ranges".to_string(),
        Design::import(RANGES, ImportOptions::default()).expect("imports"),
    ));
    out
}

const RANGES: &str = "services:\n  pbx:\n    image: andrius/asterisk:18\n    ports:\n      - \"5060:5060/udp\"\n      - \"10000-20000:10000-20000/udp\"\n  ftp:\n    image: delfer/alpine-ftp-server\n    ports:\n      - \"21:21\"\n      - \"21000-21010:21000-21010\"\n";

/// A deployment with every input set, IPv4 and IPv6 alike.
fn deployment(role: NodeRole) -> Deployment {
    let cidr = |s: &str| s.parse::<Cidr>().unwrap();
    let mut d = Deployment {
        peers: vec![cidr("10.0.0.0/24"), cidr("10.0.1.7"), cidr("fd00:1::/64")],
        admin: vec![cidr("203.0.113.0/24"), cidr("2001:db8::/48")],
        role,
        ..Deployment::default()
    };
    d.allowed
        .push(Deployment::parse_allowed("443=198.51.100.0/24,2001:db8:1::/48").unwrap());
    d.set_tag("swarm-prod").unwrap();
    d
}

/// Generates an artifact, or `None` where the design has nothing it applies to.
fn generate(design: &Design, artifact: Artifact, deployment: &Deployment) -> Option<String> {
    match artifacts::generate(artifact, design, &design.analyze(), deployment) {
        Ok(output) => Some(output.text),
        Err(ArtifactError::NotApplicable(_)) => None,
        Err(e) => panic!("{} for {}: {e}", artifact.slug(), design.model().stack),
    }
}

/// Runs a tool with `input` on stdin (or a file argument) and fails with its output.
fn run(what: &str, command: &mut Command, stdin: Option<&str>) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e} (run scripts/setup)"));
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn check_script(what: &str, path: &Path) {
    run(what, Command::new("bash").arg("-n").arg(path), None);
    run(
        what,
        Command::new("shellcheck").args(["-S", "style"]).arg(path),
        None,
    );
}

#[test]
fn host_firewalls_load_in_iptables_nft_and_ufw() {
    let dir = support::scratch("artifacts-firewall");
    let mut checked = 0;
    for (name, design) in designs() {
        for role in [NodeRole::Manager, NodeRole::Worker] {
            let d = deployment(role);
            let what = format!("{name} ({})", role.as_str());

            let rules = generate(&design, Artifact::Iptables, &d).unwrap();
            // Ports swarm picks (none published) stay closed, with a warning: no rule.
            let fixed = design
                .analyze()
                .surface
                .ports
                .iter()
                .any(|p| p.published.is_some());
            assert_eq!(rules.contains("--ctorigdstport"), fixed, "{what}");
            assert_eq!(
                rules.contains("--dport 2377"),
                role == NodeRole::Manager,
                "{what}: 2377 is for managers only"
            );
            run(
                &what,
                Command::new("iptables-restore").args(["--test", "--noflush"]),
                Some(&rules),
            );

            let nft = write(
                &dir,
                &format!("{name}-{}.nft", role.as_str()),
                &generate(&design, Artifact::Nftables, &d).unwrap(),
            );
            run(
                &what,
                Command::new("nft").arg("-c").arg("-f").arg(&nft),
                None,
            );

            let ufw_text = generate(&design, Artifact::Ufw, &d).unwrap();
            let ufw = write(&dir, &format!("{name}-{}-ufw.sh", role.as_str()), &ufw_text);
            check_script(&what, &ufw);
            // The after.rules block is iptables-restore input; each ufw line must parse.
            let block: String = ufw_text
                .lines()
                .skip_while(|l| *l != "# BEGIN tiermap")
                .take_while(|l| *l != "TIERMAP_BLOCK")
                .map(|l| format!("{l}\n"))
                .collect();
            assert!(
                block.contains("-j ufw-user-forward"),
                "{what}: no after.rules block"
            );
            run(
                &what,
                Command::new("iptables-restore").args(["--test", "--noflush"]),
                Some(&block),
            );
            let mut lines = 0;
            for line in ufw_text.lines().filter(|l| l.starts_with("ufw ")) {
                if line == "ufw reload" {
                    continue;
                }
                let words = shlex::split(line).unwrap_or_else(|| panic!("{what}: {line}"));
                run(
                    &format!("{what}: {line}"),
                    Command::new("ufw").arg("--dry-run").args(&words[1..]),
                    None,
                );
                lines += 1;
            }
            assert!(lines >= 4, "{what}: only {lines} ufw lines");
            checked += 1;
        }
    }
    assert!(checked >= 2 * (TEMPLATES.len() + 10), "checked {checked}");
}

#[test]
fn cloud_firewalls_parse_and_carry_the_swarm_ports() {
    let dir = support::scratch("artifacts-cloud");
    let d = deployment(NodeRole::Manager);
    for (name, design) in designs() {
        let encrypted = design
            .model()
            .tiers
            .iter()
            .any(|t| t.encryption.is_effective());

        let doctl = write(
            &dir,
            &format!("{name}-doctl.sh"),
            &generate(&design, Artifact::DigitalOcean, &d).unwrap(),
        );
        check_script(&name, &doctl);

        for artifact in [Artifact::TerraformDigitalOcean, Artifact::TerraformAws] {
            let text = generate(&design, artifact, &d).unwrap();
            let body: hcl::Body = hcl::from_str(&text)
                .unwrap_or_else(|e| panic!("{name} {}: not HCL: {e}\n{text}", artifact.slug()));
            let resources: Vec<_> = body
                .blocks()
                .filter(|b| b.identifier() == "resource")
                .map(|b| b.labels()[0].as_str().to_string())
                .collect();
            let kind = match artifact {
                Artifact::TerraformAws => "aws_security_group",
                _ => "digitalocean_firewall",
            };
            assert!(
                resources.len() >= 2
                    && resources.iter().all(|r| r == kind || r.starts_with("aws_")),
                "{name}: {resources:?}"
            );
            for port in ["7946", "4789", "2377"] {
                assert!(text.contains(port), "{name} {}: no {port}", artifact.slug());
            }
            if artifact == Artifact::TerraformAws {
                assert_eq!(
                    text.contains("\"50\""),
                    encrypted,
                    "{name}: ESP as protocol 50 iff encrypted"
                );
            }
        }

        for role in [NodeRole::Manager, NodeRole::Worker] {
            let text = generate(&design, Artifact::Hcloud, &deployment(role)).unwrap();
            let rules: serde_json::Value = serde_json::from_str(&text).unwrap();
            let rules = rules.as_array().expect("hcloud rules are an array");
            for rule in rules {
                assert_eq!(rule["direction"], "in", "{name}: {rule}");
                let protocol = rule["protocol"].as_str().unwrap();
                assert!(
                    ["tcp", "udp", "esp", "icmp", "gre"].contains(&protocol),
                    "{rule}"
                );
                assert!(!rule["source_ips"].as_array().unwrap().is_empty(), "{rule}");
                if protocol == "tcp" || protocol == "udp" {
                    let port = rule["port"].as_str().unwrap();
                    let (first, last) = port.split_once('-').unwrap_or((port, port));
                    assert!(
                        first.parse::<u16>().is_ok() && last.parse::<u16>().is_ok(),
                        "{rule}"
                    );
                }
            }
            let has_2377 = rules.iter().any(|r| r["port"] == "2377");
            assert_eq!(has_2377, role == NodeRole::Manager, "{name}");
            assert_eq!(
                rules.iter().any(|r| r["protocol"] == "esp"),
                encrypted,
                "{name}"
            );
        }
    }
}

#[test]
fn proxy_labels_deploy_with_the_stack_file() {
    let dir = support::scratch("artifacts-labels");
    let d = deployment(NodeRole::Worker);
    let mut checked = 0;
    for (name, design) in designs() {
        let stack = write(&dir, &format!("{name}.stack.yml"), &design.export());
        for artifact in [Artifact::Traefik, Artifact::DockerFlowProxy] {
            let Some(text) = generate(&design, artifact, &d) else {
                continue;
            };
            let labels = write(&dir, &format!("{name}.{}.yml", artifact.slug()), &text);
            let out = Command::new("docker")
                .args(["stack", "config", "-c"])
                .arg(&stack)
                .arg("-c")
                .arg(&labels)
                .current_dir(&dir)
                .output()
                .expect("docker CLI");
            let merged = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{name} {}: {}",
                artifact.slug(),
                String::from_utf8_lossy(&out.stderr)
            );
            let key = match artifact {
                Artifact::Traefik => "traefik.http.routers.",
                _ => "com.df.notify",
            };
            assert!(merged.contains(key), "{name}: merged stack lacks {key}");
            checked += 1;
        }
    }
    // scores, production (Traefik) and docker-flow-proxy at least.
    assert!(checked >= 3, "only {checked} label files");
}

#[test]
fn traefik_v2_and_v3_spell_the_network_label_differently() {
    let design = tiermap_core::templates::find("scores")
        .unwrap()
        .design()
        .unwrap();
    let mut d = deployment(NodeRole::Worker);
    d.traefik = artifacts::TraefikVersion::V2;
    let v2 = generate(&design, Artifact::Traefik, &d).unwrap();
    d.traefik = artifacts::TraefikVersion::V3;
    let v3 = generate(&design, Artifact::Traefik, &d).unwrap();
    assert!(
        v2.contains("traefik.docker.network: scores_web_tier"),
        "{v2}"
    );
    assert!(
        v3.contains("traefik.swarm.network: scores_web_tier"),
        "{v3}"
    );
}

#[test]
fn envoy_config_is_yaml_with_strict_dns_clusters_on_tasks_names() {
    let design = tiermap_core::templates::find("envoy-edge")
        .unwrap()
        .design()
        .unwrap();
    let model = design.model();
    let text = generate(&design, Artifact::Envoy, &Deployment::default()).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let doc = &docs[0];
    let listener = &doc["static_resources"]["listeners"][0];
    assert!(listener["address"]["socket_address"]["port_value"]
        .as_i64()
        .is_some());
    let hcm = &listener["filter_chains"][0]["filters"][0];
    assert_eq!(
        hcm["name"].as_str(),
        Some("envoy.filters.network.http_connection_manager")
    );
    let vhosts = hcm["typed_config"]["route_config"]["virtual_hosts"]
        .as_vec()
        .unwrap();
    let clusters = doc["static_resources"]["clusters"].as_vec().unwrap();
    assert!(!clusters.is_empty() && !vhosts.is_empty());
    let names: Vec<&str> = clusters
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for vhost in vhosts {
        for route in vhost["routes"].as_vec().unwrap() {
            let cluster = route["route"]["cluster"].as_str().unwrap();
            assert!(
                names.contains(&cluster),
                "route to unknown cluster {cluster}"
            );
        }
    }
    for cluster in clusters {
        let name = cluster["name"].as_str().unwrap();
        assert_eq!(cluster["type"].as_str(), Some("STRICT_DNS"));
        let socket = &cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
            ["address"]["socket_address"];
        assert_eq!(
            socket["address"].as_str(),
            Some(format!("tasks.{}_{name}", model.stack).as_str())
        );
        let port = u16::try_from(socket["port_value"].as_i64().unwrap()).unwrap();
        let service = model.service(name).unwrap();
        // The container port: a flow's or route's port, never a published one.
        let known: Vec<u16> = model
            .flows
            .iter()
            .filter(|f| f.to == name)
            .filter_map(|f| f.port)
            .chain(service.routes.iter().filter_map(|r| r.port))
            .collect();
        assert!(
            known.contains(&port),
            "{name}: port {port} not in {known:?}"
        );
    }
    // The admin interface never faces the network.
    assert_eq!(
        doc["admin"]["address"]["socket_address"]["address"].as_str(),
        Some("127.0.0.1")
    );
}

#[test]
fn mermaid_parser_accepts_every_diagram() {
    let dir = support::scratch("artifacts-mermaid");
    let mut files = Vec::new();
    for (name, design) in designs() {
        let text = generate(&design, Artifact::Mermaid, &Deployment::default()).unwrap();
        assert!(text.contains("flowchart"), "{name}");
        files.push(write(&dir, &format!("{name}.mmd"), &text));
    }
    // The harness must be able to fail: a broken file is reported as such.
    let broken = write(&dir, "zz-broken.mmd", "flowchart TB\n  a -->|x|\n  b[[[\n");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let parse = |files: &[PathBuf]| {
        Command::new("node")
            .arg(root.join("tests/mermaid/parse.mjs"))
            .args(files)
            .output()
            .expect("node (run scripts/setup)")
    };
    let out = parse(&files);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len(),
        "{report}"
    );
    let out = parse(&[broken]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn scripts_pass_bash_and_shellcheck() {
    let dir = support::scratch("artifacts-scripts");
    for (name, design) in designs() {
        let text = generate(&design, Artifact::Verify, &deployment(NodeRole::Manager)).unwrap();
        check_script(&name, &write(&dir, &format!("{name}-verify.sh"), &text));
    }
}

/// Two free loopback ports: one with a listener (kept open), one closed.
fn ports() -> (TcpListener, u16) {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    (open, closed_port)
}

#[test]
fn verify_script_checks_the_surface_of_a_real_host() {
    let dir = support::scratch("artifacts-surface");
    let (listener, closed) = ports();
    let open = listener.local_addr().unwrap().port();
    // web publishes `open`; db listens on `closed` inside, which must stay closed outside.
    let yaml = format!(
        "services:\n  web: {{image: nginx, ports: ['{open}:{open}'], networks: [front]}}\n  db: {{image: postgres, networks: [front]}}\nnetworks: {{front: {{driver: overlay}}}}\nx-tiermap: {{name: shop, flows: [{{from: web, to: db, port: {closed}}}]}}\n"
    );
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let text = generate(&design, Artifact::Verify, &Deployment::default()).unwrap();
    let script = write(&dir, "verify.sh", &text);
    let surface = || {
        Command::new("bash")
            .arg(&script)
            .args(["--surface", "127.0.0.1"])
            .env("CONNECT_TIMEOUT", "2")
            .output()
            .unwrap()
    };
    let out = surface();
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{table}");
    assert!(table.contains("PASS  internet"), "{table}");
    assert!(table.contains(&format!("127.0.0.1:{open}/tcp")), "{table}");
    assert!(
        table.contains(&format!("127.0.0.1:{closed}/tcp")),
        "{table}"
    );
    assert!(table.contains("2 passed, 0 failed"), "{table}");

    // Something answering on db's port, and the published port gone: both fail.
    drop(listener);
    let _leak = TcpListener::bind(("127.0.0.1", closed)).unwrap();
    let out = surface();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(table.contains("0 passed, 2 failed"), "{table}");
    assert!(
        table.contains("answers but the design does not publish it"),
        "{table}"
    );
}

/// Listeners on the two ends of a run of `len` free consecutive ports, and its first.
fn range_ends(len: u16) -> (TcpListener, TcpListener, u16) {
    for _ in 0..50 {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let start = first.local_addr().unwrap().port();
        let Some(end) = start.checked_add(len - 1) else {
            continue;
        };
        let free = (start + 1..end).all(|p| TcpListener::bind(("127.0.0.1", p)).is_ok());
        if let (true, Ok(last)) = (free, TcpListener::bind(("127.0.0.1", end))) {
            return (first, last, start);
        }
    }
    panic!("no run of {len} free ports");
}

#[test]
fn verify_script_probes_a_published_range_at_its_ends() {
    let dir = support::scratch("artifacts-surface-range");
    let (first, last, start) = range_ends(50);
    let end = start + 49;
    // Ten ports nothing listens on, for a range published on ports swarm picks.
    let (a, b, quiet) = range_ends(10);
    drop((a, b));
    let still = quiet + 9;
    // A media server: a published tcp range, and a udp range of 10,001 ports.
    let yaml = format!(
        "services:\n  media:\n    image: media\n    ports: ['{start}-{end}:{start}-{end}', '10000-20000:10000-20000/udp']\n  cache:\n    image: cache\n    ports: ['{quiet}-{still}']\n"
    );
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let text = generate(&design, Artifact::Verify, &Deployment::default()).unwrap();
    // One line for each range, not one per port.
    assert!(text.contains(&format!("  {start}-{end}/tcp\n")), "{text}");
    assert!(text.contains("  10000-20000/udp\n"), "{text}");
    assert!(text.contains(&format!("  {quiet}-{still}/tcp\n")), "{text}");
    assert!(text.lines().count() < 400, "{} lines", text.lines().count());
    let script = write(&dir, "verify.sh", &text);
    check_script("range", &script);
    let surface = || {
        let out = Command::new("bash")
            .arg(&script)
            .args(["--surface", "127.0.0.1"])
            .env("CONNECT_TIMEOUT", "2")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    // Both ends of the published range answer, both ends of the other are closed, and
    // the udp range is skipped: two probes per range, not one per port.
    let (code, table) = surface();
    assert_eq!(code, Some(0), "{table}");
    for port in [start, end, quiet, still] {
        assert!(table.contains(&format!("127.0.0.1:{port}/tcp")), "{table}");
    }
    assert!(table.contains("127.0.0.1:10000-20000/udp"), "{table}");
    assert!(table.contains("4 passed, 0 failed, 1 skipped"), "{table}");
    // The published range's last port gone, and something on the closed range's first:
    // both fail.
    drop(last);
    let _leak = TcpListener::bind(("127.0.0.1", quiet)).unwrap();
    let (code, table) = surface();
    assert_eq!(code, Some(1), "{table}");
    assert!(table.contains("2 passed, 2 failed"), "{table}");
    drop(first);
}

#[test]
fn names_from_a_file_cannot_inject_a_command() {
    let evil = "services:\n  'x; rm -rf /':\n    image: nginx\n    ports: ['80:80']\n";
    let design = Design::import(evil, ImportOptions::default()).unwrap();
    let analysis = design.analyze();
    for artifact in Artifact::ALL
        .into_iter()
        .filter(|a| !matches!(a, Artifact::Stack | Artifact::Svg))
    {
        match artifacts::generate(artifact, &design, &analysis, &Deployment::default()) {
            Err(ArtifactError::Name { name, .. }) => assert_eq!(name, "x; rm -rf /"),
            other => panic!("{}: {other:?}", artifact.slug()),
        }
    }
    // The picture names the service as written, escaped, and runs nothing.
    let picture =
        artifacts::generate(Artifact::Svg, &design, &analysis, &Deployment::default()).unwrap();
    assert!(picture.text.contains("data-service=\"x; rm -rf /\""));
    assert!(!picture.text.contains("<script"));

    // A route host with a command substitution never reaches a label or a config.
    let label = "services:\n  proxy: {image: traefik:v3, ports: ['80:80'], networks: [web]}\n  app:\n    image: app\n    networks: [web]\n    deploy:\n      labels:\n        traefik.enable: 'true'\n        traefik.http.routers.app.rule: 'Host(`$$(touch /tmp/pwned).example.com`)'\n        traefik.http.services.app.loadbalancer.server.port: '80'\nnetworks: {web: {driver: overlay}}\n";
    let design = Design::import(label, ImportOptions::default()).unwrap();
    let host = &design.model().service("app").unwrap().routes[0].hosts[0];
    assert!(
        host.contains("$(touch"),
        "the route keeps the host as written: {host}"
    );
    match artifacts::generate(
        Artifact::Traefik,
        &design,
        &design.analyze(),
        &Deployment::default(),
    ) {
        Err(ArtifactError::Host { host, .. }) => assert!(host.contains("$(touch")),
        other => panic!("{other:?}"),
    }

    // Values typed into the page are parsed, not pasted.
    let mut d = Deployment::default();
    assert!(d.set_tag("swarm;reboot").is_err());
    assert!(d.set_probe_image("busybox$(id)").is_err());
    assert!("10.0.0.0/8;true".parse::<Cidr>().is_err());
}

#[test]
fn quoted_words_reach_bash_as_one_literal_word() {
    // The verify script quotes every name; run its data part with hostile words the
    // quoting must survive (names are checked before, this proves the second line).
    let dir = support::scratch("artifacts-quote");
    let marker = dir.join("pwned");
    let hostile = format!("x; touch {}", marker.display());
    let words = [
        hostile.as_str(),
        "$(id)",
        "`id`",
        "a'b",
        "\"q\"",
        "new\nline",
    ];
    let mut script = String::from("printf '%s\\n'");
    for w in words {
        script.push(' ');
        script.push_str(&artifacts::shell::quote(w));
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        printed,
        words.iter().map(|w| format!("{w}\n")).collect::<String>()
    );
    assert!(!marker.exists());
}

/// A stand-in for a live swarm, since tests have no daemon: `docker` answers from a
/// table of each service's networks and runs the script's real probe with `sh`, where
/// `nslookup` and `nc` succeed only for a service sharing a network with the probe.
const FAKE_SWARM: &[(&str, &str)] = &[
    (
        "docker",
        r#"#!/usr/bin/env bash
case "$1 $2" in
  "stack services") exit 0 ;;
  "service inspect")
    case $4 in
      *Networks*) grep "^${!#} " "$SWARM/networks" | cut -d' ' -f2- ;;
      *) vip=$(grep "^${!#} " "$SWARM/vips" | cut -d' ' -f2); echo "$vip/24 " ;;
    esac ;;
  "service rm") exit 0 ;;
  "service ps") echo "Complete 1 second ago" ;;
  "service logs") cat "$SWARM/${!#}.log" ;;
  "service create")
    shift 2; nets=""; name=""
    while [ "$1" != sh ]; do
      case $1 in
        --network) nets="$nets $2"; shift 2 ;;
        --name) name=$2; shift 2 ;;
        --label|--restart-condition) shift 2 ;;
        *) shift ;;
      esac
    done
    shift 1
    PROBE_NETS="$nets" PATH="$SWARM/bin:$PATH" sh "$@" > "$SWARM/$name.log" ;;
  *) echo "fake docker: $*" >&2; exit 1 ;;
esac
"#,
    ),
    (
        "bin/nslookup",
        r#"#!/usr/bin/env bash
for n in $(grep "^$1 " "$SWARM/networks" | cut -d' ' -f2-); do
  case " $PROBE_NETS " in *" $n "*) exit 0 ;; esac
done
exit 1
"#,
    ),
    (
        "bin/nc",
        r#"#!/usr/bin/env bash
addr=${*: -2:1}
name=$(grep " $addr\$" "$SWARM/vips" | cut -d' ' -f1)
exec nslookup "${name:-$addr}"
"#,
    ),
];

/// Runs the verify script against the fake swarm where each service sits on `live`.
fn verify_on(case: &str, design: &Design, live: &[(&str, &[&str])]) -> (Option<i32>, String) {
    let dir = support::scratch(&format!("artifacts-swarm-{case}"));
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    for (name, text) in FAKE_SWARM {
        let path = write(&dir, name, text);
        run(name, Command::new("chmod").arg("+x").arg(&path), None);
    }
    let stack = &design.model().stack;
    let mut networks = String::new();
    let mut vips = String::new();
    for (i, (service, nets)) in live.iter().enumerate() {
        let nets: Vec<String> = nets.iter().map(|n| format!("{stack}_{n}")).collect();
        networks.push_str(&format!("{stack}_{service} {}\n", nets.join(" ")));
        vips.push_str(&format!("{stack}_{service} 10.9.0.{}\n", i + 2));
    }
    write(&dir, "networks", &networks);
    write(&dir, "vips", &vips);
    let text = generate(design, Artifact::Verify, &Deployment::default()).unwrap();
    let script = write(&dir, "verify.sh", &text);
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(&script)
        .env("PATH", path)
        .env("SWARM", &dir)
        .env_remove("TARGET_HOST")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn verify_script_passes_on_the_designed_swarm_and_fails_on_a_leak() {
    let yaml = "services:\n  proxy: {image: traefik:v3, ports: ['443:443'], networks: [web]}\n  app: {image: app, networks: [web, data]}\n  db: {image: postgres, networks: [data]}\nnetworks: {web: {driver: overlay}, data: {driver: overlay}}\nx-tiermap: {name: shop, flows: [{from: app, to: db, port: 5432}, {from: proxy, to: app, port: 8080}]}\n";
    let design = Design::import(yaml, ImportOptions::default()).unwrap();

    let designed: &[(&str, &[&str])] = &[
        ("proxy", &["web"]),
        ("app", &["web", "data"]),
        ("db", &["data"]),
    ];
    let (code, table) = verify_on("designed", &design, designed);
    assert_eq!(code, Some(0), "{table}");
    assert!(table.contains("6 passed, 0 failed"), "{table}");
    assert!(
        table.contains(
            "proxy                        db                           isolated, as designed"
        ),
        "{table}"
    );
    assert!(
        table.contains("app                          db                           reaches"),
        "{table}"
    );

    // Someone attached db to the web tier by hand: proxy and db now meet, both ways.
    let leaked: &[(&str, &[&str])] = &[
        ("proxy", &["web"]),
        ("app", &["web", "data"]),
        ("db", &["data", "web"]),
    ];
    let (code, table) = verify_on("leaked", &design, leaked);
    assert_eq!(code, Some(1), "{table}");
    assert!(table.contains("4 passed, 2 failed"), "{table}");
    assert!(
        table.contains("FAIL  proxy                        db"),
        "{table}"
    );
    assert!(
        table.contains("FAIL  db                           proxy"),
        "{table}"
    );
}

/// Each artifact depends on exactly the deployment options it says it reads (the page
/// marks the others): on the templates, changing one field changes an artifact on some
/// template if and only if the artifact reads that field.
#[test]
fn each_artifact_reads_the_options_it_names() {
    use tiermap_core::artifacts::{DeploymentText, Field};
    let templates: Vec<Design> = TEMPLATES.iter().map(|t| t.design().unwrap()).collect();
    // A change to a field, given a port the design publishes.
    type Change = fn(&mut DeploymentText, u16);
    for artifact in Artifact::ALL {
        let kinds: [(Field, Change); 7] = [
            (Field::Role, |t, _| t.role = "manager".into()),
            (Field::Peers, |t, _| t.peers = "10.9.0.0/16".into()),
            (Field::Admin, |t, _| t.admin = "192.0.2.1".into()),
            (Field::Tag, |t, _| t.tag = "other-tag".into()),
            (Field::Allowed(0), |t, port| {
                t.allowed.insert(port, "192.0.2.0/24".into());
            }),
            (Field::Traefik, |t, _| t.traefik = "v2".into()),
            (Field::ProbeImage, |t, _| {
                t.probe_image = "alpine:3.20".into()
            }),
        ];
        for (field, change) in kinds {
            let changes_some = templates.iter().any(|design| {
                let port = design
                    .model()
                    .services
                    .iter()
                    .flat_map(|s| &s.ports)
                    .find_map(|p| p.published)
                    .unwrap_or(80);
                let mut text = DeploymentText::default();
                let before = text.parse().unwrap();
                change(&mut text, port);
                let after = text.parse().unwrap();
                let analysis = design.analyze();
                let out = |d: &Deployment| artifacts::generate(artifact, design, &analysis, d);
                out(&before) != out(&after)
            });
            let reads = artifact.reads(match field {
                Field::Allowed(_) => Field::Allowed(443),
                other => other,
            });
            assert_eq!(
                changes_some,
                reads,
                "{} and {field:?}: changes the file: {changes_some}, says it reads it: {reads}",
                artifact.slug()
            );
        }
    }
}

/// The page generates from its design under the stack name typed in the Export panel
/// (`Design::with_stack`); the command line imports the downloaded stack file with
/// `--stack`. Both give the same artifacts, byte for byte, and the same file names.
#[test]
fn a_design_under_another_stack_name_exports_as_the_stack_file_with_stack() {
    let deployment = deployment(NodeRole::Manager);
    for (name, design) in designs() {
        let renamed = design.with_stack("review_2").unwrap();
        assert_eq!(renamed.model().stack, "review_2");
        assert_eq!(renamed.export(), design.export(), "{name}");
        let options = ImportOptions {
            stack: Some("review_2".into()),
            ..ImportOptions::default()
        };
        let reread = Design::import(&design.export(), options).unwrap();
        let (a, b) = (renamed.analyze(), reread.analyze());
        for artifact in Artifact::ALL {
            assert_eq!(
                artifacts::generate(artifact, &renamed, &a, &deployment),
                artifacts::generate(artifact, &reread, &b, &deployment),
                "{name}: {}",
                artifact.slug()
            );
        }
    }
}

#[test]
fn a_range_of_published_ports_is_one_rule_in_every_format() {
    let design = Design::import(RANGES, ImportOptions::default()).unwrap();
    let d = deployment(NodeRole::Worker);
    let text = |artifact| generate(&design, artifact, &d).unwrap();
    let nft = text(Artifact::Nftables);
    assert!(
        nft.contains("meta l4proto udp ct original proto-dst 10000-20000 accept"),
        "{nft}"
    );
    assert!(
        nft.contains("meta l4proto tcp ct original proto-dst 21000-21010 accept"),
        "{nft}"
    );
    assert!(!nft.contains("proto-dst 10001 "), "{nft}");
    let iptables = text(Artifact::Iptables);
    assert!(
        iptables.contains("-p udp -m conntrack --ctorigdstport 10000:20000 "),
        "{iptables}"
    );
    assert!(iptables.lines().count() < 60, "{iptables}");
    let ufw = text(Artifact::Ufw);
    assert!(
        ufw.contains("ufw route allow proto udp from any to any port 10000:20000 "),
        "{ufw}"
    );
    assert!(text(Artifact::DigitalOcean).contains("ports:10000-20000"));
    assert!(text(Artifact::TerraformDigitalOcean).contains("\"10000-20000\""));
    let aws = text(Artifact::TerraformAws);
    assert!(
        aws.contains("from_port   = 10000\n    to_port     = 20000\n    protocol    = \"udp\""),
        "{aws}"
    );
    assert!(text(Artifact::Hcloud).contains("\"port\": \"10000-20000\""));
}
