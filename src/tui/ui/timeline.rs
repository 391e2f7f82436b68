//! The timeline: every journal entry, newest last, in UTC and local time, with its kind and
//! the one-line description the CLI and the export share.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::widgets::{clock, fit};
use crate::incident::record::KINDS;
use crate::incident::{Entry, describe};
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
    let width = list.width as usize;
    // 03:00:00Z 04:00:00 kind, then the description in what is left; narrow, local loses
    // its seconds (UTC keeps them: it is what the journal says).
    let wide = width >= 100;
    let kind_width = if wide { 20 } else { 16 };
    let local_width = if wide { 8 } else { 5 };
    let text_width = width.saturating_sub(9 + 1 + local_width + 1 + kind_width + 1);
    // A note is read whole: each entry takes the lines its text needs (up to a few). Only
    // the entries on screen are wrapped, so a long journal costs no more to draw.
    let text = |entry: &Entry| wrap(&describe(entry), text_width, MAX_LINES);
    let mut follow_first = rows.len().saturating_sub(1);
    let mut used = 0;
    for (i, entry) in rows.iter().enumerate().rev() {
        used += text(entry).len();
        if used > visible {
            break;
        }
        follow_first = i;
    }
    app.timeline.follow_first.set(follow_first);
    let first = app.timeline.first_entry(follow_first);
    let indent = " ".repeat(width.saturating_sub(text_width));
    let mut lines: Vec<Line> = Vec::new();
    for entry in rows.iter().skip(first) {
        let text = text(entry);
        let mut local = clock(entry.at.with_timezone(&app.local_offset));
        local.truncate(local_width);
        for (n, part) in text.into_iter().enumerate() {
            let mut spans = if n == 0 {
                vec![
                    Span::styled(format!("{}Z ", clock(entry.at)), theme.style(Slot::Text)),
                    Span::styled(format!("{local} "), theme.style(Slot::Muted)),
                    Span::styled(
                        format!("{:<kind_width$} ", fit(kind_label(&entry.kind), kind_width)),
                        theme.style(Slot::Title),
                    ),
                ]
            } else {
                vec![Span::raw(indent.clone())]
            };
            spans.push(Span::styled(part, theme.style(Slot::Text)));
            lines.push(Line::from(spans));
        }
        if lines.len() >= visible {
            break;
        }
    }
    lines.truncate(visible);
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

/// The most lines one entry takes; the rest of a longer text is in `incident timeline`.
const MAX_LINES: usize = 8;

/// `text` in lines of at most `width` characters, broken at spaces where it can be and at
/// its own line breaks; past `max` lines the last one ends in an ellipsis.
pub fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let mut word: Vec<char> = word.chars().collect();
            let len = line.chars().count();
            if len > 0 && len + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            // A word longer than a line is cut where the line ends.
            while line.chars().count() + word.len() > width {
                let room = width - line.chars().count();
                line.extend(word.drain(..room));
                lines.push(std::mem::take(&mut line));
            }
            line.extend(word);
        }
        lines.push(line);
    }
    if lines.len() > max {
        lines.truncate(max);
        let last = &mut lines[max - 1];
        *last = fit(&format!("{last} …"), width);
    }
    lines
}

/// What a person calls a kind ("severity changed"); unknown kinds keep their stored name.
pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn text_wraps_at_spaces_and_its_own_breaks_and_stops_at_the_limit() {
        assert_eq!(wrap("one two three", 7, 8), ["one two", "three"]);
        assert_eq!(wrap("first\nsecond line", 20, 8), ["first", "second line"]);
        assert_eq!(wrap("abcdefghij", 4, 8), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10, 8), [""]);
        assert_eq!(wrap("a b c d e f", 1, 3), ["a", "b", "…"]);
        assert_eq!(wrap("aa bb cc dd ee", 5, 2), ["aa bb", "cc d…"]);
    }
}
