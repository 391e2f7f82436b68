//! A resource's every fact, its reasons, and when it was fetched.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use serde_json::Value;

use super::widgets::{LABEL_WIDTH, exposure_words, human_age, region_loss_words, timestamp};
use crate::health::{ResourceKind, human_duration};
use crate::tui::app::{App, ResourceView};
use crate::tui::theme::{Slot, Theme};

pub fn render(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    kind: ResourceKind,
    name: &str,
) {
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} {} ", kind.label(), name),
            theme.title(true),
        ));
    let Some(view) = app.resource(kind, name) else {
        let gone = Paragraph::new("This resource is no longer in the snapshot.").block(block);
        frame.render_widget(gone, area);
        return;
    };
    let mut lines = describe(app, theme, view);
    if let Some(replica) = app
        .replica_of(name)
        .filter(|_| kind == ResourceKind::Bucket)
    {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!("Replica {}", replica.health.name),
            theme.title(true),
        )));
        lines.extend(describe(app, theme, replica));
    }
    scrolled(app, frame, area, block, lines);
}

/// Lines in a bordered block, wrapped and scrolled by j/k; tells the app how far it can go.
pub(super) fn scrolled(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    lines: Vec<Line<'_>>,
) {
    // Wrapped lines, to know how far the view can scroll at this size.
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let total: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let max = u16::try_from(total)
        .unwrap_or(u16::MAX)
        .saturating_sub(area.height.saturating_sub(2));
    app.detail_max_scroll.set(max);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph.scroll((app.detail_scroll.min(max), 0)), area);
}

fn describe<'a>(app: &App, theme: &Theme, view: &ResourceView) -> Vec<Line<'a>> {
    let h = &view.health;
    let facts = serde_json::to_value(&h.facts).unwrap_or(Value::Null);
    let mut flat = Vec::new();
    flatten("", &facts, &mut flat);
    // One column for every key, the facts' included, so the values line up.
    let width = flat
        .iter()
        .map(|(k, _)| k.chars().count() + 3)
        .max()
        .unwrap_or(0)
        .max(LABEL_WIDTH);
    let label = move |text: &str| Span::styled(format!("{text:<width$}"), theme.style(Slot::Muted));
    let (exposure, exposure_status) = exposure_words(h.rpo_exposure_secs, h.rpo_target_secs);
    let mut lines = vec![
        Line::from(vec![
            label("Status"),
            Span::styled(
                format!("{} {}", theme.status_glyph(h.status), h.status.label()),
                theme.status(h.status),
            ),
        ]),
        Line::from(vec![label("Region"), Span::raw(h.region.clone())]),
        Line::from(vec![
            label("Services"),
            Span::raw(if h.services.is_empty() {
                "-".to_owned()
            } else {
                h.services.join(", ")
            }),
        ]),
        Line::from(vec![
            label("RPO exposure"),
            Span::styled(exposure, theme.status(exposure_status)),
        ]),
    ];
    if let Some(loss) = &h.region_loss {
        let primary = app.estate.regions.primary.get_ref();
        let rpo = h.rpo_target_secs.unwrap_or(u64::MAX);
        let (text, status) = region_loss_words(
            loss.exposure_secs,
            loss.unbounded,
            h.rpo_target_secs.and_then(|t| loss.within(t)),
            rpo,
        );
        lines.push(Line::from(vec![
            label(&format!("If {primary} lost")),
            Span::styled(text, theme.status(status)),
        ]));
        if let Some(copy) = &loss.copy {
            lines.push(Line::from(vec![
                label("Copy outside"),
                Span::raw(copy.clone()),
            ]));
        }
    }
    lines.push(Line::from(vec![
        label("Fetched"),
        Span::raw(format!(
            "{} ({})",
            timestamp(h.fetched_at),
            human_age(app.now, h.fetched_at)
        )),
    ]));
    if let Some(stale) = &view.stale {
        lines.push(Line::from(vec![
            label("Stale since"),
            Span::styled(
                format!("{}: {}", timestamp(stale.since), stale.error),
                theme.status(crate::health::Status::Warn),
            ),
        ]));
    }
    // The error once: the first reason already quotes it when the check could not run.
    if let Some(error) = h
        .error
        .as_ref()
        .filter(|e| !h.reasons.iter().any(|r| r.contains(*e)))
    {
        lines.push(Line::from(vec![
            label("Error"),
            Span::styled(error.clone(), theme.status(h.status)),
        ]));
    }
    for (i, reason) in h.reasons.iter().enumerate() {
        lines.push(Line::from(vec![
            label(if i == 0 { "Why" } else { "" }),
            Span::styled(reason.clone(), theme.status(h.status)),
        ]));
    }
    // What the last fix here could not do (a new rule copies new objects only) stays in
    // sight after its popup is closed, beside the reasons the next reading gives.
    if let Some(after) = app.after_fix(h.kind, &h.name) {
        for (i, note) in after.notes.iter().enumerate() {
            let head = if i == 0 {
                format!("After {}", after.action)
            } else {
                String::new()
            };
            lines.push(Line::from(vec![
                label(&head),
                Span::styled(note.clone(), theme.status(crate::health::Status::Warn)),
            ]));
        }
    }
    lines.push(Line::from(Span::styled("Facts", theme.title(false))));
    lines.extend(flat.into_iter().map(|(k, v)| {
        Line::from(vec![
            Span::styled(
                format!("  {k:<w$}", w = width - 2),
                theme.style(Slot::Muted),
            ),
            Span::raw(v),
        ])
    }));
    lines
}

/// A fact's value as a person reads it: durations in the app's format, moments as
/// timestamps, everything else as it came.
fn human_value(key: &str, value: &Value) -> Option<String> {
    if key.ends_with("_secs") {
        return value
            .as_f64()
            .map(|v| human_duration(v.max(0.0).round() as u64));
    }
    let text = value.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| timestamp(t.with_timezone(&chrono::Utc)))
}

/// Nested facts as dotted keys; long series as their length and last value.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) if items.len() > 4 => {
            let last = items.last().map(|v| v.to_string()).unwrap_or_default();
            out.push((
                prefix.to_owned(),
                format!("{} points, last {last}", items.len()),
            ));
        }
        Value::Array(items) => {
            let text: Vec<String> = items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            out.push((
                prefix.to_owned(),
                if text.is_empty() {
                    "-".to_owned()
                } else {
                    text.join(", ")
                },
            ));
        }
        v if human_value(prefix, v).is_some() => out.push((
            prefix.to_owned(),
            human_value(prefix, v).unwrap_or_default(),
        )),
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        Value::Number(n) if n.is_f64() => out.push((
            prefix.to_owned(),
            format!("{:.1}", n.as_f64().unwrap_or_default()),
        )),
        Value::Null => out.push((prefix.to_owned(), "-".to_owned())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}
