//! The loop: one channel of events in, `App::update`, effects out, one render per batch.
//! Input, ticks and the poller are tasks that only send events; nothing holds the App but
//! the loop, and a slow endpoint can only delay a snapshot, never a key press.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::future::{BoxFuture, Shared};
use futures::{FutureExt, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::app::App;
use super::event::{Event, Input};
use super::theme::Theme;
use super::ui;
use crate::action::{ActionError, Args, Executor, Recording, catalogue};
use crate::cloud::Cloud;
use crate::config::Estate;
use crate::dirs::Dirs;
use crate::event::{Effect, ExecutorIncident, Resumed};
use crate::health::{Poller, PollerOptions};
use crate::incident::journal::torn_bytes;
use crate::incident::{Declared, Follower, Incident, IncidentStore, Journal, Origin, Record};
use crate::session::Session;

/// Stamps later entries with the account once the snapshot has read it.
fn stamp(journal: &mut Journal, account: Option<String>) {
    if account.is_some() && journal.origin().account != account {
        let origin = Origin {
            account,
            ..journal.origin().clone()
        };
        journal.set_origin(origin);
    }
}

#[path = "run_runbook.rs"]
mod runbook;

#[path = "run_comms.rs"]
mod comms;

#[path = "run_drill.rs"]
mod drill;

#[path = "run_validate.rs"]
mod validate;
use crate::comms::clipboard::write_draft;
pub use validate::validation_running;

/// How often the open incident's journal is read for entries others appended.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(500);

/// Where the console's incidents live and what its entries are stamped with.
#[derive(Debug, Clone)]
pub struct Incidents {
    pub store: IncidentStore,
    pub origin: Origin,
}

/// What the console needs to run actions: the session (for its account and read-only
/// switch) and where the operations journal lives.
#[derive(Clone)]
pub struct Actions {
    pub session: Session,
    pub dirs: Dirs,
}

/// The executor being made, shared by every action asked for meanwhile: they wait for it,
/// so an action asked for right after an incident is declared records to that incident.
type PendingExecutor = Shared<BoxFuture<'static, Result<Arc<Executor>, String>>>;

/// Carries out effects; owns the background tasks so dropping it stops them all.
pub struct Runner {
    cloud: Arc<dyn Cloud>,
    estate: Arc<Estate>,
    options: PollerOptions,
    tx: UnboundedSender<Event>,
    poller: Option<Poller>,
    tasks: Vec<JoinHandle<()>>,
    incidents: Option<Incidents>,
    /// The open incident's journal, shared with the blocking tasks that append to it.
    journal: Arc<Mutex<Option<Journal>>>,
    follower: Option<JoinHandle<()>>,
    actions: Option<Actions>,
    executor: Option<PendingExecutor>,
    /// Answers for the run under way, forwarded by the task that owns its handle.
    runbook: Option<UnboundedSender<crate::runbook::Command>>,
    /// The stop switch of the validation under way (closed once its run has ended).
    validation: Option<tokio::sync::watch::Sender<bool>>,
}

impl Runner {
    pub fn new(
        cloud: Arc<dyn Cloud>,
        estate: Arc<Estate>,
        options: PollerOptions,
        tx: UnboundedSender<Event>,
    ) -> Self {
        Self {
            cloud,
            estate,
            options,
            tx,
            poller: None,
            tasks: Vec::new(),
            incidents: None,
            journal: Arc::new(Mutex::new(None)),
            follower: None,
            actions: None,
            executor: None,
            runbook: None,
            validation: None,
        }
    }

    /// Lets the console preview and run actions; without it, it says why not.
    pub fn with_actions(mut self, actions: Actions) -> Self {
        self.actions = Some(actions);
        self
    }

    /// Lets the console declare, journal and resume incidents; without it, it says why not.
    pub fn with_incidents(mut self, incidents: Incidents) -> Self {
        self.incidents = Some(incidents);
        self
    }

    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::StartPolling => {
                if self.poller.is_none() {
                    let tx = self.tx.clone();
                    self.poller = Some(Poller::spawn(
                        Arc::clone(&self.cloud),
                        Arc::clone(&self.estate),
                        self.options.clone(),
                        move |snapshot| tx.send(Event::Snapshot(Box::new(snapshot))).is_ok(),
                    ));
                }
            }
            Effect::Copy { id, text, what } => {
                use crate::comms::clipboard::{CopyReport, Host, copy_native, send_osc52};
                // The escape sequence between two frames (the terminal is ours and it draws
                // nothing); the native tool, which may take seconds, off the loop.
                let host = Host::of_process(true);
                let osc52 = send_osc52(&host, &text, &mut std::io::stdout());
                let tx = self.tx.clone();
                self.keep(tokio::task::spawn_blocking(move || {
                    let native = copy_native(&host, &text);
                    let report = CopyReport { osc52, native };
                    let _ = tx.send(Event::Copied { id, what, report });
                }));
            }
            Effect::Post {
                id,
                channel,
                request,
            } => self.post(id, channel, request),
            Effect::WriteDraft {
                id,
                dir,
                template,
                format,
                text,
            } => {
                let tx = self.tx.clone();
                self.keep(tokio::task::spawn_blocking(move || {
                    let result = write_draft(&dir, &template, format, &text, chrono::Utc::now())
                        .map_err(|e| format!("{}: {e}", dir.display()));
                    let _ = tx.send(Event::DraftWritten { id, result });
                }));
            }
            Effect::Bell => {
                use std::io::Write;
                // Between two frames, like the copy: a bell draws nothing.
                let mut out = std::io::stdout();
                let _ = out.write_all(b"\x07").and_then(|()| out.flush());
            }
            Effect::Refresh => {
                if let Some(poller) = &self.poller {
                    poller.refresh_now();
                }
            }
            Effect::CountNow => {
                if let Some(poller) = &self.poller {
                    poller.count_now();
                }
            }
            Effect::FindOpenIncidents => self.find_open_incidents(),
            Effect::Declare { declared, account } => self.declare(*declared, account),
            Effect::Append {
                id,
                record,
                account,
            } => self.append(id, *record, account),
            Effect::Resume(dir) => self.resume(dir),
            Effect::Follow(dir) => self.follow(dir),
            Effect::SaveBeforeExit { record, account } => self.save_before_exit(&record, account),
            Effect::OpenExecutor { incident } => self.open_executor(incident),
            Effect::PlanAction {
                id,
                action,
                target,
                args,
            } => self.plan_action(id, action, target, args),
            Effect::RunAction {
                id,
                action,
                target,
                previewed,
                confirm,
            } => self.run_action(id, action, target, *previewed, confirm),
            Effect::UndoAction { id, seq } => self.undo_action(id, seq),
            Effect::CheckReadiness(runbooks) => self.check_readiness(runbooks),
            Effect::StartRunbook { runbook, inputs } => self.start_runbook(runbook, inputs),
            Effect::StartDrill { runbook, inputs } => self.start_drill(runbook, inputs),
            Effect::StartValidation => self.start_validation(),
            Effect::StopValidation => self.stop_validation(),
            Effect::RunbookCommand(command) => match &self.runbook {
                Some(commands) => {
                    let _ = commands.send(command);
                }
                None => tracing::warn!(?command, "an answer for a run that is not under way"),
            },
        }
    }

    /// Opens the journal off the loop (blocking I/O) and reads the account once.
    fn open_executor(&mut self, incident: Option<ExecutorIncident>) {
        let tx = self.tx.clone();
        let Some(actions) = self.actions.clone() else {
            let _ = tx.send(Event::ExecutorReady(Err(NO_ACTIONS.to_owned())));
            return;
        };
        let handle = tokio::runtime::Handle::current();
        let pending = async move {
            let made = tokio::task::spawn_blocking(move || {
                let recording = match incident {
                    Some(i) => Ok(Recording {
                        journal_dir: i.dir,
                        incident: Some(i.id),
                        account: i.account,
                    }),
                    None => Recording::operations(&actions.session, &actions.dirs),
                };
                recording.and_then(|r| handle.block_on(r.executor(&actions.session)))
            })
            .await;
            match made {
                Ok(Ok(executor)) => Ok(Arc::new(executor)),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        }
        .boxed()
        .shared();
        self.executor = Some(pending.clone());
        self.keep(tokio::spawn(async move {
            let event = Event::ExecutorReady(pending.await.map(|e| e.journal_dir()));
            let _ = tx.send(event);
        }));
    }

    /// The executor, once made; an error an action can report if there is none.
    fn executor(&self) -> impl Future<Output = Result<Arc<Executor>, ActionError>> + use<> {
        let pending = self.executor.clone();
        async move {
            match pending {
                Some(p) => p.await.map_err(|e| {
                    ActionError::Journal(format!("no journal to record actions in: {e}"))
                }),
                None => Err(ActionError::Journal(NO_ACTIONS.to_owned())),
            }
        }
    }

    fn plan_action(
        &mut self,
        id: u64,
        action: String,
        target: String,
        args: std::collections::BTreeMap<String, String>,
    ) {
        let (tx, executor) = (self.tx.clone(), self.executor());
        self.keep(tokio::spawn(async move {
            let result = async {
                let action = catalogue::find(&action)?;
                let args = Args::from_map(action.name(), action.args(), args)?;
                executor.await?.plan(action, &target, &args).await
            }
            .await;
            let _ = tx.send(Event::ActionPlanned {
                id,
                result: result.map(Box::new),
            });
        }));
    }

    /// The run goes on whatever the console does meanwhile: a write is never cut off halfway
    /// because a popup closed.
    fn run_action(
        &mut self,
        id: u64,
        action: String,
        target: String,
        previewed: crate::action::Plan,
        confirm: Option<String>,
    ) {
        let (tx, executor) = (self.tx.clone(), self.executor());
        self.keep(tokio::spawn(async move {
            let progress_tx = tx.clone();
            let progress = move |progress| {
                let _ = progress_tx.send(Event::ActionProgress { id, progress });
            };
            let result = async {
                let action = catalogue::find(&action)?;
                let executor = executor.await?;
                let args = previewed.args.clone();
                executor
                    .run(
                        action,
                        &target,
                        &args,
                        confirm.as_deref(),
                        Some(&previewed),
                        &progress,
                    )
                    .await
            }
            .await;
            let _ = tx.send(Event::ActionDone {
                id,
                result: result.map(Box::new),
            });
        }));
    }

    fn undo_action(&mut self, id: u64, seq: u64) {
        let (tx, executor) = (self.tx.clone(), self.executor());
        self.keep(tokio::spawn(async move {
            let progress_tx = tx.clone();
            let progress = move |progress| {
                let _ = progress_tx.send(Event::ActionProgress { id, progress });
            };
            let result = async { executor.await?.undo(seq, &progress).await }.await;
            let _ = tx.send(Event::ActionDone {
                id,
                result: result.map(Box::new),
            });
        }));
    }

    /// Holds a task so dropping the runner stops it; finished ones are let go.
    fn keep(&mut self, task: JoinHandle<()>) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(task);
    }

    fn find_open_incidents(&mut self) {
        let Some(incidents) = self.incidents.clone() else {
            return;
        };
        let tx = self.tx.clone();
        self.keep(tokio::task::spawn_blocking(move || {
            let event = match incidents.store.open_incidents() {
                Ok(open) => Event::OpenIncidents(open),
                Err(e) => Event::JournalError(e.to_string()),
            };
            let _ = tx.send(event);
        }));
    }

    fn declare(&mut self, declared: Declared, account: Option<String>) {
        let tx = self.tx.clone();
        let Some(incidents) = self.incidents.clone() else {
            let _ = tx.send(Event::Declared(Err(NO_STORE.to_owned())));
            return;
        };
        let (slot, now) = (Arc::clone(&self.journal), self.cloud.now());
        self.keep(tokio::task::spawn_blocking(move || {
            let origin = Origin {
                account: account.or(incidents.origin.account.clone()),
                ..incidents.origin
            };
            let result = incidents
                .store
                .declare(declared, origin, now)
                .map(|(journal, incident)| {
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(journal);
                    Box::new(incident)
                })
                .map_err(|e| e.to_string());
            let _ = tx.send(Event::Declared(result));
        }));
    }

    /// Appends off the loop: an fsync never holds up a key press.
    fn append(&mut self, id: u64, record: Record, account: Option<String>) {
        let (tx, slot, now) = (self.tx.clone(), Arc::clone(&self.journal), self.cloud.now());
        self.keep(tokio::task::spawn_blocking(move || {
            let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
            let result = match guard.as_mut() {
                None => Err("no incident is open".to_owned()),
                Some(journal) => {
                    stamp(journal, account);
                    journal
                        .append_at(&record, now)
                        .map(Box::new)
                        .map_err(|e| e.to_string())
                }
            };
            let _ = tx.send(Event::Appended { id, result });
        }));
    }

    /// Appends on this thread: the loop ends right after, and a blocking task queued now
    /// might never start.
    fn save_before_exit(&mut self, record: &Record, account: Option<String>) {
        let mut guard = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        let Some(journal) = guard.as_mut() else {
            return;
        };
        stamp(journal, account);
        match journal.append_at(record, self.cloud.now()) {
            Ok(entry) => tracing::info!(
                seq = entry.seq,
                "unsaved note journalled as a draft at exit"
            ),
            Err(e) => {
                tracing::error!(error = %e, "the unsaved note could not be journalled at exit")
            }
        }
    }

    fn resume(&mut self, dir: PathBuf) {
        let tx = self.tx.clone();
        let Some(incidents) = self.incidents.clone() else {
            let _ = tx.send(Event::Resumed(Err(NO_STORE.to_owned())));
            return;
        };
        let slot = Arc::clone(&self.journal);
        self.keep(tokio::task::spawn_blocking(move || {
            let result = (|| {
                let incident = Incident::replay(&dir)?;
                let torn_bytes = torn_bytes(&dir)?;
                let journal = Journal::open(&dir, incidents.origin)?;
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(journal);
                Ok::<_, crate::incident::JournalError>(Resumed {
                    incident: Box::new(incident),
                    torn_bytes,
                })
            })()
            .map_err(|e| e.to_string());
            let _ = tx.send(Event::Resumed(result));
        }));
    }

    /// Reads the journal in `dir` from its start, then every `FOLLOW_EVERY`, so entries
    /// other processes append show here too.
    fn follow(&mut self, dir: PathBuf) {
        if let Some(previous) = self.follower.take() {
            previous.abort();
        }
        let tx = self.tx.clone();
        self.follower = Some(tokio::spawn(async move {
            let mut follower = Follower::new(&dir);
            let mut interval = tokio::time::interval(FOLLOW_EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last_error: Option<String> = None;
            loop {
                interval.tick().await;
                let polled = tokio::task::spawn_blocking(move || {
                    let result = follower.poll();
                    (follower, result)
                })
                .await;
                let Ok((back, result)) = polled else {
                    return;
                };
                follower = back;
                let event = match result {
                    Ok(entries) if entries.is_empty() => continue,
                    Ok(entries) => {
                        last_error = None;
                        Event::JournalEntries {
                            dir: dir.clone(),
                            entries,
                        }
                    }
                    // Said once, not every half second.
                    Err(e) if last_error.as_deref() == Some(&e.to_string()) => continue,
                    Err(e) => {
                        last_error = Some(e.to_string());
                        Event::JournalError(e.to_string())
                    }
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        }));
    }

    /// Sends `Tick` once a second with the cloud's time (the sim's clock in a rehearsal).
    pub fn spawn_ticks(&mut self) {
        let (tx, cloud) = (self.tx.clone(), Arc::clone(&self.cloud));
        self.tasks.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(1));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                if tx.send(Event::Tick(cloud.now())).is_err() {
                    return;
                }
            }
        }));
    }

    /// Turns SIGTERM and SIGHUP into a clean shutdown, so the terminal is restored even when
    /// the console is killed or its SSH session drops.
    #[cfg(unix)]
    pub fn spawn_signals(&mut self) {
        use tokio::signal::unix::{SignalKind, signal};
        let tx = self.tx.clone();
        self.tasks.push(tokio::spawn(async move {
            let (Ok(mut term), Ok(mut hup)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            let _ = tx.send(Event::Shutdown);
        }));
    }

    /// Forwards key presses and resizes from the terminal.
    pub fn spawn_input(&mut self) {
        let tx = self.tx.clone();
        self.tasks.push(tokio::spawn(async move {
            let mut events = EventStream::new();
            while let Some(Ok(event)) = events.next().await {
                let event = match event {
                    TermEvent::Key(key) if key.kind == KeyEventKind::Press => Event::from(key),
                    TermEvent::Resize(w, h) => Event::Input(Input::Resize(w, h)),
                    _ => continue,
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        }));
    }
}

const NO_ACTIONS: &str = "no data directory to journal actions in: set HOME or pass --data-dir DIR";

const NO_STORE: &str = "no data directory to keep incidents in: set HOME or pass --data-dir DIR";

impl Drop for Runner {
    fn drop(&mut self) {
        // A validation runs on a thread of its own, which no abort reaches: stopped, it
        // starts no new restore. What it made and cannot delete before the process ends is
        // named and tagged, so the next run's sweep deletes it.
        if let Some(stop) = &self.validation {
            let _ = stop.send(true);
        }
        for task in &self.tasks {
            task.abort();
        }
        if let Some(follower) = &self.follower {
            follower.abort();
        }
    }
}

/// A channel for the loop and the sender for the runner.
pub fn channel() -> (UnboundedSender<Event>, UnboundedReceiver<Event>) {
    unbounded_channel()
}

/// Runs until the app asks to quit or every sender is gone. Renders once per batch of
/// events, so a burst of snapshots and keys costs one frame, and idle costs nothing.
pub async fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    events: &mut UnboundedReceiver<Event>,
    runner: &mut Runner,
) -> Result<(), B::Error> {
    for effect in app.start() {
        runner.run(effect);
    }
    terminal.draw(|frame| ui::render(app, theme, frame))?;
    while let Some(event) = events.recv().await {
        let mut effects = app.update(event);
        while let Ok(event) = events.try_recv() {
            effects.extend(app.update(event));
        }
        for effect in effects {
            runner.run(effect);
        }
        if app.should_quit {
            break;
        }
        terminal.draw(|frame| ui::render(app, theme, frame))?;
    }
    Ok(())
}

/// Restores the terminal however the console ends: normal return, error, or unwinding.
/// (ratatui's `init` also installs a panic hook that restores it before the message prints.)
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// The console on a real terminal.
pub async fn run_terminal(
    mut app: App,
    theme: Theme,
    cloud: Arc<dyn Cloud>,
    options: PollerOptions,
    incidents: Option<Incidents>,
    actions: Option<Actions>,
) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    let (tx, mut rx) = channel();
    let mut runner = Runner::new(cloud, Arc::clone(&app.estate), options, tx);
    if let Some(incidents) = incidents {
        runner = runner.with_incidents(incidents);
    }
    if let Some(actions) = actions {
        runner = runner.with_actions(actions);
    }
    runner.spawn_input();
    runner.spawn_ticks();
    #[cfg(unix)]
    runner.spawn_signals();
    // Lets a test prove the terminal is restored when the console dies with a screen up; a
    // test build draws one frame ahead of the loop so the point fires after a real frame.
    #[cfg(feature = "failpoints")]
    {
        terminal.draw(|frame| ui::render(&app, &theme, frame))?;
        crate::fault_point!("console.after_first_frame")?;
    }
    run_loop(&mut terminal, &mut app, &theme, &mut rx, &mut runner).await
}
