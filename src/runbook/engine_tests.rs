//! The engine on the simulated estate: a run walks its steps, asks a person what only a
//! person can answer, runs a for_each's items at the same time, journals every transition,
//! and a resumed run does not do again what was done.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};

use super::*;
use crate::action::{Executor, ExecutorOptions};
use crate::cloud::Backups;
use crate::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
use crate::incident::journal::{Journal, Origin, Reader};
use crate::mode::Mode;
use crate::runbook::model::Runbook;

fn estate() -> crate::config::Estate {
    crate::config::parse(
        crate::session::EXAMPLE_ESTATE,
        Path::new("templates/estate.example.toml"),
    )
    .expect("the example estate parses")
}

fn setup(dir: &Path) -> (Arc<SimCloud>, Arc<Executor>) {
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
    (sim, Arc::new(executor))
}

const RUNBOOK: &str = r#"
name = "test-run"
title = "Test run"
summary = "Exercises every kind of step on the sim."

[[inputs]]
name = "reason"
prompt = "Why"

[[inputs]]
name = "copies"
prompt = "How many"
kind = "count"

[[phases]]
id = "first"
title = "First"
target = "15m"

[[phases.steps]]
id = "notice"
kind = "manual"
title = "Post the notice"

[[phases.steps]]
id = "pitr"
kind = "action"
title = "PITR on"
action = "enable-pitr"
resource = "flightdata-main"

[[phases.steps]]
id = "ask"
kind = "input"
title = "How many copies"
input = "copies"

[[phases.steps]]
id = "which"
kind = "decision"
title = "Back up?"
options = [{ id = "yes", goto = "backups" }, { id = "no", goto = "end" }]

[[phases.steps]]
id = "never"
kind = "manual"
title = "Passed over"

[[phases.steps]]
id = "backups"
kind = "for_each"
title = "Back up every table"
for_each = "tables"
concurrency = 3

[[phases.steps.steps]]
id = "backup"
kind = "action"
title = "Back up"
action = "backup-table"
resource = "{{ item }}"
args = { name = "rb-{{ item }}-{{ run.stamp }}" }

[[phases.steps]]
id = "end"
kind = "manual"
title = "Done"
"#;

fn runbook() -> Arc<Runbook> {
    Arc::new(toml::from_str(RUNBOOK).expect("the test runbook parses"))
}

fn kinds(dir: &Path) -> Vec<String> {
    Reader::open(&dir.join("journal"))
        .unwrap()
        .map(|e| e.unwrap().kind)
        .collect()
}

/// Answers what the test knows until the run finishes; returns the final view.
async fn drive(handle: &mut RunHandle, answer: impl Fn(&StepView) -> Option<Command>) -> RunView {
    loop {
        let view = handle.view();
        for step in view.waiting() {
            if let Some(command) = answer(step) {
                handle.send(command);
            }
        }
        match tokio::time::timeout(std::time::Duration::from_secs(20), handle.next_event()).await {
            Ok(Some(Event::Finished(state))) if state != RunState::Failed => return handle.view(),
            Ok(Some(Event::Finished(_))) => {
                let view = handle.view();
                if view.finished.is_some() {
                    return view;
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => return handle.view(),
            Err(_) => panic!("the run did not finish: {:#?}", handle.view().steps),
        }
    }
}

#[tokio::test]
async fn a_run_asks_what_only_a_person_knows_and_runs_items_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path());
    let options = RunOptions {
        inputs: [("reason".to_owned(), "test".to_owned())].into(),
        ask_before_writes: true,
        ..RunOptions::default()
    };
    let mut handle = start(runbook(), executor, sim.clone(), options)
        .await
        .unwrap();
    let view = drive(&mut handle, |step| match step.need.as_ref()? {
        Need::Done => Some(Command::Done {
            step: step.path.clone(),
            note: None,
        }),
        Need::Start => Some(Command::Run(step.path.clone())),
        Need::Input { .. } => Some(Command::Provide {
            step: step.path.clone(),
            value: "2".to_owned(),
        }),
        Need::Choice { .. } => Some(Command::Choose {
            step: step.path.clone(),
            option: "yes".to_owned(),
            rationale: "because".to_owned(),
        }),
        _ => None,
    })
    .await;
    assert_eq!(view.state, RunState::Succeeded, "{:#?}", view.steps);
    let state = |p: &str| view.step(p).unwrap().state;
    assert_eq!(state("notice"), StepState::Succeeded);
    assert_eq!(state("pitr"), StepState::Succeeded);
    assert_eq!(state("never"), StepState::Skipped);
    assert_eq!(state("backups"), StepState::Succeeded);
    for table in ["flightdata-main", "flightdata-metrics", "flightdata-config"] {
        let path = format!("backups/{table}/backup");
        assert_eq!(state(&path), StepState::Succeeded, "{path}");
        assert_eq!(view.step(&path).unwrap().item.as_deref(), Some(table));
    }
    assert_eq!(view.step("ask").unwrap().outputs["value"], "2");
    let journal = kinds(dir.path());
    for kind in [
        "runbook_started",
        "step_started",
        "step_finished",
        "input_given",
        "decision",
        "action_finished",
        "runbook_finished",
    ] {
        assert!(journal.iter().any(|k| k == kind), "{kind} in {journal:?}");
    }
    let window = sim
        .describe_continuous_backups("us-east-1", "flightdata-main")
        .await
        .unwrap();
    assert!(window.latest_restorable.is_some(), "PITR is on");
}

#[tokio::test]
async fn a_resumed_run_does_not_do_again_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path());
    let options = RunOptions {
        inputs: [("reason".to_owned(), "test".to_owned())].into(),
        manual: Manual::All,
        ..RunOptions::default()
    };
    let mut handle = start(
        runbook(),
        Arc::clone(&executor),
        sim.clone(),
        options.clone(),
    )
    .await
    .unwrap();
    // The run stops at the input no one answers: the process "dies" there.
    loop {
        let view = handle.view();
        if view.step("ask").is_some_and(|s| s.need.is_some()) {
            break;
        }
        handle.next_event().await;
    }
    let run = handle.run.clone();
    drop(handle);
    let started = kinds(dir.path())
        .iter()
        .filter(|k| *k == "action_finished")
        .count();
    assert_eq!(started, 1, "enable-pitr ran once");

    let (_, executor) = setup(dir.path());
    let resumed = RunOptions {
        resume: Some(run.clone()),
        inputs: [("copies".to_owned(), "1".to_owned())].into(),
        take_preselected: true,
        manual: Manual::All,
        ..RunOptions::default()
    };
    let mut handle = start(runbook(), executor, sim, resumed).await.unwrap();
    assert_eq!(handle.run, run);
    let view = drive(&mut handle, |_| None).await;
    assert_eq!(view.state, RunState::Succeeded, "{:#?}", view.steps);
    let actions = kinds(dir.path());
    // enable-pitr is not run again; the three backups are.
    assert_eq!(
        actions.iter().filter(|k| *k == "action_finished").count(),
        1 + 3,
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_failed_step_waits_for_retry_or_skip() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path());
    let text = RUNBOOK.replace(
        "resource = \"flightdata-main\"",
        "resource = \"no-such-table\"",
    );
    let runbook: Arc<Runbook> = Arc::new(toml::from_str(&text).unwrap());
    let options = RunOptions {
        inputs: [
            ("reason".to_owned(), "test".to_owned()),
            ("copies".to_owned(), "1".to_owned()),
        ]
        .into(),
        manual: Manual::All,
        choose: [("which".to_owned(), "no".to_owned())].into(),
        ..RunOptions::default()
    };
    let mut handle = start(runbook, executor, sim, options).await.unwrap();
    let view = drive(&mut handle, |step| match step.need.as_ref()? {
        Need::Retry => Some(Command::Skip {
            step: step.path.clone(),
            reason: "not in this estate".to_owned(),
        }),
        _ => None,
    })
    .await;
    let pitr = view.step("pitr").unwrap();
    assert_eq!(pitr.state, StepState::Skipped, "{pitr:#?}");
    assert!(
        pitr.log.iter().any(|l| l.contains("no-such-table")),
        "{:?}",
        pitr.log
    );
    assert_eq!(view.step("backups").unwrap().state, StepState::Skipped);
    assert_eq!(view.state, RunState::Succeeded);
}

#[tokio::test]
async fn cancel_stops_the_run_before_its_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, executor) = setup(dir.path());
    let options = RunOptions {
        inputs: [("reason".to_owned(), "test".to_owned())].into(),
        ..RunOptions::default()
    };
    let mut handle = start(runbook(), executor, sim, options).await.unwrap();
    let view = drive(&mut handle, |_| Some(Command::Cancel)).await;
    assert_eq!(view.state, RunState::Cancelled);
    assert_eq!(view.step("notice").unwrap().state, StepState::Cancelled);
    assert_eq!(view.step("end").unwrap().state, StepState::Cancelled);
    assert!(kinds(dir.path()).iter().any(|k| k == "runbook_finished"));
}
