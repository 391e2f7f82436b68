//! What a running session reacts to and what it asks the outside world to do, free of any
//! terminal: the console fills in its input type, a headless run can use its own.

use chrono::{DateTime, Utc};

use crate::health::HealthSnapshot;

/// Everything a session's state machine reacts to arrives as one `Event` on one channel:
/// input (keys, for the console), ticks and the results of background work. Background tasks
/// only ever send these.
#[derive(Debug, Clone)]
pub enum Event<I> {
    Input(I),
    /// Once a second: clocks, countdowns and flash expiry move on.
    Tick(DateTime<Utc>),
    Snapshot(Box<HealthSnapshot>),
    /// SIGTERM or SIGHUP (the SSH session dropped): leave cleanly.
    Shutdown,
}

/// What an update asks the outside world to do; the effects runner does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start the health poller (once, at start).
    StartPolling,
    /// Take a snapshot now rather than at the end of the interval.
    Refresh,
    /// The same, listing every bucket's objects to count them now rather than on the slower
    /// counting cadence.
    CountNow,
}
