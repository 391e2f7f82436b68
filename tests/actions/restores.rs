//! The restore actions against moto through the executor: the new table exists with the
//! source's items and is protected as the source was; a second run sends no write; the
//! chosen backup and point in time are what was sent (moto's recorder, since moto restores
//! the current items whatever the time).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use drconsole::action::{ActionError, Executor, ExecutorOptions, Status};
use drconsole::cloud::{Backups, Cloud};

use crate::common::{self, MotoEnv, PRIMARY_REGION as EAST, recorder::Recorded};
use crate::helpers::*;

const SOURCE: &str = "flightdata-main";

async fn executor(env: &MotoEnv, dir: &std::path::Path) -> Executor {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let options = ExecutorOptions {
        poll_every: Some(Duration::from_millis(50)),
        ..in_account()
    };
    executor_in(cloud, &example_estate(), dir, options)
}

/// The source as the plan has it: items, PITR, TTL and tags.
async fn protected_source(env: &MotoEnv, items: usize) {
    use aws_sdk_dynamodb::types::{Tag, TimeToLiveSpecification};
    common::create_table(env, EAST, SOURCE).await;
    common::put_items(env, EAST, SOURCE, items).await;
    common::enable_pitr(env, EAST, SOURCE).await;
    let ddb = env.dynamodb(EAST).await;
    ddb.update_time_to_live()
        .table_name(SOURCE)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    ddb.tag_resource()
        .resource_arn(format!(
            "arn:aws:dynamodb:{EAST}:{}:table/{SOURCE}",
            common::ACCOUNT
        ))
        .tags(Tag::builder().key("team").value("data").build().unwrap())
        .send()
        .await
        .unwrap();
}

async fn ttl_attribute(env: &MotoEnv, table: &str) -> Option<String> {
    let out = env
        .dynamodb(EAST)
        .await
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .unwrap();
    out.time_to_live_description()
        .filter(|d| {
            d.time_to_live_status()
                .is_some_and(|s| s.as_str() == "ENABLED")
        })
        .and_then(|d| d.attribute_name().map(str::to_owned))
}

async fn tags(env: &MotoEnv, table: &str) -> BTreeMap<String, String> {
    let out = env
        .dynamodb(EAST)
        .await
        .list_tags_of_resource()
        .resource_arn(format!(
            "arn:aws:dynamodb:{EAST}:{}:table/{table}",
            common::ACCOUNT
        ))
        .send()
        .await
        .unwrap();
    out.tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

async fn item_count(env: &MotoEnv, table: &str) -> i64 {
    let out = env
        .dynamodb(EAST)
        .await
        .describe_table()
        .table_name(table)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeTable {table}: {e:?}"));
    out.table().and_then(|t| t.item_count()).unwrap_or(-1)
}

fn body(r: &Recorded) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_default()
}

fn sent_of<'a>(recorded: &'a [Recorded], operation: &str) -> Vec<&'a Recorded> {
    recorded
        .iter()
        .filter(|r| r.operation() == operation)
        .collect()
}

#[tokio::test]
async fn restore_backup_takes_the_newest_backup_re_protects_and_runs_once() {
    let env = common::moto().await;
    protected_source(&env, 7).await;
    let older = common::create_backup(&env, EAST, SOURCE, "nightly-1").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let newest = common::create_backup(&env, EAST, SOURCE, "nightly-2").await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    env.start_recording();
    let outcome = run(
        &executor,
        "restore-backup",
        SOURCE,
        &["new-name=flightdata-main-r"],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done);
    // moto lists oldest first (the plan's script would take nightly-1): newest by time wins.
    let restores = sent_of(&recorded, "RestoreTableFromBackup");
    assert_eq!(restores.len(), 1);
    assert_eq!(
        body(restores[0])["BackupArn"],
        newest.as_str(),
        "not {older}"
    );
    assert_eq!(body(restores[0])["TargetTableName"], "flightdata-main-r");
    assert_eq!(
        writes(&recorded)
            .iter()
            .map(|w| w.split(' ').next().unwrap().to_owned())
            .collect::<Vec<_>>(),
        [
            "RestoreTableFromBackup",
            "UpdateContinuousBackups",
            "UpdateTimeToLive",
            "TagResource"
        ]
    );

    assert_eq!(item_count(&env, "flightdata-main-r").await, 7);
    assert!(pitr_enabled(&env, EAST, "flightdata-main-r").await);
    assert_eq!(
        ttl_attribute(&env, "flightdata-main-r").await.as_deref(),
        Some("expires_at")
    );
    assert_eq!(
        tags(&env, "flightdata-main-r").await,
        BTreeMap::from([("team".to_owned(), "data".to_owned())])
    );
    let entries = entries(dir.path());
    assert_eq!(of_kind(&entries, "wait_finished").len(), 1);
    assert_eq!(of_kind(&entries, "resource_owned").len(), 1);
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("cannot be renamed")),
        "{:#?}",
        outcome.notes
    );

    // Again: the new table is there and protected, so nothing is written.
    env.start_recording();
    let again = run(
        &executor,
        "restore-backup",
        SOURCE,
        &["new-name=flightdata-main-r"],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new());

    // The restored table is the executor's own now: a later action may target it.
    let checked = run(
        &executor,
        "reprotect-table",
        "flightdata-main-r",
        &[&format!("like={SOURCE}")],
    )
    .await
    .unwrap();
    assert!(
        matches!(checked.status, Status::AlreadyDone(_)),
        "{checked:#?}"
    );
}

#[tokio::test]
async fn a_re_run_after_a_partial_restore_sends_only_what_is_left() {
    let env = common::moto().await;
    protected_source(&env, 3).await;
    let backup = common::create_backup(&env, EAST, SOURCE, "nightly").await;
    // The restore went through and PITR was turned on, then the run stopped.
    env.dynamodb(EAST)
        .await
        .restore_table_from_backup()
        .backup_arn(&backup)
        .target_table_name("flightdata-main-r")
        .send()
        .await
        .unwrap();
    common::enable_pitr(&env, EAST, "flightdata-main-r").await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    env.start_recording();
    let outcome = run(
        &executor,
        "restore-backup",
        SOURCE,
        &["new-name=flightdata-main-r"],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        writes(&recorded)
            .iter()
            .map(|w| w.split(' ').next().unwrap().to_owned())
            .collect::<Vec<_>>(),
        ["UpdateTimeToLive", "TagResource"]
    );
}

#[tokio::test]
async fn a_backup_restores_only_in_its_own_region() {
    let env = common::moto().await;
    protected_source(&env, 1).await;
    common::create_backup(&env, EAST, SOURCE, "nightly").await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;
    env.start_recording();
    let err = run(&executor, "restore-backup", SOURCE, &["region=us-west-2"])
        .await
        .unwrap_err();
    let recorded = env.stop_recording();
    match &err {
        ActionError::Invalid(m) => {
            assert!(m.contains("only in its own region"), "{m}");
            assert!(m.contains("import-table"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(writes(&recorded), Vec::<String>::new());
}

#[tokio::test]
async fn restore_pitr_sends_the_point_chosen_and_refuses_one_outside_the_window() {
    let env = common::moto().await;
    protected_source(&env, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    // Outside the window: refused before anything is sent.
    env.start_recording();
    let err = run(
        &executor,
        "restore-pitr",
        SOURCE,
        &["time=2020-01-01T00:00:00Z", "new-name=flightdata-main-old"],
    )
    .await
    .unwrap_err();
    let recorded = env.stop_recording();
    match &err {
        ActionError::Invalid(m) => {
            assert!(m.contains("earliest 20"), "{m}");
            assert!(m.contains("latest 20"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert!(sent_of(&recorded, "RestoreTableToPointInTime").is_empty());
    assert_eq!(writes(&recorded), Vec::<String>::new());

    // A time inside it: the RestoreDateTime sent is that time (moto restores the current
    // items whatever the time, so only the request shows it).
    let window = env
        .cloud()
        .await
        .describe_continuous_backups(EAST, SOURCE)
        .await
        .unwrap();
    let at = window.earliest_restorable.unwrap();
    env.start_recording();
    let outcome = run(
        &executor,
        "restore-pitr",
        SOURCE,
        &[
            &format!("time={}", at.to_rfc3339()),
            "new-name=flightdata-main-pit",
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done);
    let sent = sent_of(&recorded, "RestoreTableToPointInTime");
    assert_eq!(sent.len(), 1);
    let b = body(sent[0]);
    let secs = b["RestoreDateTime"].as_f64().unwrap_or_default();
    assert!(
        (secs - at.timestamp_micros() as f64 / 1e6).abs() < 0.001,
        "{b}"
    );
    assert_eq!(b["SourceTableName"], SOURCE);
    assert!(b.get("UseLatestRestorableTime").is_none(), "{b}");
    assert!(pitr_enabled(&env, EAST, "flightdata-main-pit").await);
    assert_eq!(item_count(&env, "flightdata-main-pit").await, 4);
    let started = of_kind(&entries(dir.path()), "action_started")
        .last()
        .map(|e| e.payload["args"]["time"].clone());
    assert_eq!(
        started.as_ref().and_then(|t| t.as_str()),
        Some(at.to_rfc3339().as_str()),
        "the journal records the point chosen"
    );

    // `latest`: the flag, no time.
    env.start_recording();
    run(
        &executor,
        "restore-pitr",
        SOURCE,
        &["time=latest", "new-name=flightdata-main-now"],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    let sent = sent_of(&recorded, "RestoreTableToPointInTime");
    assert_eq!(body(sent[0])["UseLatestRestorableTime"], true);
    assert!(body(sent[0]).get("RestoreDateTime").is_none());

    // Again: nothing sent, although the window has moved on.
    env.start_recording();
    let again = run(
        &executor,
        "restore-pitr",
        SOURCE,
        &["time=latest", "new-name=flightdata-main-now"],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new());
}

#[tokio::test]
async fn reprotect_table_copies_protection_and_sends_only_what_differs() {
    let env = common::moto().await;
    protected_source(&env, 1).await;
    common::create_table(&env, EAST, "flightdata-config").await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    // Without `like`: the estate's expectation, PITR on.
    let outcome = run(&executor, "reprotect-table", "flightdata-config", &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert!(pitr_enabled(&env, EAST, "flightdata-config").await);
    assert_eq!(ttl_attribute(&env, "flightdata-config").await, None);

    // With `like`: TTL and tags too; PITR is already on, so it is not sent again.
    env.start_recording();
    run(
        &executor,
        "reprotect-table",
        "flightdata-config",
        &[&format!("like={SOURCE}")],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert_eq!(
        writes(&recorded)
            .iter()
            .map(|w| w.split(' ').next().unwrap().to_owned())
            .collect::<Vec<_>>(),
        ["UpdateTimeToLive", "TagResource"]
    );
    assert_eq!(
        ttl_attribute(&env, "flightdata-config").await.as_deref(),
        Some("expires_at")
    );
    assert_eq!(tags(&env, "flightdata-config").await.len(), 1);

    env.start_recording();
    let again = run(
        &executor,
        "reprotect-table",
        "flightdata-config",
        &[&format!("like={SOURCE}")],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new());
}
