//! The repair popup: the chooser, the preview (with the typed-name field of a destructive
//! action), the run with its progress, and the result with its request ids, journal entry,
//! undo and notes, or the service's own words and a retry.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popups::{keys_line, popup};
use super::widgets::fit;
use crate::action::{ActionError, Danger, Status as RunStatus, catalogue};
use crate::health::Status;
use crate::tui::app::App;
use crate::tui::repair::{Job, Stage};
use crate::tui::theme::{FlashLevel, Slot, Theme};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(repair) = app.repair.as_ref().filter(|r| r.shown) else {
        return;
    };
    let width = area.width.min(if area.width >= 120 { 100 } else { 78 });
    let text_width = width.saturating_sub(2) as usize;
    let text = Body::new(theme, text_width);
    match &repair.stage {
        Stage::Choose {
            title,
            choices,
            selected,
        } => {
            let mut body = text;
            for (i, job) in choices.iter().enumerate() {
                let style = if i == *selected {
                    theme.style(Slot::Selection)
                } else {
                    theme.style(Slot::Text)
                };
                let name = match job {
                    Job::Action { action, args, .. } => {
                        let args: Vec<String> =
                            args.iter().map(|(k, v)| format!(" {k}={v}")).collect();
                        format!("{action}{}", args.concat())
                    }
                    Job::Undo { seq, .. } => format!("undo entry {seq}"),
                };
                // One line each, so the list never hides an entry below the box.
                let summary = fit(&job.summary(), text_width.saturating_sub(29));
                body.push(Line::from(vec![
                    Span::styled(format!("{:<28} ", fit(&name, 28)), style),
                    Span::styled(summary, theme.style(Slot::Muted)),
                ]));
            }
            let keys = keys_line(
                theme,
                &[("↑↓", "choose"), ("enter", "preview"), ("esc", "back")],
            );
            body.draw(frame, area, width, format!(" {title} "), None, keys);
        }
        Stage::Planning { job, .. } => {
            let mut body = text;
            body.muted(format!("reading what {} would change…", job.label()));
            let keys = keys_line(theme, &[("esc", "back (nothing is sent)")]);
            body.draw(frame, area, width, " Preview ".into(), None, keys);
        }
        Stage::Preview {
            job,
            plan,
            confirm,
            wrong,
        } => {
            let mut body = text;
            let danger = plan.as_ref().map_or(Danger::Write, |p| p.danger);
            let summary = match job {
                Job::Action { action, .. } => catalogue::find(action)
                    .map(|a| a.summary().to_owned())
                    .unwrap_or_default(),
                Job::Undo { seq, action, .. } => {
                    format!("undoes {action} (journal entry {seq})")
                }
            };
            let name = match job {
                Job::Action { action, args, .. } => {
                    let args: Vec<String> = args.iter().map(|(k, v)| format!(" {k}={v}")).collect();
                    format!("{action}{}", args.concat())
                }
                Job::Undo { seq, .. } => format!("undo-{seq}"),
            };
            body.field("action", Span::styled(name, theme.style(Slot::Title)));
            body.wrapped_muted(&summary);
            body.field("target", Span::raw(job.target().to_owned()));
            body.field("danger", danger_span(theme, danger));
            body.blank();
            let lines = match (plan, job) {
                (Some(plan), _) => plan.preview_lines(),
                (None, Job::Undo { undo, .. }) => undo
                    .requests
                    .iter()
                    .enumerate()
                    .map(|(i, r)| format!("{}. {}", i + 1, r.summary()))
                    .chain(std::iter::once(format!("what it does: {}", undo.summary)))
                    .collect(),
                (None, Job::Action { .. }) => Vec::new(),
            };
            for line in &lines {
                let style = if line.starts_with("nothing to do") {
                    theme.status(Status::Ok)
                } else if line.starts_with("note:") {
                    theme.status(Status::Warn)
                } else {
                    theme.style(Slot::Text)
                };
                body.wrapped(line, style);
            }
            let noop = plan.as_ref().is_some_and(|p| p.is_noop());
            // The confirmation sits above the keys, never scrolled away by a long preview:
            // nobody types a name into a field they cannot see.
            let mut fixed = Vec::new();
            let mut field_row = None;
            if let Some(field) = confirm {
                fixed.push(Line::from(vec![
                    Span::styled("destructive: ", theme.status(Status::Critical)),
                    Span::raw(format!("type {} to confirm", job.target())),
                ]));
                field_row = Some((fixed.len() as u16, &**field));
                fixed.push(Line::from(Span::styled("› ", theme.style(Slot::Title))));
                if let Some(wrong) = wrong {
                    for part in wrap(wrong, text_width) {
                        fixed.push(Line::from(Span::styled(
                            part,
                            theme.flash(FlashLevel::Error),
                        )));
                    }
                }
            }
            body.fixed = fixed;
            let keys = if noop {
                keys_line(theme, &[("enter/esc", "close")])
            } else if confirm.is_some() {
                keys_line(
                    theme,
                    &[("enter", "run, once the name is typed"), ("esc", "back")],
                )
            } else {
                keys_line(theme, &[("enter/y", "run"), ("esc", "back")])
            };
            let title = if noop { " Already done " } else { " Preview " };
            body.draw(frame, area, width, title.into(), field_row, keys);
        }
        Stage::Running {
            job,
            progress,
            started,
            ..
        } => {
            let mut body = text;
            let elapsed = (app.now - *started).num_seconds().max(0);
            let spin = SPINNER[elapsed as usize % SPINNER.len()];
            body.push(Line::from(vec![
                Span::styled(format!("{spin} "), theme.style(Slot::Title)),
                Span::raw(job.label()),
                Span::styled(format!("  {elapsed}s"), theme.style(Slot::Muted)),
            ]));
            body.blank();
            match progress {
                Some(p) if p.of > 0 => {
                    body.wrapped(
                        &format!("step {}/{}: {}", p.step, p.of, p.what),
                        theme.style(Slot::Text),
                    );
                }
                Some(p) => body.wrapped(&p.what, theme.style(Slot::Text)),
                None => body.muted("starting…".into()),
            }
            body.blank();
            body.muted("every request is journalled before it is sent".into());
            let keys = keys_line(theme, &[("esc", "hide (the action keeps running)")]);
            body.draw(frame, area, width, " Running ".into(), None, keys);
        }
        Stage::Done { job, outcome } => {
            let mut body = text;
            let (title, first) = match &outcome.status {
                RunStatus::Done => (" Done ", format!("done: {}", job.label())),
                RunStatus::AlreadyDone(why) => (" Already done ", format!("nothing to do: {why}")),
            };
            body.wrapped(&first, theme.status(Status::Ok));
            if let Some(seq) = outcome.seq {
                let place = match &app.executor {
                    Some(Ok(dir)) if app.incident.as_ref().is_some_and(|i| i.dir == *dir) => {
                        "the incident's journal"
                    }
                    _ => "the operations journal",
                };
                body.muted(format!("journal entry {seq} in {place}"));
            }
            for (i, (request, sent)) in outcome.sent.iter().enumerate() {
                let id = sent
                    .request_id
                    .as_deref()
                    .map(|id| format!(" — request id {id}"))
                    .unwrap_or_default();
                body.wrapped(
                    &format!("{}. {}{id}", i + 1, request.summary()),
                    theme.style(Slot::Text),
                );
            }
            let undo = outcome.undo.as_ref().filter(|_| outcome.seq.is_some());
            if let Some(undo) = undo {
                body.wrapped(
                    &format!("undo: {} (u)", undo.summary),
                    theme.style(Slot::Text),
                );
            }
            for note in &outcome.notes {
                body.wrapped(&format!("note: {note}"), theme.status(Status::Warn));
            }
            let keys = if undo.is_some() {
                keys_line(theme, &[("u", "undo"), ("esc", "close")])
            } else {
                keys_line(theme, &[("esc", "close")])
            };
            body.draw(frame, area, width, title.into(), None, keys);
        }
        Stage::Failed { job, error } => {
            let mut body = text;
            let title = match error {
                ActionError::Refused { .. } => " Refused ",
                ActionError::Invalid(_) => " Cannot run ",
                _ => " Failed ",
            };
            body.wrapped(&job.label(), theme.style(Slot::Title));
            body.blank();
            body.wrapped(&error.to_string(), theme.status(Status::Critical));
            if let ActionError::Cloud(e) = error
                && let Some(hint) = e.hint()
            {
                body.wrapped(&format!("hint: {hint}"), theme.style(Slot::Muted));
            }
            if matches!(error, ActionError::Refused { .. }) {
                body.muted("nothing was sent; the refusal is in the journal".into());
            }
            let keys = if error.retryable() {
                keys_line(theme, &[("r", "retry"), ("esc", "close")])
            } else {
                keys_line(theme, &[("esc", "close")])
            };
            body.draw(frame, area, width, title.into(), None, keys);
        }
    }
}

fn danger_span(theme: &Theme, danger: Danger) -> Span<'static> {
    let style = match danger {
        Danger::Destructive => theme.status(Status::Critical),
        Danger::Write => theme.status(Status::Warn),
        Danger::Read => theme.style(Slot::Muted),
    };
    let text = match danger {
        Danger::Destructive => "DESTRUCTIVE: it stops production or removes data",
        Danger::Write => "write: changes the estate; previewed, then a yes",
        Danger::Read => "read only",
    };
    Span::styled(text, style)
}

/// The popup's lines, wrapped to its width as they are added, so its height is known.
struct Body<'t> {
    theme: &'t Theme,
    width: usize,
    lines: Vec<Line<'static>>,
    /// Lines kept above the keys whatever the height: the typed confirmation.
    fixed: Vec<Line<'static>>,
}

impl<'t> Body<'t> {
    fn new(theme: &'t Theme, width: usize) -> Body<'t> {
        Body {
            theme,
            width: width.max(10),
            lines: Vec::new(),
            fixed: Vec::new(),
        }
    }

    fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    fn blank(&mut self) {
        self.lines.push(Line::from(""));
    }

    fn field(&mut self, label: &str, value: Span<'static>) {
        self.lines.push(Line::from(vec![
            Span::styled(format!("{label:<8}"), self.theme.style(Slot::Muted)),
            value,
        ]));
    }

    fn muted(&mut self, text: String) {
        let style = self.theme.style(Slot::Muted);
        self.wrapped(&text, style);
    }

    fn wrapped_muted(&mut self, text: &str) {
        let style = self.theme.style(Slot::Muted);
        for part in wrap(text, self.width.saturating_sub(8)) {
            self.lines.push(Line::from(vec![
                Span::raw(" ".repeat(8)),
                Span::styled(part, style),
            ]));
        }
    }

    fn wrapped(&mut self, text: &str, style: Style) {
        for part in wrap(text, self.width) {
            self.lines.push(Line::from(Span::styled(part, style)));
        }
    }

    /// Draws the box, the lines, the fixed lines with an editable field on line `field_row`
    /// of them, and the keys.
    fn draw(
        self,
        frame: &mut Frame,
        area: Rect,
        width: u16,
        title: String,
        field_row: Option<(u16, &ratatui_textarea::TextArea<'static>)>,
        keys: Line<'static>,
    ) {
        let fixed_height = self.fixed.len() as u16 + u16::from(!self.fixed.is_empty());
        let height = self.lines.len() as u16 + fixed_height + 4;
        let inner = popup(frame, self.theme, area, width, height, title);
        let [text, fixed, _, keys_row] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(fixed_height),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(self.lines).wrap(Wrap { trim: false }), text);
        let fixed = Rect {
            y: fixed.y + u16::from(fixed.height > 0),
            height: fixed.height.saturating_sub(1),
            ..fixed
        };
        frame.render_widget(Paragraph::new(self.fixed), fixed);
        if let Some((row, field)) = field_row
            && row < fixed.height
        {
            let rect = Rect {
                x: fixed.x + 2,
                y: fixed.y + row,
                width: fixed.width.saturating_sub(2),
                height: 1,
            };
            frame.render_widget(field, rect);
        }
        frame.render_widget(keys, keys_row);
    }
}

/// Word-wraps `text` to `width` columns; a word longer than a line is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let (have, add) = (line.chars().count(), word.chars().count());
        if have > 0 && have + 1 + add > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let tail: String = line.chars().skip(width).collect();
            lines.push(head);
            line = tail;
        }
    }
    lines.push(line);
    lines
}
