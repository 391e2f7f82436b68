//! The dashboard: the priority matrix across the top, then one panel per kind of resource,
//! each saying how fresh it is and going visibly stale when its refresh fails.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::widgets::{clock, fit, human_age, plural, region_loss_short, rpo_bar, sparkline};
use crate::cloud::{AlarmState, Failover};
use crate::health::{Facts, Status, human_duration};
use crate::tui::app::{App, Panel, ResourceView};
use crate::tui::theme::{Slot, Theme};

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

fn glyph(theme: &Theme, status: Status, stale: bool) -> Cell<'static> {
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
fn panel_block<'a>(
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

fn more<'a>(block: Block<'a>, hidden: usize, theme: &Theme) -> Block<'a> {
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
fn fit_rows(area: Rect, rows: usize) -> (usize, bool) {
    let inner = area.height.saturating_sub(2) as usize;
    // A header row only when it doesn't push data rows out of sight.
    let with_header = inner > rows;
    let visible = if with_header { inner - 1 } else { inner };
    (rows.saturating_sub(visible), with_header)
}

fn table<'a>(
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

fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, panel: Panel, table: Table<'_>) {
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
struct Col {
    header: &'static str,
    width: u16,
    keep: u8,
}

/// Which columns to show in `inner` columns of width, keeping at least `name_min` for the
/// name (and `tail_min` for a last free column, if any), and the name's width.
fn choose(cols: &[Col], inner: u16, name_min: u16, tail_min: u16) -> (Vec<bool>, u16) {
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

fn render_services(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
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
            let now: Vec<Span> = match exposure {
                None => vec![Span::styled("?", theme.style(Slot::Muted))],
                Some(_) => rpo_bar(theme, exposure, Some(rpo), if bar { 6 } else { 0 }),
            };
            let (loss, loss_status) = match health {
                Some(h) if h.region_loss_unbounded => ("ALL".to_owned(), Status::Critical),
                Some(h) => match (h.worst_region_loss_secs, h.region_loss_rpo_met) {
                    (Some(e), Some(false)) => (human_duration(e), Status::Critical),
                    (Some(e), _) => (human_duration(e), Status::Ok),
                    (None, _) => ("?".to_owned(), Status::Unknown),
                },
                None => ("?".to_owned(), Status::Unknown),
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
fn worst_reason(views: &[&ResourceView], width: usize) -> String {
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

/// Every cell of a resource's row: the glyph, a placeholder for the name (the panel fits
/// it), then one cell per optional column of the panel, in `Col` order.
fn resource_row<'a>(
    app: &App,
    theme: &Theme,
    panel: Panel,
    view: &ResourceView,
    wide: bool,
) -> Vec<Cell<'a>> {
    let h = &view.health;
    let muted = theme.style(Slot::Muted);
    let stale = view.stale.is_some();
    let mut cells = vec![glyph(theme, h.status, stale), Cell::from("")];
    let loss = |target: Option<u64>| {
        let (text, status) = region_loss_short(h.region_loss.as_ref(), target);
        let style = if text == "-" || text == "?" {
            muted
        } else {
            theme.status(status)
        };
        Cell::from(Span::styled(text, style))
    };
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
            let exposure = match h.rpo_exposure_secs {
                None => vec![Span::styled("?", muted)],
                Some(_) => rpo_bar(
                    theme,
                    h.rpo_exposure_secs,
                    h.rpo_target_secs,
                    if wide { 4 } else { 0 },
                ),
            };
            cells.extend([
                Cell::from(pitr),
                Cell::from(Line::from(exposure)),
                loss(h.rpo_target_secs),
                Cell::from(backup),
            ]);
        }
        (Facts::Bucket(f), _) => {
            // The replica is judged from its own reads in the backup region: it shows its
            // own glyph, and its completeness only when the source could be counted too.
            let replica = app.replica_of(&h.name);
            let replica_cell = match (replica, f.completeness_percent) {
                (_, Some(p)) => Span::styled(
                    format!("{p:>5.1}%"),
                    theme.status(if p < f.threshold_percent {
                        Status::Warn
                    } else {
                        Status::Ok
                    }),
                ),
                (Some(r), None) => Span::styled(
                    format!(
                        "{} {}",
                        theme.status_glyph(r.health.status),
                        if r.health.error.is_none() {
                            "read"
                        } else {
                            "?"
                        }
                    ),
                    theme.status(r.health.status),
                ),
                (None, None) if f.replication_checked && f.rule_destination.is_none() => {
                    Span::styled("none", theme.status(Status::Critical))
                }
                (None, None) => Span::styled("?", muted),
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
                Cell::from(replica_cell),
                Cell::from(spark),
                loss(h.rpo_target_secs),
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
            cells.extend([
                Cell::from(backup),
                loss(h.rpo_target_secs),
                Cell::from(conc),
            ]);
        }
        (Facts::Dns(f), _) => {
            let serving = match f.serving {
                Some(Failover::Primary) => Span::styled("PRIMARY", theme.status(Status::Ok)),
                Some(Failover::Secondary) => Span::styled("SECONDARY", theme.status(Status::Warn)),
                None => Span::styled("?", muted),
            };
            let health = match f.primary_healthy {
                Some(true) => Span::styled("healthy", theme.status(Status::Ok)),
                Some(false) => Span::styled("failing", theme.status(Status::Critical)),
                None => Span::styled("?", muted),
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
    cells
}

/// "now", "40s", "23h 31m": ages in a narrow column, in the app's one duration format.
fn short_age(app: &App, t: chrono::DateTime<chrono::Utc>) -> String {
    match human_age(app.now, t).strip_suffix(" ago") {
        Some(age) => age.to_owned(),
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
    let (hidden, with_header) = fit_rows(area, rows.len());
    let block = Block::bordered()
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", Panel::Contacts.title()),
            theme.title(focused),
        ));
    let block = more(block, hidden, theme);
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
