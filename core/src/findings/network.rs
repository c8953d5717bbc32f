//! Rules about the tiers themselves: encryption, attachable and internal networks.

use super::*;

pub(super) fn tiers(out: &mut Out) {
    let model = out.model;
    for tier in &model.tiers {
        let key = tier.key.as_str();
        let used = out.used_tiers.contains(key);
        match tier.encryption {
            Encryption::TopLevelKey => out.push(
                Rule::EncryptedKeyRejected, Severity::Error, key, None, Some(key), tier.at,
                format!("network `{key}` has `encrypted: true`, which `docker stack deploy` rejects (\"Additional property encrypted is not allowed\") and which would not encrypt anything"),
                "write `driver_opts: { encrypted: \"\" }` instead",
                Some(FixAction::EncryptTier { tier: key.into() }),
            ),
            Encryption::DriverOptBoolean => out.push(
                Rule::EncryptedBoolean, Severity::Error, key, None, Some(key), tier.at,
                format!("network `{key}` sets `driver_opts.encrypted` to a boolean, which `docker stack deploy` rejects; driver options are strings"),
                "write `encrypted: \"\"` (any string value encrypts, even \"false\")",
                Some(FixAction::EncryptTier { tier: key.into() }),
            ),
            Encryption::Off if used && tier.is_overlay() && !tier.external && tier.key != "default" => out.push(
                Rule::UnencryptedOverlay, Severity::Warning, key, None, Some(key), tier.at,
                format!("overlay `{key}` is not encrypted: traffic between nodes crosses the wire in clear"),
                "add `driver_opts: { encrypted: \"\" }` (IPsec; open ESP, IP protocol 50, between nodes)",
                Some(FixAction::EncryptTier { tier: key.into() }),
            ),
            Encryption::Off if used && tier.key == "default" => out.push(
                Rule::UnencryptedOverlay, Severity::Info, key, None, Some(key),
                if tier.at.is_known() { tier.at } else { model.services.iter().find(|s| s.on(key)).map_or(tier.at, |s| s.at) },
                "services with no `networks:` share the stack's unencrypted `default` overlay, so they all reach each other",
                "put each service on the tier it belongs to",
                None,
            ),
            _ => {}
        }
        if tier.attachable {
            out.push(
                Rule::AttachableNetwork, Severity::Warning, key, None, Some(key), tier.at,
                format!("network `{key}` is attachable: any container started by hand on any node can join it and reach its services"),
                "set `attachable: false` unless a one-off container must join it",
                Some(FixAction::MakeNotAttachable { tier: key.into() }),
            );
        }
        if tier.internal {
            let exposed: Vec<&str> = model
                .services
                .iter()
                .filter(|s| s.on(key) && s.ports.iter().any(|p| p.mode == PublishMode::Ingress))
                .map(|s| s.name.as_str())
                .collect();
            if !exposed.is_empty() {
                out.push(
                    Rule::InternalWithIngress, Severity::Warning, key, None, Some(key), tier.at,
                    format!("`{key}` is internal, but {} publish ports through ingress, which still accepts traffic from outside and gives the tasks a route out", exposed.join(", ")),
                    "publish through the edge proxy instead, or accept that these tasks are not isolated",
                    None,
                );
            }
        }
    }
}
