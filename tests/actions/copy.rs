//! copy-from-replica and check-access against moto through the executor: a copy that
//! resumes, multipart above a (lowered) size, archived objects, and reads judged one by one.

use std::sync::Arc;

use aws_sdk_s3::types::StorageClass;
use drconsole::action::{Executor, Report, Status, catalogue};
use drconsole::cloud::Cloud;

use crate::common::{self, BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST};
use crate::helpers::*;

const BUCKET: &str = "flightdata-raw";
const REPLICA: &str = "flightdata-raw-backup-us-west-2";

async fn executor(env: &MotoEnv, dir: &std::path::Path) -> Executor {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    executor_in(cloud, &example_estate(), dir, in_account())
}

async fn put(
    env: &MotoEnv,
    region: &str,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    class: StorageClass,
) {
    env.s3(region)
        .await
        .put_object()
        .bucket(bucket)
        .key(key)
        .storage_class(class)
        .body(body.into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObject {key}: {e:?}"));
}

async fn keys(env: &MotoEnv, region: &str, bucket: &str) -> Vec<String> {
    env.s3(region)
        .await
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// The primary bucket and its replica, the replica holding `count` objects of which the
/// first two are already in the primary.
async fn seed(env: &MotoEnv, count: usize) {
    common::create_bucket(env, EAST, BUCKET).await;
    common::create_bucket(env, WEST, REPLICA).await;
    let objects = common::data_objects(count);
    common::put_objects(env, WEST, REPLICA, objects.clone()).await;
    common::put_objects(env, EAST, BUCKET, objects[..2].to_vec()).await;
}

async fn check(executor: &Executor, target: &str) -> Report {
    let check = catalogue::find_check("check-access").unwrap();
    executor
        .check(check, target, &Default::default(), &|_| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn copy_from_replica_copies_what_is_missing_and_a_second_run_copies_nothing() {
    let env = common::moto().await;
    seed(&env, 12).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    env.start_recording();
    let outcome = run(&executor, "copy-from-replica", BUCKET, &[])
        .await
        .unwrap();
    let sent = env.stop_recording();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    assert_eq!(keys(&env, EAST, BUCKET).await.len(), 12);
    let copies = sent
        .iter()
        .filter(|r| r.method == "PUT" && r.header("x-amz-copy-source").is_some())
        .count();
    assert_eq!(copies, 10, "the two already there are skipped");
    // The journal names the objects each batch copied.
    let journalled = entries(dir.path());
    let requests = of_kind(&journalled, "request_sent");
    assert_eq!(requests.len(), 1, "one batch");
    let listed = requests[0].payload.to_string();
    assert!(
        listed.contains("part-00011.json") && !listed.contains("part-00000.json"),
        "{listed}"
    );

    env.start_recording();
    let again = run(&executor, "copy-from-replica", BUCKET, &[])
        .await
        .unwrap();
    assert_eq!(
        writes(&env.stop_recording()),
        Vec::<String>::new(),
        "no CopyObject"
    );
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
}

#[tokio::test]
async fn copy_from_replica_copies_in_parts_above_the_threshold() {
    let env = common::moto().await;
    common::create_bucket(&env, EAST, BUCKET).await;
    common::create_bucket(&env, WEST, REPLICA).await;
    put(
        &env,
        WEST,
        REPLICA,
        "big.bin",
        vec![7; 4096],
        StorageClass::Standard,
    )
    .await;
    put(
        &env,
        WEST,
        REPLICA,
        "small.bin",
        vec![1; 10],
        StorageClass::Standard,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    env.start_recording();
    let outcome = run(
        &executor,
        "copy-from-replica",
        BUCKET,
        &["multipart-above=1024"],
    )
    .await
    .unwrap();
    let sent = env.stop_recording();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    let part_copies: Vec<&str> = sent
        .iter()
        .filter(|r| r.url.contains("UploadPartCopy"))
        .map(|r| r.path())
        .collect();
    assert_eq!(part_copies.len(), 1, "{sent:?}");
    assert!(part_copies[0].contains("big.bin"));
    assert_eq!(keys(&env, EAST, BUCKET).await, ["big.bin", "small.bin"]);
}

#[tokio::test]
async fn copy_from_replica_lists_glacier_objects_or_asks_for_their_restore() {
    let env = common::moto().await;
    common::create_bucket(&env, EAST, BUCKET).await;
    common::create_bucket(&env, WEST, REPLICA).await;
    put(
        &env,
        WEST,
        REPLICA,
        "cold.json",
        b"[]".to_vec(),
        StorageClass::Glacier,
    )
    .await;
    put(
        &env,
        WEST,
        REPLICA,
        "warm.json",
        b"{}".to_vec(),
        StorageClass::Standard,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let outcome = run(&executor, "copy-from-replica", BUCKET, &[])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(keys(&env, EAST, BUCKET).await, ["warm.json"]);
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("cold.json") && n.contains("GLACIER") && n.contains("restore")),
        "{:?}",
        outcome.notes
    );

    env.start_recording();
    let restore = run(
        &executor,
        "copy-from-replica",
        BUCKET,
        &["restore-archived=true"],
    )
    .await
    .unwrap();
    let sent = env.stop_recording();
    assert_eq!(restore.status, Status::Done, "{restore:#?}");
    let restores: Vec<&str> = sent
        .iter()
        .filter(|r| r.url.contains("restore"))
        .map(|r| r.path())
        .collect();
    assert_eq!(restores.len(), 1, "{sent:?}");
    assert!(restores[0].contains("cold.json"), "{restores:?}");
    assert!(
        restore
            .notes
            .iter()
            .any(|n| n.contains("being restored from GLACIER")),
        "{:?}",
        restore.notes
    );
}

#[tokio::test]
async fn check_access_passes_for_a_bucket_and_says_not_found_for_a_missing_one() {
    let env = common::moto().await;
    seed(&env, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let report = check(&executor, BUCKET).await;
    assert!(report.passed, "{report:#?}");
    assert_eq!(report.lines.len(), 5, "{:?}", report.lines);
    assert!(
        report.lines.iter().all(|l| l.contains(": ok")),
        "{:?}",
        report.lines
    );

    // In the estate, never created.
    let report = check(&executor, "flightdata-processed").await;
    assert!(!report.passed, "{report:#?}");
    assert!(
        report.lines[0].starts_with("HeadBucket (us-east-1): not found"),
        "{:?}",
        report.lines
    );
}
