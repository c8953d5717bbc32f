//! Writes a template's diagram as SVG: `cargo run -p tiermap-core --example diagram -- scores > scores.svg`.

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scores".to_string());
    let Some(template) = tiermap_core::templates::find(&name) else {
        eprintln!("no template {name}");
        std::process::exit(2);
    };
    match template.design() {
        Ok(design) => {
            let layout = tiermap_core::diagram::layout(design.model(), &design.analyze());
            print!(
                "{}",
                tiermap_core::diagram::svg(&layout, &tiermap_core::diagram::Style::default())
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
