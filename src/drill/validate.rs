//! `drconsole validate`: the plan's monthly backup validation, done right. Every table's
//! newest AVAILABLE backup restored into a temporary table this run owns and checked against
//! the backup's own record; every bucket's replica completeness; every function's code backup
//! against its `CodeSha256`; every table's copy in the backup region against the RPO.

pub mod buckets;
mod compare;
pub mod exports;
pub mod functions;
pub mod render;
pub mod run;
pub mod tables;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::ValidateSettings;
use crate::mode::Mode;

pub use run::{RunOptions, keep, run};

/// How one check came out. `Unknown` (it could not be read) counts as a failure: a
/// validation that could not look has not passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    Unknown,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Unknown => "unknown",
        }
    }

    /// The worst of the findings (unknown is worse than failed: nothing was seen); a run
    /// with none passed.
    pub fn overall(findings: &[Finding]) -> Verdict {
        findings
            .iter()
            .map(|f| f.verdict)
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// The exit code of `drconsole validate`, in the scheme of `status`: 0 pass, 1 warnings
    /// only, 2 failed or unknown.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Warn => 1,
            Verdict::Fail | Verdict::Unknown => 2,
        }
    }
}

/// One run of `drconsole validate`, as the history keeps it and `--json` prints it; what
/// the readiness report reads (`started`, `mode`, `verdict`, `findings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRecord {
    pub id: String,
    /// A simulated run never counts for production.
    pub mode: Mode,
    pub account: Option<String>,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub verdict: Verdict,
    /// The limits the run used: the tolerance is printed with every count.
    pub settings: ValidateSettings,
    /// `[s3].replica_threshold_percent`, which the replica checks judged by.
    pub replica_threshold_percent: f64,
    /// The tables it restored (all of the estate's unless `--table` limited them).
    pub tables: Vec<String>,
    /// Stopped by Ctrl-C: what was not checked is unknown.
    #[serde(default)]
    pub interrupted: bool,
    /// Temporary tables it could not delete (the next run sweeps them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<String>,
    /// Worst first.
    pub findings: Vec<Finding>,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Table,
    Bucket,
    Function,
    Export,
    /// A temporary table of an earlier run, found and removed.
    Leftover,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Bucket => "bucket",
            Kind::Function => "function",
            Kind::Export => "export",
            Kind::Leftover => "leftover",
        }
    }
}

/// One check of one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    pub resource: String,
    /// Which check: `restore`, `item-count`, `schema`, `sample`, `replication`,
    /// `completeness`, `code-backup`, `code-sha256`, `backup-region-copy`, ...
    pub check: String,
    pub verdict: Verdict,
    /// One line a tired reader understands, with the figures in it.
    pub message: String,
    /// The measured figures, for `--json` and the history.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub figures: serde_json::Value,
}

impl Finding {
    pub fn new(
        kind: Kind,
        resource: impl Into<String>,
        check: &str,
        verdict: Verdict,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            kind,
            resource: resource.into(),
            check: check.to_owned(),
            verdict,
            message: message.into(),
            figures: serde_json::Value::Null,
        }
    }

    pub fn with_figures(mut self, figures: serde_json::Value) -> Finding {
        self.figures = figures;
        self
    }
}

/// The example estate on the simulated cloud at a fixed moment, with `faults` on: what the
/// checks' own tests run against.
#[cfg(test)]
pub(crate) fn example_on_sim(
    faults: &[crate::cloud::sim::Fault],
) -> (
    crate::config::Estate,
    crate::cloud::sim::SimCloud,
    chrono::DateTime<chrono::Utc>,
) {
    use crate::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
    use chrono::TimeZone;
    let estate = crate::config::parse(
        crate::session::EXAMPLE_ESTATE,
        std::path::Path::new("templates/estate.example.toml"),
    )
    .expect("the example estate parses");
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(now),
            latency: Latency::None,
            faults: faults.to_vec(),
        },
    );
    (estate, sim, now)
}
