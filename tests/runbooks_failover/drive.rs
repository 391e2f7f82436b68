//! Drives a run the way the headless runner does: writes start by themselves, manual steps
//! are marked done, decisions take their preselected option, destructive steps get the names
//! given up front; whatever a step still asks is answered here, by the test's own hand.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use drconsole::action::Executor;
use drconsole::cloud::Cloud;
use drconsole::runbook::{
    Command, Event, Manual, Need, RunHandle, RunOptions, RunState, RunView, Runbook, StepState,
    StepView,
};

/// The options of a headless run: `confirm` are the names typed back for destructive steps.
pub fn headless(confirm: &[&str]) -> RunOptions {
    RunOptions {
        ask_before_writes: false,
        take_preselected: true,
        manual: Manual::All,
        confirm: confirm.iter().map(|s| (*s).to_owned()).collect(),
        poll_every: Some(Duration::from_millis(50)),
        ..RunOptions::default()
    }
}

/// What the test answers a step that waits for a person; `None` leaves it waiting (and the
/// run then makes no progress, which fails the test with the step named).
pub type Answer<'a> = dyn FnMut(&StepView) -> Option<Command> + Send + 'a;

/// The shipped runbook of this name, parsed and checked by the loader on its own (a mistake
/// in another shipped file is that file's tests' to report).
pub fn shipped(name: &str, estate: &drconsole::config::Estate) -> Arc<Runbook> {
    let file = format!("{name}.toml");
    let (_, text) = drconsole::runbook::load::SHIPPED
        .iter()
        .find(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("{file} is not shipped"));
    let path = std::path::Path::new("templates/runbooks").join(&file);
    let runbook = drconsole::runbook::load::parse(text, &path, estate)
        .unwrap_or_else(|e| panic!("runbook {name}: {e}"));
    Arc::new(runbook)
}

/// Starts `runbook` and drives it to its end: the final view. A step that fails and aborts
/// ends the drive too (its `Need::Retry` is left unanswered), so the test can say which.
pub async fn run_to_end(
    runbook: Arc<Runbook>,
    executor: Arc<Executor>,
    cloud: Arc<dyn Cloud>,
    options: RunOptions,
    answer: &mut Answer<'_>,
) -> RunView {
    let mut handle = drconsole::runbook::start(runbook, executor, cloud, options)
        .await
        .unwrap_or_else(|e| panic!("the run does not start: {e}"));
    drive(&mut handle, answer).await
}

/// Reads events until the run finishes, answering each need once.
pub async fn drive(handle: &mut RunHandle, answer: &mut Answer<'_>) -> RunView {
    let mut answered: BTreeSet<(String, String)> = BTreeSet::new();
    loop {
        // A guard against a run that hangs, not a measure of speed: moto and the sim answer
        // in milliseconds, and every wait polls at 50 ms.
        let event = tokio::time::timeout(Duration::from_secs(600), handle.next_event())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "the run made no progress for 10 minutes; waiting: {:#?}",
                    handle.view().waiting().collect::<Vec<_>>()
                )
            });
        match event {
            None => return handle.view(),
            Some(Event::Finished(_)) => return handle.view(),
            Some(Event::Progress { .. }) => {}
            Some(Event::Changed(path)) => {
                let view = handle.view();
                let Some(step) = view.step(&path) else {
                    continue;
                };
                let Some(need) = &step.need else {
                    continue;
                };
                if !answered.insert((path.clone(), format!("{need:?}"))) {
                    continue;
                }
                if let Some(command) = answer(step).or_else(|| default_answer(step)) {
                    handle.send(command);
                }
            }
        }
    }
}

/// A headless runner's answers: the preselected choice, an input's default, a manual step
/// done. A typed confirmation is never made up: the test gives it in `confirm`.
fn default_answer(step: &StepView) -> Option<Command> {
    match step.need.as_ref()? {
        Need::Choice {
            options,
            preselected: Some(i),
        } => Some(Command::Choose {
            step: step.path.clone(),
            option: options[*i].id.clone(),
            rationale: "preselected".to_owned(),
        }),
        Need::Input {
            default: Some(value),
            ..
        } => Some(Command::Provide {
            step: step.path.clone(),
            value: value.clone(),
        }),
        Need::Done => Some(Command::Done {
            step: step.path.clone(),
            note: None,
        }),
        Need::Start => Some(Command::Run(step.path.clone())),
        _ => None,
    }
}

/// No answer of the test's own.
pub fn none(_: &StepView) -> Option<Command> {
    None
}

/// "path: state (error)" of every step that did not succeed or was not passed over, for
/// failure messages.
pub fn trouble(view: &RunView) -> Vec<String> {
    view.steps
        .iter()
        .filter(|s| !matches!(s.state, StepState::Succeeded | StepState::Skipped))
        .map(|s| {
            format!(
                "{}: {}{}",
                s.path,
                s.state.label(),
                s.error
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

/// The run succeeded: every step succeeded or was passed over.
pub fn assert_succeeded(view: &RunView) {
    assert_eq!(
        view.state,
        RunState::Succeeded,
        "{} ended {:?}: {:#?}",
        view.runbook,
        view.state,
        trouble(view)
    );
}

/// The step at `path`, or a failure naming the steps there are.
pub fn step<'a>(view: &'a RunView, path: &str) -> &'a StepView {
    view.step(path).unwrap_or_else(|| {
        panic!(
            "no step {path}; there are: {:?}",
            view.steps.iter().map(|s| &s.path).collect::<Vec<_>>()
        )
    })
}
