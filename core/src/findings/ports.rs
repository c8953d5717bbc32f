//! Rules about published ports: data stores and swarm's own ports published, host IPs
//! swarm ignores, `dnsrr` with ingress, and one published port for two services.

use super::*;

pub(super) fn ports(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    let service_role = service.role;
    let mut reported = std::collections::HashSet::new();
    // Control ports of a data store (NATS's 8222) have a rule of their own.
    let control: Vec<u16> = if service.ports.is_empty() {
        Vec::new()
    } else {
        crate::role::control_interfaces(service)
            .iter()
            .map(|i| i.port)
            .collect()
    };
    for port in &service.ports {
        let shown = port
            .published
            .map_or_else(|| "a random port".to_string(), |p| p.to_string());
        if !reported.insert((port.target, port.published)) {
            continue;
        }
        let data_role = match service_role {
            _ if control.contains(&port.target) => None,
            Role::Database | Role::MessageBus => Some(service_role),
            _ => port_role(port.target).filter(|_| service_role == Role::Other),
        };
        match data_role {
            Some(Role::Database) => out.push(
                Rule::DatabasePublished, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("database `{name}` publishes port {} on {shown}: anyone who can reach a node can try to log in", port.target),
                "remove the published port; reach it from a service on its tier, or `docker exec` for debugging",
                Some(FixAction::Unpublish { service: name.into(), target: port.target }),
            ),
            Some(Role::MessageBus) => out.push(
                Rule::MessageBusPublished, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("message bus `{name}` publishes port {} on {shown} to the outside", port.target),
                "remove the published port; clients on its tier reach it by name",
                Some(FixAction::Unpublish { service: name.into(), target: port.target }),
            ),
            _ => {}
        }
        if let Some(p) = port.published.filter(|p| matches!(p, 2377 | 7946 | 4789)) {
            out.push(
                Rule::SwarmPortPublished, Severity::Error, &format!("{name}:{p}"), Some(name), None, port.at,
                format!("`{name}` publishes port {p}, one of swarm's own ports (2377 management, 7946 gossip, 4789 VXLAN); it clashes with the node and must never face the internet"),
                "publish on another port",
                Some(FixAction::Unpublish { service: name.into(), target: port.target }),
            );
        }
        // In long syntax `docker stack config` refuses `host_ip` (an unknown-key finding).
        if let Some(ip) = port.host_ip.as_ref().filter(|_| !port.long_syntax) {
            out.push(
                Rule::HostIpIgnored, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("`{name}` binds port {} to {ip}, but swarm ignores host IPs and publishes on 0.0.0.0 of every node", port.target),
                "remove the published port if it must stay private; swarm cannot bind to one address",
                Some(FixAction::DropHostIp { service: name.into(), target: port.target }),
            );
        }
        if service.endpoint_mode.as_deref() == Some("dnsrr") && port.mode == PublishMode::Ingress {
            out.push(
                Rule::DnsrrWithIngress, Severity::Error, &format!("{name}:{}", port.target), Some(name), None, port.at,
                format!("`{name}` uses `endpoint_mode: dnsrr` with an ingress-published port, which swarm refuses"),
                "publish in `mode: host`, or drop `endpoint_mode: dnsrr`",
                None,
            );
        }
    }
}

pub(super) fn duplicate_ports(out: &mut Out) {
    let mut seen: std::collections::HashMap<(u16, &'static str), &str> =
        std::collections::HashMap::new();
    let model = out.model;
    for service in &model.services {
        let mut own = std::collections::HashSet::new();
        for port in &service.ports {
            let Some(p) = port.published else { continue };
            let key = (p, port.protocol.as_str());
            if !own.insert(key) {
                continue;
            }
            match seen.get(&key) {
                Some(first) if port.mode == PublishMode::Ingress || *first == service.name => out.push(
                    Rule::DuplicatePublishedPort, Severity::Error, &format!("{p}/{}", port.protocol), Some(&service.name), None, port.at,
                    format!("port {p}/{} is published by `{first}` and `{}`; swarm refuses a second service on the same published port", port.protocol, service.name),
                    "publish one of them on another port",
                    None,
                ),
                Some(_) => {}
                None => {
                    seen.insert(key, &service.name);
                }
            }
        }
    }
}
