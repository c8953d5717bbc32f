//! Reading back only the lines an edit changed. After `rewrite` patched the text, the
//! entries of the innermost block collection that hold every change are read again on
//! their own and put in place of the old ones; the rest of the tree is kept (shared),
//! moved down or up by the lines the edit added or removed.
//!
//! It gives up (and the whole text is read again) when the lines it would read hold an
//! alias, an anchor or a merge (whose meaning reaches beyond them), when the collection
//! has merged entries, or when what it reads is not exactly the edited entries.

use std::collections::HashSet;
use std::sync::Arc;

use super::{extent, parse, Limits, Lines, Location, Node, Point, Span, Style, Value, Via};

/// A change the text got, by bytes of the old text, with the node it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change {
    pub start: usize,
    pub end: usize,
    pub owner: Option<Span>,
}

/// The tree of `new_text`, from `old` (the tree of `old_text`) and `new` (the edited tree
/// the new text must read as), when the changes can be read back on their own.
pub(crate) fn reread(
    old_text: &str,
    lines: &Lines,
    old: &Node,
    new: &Node,
    new_text: &str,
    changes: &[Change],
    limits: Limits,
) -> Option<Node> {
    let lo = changes.iter().map(|c| c.start).min()?;
    let hi = changes.iter().map(|c| c.end).max()?;
    let owners: Vec<Span> = changes.iter().map(|c| c.owner).collect::<Option<_>>()?;
    // Down from the root to the collection that holds every change.
    let mut path = Vec::new();
    let mut node = old;
    let (first, last, extents) = loop {
        let extents = extents(old_text, lines, node)?;
        let here = node.src.span?;
        let holds = |extent: &(usize, usize), span: &Span| {
            extent.0 <= lines.offset(span.start) && lines.offset(span.end) <= extent.1
        };
        // The one entry holding every change, when no change is to the collection itself.
        let within = if owners.contains(&here) {
            None
        } else {
            extents
                .iter()
                .position(|e| owners.iter().all(|o| holds(e, o)) && e.0 <= lo && hi <= e.1)
        };
        let deeper = within.and_then(|k| {
            let child = child(node, k)?;
            let collection = matches!(child.value, Value::Seq(_) | Value::Map(_));
            (collection && child.src.style == Style::Block && child.src.via == Via::Written)
                .then_some((k, child))
        });
        match deeper {
            Some((k, child)) if child.src.span.is_some_and(|s| s != here) => {
                path.push(k);
                node = child;
            }
            _ => {
                // The entries whose lines the changes touch (none: an insertion).
                let first = extents
                    .iter()
                    .position(|e| e.1 > lo)
                    .unwrap_or(extents.len());
                let last = extents.iter().rposition(|e| e.0 < hi).map_or(0, |k| k + 1);
                break (first, last.max(first), extents);
            }
        }
    };
    if node
        .as_map()
        .is_some_and(|m| m.iter().any(|(k, _)| k.src.via != Via::Written))
    {
        return None;
    }
    // The old lines read again: those of the touched entries and of the changes.
    let mut start = extent::line_start(old_text, lo);
    let mut end = if hi == extent::line_start(old_text, hi) {
        hi
    } else {
        extent::next_line(old_text, hi).unwrap_or(old_text.len())
    };
    if first < last {
        start = start.min(extents.get(first)?.0);
        end = end.max(extents.get(last - 1)?.1);
    }
    let end = end.min(old_text.len());
    let delta = new_text.len() as isize - old_text.len() as isize;
    let new_end = usize::try_from(end as isize + delta).ok()?;
    let old_lines = old_text.get(start..end)?;
    let new_lines = new_text.get(start..new_end)?;
    if [old_lines, new_lines]
        .iter()
        .any(|t| t.contains(['*', '&']) || t.contains("<<"))
    {
        return None;
    }
    let read = parse(new_lines, limits).ok()?;
    let first_line = lines.point(start).line;
    let read = shifted(&read, 0, i64::from(first_line));
    let mut entries = match (&read.value, &node.value) {
        (Value::Null, _) => Vec::new(),
        (Value::Map(e), Value::Map(_)) => e
            .iter()
            .map(|(k, v)| Entry::Pair(k.clone(), v.clone()))
            .collect(),
        (Value::Seq(i), Value::Seq(_)) => i.iter().map(|n| Entry::Item(n.clone())).collect(),
        _ => return None,
    };
    // The edited collection: its entries before `first` and from `last` on are the old
    // ones; those between must be what was read.
    let mut target = new;
    for k in &path {
        target = child(target, *k)?;
    }
    let old_len = extents.len();
    let new_len = len(target);
    let kept_after = old_len.checked_sub(last)?;
    let edited = first..new_len.checked_sub(kept_after)?;
    if edited.len() != entries.len() {
        return None;
    }
    for (n, entry) in edited.clone().zip(&entries) {
        if !entry.same_as(target, n) {
            return None;
        }
    }
    // A key read again must not be one kept outside the lines (a full read refuses that).
    if let Value::Map(all) = &target.value {
        let outside: HashSet<String> = all
            .iter()
            .enumerate()
            .filter(|(n, _)| !edited.contains(n))
            .filter_map(|(_, (k, _))| k.scalar_text())
            .collect();
        let inside = entries.iter().filter_map(|e| match e {
            Entry::Pair(k, _) => k.scalar_text(),
            Entry::Item(_) => None,
        });
        if inside.clone().any(|k| outside.contains(&k)) {
            return None;
        }
    }
    // A collection's place is where the parser saw it start, which for a mapping is
    // after its first key: when that changed, it is the place of what was read. (A
    // sequence's is its first dash, except for one not indented under its key, whose
    // place read on its own would be another.)
    let first_changed = edited.start == 0;
    let indentless = matches!(node.value, Value::Seq(_))
        && node.src.span.is_some_and(|s| {
            node.at.line != s.start.line + 1 || node.at.column != s.start.column + 1
        });
    if first_changed && (entries.is_empty() || indentless) {
        return None;
    }
    let read_at = first_changed.then_some(read.at);
    let breaks = |t: &str| t.bytes().filter(|b| *b == b'\n').count() as i64;
    let moved = breaks(new_lines) - breaks(old_lines);
    let read_root = read.src.span;
    // Places from the first line after those read on move (merged entries and alias
    // copies point at their anchor, which may be before).
    let moving = Moving {
        from: lines.point(end).line + u32::from(end == old_text.len() && !old_text.ends_with('\n')),
        lines: moved,
    };
    // Outside the lines read, the text is as it was: so is the old tree (whose nodes are
    // placed; the edited tree's equal ones need not be).
    let mut doc = splice(old, &path, &(first..last), &mut entries, read_root, moving);
    if let Some(at) = read_at {
        let mut target = &mut doc;
        for k in &path {
            target = child_mut(target, *k)?;
        }
        target.at = at;
    }
    Some(doc)
}

/// Lines from `from` on move by `lines`.
#[derive(Clone, Copy)]
struct Moving {
    from: u32,
    lines: i64,
}

/// An entry of a mapping or an item of a sequence.
#[derive(Clone)]
enum Entry {
    Pair(Node, Node),
    Item(Node),
}

impl Entry {
    /// Whether it reads as entry `n` of `collection`.
    fn same_as(&self, collection: &Node, n: usize) -> bool {
        match (self, &collection.value) {
            (Entry::Pair(k, v), Value::Map(all)) => all
                .get(n)
                .is_some_and(|(ok, ov)| ok.same_value(k) && ov.same_value(v)),
            (Entry::Item(i), Value::Seq(all)) => all.get(n).is_some_and(|o| o.same_value(i)),
            _ => false,
        }
    }
}

fn child(node: &Node, k: usize) -> Option<&Node> {
    match &node.value {
        Value::Map(entries) => entries.get(k).map(|(_, v)| v),
        Value::Seq(items) => items.get(k),
        _ => None,
    }
}

fn child_mut(node: &mut Node, k: usize) -> Option<&mut Node> {
    match &mut node.value {
        Value::Map(entries) => Arc::make_mut(entries).get_mut(k).map(|(_, v)| v),
        Value::Seq(items) => Arc::make_mut(items).get_mut(k),
        _ => None,
    }
}

fn len(node: &Node) -> usize {
    match &node.value {
        Value::Map(entries) => entries.len(),
        Value::Seq(items) => items.len(),
        _ => 0,
    }
}

/// The whole lines each entry of a block collection takes: from the start of its key's
/// (or dash's) line to the start of the line after its value. `None` when an entry
/// does not start its line (`- a: 1`) or could not be placed.
fn extents(text: &str, lines: &Lines, node: &Node) -> Option<Vec<(usize, usize)>> {
    if node.src.style != Style::Block || node.src.via != Via::Written {
        return None;
    }
    let span = node.src.span?;
    let spans: Vec<(usize, Span)> = match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter(|(k, _)| k.src.via == Via::Written)
            .map(|(k, v)| Some((lines.offset(k.src.span?.start), v.src.here()?)))
            .collect::<Option<_>>()?,
        Value::Seq(items) => {
            let mut from = lines.offset(span.start);
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                let here = item.src.here()?;
                let dash = extent::indicator(text, from, b'-')?;
                from = lines.offset(here.end);
                out.push((dash, here));
            }
            out
        }
        _ => return None,
    };
    spans
        .into_iter()
        .map(|(start, here)| {
            if !extent::starts_line(text, start) {
                return None;
            }
            let tail = extent::rest_of_line(text, lines.offset(here.end))?;
            let end = extent::next_line(text, tail).unwrap_or(text.len());
            Some((extent::line_start(text, start), end))
        })
        .collect()
}

/// The old tree with the entries `edited` of the collection at `path` replaced by those
/// read again, and everything after them moved.
fn splice(
    node: &Node,
    path: &[usize],
    edited: &std::ops::Range<usize>,
    read: &mut Vec<Entry>,
    read_root: Option<Span>,
    moving: Moving,
) -> Node {
    let mut out = Node {
        value: node.value.clone(),
        at: node.at,
        src: node.src,
    };
    match (path.split_first(), &node.value) {
        (Some((k, rest)), Value::Map(entries)) => {
            let list: Vec<(Node, Node)> = entries
                .iter()
                .enumerate()
                .map(|(n, (key, value))| match n.cmp(k) {
                    std::cmp::Ordering::Less => (key.clone(), value.clone()),
                    std::cmp::Ordering::Equal => (
                        key.clone(),
                        splice(value, rest, edited, read, read_root, moving),
                    ),
                    std::cmp::Ordering::Greater => (
                        shifted(key, moving.from, moving.lines),
                        shifted(value, moving.from, moving.lines),
                    ),
                })
                .collect();
            out.value = Value::Map(Arc::new(list));
        }
        (Some((k, rest)), Value::Seq(items)) => {
            let list: Vec<Node> = items
                .iter()
                .enumerate()
                .map(|(n, item)| match n.cmp(k) {
                    std::cmp::Ordering::Less => item.clone(),
                    std::cmp::Ordering::Equal => {
                        splice(item, rest, edited, read, read_root, moving)
                    }
                    std::cmp::Ordering::Greater => shifted(item, moving.from, moving.lines),
                })
                .collect();
            out.value = Value::Seq(Arc::new(list));
        }
        (None, Value::Map(entries)) => {
            let mut list = Vec::with_capacity(entries.len());
            list.extend(entries.iter().take(edited.start).cloned());
            list.extend(read.drain(..).filter_map(|e| match e {
                Entry::Pair(k, v) => Some((k, v)),
                Entry::Item(_) => None,
            }));
            list.extend(entries.iter().skip(edited.end).map(|(k, v)| {
                (
                    shifted(k, moving.from, moving.lines),
                    shifted(v, moving.from, moving.lines),
                )
            }));
            out.value = Value::Map(Arc::new(list));
        }
        (None, Value::Seq(items)) => {
            let mut list = Vec::with_capacity(items.len());
            list.extend(items.iter().take(edited.start).cloned());
            list.extend(read.drain(..).filter_map(|e| match e {
                Entry::Item(i) => Some(i),
                Entry::Pair(..) => None,
            }));
            list.extend(
                items
                    .iter()
                    .skip(edited.end)
                    .map(|i| shifted(i, moving.from, moving.lines)),
            );
            out.value = Value::Seq(Arc::new(list));
        }
        _ => {}
    }
    // A block collection runs from its first entry (a sequence: its first dash) to the
    // end of its last value. Entries merged in by `<<` are placed where the `<<` is
    // written (their own spans are the anchor's, elsewhere in the text).
    let entry_span = |k: &Node, v: &Node| match k.src.via {
        Via::Merge(site) => site,
        Via::Written | Via::Alias(_) => k.src.span.zip(v.src.here()).map(|(k, v)| Span {
            start: k.start,
            end: v.end,
        }),
    };
    let first_start = match &out.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| entry_span(k, v))
            .map(|s| s.start)
            .min(),
        Value::Seq(_) if path.is_empty() && edited.start == 0 => read_root
            .map(|s| s.start)
            .or_else(|| node.src.span.map(|s| s.start)),
        _ => node.src.span.map(|s| s.start),
    };
    let last_end = match &out.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| entry_span(k, v))
            .map(|s| s.end)
            .max(),
        Value::Seq(items) => items.last().and_then(|i| i.src.here()).map(|s| s.end),
        _ => None,
    };
    out.src.span = first_start
        .zip(last_end)
        .map(|(start, end)| Span { start, end });
    out
}

/// A copy of a tree whose places from line `from` on move by `lines` lines.
pub(crate) fn shifted(node: &Node, from: u32, lines: i64) -> Node {
    if lines == 0 {
        return node.clone();
    }
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(Arc::new(
            items.iter().map(|i| shifted(i, from, lines)).collect(),
        )),
        Value::Map(entries) => Value::Map(Arc::new(
            entries
                .iter()
                .map(|(k, v)| (shifted(k, from, lines), shifted(v, from, lines)))
                .collect(),
        )),
        other => other.clone(),
    };
    let point = |p: Point| {
        if p.line < from {
            return p;
        }
        Point {
            line: u32::try_from(i64::from(p.line) + lines).unwrap_or(0),
            column: p.column,
        }
    };
    let span = |s: Span| Span {
        start: point(s.start),
        end: point(s.end),
    };
    let mut src = node.src;
    src.span = src.span.map(span);
    src.anchor = src.anchor.map(span);
    src.via = match src.via {
        Via::Alias(site) => Via::Alias(site.map(span)),
        Via::Merge(written) => Via::Merge(written.map(span)),
        Via::Written => Via::Written,
    };
    // A location counts lines from 1.
    let at = if node.at.is_known() && node.at.line > from {
        Location {
            line: u32::try_from(i64::from(node.at.line) + lines)
                .unwrap_or(1)
                .max(1),
            column: node.at.column,
        }
    } else {
        node.at
    };
    Node { value, at, src }
}

/// How many lines `new` is `old` moved by, when it is `old` written the same (every
/// place of it, and of what it points at, moved by those lines).
pub(crate) fn moved_by(new: &Node, old: &Node) -> Option<i64> {
    let lines = i64::from(new.src.span?.start.line) - i64::from(old.src.span?.start.line);
    same_moved(new, old, lines).then_some(lines)
}

fn same_moved(new: &Node, old: &Node, lines: i64) -> bool {
    let point = |p: Point| Point {
        line: u32::try_from(i64::from(p.line) + lines).unwrap_or(0),
        column: p.column,
    };
    let span = |s: Option<Span>| {
        s.map(|s| Span {
            start: point(s.start),
            end: point(s.end),
        })
    };
    let via = match old.src.via {
        Via::Alias(site) => Via::Alias(span(site)),
        Via::Merge(from) => Via::Merge(span(from)),
        Via::Written => Via::Written,
    };
    let at = Location {
        line: u32::try_from(i64::from(old.at.line) + lines).unwrap_or(0),
        column: old.at.column,
    };
    let placed = new.src.span == span(old.src.span)
        && new.src.anchor == span(old.src.anchor)
        && new.src.via == via
        && new.src.style == old.src.style
        && (new.at == at || !old.at.is_known() && new.at == old.at);
    placed
        && match (&new.value, &old.value) {
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_moved(x, y, lines))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|((k1, v1), (k2, v2))| {
                        same_moved(k1, k2, lines) && same_moved(v1, v2, lines)
                    })
            }
            (a, b) => a == b,
        }
}
