//! Compose and stack files: reading them into a model ([`import`]). Writing them back
//! is `yaml::rewrite`'s: a design's export is its text, changed only by its edits.

pub mod import;
pub mod interpolate;
pub mod merge;
pub mod ports;
pub mod schema;

pub use import::{ImportError, ImportOptions};
pub use interpolate::Variables;
