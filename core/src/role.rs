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
