//! Driving a run as the headless runner does, and describing it when a test fails.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use drconsole::runbook::{Command, Event, Need, RunHandle, RunState, RunView, StepView};

/// Every step: path, state, error and its last lines, for a failure's message.
pub fn describe(view: &RunView) -> String {
    let mut out = format!("run {} {:?}\n", view.run, view.state);
    for s in &view.steps {
        out.push_str(&format!(
            "  {:<40} {:<9} #{} need={:?} error={:?}\n",
            s.path,
            s.state.label(),
            s.attempts,
            s.need,
            s.error
        ));
        for line in s.log.iter().rev().take(3).rev() {
            out.push_str(&format!("      | {line}\n"));
        }
    }
    out
}

/// Answers a run as a headless runner does, remembering what it (or the test, through
/// [`Driver::answer`]) has answered, so a need still shown until the engine takes the
/// answer is not answered twice.
#[derive(Default)]
pub struct Driver {
    answered: BTreeSet<String>,
    retried: BTreeSet<String>,
}

fn key(s: &StepView) -> String {
    format!("{}#{}#{:?}", s.path, s.attempts, s.need)
}

impl Driver {
    /// The test's own answer to a step that waited for it.
    pub fn answer(&mut self, handle: &RunHandle, step: &StepView, command: Command) {
        self.answered.insert(key(step));
        handle.send(command);
    }

    /// Answers what a headless runner answers (an input with the value given for its
    /// step, or its default; a decision with its preselected option; a write to start; a
    /// retry of a step of `retry`, once) until the run ends, or until a step of `stop_at`,
    /// a manual step or another failure waits for the test.
    pub async fn drive(
        &mut self,
        handle: &mut RunHandle,
        inputs: &BTreeMap<&str, String>,
        stop_at: &[&str],
        retry: &[&str],
    ) -> Result<RunState, Box<StepView>> {
        let Driver { answered, retried } = self;
        let step = async {
            loop {
                let view = handle.view();
                for s in view.waiting() {
                    let Some(need) = &s.need else { continue };
                    let key = key(s);
                    if answered.contains(&key) {
                        continue;
                    }
                    if stop_at.contains(&s.id.as_str()) {
                        return Err(Box::new(s.clone()));
                    }
                    let command = match need {
                        Need::Start => Command::Run(s.path.clone()),
                        Need::Confirm { name } => Command::Confirm {
                            step: s.path.clone(),
                            typed: name.clone(),
                        },
                        Need::Input { default, .. } => Command::Provide {
                            step: s.path.clone(),
                            value: inputs
                                .get(s.id.as_str())
                                .cloned()
                                .or_else(|| default.clone())
                                .unwrap_or_default(),
                        },
                        Need::Choice {
                            options,
                            preselected,
                        } => {
                            let option = preselected
                                .map(|i| options[i].id.clone())
                                .unwrap_or_else(|| options[0].id.clone());
                            Command::Choose {
                                step: s.path.clone(),
                                option,
                                rationale: "the test's choice".to_owned(),
                            }
                        }
                        Need::Retry
                            if retry.contains(&s.id.as_str()) && retried.insert(s.path.clone()) =>
                        {
                            Command::Retry(s.path.clone())
                        }
                        Need::Done | Need::Retry => return Err(Box::new(s.clone())),
                    };
                    answered.insert(key);
                    handle.send(command);
                }
                match handle.next_event().await {
                    Some(Event::Finished(RunState::Failed)) => {
                        // The failed step asks for a retry just after the run says it stopped.
                        let mut asking = None;
                        for _ in 0..100 {
                            asking = handle
                                .view()
                                .waiting()
                                .find(|s| s.need == Some(Need::Retry))
                                .map(|s| (s.id.clone(), s.path.clone()));
                            if asking.is_some() {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        match asking {
                            // A failure that waits for a retry this test gives goes on (the
                            // retry may be sent already; a second failure stops above).
                            Some((id, _)) if retry.contains(&id.as_str()) => {}
                            _ => return Ok(RunState::Failed),
                        }
                    }
                    Some(Event::Finished(state)) => return Ok(state),
                    Some(_) => {}
                    None => return Ok(handle.view().state),
                }
            }
        };
        // A guard against a run that hangs, not a measure of time.
        tokio::time::timeout(Duration::from_secs(600), step)
            .await
            .unwrap_or_else(|_| panic!("the run did not end:\n{}", describe(&handle.view())))
    }
}
