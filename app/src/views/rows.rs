//! Lists written as HTML rows and patched by key. Each row is one element's outer HTML
//! and is its own key: a row whose HTML did not change keeps its DOM node, so an edit
//! re-parses, restyles and re-lays out only the rows it changed. One small non-generic
//! patch serves every list (Leptos' `<For>` costs several KB of page per use).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

const SVG: &str = "http://www.w3.org/2000/svg";

/// Keeps the children of the element with id `container` equal to `rows` (each one
/// element's outer HTML; equal rows are written once). Runs once the view is mounted
/// and after every change of `rows`.
pub fn keep(container: &'static str, rows: Memo<Vec<String>>) {
    Effect::new(move |previous: Option<Vec<(String, web_sys::Element)>>| {
        let shown = previous.unwrap_or_default();
        match document().get_element_by_id(container) {
            Some(el) => rows.with(|rows| patch(&el, shown, rows)),
            None => shown,
        }
    });
}

/// Rewrites only what changed: reuses the nodes of unchanged rows, moves the nodes of
/// rows that only changed position, parses the new ones in a single pass, puts nodes in
/// order and removes what is gone.
fn patch(
    container: &web_sys::Element,
    shown: Vec<(String, web_sys::Element)>,
    rows: &[String],
) -> Vec<(String, web_sys::Element)> {
    let mut old = shown;
    let mut next: Vec<(String, Option<web_sys::Element>)> = Vec::with_capacity(rows.len());
    for row in rows {
        if next.iter().any(|(r, _)| r == row) {
            continue;
        }
        let node = old
            .iter()
            .position(|(r, _)| r == row)
            .map(|i| old.swap_remove(i).1);
        next.push((row.clone(), node));
    }
    // A card that only moved keeps its node (no parsing, no text laid out again).
    for (row, node) in next.iter_mut().filter(|(_, n)| n.is_none()) {
        let Some((at, body)) = placed(row) else {
            continue;
        };
        let Some(i) = old
            .iter()
            .position(|(r, _)| placed(r).is_some_and(|(_, b)| b == body))
        else {
            continue;
        };
        let (_, el) = old.swap_remove(i);
        let _ = el.set_attribute("transform", at);
        *node = Some(el);
    }
    let fresh: Vec<&str> = next
        .iter()
        .filter(|(_, n)| n.is_none())
        .map(|(r, _)| r.as_str())
        .collect();
    let svg = container.namespace_uri().as_deref() == Some(SVG);
    let mut parsed = parse(&fresh, svg).into_iter();
    for (_, node) in old {
        node.remove();
    }
    let mut cursor = container.first_element_child();
    let mut out = Vec::with_capacity(next.len());
    for (row, node) in next {
        let Some(node) = node.or_else(|| parsed.next().flatten()) else {
            continue;
        };
        if cursor.as_ref() == Some(&node) {
            cursor = node.next_element_sibling();
        } else {
            let before: Option<&web_sys::Node> = cursor.as_ref().map(|c| c.as_ref());
            let _ = container.insert_before(&node, before);
        }
        out.push((row, node));
    }
    out
}

/// A row that starts with its position (`<g transform="…"`): the position, and the
/// rest, which is the same for the row wherever it stands.
fn placed(row: &str) -> Option<(&str, &str)> {
    let (_, rest) = row.split_once(' ')?;
    let rest = rest.strip_prefix("transform=\"")?;
    let (at, _) = rest.split_once('"')?;
    Some((at, row.get(row.len() - rest.len() + at.len()..)?))
}

/// One element per row (none for a row that is not markup). New rows are parsed
/// together in a template, which accepts any element (a `<tr>` included) without the
/// context its parent would need, inside an `<svg>` when they are SVG; if that does not
/// give one element per row, each row is parsed alone.
fn parse(rows: &[&str], svg: bool) -> Vec<Option<web_sys::Element>> {
    let Some(template) = document()
        .create_element("template")
        .ok()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTemplateElement>().ok())
    else {
        return Vec::new();
    };
    let elements = |html: &str| {
        let children = if svg {
            template.set_inner_html(&format!("<svg xmlns=\"{SVG}\">{html}</svg>"));
            match template.content().first_element_child() {
                Some(root) => root.children(),
                None => return Vec::new(),
            }
        } else {
            template.set_inner_html(html);
            template.content().children()
        };
        (0..children.length())
            .filter_map(|i| children.item(i))
            .collect::<Vec<_>>()
    };
    let all = elements(&rows.concat());
    if all.len() == rows.len() {
        return all.into_iter().map(Some).collect();
    }
    rows.iter()
        .map(|row| elements(row).into_iter().next())
        .collect()
}
