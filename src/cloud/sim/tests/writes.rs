//! Writes change what later reads return, after the delays AWS takes; bad requests fail with
//! AWS's codes.

use std::time::Duration as StdDuration;

use chrono::Duration;

use super::*;
use crate::cloud::{
    Backups, BucketRef, ChangeAction, Dns, ErrorKind, ExportRequest, Failover, Functions,
    RecordChange, RestorePoint, Storage, TableCondition,
};
use crate::health::ResourceKind as K;

const MAIN: &str = "flightdata-main";

#[tokio::test]
async fn pitr_can_be_turned_off_and_on() {
    let sim = sim(&[]);
    let off = sim.pitr(EAST, MAIN, false).await.unwrap();
    assert!(!off.pitr_enabled && off.latest_restorable.is_none());
    assert!(
        !sim.describe_continuous_backups(EAST, MAIN)
            .await
            .unwrap()
            .pitr_enabled
    );
    assert_flagged(
        &snap(&sim).await,
        K::Table,
        MAIN,
        Status::Critical,
        "point-in-time recovery is off",
    );
    sim.clock().advance(Duration::minutes(10));
    let on = sim.pitr(EAST, MAIN, true).await.unwrap();
    assert!(on.pitr_enabled);
    // The window starts when PITR was turned back on.
    assert_eq!(on.earliest_restorable, Some(t0() + Duration::minutes(10)));
    assert_rest_ok(&snap(&sim).await, &[]);
}

#[tokio::test]
async fn zero_reserved_concurrency_stops_ingestion() {
    let sim = sim(&[]);
    let f = "flightdata-processor";
    assert_eq!(sim.get_concurrency(EAST, f).await.unwrap(), None);
    assert_eq!(sim.concurrency(EAST, f, 0).await.unwrap(), 0);
    assert_eq!(
        sim.get_function(EAST, f)
            .await
            .unwrap()
            .reserved_concurrency,
        Some(0)
    );
    assert_flagged(
        &snap(&sim).await,
        K::Function,
        f,
        Status::Warn,
        "reserved concurrency is 0: ingestion is stopped",
    );
    sim.no_concurrency(EAST, f).await.unwrap();
    assert_eq!(sim.get_concurrency(EAST, f).await.unwrap(), None);
    assert_rest_ok(&snap(&sim).await, &[]);

    let err = sim.concurrency(EAST, f, 950).await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("InvalidParameterValueException"));
    let err = sim.concurrency(EAST, f, -1).await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("ValidationException"));
}

#[tokio::test]
async fn a_restore_is_creating_for_three_minutes() {
    let sim = sim(&[]);
    let source = sim.describe_table(EAST, MAIN).await.unwrap();
    let newest = sim.list_backups(EAST, Some(MAIN)).await.unwrap()[0].clone();
    let target = "flightdata-main-restored";
    let restored = sim.restore_backup(EAST, &newest.arn, target).await.unwrap();
    assert_eq!(restored.status, "CREATING");
    assert_eq!(
        restored.arn,
        "arn:aws:dynamodb:us-east-1:123456789012:table/flightdata-main-restored"
    );
    let err = sim.count_items(EAST, target, 4).await.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::NotFound,
        "not scannable while CREATING"
    );
    sim.clock().advance(Duration::seconds(179));
    assert_eq!(
        sim.describe_table(EAST, target).await.unwrap().status,
        "CREATING"
    );
    sim.clock().advance(Duration::seconds(2));
    let active = sim.describe_table(EAST, target).await.unwrap();
    assert!(active.is_active());
    assert_eq!(active.item_count, source.item_count);
    assert_eq!(
        sim.count_items(EAST, target, 4).await.unwrap() as i64,
        source.item_count.unwrap()
    );
    // A restored table does not inherit PITR.
    assert!(
        !sim.describe_continuous_backups(EAST, target)
            .await
            .unwrap()
            .pitr_enabled
    );
    assert!(
        sim.list_tables(EAST)
            .await
            .unwrap()
            .contains(&target.to_owned())
    );

    let err = sim
        .restore_backup(EAST, &newest.arn, target)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("TableAlreadyExistsException"));
    assert_eq!(err.message, format!("Table already exists: {target}"));
    let err = sim
        .restore_backup(WEST, &newest.arn, "elsewhere")
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("BackupNotFoundException"));
    assert!(err.is_not_found());
}

#[tokio::test]
async fn point_in_time_restores_check_the_window_and_pitr() {
    let sim = sim(&[Fault::PitrOff]);
    let ok = sim
        .restore_pitr(
            EAST,
            "flightdata-metrics",
            "metrics-an-hour-ago",
            RestorePoint::At(t0() - Duration::hours(1)),
        )
        .await
        .unwrap();
    assert_eq!(ok.status, "CREATING");

    let err = sim
        .restore_pitr(
            EAST,
            "flightdata-metrics",
            "metrics-a-minute-ago",
            RestorePoint::At(t0() - Duration::minutes(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.code.as_deref(),
        Some("InvalidRestoreTimeException"),
        "{err}"
    );
    assert!(err.message.contains("LatestRestorableDateTime"), "{err}");

    let err = sim
        .restore_pitr(EAST, MAIN, "main-latest", RestorePoint::Latest)
        .await
        .unwrap_err();
    assert_eq!(
        err.code.as_deref(),
        Some("PointInTimeRecoveryUnavailableException")
    );

    let err = sim
        .restore_pitr(EAST, "flightdata-metrics", MAIN, RestorePoint::Latest)
        .await
        .unwrap_err();
    assert_eq!(err.message, format!("Table already exists: {MAIN}"));

    let err = sim
        .restore_pitr(EAST, "no-such-table", "x-restored", RestorePoint::Latest)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("TableNotFoundException"));
    assert!(err.is_not_found());

    // Cross-region, by ARN, into the backup region: not under the table's own name, which
    // its global-table replica holds there.
    let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/flightdata-config";
    let taken = sim
        .restore_pitr(WEST, arn, "flightdata-config", RestorePoint::Latest)
        .await
        .unwrap_err();
    assert_eq!(taken.code.as_deref(), Some("TableAlreadyExistsException"));
    let west = sim
        .restore_pitr(WEST, arn, "flightdata-config-west", RestorePoint::Latest)
        .await
        .unwrap();
    assert_eq!(
        west.arn,
        "arn:aws:dynamodb:us-west-2:123456789012:table/flightdata-config-west"
    );
}

#[tokio::test]
async fn wait_for_table_follows_the_clock_and_times_out_in_real_time() {
    let sim = std::sync::Arc::new(sim(&[]));
    let backup = sim.list_backups(EAST, Some(MAIN)).await.unwrap()[0]
        .arn
        .clone();
    sim.restore_backup(EAST, &backup, "waited").await.unwrap();

    let err = sim
        .wait_for_table(
            EAST,
            "waited",
            TableCondition::Active,
            StdDuration::from_millis(120),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);

    let clock = sim.clock().clone();
    let mover = tokio::spawn(async move {
        tokio::time::sleep(StdDuration::from_millis(30)).await;
        clock.advance(Duration::minutes(3));
    });
    sim.wait_for_table(
        EAST,
        "waited",
        TableCondition::Active,
        StdDuration::from_secs(10),
    )
    .await
    .unwrap();
    mover.await.unwrap();

    let deleting = sim.delete(EAST, "waited").await.unwrap();
    assert_eq!(deleting.status, "DELETING");
    let err = sim.delete(EAST, "waited").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("ResourceInUseException"));
    sim.clock().advance(Duration::seconds(20));
    sim.wait_for_table(
        EAST,
        "waited",
        TableCondition::Deleted,
        StdDuration::from_secs(1),
    )
    .await
    .unwrap();
    let err = sim.delete(EAST, "waited").await.unwrap_err();
    assert_eq!(
        err.message,
        "Requested resource not found: Table: waited not found"
    );
    // Backups outlive the table they came from.
    assert_eq!(sim.list_backups(EAST, Some(MAIN)).await.unwrap().len(), 7);
}

#[tokio::test]
async fn a_new_backup_is_the_newest() {
    let sim = sim(&[Fault::StaleBackup]);
    sim.clock().advance(Duration::minutes(3));
    let made = sim
        .backup(EAST, MAIN, "corruption-backup-20261124030300")
        .await
        .unwrap();
    assert_eq!(made.status, "AVAILABLE");
    assert_eq!(made.created, t0() + Duration::minutes(3));
    let listed = sim.list_backups(EAST, Some(MAIN)).await.unwrap();
    assert_eq!(listed[0], made);
    assert_eq!(sim.describe_backup(EAST, &made.arn).await.unwrap(), made);
    let snap = snap(&sim).await;
    assert_eq!(resource(&snap, K::Table, MAIN).status, Status::Ok);

    let err = sim.backup(EAST, MAIN, "no spaces").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("ValidationException"));
    let err = sim.backup(EAST, "nope", "x-backup").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("TableNotFoundException"));
}

#[tokio::test]
async fn an_export_writes_its_files_after_five_minutes() {
    let sim = sim(&[]);
    let request = ExportRequest {
        table_arn: format!("arn:aws:dynamodb:{EAST}:123456789012:table/{MAIN}"),
        bucket: "flightdata-backups".to_owned(),
        prefix: "dynamodb-exports/flightdata-main/manual".to_owned(),
        at: None,
    };
    let export = sim.export(EAST, &request).await.unwrap();
    assert_eq!(export.status, "IN_PROGRESS");
    assert!(
        export
            .arn
            .starts_with(&format!("{}/export/", request.table_arn))
    );
    // The export bucket is in the backup region, beside the weekly exports already there.
    let prefix = Some("dynamodb-exports/flightdata-main/manual/");
    let count = || sim.count_objects(WEST, "flightdata-backups", prefix);
    assert_eq!(count().await.unwrap().objects, 0);
    sim.clock().advance(Duration::seconds(60));
    assert_eq!(count().await.unwrap().objects, 0, "still in progress");
    sim.clock().advance(Duration::minutes(4));
    assert!(count().await.unwrap().objects >= 6);
    let files = sim
        .list_objects(WEST, "flightdata-backups", prefix, None)
        .await
        .unwrap();
    assert!(
        files
            .iter()
            .any(|o| o.key.ends_with("manifest-summary.json"))
    );
}

#[tokio::test]
async fn upserted_records_are_listed_and_the_change_syncs_in_a_minute() {
    let sim = sim(&[]);
    let zone = "Z123456789";
    let records = sim.list_record_sets(zone).await.unwrap();
    let mut primary = records
        .iter()
        .find(|r| r.failover == Some(Failover::Primary))
        .unwrap()
        .clone();
    assert_eq!(primary.values, ["203.0.113.10"]);
    assert_eq!(
        primary.health_check_id.as_deref(),
        Some("hc-Z123456789-primary")
    );
    primary.values = vec!["203.0.113.99".to_owned()];
    let upsert = RecordChange {
        action: ChangeAction::Upsert,
        record: primary.clone(),
    };
    let change = sim.records(zone, &[upsert], "fail over").await.unwrap();
    assert_eq!(change.status, "PENDING");
    let now_listed = sim.list_record_sets(zone).await.unwrap();
    assert!(now_listed.contains(&primary), "{now_listed:?}");
    assert_eq!(now_listed.len(), records.len());
    assert_eq!(sim.get_change(&change.id).await.unwrap().status, "PENDING");
    sim.clock().advance(Duration::seconds(30));
    assert_eq!(sim.get_change(&change.id).await.unwrap().status, "PENDING");
    sim.clock().advance(Duration::seconds(30));
    let synced = sim
        .get_change(&format!("/change/{}", change.id))
        .await
        .unwrap();
    assert_eq!(synced.status, "INSYNC");

    let create = RecordChange {
        action: ChangeAction::Create,
        record: primary.clone(),
    };
    let err = sim.records(zone, &[create], "").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("InvalidChangeBatch"));
    assert!(err.message.contains("but it already exists"), "{err}");

    let mut gone = primary.clone();
    gone.name = "nothing.flightdata.example.com.".to_owned();
    let delete = RecordChange {
        action: ChangeAction::Delete,
        record: gone,
    };
    let err = sim.records(zone, &[delete], "").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("InvalidChangeBatch"));
    assert!(err.message.contains("but it was not found"), "{err}");

    let delete = RecordChange {
        action: ChangeAction::Delete,
        record: primary,
    };
    sim.records(zone, &[delete], "").await.unwrap();
    assert_flagged(
        &snap(&sim).await,
        K::Dns,
        "api.flightdata.example.com.",
        Status::Critical,
        "no PRIMARY record",
    );
}

#[tokio::test]
async fn copies_skip_what_is_there_and_fill_a_lagging_replica() {
    let sim = sim(&[Fault::ReplicaLag]);
    let source = BucketRef::new(EAST, "flightdata-processed");
    let replica = BucketRef::new(WEST, "flightdata-processed-backup-us-west-2");
    let before = sim.count_objects(EAST, &source.bucket, None).await.unwrap();
    let behind = sim
        .count_objects(WEST, &replica.bucket, None)
        .await
        .unwrap();
    assert_eq!(behind.objects * 100, before.objects * 88);
    let report = sim.copy(&source, &replica, None).await.unwrap();
    assert_eq!(report.copied + report.skipped, before.objects);
    assert_eq!(report.skipped, behind.objects);
    assert_eq!(report.bytes, before.bytes - behind.bytes);
    let after = sim
        .count_objects(WEST, &replica.bucket, None)
        .await
        .unwrap();
    assert_eq!(after, before);
    let again = sim.copy(&source, &replica, None).await.unwrap();
    assert_eq!((again.copied, again.skipped), (0, before.objects));

    let err = sim
        .versioning(EAST, &source.bucket, false)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("InvalidBucketState"));
    let versions = sim
        .count_versions(EAST, &source.bucket, None)
        .await
        .unwrap();
    assert!(versions.versions > before.objects && versions.delete_markers > 0);
}

#[tokio::test]
async fn function_backups_are_dated_folders_of_config_and_code() {
    let sim = sim(&[]);
    let bucket = "flightdata-lambda-backups";
    let folders = sim
        .list_prefixes(EAST, bucket, "lambda-backups/")
        .await
        .unwrap();
    assert_eq!(
        folders,
        [
            "lambda-backups/20261122/",
            "lambda-backups/20261123/",
            "lambda-backups/20261124/"
        ]
    );
    let files = sim
        .list_objects(
            EAST,
            bucket,
            Some("lambda-backups/20261124/flightdata-api/"),
            None,
        )
        .await
        .unwrap();
    let keys: Vec<&str> = files.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "lambda-backups/20261124/flightdata-api/flightdata-api-code.zip",
            "lambda-backups/20261124/flightdata-api/flightdata-api-config.json"
        ]
    );
    assert_eq!(files[0].last_modified, Some(t0()));
    let f = sim.get_function(EAST, "flightdata-api").await.unwrap();
    assert_eq!(files[0].size, f.code_size as u64);
    assert_eq!(f.runtime.as_deref(), Some("python3.12"));
    assert_eq!(f.code_sha256.as_ref().map(String::len), Some(44));
}

#[tokio::test]
async fn missing_things_answer_with_aws_codes() {
    let sim = sim(&[]);
    let err = sim.describe_table(EAST, "nope").await.unwrap_err();
    assert_eq!(
        (err.code.as_deref(), err.message.as_str()),
        (
            Some("ResourceNotFoundException"),
            "Requested resource not found: Table: nope not found"
        )
    );
    assert!(err.is_not_found() && err.request_id.is_some());
    // A global table's replica answers in the backup region and names the primary...
    let replica = sim.describe_table(WEST, MAIN).await.unwrap();
    assert_eq!(
        replica.arn,
        format!("arn:aws:dynamodb:{WEST}:123456789012:table/{MAIN}")
    );
    assert_eq!(replica.replicas[0].region, EAST);
    // ...and without one, tables live in their region only.
    let single = super::sim(&[Fault::StaleExport]);
    let err = single.describe_table(WEST, MAIN).await.unwrap_err();
    assert!(err.is_not_found(), "tables live in their region");
    let err = sim.get_function(EAST, "nope").await.unwrap_err();
    assert_eq!(
        err.message,
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"
    );
    assert!(err.is_not_found());
    let err = sim.get_versioning(EAST, "nope").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("NoSuchBucket"));
    assert!(err.is_not_found());
    assert!(
        sim.head_bucket(EAST, "nope")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let err = sim
        .head_bucket(EAST, "flightdata-raw-backup-us-west-2")
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("PermanentRedirect"));
    let err = sim.list_record_sets("ZNOPE").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("NoSuchHostedZone"));
    let err = sim.health_check_status("nope").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("NoSuchHealthCheck"));
    let err = sim.get_change("CNOPE").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("NoSuchChange"));
    let err = sim.describe_backup(EAST, "arn:nope").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("BackupNotFoundException"));
    for err in [
        sim.describe_table(WEST, "x").await.unwrap_err(),
        sim.get_change("CNOPE").await.unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::NotFound);
    }
    let zones = sim.list_hosted_zones().await.unwrap();
    assert_eq!(zones.len(), 1);
    assert_eq!(
        (zones[0].id.as_str(), zones[0].name.as_str()),
        ("Z123456789", "flightdata.example.com.")
    );
    let buckets = sim.list_buckets().await.unwrap();
    // Three data buckets and their replicas, the export bucket, the function backups and
    // their copy in the backup region.
    assert_eq!(buckets.len(), 9, "{buckets:?}");
}

#[tokio::test]
async fn a_restored_table_keeps_its_shape_but_not_its_protection() {
    let sim = sim(&[]);
    let source = sim.describe_table_schema(EAST, MAIN).await.unwrap();
    assert!(source.pitr_enabled && !source.tags.is_empty());
    assert_eq!(source.key_schema[0].key_type, "HASH");
    let newest = sim.list_backups(EAST, Some(MAIN)).await.unwrap()[0].clone();
    let target = "flightdata-main-restored";
    sim.restore_backup(EAST, &newest.arn, target).await.unwrap();
    let restored = sim.describe_table_schema(EAST, target).await.unwrap();
    assert_eq!(restored.key_schema, source.key_schema);
    assert_eq!(restored.global_indexes, source.global_indexes);
    assert!(!restored.pitr_enabled);
    assert!(restored.tags.is_empty() && restored.ttl_attribute.is_none());
    assert_eq!(restored.stream_view_type, None);
}
