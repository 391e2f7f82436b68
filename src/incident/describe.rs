//! One line per entry in plain words: what the timeline, `incident timeline` and the
//! postmortem export show, so all three tell the same story.

use super::journal::Entry;
use super::record::{ImpactSource, Record, StepOutcome};
use super::state::short_duration;

/// What happened, in a line; an entry of a kind this version does not know says so.
pub fn describe(entry: &Entry) -> String {
    let Some(record) = entry.record() else {
        return format!("({} — written by a newer drconsole)", entry.kind);
    };
    match record {
        Record::Declared(d) => {
            let services: Vec<&str> = d.services.iter().map(|s| s.name.as_str()).collect();
            let began = match &d.impact_source {
                ImpactSource::Given => format!("impact began {}", d.impact_began.format("%H:%MZ")),
                ImpactSource::Alarm { alarm } => format!(
                    "impact began {} ({alarm} in ALARM)",
                    d.impact_began.format("%H:%MZ")
                ),
                ImpactSource::Declaration => "impact from now".to_owned(),
            };
            let commander = d
                .commander
                .map(|c| format!(", commander {c}"))
                .unwrap_or_default();
            format!(
                "declared {} {}: {} [{}] affecting {}; {began}{commander}",
                d.severity,
                d.id,
                d.title,
                d.scenario,
                services.join(", ")
            )
        }
        Record::Note { text, author } => match author {
            Some(author) => format!("note ({author}): {text}"),
            None => format!("note: {text}"),
        },
        Record::SeverityChanged { from, to, reason } => {
            with_reason(format!("severity {from} → {to}"), reason)
        }
        Record::ServiceAffected { service } => format!(
            "{} now affected (RTO {})",
            service.name,
            short_duration(chrono::Duration::seconds(service.rto_secs as i64))
        ),
        Record::ServiceRestored { service, at, note } => {
            let at = at
                .map(|a| format!(" at {}", a.format("%H:%MZ")))
                .unwrap_or_default();
            with_reason(format!("{service} restored{at}"), note)
        }
        Record::RestorePointChosen {
            service,
            point,
            source,
        } => with_reason(
            format!(
                "{service}: restore point {}",
                point.format("%Y-%m-%d %H:%M:%SZ")
            ),
            source,
        ),
        Record::StepStarted { step, title, .. } => match title {
            Some(title) => format!("step {step} started: {title}"),
            None => format!("step {step} started"),
        },
        Record::RequestSent {
            service,
            operation,
            target,
            region,
            ..
        } => {
            let region = region.map(|r| format!(" in {r}")).unwrap_or_default();
            format!("sent {service} {operation} {target}{region}")
        }
        Record::RequestFinished {
            service,
            operation,
            target,
            request_id,
            ok,
            error,
            ..
        } => {
            let id = request_id
                .map(|id| format!(" (request {id})"))
                .unwrap_or_default();
            if ok {
                format!("{service} {operation} {target} succeeded{id}")
            } else {
                let error = error.unwrap_or_else(|| "no message".to_owned());
                format!("{service} {operation} {target} failed{id}: {error}")
            }
        }
        Record::StepFinished {
            step,
            outcome,
            detail,
            ..
        } => with_reason(format!("step {step} {}", outcome_word(outcome)), detail),
        Record::Decision {
            choice, rationale, ..
        } => format!("decided: {choice} — {rationale}"),
        Record::RunbookStarted { runbook, run, .. } => format!("runbook {runbook} started ({run})"),
        Record::InputGiven { name, value, .. } => format!("input {name} = {value}"),
        Record::RunbookFinished {
            runbook,
            outcome,
            detail,
            ..
        } => with_reason(
            format!("runbook {runbook} {}", outcome_word(outcome)),
            detail,
        ),
        Record::MessageDrafted { template, .. } => format!("message drafted ({template})"),
        Record::MessageCopied { template, via, .. } => {
            format!("message copied ({template}, via {via})")
        }
        Record::MessagePosted {
            template, channel, ..
        } => format!("message posted to {channel} ({template})"),
        Record::MessagePostFailed {
            template,
            channel,
            error,
            attempts,
        } => format!(
            "message to {channel} ({template}) not posted after {attempts} attempt(s): {error}"
        ),
        Record::EtaSet { eta: Some(eta) } => {
            format!(
                "ETA for full recovery set to {}",
                eta.format("%Y-%m-%d %H:%M UTC")
            )
        }
        Record::EtaSet { eta: None } => "ETA withdrawn".to_owned(),
        Record::ContactNotified { group, role, name } => {
            format!("notified {} ({group})", person(&role, &name))
        }
        Record::ContactAcknowledged { group, role, name } => {
            format!("acknowledged by {} ({group})", person(&role, &name))
        }
        Record::FollowUp { text } => format!("follow-up: {text}"),
        Record::Resolved { summary } => with_reason("resolved".to_owned(), summary),
        Record::ActionStarted {
            action,
            target,
            danger,
            requests,
            ..
        } => format!(
            "action {action} on {target} started ({danger}, {} request(s))",
            requests.len()
        ),
        Record::ActionRefused {
            action,
            target,
            guard,
            reason,
        } => format!("action {action} on {target} refused by the {guard} guard: {reason}"),
        Record::SafetyNet { what, .. } => format!("safety net: {what}"),
        Record::ValidationFinished {
            verdict, summary, ..
        } => {
            format!("backup validation {verdict}: {summary}")
        }
        Record::BackupFinished {
            family,
            verdict,
            summary,
            ..
        } => format!("backup {family} {verdict}: {summary}"),
        Record::DrillStarted {
            runbook,
            suffix,
            copies,
            ..
        } => format!(
            "drill of {runbook} started: writes only to names with {suffix}{}",
            if copies.is_empty() {
                String::new()
            } else {
                format!(
                    "; setup made {}",
                    copies
                        .iter()
                        .map(|(real, copy)| format!("{copy} (from {real})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
        Record::DrillHalted { reason, .. } => format!("drill halted: {reason}"),
        Record::DrillTornDown { removed, left, .. } => {
            let mut text = format!("drill torn down: {} removed", removed.len());
            if !removed.is_empty() {
                text.push_str(&format!(" ({})", removed.join(", ")));
            }
            if !left.is_empty() {
                text.push_str(&format!("; LEFT BEHIND: {}", left.join(", ")));
            }
            text
        }
        Record::ResourceOwned { resource, .. } => {
            format!("{resource} was created by this run and may be removed by it")
        }
        Record::ActionFinished {
            action,
            target,
            outcome,
            detail,
            undo,
            ..
        } => {
            let outcome = match outcome {
                StepOutcome::Succeeded => "succeeded",
                StepOutcome::Failed => "failed",
                StepOutcome::Skipped => "skipped",
                StepOutcome::Cancelled => "cancelled",
            };
            let undo = if undo.is_some() {
                " (undo available)"
            } else {
                ""
            };
            with_reason(
                format!("action {action} on {target} {outcome}{undo}"),
                detail,
            )
        }
        Record::WaitFinished {
            what,
            ok,
            waited_secs,
            detail,
            ..
        } => with_reason(
            format!(
                "{} {what} after {}",
                if ok {
                    "done waiting for"
                } else {
                    "gave up waiting for"
                },
                crate::config::Dur::from_secs(waited_secs)
            ),
            detail,
        ),
        Record::CheckFinished {
            check,
            target,
            passed,
            summary,
            ..
        } => format!(
            "check {check} on {target} {}: {summary}",
            if passed { "passed" } else { "FAILED" }
        ),
        Record::TornTailSetAside { bytes, side_file } => format!(
            "a write the machine did not finish ({bytes} bytes) was set aside in {side_file}"
        ),
    }
}

fn with_reason(text: String, reason: Option<String>) -> String {
    match reason.filter(|r| !r.trim().is_empty()) {
        Some(reason) => format!("{text}: {reason}"),
        None => text,
    }
}

fn outcome_word(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Succeeded => "succeeded",
        StepOutcome::Failed => "failed",
        StepOutcome::Skipped => "skipped",
        StepOutcome::Cancelled => "cancelled",
    }
}

/// `CTO` or `CTO Dana Reyes`.
fn person(role: &str, name: &Option<String>) -> String {
    match name {
        Some(name) if !name.is_empty() => format!("{role} {name}"),
        _ => role.to_owned(),
    }
}
