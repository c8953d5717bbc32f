//! The YAML document as the user wrote it: every key in order, every node with
//! its line and column, anchors and `<<` merges resolved.
//!
//! This tree is the design's source of truth. The model is derived from it and
//! edits are applied to it, so export never drops a key we do not understand.

mod emit;
mod parse;

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

/// A scalar, sequence or mapping with the place it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where it starts in the source.
    pub at: Location,
}

/// The content of a [`Node`], typed by YAML's core schema.
#[derive(Debug, Clone, PartialEq)]
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
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in the order the keys were written.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A node with no source location, for values created by edits.
    pub fn new(value: Value) -> Node {
        Node {
            value,
            at: Location::NONE,
        }
    }

    /// A string node with no source location.
    pub fn str(s: impl Into<String>) -> Node {
        Node::new(Value::Str(s.into()))
    }

    /// An empty mapping with no source location.
    pub fn map() -> Node {
        Node::new(Value::Map(Vec::new()))
    }

    /// An empty sequence with no source location.
    pub fn seq() -> Node {
        Node::new(Value::Seq(Vec::new()))
    }

    /// The entries if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entries if this is a mapping, for editing.
    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(Node, Node)>> {
        match &mut self.value {
            Value::Map(entries) => Some(entries),
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

    /// The items if this is a sequence, for editing.
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(items) => Some(items),
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

    /// The key node and value under a string key of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The value under a string key, for editing.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under `key`, inserted at the end of the mapping as `default` when it is
    /// missing. `None` when this node is not a mapping.
    pub fn get_or_insert(&mut self, key: &str, default: Node) -> Option<&mut Node> {
        let entries = self.as_map_mut()?;
        let index = match entries.iter().position(|(k, _)| k.as_str() == Some(key)) {
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
        match entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
            Some((_, v)) => *v = value,
            None => entries.push((Node::str(key), value)),
        }
        true
    }

    /// Removes `key` from a mapping and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let entries = self.as_map_mut()?;
        let index = entries.iter().position(|(k, _)| k.as_str() == Some(key))?;
        Some(entries.remove(index).1)
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
