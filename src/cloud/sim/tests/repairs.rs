//! Each fault the recovery actions can repair, repaired by the write they send: the health
//! reads judge the resource ok again and the fault is over.

use chrono::Duration;

use super::*;
use crate::cloud::writes::ObjectBody;
use crate::cloud::{AlarmState, Functions, ReplicationConfig, Storage};
use crate::health::{Facts, ResourceKind as K};

const RAW: &str = "flightdata-raw";
const RAW_REPLICA: &str = "flightdata-raw-backup-us-west-2";

#[tokio::test]
async fn pitr_off_is_repaired_by_turning_pitr_on() {
    let sim = sim(&[Fault::PitrOff]);
    send(
        &sim,
        WriteRequest::UpdateContinuousBackups {
            region: EAST.into(),
            table: "flightdata-main".into(),
            pitr: true,
        },
    )
    .await
    .unwrap();
    assert_rest_ok(&snap(&sim).await, &[]);
    assert!(sim.faults().is_empty());
}

fn plan_rule(id: &str) -> ReplicationConfig {
    let mut config = super::super::seed::replication(RAW_REPLICA);
    config.rules[0].id = Some(id.into());
    config
}

#[tokio::test]
async fn replication_broken_is_repaired_by_a_new_rule_which_leaves_old_objects_behind() {
    let sim = sim(&[Fault::ReplicationBroken]);
    let source = sim.count_objects(EAST, RAW, None).await.unwrap().objects;
    let replica = sim
        .count_objects(WEST, RAW_REPLICA, None)
        .await
        .unwrap()
        .objects;
    let missed = source - replica;
    assert!(
        missed > 0,
        "objects written since the rule went missing are not in the replica"
    );

    send(
        &sim,
        WriteRequest::PutBucketReplication {
            region: EAST.into(),
            bucket: RAW.into(),
            configuration: plan_rule("drconsole-repair"),
        },
    )
    .await
    .unwrap();
    assert!(sim.faults().is_empty());
    let repaired = snap(&sim).await;
    assert_rest_ok(&repaired, &[]);
    // A new rule copies only new objects: what was missed stays missing, and shows.
    let Facts::Bucket(f) = &resource(&repaired, K::Bucket, RAW).facts else {
        panic!("bucket facts")
    };
    assert_eq!(
        (f.objects, f.replica_objects),
        (Some(source), Some(replica))
    );
    assert!(f.completeness_percent.unwrap() < 100.0, "{f:?}");
    assert_eq!(f.rule_id.as_deref(), Some("drconsole-repair"));
    // No latency was published before the rule existed.
    assert!(f.latency_series.is_empty(), "{:?}", f.latency_series);

    send(
        &sim,
        WriteRequest::PutObject {
            region: EAST.into(),
            bucket: RAW.into(),
            key: "incoming/2026/11/24/flight-after-repair.json".into(),
            body: ObjectBody::json(&serde_json::json!({"flight": "DR101"})),
        },
    )
    .await
    .unwrap();
    sim.clock().advance(Duration::minutes(11));
    let later = snap(&sim).await;
    assert_rest_ok(&later, &[]);
    let Facts::Bucket(f) = &resource(&later, K::Bucket, RAW).facts else {
        panic!("bucket facts")
    };
    assert_eq!(
        (f.objects, f.replica_objects),
        (Some(source + 1), Some(replica + 1)),
        "the new object was replicated, the missed ones were not"
    );
    assert_eq!(f.latency_series.len(), 2, "{:?}", f.latency_series);
    assert!(f.replication_latency_secs.is_some());
}

#[tokio::test]
async fn missing_lambda_backup_is_repaired_by_uploading_the_function_s_backup() {
    let sim = sim(&[Fault::MissingLambdaBackup]);
    let f = "flightdata-processor";
    let info = sim.get_function(EAST, f).await.unwrap();
    let code = sim
        .download_code(EAST, info.code_location.as_deref().unwrap())
        .await
        .unwrap();
    let folder = format!("lambda-backups/20261124/{f}/");
    for (key, body) in [
        (
            format!("{folder}{f}-config.json"),
            ObjectBody::json(&serde_json::to_value(&info).unwrap()),
        ),
        (
            format!("{folder}{f}-code.zip"),
            ObjectBody::bytes("application/zip", code),
        ),
    ] {
        // The plan keeps the backup in the primary region and a copy in the backup region.
        for (region, bucket) in [
            (EAST, "flightdata-lambda-backups"),
            (WEST, "flightdata-lambda-backups-us-west-2"),
        ] {
            let put = WriteRequest::PutObject {
                region: region.into(),
                bucket: bucket.into(),
                key: key.clone(),
                body: body.clone(),
            };
            send(&sim, put).await.unwrap();
        }
    }
    assert_rest_ok(&snap(&sim).await, &[]);
    assert!(sim.faults().is_empty());
    let listed = sim
        .list_objects(EAST, "flightdata-lambda-backups", Some(&folder), None)
        .await
        .unwrap();
    assert_eq!(listed[0].size as i64, info.code_size);
}

#[tokio::test]
async fn a_firing_alarm_is_repaired_by_setting_it_back_to_ok() {
    let sim = sim(&[Fault::Alarm]);
    send(
        &sim,
        WriteRequest::SetAlarmState {
            region: EAST.into(),
            alarm: "flightdata-api-errors".into(),
            state: AlarmState::Ok,
            reason: "Recovered after failover".into(),
        },
    )
    .await
    .unwrap();
    sim.clock().advance(Duration::hours(2));
    assert_rest_ok(&snap(&sim).await, &[]);
    assert!(sim.faults().is_empty());
}

#[tokio::test]
async fn stale_backups_are_repaired_by_a_backup_of_every_table() {
    let sim = sim(&[Fault::StaleBackup]);
    for table in ["flightdata-main", "flightdata-metrics"] {
        sim.backup(EAST, table, &format!("{table}-now"))
            .await
            .unwrap();
        assert_eq!(
            sim.faults(),
            [Fault::StaleBackup],
            "one table is still stale"
        );
    }
    sim.backup(EAST, "flightdata-config", "flightdata-config-now")
        .await
        .unwrap();
    assert_rest_ok(&snap(&sim).await, &[]);
    assert!(sim.faults().is_empty());
}

#[tokio::test]
async fn a_write_that_repairs_nothing_leaves_the_fault_on() {
    let sim = sim(&[Fault::PitrOff, Fault::RegionOutage]);
    let err = send(
        &sim,
        WriteRequest::UpdateContinuousBackups {
            region: EAST.into(),
            table: "flightdata-main".into(),
            pitr: true,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, crate::cloud::ErrorKind::Unreachable);
    sim.set_fault(Fault::RegionOutage, false);
    send(
        &sim,
        WriteRequest::UpdateContinuousBackups {
            region: EAST.into(),
            table: "flightdata-metrics".into(),
            pitr: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(sim.faults(), [Fault::PitrOff]);
}
