//! The console's side of runbooks: the scenarios loaded at start and their readiness, the
//! picker, the start form, the checklist's selection, and the popups that answer a step.
//! Every answer leaves as a `Command` effect and comes back in the engine's next view: the
//! console never changes a step's state itself.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::app::{App, View};
use super::incident::{Popup, line_input, text_of, type_into};
use super::keymap::Action;
use super::repair::READ_ONLY;
use super::theme::FlashLevel;
use crate::event::Effect;
use crate::incident::SCENARIOS;
use crate::runbook::model::InputKind;
use crate::runbook::{
    ChoiceView, Command, Need, Readiness, RunState, RunView, Runbook, StepState, StepView,
};

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

/// A popup of the runbook screens; it takes every key while it is open.
#[derive(Debug)]
pub enum RunbookPopup {
    /// The runbooks with their readiness.
    Pick {
        selected: usize,
    },
    Start(Box<StartForm>),
    /// A destructive step: its resource's name typed back. Every key is text.
    Confirm {
        step: String,
        name: String,
        field: Box<TextArea<'static>>,
        wrong: Option<String>,
        sent: bool,
    },
    /// A value for an `input` step, with the hint and the error of a refused value (from
    /// the step's live need).
    Input {
        step: String,
        field: Box<TextArea<'static>>,
        sent: bool,
    },
    /// The options of a decision (the restore source chooser), then the rationale.
    Choose {
        step: String,
        selected: usize,
        rationale: Option<Box<TextArea<'static>>>,
        error: Option<String>,
        sent: bool,
    },
    Skip {
        step: String,
        field: Box<TextArea<'static>>,
        error: Option<String>,
    },
    /// Cancel the whole run? y/n.
    Cancel,
}

/// The runbook's inputs, asked before it starts, defaults filled.
#[derive(Debug)]
pub struct StartForm {
    pub runbook: Arc<Runbook>,
    pub fields: Vec<StartField>,
    pub focus: usize,
    pub error: Option<String>,
    /// Sent: waiting for the engine's first view.
    pub waiting: bool,
}

#[derive(Debug)]
pub struct StartField {
    pub name: String,
    pub prompt: String,
    /// What is allowed, in words: the choices, the kind of time.
    pub hint: Option<String>,
    pub text: Box<TextArea<'static>>,
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
            self.open_start_form(runbook);
        }
    }

    /// The declare popup closed without a declaration: nothing is pending any more.
    pub(super) fn forget_pending(&mut self) {
        if self.popup.is_none() {
            self.runbooks.pending = None;
        }
    }

    fn open_start_form(&mut self, runbook: Arc<Runbook>) {
        let scope = crate::runbook::vars::base_scope(&self.estate, "", self.now);
        // An input an `input` step asks is asked there, when the run reaches it.
        let asked: Vec<String> = runbook
            .steps()
            .into_iter()
            .filter_map(|s| s.input.as_ref().map(|i| i.get_ref().clone()))
            .collect();
        let fields = runbook
            .inputs
            .iter()
            .filter(|input| !asked.contains(input.name.get_ref()))
            .map(|input| {
                let default = input.default.as_ref().map(|d| d.get_ref().clone());
                // A default naming a step's output or another input is the engine's to fill.
                let rendered = default.as_deref().and_then(|d| scope.render(d).ok());
                let mut text = line_input(rendered.as_deref().unwrap_or(""));
                if let (None, Some(d)) = (&rendered, &default) {
                    text.set_placeholder_text(format!("default: {d}"));
                }
                let hint = match input.kind {
                    InputKind::Choice => Some(format!("one of {}", input.choices.join(", "))),
                    InputKind::Time => Some(match &input.within_pitr_of {
                        Some(table) => format!(
                            "RFC 3339, 09:41 UTC or -45m; in {}'s PITR window",
                            table.get_ref()
                        ),
                        None => "a time: RFC 3339, 09:41 (UTC today) or -45m".to_owned(),
                    }),
                    InputKind::Count => Some("a whole number".to_owned()),
                    InputKind::Text => None,
                };
                StartField {
                    name: input.name.get_ref().clone(),
                    prompt: input.prompt.clone(),
                    hint,
                    text: Box::new(text),
                }
            })
            .collect();
        self.runbooks.popup = Some(RunbookPopup::Start(Box::new(StartForm {
            runbook,
            fields,
            focus: 0,
            error: None,
            waiting: false,
        })));
    }

    /// The run is under way and has not finished.
    fn run_in_flight(&self) -> Option<&RunScreen> {
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

    /// Keys for a runbook popup; `None` when none is open.
    pub(super) fn on_runbook_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let mut popup = self.runbooks.popup.take()?;
        let mut close = false;
        let mut effects = Vec::new();
        match &mut popup {
            RunbookPopup::Pick { selected } => {
                let n = self.runbooks.runbooks().len();
                match key.code {
                    KeyCode::Esc => close = true,
                    KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        *selected = (*selected + 1).min(n.saturating_sub(1))
                    }
                    KeyCode::Enter => {
                        let runbook = self.runbooks.runbooks().get(*selected).cloned();
                        if let Some(runbook) = runbook {
                            close = true;
                            self.pick(runbook);
                        }
                    }
                    _ => {}
                }
            }
            RunbookPopup::Start(form) if form.waiting => {}
            RunbookPopup::Start(form) => match key.code {
                KeyCode::Esc => close = true,
                KeyCode::Tab | KeyCode::Down => {
                    form.focus = (form.focus + 1) % form.fields.len().max(1)
                }
                KeyCode::BackTab | KeyCode::Up => {
                    let n = form.fields.len().max(1);
                    form.focus = (form.focus + n - 1) % n;
                }
                KeyCode::Enter => {
                    let inputs: BTreeMap<String, String> = form
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), text_of(&f.text).trim().to_owned()))
                        .filter(|(_, v)| !v.is_empty())
                        .collect();
                    form.waiting = true;
                    form.error = None;
                    effects.push(Effect::StartRunbook {
                        runbook: Arc::clone(&form.runbook),
                        inputs,
                    });
                }
                _ => {
                    if let Some(field) = form.fields.get_mut(form.focus) {
                        type_into(&mut field.text, key);
                    }
                }
            },
            RunbookPopup::Confirm {
                step,
                name,
                field,
                wrong,
                sent,
            } => match key.code {
                KeyCode::Esc => close = true,
                _ if *sent => {}
                KeyCode::Enter => {
                    let typed = text_of(field).trim().to_owned();
                    if typed == *name {
                        *sent = true;
                        effects.push(Effect::RunbookCommand(Command::Confirm {
                            step: step.clone(),
                            typed,
                        }));
                    } else {
                        *wrong = Some(format!(
                            "`{typed}` is not `{name}`: nothing was sent; type the name exactly"
                        ));
                    }
                }
                // Every other key is text: q, j, ? and digits never act here.
                _ => {
                    type_into(field, key);
                    *wrong = None;
                }
            },
            RunbookPopup::Input { step, field, sent } => match key.code {
                KeyCode::Esc => close = true,
                _ if *sent => {}
                KeyCode::Enter => {
                    *sent = true;
                    effects.push(Effect::RunbookCommand(Command::Provide {
                        step: step.clone(),
                        value: text_of(field).trim().to_owned(),
                    }));
                }
                _ => type_into(field, key),
            },
            RunbookPopup::Choose {
                step,
                selected,
                rationale,
                error,
                sent,
            } => {
                let options = self.choice_of(step).map(|(o, _)| o).unwrap_or_default();
                match (rationale.as_mut(), key.code) {
                    (_, _) if *sent => close = key.code == KeyCode::Esc,
                    (None, KeyCode::Esc) => close = true,
                    (Some(_), KeyCode::Esc) => {
                        *rationale = None;
                        *error = None;
                    }
                    (None, KeyCode::Up | KeyCode::Char('k')) => {
                        *selected = next_available(&options, *selected, false);
                    }
                    (None, KeyCode::Down | KeyCode::Char('j')) => {
                        *selected = next_available(&options, *selected, true);
                    }
                    (None, KeyCode::Enter) => match options.get(*selected) {
                        Some(option) if option.available => {
                            let preselected = self.choice_of(step).and_then(|(_, p)| p);
                            let text = if preselected == Some(*selected)
                                && self.chooses_restore_source(step)
                            {
                                "freshest source"
                            } else {
                                ""
                            };
                            let mut field = line_input(text);
                            field.set_placeholder_text("why this one (it is journalled)");
                            *rationale = Some(Box::new(field));
                        }
                        _ => *error = Some("that one cannot be used now".to_owned()),
                    },
                    (Some(field), KeyCode::Enter) => {
                        let why = text_of(field).trim().to_owned();
                        match options.get(*selected) {
                            _ if why.is_empty() => {
                                *error = Some("say why: the rationale is journalled".to_owned())
                            }
                            Some(option) => {
                                *sent = true;
                                effects.push(Effect::RunbookCommand(Command::Choose {
                                    step: step.clone(),
                                    option: option.id.clone(),
                                    rationale: why,
                                }));
                            }
                            None => close = true,
                        }
                    }
                    (Some(field), _) => {
                        type_into(field, key);
                        *error = None;
                    }
                    (None, _) => {}
                }
            }
            RunbookPopup::Skip { step, field, error } => match key.code {
                KeyCode::Esc => close = true,
                KeyCode::Enter => {
                    let reason = text_of(field).trim().to_owned();
                    if reason.is_empty() {
                        *error = Some("say why: the reason is journalled".to_owned());
                    } else {
                        close = true;
                        effects.push(Effect::RunbookCommand(Command::Skip {
                            step: step.clone(),
                            reason,
                        }));
                    }
                }
                _ => {
                    type_into(field, key);
                    *error = None;
                }
            },
            RunbookPopup::Cancel => match key.code {
                KeyCode::Char('y' | 'Y') => {
                    close = true;
                    effects.push(Effect::RunbookCommand(Command::Cancel));
                    self.flash(
                        FlashLevel::Warn,
                        "cancelling: a write in flight finishes and is recorded",
                    );
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => close = true,
                _ => {}
            },
        }
        // A key handler may have opened another popup (the picker opens the start form).
        if !close && self.runbooks.popup.is_none() {
            self.runbooks.popup = Some(popup);
        }
        Some(effects)
    }

    /// Whether the decision at `path` is the restore source chooser (its options are sources,
    /// the preselected one the freshest), not a branch the runbook's author wrote.
    pub fn chooses_restore_source(&self, path: &str) -> bool {
        let Some(run) = &self.runbooks.run else {
            return false;
        };
        let Some(id) = run.view.step(path).map(|s| s.id.clone()) else {
            return false;
        };
        self.runbooks
            .runbooks()
            .iter()
            .find(|r| *r.name.get_ref() == run.view.runbook)
            .and_then(|r| r.step(&id))
            .is_some_and(|s| s.choose.is_some())
    }

    /// The options and preselected option of a decision step's live need.
    fn choice_of(&self, step: &str) -> Option<(Vec<ChoiceView>, Option<usize>)> {
        let s = self.runbooks.run.as_ref()?.view.step(step)?;
        match &s.need {
            Some(Need::Choice {
                options,
                preselected,
            }) => Some((options.clone(), *preselected)),
            _ => None,
        }
    }

    /// A runbook picked: declare first if no incident is open, then its inputs.
    fn pick(&mut self, runbook: Arc<Runbook>) {
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
        if self.open_incident().is_none() {
            self.declare_for(&runbook);
        } else {
            self.open_start_form(runbook);
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

/// The next option that can be chosen, up or down; stays put when there is none.
fn next_available(options: &[ChoiceView], from: usize, down: bool) -> usize {
    let mut i = from;
    loop {
        let next = if down {
            i + 1
        } else {
            match i.checked_sub(1) {
                Some(n) => n,
                None => return from,
            }
        };
        match options.get(next) {
            Some(o) if o.available => return next,
            Some(_) => i = next,
            None => return from,
        }
    }
}
