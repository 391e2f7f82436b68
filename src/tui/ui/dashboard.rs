//! The dashboard: the priority matrix across the top, then one panel per kind of resource,
//! each saying how fresh it is and going visibly stale when its refresh fails.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::widgets::{clock, human_age, rpo_bar, sparkline};
use crate::cloud::{AlarmState, Failover};
use crate::health::{Facts, Status, human_duration};
use crate::tui::app::{App, Panel, ResourceView};
use crate::tui::theme::{Slot, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    if app.snapshot.is_none() {
        let waiting = Paragraph::new(Line::from(vec![
            Span::styled("Checking the estate… ", theme.style(Slot::Title)),
            Span::styled(
                format!(
                    "{} tables, {} buckets, {} failover records, {} alarms",
                    app.estate.dynamodb.tables.len(),
                    app.estate.s3.buckets.len(),
                    app.estate.dns.records.len(),
                    app.estate.cloudwatch.alarms.len()
                ),
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
    // Every service must show: borders plus one row each, and a header row when tall.
    let header = u16::from(area.height >= 40);
    let services_height = (app.estate.services.len() as u16 + 2 + header)
        .min(area.height.saturating_sub(12))
        .max(4);
    let [services, rest] =
        Layout::vertical([Constraint::Length(services_height), Constraint::Min(0)]).areas(area);
    render_services(app, theme, frame, services);
    let pairs = [
        (Panel::Tables, Panel::Buckets),
        (Panel::Functions, Panel::Dns),
        (Panel::Alarms, Panel::Contacts),
    ];
    let wanted = pairs.map(|(l, r)| app.row_count(l).max(app.row_count(r)) as u16 + 2 + header);
    let rows =
        Layout::vertical(row_heights(wanted, rest.height).map(Constraint::Length)).split(rest);
    for (row, (left, right)) in rows.iter().zip(pairs) {
        let [l, r] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(*row);
        render_resource_panel(app, theme, frame, l, left);
        if right == Panel::Contacts {
            render_contacts(app, theme, frame, r);
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

fn glyph(theme: &Theme, status: Status) -> Cell<'static> {
    Cell::from(Span::styled(
        theme.status_glyph(status),
        theme.status(status),
    ))
}

/// A bordered panel with its freshness on the right of the title and, when stale, the error
/// along the bottom border.
fn panel_block<'a>(app: &App, theme: &Theme, panel: Panel, views: &[&ResourceView]) -> Block<'a> {
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
    block
}

fn table<'a>(
    rows: Vec<Row<'a>>,
    widths: Vec<Constraint>,
    header: Row<'a>,
    block: Block<'a>,
    area: Rect,
    theme: &Theme,
) -> (Table<'a>, bool) {
    // A header row only when it doesn't push data rows out of sight.
    let with_header = area.height.saturating_sub(2) as usize > rows.len();
    let mut table = Table::new(rows, widths).block(block).column_spacing(1);
    if with_header {
        table = table.header(header.style(theme.style(Slot::Muted).add_modifier(Modifier::BOLD)));
    }
    (table, with_header)
}

fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, panel: Panel, table: Table<'_>) {
    let mut state = TableState::default();
    if app.focus == panel {
        state.select(Some(app.selected(panel)));
    }
    let table = table.row_highlight_style(theme.style(Slot::Selection));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_services(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let snapshot = app.snapshot.as_ref();
    let rows: Vec<Row> = app
        .estate
        .services
        .iter()
        .map(|service| {
            let health = snapshot.and_then(|s| s.services.iter().find(|h| h.name == service.name));
            let status = health.map_or(Status::Unknown, |h| h.status);
            let mut bar = rpo_bar(
                theme,
                health.and_then(|h| h.worst_exposure_secs),
                Some(service.rpo.as_secs()),
                6,
            );
            if health.is_some_and(|h| h.worst_exposure_secs.is_none()) {
                bar = vec![Span::styled("-", theme.style(Slot::Muted))];
            }
            let reason = health
                .and_then(|h| h.reasons.first())
                .cloned()
                .unwrap_or_default();
            Row::new(vec![
                glyph(theme, status),
                Cell::from(service.name.clone()),
                Cell::from(format!("{:?}", service.priority)),
                Cell::from(human_duration(service.rto.as_secs())),
                Cell::from(human_duration(service.rpo.as_secs())),
                Cell::from(Line::from(bar)),
                Cell::from(Span::styled(reason, theme.status(status))),
            ])
        })
        .collect();
    let widths = vec![
        Constraint::Length(1),
        Constraint::Length(23),
        Constraint::Length(3),
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Length(17),
        Constraint::Min(10),
    ];
    let header = Row::new(["", "Service", "Pri", "RTO", "RPO", "RPO exposure", "Why"]);
    let views: Vec<&ResourceView> = app.resources.iter().collect();
    let block = panel_block(app, theme, Panel::Services, &views);
    let (table, _) = table(rows, widths, header, block, area, theme);
    draw(app, theme, frame, area, Panel::Services, table);
}

fn render_resource_panel(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, panel: Panel) {
    let views = app.panel_resources(panel);
    let longest = views
        .iter()
        .map(|v| v.health.name.chars().count())
        .max()
        .unwrap_or(0);
    // Elide the shared prefix only when the names would not fit beside the other columns.
    let elide = if (area.width as usize) < longest + 40 {
        shared_prefix(&views)
    } else {
        0
    };
    // On a narrow panel the exposure is text alone, coloured like the bar would be.
    let bar_width = if area.width < 60 { 0 } else { 4 };
    let rows: Vec<Row> = views
        .iter()
        .map(|v| resource_row(app, theme, panel, v, elide, bar_width))
        .collect();
    let (header, widths): (&[&str], Vec<Constraint>) = match panel {
        Panel::Tables => (
            &["", "Table", "PITR", "Exposure", "Backup"],
            vec![
                Constraint::Length(1),
                Constraint::Min(12),
                Constraint::Length(4),
                Constraint::Length(if area.width < 60 { 11 } else { 15 }),
                Constraint::Length(7),
            ],
        ),
        Panel::Buckets => (
            &["", "Bucket", "Replica", "Latency 1h", "Vers"],
            vec![
                Constraint::Length(1),
                Constraint::Min(12),
                Constraint::Length(7),
                Constraint::Length(12),
                Constraint::Length(4),
            ],
        ),
        Panel::Functions => (
            &["", "Function", "Backup", "Conc"],
            vec![
                Constraint::Length(1),
                Constraint::Min(12),
                Constraint::Length(12),
                Constraint::Length(5),
            ],
        ),
        Panel::Dns => (
            &["", "Record", "Serving", "Health"],
            vec![
                Constraint::Length(1),
                Constraint::Min(12),
                Constraint::Length(9),
                Constraint::Length(7),
            ],
        ),
        _ => (
            &["", "Alarm", "State"],
            vec![
                Constraint::Length(1),
                Constraint::Min(12),
                Constraint::Length(9),
            ],
        ),
    };
    let block = panel_block(app, theme, panel, &views);
    let (table, _) = table(rows, widths, Row::new(header.to_vec()), block, area, theme);
    draw(app, theme, frame, area, panel, table);
}

/// The part of the names every row shares, up to a dash ("flightdata-"), which narrow
/// panels replace with "…" so that "…main" and "…metrics" stay tell-apart.
fn shared_prefix(views: &[&ResourceView]) -> usize {
    let mut names = views.iter().map(|v| v.health.name.as_str());
    let Some(first) = names.next() else { return 0 };
    // Compare by characters, so the cut always lands on a character boundary.
    let common = names.fold(first.len(), |n, name| {
        first
            .char_indices()
            .zip(name.chars())
            .take_while(|((i, a), b)| *i < n && a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
    });
    if views.len() < 2 {
        0
    } else {
        first[..common].rfind('-').map_or(0, |i| i + 1)
    }
}

fn display_name(name: &str, elide: usize) -> String {
    if elide == 0 {
        name.to_owned()
    } else {
        format!("…{}", &name[elide..])
    }
}

fn resource_row<'a>(
    app: &App,
    theme: &Theme,
    panel: Panel,
    view: &ResourceView,
    elide: usize,
    bar_width: usize,
) -> Row<'a> {
    let h = &view.health;
    let muted = theme.style(Slot::Muted);
    let name_style = if view.stale.is_some() {
        muted
    } else {
        theme.style(Slot::Text)
    };
    let name = Cell::from(Span::styled(display_name(&h.name, elide), name_style));
    // A bucket is only as healthy as its replica.
    let replica = app.replica_of(&h.name).filter(|_| panel == Panel::Buckets);
    let status = replica.map_or(h.status, |r| r.health.status.max(h.status));
    let mut cells = vec![glyph(theme, status), name];
    match (&h.facts, panel) {
        (Facts::Table(f), _) => {
            let pitr = match f.pitr_enabled {
                Some(true) => Span::styled("on", theme.status(Status::Ok)),
                Some(false) => Span::styled("OFF", theme.status(Status::Critical)),
                None => Span::styled("?", muted),
            };
            // "none" only when the list was read and was empty; unread is "?".
            let backup = match (&f.newest_backup, f.backup_count) {
                (Some(b), _) => Span::raw(short_age(app, b.created)),
                (None, Some(0)) => Span::styled("none", theme.status(Status::Warn)),
                (None, _) => Span::styled("?", muted),
            };
            cells.push(Cell::from(pitr));
            cells.push(Cell::from(Line::from(rpo_bar(
                theme,
                h.rpo_exposure_secs,
                h.rpo_target_secs,
                bar_width,
            ))));
            cells.push(Cell::from(backup));
        }
        (Facts::Bucket(f), _) => {
            let replica = match f.completeness_percent {
                Some(p) => Span::styled(
                    format!("{p:>5.1}%"),
                    theme.status(if p < f.threshold_percent {
                        Status::Warn
                    } else {
                        Status::Ok
                    }),
                ),
                None if f.replication_checked && f.rule_destination.is_none() => {
                    Span::styled("none", theme.status(Status::Critical))
                }
                None => Span::styled("?", muted),
            };
            let latency: Vec<f64> = f.latency_series.iter().map(|(_, v)| *v).collect();
            let spark = if latency.is_empty() {
                Span::styled("no metrics", muted)
            } else {
                sparkline(&latency, 12, theme.style(Slot::Sparkline))
            };
            let versioning = match f.versioning {
                Some(crate::cloud::Versioning::Enabled) => {
                    Span::styled("on", theme.status(Status::Ok))
                }
                Some(_) => Span::styled("OFF", theme.status(Status::Critical)),
                None => Span::styled("?", muted),
            };
            cells.extend([
                Cell::from(replica),
                Cell::from(spark),
                Cell::from(versioning),
            ]);
        }
        (Facts::Function(f), _) => {
            let backup = match (&f.backup_location, f.backup_time) {
                (Some(_), Some(t)) => Span::raw(short_age(app, t)),
                (Some(_), None) => Span::raw("found"),
                (None, _) if !f.backups_checked => Span::styled("?", muted),
                (None, _) => Span::styled("MISSING", theme.status(Status::Critical)),
            };
            let conc = match f.reserved_concurrency {
                Some(0) => Span::styled("0 ■", theme.status(Status::Warn)),
                Some(n) => Span::raw(n.to_string()),
                None => Span::styled("-", muted),
            };
            cells.extend([Cell::from(backup), Cell::from(conc)]);
        }
        (Facts::Dns(f), _) => {
            let serving = match f.serving {
                Some(Failover::Primary) => Span::styled("PRIMARY", theme.status(Status::Ok)),
                Some(Failover::Secondary) => Span::styled("SECONDARY", theme.status(Status::Warn)),
                None if f.records_checked => Span::styled("none", theme.status(Status::Critical)),
                None => Span::styled("?", muted),
            };
            let health = match f.primary_healthy {
                Some(true) => Span::styled("healthy", theme.status(Status::Ok)),
                Some(false) => Span::styled("failing", theme.status(Status::Critical)),
                None => Span::styled("-", muted),
            };
            cells.extend([Cell::from(serving), Cell::from(health)]);
        }
        (Facts::Alarm(f), _) => {
            let state = match f.state {
                Some(AlarmState::Ok) => Span::styled("OK", theme.status(Status::Ok)),
                Some(AlarmState::Alarm) => Span::styled("ALARM", theme.status(Status::Critical)),
                Some(AlarmState::InsufficientData) => {
                    Span::styled("NO DATA", theme.status(Status::Warn))
                }
                None => Span::styled("?", muted),
            };
            cells.push(Cell::from(state));
        }
        (Facts::Replica(_), _) => {}
    }
    Row::new(cells)
}

/// "now", "40s", "23h31m": ages in a narrow column.
fn short_age(app: &App, t: chrono::DateTime<chrono::Utc>) -> String {
    match human_age(app.now, t).strip_suffix(" ago") {
        Some(age) => age.replace(' ', ""),
        None => "now".to_owned(),
    }
}

fn render_contacts(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
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
    let focused = app.focus == Panel::Contacts;
    let block = Block::bordered()
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", Panel::Contacts.title()),
            theme.title(focused),
        ));
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
    let (table, _) = table(rows, widths, header, block, area, theme);
    draw(app, theme, frame, area, Panel::Contacts, table);
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
