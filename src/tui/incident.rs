//! The console's side of an incident: the popups that annotate, mark restored, resolve
//! and resume one (declaring is `declare`), and how the journal's answers land in the App.
//! Every change goes out as an effect and comes back as an entry; nothing here touches disk.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};

use super::app::{App, View};
use super::declare::DeclareForm;
use super::keymap::Action;
use super::theme::FlashLevel;
use crate::event::{Effect, Resumed};
use crate::incident::{Entry, Incident, Record, Severity};

/// How often a console with no open incident looks for one opened elsewhere.
const LOOK_EVERY_SECS: i64 = 5;

/// A popup that takes every key while it is open.
#[derive(Debug)]
pub enum Popup {
    Declare(Box<DeclareForm>),
    Note(NoteEditor),
    Confirm(Confirm),
    Resume(ResumePicker),
}

impl Popup {
    /// What ctrl-c would throw away: text typed here and not yet in the journal.
    pub fn unsaved(&self) -> Option<&'static str> {
        match self {
            Popup::Note(n) if !text_of(&n.text).trim().is_empty() => Some("note"),
            Popup::Declare(d) if !text_of(&d.title).trim().is_empty() => Some("declaration"),
            _ => None,
        }
    }

    /// The append or declaration this popup waits on; it stays open, text and all, until
    /// the journal says the entry is durable.
    fn waiting(&self) -> Option<u64> {
        match self {
            Popup::Note(n) => n.waiting,
            Popup::Confirm(c) => c.waiting,
            Popup::Declare(_) | Popup::Resume(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct NoteEditor {
    pub text: TextArea<'static>,
    pub confirm_discard: bool,
    pub waiting: Option<u64>,
}

/// What a confirm popup, once answered yes, appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmable {
    Restore(String),
    Resolve,
    Severity(Severity),
}

#[derive(Debug)]
pub struct Confirm {
    pub action: Confirmable,
    /// Resolve's optional summary.
    pub summary: TextArea<'static>,
    pub waiting: Option<u64>,
}

#[derive(Debug)]
pub struct ResumePicker {
    pub incidents: Vec<Incident>,
    pub selected: usize,
}

pub(super) fn line_input(text: &str) -> TextArea<'static> {
    let mut area = TextArea::new(vec![text.to_owned()]);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

/// A text area's text, lines joined.
pub fn text_of(area: &TextArea<'_>) -> String {
    area.lines().join("\n")
}

fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

/// Single-line fields never take Enter as a newline.
pub(super) fn type_into(area: &mut TextArea<'static>, key: KeyEvent) {
    if key.code != KeyCode::Enter {
        area.input(key);
    }
}

impl App {
    /// Keys for an open popup. Returns `None` when no popup is open.
    pub(super) fn on_popup_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let mut popup = self.popup.take()?;
        let busy =
            popup.waiting().is_some() || matches!(&popup, Popup::Declare(form) if form.waiting);
        let effects = match &mut popup {
            _ if busy => Vec::new(),
            Popup::Declare(form) => self.on_declare_key(form, key),
            Popup::Note(note) => self.on_note_key(note, key),
            Popup::Confirm(confirm) => self.on_confirm_key(confirm, key),
            Popup::Resume(picker) => self.on_resume_key(picker, key),
        };
        if !self.close_popup {
            self.popup = Some(popup);
        }
        self.close_popup = false;
        Some(effects)
    }

    pub(super) fn on_incident_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Declare => self.open_declare(),
            Action::Timeline => {
                if self.incident.is_none() {
                    self.no_incident();
                } else {
                    self.view = View::Timeline;
                }
            }
            Action::AddNote => {
                if self.incident.is_none() {
                    self.no_incident();
                } else {
                    let mut text = TextArea::default();
                    text.set_wrap_mode(WrapMode::WordOrGlyph);
                    text.set_placeholder_text("what was seen, done or decided");
                    self.popup = Some(Popup::Note(NoteEditor {
                        text,
                        confirm_discard: false,
                        waiting: None,
                    }));
                }
            }
            Action::MarkRestored => self.ask_restored(),
            Action::Resolve => self.ask(Confirmable::Resolve),
            Action::ChangeSeverity => {
                if let Some(incident) = &self.incident {
                    // Escalating is the likelier change, so one worse is offered first.
                    let to = match incident.severity {
                        Severity::Sev1 => Severity::Sev2,
                        Severity::Sev2 => Severity::Sev1,
                        Severity::Sev3 => Severity::Sev2,
                    };
                    self.ask(Confirmable::Severity(to));
                } else {
                    self.no_incident();
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn no_incident(&mut self) {
        let declare = self.keymap.label(Action::Declare);
        self.flash(
            FlashLevel::Info,
            format!("no incident is open: {declare} declares one"),
        );
    }

    pub(super) fn open_incident(&self) -> Option<&Incident> {
        self.incident.as_deref().filter(|i| i.is_open())
    }

    fn ask(&mut self, action: Confirmable) {
        if self.incident.is_none() {
            return self.no_incident();
        }
        if self.open_incident().is_none() {
            return self.flash(FlashLevel::Info, "the incident is resolved");
        }
        self.popup = Some(Popup::Confirm(Confirm {
            action,
            summary: TextArea::default(),
            waiting: None,
        }));
    }

    /// The service the cursor is on: the service view's, else the Services panel's row.
    fn ask_restored(&mut self) {
        let name = match &self.view {
            View::Service { name } => Some(name.clone()),
            View::Dashboard if self.focus == super::app::Panel::Services => self
                .estate
                .services
                .get(self.selected(super::app::Panel::Services))
                .map(|s| s.name.clone()),
            _ => None,
        };
        let Some(name) = name else {
            return self.flash(
                FlashLevel::Info,
                "select a service first: the Services panel or a service's view",
            );
        };
        let Some(incident) = self.open_incident() else {
            return self.ask(Confirmable::Restore(name));
        };
        match incident.service(&name) {
            None => self.flash(
                FlashLevel::Info,
                format!("{name} is not affected by {}", incident.id),
            ),
            Some(s) if s.restored_at.is_some() => {
                self.flash(FlashLevel::Info, format!("{name} is already restored"))
            }
            Some(_) => self.ask(Confirmable::Restore(name)),
        }
    }

    fn on_note_key(&mut self, note: &mut NoteEditor, key: KeyEvent) -> Vec<Effect> {
        if note.confirm_discard {
            match key.code {
                KeyCode::Char('y' | 'Y') => self.close_popup = true,
                KeyCode::Char('n' | 'N') | KeyCode::Esc => note.confirm_discard = false,
                _ => {}
            }
            return Vec::new();
        }
        let save = is_ctrl(&key, 's')
            || (key.code == KeyCode::Enter && key.modifiers.contains(KeyModifiers::ALT));
        if save {
            let text = text_of(&note.text);
            if text.trim().is_empty() {
                self.flash(FlashLevel::Info, "the note is empty; Esc closes it");
                return Vec::new();
            }
            let (id, effect) = self.append(Record::Note {
                text: text.trim_end().to_owned(),
                author: None,
            });
            note.waiting = Some(id);
            return vec![effect];
        }
        if key.code == KeyCode::Esc {
            if note.text.is_empty() {
                self.close_popup = true;
            } else {
                note.confirm_discard = true;
            }
            return Vec::new();
        }
        note.text.input(key);
        Vec::new()
    }

    fn on_confirm_key(&mut self, confirm: &mut Confirm, key: KeyEvent) -> Vec<Effect> {
        let yes = match (&confirm.action, key.code) {
            (_, KeyCode::Esc) => {
                self.close_popup = true;
                return Vec::new();
            }
            (Confirmable::Resolve, KeyCode::Enter) => true,
            (Confirmable::Resolve, _) => {
                type_into(&mut confirm.summary, key);
                false
            }
            // The target is chosen in the popup: a cycle would journal a change nobody meant.
            (Confirmable::Severity(_), KeyCode::Char(c @ '1'..='3')) => {
                let n = c as usize - '1' as usize;
                confirm.action = Confirmable::Severity(Severity::ALL[n]);
                false
            }
            (Confirmable::Severity(to), KeyCode::Left | KeyCode::Right) => {
                let i = Severity::ALL.iter().position(|s| s == to).unwrap_or(0);
                let n = Severity::ALL.len();
                let i = if key.code == KeyCode::Left {
                    i + n - 1
                } else {
                    i + 1
                };
                confirm.action = Confirmable::Severity(Severity::ALL[i % n]);
                false
            }
            (Confirmable::Severity(to), KeyCode::Char('y' | 'Y'))
                if self.incident.as_ref().is_some_and(|i| i.severity == *to) =>
            {
                self.close_popup = true;
                false
            }
            (_, KeyCode::Char('y' | 'Y')) => true,
            (_, KeyCode::Char('n' | 'N')) => {
                self.close_popup = true;
                false
            }
            _ => false,
        };
        if !yes {
            return Vec::new();
        }
        let record = match &confirm.action {
            Confirmable::Restore(service) => Record::ServiceRestored {
                service: service.clone(),
                at: None,
                note: None,
            },
            Confirmable::Resolve => {
                let summary = text_of(&confirm.summary).trim().to_owned();
                Record::Resolved {
                    summary: (!summary.is_empty()).then_some(summary),
                }
            }
            Confirmable::Severity(to) => Record::SeverityChanged {
                from: self.incident.as_ref().map_or(*to, |i| i.severity),
                to: *to,
                reason: None,
            },
        };
        let (id, effect) = self.append(record);
        confirm.waiting = Some(id);
        vec![effect]
    }

    fn on_resume_key(&mut self, picker: &mut ResumePicker, key: KeyEvent) -> Vec<Effect> {
        let last = picker.incidents.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.declined
                    .extend(picker.incidents.iter().map(|i| i.id.clone()));
                self.close_popup = true;
            }
            KeyCode::Up | KeyCode::Char('k') => picker.selected = picker.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => picker.selected = (picker.selected + 1).min(last),
            KeyCode::Enter => {
                self.close_popup = true;
                if let Some(incident) = picker.incidents.get(picker.selected) {
                    return vec![Effect::Resume(incident.dir.clone())];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn append(&mut self, record: Record) -> (u64, Effect) {
        self.next_append += 1;
        let id = self.next_append;
        let effect = Effect::Append {
            id,
            record: Box::new(record),
            account: self.account.clone(),
        };
        (id, effect)
    }

    /// A note being written when the console is told to close goes to the journal marked
    /// as a draft, rather than vanish with the SSH session that dropped.
    pub(super) fn draft_before_exit(&mut self) -> Vec<Effect> {
        let Some(Popup::Note(note)) = &self.popup else {
            return Vec::new();
        };
        let text = text_of(&note.text);
        if text.trim().is_empty() || note.waiting.is_some() || self.open_incident().is_none() {
            return Vec::new();
        }
        let record = Record::Note {
            text: format!(
                "[draft, not saved by its author: the console was closed] {}",
                text.trim_end()
            ),
            author: None,
        };
        vec![Effect::SaveBeforeExit {
            record: Box::new(record),
            account: self.account.clone(),
        }]
    }

    pub(super) fn on_open_incidents(&mut self, mut incidents: Vec<Incident>) {
        incidents.retain(|i| !self.declined.contains(&i.id));
        // A drill's own incident is the drill's: never offered as the one to resume here.
        // Until its id is known, the offer waits for the next look.
        if let Some(drill) = self.drill.as_ref().filter(|d| d.active()) {
            match &drill.id {
                Some(id) => incidents.retain(|i| &i.id != id),
                None => return,
            }
        }
        // Never over an action's preview or run: the offer waits for the next look.
        if !incidents.is_empty()
            && self.open_incident().is_none()
            && self.popup.is_none()
            && !self.repair_shown()
        {
            self.popup = Some(Popup::Resume(ResumePicker {
                incidents,
                selected: 0,
            }));
        }
    }

    /// While no incident is open here, looks now and then for one opened elsewhere (say
    /// `drconsole incident declare` in another terminal), so this console is not the last
    /// to know.
    pub(super) fn look_for_incidents(&mut self) -> Vec<Effect> {
        if self.open_incident().is_some()
            || self.popup.is_some()
            || self.now - self.looked_at < chrono::Duration::seconds(LOOK_EVERY_SECS)
        {
            return Vec::new();
        }
        self.looked_at = self.now;
        vec![Effect::FindOpenIncidents]
    }

    pub(super) fn on_declared(&mut self, result: Result<Box<Incident>, String>) -> Vec<Effect> {
        match result {
            Ok(incident) => {
                if matches!(self.popup, Some(Popup::Declare(_))) {
                    self.popup = None;
                }
                let text = format!(
                    "{} declared; everything from here is journalled",
                    incident.id
                );
                self.flash(FlashLevel::Info, text);
                self.take_incident(incident)
            }
            Err(e) => {
                if let Some(Popup::Declare(form)) = &mut self.popup {
                    form.waiting = false;
                    form.error = Some(e.clone());
                }
                self.flash(FlashLevel::Error, format!("not declared: {e}"));
                Vec::new()
            }
        }
    }

    pub(super) fn on_resumed(&mut self, result: Result<Resumed, String>) -> Vec<Effect> {
        match result {
            Ok(Resumed {
                incident,
                torn_bytes,
            }) => {
                if torn_bytes > 0 {
                    let text = format!(
                        "{}: its last write was cut short ({torn_bytes} bytes); they are set \
                         aside in a side file at the next entry",
                        incident.id
                    );
                    self.flash(FlashLevel::Warn, text);
                } else {
                    self.flash(FlashLevel::Info, format!("{} resumed", incident.id));
                }
                self.take_incident(incident)
            }
            Err(e) => {
                self.flash(FlashLevel::Error, format!("cannot resume: {e}"));
                Vec::new()
            }
        }
    }

    fn take_incident(&mut self, incident: Box<Incident>) -> Vec<Effect> {
        let dir = incident.dir.clone();
        self.incident = Some(incident);
        self.journal.clear();
        vec![Effect::Follow(dir)]
    }

    pub(super) fn on_appended(&mut self, id: u64, result: Result<Box<Entry>, String>) {
        let waiting = self.popup.as_ref().and_then(Popup::waiting) == Some(id);
        match result {
            Ok(entry) => {
                // Only the next entry in order: one another process appended in between
                // comes with the follower, and this one after it.
                if self.journal.last().map_or(0, |e| e.seq) + 1 == entry.seq {
                    self.on_entries(vec![*entry]);
                }
                if waiting {
                    self.popup = None;
                }
            }
            Err(e) => {
                match &mut self.popup {
                    Some(Popup::Note(note)) if waiting => note.waiting = None,
                    Some(Popup::Confirm(confirm)) if waiting => confirm.waiting = None,
                    _ => {}
                }
                let kept = if waiting {
                    "; nothing was recorded, what you typed is still here"
                } else {
                    ""
                };
                self.flash(FlashLevel::Error, format!("journal: {e}{kept}"));
            }
        }
    }

    /// Entries in journal order; ones already here are skipped.
    pub(super) fn on_entries(&mut self, entries: Vec<Entry>) {
        for entry in entries {
            if entry.seq <= self.journal.last().map_or(0, |e| e.seq) {
                continue;
            }
            if let Some(incident) = &mut self.incident {
                incident.apply(&entry);
            }
            self.journal.push(entry);
        }
        self.comms_after_entries();
    }
}
