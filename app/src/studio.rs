//! The page's state and the user's intents: which design is open (with its undo
//! history), what is selected, and what went wrong last. Every rule is in core; this
//! only decides which core call an action makes and what to tell the person.

use leptos::prelude::*;
use tiermap_core::baseline::{self, Changes};
use tiermap_core::design::EditError;
use tiermap_core::diagram::{self, Drawing, Layout, Options, Style};
use tiermap_core::history::History;
use tiermap_core::model::Model;
use tiermap_core::share::Shared;
use tiermap_core::templates::Template;
use tiermap_core::{Analysis, Design, ImportOptions};

use crate::{browser, share_link};

/// How many steps Undo can go back.
const UNDO_LIMIT: usize = 200;

/// What the side panel edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selection {
    /// A service card.
    Service(String),
    /// A tier box.
    Tier(String),
}

/// A message for the person, shown above the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// True for problems, false for confirmations.
    pub error: bool,
    /// What happened and what to do.
    pub text: String,
}

impl Notice {
    /// A problem and what to do about it.
    pub fn error(text: impl Into<String>) -> Option<Notice> {
        Some(Notice {
            error: true,
            text: text.into(),
        })
    }

    /// A confirmation.
    pub fn ok(text: impl Into<String>) -> Option<Notice> {
        Some(Notice {
            error: false,
            text: text.into(),
        })
    }
}

/// An import that failed: its text is kept so nothing the person typed is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedImport {
    /// Where the text came from (a file name, "pasted text").
    pub source: String,
    /// The text as given.
    pub text: String,
    /// The error, with line and column when known.
    pub message: String,
}

/// The page's state, as signals shared through context.
#[derive(Clone, Copy)]
pub struct Studio {
    /// The open design and its undo history. Notified only when the design changes: a
    /// refused edit, or an undo with nothing to undo, wakes nothing.
    pub history: RwSignal<History<Design>>,
    /// The analysis of the open design; views that read it run again only when it differs.
    pub analysis: Memo<Analysis>,
    /// The tier keys, in the file's order: boxes, menus and choosers follow it.
    pub tier_keys: Memo<Vec<String>>,
    /// The service names, in the file's order.
    pub service_names: Memo<Vec<String>>,
    /// The selected card or tier.
    pub selected: RwSignal<Option<Selection>>,
    /// Answers "is this card or tier selected?" waking only the two it concerns when
    /// the selection moves (not every card on the board).
    selector: StoredValue<Selector<Option<Selection>>>,
    /// The diagram as core draws it, for the page and the downloads.
    pub drawing: Memo<Drawing>,
    /// The last message.
    pub notice: RwSignal<Option<Notice>>,
    /// The last failed import.
    pub failed: RwSignal<Option<FailedImport>>,
    /// The design the review compares with, if one was set.
    pub baseline: RwSignal<Option<Design>>,
    /// Counts the designs opened, so the diagram lays a newly opened one out afresh and
    /// keeps cards in place across edits of the same one.
    opened: RwSignal<u64>,
    /// What changed since the baseline.
    pub changes: Memo<Option<Changes>>,
    /// The last share link made.
    pub share_url: RwSignal<Option<String>>,
    /// Whether the page is in presentation mode.
    pub presenting: RwSignal<bool>,
    /// The open finding shown while presenting.
    pub step: RwSignal<usize>,
}

impl Studio {
    /// Opens the saved design, or an empty one (with a message if the saved one is corrupt).
    pub fn new() -> Studio {
        let (design, notice) = match browser::load_design() {
            Ok(Some(text)) => match Design::import(&text, options(browser::load_name())) {
                Ok(design) => (design, None),
                Err(e) => {
                    browser::keep_corrupt(&text);
                    let text = format!(
                        "The design saved in this browser could not be read ({e}). tiermap started a new design; the saved text is kept in the paste box below."
                    );
                    (Design::empty("stack"), Notice::error(text))
                }
            },
            Ok(None) => (Design::empty("stack"), None),
            Err(message) => (Design::empty("stack"), Notice::error(message)),
        };
        let history = RwSignal::new(History::new(design, UNDO_LIMIT));
        let analysis = Memo::new(move |_| history.with(|h| h.current().analyze()));
        let failed = RwSignal::new(browser::corrupt_text().map(|text| FailedImport {
            source: "saved design".into(),
            text,
            message: String::new(),
        }));
        let stack = history.with_untracked(|h| h.current().model().stack.clone());
        let baseline = RwSignal::new(
            browser::load_baseline()
                .and_then(|text| Design::import(&text, options(Some(stack))).ok()),
        );
        let opened = RwSignal::new(0);
        // The baseline's analysis runs when the baseline changes, not on every edit.
        let baseline_analysis =
            Memo::new(move |_| baseline.with(|b| b.as_ref().map(Design::analyze)));
        let changes = Memo::new(move |_| {
            let before_analysis = baseline_analysis.read();
            let before_analysis = before_analysis.as_ref()?;
            let after_analysis = analysis.read();
            baseline.with(|b| {
                let before = b.as_ref()?;
                history.with(|h| {
                    Some(baseline::compare(
                        (before.model(), before_analysis),
                        (h.current().model(), &after_analysis),
                    ))
                })
            })
        });
        let selected = RwSignal::new(None);
        let studio = Studio {
            history,
            analysis,
            tier_keys: Memo::new(move |_| {
                history.with(|h| {
                    h.current()
                        .model()
                        .tiers
                        .iter()
                        .map(|t| t.key.clone())
                        .collect()
                })
            }),
            service_names: Memo::new(move |_| {
                history.with(|h| {
                    h.current()
                        .model()
                        .services
                        .iter()
                        .map(|s| s.name.clone())
                        .collect()
                })
            }),
            selected,
            selector: StoredValue::new(Selector::new(move || selected.get())),
            drawing: drawing(history, analysis, selected, changes, baseline, opened),
            opened,
            notice: RwSignal::new(notice),
            failed,
            baseline,
            changes,
            share_url: RwSignal::new(None),
            presenting: RwSignal::new(false),
            step: RwSignal::new(0),
        };
        // A link made before an edit no longer shows the design: take it away (without
        // waking the toolbar on every edit when there is none).
        Effect::new(move |_| {
            history.track();
            if studio.share_url.with_untracked(Option::is_some) {
                studio.share_url.set(None);
            }
        });
        if let Some(fragment) = share_link::fragment() {
            wasm_bindgen_futures::spawn_local(async move {
                match share_link::open(&fragment).await {
                    Ok(shared) => studio.open_shared(shared),
                    Err(e) => studio.notice.set(Notice::error(format!(
                        "{e} The design saved in this browser is open instead."
                    ))),
                }
                share_link::forget_fragment();
            });
        }
        // Save on every change, so a reload finds the design as it was; just after the
        // view has updated, so writing the file never delays the picture. The person is
        // told once when the browser stops keeping it, not on every edit after that
        // (without storage at all, opening the page said so).
        let saving = StoredValue::new(browser::has_storage());
        Effect::new(move |_| {
            history.track();
            set_timeout(
                move || {
                    let saved = history.with_untracked(|h| {
                        let design = h.current();
                        browser::save_design(&design.model().stack, &design.export())
                    });
                    if saving.get_value() && !saved {
                        studio.notice.set(Notice::error(
                            "This browser no longer saves the design (its storage is full or off): a reload would lose the changes since. Download the stack file to keep them.",
                        ));
                    }
                    saving.set_value(saved);
                },
                std::time::Duration::ZERO,
            );
        });
        studio
    }

    /// Reads the open design's model, tracked: the caller runs again after every change
    /// of the design (so memos that read it compare what they derive).
    pub fn model<R>(&self, read: impl FnOnce(&Model) -> R) -> R {
        self.history.with(|h| read(h.current().model()))
    }

    /// Reads the open design's model without tracking it (in event handlers).
    pub fn model_untracked<R>(&self, read: impl FnOnce(&Model) -> R) -> R {
        self.history.with_untracked(|h| read(h.current().model()))
    }

    /// Runs an edit; on failure the design is unchanged, nothing that reads it runs
    /// again, and the reason is shown. True when the edit was made.
    pub fn edit(&self, change: impl FnOnce(&mut Design) -> Result<(), EditError>) -> bool {
        match record(self.history, change) {
            Ok(()) => {
                if self.notice.with_untracked(Option::is_some) {
                    self.notice.set(None);
                }
                true
            }
            Err(e) => {
                self.notice.set(Notice::error(e.to_string()));
                false
            }
        }
    }

    /// Opens another design (a template, an import, an empty one) as an undoable step.
    pub fn open(&self, design: Design, message: String) {
        self.opened.update(|n| *n += 1);
        self.history.update(|h| h.push(design));
        self.selected.set(None);
        self.failed.set(None);
        self.notice.set(Notice::ok(message));
    }

    /// Imports text; on failure keeps it and shows where it went wrong.
    pub fn import(&self, source: &str, text: String) {
        let start = browser::now();
        let stack = stack_from_file_name(source);
        match Design::import(&text, options(stack)) {
            Ok(design) => {
                let summary = {
                    let m = design.model();
                    format!(
                        "Imported {source}: {} services on {} tiers.",
                        m.services.len(),
                        m.tiers.len()
                    )
                };
                self.open(design, summary);
                browser::publish_update_time(start);
            }
            Err(e) => self.import_failed(source, text, &e),
        }
    }

    /// Shows where an import went wrong and keeps its text in the paste box.
    fn import_failed(&self, source: &str, text: String, e: &tiermap_core::ImportError) {
        let message = match e.location().filter(|at| at.is_known()) {
            Some(at) => format!("{source}, line {}, column {}: {e}", at.line, at.column),
            None => format!("{source}: {e}"),
        };
        self.notice
            .set(Notice::error(format!("Could not import. {message}")));
        self.failed.set(Some(FailedImport {
            source: source.to_string(),
            text,
            message,
        }));
    }

    /// Opens a built-in template.
    pub fn open_template(&self, template: &Template) {
        let start = browser::now();
        match template.design() {
            Ok(design) => {
                self.open(design, format!("Opened the {} template.", template.name));
                browser::publish_update_time(start);
            }
            Err(e) => self.notice.set(Notice::error(format!(
                "Template {} did not open: {e}",
                template.name
            ))),
        }
    }

    /// Undoes the last edit.
    pub fn undo(&self) {
        self.history.maybe_update(History::undo);
    }

    /// Redoes the last undone edit.
    pub fn redo(&self) {
        self.history.maybe_update(History::redo);
    }

    /// Marks the current design as the baseline the review compares with.
    pub fn set_baseline(&self) {
        let design = self.history.with_untracked(|h| h.current().clone());
        self.keep_baseline(Some(design));
        self.notice.set(Notice::ok(
            "Baseline set: the Comparison shows what changes from here.",
        ));
    }

    /// Forgets the baseline.
    pub fn clear_baseline(&self) {
        self.keep_baseline(None);
    }

    /// Makes `baseline` the one compared with, here and in the browser's storage.
    fn keep_baseline(&self, baseline: Option<Design>) {
        browser::save_baseline(baseline.as_ref().map(Design::export).as_deref());
        self.baseline.set(baseline);
    }

    /// Makes a share link for the design and its baseline, shows it and copies it.
    pub fn share(&self) {
        let studio = *self;
        let shared = self.history.with_untracked(|h| Shared {
            stack: h.current().model().stack.clone(),
            design: h.current().export(),
            baseline: self
                .baseline
                .with_untracked(|b| b.as_ref().map(Design::export)),
        });
        wasm_bindgen_futures::spawn_local(async move {
            match share_link::make(&shared).await {
                Ok(url) => {
                    studio.share_url.set(Some(url.clone()));
                    browser::copy(url, move |copied| {
                        studio.notice.set(Notice::ok(if copied {
                            "Share link copied. It holds the whole design in the link itself: no server sees it."
                        } else {
                            "Share link made: copy it from the field. It holds the whole design in the link itself."
                        }));
                    });
                }
                Err(e) => {
                    studio.share_url.set(None);
                    studio.notice.set(Notice::error(e.to_string()));
                }
            }
        });
    }

    /// Opens the design (and baseline) a share link carried.
    fn open_shared(&self, shared: Shared) {
        let stack = Some(shared.stack.clone());
        let (baseline, unreadable) = match shared
            .baseline
            .map(|text| Design::import(&text, options(stack.clone())))
        {
            Some(Ok(design)) => (Some(design), false),
            Some(Err(_)) => (None, true),
            None => (None, false),
        };
        match Design::import(&shared.design, options(stack)) {
            Ok(design) => {
                self.keep_baseline(baseline);
                let message = if unreadable {
                    "Opened the design from the share link; its baseline could not be read, so none is set."
                } else {
                    "Opened the design from the share link."
                };
                self.open(design, message.into());
            }
            Err(e) => self.import_failed("the share link", shared.design, &e),
        }
    }

    /// Starts or ends presentation mode (full screen where the browser allows it).
    pub fn present(&self, on: bool) {
        self.presenting.set(on);
        self.step.set(0);
        if on {
            self.step_finding(0);
        } else {
            self.select(None);
        }
        browser::full_screen(on);
    }

    /// Moves `delta` open findings on (clamped to the list) and selects what it names.
    pub fn step_finding(&self, delta: isize) {
        let subject = self.analysis.with_untracked(|a| {
            let open: Vec<_> = a.open_findings().collect();
            let last = open.len().saturating_sub(1);
            let step = self
                .step
                .get_untracked()
                .saturating_add_signed(delta)
                .min(last);
            self.step.set(step);
            open.get(step).and_then(|f| subject(&f.service, &f.tier))
        });
        self.select(subject);
    }

    /// Selects a card or a tier (or nothing).
    pub fn select(&self, selection: Option<Selection>) {
        self.selected.set(selection);
    }

    /// Whether `selection` is the selected card or tier, tracked through the selector:
    /// the caller runs again only when this answer changes.
    pub fn is_selected(&self, selection: Selection) -> bool {
        self.selector
            .try_with_value(|s| s.selected(&Some(selection)))
            .unwrap_or(false)
    }
}

/// What a finding (or anything naming a service or a tier) selects: the service first.
pub fn subject(service: &Option<String>, tier: &Option<String>) -> Option<Selection> {
    service
        .clone()
        .map(Selection::Service)
        .or_else(|| tier.clone().map(Selection::Tier))
}

/// Applies `change` to the current design as a new undo step, and notifies readers of
/// `history` only when it succeeds: a refused edit leaves the analysis and every view as
/// they were.
fn record(
    history: RwSignal<History<Design>>,
    change: impl FnOnce(&mut Design) -> Result<(), EditError>,
) -> Result<(), EditError> {
    let mut result = Ok(());
    history.maybe_update(|h| {
        result = h.change(change);
        result.is_ok()
    });
    result
}

/// The diagram as a memo, in two steps: the layout (which places everything and is the
/// costly part) reads only the design, its analysis and the baseline, and the style
/// (selection, blast radius, changed services) is applied after it. Selecting a card
/// redraws, but does not lay out again. An edit starts from the layout before it, so
/// the other cards stay where they were; a design just opened is laid out afresh.
// `..Style::default()`: fields core adds to the style later take their default here.
#[allow(clippy::needless_update)]
fn drawing(
    history: RwSignal<History<Design>>,
    analysis: Memo<Analysis>,
    selected: RwSignal<Option<Selection>>,
    changes: Memo<Option<Changes>>,
    baseline: RwSignal<Option<Design>>,
    opened: RwSignal<u64>,
) -> Memo<Drawing> {
    let laid_out_for = StoredValue::new(0u64);
    let layout: Memo<Layout> = Memo::new(move |previous: Option<&Layout>| {
        let analysis = analysis.read();
        let opened = opened.get();
        let same_design = laid_out_for.get_value() == opened;
        laid_out_for.set_value(opened);
        baseline.with(|baseline| {
            history.with(|h| {
                let options = Options {
                    previous: previous.filter(|_| same_design),
                    baseline: baseline.as_ref().map(Design::model),
                };
                let start = browser::now();
                let layout = diagram::layout_with(h.current().model(), &analysis, &options);
                browser::publish_layout_time(start);
                layout
            })
        })
    });
    let style = Memo::new(move |_| {
        let (selected, selected_tier) = match selected.get() {
            Some(Selection::Service(name)) => (Some(name), None),
            Some(Selection::Tier(key)) => (None, Some(key)),
            None => (None, None),
        };
        let highlight = selected
            .as_deref()
            .map(|name| {
                let analysis = analysis.read();
                history.with(|h| {
                    let model = h.current().model();
                    let Some(i) = model.service_index(name) else {
                        return Vec::new();
                    };
                    let reached = analysis.blast_radius.reached(i).into_iter();
                    reached
                        .filter_map(|(s, _)| model.services.get(s).map(|s| s.name.clone()))
                        .collect()
                })
            })
            .unwrap_or_default();
        Style {
            dimmed_others: selected.is_some(),
            highlight,
            selected,
            selected_tier,
            changed: changes
                .with(|c| c.as_ref().map(|c| c.changed_services.clone()))
                .unwrap_or_default(),
            ..Style::default()
        }
    });
    Memo::new(move |_| layout.with(|layout| style.with(|style| diagram::drawing(layout, style))))
}

fn options(stack: Option<String>) -> ImportOptions {
    ImportOptions {
        default_stack: stack,
        ..ImportOptions::default()
    }
}

/// `docker-stack.yml` -> `docker-stack`: a stack needs a name and the file's is a fair guess.
fn stack_from_file_name(source: &str) -> Option<String> {
    let stem = source.rsplit('/').next()?.split('.').next()?;
    let clean: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    (!clean.is_empty() && clean != "pasted").then_some(clean)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A refused edit leaves no undo step and wakes nothing that reads the design (the
    /// analysis memo among them); an accepted one wakes them once.
    #[test]
    fn a_refused_edit_notifies_nothing() {
        let owner = Owner::new();
        owner.set();
        let design = tiermap_core::templates::find("scores")
            .unwrap()
            .design()
            .unwrap();
        let services = design.model().services.len();
        let history = RwSignal::new(History::new(design, UNDO_LIMIT));
        let runs = Arc::new(AtomicUsize::new(0));
        let reader = Memo::new({
            let runs = Arc::clone(&runs);
            move |_| {
                runs.fetch_add(1, Ordering::Relaxed);
                history.with(|h| h.current().model().services.len())
            }
        });
        assert_eq!(reader.get_untracked(), services);
        assert_eq!(runs.load(Ordering::Relaxed), 1);

        let refused = record(history, |d| d.move_to("api", "no_such_tier"));
        assert!(refused.is_err());
        assert_eq!(reader.get_untracked(), services);
        assert_eq!(
            runs.load(Ordering::Relaxed),
            1,
            "a refused edit re-ran a reader"
        );
        assert!(!history.with_untracked(History::can_undo));

        record(history, |d| d.set_image("api", "example/api:2")).unwrap();
        reader.get_untracked();
        assert_eq!(runs.load(Ordering::Relaxed), 2);
        assert!(history.with_untracked(History::can_undo));
    }
}
