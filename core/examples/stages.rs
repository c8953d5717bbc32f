//! Times each stage of import and analysis, of a file or of the generated 1,000-service
//! stack, and an edit with its export, to show where the benchmark's time goes:
//! `cargo run --profile bench -p tiermap-core --example stages [FILE]`.

#[path = "../benches/generated.rs"]
mod generated;

use std::time::Instant;

use tiermap_core::{blast_radius, compose, findings, flows, reachability, surface, yaml, Design};

/// Runs `f` `rounds` times and prints the mean time of one run.
fn time<T>(label: &str, rounds: u32, mut f: impl FnMut() -> T) -> T {
    let start = Instant::now();
    let mut out = f();
    for _ in 1..rounds {
        out = f();
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    println!("{label:<14} {micros:>10.1} µs");
    out
}

fn main() {
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
        None => generated::generated_stack(1000, 100),
    };
    // Small files are timed over many rounds for a stable figure.
    let rounds = if text.len() < 100_000 { 2000 } else { 20 };
    let doc = time("parse", rounds, || {
        yaml::parse(&text, yaml::Limits::default())
    });
    let Ok(doc) = doc else { return };
    let options = compose::ImportOptions::default();
    let Ok(model) = time("model", rounds, || compose::import::model(&doc, &options)) else {
        return;
    };
    let reach = time("reachability", rounds, || reachability::analyze(&model));
    let blast = time("blast radius", rounds, || blast_radius::analyze(&model));
    time("surface", rounds, || surface::analyze(&model));
    let checks = time("flows", rounds, || flows::check(&model, &reach));
    let found = time("findings", rounds, || {
        findings::analyze(&model, &reach, &blast, &checks)
    });
    // What `tiermap check --format json` does after the analysis.
    let analysis = tiermap_core::Analysis::of(&model);
    let report = time("report", rounds, || {
        tiermap_core::Report::new(&model, &analysis)
    });
    let json = time("json", rounds, || report.to_json().unwrap_or_default());
    println!(
        "{} bytes of JSON; {} services, {} pairs, {} findings",
        json.len(),
        model.services.len(),
        reach.pairs.len(),
        found.len()
    );
    // An edit and its export: the first service moved to a tier it is not on (the
    // page's drag), its changed lines read back and its model derived again.
    let Ok(design) = Design::import(&text, options) else {
        return;
    };
    let target = model.services.first().and_then(|s| {
        let tier = model.tiers.iter().find(|t| !s.on(&t.key))?;
        Some((s.name.clone(), tier.key.clone()))
    });
    if let Some((service, tier)) = target {
        time("edit (move)", rounds.min(200), || {
            let mut moved = design.clone();
            let _ = moved.move_to(&service, &tier);
            moved.export()
        });
    }
}
