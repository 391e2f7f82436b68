//! `drconsole backup dynamodb` as cron runs it, against moto: the plan's daily backup names,
//! PITR turned on where it was off, no second CreateBackup the same day, the export with its
//! schema in the backup region's bucket (and a table imported back from it there), the dry
//! run listing exactly what a run sends, a failing table reported while the others are
//! backed up, the record in the history and the journal; and the simulation.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use chrono::Utc;
use drconsole::action::{ExecutorOptions, Status};
use drconsole::backup::{BackupRecord, Family, ItemStatus, Verdict};
use drconsole::cloud::{Backups, Cloud, Storage, TableSchema};
use drconsole::mode::Mode;
use drconsole::runbook::sources::{SourceKind, backup_region_sources};

use common::{BACKUP_REGION as WEST, BACKUPS_BUCKET, MotoEnv, PRIMARY_REGION as EAST, TABLES, run};
use helpers::{action, args, entries, example_estate, executor_in, in_account, of_kind, writes};

/// The estate file (the shipped example: the plan's names) and a data directory in `dir`;
/// `edit` changes the file's text.
fn estate_in(dir: &Path, edit: impl Fn(String) -> String) -> (PathBuf, PathBuf) {
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
    )
    .unwrap();
    let estate = dir.join("estate.toml");
    std::fs::write(&estate, edit(example)).unwrap();
    (estate, dir.join("data"))
}

/// The plan's tables in the primary region with a few items each, PITR on for the first
/// only, and the export bucket in `bucket_region`. `skip` names a table not made.
async fn tables(env: &MotoEnv, bucket_region: &str, skip: Option<&str>) {
    for (i, table) in TABLES.iter().enumerate() {
        if Some(*table) == skip {
            continue;
        }
        common::create_table(env, EAST, table).await;
        common::put_items(env, EAST, table, 4 + i).await;
        if i == 0 {
            common::enable_pitr(env, EAST, table).await;
        }
    }
    common::create_bucket(env, bucket_region, BACKUPS_BUCKET).await;
}

fn backup_cmd(env: &MotoEnv, estate: &Path, data: &Path, extra: &[&str]) -> assert_cmd::Command {
    env.backup(estate, data, &[&["dynamodb"][..], extra].concat())
}

fn record(stdout: &str) -> BackupRecord {
    common::from_json(stdout)
}

fn today() -> String {
    Utc::now().format("%Y%m%d").to_string()
}

fn backup_name(table: &str) -> String {
    format!("daily-backup-{}-{table}", today())
}

async fn backup_names(env: &MotoEnv, table: &str) -> Vec<String> {
    env.cloud()
        .await
        .list_backups(EAST, Some(table))
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect()
}

/// Every request line of every step, in order: what was sent, or would be.
fn request_lines(record: &BackupRecord) -> Vec<String> {
    record
        .items
        .iter()
        .flat_map(|i| i.steps.iter().flat_map(|s| s.requests.clone()))
        .collect()
}

#[tokio::test]
async fn backs_up_every_table_by_the_plans_name_and_turns_pitr_on_where_it_was_off() {
    let env = common::moto().await;
    tables(&env, WEST, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &[]), 0);

    assert!(
        stdout.starts_with("backup dynamodb: pass (3 done)"),
        "{stdout}"
    );
    for (i, table) in TABLES.iter().enumerate() {
        assert_eq!(
            backup_names(&env, table).await,
            [backup_name(table)],
            "{table}"
        );
        assert!(helpers::pitr_enabled(&env, EAST, table).await, "{table}");
        let line = stdout.lines().find(|l| l.contains(table)).unwrap();
        let pitr = if i == 0 {
            "PITR already on"
        } else {
            "PITR turned on"
        };
        assert!(
            line.contains(pitr) && line.contains(&format!("backup {} made", backup_name(table))),
            "{line}"
        );
    }
}

#[tokio::test]
async fn a_second_run_the_same_day_sends_no_second_create_backup_and_says_it_exists() {
    let env = common::moto().await;
    tables(&env, WEST, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);
    run(&mut backup_cmd(&env, &estate, &data, &[]), 0);

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &["--json"]), 0);
    let sent = env.stop_recording();

    assert_eq!(writes(&sent), Vec::<String>::new(), "nothing written again");
    assert!(
        !sent.iter().any(|r| r.operation() == "CreateBackup"),
        "no second CreateBackup"
    );
    let record = record(&stdout);
    assert_eq!(record.verdict, Verdict::Pass);
    for (item, table) in record.items.iter().zip(TABLES) {
        assert_eq!(item.status, ItemStatus::Unchanged, "{item:#?}");
        assert!(
            item.detail
                .contains(&format!("backup {} already exists", backup_name(table))),
            "{}",
            item.detail
        );
        assert_eq!(item.figures["pitr_before"], true);
        assert_eq!(item.figures["pitr_after"], true);
    }
    for table in TABLES {
        assert_eq!(backup_names(&env, table).await.len(), 1, "{table}");
    }
}

#[tokio::test]
async fn json_output_is_the_record_kept_in_the_history_and_the_journal_has_backup_finished() {
    let env = common::moto().await;
    tables(&env, WEST, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &["--json"]), 0);

    let printed = record(&stdout);
    assert_eq!(printed.family, Family::Dynamodb);
    assert_eq!(printed.mode, Mode::Production);
    assert!(!printed.dry_run);
    assert_eq!(printed.items.len(), 3);
    let arns = env.cloud().await.list_backups(EAST, None).await.unwrap();
    for item in &printed.items {
        let arn = item.figures["backup_arn"].as_str().unwrap();
        assert!(
            arns.iter()
                .any(|b| b.arn == arn && b.table_name == item.target),
            "{arn}"
        );
        assert_eq!(item.figures["backup_name"], backup_name(&item.target));
    }
    let (kept, unreadable) = drconsole::drill::History::new(data.join("history").join("backups"))
        .load_all::<BackupRecord>();
    assert!(unreadable.is_empty(), "{unreadable:?}");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, printed, "the history keeps what --json printed");
    let journal = entries(&data.join("journal"));
    let finished = of_kind(&journal, "backup_finished");
    assert_eq!(finished.len(), 1, "{journal:#?}");
    assert_eq!(finished[0].payload["run"], printed.id.as_str());
    assert_eq!(finished[0].payload["verdict"], "pass");
}

#[tokio::test]
async fn the_dry_run_lists_exactly_the_requests_the_real_run_sends() {
    let env = common::moto().await;
    tables(&env, WEST, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);

    env.start_recording();
    let (stdout, _) = run(
        &mut backup_cmd(&env, &estate, &data, &["--export", "--dry-run", "--json"]),
        0,
    );
    assert_eq!(
        writes(&env.stop_recording()),
        Vec::<String>::new(),
        "a dry run sends nothing"
    );
    let dry = record(&stdout);
    assert!(dry.dry_run);
    assert!(
        dry.items.iter().all(|i| i.status == ItemStatus::WouldDo),
        "{dry:#?}"
    );

    env.start_recording();
    let (stdout, _) = run(
        &mut backup_cmd(&env, &estate, &data, &["--export", "--json"]),
        0,
    );
    let sent = writes(&env.stop_recording());
    let real = record(&stdout);

    let lines = request_lines(&dry);
    assert_eq!(lines, request_lines(&real), "{dry:#?}\n{real:#?}");
    // Two tables with PITR off: UpdateContinuousBackups; every table: CreateBackup, the
    // schema's PutObject, ExportTableToPointInTime.
    assert_eq!(lines.len(), 2 + 3 * 3, "{lines:#?}");
    assert_eq!(sent.len(), lines.len(), "one request per line: {sent:#?}");
}

/// A table keyed by (`pk`, `sk`) with a global index on `gsi_pk`, as the export's schema
/// must carry it for the import to make it again.
async fn indexed_table(env: &MotoEnv, table: &str) {
    let attr = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };
    let ddb = env.dynamodb(EAST).await;
    ddb.create_table()
        .table_name(table)
        .attribute_definitions(attr("pk"))
        .attribute_definitions(attr("sk"))
        .attribute_definitions(attr("gsi_pk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-gsi")
                .key_schema(key("gsi_pk", KeyType::Hash))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    for i in 0..7 {
        use aws_sdk_dynamodb::types::AttributeValue::S;
        ddb.put_item()
            .table_name(table)
            .item("pk", S(format!("p{}", i % 3)))
            .item("sk", S(format!("s{i}")))
            .item("gsi_pk", S(format!("g{}", i % 2)))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn export_writes_data_and_schema_to_the_backup_region_and_import_table_makes_it_again() {
    let env = common::moto().await;
    let table = "flightdata-metrics";
    indexed_table(&env, table).await;
    common::create_bucket(&env, WEST, BACKUPS_BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);

    let (stdout, _) = run(
        &mut backup_cmd(&env, &estate, &data, &[table, "--export", "--json"]),
        0,
    );
    let record = record(&stdout);
    let item = &record.items[0];
    assert_eq!(item.status, ItemStatus::Done, "{item:#?}");

    let prefix = format!("dynamodb-exports/{table}/{}", Utc::now().format("%Y/%m/%d"));
    assert_eq!(
        item.figures["export_prefix"],
        format!("s3://{BACKUPS_BUCKET}/{prefix}")
    );
    assert_eq!(
        item.figures["schema_key"],
        format!("s3://{BACKUPS_BUCKET}/{prefix}/schema.json")
    );
    assert!(
        item.figures["export_arn"].as_str().is_some(),
        "{:#?}",
        item.figures
    );
    let cloud = env.cloud().await;
    let keys: Vec<String> = cloud
        .list_objects(WEST, BACKUPS_BUCKET, Some(&format!("{prefix}/")), None)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("{prefix}/AWSDynamoDB/")) && k.ends_with(".gz")),
        "the export's data, with no '//' in its keys: {keys:#?}"
    );
    assert!(!keys.iter().any(|k| k.contains("//")), "{keys:#?}");
    let schema: TableSchema = serde_json::from_slice(
        &cloud
            .get_object(WEST, BACKUPS_BUCKET, &format!("{prefix}/schema.json"))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(schema.key_schema.len(), 2);
    assert_eq!(schema.global_indexes[0].name, "by-gsi");
    assert!(schema.pitr_enabled, "turned on before the export");

    // What validate and a failover's source chooser read: the export, usable as it is.
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let estate = example_estate();
    let ctx = drconsole::action::Context {
        cloud: cloud.as_ref(),
        estate: &estate,
        now: Utc::now(),
    };
    let (sources, unknowns) = backup_region_sources(&ctx, table).await;
    assert!(unknowns.is_empty(), "{unknowns:?}");
    assert!(
        sources
            .iter()
            .any(|s| s.kind == SourceKind::Export && s.usable),
        "{sources:#?}"
    );

    // The primary is gone: the backup region's copy is all there is.
    let import_dir = tempfile::tempdir().unwrap();
    let executor = executor_in(
        cloud.clone(),
        &example_estate(),
        import_dir.path(),
        ExecutorOptions {
            poll_every: Some(Duration::from_millis(100)),
            ..in_account()
        },
    );
    let new = "flightdata-metrics-imported";
    let import = action("import-table");
    let pairs = [
        &format!("export=s3://{BACKUPS_BUCKET}/{prefix}") as &str,
        &format!("new-name={new}"),
    ];
    let outcome = executor
        .run(import, table, &args(import, &pairs), None, None, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import-table: {e}"));
    assert_eq!(outcome.status, Status::Done);
    let made = cloud.describe_table_schema(WEST, new).await.unwrap();
    assert_eq!(made.key_schema, schema.key_schema);
    assert_eq!(made.global_indexes.len(), 1);
    assert_eq!(made.global_indexes[0].name, "by-gsi");
    assert_eq!(made.global_indexes[0].key_schema[0].attribute, "gsi_pk");
    assert_eq!(cloud.count_items(WEST, new, 2).await.unwrap(), 7);
}

#[tokio::test]
async fn an_export_bucket_outside_the_backup_region_is_refused_and_the_backups_still_made() {
    let env = common::moto().await;
    tables(&env, EAST, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);

    env.start_recording();
    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &["--export"]), 2);
    let sent = writes(&env.stop_recording());

    assert!(stdout.starts_with("backup dynamodb: fail"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "export bucket {BACKUPS_BUCKET} is in {EAST}, not the backup region {WEST}"
        )),
        "{stdout}"
    );
    assert!(
        !sent
            .iter()
            .any(|w| w.starts_with("ExportTableToPointInTime") || w.starts_with("PUT")),
        "nothing exported or uploaded: {sent:#?}"
    );
    for table in TABLES {
        assert_eq!(backup_names(&env, table).await, [backup_name(table)]);
    }
}

#[tokio::test]
async fn no_export_bucket_fails_each_export_naming_the_key_to_set() {
    let env = common::moto().await;
    tables(&env, WEST, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| {
        t.replace("export_bucket = \"flightdata-backups\"\n", "")
    });

    let (stdout, _) = run(
        &mut backup_cmd(&env, &estate, &data, &["flightdata-main", "--export"]),
        2,
    );
    assert!(
        stdout.contains("no export bucket: set dynamodb.export_bucket"),
        "{stdout}"
    );
    assert_eq!(
        backup_names(&env, "flightdata-main").await,
        [backup_name("flightdata-main")]
    );
}

#[tokio::test]
async fn a_missing_table_fails_with_its_message_exit_2_and_the_others_are_backed_up() {
    let env = common::moto().await;
    tables(&env, WEST, Some("flightdata-metrics")).await;
    let dir = tempfile::tempdir().unwrap();
    let (estate, data) = estate_in(dir.path(), |t| t);

    let (stdout, _) = run(&mut backup_cmd(&env, &estate, &data, &["--json"]), 2);
    let record = record(&stdout);

    assert_eq!(record.verdict, Verdict::Fail);
    let failed = &record.items[1];
    assert_eq!(failed.target, "flightdata-metrics");
    assert_eq!(failed.status, ItemStatus::Failed);
    assert!(
        failed
            .detail
            .contains("table flightdata-metrics does not exist in us-east-1"),
        "{}",
        failed.detail
    );
    for table in ["flightdata-main", "flightdata-config"] {
        assert_eq!(backup_names(&env, table).await, [backup_name(table)]);
    }
    assert!(helpers::pitr_enabled(&env, EAST, "flightdata-config").await);
}

#[test]
fn a_demo_run_backs_up_the_simulations_tables_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let demo = |extra: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
        cmd.env("DRCONSOLE_DATA_DIR", data.path())
            .env_remove("DRCONSOLE_CONFIG")
            .args(["--demo", "backup", "dynamodb", "--json"])
            .args(extra)
            .timeout(Duration::from_secs(60));
        cmd
    };
    let (stdout, _) = run(&mut demo(&[]), 0);
    let done = record(&stdout);
    assert_eq!(done.mode, Mode::Simulation);
    assert_eq!(done.items.len(), 3);
    assert!(
        done.items
            .iter()
            .all(|i| matches!(i.status, ItemStatus::Done | ItemStatus::Unchanged)),
        "{done:#?}"
    );
    // The sim's export takes its five minutes, as AWS's do: the preview shows it.
    let (stdout, _) = run(&mut demo(&["--export", "--dry-run"]), 0);
    let preview = record(&stdout);
    assert_eq!(preview.mode, Mode::Simulation);
    assert!(
        request_lines(&preview)
            .iter()
            .any(|l| l.starts_with("export table")),
        "{preview:#?}"
    );
}
