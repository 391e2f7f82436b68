//! The console's side of communications: what a copy did, said in the flash and, for a
//! message, journalled with its text; a runbook step waiting for that message is then done.

use super::app::App;
use super::theme::FlashLevel;
use crate::comms::clipboard::CopyReport;
use crate::event::{CopyWhat, Effect};
use crate::incident::Record;
use crate::runbook::{Command, Need};

impl App {
    /// A copy's report: a message copied is journalled (it restarts the update countdown);
    /// a phone number is only said.
    pub(super) fn on_copied(&mut self, what: CopyWhat, report: CopyReport) -> Vec<Effect> {
        let level = if report.confirmed() {
            FlashLevel::Info
        } else {
            FlashLevel::Warn
        };
        self.flash(level, report.message());
        let CopyWhat::Message { template, text, .. } = what else {
            return Vec::new();
        };
        let mut effects = self.message_sent(&template, &format!("copied ({})", report.via()));
        if self.incident.is_some() {
            let (_, effect) = self.append(Record::MessageCopied {
                template,
                text,
                via: report.via(),
            });
            effects.push(effect);
        }
        effects
    }

    /// A message went out (`how`: "copied (osc52)", "posted to #incidents"): the run's
    /// manual steps waiting for that template's message are done.
    pub(super) fn message_sent(&mut self, template: &str, how: &str) -> Vec<Effect> {
        let Some(run) = &self.runbooks.run else {
            return Vec::new();
        };
        run.view
            .steps
            .iter()
            .filter(|s| s.need == Some(Need::Done) && s.message.as_deref() == Some(template))
            .map(|s| {
                Effect::RunbookCommand(Command::Done {
                    step: s.path.clone(),
                    note: Some(format!("the {template} message was {how}")),
                })
            })
            .collect()
    }
}
