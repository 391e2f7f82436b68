//! What a message knows: the incident's state, the runbook run under way and the estate,
//! gathered into one serialisable value that templates read. Nothing here is typed in by
//! hand: every value comes from the journal, the run or the estate file, and what none of
//! them says is a placeholder.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Cadence, placeholder};
use crate::config::{Dur, Estate};
use crate::drill::DrillRecord;
use crate::incident::{
    Clock, ContactState, Entry, Incident, Record, ServiceClock, StepOutcome, Stopwatch, describe,
    short_duration,
};
use crate::mode::Mode;
use crate::runbook::{RunState, RunView};

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
    /// The RPO target, and once a restore point was chosen, the point and the data lost
    /// (from the point to the impact) with `met` or `missed` against the RPO.
    pub rpo: String,
    pub restore_point: Option<String>,
    pub data_loss: Option<String>,
    pub rpo_state: Option<String>,
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
    /// The finish the run's targets forecast, when it has targets; during a drill with
    /// earlier drills of its runbook, the finish their step times forecast.
    pub forecast: Option<String>,
    /// `earlier drills` or `targets`: what the forecast comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast_from: Option<String>,
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
    /// `commander`, `runbook forecast` (from earlier drills' step times when a drill has
    /// them, else the steps' targets) or `unknown`.
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

/// The most lines "what changed" lists; the rest are counted.
const MAX_CHANGES: usize = 12;

/// What a message is built from.
pub struct Sources<'a> {
    pub incident: &'a Incident,
    /// The incident's journal, in order (for what changed and what is in progress).
    pub entries: &'a [Entry],
    /// The runbook run under way in this console, if any (for its forecast).
    pub run: Option<&'a RunView>,
    /// Earlier drills of the session's mode: during a drill, the forecast comes from how long
    /// their steps took rather than from the targets alone.
    pub drills: &'a [DrillRecord],
    pub update_every: std::time::Duration,
    pub primary_region: &'a str,
    pub backup_region: &'a str,
    pub now: DateTime<Utc>,
}

impl<'a> Sources<'a> {
    /// The regions and cadence from the estate file.
    pub fn new(
        incident: &'a Incident,
        entries: &'a [Entry],
        estate: &'a Estate,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            incident,
            entries,
            run: None,
            drills: &[],
            update_every: estate.comms.update_every.into(),
            primary_region: estate.regions.primary.get_ref(),
            backup_region: estate.regions.backup.get_ref(),
            now,
        }
    }

    pub fn with_run(mut self, run: Option<&'a RunView>) -> Self {
        self.run = run;
        self
    }

    pub fn with_drills(mut self, drills: &'a [DrillRecord]) -> Self {
        self.drills = drills;
        self
    }
}

impl MessageContext {
    /// Everything a template may use, from the journal, the run and the estate.
    pub fn build(src: &Sources<'_>) -> MessageContext {
        let incident = src.incident;
        let now = src.now;
        let services: Vec<ServiceFacts> = incident
            .rto_watches(now)
            .into_iter()
            .map(|(clock, watch)| service_facts(clock, &watch, incident.impact_began, now))
            .collect();
        let restored = names(incident.services.iter().filter(|s| s.restored_at.is_some()));
        let still_affected = names(incident.still_affected());
        let impact = impact_of(incident);
        let run = src.run.map(|r| run_facts(r, src.drills, now));
        let (eta, eta_source) = match (incident.eta, run.as_ref().and_then(|r| r.forecast.clone()))
        {
            (Some(eta), _) => (when(eta, now), "commander"),
            (None, Some(forecast)) => (forecast, "runbook forecast"),
            (None, None) => (placeholder("ETA"), "unknown"),
        };
        let last = incident.last_message();
        let next_update = match Cadence::of(incident, src.update_every, now) {
            Some(c) => clock(c.due),
            None => "none: the incident is resolved".to_owned(),
        };
        MessageContext {
            incident: incident_facts(incident, &services, now),
            restored,
            still_affected,
            impact,
            eta,
            eta_source: eta_source.to_owned(),
            actions: in_progress(src.entries),
            changes: changes_since(src.entries, last.map(|m| m.seq).unwrap_or(0)),
            last_update: last.map(|m| clock(m.at)),
            next_update,
            update_every: every(src.update_every),
            notified: incident.contacts.iter().filter_map(contact_facts).collect(),
            run,
            services,
            primary_region: src.primary_region.to_owned(),
            backup_region: src.backup_region.to_owned(),
            now: clock(now),
            date: now.format("%Y-%m-%d").to_string(),
            simulation: incident.mode == Mode::Simulation,
        }
    }
}

fn names<'a>(services: impl Iterator<Item = &'a ServiceClock>) -> Vec<String> {
    services.map(|s| s.service.name.clone()).collect()
}

/// The services' impacts, each once, else their names.
fn impact_of(incident: &Incident) -> String {
    let mut seen: Vec<String> = Vec::new();
    for s in &incident.services {
        let said = if s.service.impact.is_empty() {
            format!("{} unavailable", s.service.name)
        } else {
            s.service.impact.clone()
        };
        if !seen.contains(&said) {
            seen.push(said);
        }
    }
    if seen.is_empty() {
        placeholder("Services affected")
    } else {
        seen.join("; ")
    }
}

fn incident_facts(
    incident: &Incident,
    services: &[ServiceFacts],
    now: DateTime<Utc>,
) -> IncidentFacts {
    let status = if !incident.is_open() {
        "Fully Recovered"
    } else if services.iter().any(|s| s.restored) {
        "Partially Recovered"
    } else {
        "In Progress"
    };
    IncidentFacts {
        id: incident.id.clone(),
        event: incident.title.clone(),
        scenario: incident.scenario.clone(),
        severity: incident.severity.to_string(),
        status: status.to_owned(),
        commander: incident
            .commander
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| placeholder("Recovery Team Lead")),
        declared_at: when(incident.declared_at, now),
        impact_began: when(incident.impact_began, now),
        elapsed: short_duration(incident.elapsed(now)),
        resolved_at: incident.resolved_at.map(|t| when(t, now)),
        recovery_time: incident
            .resolved_at
            .map(|t| short_duration(t - incident.impact_began)),
    }
}

fn service_facts(
    clock: &ServiceClock,
    watch: &Stopwatch,
    impact_began: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ServiceFacts {
    let loss = clock.rpo_watch(impact_began);
    let left = watch.target - watch.elapsed;
    let rto_left = if left < Duration::zero() {
        format!("-{}", short_duration(-left))
    } else {
        short_duration(left)
    };
    let rto_state = match watch.clock {
        Clock::Running | Clock::Warn => "running",
        Clock::Breached => "overdue",
        Clock::Met => "met",
        Clock::Missed => "missed",
    };
    ServiceFacts {
        name: clock.service.name.clone(),
        priority: clock.service.priority.clone(),
        impact: if clock.service.impact.is_empty() {
            clock.service.name.clone()
        } else {
            clock.service.impact.clone()
        },
        rto: short_duration(watch.target),
        rto_elapsed: short_duration(watch.elapsed),
        rto_left,
        rto_state: rto_state.to_owned(),
        restored: clock.restored_at.is_some(),
        restored_at: clock.restored_at.map(self::clock),
        rpo: short_duration(clock.rpo()),
        restore_point: clock.restore_point.map(|t| when(t, now)),
        data_loss: loss.map(|w| short_duration(w.elapsed)),
        rpo_state: loss.map(|w| {
            if w.clock == Clock::Missed {
                "missed"
            } else {
                "met"
            }
            .to_owned()
        }),
    }
}

fn contact_facts(c: &ContactState) -> Option<ContactFacts> {
    let notified_at = c.notified_at?;
    let who = match &c.name {
        Some(name) if !name.is_empty() => format!("{} ({name})", c.role),
        _ => c.role.clone(),
    };
    Some(ContactFacts {
        group: c.group.clone(),
        role: c.role.clone(),
        name: c.name.clone(),
        who,
        notified_at: clock(notified_at),
        acknowledged: c.acknowledged_at.is_some(),
    })
}

fn run_facts(run: &RunView, drills: &[DrillRecord], now: DateTime<Utc>) -> RunFacts {
    let top: Vec<_> = run.steps.iter().filter(|s| s.depth == 0).collect();
    let done = top.iter().filter(|s| s.state.is_final()).count();
    let state = match run.state {
        RunState::Running => "running",
        RunState::Succeeded => "succeeded",
        RunState::Failed => "stopped at a failed step",
        RunState::Cancelled => "cancelled",
    };
    // Earlier drills of the runbook say how long its steps really take; the targets are the
    // fallback when there are none.
    let from_drills = crate::drill::report::forecast(run, drills, now).filter(|f| f.earlier > 0);
    let (forecast, forecast_from) = match from_drills {
        Some(f) => (Some(when(f.finish, now)), Some("earlier drills".to_owned())),
        None => {
            let t = forecast(run, now).map(|t| when(t, now));
            let from = t.as_ref().map(|_| "targets".to_owned());
            (t, from)
        }
    };
    RunFacts {
        runbook: run.runbook.clone(),
        title: run.title.clone(),
        state: state.to_owned(),
        progress: format!("{done}/{}", top.len()),
        forecast,
        forecast_from,
    }
}

/// When a running run should end: now, plus what its unfinished top-level steps' targets
/// leave (a step under way counts what is left of its target, none once past it), so a run
/// behind schedule forecasts later. A run whose steps have no targets falls back to its own
/// target from its start.
fn forecast(run: &RunView, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if run.state != RunState::Running || run.finished.is_some() {
        return None;
    }
    let to_chrono = |d: Dur| Duration::from_std(d.into()).unwrap_or_default();
    let mut left = Duration::zero();
    let mut targeted = false;
    let open = run
        .steps
        .iter()
        .filter(|s| s.depth == 0 && !s.state.is_final());
    for step in open {
        let Some(target) = step.target else {
            continue;
        };
        targeted = true;
        let spent = step.started.map(|t| now - t).unwrap_or_default();
        left += (to_chrono(target) - spent).max(Duration::zero());
    }
    if targeted {
        return Some(now + left);
    }
    run.target.map(|t| (run.started + to_chrono(t)).max(now))
}

/// `14:05 UTC` today, `2026-03-15 14:05 UTC` another day.
fn when(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if t.date_naive() == now.date_naive() {
        clock(t)
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// `30 minutes`, `2 hours`, `90 minutes`.
fn every(d: std::time::Duration) -> String {
    let mins = d.as_secs() / 60;
    match mins {
        0 => format!("{} seconds", d.as_secs()),
        1 => "1 minute".to_owned(),
        m if m % 60 == 0 && m >= 120 => format!("{} hours", m / 60),
        60 => "hour".to_owned(),
        m => format!("{m} minutes"),
    }
}

/// Runbook steps and actions started and not yet finished, as the journal says: the same
/// answer in the console and headless.
fn in_progress(entries: &[Entry]) -> Vec<String> {
    let mut open: Vec<(String, String)> = Vec::new();
    let close = |open: &mut Vec<(String, String)>, key: &str| open.retain(|(k, _)| k != key);
    const KINDS: [&str; 5] = [
        "step_started",
        "step_finished",
        "action_started",
        "action_finished",
        "runbook_finished",
    ];
    // Only these kinds are decoded: a long journal is mostly requests and notes.
    for entry in entries.iter().filter(|e| KINDS.contains(&e.kind.as_str())) {
        match entry.record() {
            Some(Record::StepStarted { run, step, title }) => {
                let key = format!("step:{}:{step}", run.unwrap_or_default());
                close(&mut open, &key);
                open.push((key, title.unwrap_or(step)));
            }
            Some(Record::StepFinished { run, step, .. }) => {
                close(
                    &mut open,
                    &format!("step:{}:{step}", run.unwrap_or_default()),
                );
            }
            Some(Record::ActionStarted {
                run,
                action,
                target,
                ..
            }) => open.push((format!("action:{run}"), format!("{action} {target}"))),
            Some(Record::ActionFinished { run, .. }) => close(&mut open, &format!("action:{run}")),
            Some(Record::RunbookFinished { run, .. }) => {
                let prefix = format!("step:{run}:");
                open.retain(|(k, _)| !k.starts_with(&prefix));
            }
            _ => {}
        }
    }
    // A step's action is the step: list the step alone when both are open.
    let steps = open.iter().filter(|(k, _)| k.starts_with("step:")).count();
    open.into_iter()
        .filter(|(k, _)| steps == 0 || k.starts_with("step:"))
        .map(|(_, what)| what)
        .collect()
}

/// What the journal recorded after entry `since` that a reader of an update cares about.
fn changes_since(entries: &[Entry], since: u64) -> Vec<String> {
    // A step's end says its title, which only its start recorded.
    let mut titles: BTreeMap<(Option<String>, String), String> = BTreeMap::new();
    let mut lines: Vec<String> = Vec::new();
    for entry in entries {
        // Before the last message only step titles matter: decode nothing else there.
        let telling = entry.seq > since;
        if !telling && entry.kind != "step_started" {
            continue;
        }
        let record = entry.record();
        let said = match &record {
            Some(Record::StepStarted {
                run,
                step,
                title: Some(title),
            }) => {
                titles.insert((run.clone(), step.clone()), title.clone());
                None
            }
            Some(Record::StepFinished {
                run, step, outcome, ..
            }) => titles
                .get(&(run.clone(), step.clone()))
                .map(|title| format!("{title}: {}", outcome_word(*outcome))),
            _ => None,
        };
        if telling && record.as_ref().is_some_and(worth_telling) {
            let said = said.unwrap_or_else(|| describe(entry));
            lines.push(format!("{} {said}", entry.at.format("%H:%M")));
        }
    }
    if lines.len() > MAX_CHANGES {
        let more = lines.len() - MAX_CHANGES;
        lines.drain(..more);
        lines.insert(0, format!("({more} earlier entries not listed)"));
    }
    lines
}

fn outcome_word(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Succeeded => "done",
        StepOutcome::Failed => "failed",
        StepOutcome::Skipped => "skipped",
        StepOutcome::Cancelled => "cancelled",
    }
}

fn worth_telling(record: &Record) -> bool {
    match record {
        Record::StepFinished { outcome, .. } => *outcome != StepOutcome::Cancelled,
        Record::SeverityChanged { .. }
        | Record::ServiceAffected { .. }
        | Record::ServiceRestored { .. }
        | Record::RestorePointChosen { .. }
        | Record::Note { .. }
        | Record::Decision { .. }
        | Record::RunbookStarted { .. }
        | Record::RunbookFinished { .. }
        | Record::ActionFinished { .. }
        | Record::ActionRefused { .. }
        | Record::CheckFinished { .. }
        | Record::EtaSet { .. }
        | Record::ContactAcknowledged { .. }
        | Record::FollowUp { .. }
        | Record::Resolved { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;
    use crate::runbook::model::StepKind;
    use crate::runbook::{StepState, StepView};

    fn step(id: &str, state: StepState, target: &str, started: Option<DateTime<Utc>>) -> StepView {
        StepView {
            state,
            started,
            target: Some(target.parse().unwrap()),
            ..StepView::pending(id, id, StepKind::Action, "p")
        }
    }

    #[test]
    fn the_forecast_is_now_plus_what_the_open_steps_targets_leave() {
        let now = Utc.with_ymd_and_hms(2026, 3, 14, 10, 0, 0).unwrap();
        let mut run = RunView {
            run: "r".into(),
            runbook: "region-failover".into(),
            title: "Region failover".into(),
            started: now - Duration::minutes(30),
            finished: None,
            target: Some("4h".parse().unwrap()),
            state: RunState::Running,
            inputs: BTreeMap::new(),
            phases: Vec::new(),
            steps: vec![
                step(
                    "dns",
                    StepState::Succeeded,
                    "10m",
                    Some(now - Duration::minutes(30)),
                ),
                // 5 of its 15 minutes spent: 10 left.
                step(
                    "restore",
                    StepState::Running,
                    "15m",
                    Some(now - Duration::minutes(5)),
                ),
                step("verify", StepState::Pending, "30m", None),
            ],
        };
        assert_eq!(forecast(&run, now), Some(now + Duration::minutes(40)));
        // Behind schedule: the running step is past its target, the rest still to come.
        run.steps[1].started = Some(now - Duration::minutes(50));
        assert_eq!(forecast(&run, now), Some(now + Duration::minutes(30)));
        // No step targets: the run's own target from its start.
        for s in &mut run.steps {
            s.target = None;
        }
        assert_eq!(forecast(&run, now), Some(now + Duration::minutes(210)));
        run.state = RunState::Succeeded;
        assert_eq!(forecast(&run, now), None);
        assert_eq!(run_facts(&run, &[], now).forecast, None);
    }

    #[test]
    fn during_a_drill_the_forecast_comes_from_earlier_drills_step_times() {
        let now = Utc.with_ymd_and_hms(2026, 3, 14, 10, 0, 0).unwrap();
        let run = RunView {
            run: "r".into(),
            runbook: "region-failover".into(),
            title: "Region failover".into(),
            started: now - Duration::minutes(30),
            finished: None,
            target: Some("4h".parse().unwrap()),
            state: RunState::Running,
            inputs: BTreeMap::new(),
            phases: Vec::new(),
            steps: vec![
                step("restore", StepState::Pending, "15m", None),
                step("verify", StepState::Pending, "30m", None),
            ],
        };
        let earlier = crate::drill::DrillRecord {
            id: "DRL-1".into(),
            runbook: "region-failover".into(),
            mode: Mode::Drill,
            account: None,
            started: now - Duration::days(90),
            finished: None,
            outcome: crate::drill::DrillOutcome::Completed,
            target_secs: None,
            rto_secs: None,
            recovery_secs: None,
            setup_secs: None,
            teardown_secs: None,
            steps: vec![crate::drill::StepTiming {
                path: "restore".into(),
                title: "restore".into(),
                outcome: "succeeded".into(),
                started: None,
                secs: Some(40.0 * 60.0),
                target_secs: None,
            }],
            restore_points: Vec::new(),
            removed: Vec::new(),
            left: Vec::new(),
            journal: "j".into(),
        };
        // The restore took 40m last time (its target says 15m); verify has no history.
        let facts = run_facts(&run, std::slice::from_ref(&earlier), now);
        assert_eq!(facts.forecast, Some(when(now + Duration::minutes(70), now)));
        assert_eq!(facts.forecast_from.as_deref(), Some("earlier drills"));
        let facts = run_facts(&run, &[], now);
        assert_eq!(facts.forecast, Some(when(now + Duration::minutes(45), now)));
        assert_eq!(facts.forecast_from.as_deref(), Some("targets"));
    }
}
