//! Sending a draft: the copy (asking first about placeholders left), the post to a
//! configured channel, the file, and what each answer journals.

use super::{CommsPopup, Posting, Then};
use crate::comms::Format;
use crate::comms::clipboard::CopyReport;
use crate::comms::post::{Channel, PostFailure, PostRequest, Posted};
use crate::event::{CopyWhat, Effect};
use crate::incident::Record;
use crate::runbook::{Command, Need};
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::repair::READ_ONLY;
use crate::tui::theme::FlashLevel;

/// Slack's mrkdwn for Slack, plain text for Statuspage.
fn format_for(channel: Channel) -> Format {
    match channel {
        Channel::Slack => Format::Slack,
        Channel::Statuspage => Format::Text,
    }
}

impl App {
    pub(super) fn no_draft(&mut self) -> Vec<Effect> {
        let text = if self.comms.listed.is_empty() {
            "no templates are loaded: nothing to draft from"
        } else {
            "no draft: choose a template"
        };
        self.flash(FlashLevel::Info, text);
        Vec::new()
    }

    pub(super) fn ask_copy(&mut self) -> Vec<Effect> {
        let Some(draft) = &self.comms.draft else {
            return self.no_draft();
        };
        let found = draft.placeholders();
        if found.is_empty() {
            return self.copy_draft();
        }
        self.comms.popup = Some(CommsPopup::Placeholders {
            found,
            then: Then::Copy,
        });
        Vec::new()
    }

    pub(super) fn copy_draft(&mut self) -> Vec<Effect> {
        let Some(draft) = &self.comms.draft else {
            return Vec::new();
        };
        let text = draft.text();
        self.comms.next_id += 1;
        vec![Effect::Copy {
            id: self.comms.next_id,
            text: text.clone(),
            what: CopyWhat::Message {
                template: draft.template.clone(),
                format: draft.format,
                text,
            },
        }]
    }

    /// The channels the estate configures, with their names as the screen says them.
    pub fn channels(&self) -> Vec<(Channel, String)> {
        let comms = &self.estate.comms;
        let mut found = Vec::new();
        if let Some(slack) = &comms.slack {
            let label = slack.channel.clone().unwrap_or_else(|| "Slack".to_owned());
            found.push((Channel::Slack, label));
        }
        if comms.statuspage.is_some() {
            found.push((Channel::Statuspage, "Statuspage".to_owned()));
        }
        found
    }

    pub(super) fn ask_channel(&mut self) -> Vec<Effect> {
        if self.read_only {
            self.flash(FlashLevel::Warn, READ_ONLY);
            return Vec::new();
        }
        if self.comms.draft.is_none() {
            return self.no_draft();
        }
        if let Some(posting) = &self.comms.posting {
            let text = format!("still posting to {}…", posting.channel);
            self.flash(FlashLevel::Info, text);
            return Vec::new();
        }
        match self.channels().as_slice() {
            [] => {
                self.flash(
                    FlashLevel::Info,
                    "nothing to post to: add [comms.slack] webhook_env or [comms.statuspage] \
                     to the estate file",
                );
                Vec::new()
            }
            [(channel, _)] => self.ask_post(*channel),
            _ => {
                self.comms.popup = Some(CommsPopup::Channel { selected: 0 });
                Vec::new()
            }
        }
    }

    pub(super) fn ask_post(&mut self, channel: Channel) -> Vec<Effect> {
        let Some(draft) = &self.comms.draft else {
            return Vec::new();
        };
        let found = draft.placeholders();
        if found.is_empty() {
            return self.post_draft(channel);
        }
        self.comms.popup = Some(CommsPopup::Placeholders {
            found,
            then: Then::Post(channel),
        });
        Vec::new()
    }

    /// The draft as the channel takes it: what is on screen when its format fits; an
    /// untouched draft is rendered for the channel; edits in the other format are not sent.
    pub(super) fn post_draft(&mut self, channel: Channel) -> Vec<Effect> {
        let (Some(draft), Some(incident)) = (&self.comms.draft, self.incident.as_deref()) else {
            return Vec::new();
        };
        let wanted = format_for(channel);
        let text = if draft.format == wanted {
            draft.text()
        } else if !draft.edited() {
            let Some(ctx) = self.message_context() else {
                return Vec::new();
            };
            match self.comms.templates.render(&draft.template, &ctx, wanted) {
                Ok(text) => text,
                Err(e) => {
                    self.flash(FlashLevel::Error, format!("template: {e}"));
                    return Vec::new();
                }
            }
        } else {
            let text = format!(
                "{channel} takes {wanted}, and this edited draft is {}: {} switches (edits lost)",
                draft.format,
                self.keymap.label(Action::Format)
            );
            self.flash(FlashLevel::Warn, text);
            return Vec::new();
        };
        let request = PostRequest::for_incident(incident, &draft.template, &text);
        self.comms.next_id += 1;
        let id = self.comms.next_id;
        self.comms.posting = Some(Posting {
            id,
            channel,
            template: draft.template.clone(),
            // What goes out (a rehearsal's says so), which the journal records.
            text: request.text.clone(),
            since: self.now,
        });
        vec![Effect::Post {
            id,
            channel,
            request,
        }]
    }

    /// A post's answer: journalled either way; a failure keeps the draft and says why.
    pub(in crate::tui) fn on_posted(
        &mut self,
        id: u64,
        result: Result<Posted, PostFailure>,
    ) -> Vec<Effect> {
        let Some(posting) = self.comms.posting.take_if(|p| p.id == id) else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        let record = match result {
            Ok(posted) => {
                effects =
                    self.message_sent(&posting.template, &format!("posted to {}", posted.label));
                let tries = if posted.attempts > 1 {
                    format!(" (after {} attempts)", posted.attempts)
                } else {
                    String::new()
                };
                self.flash(
                    FlashLevel::Info,
                    format!("posted to {}{tries}", posted.label),
                );
                if let Some(draft) = &mut self.comms.draft {
                    draft.sent = Some(draft.text());
                }
                Record::MessagePosted {
                    template: posting.template,
                    channel: posted.label,
                    text: posting.text,
                    external_id: posted.external_id,
                }
            }
            Err(failure) => {
                self.flash(
                    FlashLevel::Error,
                    format!("not posted: {failure}; the draft is kept"),
                );
                Record::MessagePostFailed {
                    template: posting.template,
                    channel: failure.label,
                    error: failure.error,
                    attempts: failure.attempts,
                }
            }
        };
        if self.incident.is_some() {
            let (_, effect) = self.append(record);
            effects.push(effect);
        }
        effects
    }

    pub(super) fn write_draft(&mut self) -> Vec<Effect> {
        let (Some(draft), Some(incident)) = (&self.comms.draft, self.incident.as_deref()) else {
            return self.no_draft();
        };
        self.comms.next_id += 1;
        vec![Effect::WriteDraft {
            id: self.comms.next_id,
            dir: incident.dir.clone(),
            template: draft.template.clone(),
            format: draft.format,
            text: draft.text(),
        }]
    }

    pub(in crate::tui) fn on_draft_written(&mut self, result: Result<std::path::PathBuf, String>) {
        match result {
            Ok(path) => self.flash(
                FlashLevel::Info,
                format!("draft written to {}", path.display()),
            ),
            Err(e) => self.flash(FlashLevel::Error, format!("draft not written: {e}")),
        }
    }

    /// A copy's report: a message copied is journalled (it restarts the update countdown);
    /// a phone number is only said.
    pub(in crate::tui) fn on_copied(&mut self, what: CopyWhat, report: CopyReport) -> Vec<Effect> {
        let level = if report.confirmed() {
            FlashLevel::Info
        } else {
            FlashLevel::Warn
        };
        self.flash(level, report.message());
        // Nothing reached a clipboard: the update is still due and no step is done.
        let CopyWhat::Message { template, text, .. } = what else {
            return Vec::new();
        };
        if !report.went_out() {
            return Vec::new();
        }
        if let Some(draft) = &mut self.comms.draft
            && draft.text() == text
        {
            draft.sent = Some(text.clone());
        }
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
