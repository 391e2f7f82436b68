//! The console's side of an incident: the popups that declare, annotate, mark restored,
//! resolve and resume one, and how the journal's answers land in the App. Every change to
//! the incident goes out as an effect and comes back as an entry; nothing here touches disk.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};

use super::app::{App, View};
use super::keymap::Action;
use super::theme::FlashLevel;
use crate::event::{Effect, Resumed};
use crate::incident::store::unhealthy_services;
use crate::incident::{
    DeclareInput, Entry, Incident, Record, SCENARIOS, Severity, plan_declaration,
};

/// A popup that takes every key while it is open.
#[derive(Debug)]
pub enum Popup {
    Declare(Box<DeclareForm>),
    Note(NoteEditor),
    Confirm(Confirm),
    Resume(ResumePicker),
}

impl Popup {
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

/// The declare form's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Scenario,
    Severity,
    Services,
    Commander,
    Impact,
    Submit,
}

impl Field {
    const ALL: [Field; 7] = [
        Field::Title,
        Field::Scenario,
        Field::Severity,
        Field::Services,
        Field::Commander,
        Field::Impact,
        Field::Submit,
    ];

    fn step(self, by: usize) -> Field {
        let i = Field::ALL.iter().position(|f| *f == self).unwrap_or(0);
        Field::ALL[(i + by) % Field::ALL.len()]
    }
}

#[derive(Debug)]
pub struct DeclareForm {
    pub title: TextArea<'static>,
    pub scenario: usize,
    pub severity: Severity,
    /// Every service of the matrix, ticked when affected.
    pub services: Vec<(String, bool)>,
    pub service_cursor: usize,
    pub commander: TextArea<'static>,
    /// HH:MM in UTC; left as the default it means "the earliest alarm, else now".
    pub impact: TextArea<'static>,
    pub impact_default: String,
    pub field: Field,
    pub error: Option<String>,
    pub waiting: bool,
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

fn line_input(text: &str) -> TextArea<'static> {
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
fn type_into(area: &mut TextArea<'static>, key: KeyEvent) {
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
                    let i = Severity::ALL.iter().position(|s| *s == incident.severity);
                    let next = Severity::ALL[(i.unwrap_or(0) + 1) % Severity::ALL.len()];
                    self.ask(Confirmable::Severity(next));
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

    fn open_incident(&self) -> Option<&Incident> {
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

    fn open_declare(&mut self) {
        if let Some(open) = self.open_incident() {
            let resolve = self.keymap.label(Action::Resolve);
            let text = format!("{} is open: resolve it ({resolve}) first", open.id);
            return self.flash(FlashLevel::Info, text);
        }
        let unhealthy = unhealthy_services(self.snapshot.as_ref());
        let services: Vec<(String, bool)> = self
            .estate
            .services
            .iter()
            .map(|s| (s.name.clone(), unhealthy.contains(&s.name)))
            .collect();
        let mut title = TextArea::default();
        title.set_placeholder_text("what is happening, in a few words");
        let mut commander = TextArea::default();
        commander.set_placeholder_text("(optional) who leads");
        let mut form = DeclareForm {
            title,
            scenario: 0,
            severity: Severity::Sev1,
            services,
            service_cursor: 0,
            commander,
            impact: TextArea::default(),
            impact_default: String::new(),
            field: Field::Title,
            error: None,
            waiting: false,
        };
        self.refresh_impact_default(&mut form);
        self.popup = Some(Popup::Declare(Box::new(form)));
    }

    /// What `plan_declaration` would take as the impact's start for the ticked services.
    fn refresh_impact_default(&self, form: &mut DeclareForm) {
        let input = DeclareInput {
            title: "-".into(),
            scenario: "other".into(),
            severity: form.severity,
            services: ticked(form),
            commander: None,
            impact_began: None,
        };
        let began = plan_declaration(&input, &self.estate, self.snapshot.as_ref(), self.now)
            .map(|d| d.impact_began)
            .unwrap_or(self.now);
        let default = began.format("%H:%M").to_string();
        if text_of(&form.impact) == form.impact_default {
            form.impact = line_input(&default);
        }
        form.impact_default = default;
    }

    fn on_declare_key(&mut self, form: &mut DeclareForm, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => {
                self.close_popup = true;
                return Vec::new();
            }
            KeyCode::Tab => form.field = form.field.step(1),
            KeyCode::BackTab => form.field = form.field.step(Field::ALL.len() - 1),
            KeyCode::Enter if form.field == Field::Submit => return self.submit(form),
            KeyCode::Enter => form.field = form.field.step(1),
            _ => match form.field {
                Field::Title => type_into(&mut form.title, key),
                Field::Commander => type_into(&mut form.commander, key),
                Field::Impact => type_into(&mut form.impact, key),
                Field::Scenario => {
                    let n = SCENARIOS.len();
                    match key.code {
                        KeyCode::Left | KeyCode::Char('h') => {
                            form.scenario = (form.scenario + n - 1) % n
                        }
                        KeyCode::Right | KeyCode::Char(' ' | 'l') => {
                            form.scenario = (form.scenario + 1) % n
                        }
                        _ => {}
                    }
                }
                Field::Severity => {
                    let i = Severity::ALL.iter().position(|s| *s == form.severity);
                    let i = i.unwrap_or(0);
                    let n = Severity::ALL.len();
                    match key.code {
                        KeyCode::Left | KeyCode::Char('h') => {
                            form.severity = Severity::ALL[(i + n - 1) % n]
                        }
                        KeyCode::Right | KeyCode::Char(' ' | 'l') => {
                            form.severity = Severity::ALL[(i + 1) % n]
                        }
                        _ => {}
                    }
                }
                Field::Services => {
                    let last = form.services.len().saturating_sub(1);
                    match key.code {
                        KeyCode::Up | KeyCode::Char('k') => {
                            form.service_cursor = form.service_cursor.saturating_sub(1)
                        }
                        KeyCode::Down | KeyCode::Char('j') => {
                            form.service_cursor = (form.service_cursor + 1).min(last)
                        }
                        KeyCode::Char(' ' | 'x') => {
                            if let Some(s) = form.services.get_mut(form.service_cursor) {
                                s.1 = !s.1;
                            }
                            self.refresh_impact_default(form);
                        }
                        _ => {}
                    }
                }
                Field::Submit => {}
            },
        }
        Vec::new()
    }

    fn submit(&mut self, form: &mut DeclareForm) -> Vec<Effect> {
        let impact_text = text_of(&form.impact).trim().to_owned();
        let impact_began = if impact_text == form.impact_default {
            None
        } else {
            match impact_at(&impact_text, self.now) {
                Some(at) => Some(at),
                None => {
                    form.error = Some(format!(
                        "impact began `{impact_text}`: use HH:MM in UTC, like 02:45"
                    ));
                    form.field = Field::Impact;
                    return Vec::new();
                }
            }
        };
        let input = DeclareInput {
            title: text_of(&form.title),
            scenario: SCENARIOS[form.scenario].0.to_owned(),
            severity: form.severity,
            services: ticked(form),
            commander: Some(text_of(&form.commander)),
            impact_began,
        };
        match plan_declaration(&input, &self.estate, self.snapshot.as_ref(), self.now) {
            Ok(declared) => {
                form.error = None;
                form.waiting = true;
                vec![Effect::Declare {
                    declared: Box::new(declared),
                    account: self.account.clone(),
                }]
            }
            Err(e) => {
                form.error = Some(e.to_string());
                Vec::new()
            }
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
            KeyCode::Esc | KeyCode::Char('q') => self.close_popup = true,
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

    fn append(&mut self, record: Record) -> (u64, Effect) {
        self.next_append += 1;
        let id = self.next_append;
        let effect = Effect::Append {
            id,
            record: Box::new(record),
            account: self.account.clone(),
        };
        (id, effect)
    }

    pub(super) fn on_open_incidents(&mut self, incidents: Vec<Incident>) {
        if !incidents.is_empty() && self.incident.is_none() && self.popup.is_none() {
            self.popup = Some(Popup::Resume(ResumePicker {
                incidents,
                selected: 0,
            }));
        }
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
    }
}

fn ticked(form: &DeclareForm) -> Vec<String> {
    form.services
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| name.clone())
        .collect()
}

/// HH:MM (UTC) as the latest such moment not after `now`: an outage that began at 23:50
/// and is declared at 00:10 began yesterday.
pub fn impact_at(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let time = NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()?;
    let today = now.date_naive().and_time(time).and_utc();
    Some(if today > now {
        today - TimeDelta::days(1)
    } else {
        today
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_impact_time_after_now_is_yesterdays() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 0, 10, 0).unwrap();
        assert_eq!(
            impact_at("23:50", now),
            Some(Utc.with_ymd_and_hms(2026, 11, 23, 23, 50, 0).unwrap())
        );
        assert_eq!(
            impact_at("00:05", now),
            Some(Utc.with_ymd_and_hms(2026, 11, 24, 0, 5, 0).unwrap())
        );
        assert_eq!(impact_at("25:00", now), None);
        assert_eq!(impact_at("soon", now), None);
    }
}
