//! One service of the priority matrix, opened with Enter: its targets and impact, the RPO now
//! and if the primary region is lost, then every resource it depends on, worst first, with
//! every reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::detail::scrolled;
use super::widgets::{LABEL_WIDTH, exposure_words, region_loss_words};
use crate::health::{Status, human_duration};
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, name: &str) {
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(format!(" service {name} "), theme.title(true)));
    let Some(service) = app.estate.services.iter().find(|s| s.name == name) else {
        let gone = ratatui::widgets::Paragraph::new("This service is no longer in the estate.")
            .block(block);
        frame.render_widget(gone, area);
        return;
    };
    let health = app.service(name);
    let status = health.map_or(Status::Unknown, |h| h.status);
    let label = |text: &str| {
        Span::styled(
            format!("{text:<width$}", width = LABEL_WIDTH),
            theme.style(Slot::Muted),
        )
    };
    let rpo = service.rpo.as_secs();
    let (now_text, now_status) =
        exposure_words(health.and_then(|h| h.worst_exposure_secs), Some(rpo));
    let (loss_text, loss_status) = match health {
        Some(h) => region_loss_words(
            h.worst_region_loss_secs,
            h.region_loss_unbounded,
            h.region_loss_rpo_met,
            rpo,
        ),
        None => ("unknown".to_owned(), Status::Unknown),
    };
    let primary = app.estate.regions.primary.get_ref();
    let mut lines = vec![
        Line::from(vec![
            label("Status"),
            Span::styled(
                format!("{} {}", theme.status_glyph(status), status.label()),
                theme.status(status),
            ),
        ]),
        Line::from(vec![
            label("Priority"),
            Span::raw(format!("{:?}", service.priority)),
        ]),
        Line::from(vec![
            label("RTO"),
            Span::raw(human_duration(service.rto.as_secs())),
        ]),
        Line::from(vec![label("RPO"), Span::raw(human_duration(rpo))]),
        Line::from(vec![
            label("Impact"),
            Span::raw(if service.impact.is_empty() {
                "-".to_owned()
            } else {
                service.impact.clone()
            }),
        ]),
        Line::from(vec![
            label("RPO now"),
            Span::styled(now_text, theme.status(now_status)),
        ]),
        Line::from(vec![
            label(&format!("If {primary} lost")),
            Span::styled(loss_text, theme.status(loss_status)),
        ]),
        Line::raw(""),
        Line::from(Span::styled("Resources, worst first", theme.title(false))),
    ];
    let resources = app.service_resources(name);
    if resources.is_empty() {
        lines.push(Line::from(Span::styled(
            "  none in the snapshot yet",
            theme.style(Slot::Muted),
        )));
    }
    for view in resources {
        let h = &view.health;
        let glyph_style = if view.stale.is_some() {
            theme.style(Slot::Muted)
        } else {
            theme.status(h.status)
        };
        let mut head = vec![
            Span::styled(format!("  {} ", theme.status_glyph(h.status)), glyph_style),
            Span::raw(format!("{} {}", h.kind.label(), h.name)),
            Span::styled(format!("  {}", h.region), theme.style(Slot::Muted)),
        ];
        if let Some(stale) = &view.stale {
            head.push(Span::styled(
                format!("  stale since {}", super::widgets::timestamp(stale.since)),
                theme.status(Status::Warn),
            ));
        }
        lines.push(Line::from(head));
        for reason in &h.reasons {
            lines.push(Line::from(Span::styled(
                format!("      {reason}"),
                theme.status(h.status),
            )));
        }
    }
    scrolled(app, frame, area, block, lines);
}
