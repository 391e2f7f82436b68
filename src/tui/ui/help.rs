//! The help popup: every key, grouped, from the same table that drives the footer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, Clear, Row, Table};

use crate::tui::app::App;
use crate::tui::keymap::{Action, HelpRow};
use crate::tui::theme::{Slot, Theme};

/// Actions that read as one line when the screen is short: (first, second, both).
const PAIRS: [(Action, Action, &str); 4] = [
    (
        Action::NextPanel,
        Action::PrevPanel,
        "Focus the next / previous panel",
    ),
    (Action::Up, Action::Down, "Move the selection up / down"),
    (Action::PageUp, Action::PageDown, "Move up / down a page"),
    (Action::Top, Action::Bottom, "Jump to the first / last row"),
];

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut rows_data = app.keymap.help_rows();
    // The repair keys show only where they work: never read-only, only on a row they fit.
    let shown = app.repair_keys();
    rows_data.retain(|row| {
        ![Action::Fix, Action::Actions, Action::Undo]
            .iter()
            .any(|a| a.description() == row.description && !shown.contains(a))
    });
    // The checklist's keys only where the checklist is; there, the panels' keys give way to
    // them, and enter says what it does on a step.
    if app.view != crate::tui::app::View::Runbook {
        rows_data.retain(|row| {
            !crate::tui::runbook::STEP_KEYS
                .iter()
                .any(|a| a.description() == row.description)
        });
    } else {
        // The checklist's keys fill 80x24 already; the validation's key still works here.
        rows_data.retain(|row| row.description != Action::Validate.description());
        view_keys(
            &mut rows_data,
            &[],
            (
                Action::Runbooks.group(),
                app.keymap.label(Action::Open),
                "Run or answer the selected step",
            ),
        );
    }
    comms_rows(app, &mut rows_data);
    // Every key must show on 80x24: on a short screen pairs share a line and the group
    // column gives its room to their keys, before any key is cut.
    let short = rows_data.len() as u16 + 2 > area.height;
    if short {
        rows_data = paired(rows_data);
    }
    let height = (rows_data.len() as u16 + 4).min(area.height);
    let width = if short { 80 } else { 72 }.min(area.width);
    let keys_width = rows_data
        .iter()
        .map(|r| r.keys.chars().count() as u16)
        .max()
        .unwrap_or(0)
        .clamp(16, 30);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    let mut last_group = "";
    let rows: Vec<Row> = rows_data
        .iter()
        .map(|row| {
            let group = if row.group == last_group {
                ""
            } else {
                row.group
            };
            last_group = row.group;
            let keys = Cell::from(Span::styled(row.keys.clone(), theme.style(Slot::FooterKey)));
            if short {
                Row::new(vec![keys, Cell::from(row.description)])
            } else {
                Row::new(vec![
                    Cell::from(Span::styled(group, theme.style(Slot::Muted))),
                    keys,
                    Cell::from(row.description),
                ])
            }
        })
        .collect();
    let widths = if short {
        vec![Constraint::Length(keys_width), Constraint::Min(10)]
    } else {
        vec![
            Constraint::Length(11),
            Constraint::Length(16),
            Constraint::Min(10),
        ]
    };
    let table = Table::new(rows, widths).block(
        Block::bordered()
            .border_style(theme.border(true))
            .title(Span::styled(" Keys — any key closes ", theme.title(true))),
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(table, popup);
}

fn paired(rows: Vec<HelpRow>) -> Vec<HelpRow> {
    let mut out: Vec<HelpRow> = Vec::with_capacity(rows.len());
    for row in rows {
        let pair = PAIRS
            .iter()
            .find(|(_, second, _)| second.description() == row.description);
        match (pair, out.last_mut()) {
            (Some((first, _, both)), Some(last)) if last.description == first.description() => {
                last.keys = format!("{} {}", last.keys, row.keys);
                last.description = both;
            }
            _ => out.push(row),
        }
    }
    out
}

/// The draft's keys only in the comms view; there, r renders the draft anew and the
/// panels' keys give way.
fn comms_rows(app: &App, rows: &mut Vec<HelpRow>) {
    use crate::tui::comms::DRAFT_KEYS;
    let shows = |a: &Action, row: &HelpRow| a.description() == row.description;
    if app.view != crate::tui::app::View::Comms {
        // Copy stays: outside the message view it copies a contact's number.
        rows.retain(|row| {
            !DRAFT_KEYS
                .iter()
                .any(|a| *a != Action::Copy && shows(a, row))
        });
        return;
    }
    view_keys(
        rows,
        &[Action::Refresh],
        (
            Action::Comms.group(),
            app.keymap.label(Action::Refresh),
            "Render the draft anew from the incident (edits lost)",
        ),
    );
}

/// In a view of its own (the checklist, the message view) the panels' keys give way, `also`
/// with them, and a row saying what a key does there opens the view's group.
fn view_keys(
    rows: &mut Vec<HelpRow>,
    also: &[Action],
    (group, keys, description): (&'static str, String, &'static str),
) {
    let elsewhere = [
        Action::Open,
        Action::CountNow,
        Action::NextPanel,
        Action::PrevPanel,
        Action::Filter,
        Action::Search,
    ];
    rows.retain(|row| {
        !elsewhere
            .iter()
            .chain(also)
            .any(|a| a.description() == row.description)
    });
    let at = rows
        .iter()
        .position(|r| r.group == group)
        .unwrap_or(rows.len());
    rows.insert(
        at,
        HelpRow {
            group,
            keys,
            description,
        },
    );
}
