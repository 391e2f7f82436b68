//! The drill report: each step's duration against its target, the recovery time against the
//! RTO, the measured RPO of each restore point, and the comparison with earlier drills
//! (median per step, trend); and the forecast of a running drill's finish.

mod compare;
mod forecast;
mod record;
mod render;

pub use compare::{Comparison, Figure, STEADY_PERCENT, Trend, compare, earlier_of, median};
pub use forecast::{Forecast, forecast};
pub use record::record_from_journal;
pub use render::{Style, duration, render};

use crate::mode::Mode;

/// Whether a drill recorded in `recorded` mode counts for a session in `session` mode: a
/// simulated drill only for a simulated session, a real one (a drill's own mode) only for a
/// real session. A rehearsal on the simulation never passes for a real drill.
pub fn counts_for(session: Mode, recorded: Mode) -> bool {
    (session == Mode::Simulation) == (recorded == Mode::Simulation)
}
