//! The loop: one channel of events in, `App::update`, effects out, one render per batch.
//! Input, ticks and the poller are tasks that only send events; nothing holds the App but
//! the loop, and a slow endpoint can only delay a snapshot, never a key press.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::app::App;
use super::event::{Event, Input};
use super::theme::Theme;
use super::ui;
use crate::cloud::Cloud;
use crate::config::Estate;
use crate::event::Effect;
use crate::health::{Poller, PollerOptions};

/// Carries out effects; owns the background tasks so dropping it stops them all.
pub struct Runner {
    cloud: Arc<dyn Cloud>,
    estate: Arc<Estate>,
    options: PollerOptions,
    tx: UnboundedSender<Event>,
    poller: Option<Poller>,
    tasks: Vec<JoinHandle<()>>,
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
        }
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
        }
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

impl Drop for Runner {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
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
) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    let (tx, mut rx) = channel();
    let mut runner = Runner::new(cloud, Arc::clone(&app.estate), options, tx);
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
