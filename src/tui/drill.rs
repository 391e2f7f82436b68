//! The console's side of a drill: started from the runbook picker (`d`), its setup and
//! teardown shown above the checklist, DRILL in the header while it lasts, the forecast of
//! its finish from earlier drills, and its record once it is torn down.

use std::sync::Arc;

use super::app::App;
use super::repair::READ_ONLY;
use super::theme::FlashLevel;
use crate::drill::run::{DrillPhase, DrillProgress};
use crate::drill::{DrillOutcome, DrillRecord};
use crate::runbook::Runbook;

/// A drill this console started.
#[derive(Debug, Clone)]
pub struct DrillScreen {
    pub runbook: String,
    /// The drill's incident, once made.
    pub id: Option<String>,
    pub suffix: Option<String>,
    pub phase: DrillPhase,
    /// The latest progress line of the phase.
    pub line: Option<String>,
    /// Earlier drills of the runbook, for the forecast.
    pub earlier: Vec<DrillRecord>,
    /// Set once torn down: what the history keeps.
    pub record: Option<Box<DrillRecord>>,
    /// Why it could not start or finish.
    pub error: Option<String>,
}

impl DrillScreen {
    /// Set up, running or tearing down: DRILL stays in the header until teardown is done.
    pub fn active(&self) -> bool {
        self.record.is_none() && self.error.is_none()
    }
}

impl App {
    /// `d` in the picker: the runbook's inputs, then a drill of it.
    pub(super) fn pick_drill(&mut self, runbook: Arc<Runbook>) {
        if self.read_only {
            return self.flash(FlashLevel::Warn, READ_ONLY);
        }
        if self.drill.as_ref().is_some_and(DrillScreen::active) || self.run_in_flight().is_some() {
            return self.flash(
                FlashLevel::Warn,
                "a run is under way: one run or drill at a time",
            );
        }
        self.open_start_form(runbook, true);
    }

    /// The drill's effect is leaving: DRILL goes up now, before setup's first line.
    pub(super) fn drill_starting(&mut self, runbook: &Runbook) {
        // The last run's checklist gives way to the drill's.
        self.runbooks.run = None;
        self.drill = Some(DrillScreen {
            runbook: runbook.name.get_ref().clone(),
            id: None,
            suffix: None,
            phase: DrillPhase::Setup,
            line: Some("preparing: working out the copies".to_owned()),
            earlier: Vec::new(),
            record: None,
            error: None,
        });
    }

    pub(super) fn on_drill_started(
        &mut self,
        id: String,
        suffix: String,
        earlier: Vec<DrillRecord>,
    ) {
        if let Some(drill) = &mut self.drill {
            drill.id = Some(id);
            drill.suffix = Some(suffix);
            drill.earlier = earlier;
        }
        self.view = super::app::View::Runbook;
        self.runbooks.popup = None;
    }

    pub(super) fn on_drill_progress(&mut self, progress: DrillProgress) {
        if let Some(drill) = &mut self.drill {
            drill.phase = progress.phase;
            drill.line = Some(progress.line.trim().to_owned());
        }
    }

    /// A drill that could not start (its prepare refused) ends here too.
    pub(super) fn on_drill_not_started(&mut self, why: &str) {
        if let Some(drill) = self.drill.as_mut().filter(|d| d.id.is_none()) {
            drill.error = Some(why.to_owned());
        }
    }

    pub(super) fn on_drill_finished(&mut self, result: Result<Box<DrillRecord>, String>) {
        let Some(drill) = &mut self.drill else {
            return;
        };
        let (level, text) = match result {
            Err(why) => {
                drill.error = Some(why.clone());
                (FlashLevel::Error, format!("drill: {why}"))
            }
            Ok(record) => {
                let text = finished_text(&record);
                let level = match (&record.outcome, record.left.is_empty()) {
                    (_, false) => FlashLevel::Error,
                    (DrillOutcome::Completed, true) => FlashLevel::Info,
                    _ => FlashLevel::Warn,
                };
                drill.record = Some(record);
                (level, text)
            }
        };
        self.flash(level, text);
    }
}

/// One line for the flash: how it ended, the recovery time, what teardown left.
pub fn finished_text(record: &DrillRecord) -> String {
    let how = match &record.outcome {
        DrillOutcome::Completed => "completed".to_owned(),
        DrillOutcome::Failed(why) => format!("failed ({why})"),
        DrillOutcome::Halted(why) => format!("halted ({why})"),
        DrillOutcome::Aborted(why) => format!("aborted ({why})"),
    };
    let recovery = record
        .recovery_secs
        .map(|s| format!(", recovery {}", crate::drill::report::duration(s)))
        .unwrap_or_default();
    let teardown = if record.left.is_empty() {
        format!(", torn down ({} removed)", record.removed.len())
    } else {
        format!(", LEFT BEHIND: {}", record.left.join(", "))
    };
    format!("drill of {} {how}{recovery}{teardown}", record.runbook)
}
