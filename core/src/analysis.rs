//! Every analysis of a model in one value, and the report the command line prints
//! (`tiermap check --format json`) with names instead of indices.

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
pub struct ReachRow<'a> {
    /// Client.
    pub from: &'a str,
    /// Server.
    pub to: &'a str,
    /// Networks that allow it.
    pub networks: &'a [String],
}

/// What each service reaches and in how many hops, computed as it is written: a
/// stack of 1,000 services has a million rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlastRows<'a> {
    model: &'a Model,
    blast: &'a BlastRadius,
}

impl BlastRows<'_> {
    /// How many services the rows are for (one per distinct name).
    pub fn len(&self) -> usize {
        self.order().len()
    }

    /// Whether there are no services.
    pub fn is_empty(&self) -> bool {
        self.model.services.is_empty()
    }

    /// Service indices in the order the report lists them (by name).
    fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.model.services.len()).collect();
        // The sort is stable: of equal names, the first stays.
        crate::sort::sort_by(&mut order, |&a, &b| self.name(a).cmp(self.name(b)));
        order.dedup_by(|a, b| self.name(*a) == self.name(*b));
        order
    }

    fn name(&self, i: usize) -> &str {
        self.model.services.get(i).map_or("", |s| s.name.as_str())
    }

    /// Writes the rows as a JSON object, `{"service": [{"service": ..., "hops": n}]}`,
    /// without building them: each row's text up to the number is made once per
    /// service, and a service's rows go out in one write.
    pub fn write_json<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        let quoted: Vec<String> = self
            .model
            .services
            .iter()
            .map(|s| serde_json::to_string(&s.name).unwrap_or_else(|_| "\"\"".into()))
            .collect();
        let rows: Vec<String> = quoted
            .iter()
            .map(|q| format!("{{\"service\":{q},\"hops\":"))
            .collect();
        let mut chunk: Vec<u8> = Vec::with_capacity(64 * 1024);
        chunk.push(b'{');
        for (n, i) in self.order().into_iter().enumerate() {
            if n > 0 {
                chunk.push(b',');
            }
            chunk.extend_from_slice(quoted.get(i).map_or("\"\"", String::as_str).as_bytes());
            chunk.extend_from_slice(b":[");
            for (k, (reached, hops)) in self.blast.reached(i).into_iter().enumerate() {
                if k > 0 {
                    chunk.push(b',');
                }
                chunk.extend_from_slice(rows.get(reached).map_or("{", String::as_str).as_bytes());
                push_number(&mut chunk, hops);
                chunk.push(b'}');
            }
            chunk.push(b']');
            out.write_all(&chunk)?;
            chunk.clear();
        }
        chunk.push(b'}');
        out.write_all(&chunk)
    }
}

/// Writes a number in decimal.
fn push_number(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut rest = n;
    loop {
        if let Some(d) = digits.get_mut(len) {
            // `rest % 10` is a single digit.
            *d = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        }
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits.iter().take(len).rev());
}

impl Serialize for BlastRows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let order = self.order();
        let mut map = serializer.serialize_map(Some(order.len()))?;
        for i in order {
            let rows: Vec<HopRow> = self
                .blast
                .reached(i)
                .into_iter()
                .map(|(s, hops)| HopRow {
                    service: self.name(s),
                    hops,
                })
                .collect();
            map.serialize_entry(self.name(i), &rows)?;
        }
        map.end()
    }
}

/// One service in a blast radius.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HopRow<'a> {
    /// Service reached.
    pub service: &'a str,
    /// Hops needed.
    pub hops: u32,
}

/// One published port in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposedRow<'a> {
    /// Service.
    pub service: &'a str,
    /// Published port (`null`: swarm picks one).
    pub published: Option<u16>,
    /// Container port.
    pub target: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Publish mode.
    pub mode: PublishMode,
    /// Where it opens.
    pub nodes: &'a str,
}

impl ExposedRow<'_> {
    /// The port as the editor takes it (to group a range's rows).
    pub fn spec(&self) -> crate::design::PortSpec {
        crate::design::PortSpec {
            target: self.target,
            published: self.published,
            protocol: self.protocol,
            mode: self.mode,
        }
    }
}

/// One flow in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowRow<'a> {
    /// Client.
    pub from: &'a str,
    /// Server.
    pub to: &'a str,
    /// Port, when known.
    pub port: Option<u16>,
    /// `user`, `depends_on`, `proxy_route` or `environment`.
    pub origin: String,
    /// Networks that carry it (empty: blocked).
    pub networks: &'a [String],
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
pub struct BridgeRow<'a> {
    /// Service.
    pub service: &'a str,
    /// Tiers it joins.
    pub tiers: &'a [String],
    /// Whether it is an edge proxy.
    pub proxy: bool,
}

/// The check report: the command line's JSON contract. It borrows the model and the
/// analysis, so a large stack's report costs no copies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report<'a> {
    /// Stack name.
    pub stack: &'a str,
    /// Service names.
    pub services: Vec<&'a str>,
    /// Tier keys.
    pub tiers: Vec<&'a str>,
    /// Every reachable ordered pair.
    pub reachability: Vec<ReachRow<'a>>,
    /// For each service, what it reaches and in how many hops.
    pub blast_radius: BlastRows<'a>,
    /// Services that join tiers.
    pub bridges: Vec<BridgeRow<'a>>,
    /// Published ports.
    pub exposed: Vec<ExposedRow<'a>>,
    /// Number of distinct exposed ports.
    pub exposed_port_count: usize,
    /// Routes the edge proxies expose.
    pub routes: &'a [surface::ExposedRoute],
    /// Intended flows and whether they can happen.
    pub flows: Vec<FlowRow<'a>>,
    /// Findings, errors first.
    pub findings: Vec<FindingRow>,
}

/// The report's fields but the blast radius, for [`Report::to_json`].
#[derive(Serialize)]
struct Head<'r, 'a> {
    stack: &'r str,
    services: &'r [&'a str],
    tiers: &'r [&'a str],
    reachability: &'r [ReachRow<'a>],
    bridges: &'r [BridgeRow<'a>],
    exposed: &'r [ExposedRow<'a>],
    exposed_port_count: usize,
    routes: &'r [surface::ExposedRoute],
    flows: &'r [FlowRow<'a>],
    findings: &'r [FindingRow],
}

impl<'a> Report<'a> {
    /// Builds the report of a model and its analysis.
    pub fn new(model: &'a Model, analysis: &'a Analysis) -> Report<'a> {
        let name = |i: usize| model.services.get(i).map_or("", |s| s.name.as_str());
        let reachability = analysis
            .reachability
            .pairs
            .iter()
            .map(|r| ReachRow {
                from: name(r.from),
                to: name(r.to),
                networks: &r.networks,
            })
            .collect();
        let bridges = analysis
            .blast_radius
            .bridges
            .iter()
            .map(|b| BridgeRow {
                service: name(b.service),
                tiers: &b.tiers,
                proxy: b.is_proxy,
            })
            .collect();
        let exposed = analysis
            .surface
            .ports
            .iter()
            .map(|e| ExposedRow {
                service: &e.service,
                published: e.published,
                target: e.target,
                protocol: e.protocol,
                mode: e.mode,
                nodes: &e.nodes,
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
                    crate::model::FlowOrigin::Command(word) => format!("command:{word}"),
                };
                Some(FlowRow {
                    from: &f.from,
                    to: &f.to,
                    port: f.port,
                    origin,
                    networks: &c.networks,
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
            stack: &model.stack,
            services: model.services.iter().map(|s| s.name.as_str()).collect(),
            tiers: model.tiers.iter().map(|t| t.key.as_str()).collect(),
            reachability,
            blast_radius: BlastRows {
                model,
                blast: &analysis.blast_radius,
            },
            bridges,
            exposed,
            exposed_port_count: analysis.surface.port_count(),
            routes: &analysis.surface.routes,
            flows,
            findings,
        }
    }

    /// Writes the report as compact JSON, the same object `serde_json` makes of it,
    /// without building the blast radius's rows (the bulk of a large stack's report).
    pub fn write_json<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        let head = Head {
            stack: self.stack,
            services: &self.services,
            tiers: &self.tiers,
            reachability: &self.reachability,
            bridges: &self.bridges,
            exposed: &self.exposed,
            exposed_port_count: self.exposed_port_count,
            routes: self.routes,
            flows: &self.flows,
            findings: &self.findings,
        };
        let mut first = serde_json::to_vec(&head)?;
        // `{...}` -> `{...,"blast_radius":{...}}`.
        if first.pop() != Some(b'}') {
            return Err(std::io::Error::other("the report is not a JSON object"));
        }
        out.write_all(&first)?;
        out.write_all(b",\"blast_radius\":")?;
        self.blast_radius.write_json(out)?;
        out.write_all(b"}")
    }

    /// The report as compact JSON (see [`Report::write_json`]).
    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_json(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_json_is_the_same_object_as_serde_makes() {
        for template in crate::templates::TEMPLATES {
            let Ok(design) = template.design() else {
                continue;
            };
            let analysis = design.analyze();
            let report = Report::new(design.model(), &analysis);
            let slow = serde_json::to_value(&report).ok();
            let fast: Option<serde_json::Value> = report
                .to_json()
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
            assert!(slow.is_some());
            assert_eq!(fast, slow, "{}", template.name);
        }
    }
}
