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
    /// GetChange says INSYNC for the change the last write (ChangeResourceRecordSets) made:
    /// every Route53 name server answers with the new records. `record` names it for people.
    ChangeInsync { record: String },
    /// Route53 takes the health check as failing, by reports its checkers made after the
    /// last write (UpdateHealthCheck): then it answers with the SECONDARY record.
    HealthCheckFailing { health_check_id: String },
    /// DescribeStacks says `*_COMPLETE` (done), `*_FAILED` or a rollback (failed, with the
    /// status reason), else not yet, with the stack's newest event as progress. `stack` is a
    /// name, or the stack id to follow a delete to DELETE_COMPLETE.
    StackSettled { region: String, stack: String },
    /// GetFunction says State Active and LastUpdateStatus Successful: Lambda refuses the next
    /// update (ResourceConflictException) until then.
    FunctionActive { region: String, function: String },
    /// DescribeImport of the import the last write started says COMPLETED; FAILED or
    /// CANCELLED fails the wait with AWS's reason.
    ImportCompleted { region: String, table: String },
    /// DescribeExport of the export the last write started says COMPLETED; FAILED fails the
    /// wait with AWS's reason.
    ExportCompleted { region: String, table: String },
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
            WaitFor::ChangeInsync { record } => {
                format!("Route53's change of {record} to be INSYNC")
            }
            WaitFor::HealthCheckFailing { health_check_id } => {
                format!("Route53 to take health check {health_check_id} as failing")
            }
            WaitFor::StackSettled { region, stack } => {
                format!("stack {} to settle in {region}", short_stack(stack))
            }
            WaitFor::FunctionActive { region, function } => {
                format!("function {function} to be Active and updated in {region}")
            }
            WaitFor::ImportCompleted { region, table } => {
                format!("the import into table {table} to complete in {region}")
            }
            WaitFor::ExportCompleted { region, table } => {
                format!("the export of table {table} to complete in {region}")
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
        match self {
            WaitFor::TableActive { region, table } => {
                table_look(cloud, region, table, TableCondition::Active).await
            }
            WaitFor::TableDeleted { region, table } => {
                table_look(cloud, region, table, TableCondition::Deleted).await
            }
            WaitFor::ChangeInsync { .. } => change_look(cloud, last).await,
            WaitFor::HealthCheckFailing { health_check_id } => {
                health_check_look(cloud, health_check_id, last).await
            }
            WaitFor::StackSettled { region, stack } => stack_look(cloud, region, stack).await,
            WaitFor::FunctionActive { region, function } => {
                function_look(cloud, region, function).await
            }
            WaitFor::ImportCompleted { region, table } => {
                import_look(cloud, region, table, last).await
            }
            WaitFor::ExportCompleted { region, table } => {
                export_look(cloud, region, table, last).await
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

async fn function_look(
    cloud: &dyn crate::cloud::Cloud,
    region: &str,
    function: &str,
) -> CloudResult<Looked> {
    let info = match cloud.get_function_configuration(region, function).await {
        Ok(info) => info,
        Err(e) if e.is_not_found() => {
            return Ok(Looked::NotYet(format!("{function} is not listed yet")));
        }
        Err(e) => return Err(e),
    };
    let state = info.state.as_deref().unwrap_or("(no state)");
    let update = info.last_update_status.as_deref();
    let reason = |r: &Option<String>| r.clone().unwrap_or_else(|| "no reason given".to_owned());
    Ok(match (state, update) {
        ("Failed", _) => Looked::Failed(format!(
            "{function} is Failed: {}",
            reason(&info.state_reason)
        )),
        (_, Some("Failed")) => Looked::Failed(format!(
            "the last update of {function} Failed: {}",
            reason(&info.last_update_reason)
        )),
        // A create's answer has no LastUpdateStatus yet; Active alone then means ready.
        ("Active", Some("Successful") | None) => Looked::Done(format!("{function} is Active")),
        (state, update) => Looked::NotYet(format!(
            "{function} is {state}, last update {}",
            update.unwrap_or("(none)")
        )),
    })
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

async fn change_look(cloud: &dyn crate::cloud::Cloud, last: Option<&Sent>) -> CloudResult<Looked> {
    let Some(crate::cloud::WriteOutput::Change(change)) = last.map(|s| &s.output) else {
        return Ok(Looked::Failed(
            "the write before it answered with no Route53 change id".to_owned(),
        ));
    };
    let now = cloud.get_change(&change.id).await?;
    Ok(match now.status.as_str() {
        "INSYNC" => Looked::Done(format!("change {} is INSYNC", now.id)),
        status => Looked::NotYet(format!("change {} is {status}", now.id)),
    })
}

/// Counts only reports made after the update, and takes them as Route53 does: a disabled
/// check as healthy, an inverted one the other way round.
async fn health_check_look(
    cloud: &dyn crate::cloud::Cloud,
    id: &str,
    last: Option<&Sent>,
) -> CloudResult<Looked> {
    let since = match last.map(|s| &s.output) {
        Some(crate::cloud::WriteOutput::HealthCheck { at, .. }) => Some(*at),
        _ => None,
    };
    let (status, config) =
        futures::join!(cloud.health_check_status(id), cloud.get_health_check(id));
    let (status, config) = (status?, config?);
    if config.disabled {
        return Ok(Looked::Failed(format!(
            "health check {id} is disabled: Route53 takes it as healthy whatever its checkers see"
        )));
    }
    let all = status.observations.len();
    let fresh = status
        .observations
        .iter()
        .filter(|o| match (since, o.checked_at) {
            (None, _) => true,
            (Some(since), Some(checked)) => checked > since,
            (Some(_), None) => false,
        })
        .count();
    if all == 0 {
        return Ok(Looked::NotYet(format!(
            "no checker reports on health check {id} yet"
        )));
    }
    if fresh < all {
        return Ok(Looked::NotYet(format!(
            "{fresh} of {all} checkers have reported since the change"
        )));
    }
    let failing = status
        .observations
        .iter()
        .filter(|o| o.status.starts_with("Success") == config.inverted)
        .count();
    Ok(
        match crate::action::catalogue::dns::as_route53_takes_it(&status, &config) {
            Some(false) => Looked::Done(format!(
                "Route53 takes health check {id} as failing ({failing} of {all} checkers)"
            )),
            _ => Looked::NotYet(format!(
                "Route53 still reports the primary healthy ({} of {all} checkers see it \
                 healthy)",
                all - failing
            )),
        },
    )
}

/// A stack id (ARN) names the stack between its slashes: `...:stack/NAME/UUID`.
fn short_stack(stack: &str) -> &str {
    match stack.strip_prefix("arn:") {
        Some(_) => stack.split('/').nth(1).unwrap_or(stack),
        None => stack,
    }
}

async fn stack_look(
    cloud: &dyn crate::cloud::Cloud,
    region: &str,
    stack: &str,
) -> CloudResult<Looked> {
    use crate::cloud::StackPhase;
    let name = short_stack(stack);
    let info = match cloud.describe_stack(region, stack).await {
        Ok(info) => info,
        // Deletes are followed by stack id, which keeps answering DELETE_COMPLETE; by name, a
        // stack not found after a create or an update is not settled: it is not there.
        Err(e) if e.is_not_found() => {
            return Ok(Looked::NotYet(format!("{name} is not listed (yet)")));
        }
        Err(e) => return Err(e),
    };
    Ok(match info.phase() {
        StackPhase::Complete => Looked::Done(format!("{name} is {}", info.status)),
        StackPhase::Failed => Looked::Failed(format!(
            "{name} is {}{}",
            info.status,
            info.status_reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        )),
        StackPhase::InProgress => {
            // What CloudFormation is doing now says more than the status alone; an
            // unreadable history is no reason to stop waiting.
            let newest = cloud
                .stack_events(region, stack, None)
                .await
                .ok()
                .and_then(|events| events.into_iter().next());
            Looked::NotYet(match newest {
                Some(event) => format!("{name} is {}: {}", info.status, event.line()),
                None => format!("{name} is {}", info.status),
            })
        }
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
