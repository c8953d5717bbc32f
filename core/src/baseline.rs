//! A design set against its baseline (today's production stack, or the design as the
//! review found it): what the changes did to the exposed surface, to who reaches whom,
//! and to the findings. The page's comparison and `tiermap compare` both show this.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::findings::{Finding, Severity};
use crate::model::Model;
use crate::surface::{self, Comparison};

/// A client service that can open connections to a server service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// Client.
    pub from: String,
    /// Server.
    pub to: String,
}

/// A finding that appeared, went away or was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingChange {
    /// The finding's stable id.
    pub id: String,
    /// How serious it is.
    pub severity: Severity,
    /// Its sentence.
    pub message: String,
}

/// Everything that differs between a baseline and the current design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Exposed ports before and after, with the reduction.
    #[serde(flatten)]
    pub surface: Comparison,
    /// Pairs that can connect now and could not before.
    pub pairs_added: Vec<Pair>,
    /// Pairs that could connect before and cannot now.
    pub pairs_removed: Vec<Pair>,
    /// Open findings of the baseline that are gone.
    pub fixed: Vec<FindingChange>,
    /// Open findings the baseline did not have.
    pub introduced: Vec<FindingChange>,
    /// Findings open in the baseline that the team has since accepted.
    pub accepted: Vec<FindingChange>,
    /// Services of the current design that are new, reach differently or publish
    /// differently: what the diagram marks as changed.
    pub changed_services: Vec<String>,
}

/// Whether a group of changes leaves the design safer or more open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Less exposed or less reachable, or a finding gone.
    Better,
    /// More exposed or reachable, or a new finding.
    Worse,
    /// Neither: a finding accepted.
    Neutral,
}

/// One titled list of what changed, in words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// "Ports closed", "Reachable pairs added", ...
    pub title: &'static str,
    /// Safer or more open.
    pub direction: Direction,
    /// One line per port, pair or finding.
    pub items: Vec<String>,
}

impl Changes {
    /// The non-empty lists of changes, in the order the page and the report show them.
    pub fn groups(&self) -> Vec<Group> {
        let ports = |p: &[crate::surface::PortKey]| p.iter().map(ToString::to_string).collect();
        let pairs = |p: &[Pair]| p.iter().map(|p| format!("{} → {}", p.from, p.to)).collect();
        let findings = |f: &[FindingChange]| {
            f.iter()
                .map(|f| format!("{}: {}", f.severity.as_str(), f.message))
                .collect()
        };
        use Direction::{Better, Neutral, Worse};
        [
            ("Ports closed", Better, ports(&self.surface.closed)),
            ("Ports opened", Worse, ports(&self.surface.opened)),
            (
                "Reachable pairs removed",
                Better,
                pairs(&self.pairs_removed),
            ),
            ("Reachable pairs added", Worse, pairs(&self.pairs_added)),
            ("Findings fixed", Better, findings(&self.fixed)),
            ("Findings introduced", Worse, findings(&self.introduced)),
            ("Findings accepted", Neutral, findings(&self.accepted)),
        ]
        .into_iter()
        .filter(|(_, _, items): &(_, _, Vec<String>)| !items.is_empty())
        .map(|(title, direction, items)| Group {
            title,
            direction,
            items,
        })
        .collect()
    }

    /// True when the two designs allow the same and find the same.
    pub fn is_empty(&self) -> bool {
        self.surface.opened.is_empty()
            && self.surface.closed.is_empty()
            && self.pairs_added.is_empty()
            && self.pairs_removed.is_empty()
            && self.fixed.is_empty()
            && self.introduced.is_empty()
            && self.accepted.is_empty()
            && self.changed_services.is_empty()
    }
}

/// Compares a baseline design (`before`) with the current one (`after`), each with its
/// analysis. Services are matched by name, findings by id; lists keep the order of the
/// design they come from.
pub fn compare(before: (&Model, &Analysis), after: (&Model, &Analysis)) -> Changes {
    let open_in = |analysis: &Analysis, id: &str| {
        analysis
            .findings
            .iter()
            .any(|f| f.id == id && f.accepted.is_none())
    };
    let accepted_in = |analysis: &Analysis, id: &str| {
        analysis
            .findings
            .iter()
            .any(|f| f.id == id && f.accepted.is_some())
    };
    let change = |f: &Finding| FindingChange {
        id: f.id.clone(),
        severity: f.severity,
        message: f.message.clone(),
    };
    let (b, a) = (before.1, after.1);
    let (pairs_added, pairs_removed) = (only_in(after, before), only_in(before, after));
    // What a service publishes, to compare it with its namesake in the baseline.
    let published = |analysis: &Analysis, name: &str| {
        let ports = analysis.surface.ports.iter().filter(|e| e.service == name);
        ports
            .map(|e| (e.published, e.target, e.protocol, e.mode))
            .collect::<Vec<_>>()
    };
    let changed_services = after
        .0
        .services
        .iter()
        .map(|s| s.name.as_str())
        .filter(|name| {
            before.0.service(name).is_none()
                || pairs_added
                    .iter()
                    .chain(&pairs_removed)
                    .any(|p| p.from == *name || p.to == *name)
                || published(b, name) != published(a, name)
        })
        .map(str::to_string)
        .collect();
    Changes {
        surface: surface::compare(&b.surface, &a.surface),
        pairs_added,
        pairs_removed,
        changed_services,
        fixed: b
            .findings
            .iter()
            .filter(|f| f.accepted.is_none() && !open_in(a, &f.id) && !accepted_in(a, &f.id))
            .map(change)
            .collect(),
        introduced: a
            .findings
            .iter()
            .filter(|f| f.accepted.is_none() && !open_in(b, &f.id))
            .map(change)
            .collect(),
        accepted: a
            .findings
            .iter()
            .filter(|f| f.accepted.is_some() && open_in(b, &f.id))
            .map(change)
            .collect(),
    }
}

/// The reachable pairs of `this` that `other` does not have, by service name.
fn only_in(this: (&Model, &Analysis), other: (&Model, &Analysis)) -> Vec<Pair> {
    // Each service of `this` as an index into `other` (one lookup per service, not per pair).
    let mapped: Vec<Option<usize>> = this
        .0
        .services
        .iter()
        .map(|s| other.0.service_index(&s.name))
        .collect();
    let name = |i: usize| this.0.services.get(i).map(|s| s.name.clone());
    this.1
        .reachability
        .pairs
        .iter()
        .filter(|r| {
            match (
                mapped.get(r.from).copied().flatten(),
                mapped.get(r.to).copied().flatten(),
            ) {
                (Some(from), Some(to)) => !other.1.reachability.reaches(from, to),
                _ => true,
            }
        })
        .filter_map(|r| {
            Some(Pair {
                from: name(r.from)?,
                to: name(r.to)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Design, ImportOptions};
    use std::collections::BTreeSet;

    fn design(text: &str) -> Design {
        Design::import(text, ImportOptions::default()).expect("test file imports")
    }

    fn changes(before: &Design, after: &Design) -> Changes {
        let (ba, aa) = (before.analyze(), after.analyze());
        compare((before.model(), &ba), (after.model(), &aa))
    }

    const FLAT: &str = "services:\n  proxy:\n    image: traefik:v3\n    ports: ['80:80', '443:443']\n  api:\n    image: api\n    ports: ['3000:3000']\n  db:\n    image: postgres\n    ports: ['5432:5432']\n";
    const TIERED: &str = "services:\n  proxy:\n    image: traefik:v3\n    ports: ['80:80', '443:443']\n    networks: [web]\n  api:\n    image: api\n    networks: [web, data]\n  db:\n    image: postgres\n    networks: [data]\nnetworks:\n  web: {driver: overlay, driver_opts: {encrypted: 'true'}}\n  data: {driver: overlay, driver_opts: {encrypted: 'true'}}\n";

    #[test]
    fn tiering_a_flat_stack_closes_ports_and_pairs_and_fixes_the_published_database() {
        let c = changes(&design(FLAT), &design(TIERED));
        assert_eq!(c.surface.summary(), "4 ports -> 2 ports, 50% less");
        let removed: Vec<(&str, &str)> = c
            .pairs_removed
            .iter()
            .map(|p| (p.from.as_str(), p.to.as_str()))
            .collect();
        // On the default network the proxy reached the database; on tiers it does not.
        assert!(removed.contains(&("proxy", "db")), "{removed:?}");
        assert!(removed.contains(&("db", "proxy")), "{removed:?}");
        assert!(!removed.contains(&("api", "db")), "{removed:?}");
        assert!(c.pairs_added.is_empty(), "{:?}", c.pairs_added);
        // Every service lost a pair or a published port.
        assert_eq!(c.changed_services, ["proxy", "api", "db"]);
        let groups = c.groups();
        let first = groups
            .first()
            .map(|g| (g.title, g.direction, g.items.clone()));
        let closed = vec!["3000/tcp".to_string(), "5432/tcp".to_string()];
        assert_eq!(first, Some(("Ports closed", Direction::Better, closed)));
        assert!(groups.iter().all(|g| !g.items.is_empty()));
        assert!(!groups.iter().any(|g| g.title == "Reachable pairs added"));
        assert!(
            c.fixed
                .iter()
                .any(|f| f.id.starts_with("database-published:db")),
            "{:?}",
            c.fixed
        );
        assert!(!c.is_empty());
    }

    #[test]
    fn going_back_reverses_every_list() {
        let (flat, tiered) = (design(FLAT), design(TIERED));
        let forward = changes(&flat, &tiered);
        let back = changes(&tiered, &flat);
        assert_eq!(forward.pairs_removed, back.pairs_added);
        assert_eq!(forward.pairs_added, back.pairs_removed);
        let ids = |v: &[FindingChange]| v.iter().map(|f| f.id.clone()).collect::<BTreeSet<_>>();
        assert_eq!(ids(&forward.fixed), ids(&back.introduced));
        assert_eq!(ids(&forward.introduced), ids(&back.fixed));
        assert_eq!(back.surface.summary(), "2 ports -> 4 ports, 100% more");
    }

    #[test]
    fn a_design_against_itself_has_no_changes() {
        let d = design(TIERED);
        assert!(changes(&d, &d).is_empty());
    }

    #[test]
    fn an_accepted_finding_is_listed_as_accepted_not_fixed() {
        let before = design(FLAT);
        let id = before
            .analyze()
            .findings
            .iter()
            .find(|f| f.id.starts_with("database-published:db"))
            .map(|f| f.id.clone())
            .expect("the flat stack publishes its database");
        let mut after = before.clone();
        after.accept(&id, "behind the VPN").expect("accept works");
        let c = changes(&before, &after);
        assert!(c.accepted.iter().any(|f| f.id == id), "{:?}", c.accepted);
        assert!(!c.fixed.iter().any(|f| f.id == id));
        assert!(!c.introduced.iter().any(|f| f.id == id));
    }
}
