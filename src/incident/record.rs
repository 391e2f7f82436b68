//! What the journal records: one typed record per kind of entry. The journal stores a kind
//! and a JSON payload; this is their meaning, shared by everything that writes or replays.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How bad it is. SEV1 is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    #[serde(rename = "SEV1")]
    Sev1,
    #[serde(rename = "SEV2")]
    Sev2,
    #[serde(rename = "SEV3")]
    Sev3,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Sev1, Severity::Sev2, Severity::Sev3];

    pub fn label(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Severity {
    type Err = String;

    /// `SEV1`, `sev1` or `1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_uppercase();
        let t = t.strip_prefix("SEV").unwrap_or(&t);
        match t {
            "1" => Ok(Severity::Sev1),
            "2" => Ok(Severity::Sev2),
            "3" => Ok(Severity::Sev3),
            _ => Err(format!("unknown severity `{s}`: use SEV1, SEV2 or SEV3")),
        }
    }
}

/// Where the start of the impact (from which RTO runs) came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ImpactSource {
    /// `--impact-began` or the console's field.
    Given,
    /// The earliest ALARM among the affected services' alarms.
    Alarm { alarm: String },
    /// Nothing better known: the moment of declaration.
    Declaration,
}

/// An affected service with the targets it had when the incident was declared, so the
/// journal alone says what each stopwatch ran against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedService {
    pub name: String,
    pub priority: String,
    pub rto_secs: u64,
    pub rpo_secs: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub impact: String,
}

/// The first entry of every incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    pub id: String,
    pub title: String,
    pub scenario: String,
    pub severity: Severity,
    pub services: Vec<AffectedService>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commander: Option<String>,
    pub impact_began: DateTime<Utc>,
    pub impact_source: ImpactSource,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

/// One entry's meaning. Optional fields are left out of the JSON when empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Record {
    Declared(Declared),
    Note {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        author: Option<String>,
    },
    SeverityChanged {
        from: Severity,
        to: Severity,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A service joins the incident after the declaration.
    ServiceAffected {
        service: AffectedService,
    },
    /// The service is back; its measured RTO runs from the impact to `at` (or the entry's
    /// time when `at` is not given).
    ServiceRestored {
        service: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The point data is restored to: the data-loss window is from it to the impact.
    RestorePointChosen {
        service: String,
        point: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    StepStarted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        step: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// An AWS write is about to be sent (fsynced before it is).
    RequestSent {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        service: String,
        operation: String,
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
        #[serde(default, skip_serializing_if = "Value::is_null")]
        request: Value,
    },
    /// What the write returned.
    RequestFinished {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        service: String,
        operation: String,
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(default, skip_serializing_if = "Value::is_null")]
        result: Value,
    },
    StepFinished {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        step: String,
        outcome: StepOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// What later steps of a runbook may use (`{{ steps.ID.NAME }}`): a resumed run
        /// renders them again from here.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        outputs: BTreeMap<String, String>,
    },
    Decision {
        choice: String,
        rationale: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
    },
    /// A runbook run begins: its inputs so far and the digest of the file it follows.
    RunbookStarted {
        run: String,
        runbook: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        inputs: BTreeMap<String, String>,
        digest: String,
    },
    /// A runbook input was given while the run went (an `input` step).
    InputGiven {
        run: String,
        step: String,
        name: String,
        value: String,
    },
    /// A runbook run ended: succeeded, failed (stopped at a step), or cancelled.
    RunbookFinished {
        run: String,
        runbook: String,
        outcome: StepOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    MessageDrafted {
        template: String,
        text: String,
    },
    MessageCopied {
        template: String,
        text: String,
        via: String,
    },
    MessagePosted {
        template: String,
        channel: String,
        text: String,
        /// What the channel calls it (a Statuspage incident id), so the next update edits it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
    },
    /// A post that did not go out after its retries: the draft is kept.
    MessagePostFailed {
        template: String,
        channel: String,
        error: String,
        attempts: u32,
    },
    /// The commander's estimate of full recovery (`None` withdraws it).
    EtaSet {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eta: Option<DateTime<Utc>>,
    },
    /// A person of the contact tree was called or messaged.
    ContactNotified {
        group: String,
        role: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// They answered: the level has someone on it.
    ContactAcknowledged {
        group: String,
        role: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Something to do after the incident; listed in the postmortem.
    FollowUp {
        text: String,
    },
    Resolved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    },
    /// An action begins, as previewed: the run id ties its requests and its end to it.
    ActionStarted {
        run: String,
        action: String,
        target: String,
        danger: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        args: BTreeMap<String, String>,
        /// The requests it is about to send, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        requests: Vec<Value>,
    },
    /// A guard refused an action: nothing was sent.
    ActionRefused {
        action: String,
        target: String,
        guard: String,
        reason: String,
    },
    /// What was saved before a change, so it can be put back.
    SafetyNet {
        run: String,
        what: String,
        #[serde(default, skip_serializing_if = "Value::is_null")]
        saved: Value,
    },
    /// A resource this run created: the same run may remove it without a confirmation.
    ResourceOwned {
        run: String,
        resource: String,
    },
    ActionFinished {
        run: String,
        action: String,
        target: String,
        outcome: StepOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// The requests that undo it, where there are some (`drconsole action undo SEQ`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo: Option<Value>,
    },
    /// An action waited for AWS to finish something (a restore, an import, a DNS change).
    WaitFinished {
        run: String,
        what: String,
        ok: bool,
        waited_secs: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A read-only check ran (a count, a comparison, a smoke test): its verdict and figures.
    CheckFinished {
        run: String,
        check: String,
        target: String,
        passed: bool,
        summary: String,
        #[serde(default, skip_serializing_if = "Value::is_null")]
        figures: Value,
    },
    /// `drconsole validate` ended: its verdict and where its figures are kept.
    ValidationFinished {
        run: String,
        verdict: String,
        summary: String,
    },
    /// A `drconsole backup` run ended: which family, its verdict and its counts.
    BackupFinished {
        run: String,
        family: String,
        verdict: String,
        summary: String,
    },
    /// A drill began: the runbook it rehearses, the suffix of every name it may write, and
    /// the copies its setup made (real name -> drill copy).
    DrillStarted {
        drill: String,
        runbook: String,
        suffix: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        copies: BTreeMap<String, String>,
    },
    /// A stop condition (an alarm in ALARM) or the commander halted the drill before its next
    /// write.
    DrillHalted {
        drill: String,
        reason: String,
    },
    /// What the drill's teardown removed, and what it could not (named, for a hand to finish).
    DrillTornDown {
        drill: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        left: Vec<String>,
    },
    /// The journal's own repair: a torn last line moved to a side file in the same directory.
    TornTailSetAside {
        bytes: u64,
        side_file: String,
    },
}

impl Record {
    /// The kind and payload as the journal stores them.
    pub fn to_parts(&self) -> (String, Value) {
        let mut value = serde_json::to_value(self).expect("a record serialises");
        let map = value.as_object_mut().expect("records are objects");
        let kind = match map.remove("kind") {
            Some(Value::String(kind)) => kind,
            _ => unreachable!("every record has a kind"),
        };
        let payload = map.remove("payload").unwrap_or(Value::Null);
        (kind, payload)
    }

    /// The record for a stored kind and payload; `None` for a kind this version does not
    /// know or a payload that does not fit it.
    pub fn from_parts(kind: &str, payload: Value) -> Option<Record> {
        let mut map = serde_json::Map::with_capacity(2);
        map.insert("kind".into(), Value::String(kind.to_owned()));
        if !payload.is_null() {
            map.insert("payload".into(), payload);
        }
        serde_json::from_value(Value::Object(map)).ok()
    }

    /// The stored name of this record's kind.
    pub fn kind(&self) -> String {
        self.to_parts().0
    }
}

/// Every kind, for filters and help: (stored name, what a person calls it).
pub const KINDS: &[(&str, &str)] = &[
    ("declared", "declared"),
    ("note", "note"),
    ("severity_changed", "severity changed"),
    ("service_affected", "service affected"),
    ("service_restored", "service restored"),
    ("restore_point_chosen", "restore point chosen"),
    ("step_started", "step started"),
    ("request_sent", "request sent"),
    ("request_finished", "request finished"),
    ("step_finished", "step finished"),
    ("decision", "decision"),
    ("message_drafted", "message drafted"),
    ("message_copied", "message copied"),
    ("message_posted", "message posted"),
    ("message_post_failed", "message post failed"),
    ("eta_set", "ETA set"),
    ("contact_notified", "contact notified"),
    ("contact_acknowledged", "contact acknowledged"),
    ("follow_up", "follow-up"),
    ("resolved", "resolved"),
    ("action_started", "action started"),
    ("action_refused", "action refused"),
    ("safety_net", "safety net"),
    ("resource_owned", "resource owned"),
    ("wait_finished", "wait finished"),
    ("check_finished", "check finished"),
    ("action_finished", "action finished"),
    ("torn_tail_set_aside", "torn line set aside"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_loosely_and_print_loudly() {
        assert_eq!("sev1".parse::<Severity>(), Ok(Severity::Sev1));
        assert_eq!("2".parse::<Severity>(), Ok(Severity::Sev2));
        assert_eq!(" SEV3 ".parse::<Severity>(), Ok(Severity::Sev3));
        let err = "SEV4".parse::<Severity>().unwrap_err();
        assert!(err.contains("SEV4") && err.contains("SEV1"), "{err}");
        assert_eq!(serde_json::to_string(&Severity::Sev2).unwrap(), "\"SEV2\"");
    }

    #[test]
    fn a_record_splits_into_kind_and_payload_and_back() {
        let record = Record::Note {
            text: "failover started".into(),
            author: None,
        };
        let (kind, payload) = record.to_parts();
        assert_eq!(kind, "note");
        assert_eq!(payload, serde_json::json!({"text": "failover started"}));
        assert_eq!(Record::from_parts(&kind, payload), Some(record));
        assert_eq!(Record::from_parts("from_the_future", Value::Null), None);
    }

    #[test]
    fn every_kind_is_listed() {
        let samples = [
            Record::Resolved { summary: None },
            Record::FollowUp { text: "x".into() },
            Record::TornTailSetAside {
                bytes: 1,
                side_file: "f".into(),
            },
        ];
        for record in samples {
            let kind = record.kind();
            assert!(KINDS.iter().any(|(k, _)| *k == kind), "{kind}");
        }
    }
}
