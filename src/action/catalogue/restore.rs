//! DynamoDB restores: from an on-demand backup, to a point in time, and the re-protection of
//! the new table (PITR, TTL, stream, tags), which AWS does not carry over.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::dynamodb::{region_arg, table_not_found, valid_name};
use super::reprotect::{reprotect, still_needed, table_arn_like};
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, DrillShape, Plan, TargetKind,
    WaitFor,
};
use crate::cloud::{CloudError, RestorePoint, TableSchema, WriteRequest};
use crate::config::Dur;

/// AWS restores take minutes to hours, by the table's size.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2 * 3600);

const NEW_NAME: ArgSpec = ArgSpec {
    name: "new-name",
    kind: ArgKind::Text,
    required: false,
    help: "the new table's name (default <table>-restored-YYYYMMDDHHMM): a restore cannot \
           overwrite or rename a table",
};
/// For runbooks that restore under an estate table's own name: a table already there is the
/// step's own work found again (a retry, a resumed run), not someone else's.
pub(super) const IF_EXISTS: ArgSpec = ArgSpec {
    name: "if-exists",
    kind: ArgKind::Choice(&["refuse", "adopt"]),
    required: false,
    help: "when new-name is an estate table's name and a table of that name exists in the \
           region: refuse (default), or adopt it as this restore's own result (a re-run after a \
           crash or a timeout: only its wait and re-protection are left)",
};
const REGION: ArgSpec = ArgSpec {
    name: "region",
    kind: ArgKind::Text,
    required: false,
    help: "where the new table is made (default: the primary region)",
};
const TIMEOUT: ArgSpec = ArgSpec {
    name: "timeout",
    kind: ArgKind::Text,
    required: false,
    help: "how long to wait for the new table to be ACTIVE (default 2h)",
};

const BACKUP_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "backup",
        kind: ArgKind::Text,
        required: false,
        help: "a backup ARN or name (default: the newest AVAILABLE backup by creation time)",
    },
    NEW_NAME,
    IF_EXISTS,
    REGION,
    TIMEOUT,
    ArgSpec {
        name: "protect",
        kind: ArgKind::Choice(&["source", "none"]),
        required: false,
        help: "source (default): the new table gets the source's PITR, TTL, stream and tags; \
               none: a temporary copy to check and delete, left unprotected",
    },
    ArgSpec {
        name: "tag",
        kind: ArgKind::Text,
        required: false,
        help: "KEY=VALUE put on the new table once it is ACTIVE (a validation marks its \
               temporary tables so a later run can tell them)",
    },
];

/// `tag=KEY=VALUE`, checked.
fn extra_tag(args: &Args) -> Result<Option<(String, String)>, ActionError> {
    let Some(text) = args.get("tag") else {
        return Ok(None);
    };
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok(Some((k.trim().to_owned(), v.to_owned()))),
        _ => Err(ActionError::Invalid(format!(
            "tag `{text}` is not KEY=VALUE"
        ))),
    }
}

const PITR_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "time",
        kind: ArgKind::Text,
        required: true,
        help: "the point to restore: RFC 3339 (2026-11-26T09:41:00Z), a UTC time (09:41), a \
               time ago (-45m) or `latest`",
    },
    NEW_NAME,
    IF_EXISTS,
    ArgSpec {
        name: "region",
        kind: ArgKind::Text,
        required: false,
        help: "where the new table is made (default: the primary region; the backup region \
               is a cross-region restore, which needs the primary's control plane)",
    },
    TIMEOUT,
];

const REPROTECT_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "like",
        kind: ArgKind::Text,
        required: false,
        help: "the table (in the primary region) whose protection to copy; without it, an \
               estate table is checked against the estate's own expectation (PITR on)",
    },
    REGION,
];

fn timeout(args: &Args) -> Result<Duration, ActionError> {
    match args.get("timeout") {
        None => Ok(DEFAULT_TIMEOUT),
        Some(text) => text
            .parse::<Dur>()
            .map(|d| d.as_duration())
            .map_err(|e| ActionError::Invalid(format!("timeout `{text}`: {e}"))),
    }
}

/// The new table's name, and whether the run owns what it makes (see [`may_take_name`]).
async fn new_name(
    ctx: &Context<'_>,
    table: &str,
    args: &Args,
    region: &str,
) -> Result<(String, bool), ActionError> {
    let name = args
        .get("new-name")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{table}-restored-{}", ctx.now.format("%Y%m%d%H%M")));
    valid_name("table name", &name)?;
    let owned = may_take_name(ctx, &name, region, adopts(args)).await?;
    // A table outside the estate keeps the old rule: never its own name where it lives.
    if owned && name == table && region == ctx.primary() {
        return Err(ActionError::Invalid(format!(
            "a restore cannot overwrite {table}: give another new-name (to get the old name \
             back, delete {table} first, then restore again under its name)"
        )));
    }
    Ok((name, owned))
}

/// Whether a new table may be called `name` in `region`, and whether the run owns it then.
/// An estate table's name is taken only where no table has it (the failover makes
/// flightdata-main in the backup region; the corruption swap puts it back after deleting
/// the corrupted one), and it is never the run's own: deleting it later still needs the
/// name typed back. Any other name is the run's own.
pub(super) async fn may_take_name(
    ctx: &Context<'_>,
    name: &str,
    region: &str,
    adopt: bool,
) -> Result<bool, ActionError> {
    let estate_name = crate::action::TargetKind::Table.contains(ctx.estate, name);
    if !estate_name {
        return Ok(true);
    }
    match ctx.cloud.describe_table(region, name).await {
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(ActionError::Cloud(e)),
        Ok(_) if adopt => Ok(false),
        Ok(info) => Err(ActionError::Invalid(format!(
            "{name} exists in {region} ({}): a restore cannot overwrite a table; give another \
             new-name, or delete {name} first (delete-table backs it up) and restore under its \
             name",
            info.status
        ))),
    }
}

/// `if-exists=adopt`.
pub(super) fn adopts(args: &Args) -> bool {
    args.get("if-exists") == Some("adopt")
}

/// The protection a table of the estate is expected to have when nothing else is known.
fn estate_expectation(table: &str, region: &str, arn: &str, now: DateTime<Utc>) -> TableSchema {
    TableSchema {
        table: table.to_owned(),
        region: region.to_owned(),
        arn: arn.to_owned(),
        key_schema: Vec::new(),
        attributes: Vec::new(),
        global_indexes: Vec::new(),
        local_indexes: Vec::new(),
        billing_mode: String::new(),
        provisioned: None,
        ttl_attribute: None,
        stream_view_type: None,
        pitr_enabled: true,
        deletion_protection: false,
        tags: Default::default(),
        read_at: now,
    }
}

/// The source's protection: read from the source while it answers; if it is gone, the
/// estate's expectation (PITR on), with a note of what could not be known.
async fn source_protection(
    ctx: &Context<'_>,
    region: &str,
    table: &str,
    arn_hint: &str,
    notes: &mut Vec<String>,
) -> Result<TableSchema, ActionError> {
    match ctx.cloud.describe_table_schema(region, table).await {
        Ok(schema) => Ok(schema),
        Err(e) if e.is_not_found() => {
            notes.push(format!(
                "{table} no longer exists, so its TTL, stream and tags cannot be read: only \
                 point-in-time recovery (the estate's expectation) is put back; copy the rest \
                 with reprotect-table like=<a table that has them>"
            ));
            Ok(estate_expectation(table, region, arn_hint, ctx.now))
        }
        Err(e) => Err(ActionError::Cloud(e)),
    }
}

/// The part restore-backup and restore-pitr share: `restore` (when the new table is not
/// there yet), the wait for ACTIVE, then the re-protection still missing. A re-run finding
/// the new table plans only what is left.
async fn finish_restore_plan(
    ctx: &Context<'_>,
    mut plan: Plan,
    restore: WriteRequest,
    source: &TableSchema,
    (region, new, owned): (&str, &str, bool),
    wait_at_most: Duration,
) -> Result<Plan, ActionError> {
    let arn = table_arn_like(&source.arn, region, new);
    let (mut protect, not_reapplied) = if plan.args.get("protect") == Some("none") {
        plan.notes.push(format!(
            "protect=none: {new} is left without PITR, TTL, stream and tags (a temporary copy)"
        ));
        (Vec::new(), Vec::new())
    } else {
        reprotect(source, region, new, &arn)
    };
    if let Some((key, value)) = extra_tag(&plan.args)? {
        protect.push(WriteRequest::TagTable {
            region: region.to_owned(),
            table_arn: arn.clone(),
            tags: [(key, value)].into_iter().collect(),
        });
    }
    plan.notes.extend(not_reapplied);
    if owned {
        plan.creates.push(new.to_owned());
    } else {
        plan.notes.push(format!(
            "{new} takes the name of a table of the estate: it is not this run's own, and \
             deleting it later needs its name typed back"
        ));
    }
    plan.notes.push(format!(
        "there is no undo: deleting {new} is delete-table's job (destructive)"
    ));
    let active = WaitFor::TableActive {
        region: region.to_owned(),
        table: new.to_owned(),
    };
    match ctx.cloud.describe_table(region, new).await {
        Err(e) if e.is_not_found() => {
            plan.requests.push(restore);
            plan.wait_after_last(active, wait_at_most);
            plan.requests.extend(protect);
            Ok(plan)
        }
        Err(e) => Err(ActionError::Cloud(e)),
        Ok(info) => {
            let current = ctx.cloud.describe_table_schema(region, new).await?;
            let left = still_needed(protect, &current);
            if left.is_empty() {
                return Ok(plan.done(format!(
                    "{new} already exists in {region} ({}) and is protected as {} was",
                    info.status, source.table
                )));
            }
            if !info.is_active() {
                plan.wait_after_last(active, wait_at_most);
            }
            plan.notes.push(format!(
                "{new} already exists ({}): only its re-protection is left",
                info.status
            ));
            plan.requests.extend(left);
            Ok(plan)
        }
    }
}

/// After a restore: the new table ACTIVE, and PITR on when the source had it.
async fn verify_restored(ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
    let region = plan.args.get("region").unwrap_or(ctx.primary());
    let Some(new) = plan.args.get("new-name") else {
        return Err("the plan names no new table".to_owned());
    };
    match ctx.cloud.describe_table(region, new).await {
        Ok(info) if info.is_active() => {}
        Ok(info) => return Err(format!("{new} is {}, not ACTIVE", info.status)),
        Err(e) => return Err(format!("cannot read {new} back: {e}")),
    }
    if plan.before["expect_pitr"] == json!(true) {
        match ctx.cloud.describe_continuous_backups(region, new).await {
            Ok(s) if s.pitr_enabled => {}
            Ok(_) => return Err(format!("point-in-time recovery of {new} reads as off")),
            Err(e) => return Err(format!("cannot read {new}'s PITR back: {e}")),
        }
    }
    Ok(())
}

fn backup_region(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:aws:dynamodb:")?.split(':').next()
}

pub struct RestoreBackup;

#[async_trait]
impl Action for RestoreBackup {
    fn name(&self) -> &'static str {
        "restore-backup"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            creates: Some("new-name"),
            reads: &["backup"],
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Restore a table's on-demand backup into a new table, and re-protect it"
    }
    fn details(&self) -> &'static str {
        "Makes a new table from the backup (the newest AVAILABLE one by creation time unless \
         named), waits for it to be ACTIVE, then puts back what AWS does not restore: PITR, \
         TTL, the stream, tags. A backup restores only in its own region; for the backup \
         region use import-table or restore-pitr region=<backup>. No undo: the new table is \
         removed with delete-table."
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
        let region = region_arg(ctx, args)?;
        let (new, owned) = new_name(ctx, table, args, &region).await?;
        let wait_at_most = timeout(args)?;
        let home = ctx.primary().to_owned();
        let named = args.get("backup").is_some();
        let backup = match args.get("backup") {
            Some(arn) if arn.starts_with("arn:") => {
                let home = backup_region(arn).unwrap_or_default();
                if home != region {
                    return Err(only_in_own_region(home, &region));
                }
                ctx.cloud
                    .describe_backup(home, arn)
                    .await
                    .map_err(|e| not_found_backup(e, arn))?
            }
            wanted => {
                if region != home {
                    return Err(only_in_own_region(&home, &region));
                }
                let backups = ctx.cloud.list_backups(&home, Some(table)).await?;
                let available = backups.iter().filter(|b| b.status == "AVAILABLE");
                let chosen = match wanted {
                    Some(name) => available
                        .filter(|b| b.name == name)
                        .max_by_key(|b| b.created),
                    // By creation time: AWS promises no order, and the plan's script took
                    // the first listed.
                    None => available.max_by_key(|b| b.created),
                };
                chosen.cloned().ok_or_else(|| {
                    ActionError::Invalid(match wanted {
                        Some(name) => {
                            format!("{table} has no AVAILABLE backup named {name} in {home}")
                        }
                        None => format!("{table} has no AVAILABLE backup in {home}"),
                    })
                })?
            }
        };
        if backup.status != "AVAILABLE" {
            return Err(ActionError::Invalid(format!(
                "backup {} is {}, not AVAILABLE",
                backup.name, backup.status
            )));
        }
        let args = args
            .clone()
            .with("backup", backup.arn.clone())
            .with("new-name", new.clone())
            .with("region", region.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        plan.notes.push(format!(
            "restoring backup {} of {} (made {})",
            backup.name,
            table,
            backup.created.format("%Y-%m-%d %H:%M UTC")
        ));
        if !named {
            plan.notes.push(
                "the newest AVAILABLE backup by creation time was chosen (the plan's script \
                 took the first one listed, and AWS lists in no promised order)"
                    .to_owned(),
            );
        }
        plan.notes.push(format!(
            "a table cannot be renamed: point the application at {new}, or delete {table} \
             and restore again under its name"
        ));
        let temporary = args.get("protect") == Some("none");
        let source = if temporary {
            // A temporary copy is given no protection: the source's is not needed, and not
            // reading it spares four requests a table (validate restores every table).
            estate_expectation(table, &home, &backup.arn, ctx.now)
        } else {
            source_protection(ctx, &home, table, &backup.arn, &mut plan.notes).await?
        };
        plan.before = json!({
            "backup": { "arn": backup.arn, "name": backup.name, "created": backup.created },
            "source_protection": (!temporary).then(|| protection_json(&source)),
            "expect_pitr": source.pitr_enabled && !temporary,
        });
        let restore = WriteRequest::RestoreTableFromBackup {
            region: region.clone(),
            backup_arn: backup.arn.clone(),
            target_table: new.clone(),
        };
        finish_restore_plan(
            ctx,
            plan,
            restore,
            &source,
            (&region, &new, owned),
            wait_at_most,
        )
        .await
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        verify_restored(ctx, plan).await
    }
}

fn only_in_own_region(home: &str, region: &str) -> ActionError {
    ActionError::Invalid(format!(
        "a backup restores only in its own region ({home}), not in {region}: to make the \
         table in {region}, use import-table from an export in a {region} bucket, or \
         restore-pitr region={region} (which needs {home} to answer)"
    ))
}

fn not_found_backup(e: CloudError, arn: &str) -> ActionError {
    if e.is_not_found() {
        ActionError::Invalid(format!("backup {arn} does not exist"))
    } else {
        ActionError::Cloud(e)
    }
}

fn protection_json(s: &TableSchema) -> serde_json::Value {
    json!({
        "pitr": s.pitr_enabled,
        "ttl_attribute": s.ttl_attribute,
        "stream_view_type": s.stream_view_type,
        "tags": s.tags,
    })
}

pub struct RestorePitr;

#[async_trait]
impl Action for RestorePitr {
    fn name(&self) -> &'static str {
        "restore-pitr"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            creates: Some("new-name"),
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Restore a table as of a point in time into a new table, and re-protect it"
    }
    fn details(&self) -> &'static str {
        "The time is checked against the table's restorable window before anything is sent. \
         region=<backup> makes the new table in the backup region (a cross-region restore): \
         AWS reads the source through the primary region, so it fails while that region is \
         out; import-table is the path then. No undo: the new table is removed with \
         delete-table."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        PITR_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = region_arg(ctx, args)?;
        let (new, owned) = new_name(ctx, table, args, &region).await?;
        let wait_at_most = timeout(args)?;
        let home = ctx.primary().to_owned();
        let text = args.get("time").unwrap_or("latest");
        let point = if text.eq_ignore_ascii_case("latest") {
            RestorePoint::Latest
        } else {
            RestorePoint::At(
                crate::incident::when::parse_time(text, ctx.now).map_err(ActionError::Invalid)?,
            )
        };
        let args = args
            .clone()
            .with(
                "time",
                match point {
                    RestorePoint::Latest => "latest".to_owned(),
                    RestorePoint::At(at) => at.to_rfc3339(),
                },
            )
            .with("new-name", new.clone())
            .with("region", region.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        // A re-run finds the table it made: the window has moved since, and is moot.
        if ctx.cloud.describe_table(&region, &new).await.is_err() {
            let window = ctx
                .cloud
                .describe_continuous_backups(&home, table)
                .await
                .map_err(|e| table_not_found(e, table, &home))?;
            let (Some(earliest), Some(latest)) =
                (window.earliest_restorable, window.latest_restorable)
            else {
                return Err(ActionError::Invalid(format!(
                    "point-in-time recovery is off for {table}: there is no point to restore \
                     (restore-backup restores an on-demand backup)"
                )));
            };
            if !window.pitr_enabled {
                return Err(ActionError::Invalid(format!(
                    "point-in-time recovery is off for {table}: there is no point to restore"
                )));
            }
            let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
            if let RestorePoint::At(at) = point
                && (at < earliest || at > latest)
            {
                return Err(ActionError::Invalid(format!(
                    "{} is outside {table}'s restorable window (earliest {}, latest {})",
                    fmt(at),
                    fmt(earliest),
                    fmt(latest)
                )));
            }
            let chosen = match point {
                RestorePoint::Latest => format!("the latest restorable time (now {})", fmt(latest)),
                RestorePoint::At(at) => fmt(at),
            };
            plan.notes.push(format!(
                "restoring {table} as of {chosen}; the window is {} to {}",
                fmt(earliest),
                fmt(latest)
            ));
            plan.before = json!({
                "point": match point {
                    RestorePoint::Latest => json!({ "latest": latest }),
                    RestorePoint::At(at) => json!({ "at": at }),
                },
                "earliest_restorable": earliest,
                "latest_restorable": latest,
            });
        }
        let source = ctx
            .cloud
            .describe_table_schema(&home, table)
            .await
            .map_err(|e| table_not_found(e, table, &home))?;
        if let Some(before) = plan.before.as_object_mut() {
            before.insert("source_protection".into(), protection_json(&source));
        } else {
            plan.before = json!({ "source_protection": protection_json(&source) });
        }
        plan.before["expect_pitr"] = json!(source.pitr_enabled);
        let source_ref = if region == home {
            table.to_owned()
        } else {
            plan.notes.push(format!(
                "a cross-region restore into {region} reads {table} through {home}'s control \
                 plane: while {home} is out it fails; import-table from an export in a \
                 {region} bucket does not need {home}"
            ));
            source.arn.clone()
        };
        plan.notes.push(format!(
            "a table cannot be renamed: point the application at {new}, or delete {table} \
             and restore again under its name"
        ));
        let restore = WriteRequest::RestoreTableToPointInTime {
            region: region.clone(),
            source: source_ref,
            target_table: new.clone(),
            point,
        };
        finish_restore_plan(
            ctx,
            plan,
            restore,
            &source,
            (&region, &new, owned),
            wait_at_most,
        )
        .await
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        verify_restored(ctx, plan).await
    }
}

pub struct ReprotectTable;

#[async_trait]
impl Action for ReprotectTable {
    fn name(&self) -> &'static str {
        "reprotect-table"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            like: Some("like"),
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Put back a table's PITR, TTL, stream and tags, as another table has them"
    }
    fn details(&self) -> &'static str {
        "With like=<table>, copies that table's protection; without it, an estate table gets \
         what the estate expects of it (PITR on). Only what differs is sent. Auto scaling and \
         alarms are not copied."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        REPROTECT_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = region_arg(ctx, args)?;
        let current = ctx
            .cloud
            .describe_table_schema(&region, table)
            .await
            .map_err(|e| table_not_found(e, table, &region))?;
        let source = match args.get("like") {
            Some(like) => ctx
                .cloud
                .describe_table_schema(ctx.primary(), like)
                .await
                .map_err(|e| table_not_found(e, like, ctx.primary()))?,
            None if TargetKind::Table.contains(ctx.estate, table) => {
                estate_expectation(table, &region, &current.arn, ctx.now)
            }
            None => {
                return Err(ActionError::Invalid(format!(
                    "{table} is not a table of the estate: name the table whose protection \
                     to copy with --arg like=<table>"
                )));
            }
        };
        let args = args.clone().with("region", region.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        plan.before = json!({
            "current": protection_json(&current),
            "wanted": protection_json(&source),
        });
        let (protect, notes) = reprotect(&source, &region, table, &current.arn);
        plan.notes.extend(notes);
        let left = still_needed(protect, &current);
        if left.is_empty() {
            return Ok(plan.done(format!(
                "{table} is already protected as {} is",
                if args.get("like").is_some() {
                    source.table.as_str()
                } else {
                    "the estate expects"
                }
            )));
        }
        plan.requests = left;
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let region = plan.args.get("region").unwrap_or(ctx.primary());
        let current = ctx
            .cloud
            .describe_table_schema(region, &plan.target)
            .await
            .map_err(|e| format!("cannot read it back: {e}"))?;
        let left = still_needed(plan.requests.clone(), &current);
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "still missing: {}",
                left.iter()
                    .map(|r| r.summary())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        }
    }
}

#[cfg(test)]
#[path = "restore_tests.rs"]
mod tests;
