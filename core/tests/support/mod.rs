//! Shared helpers for the integration tests: the corpus, and the real docker CLI.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The corpus of real public compose files, kept in the repository with their source,
/// commit and licence (`corpus/MANIFEST.tsv`).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One row of `corpus/MANIFEST.tsv`.
pub struct CorpusFile {
    /// File name in `corpus/`.
    pub file: String,
    /// Whether `docker stack config` accepts the file as it is.
    pub stack_config_passes: bool,
}

/// The corpus files listed in the manifest.
pub fn corpus() -> Vec<CorpusFile> {
    let manifest =
        std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("corpus manifest");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .expect("manifest column")
    };
    let (file, verdict) = (col("file"), col("docker_stack_config"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            CorpusFile {
                file: cells[file].to_string(),
                stack_config_passes: cells[verdict] == "PASS",
            }
        })
        .collect()
}

/// Reads a corpus file.
pub fn corpus_text(file: &str) -> String {
    std::fs::read_to_string(corpus_dir().join(file)).expect("corpus file")
}

/// The output of `docker stack config -c <file>` run in a clean environment, or the
/// error it printed.
pub fn stack_config(file: &Path) -> Result<String, String> {
    let dir = file.parent().expect("file in a directory");
    let out = Command::new("docker")
        .args(["stack", "config", "-c"])
        .arg(file)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .output()
        .expect("the docker CLI must be installed (it needs no daemon for `stack config`)");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A fresh directory under the target dir for one test's files.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The model as JSON with every source location removed, to compare designs read from
/// different texts.
pub fn without_locations(model: &tiermap_core::model::Model) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|k, _| k != "at" && !k.ends_with("_at"));
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(model).expect("model serialises");
    strip(&mut value);
    value
}

/// One difference between two texts by lines: `old` lines `start..end` (0-based) are
/// replaced by `added`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// First old line replaced (or the line the insertion goes before).
    pub start: usize,
    /// One past the last old line replaced.
    pub end: usize,
    /// The new lines.
    pub added: Vec<String>,
}

/// The lines of a text, each with its line break.
pub fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The line differences between two texts (longest common subsequence of lines, line
/// breaks included, so a lost final newline is a difference).
pub fn line_diff(old: &str, new: &str) -> Vec<Hunk> {
    let (a, b) = (lines(old), lines(new));
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut open: Option<Hunk> = None;
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            hunks.extend(open.take());
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            open.get_or_insert(Hunk {
                start: i,
                end: i,
                added: Vec::new(),
            })
            .added
            .push(b[j].to_string());
            j += 1;
        } else {
            open.get_or_insert(Hunk {
                start: i,
                end: i,
                added: Vec::new(),
            })
            .end = i + 1;
            i += 1;
        }
    }
    hunks.extend(open);
    hunks
}

/// The 0-based lines a span of the text covers.
pub fn span_lines(span: tiermap_core::yaml::Span) -> std::ops::Range<usize> {
    span.start.line as usize..span.end.line as usize + 1
}

/// The lines an edit owns.
///
/// - An entry it changes (a service's `networks` or `ports`, `x-tiermap`, `version`
///   when raised): the lines from the entry's key to the end of its value, and the
///   places just before, inside and after them.
/// - An entry it adds to a mapping: the places inside and just after the mapping's
///   entry (the service, for a service's new `networks:` or `ports:`).
/// - `x-tiermap` when the file has none: the end of the file (after its last line that
///   is not blank).
#[derive(Default, Debug)]
pub struct Owned {
    /// Lines (0-based) the edit may replace or remove.
    pub lines: std::collections::BTreeSet<usize>,
    /// Places between lines where it may insert (k: before line k).
    pub inserts: std::collections::BTreeSet<usize>,
}

impl Owned {
    /// An entry the edit changes.
    pub fn entry(&mut self, lines: std::ops::Range<usize>) {
        self.inserts.extend(lines.start..=lines.end);
        self.lines.extend(lines);
    }

    /// A mapping the edit adds an entry to.
    pub fn inside(&mut self, lines: std::ops::Range<usize>) {
        self.inserts.extend(lines.start + 1..=lines.end);
    }

    /// The end of the file.
    pub fn end_of_file(&mut self, text: &str) {
        let all = lines(text);
        let mut k = all.len();
        while k > 0 && matches!(all[k - 1].trim(), "" | "...") {
            k -= 1;
        }
        self.inserts.extend(k..=all.len());
    }

    /// The hunks of the diff that touch what the edit does not own. (A last line without
    /// a line break is compared as if it had one; that it still has none is checked
    /// apart.)
    pub fn foreign(&self, before: &str, after: &str) -> Vec<Hunk> {
        let ended = |t: &str| {
            if t.ends_with('\n') {
                t.to_string()
            } else {
                format!("{t}\n")
            }
        };
        line_diff(&ended(before), &ended(after))
            .into_iter()
            .filter(|h| {
                let removes_owned = (h.start..h.end).all(|l| self.lines.contains(&l));
                let insert_ok = h.end > h.start || self.inserts.contains(&h.start);
                !(removes_owned && insert_ok)
            })
            .collect()
    }
}

/// The entry at `path` in a design's document: its lines.
pub fn entry_lines(design: &tiermap_core::Design, path: &[&str]) -> Option<std::ops::Range<usize>> {
    let (last, parents) = path.split_last()?;
    let mut node = design.document();
    for key in parents {
        node = node.get(key)?;
    }
    let (key, value) = node.entry(last)?;
    // An entry merged in by `<<` is written elsewhere: an edit overrides it here.
    if key.src.via != tiermap_core::yaml::Via::Written {
        return None;
    }
    let start = key.src.span?;
    let end = value.src.here()?;
    let span = tiermap_core::yaml::Span {
        start: start.start,
        end: end.end.max(start.end),
    };
    Some(span_lines(span))
}

/// Where two trees first differ (value, location or source), for failure messages.
pub fn first_difference(
    a: &tiermap_core::yaml::Node,
    b: &tiermap_core::yaml::Node,
    path: &str,
) -> Option<String> {
    use tiermap_core::yaml::Value;
    if a.at != b.at || a.src != b.src {
        return Some(format!(
            "{path}: at {:?} / {:?}, src {:?} / {:?}",
            a.at, b.at, a.src, b.src
        ));
    }
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => x
            .iter()
            .zip(y.iter())
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
            x.iter().zip(y.iter()).find_map(|((k1, v1), (k2, v2))| {
                let name = k1.scalar_text().unwrap_or_default();
                first_difference(k1, k2, &format!("{path}.{name}(key)"))
                    .or_else(|| first_difference(v1, v2, &format!("{path}.{name}")))
            })
        }
        (x, y) if x == y => None,
        (x, y) => Some(format!("{path}: {x:?} / {y:?}")),
    }
}
