//! The scripted simulated incident: a region failure forty-five minutes in, with a message
//! already sent, contacts reached, a runbook under way and a service back. `message render
//! --demo` and the template snapshots render against it, so every template can be tried and
//! checked without AWS or a real incident.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use super::context::{MessageContext, Sources};
use crate::incident::{
    AffectedService, Declared, Entry, ImpactSource, Incident, Record, Severity, StepOutcome,
};
use crate::mode::Mode;

/// When the demonstration's clock reads "now".
pub fn now() -> DateTime<Utc> {
    at(9, 50)
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, h, m, 0)
        .single()
        .expect("a valid time")
}

fn service(name: &str, priority: &str, rto_h: u64, rpo_m: u64, impact: &str) -> AffectedService {
    AffectedService {
        name: name.to_owned(),
        priority: priority.to_owned(),
        rto_secs: rto_h * 3600,
        rpo_secs: rpo_m * 60,
        impact: impact.to_owned(),
    }
}

/// The journal, entry by entry, as the console would have written it.
pub fn entries() -> Vec<Entry> {
    let run = "run-20260314-0920".to_owned();
    let script: Vec<(DateTime<Utc>, Record)> = vec![
        (
            at(9, 12),
            Record::Declared(Declared {
                id: "INC-20260314-0912".into(),
                title: "us-east-1 outage: API and ingestion down".into(),
                scenario: "region-failure".into(),
                severity: Severity::Sev1,
                services: vec![
                    service(
                        "API Gateway + Lambda",
                        "P0",
                        1,
                        15,
                        "User-facing service unavailable",
                    ),
                    service(
                        "Data Ingestion Pipeline",
                        "P0",
                        2,
                        15,
                        "No new data processing",
                    ),
                    service("DynamoDB Tables", "P1", 4, 60, "Data access limited"),
                ],
                commander: None,
                impact_began: at(9, 5),
                impact_source: ImpactSource::Alarm {
                    alarm: "flightdata-api-errors".into(),
                },
            }),
        ),
        (
            at(9, 13),
            contact(
                true,
                "Disaster Declaration Authority",
                "Engineering Manager",
            ),
        ),
        (
            at(9, 14),
            contact(true, "Technical Recovery Team", "Lead DevOps Engineer"),
        ),
        (
            at(9, 16),
            contact(false, "Technical Recovery Team", "Lead DevOps Engineer"),
        ),
        (
            at(9, 18),
            Record::MessageCopied {
                template: "initial-declaration".into(),
                text: "PRIORITY: URGENT - DISASTER RECOVERY ACTIVATED".into(),
                via: "osc52".into(),
            },
        ),
        (
            at(9, 20),
            Record::RunbookStarted {
                run: run.clone(),
                runbook: "region-failover".into(),
                inputs: Default::default(),
                digest: "demo".into(),
            },
        ),
        (
            at(9, 20),
            step_started(&run, "dns", "Point DNS at us-west-2"),
        ),
        (at(9, 23), step_finished(&run, "dns")),
        (
            at(9, 24),
            Record::Note {
                text: "Route53 now answers with us-west-2; clients reconnecting".into(),
                author: None,
            },
        ),
        (
            at(9, 31),
            Record::RestorePointChosen {
                service: "DynamoDB Tables".into(),
                point: at(8, 58),
                source: Some("export in flightdata-backup-us-west-2".into()),
            },
        ),
        (
            at(9, 38),
            Record::ServiceRestored {
                service: "API Gateway + Lambda".into(),
                at: None,
                note: Some("smoke test passed in us-west-2".into()),
            },
        ),
        (
            at(9, 40),
            step_started(
                &run,
                "restore-tables",
                "Restore flightdata-main in us-west-2",
            ),
        ),
        (
            at(9, 42),
            Record::EtaSet {
                eta: Some(at(11, 30)),
            },
        ),
    ];
    let mut prev = String::new();
    script
        .into_iter()
        .enumerate()
        .map(|(i, (at, record))| {
            let (kind, payload) = record.to_parts();
            let hash = format!("demo-{}", i + 1);
            Entry {
                seq: i as u64 + 1,
                at,
                kind,
                mode: Mode::Simulation,
                account: Some("123456789012".into()),
                regions: vec!["us-east-1".into(), "us-west-2".into()],
                payload,
                prev: std::mem::replace(&mut prev, hash.clone()),
                hash,
            }
        })
        .collect()
}

fn contact(notified: bool, group: &str, role: &str) -> Record {
    let (group, role) = (group.to_owned(), role.to_owned());
    if notified {
        Record::ContactNotified {
            group,
            role,
            name: None,
        }
    } else {
        Record::ContactAcknowledged {
            group,
            role,
            name: None,
        }
    }
}

fn step_started(run: &str, step: &str, title: &str) -> Record {
    Record::StepStarted {
        run: Some(run.to_owned()),
        step: step.to_owned(),
        title: Some(title.to_owned()),
    }
}

fn step_finished(run: &str, step: &str) -> Record {
    Record::StepFinished {
        run: Some(run.to_owned()),
        step: step.to_owned(),
        outcome: StepOutcome::Succeeded,
        detail: None,
        outputs: Default::default(),
    }
}

/// The incident the entries replay to.
pub fn incident(entries: &[Entry]) -> Incident {
    let mut incident =
        Incident::from_declared(&entries[0], Path::new("demo")).expect("the first entry declares");
    for entry in &entries[1..] {
        incident.apply(entry);
    }
    incident
}

/// The demonstration's message context at [`now`].
pub fn context() -> MessageContext {
    context_of(&entries(), now(), 30)
}

/// The context of a journal of the demonstration's estate, updates due every `every_min`.
fn context_of(entries: &[Entry], now: DateTime<Utc>, every_min: u64) -> MessageContext {
    let incident = incident(entries);
    MessageContext::build(&Sources {
        incident: &incident,
        entries,
        run: None,
        drills: &[],
        update_every: std::time::Duration::from_secs(every_min * 60),
        primary_region: "us-east-1",
        backup_region: "us-west-2",
        now,
    })
}

/// The same incident resolved at 12:25, for the completion notice.
pub fn resolved_context() -> MessageContext {
    let mut entries = entries();
    let more = [
        (
            at(11, 55),
            Record::StepFinished {
                run: Some("run-20260314-0920".into()),
                step: "restore-tables".into(),
                outcome: StepOutcome::Succeeded,
                detail: None,
                outputs: Default::default(),
            },
        ),
        (
            at(12, 10),
            Record::ServiceRestored {
                service: "Data Ingestion Pipeline".into(),
                at: None,
                note: None,
            },
        ),
        (
            at(12, 20),
            Record::ServiceRestored {
                service: "DynamoDB Tables".into(),
                at: None,
                note: None,
            },
        ),
        (
            at(12, 25),
            Record::Resolved {
                summary: Some("Served from us-west-2 until us-east-1 recovers.".into()),
            },
        ),
    ];
    for (when, record) in more {
        let last = entries.last().expect("entries").clone();
        let (kind, payload) = record.to_parts();
        entries.push(Entry {
            seq: last.seq + 1,
            at: when,
            kind,
            payload,
            prev: last.hash.clone(),
            hash: format!("demo-{}", last.seq + 1),
            ..last
        });
    }
    context_of(&entries, at(12, 30), 30)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn the_demo_context_says_what_the_journal_says() {
        let ctx = context();
        assert!(ctx.simulation);
        assert_eq!(ctx.incident.status, "Partially Recovered");
        assert_eq!(ctx.incident.commander, "[[Recovery Team Lead]]");
        assert_eq!(ctx.incident.elapsed, "45m");
        assert_eq!(ctx.restored, vec!["API Gateway + Lambda"]);
        assert_eq!(ctx.still_affected.len(), 2);
        assert_eq!(
            (ctx.eta.as_str(), ctx.eta_source.as_str()),
            ("11:30 UTC", "commander")
        );
        assert_eq!(ctx.actions, vec!["Restore flightdata-main in us-west-2"]);
        // Since the declaration went out at 09:18: the run, the DNS step, the note, the
        // restore point, the restored service and the ETA; not the step starts.
        assert_eq!(ctx.changes.len(), 6, "{:#?}", ctx.changes);
        assert_eq!(ctx.changes[1], "09:23 Point DNS at us-west-2: done");
        assert_eq!(ctx.last_update.as_deref(), Some("09:18 UTC"));
        assert_eq!(ctx.next_update, "09:48 UTC");
        assert_eq!(ctx.update_every, "30 minutes");
        let notified: Vec<_> = ctx
            .notified
            .iter()
            .map(|c| (c.who.as_str(), c.acknowledged))
            .collect();
        assert_eq!(
            notified,
            vec![
                ("Engineering Manager", false),
                ("Lead DevOps Engineer", true)
            ]
        );
        let api = &ctx.services[0];
        assert_eq!(
            (
                api.rto_state.as_str(),
                api.rto_elapsed.as_str(),
                api.restored_at.as_deref()
            ),
            ("met", "33m", Some("09:38 UTC"))
        );
        let tables = &ctx.services[2];
        assert_eq!(
            (
                tables.restore_point.as_deref(),
                tables.data_loss.as_deref(),
                tables.rpo_state.as_deref()
            ),
            (Some("08:58 UTC"), Some("7m"), Some("met"))
        );
        let ingestion = &ctx.services[1];
        assert_eq!(
            (ingestion.rto_left.as_str(), ingestion.rto_state.as_str()),
            ("1h15m", "running")
        );
    }

    #[test]
    fn the_resolved_demo_has_a_recovery_time_and_no_next_update() {
        let ctx = resolved_context();
        assert_eq!(ctx.incident.status, "Fully Recovered");
        assert_eq!(ctx.incident.recovery_time.as_deref(), Some("3h20m"));
        assert!(ctx.still_affected.is_empty());
        assert!(ctx.actions.is_empty(), "{:?}", ctx.actions);
        assert_eq!(ctx.next_update, "none: the incident is resolved");
    }

    #[test]
    fn without_an_eta_or_a_forecast_the_eta_is_a_placeholder() {
        let entries: Vec<Entry> = entries()
            .into_iter()
            .filter(|e| e.kind != "eta_set")
            .collect();
        let ctx = context_of(&entries, now() + Duration::hours(20), 60);
        assert_eq!(
            (ctx.eta.as_str(), ctx.eta_source.as_str()),
            ("[[ETA]]", "unknown")
        );
        assert_eq!(ctx.update_every, "hour");
        assert_eq!(ctx.incident.declared_at, "2026-03-14 09:12 UTC");
    }
}
