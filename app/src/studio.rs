//! The page's state and the user's intents: which design is open (with its undo
//! history), what is selected, and what went wrong last. Every rule is in core; this
//! only decides which core call an action makes and what to tell the person.

use leptos::prelude::*;
use tiermap_core::baseline::{self, Changes};
use tiermap_core::design::EditError;
use tiermap_core::history::History;
use tiermap_core::share::Shared;
use tiermap_core::templates::Template;
use tiermap_core::{Analysis, Design, ImportOptions};

use crate::{browser, share_link};

/// How many steps Undo can go back.
const UNDO_LIMIT: usize = 200;

/// What the side panel edits.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The open design and its undo history.
    pub history: RwSignal<History<Design>>,
    /// The analysis of the open design, recomputed when it changes.
    pub analysis: Memo<Analysis>,
    /// The selected card or tier.
    pub selected: RwSignal<Option<Selection>>,
    /// The last message.
    pub notice: RwSignal<Option<Notice>>,
    /// The last failed import.
    pub failed: RwSignal<Option<FailedImport>>,
    /// The design the review compares with, if one was set.
    pub baseline: RwSignal<Option<Design>>,
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
                    (Design::empty("stack"), Some(Notice { error: true, text }))
                }
            },
            Ok(None) => (Design::empty("stack"), None),
            Err(message) => (
                Design::empty("stack"),
                Some(Notice {
                    error: true,
                    text: message,
                }),
            ),
        };
        let history = RwSignal::new(History::new(design, UNDO_LIMIT));
        // Every edit changes the analysis, or the views' own memos notice it did not:
        // comparing two analyses here would cost time and page size for nothing.
        let analysis =
            Memo::new_with_compare(move |_| history.with(|h| h.current().analyze()), changed);
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
        // The baseline's analysis runs when the baseline changes, not on every edit.
        let baseline_analysis = Memo::new_with_compare(
            move |_| baseline.with(|b| b.as_ref().map(Design::analyze)),
            changed,
        );
        let changes = Memo::new_with_compare(
            move |_| {
                let before_analysis = baseline_analysis.read();
                let before_analysis = before_analysis.as_ref()?;
                let after_analysis = analysis.read();
                baseline.with(|b| {
                    let before = b.as_ref()?;
                    history.with(|h| {
                        let after = h.current().model();
                        Some(baseline::compare(
                            (before.model(), before_analysis),
                            (after, &after_analysis),
                        ))
                    })
                })
            },
            changed,
        );
        let studio = Studio {
            history,
            analysis,
            selected: RwSignal::new(None),
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
                    Err(e) => studio.notice.set(Some(Notice {
                        error: true,
                        text: format!("{e} The design saved in this browser is open instead."),
                    })),
                }
                share_link::forget_fragment();
            });
        }
        // Save on every change, so a reload finds the design as it was; just after the
        // view has updated, so writing the file never delays the picture.
        Effect::new(move |_| {
            history.track();
            set_timeout(
                move || {
                    history.with_untracked(|h| {
                        let design = h.current();
                        browser::save_design(&design.model().stack, &design.export());
                    })
                },
                std::time::Duration::ZERO,
            );
        });
        studio
    }

    /// Runs an edit; on failure the design is unchanged and the reason is shown.
    pub fn edit(&self, change: impl FnOnce(&mut Design) -> Result<(), EditError>) {
        let mut result = Ok(());
        self.history.update(|h| result = h.change(change));
        match result {
            Ok(()) => self.notice.set(None),
            Err(e) => self.notice.set(Some(Notice {
                error: true,
                text: e.to_string(),
            })),
        }
    }

    /// Opens another design (a template, an import, an empty one) as an undoable step.
    pub fn open(&self, design: Design, message: String) {
        self.history.update(|h| h.push(design));
        self.selected.set(None);
        self.failed.set(None);
        self.notice.set(Some(Notice {
            error: false,
            text: message,
        }));
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
        self.notice.set(Some(Notice {
            error: true,
            text: format!("Could not import. {message}"),
        }));
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
            Err(e) => self.notice.set(Some(Notice {
                error: true,
                text: format!("Template {} did not open: {e}", template.name),
            })),
        }
    }

    /// Undoes the last edit.
    pub fn undo(&self) {
        self.history.update(|h| {
            h.undo();
        });
    }

    /// Redoes the last undone edit.
    pub fn redo(&self) {
        self.history.update(|h| {
            h.redo();
        });
    }

    /// Marks the current design as the baseline the review compares with.
    pub fn set_baseline(&self) {
        let design = self.history.with_untracked(|h| h.current().clone());
        self.keep_baseline(Some(design));
        self.notice.set(Some(Notice {
            error: false,
            text: "Baseline set: the Comparison shows what changes from here.".into(),
        }));
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
                        let text = if copied {
                            "Share link copied. It holds the whole design in the link itself: no server sees it."
                        } else {
                            "Share link made: copy it from the field. It holds the whole design in the link itself."
                        };
                        studio.notice.set(Some(Notice {
                            error: false,
                            text: text.into(),
                        }));
                    });
                }
                Err(e) => {
                    studio.share_url.set(None);
                    studio.notice.set(Some(Notice {
                        error: true,
                        text: e.to_string(),
                    }));
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
            open.get(step).map(|f| {
                f.service
                    .clone()
                    .map(Selection::Service)
                    .or_else(|| f.tier.clone().map(Selection::Tier))
            })
        });
        self.select(subject.flatten());
    }

    /// Selects a card or a tier (or nothing).
    pub fn select(&self, selection: Option<Selection>) {
        self.selected.set(selection);
    }
}

/// A memo comparison that always reports a change.
fn changed<T>(_: Option<&T>, _: Option<&T>) -> bool {
    true
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
