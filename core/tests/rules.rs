//! One test per rule and per fact of shared/DOMAIN.md: each builds the smallest stack
//! that shows it and checks what the analysis says, and that the offered fix removes it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tiermap_core::findings::{Finding, Rule, Severity};
use tiermap_core::model::{Encryption, PublishMode};
use tiermap_core::{Analysis, Design, ImportOptions};

fn design(yaml: &str) -> Design {
    Design::import(
        yaml,
        ImportOptions {
            stack: Some("app".into()),
            ..ImportOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("fixture does not import: {e} at {:?}", e.location()))
}

fn findings(yaml: &str) -> Vec<Finding> {
    design(yaml).analyze().findings
}

fn of(findings: &[Finding], rule: Rule) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .cloned()
        .collect()
}

/// Applies the fix of the first finding of `rule` and checks the finding is gone.
fn fix_removes(yaml: &str, rule: Rule) -> Design {
    let mut d = design(yaml);
    let found = of(&d.analyze().findings, rule)
        .first()
        .cloned()
        .expect("the rule fires");
    let action = found.action.clone().expect("the finding offers a fix");
    d.apply(&action)
        .unwrap_or_else(|e| panic!("fix failed: {e}"));
    assert!(
        of(&d.analyze().findings, rule).is_empty(),
        "{:?} still reported after its fix:\n{}",
        rule,
        d.export()
    );
    // The fixed design still reads back.
    design(&d.export());
    d
}

const DB_PUBLISHED: &str = "
services:
  postgres:
    image: postgres:16
    ports:
      - '5432:5432'
  web:
    image: nginx
    ports: ['8080:80']
";

#[test]
fn database_published_is_an_error_with_its_line() {
    let f = findings(DB_PUBLISHED);
    let db = of(&f, Rule::DatabasePublished);
    assert_eq!(db.len(), 1, "{f:#?}");
    assert_eq!(db[0].severity, Severity::Error);
    assert_eq!(db[0].service.as_deref(), Some("postgres"));
    assert_eq!(db[0].at.line, 6);
    assert_eq!(db[0].id, "database-published:postgres:5432");
    let fixed = fix_removes(DB_PUBLISHED, Rule::DatabasePublished);
    assert!(fixed.model().service("postgres").unwrap().ports.is_empty());
    // The web server is not a database.
    assert!(of(&f, Rule::DatabasePublished)
        .iter()
        .all(|x| x.service.as_deref() != Some("web")));
}

#[test]
fn data_ports_on_unknown_images_count_as_databases_and_buses() {
    let f = findings("services:\n  cache:\n    image: example/kv\n    ports: ['6379:6379']\n  bus:\n    image: nats:2.10\n    ports: ['4222:4222']\n");
    assert_eq!(of(&f, Rule::DatabasePublished).len(), 1);
    assert_eq!(of(&f, Rule::MessageBusPublished).len(), 1);
}

#[test]
fn swarm_ports_must_not_be_published() {
    let f = findings("services:\n  x:\n    image: app\n    ports: ['2377:2377', '7946:7946/udp', '4789:4789/udp', '8080:80']\n");
    let hits = of(&f, Rule::SwarmPortPublished);
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h.severity == Severity::Error));
}

const SEED_ENCRYPTED: &str = "
services:
  api:
    image: api
    networks: [web_tier]
networks:
  web_tier:
    driver: overlay
    attachable: false
    encrypted: true
";

#[test]
fn encrypted_true_on_the_network_is_rejected_and_fixed_into_driver_opts() {
    let d = design(SEED_ENCRYPTED);
    assert_eq!(
        d.model().tier("web_tier").unwrap().encryption,
        Encryption::TopLevelKey
    );
    let f = d.analyze().findings;
    let hit = of(&f, Rule::EncryptedKeyRejected);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].at.line, 7);
    assert_eq!(hit[0].tier.as_deref(), Some("web_tier"));
    // Import does not change the user's file.
    assert!(d.export().contains("encrypted: true"));
    let fixed = fix_removes(SEED_ENCRYPTED, Rule::EncryptedKeyRejected);
    assert_eq!(
        fixed.model().tier("web_tier").unwrap().encryption,
        Encryption::DriverOpt
    );
    assert!(
        fixed.export().contains("encrypted: \"\""),
        "{}",
        fixed.export()
    );
    assert!(of(&fixed.analyze().findings, Rule::UnencryptedOverlay).is_empty());
}

#[test]
fn encryption_follows_the_driver_option_key() {
    let d = design("services:\n  a:\n    image: a\n    networks: [n, m, o]\nnetworks:\n  n:\n    driver_opts:\n      encrypted: 'false'\n  m:\n    driver_opts:\n      encrypted: true\n  o: {}\n");
    // The driver looks only at the key: "false" still encrypts.
    assert_eq!(
        d.model().tier("n").unwrap().encryption,
        Encryption::DriverOpt
    );
    assert_eq!(
        d.model().tier("m").unwrap().encryption,
        Encryption::DriverOptBoolean
    );
    let f = d.analyze().findings;
    assert_eq!(of(&f, Rule::EncryptedBoolean).len(), 1);
    let unencrypted = of(&f, Rule::UnencryptedOverlay);
    assert_eq!(
        unencrypted
            .iter()
            .map(|x| x.tier.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["o".to_string()]
    );
    assert_eq!(unencrypted[0].severity, Severity::Warning);
}

#[test]
fn attachable_networks_are_reported_and_fixed() {
    let yaml = "services:\n  a:\n    image: a\n    networks: [n]\nnetworks:\n  n:\n    attachable: true\n    driver_opts: {encrypted: ''}\n";
    assert_eq!(of(&findings(yaml), Rule::AttachableNetwork).len(), 1);
    fix_removes(yaml, Rule::AttachableNetwork);
}

#[test]
fn host_ip_is_ignored_by_swarm_and_shown_on_every_address() {
    let yaml = "services:\n  db:\n    image: example/app\n    ports: ['127.0.0.1:8000:8000']\n";
    let d = design(yaml);
    let a = d.analyze();
    let hit = of(&a.findings, Rule::HostIpIgnored);
    assert_eq!(hit.len(), 1);
    assert!(hit[0].message.contains("0.0.0.0"));
    // The surface counts it: it is not loopback-only.
    assert_eq!(a.surface.port_count(), 1);
    assert_eq!(
        a.surface.ports[0].ignored_host_ip.as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(a.surface.ports[0].nodes, "every node");
    fix_removes(yaml, Rule::HostIpIgnored);
}

#[test]
fn docker_socket_is_root_on_the_node() {
    let f = findings("services:\n  t:\n    image: traefik:v3\n    ports: ['80:80']\n    volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro']\n");
    let hit = of(&f, Rule::DockerSocket);
    assert_eq!(hit.len(), 1);
    assert!(hit[0].message.contains("read-only"));
}

const PROXY_ON_DB_TIER: &str = "
services:
  traefik:
    image: traefik:v3.1
    ports: ['80:80']
    networks: [web, data]
  api:
    image: api
    networks: [web, data]
    deploy:
      replicas: 2
      labels:
        - traefik.http.routers.api.rule=Host(`api.example.com`)
  postgres:
    image: postgres:16
    networks: [data]
networks:
  web: {driver_opts: {encrypted: ''}}
  data: {driver_opts: {encrypted: ''}}
";

#[test]
fn proxy_bridging_into_the_database_tier() {
    let a = design(PROXY_ON_DB_TIER).analyze();
    let hit = of(&a.findings, Rule::ProxyOnDatabaseTier);
    assert_eq!(hit.len(), 1, "{:#?}", a.findings);
    assert_eq!(hit[0].tier.as_deref(), Some("data"));
    let bridges: Vec<_> = a
        .blast_radius
        .bridges
        .iter()
        .filter(|b| b.is_proxy)
        .collect();
    assert_eq!(bridges.len(), 1);
}

#[test]
fn routed_service_on_two_networks_needs_the_network_label() {
    let f = findings(PROXY_ON_DB_TIER);
    let hit = of(&f, Rule::RouteNetworkUnset);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].service.as_deref(), Some("api"));
    let fixed = fix_removes(PROXY_ON_DB_TIER, Rule::RouteNetworkUnset);
    assert!(
        fixed.export().contains("traefik.swarm.network=app_web"),
        "{}",
        fixed.export()
    );
    // Missing port on the same route.
    assert_eq!(of(&f, Rule::RoutePortMissing).len(), 1);
}

#[test]
fn traefik_labels_outside_deploy_are_not_read_in_swarm() {
    let yaml = "services:\n  traefik:\n    image: traefik:v3.1\n    ports: ['80:80']\n  api:\n    image: api\n    deploy: {replicas: 2}\n    labels:\n      - traefik.http.routers.api.rule=Host(`a.example.com`)\n      - traefik.http.services.api.loadbalancer.server.port=3000\n      - keep=me\n";
    let hit = of(&findings(yaml), Rule::RouteLabelsNotDeploy);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].at.line, 9);
    let fixed = fix_removes(yaml, Rule::RouteLabelsNotDeploy);
    let api = fixed.model().service("api").unwrap();
    assert_eq!(api.labels, vec![("keep".to_string(), "me".to_string())]);
    assert!(api.routes[0].in_deploy_labels);
    assert_eq!(api.routes[0].port, Some(3000));
}

#[test]
fn health_limits_and_single_replica_routes() {
    let yaml = "services:\n  traefik:\n    image: traefik:v2.9\n    ports: ['80:80']\n  web:\n    image: web\n    deploy:\n      labels: ['traefik.http.routers.web.rule=Host(`w.example.com`)', 'traefik.http.services.web.loadbalancer.server.port=80']\n";
    let f = findings(yaml);
    assert!(of(&f, Rule::NoHealthCheck)
        .iter()
        .any(|x| x.service.as_deref() == Some("web")));
    assert!(of(&f, Rule::NoResourceLimits)
        .iter()
        .any(|x| x.service.as_deref() == Some("web")));
    assert_eq!(of(&f, Rule::SingleReplicaRouted).len(), 1);
    let healthy = "services:\n  web:\n    image: web\n    healthcheck: {test: ['CMD', 'true']}\n    deploy: {replicas: 3, resources: {limits: {memory: 256M}}}\n";
    let f = findings(healthy);
    assert!(of(&f, Rule::NoHealthCheck).is_empty() && of(&f, Rule::NoResourceLimits).is_empty());
}

#[test]
fn undefined_network_is_imported_reported_and_defined_by_the_fix() {
    let yaml = "services:\n  a:\n    image: a\n    networks:\n      - backend\n";
    let d = design(yaml);
    let hit = of(&d.analyze().findings, Rule::UndefinedNetwork);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].at.line, 5);
    let fixed = fix_removes(yaml, Rule::UndefinedNetwork);
    assert!(fixed.model().tier("backend").unwrap().declared);
}

#[test]
fn dnsrr_with_an_ingress_port_is_refused() {
    let yaml = "services:\n  a:\n    image: a\n    ports: ['80:80']\n    deploy: {endpoint_mode: dnsrr}\n  b:\n    image: b\n    ports: [{target: 80, published: 81, mode: host}]\n    deploy: {endpoint_mode: dnsrr}\n";
    let hit = of(&findings(yaml), Rule::DnsrrWithIngress);
    assert_eq!(
        hit.iter()
            .map(|h| h.service.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["a".to_string()]
    );
}

#[test]
fn duplicate_published_ports_across_services() {
    let yaml = "services:\n  a:\n    image: a\n    ports: ['80:80', '53:53/udp']\n  b:\n    image: b\n    ports: ['80:8080', '53:53/tcp']\n";
    let hit = of(&findings(yaml), Rule::DuplicatePublishedPort);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].id, "duplicate-published-port:80/tcp");
}

#[test]
fn depends_on_mapping_is_rejected_and_rewritten_as_a_list() {
    let yaml = "services:\n  a:\n    image: a\n    depends_on:\n      b:\n        condition: service_healthy\n  b:\n    image: b\n";
    let d = design(yaml);
    assert_eq!(of(&d.analyze().findings, Rule::DependsOnMapping).len(), 1);
    // The dependency is still a flow.
    assert!(d.model().flows.iter().any(|f| f.from == "a" && f.to == "b"));
    fix_removes(yaml, Rule::DependsOnMapping);
}

#[test]
fn stack_deploy_ignores_and_rejects_keys() {
    let f = findings("services:\n  a:\n    build: .\n    container_name: a\n    mem_limit: 1g\n");
    assert_eq!(of(&f, Rule::NoImage).len(), 1);
    assert_eq!(of(&f, Rule::IgnoredKey).len(), 2);
    assert_eq!(of(&f, Rule::RejectedKey).len(), 1);
    let f = findings("version: '2.4'\nservices:\n  a:\n    image: a\n");
    assert_eq!(of(&f, Rule::UnsupportedVersion).len(), 1);
}

#[test]
fn unset_variables_are_read_as_empty_and_reported_once() {
    let d = design("services:\n  a:\n    image: ${IMAGE}\n    ports: ['${PORT:-8080}:80']\n    environment: [X=$IMAGE]\n");
    assert_eq!(d.model().services[0].ports[0].published, Some(8080));
    assert_eq!(of(&d.analyze().findings, Rule::UnsetVariable).len(), 1);
    let with_vars = Design::import(
        "services:\n  a:\n    image: ${IMAGE}\n    ports: ['${PORT:-8080}:80']\n",
        ImportOptions {
            variables: [("PORT".into(), "9000".into()), ("IMAGE".into(), "x".into())]
                .into_iter()
                .collect(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(with_vars.model().services[0].ports[0].published, Some(9000));
    assert_eq!(with_vars.model().services[0].image.as_deref(), Some("x"));
}

// --- DOMAIN.md: networks and reachability ---

#[test]
fn services_without_networks_share_the_default_overlay() {
    let d = design("services:\n  a:\n    image: a\n  b:\n    image: b\n  c:\n    image: c\n    networks: [other]\nnetworks:\n  other: {}\n");
    let m = d.model();
    let a = Analysis::of(m);
    let (ia, ib, ic) = (
        m.service_index("a").unwrap(),
        m.service_index("b").unwrap(),
        m.service_index("c").unwrap(),
    );
    assert_eq!(
        a.reachability.between(ia, ib),
        Some(&["default".to_string()][..])
    );
    assert_eq!(
        a.reachability.between(ib, ia),
        Some(&["default".to_string()][..])
    );
    assert!(!a.reachability.reaches(ia, ic));
    assert_eq!(m.tier("default").unwrap().swarm_name("app"), "app_default");
    assert_eq!(m.tier("other").unwrap().swarm_name("app"), "app_other");
}

#[test]
fn network_names_follow_prefix_name_and_external() {
    let d = design("services:\n  a:\n    image: a\n    networks: [p, q, r]\nnetworks:\n  p: {name: shared}\n  q: {external: true}\n  r: {}\n");
    let m = d.model();
    assert_eq!(m.tier("p").unwrap().swarm_name("app"), "shared");
    assert_eq!(m.tier("q").unwrap().swarm_name("app"), "q");
    assert_eq!(m.tier("r").unwrap().swarm_name("app"), "app_r");
}

#[test]
fn ingress_publishing_attaches_to_the_ingress_network_but_host_mode_does_not() {
    let d = design("services:\n  a:\n    image: a\n    networks: [x]\n    ports: ['80:80']\n  b:\n    image: b\n    networks: [y]\n    ports: ['81:81']\n  c:\n    image: c\n    networks: [z]\n    ports: [{target: 82, published: 82, mode: host}]\nnetworks: {x: {}, y: {}, z: {}}\n");
    let m = d.model();
    let a = Analysis::of(m);
    let i = |n: &str| m.service_index(n).unwrap();
    assert_eq!(
        a.reachability.between(i("a"), i("b")),
        Some(&["ingress".to_string()][..])
    );
    assert!(!a.reachability.reaches(i("a"), i("c")));
    let host = a.surface.ports.iter().find(|p| p.service == "c").unwrap();
    assert_eq!(host.mode, PublishMode::Host);
    assert_eq!(host.nodes, "nodes running c");
    assert_eq!(
        a.surface
            .ports
            .iter()
            .find(|p| p.service == "a")
            .unwrap()
            .nodes,
        "every node"
    );
}

#[test]
fn internal_networks_do_not_stop_ingress_publishing() {
    let f = findings("services:\n  a:\n    image: a\n    networks: [back]\n    ports: ['8080:80']\nnetworks:\n  back: {internal: true, driver_opts: {encrypted: ''}}\n");
    assert_eq!(of(&f, Rule::InternalWithIngress).len(), 1);
}

#[test]
fn network_mode_host_exposes_everything() {
    let d = design("services:\n  a:\n    image: a\n    network_mode: host\n  b:\n    image: b\n    network_mode: host\n");
    let a = d.analyze();
    assert_eq!(
        a.surface.host_network,
        vec!["a".to_string(), "b".to_string()]
    );
    assert!(a.reachability.reaches(0, 1));
    assert_eq!(
        a.reachability.between(0, 1),
        Some(&["host".to_string()][..])
    );
    assert_eq!(of(&a.findings, Rule::HostNetwork).len(), 2);
    // stack deploy ignores network_mode: said too.
    assert_eq!(of(&a.findings, Rule::IgnoredKey).len(), 2);
}

#[test]
fn random_published_ports_count_in_the_surface() {
    let a = design("services:\n  a:\n    image: a\n    ports: ['3000', '3001-3002']\n").analyze();
    assert_eq!(a.surface.port_count(), 3);
    assert!(a.surface.ports.iter().all(|p| p.published.is_none()));
}

// --- flows ---

const FLOWS: &str = "
services:
  api:
    image: api
    networks: [web]
    environment:
      DATABASE_URL: postgres://admin@postgres:5432/app
  worker:
    image: worker
    networks: [data]
    depends_on: [postgres]
  postgres:
    image: postgres:16
    networks: [data]
  idle:
    image: idle
    networks: [data]
networks:
  web: {driver_opts: {encrypted: ''}}
  data: {driver_opts: {encrypted: ''}}
";

#[test]
fn inferred_flows_are_checked_against_reachability() {
    let d = design(FLOWS);
    let m = d.model();
    assert!(m
        .flows
        .iter()
        .any(|f| f.from == "api" && f.to == "postgres" && f.port == Some(5432)));
    let a = d.analyze();
    let blocked = of(&a.findings, Rule::FlowBlocked);
    assert_eq!(blocked.len(), 1, "{:#?}", a.findings);
    assert_eq!(blocked[0].id, "flow-blocked:api->postgres");
    assert_eq!(blocked[0].severity, Severity::Error);
    // worker -> postgres is used; idle's reach of both is not: one finding for the tier.
    let over = of(&a.findings, Rule::OverPermissive);
    assert_eq!(over.len(), 1, "{over:#?}");
    assert_eq!(over[0].id, "over-permissive:data");
    assert_eq!(over[0].tier.as_deref(), Some("data"));
    assert!(over[0].message.contains("2 pairs"), "{}", over[0].message);
    assert!(over[0].message.contains("worker<->idle"));
    assert!(over[0].message.contains("postgres<->idle"));
    assert!(!over[0].message.contains("worker<->postgres"));
    let fixed = fix_removes(FLOWS, Rule::FlowBlocked);
    assert!(fixed.model().service("api").unwrap().on("data"));
}

#[test]
fn user_flows_live_in_x_tiermap_and_survive_export() {
    let mut d = design(FLOWS);
    d.add_flow("worker", "idle", Some(9000)).unwrap();
    let text = d.export();
    assert!(text.contains("x-tiermap"), "{text}");
    let again = design(&text);
    assert!(again
        .model()
        .flows
        .iter()
        .any(|f| f.from == "worker" && f.to == "idle" && f.port == Some(9000)));
    let over = of(&again.analyze().findings, Rule::OverPermissive);
    assert!(over[0].message.contains("1 pair"), "{}", over[0].message);
    assert!(!over[0].message.contains("worker<->idle"));
    let unknown =
        findings("services:\n  a: {image: a}\nx-tiermap:\n  flows:\n    - {from: a, to: ghost}\n");
    assert_eq!(of(&unknown, Rule::UnknownFlowService).len(), 1);
}

#[test]
fn accepted_findings_carry_their_note_and_do_not_fail_the_check() {
    let mut d = design(DB_PUBLISHED);
    assert_eq!(d.analyze().worst(), Some(Severity::Error));
    d.accept(
        "database-published:postgres:5432",
        "dev only, firewall blocks it",
    )
    .unwrap();
    let again = design(&d.export());
    let f = again.analyze().findings;
    assert_eq!(
        of(&f, Rule::DatabasePublished)[0].accepted.as_deref(),
        Some("dev only, firewall blocks it")
    );
    assert_ne!(again.analyze().worst(), Some(Severity::Error));
}

#[test]
fn blast_radius_counts_hops_through_pivots() {
    // a -[x]- b -[y]- c -[z]- d
    let d = design("services:\n  a: {image: a, networks: [x]}\n  b: {image: b, networks: [x, y]}\n  c: {image: c, networks: [y, z]}\n  d: {image: d, networks: [z]}\nnetworks: {x: {}, y: {}, z: {}}\n");
    let a = d.analyze();
    let hops: Vec<(usize, u32)> = a.blast_radius.reached(0);
    assert_eq!(hops, vec![(1, 1), (2, 2), (3, 3)]);
    assert_eq!(a.blast_radius.within(0, 1), 1);
    assert_eq!(
        a.blast_radius
            .bridges
            .iter()
            .map(|b| b.service)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
}
