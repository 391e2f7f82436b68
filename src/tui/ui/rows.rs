//! One row per resource in the dashboard's panels: the cells each kind of resource shows,
//! and the names shortened to fit.

use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::widgets::{human_age, region_loss_short, rpo_bar, sparkline};
use crate::cloud::{AlarmState, Failover};
use crate::health::{Facts, Status};
use crate::tui::app::{App, Panel, ResourceView};
use crate::tui::theme::{Slot, Theme};

use super::panel::glyph;

/// The part of the names every row shares, up to a dash ("flightdata-"), which narrow
/// panels replace with "…" so that "…main" and "…metrics" stay tell-apart.
pub(super) fn shared_prefix(views: &[&ResourceView]) -> usize {
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

pub(super) fn display_name(name: &str, elide: usize) -> String {
    if elide == 0 {
        name.to_owned()
    } else {
        format!("…{}", &name[elide..])
    }
}

/// Every cell of a resource's row: the glyph, a placeholder for the name (the panel fits
/// it), then one cell per optional column of the panel, in `Col` order.
pub(super) fn resource_row<'a>(
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
                    if wide { 15 } else { 9 },
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
            // How old the completeness figure is: counts come on their own, slower cadence.
            let oldest = match (&f.count, &f.replica_count) {
                (Some(a), Some(b)) => Some(a.at.min(b.at)),
                (Some(a), None) | (None, Some(a)) => Some(a.at),
                (None, None) => None,
            };
            let counted = match oldest {
                Some(at) => Span::raw(short_age(app, at)),
                None => Span::styled("?", muted),
            };
            cells.extend([
                Cell::from(replica_cell),
                Cell::from(counted),
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
        (Facts::Replica(_), _) | (Facts::Stack(_), _) => {}
    }
    cells
}

/// "now", "40s", "23h 31m": ages in a narrow column, in the app's one duration format.
pub(super) fn short_age(app: &App, t: chrono::DateTime<chrono::Utc>) -> String {
    match human_age(app.now, t).strip_suffix(" ago") {
        Some(age) => age.to_owned(),
        None => "now".to_owned(),
    }
}
