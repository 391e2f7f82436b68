//! The backup validation's screen and its questions: what a start will do, the run's latest
//! lines and elapsed time, then its summary, verdict in the theme's colours, and where its
//! record was kept.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::popups::{keys_line, popup};
use crate::drill::report::duration;
use crate::drill::validate::tables::TAG_KEY;
use crate::drill::validate::{Verdict, render as summary};
use crate::health::Status;
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};
use crate::tui::validate::{ValidatePopup, ValidateScreen};

fn status(verdict: Verdict) -> Status {
    match verdict {
        Verdict::Pass => Status::Ok,
        Verdict::Warn => Status::Warn,
        Verdict::Fail | Verdict::Unknown => Status::Critical,
    }
}

/// A summary line's verdict, from the word it opens with.
fn line_status(line: &str) -> Option<Status> {
    let word = line.split([' ', ':']).next()?;
    match word {
        "PASS" => Some(Status::Ok),
        "WARN" => Some(Status::Warn),
        "FAIL" | "UNKNOWN" | "LEFT" => Some(Status::Critical),
        _ => None,
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(" Backup validation ", theme.title(true)));
    let Some(v) = &app.validation else {
        let text = Paragraph::new("No validation has run from this console.").block(block);
        frame.render_widget(text, area);
        return;
    };
    match &v.done {
        None => running(app, theme, frame, area, block, v),
        Some(Err(why)) => {
            let lines = vec![
                Line::styled(
                    format!("could not run: {why}"),
                    theme.status(Status::Critical),
                ),
                Line::styled("nothing was restored", theme.style(Slot::Muted)),
            ];
            let text = Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false });
            frame.render_widget(text, area);
        }
        Some(Ok(done)) => {
            let record = &done.record;
            let verdict = theme.status(status(record.verdict));
            let mut lines = vec![Line::styled(summary::totals_line(record), verdict)];
            lines.push(match &done.kept {
                Ok(path) => Line::styled(
                    format!("record: {}", path.display()),
                    theme.style(Slot::Muted),
                ),
                Err(e) => Line::styled(
                    format!("NOT KEPT ({e}): the readiness report cannot count this run"),
                    theme.status(Status::Critical),
                ),
            });
            for text in summary::summary(record).lines() {
                let style = line_status(text).map_or_else(Default::default, |s| theme.status(s));
                lines.push(Line::styled(text.to_owned(), style));
            }
            super::detail::scrolled(app, frame, area, block, lines);
        }
    }
}

/// The state, the elapsed time, and as many of the latest lines as fit.
fn running(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    v: &ValidateScreen,
) {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    let elapsed = duration((app.now - v.started).num_milliseconds() as f64 / 1000.0);
    let (state, style) = if v.stopping {
        (
            "stopping: deleting the temporary tables".to_owned(),
            theme.status(Status::Warn),
        )
    } else {
        (
            format!(
                "running: {} table(s), {} at a time",
                app.estate.dynamodb.tables.len(),
                app.estate.validate.concurrency.max(1)
            ),
            theme.style(Slot::Title),
        )
    };
    let head_lines = vec![
        Line::from(vec![
            Span::styled(state, style),
            Span::styled(format!("  {elapsed} elapsed"), theme.style(Slot::Muted)),
        ]),
        Line::styled(
            if v.lines.is_empty() {
                "waiting for the first line".to_owned()
            } else {
                format!("{} line(s) so far, the latest last", v.lines.len())
            },
            theme.style(Slot::Muted),
        ),
    ];
    frame.render_widget(Paragraph::new(head_lines), head);
    let shown = usize::from(body.height);
    let from = v.lines.len().saturating_sub(shown);
    let lines: Vec<Line> = v.lines[from..]
        .iter()
        .map(|l| Line::raw(l.clone()))
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

/// The validation's questions, over whatever is on screen.
pub fn render_popup(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    match app.validate_popup {
        Some(ValidatePopup::Confirm) => confirm(app, theme, frame, area),
        Some(ValidatePopup::Leave) => leave(theme, frame, area),
        None => {}
    }
}

fn confirm(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let tables = app.estate.dynamodb.tables.len();
    let settings = &app.estate.validate;
    let text = vec![
        Line::raw(format!(
            "Restores the newest backup of each of the {tables} table(s) into a temporary \
             table (<table>-validate-<time>-<salt>, tagged {TAG_KEY}), {} at a time, counts \
             and samples it, then deletes it.",
            settings.concurrency.max(1)
        )),
        Line::raw(
            "Checks too: each bucket's replication and replica completeness, each function's \
             backup (code SHA-256), each table's copy in the backup region.",
        ),
        Line::styled(
            format!(
                "About {tables} restore(s), each up to {}; esc on its screen stops it and \
                 deletes what it made.",
                settings.restore_timeout
            ),
            theme.style(Slot::Muted),
        ),
    ];
    let inner = popup(frame, theme, area, 70, 12, " Validate backups? ".into());
    let [body, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
    frame.render_widget(
        keys_line(theme, &[("y/enter", "start"), ("esc/n", "back")]),
        keys,
    );
}

fn leave(theme: &Theme, frame: &mut Frame, area: Rect) {
    let text = vec![Line::raw(
        "The validation is running. Leaving stops it: no new restore starts, and its \
         temporary tables are deleted.",
    )];
    let inner = popup(frame, theme, area, 60, 6, " Stop the validation? ".into());
    let [body, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
    frame.render_widget(
        keys_line(theme, &[("y", "stop and leave"), ("n/esc", "stay")]),
        keys,
    );
}
