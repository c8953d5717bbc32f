//! What `docker stack config` refuses in a compose file: the compose file format 3.x
//! as the docker CLI validates it (file format versions 3.0 to 3.13), written as data.
//!
//! Learned from docker/cli's `cli/compose/schema` (one JSON schema per version),
//! `cli/compose/loader` (interpolation and the values it casts to numbers and booleans,
//! durations and sizes it parses) and checked against the real CLI (core/tests). Every
//! key carries the minor version that introduced it, so `init:` in a `version: "3.6"`
//! file is refused with the version that has it. Import does not judge: each refusal
//! becomes a [`Problem::Refused`] fact for the rules.

use crate::compose::interpolate::{interpolate, Variables};
use crate::compose::ports;
use crate::model::{Problem, Refusal};
use crate::yaml::{Location, Node, Value};

/// The newest file format minor version the docker CLI knows (`3.13`); a file without
/// `version` (or with `version: "3"`) is validated as this one.
pub const LATEST_MINOR: u8 = 13;

/// The file format version a `version` value selects: the minor of `3.x`, or `None`
/// when `docker stack config` has no schema for it ("unsupported Compose file version").
pub fn minor_version(version: Option<&str>) -> Option<u8> {
    match version {
        None | Some("") | Some("3") => Some(LATEST_MINOR),
        Some(v) => {
            let minor: u8 = v.strip_prefix("3.")?.parse().ok()?;
            // "3.08" is not a schema docker has, though it parses as 8.
            (minor <= LATEST_MINOR && v.len() == 2 + minor.to_string().len()).then_some(minor)
        }
    }
}

/// A scalar type of the format (JSON schema's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Int,
    Num,
    Bool,
    Null,
}

/// What a value must look like.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Anything (extension fields).
    Any,
    /// One of these scalar types.
    Scalar(&'static [Kind]),
    /// A number or boolean that may also be written as a string with `${...}` in it:
    /// docker's loader casts the interpolated text (only at the paths it lists).
    Cast(Kind),
    /// A string in Go's duration syntax (`10s`, `1m30s`).
    Duration,
    /// A string in docker's size syntax (`512M`, `1g`).
    Size,
    /// A string that must be one of these.
    Enum(&'static [&'static str]),
    /// A published port in short syntax (`8080:80/udp`), a string or a number.
    PortSpec,
    /// A list; `unique` when items may not repeat.
    List { item: &'static Shape, unique: bool },
    /// A mapping with named fields.
    Object(&'static Object),
    /// A mapping whose keys are names (of services, networks, variables...).
    Names(&'static Names),
    /// One of several shapes (JSON schema's `oneOf`), each from a file format version.
    Either(&'static [(u8, Shape)]),
}

/// A mapping with named fields.
#[derive(Debug, Clone, Copy)]
struct Object {
    fields: &'static [Field],
    /// Unknown keys are refused (from this minor version on; `None`: never).
    closed_since: Option<u8>,
    /// `x-` keys are allowed (from this minor version on).
    extensions_since: Option<u8>,
    /// `null` is accepted in place of the mapping.
    nullable: bool,
    /// Keys that must be present.
    required: &'static [&'static str],
}

/// One key of an [`Object`].
#[derive(Debug, Clone, Copy)]
struct Field {
    key: &'static str,
    since: u8,
    shape: Shape,
}

/// A mapping keyed by names.
#[derive(Debug, Clone, Copy)]
struct Names {
    pattern: Pattern,
    value: &'static Shape,
    /// Keys outside the pattern are refused (otherwise they are not checked at all).
    closed: bool,
}

/// The key patterns the format uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// `^[a-zA-Z0-9._-]+$`: services, networks, volumes, secrets, configs.
    Name,
    /// `^[a-z]+$`: ulimits.
    Lower,
    /// Any non-empty key.
    NonEmpty,
}

impl Pattern {
    fn matches(self, key: &str) -> bool {
        !key.is_empty()
            && match self {
                Pattern::Name => key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')),
                Pattern::Lower => key.chars().all(|c| c.is_ascii_lowercase()),
                Pattern::NonEmpty => true,
            }
    }
}

const fn field(key: &'static str, since: u8, shape: Shape) -> Field {
    Field { key, since, shape }
}

const fn named(value: &'static Shape) -> Names {
    Names {
        pattern: Pattern::Name,
        value,
        closed: true,
    }
}

const fn object(fields: &'static [Field]) -> Object {
    Object {
        fields,
        closed_since: Some(0),
        extensions_since: None,
        nullable: false,
        required: &[],
    }
}

const STR: Shape = Shape::Scalar(&[Kind::Str]);
const INT: Shape = Shape::Scalar(&[Kind::Int]);
const NUM: Shape = Shape::Scalar(&[Kind::Num]);
const BOOL: Shape = Shape::Scalar(&[Kind::Bool]);
const CAST_INT: Shape = Shape::Cast(Kind::Int);
const CAST_NUM: Shape = Shape::Cast(Kind::Num);
const CAST_BOOL: Shape = Shape::Cast(Kind::Bool);
const STRINGS: Shape = Shape::List {
    item: &STR,
    unique: false,
};
const UNIQUE_STRINGS: Shape = Shape::List {
    item: &STR,
    unique: true,
};
const STRING_OR_LIST: Shape = Shape::Either(&[(0, STR), (0, UNIQUE_STRINGS)]);
const COMMAND: Shape = Shape::Either(&[(0, STR), (0, STRINGS)]);
const LIST_OR_DICT: Shape = Shape::Either(&[
    (
        0,
        Shape::Names(&Names {
            pattern: Pattern::NonEmpty,
            value: &Shape::Scalar(&[Kind::Str, Kind::Num, Kind::Null]),
            closed: true,
        }),
    ),
    (0, UNIQUE_STRINGS),
]);
const DRIVER_OPTS: Shape = Shape::Names(&Names {
    pattern: Pattern::NonEmpty,
    value: &Shape::Scalar(&[Kind::Str, Kind::Num]),
    closed: false,
});
const EXTERNAL: Shape = Shape::Either(&[
    (0, CAST_BOOL),
    (0, Shape::Object(&object(&[field("name", 0, STR)]))),
]);
/// `external` of secrets and configs, whose mapping form is not closed.
const EXTERNAL_OPEN: Shape = Shape::Either(&[
    (0, CAST_BOOL),
    (
        0,
        Shape::Object(&Object {
            closed_since: None,
            ..object(&[field("name", 0, STR)])
        }),
    ),
]);
/// A service's `secrets` or `configs` entry.
const FILE_REFERENCE: Shape = Shape::Either(&[
    (0, STR),
    (
        0,
        Shape::Object(&Object {
            closed_since: None,
            ..object(&[
                field("source", 0, STR),
                field("target", 0, STR),
                field("uid", 0, STR),
                field("gid", 0, STR),
                field("mode", 0, CAST_NUM),
            ])
        }),
    ),
]);
const UPDATE_CONFIG: Shape = Shape::Object(&object(&[
    field("parallelism", 0, CAST_INT),
    field("delay", 0, Shape::Duration),
    field("failure_action", 0, STR),
    field("monitor", 0, Shape::Duration),
    field("max_failure_ratio", 0, CAST_NUM),
    field("order", 4, Shape::Enum(&["start-first", "stop-first"])),
]));

const HEALTHCHECK: Shape = Shape::Object(&object(&[
    field("disable", 0, CAST_BOOL),
    field("interval", 0, Shape::Duration),
    field("retries", 0, CAST_NUM),
    field("test", 0, COMMAND),
    field("timeout", 0, Shape::Duration),
    field("start_period", 4, Shape::Duration),
    field("start_interval", 12, Shape::Duration),
]));

const DEPLOY: Shape = Shape::Object(&Object {
    nullable: true,
    ..object(&[
        field("mode", 0, STR),
        field("endpoint_mode", 2, STR),
        field("replicas", 0, CAST_INT),
        field("labels", 0, LIST_OR_DICT),
        field("rollback_config", 7, UPDATE_CONFIG),
        field("update_config", 0, UPDATE_CONFIG),
        field(
            "resources",
            0,
            Shape::Object(&object(&[
                field(
                    "limits",
                    0,
                    Shape::Object(&object(&[
                        field("cpus", 0, STR),
                        field("memory", 0, Shape::Size),
                        field("pids", 9, INT),
                    ])),
                ),
                field(
                    "reservations",
                    0,
                    Shape::Object(&object(&[
                        field("cpus", 0, STR),
                        field("memory", 0, Shape::Size),
                        field(
                            "generic_resources",
                            5,
                            Shape::List {
                                item: &Shape::Object(&object(&[field(
                                    "discrete_resource_spec",
                                    0,
                                    Shape::Object(&object(&[
                                        field("kind", 0, STR),
                                        field("value", 0, NUM),
                                    ])),
                                )])),
                                unique: false,
                            },
                        ),
                    ])),
                ),
            ])),
        ),
        field(
            "restart_policy",
            0,
            Shape::Object(&object(&[
                field("condition", 0, STR),
                field("delay", 0, Shape::Duration),
                field("max_attempts", 0, CAST_INT),
                field("window", 0, Shape::Duration),
            ])),
        ),
        field(
            "placement",
            0,
            Shape::Object(&object(&[
                field("constraints", 0, STRINGS),
                field(
                    "preferences",
                    3,
                    Shape::List {
                        item: &Shape::Object(&object(&[field("spread", 0, STR)])),
                        unique: false,
                    },
                ),
                field("max_replicas_per_node", 8, CAST_INT),
            ])),
        ),
    ])
});

const SERVICE_NETWORKS: Shape = Shape::Either(&[
    (0, UNIQUE_STRINGS),
    (
        0,
        Shape::Names(&Names {
            pattern: Pattern::Name,
            value: &Shape::Object(&Object {
                nullable: true,
                ..object(&[
                    field("aliases", 0, UNIQUE_STRINGS),
                    field("driver_opts", 13, DRIVER_OPTS),
                    field("ipv4_address", 0, STR),
                    field("ipv6_address", 0, STR),
                ])
            }),
            closed: true,
        }),
    ),
]);

const PORT: Shape = Shape::Either(&[
    (0, Shape::PortSpec),
    (
        2,
        Shape::Object(&object(&[
            field("mode", 0, STR),
            field("target", 0, CAST_INT),
            field("published", 0, CAST_INT),
            field("protocol", 0, STR),
        ])),
    ),
]);

const MOUNT: Shape = Shape::Either(&[
    (0, STR),
    (
        2,
        Shape::Object(&Object {
            required: &["type"],
            ..object(&[
                field("type", 0, STR),
                field("source", 0, STR),
                field("target", 0, STR),
                field("read_only", 0, CAST_BOOL),
                field("consistency", 0, STR),
                field(
                    "bind",
                    0,
                    Shape::Object(&Object {
                        closed_since: None,
                        ..object(&[field("propagation", 0, STR)])
                    }),
                ),
                field(
                    "volume",
                    0,
                    Shape::Object(&Object {
                        closed_since: None,
                        ..object(&[field("nocopy", 0, CAST_BOOL)])
                    }),
                ),
                field(
                    "tmpfs",
                    6,
                    Shape::Object(&Object {
                        closed_since: None,
                        ..object(&[field("size", 0, INT)])
                    }),
                ),
            ])
        }),
    ),
]);

const ULIMIT: Shape = Shape::Either(&[
    (0, CAST_INT),
    (
        0,
        Shape::Object(&Object {
            required: &["soft", "hard"],
            ..object(&[field("hard", 0, CAST_INT), field("soft", 0, CAST_INT)])
        }),
    ),
]);

const BUILD: Shape = Shape::Either(&[
    (0, STR),
    (
        0,
        Shape::Object(&Object {
            closed_since: Some(11),
            ..object(&[
                field("context", 0, STR),
                field("dockerfile", 0, STR),
                field("args", 0, LIST_OR_DICT),
                field("labels", 3, LIST_OR_DICT),
                field("cache_from", 2, UNIQUE_STRINGS),
                field("network", 4, STR),
                field("target", 4, STR),
                field("shm_size", 5, Shape::Scalar(&[Kind::Int, Kind::Str])),
                field("extra_hosts", 9, LIST_OR_DICT),
            ])
        }),
    ),
]);

const SERVICE: Shape = Shape::Object(&Object {
    extensions_since: Some(7),
    ..object(&[
        field("deploy", 0, DEPLOY),
        field("build", 0, BUILD),
        field("cap_add", 0, UNIQUE_STRINGS),
        field("cap_drop", 0, UNIQUE_STRINGS),
        field("cgroupns_mode", 9, STR),
        field("cgroup_parent", 0, STR),
        field("command", 0, COMMAND),
        field(
            "configs",
            3,
            Shape::List {
                item: &FILE_REFERENCE,
                unique: false,
            },
        ),
        field("container_name", 0, STR),
        field(
            "credential_spec",
            3,
            Shape::Object(&object(&[
                field("config", 8, STR),
                field("file", 0, STR),
                field("registry", 0, STR),
            ])),
        ),
        field("depends_on", 0, UNIQUE_STRINGS),
        field("devices", 0, UNIQUE_STRINGS),
        field("dns", 0, STRING_OR_LIST),
        field("dns_search", 0, STRING_OR_LIST),
        field("domainname", 0, STR),
        field("entrypoint", 0, COMMAND),
        field("env_file", 0, STRING_OR_LIST),
        field("environment", 0, LIST_OR_DICT),
        field(
            "expose",
            0,
            Shape::List {
                item: &Shape::Scalar(&[Kind::Str, Kind::Num]),
                unique: true,
            },
        ),
        field("external_links", 0, UNIQUE_STRINGS),
        field("extra_hosts", 0, LIST_OR_DICT),
        field("healthcheck", 0, HEALTHCHECK),
        field("hostname", 0, STR),
        field("image", 0, STR),
        field("init", 7, BOOL),
        field("ipc", 0, STR),
        field("isolation", 5, STR),
        field("labels", 0, LIST_OR_DICT),
        field("links", 0, UNIQUE_STRINGS),
        field(
            "logging",
            0,
            Shape::Object(&object(&[
                field("driver", 0, STR),
                field(
                    "options",
                    0,
                    Shape::Names(&Names {
                        pattern: Pattern::NonEmpty,
                        value: &Shape::Scalar(&[Kind::Str, Kind::Num, Kind::Null]),
                        closed: false,
                    }),
                ),
            ])),
        ),
        field("mac_address", 0, STR),
        field("network_mode", 0, STR),
        field("networks", 0, SERVICE_NETWORKS),
        field("pid", 0, Shape::Scalar(&[Kind::Str, Kind::Null])),
        field(
            "ports",
            0,
            Shape::List {
                item: &PORT,
                unique: true,
            },
        ),
        field("privileged", 0, CAST_BOOL),
        field("read_only", 0, CAST_BOOL),
        field("restart", 0, STR),
        field("security_opt", 0, UNIQUE_STRINGS),
        field("shm_size", 0, Shape::Scalar(&[Kind::Num, Kind::Str])),
        field(
            "secrets",
            1,
            Shape::List {
                item: &FILE_REFERENCE,
                unique: false,
            },
        ),
        field("sysctls", 0, LIST_OR_DICT),
        field("stdin_open", 0, CAST_BOOL),
        field("stop_grace_period", 0, Shape::Duration),
        field("stop_signal", 0, STR),
        field("tmpfs", 0, STRING_OR_LIST),
        field("tty", 0, CAST_BOOL),
        field(
            "ulimits",
            0,
            Shape::Names(&Names {
                pattern: Pattern::Lower,
                value: &ULIMIT,
                closed: false,
            }),
        ),
        field("oom_score_adj", 13, CAST_INT),
        field("user", 0, STR),
        field("userns_mode", 0, STR),
        field(
            "volumes",
            0,
            Shape::List {
                item: &MOUNT,
                unique: false,
            },
        ),
        field("working_dir", 0, STR),
    ])
});

const NETWORK: Shape = Shape::Object(&Object {
    nullable: true,
    extensions_since: Some(7),
    ..object(&[
        field("name", 5, STR),
        field("driver", 0, STR),
        field("driver_opts", 0, DRIVER_OPTS),
        field(
            "ipam",
            0,
            Shape::Object(&object(&[
                field("driver", 0, STR),
                field(
                    "config",
                    0,
                    Shape::List {
                        item: &Shape::Object(&object(&[field("subnet", 0, STR)])),
                        unique: false,
                    },
                ),
            ])),
        ),
        field("external", 0, EXTERNAL),
        field("internal", 0, CAST_BOOL),
        field("attachable", 2, CAST_BOOL),
        field("labels", 0, LIST_OR_DICT),
    ])
});

const VOLUME: Shape = Shape::Object(&Object {
    nullable: true,
    extensions_since: Some(7),
    ..object(&[
        field("name", 4, STR),
        field("driver", 0, STR),
        field("driver_opts", 0, DRIVER_OPTS),
        field("external", 0, EXTERNAL),
        field("labels", 0, LIST_OR_DICT),
        field("x-cluster-spec", 10, Shape::Any),
    ])
});

const SECRET: Shape = Shape::Object(&Object {
    extensions_since: Some(7),
    ..object(&[
        field("name", 5, STR),
        field("file", 0, STR),
        field("external", 0, EXTERNAL_OPEN),
        field("labels", 0, LIST_OR_DICT),
        field("driver", 8, STR),
        field("driver_opts", 8, DRIVER_OPTS),
        field("template_driver", 8, STR),
    ])
});

const CONFIG: Shape = Shape::Object(&Object {
    extensions_since: Some(7),
    ..object(&[
        field("name", 5, STR),
        field("file", 0, STR),
        field("external", 0, EXTERNAL_OPEN),
        field("labels", 0, LIST_OR_DICT),
        field("template_driver", 8, STR),
    ])
});

const FILE: Object = Object {
    extensions_since: Some(4),
    ..object(&[
        field("version", 0, STR),
        field("services", 0, Shape::Names(&named(&SERVICE))),
        // Network keys outside the name pattern are not checked at all (no
        // `additionalProperties: false` there).
        field(
            "networks",
            0,
            Shape::Names(&Names {
                closed: false,
                ..named(&NETWORK)
            }),
        ),
        field("volumes", 0, Shape::Names(&named(&VOLUME))),
        field("secrets", 1, Shape::Names(&named(&SECRET))),
        field("configs", 3, Shape::Names(&named(&CONFIG))),
    ])
};

/// Keys checked elsewhere with a rule of their own: map-form `depends_on`, the
/// network-level `encrypted`, a boolean `driver_opts.encrypted`, and the service keys
/// docker refuses before validating ([`crate::compose::import`]'s rejected keys).
struct Skip<'a> {
    rejected: &'a [&'a str],
}

/// Every value `docker stack config` would refuse in `doc`, validated as file format
/// `3.<minor>` after interpolating with `vars`.
pub fn check(doc: &Node, minor: u8, vars: &Variables, rejected_keys: &[&str]) -> Vec<Problem> {
    let mut walk = Walk {
        minor,
        vars,
        skip: Skip {
            rejected: rejected_keys,
        },
        out: Vec::new(),
    };
    walk.object(doc, &FILE, &mut Path::root());
    walk.out
}

/// The dotted path of a value, as docker prints it (`services.api.ports.0.published`).
struct Path {
    parts: Vec<String>,
}

impl Path {
    fn root() -> Path {
        Path { parts: Vec::new() }
    }

    fn text(&self) -> String {
        if self.parts.is_empty() {
            "(root)".to_string()
        } else {
            self.parts.join(".")
        }
    }

    fn is(&self, pattern: &[&str]) -> bool {
        self.parts.len() == pattern.len()
            && self
                .parts
                .iter()
                .zip(pattern)
                .all(|(p, q)| *q == "*" || p == q)
    }
}

/// A string value after interpolation.
enum Text {
    /// The text docker sees.
    Known(String),
    /// Depends on a variable with no value here (what it becomes depends on where the
    /// stack is deployed, which the unset-variable finding says), or on a `$`
    /// expression already refused.
    Unknown,
    /// Not a string.
    Other,
}

struct Walk<'a> {
    minor: u8,
    vars: &'a Variables,
    skip: Skip<'a>,
    out: Vec<Problem>,
}

impl Walk<'_> {
    fn refuse(&mut self, path: &Path, at: Location, reason: Refusal) {
        self.out.push(Problem::Refused {
            path: path.text(),
            reason,
            at,
        });
    }

    fn value(&mut self, node: &Node, shape: &Shape, path: &mut Path) {
        match shape {
            Shape::Any => self.interpolations(node, path),
            Shape::Scalar(kinds) => {
                if !kinds.iter().any(|k| is_kind(&node.value, *k)) {
                    return self.wrong_type(node, path, kinds);
                }
                let _ = self.interpolated(node, path);
            }
            Shape::Cast(kind) => self.cast(node, *kind, path),
            Shape::Duration => match self.interpolated(node, path) {
                Text::Known(text) if is_duration(&text) => {}
                Text::Known(text) => self.refuse(path, node.at, Refusal::BadDuration { text }),
                Text::Unknown => {}
                Text::Other => self.wrong_type(node, path, &[Kind::Str]),
            },
            Shape::Size => match self.interpolated(node, path) {
                Text::Known(text) if is_size(&text) => {}
                Text::Known(text) => self.refuse(path, node.at, Refusal::BadSize { text }),
                Text::Unknown => {}
                Text::Other => self.wrong_type(node, path, &[Kind::Str]),
            },
            Shape::Enum(options) => match self.interpolated(node, path) {
                Text::Known(text) if options.contains(&text.as_str()) => {}
                Text::Known(text) => self.refuse(
                    path,
                    node.at,
                    Refusal::NotOneOf {
                        text,
                        options: options.join(", "),
                    },
                ),
                Text::Unknown => {}
                Text::Other => self.wrong_type(node, path, &[Kind::Str]),
            },
            Shape::PortSpec => {
                let text = match &node.value {
                    Value::Int(i) => Text::Known(i.to_string()),
                    Value::Float(f) => Text::Known(f.clone()),
                    Value::Str(_) => self.interpolated(node, path),
                    _ => Text::Other,
                };
                match text {
                    // Import reads the same syntax and says what is wrong with it.
                    Text::Known(text) if ports::parse_short(&text).is_ok() => {}
                    Text::Known(text) => self.refuse(path, node.at, Refusal::BadPort { text }),
                    Text::Unknown => {}
                    Text::Other => self.wrong_type(node, path, &[Kind::Str, Kind::Num]),
                }
            }
            Shape::List { item, unique } => {
                let Value::Seq(items) = &node.value else {
                    return self.wrong_type_named(node, path, "a list");
                };
                for (i, entry) in items.iter().enumerate() {
                    path.parts.push(i.to_string());
                    self.value(entry, item, path);
                    path.parts.pop();
                }
                if *unique {
                    self.unique(node, items, path);
                }
            }
            Shape::Object(object) => {
                if node.is_null() && object.nullable {
                    return;
                }
                self.object(node, object, path);
            }
            Shape::Names(names) => self.names(node, names, path),
            Shape::Either(options) => self.either(node, options, path),
        }
    }

    fn object(&mut self, node: &Node, object: &Object, path: &mut Path) {
        let Value::Map(entries) = &node.value else {
            return self.wrong_type_named(node, path, "a mapping");
        };
        for (k, v) in entries.iter() {
            let Some(key) = k.scalar_text() else { continue };
            let known = object.fields.iter().find(|f| f.key == key);
            match known {
                Some(f) if f.since <= self.minor => {
                    if self.skipped(path, &key, v) {
                        continue;
                    }
                    path.parts.push(key);
                    self.value(v, &f.shape, path);
                    path.parts.pop();
                }
                _ if key.starts_with("x-")
                    && object.extensions_since.is_some_and(|m| m <= self.minor) =>
                {
                    path.parts.push(key);
                    self.interpolations(v, path);
                    path.parts.pop();
                }
                _ => {
                    if self.skipped(path, &key, v) {
                        continue;
                    }
                    let open = object.closed_since.is_none_or(|m| m > self.minor);
                    if open {
                        path.parts.push(key);
                        self.interpolations(v, path);
                        path.parts.pop();
                        continue;
                    }
                    let since = match known {
                        Some(f) => Some(f.since),
                        None if key.starts_with("x-") => object.extensions_since,
                        None => None,
                    };
                    self.refuse(
                        path,
                        k.at,
                        Refusal::UnknownKey {
                            key,
                            since: since.map(|m| format!("3.{m}")),
                        },
                    );
                }
            }
        }
        for required in object.required {
            if !entries.iter().any(|(k, _)| k.as_str() == Some(*required)) {
                self.refuse(
                    path,
                    node.at,
                    Refusal::Missing {
                        key: (*required).to_string(),
                    },
                );
            }
        }
    }

    /// Whether a key has a rule of its own (see [`Skip`]).
    fn skipped(&self, path: &Path, key: &str, value: &Node) -> bool {
        (path.is(&["services", "*"])
            && (self.skip.rejected.contains(&key)
                || (key == "depends_on" && value.as_map().is_some())))
            || (path.is(&["networks", "*"]) && key == "encrypted")
            || (path.is(&["networks", "*", "driver_opts"])
                && key == "encrypted"
                && matches!(value.value, Value::Bool(_)))
    }

    fn names(&mut self, node: &Node, names: &Names, path: &mut Path) {
        let Value::Map(entries) = &node.value else {
            return self.wrong_type_named(node, path, "a mapping");
        };
        for (k, v) in entries.iter() {
            let key = k.scalar_text().unwrap_or_default();
            if self.skipped(path, &key, v) {
                continue;
            }
            if !names.pattern.matches(&key) {
                if names.closed {
                    let reason = if names.pattern == Pattern::Name {
                        Refusal::BadName { name: key }
                    } else {
                        Refusal::UnknownKey { key, since: None }
                    };
                    self.refuse(path, k.at, reason);
                } else {
                    path.parts.push(key);
                    self.interpolations(v, path);
                    path.parts.pop();
                }
                continue;
            }
            path.parts.push(key);
            self.value(v, names.value, path);
            path.parts.pop();
        }
    }

    fn either(&mut self, node: &Node, options: &[(u8, Shape)], path: &mut Path) {
        let available = || options.iter().filter(|(m, _)| *m <= self.minor);
        // The alternative of the node's own type says what is wrong inside it.
        let chosen = available().find(|(_, s)| fits(node, s));
        match chosen {
            Some((_, shape)) => self.value(node, shape, path),
            None => {
                let expected: Vec<&str> = available().map(|(_, s)| describe(s)).collect();
                let expected = join_or(&expected);
                self.refuse(
                    path,
                    node.at,
                    Refusal::WrongType {
                        expected,
                        found: node.type_name().to_string(),
                    },
                );
            }
        }
    }

    fn cast(&mut self, node: &Node, kind: Kind, path: &mut Path) {
        if is_kind(&node.value, kind) {
            return;
        }
        if let Value::Str(raw) = &node.value {
            if raw.contains('$') {
                if let Text::Known(text) = self.interpolated(node, path) {
                    if text == *raw {
                        return self.wrong_type(node, path, &[kind]);
                    }
                    if !casts(&text, kind) {
                        self.refuse(path, node.at, Refusal::BadCast { text });
                    }
                }
                return;
            }
        }
        self.wrong_type(node, path, &[kind]);
    }

    fn unique(&mut self, node: &Node, items: &[Node], path: &Path) {
        for (i, a) in items.iter().enumerate() {
            if let Some(j) = items.iter().skip(i + 1).position(|b| same(a, b)) {
                self.refuse(
                    path,
                    node.at,
                    Refusal::Repeated {
                        first: i,
                        second: i + 1 + j,
                    },
                );
                return;
            }
        }
    }

    /// The value as interpolated text. A `$` expression docker cannot read is refused
    /// here.
    fn interpolated(&mut self, node: &Node, path: &Path) -> Text {
        let Value::Str(raw) = &node.value else {
            return Text::Other;
        };
        if !raw.contains('$') {
            return Text::Known(raw.clone());
        }
        match interpolate(raw, self.vars) {
            Ok(done) if !done.unset.is_empty() => Text::Unknown,
            Ok(done) => Text::Known(done.value),
            Err(e) => {
                self.refuse(
                    path,
                    node.at,
                    Refusal::Interpolation {
                        text: raw.clone(),
                        reason: e.reason.to_string(),
                    },
                );
                Text::Unknown
            }
        }
    }

    /// Checks the `$` expressions of every string under `node`, whose shape is free.
    fn interpolations(&mut self, node: &Node, path: &mut Path) {
        match &node.value {
            Value::Str(s) if s.contains('$') => {
                let _ = self.interpolated(node, path);
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.parts.push(i.to_string());
                    self.interpolations(item, path);
                    path.parts.pop();
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries.iter() {
                    path.parts.push(k.scalar_text().unwrap_or_default());
                    self.interpolations(v, path);
                    path.parts.pop();
                }
            }
            _ => {}
        }
    }

    fn wrong_type(&mut self, node: &Node, path: &Path, kinds: &[Kind]) {
        let names: Vec<&str> = kinds.iter().map(|k| kind_name(*k)).collect();
        self.wrong_type_named(node, path, &join_or(&names));
    }

    fn wrong_type_named(&mut self, node: &Node, path: &Path, expected: &str) {
        self.refuse(
            path,
            node.at,
            Refusal::WrongType {
                expected: expected.to_string(),
                found: node.type_name().to_string(),
            },
        );
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "a string",
        Kind::Int => "an integer",
        Kind::Num => "a number",
        Kind::Bool => "a boolean",
        Kind::Null => "null",
    }
}

/// "a string, a number or null".
fn join_or(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn describe(shape: &Shape) -> &'static str {
    match shape {
        Shape::Scalar([Kind::Str]) | Shape::Duration | Shape::Size | Shape::Enum(_) => "a string",
        Shape::Scalar(_) | Shape::Cast(_) | Shape::PortSpec => "a single value",
        Shape::List { .. } => "a list",
        Shape::Object(_) | Shape::Names(_) => "a mapping",
        Shape::Either(_) | Shape::Any => "a value",
    }
}

/// Whether the node has the general type (scalar, list, mapping) a shape takes.
fn fits(node: &Node, shape: &Shape) -> bool {
    match (&node.value, shape) {
        (_, Shape::Any) => true,
        (Value::Seq(_), Shape::List { .. }) => true,
        (Value::Map(_), Shape::Object(_) | Shape::Names(_)) => true,
        (Value::Null, Shape::Object(o)) => o.nullable,
        (Value::Null, Shape::Scalar(kinds)) => kinds.contains(&Kind::Null),
        (Value::Str(_), Shape::Cast(_)) => true,
        (v, Shape::Scalar(kinds)) => kinds.iter().any(|k| is_kind(v, *k)),
        (v, Shape::Cast(kind)) => is_kind(v, *kind),
        (Value::Str(_), Shape::Duration | Shape::Size | Shape::Enum(_)) => true,
        (Value::Str(_) | Value::Int(_) | Value::Float(_), Shape::PortSpec) => true,
        (_, Shape::Either(options)) => options.iter().any(|(_, s)| fits(node, s)),
        _ => false,
    }
}

fn is_kind(value: &Value, kind: Kind) -> bool {
    match (value, kind) {
        (Value::Str(_), Kind::Str) | (Value::Bool(_), Kind::Bool) | (Value::Null, Kind::Null) => {
            true
        }
        (Value::Int(_), Kind::Int | Kind::Num) => true,
        (Value::Float(_), Kind::Num) => true,
        // JSON schema counts 1.0 as an integer.
        (Value::Float(f), Kind::Int) => f
            .parse::<f64>()
            .is_ok_and(|x| x.is_finite() && x.fract() == 0.0),
        _ => false,
    }
}

/// Whether docker's loader can cast an interpolated text to the type.
fn casts(text: &str, kind: Kind) -> bool {
    match kind {
        Kind::Int => text.parse::<i64>().is_ok(),
        Kind::Num => text.parse::<f64>().is_ok(),
        Kind::Bool => matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "yes" | "true" | "on" | "n" | "no" | "false" | "off"
        ),
        Kind::Str | Kind::Null => true,
    }
}

/// Go's `time.ParseDuration`: `0`, or numbers each with a unit (`1h30m`, `1.5s`).
pub fn is_duration(text: &str) -> bool {
    let rest = text.strip_prefix(['-', '+']).unwrap_or(text);
    if rest == "0" {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    let mut rest = rest;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// docker's size syntax (go-units `RAMInBytes`): a number and an optional unit
/// `b`, `k`, `m`, `g`, `t`, `p` (any case, with an optional `i` and `b`).
pub fn is_size(text: &str) -> bool {
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return false;
    }
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    matches!(unit, "" | "k" | "m" | "g" | "t" | "p")
}

/// Whether two nodes hold the same value, wherever they are written.
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| same(k, k2) && same(v, v2)))
        }
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Limits};

    fn refusals(text: &str) -> Vec<(String, Refusal)> {
        let doc = parse(text, Limits::default()).unwrap_or_else(|_| Node::map());
        let version = doc.get("version").and_then(Node::scalar_text);
        let minor = minor_version(version.as_deref()).unwrap_or(LATEST_MINOR);
        check(&doc, minor, &Variables::new(), &["mem_limit"])
            .into_iter()
            .filter_map(|p| match p {
                Problem::Refused { path, reason, .. } => Some((path, reason)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn versions_docker_has_a_schema_for() {
        assert_eq!(minor_version(None), Some(13));
        assert_eq!(minor_version(Some("3")), Some(13));
        assert_eq!(minor_version(Some("3.8")), Some(8));
        assert_eq!(minor_version(Some("3.10")), Some(10));
        assert_eq!(minor_version(Some("3.14")), None);
        assert_eq!(minor_version(Some("3.08")), None);
        assert_eq!(minor_version(Some("2.4")), None);
        assert_eq!(minor_version(Some("3.7.1")), None);
    }

    #[test]
    fn unknown_keys_say_the_version_that_has_them() {
        let r = refusals("version: '3.6'\nservices:\n  a:\n    image: x\n    init: true\n    pids_limit: 5\n    mem_limit: 1g\n");
        assert_eq!(
            r,
            vec![
                (
                    "services.a".to_string(),
                    Refusal::UnknownKey {
                        key: "init".into(),
                        since: Some("3.7".into())
                    }
                ),
                (
                    "services.a".to_string(),
                    Refusal::UnknownKey {
                        key: "pids_limit".into(),
                        since: None
                    }
                ),
            ]
        );
    }

    #[test]
    fn types_follow_the_format_and_interpolation_casts() {
        let r = refusals("services:\n  a:\n    image: x\n    ports:\n      - {target: 80, published: '8080'}\n      - {target: 81, published: '${P:-8081}'}\n    init: '${I:-true}'\n    environment: {A: true, B: 1, C: ~}\n    deploy: {resources: {limits: {cpus: 0.5, memory: 1gb}}, replicas: 1.0}\n    healthcheck: {interval: '10'}\n");
        let paths: Vec<&str> = r.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "services.a.ports.0.published",
                "services.a.init",
                "services.a.environment.A",
                "services.a.deploy.resources.limits.cpus",
                "services.a.healthcheck.interval",
            ],
            "{r:?}"
        );
    }

    #[test]
    fn names_extensions_and_repeats() {
        let r = refusals("version: '3.3'\nx-a: 1\nservices:\n  'a b':\n    image: x\n  c:\n    image: x\n    cap_add: [A, A]\nnetworks:\n  'x y': {}\n");
        assert_eq!(
            r,
            vec![
                (
                    "(root)".to_string(),
                    Refusal::UnknownKey {
                        key: "x-a".into(),
                        since: Some("3.4".into())
                    }
                ),
                (
                    "services".to_string(),
                    Refusal::BadName { name: "a b".into() }
                ),
                (
                    "services.c.cap_add".to_string(),
                    Refusal::Repeated {
                        first: 0,
                        second: 1
                    }
                ),
            ]
        );
    }

    #[test]
    fn durations_and_sizes() {
        for ok in ["0", "10s", "1m30s", "1.5h", "300ms", "-2s"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "10", "s", "1x", "1..5s"] {
            assert!(!is_duration(bad), "{bad}");
        }
        for ok in ["512M", "1g", "1gb", "1GiB", "100", "1.5g", "2 k"] {
            assert!(is_size(ok), "{ok}");
        }
        for bad in ["", "g", "1x", "1 gigabyte"] {
            assert!(!is_size(bad), "{bad}");
        }
    }
}
