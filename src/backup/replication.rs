//! `backup s3-replication`: the plan's setup-s3-replication.sh, idempotent, with the state
//! before and after.

use serde::Serialize;
use serde_json::json;

use super::{Item, ItemStatus, Run, bounded};
use crate::action::{Args, catalogue};
use crate::cloud::{CloudError, ReplicationConfig, Versioning};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The buckets named on the command line (default: every replicated bucket of the estate).
    pub buckets: Vec<String>,
}

/// Every bucket named (default: each the estate replicates), at most `backup.concurrency` at
/// once, through put-replication: versioning on, the replica made and versioned first, the
/// plan's rule with RTC and metrics.
pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let buckets: Vec<String> = if options.buckets.is_empty() {
        run.estate
            .s3
            .buckets
            .iter()
            .filter(|b| b.replicate)
            .map(|b| b.name.get_ref().clone())
            .collect()
    } else {
        options.buckets.clone()
    };
    let n = run.estate.backup.concurrency;
    bounded(buckets, n, &run.stop, |b| async move { one(run, &b).await }).await
}

/// How one bucket and its replica stand, as read.
#[derive(Debug, Clone, Serialize)]
struct State {
    versioning: Versioning,
    replica: Option<String>,
    replica_exists: bool,
    replica_versioning: Option<Versioning>,
    rule: Option<ReplicationConfig>,
}

impl State {
    /// One line: "versioning Enabled; replica x (Enabled); rule to x, RTC, metrics".
    fn describe(&self) -> String {
        let replica = match (&self.replica, self.replica_versioning) {
            (None, _) => "no replica named".to_owned(),
            (Some(r), _) if !self.replica_exists => format!("replica {r} missing"),
            (Some(r), Some(v)) => format!("replica {r} versioning {v:?}"),
            (Some(r), None) => format!("replica {r}"),
        };
        let rule = match &self.rule {
            None => "no replication rule".to_owned(),
            Some(c) => c
                .rules
                .iter()
                .map(|r| {
                    let mut s = format!(
                        "rule {} to {}",
                        if r.enabled { "enabled" } else { "disabled" },
                        r.destination_bucket
                    );
                    if !r.prefix.is_empty() {
                        s.push_str(&format!(" (prefix {})", r.prefix));
                    }
                    s.push_str(if r.replication_time {
                        ", RTC"
                    } else {
                        ", no RTC"
                    });
                    s.push_str(if r.metrics {
                        ", metrics"
                    } else {
                        ", no metrics"
                    });
                    s
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!("versioning {:?}; {replica}; {rule}", self.versioning)
    }
}

async fn state(run: &Run<'_>, bucket: &str, replica: Option<&str>) -> Result<State, CloudError> {
    let primary = run.estate.regions.primary.get_ref();
    let backup = run.estate.regions.backup.get_ref();
    let (versioning, rule) = tokio::join!(
        run.cloud.get_versioning(primary, bucket),
        run.cloud.get_replication(primary, bucket),
    );
    let replica_versioning = match replica {
        None => None,
        Some(r) => match run.cloud.get_versioning(backup, r).await {
            Ok(v) => Some(Some(v)),
            Err(e) if e.is_not_found() => Some(None),
            Err(e) => return Err(e),
        },
    };
    Ok(State {
        versioning: versioning?,
        replica: replica.map(str::to_owned),
        replica_exists: matches!(replica_versioning, Some(Some(_))),
        replica_versioning: replica_versioning.flatten(),
        rule: rule?,
    })
}

async fn one(run: &Run<'_>, bucket: &str) -> Item {
    let replica = run
        .estate
        .s3
        .buckets
        .iter()
        .find(|b| b.name.get_ref() == bucket)
        .and_then(|b| b.replica.clone());
    run.say(format!("{bucket}: replication"));
    let before = state(run, bucket, replica.as_deref()).await;
    let action = catalogue::find("put-replication").expect("put-replication is in the catalogue");
    let step = run.act(action, bucket, &Args::default()).await;
    let mut item = match step.status {
        ItemStatus::Failed | ItemStatus::Unknown => {
            Item::new("bucket", bucket, step.status, step.detail.clone())
        }
        _ => judge(run, bucket, replica.as_deref(), &before, &step).await,
    };
    if let Ok(b) = &before {
        item = item.figure("before", json!(b));
    }
    item.steps.push(step);
    item
}

/// The item of a bucket put-replication ran on (or previewed): the state after, read back, and
/// the objects a new rule leaves behind.
async fn judge(
    run: &Run<'_>,
    bucket: &str,
    replica: Option<&str>,
    before: &Result<State, CloudError>,
    step: &super::Step,
) -> Item {
    let mut unknown = Vec::new();
    let before_said = match before {
        Ok(s) => s.describe(),
        Err(e) => {
            unknown.push(format!("the state before could not be read: {e}"));
            "unknown".to_owned()
        }
    };
    // The summary put-replication gives a PutBucketReplication: a new or changed rule.
    let new_rule = step
        .requests
        .iter()
        .any(|r| r.starts_with("replace the replication configuration"));
    let after = if run.dry_run {
        None
    } else {
        match state(run, bucket, replica).await {
            Ok(s) => Some(s),
            Err(e) => {
                unknown.push(format!("the state after could not be read: {e}"));
                None
            }
        }
    };
    let mut figures = serde_json::Map::new();
    figures.insert("new_rule".into(), json!(new_rule));
    if let Some(a) = &after {
        figures.insert("after".into(), json!(a));
    }
    let mut left_behind = None;
    if new_rule {
        // S3 replicates only what is written after the rule: everything already in the
        // bucket (under the rule's prefix, which is all of it) stays behind, unless an
        // earlier rule to the same replica copied it; then only what the replica lacks.
        let primary = run.estate.regions.primary.get_ref();
        let backup = run.estate.regions.backup.get_ref();
        let earlier = match (before, replica) {
            (Ok(b), Some(r)) => b.rule.as_ref().is_some_and(|c| {
                c.rules
                    .iter()
                    .any(|x| x.enabled && x.prefix.is_empty() && x.destination_bucket == r)
            }),
            _ => false,
        };
        figures.insert("earlier_rule_to_replica".into(), json!(earlier));
        let (objects, versions) = tokio::join!(
            run.cloud.count_objects(primary, bucket, None),
            run.cloud.count_versions(primary, bucket, None),
        );
        let copied = match (earlier, replica) {
            (true, Some(r)) => Some(run.cloud.count_objects(backup, r, None).await),
            _ => None,
        };
        match (objects, versions, copied) {
            (Ok(o), Ok(v), None) => {
                figures.insert("unreplicated_objects".into(), json!(o.objects));
                figures.insert("unreplicated_bytes".into(), json!(o.bytes));
                figures.insert("unreplicated_versions".into(), json!(v.versions));
                left_behind = Some((o.objects, Some(v.versions)));
            }
            (Ok(o), Ok(_), Some(Ok(c))) => {
                let lacking = o.objects.saturating_sub(c.objects);
                figures.insert("source_objects".into(), json!(o.objects));
                figures.insert("replica_objects".into(), json!(c.objects));
                figures.insert("unreplicated_objects".into(), json!(lacking));
                left_behind = Some((lacking, None));
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Some(Err(e))) => unknown.push(format!(
                "the objects a new rule leaves behind could not be counted: {e}"
            )),
        }
    }
    let behind = |objects: u64, versions: Option<u64>| match versions {
        Some(versions) => format!(
            "{objects} existing object(s) ({versions} version(s)) written before the rule {} \
             replicated: copy them, or use S3 Batch Replication",
            if run.dry_run {
                "would not be"
            } else {
                "are not"
            }
        ),
        None => format!(
            "the replica lacks {objects} of the bucket's current object(s), which the new rule \
             will not replicate: copy them, or use S3 Batch Replication"
        ),
    };
    let (status, detail) = if !unknown.is_empty() {
        (ItemStatus::Unknown, unknown.join("; "))
    } else if run.dry_run && step.status == ItemStatus::Unchanged {
        (
            step.status,
            format!("already replicated as the plan says: {before_said}"),
        )
    } else if run.dry_run {
        let mut said = format!("{}; before: {before_said}", step.detail);
        if let Some((o, v)) = left_behind.filter(|(o, _)| *o > 0) {
            said.push_str(&format!("; {}", behind(o, v)));
        }
        (step.status, said)
    } else {
        let after_said = after.as_ref().map(State::describe).unwrap_or_default();
        match left_behind {
            Some((o, v)) if o > 0 => (
                ItemStatus::Warning,
                format!(
                    "{}; before: {before_said}; after: {after_said}",
                    behind(o, v)
                ),
            ),
            _ if step.status == ItemStatus::Unchanged => (
                ItemStatus::Unchanged,
                format!("already replicated as the plan says: {after_said}"),
            ),
            _ => (
                step.status,
                format!("before: {before_said}; after: {after_said}"),
            ),
        }
    };
    let mut item = Item::new("bucket", bucket, status, detail);
    item.figures = figures;
    item
}
