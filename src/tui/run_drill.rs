//! The runner's side of a drill started from the console: setup, the run forwarded to the
//! checklist as any run is, a stop condition turned into a cancel, and teardown once the run
//! has ended, however it ended. Every write goes through the drill's own guarded executor.

use std::sync::Arc;

use tokio::sync::mpsc::unbounded_channel;

use super::{Event, Runner};
use crate::drill::run::{Drill, DrillOptions, DrillPhase, DrillProgress, Ended};
use crate::drill::{DrillRecord, History};
use crate::runbook::{Command, RunState, Runbook};

impl Runner {
    pub(super) fn start_drill(
        &mut self,
        runbook: Arc<Runbook>,
        inputs: std::collections::BTreeMap<String, String>,
    ) {
        let tx = self.tx.clone();
        let Some(actions) = &self.actions else {
            let _ = tx.send(Event::RunbookNotStarted(
                "a drill needs the estate's account and a data directory".to_owned(),
            ));
            return;
        };
        let (session, dirs) = (actions.session.clone(), actions.dirs.clone());
        let (commands, mut answers) = unbounded_channel();
        self.runbook = Some(commands);
        self.keep(tokio::spawn(async move {
            let progress = {
                let tx = tx.clone();
                move |p: DrillProgress| {
                    let _ = tx.send(Event::DrillProgress(p));
                }
            };
            let earlier = earlier_drills(&dirs, &runbook, session.mode);
            let options = DrillOptions {
                inputs,
                ask_decisions: true,
                ..Default::default()
            };
            let mut drill =
                match Drill::prepare(&session, &dirs, Arc::clone(&runbook), options).await {
                    Ok(drill) => drill,
                    Err(e) => {
                        let _ = tx.send(Event::RunbookNotStarted(format!("drill: {e}")));
                        return;
                    }
                };
            let _ = tx.send(Event::DrillStarted {
                id: drill.id.clone(),
                suffix: drill.names.suffix().to_owned(),
                earlier,
            });
            let ended = match drill.setup(&progress).await {
                Err(e) => match drill.executor().halted() {
                    Some(why) => Ended::Halted(why),
                    None => Ended::SetupFailed(e.to_string()),
                },
                Ok(()) => match drill.start().await {
                    Err(e) => Ended::SetupFailed(e.to_string()),
                    Ok(mut handle) => {
                        let update =
                            |handle: &crate::runbook::RunHandle, event| Event::RunbookUpdate {
                                view: Box::new(handle.view()),
                                event,
                            };
                        let _ = tx.send(update(&handle, None));
                        let mut halted = None;
                        // Until the run has finished: a commander's cancel, the last step,
                        // or a stop condition (cancelled here) ends it.
                        while handle.view().finished.is_none() {
                            tokio::select! {
                                answer = answers.recv() => match answer {
                                    Some(command) => handle.send(command),
                                    // The console closed: stop, then tear down below.
                                    None => handle.send(Command::Cancel),
                                },
                                event = handle.next_event() => {
                                    let done = event.is_none();
                                    let _ = tx.send(update(&handle, event));
                                    if done {
                                        break;
                                    }
                                }
                            }
                            if halted.is_none()
                                && let Some(why) = drill.executor().halted()
                            {
                                progress(DrillProgress {
                                    phase: DrillPhase::Run,
                                    line: format!("halted: {why}"),
                                });
                                handle.send(Command::Cancel);
                                halted = Some(why);
                            }
                        }
                        let view = handle.view();
                        match (halted, view.state) {
                            (Some(why), _) => Ended::Halted(why),
                            (None, RunState::Succeeded) => Ended::Completed,
                            (None, RunState::Cancelled) => Ended::Interrupted,
                            (None, _) => Ended::Failed(
                                view.steps
                                    .iter()
                                    .filter(|s| s.state == crate::runbook::StepState::Failed)
                                    .map(|s| s.path.clone())
                                    .collect(),
                            ),
                        }
                    }
                },
            };
            let finished = async {
                if let Ended::Halted(why) = &ended {
                    drill.halt(why).await?;
                }
                let (torn, secs) = drill.teardown(&progress).await?;
                drill.finish(&dirs, ended.outcome(), &torn, secs)
            }
            .await;
            let _ = tx.send(Event::DrillFinished(
                finished.map(Box::new).map_err(|e| e.to_string()),
            ));
        }));
    }
}

/// The earlier drills of this runbook in this mode, oldest first, for the forecast.
fn earlier_drills(
    dirs: &crate::dirs::Dirs,
    runbook: &Runbook,
    mode: crate::mode::Mode,
) -> Vec<DrillRecord> {
    let Some(dir) = dirs.drill_history() else {
        return Vec::new();
    };
    let (records, _unreadable) = History::new(dir).load_all::<DrillRecord>();
    records
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.runbook == *runbook.name.get_ref() && r.mode == mode)
        .collect()
}
