//! How one row of markup becomes another in the live page with the fewest changes, so
//! that an edit which moves a card or bends an arrow costs a few writes instead of new
//! elements parsed, styled and laid out. The row's own element keeps its node and has
//! the attributes that differ set; in its content, the run of sibling nodes that
//! differs is found, and each old element there that pairs with a new one is changed
//! the same way, down the tree. Elements pair by place and kind when the run keeps its
//! length, and by what they show (a card's name) when it gains or loses nodes; then a
//! card added to a box is inserted alone. Anything else in the run (a text) is replaced.
//!
//! Rows are markup the page writes itself (double-quoted attributes, five escapes);
//! what this reader does not recognise gets no answer and is simply parsed anew.

/// Elements the HTML parser never gives children.
const VOID: [&str; 6] = ["input", "br", "img", "hr", "col", "wbr"];

/// Attributes that only set a form field's first value: once a person has typed, a
/// new value must come from a new element.
const LIVE: [&str; 3] = ["value", "checked", "selected"];

/// A piece of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// An opening tag (`closed` when it takes no children) and its attributes' text.
    Open {
        name: &'a str,
        attrs: &'a str,
        closed: bool,
    },
    /// A closing tag.
    Close,
    /// Text between tags, as written.
    Text(&'a str),
}

/// Reads `row` into tokens with the byte offsets where each ends; `None` for markup
/// this reader does not handle.
fn tokens(row: &str) -> Option<Vec<(Token<'_>, usize)>> {
    let mut out = Vec::new();
    let mut rest = row;
    while !rest.is_empty() {
        let token;
        if let Some(tag) = rest.strip_prefix("</") {
            (_, rest) = tag.split_once('>')?;
            token = Token::Close;
        } else if let Some(tag) = rest.strip_prefix('<') {
            let end = tag.find('>')?;
            let inner = tag.get(..end)?;
            if inner.contains('<') {
                return None;
            }
            rest = tag.get(end + 1..)?;
            let (inner, self_closed) = match inner.strip_suffix('/') {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let (name, attrs) = inner.split_once(' ').unwrap_or((inner, ""));
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return None;
            }
            token = Token::Open {
                name,
                attrs,
                closed: self_closed || VOID.contains(&name),
            };
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text;
            (text, rest) = rest.split_at(end);
            if text.contains('>') {
                return None;
            }
            token = Token::Text(text);
        }
        out.push((token, row.len() - rest.len()));
    }
    Some(out)
}

/// The attributes in an opening tag's text: (name, value as written).
fn attributes(mut attrs: &str) -> Option<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return Some(out);
        }
        let end = attrs.find([' ', '=']).unwrap_or(attrs.len());
        // An unquoted value would leave `=` here, and an empty name: not ours.
        let name = attrs.get(..end).filter(|n| !n.is_empty())?;
        attrs = attrs.get(end..)?;
        let value = match attrs.strip_prefix("=\"") {
            Some(quoted) => {
                let value;
                (value, attrs) = quoted.split_once('"')?;
                value
            }
            None => "",
        };
        out.push((name, value));
    }
}

/// A change to make in the live row, whose elements are numbered in document order
/// from 0 (the row's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op<'a> {
    /// Set attribute `name` of element `element` to `value`.
    Set {
        element: usize,
        name: &'a str,
        value: &'a str,
    },
    /// Replace child nodes `remove` of element `element` with what `insert` parses to.
    Replace {
        element: usize,
        remove: std::ops::Range<usize>,
        insert: &'a str,
    },
}

/// How a shown row's node becomes a new row's.
#[derive(Debug, PartialEq, Eq)]
pub struct Morph<'a> {
    /// How many elements the shown row has, its own included.
    pub elements: usize,
    /// The changes, in document order.
    pub ops: Vec<Op<'a>>,
}

/// How `old` becomes `new` if both are the same element (same tag, same attribute names
/// in the same order) written in markup this reader handles; `None` otherwise.
pub fn morph<'a>(old: &str, new: &'a str) -> Option<Morph<'a>> {
    let mut ops = Vec::new();
    let elements = diff(old, new, 0, &mut ops)?;
    Some(Morph { elements, ops })
}

/// Adds to `ops` what turns the element `old` (numbered `base`) into `new`, and returns
/// how many elements `old` has. The attributes that differ are set; in the run of
/// children that differs, elements that pair up with new ones of the same kind are
/// changed the same way, and anything else is replaced.
fn diff<'a>(old: &str, new: &'a str, base: usize, ops: &mut Vec<Op<'a>>) -> Option<usize> {
    let (old_tag, new_tag) = (root(old)?, root(new)?);
    let [(Token::Open { name, attrs, .. }, _)] = tokens(old.get(..old_tag)?)?[..] else {
        return None;
    };
    let [(
        Token::Open {
            name: new_name,
            attrs: new_attrs,
            ..
        },
        _,
    )] = tokens(new.get(..new_tag)?)?[..]
    else {
        return None;
    };
    let (was, now) = (attributes(attrs)?, attributes(new_attrs)?);
    // A text area's text is its value: never edited in place.
    if name != new_name || was.len() != now.len() || name == "textarea" {
        return None;
    }
    for ((attr, value), (new_attr, new_value)) in was.into_iter().zip(now) {
        // A value with an escape would need unescaping first: rare enough to parse anew.
        if attr != new_attr
            || (value != new_value && (LIVE.contains(&attr) || new_value.contains('&')))
        {
            return None;
        }
        if value != new_value {
            ops.push(Op::Set {
                element: base,
                name: new_attr,
                value: new_value,
            });
        }
    }
    if old.get(old_tag..) == new.get(new_tag..) {
        return Some(element_count(old));
    }
    let run = splice(old, new, old_tag, new_tag)?;
    let element = base + run.element;
    let paired = run.new.len() == run.old.len()
        && run
            .old
            .iter()
            .zip(&run.new)
            .all(|((o, n), new)| n.is_some() && kind(o).eq(kind(new)) && new.starts_with('<'));
    if !paired {
        let before = ops.len();
        if align(&run, base, ops).is_none() {
            ops.truncate(before);
            ops.push(Op::Replace {
                element,
                remove: run.remove,
                insert: run.insert,
            });
        }
        return Some(run.elements);
    }
    for (k, ((o, n), new)) in run.old.iter().zip(run.new).enumerate() {
        let at = run.remove.start + k;
        change_or_replace(o, base + n.unwrap_or_default(), new, element, at, ops);
    }
    Some(run.elements)
}

/// Adds to `ops` what changes the old node `old` (element `number`) into `new`, or,
/// where it cannot be changed, what replaces it: child `at` of element `parent`.
fn change_or_replace<'a>(
    old: &str,
    number: usize,
    new: &'a str,
    parent: usize,
    at: usize,
    ops: &mut Vec<Op<'a>>,
) {
    let before = ops.len();
    if diff(old, new, number, ops).is_none() {
        ops.truncate(before);
        ops.push(Op::Replace {
            element: parent,
            remove: at..at + 1,
            insert: new,
        });
    }
}

/// Changes a run that gained or lost nodes by what they show ([`identity`]): nodes that
/// show the same thing are changed into each other and the others are inserted or
/// removed one by one, so a card added to a box does not redraw the cards after it.
/// `None` when a node shows nothing it names, the order changed, or nothing pairs.
fn align<'a>(run: &Run<'_, 'a>, base: usize, ops: &mut Vec<Op<'a>>) -> Option<()> {
    let old: Vec<&str> = run
        .old
        .iter()
        .map(|(o, _)| identity(o))
        .collect::<Option<_>>()?;
    let new: Vec<&str> = run.new.iter().map(|n| identity(n)).collect::<Option<_>>()?;
    let element = base + run.element;
    // Child indices are the live ones: the page applies ops in order.
    let (mut i, mut j, mut at, mut pairs) = (0, 0, run.remove.start, 0);
    loop {
        match (old.get(i), new.get(j)) {
            (None, None) => break,
            (Some(was), Some(now)) if was == now => {
                let ((markup, number), new_markup) = (run.old.get(i)?, run.new.get(j)?);
                change_or_replace(markup, base + (*number)?, new_markup, element, at, ops);
                (i, j, at, pairs) = (i + 1, j + 1, at + 1, pairs + 1);
            }
            (_, Some(now)) if !old.get(i..)?.contains(now) => {
                ops.push(Op::Replace {
                    element,
                    remove: at..at,
                    insert: run.new.get(j)?,
                });
                (j, at) = (j + 1, at + 1);
            }
            (Some(was), _) if !new.get(j..)?.contains(was) => {
                ops.push(Op::Replace {
                    element,
                    remove: at..at + 1,
                    insert: "",
                });
                i += 1;
            }
            _ => return None,
        }
    }
    (pairs > 0).then_some(())
}

/// How many elements a row has (`diff` counts them while looking for a run).
fn element_count(row: &str) -> usize {
    tokens(row).map_or(0, |t| {
        t.iter()
            .filter(|(t, _)| matches!(t, Token::Open { .. }))
            .count()
    })
}

/// A row's kind: its opening tag without the attribute values (`<g transform= class=`).
/// Rows of one kind can be changed into each other by setting attributes.
pub fn kind(row: &str) -> impl Iterator<Item = &str> {
    let tag = row
        .get(..row.find('>').unwrap_or_default())
        .unwrap_or_default();
    tag.split('"').step_by(2)
}

/// What a row shows, when it says: the value of the first `data-` attribute of its own
/// tag (`data-service="api"` on a card). Rows with the same identity show the same
/// thing, wherever it is drawn.
pub fn identity(row: &str) -> Option<&str> {
    let tag = row.get(..row.find('>')?)?;
    // Quoted values alternate with what precedes them, which ends in the name.
    let mut parts = tag.split('"');
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        if name.rsplit(' ').next()?.starts_with("data-") {
            return Some(value);
        }
    }
    None
}

/// The top-level nodes of `markup`, or `None` if it is not whole nodes.
fn nodes(markup: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (token, end) in tokens(markup)? {
        match token {
            Token::Open { closed: false, .. } => depth += 1,
            Token::Close => depth = depth.checked_sub(1)?,
            _ => {}
        }
        if depth == 0 {
            out.push(markup.get(start..end)?);
            start = end;
        }
    }
    (depth == 0).then_some(out)
}

/// Where the row's own opening tag ends.
fn root(row: &str) -> Option<usize> {
    row.starts_with('<')
        .then(|| row.find('>').map(|end| end + 1))?
}

/// A child node in a row: where it starts and ends, and its element number (`None` for
/// a text).
type Node = (usize, usize, Option<usize>);

/// The run of child nodes of one element that differs between two rows.
#[derive(Debug, PartialEq, Eq)]
struct Run<'o, 'n> {
    /// How many elements the old row has, its own included.
    elements: usize,
    /// The element (numbered as in [`Op`]) whose children differ.
    element: usize,
    /// The old child nodes, by index.
    remove: std::ops::Range<usize>,
    /// Those nodes' markup, with their element numbers (`None` for a text).
    old: Vec<(&'o str, Option<usize>)>,
    /// The new nodes' markup (whole nodes; empty for none).
    insert: &'n str,
    /// The same, node by node.
    new: Vec<&'n str>,
}

/// How the content of `old` (after its opening tag, `old_tag` bytes) becomes that of
/// `new` by replacing one run of sibling nodes, or `None` when they differ in more than
/// one such run (or are not markup this reader handles).
fn splice<'o, 'n>(
    old: &'o str,
    new: &'n str,
    old_tag: usize,
    new_tag: usize,
) -> Option<Run<'o, 'n>> {
    let (old_content, new_content) = (old.get(old_tag..)?, new.get(new_tag..)?);
    let mut same = old_tag
        + old_content
            .bytes()
            .zip(new_content.bytes())
            .take_while(|(a, b)| a == b)
            .count();
    // A change never starts or ends inside a tag: an insertion must start at one.
    let before = old.get(..same)?;
    if let Some(lt) = before
        .rfind('<')
        .filter(|&lt| before.rfind('>').is_none_or(|gt| gt < lt))
    {
        same = lt;
    }
    let tail = old_content
        .bytes()
        .rev()
        .zip(new_content.bytes().rev())
        .take(old_content.len().min(new_content.len()) - (same - old_tag))
        .take_while(|(a, b)| a == b)
        .count();
    let (cf, mut ct) = (same, old.len() - tail);
    let after = old.get(ct..)?;
    if let Some(gt) = after
        .find('>')
        .filter(|&gt| after.find('<').is_none_or(|lt| gt < lt))
    {
        ct += gt + 1;
    }
    // The change: bytes `cf..ct` of the old row, the same bytes around it in the new.

    // Every element of the old row: its parent, where its content starts and ends, and
    // where it is among the child nodes; and every child node (in one list, so reading a
    // row allocates twice, not once per element): its parent, span and element number.
    struct Element {
        parent: Option<usize>,
        content: (usize, usize),
        node: Option<usize>,
        // A text area's text is its value: it is replaced whole, never edited inside.
        whole: bool,
    }
    let mut all: Vec<Element> = Vec::new();
    let mut kids: Vec<(usize, Node)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut start = 0;
    for (token, end) in tokens(old)? {
        let mut node = None;
        if let (Some(&parent), false) = (open.last(), token == Token::Close) {
            let number = matches!(token, Token::Open { .. }).then_some(all.len());
            node = Some(kids.len());
            kids.push((parent, (start, end, number)));
        }
        match token {
            Token::Open { closed, name, .. } => {
                // An element that takes no children has no content to hold a change.
                let content = if closed { (usize::MAX, 0) } else { (end, end) };
                all.push(Element {
                    parent: open.last().copied(),
                    content,
                    node,
                    whole: name == "textarea",
                });
                if !closed {
                    open.push(all.len() - 1);
                }
            }
            Token::Close => {
                let element = all.get_mut(open.pop()?)?;
                element.content.1 = start;
                // The whole element is one child node: widen the span its opening tag got.
                if let Some(k) = element.node.and_then(|k| kids.get_mut(k)) {
                    k.1 .1 = end;
                }
            }
            Token::Text(_) => {}
        }
        start = end;
    }
    // The innermost element holding the change, then its ancestors, until the new run
    // is whole nodes.
    let mut candidate = all
        .iter()
        .rposition(|e| e.content.0 <= cf && ct <= e.content.1);
    while let Some(element) = candidate {
        let e = all.get(element)?;
        if e.whole {
            candidate = e.parent;
            continue;
        }
        let children: Vec<Node> = kids
            .iter()
            .filter(|k| k.0 == element)
            .map(|k| k.1)
            .collect();
        let hit = |&(s, e, _): &Node| {
            if cf == ct {
                s < cf && cf < e
            } else {
                s < ct && e > cf
            }
        };
        let first = children.iter().position(hit);
        let (mut remove, mut from, mut to) = match first {
            Some(first) => {
                let after = children.iter().rposition(hit)? + 1;
                let from = children.get(first)?.0;
                let to = children.get(after - 1)?.1;
                (first..after, from, to)
            }
            None => {
                let at = children.iter().filter(|c| c.1 <= cf).count();
                (at..at, cf, cf)
            }
        };
        // A text beside the run goes with it when the run would put text (or, removed,
        // another text) next to it: the DOM would hold two text nodes where the
        // markup, parsed, makes one.
        let slice = |from: usize, to: usize| {
            new.get(from - old_tag + new_tag..new.len() - (old.len() - to))
        };
        let ins = slice(from, to)?;
        let text = |k: Option<usize>| {
            k.and_then(|k| children.get(k))
                .filter(|c| c.2.is_none())
                .map(|&(s, t, _)| (s, t))
        };
        let (left, right) = (text(remove.start.checked_sub(1)), text(Some(remove.end)));
        let starts_text = !ins.is_empty() && !ins.starts_with('<');
        let ends_text = !ins.is_empty() && !ins.ends_with('>');
        if let Some((s, _)) = left.filter(|_| starts_text || (ins.is_empty() && right.is_some())) {
            remove.start -= 1;
            from = s;
        }
        if let Some((_, t)) = right.filter(|_| ends_text || (ins.is_empty() && left.is_some())) {
            remove.end += 1;
            to = t;
        }
        let mut insert = slice(from, to)?;
        if let Some(mut new) = nodes(insert) {
            // An element at the end of the run that reappears as it was stays.
            while let (Some(&last), Some(kept)) = (
                new.last(),
                remove
                    .clone()
                    .last()
                    .and_then(|i| children.get(i))
                    .filter(|c| c.2.is_some())
                    .and_then(|&(s, t, _)| old.get(s..t)),
            ) {
                if last != kept {
                    break;
                }
                new.pop();
                insert = insert.get(..insert.len() - kept.len())?;
                remove.end -= 1;
            }
            let old = children
                .get(remove.clone())?
                .iter()
                .map(|&(s, t, n)| Some((old.get(s..t)?, n)))
                .collect::<Option<_>>()?;
            return Some(Run {
                elements: all.len(),
                element,
                remove,
                old,
                insert,
                new,
            });
        }
        candidate = e.parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(old: &str, new: &'a str) -> Option<Vec<Op<'a>>> {
        morph(old, new).map(|m| m.ops)
    }

    fn set<'a>(element: usize, name: &'a str, value: &'a str) -> Op<'a> {
        Op::Set {
            element,
            name,
            value,
        }
    }

    fn put(element: usize, remove: std::ops::Range<usize>, insert: &str) -> Op<'_> {
        Op::Replace {
            element,
            remove,
            insert,
        }
    }

    #[test]
    fn a_moved_card_sets_one_attribute() {
        let old = "<g transform=\"translate(1 2)\" class=\"c\"><title>api</title><text x=\"3\">api</text></g>";
        let new = "<g transform=\"translate(5 2)\" class=\"c\"><title>api</title><text x=\"3\">api</text></g>";
        assert_eq!(
            parts(old, new),
            Some(vec![set(0, "transform", "translate(5 2)")])
        );
        assert_eq!(parts(old, old), Some(vec![]));
    }

    #[test]
    fn a_row_names_what_it_shows_in_its_first_data_attribute() {
        let card = "<g class=\"c\" transform=\"translate(1 2)\" data-service=\"api\" data-x=\"y\"><text data-service=\"b\">api</text></g>";
        assert_eq!(identity(card), Some("api"));
        assert_eq!(identity("<g data-tier=\"web_tier\">"), Some("web_tier"));
        // A value that only looks like one, or no data attribute at all.
        assert_eq!(identity("<g title=\" data-service=x\">"), None);
        assert_eq!(identity("<path class=\"flow\" d=\"M0 0\"/>"), None);
        assert_eq!(identity("text"), None);
    }

    #[test]
    fn a_bent_arrow_sets_its_path() {
        let old = "<g><title>a → b</title><path class=\"flow\" d=\"M0 0C1 1\"/></g>";
        let new = "<g><title>a → b</title><path class=\"flow\" d=\"M0 5C1 1\"/></g>";
        assert_eq!(parts(old, new), Some(vec![set(2, "d", "M0 5C1 1")]));
    }

    #[test]
    fn cells_that_changed_have_their_attributes_set() {
        let old = "<tr><th>a</th><td class=\"no\" aria-label=\"no\"></td><td class=\"self\" aria-label=\"itself\"></td><td class=\"no\" aria-label=\"no\"></td></tr>";
        let new = "<tr><th>a</th><td class=\"yes\" aria-label=\"a → b\"></td><td class=\"self\" aria-label=\"itself\"></td><td class=\"yes\" aria-label=\"a → c\"></td></tr>";
        assert_eq!(
            parts(old, new),
            Some(vec![
                set(2, "class", "yes"),
                set(2, "aria-label", "a → b"),
                set(4, "class", "yes"),
                set(4, "aria-label", "a → c"),
            ])
        );
    }

    #[test]
    fn a_value_with_an_escape_is_parsed_anew() {
        let old = "<li title=\"a\">x</li>";
        assert_eq!(parts(old, "<li title=\"a &amp; b\">x</li>"), None);
        // Escapes in the content are parsed with it.
        assert_eq!(
            parts(old, "<li title=\"a\">&lt;x&gt;</li>"),
            Some(vec![put(0, 0..1, "&lt;x&gt;")])
        );
    }

    #[test]
    fn another_element_or_other_attributes_are_a_new_row() {
        let one = "<div class=\"tier\"><p>a</p></div>";
        for other in [
            "<section class=\"tier\"><p>a</p></section>",
            "<div id=\"tier\"><p>a</p></div>",
            "<div class=\"tier\" hidden><p>a</p></div>",
            "text",
        ] {
            assert_eq!(parts(one, other), None, "{other}");
        }
    }

    #[test]
    fn a_form_field_value_makes_a_new_field() {
        let old = "<input name=\"image\" value=\"a\">";
        assert_eq!(parts(old, "<input name=\"image\" value=\"b\">"), None);
        // Inside a row, the field is replaced whole, with its new first value.
        let old = "<label><span>image</span><input value=\"a\"></label>";
        let new = "<label><span>image</span><input value=\"b\"></label>";
        assert_eq!(
            parts(old, new),
            Some(vec![put(0, 1..2, "<input value=\"b\">")])
        );
        assert_eq!(
            parts(
                "<p><textarea>a</textarea></p>",
                "<p><textarea>b</textarea></p>"
            ),
            Some(vec![put(0, 0..1, "<textarea>b</textarea>")])
        );
    }

    const BOX: &str =
        "<div class=\"tier\"><b>web</b><div class=\"cards\"><p>a</p><p>b</p><p>c</p></div></div>";

    fn boxed(cards: &str, class: &str) -> String {
        format!("<div class=\"{class}\"><b>web</b><div class=\"cards\">{cards}</div></div>")
    }

    #[test]
    fn a_card_taken_from_a_box_removes_one_node() {
        let new = boxed("<p>a</p><p>c</p>", "tier");
        assert_eq!(parts(BOX, &new), Some(vec![put(2, 1..2, "")]));
    }

    #[test]
    fn a_card_added_to_a_box_inserts_its_markup() {
        for (cards, at, insert) in [
            ("<p>a</p><p>b</p><p>b2</p><p>c</p>", 2..2, "<p>b2</p>"),
            ("<p>0</p><p>a</p><p>b</p><p>c</p>", 0..0, "<p>0</p>"),
            ("<p>a</p><p>b</p><p>c</p><p>d</p>", 3..3, "<p>d</p>"),
        ] {
            let new = boxed(cards, "tier");
            assert_eq!(parts(BOX, &new), Some(vec![put(2, at, insert)]), "{new}");
        }
    }

    #[test]
    fn a_selected_box_with_a_card_more_sets_its_class_and_replaces_the_run() {
        let new = boxed("<p>a</p><p>x</p><p>y</p><p>c</p>", "tier selected");
        assert_eq!(
            parts(BOX, &new),
            Some(vec![
                set(0, "class", "tier selected"),
                put(2, 1..2, "<p>x</p><p>y</p>")
            ])
        );
    }

    #[test]
    fn cards_that_changed_are_changed_inside() {
        let new = boxed("<p>x</p><p>b</p><p>y</p>", "tier");
        assert_eq!(
            parts(BOX, &new),
            Some(vec![put(3, 0..1, "x"), put(5, 0..1, "y")])
        );
    }

    fn named(cards: &[(&str, &str)]) -> String {
        let cards: String = cards
            .iter()
            .map(|(id, text)| format!("<p data-card=\"{id}\">{text}</p>"))
            .collect();
        boxed(&cards, "tier")
    }

    #[test]
    fn a_card_added_beside_one_that_changed_is_inserted_alone() {
        let old = named(&[("a", "a"), ("b", "b"), ("c", "c")]);
        let new = named(&[("a", "a"), ("x", "x"), ("b", "b2"), ("c", "c")]);
        assert_eq!(
            parts(&old, &new),
            Some(vec![
                put(2, 1..1, "<p data-card=\"x\">x</p>"),
                put(4, 0..1, "b2")
            ])
        );
    }

    #[test]
    fn a_card_taken_out_beside_one_that_changed_is_removed_alone() {
        let old = named(&[("a", "a"), ("b", "b"), ("c", "c")]);
        let new = named(&[("a", "a"), ("c", "c2")]);
        assert_eq!(
            parts(&old, &new),
            Some(vec![put(2, 1..2, ""), put(5, 0..1, "c2")])
        );
    }

    #[test]
    fn cards_in_another_order_or_with_nothing_in_common_are_replaced() {
        let old = named(&[("a", "a"), ("b", "b"), ("c", "c")]);
        for (cards, run) in [
            (
                [("a", "a"), ("c", "c"), ("b", "b"), ("d", "d")],
                "<p data-card=\"c\">c</p><p data-card=\"b\">b</p><p data-card=\"d\">d</p>",
            ),
            (
                [("a", "a"), ("x", "x"), ("y", "y"), ("z", "z")],
                "<p data-card=\"x\">x</p><p data-card=\"y\">y</p><p data-card=\"z\">z</p>",
            ),
        ] {
            let new = named(&cards);
            assert_eq!(parts(&old, &new), Some(vec![put(2, 1..3, run)]), "{new}");
        }
    }

    #[test]
    fn texts_are_nodes_of_their_own() {
        let old = "<li><b>x</b> reaches <code>db</code></li>";
        let new = "<li><b>x</b> calls <code>db</code></li>";
        assert_eq!(parts(old, new), Some(vec![put(0, 1..2, " calls ")]));
    }

    #[test]
    fn new_text_next_to_a_text_replaces_it_whole() {
        // "80" becoming "8000" is one text node, not "80" and then "00".
        let old = "<text x=\"1\">80</text>";
        assert_eq!(
            parts(old, "<text x=\"1\">8000</text>"),
            Some(vec![put(0, 0..1, "8000")])
        );
        // An element taken from between two texts leaves one text.
        assert_eq!(
            parts("<p>a<b>x</b>c</p>", "<p>ac</p>"),
            Some(vec![put(0, 0..3, "ac")])
        );
        assert_eq!(
            parts("<p><b>x</b>a</p>", "<p><b>x</b>ab</p>"),
            Some(vec![put(0, 1..2, "ab")])
        );
    }

    #[test]
    fn void_and_self_closed_elements_take_no_children() {
        let old = "<div><input type=\"checkbox\" disabled><span>a</span><path d=\"M0\"/>b</div>";
        let new = "<div><input type=\"checkbox\" disabled><span>a</span><path d=\"M1\"/>b</div>";
        assert_eq!(parts(old, new), Some(vec![set(3, "d", "M1")]));
    }

    #[test]
    fn markup_it_does_not_know_is_parsed_anew() {
        assert_eq!(parts("<p a=\"1\">x</p>", "<p a=1>x</p>"), None);
        for new in [
            "<div class=\"tier\"><b>web</b><!-- x --></div>",
            "<div class=\"tier\"><b>web</b></div></div>",
        ] {
            assert_eq!(parts(BOX, new), None, "{new}");
        }
    }

    /// A row as the browser would hold it: text nodes and elements (open tag, children,
    /// and the element's number in the row it was read from, as ops name it).
    #[derive(Debug, Clone, PartialEq)]
    enum Dom {
        Text(String),
        Element(String, Vec<Dom>, usize),
    }

    /// The nodes of `markup`, elements numbered from `first` in document order.
    fn numbered(markup: &str, first: usize) -> Vec<Dom> {
        let mut stack: Vec<(String, Vec<Dom>, usize)> = vec![(String::new(), Vec::new(), 0)];
        let (mut start, mut number) = (0, first);
        for (token, end) in tokens(markup).unwrap_or_default() {
            let raw = markup.get(start..end).unwrap_or_default().to_string();
            match token {
                Token::Open { closed: true, .. } => {
                    if let Some(top) = stack.last_mut() {
                        top.1.push(Dom::Element(raw, Vec::new(), number));
                    }
                    number += 1;
                }
                Token::Open { .. } => {
                    stack.push((raw, Vec::new(), number));
                    number += 1;
                }
                Token::Close => {
                    if let Some((tag, kids, n)) = stack.pop() {
                        if let Some(parent) = stack.last_mut() {
                            parent.1.push(Dom::Element(tag, kids, n));
                        }
                    }
                }
                Token::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.1.push(Dom::Text(t.to_string()));
                    }
                }
            }
            start = end;
        }
        stack.pop().map(|(_, kids, _)| kids).unwrap_or_default()
    }

    /// A node without its elements' numbers, to compare.
    fn unnumbered(node: Dom) -> Dom {
        match node {
            Dom::Element(tag, kids, _) => {
                Dom::Element(tag, kids.into_iter().map(unnumbered).collect(), 0)
            }
            text => text,
        }
    }

    /// The nodes of `markup`, to compare.
    fn dom(markup: &str) -> Vec<Dom> {
        numbered(markup, 0).into_iter().map(unnumbered).collect()
    }

    /// The element the old row numbered `n`, wherever ops have put it.
    fn find(node: &mut Dom, n: usize) -> Option<&mut Dom> {
        if matches!(node, Dom::Element(_, _, number) if *number == n) {
            return Some(node);
        }
        let Dom::Element(_, kids, _) = node else {
            return None;
        };
        kids.iter_mut().find_map(|k| find(k, n))
    }

    /// What the page does with a morph, on the model: the elements ops name are those
    /// of the old row (found before any op), and ops go in order on the live children.
    fn applied(old: &str, m: &Morph<'_>) -> Option<Dom> {
        let mut root = numbered(old, 0).into_iter().next()?;
        for op in &m.ops {
            match op {
                Op::Set {
                    element,
                    name,
                    value,
                } => {
                    let Dom::Element(tag, ..) = find(&mut root, *element)? else {
                        return None;
                    };
                    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
                    let end = at + tag.get(at..)?.find('"')?;
                    tag.replace_range(at..end, value);
                }
                Op::Replace {
                    element,
                    remove,
                    insert,
                } => {
                    let Dom::Element(_, kids, _) = find(&mut root, *element)? else {
                        return None;
                    };
                    if kids.len() < remove.end {
                        return None;
                    }
                    // New nodes are never named by an op.
                    kids.splice(remove.clone(), numbered(insert, usize::MAX / 2));
                }
            }
        }
        Some(unnumbered(root))
    }

    /// Boxes of cards that name what they show, with cards taken out, put in and
    /// changed at random, morph into exactly what their new markup parses to.
    #[test]
    fn boxes_of_named_cards_morph_into_what_they_parse_to() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut roll = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let row = |cards: &[(usize, usize)]| {
            let cards: String = cards
                .iter()
                .map(|(id, text)| format!("<p data-card=\"{id}\"><b>{id}</b>t{text}</p>"))
                .collect();
            boxed(&cards, "tier")
        };
        let (mut morphed, mut aligned) = (0, 0);
        for round in 0..2000 {
            let old: Vec<(usize, usize)> = (0..roll(7)).map(|id| (id, 0)).collect();
            let mut new = old.clone();
            for _ in 0..1 + roll(3) {
                match roll(3) {
                    0 if !new.is_empty() => {
                        new.remove(roll(new.len()));
                    }
                    1 => new.insert(roll(new.len() + 1), (100 + round, 0)),
                    _ => {
                        if let Some(card) = new.get_mut(roll(7)) {
                            card.1 += 1;
                        }
                    }
                }
            }
            let (old, new) = (row(&old), row(&new));
            let Some(m) = morph(&old, &new) else {
                continue;
            };
            morphed += 1;
            assert_eq!(
                applied(&old, &m),
                dom(&new).into_iter().next(),
                "{old}\n{new}\n{m:?}"
            );
            let one_by_one = |op: &Op<'_>| matches!(op, Op::Replace { remove, insert, .. } if remove.is_empty() || insert.is_empty());
            if m.ops.len() > 1 && m.ops.iter().any(one_by_one) {
                aligned += 1;
            }
        }
        assert!(
            morphed > 1500 && aligned > 300,
            "{morphed} morphed, {aligned} aligned"
        );
    }

    /// Random rows, each changed at random, morph into exactly what their new markup
    /// parses to: same elements, same text nodes.
    #[test]
    fn morphs_give_what_the_new_markup_parses_to() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut roll = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        fn tree(roll: &mut impl FnMut(usize) -> usize, depth: usize) -> String {
            let mut out = String::new();
            for _ in 0..roll(4) {
                match roll(if depth > 2 { 1 } else { 4 }) {
                    0 => out.push_str(["a", "b", "ab", "&amp;"][roll(4)]),
                    1 => out.push_str("<path d=\"M1\"/>"),
                    _ => {
                        let tag = ["p", "b", "g"][roll(3)];
                        let attr = ["", " class=\"x\"", " class=\"y\""][roll(3)];
                        out.push_str(&format!("<{tag}{attr}>{}</{tag}>", tree(roll, depth + 1)));
                    }
                }
            }
            out
        }
        let mut morphed = 0;
        for _ in 0..3000 {
            let old = format!("<div class=\"r\">{}</div>", tree(&mut roll, 0));
            let new = if roll(3) == 0 {
                format!("<div class=\"s\">{}</div>", tree(&mut roll, 0))
            } else {
                // A small change: one piece of the old row cut out or put in.
                let from = old.len() / 2 + roll(old.len() / 2);
                let cut = old
                    .get(from..)
                    .and_then(|t| t.find('>'))
                    .map_or(old.len(), |k| from + k + 1);
                let mut new = old.clone();
                match roll(4) {
                    0 => new.insert_str(cut, &tree(&mut roll, 2)),
                    1 => new.insert(cut, 'q'),
                    2 => new.insert_str(cut, "<b class=\"y\">z</b>"),
                    // An attribute changed somewhere (each "x" class, from the cut on).
                    _ => {
                        new = format!(
                            "{}{}",
                            old.get(..cut).unwrap_or_default(),
                            old.get(cut..).unwrap_or_default().replace("\"x\"", "\"z\"")
                        )
                    }
                }
                new
            };
            if dom(&new).len() != 1 || nodes(&new).is_none() {
                continue;
            }
            if let Some(m) = morph(&old, &new) {
                morphed += 1;
                assert_eq!(
                    applied(&old, &m),
                    dom(&new).into_iter().next(),
                    "{old}\n{new}\n{m:?}"
                );
            }
        }
        assert!(morphed > 1000, "only {morphed} rows were morphed");
    }
}
