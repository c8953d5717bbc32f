//! Admin and control interfaces published to the outside. The services that need one
//! reach it over a shared overlay, where every port is open anyway; publishing it only
//! opens it to everyone who reaches a node.

use super::*;
use crate::role::control_interfaces;

pub(super) fn interfaces(out: &mut Out, service: &Service) {
    if service.ports.is_empty() {
        return;
    }
    let interfaces = control_interfaces(service);
    if interfaces.is_empty() {
        return;
    }
    let name = service.name.as_str();
    let model = out.model;
    let mut reported = std::collections::HashSet::new();
    for port in &service.ports {
        let Some(interface) = interfaces.iter().find(|i| i.port == port.target) else {
            continue;
        };
        if !reported.insert((port.target, port.published)) {
            continue;
        }
        let published = port
            .published
            .map_or_else(|| "a random port".to_string(), |p| p.to_string());
        let place = match port.mode {
            PublishMode::Ingress => "of every node",
            PublishMode::Host => "of the nodes that run it",
        };
        // Who calls it according to the file, and the networks that carry the call.
        let callers: Vec<String> = model
            .flows
            .iter()
            .filter(|f| f.to == name && f.from != name)
            .filter(|f| f.port.is_none_or(|p| p == port.target))
            .filter_map(|f| {
                let caller = model.service(&f.from)?;
                let shared: Vec<&str> = caller
                    .networks
                    .iter()
                    .map(|a| a.tier.as_str())
                    .filter(|t| service.on(t))
                    .collect();
                Some(if shared.is_empty() {
                    format!("`{}` (which shares no network with it yet)", f.from)
                } else {
                    format!("`{}` over `{}`", f.from, shared.join("`, `"))
                })
            })
            .collect();
        let who = if callers.is_empty() {
            format!("who needs it: {}", interface.users)
        } else {
            format!(
                "{} reach{} {name}:{} without the published port",
                callers.join(", "),
                if callers.len() == 1 { "es" } else { "" },
                port.target
            )
        };
        let severity = if interface.login {
            Severity::Warning
        } else {
            Severity::Error
        };
        out.push(
            Rule::ControlInterfacePublished,
            severity,
            &format!("{name}:{}", port.target),
            Some(name),
            None,
            port.at,
            format!(
                "`{name}` publishes {} (container port {}) on port {published} {place}: anyone who reaches a node {}; {who}",
                interface.name, port.target, interface.power
            ),
            format!(
                "remove the published port: services reach it over a shared overlay, and people with `docker exec` or an SSH tunnel to a manager; if it must be reached from outside, publish it in `mode: host` and let only the admin range in (`tiermap export --to iptables --admin CIDR --allow {}=CIDR`)",
                port.published.unwrap_or(port.target)
            ),
            Some(FixAction::Unpublish {
                service: name.into(),
                target: port.target,
            }),
        );
    }
}
