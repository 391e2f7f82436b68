//! Time in the simulation: the clock every age is measured against, and the latency of calls.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::fnv;

/// The simulation's clock, shared by every clone.
///
/// A real clock reads the system time: restores, exports and DNS changes complete after the
/// same delays as on the fixed clock, in real time. A fixed clock stands still until
/// [`SimClock::advance`] moves it, so tests and rehearsals are repeatable.
#[derive(Clone)]
pub struct SimClock {
    inner: Arc<Inner>,
}

enum Inner {
    Real,
    Fixed(Mutex<DateTime<Utc>>),
    Tokio {
        at: DateTime<Utc>,
        origin: tokio::time::Instant,
    },
}

impl SimClock {
    /// The system clock (`Utc::now()`); for `--demo`.
    pub fn real() -> Self {
        Self {
            inner: Arc::new(Inner::Real),
        }
    }

    /// A clock that shows `at` until advanced; for tests.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Inner::Fixed(Mutex::new(at))),
        }
    }

    /// A clock that shows `at` and then moves with tokio's clock. Under tokio's paused time
    /// (a benchmark, a test) that time moves only when every task waits, so waits that
    /// overlap take the time of the longest, as they do against AWS; a fixed clock cannot
    /// tell (each waiter moves it), and a real one would take the restore's minutes.
    pub fn tokio(at: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Inner::Tokio {
                at,
                origin: tokio::time::Instant::now(),
            }),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.inner {
            Inner::Real => Utc::now(),
            Inner::Fixed(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
            Inner::Tokio { at, origin } => {
                *at + chrono::Duration::from_std(origin.elapsed()).unwrap_or_default()
            }
        }
    }

    /// Moves a fixed clock (and every clone of it) forward by `by`.
    ///
    /// A real clock cannot be moved: this is a no-op on one, so a demo never jumps in time.
    pub fn advance(&self, by: chrono::Duration) {
        if let Inner::Fixed(at) = &*self.inner {
            let mut at = at.lock().unwrap_or_else(|p| p.into_inner());
            *at += by;
        }
    }

    /// Whether this clock reads the system time.
    pub fn is_real(&self) -> bool {
        matches!(*self.inner, Inner::Real)
    }

    /// Whether a pause on this clock waits (on tokio's timer) rather than moving it.
    pub fn sleeps(&self) -> bool {
        !matches!(*self.inner, Inner::Fixed(_))
    }
}

impl std::fmt::Debug for SimClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.inner {
            Inner::Real => f.write_str("SimClock::Real"),
            Inner::Fixed(_) => write!(f, "SimClock::Fixed({})", self.now()),
            Inner::Tokio { .. } => write!(f, "SimClock::Tokio({})", self.now()),
        }
    }
}

/// How long each simulated call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// Calls return at once, without yielding to a timer: for tests.
    None,
    /// Each call sleeps 40–250 ms, as a call to AWS from a laptop does: for `--demo`, so
    /// spinners, timeouts and concurrency limits show as they will against AWS.
    Realistic,
}

/// The shortest and longest simulated call, in milliseconds.
pub const LATENCY_RANGE_MS: (u64, u64) = (40, 250);

/// The delay of one call under [`Latency::Realistic`]: pseudo-random but repeatable, from
/// the operation, the resource it addresses and the number of calls made before it.
pub fn call_latency(operation: &str, resource: &str, call: u64) -> Duration {
    let (lo, hi) = LATENCY_RANGE_MS;
    let h = fnv(&[operation, resource, &call.to_string()]);
    Duration::from_millis(lo + h % (hi - lo + 1))
}
