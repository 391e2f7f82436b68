//! What every `drconsole backup` family shares, through the binary on the simulated estate:
//! the lock (a second run of a family is refused with exit 75, naming the holder), `--dry-run`
//! (no lock, no history), `--read-only`, names the estate lacks, and the README's crontab
//! (every command in it is one drconsole takes).

use std::path::Path;

use assert_cmd::Command;
use drconsole::backup::{Family, RunLock};

fn drconsole(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", data)
        .env_remove("DRCONSOLE_CONFIG")
        .env("NO_COLOR", "1");
    cmd
}

fn history_files(data: &Path) -> usize {
    std::fs::read_dir(data.join("history").join("backups"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn a_second_run_of_a_family_is_refused_with_75_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let held = RunLock::acquire(&dir.path().join("locks"), Family::Dynamodb).unwrap();
    let out = drconsole(dir.path())
        .args(["--demo", "backup", "dynamodb"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another run is in progress"), "{err}");
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert_eq!(
        history_files(dir.path()),
        0,
        "a refused run keeps no record"
    );

    // Another family is not held up, and the family runs again once the lock is let go.
    let out = drconsole(dir.path())
        .args(["--demo", "backup", "config", "--json"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(75), "{out:?}");
    drop(held);
    let out = drconsole(dir.path())
        .args(["--demo", "backup", "dynamodb"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(75), "{out:?}");
}

#[test]
fn a_dry_run_takes_no_lock_and_keeps_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let _held = RunLock::acquire(&dir.path().join("locks"), Family::Dynamodb).unwrap();
    let out = drconsole(dir.path())
        .args(["--demo", "backup", "dynamodb", "--dry-run", "--json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "a dry run is not refused by a held lock: {out:?}"
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["dry_run"], true);
    assert_eq!(record["mode"], "simulation");
    assert_eq!(history_files(dir.path()), 0);
}

#[test]
fn a_real_run_keeps_its_record_and_read_only_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = drconsole(dir.path())
        .args(["--demo", "--read-only", "backup", "lambda"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--read-only"));

    let out = drconsole(dir.path())
        .args(["--demo", "backup", "lambda", "--json"])
        .output()
        .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["family"], "lambda");
    assert_eq!(record["dry_run"], false);
    assert_eq!(history_files(dir.path()), 1);
}

#[test]
fn a_name_the_estate_does_not_have_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = drconsole(dir.path())
        .args(["--demo", "backup", "dynamodb", "no-such-table"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no-such-table is not a table of the estate"),
        "{err}"
    );
}

/// Every `drconsole …` line of the README's crontab, as cron would run it, is a command
/// drconsole takes: checked by asking for its help with the same arguments.
#[test]
fn every_command_of_the_readme_crontab_is_one_drconsole_takes() {
    let readme = include_str!("../README.md");
    let block = readme
        .split("```crontab")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a crontab block");
    let commands: Vec<Vec<&str>> = block
        .lines()
        .filter_map(|line| line.split_once("drconsole "))
        .map(|(_, rest)| {
            rest.split('#')
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect()
        })
        .collect();
    assert!(commands.len() >= 6, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    for args in &commands {
        let out = drconsole(dir.path())
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "drconsole {args:?}: {out:?}");
    }
    // First Friday: cron ORs a restricted day-of-month with a restricted day-of-week, so the
    // line restricts only the day of the month and tests the weekday in the command.
    let validate = block
        .lines()
        .find(|l| l.contains("drconsole validate"))
        .expect("the crontab runs validate");
    let fields: Vec<&str> = validate.split_whitespace().take(5).collect();
    assert_eq!(fields[2], "1-7", "{validate}");
    assert_eq!(
        fields[4], "*",
        "a restricted day-of-week would be OR-ed: {validate}"
    );
    assert!(validate.contains(r#"[ "$(date +\%u)" = 5 ]"#), "{validate}");
}
