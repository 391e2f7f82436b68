//! A destructive action's safety net, journalled before its first write, and the undo that
//! puts the state back from the journal, once.

use std::sync::Arc;

use drconsole::action::{ActionError, Status};
use drconsole::cloud::Cloud;

use crate::common::{self, PRIMARY_REGION as EAST};
use crate::helpers::*;

#[tokio::test]
async fn stop_ingestion_saves_the_state_first_and_undo_restores_it_once() {
    let env = common::moto().await;
    let role = env.create_iam_role(common::LAMBDA_ROLE_NAME);
    let function = "flightdata-processor";
    common::create_function(&env, EAST, function, &role).await;
    put_concurrency(&env, EAST, function, 5).await;
    let uuid = create_sqs_mapping(&env, EAST, function).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());

    let stopped = run_confirmed(&executor, "stop-ingestion", function, &[], Some(function))
        .await
        .unwrap();
    assert_eq!(stopped.status, Status::Done);
    assert_eq!(reserved_concurrency(&env, EAST, function).await, Some(0));
    assert_eq!(mapping_state(&env, EAST, &uuid).await, "Disabled");

    let journal = entries(dir.path());
    let kinds = action_kinds(&journal);
    let net = kinds
        .iter()
        .position(|k| *k == "safety_net")
        .expect("a safety net");
    let first_write = kinds.iter().position(|k| *k == "request_sent").unwrap();
    assert!(net < first_write, "saved before the first write: {kinds:?}");
    let saved = &of_kind(&journal, "safety_net")[0].payload["saved"];
    assert_eq!(saved["reserved_concurrency"], 5, "{saved:#}");
    assert_eq!(saved["mappings"][0]["uuid"], uuid.as_str(), "{saved:#}");
    assert_eq!(saved["mappings"][0]["state"], "Enabled", "{saved:#}");

    let seq = stopped.seq.expect("the entry that closed the run");
    let undone = executor.undo(seq, &|_| {}).await.unwrap();
    assert_eq!(undone.status, Status::Done);
    assert_eq!(reserved_concurrency(&env, EAST, function).await, Some(5));
    assert_eq!(mapping_state(&env, EAST, &uuid).await, "Enabled");
    assert_journalled_run(&entries(dir.path()), &format!("undo-{seq}"), "succeeded");

    env.start_recording();
    let again = executor.undo(seq, &|_| {}).await.unwrap_err();
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(
        matches!(&again, ActionError::Invalid(m) if m.contains("already undone")),
        "{again:?}"
    );
    assert_eq!(reserved_concurrency(&env, EAST, function).await, Some(5));
}

#[tokio::test]
async fn enable_pitr_is_undone_by_turning_it_off() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());

    let done = run(&executor, "enable-pitr", "flightdata-main", &[])
        .await
        .unwrap();
    assert!(pitr_enabled(&env, EAST, "flightdata-main").await);
    executor
        .undo(done.seq.unwrap(), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!pitr_enabled(&env, EAST, "flightdata-main").await);
}

#[tokio::test]
async fn an_entry_without_an_undo_cannot_be_undone() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());
    let done = run(&executor, "backup-table", "flightdata-main", &[])
        .await
        .unwrap();
    env.start_recording();
    let err = executor.undo(done.seq.unwrap(), &|_| {}).await.unwrap_err();
    assert!(
        env.stop_recording().is_empty(),
        "nothing sent, nothing read"
    );
    assert!(
        matches!(&err, ActionError::Invalid(m) if m.contains("not an action with an undo")),
        "{err:?}"
    );
}

#[tokio::test]
async fn put_replication_is_undone_by_putting_the_previous_configuration_back() {
    let env = common::moto().await;
    let replica = common::replica_of("flightdata-raw");
    common::create_bucket(&env, common::BACKUP_REGION, &replica).await;
    common::enable_versioning(&env, common::BACKUP_REGION, &replica).await;
    common::create_bucket(&env, EAST, "flightdata-raw").await;
    common::enable_versioning(&env, EAST, "flightdata-raw").await;
    // The plan's own V1 rule, without RTC: the action replaces it with its V2 rule.
    common::put_replication(&env, EAST, "flightdata-raw", &replica).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());

    let done = run(&executor, "put-replication", "flightdata-raw", &[])
        .await
        .unwrap();
    assert_eq!(done.status, Status::Done);
    assert_eq!(
        rule_ids(&env).await,
        [drconsole::action::catalogue::REPLICATION_RULE_ID]
    );
    let journal = entries(dir.path());
    let saved = &of_kind(&journal, "safety_net")[0].payload["saved"];
    assert_eq!(saved["rules"][0]["id"], "ReplicateEverything", "{saved:#}");

    executor
        .undo(done.seq.unwrap(), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rule_ids(&env).await, ["ReplicateEverything"]);
}

#[tokio::test]
async fn set_alarm_state_is_undone_by_setting_the_previous_state() {
    let env = common::moto().await;
    let alarm = common::ALARMS[1];
    common::put_alarm(
        &env,
        EAST,
        alarm,
        "FlightData/Pipeline",
        "IngestionLagSeconds",
        ("Pipeline", "ingest"),
        900.0,
    )
    .await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());

    let done = run(&executor, "set-alarm-state", alarm, &["state=ALARM"])
        .await
        .unwrap();
    assert_eq!(alarm_state(&env, alarm).await, "ALARM");
    executor
        .undo(done.seq.unwrap(), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(alarm_state(&env, alarm).await, "OK");
}

/// The ids of the replication rules of flightdata-raw, as moto reads them back.
async fn rule_ids(env: &common::MotoEnv) -> Vec<String> {
    let config = env
        .s3(EAST)
        .await
        .get_bucket_replication()
        .bucket("flightdata-raw")
        .send()
        .await
        .unwrap();
    config
        .replication_configuration()
        .unwrap()
        .rules()
        .iter()
        .map(|r| r.id().unwrap_or_default().to_owned())
        .collect()
}

async fn alarm_state(env: &common::MotoEnv, alarm: &str) -> String {
    let out = env
        .cloudwatch(EAST)
        .await
        .describe_alarms()
        .alarm_names(alarm)
        .send()
        .await
        .unwrap();
    out.metric_alarms()[0]
        .state_value()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default()
}
