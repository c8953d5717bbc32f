//! The YAML document as the user wrote it: every key in order, every node with
//! its line and column and the bytes of text it was read from, anchors and `<<`
//! merges resolved (each copy knows where it came from).
//!
//! The text is the design's source of truth; this tree is what it means. Edits
//! change a copy of the tree and [`rewrite`] turns the difference into a few
//! replacements of the text, so everything the edit did not touch stays as written.

use std::sync::Arc;

mod emit;
mod extent;
mod parse;
mod render;
mod reread;
pub(crate) use reread::moved_by;
pub mod rewrite;

pub use emit::emit;
pub use parse::{parse, Limits, ParseError};

/// A place in the source file, 1-based, as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Location {
    /// Line, starting at 1 (0 for nodes created by an edit).
    pub line: u32,
    /// Column, starting at 1 (0 for nodes created by an edit).
    pub column: u32,
}

impl Location {
    /// The location of nodes that were not read from a file.
    pub const NONE: Location = Location { line: 0, column: 0 };

    /// Whether this location points into a file.
    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A place in the source text: a line (from 0) and the bytes before it on that line.
/// An edit that keeps the number of lines moves no place outside the lines it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Point {
    /// Line, from 0.
    pub line: u32,
    /// Bytes before it on its line.
    pub column: u32,
}

/// A stretch of the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Where it starts.
    pub start: Point,
    /// Where it ends (just past its last byte).
    pub end: Point,
}

/// The lines of a text, to turn [`Point`]s into byte offsets and back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lines {
    /// The byte offset where each line starts.
    starts: Vec<usize>,
    /// The text's length.
    len: usize,
}

impl Lines {
    /// The lines of `text`.
    pub fn new(text: &str) -> Lines {
        let mut starts = Vec::with_capacity(text.len() / 24 + 1);
        starts.push(0);
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines {
            starts,
            len: text.len(),
        }
    }

    /// The byte offset of a point (clamped to the text).
    pub fn offset(&self, point: Point) -> usize {
        let line = self
            .starts
            .get(point.line as usize)
            .copied()
            .unwrap_or(self.len);
        (line + point.column as usize).min(self.len)
    }

    /// The byte offsets a span covers.
    pub fn range(&self, span: Span) -> std::ops::Range<usize> {
        self.offset(span.start)..self.offset(span.end)
    }

    /// The point at a byte offset.
    pub fn point(&self, offset: usize) -> Point {
        let line = self
            .starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        Point {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(offset.saturating_sub(start)).unwrap_or(u32::MAX),
        }
    }

    /// How many lines the text has (a text ending with a line break has an empty last one).
    pub fn count(&self) -> usize {
        self.starts.len()
    }
}

/// How a node was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Style {
    /// Not read from the text (made by an edit).
    #[default]
    New,
    /// A scalar without quotes.
    Plain,
    /// A scalar in `'single quotes'`.
    SingleQuoted,
    /// A scalar in `"double quotes"`.
    DoubleQuoted,
    /// A `|` block scalar.
    Literal,
    /// A `>` block scalar.
    Folded,
    /// A collection written one entry per line.
    Block,
    /// A collection written in `[...]` or `{...}`.
    Flow,
}

/// How a node came to be where it is in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Via {
    /// Written where it is (or made by an edit).
    #[default]
    Written,
    /// A copy of an anchored node, made by the `*alias` written at this span. The node's
    /// own span is the anchor's.
    Alias(Option<Span>),
    /// A mapping entry brought in by the `<<` entry written at this span (set on the key;
    /// the key's and value's spans are those of the merged mapping).
    Merge(Option<Span>),
}

/// Where a node was read from: its bytes, style and provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Source {
    /// The node's own text: a scalar with its quotes or block header, a flow collection
    /// from bracket to bracket, a block collection from its first entry to the end of
    /// its last value, an alias's anchor. `None` for nodes made by an edit, and for the
    /// rare ones whose text could not be placed (they are rewritten whole when edited).
    pub span: Option<Span>,
    /// How it was written.
    pub style: Style,
    /// Whether it is a copy made by an alias or a merge.
    pub via: Via,
    /// Its `&anchor`, when it has one (and it could be placed).
    pub anchor: Option<Span>,
}

impl Source {
    /// The text that puts this node in its place: the `*alias` for an alias copy,
    /// otherwise the node's own span.
    pub fn here(&self) -> Option<Span> {
        match self.via {
            Via::Alias(site) => site,
            Via::Written | Via::Merge(_) => self.span,
        }
    }
}

/// A scalar, sequence or mapping with the place it was read from. (Equal nodes are the
/// same value read from the same place; shared children compare at once.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where it starts in the source.
    pub at: Location,
    /// Its text in the source, for edits that keep everything else as written.
    pub src: Source,
}

/// The content of a [`Node`], typed by YAML's core schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer written without quotes.
    Int(i64),
    /// A float, kept as written so it survives a round trip unchanged.
    Float(String),
    /// A string (quoted, or plain text that is no other type).
    Str(String),
    /// A sequence. Its items are shared by copies of the tree until one changes them.
    Seq(Arc<Vec<Node>>),
    /// A mapping, in the order the keys were written; shared like a sequence's items.
    Map(Arc<Vec<(Node, Node)>>),
}

impl Node {
    /// A node with no source location, for values created by edits.
    pub fn new(value: Value) -> Node {
        Node {
            value,
            at: Location::NONE,
            src: Source::default(),
        }
    }

    /// A string node with no source location.
    pub fn str(s: impl Into<String>) -> Node {
        Node::new(Value::Str(s.into()))
    }

    /// An empty mapping with no source location.
    pub fn map() -> Node {
        Node::new(Value::Map(Arc::default()))
    }

    /// An empty sequence with no source location.
    pub fn seq() -> Node {
        Node::new(Value::Seq(Arc::default()))
    }

    /// A mapping of these entries, with no source location.
    pub fn map_of(entries: Vec<(Node, Node)>) -> Node {
        Node::new(Value::Map(Arc::new(entries)))
    }

    /// A sequence of these items, with no source location.
    pub fn seq_of(items: Vec<Node>) -> Node {
        Node::new(Value::Seq(Arc::new(items)))
    }

    /// The entries if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entries if this is a mapping, for editing (copied first if shared).
    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(Node, Node)>> {
        match &mut self.value {
            Value::Map(entries) => Some(Arc::make_mut(entries)),
            _ => None,
        }
    }

    /// The items if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The items if this is a sequence, for editing (copied first if shared).
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(items) => Some(Arc::make_mut(items)),
            _ => None,
        }
    }

    /// The string if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this node is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Any scalar as the text compose would see (`80`, `true`, `0.5`, `web`); `None` for
    /// null, sequences and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.clone()),
            Value::Str(s) => Some(s.clone()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The value under a string key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Whether this scalar reads as `text` where compose takes a name (its
    /// [`scalar_text`](Node::scalar_text)): a key `8080:` or `false:` names the network
    /// `8080` or `false`, as the model calls it.
    pub fn is_text(&self, text: &str) -> bool {
        match &self.value {
            Value::Str(s) => s == text,
            Value::Bool(b) => (if *b { "true" } else { "false" }) == text,
            Value::Int(i) => i.to_string() == text,
            Value::Float(f) => f == text,
            Value::Null | Value::Seq(_) | Value::Map(_) => false,
        }
    }

    /// The key node and value under a key of a mapping (matched by its text, see
    /// [`Node::is_text`]).
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.is_text(key))
            .map(|(k, v)| (k, v))
    }

    /// The value under a key, for editing.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?
            .iter_mut()
            .find(|(k, _)| k.is_text(key))
            .map(|(_, v)| v)
    }

    /// The value under `key`, inserted at the end of the mapping as `default` when it is
    /// missing. `None` when this node is not a mapping.
    pub fn get_or_insert(&mut self, key: &str, default: Node) -> Option<&mut Node> {
        let entries = self.as_map_mut()?;
        let index = match entries.iter().position(|(k, _)| k.is_text(key)) {
            Some(index) => index,
            None => {
                entries.push((Node::str(key), default));
                entries.len() - 1
            }
        };
        entries.get_mut(index).map(|(_, v)| v)
    }

    /// Sets `key` to `value`, keeping the key's place when it exists. Returns false when
    /// this node is not a mapping.
    pub fn set(&mut self, key: &str, value: Node) -> bool {
        let Some(entries) = self.as_map_mut() else {
            return false;
        };
        match entries.iter_mut().find(|(k, _)| k.is_text(key)) {
            Some((_, v)) => *v = value,
            None => entries.push((Node::str(key), value)),
        }
        true
    }

    /// Removes `key` from a mapping and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let entries = self.as_map_mut()?;
        let index = entries.iter().position(|(k, _)| k.is_text(key))?;
        Some(entries.remove(index).1)
    }

    /// Whether two trees mean the same, wherever and however they were written. A
    /// mapping with entries merged by `<<` is compared as a set: an override written on
    /// it may sit elsewhere among its keys than the entry it overrides.
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Seq(a), Value::Seq(b)) => {
                Arc::ptr_eq(a, b)
                    || a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same_value(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                if Arc::ptr_eq(a, b) {
                    return true;
                }
                if a.len() != b.len() {
                    return false;
                }
                let merged = |entries: &[(Node, Node)]| {
                    entries
                        .iter()
                        .any(|(k, _)| matches!(k.src.via, Via::Merge(_)))
                };
                if merged(a) || merged(b) {
                    a.iter().all(|(ka, va)| {
                        b.iter()
                            .any(|(kb, vb)| ka.same_value(kb) && va.same_value(vb))
                    })
                } else {
                    a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka.same_value(kb) && va.same_value(vb))
                }
            }
            (a, b) => a == b,
        }
    }

    /// A short name of the node's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Node {
        parse(text, Limits::default()).unwrap_or_else(|e| Node::str(format!("ERR {e}")))
    }

    #[test]
    fn locations_point_at_keys_and_values() {
        let doc = read("version: '3.8'\nservices:\n  api:\n    image: x\n");
        let (key, value) = doc
            .get("services")
            .and_then(|s| s.entry("api"))
            .map(|(k, v)| (k.at, v.at))
            .unwrap_or_default();
        assert_eq!(key, Location { line: 3, column: 3 });
        assert_eq!(value.line, 4);
        let image = doc
            .get("services")
            .and_then(|s| s.get("api"))
            .and_then(|a| a.get("image"))
            .map(|n| n.at);
        assert_eq!(
            image,
            Some(Location {
                line: 4,
                column: 12
            })
        );
    }

    #[test]
    fn scalars_keep_their_type_and_text() {
        let doc = read("a: 80\nb: '80'\nc: 0.5\nd: yes\ne: ~\nf: 8080:80\ng: true\n");
        let v = |k: &str| doc.get(k).map(|n| n.value.clone());
        assert_eq!(v("a"), Some(Value::Int(80)));
        assert_eq!(v("b"), Some(Value::Str("80".into())));
        assert_eq!(v("c"), Some(Value::Float("0.5".into())));
        assert_eq!(v("d"), Some(Value::Str("yes".into())));
        assert_eq!(v("e"), Some(Value::Null));
        assert_eq!(v("f"), Some(Value::Str("8080:80".into())));
        assert_eq!(v("g"), Some(Value::Bool(true)));
    }

    #[test]
    fn merges_follow_yaml_rules() {
        let doc = read("x-a: &a {k: 1, j: 2}\nx-b: &b {k: 3, m: 4}\ns:\n  <<: [*a, *b]\n  j: 9\n");
        let s = doc
            .get("s")
            .and_then(Node::as_map)
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        let keys: Vec<_> = s
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.scalar_text()?)))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("k".into(), "1".into()),
                ("m".into(), "4".into()),
                ("j".into(), "9".into())
            ]
        );
    }

    #[test]
    fn alias_bombs_and_depth_are_bounded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            bomb.push_str(&format!(
                "{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n",
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char
            ));
        }
        assert!(matches!(
            parse(&bomb, Limits::default()),
            Err(ParseError::AliasExpansion { .. })
        ));
        let deep = "[".repeat(10_000);
        assert!(parse(&deep, Limits::default()).is_err());
        assert_eq!(
            parse("a: 1\nb: x\u{0}y\nc: 3\n", Limits::default()),
            Err(ParseError::Nul {
                at: Location { line: 2, column: 5 }
            })
        );
        let big = "a".repeat(9 * 1024 * 1024);
        assert!(matches!(
            parse(&big, Limits::default()),
            Err(ParseError::TooLarge { .. })
        ));
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_have_places() {
        match parse("a: 1\nb: 2\na: 3\n", Limits::default()) {
            Err(ParseError::DuplicateKey {
                key,
                at,
                first_line,
            }) => {
                assert_eq!((key.as_str(), at.line, first_line), ("a", 3, 1));
            }
            other => panic!("expected a duplicate key error, got {other:?}"),
        }
        // Docker refuses two merge keys in one mapping as it does any key written twice.
        let merges = "x-a: &a {A: 1}\nx-b: &b {B: 2}\nenv:\n  <<: *a\n  <<: *b\n";
        match parse(merges, Limits::default()) {
            Err(ParseError::DuplicateMerge { at, first_line }) => {
                assert_eq!((at.line, first_line), (5, 4));
            }
            other => panic!("expected a duplicate merge error, got {other:?}"),
        }
        assert!(parse(
            "x-a: &a {A: 1}\nx-b: &b {B: 2}\nenv:\n  <<: [*a, *b]\n",
            Limits::default()
        )
        .is_ok());
        let err = parse("services:\n  api: [unclosed\n", Limits::default()).err();
        assert!(err
            .and_then(|e| e.location())
            .is_some_and(|at| at.line >= 2));
    }

    #[test]
    fn closing_bracket_at_parent_indent_is_read_like_docker_does() {
        let doc = read("a:\n  test: [\n      \"x\",\n  ]\n  b: 1\n");
        assert_eq!(
            doc.get("a")
                .and_then(|a| a.get("b"))
                .map(|n| n.value.clone()),
            Some(Value::Int(1))
        );
    }

    #[test]
    fn emit_quotes_what_could_be_misread() {
        let doc =
            read("ports:\n  - \"8080:80\"\n  - 80\nv: '3.8'\nb: 'yes'\nm: \"line1\\nline2\"\n");
        let text = emit(&doc);
        let back = read(&text);
        assert_eq!(back.get("m").and_then(Node::as_str), Some("line1\nline2"));
        assert_eq!(back.get("b").and_then(Node::as_str), Some("yes"));
        assert!(text.contains("\"8080:80\""), "{text}");
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;

    /// Every placed scalar's text reads back as its value; every flow collection's text
    /// is bracketed; block collections end where their last child does.
    pub(crate) fn check(text: &str, node: &Node, path: &str, out: &mut Vec<String>) {
        let Some(span) = node.src.span else {
            if node.src.via == Via::Written {
                out.push(format!("{path}: no span"));
            }
            return;
        };
        if node.src.via != Via::Written {
            return;
        }
        let Some(written) = text.get(Lines::new(text).range(span)) else {
            out.push(format!("{path}: span {span:?} outside"));
            return;
        };
        match &node.value {
            Value::Seq(items) => {
                if node.src.style == Style::Flow
                    && !(written.starts_with('[') && written.ends_with(']'))
                {
                    out.push(format!("{path}: flow seq {written:?}"));
                }
                if node.src.style == Style::Block && !written.starts_with('-') {
                    out.push(format!("{path}: block seq {written:?}"));
                }
                for (i, item) in items.iter().enumerate() {
                    check(text, item, &format!("{path}[{i}]"), out);
                }
            }
            Value::Map(entries) => {
                if node.src.style == Style::Flow
                    && !(written.starts_with('{') && written.ends_with('}'))
                {
                    out.push(format!("{path}: flow map {written:?}"));
                }
                for (k, v) in entries.iter() {
                    if k.src.via != Via::Written {
                        continue;
                    }
                    let name = k.scalar_text().unwrap_or_default();
                    check(text, k, &format!("{path}.{name}(key)"), out);
                    check(text, v, &format!("{path}.{name}"), out);
                }
            }
            _ if span.start == span.end => {
                if !node.is_null() && node.as_str() != Some("") {
                    out.push(format!("{path}: empty span for {:?}", node.value));
                }
            }
            _ => {
                let again = parse(&format!("k: {written}"), Limits::default())
                    .ok()
                    .and_then(|d| d.get("k").map(|n| n.value.clone()));
                let block = matches!(node.src.style, Style::Literal | Style::Folded);
                if !block && again.as_ref() != Some(&node.value) {
                    out.push(format!(
                        "{path}: {written:?} reads as {again:?}, not {:?}",
                        node.value
                    ));
                }
            }
        }
    }

    fn spans(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        match parse(text, Limits::default()) {
            Ok(doc) => check(text, &doc, "", &mut out),
            Err(e) => out.push(format!("parse: {e}")),
        }
        out
    }

    #[test]
    fn spans_cover_their_text() {
        let texts = [
            "version: \"3.8\"\nx-a: &a\n  k: 1\n  j: [x, y]\ns:\n  <<: *a\n  img: &i !!str plain words\n  t: *i\n  e:\n  f: {a: 1, b: }\n  l:\n  - a\n  - \n  - |\n    lit\n    more\n\n  # c\n  m: \"q\\\"x\" # c\n",
            "---\n# top\nservices:\n    web:\n        ports:\n            - \"80:80\"\n            - target: 1\n              mode: host\n        nets:\n          - - a\n            - b\n        cmd: this is\n          multi line\n        q: \"dq\n          cont\"\n        é: ü\n        f: [a, {b: c},\n            d]\n        \"k y\": 1\n...\n",
            "a: &x\n- &y p\n- q\nb: &z\n  - r\nc: !!seq\n  - s\nd: &m {k: v}\ne:\n  - &n\n    k: v\n  -   # c\n    k2: v\nf:\n  - |\n\n     x\n  - >-\n    y\n",
            "a:\r\n  b: 1\r\n  c: [x, 'y''s']\r\n",
            "a:\n  test: [\n      \"x\",\n  ]\n  b: 1\n",
            "k: v",
            "- a\n- b: 1\n  c: 2\n-\n- - x\n  - y\n",
        ];
        for text in texts {
            let problems = spans(text);
            assert!(problems.is_empty(), "{text}\n{problems:#?}");
        }
    }

    #[test]
    fn spans_cover_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if !path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if parse(&text, Limits::default()).is_err() {
                continue;
            }
            let problems = spans(&text);
            assert!(problems.is_empty(), "{}\n{problems:#?}", path.display());
            files += 1;
        }
        assert!(files >= 20, "{files} corpus files");
    }
}
