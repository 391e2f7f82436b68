//! `drconsole validate` as cron runs it, against moto: every table's newest backup restored
//! into a tagged temporary table, counted against the backup's own record, its keys
//! compared, a sample looked up in the source, and the temporary table deleted whatever
//! happens (a failure mid-run, Ctrl-C); earlier runs' leftovers swept by name and tag; the
//! record in the history; `--json` and `--markdown`. A restore that comes back short is
//! the simulation's (moto's backups are exact copies).

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use drconsole::action::{Executor, ExecutorOptions};
use drconsole::cloud::Cloud;
use drconsole::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use drconsole::drill::validate::{self, Kind, RunOptions, ValidationRecord, Verdict};
use drconsole::mode::Mode;
use serde_json::Value;

use common::recorder::Recorded;
use common::{MotoEnv, PRIMARY_REGION as EAST, TABLE_ITEMS, TABLES, run, seed_plan_estate};
use helpers::{executor_in, in_account, writes};

/// The estate file for what `seed_plan_estate` made, and a data directory, both in `dir`.
async fn seeded(env: &MotoEnv, dir: &Path) -> (PathBuf, PathBuf) {
    let seeded = seed_plan_estate(env).await;
    // Healthy means importable too: each export with its schema beside it.
    common::seed_export_schemas(env).await;
    let estate = dir.join("estate.toml");
    std::fs::write(&estate, common::plan_estate_toml(&seeded)).unwrap();
    let data = dir.join("data");
    (estate, data)
}

fn validate_cmd(env: &MotoEnv, estate: &Path, data: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = env.drconsole();
    cmd.env("DRCONSOLE_DATA_DIR", data)
        .arg("validate")
        .arg("--config")
        .arg(estate)
        .args(extra);
    cmd
}

async fn table_names(env: &MotoEnv) -> Vec<String> {
    env.dynamodb(EAST)
        .await
        .list_tables()
        .send()
        .await
        .unwrap()
        .table_names()
        .to_vec()
}

async fn temporary_tables(env: &MotoEnv) -> Vec<String> {
    table_names(env)
        .await
        .into_iter()
        .filter(|t| t.contains("-validate-"))
        .collect()
}

fn history(data: &Path) -> Vec<ValidationRecord> {
    let dir = data.join("history").join("validation");
    let (records, unreadable) = drconsole::drill::History::new(&dir).load_all::<ValidationRecord>();
    assert!(unreadable.is_empty(), "{unreadable:?}");
    records.into_iter().map(|(_, r)| r).collect()
}

/// The DynamoDB requests among `recorded` that name `table` in their body.
fn naming<'a>(recorded: &'a [Recorded], op: &str, table: &str) -> Vec<&'a Recorded> {
    let quoted = format!("\"TableName\": \"{table}\"");
    let compact = format!("\"TableName\":\"{table}\"");
    recorded
        .iter()
        .filter(|r| r.operation() == op && (r.body.contains(&quoted) || r.body.contains(&compact)))
        .collect()
}

#[tokio::test]
async fn a_healthy_estate_passes_with_every_table_restored_counted_and_sampled() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;

    env.start_recording();
    let (stdout, _) = run(&mut validate_cmd(&env, &estate, &data, &[]), 0);
    let sent = env.stop_recording();

    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        let line = |check: &str| {
            stdout
                .lines()
                .find(|l| l.contains(table) && l.contains(check))
                .unwrap_or_else(|| panic!("no {check} line for {table}:\n{stdout}"))
                .to_owned()
        };
        assert!(line("restore").starts_with("PASS"), "{stdout}");
        let count = line("item-count");
        assert!(
            count.starts_with("PASS")
                && count.contains(&format!(
                    "{items} items counted, the backup recorded {items}"
                ))
                && count.contains("1% tolerance"),
            "{count}"
        );
        assert!(line("schema").starts_with("PASS"), "{stdout}");
        let sample = line("sample");
        assert!(
            sample.contains(&format!("{items} items sampled"))
                && sample.contains(&format!("{items} equal")),
            "{sample}"
        );
    }
    assert!(
        stdout.contains("judged by: item counts within 1%"),
        "{stdout}"
    );
    assert!(stdout.contains("PASS: 3 table(s)"), "{stdout}");

    assert!(
        temporary_tables(&env).await.is_empty(),
        "{:?}",
        table_names(&env).await
    );
    let mut left = table_names(&env).await;
    left.sort();
    let mut expected: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    expected.sort();
    assert_eq!(left, expected, "only the estate's tables remain");

    // What was sent: per table a restore, its tag, its delete; no backup before deleting a
    // temporary table, no re-protection of it, and no scan of a source table.
    let written = writes(&sent);
    let count = |op: &str| written.iter().filter(|w| w.starts_with(op)).count();
    assert_eq!(count("RestoreTableFromBackup"), 3, "{written:?}");
    assert_eq!(count("TagResource"), 3, "{written:?}");
    assert_eq!(count("DeleteTable"), 3, "{written:?}");
    assert_eq!(count("CreateBackup"), 0, "{written:?}");
    assert_eq!(count("UpdateContinuousBackups"), 0, "{written:?}");
    for tag in sent.iter().filter(|r| r.operation() == "TagResource") {
        assert!(tag.body.contains("drconsole:validation"), "{}", tag.body);
    }
    let batch_gets: Vec<&Recorded> = sent
        .iter()
        .filter(|r| r.operation() == "BatchGetItem")
        .collect();
    for table in TABLES {
        assert!(
            naming(&sent, "Scan", table).is_empty(),
            "{table} was scanned"
        );
        let looked_up = format!("\"{table}\"");
        assert_eq!(
            batch_gets
                .iter()
                .filter(|r| r.body.contains(&looked_up))
                .count(),
            1,
            "one lookup of the sample in {table}"
        );
    }

    let records = history(&data);
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.verdict, Verdict::Pass);
    assert_eq!(record.mode, Mode::Production);
    assert_eq!(record.account.as_deref(), Some(common::ACCOUNT));
    assert_eq!(record.tables.len(), 3);
    assert!(record.left.is_empty());
    let journal = helpers::entries(&data.join("journal"));
    assert_eq!(helpers::of_kind(&journal, "validation_finished").len(), 1);
    assert_eq!(helpers::of_kind(&journal, "safety_net").len(), 0);
}

#[tokio::test]
async fn a_failure_mid_run_fails_and_still_deletes_every_temporary_table() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;

    let (stdout, _) = run(
        validate_cmd(&env, &estate, &data, &[])
            .env("DRCONSOLE_FAILPOINTS", "validate.after_restore=error"),
        2,
    );
    for table in TABLES {
        assert!(
            stdout.lines().any(|l| l.starts_with("FAIL")
                && l.contains(table)
                && l.contains("injected fault")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("FAIL: 3 table(s)"), "{stdout}");
    assert!(
        temporary_tables(&env).await.is_empty(),
        "{:?}",
        table_names(&env).await
    );
    assert_eq!(history(&data)[0].verdict, Verdict::Fail);
}

#[tokio::test]
async fn ctrl_c_mid_run_deletes_the_temporary_tables_and_exits_130() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;

    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("drconsole"));
    cmd.envs(env.env_vars());
    for name in common::ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    let mut child = cmd
        .env_remove("DRCONSOLE_CONFIG")
        .env("DRCONSOLE_DATA_DIR", &data)
        // Each table holds still once restored, until the signal comes.
        .env("DRCONSOLE_FAILPOINTS", "validate.after_restore=hang")
        .args(["validate", "--config"])
        .arg(&estate)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while temporary_tables(&env).await.len() < TABLES.len() {
        assert!(Instant::now() < deadline, "no restore started");
        assert!(child.try_wait().unwrap().is_none(), "drconsole ended early");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // SAFETY: kill(2) with a child's pid and a signal number has no memory effects.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(stdout.contains("(interrupted)"), "{stdout}");
    assert!(
        temporary_tables(&env).await.is_empty(),
        "{:?}",
        table_names(&env).await
    );
    let records = history(&data);
    assert!(records[0].interrupted);
    assert_eq!(records[0].verdict, Verdict::Unknown);
}

#[tokio::test]
async fn a_tagged_leftover_is_swept_and_an_untagged_lookalike_is_left_alone() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;
    let ours = "flightdata-main-validate-20260101000000-abcd";
    let theirs = "flightdata-main-validate-20260101000000-beef";
    for name in [ours, theirs] {
        common::create_table(&env, EAST, name).await;
    }
    let arn = format!("arn:aws:dynamodb:{EAST}:{}:table/{ours}", common::ACCOUNT);
    env.dynamodb(EAST)
        .await
        .tag_resource()
        .resource_arn(arn)
        .tags(
            aws_sdk_dynamodb::types::Tag::builder()
                .key("drconsole:validation")
                .value("validate-20260101T000000-abcd")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    env.start_recording();
    let (stdout, _) = run(
        &mut validate_cmd(&env, &estate, &data, &["--table", "flightdata-config"]),
        1,
    );
    let sent = env.stop_recording();
    let names = table_names(&env).await;
    assert!(!names.iter().any(|n| n == ours), "{names:?}");
    assert!(names.iter().any(|n| n == theirs), "{names:?}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}:\n{stdout}"))
            .to_owned()
    };
    let swept = line(ours);
    assert!(
        swept.starts_with("WARN")
            && swept.contains("leftover")
            && swept.contains("validate-20260101T000000-abcd")
            && swept.contains("deleted"),
        "{swept}"
    );
    let kept = line(theirs);
    assert!(
        kept.starts_with("WARN") && kept.contains("left alone"),
        "{kept}"
    );
    assert_eq!(
        naming(&sent, "DeleteTable", theirs).len(),
        0,
        "nothing was sent to delete the untagged table"
    );
    // Only flightdata-config was restored.
    assert_eq!(
        writes(&sent)
            .iter()
            .filter(|w| w.starts_with("RestoreTableFromBackup"))
            .count(),
        1
    );
    let record = &history(&data)[0];
    assert_eq!(record.tables, ["flightdata-config"]);
    let leftovers: Vec<_> = record
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Leftover)
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:#?}");
}

#[tokio::test]
async fn json_is_the_record_and_markdown_is_a_table() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = seeded(&env, dir.path()).await;

    let (stdout, _) = run(
        &mut validate_cmd(
            &env,
            &estate,
            &data,
            &["--table", "flightdata-main", "--json"],
        ),
        0,
    );
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert!(
        json["id"].as_str().unwrap().starts_with("validate-"),
        "{json}"
    );
    assert_eq!(json["mode"], "production");
    assert_eq!(json["verdict"], "pass");
    assert_eq!(json["account"], common::ACCOUNT);
    assert_eq!(json["settings"]["tolerance_percent"], 1.0);
    assert_eq!(json["replica_threshold_percent"], 95.0);
    assert_eq!(json["tables"], serde_json::json!(["flightdata-main"]));
    let count = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "item-count")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(count["kind"], "table");
    assert_eq!(count["resource"], "flightdata-main");
    assert_eq!(count["figures"]["counted"], 12);
    assert_eq!(count["figures"]["recorded"], 12);
    assert_eq!(count["figures"]["tolerance_percent"], 1.0);
    let kept: ValidationRecord = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        history(&data),
        vec![kept],
        "the history holds what --json printed"
    );

    let (stdout, _) = run(
        &mut validate_cmd(
            &env,
            &estate,
            &data,
            &["--table", "flightdata-main", "--markdown"],
        ),
        0,
    );
    assert!(
        stdout.starts_with("## Backup validation validate-"),
        "{stdout}"
    );
    assert!(stdout.contains(": PASS\n"), "{stdout}");
    assert!(
        stdout.contains("| Verdict | Kind | Resource | Check | Result |\n|---|---|---|---|---|"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| PASS | table | `flightdata-main` | item-count | 12 items counted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| Judged by | item counts within 1%"),
        "{stdout}"
    );
    assert_eq!(history(&data).len(), 2);

    run(
        &mut validate_cmd(&env, &estate, &data, &["--table", "nope"]),
        64,
    );
}

#[test]
fn an_unreachable_endpoint_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let estate = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml");
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    for name in common::ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    cmd.env("AWS_ENDPOINT_URL", common::dead_endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG")
        .arg("validate")
        .arg("--config")
        .arg(&estate)
        .timeout(Duration::from_secs(120));
    let (_, stderr) = run(&mut cmd, 4);
    assert!(stderr.contains("error:"), "{stderr}");
    assert!(
        !dir.path().join("history").exists(),
        "nothing was validated, so nothing is in the history"
    );
}

#[tokio::test]
async fn a_table_the_executor_owns_is_deleted_without_a_confirmation_or_a_backup() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main-validate-20260101000000-0001").await;
    common::put_items(
        &env,
        EAST,
        "flightdata-main-validate-20260101000000-0001",
        3,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let executor = executor_in(
        cloud,
        &helpers::example_estate(),
        dir.path(),
        ExecutorOptions {
            poll_every: Some(Duration::from_millis(50)),
            ..in_account()
        },
    );
    let temp = "flightdata-main-validate-20260101000000-0001";
    executor.own("validate-test", temp).await.unwrap();

    env.start_recording();
    let outcome = helpers::run(&executor, "delete-table", temp, &[])
        .await
        .unwrap();
    let sent = env.stop_recording();
    assert_eq!(writes(&sent), ["DeleteTable (us-east-1)"], "{outcome:#?}");
    assert!(temporary_tables(&env).await.is_empty());
    let journal = helpers::entries(dir.path());
    assert!(helpers::of_kind(&journal, "safety_net").is_empty());
    assert!(helpers::of_kind(&journal, "action_refused").is_empty());
}

#[test]
fn read_only_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let estate = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml");
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    for name in common::ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    cmd.env("AWS_ENDPOINT_URL", common::dead_endpoint())
        .env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG")
        .args(["--read-only", "validate", "--config"])
        .arg(&estate)
        .timeout(Duration::from_secs(60));
    let (_, stderr) = run(&mut cmd, 64);
    assert!(stderr.contains("--read-only"), "{stderr}");
}

/// The simulated estate on a clock that moves only when a wait asks it to, so a restore's
/// minutes take none.
fn sim(faults: &[Fault]) -> Arc<SimCloud> {
    let estate = helpers::example_estate();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-27T03:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(at),
            latency: Latency::None,
            faults: faults.to_vec(),
        },
    ))
}

async fn validate_sim(sim: &Arc<SimCloud>, dir: &Path) -> ValidationRecord {
    validate_sim_with(sim, dir, helpers::example_estate()).await
}

async fn validate_sim_with(
    sim: &Arc<SimCloud>,
    dir: &Path,
    estate: drconsole::config::Estate,
) -> ValidationRecord {
    let cloud: Arc<dyn Cloud> = sim.clone();
    let executor: Executor = executor_in(
        cloud,
        &estate,
        dir,
        ExecutorOptions {
            poll_every: Some(Duration::from_secs(30)),
            ..in_account()
        },
    );
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let options = RunOptions {
        tables: Vec::new(),
        mode: Mode::Simulation,
        account: Some(common::ACCOUNT.to_owned()),
    };
    validate::run(&executor, sim.as_ref(), &options, stopped, &|_| {}).await
}

#[tokio::test]
async fn a_restore_short_of_its_backups_record_fails_naming_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let healthy = validate_sim(&sim(&[]), dir.path()).await;
    assert_eq!(healthy.verdict, Verdict::Pass, "{healthy:#?}");

    let sim = sim(&[Fault::ShortRestore]);
    let record = validate_sim(&sim, dir.path()).await;
    assert_eq!(record.verdict, Verdict::Fail, "{record:#?}");
    let failed: Vec<_> = record
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail)
        .collect();
    assert!(!failed.is_empty());
    for f in &failed {
        assert_eq!(
            (f.kind, f.check.as_str()),
            (Kind::Table, "item-count"),
            "{f:#?}"
        );
        assert!(
            f.message.contains("outside the 1% tolerance"),
            "{}",
            f.message
        );
    }
    let names: Vec<&str> = failed.iter().map(|f| f.resource.as_str()).collect();
    assert!(names.contains(&"flightdata-main"), "{names:?}");
    let summary = validate::render::summary(&record);
    assert!(
        summary.lines().any(|l| l.starts_with("FAIL")
            && l.contains("flightdata-main")
            && l.contains("item-count")),
        "{summary}"
    );
    let left = drconsole::cloud::Backups::list_tables(sim.as_ref(), EAST)
        .await
        .unwrap();
    assert!(!left.iter().any(|t| t.contains("-validate-")), "{left:?}");
}

#[tokio::test]
async fn a_restore_past_its_timeout_fails_and_its_table_is_still_removed() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim(&[]);
    let mut estate = helpers::example_estate();
    // The simulation's restores take three minutes.
    estate.validate.restore_timeout = drconsole::config::Dur::from_secs(60);
    // One at a time: each wait moves the fixed clock, so tables waiting together would see
    // each other's pauses as their own.
    estate.validate.concurrency = 1;
    let record = validate_sim_with(&sim, dir.path(), estate).await;
    assert_eq!(record.verdict, Verdict::Fail, "{record:#?}");
    for table in &record.tables {
        let restore = record
            .findings
            .iter()
            .find(|f| &f.resource == table && f.check == "restore")
            .unwrap_or_else(|| panic!("{record:#?}"));
        assert_eq!(restore.verdict, Verdict::Fail, "{restore:#?}");
        assert!(
            restore.message.contains("gave up waiting"),
            "{}",
            restore.message
        );
        assert!(
            !record
                .findings
                .iter()
                .any(|f| &f.resource == table && f.check == "item-count"),
            "a table that did not restore is not counted"
        );
    }
    assert!(record.left.is_empty(), "{:?}", record.left);
    let left = drconsole::cloud::Backups::list_tables(sim.as_ref(), EAST)
        .await
        .unwrap();
    assert!(!left.iter().any(|t| t.contains("-validate-")), "{left:?}");
}
