//! Exports and imports in the simulation, with AWS's timing on the fixed clock: an export
//! completes after five minutes, an import after ten, and import-table finds the demo's
//! weekly export and its schema.json by itself.

use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::action::{Args, Executor, ExecutorOptions, Status, catalogue};
use crate::cloud::{Backups, ErrorKind, ImportRequest, Storage, TableSchema};
use crate::incident::journal::{Journal, Origin};
use crate::mode::Mode;

const MAIN: &str = "flightdata-main";
const BUCKET: &str = "flightdata-backups";

fn main_arn() -> String {
    format!("arn:aws:dynamodb:{EAST}:123456789012:table/{MAIN}")
}

/// The data folder of the demo's newest weekly export of `table`, and its schema.json.
async fn weekly(sim: &SimCloud, table: &str) -> (String, String) {
    let files = sim
        .list_objects(
            WEST,
            BUCKET,
            Some(&format!("dynamodb-exports/{table}/")),
            None,
        )
        .await
        .unwrap();
    let data = files
        .iter()
        .filter(|o| o.key.contains("/data/"))
        .map(|o| o.key.rsplit_once('/').unwrap().0.to_owned() + "/")
        .max()
        .expect("a weekly export");
    let base = data.split_once("AWSDynamoDB/").unwrap().0.to_owned();
    (data, format!("{base}schema.json"))
}

#[tokio::test]
async fn an_export_is_listed_in_progress_then_completed_after_five_minutes() {
    let sim = sim(&[]);
    let request = ExportRequest {
        table_arn: main_arn(),
        bucket: BUCKET.to_owned(),
        prefix: "dynamodb-exports/flightdata-main/manual".to_owned(),
        at: None,
    };
    let export = sim.export(EAST, &request).await.unwrap();
    let described = sim.describe_export(EAST, &export.arn).await.unwrap();
    assert_eq!(described.status, "IN_PROGRESS");
    assert_eq!(described.prefix.as_deref(), Some(request.prefix.as_str()));
    sim.clock().advance(Duration::minutes(4));
    assert_eq!(
        sim.describe_export(EAST, &export.arn).await.unwrap().status,
        "IN_PROGRESS"
    );
    sim.clock().advance(Duration::minutes(1));
    let done = sim.describe_export(EAST, &export.arn).await.unwrap();
    assert_eq!(done.status, "COMPLETED");
    assert!(done.items.is_some_and(|n| n > 0));
    let listed = sim.list_exports(EAST, &main_arn()).await.unwrap();
    assert!(listed.contains(&done), "{listed:?}");
    assert!(listed.len() >= 3, "the two weekly exports too: {listed:?}");
    let err = sim.describe_export(EAST, "arn:nope").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn the_demo_keeps_a_schema_beside_each_weekly_export() {
    let sim = sim(&[]);
    let (_, schema_key) = weekly(&sim, MAIN).await;
    let schema: TableSchema =
        serde_json::from_slice(&sim.get_object(WEST, BUCKET, &schema_key).await.unwrap()).unwrap();
    assert_eq!(schema.table, MAIN);
    assert_eq!(schema.key_schema[0].attribute, "pk");
    assert!(schema.pitr_enabled);
    let missing = sim
        .get_object(WEST, BUCKET, "dynamodb-exports/none/schema.json")
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn an_import_takes_ten_minutes_and_loads_the_exports_items() {
    let sim = sim(&[Fault::RegionOutage]);
    let (data, schema_key) = weekly(&sim, MAIN).await;
    let schema: TableSchema =
        serde_json::from_slice(&sim.get_object(WEST, BUCKET, &schema_key).await.unwrap()).unwrap();
    let request = WriteRequest::ImportTable {
        region: WEST.into(),
        import: Box::new(ImportRequest {
            bucket: BUCKET.into(),
            key_prefix: data,
            table: "main-west".into(),
            schema,
        }),
    };
    let WriteOutput::Import(import) = sim.output(request).await.unwrap() else {
        panic!("ImportTable answered something else")
    };
    assert_eq!(import.status, "IN_PROGRESS");
    assert_eq!(
        sim.describe_table(WEST, "main-west").await.unwrap().status,
        "CREATING"
    );
    sim.clock().advance(Duration::minutes(10));
    let done = sim.describe_import(WEST, &import.arn).await.unwrap();
    assert_eq!(done.status, "COMPLETED", "{done:?}");
    let table = sim.describe_table(WEST, "main-west").await.unwrap();
    assert!(table.is_active());
    assert!(table.item_count.unwrap_or(0) > 0);
    assert_eq!(done.imported_items, table.item_count);
}

#[tokio::test]
async fn an_import_of_a_folder_without_data_fails_and_leaves_no_table() {
    let sim = sim(&[]);
    let (_, schema_key) = weekly(&sim, MAIN).await;
    let schema: TableSchema =
        serde_json::from_slice(&sim.get_object(WEST, BUCKET, &schema_key).await.unwrap()).unwrap();
    let request = WriteRequest::ImportTable {
        region: WEST.into(),
        import: Box::new(ImportRequest {
            bucket: BUCKET.into(),
            key_prefix: "nothing/here/".into(),
            table: "main-west".into(),
            schema,
        }),
    };
    let WriteOutput::Import(import) = sim.output(request).await.unwrap() else {
        panic!("ImportTable answered something else")
    };
    sim.clock().advance(Duration::minutes(10));
    let failed = sim.describe_import(WEST, &import.arn).await.unwrap();
    assert_eq!(failed.status, "FAILED");
    assert!(failed.failure.is_some_and(|f| f.contains("no data files")));
    assert!(
        sim.describe_table(WEST, "main-west")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

fn executor(sim: Arc<SimCloud>, dir: &std::path::Path) -> Executor {
    let origin = Origin::new(
        Mode::Simulation,
        Some(crate::cloud::sim::ACCOUNT.to_owned()),
        Vec::new(),
    );
    let journal = Journal::open_or_create(dir, origin).unwrap();
    Executor::new(
        sim,
        Arc::new(estate()),
        journal,
        ExecutorOptions {
            account: Some(crate::cloud::sim::ACCOUNT.to_owned()),
            ..ExecutorOptions::default()
        },
    )
}

#[tokio::test]
async fn import_table_rehearses_the_restore_from_the_weekly_export_with_the_primary_down() {
    let sim = Arc::new(sim(&[Fault::RegionOutage]));
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(sim.clone(), dir.path());
    let action = catalogue::find("import-table").unwrap();
    let args = Args::parse(action.name(), action.args(), &["new-name=main-west"]).unwrap();
    let plan = executor.plan(action, MAIN, &args).await.unwrap();
    assert!(
        plan.notes
            .iter()
            .any(|n| n.starts_with("data loss:") && n.contains("more than the 1h RPO")),
        "{:#?}",
        plan.notes
    );
    let ops: Vec<&str> = plan.requests.iter().map(|r| r.operation()).collect();
    assert_eq!(
        ops[..2],
        ["ImportTable", "UpdateContinuousBackups"],
        "{ops:?}"
    );
    assert!(ops.contains(&"TagResource"), "the source's tags: {ops:?}");
    let start = sim.clock().now();
    let outcome = executor
        .run(action, MAIN, &args, None, Some(&plan), &|_| {})
        .await;
    assert_eq!(outcome.unwrap().status, Status::Done);
    assert!(
        sim.clock().now() - start >= Duration::minutes(10),
        "the import took the simulated minutes AWS takes"
    );
    assert!(
        sim.describe_continuous_backups(WEST, "main-west")
            .await
            .unwrap()
            .pitr_enabled
    );
    // The imported table is the run's own: an action may now target it by name.
    let delete = catalogue::find("delete-table").unwrap();
    let args = Args::parse(delete.name(), delete.args(), &["region=us-west-2"]).unwrap();
    let plan = executor.plan(delete, "main-west", &args).await.unwrap();
    assert!(!plan.is_noop(), "{plan:?}");
}

#[tokio::test]
async fn export_table_writes_the_schema_and_completes_in_the_simulation() {
    let sim = Arc::new(sim(&[]));
    let dir = tempfile::tempdir().unwrap();
    let executor = executor(sim.clone(), dir.path());
    let action = catalogue::find("export-table").unwrap();
    let args = Args::default();
    let plan = executor.plan(action, MAIN, &args).await.unwrap();
    let prefix = plan.args.get("prefix").unwrap().to_owned();
    assert_eq!(prefix, "dynamodb-exports/flightdata-main/2026/11/24");
    let outcome = executor
        .run(action, MAIN, &args, None, Some(&plan), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Done);
    let schema = sim
        .get_object(WEST, BUCKET, &format!("{prefix}/schema.json"))
        .await
        .unwrap();
    assert!(serde_json::from_slice::<TableSchema>(&schema).is_ok());
    let again = executor
        .run(action, MAIN, &args, None, None, &|_| {})
        .await
        .unwrap();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
}
