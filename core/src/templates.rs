//! Built-in designs, one per system tiermap is made to model (the seeds): each is a
//! stack file that imports cleanly and that `docker stack config` accepts.

use crate::compose::{ImportError, ImportOptions};
use crate::design::Design;

/// A built-in design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// Short name, used by `tiermap template NAME` and the page's chooser.
    pub name: &'static str,
    /// One line for people.
    pub title: &'static str,
    /// The stack file.
    pub yaml: &'static str,
}

/// Every template, in the order the page lists them.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "scores",
        title: "Scores: Traefik in front of four encrypted tiers (web, infrastructure, job, ml)",
        yaml: include_str!("../templates/scores.yml"),
    },
    Template {
        name: "three-tier",
        title: "Three-tier MongoDB app on one overlay",
        yaml: include_str!("../templates/three-tier.yml"),
    },
    Template {
        name: "docker-flow-proxy",
        title: "Docker Flow Proxy with swarm listener and Let's Encrypt",
        yaml: include_str!("../templates/docker-flow-proxy.yml"),
    },
    Template {
        name: "envoy-edge",
        title: "Envoy as the edge proxy for three environments",
        yaml: include_str!("../templates/envoy-edge.yml"),
    },
    Template {
        name: "production",
        title: "Production stack: secrets, health checks, limits, rolling updates",
        yaml: include_str!("../templates/production.yml"),
    },
];

/// The template with this name.
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

impl Template {
    /// Opens the template as a design whose stack is named after it.
    pub fn design(&self) -> Result<Design, ImportError> {
        let stack = self.name.replace('-', "_");
        Design::import(
            self.yaml,
            ImportOptions {
                stack: Some(stack),
                ..ImportOptions::default()
            },
        )
    }
}
