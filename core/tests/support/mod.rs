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
