//! A bucket brought back from its replica (a resumable copy, archived objects restored first)
//! and a check that a bucket can be read at all.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::json;

use super::tables::thousands;
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Check, Context, Danger, Plan, Report, TargetKind,
    missing_target,
};
use crate::cloud::{BucketRef, CloudError, ErrorKind, ObjectToCopy, StoredObject, WriteRequest};

/// S3 refuses a CopyObject of more than 5 GiB: larger objects are copied in parts.
pub const MULTIPART_ABOVE: u64 = 5 * 1024 * 1024 * 1024;
/// 512 MiB parts: a 5 TB object (S3's largest) stays under S3's 10,000 parts.
pub const PART_SIZE: u64 = 512 * 1024 * 1024;
/// One request per batch: the journal lists each batch's objects, and the run's progress
/// moves batch by batch.
const BATCH_OBJECTS: usize = 100;
const BATCH_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// RestoreObject keys per request, and how long a restored copy stays readable.
const RESTORE_BATCH: usize = 1000;
const RESTORE_DAYS: i32 = 7;

/// `1536` -> `1.5 KiB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn replica_of(ctx: &Context<'_>, bucket: &str) -> Result<String, ActionError> {
    ctx.estate
        .s3
        .buckets
        .iter()
        .find(|b| b.name.get_ref() == bucket)
        .and_then(|b| b.replica.clone())
        .ok_or_else(|| ActionError::Invalid(format!("the estate names no replica for {bucket}")))
}

/// Already there: the same size, and the same ETag or written after the replica's copy.
/// An ETag alone would not do: a multipart copy's ETag and an SSE-KMS object's ETag differ
/// from the source's even when the bytes are the same.
fn already_copied(source: &StoredObject, present: Option<&StoredObject>) -> bool {
    let Some(present) = present else {
        return false;
    };
    present.size == source.size
        && (present.etag.is_some() && present.etag == source.etag
            || matches!((present.last_modified, source.last_modified), (Some(p), Some(s)) if p >= s))
}

/// What a copy finds to do.
#[derive(Debug, Default)]
struct Sorted {
    present: Vec<StoredObject>,
    to_copy: Vec<StoredObject>,
    /// Archived, no restore asked yet.
    archived: Vec<StoredObject>,
    /// Archived, a restore under way.
    restoring: Vec<StoredObject>,
}

fn sort(replica: Vec<StoredObject>, primary: Vec<StoredObject>) -> Sorted {
    let primary: HashMap<String, StoredObject> =
        primary.into_iter().map(|o| (o.key.clone(), o)).collect();
    let mut sorted = Sorted::default();
    for object in replica {
        if already_copied(&object, primary.get(&object.key)) {
            sorted.present.push(object);
        } else if object.is_readable() {
            sorted.to_copy.push(object);
        } else if object.restore_in_progress == Some(true) {
            sorted.restoring.push(object);
        } else {
            sorted.archived.push(object);
        }
    }
    sorted
}

/// Consecutive objects in batches of at most `BATCH_OBJECTS` and `BATCH_BYTES` (an object
/// larger than that is a batch of its own).
fn batches(objects: &[StoredObject]) -> Vec<Vec<ObjectToCopy>> {
    let mut out: Vec<Vec<ObjectToCopy>> = Vec::new();
    let mut size = 0;
    for o in objects {
        let full = out
            .last()
            .is_none_or(|b| b.len() >= BATCH_OBJECTS || size + o.size > BATCH_BYTES);
        if full {
            out.push(Vec::new());
            size = 0;
        }
        size += o.size;
        out.last_mut().expect("pushed above").push(ObjectToCopy {
            key: o.key.clone(),
            size: o.size,
        });
    }
    out
}

fn sum(objects: &[StoredObject]) -> u64 {
    objects.iter().map(|o| o.size).sum()
}

fn some_keys(objects: &[StoredObject]) -> String {
    let mut keys: Vec<&str> = objects.iter().take(5).map(|o| o.key.as_str()).collect();
    if objects.len() > 5 {
        keys.push("…");
    }
    keys.join(", ")
}

fn classes(objects: &[StoredObject]) -> String {
    let mut classes: Vec<&str> = objects.iter().map(|o| o.storage_class.as_str()).collect();
    classes.sort_unstable();
    classes.dedup();
    classes.join("/")
}

pub struct CopyFromReplica;

const COPY_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "prefix",
        kind: ArgKind::Text,
        required: false,
        help: "copy only keys under this prefix (default: every object)",
    },
    ArgSpec {
        name: "restore-archived",
        kind: ArgKind::Choice(&["false", "true"]),
        required: false,
        help: "ask S3 to restore GLACIER/DEEP_ARCHIVE objects of the replica (default false: \
               they are listed, not copied)",
    },
    ArgSpec {
        name: "multipart-above",
        kind: ArgKind::Text,
        required: false,
        help: "bytes above which an object is copied in parts (default and most 5368709120, \
               S3's limit for one CopyObject)",
    },
];

fn multipart_above(args: &Args) -> Result<u64, ActionError> {
    match args.get("multipart-above") {
        None => Ok(MULTIPART_ABOVE),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MULTIPART_ABOVE).contains(n))
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "multipart-above `{v}` must be a number of bytes from 1 to {MULTIPART_ABOVE}"
                ))
            }),
    }
}

async fn list(
    ctx: &Context<'_>,
    region: &str,
    bucket: &str,
    prefix: Option<&str>,
) -> Result<Vec<StoredObject>, ActionError> {
    ctx.cloud
        .list_stored_objects(region, bucket, prefix)
        .await
        .map_err(|e| {
            if e.is_not_found() {
                missing_target(TargetKind::Bucket, bucket, region)
            } else {
                ActionError::Cloud(e)
            }
        })
}

#[async_trait]
impl Action for CopyFromReplica {
    fn name(&self) -> &'static str {
        "copy-from-replica"
    }
    fn summary(&self) -> &'static str {
        "Copy a bucket's objects back from its replica in the backup region"
    }
    fn details(&self) -> &'static str {
        "Copies every current object of the replica that the bucket lacks, in batches (one \
         request each, so the journal says which objects were copied). An object already in \
         the bucket with the same size and ETag, or written there after the replica's copy, \
         is skipped: a re-run after a failure copies only what is left. Objects over 5 GiB \
         are copied in 512 MiB parts. GLACIER and DEEP_ARCHIVE objects cannot be copied until \
         restored: they are listed, or with restore-archived=true a restore is asked for (the \
         Standard tier takes 3-5 hours; run the copy again then). An object that differs and \
         is older in the bucket is overwritten (kept as a previous version if versioning is on). \
         No undo."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Bucket
    }
    fn args(&self) -> &'static [ArgSpec] {
        COPY_ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        bucket: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let (primary, backup) = (ctx.primary(), ctx.backup());
        let replica = replica_of(ctx, bucket)?;
        let prefix = args.get("prefix");
        let restore = args.get("restore-archived") == Some("true");
        let multipart_above = multipart_above(args)?;
        let (from, to) = tokio::join!(
            list(ctx, backup, &replica, prefix),
            list(ctx, primary, bucket, prefix),
        );
        let sorted = sort(from?, to?);
        let mut plan = Plan::new(self.name(), bucket, self.danger(), args);
        plan.before = json!({
            "replica": replica,
            "already_present": sorted.present.len(),
            "to_copy": sorted.to_copy.len(),
            "to_copy_bytes": sum(&sorted.to_copy),
            "archived": sorted.archived.len(),
            "being_restored": sorted.restoring.len(),
        });
        let from = BucketRef::new(backup, &replica);
        let to = BucketRef::new(primary, bucket);
        for batch in batches(&sorted.to_copy) {
            plan.requests.push(WriteRequest::CopyObjectBatch {
                from: from.clone(),
                to: to.clone(),
                objects: batch,
                multipart_above,
                part_size: PART_SIZE,
            });
        }
        if !sorted.archived.is_empty() {
            let what = format!(
                "{} object(s), {}, are in {} ({})",
                sorted.archived.len(),
                bytes(sum(&sorted.archived)),
                classes(&sorted.archived),
                some_keys(&sorted.archived)
            );
            if restore {
                for keys in sorted.archived.chunks(RESTORE_BATCH) {
                    plan.requests.push(WriteRequest::RestoreObjects {
                        region: backup.to_owned(),
                        bucket: replica.clone(),
                        keys: keys.iter().map(|o| o.key.clone()).collect(),
                        days: RESTORE_DAYS,
                        tier: "Standard".to_owned(),
                    });
                }
                plan.notes.push(format!(
                    "{} object(s) are being restored from {}; run copy-from-replica again when \
                     they are (3-5 h for Standard, up to 12 h from DEEP_ARCHIVE)",
                    sorted.archived.len(),
                    classes(&sorted.archived)
                ));
            } else {
                plan.notes.push(format!(
                    "not copied: {what}; they need a restore first \
                     (--arg restore-archived=true)"
                ));
            }
        }
        if !sorted.restoring.is_empty() {
            plan.notes.push(format!(
                "{} object(s) are still being restored ({}); run copy-from-replica again when \
                 they are",
                sorted.restoring.len(),
                some_keys(&sorted.restoring)
            ));
        }
        if plan.requests.is_empty() {
            let why = if sorted.archived.is_empty() && sorted.restoring.is_empty() {
                format!(
                    "every object of {replica} ({}) is already in {bucket}",
                    thousands(sorted.present.len() as u64)
                )
            } else {
                format!(
                    "nothing copyable is missing from {bucket}; {} archived object(s) wait for \
                     a restore",
                    sorted.archived.len() + sorted.restoring.len()
                )
            };
            return Ok(plan.done(why));
        }
        plan.notes.push(format!(
            "{} object(s), {}, to copy from {replica} ({backup}); {} already there",
            thousands(sorted.to_copy.len() as u64),
            bytes(sum(&sorted.to_copy)),
            thousands(sorted.present.len() as u64)
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let (primary, backup) = (ctx.primary(), ctx.backup());
        let bucket = plan.target.as_str();
        let replica = replica_of(ctx, bucket).map_err(|e| e.to_string())?;
        let prefix = plan.args.get("prefix");
        let (from, to) = tokio::join!(
            ctx.cloud.list_stored_objects(backup, &replica, prefix),
            ctx.cloud.list_stored_objects(primary, bucket, prefix),
        );
        match (from, to) {
            (Ok(from), Ok(to)) => {
                let left = sort(from, to).to_copy;
                if left.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "{} object(s) still missing from {bucket} ({})",
                        left.len(),
                        some_keys(&left)
                    ))
                }
            }
            (Err(e), _) | (_, Err(e)) => Err(format!("cannot read it back: {e}")),
        }
    }
}

pub struct CheckAccess;

const ACCESS_ARGS: &[ArgSpec] = &[ArgSpec {
    name: "region",
    kind: ArgKind::Text,
    required: false,
    help: "the bucket's region (default: the primary region)",
}];

/// A read's verdict in words a person at a terminal acts on.
fn verdict(result: &Result<String, CloudError>) -> (bool, String) {
    match result {
        Ok(what) => (true, format!("ok ({what})")),
        Err(e) => {
            let word = match e.kind {
                ErrorKind::NotFound => "not found",
                ErrorKind::Credentials => "denied (credentials)",
                ErrorKind::Unreachable | ErrorKind::Timeout => "unreachable",
                _ if e
                    .code
                    .as_deref()
                    .is_some_and(|c| c.contains("AccessDenied"))
                    || e.message.contains("Access Denied") =>
                {
                    "denied"
                }
                _ => "failed",
            };
            (false, format!("{word}: {e}"))
        }
    }
}

#[async_trait]
impl Check for CheckAccess {
    fn name(&self) -> &'static str {
        "check-access"
    }
    fn summary(&self) -> &'static str {
        "Check that a bucket can be read: head, versioning, a listing, an object's first byte"
    }
    fn details(&self) -> &'static str {
        "HeadBucket, GetBucketVersioning, ListObjectsV2 (one key) and a ranged GetObject of \
         that key's first byte through the bucket's region, and where the bucket lives as the \
         other region's endpoint answers it. Each read is ok, denied, not found or \
         unreachable, with AWS's words. Writes are not probed: a probe write is a write."
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Bucket
    }
    fn args(&self) -> &'static [ArgSpec] {
        ACCESS_ARGS
    }

    async fn run(
        &self,
        ctx: &Context<'_>,
        bucket: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError> {
        let region = args.get("region").unwrap_or_else(|| ctx.primary());
        let other = if region == ctx.primary() {
            ctx.backup()
        } else {
            ctx.primary()
        };
        let cloud = ctx.cloud;
        let mut reads: Vec<(String, Result<String, CloudError>)> = Vec::new();
        progress(format!("reading {bucket} through {region}"));
        reads.push((
            format!("HeadBucket ({region})"),
            cloud
                .head_bucket(region, bucket)
                .await
                .map(|()| "exists".to_owned()),
        ));
        reads.push((
            format!("GetBucketVersioning ({region})"),
            cloud
                .get_versioning(region, bucket)
                .await
                .map(|v| format!("{v:?}")),
        ));
        let listed = cloud.list_objects(region, bucket, None, Some(1)).await;
        let first = listed
            .as_ref()
            .ok()
            .and_then(|l| l.first())
            .map(|o| (o.key.clone(), o.size));
        reads.push((
            format!("ListObjectsV2 ({region})"),
            listed.map(|l| match l.first() {
                Some(o) => format!("first key {}", o.key),
                None => "empty bucket".to_owned(),
            }),
        ));
        match &first {
            Some((key, size)) if *size > 0 => reads.push((
                format!("GetObject first byte of {key} ({region})"),
                cloud
                    .read_object_start(region, bucket, key, 1)
                    .await
                    .map(|b| format!("{} byte(s) read", b.len())),
            )),
            Some((key, _)) => progress(format!("{key} is empty: no byte to read")),
            None => {}
        }
        progress(format!("asking {other} where {bucket} lives"));
        reads.push((
            format!("bucket region as {other} answers"),
            cloud
                .bucket_region(other, bucket)
                .await
                .map(|r| format!("in {r}")),
        ));
        let mut report = Report::new(true, String::new());
        let mut figures = serde_json::Map::new();
        for (what, result) in &reads {
            let (ok, text) = verdict(result);
            report.passed &= ok;
            report.lines.push(format!("{what}: {text}"));
            figures.insert(what.clone(), json!({ "ok": ok, "detail": text }));
        }
        let failed = reads.iter().filter(|(_, r)| r.is_err()).count();
        report.summary = if failed == 0 {
            format!(
                "{bucket} can be read through {region} ({} reads ok)",
                reads.len()
            )
        } else {
            format!("{bucket}: {failed} of {} reads failed", reads.len())
        };
        report.figures = json!({ "bucket": bucket, "region": region, "reads": figures });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn object(key: &str, size: u64, etag: &str, minute: u32, class: &str) -> StoredObject {
        StoredObject {
            key: key.to_owned(),
            size,
            etag: Some(etag.to_owned()),
            last_modified: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap()),
            storage_class: class.to_owned(),
            restore_in_progress: None,
            restored_until: None,
        }
    }

    #[test]
    fn a_copy_is_recognised_by_size_and_etag_or_by_being_newer() {
        let source = object("a", 10, "e1", 5, "STANDARD");
        assert!(already_copied(
            &source,
            Some(&object("a", 10, "e1", 1, "STANDARD"))
        ));
        // A multipart copy: another ETag, written after the source.
        assert!(already_copied(
            &source,
            Some(&object("a", 10, "e2-3", 9, "STANDARD"))
        ));
        assert!(!already_copied(
            &source,
            Some(&object("a", 10, "e2", 1, "STANDARD"))
        ));
        assert!(!already_copied(
            &source,
            Some(&object("a", 11, "e1", 9, "STANDARD"))
        ));
        assert!(!already_copied(&source, None));
    }

    #[test]
    fn archived_objects_are_set_apart_until_restored() {
        let mut restored = object("r", 1, "e", 0, "GLACIER");
        restored.restore_in_progress = Some(false);
        restored.restored_until = Some(Utc::now());
        let mut restoring = object("p", 1, "e", 0, "DEEP_ARCHIVE");
        restoring.restore_in_progress = Some(true);
        let sorted = sort(
            vec![
                object("g", 1, "e", 0, "GLACIER"),
                object("i", 1, "e", 0, "GLACIER_IR"),
                restored,
                restoring,
            ],
            Vec::new(),
        );
        let keys = |v: &[StoredObject]| v.iter().map(|o| o.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&sorted.to_copy), ["i", "r"]);
        assert_eq!(keys(&sorted.archived), ["g"]);
        assert_eq!(keys(&sorted.restoring), ["p"]);
    }

    #[test]
    fn batches_hold_at_most_a_hundred_objects_or_ten_gib() {
        let many: Vec<StoredObject> = (0..250)
            .map(|i| object(&format!("k{i}"), 1, "e", 0, "STANDARD"))
            .collect();
        let sizes: Vec<usize> = batches(&many).iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 50]);
        let big = vec![
            object("a", BATCH_BYTES - 1, "e", 0, "STANDARD"),
            object("b", 2, "e", 0, "STANDARD"),
            object("c", 2 * BATCH_BYTES, "e", 0, "STANDARD"),
        ];
        let sizes: Vec<usize> = batches(&big).iter().map(Vec::len).collect();
        assert_eq!(sizes, [1, 1, 1]);
    }
}
