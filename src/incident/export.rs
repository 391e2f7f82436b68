//! The postmortem skeleton an incident's journal gives, as Markdown for people and JSON for
//! tools: summary, impact, timeline, steps with their durations, measured RTO/RPO against the
//! targets, messages sent and what is left to do. Built from the journal alone, in one pass.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::describe::describe;
use super::journal::{JOURNAL_FILE, JournalError, JournalResult, Reader};
use super::record::{ImpactSource, Record, Severity, StepOutcome};
use super::state::{Clock, Incident, Sent, Stopwatch, short_duration};
use super::store::SCENARIOS;
use crate::mode::Mode;

/// Everything a postmortem starts from. `as_of` is when it was made: clocks of services
/// still out run to it.
#[derive(Debug, Clone, Serialize)]
pub struct Postmortem {
    pub id: String,
    pub mode: Mode,
    pub simulation: bool,
    pub title: String,
    pub scenario: String,
    pub severity: Severity,
    pub declared_severity: Severity,
    pub commander: Option<String>,
    pub account: Option<String>,
    pub declared_at: DateTime<Utc>,
    pub impact_began: DateTime<Utc>,
    pub impact_source: ImpactSource,
    pub resolved_at: Option<DateTime<Utc>>,
    /// From the impact to the resolution (to `as_of` while open).
    pub duration_secs: i64,
    pub summary: Option<String>,
    pub services: Vec<ServiceResult>,
    pub timeline: Vec<TimelineLine>,
    pub steps: Vec<Step>,
    pub requests: Vec<Request>,
    pub messages: Vec<Sent>,
    pub follow_ups: Vec<String>,
    /// Services never marked restored.
    pub never_restored: Vec<String>,
    /// Bytes of a torn last line (a write the machine did not finish), not part of the record.
    pub torn_bytes: u64,
    pub as_of: DateTime<Utc>,
}

/// One affected service, measured against its targets.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceResult {
    pub name: String,
    pub priority: String,
    pub impact: String,
    pub rto: Stopwatch,
    pub restored_at: Option<DateTime<Utc>>,
    pub rpo_target_secs: u64,
    /// The data-loss window the chosen restore point implies; `None`: not measured.
    pub rpo: Option<Stopwatch>,
    pub restore_point: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineLine {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub text: String,
}

/// A step from its start to its end; either may be missing from the journal.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub run: Option<String>,
    pub step: String,
    pub title: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_secs: Option<i64>,
    pub outcome: Option<StepOutcome>,
    pub detail: Option<String>,
}

/// An AWS write: sent, and what came back (nothing, if the process died in between).
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub step: Option<String>,
    pub service: String,
    pub operation: String,
    pub target: String,
    pub region: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub ok: Option<bool>,
    pub request_id: Option<String>,
    pub error: Option<String>,
}

/// Reads the incident in `dir` (or its journal file) once and gathers its postmortem.
pub fn build(path: &Path, as_of: DateTime<Utc>) -> JournalResult<Postmortem> {
    let mut reader = Reader::open(path)?;
    let not_incident = |why: &str| JournalError::Invalid {
        path: reader_path(path),
        reason: format!("not an incident journal: {why}"),
    };
    let first = match reader.next() {
        Some(entry) => entry?,
        None => return Err(not_incident("it is empty")),
    };
    let dir = if path.is_file() {
        path.parent().unwrap_or(Path::new(".")).to_owned()
    } else {
        path.to_owned()
    };
    let mut incident = Incident::from_declared(&first, &dir)
        .ok_or_else(|| not_incident("its first entry is not a declaration"))?;
    let declared_severity = incident.severity;
    let mut timeline = vec![line(&first)];
    let mut steps: Vec<Step> = Vec::new();
    let mut requests: Vec<Request> = Vec::new();
    for entry in reader.by_ref() {
        let entry = entry?;
        incident.apply(&entry);
        timeline.push(line(&entry));
        match entry.record() {
            Some(Record::StepStarted { run, step, title }) => steps.push(Step {
                run,
                step,
                title,
                started_at: Some(entry.at),
                finished_at: None,
                duration_secs: None,
                outcome: None,
                detail: None,
            }),
            Some(Record::StepFinished {
                run,
                step,
                outcome,
                detail,
                ..
            }) => {
                let open = steps
                    .iter_mut()
                    .rev()
                    .find(|s| s.finished_at.is_none() && s.run == run && s.step == step);
                let finished = match open {
                    Some(s) => s,
                    None => {
                        steps.push(Step {
                            run,
                            step,
                            title: None,
                            started_at: None,
                            finished_at: None,
                            duration_secs: None,
                            outcome: None,
                            detail: None,
                        });
                        steps.last_mut().expect("just pushed")
                    }
                };
                finished.finished_at = Some(entry.at);
                finished.duration_secs = finished
                    .started_at
                    .map(|start| (entry.at - start).num_seconds());
                finished.outcome = Some(outcome);
                finished.detail = detail;
            }
            Some(Record::RequestSent {
                step,
                service,
                operation,
                target,
                region,
                ..
            }) => requests.push(Request {
                step,
                service,
                operation,
                target,
                region,
                sent_at: Some(entry.at),
                finished_at: None,
                ok: None,
                request_id: None,
                error: None,
            }),
            Some(Record::RequestFinished {
                step,
                service,
                operation,
                target,
                request_id,
                ok,
                error,
                ..
            }) => {
                let open = requests.iter_mut().rev().find(|r| {
                    r.finished_at.is_none()
                        && r.service == service
                        && r.operation == operation
                        && r.target == target
                });
                let request = match open {
                    Some(r) => r,
                    None => {
                        requests.push(Request {
                            step,
                            service,
                            operation,
                            target,
                            region: None,
                            sent_at: None,
                            finished_at: None,
                            ok: None,
                            request_id: None,
                            error: None,
                        });
                        requests.last_mut().expect("just pushed")
                    }
                };
                request.finished_at = Some(entry.at);
                request.ok = Some(ok);
                request.request_id = request_id;
                request.error = error;
            }
            _ => {}
        }
    }
    let torn_bytes = reader.torn_bytes;
    let services = incident
        .rto_watches(as_of)
        .into_iter()
        .map(|(clock, rto)| ServiceResult {
            name: clock.service.name.clone(),
            priority: clock.service.priority.clone(),
            impact: clock.service.impact.clone(),
            rto,
            restored_at: clock.restored_at,
            rpo_target_secs: clock.service.rpo_secs,
            rpo: clock.rpo_watch(incident.impact_began),
            restore_point: clock.restore_point,
        })
        .collect();
    let never_restored = incident
        .still_affected()
        .map(|s| s.service.name.clone())
        .collect();
    Ok(Postmortem {
        id: incident.id.clone(),
        mode: incident.mode,
        simulation: incident.mode == Mode::Simulation,
        title: incident.title.clone(),
        scenario: incident.scenario.clone(),
        severity: incident.severity,
        declared_severity,
        commander: incident.commander.clone(),
        account: incident.account.clone(),
        declared_at: incident.declared_at,
        impact_began: incident.impact_began,
        impact_source: incident.impact_source.clone(),
        resolved_at: incident.resolved_at,
        duration_secs: incident.elapsed(as_of).num_seconds(),
        summary: incident.summary.clone(),
        services,
        timeline,
        steps,
        requests,
        messages: incident.messages.clone(),
        follow_ups: incident.follow_ups.clone(),
        never_restored,
        torn_bytes,
        as_of,
    })
}

fn reader_path(path: &Path) -> std::path::PathBuf {
    if path.is_file() {
        path.to_owned()
    } else {
        path.join(JOURNAL_FILE)
    }
}

fn line(entry: &super::journal::Entry) -> TimelineLine {
    TimelineLine {
        seq: entry.seq,
        at: entry.at,
        kind: entry.kind.clone(),
        text: describe(entry),
    }
}

/// The postmortem as Markdown: a skeleton to complete, every figure from the journal.
pub fn markdown(p: &Postmortem) -> String {
    let mut out = String::new();
    let sim = if p.simulation { " — SIMULATION" } else { "" };
    let _ = writeln!(
        out,
        "# {} · {} · {}{sim}\n",
        p.id,
        p.severity,
        one_line(&p.title)
    );
    if p.simulation {
        out.push_str(
            "> **SIMULATION**: rehearsed on the simulated estate; nothing here happened in an AWS account.\n\n",
        );
    }

    out.push_str("## Summary\n\n");
    let scenario = SCENARIOS
        .iter()
        .find(|(name, _)| *name == p.scenario)
        .map_or(p.scenario.clone(), |(name, what)| {
            format!("{name} ({what})")
        });
    let severity = if p.severity == p.declared_severity {
        p.severity.to_string()
    } else {
        format!("{} (declared {})", p.severity, p.declared_severity)
    };
    let began = match &p.impact_source {
        ImpactSource::Given => format!("{} (given)", stamp(p.impact_began)),
        ImpactSource::Alarm { alarm } => {
            format!("{} ({} in ALARM)", stamp(p.impact_began), cell(alarm))
        }
        ImpactSource::Declaration => format!("{} (the declaration)", stamp(p.impact_began)),
    };
    let resolved = p.resolved_at.map_or_else(|| "not yet".to_owned(), stamp);
    let duration = short_duration(Duration::seconds(p.duration_secs));
    let duration = if p.resolved_at.is_some() {
        format!("{duration} from impact to resolution")
    } else {
        format!(
            "{duration} since the impact began, still open at {}",
            stamp(p.as_of)
        )
    };
    out.push_str("| | |\n|---|---|\n");
    for (key, value) in [
        ("Mode", p.mode.label().to_owned()),
        ("Scenario", scenario),
        ("Severity", severity),
        (
            "Commander",
            p.commander.as_deref().map_or("not named".to_owned(), cell),
        ),
        (
            "Account",
            p.account.clone().unwrap_or_else(|| "not read".to_owned()),
        ),
        ("Declared", stamp(p.declared_at)),
        ("Impact began", began),
        ("Resolved", resolved),
        ("Duration", duration),
    ] {
        let _ = writeln!(out, "| {key} | {value} |");
    }
    if let Some(summary) = p.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(out, "\n{}", summary.trim());
    }

    out.push_str("\n## Impact\n\n");
    out.push_str("| Service | Priority | RTO | RPO | Impact |\n|---|---|---|---|---|\n");
    for s in &p.services {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&s.name),
            cell(&s.priority),
            short_duration(s.rto.target),
            short_duration(Duration::seconds(s.rpo_target_secs as i64)),
            cell(&s.impact),
        );
    }

    out.push_str("\n## Timeline\n\n");
    for l in &p.timeline {
        let _ = writeln!(
            out,
            "- {} #{} {}",
            stamp_secs(l.at),
            l.seq,
            l.text.trim().replace('\n', "\n  ")
        );
    }
    if p.torn_bytes > 0 {
        let _ = writeln!(
            out,
            "- (a last write of {} bytes the machine did not finish follows; not part of the record)",
            p.torn_bytes
        );
    }

    out.push_str("\n## Steps\n\n");
    if p.steps.is_empty() {
        out.push_str("No steps recorded.\n");
    } else {
        out.push_str("| Step | Started | Finished | Duration | Outcome |\n|---|---|---|---|---|\n");
        for s in &p.steps {
            let name = match &s.title {
                Some(title) => format!("{}: {}", s.step, title),
                None => s.step.clone(),
            };
            let outcome = match (s.outcome, &s.detail) {
                (Some(o), Some(d)) => format!("{} ({d})", outcome_word(o)),
                (Some(o), None) => outcome_word(o).to_owned(),
                (None, _) => "not finished".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&name),
                s.started_at.map_or("not recorded".to_owned(), stamp_secs),
                s.finished_at.map_or("—".to_owned(), stamp_secs),
                s.duration_secs
                    .map_or("—".to_owned(), |d| short_duration(Duration::seconds(d))),
                cell(&outcome),
            );
        }
    }
    if !p.requests.is_empty() {
        out.push_str("\nAWS requests:\n\n");
        for r in &p.requests {
            let region = r
                .region
                .as_deref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default();
            let id = r
                .request_id
                .as_deref()
                .map(|id| format!(", request {id}"))
                .unwrap_or_default();
            let result = match (r.ok, &r.error) {
                (Some(true), _) => format!("succeeded{id}"),
                (Some(false), Some(e)) => format!("failed{id}: {}", one_line(e)),
                (Some(false), None) => format!("failed{id}"),
                (None, _) => "sent; no result recorded".to_owned(),
            };
            let _ = writeln!(
                out,
                "- {} {} {} {}{region} — {result}",
                r.sent_at
                    .map_or("(sent: not recorded)".to_owned(), stamp_secs),
                r.service,
                r.operation,
                r.target,
            );
        }
    }

    out.push_str("\n## Measured RTO/RPO\n\n");
    out.push_str(
        "| Service | RTO target | Measured RTO | RTO | RPO target | Data-loss window | RPO |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for s in &p.services {
        let (measured, verdict) = match s.rto.clock {
            Clock::Met => (short_duration(s.rto.elapsed), "Met"),
            Clock::Missed => (short_duration(s.rto.elapsed), "Missed"),
            // Resolved without this service marked restored: nothing was measured.
            _ if p.resolved_at.is_some() => ("not measured".to_owned(), "never marked restored"),
            _ => (
                format!("{} so far", short_duration(s.rto.elapsed)),
                "still running",
            ),
        };
        let (window, rpo) = match &s.rpo {
            Some(w) => (
                short_duration(w.elapsed),
                if w.clock == Clock::Missed {
                    "Missed"
                } else {
                    "Met"
                },
            ),
            None => ("not measured".to_owned(), "—"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {measured} | {verdict} | {} | {window} | {rpo} |",
            cell(&s.name),
            short_duration(s.rto.target),
            short_duration(Duration::seconds(s.rpo_target_secs as i64)),
        );
    }

    out.push_str("\n## Messages sent\n\n");
    if p.messages.is_empty() {
        out.push_str("None recorded.\n");
    }
    for m in &p.messages {
        let _ = writeln!(
            out,
            "- {} #{} {}, {}",
            stamp_secs(m.at),
            m.seq,
            m.template,
            m.how
        );
    }

    out.push_str("\n## Open follow-ups\n\n");
    if p.follow_ups.is_empty() && p.never_restored.is_empty() {
        out.push_str("None recorded.\n");
    }
    for f in &p.follow_ups {
        let _ = writeln!(out, "- [ ] {}", f.trim().replace('\n', "\n  "));
    }
    for s in &p.never_restored {
        let _ = writeln!(out, "- [ ] {s} was never marked restored");
    }
    out
}

fn outcome_word(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Succeeded => "succeeded",
        StepOutcome::Failed => "failed",
        StepOutcome::Skipped => "skipped",
        StepOutcome::Cancelled => "cancelled",
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%MZ").to_string()
}

fn stamp_secs(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// Text for a table cell: one line, and no `|` to split the row.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
