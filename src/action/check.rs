//! Checks: what drconsole reads to judge a recovery (count a table's items, compare a
//! restored table with its source, check access to a bucket, run the estate's smoke test).
//! They write nothing to AWS, so no guard but the target's applies; each verdict is journalled
//! with its figures, as evidence for the postmortem. Runbooks' `verify` steps run them.

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;

use super::{ActionError, ArgSpec, Args, Context, TargetKind};

/// What a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub passed: bool,
    /// One line: the verdict and its main figure ("1,204 items in 3 segments").
    pub summary: String,
    /// The detail, a line each, for the terminal.
    pub lines: Vec<String>,
    /// The figures, as `--json` prints them and the journal keeps them.
    pub figures: Value,
}

impl Report {
    pub fn new(passed: bool, summary: impl Into<String>) -> Report {
        Report {
            passed,
            summary: summary.into(),
            lines: Vec::new(),
            figures: Value::Null,
        }
    }
}

/// One thing drconsole can read and judge.
#[async_trait]
pub trait Check: Send + Sync {
    /// Kebab-case, as typed on the command line.
    fn name(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    fn details(&self) -> &'static str {
        ""
    }
    fn target_kind(&self) -> TargetKind;
    fn args(&self) -> &'static [ArgSpec] {
        &[]
    }
    /// Reads and judges. `progress` takes a line at a time ("scanned 40,000 items").
    /// An `Err` is a check that could not be made (a failed read, bad input), never a
    /// failed verdict: that is a `Report` with `passed: false`.
    async fn run(
        &self,
        ctx: &Context<'_>,
        target: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError>;
}
