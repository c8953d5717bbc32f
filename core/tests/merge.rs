//! Several `-c` files merge the way `docker stack deploy` merges them: for each pair of
//! files, `docker stack config -c a.yml -c b.yml` prints the same as `docker stack
//! config` of tiermap's merged document.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::Command;

use tiermap_core::compose::merge;
use tiermap_core::compose::Variables;
use tiermap_core::yaml::{self, Limits};
use tiermap_core::ImportOptions;

const BASE: &str = r#"version: "3.8"
services:
  api:
    image: example/api:1
    read_only: true
    command: [serve, --port, "3000"]
    ports: ["3000", "3001", "8080:80", "9000-9001:9000-9001"]
    environment: [A=1, B=2]
    labels: {team: web}
    healthcheck: {test: [CMD, "true"], interval: 10s}
    cap_add: [NET_ADMIN]
    dns: 1.1.1.1
    networks: [front]
    volumes: ["data:/var/lib/api", "/srv/conf:/conf:ro"]
    secrets: [token, {source: cert, target: /run/cert}]
    ulimits: {nofile: {soft: 1024, hard: 2048}}
    logging: {driver: json-file, options: {max-size: 1m}}
    deploy:
      replicas: 2
      labels: {tier: web}
      placement: {constraints: [node.role == manager]}
      resources: {limits: {memory: 1g, cpus: "1"}}
      update_config: {parallelism: 1, delay: 10s}
  db:
    image: postgres:16
    networks: {back: {aliases: [database]}}
networks:
  front: {driver: overlay, attachable: true}
  back: {driver: overlay}
volumes:
  data: {driver: local, labels: {keep: "yes"}}
secrets:
  token: {external: true}
  cert: {external: true}
"#;

const OVERRIDES: &[(&str, &str)] = &[
    (
        "scalars-lists-maps",
        r#"version: "3.8"
services:
  api:
    image: example/api:2
    read_only: false
    command: serve --debug
    ports: ["8080:81", "9001:9999", "4000"]
    environment: {B: "3", C: "4"}
    labels: [owner=ops]
    healthcheck: {test: [CMD, "false"], retries: 3}
    cap_add: [SYS_TIME]
    dns: [8.8.8.8]
    networks: {back: {aliases: [api-back]}}
    volumes: ["/srv/data:/var/lib/api", "logs:/logs"]
    secrets: [{source: token, target: /run/token2}, other]
    ulimits: {nofile: 4096, nproc: 100}
    logging: {options: {max-file: "3"}}
    deploy:
      replicas: 0
      labels: {stage: prod}
      placement: {constraints: [node.labels.zone == a]}
      resources: {limits: {memory: 2g}}
      update_config: {order: start-first}
  worker:
    image: example/worker:1
networks:
  front: {driver: overlay}
  extra: {}
volumes:
  data: {driver: other}
  logs: {}
secrets:
  other: {external: true}
"#,
    ),
    (
        "logging-driver-change",
        r#"version: "3.8"
services:
  api:
    logging: {driver: syslog, options: {tag: api}}
  db:
    networks: [front]
"#,
    ),
    (
        "deploy-added",
        r#"version: "3.8"
services:
  db:
    deploy: {mode: global, resources: {reservations: {memory: 512M}}}
    environment:
      - POSTGRES_DB=app
"#,
    ),
];

fn docker_config(dir: &std::path::Path, files: &[&str]) -> String {
    let mut cmd = Command::new("docker");
    cmd.args(["stack", "config"]);
    for f in files {
        cmd.args(["-c", f]);
    }
    let out = cmd
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .output()
        .expect("the docker CLI");
    assert!(
        out.status.success(),
        "docker stack config {files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn merged_files_read_as_docker_reads_them() {
    let dir = support::scratch("merge");
    std::fs::write(dir.join("base.yml"), BASE).unwrap();
    for (name, over) in OVERRIDES {
        let file = format!("{name}.yml");
        std::fs::write(dir.join(&file), over).unwrap();
        let want = docker_config(&dir, &["base.yml", &file]);
        let docs = [BASE, *over]
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let mut doc = yaml::parse(text, Limits::default()).unwrap();
                merge::relocate(&mut doc, i);
                doc
            })
            .collect();
        let merged = merge::merge(docs, &Variables::new()).unwrap();
        let merged_file = format!("{name}.merged.yml");
        std::fs::write(dir.join(&merged_file), yaml::emit(&merged)).unwrap();
        let got = docker_config(&dir, &[&merged_file]);
        assert_eq!(
            got,
            want,
            "{name}: tiermap's merge reads differently\n--- merged ---\n{}",
            yaml::emit(&merged)
        );
    }
}

#[test]
fn each_value_keeps_the_file_and_line_it_came_from() {
    let model = merge::model(
        &[BASE, OVERRIDES[0].1],
        &ImportOptions {
            stack: Some("app".into()),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let api = model.service("api").unwrap();
    // The image comes from the override (file 1, line 4), the service from the base.
    assert_eq!(merge::place(api.image_at).0, 1);
    assert_eq!(merge::place(api.image_at).1.line, 4);
    assert_eq!(merge::place(api.at).0, 0);
    // The published 8080 was overridden (target 81, file 1); 3000 collapsed into 4000's
    // unpublished slot, as docker does.
    let p8080 = api
        .ports
        .iter()
        .find(|p| p.published == Some(8080))
        .unwrap();
    assert_eq!(p8080.target, 81);
    assert_eq!(merge::place(p8080.at).0, 1);
    assert!(model.service("worker").is_some());
    let versions = merge::model(&[BASE, "services: {}\n"], &ImportOptions::default());
    assert!(matches!(
        versions,
        Err(merge::FilesError::Merge(
            merge::MergeError::VersionMismatch { .. }
        ))
    ));
}
