//! Import + full analysis: the scores template (target under 200 µs) and a generated
//! stack of 1,000 services on 100 tiers (target under 20 ms), each also split into
//! import alone and analysis alone so a regression points at its stage.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod generated;

use criterion::{criterion_group, criterion_main, Criterion};
use tiermap_core::{Analysis, Design, ImportOptions};

fn benches(c: &mut Criterion) {
    let scores = include_str!("../templates/scores.yml");
    let big = generated::generated_stack(1000, 100);
    let options = ImportOptions {
        stack: Some("bench".into()),
        ..ImportOptions::default()
    };
    c.bench_function("scores: import + analysis", |b| {
        b.iter(|| Design::import(scores, options.clone()).unwrap().analyze())
    });
    c.bench_function("1000x100: import + analysis", |b| {
        b.iter(|| Design::import(&big, options.clone()).unwrap().analyze())
    });
    c.bench_function("1000x100: import", |b| {
        b.iter(|| Design::import(&big, options.clone()).unwrap())
    });
    let design = Design::import(&big, options.clone()).unwrap();
    c.bench_function("1000x100: analysis", |b| {
        b.iter(|| Analysis::of(design.model()))
    });
}

criterion_group!(analysis, benches);
criterion_main!(analysis);
