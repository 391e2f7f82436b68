//! The runner's side of runbooks: readiness checked off the loop, and the run's handle held
//! by one task that forwards the engine's views to the loop and the loop's answers to it.

use std::sync::Arc;

use tokio::sync::mpsc::unbounded_channel;

use super::{Event, Runner};

impl Runner {
    /// Reads only, off the loop: a slow region delays the panel, never a key press.
    pub(super) fn check_readiness(&mut self, runbooks: Vec<Arc<crate::runbook::Runbook>>) {
        let (tx, cloud, estate) = (
            self.tx.clone(),
            Arc::clone(&self.cloud),
            Arc::clone(&self.estate),
        );
        // The check's future borrows its context across awaits and is not Send: it runs to
        // the end on a blocking thread of its own rather than on a worker.
        let handle = tokio::runtime::Handle::current();
        self.keep(tokio::task::spawn_blocking(move || {
            let found = handle.block_on(async {
                let ctx = crate::action::Context {
                    cloud: cloud.as_ref(),
                    estate: &estate,
                    now: cloud.now(),
                };
                let mut found = Vec::with_capacity(runbooks.len());
                for runbook in &runbooks {
                    found.push(crate::runbook::readiness::check(&ctx, runbook).await);
                }
                found
            });
            let _ = tx.send(Event::Readiness(found));
        }));
    }

    /// Starts the run on the executor the console has now (the incident's, once declared),
    /// and forwards its views to the loop and the loop's answers to it.
    pub(super) fn start_runbook(
        &mut self,
        runbook: Arc<crate::runbook::Runbook>,
        inputs: std::collections::BTreeMap<String, String>,
    ) {
        let (tx, executor, cloud) = (self.tx.clone(), self.executor(), Arc::clone(&self.cloud));
        let (commands, mut answers) = unbounded_channel();
        self.runbook = Some(commands);
        self.keep(tokio::spawn(async move {
            let started = async {
                let executor = executor.await.map_err(|e| e.to_string())?;
                let options = crate::runbook::RunOptions {
                    inputs,
                    ask_before_writes: true,
                    ..Default::default()
                };
                crate::runbook::start(runbook, executor, cloud, options)
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            let mut handle = match started {
                Ok(handle) => handle,
                Err(why) => {
                    let _ = tx.send(Event::RunbookNotStarted(why));
                    return;
                }
            };
            let update = |handle: &crate::runbook::RunHandle, event| Event::RunbookUpdate {
                view: Box::new(handle.view()),
                event,
            };
            if tx.send(update(&handle, None)).is_err() {
                return;
            }
            loop {
                tokio::select! {
                    answer = answers.recv() => match answer {
                        Some(command) => handle.send(command),
                        None => return,
                    },
                    event = handle.next_event() => {
                        let done = event.is_none();
                        if tx.send(update(&handle, event)).is_err() || done {
                            return;
                        }
                    }
                }
            }
        }));
    }
}
