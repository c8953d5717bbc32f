//! Writing a [`Node`] tree back to YAML text.

use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter};

use super::{Node, Value};

/// Writes the tree as block-style YAML. Strings that another YAML reader could take
/// for a number, boolean or null (`"80:80"`, `"yes"`, `"3.8"`) are quoted.
pub fn emit(node: &Node) -> String {
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    // Writing into a String cannot fail; an error here would be a bug in the emitter.
    if emitter.dump(&to_yaml(node)).is_err() {
        return String::new();
    }
    let body = out.strip_prefix("---\n").unwrap_or(&out).to_string();
    if body.ends_with('\n') {
        body
    } else {
        body + "\n"
    }
}

fn to_yaml(node: &Node) -> Yaml {
    match &node.value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Int(i) => Yaml::Integer(*i),
        Value::Float(f) => Yaml::Real(f.clone()),
        Value::Str(s) => Yaml::String(s.clone()),
        Value::Seq(items) => Yaml::Array(items.iter().map(to_yaml).collect()),
        Value::Map(entries) => {
            let mut hash = Hash::new();
            for (k, v) in entries.iter() {
                hash.insert(to_yaml(k), to_yaml(v));
            }
            Yaml::Hash(hash)
        }
    }
}
