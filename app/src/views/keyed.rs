//! Keys for keyed lists. A `<For>` needs one key per row; what a row shows (a finding's
//! id, a part of the diagram) may repeat, so each repeat is numbered.

use std::collections::HashMap;
use std::hash::Hash;

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
