//! restore-function through the executor against moto: a deleted function made again from
//! its backup; a restore into the backup region whose package is first copied into a bucket
//! of that region; region-bound settings refused unmapped and sent mapped; an existing
//! function updated back to its backup; and a second run that sends no write.

use std::sync::Arc;

use drconsole::action::{ActionError, Executor, Status};
use drconsole::cloud::{Cloud, FunctionInfo, Functions, Storage};
use drconsole::config::Estate;
use serde_json::Value;
use sha2::Digest;

use crate::common::recorder::Recorded;
use crate::common::{
    self, BACKUP_REGION as WEST, LAMBDA_ROLE_NAME, MotoEnv, PRIMARY_REGION as EAST,
};
use crate::helpers::*;

const FUNCTION: &str = "flightdata-api";
const PRIMARY_BUCKET: &str = "flightdata-lambda-backups";
const COPY_BUCKET: &str = "flightdata-lambda-backups-us-west-2";
const DATE: &str = "20261120";
const LAYER_EAST: &str = "arn:aws:lambda:us-east-1:123456789012:layer:common:7";

fn folder() -> String {
    format!("lambda-backups/{DATE}/{FUNCTION}/")
}

fn code_key() -> String {
    format!("{}{FUNCTION}-code.zip", folder())
}

fn sha256_b64(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(sha2::Sha256::digest(bytes))
}

async fn executor_for(env: &MotoEnv, estate: &Estate, dir: &std::path::Path) -> Executor {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    executor_in(cloud, estate, dir, in_account())
}

/// The function as it is in us-east-1, backed up as backup-function saves it into the
/// primary's backup bucket only: its configuration (edited by `edit`) and its package.
/// Both backup buckets exist. Returns the package's CodeSha256.
async fn back_up(env: &MotoEnv, edit: impl FnOnce(&mut FunctionInfo)) -> String {
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    common::create_bucket(env, EAST, PRIMARY_BUCKET).await;
    common::create_bucket(env, WEST, COPY_BUCKET).await;
    common::create_function(env, EAST, FUNCTION, &role).await;
    let mut saved = env
        .cloud()
        .await
        .get_function(EAST, FUNCTION)
        .await
        .unwrap();
    saved.code_location = None;
    edit(&mut saved);
    let package = common::handler_zip(FUNCTION);
    common::put_objects(
        env,
        EAST,
        PRIMARY_BUCKET,
        vec![
            (
                format!("{}{FUNCTION}-config.json", folder()),
                serde_json::to_vec_pretty(&saved).unwrap(),
            ),
            (code_key(), package.clone()),
        ],
    )
    .await;
    sha256_b64(&package)
}

async fn delete_function(env: &MotoEnv, region: &str) {
    env.lambda(region)
        .await
        .delete_function()
        .function_name(FUNCTION)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteFunction: {e:?}"));
}

/// The one CreateFunction moto received, as JSON, and its region.
fn create_function_sent(recorded: &[Recorded]) -> (Value, String) {
    let creates: Vec<&Recorded> = recorded
        .iter()
        .filter(|r| r.method == "POST" && r.path().ends_with("/functions"))
        .collect();
    assert_eq!(
        creates.len(),
        1,
        "one CreateFunction: {:#?}",
        writes(recorded)
    );
    (
        serde_json::from_str(&creates[0].body).unwrap(),
        creates[0].region.clone().unwrap_or_default(),
    )
}

async fn assert_second_run_sends_nothing(env: &MotoEnv, executor: &Executor, pairs: &[&str]) {
    env.start_recording();
    let again = run(executor, "restore-function", FUNCTION, pairs)
        .await
        .unwrap_or_else(|e| panic!("restore-function again: {e}"));
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new(), "no second write");
}

#[tokio::test]
async fn a_deleted_function_is_created_again_from_its_backup() {
    let env = common::moto().await;
    let sha = back_up(&env, |saved| {
        saved.timeout_secs = Some(45);
        saved.settings.description = Some("the API".to_owned());
    })
    .await;
    delete_function(&env, EAST).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &example_estate(), dir.path()).await;

    let outcome = run(&executor, "restore-function", FUNCTION, &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "restore-function", "succeeded"),
        ["CreateFunction"],
        "the package is already in the function's region: nothing to copy"
    );
    let made = env
        .cloud()
        .await
        .get_function(EAST, FUNCTION)
        .await
        .unwrap();
    assert_eq!(made.code_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(made.runtime.as_deref(), Some("python3.12"));
    assert_eq!(made.handler.as_deref(), Some("index.handler"));
    assert_eq!(made.timeout_secs, Some(45), "the backup's configuration");
    assert_eq!(made.memory_mb, Some(256));
    assert_eq!(made.settings.description.as_deref(), Some("the API"));
    assert!(outcome.undo.is_none(), "a create has no undo");

    assert_second_run_sends_nothing(&env, &executor, &[]).await;
}

#[tokio::test]
async fn restored_into_the_backup_region_its_package_is_copied_into_a_bucket_there_first() {
    let env = common::moto().await;
    let sha = back_up(&env, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &example_estate(), dir.path()).await;

    env.start_recording();
    let outcome = run(
        &executor,
        "restore-function",
        FUNCTION,
        &["region=us-west-2", "from=primary"],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "restore-function", "succeeded"),
        ["CopyObject", "CreateFunction"]
    );
    // moto does not check the package's region (AWS refuses another region's bucket): the
    // request says which bucket Lambda was told to read.
    let (create, region) = create_function_sent(&recorded);
    assert_eq!(region, WEST);
    assert_eq!(create["Code"]["S3Bucket"], COPY_BUCKET, "{create}");
    assert_eq!(create["Code"]["S3Key"], code_key().as_str(), "{create}");
    let copied = env
        .cloud()
        .await
        .list_objects(WEST, COPY_BUCKET, Some(&code_key()), None)
        .await
        .unwrap();
    assert_eq!(
        copied.len(),
        1,
        "the package is in the backup region: {copied:?}"
    );
    let made = env
        .cloud()
        .await
        .get_function(WEST, FUNCTION)
        .await
        .unwrap();
    assert_eq!(made.code_sha256.as_deref(), Some(sha.as_str()));

    assert_second_run_sends_nothing(&env, &executor, &["region=us-west-2", "from=primary"]).await;
}

#[tokio::test]
async fn an_unmapped_layer_is_refused_by_name_and_nothing_is_sent() {
    let env = common::moto().await;
    back_up(&env, |saved| {
        saved.settings.layers = Some(vec![LAYER_EAST.to_owned()]);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &example_estate(), dir.path()).await;

    env.start_recording();
    let refused = run(
        &executor,
        "restore-function",
        FUNCTION,
        &["region=us-west-2", "from=primary"],
    )
    .await
    .unwrap_err();
    let recorded = env.stop_recording();
    let ActionError::Invalid(message) = &refused else {
        panic!("{refused:?}");
    };
    assert!(
        message.contains(&format!(
            "layer {LAYER_EAST} has no entry in [lambda.region_map]"
        )),
        "{message}"
    );
    assert_eq!(writes(&recorded), Vec::<String>::new(), "nothing sent");
    assert!(
        env.cloud()
            .await
            .get_function(WEST, FUNCTION)
            .await
            .is_err(),
        "no function made"
    );
}

#[tokio::test]
async fn a_mapped_layer_is_sent_as_its_counterpart() {
    let env = common::moto().await;
    back_up(&env, |saved| {
        saved.settings.layers = Some(vec![LAYER_EAST.to_owned()]);
    })
    .await;
    let layer_west = "arn:aws:lambda:us-west-2:123456789012:layer:common:3";
    let mut estate = example_estate();
    estate.lambda.region_map.insert(
        LAYER_EAST.to_owned(),
        toml::Spanned::new(0..0, layer_west.to_owned()),
    );
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &estate, dir.path()).await;

    env.start_recording();
    let result = run(
        &executor,
        "restore-function",
        FUNCTION,
        &["region=us-west-2", "from=primary"],
    )
    .await;
    let recorded = env.stop_recording();
    let (create, region) = create_function_sent(&recorded);
    assert_eq!(region, WEST);
    assert_eq!(
        create["Layers"],
        serde_json::json!([layer_west]),
        "{create}"
    );
    // With use_docker=false moto looks layers up in its docker backend, which
    // PublishLayerVersion never fills, so it refuses every layer ("LayerVersion does not
    // exist"); AWS takes a layer of the function's region. The request is what matters here.
    match result {
        Ok(outcome) => assert_eq!(outcome.status, Status::Done),
        Err(ActionError::Cloud(e)) if e.message.contains("LayerVersion does not exist") => {}
        Err(e) => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn an_existing_function_gets_its_backups_code_then_its_configuration() {
    let env = common::moto().await;
    let sha = back_up(&env, |_| {}).await;
    // Since the backup: new code and a longer timeout.
    let lambda = env.lambda(EAST).await;
    lambda
        .update_function_code()
        .function_name(FUNCTION)
        .zip_file(aws_sdk_lambda::primitives::Blob::new(common::zip_one_file(
            "index.py",
            b"# broken\n",
        )))
        .send()
        .await
        .unwrap();
    lambda
        .update_function_configuration()
        .function_name(FUNCTION)
        .timeout(99)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &example_estate(), dir.path()).await;

    let outcome = run(&executor, "restore-function", FUNCTION, &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "restore-function", "succeeded"),
        ["UpdateFunctionCode", "UpdateFunctionConfiguration"]
    );
    let back = env
        .cloud()
        .await
        .get_function(EAST, FUNCTION)
        .await
        .unwrap();
    assert_eq!(back.code_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(back.timeout_secs, Some(30));
    assert!(
        outcome.undo.is_none(),
        "replaced code cannot be fetched again: no undo"
    );
    let journal = entries(dir.path());
    let waits = of_kind(&journal, "wait_finished");
    assert_eq!(waits.len(), 2, "a wait after each update: {waits:#?}");

    assert_second_run_sends_nothing(&env, &executor, &[]).await;
}

#[tokio::test]
async fn a_configuration_only_change_is_undone_with_the_previous_configuration() {
    let env = common::moto().await;
    back_up(&env, |_| {}).await;
    env.lambda(EAST)
        .await
        .update_function_configuration()
        .function_name(FUNCTION)
        .timeout(99)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &example_estate(), dir.path()).await;

    let outcome = run(&executor, "restore-function", FUNCTION, &[])
        .await
        .unwrap();
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "restore-function", "succeeded"),
        ["UpdateFunctionConfiguration"]
    );
    let undo = outcome.undo.expect("an undo");
    assert_eq!(undo.requests.len(), 1);
    let sent = undo.requests[0].to_json();
    assert_eq!(sent["spec"]["timeout_secs"], 99, "{sent}");
    assert!(
        sent["spec"].get("memory_mb").is_none(),
        "only what changed: {sent}"
    );
}

#[tokio::test]
async fn a_backup_without_its_code_cannot_restore_the_function() {
    let env = common::moto().await;
    back_up(&env, |_| {}).await;
    env.s3(EAST)
        .await
        .delete_object()
        .bucket(PRIMARY_BUCKET)
        .key(code_key())
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_for(&env, &example_estate(), dir.path()).await;
    let refused = run(
        &executor,
        "restore-function",
        FUNCTION,
        &[&format!("date={DATE}")],
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Invalid(m) if m.contains("only the configuration")),
        "{refused:?}"
    );
    let refused = run(&executor, "restore-function", FUNCTION, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Invalid(m) if m.contains("with both its configuration and its code")),
        "{refused:?}"
    );
}
