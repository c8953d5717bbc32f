//! Prints the generated benchmark stack (1,000 services on 100 tiers by default):
//! `cargo run -p tiermap-core --example generate -- 1000 100 > big.yml`.

#[path = "../benches/generated.rs"]
mod generated;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().unwrap_or(0));
    let services = args.next().filter(|n| *n > 1).unwrap_or(1000);
    let tiers = args.next().filter(|n| *n > 0).unwrap_or(100);
    print!("{}", generated::generated_stack(services, tiers));
}
