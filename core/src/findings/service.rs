//! Rules about a service's deployment: the Docker socket, health checks, limits, the
//! host network, proxy routes, and edge proxies on data tiers.

use super::*;

pub(super) fn service_rules(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    for mount in service.volumes.iter().filter(|m| m.is_docker_socket()) {
        out.push(
            Rule::DockerSocket,
            Severity::Warning,
            name,
            Some(name),
            None,
            mount.at,
            format!(
                "`{name}` mounts the Docker socket{}: whoever controls it is root on its node",
                if mount.read_only {
                    " (read-only does not limit the API)"
                } else {
                    ""
                }
            ),
            "keep it on managers behind a socket proxy that allows only the calls it needs",
            None,
        );
    }
    let is_job = service.replicas() == Some(0);
    if service.healthcheck.is_none() && !is_job {
        out.push(
            Rule::NoHealthCheck, Severity::Info, name, Some(name), None, service.at,
            format!("`{name}` declares no health check; swarm counts a task healthy as soon as it starts, so rolling updates cannot wait for readiness"),
            "add `healthcheck:` (unless the image defines HEALTHCHECK)",
            None,
        );
    }
    if !service.resources.has_limits() && !is_job {
        out.push(
            Rule::NoResourceLimits,
            Severity::Info,
            name,
            Some(name),
            None,
            service.at,
            format!("`{name}` has no resource limits; one runaway task can starve its node"),
            "set `deploy.resources.limits` (cpus, memory)",
            None,
        );
    }
    if service.host_network() {
        out.push(
            Rule::HostNetwork, Severity::Warning, name, Some(name), None, service.at,
            format!("`{name}` uses the host's network: every port it listens on is exposed on its nodes"),
            "attach it to a tier and publish only the ports it serves",
            None,
        );
    }
    if service.routes.is_empty() {
        return;
    }
    let tiers: Vec<&str> = service.networks.iter().map(|a| a.tier.as_str()).collect();
    for route in &service.routes {
        if route.proxy == ProxyKind::Traefik {
            if route.port.is_none() {
                out.push(
                    Rule::RoutePortMissing, Severity::Error, &format!("{name}:{}", route.router), Some(name), None, route.at,
                    format!("router `{}` of `{name}` has no `loadbalancer.server.port`; in swarm Traefik cannot detect the port and the route fails", route.router),
                    format!("add `traefik.http.services.{}.loadbalancer.server.port=<container port>`", route.router),
                    None,
                );
            }
            if !route.in_deploy_labels {
                out.push(
                    Rule::RouteLabelsNotDeploy, Severity::Error, &format!("{name}:{}", route.router), Some(name), None, route.at,
                    format!("`{name}` has its Traefik labels under `labels:`; in swarm Traefik reads `deploy.labels`, so the route does not exist"),
                    "move the traefik.* labels under `deploy.labels`",
                    Some(FixAction::MoveLabelsToDeploy { service: name.into() }),
                );
            }
            if tiers.len() > 1 && route.network.is_none() {
                let proxy_tier = tiers
                    .iter()
                    .find(|t| out.proxies.iter().any(|p| p.on(t)))
                    .copied();
                out.push(
                    Rule::RouteNetworkUnset, Severity::Warning, &format!("{name}:{}", route.router), Some(name), proxy_tier, route.at,
                    format!("`{name}` sits on {} networks and sets no `traefik.swarm.network` (v3) / `traefik.docker.network` (v2): Traefik picks one at random and may route into a network it is not on", tiers.len()),
                    "set the label to the network the proxy shares with it",
                    proxy_tier.map(|t| FixAction::SetRouteNetwork {
                        service: name.into(),
                        label: crate::proxy::TRAEFIK_V3_NETWORK.into(),
                        network: out.model.tier(t).map_or_else(|| t.to_string(), |tier| tier.swarm_name(&out.model.stack)),
                    }),
                );
            }
        }
        if service.replicas() == Some(1) {
            out.push(
                Rule::SingleReplicaRouted, Severity::Warning, &format!("{name}:{}", route.router), Some(name), None, route.at,
                format!("`{name}` is routed from the internet but runs a single replica: every update or node loss is an outage"),
                "set `deploy.replicas: 2` or more",
                None,
            );
            break;
        }
    }
}

pub(super) fn proxies(out: &mut Out, blast: &BlastRadius) {
    let model = out.model;
    for bridge in blast.bridges.iter().filter(|b| b.is_proxy) {
        let Some(proxy) = model.services.get(bridge.service) else {
            continue;
        };
        for tier in &bridge.tiers {
            let holds_data = model
                .services
                .iter()
                .any(|s| s.on(tier) && matches!(s.role, Role::Database | Role::MessageBus));
            if holds_data {
                out.push(
                    Rule::ProxyOnDatabaseTier, Severity::Warning, &format!("{}:{tier}", proxy.name), Some(&proxy.name), Some(tier),
                    proxy.networks.iter().find(|a| a.tier == *tier).map_or(proxy.at, |a| a.at),
                    format!("edge proxy `{}` sits on `{tier}`, which holds a database or message bus: a compromised proxy reaches your data in one hop", proxy.name),
                    format!("detach `{}` from `{tier}` and keep it on the tiers of the services it routes to", proxy.name),
                    None,
                );
            }
        }
    }
}
