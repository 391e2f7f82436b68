//! The console's side of runbooks: the scenarios loaded at start and their readiness, the
//! picker, the start form, the checklist's selection, and the popups that answer a step.
//! Every answer leaves as a `Command` effect and comes back in the engine's next view: the
//! console never changes a step's state itself.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui_textarea::TextArea;

use super::app::{App, View};
use super::incident::{Popup, line_input};
use super::keymap::Action;
use super::repair::READ_ONLY;
use super::theme::FlashLevel;
use crate::event::Effect;
use crate::incident::SCENARIOS;
use crate::runbook::{Command, Need, Readiness, RunState, RunView, Runbook, StepState, StepView};

pub use super::runbook_popup::{RunbookPopup, StartField, StartForm};

/// The keys that act on the checklist's selected step or run; the help lists them there only.
pub const STEP_KEYS: [Action; 4] = [
    Action::StepDone,
    Action::StepSkip,
    Action::StepRetry,
    Action::CancelRun,
];

/// Everything the console knows about runbooks.
#[derive(Debug)]
pub struct RunbookState {
    /// The runbooks loaded at start, or why they did not load (file:line:column).
    pub loaded: Result<Vec<Arc<Runbook>>, String>,
    /// The last readiness of each, by name.
    pub readiness: BTreeMap<String, Readiness>,
    /// When the readiness above was asked for; a check under way is not asked for twice.
    pub checking: bool,
    pub checked_at: Option<DateTime<Utc>>,
    /// The run this console started, as the engine last showed it.
    pub run: Option<RunScreen>,
    pub popup: Option<RunbookPopup>,
    /// Picked while no incident was open: started once the declaration is durable.
    pending: Option<Arc<Runbook>>,
}

impl Default for RunbookState {
    fn default() -> Self {
        RunbookState {
            loaded: Ok(Vec::new()),
            readiness: BTreeMap::new(),
            checking: false,
            checked_at: None,
            run: None,
            popup: None,
            pending: None,
        }
    }
}

/// What the dashboard says of one runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not checked yet.
    Checking,
    Ready,
    /// Blockers (unknown ones included), the first in words.
    Blocked {
        count: usize,
        first: String,
    },
    /// Nothing known to block, but a read failed: never ready.
    Unknown {
        first: String,
    },
}

impl RunbookState {
    pub fn runbooks(&self) -> &[Arc<Runbook>] {
        self.loaded.as_deref().unwrap_or(&[])
    }

    /// Whether the dashboard has a Scenarios panel to show.
    pub fn any(&self) -> bool {
        self.loaded.as_ref().map_or(true, |l| !l.is_empty())
    }

    pub fn verdict(&self, name: &str) -> Verdict {
        let Some(r) = self.readiness.get(name) else {
            return Verdict::Checking;
        };
        let Some(first) = r.blockers.first() else {
            return Verdict::Ready;
        };
        if r.blockers.iter().all(|b| b.unknown) {
            return Verdict::Unknown {
                first: first.what.clone(),
            };
        }
        // The first that is known to block says more than one that could not be read.
        let first = r.blockers.iter().find(|b| !b.unknown).unwrap_or(first);
        Verdict::Blocked {
            count: r.blockers.len(),
            first: first.what.clone(),
        }
    }
}

/// The run on screen and where the commander is in it.
#[derive(Debug)]
pub struct RunScreen {
    pub view: RunView,
    /// Index into `view.steps`.
    pub selected: usize,
    /// The selection follows the step that needs a person until the commander moves it.
    pub follow: bool,
}

impl RunScreen {
    pub fn step(&self) -> Option<&StepView> {
        self.view.steps.get(self.selected)
    }

    /// Steps done (succeeded or skipped) and steps in all, groups not counted.
    pub fn progress(&self) -> (usize, usize) {
        let steps = self.view.steps.iter().filter(|s| !s.kind.is_group());
        let (mut done, mut all) = (0, 0);
        for s in steps {
            all += 1;
            done += usize::from(matches!(s.state, StepState::Succeeded | StepState::Skipped));
        }
        (done, all)
    }

    /// Where the selection goes by itself: the first step waiting for a person, else the
    /// first running one, else the first not yet done.
    fn followed(&self) -> Option<usize> {
        let steps = &self.view.steps;
        steps
            .iter()
            .position(|s| s.need.is_some())
            .or_else(|| steps.iter().position(|s| s.state == StepState::Running))
            .or_else(|| steps.iter().position(|s| !s.state.is_final()))
    }
}

impl App {
    /// The runbooks the console offers, or why they could not be loaded.
    pub fn set_runbooks(&mut self, loaded: Result<Vec<Arc<Runbook>>, String>) {
        self.runbooks.loaded = loaded;
        self.runbooks.readiness.clear();
    }

    /// After a poll: the readiness of every runbook, unless a check is still under way.
    pub(super) fn readiness_effect(&mut self) -> Option<Effect> {
        let runbooks = self.runbooks.runbooks().to_vec();
        if runbooks.is_empty() || self.runbooks.checking {
            return None;
        }
        self.runbooks.checking = true;
        Some(Effect::CheckReadiness(runbooks))
    }

    pub(super) fn on_readiness(&mut self, found: Vec<Readiness>) {
        self.runbooks.checking = false;
        self.runbooks.checked_at = Some(self.now);
        for r in found {
            self.runbooks.readiness.insert(r.runbook.clone(), r);
        }
    }

    pub(super) fn on_runbook_update(
        &mut self,
        view: RunView,
        event: Option<crate::runbook::Event>,
    ) -> Vec<Effect> {
        // A drill's run has begun: its setup is over.
        if let Some(drill) = self.drill.as_mut().filter(|d| d.active())
            && drill.phase == crate::drill::run::DrillPhase::Setup
        {
            drill.phase = crate::drill::run::DrillPhase::Run;
            drill.line = Some(format!("{} is running on the drill's copies", view.runbook));
        }
        let fresh = self
            .runbooks
            .run
            .as_ref()
            .is_none_or(|r| r.view.run != view.run);
        if fresh {
            if matches!(self.runbooks.popup, Some(RunbookPopup::Start(_))) {
                self.runbooks.popup = None;
            }
            self.runbooks.run = Some(RunScreen {
                view,
                selected: 0,
                follow: true,
            });
            if self.popup.is_none() && !self.repair_shown() {
                self.view = View::Runbook;
            }
        } else if let Some(run) = &mut self.runbooks.run {
            run.view = view;
        }
        let Some(run) = &mut self.runbooks.run else {
            return Vec::new();
        };
        if run.follow
            && let Some(i) = run.followed()
        {
            run.selected = i;
        }
        run.selected = run.selected.min(run.view.steps.len().saturating_sub(1));
        let name = run.view.runbook.clone();
        self.settle_popup();
        if let Some(crate::runbook::Event::Finished(state)) = event {
            let (level, text) = match state {
                RunState::Succeeded => (FlashLevel::Info, format!("{name}: every step done")),
                RunState::Failed => (
                    FlashLevel::Error,
                    format!("{name}: a step failed: retry, skip or cancel"),
                ),
                RunState::Cancelled => (FlashLevel::Warn, format!("{name}: cancelled")),
                RunState::Running => return Vec::new(),
            };
            self.flash(level, text);
        }
        Vec::new()
    }

    pub(super) fn on_runbook_not_started(&mut self, why: String) {
        if let Some(RunbookPopup::Start(form)) = &mut self.runbooks.popup {
            form.waiting = false;
            form.error = Some(why.clone());
        }
        self.flash(FlashLevel::Error, format!("runbook not started: {why}"));
    }

    /// A popup whose step no longer needs what it asks closes; one that was answered and
    /// refused opens for another try.
    fn settle_popup(&mut self) {
        let Some(run) = &self.runbooks.run else {
            return;
        };
        let need = |step: &str| run.view.step(step).and_then(|s| s.need.clone());
        let close = match &mut self.runbooks.popup {
            Some(RunbookPopup::Confirm { step, .. }) => {
                !matches!(need(step), Some(Need::Confirm { .. }))
            }
            Some(RunbookPopup::Input { step, sent, .. }) => match need(step) {
                Some(Need::Input { error, .. }) => {
                    if error.is_some() {
                        *sent = false;
                    }
                    false
                }
                _ => true,
            },
            Some(RunbookPopup::Choose { step, .. }) => {
                !matches!(need(step), Some(Need::Choice { .. }))
            }
            Some(RunbookPopup::Cancel) => run.view.state != RunState::Running,
            _ => false,
        };
        if close {
            self.runbooks.popup = None;
        }
    }

    /// A runbook's title for the declare form, its scenario preselected.
    fn declare_for(&mut self, runbook: &Arc<Runbook>) {
        self.open_declare();
        if let Some(Popup::Declare(form)) = &mut self.popup {
            form.title = line_input(&runbook.title);
            if let Some(i) = SCENARIOS
                .iter()
                .position(|(id, _)| id == runbook.name.get_ref())
            {
                form.scenario = i;
            }
            self.runbooks.pending = Some(Arc::clone(runbook));
        }
    }

    /// The declaration is durable: the runbook picked before it starts now.
    pub(super) fn after_declared(&mut self) {
        if let Some(runbook) = self.runbooks.pending.take() {
            self.open_start_form(runbook, false);
        }
    }

    /// The declare popup closed without a declaration: nothing is pending any more.
    pub(super) fn forget_pending(&mut self) {
        if self.popup.is_none() {
            self.runbooks.pending = None;
        }
    }

    /// The run is under way and has not finished.
    pub(super) fn run_in_flight(&self) -> Option<&RunScreen> {
        self.runbooks.run.as_ref().filter(|r| {
            r.view.finished.is_none()
                && matches!(r.view.state, RunState::Running | RunState::Failed)
        })
    }

    fn open_picker(&mut self) {
        if let Err(e) = &self.runbooks.loaded {
            let text = format!("runbooks did not load: {e}");
            return self.flash(FlashLevel::Error, text);
        }
        if self.runbooks.runbooks().is_empty() {
            return self.flash(FlashLevel::Info, "no runbooks are installed");
        }
        self.runbooks.popup = Some(RunbookPopup::Pick { selected: 0 });
    }

    /// A runbook picked: declare first if no incident is open, then its inputs.
    pub(super) fn pick(&mut self, runbook: Arc<Runbook>) {
        if self.read_only {
            return self.flash(FlashLevel::Warn, READ_ONLY);
        }
        if let Some(run) = self.run_in_flight() {
            let text = format!(
                "{} is under way: cancel it ({}) before starting another",
                run.view.runbook,
                self.keymap.label(Action::CancelRun)
            );
            return self.flash(FlashLevel::Warn, text);
        }
        // A finished drill's lines give way to the real run.
        if self.drill.as_ref().is_some_and(|d| !d.active()) {
            self.drill = None;
        }
        if self.open_incident().is_none() {
            self.declare_for(&runbook);
        } else {
            self.open_start_form(runbook, false);
        }
    }

    /// The runbook keys, and the checklist's navigation; `None` to let the key go on.
    pub(super) fn on_runbook_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if action == Action::Runbooks {
            match (&self.view, &self.runbooks.run) {
                (View::Runbook, _) | (_, None) => {
                    if self.run_in_flight().is_some() && self.view == View::Runbook {
                        let text = format!(
                            "one run at a time: cancel it ({}) to start another",
                            self.keymap.label(Action::CancelRun)
                        );
                        self.flash(FlashLevel::Info, text);
                    } else {
                        self.open_picker();
                    }
                }
                (_, Some(_)) => self.view = View::Runbook,
            }
            return Some(Vec::new());
        }
        if self.view != View::Runbook {
            if STEP_KEYS.contains(&action) {
                let text = format!(
                    "{} works in a runbook's checklist ({})",
                    action.short(),
                    self.keymap.label(Action::Runbooks)
                );
                self.flash(FlashLevel::Info, text);
                return Some(Vec::new());
            }
            return None;
        }
        let delta = match action {
            Action::Up => Some(-1),
            Action::Down => Some(1),
            Action::PageUp => Some(-10),
            Action::PageDown => Some(10),
            Action::Top => Some(i64::MIN / 2),
            Action::Bottom => Some(i64::MAX / 2),
            _ => None,
        };
        let run = self.runbooks.run.as_mut()?;
        if let Some(delta) = delta {
            let last = run.view.steps.len().saturating_sub(1) as i64;
            run.follow = false;
            run.selected = (run.selected as i64 + delta).clamp(0, last) as usize;
            return Some(Vec::new());
        }
        let state = run.view.state;
        match action {
            Action::Open => return Some(self.answer_selected()),
            Action::StepDone => return Some(self.step_done()),
            Action::StepSkip => self.ask_skip(),
            Action::StepRetry => return Some(self.step_retry()),
            Action::CancelRun => {
                if matches!(state, RunState::Running | RunState::Failed) {
                    self.runbooks.popup = Some(RunbookPopup::Cancel);
                } else {
                    self.flash(FlashLevel::Info, "the run has ended: nothing to cancel");
                }
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    fn selected_step(&self) -> Option<StepView> {
        self.runbooks.run.as_ref()?.step().cloned()
    }

    /// Enter on a step: what it waits for, asked for.
    fn answer_selected(&mut self) -> Vec<Effect> {
        let Some(step) = self.selected_step() else {
            return Vec::new();
        };
        if self.read_only {
            self.flash(FlashLevel::Warn, READ_ONLY);
            return Vec::new();
        }
        let path = step.path.clone();
        match step.need {
            Some(Need::Start) => return vec![Effect::RunbookCommand(Command::Run(path))],
            Some(Need::Retry) => return vec![Effect::RunbookCommand(Command::Retry(path))],
            Some(Need::Done) => return self.step_done(),
            Some(Need::Confirm { name }) => {
                let mut field = TextArea::default();
                field.set_placeholder_text(format!("type {name} to confirm"));
                self.runbooks.popup = Some(RunbookPopup::Confirm {
                    step: path,
                    name,
                    field: Box::new(field),
                    wrong: None,
                    sent: false,
                });
            }
            Some(Need::Input { default, .. }) => {
                let field = line_input(default.as_deref().unwrap_or(""));
                self.runbooks.popup = Some(RunbookPopup::Input {
                    step: path,
                    field: Box::new(field),
                    sent: false,
                });
            }
            Some(Need::Choice {
                options,
                preselected,
            }) => {
                let first = options.iter().position(|o| o.available).unwrap_or(0);
                self.runbooks.popup = Some(RunbookPopup::Choose {
                    step: path,
                    selected: preselected
                        .filter(|i| options[*i].available)
                        .unwrap_or(first),
                    rationale: None,
                    error: None,
                    sent: false,
                });
            }
            None => {
                let text = format!("{}: {}, nothing to answer", step.title, step.state.label());
                self.flash(FlashLevel::Info, text);
            }
        }
        Vec::new()
    }

    fn step_done(&mut self) -> Vec<Effect> {
        let Some(step) = self.selected_step() else {
            return Vec::new();
        };
        if step.need != Some(Need::Done) {
            let text = format!("{}: not a manual step waiting to be done", step.title);
            self.flash(FlashLevel::Info, text);
            return Vec::new();
        }
        vec![Effect::RunbookCommand(Command::Done {
            step: step.path,
            note: None,
        })]
    }

    fn step_retry(&mut self) -> Vec<Effect> {
        let Some(step) = self.selected_step() else {
            return Vec::new();
        };
        if step.need != Some(Need::Retry) && step.state != StepState::Failed {
            let text = format!("{}: {}, nothing to retry", step.title, step.state.label());
            self.flash(FlashLevel::Info, text);
            return Vec::new();
        }
        vec![Effect::RunbookCommand(Command::Retry(step.path))]
    }

    fn ask_skip(&mut self) {
        let Some(step) = self.selected_step() else {
            return;
        };
        if step.state.is_final() {
            let text = format!("{}: already {}", step.title, step.state.label());
            return self.flash(FlashLevel::Info, text);
        }
        let mut field = TextArea::default();
        field.set_placeholder_text("why it is skipped (journalled)");
        self.runbooks.popup = Some(RunbookPopup::Skip {
            step: step.path,
            field: Box::new(field),
            error: None,
        });
    }

    /// The checklist's keys for the footer.
    pub(super) fn runbook_footer(&self) -> &'static [Action] {
        &[
            Action::Back,
            Action::Down,
            Action::Open,
            Action::StepDone,
            Action::StepSkip,
            Action::StepRetry,
            Action::CancelRun,
            Action::Help,
        ]
    }

    /// "runbook: region-failover 4/17 · 23m" while a run exists and is not on screen.
    pub fn run_badge(&self) -> Option<String> {
        let run = self.runbooks.run.as_ref()?;
        let (done, all) = run.progress();
        let until = run.view.finished.unwrap_or(self.now);
        let elapsed = crate::incident::short_duration(until - run.view.started);
        let state = match run.view.state {
            RunState::Running if run.view.waiting().next().is_some() => " · waiting",
            RunState::Running => "",
            RunState::Succeeded => " · done",
            RunState::Failed => " · FAILED",
            RunState::Cancelled => " · cancelled",
        };
        Some(format!(
            "runbook: {} {done}/{all} · {elapsed}{state}",
            run.view.runbook
        ))
    }
}
