//! The console's side of communications: what a copy did, said in the flash and, for a
//! message, journalled with its text.

use super::app::App;
use super::theme::FlashLevel;
use crate::comms::clipboard::CopyReport;
use crate::event::{CopyWhat, Effect};
use crate::incident::Record;

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
        match what {
            CopyWhat::Message { template, text, .. } if self.incident.is_some() => {
                let (_, effect) = self.append(Record::MessageCopied {
                    template,
                    text,
                    via: report.via(),
                });
                vec![effect]
            }
            CopyWhat::Message { .. } | CopyWhat::Phone { .. } => Vec::new(),
        }
    }
}
