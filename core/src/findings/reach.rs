//! Rules about reach: flows no network carries, and reach no flow uses.

use super::*;
use crate::segmentation::{self, Group, TierReach};

pub(super) fn flow_rules(out: &mut Out, reach: &Reachability, checks: &[FlowCheck]) {
    let model = out.model;
    for check in checks.iter().filter(|c| c.blocked()) {
        let Some(flow) = model.flows.get(check.flow) else {
            continue;
        };
        let (Some(from), Some(to)) = (model.service(&flow.from), model.service(&flow.to)) else {
            continue;
        };
        let target_tier = to
            .home
            .clone()
            .or_else(|| to.networks.first().map(|a| a.tier.clone()));
        out.push(
            Rule::FlowBlocked,
            Severity::Error,
            &format!("{}->{}", flow.from, flow.to),
            Some(&flow.from),
            target_tier.as_deref(),
            flow.at,
            format!(
                "`{}` needs `{}`{} but they share no network: the connection will fail at run time",
                flow.from,
                flow.to,
                flow.port
                    .map(|p| format!(" on port {p}"))
                    .unwrap_or_default()
            ),
            match &target_tier {
                Some(t) => format!("attach `{}` to `{t}`", from.name),
                None => format!("put `{}` and `{}` on a common tier", from.name, to.name),
            },
            target_tier.clone().map(|t| FixAction::Attach {
                service: from.name.clone(),
                tier: t,
            }),
        );
    }
    let _ = reach;
    for tier in segmentation::analyze(model) {
        over_permissive(out, &tier);
    }
}

/// Pairs shown in a finding's sentence; the rest are counted.
const SHOWN_PAIRS: usize = 20;

fn pairs(list: &[(String, String)]) -> String {
    let mut text: Vec<String> = list
        .iter()
        .take(SHOWN_PAIRS)
        .map(|(a, b)| format!("{a}<->{b}"))
        .collect();
    if list.len() > SHOWN_PAIRS {
        text.push(format!("and {} more", list.len() - SHOWN_PAIRS));
    }
    text.join(", ")
}

fn over_permissive(out: &mut Out, reach: &TierReach) {
    let tier = reach.tier.as_str();
    let count = reach.unused.len();
    let message = format!(
        "on `{tier}`, {count} pair{} of services can connect but no flow joins them: {}",
        if count == 1 { "" } else { "s" },
        pairs(&reach.unused)
    );
    let groups = |list: &[Group]| {
        list.iter()
            .map(|g| format!("`{}` ({})", g.tier, g.services.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fix = match reach.split.split_first() {
        Some((kept, new)) => {
            let leaving: Vec<&str> = out
                .model
                .services
                .iter()
                .filter(|s| {
                    s.on(tier) && !reach.split.iter().any(|g| g.services.contains(&s.name))
                })
                .map(|s| s.name.as_str())
                .collect();
            let mut fix = format!(
                "if they never talk, split it: keep `{tier}` for {}",
                kept.services.join(", ")
            );
            if !new.is_empty() {
                fix.push_str(&format!("; add {}", groups(new)));
            }
            if !leaving.is_empty() {
                fix.push_str(&format!("; {} leave `{tier}`", leaving.join(", ")));
            }
            let closed = count - reach.kept.len();
            fix.push_str(&format!(". That closes {closed} of the {count} pairs"));
            if !reach.kept.is_empty() {
                fix.push_str(&format!(
                    "; {} still meet as callers of the same service",
                    pairs(&reach.kept)
                ));
            }
            fix.push_str(". If some of them do talk, add the flow under `x-tiermap.flows`");
            fix
        }
        None if !out.model.tier(tier).is_some_and(|t| t.declared) => format!("they share `{tier}` because the file gives them no tiers: define tiers under `networks:` and attach each service to the ones its flows need; if some of them do talk, add the flow under `x-tiermap.flows`"),
        None => "these services call the same services, so no split of the tier separates them; if some of them do talk, add the flow under `x-tiermap.flows`, and if a service needs none of them, give it a tier of its own".to_string(),
    };
    // The tier's definition, or (for the implicit `default`) where its first member is.
    let at = match out.model.tier(tier) {
        Some(t) if t.at.is_known() => t.at,
        _ => out
            .model
            .services
            .iter()
            .find(|s| s.on(tier))
            .map_or(Location::NONE, |s| s.at),
    };
    let action = (!reach.split.is_empty()).then(|| FixAction::SplitTier {
        tier: tier.to_string(),
        groups: reach
            .split
            .iter()
            .map(|g| TierGroup {
                tier: g.tier.clone(),
                services: g.services.clone(),
            })
            .collect(),
    });
    out.push(
        Rule::OverPermissive,
        Severity::Info,
        tier,
        None,
        Some(tier),
        at,
        message,
        fix,
        action,
    );
}
