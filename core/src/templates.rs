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

/// Every template, in the order the page lists them. What each changes from its seed
/// is said here rather than in the file, which the page carries (and a comment there
/// would not survive an import anyway).
pub const TEMPLATES: &[Template] = &[
    // Seed 000: the "scores" stack. Traefik is the single entry point (80/443, host mode) in
    // front of four overlay tiers. Changed from the seed: encryption is `driver_opts: {encrypted: ""}`
    // (swarm rejects `encrypted: true` on a network), and Traefik v3 reads routes from `deploy.labels`
    // with `loadbalancer.server.port` and `traefik.swarm.network` set on every multi-tier service.
    Template {
        name: "scores",
        title: "Scores: Traefik in front of four encrypted tiers (web, infrastructure, job, ml)",
        yaml: include_str!("../templates/scores.yml"),
    },
    // Seed 001: the three-tier MongoDB app. As the seed builds it, database, backend and frontend
    // share ONE overlay (app-net) and only the frontend publishes a port (80). Kept that way on
    // purpose: the flat network lets the public frontend reach MongoDB directly, and the overlay is
    // left unencrypted: the seed promises "end-to-end encryption" but sets no encryption option.
    Template {
        name: "three-tier",
        title: "Three-tier MongoDB app on one overlay",
        yaml: include_str!("../templates/three-tier.yml"),
    },
    // Seed 002: Docker Flow Proxy, its swarm listener and the Let's Encrypt companion on the
    // external `proxy` network. Filled in what the seed blanked (domains, e-mail, the companion's
    // node constraint `== <id>` -> node.hostname == manager-1), wrote the com.df.* labels as
    // deploy labels and dropped the seed's inner double quotes, which list-form env keeps literally.
    Template {
        name: "docker-flow-proxy",
        title: "Docker Flow Proxy with swarm listener and Let's Encrypt",
        yaml: include_str!("../templates/docker-flow-proxy.yml"),
    },
    // Seed 003: Envoy as the edge proxy, one task per worker, on the three environments' overlays
    // (created outside the stack). Envoy's config is baked into the image, so its STRICT_DNS clusters
    // are listed under x-tiermap.flows: tasks.envoy_edge_files-webdev:80 (and -webstaging, -webprod),
    // i.e. tasks.<stack>_<service> and the container port; the backends publish nothing.
    Template {
        name: "envoy-edge",
        title: "Envoy as the edge proxy for three environments",
        yaml: include_str!("../templates/envoy-edge.yml"),
    },
    // Seed 004: the production stack of its section 13 (Traefik v2.9, api, web, Prometheus, Grafana)
    // plus the postgres `database` of its section 5. Fixed per swarm's rules: encryption written as
    // `driver_opts: { encrypted: "" }` (the seed's "true" also encrypts), every routed service (Grafana
    // too) sets `loadbalancer.server.port`, and the `traefik-certificates` volume it uses is declared.
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
