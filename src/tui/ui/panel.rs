//! What every dashboard panel is made of: the bordered block with its freshness and "+N
//! more", the status glyph (dimmed when stale), and columns that are dropped whole, never cut.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

use super::widgets::clock;
use crate::health::Status;
use crate::tui::app::{App, Panel, ResourceView};
use crate::tui::theme::{Slot, Theme};

pub(super) fn glyph(theme: &Theme, status: Status, stale: bool) -> Cell<'static> {
    // A stale reading keeps its glyph, dimmed: never a bright green it cannot vouch for.
    let style = if stale {
        theme.style(Slot::Muted)
    } else {
        theme.status(status)
    };
    Cell::from(Span::styled(theme.status_glyph(status), style))
}

/// A bordered panel with its freshness on the right of the title and, when stale, the error
/// along the bottom border; "+N more" at the bottom right when rows do not fit.
pub(super) fn panel_block<'a>(
    app: &App,
    theme: &Theme,
    panel: Panel,
    views: &[&ResourceView],
    hidden: usize,
) -> Block<'a> {
    let focused = app.focus == panel;
    let mut block = Block::bordered()
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", panel.title()),
            theme.title(focused),
        ));
    let stale = views
        .iter()
        .filter_map(|v| v.stale.as_ref())
        .min_by_key(|s| s.since);
    if let Some(stale) = stale {
        block = block
            .title(
                Line::from(Span::styled(
                    format!(" stale since {}Z ", clock(stale.since)),
                    theme.status(Status::Warn),
                ))
                .alignment(Alignment::Right),
            )
            .title_bottom(Line::from(Span::styled(
                format!(" {} ", stale.error),
                theme.status(Status::Warn),
            )));
    } else if let Some(fetched) = views.iter().map(|v| v.health.fetched_at).min() {
        block = block.title(
            Line::from(Span::styled(
                format!(" {}Z ", clock(fetched)),
                theme.style(Slot::Muted),
            ))
            .alignment(Alignment::Right),
        );
    }
    more(block, hidden, theme)
}

pub(super) fn more<'a>(block: Block<'a>, hidden: usize, theme: &Theme) -> Block<'a> {
    if hidden == 0 {
        return block;
    }
    block.title_bottom(
        Line::from(Span::styled(
            format!(" +{hidden} more "),
            theme.style(Slot::Title),
        ))
        .alignment(Alignment::Right),
    )
}

/// Rows the panel cannot show at this height, and whether it has room for a header row.
pub(super) fn fit_rows(area: Rect, rows: usize) -> (usize, bool) {
    let inner = area.height.saturating_sub(2) as usize;
    // A header row only when it doesn't push data rows out of sight.
    let with_header = inner > rows;
    let visible = if with_header { inner - 1 } else { inner };
    (rows.saturating_sub(visible), with_header)
}

pub(super) fn table<'a>(
    rows: Vec<Row<'a>>,
    widths: Vec<Constraint>,
    header: Row<'a>,
    block: Block<'a>,
    with_header: bool,
    theme: &Theme,
) -> Table<'a> {
    let mut table = Table::new(rows, widths).block(block).column_spacing(1);
    if with_header {
        table = table.header(header.style(theme.style(Slot::Muted).add_modifier(Modifier::BOLD)));
    }
    table
}

pub(super) fn draw(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    panel: Panel,
    table: Table<'_>,
) {
    let mut state = TableState::default();
    if app.focus == panel {
        state.select(Some(app.selected(panel)));
    }
    let table = table.row_highlight_style(theme.style(Slot::Selection));
    frame.render_stateful_widget(table, area, &mut state);
}

/// A column after the glyph and the name: its header, its width, and how long it stays when
/// room runs out (higher stays longer). A column that does not fit is dropped whole, so no
/// figure is ever cut in the middle.
pub(super) struct Col {
    pub header: &'static str,
    pub width: u16,
    pub keep: u8,
}

/// Which columns to show in `inner` columns of width, keeping at least `name_min` for the
/// name (and `tail_min` for a last free column, if any), and the name's width.
pub(super) fn choose(cols: &[Col], inner: u16, name_min: u16, tail_min: u16) -> (Vec<bool>, u16) {
    let mut shown = vec![true; cols.len()];
    let used = |shown: &[bool]| -> u16 {
        let fixed: u16 = cols
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.width + 1)
            .sum();
        // glyph + space, then the name, then each shown column with its space.
        2 + fixed + tail_min + u16::from(tail_min > 0)
    };
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|i| cols[*i].keep);
    for i in order {
        if used(&shown) + name_min <= inner {
            break;
        }
        shown[i] = false;
    }
    (shown.clone(), inner.saturating_sub(used(&shown)).max(1))
}
