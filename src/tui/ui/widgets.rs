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

/// Exposure against its target as a bar of `width` cells, coloured by how close it is, in at
/// most `room` columns: where "10h 22m/1h" does not fit, the exposure alone is shown (its
/// colour still says whether it meets the target), never a figure cut in the middle.
pub fn rpo_bar(
    theme: &Theme,
    exposure: Option<u64>,
    target: Option<u64>,
    width: usize,
    room: usize,
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
    let bar = if width == 0 { 0 } else { width + 1 };
    let mut text = format!("{}/{}", human_duration(exposure), human_duration(target));
    if bar + text.chars().count() > room {
        text = human_duration(exposure);
    }
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

/// "1 failover record", "3 alarms".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The width of the labels in the detail and service views, so their values line up.
pub const LABEL_WIDTH: usize = 18;

/// "2026-11-26 09:41:07Z": the one way a moment is written outside the header's clock.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// `text` cut to `width` columns with an ellipsis, never in the middle of a character.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// The in-region exposure against the target, in words: "5m (RPO 1h, met)".
pub fn exposure_words(exposure: Option<u64>, target: Option<u64>) -> (String, Status) {
    match (exposure, target) {
        (Some(e), Some(t)) if e <= t => (
            format!("{} (RPO {}, met)", human_duration(e), human_duration(t)),
            Status::Ok,
        ),
        (Some(e), Some(t)) => (
            format!("{} (RPO {}, MISSED)", human_duration(e), human_duration(t)),
            Status::Critical,
        ),
        (Some(e), None) => (human_duration(e), Status::Ok),
        (None, Some(t)) => (
            format!("unknown (RPO {})", human_duration(t)),
            Status::Unknown,
        ),
        (None, None) => ("-".to_owned(), Status::Unknown),
    }
}

/// What losing the primary region would cost, in words: "6d (RPO 1h, MISSED)", or "all of
/// it: no copy outside the region".
pub fn region_loss_words(
    exposure: Option<u64>,
    unbounded: bool,
    met: Option<bool>,
    rpo: u64,
) -> (String, Status) {
    if unbounded {
        return (
            "all of it: no copy outside the region".to_owned(),
            Status::Critical,
        );
    }
    match (exposure, met) {
        (Some(e), Some(false)) => (
            format!(
                "{} (RPO {}, MISSED)",
                human_duration(e),
                human_duration(rpo)
            ),
            Status::Critical,
        ),
        (Some(e), Some(true)) => (
            format!("{} (RPO {}, met)", human_duration(e), human_duration(rpo)),
            Status::Ok,
        ),
        (Some(e), None) => (
            format!(
                "{} (RPO {}; some copies unknown)",
                human_duration(e),
                human_duration(rpo)
            ),
            Status::Unknown,
        ),
        (None, _) => (
            format!("unknown (RPO {})", human_duration(rpo)),
            Status::Unknown,
        ),
    }
}

/// A region-loss figure for a narrow column: "6d", "ALL", "?".
pub fn region_loss_short(
    loss: Option<&crate::health::RegionLoss>,
    rpo: Option<u64>,
) -> (String, Status) {
    match loss {
        None => ("-".to_owned(), Status::Unknown),
        Some(l) if l.unbounded => ("ALL".to_owned(), Status::Critical),
        Some(l) => match l.exposure_secs {
            None => ("?".to_owned(), Status::Unknown),
            Some(e) => {
                let status = match rpo.map(|r| e <= r) {
                    Some(false) => Status::Critical,
                    _ => Status::Ok,
                };
                (human_duration(e), status)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exposure_that_does_not_fit_drops_its_target_not_its_digits() {
        let theme = Theme::builtin("default").unwrap();
        let text = |spans: Vec<Span>| {
            spans
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        assert_eq!(text(rpo_bar(&theme, Some(300), Some(3600), 0, 9)), "5m/1h");
        assert_eq!(
            text(rpo_bar(&theme, Some(10 * 3600 + 22 * 60), Some(3600), 0, 9)),
            "10h 22m"
        );
        assert_eq!(
            text(rpo_bar(&theme, Some(86_399), Some(900), 6, 17)),
            "██████ 23h 59m"
        );
    }

    #[test]
    fn names_are_cut_with_an_ellipsis_on_character_boundaries() {
        assert_eq!(fit("flightdata-main", 20), "flightdata-main");
        assert_eq!(fit("flightdata-main", 8), "flightd…");
        assert_eq!(fit("éééé", 3), "éé…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn one_way_to_write_a_moment() {
        let t = DateTime::parse_from_rfc3339("2026-11-26T09:41:07.5Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(timestamp(t), "2026-11-26 09:41:07Z");
    }
}
