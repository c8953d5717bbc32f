//! The verification script: run on a manager of the live swarm, it starts one
//! short-lived probe task per service on that service's networks, asks each probe to
//! resolve and connect to every other service, and compares the answers with the
//! reachability the review approved. Run from outside with `--surface HOST`, it checks
//! that the published ports answer and the known container ports do not (a range of
//! ports at its two ends).

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::analysis::Analysis;
use crate::model::{Model, Protocol, Service};
use crate::port_range;
use crate::reachability::{HOST, INGRESS};

use super::deployment::Deployment;
use super::shell::quote;
use super::swarm_networks;

/// What the design says about one ordered pair.
enum Expect {
    /// They share a tier network: the name resolves (and the port answers).
    Reach,
    /// No shared network: the name does not resolve and the addresses do not answer.
    Isolated,
    /// A probe task cannot stand where the pair meets; the reason is printed.
    Skip(&'static str),
}

/// Writes the script; warnings name the pairs it cannot probe.
pub fn render(
    model: &Model,
    analysis: &Analysis,
    deployment: &Deployment,
) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut out = String::from("#!/usr/bin/env bash\n");
    let _ = writeln!(
        out,
        "# tiermap verification script for stack {}, generated from the reviewed design.",
        model.stack
    );
    out.push_str(concat!(
        "#\n",
        "# On a manager, after docker stack deploy:  bash THIS_FILE\n",
        "#   starts one probe service per service on its networks (image $PROBE_IMAGE),\n",
        "#   checks every designed pair in both directions, removes the probes.\n",
        "#   Set TARGET_HOST to also check the exposed ports of that address.\n",
        "# From a machine outside the swarm:          bash THIS_FILE --surface HOST\n",
        "#   checks only that the published ports answer and the others do not.\n",
        "# Exit status: 0 when every check passes, 1 when one fails, 2 on a usage error.\n",
        "\n",
        "set -uo pipefail\n\n",
    ));
    let _ = writeln!(out, "stack={}", quote(&model.stack));
    let _ = writeln!(
        out,
        "probe_image=${{PROBE_IMAGE:-{}}}",
        quote(&deployment.probe_image)
    );
    out.push_str("wait_seconds=${PROBE_WAIT:-90}\nconnect_timeout=${CONNECT_TIMEOUT:-3}\n\n");

    // Per service: the networks a probe joins and the container ports it tries.
    out.push_str("# service -> swarm networks a probe for it joins\ndeclare -A networks=(\n");
    for service in &model.services {
        if let Some(nets) = probe_networks(model, service) {
            let _ = writeln!(
                out,
                "  [{}]={}",
                quote(&service.name),
                quote(&nets.join(" "))
            );
        }
    }
    out.push_str(")\n# service -> container ports known from its ports, routes and flows\ndeclare -A ports=(\n");
    for service in &model.services {
        let known = container_ports(model, service);
        if let Some(first) = known.first() {
            let _ = writeln!(out, "  [{}]={first}", quote(&service.name));
        }
    }
    out.push_str(")\n\n# from to expectation (reach, isolated, or skip:<why>)\nexpected=(\n");
    for (a, from) in model.services.iter().enumerate() {
        for (b, to) in model.services.iter().enumerate() {
            if a == b {
                continue;
            }
            let expect = expectation(model, analysis, a, b);
            let word = match expect {
                Expect::Reach => "reach".to_string(),
                Expect::Isolated => "isolated".to_string(),
                Expect::Skip(why) => {
                    warnings.push(format!(
                        "{} -> {} is not probed: {why}.",
                        from.name, to.name
                    ));
                    format!("skip:{why}")
                }
            };
            let _ = writeln!(
                out,
                "  {} {} {}",
                quote(&from.name),
                quote(&to.name),
                quote(&word)
            );
        }
    }
    out.push_str(")\n\n# published port/protocol that must answer from outside\nopen_ports=(\n");
    let mut published: BTreeSet<(u16, Protocol)> = BTreeSet::new();
    for exposure in &analysis.surface.ports {
        match exposure.published {
            Some(port) => {
                published.insert((port, exposure.protocol));
            }
            None => warnings.push(format!(
                "{} publishes {} on a port swarm picks; the surface check cannot know it.",
                exposure.service, exposure.target
            )),
        }
    }
    for entry in ranges(published.iter().copied()) {
        let _ = writeln!(out, "  {entry}");
    }
    out.push_str(")\n# container ports that must not answer from outside\nclosed_ports=(\n");
    let mut closed: BTreeSet<u16> = BTreeSet::new();
    for service in &model.services {
        closed.extend(container_ports(model, service));
    }
    let closed = closed
        .into_iter()
        .filter(|p| !published.contains(&(*p, Protocol::Tcp)))
        .map(|p| (p, Protocol::Tcp));
    for entry in ranges(closed) {
        let _ = writeln!(out, "  {entry}");
    }
    out.push_str(")\n\n");
    out.push_str(LOGIC);
    (out, warnings)
}

/// Ports with their protocols as the script lists them, in order: `80/tcp`, and a run
/// of consecutive ports as `10000-20000/udp` (probed at its two ends: one rule
/// publishes or closes it whole, and a VoIP server's 10,001 ports would take hours).
fn ranges(ports: impl Iterator<Item = (u16, Protocol)>) -> Vec<String> {
    // By protocol, then port: a run never mixes protocols.
    let mut ports: Vec<(u16, Protocol)> = ports.collect();
    crate::sort::sort_by_key(&mut ports, |&(port, protocol)| (protocol.as_str(), port));
    let mut runs: Vec<(u16, String)> = port_range::number_runs(&ports)
        .into_iter()
        .map(|(first, last, protocol)| {
            let text = format!(
                "{}/{}",
                port_range::span(first, last, "-"),
                protocol.as_str()
            );
            (first, text)
        })
        .collect();
    crate::sort::sort_by_key(&mut runs, |run| run.0);
    runs.into_iter().map(|(_, text)| text).collect()
}

/// The swarm networks a probe standing in for `service` joins, or `None` when a probe
/// cannot stand there (host networking).
fn probe_networks(model: &Model, service: &Service) -> Option<Vec<String>> {
    if crate::reachability::networks_of(model, service)
        .iter()
        .any(|n| n == HOST)
    {
        return None;
    }
    let nets = swarm_networks(model, service);
    Some(if nets.is_empty() {
        vec![format!("{}_default", model.stack)]
    } else {
        nets
    })
}

/// Container ports a service is known to listen on, most telling first.
fn container_ports(model: &Model, service: &Service) -> Vec<u16> {
    let mut out: Vec<u16> = Vec::new();
    let mut seen = BTreeSet::new();
    let flows = model
        .flows
        .iter()
        .filter(|f| f.to == service.name)
        .filter_map(|f| f.port);
    let routes = service.routes.iter().filter_map(|r| r.port);
    let targets = service
        .ports
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp)
        .map(|p| p.target);
    for port in flows.chain(routes).chain(targets) {
        if seen.insert(port) {
            out.push(port);
        }
    }
    out
}

fn expectation(model: &Model, analysis: &Analysis, a: usize, b: usize) -> Expect {
    let (Some(from), Some(to)) = (model.services.get(a), model.services.get(b)) else {
        return Expect::Skip("not in the design");
    };
    if probe_networks(model, from).is_none() {
        return Expect::Skip("the client uses the host's network");
    }
    if probe_networks(model, to).is_none() {
        return Expect::Skip("the server uses the host's network");
    }
    match analysis.reachability.between(a, b) {
        None => Expect::Isolated,
        Some(nets) if nets.iter().all(|n| n == INGRESS) => {
            Expect::Skip("they share only the ingress network, which a probe cannot join")
        }
        Some(_) => Expect::Reach,
    }
}

/// The fixed part of the script: probes, the surface check and the table.
const LOGIC: &str = r#"passed=0
failed=0
skipped=0
report() { # result from to detail
  printf '%-5s %-28s %-28s %s\n' "$1" "$2" "$3" "$4"
  case $1 in
    PASS) passed=$((passed + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
    *) skipped=$((skipped + 1)) ;;
  esac
}

can_connect() { # host port
  # shellcheck disable=SC2016 # $1 and $2 expand in the inner bash
  timeout "$connect_timeout" bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# A range (first-last/proto) is probed at its two ends, against whether the design
# publishes it (open) or not (closed).
check_range() { # host entry open|closed
  local host=$1 range=${2%/*} want=$3 port answers
  for port in "${range%-*}" "${range#*-}"; do
    if can_connect "$host" "$port"; then answers=yes; else answers=no; fi
    case $want/$answers in
      open/yes) report PASS internet "$host:$port/tcp" "published, answers" ;;
      open/no) report FAIL internet "$host:$port/tcp" "published in the design but does not answer" ;;
      closed/yes) report FAIL internet "$host:$port/tcp" "answers but the design does not publish it" ;;
      closed/no) report PASS internet "$host:$port/tcp" "closed" ;;
    esac
    [[ $range == *-* ]] || break
  done
}

check_surface() { # host
  local host=$1 entry
  printf '\nExposed surface of %s\n' "$host"
  for entry in "${open_ports[@]}"; do
    if [[ $entry != */tcp ]]; then
      report SKIP internet "$host:$entry" "only tcp ports are checked"
      continue
    fi
    check_range "$host" "$entry" open
  done
  for entry in "${closed_ports[@]}"; do
    check_range "$host" "$entry" closed
  done
}

# The probe runs busybox sh: for each target "name,port,vip vip", print whether the
# name resolves and whether the port answers (on the name, or on any VIP if it does not).
# shellcheck disable=SC2016
probe_script='for spec in "$@"; do
  name=${spec%%,*}; rest=${spec#*,}; port=${rest%%,*}; vips=${rest#*,}
  if nslookup "$name" >/dev/null 2>&1; then dns=ok; else dns=no; fi
  tcp=skip
  if [ -n "$port" ]; then
    tcp=no
    if [ "$dns" = ok ]; then
      nc -z -w 3 "$name" "$port" >/dev/null 2>&1 && tcp=ok
    else
      for vip in $vips; do nc -z -w 3 "$vip" "$port" >/dev/null 2>&1 && tcp=ok; done
    fi
  fi
  echo "tiermap-probe $name dns=$dns tcp=$tcp"
done'

probes=()
cleanup() {
  if ((${#probes[@]})); then docker service rm "${probes[@]}" >/dev/null 2>&1; fi
}

vips_of() { # swarm service name
  docker service inspect --format '{{range .Endpoint.VirtualIPs}}{{.Addr}} {{end}}' "$1" 2>/dev/null |
    sed 's#/[0-9]*##g; s/ *$//'
}

# A probe stands where the live service stands: its networks as deployed, which may
# differ from the design; the designed ones when the service is not running.
live_networks_of() { # service
  local live
  live=$(docker service inspect --format '{{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}' "${stack}_$1" 2>/dev/null)
  echo "${live:-${networks[$1]}}"
}

check_pairs() {
  command -v docker >/dev/null || { echo "docker not found: run this on a swarm manager" >&2; exit 2; }
  docker stack services "$stack" >/dev/null 2>&1 || { echo "stack $stack is not deployed here (docker stack services failed)" >&2; exit 2; }
  trap cleanup EXIT
  local -A vips=() results=()
  local service from to expect probe state waited line name dns tcp i
  for service in "${!networks[@]}"; do vips[$service]=$(vips_of "${stack}_$service"); done
  for from in "${!networks[@]}"; do
    local -a args=() nets=()
    for ((i = 0; i < ${#expected[@]}; i += 3)); do
      [[ ${expected[i]} == "$from" && ${expected[i + 2]} != skip:* ]] || continue
      to=${expected[i + 1]}
      args+=("${stack}_$to,${ports[$to]:-},${vips[$to]:-}")
    done
    ((${#args[@]})) || continue
    for name in $(live_networks_of "$from"); do nets+=(--network "$name"); done
    probe="tiermap-probe-$(printf '%s' "$from" | cksum | cut -d' ' -f1)"
    docker service rm "$probe" >/dev/null 2>&1
    if ! docker service create --detach --quiet --name "$probe" --restart-condition none \
      --label "tiermap.probe=$stack" "${nets[@]}" "$probe_image" sh -c "$probe_script" probe "${args[@]}" >/dev/null; then
      echo "could not start a probe for $from" >&2
      continue
    fi
    probes+=("$probe")
    waited=0
    while ((waited < wait_seconds)); do
      state=$(docker service ps --format '{{.CurrentState}}' "$probe" 2>/dev/null | head -n1)
      [[ $state == Complete* || $state == Failed* || $state == Rejected* ]] && break
      sleep 2
      waited=$((waited + 2))
    done
    while read -r line name dns tcp; do
      [[ $line == tiermap-probe ]] || continue
      results["$from>${name#"${stack}"_}"]="$dns $tcp"
    done < <(docker service logs --raw "$probe" 2>/dev/null)
  done
  printf 'Reachability of stack %s\n' "$stack"
  printf '%-5s %-28s %-28s %s\n' RESULT FROM TO DETAIL
  for ((i = 0; i < ${#expected[@]}; i += 3)); do
    from=${expected[i]} to=${expected[i + 1]} expect=${expected[i + 2]}
    if [[ $expect == skip:* ]]; then
      report SKIP "$from" "$to" "${expect#skip:}"
      continue
    fi
    line=${results["$from>$to"]:-}
    if [[ -z $line ]]; then
      report FAIL "$from" "$to" "no answer from the probe (see docker service logs)"
      continue
    fi
    read -r dns tcp <<<"$line"
    if [[ $expect == reach ]]; then
      if [[ $dns == dns=ok && $tcp != tcp=no ]]; then
        report PASS "$from" "$to" "reaches, as designed ($dns $tcp)"
      elif [[ $dns == dns=ok ]]; then
        report PASS "$from" "$to" "resolves; port ${ports[$to]} did not answer (is it listening?)"
      else
        report FAIL "$from" "$to" "designed to reach but the name does not resolve"
      fi
    elif [[ $dns == dns=no && $tcp != tcp=ok ]]; then
      report PASS "$from" "$to" "isolated, as designed"
    else
      report FAIL "$from" "$to" "designed to be isolated but $dns $tcp"
    fi
  done
}

case ${1:-} in
  --surface)
    [[ -n ${2:-} ]] || { echo "usage: $0 --surface HOST" >&2; exit 2; }
    check_surface "$2"
    ;;
  "")
    check_pairs
    if [[ -n ${TARGET_HOST:-} ]]; then check_surface "$TARGET_HOST"; fi
    ;;
  *)
    echo "usage: $0 [--surface HOST]" >&2
    exit 2
    ;;
esac
printf '\n%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0))
"#;
