//! A drill's run headless: writes started as they come up, manual steps and decisions
//! answered from the options, a halt (a stop condition) or an interrupt turned into a
//! cancel, and the run waited for until its engine has stopped.

use std::time::Duration;

use crate::action::Executor;
use crate::drill::DrillOutcome;
use crate::runbook::{Command, Event, Need, RunHandle, RunState, RunView, StepState};

use super::{DrillPhase, DrillProgress};

/// How a drill's run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ended {
    Completed,
    /// A step failed (each, with why).
    Failed(Vec<String>),
    /// A stop condition refused a write: why.
    Halted(String),
    /// Steps wait for what no option gave (a manual step, an input): each, with the flag.
    Stopped(Vec<String>),
    Interrupted,
    /// A copy could not be made: why.
    SetupFailed(String),
}

impl Ended {
    pub fn outcome(&self) -> DrillOutcome {
        match self {
            Ended::Completed => DrillOutcome::Completed,
            Ended::Failed(why) => DrillOutcome::Failed(why.join("; ")),
            Ended::Halted(why) => DrillOutcome::Halted(why.clone()),
            Ended::Stopped(why) => {
                DrillOutcome::Aborted(format!("stopped for what no flag gave: {}", why.join("; ")))
            }
            Ended::Interrupted => DrillOutcome::Aborted("interrupted".to_owned()),
            Ended::SetupFailed(why) => DrillOutcome::Failed(format!("setup: {why}")),
        }
    }
}

/// How long an idle run (nothing running, a step waiting for a person) may stay quiet before
/// it is taken as stopped: a parallel branch that just finished may be about to go on.
const SETTLE: Duration = Duration::from_millis(500);

/// Drives the run to its end, a halt, a step that needs a person, or `interrupt`; then
/// cancels what is left and waits for the engine to stop (a write in flight finishes and
/// is recorded first).
pub async fn drive(
    handle: &mut RunHandle,
    executor: &Executor,
    progress: &(dyn Fn(DrillProgress) + Send + Sync),
    interrupt: Option<&tokio::sync::Notify>,
) -> Ended {
    let tell = |line: String| {
        progress(DrillProgress {
            phase: DrillPhase::Run,
            line,
        })
    };
    let never = tokio::sync::Notify::new();
    let interrupt = interrupt.unwrap_or(&never);
    let ended = tokio::select! {
        ended = follow(handle, executor, &tell) => ended,
        _ = interrupt.notified() => Ended::Interrupted,
    };
    handle.send(Command::Cancel);
    while !stopped(&handle.view()) {
        match tokio::time::timeout(Duration::from_secs(60), handle.next_event()).await {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    // A halt found while the run was being stopped is still the reason it ended; a
    // failure's reason is on its step once the engine has stopped.
    match (ended, executor.halted()) {
        (Ended::Completed, _) => Ended::Completed,
        (Ended::Halted(why), _) | (_, Some(why)) => Ended::Halted(why),
        (Ended::Failed(_), None) => Ended::Failed(failures(&handle.view())),
        (other, None) => other,
    }
}

/// Drives the run until it ends, halts or waits for a person, and leaves it there: a
/// console (or a test) answers what it waits for, then drives on with [`drive`].
pub async fn drive_until_idle(
    handle: &mut RunHandle,
    executor: &Executor,
    progress: &(dyn Fn(DrillProgress) + Send + Sync),
) -> Ended {
    let tell = |line: String| {
        progress(DrillProgress {
            phase: DrillPhase::Run,
            line,
        })
    };
    follow(handle, executor, &tell).await
}

fn stopped(view: &RunView) -> bool {
    view.finished.is_some()
}

async fn follow(
    handle: &mut RunHandle,
    executor: &Executor,
    tell: &(dyn Fn(String) + Send + Sync),
) -> Ended {
    let mut seen: std::collections::BTreeMap<String, StepState> = Default::default();
    loop {
        if let Some(why) = executor.halted() {
            tell(format!("halted: {why}"));
            return Ended::Halted(why);
        }
        let view = handle.view();
        if view.state != RunState::Running {
            return end_of(&view);
        }
        for step in view.waiting() {
            if step.need == Some(Need::Start) {
                handle.send(Command::Run(step.path.clone()));
            }
        }
        // A step waiting for a person (a decision, an input) reads as running, and so does a
        // group whose lanes wait: only a leaf running with nothing to ask is work under way.
        let busy = view.steps.iter().any(|s| {
            s.state == StepState::Running
                && s.need.is_none()
                && !view.steps.iter().any(|c| {
                    c.path.len() > s.path.len() && c.path.starts_with(&format!("{}/", s.path))
                })
        });
        let idle = !busy && view.waiting().any(|s| s.need != Some(Need::Start));
        let event = if idle {
            match tokio::time::timeout(SETTLE, handle.next_event()).await {
                Ok(event) => event,
                Err(_) => return waiting(&handle.view()),
            }
        } else {
            handle.next_event().await
        };
        match event {
            None => return end_of(&handle.view()),
            Some(Event::Finished(_)) => {}
            Some(Event::Progress { step, line }) => tell(format!("  {step}: {line}")),
            Some(Event::Changed(path)) => {
                if let Some(step) = handle.view().step(&path)
                    && matches!(
                        step.state,
                        StepState::Succeeded | StepState::Failed | StepState::Running
                    )
                    && seen.insert(path.clone(), step.state) != Some(step.state)
                {
                    tell(format!("{:<9} {path}", step.state.label()));
                }
            }
        }
    }
}

fn end_of(view: &RunView) -> Ended {
    match view.state {
        RunState::Succeeded => Ended::Completed,
        RunState::Cancelled => Ended::Interrupted,
        RunState::Running => waiting(view),
        RunState::Failed => Ended::Failed(failures(view)),
    }
}

fn failures(view: &RunView) -> Vec<String> {
    view.steps
        .iter()
        // A failed step waiting for a retry is cancelled with the run, its error kept.
        .filter(|s| {
            s.state == StepState::Failed
                || (s.error.is_some() && !matches!(s.state, StepState::Succeeded))
        })
        .map(|s| {
            format!(
                "{}: {}",
                s.path,
                s.error
                    .as_deref()
                    .or(s.log.last().map(String::as_str))
                    .unwrap_or("no reason given")
            )
        })
        .collect()
}

fn waiting(view: &RunView) -> Ended {
    Ended::Stopped(
        view.waiting()
            .map(|s| match &s.need {
                Some(Need::Done) => format!("{} is manual (--done {})", s.path, s.path),
                Some(Need::Input { prompt, .. }) => {
                    format!("{} asks \"{prompt}\" (--input)", s.path)
                }
                Some(Need::Choice { .. }) => {
                    format!("{} is a decision (--choose {}=…)", s.path, s.path)
                }
                Some(Need::Confirm { name }) => format!("{} wants {name} typed back", s.path),
                Some(Need::Retry) => format!(
                    "{} failed: {}",
                    s.path,
                    s.error.as_deref().unwrap_or("no reason given")
                ),
                Some(Need::Start) | None => format!("{} is waiting", s.path),
            })
            .collect(),
    )
}
