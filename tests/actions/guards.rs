//! Every guard refuses before anything is written: the refusal is the journal's last entry and
//! moto received no write. And the account guard that passes through the backup region when
//! the primary's endpoint is dead.

use std::sync::Arc;

use async_trait::async_trait;
use drconsole::action::{
    Action, ActionError, Args, Context, Danger, ExecutorOptions, Plan, Status, TargetKind,
};
use drconsole::cloud::aws::AwsCloud;
use drconsole::cloud::{Cloud, Versioning, WriteRequest};

use crate::common::{
    self, ACCOUNT, BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST, replica_of,
};
use crate::helpers::*;

/// Runs `name` on `target` with `options` and `cloud`, recording what moto receives; the run
/// must be refused by `guard`, journalled, with no write sent.
async fn assert_refused(
    env: &MotoEnv,
    cloud: Arc<dyn Cloud>,
    options: ExecutorOptions,
    (name, target, confirm): (&str, &str, Option<&str>),
    guard: &str,
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), options);
    env.start_recording();
    let result = run_confirmed(&executor, name, target, &[], confirm).await;
    let recorded = env.stop_recording();
    let reason = match result {
        Err(ActionError::Refused { guard: g, reason }) => {
            assert_eq!(g.label(), guard, "{reason}");
            reason
        }
        other => panic!("refused by the {guard} guard, not {other:?}"),
    };
    assert_eq!(writes(&recorded), Vec::<String>::new(), "nothing sent");
    let journal = entries(dir.path());
    assert_refused_in_journal(&journal, guard);
    assert_eq!(journal.last().unwrap().payload["reason"], reason.as_str());
    reason
}

#[tokio::test]
async fn read_only_refuses_before_anything_is_read_or_sent() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let options = ExecutorOptions {
        read_only: true,
        ..in_account()
    };
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(
        cloud.clone(),
        &example_estate(),
        dir.path(),
        options.clone(),
    );
    env.start_recording();
    let err = run(&executor, "enable-pitr", "flightdata-main", &[])
        .await
        .unwrap_err();
    assert!(env.stop_recording().is_empty(), "not even a read");
    assert!(err.to_string().contains("--read-only"), "{err}");
    assert_refused_in_journal(&entries(dir.path()), "read-only");

    assert_refused(
        &env,
        cloud,
        options,
        ("enable-pitr", "flightdata-main", None),
        "read-only",
    )
    .await;
    assert!(!pitr_enabled(&env, EAST, "flightdata-main").await);
}

/// Credentials of another account, as moto hands them out for a role assumed there.
async fn credentials_in_account(env: &MotoEnv, account: &str) -> aws_sdk_sts::config::Credentials {
    let sts = aws_sdk_sts::Client::new(&env.sdk_config(EAST).await);
    let assumed = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/x"))
        .role_session_name("drconsole-test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole: {e:?}"));
    let c = assumed.credentials().expect("credentials");
    aws_sdk_sts::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "assumed",
    )
}

/// drconsole's adapters on moto, acting in `account`.
async fn cloud_in_account(env: &MotoEnv, account: &str) -> Arc<dyn Cloud> {
    let credentials = credentials_in_account(env, account).await;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&env.endpoint)
        .region(aws_config::Region::new(EAST))
        .credentials_provider(credentials)
        .load()
        .await;
    Arc::new(AwsCloud::from_sdk_config(
        &config,
        common::test_options(),
        true,
    ))
}

#[tokio::test]
async fn credentials_of_another_account_are_refused() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let other = cloud_in_account(&env, "333333333333").await;
    let reason = assert_refused(
        &env,
        other,
        in_account(),
        ("enable-pitr", "flightdata-main", None),
        "account",
    )
    .await;
    assert!(
        reason.contains("333333333333") && reason.contains(ACCOUNT),
        "{reason}"
    );
    assert!(!pitr_enabled(&env, EAST, "flightdata-main").await);
}

/// In another account the table does not exist: a preview there would say so, and send a
/// tired commander looking for a table that is fine. It names the account instead.
#[tokio::test]
async fn a_preview_with_credentials_of_another_account_is_refused() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let other = cloud_in_account(&env, "333333333333").await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(other, &example_estate(), dir.path(), in_account());
    env.start_recording();
    let err = executor
        .plan(action("enable-pitr"), "flightdata-main", &Args::default())
        .await
        .unwrap_err();
    let recorded = env.stop_recording();
    assert!(
        recorded
            .iter()
            .all(|r| r.operation() == "GetCallerIdentity"),
        "only the account was read: {recorded:#?}"
    );
    match err {
        ActionError::Refused { guard, reason } => {
            assert_eq!(guard.label(), "account");
            assert!(reason.contains("333333333333"), "{reason}");
        }
        other => panic!("refused by the account guard, not {other:?}"),
    }
    assert_refused_in_journal(&entries(dir.path()), "account");
}

#[tokio::test]
async fn an_unknown_starting_account_is_refused() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let reason = assert_refused(
        &env,
        cloud,
        ExecutorOptions::default(),
        ("enable-pitr", "flightdata-main", None),
        "account",
    )
    .await;
    assert!(reason.contains("not known"), "{reason}");
    assert!(!pitr_enabled(&env, EAST, "flightdata-main").await);
}

/// The ingestion function, running with reserved concurrency 5.
async fn seed_ingestion(env: &MotoEnv) -> &'static str {
    let role = env.create_iam_role(common::LAMBDA_ROLE_NAME);
    let function = "flightdata-processor";
    common::create_function(env, EAST, function, &role).await;
    put_concurrency(env, EAST, function, 5).await;
    function
}

#[tokio::test]
async fn a_destructive_action_with_the_wrong_name_typed_is_refused() {
    let env = common::moto().await;
    let function = seed_ingestion(&env).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let reason = assert_refused(
        &env,
        cloud,
        in_account(),
        ("stop-ingestion", function, Some("flightdata-api")),
        "confirmation",
    )
    .await;
    assert!(reason.contains("`flightdata-api` is not"), "{reason}");
    assert_eq!(reserved_concurrency(&env, EAST, function).await, Some(5));
}

#[tokio::test]
async fn a_destructive_action_without_a_confirmation_is_refused() {
    let env = common::moto().await;
    let function = seed_ingestion(&env).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let reason = assert_refused(
        &env,
        cloud,
        in_account(),
        ("stop-ingestion", function, None),
        "confirmation",
    )
    .await;
    assert!(
        reason.contains(&format!("--confirm {function}")),
        "{reason}"
    );
    assert_eq!(reserved_concurrency(&env, EAST, function).await, Some(5));
}

#[tokio::test]
async fn a_plan_that_changed_since_the_preview_is_refused() {
    let env = common::moto().await;
    common::create_bucket(&env, EAST, "flightdata-raw").await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());
    let replication = action("put-replication");
    let none = Args::default();
    let seen = executor
        .plan(replication, "flightdata-raw", &none)
        .await
        .unwrap();
    // Someone creates the replica meanwhile: the run would no longer send what was shown.
    let replica = common::replica_of("flightdata-raw");
    common::create_bucket(&env, common::BACKUP_REGION, &replica).await;
    env.start_recording();
    let err = executor
        .run(
            replication,
            "flightdata-raw",
            &none,
            None,
            Some(&seen),
            &|_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(
        matches!(&err, ActionError::Refused { guard, .. } if guard.label() == "preview"),
        "{err:?}"
    );
    assert_refused_in_journal(&entries(dir.path()), "preview");
}

/// Versioning on for a data bucket's replica, in the backup region: the one kind of write a
/// region failover still needs when the primary does not answer. No catalogue action writes
/// only there, so the test brings its own.
struct VersionReplica;

#[async_trait]
impl Action for VersionReplica {
    fn name(&self) -> &'static str {
        "version-replica"
    }
    fn summary(&self) -> &'static str {
        "Turn on versioning for a bucket's replica in the backup region"
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Bucket
    }
    async fn plan(
        &self,
        ctx: &Context<'_>,
        bucket: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let replica = replica_of(bucket);
        let mut plan = Plan::new(self.name(), bucket, self.danger(), args);
        if ctx.cloud.get_versioning(ctx.backup(), &replica).await? == Versioning::Enabled {
            return Ok(plan.done("already versioned"));
        }
        plan.requests.push(WriteRequest::PutBucketVersioning {
            region: ctx.backup().to_owned(),
            bucket: replica,
            enabled: true,
        });
        Ok(plan)
    }
    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        match ctx
            .cloud
            .get_versioning(ctx.backup(), &replica_of(&plan.target))
            .await
        {
            Ok(Versioning::Enabled) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    }
}

#[tokio::test]
async fn with_the_primary_dead_the_account_is_confirmed_through_the_backup_region() {
    let env = common::moto().await;
    let replica = replica_of("flightdata-raw");
    common::create_bucket(&env, WEST, &replica).await;
    let cloud: Arc<dyn Cloud> = Arc::new(
        env.cloud()
            .await
            .with_region_endpoint(EAST, &common::dead_endpoint()),
    );
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), in_account());

    env.start_recording();
    let outcome = executor
        .run(
            &VersionReplica,
            "flightdata-raw",
            &Args::default(),
            None,
            None,
            &|_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        env.raw_versioning_status(WEST, &replica).as_deref(),
        Some("Enabled")
    );
    let identity: Vec<_> = recorded
        .iter()
        .filter(|r| r.operation() == "GetCallerIdentity")
        .collect();
    assert!(!identity.is_empty(), "the account was read: {recorded:#?}");
    assert!(
        identity.iter().all(|r| r.region.as_deref() == Some(WEST)),
        "only the backup region's STS answered: {identity:#?}"
    );
    assert!(
        recorded.iter().all(|r| r.region.as_deref() != Some(EAST)),
        "nothing reached moto as us-east-1: {recorded:#?}"
    );
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "version-replica", "succeeded"),
        ["PutBucketVersioning"]
    );
}
