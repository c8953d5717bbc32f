//! The built-in templates model the seed systems: each imports cleanly, exports a stack
//! file the real `docker stack config` accepts, and the scores stack shows what seed 000
//! claims (isolation between tiers, 9 ports -> 2, 78% less).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use tiermap_core::findings::{Rule, Severity};
use tiermap_core::surface;
use tiermap_core::templates::{self, TEMPLATES};
use tiermap_core::{Design, ImportOptions};

#[test]
fn every_template_imports_and_docker_accepts_its_export() {
    assert_eq!(TEMPLATES.len(), 5);
    let dir = support::scratch("templates");
    for template in TEMPLATES {
        let design = template
            .design()
            .unwrap_or_else(|e| panic!("{}: {e}", template.name));
        assert!(design.model().services.len() >= 3, "{}", template.name);
        // The only errors are the seeds' own: the published control interfaces of
        // seeds 002 (Docker Flow Proxy's 8080) and 003 (Envoy's admin 9901).
        let errors: Vec<String> = design
            .analyze()
            .findings
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.id)
            .collect();
        let expected: &[&str] = match template.name {
            "docker-flow-proxy" => &["control-interface-published:proxy:8080"],
            "envoy-edge" => &["control-interface-published:envoy:9901"],
            _ => &[],
        };
        assert_eq!(errors, expected, "{} has errors", template.name);
        let path = dir.join(format!("{}.yml", template.name));
        std::fs::write(&path, design.export()).unwrap();
        // prometheus.yml is bind-mounted by the production template.
        std::fs::write(dir.join("prometheus.yml"), "global: {}\n").unwrap();
        support::stack_config(&path)
            .unwrap_or_else(|e| panic!("{}: docker rejects the export: {e}", template.name));
    }
}

fn scores() -> Design {
    templates::find("scores").unwrap().design().unwrap()
}

#[test]
fn scores_isolation_matches_seed_000() {
    let design = scores();
    let m = design.model();
    let a = design.analyze();
    let i = |n: &str| {
        m.service_index(n)
            .unwrap_or_else(|| panic!("no service {n}"))
    };
    // "API cannot access ml_tier", "ML services cannot access infrastructure_tier".
    assert!(!a.reachability.reaches(i("api"), i("text-classifier")));
    assert!(!a.reachability.reaches(i("text-classifier"), i("postgres")));
    assert!(!a.reachability.reaches(i("speech-to-text"), i("nats")));
    // "API can access postgres (both on infrastructure_tier)", "WebSocket can access text-classifier".
    assert_eq!(
        a.reachability.between(i("api"), i("postgres")),
        Some(&["infrastructure_tier".to_string()][..])
    );
    assert_eq!(
        a.reachability.between(i("websocket"), i("text-classifier")),
        Some(&["ml_tier".to_string()][..])
    );
    // "Internet cannot reach PostgreSQL": only Traefik's two ports are exposed.
    let exposed: Vec<(String, Option<u16>)> = a
        .surface
        .ports
        .iter()
        .map(|e| (e.service.clone(), e.published))
        .collect();
    assert_eq!(
        exposed,
        vec![("traefik".into(), Some(80)), ("traefik".into(), Some(443))]
    );
    assert_eq!(a.surface.routes.len(), 4);
    // Every flow the seed's diagram draws can happen.
    assert!(a.flows.iter().all(|f| !f.blocked()));
    for (from, to) in [
        ("api", "postgres"),
        ("api", "nats"),
        ("websocket", "text-classifier"),
        ("sink", "clickhouse"),
        ("projections", "postgres"),
    ] {
        assert!(
            m.flows.iter().any(|f| f.from == from && f.to == to),
            "flow {from} -> {to} not inferred"
        );
    }
    // "Even if an attacker compromises the API service, they can't access ML services":
    // not in one hop, but the blast radius shows the pivot through websocket.
    let api_reach = a.blast_radius.reached(i("api"));
    let hops_to_ml = api_reach
        .iter()
        .find(|(s, _)| *s == i("text-classifier"))
        .map(|(_, h)| *h);
    assert_eq!(hops_to_ml, Some(2));
    // Traefik bridging into the data tier is the seed's one design flaw.
    let proxy = a
        .findings
        .iter()
        .filter(|f| f.rule == Rule::ProxyOnDatabaseTier)
        .collect::<Vec<_>>();
    assert_eq!(proxy.len(), 1);
    assert_eq!(proxy[0].tier.as_deref(), Some("infrastructure_tier"));
    assert!(a
        .findings
        .iter()
        .all(|f| f.rule != Rule::UnencryptedOverlay));
}

/// Seed 000's "before": every port of its firewall table published.
const SCORES_BEFORE: &str = "
services:
  traefik: {image: 'traefik:v3.1', ports: ['80:80', '443:443']}
  postgres: {image: 'postgres:16', ports: ['5432:5432']}
  clickhouse: {image: 'clickhouse/clickhouse-server:24.8', ports: ['8123:8123', '9000:9000']}
  nats: {image: 'nats:2.10', ports: ['4222:4222']}
  api: {image: api, ports: ['3000:3000']}
  websocket: {image: ws, ports: ['8010:8010']}
  events: {image: events, ports: ['8020:8020']}
";

#[test]
fn scores_surface_comparison_is_seed_000s_table() {
    let before = Design::import(SCORES_BEFORE, ImportOptions::default())
        .unwrap()
        .analyze()
        .surface;
    let after = scores().analyze().surface;
    let c = surface::compare(&before, &after);
    assert_eq!((c.before, c.after, c.reduction_percent), (9, 2, 78));
    assert_eq!(c.summary(), "9 ports -> 2 ports, 78% less");
    assert_eq!(c.closed.len(), 7);
    assert!(c.opened.is_empty());
    // The before design publishes databases and the bus: the findings say so.
    let findings = Design::import(SCORES_BEFORE, ImportOptions::default())
        .unwrap()
        .analyze()
        .findings;
    let db: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == Rule::DatabasePublished)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        db,
        vec![
            "database-published:postgres:5432",
            "database-published:clickhouse:8123",
            "database-published:clickhouse:9000"
        ]
    );
    assert!(findings
        .iter()
        .any(|f| f.id == "message-bus-published:nats:4222"));
}

#[test]
fn three_tier_shows_what_one_flat_network_allows() {
    let design = templates::find("three-tier").unwrap().design().unwrap();
    let a = design.analyze();
    let m = design.model();
    let (front, db) = (
        m.service_index("frontend").unwrap(),
        m.service_index("database").unwrap(),
    );
    // The public frontend reaches MongoDB directly: no flow needs it.
    assert!(a.reachability.reaches(front, db));
    let over = a
        .findings
        .iter()
        .find(|f| f.id == "over-permissive:app-net")
        .expect("one over-permissive finding for the tier");
    assert!(
        over.message.contains("1 pair") && over.message.contains("database<->frontend"),
        "{}",
        over.message
    );
    // The split keeps the backend's callers on app-net and gives the database its own
    // tier with its one caller, which separates the frontend from MongoDB.
    assert!(over.fix.contains("closes 1 of the 1 pairs"), "{}", over.fix);
}

#[test]
fn envoy_and_docker_flow_proxy_routes() {
    let dfp = templates::find("docker-flow-proxy")
        .unwrap()
        .design()
        .unwrap();
    let a = dfp.analyze();
    assert_eq!(a.surface.port_count(), 3);
    assert_eq!(
        a.surface.routes[0].paths,
        vec!["/.well-known/acme-challenge".to_string()]
    );
    assert_eq!(a.surface.routes[0].proxies, vec!["proxy".to_string()]);
    let envoy = templates::find("envoy-edge").unwrap().design().unwrap();
    assert_eq!(envoy.model().stack, "envoy_edge");
    let a = envoy.analyze();
    let bridge = &a.blast_radius.bridges;
    assert_eq!(bridge.len(), 1);
    assert!(bridge[0].is_proxy);
    assert_eq!(bridge[0].tiers, vec!["webdev", "webstaging", "webprod"]);
}
