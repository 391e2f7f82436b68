//! The `shell` check: only the estate file's allow-list runs, as argv in its folder, with the
//! estate's regions filled in; exit 0 passes, anything else fails, and a command past its
//! timeout is killed with what it started. Small scripts in a temporary folder stand in for
//! the plan's smoke test.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use drconsole::action::{ActionError, Args, Executor, ExecutorOptions, Report, catalogue};
use drconsole::cloud::Cloud;
use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
use drconsole::config::Estate;

use crate::helpers::{entries, executor_in, of_kind};

const ESTATE: &str = r#"
name = "Shell check"

[regions]
primary = "us-east-1"
backup = "us-west-2"

[commands.pass]
run = ["./scripts/pass.sh", "--region", "{{region}}", "--backup={{ backup_region }}"]
timeout = "1m"

[commands.fail]
run = ["./scripts/fail.sh"]

[commands.slow]
run = ["./slow.sh"]
timeout = "1s"
dir = "scripts"

[commands.missing]
run = ["./scripts/not-there.sh"]
"#;

fn script(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

struct Setup {
    folder: tempfile::TempDir,
    executor: Executor,
}

/// The estate file and its scripts in a folder of their own; drconsole started elsewhere.
fn setup() -> Setup {
    setup_with(ExecutorOptions {
        account: Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    })
}

fn setup_with(options: ExecutorOptions) -> Setup {
    let folder = tempfile::tempdir().unwrap();
    let scripts = folder.path().join("scripts");
    std::fs::create_dir(&scripts).unwrap();
    script(
        &scripts,
        "pass.sh",
        "echo \"smoke test $1 $2 $3\"\necho fine >&2\nexit 0",
    );
    script(
        &scripts,
        "fail.sh",
        "echo 'checked 3 endpoints'\necho 'api: 503' >&2\nexit 3",
    );
    script(
        &scripts,
        "slow.sh",
        "echo started\nsleep 120 &\necho $! > sleeper.pid\nwait",
    );
    let file = folder.path().join("estate.toml");
    std::fs::write(&file, ESTATE).unwrap();
    let estate: Estate = drconsole::config::load(&file).unwrap_or_else(|e| panic!("{e}"));
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    );
    let executor = executor_in(
        Arc::new(sim) as Arc<dyn Cloud>,
        &estate,
        &folder.path().join("journal"),
        options,
    );
    Setup { folder, executor }
}

async fn check(setup: &Setup, target: &str, pairs: &[&str]) -> Result<Report, ActionError> {
    let shell = catalogue::find_check("shell").expect("the shell check");
    let args = Args::parse("shell", shell.args(), pairs).unwrap();
    setup.executor.check(shell, target, &args, &|_| {}).await
}

#[tokio::test]
async fn a_command_of_the_allow_list_runs_as_argv_with_the_regions_filled_in() {
    let setup = setup();
    let seen = Mutex::new(Vec::new());
    let shell = catalogue::find_check("shell").unwrap();
    let report = setup
        .executor
        .check(shell, "pass", &Args::default(), &|line| {
            seen.lock().unwrap().push(line)
        })
        .await
        .unwrap();
    assert!(report.passed, "{report:#?}");
    assert_eq!(report.figures["exit_code"], 0);
    assert_eq!(
        report.figures["stdout"],
        "smoke test --region us-east-1 --backup=us-west-2\n"
    );
    assert_eq!(report.figures["stderr"], "fine\n");
    assert!(
        seen.into_inner()
            .unwrap()
            .iter()
            .any(|l| l == "smoke test --region us-east-1 --backup=us-west-2"),
        "output lines are progress"
    );
    // The check's verdict and its output are journalled.
    let journal = entries(&setup.folder.path().join("journal"));
    let finished = of_kind(&journal, "check_finished");
    assert_eq!(finished.len(), 1, "{journal:#?}");
    assert_eq!(finished[0].payload["passed"], true);
    assert!(
        finished[0]
            .payload
            .to_string()
            .contains("smoke test --region"),
        "{:#}",
        finished[0].payload
    );

    // --arg region picks the region {{region}} stands for.
    let west = check(&setup, "pass", &["region=us-west-2"]).await.unwrap();
    assert_eq!(
        west.figures["stdout"],
        "smoke test --region us-west-2 --backup=us-west-2\n"
    );
}

#[tokio::test]
async fn a_non_zero_exit_is_a_failed_verdict_with_its_output() {
    let setup = setup();
    let report = check(&setup, "fail", &[]).await.unwrap();
    assert!(!report.passed);
    assert_eq!(report.figures["exit_code"], 3);
    assert!(report.summary.contains("exit 3"), "{}", report.summary);
    assert_eq!(report.lines, ["checked 3 endpoints", "api: 503"]);
}

#[tokio::test]
async fn a_command_past_its_timeout_is_killed_with_what_it_started() {
    let setup = setup();
    let report = check(&setup, "slow", &[]).await.unwrap();
    assert!(!report.passed);
    assert_eq!(report.figures["timed_out"], true, "{report:#?}");
    assert!(report.summary.contains("killed"), "{}", report.summary);
    // The script's own child went with it: its process group was killed.
    let pid_file = setup.folder.path().join("scripts/sleeper.pid");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
    let alive = stat.is_ok_and(|s| {
        let state = s.rsplit(')').next().unwrap_or("").trim_start();
        !state.starts_with('Z') && !state.starts_with('X')
    });
    assert!(!alive, "sleep {} outlived the check", pid.trim());
}

#[tokio::test]
async fn only_commands_of_the_allow_list_run() {
    let setup = setup();
    let err = check(&setup, "sh", &[]).await.unwrap_err();
    assert!(
        matches!(&err, ActionError::Invalid(m) if m.contains("not a command of the estate")
            && m.contains("pass")),
        "{err}"
    );
    // A listed command whose program is not there could not be checked: an error (exit 2
    // on the command line), neither a failed verdict nor bad input.
    let err = check(&setup, "missing", &[]).await.unwrap_err();
    assert!(
        matches!(err, ActionError::Cloud(_)) && err.to_string().contains("not-there.sh"),
        "{err}"
    );
}

#[tokio::test]
async fn a_command_may_write_so_it_runs_only_where_writes_may() {
    let read_only = setup_with(ExecutorOptions {
        read_only: true,
        account: Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    });
    let err = check(&read_only, "pass", &[]).await.unwrap_err();
    assert!(
        matches!(&err, ActionError::Refused { .. }) && err.to_string().contains("read-only"),
        "{err}"
    );
    // An unknown account is not a matching one, for a command as for a write.
    let unknown = setup_with(ExecutorOptions::default());
    let err = check(&unknown, "pass", &[]).await.unwrap_err();
    assert!(matches!(&err, ActionError::Refused { .. }), "{err}");
}
