//! Every real compose file in `tests/corpus/` reads without a panic, comes back
//! byte-identical when exported unedited, and each of a move, a port change, an added
//! flow and an accepted finding changes only the lines it owns (see [`Owned`]). For every
//! file `docker stack config` accepts, it accepts the edited file too and reads it the
//! same apart from what the edit changed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;

use support::{entry_lines, Owned};
use tiermap_core::design::PortSpec;
use tiermap_core::model::{Protocol, PublishMode};
use tiermap_core::{Design, ImportOptions};

#[test]
fn every_corpus_file_imports_or_fails_with_a_place() {
    let corpus = support::corpus();
    assert!(
        corpus.len() >= 20,
        "the corpus manifest lists {} files",
        corpus.len()
    );
    for entry in &corpus {
        let text = support::corpus_text(&entry.file);
        match Design::import(&text, ImportOptions::default()) {
            Ok(design) => {
                assert!(
                    !design.model().services.is_empty(),
                    "{}: no services read",
                    entry.file
                );
                let _ = design.analyze();
            }
            Err(e) => {
                // Only files docker rejects too may fail, and the error must say where.
                assert!(
                    !entry.stack_config_passes,
                    "{}: docker accepts it but tiermap says: {e}",
                    entry.file
                );
                assert!(
                    e.location().is_some_and(|at| at.is_known()),
                    "{}: error without a place: {e}",
                    entry.file
                );
            }
        }
    }
}

/// An edit the test makes on a corpus file, and the lines it owns.
struct Edited {
    /// What was done.
    what: &'static str,
    /// The design before the edit.
    before: Design,
    /// The design after it.
    after: Design,
    /// Lines of `before`'s text the edit may replace or remove, and the places between
    /// lines (index k: before line k; the line count: at the end) where it may insert.
    owned: Owned,
    /// Paths of `docker stack config`'s output the edit changes (the rest must not).
    changes: Vec<Vec<String>>,
}

/// The `x-tiermap` lines an edit owns (and `version`'s, when it raised it).
fn meta_owned(owned: &mut Owned, before: &Design, after: &Design) {
    match entry_lines(before, &["x-tiermap"]) {
        Some(lines) => owned.entry(lines),
        None => owned.end_of_file(before.text()),
    }
    if before.model().version != after.model().version {
        owned.entry(entry_lines(before, &["version"]).expect("a version that was raised"));
    }
}

/// A move, a port change, an added flow and an accepted finding on one design.
fn edits(design: &Design) -> Vec<Edited> {
    let mut out = Vec::new();
    let model = design.model();
    // Move: the first service with a home tier to a declared tier it is not on (a new
    // one when there is none, itself an edit of its own lines).
    if let Some(service) = model
        .services
        .iter()
        .find(|s| s.home.is_some() && s.network_mode.is_none())
    {
        let mut before = design.clone();
        let target = model
            .tiers
            .iter()
            .find(|t| t.declared && !t.external && !service.on(&t.key))
            .map(|t| t.key.clone());
        let target = match target {
            Some(t) => t,
            None => {
                let mut with_tier = before.clone();
                with_tier.add_tier("moved_tier").expect("add a tier");
                let mut owned = Owned::default();
                match entry_lines(&before, &["networks"]) {
                    Some(lines) => owned.entry(lines),
                    None => owned.end_of_file(before.text()),
                }
                out.push(Edited {
                    what: "add tier",
                    before: before.clone(),
                    after: with_tier.clone(),
                    owned,
                    changes: vec![vec!["networks".into(), "moved_tier".into()]],
                });
                before = with_tier;
                "moved_tier".to_string()
            }
        };
        let mut after = before.clone();
        after.move_to(&service.name, &target).expect("move");
        let mut owned = Owned::default();
        match entry_lines(&before, &["services", &service.name, "networks"]) {
            Some(lines) => owned.entry(lines),
            None => {
                owned.inside(entry_lines(&before, &["services", &service.name]).expect("service"))
            }
        }
        meta_owned(&mut owned, &before, &after);
        out.push(Edited {
            what: "move",
            before,
            after,
            owned,
            changes: vec![vec![
                "services".into(),
                service.name.clone(),
                "networks".into(),
            ]],
        });
    }
    // Port change: the first published port of the first service with one, published
    // one higher (or anew on the first service).
    let with_ports = model.services.iter().find(|s| !s.ports.is_empty());
    if let Some(service) = with_ports.or(model.services.first()) {
        let mut specs: Vec<PortSpec> = service.ports.iter().map(PortSpec::of).collect();
        match specs.first_mut() {
            Some(first) => first.published = Some(first.published.map_or(18080, |p| p % 60000 + 1)),
            None => specs.push(PortSpec {
                target: 8080,
                published: Some(18080),
                protocol: Protocol::Tcp,
                mode: PublishMode::Ingress,
            }),
        }
        let mut after = design.clone();
        after.set_ports(&service.name, &specs).expect("set ports");
        let mut owned = Owned::default();
        match entry_lines(design, &["services", &service.name, "ports"]) {
            Some(lines) => owned.entry(lines),
            None => {
                owned.inside(entry_lines(design, &["services", &service.name]).expect("service"))
            }
        }
        out.push(Edited {
            what: "port change",
            before: design.clone(),
            after,
            owned,
            changes: vec![vec![
                "services".into(),
                service.name.clone(),
                "ports".into(),
            ]],
        });
    }
    // An added flow between the first two services.
    if let Some(from) = model.services.first() {
        let to = model.services.get(1).unwrap_or(from);
        let mut after = design.clone();
        after
            .add_flow(&from.name, &to.name, Some(8080))
            .expect("add flow");
        let mut owned = Owned::default();
        meta_owned(&mut owned, design, &after);
        out.push(Edited {
            what: "added flow",
            before: design.clone(),
            after,
            owned,
            changes: vec![vec!["x-tiermap".into()], vec!["version".into()]],
        });
    }
    // The first finding, accepted.
    if let Some(finding) = design.analyze().findings.first() {
        let mut after = design.clone();
        after.accept(&finding.id, "reviewed").expect("accept");
        let mut owned = Owned::default();
        meta_owned(&mut owned, design, &after);
        out.push(Edited {
            what: "accepted finding",
            before: design.clone(),
            after,
            owned,
            changes: vec![vec!["x-tiermap".into()], vec!["version".into()]],
        });
    }
    out
}

/// `docker stack config`'s output read as YAML, without the paths an edit changes (and
/// the mappings that held only them).
fn docker_view(output: &str, without: &[Vec<String>]) -> tiermap_core::yaml::Node {
    fn remove(node: &mut tiermap_core::yaml::Node, path: &[String]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if rest.is_empty() {
            node.remove(first);
            return;
        }
        if let Some(child) = node.get_mut(first) {
            remove(child, rest);
            if child.as_map().is_some_and(|m| m.is_empty()) {
                node.remove(first);
            }
        }
    }
    let mut doc =
        tiermap_core::yaml::parse(output, Default::default()).expect("docker prints YAML");
    for path in without {
        remove(&mut doc, path);
    }
    doc
}

fn value_at<'n>(
    doc: &'n tiermap_core::yaml::Node,
    path: &[String],
) -> Option<&'n tiermap_core::yaml::Node> {
    path.iter().try_fold(doc, |node, key| node.get(key))
}

#[test]
fn edits_change_only_their_own_lines_and_docker_reads_the_rest_alike() {
    let dir = support::scratch("corpus-edits");
    let mut identical = 0;
    let mut checked_by_docker = 0;
    let mut changed: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let corpus = support::corpus();
    for entry in &corpus {
        let text = support::corpus_text(&entry.file);
        let Ok(design) = Design::import(&text, ImportOptions::default()) else {
            continue;
        };
        assert_eq!(
            design.export(),
            text,
            "{}: an unedited design exports other bytes",
            entry.file
        );
        identical += 1;
        let original = dir.join(format!("{}.original.yml", entry.file));
        std::fs::write(&original, &text).expect("write original");
        for (n, edited) in edits(&design).into_iter().enumerate() {
            let (before, after) = (edited.before.export(), edited.after.export());
            assert_eq!(
                after.ends_with('\n'),
                before.ends_with('\n'),
                "{}: {} changes how the file ends",
                entry.file,
                edited.what
            );
            let foreign = edited.owned.foreign(&before, &after);
            assert!(
                foreign.is_empty(),
                "{}: {} changes lines it does not own: {foreign:#?}\nowned: {:?}\n--- after ---\n{after}",
                entry.file,
                edited.what,
                edited.owned
            );
            let lines: usize = support::line_diff(&before, &after)
                .iter()
                .map(|h| (h.end - h.start).max(h.added.len()))
                .sum();
            let tally = changed.entry(edited.what).or_default();
            tally.0 += 1;
            tally.1 += lines;
            // The export reads back to the edited model.
            let again = Design::import(&after, ImportOptions::default())
                .expect("the edit's export imports");
            assert_eq!(
                support::without_locations(again.model()),
                support::without_locations(edited.after.model()),
                "{}: {} reads back differently",
                entry.file,
                edited.what
            );
            if !entry.stack_config_passes {
                continue;
            }
            let base = dir.join(format!("{}.{n}.before.yml", entry.file));
            let copy = dir.join(format!("{}.{n}.after.yml", entry.file));
            std::fs::write(&base, &before).expect("write");
            std::fs::write(&copy, &after).expect("write");
            let want = support::stack_config(&base).unwrap_or_else(|e| {
                panic!(
                    "{}: docker rejects the file before {}: {e}",
                    entry.file, edited.what
                )
            });
            let got = support::stack_config(&copy).unwrap_or_else(|e| {
                panic!(
                    "{}: docker rejects the file after {}: {e}\n{after}",
                    entry.file, edited.what
                )
            });
            assert!(
                docker_view(&got, &edited.changes).same_value(&docker_view(&want, &edited.changes)),
                "{}: after {}, docker reads more than the edit differently\n--- before ---\n{want}\n--- after ---\n{got}",
                entry.file,
                edited.what
            );
            // And what the edit changed, docker reads as changed.
            let full = docker_view(&got, &[]);
            let first = edited.changes.first().expect("a changed path");
            let was = docker_view(&want, &[]);
            assert!(
                !matches!((value_at(&full, first), value_at(&was, first)), (Some(a), Some(b)) if a.same_value(b)),
                "{}: docker does not see {} at {first:?}",
                entry.file,
                edited.what
            );
            checked_by_docker += 1;
        }
    }
    println!("{identical} corpus files import and export byte-identical");
    for (what, (count, lines)) in &changed {
        println!(
            "{what}: {count} edits, {lines} lines changed ({:.1} per edit)",
            *lines as f64 / *count as f64
        );
    }
    println!(
        "{checked_by_docker} edited files read alike by docker stack config apart from the edit"
    );
    assert!(identical >= 20, "only {identical} corpus files import");
    assert!(
        checked_by_docker >= 30,
        "only {checked_by_docker} edits checked by docker"
    );
}

#[test]
fn command_arguments_that_name_a_service_are_flows() {
    // Traefik 1 configured on its command line: it reads its config from consul, and
    // its init job also talks to the docker socket proxy.
    let text = support::corpus_text("BretFisher__dogvscat__stack-proxy-global.yml");
    let design = Design::import(&text, ImportOptions::default()).unwrap();
    let mut flows: Vec<(&str, &str, Option<u16>, String)> = design
        .model()
        .flows
        .iter()
        .map(|f| {
            let origin = match &f.origin {
                tiermap_core::model::FlowOrigin::Command(flag) => flag.clone(),
                other => format!("{other:?}"),
            };
            (f.from.as_str(), f.to.as_str(), f.port, origin)
        })
        .collect();
    flows.sort();
    assert_eq!(
        flows,
        vec![
            ("traefik", "consul", Some(8500), "--consul.endpoint".into()),
            (
                "traefik-init",
                "consul",
                Some(8500),
                "--consul.endpoint".into()
            ),
            (
                "traefik-init",
                "dockersocket",
                Some(2375),
                "--docker.endPoint".into()
            ),
        ]
    );
}
