//! The readiness report as text for a terminal or cron mail, and as Markdown for a wiki page
//! or a postmortem: the same sections, in the plan's order.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::{LastDrill, LastIncident, MeasuredRpo, Report, Term};
use crate::drill::DrillOutcome;
use crate::health::human_duration;
use crate::mode::Mode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Markdown,
}

struct Out {
    style: Style,
    text: String,
}

impl Out {
    fn heading(&mut self, title: &str) {
        match self.style {
            Style::Text => {
                let _ = writeln!(self.text, "\n{}", title.to_uppercase());
            }
            Style::Markdown => {
                let _ = writeln!(self.text, "\n## {title}\n");
            }
        }
    }

    /// One item; `depth` 1 nests under the item before.
    fn item(&mut self, depth: usize, line: &str) {
        let indent = match self.style {
            Style::Text => "  ".repeat(depth + 1),
            Style::Markdown => format!("{}- ", "  ".repeat(depth)),
        };
        let _ = writeln!(self.text, "{indent}{line}");
    }

    fn code(&self, s: &str) -> String {
        match self.style {
            Style::Text => s.to_owned(),
            Style::Markdown => format!("`{s}`"),
        }
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn yes_no(met: Option<bool>, yes: &str, no: &str) -> String {
    match met {
        Some(true) => yes.to_owned(),
        Some(false) => no.to_owned(),
        None => "unknown".to_owned(),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn secs(s: f64) -> String {
    human_duration(s.max(0.0).round() as u64)
}

/// The report in `style`.
pub fn render(report: &Report, style: Style) -> String {
    let mut out = Out {
        style,
        text: String::new(),
    };
    let title = "Disaster Recovery Metrics Report";
    match style {
        Style::Text => {
            let _ = writeln!(out.text, "{}", title.to_uppercase());
        }
        Style::Markdown => {
            let _ = writeln!(out.text, "# {title}\n");
        }
    }
    match report.mode {
        Mode::Production => {}
        mode => {
            let _ = writeln!(
                out.text,
                "{}: not the production estate; only {} runs are counted\n",
                mode.label(),
                mode.label().to_lowercase()
            );
        }
    }
    let _ = writeln!(
        out.text,
        "{}, account {}, for {} (estate read {})",
        report.estate,
        report.account.as_deref().unwrap_or("unknown"),
        when(report.at),
        when(report.read_at)
    );

    out.heading("DynamoDB backups");
    for t in &report.tables {
        let backups = t
            .backups
            .map_or("backups unknown".to_owned(), |n| plural(n, "backup"));
        let newest = match &t.newest {
            Some(n) => format!(
                "newest {} at {} ({} old, {} {}: {})",
                out.code(&n.name),
                when(n.at),
                human_duration(n.age_secs),
                t.bound_from,
                human_duration(t.bound_secs),
                yes_no(t.fresh, "within", "OVER")
            ),
            None if t.backups.is_some() => "no AVAILABLE backup".to_owned(),
            None => "newest unknown".to_owned(),
        };
        let pitr = match t.pitr_enabled {
            Some(true) => "PITR on",
            Some(false) => "PITR OFF",
            None => "PITR unknown",
        };
        out.item(0, &format!("{}: {backups}, {newest}; {pitr}", t.name));
    }

    out.heading("Function backups");
    for f in &report.functions {
        let what = if !f.checked {
            "unknown (the backup bucket could not be searched)".to_owned()
        } else {
            let kind = match (f.has_code, f.has_config) {
                (true, true) => "code and configuration",
                (true, false) => "code only",
                (false, true) => "CONFIGURATION ONLY (cannot restore the function)",
                (false, false) => "NO BACKUP",
            };
            match (f.time, f.age_secs, &f.location) {
                (Some(t), Some(a), Some(l)) => format!(
                    "{kind}, newest {} ({} old) in {}",
                    when(t),
                    human_duration(a),
                    out.code(l)
                ),
                (_, _, Some(l)) => format!("{kind}, in {}", out.code(l)),
                _ => kind.to_owned(),
            }
        };
        out.item(0, &format!("{}: {what}", f.name));
    }

    out.heading("S3 replication");
    for b in &report.buckets {
        if b.unreplicated_on_purpose {
            out.item(0, &format!("{}: not replicated, on purpose", b.name));
            continue;
        }
        let rule = b.rule.as_deref().unwrap_or("unknown");
        let counts = match (b.source_objects, b.replica_objects, b.completeness_percent) {
            (Some(s), Some(r), Some(c)) => format!(
                "{c:.1}% complete ({r} of {s} objects{}), threshold {:.0}%",
                b.prefix
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .map(|p| format!(" under {p}"))
                    .unwrap_or_default(),
                b.threshold_percent
            ),
            _ => "completeness unknown".to_owned(),
        };
        out.item(
            0,
            &format!(
                "{} -> {}: {rule}, {counts}: {}",
                b.name,
                b.destination
                    .as_deref()
                    .or(b.replica.as_deref())
                    .unwrap_or("no replica"),
                yes_no(b.healthy, "healthy", "UNHEALTHY")
            ),
        );
    }

    out.heading("Tests and measured recovery");
    match &report.last_validation {
        Some(v) => {
            out.item(
                0,
                &format!(
                    "Last validation: {} {}, {} ({})",
                    when(v.started),
                    out.code(&v.id),
                    format!("{:?}", v.verdict).to_uppercase(),
                    plural(v.findings, "finding")
                ),
            );
            for f in &v.failed {
                out.item(1, f);
            }
        }
        None => out.item(0, "Last validation: none recorded"),
    }
    match &report.last_drill {
        Some(d) => drill(&mut out, "Last drill", d),
        None => out.item(0, "Last drill: none recorded"),
    }
    if let Some(d) = &report.last_measured_drill {
        drill(&mut out, "Last drill that measured its recovery", d);
    }
    match &report.last_incident {
        Some(i) => incident(&mut out, i),
        None => out.item(0, "Last resolved incident: none"),
    }

    out.heading(&format!(
        "Recovery readiness score: {:.1}%",
        report.readiness_percent
    ));
    for t in &report.terms {
        term(&mut out, t);
    }

    if !report.unknown.is_empty() {
        out.heading("Could not be read (each lowers its term)");
        for u in &report.unknown {
            out.item(0, u);
        }
    }
    out.text
}

fn drill(out: &mut Out, label: &str, d: &LastDrill) {
    let outcome = match &d.outcome {
        DrillOutcome::Completed => "completed".to_owned(),
        DrillOutcome::Failed(why) => format!("FAILED: {why}"),
        DrillOutcome::Halted(why) => format!("HALTED: {why}"),
        DrillOutcome::Aborted(why) => format!("ABORTED: {why}"),
    };
    let rto = match (d.recovery_secs, d.rto_secs) {
        (Some(r), Some(t)) => format!(
            "; recovery {} against RTO {}: {}",
            secs(r),
            human_duration(t),
            yes_no(d.rto_met, "met", "MISSED")
        ),
        (Some(r), None) => format!("; recovery {}", secs(r)),
        _ => "; recovery time not measured".to_owned(),
    };
    let id = out.code(&d.id);
    out.item(
        0,
        &format!(
            "{label}: {} {id} ({}), {outcome}{rto}",
            when(d.started),
            d.runbook
        ),
    );
    rpo_lines(out, &d.restore_points);
}

fn rpo_lines(out: &mut Out, points: &[MeasuredRpo]) {
    for p in points {
        let target = match p.rpo_secs {
            Some(rpo) => format!(
                " against RPO {}: {}",
                human_duration(rpo),
                yes_no(p.met, "met", "MISSED")
            ),
            None => String::new(),
        };
        out.item(
            1,
            &format!(
                "RPO {}: {} of data lost{target}",
                p.name,
                human_duration(p.data_loss_secs)
            ),
        );
    }
}

fn incident(out: &mut Out, i: &LastIncident) {
    let id = out.code(&i.id);
    out.item(
        0,
        &format!(
            "Last resolved incident: {id} {}, resolved {}",
            i.title,
            when(i.resolved_at)
        ),
    );
    for s in &i.services {
        out.item(
            1,
            &format!(
                "RTO {}: {}{} against {}: {}",
                s.service,
                human_duration(s.recovery_secs),
                if s.marked_restored {
                    ""
                } else {
                    " (to resolution; never marked restored)"
                },
                human_duration(s.rto_secs),
                if s.met { "met" } else { "MISSED" }
            ),
        );
    }
    rpo_lines(out, &i.restore_points);
}

fn term(out: &mut Out, t: &Term) {
    let percent = t
        .percent
        .map_or("n/a (nothing to measure)".to_owned(), |p| {
            format!("{p:.1}%")
        });
    out.item(
        0,
        &format!("{}: {percent} (weight {:.0}%)", t.name, t.weight * 100.0),
    );
    for p in &t.parts {
        let share = p.percent().map_or("n/a".to_owned(), |s| format!("{s:.1}%"));
        out.item(1, &format!("{} of {} {}: {share}", p.met, p.of, p.what));
        for s in p.short.iter().chain(&p.unknown) {
            out.item(2, s);
        }
    }
}
