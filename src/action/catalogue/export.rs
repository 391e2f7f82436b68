//! Export to S3: a table's data as of a point in time, with its schema saved beside it, so
//! import-table can make it again in the backup region when the primary is gone.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Timelike, Utc};
use serde_json::json;

use super::dynamodb::table_not_found;
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, TargetKind, WaitFor,
};
use crate::cloud::{ExportInfo, ExportRequest, ObjectBody, TableSchema, WriteRequest};

/// The file saved beside each export: the table's [`TableSchema`] as JSON, what an import
/// needs (keys, indexes) and what it must put back (PITR, TTL, stream, tags).
pub const SCHEMA_FILE: &str = "schema.json";

const EXPORT_TIMEOUT: Duration = Duration::from_secs(2 * 3600);

/// `s3://bucket/key`.
pub(super) fn s3_url(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// `folder` and `name` joined by one '/', `folder` empty meaning the bucket's root.
pub(super) fn join(folder: &str, name: &str) -> String {
    match folder.trim_end_matches('/') {
        "" => name.to_owned(),
        folder => format!("{folder}/{name}"),
    }
}

/// The region an export bucket lives in, asked through the backup region's endpoint so the
/// answer does not depend on the primary region.
pub(super) async fn bucket_region(ctx: &Context<'_>, bucket: &str) -> Result<String, ActionError> {
    ctx.cloud
        .bucket_region(ctx.backup(), bucket)
        .await
        .map_err(|e| {
            if e.is_not_found() {
                ActionError::Invalid(format!("bucket {bucket} does not exist"))
            } else {
                ActionError::Cloud(e)
            }
        })
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, ActionError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            ActionError::Invalid(format!(
                "time `{text}` is not an RFC 3339 time like 2026-11-26T09:30:00Z: {e}"
            ))
        })
}

pub(super) fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub struct ExportTable;

const EXPORT_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "bucket",
        kind: ArgKind::Text,
        required: false,
        help: "the bucket to export to (default: the estate's dynamodb.export_bucket)",
    },
    ArgSpec {
        name: "prefix",
        kind: ArgKind::Text,
        required: false,
        help: "the key prefix, without a trailing '/' (default: \
               <export_prefix><table>/YYYY/MM/DD)",
    },
    ArgSpec {
        name: "time",
        kind: ArgKind::Text,
        required: false,
        help: "the point in time to export, RFC 3339, inside the PITR window (default: the \
               latest restorable time when previewed)",
    },
    ArgSpec {
        name: "region",
        kind: ArgKind::Text,
        required: false,
        help: "the table's region (default: the primary region; the backup region exports the \
               copy a failover made there, the way home in a failback)",
    },
];

/// What an export run found of an earlier export to the same place.
fn same_place<'a>(exports: &'a [ExportInfo], bucket: &str, prefix: &str) -> Vec<&'a ExportInfo> {
    exports
        .iter()
        .filter(|e| {
            e.bucket.as_deref() == Some(bucket)
                && e.prefix.as_deref().map(|p| p.trim_end_matches('/')) == Some(prefix)
        })
        .collect()
}

#[async_trait]
impl Action for ExportTable {
    fn name(&self) -> &'static str {
        "export-table"
    }
    fn summary(&self) -> &'static str {
        "Export a table to S3 (PITR), with its schema saved beside it"
    }
    fn details(&self) -> &'static str {
        "Writes <prefix>/schema.json (keys, indexes, TTL, stream, tags, PITR: what import-table \
         needs to make the table again and protect it) first, then exports the table's data as \
         of a point in time in its PITR window, and waits for the export to complete. Needs \
         point-in-time recovery on. An export to a bucket of the backup region is the copy \
         import-table restores from when the primary region is gone. There is no undo: the \
         files are kept until deleted."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        EXPORT_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = super::dynamodb::region_arg(ctx, args)?;
        let region = region.as_str();
        let bucket = args
            .get("bucket")
            .map(str::to_owned)
            .or_else(|| ctx.estate.dynamodb.export_bucket.clone())
            .ok_or_else(|| {
                ActionError::Invalid(
                    "no bucket to export to: set dynamodb.export_bucket in the estate file or \
                     give --arg bucket=NAME"
                        .to_owned(),
                )
            })?;
        // AWS joins the prefix and "/AWSDynamoDB" with a '/' of its own: a prefix ending in
        // one makes a key with "//" in it.
        let prefix = args
            .get("prefix")
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!(
                    "{}{table}/{}",
                    ctx.estate.dynamodb.export_prefix,
                    ctx.now.format("%Y/%m/%d")
                )
            })
            .trim_end_matches('/')
            .to_owned();
        if prefix.is_empty() {
            return Err(ActionError::Invalid(
                "the prefix is empty: an export needs one".to_owned(),
            ));
        }
        let continuous = ctx
            .cloud
            .describe_continuous_backups(region, table)
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        if !continuous.pitr_enabled {
            return Err(ActionError::Invalid(format!(
                "point-in-time recovery is off for {table}: an export needs it; run enable-pitr \
                 first"
            )));
        }
        let (at, given) = match args.get("time") {
            Some(text) => (Some(parse_time(text)?), true),
            // Pinned, in whole seconds, when previewed: the run exports the point the
            // preview showed.
            None => (
                continuous
                    .latest_restorable
                    .and_then(|t| t.with_nanosecond(0)),
                false,
            ),
        };
        if let Some(at) = at {
            let earliest = continuous.earliest_restorable;
            // Whole seconds may fall up to one short of a window that starts mid-second.
            let too_early = earliest.is_some_and(|e| at + chrono::Duration::seconds(1) <= e);
            if (given && at > ctx.now) || too_early {
                return Err(ActionError::Invalid(format!(
                    "time {} is outside {table}'s point-in-time recovery window ({} to now)",
                    when(at),
                    earliest.map_or("unknown".to_owned(), when)
                )));
            }
        }
        let bucket_region = bucket_region(ctx, &bucket).await?;
        let mut schema = ctx
            .cloud
            .describe_table_schema(region, table)
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        // The schema is the table's as of the export's point: a preview and its run then
        // save the same file.
        if let Some(at) = at {
            schema.read_at = at;
        }
        let mut args = args
            .clone()
            .with("bucket", &bucket)
            .with("prefix", &prefix)
            .with("region", region);
        if let Some(at) = at {
            args = args.with(
                "time",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
        }
        let schema_key = join(&prefix, SCHEMA_FILE);
        let exports = ctx.cloud.list_exports(region, &schema.arn).await?;
        let earlier = same_place(&exports, &bucket, &prefix);
        let saved = ctx
            .cloud
            .list_objects(&bucket_region, &bucket, Some(&schema_key), Some(1))
            .await?
            .iter()
            .any(|o| o.key == schema_key);
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        plan.before = json!({
            "pitr_enabled": true,
            "bucket": bucket,
            "bucket_region": bucket_region,
            "schema_saved": saved,
            "exports_here": earlier.iter().map(|e| json!({ "arn": e.arn, "status": e.status })).collect::<Vec<_>>(),
        });
        let running = earlier
            .iter()
            .find(|e| matches!(e.status.as_str(), "COMPLETED" | "IN_PROGRESS"));
        if let (Some(export), true) = (running, saved) {
            return Ok(plan.done(format!(
                "an export of {table} to {} is already {}{}, with its schema beside it",
                s3_url(&bucket, &prefix),
                export.status,
                export
                    .export_time
                    .map(|t| format!(", as of {}", when(t)))
                    .unwrap_or_default()
            )));
        }
        if !saved {
            plan.requests.push(WriteRequest::PutObject {
                region: bucket_region.clone(),
                bucket: bucket.clone(),
                key: schema_key,
                body: ObjectBody::json(&serde_json::to_value(&schema).unwrap_or_default()),
            });
        }
        if running.is_none() {
            plan.requests.push(WriteRequest::ExportTableToPointInTime {
                region: region.to_owned(),
                export: ExportRequest {
                    table_arn: schema.arn.clone(),
                    bucket: bucket.clone(),
                    prefix: prefix.clone(),
                    at,
                },
            });
            plan.wait_after_last(
                WaitFor::ExportCompleted {
                    region: region.to_owned(),
                    table: table.to_owned(),
                },
                EXPORT_TIMEOUT,
            );
        }
        if bucket_region == ctx.primary() {
            plan.notes.push(format!(
                "{bucket} is in {}, the primary region: this export is lost with it",
                ctx.primary()
            ));
        }
        plan.notes.push(format!(
            "the export holds {table} as of {}; import-table makes a new table from it",
            at.map_or("the time it starts".to_owned(), when)
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let table = plan.target.as_str();
        let region = plan.args.get("region").unwrap_or(ctx.primary());
        let (Some(bucket), Some(prefix)) = (plan.args.get("bucket"), plan.args.get("prefix"))
        else {
            return Err("the plan names no bucket or prefix".to_owned());
        };
        let arn = ctx
            .cloud
            .describe_table_schema(region, table)
            .await
            .map_err(|e| format!("cannot read {table} back: {e}"))?
            .arn;
        let exports = ctx
            .cloud
            .list_exports(region, &arn)
            .await
            .map_err(|e| format!("cannot list {table}'s exports: {e}"))?;
        if !same_place(&exports, bucket, prefix)
            .iter()
            .any(|e| e.status == "COMPLETED")
        {
            return Err(format!(
                "no COMPLETED export of {table} to {} is listed",
                s3_url(bucket, prefix)
            ));
        }
        let key = join(prefix, SCHEMA_FILE);
        let bucket_region = ctx
            .cloud
            .bucket_region(ctx.backup(), bucket)
            .await
            .map_err(|e| format!("cannot find {bucket}'s region: {e}"))?;
        let bytes = ctx
            .cloud
            .get_object(&bucket_region, bucket, &key)
            .await
            .map_err(|e| format!("cannot read {} back: {e}", s3_url(bucket, &key)))?;
        serde_json::from_slice::<TableSchema>(&bytes)
            .map(drop)
            .map_err(|e| format!("{} is not a table schema: {e}", s3_url(bucket, &key)))
    }
}
