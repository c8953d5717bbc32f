//! The reachability matrix: who can open a connection to whom. Up to [`GRID_LIMIT`]
//! services it is a grid with a cell per pair; above, a list of how many services each
//! one reaches. Rows are keyed by service and each has its own memo, so an edit updates
//! only the rows (and in them the cells) whose reach changed.

use std::collections::HashMap;

use leptos::either::Either;
use leptos::prelude::*;
use tiermap_core::model::Model;
use tiermap_core::Analysis;

use super::keyed::{Indexed, Names, Rows};
use crate::studio::Studio;

/// Above this many services the matrix lists each service's reach instead of a grid
/// (a 200 x 200 grid is 40,000 cells nobody can read, and slow to draw).
const GRID_LIMIT: usize = 40;

/// One cell of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    /// The row's own service.
    Itself,
    /// The row's service cannot reach the column's.
    No,
    /// It can; the label says over which networks.
    Yes(String),
}

/// The cells of `from`'s row.
fn row(m: &Model, a: &Analysis, from: &str) -> Vec<Cell> {
    let Some(i) = m.service_index(from) else {
        return Vec::new();
    };
    m.services
        .iter()
        .enumerate()
        .map(|(j, to)| {
            if i == j {
                return Cell::Itself;
            }
            match a.reachability.between(i, j) {
                Some(nets) => Cell::Yes(format!("{from} → {} via {}", to.name, nets.join(", "))),
                None => Cell::No,
            }
        })
        .collect()
}

/// The reachability region.
#[component]
pub fn Matrix() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let names = studio.service_names;
    let grid = Memo::new(move |_| names.with(|n| n.len() <= GRID_LIMIT));
    view! {
        <section class="reach card-panel">
            <h2>"Reachability"</h2>
            <p class="muted">"Who can open a connection to whom (shared network = every port)."</p>
            <div class="scroll">
                <table class="matrix" aria-label="Reachability">
                    {move || if grid.get() { Either::Left(view! { <Grid/> }) } else { Either::Right(view! { <List/> }) }}
                </table>
            </div>
        </section>
    }
}

/// The grid: a column per service, a row per service.
#[component]
fn Grid() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let names = studio.service_names;
    view! {
        <thead>
            <tr>
                <th></th>
                <Names
                    each=names.into()
                    row=Callback::new(|name| view! { <th scope="col"><span>{name}</span></th> }.into_any())
                />
            </tr>
        </thead>
        <tbody id="reach-rows">
            <Names each=names.into() row=Callback::new(|name| view! { <GridRow name/> }.into_any())/>
        </tbody>
    }
}

/// One service's row of the grid. Its cells are keyed by column: a cell whose reach
/// changed rewrites its class and label, and the others stay as they are.
#[component]
fn GridRow(name: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let cells = Memo::new({
        let name = name.clone();
        move |_| {
            let analysis = studio.analysis.read();
            studio.model(|m| row(m, &analysis, &name))
        }
    });
    let cell = move |j: usize| {
        let cell = move || cells.with(|c| c.get(j).cloned()).unwrap_or(Cell::No);
        let class = move || match cell() {
            Cell::Itself => "self",
            Cell::No => "no",
            Cell::Yes(_) => "yes",
        };
        let label = move || match cell() {
            Cell::Itself => "itself".to_string(),
            Cell::No => "no".to_string(),
            Cell::Yes(label) => label,
        };
        view! { <td class=class aria-label=label></td> }
    };
    view! {
        <tr>
            <th scope="row">{name}</th>
            <Indexed
                count=Signal::derive(move || cells.with(Vec::len))
                row=Callback::new(move |j| cell(j).into_any())
            />
        </tr>
    }
}

/// The list form for large designs: how many services each one reaches.
#[component]
fn List() -> impl IntoView {
    let studio = expect_context::<Studio>();
    // One pass over the pairs for every row's count; each row reads its own.
    let counts = Rows::new(move |_| {
        studio.analysis.with(|a| {
            studio.model(|m| {
                let mut counts: HashMap<String, usize> =
                    m.services.iter().map(|s| (s.name.clone(), 0)).collect();
                for pair in &a.reachability.pairs {
                    let name = m.services.get(pair.from).map(|s| s.name.as_str());
                    if let Some(c) = name.and_then(|n| counts.get_mut(n)) {
                        *c += 1;
                    }
                }
                counts
            })
        })
    });
    let row = move |name: String| {
        let reached = counts.value(name.clone());
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td>{move || format!("{} services", reached.get())}</td>
            </tr>
        }
    };
    view! {
        <thead>
            <tr>
                <th scope="col">"Service"</th>
                <th scope="col">"Reaches"</th>
            </tr>
        </thead>
        <tbody id="reach-rows">
            <Names each=studio.service_names.into() row=Callback::new(move |name| row(name).into_any())/>
        </tbody>
    }
}
