//! Writing an edited tree back as text by changing only what the edit changed.
//!
//! An edit changes a copy of the tree read from the text. Nodes it kept still carry
//! their [`Span`], nodes it made carry none. [`rewrite`] walks both trees together,
//! pairing nodes by span, and turns each difference into a replacement of the text: a
//! scalar rewritten in place in its own quotes, an entry or item inserted in the style
//! of its siblings, or deleted with its own lines, a key renamed in place. A value that
//! came from an `*alias` is replaced where the alias is written; one that came from a
//! `<<` merge is overridden on the mapping itself, so an anchor never changes under its
//! other users.
//!
//! The new text is read again (only the lines that changed, `reread`, when it can) and
//! must mean exactly the edited tree. When it does not (or a difference has no local
//! form), the smallest enclosing node is written anew instead, and so on up to the
//! whole document: an edit never silently writes a different document.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::extent;
use super::render::{entry_like, item_like, Layout, Writer};
use super::reread::{reread, Change};
use super::{parse, Limits, Lines, Node, ParseError, Span, Style, Value, Via};

/// Why an edited tree could not be written as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// The new text is over a limit (size, depth, aliases).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Not even the whole document written anew reads back as the edited tree.
    #[error("the edited document cannot be written so that it reads back the same")]
    Unfaithful,
}

/// The new text and the tree read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewritten {
    /// The text.
    pub text: String,
    /// The text read again: the edited tree, with every node placed in the new text.
    pub doc: Node,
}

/// Rounds of writing a larger node anew before writing the whole document.
const MAX_ROUNDS: usize = 12;

/// Writes `new`, an edited copy of `old` (the tree read from `text`), as `text` changed
/// only where the trees differ.
pub fn rewrite(
    text: &str,
    old: &Node,
    new: &Node,
    limits: Limits,
) -> Result<Rewritten, RewriteError> {
    if old.same_value(new) {
        return Ok(Rewritten {
            text: text.to_string(),
            doc: old.clone(),
        });
    }
    let layout = Layout::of(text, old);
    let lines = Lines::new(text);
    // New entries are written out in full: an alias or anchor copied into another place
    // could mean another value there.
    let writer = Writer {
        layout,
        text,
        lines: &lines,
        aliases: HashSet::new(),
        anchors: false,
    };
    let mut fresh: HashSet<Span> = HashSet::new();
    let mut parents: Option<HashMap<Span, Option<Span>>> = None;
    for _ in 0..MAX_ROUNDS {
        let mut diff = Diff {
            text,
            lines: &lines,
            writer: &writer,
            fresh: &fresh,
            patches: Vec::new(),
        };
        if diff.node(old, new, &Place::Root, None).is_err() {
            break;
        }
        let owners: Vec<Option<Span>> = match apply(text, &mut diff.patches) {
            Ok(candidate) => {
                // Read back only the changed lines when they can be; else the whole text.
                let changes: Vec<Change> = diff
                    .patches
                    .iter()
                    .map(|p| Change {
                        start: p.start,
                        end: p.end,
                        owner: p.owner,
                    })
                    .collect();
                let spliced = reread(text, &lines, old, new, &candidate, &changes, limits);
                if let Some(doc) = spliced.filter(|doc| doc.same_value(new)) {
                    return Ok(Rewritten {
                        text: candidate,
                        doc,
                    });
                }
                match read_back(candidate, new, limits)? {
                    Some(done) => return Ok(done),
                    None => diff.patches.iter().map(|p| p.owner).collect(),
                }
            }
            Err(owners) => owners,
        };
        // Write the node around each change anew.
        let parents = parents.get_or_insert_with(|| parent_map(old));
        let mut grew = false;
        for owner in owners {
            let parent = owner.and_then(|o| parents.get(&o).copied().flatten());
            match parent {
                Some(p) => grew |= fresh.insert(p),
                // The owner is the root (or unplaced): nothing above it but the file.
                None => grew |= old.src.span.is_some_and(|root| fresh.insert(root)),
            }
        }
        if !grew {
            break;
        }
    }
    // The whole document anew: with its aliases and anchors, else with them expanded.
    for keep in [true, false] {
        let writer = Writer {
            layout,
            text,
            lines: &lines,
            aliases: if keep {
                unchanged_aliases(old, new)
            } else {
                HashSet::new()
            },
            anchors: keep,
        };
        if let Some(done) = read_back(document(&writer, new), new, limits)? {
            return Ok(done);
        }
    }
    Err(RewriteError::Unfaithful)
}

/// The alias copies in `new` (by the site of their `*alias`) that are as they were in
/// `old`: the ones a node written anew may write as the alias.
fn unchanged_aliases(old: &Node, new: &Node) -> HashSet<Span> {
    fn copies<'n>(node: &'n Node, out: &mut HashMap<Span, &'n Node>) {
        if let Via::Alias(Some(site)) = node.src.via {
            out.insert(site, node);
            return;
        }
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|i| copies(i, out)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                copies(k, out);
                copies(v, out);
            }),
            _ => {}
        }
    }
    let (mut before, mut after) = (HashMap::new(), HashMap::new());
    copies(old, &mut before);
    copies(new, &mut after);
    after
        .into_iter()
        .filter(|(site, node)| before.get(site).is_some_and(|o| o.same_value(node)))
        .map(|(site, _)| site)
        .collect()
}

/// The candidate text read again, if it is the edited tree.
fn read_back(text: String, new: &Node, limits: Limits) -> Result<Option<Rewritten>, RewriteError> {
    match parse(&text, limits) {
        Ok(doc) if doc.same_value(new) => Ok(Some(Rewritten { text, doc })),
        Err(e @ ParseError::TooLarge { .. }) => Err(e.into()),
        _ => Ok(None),
    }
}

/// The whole document written anew.
fn document(writer: &Writer, new: &Node) -> String {
    let mut out = String::new();
    match &new.value {
        Value::Map(entries) if !entries.is_empty() => {
            writer.block_entries(entries, None, 0, true, &mut out);
        }
        Value::Seq(items) if !items.is_empty() => {
            writer.block_items(items, None, 0, true, &mut out);
        }
        _ => out.push_str(&writer.flow(new, None)),
    }
    out.push_str(writer.layout.eol);
    out
}

/// One replacement of the text.
#[derive(Debug)]
struct Patch {
    start: usize,
    end: usize,
    text: String,
    /// The node (of the old tree) the change belongs to, to write anew when it fails.
    owner: Option<Span>,
}

/// Applies patches in order of place; overlapping ones are an error naming their owners.
fn apply(text: &str, patches: &mut [Patch]) -> Result<String, Vec<Option<Span>>> {
    crate::sort::sort_by_key(patches, |p| (p.start, p.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    let mut previous: Option<Span> = None;
    for patch in patches.iter() {
        if patch.start < at || patch.end < patch.start {
            return Err(vec![previous, patch.owner]);
        }
        out.push_str(text.get(at..patch.start).ok_or_else(|| vec![patch.owner])?);
        out.push_str(&patch.text);
        at = patch.end;
        previous = patch.owner;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    Ok(out)
}

/// The parent of every placed node written where it is (alias copies and merged entries
/// are not descended into: they are never patched inside).
fn parent_map(root: &Node) -> HashMap<Span, Option<Span>> {
    fn walk(node: &Node, parent: Option<Span>, out: &mut HashMap<Span, Option<Span>>) {
        let Some(span) = node.src.span.filter(|_| node.src.via == Via::Written) else {
            return;
        };
        out.insert(span, parent);
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|i| walk(i, Some(span), out)),
            Value::Map(entries) => {
                for (k, v) in entries.iter().filter(|(k, _)| k.src.via == Via::Written) {
                    walk(k, Some(span), out);
                    walk(v, Some(span), out);
                }
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(root, None, &mut out);
    out
}

/// A difference with no local form: the caller writes the node anew.
#[derive(Debug)]
struct Up;

/// Where a node sits, for writing it anew in place.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The document's root.
    Root,
    /// The value of a block mapping entry whose key is written at this span.
    BlockValue(Span),
    /// An item of a block sequence, whose `-` is at this offset.
    BlockItem(usize),
    /// Inside `[...]` or `{...}`.
    Flow,
}

/// The patches that turn the old tree's text into the new tree.
struct Diff<'a> {
    text: &'a str,
    lines: &'a Lines,
    writer: &'a Writer<'a>,
    /// Old nodes to write anew rather than patch.
    fresh: &'a HashSet<Span>,
    patches: Vec<Patch>,
}

impl Diff<'_> {
    fn patch(&mut self, start: usize, end: usize, text: String, owner: Option<Span>) {
        self.patches.push(Patch {
            start,
            end,
            text,
            owner,
        });
    }

    /// Patches `old`'s text so that it reads as `new`, which sits at `place` in `parent`.
    fn node(
        &mut self,
        old: &Node,
        new: &Node,
        place: &Place,
        parent: Option<&Node>,
    ) -> Result<(), Up> {
        if let Via::Alias(site) = old.src.via {
            // An alias stands for its anchor everywhere: a changed copy is written
            // where the alias is, never into the anchor.
            if old.same_value(new) {
                return Ok(());
            }
            return self.replace(old, site.ok_or(Up)?, new, place);
        }
        let Some(span) = old.src.span else {
            return if old.same_value(new) { Ok(()) } else { Err(Up) };
        };
        if self.fresh.contains(&span) {
            return self.replace(old, span, new, place);
        }
        let same_node = new.src.span == Some(span) && new.src.via == Via::Written;
        // What the edit did not touch is still shared with the old tree.
        let shared = match (&old.value, &new.value) {
            (Value::Map(a), Value::Map(b)) => Arc::ptr_eq(a, b),
            (Value::Seq(a), Value::Seq(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if shared && same_node {
            return Ok(());
        }
        match (&old.value, &new.value) {
            (Value::Map(_), Value::Map(_)) if same_node => self.map(old, span, new, place, parent),
            (Value::Seq(_), Value::Seq(_)) if same_node => self.seq(old, span, new, place),
            (Value::Map(_) | Value::Seq(_), _) | (_, Value::Map(_) | Value::Seq(_)) => {
                if old.same_value(new) {
                    Ok(())
                } else {
                    self.replace(old, span, new, place)
                }
            }
            (a, b) if a == b => Ok(()),
            _ => self.scalar(old, span, new, matches!(place, Place::Flow)),
        }
    }

    /// A scalar changed in place, in its own quotes where the value allows.
    fn scalar(&mut self, old: &Node, span: Span, new: &Node, flow: bool) -> Result<(), Up> {
        let style = match old.src.style {
            Style::Literal | Style::Folded => Style::New,
            style => style,
        };
        let text = self.writer.scalar(&new.value, style, flow);
        if span.start == span.end {
            // Nothing was written: the value goes after the indicator.
            if new.is_null() {
                return Ok(());
            }
            self.patch(
                self.lines.offset(span.start),
                self.lines.offset(span.end),
                format!(" {text}"),
                Some(span),
            );
        } else {
            self.patch(
                self.lines.offset(span.start),
                self.lines.offset(span.end),
                text,
                Some(span),
            );
        }
        Ok(())
    }

    /// Writes `new` anew where `old` is written (`here`).
    fn replace(&mut self, old: &Node, here: Span, new: &Node, place: &Place) -> Result<(), Up> {
        let text = self.text;
        // What the edit left of the node's aliases and anchors stays as written.
        let writer = Writer {
            layout: self.writer.layout,
            text,
            lines: self.lines,
            aliases: unchanged_aliases(old, new),
            anchors: true,
        };
        let like = Some(old).filter(|o| o.src.span.is_some());
        let owner = old.src.span.filter(|_| old.src.via == Via::Written);
        match *place {
            Place::Flow => {
                let written = writer.flow(new, like);
                self.patch(
                    self.lines.offset(here.start),
                    self.lines.offset(here.end),
                    written,
                    owner,
                );
            }
            Place::Root => {
                let column = column(text, self.lines.offset(here.start));
                let mut written = String::new();
                match &new.value {
                    Value::Map(entries) if !entries.is_empty() => {
                        self.writer
                            .block_entries(entries, None, column, false, &mut written)
                    }
                    Value::Seq(items) if !items.is_empty() => {
                        self.writer
                            .block_items(items, None, column, false, &mut written)
                    }
                    _ => written = writer.flow(new, like),
                }
                self.patch(
                    self.lines.offset(here.start),
                    self.lines.offset(here.end),
                    written,
                    owner,
                );
            }
            Place::BlockValue(key) => {
                let colon = extent::indicator(text, self.lines.offset(key.end), b':').ok_or(Up)?;
                let key_column = column(text, self.lines.offset(key.start));
                let written = writer.after_key(new, like, key_column);
                let block_kept = old.src.style == Style::Block
                    && old.src.via == Via::Written
                    && written.starts_with(writer.layout.eol)
                    && extent::starts_line(text, self.lines.offset(here.start));
                if block_kept {
                    // Block for block: the key's line (and its comment) stays.
                    let start = extent::line_start(text, self.lines.offset(here.start));
                    let lines = written.get(writer.layout.eol.len()..).unwrap_or_default();
                    self.patch(start, self.lines.offset(here.end), lines.to_string(), owner);
                } else {
                    self.patch(colon + 1, self.lines.offset(here.end), written, owner);
                }
            }
            Place::BlockItem(dash) => {
                let written = writer.after_dash(new, like, column(text, dash));
                self.patch(dash + 1, self.lines.offset(here.end), written, owner);
            }
        }
        Ok(())
    }

    /// A mapping kept by the edit: entries renamed, changed, inserted, deleted.
    fn map(
        &mut self,
        old: &Node,
        span: Span,
        new: &Node,
        place: &Place,
        parent: Option<&Node>,
    ) -> Result<(), Up> {
        let (Some(old_entries), Some(new_entries)) = (old.as_map(), new.as_map()) else {
            return Err(Up);
        };
        let flow = old.src.style == Style::Flow;
        if new_entries.is_empty() || old_entries.is_empty() || old.src.style == Style::New {
            return self.replace(old, span, new, place);
        }
        // The entries written in this mapping (not merged into it): key, value, and
        // where each is written.
        let local: Vec<Entry> = old_entries
            .iter()
            .filter(|(k, _)| k.src.via == Via::Written)
            .map(|(k, v)| {
                Some(Entry {
                    key: k.src.span?,
                    here: v.src.here()?,
                    old_key: k,
                    old_value: v,
                })
            })
            .collect::<Option<_>>()
            .ok_or(Up)?;
        let old_ids: Vec<Option<Span>> = local.iter().map(|e| Some(e.key)).collect();
        let new_ids: Vec<Option<Span>> = new_entries
            .iter()
            .map(|(k, _)| k.src.span.filter(|_| k.src.via == Via::Written))
            .collect();
        // An entry the edit made anew under a key it dropped is that entry, changed.
        let pairs = pair(&old_ids, &new_ids, |o, n| {
            let (key, _) = new_entries.get(n)?;
            let entry = local.get(o)?;
            Some(!matches!(key.src.via, Via::Merge(_)) && entry.old_key.same_value(key))
        })?;
        let mut anchor = Anchor::Start;
        let mut inserts: Vec<(Anchor, &Node, &Node, Option<&Node>)> = Vec::new();
        for ((k, v), paired) in new_entries.iter().zip(&pairs) {
            if let Some(entry) = paired.and_then(|i| local.get(i)) {
                anchor = Anchor::After(entry.here);
                if !entry.old_key.same_value(k) {
                    self.scalar(entry.old_key, entry.key, k, flow)?;
                }
                let child = if flow {
                    Place::Flow
                } else {
                    Place::BlockValue(entry.key)
                };
                if self.node(entry.old_value, v, &child, Some(old)).is_err() {
                    self.replace(entry.old_value, entry.here, v, &child)?;
                }
            } else if let Via::Merge(from) = k.src.via {
                let (_, merged) = old_entries
                    .iter()
                    .find(|(ok, _)| matches!(ok.src.via, Via::Merge(_)) && ok.same_value(k))
                    .ok_or(Up)?;
                if !merged.same_value(v) {
                    // An override on this mapping, after the `<<` that brings the value.
                    inserts.push((Anchor::After(from.ok_or(Up)?), k, v, Some(merged)));
                }
            } else {
                let like = like_for_entry(old, parent, k, v, matches!(place, Place::Root));
                inserts.push((anchor, k, v, like));
            }
        }
        // A merged entry the edit dropped cannot be dropped from the text.
        let dropped_merge = old_entries
            .iter()
            .filter(|(k, _)| matches!(k.src.via, Via::Merge(_)))
            .any(|(k, _)| !new_entries.iter().any(|(nk, _)| nk.same_value(k)));
        if dropped_merge {
            return Err(Up);
        }
        let spans: Vec<(usize, usize)> = local
            .iter()
            .map(|e| {
                (
                    self.lines.offset(e.key.start),
                    self.lines.offset(e.here.end),
                )
            })
            .collect();
        self.delete(&spans, &deleted(&pairs, local.len()), flow, span)?;
        if inserts.is_empty() {
            return Ok(());
        }
        // Entries go in the column of those written (the `<<` entry's, when all merged).
        let first = match local.first() {
            Some(e) => self.lines.offset(e.key.start),
            None => self.lines.offset(span.start),
        };
        let key_column = column(self.text, first);
        let last = local.last().map(|e| e.here);
        for (anchor, k, v, like) in inserts {
            let entry = if flow {
                let key = self.writer.key(k);
                format!("{key}: {}", self.writer.flow(v, like))
            } else {
                let key = self.writer.key(k);
                let value = self.writer.after_key(v, like, key_column);
                format!("{key}:{value}")
            };
            // The root's new last entry goes at the end of the file, after any comments.
            let at_end = matches!(place, Place::Root)
                && !flow
                && last.is_some_and(|l| anchor == Anchor::After(l));
            self.insert(entry, anchor, first, key_column, flow, span, at_end)?;
        }
        Ok(())
    }

    /// A sequence kept by the edit: items changed, inserted, deleted.
    fn seq(&mut self, old: &Node, span: Span, new: &Node, place: &Place) -> Result<(), Up> {
        let (Some(old_items), Some(new_items)) = (old.as_seq(), new.as_seq()) else {
            return Err(Up);
        };
        let flow = old.src.style == Style::Flow;
        if new_items.is_empty() || old_items.is_empty() || old.src.style == Style::New {
            return self.replace(old, span, new, place);
        }
        let heres: Vec<Span> = old_items
            .iter()
            .map(|i| i.src.here())
            .collect::<Option<_>>()
            .ok_or(Up)?;
        // Where each item starts: its `-` in block style.
        let starts: Vec<usize> = if flow {
            heres.iter().map(|h| self.lines.offset(h.start)).collect()
        } else {
            let mut dashes = Vec::with_capacity(heres.len());
            let mut from = self.lines.offset(span.start);
            for here in &heres {
                dashes.push(extent::indicator(self.text, from, b'-').ok_or(Up)?);
                from = self.lines.offset(here.end);
            }
            dashes
        };
        let identity = |n: &Node| match n.src.via {
            Via::Alias(site) => site,
            Via::Written => n.src.span,
            Via::Merge(_) => None,
        };
        let old_ids: Vec<Option<Span>> = old_items.iter().map(identity).collect();
        let new_ids: Vec<Option<Span>> = new_items.iter().map(identity).collect();
        // An item the edit made anew, equal to one it dropped, is that one.
        let pairs = pair(&old_ids, &new_ids, |o, n| {
            Some(old_items.get(o)?.same_value(new_items.get(n)?))
        })?;
        let mut anchor = Anchor::Start;
        let mut inserts: Vec<(Anchor, &Node)> = Vec::new();
        for (item, paired) in new_items.iter().zip(&pairs) {
            let Some(i) = *paired else {
                inserts.push((anchor, item));
                continue;
            };
            let (Some(old_item), Some(here), Some(start)) =
                (old_items.get(i), heres.get(i), starts.get(i))
            else {
                return Err(Up);
            };
            anchor = Anchor::After(*here);
            let child = if flow {
                Place::Flow
            } else {
                Place::BlockItem(*start)
            };
            if self.node(old_item, item, &child, Some(old)).is_err() {
                self.replace(old_item, *here, item, &child)?;
            }
        }
        let spans: Vec<(usize, usize)> = starts
            .iter()
            .zip(&heres)
            .map(|(s, h)| (*s, self.lines.offset(h.end)))
            .collect();
        self.delete(&spans, &deleted(&pairs, old_items.len()), flow, span)?;
        let first = starts.first().copied().ok_or(Up)?;
        let dash_column = column(self.text, first);
        for (anchor, item) in inserts {
            let like = item_like(Some(old), item);
            let written = if flow {
                self.writer.flow(item, like)
            } else {
                let rest = self.writer.after_dash(item, like, dash_column);
                format!("-{rest}")
            };
            self.insert(written, anchor, first, dash_column, flow, span, false)?;
        }
        Ok(())
    }

    /// Inserts an entry or item (`written`) of the collection at `owner` whose first
    /// entry starts at `first` (its key or dash, at `column`): after the entry written
    /// at `anchor`, or before the first one; with a line break and indentation in block
    /// style, a comma in flow style. `at_end`: at the end of the file.
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &mut self,
        written: String,
        anchor: Anchor,
        first: usize,
        column: usize,
        flow: bool,
        owner: Span,
        at_end: bool,
    ) -> Result<(), Up> {
        let text = self.text;
        let eol = self.writer.layout.eol;
        let indent = " ".repeat(column);
        let (at, joined) = match anchor {
            Anchor::After(here) if flow => {
                let separator = self.flow_separator(owner);
                (self.lines.offset(here.end), format!("{separator}{written}"))
            }
            // After the file's last line that is not blank (and after what else goes
            // there: an entry added at the end of the last mapping comes first).
            Anchor::After(_) if at_end => {
                let end = end_of_content(text);
                match extent::next_line(text, end) {
                    Some(next) => (next, format!("{indent}{written}{eol}")),
                    None => (end, format!("{eol}{indent}{written}")),
                }
            }
            // At the start of the line after the entry's last (so that deleting that
            // line, the end of a value inside the entry, leaves the new one).
            Anchor::After(here) => {
                let tail = extent::rest_of_line(text, self.lines.offset(here.end)).ok_or(Up)?;
                match extent::next_line(text, tail) {
                    Some(next) => (next, format!("{indent}{written}{eol}")),
                    None => (tail, format!("{eol}{indent}{written}")),
                }
            }
            Anchor::Start if flow => {
                let separator = self.flow_separator(owner);
                (first, format!("{written}{separator}"))
            }
            // A line of its own before the first entry's line (so that deleting that
            // entry's lines leaves it)...
            Anchor::Start if extent::starts_line(text, first) => (
                extent::line_start(text, first),
                format!("{indent}{written}{eol}"),
            ),
            // ... or, before `a: 1` in `- a: 1`, the dash's line.
            Anchor::Start => (first, format!("{written}{eol}{indent}")),
        };
        self.patch(at, at, joined, Some(owner));
        Ok(())
    }

    /// How a flow collection separates its entries: `, `, `,`, or a line break and the
    /// indentation of its first entry.
    fn flow_separator(&self, collection: Span) -> String {
        let text = self
            .text
            .get(self.lines.range(collection))
            .unwrap_or_default();
        let inner = text.get(1..).unwrap_or_default();
        let first = extent::skip_trivia(inner, 0);
        if text
            .get(1..1 + first)
            .is_some_and(|lead| lead.contains('\n'))
        {
            let start = self.lines.offset(collection.start) + 1 + first;
            return format!(
                ",{}{}",
                self.writer.layout.eol,
                " ".repeat(column(self.text, start))
            );
        }
        match text.find(',') {
            Some(comma)
                if !text
                    .get(comma + 1..)
                    .is_some_and(|r| r.starts_with([' ', '\n', '\r'])) =>
            {
                ",".to_string()
            }
            _ => ", ".to_string(),
        }
    }

    /// Deletes entries or items of a collection whose entries are written at `spans`
    /// (from key or dash to the value's end): their own lines (with their comments) in
    /// block style; in flow style each run of them with the comma that joins it to the
    /// next entry kept (or else the previous one).
    fn delete(
        &mut self,
        spans: &[(usize, usize)],
        deleted: &[usize],
        flow: bool,
        owner: Span,
    ) -> Result<(), Up> {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for &i in deleted {
            match runs.last_mut() {
                Some((_, last)) if flow && *last + 1 == i => *last = i,
                _ => runs.push((i, i)),
            }
        }
        for (first, last) in runs {
            let (start, _) = *spans.get(first).ok_or(Up)?;
            let (_, end) = *spans.get(last).ok_or(Up)?;
            let next = spans.get(last + 1).map(|(s, _)| *s);
            let (start, end) = if flow {
                let previous = first
                    .checked_sub(1)
                    .and_then(|p| spans.get(p))
                    .map(|(_, e)| *e);
                match (next, previous) {
                    (Some(next), _) => (start, next),
                    (None, Some(previous)) => (previous, end),
                    (None, None) => (start, end),
                }
            } else {
                self.block_deletion(start, end, next)?
            };
            self.patch(start, end, String::new(), Some(owner));
        }
        Ok(())
    }

    /// The text of a block entry or item from `start` (its key or dash) to `end` (its
    /// value's end): its whole lines when it starts a line, else up to the next one.
    fn block_deletion(
        &self,
        start: usize,
        end: usize,
        next: Option<usize>,
    ) -> Result<(usize, usize), Up> {
        let text = self.text;
        if !extent::starts_line(text, start) {
            // `- a: 1` losing `a`: the next entry moves up after the dash.
            let next = next.filter(|n| extent::starts_line(text, *n)).ok_or(Up)?;
            return Ok((start, next));
        }
        let line = extent::line_start(text, start);
        let tail = extent::rest_of_line(text, end).ok_or(Up)?;
        match extent::next_line(text, tail) {
            Some(after) => Ok((line, after)),
            // The last line, with no line break after it: take the one before it, so the
            // file still ends as it did.
            None => {
                let before = text
                    .get(..line)
                    .map_or(line, |b| b.trim_end_matches(['\n', '\r']).len());
                Ok((before.min(line), tail))
            }
        }
    }
}

/// Where an inserted entry goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// Before the first entry written in the collection.
    Start,
    /// After the entry (or `<<` entry, for an override) whose value is written here.
    After(Span),
}

/// An entry written in a mapping.
struct Entry<'n> {
    key: Span,
    /// Where its value is written (the alias, for an alias copy).
    here: Span,
    old_key: &'n Node,
    old_value: &'n Node,
}

/// Pairs the new children of a collection with the old ones: for each new child, the
/// index of the old child it is. First by identity (the span it was read from); then a
/// new child with none is paired with an old child left between the same neighbours
/// that `alike` says it stands for. `Up` when the edit reordered children.
fn pair(
    old: &[Option<Span>],
    new: &[Option<Span>],
    alike: impl Fn(usize, usize) -> Option<bool>,
) -> Result<Vec<Option<usize>>, Up> {
    let index: HashMap<Span, usize> = old
        .iter()
        .enumerate()
        .filter_map(|(i, id)| Some(((*id)?, i)))
        .collect();
    let mut last: Option<usize> = None;
    let mut out = Vec::with_capacity(new.len());
    for id in new {
        let found = id.and_then(|id| index.get(&id).copied());
        match found {
            // The same node twice: the second is a copy, written as new.
            Some(i) if last == Some(i) => out.push(None),
            Some(i) if last.is_some_and(|l| l > i) => return Err(Up),
            Some(i) => {
                last = Some(i);
                out.push(Some(i));
            }
            None => out.push(None),
        }
    }
    let mut taken = vec![false; old.len()];
    for i in out.iter().flatten() {
        if let Some(t) = taken.get_mut(*i) {
            *t = true;
        }
    }
    // Between two paired children, the unpaired ones on each side, in order.
    let mut floor = 0;
    for n in 0..out.len() {
        match out.get(n).copied().flatten() {
            Some(i) => floor = i + 1,
            None => {
                let ceiling = out
                    .iter()
                    .skip(n)
                    .flatten()
                    .next()
                    .copied()
                    .unwrap_or(old.len());
                let found = (floor..ceiling).find(|i| {
                    !taken.get(*i).copied().unwrap_or(true) && alike(*i, n) == Some(true)
                });
                if let Some(i) = found {
                    if let (Some(slot), Some(t)) = (out.get_mut(n), taken.get_mut(i)) {
                        *slot = Some(i);
                        *t = true;
                    }
                    floor = i + 1;
                }
            }
        }
    }
    Ok(out)
}

/// The old children no new child pairs with.
fn deleted(pairs: &[Option<usize>], old: usize) -> Vec<usize> {
    let mut kept = vec![false; old];
    for i in pairs.iter().flatten() {
        if let Some(k) = kept.get_mut(*i) {
            *k = true;
        }
    }
    (0..old).filter(|i| kept.get(*i) == Some(&false)).collect()
}

/// The column of `pos` in bytes (indentation is ASCII).
fn column(text: &str, pos: usize) -> usize {
    pos - extent::line_start(text, pos)
}

/// Where the text's content ends: before trailing blank lines and a `...` marker.
fn end_of_content(text: &str) -> usize {
    let mut end = text.trim_end().len();
    let last = extent::line_start(text, end);
    if text.get(last..end).is_some_and(|l| l.trim() == "...") {
        end = text.get(..last).map_or(0, |t| t.trim_end().len());
    }
    end
}

/// What a new entry of `map` should look like: the value it overrides, the same key in
/// the mapping's siblings (`parent`'s other mappings), or, below the root, the last
/// value written in the mapping that is of the same kind.
fn like_for_entry<'n>(
    map: &'n Node,
    parent: Option<&'n Node>,
    key: &Node,
    value: &Node,
    root: bool,
) -> Option<&'n Node> {
    let entries = map.as_map()?;
    if let Some((_, v)) = entries.iter().find(|(k, _)| k.same_value(key)) {
        return Some(v);
    }
    let kind = |n: &Node| std::mem::discriminant(&n.value);
    let siblings: Vec<&Node> = match parent.map(|p| &p.value) {
        Some(Value::Map(entries)) => entries.iter().map(|(_, v)| v).collect(),
        Some(Value::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    let cousin = siblings
        .iter()
        .filter(|s| s.src.span != map.src.span)
        .find_map(|s| entry_like(Some(s), key))
        .filter(|c| kind(c) == kind(value) && c.src.span.is_some());
    if cousin.is_some() || root {
        return cousin;
    }
    entries
        .iter()
        .rev()
        .filter(|(k, v)| k.src.via == Via::Written && v.src.span.is_some())
        .map(|(_, v)| v)
        .find(|v| kind(v) == kind(value))
}
