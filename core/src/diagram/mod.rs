//! The diagram people project in a review: the internet and the edge proxies at the
//! top, one box per tier with its service cards, orthogonal arrows for flows (blocked
//! ones in red; with a baseline, added ones green and removed ones red and dashed).
//! [`layout`] places everything as plain data; [`svg`] draws it. No Mermaid runtime.

mod graph;
mod label;
mod layout;
mod order;
mod place;
mod rank;
mod route;
mod svg;
mod text;
mod title;

pub use layout::{
    layout, layout_with, Card, Change, Edge, Junction, Label, Layout, Options, Rect, TierBox, Tone,
};
pub use svg::{drawing, escape, svg, Drawing, Style};
