//! `drconsole validate`: the monthly backup validation, headless (cron, CI). Progress goes to
//! stderr on a terminal only; the summary, `--json` or `--markdown` to stdout; the exit code
//! says how it went, in the scheme of `status`.

use std::io::IsTerminal;
use std::process::ExitCode;

use tokio::sync::watch;

use crate::action::Recording;
use crate::dirs::Dirs;
use crate::drill::History;
use crate::drill::validate::{self, RunOptions, render};
use crate::error::Failure;
use crate::session::{Session, SessionOptions};

/// What `validate` exits with after a Ctrl-C, as a shell does for SIGINT.
const INTERRUPTED: u8 = 130;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this table of the estate (repeatable; default: every table).
    #[arg(long = "table", value_name = "NAME")]
    pub tables: Vec<String>,
    /// Print the run's record as JSON (what the history keeps).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print Markdown, for a ticket or a wiki page.
    #[arg(long)]
    pub markdown: bool,
}

/// Exit codes: 0 every check passed, 1 warnings only, 2 something failed or could not be
/// checked, 3 bad estate file, 4 AWS unreachable, 64 usage, 130 interrupted (after the
/// temporary tables are deleted).
pub async fn run(args: Args, options: &SessionOptions, dirs: &Dirs) -> Result<ExitCode, Failure> {
    let session = Session::open(options).await?;
    if session.read_only {
        return Err(Failure::Usage(
            "validate restores backups into temporary tables: it cannot run with --read-only"
                .into(),
        ));
    }
    let known: Vec<String> = session
        .estate
        .dynamodb
        .tables
        .iter()
        .map(|t| t.get_ref().clone())
        .collect();
    if let Some(unknown) = args.tables.iter().find(|t| !known.contains(t)) {
        return Err(Failure::Usage(format!(
            "--table {unknown} is not a table of the estate (it names: {})",
            known.join(", ")
        )));
    }
    let history = dirs.validation_history().map(History::new).ok_or_else(|| {
        Failure::Usage("no data directory: pass --data-dir or set DRCONSOLE_DATA_DIR".into())
    })?;
    let account = match session.identity().await {
        Ok(identity) => identity.account.clone(),
        Err(e) => return Err(Failure::Unreachable(e)),
    };
    let executor = Recording::operations(&session, dirs)?
        .executor(&session)
        .await?;

    let (stop, stopped) = watch::channel(false);
    let on_ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "interrupted: no new restore is started; deleting the temporary tables (Ctrl-C \
                 again to exit at once)"
            );
            let _ = stop.send(true);
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "interrupted twice: exiting now; a temporary table left behind is deleted by \
                 the next run"
            );
            std::process::exit(INTERRUPTED.into());
        }
    });
    let terminal = std::io::stderr().is_terminal();
    let progress = move |line: String| {
        if terminal {
            eprintln!("{line}");
        }
    };
    let options = RunOptions {
        tables: args.tables,
        mode: session.mode,
        account: Some(account),
    };
    let record = validate::run(
        &executor,
        session.cloud.as_ref(),
        &options,
        stopped,
        &progress,
    )
    .await;
    on_ctrl_c.abort();
    let kept = validate::keep(&executor, &history, &record).await;

    if args.json {
        let text =
            serde_json::to_string_pretty(&record).map_err(|e| Failure::Internal(e.to_string()))?;
        super::emit(&format!("{text}\n"))?;
    } else if args.markdown {
        super::emit(&render::markdown(&record))?;
    } else {
        let mut text = render::summary(&record);
        if let Ok(path) = &kept {
            text.push_str(&format!("record: {}\n", path.display()));
        }
        super::emit(&text)?;
    }
    if let Err(e) = kept {
        return Err(Failure::Internal(format!(
            "the run is not in the history, so the readiness report cannot count it: {e}"
        )));
    }
    if record.interrupted {
        return Ok(ExitCode::from(INTERRUPTED));
    }
    Ok(ExitCode::from(record.verdict.exit_code()))
}
