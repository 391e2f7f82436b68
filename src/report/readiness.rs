//! `drconsole report`: the plan's DR metrics and readiness report, every figure computed from
//! a health snapshot, the validation and drill history, resolved incidents, the estate
//! file's comparison with the account and the runbooks' review dates. Gathering is the
//! command's; this module only reckons, so every rule is tested without a network.

mod render;
pub mod schedule;
mod terms;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Estate;
use crate::discover::EstateDiff;
use crate::drill::history::Unreadable;
use crate::drill::validate::{Finding, Verdict};
use crate::drill::{DrillOutcome, DrillRecord};
use crate::health::{Facts, HealthSnapshot, ResourceKind};
use crate::incident::Incident;
use crate::mode::Mode;

pub use render::{Style, render};
pub use schedule::Quarter;

/// A validation run as its history file holds it: the fields the report reads.
// A mirror of `drill::validate::ValidationRecord`'s fields `started`, `mode`, `verdict` and
// `findings`; unknown fields are ignored, so the whole record reads through it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRun {
    #[serde(default)]
    pub id: String,
    pub mode: Mode,
    pub started: DateTime<Utc>,
    pub verdict: Verdict,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

impl ValidationRun {
    /// A run that checked and found nothing failed: warnings are findings to look at, not a
    /// validation that did not happen.
    pub fn passed(&self) -> bool {
        matches!(self.verdict, Verdict::Pass | Verdict::Warn)
    }
}

/// Whether a record made in `record` mode counts for a session in `session` mode: a
/// simulated run never counts for an account, nor a real one for the simulation. A drill on
/// the account is recorded as a drill and counts for it.
pub fn counts_for(session: Mode, record: Mode) -> bool {
    (session == Mode::Simulation) == (record == Mode::Simulation)
}

/// A runbook and the date it was last reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookReview {
    pub name: String,
    pub reviewed: Option<NaiveDate>,
}

/// Everything the report is computed from.
pub struct Inputs<'a> {
    pub estate: &'a Estate,
    pub mode: Mode,
    /// The moment the report is for: ages and the test calendar are measured to it.
    pub at: DateTime<Utc>,
    pub snapshot: &'a HealthSnapshot,
    /// The session's mode's records only, any order.
    pub validations: &'a [ValidationRun],
    pub drills: &'a [DrillRecord],
    pub incidents: &'a [Incident],
    /// History files that could not be read: the runs they hold are not counted.
    pub unreadable_validations: Vec<Unreadable>,
    pub unreadable_drills: Vec<Unreadable>,
    /// Anything else that could not be read (incidents), each with why.
    pub unreadable: Vec<String>,
    /// The estate file against the account, or why it could not be compared.
    pub documentation: Result<EstateDiff, String>,
    /// The runbooks, or why they could not be loaded.
    pub runbooks: Result<Vec<RunbookReview>, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub estate: String,
    pub mode: Mode,
    pub account: Option<String>,
    /// When the estate was read.
    pub read_at: DateTime<Utc>,
    /// The moment the report is for.
    pub at: DateTime<Utc>,
    pub tables: Vec<TableBackups>,
    pub buckets: Vec<BucketReplication>,
    pub functions: Vec<FunctionBackup>,
    pub last_validation: Option<LastValidation>,
    pub last_drill: Option<LastDrill>,
    /// The newest drill that measured its recovery time, when it is not the last one.
    pub last_measured_drill: Option<LastDrill>,
    pub last_incident: Option<LastIncident>,
    pub terms: Vec<Term>,
    /// The weighted mean of the terms that apply (see `terms::WEIGHTS`).
    pub readiness_percent: f64,
    /// Every fact that could not be read, with why: each lowered a term.
    pub unknown: Vec<String>,
}

impl Report {
    /// 0 every term full, 1 some term below, 2 something could not be read.
    pub fn exit_code(&self) -> u8 {
        if !self.unknown.is_empty() {
            2
        } else if self
            .terms
            .iter()
            .any(|t| t.percent.is_some_and(|p| p < 100.0))
        {
            1
        } else {
            0
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableBackups {
    pub name: String,
    /// `None` when the backups could not be listed.
    pub backups: Option<usize>,
    pub newest: Option<Dated>,
    pub pitr_enabled: Option<bool>,
    /// The bound the newest backup is held to, and where it comes from.
    pub bound_secs: u64,
    pub bound_from: String,
    /// The newest AVAILABLE backup is younger than the bound; `None` when unknown.
    pub fresh: Option<bool>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dated {
    pub name: String,
    pub at: DateTime<Utc>,
    pub age_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketReplication {
    pub name: String,
    pub replica: Option<String>,
    /// The estate file says `replicate = false`.
    pub unreplicated_on_purpose: bool,
    /// "Enabled", "Disabled", "not configured"; `None` when it could not be read.
    pub rule: Option<String>,
    pub destination: Option<String>,
    pub prefix: Option<String>,
    pub source_objects: Option<u64>,
    pub replica_objects: Option<u64>,
    pub completeness_percent: Option<f64>,
    pub threshold_percent: f64,
    /// Replicated and at or above the threshold; `None` when unknown or not to replicate.
    pub healthy: Option<bool>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionBackup {
    pub name: String,
    /// s3://bucket/prefix of the newest backup.
    pub location: Option<String>,
    pub time: Option<DateTime<Utc>>,
    pub age_secs: Option<u64>,
    pub has_code: bool,
    pub has_config: bool,
    /// Whether the backup bucket could be searched.
    pub checked: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastValidation {
    pub id: String,
    pub started: DateTime<Utc>,
    pub verdict: Verdict,
    pub findings: usize,
    /// Findings that failed or could not be checked, by resource.
    pub failed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastDrill {
    pub id: String,
    pub runbook: String,
    pub started: DateTime<Utc>,
    pub outcome: DrillOutcome,
    /// The measured RTO: the recovery steps from first start to last end.
    pub recovery_secs: Option<f64>,
    /// The tightest RTO of the services it recovers, else the runbook's target.
    pub rto_secs: Option<u64>,
    pub rto_met: Option<bool>,
    pub restore_points: Vec<MeasuredRpo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredRpo {
    /// A table (drill) or a service (incident).
    pub name: String,
    pub data_loss_secs: u64,
    pub rpo_secs: Option<u64>,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastIncident {
    pub id: String,
    pub title: String,
    pub resolved_at: DateTime<Utc>,
    pub services: Vec<MeasuredRto>,
    pub restore_points: Vec<MeasuredRpo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredRto {
    pub service: String,
    /// From the impact's start to the service marked restored (the resolution when it never
    /// was).
    pub recovery_secs: u64,
    pub rto_secs: u64,
    pub met: bool,
    pub marked_restored: bool,
}

/// One of the plan's four readiness terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub name: String,
    /// The mean of its parts' shares; `None` when nothing applies (no buckets to replicate).
    pub percent: Option<f64>,
    pub weight: f64,
    pub parts: Vec<Part>,
}

/// One measured share of a term: `met` of `of`, and what was not met (and why).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub what: String,
    pub met: usize,
    pub of: usize,
    pub short: Vec<String>,
    /// What could not be read, counted as not met.
    pub unknown: Vec<String>,
}

impl Part {
    pub fn percent(&self) -> Option<f64> {
        (self.of > 0).then(|| self.met as f64 * 100.0 / self.of as f64)
    }
}

fn age(at: DateTime<Utc>, then: DateTime<Utc>) -> u64 {
    (at - then).num_seconds().max(0) as u64
}

/// Computes the report.
pub fn compute(inputs: &Inputs<'_>) -> Report {
    let snap = inputs.snapshot;
    let at = inputs.at;
    let mut tables = Vec::new();
    let mut buckets = Vec::new();
    let mut functions = Vec::new();
    for r in &snap.resources {
        match (&r.kind, &r.facts) {
            (ResourceKind::Table, Facts::Table(f)) => {
                let (bound_secs, bound_from) = match r.rpo_target_secs {
                    Some(rpo) => (rpo, "RPO".to_owned()),
                    None => (
                        inputs.estate.dynamodb.backup_every.as_secs(),
                        "backup interval (no service names it)".to_owned(),
                    ),
                };
                let newest = f.newest_backup.as_ref().map(|b| Dated {
                    name: b.name.clone(),
                    at: b.created,
                    age_secs: age(at, b.created),
                });
                let fresh = match (&newest, f.backup_count) {
                    (Some(n), _) => Some(n.age_secs <= bound_secs),
                    (None, Some(_)) => Some(false),
                    (None, None) => None,
                };
                tables.push(TableBackups {
                    name: r.name.clone(),
                    backups: f.backup_count,
                    newest,
                    pitr_enabled: f.pitr_enabled,
                    bound_secs,
                    bound_from,
                    fresh,
                    error: r.error.clone(),
                });
            }
            (ResourceKind::Bucket, Facts::Bucket(f)) => {
                let rule = if !f.replication_checked {
                    None
                } else {
                    Some(match f.rule_enabled {
                        Some(true) => "Enabled".to_owned(),
                        Some(false) => "Disabled".to_owned(),
                        None => "not configured".to_owned(),
                    })
                };
                let healthy = if f.unreplicated_on_purpose {
                    None
                } else if f.replication_checked && f.rule_enabled != Some(true) {
                    Some(false)
                } else {
                    match (f.replication_checked, f.completeness_percent) {
                        (true, Some(c)) => Some(c >= f.threshold_percent),
                        _ => None,
                    }
                };
                buckets.push(BucketReplication {
                    name: r.name.clone(),
                    replica: f.replica.clone(),
                    unreplicated_on_purpose: f.unreplicated_on_purpose,
                    rule,
                    destination: f.rule_destination.clone(),
                    prefix: f.rule_prefix.clone(),
                    source_objects: f.count.as_ref().map(|c| c.objects).or(f.objects),
                    replica_objects: f
                        .replica_count
                        .as_ref()
                        .map(|c| c.objects)
                        .or(f.replica_objects),
                    completeness_percent: f.completeness_percent,
                    threshold_percent: f.threshold_percent,
                    healthy,
                    error: r.error.clone(),
                });
            }
            (ResourceKind::Function, Facts::Function(f)) => functions.push(FunctionBackup {
                name: r.name.clone(),
                location: f.backup_location.clone(),
                time: f.backup_time,
                age_secs: f.backup_time.map(|t| age(at, t)),
                has_code: f.backup_has_code,
                has_config: f.backup_has_config,
                checked: f.backups_checked,
                error: r.error.clone(),
            }),
            _ => {}
        }
    }

    let last_validation = inputs
        .validations
        .iter()
        .filter(|v| v.started <= at)
        .max_by_key(|v| v.started)
        .map(|v| LastValidation {
            id: v.id.clone(),
            started: v.started,
            verdict: v.verdict,
            findings: v.findings.len(),
            failed: v
                .findings
                .iter()
                .filter(|f| matches!(f.verdict, Verdict::Fail | Verdict::Unknown))
                .map(|f| format!("{} {}: {}", f.resource, f.check, f.message))
                .collect(),
        });
    let drills: Vec<&DrillRecord> = inputs.drills.iter().filter(|d| d.started <= at).collect();
    let last = drills.iter().max_by_key(|d| d.started).copied();
    let measured = drills
        .iter()
        .filter(|d| d.recovery_secs.is_some())
        .max_by_key(|d| d.started)
        .copied();
    let last_measured_drill = measured
        .filter(|m| last.is_some_and(|l| l.id != m.id))
        .map(drill_line);
    let last_drill = last.map(drill_line);
    let last_incident = inputs
        .incidents
        .iter()
        .filter(|i| i.resolved_at.is_some_and(|r| r <= at))
        .max_by_key(|i| i.resolved_at)
        .map(incident_line);

    let mut report = Report {
        estate: inputs.estate.name.clone(),
        mode: inputs.mode,
        account: snap.account.clone(),
        read_at: snap.generated_at,
        at,
        tables,
        buckets,
        functions,
        last_validation,
        last_drill,
        last_measured_drill,
        last_incident,
        terms: Vec::new(),
        readiness_percent: 0.0,
        unknown: inputs
            .unreadable_validations
            .iter()
            .chain(&inputs.unreadable_drills)
            .map(|u| format!("{} could not be read: {}", u.path.display(), u.error))
            .chain(inputs.unreadable.iter().cloned())
            .collect(),
    };
    report.terms = terms::all(&report, inputs);
    report.unknown.extend(
        report
            .terms
            .iter()
            .flat_map(|t| t.parts.iter())
            .flat_map(|p| p.unknown.iter().cloned()),
    );
    report.readiness_percent = terms::overall(&report.terms);
    report
}

fn drill_line(d: &DrillRecord) -> LastDrill {
    let rto_secs = d.rto_secs.or(d.target_secs);
    LastDrill {
        id: d.id.clone(),
        runbook: d.runbook.clone(),
        started: d.started,
        outcome: d.outcome.clone(),
        recovery_secs: d.recovery_secs,
        rto_secs,
        rto_met: d
            .recovery_secs
            .zip(rto_secs)
            .map(|(secs, rto)| secs <= rto as f64),
        restore_points: d
            .restore_points
            .iter()
            .map(|p| MeasuredRpo {
                name: p.table.clone(),
                data_loss_secs: p.data_loss_secs,
                rpo_secs: p.rpo_secs,
                met: p.rpo_secs.map(|rpo| p.data_loss_secs <= rpo),
            })
            .collect(),
    }
}

fn incident_line(i: &Incident) -> LastIncident {
    let resolved_at = i.resolved_at.expect("only resolved incidents");
    LastIncident {
        id: i.id.clone(),
        title: i.title.clone(),
        resolved_at,
        services: i
            .services
            .iter()
            .map(|s| {
                let end = s.restored_at.unwrap_or(resolved_at);
                let recovery_secs = age(end, i.impact_began);
                MeasuredRto {
                    service: s.service.name.clone(),
                    recovery_secs,
                    rto_secs: s.service.rto_secs,
                    met: recovery_secs <= s.service.rto_secs,
                    marked_restored: s.restored_at.is_some(),
                }
            })
            .collect(),
        restore_points: i
            .services
            .iter()
            .filter_map(|s| {
                let watch = s.rpo_watch(i.impact_began)?;
                let loss = watch.elapsed.num_seconds().max(0) as u64;
                Some(MeasuredRpo {
                    name: s.service.name.clone(),
                    data_loss_secs: loss,
                    rpo_secs: Some(s.service.rpo_secs),
                    met: Some(loss <= s.service.rpo_secs),
                })
            })
            .collect(),
    }
}
