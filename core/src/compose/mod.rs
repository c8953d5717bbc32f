//! Compose and stack files: reading them into a model ([`import`]) and writing the
//! document back ([`export`]).

pub mod export;
pub mod import;
pub mod interpolate;
pub mod merge;
pub mod ports;
pub mod schema;

pub use import::{ImportError, ImportOptions};
pub use interpolate::Variables;
