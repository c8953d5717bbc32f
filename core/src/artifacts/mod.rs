//! Deployment artifacts: the files that make a live swarm match the design, generated
//! from the model and its analysis so the command line and the page share them.
//!
//! Every name from the user's file is checked against Docker's rules
//! ([`crate::names`]) before it reaches a script, a rule or a label, and every value the
//! user types once per design ([`Deployment`]) is parsed into a typed address or tag, so
//! nothing from a file can inject a command.

mod aws;
mod deployment;
mod digitalocean;
mod envoy;
mod fields;
mod firewall;
mod hcloud;
mod iptables;
mod labels;
pub mod mermaid;
mod nftables;
pub mod shell;
mod ufw;
mod verify;

pub use deployment::{Cidr, Deployment, DeploymentError, NodeRole, TraefikVersion};
pub use fields::{DeploymentText, Field, FieldError};
pub use firewall::Plan;

use crate::analysis::Analysis;
use crate::design::Design;
use crate::diagram;
use crate::model::Model;
use crate::names::{self, NameError};

/// Every artifact tiermap generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Artifact {
    /// The stack file for `docker stack deploy -c`.
    Stack,
    /// `iptables-restore --noflush` rules for one node role.
    Iptables,
    /// An nftables table of our own for one node role.
    Nftables,
    /// A script that installs the rules for hosts managed with ufw.
    Ufw,
    /// A `doctl compute firewall create` script.
    DigitalOcean,
    /// Terraform `digitalocean_firewall` resources.
    TerraformDigitalOcean,
    /// Terraform `aws_security_group` resources.
    TerraformAws,
    /// Hetzner Cloud firewall rules for `hcloud firewall replace-rules`.
    Hcloud,
    /// A bash script that checks the designed reachability on a live swarm.
    Verify,
    /// Traefik `deploy.labels` for every routed service, as a stack override file.
    Traefik,
    /// Docker Flow Proxy labels for every routed service, as a stack override file.
    DockerFlowProxy,
    /// An Envoy v3 static configuration for an Envoy edge proxy.
    Envoy,
    /// The diagram as Mermaid flowchart text.
    Mermaid,
    /// The diagram as an SVG picture, as the page draws it.
    Svg,
}

impl Artifact {
    /// Every artifact, in the order the page and `--help` list them.
    pub const ALL: [Artifact; 14] = [
        Artifact::Stack,
        Artifact::Iptables,
        Artifact::Nftables,
        Artifact::Ufw,
        Artifact::DigitalOcean,
        Artifact::TerraformDigitalOcean,
        Artifact::TerraformAws,
        Artifact::Hcloud,
        Artifact::Verify,
        Artifact::Traefik,
        Artifact::DockerFlowProxy,
        Artifact::Envoy,
        Artifact::Mermaid,
        Artifact::Svg,
    ];

    /// The name `tiermap export --to` takes.
    pub fn slug(self) -> &'static str {
        match self {
            Artifact::Stack => "stack",
            Artifact::Iptables => "iptables",
            Artifact::Nftables => "nftables",
            Artifact::Ufw => "ufw",
            Artifact::DigitalOcean => "digitalocean",
            Artifact::TerraformDigitalOcean => "terraform-digitalocean",
            Artifact::TerraformAws => "terraform-aws",
            Artifact::Hcloud => "hcloud",
            Artifact::Verify => "verify",
            Artifact::Traefik => "traefik",
            Artifact::DockerFlowProxy => "dfp",
            Artifact::Envoy => "envoy",
            Artifact::Mermaid => "mermaid",
            Artifact::Svg => "svg",
        }
    }

    /// The artifact a slug names.
    pub fn from_slug(slug: &str) -> Option<Artifact> {
        Artifact::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            Artifact::Stack => "Stack file",
            Artifact::Iptables => "iptables (DOCKER-USER)",
            Artifact::Nftables => "nftables",
            Artifact::Ufw => "ufw",
            Artifact::DigitalOcean => "DigitalOcean (doctl)",
            Artifact::TerraformDigitalOcean => "Terraform: DigitalOcean",
            Artifact::TerraformAws => "Terraform: AWS",
            Artifact::Hcloud => "Hetzner Cloud",
            Artifact::Verify => "Verification script",
            Artifact::Traefik => "Traefik labels",
            Artifact::DockerFlowProxy => "Docker Flow Proxy labels",
            Artifact::Envoy => "Envoy config",
            Artifact::Mermaid => "Mermaid",
            Artifact::Svg => "Diagram (SVG)",
        }
    }

    /// One or two sentences on what the file is and how to use it.
    pub fn about(self) -> &'static str {
        match self {
            Artifact::Stack => "The design as a stack file: docker stack deploy -c FILE STACK.",
            Artifact::Iptables => "Host firewall for one node role: published ports filtered in DOCKER-USER by their original port, swarm ports from the peers only. Load with iptables-restore --noflush.",
            Artifact::Nftables => "The same host firewall as a table of its own (ct original proto-dst), which Docker never flushes. Load with nft -f.",
            Artifact::Ufw => "For hosts managed with ufw, which does not see published ports: a script that adds a DOCKER-USER block to after.rules and the ufw allow lines. Run it as root on each node of the role: bash FILE.",
            Artifact::DigitalOcean => "A doctl script that creates the cloud firewalls for managers and workers by their tag: bash FILE with doctl signed in. DigitalOcean cannot allow ESP.",
            Artifact::TerraformDigitalOcean => "digitalocean_firewall resources for managers and workers by their tag: put it in a Terraform directory and run terraform apply.",
            Artifact::TerraformAws => "aws_security_group resources for managers and workers, ESP as protocol 50: terraform apply -var vpc_id=VPC, then attach the groups to the nodes.",
            Artifact::Hcloud => "A JSON rules file for one node role: hcloud firewall replace-rules NAME --rules-file FILE.",
            Artifact::Verify => "Run on a manager after deploying (bash FILE): probes every designed pair from short-lived tasks on the right networks, and the exposed ports, and prints a pass/fail table.",
            Artifact::Traefik => "deploy.labels for every routed service, with the network label where a service sits on several tiers: docker stack deploy -c stack.yml -c FILE.",
            Artifact::DockerFlowProxy => "com.df.* labels for every routed service: docker stack deploy -c stack.yml -c FILE.",
            Artifact::Envoy => "A static envoy.yaml: a listener, routes by host, STRICT_DNS clusters on tasks.<stack>_<service> and the container port. Give it to the Envoy service as /etc/envoy/envoy.yaml (a config or a volume).",
            Artifact::Mermaid => "The diagram as a Mermaid flowchart, one subgraph per tier: paste it into a mermaid code block in Markdown, which GitHub and GitLab draw.",
            Artifact::Svg => "The diagram as the page draws it, as a standalone SVG picture (light or dark with the viewer's theme): keep it beside the stack file or put it in the review notes.",
        }
    }

    /// Whether the file depends on the node role in [`Deployment::role`].
    pub fn per_role(self) -> bool {
        self.reads(Field::Role)
    }

    /// Whether the file depends on a deployment option (the page marks the fields an
    /// artifact does not read).
    pub fn reads(self, field: Field) -> bool {
        use Artifact::*;
        let host = matches!(self, Iptables | Nftables | Ufw | Hcloud);
        let cloud = matches!(self, DigitalOcean | TerraformDigitalOcean | TerraformAws);
        match field {
            Field::Role => host,
            Field::Peers | Field::Admin | Field::Allowed(_) => host || cloud,
            Field::Tag => matches!(self, DigitalOcean | TerraformDigitalOcean),
            Field::Traefik => self == Traefik,
            Field::ProbeImage => self == Verify,
        }
    }

    /// The conventional name of the file, which the page downloads as and `tiermap
    /// export -o DIR` writes: what the tool that reads it calls it, with the node role
    /// where the file is for one role. The stack file is named after the stack, so
    /// `tiermap` reads the stack's name back from it.
    pub fn file_name(self, stack: &str, role: NodeRole) -> String {
        let role = role.as_str();
        match self {
            Artifact::Stack => format!("{stack}.yml"),
            Artifact::Iptables => format!("rules-{role}.v4"),
            Artifact::Nftables => format!("firewall-{role}.nft"),
            Artifact::Ufw => format!("ufw-{role}.sh"),
            Artifact::DigitalOcean => "doctl-firewall.sh".into(),
            Artifact::TerraformDigitalOcean | Artifact::TerraformAws => "main.tf".into(),
            Artifact::Hcloud => format!("hcloud-rules-{role}.json"),
            Artifact::Verify => "verify.sh".into(),
            Artifact::Traefik => "traefik-labels.yml".into(),
            Artifact::DockerFlowProxy => "dfp-labels.yml".into(),
            Artifact::Envoy => "envoy.yaml".into(),
            Artifact::Mermaid => "diagram.mmd".into(),
            Artifact::Svg => "diagram.svg".into(),
        }
    }

    /// The file's media type, for the page's download.
    pub fn media_type(self) -> &'static str {
        match self {
            Artifact::Stack | Artifact::Traefik | Artifact::DockerFlowProxy | Artifact::Envoy => {
                "application/yaml"
            }
            Artifact::Ufw | Artifact::DigitalOcean | Artifact::Verify => "text/x-shellscript",
            Artifact::Hcloud => "application/json",
            Artifact::Iptables
            | Artifact::Nftables
            | Artifact::TerraformDigitalOcean
            | Artifact::TerraformAws
            | Artifact::Mermaid => "text/plain",
            Artifact::Svg => "image/svg+xml",
        }
    }
}

/// A generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The file's content.
    pub text: String,
    /// A file name for the download.
    pub file_name: String,
    /// Media type for the download.
    pub mime: &'static str,
    /// Things the reader must know (also written into the file as comments where the
    /// format has them).
    pub warnings: Vec<String>,
}

/// Why an artifact cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    /// A service, tier or stack name from the file breaks Docker's rules, so it cannot go
    /// into a script or a rule.
    #[error("{what} `{name}` cannot go into a script or rule: {source}; rename it")]
    Name {
        /// `service`, `tier` or `stack`.
        what: &'static str,
        /// The name as written (shown escaped by the caller).
        name: String,
        /// Docker's rule it breaks.
        source: NameError,
    },
    /// A host name in a route is not a DNS name.
    #[error("service `{service}` routes host `{host}`, which is not a DNS name; fix the route")]
    Host {
        /// The routed service.
        service: String,
        /// The host as written.
        host: String,
    },
    /// The design has nothing this artifact applies to.
    #[error("{0}")]
    NotApplicable(String),
}

/// Generates one artifact for a design.
pub fn generate(
    artifact: Artifact,
    design: &Design,
    analysis: &Analysis,
    deployment: &Deployment,
) -> Result<Output, ArtifactError> {
    let model = design.model();
    // The stack file keeps names as written, and the SVG escapes them: neither puts a
    // name into a script or a rule.
    if !matches!(artifact, Artifact::Stack | Artifact::Svg) {
        check_names(model)?;
    }
    let stack = &model.stack;
    let (text, warnings) = match artifact {
        Artifact::Stack => (design.export(), Vec::new()),
        Artifact::Iptables => iptables::render(&Plan::new(model, deployment)),
        Artifact::Nftables => nftables::render(&Plan::new(model, deployment)),
        Artifact::Ufw => ufw::render(&Plan::new(model, deployment)),
        Artifact::DigitalOcean => digitalocean::doctl(model, deployment),
        Artifact::TerraformDigitalOcean => digitalocean::terraform(model, deployment),
        Artifact::TerraformAws => aws::terraform(model, deployment),
        Artifact::Hcloud => hcloud::render(&Plan::new(model, deployment)),
        Artifact::Verify => verify::render(model, analysis, deployment),
        Artifact::Traefik => labels::traefik(model, deployment.traefik)?,
        Artifact::DockerFlowProxy => labels::docker_flow_proxy(model)?,
        Artifact::Envoy => envoy::render(model)?,
        Artifact::Mermaid => (mermaid::render(model, analysis), Vec::new()),
        Artifact::Svg => (
            diagram::svg(
                &diagram::layout(model, analysis),
                &diagram::Style::default(),
            ),
            Vec::new(),
        ),
    };
    let file_name = artifact.file_name(stack, deployment.role);
    let mime = artifact.media_type();
    Ok(Output {
        text,
        file_name,
        mime,
        warnings,
    })
}

/// Refuses names that could carry anything but a Docker name into a file.
fn check_names(model: &Model) -> Result<(), ArtifactError> {
    let bad = |what: &'static str, name: &str| {
        names::validate(name).map_err(|source| ArtifactError::Name {
            what,
            name: name.to_string(),
            source,
        })
    };
    bad("stack", &model.stack)?;
    for service in &model.services {
        bad("service", &service.name)?;
    }
    for tier in &model.tiers {
        bad("tier", &tier.key)?;
        bad("network", &tier.swarm_name(&model.stack))?;
    }
    Ok(())
}

/// The full swarm name of a service: `<stack>_<service>`.
fn swarm_service(model: &Model, service: &str) -> String {
    format!("{}_{service}", model.stack)
}

/// The networks a service sits on as swarm names, in the file's order.
fn swarm_networks(model: &Model, service: &crate::model::Service) -> Vec<String> {
    service
        .networks
        .iter()
        .map(|a| {
            model
                .tier(&a.tier)
                .map(|t| t.swarm_name(&model.stack))
                .unwrap_or_else(|| format!("{}_{}", model.stack, a.tier))
        })
        .collect()
}
