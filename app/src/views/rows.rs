//! Lists written as HTML rows and patched by key. Each row is one element's outer HTML
//! and is its own key: a row whose HTML did not change keeps its DOM node, and a row
//! that changed takes over a gone row's node and changes only what differs
//! ([`morph`]), so an edit re-parses, restyles and re-lays out only what it changed.
//! One small non-generic patch serves every list (Leptos' `<For>` costs several KB of
//! page per use).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::morph;

const SVG: &str = "http://www.w3.org/2000/svg";

/// Keeps the children of the element with id `container` equal to what `rows` returns
/// (each one element's outer HTML; equal rows are written once). Runs once the view is
/// mounted and whenever a signal `rows` reads changes. `rows` is not a memo: `patch`
/// compares the rows with those shown anyway, and a memo would compare them first.
pub fn keep(container: &'static str, rows: Box<dyn Fn() -> Vec<String>>) {
    Effect::new(move |previous: Option<Vec<(String, web_sys::Element)>>| {
        let shown = previous.unwrap_or_default();
        match document().get_element_by_id(container) {
            Some(el) => patch(&el, shown, &rows()),
            None => shown,
        }
    });
}

/// Rewrites only what changed: reuses the nodes of unchanged rows, morphs gone rows'
/// nodes into new rows like them, parses the other new ones in a single pass, removes
/// what is gone and moves as few nodes as it can to put them in order (a moved node is
/// styled and laid out again, like a new one).
fn patch(
    container: &web_sys::Element,
    shown: Vec<(String, web_sys::Element)>,
    rows: &[String],
) -> Vec<(String, web_sys::Element)> {
    // Most lists are as shown after an edit: nothing to copy, compare again or write.
    if shown.len() == rows.len() && shown.iter().zip(rows).all(|((shown, _), row)| shown == row) {
        return shown;
    }
    let mut old: Vec<Option<(String, web_sys::Element)>> = shown.into_iter().map(Some).collect();
    // Each row, with the shown row (by index) whose node it keeps.
    let mut next: Vec<(String, Option<usize>)> = Vec::with_capacity(rows.len());
    let mut free = vec![true; old.len()];
    for row in rows {
        if next.iter().any(|(r, _)| r == row) {
            continue;
        }
        let kept = old.iter().zip(free.iter_mut()).position(|(o, free)| {
            let same = *free && o.as_ref().is_some_and(|(r, _)| r == row);
            if same {
                *free = false;
            }
            same
        });
        next.push((row.clone(), kept));
    }
    let svg = container.namespace_uri().as_deref() == Some(SVG);
    for (i, j) in morph_gone(&old, &free, &next, svg) {
        if let (Some(slot), Some(f)) = (next.get_mut(j), free.get_mut(i)) {
            slot.1 = Some(i);
            *f = false;
        }
    }
    let fresh: Vec<&str> = next
        .iter()
        .filter(|(_, i)| i.is_none())
        .map(|(r, _)| r.as_str())
        .collect();
    let mut fresh = parse(&fresh, svg);
    for (o, free) in old.iter_mut().zip(&free) {
        if let (Some((_, node)), true) = (o.as_ref(), *free) {
            node.remove();
            *o = None;
        }
    }
    // Kept nodes already in order stay; the others move, from the last row back.
    let order: Vec<usize> = next.iter().filter_map(|(_, i)| *i).collect();
    let mut steady = steady(&order).into_iter().rev();
    let mut anchor: Option<web_sys::Element> = None;
    let mut out = Vec::with_capacity(next.len());
    for (row, i) in next.into_iter().rev() {
        let (node, stays) = match i {
            Some(i) => (
                old.get_mut(i).and_then(Option::take).map(|(_, el)| el),
                steady.next().unwrap_or(false),
            ),
            None => (fresh.pop().flatten(), false),
        };
        let Some(node) = node else {
            continue;
        };
        if !stays {
            let before: Option<&web_sys::Node> = anchor.as_ref().map(|a| a.as_ref());
            let _ = container.insert_before(&node, before);
        }
        anchor = Some(node.clone());
        out.push((row, node));
    }
    out.reverse();
    out
}

/// Which values of `seq` form its longest increasing run (not necessarily contiguous):
/// those nodes are in order already and need not move.
fn steady(seq: &[usize]) -> Vec<bool> {
    // tails[k]: where the smallest possible end of an increasing run of k + 1 values is.
    let mut tails: Vec<usize> = Vec::new();
    let mut before: Vec<Option<usize>> = Vec::with_capacity(seq.len());
    for (at, value) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq.get(t).is_some_and(|v| v < value));
        before.push(k.checked_sub(1).and_then(|k| tails.get(k).copied()));
        match tails.get_mut(k) {
            Some(tail) => *tail = at,
            None => tails.push(at),
        }
    }
    let mut keep = vec![false; seq.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        if let Some(k) = keep.get_mut(i) {
            *k = true;
        }
        at = before.get(i).copied().flatten();
    }
    keep
}

/// Reuses the nodes of gone rows (`free`) for new rows, and returns the pairs (gone,
/// new) whose node now shows the new row, changed by [`morph`] where it differs. Each
/// new row takes the gone row of its kind that shows the same thing ([`morph::identity`]:
/// a card's service), though the node may then move: a card whose box moved then only
/// changes its position, where another card's node would have its name and texts
/// replaced, and each replaced SVG text is laid out anew. Failing that, it takes the
/// first gone row of its kind, in order. A node that refused its changes is not in the
/// pairs, and is removed.
fn morph_gone(
    old: &[Option<(String, web_sys::Element)>],
    free: &[bool],
    next: &[(String, Option<usize>)],
    svg: bool,
) -> Vec<(usize, usize)> {
    let ids: Vec<Option<&str>> = old
        .iter()
        .map(|o| o.as_ref().and_then(|(r, _)| morph::identity(r)))
        .collect();
    // Free rows not yet tried: a node whose changes failed halfway is only removed.
    let mut untried = free.to_vec();
    let mut taken = Vec::new();
    for (j, (row, _)) in next.iter().enumerate().filter(|(_, (_, i))| i.is_none()) {
        let id = morph::identity(row);
        let mut alike = old
            .iter()
            .zip(&untried)
            .zip(&ids)
            .enumerate()
            .filter_map(|(i, ((o, untried), gone_id))| {
                let (r, el) = o.as_ref().filter(|_| *untried)?;
                Some((i, r, el, *gone_id))
            })
            .filter(|(_, r, _, _)| morph::kind(r).eq(morph::kind(row)));
        // Only a row that names what it shows looks for its own node first.
        let gone = id
            .and_then(|id| alike.clone().find(|g| g.3 == Some(id)))
            .or_else(|| alike.next());
        let Some((i, gone, el, _)) = gone else {
            continue;
        };
        if let Some(u) = untried.get_mut(i) {
            *u = false;
        }
        if morph::morph(gone, row).is_some_and(|m| apply(el, &m, svg)) {
            taken.push((i, j));
        }
    }
    taken
}

/// Makes `el` show the new row, once sure the browser built `el` as its markup says
/// (a parser that adds an element, such as a table's body, would shift the numbers).
fn apply(el: &web_sys::Element, m: &morph::Morph<'_>, svg: bool) -> bool {
    let all = el.get_elements_by_tag_name("*");
    if all.length() as usize + 1 != m.elements {
        return false;
    }
    // Every element an op names, found before any op renumbers them.
    let targets: Option<Vec<web_sys::Element>> = m
        .ops
        .iter()
        .map(|op| {
            let (morph::Op::Set { element, .. } | morph::Op::Replace { element, .. }) = op;
            match element.checked_sub(1) {
                None => Some(el.clone()),
                Some(k) => all.item(k as u32),
            }
        })
        .collect();
    let Some(targets) = targets else {
        return false;
    };
    m.ops.iter().zip(&targets).all(|(op, target)| match op {
        morph::Op::Set { name, value, .. } => target.set_attribute(name, value).is_ok(),
        morph::Op::Replace { remove, insert, .. } => replace(target, remove, insert, svg),
    })
}

/// Replaces child nodes `remove` of `target` with the nodes `insert` parses to.
fn replace(
    target: &web_sys::Element,
    remove: &std::ops::Range<usize>,
    insert: &str,
    svg: bool,
) -> bool {
    let children = target.child_nodes();
    if (children.length() as usize) < remove.end {
        return false;
    }
    // Text with no markup, escape or character the parser rewrites (CR, NUL) parses to
    // one text node of itself: made directly, it skips the parser (most of an edit's
    // replacements are a label's text).
    let text = !insert.contains(['<', '&', '\r', '\0']);
    let holder = if text { None } else { parsed(insert, svg) };
    if !text && holder.is_none() {
        return false;
    }
    let before = children.item(remove.end as u32);
    for i in remove.clone().rev() {
        if let Some(gone) = children.item(i as u32) {
            let _ = target.remove_child(&gone);
        }
    }
    if text && !insert.is_empty() {
        let node = document().create_text_node(insert);
        return target.insert_before(&node, before.as_ref()).is_ok();
    }
    while let Some(node) = holder.as_ref().and_then(web_sys::Node::first_child) {
        if target.insert_before(&node, before.as_ref()).is_err() {
            return false;
        }
    }
    true
}

/// Parses `markup` and returns the node holding the result: a template's content, or
/// for SVG the `<svg>` element it was parsed in.
fn parsed(markup: &str, svg: bool) -> Option<web_sys::Node> {
    let template = document()
        .create_element("template")
        .ok()?
        .dyn_into::<web_sys::HtmlTemplateElement>()
        .ok()?;
    if svg {
        template.set_inner_html(&format!("<svg xmlns=\"{SVG}\">{markup}</svg>"));
        template.content().first_child()
    } else {
        template.set_inner_html(markup);
        Some(template.content().into())
    }
}

/// One element per row (none for a row that is not markup). New rows are parsed
/// together in a template, which accepts any element (a `<tr>` included) without the
/// context its parent would need, inside an `<svg>` when they are SVG; if that does not
/// give one element per row, each row is parsed alone.
fn parse(rows: &[&str], svg: bool) -> Vec<Option<web_sys::Element>> {
    let elements = |html: &str| {
        let mut out = Vec::new();
        let mut node = parsed(html, svg).and_then(|holder| holder.first_child());
        while let Some(n) = node {
            node = n.next_sibling();
            out.extend(n.dyn_into::<web_sys::Element>().ok());
        }
        out
    };
    let all = elements(&rows.concat());
    if all.len() == rows.len() {
        return all.into_iter().map(Some).collect();
    }
    rows.iter()
        .map(|row| elements(row).into_iter().next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::steady;

    #[test]
    fn only_nodes_out_of_order_move() {
        // One node moved from the front to the back: the others stay.
        assert_eq!(steady(&[1, 2, 3, 4, 0]), [true, true, true, true, false]);
        // And from the back to the front.
        assert_eq!(steady(&[4, 0, 1, 2, 3]), [false, true, true, true, true]);
        assert_eq!(steady(&[0, 3, 1, 2]), [true, false, true, true]);
        assert_eq!(steady(&[]), Vec::<bool>::new());
        assert_eq!(steady(&[2, 1, 0]).iter().filter(|s| **s).count(), 1);
    }
}
