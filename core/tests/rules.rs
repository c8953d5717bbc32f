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

// --- Swarm-correct hardening (compose-lint's rules, as `docker stack deploy` runs them) ---

fn ids(findings: &[Finding], rule: Rule) -> Vec<String> {
    of(findings, rule).into_iter().map(|f| f.id).collect()
}

/// Applies the fix of the finding with this id and checks that id is gone.
fn fix_id(yaml: &str, id: &str) -> Design {
    let mut d = design(yaml);
    let found = d
        .analyze()
        .findings
        .into_iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id}"));
    d.apply(found.action.as_ref().expect("the finding offers a fix"))
        .unwrap_or_else(|e| panic!("fix failed: {e}"));
    assert!(
        !d.analyze().findings.iter().any(|f| f.id == id),
        "{id} still reported after its fix:\n{}",
        d.export()
    );
    design(&d.export());
    d
}

const CONTROL: &str = "
services:
  swarm-listener:
    image: vfarcic/docker-flow-swarm-listener:18.04
    networks: [proxy]
    environment:
      - DF_NOTIF_CREATE_SERVICE_URL=http://proxy:8080/v1/docker-flow-proxy/reconfigure
  proxy:
    image: vfarcic/docker-flow-proxy:18.04
    ports: ['80:80', '8080:8080']
    networks: [proxy]
  envoy:
    image: envoyproxy/envoy:v1.31
    ports: ['9901:9901', '10000:10000']
  traefik:
    image: traefik:v3.1
    command: [--api.insecure=true, --providers.swarm=true]
    ports: [{target: 8080, published: 8081, mode: host}]
  traefik-safe:
    image: traefik:v3.1
    command: [--api.dashboard=true]
    ports: ['8082:8080']
  dind:
    image: docker:27-dind
    ports: ['2375:2375']
  portainer:
    image: portainer/portainer-ce:2.21
    ports: ['9443:9443']
  nats:
    image: nats:2.10
    ports: ['8222:8222', '4222:4222']
networks:
  proxy: {driver_opts: {encrypted: ''}}
";

#[test]
fn published_control_interfaces_say_who_needs_them_and_how() {
    let f = findings(CONTROL);
    let hits = of(&f, Rule::ControlInterfacePublished);
    let found: Vec<(&str, Severity)> = hits.iter().map(|h| (h.id.as_str(), h.severity)).collect();
    assert_eq!(
        found,
        vec![
            ("control-interface-published:proxy:8080", Severity::Error),
            ("control-interface-published:envoy:9901", Severity::Error),
            ("control-interface-published:traefik:8080", Severity::Error),
            ("control-interface-published:dind:2375", Severity::Error),
            ("control-interface-published:nats:8222", Severity::Error),
            (
                "control-interface-published:portainer:9443",
                Severity::Warning
            ),
        ],
        "{hits:#?}"
    );
    // Seed 002: the listener reaches the API over the overlay, the finding says so.
    let dfp = &hits[0];
    assert!(dfp.message.contains("reconfigure API"), "{}", dfp.message);
    assert!(
        dfp.message.contains("`swarm-listener` over `proxy`"),
        "{}",
        dfp.message
    );
    assert!(dfp.fix.contains("--admin CIDR"), "{}", dfp.fix);
    // Envoy's admin: nobody in the file calls it, so the finding says who would.
    assert!(hits[1].message.contains("operators"), "{}", hits[1].message);
    // NATS's monitoring port is a control interface, not a second bus finding; its
    // client port 4222 is the message bus.
    assert_eq!(
        ids(&f, Rule::MessageBusPublished),
        vec!["message-bus-published:nats:4222".to_string()]
    );
    // Traefik without --api.insecure publishes no API.
    assert!(!hits.iter().any(|h| h.id.contains("traefik-safe")));
    fix_id(CONTROL, "control-interface-published:proxy:8080");
    fix_id(CONTROL, "control-interface-published:traefik:8080");
}

#[test]
fn docker_refusals_are_errors_with_a_line_and_a_hint() {
    let yaml = "version: '3.6'\nservices:\n  web:\n    image: nginx:1.27\n    init: true\n    pids_limit: 100\n    ports:\n      - {target: 80, published: 8080, host_ip: 127.0.0.1}\n    deploy: {resources: {limits: {cpus: 0.5}}}\n";
    let f = findings(yaml);
    let unknown = of(&f, Rule::UnknownKey);
    assert_eq!(
        unknown.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        vec![
            "unknown-key:services.web.init",
            "unknown-key:services.web.pids_limit",
            "unknown-key:services.web.ports.0.host_ip",
        ]
    );
    assert!(unknown.iter().all(|u| u.severity == Severity::Error));
    assert_eq!(unknown[0].at.line, 5);
    assert!(unknown[0].fix.contains("3.7"), "{}", unknown[0].fix);
    assert!(unknown[1].fix.contains("deploy.resources.limits.pids"));
    // Long-syntax host_ip is refused, not ignored: no host-ip-ignored on top.
    assert!(of(&f, Rule::HostIpIgnored).is_empty());
    let cpus = of(&f, Rule::WrongType);
    assert_eq!(
        cpus[0].id,
        "wrong-type:services.web.deploy.resources.limits.cpus"
    );
    assert!(cpus[0].fix.contains("\"0.5\""));
    fix_id(yaml, "unknown-key:services.web.ports.0.host_ip");
}

#[test]
fn names_docker_or_swarm_refuse_are_errors_and_renamed_by_the_fix() {
    let yaml = "services:\n  'web app':\n    image: nginx\n  api.v2:\n    image: api\n    depends_on: ['web app']\n";
    let f = findings(yaml);
    let bad = of(&f, Rule::InvalidName);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].service.as_deref(), Some("web app"));
    assert_eq!(bad[0].at.line, 2);
    // `docker stack config` takes a dot; swarm refuses `app_api.v2` at deploy.
    let swarm = of(&f, Rule::SwarmNameRefused);
    assert_eq!(swarm.len(), 1);
    assert!(
        swarm[0].message.contains("app_api.v2"),
        "{}",
        swarm[0].message
    );
    let fixed = fix_id(yaml, "swarm-name-refused:api.v2");
    assert!(fixed.model().service("api-v2").is_some());
    let fixed = fix_id(yaml, "invalid-name:services.web app");
    let api = fixed.model().service("api.v2").unwrap();
    assert_eq!(api.depends_on, vec!["web-app".to_string()]);
    let long = format!("services:\n  {}:\n    image: nginx\n", "a".repeat(60));
    assert_eq!(of(&findings(&long), Rule::SwarmNameRefused).len(), 1);
}

#[test]
fn security_opt_is_ignored_and_the_finding_says_what_works() {
    let f =
        findings("services:\n  a:\n    image: a\n    security_opt: ['no-new-privileges:true']\n");
    let hit = of(&f, Rule::SecurityOptIgnored);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].severity, Severity::Warning);
    assert!(hit[0].message.contains("without no-new-privileges"));
    assert!(hit[0].fix.contains("daemon.json"));
    // Not reported twice as a plain ignored key.
    assert!(of(&f, Rule::IgnoredKey).is_empty());
}

#[test]
fn capabilities_are_honoured_by_swarm_so_they_are_checked() {
    let yaml = "services:\n  a:\n    image: a\n    cap_add: [CAP_SYS_ADMIN, NET_ADMIN, CHOWN]\n  b:\n    image: b\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE]\n";
    let f = findings(yaml);
    // cap_add and cap_drop are not ignored keys any more (stack deploy converts them).
    assert!(of(&f, Rule::IgnoredKey).is_empty());
    assert_eq!(
        ids(&f, Rule::CapabilitiesNotDropped),
        vec!["capabilities-not-dropped:a".to_string()]
    );
    let dangerous: Vec<(String, Severity)> = of(&f, Rule::DangerousCapability)
        .into_iter()
        .map(|d| (d.id, d.severity))
        .collect();
    assert_eq!(
        dangerous,
        vec![
            (
                "dangerous-capability:a:SYS_ADMIN".to_string(),
                Severity::Error
            ),
            (
                "dangerous-capability:a:NET_ADMIN".to_string(),
                Severity::Warning
            ),
        ]
    );
    let fixed = fix_removes(yaml, Rule::CapabilitiesNotDropped);
    assert!(fixed.export().contains("cap_drop"), "{}", fixed.export());
}

#[test]
fn root_filesystem_user_logging_and_sysctls() {
    let yaml = "services:\n  a:\n    image: a\n    user: 'root:root'\n    logging: {driver: none}\n    sysctls: {net.core.somaxconn: 1024, vm.max_map_count: 262144}\n  b:\n    image: b\n    read_only: true\n    user: '1000'\n";
    let f = findings(yaml);
    assert_eq!(
        ids(&f, Rule::WritableRootFilesystem),
        vec!["writable-root-filesystem:a".to_string()]
    );
    assert_eq!(ids(&f, Rule::RootUser), vec!["root-user:a".to_string()]);
    assert_eq!(
        ids(&f, Rule::LoggingDisabled),
        vec!["logging-disabled:a".to_string()]
    );
    assert_eq!(
        ids(&f, Rule::SysctlNotNamespaced),
        vec!["sysctl-not-namespaced:a:vm.max_map_count".to_string()]
    );
    let fixed = fix_removes(yaml, Rule::WritableRootFilesystem);
    assert!(fixed.export().contains("read_only: true"));
}

#[test]
fn host_mounts_by_what_they_give_away() {
    let f = findings("services:\n  a:\n    image: a\n    volumes:\n      - /etc:/host-etc\n      - /proc:/host/proc:ro\n      - /etc/localtime:/etc/localtime:ro\n      - data:/data\n      - /home/me/.ssh:/root/.ssh:ro\n      - type: bind\n        source: /mnt\n        target: /mnt\n        bind: {propagation: rshared}\n");
    let hits: Vec<(String, Severity)> = of(&f, Rule::SensitiveHostMount)
        .into_iter()
        .map(|h| (h.id, h.severity))
        .collect();
    assert_eq!(
        hits,
        vec![
            ("sensitive-host-mount:a:/etc".to_string(), Severity::Error),
            (
                "sensitive-host-mount:a:/proc".to_string(),
                Severity::Warning
            ),
            (
                "sensitive-host-mount:a:/home/me/.ssh".to_string(),
                Severity::Warning
            ),
        ]
    );
    assert_eq!(
        ids(&f, Rule::SharedMountPropagation),
        vec!["shared-mount-propagation:a:/mnt".to_string()]
    );
}

#[test]
fn images_by_tag_and_digest() {
    let f = findings("services:\n  a:\n    image: nginx\n  b:\n    image: nginx:latest\n  c:\n    image: nginx:1.27\n  d:\n    image: nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000\n  e:\n    image: registry.example.com:5000/team/app\n");
    assert_eq!(
        ids(&f, Rule::ImageNotPinned),
        vec![
            "image-not-pinned:a".to_string(),
            "image-not-pinned:b".to_string(),
            "image-not-pinned:e".to_string()
        ]
    );
    assert_eq!(
        ids(&f, Rule::ImageWithoutDigest),
        vec!["image-without-digest:c".to_string()]
    );
    assert_eq!(of(&f, Rule::ImageNotPinned)[0].at.line, 3);
}

#[test]
fn credentials_in_the_environment_belong_in_swarm_secrets() {
    // Seed 004's production stack reads its password from a secret file: no finding.
    let f = findings("services:\n  db:\n    image: postgres:16\n    secrets: [db_password]\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n      POSTGRES_USER: admin\n  api:\n    image: api\n    environment:\n      - API_KEY=sk-live-1234\n      - DATABASE_URL=postgres://admin:hunter2@db:5432/app\n      - CACHE_URL=redis://cache:6379\nsecrets:\n  db_password: {external: true}\n");
    let hits = of(&f, Rule::SecretInEnvironment);
    assert_eq!(
        hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        vec![
            "secret-in-environment:api:API_KEY",
            "secret-in-environment:api:DATABASE_URL"
        ]
    );
    assert_eq!(hits[0].at.line, 11);
    assert!(hits[0].message.contains("docker service inspect"));
    assert!(hits[0].fix.contains("/run/secrets"));
}

#[test]
fn tmpfs_is_dropped_by_stack_deploy_and_the_fix_mounts_it() {
    let yaml = "version: '3.8'\nservices:\n  a:\n    image: a\n    read_only: true\n    tmpfs: [/tmp, '/run:size=64k']\n    privileged: true\n";
    let f = findings(yaml);
    let ignored = of(&f, Rule::IgnoredKey);
    let tmpfs = ignored
        .iter()
        .find(|i| i.id == "ignored-key:a:tmpfs")
        .unwrap();
    assert_eq!(tmpfs.severity, Severity::Warning);
    assert!(tmpfs.message.contains("without a warning"));
    let privileged = ignored
        .iter()
        .find(|i| i.id == "ignored-key:a:privileged")
        .unwrap();
    assert!(privileged.message.contains("does not run privileged tasks"));
    let fixed = fix_id(yaml, "ignored-key:a:tmpfs");
    let mounts = &fixed.model().service("a").unwrap().volumes;
    assert_eq!(
        mounts
            .iter()
            .map(|m| (m.kind, m.target.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (tiermap_core::model::MountKind::Tmpfs, "/tmp"),
            (tiermap_core::model::MountKind::Tmpfs, "/run")
        ]
    );
}

#[test]
fn the_split_of_a_tier_closes_its_unused_pairs_and_keeps_every_flow() {
    let yaml = "
services:
  traefik:
    image: traefik:v3.1
    ports: [{target: 443, published: 443, mode: host}]
    networks: [web]
  api:
    image: api:1
    networks: [web, data]
    environment: {DATABASE_URL: 'postgres://postgres:5432/app'}
    deploy:
      replicas: 2
      labels:
        - traefik.http.routers.api.rule=Host(`api.example.com`)
        - traefik.http.services.api.loadbalancer.server.port=3000
        - traefik.swarm.network=app_web
  ui:
    image: ui:1
    networks: [web]
    deploy:
      replicas: 2
      labels:
        - traefik.http.routers.ui.rule=Host(`example.com`)
        - traefik.http.services.ui.loadbalancer.server.port=80
  postgres:
    image: postgres:16
    networks: [data]
  cache:
    image: redis:7
    networks: [data]
networks:
  web: {driver_opts: {encrypted: ''}}
  data: {driver_opts: {encrypted: ''}}
";
    let d = design(yaml);
    let over = of(&d.analyze().findings, Rule::OverPermissive);
    let ids: Vec<&str> = over.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, vec!["over-permissive:web", "over-permissive:data"]);
    assert!(over[0].message.contains("api<->ui"), "{}", over[0].message);
    let fixed = fix_id(yaml, "over-permissive:web");
    let fixed = {
        let text = fixed.export();
        let mut again = design(&text);
        let data = again
            .analyze()
            .findings
            .into_iter()
            .find(|f| f.id == "over-permissive:data")
            .unwrap();
        again.apply(data.action.as_ref().unwrap()).unwrap();
        again
    };
    let a = fixed.analyze();
    assert!(
        of(&a.findings, Rule::OverPermissive).is_empty(),
        "{:#?}",
        a.findings
    );
    assert!(
        of(&a.findings, Rule::FlowBlocked).is_empty(),
        "{:#?}",
        a.findings
    );
    // The cache, which nothing calls, is alone on a tier; api and ui no longer meet.
    let m = fixed.model();
    let (api, ui) = (
        m.service_index("api").unwrap(),
        m.service_index("ui").unwrap(),
    );
    assert!(!a.reachability.reaches(api, ui));
    let cache = m.service("cache").unwrap();
    assert_eq!(cache.networks.len(), 1);
    assert!(!a.reachability.reaches(
        m.service_index("cache").unwrap(),
        m.service_index("postgres").unwrap()
    ));
}

#[test]
fn acceptance_by_rule_or_prefix() {
    let yaml = "services:\n  a:\n    image: a:1\n  b:\n    image: b:1\nx-tiermap:\n  accepted:\n    - {id: image-without-digest, note: pinned by the release bot}\n    - {id: 'writable-root-filesystem:a*', note: a writes its cache}\n";
    let f = findings(yaml);
    let accepted =
        |rule: Rule| -> Vec<bool> { of(&f, rule).iter().map(|x| x.accepted.is_some()).collect() };
    assert_eq!(accepted(Rule::ImageWithoutDigest), vec![true, true]);
    assert_eq!(accepted(Rule::WritableRootFilesystem), vec![true, false]);
}

#[test]
fn every_rule_is_explained() {
    let mut names = std::collections::HashSet::new();
    for rule in Rule::ALL {
        assert!(names.insert(rule.name()), "{} listed twice", rule.name());
        assert_eq!(Rule::from_name(rule.name()), Some(rule));
        let e = rule.explain();
        for (what, text) in [
            ("title", e.title),
            ("checks", e.checks),
            ("swarm", e.swarm),
            ("fix", e.fix),
        ] {
            assert!(text.len() > 10, "{}: {what} is empty", rule.name());
        }
    }
    // Every variant is in Rule::ALL: this match must list them all to compile.
    let listed = |rule: Rule| match rule {
        Rule::DatabasePublished
        | Rule::MessageBusPublished
        | Rule::SwarmPortPublished
        | Rule::ControlInterfacePublished
        | Rule::UnencryptedOverlay
        | Rule::EncryptedKeyRejected
        | Rule::EncryptedBoolean
        | Rule::AttachableNetwork
        | Rule::HostIpIgnored
        | Rule::DockerSocket
        | Rule::ProxyOnDatabaseTier
        | Rule::RouteNetworkUnset
        | Rule::RoutePortMissing
        | Rule::RouteLabelsNotDeploy
        | Rule::NoHealthCheck
        | Rule::NoResourceLimits
        | Rule::SingleReplicaRouted
        | Rule::UndefinedNetwork
        | Rule::DnsrrWithIngress
        | Rule::DuplicatePublishedPort
        | Rule::FlowBlocked
        | Rule::OverPermissive
        | Rule::DependsOnMapping
        | Rule::NoImage
        | Rule::IgnoredKey
        | Rule::RejectedKey
        | Rule::UnknownKey
        | Rule::WrongType
        | Rule::InvalidValue
        | Rule::InvalidName
        | Rule::SwarmNameRefused
        | Rule::UnknownFlowService
        | Rule::UnsupportedVersion
        | Rule::UnsetVariable
        | Rule::HostNetwork
        | Rule::InternalWithIngress
        | Rule::SecurityOptIgnored
        | Rule::CapabilitiesNotDropped
        | Rule::DangerousCapability
        | Rule::WritableRootFilesystem
        | Rule::RootUser
        | Rule::SensitiveHostMount
        | Rule::SharedMountPropagation
        | Rule::LoggingDisabled
        | Rule::ImageNotPinned
        | Rule::ImageWithoutDigest
        | Rule::SecretInEnvironment
        | Rule::SysctlNotNamespaced => 1,
    };
    assert_eq!(Rule::ALL.iter().map(|r| listed(*r)).sum::<usize>(), 48);
}
