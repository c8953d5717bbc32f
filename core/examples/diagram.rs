//! Writes a diagram as SVG, of a template or a compose file:
//! `cargo run -p tiermap-core --example diagram -- scores > scores.svg`
//! (`-- path/to/compose.yml` for a file).

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scores".to_string());
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
    match design {
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
