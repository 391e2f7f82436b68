//! What a message knows: the incident's state, the runbook run under way and the estate,
//! gathered into one serialisable value that templates read. Nothing here is typed in by
//! hand: every value comes from the journal, the run or the estate file, and what none of
//! them says is a placeholder.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The incident as a message tells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentFacts {
    pub id: String,
    /// The declaration's title: the plan's "Event".
    pub event: String,
    pub scenario: String,
    pub severity: String,
    /// The plan's status words: "In Progress", "Partially Recovered", "Fully Recovered".
    pub status: String,
    /// The commander's name, or a placeholder.
    pub commander: String,
    pub declared_at: String,
    pub impact_began: String,
    /// Since the impact began (until resolution once resolved): `1h05m`.
    pub elapsed: String,
    /// Once resolved.
    pub resolved_at: Option<String>,
    /// From the impact to the resolution, for the completion notice: `3h25m`.
    pub recovery_time: Option<String>,
}

/// One affected service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceFacts {
    pub name: String,
    pub priority: String,
    /// From the estate file's `impact`, else the service's name.
    pub impact: String,
    /// The RTO target and the stopwatch against it: `4h`, `1h05m`, `2h55m`.
    pub rto: String,
    pub rto_elapsed: String,
    /// Time left to the target, or how far past it (`-10m`).
    pub rto_left: String,
    /// `running`, `met`, `missed` or `overdue` (still running past the target).
    pub rto_state: String,
    pub restored: bool,
    pub restored_at: Option<String>,
}

/// Someone of the contact tree who was notified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactFacts {
    pub group: String,
    pub role: String,
    pub name: Option<String>,
    /// `role` or `role (name)`.
    pub who: String,
    pub notified_at: String,
    pub acknowledged: bool,
}

/// The runbook run under way, where there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunFacts {
    pub runbook: String,
    pub title: String,
    pub state: String,
    /// Steps done of all steps: `5/12`.
    pub progress: String,
    /// The finish the run's targets forecast, when it has targets.
    pub forecast: Option<String>,
}

/// Everything a template may use. Times are `HH:MM UTC` unless named `_date`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageContext {
    pub incident: IncidentFacts,
    pub services: Vec<ServiceFacts>,
    /// Names, in declaration order.
    pub restored: Vec<String>,
    pub still_affected: Vec<String>,
    /// The affected services' impacts, joined: the plan's "Impact".
    pub impact: String,
    /// The commander's ETA, else the runbook's forecast, else a placeholder.
    pub eta: String,
    /// `commander`, `runbook forecast` or `unknown`.
    pub eta_source: String,
    /// Runbook steps running or waiting now, as "title (resource)".
    pub actions: Vec<String>,
    /// What the journal recorded since the last message copied or posted, one line each.
    pub changes: Vec<String>,
    /// When the last message went out, if one did.
    pub last_update: Option<String>,
    pub next_update: String,
    /// `30 minutes`.
    pub update_every: String,
    pub notified: Vec<ContactFacts>,
    pub run: Option<RunFacts>,
    pub primary_region: String,
    pub backup_region: String,
    /// Now, `HH:MM UTC`, and today's date `YYYY-MM-DD`.
    pub now: String,
    pub date: String,
    /// Set only when the context is the scripted demonstration incident.
    pub simulation: bool,
}

/// `14:05 UTC`.
pub fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M UTC").to_string()
}
