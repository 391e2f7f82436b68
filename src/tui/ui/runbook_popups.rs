//! The runbook popups: the scenario picker, the start form, the typed confirmation of a
//! destructive step, an input with its allowed window, the restore source chooser, the skip
//! reason and the cancel question. Each says which keys answer it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::popups::{keys_line, popup};
use super::runbook::verdict_word;
use super::widgets::fit;
use crate::health::Status;
use crate::runbook::{Need, StepView};
use crate::tui::app::App;
use crate::tui::runbook::{RunbookPopup, StartForm};
use crate::tui::theme::{FlashLevel, Slot, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(popup) = &app.runbooks.popup else {
        return;
    };
    let width = area.width.min(if area.width >= 120 { 96 } else { 78 });
    let text_width = width.saturating_sub(2) as usize;
    let step = |path: &str| {
        app.runbooks
            .run
            .as_ref()
            .and_then(|r| r.view.step(path).cloned())
    };
    match popup {
        RunbookPopup::Pick { selected } => picker(app, theme, frame, area, width, *selected),
        RunbookPopup::Start(form) => start(theme, frame, area, width, form),
        RunbookPopup::Confirm {
            step: path,
            name,
            field,
            wrong,
            sent,
        } => {
            let mut lines = Vec::new();
            if let Some(step) = step(path) {
                step_head(theme, &step, &mut lines, text_width);
            }
            lines.push(Line::from(vec![
                Span::styled("destructive: ", theme.status(Status::Critical)),
                Span::raw(format!("type {name} to confirm")),
            ]));
            let mut below = Vec::new();
            if let Some(wrong) = wrong {
                below.push(Line::from(Span::styled(
                    wrong.clone(),
                    theme.flash(FlashLevel::Error),
                )));
            }
            if *sent {
                below.push(Line::from(Span::styled(
                    "sent: the step runs",
                    theme.style(Slot::Muted),
                )));
            }
            let keys = keys_line(
                theme,
                &[("enter", "run, once the name is typed"), ("esc", "back")],
            );
            draw(
                Form {
                    theme,
                    title: " Confirm a destructive step ".into(),
                    lines,
                    field: Some(field),
                    below,
                    keys,
                },
                frame,
                area,
                width,
            );
        }
        RunbookPopup::Input {
            step: path,
            field,
            sent,
        } => {
            let mut lines = Vec::new();
            let mut below = Vec::new();
            if let Some(step) = step(path)
                && let Some(Need::Input {
                    prompt,
                    hint,
                    error,
                    choices,
                    ..
                }) = &step.need
            {
                lines.push(Line::from(Span::styled(
                    prompt.clone(),
                    theme.style(Slot::Title),
                )));
                if let Some(hint) = hint {
                    lines.push(Line::from(Span::styled(
                        hint.clone(),
                        theme.style(Slot::Muted),
                    )));
                }
                if !choices.is_empty() {
                    lines.push(Line::from(Span::styled(
                        format!("one of: {}", choices.join(", ")),
                        theme.style(Slot::Muted),
                    )));
                }
                if let Some(error) = error.as_ref().filter(|_| !*sent) {
                    below.push(Line::from(Span::styled(
                        format!("refused: {error}"),
                        theme.flash(FlashLevel::Error),
                    )));
                }
            }
            if *sent {
                below.push(Line::from(Span::styled(
                    "sent: checking it…",
                    theme.style(Slot::Muted),
                )));
            }
            let keys = keys_line(theme, &[("enter", "give it"), ("esc", "back")]);
            draw(
                Form {
                    theme,
                    title: " Input ".into(),
                    lines,
                    field: Some(field),
                    below,
                    keys,
                },
                frame,
                area,
                width,
            );
        }
        RunbookPopup::Choose {
            step: path,
            selected,
            rationale,
            error,
            sent,
        } => {
            let mut lines = Vec::new();
            let Some(step) = step(path) else { return };
            let Some(Need::Choice {
                options,
                preselected,
            }) = &step.need
            else {
                return;
            };
            let title = match &step.item {
                Some(item) if !step.title.contains(item.as_str()) => {
                    format!("{} — {item}", step.title)
                }
                _ => step.title.clone(),
            };
            lines.push(Line::from(Span::styled(title, theme.style(Slot::Title))));
            for (i, option) in options.iter().enumerate() {
                let marker = if Some(i) == *preselected { "★" } else { " " };
                let style = if !option.available {
                    theme.style(Slot::Muted)
                } else if i == *selected {
                    theme.style(Slot::Selection)
                } else {
                    theme.style(Slot::Text)
                };
                let pointer = if i == *selected { "›" } else { " " };
                lines.push(Line::from(Span::styled(
                    fit(&format!("{pointer}{marker} {}", option.label), text_width),
                    style,
                )));
                if let Some(detail) = &option.detail {
                    lines.push(Line::from(Span::styled(
                        fit(&format!("     {detail}"), text_width),
                        theme.style(Slot::Muted),
                    )));
                }
            }
            let sources = app.chooses_restore_source(path);
            let legend = match (sources, options.iter().any(|o| !o.available)) {
                (true, _) => "★ freshest, preselected · ✗ cannot be used now",
                (false, true) => "★ preselected · ✗ cannot be used now",
                (false, false) => "★ preselected",
            };
            lines.push(Line::from(Span::styled(legend, theme.style(Slot::Muted))));
            let mut below = Vec::new();
            if let Some(error) = error {
                below.push(Line::from(Span::styled(
                    error.clone(),
                    theme.flash(FlashLevel::Error),
                )));
            }
            if *sent {
                below.push(Line::from(Span::styled(
                    "sent: the choice is journalled",
                    theme.style(Slot::Muted),
                )));
            }
            let keys = if rationale.is_some() {
                keys_line(theme, &[("enter", "choose"), ("esc", "back to the list")])
            } else {
                keys_line(
                    theme,
                    &[("↑↓", "move"), ("enter", "take it"), ("esc", "close")],
                )
            };
            let field = rationale.as_deref();
            if field.is_some() {
                lines.push(Line::from(Span::styled(
                    "why (journalled with the choice):",
                    theme.style(Slot::Text),
                )));
            }
            draw(
                Form {
                    theme,
                    title: if sources {
                        " Choose the restore source ".into()
                    } else {
                        " Choose ".into()
                    },
                    lines,
                    field,
                    below,
                    keys,
                },
                frame,
                area,
                width,
            );
        }
        RunbookPopup::Skip {
            step: path,
            field,
            error,
        } => {
            let mut lines = Vec::new();
            if let Some(step) = step(path) {
                step_head(theme, &step, &mut lines, text_width);
            }
            lines.push(Line::from("Why skip it? (journalled)"));
            let below = error
                .iter()
                .map(|e| Line::from(Span::styled(e.clone(), theme.flash(FlashLevel::Error))))
                .collect();
            let keys = keys_line(theme, &[("enter", "skip it"), ("esc", "back")]);
            draw(
                Form {
                    theme,
                    title: " Skip a step ".into(),
                    lines,
                    field: Some(field),
                    below,
                    keys,
                },
                frame,
                area,
                width,
            );
        }
        RunbookPopup::Cancel => {
            let name = app
                .runbooks
                .run
                .as_ref()
                .map(|r| r.view.runbook.clone())
                .unwrap_or_default();
            let lines = vec![
                Line::from(format!("Cancel {name}?")),
                Line::from(Span::styled(
                    "It stops before its next step; a write in flight finishes and is recorded.",
                    theme.style(Slot::Muted),
                )),
            ];
            let keys = keys_line(theme, &[("y", "cancel the run"), ("n/esc", "keep going")]);
            draw(
                Form {
                    theme,
                    title: " Cancel the run ".into(),
                    lines,
                    field: None,
                    below: Vec::new(),
                    keys,
                },
                frame,
                area,
                width.min(72),
            );
        }
    }
}

fn step_head(theme: &Theme, step: &StepView, lines: &mut Vec<Line<'static>>, width: usize) {
    lines.push(Line::from(Span::styled(
        fit(&step.title, width),
        theme.style(Slot::Title),
    )));
    if let Some(op) = &step.operation {
        let on = step
            .resource
            .as_deref()
            .map(|r| format!(" on {r}"))
            .unwrap_or_default();
        lines.push(Line::from(Span::styled(
            fit(&format!("{op}{on}"), width),
            theme.style(Slot::Text),
        )));
    }
    for l in &step.preview {
        lines.push(Line::from(Span::styled(
            fit(&format!("  {l}"), width),
            theme.style(Slot::Text),
        )));
    }
}

fn picker(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, width: u16, selected: usize) {
    let text_width = width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for (i, rb) in app.runbooks.runbooks().iter().enumerate() {
        let name = rb.name.get_ref();
        let verdict = app.runbooks.verdict(name);
        let (word, style) = verdict_word(theme, &verdict);
        let row = if i == selected {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Text)
        };
        let head = format!(
            "{}{:<22} ",
            if i == selected { "›" } else { " " },
            fit(name, 22)
        );
        lines.push(Line::from(vec![
            Span::styled(head, row),
            Span::styled(format!("{word:<11}"), style),
            Span::styled(
                fit(&rb.title, text_width.saturating_sub(35)),
                theme.style(Slot::Muted),
            ),
        ]));
        if let crate::tui::runbook::Verdict::Blocked { first, .. }
        | crate::tui::runbook::Verdict::Unknown { first } = verdict
        {
            lines.push(Line::from(Span::styled(
                fit(&format!("   {first}"), text_width),
                theme.style(Slot::Muted),
            )));
        }
    }
    let declare = if app.open_incident().is_none() {
        "enter declares the incident first, then asks the runbook's inputs"
    } else {
        "enter asks the runbook's inputs, then starts it"
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(declare, theme.style(Slot::Muted))));
    let keys = keys_line(
        theme,
        &[
            ("↑↓", "move"),
            ("enter", "start"),
            ("d", "drill (-dr-test copies)"),
            ("esc", "close"),
        ],
    );
    draw(
        Form {
            theme,
            title: " Runbooks ".into(),
            lines,
            field: None,
            below: Vec::new(),
            keys,
        },
        frame,
        area,
        width,
    );
}

fn start(theme: &Theme, frame: &mut Frame, area: Rect, width: u16, form: &StartForm) {
    let title = if form.drill {
        format!(" Drill {} ", form.runbook.name.get_ref())
    } else {
        format!(" Start {} ", form.runbook.name.get_ref())
    };
    let rows: u16 = form
        .fields
        .iter()
        .map(|f| 2 + u16::from(f.hint.is_some()))
        .sum();
    let extra = u16::from(form.error.is_some() || form.waiting);
    let height = rows + 5 + extra + u16::from(form.fields.is_empty());
    let inner = popup(frame, theme, area, width, height, title);
    let mut constraints = vec![Constraint::Length(1)];
    for f in &form.fields {
        constraints.push(Constraint::Length(1));
        if f.hint.is_some() {
            constraints.push(Constraint::Length(1));
        }
        constraints.push(Constraint::Length(1));
    }
    if form.fields.is_empty() {
        constraints.push(Constraint::Length(1));
    }
    constraints.extend([
        Constraint::Length(extra),
        Constraint::Min(0),
        Constraint::Length(1),
    ]);
    let areas = Layout::vertical(constraints).split(inner);
    frame.render_widget(
        Paragraph::new(Span::styled(
            form.runbook.title.clone(),
            theme.style(Slot::Title),
        )),
        areas[0],
    );
    let mut at = 1;
    if form.fields.is_empty() {
        frame.render_widget(
            Span::styled("no inputs: enter starts it", theme.style(Slot::Muted)),
            areas[at],
        );
        at += 1;
    }
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Muted)
        };
        frame.render_widget(
            Span::styled(format!("{} — {}", f.name, f.prompt), label_style),
            areas[at],
        );
        at += 1;
        if let Some(hint) = &f.hint {
            frame.render_widget(
                Span::styled(format!("  {hint}"), theme.style(Slot::Muted)),
                areas[at],
            );
            at += 1;
        }
        let rect = Rect {
            x: areas[at].x + 2,
            width: areas[at].width.saturating_sub(2),
            ..areas[at]
        };
        if focused {
            frame.render_widget(&*f.text, rect);
        } else {
            let text = f.text.lines().join(" ");
            frame.render_widget(Span::styled(text, theme.style(Slot::Text)), rect);
        }
        at += 1;
    }
    if let Some(error) = &form.error {
        frame.render_widget(
            Paragraph::new(Span::styled(error.clone(), theme.flash(FlashLevel::Error)))
                .wrap(Wrap { trim: false }),
            areas[at],
        );
    } else if form.waiting {
        frame.render_widget(
            Span::styled("starting…", theme.style(Slot::Muted)),
            areas[at],
        );
    }
    let keys = keys_line(
        theme,
        &[("tab", "next field"), ("enter", "start"), ("esc", "back")],
    );
    frame.render_widget(keys, areas[areas.len() - 1]);
}

/// A popup of lines, an optional one-line field under them, lines below the field, and keys.
struct Form<'a> {
    theme: &'a Theme,
    title: String,
    lines: Vec<Line<'static>>,
    field: Option<&'a TextArea<'static>>,
    below: Vec<Line<'static>>,
    keys: Line<'static>,
}

fn draw(form: Form<'_>, frame: &mut Frame, area: Rect, width: u16) {
    let field_height = u16::from(form.field.is_some());
    let height = form.lines.len() as u16 + field_height + form.below.len() as u16 + 4;
    let inner = popup(frame, form.theme, area, width, height, form.title);
    let [text, field, below, _, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(field_height),
        Constraint::Length(form.below.len() as u16),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(form.lines), text);
    if let Some(area) = form.field {
        frame.render_widget(Span::styled("› ", form.theme.style(Slot::Title)), field);
        let rect = Rect {
            x: field.x + 2,
            width: field.width.saturating_sub(2),
            ..field
        };
        frame.render_widget(area, rect);
    }
    frame.render_widget(Paragraph::new(form.below).wrap(Wrap { trim: false }), below);
    frame.render_widget(form.keys, keys);
}
