//! The dashboard: the priority matrix across the top, then one panel per kind of resource,
//! each saying how fresh it is and going visibly stale when its refresh fails.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row};

use super::widgets::{fit, plural};
use crate::tui::app::{App, Panel};
use crate::tui::theme::{Slot, Theme};

use super::panel::*;
use super::rows::*;
use super::services::render_services;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    if app.snapshot.is_none() {
        let waiting = Paragraph::new(Line::from(vec![
            Span::styled("Checking the estate… ", theme.style(Slot::Title)),
            Span::styled(
                [
                    plural(app.estate.dynamodb.tables.len(), "table"),
                    plural(app.estate.s3.buckets.len(), "bucket"),
                    plural(app.estate.dns.records.len(), "failover record"),
                    plural(app.estate.cloudwatch.alarms.len(), "alarm"),
                ]
                .join(", "),
                theme.style(Slot::Muted),
            ),
        ]))
        .block(Block::bordered().border_style(theme.border(false)));
        let [top, rest] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(area);
        frame.render_widget(waiting, top);
        render_panels(app, theme, frame, rest);
        return;
    }
    render_panels(app, theme, frame, area);
}

fn render_panels(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let area = match app.incident.as_deref() {
        Some(incident) => {
            // The stopwatches come first; the panels keep at least what they need to be read.
            let services = app.estate.services.len() as u16 + 2;
            let full = super::stopwatch::full_height(incident);
            let height = if area.height >= services + full + 12 {
                full
            } else {
                1
            };
            let [strip, rest] =
                Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
            super::stopwatch::render(app, theme, frame, strip);
            rest
        }
        None => area,
    };
    // Every service must show: borders plus one row each, and a header row when tall.
    let header = u16::from(area.height >= 40);
    let services_height = (app.estate.services.len() as u16 + 2 + header)
        .min(area.height.saturating_sub(12))
        .max(4);
    let [services, rest] =
        Layout::vertical([Constraint::Length(services_height), Constraint::Min(0)]).areas(area);
    render_services(app, theme, frame, services);
    // The Scenarios panel takes what the resource panels can spare (they keep three rows
    // each), down to one line.
    let wanted = super::runbook::scenarios_height(app);
    let spare = rest.height.saturating_sub(9);
    let scenarios = match wanted {
        0 => 0,
        _ if spare >= wanted => wanted,
        _ if spare >= 1 => 1,
        _ => 0,
    };
    let [scenarios_area, rest] =
        Layout::vertical([Constraint::Length(scenarios), Constraint::Min(0)]).areas(rest);
    if scenarios > 0 {
        super::runbook::render_scenarios(app, theme, frame, scenarios_area);
    }
    let pairs = [
        (Panel::Tables, Panel::Buckets),
        (Panel::Functions, Panel::Dns),
        (Panel::Alarms, Panel::Contacts),
    ];
    let rows_of = |panel: Panel| match panel {
        Panel::Contacts => super::contacts::rows_wanted(app),
        _ => app.row_count(panel),
    };
    let wanted = pairs.map(|(l, r)| rows_of(l).max(rows_of(r)) as u16 + 2 + header);
    let rows =
        Layout::vertical(row_heights(wanted, rest.height).map(Constraint::Length)).split(rest);
    for (row, (left, right)) in rows.iter().zip(pairs) {
        let [l, r] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(*row);
        render_resource_panel(app, theme, frame, l, left);
        if right == Panel::Contacts {
            super::contacts::render(app, theme, frame, r);
        } else {
            render_resource_panel(app, theme, frame, r, right);
        }
    }
}

/// Each row of panels gets what it holds when it can; short of room, the last rows give
/// way first (they hold alarms and contacts, the first ones hold the backups).
fn row_heights(wanted: [u16; 3], available: u16) -> [u16; 3] {
    const SMALLEST: u16 = 3;
    let wanted = wanted.map(|w| w.max(SMALLEST));
    let total: u16 = wanted.iter().sum();
    if total <= available {
        let extra = available - total;
        return [
            wanted[0] + extra / 3,
            wanted[1] + extra / 3,
            wanted[2] + extra - 2 * (extra / 3),
        ];
    }
    let third = available
        .saturating_sub(wanted[0] + wanted[1])
        .max(SMALLEST);
    let second = available
        .saturating_sub(wanted[0] + third)
        .max(SMALLEST)
        .min(wanted[1]);
    [available.saturating_sub(second + third), second, third]
}

fn render_resource_panel(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, panel: Panel) {
    let views = app.panel_resources(panel);
    let inner = area.width.saturating_sub(2);
    let wide = inner >= 58;
    let cols: Vec<Col> = match panel {
        Panel::Tables => vec![
            Col {
                header: "PITR",
                width: 4,
                keep: 3,
            },
            Col {
                header: "In-region",
                width: if wide { 15 } else { 9 },
                keep: 5,
            },
            Col {
                header: "Rgn loss",
                width: 8,
                keep: 4,
            },
            Col {
                header: "Backup",
                width: 7,
                keep: 2,
            },
        ],
        Panel::Buckets => vec![
            Col {
                header: "Replica",
                width: 8,
                keep: 5,
            },
            Col {
                header: "Counted",
                width: 7,
                keep: 2,
            },
            Col {
                header: "Latency 1h",
                width: 12,
                keep: 1,
            },
            Col {
                header: "Rgn loss",
                width: 8,
                keep: 4,
            },
            Col {
                header: "Vers",
                width: 4,
                keep: 3,
            },
        ],
        Panel::Functions => vec![
            Col {
                header: "Backup",
                width: 7,
                keep: 4,
            },
            Col {
                header: "Rgn loss",
                width: 8,
                keep: 3,
            },
            Col {
                header: "Conc",
                width: 5,
                keep: 5,
            },
        ],
        Panel::Dns => vec![
            Col {
                header: "Serving",
                width: 9,
                keep: 5,
            },
            Col {
                header: "Health",
                width: 7,
                keep: 4,
            },
        ],
        _ => vec![Col {
            header: "State",
            width: 9,
            keep: 5,
        }],
    };
    let (shown, name_width) = choose(&cols, inner, 10, 0);
    let longest = views
        .iter()
        .map(|v| v.health.name.chars().count())
        .max()
        .unwrap_or(0);
    // Elide the shared prefix only when the names would not fit.
    let elide = if longest > name_width as usize {
        shared_prefix(&views)
    } else {
        0
    };
    let rows: Vec<Row> = views
        .iter()
        .map(|v| {
            let mut cells = resource_row(app, theme, panel, v, wide);
            let rest = cells.split_off(2);
            let name = display_name(&v.health.name, elide);
            cells[1] = Cell::from(Span::styled(
                fit(&name, name_width as usize),
                if v.stale.is_some() {
                    theme.style(Slot::Muted)
                } else {
                    theme.style(Slot::Text)
                },
            ));
            cells.extend(
                rest.into_iter()
                    .zip(&shown)
                    .filter(|(_, s)| **s)
                    .map(|(c, _)| c),
            );
            Row::new(cells)
        })
        .collect();
    let title = match panel {
        Panel::Tables => "Table",
        Panel::Buckets => "Bucket",
        Panel::Functions => "Function",
        Panel::Dns => "Record",
        _ => "Alarm",
    };
    let mut widths = vec![Constraint::Length(1), Constraint::Length(name_width)];
    let mut header = vec!["", title];
    for (col, _) in cols.iter().zip(&shown).filter(|(_, s)| **s) {
        widths.push(Constraint::Length(col.width));
        header.push(col.header);
    }
    let (hidden, with_header) = fit_rows(area, rows.len());
    let block = panel_block(app, theme, panel, &views, hidden);
    let table = table(rows, widths, Row::new(header), block, with_header, theme);
    draw(app, theme, frame, area, panel, table);
}

#[cfg(test)]
mod tests {
    use super::row_heights;

    #[test]
    fn shared_prefixes_are_cut_on_character_boundaries() {
        use crate::health::{Facts, ResourceHealth, ResourceKind, Status};
        use crate::tui::app::ResourceView;
        let view = |name: &str| ResourceView {
            health: ResourceHealth {
                kind: ResourceKind::Alarm,
                name: name.to_owned(),
                region: "r".into(),
                service: None,
                services: Vec::new(),
                status: Status::Ok,
                reasons: Vec::new(),
                rpo_exposure_secs: None,
                rpo_target_secs: None,
                region_loss: None,
                facts: Facts::Alarm(crate::health::AlarmFacts {
                    exists: true,
                    state: None,
                    reason: None,
                    updated: None,
                }),
                error: None,
                fetched_at: chrono::DateTime::UNIX_EPOCH,
            },
            stale: None,
        };
        let views = [
            view("flightdata-é1"),
            view("flightdata-è2"),
            view("flightdata-ê3"),
        ];
        let refs: Vec<&ResourceView> = views.iter().collect();
        let cut = super::shared_prefix(&refs);
        assert_eq!(cut, "flightdata-".len());
        assert_eq!(super::display_name("flightdata-é1", cut), "…é1");
        let views = [view("ab-éx-1"), view("ab-éy-2")];
        let refs: Vec<&ResourceView> = views.iter().collect();
        assert_eq!(super::shared_prefix(&refs), "ab-".len());
    }

    #[test]
    fn rows_get_what_they_hold_and_the_last_gives_way_first() {
        assert_eq!(row_heights([5, 5, 11], 14), [5, 5, 4]);
        assert_eq!(row_heights([6, 6, 12], 36), [10, 10, 16]);
        assert_eq!(
            row_heights([2, 2, 2], 3),
            [0, 3, 3],
            "tiny screens never panic"
        );
        assert_eq!(row_heights([5, 5, 5], 0), [0, 3, 3]);
    }
}
