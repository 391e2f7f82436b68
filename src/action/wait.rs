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

use crate::cloud::{CloudResult, ErrorKind, Sent, TableCondition, WriteOutput};

/// What to wait for. Conditions that need an id AWS only gives in an answer (an import's
/// ARN, a change's id) take it from the answer of the write the wait follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "until", rename_all = "snake_case")]
pub enum WaitFor {
    /// DescribeTable says ACTIVE.
    TableActive { region: String, table: String },
    /// DescribeTable says ResourceNotFound.
    TableDeleted { region: String, table: String },
    /// DescribeImport of the import the last write started says COMPLETED; FAILED or
    /// CANCELLED fails the wait with AWS's reason.
    ImportCompleted { region: String, table: String },
    /// DescribeExport of the export the last write started says COMPLETED; FAILED fails the
    /// wait with AWS's reason.
    ExportCompleted { region: String, table: String },
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
            WaitFor::ImportCompleted { region, table } => {
                format!("the import into table {table} to complete in {region}")
            }
            WaitFor::ExportCompleted { region, table } => {
                format!("the export of table {table} to complete in {region}")
            }
        }
    }

    /// Looks once. `last` is the answer of the write the wait follows, where the condition
    /// needs an id from it.
    pub async fn look(
        &self,
        cloud: &dyn crate::cloud::Cloud,
        last: Option<&Sent>,
    ) -> CloudResult<Looked> {
        match self {
            WaitFor::TableActive { region, table } => {
                table_look(cloud, region, table, TableCondition::Active).await
            }
            WaitFor::TableDeleted { region, table } => {
                table_look(cloud, region, table, TableCondition::Deleted).await
            }
            WaitFor::ImportCompleted { region, table } => {
                import_look(cloud, region, table, last).await
            }
            WaitFor::ExportCompleted { region, table } => {
                export_look(cloud, region, table, last).await
            }
        }
    }
}

async fn import_look(
    cloud: &dyn crate::cloud::Cloud,
    region: &str,
    table: &str,
    last: Option<&Sent>,
) -> CloudResult<Looked> {
    let arn = match last.map(|s| &s.output) {
        Some(WriteOutput::Import(info)) if !info.arn.is_empty() => Some(info.arn.as_str()),
        _ => None,
    };
    let described = match arn {
        Some(arn) => cloud.describe_import(region, arn).await,
        None => Err(crate::cloud::CloudError::new(
            "dynamodb",
            "DescribeImport",
            crate::cloud::ErrorKind::Client,
            "the import's answer named no import ARN",
        )),
    };
    let info = match described {
        Ok(info) => info,
        // An endpoint that cannot describe imports (moto answers 500) still shows the
        // table: ACTIVE once the import is done, with the items it loaded.
        Err(e) if matches!(e.kind, ErrorKind::Service | ErrorKind::Client) => {
            return Ok(match cloud.describe_table(region, table).await {
                Ok(t) if t.is_active() => Looked::Done(format!(
                    "{table} is ACTIVE with {} items (judged by the table: {e})",
                    t.item_count
                        .map_or("an unknown number of".to_owned(), |n| n.to_string())
                )),
                Ok(t) => Looked::NotYet(format!(
                    "{table} is {} (judged by the table: {e})",
                    t.status
                )),
                Err(t) if t.is_not_found() => Looked::NotYet(format!(
                    "{table} is not listed yet (judged by the table: {e})"
                )),
                Err(t) => return Err(t),
            });
        }
        Err(e) => return Err(e),
    };
    Ok(match info.status.as_str() {
        "COMPLETED" => Looked::Done(format!(
            "the import into {table} COMPLETED{}",
            info.imported_items
                .map(|n| format!(": {n} items"))
                .unwrap_or_default()
        )),
        "FAILED" | "CANCELLED" => Looked::Failed(format!(
            "the import into {table} is {}: {}",
            info.status,
            info.failure.as_deref().unwrap_or("AWS gave no reason")
        )),
        other => Looked::NotYet(format!("the import into {table} is {other}")),
    })
}

async fn export_look(
    cloud: &dyn crate::cloud::Cloud,
    region: &str,
    table: &str,
    last: Option<&Sent>,
) -> CloudResult<Looked> {
    let Some(WriteOutput::Export(sent)) = last.map(|s| &s.output) else {
        return Ok(Looked::Failed(format!(
            "the export of {table} answered with no export ARN to follow"
        )));
    };
    let info = cloud.describe_export(region, &sent.arn).await?;
    Ok(match info.status.as_str() {
        "COMPLETED" => Looked::Done(format!(
            "the export of {table} COMPLETED{}",
            info.items
                .map(|n| format!(": {n} items"))
                .unwrap_or_default()
        )),
        "FAILED" => Looked::Failed(format!(
            "the export of {table} FAILED: {}",
            info.failure.as_deref().unwrap_or("AWS gave no reason")
        )),
        other => Looked::NotYet(format!("the export of {table} is {other}")),
    })
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
