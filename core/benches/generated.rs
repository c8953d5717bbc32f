//! The generated stack the benchmarks, the stage timer and `examples/generate.rs` share.

use std::fmt::Write;

/// A realistic large stack of `services` services on `tiers` tiers, the same text every
/// time: Traefik in front on `tier0` and `tier1`; each service on its group's tier, a
/// third of them also on the neighbouring tier and one in seven on a tier half the ring
/// away (so 1 to 3 networks each); one in ten routed by Traefik through deploy labels;
/// one in thirteen publishing a port (one in 29 in host mode, long syntax); every other
/// one naming another service in a URL in its environment; every one with replicas,
/// resources and a deploy label.
pub fn generated_stack(services: usize, tiers: usize) -> String {
    let tiers = tiers.max(1);
    let others = services.saturating_sub(1).max(1);
    let mut s = String::from("version: \"3.8\"\nservices:\n");
    s.push_str("  traefik:\n    image: traefik:v3.1\n    ports:\n      - {target: 80, published: 80, mode: host}\n      - {target: 443, published: 443, mode: host}\n    networks: [tier0, tier1]\n    deploy: {replicas: 2}\n");
    for i in 0..services.saturating_sub(1) {
        let tier = i % tiers;
        let _ = write!(
            s,
            "  svc{i}:\n    image: registry.example.com/team{}/svc{i}:1.{}\n    networks:\n      - tier{tier}\n",
            i % 7,
            i % 5
        );
        let neighbour = (tier + 1) % tiers;
        if i % 3 == 0 && neighbour != tier {
            let _ = writeln!(s, "      - tier{neighbour}");
        }
        let far = (tier + tiers / 2) % tiers;
        if i % 7 == 0 && far != tier && far != neighbour {
            let _ = writeln!(s, "      - tier{far}");
        }
        if i % 29 == 0 {
            let _ = writeln!(
                s,
                "    ports:\n      - target: 9100\n        published: {}\n        mode: host",
                30000 + i
            );
        } else if i % 13 == 0 {
            let _ = writeln!(s, "    ports:\n      - \"{}:8080\"", 20000 + i);
        }
        if i % 2 == 0 {
            let _ = writeln!(
                s,
                "    environment:\n      UPSTREAM_URL: http://svc{}:8080/api\n      LOG_LEVEL: info",
                (i + tiers) % others
            );
        }
        let _ = writeln!(
            s,
            "    deploy:\n      replicas: {}\n      resources: {{limits: {{memory: 256M}}}}\n      labels:\n        - com.example.team=team{}",
            1 + i % 3,
            i % 7
        );
        if i % 10 == 0 {
            let _ = writeln!(s, "        - traefik.enable=true\n        - traefik.http.routers.r{i}.rule=Host(`svc{i}.example.com`)\n        - traefik.http.services.r{i}.loadbalancer.server.port=8080");
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
