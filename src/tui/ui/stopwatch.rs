//! The incident on every screen: its chip in the header (id, severity, time since the impact
//! began) and, on the dashboard, one RTO stopwatch per affected service with its RPO window.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::widgets::fit;
use crate::health::Status;
use crate::incident::{Clock, Incident, ServiceClock, Severity, Stopwatch, short_duration};
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

/// " SIM-20261124-0300 SEV1 1h05m ": what is open, how bad, for how long; `compact` leaves
/// out the id, for a header that must also name an overridden endpoint.
pub fn header_chip(app: &App, theme: &Theme, base: Style, compact: bool) -> Option<Span<'static>> {
    let incident = app.incident.as_deref()?;
    let id = if compact {
        String::new()
    } else {
        format!("{} ", incident.id)
    };
    let (text, style) = match incident.resolved_at {
        Some(_) => (
            format!(" {id}{} resolved ", incident.severity),
            theme.style(Slot::Muted).patch(base),
        ),
        None => (
            format!(
                " {id}{} {} ",
                incident.severity,
                short_duration(incident.elapsed(app.now))
            ),
            base.patch(severity_style(theme, incident.severity)),
        ),
    };
    Some(Span::styled(text, style))
}

pub fn severity_style(theme: &Theme, severity: Severity) -> Style {
    let slot = match severity {
        Severity::Sev1 => Slot::Critical,
        Severity::Sev2 => Slot::Warn,
        Severity::Sev3 => Slot::Title,
    };
    theme.style(slot).add_modifier(Modifier::BOLD)
}

/// What a stopwatch's state looks like: the status it is shown as and its word.
pub fn clock_words(clock: Clock) -> (Status, &'static str) {
    match clock {
        Clock::Running => (Status::Ok, "ok"),
        Clock::Warn => (Status::Warn, "warn"),
        Clock::Breached => (Status::Critical, "critical"),
        Clock::Met => (Status::Ok, "met"),
        Clock::Missed => (Status::Critical, "missed"),
    }
}

/// Worst first: a breached clock before a warning one before a running one; stopped ones
/// (already measured) last.
fn urgency(clock: Clock) -> u8 {
    match clock {
        Clock::Breached => 0,
        Clock::Warn => 1,
        Clock::Running => 2,
        Clock::Missed => 3,
        Clock::Met => 4,
    }
}

/// The rows the strip needs to show every service, borders included.
pub fn full_height(incident: &Incident) -> u16 {
    incident.services.len() as u16 + 2
}

/// One line per affected service inside a bordered block, or, with `area.height` of 1, the
/// worst one and how many more.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(incident) = app.incident.as_deref() else {
        return;
    };
    let mut watches = incident.rto_watches(app.now);
    if area.height < 3 {
        watches.sort_by_key(|(_, w)| urgency(w.clock));
        let mut spans = vec![Span::styled("RTO ", theme.style(Slot::Title))];
        if let Some((service, watch)) = watches.first() {
            spans.extend(service_spans(
                theme,
                incident,
                service,
                watch,
                area.width as usize,
                true,
            ));
        }
        if watches.len() > 1 {
            spans.push(Span::styled(
                format!(" · +{} more", watches.len() - 1),
                theme.style(Slot::Muted),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let lines: Vec<Line> = watches
        .iter()
        .map(|(service, watch)| {
            Line::from(service_spans(
                theme,
                incident,
                service,
                watch,
                area.width.saturating_sub(2) as usize,
                false,
            ))
        })
        .collect();
    let title = if incident.is_open() {
        " RTO since the impact began "
    } else {
        " RTO and RPO, measured "
    };
    let block = Block::bordered()
        .border_style(theme.border(false))
        .title(Span::styled(title, theme.title(true)));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// "✖ Data Ingestion  2h24m / 2h  ██████████ 120% critical  RPO 10m/15m met".
fn service_spans(
    theme: &Theme,
    incident: &Incident,
    service: &ServiceClock,
    watch: &Stopwatch,
    width: usize,
    compact: bool,
) -> Vec<Span<'static>> {
    // Resolution stops every clock: one still running then is measured as it stood.
    let clock = match watch.clock {
        c if incident.is_open() || !c.is_running() => c,
        _ if watch.elapsed > watch.target => Clock::Missed,
        _ => Clock::Met,
    };
    let (status, word) = clock_words(clock);
    let style = theme.status(status);
    let name_width = if compact || width >= 100 { 24 } else { 20 };
    let figures = format!(
        "{} / {}",
        short_duration(watch.elapsed),
        short_duration(watch.target)
    );
    let mut spans = vec![
        Span::styled(format!("{} ", theme.status_glyph(status)), style),
        Span::styled(
            format!("{:<name_width$} ", fit(&service.service.name, name_width)),
            theme.style(Slot::Text),
        ),
    ];
    if service.restored_at.is_some() {
        spans.push(Span::styled(
            format!("restored after {figures} "),
            theme.style(Slot::Text),
        ));
    } else {
        spans.push(Span::styled(
            format!("{figures:<13} "),
            theme.style(Slot::Text),
        ));
        if !compact && width >= 60 {
            let filled = (watch.percent().min(100) as usize).div_ceil(10);
            spans.push(Span::styled(
                "█".repeat(filled),
                theme.style(Slot::GaugeFilled).patch(style),
            ));
            spans.push(Span::styled(
                "░".repeat(10 - filled),
                theme.style(Slot::GaugeEmpty),
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(format!("{:>4}% ", watch.percent()), style));
    }
    spans.push(Span::styled(
        word.to_owned(),
        style.add_modifier(Modifier::BOLD),
    ));
    if let Some(rpo) = service.rpo_watch(incident.impact_began) {
        let (status, word) = clock_words(rpo.clock);
        spans.push(Span::styled(
            format!(
                "  RPO {}/{} {word}",
                short_duration(rpo.elapsed),
                short_duration(rpo.target)
            ),
            theme.status(status),
        ));
    }
    spans
}
