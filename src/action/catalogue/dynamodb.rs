//! DynamoDB repairs: point-in-time recovery on, an on-demand backup now.

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, DrillShape, Plan, TargetKind,
    Undo, missing_target,
};
use crate::cloud::{CloudError, WriteRequest};

/// A read of a table that says "no such table" is bad input, not a failed call.
pub(super) fn table_not_found(e: CloudError, table: &str, region: &str) -> ActionError {
    if e.is_not_found() {
        missing_target(TargetKind::Table, table, region)
    } else {
        ActionError::Cloud(e)
    }
}

pub struct EnablePitr;

#[async_trait]
impl Action for EnablePitr {
    fn name(&self) -> &'static str {
        "enable-pitr"
    }
    fn summary(&self) -> &'static str {
        "Turn on point-in-time recovery for a table"
    }
    fn details(&self) -> &'static str {
        "The restorable window starts when it is turned on: earlier points stay unrecoverable. \
         Undo turns it off again (only if this action turned it on)."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let state = ctx
            .cloud
            .describe_continuous_backups(region, table)
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        let mut plan = Plan::new(self.name(), table, self.danger(), args);
        plan.before = json!({ "pitr_enabled": state.pitr_enabled });
        if state.pitr_enabled {
            return Ok(plan.done(format!("point-in-time recovery is already on for {table}")));
        }
        let request = |pitr| WriteRequest::UpdateContinuousBackups {
            region: region.to_owned(),
            table: table.to_owned(),
            pitr,
        };
        plan.requests.push(request(true));
        plan.undo = Some(Undo {
            summary: format!("turn point-in-time recovery off again for {table}"),
            requests: vec![request(false)],
            waits: Vec::new(),
        });
        plan.notes.push(
            "the restorable window starts now: points before it cannot be restored".to_owned(),
        );
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let table = plan.target.as_str();
        match ctx
            .cloud
            .describe_continuous_backups(ctx.primary(), table)
            .await
        {
            Ok(s) if s.pitr_enabled => Ok(()),
            Ok(_) => Err(format!(
                "point-in-time recovery of {table} still reads as off"
            )),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

pub struct BackupTable;

const BACKUP_ARGS: &[ArgSpec] = &[ArgSpec {
    name: "name",
    kind: ArgKind::Text,
    required: false,
    help: "the backup's name (default: ondemand-YYYYMMDD-HHMM-<table>, so a second run in the \
           same minute finds the first backup instead of making another)",
}];

fn backup_name(ctx: &Context<'_>, table: &str, args: &Args) -> Result<String, ActionError> {
    let name = args
        .get("name")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("ondemand-{}-{table}", ctx.now.format("%Y%m%d-%H%M")));
    valid_name("backup name", &name)?;
    Ok(name)
}

#[async_trait]
impl Action for BackupTable {
    fn name(&self) -> &'static str {
        "backup-table"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            names: &["name"],
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Create an on-demand backup of a table now"
    }
    fn details(&self) -> &'static str {
        "The backup lives in the table's region: it cannot be restored in another region. \
         There is no undo: the backup is kept until deleted."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        BACKUP_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let name = backup_name(ctx, table, args)?;
        ctx.cloud
            .describe_table(region, table)
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        let backups = ctx.cloud.list_backups(region, Some(table)).await?;
        let args = args.clone().with("name", name.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        plan.before = json!({
            "newest_backup": backups.first().map(|b| json!({ "name": b.name, "created": b.created })),
        });
        if let Some(same) = backups
            .iter()
            .find(|b| b.name == name && b.status != "DELETED")
        {
            return Ok(plan.done(format!(
                "backup {name} of {table} already exists ({}, {})",
                same.status,
                same.created.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        plan.requests.push(WriteRequest::CreateBackup {
            region: region.to_owned(),
            table: table.to_owned(),
            backup_name: name,
        });
        plan.notes.push(format!(
            "the backup stays in {region}: it cannot be restored in another region"
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let table = plan.target.as_str();
        let name = plan.args.get("name").unwrap_or_default();
        match ctx.cloud.list_backups(ctx.primary(), Some(table)).await {
            Ok(list) if list.iter().any(|b| b.name == name && b.status != "DELETED") => Ok(()),
            Ok(_) => Err(format!("backup {name} is not listed")),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

/// A table or backup name as DynamoDB takes it: 3 to 255 characters of [a-zA-Z0-9_.-].
pub(super) fn valid_name(what: &str, name: &str) -> Result<(), ActionError> {
    let ok = (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ActionError::Invalid(format!(
            "{what} `{name}` must be 3 to 255 letters, digits, '_', '.' or '-'"
        )))
    }
}

/// The `region` argument: the primary (default) or the backup region, nothing else.
pub(super) fn region_arg(ctx: &Context<'_>, args: &Args) -> Result<String, ActionError> {
    let region = args.get("region").unwrap_or(ctx.primary()).to_owned();
    if region != ctx.primary() && region != ctx.backup() {
        return Err(ActionError::Invalid(format!(
            "region {region} is not the estate's primary ({}) or backup ({}) region",
            ctx.primary(),
            ctx.backup()
        )));
    }
    Ok(region)
}
