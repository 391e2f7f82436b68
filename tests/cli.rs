//! The headless commands as a user runs them: `init` against a moto estate seeded like the plan,
//! and `status --demo` on the simulated estate with no AWS at all.

mod common;

use assert_cmd::Command;
use common::{
    ALARMS, API_RECORD, BACKUPS_BUCKET, DATA_BUCKETS, FUNCTIONS, LAMBDA_BACKUPS_BUCKET,
    LAMBDA_COPY_BUCKET, MotoEnv, TABLES, UNRELATED_FUNCTION, replica_of, run,
    run_with_stdout_closed, seed_plan_estate,
};
use drconsole::config;

fn drconsole(env: &MotoEnv) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").expect("the drconsole binary");
    cmd.envs(env.env_vars());
    for name in common::ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    cmd.env_remove("DRCONSOLE_CONFIG");
    cmd
}

fn names(items: &[toml::Spanned<String>]) -> Vec<String> {
    let mut names: Vec<String> = items.iter().map(|s| s.get_ref().clone()).collect();
    names.sort();
    names
}

fn sorted(items: &[&str]) -> Vec<String> {
    let mut items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
    items.sort();
    items
}

#[tokio::test]
async fn discover_writes_an_estate_that_loads_back_and_names_everything() {
    let env = common::moto().await;
    let seeded = seed_plan_estate(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estate.toml");

    let assert = drconsole(&env)
        .args(["init", "--discover", "--prefix", "flightdata", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "3 tables, 3 buckets (3 replicated), 3 functions, 1 failover records, 3 alarms"
        ),
        "{stdout}"
    );

    let estate = config::load(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(estate.regions.primary.get_ref(), "us-east-1");
    assert_eq!(
        estate.regions.backup.get_ref(),
        "us-west-2",
        "found from the replicas"
    );
    assert_eq!(names(&estate.dynamodb.tables), sorted(&TABLES));
    assert_eq!(
        estate.dynamodb.export_bucket.as_deref(),
        Some(BACKUPS_BUCKET)
    );

    let mut buckets: Vec<(String, Option<String>)> = estate
        .s3
        .buckets
        .iter()
        .map(|b| (b.name.get_ref().clone(), b.replica.clone()))
        .collect();
    buckets.sort();
    let mut expected: Vec<(String, Option<String>)> = DATA_BUCKETS
        .iter()
        .map(|b| ((*b).to_owned(), Some(replica_of(b))))
        .collect();
    expected.sort();
    assert_eq!(
        buckets, expected,
        "data buckets with their replicas; backup stores apart"
    );

    assert_eq!(estate.lambda.prefix.as_deref(), Some("flightdata"));
    assert_eq!(names(&estate.lambda.functions), sorted(&FUNCTIONS));
    assert_eq!(
        estate.lambda.backup_bucket.as_deref(),
        Some(LAMBDA_BACKUPS_BUCKET)
    );
    // The copies outside the primary region are found where they live.
    assert_eq!(
        estate.lambda.backup_copy_bucket.as_deref(),
        Some(LAMBDA_COPY_BUCKET)
    );
    assert_eq!(
        estate
            .lambda
            .ingestion_function
            .as_ref()
            .map(|f| f.get_ref().as_str()),
        Some("flightdata-processor")
    );

    assert_eq!(estate.dns.records.len(), 1);
    assert_eq!(estate.dns.records[0].zone_id, seeded.zone_id);
    assert_eq!(estate.dns.records[0].name.get_ref(), API_RECORD);
    assert_eq!(estate.dns.records[0].record_type, "A");

    assert_eq!(names(&estate.cloudwatch.alarms), sorted(&ALARMS));

    // The plan's matrix, with every discovered resource owned by some service.
    let services: Vec<&str> = estate.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        services,
        [
            "API Gateway + Lambda",
            "Data Ingestion Pipeline",
            "DynamoDB Tables",
            "S3 Data Storage",
            "Athena Analytics",
            "Monitoring/Alerting"
        ]
    );
    for table in TABLES {
        assert!(estate.services_for_table(table).next().is_some(), "{table}");
    }
    for bucket in DATA_BUCKETS {
        assert!(
            estate.services_for_bucket(bucket).next().is_some(),
            "{bucket}"
        );
    }
    for function in FUNCTIONS {
        assert!(
            estate.services_for_function(function).next().is_some(),
            "{function}"
        );
    }
    assert!(estate.services_for_dns(API_RECORD).next().is_some());
    assert_eq!(estate.contacts.len(), 3, "the plan's contact tree");
}

#[tokio::test]
async fn discover_without_a_prefix_takes_every_function() {
    let env = common::moto().await;
    seed_plan_estate(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estate.toml");
    drconsole(&env)
        .args(["init", "--discover", "--out"])
        .arg(&out)
        .assert()
        .success();
    let estate = config::load(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(names(&estate.lambda.functions).contains(&UNRELATED_FUNCTION.to_owned()));
    assert_eq!(estate.lambda.prefix, None);
}

#[tokio::test]
async fn init_refuses_to_overwrite_without_force() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estate.toml");
    std::fs::write(&out, "# mine\n").unwrap();

    let assert = drconsole(&env)
        .args(["init", "--out"])
        .arg(&out)
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("already exists; pass --force to replace it"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "# mine\n",
        "left as it was"
    );

    drconsole(&env)
        .args(["init", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    let estate = config::load(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(estate.name, "Flight Data Pipeline", "the plan's example");
}

#[tokio::test]
async fn a_missing_estate_file_is_exit_code_3_naming_it() {
    let env = common::moto().await;
    let assert = drconsole(&env)
        .args(["status", "--config", "no/such/estate.toml"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("no/such/estate.toml"), "{stderr}");
}

#[tokio::test]
async fn bad_usage_is_exit_code_64_not_a_health_code() {
    let env = common::moto().await;
    drconsole(&env)
        .args(["status", "--no-such-flag"])
        .assert()
        .code(64);
    drconsole(&env).arg("--help").assert().success();
}

/// `drconsole` with no AWS settings, no estate file anywhere it looks, and an endpoint that
/// refuses connections: whatever it prints cannot have come from an account.
fn offline(home: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").expect("the drconsole binary");
    for name in common::ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    for name in ["DRCONSOLE_CONFIG", "XDG_CONFIG_HOME", "AWS_ACCESS_KEY_ID"] {
        cmd.env_remove(name);
    }
    cmd.env("HOME", home.path())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1");
    cmd
}

#[test]
fn demo_status_needs_no_estate_file_and_says_simulation_first() {
    let home = tempfile::tempdir().unwrap();
    // Without --demo there is nothing to read: the estate file is missing.
    run(offline(&home).arg("status"), 3);
    // --demo is global: before or after the subcommand.
    for args in [["--demo", "status"], ["status", "--demo"]] {
        let (stdout, _) = run(offline(&home).args(args), 0);
        let first = stdout.lines().next().unwrap_or_default();
        assert!(first.starts_with("SIMULATION"), "{args:?}:\n{stdout}");
        assert!(stdout.contains("Flight Data Pipeline"), "{stdout}");
        assert!(stdout.contains("flightdata-main"), "{stdout}");
        assert!(!stdout.contains("CRIT"), "{stdout}");
    }
}

#[test]
fn demo_status_json_carries_the_mode() {
    let home = tempfile::tempdir().unwrap();
    let (stdout, _) = run(offline(&home).args(["status", "--demo", "--json"]), 0);
    let doc: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    assert_eq!(doc["mode"], "simulation");
    assert_eq!(doc["estate"], "Flight Data Pipeline");
    assert_eq!(doc["account"], drconsole::cloud::sim::ACCOUNT);
    // 16 data resources and the backup region's stack.
    assert!(doc["resources"].as_array().is_some_and(|r| r.len() == 17));
}

#[test]
fn demo_status_shows_the_estates_stack_in_text_and_json() {
    let home = tempfile::tempdir().unwrap();
    let (stdout, _) = run(offline(&home).args(["--demo", "status"]), 0);
    let row = stdout
        .lines()
        .find(|l| l.contains("flightdata-pipeline"))
        .unwrap_or_else(|| panic!("a stack row:\n{stdout}"));
    let words: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        words[..4],
        ["OK", "stack", "flightdata-pipeline", "us-west-2"],
        "{row}"
    );

    let (stdout, _) = run(offline(&home).args(["--demo", "status", "--json"]), 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let stack = doc["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["kind"] == "stack"))
        .unwrap_or_else(|| panic!("a stack resource: {stdout}"));
    assert_eq!(stack["name"], "flightdata-pipeline");
    assert_eq!(stack["status"], "ok");
    assert_eq!(stack["facts"]["stack_status"], "CREATE_COMPLETE");
    assert_eq!(stack["facts"]["role"], "backup-capacity");
}

#[test]
fn demo_faults_give_the_exit_codes_a_real_estate_would() {
    let home = tempfile::tempdir().unwrap();
    // A fault implies --demo, and is global too.
    let (stdout, _) = run(
        offline(&home).args(["--demo-fault", "stale-backup", "status"]),
        1,
    );
    assert!(stdout.starts_with("SIMULATION"), "{stdout}");
    assert!(!stdout.contains("CRIT"), "{stdout}");
    let (stdout, _) = run(
        offline(&home).args(["status", "--json", "--demo-fault", "pitr-off"]),
        2,
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["mode"], "simulation");
    let main = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "table" && r["name"] == "flightdata-main")
        .expect("the main table");
    assert_eq!(main["status"], "critical");
    assert_eq!(main["facts"]["pitr_enabled"], false);
}

#[test]
fn demo_usage_mistakes_are_exit_code_64() {
    let home = tempfile::tempdir().unwrap();
    let (_, stderr) = run(
        offline(&home).args(["status", "--demo-fault", "pitr-of"]),
        64,
    );
    assert!(
        stderr.contains("unknown fault \"pitr-of\"; valid faults are: region-outage, pitr-off"),
        "{stderr}"
    );
    let out = home.path().join("estate.toml");
    let (_, stderr) = run(
        offline(&home).args(["--demo", "init", "--out"]).arg(&out),
        64,
    );
    assert!(stderr.contains("--demo"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}

#[tokio::test]
async fn real_status_says_production_in_json_and_nothing_extra_in_the_table() {
    let env = common::moto().await;
    let seeded = seed_plan_estate(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("estate.toml");
    std::fs::write(&file, common::plan_estate_toml(&seeded)).unwrap();

    let output = drconsole(&env)
        .args(["status", "--json", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["mode"], "production");
    let output = drconsole(&env)
        .args(["status", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("Flight Data Pipeline"), "{stdout}");
    assert!(!stdout.contains("SIMULATION"), "{stdout}");
}

/// `drconsole status | head -1`: the reader goes away before the table is written. That is
/// no reason to panic; the exit code still tells the estate's state.
#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    // The simulated estate answers in about half a second: the pipe is closed long before.
    run_with_stdout_closed(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("drconsole"))
            .args(["--demo", "status"])
            .env_remove("DRCONSOLE_CONFIG")
            .env(
                "DRCONSOLE_DATA_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/drconsole-data"),
            ),
        0,
    );
}
