//! The help popup: every key, grouped, from the same table that drives the footer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, Clear, Row, Table};

use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows_data = app.keymap.help_rows();
    let height = (rows_data.len() as u16 + 4).min(area.height);
    let width = 72.min(area.width);
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
            Row::new(vec![
                Cell::from(Span::styled(group, theme.style(Slot::Muted))),
                Cell::from(Span::styled(row.keys.clone(), theme.style(Slot::FooterKey))),
                Cell::from(row.description),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(11),
            Constraint::Length(16),
            Constraint::Min(10),
        ],
    )
    .block(
        Block::bordered()
            .border_style(theme.border(true))
            .title(Span::styled(" Keys — any key closes ", theme.title(true))),
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(table, popup);
}
