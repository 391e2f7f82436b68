//! `drconsole runbook …`: the runbooks headless — list, show, check readiness, and run one
//! through the same engine, guards and journal as the console, answered by flags instead of
//! a person; a run that needs a person stops and says which flag to give.

mod dry_run;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Subcommand;
use serde_json::json;

use super::emit;
use crate::action::{Context, Recording};
use crate::cloud::{ErrorKind, identity_via_any};
use crate::config::Dur;
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::runbook::load::{self, LoadError, Loaded, Origin};
use crate::runbook::vars::base_scope;
use crate::runbook::{
    Command, EngineError, Event, Manual, Need, Readiness, RunOptions, RunState, RunView, Runbook,
    StepState, StepView, readiness,
};
use crate::session::{Session, SessionOptions};

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Every runbook: name, title, the plan's scenario, where it comes from (shipped, or the
    /// user's file that replaces it).
    List {
        /// Also check each one's readiness against the live estate (reads only).
        #[arg(long)]
        check: bool,
        #[arg(long)]
        json: bool,
    },
    /// One runbook: what it is for, where it departs from the plan, its inputs, phases and
    /// steps.
    Show { name: String },
    /// Would it succeed now? Reads only. Exit 0 ready, 1 blockers, 2 something could not be
    /// read, 3 a runbook or the estate file does not load, 4 AWS unreachable, 64 bad usage.
    Check {
        /// The runbook (or --all).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run a runbook without a terminal, or show with --dry-run what it would send. Exit 0
    /// succeeded, 2 a step failed (retry with --resume), 5 the journal could not be written,
    /// 6 stopped before a step that needs a flag (a confirmation, a manual step, an input or
    /// a choice: nothing of it was sent; the message says which flag), 64 bad input.
    Run {
        name: String,
        /// A value of the runbook's inputs, NAME=VALUE (repeatable).
        #[arg(long = "input", value_name = "NAME=VALUE")]
        inputs: Vec<String>,
        /// A destructive step's resource name, typed back (repeatable).
        #[arg(long, value_name = "NAME")]
        confirm: Vec<String>,
        /// Mark a manual step done (its path, repeatable), or `all`.
        #[arg(long, value_name = "STEP|all")]
        done: Vec<String>,
        /// Answer a decision, STEP=OPTION (repeatable); otherwise its preselected option.
        #[arg(long, value_name = "STEP=OPTION")]
        choose: Vec<String>,
        /// Show every request it would send, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// The incident to record it in (default: the only open one, else the operations
        /// journal).
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        /// Continue a run that stopped (its id, as the run printed it).
        #[arg(long, value_name = "RUN")]
        resume: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    command: RunbookCommand,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    let user_dir = dirs.config.as_ref().map(|d| d.join("runbooks"));
    match command {
        RunbookCommand::List { check, json } => {
            let session = Session::open(options).await?;
            list(&session, user_dir, check, json).await
        }
        RunbookCommand::Show { name } => {
            let session = Session::open(options).await?;
            let loaded = find(&name, user_dir, &session)?;
            let mut text = load::describe(&loaded).join("\n");
            text.push('\n');
            emit(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        RunbookCommand::Check { name, all, json } => {
            let session = Session::open(options).await?;
            let runbooks = if all {
                load::load_all(user_dir.as_deref(), &session.estate)?
            } else {
                vec![find(
                    name.as_deref().unwrap_or_default(),
                    user_dir,
                    &session,
                )?]
            };
            check(&session, &runbooks, all, json).await
        }
        RunbookCommand::Run {
            name,
            inputs,
            confirm,
            done,
            choose,
            dry_run,
            incident,
            resume,
            json,
        } => {
            let flags = Flags::parse(&inputs, &confirm, &done, &choose)?;
            let session = Session::open(options).await?;
            let loaded = find(&name, user_dir, &session)?;
            // Refused before anything is opened or planned: not even a dry run lists
            // production names for a runbook written for drill copies.
            if loaded.runbook.drill_only {
                return Err(Failure::Usage(crate::runbook::engine::drill_only_refusal(
                    &name,
                )));
            }
            if dry_run {
                return dry(&session, &loaded, &flags, json).await;
            }
            let recording = Recording::choose(&session, dirs, incident.as_deref())?;
            let executor = Arc::new(recording.executor(&session).await?);
            drive(&session, loaded, executor, flags, resume, json).await
        }
    }
}

fn find(name: &str, user_dir: Option<PathBuf>, session: &Session) -> Result<Loaded, Failure> {
    load::find(name, user_dir.as_deref(), &session.estate).map_err(|e| match e {
        LoadError::File(e) => Failure::Config(e),
        unknown @ LoadError::Unknown { .. } => Failure::Usage(unknown.to_string()),
    })
}

fn origin(loaded: &Loaded) -> String {
    match &loaded.origin {
        Origin::Shipped => "shipped".to_owned(),
        Origin::User(path) => path.display().to_string(),
    }
}

fn context(session: &Session) -> Context<'_> {
    Context {
        cloud: session.cloud.as_ref(),
        estate: &session.estate,
        now: session.cloud.now(),
    }
}

async fn list(
    session: &Session,
    user_dir: Option<PathBuf>,
    with_check: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let all = load::load_all(user_dir.as_deref(), &session.estate)?;
    let mut readiness = Vec::new();
    if with_check {
        let ctx = context(session);
        for loaded in &all {
            readiness.push(Some(readiness::check(&ctx, &loaded.runbook).await));
        }
    } else {
        readiness.resize(all.len(), None);
    }
    if json {
        let list: Vec<_> = all
            .iter()
            .zip(&readiness)
            .map(|(l, r)| {
                let mut v = json!({
                    "name": l.runbook.name.get_ref(),
                    "title": l.runbook.title,
                    "scenario": l.runbook.scenario,
                    "origin": origin(l),
                    "path": l.path,
                });
                if let Some(r) = r {
                    v["readiness"] = readiness_json(r);
                }
                v
            })
            .collect();
        emit(&format!("{}\n", pretty(&list)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        emit("no runbooks\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = all
        .iter()
        .map(|l| l.runbook.name.get_ref().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (l, r) in all.iter().zip(&readiness) {
        let scenario = l
            .runbook
            .scenario
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:<width$}  {}{scenario}  [{}]\n",
            l.runbook.name.get_ref(),
            l.runbook.title,
            origin(l)
        ));
        if let Some(r) = r {
            out.push_str(&format!("{:<width$}  {}\n", "", r.summary()));
        }
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn readiness_json(r: &Readiness) -> serde_json::Value {
    json!({
        "runbook": r.runbook,
        "ready": r.ready(),
        "summary": r.summary(),
        "blockers": r.blockers,
        "checked": r.checked,
    })
}

async fn check(
    session: &Session,
    runbooks: &[Loaded],
    all: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let ctx = context(session);
    let mut results = Vec::new();
    for loaded in runbooks {
        results.push(readiness::check(&ctx, &loaded.runbook).await);
    }
    let unknown = results.iter().any(|r| r.blockers.iter().any(|b| b.unknown));
    if unknown {
        // Nothing answered at all: a connection problem, not a runbook that cannot run.
        let estate = &session.estate;
        let regions = [
            estate.regions.primary.get_ref().as_str(),
            estate.regions.backup.get_ref().as_str(),
        ];
        if let (Err(e), _) = identity_via_any(session.cloud.as_ref(), &regions).await
            && matches!(e.kind, ErrorKind::Unreachable | ErrorKind::Credentials)
        {
            return Err(Failure::Unreachable(e));
        }
    }
    if json {
        let list: Vec<_> = results.iter().map(readiness_json).collect();
        let value = if all {
            serde_json::Value::Array(list)
        } else {
            list.into_iter().next().unwrap_or_default()
        };
        emit(&format!("{}\n", pretty(&value)?))?;
    } else {
        let mut out = String::new();
        for r in &results {
            out.push_str(&format!("{}\n", r.summary()));
            for b in &r.blockers {
                let step = if b.step.is_empty() {
                    String::new()
                } else {
                    format!(" (step {})", b.step)
                };
                out.push_str(&format!(
                    "  {}{step}: {}\n",
                    if b.unknown { "unknown" } else { "blocker" },
                    b.what
                ));
            }
            for c in &r.checked {
                out.push_str(&format!("  checked: {c}\n"));
            }
        }
        emit(&out)?;
    }
    Ok(ExitCode::from(if unknown {
        2
    } else if results.iter().any(|r| !r.ready()) {
        1
    } else {
        0
    }))
}

/// The flags of `runbook run`, checked before anything is read.
#[derive(Debug, Default)]
pub(super) struct Flags {
    given: dry_run::Given,
}

impl Flags {
    pub(super) fn parse(
        inputs: &[String],
        confirm: &[String],
        done: &[String],
        choose: &[String],
    ) -> Result<Flags, Failure> {
        let pairs = |flag: &str, values: &[String]| -> Result<BTreeMap<String, String>, Failure> {
            let mut map = BTreeMap::new();
            for v in values {
                let (k, val) = v
                    .split_once('=')
                    .filter(|(k, _)| !k.trim().is_empty())
                    .ok_or_else(|| Failure::Usage(format!("--{flag} `{v}` is not NAME=VALUE")))?;
                if map.insert(k.trim().to_owned(), val.to_owned()).is_some() {
                    return Err(Failure::Usage(format!(
                        "--{flag} {} is given twice",
                        k.trim()
                    )));
                }
            }
            Ok(map)
        };
        let mut given = dry_run::Given {
            inputs: pairs("input", inputs)?,
            choose: pairs("choose", choose)?,
            confirm: confirm.iter().map(|c| c.trim().to_owned()).collect(),
            ..dry_run::Given::default()
        };
        for d in done {
            if d.trim() == "all" {
                given.done_all = true;
            } else {
                given.done.insert(d.trim().to_owned());
            }
        }
        Ok(Flags { given })
    }

    pub(super) fn options(&self, resume: Option<String>) -> RunOptions {
        let g = &self.given;
        RunOptions {
            inputs: g.inputs.clone(),
            ask_before_writes: false,
            confirm: g.confirm.clone(),
            manual: if g.done_all {
                Manual::All
            } else if g.done.is_empty() {
                Manual::Ask
            } else {
                Manual::These(g.done.clone())
            },
            take_preselected: true,
            choose: g.choose.clone(),
            resume,
            poll_every: None,
            drill: None,
        }
    }
}

async fn dry(
    session: &Session,
    loaded: &Loaded,
    flags: &Flags,
    json: bool,
) -> Result<ExitCode, Failure> {
    let ctx = context(session);
    let scope = base_scope(&session.estate, "dry-run", ctx.now);
    let planned = dry_run::plan(&ctx, &loaded.runbook, scope, &flags.given).await;
    if json {
        emit(&format!("{}\n", pretty(&planned)?))?;
    } else {
        emit(&dry_run::text(&loaded.runbook, &planned))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// How long an idle run (nothing running, a step waiting for a person) may stay quiet before
/// the headless runner takes it as stopped: a parallel branch that just finished may be
/// about to start its next step.
const SETTLE: Duration = Duration::from_millis(500);

/// Runs the engine to its end, or to a step that needs what no flag gave.
async fn drive(
    session: &Session,
    loaded: Loaded,
    executor: Arc<crate::action::Executor>,
    flags: Flags,
    resume: Option<String>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let name = loaded.runbook.name.get_ref().clone();
    let runbook = Arc::new(loaded.runbook);
    let journal = executor.journal_dir();
    let mut handle = crate::runbook::start(
        Arc::clone(&runbook),
        executor,
        Arc::clone(&session.cloud),
        flags.options(resume.clone()),
    )
    .await
    .map_err(|e| match e {
        EngineError::Invalid(m) => Failure::Usage(m),
        EngineError::Journal(m) => Failure::Incident(m),
    })?;
    let run = handle.run.clone();
    let live = std::io::stderr().is_terminal() && !json;
    eprintln!(
        "{} {name}: run {run} (journal {})",
        if resume.is_some() {
            "resuming"
        } else {
            "running"
        },
        journal.display()
    );
    let mut seen: BTreeMap<String, StepState> = BTreeMap::new();
    let finished = loop {
        let view = handle.view();
        if let Some(state) = view_finished(&view) {
            break Some(state);
        }
        answer_starts(&handle, &view);
        let event = if idle(&view) {
            match tokio::time::timeout(SETTLE, handle.next_event()).await {
                Ok(event) => event,
                Err(_) => break None,
            }
        } else {
            handle.next_event().await
        };
        match event {
            None => break view_finished(&handle.view()).or(Some(RunState::Cancelled)),
            Some(Event::Finished(state)) => break Some(state),
            Some(Event::Progress { step, line }) => {
                if live {
                    eprintln!("  {step}: {line}");
                }
            }
            Some(Event::Changed(path)) => {
                let view = handle.view();
                if let Some(step) = view.step(&path)
                    && seen.insert(path.clone(), step.state) != Some(step.state)
                {
                    eprintln!("{}", transition(&runbook, step));
                }
            }
        }
    };
    let view = handle.view();
    if json {
        emit(&format!("{}\n", pretty(&view)?))?;
    } else {
        emit(&summary(&view, session.cloud.now()))?;
    }
    match finished {
        Some(RunState::Succeeded) => Ok(ExitCode::SUCCESS),
        Some(RunState::Running) | None => {
            let (why, flags): (Vec<String>, Vec<Option<String>>) =
                view.waiting().map(|s| flag_for(&runbook, s)).unzip();
            let flags: Vec<String> = flags.into_iter().flatten().collect();
            Err(Failure::Refused(format!(
                "run {run} stopped: {}; nothing of it was sent. Go on with:\n  drconsole runbook \
                 run {name} --resume {run}{}",
                why.join("; "),
                flags.iter().map(|f| format!(" {f}")).collect::<String>()
            )))
        }
        Some(state) => {
            let failed: Vec<String> = view
                .steps
                .iter()
                .filter(|s| s.state == StepState::Failed)
                .map(|s| {
                    format!(
                        "{} failed: {}",
                        s.path,
                        s.error.as_deref().unwrap_or("no reason given")
                    )
                })
                .collect();
            Err(Failure::ActionFailed(format!(
                "run {run} {}: {}; once the cause is fixed, continue with --resume {run}",
                match state {
                    RunState::Cancelled => "was cancelled",
                    _ => "failed",
                },
                if failed.is_empty() {
                    "no step says why".to_owned()
                } else {
                    failed.join("; ")
                }
            )))
        }
    }
}

fn view_finished(view: &RunView) -> Option<RunState> {
    (view.state != RunState::Running).then_some(view.state)
}

/// Nothing running, and a step waiting for a person.
fn idle(view: &RunView) -> bool {
    view.steps.iter().all(|s| s.state != StepState::Running) && view.waiting().next().is_some()
}

/// A write waiting to be started is started: a headless run is the person who said "run".
fn answer_starts(handle: &crate::runbook::RunHandle, view: &RunView) {
    for step in view.waiting() {
        if step.need == Some(Need::Start) {
            handle.send(Command::Run(step.path.clone()));
        }
    }
}

/// Why a waiting step waits, and the flag that answers it (none for a failed step: fix the
/// cause, then resume).
fn flag_for(runbook: &Runbook, step: &StepView) -> (String, Option<String>) {
    let path = &step.path;
    match &step.need {
        Some(Need::Confirm { name }) => (
            format!("{path} is destructive: type its name back"),
            Some(format!("--confirm {name}")),
        ),
        Some(Need::Done) => (
            format!("{path} is manual: do it, then mark it done"),
            Some(format!("--done {path}")),
        ),
        Some(Need::Input { prompt, error, .. }) => {
            let why = error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            let name = runbook
                .step(&step.id)
                .and_then(|s| s.input.as_ref())
                .map_or("NAME", |i| i.get_ref().as_str());
            (
                format!("{path} asks \"{prompt}\"{why}"),
                Some(format!("--input {name}=VALUE")),
            )
        }
        Some(Need::Choice { options, .. }) => (
            format!(
                "{path} is a decision with nothing preselected (options: {})",
                options
                    .iter()
                    .filter(|o| o.available)
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(format!("--choose {path}=OPTION")),
        ),
        Some(Need::Retry) => (
            format!(
                "{path} failed: {}",
                step.error.as_deref().unwrap_or("no reason given")
            ),
            None,
        ),
        Some(Need::Start) | None => (format!("{path} is waiting"), None),
    }
}

/// One line per state change: when, which step, what it is now.
fn transition(runbook: &Runbook, step: &StepView) -> String {
    let at = step
        .finished
        .or(step.started)
        .map(|t| t.format("%H:%M:%SZ ").to_string())
        .unwrap_or_default();
    let detail = match step.state {
        StepState::Failed => step.error.clone().map(|e| format!(": {e}")),
        StepState::Waiting => step.need.as_ref().map(|_| {
            let (why, flag) = flag_for(runbook, step);
            match flag {
                Some(flag) => format!(": {why} ({flag})"),
                None => format!(": {why}"),
            }
        }),
        StepState::Succeeded => step
            .outputs
            .get("status")
            .filter(|s| *s == "already-done")
            .map(|_| " (already done)".to_owned()),
        _ => None,
    }
    .unwrap_or_default();
    format!("{at}{:<9} {}{detail}", step.state.label(), step.path)
}

/// Each step's state and time against its target, then the run's.
fn summary(view: &RunView, now: chrono::DateTime<chrono::Utc>) -> String {
    let took = |s: Option<chrono::DateTime<chrono::Utc>>,
                f: Option<chrono::DateTime<chrono::Utc>>| {
        match (s, f) {
            (Some(s), Some(f)) => Some(Dur::from_secs((f - s).num_seconds().max(0) as u64)),
            _ => None,
        }
    };
    let against = |took: Option<Dur>, target: Option<Dur>| match (took, target) {
        (Some(t), Some(target)) if t.as_secs() > target.as_secs() => {
            format!("{t} of {target} (over)")
        }
        (Some(t), Some(target)) => format!("{t} of {target}"),
        (Some(t), None) => t.to_string(),
        (None, Some(target)) => format!("target {target}"),
        (None, None) => String::new(),
    };
    let width = view.steps.iter().map(|s| s.path.len()).max().unwrap_or(0);
    let mut out = format!(
        "{} — run {}: {}\n",
        view.runbook,
        view.run,
        match view.state {
            RunState::Running => "stopped",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    );
    for s in &view.steps {
        let line = format!(
            "  {:<9} {:<width$}  {}",
            s.state.label(),
            s.path,
            against(took(s.started, s.finished), s.target)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    // A run that stopped for a person is timed to now: its clock keeps running.
    out.push_str(&format!(
        "  total: {}{}\n",
        against(
            took(Some(view.started), Some(view.finished.unwrap_or(now))),
            view.target
        ),
        if view.finished.is_none() {
            " so far"
        } else {
            ""
        }
    ));
    out
}

fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure::Internal(e.to_string()))
}
