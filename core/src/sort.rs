//! Sorting through one copy of the standard sort.
//!
//! The page is paid for in bytes: every `sort_by` with its own element type and closure
//! compiles the standard sort again (about 3 KB of wasm each). These sort a permutation
//! of positions with one `dyn` comparison instead, so the sort is compiled once; the
//! lists sorted here are small enough that the indirection does not show.

use std::cmp::Ordering;

/// The longest list sorted without allocating: its positions are kept on the stack.
const ON_STACK: usize = 48;

/// Sorts `items` by `compare`, keeping equal items in their order (like `sort_by`).
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let n = items.len();
    if n < 2 {
        return;
    }
    // The positions in sorted order, then where the item at each position goes. The
    // layout sorts short lists thousands of times: those stay off the heap.
    let mut stack = [0; 2 * ON_STACK];
    let mut heap = Vec::new();
    let buffer = match stack.get_mut(..2 * n) {
        Some(buffer) => buffer,
        None => {
            heap.resize(2 * n, 0);
            &mut heap[..]
        }
    };
    let (order, place) = buffer.split_at_mut(n);
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    {
        let items: &[T] = items;
        sort_positions(order, &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => Ordering::Equal,
        });
    }
    // Each swap puts one item in its place.
    for (new, &old) in order.iter().enumerate() {
        if let Some(p) = place.get_mut(old) {
            *p = new;
        }
    }
    for at in 0..place.len() {
        while let Some(&to) = place.get(at).filter(|&&to| to != at) {
            items.swap(at, to);
            place.swap(at, to);
        }
    }
}

/// Sorts `items` by the key `key` gives, keeping equal items in their order.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The one instantiation of the standard sort.
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        let mut pairs = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        sort_by_key(&mut pairs, |p| p.0);
        assert_eq!(
            pairs,
            vec![(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]
        );
        let mut words = vec!["pear", "fig", "apple"];
        sort(&mut words);
        assert_eq!(words, vec!["apple", "fig", "pear"]);
        let mut many: Vec<u32> = (0..200).map(|i| (i * 7919) % 211).collect();
        let mut expected = many.clone();
        expected.sort();
        sort(&mut many);
        assert_eq!(many, expected);
    }
}
