//! `tiermap`: check, export and compare Docker Swarm stack files with the rules the
//! designer page shows.
//!
//! Exit codes are a contract: 0 when nothing is at or above `--fail-on`, 1 when
//! something is, 2 when the input cannot be read (the message goes to stderr).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tiermap_core::artifacts::{
    self, Artifact, ArtifactError, DeploymentError, DeploymentText, Field, FieldError, NodeRole,
    TraefikVersion,
};
use tiermap_core::baseline;
use tiermap_core::compose::merge::{self, FilesError, MergeError};
use tiermap_core::compose::Variables;
use tiermap_core::findings::{Rule, Severity};
use tiermap_core::model::Model;
use tiermap_core::templates::TEMPLATES;
use tiermap_core::yaml::Location;
use tiermap_core::{Analysis, Design, ImportError, ImportOptions, Report};

mod fix;
mod sarif;
mod text;

#[derive(Parser)]
#[command(
    name = "tiermap",
    version,
    about = "Check, export and compare Docker Swarm stack files designed in tiers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a compose or stack file: reachability, blast radius, exposed surface, findings.
    ///
    /// Exit codes: 0 nothing open at or above --fail-on, 1 something is, 2 the input
    /// cannot be read.
    Check {
        /// The file (`-` for standard input); or give the files with `-c`.
        file: Option<PathBuf>,
        /// A stack file, as `docker stack deploy -c` takes it; repeat it to merge several
        /// the way docker does (later files override earlier ones).
        #[arg(short = 'c', long = "compose-file", value_name = "FILE")]
        compose_files: Vec<PathBuf>,
        /// Output format: text for people, json for scripts, sarif for code scanning.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Exit 1 when an open (not accepted) finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Show the fixes tiermap can make as a unified diff, or write them with --apply.
    Fix {
        /// The file.
        file: PathBuf,
        /// Write the fixed file instead of printing the diff.
        #[arg(long)]
        apply: bool,
        /// Apply only the fixes of this rule (repeatable), e.g. `--only control-interface-published`.
        #[arg(long = "only", value_name = "RULE")]
        only: Vec<String>,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Explain a rule: what it checks, why it matters on Swarm, how to fix it. Without
    /// an id, list every rule.
    Explain {
        /// A rule name (`control-interface-published`) or a finding id
        /// (`control-interface-published:proxy:8080`).
        id: Option<String>,
    },
    /// Write an artifact generated from the design (to standard output unless `-o`); warnings go to stderr.
    Export {
        /// The file (`-` for standard input).
        file: PathBuf,
        /// What to generate.
        #[arg(long, value_parser = artifact_parser())]
        to: Artifact,
        /// Write to this file instead of standard output; a directory gets the artifact's
        /// conventional name (`firewall-worker.nft`, `envoy.yaml`, ...).
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        #[command(flatten)]
        deployment: DeploymentArgs,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Compare the exposed surface of two designs.
    Compare {
        /// The design before the change.
        before: PathBuf,
        /// The design after the change.
        after: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        input: InputArgs,
    },
    /// List the built-in templates.
    Templates,
    /// Print a built-in template as a stack file.
    Template {
        /// Template name (see `tiermap templates`).
        name: String,
    },
}

#[derive(clap::Args)]
struct InputArgs {
    /// Stack name (as in `docker stack deploy ... NAME`); defaults to `x-tiermap.name`, else the file name.
    #[arg(long)]
    stack: Option<String>,
    /// A variable for `${...}` interpolation, as KEY=VALUE (repeatable). Unset variables use their defaults.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Variables from a file of KEY=VALUE lines, as `docker compose --env-file` reads one
    /// (such as the `.env` beside the compose file; repeatable: later files, then --env, win).
    #[arg(long = "env-file", value_name = "FILE")]
    env_file: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
}

/// What the user tells `export` once per design: who the peers are, who may reach what.
/// Read by core ([`DeploymentText::parse`]) exactly as the page reads its fields.
#[derive(clap::Args)]
struct DeploymentArgs {
    /// Node role for the host firewalls and the Hetzner rules [default: worker].
    #[arg(long, value_parser = names(NodeRole::ALL.map(NodeRole::as_str)))]
    role: Option<String>,
    /// A swarm node's address or range (repeatable); default: the private ranges.
    #[arg(long = "peer", value_name = "CIDR")]
    peers: Vec<String>,
    /// Cloud tag on the swarm's nodes (managers also carry TAG-manager) [default: swarm].
    #[arg(long, value_name = "TAG")]
    tag: Option<String>,
    /// The range SSH is allowed from (repeatable); default: anywhere, with a warning.
    #[arg(long, value_name = "CIDR")]
    admin: Vec<String>,
    /// Sources allowed to a published port or range, as PORT=CIDR,CIDR or FIRST-LAST=CIDR,CIDR
    /// (repeatable); default: anywhere.
    #[arg(long = "allow", value_name = "PORT=CIDRS")]
    allowed: Vec<String>,
    /// Traefik label spelling [default: v3].
    #[arg(long, value_parser = names(TraefikVersion::ALL.map(TraefikVersion::as_str)))]
    traefik: Option<String>,
    /// Image of the verification script's probe tasks [default: busybox:1.36].
    #[arg(long, value_name = "IMAGE")]
    probe_image: Option<String>,
}

/// `--to`'s values: every artifact core generates, with its explanation for `--help`.
fn artifact_parser() -> impl clap::builder::TypedValueParser<Value = Artifact> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(Artifact::ALL.map(|a| PossibleValue::new(a.slug()).help(a.about())))
        .try_map(|slug| Artifact::from_slug(&slug).ok_or("unknown artifact"))
}

/// Core's names for a choice, listed by `--help` and completed by shells.
fn names(values: [&'static str; 2]) -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(values)
}

impl DeploymentArgs {
    /// The flags as core's field texts: a repeated flag is one list.
    fn text(&self) -> Result<DeploymentText, CliError> {
        let mut text = DeploymentText {
            role: self.role.clone().unwrap_or_default(),
            peers: self.peers.join("\n"),
            admin: self.admin.join("\n"),
            tag: self.tag.clone().unwrap_or_default(),
            traefik: self.traefik.clone().unwrap_or_default(),
            probe_image: self.probe_image.clone().unwrap_or_default(),
            ..DeploymentText::default()
        };
        for entry in &self.allowed {
            text.allow(entry).map_err(CliError::Allow)?;
        }
        Ok(text)
    }
}

/// Every deployment option that cannot be read, one per line, named by its flag.
#[derive(Debug)]
struct FieldErrors(Vec<FieldError>);

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            let flag = match e.field {
                Field::Role => "--role".to_string(),
                Field::Peers => "--peer".to_string(),
                Field::Admin => "--admin".to_string(),
                Field::Tag => "--tag".to_string(),
                Field::Allowed(port) => format!("--allow {port}"),
                Field::Traefik => "--traefik".to_string(),
                Field::ProbeImage => "--probe-image".to_string(),
            };
            let sep = if i == 0 { "" } else { "\ntiermap: " };
            write!(f, "{sep}{flag}: {}", e.source)?;
        }
        Ok(())
    }
}

/// Why the command could not run: exit code 2.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {source}")]
    Located {
        file: String,
        line: u32,
        column: u32,
        source: ImportError,
    },
    #[error("{file}: {source}")]
    Import { file: String, source: ImportError },
    #[error("{file}:{line}:{column}: {source}")]
    Merge {
        file: String,
        line: u32,
        column: u32,
        source: MergeError,
    },
    #[error("--env {0}: write KEY=VALUE")]
    BadVariable(String),
    #[error("{file}:{line}:{column}: `{text}` is not KEY=VALUE as a .env file writes it; fix the line or remove it")]
    BadEnvLine {
        file: String,
        line: usize,
        column: usize,
        text: String,
    },
    #[error("{file}: cannot read it as a .env file: {reason}")]
    EnvFile { file: String, reason: String },
    #[error("no template named `{0}`; `tiermap templates` lists them")]
    UnknownTemplate(String),
    #[error("--allow: {0}")]
    Allow(DeploymentError),
    #[error("{0}")]
    Options(FieldErrors),
    #[error("{file}: cannot write: {source}")]
    Write {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: cannot export {artifact}: {source}")]
    Artifact {
        file: String,
        artifact: &'static str,
        source: ArtifactError,
    },
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("give one file, or several with -c")]
    NoFile,
    #[error("`{0}` is not a rule; `tiermap explain` lists them")]
    UnknownRule(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tiermap: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Check {
            file,
            compose_files,
            format,
            fail_on,
            input,
        } => {
            let files: Vec<PathBuf> = file.into_iter().chain(compose_files).collect();
            let stack = Stack::open(&files, &input)?;
            let model = stack.model();
            let analysis = Analysis::of(model);
            let mut report = Report::new(model, &analysis);
            stack.place_findings(&mut report);
            match format {
                CheckFormat::Json => write_out(|w| report.write_json(w))?,
                CheckFormat::Text => out(&text::check(&report)),
                CheckFormat::Sarif => write_out(|w| {
                    serde_json::to_writer(&mut *w, &sarif::log(&report, &stack.names))
                        .map_err(std::io::Error::from)
                })?,
            }
            let threshold = match fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
            };
            let failed = analysis.worst().is_some_and(|worst| worst >= threshold);
            // The process ends here: freeing a large stack's model piece by piece
            // would only cost time (a tenth of the whole run at 1,000 services).
            std::mem::forget(report);
            std::mem::forget(analysis);
            std::mem::forget(stack);
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Fix {
            file,
            apply,
            only,
            input,
        } => {
            let rules = only
                .iter()
                .map(|name| {
                    Rule::from_name(name).ok_or_else(|| CliError::UnknownRule(name.clone()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let design = open(&file, &input)?;
            let shown = file.display().to_string();
            let outcome = fix::run(&design, &rules);
            for line in &outcome.notes {
                eprintln!("tiermap: {line}");
            }
            if apply {
                if outcome.changed() {
                    std::fs::write(&file, &outcome.text).map_err(|source| CliError::Write {
                        file: shown,
                        source,
                    })?;
                }
            } else {
                out(&fix::diff(&shown, &design.export(), &outcome.text));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { id } => {
            match id {
                None => out(&text::rules()),
                Some(id) => {
                    let name = id.split(':').next().unwrap_or(&id);
                    let rule =
                        Rule::from_name(name).ok_or_else(|| CliError::UnknownRule(id.clone()))?;
                    out(&text::explain(rule));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            file,
            to,
            output,
            deployment,
            input,
        } => {
            let deployment = deployment
                .text()?
                .parse()
                .map_err(|e| CliError::Options(FieldErrors(e)))?;
            let design = open(&file, &input)?;
            let analysis = design.analyze();
            let generated =
                artifacts::generate(to, &design, &analysis, &deployment).map_err(|source| {
                    CliError::Artifact {
                        file: file.display().to_string(),
                        artifact: to.slug(),
                        source,
                    }
                })?;
            for warning in &generated.warnings {
                eprintln!("tiermap: warning: {warning}");
            }
            match output.filter(|path| path.as_os_str() != "-") {
                None => out(&generated.text),
                Some(path) => {
                    let path = if path.is_dir() {
                        path.join(&generated.file_name)
                    } else {
                        path
                    };
                    std::fs::write(&path, &generated.text).map_err(|source| CliError::Write {
                        file: path.display().to_string(),
                        source,
                    })?;
                    eprintln!("tiermap: wrote {}", path.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare {
            before,
            after,
            format,
            input,
        } => {
            let (b, a) = (open(&before, &input)?, open(&after, &input)?);
            let (ba, aa) = (b.analyze(), a.analyze());
            let comparison = baseline::compare((b.model(), &ba), (a.model(), &aa));
            match format {
                Format::Json => out(&(serde_json::to_string_pretty(&comparison)? + "\n")),
                Format::Text => out(&text::compare(&comparison)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Templates => {
            let list: String = TEMPLATES
                .iter()
                .map(|t| format!("{:<20} {}\n", t.name, t.title))
                .collect();
            out(&list);
            Ok(ExitCode::SUCCESS)
        }
        Command::Template { name } => {
            let template = tiermap_core::templates::find(&name)
                .ok_or(CliError::UnknownTemplate(name.clone()))?;
            let design = template.design().map_err(|source| CliError::Import {
                file: format!("template {name}"),
                source,
            })?;
            out(&design.export());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Standard output without its line buffering, which would scan tens of megabytes of
/// JSON for newlines (the output is buffered in [`write_out`] instead).
fn raw_stdout() -> Box<dyn std::io::Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout().lock())
}

/// Streams output through a buffer, with a final newline. A closed pipe (`tiermap
/// check f --format json | head`) is not an error; other write errors are.
fn write_out(
    write: impl FnOnce(&mut std::io::BufWriter<Box<dyn std::io::Write>>) -> std::io::Result<()>,
) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, raw_stdout());
    let done = write(&mut stdout)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match done {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Write {
            file: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Writes to standard output; a closed pipe (`tiermap check f | head`) is not an error.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// The stack `check` reads: one file, or several merged as docker merges them.
struct Stack {
    /// The files as the user named them.
    names: Vec<String>,
    /// One file is read as a design (as `export` and the page read it).
    single: Option<Design>,
    /// Several files are merged into one model.
    merged: Option<Model>,
}

impl Stack {
    fn open(files: &[PathBuf], input: &InputArgs) -> Result<Stack, CliError> {
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        match files {
            [] => Err(CliError::NoFile),
            [one] => Ok(Stack {
                names,
                single: Some(open(one, input)?),
                merged: None,
            }),
            [first, ..] => {
                let texts = files
                    .iter()
                    .map(|f| read(f))
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                let options = options(first, input)?;
                let model = merge::model(&refs, &options).map_err(|e| {
                    let (file, error, at) = match e {
                        FilesError::Read { file, error } => {
                            let at = error.location().unwrap_or_default();
                            (file, error, at)
                        }
                        FilesError::Import(error) => {
                            let (file, at) = merge::place(error.location().unwrap_or_default());
                            (file, error, at)
                        }
                        FilesError::Merge(error) => {
                            let (file, at) = merge::place(error.location());
                            let name = names.get(file).cloned().unwrap_or_default();
                            return CliError::Merge {
                                file: name,
                                line: at.line,
                                column: at.column,
                                source: error,
                            };
                        }
                    };
                    let name = names.get(file).cloned().unwrap_or_default();
                    match at.is_known() {
                        true => CliError::Located {
                            file: name,
                            line: at.line,
                            column: at.column,
                            source: error,
                        },
                        false => CliError::Import {
                            file: name,
                            source: error,
                        },
                    }
                })?;
                Ok(Stack {
                    names,
                    single: None,
                    merged: Some(model),
                })
            }
        }
    }

    fn model(&self) -> &Model {
        match (&self.single, &self.merged) {
            (Some(design), _) => design.model(),
            (None, Some(model)) => model,
            (None, None) => &EMPTY_MODEL,
        }
    }

    /// Writes each finding's file, and its line in that file when several are merged.
    fn place_findings(&self, report: &mut Report) {
        for row in &mut report.findings {
            let (Some(line), Some(column)) = (row.line, row.column) else {
                row.file = self.names.first().cloned();
                continue;
            };
            let (file, at) = if self.merged.is_some() {
                merge::place(Location { line, column })
            } else {
                (0, Location { line, column })
            };
            row.file = self.names.get(file).cloned();
            row.line = Some(at.line);
            row.column = Some(at.column);
        }
    }
}

static EMPTY_MODEL: std::sync::LazyLock<Model> = std::sync::LazyLock::new(Model::default);

fn read(file: &Path) -> Result<String, CliError> {
    let shown = file.display().to_string();
    if shown == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| CliError::Io {
                file: shown.clone(),
                source,
            })?;
        Ok(text)
    } else {
        std::fs::read_to_string(file).map_err(|source| CliError::Io {
            file: shown.clone(),
            source,
        })
    }
}

/// Import options from the command line: variables, and the stack name (the option,
/// else `x-tiermap.name`, else the file's name).
fn options(file: &Path, input: &InputArgs) -> Result<ImportOptions, CliError> {
    let shown = file.display().to_string();
    let mut variables = Variables::new();
    for env_file in &input.env_file {
        read_env_file(env_file, &mut variables)?;
    }
    for pair in &input.env {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| CliError::BadVariable(pair.clone()))?;
        variables.insert(k.to_string(), v.to_string());
    }
    // Like `docker stack deploy -c docker-stack.yml NAME`, a name is needed; the file's is a fair guess.
    let default_stack = file
        .file_stem()
        .map(|s| {
            s.to_string_lossy()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                .collect::<String>()
        })
        .filter(|s| !s.is_empty() && shown != "-");
    Ok(ImportOptions {
        stack: input.stack.clone(),
        default_stack,
        variables,
        ..ImportOptions::default()
    })
}

/// Adds the variables of a `.env`-style file (dotenv syntax, as docker compose reads it:
/// comments, quotes, `export`) to `variables`, a later line winning.
fn read_env_file(file: &Path, variables: &mut Variables) -> Result<(), CliError> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Io {
        file: shown.clone(),
        source,
    })?;
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        match item {
            Ok((key, value)) => {
                variables.insert(key, value);
            }
            Err(dotenvy::Error::LineParse(line, index)) => {
                // The parser names the line by its text; a quoted value may span lines.
                let at = text
                    .lines()
                    .position(|l| !l.is_empty() && line.starts_with(l))
                    .map_or(1, |i| i + 1);
                return Err(CliError::BadEnvLine {
                    file: shown,
                    line: at,
                    column: index + 1,
                    text: line,
                });
            }
            Err(e) => {
                return Err(CliError::EnvFile {
                    file: shown,
                    reason: e.to_string(),
                })
            }
        }
    }
    Ok(())
}

fn open(file: &Path, input: &InputArgs) -> Result<Design, CliError> {
    let shown = file.display().to_string();
    let text = read(file)?;
    Design::import(&text, options(file, input)?).map_err(|source| located(&shown, source))
}

fn located(file: &str, source: ImportError) -> CliError {
    match source.location() {
        Some(at) if at.is_known() => CliError::Located {
            file: file.to_string(),
            line: at.line,
            column: at.column,
            source,
        },
        _ => CliError::Import {
            file: file.to_string(),
            source,
        },
    }
}
