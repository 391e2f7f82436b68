//! `drconsole runbook …` as an incident commander runs it without a terminal, against moto:
//! the list and one runbook's description, a dry run that sends nothing, a run answered by
//! flags, a run that stops for a person and resumes, and a run killed between a write and
//! its journal entry that resumes without sending the write again.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use common::{MotoEnv, PRIMARY_REGION as EAST, run};
use helpers::{entries, writes};

/// A user runbook: backs up flightdata-main, then switches its PITR on.
const PROTECT: &str = r#"
name = "protect-main"
title = "Protect the main table"
summary = "A backup now, then point-in-time recovery on."
target = "15m"

[[phases]]
id = "protect"
title = "Protect"
target = "10m"

[[phases.steps]]
id = "backup"
kind = "action"
title = "Back up the main table"
action = "backup-table"
resource = "flightdata-main"
target = "5m"

[[phases.steps]]
id = "pitr"
kind = "action"
title = "Point-in-time recovery on"
action = "enable-pitr"
resource = "flightdata-main"
"#;

/// A user runbook that needs a person twice: a manual step, then a destructive one.
const RETIRE: &str = r#"
name = "retire-config"
title = "Retire the config table"
summary = "Tell the team, then delete the table (a backup is made first)."

[[phases]]
id = "retire"
title = "Retire"

[[phases.steps]]
id = "tell"
kind = "manual"
title = "Tell the team"
instructions = "Post in #flightdata that the config table goes away."

[[phases.steps]]
id = "delete"
kind = "action"
title = "Delete the config table"
action = "delete-table"
resource = "flightdata-config"
"#;

/// Every table of the estate: PITR on, then a restore of main's backup, whose ARN only a
/// run knows.
const EVERY_TABLE: &str = r#"
name = "every-table"
title = "Every table"
summary = "PITR on every table, a backup of main and its restore."

[[phases]]
id = "all"
title = "All"

[[phases.steps]]
id = "each"
kind = "for_each"
title = "Each table"
for_each = "tables"

[[phases.steps.steps]]
id = "pitr"
kind = "action"
title = "PITR on"
action = "enable-pitr"
resource = "{{ item }}"

[[phases.steps]]
id = "backup"
kind = "action"
title = "Back up main"
action = "backup-table"
resource = "flightdata-main"

[[phases.steps]]
id = "restore"
kind = "action"
title = "Restore it"
action = "restore-backup"
resource = "flightdata-main"
args = { backup = "{{ steps.backup.created }}" }
"#;

/// A place for one test: the estate file, the config directory with the user's runbooks,
/// and the data directory the journals go to.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new(runbooks: &[&str]) -> Place {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("config/drconsole/runbooks");
        std::fs::create_dir_all(&user).unwrap();
        for text in runbooks {
            let name = text
                .lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .and_then(|l| l.strip_suffix('"'))
                .unwrap();
            std::fs::write(user.join(format!("{name}.toml")), text).unwrap();
        }
        std::fs::write(
            dir.path().join("estate.toml"),
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
            )
            .unwrap(),
        )
        .unwrap();
        Place { dir }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn journal(&self) -> PathBuf {
        self.data().join("journal")
    }

    fn drconsole(&self, env: &MotoEnv) -> Command {
        let mut cmd = env.drconsole();
        cmd.env("DRCONSOLE_DATA_DIR", self.data())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .arg("--config")
            .arg(self.dir.path().join("estate.toml"));
        cmd
    }

    /// The id of the run the operations journal started last.
    fn last_run(&self) -> String {
        entries(&self.journal())
            .iter()
            .rev()
            .find(|e| e.kind == "runbook_started")
            .and_then(|e| e.payload["run"].as_str().map(str::to_owned))
            .expect("a runbook_started entry")
    }
}

fn operations(recorded: &[common::recorder::Recorded], operation: &str) -> usize {
    recorded
        .iter()
        .filter(|r| r.operation() == operation)
        .count()
}

async fn backups_of(env: &MotoEnv, table: &str) -> usize {
    env.dynamodb(EAST)
        .await
        .list_backups()
        .table_name(table)
        .send()
        .await
        .unwrap()
        .backup_summaries()
        .len()
}

#[tokio::test]
async fn list_and_show_name_a_users_runbook_and_an_unknown_name_lists_the_known() {
    let env = common::moto().await;
    let place = Place::new(&[PROTECT, RETIRE]);

    let (stdout, _) = run(place.drconsole(&env).args(["runbook", "list"]), 0);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("protect-main "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("Protect the main table"), "{line}");
    assert!(
        line.contains("protect-main.toml]"),
        "the user's file: {line}"
    );

    let (stdout, _) = run(place.drconsole(&env).args(["runbook", "list", "--json"]), 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let retire = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "retire-config")
        .unwrap();
    assert_eq!(retire["title"], "Retire the config table");
    assert!(
        retire["origin"]
            .as_str()
            .unwrap()
            .ends_with("retire-config.toml"),
        "{retire}"
    );

    let (stdout, _) = run(
        place
            .drconsole(&env)
            .args(["runbook", "show", "retire-config"]),
        0,
    );
    assert!(
        stdout.starts_with("retire-config — Retire the config table\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\nretire: Retire\n"), "{stdout}");
    assert!(
        stdout.contains(
            "2. delete: Delete the config table [action delete-table on flightdata-config]"
        ),
        "{stdout}"
    );

    let (_, stderr) = run(place.drconsole(&env).args(["runbook", "show", "nope"]), 64);
    assert!(stderr.contains("no runbook `nope`"), "{stderr}");
    assert!(stderr.contains("protect-main"), "names the known: {stderr}");
}

#[tokio::test]
async fn a_dry_run_prints_every_request_and_sends_and_journals_nothing() {
    let env = common::moto().await;
    for table in ["flightdata-main", "flightdata-metrics", "flightdata-config"] {
        common::create_table(&env, EAST, table).await;
    }
    let place = Place::new(&[EVERY_TABLE]);

    env.start_recording();
    let (stdout, _) = run(
        place
            .drconsole(&env)
            .args(["runbook", "run", "every-table", "--dry-run"]),
        0,
    );
    let recorded = env.stop_recording();
    assert_eq!(writes(&recorded), Vec::<String>::new(), "{stdout}");
    for table in ["flightdata-main", "flightdata-metrics", "flightdata-config"] {
        assert!(
            stdout.contains(&format!(
                "each/{table}/pitr [action] PITR on — enable-pitr on {table}\n"
            )),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "1. enable point-in-time recovery on table {table} in {EAST}"
            )),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("1. create on-demand backup ondemand-"),
        "{stdout}"
    );
    assert!(
        stdout.contains("planned when it runs: it needs step backup"),
        "{stdout}"
    );
    assert!(stdout.contains("backup = <from step backup>"), "{stdout}");
    assert!(
        !place.journal().exists(),
        "a dry run opens no journal: {}",
        place.journal().display()
    );
    assert_eq!(backups_of(&env, "flightdata-main").await, 0);
}

#[tokio::test]
async fn a_run_backs_up_and_protects_the_table_and_times_each_step() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let place = Place::new(&[PROTECT]);

    let (stdout, stderr) = run(
        place
            .drconsole(&env)
            .args(["runbook", "run", "protect-main"]),
        0,
    );
    assert!(helpers::pitr_enabled(&env, EAST, "flightdata-main").await);
    assert_eq!(backups_of(&env, "flightdata-main").await, 1);
    let run_id = place.last_run();
    assert!(
        stderr.contains(&format!("running protect-main: run {run_id}")),
        "{stderr}"
    );
    assert!(stderr.contains("succeeded backup"), "transitions: {stderr}");
    assert!(
        stdout.starts_with(&format!("protect-main — run {run_id}: succeeded\n")),
        "{stdout}"
    );
    // Moto is instant: 0m of the step's 5m target.
    assert!(
        stdout.contains("  succeeded backup  0m of 5m\n"),
        "each step against its target: {stdout}"
    );
    assert!(stdout.contains("  total: 0m of 15m\n"), "{stdout}");
    let kinds: Vec<String> = entries(&place.journal())
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for kind in [
        "runbook_started",
        "step_started",
        "step_finished",
        "runbook_finished",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind}: {kinds:?}");
    }
    run(
        place
            .drconsole(&env)
            .args(["journal", "verify"])
            .arg(place.journal()),
        0,
    );
}

#[tokio::test]
async fn a_step_that_needs_a_person_stops_the_run_naming_the_flag_and_resume_goes_on() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-config").await;
    let place = Place::new(&[RETIRE]);

    let (_, stderr) = run(
        place
            .drconsole(&env)
            .args(["runbook", "run", "retire-config"]),
        6,
    );
    let run_id = place.last_run();
    assert!(stderr.contains("--done tell"), "{stderr}");
    assert!(stderr.contains(&format!("--resume {run_id}")), "{stderr}");

    // Told, the run goes on to the delete, which needs the name typed back.
    env.start_recording();
    let (_, stderr) = run(
        place.drconsole(&env).args([
            "runbook",
            "run",
            "retire-config",
            "--resume",
            &run_id,
            "--done",
            "tell",
        ]),
        6,
    );
    assert_eq!(
        operations(&env.stop_recording(), "DeleteTable"),
        0,
        "nothing deleted without the name: {stderr}"
    );
    assert!(stderr.contains("--confirm flightdata-config"), "{stderr}");

    let (stdout, _) = run(
        place.drconsole(&env).args([
            "runbook",
            "run",
            "retire-config",
            "--resume",
            &run_id,
            "--confirm",
            "flightdata-config",
        ]),
        0,
    );
    assert!(stdout.contains(": succeeded\n"), "{stdout}");
    let tables = env.dynamodb(EAST).await.list_tables().send().await.unwrap();
    assert!(
        !tables
            .table_names()
            .contains(&"flightdata-config".to_owned()),
        "{tables:?}"
    );
    assert_eq!(
        backups_of(&env, "flightdata-config").await,
        1,
        "the safety backup"
    );
}

#[tokio::test]
async fn a_run_killed_between_a_write_and_its_record_resumes_without_sending_it_twice() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    let place = Place::new(&[PROTECT]);

    env.start_recording();
    // The second write of the run (the first is the backup) is PITR: the process dies once
    // AWS has answered it and before the journal has.
    let output = place
        .drconsole(&env)
        .env("DRCONSOLE_FAILPOINTS", "executor.after_send=abort@2")
        .args(["runbook", "run", "protect-main"])
        .output()
        .unwrap();
    assert!(
        !output.status.success() && output.status.code().is_none(),
        "killed by the abort: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(helpers::pitr_enabled(&env, EAST, "flightdata-main").await);
    let run_id = place.last_run();
    let before = entries(&place.journal());
    let last = before.last().unwrap();
    assert_eq!(
        last.kind, "request_sent",
        "sent, not yet answered: {last:?}"
    );
    assert_eq!(last.payload["operation"], "UpdateContinuousBackups");

    let (stdout, _) = run(
        place
            .drconsole(&env)
            .args(["runbook", "run", "protect-main", "--resume", &run_id]),
        0,
    );
    let recorded = env.stop_recording();
    assert_eq!(
        operations(&recorded, "UpdateContinuousBackups"),
        1,
        "PITR switched on once: {:?}",
        writes(&recorded)
    );
    assert_eq!(
        operations(&recorded, "CreateBackup"),
        1,
        "the finished backup is not made again: {:?}",
        writes(&recorded)
    );
    assert!(
        stdout.starts_with(&format!("protect-main — run {run_id}: succeeded\n")),
        "{stdout}"
    );
    run(
        place
            .drconsole(&env)
            .args(["journal", "verify"])
            .arg(place.journal()),
        0,
    );
}

#[path = "../benches/runbooks/scale.rs"]
mod scale;

/// The benchmark's figure, asserted: on the simulation's clock (no wall time), a service's
/// 30 tables restored by one `for_each` take about as long as the slowest of them alone.
#[tokio::test(start_paused = true)]
async fn thirty_restores_at_once_take_the_slowest_not_the_sum_on_the_sim_clock() {
    let dir = tempfile::tempdir().unwrap();
    let figures = scale::measure(10, drconsole::cloud::sim::Latency::Realistic, dir.path()).await;
    assert_eq!(figures.tables, 30);
    eprintln!(
        "slowest alone {:?}, all at once {:?}, ratio {:.3}",
        figures.slowest_single,
        figures.group,
        figures.ratio()
    );
    assert!(
        figures.slowest_single >= Duration::from_secs(180),
        "a simulated restore takes 3 minutes: {:?}",
        figures.slowest_single
    );
    assert!(
        figures.ratio() <= 1.3,
        "all at once {:?} against the slowest alone {:?}: {:.2}",
        figures.group,
        figures.slowest_single,
        figures.ratio()
    );
}

#[tokio::test]
async fn check_names_a_blocker_with_exit_1_and_ready_once_it_is_fixed() {
    let env = common::moto().await;
    let place = Place::new(&[PROTECT]);

    let (stdout, _) = run(
        place
            .drconsole(&env)
            .args(["runbook", "check", "protect-main"]),
        1,
    );
    assert!(
        stdout.starts_with("protect-main: 1 blocker — "),
        "the first blocker in words: {stdout}"
    );
    assert!(stdout.contains("flightdata-main"), "{stdout}");

    common::create_table(&env, EAST, "flightdata-main").await;
    let (stdout, _) = run(
        place
            .drconsole(&env)
            .args(["runbook", "check", "protect-main", "--json"]),
        0,
    );
    let ready: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(ready["ready"], true, "{stdout}");
    assert_eq!(ready["blockers"], serde_json::json!([]), "{stdout}");
}
