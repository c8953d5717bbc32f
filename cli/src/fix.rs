//! `tiermap fix`: applies the fixes the findings offer and shows the result as a
//! unified diff (or writes it).

use tiermap_core::findings::{FixAction, Rule};
use tiermap_core::Design;

/// The fixed text and what happened on the way.
pub struct Outcome {
    /// The file after every fix that applied.
    pub text: String,
    /// One line per fix made or refused, and a count of findings with no fix.
    pub notes: Vec<String>,
    changed: bool,
}

impl Outcome {
    /// Whether any fix changed the file.
    pub fn changed(&self) -> bool {
        self.changed
    }
}

/// Applies the fix of every open finding (of `only` rules, when given), as the check
/// of the file offers them: the fixes are made together, the way a reviewer reads them
/// (a tier split after another one would be computed on a design nobody reviewed).
/// Renames go last, since other fixes name services by their current names.
pub fn run(design: &Design, only: &[Rule]) -> Outcome {
    let wanted = |rule: Rule| only.is_empty() || only.contains(&rule);
    let analysis = design.analyze();
    let mut actions: Vec<(String, String, FixAction)> = analysis
        .open_findings()
        .filter(|f| wanted(f.rule))
        .filter_map(|f| {
            f.action
                .clone()
                .map(|a| (f.id.clone(), f.fix.to_string(), a))
        })
        .collect();
    actions.sort_by_key(|(_, _, a)| matches!(a, FixAction::RenameService { .. }));
    let mut current = design.clone();
    let mut notes = Vec::new();
    let mut changed = false;
    for (id, fix, action) in actions {
        let mut attempt = current.clone();
        match attempt.apply(&action) {
            Ok(()) => {
                notes.push(format!("fixed {id}: {fix}"));
                current = attempt;
                changed = true;
            }
            Err(e) => notes.push(format!("cannot fix {id}: {e}")),
        }
    }
    let by_hand = analysis
        .open_findings()
        .filter(|f| wanted(f.rule) && f.action.is_none())
        .count();
    if by_hand > 0 {
        notes.push(format!(
            "{by_hand} finding{} have no automatic fix; `tiermap check` says what to do",
            if by_hand == 1 { "" } else { "s" }
        ));
    }
    Outcome {
        text: current.export(),
        notes,
        changed,
    }
}

/// A unified diff from `before` to `after`, empty when they are the same.
pub fn diff(file: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string()
}
