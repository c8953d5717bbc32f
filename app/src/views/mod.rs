//! The page's parts, one per file.

pub mod analysis;
pub mod board;
pub mod comparison;
pub mod delegate;
pub mod diagram;
pub mod export;
pub mod morph;
pub mod notice;
pub mod panel;
pub mod present;
pub mod rows;
pub mod toolbar;
