//! Presentation mode for the review meeting: the diagram fills the screen with the
//! surface figures in large type, the editing chrome is hidden, and the open findings
//! are stepped through one by one, each selecting (and so highlighting) its subject.

use leptos::either::Either;
use leptos::prelude::*;

use crate::studio::Studio;

/// The finding shown while presenting.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    /// 1-based position among the open findings.
    at: usize,
    of: usize,
    severity: &'static str,
    message: String,
}

/// The presentation bar (hidden unless presenting).
#[component]
pub fn PresentBar() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let presenting = studio.presenting;
    // Nothing here is worked out while the page is not presenting.
    let count = Memo::new(move |_| {
        if presenting.get() {
            studio.analysis.with(|a| a.surface.port_count())
        } else {
            0
        }
    });
    let summary = Memo::new(move |_| {
        if !presenting.get() {
            return None;
        }
        studio
            .changes
            .with(|c| c.as_ref().map(|c| c.surface.summary()))
    });
    let step = Memo::new(move |_| {
        if !presenting.get() {
            return None;
        }
        let at = studio.step.get();
        studio.analysis.with(|a| {
            let open: Vec<_> = a.open_findings().collect();
            open.get(at).map(|f| Step {
                at: at + 1,
                of: open.len(),
                severity: f.severity.as_str(),
                message: f.message.clone(),
            })
        })
    });
    let step_view = move || match step.get() {
        Some(s) => Either::Left(view! {
            <p>
                <span class="muted">{format!("Finding {} of {}", s.at, s.of)}</span>
                " "
                <span class=format!("badge {}", s.severity)>{s.severity}</span>
                " "
                {s.message}
            </p>
        }),
        None => Either::Right(view! { <p>"No open findings."</p> }),
    };
    view! {
        <section class="present-bar" role="region" aria-label="Presentation" hidden=move || !presenting.get()>
            <div class="figures">
                <p>
                    <strong>{count}</strong>
                    {move || if count.get() == 1 { " exposed port" } else { " exposed ports" }}
                </p>
                {move || summary.get().map(|s| view! { <p>"Since the baseline: " {s}</p> })}
            </div>
            <div class="step">{step_view}</div>
            <div class="row">
                <button aria-label="Previous finding" on:click=move |_| studio.step_finding(-1)>
                    "←"
                </button>
                <button aria-label="Next finding" on:click=move |_| studio.step_finding(1)>
                    "→"
                </button>
                <button on:click=move |_| studio.present(false)>"Exit presentation"</button>
            </div>
        </section>
    }
}
