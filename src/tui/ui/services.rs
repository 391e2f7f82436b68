//! The priority matrix across the top of the dashboard: each service's status, its RPO now
//! and if the primary region is lost, and its worst reason with how many more.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::panel::*;
use super::widgets::{fit, rpo_bar};
use crate::health::{Status, human_duration};
use crate::tui::app::{App, Panel, ResourceView};
use crate::tui::theme::{Slot, Theme};

pub(super) fn render_services(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inner = area.width.saturating_sub(2);
    let bar = inner >= 120;
    let loss_header: &'static str = if inner >= 120 {
        "If primary lost"
    } else {
        "Rgn loss"
    };
    let cols = [
        Col {
            header: "Pri",
            width: 3,
            keep: 1,
        },
        Col {
            header: "RTO",
            width: 4,
            keep: 2,
        },
        Col {
            header: "RPO",
            width: 4,
            keep: 4,
        },
        Col {
            header: "RPO now",
            width: if bar { 17 } else { 9 },
            keep: 5,
        },
        Col {
            header: loss_header,
            width: if inner >= 120 { 15 } else { 8 },
            keep: 5,
        },
    ];
    let longest = app
        .estate
        .services
        .iter()
        .map(|s| s.name.chars().count())
        .max();
    let name_want = (longest.unwrap_or(7) as u16).min(23);
    // The reason keeps at least 30 columns: columns give way first, then the name.
    // A service's name is worth more than its priority and RTO, which give way first.
    let (shown, _) = choose(&cols, inner, name_want.min(16), 30);
    let fixed: u16 = cols
        .iter()
        .zip(&shown)
        .filter(|(_, s)| **s)
        .map(|(c, _)| c.width + 1)
        .sum();
    let name_width = name_want.min(inner.saturating_sub(3 + fixed + 30)).max(8);
    // glyph and space, the name and its space, the columns with theirs.
    let reason_width = inner.saturating_sub(3 + name_width + fixed) as usize;

    let rows: Vec<Row> = app
        .estate
        .services
        .iter()
        .map(|service| {
            let health = app.service(&service.name);
            let status = health.map_or(Status::Unknown, |h| h.status);
            let views = app.service_resources(&service.name);
            let stale = views.iter().any(|v| v.stale.is_some());
            let rpo = service.rpo.as_secs();
            let exposure = health.and_then(|h| h.worst_exposure_secs);
            // "-" where no resource has such a figure; "?" where one could not be read.
            let unread = health.is_none() || views.iter().any(|v| v.health.error.is_some());
            let blank = || if unread { "?" } else { "-" };
            let now: Vec<Span> = match exposure {
                None => vec![Span::styled(blank(), theme.style(Slot::Muted))],
                Some(_) => rpo_bar(
                    theme,
                    exposure,
                    Some(rpo),
                    if bar { 6 } else { 0 },
                    if bar { 17 } else { 9 },
                ),
            };
            let (loss, loss_status) = match health {
                Some(h) if h.region_loss_unbounded => ("ALL".to_owned(), Status::Critical),
                Some(h) => match (h.worst_region_loss_secs, h.region_loss_rpo_met) {
                    (Some(e), Some(false)) => (human_duration(e), Status::Critical),
                    (Some(e), _) => (human_duration(e), Status::Ok),
                    (None, _) => (blank().to_owned(), Status::Unknown),
                },
                None => (blank().to_owned(), Status::Unknown),
            };
            let mut cells = vec![
                glyph(theme, status, stale),
                Cell::from(fit(&service.name, name_width as usize)),
            ];
            let optional = [
                Cell::from(format!("{:?}", service.priority)),
                Cell::from(human_duration(service.rto.as_secs())),
                Cell::from(human_duration(rpo)),
                Cell::from(Line::from(now)),
                Cell::from(Span::styled(loss, theme.status(loss_status))),
            ];
            cells.extend(
                optional
                    .into_iter()
                    .zip(&shown)
                    .filter(|(_, s)| **s)
                    .map(|(c, _)| c),
            );
            cells.push(Cell::from(Span::styled(
                worst_reason(&views, reason_width),
                theme.status(status),
            )));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(1), Constraint::Length(name_width)];
    let mut header = vec!["", "Service"];
    for (col, _) in cols.iter().zip(&shown).filter(|(_, s)| **s) {
        widths.push(Constraint::Length(col.width));
        header.push(col.header);
    }
    widths.push(Constraint::Min(1));
    header.push("Why (worst first)");
    let views: Vec<&ResourceView> = app.resources.iter().collect();
    let (hidden, with_header) = fit_rows(area, rows.len());
    let block = panel_block(app, theme, Panel::Services, &views, hidden);
    let table = table(rows, widths, Row::new(header), block, with_header, theme);
    draw(app, theme, frame, area, Panel::Services, table);
}

/// The most severe reason of the worst resource, then "+N more" for every other reason, all
/// within `width` columns: the count is never the part that is cut.
pub(super) fn worst_reason(views: &[&ResourceView], width: usize) -> String {
    let mut reasons = views
        .iter()
        .filter(|v| v.health.status != Status::Ok)
        .flat_map(|v| {
            let h = &v.health;
            h.reasons.iter().map(move |r| format!("{}: {r}", h.name))
        });
    let Some(first) = reasons.next() else {
        return String::new();
    };
    let others = reasons.count();
    if others == 0 {
        return fit(&first, width);
    }
    let tail = format!(" +{others} more");
    let room = width.saturating_sub(tail.chars().count());
    format!("{}{tail}", fit(&first, room))
}
