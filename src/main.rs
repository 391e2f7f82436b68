//! The `drconsole` command line: no subcommand opens the console; subcommands are headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use drconsole::cli::{self, Failure};

#[derive(Parser)]
#[command(
    name = "drconsole",
    version,
    about = "Disaster recovery console for the data pipeline"
)]
struct Args {
    /// The estate file (default: $DRCONSOLE_CONFIG, then the platform config directory).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// AWS profile to use instead of the estate file's `aws.profile`.
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
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
    },
}

fn main() -> ExitCode {
    // clap exits 2 on bad usage, which `status` uses for "critical": use 64 (EX_USAGE).
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(64) } else { ExitCode::SUCCESS };
        }
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
    let result = runtime.block_on(async {
        match args.command {
            None => {
                eprintln!("the interactive console is not built yet; try `drconsole status` or `drconsole --help`");
                Err(Failure::Usage("no subcommand given".into()))
            }
            Some(Command::Status { json }) => {
                cli::status(args.config.as_deref(), args.profile.as_deref(), json).await
            }
            Some(Command::Init { discover, prefix, region, backup_region, out, force }) => {
                let out = out.or(args.config);
                let target = match out {
                    Some(path) => path,
                    None => drconsole::config::default_config_path().ok_or_else(|| {
                        Failure::Usage("no place to write: pass --out PATH".into())
                    })?,
                };
                let options = cli::InitOptions { discover, prefix, region, backup_region, force };
                cli::init(Path::new(&target), &options, args.profile.as_deref()).await
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(failure) => fail(&failure),
    }
}

fn fail(failure: &Failure) -> ExitCode {
    eprintln!("error: {failure}");
    failure.exit_code()
}
