//! The region-loss rules: how much would be lost if the primary region went now, judged
//! only on copies outside it, against the RPO.

use chrono::{DateTime, Utc};

use super::{Verdict, age_secs};
use crate::health::{FunctionFacts, RegionLoss, Status, TableFacts, human_duration};

/// If the primary region is lost now, only copies outside it count: a global-table replica
/// in the backup region (its lag is seconds), or the newest export in a bucket outside it.
pub(super) fn table_region_loss(
    f: &TableFacts,
    rpo_secs: Option<u64>,
    now: DateTime<Utc>,
    v: &mut Verdict,
) {
    let o = &f.outside;
    if o.primary_region.is_empty() {
        return; // not probed
    }
    let (primary, backup) = (o.primary_region.as_str(), o.backup_region.as_str());
    let mut copies: Vec<(u64, String)> = Vec::new();
    match o.replica_status.as_deref() {
        Some("ACTIVE") => copies.push((0, format!("global-table replica in {backup}"))),
        Some(status) => v.raise(
            Status::Warn,
            format!("global-table replica in {backup} is {status}, not ACTIVE"),
        ),
        None => {}
    }
    if let Some(export) = &o.export {
        let region = o.export_region.as_deref().unwrap_or(backup);
        copies.push((
            age_secs(now, export.time),
            format!("export {} ({region})", export.location),
        ));
    }
    if let Some((exposure, copy)) = copies.into_iter().min_by_key(|(e, _)| *e) {
        if let Some(rpo) = rpo_secs.filter(|rpo| exposure > *rpo) {
            v.raise(
                Status::Critical,
                format!(
                    "if {primary} is lost, {} of data is lost: the newest copy outside it is \
                     {copy}; RPO is {}",
                    human_duration(exposure),
                    human_duration(rpo)
                ),
            );
        }
        v.region_loss = Some(RegionLoss {
            exposure_secs: Some(exposure),
            unbounded: false,
            copy: Some(copy),
        });
        return;
    }
    if !(o.replica_checked && o.exports_checked) {
        // Something could not be read (the error says what): the figure is unknown.
        v.region_loss = Some(RegionLoss::default());
        return;
    }
    let exports = match (&o.export_bucket, o.export_region.as_deref()) {
        (None, _) => "no export bucket configured ([dynamodb].export_bucket)".to_owned(),
        (Some(bucket), Some(region)) if region == primary => {
            format!("export bucket {bucket} is in {primary} too, so its exports die with it")
        }
        (Some(bucket), None) => format!("export bucket {bucket} does not exist"),
        (Some(bucket), _) => format!("no complete export of it in s3://{bucket}"),
    };
    v.raise(
        Status::Critical,
        format!(
            "no copy outside {primary}: losing the region loses the table \
             (no global-table replica in {backup}; {exports})"
        ),
    );
    v.region_loss = Some(RegionLoss {
        exposure_secs: None,
        unbounded: true,
        copy: None,
    });
}

/// Code and configuration are in version control (the plan's RPO for them is 0), so a missing
/// copy outside the primary region is a warning: the function can still be rebuilt, only
/// not restored. What a copy would lose is what changed since it was taken.
pub(super) fn function_region_loss(
    f: &FunctionFacts,
    rpo_secs: Option<u64>,
    now: DateTime<Utc>,
    v: &mut Verdict,
) {
    let o = &f.outside;
    if o.primary_region.is_empty() {
        return; // not probed
    }
    let primary = o.primary_region.as_str();
    if let (Some(time), Some(location)) = (o.time, &o.location) {
        // Unchanged since the copy: nothing is lost. Unknown: the copy's age is the bound.
        let changed_since = f.last_modified_at.map(|m| m.timestamp() > time.timestamp());
        let exposure = match changed_since {
            Some(false) => 0,
            _ => age_secs(now, time),
        };
        if let Some(rpo) = rpo_secs.filter(|rpo| exposure > *rpo) {
            let why = if changed_since == Some(true) {
                "and the function changed since"
            } else {
                "and whether the function changed since is unknown"
            };
            v.raise(
                Status::Warn,
                format!(
                    "if {primary} is lost, it restores from {location}, {} old, {why}; RPO is {}",
                    human_duration(age_secs(now, time)),
                    human_duration(rpo)
                ),
            );
        }
        v.region_loss = Some(RegionLoss {
            exposure_secs: Some(exposure),
            unbounded: false,
            copy: Some(location.clone()),
        });
        return;
    }
    if !o.checked {
        v.region_loss = Some(RegionLoss::default());
        return;
    }
    let in_primary: Vec<&str> = o
        .buckets
        .iter()
        .filter(|(_, r)| r.as_deref() == Some(primary))
        .map(|(b, _)| b.as_str())
        .collect();
    let why = match (o.buckets.len(), in_primary.as_slice()) {
        (0, _) => None, // "no backup location configured" already says it
        (_, [bucket]) if o.buckets.len() == 1 => Some(format!(
            "{bucket} is in {primary} too; name a copy in the backup region \
             ([lambda].backup_copy_bucket)"
        )),
        _ => Some("no backup of it in a bucket outside it".to_owned()),
    };
    if let Some(why) = why {
        v.raise(
            Status::Warn,
            format!(
                "no backup outside {primary}: if the region is lost it must be rebuilt ({why})"
            ),
        );
    }
    v.region_loss = Some(RegionLoss {
        exposure_secs: None,
        unbounded: true,
        copy: None,
    });
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::health::judge::{function, table};
    use crate::health::{ExportFact, FunctionOutside, OutsideCopies};

    const HOUR: u64 = 3600;
    const DAY: u64 = 86_400;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()
    }

    /// PITR five minutes behind, a fresh backup: healthy in-region.
    fn table_with(outside: OutsideCopies) -> TableFacts {
        TableFacts {
            exists: Some(true),
            table_status: Some("ACTIVE".into()),
            pitr_enabled: Some(true),
            latest_restorable: Some(now() - Duration::minutes(5)),
            newest_backup: Some(crate::health::BackupFact {
                name: "daily".into(),
                arn: "arn".into(),
                created: now() - Duration::hours(2),
                status: "AVAILABLE".into(),
            }),
            backup_count: Some(1),
            backup_every_secs: DAY,
            outside,
            ..Default::default()
        }
    }

    fn outside() -> OutsideCopies {
        OutsideCopies {
            primary_region: "us-east-1".into(),
            backup_region: "us-west-2".into(),
            replica_checked: true,
            export_bucket: Some("flightdata-backups".into()),
            export_region: Some("us-west-2".into()),
            exports_checked: true,
            ..Default::default()
        }
    }

    fn export(age: Duration) -> Option<ExportFact> {
        Some(ExportFact {
            location: "s3://flightdata-backups/dynamodb-exports/main/2026/11/18/AWSDynamoDB/01/"
                .into(),
            time: now() - age,
        })
    }

    #[test]
    fn a_six_day_old_export_is_critical_however_healthy_pitr_is() {
        let mut o = outside();
        o.export = export(Duration::days(6));
        let v = table(&table_with(o), Some(HOUR), now());
        assert_eq!(v.status, Status::Critical);
        assert_eq!(v.exposure_secs, Some(300), "in-region PITR is untouched");
        assert_eq!(
            v.reasons,
            [
                "if us-east-1 is lost, 6d of data is lost: the newest copy outside it is export \
                 s3://flightdata-backups/dynamodb-exports/main/2026/11/18/AWSDynamoDB/01/ \
                 (us-west-2); RPO is 1h"
            ]
        );
        assert_eq!(
            v.region_loss,
            Some(RegionLoss {
                exposure_secs: Some(6 * DAY),
                unbounded: false,
                copy: Some(
                    "export s3://flightdata-backups/dynamodb-exports/main/2026/11/18/\
                     AWSDynamoDB/01/ (us-west-2)"
                        .into()
                ),
            })
        );
    }

    #[test]
    fn a_fresh_export_meets_the_rpo() {
        let mut o = outside();
        o.export = export(Duration::minutes(40));
        let v = table(&table_with(o), Some(HOUR), now());
        assert_eq!(v.status, Status::Ok, "{:?}", v.reasons);
        assert_eq!(v.region_loss.unwrap().exposure_secs, Some(40 * 60));
    }

    #[test]
    fn an_active_global_replica_loses_nothing_and_beats_an_old_export() {
        let mut o = outside();
        o.replica_status = Some("ACTIVE".into());
        o.export = export(Duration::days(6));
        let v = table(&table_with(o), Some(HOUR), now());
        assert_eq!(v.status, Status::Ok, "{:?}", v.reasons);
        let loss = v.region_loss.unwrap();
        assert_eq!(loss.exposure_secs, Some(0));
        assert_eq!(
            loss.copy.as_deref(),
            Some("global-table replica in us-west-2")
        );
    }

    #[test]
    fn an_export_bucket_in_the_primary_region_is_no_copy_at_all() {
        let mut o = outside();
        o.export_region = Some("us-east-1".into());
        let v = table(&table_with(o), Some(HOUR), now());
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.reasons,
            [
                "no copy outside us-east-1: losing the region loses the table (no global-table \
                 replica in us-west-2; export bucket flightdata-backups is in us-east-1 too, so \
                 its exports die with it)"
            ]
        );
        let loss = v.region_loss.unwrap();
        assert!(loss.unbounded && loss.exposure_secs.is_none());
        assert_eq!(loss.within(HOUR), Some(false));
    }

    #[test]
    fn copies_that_could_not_be_read_leave_the_figure_unknown_not_unbounded() {
        let mut o = outside();
        o.exports_checked = false;
        let v = table(&table_with(o), Some(HOUR), now());
        assert_eq!(v.region_loss, Some(RegionLoss::default()));
        assert_eq!(v.region_loss.unwrap().within(HOUR), None);
        assert_eq!(
            v.status,
            Status::Ok,
            "the read error itself makes it unknown"
        );
    }

    #[test]
    fn a_missing_table_still_has_its_region_loss_figure() {
        let mut f = table_with(outside());
        f.exists = Some(false);
        f.outside.export = export(Duration::minutes(30));
        let v = table(&f, Some(HOUR), now());
        assert_eq!(v.region_loss.unwrap().exposure_secs, Some(30 * 60));
    }

    fn function_facts(outside: FunctionOutside) -> FunctionFacts {
        FunctionFacts {
            exists: Some(true),
            backup_location: Some("s3://b/lambda-backups/20261123/fn/".into()),
            backups_checked: true,
            backup_has_config: true,
            backup_has_code: true,
            backup_time: Some(now() - Duration::hours(2)),
            last_modified_at: Some(now() - Duration::days(10)),
            outside,
            ..Default::default()
        }
    }

    fn copy(age: Duration) -> FunctionOutside {
        FunctionOutside {
            primary_region: "us-east-1".into(),
            buckets: vec![
                ("b".into(), Some("us-east-1".into())),
                ("b-copy".into(), Some("us-west-2".into())),
            ],
            location: Some("s3://b-copy/lambda-backups/20261122/fn/".into()),
            time: Some(now() - age),
            checked: true,
        }
    }

    #[test]
    fn a_copy_newer_than_the_last_change_loses_nothing() {
        let v = function(
            &function_facts(copy(Duration::days(2))),
            Some("b"),
            DAY,
            Some(900),
            now(),
        );
        assert_eq!(v.status, Status::Ok, "{:?}", v.reasons);
        assert_eq!(v.region_loss.unwrap().exposure_secs, Some(0));
    }

    #[test]
    fn a_function_changed_since_its_copy_loses_the_copy_s_age() {
        let mut f = function_facts(copy(Duration::days(2)));
        f.last_modified_at = Some(now() - Duration::days(1));
        let v = function(&f, Some("b"), DAY, Some(900), now());
        assert_eq!(v.status, Status::Warn);
        assert_eq!(
            v.reasons,
            [
                "if us-east-1 is lost, it restores from s3://b-copy/lambda-backups/20261122/fn/, \
                 2d old, and the function changed since; RPO is 15m"
            ]
        );
        assert_eq!(v.region_loss.unwrap().exposure_secs, Some(2 * DAY));
    }

    #[test]
    fn a_backup_bucket_in_the_primary_region_alone_is_no_copy() {
        let outside = FunctionOutside {
            primary_region: "us-east-1".into(),
            buckets: vec![("b".into(), Some("us-east-1".into()))],
            checked: true,
            ..Default::default()
        };
        let v = function(&function_facts(outside), Some("b"), DAY, Some(900), now());
        assert_eq!(v.status, Status::Warn);
        assert_eq!(
            v.reasons,
            [
                "no backup outside us-east-1: if the region is lost it must be rebuilt (b is in \
                 us-east-1 too; name a copy in the backup region ([lambda].backup_copy_bucket))"
            ]
        );
        assert!(v.region_loss.unwrap().unbounded);
    }

    #[test]
    fn a_missing_export_bucket_is_said_so() {
        let mut o = outside();
        o.export_region = None;
        let v = table(&table_with(o), Some(HOUR), now());
        assert_eq!(v.status, Status::Critical);
        assert!(
            v.reasons[0].ends_with("export bucket flightdata-backups does not exist)"),
            "{:?}",
            v.reasons
        );
    }
}
