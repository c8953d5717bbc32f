//! Every analysis of a model in one value, and the report the command line prints
//! (`tiermap check --format json`) with names instead of indices.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::blast_radius::{self, BlastRadius};
use crate::findings::{self, Finding, Severity};
use crate::flows::{self, FlowCheck};
use crate::model::{Model, Protocol, PublishMode};
use crate::reachability::{self, Reachability};
use crate::surface::{self, Surface};

/// The results of every analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Who reaches whom.
    pub reachability: Reachability,
    /// What each service reaches in more hops, and the bridges.
    pub blast_radius: BlastRadius,
    /// What is open to the outside.
    pub surface: Surface,
    /// Each flow and the networks that carry it.
    pub flows: Vec<FlowCheck>,
    /// Findings, errors first.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// Runs every analysis.
    pub fn of(model: &Model) -> Analysis {
        let reachability = reachability::analyze(model);
        let blast_radius = blast_radius::analyze(model);
        let surface = surface::analyze(model);
        let flows = flows::check(model, &reachability);
        let findings = findings::analyze(model, &reachability, &blast_radius, &flows);
        Analysis {
            reachability,
            blast_radius,
            surface,
            flows,
            findings,
        }
    }

    /// The findings the team has not accepted, errors first.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.accepted.is_none())
    }

    /// The most severe finding that is not accepted.
    pub fn worst(&self) -> Option<Severity> {
        self.open_findings().map(|f| f.severity).max()
    }
}

/// One reachable pair in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachRow {
    /// Client.
    pub from: String,
    /// Server.
    pub to: String,
    /// Networks that allow it.
    pub networks: Vec<String>,
}

/// One service in a blast radius.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HopRow {
    /// Service reached.
    pub service: String,
    /// Hops needed.
    pub hops: u32,
}

/// One published port in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposedRow {
    /// Service.
    pub service: String,
    /// Published port (`null`: swarm picks one).
    pub published: Option<u16>,
    /// Container port.
    pub target: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Publish mode.
    pub mode: PublishMode,
    /// Where it opens.
    pub nodes: String,
}

/// One flow in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowRow {
    /// Client.
    pub from: String,
    /// Server.
    pub to: String,
    /// Port, when known.
    pub port: Option<u16>,
    /// `user`, `depends_on`, `proxy_route` or `environment`.
    pub origin: String,
    /// Networks that carry it (empty: blocked).
    pub networks: Vec<String>,
    /// True when no network allows it.
    pub blocked: bool,
}

/// One finding in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// Stable id.
    pub id: String,
    /// Rule name.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Sentence.
    pub message: String,
    /// Service, if any.
    pub service: Option<String>,
    /// Tier, if any.
    pub tier: Option<String>,
    /// Line in the file (`null` when not from the file).
    pub line: Option<u32>,
    /// Column in the file.
    pub column: Option<u32>,
    /// How to fix it.
    pub fix: String,
    /// The accepted note, if the team accepted it.
    pub accepted: Option<String>,
    /// The file the value comes from, when several are merged (`null` for one file;
    /// the command line fills it in).
    pub file: Option<String>,
    /// `docker stack config` or `docker stack deploy` when docker refuses the file for
    /// this finding, else `null`.
    pub refused_by: Option<&'static str>,
}

/// A bridge in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BridgeRow {
    /// Service.
    pub service: String,
    /// Tiers it joins.
    pub tiers: Vec<String>,
    /// Whether it is an edge proxy.
    pub proxy: bool,
}

/// The check report: the command line's JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Stack name.
    pub stack: String,
    /// Service names.
    pub services: Vec<String>,
    /// Tier keys.
    pub tiers: Vec<String>,
    /// Every reachable ordered pair.
    pub reachability: Vec<ReachRow>,
    /// For each service, what it reaches and in how many hops.
    pub blast_radius: BTreeMap<String, Vec<HopRow>>,
    /// Services that join tiers.
    pub bridges: Vec<BridgeRow>,
    /// Published ports.
    pub exposed: Vec<ExposedRow>,
    /// Number of distinct exposed ports.
    pub exposed_port_count: usize,
    /// Routes the edge proxies expose.
    pub routes: Vec<surface::ExposedRoute>,
    /// Intended flows and whether they can happen.
    pub flows: Vec<FlowRow>,
    /// Findings, errors first.
    pub findings: Vec<FindingRow>,
}

impl Report {
    /// Builds the report of a model and its analysis.
    pub fn new(model: &Model, analysis: &Analysis) -> Report {
        let name = |i: usize| {
            model
                .services
                .get(i)
                .map(|s| s.name.clone())
                .unwrap_or_default()
        };
        let reachability = analysis
            .reachability
            .pairs
            .iter()
            .map(|r| ReachRow {
                from: name(r.from),
                to: name(r.to),
                networks: r.networks.clone(),
            })
            .collect();
        let blast_radius = (0..model.services.len())
            .map(|i| {
                let reached = analysis.blast_radius.reached(i);
                let rows = reached.into_iter().map(|(s, hops)| HopRow {
                    service: name(s),
                    hops,
                });
                (name(i), rows.collect())
            })
            .collect();
        let bridges = analysis
            .blast_radius
            .bridges
            .iter()
            .map(|b| BridgeRow {
                service: name(b.service),
                tiers: b.tiers.clone(),
                proxy: b.is_proxy,
            })
            .collect();
        let exposed = analysis
            .surface
            .ports
            .iter()
            .map(|e| ExposedRow {
                service: e.service.clone(),
                published: e.published,
                target: e.target,
                protocol: e.protocol,
                mode: e.mode,
                nodes: e.nodes.clone(),
            })
            .collect();
        let flows = analysis
            .flows
            .iter()
            .filter_map(|c| {
                let f = model.flows.get(c.flow)?;
                let origin = match &f.origin {
                    crate::model::FlowOrigin::User => "user".to_string(),
                    crate::model::FlowOrigin::DependsOn => "depends_on".to_string(),
                    crate::model::FlowOrigin::ProxyRoute => "proxy_route".to_string(),
                    crate::model::FlowOrigin::Environment(key) => format!("environment:{key}"),
                };
                Some(FlowRow {
                    from: f.from.clone(),
                    to: f.to.clone(),
                    port: f.port,
                    origin,
                    networks: c.networks.clone(),
                    blocked: c.blocked(),
                })
            })
            .collect();
        let findings = analysis
            .findings
            .iter()
            .map(|f| FindingRow {
                id: f.id.clone(),
                rule: f.rule.name(),
                severity: f.severity,
                message: f.message.clone(),
                service: f.service.clone(),
                tier: f.tier.clone(),
                line: f.at.is_known().then_some(f.at.line),
                column: f.at.is_known().then_some(f.at.column),
                fix: f.fix.to_string(),
                accepted: f.accepted.clone(),
                file: None,
                refused_by: f.rule.refused_by().map(|r| r.command()),
            })
            .collect();
        Report {
            stack: model.stack.clone(),
            services: model.services.iter().map(|s| s.name.clone()).collect(),
            tiers: model.tiers.iter().map(|t| t.key.clone()).collect(),
            reachability,
            blast_radius,
            bridges,
            exposed,
            exposed_port_count: analysis.surface.port_count(),
            routes: analysis.surface.routes.clone(),
            flows,
            findings,
        }
    }
}
