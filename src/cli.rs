//! The headless commands behind `drconsole status` and `drconsole init`, and their exit codes.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use crate::cloud::aws::{AwsCloud, AwsOptions};
use crate::cloud::{CloudError, ErrorKind, Identity};
use crate::config::{self, ConfigError, Estate};
use crate::discover::{DiscoverOptions, discover};
use crate::health::{self, HealthSnapshot, Status};
use crate::report;

/// The plan's own estate, written by `drconsole init` without `--discover`.
pub const EXAMPLE_ESTATE: &str = include_str!("../templates/estate.example.toml");

/// Why a command could not do its job. Each kind has its own exit code, so scripts and cron
/// can tell "the estate is unhealthy" (1, 2) from "drconsole could not look" (3 and up).
#[derive(Debug)]
pub enum Failure {
    /// The estate file is missing, unreadable or invalid, or would be overwritten.
    Config(ConfigError),
    Exists(String),
    /// AWS could not be reached or refused us (endpoint, credentials, permissions).
    Cloud(CloudError),
    Usage(String),
    Internal(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Config(_) | Failure::Exists(_) => 3,
            Failure::Cloud(_) => 4,
            Failure::Usage(_) => 64,
            Failure::Internal(_) => 70,
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Config(e) => write!(f, "{e}"),
            Failure::Exists(path) => {
                write!(f, "{path} already exists; pass --force to replace it")
            }
            Failure::Cloud(e) => write!(f, "AWS: {e}"),
            Failure::Usage(m) | Failure::Internal(m) => f.write_str(m),
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e)
    }
}

impl From<CloudError> for Failure {
    fn from(e: CloudError) -> Self {
        Failure::Cloud(e)
    }
}

pub fn load_estate(cli_path: Option<&Path>) -> Result<Estate, Failure> {
    let path = config::resolve_path(cli_path)?;
    Ok(config::load(&path)?)
}

pub async fn aws_for(estate: &Estate, profile: Option<&str>) -> AwsCloud {
    let options = AwsOptions {
        call_timeout: estate.aws.call_timeout.as_duration(),
        max_concurrency: estate.aws.max_concurrency,
        ..AwsOptions::default()
    };
    AwsCloud::from_env(profile.or(estate.aws.profile.as_deref()), options).await
}

/// `drconsole status`: one snapshot of the estate, as a table or as JSON.
///
/// Exit codes: 0 all ok, 1 something warns, 2 something is critical or could not be checked;
/// 4 when AWS could not be reached at all.
pub async fn status(
    cli_path: Option<&Path>,
    profile: Option<&str>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let estate = load_estate(cli_path)?;
    let cloud = aws_for(&estate, profile).await;
    let snap = health::snapshot(&cloud, &estate, estate.aws.max_concurrency).await;
    if let Some(e) = unreachable(&snap) {
        return Err(Failure::Cloud(e));
    }
    crate::fault_point!("status.before_report").map_err(|e| Failure::Internal(e.to_string()))?;
    if json {
        let text =
            serde_json::to_string_pretty(&snap).map_err(|e| Failure::Internal(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", report::status_table(&snap));
    }
    Ok(ExitCode::from(match snap.overall() {
        Status::Ok => 0,
        Status::Warn => 1,
        Status::Unknown | Status::Critical => 2,
    }))
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
    let first = snap.resources[0].error.clone().unwrap_or_default();
    Some(CloudError::new(
        "aws",
        "status",
        ErrorKind::Unreachable,
        format!("no resource could be checked; first error: {first}"),
    ))
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
