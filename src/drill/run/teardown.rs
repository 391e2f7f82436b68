//! A drill's teardown: what the drill made, read back from its journal (every create it
//! sent that succeeded), removed in reverse order through the executor, each the drill's own
//! so no name is typed back, and no safety net is taken of a drill's copy.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, TargetKind, WaitFor,
};
use crate::cloud::{ChangeAction, RecordChange, WriteRequest};
use crate::incident::journal::Entry;
use crate::incident::record::Record;

/// One resource a drill made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    Table { region: String, name: String },
    Function { region: String, name: String },
    Stack { region: String, name: String },
    Records { zone: String, name: String },
    Backup { region: String, arn: String },
}

impl Made {
    /// What the executor's run names as its target.
    pub fn target(&self) -> &str {
        match self {
            Made::Table { name, .. }
            | Made::Function { name, .. }
            | Made::Stack { name, .. }
            | Made::Records { name, .. } => name,
            Made::Backup { arn, .. } => arn,
        }
    }

    /// "table flightdata-main-dr-test (us-east-1)".
    pub fn label(&self) -> String {
        match self {
            Made::Table { region, name } => format!("table {name} ({region})"),
            Made::Function { region, name } => format!("function {name} ({region})"),
            Made::Stack { region, name } => format!("stack {name} ({region})"),
            Made::Records { zone, name } => format!("DNS records {name} (zone {zone})"),
            Made::Backup { region, arn } => format!("backup {arn} ({region})"),
        }
    }

    fn args(&self) -> BTreeMap<String, String> {
        let (kind, place) = match self {
            Made::Table { region, .. } => ("table", region),
            Made::Function { region, .. } => ("function", region),
            Made::Stack { region, .. } => ("stack", region),
            Made::Records { zone, .. } => ("records", zone),
            Made::Backup { region, .. } => ("backup", region),
        };
        BTreeMap::from([
            ("kind".to_owned(), kind.to_owned()),
            ("where".to_owned(), place.clone()),
        ])
    }
}

/// Everything the journal's successful creates made, oldest first, each once (at its last
/// making: a table deleted and made again by the runbook is removed once).
pub fn made(entries: &[Entry]) -> Vec<Made> {
    let mut sent: BTreeMap<String, WriteRequest> = BTreeMap::new();
    let mut made: Vec<Made> = Vec::new();
    for entry in entries {
        match entry.record() {
            Some(Record::RequestSent {
                step: Some(run),
                request,
                ..
            }) => {
                if let Ok(request) = serde_json::from_value::<WriteRequest>(request) {
                    sent.insert(run, request);
                }
            }
            Some(Record::RequestFinished {
                step: Some(run),
                ok: true,
                result,
                ..
            }) => {
                let Some(request) = sent.remove(&run) else {
                    continue;
                };
                for m in of(&request, &result) {
                    made.retain(|x| x != &m);
                    made.push(m);
                }
            }
            _ => {}
        }
    }
    made
}

fn of(request: &WriteRequest, result: &serde_json::Value) -> Vec<Made> {
    use WriteRequest::*;
    let table = |region: &str, name: &str| Made::Table {
        region: region.to_owned(),
        name: name.to_owned(),
    };
    match request {
        RestoreTableFromBackup {
            region,
            target_table,
            ..
        }
        | RestoreTableToPointInTime {
            region,
            target_table,
            ..
        } => vec![table(region, target_table)],
        ImportTable { region, import } => vec![table(region, &import.table)],
        CreateFunction { region, spec, .. } => vec![Made::Function {
            region: region.clone(),
            name: spec.name.clone(),
        }],
        CreateStack { region, stack, .. } => vec![Made::Stack {
            region: region.clone(),
            name: stack.clone(),
        }],
        ChangeResourceRecordSets {
            zone_id, changes, ..
        } => {
            let mut names: Vec<String> = changes
                .iter()
                .filter(|c| c.action == ChangeAction::Create)
                .map(|c| c.record.name.clone())
                .collect();
            names.dedup();
            names
                .into_iter()
                .map(|name| Made::Records {
                    zone: zone_id.clone(),
                    name,
                })
                .collect()
        }
        CreateBackup { region, .. } => result["value"]["arn"]
            .as_str()
            .map(|arn| Made::Backup {
                region: region.clone(),
                arn: arn.to_owned(),
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// What teardown did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TornDown {
    pub removed: Vec<String>,
    /// Each with why it is still there.
    pub left: Vec<String>,
}

/// Removes every resource in `made`, newest first. One that will not go is named with the
/// reason, and the rest are still removed.
pub async fn remove_all(
    executor: &crate::action::Executor,
    made: &[Made],
    progress: &(dyn Fn(String) + Send + Sync),
) -> TornDown {
    let mut torn = TornDown::default();
    for m in made.iter().rev() {
        progress(format!("removing {}", m.label()));
        // The drill made it (its journal says so): its own, to remove without a typed name.
        if !executor.owns(m.target())
            && let Err(e) = executor.own("drill-teardown", m.target()).await
        {
            torn.left.push(format!("{}: {e}", m.label()));
            continue;
        }
        let args = match Args::from_map(Remove.name(), Remove.args(), m.args()) {
            Ok(args) => args,
            Err(e) => {
                torn.left.push(format!("{}: {e}", m.label()));
                continue;
            }
        };
        let quiet = |_: crate::action::Progress| {};
        match executor
            .run(&Remove, m.target(), &args, None, None, &quiet)
            .await
        {
            Ok(_) => torn.removed.push(m.label()),
            Err(e) => torn.left.push(format!("{}: {e}", m.label())),
        }
    }
    torn
}

const REMOVE_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "kind",
        kind: ArgKind::Choice(&["table", "function", "stack", "records", "backup"]),
        required: true,
        help: "what the drill made",
    },
    ArgSpec {
        name: "where",
        kind: ArgKind::Text,
        required: true,
        help: "its region (for records, the zone)",
    },
];

/// How long a drill table's deletion is waited for.
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Removes one resource a drill made. Reads first: one already gone is done.
pub struct Remove;

#[async_trait]
impl Action for Remove {
    fn name(&self) -> &'static str {
        "drill-remove"
    }
    fn summary(&self) -> &'static str {
        "Remove what a drill made (its teardown)"
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        REMOVE_ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        target: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let place = args.get("where").unwrap_or_default().to_owned();
        let kind = args.get("kind").unwrap_or_default();
        let mut plan = Plan::new(self.name(), target, self.danger(), args);
        plan.before = json!({ "kind": kind, "where": place });
        let gone = || format!("{target} is gone already");
        match kind {
            "table" => match ctx.cloud.describe_table(&place, target).await {
                Err(e) if e.is_not_found() => return Ok(plan.done(gone())),
                Err(e) => return Err(e.into()),
                Ok(_) => {
                    plan.requests.push(WriteRequest::DeleteTable {
                        region: place.clone(),
                        table: target.to_owned(),
                    });
                    plan.wait_after_last(
                        WaitFor::TableDeleted {
                            region: place,
                            table: target.to_owned(),
                        },
                        DELETE_TIMEOUT,
                    );
                }
            },
            "function" => match ctx.cloud.get_function(&place, target).await {
                Err(e) if e.is_not_found() => return Ok(plan.done(gone())),
                Err(e) => return Err(e.into()),
                Ok(_) => plan.requests.push(WriteRequest::DeleteFunction {
                    region: place,
                    function: target.to_owned(),
                }),
            },
            "stack" => match ctx.cloud.describe_stack(&place, target).await {
                Err(e) if e.is_not_found() => return Ok(plan.done(gone())),
                Err(e) => return Err(e.into()),
                Ok(info) if info.status.starts_with("DELETE") => {
                    return Ok(plan.done(format!("{target} is {}", info.status)));
                }
                Ok(_) => plan.requests.push(WriteRequest::DeleteStack {
                    region: place,
                    stack: target.to_owned(),
                }),
            },
            "records" => {
                let records = ctx.cloud.list_record_sets_once(&place).await?;
                let changes: Vec<RecordChange> = records
                    .into_iter()
                    .filter(|r| {
                        r.name
                            .trim_end_matches('.')
                            .eq_ignore_ascii_case(target.trim_end_matches('.'))
                    })
                    .map(|record| RecordChange {
                        action: ChangeAction::Delete,
                        record,
                    })
                    .collect();
                if changes.is_empty() {
                    return Ok(plan.done(gone()));
                }
                plan.requests.push(WriteRequest::ChangeResourceRecordSets {
                    zone_id: place,
                    changes,
                    comment: format!("drill teardown of {target}"),
                });
            }
            _ => match ctx.cloud.describe_backup(&place, target).await {
                Err(e) if e.is_not_found() => return Ok(plan.done(gone())),
                Err(e) => return Err(e.into()),
                Ok(b) if b.status == "DELETED" => return Ok(plan.done(gone())),
                Ok(_) => plan.requests.push(WriteRequest::DeleteBackup {
                    region: place,
                    backup_arn: target.to_owned(),
                }),
            },
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        // The plan of the same removal again: nothing left to send is the state intended.
        let args = plan.args.clone();
        match self.plan(ctx, &plan.target, &args).await {
            Ok(again) if again.is_noop() => Ok(()),
            Ok(_) if matches!(args.get("kind"), Some("stack")) => {
                // CloudFormation deletes in the background: DELETE_IN_PROGRESS reads as
                // still there until it ends.
                Ok(())
            }
            Ok(_) => Err(format!("{} is still there", plan.target)),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}
