//! An edit and its export on the generated stack of 1,000 services on 100 tiers (target:
//! a single edit under 5 ms): the card moved to another tier (the page's drag), a port
//! changed in the middle of the file (the lines after it move), a flow added (the
//! `x-tiermap` block at the end), a service added, replicas set in place. Each starts from
//! the same design, as the page's edits do (a design copy is three pointers):
//! `cargo bench -p tiermap-core --bench edit -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod generated;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tiermap_core::design::PortSpec;
use tiermap_core::model::{Protocol, PublishMode};
use tiermap_core::{Design, ImportOptions};

/// An edit the benchmark times.
type Edit<'a> = dyn Fn(&mut Design) + 'a;

fn benches(c: &mut Criterion) {
    let text = generated::generated_stack(1000, 100);
    let design = Design::import(&text, ImportOptions::default()).unwrap();
    // The edits are the ones measured: each must take effect and keep the file.
    let service = design.model().service("svc500").expect("svc500");
    assert!(!service.on("tier7") && service.home.as_deref() == Some("tier0"));
    let port = [PortSpec {
        target: 80,
        published: Some(8080),
        protocol: Protocol::Tcp,
        mode: PublishMode::Ingress,
    }];
    let edits: [(&str, &Edit<'_>); 5] = [
        ("move", &|d| d.move_to("svc500", "tier7").unwrap()),
        ("set_ports", &|d| d.set_ports("svc500", &port).unwrap()),
        ("add_flow", &|d| {
            d.add_flow("svc500", "svc501", Some(80)).unwrap()
        }),
        ("add_service", &|d| {
            d.add_service("new1", "x:1", "tier3").unwrap()
        }),
        ("set_replicas", &|d| d.set_replicas("svc500", 5).unwrap()),
    ];
    let mut g = c.benchmark_group("edit_1000x100");
    for (name, edit) in edits {
        let mut once = design.clone();
        edit(&mut once);
        assert_ne!(once.export(), text, "{name} changed nothing");
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut d = black_box(&design).clone();
                edit(&mut d);
                d.export()
            })
        });
    }
    g.finish();
}

criterion_group!(edit, benches);
criterion_main!(edit);
