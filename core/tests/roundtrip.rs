//! Property tests: for generated compose files (list and map networks, short and long
//! ports with ranges, udp and host mode, labels as lists or maps, `x-` keys, anchors and
//! merges, unknown keys), export(import(x)) imports back to the same model, export is a
//! fixed point, and random edits keep both true.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use proptest::prelude::*;
use tiermap_core::design::{PortSpec, RouteSpec};
use tiermap_core::model::{Protocol, PublishMode};
use tiermap_core::{Design, ImportOptions};

#[derive(Debug, Clone)]
struct Svc {
    networks: Vec<usize>,
    map_networks: bool,
    ports: Vec<String>,
    labels_as_map: bool,
    labels: Vec<(String, String)>,
    replicas: Option<u8>,
    global: bool,
    unknown_key: bool,
    merge: bool,
    env_target: Option<usize>,
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u16..9000).prop_map(|t| format!("\"{t}\"")),
        (1000u16..9000, 1u16..9000).prop_map(|(p, t)| format!("\"{p}:{t}\"")),
        (1000u16..9000, 1u16..9000).prop_map(|(p, t)| format!("\"{p}:{t}/udp\"")),
        (1000u16..9000, 1u16..9000).prop_map(|(p, t)| format!("\"{p}-{}:{t}-{}\"", p + 1, t + 1)),
        (1000u16..9000, 1u16..9000)
            .prop_map(|(p, t)| format!("{{target: {t}, published: {p}, mode: host}}")),
        (1u16..9000).prop_map(|t| format!("{{target: {t}, protocol: udp}}")),
    ]
}

fn svc(tiers: usize, services: usize) -> impl Strategy<Value = Svc> {
    (
        proptest::collection::vec(0..tiers, 0..3),
        any::<bool>(),
        proptest::collection::vec(port(), 0..3),
        any::<bool>(),
        proptest::collection::vec(
            ("[a-z]{1,6}(\\.[a-z]{1,4})?", "[a-zA-Z0-9 _./:-]{0,12}"),
            0..3,
        ),
        proptest::option::of(0u8..5),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(0..services),
    )
        .prop_map(
            |(
                networks,
                map_networks,
                ports,
                labels_as_map,
                labels,
                replicas,
                global,
                unknown_key,
                merge,
                env_target,
            )| {
                let mut seen = std::collections::HashSet::new();
                let networks = networks.into_iter().filter(|n| seen.insert(*n)).collect();
                let mut keys = std::collections::HashSet::new();
                let labels = labels
                    .into_iter()
                    .filter(|(k, _)| keys.insert(k.clone()))
                    .collect();
                Svc {
                    networks,
                    map_networks,
                    ports,
                    labels_as_map,
                    labels,
                    replicas,
                    global,
                    unknown_key,
                    merge,
                    env_target,
                }
            },
        )
}

fn yaml_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn render(services: &[Svc], tiers: usize, encrypted: &[bool]) -> String {
    let mut y = String::from("version: \"3.8\"\nx-defaults: &defaults\n  restart_policy: {condition: on-failure}\n  x-note: kept\nservices:\n");
    for (i, s) in services.iter().enumerate() {
        y.push_str(&format!("  s{i}:\n    image: example/s{i}:1\n"));
        if !s.networks.is_empty() {
            if s.map_networks {
                y.push_str("    networks:\n");
                for n in &s.networks {
                    y.push_str(&format!("      t{n}:\n        aliases: [a{i}]\n"));
                }
            } else {
                let list: Vec<String> = s.networks.iter().map(|n| format!("t{n}")).collect();
                y.push_str(&format!("    networks: [{}]\n", list.join(", ")));
            }
        }
        if !s.ports.is_empty() {
            y.push_str(&format!("    ports: [{}]\n", s.ports.join(", ")));
        }
        if let Some(t) = s.env_target {
            y.push_str(&format!(
                "    environment:\n      UPSTREAM_URL: http://s{t}:8080/x\n"
            ));
        }
        if s.unknown_key {
            y.push_str("    stop_grace_period: 30s\n    x-team: payments\n");
        }
        if !s.labels.is_empty() {
            if s.labels_as_map {
                y.push_str("    labels:\n");
                for (k, v) in &s.labels {
                    y.push_str(&format!("      {k}: {}\n", yaml_string(v)));
                }
            } else {
                y.push_str("    labels:\n");
                for (k, v) in &s.labels {
                    y.push_str(&format!("      - {}\n", yaml_string(&format!("{k}={v}"))));
                }
            }
        }
        y.push_str("    deploy:\n");
        if s.merge {
            y.push_str("      <<: *defaults\n");
        }
        if s.global {
            y.push_str("      mode: global\n");
        } else if let Some(r) = s.replicas {
            y.push_str(&format!("      replicas: {r}\n"));
        }
        y.push_str("      labels: [com.example.tier=x]\n");
    }
    y.push_str("networks:\n");
    for t in 0..tiers {
        if encrypted.get(t).copied().unwrap_or(false) {
            y.push_str(&format!(
                "  t{t}:\n    driver: overlay\n    driver_opts: {{encrypted: \"\"}}\n"
            ));
        } else {
            y.push_str(&format!("  t{t}: {{driver: overlay, attachable: true}}\n"));
        }
    }
    y
}

fn stack() -> impl Strategy<Value = String> {
    (1usize..5, 1usize..7).prop_flat_map(|(tiers, n)| {
        (
            proptest::collection::vec(svc(tiers, n), n),
            proptest::collection::vec(any::<bool>(), tiers),
        )
            .prop_map(move |(services, encrypted)| render(&services, tiers, &encrypted))
    })
}

fn import(text: &str) -> Design {
    Design::import(
        text,
        ImportOptions {
            stack: Some("prop".into()),
            ..ImportOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("does not import: {e} at {:?}\n{text}", e.location()))
}

/// export(import(x)) reads back to the same model, and export is a fixed point.
fn assert_round_trip(design: &Design) {
    let text = design.export();
    let again = import(&text);
    assert_eq!(
        support::without_locations(again.model()),
        support::without_locations(design.model()),
        "\n{text}"
    );
    assert_eq!(again.export(), text);
}

#[derive(Debug, Clone)]
enum Edit {
    AddTier(u8),
    AddService(u8, u8),
    Attach(u8, u8),
    Detach(u8, u8),
    Move(u8, u8),
    Replicas(u8, u8),
    Ports(u8, u16, Option<u16>, bool, bool),
    Route(u8, u16),
    Flow(u8, u8, Option<u16>),
    Accept(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<u8>().prop_map(Edit::AddTier),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::AddService(a, b)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::Attach(a, b)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::Detach(a, b)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::Move(a, b)),
        (any::<u8>(), 0u8..6).prop_map(|(a, b)| Edit::Replicas(a, b)),
        (
            any::<u8>(),
            1u16..9000,
            proptest::option::of(1000u16..9000),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(a, t, p, u, h)| Edit::Ports(a, t, p, u, h)),
        (any::<u8>(), 1u16..9000).prop_map(|(a, p)| Edit::Route(a, p)),
        (any::<u8>(), any::<u8>(), proptest::option::of(1u16..9000))
            .prop_map(|(a, b, p)| Edit::Flow(a, b, p)),
        any::<u8>().prop_map(Edit::Accept),
    ]
}

fn apply(design: &mut Design, edit: &Edit) {
    let services: Vec<String> = design
        .model()
        .services
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let tiers: Vec<String> = design.model().tiers.iter().map(|t| t.key.clone()).collect();
    let pick = |list: &[String], i: u8| {
        list.get(usize::from(i) % list.len().max(1))
            .cloned()
            .unwrap_or_default()
    };
    // Edits may be refused (an unknown name, a duplicate); a refused edit changes nothing.
    let _ = match edit {
        Edit::AddTier(i) => design.add_tier(&format!("new{i}")),
        Edit::AddService(i, t) => {
            design.add_service(&format!("added{i}"), "example/added:1", &pick(&tiers, *t))
        }
        Edit::Attach(s, t) => design.attach(&pick(&services, *s), &pick(&tiers, *t)),
        Edit::Detach(s, t) => design.detach(&pick(&services, *s), &pick(&tiers, *t)),
        Edit::Move(s, t) => design.move_to(&pick(&services, *s), &pick(&tiers, *t)),
        Edit::Replicas(s, n) => design.set_replicas(&pick(&services, *s), u32::from(*n)),
        Edit::Ports(s, target, published, udp, host) => design.set_ports(
            &pick(&services, *s),
            &[PortSpec {
                target: *target,
                published: *published,
                protocol: if *udp { Protocol::Udp } else { Protocol::Tcp },
                mode: if *host {
                    PublishMode::Host
                } else {
                    PublishMode::Ingress
                },
            }],
        ),
        Edit::Route(s, port) => design.set_route(
            &pick(&services, *s),
            &RouteSpec {
                host: "app.example.com".into(),
                path: "/api".into(),
                port: *port,
            },
        ),
        Edit::Flow(a, b, port) => {
            design.add_flow(&pick(&services, *a), &pick(&services, *b), *port)
        }
        Edit::Accept(i) => {
            let id = design
                .analyze()
                .findings
                .get(usize::from(*i) % 8)
                .map(|f| f.id.clone());
            match id {
                Some(id) => design.accept(&id, "accepted in review"),
                None => Ok(()),
            }
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn export_of_import_reads_back_the_same(text in stack()) {
        let design = import(&text);
        assert_round_trip(&design);
        // The analysis runs on anything that imports.
        let _ = design.analyze();
    }

    #[test]
    fn edits_keep_the_round_trip(text in stack(), edits in proptest::collection::vec(edit(), 1..12)) {
        let mut design = import(&text);
        for e in &edits {
            apply(&mut design, e);
            assert_round_trip(&design);
        }
    }
}
