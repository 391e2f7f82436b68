//! The incident popups: the declare form, the note editor, the yes/no confirmations and the
//! offer to resume an open incident. Each says which keys answer it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::stopwatch::severity_style;
use super::widgets::fit;
use crate::incident::{SCENARIOS, short_duration};
use crate::tui::app::App;
use crate::tui::declare::{DeclareForm, Field};
use crate::tui::incident::{Confirm, Confirmable, NoteEditor, Popup, ResumePicker};
use crate::tui::theme::{Slot, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    match &app.popup {
        Some(Popup::Declare(form)) => declare(theme, frame, area, form),
        Some(Popup::Note(note)) => note_editor(app, theme, frame, area, note),
        Some(Popup::Confirm(confirm)) => confirmation(app, theme, frame, area, confirm),
        Some(Popup::Resume(picker)) => resume(theme, frame, area, picker),
        None => {}
    }
}

/// A cleared, bordered box of at most `width` × `height` in the middle of `area`; its inside.
pub(super) fn popup(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    width: u16,
    height: u16,
    title: String,
) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.title(true)));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

pub(super) fn keys_line(theme: &Theme, pairs: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, what) in pairs {
        spans.push(Span::styled(
            format!(" {key} "),
            theme.style(Slot::FooterKey),
        ));
        spans.push(Span::styled(
            format!("{what} "),
            theme.style(Slot::FooterText),
        ));
    }
    Line::from(spans)
}

/// A one-line field: the editor with its cursor when focused, plain text when not.
fn field(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    text: &TextArea<'static>,
    focused: bool,
    placeholder: &str,
) {
    if focused {
        frame.render_widget(text, area);
    } else if text.is_empty() {
        frame.render_widget(
            Span::styled(placeholder.to_owned(), theme.style(Slot::Muted)),
            area,
        );
    } else {
        frame.render_widget(
            Span::styled(text.lines().join(" "), theme.style(Slot::Text)),
            area,
        );
    }
}

fn declare(theme: &Theme, frame: &mut Frame, area: Rect, form: &DeclareForm) {
    let services = form.services.len() as u16;
    let height = services.max(1) + 10;
    let inner = popup(
        frame,
        theme,
        area,
        76,
        height,
        " Declare an incident ".into(),
    );
    let mut constraints = vec![Constraint::Length(1); 3];
    constraints.push(Constraint::Length(services.max(1)));
    constraints.extend([Constraint::Length(1); 5]);
    let rows = Layout::vertical(constraints).split(inner);
    let label = |frame: &mut Frame, row: Rect, text: &str, which: Field| -> Rect {
        let [l, v] = Layout::horizontal([Constraint::Length(15), Constraint::Min(0)]).areas(row);
        let focused = form.field == which;
        let style = if focused {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Muted)
        };
        frame.render_widget(Span::styled(format!("{text:<14}"), style), l);
        v
    };
    let v = label(frame, rows[0], "Title", Field::Title);
    field(
        frame,
        theme,
        v,
        &form.title,
        form.field == Field::Title,
        "what is happening, in a few words",
    );
    let v = label(frame, rows[1], "Scenario", Field::Scenario);
    let (name, what) = SCENARIOS[form.scenario];
    frame.render_widget(
        Line::from(vec![
            Span::styled(format!("‹ {name} › "), theme.style(Slot::Text)),
            Span::styled(what, theme.style(Slot::Muted)),
        ]),
        v,
    );
    let v = label(frame, rows[2], "Severity", Field::Severity);
    frame.render_widget(
        Span::styled(
            format!("‹ {} ›", form.severity),
            severity_style(theme, form.severity),
        ),
        v,
    );
    let v = label(frame, rows[3], "Services", Field::Services);
    let lines: Vec<Line> = form
        .services
        .iter()
        .enumerate()
        .map(|(i, (name, on))| {
            let mark = if *on { "[x]" } else { "[ ]" };
            let mut style = theme.style(Slot::Text);
            if form.field == Field::Services && i == form.service_cursor {
                style = theme.style(Slot::Selection);
            }
            Line::from(Span::styled(format!("{mark} {name}"), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), v);
    let v = label(frame, rows[4], "Commander", Field::Commander);
    field(
        frame,
        theme,
        v,
        &form.commander,
        form.field == Field::Commander,
        "(optional) who leads",
    );
    let v = label(frame, rows[5], "Impact began", Field::Impact);
    let [time, hint] = Layout::horizontal([Constraint::Length(7), Constraint::Min(0)]).areas(v);
    field(
        frame,
        theme,
        time,
        &form.impact,
        form.field == Field::Impact,
        "HH:MM",
    );
    frame.render_widget(
        Span::styled(
            format!(
                "UTC, HH:MM; default {} (earliest alarm, else now)",
                form.impact_default
            ),
            theme.style(Slot::Muted),
        ),
        hint,
    );
    if let Some(error) = &form.error {
        frame.render_widget(
            Paragraph::new(Span::styled(
                error.clone(),
                theme.flash(crate::tui::theme::FlashLevel::Error),
            ))
            .wrap(Wrap { trim: true }),
            rows[6],
        );
    }
    let button = if form.waiting {
        " declaring… "
    } else {
        " Declare "
    };
    let style = if form.field == Field::Submit {
        theme.style(Slot::Selection).add_modifier(Modifier::BOLD)
    } else {
        theme.style(Slot::Muted)
    };
    frame.render_widget(Span::styled(format!("[{button}]"), style), rows[7]);
    frame.render_widget(
        keys_line(
            theme,
            &[
                ("tab", "next field"),
                ("space/←→", "change"),
                ("enter", "next / declare"),
                ("esc", "cancel"),
            ],
        ),
        rows[8],
    );
}

fn note_editor(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, note: &NoteEditor) {
    let id = app.incident.as_deref().map_or("", |i| i.id.as_str());
    let title = if note.waiting.is_some() {
        format!(" Note for {id} — saving… ")
    } else {
        format!(" Note for {id} ")
    };
    let width = (area.width * 3 / 4).max(60);
    let height = (area.height * 2 / 3).max(8);
    let inner = popup(frame, theme, area, width, height, title);
    let [text, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(&note.text, text);
    let line = if note.confirm_discard {
        let mut line = keys_line(
            theme,
            &[("y", "discard the note"), ("n/esc", "keep writing")],
        );
        line.spans.insert(
            0,
            Span::styled(
                "Discard what you wrote? ",
                theme.flash(crate::tui::theme::FlashLevel::Warn),
            ),
        );
        line
    } else {
        keys_line(
            theme,
            &[
                ("ctrl-s", "save to the journal"),
                ("alt-enter", "save"),
                ("esc", "close"),
            ],
        )
    };
    frame.render_widget(line, keys);
}

fn confirmation(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, confirm: &Confirm) {
    let incident = app.incident.as_deref();
    let id = incident.map_or("", |i| i.id.as_str());
    let (title, question): (String, Vec<Line>) = match &confirm.action {
        Confirmable::Restore(service) => {
            let measured = incident
                .and_then(|i| {
                    i.service(service)
                        .map(|s| s.rto_watch(i.impact_began, app.now))
                })
                .map(|w| {
                    format!(
                        "; its RTO stops at {} (target {})",
                        short_duration(w.elapsed),
                        short_duration(w.target)
                    )
                })
                .unwrap_or_default();
            (
                " Mark restored ".into(),
                vec![Line::from(format!("Mark {service} restored{measured}?"))],
            )
        }
        Confirmable::Resolve => (
            format!(" Resolve {id} "),
            vec![Line::from("Summary (optional), then enter:")],
        ),
        Confirmable::Severity(to) => (
            " Change severity ".into(),
            vec![
                Line::from(vec![
                    Span::raw(format!("{id}: {} → ", incident.map_or(*to, |i| i.severity))),
                    Span::styled(format!("‹ {to} ›"), severity_style(theme, *to)),
                    Span::raw("?"),
                ]),
                Line::from(Span::styled(
                    "1, 2, 3 or ←→ choose",
                    theme.style(Slot::Muted),
                )),
            ],
        ),
    };
    let resolve = confirm.action == Confirmable::Resolve;
    let inner = popup(frame, theme, area, 70, 6 + u16::from(resolve), title);
    let mut constraints = vec![Constraint::Length(2)];
    if resolve {
        constraints.push(Constraint::Length(1));
    }
    constraints.extend([Constraint::Length(1), Constraint::Length(1)]);
    let rows = Layout::vertical(constraints).split(inner);
    frame.render_widget(Paragraph::new(question).wrap(Wrap { trim: true }), rows[0]);
    if resolve {
        frame.render_widget(&confirm.summary, rows[1]);
    }
    let keys = if confirm.waiting.is_some() {
        Line::from(Span::styled(
            "writing to the journal…",
            theme.style(Slot::Muted),
        ))
    } else if resolve {
        keys_line(theme, &[("enter", "resolve"), ("esc", "cancel")])
    } else {
        keys_line(theme, &[("y", "yes"), ("n/esc", "no")])
    };
    frame.render_widget(keys, rows[rows.len() - 1]);
}

fn resume(theme: &Theme, frame: &mut Frame, area: Rect, picker: &ResumePicker) {
    let count = picker.incidents.len();
    let height = count as u16 + 4;
    let title = if count == 1 {
        " An incident is open: resume it here? ".to_owned()
    } else {
        format!(" {count} incidents are open: resume one here? ")
    };
    let inner = popup(frame, theme, area, 76, height, title);
    let [list, _, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let width = inner.width as usize;
    let lines: Vec<Line> = picker
        .incidents
        .iter()
        .enumerate()
        .map(|(i, incident)| {
            let style = if i == picker.selected {
                theme.style(Slot::Selection)
            } else {
                theme.style(Slot::Text)
            };
            let text = format!(
                // The title may be long: it comes last, where a narrow screen cuts it.
                "{} {} declared {}Z, {}: {}",
                incident.id,
                incident.severity,
                incident.declared_at.format("%m-%d %H:%M"),
                match incident.entries {
                    1 => "1 entry".to_owned(),
                    n => format!("{n} entries"),
                },
                incident.title,
            );
            Line::from(Span::styled(fit(&text, width), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    frame.render_widget(
        keys_line(
            theme,
            &[
                ("enter", "resume it"),
                ("↑↓", "choose"),
                ("esc", "start without"),
            ],
        ),
        keys,
    );
}
