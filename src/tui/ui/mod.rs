//! Drawing: reads the `App`, never changes it. One file per part of the screen.

mod banner;
mod comms;
mod contacts;
mod dashboard;
mod detail;
mod help;
mod panel;
mod popups;
mod repair;
mod rows;
mod runbook;
mod runbook_popups;
mod service;
mod services;
mod stopwatch;
mod timeline;
mod validate;
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
    let banner = banner::text(app);
    let [header, banner_area, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(banner.is_some())),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let badge_shown = render_header(app, theme, frame, header);
    if let Some(banner) = banner {
        banner::render(&banner, theme, frame, banner_area);
    }
    match &app.view {
        View::Dashboard => dashboard::render(app, theme, frame, body),
        View::Detail { kind, name } => detail::render(app, theme, frame, body, *kind, name),
        View::Service { name } => service::render(app, theme, frame, body, name),
        View::Timeline => timeline::render(app, theme, frame, body),
        View::Runbook => runbook::render(app, theme, frame, body),
        View::Comms => comms::render(app, theme, frame, body),
        View::Validate => validate::render(app, theme, frame, body),
    }
    render_footer(app, theme, frame, footer, badge_shown);
    // Under the incident popups: an offer to resume an incident comes first.
    runbook_popups::render(app, theme, frame, body);
    popups::render(app, theme, frame, body);
    repair::render(app, theme, frame, body);
    validate::render_popup(app, theme, frame, body);
    if app.help_open {
        help::render(app, theme, frame, body);
    }
}

/// Mode, account and regions always; the estate's name and the local clock when they fit.
/// Says whether the run's badge found room (else the footer shows it).
fn render_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) -> bool {
    let base = theme.style(Slot::Header);
    let mode = Span::styled(format!(" {} ", app.mode.label()), theme.mode(app.mode));
    // Beside the mode and as loud: a commander must know the keys that write are off.
    let read_only = app
        .read_only
        .then(|| Span::styled(" READ-ONLY ", theme.status(crate::health::Status::Warn)));
    // A drill is never mistaken for the incident it rehearses: DRILL beside the mode until
    // its teardown is done.
    let drill = app
        .drill
        .as_ref()
        .filter(|d| d.active())
        .map(|_| Span::styled(" DRILL ", theme.mode(crate::mode::Mode::Drill)));
    let read_only_width =
        read_only.as_ref().map_or(0, Span::width) + drill.as_ref().map_or(0, Span::width);
    let account_id = app.account.as_deref().unwrap_or("…");
    let (primary, backup) = (
        app.estate.regions.primary.get_ref(),
        app.estate.regions.backup.get_ref(),
    );
    let endpoint_text = endpoint_label(&app.endpoints);
    let endpoint_width = endpoint_text.as_ref().map_or(0, |t| t.chars().count() + 2);
    // With an incident open, its chip never gives way: the account, the regions and then the
    // chip itself say it shorter until mode, incident, account, regions and endpoint fit.
    let mut level = 0;
    let (incident, cadence, account, regions) = loop {
        // The update countdown needs room at 80 columns: the account gives its head before
        // the incident its id.
        let chip = stopwatch::header_chip(app, theme, base, level >= 3);
        let cadence = comms::cadence_chip(app, theme, base, level);
        let account = match level {
            0 => format!(" acct {account_id} "),
            1 => format!(" {account_id} "),
            _ => {
                let tail: String = account_id.chars().rev().take(4).collect();
                format!(" …{} ", tail.chars().rev().collect::<String>())
            }
        };
        let regions = if level == 0 {
            format!(" {primary} → {backup} ")
        } else {
            format!(" {primary}→{backup} ")
        };
        let wanted = mode.width()
            + read_only_width
            + chip.as_ref().map_or(0, Span::width)
            + cadence.as_ref().map_or(0, Span::width)
            + account.chars().count()
            + regions.chars().count()
            + endpoint_width;
        if chip.is_none() || wanted <= area.width as usize || level == 4 {
            break (
                chip,
                cadence,
                Span::styled(account, base),
                Span::styled(regions, base),
            );
        }
        level += 1;
    };
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

    // An overridden endpoint is never dropped: PRODUCTION against an emulator must not
    // look like production. It gives way only to the mode, the account and the regions.
    let endpoint = endpoint_text.map(|text| {
        Span::styled(
            format!(" {text} "),
            theme.status(crate::health::Status::Warn),
        )
    });
    let width = area.width as usize;
    let len = |spans: &[&Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    let mut left = vec![&mode];
    left.extend(drill.as_ref());
    left.extend(read_only.as_ref());
    left.extend(incident.as_ref());
    left.extend(cadence.as_ref());
    left.extend([&account, &regions]);
    // A run off screen still shows, as the clock's neighbour: nobody forgets it is going.
    let badge = app
        .run_badge()
        .filter(|_| app.view != View::Runbook)
        .map(|text| Span::styled(format!(" {text} "), theme.style(Slot::Title).patch(base)));
    let mut right = vec![&utc];
    if let Some(endpoint) = &endpoint {
        left.push(endpoint);
        if len(&left) + len(&right) > width {
            right.clear();
        }
    }
    // A clock cut in half reads as a wrong time: drop it whole.
    if len(&left) + len(&right) > width {
        right.clear();
    }
    if len(&left) + len(&right) + name.width() <= width {
        let at = 1 + usize::from(read_only.is_some()) + usize::from(incident.is_some());
        left.insert(at, &name);
    }
    let mut badge_shown = false;
    if let Some(badge) = &badge
        && len(&left) + len(&right) + badge.width() <= width
    {
        right.insert(0, badge);
        badge_shown = true;
    }
    if !right.is_empty() && len(&left) + len(&right) + local.width() <= width {
        right.insert(0, &local);
    }
    let gap = width.saturating_sub(len(&left) + len(&right));
    let mut spans: Vec<Span> = left.into_iter().cloned().collect();
    spans.push(Span::styled(" ".repeat(gap), base));
    spans.extend(right.into_iter().cloned());
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
    badge_shown
}

/// "endpoint 127.0.0.1:5000" or "us-east-1 → http://127.0.0.1:1": where calls really go.
fn endpoint_label(endpoints: &[(String, String)]) -> Option<String> {
    let parts: Vec<String> = endpoints
        .iter()
        .map(|(scope, url)| {
            let url = url
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            if scope == "all" {
                url.to_owned()
            } else {
                format!("{scope}→{url}")
            }
        })
        .collect();
    (!parts.is_empty()).then(|| format!("endpoint {}", parts.join(" ")))
}

/// A flash message while it lasts (or "refreshing…" while a refresh runs), then the keys
/// that work here.
fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, badge_shown: bool) {
    let mut spans = Vec::new();
    if let Some(flash) = &app.flash {
        spans.push(Span::styled(
            format!(" {} ", flash.text),
            theme.flash(flash.level),
        ));
        spans.push(Span::raw(" "));
    } else if let Some((job, progress)) = app
        .repair
        .as_ref()
        .filter(|r| !r.shown)
        .and_then(|r| r.running())
    {
        // A hidden run still shows: nobody should forget a write is under way.
        let step = progress
            .filter(|p| p.of > 0)
            .map(|p| format!(" {}/{}", p.step, p.of))
            .unwrap_or_default();
        spans.push(Span::styled(
            format!(" running {}{step}… ", job.label()),
            theme.flash(super::theme::FlashLevel::Warn),
        ));
        spans.push(Span::raw(" "));
    } else if let Some(badge) = app
        .run_badge()
        .filter(|_| !badge_shown && app.view != View::Runbook)
    {
        // No room in the header: a run under way is never out of sight.
        spans.push(Span::styled(
            format!(" {badge} "),
            theme.flash(super::theme::FlashLevel::Warn),
        ));
        spans.push(Span::raw(" "));
    } else if app.refreshing {
        spans.push(Span::styled(
            " refreshing… ",
            theme.flash(super::theme::FlashLevel::Info),
        ));
        spans.push(Span::raw(" "));
    }
    // A call due stays in sight beside whatever else the footer says, but a passing flash.
    if let Some(call) = contacts::footer(app, theme).filter(|_| app.flash.is_none()) {
        spans.push(call);
        spans.push(Span::raw(" "));
    }
    let mut keys = app.keymap.footer(&app.footer_actions());
    // On the checklist, enter answers the selected step rather than opening a row.
    if app.view == View::Runbook && app.runbooks.popup.is_none() {
        for (_, label) in &mut keys {
            if *label == crate::tui::keymap::Action::Open.short() {
                *label = "run/answer";
            }
        }
    }
    // Too wide: drop from the right, but keep help and quit, the ways out and in.
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let width = |k: &[(String, &str)]| -> usize {
        k.iter()
            .map(|(keys, label)| keys.chars().count() + label.chars().count() + 3)
            .sum()
    };
    while used + width(&keys) > area.width as usize {
        match keys
            .iter()
            .rposition(|(_, label)| !matches!(*label, "help" | "quit"))
        {
            Some(i) => {
                keys.remove(i);
            }
            None => break,
        }
    }
    for (keys, label) in keys {
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
