use std::path::Path;

use chrono::TimeZone;

use super::*;
use crate::config::Contact;
use crate::incident::{Declared, Entry, ImpactSource, Record, Severity};
use crate::mode::Mode;

const DECLARATION: &str = "Disaster Declaration Authority";
const TECHNICAL: &str = "Technical Recovery Team";
const BUSINESS: &str = "Business Continuity";
const FIFTEEN: std::time::Duration = std::time::Duration::from_secs(15 * 60);

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
}

fn group(name: &str, roles: &[&str]) -> ContactGroup {
    ContactGroup {
        group: name.into(),
        people: roles
            .iter()
            .enumerate()
            .map(|(i, role)| Contact {
                role: (*role).into(),
                name: String::new(),
                phone: format!("+1-555-0{i}"),
            })
            .collect(),
    }
}

fn tree() -> Vec<ContactGroup> {
    vec![
        group(
            DECLARATION,
            &["Engineering Manager", "VP Engineering", "CTO"],
        ),
        group(
            TECHNICAL,
            &["Lead DevOps Engineer", "Database Administrator"],
        ),
        group(BUSINESS, &["Operations Manager"]),
    ]
}

fn entry(seq: u64, record: &Record, when: DateTime<Utc>) -> Entry {
    let (kind, payload) = record.to_parts();
    Entry {
        seq,
        at: when,
        kind,
        mode: Mode::Simulation,
        account: None,
        regions: Vec::new(),
        payload,
        prev: String::new(),
        hash: String::new(),
    }
}

/// An incident declared at 14:00 with `records` appended at their times.
fn incident(records: &[(Record, DateTime<Utc>)]) -> Incident {
    let declared = Record::Declared(Declared {
        id: "SIM-1".into(),
        title: "Ingestion stalled".into(),
        scenario: "region-failover".into(),
        severity: Severity::Sev1,
        services: Vec::new(),
        commander: None,
        impact_began: at(14, 0),
        impact_source: ImpactSource::Declaration,
    });
    let mut incident = Incident::from_declared(&entry(1, &declared, at(14, 0)), Path::new("."))
        .expect("a declaration");
    for (i, (record, when)) in records.iter().enumerate() {
        incident.apply(&entry(i as u64 + 2, record, *when));
    }
    incident
}

fn notified(group: &str, role: &str) -> Record {
    Record::ContactNotified {
        group: group.into(),
        role: role.into(),
        name: None,
    }
}

fn acknowledged(group: &str, role: &str) -> Record {
    Record::ContactAcknowledged {
        group: group.into(),
        role: role.into(),
        name: None,
    }
}

fn calls(levels: &[LevelState]) -> Vec<Option<String>> {
    levels
        .iter()
        .map(|l| l.call.as_ref().map(Call::message))
        .collect()
}

#[test]
fn levels_follow_the_estate_order_and_say_who_answered_and_who_is_waited_on() {
    let incident = incident(&[
        (notified(DECLARATION, "Engineering Manager"), at(14, 5)),
        (acknowledged(DECLARATION, "Engineering Manager"), at(14, 7)),
        (notified(TECHNICAL, "Lead DevOps Engineer"), at(14, 6)),
    ]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 10));
    let groups: Vec<&str> = levels.iter().map(|l| l.group.as_str()).collect();
    assert_eq!(groups, [DECLARATION, TECHNICAL, BUSINESS]);
    assert_eq!(
        levels[0].answer,
        Answer::Answered {
            who: "Engineering Manager".into(),
            at: at(14, 7)
        }
    );
    assert_eq!(
        levels[1].answer,
        Answer::Waiting {
            since: at(14, 6),
            waited: Duration::minutes(4)
        }
    );
    assert_eq!(levels[2].answer, Answer::NotStarted);
    let manager = &levels[0].people[0];
    assert_eq!(
        (manager.notified_at, manager.acknowledged_at),
        (Some(at(14, 5)), Some(at(14, 7)))
    );
    assert_eq!(calls(&levels), [None, None, None], "nothing is due yet");
}

#[test]
fn a_level_called_and_silent_past_escalate_after_calls_the_next_in_order() {
    let incident = incident(&[(notified(DECLARATION, "Engineering Manager"), at(14, 5))]);
    let before = escalation(&tree(), &incident, FIFTEEN, at(14, 19));
    assert_eq!(before[0].call, None, "14 minutes is within the 15");
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 21));
    let call = levels[0].call.as_ref().expect("due");
    assert_eq!(
        call.message(),
        "no answer for 16m: call VP Engineering next"
    );
    assert_eq!(
        (call.person, call.kind, call.since, call.phone.as_str()),
        (1, CallKind::Next, at(14, 5), "+1-555-01")
    );
    assert_eq!(
        call.summary(),
        "Disaster Declaration Authority: no answer for 16m: call VP Engineering next"
    );
}

#[test]
fn silence_counts_from_the_level_s_latest_call() {
    let incident = incident(&[
        (notified(DECLARATION, "Engineering Manager"), at(14, 5)),
        (notified(DECLARATION, "VP Engineering"), at(14, 20)),
    ]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 30));
    assert_eq!(levels[0].call, None, "the VP was called 10 minutes ago");
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 35));
    assert_eq!(
        levels[0].call.as_ref().map(Call::message).as_deref(),
        Some("no answer for 15m: call CTO next")
    );
}

#[test]
fn a_level_nobody_called_counts_from_the_declaration_and_starts_with_the_first() {
    let incident = incident(&[]);
    assert_eq!(
        calls(&escalation(&tree(), &incident, FIFTEEN, at(14, 14))),
        [None, None, None]
    );
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 15));
    let call = levels[1].call.as_ref().expect("due at exactly 15m");
    assert_eq!(
        (call.kind, call.since, call.message().as_str()),
        (
            CallKind::First,
            at(14, 0),
            "nobody called for 15m: call Lead DevOps Engineer first"
        )
    );
}

#[test]
fn the_next_is_the_first_in_order_not_yet_called_even_if_one_was_skipped() {
    let incident = incident(&[(notified(DECLARATION, "VP Engineering"), at(14, 1))]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 20));
    let call = levels[0].call.as_ref().unwrap();
    assert_eq!((call.person, call.kind), (0, CallKind::Next));
}

#[test]
fn after_the_last_it_starts_again_from_the_first_saying_no_one_has_answered() {
    let mut records = vec![
        (notified(DECLARATION, "Engineering Manager"), at(14, 1)),
        (notified(DECLARATION, "VP Engineering"), at(14, 2)),
        (notified(DECLARATION, "CTO"), at(14, 3)),
    ];
    let levels = escalation(&tree(), &incident(&records), FIFTEEN, at(14, 19));
    let call = levels[0].call.as_ref().unwrap();
    assert_eq!(call.kind, CallKind::Again);
    assert_eq!(
        call.message(),
        "no one has answered for 16m: call Engineering Manager again"
    );
    // Called again: the round goes on with whoever was called longest ago.
    records.push((notified(DECLARATION, "Engineering Manager"), at(14, 20)));
    let incident = incident(&records);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 30));
    assert_eq!(levels[0].call, None, "the latest call was 10 minutes ago");
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 36));
    assert_eq!(
        levels[0].call.as_ref().map(Call::message).as_deref(),
        Some("no one has answered for 16m: call VP Engineering again")
    );
    let manager = &levels[0].people[0];
    assert_eq!(
        (manager.notified_at, manager.last_notified_at),
        (Some(at(14, 1)), Some(at(14, 20))),
        "the first call is kept, the latest is known"
    );
}

#[test]
fn an_acknowledgement_stops_the_escalation_of_its_level_only() {
    let incident = incident(&[
        (notified(DECLARATION, "Engineering Manager"), at(14, 1)),
        (notified(TECHNICAL, "Lead DevOps Engineer"), at(14, 1)),
        (acknowledged(DECLARATION, "VP Engineering"), at(14, 40)),
    ]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 41));
    assert_eq!(levels[0].call, None);
    assert_eq!(
        levels[0].answer,
        Answer::Answered {
            who: "VP Engineering".into(),
            at: at(14, 40)
        }
    );
    let vp = &levels[0].people[1];
    assert_eq!(
        vp.notified_at,
        Some(at(14, 40)),
        "an acknowledgement without a call counts as the call"
    );
    assert!(levels[1].call.is_some());
    assert_eq!(
        most_urgent(&levels).map(|c| c.group.as_str()),
        Some(TECHNICAL)
    );
}

#[test]
fn the_most_urgent_call_is_the_highest_level_that_needs_one() {
    let incident = incident(&[]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(15, 0));
    assert_eq!(calls(&levels).iter().flatten().count(), 3);
    let urgent = most_urgent(&levels).unwrap();
    assert_eq!(
        urgent.summary(),
        "Disaster Declaration Authority: nobody called for 1h00m: call Engineering Manager first"
    );
}

#[test]
fn a_resolved_incident_calls_nobody() {
    let incident = incident(&[
        (notified(DECLARATION, "Engineering Manager"), at(14, 1)),
        (Record::Resolved { summary: None }, at(14, 10)),
    ]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(16, 0));
    assert_eq!(calls(&levels), [None, None, None]);
    assert!(
        matches!(levels[0].answer, Answer::Waiting { .. }),
        "what happened is still shown"
    );
    assert_eq!(most_urgent(&levels), None);
}

#[test]
fn an_empty_level_and_a_named_person_read_as_they_should() {
    let mut groups = tree();
    groups.push(group("Nobody yet", &[]));
    groups[0].people[1].name = "Ann Lee".into();
    let incident = incident(&[(notified(DECLARATION, "Engineering Manager"), at(14, 1))]);
    let levels = escalation(&groups, &incident, FIFTEEN, at(14, 30));
    assert_eq!(levels[3].call, None, "nobody to call");
    assert_eq!(
        levels[0].call.as_ref().map(|c| c.who.as_str()),
        Some("Ann Lee (VP Engineering)")
    );
}

#[test]
fn a_contact_the_estate_no_longer_lists_is_left_out() {
    let incident = incident(&[(acknowledged(DECLARATION, "Former Director"), at(14, 1))]);
    let levels = escalation(&tree(), &incident, FIFTEEN, at(14, 2));
    assert_eq!(levels[0].answer, Answer::NotStarted);
}
