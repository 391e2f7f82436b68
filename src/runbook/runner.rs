//! The engine's inside: walking a runbook's lists and groups, the journal of each
//! transition, and what a resumed run takes from the journal.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::engine::{
    Command, Event, Need, PhaseView, RunOptions, RunState, RunView, StepState, StepView,
};
use super::model::{Items, OnFailure, Runbook, Step, StepKind};
use super::vars::Scope;
use crate::action::{ActionError, Executor};
use crate::cloud::Cloud;
use crate::incident::record::{Record, StepOutcome};

/// Steps that ended well, by path: how, and their outputs.
pub(super) type Finished = BTreeMap<String, (StepOutcome, BTreeMap<String, String>)>;

/// What the run shares between its steps.
pub(super) struct Shared {
    pub runbook: Arc<Runbook>,
    pub executor: Arc<Executor>,
    pub cloud: Arc<dyn Cloud>,
    pub options: RunOptions,
    pub run: String,
    pub view: Arc<Mutex<RunView>>,
    pub events: mpsc::UnboundedSender<Event>,
    /// Steps waiting for a person, by path: where their command goes.
    pub waiters: Mutex<HashMap<String, mpsc::UnboundedSender<Command>>>,
    pub cancelled: AtomicBool,
    /// Steps that ended well (this run or, resumed, an earlier process): not run again.
    pub finished: Mutex<Finished>,
    /// Steps started and not finished when the run stopped: planned again, never re-sent.
    pub in_flight: BTreeSet<String>,
    /// Failed steps whose `on_failure` goes to a step: expected paths, not failures of the
    /// group or the run.
    pub tolerated: Mutex<BTreeSet<String>>,
    /// Inputs given so far (up front, from the journal, or by an `input` step).
    pub inputs: Mutex<BTreeMap<String, String>>,
}

/// How a step ended, for the list it is in.
pub(super) struct Ended {
    pub outcome: StepOutcome,
    pub outputs: BTreeMap<String, String>,
    /// The step to go to instead of the next (a decision's option, `on_failure = goto:`).
    pub goto: Option<String>,
    pub detail: Option<String>,
}

impl Ended {
    /// An end with no outputs and no jump: skipped, failed or cancelled, and why.
    pub fn with(outcome: StepOutcome, detail: impl Into<String>) -> Ended {
        Ended {
            outcome,
            outputs: BTreeMap::new(),
            goto: None,
            detail: Some(detail.into()),
        }
    }

    pub fn ok(outputs: BTreeMap<String, String>) -> Ended {
        Ended {
            outcome: StepOutcome::Succeeded,
            outputs,
            goto: None,
            detail: None,
        }
    }
}

/// Why a step did not succeed, and whether trying again may help.
pub(super) struct StepFailure {
    pub message: String,
    pub retryable: bool,
    /// What the step found even so (a check that did not pass: its figures), for the steps
    /// after it when its `on_failure` goes on.
    pub outputs: BTreeMap<String, String>,
}

impl From<ActionError> for StepFailure {
    fn from(e: ActionError) -> Self {
        StepFailure {
            outputs: BTreeMap::new(),
            retryable: e.retryable(),
            message: match &e {
                ActionError::Cloud(c) => match c.hint() {
                    Some(h) => format!("{e} ({h})"),
                    None => e.to_string(),
                },
                _ => e.to_string(),
            },
        }
    }
}

impl Shared {
    pub fn now(&self) -> DateTime<Utc> {
        self.cloud.now()
    }

    pub fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Changes one step of the view and says so.
    pub fn update(&self, path: &str, f: impl FnOnce(&mut StepView)) {
        {
            let mut view = self.view.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(step) = view.steps.iter_mut().find(|s| s.path == path) {
                f(step);
            }
        }
        self.emit(Event::Changed(path.to_owned()));
    }

    pub fn log(&self, path: &str, line: impl Into<String>) {
        let line = line.into();
        self.update(path, |s| {
            s.log.push(line.clone());
            let over = s.log.len().saturating_sub(200);
            s.log.drain(..over);
        });
        self.emit(Event::Progress {
            step: path.to_owned(),
            line,
        });
    }

    /// Steps that failed and whose failure stands (not one a `goto` expected), with the
    /// error.
    pub fn failed(&self) -> Vec<(String, Option<String>)> {
        let tolerated = self.tolerated.lock().unwrap_or_else(|p| p.into_inner());
        self.view
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .steps
            .iter()
            .filter(|s| s.state == StepState::Failed && !tolerated.contains(&s.path))
            .map(|s| (s.path.clone(), s.error.clone()))
            .collect()
    }

    pub fn set_run_state(&self, state: RunState) {
        let mut view = self.view.lock().unwrap_or_else(|p| p.into_inner());
        view.state = state;
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Shows `need` on the step and waits for the command that answers it (or a cancel).
    pub async fn ask(&self, path: &str, need: Need) -> Command {
        let (tx, mut rx) = mpsc::unbounded_channel();
        self.waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_owned(), tx);
        self.update(path, |s| {
            s.state = StepState::Waiting;
            s.need = Some(need);
        });
        let command = if self.is_cancelled() {
            Command::Cancel
        } else {
            rx.recv().await.unwrap_or(Command::Cancel)
        };
        self.waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(path);
        self.update(path, |s| {
            s.need = None;
            if s.state == StepState::Waiting {
                s.state = StepState::Running;
            }
        });
        command
    }

    /// Routes a driver's command to the step waiting for it; a cancel reaches every one.
    pub fn route(&self, command: Command) {
        let waiters = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        if command == Command::Cancel {
            self.cancelled.store(true, Ordering::SeqCst);
            for tx in waiters.values() {
                let _ = tx.send(Command::Cancel);
            }
            return;
        }
        let path = match &command {
            Command::Run(p) | Command::Retry(p) => p,
            Command::Confirm { step, .. }
            | Command::Provide { step, .. }
            | Command::Choose { step, .. }
            | Command::Done { step, .. }
            | Command::Skip { step, .. } => step,
            Command::Cancel => unreachable!("handled above"),
        };
        if let Some(tx) = waiters.get(path) {
            let _ = tx.send(command);
        }
    }

    pub async fn journal(&self, record: Record) -> Result<(), StepFailure> {
        self.executor
            .journal(record)
            .await
            .map(|_| ())
            .map_err(StepFailure::from)
    }

    /// The scope every step starts from: the estate, the run, the inputs so far.
    pub fn inputs_scope(&self, base: &Scope) -> Scope {
        let mut scope = base.clone();
        for (k, v) in self.inputs.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            scope.set(format!("inputs.{k}"), v.clone());
        }
        scope
    }
}

/// The path of `id` inside `prefix`.
pub(super) fn join(prefix: &str, id: &str) -> String {
    if prefix.is_empty() {
        id.to_owned()
    } else {
        format!("{prefix}/{id}")
    }
}

/// Runs `steps` in order from the first, following `next`, gotos and decisions; steps
/// passed over are skipped. Returns the scope with the steps' outputs, or `None` when the
/// run was cancelled.
pub(super) async fn run_list(
    shared: &Arc<Shared>,
    steps: &[Step],
    prefix: &str,
    mut scope: Scope,
) -> Option<Scope> {
    let mut i = 0;
    while i < steps.len() {
        let step = &steps[i];
        let path = join(prefix, step.id.get_ref());
        if shared.is_cancelled() {
            for rest in &steps[i..] {
                mark_tree(
                    shared,
                    &join(prefix, rest.id.get_ref()),
                    StepState::Cancelled,
                );
            }
            return None;
        }
        let ended = run_with_policy(shared, step, &path, &scope).await?;
        for (k, v) in &ended.outputs {
            scope.set(format!("steps.{}.{k}", step.id.get_ref()), v.clone());
        }
        if step.kind.get_ref() == &StepKind::Input
            && let (Some(name), Some(value)) = (&step.input, ended.outputs.get("value"))
        {
            scope.set(format!("inputs.{}", name.get_ref()), value.clone());
        }
        let goto = ended
            .goto
            .clone()
            .or_else(|| step.next.as_ref().map(|n| n.get_ref().clone()));
        let to = match goto {
            Some(id) => steps
                .iter()
                .position(|s| s.id.get_ref() == &id)
                .unwrap_or(steps.len()),
            None => i + 1,
        };
        for passed in steps.iter().take(to).skip(i + 1) {
            let p = join(prefix, passed.id.get_ref());
            skip_tree(shared, &p, "not on the path taken").await;
        }
        i = to.max(i + 1);
    }
    Some(scope)
}

/// A step with its attempts and its `on_failure`; `None` when the run was cancelled.
async fn run_with_policy(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Option<Ended> {
    if let Some((outcome, outputs)) = shared
        .finished
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(path)
        .cloned()
    {
        let state = match outcome {
            StepOutcome::Skipped => StepState::Skipped,
            _ => StepState::Succeeded,
        };
        shared.update(path, |s| {
            s.state = state;
            s.outputs = outputs.clone();
            s.log.push("done before the run was resumed".to_owned());
        });
        let goto = decision_goto(step, &outputs);
        return Some(Ended {
            outcome,
            outputs,
            goto,
            detail: None,
        });
    }
    let max = step
        .max_attempts
        .as_ref()
        .map_or(1, |m| *m.get_ref())
        .max(1);
    let policy = step
        .on_failure
        .as_ref()
        .and_then(|p| OnFailure::parse(p.get_ref()).ok())
        .unwrap_or(OnFailure::Abort);
    loop {
        let mut attempt = 0;
        let failure = loop {
            attempt += 1;
            let started = shared.now();
            shared.update(path, |s| {
                s.state = StepState::Running;
                s.attempts += 1;
                s.started.get_or_insert(started);
                s.finished = None;
                s.error = None;
            });
            if shared
                .journal(Record::StepStarted {
                    run: Some(shared.run.clone()),
                    step: path.to_owned(),
                    title: Some(step.title.clone()),
                })
                .await
                .is_err()
            {
                shared.log(path, "the journal could not record the step's start");
            }
            let result = super::steps::run_step(shared, step, path, scope).await;
            match result {
                Ok(Some(ended)) => {
                    finish(shared, path, &ended).await;
                    return Some(ended);
                }
                Ok(None) => {
                    finish_cancelled(shared, path).await;
                    return None;
                }
                Err(failure) if failure.retryable && attempt < max => {
                    shared.log(
                        path,
                        format!("attempt {attempt} of {max} failed: {}", failure.message),
                    );
                    shared
                        .cloud
                        .pause(std::time::Duration::from_secs(2 * attempt as u64))
                        .await;
                }
                Err(failure) => break failure,
            }
        };
        let ended = Ended {
            outcome: StepOutcome::Failed,
            outputs: failure.outputs.clone(),
            goto: None,
            detail: Some(failure.message.clone()),
        };
        finish(shared, path, &ended).await;
        shared.update(path, |s| {
            s.error = Some(failure.message.clone());
            s.retryable = failure.retryable;
        });
        match &policy {
            OnFailure::Continue => return Some(ended),
            OnFailure::Goto(to) => {
                // A failure with a branch of its own is a path the runbook expects (a
                // table that is gone goes to its restore): it fails neither its group nor
                // the run.
                shared
                    .tolerated
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(path.to_owned());
                return Some(Ended {
                    goto: Some(to.clone()),
                    ..ended
                });
            }
            OnFailure::Abort => {}
        }
        shared.set_run_state(RunState::Failed);
        shared.emit(Event::Finished(RunState::Failed));
        match shared.ask(path, Need::Retry).await {
            Command::Retry(_) => {
                shared.set_run_state(RunState::Running);
                shared.update(path, |s| {
                    s.state = StepState::Running;
                    s.error = None;
                });
            }
            Command::Skip { reason, .. } => {
                shared.set_run_state(RunState::Running);
                let ended = Ended::with(
                    StepOutcome::Skipped,
                    format!("skipped after failing: {reason}"),
                );
                finish(shared, path, &ended).await;
                return Some(ended);
            }
            _ => {
                finish_cancelled(shared, path).await;
                return None;
            }
        }
    }
}

/// Where a finished decision goes: its option's `goto`.
fn decision_goto(step: &Step, outputs: &BTreeMap<String, String>) -> Option<String> {
    let choice = outputs.get("choice")?;
    step.options
        .iter()
        .find(|o| o.id.get_ref() == choice)
        .and_then(|o| o.goto.as_ref().map(|g| g.get_ref().clone()))
}

async fn finish(shared: &Arc<Shared>, path: &str, ended: &Ended) {
    let state = match ended.outcome {
        StepOutcome::Succeeded => StepState::Succeeded,
        StepOutcome::Failed => StepState::Failed,
        StepOutcome::Skipped => StepState::Skipped,
        StepOutcome::Cancelled => StepState::Cancelled,
    };
    let now = shared.now();
    shared.update(path, |s| {
        s.state = state;
        s.finished = Some(now);
        s.outputs = ended.outputs.clone();
        if let Some(detail) = &ended.detail {
            s.log.push(detail.clone());
        }
    });
    if ended.outcome == StepOutcome::Skipped {
        mark_tree(shared, path, StepState::Skipped);
    }
    if matches!(ended.outcome, StepOutcome::Succeeded | StepOutcome::Skipped) {
        shared
            .finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_owned(), (ended.outcome, ended.outputs.clone()));
    }
    let recorded = shared
        .journal(Record::StepFinished {
            run: Some(shared.run.clone()),
            step: path.to_owned(),
            outcome: ended.outcome,
            detail: ended.detail.clone(),
            outputs: ended.outputs.clone(),
        })
        .await;
    if let Err(e) = recorded {
        shared.log(
            path,
            format!("the journal could not record the step's end: {}", e.message),
        );
    }
}

async fn finish_cancelled(shared: &Arc<Shared>, path: &str) {
    let ended = Ended::with(StepOutcome::Cancelled, "cancelled");
    finish(shared, path, &ended).await;
    mark_tree(shared, path, StepState::Cancelled);
}

/// A step passed over, and its nested steps, are skipped (journalled once, for the step).
async fn skip_tree(shared: &Arc<Shared>, path: &str, why: &str) {
    let already = shared
        .view
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .step(path)
        .is_some_and(|s| s.state != StepState::Pending);
    if already {
        return;
    }
    let ended = Ended::with(StepOutcome::Skipped, why);
    finish(shared, path, &ended).await;
    mark_tree(shared, path, StepState::Skipped);
}

/// Sets every pending step under `path` (and `path` itself if pending) to `state`.
pub(super) fn mark_tree(shared: &Shared, path: &str, state: StepState) {
    let under = format!("{path}/");
    let changed: Vec<String> = {
        let mut view = shared.view.lock().unwrap_or_else(|p| p.into_inner());
        view.steps
            .iter_mut()
            .filter(|s| {
                (s.path == path || s.path.starts_with(&under))
                    && matches!(s.state, StepState::Pending | StepState::Waiting)
            })
            .map(|s| {
                s.state = state;
                s.need = None;
                s.path.clone()
            })
            .collect()
    };
    for p in changed {
        shared.emit(Event::Changed(p));
    }
}

/// Runs a group: a `parallel`'s children, or a `for_each`'s body once per item, at most
/// `concurrency` at once. The group fails when any of its steps ended failed.
pub(super) async fn run_group(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let bound = step.concurrency.as_ref().map_or(4, |c| *c.get_ref()).max(1);
    let lanes: Vec<(String, Vec<Step>, Scope)> = match step.kind.get_ref() {
        StepKind::Parallel => step
            .steps
            .iter()
            .map(|child| (path.to_owned(), vec![child.clone()], scope.clone()))
            .collect(),
        _ => {
            let items = items(shared, step, scope)?;
            add_item_rows(shared, step, path, &items);
            items
                .into_iter()
                .map(|item| {
                    let mut s = scope.clone();
                    s.set("item", item.clone());
                    (join(path, &item), step.steps.clone(), s)
                })
                .collect()
        }
    };
    // A group at the top level is started by a person, once: its steps then go by
    // themselves (destructive ones still ask for the typed name).
    if shared.options.ask_before_writes && !path.contains('/') {
        let mut preview = vec![format!(
            "{} at once at most, for: {}",
            bound,
            lanes
                .iter()
                .map(|(prefix, steps, _)| match step.kind.get_ref() {
                    StepKind::Parallel => steps[0].title.clone(),
                    _ => prefix.rsplit('/').next().unwrap_or_default().to_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if step.kind.get_ref() == &StepKind::ForEach {
            preview.extend(step.steps.iter().map(|s| {
                let what = s.action.as_ref().or(s.check.as_ref());
                match what {
                    Some(a) => format!("  {} ({})", s.title, a.get_ref()),
                    None => format!("  {}", s.title),
                }
            }));
        }
        shared.update(path, |s| s.preview = preview);
        match shared.ask(path, Need::Start).await {
            Command::Run(_) => {}
            Command::Skip { reason, .. } => {
                return Ok(Some(Ended::with(
                    StepOutcome::Skipped,
                    format!("skipped: {reason}"),
                )));
            }
            _ => return Ok(None),
        }
    }
    shared.log(
        path,
        format!(
            "{} lane{} at most {bound} at once",
            lanes.len(),
            if lanes.len() == 1 { "," } else { "s," }
        ),
    );
    let results: Vec<Option<Scope>> = futures::stream::iter(lanes)
        .map(|(prefix, steps, scope)| {
            let shared = Arc::clone(shared);
            async move { run_list(&shared, &steps, &prefix, scope).await }
        })
        .buffer_unordered(bound)
        .collect()
        .await;
    if results.iter().any(Option::is_none) {
        return Ok(None);
    }
    let under = format!("{path}/");
    let failed: Vec<String> = shared
        .failed()
        .into_iter()
        .filter(|(p, _)| p.starts_with(&under))
        .map(|(p, _)| p)
        .collect();
    if failed.is_empty() {
        Ok(Some(Ended::ok(BTreeMap::new())))
    } else {
        Err(StepFailure {
            outputs: BTreeMap::new(),
            message: format!("failed: {}", failed.join(", ")),
            retryable: true,
        })
    }
}

/// The items a `for_each` runs over, from the estate or an input.
fn items(shared: &Shared, step: &Step, scope: &Scope) -> Result<Vec<String>, StepFailure> {
    let spec = step
        .for_each
        .as_ref()
        .map(|f| f.get_ref().as_str())
        .unwrap_or("tables");
    let invalid = |message: String| StepFailure {
        outputs: BTreeMap::new(),
        message,
        retryable: false,
    };
    let spec = scope.render(spec).map_err(invalid)?;
    let estate = shared.executor.estate();
    let names = |v: &[toml::Spanned<String>]| v.iter().map(|n| n.get_ref().clone()).collect();
    let service = |name: &str| {
        estate
            .services
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| invalid(format!("no service `{name}` in the estate file")))
    };
    Ok(match Items::parse(&spec).map_err(invalid)? {
        Items::Tables => crate::action::TargetKind::Table.names(estate),
        Items::Buckets => crate::action::TargetKind::Bucket.names(estate),
        Items::Functions => crate::action::TargetKind::Function.names(estate),
        Items::TablesOf(s) => names(&service(&s)?.tables),
        Items::BucketsOf(s) => names(&service(&s)?.buckets),
        Items::FunctionsOf(s) => names(&service(&s)?.functions),
        Items::Input(name) => scope
            .get(&format!("inputs.{name}"))
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Puts a `for_each`'s rows (once per item) under its row, if they are not there yet.
fn add_item_rows(shared: &Shared, step: &Step, path: &str, items: &[String]) {
    let mut view = shared.view.lock().unwrap_or_else(|p| p.into_inner());
    let Some(at) = view.steps.iter().position(|s| s.path == path) else {
        return;
    };
    let under = format!("{path}/");
    if view.steps.iter().any(|s| s.path.starts_with(&under)) {
        return;
    }
    let (phase, depth) = (view.steps[at].phase.clone(), view.steps[at].depth);
    let mut rows = Vec::new();
    for item in items {
        rows_for(
            &step.steps,
            &join(path, item),
            &phase,
            depth + 1,
            Some(item),
            &mut rows,
        );
    }
    let tail = view.steps.split_off(at + 1);
    view.steps.extend(rows);
    view.steps.extend(tail);
}

/// The view's rows for `steps` (a for_each's body only once its items are known).
pub(super) fn rows_for(
    steps: &[Step],
    prefix: &str,
    phase: &str,
    depth: usize,
    item: Option<&String>,
    out: &mut Vec<StepView>,
) {
    for step in steps {
        let path = join(prefix, step.id.get_ref());
        // A for_each row names its item where the title asks for it.
        let title = match item {
            Some(item) => step
                .title
                .replace("{{ item }}", item)
                .replace("{{item}}", item),
            None => step.title.clone(),
        };
        out.push(StepView {
            depth,
            item: item.cloned(),
            target: step.target.as_ref().map(|t| *t.get_ref()),
            max_attempts: step.max_attempts.as_ref().map_or(1, |m| *m.get_ref()),
            operation: step
                .action
                .as_ref()
                .or(step.check.as_ref())
                .map(|a| a.get_ref().clone()),
            instructions: step.instructions.clone(),
            message: step.message.as_ref().map(|m| m.get_ref().clone()),
            ..StepView::pending(&path, &title, *step.kind.get_ref(), phase)
        });
        if step.kind.get_ref() == &StepKind::Parallel {
            rows_for(&step.steps, &path, phase, depth + 1, item, out);
        }
    }
}

/// The view of a run before its first step.
pub(super) fn initial_view(
    runbook: &Runbook,
    run: &str,
    started: DateTime<Utc>,
    inputs: &BTreeMap<String, String>,
) -> RunView {
    let mut steps = Vec::new();
    for phase in &runbook.phases {
        rows_for(&phase.steps, "", phase.id.get_ref(), 0, None, &mut steps);
    }
    RunView {
        run: run.to_owned(),
        runbook: runbook.name.get_ref().clone(),
        title: runbook.title.clone(),
        started,
        finished: None,
        target: runbook.target.as_ref().map(|t| *t.get_ref()),
        state: RunState::Running,
        inputs: inputs.clone(),
        phases: runbook
            .phases
            .iter()
            .map(|p| PhaseView {
                id: p.id.get_ref().clone(),
                title: p.title.clone(),
                target: p.target.as_ref().map(|t| *t.get_ref()),
            })
            .collect(),
        steps,
    }
}
