//! `drconsole drill`: a drill of a runbook, and the reports of the drills before.

mod report;

use std::process::ExitCode;

use crate::dirs::Dirs;
use crate::error::Failure;
use crate::session::SessionOptions;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// The runbook to drill.
    pub runbook: Option<String>,
    #[command(subcommand)]
    pub command: Option<DrillCommand>,
}

#[derive(clap::Subcommand, Debug)]
pub enum DrillCommand {
    /// One drill's report: each step against its target and the earlier drills' median, the
    /// recovery time against the RTO, the data loss of each restore point. Default: the
    /// latest drill (of the simulation with --demo). Exit 0, 5 no such drill, 64 bad usage.
    Report(report::ReportArgs),
    /// Every drill recorded: date, runbook, outcome, recovery time against the RTO.
    List(report::ListArgs),
}

pub async fn run(args: Args, options: &SessionOptions, dirs: &Dirs) -> Result<ExitCode, Failure> {
    match args.command {
        Some(DrillCommand::Report(a)) => report::report(a, options, dirs),
        Some(DrillCommand::List(a)) => report::list(a, options, dirs),
        None => Err(Failure::Usage("not built yet".into())),
    }
}
