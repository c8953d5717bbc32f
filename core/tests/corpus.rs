//! Every real compose file in `tests/corpus/` reads without a panic, and for every
//! file `docker stack config` accepts, the export is accepted too and means the same:
//! `docker stack config` prints the same result for both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

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

#[test]
fn export_says_the_same_as_the_input_to_docker_stack_config() {
    let dir = support::scratch("corpus-roundtrip");
    let accepted: Vec<_> = support::corpus()
        .into_iter()
        .filter(|e| e.stack_config_passes)
        .collect();
    assert!(
        accepted.len() >= 10,
        "the manifest marks only {} files as accepted by docker",
        accepted.len()
    );
    let mut checked = 0;
    for entry in &accepted {
        let text = support::corpus_text(&entry.file);
        let design = Design::import(&text, ImportOptions::default()).unwrap_or_else(|e| {
            panic!(
                "{}: tiermap cannot import a file docker accepts: {e}",
                entry.file
            )
        });
        let exported = design.export();
        assert!(
            !exported.contains("x-tiermap"),
            "{}: an unedited import must not add x-tiermap",
            entry.file
        );
        // Both files in one directory, so relative bind mounts resolve alike.
        let original = dir.join(format!("{}.original.yml", entry.file));
        let copy = dir.join(format!("{}.exported.yml", entry.file));
        std::fs::write(&original, &text).expect("write original");
        std::fs::write(&copy, &exported).expect("write export");
        let want = support::stack_config(&original)
            .unwrap_or_else(|e| panic!("{}: docker rejects the original: {e}", entry.file));
        let got = support::stack_config(&copy).unwrap_or_else(|e| {
            panic!(
                "{}: docker rejects the export: {e}\n--- export ---\n{exported}",
                entry.file
            )
        });
        assert_eq!(
            got, want,
            "{}: docker stack config reads the export differently",
            entry.file
        );
        // And the export reads back to the same model.
        let again = Design::import(&exported, ImportOptions::default()).expect("export re-imports");
        assert_eq!(
            support::without_locations(again.model()),
            support::without_locations(design.model()),
            "{}: the model changed through export",
            entry.file
        );
        checked += 1;
    }
    assert_eq!(checked, accepted.len());
    println!("round-tripped {checked} corpus files through docker stack config");
}
