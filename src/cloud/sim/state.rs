//! The simulated estate's state: plain data behind one mutex, and the clock-driven transitions
//! (CREATING → ACTIVE, DELETING → gone, exports finishing) applied whenever it is read.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::Fault;
use super::seed::export_objects;
use crate::cloud::{AlarmState, RecordSet, ReplicationConfig, Versioning};

/// How long a restored table stays CREATING: AWS takes minutes even for a small table, and
/// longer by its size (3 minutes and one more per GB, here; at most an hour).
pub fn restore_takes(size_bytes: u64) -> Duration {
    const GB: u64 = 1 << 30;
    Duration::minutes(3 + (size_bytes / GB).min(57) as i64)
}
/// How long a deleted table stays DELETING.
pub const DELETE_TAKES: Duration = Duration::seconds(20);
/// How long an export stays IN_PROGRESS: AWS takes minutes even for a small table.
pub const EXPORT_TAKES: Duration = Duration::minutes(5);
/// How long an import stays IN_PROGRESS (its table CREATING): AWS's smallest take longer
/// than a restore.
pub const IMPORT_TAKES: Duration = Duration::minutes(10);
/// How long a Route53 change stays PENDING: AWS says changes reach every name server within
/// about a minute.
pub const CHANGE_TAKES: Duration = Duration::seconds(60);
/// How long an event source mapping stays Enabling or Disabling.
pub const MAPPING_TAKES: Duration = Duration::seconds(5);
/// How far PITR's latest restorable time trails now, as on AWS.
pub const PITR_LAG: Duration = Duration::minutes(5);
/// PITR's recovery window.
pub const PITR_WINDOW: Duration = Duration::days(35);

pub(super) struct State {
    pub primary: String,
    pub faults: BTreeSet<Fault>,
    pub targets: Targets,
    /// By (region, name).
    pub tables: BTreeMap<(String, String), Table>,
    pub backups: Vec<Backup>,
    pub exports: Vec<Export>,
    pub imports: Vec<Import>,
    /// The content of the small objects drconsole writes and reads back (an export's
    /// schema.json), by (bucket, key); other objects are kept by size alone.
    pub bodies: BTreeMap<(String, String), Vec<u8>>,
    /// Bucket names are global.
    pub buckets: BTreeMap<String, Bucket>,
    /// By (region, name).
    pub functions: BTreeMap<(String, String), Function>,
    pub zones: BTreeMap<String, Zone>,
    pub health_checks: BTreeMap<String, HealthCheck>,
    pub changes: BTreeMap<String, Change>,
    /// By (region, name).
    pub alarms: BTreeMap<(String, String), AlarmRec>,
    /// Event source mappings by UUID.
    pub mappings: BTreeMap<String, Mapping>,
    /// Set while the replica-lag fault holds a bucket's replication back.
    pub lag: Option<Lag>,
    /// Each estate bucket's replica, as the estate file names it.
    pub replicas: BTreeMap<String, String>,
    /// Where the Lambda backups are kept.
    pub lambda_bucket: Option<String>,
    /// Their weekly copy in the backup region.
    pub lambda_copy_bucket: Option<String>,
    /// Makes every generated id unique.
    pub serial: u64,
    /// CloudFormation stacks, deleted ones included (they answer by id).
    pub stacks: Vec<super::cloudformation::SimStack>,
}

/// Which resource each fault hits, chosen once from the estate.
#[derive(Debug, Clone, Default)]
pub(super) struct Targets {
    /// stale-backup: every table of the estate.
    pub tables: Vec<String>,
    /// pitr-off: the first table.
    pub pitr_table: Option<String>,
    /// replication-broken: the first bucket with a replica.
    pub broken_bucket: Option<String>,
    /// replica-lag: the second bucket with a replica (the first when there is one).
    pub lagging_bucket: Option<String>,
    /// How far behind the lagging replica is at its worst: 45 minutes, or 15 minutes past
    /// the tightest RPO of the services using the bucket, so the lag breaks it.
    pub lag_peak: Duration,
    /// missing-lambda-backup: the ingestion function, else the first function.
    pub lambda_function: Option<String>,
    /// alarm: the first alarm.
    pub alarm: Option<String>,
    /// stale-export: every table's global-table replica goes; the backup region.
    pub backup_region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TableStatus {
    Creating { ready_at: DateTime<Utc> },
    Active,
    Deleting { gone_at: DateTime<Utc> },
}

impl TableStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Creating { .. } => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::Deleting { .. } => "DELETING",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Table {
    pub name: String,
    pub region: String,
    pub arn: String,
    pub status: TableStatus,
    pub items: u64,
    pub size_bytes: u64,
    pub created: DateTime<Utc>,
    /// When PITR was last turned on; `None` while it is off.
    pub pitr_since: Option<DateTime<Utc>>,
    /// The other regions of its global table.
    pub replica_regions: Vec<String>,
    /// The seeded table whose key schema and indexes it has: its own name, or for a
    /// restored or imported table, its source's (a restore keeps the shape).
    pub shape_of: String,
    /// What a restore does NOT carry over, as on AWS: TTL, the stream, tags.
    pub ttl_attribute: Option<String>,
    pub stream_view_type: Option<String>,
    pub tags: std::collections::BTreeMap<String, String>,
}

impl Table {
    /// PITR's restorable window now: at most 35 days back, about five minutes behind now.
    pub fn restorable(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let since = self.pitr_since?;
        let earliest = since.max(now - PITR_WINDOW);
        let latest = (now - PITR_LAG).max(earliest).min(now);
        Some((earliest, latest))
    }
}

#[derive(Debug, Clone)]
pub(super) struct Backup {
    pub arn: String,
    pub name: String,
    pub region: String,
    pub table_name: String,
    pub created: DateTime<Utc>,
    pub status: &'static str,
    pub backup_type: &'static str,
    pub size_bytes: u64,
    pub items: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Export {
    pub id: String,
    /// The exported table's ARN: the export's own is `<table_arn>/export/<id>`.
    pub table_arn: String,
    /// The point in time it holds.
    pub export_time: DateTime<Utc>,
    pub bucket: String,
    /// Normalised: empty or ending in '/'.
    pub prefix: String,
    pub items: u64,
    pub size_bytes: u64,
    pub done_at: DateTime<Utc>,
    /// IN_PROGRESS, COMPLETED or FAILED.
    pub status: &'static str,
}

/// An `ImportTable`: its table is CREATING until `done_at`, then ACTIVE with the items, or
/// gone when the import fails.
#[derive(Debug, Clone)]
pub(super) struct Import {
    pub arn: String,
    pub region: String,
    pub table: String,
    pub table_arn: String,
    pub done_at: DateTime<Utc>,
    /// IN_PROGRESS, COMPLETED or FAILED.
    pub status: &'static str,
    /// Set when it will fail: why, as AWS words it.
    pub failure: Option<String>,
    pub items: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Bucket {
    pub name: String,
    pub region: String,
    pub created: DateTime<Utc>,
    pub versioning: Versioning,
    pub replication: Option<ReplicationConfig>,
    /// When the replication configuration was put: S3 publishes its rules' metrics from
    /// then on. `None` for the seeded ones, which have always been there.
    pub replication_since: Option<DateTime<Utc>>,
    /// Current objects by key.
    pub objects: BTreeMap<String, Obj>,
    /// Keys whose current version is a delete marker (one older version each).
    pub delete_markers: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Obj {
    pub size: u64,
    pub last_modified: DateTime<Utc>,
    pub etag: String,
    /// Versions kept for this key, the current one included.
    pub versions: u32,
    /// The bytes, where the simulation keeps them: what drconsole uploads and the saved
    /// function configurations. Data objects are sizes only.
    pub body: Option<std::sync::Arc<Vec<u8>>>,
}

#[derive(Debug, Clone)]
pub(super) struct Function {
    pub name: String,
    pub arn: String,
    pub runtime: String,
    pub handler: String,
    pub role: String,
    pub last_modified: DateTime<Utc>,
    pub code_sha256: String,
    pub code_size: i64,
    pub timeout_secs: i32,
    pub memory_mb: i32,
    pub reserved: Option<i32>,
    /// Description, environment, layers and the rest, as a read of the function gives them.
    pub settings: crate::cloud::FunctionSettings,
    /// A new function is Pending until then, as on AWS (a few seconds).
    pub pending_until: Option<DateTime<Utc>>,
    /// An update is InProgress until then; Lambda refuses another one meanwhile.
    pub updating_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(super) struct Zone {
    pub id: String,
    pub name: String,
    pub records: Vec<RecordSet>,
}

#[derive(Debug, Clone)]
pub(super) struct HealthCheck {
    /// The region of the endpoint it checks: it fails while that region is out.
    pub endpoint_region: String,
    /// The name it checks, e.g. "api-primary.flightdata.example.com".
    pub target: String,
    pub disabled: bool,
    pub inverted: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Change {
    pub submitted: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct AlarmRec {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    pub updated: DateTime<Utc>,
    pub namespace: String,
    pub metric: String,
    pub threshold: f64,
}

#[derive(Debug, Clone)]
pub(super) struct Mapping {
    pub uuid: String,
    pub region: String,
    pub function_arn: String,
    pub source_arn: String,
    pub enabled: bool,
    /// When it was last enabled or disabled: it is Enabling or Disabling for
    /// [`MAPPING_TAKES`] after.
    pub changed: DateTime<Utc>,
}

impl Mapping {
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        let settled = now >= self.changed + MAPPING_TAKES;
        match (self.enabled, settled) {
            (true, true) => "Enabled",
            (true, false) => "Enabling",
            (false, true) => "Disabled",
            (false, false) => "Disabling",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Lag {
    pub bucket: String,
    /// Since when nothing has been replicated: latency at that moment was five minutes and
    /// grows one second per second.
    pub since: DateTime<Utc>,
}

impl State {
    /// A global table's replicas are tables of their own regions, as AWS serves them: read,
    /// scanned, protected and counted there. Kept in step with the primary's
    /// `replica_regions` when a fault removes the global table or puts it back. A table of
    /// another region made by a restore or an import is never a replica and is left alone.
    pub fn sync_replicas(&mut self) {
        let primary = self.primary.clone();
        let mut wanted: Vec<((String, String), Table)> = Vec::new();
        for t in self.tables.values().filter(|t| t.region == primary) {
            for r in &t.replica_regions {
                let mut replica = t.clone();
                replica.region = r.clone();
                replica.arn = t.arn.replace(&format!(":{primary}:"), &format!(":{r}:"));
                replica.replica_regions = vec![primary.clone()];
                wanted.push(((r.clone(), t.name.clone()), replica));
            }
        }
        let is_replica = |key: &(String, String), t: &Table| {
            key.0 != primary && t.replica_regions == [primary.clone()]
        };
        let stale: Vec<(String, String)> = self
            .tables
            .iter()
            .filter(|(key, t)| is_replica(key, t) && !wanted.iter().any(|(k, _)| k == *key))
            .map(|(key, _)| key.clone())
            .collect();
        for key in stale {
            self.tables.remove(&key);
        }
        for (key, replica) in wanted {
            self.tables.entry(key).or_insert(replica);
        }
    }
}

impl State {
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    pub fn is_down(&self, region: &str) -> bool {
        self.faults.contains(&Fault::RegionOutage) && region == self.primary
    }

    /// Applies every transition that is due at `now`.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        self.tables.retain(|_, t| match t.status {
            TableStatus::Deleting { gone_at } => now < gone_at,
            _ => true,
        });
        for t in self.tables.values_mut() {
            if let TableStatus::Creating { ready_at } = t.status
                && now >= ready_at
            {
                t.status = TableStatus::Active;
            }
        }
        let due: Vec<usize> = (0..self.exports.len())
            .filter(|&i| self.exports[i].status == "IN_PROGRESS" && now >= self.exports[i].done_at)
            .collect();
        self.settle_imports(now);
        for i in due {
            let export = self.exports[i].clone();
            let done = export.done_at;
            self.exports[i].status = match self.buckets.get_mut(&export.bucket) {
                Some(bucket) => {
                    for (key, size) in export_objects(&export) {
                        put_object(bucket, key, size, done);
                    }
                    "COMPLETED"
                }
                None => "FAILED",
            };
        }
    }
}

/// Writes (or overwrites) one object, keeping versions as S3 does.
pub(super) fn put_object(bucket: &mut Bucket, key: String, size: u64, at: DateTime<Utc>) {
    let versioned = bucket.versioning == Versioning::Enabled;
    let etag = format!(
        "\"{:016x}{:016x}\"",
        super::fnv(&[&key, &size.to_string()]),
        size
    );
    let had_marker = bucket.delete_markers.remove(&key);
    let versions = match bucket.objects.get(&key) {
        Some(old) if versioned => old.versions + 1,
        None if versioned && had_marker => 3,
        _ => 1,
    };
    bucket.objects.insert(
        key,
        Obj {
            size,
            last_modified: at,
            etag,
            versions,
            body: None,
        },
    );
}

impl State {
    /// Imports due by `now` complete, or fail and take their table with them.
    fn settle_imports(&mut self, now: DateTime<Utc>) {
        for i in 0..self.imports.len() {
            let import = &mut self.imports[i];
            if import.status != "IN_PROGRESS" || now < import.done_at {
                continue;
            }
            let key = (import.region.clone(), import.table.clone());
            if import.failure.is_some() {
                import.status = "FAILED";
                self.tables.remove(&key);
            } else {
                import.status = "COMPLETED";
                if let Some(t) = self.tables.get_mut(&key) {
                    t.status = TableStatus::Active;
                }
            }
        }
    }
}
