//! Import, random edits, export. The input is a stack file, then (after the last 0xFF
//! byte, which UTF-8 never holds) edits of three bytes each: which edit, and two
//! numbers that pick a service, tier or port. After every edit the design's export must
//! import and read back to the design's document and model, places included; a refused
//! edit must leave the design as it was; undoing every edit must give back the imported
//! bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiermap_core::design::{PortSpec, RouteSpec};
use tiermap_core::history::History;
use tiermap_core::model::{Protocol, PublishMode};
use tiermap_core::{Design, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let (text, edits) = match data.iter().rposition(|b| *b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(text);
    let Ok(design) = Design::import(&text, ImportOptions::default()) else {
        return;
    };
    let imported = design.export();
    let mut history = History::new(design, 64);
    for edit in edits.chunks(3).take(16) {
        let (op, a, b) = match edit {
            [op, a, b] => (*op, *a, *b),
            _ => break,
        };
        let mut next = history.current().clone();
        match apply(&mut next, op, a, b) {
            Ok(()) => {
                check(&next, &text);
                history.push(next);
            }
            Err(e) => assert!(
                next == *history.current(),
                "a refused edit ({e}) changed the design\n--- input ---\n{text}"
            ),
        }
    }
    while history.undo() {}
    assert_eq!(history.current().export(), imported, "undo does not give back the file");
});

/// The export imports and reads back to the design's model.
fn check(design: &Design, input: &str) {
    let exported = design.export();
    let options = ImportOptions {
        stack: Some(design.model().stack.clone()),
        ..ImportOptions::default()
    };
    let again = Design::import(&exported, options).unwrap_or_else(|e| {
        panic!("the export of an edit does not import: {e}\n--- input ---\n{input}\n--- export ---\n{exported}")
    });
    let strip = |d: &Design| {
        let mut value = serde_json::to_value(d.model()).unwrap_or_default();
        strip_locations(&mut value);
        value
    };
    assert!(
        strip(&again) == strip(design),
        "the export reads back as another model\n--- input ---\n{input}\n--- export ---\n{exported}"
    );
    // The document the edit kept (read back from its changed lines only) is the
    // export read in full, places included; so is the model.
    assert!(
        again.document() == design.document(),
        "the document differs from its text read again\n--- input ---\n{input}\n--- export ---\n{exported}"
    );
    assert!(
        again.model() == design.model(),
        "the model differs from its text's in places\n--- input ---\n{input}\n--- export ---\n{exported}"
    );
}

fn strip_locations(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("at");
            map.values_mut().for_each(strip_locations);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_locations),
        _ => {}
    }
}

fn apply(design: &mut Design, op: u8, a: u8, b: u8) -> Result<(), tiermap_core::design::EditError> {
    let model = design.model().clone();
    let service = |i: u8| {
        model
            .services
            .get(usize::from(i) % model.services.len().max(1))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let tier = |i: u8| {
        model
            .tiers
            .get(usize::from(i) % model.tiers.len().max(1))
            .map(|t| t.key.clone())
            .unwrap_or_else(|| format!("t{i}"))
    };
    match op % 14 {
        0 => design.move_to(&service(a), &tier(b)),
        1 => design.attach(&service(a), &tier(b)),
        2 => design.detach(&service(a), &tier(b)),
        3 => design.add_tier(&format!("tier{b}")),
        4 => design.add_service(&format!("svc{a}"), "example/new:1", &tier(b)),
        5 => design.remove_service(&service(a)),
        6 => design.rename_service(&service(a), &format!("renamed{b}")),
        7 => design.rename_tier(&tier(a), &format!("tier{b}x")),
        8 => design.set_replicas(&service(a), u32::from(b % 8)),
        9 => {
            let name = service(a);
            let mut ports: Vec<PortSpec> = model
                .service(&name)
                .map(|s| s.ports.iter().map(PortSpec::of).collect())
                .unwrap_or_default();
            match b % 3 {
                0 => ports.push(PortSpec {
                    target: 1000 + u16::from(b),
                    published: Some(20000 + u16::from(a)),
                    protocol: if b % 2 == 0 { Protocol::Tcp } else { Protocol::Udp },
                    mode: if b % 5 == 0 { PublishMode::Host } else { PublishMode::Ingress },
                }),
                1 => {
                    ports.pop();
                }
                _ => {
                    if let Some(p) = ports.first_mut() {
                        p.published = Some(30000 + u16::from(b));
                    }
                }
            }
            design.set_ports(&name, &ports)
        }
        10 => design.set_route(
            &service(a),
            &RouteSpec {
                host: format!("h{b}.example.com"),
                path: if b % 2 == 0 { String::new() } else { "/api".into() },
                port: 80 + u16::from(b),
            },
        ),
        11 => design.add_flow(&service(a), &service(b), Some(u16::from(b) + 1)),
        12 => design.remove_flow(&service(a), &service(b)),
        _ => {
            let findings = design.analyze().findings;
            match findings.get(usize::from(a) % findings.len().max(1)) {
                Some(f) if b % 2 == 0 => design.accept(&f.id, "fuzzed"),
                Some(f) => match &f.action {
                    Some(action) => design.apply(action),
                    None => Ok(()),
                },
                None => Ok(()),
            }
        }
    }
}
