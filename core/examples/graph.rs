//! Prints a design's graph as JSON for the diagram measure
//! (`tests/diagram/measure.test.mjs`), which draws the same graph with Mermaid: the
//! tiers with the services whose home they are, the services on no tier, the services
//! that publish ports (the internet has an arrow to each) and the flows (a flow of a
//! service to itself is no arrow). Read from the model, not from our diagram, so both
//! drawings get the same arrows from the design itself.
//! `cargo run -p tiermap-core --example graph -- FILE` (or a template's name).

use serde_json::json;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let design = match tiermap_core::templates::find(&name) {
        Some(template) => template.design(),
        None => match std::fs::read_to_string(&name) {
            Ok(text) => tiermap_core::Design::import(&text, tiermap_core::ImportOptions::default()),
            Err(e) => {
                eprintln!("no template or file {name}: {e}");
                std::process::exit(2);
            }
        },
    };
    let design = match design {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        }
    };
    let model = design.model();
    let analysis = design.analyze();
    let tiers: Vec<_> = model
        .tiers
        .iter()
        .map(|t| {
            let members: Vec<&str> = model
                .services
                .iter()
                .filter(|s| s.home.as_deref() == Some(t.key.as_str()))
                .map(|s| s.name.as_str())
                .collect();
            json!({ "key": t.key, "services": members })
        })
        .collect();
    let loose: Vec<&str> = model
        .services
        .iter()
        .filter(|s| s.home.as_deref().is_none_or(|h| model.tier(h).is_none()))
        .map(|s| s.name.as_str())
        .collect();
    let published: Vec<_> = model
        .services
        .iter()
        .filter(|s| !s.ports.is_empty())
        .map(|s| {
            let ports: Vec<String> = s
                .ports
                .iter()
                .map(|p| {
                    p.published
                        .map_or_else(|| "random".into(), |n| n.to_string())
                })
                .collect();
            json!({ "service": s.name, "ports": ports.join(", ") })
        })
        .collect();
    let flows: Vec<_> = analysis
        .flows
        .iter()
        .filter_map(|c| model.flows.get(c.flow))
        .filter(|f| {
            f.from != f.to && model.service(&f.from).is_some() && model.service(&f.to).is_some()
        })
        .map(|f| json!({ "from": f.from, "to": f.to, "port": f.port }))
        .collect();
    let services: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
    println!(
        "{}",
        json!({ "stack": model.stack, "services": services, "tiers": tiers, "loose": loose, "published": published, "flows": flows })
    );
}
