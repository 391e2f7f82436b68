//! DynamoDB tables after a restore: deleting one (an on-demand backup first) and counting its
//! items.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use super::dynamodb::{region_arg, table_not_found, valid_name};
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Check, Context, Danger, DrillShape, Plan, Report,
    SafetyNet, TargetKind, WaitFor,
};
use crate::cloud::{ScanProgress, WriteRequest};

/// `12345678` -> `12,345,678`: counts are read by tired eyes.
pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) const REGION_ARG: ArgSpec = ArgSpec {
    name: "region",
    kind: ArgKind::Text,
    required: false,
    help: "the table's region (default: the primary region)",
};

/// How long DynamoDB may take to make a backup and to delete a table before the run stops
/// waiting (what was sent stays sent; a re-run finds where it stands).
const BACKUP_WAIT: Duration = Duration::from_secs(30 * 60);
const DELETE_WAIT: Duration = Duration::from_secs(30 * 60);

pub struct DeleteTable;

const DELETE_ARGS: &[ArgSpec] = &[
    REGION_ARG,
    ArgSpec {
        name: "backup-name",
        kind: ArgKind::Text,
        required: false,
        help: "the name of the backup taken first (default: before-delete-YYYYMMDD-HHMM-<table>)",
    },
];

#[async_trait]
impl Action for DeleteTable {
    fn name(&self) -> &'static str {
        "delete-table"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            names: &["backup-name"],
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Delete a table, after an on-demand backup of it"
    }
    fn details(&self) -> &'static str {
        "Takes an on-demand backup first and waits for it to be AVAILABLE, then deletes the \
         table and waits until it is gone. A table with deletion protection on is refused: \
         turn it off by hand if the delete is really meant. There is no undo: restore-backup \
         brings the table back from the backup taken first (without its PITR, TTL, stream and \
         tags, which a restore does not carry over)."
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        DELETE_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = region_arg(ctx, args)?;
        let backup_name = args.get("backup-name").map_or_else(
            || format!("before-delete-{}-{table}", ctx.now.format("%Y%m%d-%H%M")),
            str::to_owned,
        );
        valid_name("backup name", &backup_name)?;
        // The names made explicit: the run after a preview, and a re-run, use the same backup.
        let args = args
            .clone()
            .with("region", region.clone())
            .with("backup-name", backup_name.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        let schema = match ctx.cloud.describe_table_schema(&region, table).await {
            Ok(schema) => schema,
            Err(e) if e.is_not_found() => {
                plan.before = json!({ "exists": false });
                return Ok(plan.done(format!("table {table} does not exist in {region}")));
            }
            Err(e) => return Err(e.into()),
        };
        if schema.deletion_protection {
            return Err(ActionError::Invalid(format!(
                "table {table} has deletion protection on: drconsole does not turn it off; \
                 turn it off by hand (UpdateTable DeletionProtectionEnabled=false) if the delete \
                 is really meant"
            )));
        }
        let backups = ctx.cloud.list_backups(&region, Some(table)).await?;
        let existing = backups
            .iter()
            .find(|b| b.name == backup_name && b.status != "DELETED");
        plan.before = json!({
            "exists": true,
            "schema": schema,
            "backup": existing.map(|b| json!({ "arn": b.arn, "status": b.status })),
        });
        let backup = WriteRequest::CreateBackup {
            region: region.clone(),
            table: table.to_owned(),
            backup_name: backup_name.clone(),
        };
        plan.safety_net.push(SafetyNet {
            what: match existing {
                Some(b) => format!("backup {backup_name} of {table}, already taken ({})", b.arn),
                None => format!("an on-demand backup {backup_name} of {table}"),
            },
            saved: serde_json::to_value(&schema).unwrap_or_default(),
            // A re-run after a failed delete keeps the backup it already took.
            request: existing.is_none().then_some(backup),
        });
        // A backup still being made (a re-run after a crash) is waited for too: the delete
        // never goes ahead of its safety net.
        if existing.is_none_or(|b| b.status != "AVAILABLE") {
            plan.wait_after_last(
                WaitFor::BackupAvailable {
                    region: region.clone(),
                    table: table.to_owned(),
                    backup_name: backup_name.clone(),
                },
                BACKUP_WAIT,
            );
        }
        plan.requests.push(WriteRequest::DeleteTable {
            region: region.clone(),
            table: table.to_owned(),
        });
        plan.wait_after_last(
            WaitFor::TableDeleted {
                region: region.clone(),
                table: table.to_owned(),
            },
            DELETE_WAIT,
        );
        plan.notes.push(format!(
            "no undo: `drconsole action run restore-backup` brings {table} back from backup \
             {backup_name} (in {region} only)"
        ));
        plan.notes.push(
            "a restored table has no PITR, TTL, stream, tags, autoscaling or alarms until they \
             are put back"
                .to_owned(),
        );
        Ok(plan)
    }

    /// A table this run made (a validation's temporary copy, a drill's) holds nothing that
    /// is not somewhere else already: it is deleted without a backup first, which would
    /// only cost a wait and leave a backup behind to be cleaned up in turn.
    async fn plan_own(
        &self,
        ctx: &Context<'_>,
        table: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = region_arg(ctx, args)?;
        let args = args.clone().with("region", region.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        let info = match ctx.cloud.describe_table(&region, table).await {
            Ok(info) => info,
            Err(e) if e.is_not_found() => {
                plan.before = json!({ "exists": false });
                return Ok(plan.done(format!("table {table} does not exist in {region}")));
            }
            Err(e) => return Err(e.into()),
        };
        plan.before = json!({ "exists": true, "status": info.status });
        let gone = WaitFor::TableDeleted {
            region: region.clone(),
            table: table.to_owned(),
        };
        if info.status == "DELETING" {
            plan.wait_after_last(gone, DELETE_WAIT);
            return Ok(plan);
        }
        // A restore that outran its timeout leaves a table still CREATING, which DynamoDB
        // refuses to delete: it is waited for, so the copy is removed all the same.
        if !info.is_active() {
            plan.wait_after_last(
                WaitFor::TableActive {
                    region: region.clone(),
                    table: table.to_owned(),
                },
                DELETE_WAIT,
            );
        }
        plan.requests.push(WriteRequest::DeleteTable {
            region: region.clone(),
            table: table.to_owned(),
        });
        plan.wait_after_last(gone, DELETE_WAIT);
        plan.notes.push(format!(
            "{table} was made by this run: no backup is taken before it is deleted"
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let region = plan.args.get("region").unwrap_or_else(|| ctx.primary());
        let table = plan.target.as_str();
        match ctx.cloud.describe_table(region, table).await {
            Err(e) if e.is_not_found() => Ok(()),
            Ok(info) => Err(format!("table {table} is still there ({})", info.status)),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

pub(super) const SEGMENTS_ARG: ArgSpec = ArgSpec {
    name: "segments",
    kind: ArgKind::Count,
    required: false,
    help: "parallel scan segments, 1 to 30 (default 4)",
};

pub(super) fn segments(args: &Args) -> Result<u32, ActionError> {
    match args.count("segments") {
        None => Ok(4),
        Some(n @ 1..=30) => Ok(n as u32),
        Some(n) => Err(ActionError::Invalid(format!(
            "segments must be 1 to 30, not {n}"
        ))),
    }
}

/// Reports a counting scan's pages as "segment 2/4: 12,000 items so far".
pub(super) fn scan_progress<'a>(
    label: &'a str,
    progress: &'a (dyn Fn(String) + Send + Sync),
) -> impl Fn(ScanProgress) + Send + Sync + 'a {
    move |p: ScanProgress| {
        progress(format!(
            "{label}segment {}/{}: {} items so far",
            p.segment + 1,
            p.segments,
            thousands(p.segment_items)
        ))
    }
}

pub struct CountItems;

const COUNT_ARGS: &[ArgSpec] = &[REGION_ARG, SEGMENTS_ARG];

#[async_trait]
impl Check for CountItems {
    fn name(&self) -> &'static str {
        "count-items"
    }
    fn summary(&self) -> &'static str {
        "Count a table's items exactly (a parallel scan)"
    }
    fn details(&self) -> &'static str {
        "Scans with Select=COUNT in parallel segments, page by page: it reads the whole table \
         and costs read capacity (about one unit per 4 KB). DescribeTable's ItemCount is shown \
         beside it as approximate: AWS refreshes it about every six hours."
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        COUNT_ARGS
    }

    async fn run(
        &self,
        ctx: &Context<'_>,
        table: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError> {
        let region = &region_arg(ctx, args)?;
        let segments = segments(args)?;
        let info = ctx
            .cloud
            .describe_table(region, table)
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        let count = ctx
            .cloud
            .count_items_with(region, table, segments, &scan_progress("", progress))
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        let mut report = Report::new(
            true,
            format!(
                "{} items in {table} ({region}), {} segment(s), {} page(s)",
                thousands(count.items),
                count.segments,
                thousands(count.pages)
            ),
        );
        report.lines.push(match info.item_count {
            Some(approx) => format!(
                "DescribeTable's ItemCount: {} (approximate: AWS refreshes it about every 6 h)",
                thousands(approx.max(0) as u64)
            ),
            None => "DescribeTable gave no ItemCount".to_owned(),
        });
        report.figures = json!({
            "table": table,
            "region": region,
            "items": count.items,
            "segments": count.segments,
            "pages": count.pages,
            "approximate_item_count": info.item_count,
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}
