//! Writing nodes that an edit made as YAML text, in the style of what is around them:
//! block or flow as a sibling written in the file (the `like` node), its quotes, and the
//! file's indentation.

use std::collections::HashSet;

use super::{parse::scalar, Lines, Node, Span, Style, Value};

/// How the file lays out what it writes in block style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Spaces a block mapping's entries are indented under their key.
    pub step: usize,
    /// Spaces a block sequence's `-` is indented under its key (0: `key:\n- a`).
    pub seq_indent: usize,
    /// The quote for strings that need one and have no sibling to follow.
    pub quote: Style,
    /// The file's line ending.
    pub eol: &'static str,
}

impl Layout {
    /// The layout of a file: the first block mapping and block sequence nested under a
    /// key give the indentation, the quotes most used give the quote.
    pub(crate) fn of(text: &str, root: &Node) -> Layout {
        let mut found = Found::default();
        survey(text, root, &mut found, &mut 600);
        Layout {
            step: found.step.unwrap_or(2),
            seq_indent: found.seq_indent.unwrap_or(found.step.unwrap_or(2)),
            quote: if found.single > found.double {
                Style::SingleQuoted
            } else {
                Style::DoubleQuoted
            },
            eol: super::extent::line_ending(text),
        }
    }
}

#[derive(Default)]
struct Found {
    step: Option<usize>,
    seq_indent: Option<usize>,
    single: usize,
    double: usize,
}

/// Looks at up to `budget` nodes for the layout.
fn survey(text: &str, node: &Node, found: &mut Found, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries.iter() {
                if node.src.style == Style::Block {
                    measure(text, k, v, found);
                }
                survey(text, k, found, budget);
                survey(text, v, found, budget);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| survey(text, i, found, budget)),
        _ => match node.src.style {
            Style::SingleQuoted => found.single += 1,
            Style::DoubleQuoted => found.double += 1,
            _ => {}
        },
    }
}

/// The indentation of a block collection written under its key.
fn measure(text: &str, key: &Node, value: &Node, found: &mut Found) {
    let (Some(k), Some(v)) = (key.src.span, value.src.span) else {
        return;
    };
    if value.src.style != Style::Block || value.src.via != super::Via::Written {
        return;
    }
    let _ = text;
    let (k, v) = (k.start.column, v.start.column);
    match value.value {
        Value::Map(_) if v > k && found.step.is_none() => found.step = Some((v - k) as usize),
        Value::Seq(_) if v >= k && found.seq_indent.is_none() => {
            found.seq_indent = Some((v - k) as usize)
        }
        _ => {}
    }
}

/// Writes nodes made by an edit, into `text`.
pub(crate) struct Writer<'t> {
    pub layout: Layout,
    /// The text the nodes were read from: what is copied from it is copied verbatim.
    pub text: &'t str,
    /// Its lines.
    pub lines: &'t Lines,
    /// Alias copies (by the site of their `*alias`) that are written as that alias
    /// rather than expanded: those an edit did not change.
    pub aliases: HashSet<Span>,
    /// Whether nodes written with an `&anchor` keep it.
    pub anchors: bool,
}

impl Writer<'_> {
    /// A scalar as it reads back: plain when that is safe, else quoted like `like` (or
    /// in the file's quote). `flow`: inside `[...]` or `{...}`.
    pub(crate) fn scalar(&self, value: &Value, like: Style, flow: bool) -> String {
        match value {
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.clone(),
            Value::Str(s) => {
                let quote = match like {
                    Style::SingleQuoted | Style::DoubleQuoted => like,
                    _ if plain_is_safe(s, flow) => return s.clone(),
                    _ => self.layout.quote,
                };
                if quote == Style::SingleQuoted && single_is_safe(s) {
                    format!("'{}'", s.replace('\'', "''"))
                } else {
                    double_quoted(s)
                }
            }
            Value::Seq(_) | Value::Map(_) => self.flow(&Node::new(value.clone()), None),
        }
    }

    /// A scalar as a copy of its text in the file when it has one that reads the same
    /// in this place (so `0440` stays `0440`), else written anew.
    fn scalar_of(&self, node: &Node, like: Option<&Node>, flow: bool) -> String {
        if let Some(written) = self.written_scalar(node, flow) {
            return written.to_string();
        }
        let style = like.map_or(Style::New, |l| l.src.style);
        self.scalar(&node.value, style, flow)
    }

    /// An alias copy as its `*alias`, when aliases are kept.
    fn alias(&self, node: &Node) -> Option<&str> {
        match node.src.via {
            super::Via::Alias(Some(site)) if self.aliases.contains(&site) => {
                self.text.get(self.lines.range(site))
            }
            _ => None,
        }
    }

    /// The `&anchor` a node is written with, when anchors are kept.
    fn anchor(&self, node: &Node) -> Option<&str> {
        let anchor = node
            .src
            .anchor
            .filter(|_| self.anchors && node.src.via == super::Via::Written)?;
        self.text.get(self.lines.range(anchor))
    }

    /// A collection (or scalar) in flow style.
    pub(crate) fn flow(&self, node: &Node, like: Option<&Node>) -> String {
        if let Some(alias) = self.alias(node) {
            return alias.to_string();
        }
        let anchor = match (&node.value, self.anchor(node)) {
            (Value::Seq(_) | Value::Map(_), Some(anchor)) => format!("{anchor} "),
            _ => String::new(),
        };
        match &node.value {
            Value::Seq(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| self.flow(i, item_like(like, i)))
                    .collect();
                format!("{anchor}[{}]", parts.join(", "))
            }
            Value::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        let key = self.scalar_of(k, None, true);
                        let value = self.flow(v, entry_like(like, k));
                        format!("{key}: {value}")
                    })
                    .collect();
                format!("{anchor}{{{}}}", parts.join(", "))
            }
            _ => self.scalar_of(node, like, true),
        }
    }

    /// The text of a scalar as written in the file, when copying it keeps its meaning
    /// here: quoted scalars, and numbers and such in their own spelling (strings written
    /// plain are written anew, and come out the same where plain is safe). With its
    /// `&anchor` when anchors are kept.
    fn written_scalar(&self, node: &Node, flow: bool) -> Option<&str> {
        let span = node.src.span?;
        if node.src.via != super::Via::Written || span.start == span.end {
            return None;
        }
        let written = self.text.get(self.lines.range(span))?;
        let fits = match node.src.style {
            Style::SingleQuoted | Style::DoubleQuoted => !written.contains(['\n', '\r']),
            Style::Plain => {
                !matches!(node.value, Value::Str(_))
                    && !written.contains(['\n', '\r'])
                    && (!flow || !written.contains([',', '[', ']', '{', '}']))
            }
            _ => false,
        };
        if !fits {
            return None;
        }
        match self.anchor(node) {
            Some(_) => {
                let anchor = node.src.anchor?;
                self.text
                    .get(self.lines.offset(anchor.start)..self.lines.offset(span.end))
                    .filter(|t| !t.contains(['\n', '\r']))
            }
            None => Some(written),
        }
    }

    /// What follows `key:` for a value whose key is at column `key_column`: ` scalar`,
    /// ` [flow]`, nothing for null, or a line break and the block lines below the key.
    pub(crate) fn after_key(&self, value: &Node, like: Option<&Node>, key_column: usize) -> String {
        if let Some(alias) = self.alias(value) {
            return format!(" {alias}");
        }
        let anchor = self
            .anchor(value)
            .map(|a| format!(" {a}"))
            .unwrap_or_default();
        match &value.value {
            Value::Null if like.is_none_or(|l| l.src.span.is_some_and(|s| s.start == s.end)) => {
                String::new()
            }
            Value::Map(entries) if !entries.is_empty() && !wants_flow(like) => {
                let mut out = format!("{anchor}{}", self.layout.eol);
                let indent = key_column + self.layout.step;
                self.block_entries(entries, like, indent, true, &mut out);
                out
            }
            Value::Seq(items) if !items.is_empty() && !wants_flow(like) => {
                let mut out = format!("{anchor}{}", self.layout.eol);
                let indent = key_column + self.layout.seq_indent;
                self.block_items(items, like, indent, true, &mut out);
                out
            }
            _ => format!(" {}", self.flow(value, like)),
        }
    }

    /// What follows `-` for an item whose dash is at column `dash_column`: the item on
    /// the dash's line, and its further lines indented under it.
    pub(crate) fn after_dash(
        &self,
        item: &Node,
        like: Option<&Node>,
        dash_column: usize,
    ) -> String {
        if let Some(alias) = self.alias(item) {
            return format!(" {alias}");
        }
        let column = dash_column + 2;
        // The first entry or item shares the dash's line (or, anchored, the next one).
        let (mut out, indent_first) = match self.anchor(item) {
            Some(anchor) => (format!(" {anchor}{}", self.layout.eol), true),
            None => (String::from(" "), false),
        };
        match &item.value {
            Value::Map(entries) if !entries.is_empty() && !wants_flow(like) => {
                self.block_entries(entries, like, column, indent_first, &mut out);
                out
            }
            Value::Seq(items) if !items.is_empty() && !wants_flow(like) => {
                self.block_items(items, like, column, indent_first, &mut out);
                out
            }
            _ => format!(" {}", self.flow(item, like)),
        }
    }

    /// Block mapping entries, each on its own line indented by `indent` (the first one
    /// only if `indent_first`), separated (not ended) by line breaks.
    pub(crate) fn block_entries(
        &self,
        entries: &[(Node, Node)],
        like: Option<&Node>,
        indent: usize,
        indent_first: bool,
        out: &mut String,
    ) {
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                out.push_str(self.layout.eol);
            }
            if i > 0 || indent_first {
                out.push_str(&" ".repeat(indent));
            }
            out.push_str(&self.key(k));
            out.push(':');
            out.push_str(&self.after_key(v, entry_like(like, k), indent));
        }
    }

    /// Block sequence items, each `- item` indented by `indent` (the first one only if
    /// `indent_first`), separated by line breaks.
    pub(crate) fn block_items(
        &self,
        items: &[Node],
        like: Option<&Node>,
        indent: usize,
        indent_first: bool,
        out: &mut String,
    ) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(self.layout.eol);
            }
            if i > 0 || indent_first {
                out.push_str(&" ".repeat(indent));
            }
            out.push('-');
            out.push_str(&self.after_dash(item, item_like(like, item), indent));
        }
    }

    /// A mapping key.
    pub(crate) fn key(&self, key: &Node) -> String {
        match key.value {
            Value::Seq(_) | Value::Map(_) => format!("? {}", self.flow(key, None)),
            _ => self.scalar_of(key, None, false),
        }
    }
}

fn wants_flow(like: Option<&Node>) -> bool {
    like.is_some_and(|l| l.src.style == Style::Flow)
}

/// The node in `like` that a value under `key` should look like.
pub(crate) fn entry_like<'n>(like: Option<&'n Node>, key: &Node) -> Option<&'n Node> {
    let entries = like?.as_map()?;
    let text = key.scalar_text()?;
    entries
        .iter()
        .find(|(k, _)| k.is_text(&text))
        .map(|(_, v)| v)
}

/// The item in `like` that `item` should look like: the last of the same kind.
pub(crate) fn item_like<'n>(like: Option<&'n Node>, item: &Node) -> Option<&'n Node> {
    let kind = |n: &Node| std::mem::discriminant(&n.value);
    like?
        .as_seq()?
        .iter()
        .rev()
        .find(|i| kind(i) == kind(item) || (is_scalar(i) && is_scalar(item)))
}

fn is_scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Seq(_) | Value::Map(_))
}

/// Whether `s` reads back as the same string when written without quotes, by YAML 1.2
/// and by the YAML 1.1 readers compose tools use (`yes`, `on`, `80:80`).
pub(crate) fn plain_is_safe(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with([' ', '\t']) || s.ends_with([' ', '\t', ':']) {
        return false;
    }
    if s.chars().any(|c| c.is_control() || !is_printable(c)) {
        return false;
    }
    let second = s.chars().nth(1);
    let indicator = "-?:,[]{}#&*!|>'\"%@`".contains(first);
    let safe_lead = matches!(first, '-' | '?' | ':')
        && second.is_some_and(|c| c != ' ' && !(flow && ",[]{}".contains(c)));
    if indicator && !safe_lead {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if yaml11_special(s) || looks_numeric(s) {
        return false;
    }
    matches!(scalar(s.to_string(), yaml_rust2::scanner::TScalarStyle::Plain, None), Value::Str(ref read) if read == s)
}

fn is_printable(c: char) -> bool {
    !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Booleans and nulls of YAML 1.1, which compose's readers still honour in places.
fn yaml11_special(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    )
}

/// Text a YAML reader might take for a number: `8080`, `3.8`, `80:80`, `0x1F`, `1e3`.
fn looks_numeric(s: &str) -> bool {
    let digits = s.trim_start_matches(['+', '-', '.']);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoObB_.:+-".contains(c))
}

fn single_is_safe(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() || !is_printable(c))
}

/// `s` in double quotes, with escapes for what cannot be written as is.
pub(crate) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() || !is_printable(c) => {
                let code = u32::from(c);
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02X}"));
                } else {
                    out.push_str(&format!("\\u{code:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(lines: &Lines) -> Writer<'_> {
        Writer {
            layout: Layout {
                step: 2,
                seq_indent: 2,
                quote: Style::DoubleQuoted,
                eol: "\n",
            },
            text: "",
            lines,
            aliases: HashSet::new(),
            anchors: true,
        }
    }

    #[test]
    fn strings_are_plain_only_when_they_read_back() {
        for s in ["web", "nginx:1.27", "a b", "-x", "http://x:80/y"] {
            assert!(plain_is_safe(s, false), "{s}");
        }
        for s in [
            "", "80", "3.8", "80:80", "yes", "Off", "null", "~", "a: b", "a #b", "- x", "*a", "&a",
            "!x", "x:", " x", "0x1F", "1e3", "[a]", "'q'", "%x", "@x",
        ] {
            assert!(!plain_is_safe(s, false), "{s}");
        }
        assert!(!plain_is_safe("a,b", true));
        assert!(plain_is_safe("a,b", false));
    }

    #[test]
    fn quotes_follow_the_sibling() {
        let lines = Lines::default();
        let w = writer(&lines);
        let s = |v: &str| Value::Str(v.to_string());
        assert_eq!(w.scalar(&s("web"), Style::SingleQuoted, false), "'web'");
        assert_eq!(w.scalar(&s("web"), Style::Plain, false), "web");
        assert_eq!(w.scalar(&s("80:80"), Style::Plain, false), "\"80:80\"");
        assert_eq!(
            w.scalar(&s("it's\n"), Style::SingleQuoted, false),
            "\"it's\\n\""
        );
        assert_eq!(w.scalar(&s("a\"b"), Style::New, false), "a\"b");
        assert_eq!(w.scalar(&s("\"a\tb"), Style::New, false), "\"\\\"a\\tb\"");
    }

    #[test]
    fn block_and_flow_collections() {
        let lines = Lines::default();
        let w = writer(&lines);
        let mut port = Node::map();
        port.set("target", Node::new(Value::Int(80)));
        port.set("mode", Node::str("host"));
        let mut ports = Node::seq();
        if let Some(items) = ports.as_seq_mut() {
            items.push(port.clone());
            items.push(Node::str("443:443"));
        }
        assert_eq!(
            w.after_key(&ports, None, 4),
            "\n      - target: 80\n        mode: host\n      - \"443:443\""
        );
        assert_eq!(w.flow(&port, None), "{target: 80, mode: host}");
        assert_eq!(w.after_key(&Node::map(), None, 0), " {}");
        assert_eq!(w.after_key(&Node::new(Value::Null), None, 0), "");
    }
}
