//! The drill report as a person reads it (text) or pastes it (Markdown). Every figure comes
//! from the record and the comparison; nothing is typed in.

use crate::drill::{DrillOutcome, DrillRecord, StepTiming};

use super::compare::{Comparison, Figure, Trend};

/// How the report is written. JSON is the record and the comparison through serde.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Markdown,
}

/// `45s`, `2m 05s`, `1h 02m`: seconds only where they matter.
pub fn duration(secs: f64) -> String {
    let secs = secs.max(0.0).round() as u64;
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

fn maybe(secs: Option<f64>) -> String {
    secs.map(duration).unwrap_or_else(|| "-".to_owned())
}

fn outcome_line(outcome: &DrillOutcome) -> String {
    match outcome {
        DrillOutcome::Completed => "completed".to_owned(),
        DrillOutcome::Failed(why) => format!("FAILED: {why}"),
        DrillOutcome::Halted(why) => format!("HALTED: {why}"),
        DrillOutcome::Aborted(why) => format!("ABORTED: {why}"),
    }
}

/// `met (52m 10s of 4h 00m)` / `MISSED by 10m 00s (4h 10m of 4h 00m)`.
fn against(took: f64, limit: u64) -> String {
    let limit_f = limit as f64;
    if took <= limit_f {
        format!("met ({} of {})", duration(took), duration(limit_f))
    } else {
        format!(
            "MISSED by {} ({} of {})",
            duration(took - limit_f),
            duration(took),
            duration(limit_f)
        )
    }
}

/// `ok`, `OVER by 1m 10s`, or nothing to say.
fn vs_target(step: &StepTiming) -> String {
    match (step.secs, step.target_secs) {
        (Some(took), Some(target)) if took > target as f64 => {
            format!("OVER by {}", duration(took - target as f64))
        }
        (Some(_), Some(_)) => "ok".to_owned(),
        _ => "-".to_owned(),
    }
}

/// `slower by 1m 00s (+20%)`, `faster by 30s (-10%)`, `steady (+2%)`, `no history`.
fn trend(figure: &Figure) -> String {
    let percent = figure
        .change_percent
        .map(|p| format!(" ({p:+.0}%)"))
        .unwrap_or_default();
    match (figure.trend, figure.change_secs) {
        (Trend::Faster, Some(c)) => format!("faster by {}{percent}", duration(-c)),
        (Trend::Slower, Some(c)) => format!("slower by {}{percent}", duration(c)),
        (Trend::Steady, _) => format!("steady{percent}"),
        (t, _) => t.label().to_owned(),
    }
}

fn median(figure: Option<&Figure>) -> String {
    match figure {
        Some(f) if f.samples > 0 => format!("{} (of {})", maybe(f.median_secs), f.samples),
        _ => "-".to_owned(),
    }
}

/// The whole report.
pub fn render(record: &DrillRecord, comparison: &Comparison, style: Style) -> String {
    let md = style == Style::Markdown;
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%SZ").to_string();

    if md {
        line(format!(
            "# Drill report: {} ({})",
            record.runbook,
            record.mode.label()
        ));
        line(String::new());
    } else {
        line(format!(
            "DRILL REPORT  {}  {}  [{}]",
            record.runbook,
            record.id,
            record.mode.label()
        ));
    }
    let bullet = if md { "- " } else { "  " };
    if md {
        line(format!("{bullet}Drill: {}", record.id));
    }
    line(format!(
        "{bullet}Started {}, finished {}: {}",
        when(record.started),
        record.finished.map(when).unwrap_or_else(|| "never".into()),
        outcome_line(&record.outcome)
    ));
    if let Some(account) = &record.account {
        line(format!("{bullet}Account {account}"));
    }
    match record.recovery_secs {
        Some(took) => {
            line(format!(
                "{bullet}Recovery time {} (first recovery step's start to the last one's end)",
                duration(took)
            ));
            line(format!(
                "{bullet}Against the RTO: {}",
                record
                    .rto_secs
                    .map(|r| against(took, r))
                    .unwrap_or_else(|| "no RTO known for the services it recovers".into())
            ));
            if let Some(t) = record.target_secs {
                line(format!(
                    "{bullet}Against the runbook's target: {}",
                    against(took, t)
                ));
            }
        }
        None => line(format!(
            "{bullet}Recovery time not measured: no recovery step both started and finished"
        )),
    }
    line(format!(
        "{bullet}Setup {}, teardown {}",
        maybe(record.setup_secs),
        maybe(record.teardown_secs)
    ));
    match comparison.earlier.len() {
        0 => line(format!(
            "{bullet}No earlier {} drill of {} to compare with",
            comparison.mode.label(),
            comparison.runbook
        )),
        n => line(format!(
            "{bullet}Compared with {n} earlier drill{} ({}): recovery time {}, median {}",
            if n == 1 { "" } else { "s" },
            comparison.earlier.join(", "),
            trend(&comparison.total),
            median(Some(&comparison.total))
        )),
    }
    line(String::new());

    let headers = [
        "Step",
        "Outcome",
        "Took",
        "Target",
        "Vs target",
        "Median",
        "Trend",
    ];
    let rows: Vec<[String; 7]> = record
        .steps
        .iter()
        .map(|s| {
            let figure = comparison.step(&s.path);
            [
                s.path.clone(),
                s.outcome.clone(),
                maybe(s.secs),
                maybe(s.target_secs.map(|t| t as f64)),
                vs_target(s),
                median(figure),
                figure.map(trend).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(&mut out, md, "Steps", &headers, &rows);

    if !record.restore_points.is_empty() {
        let headers = ["Table", "Restore point", "Data loss", "RPO", "Verdict"];
        let rows: Vec<[String; 5]> = record
            .restore_points
            .iter()
            .map(|p| {
                let loss = p.data_loss_secs as f64;
                [
                    p.table.clone(),
                    when(p.point),
                    duration(loss),
                    maybe(p.rpo_secs.map(|r| r as f64)),
                    match p.rpo_secs {
                        Some(r) if p.data_loss_secs <= r => "within the RPO".into(),
                        Some(r) => format!("OVER the RPO by {}", duration(loss - r as f64)),
                        None => "no RPO known".into(),
                    },
                ]
            })
            .collect();
        table(&mut out, md, "Restore points", &headers, &rows);
    }

    let mut teardown = format!(
        "{}{} removed",
        if md { "" } else { "Teardown: " },
        record.removed.len()
    );
    if !record.removed.is_empty() {
        teardown.push_str(&format!(" ({})", record.removed.join(", ")));
    }
    if !record.left.is_empty() {
        teardown.push_str(&format!("; LEFT BEHIND: {}", record.left.join(", ")));
    }
    if md {
        out.push_str("## Teardown\n\n");
    }
    out.push_str(&format!("{bullet}{teardown}\n"));
    out.push_str(&format!("{bullet}Journal: {}\n", record.journal.display()));
    out
}

fn table<const N: usize>(
    out: &mut String,
    md: bool,
    title: &str,
    headers: &[&str; N],
    rows: &[[String; N]],
) {
    if md {
        out.push_str(&format!("## {title}\n\n"));
        out.push_str(&format!("| {} |\n", headers.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(N)));
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
        return;
    }
    out.push_str(&format!("{title}\n"));
    let mut widths = headers.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let fmt = |cells: Vec<&str>| {
        let mut line = String::from(" ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(&format!(" {cell}"));
            } else {
                line.push_str(&format!(" {cell:<w$} "));
            }
        }
        line.trim_end().to_owned()
    };
    out.push_str(&fmt(headers.to_vec()));
    out.push('\n');
    for row in rows {
        out.push_str(&fmt(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out.push('\n');
}
