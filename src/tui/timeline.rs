//! The timeline view's state: which kind it shows, what it searches for, and where it is
//! scrolled to (the bottom, following new entries, until the user scrolls up).

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::app::{App, View};
use super::incident::text_of;
use super::keymap::Action;
use crate::incident::{Entry, describe};

#[derive(Debug, Default)]
pub struct TimelineState {
    /// The kind shown; `None` shows every kind.
    pub filter: Option<String>,
    /// Only entries whose line contains this (any case).
    pub search: Option<String>,
    /// The search being typed.
    pub search_input: Option<TextArea<'static>>,
    /// The first entry shown; `None` follows the newest entry.
    pub top: Option<usize>,
    /// How many lines the view showed when last drawn, and the first entry shown when
    /// following the newest (entries wrap, so that depends on the text): only the
    /// renderer knows.
    pub rows_visible: Cell<usize>,
    pub follow_first: Cell<usize>,
}

impl TimelineState {
    /// Does `entry` pass the filter and the search?
    pub fn shows(&self, entry: &Entry) -> bool {
        if self.filter.as_ref().is_some_and(|k| *k != entry.kind) {
            return false;
        }
        match &self.search {
            Some(text) => {
                let text = text.to_lowercase();
                describe(entry).to_lowercase().contains(&text)
                    || entry.kind.replace('_', " ").contains(&text)
            }
            None => true,
        }
    }

    /// The first entry to draw, given the first one that shows the newest at the bottom.
    pub fn first_entry(&self, follow_first: usize) -> usize {
        self.top.map_or(follow_first, |top| top.min(follow_first))
    }
}

impl App {
    /// The entries the timeline shows, oldest first.
    pub fn timeline_rows(&self) -> Vec<&Entry> {
        self.journal
            .iter()
            .filter(|e| self.timeline.shows(e))
            .collect()
    }

    /// Keys while the search line is open. `None` when it is not.
    pub(super) fn on_search_key(&mut self, key: KeyEvent) -> Option<()> {
        let input = self.timeline.search_input.as_mut()?;
        match key.code {
            KeyCode::Esc => self.timeline.search_input = None,
            KeyCode::Enter => {
                let text = text_of(input).trim().to_owned();
                self.timeline.search = (!text.is_empty()).then_some(text);
                self.timeline.search_input = None;
                self.timeline.top = None;
            }
            _ => {
                input.input(key);
            }
        }
        Some(())
    }

    /// The timeline's own actions; `false` for the ones it leaves to the rest of the App.
    pub(super) fn on_timeline_action(&mut self, action: Action) -> bool {
        if self.view != View::Timeline {
            return false;
        }
        let visible = self.timeline.rows_visible.get().max(1);
        let bottom = self.timeline.follow_first.get();
        let first = self.timeline.first_entry(bottom);
        let scroll = |delta: i64| {
            let top = (first as i64 + delta).clamp(0, bottom as i64) as usize;
            // Back at the bottom, it follows new entries again.
            (top < bottom).then_some(top)
        };
        match action {
            Action::Back | Action::Quit => {
                if self.timeline.search.is_some() {
                    self.timeline.search = None;
                } else {
                    self.view = View::Dashboard;
                }
            }
            Action::Filter => {
                let mut kinds: Vec<&str> = Vec::new();
                for entry in &self.journal {
                    if !kinds.contains(&entry.kind.as_str()) {
                        kinds.push(&entry.kind);
                    }
                }
                kinds.sort_unstable();
                let next = match &self.timeline.filter {
                    None => kinds.first().map(|k| k.to_string()),
                    Some(now) => kinds
                        .iter()
                        .position(|k| k == now)
                        .and_then(|i| kinds.get(i + 1))
                        .map(|k| k.to_string()),
                };
                self.timeline.filter = next;
                self.timeline.top = None;
            }
            Action::Search => {
                let current = self.timeline.search.clone().unwrap_or_default();
                let mut input = TextArea::new(vec![current]);
                input.move_cursor(ratatui_textarea::CursorMove::End);
                self.timeline.search_input = Some(input);
            }
            Action::Up => self.timeline.top = scroll(-1),
            Action::Down => self.timeline.top = scroll(1),
            Action::PageUp => self.timeline.top = scroll(-(visible as i64)),
            Action::PageDown => self.timeline.top = scroll(visible as i64),
            Action::Top => self.timeline.top = (bottom > 0).then_some(0),
            Action::Bottom => self.timeline.top = None,
            _ => return false,
        }
        true
    }
}
