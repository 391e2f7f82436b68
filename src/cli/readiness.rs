//! `drconsole report`: the plan's DR metrics and readiness report, gathered here (a health
//! snapshot, the account against the estate file, the history, resolved incidents, the
//! runbooks) and reckoned in `report::readiness`; and `drconsole init --discover --diff`.

use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::cloud::Identity;
use crate::dirs::Dirs;
use crate::discover;
use crate::drill::DrillRecord;
use crate::drill::history::{History, Unreadable};
use crate::error::Failure;
use crate::health;
use crate::incident::IncidentStore;
use crate::mode::Mode;
use crate::report::readiness::{self, Inputs, RunbookReview, Style, ValidationRun};
use crate::runbook::load;
use crate::session::{self, Session, SessionOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One JSON object: every table, bucket and function figure, the last validation, drill
    /// and incident, the four terms with their parts, and what could not be read.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Markdown, for a wiki page or a postmortem.
    #[arg(long)]
    markdown: bool,
    /// The moment the report is for (default now): RFC 3339, or YYYY-MM-DD for the end of
    /// that day (UTC). The estate is read as it is now; backup ages, the test calendar and
    /// review dates are measured to this moment.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
}

fn parse_at(text: &str) -> Result<DateTime<Utc>, Failure> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Failure::Usage(format!(
            "--at {text}: not a date; write 2026-11-27 or 2026-11-27T09:30:00Z"
        ))
    })?;
    let end = NaiveTime::from_hms_opt(23, 59, 59).expect("a time of day");
    Ok(day.and_time(end).and_utc())
}

/// Exit codes: 0 every term at 100%, 1 some term below, 2 something could not be read;
/// 3 a bad estate file, 4 AWS unreachable, 64 usage.
pub async fn run(args: Args, options: &SessionOptions, dirs: &Dirs) -> Result<ExitCode, Failure> {
    let at = args.at.as_deref().map(parse_at).transpose()?;
    let session = Session::open(options).await?;
    let estate = session.estate.as_ref();
    let cloud = session.cloud.as_ref();
    let (snapshot, documentation) = tokio::join!(
        health::snapshot(cloud, estate, estate.aws.max_concurrency),
        discover::compare(cloud, estate, estate.lambda.prefix.as_deref()),
    );
    if let Some(e) = super::unreachable(&snapshot) {
        return Err(Failure::Unreachable(e));
    }
    let at = at.unwrap_or_else(|| cloud.now());
    let mode = session.mode;

    let (validations, unreadable_validations) =
        history::<ValidationRun>(dirs.validation_history().as_deref(), |v| v.mode, mode);
    let (drills, unreadable_drills) =
        history::<DrillRecord>(dirs.drill_history().as_deref(), |d| d.mode, mode);
    let (incidents, unreadable) = resolved_incidents(dirs, mode);
    let runbooks = load::load_all(
        dirs.config.as_ref().map(|d| d.join("runbooks")).as_deref(),
        estate,
    )
    .map(|all| {
        all.iter()
            .map(|l| RunbookReview {
                name: l.runbook.name.get_ref().clone(),
                reviewed: l.runbook.reviewed_on(),
            })
            .collect()
    })
    .map_err(|e| e.to_string());

    let inputs = Inputs {
        estate,
        mode,
        at,
        snapshot: &snapshot,
        validations: &validations,
        drills: &drills,
        incidents: &incidents,
        unreadable_validations,
        unreadable_drills,
        unreadable,
        documentation: documentation.map_err(|e| e.to_string()),
        runbooks,
    };
    let report = readiness::compute(&inputs);
    let text = if args.json {
        let mut text =
            serde_json::to_string_pretty(&report).map_err(|e| Failure::Internal(e.to_string()))?;
        text.push('\n');
        text
    } else if args.markdown {
        readiness::render(&report, Style::Markdown)
    } else {
        readiness::render(&report, Style::Text)
    };
    super::emit(&text)?;
    Ok(ExitCode::from(report.exit_code()))
}

/// The records of one history directory that count for `mode`, and the files that could not
/// be read. No data directory is itself a fact that could not be read.
fn history<T: serde::de::DeserializeOwned>(
    dir: Option<&Path>,
    mode_of: impl Fn(&T) -> Mode,
    mode: Mode,
) -> (Vec<T>, Vec<Unreadable>) {
    let Some(dir) = dir else {
        return (
            Vec::new(),
            vec![Unreadable {
                path: "history".into(),
                error: "no data directory: set HOME, or pass --data-dir DIR".into(),
            }],
        );
    };
    let (records, unreadable) = History::new(dir).load_all::<T>();
    let records = records
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| readiness::counts_for(mode, mode_of(r)))
        .collect();
    (records, unreadable)
}

/// The session's mode's resolved incidents, and the ones that could not be replayed.
fn resolved_incidents(dirs: &Dirs, mode: Mode) -> (Vec<crate::incident::Incident>, Vec<String>) {
    let store = match IncidentStore::new(dirs, mode) {
        Ok(store) => store,
        Err(why) => return (Vec::new(), vec![format!("incidents: {why}")]),
    };
    match store.list() {
        Ok(listed) => {
            let mut incidents = Vec::new();
            let mut unreadable = Vec::new();
            for entry in listed {
                match entry {
                    Ok(i) if i.resolved_at.is_some() => incidents.push(i),
                    Ok(_) => {}
                    Err(e) => unreadable.push(format!("incident: {e}")),
                }
            }
            (incidents, unreadable)
        }
        Err(e) => (Vec::new(), vec![format!("incidents: {e}")]),
    }
}

/// `drconsole init --discover --diff`: what the account has that the estate file lacks and
/// the reverse, writing nothing. Exit 0 when they match, 1 when they differ.
pub async fn init_diff(
    config: Option<&Path>,
    prefix: Option<String>,
    profile: Option<&str>,
) -> Result<ExitCode, Failure> {
    let path = crate::config::resolve_path(config)?;
    let estate = session::load_estate(Some(&path))?;
    let cloud = session::aws_for(&estate, profile).await;
    let identity = cloud.caller_identity().await?;
    // The estate's own prefix keeps an account shared with other systems from drowning the
    // answer in names that were never the pipeline's.
    let prefix = prefix.or_else(|| estate.lambda.prefix.clone());
    let diff = discover::compare(&cloud, &estate, prefix.as_deref()).await?;
    let scope = prefix.map_or(String::new(), |p| format!(", names starting {p}"));
    let verdict = if diff.matches() {
        "they match".to_owned()
    } else {
        format!("{} differences", diff.differences())
    };
    let text = format!(
        "{} against account {} ({} -> {}{scope}): {verdict}\n{diff}",
        path.display(),
        identity.account,
        estate.regions.primary.get_ref(),
        estate.regions.backup.get_ref(),
    );
    super::emit(&text)?;
    Ok(ExitCode::from(if diff.matches() { 0 } else { 1 }))
}
