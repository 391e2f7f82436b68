//! Each catalogue action from the flagged state: moto's state afterwards, the journal of the
//! run, and a second run that finds it done and sends no write.

use std::sync::Arc;

use drconsole::action::{Executor, Outcome, Status};
use drconsole::cloud::Cloud;

use crate::common::{self, MotoEnv, PRIMARY_REGION as EAST, replica_of};
use crate::helpers::*;

/// An executor over moto's adapters in moto's account, with its journal in `dir`.
async fn executor(env: &MotoEnv, dir: &std::path::Path) -> Executor {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    executor_in(cloud, &example_estate(), dir, in_account())
}

/// The second run: found done, and moto received reads only.
async fn assert_second_run_sends_nothing(
    env: &MotoEnv,
    executor: &Executor,
    name: &str,
    target: &str,
    pairs: &[&str],
    confirm: Option<&str>,
) -> Outcome {
    env.start_recording();
    let again = run_confirmed(executor, name, target, pairs, confirm)
        .await
        .unwrap_or_else(|e| panic!("{name} again: {e}"));
    let recorded = env.stop_recording();
    assert!(
        matches!(again.status, Status::AlreadyDone(_)),
        "{name} twice: {again:#?}"
    );
    assert!(again.sent.is_empty(), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new(), "no second write");
    assert!(!recorded.is_empty(), "the precheck read the state");
    again
}

#[tokio::test]
async fn enable_pitr_turns_it_on_and_a_second_run_sends_nothing() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    assert!(!pitr_enabled(&env, EAST, "flightdata-main").await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run(&executor, "enable-pitr", "flightdata-main", &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert!(pitr_enabled(&env, EAST, "flightdata-main").await);
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "enable-pitr", "succeeded"),
        ["UpdateContinuousBackups"]
    );
    assert!(outcome.undo.is_some(), "PITR turned on can be turned off");

    let again = assert_second_run_sends_nothing(
        &env,
        &executor,
        "enable-pitr",
        "flightdata-main",
        &[],
        None,
    )
    .await;
    assert_eq!(
        again.status,
        Status::AlreadyDone("point-in-time recovery is already on for flightdata-main".into())
    );
    let last = entries(dir.path()).pop().unwrap();
    assert_eq!(last.kind, "action_finished");
    assert_eq!(last.payload["outcome"], "skipped", "{last:#?}");
}

#[tokio::test]
async fn backup_table_creates_one_backup_and_a_second_run_finds_it() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run(&executor, "backup-table", "flightdata-main", &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    let journal = entries(dir.path());
    assert_eq!(
        assert_journalled_run(&journal, "backup-table", "succeeded"),
        ["CreateBackup"]
    );
    // The default name, as the run chose it (it names the minute it started in).
    let name = text(&of_kind(&journal, "action_started")[0].payload["args"]["name"]).to_owned();
    assert!(
        name.starts_with("ondemand-") && name.ends_with("-flightdata-main"),
        "{name}"
    );
    let listed = env
        .dynamodb(EAST)
        .await
        .list_backups()
        .table_name("flightdata-main")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .backup_summaries()
        .iter()
        .filter_map(|b| b.backup_name())
        .collect();
    assert_eq!(names, [name.as_str()]);

    // The same name again, so a minute turning over between the runs cannot change it.
    let arg = format!("name={name}");
    assert_second_run_sends_nothing(
        &env,
        &executor,
        "backup-table",
        "flightdata-main",
        &[&arg],
        None,
    )
    .await;
}

#[tokio::test]
async fn enable_versioning_turns_it_on_and_a_second_run_sends_nothing() {
    let env = common::moto().await;
    common::create_bucket(&env, EAST, "flightdata-raw").await;
    assert_eq!(env.raw_versioning_status(EAST, "flightdata-raw"), None);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run(&executor, "enable-versioning", "flightdata-raw", &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        env.raw_versioning_status(EAST, "flightdata-raw").as_deref(),
        Some("Enabled")
    );
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "enable-versioning", "succeeded"),
        ["PutBucketVersioning"]
    );
    assert_second_run_sends_nothing(
        &env,
        &executor,
        "enable-versioning",
        "flightdata-raw",
        &[],
        None,
    )
    .await;
}

#[tokio::test]
async fn put_replication_makes_the_versioned_replica_and_the_plan_rule_once() {
    let env = common::moto().await;
    common::create_bucket(&env, EAST, "flightdata-raw").await;
    common::put_objects(&env, EAST, "flightdata-raw", common::data_objects(3)).await;
    let replica = replica_of("flightdata-raw");
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    env.start_recording();
    let outcome = run(&executor, "put-replication", "flightdata-raw", &[])
        .await
        .unwrap();
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done);
    // AWS rejects a rule to an unversioned destination: the replica first, then the source.
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "put-replication", "succeeded"),
        [
            "CreateBucket",
            "PutBucketVersioning",
            "PutBucketVersioning",
            "PutBucketReplication"
        ]
    );
    assert_eq!(
        env.raw_versioning_status(common::BACKUP_REGION, &replica)
            .as_deref(),
        Some("Enabled"),
        "the replica is made in the backup region, versioned"
    );
    assert_eq!(
        env.raw_versioning_status(EAST, "flightdata-raw").as_deref(),
        Some("Enabled")
    );
    let config = env
        .s3(EAST)
        .await
        .get_bucket_replication()
        .bucket("flightdata-raw")
        .send()
        .await
        .unwrap();
    let config = config.replication_configuration().expect("a configuration");
    let rules = config.rules();
    assert_eq!(rules.len(), 1, "{rules:#?}");
    let rule = &rules[0];
    assert_eq!(
        rule.id(),
        Some(drconsole::action::catalogue::REPLICATION_RULE_ID)
    );
    assert_eq!(rule.status().as_str(), "Enabled");
    let destination = rule.destination().expect("a destination");
    assert_eq!(destination.bucket(), format!("arn:aws:s3:::{replica}"));
    assert_eq!(
        destination.replication_time().map(|t| t.status().as_str()),
        Some("Enabled"),
        "Replication Time Control, so ReplicationLatency is published"
    );
    assert_eq!(
        destination.metrics().map(|m| m.status().as_str()),
        Some("Enabled")
    );
    // moto hard-codes DeleteMarkerReplication as Disabled when read back: check what was sent.
    let put = recorded
        .iter()
        .find(|r| r.method == "PUT" && r.url.contains("replication"))
        .expect("the PutBucketReplication moto received");
    assert!(
        put.body.contains(
            "<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>"
        ),
        "{}",
        put.body
    );
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("3 existing object(s)") && n.contains("not replicated")),
        "{:#?}",
        outcome.notes
    );

    assert_second_run_sends_nothing(
        &env,
        &executor,
        "put-replication",
        "flightdata-raw",
        &[],
        None,
    )
    .await;
}

#[tokio::test]
async fn backup_function_saves_the_configuration_and_says_the_code_could_not_be_had() {
    let env = common::moto().await;
    let role = env.create_iam_role(common::LAMBDA_ROLE_NAME);
    common::create_function(&env, EAST, "flightdata-api", &role).await;
    common::create_bucket(&env, EAST, common::LAMBDA_BACKUPS_BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run(&executor, "backup-function", "flightdata-api", &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "backup-function", "succeeded"),
        ["PutObject"]
    );
    // moto's Code.Location names a host that does not resolve: the configuration alone.
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("could not be downloaded") && n.contains("cannot restore")),
        "{:#?}",
        outcome.notes
    );
    let day = chrono::Utc::now().format("%Y%m%d");
    let folder = format!("{}{day}/flightdata-api/", common::LAMBDA_BACKUPS_PREFIX);
    let s3 = env.s3(EAST).await;
    let listed = s3
        .list_objects_v2()
        .bucket(common::LAMBDA_BACKUPS_BUCKET)
        .prefix(&folder)
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, [format!("{folder}flightdata-api-config.json")]);
    let body = s3
        .get_object()
        .bucket(common::LAMBDA_BACKUPS_BUCKET)
        .key(format!("{folder}flightdata-api-config.json"))
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    let config: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let text = config.to_string();
    assert!(text.contains("flightdata-api"), "{text}");
    assert!(
        !text.contains("awslambda-"),
        "the presigned code URL is never kept: {text}"
    );

    // The code still cannot be had, and the configuration is saved: nothing more to send.
    assert_second_run_sends_nothing(
        &env,
        &executor,
        "backup-function",
        "flightdata-api",
        &[],
        None,
    )
    .await;
}

#[tokio::test]
async fn stop_ingestion_disables_the_mapping_and_throttles_once_and_restart_puts_it_back() {
    let env = common::moto().await;
    let role = env.create_iam_role(common::LAMBDA_ROLE_NAME);
    let function = "flightdata-processor";
    common::create_function(&env, EAST, function, &role).await;
    let uuid = create_sqs_mapping(&env, EAST, function).await;
    assert_eq!(mapping_state(&env, EAST, &uuid).await, "Enabled");
    assert_eq!(reserved_concurrency(&env, EAST, function).await, None);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run_confirmed(&executor, "stop-ingestion", function, &[], Some(function))
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "stop-ingestion", "succeeded"),
        ["UpdateEventSourceMapping", "PutFunctionConcurrency"]
    );
    assert_eq!(mapping_state(&env, EAST, &uuid).await, "Disabled");
    assert_eq!(reserved_concurrency(&env, EAST, function).await, Some(0));
    assert_second_run_sends_nothing(
        &env,
        &executor,
        "stop-ingestion",
        function,
        &[],
        Some(function),
    )
    .await;

    let outcome = run(&executor, "restart-ingestion", function, &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "restart-ingestion", "succeeded"),
        ["UpdateEventSourceMapping", "DeleteFunctionConcurrency"]
    );
    assert_eq!(mapping_state(&env, EAST, &uuid).await, "Enabled");
    assert_eq!(reserved_concurrency(&env, EAST, function).await, None);
    assert_second_run_sends_nothing(&env, &executor, "restart-ingestion", function, &[], None)
        .await;
}

#[tokio::test]
async fn set_alarm_state_fires_the_alarm_once() {
    let env = common::moto().await;
    let alarm = common::ALARMS[0];
    common::put_alarm(
        &env,
        EAST,
        alarm,
        "AWS/Lambda",
        "Errors",
        ("FunctionName", "flightdata-api"),
        5.0,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run(
        &executor,
        "set-alarm-state",
        alarm,
        &["state=ALARM", "reason=drill"],
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "set-alarm-state", "succeeded"),
        ["SetAlarmState"]
    );
    let described = env
        .cloudwatch(EAST)
        .await
        .describe_alarms()
        .alarm_names(alarm)
        .send()
        .await
        .unwrap();
    let found = &described.metric_alarms()[0];
    assert_eq!(found.state_value().map(|s| s.as_str()), Some("ALARM"));
    assert_eq!(found.state_reason(), Some("drill"));

    assert_second_run_sends_nothing(
        &env,
        &executor,
        "set-alarm-state",
        alarm,
        &["state=ALARM", "reason=drill"],
        None,
    )
    .await;
}
