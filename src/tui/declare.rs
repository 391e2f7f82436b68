//! The declare form: what a commander fills in to open an incident, with the defaults
//! `plan_declaration` would take shown before they are taken, and its errors kept in the form.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::app::App;
use super::incident::{Popup, line_input, text_of, type_into};
use super::keymap::Action;
use super::theme::FlashLevel;
use crate::event::Effect;
use crate::incident::store::unhealthy_services;
use crate::incident::{DeclareInput, SCENARIOS, Severity, plan_declaration};
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

impl App {
    pub(super) fn open_declare(&mut self) {
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

    pub(super) fn on_declare_key(&mut self, form: &mut DeclareForm, key: KeyEvent) -> Vec<Effect> {
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
                        "impact began `{impact_text}`: use HH:MM in UTC (02:45), a time ago (-45m) or RFC 3339"
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
}

fn ticked(form: &DeclareForm) -> Vec<String> {
    form.services
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| name.clone())
        .collect()
}

/// HH:MM (UTC) as the latest such moment not after `now`: an outage that began at 23:50
/// and is declared at 00:10 began yesterday. The form takes what `--impact-began` takes.
pub fn impact_at(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    crate::incident::when::parse_time(text, now).ok()
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
