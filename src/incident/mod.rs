//! Incidents: declaring one, the crash-proof journal every step, decision, AWS call and
//! message lands in, and the state (services out, RTO/RPO stopwatches, messages sent)
//! replayed from it. The actions, runbooks, comms and drills all write through [`Journal`].

pub mod describe;
pub mod export;
pub mod journal;
pub mod record;
pub mod redact;
pub mod state;
pub mod store;
pub mod when;
pub mod writer;

pub use describe::describe;
pub use journal::{
    Entry, Follower, Journal, JournalError, JournalResult, Origin, Reader, TornTail, Verification,
    verify,
};
pub use record::{AffectedService, Declared, ImpactSource, Record, Severity, StepOutcome};
pub use state::{Clock, ContactState, Incident, ServiceClock, Stopwatch, short_duration};
pub use store::{DeclareError, DeclareInput, IncidentStore, SCENARIOS, plan_declaration};
pub use writer::{JournalWriter, WriterStats};
