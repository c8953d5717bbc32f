//! The diagram as Mermaid flowchart text, like seed 000's: the internet on top, one
//! subgraph per tier holding the services whose home it is, dotted links to the other
//! tiers a service is attached to, an arrow per published port from the internet, and
//! one per flow, blocked flows dashed and red.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::design::PortSpec;
use crate::model::Model;

/// Writes the flowchart.
pub fn render(model: &Model, analysis: &Analysis) -> String {
    let mut out = format!(
        "%% Stack {} as designed in tiermap.\nflowchart TB\n  internet((\"Internet\"))\n",
        label(&model.stack)
    );
    let service_id = |name: &str| {
        model
            .services
            .iter()
            .position(|s| s.name == name)
            .map(|i| format!("s{i}"))
    };
    let tier_id = |key: &str| {
        model
            .tiers
            .iter()
            .position(|t| t.key == key)
            .map(|i| format!("t{i}"))
    };
    let mut placed = vec![false; model.services.len()];
    for (ti, tier) in model.tiers.iter().enumerate() {
        let _ = writeln!(out, "  subgraph t{ti}[\"{}\"]", label(&tier.key));
        for (si, service) in model.services.iter().enumerate() {
            if service.home.as_deref() == Some(tier.key.as_str()) {
                let _ = writeln!(out, "    s{si}[\"{}\"]", label(&service.name));
                if let Some(p) = placed.get_mut(si) {
                    *p = true;
                }
            }
        }
        out.push_str("  end\n");
    }
    for (si, service) in model.services.iter().enumerate() {
        if !placed.get(si).copied().unwrap_or(true) {
            let _ = writeln!(out, "  s{si}[\"{}\"]", label(&service.name));
        }
    }
    let mut links = 0usize;
    let mut red = Vec::new();
    for (si, service) in model.services.iter().enumerate() {
        for attachment in &service.networks {
            if service.home.as_deref() != Some(attachment.tier.as_str()) {
                if let Some(t) = tier_id(&attachment.tier) {
                    let _ = writeln!(out, "  s{si} -.- {t}");
                    links += 1;
                }
            }
        }
        let ranges = crate::port_range::runs(&service.ports, PortSpec::of, |_, _| true);
        for (range, _) in ranges {
            let _ = writeln!(
                out,
                "  internet -->|\"{}/{}\"| s{si}",
                range.published_text("random"),
                range.first.protocol
            );
            links += 1;
        }
    }
    for check in &analysis.flows {
        let Some(flow) = model.flows.get(check.flow) else {
            continue;
        };
        let (Some(from), Some(to)) = (service_id(&flow.from), service_id(&flow.to)) else {
            continue;
        };
        let text = flow.port.map(|p| p.to_string());
        if check.blocked() {
            let text = text.map_or_else(|| "blocked".to_string(), |p| format!("{p} blocked"));
            let _ = writeln!(out, "  {from} -.->|\"{text}\"| {to}");
            red.push(links);
        } else if let Some(text) = text {
            let _ = writeln!(out, "  {from} -->|\"{text}\"| {to}");
        } else {
            let _ = writeln!(out, "  {from} --> {to}");
        }
        links += 1;
    }
    if !red.is_empty() {
        let list = red
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let _ = writeln!(out, "  linkStyle {list} stroke:#d32f2f,color:#d32f2f");
    }
    out
}

/// Text for a quoted Mermaid label: anything but plain name characters becomes an
/// entity code, so no name can close the quotes or start markup.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '/' | ':') {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}
