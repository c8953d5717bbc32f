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
    // Each list type only says how to compare and swap two of its items; the sorting
    // itself is compiled once.
    sort_steps(items.len(), &mut |step| match step {
        Step::Compare(a, b) => match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => Ordering::Equal,
        },
        Step::Swap(a, b) => {
            items.swap(a, b);
            Ordering::Equal
        }
    });
}

/// What [`sort_steps`] asks of the list it sorts.
enum Step {
    Compare(usize, usize),
    Swap(usize, usize),
}

/// Sorts a list of `n` items through `step`: the positions in sorted order, then the
/// swaps that put each item in its place.
fn sort_steps(n: usize, step: &mut dyn FnMut(Step) -> Ordering) {
    if n < 2 {
        return;
    }
    // The layout sorts short lists thousands of times: those stay off the heap.
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
    order.sort_by(|&a, &b| step(Step::Compare(a, b)));
    // Where the item now at each position goes; each swap puts one item in its place.
    for (new, &old) in order.iter().enumerate() {
        if let Some(p) = place.get_mut(old) {
            *p = new;
        }
    }
    for at in 0..place.len() {
        while let Some(&to) = place.get(at).filter(|&&to| to != at) {
            step(Step::Swap(at, to));
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
