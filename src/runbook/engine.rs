//! The engine: one run of one runbook, a state machine per step driven by events.
//!
//! The engine knows no terminal. A driver (the console, the headless runner) starts a run,
//! reads its [`Event`]s and [`RunView`], and answers what a step needs ([`Need`]) with a
//! [`Command`]. Every transition is journalled through the executor's journal, so a run
//! that stopped (a crash, a kill, a closed laptop) is resumed from the journal: a step that
//! was in flight is planned again, and its action's precheck decides what is left to send.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::mpsc;

use super::model::{InputKind, Runbook, StepKind};
use super::runner::Shared;
use crate::action::{Danger, Executor};
use crate::cloud::Cloud;
use crate::config::Dur;
use crate::incident::record::{Record, StepOutcome};

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    /// Waiting for a person: see the step's [`Need`].
    Waiting,
    Running,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

impl StepState {
    pub fn label(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Waiting => "waiting",
            StepState::Running => "running",
            StepState::Succeeded => "succeeded",
            StepState::Failed => "failed",
            StepState::Skipped => "skipped",
            StepState::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            StepState::Succeeded | StepState::Skipped | StepState::Cancelled
        )
    }
}

/// What a waiting step needs from a person (or the headless runner's flags).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "need")]
pub enum Need {
    /// A write, previewed in the step's `preview`: [`Command::Run`] sends it.
    Start,
    /// A destructive write: [`Command::Confirm`] with `name` typed back.
    Confirm { name: String },
    /// A manual step: [`Command::Done`] once it is done.
    Done,
    /// A value: [`Command::Provide`]. `hint` says what is allowed (the PITR window); `error`
    /// why the last value was refused.
    Input {
        prompt: String,
        kind: InputKind,
        default: Option<String>,
        choices: Vec<String>,
        hint: Option<String>,
        error: Option<String>,
    },
    /// A choice: [`Command::Choose`] with an option's id and the rationale.
    Choice {
        options: Vec<ChoiceView>,
        preselected: Option<usize>,
    },
    /// The step failed and may succeed if tried again: [`Command::Retry`], or
    /// [`Command::Skip`] to go on without it.
    Retry,
}

/// One option of a decision, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceView {
    pub id: String,
    pub label: String,
    /// More: for a restore source, its point in time, the data loss and the RPO verdict.
    pub detail: Option<String>,
    /// False for a source that is listed but cannot be used now (why is in `detail`).
    pub available: bool,
}

/// What a driver tells the engine. Steps are named by their path (see [`StepView::path`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Run(String),
    Confirm {
        step: String,
        typed: String,
    },
    Provide {
        step: String,
        value: String,
    },
    Choose {
        step: String,
        option: String,
        rationale: String,
    },
    Done {
        step: String,
        note: Option<String>,
    },
    Skip {
        step: String,
        reason: String,
    },
    Retry(String),
    /// Stops the run before its next step (a write in flight finishes and is recorded).
    Cancel,
}

/// What the engine tells its driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A step changed state or need: read it from the view.
    Changed(String),
    /// A line of progress of a running step (a wait's look, an action's write i of n).
    Progress { step: String, line: String },
    /// The run ended (or stopped to wait for a person after a failure that aborts).
    Finished(RunState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Succeeded,
    /// A step failed and its `on_failure` is `abort`: retry it, skip it, or cancel.
    Failed,
    Cancelled,
}

/// One step of a run as a driver shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    /// `ID` at the top level; `GROUP/ITEM/ID` inside a `for_each`, `GROUP/ID` inside a
    /// `parallel`.
    pub path: String,
    pub id: String,
    pub title: String,
    pub kind: StepKind,
    pub phase: String,
    /// 0 at the top level.
    pub depth: usize,
    /// The `for_each` item the step runs for.
    pub item: Option<String>,
    pub state: StepState,
    pub need: Option<Need>,
    /// On the cloud's clock (the simulation's in `--demo`).
    pub started: Option<DateTime<Utc>>,
    pub finished: Option<DateTime<Utc>>,
    pub target: Option<Dur>,
    pub attempts: u32,
    pub max_attempts: u32,
    /// The action or check, and what it acts on, once rendered.
    pub operation: Option<String>,
    pub resource: Option<String>,
    pub danger: Option<Danger>,
    pub instructions: Option<String>,
    /// A manual step's status update: the template whose copy or post marks it done.
    pub message: Option<String>,
    /// The plan's preview lines, once planned.
    pub preview: Vec<String>,
    /// Progress and results, newest last (the last 200 lines).
    pub log: Vec<String>,
    pub request_ids: Vec<String>,
    pub error: Option<String>,
    pub retryable: bool,
    pub outputs: BTreeMap<String, String>,
}

impl StepView {
    /// A step not yet reached: pending, nothing planned, run or logged. `path`'s last part
    /// is its id.
    pub fn pending(path: &str, title: &str, kind: StepKind, phase: &str) -> StepView {
        StepView {
            path: path.to_owned(),
            id: path.rsplit('/').next().unwrap_or(path).to_owned(),
            title: title.to_owned(),
            kind,
            phase: phase.to_owned(),
            depth: 0,
            item: None,
            state: StepState::Pending,
            need: None,
            started: None,
            finished: None,
            target: None,
            attempts: 0,
            max_attempts: 1,
            operation: None,
            resource: None,
            danger: None,
            instructions: None,
            message: None,
            preview: Vec::new(),
            log: Vec::new(),
            request_ids: Vec::new(),
            error: None,
            retryable: false,
            outputs: BTreeMap::new(),
        }
    }
}

/// A phase of a run as a driver shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseView {
    pub id: String,
    pub title: String,
    pub target: Option<Dur>,
}

/// A whole run as a driver shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    pub run: String,
    pub runbook: String,
    pub title: String,
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    pub target: Option<Dur>,
    pub state: RunState,
    pub inputs: BTreeMap<String, String>,
    pub phases: Vec<PhaseView>,
    /// Every step in checklist order (a `for_each`'s steps once per item, under it).
    pub steps: Vec<StepView>,
}

impl RunView {
    pub fn step(&self, path: &str) -> Option<&StepView> {
        self.steps.iter().find(|s| s.path == path)
    }

    /// The steps waiting for a person, in checklist order.
    pub fn waiting(&self) -> impl Iterator<Item = &StepView> {
        self.steps.iter().filter(|s| s.need.is_some())
    }
}

/// Which manual steps a driver marks done without asking (headless `--done`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Manual {
    /// Each waits for [`Command::Done`].
    #[default]
    Ask,
    All,
    These(BTreeSet<String>),
}

/// How a run starts.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Values of the runbook's inputs given up front (`--input k=v`, the console's form).
    pub inputs: BTreeMap<String, String>,
    /// Writes at the top level wait for [`Command::Run`] (the console). Off, every write
    /// that is not destructive starts by itself (the headless runner); a group's steps
    /// always start with the group.
    pub ask_before_writes: bool,
    /// Names a headless run may type back for destructive steps (`--confirm NAME`).
    pub confirm: BTreeSet<String>,
    pub manual: Manual,
    /// Decisions take their preselected option (headless), unless `choose` names one.
    pub take_preselected: bool,
    /// `STEP=OPTION`, for decisions a headless run answers.
    pub choose: BTreeMap<String, String>,
    /// Resume this run from the journal instead of starting a new one.
    pub resume: Option<String>,
    /// How often a `wait` step looks again (5 s unless set).
    pub poll_every: Option<std::time::Duration>,
    /// A drill: every step's target and arguments put in drill form before it runs.
    pub drill: Option<Arc<dyn Rewrite>>,
}

/// How a drill renames what a step touches, applied where the step is resolved (its
/// resource and arguments rendered), so a runbook needs no drill version of its own.
pub trait Rewrite: Send + Sync {
    /// An action step's target, and its arguments changed in place; or why the step cannot
    /// run in a drill (nothing is sent).
    fn action(
        &self,
        action: &dyn crate::action::Action,
        resource: &str,
        args: &mut BTreeMap<String, String>,
    ) -> Result<String, String>;
    /// What a check, a wait or an input's window reads instead of `resource`: the drill's
    /// copy when it has one, else `resource` itself.
    fn read(&self, resource: &str) -> String;
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Invalid(String),
    #[error("the journal could not record it: {0}")]
    Journal(String),
}

/// A started run: its view, its events, and the way to answer it.
pub struct RunHandle {
    pub run: String,
    view: Arc<Mutex<RunView>>,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
}

impl RunHandle {
    pub fn view(&self) -> RunView {
        self.view.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next event; `None` once the run's task has ended and every event was read.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// An event if one is ready (for a draw loop).
    pub fn try_event(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

/// Starts (or, with [`RunOptions::resume`], resumes) a run of `runbook` on a task of the
/// current runtime. Every write goes through `executor`; reads go to `cloud`. Inputs no
/// `input` step asks for must be given (or have a default) now.
pub async fn start(
    runbook: Arc<Runbook>,
    executor: Arc<Executor>,
    cloud: Arc<dyn Cloud>,
    options: RunOptions,
) -> Result<RunHandle, EngineError> {
    let name = runbook.name.get_ref().clone();
    if runbook.drill_only && !executor.is_drill() {
        return Err(EngineError::Invalid(drill_only_refusal(&name)));
    }
    let digest = super::load::digest(&toml::to_string(runbook.as_ref()).unwrap_or_default());
    let (run, started, past) = match &options.resume {
        Some(run) => {
            let past = resumed(&executor, run).await?;
            if past.runbook != name {
                return Err(EngineError::Invalid(format!(
                    "run {run} is of runbook {}, not {name}",
                    past.runbook
                )));
            }
            if past.finished {
                return Err(EngineError::Invalid(format!(
                    "run {run} has ended; start a new run instead"
                )));
            }
            (run.clone(), past.started, Some(past))
        }
        None => (run_id(&name), cloud.now(), None),
    };
    let base = super::vars::base_scope(executor.estate(), &run, started);
    let mut inputs = past.as_ref().map(|p| p.inputs.clone()).unwrap_or_default();
    inputs.extend(options.inputs.clone());
    let asked: BTreeSet<&str> = runbook
        .steps()
        .into_iter()
        .filter_map(|s| s.input.as_ref().map(|i| i.get_ref().as_str()))
        .collect();
    for input in &runbook.inputs {
        let key = input.name.get_ref();
        if let Some(known) = runbook.inputs.iter().find(|i| i.name.get_ref() == key)
            && !known.choices.is_empty()
            && let Some(value) = inputs.get(key)
            && !known.choices.iter().any(|c| c.eq_ignore_ascii_case(value))
        {
            return Err(EngineError::Invalid(format!(
                "input {key}: `{value}` is not one of: {}",
                known.choices.join(", ")
            )));
        }
        if asked.contains(key.as_str()) || inputs.contains_key(key) {
            continue;
        }
        match &input.default {
            Some(default) => {
                let value = base
                    .render(default.get_ref())
                    .map_err(|e| EngineError::Invalid(format!("input {key}: {e}")))?;
                inputs.insert(key.clone(), value);
            }
            None => {
                return Err(EngineError::Invalid(format!(
                    "{name} needs the input {key} ({}): --input {key}=…",
                    input.prompt
                )));
            }
        }
    }
    if let Some(unknown) = options
        .inputs
        .keys()
        .find(|k| !runbook.inputs.iter().any(|i| i.name.get_ref() == *k))
    {
        return Err(EngineError::Invalid(format!(
            "{name} has no input `{unknown}` (it takes: {})",
            runbook
                .inputs
                .iter()
                .map(|i| i.name.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if past.is_none() {
        executor
            .journal(Record::RunbookStarted {
                run: run.clone(),
                runbook: name.clone(),
                inputs: inputs.clone(),
                digest,
            })
            .await
            .map_err(|e| EngineError::Journal(e.to_string()))?;
    }
    let view = Arc::new(Mutex::new(super::runner::initial_view(
        &runbook, &run, started, &inputs,
    )));
    let (events_tx, events) = mpsc::unbounded_channel();
    let (commands, mut commands_rx) = mpsc::unbounded_channel();
    let (finished, in_flight) = past
        .map(|p| (p.finished_steps, p.in_flight))
        .unwrap_or_default();
    let shared = Arc::new(Shared {
        runbook: Arc::clone(&runbook),
        executor,
        cloud,
        options,
        run: run.clone(),
        view: Arc::clone(&view),
        events: events_tx,
        waiters: Mutex::new(Default::default()),
        cancelled: AtomicBool::new(false),
        finished: Mutex::new(finished),
        in_flight,
        tolerated: Mutex::new(BTreeSet::new()),
        inputs: Mutex::new(inputs),
    });
    let router = Arc::clone(&shared);
    tokio::spawn(async move {
        while let Some(command) = commands_rx.recv().await {
            router.route(command);
        }
    });
    tokio::spawn(drive(shared, base));
    Ok(RunHandle {
        run,
        view,
        commands,
        events,
    })
}

/// Why a drill-only runbook does not run here, and how to run it.
pub fn drill_only_refusal(name: &str) -> String {
    format!(
        "{name} runs only as a drill: its steps are written for drill copies, not production; \
         start it with `drconsole drill {name}`"
    )
}

/// The run, phase after phase, and its end in the journal.
async fn drive(shared: Arc<Shared>, base: super::vars::Scope) {
    let runbook = Arc::clone(&shared.runbook);
    let mut scope = base;
    let mut cancelled = false;
    for phase in &runbook.phases {
        match super::runner::run_list(&shared, &phase.steps, "", scope.clone()).await {
            Some(next) => scope = next,
            None => {
                cancelled = true;
                break;
            }
        }
    }
    if cancelled {
        for phase in &runbook.phases {
            for step in &phase.steps {
                super::runner::mark_tree(&shared, step.id.get_ref(), StepState::Cancelled);
            }
        }
    }
    // A nested failure is its group's: the top-level steps say whether the run failed.
    let failed: Vec<String> = shared
        .failed()
        .into_iter()
        .filter(|(path, _)| !path.contains('/'))
        .map(|(path, error)| match error {
            Some(e) => format!("{path}: {e}"),
            None => path,
        })
        .collect();
    let (state, outcome, detail) = if cancelled {
        (
            RunState::Cancelled,
            StepOutcome::Cancelled,
            Some("cancelled".to_owned()),
        )
    } else if failed.is_empty() {
        (RunState::Succeeded, StepOutcome::Succeeded, None)
    } else {
        (
            RunState::Failed,
            StepOutcome::Failed,
            Some(format!("failed: {}", failed.join("; "))),
        )
    };
    let now = shared.now();
    {
        let mut view = shared.view.lock().unwrap_or_else(|p| p.into_inner());
        view.state = state;
        view.finished = Some(now);
    }
    let _ = shared
        .executor
        .journal(Record::RunbookFinished {
            run: shared.run.clone(),
            runbook: runbook.name.get_ref().clone(),
            outcome,
            detail,
        })
        .await;
    shared.emit(Event::Finished(state));
}

/// What the journal says about an earlier run.
struct Past {
    runbook: String,
    started: DateTime<Utc>,
    inputs: BTreeMap<String, String>,
    finished: bool,
    finished_steps: super::runner::Finished,
    in_flight: BTreeSet<String>,
}

async fn resumed(executor: &Executor, run: &str) -> Result<Past, EngineError> {
    let dir = executor.journal_dir();
    let entries = tokio::task::spawn_blocking(move || {
        crate::incident::journal::Reader::open(&dir)?.collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| EngineError::Journal(e.to_string()))?
    .map_err(|e| EngineError::Journal(e.to_string()))?;
    let mut past: Option<Past> = None;
    for entry in &entries {
        let Some(record) = entry.record() else {
            continue;
        };
        match record {
            Record::RunbookStarted {
                run: r,
                runbook,
                inputs,
                ..
            } if r == run => {
                past = Some(Past {
                    runbook,
                    started: entry.at,
                    inputs,
                    finished: false,
                    finished_steps: BTreeMap::new(),
                    in_flight: BTreeSet::new(),
                });
            }
            _ if past.is_none() => {}
            Record::StepStarted {
                run: Some(r), step, ..
            } if r == run => {
                if let Some(p) = past.as_mut() {
                    p.in_flight.insert(step);
                }
            }
            Record::StepFinished {
                run: Some(r),
                step,
                outcome,
                outputs,
                ..
            } if r == run => {
                if let Some(p) = past.as_mut() {
                    p.in_flight.remove(&step);
                    match outcome {
                        StepOutcome::Succeeded | StepOutcome::Skipped => {
                            p.finished_steps.insert(step, (outcome, outputs));
                        }
                        _ => {
                            p.finished_steps.remove(&step);
                        }
                    }
                }
            }
            Record::InputGiven {
                run: r,
                name,
                value,
                ..
            } if r == run => {
                if let Some(p) = past.as_mut() {
                    p.inputs.insert(name, value);
                }
            }
            Record::RunbookFinished {
                run: r, outcome, ..
            } if r == run => {
                if let Some(p) = past.as_mut() {
                    p.finished = outcome != StepOutcome::Failed;
                }
            }
            _ => {}
        }
    }
    past.ok_or_else(|| {
        EngineError::Invalid(format!(
            "no run {run} in the journal at {}",
            executor.journal_dir().display()
        ))
    })
}

/// A run's id: the runbook, the time, and a few bits that differ between two runs started
/// in the same second.
fn run_id(runbook: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = Utc::now();
    let salt = (now.timestamp_subsec_nanos() ^ COUNTER.fetch_add(1, Ordering::Relaxed)) & 0xffff;
    format!("{runbook}-{}-{salt:04x}", now.format("%Y%m%dT%H%M%S"))
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
