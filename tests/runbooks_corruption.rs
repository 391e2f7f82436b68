//! The data-corruption and infrastructure-loss runbooks run end to end against moto, driven
//! as the headless runner drives them: writes start by themselves, the destructive ones are
//! confirmed by name, decisions take the option given, and the test answers what is left.
//! moto's state is asserted, and where moto cannot tell (its PITR restore copies the
//! current items whatever the time; a backup chosen is not visible in the table made),
//! the requests it received.

mod common;
#[path = "runbooks_corruption/drive.rs"]
mod drive;
#[path = "common/actions.rs"]
mod helpers;
#[path = "common/scenarios.rs"]
mod scenarios;
#[path = "runbooks_corruption/sim.rs"]
mod sim;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use drconsole::action::{Executor, ExecutorOptions};
use drconsole::cloud::Cloud;
use drconsole::runbook::{Command, Manual, Need, RunOptions, RunState, Runbook, StepState};

use common::recorder::Recorded;
use common::{MotoEnv, PRIMARY_REGION as EAST};
use drive::{Driver, describe};
use helpers::*;
use scenarios::*;

const DATA_CORRUPTION: &str = include_str!("../templates/runbooks/data-corruption.toml");
const INFRASTRUCTURE_LOSS: &str = include_str!("../templates/runbooks/infrastructure-loss.toml");

fn parse(text: &str) -> Runbook {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn both_files_parse_and_their_titles_fit_a_checklist_line() {
    let corruption = parse(DATA_CORRUPTION);
    assert_eq!(corruption.name.get_ref(), "data-corruption");
    let loss = parse(INFRASTRUCTURE_LOSS);
    assert_eq!(loss.name.get_ref(), "infrastructure-loss");
    for runbook in [&corruption, &loss] {
        assert!(!runbook.fixes.is_empty());
        for step in runbook.steps() {
            assert!(step.title.chars().count() <= 40, "{}", step.title);
        }
    }
}

fn fast() -> ExecutorOptions {
    ExecutorOptions {
        poll_every: Some(Duration::from_millis(20)),
        ..in_account()
    }
}

fn sent(recorded: &[Recorded], operation: &str) -> Vec<serde_json::Value> {
    recorded
        .iter()
        .filter(|r| r.operation() == operation)
        .map(|r| serde_json::from_str(&r.body).unwrap_or_default())
        .collect()
}

async fn executor_over(
    env: &MotoEnv,
    estate: &drconsole::config::Estate,
    dir: &std::path::Path,
) -> (Arc<dyn Cloud>, Arc<Executor>) {
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let executor = Arc::new(executor_in(cloud.clone(), estate, dir, fast()));
    (cloud, executor)
}

async fn backup_names(env: &MotoEnv, table: &str) -> Vec<String> {
    let out = env
        .dynamodb(EAST)
        .await
        .list_backups()
        .table_name(table)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListBackups {table}: {e:?}"));
    out.backup_summaries()
        .iter()
        .filter_map(|b| b.backup_name().map(str::to_owned))
        .collect()
}

async fn table_status(env: &MotoEnv, table: &str) -> Option<(String, i64)> {
    let out = env
        .dynamodb(EAST)
        .await
        .describe_table()
        .table_name(table)
        .send()
        .await
        .ok()?;
    let t = out.table()?;
    Some((
        t.table_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        t.item_count().unwrap_or(-1),
    ))
}

#[tokio::test]
async fn data_corruption_restores_to_the_chosen_time_and_puts_the_clean_copy_under_the_old_name() {
    let env = common::moto().await;
    let seeded = seed_corruption(&env).await;
    let estate = example_estate();
    let dir = tempfile::tempdir().unwrap();
    let (cloud, executor) = executor_over(&env, &estate, dir.path()).await;
    // moto freezes the window when PITR is turned on: its earliest point is a valid one.
    let window = cloud
        .describe_continuous_backups(EAST, CORRUPTED)
        .await
        .unwrap();
    let chosen = window.earliest_restorable.expect("a PITR window");

    env.start_recording();
    let mut handle = drconsole::runbook::start(
        Arc::new(parse(DATA_CORRUPTION)),
        executor,
        cloud.clone(),
        RunOptions {
            inputs: BTreeMap::from([("table".to_owned(), CORRUPTED.to_owned())]),
            ask_before_writes: false,
            confirm: BTreeSet::from([INGESTION.to_owned(), CORRUPTED.to_owned()]),
            manual: Manual::These(BTreeSet::from([
                "notice".to_owned(),
                "all-clear".to_owned(),
            ])),
            take_preselected: true,
            ..RunOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let mut driver = Driver::default();
    let no_inputs = BTreeMap::new();

    // The restore time is asked with the scan's earliest bad record as its default.
    let asked = driver
        .drive(&mut handle, &no_inputs, &["restore-time"], &[])
        .await
        .expect_err("the run asks for the restore time");
    let view = handle.view();
    let assess = view.step("assess").expect("the scan");
    assert_eq!(
        assess.outputs.get("figure.invalid").map(String::as_str),
        Some("3"),
        "{}",
        describe(&view)
    );
    assert_eq!(
        assess.outputs.get("figure.scanned").map(String::as_str),
        Some("13")
    );
    let earliest = assess
        .outputs
        .get("figure.earliest_bad")
        .expect("the earliest bad record's time");
    assert!(earliest.starts_with("2026-11-26T09:41:00"), "{earliest}");
    // Offered: the plan's five minutes before the earliest bad record.
    match &asked.need {
        Some(Need::Input { default, .. }) => {
            assert_eq!(default.as_deref(), Some("2026-11-26T09:36:00Z"))
        }
        other => panic!("{other:?}"),
    }
    driver.answer(
        &handle,
        &asked,
        Command::Provide {
            step: asked.path.clone(),
            value: chosen.to_rfc3339(),
        },
    );

    // moto's PITR restore copies the current items, bad ones included, whatever the time;
    // AWS's restore to before the corruption would not have them: take them out here.
    let review = driver
        .drive(&mut handle, &no_inputs, &[], &[])
        .await
        .expect_err("the review waits for a person");
    assert_eq!(review.id, "review", "{}", describe(&handle.view()));
    let recovery = handle.view().step("restore").unwrap().outputs["created"].clone();
    assert!(
        recovery.starts_with("flightdata-main-recovery-"),
        "{recovery}"
    );
    let bad: Vec<String> = bad_records().into_iter().map(|b| b.0).collect();
    remove_records(&env, &recovery, &bad).await;
    driver.answer(
        &handle,
        &review,
        Command::Done {
            step: review.path.clone(),
            note: Some("spot-checked".to_owned()),
        },
    );

    let end = driver.drive(&mut handle, &no_inputs, &[], &[]).await;
    let recorded = env.stop_recording();
    let view = handle.view();
    assert_eq!(end.ok(), Some(RunState::Succeeded), "{}", describe(&view));

    // The restore asked for the chosen point, from the corrupted table into the recovery one.
    let restores = sent(&recorded, "RestoreTableToPointInTime");
    assert_eq!(restores.len(), 1, "{restores:#?}");
    let secs = restores[0]["RestoreDateTime"].as_f64().unwrap_or_default();
    assert!(
        (secs - chosen.timestamp_micros() as f64 / 1e6).abs() < 0.001,
        "{:#}",
        restores[0]
    );
    assert_eq!(restores[0]["SourceTableName"], CORRUPTED);
    assert_eq!(restores[0]["TargetTableName"], recovery.as_str());
    assert!(restores[0].get("UseLatestRestorableTime").is_none());

    // The swap: the recovery table's backup restored under the table's own name.
    let swaps = sent(&recorded, "RestoreTableFromBackup");
    assert_eq!(swaps.len(), 1, "{swaps:#?}");
    assert_eq!(swaps[0]["TargetTableName"], CORRUPTED);
    assert_eq!(sent(&recorded, "DeleteTable").len(), 1);
    let (status, items) = table_status(&env, CORRUPTED)
        .await
        .expect("the table is back");
    assert_eq!(status, "ACTIVE");
    assert_eq!(items, GOOD_RECORDS as i64, "the good records only");
    assert!(pitr_enabled(&env, EAST, CORRUPTED).await, "PITR on again");

    // The safety backups: the one taken first, and the one delete-table took.
    let names = backup_names(&env, CORRUPTED).await;
    assert!(
        names.iter().any(|n| n.starts_with("corruption-")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("corrupted-")),
        "{names:?}"
    );

    // Ingestion stopped, then restarted as it was.
    let throttles = recorded
        .iter()
        .filter(|r| r.method == "PUT" && r.path().ends_with("/concurrency"))
        .count();
    assert_eq!(
        throttles,
        1,
        "PutFunctionConcurrency once: {:?}",
        writes(&recorded)
    );
    assert_eq!(mapping_state(&env, EAST, &seeded.mapping).await, "Enabled");
    assert_eq!(reserved_concurrency(&env, EAST, INGESTION).await, None);
}

/// The example estate with the plan's emergency stack and its template file beside it.
fn loss_estate(dir: &std::path::Path) -> drconsole::config::Estate {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
    )
    .unwrap();
    let text = format!(
        "{example}\n[[stacks]]\nname = \"{EMERGENCY_STACK}\"\nrole = \"emergency\"\n\
         template = \"{EMERGENCY_TEMPLATE_FILE}\"\n"
    );
    let path = dir.join("estate.toml");
    std::fs::write(&path, &text).unwrap();
    std::fs::write(dir.join(EMERGENCY_TEMPLATE_FILE), EMERGENCY_TEMPLATE).unwrap();
    drconsole::config::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn infrastructure_loss_rebuilds_the_stack_functions_and_lost_tables_from_their_newest_backups()
 {
    let env = common::moto().await;
    let loss = seed_infrastructure_loss(&env).await;
    let home = tempfile::tempdir().unwrap();
    let estate = loss_estate(home.path());
    let (cloud, executor) = executor_over(&env, &estate, &home.path().join("journal")).await;

    env.start_recording();
    let mut handle = drconsole::runbook::start(
        Arc::new(parse(INFRASTRUCTURE_LOSS)),
        executor,
        cloud,
        RunOptions {
            ask_before_writes: false,
            manual: Manual::All,
            take_preselected: true,
            choose: BTreeMap::from([("stack-source".to_owned(), "template".to_owned())]),
            ..RunOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let mut driver = Driver::default();
    // A table that is gone fails its `still-there` step, whose `goto` takes the item on to
    // its restore: an expected path, so the group and the run go on without a retry.
    let end = driver.drive(&mut handle, &BTreeMap::new(), &[], &[]).await;
    let recorded = env.stop_recording();
    let view = handle.view();
    assert_eq!(end.ok(), Some(RunState::Succeeded), "{}", describe(&view));

    // The emergency stack, from the template file with the plan's parameters.
    assert_eq!(
        common::stacks::status(&env, EAST, EMERGENCY_STACK)
            .await
            .as_deref(),
        Some("CREATE_COMPLETE")
    );
    let params = common::stacks::parameters(&env, EAST, EMERGENCY_STACK).await;
    assert_eq!(params["RecoveryMode"], "true");
    assert_eq!(params["Environment"], "production");

    // Every function, from its newest dated backup (the older one has other code).
    for function in common::FUNCTIONS {
        let out = env
            .lambda(EAST)
            .await
            .get_function()
            .function_name(function)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{function} restored: {e:?}"));
        let sha = out
            .configuration()
            .and_then(|c| c.code_sha256())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            sha,
            code_sha256(&function_code(function, true)),
            "{function}"
        );
    }
    let creates: Vec<&Recorded> = recorded
        .iter()
        .filter(|r| r.method == "POST" && r.path().ends_with("/functions"))
        .collect();
    assert_eq!(
        creates.len(),
        common::FUNCTIONS.len(),
        "one CreateFunction each"
    );
    assert!(
        creates.iter().all(|r| r
            .body
            .contains(&format!("lambda-backups/{}/", loss.backup_dates[1]))),
        "from the newest folder: {:?}",
        creates.iter().map(|r| &r.body).collect::<Vec<_>>()
    );

    // The lost tables, each from its newest backup by creation time (moto lists the older
    // first: the plan's `BackupSummaries[0]` would have taken it), under its own name.
    let restores = sent(&recorded, "RestoreTableFromBackup");
    let targets: BTreeSet<&str> = restores
        .iter()
        .filter_map(|r| r["TargetTableName"].as_str())
        .collect();
    assert_eq!(targets, BTreeSet::from(LOST_TABLES), "{restores:#?}");
    let main = restores
        .iter()
        .find(|r| r["TargetTableName"] == LOST_TABLES[0])
        .unwrap();
    assert_eq!(main["BackupArn"], loss.main_backups[1].as_str());
    for table in LOST_TABLES {
        let (status, _) = table_status(&env, table).await.expect("restored");
        assert_eq!(status, "ACTIVE", "{table}");
        assert!(pitr_enabled(&env, EAST, table).await, "{table} protected");
    }
    assert_eq!(
        table_status(&env, LOST_TABLES[0]).await.map(|s| s.1),
        Some(NEWER_ITEMS as i64)
    );
    // The table that survived is protected again, not restored over.
    assert!(pitr_enabled(&env, EAST, SURVIVING_TABLE).await);
    assert_ne!(
        view.step(&format!("tables/{SURVIVING_TABLE}/restore-table"))
            .map(|s| s.state),
        Some(StepState::Succeeded),
        "{}",
        describe(&view)
    );

    // Every bucket reads: nothing is copied over it.
    for s in view.steps.iter().filter(|s| s.id == "access") {
        assert_eq!(s.state, StepState::Succeeded, "{}", describe(&view));
    }
    let copies: Vec<String> = writes(&recorded)
        .into_iter()
        .filter(|w| {
            common::DATA_BUCKETS
                .iter()
                .any(|b| w.contains(&format!("/{b}/")))
        })
        .collect();
    assert!(copies.is_empty(), "{copies:?}");
}
