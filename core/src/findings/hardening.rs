//! Container hardening, as swarm runs it: only the settings `docker stack deploy`
//! honours are asked for (`cap_drop`, `read_only`, `user`, `sysctls`, `logging`, mounts,
//! secrets), and a setting it ignores (`security_opt`) is reported for what it does not
//! do, with what works instead (docs/stack-deploy.md).

use super::*;
use crate::model::{MountKind, Setting};

/// The hardening rules of one service.
pub(super) fn container(out: &mut Out, service: &Service) {
    security_opt(out, service);
    capabilities(out, service);
    filesystem(out, service);
    user(out, service);
    mounts(out, service);
    sysctls(out, service);
    logging(out, service);
    image(out, service);
    secrets_in_environment(out, service);
}

fn security_opt(out: &mut Out, service: &Service) {
    let options = &service.container.security_opt;
    let Some(first) = options.first() else {
        return;
    };
    let name = service.name.as_str();
    let listed: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
    let asks_nnp = listed.iter().any(|o| o.starts_with("no-new-privileges"));
    let effect = if asks_nnp {
        "its tasks run without no-new-privileges, so a setuid binary in the image can still gain root"
    } else {
        "its tasks run with Docker's default seccomp and AppArmor profiles, whatever it asks for"
    };
    out.push(
        Rule::SecurityOptIgnored,
        Severity::Warning,
        name,
        Some(name),
        None,
        first.at,
        format!(
            "`{name}` sets `security_opt` ({}), which `docker stack deploy` ignores: {effect}",
            listed.join(", ")
        ),
        "set `\"no-new-privileges\": true` in /etc/docker/daemon.json on every node (it applies to swarm tasks too), and rely on what swarm honours: `cap_drop: [ALL]`, `read_only: true` and a non-root `user:`",
        None,
    );
}

/// Capabilities that give a compromised task code execution on its node.
const HOST_EXEC: &[&str] = &["ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO"];

/// Capabilities that reach the node or the other containers on it, and what each does.
const HOST_REACH: &[(&str, &str)] = &[
    (
        "NET_ADMIN",
        "reconfigures the task's networking and sniffs its overlay traffic",
    ),
    ("BPF", "loads BPF programs into the node's kernel"),
    ("SYS_BOOT", "reboots the node"),
    ("SYS_PTRACE", "traces processes it can see"),
    (
        "DAC_READ_SEARCH",
        "reads any file it can name, past permissions",
    ),
    ("PERFMON", "samples every process on the node"),
    ("SYS_TIME", "sets the node's clock for every workload"),
    ("SYS_NICE", "starves other workloads of CPU"),
    ("IPC_LOCK", "locks the node's memory"),
    ("LEASE", "holds file leases that block other processes"),
    ("SYSLOG", "reads the node's kernel log"),
];

fn capabilities(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    let container = &service.container;
    let drops_all = container
        .cap_drop
        .iter()
        .any(|c| capability(&c.value) == "ALL");
    if !drops_all && !is_job(service) {
        out.push(
            Rule::CapabilitiesNotDropped,
            Severity::Info,
            name,
            Some(name),
            None,
            service.at,
            format!("`{name}` keeps Docker's default capabilities (NET_RAW, CHOWN, SETUID, DAC_OVERRIDE and ten more): a compromised task can use all of them"),
            "add `cap_drop: [ALL]` and `cap_add` back only what it needs; swarm honours both (Docker 20.10 and later)",
            Some(FixAction::DropCapabilities { service: name.into() }),
        );
    }
    for added in &container.cap_add {
        let cap = capability(&added.value);
        let (severity, what) = if HOST_EXEC.contains(&cap.as_str()) {
            (
                Severity::Error,
                "gives a compromised task code execution on its node",
            )
        } else if let Some((_, what)) = HOST_REACH.iter().find(|(c, _)| *c == cap) {
            (Severity::Warning, *what)
        } else {
            continue;
        };
        out.push(
            Rule::DangerousCapability,
            severity,
            &format!("{name}:{cap}"),
            Some(name),
            None,
            added.at,
            format!("`{name}` adds {cap}, which {what}; swarm grants it to every task on every node it runs on"),
            format!("remove {cap} unless it is the service's job; keep it as the only capability, with `cap_drop: [ALL]`, and place the service on the nodes meant for it"),
            None,
        );
    }
}

/// `cap_net_admin` and `NET_ADMIN` name the same capability.
fn capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

fn is_job(service: &Service) -> bool {
    service.replicas() == Some(0)
}

fn filesystem(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    let read_only = service.container.read_only.as_ref().is_some_and(|s| {
        matches!(
            s.value.to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "y"
        )
    });
    if read_only || is_job(service) {
        return;
    }
    out.push(
        Rule::WritableRootFilesystem,
        Severity::Info,
        name,
        Some(name),
        None,
        service.at,
        format!("`{name}`'s root filesystem is writable: a compromised task can change its binaries and keep tools there until the task is replaced"),
        "set `read_only: true` and mount `type: tmpfs` volumes on the paths it writes (stack deploy drops the service-level `tmpfs:` key)",
        Some(FixAction::ReadOnlyRoot { service: name.into() }),
    );
}

fn user(out: &mut Out, service: &Service) {
    let Some(user) = &service.container.user else {
        return;
    };
    let who = user.value.split(':').next().unwrap_or_default();
    if who != "root" && who != "0" {
        return;
    }
    let name = service.name.as_str();
    out.push(
        Rule::RootUser,
        Severity::Warning,
        name,
        Some(name),
        None,
        user.at,
        format!("`{name}` runs as root (`user: {}`), overriding the image's user: a compromised task is root in its container, one kernel bug from root on the node", user.value),
        "remove `user:` or set a non-root uid, and give that uid the paths it writes",
        None,
    );
}

/// Paths of the node where a writable bind is root on the node.
const ROOT_EQUIVALENT: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/boot",
    "/proc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/etc/docker",
    "/etc/systemd",
    "/etc/cron.d",
    "/etc/sudoers.d",
    "/etc/ssh",
];

/// Paths of the node whose contents a bind discloses, read-only or not.
const DISCLOSING: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/home",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/run",
    "/var/lib/docker",
    "/var/log",
    "/boot",
];

fn mounts(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    for mount in service.volumes.iter().filter(|m| m.kind == MountKind::Bind) {
        if mount.is_docker_socket() {
            continue;
        }
        let source = normalize(&mount.source);
        let under = |list: &[&str]| {
            list.iter().any(|p| {
                source == *p
                    || (*p != "/" && source.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
            })
        };
        let credentials =
            source.contains("/.ssh") || source.contains("/.aws") || source.contains("/.docker");
        let (severity, what) = if !mount.read_only && (under(ROOT_EQUIVALENT) || credentials) {
            (
                Severity::Error,
                "writable: a compromised task becomes root on its node (or takes its credentials)",
            )
        } else if DISCLOSING.contains(&source.as_str()) || credentials {
            (
                Severity::Warning,
                "it discloses the node's state to a compromised task",
            )
        } else {
            continue;
        };
        out.push(
            Rule::SensitiveHostMount,
            severity,
            &format!("{name}:{source}"),
            Some(name),
            None,
            mount.at,
            format!("`{name}` mounts the node's `{source}` at `{}`, {what}; swarm mounts it from whichever node runs the task", mount.target),
            "mount only the file it needs, read-only, or keep the data in a volume or a swarm config/secret",
            None,
        );
    }
    for mount in &service.volumes {
        if matches!(mount.propagation.as_deref(), Some("shared" | "rshared")) {
            out.push(
                Rule::SharedMountPropagation,
                Severity::Info,
                &format!("{name}:{}", mount.target),
                Some(name),
                None,
                mount.at,
                format!("`{name}` mounts `{}` with shared propagation: mounts made on either side appear on the other, so the task can mount things into the node", mount.source),
                "drop the propagation option, or use `rslave` when the node's mounts must reach the task",
                None,
            );
        }
    }
}

fn normalize(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Whether the kernel gives a sysctl its own value per container (net.* off the host
/// network, IPC and message queue settings); the runtime refuses any other.
fn namespaced(name: &str, host_network: bool) -> bool {
    const IPC: &[&str] = &[
        "kernel.msgmax",
        "kernel.msgmnb",
        "kernel.msgmni",
        "kernel.sem",
        "kernel.shmall",
        "kernel.shmmax",
        "kernel.shmmni",
        "kernel.shm_rmid_forced",
    ];
    IPC.contains(&name)
        || name.starts_with("fs.mqueue.")
        || (name.starts_with("net.") && !host_network)
}

fn sysctls(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    for Setting { value, at } in &service.container.sysctls {
        let key = value.split('=').next().unwrap_or_default().trim();
        if namespaced(key, service.host_network()) {
            continue;
        }
        out.push(
            Rule::SysctlNotNamespaced,
            Severity::Error,
            &format!("{name}:{key}"),
            Some(name),
            None,
            *at,
            format!("`{name}` sets sysctl `{key}`, which is not namespaced: the runtime refuses it, so every task of the service fails to start and swarm retries forever"),
            "set it on the nodes (sysctl.d) instead; only net.*, fs.mqueue.* and the IPC kernel.* settings can be set per task",
            None,
        );
    }
}

fn logging(out: &mut Out, service: &Service) {
    let Some(driver) = &service.container.logging_driver else {
        return;
    };
    if driver.value != "none" {
        return;
    }
    let name = service.name.as_str();
    out.push(
        Rule::LoggingDisabled,
        Severity::Warning,
        name,
        Some(name),
        None,
        driver.at,
        format!("`{name}` logs to `none`: `docker service logs` shows nothing, and after an incident there is nothing to read"),
        "remove `logging.driver: none`, or send the logs to a driver that keeps them (with `max-size` and `max-file` for json-file)",
        None,
    );
}

/// Tags that move to another image over time.
const MOVING_TAGS: &[&str] = &[
    "latest", "stable", "edge", "main", "master", "dev", "develop", "nightly", "current",
];

/// The tag and digest of an image reference (`registry:5000/a/b:1.2@sha256:...`).
fn tag_and_digest(image: &str) -> (Option<&str>, Option<&str>) {
    let (reference, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last = reference.rsplit('/').next().unwrap_or(reference);
    (last.split_once(':').map(|(_, tag)| tag), digest)
}

fn image(out: &mut Out, service: &Service) {
    let Some(image) = service.image.as_deref().filter(|i| !i.is_empty()) else {
        return;
    };
    let name = service.name.as_str();
    let (tag, digest) = tag_and_digest(image);
    if digest.is_some() {
        return;
    }
    let moving = tag.is_none_or(|t| MOVING_TAGS.contains(&t));
    if moving {
        out.push(
            Rule::ImageNotPinned,
            Severity::Warning,
            name,
            Some(name),
            None,
            service.image_at,
            format!("`{name}` runs `{image}`, {}: each `docker stack deploy` resolves it to whatever the registry holds that day, so a redeploy of an unchanged file can change what runs", if tag.is_none() { "with no tag (`latest`)" } else { "a tag that moves" }),
            "pin a version tag, and better its digest (`image: name:1.2.3@sha256:...`)",
            None,
        );
    } else {
        out.push(
            Rule::ImageWithoutDigest,
            Severity::Info,
            name,
            Some(name),
            None,
            service.image_at,
            format!("`{name}` runs `{image}` by tag only: stack deploy pins the digest the tag has when you deploy, but the file does not say which one, and a re-pushed tag changes the next deploy"),
            "add the digest beside the tag (`image: name:tag@sha256:...`) and let an update bot move both",
            None,
        );
    }
}

/// Parts of environment keys that name a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIALS",
    "AUTH_KEY",
];

/// Key endings that say the value is not the credential itself.
const NOT_CREDENTIAL_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_ID",
    "_USER",
    "_USERNAME",
    "_NAME",
    "_URL",
    "_URI",
    "_HOST",
    "_PORT",
    "_LENGTH",
    "_TTL",
    "_EXPIRY",
    "_TYPE",
    "_ENABLED",
];

/// Whether an environment key names a credential.
fn credential_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let named = CREDENTIAL_WORDS.iter().any(|w| {
        if w.contains('_') {
            upper.contains(w)
        } else {
            words.contains(w)
        }
    });
    named && !NOT_CREDENTIAL_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// The password in a URL's `user:password@` part, when there is one.
fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password).filter(|p| !p.is_empty())
}

fn secrets_in_environment(out: &mut Out, service: &Service) {
    let name = service.name.as_str();
    for (i, (key, value)) in service.environment.iter().enumerate() {
        let at = service.environment_at.get(i).copied().unwrap_or(service.at);
        let what = if value.is_empty() || value.starts_with('/') {
            continue;
        } else if url_password(value).is_some() {
            "a URL with its password"
        } else if credential_key(key) {
            "a credential"
        } else {
            continue;
        };
        out.push(
            Rule::SecretInEnvironment,
            Severity::Error,
            &format!("{name}:{key}"),
            Some(name),
            None,
            at,
            format!("`{name}` gets {what} in `{key}`: swarm stores environment values in the service definition, so whoever can run `docker service inspect` (or `docker inspect` on its node) reads it, and it is in the stack file"),
            format!("`docker secret create` it, list it under the service's `secrets:` (swarm mounts it at /run/secrets/<name>, encrypted at rest in the raft log) and point the image at the file (e.g. `{key}_FILE=/run/secrets/<name>`)"),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys_and_urls() {
        for key in [
            "POSTGRES_PASSWORD",
            "DB_PASS",
            "API_KEY",
            "GITHUB_TOKEN",
            "jwt-secret",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(credential_key(key), "{key}");
        }
        for key in [
            "POSTGRES_PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_MIN_LENGTH",
            "COMPASS",
            "TOKEN_URL",
            "POSTGRES_USER",
        ] {
            assert!(!credential_key(key), "{key}");
        }
        assert_eq!(
            url_password("postgres://admin:s3cret@db:5432/x"),
            Some("s3cret")
        );
        assert_eq!(url_password("postgres://admin@db:5432/x"), None);
        assert_eq!(url_password("http://db:5432"), None);
    }

    #[test]
    fn tags_and_digests() {
        assert_eq!(tag_and_digest("nginx"), (None, None));
        assert_eq!(tag_and_digest("nginx:1.27"), (Some("1.27"), None));
        assert_eq!(tag_and_digest("localhost:5000/app"), (None, None));
        assert_eq!(
            tag_and_digest("localhost:5000/app:2@sha256:ab"),
            (Some("2"), Some("sha256:ab"))
        );
    }

    #[test]
    fn namespaced_sysctls() {
        assert!(namespaced("net.core.somaxconn", false));
        assert!(!namespaced("net.core.somaxconn", true));
        assert!(namespaced("kernel.shmmax", false));
        assert!(!namespaced("vm.max_map_count", false));
        assert!(!namespaced("kernel.pid_max", false));
    }
}
