//! Health: every backup and replica judged against its RPO target, as one `HealthSnapshot`.
//!
//! `probe` gathers facts through the ports, `judge` turns facts into a status with reasons
//! (pure, so time-dependent rules are tested with fixed clocks), `poller` refreshes on an
//! interval with bounded concurrency.

pub mod judge;
mod poller;
mod probe;
mod regions;

pub use poller::{Poller, PollerOptions, snapshot};
pub use regions::{RegionHealth, RegionRole};
// The restore path looks for the same export the region-loss figure is measured from.
pub(crate) use probe::newest_export;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cloud::{AlarmState, CloudError, Failover, HealthCheckConfig, Versioning};
use crate::config::{Priority, Service};

/// How a resource or service stands. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    /// Could not be checked: the error says why. Never taken as healthy.
    Unknown,
    Critical,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Unknown => "unknown",
            Status::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Table,
    Bucket,
    /// A bucket's replica in the backup region.
    Replica,
    Function,
    Dns,
    Alarm,
    /// A CloudFormation stack the estate file names.
    Stack,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Table => "table",
            ResourceKind::Bucket => "bucket",
            ResourceKind::Replica => "replica",
            ResourceKind::Function => "function",
            ResourceKind::Dns => "dns",
            ResourceKind::Alarm => "alarm",
            ResourceKind::Stack => "stack",
        }
    }
}

/// One resource's state: what was seen, what it means, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceHealth {
    pub kind: ResourceKind,
    pub name: String,
    pub region: String,
    /// The first service of the priority matrix that depends on it, if any.
    pub service: Option<String>,
    pub services: Vec<String>,
    pub status: Status,
    /// Plain words, most important first.
    pub reasons: Vec<String>,
    /// How much data would be lost restoring now (now − newest restorable point), in seconds.
    pub rpo_exposure_secs: Option<u64>,
    /// The tightest RPO among the services that depend on it, in seconds.
    pub rpo_target_secs: Option<u64>,
    /// The same question if the primary region is lost now: only copies outside it count.
    /// `None` for resources it does not apply to (DNS, alarms, replicas themselves).
    pub region_loss: Option<RegionLoss>,
    pub facts: Facts,
    /// The first failed call, if any, in the service's own words.
    pub error: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

/// How much data would be lost if the primary region were lost now. In-region copies (PITR,
/// on-demand backups, the bucket itself) die with the region, so only the freshest copy
/// outside it counts: an export or global-table replica for a table, the replica for a
/// bucket, a backup in a backup-region bucket for a function.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RegionLoss {
    /// Seconds of data lost; `None` when it could not be measured or is unbounded.
    pub exposure_secs: Option<u64>,
    /// There is no copy outside the primary region at all: everything would be lost.
    pub unbounded: bool,
    /// The freshest copy outside the primary region, in words, e.g.
    /// "export s3://flightdata-backups/dynamodb-exports/... (us-west-2)".
    pub copy: Option<String>,
}

impl RegionLoss {
    /// Whether it fits the RPO: `None` when that cannot be told.
    pub fn within(&self, rpo_secs: u64) -> Option<bool> {
        if self.unbounded {
            return Some(false);
        }
        self.exposure_secs.map(|e| e <= rpo_secs)
    }
}

/// The raw facts behind a judgement, per kind of resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
// One per resource, a few hundred bytes each: boxing would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
pub enum Facts {
    Table(TableFacts),
    Bucket(BucketFacts),
    Replica(ReplicaFacts),
    Function(FunctionFacts),
    Dns(DnsFacts),
    Alarm(AlarmFacts),
    Stack(StackFacts),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TableFacts {
    pub exists: Option<bool>,
    pub table_status: Option<String>,
    pub item_count: Option<i64>,
    pub pitr_enabled: Option<bool>,
    pub earliest_restorable: Option<DateTime<Utc>>,
    pub latest_restorable: Option<DateTime<Utc>>,
    /// The newest backup that can be restored now (AVAILABLE), of any type.
    pub newest_backup: Option<BackupFact>,
    /// A backup newer than that one that is still being made (CREATING): not restorable yet.
    pub newest_backup_pending: Option<BackupFact>,
    pub backup_count: Option<usize>,
    /// Expected interval between on-demand backups, in seconds.
    pub backup_every_secs: u64,
    /// Copies outside the primary region, for the region-loss figure.
    pub outside: OutsideCopies,
}

/// What survives the loss of the primary region, as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutsideCopies {
    pub primary_region: String,
    pub backup_region: String,
    /// The global-table replica in the backup region: `Some(status)` when there is one,
    /// `None` when there is none or it could not be read (see `replica_checked`).
    pub replica_status: Option<String>,
    /// Whether the table's replicas could be read (in either region).
    pub replica_checked: bool,
    /// The export bucket the estate file names, and the region it was found in (`None`
    /// with `exports_checked`: the bucket does not exist).
    pub export_bucket: Option<String>,
    pub export_region: Option<String>,
    /// The newest complete export found there, when the bucket is outside the primary region.
    pub export: Option<ExportFact>,
    /// Whether the exports could be looked through (or there is nothing to look through).
    pub exports_checked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportFact {
    /// s3://bucket/prefix/AWSDynamoDB/<id>/
    pub location: String,
    /// When the export started (its earliest file): the point in time it holds.
    pub time: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupFact {
    pub name: String,
    pub arn: String,
    pub created: DateTime<Utc>,
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BucketFacts {
    pub exists: Option<bool>,
    pub versioning: Option<Versioning>,
    /// The replica the estate file names.
    pub replica: Option<String>,
    /// The estate file says `replicate = false`: no copy outside the region, on purpose.
    pub unreplicated_on_purpose: bool,
    pub rule_id: Option<String>,
    pub rule_enabled: Option<bool>,
    pub rule_destination: Option<String>,
    /// What the rule replicates: only keys under this prefix ("" for everything). Counts of
    /// both buckets are taken under it, so completeness compares like with like.
    pub rule_prefix: Option<String>,
    /// Whether the replication configuration was read (absent or not).
    pub replication_checked: bool,
    /// The replica's state as its own probe saw it, for the region-loss judgement.
    pub replica_exists: Option<bool>,
    pub replica_versioning: Option<Versioning>,
    /// Object count of the source (under the rule's prefix), with its age and origin.
    pub count: Option<ObjectTally>,
    /// The same for the replica, taken the same way.
    pub replica_count: Option<ObjectTally>,
    pub objects: Option<u64>,
    pub bytes: Option<u64>,
    pub replica_objects: Option<u64>,
    /// Replica objects over source objects, in percent. Not capped: a replica keeps objects
    /// deleted from the source, so above 100% is possible and shown as such.
    pub completeness_percent: Option<f64>,
    pub threshold_percent: f64,
    /// Latest `ReplicationLatency` (maximum, seconds), when S3 replication metrics are on.
    pub replication_latency_secs: Option<f64>,
    /// When that latest point was measured: older than the poll window, it is not current.
    pub replication_latency_at: Option<DateTime<Utc>>,
    pub pending_operations: Option<f64>,
    /// `OperationsFailedReplication` summed over the last hour, where the rule publishes it.
    pub failed_operations: Option<f64>,
    /// The replication metrics could not be read (e.g. AccessDenied): unknown, not absent.
    pub metrics_error: Option<String>,
    /// `ReplicationLatency` over the last hour, oldest first.
    pub latency_series: Vec<(DateTime<Utc>, f64)>,
}

/// Where an object count came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CountSource {
    /// Every object listed (ListObjectsV2): current objects only.
    Listed,
    /// CloudWatch's daily `AWS/S3 NumberOfObjects`: every version and delete marker too.
    CloudWatch,
}

/// An object count and how old it is. Counting lists every object, so it is done on its own
/// cadence and carried between polls; `at` says when it was true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectTally {
    pub objects: u64,
    /// `None` where the source gives only the number of objects (CloudWatch).
    pub bytes: Option<u64>,
    /// Counted under this prefix ("" for the whole bucket).
    pub prefix: String,
    pub source: CountSource,
    /// When the listing finished, or the day CloudWatch measured.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplicaFacts {
    pub source: String,
    pub exists: Option<bool>,
    pub versioning: Option<Versioning>,
    pub count: Option<ObjectTally>,
    pub objects: Option<u64>,
    pub bytes: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FunctionFacts {
    pub exists: Option<bool>,
    pub runtime: Option<String>,
    pub last_modified: Option<String>,
    pub reserved_concurrency: Option<i32>,
    pub ingestion: bool,
    /// s3://bucket/prefix of the newest backup found, if any.
    pub backup_location: Option<String>,
    /// Whether the backup bucket could be searched.
    pub backups_checked: bool,
    pub backup_has_config: bool,
    pub backup_has_code: bool,
    pub backup_time: Option<DateTime<Utc>>,
    /// When the function was last changed, from its configuration.
    pub last_modified_at: Option<DateTime<Utc>>,
    /// The newest backup that lives outside the primary region, for the region-loss figure.
    pub outside: FunctionOutside,
}

/// The function's backups outside the primary region.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FunctionOutside {
    pub primary_region: String,
    /// Buckets searched for a copy, each with the region it was found in (`None`: unread,
    /// or with `checked`, missing).
    pub buckets: Vec<(String, Option<String>)>,
    /// s3://bucket/prefix of the newest copy with code, in a bucket outside the primary region.
    pub location: Option<String>,
    pub time: Option<DateTime<Utc>>,
    /// Whether every bucket outside the primary region could be searched.
    pub checked: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DnsFacts {
    pub zone_id: String,
    pub record_type: String,
    pub primary_values: Vec<String>,
    pub secondary_values: Vec<String>,
    pub has_primary: bool,
    pub has_secondary: bool,
    /// Whether the record sets could be listed.
    pub records_checked: bool,
    pub health_check_id: Option<String>,
    /// The PRIMARY is an alias with EvaluateTargetHealth: it fails over on its target's health.
    pub primary_evaluates_target_health: bool,
    /// As Route53 takes it: a disabled check counts as healthy, an inverted one the other way
    /// round. `None` when it could not be told.
    pub primary_healthy: Option<bool>,
    /// The PRIMARY's check configuration, when it could be read.
    pub primary_check: Option<HealthCheckConfig>,
    pub secondary_health_check_id: Option<String>,
    pub secondary_healthy: Option<bool>,
    pub secondary_check: Option<HealthCheckConfig>,
    /// Which record Route53 answers with now, as far as the health checks tell; `None` when
    /// that cannot be told.
    pub serving: Option<Failover>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmFacts {
    pub exists: bool,
    pub state: Option<AlarmState>,
    pub reason: Option<String>,
    pub updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StackFacts {
    /// `Some(false)`: DescribeStacks does not know it by name (never made, or deleted).
    pub exists: Option<bool>,
    /// What the estate file says it is for ("backup-capacity", ...).
    pub role: Option<String>,
    pub stack_status: Option<String>,
    pub status_reason: Option<String>,
    pub last_updated: Option<DateTime<Utc>>,
    pub parameters: Vec<(String, String)>,
}

/// A row of the priority matrix with the worst of its resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceHealth {
    pub name: String,
    pub priority: Priority,
    /// What users notice while it is down, from the estate file.
    pub impact: String,
    pub rto_secs: u64,
    pub rpo_secs: u64,
    pub status: Status,
    /// `None` when none of its resources has a measurable exposure.
    pub rpo_met: Option<bool>,
    pub worst_exposure_secs: Option<u64>,
    /// The same if the primary region is lost now (see `RegionLoss`); `None` when no resource
    /// of the service has a region-loss figure.
    pub region_loss_rpo_met: Option<bool>,
    pub worst_region_loss_secs: Option<u64>,
    /// Some resource of the service has no copy outside the primary region.
    pub region_loss_unbounded: bool,
    pub resources: Vec<String>,
    pub reasons: Vec<String>,
}

/// Everything at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthSnapshot {
    pub generated_at: DateTime<Utc>,
    pub estate: String,
    pub account: Option<String>,
    /// Why the account could not be read through any region, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_error: Option<CloudError>,
    pub primary_region: String,
    pub backup_region: String,
    /// Each region of the estate, primary first: whether it could be reached at all.
    pub regions: Vec<RegionHealth>,
    pub services: Vec<ServiceHealth>,
    pub resources: Vec<ResourceHealth>,
    /// When the console lists the buckets' objects next; `None` for a one-shot snapshot,
    /// which counts every time.
    pub next_count_at: Option<DateTime<Utc>>,
}

impl HealthSnapshot {
    /// The region's row, if it is one of the estate's.
    pub fn region(&self, role: RegionRole) -> Option<&RegionHealth> {
        self.regions.iter().find(|r| r.role == role)
    }

    /// The worst status anywhere.
    pub fn overall(&self) -> Status {
        self.resources
            .iter()
            .map(|r| r.status)
            .chain(self.services.iter().map(|s| s.status))
            .max()
            .unwrap_or(Status::Ok)
    }
}

/// Rolls resources up into the priority matrix.
pub fn service_health(service: &Service, resources: &[ResourceHealth]) -> ServiceHealth {
    let mut mine: Vec<&ResourceHealth> = resources
        .iter()
        .filter(|r| r.services.iter().any(|s| s == &service.name))
        .collect();
    // Worst first (stable), so the first reason is the one that makes the service what it is.
    mine.sort_by_key(|r| std::cmp::Reverse(r.status));
    // Nothing judged is nothing known: a service none of whose resources could be checked
    // (or that has none) is unknown, never OK.
    let judged = mine.iter().any(|r| r.status != Status::Unknown);
    let status = match mine.iter().map(|r| r.status).max() {
        Some(worst) if judged => worst,
        _ => Status::Unknown,
    };
    let worst_exposure_secs = mine.iter().filter_map(|r| r.rpo_exposure_secs).max();
    let rpo_secs = service.rpo.as_secs();
    let losses: Vec<&RegionLoss> = mine.iter().filter_map(|r| r.region_loss.as_ref()).collect();
    let worst_region_loss_secs = losses.iter().filter_map(|l| l.exposure_secs).max();
    let region_loss_unbounded = losses.iter().any(|l| l.unbounded);
    // Any copy that misses the RPO misses it for the service; an unknown one leaves it open.
    let verdicts: Vec<Option<bool>> = losses.iter().map(|l| l.within(rpo_secs)).collect();
    let region_loss_rpo_met = if verdicts.contains(&Some(false)) {
        Some(false)
    } else if verdicts.is_empty() || verdicts.contains(&None) {
        None
    } else {
        Some(true)
    };
    let mut reasons: Vec<String> = mine
        .iter()
        .filter(|r| r.status != Status::Ok)
        .map(|r| {
            format!(
                "{} {}: {}",
                r.kind.label(),
                r.name,
                r.reasons.first().map_or("", String::as_str)
            )
        })
        .collect();
    if mine.is_empty() {
        reasons.push("none of its resources was found to check".to_owned());
    } else if !judged {
        // After the resources' own reasons, which say why each could not be checked.
        reasons.push("none of its resources could be checked".to_owned());
    }
    ServiceHealth {
        name: service.name.clone(),
        priority: service.priority,
        impact: service.impact.clone(),
        rto_secs: service.rto.as_secs(),
        rpo_secs,
        status,
        rpo_met: worst_exposure_secs.map(|w| w <= rpo_secs),
        worst_exposure_secs,
        region_loss_rpo_met,
        worst_region_loss_secs,
        region_loss_unbounded,
        resources: mine
            .iter()
            .map(|r| format!("{}:{}", r.kind.label(), r.name))
            .collect(),
        reasons,
    }
}

/// "1d 2h", "2h 10m", "15m", "40s": the two largest units, for people.
pub fn human_duration(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, 0) => format!("{h}h"),
        (0, _, _) => format!("{h}h {m}m"),
        (_, 0, _) => format!("{d}d"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::Dur;

    fn service() -> Service {
        Service {
            name: "DynamoDB Tables".into(),
            priority: Priority::P1,
            rto: Dur::from_secs(4 * 3600),
            rpo: Dur::from_secs(3600),
            impact: String::new(),
            tables: Vec::new(),
            buckets: Vec::new(),
            functions: Vec::new(),
            alarms: Vec::new(),
            dns: Vec::new(),
        }
    }

    fn table(name: &str, status: Status) -> ResourceHealth {
        ResourceHealth {
            kind: ResourceKind::Table,
            name: name.into(),
            region: "us-east-1".into(),
            service: Some("DynamoDB Tables".into()),
            services: vec!["DynamoDB Tables".into()],
            status,
            reasons: vec!["could not check: timeout".into()],
            rpo_exposure_secs: None,
            rpo_target_secs: Some(3600),
            region_loss: None,
            facts: Facts::Table(TableFacts::default()),
            error: None,
            fetched_at: Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_service_s_first_reason_is_its_worst_resource_s() {
        let mut warn = table("flightdata-config", Status::Warn);
        warn.reasons = vec!["newest on-demand backup is 2d old".into()];
        let mut critical = table("flightdata-main", Status::Critical);
        critical.reasons = vec!["point-in-time recovery is off".into()];
        let h = service_health(&service(), &[warn, critical]);
        assert_eq!(
            h.reasons,
            [
                "table flightdata-main: point-in-time recovery is off",
                "table flightdata-config: newest on-demand backup is 2d old",
            ]
        );
    }

    #[test]
    fn a_service_with_nothing_judged_is_unknown_never_ok() {
        let none = service_health(&service(), &[]);
        assert_eq!(none.status, Status::Unknown);
        assert_eq!(none.reasons, ["none of its resources was found to check"]);

        let unread = [table("a", Status::Unknown), table("b", Status::Unknown)];
        let s = service_health(&service(), &unread);
        assert_eq!(s.status, Status::Unknown);
        assert_eq!(
            s.reasons.last().map(String::as_str),
            Some("none of its resources could be checked")
        );

        let one_judged = [table("a", Status::Unknown), table("b", Status::Ok)];
        assert_eq!(
            service_health(&service(), &one_judged).status,
            Status::Unknown
        );
        let all_ok = [table("a", Status::Ok)];
        assert_eq!(service_health(&service(), &all_ok).status, Status::Ok);
    }
}
