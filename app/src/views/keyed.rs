//! Keyed lists. Most of the page's lists are lists of names (tiers, services, the tiers
//! a card is attached to): [`Names`] is the one keyed `<For>` they share, and
//! [`Indexed`] the one for rows known by their place, so the page carries the diffing
//! code once for each. Where what a row shows may repeat (a finding's id, a part of the
//! diagram), [`numbered`] makes the keys unique.

use std::collections::HashMap;
use std::hash::Hash;

use leptos::prelude::*;

/// One row per name, keyed by the name: a row stays (with its nodes and its focus)
/// while its name is in the list.
#[component]
pub fn Names(each: Signal<Vec<String>>, row: Callback<String, AnyView>) -> impl IntoView {
    view! { <For each=move || each.get() key=String::clone children=move |name| row.run(name)/> }
}

/// One row per position, for lists whose rows have no name (a service's ports, a grid
/// row's cells): a row stays while the list is at least that long, and reads what is
/// at its place.
#[component]
pub fn Indexed(count: Signal<usize>, row: Callback<usize, AnyView>) -> impl IntoView {
    view! { <For each=move || 0..count.get() key=|i| *i children=move |i| row.run(i)/> }
}

/// Each item with how many equal items came before it: `(item, 0)` for the first, then
/// `(item, 1)`, ... Unique, and stable while the list keeps its order.
pub fn numbered<T: Hash + Eq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<(T, usize)> {
    let mut seen: HashMap<T, usize> = HashMap::new();
    items
        .into_iter()
        .map(|item| {
            let count = seen.entry(item.clone()).or_insert(0);
            let n = *count;
            *count += 1;
            (item, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn repeats_are_numbered() {
        assert_eq!(
            numbered(["a", "b", "a", "a"]),
            [("a", 0), ("b", 0), ("a", 1), ("a", 2)]
        );
        assert!(numbered(Vec::<String>::new()).is_empty());
    }
}
