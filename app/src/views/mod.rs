//! The page's parts, one component (or a few that belong together) per file.

pub mod board;
pub mod card;
pub mod comparison;
pub mod diagram;
pub mod export;
pub mod findings;
pub mod forms;
pub mod import;
pub mod keyed;
pub mod matrix;
pub mod notice;
pub mod panel;
pub mod ports;
pub mod present;
pub mod refusal;
pub mod service;
pub mod surface;
pub mod toolbar;
