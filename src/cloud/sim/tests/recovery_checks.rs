//! The table and replica actions and checks on the simulated estate, through the executor:
//! a delete that waits on the sim's clock, counts and comparisons of a restored table, a copy
//! back from a replica, and access to a bucket.

use std::sync::Arc;

use super::*;
use crate::action::{Args, Executor, ExecutorOptions, Status, catalogue};
use crate::incident::journal::{Journal, Origin};
use crate::mode::Mode;

fn executor(sim: &Arc<SimCloud>, dir: &Path) -> Executor {
    let options = ExecutorOptions {
        account: Some(super::super::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    };
    let origin = Origin::new(Mode::Simulation, options.account.clone(), Vec::new());
    let journal = Journal::open_or_create(&dir.join("journal"), origin).unwrap();
    Executor::new(sim.clone(), Arc::new(estate()), journal, options)
}

async fn check(
    executor: &Executor,
    name: &str,
    target: &str,
    pairs: &[&str],
) -> crate::action::Report {
    let check = catalogue::find_check(name).unwrap();
    let args = Args::parse(name, check.args(), pairs).unwrap();
    executor.check(check, target, &args, &|_| {}).await.unwrap()
}

#[tokio::test]
async fn delete_table_backs_up_then_waits_on_the_sim_clock_until_it_is_gone() {
    let sim = Arc::new(sim(&[]));
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&sim, dir.path());
    let action = catalogue::find("delete-table").unwrap();
    let before = sim.clock().now();
    let outcome = executor
        .run(
            action,
            "flightdata-config",
            &Args::default(),
            Some("flightdata-config"),
            None,
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    assert!(
        sim.clock().now() > before,
        "the wait moved the simulated clock"
    );
    let err = crate::cloud::Backups::describe_table(sim.as_ref(), EAST, "flightdata-config")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let backups =
        crate::cloud::Backups::list_backups(sim.as_ref(), EAST, Some("flightdata-config"))
            .await
            .unwrap();
    assert!(
        backups.iter().any(|b| b.name.starts_with("before-delete-")),
        "{backups:?}"
    );
}

#[tokio::test]
async fn a_restored_table_counts_and_compares_equal_to_its_source() {
    let sim = Arc::new(sim(&[]));
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&sim, dir.path());
    let backup = crate::cloud::Backups::list_backups(sim.as_ref(), EAST, Some("flightdata-main"))
        .await
        .unwrap()
        .remove(0);
    sim.send(
        &WriteRequest::RestoreTableFromBackup {
            region: EAST.into(),
            backup_arn: backup.arn,
            target_table: "flightdata-main-restored".into(),
        },
        &Authority::for_tests(),
    )
    .await
    .unwrap();
    sim.clock().advance(chrono::Duration::minutes(10));

    let count = check(&executor, "count-items", "flightdata-main", &[]).await;
    assert!(count.passed, "{count:#?}");
    assert!(count.figures["items"].as_u64().unwrap() > 0);

    // A restored table is not in the estate: the comparison names it as the other side.
    let same = check(
        &executor,
        "compare-tables",
        "flightdata-main",
        &["with=flightdata-main-restored", "sample=50"],
    )
    .await;
    assert!(same.passed, "{same:#?}");
    assert_eq!(same.figures["sampled"], 50);

    let other = check(
        &executor,
        "compare-tables",
        "flightdata-main",
        &["with=flightdata-metrics"],
    )
    .await;
    assert!(!other.passed, "{other:#?}");
    assert!(
        other
            .lines
            .iter()
            .any(|l| l.contains("not found in flightdata-metrics")),
        "{other:#?}"
    );
}

#[tokio::test]
async fn copy_from_replica_copies_an_object_only_the_replica_has_and_access_checks_pass() {
    let sim = Arc::new(sim(&[]));
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&sim, dir.path());
    let replica = "flightdata-raw-backup-us-west-2";
    sim.send(
        &WriteRequest::PutObject {
            region: WEST.into(),
            bucket: replica.into(),
            key: "only-in-replica.json".into(),
            body: crate::cloud::ObjectBody::json(&serde_json::json!({})),
        },
        &Authority::for_tests(),
    )
    .await
    .unwrap();
    let action = catalogue::find("copy-from-replica").unwrap();
    let outcome = executor
        .run(
            action,
            "flightdata-raw",
            &Args::default(),
            None,
            None,
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    let copied = crate::cloud::Storage::list_objects(
        sim.as_ref(),
        EAST,
        "flightdata-raw",
        Some("only-in-replica"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(copied.len(), 1);
    let again = executor
        .run(
            action,
            "flightdata-raw",
            &Args::default(),
            None,
            None,
            &|_| {},
        )
        .await
        .unwrap();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");

    let access = check(&executor, "check-access", "flightdata-raw", &[]).await;
    assert!(access.passed, "{access:#?}");
}
