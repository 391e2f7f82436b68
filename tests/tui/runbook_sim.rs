//! Runbooks through the console's runner on the simulation: a readiness answer per runbook,
//! a start refused without a journal, and a real run answered from the keys to its end.

use std::collections::BTreeMap;

use drconsole::runbook::{Command, Need, RunState, StepState};

use super::runbook::{FAILOVER, chars, runbook, runbooks};
use super::*;

/// A runner on the simulation, without a data directory, and the events it sends.
fn sim_runner() -> (
    drconsole::tui::run::Runner,
    tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    let estate = estate();
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    );
    let (tx, rx) = drconsole::tui::run::channel();
    let poll = drconsole::health::PollerOptions {
        interval: std::time::Duration::from_secs(3600),
        concurrency: 8,
    };
    let runner = drconsole::tui::run::Runner::new(Arc::new(sim), estate, poll, tx);
    (runner, rx)
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
        .await
        .expect("the runner answers")
        .expect("the runner is there")
}

#[tokio::test]
async fn the_runner_answers_a_readiness_check_with_one_verdict_per_runbook() {
    let (mut runner, mut rx) = sim_runner();
    runner.run(Effect::CheckReadiness(runbooks()));
    let Event::Readiness(found) = next(&mut rx).await else {
        panic!("a readiness answer");
    };
    let names: Vec<&str> = found.iter().map(|r| r.runbook.as_str()).collect();
    assert_eq!(
        names,
        ["region-failover", "data-corruption", "infrastructure-loss"]
    );
}

#[tokio::test]
async fn a_run_with_nowhere_to_journal_is_refused_and_says_why() {
    let (mut runner, mut rx) = sim_runner();
    runner.run(Effect::StartRunbook {
        runbook: runbook(FAILOVER),
        inputs: BTreeMap::new(),
    });
    match next(&mut rx).await {
        Event::RunbookNotStarted(why) => assert!(why.contains("data directory"), "{why}"),
        other => panic!("no run without a journal: {other:?}"),
    }
    // An answer with no run under way goes nowhere, and nothing breaks.
    runner.run(Effect::RunbookCommand(Command::Cancel));
}

/// Every kind of step a person answers, on the simulated estate.
const ON_THE_SIM: &str = r#"
name = "sim-walk"
title = "Walk every kind of step"
summary = "A person answers each step from the console's keys."

[[inputs]]
name = "copies"
prompt = "How many copies"
kind = "count"

[[phases]]
id = "first"
title = "0–15 minutes"
target = "15m"

[[phases.steps]]
id = "notice"
kind = "manual"
title = "Post the maintenance notice"

[[phases.steps]]
id = "pitr"
kind = "action"
title = "PITR on for flightdata-main"
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
title = "Back up every table?"
options = [{ id = "yes", label = "back them up", goto = "backups" }, { id = "no", label = "skip it", goto = "end" }]

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
title = "Tell the team"
"#;

/// What a commander presses for the step the checklist has selected, once per need.
fn answer(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.runbooks.run.as_ref().and_then(|r| r.step().cloned()) else {
        return Vec::new();
    };
    match step.need {
        Some(Need::Done) => press(app, &[KeyCode::Char('d')]),
        Some(Need::Start) => press(app, &[KeyCode::Enter]),
        Some(Need::Input { .. }) => {
            press(app, &[KeyCode::Enter]);
            chars(app, "2");
            press(app, &[KeyCode::Enter])
        }
        Some(Need::Choice { .. }) => {
            press(app, &[KeyCode::Enter, KeyCode::Enter]);
            chars(app, "every table, before the swap");
            press(app, &[KeyCode::Enter])
        }
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn a_real_run_on_the_sim_is_answered_from_the_keys_to_its_end() {
    let data = tempfile::tempdir().unwrap();
    let estate = estate();
    let sim: Arc<dyn drconsole::cloud::Cloud> = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::None,
            // PITR off on the first table, so turning it on is a write to run.
            faults: vec![Fault::PitrOff],
        },
    ));
    let (tx, mut rx) = drconsole::tui::run::channel();
    let poll = drconsole::health::PollerOptions {
        interval: std::time::Duration::from_secs(3600),
        concurrency: 8,
    };
    let session =
        drconsole::session::Session::new((*estate).clone(), Arc::clone(&sim), Mode::Simulation);
    let dirs = drconsole::dirs::Dirs::with_env(Some(data.path()), &|_| None);
    let mut runner =
        drconsole::tui::run::Runner::new(Arc::clone(&sim), Arc::clone(&estate), poll, tx)
            .with_actions(drconsole::tui::run::Actions { session, dirs });
    let mut app = fresh_app(&estate);
    app.update(Event::Snapshot(Box::new(
        health::snapshot(sim.as_ref(), &estate, 8).await,
    )));
    runner.run(Effect::OpenExecutor { incident: None });
    runner.run(Effect::StartRunbook {
        runbook: runbook(ON_THE_SIM),
        inputs: BTreeMap::new(),
    });
    let mut asked = Vec::new();
    let mut snapped = false;
    loop {
        let event = next(&mut rx).await;
        let finished = matches!(
            event,
            Event::RunbookUpdate {
                event: Some(drconsole::runbook::Event::Finished(RunState::Succeeded)),
                ..
            }
        );
        let mut effects = app.update(event);
        if let Some(step) = app.runbooks.run.as_ref().and_then(|r| r.step().cloned())
            && let Some(need) = &step.need
            && !asked.contains(&step.path)
        {
            asked.push(step.path.clone());
            if matches!(need, Need::Input { .. }) && !snapped {
                // The input as the real engine asks it, before the answer is typed.
                snapped = true;
                press(&mut app, &[KeyCode::Enter]);
                let screen = screen(&app, 80, 24);
                assert!(screen.contains("How many copies"), "{screen}");
                named!("sim_walk_at_its_input_80x24", screen);
                chars(&mut app, "2");
                effects.extend(press(&mut app, &[KeyCode::Enter]));
            } else {
                effects.extend(answer(&mut app));
            }
        }
        for effect in effects {
            runner.run(effect);
        }
        if finished {
            break;
        }
    }
    let view = &app.runbooks.run.as_ref().unwrap().view;
    assert_eq!(view.state, RunState::Succeeded, "{:#?}", view.steps);
    for table in ["flightdata-main", "flightdata-metrics", "flightdata-config"] {
        let step = view.step(&format!("backups/{table}/backup")).unwrap();
        assert_eq!(step.state, StepState::Succeeded, "{step:#?}");
    }
    assert_eq!(view.step("ask").unwrap().outputs["value"], "2");
    assert_eq!(view.step("which").unwrap().outputs["choice"], "yes");
    // Each need was answered once, from the keys, in the checklist's order.
    assert_eq!(
        asked,
        ["notice", "pitr", "ask", "which", "backups", "end"],
        "{asked:?}"
    );
    assert!(app.flash.as_ref().unwrap().text.contains("every step done"));
    let done = screen(&app, 80, 24);
    assert!(done.contains("succeeded"), "{done}");
}
