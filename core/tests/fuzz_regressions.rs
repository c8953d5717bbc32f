//! Inputs the fuzzer once broke import or analysis with: each must import (or fail
//! with an error) and analyse without a panic, and its export must import again.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tiermap_core::{Design, ImportOptions, Report};

#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if let Ok(design) = Design::import(&text, ImportOptions::default()) {
            let analysis = design.analyze();
            let report = Report::new(design.model(), &analysis);
            assert_eq!(report.blast_radius.len(), design.model().services.len());
            Design::import(&design.export(), ImportOptions::default())
                .unwrap_or_else(|e| panic!("{}: export does not import: {e}", path.display()));
        }
        count += 1;
    }
    assert!(count >= 1);
}
