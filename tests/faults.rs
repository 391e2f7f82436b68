//! Fault points fire in the binary that tests run (a test build), armed through
//! `DRCONSOLE_FAILPOINTS`, and a misspelt point is refused rather than silently never firing.
//! (That release builds carry none of them is checked with `scripts/check-release-faults`.)

mod common;

use std::time::Duration;

use assert_cmd::Command;
use common::{ENV_TO_REMOVE, MotoEnv, plan_estate_toml, seed_plan_estate};

fn status(env: &MotoEnv, estate: &std::path::Path, data: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").expect("the drconsole binary");
    cmd.envs(env.env_vars());
    for name in ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    cmd.env_remove("DRCONSOLE_CONFIG")
        .env("DRCONSOLE_DATA_DIR", data)
        .arg("status")
        .arg("--config")
        .arg(estate)
        .timeout(Duration::from_secs(120));
    cmd
}

#[tokio::test]
async fn an_armed_point_fails_the_command_where_it_sits() {
    let env = common::moto().await;
    let seeded = seed_plan_estate(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("estate.toml");
    std::fs::write(&estate, plan_estate_toml(&seeded)).unwrap();

    let out = status(&env, &estate, dir.path())
        .env("DRCONSOLE_FAILPOINTS", "status.before_report=error")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(70), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("injected fault at status.before_report"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "the report was never printed");

    // `@2`: the first time through is untouched; the status run reaches the point once.
    let out = status(&env, &estate, dir.path())
        .env("DRCONSOLE_FAILPOINTS", "status.before_report=error@2")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "not fired before its hit: {out:?}"
    );
    assert!(!out.stdout.is_empty());

    let out = status(&env, &estate, dir.path())
        .env("DRCONSOLE_FAILPOINTS", "status.before_report=abort")
        .output()
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "SIGABRT: {out:?}");
    }
    assert!(!out.status.success());
}

#[test]
fn a_misspelt_point_stops_the_process_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("drconsole")
        .unwrap()
        .env("DRCONSOLE_DATA_DIR", dir.path())
        .env("DRCONSOLE_FAILPOINTS", "status.befor_report=error")
        .args(["status", "--config", "no-such-file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101), "a loud panic: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no fault point is called `status.befor_report`"),
        "{stderr}"
    );
}
