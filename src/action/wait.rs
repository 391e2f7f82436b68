//! Waiting for AWS to finish what a write started: a restored table becoming ACTIVE, an
//! import or export completing, a DNS change reaching every server, a stack settling.
//!
//! A [`Wait`] sits in a [`super::Plan`] between two writes. The executor polls it through the
//! cloud's own clock ([`crate::cloud::Identity::pause`]), reports each look as progress,
//! journals the end, and gives up after its timeout: the writes already sent stay sent, and a
//! re-run's precheck finds where things stand. Runbooks' `wait` steps poll the same
//! conditions.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cloud::{CloudResult, Sent, TableCondition};

/// What to wait for. Conditions that need an id AWS only gives in an answer (an import's
/// ARN, a change's id) take it from the answer of the write the wait follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "until", rename_all = "snake_case")]
pub enum WaitFor {
    /// DescribeTable says ACTIVE.
    TableActive { region: String, table: String },
    /// DescribeTable says ResourceNotFound.
    TableDeleted { region: String, table: String },
    /// The table's on-demand backup of this name is AVAILABLE: a safety net that is still
    /// being made is no safety net yet.
    BackupAvailable {
        region: String,
        table: String,
        backup_name: String,
    },
}

/// Where a wait stands after one look.
#[derive(Debug, Clone, PartialEq)]
pub enum Looked {
    /// Reached: what it found.
    Done(String),
    /// Not yet: what it found (shown as progress).
    NotYet(String),
    /// It will never be reached (an import FAILED, a stack rolled back): why.
    Failed(String),
}

/// A wait in a plan: after the `after`-th write (1-based, in the order the plan sends them),
/// until `until`, for at most `timeout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    pub after: usize,
    #[serde(flatten)]
    pub until: WaitFor,
    #[serde(with = "secs")]
    pub timeout: Duration,
}

impl WaitFor {
    /// One line for a person: "table orders-restored to be ACTIVE in us-west-2".
    pub fn summary(&self) -> String {
        match self {
            WaitFor::TableActive { region, table } => {
                format!("table {table} to be ACTIVE in {region}")
            }
            WaitFor::TableDeleted { region, table } => {
                format!("table {table} to be deleted in {region}")
            }
            WaitFor::BackupAvailable {
                region,
                table,
                backup_name,
            } => format!("backup {backup_name} of table {table} to be AVAILABLE in {region}"),
        }
    }

    /// Looks once. `last` is the answer of the write the wait follows, where the condition
    /// needs an id from it.
    pub async fn look(
        &self,
        cloud: &dyn crate::cloud::Cloud,
        last: Option<&Sent>,
    ) -> CloudResult<Looked> {
        let _ = last;
        match self {
            WaitFor::TableActive { region, table } => {
                table_look(cloud, region, table, TableCondition::Active).await
            }
            WaitFor::TableDeleted { region, table } => {
                table_look(cloud, region, table, TableCondition::Deleted).await
            }
            WaitFor::BackupAvailable {
                region,
                table,
                backup_name,
            } => {
                let backups = cloud.list_backups(region, Some(table)).await?;
                Ok(
                    match backups
                        .iter()
                        .find(|b| &b.name == backup_name)
                        .map(|b| b.status.as_str())
                    {
                        Some("AVAILABLE") => {
                            Looked::Done(format!("backup {backup_name} is AVAILABLE"))
                        }
                        Some("DELETED") => {
                            Looked::Failed(format!("backup {backup_name} was deleted"))
                        }
                        Some(status) => Looked::NotYet(format!("backup {backup_name} is {status}")),
                        None => Looked::NotYet(format!("backup {backup_name} is not listed yet")),
                    },
                )
            }
        }
    }
}

async fn table_look(
    cloud: &dyn crate::cloud::Cloud,
    region: &str,
    table: &str,
    until: TableCondition,
) -> CloudResult<Looked> {
    Ok(match (cloud.describe_table(region, table).await, until) {
        (Ok(info), TableCondition::Active) if info.is_active() => {
            Looked::Done(format!("{table} is ACTIVE"))
        }
        (Ok(info), _) => Looked::NotYet(format!("{table} is {}", info.status)),
        (Err(e), TableCondition::Deleted) if e.is_not_found() => {
            Looked::Done(format!("{table} is gone"))
        }
        (Err(e), TableCondition::Active) if e.is_not_found() => {
            Looked::NotYet(format!("{table} is not listed yet"))
        }
        (Err(e), _) => return Err(e),
    })
}

/// A plan's timeouts as seconds in the journal.
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}
