//! The timeline: every journal entry, newest last, in UTC and local time, with its kind and
//! the one-line description the CLI and the export share.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::widgets::{clock, fit};
use crate::incident::describe;
use crate::incident::record::KINDS;
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = app.timeline_rows();
    let searching = app.timeline.search_input.is_some();
    let id = app.incident.as_deref().map_or("", |i| i.id.as_str());
    let mut title = format!(" Timeline {id} · {}/{} ", rows.len(), app.journal.len());
    if let Some(kind) = &app.timeline.filter {
        title.push_str(&format!("· kind: {} ", kind_label(kind)));
    }
    if let Some(text) = &app.timeline.search {
        title.push_str(&format!("· \"{text}\" "));
    }
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.title(true)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [list, input] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(searching))])
            .areas(inner);

    let visible = list.height as usize;
    app.timeline.rows_visible.set(visible);
    let first = app.timeline.first_row(rows.len(), visible);
    let width = list.width as usize;
    // 03:00:00Z 04:00:00 kind, then the description in what is left; narrow, local loses
    // its seconds (UTC keeps them: it is what the journal says).
    let wide = width >= 100;
    let kind_width = if wide { 20 } else { 16 };
    let local_width = if wide { 8 } else { 5 };
    let text_width = width.saturating_sub(9 + 1 + local_width + 1 + kind_width + 1);
    let lines: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(visible)
        .map(|entry| {
            let mut local = clock(entry.at.with_timezone(&app.local_offset));
            local.truncate(local_width);
            let text = describe(entry).replace('\n', " ⏎ ");
            Line::from(vec![
                Span::styled(format!("{}Z ", clock(entry.at)), theme.style(Slot::Text)),
                Span::styled(format!("{local} "), theme.style(Slot::Muted)),
                Span::styled(
                    format!("{:<kind_width$} ", fit(kind_label(&entry.kind), kind_width)),
                    theme.style(Slot::Title),
                ),
                Span::styled(fit(&text, text_width), theme.style(Slot::Text)),
            ])
        })
        .collect();
    if lines.is_empty() {
        let why = if app.journal.is_empty() {
            "reading the journal…"
        } else {
            "no entry matches; esc clears the search, f the kind"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(why, theme.style(Slot::Muted))),
            list,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), list);
    }
    if let Some(search) = &app.timeline.search_input {
        let [prompt, field] =
            Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(input);
        frame.render_widget(Span::styled("/ ", theme.style(Slot::FooterKey)), prompt);
        frame.render_widget(search, field);
    }
}

/// What a person calls a kind ("severity changed"); unknown kinds keep their stored name.
pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, label)| label)
}
