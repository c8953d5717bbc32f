//! The generated stack the benchmarks and the stage timer share.

use std::fmt::Write;

/// A realistic large stack: 100 tiers; each service sits on its group's tier and, for a
/// third of them, a neighbouring one; every tenth is routed by Traefik; some publish a
/// port; many name another service in their environment.
pub fn generated_stack(services: usize, tiers: usize) -> String {
    let mut s = String::from("version: \"3.8\"\nservices:\n");
    s.push_str("  traefik:\n    image: traefik:v3.1\n    ports:\n      - {target: 80, published: 80, mode: host}\n      - {target: 443, published: 443, mode: host}\n    networks: [tier0, tier1]\n    deploy: {replicas: 2}\n");
    for i in 0..services - 1 {
        let tier = i % tiers;
        let _ = write!(s, "  svc{i}:\n    image: registry.example.com/team{}/svc{i}:1.{}\n    networks:\n      - tier{tier}\n", i % 7, i % 5);
        if i % 3 == 0 {
            let _ = writeln!(s, "      - tier{}", (tier + 1) % tiers);
        }
        if i % 13 == 0 {
            let _ = writeln!(s, "    ports:\n      - \"{}:8080\"", 20000 + i);
        }
        if i % 2 == 0 {
            let _ = writeln!(s, "    environment:\n      UPSTREAM_URL: http://svc{}:8080/api\n      LOG_LEVEL: info", (i + tiers) % (services - 1));
        }
        let _ = writeln!(
            s,
            "    deploy:\n      replicas: {}\n      resources: {{limits: {{memory: 256M}}}}",
            1 + i % 3
        );
        if i % 10 == 0 {
            let _ = writeln!(s, "      labels:\n        - traefik.http.routers.r{i}.rule=Host(`svc{i}.example.com`)\n        - traefik.http.services.r{i}.loadbalancer.server.port=8080");
        }
    }
    s.push_str("networks:\n");
    for t in 0..tiers {
        let _ = writeln!(
            s,
            "  tier{t}:\n    driver: overlay\n    driver_opts: {{encrypted: \"\"}}"
        );
    }
    s
}
