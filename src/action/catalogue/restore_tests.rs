//! The restores on the simulated estate, on a fixed clock: the wait's progress as AWS's
//! minutes pass (the clock moves instead of the test sleeping), then the new table ACTIVE
//! and protected as its source.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};

use crate::action::{Args, Executor, ExecutorOptions, Progress, Status, catalogue};
use crate::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
use crate::cloud::{Backups, Identity};
use crate::incident::journal::{Journal, Origin};
use crate::mode::Mode;

fn estate() -> crate::config::Estate {
    crate::config::parse(
        crate::session::EXAMPLE_ESTATE,
        Path::new("templates/estate.example.toml"),
    )
    .expect("the example estate parses")
}

fn setup(dir: &Path) -> (Arc<SimCloud>, Executor) {
    let sim = Arc::new(SimCloud::new(
        &estate(),
        SimOptions {
            clock: SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    ));
    let origin = Origin::new(
        Mode::Simulation,
        Some(crate::cloud::sim::ACCOUNT.to_owned()),
        Vec::new(),
    );
    let journal = Journal::open_or_create(&dir.join("journal"), origin).unwrap();
    let options = ExecutorOptions {
        account: Some(crate::cloud::sim::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    };
    let executor = Executor::new(sim.clone(), Arc::new(estate()), journal, options);
    (sim, executor)
}

async fn restore_takes_minutes_and_ends_protected(name: &str, pairs: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path());
    let source = "flightdata-main";
    let before = sim
        .describe_table_schema("us-east-1", source)
        .await
        .unwrap();
    let started = sim.now();
    let action = catalogue::find(name).unwrap();
    let args = Args::parse(name, action.args(), pairs).unwrap();
    let lines = Mutex::new(Vec::new());
    let progress = |p: Progress| lines.lock().unwrap().push(p.what);
    let outcome = executor
        .run(action, source, &args, None, None, &progress)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Done);
    let lines = lines.into_inner().unwrap();
    let waiting: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("waiting for table restored to be ACTIVE"))
        .collect();
    // Polled every 5 s of sim time for AWS's 3 minutes.
    assert!(waiting.len() >= 30, "{lines:#?}");
    assert!(waiting[0].contains("CREATING"), "{}", waiting[0]);
    assert!(sim.now() - started >= chrono::Duration::minutes(3));

    let after = sim
        .describe_table_schema("us-east-1", "restored")
        .await
        .unwrap();
    assert!(
        sim.describe_table("us-east-1", "restored")
            .await
            .unwrap()
            .is_active()
    );
    assert!(after.pitr_enabled, "PITR is back on");
    assert_eq!(after.ttl_attribute, before.ttl_attribute);
    assert_eq!(after.stream_view_type, before.stream_view_type);
    assert_eq!(after.tags, before.tags);
}

#[tokio::test]
async fn a_sim_backup_restore_waits_minutes_then_re_protects() {
    restore_takes_minutes_and_ends_protected("restore-backup", &["new-name=restored"]).await;
}

#[tokio::test]
async fn a_sim_point_in_time_restore_waits_minutes_then_re_protects() {
    restore_takes_minutes_and_ends_protected("restore-pitr", &["time=-30m", "new-name=restored"])
        .await;
}

#[tokio::test]
async fn a_new_table_never_takes_the_name_of_an_estate_table_that_exists_there() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, executor) = setup(dir.path());
    for name in ["restore-backup", "restore-pitr", "import-table"] {
        let action = catalogue::find(name).unwrap();
        let pairs: &[&str] = match name {
            "restore-pitr" => &["new-name=flightdata-config", "time=latest"],
            "import-table" => &["new-name=flightdata-config", "region=us-east-1"],
            _ => &["new-name=flightdata-config"],
        };
        let args = Args::parse(name, action.args(), pairs).unwrap();
        let err = executor
            .plan(action, "flightdata-main", &args)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "flightdata-config exists in us-east-1 (ACTIVE): a restore cannot \
                           overwrite"
            ),
            "{name}: {err}"
        );
    }
}

/// The corruption swap: the corrupted table deleted, its name is free again in its region.
#[tokio::test]
async fn an_estate_tables_name_is_taken_where_none_has_it_and_is_never_the_runs_own() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path());
    let table = "flightdata-config";
    let delete = catalogue::find("delete-table").unwrap();
    executor
        .run(delete, table, &Args::default(), Some(table), None, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for (name, pairs) in [
        ("restore-backup", &["new-name=flightdata-config"][..]),
        (
            "import-table",
            &["new-name=flightdata-config", "region=us-east-1"][..],
        ),
    ] {
        let action = catalogue::find(name).unwrap();
        let args = Args::parse(name, action.args(), pairs).unwrap();
        let plan = executor
            .plan(action, table, &args)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(plan.creates.is_empty(), "{name}: {:?}", plan.creates);
        assert!(
            plan.notes.iter().any(|n| n.contains("not this run's own")),
            "{name}: {:#?}",
            plan.notes
        );
    }
    // Made, the table still needs its name typed back to be deleted.
    let restore = catalogue::find("restore-backup").unwrap();
    let args = Args::parse(
        "restore-backup",
        restore.args(),
        &["new-name=flightdata-config"],
    )
    .unwrap();
    let outcome = executor
        .run(restore, table, &args, None, None, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Done);
    assert!(
        sim.describe_table("us-east-1", table)
            .await
            .unwrap()
            .is_active()
    );
    assert!(!executor.owns(table));
    // Run again, the restore is refused (the name is taken) unless told that a table there
    // is its own result found again (a retry, a resumed runbook): then nothing is sent.
    let again = executor.plan(restore, table, &args).await.unwrap_err();
    assert!(again.to_string().contains("exists"), "{again}");
    let adopt = Args::parse(
        "restore-backup",
        restore.args(),
        &["new-name=flightdata-config", "if-exists=adopt"],
    )
    .unwrap();
    let rerun = executor
        .run(restore, table, &adopt, None, None, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(rerun.status, Status::AlreadyDone(_)),
        "{:?}",
        rerun.status
    );
    assert!(!executor.owns(table));
    let err = executor
        .run(delete, table, &Args::default(), None, None, &|_| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("--confirm flightdata-config"),
        "{err}"
    );
    // A run-named table stays the run's own.
    let pitr = catalogue::find("restore-pitr").unwrap();
    let args = Args::parse(
        "restore-pitr",
        pitr.args(),
        &["new-name=flightdata-main-check", "time=latest"],
    )
    .unwrap();
    executor
        .run(pitr, "flightdata-main", &args, None, None, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(executor.owns("flightdata-main-check"));
}

#[tokio::test]
async fn every_table_action_takes_only_the_estates_two_regions() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, executor) = setup(dir.path());
    for name in ["delete-table", "restore-backup"] {
        let action = catalogue::find(name).unwrap();
        let args = Args::parse(name, action.args(), &["region=eu-west-1"]).unwrap();
        let err = executor
            .plan(action, "flightdata-main", &args)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("is not the estate's primary"),
            "{name}: {err}"
        );
    }
    let count = catalogue::find_check("count-items").unwrap();
    let args = Args::parse("count-items", count.args(), &["region=eu-west-1"]).unwrap();
    let err = executor
        .check(count, "flightdata-main", &args, &|_| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("is not the estate's primary"),
        "{err}"
    );
}
