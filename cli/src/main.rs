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
use tiermap_core::compose::Variables;
use tiermap_core::findings::Severity;
use tiermap_core::templates::TEMPLATES;
use tiermap_core::{Design, ImportError, ImportOptions, Report};

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
    Check {
        /// The file (`-` for standard input).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        #[command(flatten)]
        input: InputArgs,
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
    /// Sources allowed to a published port, as PORT=CIDR,CIDR (repeatable); default: anywhere.
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
    #[error("--env {0}: write KEY=VALUE")]
    BadVariable(String),
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
            format,
            fail_on,
            input,
        } => {
            let design = open(&file, &input)?;
            let analysis = design.analyze();
            let report = Report::new(design.model(), &analysis);
            match format {
                Format::Json => out(&(serde_json::to_string_pretty(&report)? + "\n")),
                Format::Text => out(&text::check(&report)),
            }
            let threshold = match fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
            };
            let failed = analysis.worst().is_some_and(|worst| worst >= threshold);
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
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

/// Writes to standard output; a closed pipe (`tiermap check f | head`) is not an error.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn open(file: &Path, input: &InputArgs) -> Result<Design, CliError> {
    let shown = file.display().to_string();
    let text = if shown == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| CliError::Io {
                file: shown.clone(),
                source,
            })?;
        text
    } else {
        std::fs::read_to_string(file).map_err(|source| CliError::Io {
            file: shown.clone(),
            source,
        })?
    };
    let mut variables = Variables::new();
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
    let options = ImportOptions {
        stack: input.stack.clone(),
        default_stack,
        variables,
        ..ImportOptions::default()
    };
    Design::import(&text, options).map_err(|source| located(&shown, source))
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
