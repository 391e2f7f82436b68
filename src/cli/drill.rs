//! `drconsole drill RUNBOOK`: a drill headless — setup, the runbook against drill copies
//! answered by flags, teardown, the record saved and its report printed. Exit 0 completed
//! and torn down, 2 a step failed, the drill halted or something is left behind, 5 the
//! journal, 6 stopped for a flag, 64 bad usage. `drill report` and `drill list` read the
//! drills before.

mod report;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;

use super::emit;
use crate::dirs::Dirs;
use crate::drill::run::{DrillOptions, DrillPhase, Ended, run_drill};
use crate::error::Failure;
use crate::runbook::load::{self, LoadError};
use crate::session::{Session, SessionOptions};

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// The runbook to rehearse (region-failover, data-corruption, ...).
    pub runbook: Option<String>,
    /// A value of the runbook's inputs, NAME=VALUE (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Mark a manual step done (its path, repeatable), or `all`.
    #[arg(long, value_name = "STEP|all")]
    pub done: Vec<String>,
    /// Answer a decision, STEP=OPTION (repeatable); otherwise its preselected option.
    #[arg(long, value_name = "STEP=OPTION")]
    pub choose: Vec<String>,
    /// The drill's record as JSON instead of the report.
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<DrillCommand>,
}

#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// One drill's report: each step against its target and the earlier drills' median, the
    /// recovery time against the RTO, the data loss of each restore point. Default: the
    /// latest drill (of the simulation with --demo). Exit 0, 5 no such drill, 64 bad usage.
    Report(report::ReportArgs),
    /// Every drill recorded: date, runbook, outcome, recovery time against the RTO.
    List(report::ListArgs),
}

pub async fn run(args: Args, options: &SessionOptions, dirs: &Dirs) -> Result<ExitCode, Failure> {
    match (args.command, &args.runbook) {
        (Some(DrillCommand::Report(a)), _) => report::report(a, options, dirs),
        (Some(DrillCommand::List(a)), _) => report::list(a, options, dirs),
        (None, None) => Err(Failure::Usage(
            "name the runbook to drill: drconsole drill RUNBOOK (runbook list shows them)".into(),
        )),
        (None, Some(name)) => {
            let flags = Flags::parse(&args.inputs, &args.done, &args.choose)?;
            let session = Session::open(options).await?;
            let user_dir = dirs.config.as_ref().map(|d| d.join("runbooks"));
            let loaded =
                load::find(name, user_dir.as_deref(), &session.estate).map_err(|e| match e {
                    LoadError::File(e) => Failure::Config(e),
                    unknown @ LoadError::Unknown { .. } => Failure::Usage(unknown.to_string()),
                })?;
            drill(&session, dirs, Arc::new(loaded.runbook), flags, args.json).await
        }
    }
}

/// The flags, checked before anything is read.
struct Flags {
    options: DrillOptions,
}

impl Flags {
    /// `runbook run`'s flags, read the same way: a drill answers its runbook as a headless
    /// run does.
    fn parse(inputs: &[String], done: &[String], choose: &[String]) -> Result<Flags, Failure> {
        let run = super::runbook::Flags::parse(inputs, &[], done, choose)?.options(None);
        Ok(Flags {
            options: DrillOptions {
                inputs: run.inputs,
                manual: run.manual,
                choose: run.choose,
                ..DrillOptions::default()
            },
        })
    }
}

async fn drill(
    session: &Session,
    dirs: &Dirs,
    runbook: Arc<crate::runbook::Runbook>,
    flags: Flags,
    json: bool,
) -> Result<ExitCode, Failure> {
    let interrupt = Arc::new(tokio::sync::Notify::new());
    let mut options = flags.options;
    options.interrupt = Some(Arc::clone(&interrupt));
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("interrupted: stopping before the next step, then tearing the drill down");
            interrupt.notify_one();
        }
    });
    let live = std::io::stderr().is_terminal();
    eprintln!(
        "DRILL{} of {}: every name it writes carries {}",
        if session.mode == crate::mode::Mode::Simulation {
            " (SIMULATION)"
        } else {
            ""
        },
        runbook.name.get_ref(),
        session.estate.drill.suffix.get_ref()
    );
    let result = run_drill(session, dirs, runbook, options, |p| {
        // Step transitions always; each wait's look only on a terminal.
        if live || !p.line.starts_with("  ") {
            let phase = match p.phase {
                DrillPhase::Setup => "setup",
                DrillPhase::Run => "run",
                DrillPhase::Teardown => "teardown",
            };
            eprintln!("{phase:<8} {}", p.line);
        }
    })
    .await;
    watcher.abort();
    let run = result?;
    if json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&run.record)
                .map_err(|e| Failure::Internal(e.to_string()))?
        ))?;
    } else {
        let (_, all) = report::drills_of(session.mode, dirs)?;
        let comparison = crate::drill::report::compare(&run.record, &all);
        emit(&crate::drill::report::render(
            &run.record,
            &comparison,
            crate::drill::report::Style::Text,
        ))?;
    }
    let id = &run.record.id;
    if !run.record.left.is_empty() {
        return Err(Failure::ActionFailed(format!(
            "drill {id}: teardown left {}: remove them by hand",
            run.record.left.join("; ")
        )));
    }
    match run.ended {
        Ended::Completed => Ok(ExitCode::SUCCESS),
        Ended::Stopped(why) => Err(Failure::Refused(format!(
            "drill {id} stopped for what no flag gave, and was torn down: {}",
            why.join("; ")
        ))),
        other => Err(Failure::ActionFailed(format!(
            "drill {id}: {}",
            match other.outcome() {
                crate::drill::DrillOutcome::Failed(why) => format!("failed: {why}"),
                crate::drill::DrillOutcome::Halted(why) => format!("halted: {why}"),
                crate::drill::DrillOutcome::Aborted(why) => format!("aborted: {why}"),
                crate::drill::DrillOutcome::Completed => "completed".to_owned(),
            }
        ))),
    }
}
