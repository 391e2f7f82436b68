//! Drawing: reads the `App`, never changes it. One file per part of the screen.

mod dashboard;
mod detail;
mod help;
mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, View};
use super::theme::{Slot, Theme};

pub use widgets::{clock, human_age};

/// Draws the whole screen.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    render_header(app, theme, frame, header);
    match &app.view {
        View::Dashboard => dashboard::render(app, theme, frame, body),
        View::Detail { kind, name } => detail::render(app, theme, frame, body, *kind, name),
    }
    render_footer(app, theme, frame, footer);
    if app.help_open {
        help::render(app, theme, frame, body);
    }
}

/// Mode, account and regions always; the estate's name and the local clock when they fit.
fn render_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let base = theme.style(Slot::Header);
    let mode = Span::styled(format!(" {} ", app.mode.label()), theme.mode(app.mode));
    let account = Span::styled(
        format!(" acct {} ", app.account.as_deref().unwrap_or("…")),
        base,
    );
    let regions = Span::styled(
        format!(
            " {} → {} ",
            app.estate.regions.primary.get_ref(),
            app.estate.regions.backup.get_ref()
        ),
        base,
    );
    let name = Span::styled(
        format!(" {} ", app.estate.name),
        theme.style(Slot::Title).patch(base),
    );
    let refresh = if app.refreshing { " ↻ " } else { "   " };
    let utc = Span::styled(format!("{refresh}{}Z ", clock(app.now)), base);
    let local = Span::styled(
        format!("{} local ", clock(app.now.with_timezone(&app.local_offset))),
        theme.style(Slot::Muted).patch(base),
    );

    let width = area.width as usize;
    let len = |spans: &[&Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    let mut left = vec![&mode, &account, &regions];
    let mut right = vec![&utc];
    if len(&left) + len(&right) + name.width() <= width {
        left.insert(1, &name);
    }
    if len(&left) + len(&right) + local.width() <= width {
        right.insert(0, &local);
    }
    let gap = width.saturating_sub(len(&left) + len(&right));
    let mut spans: Vec<Span> = left.into_iter().cloned().collect();
    spans.push(Span::styled(" ".repeat(gap), base));
    spans.extend(right.into_iter().cloned());
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// A flash message while it lasts, then the keys that work here.
fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    if let Some(flash) = &app.flash {
        spans.push(Span::styled(
            format!(" {} ", flash.text),
            theme.flash(flash.level),
        ));
        spans.push(Span::raw(" "));
    }
    for (keys, label) in app.keymap.footer(app.footer_actions()) {
        spans.push(Span::styled(
            format!(" {keys} "),
            theme.style(Slot::FooterKey),
        ));
        spans.push(Span::styled(
            format!("{label} "),
            theme.style(Slot::FooterText),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
