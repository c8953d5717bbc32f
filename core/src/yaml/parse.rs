//! Reading YAML text into a [`Node`] tree, within bounds of size, depth and alias
//! expansion so that no input can exhaust time or memory.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

use super::extent::{self, CharOffsets};
use super::{Lines, Location, Node, Source, Span, Style, Value, Via};

/// Bounds on what a single document may cost to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Most nodes the tree may hold once aliases are expanded.
    pub max_nodes: usize,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
}

impl Default for Limits {
    /// Generous for any real compose file (the largest public ones are ~100 KB).
    fn default() -> Self {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_nodes: 2_000_000,
            max_depth: 128,
        }
    }
}

/// Why a text could not be read as YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input is over [`Limits::max_bytes`].
    #[error("the file is {size} bytes; tiermap reads compose files of up to {limit} bytes. Split the file or remove what is not a stack definition")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The text is not valid YAML.
    #[error("{message}")]
    Syntax {
        /// Where the parser stopped.
        at: Location,
        /// What it expected, in the parser's words.
        message: String,
    },
    /// Aliases expand to more nodes than [`Limits::max_nodes`] (an "alias bomb").
    #[error("aliases here expand to more than {limit} values; the file repeats an anchor too often to be a real compose file")]
    AliasExpansion {
        /// The alias that crossed the limit.
        at: Location,
        /// The limit.
        limit: usize,
    },
    /// An alias names an anchor that was not defined before it.
    #[error("the alias refers to an anchor that is not defined above it; define `&name` before using `*name`")]
    UnknownAnchor {
        /// The alias.
        at: Location,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("values are nested more than {limit} levels deep")]
    TooDeep {
        /// The mapping or sequence that crossed the limit.
        at: Location,
        /// The limit.
        limit: usize,
    },
    /// The same key twice in one mapping (compose rejects it too).
    #[error("key `{key}` is already defined at line {first_line}; remove one of them")]
    DuplicateKey {
        /// The key.
        key: String,
        /// The second occurrence.
        at: Location,
        /// Line of the first occurrence.
        first_line: u32,
    },
    /// `<<` twice in one mapping: docker reads it as a key written twice and refuses the
    /// file, though YAML merge keys might seem to allow it.
    #[error("`<<` is already written at line {first_line} in this mapping, which docker refuses; merge both with one, as `<<: [*first, *second]`")]
    DuplicateMerge {
        /// The second `<<`.
        at: Location,
        /// Line of the first.
        first_line: u32,
    },
    /// `<<` must be followed by a mapping or a list of mappings.
    #[error("`<<` must merge a mapping or a list of mappings")]
    BadMerge {
        /// The merge key.
        at: Location,
    },
    /// More than one `---` document.
    #[error("a second YAML document starts here; a compose file holds one document")]
    MultipleDocuments {
        /// Where the second document starts.
        at: Location,
    },
    /// A NUL character, which YAML does not allow (yaml-rust2 would stop reading there
    /// and ignore the rest of the file).
    #[error("a NUL character is here; a stack file holds text only, remove it")]
    Nul {
        /// Where.
        at: Location,
    },
}

impl ParseError {
    /// Where in the file the problem is.
    pub fn location(&self) -> Option<Location> {
        match self {
            ParseError::TooLarge { .. } => None,
            ParseError::Syntax { at, .. }
            | ParseError::AliasExpansion { at, .. }
            | ParseError::UnknownAnchor { at }
            | ParseError::TooDeep { at, .. }
            | ParseError::DuplicateKey { at, .. }
            | ParseError::DuplicateMerge { at, .. }
            | ParseError::BadMerge { at }
            | ParseError::MultipleDocuments { at }
            | ParseError::Nul { at } => Some(*at),
        }
    }
}

/// Reads one YAML document. An empty document reads as `null`.
pub fn parse(text: &str, limits: Limits) -> Result<Node, ParseError> {
    if text.len() > limits.max_bytes {
        return Err(ParseError::TooLarge {
            size: text.len(),
            limit: limits.max_bytes,
        });
    }
    // A byte order mark is no part of the document (yaml-rust2 would read it into the
    // first key); its three bytes are added back to every span.
    if let Some(nul) = text.find('\0') {
        let before = text.get(..nul).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).unwrap_or_default().chars().count();
        let line = before.matches('\n').count();
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        return Err(ParseError::Nul {
            at: Location {
                line: clamp(line).saturating_add(1),
                column: clamp(column).saturating_add(1),
            },
        });
    }
    let original = text;
    let (text, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let lines = Lines::new(original);
    let mut read = std::borrow::Cow::Borrowed(text);
    // Where two spaces were added to `read`, to map its offsets back to `text`.
    let mut inserted: Vec<usize> = Vec::new();
    loop {
        match parse_once(&read, limits, &inserted, base, &lines, original) {
            Err(ParseError::Syntax { at, message })
                if message == "invalid indentation" && inserted.len() < MAX_REINDENTS =>
            {
                let Some((fixed, pos)) = reindent_closing_bracket(&read, at.line) else {
                    return Err(ParseError::Syntax { at, message });
                };
                for p in inserted.iter_mut().filter(|p| **p >= pos) {
                    *p += 2;
                }
                inserted.push(pos);
                crate::sort::sort(&mut inserted);
                read = std::borrow::Cow::Owned(fixed);
            }
            result => return result,
        }
    }
}

/// How many under-indented closing brackets one file may have.
const MAX_REINDENTS: usize = 64;

/// libyaml and go-yaml (Docker's parser) accept a flow sequence's closing `]` at its
/// parent's indentation; YAML 1.2 parsers do not. Indents such a line by two spaces,
/// which changes no value and no other line's position. Returns the text and where the
/// spaces went.
fn reindent_closing_bracket(text: &str, line: u32) -> Option<(String, usize)> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let start = if index == 0 {
        0
    } else {
        text.match_indices('\n').nth(index - 1)?.0 + 1
    };
    let rest = text.get(start..)?;
    let content = rest.split('\n').next()?.trim_start();
    if !(content.starts_with(']') || content.starts_with('}')) {
        return None;
    }
    let mut fixed = String::with_capacity(text.len() + 2);
    fixed.push_str(text.get(..start)?);
    fixed.push_str("  ");
    fixed.push_str(rest);
    Some((fixed, start))
}

fn parse_once(
    text: &str,
    limits: Limits,
    inserted: &[usize],
    base: usize,
    lines: &Lines,
    original: &str,
) -> Result<Node, ParseError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        limits,
        text,
        offsets: CharOffsets::new(text),
        inserted,
        base,
        lines,
        original,
        stack: Vec::new(),
        anchors: HashMap::new(),
        total: 0,
        root: None,
        cursor: extent::document_start(text),
        synced: true,
    };
    let mut documents = 0;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| ParseError::Syntax {
            at: location(*e.marker()),
            message: e.info().to_string(),
        })?;
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(ParseError::MultipleDocuments { at: location(mark) });
                }
            }
            event => builder.event(event, mark)?,
        }
    }
    Ok(builder.root.unwrap_or_else(|| Node::new(Value::Null)))
}

fn location(mark: Marker) -> Location {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    // yaml-rust2 counts columns from 0 and lines from 1.
    Location {
        line: clamp(mark.line()),
        column: clamp(mark.col()).saturating_add(1),
    }
}

/// A sequence or mapping still being read, with the node count of its children.
struct Frame {
    at: Location,
    anchor: usize,
    size: usize,
    content: FrameContent,
    /// Written in `[...]` or `{...}`.
    flow: bool,
    /// Whether its text can be placed (not a `[a: 1]` pair, nothing lost on the way).
    placeable: bool,
    /// Where its text starts (in the text being read).
    start: Option<usize>,
    /// Where the text of its last child ends.
    last_end: Option<usize>,
    /// Nodes placed in it so far (keys and values).
    children: usize,
    /// Where its `&anchor` is written.
    anchor_text: Option<(usize, usize)>,
}

enum FrameContent {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Builds the tree from the parser's events, and places each node in the text: the
/// parser gives where a node starts (in characters), `extent` finds where it ends.
struct Builder<'t> {
    limits: Limits,
    text: &'t str,
    offsets: CharOffsets,
    inserted: &'t [usize],
    /// Bytes before `text` in the text given to [`parse`] (a byte order mark).
    base: usize,
    /// The lines of the text given to [`parse`].
    lines: &'t Lines,
    /// The text given to [`parse`].
    original: &'t str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    total: usize,
    root: Option<Node>,
    /// Where the text of the last node read ends (or past the indicator before the next).
    cursor: usize,
    /// Whether `cursor` is known to be right; a node that could not be placed loses it
    /// until the next node whose start the parser gives.
    synced: bool,
}

impl Builder<'_> {
    fn event(&mut self, event: Event, mark: Marker) -> Result<(), ParseError> {
        let at = location(mark);
        let pos = self.offsets.byte(self.text, mark.index());
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let after_indicator = self.before_child();
                let anchor_text = self.anchor_text(anchor);
                let span = self.scalar_span(pos, &text, style, after_indicator);
                let value = scalar(text, style, tag.as_ref().map(|t| t.suffix.as_str()));
                let style = match style {
                    TScalarStyle::SingleQuoted => Style::SingleQuoted,
                    TScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    TScalarStyle::Literal => Style::Literal,
                    TScalarStyle::Folded => Style::Folded,
                    TScalarStyle::Plain => Style::Plain,
                };
                let src = self.source(span, style, anchor_text);
                // Nothing written: the parser places it at the next token, wherever that
                // is; its place is after its indicator.
                let at = match src.span {
                    Some(s) if s.start == s.end => self.location(s.start).unwrap_or(at),
                    _ => at,
                };
                self.add(Node { value, at, src }, 1, anchor, span)
            }
            Event::Alias(id) => {
                self.before_child();
                let site = extent::alias_end(self.text, pos).map(|end| (pos, end));
                match site {
                    Some((_, end)) => {
                        self.cursor = end;
                        self.synced = true;
                    }
                    None => self.synced = false,
                }
                let (node, size) = self
                    .anchors
                    .get(&id)
                    .ok_or(ParseError::UnknownAnchor { at })?;
                let (mut node, size) = (node.clone(), *size);
                node.src.via = Via::Alias(site.map(|s| self.span(s)));
                self.add(node, size, 0, site).map_err(|e| match e {
                    ParseError::AliasExpansion { limit, .. } => {
                        ParseError::AliasExpansion { at, limit }
                    }
                    other => other,
                })
            }
            Event::SequenceStart(anchor, _) => {
                self.before_child();
                self.open(at, anchor, pos, FrameContent::Seq(Vec::new()))
            }
            Event::MappingStart(anchor, _) => {
                self.before_child();
                let content = FrameContent::Map {
                    entries: Vec::new(),
                    key: None,
                };
                self.open(at, anchor, pos, content)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let end = if frame.flow {
                    let closing = if matches!(frame.content, FrameContent::Seq(_)) {
                        b']'
                    } else {
                        b'}'
                    };
                    if self.text.as_bytes().get(pos) == Some(&closing) {
                        self.cursor = pos + 1;
                        self.synced = true;
                        Some(pos + 1)
                    } else {
                        self.synced = false;
                        None
                    }
                } else {
                    frame.last_end
                };
                let span = frame.start.zip(end).filter(|_| frame.placeable);
                let value = match frame.content {
                    FrameContent::Seq(items) => Value::Seq(items.into()),
                    FrameContent::Map { entries, .. } => Value::Map(merge(entries)?.into()),
                };
                let style = if frame.flow {
                    Style::Flow
                } else {
                    Style::Block
                };
                let src = self.source(span, style, frame.anchor_text);
                // The frame's own node was counted when it opened.
                self.attach(
                    Node {
                        value,
                        at: frame.at,
                        src,
                    },
                    frame.size + 1,
                    frame.anchor,
                    span,
                )
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => Ok(()),
        }
    }

    /// Moves the cursor past the indicator that comes before the next child of the open
    /// collection (`-` in a block sequence, `:` before a value, `,` between flow
    /// entries). Returns whether there was one.
    fn before_child(&mut self) -> bool {
        let Some(frame) = self.stack.last() else {
            return false;
        };
        let (indicator, required) = match (&frame.content, frame.flow) {
            (FrameContent::Seq(_), false) => (b'-', true),
            (FrameContent::Map { key: Some(_), .. }, flow) => (b':', !flow),
            (FrameContent::Map { key: None, .. }, false) => (b'?', false),
            (_, true) => (b',', frame.children > 0),
        };
        if !self.synced {
            return false;
        }
        match extent::indicator(self.text, self.cursor, indicator) {
            Some(at) => {
                self.cursor = at + 1;
                true
            }
            None => {
                if required {
                    self.synced = false;
                }
                false
            }
        }
    }

    /// Where a scalar's text is, from where the parser says it starts.
    fn scalar_span(
        &mut self,
        pos: usize,
        value: &str,
        style: TScalarStyle,
        after_indicator: bool,
    ) -> Option<(usize, usize)> {
        let span = match style {
            TScalarStyle::Plain if value.is_empty() => {
                // Nothing written: the node takes the place after its indicator.
                if !(self.synced && after_indicator) {
                    return None;
                }
                let at = extent::empty_node_at(self.text, self.cursor);
                Some((at, at))
            }
            TScalarStyle::Plain => extent::plain_end(self.text, pos, value).map(|end| (pos, end)),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let quote = if style == TScalarStyle::SingleQuoted {
                    b'\''
                } else {
                    b'"'
                };
                if self.text.as_bytes().get(pos) == Some(&quote) {
                    extent::quoted_end(self.text, pos).map(|end| (pos, end))
                } else {
                    None
                }
            }
            TScalarStyle::Literal | TScalarStyle::Folded => {
                if !self.synced {
                    return None;
                }
                let header = extent::skip_to_content(self.text, self.cursor);
                let parent = self.parent_column();
                extent::block_scalar_end(self.text, header, parent).map(|end| (header, end))
            }
        };
        match span {
            Some((_, end)) => {
                self.cursor = end;
                self.synced = true;
            }
            None => self.synced = false,
        }
        span
    }

    /// The column of the block collection the next node goes in.
    fn parent_column(&self) -> Option<usize> {
        let start = self.stack.last().filter(|f| !f.flow)?.start?;
        Some(start - extent::line_start(self.text, start))
    }

    fn open(
        &mut self,
        at: Location,
        anchor: usize,
        pos: usize,
        content: FrameContent,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseError::TooDeep {
                at,
                limit: self.limits.max_depth,
            });
        }
        self.count(1, at)?;
        let bracket = match content {
            FrameContent::Seq(_) => b'[',
            FrameContent::Map { .. } => b'{',
        };
        let anchor_text = self.anchor_text(anchor);
        let flow = self.text.as_bytes().get(pos) == Some(&bracket);
        let in_flow = self.stack.last().is_some_and(|f| f.flow);
        let start = if flow {
            self.cursor = pos + 1;
            self.synced = true;
            Some(pos)
        } else if matches!(content, FrameContent::Seq(_)) && self.synced {
            // A block sequence starts at its first `-`.
            let dash = extent::skip_to_content(self.text, self.cursor);
            (self.text.as_bytes().get(dash) == Some(&b'-')).then_some(dash)
        } else {
            // A block mapping starts at its first key.
            None
        };
        self.stack.push(Frame {
            at,
            anchor,
            size: 0,
            content,
            flow,
            placeable: flow || !in_flow,
            start,
            last_end: None,
            children: 0,
            anchor_text,
        });
        Ok(())
    }

    fn count(&mut self, size: usize, at: Location) -> Result<(), ParseError> {
        self.total = self.total.saturating_add(size);
        if self.total > self.limits.max_nodes {
            return Err(ParseError::AliasExpansion {
                at,
                limit: self.limits.max_nodes,
            });
        }
        Ok(())
    }

    /// A new leaf or an alias copy: counts it, then places it.
    fn add(
        &mut self,
        node: Node,
        size: usize,
        anchor: usize,
        text: Option<(usize, usize)>,
    ) -> Result<(), ParseError> {
        self.count(size, node.at)?;
        self.attach(node, size, anchor, text)
    }

    /// Places a finished node in its parent (or as the root) and records its anchor.
    /// `text` is where the node is written, in the text being read.
    fn attach(
        &mut self,
        node: Node,
        size: usize,
        anchor: usize,
        text: Option<(usize, usize)>,
    ) -> Result<(), ParseError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        parent.size = parent.size.saturating_add(size);
        if parent.children == 0 && !parent.flow && parent.start.is_none() {
            parent.start = text.map(|(start, _)| start);
        }
        parent.children += 1;
        parent.last_end = text.map(|(_, end)| end);
        match &mut parent.content {
            FrameContent::Seq(items) => items.push(node),
            FrameContent::Map { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }

    fn source(
        &self,
        span: Option<(usize, usize)>,
        style: Style,
        anchor: Option<(usize, usize)>,
    ) -> Source {
        Source {
            span: span.map(|s| self.span(s)),
            style,
            via: Via::Written,
            anchor: anchor.map(|a| self.span(a)),
        }
    }

    /// The location (line and character column, from 1) of a point of the text given to
    /// [`parse`].
    fn location(&self, point: super::Point) -> Option<Location> {
        let line_start = self.lines.offset(super::Point {
            line: point.line,
            column: 0,
        });
        let before = self
            .original
            .get(line_start..line_start + point.column as usize)?;
        let column = u32::try_from(before.chars().count()).ok()?;
        Some(Location {
            line: point.line + 1,
            column: column + 1,
        })
    }

    /// Where the `&anchor` of the node about to be read is written (after the cursor).
    fn anchor_text(&self, anchor: usize) -> Option<(usize, usize)> {
        if anchor == 0 || !self.synced {
            return None;
        }
        extent::anchor_at(self.text, self.cursor)
    }

    /// A span of the text being read, as points of the text given to [`parse`].
    fn span(&self, (start, end): (usize, usize)) -> Span {
        let original = |pos: usize| {
            let mut shift = 0;
            for &p in self.inserted {
                if pos >= p + 2 {
                    shift += 2;
                } else if pos > p {
                    shift += pos - p;
                }
            }
            self.lines.point(pos - shift + self.base)
        };
        Span {
            start: original(start),
            end: original(end),
        }
    }
}

/// Types a scalar by YAML 1.2's core schema; quoted scalars are always strings.
pub(crate) fn scalar(text: String, style: TScalarStyle, tag: Option<&str>) -> Value {
    if style != TScalarStyle::Plain || tag == Some("str") {
        return Value::Str(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    // Only text that starts like a number can be one (`.inf` and `.nan` included);
    // checking first keeps plain strings, the common case, free of a second parse.
    let numeric = text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    if !numeric {
        return Value::Str(text);
    }
    match Yaml::from_str(&text) {
        Yaml::Integer(i) => Value::Int(i),
        Yaml::Real(_) => Value::Float(text),
        _ => Value::Str(text),
    }
}

/// Rejects a key written twice in one mapping. Most mappings are small, where
/// comparing pairs beats hashing every key.
fn check_duplicates(entries: &[(Node, Node)]) -> Result<(), ParseError> {
    fn key(node: &Node) -> Option<std::borrow::Cow<'_, str>> {
        match &node.value {
            Value::Str(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
            _ => node.scalar_text().map(std::borrow::Cow::Owned),
        }
    }
    let duplicate = |first: &Node, second: &Node, text: &str| match text {
        "<<" => ParseError::DuplicateMerge {
            at: second.at,
            first_line: first.at.line,
        },
        _ => ParseError::DuplicateKey {
            key: text.to_string(),
            at: second.at,
            first_line: first.at.line,
        },
    };
    if entries.len() <= 16 {
        for (i, (a, _)) in entries.iter().enumerate() {
            let Some(ka) = key(a) else { continue };
            for (b, _) in entries.iter().skip(i + 1) {
                if key(b).as_deref() == Some(ka.as_ref()) {
                    return Err(duplicate(a, b, &ka));
                }
            }
        }
        return Ok(());
    }
    let mut first: HashMap<std::borrow::Cow<'_, str>, &Node> =
        HashMap::with_capacity(entries.len());
    for (k, _) in entries {
        let Some(text) = key(k) else { continue };
        if let Some(a) = first.get(&text) {
            return Err(duplicate(a, k, &text));
        }
        first.insert(text, k);
    }
    Ok(())
}

/// Applies `<<` merge keys (keys written in the mapping win over merged ones, and
/// earlier merged mappings win over later ones) and rejects duplicate keys.
fn merge(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, ParseError> {
    check_duplicates(&entries)?;
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return Ok(entries);
    }
    let mut seen: HashSet<String> = entries
        .iter()
        .filter(|(k, _)| k.as_str() != Some("<<"))
        .filter_map(|(k, _)| k.scalar_text())
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        if key.as_str() != Some("<<") {
            out.push((key, value));
            continue;
        }
        // Where the `<<` entry is written, for edits that override what it brings.
        let written = key.src.span.zip(value.src.here()).map(|(k, v)| Span {
            start: k.start,
            end: v.end,
        });
        let sources: Vec<Node> = match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) => items.to_vec(),
            _ => return Err(ParseError::BadMerge { at: key.at }),
        };
        for source in sources {
            let Value::Map(merged) = source.value else {
                return Err(ParseError::BadMerge { at: source.at });
            };
            for (mut k, v) in merged.iter().cloned() {
                let text = k.scalar_text().unwrap_or_default();
                if seen.insert(text) {
                    k.src.via = Via::Merge(written);
                    out.push((k, v));
                }
            }
        }
    }
    Ok(out)
}
