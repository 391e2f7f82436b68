//! Health of the plan's estate, over real HTTP against moto: `health::snapshot` on a healthy
//! estate and with one planted fault at a time, then `drconsole status` as a user runs it.
//!
//! moto models configuration, not time (README, "Testing"): backups are always created "now"
//! and PITR's latest restorable time is frozen when PITR was turned on, so stale
//! backups and a lagging restorable window cannot be produced here. Those rules (backup age,
//! latest restorable time beyond the RPO, function backups a day late) are covered with fixed
//! clocks by the unit tests in src/health/judge.rs and are not repeated here.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use assert_cmd::Command;
use common::recorder::Recorded;
use common::stacks::STACK;
use common::*;
use drconsole::cloud::aws::AwsOptions;
use drconsole::config::{Estate, Priority};
use drconsole::health::{
    Facts, HealthSnapshot, ResourceHealth, ResourceKind, ServiceHealth, Status, snapshot,
};
use serde_json::Value;

const EAST: &str = PRIMARY_REGION;
const WEST: &str = BACKUP_REGION;
const CONCURRENCY: usize = 16;

/// The services of the example estate, in its order, with priority, RTO and RPO in seconds.
const SERVICES: [(&str, Priority, u64, u64); 6] = [
    ("API Gateway + Lambda", Priority::P0, 3600, 900),
    ("Data Ingestion Pipeline", Priority::P0, 7200, 900),
    ("DynamoDB Tables", Priority::P1, 4 * 3600, 3600),
    ("S3 Data Storage", Priority::P1, 4 * 3600, 3600),
    ("Athena Analytics", Priority::P2, 8 * 3600, 4 * 3600),
    ("Monitoring/Alerting", Priority::P2, 6 * 3600, 3600),
];

// =============================================================================================
// Helpers
// =============================================================================================

/// A reset server with the plan's healthy estate, and the estate file that describes it.
async fn healthy_estate() -> (MotoEnv, Seeded, Estate) {
    let env = moto().await;
    let seeded = seed_plan_estate(&env).await;
    let estate = plan_estate(&seeded);
    (env, seeded, estate)
}

async fn take_snapshot(env: &MotoEnv, estate: &Estate) -> HealthSnapshot {
    snapshot(&env.cloud().await, estate, CONCURRENCY).await
}

/// UpdateContinuousBackups with PITR off.
async fn turn_off_pitr(env: &MotoEnv, table: &str) {
    use aws_sdk_dynamodb::types::PointInTimeRecoverySpecification;
    env.dynamodb(EAST)
        .await
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(false)
                .build()
                .expect("PITR specification"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateContinuousBackups {table} off: {e:?}"));
}

/// PutFunctionConcurrency 0: the function cannot run.
async fn stop_function(env: &MotoEnv, function: &str) {
    env.lambda(EAST)
        .await
        .put_function_concurrency()
        .function_name(function)
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutFunctionConcurrency {function} 0: {e:?}"));
}

/// Every resource on one line each, for failure messages.
fn listing(snap: &HealthSnapshot) -> String {
    snap.resources
        .iter()
        .map(|r| {
            format!(
                "  {:?} {} [{}] {:?} {:?} error={:?}",
                r.kind, r.name, r.region, r.status, r.reasons, r.error
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn resource<'a>(snap: &'a HealthSnapshot, kind: ResourceKind, name: &str) -> &'a ResourceHealth {
    let found: Vec<&ResourceHealth> = snap
        .resources
        .iter()
        .filter(|r| r.kind == kind && r.name == name)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one {kind:?} {name}; resources:\n{}",
        listing(snap)
    );
    found[0]
}

fn service<'a>(snap: &'a HealthSnapshot, name: &str) -> &'a ServiceHealth {
    snap.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}: {:#?}", snap.services))
}

fn names(snap: &HealthSnapshot, kind: ResourceKind) -> BTreeSet<String> {
    snap.resources
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| r.name.clone())
        .collect()
}

fn set<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> BTreeSet<String> {
    items.into_iter().map(|s| s.as_ref().to_owned()).collect()
}

/// Asserts the status of a resource, showing its reasons when it differs.
#[track_caller]
fn assert_status(snap: &HealthSnapshot, kind: ResourceKind, name: &str, status: Status) {
    let r = resource(snap, kind, name);
    assert_eq!(
        r.status, status,
        "{kind:?} {name}: reasons {:?}, error {:?}",
        r.reasons, r.error
    );
}

/// Asserts a resource has `status` and `reason` among its reasons (exact text).
#[track_caller]
fn assert_fault(
    snap: &HealthSnapshot,
    kind: ResourceKind,
    name: &str,
    status: Status,
    reason: &str,
) {
    assert_status(snap, kind, name, status);
    let r = resource(snap, kind, name);
    assert!(
        r.reasons.iter().any(|x| x == reason),
        "{kind:?} {name}: expected the reason {reason:?} among {:?}",
        r.reasons
    );
}

/// Every resource except `faulty` is Ok.
#[track_caller]
fn assert_others_ok(snap: &HealthSnapshot, faulty: &[(ResourceKind, &str)]) {
    let bad: Vec<&ResourceHealth> = snap
        .resources
        .iter()
        .filter(|r| !faulty.iter().any(|(k, n)| *k == r.kind && *n == r.name))
        .filter(|r| r.status != Status::Ok)
        .collect();
    assert!(
        bad.is_empty(),
        "resources other than {faulty:?} should be Ok; resources:\n{}",
        listing(snap)
    );
}

/// Every service except `faulty` is Ok.
#[track_caller]
fn assert_other_services_ok(snap: &HealthSnapshot, faulty: &[&str]) {
    for s in snap
        .services
        .iter()
        .filter(|s| !faulty.contains(&s.name.as_str()))
    {
        assert_eq!(s.status, Status::Ok, "service {}: {:?}", s.name, s.reasons);
    }
}

fn all_ok(snap: &HealthSnapshot) {
    assert_others_ok(snap, &[]);
    assert_other_services_ok(snap, &[]);
}

// =============================================================================================
// The snapshot: healthy
// =============================================================================================

#[tokio::test]
async fn healthy_estate_is_ok_everywhere() {
    let (env, seeded, estate) = healthy_estate().await;
    let snap = take_snapshot(&env, &estate).await;

    all_ok(&snap);
    assert_eq!(snap.overall(), Status::Ok);
    assert_eq!(snap.account.as_deref(), Some(ACCOUNT));
    assert_eq!(snap.estate, "Flight Data Pipeline");
    assert_eq!(
        (snap.primary_region.as_str(), snap.backup_region.as_str()),
        (EAST, WEST)
    );

    assert_eq!(names(&snap, ResourceKind::Table), set(TABLES));
    assert_eq!(names(&snap, ResourceKind::Bucket), set(DATA_BUCKETS));
    assert_eq!(
        names(&snap, ResourceKind::Replica),
        set(DATA_BUCKETS.map(replica_of))
    );
    // Picked up by the prefix "flightdata" and named in the file; `other-thing` is not ours.
    assert_eq!(names(&snap, ResourceKind::Function), set(FUNCTIONS));
    assert!(
        !snap.resources.iter().any(|r| r.name == UNRELATED_FUNCTION),
        "{UNRELATED_FUNCTION} is not part of the estate:\n{}",
        listing(&snap)
    );
    assert_eq!(names(&snap, ResourceKind::Dns), set([API_RECORD]));
    assert_eq!(names(&snap, ResourceKind::Alarm), set(ALARMS));
    assert_eq!(names(&snap, ResourceKind::Stack), set([STACK]));
    assert_eq!(
        snap.resources.len(),
        3 + 3 + 3 + 3 + 1 + 3 + 1,
        "{}",
        listing(&snap)
    );

    let services: Vec<(&str, Priority, u64, u64)> = snap
        .services
        .iter()
        .map(|s| (s.name.as_str(), s.priority, s.rto_secs, s.rpo_secs))
        .collect();
    assert_eq!(services, SERVICES);

    for r in &snap.resources {
        assert!(r.error.is_none(), "{:?} {}: {:?}", r.kind, r.name, r.error);
        assert!(
            r.reasons.is_empty(),
            "{:?} {}: {:?}",
            r.kind,
            r.name,
            r.reasons
        );
        let region = match r.kind {
            // The stack is the plan's standby capacity in the backup region.
            ResourceKind::Replica | ResourceKind::Stack => WEST,
            ResourceKind::Dns => "global",
            _ => EAST,
        };
        assert_eq!(r.region, region, "{:?} {}", r.kind, r.name);
    }

    // The facts behind the verdicts are the seeded ones.
    for ((table, items), (_, arn)) in TABLES.iter().zip(TABLE_ITEMS).zip(&seeded.backups) {
        let Facts::Table(f) = &resource(&snap, ResourceKind::Table, table).facts else {
            panic!("{table}: not table facts");
        };
        assert_eq!(f.exists, Some(true));
        assert_eq!(f.pitr_enabled, Some(true));
        assert_eq!(f.item_count, Some(items as i64));
        assert_eq!(f.backup_count, Some(1));
        let newest = f.newest_backup.as_ref().expect("a newest backup");
        assert_eq!(newest.name, format!("daily-backup-{table}"));
        assert_eq!(&newest.arn, arn);
    }
    for (bucket, objects) in DATA_BUCKETS.iter().zip(BUCKET_OBJECTS) {
        let Facts::Bucket(f) = &resource(&snap, ResourceKind::Bucket, bucket).facts else {
            panic!("{bucket}: not bucket facts");
        };
        assert_eq!(f.objects, Some(objects as u64));
        assert_eq!(f.replica_objects, Some(objects as u64));
        assert_eq!(f.completeness_percent, Some(100.0));
        assert_eq!(f.rule_enabled, Some(true));
        assert_eq!(f.rule_destination, Some(replica_of(bucket)));
    }
    for function in FUNCTIONS {
        let Facts::Function(f) = &resource(&snap, ResourceKind::Function, function).facts else {
            panic!("{function}: not function facts");
        };
        assert!(f.backup_has_code && f.backup_has_config, "{f:?}");
        let today = seeded.lambda_backup_dates.last().expect("today");
        assert_eq!(
            f.backup_location.as_deref(),
            Some(
                format!("s3://{LAMBDA_BACKUPS_BUCKET}/{LAMBDA_BACKUPS_PREFIX}{today}/{function}/")
                    .as_str()
            )
        );
        assert_eq!(f.ingestion, function == "flightdata-processor");
    }

    // Who depends on what, as the example's priority matrix says.
    let raw = resource(&snap, ResourceKind::Bucket, "flightdata-raw");
    assert_eq!(raw.service.as_deref(), Some("Data Ingestion Pipeline"));
    assert_eq!(raw.rpo_target_secs, Some(900));
    let analytics = resource(&snap, ResourceKind::Bucket, "flightdata-analytics");
    assert_eq!(analytics.services, ["S3 Data Storage", "Athena Analytics"]);
    assert_eq!(analytics.rpo_target_secs, Some(3600));
    let api_errors = resource(&snap, ResourceKind::Alarm, "flightdata-api-errors");
    assert_eq!(
        api_errors.services,
        ["API Gateway + Lambda", "Monitoring/Alerting"]
    );
}

// =============================================================================================
// The snapshot: one planted fault at a time
// =============================================================================================

#[tokio::test]
async fn pitr_off_is_critical_for_the_table() {
    let (env, _seeded, estate) = healthy_estate().await;
    turn_off_pitr(&env, "flightdata-main").await;

    let snap = take_snapshot(&env, &estate).await;
    let table = (ResourceKind::Table, "flightdata-main");
    assert_fault(
        &snap,
        table.0,
        table.1,
        Status::Critical,
        "point-in-time recovery is off: only on-demand backups can be restored",
    );
    let Facts::Table(f) = &resource(&snap, table.0, table.1).facts else {
        panic!("not table facts");
    };
    assert_eq!(f.pitr_enabled, Some(false));
    assert_others_ok(&snap, &[table]);
    assert_eq!(service(&snap, "DynamoDB Tables").status, Status::Critical);
    assert_other_services_ok(&snap, &["DynamoDB Tables"]);
}

#[tokio::test]
async fn no_replication_rule_is_critical_for_the_bucket() {
    let (env, _seeded, estate) = healthy_estate().await;
    env.s3(EAST)
        .await
        .delete_bucket_replication()
        .bucket("flightdata-processed")
        .send()
        .await
        .expect("DeleteBucketReplication");

    let snap = take_snapshot(&env, &estate).await;
    let bucket = (ResourceKind::Bucket, "flightdata-processed");
    assert_fault(
        &snap,
        bucket.0,
        bucket.1,
        Status::Critical,
        "no replication rule: nothing is copied to flightdata-processed-backup-us-west-2",
    );
    assert_others_ok(&snap, &[bucket]);
    assert_eq!(service(&snap, "S3 Data Storage").status, Status::Critical);
    assert_other_services_ok(&snap, &["S3 Data Storage"]);
}

/// moto never publishes S3 replication metrics, but it stores what is put: seed the
/// `ReplicationLatency` S3 would report with replication metrics on, and read it back through
/// the real GetMetricData path.
#[tokio::test]
async fn replication_latency_beyond_the_rpo_is_critical() {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    let (env, _seeded, estate) = healthy_estate().await;
    let now = chrono::Utc::now();
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    let data: Vec<MetricDatum> = [40, 25, 10]
        .iter()
        .zip([1800.0, 2700.0, 3600.0])
        .map(|(minutes_ago, latency)| {
            let at = now - chrono::Duration::minutes(*minutes_ago);
            MetricDatum::builder()
                .metric_name("ReplicationLatency")
                .dimensions(dimension("SourceBucket", "flightdata-raw"))
                .dimensions(dimension(
                    "DestinationBucket",
                    "flightdata-raw-backup-us-west-2",
                ))
                .dimensions(dimension("RuleId", "ReplicateEverything"))
                .timestamp(aws_smithy_types::DateTime::from_secs(at.timestamp()))
                .value(latency)
                .unit(StandardUnit::Seconds)
                .build()
        })
        .collect();
    env.cloudwatch(EAST)
        .await
        .put_metric_data()
        .namespace("AWS/S3")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("PutMetricData");

    let snap = take_snapshot(&env, &estate).await;
    let raw = resource(&snap, ResourceKind::Bucket, "flightdata-raw");
    let Facts::Bucket(facts) = &raw.facts else {
        panic!("bucket facts")
    };
    assert_eq!(
        facts.replication_latency_secs,
        Some(3600.0),
        "the newest point"
    );
    assert_eq!(
        facts.latency_series.len(),
        3,
        "the last hour, for the sparkline"
    );
    assert_eq!(raw.rpo_exposure_secs, Some(3600));
    // flightdata-raw feeds the Data Ingestion Pipeline, whose RPO is 15 minutes.
    assert_fault(
        &snap,
        ResourceKind::Bucket,
        "flightdata-raw",
        Status::Critical,
        "replication is 1h behind; RPO is 15m",
    );
    assert_eq!(
        service(&snap, "Data Ingestion Pipeline").rpo_met,
        Some(false)
    );
}

/// Infrastructure loss: a function the estate knows only by prefix, but which a service
/// depends on, is deleted. The prefix listing no longer returns it; it must still be checked.
#[tokio::test]
async fn a_deleted_function_a_service_names_is_critical_not_forgotten() {
    let env = moto().await;
    let seeded = seed_plan_estate(&env).await;
    let text = plan_estate_toml(&seeded).replace(
        "functions = [\"flightdata-api\", \"flightdata-processor\", \"flightdata-ingest\"]\n",
        "functions = []\n",
    );
    let estate = drconsole::config::parse(&text, std::path::Path::new("estate.toml")).unwrap();
    assert!(estate.lambda.functions.is_empty(), "known by prefix only");
    env.lambda(EAST)
        .await
        .delete_function()
        .function_name("flightdata-api")
        .send()
        .await
        .expect("DeleteFunction");

    let snap = take_snapshot(&env, &estate).await;
    assert_fault(
        &snap,
        ResourceKind::Function,
        "flightdata-api",
        Status::Critical,
        "function does not exist",
    );
    assert_eq!(
        service(&snap, "API Gateway + Lambda").status,
        Status::Critical
    );
}

#[tokio::test]
async fn replica_at_ninety_percent_warns() {
    let (env, _seeded, estate) = healthy_estate().await;
    // Seeded: 5 objects in each. Source 5 + 45 = 50, replica 5 + 40 = 45: 90%.
    let source = "flightdata-raw";
    let replica = replica_of(source);
    assert_eq!(BUCKET_OBJECTS[0], 5);
    put_objects(&env, EAST, source, data_objects(45)).await;
    put_objects(&env, WEST, &replica, data_objects(40)).await;

    let snap = take_snapshot(&env, &estate).await;
    let bucket = (ResourceKind::Bucket, source);
    assert_fault(
        &snap,
        bucket.0,
        bucket.1,
        Status::Warn,
        "replica holds 90.0% of the source's objects (45 of 50; threshold 95%)",
    );
    let Facts::Bucket(f) = &resource(&snap, bucket.0, bucket.1).facts else {
        panic!("not bucket facts");
    };
    assert_eq!((f.objects, f.replica_objects), (Some(50), Some(45)));
    assert_eq!(f.completeness_percent, Some(90.0));
    // The replica itself exists and is versioned: it is fine, only incomplete.
    assert_status(&snap, ResourceKind::Replica, &replica, Status::Ok);
    assert_others_ok(&snap, &[bucket]);
    assert_eq!(
        service(&snap, "Data Ingestion Pipeline").status,
        Status::Warn
    );
    assert_other_services_ok(&snap, &["Data Ingestion Pipeline"]);
}

#[tokio::test]
async fn a_function_found_by_prefix_without_a_backup_is_critical() {
    let (env, seeded, estate) = healthy_estate().await;
    create_function(&env, EAST, "flightdata-newfn", &seeded.lambda_role_arn).await;

    let snap = take_snapshot(&env, &estate).await;
    let function = (ResourceKind::Function, "flightdata-newfn");
    assert_fault(
        &snap,
        function.0,
        function.1,
        Status::Critical,
        "no backup found in s3://flightdata-lambda-backups",
    );
    let newfn = resource(&snap, function.0, function.1);
    assert!(newfn.services.is_empty(), "{:?}", newfn.services);
    assert_eq!(newfn.service, None);
    assert_eq!(
        names(&snap, ResourceKind::Function),
        set(FUNCTIONS.iter().chain(&["flightdata-newfn"]))
    );
    assert_others_ok(&snap, &[function]);
    // No service names it: the priority matrix is untouched.
    assert_other_services_ok(&snap, &[]);
}

#[tokio::test]
async fn an_alarm_in_alarm_is_critical_with_its_services() {
    let (env, _seeded, estate) = healthy_estate().await;
    let reason = "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)";
    set_alarm_state(&env, EAST, "flightdata-api-errors", true, reason).await;

    let snap = take_snapshot(&env, &estate).await;
    let alarm = (ResourceKind::Alarm, "flightdata-api-errors");
    assert_fault(
        &snap,
        alarm.0,
        alarm.1,
        Status::Critical,
        &format!("in ALARM: {reason}"),
    );
    assert_others_ok(&snap, &[alarm]);
    let affected = ["API Gateway + Lambda", "Monitoring/Alerting"];
    for name in affected {
        let s = service(&snap, name);
        assert_eq!(s.status, Status::Critical, "{name}");
        assert_eq!(
            s.reasons,
            [format!("alarm flightdata-api-errors: in ALARM: {reason}")]
        );
    }
    assert_other_services_ok(&snap, &affected);
}

#[tokio::test]
async fn a_missing_table_is_critical() {
    let (env, _seeded, estate) = healthy_estate().await;
    env.dynamodb(EAST)
        .await
        .delete_table()
        .table_name("flightdata-config")
        .send()
        .await
        .expect("DeleteTable");

    let snap = take_snapshot(&env, &estate).await;
    let table = (ResourceKind::Table, "flightdata-config");
    assert_status(&snap, table.0, table.1, Status::Critical);
    let r = resource(&snap, table.0, table.1);
    // ListBackups by name still finds its backups: the commander learns what to restore from.
    assert_eq!(r.reasons.len(), 1, "{:?}", r.reasons);
    assert!(
        r.reasons[0]
            .starts_with("table missing \u{2014} restorable from daily-backup-flightdata-config ("),
        "{:?}",
        r.reasons
    );
    assert_eq!(r.error, None, "not found is a fact, not a failed check");
    assert_others_ok(&snap, &[table]);
    assert_eq!(service(&snap, "DynamoDB Tables").status, Status::Critical);
    assert_other_services_ok(&snap, &["DynamoDB Tables"]);
}

#[tokio::test]
async fn reserved_concurrency_zero_on_ingestion_warns() {
    let (env, _seeded, estate) = healthy_estate().await;
    stop_function(&env, "flightdata-processor").await;

    let snap = take_snapshot(&env, &estate).await;
    let function = (ResourceKind::Function, "flightdata-processor");
    assert_fault(
        &snap,
        function.0,
        function.1,
        Status::Warn,
        "reserved concurrency is 0: ingestion is stopped",
    );
    let Facts::Function(f) = &resource(&snap, function.0, function.1).facts else {
        panic!("not function facts");
    };
    assert_eq!(f.reserved_concurrency, Some(0));
    assert_others_ok(&snap, &[function]);
    assert_eq!(
        service(&snap, "Data Ingestion Pipeline").status,
        Status::Warn
    );
    assert_other_services_ok(&snap, &["Data Ingestion Pipeline"]);
}

fn short_calls() -> AwsOptions {
    AwsOptions {
        call_timeout: Duration::from_secs(2),
        ..test_options()
    }
}

#[tokio::test]
async fn a_dead_backup_region_leaves_replicas_unknown_and_the_rest_reported() {
    let (env, _seeded, estate) = healthy_estate().await;
    let cloud = env
        .cloud_with(short_calls())
        .await
        .with_region_endpoint(WEST, &dead_endpoint());

    let snap = snapshot(&cloud, &estate, CONCURRENCY).await;
    for replica in DATA_BUCKETS.map(replica_of) {
        let r = resource(&snap, ResourceKind::Replica, &replica);
        assert_eq!(r.status, Status::Unknown, "{replica}: {:?}", r.reasons);
        assert!(
            r.reasons[0].starts_with("could not check:"),
            "{replica}: {:?}",
            r.reasons
        );
        assert!(r.error.is_some(), "{replica}");
        let Facts::Replica(f) = &r.facts else {
            panic!("not replica facts");
        };
        assert_eq!((f.exists, f.objects), (None, None), "{replica}");
    }
    // The primary region answered: its resources are judged on what it said. What would
    // survive its loss lives in the backup region and could not be read: tables and functions
    // are unknown for that, with their in-region facts intact.
    for table in TABLES {
        let r = resource(&snap, ResourceKind::Table, table);
        assert_eq!(r.status, Status::Unknown, "{table}: {:?}", r.reasons);
        assert!(
            r.reasons[0].starts_with("could not check: s3 HeadBucket"),
            "{table}: {:?}",
            r.reasons
        );
        assert!(r.rpo_exposure_secs.is_some(), "{table}: PITR was read");
        let loss = r.region_loss.as_ref().expect("a region-loss figure");
        assert!(loss.exposure_secs.is_none() && !loss.unbounded, "{loss:?}");
    }
    for function in FUNCTIONS {
        let r = resource(&snap, ResourceKind::Function, function);
        assert_eq!(r.status, Status::Unknown, "{function}: {:?}", r.reasons);
        let Facts::Function(f) = &r.facts else {
            panic!("not function facts");
        };
        assert!(
            f.backup_has_code,
            "{function}: the primary's backups were read"
        );
    }
    for (bucket, objects) in DATA_BUCKETS.iter().zip(BUCKET_OBJECTS) {
        let r = resource(&snap, ResourceKind::Bucket, bucket);
        assert!(r.error.is_none(), "{bucket}: {:?}", r.error);
        let Facts::Bucket(f) = &r.facts else {
            panic!("not bucket facts");
        };
        assert_eq!(f.exists, Some(true), "{bucket}");
        assert_eq!(f.objects, Some(objects as u64), "{bucket}");
        assert_eq!(f.rule_destination, Some(replica_of(bucket)), "{bucket}");
        // Without the replica's count there is no completeness to judge.
        assert_eq!((f.replica_objects, f.completeness_percent), (None, None));
    }
    let replicas = DATA_BUCKETS.map(replica_of);
    let mut unread: Vec<(ResourceKind, &str)> = replicas
        .iter()
        .map(|r| (ResourceKind::Replica, r.as_str()))
        .collect();
    unread.extend(TABLES.map(|t| (ResourceKind::Table, t)));
    unread.extend(FUNCTIONS.map(|f| (ResourceKind::Function, f)));
    unread.push((ResourceKind::Stack, STACK));
    assert_others_ok(&snap, &unread);
    assert_eq!(names(&snap, ResourceKind::Function), set(FUNCTIONS));
    assert_eq!(names(&snap, ResourceKind::Alarm), set(ALARMS));
    assert_eq!(snap.account.as_deref(), Some(ACCOUNT));
    // Every service with a bucket depends on a replica that could not be checked; every one
    // with a table or function, on a copy in the backup region.
    let unknown = [
        "API Gateway + Lambda",
        "Data Ingestion Pipeline",
        "DynamoDB Tables",
        "S3 Data Storage",
        "Athena Analytics",
    ];
    for name in unknown {
        assert_eq!(service(&snap, name).status, Status::Unknown, "{name}");
    }
    assert_other_services_ok(&snap, &unknown);
    assert_eq!(snap.overall(), Status::Unknown);
}

#[tokio::test]
async fn a_dead_primary_region_leaves_its_resources_unknown_and_replicas_reported() {
    let (env, _seeded, estate) = healthy_estate().await;
    let cloud = env
        .cloud_with(short_calls())
        .await
        .with_region_endpoint(EAST, &dead_endpoint());

    let snap = snapshot(&cloud, &estate, CONCURRENCY).await;
    for (bucket, objects) in DATA_BUCKETS.iter().zip(BUCKET_OBJECTS) {
        let replica = replica_of(bucket);
        let r = resource(&snap, ResourceKind::Replica, &replica);
        assert_eq!(
            r.status,
            Status::Ok,
            "{replica}: {:?} {:?}",
            r.reasons,
            r.error
        );
        let Facts::Replica(f) = &r.facts else {
            panic!("not replica facts");
        };
        assert_eq!(f.exists, Some(true), "{replica}");
        assert_eq!(f.objects, Some(objects as u64), "{replica}");
    }
    // Everything of the primary region could not be checked, and says so; nothing is judged
    // on facts that were never read.
    let primary: Vec<&ResourceHealth> =
        snap.resources.iter().filter(|r| r.region == EAST).collect();
    assert!(!primary.is_empty());
    for r in &primary {
        assert_eq!(
            r.status,
            Status::Unknown,
            "{:?} {}: {:?}",
            r.kind,
            r.name,
            r.reasons
        );
        assert!(
            r.reasons[0].starts_with("could not check:"),
            "{:?}",
            r.reasons
        );
        assert!(r.error.is_some(), "{:?} {}", r.kind, r.name);
    }
    let primary_kinds: BTreeSet<ResourceKind> = primary.iter().map(|r| r.kind).collect();
    assert_eq!(
        primary_kinds,
        BTreeSet::from([
            ResourceKind::Table,
            ResourceKind::Bucket,
            ResourceKind::Function,
            ResourceKind::Alarm,
        ])
    );
    for table in TABLES {
        assert_status(&snap, ResourceKind::Table, table, Status::Unknown);
    }
    // Route53's API lives in us-east-1: rehearsing that region's outage takes it down too,
    // and its records are unknown, never guessed. STS answers through the backup region.
    let dns = resource(&snap, ResourceKind::Dns, API_RECORD);
    assert_eq!(dns.status, Status::Unknown, "{:?}", dns.reasons);
    assert!(
        dns.reasons[0].starts_with("could not check: route53 ListResourceRecordSets"),
        "{:?}",
        dns.reasons
    );
    assert_eq!(snap.account.as_deref(), Some(ACCOUNT));
    assert_eq!(snap.overall(), Status::Unknown);

    // What would survive the primary region is read through the backup region: the same
    // snapshot still has the region-loss figures.
    for table in TABLES {
        let r = resource(&snap, ResourceKind::Table, table);
        assert_eq!(r.status, Status::Unknown, "{table}: {:?}", r.reasons);
        let loss = r.region_loss.as_ref().expect("read through us-west-2");
        assert!(
            loss.exposure_secs.is_some_and(|e| e < 600) && !loss.unbounded,
            "{table}: {loss:?}"
        );
        assert_eq!(r.rpo_exposure_secs, None, "PITR could not be read");
    }
    for function in FUNCTIONS {
        let r = resource(&snap, ResourceKind::Function, function);
        let loss = r.region_loss.as_ref().expect("read through us-west-2");
        // Whether the function changed since cannot be read: the copy's age is the bound.
        assert!(loss.exposure_secs.is_some_and(|e| e < 600), "{loss:?}");
    }
    let tables = service(&snap, "DynamoDB Tables");
    assert_eq!(tables.status, Status::Unknown);
    assert_eq!(tables.region_loss_rpo_met, Some(true));
}

// =============================================================================================
// The binary, as a user runs it
// =============================================================================================

fn drconsole(env: &MotoEnv) -> Command {
    env.drconsole()
}

fn estate_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .prefix("estate-")
        .suffix(".toml")
        .tempfile()
        .expect("a temporary estate file");
    file.write_all(text.as_bytes()).expect("write the estate");
    file.flush().expect("flush the estate");
    file
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run drconsole");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn status_run(env: &MotoEnv, estate: &tempfile::NamedTempFile, json: bool) -> Run {
    let mut cmd = drconsole(env);
    cmd.arg("status").arg("--config").arg(estate.path());
    if json {
        cmd.arg("--json");
    }
    run(&mut cmd)
}

#[track_caller]
fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code,
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

fn parse_json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
}

#[track_caller]
fn rfc3339(v: &Value, what: &str) {
    let text = v
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"));
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{what} {text:?} is not RFC 3339: {e}"));
}

fn json_resource<'a>(doc: &'a Value, kind: &str, name: &str) -> &'a Value {
    let found: Vec<&Value> = doc["resources"]
        .as_array()
        .expect("resources[]")
        .iter()
        .filter(|r| r["kind"] == kind && r["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "one {kind} {name} in {doc:#}");
    found[0]
}

#[tokio::test]
async fn status_json_on_the_healthy_estate() {
    let (env, seeded, _estate) = healthy_estate().await;
    let file = estate_file(&plan_estate_toml(&seeded));
    let out = status_run(&env, &file, true);
    assert_code(&out, 0);
    let doc = parse_json(&out);

    rfc3339(&doc["generated_at"], "generated_at");
    assert_eq!(doc["estate"], "Flight Data Pipeline");
    assert_eq!(doc["account"], ACCOUNT);
    assert_eq!(doc["primary_region"], EAST);
    assert_eq!(doc["backup_region"], WEST);

    let services = doc["services"].as_array().expect("services[]");
    assert_eq!(services.len(), SERVICES.len());
    for (s, (name, priority, rto, rpo)) in services.iter().zip(SERVICES) {
        assert_eq!(s["name"], name);
        assert_eq!(s["priority"], format!("{priority:?}"));
        assert_eq!(s["rto_secs"], rto, "{name}");
        assert_eq!(s["rpo_secs"], rpo, "{name}");
        assert_eq!(s["status"], "ok", "{name}: {s}");
        assert_eq!(s["reasons"], Value::Array(vec![]), "{name}");
        assert!(
            !s["resources"].as_array().expect("resources").is_empty(),
            "{name}"
        );
        // Exposure is measured where PITR or replication metrics tell it.
        assert!(s["worst_exposure_secs"].is_u64() || s["worst_exposure_secs"].is_null());
        assert!(
            s["rpo_met"].is_boolean() || s["rpo_met"].is_null(),
            "{name}"
        );
    }
    let tables = &services[2];
    assert_eq!(tables["name"], "DynamoDB Tables");
    assert_eq!(tables["rpo_met"], true, "PITR keeps the tables within RPO");
    assert!(tables["worst_exposure_secs"].is_u64());
    // Resources are sorted by kind (tables before alarms), then name.
    assert_eq!(
        tables["resources"],
        serde_json::json!([
            "table:flightdata-config",
            "table:flightdata-main",
            "table:flightdata-metrics",
            "alarm:flightdata-dynamodb-throttles"
        ])
    );

    let resources = doc["resources"].as_array().expect("resources[]");
    // And the backup region's stack.
    assert_eq!(resources.len(), 17);
    for r in resources {
        let what = format!("{} {}", r["kind"], r["name"]);
        for key in [
            "kind",
            "name",
            "region",
            "service",
            "services",
            "status",
            "reasons",
            "facts",
            "rpo_exposure_secs",
            "rpo_target_secs",
            "error",
            "fetched_at",
        ] {
            assert!(r.get(key).is_some(), "{what}: no {key} in {r:#}");
        }
        assert_eq!(r["status"], "ok", "{what}: {r:#}");
        assert_eq!(r["reasons"], Value::Array(vec![]), "{what}");
        assert!(r["services"].is_array(), "{what}");
        assert!(r["facts"].is_object(), "{what}");
        assert!(r["error"].is_null(), "{what}");
        rfc3339(&r["fetched_at"], &format!("{what} fetched_at"));
    }

    let main = json_resource(&doc, "table", "flightdata-main");
    assert_eq!(main["region"], EAST);
    assert_eq!(main["service"], "DynamoDB Tables");
    assert_eq!(main["services"], serde_json::json!(["DynamoDB Tables"]));
    assert_eq!(main["rpo_target_secs"], 3600);
    assert!(main["rpo_exposure_secs"].is_u64(), "{main:#}");
    let facts = &main["facts"];
    assert_eq!(facts["exists"], true);
    assert_eq!(facts["pitr_enabled"], true);
    assert_eq!(facts["item_count"], TABLE_ITEMS[0]);
    assert_eq!(facts["backup_count"], 1);
    assert_eq!(
        facts["newest_backup"]["name"],
        "daily-backup-flightdata-main"
    );
    assert_eq!(facts["newest_backup"]["arn"], seeded.backups[0].1.as_str());
    assert_eq!(facts["newest_backup"]["status"], "AVAILABLE");
    rfc3339(&facts["newest_backup"]["created"], "newest_backup.created");
    assert_eq!(facts["backup_every_secs"], 86_400);

    let raw = json_resource(&doc, "bucket", "flightdata-raw");
    assert_eq!(raw["region"], EAST);
    assert_eq!(raw["service"], "Data Ingestion Pipeline");
    assert_eq!(raw["rpo_target_secs"], 900);
    let facts = &raw["facts"];
    assert_eq!(facts["exists"], true);
    assert_eq!(facts["versioning"], "Enabled");
    assert_eq!(facts["objects"], BUCKET_OBJECTS[0]);
    assert_eq!(facts["replica_objects"], BUCKET_OBJECTS[0]);
    assert_eq!(facts["completeness_percent"], 100.0);
    assert_eq!(facts["threshold_percent"], 95.0);
    assert_eq!(facts["rule_enabled"], true);
    assert_eq!(facts["rule_destination"], "flightdata-raw-backup-us-west-2");
    assert_eq!(facts["replica"], "flightdata-raw-backup-us-west-2");

    let replica = json_resource(&doc, "replica", "flightdata-raw-backup-us-west-2");
    assert_eq!(replica["region"], WEST);
    assert_eq!(replica["service"], "Data Ingestion Pipeline");
    assert_eq!(replica["facts"]["source"], "flightdata-raw");
    assert_eq!(replica["facts"]["exists"], true);
    assert_eq!(replica["facts"]["versioning"], "Enabled");
    assert_eq!(replica["facts"]["objects"], BUCKET_OBJECTS[0]);

    let processor = json_resource(&doc, "function", "flightdata-processor");
    assert_eq!(processor["service"], "Data Ingestion Pipeline");
    let facts = &processor["facts"];
    assert_eq!(facts["exists"], true);
    assert_eq!(facts["ingestion"], true);
    assert_eq!(facts["runtime"], "python3.12");
    assert_eq!(facts["backup_has_config"], true);
    assert_eq!(facts["backup_has_code"], true);
    let today = seeded.lambda_backup_dates.last().expect("today");
    assert_eq!(
        facts["backup_location"],
        format!(
            "s3://{LAMBDA_BACKUPS_BUCKET}/{LAMBDA_BACKUPS_PREFIX}{today}/flightdata-processor/"
        )
    );
    rfc3339(&facts["backup_time"], "backup_time");

    let dns = json_resource(&doc, "dns", API_RECORD);
    assert_eq!(dns["region"], "global");
    assert_eq!(dns["service"], "API Gateway + Lambda");
    let facts = &dns["facts"];
    assert_eq!(facts["zone_id"], seeded.zone_id.as_str());
    assert_eq!(facts["record_type"], "A");
    assert_eq!(facts["has_primary"], true);
    assert_eq!(facts["has_secondary"], true);
    assert_eq!(facts["primary_values"], serde_json::json!([PRIMARY_IP]));
    assert_eq!(facts["secondary_values"], serde_json::json!([SECONDARY_IP]));
    assert_eq!(facts["health_check_id"], seeded.health_check_id.as_str());
    assert_eq!(facts["primary_healthy"], true);

    let alarm = json_resource(&doc, "alarm", "flightdata-ingestion-lag");
    assert_eq!(alarm["region"], EAST);
    assert_eq!(
        alarm["services"],
        serde_json::json!(["Data Ingestion Pipeline", "Monitoring/Alerting"])
    );
    assert_eq!(alarm["facts"]["exists"], true);
    assert_eq!(alarm["facts"]["state"], "OK", "AWS's spelling");
}

#[tokio::test]
async fn status_table_on_the_healthy_estate() {
    let (env, seeded, _estate) = healthy_estate().await;
    let file = estate_file(&plan_estate_toml(&seeded));
    let out = status_run(&env, &file, false);
    assert_code(&out, 0);
    let header = out.stdout.lines().next().expect("a header line");
    assert!(header.starts_with("Flight Data Pipeline"), "{header}");
    assert!(header.contains("account 123456789012"), "{header}");
    assert!(header.contains("us-east-1 -> us-west-2"), "{header}");
    for (name, ..) in SERVICES {
        assert!(
            out.stdout.contains(name),
            "no service {name}:\n{}",
            out.stdout
        );
    }
    let resources = TABLES
        .iter()
        .chain(&DATA_BUCKETS)
        .map(|s| s.to_string())
        .chain(DATA_BUCKETS.map(replica_of))
        .chain(FUNCTIONS.map(str::to_owned))
        .chain([API_RECORD.to_owned()])
        .chain(ALARMS.map(str::to_owned));
    for name in resources {
        assert!(out.stdout.contains(&name), "no {name}:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("CRIT"), "{}", out.stdout);
    assert!(!out.stdout.contains(UNRELATED_FUNCTION), "{}", out.stdout);
}

#[tokio::test]
async fn status_table_with_pitr_off_shows_crit_and_why_and_exits_2() {
    let (env, seeded, _estate) = healthy_estate().await;
    turn_off_pitr(&env, "flightdata-main").await;
    let file = estate_file(&plan_estate_toml(&seeded));

    let out = status_run(&env, &file, false);
    assert_code(&out, 2);
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("CRIT") && l.contains("flightdata-main"))
        .unwrap_or_else(|| panic!("no CRIT line for flightdata-main:\n{}", out.stdout));
    assert!(
        line.contains("point-in-time recovery is off: only on-demand backups can be restored"),
        "{line}"
    );

    let out = status_run(&env, &file, true);
    assert_code(&out, 2);
    let doc = parse_json(&out);
    let main = json_resource(&doc, "table", "flightdata-main");
    assert_eq!(main["status"], "critical");
    assert_eq!(main["facts"]["pitr_enabled"], false);
}

#[tokio::test]
async fn status_exits_1_when_the_worst_is_a_warning() {
    let (env, seeded, _estate) = healthy_estate().await;
    stop_function(&env, "flightdata-processor").await;
    let file = estate_file(&plan_estate_toml(&seeded));

    let out = status_run(&env, &file, true);
    assert_code(&out, 1);
    let doc = parse_json(&out);
    let processor = json_resource(&doc, "function", "flightdata-processor");
    assert_eq!(processor["status"], "warn");
    assert_eq!(
        processor["reasons"],
        serde_json::json!(["reserved concurrency is 0: ingestion is stopped"])
    );
    assert_eq!(processor["facts"]["reserved_concurrency"], 0);
}

/// The binary has no per-region endpoint override, but the SDK's per-service one gives an
/// outage of one service: CloudWatch down leaves the alarms and the buckets' replication
/// metrics unknown and nothing critical.
#[tokio::test]
async fn status_exits_2_when_something_could_not_be_checked() {
    let (env, seeded, _estate) = healthy_estate().await;
    let file = estate_file(
        &plan_estate_toml(&seeded).replace("call_timeout = \"20s\"", "call_timeout = \"2s\""),
    );
    let mut cmd = drconsole(&env);
    cmd.env("AWS_ENDPOINT_URL_CLOUDWATCH", dead_endpoint())
        .args(["status", "--json", "--config"])
        .arg(file.path());
    let out = run(&mut cmd);
    assert_code(&out, 2);
    let doc = parse_json(&out);
    assert_eq!(doc["account"], ACCOUNT);
    for r in doc["resources"].as_array().expect("resources[]") {
        // A bucket's replication metrics come from CloudWatch too: a failed read is unknown,
        // not "no metrics".
        let expected = if r["kind"] == "alarm" || r["kind"] == "bucket" {
            "unknown"
        } else {
            "ok"
        };
        assert_eq!(r["status"], expected, "{r:#}");
    }
    for (kind, name) in ALARMS
        .iter()
        .map(|a| ("alarm", *a))
        .chain(DATA_BUCKETS.iter().map(|b| ("bucket", *b)))
    {
        let r = json_resource(&doc, kind, name);
        let reason = r["reasons"][0].as_str().expect("a reason");
        assert!(
            reason.starts_with("could not check: cloudwatch"),
            "{reason}"
        );
        assert!(r["error"].is_string(), "{r:#}");
    }
    for bucket in DATA_BUCKETS {
        let facts = &json_resource(&doc, "bucket", bucket)["facts"];
        assert!(facts["metrics_error"].is_string(), "{facts:#}");
        assert!(facts["replication_latency_secs"].is_null(), "{facts:#}");
        // The counts did not need CloudWatch: listing told them.
        assert_eq!(facts["count"]["source"], "listed", "{facts:#}");
    }
}

#[tokio::test]
async fn status_exits_3_on_a_bad_estate_file() {
    let env = moto().await;
    let text = plan_estate_toml(&seed_nothing())
        .replace("max_concurrency = 16", "max_concurrency = 16\nretries = 3");
    let line = text
        .lines()
        .position(|l| l == "retries = 3")
        .expect("the planted line")
        + 1;
    let file = estate_file(&text);
    let out = status_run(&env, &file, false);
    assert_code(&out, 3);
    let location = format!("error: {}:{line}:1: ", file.path().display());
    assert!(
        out.stderr.starts_with(&location),
        "expected {location:?} at the start of:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("retries"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

/// `plan_estate_toml` needs only the zone id; a file that never reaches AWS needs no seeding.
fn seed_nothing() -> Seeded {
    Seeded {
        backups: Vec::new(),
        lambda_role_arn: String::new(),
        lambda_backup_dates: Vec::new(),
        zone_id: "ZNOTSEEDED".to_owned(),
        health_check_id: String::new(),
    }
}

#[tokio::test]
async fn status_exits_4_when_aws_cannot_be_reached() {
    let env = moto().await;
    // A refused connection fails at once, but the SDK's retries back off for up to ~3 s:
    // a limit above that lets the refusal, not the clock, end the call on a busy machine.
    let text = plan_estate_toml(&seed_nothing())
        .replace("call_timeout = \"20s\"", "call_timeout = \"10s\"");
    assert!(text.contains("call_timeout = \"10s\""));
    let file = estate_file(&text);
    let mut cmd = drconsole(&env);
    cmd.env("AWS_ENDPOINT_URL", dead_endpoint())
        .args(["status", "--config"])
        .arg(file.path());
    let out = run(&mut cmd);
    assert_code(&out, 4);
    // One prefix, the service's own words, then what to do about it.
    assert!(
        out.stderr.starts_with(
            "error: no resource could be checked; sts GetCallerIdentity: could not reach the endpoint"
        ),
        "stderr:\n{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("\n  the endpoint could not be reached: check the network"),
        "stderr:\n{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

// =============================================================================================
// What was really read, and what survives the primary region
// =============================================================================================

fn table_facts<'a>(snap: &'a HealthSnapshot, table: &str) -> &'a drconsole::health::TableFacts {
    match &resource(snap, ResourceKind::Table, table).facts {
        Facts::Table(f) => f,
        _ => panic!("{table}: not table facts"),
    }
}

/// moto answers every `BackupType` with USER backups, so only the request can show it.
#[tokio::test]
async fn the_table_probe_asks_for_backups_of_every_type() {
    let (env, _seeded, estate) = healthy_estate().await;
    env.start_recording();
    let snap = take_snapshot(&env, &estate).await;
    let sent = env.stop_recording();
    all_ok(&snap);
    let list_backups: Vec<&Recorded> = sent
        .iter()
        .filter(|r| r.operation() == "ListBackups")
        .collect();
    assert_eq!(list_backups.len(), TABLES.len(), "{sent:?}");
    for r in list_backups {
        let body: Value = serde_json::from_str(&r.body).expect("a JSON body");
        assert_eq!(body["BackupType"], "ALL", "{body}");
        assert!(body["TableName"].is_string(), "{body}");
        assert_eq!(r.region.as_deref(), Some(EAST));
    }
}

#[tokio::test]
async fn the_region_loss_figure_is_the_export_in_the_backup_region() {
    let (env, _seeded, estate) = healthy_estate().await;
    env.start_recording();
    let snap = take_snapshot(&env, &estate).await;
    let sent = env.stop_recording();
    all_ok(&snap);
    let day = chrono::Utc::now().format("%Y/%m/%d").to_string();
    for table in TABLES {
        let r = resource(&snap, ResourceKind::Table, table);
        let loss = r.region_loss.as_ref().expect("a region-loss figure");
        let copy = loss.copy.as_deref().unwrap_or_default();
        assert!(
            copy.starts_with(&format!(
                "export s3://{BACKUPS_BUCKET}/dynamodb-exports/{table}/{day}/AWSDynamoDB/"
            )) && copy.ends_with("(us-west-2)"),
            "{loss:?}"
        );
        // moto stamps objects "now": the export is seconds old.
        assert!(loss.exposure_secs.is_some_and(|e| e < 600), "{loss:?}");
        let f = table_facts(&snap, table);
        assert_eq!(f.outside.export_region.as_deref(), Some(WEST));
        assert_eq!(f.outside.replica_status, None, "moto has no global tables");
    }
    let tables = service(&snap, "DynamoDB Tables");
    assert_eq!(tables.region_loss_rpo_met, Some(true));
    assert!(!tables.region_loss_unbounded);
    // The bucket's region is asked at the backup region's endpoint, and the exports are
    // listed there, never through the primary region.
    let exports: Vec<&Recorded> = sent
        .iter()
        .filter(|r| r.path().contains(BACKUPS_BUCKET))
        .collect();
    assert!(!exports.is_empty());
    assert!(
        exports.iter().all(|r| r.region.as_deref() == Some(WEST)),
        "{exports:?}"
    );
    // Functions: the copy bucket in the backup region holds today's backups.
    for function in FUNCTIONS {
        let r = resource(&snap, ResourceKind::Function, function);
        let loss = r.region_loss.as_ref().expect("a region-loss figure");
        assert_eq!(loss.exposure_secs, Some(0), "{function}: {loss:?}");
        assert!(
            loss.copy
                .as_deref()
                .is_some_and(|c| c.starts_with(&format!("s3://{LAMBDA_COPY_BUCKET}/"))),
            "{loss:?}"
        );
    }
}

#[tokio::test]
async fn an_export_bucket_in_the_primary_region_is_no_copy() {
    let (env, _seeded, mut estate) = healthy_estate().await;
    let east_exports = "flightdata-exports-east";
    create_bucket(&env, EAST, east_exports).await;
    put_objects(
        &env,
        EAST,
        east_exports,
        TABLES
            .iter()
            .map(|t| {
                (
                    format!("dynamodb-exports/{t}/2026/11/20/AWSDynamoDB/01/data/01.gz"),
                    b"{}".to_vec(),
                )
            })
            .collect(),
    )
    .await;
    estate.dynamodb.export_bucket = Some(east_exports.to_owned());
    let snap = take_snapshot(&env, &estate).await;
    for table in TABLES {
        let r = resource(&snap, ResourceKind::Table, table);
        assert_eq!(r.status, Status::Critical, "{table}: {:?}", r.reasons);
        assert_eq!(
            r.reasons,
            [format!(
                "no copy outside us-east-1: losing the region loses the table (no global-table \
                 replica in us-west-2; export bucket {east_exports} is in us-east-1 too, so its \
                 exports die with it)"
            )]
        );
        assert!(r.region_loss.as_ref().is_some_and(|l| l.unbounded));
        // In-region, PITR still meets the RPO.
        assert!(r.rpo_exposure_secs.is_some_and(|e| e <= 3600));
    }
    let tables = service(&snap, "DynamoDB Tables");
    assert_eq!(
        (
            tables.rpo_met,
            tables.region_loss_rpo_met,
            tables.region_loss_unbounded
        ),
        (Some(true), Some(false), true)
    );
}

#[tokio::test]
async fn function_backups_only_in_the_primary_region_warn() {
    let (env, _seeded, mut estate) = healthy_estate().await;
    estate.lambda.backup_copy_bucket = None;
    let snap = take_snapshot(&env, &estate).await;
    for function in FUNCTIONS {
        let r = resource(&snap, ResourceKind::Function, function);
        assert_eq!(r.status, Status::Warn, "{function}: {:?}", r.reasons);
        assert_eq!(
            r.reasons,
            [format!(
                "no backup outside us-east-1: if the region is lost it must be rebuilt \
                 ({LAMBDA_BACKUPS_BUCKET} is in us-east-1 too; name a copy in the backup region \
                 ([lambda].backup_copy_bucket))"
            )]
        );
        assert!(r.region_loss.as_ref().is_some_and(|l| l.unbounded));
    }
}

/// moto keeps Disabled and Inverted, and still reports every checker as succeeding.
#[tokio::test]
async fn a_disabled_or_inverted_health_check_is_a_warning_in_itself() {
    let (env, seeded, estate) = healthy_estate().await;
    let route53 = env.route53().await;
    route53
        .update_health_check()
        .health_check_id(&seeded.health_check_id)
        .inverted(true)
        .send()
        .await
        .expect("UpdateHealthCheck");
    let snap = take_snapshot(&env, &estate).await;
    let r = resource(&snap, ResourceKind::Dns, API_RECORD);
    let Facts::Dns(f) = &r.facts else {
        panic!("not DNS facts");
    };
    // Inverted, a succeeding endpoint counts as failing: Route53 moves to the SECONDARY.
    assert_eq!(f.primary_healthy, Some(false));
    assert_eq!(f.serving, Some(drconsole::cloud::Failover::Secondary));
    assert_eq!(r.status, Status::Warn);
    assert_eq!(
        r.reasons,
        [
            "PRIMARY is failing its health check: Route53 answers with SECONDARY".to_owned(),
            format!(
                "PRIMARY's health check {} is inverted: Route53 takes a failing endpoint as \
                 healthy and a healthy one as failing",
                seeded.health_check_id
            ),
        ]
    );

    route53
        .update_health_check()
        .health_check_id(&seeded.health_check_id)
        .inverted(false)
        .disabled(true)
        .send()
        .await
        .expect("UpdateHealthCheck");
    let snap = take_snapshot(&env, &estate).await;
    let r = resource(&snap, ResourceKind::Dns, API_RECORD);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(
        r.reasons,
        [format!(
            "PRIMARY's health check {} is disabled: Route53 takes it as healthy whatever the \
             endpoint does",
            seeded.health_check_id
        )]
    );
}

#[tokio::test]
async fn status_json_carries_both_exposures() {
    let (env, seeded, _estate) = healthy_estate().await;
    let file = estate_file(&plan_estate_toml(&seeded));
    let out = status_run(&env, &file, true);
    assert_code(&out, 0);
    let doc = parse_json(&out);
    let main = json_resource(&doc, "table", "flightdata-main");
    assert!(main["rpo_exposure_secs"].is_u64(), "{main:#}");
    assert!(main["region_loss"]["exposure_secs"].is_u64(), "{main:#}");
    assert_eq!(main["region_loss"]["unbounded"], false);
    assert!(
        main["region_loss"]["copy"]
            .as_str()
            .is_some_and(|c| c.contains(BACKUPS_BUCKET)),
        "{main:#}"
    );
    assert_eq!(main["facts"]["outside"]["export_region"], WEST);
    let tables = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "DynamoDB Tables")
        .unwrap();
    assert_eq!(tables["rpo_met"], true);
    assert_eq!(tables["region_loss_rpo_met"], true);
    assert!(tables["worst_region_loss_secs"].is_u64());

    let out = status_run(&env, &file, false);
    assert_code(&out, 0);
    assert!(
        out.stdout.contains("RPO IF us-east-1 IS LOST"),
        "{}",
        out.stdout
    );
}

#[tokio::test]
async fn a_missing_export_bucket_is_a_fact_not_a_failed_check() {
    let (env, _seeded, mut estate) = healthy_estate().await;
    estate.dynamodb.export_bucket = Some("flightdata-no-such-exports".to_owned());
    let snap = take_snapshot(&env, &estate).await;
    for table in TABLES {
        let r = resource(&snap, ResourceKind::Table, table);
        assert_eq!(r.status, Status::Critical, "{table}: {:?}", r.reasons);
        assert_eq!(r.error, None);
        assert!(
            r.reasons[0].ends_with("export bucket flightdata-no-such-exports does not exist)"),
            "{:?}",
            r.reasons
        );
        assert!(r.region_loss.as_ref().is_some_and(|l| l.unbounded));
    }
}
