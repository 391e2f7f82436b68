//! A scripted incident on a fixed clock, every kind of entry the postmortem reads, and the
//! JSON postmortem's figures checked one by one (its Markdown is a snapshot, beside the
//! other snapshots).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use drconsole::incident::export;
use drconsole::incident::{
    DeclareInput, IncidentStore, Origin, Record, Severity, StepOutcome, plan_declaration,
};
use drconsole::session::{Mode, example_estate};
use serde_json::Value;

pub(crate) fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, m, s).unwrap()
}

/// A region failover from declaration to resolution on a fixed clock, every kind of entry
/// the postmortem reads included.
pub(crate) fn scripted_incident(root: &Path) -> PathBuf {
    let estate = example_estate().unwrap();
    let input = DeclareInput {
        title: "us-east-1 down: API and DynamoDB unavailable".into(),
        scenario: "region-failover".into(),
        severity: Severity::Sev2,
        services: vec!["API Gateway + Lambda".into(), "DynamoDB Tables".into()],
        commander: Some("Alex Kim".into()),
        impact_began: Some(t(9, 12, 0)),
    };
    let declared = plan_declaration(&input, &estate, None, t(9, 41, 0)).unwrap();
    let store = IncidentStore::at(root.to_owned(), Mode::Production);
    let origin = Origin::new(
        Mode::Production,
        Some("123456789012".into()),
        vec!["us-east-1".into(), "us-west-2".into()],
    );
    let (mut journal, incident) = store.declare(declared, origin, t(9, 41, 0)).unwrap();
    let table = "flightdata-main";
    let script: Vec<(Record, DateTime<Utc>)> = vec![
        (
            Record::SeverityChanged {
                from: Severity::Sev2,
                to: Severity::Sev1,
                reason: Some("the whole region is out".into()),
            },
            t(9, 44, 0),
        ),
        (
            Record::Decision {
                choice: "fail over to us-west-2".into(),
                rationale: "AWS Health expects hours".into(),
                step: None,
                run: None,
            },
            t(9, 47, 30),
        ),
        (
            Record::StepStarted {
                run: Some("region-failover-1".into()),
                step: "dns".into(),
                title: Some("Point the API at us-west-2".into()),
            },
            t(9, 50, 0),
        ),
        (
            Record::RequestSent {
                step: Some("dns".into()),
                service: "Route53".into(),
                operation: "ChangeResourceRecordSets".into(),
                target: "api.flightdata.example.com.".into(),
                region: Some("us-east-1".into()),
                request: Value::Null,
            },
            t(9, 50, 5),
        ),
        (
            Record::RequestFinished {
                step: Some("dns".into()),
                service: "Route53".into(),
                operation: "ChangeResourceRecordSets".into(),
                target: "api.flightdata.example.com.".into(),
                request_id: Some("C2682N5HXP0BZ4".into()),
                ok: true,
                error: None,
                result: Value::Null,
            },
            t(9, 50, 7),
        ),
        (
            Record::StepFinished {
                run: Some("region-failover-1".into()),
                step: "dns".into(),
                outcome: StepOutcome::Succeeded,
                detail: None,
                outputs: Default::default(),
            },
            t(9, 52, 40),
        ),
        (
            Record::StepStarted {
                run: Some("region-failover-1".into()),
                step: "restore-main".into(),
                title: Some(format!("Restore {table} in us-west-2")),
            },
            t(9, 55, 0),
        ),
        (
            Record::RestorePointChosen {
                service: "DynamoDB Tables".into(),
                point: t(9, 5, 0),
                source: Some("PITR".into()),
            },
            t(9, 55, 10),
        ),
        (
            Record::RequestSent {
                step: Some("restore-main".into()),
                service: "DynamoDB".into(),
                operation: "RestoreTableToPointInTime".into(),
                target: table.into(),
                region: Some("us-west-2".into()),
                request: Value::Null,
            },
            t(9, 55, 12),
        ),
        (
            Record::Note {
                text: "API answering from us-west-2 | checked by hand".into(),
                author: Some("Sam".into()),
            },
            t(10, 2, 0),
        ),
        (
            Record::ServiceRestored {
                service: "API Gateway + Lambda".into(),
                at: Some(t(10, 1, 0)),
                note: None,
            },
            t(10, 2, 30),
        ),
        (
            Record::MessageDrafted {
                template: "progress-update".into(),
                text: "Update: API restored".into(),
            },
            t(10, 10, 0),
        ),
        (
            Record::MessageCopied {
                template: "progress-update".into(),
                text: "Update: API restored".into(),
                via: "osc52".into(),
            },
            t(10, 11, 0),
        ),
        (
            Record::FollowUp {
                text: "Alarm on Route53 health checks sooner".into(),
            },
            t(12, 20, 0),
        ),
        (
            Record::MessagePosted {
                template: "completion-notice".into(),
                channel: "#incidents".into(),
                text: "Resolved".into(),
                external_id: None,
            },
            t(12, 24, 0),
        ),
        (
            Record::Resolved {
                summary: Some("Served from us-west-2 until us-east-1 recovered.".into()),
            },
            t(12, 24, 0),
        ),
    ];
    journal.append_all(&script).unwrap();
    incident.dir
}

#[test]
fn the_json_postmortem_carries_the_same_figures() {
    let root = tempfile::tempdir().unwrap();
    let dir = scripted_incident(root.path());
    let p = export::build(&dir, t(15, 0, 0)).unwrap();
    let doc = serde_json::to_value(&p).unwrap();
    assert_eq!(doc["simulation"], false);
    assert_eq!(doc["severity"], "SEV1");
    assert_eq!(doc["declared_severity"], "SEV2");
    assert_eq!(
        doc["duration_secs"],
        (t(12, 24, 0) - t(9, 12, 0)).num_seconds()
    );
    let api = &doc["services"][0];
    assert_eq!(
        api["rto"]["elapsed_secs"],
        Duration::minutes(49).num_seconds()
    );
    assert_eq!(api["rto"]["clock"], "met");
    let dynamo = &doc["services"][1];
    assert_eq!(
        dynamo["rpo"]["elapsed_secs"],
        Duration::minutes(7).num_seconds()
    );
    assert_eq!(dynamo["rpo"]["clock"], "met");
    assert_eq!(doc["steps"][0]["duration_secs"], 160);
    assert_eq!(doc["steps"][1]["outcome"], Value::Null, "never finished");
    assert_eq!(doc["requests"][0]["request_id"], "C2682N5HXP0BZ4");
    assert_eq!(doc["requests"][1]["ok"], Value::Null, "sent, no result");
    assert_eq!(doc["never_restored"][0], "DynamoDB Tables");
    assert_eq!(doc["timeline"].as_array().unwrap().len(), 17);
}
