//! `drconsole backup`: the plan's backup scripts as one command family that cron or CI runs
//! unattended. Every write goes through the executor (previewed with `--dry-run`, guarded,
//! journalled); each run's record goes to the backup history.

pub mod config;
pub mod dynamodb;
pub mod lambda;
pub mod lock;
pub mod prune;
pub mod render;
pub mod replication;
pub mod run;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::mode::Mode;

pub use lock::RunLock;
pub use run::{Run, Step, bounded};

/// The commands of the family; each has its own lock and its own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Dynamodb,
    Lambda,
    S3Replication,
    Config,
    Prune,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Dynamodb => "dynamodb",
            Family::Lambda => "lambda",
            Family::S3Replication => "s3-replication",
            Family::Config => "config",
            Family::Prune => "prune",
        }
    }
}

/// How one target came out. `Unknown` (it could not be read) is a failure: a backup that
/// could not look has not been made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    /// Written now.
    Done,
    /// Already as it should be: nothing sent (a second run the same day).
    Unchanged,
    /// `--dry-run`: what a real run would send, listed in the item's steps.
    WouldDo,
    /// Done, but short of whole (a configuration-only function backup, objects a new rule
    /// will not replicate).
    Warning,
    Failed,
    Unknown,
}

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Done => "done",
            ItemStatus::Unchanged => "unchanged",
            ItemStatus::WouldDo => "would do",
            ItemStatus::Warning => "warning",
            ItemStatus::Failed => "failed",
            ItemStatus::Unknown => "unknown",
        }
    }
}

/// The run's verdict, in the exit code scheme of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// The worst item: failed or unknown fails, a warning warns; a run with no item passes.
    pub fn of(items: &[Item]) -> Verdict {
        items
            .iter()
            .map(|i| match i.status {
                ItemStatus::Done | ItemStatus::Unchanged | ItemStatus::WouldDo => Verdict::Pass,
                ItemStatus::Warning => Verdict::Warn,
                ItemStatus::Failed | ItemStatus::Unknown => Verdict::Fail,
            })
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// 0 pass, 1 warnings only, 2 something failed or could not be read.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Warn => 1,
            Verdict::Fail => 2,
        }
    }
}

/// One target of a run (a table, a function, a bucket, a stack, a file, a mirror, a backup
/// or folder a prune removes) and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// "table", "function", "bucket", "stack", "file", "mirror", "backup", "folder".
    pub kind: String,
    pub target: String,
    pub status: ItemStatus,
    /// One line for the summary: what was done, or why not.
    pub detail: String,
    /// Each action run (or previewed) for this target, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// Measured facts (a backup's ARN, an export's key, a code SHA-256, object counts).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub figures: serde_json::Map<String, serde_json::Value>,
}

impl Item {
    pub fn new(kind: &str, target: &str, status: ItemStatus, detail: impl Into<String>) -> Item {
        Item {
            kind: kind.to_owned(),
            target: target.to_owned(),
            status,
            detail: detail.into(),
            steps: Vec::new(),
            figures: serde_json::Map::new(),
        }
    }

    /// Sets a figure; chains.
    pub fn figure(mut self, name: &str, value: impl Into<serde_json::Value>) -> Item {
        self.figures.insert(name.to_owned(), value.into());
        self
    }

    /// The item's status from its steps: the worst step's, `Done` when one wrote and the
    /// rest were already done, `Unchanged` when none had anything to do.
    pub fn status_from_steps(steps: &[Step]) -> ItemStatus {
        // Not the enum's order: a write among steps already done makes the item done.
        let rank = |s: ItemStatus| match s {
            ItemStatus::Unchanged => 0,
            ItemStatus::Done | ItemStatus::WouldDo => 1,
            ItemStatus::Warning => 2,
            ItemStatus::Failed => 3,
            ItemStatus::Unknown => 4,
        };
        steps
            .iter()
            .map(|s| s.status)
            .max_by_key(|s| rank(*s))
            .unwrap_or(ItemStatus::Unchanged)
    }
}

/// One run of `drconsole backup <family>`: what the history keeps and `--json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupRecord {
    pub id: String,
    pub family: Family,
    pub mode: Mode,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub dry_run: bool,
    /// Ctrl-C stopped it before every target was started.
    #[serde(default)]
    pub interrupted: bool,
    pub verdict: Verdict,
    pub items: Vec<Item>,
    /// Run-wide remarks (settings used, what was skipped and why).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl BackupRecord {
    /// A record id: `backup-<family>-<YYYYMMDDTHHMMSS>-<4 hex>`.
    pub fn new_id(family: Family, started: DateTime<Utc>) -> String {
        let salt = (started.timestamp_subsec_nanos() ^ std::process::id()) & 0xffff;
        format!(
            "backup-{}-{}-{salt:04x}",
            family.label(),
            started.format("%Y%m%dT%H%M%S")
        )
    }

    /// How many items came out each way, worst last: "3 done, 1 failed".
    pub fn counts(&self) -> Vec<(ItemStatus, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for item in &self.items {
            *counts.entry(item.status).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(status: ItemStatus) -> Step {
        Step {
            action: "a".into(),
            target: "t".into(),
            status,
            detail: String::new(),
            requests: Vec::new(),
            notes: Vec::new(),
            run: None,
        }
    }

    #[test]
    fn an_item_is_as_bad_as_its_worst_step_and_done_when_one_wrote() {
        use ItemStatus::*;
        let of = |s: &[ItemStatus]| {
            Item::status_from_steps(&s.iter().map(|s| step(*s)).collect::<Vec<_>>())
        };
        assert_eq!(of(&[]), Unchanged);
        assert_eq!(of(&[Unchanged, Done]), Done);
        assert_eq!(of(&[Done, Unchanged]), Done);
        assert_eq!(of(&[Done, Warning, Unchanged]), Warning);
        assert_eq!(of(&[Failed, Done]), Failed);
        assert_eq!(of(&[Failed, Unknown]), Unknown);
    }
}
