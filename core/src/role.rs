//! What a service is, judged by its image and ports: an edge proxy, a database, a
//! message bus. Rules use this to say "a database published to the internet".

use crate::model::Service;

/// The part of a service's role the rules care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A reverse proxy that faces the internet.
    EdgeProxy(Proxy),
    /// A database or data store.
    Database,
    /// A message bus or broker.
    MessageBus,
    /// Anything else.
    Other,
}

/// Known edge proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Proxy {
    /// Traefik.
    Traefik,
    /// Docker Flow Proxy (HAProxy).
    DockerFlowProxy,
    /// Envoy.
    Envoy,
    /// nginx or nginx-proxy.
    Nginx,
    /// HAProxy.
    HaProxy,
    /// Caddy.
    Caddy,
}

const DATABASES: &[&str] = &[
    "postgres",
    "postgis",
    "timescaledb",
    "mysql",
    "mariadb",
    "percona",
    "mongo",
    "mongodb",
    "redis",
    "valkey",
    "keydb",
    "clickhouse",
    "clickhouse-server",
    "cassandra",
    "scylla",
    "couchdb",
    "couchbase",
    "elasticsearch",
    "opensearch",
    "influxdb",
    "neo4j",
    "cockroach",
    "memcached",
    "etcd",
    "zookeeper",
    "mssql-server",
    "oracle",
    "arangodb",
    "rethinkdb",
    "minio",
    "questdb",
    "victoria-metrics",
];
const BUSES: &[&str] = &[
    "nats",
    "rabbitmq",
    "kafka",
    "cp-kafka",
    "redpanda",
    "mosquitto",
    "activemq",
    "artemis",
    "pulsar",
    "emqx",
    "nsq",
];
/// Container ports that identify a data store or bus when the image name does not.
const DATA_PORTS: &[(u16, Role)] = &[
    (5432, Role::Database),
    (3306, Role::Database),
    (27017, Role::Database),
    (6379, Role::Database),
    (9042, Role::Database),
    (5984, Role::Database),
    (9200, Role::Database),
    (8086, Role::Database),
    (7687, Role::Database),
    (26257, Role::Database),
    (11211, Role::Database),
    (2379, Role::Database),
    (2181, Role::Database),
    (1433, Role::Database),
    (8123, Role::Database),
    (4222, Role::MessageBus),
    (5672, Role::MessageBus),
    (9092, Role::MessageBus),
    (1883, Role::MessageBus),
    (6650, Role::MessageBus),
];

/// The image's repository name without registry, namespace or tag:
/// `registry.example.com/edge/envoy:1.0` -> `envoy`.
pub fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// Classifies a service (import stores the result in [`Service::role`]).
pub fn classify(service: &Service) -> Role {
    let image = service
        .image
        .as_deref()
        .map(image_name)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let proxy = match image.as_str() {
        "traefik" => Some(Proxy::Traefik),
        "docker-flow-proxy" => Some(Proxy::DockerFlowProxy),
        "envoy" | "envoy-alpine" => Some(Proxy::Envoy),
        "nginx-proxy" => Some(Proxy::Nginx),
        "haproxy" => Some(Proxy::HaProxy),
        "caddy" => Some(Proxy::Caddy),
        "nginx" if service.ports.iter().any(|p| matches!(p.target, 80 | 443)) => Some(Proxy::Nginx),
        _ => None,
    };
    // An edge proxy faces the outside: a proxy image with no published port (an init
    // job, an internal sidecar) is not one.
    let faces_outside = !service.ports.is_empty() || service.host_network();
    if let Some(proxy) = proxy.filter(|_| faces_outside) {
        return Role::EdgeProxy(proxy);
    }
    // `postgres` and `postgres-13` match, `postgresql-exporter` does not.
    let matches = |names: &[&str]| {
        names.iter().any(|n| {
            image
                .strip_prefix(n)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
        })
    };
    if matches(DATABASES) {
        return Role::Database;
    }
    if matches(BUSES) {
        return Role::MessageBus;
    }
    Role::Other
}

/// An admin or control interface a service serves on a container port: whoever
/// reaches it can change what the service does, or read what it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlInterface {
    /// What it is, for people ("Envoy's admin interface").
    pub name: &'static str,
    /// The container port it listens on.
    pub port: u16,
    /// What anyone who reaches it can do.
    pub power: &'static str,
    /// Who needs it, when no flow in the file names them.
    pub users: &'static str,
    /// Whether it asks for a login out of the box (a UI rather than an open API).
    pub login: bool,
}

/// A kind of control interface and how to recognise it.
struct Known {
    /// Image names (as [`image_name`] gives them); empty: any image.
    images: &'static [&'static str],
    /// Only when the command or environment turns it on (e.g. `--api.insecure`).
    switch: Option<&'static str>,
    /// Container ports it listens on.
    ports: &'static [u16],
    name: &'static str,
    power: &'static str,
    users: &'static str,
    login: bool,
}

const KNOWN: &[Known] = &[
    Known {
        images: &["envoy", "envoy-alpine", "envoy-distroless"],
        switch: None,
        ports: &[9901],
        name: "Envoy's admin interface",
        power: "dumps its configuration and secrets (/config_dump), changes log levels and stops it (POST /quitquitquit)",
        users: "operators debugging Envoy and a metrics scraper reading /stats/prometheus",
        login: false,
    },
    Known {
        images: &["docker-flow-proxy"],
        switch: None,
        ports: &[8080],
        name: "Docker Flow Proxy's reconfigure API",
        power: "adds and removes its routes (/v1/docker-flow-proxy/reconfigure, /remove)",
        users: "docker-flow-swarm-listener, which calls it when services change",
        login: false,
    },
    Known {
        images: &["traefik"],
        switch: Some("api.insecure"),
        ports: &[8080],
        name: "Traefik's API and dashboard (`--api.insecure`)",
        power: "shows every router, service and middleware, with the internal addresses behind them",
        users: "operators looking at the dashboard",
        login: false,
    },
    Known {
        images: &[],
        switch: None,
        ports: &[2375, 2376],
        name: "the Docker API",
        power: "starts privileged containers: root on the node, and on a manager the whole swarm",
        users: "the tools that manage the swarm",
        login: false,
    },
    Known {
        images: &["agent"],
        switch: Some("portainer"),
        ports: &[9001],
        name: "the Portainer agent's API",
        power: "runs Docker commands on every node on behalf of the Portainer server",
        users: "the Portainer server",
        login: false,
    },
    Known {
        images: &["portainer", "portainer-ce", "portainer-ee"],
        switch: None,
        ports: &[9000, 9443],
        name: "Portainer's UI",
        power: "deploys and changes every stack: one weak password from running anything on the swarm",
        users: "the operators who manage the swarm",
        login: true,
    },
    Known {
        images: &["swarmpit"],
        switch: None,
        ports: &[8080],
        name: "Swarmpit's UI",
        power: "deploys and changes every service of the swarm",
        users: "the operators who manage the swarm",
        login: true,
    },
    Known {
        images: &["prometheus"],
        switch: None,
        ports: &[9090],
        name: "Prometheus",
        power: "answers any query over every metric (and deletes data when the admin API is on); no login",
        users: "Grafana and the operators",
        login: false,
    },
    Known {
        images: &["alertmanager"],
        switch: None,
        ports: &[9093],
        name: "Alertmanager",
        power: "silences every alert; no login",
        users: "Prometheus and the on-call operators",
        login: false,
    },
    Known {
        images: &["grafana", "grafana-oss", "grafana-enterprise"],
        switch: None,
        ports: &[3000],
        name: "Grafana",
        power: "reads every data source it is given, behind a login that starts as admin/admin",
        users: "the people who read the dashboards",
        login: true,
    },
    Known {
        images: &["consul"],
        switch: None,
        ports: &[8500, 8501],
        name: "Consul's HTTP API",
        power: "reads and writes the key/value store and the service catalogue (no ACLs by default)",
        users: "the services that register and look up, and the operators",
        login: false,
    },
    Known {
        images: &["nats"],
        switch: None,
        ports: &[8222],
        name: "NATS's monitoring endpoint",
        power: "lists every connection, subscription and client address",
        users: "a metrics exporter or the operators",
        login: false,
    },
    Known {
        images: &["rabbitmq"],
        switch: None,
        ports: &[15672],
        name: "RabbitMQ's management UI and API",
        power: "creates users, reads and purges queues",
        users: "the operators",
        login: true,
    },
    Known {
        images: &["cadvisor"],
        switch: None,
        ports: &[8080],
        name: "cAdvisor",
        power: "shows every container on the node with its labels, images and limits; no login",
        users: "Prometheus",
        login: false,
    },
    Known {
        images: &["node-exporter"],
        switch: None,
        ports: &[9100],
        name: "node exporter",
        power: "describes the node: kernel, disks, network interfaces, processes; no login",
        users: "Prometheus",
        login: false,
    },
    Known {
        images: &["all-in-one", "jaeger", "jaeger-query"],
        switch: Some("jaeger"),
        ports: &[16686],
        name: "the Jaeger UI",
        power: "shows every trace, with the requests' URLs and headers; no login",
        users: "the developers reading traces",
        login: false,
    },
    Known {
        images: &["netdata"],
        switch: None,
        ports: &[19999],
        name: "Netdata",
        power: "shows everything about the node in real time; no login",
        users: "the operators",
        login: false,
    },
];

/// The control interfaces a service serves, recognised by its image (and, for some,
/// the flag that turns them on) and their usual container port.
pub fn control_interfaces(service: &Service) -> Vec<ControlInterface> {
    let image = service.image.as_deref().unwrap_or_default();
    let name = image_name(image).to_ascii_lowercase();
    let switched_on = |switch: &str| {
        service.command.iter().any(|w| {
            let word = w.trim_start_matches('-');
            word == switch
                || word
                    .strip_prefix(switch)
                    .is_some_and(|rest| rest == "=true")
        }) || service.environment.iter().any(|(k, v)| {
            k.to_ascii_lowercase().replace('_', ".").ends_with(switch)
                && v.eq_ignore_ascii_case("true")
        })
    };
    let mut out = Vec::new();
    for known in KNOWN {
        let image_matches = known.images.is_empty() || known.images.contains(&name.as_str());
        // A switch found in the image path (`portainer/agent`) names the image itself.
        let switch_matches = match known.switch {
            None => true,
            Some(word) if image.to_ascii_lowercase().contains(word) => true,
            Some(word) => switched_on(word),
        };
        if image_matches && switch_matches {
            out.extend(known.ports.iter().map(|&port| ControlInterface {
                name: known.name,
                port,
                power: known.power,
                users: known.users,
                login: known.login,
            }));
        }
    }
    out
}

/// The role a container port suggests (5432 -> database), for services whose image
/// name says nothing.
pub fn port_role(port: u16) -> Option<Role> {
    DATA_PORTS.iter().find(|(p, _)| *p == port).map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(image_name("registry.example.com/edge/envoy:1.0"), "envoy");
        assert_eq!(image_name("postgres:16"), "postgres");
        assert_eq!(
            image_name("clickhouse/clickhouse-server:24.8"),
            "clickhouse-server"
        );
        assert_eq!(image_name("traefik@sha256:abc"), "traefik");
        assert_eq!(image_name("localhost:5000/app"), "app");
    }
}
