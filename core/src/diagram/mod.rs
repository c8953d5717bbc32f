//! The diagram people project in a review: the internet and the edge proxy at the top,
//! one box per tier with its service cards, arrows for flows (blocked ones in red).
//! [`layout`] places everything as plain data; [`svg`] draws it. No Mermaid runtime.

mod layout;
mod svg;

pub use layout::{layout, Card, Edge, Layout, Rect, TierBox};
pub use svg::{drawing, escape, svg, Drawing, Style};
