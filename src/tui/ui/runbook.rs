//! The runbook screens: the checklist (phases, steps, elapsed against targets), the selected
//! step's detail, and the dashboard's Scenarios panel with each runbook's readiness.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::widgets::fit;
use crate::action::Danger;
use crate::config::Dur;
use crate::health::Status;
use crate::runbook::{Need, RunState, RunView, StepState, StepView};
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::runbook::{RunScreen, Verdict};
use crate::tui::theme::{Slot, Theme};

/// "42s", "3m12s", "1h02m".
pub fn elapsed(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs / 60 % 60),
    }
}

/// A step state's glyph and style: a distinct shape each, so colour is never the only cue.
pub fn state_glyph(theme: &Theme, state: StepState) -> (&'static str, Style) {
    match state {
        StepState::Pending => ("·", theme.style(Slot::Muted)),
        StepState::Waiting => ("?", theme.status(Status::Warn)),
        StepState::Running => ("▶", theme.style(Slot::Title)),
        StepState::Succeeded => ("✔", theme.status(Status::Ok)),
        StepState::Failed => ("✖", theme.status(Status::Critical)),
        StepState::Skipped => ("↷", theme.style(Slot::Muted)),
        StepState::Cancelled => ("⊘", theme.style(Slot::Muted)),
    }
}

/// What a waiting step waits for, in a word or two.
pub fn need_word(need: &Need) -> &'static str {
    match need {
        Need::Start => "ready to run",
        Need::Confirm { .. } => "confirm",
        Need::Done => "mark done",
        Need::Input { .. } => "needs input",
        Need::Choice { .. } => "choose",
        Need::Retry => "retry?",
    }
}

/// Elapsed of a span of time against its target: "3m12s / 10m", critical when over.
fn against(
    theme: &Theme,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
    target: Option<Dur>,
) -> Option<Span<'static>> {
    let from = from?;
    let secs = (to - from).num_seconds();
    let over = target.is_some_and(|t| secs > t.as_secs() as i64);
    let text = match target {
        Some(t) => format!("{} / {t}", elapsed(secs)),
        None => elapsed(secs),
    };
    let style = if over {
        theme.status(Status::Critical)
    } else {
        theme.style(Slot::Muted)
    };
    Some(Span::styled(text, style))
}

/// Above the checklist while a drill lasts (and after, its end): what it is, which phase,
/// the latest line of it.
fn drill_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    use crate::drill::run::DrillPhase;
    let Some(drill) = &app.drill else {
        return Vec::new();
    };
    let badge = Span::styled(" DRILL ", theme.mode(crate::mode::Mode::Drill));
    let names = drill
        .suffix
        .as_ref()
        .map(|s| format!(" writes only *{s}* names and its own copies"))
        .unwrap_or_default();
    let mut lines = vec![Line::from(vec![
        badge,
        Span::styled(format!(" {}", drill.runbook), theme.style(Slot::Title)),
        Span::styled(names, theme.style(Slot::Muted)),
    ])];
    if let Some(record) = &drill.record {
        let style = if record.left.is_empty() {
            theme.status(Status::Ok)
        } else {
            theme.status(Status::Critical)
        };
        lines.push(Line::from(Span::styled(
            crate::tui::drill::finished_text(record),
            style,
        )));
    } else if let Some(error) = &drill.error {
        lines.push(Line::from(Span::styled(
            format!("drill: {error}"),
            theme.status(Status::Critical),
        )));
    } else {
        let phase = match drill.phase {
            DrillPhase::Setup => "setup",
            DrillPhase::Run => "run",
            DrillPhase::Teardown => "teardown",
        };
        let line = drill.line.clone().unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{phase}: "), theme.style(Slot::Title)),
            Span::raw(line),
        ]));
        // The finish forecast from earlier drills' step times, against the RTO, while it runs.
        if let Some(run) = &app.runbooks.run
            && let Some(forecast) =
                crate::drill::report::forecast(&run.view, &drill.earlier, app.now)
        {
            let style = match forecast.within_rto {
                Some(false) => theme.status(Status::Critical),
                _ => theme.style(Slot::Muted),
            };
            lines.push(Line::from(Span::styled(forecast.line(), style)));
        }
    }
    lines
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(run) = &app.runbooks.run else {
        if app.drill.is_some() {
            let block = Block::bordered()
                .border_style(theme.border(true))
                .title(Span::styled(" Drill ", theme.title(true)));
            frame.render_widget(
                Paragraph::new(drill_lines(app, theme))
                    .wrap(Wrap { trim: false })
                    .block(block),
                area,
            );
            return;
        }
        let text = format!(
            "No runbook is running: {} picks one.",
            app.keymap.label(Action::Runbooks)
        );
        frame.render_widget(
            Paragraph::new(text).block(Block::bordered().border_style(theme.border(false))),
            area,
        );
        return;
    };
    let (list, detail) = if area.width >= 120 {
        let [l, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(area);
        (l, d)
    } else {
        let detail = (area.height * 2 / 5).max(6).min(area.height);
        let [l, d] = Layout::vertical([Constraint::Min(0), Constraint::Length(detail)]).areas(area);
        (l, d)
    };
    checklist(app, theme, frame, list, run);
    step_detail(app, theme, frame, detail, run);
}

fn run_title(app: &App, theme: &Theme, view: &RunView) -> (Line<'static>, Line<'static>) {
    let left = Line::from(vec![Span::styled(
        format!(" {} — {} ", view.runbook, view.title),
        theme.title(true),
    )]);
    let until = view.finished.unwrap_or(app.now);
    let mut right = Vec::new();
    if let Some(span) = against(theme, Some(view.started), until, view.target) {
        right.push(Span::raw(" "));
        right.push(span);
    }
    let (word, style) = match view.state {
        RunState::Running if view.waiting().next().is_some() => {
            ("waiting for you", theme.status(Status::Warn))
        }
        RunState::Running => ("running", theme.style(Slot::Title)),
        RunState::Succeeded => ("succeeded", theme.status(Status::Ok)),
        RunState::Failed => ("FAILED", theme.status(Status::Critical)),
        RunState::Cancelled => ("cancelled", theme.style(Slot::Muted)),
    };
    right.push(Span::raw(" · "));
    right.push(Span::styled(word, style));
    right.push(Span::raw(" "));
    (left, Line::from(right).alignment(Alignment::Right))
}

/// The steps of a group (a for_each's items, a parallel's branches) and how many are done.
fn group_progress(view: &RunView, group: &StepView) -> (usize, usize) {
    let prefix = format!("{}/", group.path);
    let children = view
        .steps
        .iter()
        .filter(|s| s.path.starts_with(&prefix) && !s.kind.is_group());
    let (mut done, mut all) = (0, 0);
    for s in children {
        all += 1;
        done += usize::from(matches!(s.state, StepState::Succeeded | StepState::Skipped));
    }
    (done, all)
}

fn checklist(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, run: &RunScreen) {
    let view = &run.view;
    let (left, right) = run_title(app, theme, view);
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(left)
        .title(right);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = drill_lines(app, theme);
    let mut selected_line = 0;
    let mut phases: Vec<(&str, &str, Option<Dur>)> = view
        .phases
        .iter()
        .map(|p| (p.id.as_str(), p.title.as_str(), p.target))
        .collect();
    // A step of no known phase still shows, at the end.
    if view
        .steps
        .iter()
        .any(|s| !view.phases.iter().any(|p| p.id == s.phase))
    {
        phases.push(("", "Other steps", None));
    }
    for (id, title, target) in phases {
        let steps: Vec<(usize, &StepView)> = view
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.phase == id || (id.is_empty() && !view.phases.iter().any(|p| p.id == s.phase))
            })
            .collect();
        lines.push(phase_line(app, theme, view, title, target, &steps, width));
        for (i, step) in steps {
            if i == run.selected {
                selected_line = lines.len();
            }
            lines.push(step_line(app, theme, view, step, width, i == run.selected));
        }
    }
    let visible = inner.height as usize;
    let offset = (selected_line + 2).saturating_sub(visible);
    let offset = offset.min(lines.len().saturating_sub(visible));
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(visible).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn phase_line(
    app: &App,
    theme: &Theme,
    view: &RunView,
    title: &str,
    target: Option<Dur>,
    steps: &[(usize, &StepView)],
    width: usize,
) -> Line<'static> {
    let done = !steps.is_empty() && steps.iter().all(|(_, s)| s.state.is_final());
    // A finished phase is measured to its last step's end, so "over" stays true or false.
    let until = if done {
        steps
            .iter()
            .filter_map(|(_, s)| s.finished)
            .max()
            .unwrap_or(app.now)
    } else {
        view.finished.unwrap_or(app.now)
    };
    let right = match against(theme, Some(view.started), until, target) {
        Some(span) if target.is_some() => span,
        _ => Span::raw(""),
    };
    let mark = if done { "✔ " } else { "" };
    let right_width = right.width();
    let name = fit(
        &format!("{mark}{title}"),
        width.saturating_sub(right_width + 1),
    );
    let gap = width.saturating_sub(name.chars().count() + right_width);
    let style = theme
        .style(Slot::Title)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    Line::from(vec![
        Span::styled(name, style),
        Span::raw(" ".repeat(gap)),
        right,
    ])
}

/// A step's glyph: a failed step that waits to be retried or skipped shows as failed.
fn step_glyph(theme: &Theme, step: &StepView) -> (&'static str, Style) {
    match step.need {
        Some(Need::Retry) => state_glyph(theme, StepState::Failed),
        _ => state_glyph(theme, step.state),
    }
}

fn step_line(
    app: &App,
    theme: &Theme,
    view: &RunView,
    step: &StepView,
    width: usize,
    selected: bool,
) -> Line<'static> {
    let (glyph, glyph_style) = step_glyph(theme, step);
    let indent = "  ".repeat(step.depth);
    let until = step.finished.unwrap_or(app.now);
    let timing = against(theme, step.started, until, step.target);
    let (word, word_style) = match &step.need {
        Some(need) => (need_word(need).to_owned(), theme.status(Status::Warn)),
        None if step.kind.is_group() && step.state != StepState::Pending => {
            let (done, all) = group_progress(view, step);
            (format!("{done}/{all} done"), theme.style(Slot::Title))
        }
        None => (step.state.label().to_owned(), glyph_style),
    };
    let mut right = vec![Span::styled(format!(" {word}"), word_style)];
    if let Some(timing) = timing {
        right.push(Span::raw("  "));
        right.push(timing);
    }
    let right_width: usize = right.iter().map(Span::width).sum();
    let item = match (&step.item, step.depth) {
        // The item's name leads its steps once; under it, the step's own title says enough.
        (Some(item), _) if step.title.contains(item.as_str()) => String::new(),
        (Some(item), _) => format!(" [{item}]"),
        (None, _) => String::new(),
    };
    let head = format!("{indent}{glyph} ");
    let room = width.saturating_sub(head.chars().count() + right_width + 1);
    let mut title = fit(&format!("{}{item}", step.title), room);
    // A running step's latest progress, where there is room for it.
    if step.state == StepState::Running
        && let Some(last) = step.log.last()
    {
        let left = room.saturating_sub(title.chars().count() + 3);
        if left >= 8 {
            title = format!("{title} — {}", fit(last, left));
        }
    }
    let gap = width.saturating_sub(head.chars().count() + title.chars().count() + right_width);
    let base = if selected {
        theme.style(Slot::Selection)
    } else {
        Style::default()
    };
    let text_style = if step.kind.is_group() {
        theme.style(Slot::Text).add_modifier(Modifier::BOLD)
    } else {
        theme.style(Slot::Text)
    };
    let mut spans = vec![
        Span::styled(indent, base),
        Span::styled(glyph.to_owned(), glyph_style.patch(base)),
        Span::styled(" ", base),
        Span::styled(title, text_style.patch(base)),
        Span::styled(" ".repeat(gap), base),
    ];
    spans.extend(right.into_iter().map(|s| {
        let style = s.style.patch(base);
        s.style(style)
    }));
    Line::from(spans)
}

/// What the selected step is, needs and did.
fn step_detail(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, run: &RunScreen) {
    let Some(step) = run.step() else {
        frame.render_widget(Block::bordered().border_style(theme.border(false)), area);
        return;
    };
    let muted = theme.style(Slot::Muted);
    let text = theme.style(Slot::Text);
    let label = |l: &str| Span::styled(format!("{l:<10}"), muted);
    let mut lines: Vec<Line> = Vec::new();
    let (glyph, style) = step_glyph(theme, step);
    let state = match step.need {
        Some(Need::Retry) => "failed",
        _ => step.state.label(),
    };
    let mut head = vec![
        Span::styled(format!("{glyph} {state}"), style),
        Span::styled(format!(" · {}", step.kind.label()), muted),
    ];
    if step.attempts > 0 || step.max_attempts > 1 {
        head.push(Span::styled(
            format!(" · try {}/{}", step.attempts, step.max_attempts),
            muted,
        ));
    }
    if let Some(item) = &step.item {
        head.push(Span::styled(format!(" · {item}"), text));
    }
    if let Some(t) = against(
        theme,
        step.started,
        step.finished.unwrap_or(app.now),
        step.target,
    ) {
        head.push(Span::raw(" · "));
        head.push(t);
    }
    lines.push(Line::from(head));
    if let Some(need) = &step.need {
        let enter = app.keymap.label(Action::Open);
        let what = match need {
            Need::Start => format!("{enter} runs it (the preview below is what it sends)"),
            Need::Confirm { name } => format!("destructive: {enter}, then type {name} to send it"),
            Need::Done => format!(
                "do it, then {} marks it done",
                app.keymap.label(Action::StepDone)
            ),
            Need::Input { prompt, .. } => format!("{enter} answers: {prompt}"),
            Need::Choice { options, .. } => {
                format!("{enter} chooses between {} options", options.len())
            }
            Need::Retry => format!(
                "{} tries again, {} skips it",
                app.keymap.label(Action::StepRetry),
                app.keymap.label(Action::StepSkip)
            ),
        };
        lines.push(Line::from(Span::styled(what, theme.status(Status::Warn))));
    }
    // What a person must act on first, so a short box still shows it: the error, the
    // instructions, what it acts on; then the request it would send when it waits to be
    // run, else the live log; the rest after.
    if let Some(error) = &step.error {
        let retry = if step.retryable {
            format!(
                "retryable: {} tries again",
                app.keymap.label(Action::StepRetry)
            )
        } else {
            format!(
                "not retryable as it stands: fix the cause before {} tries again",
                app.keymap.label(Action::StepRetry)
            )
        };
        lines.push(Line::from(vec![
            label("error"),
            Span::styled(error.clone(), theme.status(Status::Critical)),
        ]));
        lines.push(Line::from(vec![label(""), Span::styled(retry, muted)]));
    }
    if let Some(instructions) = &step.instructions {
        for l in instructions.lines() {
            lines.push(Line::from(Span::styled(l.to_owned(), text)));
        }
    }
    if let Some(op) = &step.operation {
        let on = step
            .resource
            .as_deref()
            .map(|r| format!(" on {r}"))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            label("operation"),
            Span::styled(format!("{op}{on}"), theme.style(Slot::Title)),
        ]));
    }
    if let Some(danger) = step.danger {
        let (word, style) = match danger {
            Danger::Destructive => (
                "DESTRUCTIVE: the name is typed back",
                theme.status(Status::Critical),
            ),
            Danger::Write => ("write: previewed, then run", theme.status(Status::Warn)),
            Danger::Read => ("read only", muted),
        };
        lines.push(Line::from(vec![label("danger"), Span::styled(word, style)]));
    }
    let mut preview = Vec::new();
    if !step.preview.is_empty() {
        preview.push(Line::from(label("preview")));
        for l in &step.preview {
            preview.push(Line::from(Span::styled(format!("  {l}"), text)));
        }
    }
    let about_to_send = matches!(step.need, Some(Need::Start | Need::Confirm { .. }));
    if about_to_send {
        lines.append(&mut preview);
    }
    if !step.log.is_empty() {
        lines.push(Line::from(label("log")));
        // The newest lines, as many as the box has room for below what is already there.
        let room = (area.height as usize)
            .saturating_sub(2 + lines.len())
            .max(3);
        let from = step.log.len().saturating_sub(room);
        for l in &step.log[from..] {
            lines.push(Line::from(Span::styled(format!("  {l}"), text)));
        }
    }
    lines.append(&mut preview);
    if !step.request_ids.is_empty() {
        lines.push(Line::from(vec![
            label("requests"),
            Span::styled(step.request_ids.join(", "), text),
        ]));
    }
    for (k, v) in &step.outputs {
        lines.push(Line::from(vec![
            label("output"),
            Span::styled(format!("{k} = {v}"), text),
        ]));
    }
    let block = Block::bordered()
        .border_style(theme.border(false))
        .title(Span::styled(
            format!(" {} ", step.title),
            theme.style(Slot::Title),
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// Rows the Scenarios panel wants: one per runbook (or the load error) and its borders.
pub fn scenarios_height(app: &App) -> u16 {
    if !app.runbooks.any() {
        return 0;
    }
    match &app.runbooks.loaded {
        Err(e) => e.lines().count().clamp(1, 4) as u16 + 2,
        Ok(l) => l.len() as u16 + 2,
    }
}

/// One row per runbook: ready, or how many blockers and the first in words; unknown when a
/// read failed and nothing is known to block. One line when there is no room for a box.
pub fn render_scenarios(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let key = app.keymap.label(Action::Runbooks);
    if area.height < 3 {
        let mut spans = vec![Span::styled(" Scenarios ", theme.style(Slot::Title))];
        match &app.runbooks.loaded {
            Err(e) => spans.push(Span::styled(
                format!("runbooks did not load: {e}"),
                theme.status(Status::Critical),
            )),
            Ok(list) => {
                for rb in list {
                    let name = rb.name.get_ref();
                    let (word, style) = verdict_word(theme, &app.runbooks.verdict(name));
                    spans.push(Span::styled(format!("{name} "), theme.style(Slot::Text)));
                    spans.push(Span::styled(format!("{word}  "), style));
                }
            }
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let block = Block::bordered()
        .border_style(theme.border(false))
        .title(Span::styled(" Scenarios ", theme.title(false)))
        .title(
            Line::from(Span::styled(
                format!(" {key} runs one "),
                theme.style(Slot::Muted),
            ))
            .alignment(Alignment::Right),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let list = match &app.runbooks.loaded {
        Err(e) => {
            // The error's own lines (the file's line and the caret under the column) kept.
            let text = Paragraph::new(ratatui::text::Text::styled(
                format!("runbooks did not load: {e}"),
                theme.status(Status::Critical),
            ))
            .wrap(Wrap { trim: false });
            frame.render_widget(text, inner);
            return;
        }
        Ok(list) => list,
    };
    let width = inner.width as usize;
    let name_width = list
        .iter()
        .map(|r| r.name.get_ref().chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let lines: Vec<Line> = list
        .iter()
        .map(|rb| {
            let name = rb.name.get_ref();
            let verdict = app.runbooks.verdict(name);
            let (word, style) = verdict_word(theme, &verdict);
            let glyph = match verdict {
                Verdict::Ready => theme.status_glyph(Status::Ok),
                Verdict::Blocked { .. } => theme.status_glyph(Status::Critical),
                Verdict::Unknown { .. } | Verdict::Checking => theme.status_glyph(Status::Unknown),
            };
            let why = match &verdict {
                Verdict::Blocked { first, .. } | Verdict::Unknown { first } => first.clone(),
                Verdict::Ready => rb.title.clone(),
                Verdict::Checking => String::new(),
            };
            let head = format!("{:<name_width$} ", fit(name, name_width));
            let word = format!("{word:<11} ");
            let room = width.saturating_sub(2 + head.chars().count() + word.chars().count());
            Line::from(vec![
                Span::styled(format!("{glyph} "), style),
                Span::styled(head, theme.style(Slot::Text)),
                Span::styled(word, style),
                Span::styled(fit(&why, room), theme.style(Slot::Muted)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn verdict_word(theme: &Theme, verdict: &Verdict) -> (String, Style) {
    match verdict {
        Verdict::Checking => ("checking…".to_owned(), theme.style(Slot::Muted)),
        Verdict::Ready => ("ready".to_owned(), theme.status(Status::Ok)),
        Verdict::Blocked { count, .. } => (
            format!("{count} blocker{}", if *count == 1 { "" } else { "s" }),
            theme.status(Status::Critical),
        ),
        Verdict::Unknown { .. } => ("unknown".to_owned(), theme.status(Status::Unknown)),
    }
}
