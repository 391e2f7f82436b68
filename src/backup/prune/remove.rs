//! The removal a prune runs through the executor, one per backup or dated folder: its plan is
//! the DeleteBackup or DeleteObjects that removes it, read again just before, and it refuses
//! anything that is not a name drconsole's backups make.

use async_trait::async_trait;
use serde_json::json;

use super::series::{daily_backup_day, is_dated_folder};
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, TargetKind,
};
use crate::cloud::WriteRequest;

const ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "kind",
        kind: ArgKind::Choice(&["backup", "folder"]),
        required: true,
        help: "a daily backup of the table, or a dated folder of the bucket",
    },
    ArgSpec {
        name: "region",
        kind: ArgKind::Text,
        required: true,
        help: "the backup's or bucket's region",
    },
    ArgSpec {
        name: "id",
        kind: ArgKind::Text,
        required: true,
        help: "the backup's ARN, or the folder's key prefix (ending in /)",
    },
];

/// Removes one daily backup (the target is its table) or one dated folder (the target is
/// its bucket).
pub struct PruneRemove {
    kind: TargetKind,
}

pub const BACKUP: PruneRemove = PruneRemove {
    kind: TargetKind::Table,
};
pub const FOLDER: PruneRemove = PruneRemove {
    kind: TargetKind::Bucket,
};

pub fn args(kind: &str, region: &str, id: &str) -> Result<Args, ActionError> {
    Args::from_map(
        BACKUP.name(),
        ARGS,
        [("kind", kind), ("region", region), ("id", id)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}

#[async_trait]
impl Action for PruneRemove {
    fn name(&self) -> &'static str {
        "prune-remove"
    }
    fn summary(&self) -> &'static str {
        "Remove a daily backup or a dated backup folder outside the retention rule"
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        self.kind
    }
    fn args(&self) -> &'static [ArgSpec] {
        ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        target: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = args.get("region").unwrap_or_default().to_owned();
        let id = args.get("id").unwrap_or_default().to_owned();
        let mut plan = Plan::new(self.name(), target, self.danger(), args);
        if args.get("kind") == Some("backup") {
            let backup = match ctx.cloud.describe_backup(&region, &id).await {
                Err(e) if e.is_not_found() => return Ok(plan.done(format!("{id} is gone already"))),
                Err(e) => return Err(e.into()),
                Ok(b) => b,
            };
            if backup.status == "DELETED" {
                return Ok(plan.done(format!("{} is gone already", backup.name)));
            }
            if backup.table_name != target || daily_backup_day(&backup.name, target).is_none() {
                return Err(ActionError::Invalid(format!(
                    "{id} is {} of {}, not a daily-backup-YYYYMMDD-{target}: a prune removes \
                     only the daily backups drconsole names",
                    backup.name, backup.table_name
                )));
            }
            plan.before = json!({ "backup": backup });
            plan.requests.push(WriteRequest::DeleteBackup {
                region,
                backup_arn: id,
            });
            return Ok(plan);
        }
        if !is_dated_folder(ctx.estate, target, &id) {
            return Err(ActionError::Invalid(format!(
                "s3://{target}/{id} is not a dated backup folder of the estate: a prune removes \
                 only <prefix>YYYYMMDD/ and <export_prefix><table>/YYYY/MM/DD/, never latest/"
            )));
        }
        // Every object under the folder, as it is now: one written since the listing the
        // person confirmed is in the folder too, and goes with it.
        let objects = ctx
            .cloud
            .list_objects(&region, target, Some(&id), None)
            .await?;
        if objects.is_empty() {
            return Ok(plan.done(format!("s3://{target}/{id} is empty or gone already")));
        }
        let bytes: u64 = objects.iter().map(|o| o.size).sum();
        plan.before = json!({ "objects": objects.len(), "bytes": bytes });
        plan.requests.push(WriteRequest::DeleteObjects {
            region,
            bucket: target.to_owned(),
            keys: objects.into_iter().map(|o| o.key).collect(),
        });
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        match self.plan(ctx, &plan.target, &plan.args).await {
            Ok(again) if again.is_noop() => Ok(()),
            Ok(_) => Err(format!(
                "{} is still there",
                plan.args.get("id").unwrap_or_default()
            )),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}
