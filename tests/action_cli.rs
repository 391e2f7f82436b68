//! `drconsole action …` as an incident commander runs it against moto: the catalogue, a run
//! and its re-run, a dry run, the guards with their exit codes, undo by journal entry, bad
//! input as one line before anything is sent, and where the entries are recorded.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{MotoEnv, PRIMARY_REGION as EAST, run};
use helpers::{entries, of_kind, writes};

/// The example estate written to a file of its own.
fn estate_file(dir: &Path) -> PathBuf {
    let file = dir.join("estate.toml");
    std::fs::write(
        &file,
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
        )
        .unwrap(),
    )
    .unwrap();
    file
}

/// `drconsole --config <estate>` against moto, with its data (journals, incidents) in `dir`.
fn drconsole(env: &MotoEnv, dir: &Path) -> Command {
    let mut cmd = env.drconsole();
    cmd.env("DRCONSOLE_DATA_DIR", dir)
        .arg("--config")
        .arg(estate_file(dir));
    cmd
}

/// The journal entry a run or undo closed with, as it printed it.
fn printed_seq(stdout: &str) -> u64 {
    let (_, rest) = stdout
        .split_once("journal entry ")
        .unwrap_or_else(|| panic!("a journal entry in:\n{stdout}"));
    rest.split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a number after `journal entry` in:\n{stdout}"))
}

/// The error a person reads: one line (warnings aside) that names `thing`.
fn one_line_error(stderr: &str, thing: &str) {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect();
    assert_eq!(lines.len(), 1, "one line:\n{stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(thing), "names {thing}:\n{stderr}");
}

#[test]
fn list_names_every_action_and_show_tells_how_to_confirm() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG");
    let (stdout, _) = run(cmd.args(["action", "list"]), 0);
    for name in drconsole::action::catalogue::all().iter().map(|a| a.name()) {
        assert!(
            stdout.lines().any(|l| l.starts_with(name)),
            "{name}:\n{stdout}"
        );
    }
    let stop = stdout
        .lines()
        .find(|l| l.starts_with("stop-ingestion"))
        .unwrap();
    assert!(
        stop.contains("destructive") && stop.contains("function"),
        "{stop}"
    );

    let mut cmd = Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG");
    let (stdout, _) = run(cmd.args(["action", "list", "--json"]), 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let alarm = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "set-alarm-state")
        .unwrap();
    assert_eq!(alarm["danger"], "write");
    assert_eq!(alarm["target"], "alarm");
    assert_eq!(alarm["args"][0]["name"], "state");
    assert_eq!(alarm["args"][0]["required"], true);

    let mut cmd = Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG");
    let (stdout, _) = run(cmd.args(["action", "show", "stop-ingestion"]), 0);
    assert!(stdout.starts_with("stop-ingestion — "), "{stdout}");
    assert!(
        stdout.contains("danger: destructive (headless: --confirm TARGET)"),
        "{stdout}"
    );
}

#[tokio::test]
async fn run_enable_pitr_then_again_is_already_done_in_the_operations_journal() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let dir = tempfile::tempdir().unwrap();
    let pitr = [
        "action",
        "run",
        "enable-pitr",
        "--target",
        "flightdata-main",
    ];

    let (stdout, _) = run(drconsole(&env, dir.path()).args(pitr), 0);
    assert!(stdout.contains("1. "), "the preview first:\n{stdout}");
    assert!(
        stdout.contains("done: enable-pitr on flightdata-main — 1 write(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("drconsole action undo "), "{stdout}");
    // AWS's request id, for a support case or CloudTrail.
    assert!(
        stdout.contains("request ids: UpdateContinuousBackups "),
        "{stdout}"
    );
    assert!(helpers::pitr_enabled(&env, EAST, "flightdata-main").await);

    env.start_recording();
    let (stdout, _) = run(drconsole(&env, dir.path()).args(pitr), 0);
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(
        stdout.contains("already done: point-in-time recovery is already on"),
        "{stdout}"
    );

    // No incident is open: the operations journal under the data directory holds both runs.
    let journal = entries(&dir.path().join("journal"));
    let finished = of_kind(&journal, "action_finished");
    assert_eq!(finished.len(), 2, "{journal:#?}");
    assert_eq!(finished[0].payload["outcome"], "succeeded");
    assert_eq!(finished[1].payload["outcome"], "skipped");
    assert_eq!(journal[0].account.as_deref(), Some(common::ACCOUNT));
}

#[tokio::test]
async fn a_dry_run_previews_and_sends_nothing() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let dir = tempfile::tempdir().unwrap();
    env.start_recording();
    let (stdout, _) = run(
        drconsole(&env, dir.path()).args([
            "action",
            "run",
            "enable-pitr",
            "--target",
            "flightdata-main",
            "--dry-run",
        ]),
        0,
    );
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(
        stdout.contains("enable-pitr on flightdata-main (write):"),
        "{stdout}"
    );
    assert!(stdout.contains("1. "), "{stdout}");
    assert!(!stdout.contains("done:"), "{stdout}");
    assert!(!helpers::pitr_enabled(&env, EAST, "flightdata-main").await);

    let mut json = drconsole(&env, dir.path());
    json.args([
        "action",
        "run",
        "enable-pitr",
        "--target",
        "flightdata-main",
        "--dry-run",
        "--json",
    ]);
    let (stdout, _) = run(&mut json, 0);
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["requests"][0]["operation"], "UpdateContinuousBackups");
    assert_eq!(plan["requests"][0]["pitr"], true);
    assert!(!helpers::pitr_enabled(&env, EAST, "flightdata-main").await);
}

#[tokio::test]
async fn read_only_is_exit_6_and_sends_nothing() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let dir = tempfile::tempdir().unwrap();
    env.start_recording();
    let (_, stderr) = run(
        drconsole(&env, dir.path()).args([
            "--read-only",
            "action",
            "run",
            "enable-pitr",
            "--target",
            "flightdata-main",
        ]),
        6,
    );
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    one_line_error(&stderr, "read-only");
    assert!(!helpers::pitr_enabled(&env, EAST, "flightdata-main").await);
    let journal = entries(&dir.path().join("journal"));
    helpers::assert_refused_in_journal(&journal, "read-only");
}

#[tokio::test]
async fn stop_ingestion_needs_the_name_typed_back_and_undo_puts_it_back() {
    let env = common::moto().await;
    let role = env.create_iam_role(common::LAMBDA_ROLE_NAME);
    let function = "flightdata-processor";
    common::create_function(&env, EAST, function, &role).await;
    helpers::put_concurrency(&env, EAST, function, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let stop = ["action", "run", "stop-ingestion"];

    for confirm in [None, Some("flightdata-api")] {
        let mut cmd = drconsole(&env, dir.path());
        cmd.args(stop);
        if let Some(name) = confirm {
            cmd.args(["--confirm", name]);
        }
        env.start_recording();
        let (_, stderr) = run(&mut cmd, 6);
        assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
        one_line_error(&stderr, "confirmation");
        assert_eq!(
            helpers::reserved_concurrency(&env, EAST, function).await,
            Some(5)
        );
        let journal = entries(&dir.path().join("journal"));
        helpers::assert_refused_in_journal(&journal, "confirmation");
    }

    // The estate's ingestion function is the default target.
    let (stdout, _) = run(
        drconsole(&env, dir.path())
            .args(stop)
            .args(["--confirm", function]),
        0,
    );
    assert!(
        stdout.contains(&format!("done: stop-ingestion on {function}")),
        "{stdout}"
    );
    assert_eq!(
        helpers::reserved_concurrency(&env, EAST, function).await,
        Some(0)
    );
    let seq = printed_seq(&stdout);

    let (stdout, _) = run(
        drconsole(&env, dir.path()).args(["action", "undo", &seq.to_string()]),
        0,
    );
    assert!(
        stdout.contains(&format!("done: undo-{seq} on {function}")),
        "{stdout}"
    );
    assert_eq!(
        helpers::reserved_concurrency(&env, EAST, function).await,
        Some(5)
    );
    env.start_recording();
    let (_, stderr) = run(
        drconsole(&env, dir.path()).args(["action", "undo", &seq.to_string()]),
        64,
    );
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    one_line_error(&stderr, "already undone");
}

#[tokio::test]
async fn bad_input_is_one_line_and_exit_64_before_anything_is_sent() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["action", "run", "no-such-action"],
            "no action `no-such-action`",
        ),
        (
            &[
                "action",
                "run",
                "set-alarm-state",
                "--target",
                "flightdata-api-errors",
            ],
            "needs --arg state=",
        ),
        (
            &[
                "action",
                "run",
                "restart-ingestion",
                "--arg",
                "concurrency=-1",
            ],
            "concurrency must be a whole number",
        ),
        (
            &[
                "action",
                "run",
                "set-alarm-state",
                "--target",
                "flightdata-api-errors",
                "--arg",
                "state=maybe",
            ],
            "state must be one of OK, ALARM, INSUFFICIENT_DATA, not `maybe`",
        ),
    ];
    for (args, message) in cases {
        env.start_recording();
        let (_, stderr) = run(drconsole(&env, dir.path()).args(args), 64);
        let recorded = env.stop_recording();
        assert!(recorded.is_empty(), "{args:?} sent {recorded:#?}");
        one_line_error(&stderr, message);
    }

    // A target is checked against the estate: the only call is the account read.
    env.start_recording();
    let (_, stderr) = run(
        drconsole(&env, dir.path()).args([
            "action",
            "run",
            "enable-pitr",
            "--target",
            "flightdata-mian",
        ]),
        64,
    );
    let recorded = env.stop_recording();
    assert_eq!(writes(&recorded), Vec::<String>::new());
    assert!(
        recorded
            .iter()
            .all(|r| r.operation() == "GetCallerIdentity"),
        "{recorded:#?}"
    );
    one_line_error(&stderr, "flightdata-mian is not a table of the estate");
}

#[tokio::test]
async fn inside_an_open_incident_the_entries_land_in_its_journal() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = run(
        drconsole(&env, dir.path()).args([
            "incident",
            "declare",
            "--title",
            "us-east-1 degraded",
            "--scenario",
            "region-failover",
            "--severity",
            "SEV2",
            "--service",
            "DynamoDB Tables",
        ]),
        0,
    );
    let id = stdout
        .split_whitespace()
        .take_while(|w| *w != "declared")
        .last()
        .unwrap_or_else(|| panic!("an id in:\n{stdout}"))
        .to_owned();

    run(
        drconsole(&env, dir.path()).args([
            "action",
            "run",
            "enable-pitr",
            "--target",
            "flightdata-main",
        ]),
        0,
    );
    let journal = entries(&dir.path().join("incidents").join(&id));
    let finished = of_kind(&journal, "action_finished");
    assert_eq!(finished.len(), 1, "{journal:#?}");
    assert_eq!(finished[0].payload["action"], "enable-pitr");
    assert_eq!(finished[0].payload["outcome"], "succeeded");
    assert!(
        !dir.path().join("journal").exists(),
        "nothing in the operations journal"
    );
}

/// Credentials moto issues for a role assumed in `account`: (key, secret, session token).
async fn assumed_in(env: &MotoEnv, account: &str) -> (String, String, String) {
    let sts = aws_sdk_sts::Client::new(&env.sdk_config(EAST).await);
    let assumed = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/x"))
        .role_session_name("drconsole-test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole: {e:?}"));
    let c = assumed.credentials().expect("credentials");
    (
        c.access_key_id().to_owned(),
        c.secret_access_key().to_owned(),
        c.session_token().to_owned(),
    )
}

#[tokio::test]
async fn an_incident_declared_in_one_account_refuses_credentials_of_another() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let dir = tempfile::tempdir().unwrap();
    run(
        drconsole(&env, dir.path()).args([
            "incident",
            "declare",
            "--title",
            "us-east-1 degraded",
            "--scenario",
            "region-failover",
            "--severity",
            "SEV2",
            "--service",
            "DynamoDB Tables",
        ]),
        0,
    );
    // The commander's shell now holds a role in another account.
    let (key, secret, token) = assumed_in(&env, "333333333333").await;
    let mut cmd = drconsole(&env, dir.path());
    cmd.env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_SESSION_TOKEN", token)
        .args([
            "action",
            "run",
            "enable-pitr",
            "--target",
            "flightdata-main",
        ]);
    env.start_recording();
    let (_, stderr) = run(&mut cmd, 6);
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    one_line_error(&stderr, "333333333333");
    assert!(!helpers::pitr_enabled(&env, EAST, "flightdata-main").await);
    let incidents = dir.path().join("incidents");
    let id = std::fs::read_dir(&incidents)
        .unwrap()
        .next()
        .expect("the incident's directory")
        .unwrap()
        .path();
    helpers::assert_refused_in_journal(&entries(&id), "account");
}

#[tokio::test]
async fn check_count_items_prints_the_count_and_show_describes_a_check() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    common::put_items(&env, EAST, "flightdata-main", 25).await;
    let dir = tempfile::tempdir().unwrap();
    let count = [
        "action",
        "check",
        "count-items",
        "--target",
        "flightdata-main",
    ];

    let (stdout, stderr) = run(drconsole(&env, dir.path()).args(count), 0);
    assert!(
        stdout.starts_with("passed: 25 items in flightdata-main (us-east-1)"),
        "{stdout}"
    );
    assert!(stdout.contains("approximate"), "{stdout}");
    assert!(
        stderr.contains("segment 4/4: "),
        "progress on stderr:\n{stderr}"
    );

    let (stdout, _) = run(drconsole(&env, dir.path()).args(count).arg("--json"), 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["figures"]["items"], 25);

    // A table the estate names but that is not there: bad input, as for an action.
    let (_, stderr) = run(
        drconsole(&env, dir.path()).args([
            "action",
            "check",
            "count-items",
            "--target",
            "flightdata-config",
        ]),
        64,
    );
    assert!(stderr.contains("flightdata-config"), "{stderr}");

    let mut cmd = Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG");
    let (stdout, _) = run(cmd.args(["action", "show", "compare-tables"]), 0);
    assert!(stdout.starts_with("compare-tables — "), "{stdout}");
    assert!(stdout.contains("danger: read"), "{stdout}");
    assert!(
        stdout.contains("with") && stdout.contains("[required]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("drconsole action check compare-tables --target"),
        "{stdout}"
    );
}
