//! delete-table, count-items and compare-tables against moto through the executor: the
//! typed name, the backup before the delete, deletion protection, exact counts, and a
//! restored copy compared item by item.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use drconsole::action::{ActionError, Executor, ExecutorOptions, Guard, Report, Status, catalogue};
use drconsole::cloud::Cloud;

use crate::common::{self, MotoEnv, PRIMARY_REGION as EAST};
use crate::helpers::*;

async fn executor(env: &MotoEnv, dir: &std::path::Path) -> Executor {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let options = ExecutorOptions {
        poll_every: Some(Duration::from_millis(50)),
        ..in_account()
    };
    executor_in(cloud, &example_estate(), dir, options)
}

async fn check(executor: &Executor, name: &str, target: &str, pairs: &[&str]) -> Report {
    let check = catalogue::find_check(name).unwrap();
    let args = drconsole::action::Args::parse(name, check.args(), pairs).unwrap();
    executor
        .check(check, target, &args, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn backup_names(env: &MotoEnv, table: &str) -> Vec<String> {
    env.dynamodb(EAST)
        .await
        .list_backups()
        .table_name(table)
        .send()
        .await
        .unwrap()
        .backup_summaries()
        .iter()
        .filter_map(|b| b.backup_name().map(str::to_owned))
        .collect()
}

async fn table_exists(env: &MotoEnv, table: &str) -> bool {
    env.dynamodb(EAST)
        .await
        .describe_table()
        .table_name(table)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn delete_table_needs_the_name_then_backs_up_first_and_deletes() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-config").await;
    common::put_items(&env, EAST, "flightdata-config", 5).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let err = run(&executor, "delete-table", "flightdata-config", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ActionError::Refused {
                guard: Guard::Confirmation,
                ..
            }
        ),
        "{err}"
    );
    assert!(table_exists(&env, "flightdata-config").await);
    assert!(backup_names(&env, "flightdata-config").await.is_empty());

    env.start_recording();
    let outcome = run_confirmed(
        &executor,
        "delete-table",
        "flightdata-config",
        &[],
        Some("flightdata-config"),
    )
    .await
    .unwrap();
    let sent = env.stop_recording();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    // moto answers DeleteTable and the table is gone at once; a backup asked for after it
    // would fail: the order is what makes the safety net real.
    let order: Vec<String> = writes(&sent);
    assert_eq!(
        order,
        ["CreateBackup (us-east-1)", "DeleteTable (us-east-1)"]
    );
    assert!(!table_exists(&env, "flightdata-config").await);
    let names = backup_names(&env, "flightdata-config").await;
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(
        names[0].starts_with("before-delete-") && names[0].ends_with("-flightdata-config"),
        "{names:?}"
    );
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("restore-backup") && n.contains(&names[0])),
        "{:?}",
        outcome.notes
    );

    env.start_recording();
    let again = run_confirmed(
        &executor,
        "delete-table",
        "flightdata-config",
        &[],
        Some("flightdata-config"),
    )
    .await
    .unwrap();
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
}

#[tokio::test]
async fn delete_table_refuses_a_table_with_deletion_protection() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    env.dynamodb(EAST)
        .await
        .update_table()
        .table_name("flightdata-main")
        .deletion_protection_enabled(true)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    env.start_recording();
    let err = run_confirmed(
        &executor,
        "delete-table",
        "flightdata-main",
        &[],
        Some("flightdata-main"),
    )
    .await
    .unwrap_err();
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(
        matches!(&err, ActionError::Invalid(m) if m.contains("deletion protection")),
        "{err}"
    );
    assert!(table_exists(&env, "flightdata-main").await);
}

#[tokio::test]
async fn count_items_counts_exactly_what_was_put() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    common::put_items(&env, EAST, "flightdata-main", 37).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let lines = std::sync::Mutex::new(Vec::new());
    let count = catalogue::find_check("count-items").unwrap();
    let args =
        drconsole::action::Args::parse("count-items", count.args(), &["segments=3"]).unwrap();
    let report = executor
        .check(count, "flightdata-main", &args, &|l| {
            lines.lock().unwrap().push(l)
        })
        .await
        .unwrap();
    assert!(report.passed, "{report:#?}");
    assert_eq!(report.figures["items"], 37);
    assert_eq!(report.figures["segments"], 3);
    assert_eq!(report.figures["approximate_item_count"], 37);
    assert!(
        report.summary.starts_with("37 items in flightdata-main"),
        "{}",
        report.summary
    );
    let lines = lines.into_inner().unwrap();
    assert!(
        lines.iter().any(|l| l.starts_with("segment 3/3: ")),
        "{lines:?}"
    );
    let journalled = entries(dir.path());
    assert!(
        journalled.iter().any(|e| e.kind == "check_finished"),
        "the verdict is journalled"
    );
}

#[tokio::test]
async fn compare_tables_passes_for_a_restored_copy_and_names_a_changed_item() {
    let env = common::moto().await;
    common::create_table(&env, EAST, "flightdata-main").await;
    common::put_items(&env, EAST, "flightdata-main", 20).await;
    let arn = common::create_backup(&env, EAST, "flightdata-main", "nightly").await;
    // moto restores at once.
    env.dynamodb(EAST)
        .await
        .restore_table_from_backup()
        .backup_arn(arn)
        .target_table_name("flightdata-main-restored")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(&env, dir.path()).await;

    let with = ["with=flightdata-main-restored"];
    let report = check(&executor, "compare-tables", "flightdata-main", &with).await;
    assert!(report.passed, "{report:#?}");
    assert_eq!(report.figures["sampled"], 20);
    assert_eq!(report.figures["with_items"], 20);

    env.dynamodb(EAST)
        .await
        .put_item()
        .table_name("flightdata-main-restored")
        .item("flight_id", AttributeValue::S("FL00003".into()))
        .item(
            "timestamp",
            AttributeValue::S("2026-01-01T00:03:00Z".into()),
        )
        .item("altitude", AttributeValue::N("99999".into()))
        .send()
        .await
        .unwrap();
    let report = check(&executor, "compare-tables", "flightdata-main", &with).await;
    assert!(!report.passed, "{report:#?}");
    assert_eq!(report.figures["unequal"], 1);
    assert_eq!(
        report.lines,
        [
            "item flight_id=\"FL00003\": attribute altitude is 30003 here, 99999 in \
             flightdata-main-restored"
        ]
    );
}
