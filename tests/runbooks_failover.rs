//! The region-failover and region-failback runbooks end to end: on moto with the primary
//! region's endpoint dead (and, in a second run, Route53's too), asserting moto's state and,
//! where the state cannot tell, the requests moto received; and on the simulated estate the
//! demo rehearses with.

mod common;
#[path = "runbooks_failover/drive.rs"]
mod drive;
#[path = "common/actions.rs"]
mod helpers;
#[path = "runbooks_failover/seed.rs"]
mod seed;
#[path = "runbooks_failover/sim.rs"]
mod sim;

use std::sync::Arc;

use drconsole::action::ExecutorOptions;
use drconsole::cloud::{Backups, Cloud, Failover};
use drconsole::runbook::{Command, Need, RunState, StepState};

use common::{
    API_RECORD, BACKUP_REGION as WEST, FUNCTIONS, MotoEnv, PRIMARY_IP, PRIMARY_REGION as EAST,
    SECONDARY_IP, TABLE_ITEMS, TABLES,
};
use drive::*;
use helpers::*;

fn quick() -> ExecutorOptions {
    ExecutorOptions {
        poll_every: Some(std::time::Duration::from_millis(50)),
        ..in_account()
    }
}

/// The value Route53 serves for the PRIMARY record of the estate's name.
async fn primary_record_values(cloud: &dyn Cloud, zone: &str) -> Vec<String> {
    cloud
        .list_record_sets(zone)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == API_RECORD && r.failover == Some(Failover::Primary))
        .expect("the PRIMARY record")
        .values
}

async fn table_exists(env: &MotoEnv, region: &str, table: &str) -> bool {
    env.dynamodb(region)
        .await
        .describe_table()
        .table_name(table)
        .send()
        .await
        .is_ok()
}

async fn count(env: &MotoEnv, region: &str, table: &str) -> u64 {
    env.cloud()
        .await
        .count_items(region, table, 2)
        .await
        .unwrap()
}

async fn function_exists(env: &MotoEnv, region: &str, function: &str) -> bool {
    env.lambda(region)
        .await
        .get_function()
        .function_name(function)
        .send()
        .await
        .is_ok()
}

#[test]
fn both_runbooks_load_and_name_where_they_depart_from_the_plan() {
    let estate = example_estate();
    for name in ["region-failover", "region-failback"] {
        let runbook = shipped(name, &estate);
        assert_eq!(runbook.name.get_ref(), name);
        assert!(!runbook.fixes.is_empty(), "{name} says where it departs");
        for step in runbook.steps() {
            assert!(
                step.title.chars().count() <= 40,
                "{name}: step {}'s title is a checklist line: {:?}",
                step.id.get_ref(),
                step.title
            );
        }
    }
    let failover = shipped("region-failover", &estate);
    assert!(
        failover.fixes[0].contains("DynamoDB backups are regional"),
        "{:?}",
        failover.fixes
    );
}

/// The plan's Scenario 1 with us-east-1's services unreachable and Route53 answering.
#[tokio::test]
async fn failover_with_the_primary_dead_imports_every_table_restores_the_functions_and_moves_dns() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (seeded, estate) = seed::seed_failover_estate(&env, dir.path()).await;
    let cloud: Arc<dyn Cloud> = Arc::new(seed::primary_dead(&env, true).await);
    let executor = Arc::new(executor_in(
        cloud.clone(),
        &estate,
        &seed::journal_dir(dir.path()),
        quick(),
    ));

    env.start_recording();
    let view = run_to_end(
        shipped("region-failover", &estate),
        executor,
        cloud,
        headless(&[API_RECORD]),
        &mut none,
    )
    .await;
    let recorded = env.stop_recording();
    assert_succeeded(&view);

    // DNS: the PRIMARY record now serves the SECONDARY's value (moto never evaluates health
    // checks, so the records are what can be asserted).
    let moto = env.cloud().await;
    assert_eq!(
        primary_record_values(&moto, &seeded.zone_id).await,
        [SECONDARY_IP]
    );
    // The standby stack scaled up with the plan's parameters.
    let params = common::stacks::parameters(&env, WEST, common::stacks::STACK).await;
    assert_eq!(params["InstanceCount"], "3");
    assert_eq!(params["Environment"], "production");

    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        let chose = step(&view, &format!("tables/{table}/choose-source"));
        assert_eq!(
            chose.outputs.get("choice").map(String::as_str),
            Some("export"),
            "{table}: {chose:#?}"
        );
        assert_eq!(
            step(&view, &format!("tables/{table}/import")).state,
            StepState::Succeeded
        );
        assert_eq!(
            count(&env, WEST, table).await,
            items as u64,
            "{table} in {WEST} under its own name, every item of its export"
        );
        assert!(
            pitr_enabled(&env, WEST, table).await,
            "{table} re-protected"
        );
        // moto's import keeps no trace of its source: the request says which export it read.
        let import = recorded
            .iter()
            .find(|r| {
                r.operation() == "ImportTable"
                    && r.body.contains(&format!("\"TableName\":\"{table}\""))
            })
            .unwrap_or_else(|| panic!("an ImportTable of {table}: {:?}", writes(&recorded)));
        assert_eq!(import.region.as_deref(), Some(WEST));
        assert!(
            import.body.contains(&format!("dynamodb-exports/{table}/")),
            "{}",
            import.body
        );
    }
    for function in FUNCTIONS {
        assert!(
            function_exists(&env, WEST, function).await,
            "{function} in {WEST}"
        );
    }
    // Each table's choice of source is journalled, with its reason.
    let journal = entries(&seed::journal_dir(dir.path()));
    let decisions: Vec<&str> = of_kind(&journal, "decision")
        .iter()
        .map(|e| text(&e.payload["choice"]))
        .collect();
    assert_eq!(decisions, ["export"; 3], "{journal:#?}");
    assert_eq!(
        seed::smoke_test_calls(dir.path()),
        [format!("--region {WEST}")],
        "the smoke test ran once, against the backup region"
    );
}

/// The same outage with Route53's control plane (in us-east-1) gone too: everything that
/// does not need DNS is done, and the run ends failed at the DNS step, saying why.
#[tokio::test]
async fn failover_with_route53_unreachable_too_does_the_rest_and_ends_at_the_dns_step() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (seeded, estate) = seed::seed_failover_estate(&env, dir.path()).await;
    let cloud: Arc<dyn Cloud> = Arc::new(seed::primary_dead(&env, false).await);
    let executor = Arc::new(executor_in(
        cloud.clone(),
        &estate,
        &seed::journal_dir(dir.path()),
        quick(),
    ));

    let view = run_to_end(
        shipped("region-failover", &estate),
        executor,
        cloud,
        headless(&[API_RECORD]),
        &mut none,
    )
    .await;

    assert_eq!(view.state, RunState::Failed, "{:#?}", trouble(&view));
    let dns = step(&view, "dns");
    assert_eq!(dns.state, StepState::Failed);
    let why = dns.error.as_deref().unwrap_or_default();
    assert!(
        why.contains("Route53's control plane (us-east-1) cannot be reached"),
        "{why}"
    );
    assert_eq!(
        trouble(&view),
        [format!("dns: failed ({why})")],
        "only the DNS step did not succeed"
    );
    let moto = env.cloud().await;
    assert_eq!(
        primary_record_values(&moto, &seeded.zone_id).await,
        [PRIMARY_IP],
        "DNS unchanged"
    );
    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        assert_eq!(count(&env, WEST, table).await, items as u64, "{table}");
        assert!(pitr_enabled(&env, WEST, table).await, "{table}");
    }
    for function in FUNCTIONS {
        assert!(function_exists(&env, WEST, function).await, "{function}");
    }
    let journal = entries(&seed::journal_dir(dir.path()));
    let finished = of_kind(&journal, "runbook_finished");
    let detail = text(&finished.last().expect("the run's end").payload["detail"]);
    assert!(
        detail.contains("dns") && detail.contains("Route53"),
        "the journal says the run ended at the DNS step, and why: {detail}"
    );
}

/// Failover with the primary dead, writes in the backup region during the outage, then the
/// primary back with its stale tables: the failback replaces them with the backup region's
/// data (backed up first), compares, puts DNS back and scales the standby down.
#[tokio::test]
async fn failback_brings_the_tables_home_puts_dns_back_and_scales_the_standby_down() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = seed::journal_dir(dir.path());
    let (seeded, estate) = seed::seed_failover_estate(&env, dir.path()).await;
    let outage: Arc<dyn Cloud> = Arc::new(seed::primary_dead(&env, true).await);
    let failover = run_to_end(
        shipped("region-failover", &estate),
        Arc::new(executor_in(outage.clone(), &estate, &journal, quick())),
        outage,
        headless(&[API_RECORD]),
        &mut none,
    )
    .await;
    assert_succeeded(&failover);
    let dns_run = step(&failover, "dns").outputs["run"].clone();

    // The pipeline wrote on in the backup region: three more items per table.
    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        common::put_items(&env, WEST, table, items + 3).await;
    }

    // The primary is back, its tables as they were before the outage.
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud_with(seed::options()).await);
    let executor = Arc::new(executor_in(cloud.clone(), &estate, &journal, quick()));
    let mut options = headless(&TABLES);
    // Every manual step is marked done but the DNS one, which the test does by hand.
    options.manual = drconsole::runbook::Manual::These(
        ["primary-healthy", "stop-writes", "restart-writes"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    );
    let mut handle = drconsole::runbook::start(
        shipped("region-failback", &estate),
        executor.clone(),
        cloud.clone(),
        options,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let asked = drive_until(&mut handle, |v| {
        v.step("dns-back")
            .is_some_and(|s| s.need == Some(Need::Done))
    })
    .await;
    assert_eq!(
        step(&asked, "dns-back").need,
        Some(Need::Done),
        "{:#?}",
        trouble(&asked)
    );
    // The runbook cannot undo the failover's DNS change itself: the commander does, from the
    // journal, as the step's instructions say; the wait after it sees the PRIMARY answer.
    let seq = of_kind(&entries(&journal), "action_finished")
        .iter()
        .find(|e| text(&e.payload["run"]) == dns_run)
        .expect("the failover's DNS change in the journal")
        .seq;
    executor
        .undo(seq, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("undo the failover's DNS change: {e}"));
    handle.send(Command::Done {
        step: "dns-back".to_owned(),
        note: Some(format!("undid journal entry {seq}")),
    });
    let view = drive(&mut handle, &mut none).await;
    assert_succeeded(&view);

    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        assert_eq!(
            count(&env, EAST, table).await,
            (items + 3) as u64,
            "{table} home with what was written during the outage"
        );
        assert!(pitr_enabled(&env, EAST, table).await, "{table} protected");
        let compared = step(&view, &format!("tables/{table}/compare"));
        assert_eq!(compared.state, StepState::Succeeded, "{compared:#?}");
        // The stale copy was backed up before it was deleted.
        let backups = env
            .dynamodb(EAST)
            .await
            .list_backups()
            .table_name(*table)
            .send()
            .await
            .unwrap();
        assert!(
            backups.backup_summaries().iter().any(|b| b
                .backup_name()
                .is_some_and(|n| n.starts_with("before-failback-"))),
            "{table}: {backups:?}"
        );
    }
    let moto = env.cloud().await;
    assert_eq!(
        primary_record_values(&moto, &seeded.zone_id).await,
        [PRIMARY_IP],
        "DNS on the primary"
    );
    let params = common::stacks::parameters(&env, WEST, common::stacks::STACK).await;
    assert_eq!(params["InstanceCount"], "1", "the standby scaled down");
    assert!(
        table_exists(&env, WEST, TABLES[0]).await,
        "the backup region's copy is kept"
    );
}

/// Reads events until `stop` holds or the run ends; answers nothing.
async fn drive_until(
    handle: &mut drconsole::runbook::RunHandle,
    stop: impl Fn(&drconsole::runbook::RunView) -> bool,
) -> drconsole::runbook::RunView {
    loop {
        let view = handle.view();
        if stop(&view) || view.finished.is_some() {
            return view;
        }
        match tokio::time::timeout(std::time::Duration::from_secs(600), handle.next_event()).await {
            Ok(Some(drconsole::runbook::Event::Finished(_)) | None) => return handle.view(),
            Ok(Some(_)) => {}
            Err(_) => panic!("no progress: {:#?}", trouble(&handle.view())),
        }
    }
}
