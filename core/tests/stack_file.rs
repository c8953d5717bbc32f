//! What a downloaded stack file looks like after edits: the file as the team wrote it,
//! changed only where the design changed, in the style of what is around the change.
//! Also the bugs the property tests once found (each with the smallest input that
//! showed it), and every fix action on the templates and the corpus changing only its
//! own lines.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use support::{entry_lines, Owned};
use tiermap_core::design::{PortSpec, RouteSpec};
use tiermap_core::findings::FixAction;
use tiermap_core::model::{DeployMode, Protocol, PublishMode};
use tiermap_core::{Design, ImportOptions};

fn import(text: &str) -> Design {
    Design::import(text, ImportOptions::default()).unwrap()
}

fn assert_round_trip(design: &Design) {
    let text = design.export();
    let options = ImportOptions {
        stack: Some(design.model().stack.clone()),
        ..ImportOptions::default()
    };
    let again = Design::import(&text, options)
        .unwrap_or_else(|e| panic!("the export does not import: {e}\n{text}"));
    assert_eq!(
        support::without_locations(again.model()),
        support::without_locations(design.model()),
        "\n{text}"
    );
}

const SHOP: &str = r#"version: "3.8"
# The shop, as reviewed in March.
x-common: &common
  networks: [web_tier]   # everyone starts public
  logging: {driver: json-file}
x-db-nets: &db-nets
  - db_tier
services:
  web:   # the front
    <<: *common
    image: "nginx:1.27"
    ports:
      - "80:80"     # http
      - target: 443
        published: 443
  api:
    image: api:1
    networks:
      - web_tier  # public
      - db_tier
    environment:
      MASK: 0x1F
  db:
    image: postgres
    networks: *db-nets
networks:
  web_tier:
  db_tier: {driver: overlay}
  ml_tier:
    driver: overlay
# end of the shop
"#;

/// The text with `from` replaced by `to`, once (the expected result of an edit).
fn with(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is not in the text");
    text.replacen(from, to, 1)
}

#[test]
fn an_unedited_design_exports_the_file() {
    assert_eq!(import(SHOP).export(), SHOP);
    for text in [
        "services: {web: {image: nginx}}",
        "services:\r\n  web:\r\n    image: nginx\r\n",
        "---\nservices:\n  web: {image: nginx}\n...\n",
        "\u{feff}services:\n  web:\n    image: nginx   \n\n\n",
    ] {
        assert_eq!(import(text).export(), text);
    }
}

#[test]
fn a_move_renames_the_home_entry_in_place_with_its_comment() {
    let mut design = import(SHOP);
    design.move_to("api", "ml_tier").unwrap();
    assert_eq!(
        design.export(),
        with(
            SHOP,
            "      - web_tier  # public",
            "      - ml_tier  # public"
        )
    );
    assert_eq!(
        design.model().service("api").unwrap().home.as_deref(),
        Some("ml_tier")
    );
}

#[test]
fn a_value_from_a_merge_is_overridden_on_the_service() {
    let mut design = import(SHOP);
    design.move_to("web", "ml_tier").unwrap();
    assert_eq!(
        design.export(),
        with(
            SHOP,
            "    <<: *common\n",
            "    <<: *common\n    networks: [ml_tier]\n"
        ),
        "the anchor stays as it is for its other users"
    );
}

#[test]
fn a_value_from_an_alias_is_written_where_the_alias_is() {
    let mut design = import(SHOP);
    design.attach("db", "ml_tier").unwrap();
    assert_eq!(
        design.export(),
        with(
            SHOP,
            "    networks: *db-nets\n",
            "    networks:\n      - db_tier\n      - ml_tier\n"
        )
    );
}

#[test]
fn x_tiermap_is_added_once_at_the_end_and_then_changes_only_its_lines() {
    let mut design = import(SHOP);
    design.add_flow("web", "api", Some(8080)).unwrap();
    let once =
        format!("{SHOP}x-tiermap:\n  flows:\n    - from: web\n      to: api\n      port: 8080\n");
    assert_eq!(design.export(), once);
    design.add_flow("api", "db", None).unwrap();
    design.accept("some-finding", "reviewed").unwrap();
    assert_eq!(
        design.export(),
        format!("{once}    - from: api\n      to: db\n  accepted:\n    - id: some-finding\n      note: reviewed\n")
    );
    design.remove_flow("web", "api").unwrap();
    design.remove_flow("api", "db").unwrap();
    design.accept("some-finding", "").unwrap();
    assert_eq!(design.export(), SHOP, "emptied, x-tiermap goes away");
}

#[test]
fn ports_change_in_place_in_their_own_syntax() {
    let mut design = import(SHOP);
    let ports = [
        PortSpec {
            target: 80,
            published: Some(8080),
            protocol: Protocol::Tcp,
            mode: PublishMode::Ingress,
        },
        PortSpec {
            target: 443,
            published: Some(443),
            protocol: Protocol::Tcp,
            mode: PublishMode::Host,
        },
    ];
    design.set_ports("web", &ports).unwrap();
    let expected = with(
        SHOP,
        "      - \"80:80\"     # http",
        "      - \"8080:80\"     # http",
    );
    let expected = with(
        &expected,
        "        published: 443\n",
        "        published: 443\n        mode: host\n",
    );
    assert_eq!(design.export(), expected);
    // A port dropped goes with its lines.
    design.set_ports("web", &ports[1..]).unwrap();
    assert_eq!(
        design.export(),
        with(&expected, "      - \"8080:80\"     # http\n", "")
    );
}

#[test]
fn a_range_whose_ports_stay_stays_as_written() {
    let text = "services:\n  game:\n    image: game:1\n    ports:\n      - \"7000-7002:7000-7002/udp\"  # players\n      - \"8080:80\"\n      - \"9000-40000\"  # a wide container range\n";
    let mut design = import(text);
    let specs = |design: &Design| -> Vec<PortSpec> {
        design.model().services[0]
            .ports
            .iter()
            .map(PortSpec::of)
            .collect()
    };
    let mut ports = specs(&design);
    assert_eq!(ports.len(), 3 + 1 + 31_001);
    // The web port changes: both ranges stay as written, comments and all.
    ports[3].published = Some(8081);
    design.set_ports("game", &ports).unwrap();
    let expected = with(text, "\"8080:80\"", "\"8081:80\"");
    assert_eq!(design.export(), expected);
    assert_round_trip(&design);
    // A port leaves the wide range: the rest is still one range, in its place.
    ports.pop();
    design.set_ports("game", &ports).unwrap();
    assert_eq!(
        design.export(),
        with(&expected, "\"9000-40000\"", "\"9000-39999\"")
    );
    assert_eq!(specs(&design), ports);
    // New consecutive ports are written as one range too.
    let udp = |target: u16| PortSpec {
        target,
        published: Some(target + 1000),
        protocol: Protocol::Udp,
        mode: PublishMode::Ingress,
    };
    ports.extend((10_000..10_050).map(udp));
    design.set_ports("game", &ports).unwrap();
    // In the quotes of the entries before it.
    assert_eq!(
        design.export(),
        format!(
            "{}      - \"11000-11049:10000-10049/udp\"\n",
            with(&expected, "\"9000-40000\"", "\"9000-39999\"")
        )
    );
    assert_eq!(specs(&design), ports);
    assert_round_trip(&design);
}

#[test]
fn new_entries_follow_their_siblings() {
    let mut design = import(SHOP);
    design.add_service("cache", "redis:7", "db_tier").unwrap();
    design.detach("api", "db_tier").unwrap();
    assert_eq!(
        design.export(),
        with(
            &with(SHOP, "      - db_tier\n    environment:", "    environment:"),
            "    networks: *db-nets\n",
            "    networks: *db-nets\n  cache:\n    image: redis:7\n    networks:\n      - db_tier\n"
        )
    );
}

#[test]
fn a_file_keeps_its_line_breaks_and_its_missing_last_one() {
    let text =
        "services:\r\n  web:\r\n    image: nginx\r\n    networks: [a]\r\nnetworks:\r\n  a:\r\n  b:";
    let mut design = import(text);
    design.attach("web", "b").unwrap();
    design.add_flow("web", "web", None).unwrap();
    assert_eq!(
        design.export(),
        "services:\r\n  web:\r\n    image: nginx\r\n    networks: [a, b]\r\nnetworks:\r\n  a:\r\n  b:\r\nx-tiermap:\r\n  flows:\r\n    - from: web\r\n      to: web"
    );
}

#[test]
fn integers_written_near_an_edit_keep_their_text() {
    let text = "x-base: &base\n  deploy: {update_config: {parallelism: 010}, labels: {mask: 0x1F}}\nservices:\n  web:\n    <<: *base\n    image: nginx\n";
    let mut design = import(text);
    // The merged `deploy` is overridden on the service, written from the edited value:
    // the integers in it keep their spelling.
    design.set_replicas("web", 3).unwrap();
    assert_eq!(
        design.export(),
        with(
            text,
            "    <<: *base\n",
            "    <<: *base\n    deploy: {update_config: {parallelism: 010}, labels: {mask: 0x1F}, replicas: 3}\n"
        )
    );
    assert_round_trip(&design);
}

// ---------------------------------------------------------------------------------------
// Bugs the property tests found in core (tests/roundtrip.rs), each with the smallest
// input that showed it.

/// Export raised `version` below 3.4 to 3.4 when the file has `x-tiermap`, but the model
/// kept the version that was read, so export(import(x)) read as another model. An
/// unedited file is now exported as it is.
#[test]
fn version_below_3_4_with_x_tiermap_round_trips() {
    let text = "version: \"3\"\nx-tiermap: {name: shop}\nservices:\n  web: {image: nginx}\n";
    let design = import(text);
    assert_eq!(design.export(), text);
    assert_round_trip(&design);
}

/// The same through an edit: a flow written to `x-tiermap` on a version 3.2 file raises
/// the version in the document, so the model reads 3.4 too.
#[test]
fn add_flow_on_version_3_2_round_trips() {
    let mut design =
        import("version: \"3.2\"\nservices:\n  web: {image: nginx}\n  api: {image: api}\n");
    design.add_flow("web", "api", Some(8080)).unwrap();
    assert_eq!(design.model().version.as_deref(), Some("3.4"));
    assert!(design.export().starts_with("version: \"3.4\"\n"));
    assert_round_trip(&design);
}

/// `version: "3"` is the latest format to docker (`docker stack config` prints 3.13), so
/// a flow written to `x-tiermap` leaves it alone: 3.4 would refuse keys "3" allows.
#[test]
fn add_flow_on_version_3_keeps_it() {
    let text = "version: \"3\"\nservices:\n  web: {image: nginx}\n  api: {image: api}\nnetworks:\n  n:\n    name: real\n";
    let mut design = import(text);
    design.add_flow("web", "api", Some(8080)).unwrap();
    assert!(design.export().starts_with("version: \"3\"\n"));
    assert!(
        design.model().problems.is_empty(),
        "{:?}",
        design.model().problems
    );
    assert_round_trip(&design);
}

/// `set_route` named the Traefik router after the service; a dot in the name (valid for
/// Docker) made `traefik.http.routers.a.b.rule`, which no reader takes as a router.
#[test]
fn set_route_on_a_dotted_service_name_makes_a_route() {
    let mut design = import("services:\n  api.v2: {image: api}\n");
    design
        .set_route(
            "api.v2",
            &RouteSpec {
                host: "app.example.com".into(),
                path: String::new(),
                port: 8080,
            },
        )
        .unwrap();
    let service = design.model().service("api.v2").unwrap();
    assert_eq!(service.routes.len(), 1, "{}", design.export());
}

/// Edits found keys by their string, so a network declared with a plain key that YAML
/// types (`8080:`, `false:`) was not found: `add_service` on that tier declared it a
/// second time and the export no longer imported (duplicate key).
#[test]
fn add_service_on_a_typed_network_key_keeps_the_file_readable() {
    let mut design =
        import("services:\n  web: {image: nginx, networks: [8080]}\nnetworks:\n  8080:\n");
    design.add_service("api", "api:1", "8080").unwrap();
    assert_round_trip(&design);
    assert!(design.model().service("api").unwrap().on("8080"));
}

/// `set_replicas` on a service whose `deploy:` is empty (null) returned Ok and changed
/// nothing.
#[test]
fn set_replicas_on_an_empty_deploy_sets_them() {
    let mut design = import("services:\n  web:\n    image: nginx\n    deploy:\n");
    design.set_replicas("web", 3).unwrap();
    assert_eq!(
        design.model().service("web").unwrap().mode,
        DeployMode::Replicated(3),
        "{}",
        design.export()
    );
}

/// Integers were kept as their value, not their text: export wrote `0440` as `440`,
/// `0x1F` as `31` and `0o17` as `15`. For a file mode (`secrets[].mode: 0440`, octal to
/// YAML 1.1 readers) that changed the permissions the exported file asks for.
#[test]
fn integers_keep_the_text_they_were_written_with() {
    let text = "services:\n  web:\n    image: nginx\n    secrets:\n      - source: tls\n        mode: 0440\n    environment:\n      ZIP: 01234\n      MASK: 0x1F\n";
    let mut design = import(text);
    assert_eq!(design.export(), text);
    design.set_replicas("web", 2).unwrap();
    let exported = design.export();
    for written in ["0440", "01234", "0x1F"] {
        assert!(
            exported.contains(written),
            "`{written}` is gone:\n{exported}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Fix actions.

/// The lines a fix owns: the entry of what it names (the network's definition, or the
/// service's entry for what it changes there), or places inside the mapping it adds to,
/// or the end of the file for a new `networks:`.
fn fix_owned(design: &Design, action: &FixAction) -> Owned {
    let mut owned = Owned::default();
    let mut entry_or_inside = |path: &[&str], parent: &[&str]| match entry_lines(design, path) {
        Some(lines) => owned.entry(lines),
        None => match entry_lines(design, parent) {
            Some(lines) => owned.inside(lines),
            None => owned.end_of_file(design.text()),
        },
    };
    match action {
        FixAction::EncryptTier { tier }
        | FixAction::MakeNotAttachable { tier }
        | FixAction::DefineNetwork { tier } => {
            entry_or_inside(&["networks", tier], &["networks"]);
        }
        FixAction::Unpublish { service, .. } | FixAction::DropHostIp { service, .. } => {
            entry_or_inside(&["services", service, "ports"], &["services", service]);
        }
        FixAction::Attach { service, .. } => {
            entry_or_inside(&["services", service, "networks"], &["services", service]);
        }
        FixAction::SetRouteNetwork { service, .. } | FixAction::MoveLabelsToDeploy { service } => {
            entry_or_inside(&["services", service, "labels"], &["services", service]);
            entry_or_inside(&["services", service, "deploy"], &["services", service]);
        }
        FixAction::DependsOnList { service } => {
            entry_or_inside(&["services", service, "depends_on"], &["services", service]);
        }
        FixAction::DropCapabilities { service } => {
            entry_or_inside(&["services", service, "cap_drop"], &["services", service]);
        }
        FixAction::ReadOnlyRoot { service } => {
            entry_or_inside(&["services", service, "read_only"], &["services", service]);
        }
        FixAction::TmpfsAsMounts { service } => {
            entry_or_inside(&["services", service, "tmpfs"], &["services", service]);
            entry_or_inside(&["services", service, "volumes"], &["services", service]);
        }
        FixAction::SplitTier { tier, .. } => {
            // The tier's definition, the new tiers beside it, and the networks of each
            // member (what tiermap keeps of homes under `x-tiermap`, or at the end).
            entry_or_inside(&["networks", tier], &["networks"]);
            // A key no file has: room inside `networks:` for the new tiers.
            entry_or_inside(&["networks", "\0"], &["networks"]);
            let members = design.model().services.iter().filter(|s| s.on(tier));
            for service in members {
                let name = service.name.as_str();
                entry_or_inside(&["services", name, "networks"], &["services", name]);
                // A routed service moved to a new tier names it in its proxy labels.
                entry_or_inside(&["services", name, "labels"], &["services", name]);
                entry_or_inside(&["services", name, "deploy"], &["services", name]);
            }
            entry_or_inside(&["x-tiermap"], &["x-tiermap"]);
        }
        FixAction::RenameService { from, .. } => {
            // The key, what names it (`depends_on`, flows under `x-tiermap`).
            entry_or_inside(&["services", from], &["services"]);
            for service in &design.model().services {
                let name = service.name.as_str();
                entry_or_inside(&["services", name, "depends_on"], &["services", name]);
            }
            entry_or_inside(&["x-tiermap"], &["x-tiermap"]);
        }
    }
    owned
}

#[test]
fn every_fix_changes_only_its_own_lines() {
    let mut designs: Vec<(String, Design)> = tiermap_core::templates::TEMPLATES
        .iter()
        .map(|t| (t.name.to_string(), t.design().unwrap()))
        .collect();
    for entry in support::corpus() {
        if let Ok(design) =
            Design::import(&support::corpus_text(&entry.file), ImportOptions::default())
        {
            designs.push((entry.file, design));
        }
    }
    let mut applied = 0;
    for (name, design) in &designs {
        for finding in design.analyze().findings {
            let Some(action) = &finding.action else {
                continue;
            };
            let mut fixed = design.clone();
            fixed
                .apply(action)
                .unwrap_or_else(|e| panic!("{name}: {action:?}: {e}"));
            let (before, after) = (design.export(), fixed.export());
            let foreign = fix_owned(design, action).foreign(&before, &after);
            assert!(
                foreign.is_empty(),
                "{name}: {action:?} changes lines it does not own: {foreign:#?}\n--- after ---\n{after}"
            );
            assert_round_trip(&fixed);
            applied += 1;
        }
    }
    println!("{applied} fixes applied on {} designs", designs.len());
    assert!(applied >= 30, "only {applied} fixes applied");
}

/// A route written for a service follows it through a rename. The roundtrip proptest
/// found a rename (the fix for a name Docker refuses) that left the router under the old
/// name, so a route set afterwards made a second router and Traefik could not tell which
/// port either one used.
#[test]
fn a_route_follows_its_service_through_a_rename() {
    let route = |port| RouteSpec {
        host: "app.example.com".into(),
        path: "/api".into(),
        port,
    };
    let mut design =
        import("services:\n  web_:\n    image: nginx\n    deploy:\n      labels: [a=b]\n");
    design.set_route("web_", &route(1)).unwrap();
    design.rename_service("web_", "web").unwrap();
    let routes = |d: &Design| d.model().service("web").unwrap().routes.clone();
    assert_eq!(routes(&design).len(), 1, "{:?}", routes(&design));
    assert_eq!(routes(&design)[0].port, Some(1));
    design.set_route("web", &route(2)).unwrap();
    assert_eq!(routes(&design).len(), 1, "{:?}", routes(&design));
    assert_eq!(routes(&design)[0].port, Some(2));
    assert!(!design.export().contains("web_"), "{}", design.export());
    assert_round_trip(&design);
}
