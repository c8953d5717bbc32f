//! Any bytes through import: it must return an error or a design, never panic, and a
//! design's export must import again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiermap_core::{Design, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = ImportOptions::default();
    if let Ok(design) = Design::import(&text, options.clone()) {
        let analysis = design.analyze();
        let _ = tiermap_core::Report::new(design.model(), &analysis);
        let exported = design.export();
        if let Err(e) = Design::import(&exported, options) {
            panic!("the export of an imported file does not import: {e}\n--- input ---\n{text}\n--- export ---\n{exported}");
        }
    }
});
