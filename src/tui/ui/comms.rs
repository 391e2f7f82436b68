//! The comms view: the templates on the left, the draft on the right with its placeholders
//! standing out, and the popups that ask before a placeholder goes out, for the ETA, before
//! edits are left, and which channel to post to.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::popups::{keys_line, popup};
use super::widgets::{fit, plural};
use crate::comms::{CadenceLevel, Format, PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN};
use crate::tui::app::App;
use crate::tui::comms::{CommsPopup, DraftView, Then};
use crate::tui::theme::{Slot, Theme};

pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let left = if area.width >= 120 { 32 } else { 24 };
    let [list, draft] =
        Layout::horizontal([Constraint::Length(left), Constraint::Min(0)]).areas(area);
    templates(app, theme, frame, list);
    draft_pane(app, theme, frame, draft);
    popups(app, theme, frame, area);
}

/// The countdown to the next update, always in the header while an incident is open: plain
/// while there is time, the warning style from five minutes before, critical once overdue.
/// Shorter as `level` rises with the header's squeeze; at 4 (80 columns beside an endpoint
/// override) it is an envelope and the time left.
pub fn cadence_chip(app: &App, theme: &Theme, base: Style, level: u8) -> Option<Span<'static>> {
    let cadence = app.cadence()?;
    let left = crate::incident::short_duration(chrono::Duration::seconds(
        cadence.left.num_seconds().abs(),
    ));
    let overdue = cadence.level == CadenceLevel::Overdue;
    let text = match level {
        0 => format!(" {} ", cadence.label()),
        1..=3 if overdue => " UPDATE LATE ".to_owned(),
        1..=3 => format!(" update {left} "),
        // The span after it opens with a space.
        _ if overdue => " ✉LATE".to_owned(),
        _ => format!(" ✉{left}"),
    };
    let style = match cadence.level {
        CadenceLevel::Ok => base,
        CadenceLevel::Warn => base.patch(theme.style(Slot::Warn)),
        CadenceLevel::Overdue => base
            .patch(theme.style(Slot::Critical))
            .add_modifier(Modifier::BOLD | Modifier::REVERSED),
    };
    Some(Span::styled(text, style))
}

/// How a format is named where the screen says what a copy sends.
fn format_words(format: Format) -> &'static str {
    match format {
        Format::Text => "plain text",
        Format::Slack => "Slack mrkdwn",
    }
}

fn templates(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_style(theme.border(false))
        .title(Span::styled(" Templates ", theme.title(false)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let suggested = app.suggested_template();
    let mut lines: Vec<Line> = Vec::new();
    for (i, t) in app.comms.listed.iter().enumerate() {
        let mark = if suggested.as_deref() == Some(t.name.as_str()) {
            "★ "
        } else {
            "  "
        };
        let style = if i == app.comms.selected {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Text)
        };
        lines.push(Line::from(Span::styled(
            fit(&format!("{mark}{}", t.name), width),
            style,
        )));
        if width > 28 && !t.title.is_empty() {
            lines.push(Line::from(Span::styled(
                fit(&format!("  {}", t.title), width),
                theme.style(Slot::Muted),
            )));
        }
    }
    if app.comms.listed.is_empty() {
        lines.push(Line::from(Span::styled(
            "no templates loaded",
            theme.style(Slot::Muted),
        )));
    }
    if suggested.is_some() && !app.comms.listed.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "★ the plan's message",
            theme.style(Slot::Muted),
        )));
    }
    if let Some(e) = &app.comms.load_error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "not loaded:",
            theme.style(Slot::Critical),
        )));
        lines.push(Line::from(Span::styled(
            e.clone(),
            theme.style(Slot::Critical),
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn draft_pane(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(draft) = &app.comms.draft else {
        let block = Block::bordered()
            .border_style(theme.border(true))
            .title(Span::styled(" Draft ", theme.title(true)));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let why = if app.comms.listed.is_empty() {
            "no templates are loaded: nothing to draft from"
        } else {
            "no draft: choose a template"
        };
        frame.render_widget(Span::styled(why, theme.style(Slot::Muted)), inner);
        return;
    };
    let editing = if draft.editing { " · editing" } else { "" };
    let title = format!(" Draft: {}{editing} ", draft.template);
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.title(true)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let stale_rows = u16::from(draft.stale.is_some()) * 2;
    let [stale, text, status] = Layout::vertical([
        Constraint::Length(stale_rows.min(inner.height)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner);
    if let Some(why) = &draft.stale {
        frame.render_widget(
            Paragraph::new(Span::styled(why.clone(), theme.style(Slot::Warn)))
                .wrap(Wrap { trim: true }),
            stale,
        );
    }
    if draft.editing {
        frame.render_widget(&draft.editor, text);
    } else {
        let lines: Vec<Line> = draft
            .editor
            .lines()
            .iter()
            .map(|l| highlighted(l, theme.style(Slot::Text), theme.style(Slot::Warn)))
            .collect();
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((draft.scroll, 0)),
            text,
        );
    }
    frame.render_widget(status_line(app, theme, draft, status.width), status);
}

/// One line of the draft with each `[[placeholder]]` in the warning style, reversed so it
/// shows without colour too.
pub fn highlighted(line: &str, text: Style, warn: Style) -> Line<'static> {
    let mark = warn.add_modifier(Modifier::REVERSED);
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find(PLACEHOLDER_OPEN) {
        let after = &rest[open + PLACEHOLDER_OPEN.len()..];
        let Some(close) = after.find(PLACEHOLDER_CLOSE) else {
            break;
        };
        let end = open + PLACEHOLDER_OPEN.len() + close + PLACEHOLDER_CLOSE.len();
        if open > 0 {
            spans.push(Span::styled(rest[..open].to_owned(), text));
        }
        spans.push(Span::styled(rest[open..end].to_owned(), mark));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        spans.push(Span::styled(rest.to_owned(), text));
    }
    Line::from(spans)
}

/// `2 placeholders left · copies as plain text · edited`, and a post under way.
fn status_line(app: &App, theme: &Theme, draft: &DraftView, width: u16) -> Line<'static> {
    let left = draft.placeholders().len();
    let mut spans = Vec::new();
    if left > 0 {
        spans.push(Span::styled(
            format!(" {} left ", plural(left, "placeholder")),
            theme.style(Slot::Warn).add_modifier(Modifier::REVERSED),
        ));
    } else {
        spans.push(Span::styled(
            " no placeholders left ",
            theme.style(Slot::Ok),
        ));
    }
    let mut words = format!(" copies as {}", format_words(draft.format));
    if draft.format != app.comms.format {
        words.push_str(&format!(" (next: {})", format_words(app.comms.format)));
    }
    if draft.edited() {
        words.push_str(" · edited");
    }
    spans.push(Span::styled(words, theme.style(Slot::Muted)));
    if let Some(posting) = &app.comms.posting {
        let secs = (app.now - posting.since).num_seconds().max(0);
        spans.push(Span::styled(
            format!(" · posting to {}… {secs}s", posting.channel),
            theme.style(Slot::Warn),
        ));
    }
    let line = Line::from(spans);
    if line.width() > width as usize {
        // The count is what matters most: the rest gives way.
        return Line::from(line.spans.into_iter().take(1).collect::<Vec<_>>());
    }
    line
}

fn popups(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(p) = &app.comms.popup else {
        return;
    };
    match p {
        CommsPopup::Placeholders { found, then } => {
            let verb = match then {
                Then::Copy => "copy".to_owned(),
                Then::Post(channel) => format!("post to {channel}"),
            };
            let height = found.len().min(10) as u16 + 5;
            let title = format!(" {} left in the draft ", plural(found.len(), "placeholder"));
            let inner = popup(frame, theme, area, 60, height, title);
            let mut lines: Vec<Line> = found
                .iter()
                .take(10)
                .map(|p| {
                    Line::from(vec![
                        Span::styled(
                            format!(" {PLACEHOLDER_OPEN}{}{PLACEHOLDER_CLOSE}", p.label),
                            theme.style(Slot::Warn),
                        ),
                        Span::styled(format!(" line {}", p.line), theme.style(Slot::Muted)),
                    ])
                })
                .collect();
            if found.len() > 10 {
                lines.push(Line::from(format!(" … and {} more", found.len() - 10)));
            }
            lines.push(Line::from(""));
            lines.push(keys_line(
                theme,
                &[("y", &format!("{verb} anyway")), ("any other key", "back")],
            ));
            frame.render_widget(Paragraph::new(lines), inner);
        }
        CommsPopup::Eta { field, error } => {
            let inner = popup(frame, theme, area, 72, 7, " ETA for full recovery ".into());
            let [hint, input, err, _, keys] =
                Layout::vertical([Constraint::Length(1); 5]).areas(inner);
            frame.render_widget(
                Span::styled(
                    "14:30 (today, UTC) · +2h · 2026-03-14 16:00 · empty withdraws it",
                    theme.style(Slot::Muted),
                ),
                hint,
            );
            frame.render_widget(&**field, input);
            if let Some(e) = error {
                frame.render_widget(Span::styled(e.clone(), theme.style(Slot::Critical)), err);
            }
            frame.render_widget(
                keys_line(theme, &[("enter", "set (journalled)"), ("esc", "cancel")]),
                keys,
            );
        }
        CommsPopup::Leave => {
            let inner = popup(frame, theme, area, 60, 6, " Leave this draft? ".into());
            let lines = vec![
                Line::from("Nobody has copied or posted these edits. Leaving keeps"),
                Line::from("them in the journal as a draft, and here for next time."),
                Line::from(""),
                keys_line(theme, &[("y", "leave"), ("n/esc", "stay")]),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
        }
        CommsPopup::Channel { selected } => {
            let channels = app.channels();
            let height = channels.len() as u16 + 4;
            let inner = popup(frame, theme, area, 40, height, " Post to ".into());
            let mut lines: Vec<Line> = channels
                .iter()
                .enumerate()
                .map(|(i, (_, label))| {
                    let style = if i == *selected {
                        theme.style(Slot::Selection)
                    } else {
                        theme.style(Slot::Text)
                    };
                    Line::from(Span::styled(format!(" {label} "), style))
                })
                .collect();
            lines.push(Line::from(""));
            lines.push(keys_line(theme, &[("enter", "post"), ("esc", "back")]));
            frame.render_widget(Paragraph::new(lines), inner);
        }
    }
}
