//! Where things are in YAML text: the end of a scalar whose start the parser gave, the
//! trivia (spaces, line breaks, comments) and properties (`&anchor`, `!tag`) between
//! nodes, and lines. The parser (yaml-rust2) reports where a node starts, never where
//! it ends, and counts characters, not bytes; these functions fill that in.
//!
//! Every function takes byte offsets into the text and returns `None` (or stops) on
//! anything it does not expect: a node it cannot place is rewritten whole when edited,
//! never patched at a guessed place.

/// Converts the parser's character indices to byte offsets.
pub(crate) struct CharOffsets {
    /// Byte offset of every `STRIDE`th character; empty when the text is ASCII.
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 256;

impl CharOffsets {
    pub(crate) fn new(text: &str) -> CharOffsets {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(byte, _)| byte)
                .collect()
        };
        CharOffsets { checkpoints }
    }

    /// The byte offset of character `index` (the text's length past its end).
    pub(crate) fn byte(&self, text: &str, index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return index.min(text.len());
        }
        let Some(&base) = self.checkpoints.get(index / STRIDE) else {
            return text.len();
        };
        let rest = text.get(base..).unwrap_or_default();
        rest.char_indices()
            .nth(index % STRIDE)
            .map_or(text.len(), |(offset, _)| base + offset)
    }
}

fn byte_at(text: &str, pos: usize) -> Option<u8> {
    text.as_bytes().get(pos).copied()
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Whether the byte at `pos` ends a token: a space, a line break, or the end.
fn ends_token(text: &str, pos: usize) -> bool {
    byte_at(text, pos).is_none_or(|b| is_blank(b) || is_break(b))
}

/// Skips spaces, tabs, line breaks and comments. A `#` starts a comment only at the
/// start of a line or after a blank, as in YAML.
pub(crate) fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(pos) {
        if is_blank(b) || is_break(b) {
            pos += 1;
        } else if b == b'#'
            && (pos == 0
                || bytes
                    .get(pos - 1)
                    .is_some_and(|p| is_blank(*p) || is_break(*p)))
        {
            pos = line_end(text, pos);
        } else {
            break;
        }
    }
    pos
}

/// Skips spaces and tabs (not line breaks).
pub(crate) fn skip_blanks(text: &str, mut pos: usize) -> usize {
    while byte_at(text, pos).is_some_and(is_blank) {
        pos += 1;
    }
    pos
}

/// Skips one property (`&anchor`, `!tag`) at `pos`; `pos` itself when there is none.
fn skip_property(text: &str, pos: usize) -> usize {
    match byte_at(text, pos) {
        Some(b'&' | b'!') => {
            let mut end = pos + 1;
            while !ends_token(text, end) {
                end += 1;
            }
            end
        }
        _ => pos,
    }
}

/// The `&anchor` among the properties that follow trivia at `pos`.
pub(crate) fn anchor_at(text: &str, pos: usize) -> Option<(usize, usize)> {
    let mut at = skip_trivia(text, pos);
    loop {
        let end = skip_property(text, at);
        match byte_at(text, at) {
            Some(b'&') if end > at + 1 => return Some((at, end)),
            Some(b'!') if end > at => at = skip_trivia(text, end),
            _ => return None,
        }
    }
}

/// Skips trivia and properties, to where a node's content starts.
pub(crate) fn skip_to_content(text: &str, mut pos: usize) -> usize {
    loop {
        let next = skip_property(text, skip_trivia(text, pos));
        if next == skip_trivia(text, pos) {
            return next;
        }
        pos = next;
    }
}

/// After an indicator at `pos - 1`: the place an empty node takes, past blanks and
/// properties on the same line.
pub(crate) fn empty_node_at(text: &str, mut pos: usize) -> usize {
    loop {
        let blanks = skip_blanks(text, pos);
        let next = skip_property(text, blanks);
        if next == blanks {
            return pos;
        }
        pos = next;
    }
}

/// If trivia at `pos` is followed by the indicator `c` (followed by a blank, a break
/// or the end, when `c` is `-` or `?`), the offset of the indicator.
pub(crate) fn indicator(text: &str, pos: usize, c: u8) -> Option<usize> {
    let at = skip_trivia(text, pos);
    if byte_at(text, at) != Some(c) {
        return None;
    }
    if matches!(c, b'-' | b'?') && !ends_token(text, at + 1) {
        return None;
    }
    Some(at)
}

/// The end of a plain scalar that starts at `start` and reads as `value`: its text is
/// the value, except that line breaks (and the blanks around them) fold into a space, or
/// into `n - 1` newlines for `n` breaks.
pub(crate) fn plain_end(text: &str, start: usize, value: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let want = value.as_bytes();
    let (mut i, mut j) = (start, 0);
    while j < want.len() {
        let b = *bytes.get(i)?;
        if is_blank(b) || is_break(b) {
            let after = skip_blanks(text, i);
            if byte_at(text, after).is_some_and(is_break) {
                // A fold: count the line breaks up to the next content.
                let mut at = after;
                let mut breaks = 0;
                while let Some(c) = byte_at(text, at) {
                    if c == b'\r' && byte_at(text, at + 1) == Some(b'\n') {
                        at += 2;
                    } else if is_break(c) {
                        at += 1;
                    } else {
                        break;
                    }
                    breaks += 1;
                    at = skip_blanks(text, at);
                }
                let folded: &[u8] = if breaks == 1 { b" " } else { b"\n" };
                let count = if breaks == 1 { 1 } else { breaks - 1 };
                for _ in 0..count {
                    if want.get(j) != folded.first() {
                        return None;
                    }
                    j += 1;
                }
                i = at;
                continue;
            }
        }
        if want.get(j) != Some(&b) {
            return None;
        }
        i += 1;
        j += 1;
    }
    Some(i)
}

/// The end (past the closing quote) of a quoted scalar that starts at its quote.
pub(crate) fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    let mut i = start + 1;
    loop {
        let b = *bytes.get(i)?;
        if quote == b'"' && b == b'\\' {
            i += 2;
        } else if b == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return Some(i + 1);
            }
        } else {
            i += 1;
        }
    }
}

/// The end of a `*alias` that starts at its `*`.
pub(crate) fn alias_end(text: &str, start: usize) -> Option<usize> {
    if byte_at(text, start) != Some(b'*') {
        return None;
    }
    let mut end = start + 1;
    while !ends_token(text, end)
        && !matches!(byte_at(text, end), Some(b',' | b'[' | b']' | b'{' | b'}'))
    {
        end += 1;
    }
    (end > start + 1).then_some(end)
}

/// The end of a block scalar whose header (`|` or `>`) is at `header`: the end of its
/// last line that is not empty, or of the header when it has no content. `parent` is
/// the column of the block collection holding it (its lines are indented deeper).
pub(crate) fn block_scalar_end(text: &str, header: usize, parent: Option<usize>) -> Option<usize> {
    if !matches!(byte_at(text, header), Some(b'|' | b'>')) {
        return None;
    }
    let mut explicit = None;
    let mut end = header + 1;
    while let Some(b) = byte_at(text, end) {
        match b {
            b'1'..=b'9' => explicit = Some(usize::from(b - b'0')),
            b'+' | b'-' => {}
            _ => break,
        }
        end += 1;
    }
    let least = parent.map_or(0, |p| p + 1);
    let mut content_indent = explicit.map(|m| parent.unwrap_or(0) + m);
    let Some(mut line) = next_line(text, header) else {
        return Some(end);
    };
    while line < text.len() {
        let spaces = indentation(text, line);
        let blank = byte_at(text, skip_blanks(text, line + spaces)).is_none_or(is_break);
        if !blank {
            let indent = match content_indent {
                Some(indent) => indent,
                None if spaces < least => break,
                None => *content_indent.insert(spaces),
            };
            if spaces < indent {
                break;
            }
            end = line_end(text, line);
        }
        match next_line(text, line) {
            Some(next) => line = next,
            None => break,
        }
    }
    Some(end)
}

/// Spaces at the start of the line that starts at `line`.
pub(crate) fn indentation(text: &str, line: usize) -> usize {
    text.as_bytes()
        .get(line..)
        .map_or(0, |rest| rest.iter().take_while(|b| **b == b' ').count())
}

/// The start of the line holding `pos`.
pub(crate) fn line_start(text: &str, pos: usize) -> usize {
    text.as_bytes()
        .get(..pos)
        .and_then(|before| before.iter().rposition(|b| *b == b'\n'))
        .map_or(0, |nl| nl + 1)
}

/// The position of the line break that ends the line holding `pos` (or the text's end).
pub(crate) fn line_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = pos;
    while let Some(&b) = bytes.get(i) {
        if is_break(b) {
            return i;
        }
        i += 1;
    }
    text.len()
}

/// The start of the line after the one holding `pos`; `None` on the last line.
pub(crate) fn next_line(text: &str, pos: usize) -> Option<usize> {
    let end = line_end(text, pos);
    match byte_at(text, end)? {
        b'\r' if byte_at(text, end + 1) == Some(b'\n') => Some(end + 2),
        _ => Some(end + 1),
    }
}

/// Whether only blanks precede `pos` on its line.
pub(crate) fn starts_line(text: &str, pos: usize) -> bool {
    let start = line_start(text, pos);
    text.as_bytes()
        .get(start..pos)
        .is_some_and(|before| before.iter().all(|b| is_blank(*b)))
}

/// After the end of a node at `pos`: the end of its line when only blanks and a comment
/// follow it there, so that the line can go with the node; `None` when more follows.
pub(crate) fn rest_of_line(text: &str, pos: usize) -> Option<usize> {
    let after = skip_blanks(text, pos);
    match byte_at(text, after) {
        None => Some(after),
        Some(b) if is_break(b) => Some(after),
        Some(b'#') if after > pos || pos == line_start(text, pos) => Some(line_end(text, after)),
        Some(_) => None,
    }
}

/// The line ending the text uses (`\r\n` when its first line break is one).
pub(crate) fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

/// Where the document's content can start: past directives and `---`.
pub(crate) fn document_start(text: &str) -> usize {
    let mut pos = 0;
    loop {
        pos = skip_trivia(text, pos);
        if byte_at(text, pos) == Some(b'%') && starts_line(text, pos) {
            pos = line_end(text, pos);
            continue;
        }
        break;
    }
    if text.get(pos..).is_some_and(|rest| rest.starts_with("---")) && ends_token(text, pos + 3) {
        pos + 3
    } else {
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_end_where_their_value_does() {
        let text = "a: one two  # c\nb: x\n  y\n\n  z\nc: 1";
        assert_eq!(plain_end(text, 3, "one two"), Some(10));
        let b = text.find('x').unwrap_or(0);
        assert_eq!(
            plain_end(text, b, "x y\nz"),
            Some(text.find("z\n").unwrap_or(0) + 1)
        );
        assert_eq!(plain_end(text, 3, "one three"), None);
    }

    #[test]
    fn quoted_scalars_and_aliases() {
        assert_eq!(quoted_end("'it''s' x", 0), Some(7));
        assert_eq!(quoted_end(r#""a\"b" x"#, 0), Some(6));
        assert_eq!(quoted_end("\"open", 0), None);
        assert_eq!(alias_end("[*a, *b]", 1), Some(3));
        assert_eq!(alias_end("k: *name\n", 3), Some(8));
    }

    #[test]
    fn block_scalars_end_at_their_last_line() {
        let text = "a: |\n  one\n\n  two\n# c\nb: 1\n";
        let end = block_scalar_end(text, 3, Some(0));
        assert_eq!(end, Some(text.find("two").unwrap_or(0) + 3));
        let text = "- >-\n   x\n- y\n";
        assert_eq!(block_scalar_end(text, 2, Some(0)), Some(9));
        let text = "- k: |\n  other: 1\n";
        assert_eq!(block_scalar_end(text, 5, Some(2)), Some(6));
    }

    #[test]
    fn trivia_comments_and_characters() {
        let text = "a:  # note\n  - b";
        assert_eq!(skip_trivia(text, 2), text.find('-').unwrap_or(0));
        assert_eq!(indicator(text, 2, b'-'), text.find('-'));
        assert_eq!(skip_to_content("  &x !!str v", 0), 11);
        assert_eq!(empty_node_at("k: &a\nn: 1", 2), 5);
        let text = "é: ü";
        let offsets = CharOffsets::new(text);
        assert_eq!(offsets.byte(text, 3), 4);
        assert_eq!(document_start("%YAML 1.2\n---\na: 1"), 13);
        assert_eq!(rest_of_line("a: 1 # c\nb", 4), Some(8));
        assert_eq!(rest_of_line("a: [1, 2]", 5), None);
    }
}
