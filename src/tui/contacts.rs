//! The console's side of the contact tree: the Contacts panel's keys (copy a number, record a
//! call and an answer) and the tree's escalation as the screen shows it.

use super::app::{App, Panel, View};
use super::keymap::Action;
use super::theme::FlashLevel;
use crate::comms::contacts::{self, Call, LevelState};
use crate::config::{Contact, ContactGroup};
use crate::event::{CopyWhat, Effect};
use crate::incident::Record;

impl App {
    /// The tree as the incident's journal has it now; `None` without an incident.
    pub fn contact_levels(&self) -> Option<Vec<LevelState>> {
        let incident = self.incident.as_deref()?;
        let after = self.estate.comms.escalate_after.as_duration();
        Some(contacts::escalation(
            &self.estate.contacts,
            incident,
            after,
            self.now,
        ))
    }

    /// The call the console says is due above all others, if any.
    pub fn urgent_call(&self) -> Option<Call> {
        contacts::most_urgent(&self.contact_levels()?).cloned()
    }

    /// The contact under the Contacts panel's selection, with its level.
    pub fn selected_contact(&self) -> Option<(&ContactGroup, &Contact)> {
        self.estate
            .contacts
            .iter()
            .flat_map(|g| g.people.iter().map(move |p| (g, p)))
            .nth(self.selected(Panel::Contacts))
    }

    pub(super) fn on_contact_action(&mut self, action: Action) -> Vec<Effect> {
        if self.view != View::Dashboard || self.focus != Panel::Contacts {
            let tab = self.keymap.label(Action::NextPanel);
            let key = self.keymap.label(action);
            self.flash(
                FlashLevel::Info,
                format!("{key} works in the Contacts panel ({tab} to it)"),
            );
            return Vec::new();
        }
        let Some((group, person)) = self.selected_contact() else {
            self.flash(FlashLevel::Info, "the estate file lists no contacts");
            return Vec::new();
        };
        let (group, role, name, phone) = (
            group.group.clone(),
            person.role.clone(),
            (!person.name.is_empty()).then(|| person.name.clone()),
            person.phone.clone(),
        );
        let who = match &name {
            Some(name) => format!("{name} ({role})"),
            None => role.clone(),
        };
        if action == Action::CopyNumber {
            // A number is copied with or without an incident, and read-only too: it writes
            // nothing but the clipboard.
            self.next_job += 1;
            return vec![Effect::Copy {
                id: self.next_job,
                text: phone,
                what: CopyWhat::Phone { role },
            }];
        }
        if self.read_only {
            self.flash(FlashLevel::Warn, super::repair::READ_ONLY);
            return Vec::new();
        }
        let Some(incident) = self.open_incident() else {
            let declare = self.keymap.label(Action::Declare);
            self.flash(
                FlashLevel::Info,
                format!("no incident is open: {declare} declares one, then calls are recorded"),
            );
            return Vec::new();
        };
        let known = incident
            .contacts
            .iter()
            .find(|c| c.group == group && c.role == role);
        let record = if action == Action::MarkAcknowledged {
            if let Some(at) = known.and_then(|c| c.acknowledged_at) {
                self.flash(
                    FlashLevel::Info,
                    format!(
                        "{who} acknowledged at {} already",
                        super::ui::clock(at).get(..5).unwrap_or_default()
                    ),
                );
                return Vec::new();
            }
            self.flash(FlashLevel::Info, format!("{who}: acknowledged"));
            Record::ContactAcknowledged { group, role, name }
        } else {
            let again = if known.is_some_and(|c| c.notified_at.is_some()) {
                " again"
            } else {
                ""
            };
            self.flash(FlashLevel::Info, format!("{who}: notified{again}"));
            Record::ContactNotified { group, role, name }
        };
        let (_, effect) = self.append(record);
        vec![effect]
    }

    /// The Contacts panel's keys for the footer: copying always, the marks when they can
    /// be written.
    pub(super) fn contact_keys(&self) -> &'static [Action] {
        if self.read_only || self.open_incident().is_none() {
            &[Action::CopyNumber]
        } else {
            &[
                Action::CopyNumber,
                Action::MarkNotified,
                Action::MarkAcknowledged,
            ]
        }
    }
}
