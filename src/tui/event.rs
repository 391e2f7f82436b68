//! Everything the console reacts to arrives as one `Event` on one channel: input, ticks and
//! the results of background work. Background tasks only ever send these.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::health::HealthSnapshot;

#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Once a second: clocks, countdowns and flash expiry move on.
    Tick(DateTime<Utc>),
    Snapshot(Box<HealthSnapshot>),
    /// SIGTERM or SIGHUP (the SSH session dropped): leave cleanly, restoring the terminal.
    Shutdown,
}

/// What `App::update` asks the outside world to do; the effects runner does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start the health poller (once, at start).
    StartPolling,
    /// Take a snapshot now rather than at the end of the interval.
    Refresh,
}
