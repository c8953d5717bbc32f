//! The diagram's layout, which the page runs on every edit: a fresh layout of the
//! scores template, of a generated stack of 200 services on 20 tiers (the page's
//! target: 10 ms in WebAssembly) and of the densest corpus file; and the re-layout
//! after moving one card with the layout before it (the drag budget: 16 ms).
//! `cargo bench -p tiermap-core --bench diagram -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod generated;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tiermap_core::diagram::{self, Options, Style};
use tiermap_core::{Design, ImportOptions};

fn bench(c: &mut Criterion, name: &str, design: &Design, mover: (&str, &str)) {
    let analysis = design.analyze();
    let mut g = c.benchmark_group(name);
    g.bench_function("layout", |b| {
        b.iter(|| diagram::layout(black_box(design.model()), &analysis))
    });
    let first = diagram::layout(design.model(), &analysis);
    g.bench_function("drawing", |b| {
        b.iter(|| diagram::drawing(black_box(&first), &Style::default()))
    });
    // An edit: one card moved to another tier, laid out with the layout before it.
    let mut moved = design.clone();
    moved.move_to(mover.0, mover.1).unwrap();
    let after = moved.analyze();
    let options = Options {
        previous: Some(&first),
        ..Options::default()
    };
    g.bench_function("relayout after a move", |b| {
        b.iter(|| diagram::layout_with(black_box(moved.model()), &after, &options))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let scores = tiermap_core::templates::find("scores")
        .unwrap()
        .design()
        .unwrap();
    bench(c, "diagram scores", &scores, ("api", "infrastructure_tier"));
    let big = generated::generated_stack(200, 20);
    let design = Design::import(&big, ImportOptions::default()).unwrap();
    assert_eq!(design.model().services.len(), 200);
    bench(c, "diagram 200 services", &design, ("svc5", "tier2"));
    let sentry = include_str!("../tests/corpus/getsentry__self-hosted__docker-compose.yml");
    let mut design = Design::import(sentry, ImportOptions::default()).unwrap();
    design.add_tier("moved").unwrap();
    bench(c, "diagram getsentry", &design, ("web", "moved"));
}

criterion_group!(diagram_benches, benches);
criterion_main!(diagram_benches);
