//! Both runbooks on the simulated estate `--demo` rehearses with: the region outage fault
//! on, the failover walks to its end; the fault off, the failback brings the tables home.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use drconsole::action::{Executor, ExecutorOptions};
use drconsole::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use drconsole::cloud::{Backups, Cloud, Functions};
use drconsole::config::Estate;
use drconsole::incident::journal::{Journal, Origin};
use drconsole::mode::Mode;

use crate::drive::*;

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";
const TABLES: [&str; 3] = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
const FUNCTIONS: [&str; 3] = [
    "flightdata-api",
    "flightdata-processor",
    "flightdata-ingest",
];
const RECORD: &str = "api.flightdata.example.com.";

/// The demo's estate; its smoke test is a command that passes (the demo has no script).
fn estate() -> Estate {
    let text = drconsole::session::EXAMPLE_ESTATE.replace("./scripts/smoke-test.sh", "true");
    drconsole::config::parse(&text, Path::new("estate.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn setup(dir: &Path, faults: Vec<Fault>) -> (Arc<SimCloud>, Arc<Executor>) {
    let estate = estate();
    let sim = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults,
        },
    ));
    let origin = Origin::new(
        Mode::Simulation,
        Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
        Vec::new(),
    );
    let journal = Journal::open_or_create(&dir.join("journal"), origin).unwrap();
    let options = ExecutorOptions {
        account: Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    };
    let executor = Executor::new(sim.clone(), Arc::new(estate), journal, options);
    (sim, Arc::new(executor))
}

#[tokio::test]
async fn on_the_sim_failover_then_failback_walk_to_their_end() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path(), vec![Fault::RegionOutage, Fault::StaleExport]);
    let cloud: Arc<dyn Cloud> = sim.clone();
    let estate = estate();

    let failover = run_to_end(
        shipped("region-failover", &estate),
        executor.clone(),
        cloud.clone(),
        headless(&[RECORD]),
        &mut none,
    )
    .await;
    assert_succeeded(&failover);
    for table in TABLES {
        let t = sim.describe_table(WEST, table).await.unwrap();
        assert!(t.is_active(), "{table} in {WEST}: {t:?}");
        assert!(
            sim.describe_continuous_backups(WEST, table)
                .await
                .unwrap()
                .pitr_enabled,
            "{table} protected in {WEST}"
        );
    }
    for function in FUNCTIONS {
        assert!(
            sim.get_function(WEST, function).await.is_ok(),
            "{function} in {WEST}"
        );
    }

    // The region is back.
    sim.set_fault(Fault::RegionOutage, false);
    let failback = run_to_end(
        shipped("region-failback", &estate),
        executor,
        cloud,
        headless(&TABLES),
        &mut none,
    )
    .await;
    assert_succeeded(&failback);
    for table in TABLES {
        assert!(
            sim.describe_table(EAST, table).await.unwrap().is_active(),
            "{table} home"
        );
        assert_eq!(
            step(&failback, &format!("tables/{table}/compare")).state,
            drconsole::runbook::StepState::Succeeded
        );
    }
}

/// The demo as it starts (global-table replicas in the backup region) with the region out:
/// the failover restores nothing, it re-protects the replicas; the failback only compares.
#[tokio::test]
async fn on_the_sim_with_replicas_the_failover_restores_nothing_and_the_failback_compares() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path(), vec![Fault::RegionOutage]);
    let cloud: Arc<dyn Cloud> = sim.clone();
    let estate = estate();

    let failover = run_to_end(
        shipped("region-failover", &estate),
        executor.clone(),
        cloud.clone(),
        headless(&[RECORD]),
        &mut none,
    )
    .await;
    assert_succeeded(&failover);
    for table in TABLES {
        let chose = step(&failover, &format!("tables/{table}/choose-source"));
        assert_eq!(chose.outputs["choice"], "replica", "{chose:#?}");
        for passed in ["import", "restore-pitr", "restore-backup"] {
            assert_eq!(
                step(&failover, &format!("tables/{table}/{passed}")).state,
                drconsole::runbook::StepState::Skipped
            );
        }
    }

    sim.set_fault(Fault::RegionOutage, false);
    let mut options = headless(&[]);
    options
        .choose
        .insert("decide".to_owned(), "replicated".to_owned());
    let failback = run_to_end(
        shipped("region-failback", &estate),
        executor,
        cloud,
        options,
        &mut none,
    )
    .await;
    assert_succeeded(&failback);
    for table in TABLES {
        for passed in ["export", "delete-stale", "import", "stopped"] {
            assert_eq!(
                step(&failback, &format!("tables/{table}/{passed}")).state,
                drconsole::runbook::StepState::Skipped,
                "{table}: {passed}"
            );
        }
    }
}
