//! Import + full analysis of the scores template (target under 200 µs) and of a generated
//! stack of 1,000 services on 100 tiers (target under 20 ms), each also split into import
//! alone and analysis alone so that a regression points at its stage, and the diagram
//! (layout and SVG) the page redraws on every edit:
//! `cargo bench -p tiermap-core --bench analysis -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod generated;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tiermap_core::diagram::{self, Style};
use tiermap_core::{Analysis, Design, ImportOptions};

fn stack(c: &mut Criterion, group: &str, text: &str) {
    let design = Design::import(text, ImportOptions::default()).unwrap();
    let mut g = c.benchmark_group(group);
    g.bench_function("import+analysis", |b| {
        b.iter(|| {
            Design::import(black_box(text), ImportOptions::default())
                .unwrap()
                .analyze()
        })
    });
    g.bench_function("import", |b| {
        b.iter(|| Design::import(black_box(text), ImportOptions::default()).unwrap())
    });
    g.bench_function("analysis", |b| {
        b.iter(|| Analysis::of(black_box(design.model())))
    });
    // What the page redraws on every edit.
    let analysis = design.analyze();
    g.bench_function("diagram", |b| {
        b.iter(|| {
            let layout = diagram::layout(black_box(design.model()), &analysis);
            diagram::drawing(&layout, &Style::default())
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let scores = include_str!("../templates/scores.yml");
    stack(c, "scores", scores);
    let big = generated::generated_stack(1000, 100);
    let design = Design::import(&big, ImportOptions::default()).unwrap();
    let model = design.model();
    // The generator's shape, checked so that a change to it cannot go unnoticed.
    assert_eq!(model.services.len(), 1000);
    assert_eq!(model.tiers.len(), 100);
    assert!(model
        .services
        .iter()
        .all(|s| (1..=3).contains(&s.networks.len())));
    assert!(model.services.iter().any(|s| s.networks.len() == 3));
    assert!(
        model
            .services
            .iter()
            .filter(|s| !s.routes.is_empty())
            .count()
            >= 90
    );
    assert!(model.problems.is_empty(), "{:?}", model.problems);
    stack(c, "generated_1000x100", &big);
}

criterion_group!(analysis, benches);
criterion_main!(analysis);
