//! `drconsole backup s3-replication` against moto: a bucket with no rule gets versioning, its
//! replica in the backup region (made and versioned before the rule that names it) and the
//! plan's V2 rule with Replication Time Control and metrics; a second run writes nothing; the
//! objects already in a bucket when its rule is put are counted, since S3 replicates only
//! what is written after; `--dry-run` lists what a real run sends.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{
    BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST, REPLICATION_ROLE, replica_of, run,
};
use helpers::{is_write, writes};

const BUCKET: &str = "flightdata-raw";

fn estate_toml() -> String {
    format!(
        r#"name = "Flight Data Pipeline"
[regions]
primary = "{EAST}"
backup = "{WEST}"
[s3]
replication_role = "{REPLICATION_ROLE}"
[[s3.buckets]]
name = "{BUCKET}"
replica = "{}"
[[s3.buckets]]
name = "flightdata-scratch"
replicate = false
"#,
        replica_of(BUCKET)
    )
}

/// The source bucket alone: unversioned, no replica, no rule.
async fn seeded(env: &MotoEnv, dir: &Path) -> (PathBuf, PathBuf) {
    common::create_bucket(env, EAST, BUCKET).await;
    let estate = dir.join("estate.toml");
    std::fs::write(&estate, estate_toml()).unwrap();
    (estate, dir.join("data"))
}

fn backup_cmd(env: &MotoEnv, estate: &Path, data: &Path, extra: &[&str]) -> assert_cmd::Command {
    env.backup(
        estate,
        data,
        &[&["s3-replication", "--json"][..], extra].concat(),
    )
}

fn record(stdout: &str) -> Value {
    common::from_json(stdout)
}

fn only_item(record: &Value) -> &Value {
    let items = record["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the replicated bucket: {record:#}");
    assert_eq!(items[0]["target"], BUCKET);
    &items[0]
}

fn requests(item: &Value) -> Vec<String> {
    item["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["requests"].as_array().cloned().unwrap_or_default())
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_bucket_with_no_rule_gets_the_replica_first_then_the_plans_rule_with_rtc() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let sent = env.stop_recording();
    let record = record(&stdout);
    let item = only_item(&record);
    assert_eq!(item["status"], "done", "{item:#}");

    // AWS refuses a rule to a missing or unversioned destination: the replica comes first.
    let replica = replica_of(BUCKET);
    let order: Vec<String> = sent
        .iter()
        .filter(|r| is_write(r))
        .map(|r| {
            let what = if r.url.contains("?replication") {
                "rule"
            } else if r.url.contains("?versioning") {
                "versioning"
            } else {
                "create"
            };
            let bucket = r
                .path()
                .trim_start_matches('/')
                .split(['/', '?'])
                .next()
                .unwrap();
            format!("{what} {bucket}")
        })
        .collect();
    assert_eq!(
        order,
        [
            format!("create {replica}"),
            format!("versioning {replica}"),
            format!("versioning {BUCKET}"),
            format!("rule {BUCKET}"),
        ],
        "{:?}",
        writes(&sent)
    );
    let rule = sent
        .iter()
        .find(|r| r.url.contains("?replication") && is_write(r))
        .unwrap();
    for part in [
        "<ReplicationTime><Status>Enabled</Status>",
        "<Metrics><Status>Enabled</Status>",
        "<Filter>",
    ] {
        assert!(rule.body.contains(part), "{part} not in {}", rule.body);
    }

    // moto's state.
    assert_eq!(
        env.raw_versioning_status(EAST, BUCKET).as_deref(),
        Some("Enabled")
    );
    assert_eq!(
        env.raw_versioning_status(WEST, &replica).as_deref(),
        Some("Enabled")
    );
    let config = env
        .s3(EAST)
        .await
        .get_bucket_replication()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    let rules = config.replication_configuration().unwrap().rules();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        rules[0].destination().unwrap().bucket(),
        format!("arn:aws:s3:::{replica}")
    );

    // The state before and after, as read.
    assert_eq!(
        item["figures"]["before"]["replica_exists"], false,
        "{item:#}"
    );
    assert_eq!(item["figures"]["before"]["rule"], Value::Null, "{item:#}");
    assert_eq!(item["figures"]["after"]["replica_exists"], true, "{item:#}");
    assert_eq!(
        item["figures"]["after"]["versioning"], "Enabled",
        "{item:#}"
    );
    let after_rule = &item["figures"]["after"]["rule"]["rules"][0];
    assert_eq!(after_rule["replication_time"], true, "{item:#}");
    assert_eq!(after_rule["metrics"], true, "{item:#}");
    assert_eq!(item["figures"]["unreplicated_objects"], 0, "{item:#}");
}

#[tokio::test]
async fn a_second_run_sends_no_write_and_says_unchanged() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    run(&mut backup_cmd(&env, &estate, &data, &[]), 0);

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let sent = env.stop_recording();
    assert!(!sent.iter().any(is_write), "{:?}", writes(&sent));
    let record = record(&stdout);
    let item = only_item(&record);
    assert_eq!(item["status"], "unchanged", "{item:#}");
    assert!(requests(item).is_empty(), "{item:#}");
}

#[tokio::test]
async fn objects_already_in_the_bucket_when_the_rule_is_put_are_counted_in_a_warning() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    common::put_objects(&env, EAST, BUCKET, common::data_objects(3)).await;

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 1);
    let record = record(&stdout);
    let item = only_item(&record);
    assert_eq!(item["status"], "warning", "{item:#}");
    assert_eq!(item["figures"]["unreplicated_objects"], 3, "{item:#}");
    let detail = item["detail"].as_str().unwrap();
    assert!(
        detail.contains("3 existing object(s)") && detail.contains("S3 Batch Replication"),
        "{detail}"
    );
}

#[tokio::test]
async fn dry_run_lists_exactly_what_a_real_run_sends_and_sends_nothing() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    common::put_objects(&env, EAST, BUCKET, common::data_objects(2)).await;

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &["--dry-run"]), 0);
    let sent = env.stop_recording();
    assert!(!sent.iter().any(is_write), "{:?}", writes(&sent));
    let planned = record(&stdout);
    let item = only_item(&planned);
    assert_eq!(item["status"], "would-do", "{item:#}");
    assert!(
        item["detail"]
            .as_str()
            .unwrap()
            .contains("2 existing object(s)"),
        "{item:#}"
    );
    let listed = requests(item);
    assert_eq!(listed.len(), 4, "{listed:#?}");

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 1);
    assert_eq!(listed, requests(only_item(&record(&stdout))));
}

#[test]
fn on_the_simulation_the_replicated_buckets_are_already_as_the_plan_says_or_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG")
        .args(["--demo", "backup", "s3-replication", "--json"]);
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let record = record(&stdout);
    assert_eq!(record["mode"], "simulation", "{record:#}");
    let items = record["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for it in items {
        assert!(
            !matches!(it["status"].as_str(), Some("failed" | "unknown")),
            "{it:#}"
        );
    }
}

#[tokio::test]
async fn the_plans_rule_without_rtc_is_replaced_and_what_it_copied_is_not_called_left_behind() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    let replica = replica_of(BUCKET);
    common::create_bucket(&env, WEST, &replica).await;
    common::enable_versioning(&env, WEST, &replica).await;
    common::enable_versioning(&env, EAST, BUCKET).await;
    common::put_replication(&env, EAST, BUCKET, &replica).await;
    // What the earlier rule copied (moto never replicates: written to both by hand).
    let objects = common::data_objects(3);
    common::put_objects(&env, EAST, BUCKET, objects.clone()).await;
    common::put_objects(&env, WEST, &replica, objects).await;

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let record = record(&stdout);
    let item = only_item(&record);
    assert_eq!(item["status"], "done", "{item:#}");
    assert_eq!(
        requests(item),
        [format!(
            "replace the replication configuration of bucket {BUCKET} (1 rule(s), to {replica}) \
             in {EAST}"
        )]
    );
    assert_eq!(item["figures"]["earlier_rule_to_replica"], true, "{item:#}");
    assert_eq!(item["figures"]["unreplicated_objects"], 0, "{item:#}");
    assert_eq!(
        item["figures"]["before"]["rule"]["rules"][0]["replication_time"], false,
        "{item:#}"
    );
}
