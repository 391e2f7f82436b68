//! The runbooks' reads against moto: the restore source chooser (an export with its schema, a
//! backup in the backup region, the primary's PITR window, the primary dead), the whole-table
//! scan for invalid records, and readiness before and after its blockers are fixed.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use drconsole::action::Context;
use drconsole::cloud::Cloud;
use drconsole::cloud::aws::AwsOptions;
use drconsole::config::Estate;
use drconsole::runbook::sources::{SourceKind, restore_sources};

use common::{BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST};

const BUCKET: &str = "flightdata-backups";

fn ctx<'a>(cloud: &'a dyn Cloud, estate: &'a Estate) -> Context<'a> {
    Context {
        cloud,
        estate,
        now: Utc::now(),
    }
}

/// An export of `table` in moto's layout under the estate's export prefix, completed, with
/// `schema.json` beside it when `schema` is true. Returns the export's location.
async fn seed_export(env: &MotoEnv, table: &str, day: &str, schema: bool) -> String {
    let base = format!("dynamodb-exports/{table}/{day}");
    let id = format!("01700000000000-{:08x}", table.len());
    let mut objects = vec![
        (
            format!("{base}/AWSDynamoDB/{id}/data/{id}.json.gz"),
            b"{}".to_vec(),
        ),
        (
            format!("{base}/AWSDynamoDB/{id}/manifest-summary.json"),
            b"{}".to_vec(),
        ),
    ];
    if schema {
        objects.push((format!("{base}/schema.json"), b"{}".to_vec()));
    }
    common::put_objects(env, WEST, BUCKET, objects).await;
    format!("s3://{BUCKET}/{base}/AWSDynamoDB/{id}/")
}

async fn dead_primary_cloud(env: &MotoEnv) -> Arc<dyn Cloud> {
    let options = AwsOptions {
        call_timeout: Duration::from_secs(2),
        ..common::test_options()
    };
    Arc::new(
        env.cloud_with(options)
            .await
            .with_region_endpoint(EAST, &common::dead_endpoint()),
    )
}

#[tokio::test]
async fn sources_are_the_export_the_backup_region_backup_and_the_pitr_window_freshest_first() {
    let env = common::moto().await;
    let table = "flightdata-main";
    common::create_table(&env, EAST, table).await;
    common::enable_pitr(&env, EAST, table).await;
    common::create_bucket(&env, WEST, BUCKET).await;
    let export = seed_export(&env, table, "2026/11/26", true).await;
    // A backup in the backup region: made of a table of that name there, since deleted.
    common::create_table(&env, WEST, table).await;
    let backup = common::create_backup(&env, WEST, table, "copy-flightdata-main").await;
    env.dynamodb(WEST)
        .await
        .delete_table()
        .table_name(table)
        .send()
        .await
        .unwrap();

    let cloud = env.cloud().await;
    let estate = helpers::example_estate();
    let (sources, unknowns) = restore_sources(&ctx(&cloud, &estate), table).await;
    assert!(unknowns.is_empty(), "{unknowns:#?}");
    let kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), 3, "{sources:#?}");
    for kind in [SourceKind::Export, SourceKind::Backup, SourceKind::Pitr] {
        assert!(kinds.contains(&kind), "{kind:?} in {sources:#?}");
    }
    assert!(sources.iter().all(|s| s.usable), "{sources:#?}");
    assert!(
        sources.windows(2).all(|w| w[0].loss <= w[1].loss),
        "freshest first: {sources:#?}"
    );
    let by = |kind| sources.iter().find(|s| s.kind == kind).unwrap();
    let e = by(SourceKind::Export);
    assert_eq!(e.outputs["export"], export);
    assert_eq!(e.outputs["region"], WEST);
    assert!(e.label.starts_with("export of "), "{}", e.label);
    assert!(e.label.contains("(RPO 1h: within)"), "{}", e.label);
    assert_eq!(by(SourceKind::Backup).outputs["backup"], backup);
    let pitr = by(SourceKind::Pitr);
    assert_eq!(pitr.outputs["region"], WEST, "a cross-region restore");
    assert!(pitr.outputs.contains_key("time"), "{pitr:#?}");
    assert!(
        pitr.label
            .starts_with("point-in-time restore from us-east-1"),
        "{}",
        pitr.label
    );
}

#[tokio::test]
async fn an_export_without_its_schema_is_listed_but_cannot_be_imported() {
    let env = common::moto().await;
    let table = "flightdata-config";
    common::create_table(&env, EAST, table).await;
    common::create_bucket(&env, WEST, BUCKET).await;
    seed_export(&env, table, "2026/11/20", false).await;
    let cloud = env.cloud().await;
    let estate = helpers::example_estate();
    let (sources, unknowns) = restore_sources(&ctx(&cloud, &estate), table).await;
    assert!(unknowns.is_empty(), "{unknowns:#?}");
    assert_eq!(sources.len(), 1, "PITR off, no backup there: {sources:#?}");
    assert_eq!(sources[0].kind, SourceKind::Export);
    assert!(!sources[0].usable);
    assert!(
        sources[0]
            .label
            .ends_with("no schema.json beside it: cannot import"),
        "{}",
        sources[0].label
    );
}

#[tokio::test]
async fn with_the_primary_dead_the_export_is_still_found_and_pitr_is_unknown() {
    let env = common::moto().await;
    let table = "flightdata-main";
    common::create_table(&env, EAST, table).await;
    common::enable_pitr(&env, EAST, table).await;
    common::create_bucket(&env, WEST, BUCKET).await;
    let export = seed_export(&env, table, "2026/11/26", true).await;
    let cloud = dead_primary_cloud(&env).await;
    let estate = helpers::example_estate();
    let (sources, unknowns) = restore_sources(&ctx(cloud.as_ref(), &estate), table).await;
    assert_eq!(sources.len(), 1, "{sources:#?}");
    assert_eq!(sources[0].kind, SourceKind::Export);
    assert!(sources[0].usable);
    assert_eq!(sources[0].outputs["export"], export);
    assert_eq!(unknowns.len(), 1, "{unknowns:#?}");
    assert!(
        unknowns[0]
            .starts_with("could not read flightdata-main's point-in-time recovery in us-east-1"),
        "{}",
        unknowns[0]
    );
}

/// A table keyed by `pk`, so an item can lack `flight_id` as well as `timestamp`.
async fn table_keyed_by_pk(env: &MotoEnv, name: &str) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    env.dynamodb(EAST)
        .await
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn find_invalid_scans_the_whole_table_and_dates_the_earliest_bad_record() {
    use aws_sdk_dynamodb::types::AttributeValue as V;
    let env = common::moto().await;
    let table = "flightdata-metrics";
    table_keyed_by_pk(&env, table).await;
    let s = |v: &str| V::S(v.to_owned());
    // 09:30Z as epoch seconds: a writer that stamps numbers.
    let epoch = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00Z")
        .unwrap()
        .timestamp()
        .to_string();
    let mut items: Vec<Vec<(&str, V)>> = (0..5)
        .map(|i| {
            vec![
                ("pk", s(&format!("ok#{i}"))),
                ("flight_id", s(&format!("FL{i}"))),
                // Older than every bad record: only bad records date the corruption.
                ("timestamp", s(&format!("2026-11-26T08:0{i}:00Z"))),
            ]
        })
        .collect();
    items.push(vec![("pk", s("bad-ts#1")), ("flight_id", s("FL7"))]);
    items.push(vec![("pk", s("bad-ts#2")), ("flight_id", s("FL8"))]);
    items.push(vec![
        ("pk", s("bad-id#1")),
        ("timestamp", s("2026-11-26T09:12:00Z")),
    ]);
    items.push(vec![("pk", s("bad-id#2")), ("timestamp", V::N(epoch))]);
    items.push(vec![
        ("pk", s("bad-null#1")),
        ("flight_id", s("FL9")),
        ("timestamp", V::Null(true)),
    ]);
    let client = env.dynamodb(EAST).await;
    for item in items {
        let mut put = client.put_item().table_name(table);
        for (k, v) in item {
            put = put.item(k, v);
        }
        put.send().await.unwrap();
    }

    let cloud = env.cloud().await;
    let estate = helpers::example_estate();
    let check = drconsole::action::catalogue::find_check("find-invalid").unwrap();
    let args =
        drconsole::action::Args::parse("find-invalid", check.args(), &["segments=3"]).unwrap();
    let lines = std::sync::Mutex::new(Vec::new());
    let progress = |l: String| lines.lock().unwrap().push(l);
    env.start_recording();
    let report = check
        .run(&ctx(&cloud, &estate), table, &args, &progress)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    assert!(!report.passed, "{report:#?}");
    assert_eq!(report.figures["scanned"], 10, "{report:#?}");
    assert_eq!(report.figures["invalid"], 5, "{report:#?}");
    assert_eq!(report.figures["missing"]["timestamp"], 3);
    assert_eq!(report.figures["missing"]["flight_id"], 2);
    assert_eq!(report.figures["earliest_bad"], "2026-11-26T09:12:00Z");
    assert!(
        report
            .lines
            .contains(&"e.g. pk=\"bad-id#1\": missing flight_id".to_owned()),
        "{:#?}",
        report.lines
    );
    assert!(!lines.lock().unwrap().is_empty(), "progress per page");
    // The whole table in 3 segments, no filter (the plan's filter dropped the records
    // missing a timestamp).
    let scans: Vec<_> = recorded
        .iter()
        .filter(|r| r.operation() == "Scan")
        .collect();
    assert_eq!(scans.len(), 3, "{recorded:#?}");
    for scan in scans {
        let body: serde_json::Value = serde_json::from_str(&scan.body).unwrap();
        assert_eq!(body["TotalSegments"], 3, "{body}");
        assert!(body.get("FilterExpression").is_none(), "{body}");
        assert!(body.get("Select").is_none(), "{body}");
    }

    // The rule given as an argument replaces the estate's.
    let args =
        drconsole::action::Args::parse("find-invalid", check.args(), &["required=flight_id"])
            .unwrap();
    let report = check
        .run(&ctx(&cloud, &estate), table, &args, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.figures["invalid"], 2, "{report:#?}");
}

#[tokio::test]
async fn the_corruption_start_is_proposed_from_the_bad_records_and_the_alarm_that_fired() {
    let env = common::moto().await;
    let alarm = "flightdata-dynamodb-throttles";
    common::put_alarm(
        &env,
        EAST,
        alarm,
        "AWS/DynamoDB",
        "ThrottledRequests",
        ("TableName", "flightdata-main"),
        0.0,
    )
    .await;
    common::set_alarm_state(&env, EAST, alarm, true, "writes throttled").await;
    let cloud = env.cloud().await;
    let estate = helpers::example_estate();
    // Far in the past: the alarm's state change (moto's now) comes after it.
    let figures = serde_json::json!({ "earliest_bad": "2026-01-02T03:04:05Z" });
    let (starts, unknowns) = drconsole::runbook::sources::corruption_start(
        &ctx(&cloud, &estate),
        "flightdata-main",
        &figures,
    )
    .await;
    assert!(unknowns.is_empty(), "{unknowns:#?}");
    assert_eq!(starts.len(), 2, "{starts:#?}");
    assert_eq!(starts[0].0.to_rfc3339(), "2026-01-02T03:04:05+00:00");
    assert!(
        starts[0].1.contains("earliest invalid record"),
        "{starts:#?}"
    );
    assert!(
        starts[1]
            .1
            .starts_with(&format!("alarm {alarm} went to ALARM at ")),
        "{starts:#?}"
    );
    assert!(starts[1].1.ends_with(": writes throttled"), "{starts:#?}");
    assert_eq!(
        drconsole::runbook::sources::proposed_restore_time(&starts)
            .unwrap()
            .to_rfc3339(),
        "2026-01-02T02:59:05+00:00",
        "five minutes before the earliest"
    );

    // With the primary dead, the alarms are unknown, not quiet.
    let cloud = dead_primary_cloud(&env).await;
    let (starts, unknowns) = drconsole::runbook::sources::corruption_start(
        &ctx(cloud.as_ref(), &estate),
        "flightdata-main",
        &figures,
    )
    .await;
    assert_eq!(starts.len(), 1, "{starts:#?}");
    assert_eq!(unknowns.len(), 1, "{unknowns:#?}");
    assert!(
        unknowns[0].starts_with("could not read the alarms"),
        "{unknowns:#?}"
    );
}

/// A failover in small: every table imported in the backup region, every function restored
/// there, the standby stack scaled, DNS to the secondary.
const MINI_FAILOVER: &str = r#"
name = "mini-failover"
title = "Mini failover"
summary = "The failover's reads, in small."

[[phases]]
id = "restore"
title = "Restore"

[[phases.steps]]
id = "dns"
kind = "action"
title = "DNS to the secondary"
action = "failover-dns"
resource = "{{ estate.dns_record }}"

[[phases.steps]]
id = "scale"
kind = "action"
title = "Scale up the standby"
action = "update-stack"
resource = "{{ estate.backup_stack }}"

[[phases.steps]]
id = "tables"
kind = "for_each"
title = "Every table"
for_each = "tables"

[[phases.steps.steps]]
id = "import"
kind = "action"
title = "Import it"
action = "import-table"
resource = "{{ item }}"
args = { new-name = "{{ item }}" }

[[phases.steps.steps]]
id = "check"
kind = "verify"
title = "Count it"
check = "count-items"
resource = "{{ steps.import.created }}"

[[phases.steps]]
id = "functions"
kind = "for_each"
title = "Every function"
for_each = "functions"

[[phases.steps.steps]]
id = "restore"
kind = "action"
title = "Restore it"
action = "restore-function"
resource = "{{ item }}"
args = { region = "{{ estate.backup_region }}" }
"#;

async fn put_schema(env: &MotoEnv, table: &str) {
    let day = Utc::now().format("%Y/%m/%d");
    common::put_objects(
        env,
        WEST,
        BUCKET,
        vec![(
            format!("dynamodb-exports/{table}/{day}/schema.json"),
            b"{}".to_vec(),
        )],
    )
    .await;
}

async fn delete_under(env: &MotoEnv, bucket: &str, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let s3 = env.s3(WEST).await;
    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    let mut removed = Vec::new();
    for o in listed.contents() {
        let key = o.key().unwrap().to_owned();
        let body = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap()
            .into_bytes()
            .to_vec();
        s3.delete_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        removed.push((key, body));
    }
    assert!(!removed.is_empty(), "nothing under s3://{bucket}/{prefix}");
    removed
}

#[tokio::test]
async fn readiness_names_a_missing_export_and_a_missing_function_backup_then_is_ready() {
    let env = common::moto().await;
    let seeded = common::seed_plan_estate(&env).await;
    let estate = common::plan_estate(&seeded);
    let runbook: drconsole::runbook::Runbook = toml::from_str(MINI_FAILOVER).unwrap();
    for table in ["flightdata-main", "flightdata-metrics"] {
        put_schema(&env, table).await;
    }
    let export = delete_under(&env, BUCKET, "dynamodb-exports/flightdata-config/").await;
    let mut function_backups = Vec::new();
    for date in &seeded.lambda_backup_dates {
        function_backups.extend(
            delete_under(
                &env,
                common::LAMBDA_COPY_BUCKET,
                &format!("lambda-backups/{date}/flightdata-ingest/"),
            )
            .await,
        );
    }

    let cloud = env.cloud().await;
    let readiness = drconsole::runbook::readiness::check(&ctx(&cloud, &estate), &runbook).await;
    let blockers: Vec<(&str, &str, bool)> = readiness
        .blockers
        .iter()
        .map(|b| (b.step.as_str(), b.what.as_str(), b.unknown))
        .collect();
    assert_eq!(blockers.len(), 2, "{readiness:#?}");
    assert_eq!(
        blockers[0],
        (
            "tables/flightdata-config/import",
            "flightdata-config has no restorable copy in us-west-2 — no export at all",
            false
        )
    );
    assert_eq!(blockers[1].0, "functions/flightdata-ingest/restore");
    assert!(
        blockers[1]
            .1
            .starts_with("flightdata-ingest cannot be restored in us-west-2: "),
        "{}",
        blockers[1].1
    );
    assert!(!blockers[1].2);
    assert!(!readiness.ready());
    assert!(
        readiness
            .summary()
            .starts_with("mini-failover: 2 blockers — flightdata-config has no restorable copy"),
        "{}",
        readiness.summary()
    );
    // The dns record, the stack, three tables, three functions; the counts use a step's
    // output and cannot be judged before the run.
    assert_eq!(readiness.checked.len(), 8, "{:#?}", readiness.checked);

    // Fixed: the export (with its schema) and the function's backups are back.
    common::put_objects(&env, WEST, BUCKET, export).await;
    put_schema(&env, "flightdata-config").await;
    common::put_objects(&env, WEST, common::LAMBDA_COPY_BUCKET, function_backups).await;
    let readiness = drconsole::runbook::readiness::check(&ctx(&cloud, &estate), &runbook).await;
    assert!(readiness.ready(), "{readiness:#?}");
    assert_eq!(readiness.summary(), "mini-failover: ready");

    // With the primary's endpoint dead, the copies are still judged from the backup region;
    // Route53's control plane answers through us-east-1's endpoint here, so the records are
    // unknown: a blocker, never "ready".
    let dead = dead_primary_cloud(&env).await;
    let readiness =
        drconsole::runbook::readiness::check(&ctx(dead.as_ref(), &estate), &runbook).await;
    assert_eq!(readiness.blockers.len(), 1, "{readiness:#?}");
    assert_eq!(readiness.blockers[0].step, "dns");
    assert!(readiness.blockers[0].unknown);
    assert!(
        readiness.blockers[0]
            .what
            .starts_with("could not read the records of api.flightdata.example.com.: "),
        "{readiness:#?}"
    );
    assert!(!readiness.ready());
}

/// The failover's import takes flightdata-main's own name in the backup region, where no
/// table has it; the table is not the run's own, so deleting it still needs its name typed.
#[tokio::test]
async fn an_estate_tables_name_is_taken_only_where_no_table_has_it_and_never_owned() {
    let env = common::moto().await;
    let table = "flightdata-main";
    common::create_table(&env, EAST, table).await;
    common::put_items(&env, EAST, table, 4).await;
    common::enable_pitr(&env, EAST, table).await;
    common::create_bucket(&env, WEST, BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let estate = helpers::example_estate();
    let options = drconsole::action::ExecutorOptions {
        poll_every: Some(Duration::from_millis(100)),
        ..helpers::in_account()
    };
    let executor = helpers::executor_in(cloud, &estate, dir.path(), options);
    let prefix = "dynamodb-exports/flightdata-main/2026/11/26";
    helpers::run(
        &executor,
        "export-table",
        table,
        &[&format!("prefix={prefix}")],
    )
    .await
    .unwrap_or_else(|e| panic!("export-table: {e}"));

    // Present in its own region: refused before anything is sent.
    env.start_recording();
    let err = helpers::run(
        &executor,
        "restore-pitr",
        table,
        &["time=latest", &format!("new-name={table}")],
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "flightdata-main exists in us-east-1 (ACTIVE): a restore cannot overwrite"
        ),
        "{err}"
    );
    assert!(helpers::writes(&env.stop_recording()).is_empty());

    // Absent in the backup region: imported under its own name, PITR on, not owned.
    let outcome = helpers::run(
        &executor,
        "import-table",
        table,
        &[&format!("new-name={table}")],
    )
    .await
    .unwrap_or_else(|e| panic!("import-table: {e}"));
    assert_eq!(outcome.status, drconsole::action::Status::Done);
    assert!(helpers::pitr_enabled(&env, WEST, table).await);
    assert!(!executor.owns(table));
    let err = helpers::run(&executor, "delete-table", table, &["region=us-west-2"])
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("--confirm flightdata-main"),
        "{err}"
    );
    assert!(
        env.dynamodb(WEST)
            .await
            .describe_table()
            .table_name(table)
            .send()
            .await
            .is_ok(),
        "still there"
    );
}
