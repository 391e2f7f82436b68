//! The console's side of a backup validation: `V` asks first (what will be restored,
//! deleted and checked), then the run's lines and elapsed time on their own screen, its
//! summary and where its record was kept; leaving while it runs asks, then stops it as
//! Ctrl-C stops `drconsole validate`.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};

use super::app::{App, View};
use super::keymap::Action;
use super::repair::READ_ONLY;
use super::theme::FlashLevel;
use crate::drill::validate::{Verdict, render};
use crate::event::{Effect, ValidationDone};

/// Progress lines kept for the screen: more than any screen shows, few enough to stay small.
const KEEP_LINES: usize = 200;

/// A validation this console started, while it runs and after.
#[derive(Debug, Clone)]
pub struct ValidateScreen {
    /// When the commander said yes, by the console's clock.
    pub started: DateTime<Utc>,
    /// The run's lines, oldest first, as `validate` prints them on a terminal.
    pub lines: Vec<String>,
    /// Asked to stop: no new restore; the temporary tables are being deleted.
    pub stopping: bool,
    /// Its record and where it was kept, or why it could not run.
    pub done: Option<Result<Box<ValidationDone>, String>>,
}

impl ValidateScreen {
    pub fn running(&self) -> bool {
        self.done.is_none()
    }
}

/// The questions the validation asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidatePopup {
    /// Before the start: what it will do.
    Confirm,
    /// Leaving its screen while it runs: stop it?
    Leave,
}

fn is_yes(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter)
}

fn is_no(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char('n' | 'N') | KeyCode::Esc)
}

impl App {
    /// A validation question takes every key: yes, no, or nothing.
    pub(super) fn on_validate_popup_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let popup = self.validate_popup?;
        if is_no(&key) {
            self.validate_popup = None;
            return Some(Vec::new());
        }
        if !is_yes(&key) {
            return Some(Vec::new());
        }
        self.validate_popup = None;
        Some(match popup {
            ValidatePopup::Confirm => {
                self.validation = Some(ValidateScreen {
                    started: self.now,
                    lines: Vec::new(),
                    stopping: false,
                    done: None,
                });
                self.view = View::Validate;
                self.detail_scroll = 0;
                vec![Effect::StartValidation]
            }
            ValidatePopup::Leave => {
                if let Some(v) = self.validation.as_mut().filter(|v| v.running()) {
                    v.stopping = true;
                }
                self.view = View::Dashboard;
                self.flash(
                    FlashLevel::Warn,
                    "stopping the validation: deleting the temporary tables",
                );
                vec![Effect::StopValidation]
            }
        })
    }

    /// On the validation's screen, back (or q) leaves; while it runs, it asks first.
    pub(super) fn on_validate_view_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        if self.view != View::Validate {
            return None;
        }
        let action = self.keymap.action(&key)?;
        if !matches!(action, Action::Back | Action::Quit) {
            return None;
        }
        match &self.validation {
            Some(v) if v.running() && !v.stopping => {
                self.validate_popup = Some(ValidatePopup::Leave);
            }
            _ => self.view = View::Dashboard,
        }
        Some(Vec::new())
    }

    /// `V`: ask before a run; one at a time; never in a read-only console.
    pub(super) fn on_validate_action(&mut self) -> Vec<Effect> {
        if self.read_only {
            self.flash(FlashLevel::Warn, READ_ONLY);
            return Vec::new();
        }
        if self
            .validation
            .as_ref()
            .is_some_and(ValidateScreen::running)
        {
            self.view = View::Validate;
            self.flash(
                FlashLevel::Warn,
                "a validation is under way: one at a time (its screen is open)",
            );
            return Vec::new();
        }
        self.validate_popup = Some(ValidatePopup::Confirm);
        Vec::new()
    }

    /// A quit while the validation runs asks once: quitting cuts it off with its temporary
    /// tables still there (the next run deletes them), where esc on its screen deletes them
    /// now. True when this quit was held back.
    pub(super) fn validation_holds_quit(&mut self) -> bool {
        let running = self
            .validation
            .as_ref()
            .is_some_and(ValidateScreen::running);
        if !running || self.quit_armed_until.is_some_and(|until| until >= self.now) {
            return false;
        }
        self.quit_armed_until = Some(self.now + chrono::Duration::seconds(4));
        self.flash(
            FlashLevel::Warn,
            "a validation is running: esc on its screen stops it and deletes its temporary \
             tables; quit again to leave them for the next run",
        );
        true
    }

    pub(super) fn on_validation_progress(&mut self, line: String) {
        if let Some(v) = &mut self.validation {
            v.lines.push(line.trim_end().to_owned());
            if v.lines.len() > KEEP_LINES {
                v.lines.drain(..v.lines.len() - KEEP_LINES);
            }
        }
    }

    pub(super) fn on_validation_finished(&mut self, result: Result<Box<ValidationDone>, String>) {
        let (level, text) = match &result {
            Err(why) => (FlashLevel::Error, format!("validation: {why}")),
            Ok(done) => {
                let level = match (done.record.verdict, done.kept.is_ok()) {
                    (_, false) | (Verdict::Fail | Verdict::Unknown, _) => FlashLevel::Error,
                    (Verdict::Warn, true) => FlashLevel::Warn,
                    (Verdict::Pass, true) => FlashLevel::Info,
                };
                (level, render::totals_line(&done.record))
            }
        };
        if let Some(v) = &mut self.validation {
            v.done = Some(result);
        }
        // A question about leaving a run that has ended has nothing left to ask.
        if self.validate_popup == Some(ValidatePopup::Leave) {
            self.validate_popup = None;
        }
        self.flash(level, text);
    }
}
