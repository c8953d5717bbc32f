//! Keyed lists. Most of the page's lists are lists of names (tiers, services, the tiers
//! a card is attached to): [`Names`] is the one keyed `<For>` they share, and
//! [`Indexed`] the one for rows known by their place, so the page carries the diffing
//! code once for each. [`Rows`] gives each row its value in a signal of its own, set
//! only when that value changes. Where what a row shows may repeat (a finding's id, a
//! part of the diagram), [`numbered`] makes the keys unique.

use std::collections::HashMap;
use std::hash::Hash;

use leptos::prelude::*;

/// The values of a keyed list's rows, each row's in a signal of its own.
///
/// A memo per row over one shared value would wake every row on every change, and each
/// row, run again, leaves and rejoins the shared value's subscribers: with hundreds of
/// rows (a large design's cards, the diagram's parts) that churn costs more than the
/// update. Here one effect compares each row's value with the new one and sets only the
/// rows that changed, so an edit wakes the rows it changed and no other.
pub struct Rows<K: Send + Sync + 'static, V: Send + Sync + 'static> {
    latest: Memo<HashMap<K, V>>,
    signals: StoredValue<HashMap<K, RwSignal<V>>, LocalStorage>,
}

impl<K: Send + Sync, V: Send + Sync> Clone for Rows<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Send + Sync, V: Send + Sync> Copy for Rows<K, V> {}

impl<K, V> Rows<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: PartialEq + Clone + Default + Send + Sync + 'static,
{
    /// Follows `values`: each change sets the signals of the rows whose value differs.
    pub fn new(
        values: impl Fn(Option<&HashMap<K, V>>) -> HashMap<K, V> + Send + Sync + 'static,
    ) -> Self {
        let latest = Memo::new(values);
        let signals: StoredValue<HashMap<K, RwSignal<V>>, LocalStorage> =
            StoredValue::new_local(HashMap::new());
        Effect::new(move |_| {
            latest.with(|latest| {
                signals.with_value(|signals| {
                    for (key, signal) in signals {
                        let Some(new) = latest.get(key) else { continue };
                        if signal.try_with_untracked(|old| old != new) == Some(true) {
                            signal.set(new.clone());
                        }
                    }
                })
            })
        });
        Rows { latest, signals }
    }

    /// The value of the row `key`, for the row to read; the row owns the signal, which
    /// goes with it.
    pub fn value(&self, key: K) -> RwSignal<V> {
        let value = self
            .latest
            .with_untracked(|latest| latest.get(&key).cloned())
            .unwrap_or_default();
        let signal = RwSignal::new(value);
        let signals = self.signals;
        signals.update_value(|s| {
            s.insert(key.clone(), signal);
        });
        // A card moved to another box is made there before it goes from here: only this
        // row's own signal leaves the map.
        on_cleanup(move || {
            signals.try_update_value(|s| {
                if s.get(&key) == Some(&signal) {
                    s.remove(&key);
                }
            });
        });
        signal
    }
}

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
