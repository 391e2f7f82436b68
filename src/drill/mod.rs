//! The plan's tests, measured: the monthly backup validation (`validate`), the quarterly
//! drill (`run`: setup, renamed targets, stop conditions, teardown), the drill report and its
//! forecast (`report`), and the history both leave behind for the readiness report.

pub mod history;
pub mod names;
pub mod report;
pub mod run;
pub mod validate;

pub use history::{DrillOutcome, DrillRecord, History, RestorePointFigure, StepTiming};
pub use names::DrillNames;
