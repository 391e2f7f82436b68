//! The same runbooks on the simulated estate, as `--demo` rehearses them.

use super::*;

/// An executor over the simulated estate (`--demo`), on a clock that moves only when the
/// run waits, so AWS's minutes pass without the test sleeping.
fn on_the_sim(
    estate: &drconsole::config::Estate,
    dir: &std::path::Path,
) -> (Arc<dyn Cloud>, Arc<Executor>) {
    use chrono::TimeZone;
    use drconsole::cloud::sim::{ACCOUNT, Latency, SimClock, SimCloud, SimOptions};
    use drconsole::incident::journal::{Journal, Origin};
    let sim: Arc<dyn Cloud> = Arc::new(SimCloud::new(
        estate,
        SimOptions {
            clock: SimClock::fixed(chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    ));
    let origin = Origin::new(
        drconsole::mode::Mode::Simulation,
        Some(ACCOUNT.to_owned()),
        Vec::new(),
    );
    let journal = Journal::open_or_create(&dir.join("journal"), origin).unwrap();
    let options = ExecutorOptions {
        account: Some(ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    };
    let executor = Arc::new(Executor::new(
        sim.clone(),
        Arc::new(estate.clone()),
        journal,
        options,
    ));
    (sim, executor)
}

#[tokio::test]
async fn infrastructure_loss_rehearses_end_to_end_on_the_simulated_estate() {
    let home = tempfile::tempdir().unwrap();
    let estate = loss_estate(home.path());
    let (sim, executor) = on_the_sim(&estate, home.path());
    let mut handle = drconsole::runbook::start(
        Arc::new(parse(INFRASTRUCTURE_LOSS)),
        executor,
        sim.clone(),
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
    let end = driver.drive(&mut handle, &BTreeMap::new(), &[], &[]).await;
    let view = handle.view();
    assert_eq!(end.ok(), Some(RunState::Succeeded), "{}", describe(&view));
    // The simulated estate lost nothing: every table is still there and is only checked,
    // every function restored from its newest backup, every bucket readable.
    for s in &view.steps {
        let expected = match s.id.as_str() {
            "deleted-stack" | "stack-from-deleted" | "restore-table" | "copy-back" => {
                StepState::Skipped
            }
            _ => StepState::Succeeded,
        };
        assert_eq!(s.state, expected, "{}\n{}", s.path, describe(&view));
    }
    let functions = view.steps.iter().filter(|s| s.id == "restore-function");
    assert_eq!(functions.count(), estate.named_functions().len());
}

#[tokio::test]
async fn data_corruption_rehearses_end_to_end_on_the_simulated_estate() {
    let home = tempfile::tempdir().unwrap();
    let estate = example_estate();
    let (sim, executor) = on_the_sim(&estate, home.path());
    let mut handle = drconsole::runbook::start(
        Arc::new(parse(DATA_CORRUPTION)),
        executor,
        sim.clone(),
        RunOptions {
            inputs: BTreeMap::from([("table".to_owned(), CORRUPTED.to_owned())]),
            ask_before_writes: false,
            confirm: BTreeSet::from([INGESTION.to_owned(), CORRUPTED.to_owned()]),
            manual: Manual::All,
            take_preselected: true,
            ..RunOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let mut driver = Driver::default();
    // Half an hour ago lies inside the simulated table's window (PITR on for weeks).
    let inputs = BTreeMap::from([("restore-time", "-30m".to_owned())]);
    let end = driver.drive(&mut handle, &inputs, &[], &[]).await;
    let view = handle.view();
    assert_eq!(end.ok(), Some(RunState::Succeeded), "{}", describe(&view));
    let recovery = view.step("restore").unwrap().outputs["created"].clone();
    assert!(
        recovery.starts_with("flightdata-main-recovery-"),
        "{recovery}"
    );
    for id in [
        "delete-corrupted",
        "restore-original",
        "reprotect",
        "restart-ingestion",
    ] {
        assert_eq!(
            view.step(id).map(|s| s.state),
            Some(StepState::Succeeded),
            "{id}\n{}",
            describe(&view)
        );
    }
    assert!(
        sim.describe_table(common::PRIMARY_REGION, CORRUPTED)
            .await
            .unwrap()
            .is_active()
    );
}
