//! The Export panel: every file `tiermap export` writes, for the design on the page and
//! the deployment options typed here. The page and the command line read the options
//! with the same core function (`DeploymentText::parse`) and generate with the same
//! one (`artifacts::generate`), so a download is byte for byte what the CLI writes.
//!
//! The panel keeps its own state (the artifact and the options as typed, saved in the
//! browser). The preview is a memo over the design, its analysis, the options and the
//! artifact, computed only while the panel is open, so a drag pays for it only then.

use std::collections::BTreeMap;

use leptos::prelude::*;
use tiermap_core::artifacts::{
    self, Artifact, Deployment, DeploymentText, Field, FieldError, NodeRole, Output, TraefikVersion,
};
use tiermap_core::field;
use tiermap_core::port_range;

use crate::browser;
use crate::studio::Studio;

/// What the preview shows.
#[derive(Debug, Clone, PartialEq)]
enum Preview {
    /// The file, with its name, type and warnings.
    File(Output),
    /// The options that must be fixed first (their reasons are beside them).
    FixOptions(Vec<String>),
    /// Why the file cannot be made: the message the command line prints.
    Refused(String),
}

/// Consecutive published ports with the services that publish them: one field of
/// allowed sources.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Span {
    first: u16,
    last: u16,
    services: String,
}

/// The panel's own state: the artifact and every option as typed.
#[derive(Clone, Copy)]
struct Choices {
    artifact: RwSignal<Artifact>,
    stack: RwSignal<String>,
    role: RwSignal<String>,
    peers: RwSignal<String>,
    admin: RwSignal<String>,
    tag: RwSignal<String>,
    allowed: RwSignal<BTreeMap<u16, String>>,
    traefik: RwSignal<String>,
    probe_image: RwSignal<String>,
}

impl Choices {
    /// The choices saved in this browser, or the defaults.
    fn restored() -> Choices {
        let mut artifact = Artifact::Stack;
        let mut text = DeploymentText {
            role: NodeRole::default().as_str().into(),
            traefik: TraefikVersion::default().as_str().into(),
            ..DeploymentText::default()
        };
        let mut stack = String::new();
        for line in browser::load_export_options().unwrap_or_default().lines() {
            let Some((key, value)) = line.split_once('\t') else {
                continue;
            };
            let value = value.to_string();
            match key {
                "to" => artifact = Artifact::from_slug(&value).unwrap_or(artifact),
                "stack" => stack = value,
                "role" => text.role = value,
                "peers" => text.peers = value,
                "admin" => text.admin = value,
                "tag" => text.tag = value,
                "traefik" => text.traefik = value,
                "probe-image" => text.probe_image = value,
                _ => {
                    // `allow PORT` or `allow FIRST-LAST` (a range, saved as one line).
                    let ports = key.strip_prefix("allow ").map(field::port_span);
                    if let Some(Ok((first, last))) = ports {
                        for port in first..=last {
                            text.allowed.insert(port, value.clone());
                        }
                    }
                }
            }
        }
        Choices {
            artifact: RwSignal::new(artifact),
            stack: RwSignal::new(stack),
            role: RwSignal::new(text.role),
            peers: RwSignal::new(text.peers),
            admin: RwSignal::new(text.admin),
            tag: RwSignal::new(text.tag),
            allowed: RwSignal::new(text.allowed),
            traefik: RwSignal::new(text.traefik),
            probe_image: RwSignal::new(text.probe_image),
        }
    }

    /// The choices as saved: one `key<TAB>value` line each (a field holds one line).
    fn saved(&self) -> String {
        let mut lines = vec![
            ("to".to_string(), self.artifact.get().slug().to_string()),
            ("stack".into(), self.stack.get()),
            ("role".into(), self.role.get()),
            ("peers".into(), self.peers.get()),
            ("admin".into(), self.admin.get()),
            ("tag".into(), self.tag.get()),
            ("traefik".into(), self.traefik.get()),
            ("probe-image".into(), self.probe_image.get()),
        ];
        // Consecutive ports with the same sources (a range's field) as one line.
        self.allowed.with(|allowed| {
            let set: Vec<(u16, &String)> = allowed
                .iter()
                .filter(|(_, s)| !s.is_empty())
                .map(|(&port, sources)| (port, sources))
                .collect();
            for (first, last, sources) in port_range::number_runs(&set) {
                let key = format!("allow {}", port_range::span(first, last, "-"));
                lines.push((key, (*sources).clone()));
            }
        });
        lines
            .into_iter()
            .map(|(key, value)| format!("{key}\t{}\n", value.replace(['\t', '\n'], " ")))
            .collect()
    }

    /// The options as core reads them; sources only for the ports the design
    /// publishes, as the fields shown.
    fn text(&self, ports: &[Span]) -> DeploymentText {
        DeploymentText {
            role: self.role.get(),
            peers: self.peers.get(),
            admin: self.admin.get(),
            tag: self.tag.get(),
            allowed: self.allowed.with(|allowed| {
                ports
                    .iter()
                    .flat_map(|span| span.first..=span.last)
                    .filter_map(|port| Some((port, allowed.get(&port)?.clone())))
                    .collect()
            }),
            traefik: self.traefik.get(),
            probe_image: self.probe_image.get(),
        }
    }
}

/// A field's label, as the page shows it and the browser tests find it.
fn label(field: Field) -> String {
    match field {
        Field::Role => "Node role".into(),
        Field::Peers => "Peer CIDRs".into(),
        Field::Admin => "Admin CIDRs".into(),
        Field::Tag => "Cloud tag".into(),
        Field::Allowed(port) => format!("Allowed sources for port {port}"),
        Field::Traefik => "Traefik version".into(),
        Field::ProbeImage => "Probe image".into(),
    }
}

/// The Export panel (closed until opened: the preview is generated only while open).
#[component]
pub fn Export() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let open = RwSignal::new(false);
    let choices = Choices::restored();
    Effect::new(move |_| browser::save_export_options(&choices.saved()));
    // The ports the design publishes, each with the services that publish it, as
    // spans of consecutive ports published by the same services (a range is one field);
    // none while the panel is closed, so an edit then costs the panel nothing.
    let ports = Memo::new(move |_| {
        let mut ports: BTreeMap<u16, String> = BTreeMap::new();
        if !open.get() {
            return Vec::new();
        }
        studio.history.with(|h| {
            for service in &h.current().model().services {
                for port in service.ports.iter().filter_map(|p| p.published) {
                    let services = ports.entry(port).or_default();
                    if !services.split(", ").any(|s| s == service.name) {
                        if !services.is_empty() {
                            services.push_str(", ");
                        }
                        services.push_str(&service.name);
                    }
                }
            }
        });
        let ports: Vec<(u16, String)> = ports.into_iter().collect();
        port_range::number_runs(&ports)
            .into_iter()
            .map(|(first, last, services)| Span {
                first,
                last,
                services: services.clone(),
            })
            .collect()
    });
    let parsed: Memo<Result<Deployment, Vec<FieldError>>> =
        Memo::new(move |_| ports.with(|ports| choices.text(ports)).parse());
    let preview = Memo::new(move |_| {
        if !open.get() {
            return None;
        }
        let artifact = choices.artifact.get();
        let deployment = match parsed.get() {
            Ok(deployment) => deployment,
            Err(errors) => {
                return Some(Preview::FixOptions(
                    errors.iter().map(|e| label(e.field)).collect(),
                ))
            }
        };
        let stack = choices.stack.get();
        let generated = studio.history.with(|h| {
            let design = h.current();
            if stack.is_empty() || stack == design.model().stack {
                let analysis = studio.analysis.read();
                return artifacts::generate(artifact, design, &analysis, &deployment)
                    .map_err(|e| e.to_string());
            }
            // As `tiermap export --stack NAME` reads the stack file.
            let renamed = design.with_stack(&stack).map_err(|e| e.to_string())?;
            artifacts::generate(artifact, &renamed, &renamed.analyze(), &deployment)
                .map_err(|e| e.to_string())
        });
        Some(match generated {
            Ok(output) => Preview::File(output),
            Err(message) => Preview::Refused(message),
        })
    });
    let reason = move |field: Field| -> Signal<Option<String>> {
        Memo::new(move |_| {
            parsed.with(|p| {
                let errors = p.as_ref().err()?;
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(ToString::to_string)
            })
        })
        .into()
    };
    let unused = move |field: Field| -> Signal<bool> {
        Signal::derive(move || !choices.artifact.get().reads(field))
    };
    let design_stack =
        Memo::new(move |_| studio.history.with(|h| h.current().model().stack.clone()));
    view! {
        <section class="export card-panel" role="region" aria-label="Export">
            <h2>
                <button
                    class="disclosure"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "Export"
                </button>
            </h2>
            <p class="muted">
                "The files that make the swarm match the design: firewalls, proxy configuration, a script that verifies the reachability. Byte for byte what "
                <code>"tiermap export"</code>
                " writes."
            </p>
            <div class="export-body" hidden=move || !open.get()>
                <div class="export-choose">
                    <label for="export-artifact">"Artifact"</label>
                    <select
                        id="export-artifact"
                        on:change:target=move |ev| {
                            if let Some(a) = Artifact::from_slug(&ev.target().value()) {
                                choices.artifact.set(a);
                            }
                        }
                    >
                        {Artifact::ALL
                            .into_iter()
                            .map(|a| {
                                view! {
                                    <option value=a.slug() selected=move || choices.artifact.get() == a>
                                        {a.title()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <p class="about">{move || choices.artifact.get().about()}</p>
                </div>
                <div class="export-grid">
                    <fieldset class="export-options">
                        <legend>"Deployment options"</legend>
                        <TextField
                            id="export-stack"
                            label="Stack name".to_string()
                            hint="As in docker stack deploy … NAME; empty: the design's own name (shown)."
                            placeholder=design_stack.into()
                            value=choices.stack
                            reason=Signal::derive(move || {
                                let stack = choices.stack.get();
                                if stack.is_empty() {
                                    return None;
                                }
                                tiermap_core::names::validate(&stack).err().map(|e| e.to_string())
                            })
                            unused=Signal::derive(|| false)
                        />
                        <Choice
                            id="export-role"
                            label=label(Field::Role)
                            hint="Host firewalls and Hetzner rules are for one role; managers also open 2377/tcp."
                            options=NodeRole::ALL.map(NodeRole::as_str).to_vec()
                            value=choices.role
                            unused=unused(Field::Role)
                        />
                        <TextField
                            id="export-peers"
                            label=label(Field::Peers)
                            hint="The swarm nodes' addresses or ranges, separated by commas or spaces; empty: the private ranges."
                            placeholder=Signal::stored("10.0.0.0/24, 10.0.1.0/24".to_string())
                            value=choices.peers
                            reason=reason(Field::Peers)
                            unused=unused(Field::Peers)
                        />
                        <TextField
                            id="export-admin"
                            label=label(Field::Admin)
                            hint="Who may open SSH (port 22); empty: anywhere."
                            placeholder=Signal::stored("203.0.113.0/24".to_string())
                            value=choices.admin
                            reason=reason(Field::Admin)
                            unused=unused(Field::Admin)
                        />
                        <TextField
                            id="export-tag"
                            label=label(Field::Tag)
                            hint="The cloud tag on every swarm node; managers also carry TAG-manager."
                            placeholder=Signal::stored("swarm".to_string())
                            value=choices.tag
                            reason=reason(Field::Tag)
                            unused=unused(Field::Tag)
                        />
                        <fieldset class="allowed" class:unused=move || unused(Field::Allowed(0)).get()>
                            <legend>"Allowed sources per published port"</legend>
                            <p class="hint" hidden=move || ports.with(|p| !p.is_empty())>
                                "The design publishes no port."
                            </p>
                            <For each=move || ports.get() key=Span::clone let:span>
                                <AllowedField
                                    first=span.first
                                    last=span.last
                                    services=span.services
                                    allowed=choices.allowed
                                    reason=reason(Field::Allowed(span.first))
                                />
                            </For>
                        </fieldset>
                        <Choice
                            id="export-traefik"
                            label=label(Field::Traefik)
                            hint="v3 reads providers.swarm labels, v2 providers.docker with swarmMode."
                            options=TraefikVersion::ALL.map(TraefikVersion::as_str).to_vec()
                            value=choices.traefik
                            unused=unused(Field::Traefik)
                        />
                        <TextField
                            id="export-probe"
                            label=label(Field::ProbeImage)
                            hint="The image the verification script's probe tasks run; it needs nc and nslookup."
                            placeholder=Signal::stored("busybox:1.36".to_string())
                            value=choices.probe_image
                            reason=reason(Field::ProbeImage)
                            unused=unused(Field::ProbeImage)
                        />
                    </fieldset>
                    <PreviewPane preview=preview.into()/>
                </div>
            </div>
        </section>
    }
}

/// A text field with its hint, and the reason its text cannot be read.
#[component]
fn TextField(
    id: &'static str,
    label: String,
    hint: &'static str,
    placeholder: Signal<String>,
    value: RwSignal<String>,
    reason: Signal<Option<String>>,
    unused: Signal<bool>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let reason_id = format!("{id}-reason");
    view! {
        <div class="export-field" class:unused=move || unused.get()>
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                spellcheck="false"
                autocomplete="off"
                placeholder=move || placeholder.get()
                aria-describedby=format!("{hint_id} {reason_id}")
                aria-invalid=move || reason.with(Option::is_some).to_string()
                bind:value=value
            />
            <p class="reason error" id=reason_id.clone() hidden=move || reason.with(Option::is_none)>
                {move || reason.get()}
            </p>
            <p class="hint" id=hint_id.clone()>{hint}</p>
            <p class="hint" hidden=move || !unused.get()>"Not read by this artifact."</p>
        </div>
    }
}

/// A choice among core's names for an option.
#[component]
fn Choice(
    id: &'static str,
    label: String,
    hint: &'static str,
    options: Vec<&'static str>,
    value: RwSignal<String>,
    unused: Signal<bool>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="export-field" class:unused=move || unused.get()>
            <label for=id>{label}</label>
            <select
                id=id
                aria-describedby=hint_id.clone()
                on:change:target=move |ev| value.set(ev.target().value())
            >
                {options
                    .into_iter()
                    .map(|option| {
                        view! {
                            <option value=option selected=move || value.with(|v| v == option)>
                                {option}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="hint" id=hint_id>{hint}</p>
            <p class="hint" hidden=move || !unused.get()>"Not read by this artifact."</p>
        </div>
    }
}

/// The sources allowed to one published port, or to each port of a range.
#[component]
fn AllowedField(
    first: u16,
    last: u16,
    services: String,
    allowed: RwSignal<BTreeMap<u16, String>>,
    reason: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("export-allow-{first}");
    let hint_id = format!("{id}-hint");
    let reason_id = format!("{id}-reason");
    let label = if first == last {
        label(Field::Allowed(first))
    } else {
        format!("Allowed sources for ports {first}-{last}")
    };
    // The field is the only writer of its entries, so it reads them once.
    let initial = allowed.with_untracked(|a| a.get(&first).cloned().unwrap_or_default());
    view! {
        <div class="export-field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type="text"
                spellcheck="false"
                autocomplete="off"
                placeholder="anywhere"
                aria-describedby=format!("{hint_id} {reason_id}")
                aria-invalid=move || reason.with(Option::is_some).to_string()
                prop:value=initial
                on:input:target=move |ev| {
                    let text = ev.target().value();
                    allowed.update(|a| {
                        for port in first..=last {
                            a.insert(port, text.clone());
                        }
                    });
                }
            />
            <p class="reason error" id=reason_id.clone() hidden=move || reason.with(Option::is_none)>
                {move || reason.get()}
            </p>
            <p class="hint" id=hint_id>"Published by " {services} "; empty: anywhere."</p>
        </div>
    }
}

/// The file as it will be downloaded, its warnings, and the download and copy buttons.
#[component]
fn PreviewPane(preview: Signal<Option<Preview>>) -> impl IntoView {
    let status = RwSignal::new(None::<String>);
    let file = Memo::new(move |_| match preview.get() {
        Some(Preview::File(output)) => Some(output),
        _ => None,
    });
    // The preview's text is written just after the frame that shows an edit: laying
    // out a long file takes milliseconds that a drag should not wait for.
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        let next = file.with(|f| f.as_ref().map(|o| o.text.clone()).unwrap_or_default());
        request_animation_frame(move || {
            set_timeout(move || text.set(next), std::time::Duration::ZERO);
        });
    });
    let warnings = Memo::new(move |_| {
        file.with(|f| f.as_ref().map(|o| o.warnings.clone()).unwrap_or_default())
    });
    let problem = move || {
        preview.with(|p| match p {
            Some(Preview::FixOptions(fields)) => {
                Some(("Fix the options first:", format!("{}.", fields.join(", "))))
            }
            Some(Preview::Refused(message)) => Some(("Cannot export:", message.clone())),
            _ => None,
        })
    };
    let download = move |_| {
        file.with_untracked(|f| {
            if let Some(o) = f {
                browser::download(&o.file_name, o.mime, &o.text);
            }
        });
    };
    let copy = move |_| {
        let Some((name, text)) =
            file.with_untracked(|f| f.as_ref().map(|o| (o.file_name.clone(), o.text.clone())))
        else {
            return;
        };
        browser::copy(text, move |copied| {
            status.set(Some(if copied {
                format!("Copied {name}.")
            } else {
                "The browser did not allow copying; download the file instead.".to_string()
            }));
        });
    };
    view! {
        <div class="export-preview">
            <p class="file-name">
                {move || {
                    file.with(|f| match f {
                        Some(o) => format!("{} · {} lines", o.file_name, o.text.lines().count()),
                        None => "No file".to_string(),
                    })
                }}
            </p>
            <p class="error" role="alert" hidden=move || problem().is_none()>
                <strong>{move || problem().map(|p| p.0)}</strong>
                " "
                <span class="export-error">{move || problem().map(|p| p.1)}</span>
            </p>
            <ul class="warnings" aria-label="Warnings" hidden=move || warnings.with(Vec::is_empty)>
                <For each=move || warnings.get() key=|w| w.clone() let:warning>
                    <li>{warning}</li>
                </For>
            </ul>
            <textarea
                class="artifact"
                readonly
                aria-label="Artifact preview"
                placeholder="The file shows here."
                rows="22"
                wrap="off"
                spellcheck="false"
                prop:value=text
            ></textarea>
            <div class="row">
                <button
                    class="primary"
                    disabled=move || file.with(Option::is_none)
                    on:click=download
                >
                    "Download artifact"
                </button>
                <button disabled=move || file.with(Option::is_none) on:click=copy>
                    "Copy artifact"
                </button>
                <span class="muted" role="status">{move || status.get()}</span>
            </div>
        </div>
    }
}
