//! The health model over the simulated estate: healthy, then each fault on its resource.

use chrono::Duration;

use super::*;
use crate::cloud::{Backups, Dns, Identity, MetricQuery, Metrics};
use crate::health::{Facts, RegionLoss, ResourceKind as K, Status};

#[tokio::test]
async fn the_healthy_estate_is_all_ok() {
    let sim = sim(&[]);
    let snap = snap(&sim).await;
    assert_eq!(snap.account.as_deref(), Some("123456789012"));
    assert_eq!(snap.generated_at, t0());
    assert_rest_ok(&snap, &[]);
    let count = |kind| snap.resources.iter().filter(|r| r.kind == kind).count();
    assert_eq!(
        [
            K::Table,
            K::Bucket,
            K::Replica,
            K::Function,
            K::Dns,
            K::Alarm
        ]
        .map(count),
        [3, 3, 3, 3, 1, 3],
        "{}",
        listing(&snap)
    );
    assert_eq!(snap.overall(), Status::Ok);
    // PITR trails now by five minutes, as on AWS.
    let main = resource(&snap, K::Table, "flightdata-main");
    assert_eq!(main.rpo_exposure_secs, Some(300));
    let Facts::Bucket(raw) = &resource(&snap, K::Bucket, "flightdata-raw").facts else {
        panic!("bucket facts");
    };
    assert_eq!(raw.completeness_percent, Some(100.0));
    assert_eq!(raw.latency_series.len(), 12, "{raw:?}");
    assert!(
        raw.latency_series
            .iter()
            .all(|(_, v)| (5.0..=60.0).contains(v))
    );
}

#[tokio::test]
async fn pitr_off_hits_the_first_table() {
    let snap = snap(&sim(&[Fault::PitrOff])).await;
    assert_flagged(
        &snap,
        K::Table,
        "flightdata-main",
        Status::Critical,
        "point-in-time recovery is off: only on-demand backups can be restored",
    );
    assert_rest_ok(&snap, &[(K::Table, "flightdata-main")]);
}

#[tokio::test]
async fn replication_broken_hits_the_first_bucket() {
    let snap = snap(&sim(&[Fault::ReplicationBroken])).await;
    assert_flagged(
        &snap,
        K::Bucket,
        "flightdata-raw",
        Status::Critical,
        "no replication rule: nothing is copied to flightdata-raw-backup-us-west-2",
    );
    assert_rest_ok(&snap, &[(K::Bucket, "flightdata-raw")]);
}

#[tokio::test]
async fn replica_lag_hits_the_second_bucket_and_breaks_its_rpo() {
    let snap = snap(&sim(&[Fault::ReplicaLag])).await;
    let name = "flightdata-processed";
    assert_flagged(
        &snap,
        K::Bucket,
        name,
        Status::Critical,
        "replica holds 88.0% of the source's objects",
    );
    // 15 minutes past the tightest RPO of the services using it (S3 Data Storage, 1h).
    assert_flagged(
        &snap,
        K::Bucket,
        name,
        Status::Critical,
        "replication is 1h 15m behind; RPO is 1h",
    );
    assert_rest_ok(&snap, &[(K::Bucket, name)]);
    let r = resource(&snap, K::Bucket, name);
    let Facts::Bucket(f) = &r.facts else {
        panic!("bucket facts")
    };
    let latencies: Vec<f64> = f.latency_series.iter().map(|(_, v)| *v).collect();
    assert_eq!(latencies.len(), 12);
    assert!(latencies.windows(2).all(|w| w[0] < w[1]), "{latencies:?}");
    let pending = f.pending_operations.unwrap();
    assert!((100.0..1000.0).contains(&pending), "{pending}");
}

#[tokio::test]
async fn a_lagging_replica_keeps_falling_behind_as_time_passes() {
    let sim = sim(&[Fault::ReplicaLag]);
    sim.clock().advance(Duration::minutes(30));
    let snap = snap(&sim).await;
    assert_flagged(
        &snap,
        K::Bucket,
        "flightdata-processed",
        Status::Critical,
        "replication is 1h 45m behind",
    );
}

#[tokio::test]
async fn stale_backup_hits_every_table() {
    let snap = snap(&sim(&[Fault::StaleBackup])).await;
    let tables = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
    for table in tables {
        assert_flagged(
            &snap,
            K::Table,
            table,
            Status::Warn,
            "newest on-demand backup is 3d 1h old (expected every 1d)",
        );
    }
    assert_rest_ok(&snap, &tables.map(|t| (K::Table, t)));
}

#[tokio::test]
async fn missing_lambda_backup_hits_the_ingestion_function() {
    let snap = snap(&sim(&[Fault::MissingLambdaBackup])).await;
    assert_flagged(
        &snap,
        K::Function,
        "flightdata-processor",
        Status::Critical,
        "no backup found in s3://flightdata-lambda-backups",
    );
    assert_rest_ok(&snap, &[(K::Function, "flightdata-processor")]);
}

#[tokio::test]
async fn alarm_fires_the_first_alarm() {
    let snap = snap(&sim(&[Fault::Alarm])).await;
    assert_flagged(
        &snap,
        K::Alarm,
        "flightdata-api-errors",
        Status::Critical,
        "in ALARM: Threshold Crossed: 1 datapoint [12.0",
    );
    assert_rest_ok(&snap, &[(K::Alarm, "flightdata-api-errors")]);
}

#[tokio::test]
async fn region_outage_leaves_only_the_backup_region_and_global_services() {
    let sim = sim(&[Fault::RegionOutage]);
    let snap = snap(&sim).await;
    assert_eq!(
        snap.account.as_deref(),
        Some("123456789012"),
        "read through the backup region's STS"
    );
    let primary = snap.region(crate::health::RegionRole::Primary).unwrap();
    assert_eq!(
        (primary.region.as_str(), primary.reachable),
        (EAST, Some(false))
    );
    let backup = snap.region(crate::health::RegionRole::Backup).unwrap();
    assert_eq!(
        (backup.region.as_str(), backup.reachable),
        (WEST, Some(true))
    );
    // The three replicas and the standby stack.
    assert_eq!((backup.resources_read, backup.resources), (4, 4));
    for r in &snap.resources {
        match (r.kind, r.region.as_str()) {
            (K::Replica | K::Stack, WEST) => {
                assert_eq!(r.status, Status::Ok, "{}", listing(&snap))
            }
            (K::Dns, _) => assert_flagged(
                &snap,
                K::Dns,
                &r.name,
                Status::Warn,
                "PRIMARY is failing its health check: Route53 answers with SECONDARY",
            ),
            (_, EAST) => {
                assert_eq!(r.status, Status::Unknown, "{}", listing(&snap));
                // Few words in the reason; the service's own in the error.
                assert!(
                    r.reasons[0].starts_with("could not check: us-east-1 did not answer ("),
                    "{}",
                    listing(&snap)
                );
                assert!(
                    r.error
                        .as_deref()
                        .is_some_and(|e| e.contains("(simulated region outage)")),
                    "{}",
                    listing(&snap)
                );
            }
            _ => panic!("unexpected resource:\n{}", listing(&snap)),
        }
    }
    let err = sim
        .describe_table(EAST, "flightdata-main")
        .await
        .unwrap_err();
    assert_eq!(err.kind, crate::cloud::ErrorKind::Unreachable);
    assert_eq!(
        err.message,
        "could not reach the endpoint: dynamodb.us-east-1.amazonaws.com (simulated region outage)"
    );
    let err = sim.describe_alarms(EAST, &[], None).await.unwrap_err();
    assert!(
        err.message.contains("monitoring.us-east-1.amazonaws.com"),
        "{err}"
    );
    let status = sim
        .health_check_status("hc-Z123456789-primary")
        .await
        .unwrap();
    assert_eq!(status.observations.len(), 3);
    assert!(
        status
            .observations
            .iter()
            .all(|o| o.status.starts_with("Failure"))
    );
    assert_eq!(sim.caller_identity().await.unwrap().account, "123456789012");
    assert_eq!(sim.now(), t0());
}

#[tokio::test]
async fn every_fault_can_be_switched_on_and_off_at_run_time() {
    // A short restore changes no read the health panel makes: the validation's tests show it.
    for &fault in Fault::ALL.iter().filter(|f| f.shows_in_health()) {
        let sim = sim(&[]);
        sim.set_fault(fault, true);
        assert_eq!(sim.faults(), vec![fault]);
        let broken = snap(&sim).await;
        assert_ne!(
            broken.overall(),
            Status::Ok,
            "{fault}: {}",
            listing(&broken)
        );
        sim.clock().advance(Duration::minutes(10));
        sim.set_fault(fault, false);
        assert!(sim.faults().is_empty());
        let repaired = snap(&sim).await;
        assert_rest_ok(&repaired, &[]);
    }
}

#[tokio::test]
async fn faults_are_reported_sorted_and_once() {
    let sim = sim(&[Fault::Alarm, Fault::PitrOff, Fault::Alarm]);
    assert_eq!(sim.faults(), vec![Fault::PitrOff, Fault::Alarm]);
    let snap = snap(&sim).await;
    assert_eq!(snap.overall(), Status::Critical);
}

#[tokio::test]
async fn metrics_honour_the_window_and_come_oldest_first() {
    let sim = sim(&[]);
    let query = |metric: &str, period| MetricQuery {
        id: "m0".to_owned(),
        namespace: "AWS/S3".to_owned(),
        metric: metric.to_owned(),
        dimensions: vec![
            ("SourceBucket".into(), "flightdata-analytics".into()),
            (
                "DestinationBucket".into(),
                "flightdata-analytics-backup-us-west-2".into(),
            ),
            ("RuleId".into(), "ReplicateEverything".into()),
        ],
        stat: "Maximum".to_owned(),
        period_secs: period,
    };
    let half_hour = sim
        .get_metric_data(
            EAST,
            &[query("ReplicationLatency", 300)],
            t0() - Duration::minutes(30),
            t0(),
        )
        .await
        .unwrap();
    let points = &half_hour[0].points;
    assert_eq!(points.len(), 6);
    assert_eq!(points[0].0, t0() - Duration::minutes(30));
    assert_eq!(points[5].0, t0() - Duration::minutes(5));
    // A 15-minute period takes the maximum of three five-minute values.
    let coarse = sim
        .get_metric_data(
            EAST,
            &[query("ReplicationLatency", 900)],
            t0() - Duration::minutes(30),
            t0(),
        )
        .await
        .unwrap();
    let first_three = points[..3].iter().map(|p| p.1).fold(0.0, f64::max);
    assert_eq!(coarse[0].points.len(), 2);
    assert_eq!(coarse[0].points[0].1, first_three);
    // Another region, or dimensions that are not exactly the rule's, have no data.
    let other = sim
        .get_metric_data(
            WEST,
            &[query("ReplicationLatency", 300)],
            t0() - Duration::hours(1),
            t0(),
        )
        .await
        .unwrap();
    assert!(other[0].points.is_empty());
    let err = sim
        .get_metric_data(
            EAST,
            &[MetricQuery {
                id: "M-0".into(),
                ..query("ReplicationLatency", 300)
            }],
            t0() - Duration::hours(1),
            t0(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("ValidationError"));
}

#[tokio::test]
async fn daily_backups_are_named_like_the_plan_and_listed_newest_first() {
    let sim = sim(&[]);
    let backups = sim
        .list_backups(EAST, Some("flightdata-main"))
        .await
        .unwrap();
    assert_eq!(backups.len(), 7);
    assert_eq!(backups[0].name, "daily-backup-20261124-flightdata-main");
    assert_eq!(backups[0].created, t0() - Duration::hours(1));
    assert_eq!(backups[6].name, "daily-backup-20261118-flightdata-main");
    assert!(backups.windows(2).all(|w| w[0].created > w[1].created));
    assert!(
        backups[0]
            .arn
            .starts_with("arn:aws:dynamodb:us-east-1:123456789012:table/flightdata-main/backup/0"),
        "{}",
        backups[0].arn
    );
    let id = backups[0].arn.rsplit('/').next().unwrap();
    assert_eq!(id.len(), 23, "{id}");
    assert_eq!(
        (backups[0].status.as_str(), backups[0].backup_type.as_str()),
        ("AVAILABLE", "USER")
    );
    assert_eq!(sim.list_backups(EAST, None).await.unwrap().len(), 21);
    assert!(sim.list_backups(WEST, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn backups_start_the_day_before_when_today_s_is_still_ahead() {
    let at_one = t0() - Duration::hours(2); // 01:00, before the 02:00 backup
    let sim = SimCloud::new(
        &estate(),
        SimOptions {
            clock: SimClock::fixed(at_one),
            latency: Latency::None,
            faults: vec![],
        },
    );
    let backups = sim
        .list_backups(EAST, Some("flightdata-config"))
        .await
        .unwrap();
    assert_eq!(backups[0].name, "daily-backup-20261123-flightdata-config");
    assert_eq!(snap(&sim).await.overall(), Status::Ok);
}

#[tokio::test]
async fn the_healthy_estate_survives_the_primary_region_in_its_copies() {
    let snap = snap(&sim(&[])).await;
    let main = resource(&snap, K::Table, "flightdata-main");
    assert_eq!(
        main.region_loss,
        Some(RegionLoss {
            exposure_secs: Some(0),
            unbounded: false,
            copy: Some("global-table replica in us-west-2".into()),
        })
    );
    let api = resource(&snap, K::Function, "flightdata-api");
    let loss = api.region_loss.as_ref().expect("a region-loss figure");
    // The copy is newer than the function's last change: nothing would be lost.
    assert_eq!(loss.exposure_secs, Some(0), "{loss:?}");
    assert!(
        loss.copy
            .as_deref()
            .is_some_and(|c| c.starts_with("s3://flightdata-lambda-backups-us-west-2/")),
        "{loss:?}"
    );
    let tables = snap
        .services
        .iter()
        .find(|s| s.name == "DynamoDB Tables")
        .unwrap();
    assert_eq!(
        (tables.region_loss_rpo_met, tables.worst_region_loss_secs),
        (Some(true), Some(0))
    );
}

#[tokio::test]
async fn stale_export_leaves_the_weekly_export_and_breaks_the_region_loss_rpo() {
    let snap = snap(&sim(&[Fault::StaleExport])).await;
    let names = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
    for name in names {
        // t0 is a Tuesday 03:00; the weekly export ran on Sunday at 04:00.
        assert_flagged(
            &snap,
            K::Table,
            name,
            Status::Critical,
            "if us-east-1 is lost, 1d 23h of data is lost: the newest copy outside it is \
             export s3://flightdata-backups/dynamodb-exports/",
        );
        let r = resource(&snap, K::Table, name);
        // In-region, PITR is as healthy as ever.
        assert_eq!(r.rpo_exposure_secs, Some(300));
        let loss = r.region_loss.as_ref().unwrap();
        assert_eq!(loss.exposure_secs, Some(47 * 3600));
        assert!(
            loss.copy.as_deref().is_some_and(|c| c
                .contains(&format!("dynamodb-exports/{name}/2026/11/22/AWSDynamoDB/"))
                && c.ends_with("(us-west-2)")),
            "{loss:?}"
        );
    }
    assert_rest_ok(&snap, &names.map(|n| (K::Table, n)));
    let tables = snap
        .services
        .iter()
        .find(|s| s.name == "DynamoDB Tables")
        .unwrap();
    assert_eq!(tables.region_loss_rpo_met, Some(false));
    assert_eq!(tables.worst_region_loss_secs, Some(47 * 3600));
}

#[tokio::test]
async fn in_a_region_outage_the_region_loss_figure_is_read_from_the_backup_region() {
    let snap = snap(&sim(&[Fault::RegionOutage, Fault::StaleExport])).await;
    let main = resource(&snap, K::Table, "flightdata-main");
    // Unread in-region, but what is known already breaks the RPO: that reason leads, the
    // unread part follows.
    assert_eq!(main.status, Status::Critical, "{}", listing(&snap));
    assert!(
        main.reasons[0].starts_with("if us-east-1 is lost"),
        "{:?}",
        main.reasons
    );
    assert!(
        main.reasons[1]
            .starts_with("could not check: us-east-1 did not answer (dynamodb DescribeTable)"),
        "{:?}",
        main.reasons
    );
    let loss = main.region_loss.as_ref().expect("read through us-west-2");
    assert_eq!(loss.exposure_secs, Some(47 * 3600), "{loss:?}");

    let snap = super::snap(&sim(&[Fault::RegionOutage])).await;
    let main = resource(&snap, K::Table, "flightdata-main");
    // The replica answers in the backup region itself.
    assert_eq!(
        main.region_loss.as_ref().and_then(|l| l.copy.as_deref()),
        Some("global-table replica in us-west-2")
    );
    let api = resource(&snap, K::Function, "flightdata-api");
    assert!(
        api.region_loss
            .as_ref()
            .is_some_and(|l| l.exposure_secs.is_some() && !l.unbounded),
        "{:?}",
        api.region_loss
    );
}

#[tokio::test]
async fn a_disabled_primary_health_check_is_a_warning_in_itself() {
    let sim = sim(&[]);
    sim.state()
        .health_checks
        .get_mut("hc-Z123456789-primary")
        .unwrap()
        .disabled = true;
    let snap = snap(&sim).await;
    assert_flagged(
        &snap,
        K::Dns,
        "api.flightdata.example.com.",
        Status::Warn,
        "PRIMARY's health check hc-Z123456789-primary is disabled",
    );
}

#[tokio::test]
async fn a_deleted_table_is_restorable_from_the_system_backup_dynamodb_keeps() {
    let sim = sim(&[]);
    sim.delete("us-east-1", "flightdata-config").await.unwrap();
    sim.clock().advance(Duration::seconds(30));
    let snap = snap(&sim).await;
    let r = resource(&snap, K::Table, "flightdata-config");
    assert_eq!(r.status, Status::Critical, "{}", listing(&snap));
    // The simulation keeps a global table's replicas with its primary record, so they go
    // with it here (on AWS the other regions' replicas stay): only the export is left.
    assert_eq!(
        r.reasons[0],
        "table missing \u{2014} restorable from flightdata-config$DeletedTableBackup (30s old)"
    );
    assert_eq!(r.rpo_exposure_secs, Some(30));
    let backups = sim
        .list_backups("us-east-1", Some("flightdata-config"))
        .await
        .unwrap();
    assert_eq!(
        (backups[0].backup_type.as_str(), backups[0].status.as_str()),
        ("SYSTEM", "AVAILABLE")
    );
}
