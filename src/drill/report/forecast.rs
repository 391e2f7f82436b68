//! The finish of a running drill, forecast from how long earlier drills' steps took, shown
//! against the RTO while the drill runs.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::compare::median;
use crate::drill::DrillRecord;
use crate::runbook::{RunState, RunView, StepState};

/// Where a running drill is heading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Now plus what the unfinished top-level steps are expected to take.
    pub finish: DateTime<Utc>,
    /// The run's start plus its RTO, when one is known.
    pub rto_deadline: Option<DateTime<Utc>>,
    pub rto_secs: Option<u64>,
    /// `runbook target` (the runbook's whole target, the scenario's RTO) or `last drill`
    /// (the tightest RTO of the services the last drill recovered).
    pub rto_from: Option<String>,
    /// Whether `finish` is at or before `rto_deadline`.
    pub within_rto: Option<bool>,
    /// The unfinished top-level steps, and how many of them no earlier drill measured (their
    /// target stands in), and how many had neither (counted as nothing).
    pub steps_left: usize,
    pub steps_without_history: usize,
    pub steps_without_estimate: usize,
    /// The earlier drills the medians come from.
    pub earlier: usize,
}

/// The forecast for the run `view` at `now`, from `earlier` (drills of the same runbook in
/// the same mode: the caller picks the mode, the runbook is checked here). Steps finished
/// count as they took (they are behind `now`); each unfinished top-level step is expected to
/// take the median of what it took in the earlier drills where it succeeded, else its
/// target; a step under way counts what is left of that, none once past it. `None` once the
/// run has ended.
pub fn forecast(view: &RunView, earlier: &[DrillRecord], now: DateTime<Utc>) -> Option<Forecast> {
    if view.state != RunState::Running || view.finished.is_some() {
        return None;
    }
    let earlier: Vec<&DrillRecord> = earlier
        .iter()
        .filter(|d| d.runbook == view.runbook && d.started < view.started)
        .collect();
    let mut left = Duration::zero();
    let (mut steps_left, mut without_history, mut without_estimate) = (0, 0, 0);
    let open = view
        .steps
        .iter()
        .filter(|s| s.depth == 0 && !s.state.is_final());
    for step in open {
        steps_left += 1;
        let history: Vec<f64> = earlier
            .iter()
            .filter_map(|d| d.steps.iter().find(|s| s.path == step.path))
            .filter(|s| s.outcome == "succeeded")
            .filter_map(|s| s.secs)
            .collect();
        let expected = match median(&history) {
            Some(m) => Duration::milliseconds((m * 1000.0).round() as i64),
            None => {
                without_history += 1;
                match step.target {
                    Some(t) => Duration::seconds(t.as_secs() as i64),
                    None => {
                        without_estimate += 1;
                        continue;
                    }
                }
            }
        };
        let spent = match (step.state, step.started) {
            (StepState::Running | StepState::Waiting | StepState::Failed, Some(t)) => now - t,
            _ => Duration::zero(),
        };
        left += (expected - spent).max(Duration::zero());
    }
    let finish = now + left;
    let (rto_secs, rto_from) = match view.target {
        Some(t) => (Some(t.as_secs()), Some("runbook target".to_owned())),
        None => match earlier.iter().rev().find_map(|d| d.rto_secs) {
            Some(r) => (Some(r), Some("last drill".to_owned())),
            None => (None, None),
        },
    };
    let rto_deadline = rto_secs.map(|r| view.started + Duration::seconds(r as i64));
    Some(Forecast {
        finish,
        rto_deadline,
        rto_secs,
        rto_from,
        within_rto: rto_deadline.map(|d| finish <= d),
        steps_left,
        steps_without_history: without_history,
        steps_without_estimate: without_estimate,
        earlier: earlier.len(),
    })
}

impl Forecast {
    /// One line for a status bar or a message: `forecast finish 14:05Z, 1h 10m inside the
    /// RTO (4h, runbook target); 2 of 5 steps have no history (their targets stand in)`.
    pub fn line(&self) -> String {
        let mut text = format!("forecast finish {}", self.finish.format("%H:%MZ"));
        match (self.rto_deadline, self.rto_secs) {
            (Some(deadline), Some(rto)) => {
                let margin = (deadline - self.finish).num_seconds();
                let by = super::render::duration(margin.unsigned_abs() as f64);
                let from = self.rto_from.as_deref().unwrap_or("RTO");
                let rto = super::render::duration(rto as f64);
                if margin >= 0 {
                    text.push_str(&format!(", {by} inside the RTO ({rto}, {from})"));
                } else {
                    text.push_str(&format!(", {by} PAST the RTO ({rto}, {from})"));
                }
            }
            _ => text.push_str(", no RTO known"),
        }
        if self.steps_without_history > 0 {
            text.push_str(&format!(
                "; {} of {} steps left have no history (their targets stand in)",
                self.steps_without_history, self.steps_left
            ));
        }
        if self.steps_without_estimate > 0 {
            text.push_str(&format!(
                "; {} with neither history nor target counted as nothing",
                self.steps_without_estimate
            ));
        }
        text
    }
}
