//! tiermap core: the model of a Docker Swarm stack designed in tiers, its lossless
//! compose import and export, and the analyses the page and the command line show.
//!
//! Data flows one way: text -> [`yaml::Node`] tree -> [`model::Model`] -> analyses
//! ([`reachability`], [`blast_radius`], [`surface`], [`flows`], [`findings`]), bundled
//! by [`analysis::Analysis`]. Edits change the tree ([`design::Design`]), so export
//! keeps every key the user wrote.

pub mod analysis;
pub mod artifacts;
pub mod baseline;
pub mod blast_radius;
pub mod compose;
pub mod design;
pub mod diagram;
pub mod field;
pub mod findings;
pub mod flows;
pub mod history;
pub mod model;
pub mod names;
pub mod port_range;
pub mod proxy;
pub mod reachability;
pub mod review;
pub mod role;
pub mod segmentation;
pub mod share;
pub mod sort;
pub mod surface;
pub mod templates;
pub mod yaml;

pub use analysis::{Analysis, Report};
pub use compose::{ImportError, ImportOptions};
pub use design::Design;

/// Crate version, shown by the CLI and the page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
