//! The Contacts panel: the estate's contact tree with each number, and during an incident each
//! level's answer, each person's call and acknowledgement, and who to call next when a level
//! has gone unanswered.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row};

use super::panel::{draw, fit_rows, more, table};
use super::widgets::fit;
use crate::comms::contacts::{Answer, Call, CallKind, LevelState, Person};
use crate::health::Status;
use crate::incident::short_duration;
use crate::tui::app::{App, Panel};
use crate::tui::theme::{Slot, Theme};

/// Wide enough for the long forms: `notified 14:05` and the level's whole sentence.
const WIDE: u16 = 58;
const PHONE: usize = 15;

/// The rows the panel would like: one per person, and one per level during an incident.
pub(super) fn rows_wanted(app: &App) -> usize {
    let people = app.row_count(Panel::Contacts);
    if app.incident.is_some() {
        people + app.estate.contacts.len()
    } else {
        people
    }
}

pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    match app.contact_levels() {
        Some(levels) => render_tree(app, theme, frame, area, &levels),
        None => render_book(app, theme, frame, area),
    }
}

/// Outside an incident: who, their number and their group.
fn render_book(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    // The group is context; on a narrow panel the role and the number come first.
    let wide = area.width >= 64;
    let rows: Vec<Row> = app
        .estate
        .contacts
        .iter()
        .flat_map(|group| {
            group.people.iter().map(move |p| {
                let who = if p.name.is_empty() {
                    p.role.clone()
                } else {
                    format!("{} ({})", p.name, p.role)
                };
                let mut cells = vec![
                    Cell::from(who),
                    Cell::from(Span::styled(p.phone.clone(), theme.style(Slot::Text))),
                ];
                if wide {
                    cells.push(Cell::from(Span::styled(
                        group.group.clone(),
                        theme.style(Slot::Muted),
                    )));
                }
                Row::new(cells)
            })
        })
        .collect();
    let (hidden, with_header) = fit_rows(area, rows.len());
    let block = more(block(app, theme), hidden, theme);
    // The number is what matters at 3 a.m.: it keeps its width, the group gives way.
    let widths = if wide {
        vec![
            Constraint::Fill(3),
            Constraint::Length(15),
            Constraint::Fill(2),
        ]
    } else {
        vec![Constraint::Fill(1), Constraint::Length(15)]
    };
    let header = Row::new(if wide {
        vec!["Who", "Phone", "Group"]
    } else {
        vec!["Who", "Phone"]
    });
    let table = table(rows, widths, header, block, with_header, theme);
    draw(app, theme, frame, area, Panel::Contacts, table);
}

fn block<'a>(app: &App, theme: &Theme) -> Block<'a> {
    let focused = app.focus == Panel::Contacts;
    Block::bordered()
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", Panel::Contacts.title()),
            theme.title(focused),
        ))
}

/// During an incident: each level's line, then its people, the selected one highlighted and
/// kept in sight.
fn render_tree(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, levels: &[LevelState]) {
    let inner = area.width.saturating_sub(2);
    let wide = inner >= WIDE;
    let selected = app.selected(Panel::Contacts);
    let focused = app.focus == Panel::Contacts;
    let mut lines = Vec::new();
    let mut selected_line = 0;
    let mut person = 0;
    for level in levels {
        lines.push(level_line(level, inner as usize, wide, theme));
        for (i, p) in level.people.iter().enumerate() {
            let target = level.call.as_ref().filter(|c| c.person == i);
            let mut line = person_line(p, target, inner as usize, wide, theme);
            if focused && person == selected {
                selected_line = lines.len();
                line = line.patch_style(theme.style(Slot::Selection));
            }
            lines.push(line);
            person += 1;
        }
    }
    let visible = area.height.saturating_sub(2) as usize;
    let offset = (selected_line + 1).saturating_sub(visible);
    let hidden = lines.len().saturating_sub(visible);
    let after = app.estate.comms.escalate_after;
    let block = more(block(app, theme), hidden, theme).title(
        Line::from(Span::styled(
            format!(" escalate after {after} "),
            theme.style(Slot::Muted),
        ))
        .alignment(Alignment::Right),
    );
    let shown: Vec<Line> = lines.into_iter().skip(offset).collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

/// `Technical Recovery Team  no answer for 16m: call VP Engineering next`: the group gives
/// way before the state does.
fn level_line(level: &LevelState, inner: usize, wide: bool, theme: &Theme) -> Line<'static> {
    let (long, short, style) = match (&level.call, &level.answer) {
        (Some(call), _) => (call.message(), short_call(call), theme.status(Status::Warn)),
        (None, Answer::Answered { who, at }) => (
            format!("answered: {who} {}", hhmm(*at)),
            format!("answered {}", hhmm(*at)),
            theme.status(Status::Ok),
        ),
        (None, Answer::Waiting { waited, .. }) => {
            let text = format!("waiting {}", short_duration(*waited));
            (text.clone(), text, theme.style(Slot::Muted))
        }
        (None, Answer::NotStarted) => {
            let text = "not called".to_owned();
            (text.clone(), text, theme.style(Slot::Muted))
        }
    };
    let group_min = 10.min(level.group.chars().count());
    let state = if wide && group_min + 2 + long.chars().count() <= inner {
        long
    } else {
        short
    };
    let room = inner.saturating_sub(state.chars().count() + 2);
    let group = fit(&level.group, room.max(group_min));
    let bold = theme.style(Slot::Title).add_modifier(Modifier::BOLD);
    Line::from(vec![
        Span::styled(group, bold),
        Span::raw("  "),
        Span::styled(state, style),
    ])
}

/// The call in a few words, for a narrow panel: the person's row says who.
fn short_call(call: &Call) -> String {
    let silent = short_duration(call.silent_for);
    match call.kind {
        CallKind::First => format!("nobody called {silent}"),
        CallKind::Next => format!("no answer {silent}"),
        CallKind::Again => format!("none answered {silent}"),
    }
}

/// ` Engineering Manager   +1-555-0100   notified 14:05`: the number keeps its width.
fn person_line(
    p: &Person,
    target: Option<&Call>,
    inner: usize,
    wide: bool,
    theme: &Theme,
) -> Line<'static> {
    let (state, style): (String, Style) = match (target, p.acknowledged_at, p.notified_at) {
        (Some(call), _, _) if call.kind == CallKind::Again => {
            ("call again".into(), theme.status(Status::Warn))
        }
        (Some(_), _, _) => ("call next".into(), theme.status(Status::Warn)),
        (None, Some(at), _) => (format!("ack {}", hhmm(at)), theme.status(Status::Ok)),
        (None, None, Some(_)) => {
            let at = p.last_notified_at.or(p.notified_at).unwrap_or_default();
            let word = if wide { "notified" } else { "ntfd" };
            (format!("{word} {}", hhmm(at)), theme.style(Slot::Text))
        }
        (None, None, None) => (String::new(), theme.style(Slot::Muted)),
    };
    let state_width = if wide { 14 } else { 10 };
    let who_width = inner.saturating_sub(1 + PHONE + 1 + state_width + 1).max(1);
    Line::from(vec![
        Span::raw(" "),
        Span::styled(
            format!("{:<who_width$}", fit(&p.who(), who_width)),
            theme.style(Slot::Text),
        ),
        Span::raw(" "),
        Span::styled(format!("{:<PHONE$}", p.phone), theme.style(Slot::Text)),
        Span::raw(" "),
        Span::styled(format!("{state:<state_width$}"), style),
    ])
}

fn hhmm(at: DateTime<Utc>) -> String {
    at.format("%H:%M").to_string()
}

/// The most urgent call, for the footer: it shows in every view, so a level left silent is
/// never out of sight while the commander works elsewhere. Short, so the keys still fit; the
/// panel says which level.
pub(super) fn footer(app: &App, theme: &Theme) -> Option<Span<'static>> {
    let call = app.urgent_call()?;
    let how = match call.kind {
        CallKind::First => "first",
        CallKind::Next => "next",
        CallKind::Again => "again",
    };
    Some(Span::styled(
        format!(" call {} {how} ({}) ", call.who, short_call(&call)),
        theme.flash(crate::tui::theme::FlashLevel::Warn),
    ))
}
