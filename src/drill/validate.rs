//! `drconsole validate`: the plan's monthly backup validation, done right. Every table's
//! newest AVAILABLE backup restored into a temporary table this run owns and checked against
//! the backup's own record; every bucket's replica completeness; every function's code backup
//! against its `CodeSha256`; every table's copy in the backup region against the RPO.

pub mod buckets;
pub mod exports;
pub mod functions;

use serde::{Deserialize, Serialize};

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
