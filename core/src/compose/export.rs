//! Writing the design's document as a stack file.

use crate::yaml::{self, Node, Value};

/// The stack file for a document: every key as the user wrote it (anchors and merges
/// expanded, comments dropped), plus `x-tiermap` when the design keeps data there.
pub fn stack_file(doc: &Node) -> String {
    if doc.get("x-tiermap").is_some() && needs_extension_version(doc) {
        // Top-level `x-*` keys need file format 3.4 or later.
        let mut doc = doc.clone();
        doc.set("version", Node::new(Value::Str("3.4".into())));
        return yaml::emit(&doc);
    }
    yaml::emit(doc)
}

fn needs_extension_version(doc: &Node) -> bool {
    let Some(version) = doc.get("version").and_then(Node::scalar_text) else {
        return false;
    };
    let mut parts = version.split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(3);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    major == 3 && minor < 4
}
