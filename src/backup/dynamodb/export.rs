//! Where `backup dynamodb --export` writes: the export bucket, refused unless it is in the
//! backup region, and the preview of an export that a run which first turns PITR on makes.

use crate::action::catalogue;
use crate::backup::{ItemStatus, Run, Step};
use crate::cloud::{ErrorKind, ExportRequest, ObjectBody, WriteRequest};

/// The export bucket and the region it was found in (the backup region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub bucket: String,
    pub region: String,
}

/// An export-table step of `table` that was not run, and why.
pub(super) fn step(table: &str, status: ItemStatus, detail: impl Into<String>) -> Step {
    Step {
        action: "export-table".to_owned(),
        target: table.to_owned(),
        status,
        detail: detail.into(),
        requests: Vec::new(),
        notes: Vec::new(),
        run: None,
    }
}

/// The estate's export bucket if it is in the backup region; otherwise the step every
/// table's export is refused with. A copy in the primary region dies with it, so an export
/// there is not the cross-region backup the plan means.
pub async fn destination(run: &Run<'_>) -> Result<Destination, Step> {
    let backup = run.estate.regions.backup.get_ref();
    let Some(bucket) = run.estate.dynamodb.export_bucket.clone() else {
        return Err(step(
            "",
            ItemStatus::Failed,
            format!(
                "no export bucket: set dynamodb.export_bucket in the estate file to a bucket in \
                 the backup region ({backup})"
            ),
        ));
    };
    match run.cloud.bucket_region(backup, &bucket).await {
        Ok(region) if &region == backup => Ok(Destination { bucket, region }),
        Ok(region) => Err(step(
            "",
            ItemStatus::Failed,
            format!(
                "refused: export bucket {bucket} is in {region}, not the backup region \
                 {backup}; an export there is lost with the primary region (set \
                 dynamodb.export_bucket to a bucket in {backup})"
            ),
        )),
        Err(e) if e.is_not_found() => Err(step(
            "",
            ItemStatus::Failed,
            format!(
                "export bucket {bucket} (dynamodb.export_bucket) does not exist: create it in \
                 {backup}"
            ),
        )),
        Err(e) => Err(step(
            "",
            if e.kind == ErrorKind::Unreachable {
                ItemStatus::Unknown
            } else {
                ItemStatus::Failed
            },
            format!("cannot tell which region export bucket {bucket} is in: {e}"),
        )),
    }
}

/// What export-table would send for a table whose PITR the same run turns on first: the
/// action itself cannot plan it (it refuses a table with PITR off), so a dry run asks the
/// same questions it does and lists the same requests.
pub(super) async fn preview_after_pitr(
    run: &Run<'_>,
    table: &str,
    to: &Destination,
    prefix: &str,
) -> Step {
    let primary = run.estate.regions.primary.get_ref().as_str();
    let unread = |e: crate::cloud::CloudError| {
        let status = if e.kind == ErrorKind::Unreachable {
            ItemStatus::Unknown
        } else {
            ItemStatus::Failed
        };
        step(table, status, e.to_string())
    };
    let mut schema = match run.cloud.describe_table_schema(primary, table).await {
        Ok(s) => s,
        Err(e) => return unread(e),
    };
    // As the run will save it: PITR on by then, read as of a whole second.
    schema.pitr_enabled = true;
    schema.read_at = chrono::DateTime::from_timestamp(run.now.timestamp(), 0).unwrap_or(run.now);
    let key = format!("{prefix}/{}", catalogue::SCHEMA_FILE);
    let saved = match run
        .cloud
        .list_objects(&to.region, &to.bucket, Some(&key), Some(1))
        .await
    {
        Ok(objects) => objects.iter().any(|o| o.key == key),
        Err(e) => return unread(e),
    };
    let running = match run.cloud.list_exports(primary, &schema.arn).await {
        Ok(exports) => exports.iter().any(|e| {
            e.bucket.as_deref() == Some(to.bucket.as_str())
                && e.prefix.as_deref().map(|p| p.trim_end_matches('/')) == Some(prefix)
                && matches!(e.status.as_str(), "COMPLETED" | "IN_PROGRESS")
        }),
        Err(e) => return unread(e),
    };
    let mut requests = Vec::new();
    if !saved {
        requests.push(WriteRequest::PutObject {
            region: to.region.clone(),
            bucket: to.bucket.clone(),
            key,
            body: ObjectBody::json(&serde_json::to_value(&schema).unwrap_or_default()),
        });
    }
    if !running {
        requests.push(WriteRequest::ExportTableToPointInTime {
            region: primary.to_owned(),
            export: ExportRequest {
                table_arn: schema.arn.clone(),
                bucket: to.bucket.clone(),
                prefix: prefix.to_owned(),
                at: None,
            },
        });
    }
    let lines: Vec<String> = requests.iter().map(WriteRequest::summary).collect();
    Step {
        status: if lines.is_empty() {
            ItemStatus::Unchanged
        } else {
            ItemStatus::WouldDo
        },
        detail: format!("would send {} request(s)", lines.len()),
        requests: lines,
        notes: vec![
            "previewed as the run makes it after enable-pitr (above) turns point-in-time \
             recovery on"
                .to_owned(),
        ],
        ..step(table, ItemStatus::WouldDo, "")
    }
}

/// The ARN of the export of `table` to `bucket`/`prefix`, newest listed; none when it cannot
/// be read (the figure is left out rather than guessed).
pub(super) async fn arn(run: &Run<'_>, table: &str, bucket: &str, prefix: &str) -> Option<String> {
    let primary = run.estate.regions.primary.get_ref().as_str();
    let table_arn = run.cloud.describe_table(primary, table).await.ok()?.arn;
    let exports = run.cloud.list_exports(primary, &table_arn).await.ok()?;
    exports
        .into_iter()
        .filter(|e| {
            e.bucket.as_deref() == Some(bucket)
                && e.prefix.as_deref().map(|p| p.trim_end_matches('/')) == Some(prefix)
        })
        .max_by_key(|e| e.export_time)
        .map(|e| e.arn)
}
