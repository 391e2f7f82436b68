//! The rules for a primary bucket and its replica: versioning, the replication rule, replica
//! completeness, replication metrics, and what is lost if the primary region is lost now.

use chrono::{DateTime, Utc};

use super::{Verdict, age_secs};
use crate::cloud::Versioning;
use crate::health::{BucketFacts, RegionLoss, ReplicaFacts, Status, human_duration};

/// A replication latency point older than this (the poll window, 15 minutes) says how far
/// behind replication *was*, not how far it is now.
pub const CURRENT_METRIC_WINDOW: u64 = 15 * 60;

pub fn bucket(
    f: &BucketFacts,
    rpo_secs: Option<u64>,
    (primary, backup): (&str, &str),
    now: DateTime<Utc>,
) -> Verdict {
    let mut v = Verdict::default();
    if f.exists == Some(false) {
        v.raise(Status::Critical, "bucket does not exist");
        return v.done();
    }
    match f.versioning {
        Some(Versioning::Enabled) | None => {}
        Some(Versioning::Suspended) => v.raise(
            Status::Critical,
            "versioning is suspended: replication needs it on",
        ),
        Some(Versioning::Disabled) => v.raise(
            Status::Critical,
            "versioning is off: replication needs it on",
        ),
    }
    let unreplicated = f.replication_checked && f.rule_destination.is_none();
    match (&f.rule_destination, &f.replica) {
        _ if !f.replication_checked => {}
        (None, Some(replica)) if f.rule_enabled.is_none() => v.raise(
            Status::Critical,
            format!("no replication rule: nothing is copied to {replica}"),
        ),
        (None, None) if f.unreplicated_on_purpose => v.raise(
            Status::Ok,
            format!("not replicated, on purpose (replicate = false): it is lost with {primary}"),
        ),
        (None, None) if rpo_secs.is_some() => v.raise(
            Status::Critical,
            format!(
                "no copy outside {primary}: no replica named and no replication rule, so \
                 losing the region loses all of it (say replicate = false if that is intended)"
            ),
        ),
        (None, None) => v.raise(Status::Warn, "not replicated: no replica named and no rule"),
        (Some(dest), Some(replica)) if dest != replica => v.raise(
            Status::Warn,
            format!("replicates to {dest}, but the estate file names {replica}"),
        ),
        _ => {}
    }
    if f.rule_enabled == Some(false) {
        let id = f.rule_id.as_deref().unwrap_or("(unnamed)");
        v.raise(
            Status::Critical,
            format!("replication rule {id} is disabled"),
        );
    }
    let latency = current_latency(f, now, &mut v);
    // A working rule that is keeping up, to the replica the estate names: a shortfall is then
    // objects from before the rule, which S3 never copies by itself.
    let rule_ok = f.rule_enabled == Some(true)
        && f.rule_destination.is_some()
        && f.rule_destination == f.replica
        && latency.is_some_and(|l| rpo_secs.is_none_or(|rpo| l <= rpo));
    completeness(f, rule_ok, &mut v);
    if let Some(latency) = latency {
        v.exposure_secs = Some(latency);
        if let Some(rpo) = rpo_secs.filter(|rpo| latency > *rpo) {
            v.raise(
                Status::Critical,
                format!(
                    "replication is {} behind; RPO is {}",
                    human_duration(latency),
                    human_duration(rpo)
                ),
            );
        }
    }
    if let Some(failed) = f.failed_operations.filter(|n| *n > 0.0) {
        v.raise(
            Status::Warn,
            format!("{failed:.0} operations failed to replicate to {backup} in the last hour"),
        );
    }
    if let Some(pending) = f.pending_operations.filter(|p| *p >= 1.0) {
        v.raise(
            Status::Ok,
            format!("{pending:.0} operations pending replication to {backup}"),
        );
    }
    v.region_loss = region_loss(f, unreplicated, latency, backup);
    v.done()
}

fn completeness(f: &BucketFacts, rule_ok: bool, v: &mut Verdict) {
    let Some(pct) = f.completeness_percent else {
        return;
    };
    let (replica, source) = (f.replica_objects.unwrap_or(0), f.objects.unwrap_or(0));
    let of = match f.rule_prefix.as_deref() {
        Some(prefix) if !prefix.is_empty() => format!("the source's objects under {prefix:?}"),
        _ => "the source's objects".to_owned(),
    };
    if pct < f.threshold_percent && rule_ok {
        v.raise(
            Status::Warn,
            format!(
                "rule ok; {} existing objects not replicated (S3 Batch Replication, or copy \
                 them): replica holds {pct:.1}% of {of} ({replica} of {source}; threshold {}%)",
                source.saturating_sub(replica),
                f.threshold_percent
            ),
        );
    } else if pct < f.threshold_percent {
        v.raise(
            Status::Warn,
            format!(
                "replica holds {pct:.1}% of {of} ({replica} of {source}; threshold {}%)",
                f.threshold_percent
            ),
        );
    } else if replica > source {
        // Normal under versioning: a delete in the source is not replicated by default.
        v.raise(
            Status::Ok,
            format!(
                "replica holds {pct:.1}% of {of} ({replica} of {source}): it keeps objects \
                 since deleted from the source"
            ),
        );
    }
}

/// The latest latency, if it is recent enough to be how far behind replication is now.
fn current_latency(f: &BucketFacts, now: DateTime<Utc>, v: &mut Verdict) -> Option<u64> {
    if f.metrics_error.is_some() || f.rule_enabled != Some(true) {
        return None; // the error, or the disabled rule, says it
    }
    match (f.replication_latency_secs, f.replication_latency_at) {
        (Some(latency), Some(at)) if age_secs(now, at) <= CURRENT_METRIC_WINDOW => {
            Some(latency.max(0.0).round() as u64)
        }
        (Some(_), Some(at)) => {
            v.raise(
                Status::Ok,
                format!(
                    "no current replication latency (last point {} old)",
                    human_duration(age_secs(now, at))
                ),
            );
            None
        }
        // Metrics off: nothing to say beyond the unknown exposure and the replica's count.
        _ => None,
    }
}

/// The replica is the only copy outside the primary region; replication latency says how
/// far behind it is.
fn region_loss(
    f: &BucketFacts,
    unreplicated: bool,
    latency: Option<u64>,
    backup: &str,
) -> Option<RegionLoss> {
    if unreplicated && f.replica.is_none() {
        return (!f.unreplicated_on_purpose).then(|| RegionLoss {
            unbounded: true,
            ..Default::default()
        });
    }
    let copy = f.rule_destination.as_deref().or(f.replica.as_deref())?;
    if f.replica_exists == Some(false) && f.replica.as_deref() == Some(copy) {
        return Some(RegionLoss {
            unbounded: true,
            ..Default::default()
        });
    }
    let replicating = f.rule_enabled == Some(true)
        && !matches!(
            f.replica_versioning,
            Some(Versioning::Disabled | Versioning::Suspended)
        );
    let holds = match (f.completeness_percent, f.replica_objects, f.objects) {
        (Some(pct), Some(r), Some(s)) => format!(", holding {pct:.1}% ({r} of {s} objects)"),
        _ => String::new(),
    };
    let state = if replicating {
        ""
    } else {
        ", not being updated"
    };
    Some(RegionLoss {
        exposure_secs: latency.filter(|_| replicating),
        unbounded: false,
        copy: Some(format!("replica {copy} ({backup}){holds}{state}")),
    })
}

pub fn replica(f: &ReplicaFacts, backup_region: &str) -> Verdict {
    let mut v = Verdict::default();
    if f.exists == Some(false) {
        v.raise(
            Status::Critical,
            format!("replica of {} does not exist in {backup_region}", f.source),
        );
        return v.done();
    }
    let off = match f.versioning {
        Some(Versioning::Disabled) => Some("off"),
        Some(Versioning::Suspended) => Some("suspended"),
        _ => None,
    };
    if let Some(off) = off {
        v.raise(
            Status::Critical,
            format!("versioning is {off}: S3 cannot replicate into it, so replication stops"),
        );
    }
    v.done()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()
    }

    const HOUR: u64 = 3600;
    const REGIONS: (&str, &str) = ("us-east-1", "us-west-2");

    fn replicated_bucket() -> BucketFacts {
        BucketFacts {
            exists: Some(true),
            versioning: Some(Versioning::Enabled),
            replica: Some("raw-backup".into()),
            rule_id: Some("all".into()),
            rule_enabled: Some(true),
            rule_destination: Some("raw-backup".into()),
            rule_prefix: Some(String::new()),
            replica_exists: Some(true),
            replica_versioning: Some(Versioning::Enabled),
            objects: Some(100),
            replica_objects: Some(100),
            completeness_percent: Some(100.0),
            threshold_percent: 95.0,
            replication_checked: true,
            replication_latency_secs: Some(40.0),
            replication_latency_at: Some(now() - Duration::minutes(5)),
            ..Default::default()
        }
    }

    fn judge(f: &BucketFacts) -> Verdict {
        bucket(f, Some(HOUR), REGIONS, now())
    }

    #[test]
    fn a_replicated_bucket_is_ok_and_loses_its_latency_with_the_region() {
        let v = judge(&replicated_bucket());
        assert_eq!((v.status, v.reasons.clone()), (Status::Ok, vec![]));
        assert_eq!(v.exposure_secs, Some(40));
        assert_eq!(
            v.region_loss,
            Some(RegionLoss {
                exposure_secs: Some(40),
                unbounded: false,
                copy: Some(
                    "replica raw-backup (us-west-2), holding 100.0% (100 of 100 objects)".into()
                ),
            })
        );
    }

    #[test]
    fn a_working_rule_with_a_short_replica_names_the_objects_it_will_never_copy() {
        let mut f = replicated_bucket();
        f.replica_objects = Some(88);
        f.completeness_percent = Some(88.0);
        let v = judge(&f);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(
            v.reasons,
            [
                "rule ok; 12 existing objects not replicated (S3 Batch Replication, or copy \
                 them): replica holds 88.0% of the source's objects (88 of 100; threshold 95%)"
            ]
        );
        f.replication_latency_secs = Some(2.0 * HOUR as f64);
        let lagging = judge(&f);
        assert!(
            lagging.reasons.iter().all(|r| !r.starts_with("rule ok")),
            "a rule behind its RPO is not ok: {:?}",
            lagging.reasons
        );
    }

    #[test]
    fn replica_below_threshold_warns_with_the_numbers() {
        let mut f = replicated_bucket();
        // Without a current latency the rule cannot be said to keep up: a plain shortfall.
        f.replication_latency_secs = None;
        f.replica_objects = Some(90);
        f.completeness_percent = Some(90.0);
        let v = judge(&f);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(
            v.reasons,
            ["replica holds 90.0% of the source's objects (90 of 100; threshold 95%)"]
        );
    }

    #[test]
    fn completeness_names_the_rules_prefix() {
        let mut f = replicated_bucket();
        f.replication_latency_secs = None;
        f.rule_prefix = Some("logs/".into());
        f.replica_objects = Some(50);
        f.completeness_percent = Some(50.0);
        assert_eq!(
            judge(&f).reasons,
            [
                "replica holds 50.0% of the source's objects under \"logs/\" (50 of 100; threshold 95%)"
            ]
        );
    }

    #[test]
    fn a_replica_holding_more_than_its_source_says_so_unclamped() {
        let mut f = replicated_bucket();
        f.replica_objects = Some(104);
        f.completeness_percent = Some(104.0);
        let v = judge(&f);
        assert_eq!(v.status, Status::Ok);
        assert_eq!(
            v.reasons,
            [
                "replica holds 104.0% of the source's objects (104 of 100): it keeps objects \
              since deleted from the source"
            ]
        );
    }

    #[test]
    fn no_rule_for_a_declared_replica_is_critical() {
        let mut f = replicated_bucket();
        (f.rule_id, f.rule_enabled, f.rule_destination) = (None, None, None);
        let v = judge(&f);
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.reasons,
            ["no replication rule: nothing is copied to raw-backup"]
        );
        let loss = v.region_loss.expect("a region-loss figure");
        assert_eq!(loss.exposure_secs, None);
        assert!(!loss.unbounded);
        assert!(loss.copy.unwrap().ends_with("not being updated"));
    }

    fn unreplicated_bucket() -> BucketFacts {
        let mut f = replicated_bucket();
        f.replica = None;
        (f.rule_id, f.rule_enabled, f.rule_destination) = (None, None, None);
        (f.replica_exists, f.replica_versioning) = (None, None);
        (f.replica_objects, f.completeness_percent) = (None, None);
        (f.replication_latency_secs, f.replication_latency_at) = (None, None);
        f
    }

    #[test]
    fn a_bucket_of_a_service_with_an_rpo_and_no_copy_outside_the_region_is_critical() {
        let v = judge(&unreplicated_bucket());
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.reasons,
            [
                "no copy outside us-east-1: no replica named and no replication rule, so losing \
              the region loses all of it (say replicate = false if that is intended)"
            ]
        );
        let loss = v.region_loss.expect("a region-loss figure");
        assert!(loss.unbounded);
        assert_eq!(loss.within(HOUR), Some(false));
        // Without a service there is no RPO to break: a warning, still unbounded.
        let v = bucket(&unreplicated_bucket(), None, REGIONS, now());
        assert_eq!(v.status, Status::Warn);
        assert!(v.region_loss.unwrap().unbounded);
    }

    #[test]
    fn replicate_false_is_respected() {
        let mut f = unreplicated_bucket();
        f.unreplicated_on_purpose = true;
        let v = judge(&f);
        assert_eq!(v.status, Status::Ok);
        assert_eq!(
            v.reasons,
            ["not replicated, on purpose (replicate = false): it is lost with us-east-1"]
        );
        assert_eq!(v.region_loss, None);
    }

    #[test]
    fn a_missing_replica_leaves_nothing_outside_the_region() {
        let mut f = replicated_bucket();
        f.replica_exists = Some(false);
        assert!(judge(&f).region_loss.unwrap().unbounded);
    }

    #[test]
    fn replication_latency_beyond_rpo_is_critical() {
        let mut f = replicated_bucket();
        f.replication_latency_secs = Some(7200.0);
        let v = judge(&f);
        assert_eq!(v.status, Status::Critical);
        assert_eq!(v.exposure_secs, Some(7200));
        assert_eq!(v.region_loss.unwrap().within(HOUR), Some(false));
    }

    #[test]
    fn a_latency_point_older_than_the_poll_window_is_not_current() {
        let mut f = replicated_bucket();
        f.replication_latency_secs = Some(7200.0);
        f.replication_latency_at = Some(now() - Duration::minutes(42));
        let v = judge(&f);
        assert_eq!(v.status, Status::Ok, "{:?}", v.reasons);
        assert_eq!(
            v.reasons,
            ["no current replication latency (last point 42m old)"]
        );
        assert_eq!(v.exposure_secs, None);
        let loss = v.region_loss.unwrap();
        assert_eq!((loss.exposure_secs, loss.within(HOUR)), (None, None));
        // Just inside the window it still counts.
        f.replication_latency_at = Some(now() - Duration::minutes(15));
        assert_eq!(judge(&f).exposure_secs, Some(7200));
    }

    #[test]
    fn no_latency_metric_leaves_the_region_loss_unknown_with_the_replica_shown() {
        let mut f = replicated_bucket();
        (f.replication_latency_secs, f.replication_latency_at) = (None, None);
        let v = judge(&f);
        assert_eq!((v.status, v.reasons.clone()), (Status::Ok, vec![]));
        assert_eq!(v.exposure_secs, None);
        let loss = v.region_loss.unwrap();
        assert_eq!(loss.exposure_secs, None);
        assert!(loss.copy.unwrap().contains("100.0% (100 of 100 objects)"));
    }

    #[test]
    fn a_failed_metrics_read_is_no_latency_and_no_note_of_absence() {
        let mut f = replicated_bucket();
        f.metrics_error = Some("AccessDenied".into());
        let v = judge(&f);
        // The poller puts "could not check: ..." first and makes it unknown.
        assert!(v.reasons.is_empty(), "{:?}", v.reasons);
        assert_eq!(v.exposure_secs, None);
        assert_eq!(v.region_loss.unwrap().exposure_secs, None);
    }

    #[test]
    fn failed_replication_operations_warn() {
        let mut f = replicated_bucket();
        f.failed_operations = Some(12.0);
        let v = judge(&f);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(
            v.reasons,
            ["12 operations failed to replicate to us-west-2 in the last hour"]
        );
        f.failed_operations = Some(0.0);
        assert_eq!(judge(&f).status, Status::Ok);
    }

    #[test]
    fn replica_versioning_off_stops_replication() {
        let f = ReplicaFacts {
            source: "raw".into(),
            exists: Some(true),
            versioning: Some(Versioning::Suspended),
            ..Default::default()
        };
        let v = replica(&f, "us-west-2");
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.reasons,
            ["versioning is suspended: S3 cannot replicate into it, so replication stops"]
        );
        let mut b = replicated_bucket();
        b.replica_versioning = Some(Versioning::Suspended);
        let loss = judge(&b).region_loss.unwrap();
        assert_eq!(loss.exposure_secs, None);
        assert!(loss.copy.unwrap().ends_with("not being updated"));
    }

    #[test]
    fn what_could_not_be_read_is_not_called_missing() {
        let mut f = replicated_bucket();
        (f.rule_id, f.rule_enabled, f.rule_destination) = (None, None, None);
        f.replication_checked = false;
        assert_eq!(judge(&f).reasons, Vec::<String>::new());
    }
}
