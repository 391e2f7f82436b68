//! What the CLI and the console share: the estate, the cloud it lives in, the mode that says
//! whether any of it is real, and who we are there. Built once from the command line, before
//! anything is drawn or printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::cloud::aws::{AwsCloud, AwsOptions};
use crate::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use crate::cloud::{CallerIdentity, Cloud, CloudResult, identity_from_first};
use crate::config::{self, Estate};
use crate::error::Failure;

/// The plan's own estate: what `drconsole init` writes and what `--demo` simulates.
pub const EXAMPLE_ESTATE: &str = include_str!("../templates/estate.example.toml");

pub use crate::mode::Mode;

/// The command-line choices a session is built from.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// `--config`; with `--demo`, the estate to simulate instead of the plan's.
    pub config: Option<PathBuf>,
    /// `--profile`, over the estate file's `aws.profile`.
    pub profile: Option<String>,
    /// `--demo`: the embedded simulated estate, no AWS account needed.
    pub demo: bool,
    /// `--demo-fault` names (each implies `demo`).
    pub faults: Vec<String>,
    /// `--read-only`: every write is refused and the console hides the keys that write.
    pub read_only: bool,
}

impl SessionOptions {
    pub fn is_demo(&self) -> bool {
        self.demo || !self.faults.is_empty()
    }
}

/// An estate, the cloud that answers for it, and the mode. Cheap to clone.
#[derive(Clone)]
pub struct Session {
    pub estate: Arc<Estate>,
    pub cloud: Arc<dyn Cloud>,
    pub mode: Mode,
    /// `--read-only`: the executor refuses every write.
    pub read_only: bool,
    identity: Arc<OnceCell<CallerIdentity>>,
}

impl Session {
    /// Reads the estate and connects to its cloud: the simulated one for a demo, else AWS
    /// through the standard configuration. A bad fault name is a usage error, reported before
    /// any file is read.
    pub async fn open(options: &SessionOptions) -> Result<Session, Failure> {
        if !options.is_demo() {
            let estate = load_estate(options.config.as_deref())?;
            let cloud = aws_for(&estate, options.profile.as_deref()).await;
            return Ok(Session::new(estate, Arc::new(cloud), Mode::Production)
                .read_only(options.read_only));
        }
        let faults = options
            .faults
            .iter()
            .map(|f| {
                f.parse::<Fault>()
                    .map_err(|e| Failure::Usage(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let estate = match &options.config {
            Some(path) => config::load(path)?,
            // The demo needs no file: it is the plan's own estate.
            None => example_estate()?,
        };
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::real(),
                latency: Latency::Realistic,
                faults,
            },
        );
        Ok(Session::new(estate, Arc::new(sim), Mode::Simulation).read_only(options.read_only))
    }

    pub fn new(estate: Estate, cloud: Arc<dyn Cloud>, mode: Mode) -> Session {
        Session {
            estate: Arc::new(estate),
            cloud,
            mode,
            read_only: false,
            identity: Arc::default(),
        }
    }

    pub fn read_only(mut self, read_only: bool) -> Session {
        self.read_only = read_only;
        self
    }

    /// Who we are in the session's cloud, read once and then remembered; a failed read is
    /// not remembered, so the next call tries again. Read through any of the estate's
    /// regions that answers, so a dead primary does not leave the session without an account.
    pub async fn identity(&self) -> CloudResult<&CallerIdentity> {
        self.identity
            .get_or_try_init(|| async {
                let regions = [
                    self.estate.regions.primary.get_ref().as_str(),
                    self.estate.regions.backup.get_ref().as_str(),
                ];
                identity_from_first(self.cloud.as_ref(), &regions).await
            })
            .await
    }
}

/// The plan's example estate, as `--demo` uses it.
pub fn example_estate() -> Result<Estate, Failure> {
    Ok(config::parse(
        EXAMPLE_ESTATE,
        Path::new("templates/estate.example.toml"),
    )?)
}

/// The estate file `--config`, `DRCONSOLE_CONFIG` or the default location names.
pub fn load_estate(cli_path: Option<&Path>) -> Result<Estate, Failure> {
    let path = config::resolve_path(cli_path)?;
    Ok(config::load(&path)?)
}

/// AWS as the standard configuration and the estate's `[aws]` settings describe it.
pub async fn aws_for(estate: &Estate, profile: Option<&str>) -> AwsCloud {
    let options = AwsOptions {
        call_timeout: estate.aws.call_timeout.as_duration(),
        max_concurrency: estate.aws.max_concurrency,
        ..AwsOptions::default()
    };
    let mut cloud = AwsCloud::from_env(profile.or(estate.aws.profile.as_deref()), options).await;
    for (region, url) in &estate.aws.region_endpoints {
        cloud = cloud.with_region_endpoint(region, url.get_ref());
    }
    cloud
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(faults: &[&str]) -> SessionOptions {
        SessionOptions {
            faults: faults.iter().map(|f| (*f).to_owned()).collect(),
            ..SessionOptions::default()
        }
    }

    #[tokio::test]
    async fn a_demo_needs_no_file_and_says_it_is_a_simulation() {
        let session = Session::open(&SessionOptions {
            demo: true,
            ..SessionOptions::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(session.mode, Mode::Simulation);
        assert_eq!(session.estate.name, "Flight Data Pipeline");
        let identity = session.identity().await.unwrap();
        assert_eq!(identity.account, crate::cloud::sim::ACCOUNT);
    }

    #[tokio::test]
    async fn a_fault_implies_the_demo_and_a_bad_one_is_a_usage_error() {
        assert!(demo(&["pitr-off"]).is_demo());
        let session = Session::open(&demo(&["pitr-off"])).await;
        assert_eq!(session.map(|s| s.mode).ok(), Some(Mode::Simulation));
        let err = Session::open(&demo(&["pitr-of"])).await.err().unwrap();
        assert!(matches!(err, Failure::Usage(_)), "{err:?}");
        assert!(err.to_string().contains("pitr-off"), "{err}");
    }

    #[test]
    fn modes_have_loud_labels_and_quiet_json() {
        assert_eq!(Mode::Drill.label(), "DRILL");
        let json = serde_json::to_string(&Mode::Simulation).unwrap();
        assert_eq!(json, "\"simulation\"");
    }
}
