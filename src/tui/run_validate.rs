//! The runner's side of a backup validation started from the console: the same run as
//! `drconsole validate` (the operations journal's executor, the session's account, the
//! record kept in the history), its lines sent as events, and a stop that works as Ctrl-C.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use super::{Actions, Event, Runner};
use crate::action::Recording;
use crate::drill::History;
use crate::drill::validate::{self, RunOptions};
use crate::event::ValidationDone;

/// A console validation's thread is still at work. Its run cannot outlive the runtime that
/// serves its requests: a console quit while it runs ends the process at once instead (see
/// [`validation_running`]), leaving its named, tagged tables for the next run to delete.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Whether a validation started from the console is still running: the program must then
/// exit without waiting for it (a shut-down runtime would panic under it).
pub fn validation_running() -> bool {
    RUNNING.load(Ordering::SeqCst)
}

impl Runner {
    pub(super) fn start_validation(&mut self) {
        if self.validation.as_ref().is_some_and(|v| !v.is_closed()) {
            // The console refuses a second start; this guards a second effect all the same.
            tracing::warn!("a validation is already under way");
            return;
        }
        let Some(actions) = self.actions.clone() else {
            let _ = self.tx.send(Event::ValidationFinished(Err(
                "a validation needs a data directory for its journal and history: set HOME or \
                 pass --data-dir DIR"
                    .to_owned(),
            )));
            return;
        };
        let (stop, stopped) = watch::channel(false);
        self.validation = Some(stop);
        let (tx, handle) = (self.tx.clone(), tokio::runtime::Handle::current());
        // On a thread of its own, as the executor is made: the compiler cannot prove the
        // run's future `Send` (a closure over borrows inside it), so it is not spawned as a
        // task. A stop, not an abort, ends it: what it restored is deleted either way.
        RUNNING.store(true, Ordering::SeqCst);
        self.keep(tokio::task::spawn_blocking(move || {
            handle.block_on(validation(actions, tx, stopped));
            RUNNING.store(false, Ordering::SeqCst);
        }));
    }

    pub(super) fn stop_validation(&mut self) {
        match &self.validation {
            Some(stop) => {
                let _ = stop.send(true);
            }
            None => tracing::warn!("a stop for a validation that is not under way"),
        }
    }
}

/// What `drconsole validate` does between opening its session and printing: the same
/// executor, account, run and history, so a readiness report counts both alike.
async fn validation(actions: Actions, tx: UnboundedSender<Event>, stopped: watch::Receiver<bool>) {
    let Actions { session, dirs } = actions;
    let prepared = async {
        if session.read_only {
            return Err(
                "validate restores backups into temporary tables: it cannot run with --read-only"
                    .to_owned(),
            );
        }
        let history = dirs.validation_history().map(History::new).ok_or_else(|| {
            "no data directory for the validation history: pass --data-dir".to_owned()
        })?;
        let account = session
            .identity()
            .await
            .map_err(|e| format!("AWS unreachable: {e}"))?
            .account
            .clone();
        let executor = Recording::operations(&session, &dirs)
            .map_err(|e| e.to_string())?
            .executor(&session)
            .await
            .map_err(|e| e.to_string())?;
        Ok((history, account, executor))
    }
    .await;
    let (history, account, executor) = match prepared {
        Ok(prepared) => prepared,
        Err(why) => {
            let _ = tx.send(Event::ValidationFinished(Err(why)));
            return;
        }
    };
    let progress = {
        let tx = tx.clone();
        move |line: String| {
            let _ = tx.send(Event::ValidationProgress(line));
        }
    };
    let options = RunOptions {
        tables: Vec::new(),
        mode: session.mode,
        account: Some(account),
    };
    let record = validate::run(
        &executor,
        session.cloud.as_ref(),
        &options,
        stopped,
        &progress,
    )
    .await;
    let kept = validate::keep(&executor, &history, &record).await;
    let _ = tx.send(Event::ValidationFinished(Ok(Box::new(ValidationDone {
        record,
        kept,
    }))));
}
