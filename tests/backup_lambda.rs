//! `drconsole backup lambda` as cron runs it, against moto: each function's configuration and
//! code in today's dated folder, in `latest/` and in the backup region's copy, with the same
//! bytes; `validate`'s functions check finds them; a function whose code cannot be had is a
//! warning with its configuration saved; a second run the same day writes nothing; `--dry-run`
//! lists what a real run sends.
//!
//! moto's `Code.Location` names an AWS host that does not resolve here, so no code can be
//! downloaded: where a test needs the code, it is seeded into today's dated folders as an
//! interrupted earlier run would have left it (the package the function was created from).

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::path::{Path, PathBuf};

use drconsole::action::Context;
use drconsole::cloud::{Cloud, Identity};
use drconsole::config::ValidateSettings;
use drconsole::drill::validate::{self, Verdict};
use serde_json::Value;

use common::{
    BACKUP_REGION as WEST, LAMBDA_BACKUPS_BUCKET, LAMBDA_BACKUPS_PREFIX, LAMBDA_COPY_BUCKET,
    LAMBDA_ROLE_NAME, MotoEnv, PRIMARY_REGION as EAST, run,
};
use helpers::{is_write, writes};

const FUNCTIONS: [&str; 2] = ["flightdata-api", "flightdata-processor"];

fn estate_toml() -> String {
    format!(
        r#"name = "Flight Data Pipeline"
[regions]
primary = "{EAST}"
backup = "{WEST}"
[lambda]
functions = ["{}", "{}"]
backup_bucket = "{LAMBDA_BACKUPS_BUCKET}"
backup_prefix = "{LAMBDA_BACKUPS_PREFIX}"
backup_copy_bucket = "{LAMBDA_COPY_BUCKET}"
"#,
        FUNCTIONS[0], FUNCTIONS[1]
    )
}

/// The functions and both backup buckets; the estate file and a data directory in `dir`.
async fn seeded(env: &MotoEnv, dir: &Path) -> (PathBuf, PathBuf) {
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    for f in FUNCTIONS {
        common::create_function(env, EAST, f, &role).await;
    }
    common::create_bucket(env, EAST, LAMBDA_BACKUPS_BUCKET).await;
    common::create_bucket(env, WEST, LAMBDA_COPY_BUCKET).await;
    let estate = dir.join("estate.toml");
    std::fs::write(&estate, estate_toml()).unwrap();
    (estate, dir.join("data"))
}

fn today() -> String {
    chrono::Utc::now().format("%Y%m%d").to_string()
}

fn folder(day: &str, function: &str) -> String {
    format!("{LAMBDA_BACKUPS_PREFIX}{day}/{function}/")
}

/// Today's code packages, as an interrupted run would have left them in both buckets.
async fn seed_todays_code(env: &MotoEnv) {
    for (region, bucket) in [(EAST, LAMBDA_BACKUPS_BUCKET), (WEST, LAMBDA_COPY_BUCKET)] {
        let objects = FUNCTIONS
            .iter()
            .map(|f| {
                (
                    format!("{}{f}-code.zip", folder(&today(), f)),
                    common::handler_zip(f),
                )
            })
            .collect();
        common::put_objects(env, region, bucket, objects).await;
    }
}

fn backup_cmd(env: &MotoEnv, estate: &Path, data: &Path, extra: &[&str]) -> assert_cmd::Command {
    env.backup(estate, data, &[&["lambda", "--json"][..], extra].concat())
}

fn record(stdout: &str) -> Value {
    common::from_json(stdout)
}

fn item<'a>(record: &'a Value, target: &str) -> &'a Value {
    record["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["target"] == target)
        .unwrap_or_else(|| panic!("no item for {target}: {record:#}"))
}

/// Every request line of every step of the record, in order.
fn requests(record: &Value) -> Vec<String> {
    record["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["steps"].as_array().cloned().unwrap_or_default())
        .flat_map(|s| s["requests"].as_array().cloned().unwrap_or_default())
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

async fn keys(env: &MotoEnv, region: &str, bucket: &str, prefix: &str) -> Vec<String> {
    let listed = env
        .s3(region)
        .await
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

async fn bytes(env: &MotoEnv, region: &str, bucket: &str, key: &str) -> Vec<u8> {
    let out = env
        .s3(region)
        .await
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e:?}"));
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

async fn code_sha256(env: &MotoEnv, function: &str) -> String {
    env.lambda(EAST)
        .await
        .get_function()
        .function_name(function)
        .send()
        .await
        .unwrap()
        .configuration()
        .and_then(|c| c.code_sha256())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_dated_latest_and_backup_region_copies_hold_the_same_bytes_and_validate_passes() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let record = record(&stdout);
    assert_eq!(record["verdict"], "pass", "{record:#}");

    let day = today();
    for f in FUNCTIONS {
        let it = item(&record, f);
        assert_eq!(it["status"], "done", "{it:#}");
        let sha = code_sha256(&env, f).await;
        assert_eq!(it["figures"]["code_sha256"], sha.as_str(), "{it:#}");
        assert_eq!(it["figures"]["copy_code_sha256"], sha.as_str(), "{it:#}");
        assert_eq!(it["figures"]["function_sha256"], sha.as_str(), "{it:#}");
        for (region, bucket) in [(EAST, LAMBDA_BACKUPS_BUCKET), (WEST, LAMBDA_COPY_BUCKET)] {
            for file in ["config.json", "code.zip"] {
                let dated = format!("{}{f}-{file}", folder(&day, f));
                let latest = format!("{}{f}-{file}", folder("latest", f));
                let (d, l) = (
                    bytes(&env, region, bucket, &dated).await,
                    bytes(&env, region, bucket, &latest).await,
                );
                assert!(!d.is_empty(), "s3://{bucket}/{dated} is empty");
                assert_eq!(d, l, "s3://{bucket}/{latest} is not a copy of {dated}");
            }
        }
        // The configuration saved is the function's, without the presigned code URL.
        let config = bytes(
            &env,
            EAST,
            LAMBDA_BACKUPS_BUCKET,
            &format!("{}{f}-config.json", folder(&day, f)),
        )
        .await;
        let config = String::from_utf8(config).unwrap();
        assert!(
            config.contains(f) && !config.contains("amazonaws.com/"),
            "{config}"
        );
    }

    // validate's functions check reads what was written, in both buckets.
    let text = std::fs::read_to_string(&estate).unwrap();
    let estate = drconsole::config::parse(&text, &estate).unwrap();
    let cloud = env.cloud().await;
    let ctx = Context {
        cloud: &cloud,
        estate: &estate,
        now: cloud.now(),
    };
    let found = validate::functions::check(&ctx, &ValidateSettings::default()).await;
    assert_eq!(found.len(), 8, "{found:#?}");
    assert!(
        found.iter().all(|f| f.verdict == Verdict::Pass),
        "{found:#?}"
    );
}

#[tokio::test]
async fn a_function_whose_code_cannot_be_had_warns_exits_1_and_keeps_its_configuration() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 1);
    let record = record(&stdout);
    assert_eq!(record["verdict"], "warn", "{record:#}");
    let day = today();
    for f in FUNCTIONS {
        let it = item(&record, f);
        assert_eq!(it["status"], "warning", "{it:#}");
        let detail = it["detail"].as_str().unwrap();
        assert!(
            detail.contains("configuration only") && detail.contains("cannot restore the function"),
            "{detail}"
        );
        for (region, bucket) in [(EAST, LAMBDA_BACKUPS_BUCKET), (WEST, LAMBDA_COPY_BUCKET)] {
            assert_eq!(
                keys(&env, region, bucket, &folder(&day, f)).await,
                [format!("{}{f}-config.json", folder(&day, f))]
            );
            // latest/ is never a configuration without its code.
            assert!(
                keys(&env, region, bucket, &folder("latest", f))
                    .await
                    .is_empty()
            );
        }
    }
}

#[tokio::test]
async fn one_function_that_fails_is_reported_and_the_others_are_still_backed_up() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;
    env.lambda(EAST)
        .await
        .delete_function()
        .function_name(FUNCTIONS[1])
        .send()
        .await
        .unwrap();

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 2);
    let record = record(&stdout);
    assert_eq!(
        item(&record, FUNCTIONS[1])["status"],
        "failed",
        "{record:#}"
    );
    assert_eq!(item(&record, FUNCTIONS[0])["status"], "done", "{record:#}");
}

#[tokio::test]
async fn a_second_run_the_same_day_sends_no_put_object() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;
    run(&mut backup_cmd(&env, &estate, &data, &[]), 0);

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let sent = env.stop_recording();
    assert!(
        !sent.iter().any(is_write),
        "a second run wrote: {:?}",
        writes(&sent)
    );
    let record = record(&stdout);
    for f in FUNCTIONS {
        assert_eq!(item(&record, f)["status"], "unchanged", "{record:#}");
    }
}

#[tokio::test]
async fn an_interrupted_run_that_left_latest_behind_is_finished_by_the_next() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;
    run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    // As if the run had stopped after the dated folder: latest/ is yesterday's.
    let stale = common::zip_one_file("index.py", b"def handler(e, c):\n    return 0\n");
    let key = format!(
        "{}{}-code.zip",
        folder("latest", FUNCTIONS[0]),
        FUNCTIONS[0]
    );
    common::put_objects(
        &env,
        EAST,
        LAMBDA_BACKUPS_BUCKET,
        vec![(key.clone(), stale)],
    )
    .await;

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let record = record(&stdout);
    assert_eq!(
        requests(&record),
        [format!(
            "upload s3://{LAMBDA_BACKUPS_BUCKET}/{key} ({} bytes) in {EAST}",
            common::handler_zip(FUNCTIONS[0]).len()
        )]
    );
    assert_eq!(
        bytes(&env, EAST, LAMBDA_BACKUPS_BUCKET, &key).await,
        common::handler_zip(FUNCTIONS[0])
    );
}

#[tokio::test]
async fn dry_run_lists_exactly_what_a_real_run_sends_and_sends_nothing() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &["--dry-run"]), 0);
    let sent = env.stop_recording();
    assert!(!sent.iter().any(is_write), "{:?}", writes(&sent));
    let planned = record(&stdout);
    assert_eq!(planned["dry_run"], true);
    for f in FUNCTIONS {
        assert_eq!(item(&planned, f)["status"], "would-do", "{planned:#}");
    }

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);
    let done = record(&stdout);
    let listed = requests(&planned);
    // Per function and bucket: the configuration, then latest/'s two files.
    assert_eq!(listed.len(), FUNCTIONS.len() * 2 * 3, "{listed:#?}");
    assert_eq!(listed, requests(&done));
}

#[test]
fn on_the_simulation_every_function_is_backed_up_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG")
        .args(["--demo", "backup", "lambda", "--json"]);
    let (stdout, _) = run(&mut cmd, 0);
    let record = record(&stdout);
    assert_eq!(record["mode"], "simulation", "{record:#}");
    let items = record["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for it in items {
        assert!(
            it["figures"]["code_sha256"].is_string(),
            "no code in the backup: {it:#}"
        );
        assert_eq!(
            it["figures"]["code_sha256"], it["figures"]["function_sha256"],
            "{it:#}"
        );
    }
}

#[tokio::test]
async fn the_health_probe_reads_the_dated_folder_not_its_latest_copy() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;
    run(&mut backup_cmd(&env, &estate, &data, &[]), 0);

    let mut cmd = env.drconsole();
    cmd.env("DRCONSOLE_DATA_DIR", &data)
        .arg("status")
        .arg("--config")
        .arg(&estate)
        .arg("--json");
    let out = cmd.output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    for f in FUNCTIONS {
        let facts = &doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == "function" && r["name"] == f)
            .unwrap_or_else(|| panic!("no function {f}: {doc:#}"))["facts"];
        assert_eq!(
            facts["backup_location"],
            format!("s3://{LAMBDA_BACKUPS_BUCKET}/{}", folder(&today(), f)),
            "{facts:#}"
        );
        assert_eq!(facts["backup_has_code"], true, "{facts:#}");
    }
}

#[tokio::test]
async fn backup_function_for_an_older_day_never_rolls_latest_back() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate_path, data) = seeded(&env, dir.path()).await;
    seed_todays_code(&env).await;
    run(&mut backup_cmd(&env, &estate_path, &data, &[]), 0);
    // An older day's folder, whole, as a backup made then would be.
    let day = "20200101";
    let f = FUNCTIONS[0];
    let old = vec![
        (format!("{}{f}-config.json", folder(day, f)), b"{}".to_vec()),
        (
            format!("{}{f}-code.zip", folder(day, f)),
            common::zip_one_file("index.py", b"old"),
        ),
    ];
    common::put_objects(&env, EAST, LAMBDA_BACKUPS_BUCKET, old.clone()).await;
    common::put_objects(&env, WEST, LAMBDA_COPY_BUCKET, old).await;

    let text = std::fs::read_to_string(&estate_path).unwrap();
    let estate = drconsole::config::parse(&text, &estate_path).unwrap();
    let cloud: std::sync::Arc<dyn Cloud> = std::sync::Arc::new(env.cloud().await);
    let journal = tempfile::tempdir().unwrap();
    let executor = helpers::executor_in(cloud, &estate, journal.path(), helpers::in_account());
    let outcome = helpers::run(
        &executor,
        "backup-function",
        f,
        &[&format!("date={day}"), "latest=yes"],
    )
    .await
    .unwrap();
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("is left as it is") && n.contains(&today())),
        "{:#?}",
        outcome.notes
    );
    let latest = format!("{}{f}-code.zip", folder("latest", f));
    assert_eq!(
        bytes(&env, EAST, LAMBDA_BACKUPS_BUCKET, &latest).await,
        common::handler_zip(f)
    );
}
