//! Small text widgets shared by the panels: time formats, the RPO bar, the sparkline.

use chrono::{DateTime, TimeZone, Utc};
use ratatui::style::Style;
use ratatui::text::Span;

use crate::health::{Status, human_duration};
use crate::tui::theme::Theme;

pub fn clock<Tz: TimeZone>(t: DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.format("%H:%M:%S").to_string()
}

/// "just now", "40s ago", "2h 10m ago".
pub fn human_age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0) as u64;
    if secs < 5 {
        "just now".to_owned()
    } else {
        format!("{} ago", human_duration(secs))
    }
}

/// Exposure against its target as a bar of `width` cells, coloured by how close it is.
pub fn rpo_bar(
    theme: &Theme,
    exposure: Option<u64>,
    target: Option<u64>,
    width: usize,
) -> Vec<Span<'static>> {
    let (Some(exposure), Some(target)) = (exposure, target) else {
        return vec![Span::styled(
            format!("{:<width$}", "-"),
            theme.style(crate::tui::theme::Slot::Muted),
        )];
    };
    // Nothing to lose meets any target, a zero one included.
    let ratio = match (exposure, target) {
        (0, _) => 0.0,
        (_, 0) => f64::INFINITY,
        _ => exposure as f64 / target as f64,
    };
    let status = if ratio > 1.0 {
        Status::Critical
    } else if ratio > 0.5 {
        Status::Warn
    } else {
        Status::Ok
    };
    let text = format!("{}/{}", human_duration(exposure), human_duration(target));
    if width == 0 {
        return vec![Span::styled(text, theme.status(status))];
    }
    let filled =
        ((ratio.min(1.0) * width as f64).ceil() as usize).clamp(usize::from(exposure > 0), width);
    vec![
        Span::styled("█".repeat(filled), theme.status(status)),
        Span::styled(
            "░".repeat(width - filled),
            theme.style(crate::tui::theme::Slot::GaugeEmpty),
        ),
        Span::raw(format!(" {text}")),
    ]
}

/// Values as block characters scaled to their own maximum, newest on the right.
pub fn sparkline(values: &[f64], width: usize, style: Style) -> Span<'static> {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail.iter().copied().fold(0.0_f64, f64::max);
    let text: String = tail
        .iter()
        .map(|v| {
            if max <= 0.0 {
                BARS[0]
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect();
    Span::styled(format!("{text:<width$}"), style)
}
