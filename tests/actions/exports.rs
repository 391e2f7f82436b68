//! export-table and import-table through the executor against moto: the schema saved beside
//! the export, the import's key schema as sent, items counted equal, PITR on afterwards, no
//! second write on a second run; and the import with the primary region's endpoint dead.

use std::collections::BTreeSet;
use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::action::{Executor, ExecutorOptions, Status};
use drconsole::cloud::aws::AwsOptions;
use drconsole::cloud::{Backups, Cloud, Storage, TableSchema, WriteRequest};

use crate::common::{self, BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST};
use crate::helpers::*;

const TABLE: &str = "flightdata-main";
const BUCKET: &str = "flightdata-backups";
const PREFIX: &str = "dynamodb-exports/flightdata-main/manual";

fn fast() -> ExecutorOptions {
    ExecutorOptions {
        poll_every: Some(Duration::from_millis(100)),
        ..in_account()
    }
}

/// The plan's source table (keyed by `flight_id`, 9 items, PITR on) and its export bucket in
/// the backup region.
async fn source(env: &MotoEnv) {
    common::create_table(env, EAST, TABLE).await;
    common::put_items(env, EAST, TABLE, 9).await;
    common::enable_pitr(env, EAST, TABLE).await;
    common::create_bucket(env, WEST, BUCKET).await;
}

async fn executor(env: &MotoEnv, dir: &std::path::Path) -> Executor {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    executor_in(cloud, &example_estate(), dir, fast())
}

/// Exports the source with export-table, previewed first as the CLI and the console run it.
async fn export(env: &MotoEnv, executor: &Executor) {
    let action = action("export-table");
    let args = args(action, &[&format!("prefix={PREFIX}")]);
    let preview = executor.plan(action, TABLE, &args).await.unwrap();
    let outcome = executor
        .run(action, TABLE, &args, None, Some(&preview), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("export-table: {e}"));
    assert_eq!(outcome.status, Status::Done);
    let _ = env;
}

#[tokio::test]
async fn export_table_saves_the_schema_then_a_completed_export_and_a_second_run_sends_nothing() {
    let env = common::moto().await;
    source(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;
    export(&env, &executor).await;
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "export-table", "succeeded"),
        ["PutObject", "ExportTableToPointInTime"],
        "the schema is saved before the export starts"
    );
    let journal = entries(dir.path());
    let waited = of_kind(&journal, "wait_finished");
    assert_eq!(waited.len(), 1, "{journal:#?}");
    assert_eq!(waited[0].payload["ok"], true, "{:#?}", waited[0]);

    let cloud = env.cloud().await;
    let saved = cloud
        .get_object(WEST, BUCKET, &format!("{PREFIX}/schema.json"))
        .await
        .unwrap();
    let schema: TableSchema = serde_json::from_slice(&saved).unwrap();
    assert_eq!(schema.table, TABLE);
    assert_eq!(schema.key_schema[0].attribute, "flight_id");
    assert!(schema.pitr_enabled);
    let arn = cloud.describe_table(EAST, TABLE).await.unwrap().arn;
    let exports = cloud.list_exports(EAST, &arn).await.unwrap();
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert_eq!(exports[0].status, "COMPLETED");
    assert_eq!(
        exports[0].prefix.as_deref(),
        Some(PREFIX),
        "no trailing '/'"
    );
    let data = cloud
        .list_objects(WEST, BUCKET, Some(&format!("{PREFIX}/AWSDynamoDB/")), None)
        .await
        .unwrap();
    assert!(
        data.iter().all(|o| !o.key.contains("//")),
        "moto joins a prefix ending in '/' with another: {data:?}"
    );

    env.start_recording();
    let again = run(
        &executor,
        "export-table",
        TABLE,
        &[&format!("prefix={PREFIX}")],
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new(), "no second write");
}

/// The way home after a failover: the backup region's copy (here with the estate table's
/// name, as a failover imports it) exported from there, and imported into the primary.
#[tokio::test]
async fn export_table_with_region_backup_exports_the_backup_regions_table() {
    let env = common::moto().await;
    common::create_table(&env, WEST, TABLE).await;
    common::put_items(&env, WEST, TABLE, 7).await;
    common::enable_pitr(&env, WEST, TABLE).await;
    common::create_bucket(&env, WEST, BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;
    let prefix = "dynamodb-exports/flightdata-main/failback";

    env.start_recording();
    let done = run(
        &executor,
        "export-table",
        TABLE,
        &[&format!("prefix={prefix}"), &format!("region={WEST}")],
    )
    .await
    .unwrap_or_else(|e| panic!("export-table: {e}"));
    let recorded = env.stop_recording();
    assert_eq!(done.status, Status::Done);
    let export = recorded
        .iter()
        .find(|r| r.operation() == "ExportTableToPointInTime")
        .expect("an ExportTableToPointInTime request");
    assert_eq!(export.region.as_deref(), Some(WEST), "{export:?}");
    assert!(
        export.body.contains(&format!(":{WEST}:")),
        "the backup region's table ARN: {}",
        export.body
    );
    // The account guard's GetCallerIdentity is the only call signed for us-east-1.
    let east: Vec<String> = recorded
        .iter()
        .filter(|r| r.region.as_deref() == Some(EAST) && r.operation() != "GetCallerIdentity")
        .map(|r| r.operation())
        .collect();
    assert_eq!(east, Vec::<String>::new(), "nothing asked of the primary");

    let pairs = [
        &format!("export=s3://{BUCKET}/{prefix}") as &str,
        "new-name=flightdata-main-home",
        &format!("region={EAST}"),
    ];
    let outcome = run(&executor, "import-table", TABLE, &pairs)
        .await
        .unwrap_or_else(|e| panic!("import-table: {e}"));
    assert_eq!(outcome.status, Status::Done);
    let cloud = env.cloud().await;
    assert_eq!(
        cloud
            .count_items(EAST, "flightdata-main-home", 3)
            .await
            .unwrap(),
        7
    );
}

#[tokio::test]
async fn export_table_refuses_a_table_without_pitr_before_sending_anything() {
    let env = common::moto().await;
    common::create_table(&env, EAST, TABLE).await;
    common::create_bucket(&env, WEST, BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;
    env.start_recording();
    let err = run(&executor, "export-table", TABLE, &[])
        .await
        .unwrap_err();
    let recorded = env.stop_recording();
    assert!(err.to_string().contains("run enable-pitr first"), "{err}");
    assert_eq!(writes(&recorded), Vec::<String>::new());
}

#[tokio::test]
async fn import_table_makes_the_table_from_the_export_with_its_key_schema_and_pitr() {
    let env = common::moto().await;
    source(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;
    export(&env, &executor).await;

    let pairs = [
        &format!("export=s3://{BUCKET}/{PREFIX}") as &str,
        "new-name=flightdata-main-imported",
    ];
    let action = action("import-table");
    let preview = executor
        .plan(action, TABLE, &args(action, &pairs))
        .await
        .unwrap();
    assert!(
        preview.notes.iter().any(|n| n.starts_with("data loss:")),
        "{:#?}",
        preview.notes
    );
    env.start_recording();
    let outcome = executor
        .run(
            action,
            TABLE,
            &args(action, &pairs),
            None,
            Some(&preview),
            &|_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("import-table: {e}"));
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "import-table", "succeeded"),
        ["ImportTable", "UpdateContinuousBackups"],
        "the source had PITR only: nothing else to put back"
    );
    let import = recorded
        .iter()
        .find(|r| r.operation() == "ImportTable")
        .expect("an ImportTable request");
    assert_eq!(import.region.as_deref(), Some(WEST), "the backup region");
    let body: serde_json::Value = serde_json::from_str(&import.body).unwrap();
    let params = &body["TableCreationParameters"];
    assert_eq!(
        params["KeySchema"],
        serde_json::json!([{"AttributeName": "flight_id", "KeyType": "HASH"}])
    );
    assert_eq!(
        params["AttributeDefinitions"],
        serde_json::json!([{"AttributeName": "flight_id", "AttributeType": "S"}])
    );
    let folder = body["S3BucketSource"]["S3KeyPrefix"].as_str().unwrap();
    assert!(
        folder.starts_with(&format!("{PREFIX}/AWSDynamoDB/")) && folder.ends_with("/data/"),
        "{folder}"
    );

    let cloud = env.cloud().await;
    let new = "flightdata-main-imported";
    assert_eq!(
        cloud.count_items(WEST, new, 3).await.unwrap(),
        cloud.count_items(EAST, TABLE, 3).await.unwrap(),
        "every item of the export"
    );
    assert!(pitr_enabled(&env, WEST, new).await, "re-protected");

    env.start_recording();
    let again = run(&executor, "import-table", TABLE, &pairs).await.unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert_eq!(writes(&recorded), Vec::<String>::new(), "no second write");
}

#[tokio::test]
async fn import_table_plans_every_protection_the_source_had() {
    let env = common::moto().await;
    source(&env).await;
    let ddb = env.dynamodb(EAST).await;
    let arn = ddb
        .describe_table()
        .table_name(TABLE)
        .send()
        .await
        .unwrap()
        .table()
        .unwrap()
        .table_arn()
        .unwrap()
        .to_owned();
    ddb.tag_resource()
        .resource_arn(&arn)
        .tags(
            aws_sdk_dynamodb::types::Tag::builder()
                .key("team")
                .value("flight")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;
    export(&env, &executor).await;
    let action = action("import-table");
    let plan = executor
        .plan(action, TABLE, &args(action, &[]))
        .await
        .unwrap();
    let new = plan.args.get("new-name").unwrap().to_owned();
    assert!(new.starts_with("flightdata-main-imported-"), "{new}");
    assert_eq!(plan.args.get("region"), Some(WEST));
    let ops: Vec<&str> = plan.requests.iter().map(|r| r.operation()).collect();
    assert_eq!(
        ops,
        ["ImportTable", "UpdateContinuousBackups", "TagResource"]
    );
    let WriteRequest::TagTable {
        table_arn, tags, ..
    } = &plan.requests[2]
    else {
        panic!("{plan:#?}")
    };
    assert_eq!(
        table_arn,
        &format!("arn:aws:dynamodb:{WEST}:123456789012:table/{new}")
    );
    assert_eq!(tags.get("team").map(String::as_str), Some("flight"));
    assert!(
        plan.args
            .get("export")
            .unwrap()
            .starts_with(&format!("s3://{BUCKET}/dynamodb-exports/flightdata-main/")),
        "the newest export under the estate's export bucket: {:?}",
        plan.args
    );
}

/// A listener that takes connections and never answers. It keeps each request's head: the
/// SDK's `amz-sdk-invocation-id` is the same on every attempt of one call, so it tells calls
/// from their retries.
fn dead_listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut head = vec![0u8; 8192];
            let n = stream.read(&mut head).unwrap_or(0);
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head[..n]).into_owned());
            held.push(stream);
        }
    });
    (url, heads)
}

/// The distinct calls among the request heads, by their invocation id.
fn calls(heads: &[String]) -> BTreeSet<String> {
    heads
        .iter()
        .map(|h| {
            h.lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("amz-sdk-invocation-id")
                        .then(|| value.trim().to_owned())
                })
                .unwrap_or_else(|| h.lines().next().unwrap_or_default().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn with_the_primary_dead_an_export_in_the_backup_region_is_imported_and_protected() {
    let env = common::moto().await;
    source(&env).await;
    {
        // Made beforehand, while the primary answered.
        let dir = tempfile::tempdir().unwrap();
        let executor = executor(&env, dir.path()).await;
        export(&env, &executor).await;
    }
    let (dead, heads) = dead_listener();
    let options = AwsOptions {
        call_timeout: Duration::from_secs(2),
        ..common::test_options()
    };
    let cloud: Arc<dyn Cloud> = Arc::new(
        env.cloud_with(options)
            .await
            .with_region_endpoint(EAST, &dead),
    );
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &example_estate(), dir.path(), fast());

    let started = std::time::Instant::now();
    let outcome = run(
        &executor,
        "import-table",
        TABLE,
        &[
            &format!("export=s3://{BUCKET}/{PREFIX}"),
            "new-name=flightdata-main-west",
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("import-table with the primary dead: {e}"));
    assert_eq!(outcome.status, Status::Done);
    assert!(pitr_enabled(&env, WEST, "flightdata-main-west").await);
    let heads = heads.lock().unwrap().clone();
    let calls = calls(&heads);
    // The account guard asks STS in both regions at once: that call is the one expected.
    assert!(
        calls.len() <= 1,
        "{} calls to the dead primary: {heads:#?}",
        calls.len()
    );
    eprintln!(
        "dead primary: {} call(s), {} connection(s), run took {:?}",
        calls.len(),
        heads.len(),
        started.elapsed()
    );
}
