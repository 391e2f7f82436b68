//! The `drconsole` command line: no subcommand opens the console; subcommands are headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use drconsole::cli;
use drconsole::dirs::Dirs;
use drconsole::error::Failure;
use drconsole::session::SessionOptions;
use drconsole::tui::console::{self, ConsoleOptions};

#[derive(Parser)]
#[command(
    name = "drconsole",
    about = "Disaster recovery console for the data pipeline",
    disable_version_flag = true
)]
struct Args {
    /// Print the version and where the config, the data and the log live.
    #[arg(short = 'V', long)]
    version: bool,
    /// Where incidents, journals, history and the log go (default: $DRCONSOLE_DATA_DIR, then
    /// the platform data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Detail in the log file: off, error, warn, info, debug or trace (default:
    /// $DRCONSOLE_LOG, then info).
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,
    /// The estate file (default: $DRCONSOLE_CONFIG, then the platform config directory).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// AWS profile to use instead of the estate file's `aws.profile`.
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
    /// Run on the embedded simulated estate (the console, `status`, `incident`): no AWS
    /// account, no config; everything it shows is labelled SIMULATION.
    #[arg(long, global = true)]
    demo: bool,
    /// Switch on a simulated fault (implies --demo; repeatable): region-outage, pitr-off,
    /// replication-broken, replica-lag, stale-backup, missing-lambda-backup, alarm, stale-export,
    /// short-restore.
    #[arg(long = "demo-fault", global = true, value_name = "NAME")]
    demo_faults: Vec<String>,
    /// Refuse every AWS write (the console hides the keys that write); reads, incidents and
    /// notes work as usual.
    #[arg(long, global = true)]
    read_only: bool,
    /// Colour theme: default, light, high-contrast, a name in the user theme directory, or a
    /// path to a .toml file. NO_COLOR is honoured.
    #[arg(long, value_name = "NAME|PATH")]
    theme: Option<String>,
    /// Key bindings file (default: keys.toml in the config directory, if present).
    #[arg(long, value_name = "PATH")]
    keys: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Judge every backup and replica against its RPO; exit 0 ok, 1 warn, 2 critical/unknown.
    Status {
        /// One JSON object with generated_at, services[] and resources[].
        #[arg(long)]
        json: bool,
    },
    /// Write an estate file: the plan's example, or with --discover what the account has.
    Init {
        /// Read tables, buckets, functions, DNS and alarms from the account.
        #[arg(long)]
        discover: bool,
        /// Only resources whose name starts with this (with --discover).
        #[arg(long, value_name = "P")]
        prefix: Option<String>,
        /// Primary region (with --discover; default: the AWS configuration's region).
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
        /// Backup region (with --discover; default: where the replica buckets live).
        #[arg(long, value_name = "REGION")]
        backup_region: Option<String>,
        /// Where to write (default: --config, else the platform config directory).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// Write nothing: compare the account with the estate file (--config) and list what
        /// either has that the other lacks. Exit 0 when they match, 1 when they differ.
        #[arg(long, requires = "discover")]
        diff: bool,
    },
    /// Declare an incident and keep its record: notes, severity, restored services,
    /// follow-ups, resolution; list, timeline and postmortem export.
    Incident {
        #[command(subcommand)]
        command: cli::incident::IncidentCommand,
    },
    /// Change the estate: repairs (PITR, backups, versioning, replication), stopping and
    /// restarting ingestion, alarm states — previewed, guarded and journalled.
    Action {
        #[command(subcommand)]
        command: cli::action::ActionCommand,
    },
    /// The plan's scenarios as runbooks: list, show, check readiness, run headless.
    Runbook {
        #[command(subcommand)]
        command: cli::runbook::RunbookCommand,
    },
    /// Status updates: list the templates, render one filled from an incident, post one.
    Message {
        #[command(subcommand)]
        command: cli::message::MessageCommand,
    },
    /// The plan's monthly backup validation: restore every table's newest backup into a
    /// temporary table and check it, check replicas, function backups and backup-region
    /// copies. Exit 0 pass, 1 warnings only, 2 failed, 3 bad estate file, 4 AWS unreachable.
    Validate(cli::validate::Args),
    /// The plan's backup scripts, for cron and CI: DynamoDB backups and exports, Lambda
    /// backups, S3 replication set-up, the configuration backup, and pruning by retention.
    /// Exit 0 done, 1 warnings only, 2 a target failed, 75 another run holds the lock.
    Backup(cli::backup::Args),
    /// The quarterly drill: a runbook against renamed (`-dr-test`) copies, timed, guarded,
    /// torn down; and the reports of earlier drills.
    Drill(cli::drill::Args),
    /// The plan's DR metrics and readiness report, every figure measured.
    Report(cli::readiness::Args),
    /// The append-only journals incidents are kept in.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Check a journal's hash chain and head; exit 0 intact, 1 broken (naming the first
    /// entry where it breaks), 5 when there is no journal there.
    Verify {
        /// An incident id, an incident directory or a journal file (default: the only open
        /// incident).
        #[arg(value_name = "ID|PATH")]
        target: Option<String>,
    },
}

fn main() -> ExitCode {
    // clap exits 2 on bad usage, which `status` uses for "critical": use 64 (EX_USAGE).
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(64)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    #[cfg(feature = "failpoints")]
    drconsole::faults::armed::load();
    let dirs = Dirs::from_env(args.data_dir.as_deref());
    if args.version {
        let config = drconsole::config::resolve_path(args.config.as_deref())
            .ok()
            .or_else(drconsole::config::default_config_path);
        print!("{}", dirs.describe(config.as_deref()));
        return ExitCode::SUCCESS;
    }
    let _log = match drconsole::log::start(&dirs, args.log_level.as_deref()) {
        Ok(guard) => guard,
        Err(message) => return fail(&Failure::Usage(message)),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return fail(&Failure::Internal(format!(
                "cannot start the async runtime: {e}"
            )));
        }
    };
    let session = SessionOptions {
        config: args.config.clone(),
        profile: args.profile.clone(),
        demo: args.demo,
        faults: args.demo_faults,
        read_only: args.read_only,
    };
    let result = runtime.block_on(async {
        match args.command {
            None => {
                let options = ConsoleOptions {
                    session,
                    theme: args.theme,
                    keys: args.keys,
                    dirs: Some(dirs.clone()),
                };
                console::run(options).await.map(|()| ExitCode::SUCCESS)
            }
            Some(Command::Status { json }) => cli::status(&session, json).await,
            Some(Command::Init { .. }) if session.is_demo() => Err(Failure::Usage(
                "init writes a real estate file: --demo and --demo-fault do not apply to it".into(),
            )),
            Some(Command::Init {
                diff: true, prefix, ..
            }) => {
                cli::readiness::init_diff(args.config.as_deref(), prefix, args.profile.as_deref())
                    .await
            }
            Some(Command::Init {
                discover,
                prefix,
                region,
                backup_region,
                out,
                force,
                diff: false,
            }) => {
                let out = out.or(args.config);
                let target = match out {
                    Some(path) => path,
                    None => drconsole::config::default_config_path().ok_or_else(|| {
                        Failure::Usage("no place to write: pass --out PATH".into())
                    })?,
                };
                let options = cli::InitOptions {
                    discover,
                    prefix,
                    region,
                    backup_region,
                    force,
                };
                cli::init(Path::new(&target), &options, args.profile.as_deref()).await
            }
            Some(Command::Incident { command }) => {
                cli::incident::run(command, &session, &dirs).await
            }
            Some(Command::Action { command }) => cli::action::run(command, &session, &dirs).await,
            Some(Command::Runbook { command }) => cli::runbook::run(command, &session, &dirs).await,
            Some(Command::Message { command }) => cli::message::run(command, &session, &dirs).await,
            Some(Command::Validate(a)) => cli::validate::run(a, &session, &dirs).await,
            Some(Command::Backup(a)) => cli::backup::run(a, &session, &dirs).await,
            Some(Command::Drill(a)) => cli::drill::run(a, &session, &dirs).await,
            Some(Command::Report(a)) => cli::readiness::run(a, &session, &dirs).await,
            Some(Command::Journal {
                command: JournalCommand::Verify { target },
            }) => cli::journal::verify(target.as_deref(), &session, &dirs),
        }
    });
    let code = match result {
        Ok(code) => code,
        Err(failure) => fail(&failure),
    };
    if drconsole::tui::run::validation_running() {
        // Quit while a validation started in the console runs: it cannot outlive the runtime
        // (the terminal is already restored), so the process ends here, its log flushed.
        eprintln!(
            "a backup validation was still running: its temporary tables (named and tagged) \
             are deleted by the next `drconsole validate`"
        );
        drop(_log);
        std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 1 });
    }
    code
}

fn fail(failure: &Failure) -> ExitCode {
    eprintln!("error: {failure}");
    failure.exit_code()
}
