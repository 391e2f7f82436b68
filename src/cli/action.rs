//! `drconsole action …`: the catalogue, one action's description, and running one headless
//! through the executor — the same path, guards and journal as the console.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::emit;
use crate::action::{
    Action, ActionError, Args, Danger, Executor, Outcome, Plan, Progress, Recording, Status,
    catalogue,
};
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::session::{Session, SessionOptions};

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Every action: name, danger, target kind, what it does.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One action: what it does and cannot do, its arguments, its undo.
    Show { name: String },
    /// Preview and run an action. Exit 0 done or already done, 2 failed (run it again),
    /// 6 refused by a guard, 64 bad input; nothing is sent before the input is checked.
    Run {
        name: String,
        /// The table, bucket, function or alarm (default: the estate's, where the action
        /// has one, e.g. the ingestion function).
        #[arg(long, value_name = "T")]
        target: Option<String>,
        /// An argument, NAME=VALUE (repeatable).
        #[arg(long = "arg", value_name = "NAME=VALUE")]
        args: Vec<String>,
        /// Show what would be sent, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// A destructive action's target name, typed back.
        #[arg(long, value_name = "T")]
        confirm: Option<String>,
        /// The incident to record it in (default: the only open one, else the operations
        /// journal).
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run a read-only check (a count, a comparison, a smoke test) and journal its verdict.
    /// Exit 0 passed, 1 failed, 2 could not be checked, 64 bad input.
    Check {
        name: String,
        /// The table, bucket, record, stack or command.
        #[arg(long, value_name = "T")]
        target: String,
        /// An argument, NAME=VALUE (repeatable).
        #[arg(long = "arg", value_name = "NAME=VALUE")]
        args: Vec<String>,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Send the undo recorded in a journal entry (an action that ended with one).
    Undo {
        /// The entry's number (`seq`), as `run` printed it.
        seq: u64,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    command: ActionCommand,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    match command {
        ActionCommand::List { json } => list(json),
        ActionCommand::Show { name } => show(&name),
        ActionCommand::Run {
            name,
            target,
            args,
            dry_run,
            confirm,
            incident,
            json,
        } => {
            let action = catalogue::find(&name).map_err(usage)?;
            let args = Args::parse(action.name(), action.args(), &args).map_err(usage)?;
            let session = Session::open(options).await?;
            let target = target
                .or_else(|| action.default_target(&session.estate))
                .ok_or_else(|| {
                    Failure::Usage(format!(
                        "{} needs --target {}",
                        action.name(),
                        action.target_kind().label().to_uppercase()
                    ))
                })?;
            // Before any call: a target that is not in the estate is a typo, not a question.
            crate::action::check_target(&session.estate, action, &target).map_err(usage)?;
            let recording = Recording::choose(&session, dirs, incident.as_deref())?;
            let executor = recording.executor(&session).await?;
            let plan = executor
                .plan(action, &target, &args)
                .await
                .map_err(to_failure)?;
            if dry_run {
                return print_plan(&plan, json).map(|()| ExitCode::SUCCESS);
            }
            if !json {
                print_plan(&plan, false)?;
            }
            let outcome = executor
                .run(
                    action,
                    &target,
                    &args,
                    confirm.as_deref(),
                    Some(&plan),
                    &progress(json),
                )
                .await
                .map_err(to_failure)?;
            report(&executor, &outcome, json)
        }
        ActionCommand::Check {
            name,
            target,
            args,
            incident,
            json,
        } => {
            let check = catalogue::find_check(&name).ok_or_else(|| {
                let names: Vec<&str> = catalogue::checks().iter().map(|c| c.name()).collect();
                Failure::Usage(format!(
                    "no check `{name}`; there are: {}",
                    names.join(", ")
                ))
            })?;
            let args = Args::parse(check.name(), check.args(), &args).map_err(usage)?;
            let session = Session::open(options).await?;
            let recording = Recording::choose(&session, dirs, incident.as_deref())?;
            let executor = recording.executor(&session).await?;
            let quiet = json;
            let report = executor
                .check(check, &target, &args, &move |line: String| {
                    if !quiet {
                        eprintln!("{line}");
                    }
                })
                .await
                .map_err(to_failure)?;
            if json {
                emit(&format!("{}\n", pretty(&report)?))?;
            } else {
                let mut out = format!(
                    "{}: {}\n",
                    if report.passed { "passed" } else { "FAILED" },
                    report.summary
                );
                for line in &report.lines {
                    out.push_str(&format!("  {line}\n"));
                }
                emit(&out)?;
            }
            Ok(if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ActionCommand::Undo {
            seq,
            incident,
            json,
        } => {
            let session = Session::open(options).await?;
            let recording = Recording::choose(&session, dirs, incident.as_deref())?;
            let executor = recording.executor(&session).await?;
            let outcome = executor
                .undo(seq, &progress(json))
                .await
                .map_err(to_failure)?;
            report(&executor, &outcome, json)
        }
    }
}

fn usage(e: ActionError) -> Failure {
    Failure::Usage(e.to_string())
}

fn to_failure(e: ActionError) -> Failure {
    match e {
        ActionError::Invalid(m) => Failure::Usage(m),
        ActionError::Refused { .. } => Failure::Refused(e.to_string()),
        ActionError::Cloud(ref c) => Failure::ActionFailed(format!(
            "{e}{}; nothing is marked done: run it again once the cause is fixed",
            c.hint().map(|h| format!(" ({h})")).unwrap_or_default()
        )),
        ActionError::Postcondition(_) => Failure::ActionFailed(e.to_string()),
        // Exit 5, as for every journal that cannot be written.
        ActionError::Journal(m) => Failure::Incident(m),
    }
}

/// Progress on standard error, so standard output stays the result.
fn progress(quiet: bool) -> impl Fn(Progress) + Send + Sync {
    move |p: Progress| {
        if !quiet && p.step > 0 {
            eprintln!("[{}/{}] {}", p.step, p.of, p.what);
        }
    }
}

fn list(json: bool) -> Result<ExitCode, Failure> {
    if json {
        let list: Vec<_> = catalogue::all()
            .iter()
            .map(|a| {
                json!({
                    "name": a.name(),
                    "danger": a.danger(),
                    "target": a.target_kind(),
                    "summary": a.summary(),
                    "args": a.args(),
                })
            })
            .chain(catalogue::checks().iter().map(|c| {
                json!({
                    "name": c.name(),
                    "danger": Danger::Read,
                    "target": c.target_kind(),
                    "summary": c.summary(),
                    "args": c.args(),
                })
            }))
            .collect();
        emit(&format!("{}\n", pretty(&list)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for a in catalogue::all() {
        out.push_str(&format!(
            "{:<18} {:<11} {:<8} {}\n",
            a.name(),
            a.danger().label(),
            a.target_kind().label(),
            a.summary()
        ));
    }
    for c in catalogue::checks() {
        out.push_str(&format!(
            "{:<18} {:<11} {:<8} {} (action check)\n",
            c.name(),
            Danger::Read.label(),
            c.target_kind().label(),
            c.summary()
        ));
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn show(name: &str) -> Result<ExitCode, Failure> {
    // A check is shown as an action is: `action list` names both.
    if let Some(c) = catalogue::find_check(name) {
        let mut out = format!(
            "{} — {}\n\ndanger: read (a check: it writes nothing)\ntarget: a {} of the estate\n",
            c.name(),
            c.summary(),
            c.target_kind().label()
        );
        if !c.details().is_empty() {
            out.push_str(&format!("\n{}\n", c.details()));
        }
        out.push_str(&arguments(c.args()));
        out.push_str(&format!(
            "\nrun: drconsole action check {} --target NAME\n",
            c.name()
        ));
        emit(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let a: &dyn Action = catalogue::find(name).map_err(usage)?;
    let mut out = format!(
        "{} — {}\n\ndanger: {}{}\ntarget: a {} of the estate\n",
        a.name(),
        a.summary(),
        a.danger().label(),
        if a.danger() == Danger::Destructive {
            " (headless: --confirm TARGET)"
        } else {
            ""
        },
        a.target_kind().label()
    );
    if !a.details().is_empty() {
        out.push_str(&format!("\n{}\n", a.details()));
    }
    out.push_str(&arguments(a.args()));
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn arguments(specs: &[crate::action::ArgSpec]) -> String {
    if specs.is_empty() {
        return String::new();
    }
    let mut out = "\narguments (--arg NAME=VALUE):\n".to_owned();
    for spec in specs {
        out.push_str(&format!(
            "  {:<12} {}{}\n",
            spec.name,
            spec.help,
            if spec.required { " [required]" } else { "" }
        ));
    }
    out
}

fn print_plan(plan: &Plan, json: bool) -> Result<(), Failure> {
    if json {
        return emit(&format!("{}\n", pretty(plan)?));
    }
    let mut out = format!(
        "{} on {} ({}):\n",
        plan.action,
        plan.target,
        plan.danger.label()
    );
    for line in plan.preview_lines() {
        out.push_str(&format!("  {line}\n"));
    }
    emit(&out)
}

fn report(executor: &Executor, outcome: &Outcome, json: bool) -> Result<ExitCode, Failure> {
    if json {
        emit(&format!("{}\n", pretty(outcome)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let journal = executor.journal_dir();
    let seq = outcome.seq.map(|s| s.to_string()).unwrap_or_default();
    let mut out = match &outcome.status {
        Status::AlreadyDone(why) => format!("already done: {why} (journal entry {seq})\n"),
        Status::Done => {
            let ids: Vec<String> = outcome
                .sent
                .iter()
                .filter_map(|(r, s)| {
                    s.request_id
                        .as_ref()
                        .map(|id| format!("{} {id}", r.operation()))
                })
                .collect();
            format!(
                "done: {} on {} — {} write(s){} (journal entry {seq} in {})\n",
                outcome.action,
                outcome.target,
                outcome.sent.len(),
                if ids.is_empty() {
                    String::new()
                } else {
                    format!("; request ids: {}", ids.join(", "))
                },
                journal.display()
            )
        }
    };
    if let (Some(undo), Status::Done) = (&outcome.undo, &outcome.status) {
        out.push_str(&format!(
            "undo ({}): drconsole action undo {seq}\n",
            undo.summary
        ));
    }
    for note in &outcome.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure::Internal(e.to_string()))
}
