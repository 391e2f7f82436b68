//! `drconsole backup`: the plan's backup scripts, headless for cron and CI. Progress goes to
//! stderr on a terminal only (cron mails stdout); the summary or `--json` to stdout; the exit
//! code says how it went, in the scheme of `status`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::watch;

use crate::action::Recording;
use crate::backup::{self, BackupRecord, Family, Run, RunLock, Verdict, render};
use crate::dirs::Dirs;
use crate::drill::History;
use crate::error::Failure;
use crate::incident::Record;
use crate::session::{Session, SessionOptions};

/// What a run exits with after a Ctrl-C, as a shell does for SIGINT.
const INTERRUPTED: u8 = 130;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: BackupCommand,
    /// List what a run would do (every write it would send), send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Print the run's record as JSON (what the history keeps).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum BackupCommand {
    /// An on-demand backup of each table (`daily-backup-YYYYMMDD-<table>`, once a day), PITR
    /// on where it is off; with `--export`, an export to the backup region's bucket with the
    /// table's description beside it.
    Dynamodb {
        /// Tables of the estate (default: every one).
        #[arg(value_name = "TABLE")]
        tables: Vec<String>,
        /// Also export each table to `dynamodb.export_bucket` (the backup region) under
        /// `<export_prefix><table>/YYYY/MM/DD`, with its schema saved beside it.
        #[arg(long)]
        export: bool,
    },
    /// Each function's configuration and code under `<backup_prefix><date>/<function>/` and
    /// `latest/`, and the copy in the backup region.
    Lambda {
        /// Functions of the estate (default: every one).
        #[arg(value_name = "FUNCTION")]
        functions: Vec<String>,
    },
    /// Versioning, the replica bucket in the backup region and the replication rule (with
    /// metrics and Replication Time Control); idempotent.
    S3Replication {
        /// Buckets of the estate (default: every replicated one).
        #[arg(value_name = "BUCKET")]
        buckets: Vec<String>,
    },
    /// Stack templates and parameters, the estate file, runbooks and templates under
    /// `config-backups/<date>/` with a SHA-256 manifest; and the git mirrors' heads.
    Config {
        /// Write nothing: read the backup of that day (YYYYMMDD) back from each bucket and
        /// check every file against its manifest.
        #[arg(long, value_name = "YYYYMMDD")]
        verify: Option<String>,
    },
    /// Remove drconsole's own backups and dated folders outside the retention rule (never
    /// the newest of anything, never an incident's safety net).
    Prune {
        /// Keep the newest backup of each of the last N days that have one.
        #[arg(long, value_name = "N")]
        keep_daily: usize,
        /// Keep the newest backup of each of the last M weeks that have one.
        #[arg(long, value_name = "M")]
        keep_weekly: usize,
        /// The removals are meant: needed where there is no terminal to confirm on (cron).
        #[arg(long)]
        yes: bool,
    },
}

impl BackupCommand {
    /// A run that only reads (`config --verify`): allowed read-only, and not a backup, so
    /// neither the journal nor the backup history hears of it.
    fn reads_only(&self) -> bool {
        matches!(self, BackupCommand::Config { verify: Some(_) })
    }

    fn family(&self) -> Family {
        match self {
            BackupCommand::Dynamodb { .. } => Family::Dynamodb,
            BackupCommand::Lambda { .. } => Family::Lambda,
            BackupCommand::S3Replication { .. } => Family::S3Replication,
            BackupCommand::Config { .. } => Family::Config,
            BackupCommand::Prune { .. } => Family::Prune,
        }
    }
}

/// Exit codes: 0 everything done (or already done), 1 warnings only, 2 a target failed or
/// could not be read (the others are still backed up), 3 bad estate file, 4 AWS unreachable,
/// 64 usage, 70 the record could not be kept, 75 another run of the same family holds the
/// lock, 130 interrupted.
pub async fn run(args: Args, options: &SessionOptions, dirs: &Dirs) -> Result<ExitCode, Failure> {
    let family = args.command.family();
    if let BackupCommand::Prune { yes: false, .. } = args.command
        && !args.dry_run
        && !std::io::stdin().is_terminal()
    {
        return Err(Failure::Usage(
            "backup prune removes backups: without a terminal to confirm on, pass --yes \
             (--dry-run lists what it would remove)"
                .into(),
        ));
    }
    let session = Session::open(options).await?;
    if session.read_only && !args.dry_run && !args.command.reads_only() {
        return Err(Failure::Usage(format!(
            "backup {} writes: it cannot run with --read-only (--dry-run lists what it would do)",
            family.label()
        )));
    }
    check_names(&args.command, &session)?;
    let no_data_dir =
        || Failure::Usage("no data directory: pass --data-dir or set DRCONSOLE_DATA_DIR".into());
    let history = dirs
        .backup_history()
        .map(History::new)
        .ok_or_else(no_data_dir)?;
    // A dry run sends nothing: it need not wait for a real run to finish.
    let _lock = if args.dry_run {
        None
    } else {
        let dir = dirs.locks().ok_or_else(no_data_dir)?;
        Some(RunLock::acquire(&dir, family).map_err(|e| Failure::Busy(e.to_string()))?)
    };
    if let Err(e) = session.identity().await {
        return Err(Failure::Unreachable(e));
    }
    let executor = Recording::operations(&session, dirs)?
        .executor(&session)
        .await?;

    let (stop, stopped) = watch::channel(false);
    let on_ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "interrupted: no new target is started; those under way finish (Ctrl-C again \
                 to exit at once; a re-run continues safely)"
            );
            let _ = stop.send(true);
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(INTERRUPTED.into());
        }
    });
    let terminal = std::io::stderr().is_terminal();
    let progress = move |line: String| {
        if terminal {
            eprintln!("{line}");
        }
    };
    let started = session.cloud.now();
    let run = Run {
        executor: &executor,
        cloud: session.cloud.as_ref(),
        estate: &session.estate,
        dry_run: args.dry_run,
        now: started,
        progress: &progress,
        stop: stopped.clone(),
    };
    let items = match &args.command {
        BackupCommand::Dynamodb { tables, export } => {
            let options = backup::dynamodb::Options {
                tables: tables.clone(),
                export: *export,
            };
            backup::dynamodb::run(&run, &options).await
        }
        BackupCommand::Lambda { functions } => {
            let options = backup::lambda::Options {
                functions: functions.clone(),
            };
            backup::lambda::run(&run, &options).await
        }
        BackupCommand::S3Replication { buckets } => {
            let options = backup::replication::Options {
                buckets: buckets.clone(),
            };
            backup::replication::run(&run, &options).await
        }
        BackupCommand::Config { verify } => {
            let options = backup::config::Options {
                verify: verify
                    .as_deref()
                    .map(backup::config::parse_day)
                    .transpose()
                    .map_err(Failure::Usage)?,
                estate_file: estate_file(options),
                runbook_dir: dirs.config.as_ref().map(|d| d.join("runbooks")),
                template_dir: dirs.config.as_ref().map(|d| d.join("comms")),
            };
            backup::config::run(&run, &options).await
        }
        BackupCommand::Prune {
            keep_daily,
            keep_weekly,
            yes,
        } => {
            let options = backup::prune::Options {
                keep_daily: *keep_daily,
                keep_weekly: *keep_weekly,
                confirmed: *yes,
                incidents: dirs.incidents_for(session.mode),
                ask: std::io::stdin()
                    .is_terminal()
                    .then_some(backup::prune::ask_on_terminal as fn(&[String]) -> bool),
            };
            backup::prune::run(&run, &options).await
        }
    };
    on_ctrl_c.abort();
    let interrupted = *stopped.borrow();
    let record = BackupRecord {
        id: BackupRecord::new_id(family, started),
        family,
        mode: session.mode,
        started,
        finished: session.cloud.now(),
        dry_run: args.dry_run,
        interrupted,
        verdict: Verdict::of(&items),
        items,
        notes: Vec::new(),
    };
    // A dry run changed nothing: neither the journal nor the history hears of it.
    let kept = if args.dry_run || args.command.reads_only() {
        None
    } else {
        Some(keep(&executor, &history, &record).await)
    };

    if args.json {
        let text =
            serde_json::to_string_pretty(&record).map_err(|e| Failure::Internal(e.to_string()))?;
        super::emit(&format!("{text}\n"))?;
    } else {
        let mut text = render::summary(&record);
        if let Some(Ok(path)) = &kept {
            text.push_str(&format!("record: {}\n", path.display()));
        }
        super::emit(&text)?;
    }
    if let Some(Err(e)) = kept {
        return Err(Failure::Internal(format!(
            "the run is not in the backup history, so the readiness report cannot count it: {e}"
        )));
    }
    if record.interrupted {
        return Ok(ExitCode::from(INTERRUPTED));
    }
    Ok(ExitCode::from(record.verdict.exit_code()))
}

/// Journals the run's end and writes its record to the backup history.
pub async fn keep(
    executor: &crate::action::Executor,
    history: &History,
    record: &BackupRecord,
) -> Result<PathBuf, String> {
    executor
        .journal(Record::BackupFinished {
            run: record.id.clone(),
            family: record.family.label().to_owned(),
            verdict: record.verdict.label().to_owned(),
            summary: render::totals_line(record),
        })
        .await
        .map_err(|e| e.to_string())?;
    history.save(record.started, &record.id, record)
}

/// The estate file this run read, if it read one.
fn estate_file(options: &SessionOptions) -> Option<PathBuf> {
    if options.is_demo() && options.config.is_none() {
        return None;
    }
    crate::config::resolve_path(options.config.as_deref()).ok()
}

/// A name on the command line that the estate does not have is a usage error, before
/// anything is read from AWS.
fn check_names(command: &BackupCommand, session: &Session) -> Result<(), Failure> {
    let estate = &session.estate;
    let (what, given, known): (&str, &[String], Vec<String>) = match command {
        BackupCommand::Dynamodb { tables, .. } => (
            "table",
            tables,
            estate
                .dynamodb
                .tables
                .iter()
                .map(|t| t.get_ref().clone())
                .collect(),
        ),
        BackupCommand::Lambda { functions } => (
            "function",
            functions,
            estate
                .lambda
                .functions
                .iter()
                .map(|f| f.get_ref().clone())
                .collect(),
        ),
        BackupCommand::S3Replication { buckets } => (
            "bucket",
            buckets,
            estate
                .s3
                .buckets
                .iter()
                .map(|b| b.name.get_ref().clone())
                .collect(),
        ),
        BackupCommand::Config { verify } => {
            if let Some(day) = verify {
                crate::backup::config::parse_day(day).map_err(Failure::Usage)?;
            }
            return Ok(());
        }
        BackupCommand::Prune { .. } => return Ok(()),
    };
    match given.iter().find(|g| !known.contains(g)) {
        Some(unknown) => Err(Failure::Usage(format!(
            "{unknown} is not a {what} of the estate (it names: {})",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}
