//! Runbooks: the plan's disaster scenarios as checklists that execute. A runbook file
//! ([`model`]) is loaded and checked whole ([`load`]); the [`engine`] walks it, every AWS
//! write through the actions path, every transition journalled; [`readiness`] says before
//! any outage whether it could succeed; [`sources`] finds what a table can be restored from.

pub mod engine;
pub mod load;
pub mod model;
pub mod readiness;
mod runner;

pub mod sources;
mod steps;
pub mod vars;

pub use engine::{
    ChoiceView, Command, EngineError, Event, Manual, Need, PhaseView, Rewrite, RunHandle,
    RunOptions, RunState, RunView, StepState, StepView, start,
};
pub use load::{LoadError, Loaded, Origin};
pub use model::{Runbook, Step, StepKind};
pub use readiness::{Blocker, Readiness};
pub use sources::{Source, SourceKind};
