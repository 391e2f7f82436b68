//! The region banner under the header: when a region cannot be reached, that comes first,
//! with what still answers and where DNS points — read from the newest snapshot only, never
//! from the stale readings the panels keep.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::clock;
use crate::cloud::Failover;
use crate::health::{Facts, HealthSnapshot, ResourceKind, Status};
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// The banner's words, long and short (for narrow terminals), or `None` while every region
/// answers.
pub fn text(app: &App) -> Option<(String, String)> {
    let snap = app.snapshot.as_ref()?;
    let down: Vec<(String, String)> = snap
        .regions
        .iter()
        .filter(|r| r.is_unreachable())
        .map(|r| {
            let since = app
                .unreachable_since
                .get(&r.region)
                .copied()
                .unwrap_or(snap.generated_at);
            (r.region.clone(), short_clock(since))
        })
        .collect();
    if down.is_empty() {
        return None;
    }
    let up: Vec<Answering> = snap
        .regions
        .iter()
        .filter(|r| !r.is_unreachable())
        .map(|r| {
            let state = if r.reachable == Some(true) {
                "ok"
            } else {
                "unknown"
            };
            (r.region.clone(), replicas_readable(snap, &r.region), state)
        })
        .collect();
    let dns = dns_state(snap);
    let long_down: Vec<String> = down
        .iter()
        .map(|(r, t)| format!("{r} unreachable since {t}Z"))
        .collect();
    let mut long_up: Vec<String> = up
        .iter()
        .map(|(r, replicas, state)| match replicas {
            Some((read, all)) => format!(
                "{r} {state}: {read}/{all} {} readable",
                if *all == 1 { "replica" } else { "replicas" }
            ),
            None => format!("{r} {state}"),
        })
        .collect();
    long_up.extend(dns.as_ref().map(|d| format!("DNS {d}")));
    let short_down: Vec<String> = down
        .iter()
        .map(|(r, t)| format!("{r} DOWN since {t}Z"))
        .collect();
    let mut short_up: Vec<String> = up
        .iter()
        .map(|(r, replicas, state)| match replicas {
            Some((read, all)) => format!("{r} {state} ({read}/{all} replicas)"),
            None => format!("{r} {state}"),
        })
        .collect();
    short_up.extend(dns.map(|d| format!("DNS {}", d.trim_start_matches("serving "))));
    let join = |down: Vec<String>, up: Vec<String>| {
        let mut text = down.join(", ");
        if !up.is_empty() {
            text.push_str(" — ");
            text.push_str(&up.join(", "));
        }
        text
    };
    Some((join(long_down, long_up), join(short_down, short_up)))
}

fn short_clock(t: chrono::DateTime<chrono::Utc>) -> String {
    clock(t)[..5].to_owned()
}

/// A region that answers: its name, its replicas read of all, and "ok" or "unknown".
type Answering<'a> = (String, Option<(usize, usize)>, &'a str);

/// Replicas of the region read without an error, and all of them; `None` if it has none.
fn replicas_readable(snap: &HealthSnapshot, region: &str) -> Option<(usize, usize)> {
    let replicas: Vec<_> = snap
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Replica && r.region == region)
        .collect();
    let readable = replicas
        .iter()
        .filter(|r| {
            r.error.is_none() && matches!(&r.facts, Facts::Replica(f) if f.exists == Some(true))
        })
        .count();
    (!replicas.is_empty()).then_some((readable, replicas.len()))
}

/// "serving SECONDARY", or "unknown" when Route53 could not be read: its API lives
/// in us-east-1, and a guess here is exactly what must not be shown.
fn dns_state(snap: &HealthSnapshot) -> Option<String> {
    let records: Vec<Option<Failover>> = snap
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Dns)
        .map(|r| match &r.facts {
            Facts::Dns(f) if r.error.is_none() && f.records_checked => f.serving,
            _ => None,
        })
        .collect();
    let first = *records.first()?;
    let word = |f: Failover| match f {
        Failover::Primary => "PRIMARY",
        Failover::Secondary => "SECONDARY",
    };
    Some(match first {
        Some(f) if records.iter().all(|r| *r == Some(f)) => format!("serving {}", word(f)),
        _ if records.iter().any(Option::is_none) => "unknown".to_owned(),
        _ => {
            let secondary = records
                .iter()
                .filter(|r| **r == Some(Failover::Secondary))
                .count();
            format!(
                "serving SECONDARY for {secondary} of {} records",
                records.len()
            )
        }
    })
}

pub fn render(text: &(String, String), theme: &Theme, frame: &mut Frame, area: Rect) {
    let style = theme
        .status(Status::Critical)
        .add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let (long, short) = text;
    let fits = long.chars().count() + 4 <= area.width as usize;
    let text = if fits { long } else { short };
    let line = Line::from(Span::styled(format!(" ⚠ {text} "), style));
    frame.render_widget(Paragraph::new(line).style(style), area);
}
