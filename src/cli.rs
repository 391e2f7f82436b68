//! The headless commands behind `drconsole status` and `drconsole init`, and their exit codes;
//! the incident and journal commands live in the modules below.

pub mod action;
pub mod backup;
pub mod drill;
pub mod incident;
pub mod journal;
pub mod message;
pub mod readiness;
pub mod runbook;
pub mod validate;

use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use crate::cloud::aws::{AwsCloud, AwsOptions};
use crate::cloud::{CloudError, ErrorKind, Identity};
use crate::config;
use crate::discover::{DiscoverOptions, discover};
use crate::error::Failure;
use crate::health::{self, HealthSnapshot, Status};
use crate::report;
use crate::session::{EXAMPLE_ESTATE, Mode, Session, SessionOptions};

/// `status --json`: the snapshot with the mode beside it, so a simulated answer never
/// passes for a real one.
#[derive(Serialize)]
struct StatusJson<'a> {
    mode: Mode,
    #[serde(flatten)]
    snapshot: &'a HealthSnapshot,
}

/// `drconsole status`: one snapshot of the estate, as a table or as JSON; with `--demo`, of
/// the simulated estate.
///
/// Exit codes: 0 all ok, 1 something warns, 2 something is critical or could not be checked;
/// 4 when AWS could not be reached at all.
pub async fn status(options: &SessionOptions, json: bool) -> Result<ExitCode, Failure> {
    let session = Session::open(options).await?;
    let estate = &session.estate;
    let snap = health::snapshot(session.cloud.as_ref(), estate, estate.aws.max_concurrency).await;
    if let Some(e) = unreachable(&snap) {
        return Err(Failure::Unreachable(e));
    }
    crate::fault_point!("status.before_report").map_err(|e| Failure::Internal(e.to_string()))?;
    if json {
        let out = StatusJson {
            mode: session.mode,
            snapshot: &snap,
        };
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| Failure::Internal(e.to_string()))?;
        emit(&format!("{text}\n"))?;
    } else {
        emit(&report::status_table(&snap, session.mode))?;
    }
    Ok(ExitCode::from(match snap.overall() {
        Status::Ok => 0,
        Status::Warn => 1,
        Status::Unknown | Status::Critical => 2,
    }))
}

/// Writes to standard output. A reader that went away (`status | head`) is not an error
/// worth a panic: the exit code still tells the estate's state.
pub(crate) fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Internal(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// When no account could be read and every resource failed to reach its endpoint, the
/// estate was not looked at at all: that is a connection problem, not an unhealthy estate.
fn unreachable(snap: &HealthSnapshot) -> Option<CloudError> {
    if snap.account.is_some() || snap.resources.is_empty() {
        return None;
    }
    let all_unreachable = snap
        .resources
        .iter()
        .all(|r| r.status == Status::Unknown && r.error.is_some());
    if !all_unreachable {
        return None;
    }
    // The account read says best why: no credentials, or no network at all.
    snap.identity_error.clone().or_else(|| {
        let first = snap.resources[0].error.clone().unwrap_or_default();
        Some(CloudError::new(
            "sts",
            "GetCallerIdentity",
            ErrorKind::Unreachable,
            first,
        ))
    })
}

pub struct InitOptions {
    pub discover: bool,
    pub prefix: Option<String>,
    pub region: Option<String>,
    pub backup_region: Option<String>,
    pub force: bool,
}

/// Writes the plan's example, or an estate discovered from the account, to `target`.
pub async fn init(
    target: &Path,
    options: &InitOptions,
    profile: Option<&str>,
) -> Result<ExitCode, Failure> {
    if target.exists() && !options.force {
        return Err(Failure::Exists(target.display().to_string()));
    }
    let (text, summary) = if options.discover {
        let cloud = AwsCloud::from_env(profile, AwsOptions::default()).await;
        let primary = match &options.region {
            Some(region) => region.clone(),
            // The profile's region, as the rest of the AWS configuration was read.
            None => cloud
                .configured_region()
                .unwrap_or_else(|| "us-east-1".to_owned()),
        };
        let identity = cloud.caller_identity().await?;
        let discover_options = DiscoverOptions {
            primary_region: primary.clone(),
            backup_region: options.backup_region.clone(),
            prefix: options.prefix.clone(),
        };
        let (estate, summary) = discover(&cloud, &discover_options).await?;
        let header = format!(
            "# Estate discovered by `drconsole init --discover` from account {} in {} on {}.\n\
             # Resource names come from the account; review the service assignments, the\n\
             # RTO/RPO targets (the plan's defaults) and the contact numbers before relying on it.\n\n",
            identity.account,
            primary,
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        );
        (header + &estate.to_toml(), summary.to_string())
    } else {
        (
            EXAMPLE_ESTATE.to_owned(),
            "the plan's example estate".to_owned(),
        )
    };
    // What we write must load back: a discovered name that breaks validation is our bug.
    config::parse(&text, target)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Internal(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(target, text)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", target.display())))?;
    println!("wrote {}: {summary}", target.display());
    Ok(ExitCode::SUCCESS)
}
