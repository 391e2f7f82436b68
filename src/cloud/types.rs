//! The values the ports return: plain data, serialisable, free of any SDK type.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    pub name: String,
    pub arn: String,
    /// CREATING, ACTIVE, UPDATING, DELETING, ARCHIVED, ...
    pub status: String,
    pub item_count: Option<i64>,
    pub size_bytes: Option<i64>,
    pub created: Option<DateTime<Utc>>,
    /// The global-table replicas DescribeTable lists (empty for a table of one region).
    #[serde(default)]
    pub replicas: Vec<TableReplica>,
}

/// One region of a global table, as DescribeTable's `Replicas` names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableReplica {
    pub region: String,
    /// CREATING, ACTIVE, UPDATING, DELETING, INACCESSIBLE_ENCRYPTION_CREDENTIALS, ...
    pub status: Option<String>,
}

impl TableInfo {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuousBackups {
    /// Whether continuous backups are on at all (they are for every table on AWS today).
    pub continuous_backups_enabled: bool,
    pub pitr_enabled: bool,
    pub earliest_restorable: Option<DateTime<Utc>>,
    pub latest_restorable: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupInfo {
    pub arn: String,
    pub name: String,
    pub table_name: String,
    pub created: DateTime<Utc>,
    /// CREATING, AVAILABLE or DELETED.
    pub status: String,
    /// USER, SYSTEM or AWS_BACKUP.
    pub backup_type: String,
    pub size_bytes: Option<i64>,
}

/// DescribeBackup's record of the table as it was backed up: what a restore of the backup
/// must give back. AWS calls the counts approximate (they are refreshed about every six
/// hours), so a comparison with them needs a tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupSource {
    pub backup: BackupInfo,
    /// `SourceTableDetails.ItemCount`.
    pub item_count: Option<i64>,
    /// `SourceTableDetails.TableSizeBytes`.
    pub table_size_bytes: Option<i64>,
    pub key_schema: Vec<KeyElement>,
    /// Whether DescribeBackup said which indexes the table had
    /// (`SourceTableFeatureDetails`); when not, the indexes below are unknown, not none.
    pub indexes_recorded: bool,
    #[serde(default)]
    pub global_indexes: Vec<IndexDef>,
    #[serde(default)]
    pub local_indexes: Vec<IndexDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestorePoint {
    /// The latest restorable time (about five minutes ago on AWS).
    Latest,
    At(DateTime<Utc>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableCondition {
    Active,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub table_arn: String,
    pub bucket: String,
    pub prefix: String,
    /// `None` exports the current state.
    pub at: Option<DateTime<Utc>>,
}

/// Everything needed to make a table again and protect it as its source was: what
/// `ImportTable` and a restore's re-protection need, and what AWS does not carry over to a
/// restored table. Saved as JSON beside each export (`<prefix>/schema.json`), read from
/// `DescribeTable` (with `DescribeTimeToLive`, `DescribeContinuousBackups`,
/// `ListTagsOfResource`) while the source still answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSchema {
    pub table: String,
    pub region: String,
    pub arn: String,
    /// HASH first, then RANGE.
    pub key_schema: Vec<KeyElement>,
    /// Only the attributes the keys and indexes use, as AWS lists them.
    pub attributes: Vec<AttributeDef>,
    #[serde(default)]
    pub global_indexes: Vec<IndexDef>,
    /// `ImportTable` cannot create these: an import says so.
    #[serde(default)]
    pub local_indexes: Vec<IndexDef>,
    /// PAY_PER_REQUEST or PROVISIONED.
    pub billing_mode: String,
    /// (read, write) capacity units, for PROVISIONED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<(i64, i64)>,
    /// The TTL attribute, when TTL is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_attribute: Option<String>,
    /// The stream's view type (NEW_IMAGE, NEW_AND_OLD_IMAGES, ...), when a stream is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_view_type: Option<String>,
    pub pitr_enabled: bool,
    #[serde(default)]
    pub deletion_protection: bool,
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
    /// When it was read.
    pub read_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyElement {
    pub attribute: String,
    /// HASH or RANGE.
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub name: String,
    /// S, N or B.
    pub attribute_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    pub name: String,
    pub key_schema: Vec<KeyElement>,
    /// ALL, KEYS_ONLY or INCLUDE.
    pub projection: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_key_attributes: Vec<String>,
    /// (read, write), for a PROVISIONED table's global index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<(i64, i64)>,
}

/// An `ImportTable` request: the export's data folder and the table to create from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub bucket: String,
    /// The export's `.../AWSDynamoDB/<id>/data/` folder (moto and AWS both want the folder
    /// that holds the `.gz` files).
    pub key_prefix: String,
    /// The new table's name.
    pub table: String,
    /// Key schema, attributes, global indexes and billing come from here; local indexes
    /// cannot be created by an import.
    pub schema: TableSchema,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportInfo {
    pub arn: String,
    /// IN_PROGRESS, COMPLETED, FAILED, CANCELLING, CANCELLED.
    pub status: String,
    pub table_arn: Option<String>,
    pub imported_items: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportInfo {
    pub arn: String,
    /// IN_PROGRESS, COMPLETED or FAILED.
    pub status: String,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    /// The point in time the export holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<i64>,
    /// AWS's failure code and message, for a FAILED export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketInfo {
    pub name: String,
    pub region: String,
    pub created: Option<DateTime<Utc>>,
}

/// A bucket and the region whose endpoint serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRef {
    pub region: String,
    pub bucket: String,
}

impl BucketRef {
    pub fn new(region: impl Into<String>, bucket: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            bucket: bucket.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    /// Never enabled on this bucket.
    Disabled,
    Enabled,
    Suspended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationConfig {
    pub role: String,
    pub rules: Vec<ReplicationRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationRule {
    pub id: Option<String>,
    pub enabled: bool,
    pub priority: Option<i32>,
    /// The V1 `Prefix` or the V2 `Filter.Prefix`; empty means everything.
    pub prefix: String,
    pub destination_arn: String,
    /// The bucket name taken from the destination ARN.
    pub destination_bucket: String,
    pub storage_class: Option<String>,
    /// Whether deletions (delete markers) are replicated too.
    #[serde(default)]
    pub delete_marker_replication: bool,
    /// Replication Time Control: AWS then replicates 99.99% of objects within 15 minutes and
    /// publishes `ReplicationLatency`, so the lag can be measured.
    #[serde(default)]
    pub replication_time: bool,
    /// Replication metrics (bytes and operations pending, latency) are published.
    #[serde(default)]
    pub metrics: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCount {
    pub objects: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionCount {
    pub versions: u64,
    pub delete_markers: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub last_modified: Option<DateTime<Utc>>,
    pub etag: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyReport {
    pub copied: u64,
    pub skipped: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionInfo {
    pub name: String,
    pub arn: String,
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub role: Option<String>,
    pub last_modified: Option<String>,
    pub code_sha256: Option<String>,
    pub code_size: i64,
    pub timeout_secs: Option<i32>,
    pub memory_mb: Option<i32>,
    /// Only `get_function` reads it; `None` also means "not set".
    pub reserved_concurrency: Option<i32>,
    /// A presigned URL to the deployment package, from `get_function` only.
    pub code_location: Option<String>,
    /// Pending, Active, Inactive or Failed; `None` in a backup saved before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// InProgress, Successful or Failed: Lambda refuses another update while InProgress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_reason: Option<String>,
    /// The rest of the configuration: what a backup must keep to make the function again.
    #[serde(default, flatten)]
    pub settings: super::FunctionSettings,
}

/// An event source mapping: what feeds a function (a queue, a stream).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    pub uuid: String,
    pub function_arn: Option<String>,
    pub source_arn: Option<String>,
    /// Creating, Enabling, Enabled, Disabling, Disabled, Updating, Deleting.
    pub state: String,
}

impl EventSourceMapping {
    /// Enabled, or on its way there: either way it is running messages into the function.
    pub fn is_enabled(&self) -> bool {
        matches!(
            self.state.as_str(),
            "Enabled" | "Enabling" | "Creating" | "Updating"
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedZone {
    /// Without the "/hostedzone/" prefix.
    pub id: String,
    pub name: String,
    pub private: bool,
    pub record_count: Option<i64>,
}

/// Spelled as AWS spells it (`PRIMARY`), in JSON and on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Failover {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSet {
    pub name: String,
    pub record_type: String,
    pub set_identifier: Option<String>,
    pub failover: Option<Failover>,
    pub ttl: Option<i64>,
    pub values: Vec<String>,
    /// Set when the record is an alias (e.g. to a load balancer) instead of plain values.
    pub alias: Option<AliasTarget>,
    pub health_check_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTarget {
    pub dns_name: String,
    pub hosted_zone_id: String,
    pub evaluate_target_health: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeAction {
    Create,
    Upsert,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordChange {
    pub action: ChangeAction,
    pub record: RecordSet,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeInfo {
    /// Without the "/change/" prefix.
    pub id: String,
    /// PENDING or INSYNC.
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheckStatus {
    pub id: String,
    /// One status report per checker region, e.g. "Success: HTTP Status Code 200, OK".
    pub observations: Vec<HealthObservation>,
}

impl HealthCheckStatus {
    /// Route53 considers an endpoint healthy when more than 18% of its checkers see it
    /// succeed (a low bar, so that one checker region's trouble does not fail it over).
    /// `None` without observations: a new check, or one no checker reports on, proves nothing
    /// either way.
    pub fn healthy(&self) -> Option<bool> {
        if self.observations.is_empty() {
            return None;
        }
        let ok = self
            .observations
            .iter()
            .filter(|o| o.status.starts_with("Success"))
            .count();
        Some(ok * 100 > self.observations.len() * 18)
    }
}

/// The parts of a health check's configuration that change what its status means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheckConfig {
    pub id: String,
    /// HTTPS, HTTP, TCP, CALCULATED, CLOUDWATCH_METRIC, ...
    pub check_type: String,
    /// The domain name or address it checks, when it checks an endpoint.
    pub target: Option<String>,
    /// Route53 then considers it healthy whatever the checkers see.
    pub disabled: bool,
    /// Route53 then considers it healthy when the checkers see a failure, and vice versa.
    pub inverted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(ok: usize, failing: usize) -> HealthCheckStatus {
        let observation = |s: &str| HealthObservation {
            region: None,
            ip_address: None,
            status: s.into(),
            checked_at: None,
        };
        let mut observations = vec![observation("Success: HTTP Status Code 200, OK"); ok];
        observations.extend(vec![observation("Failure: Connection timed out."); failing]);
        HealthCheckStatus {
            id: "hc".into(),
            observations,
        }
    }

    #[test]
    fn route53_calls_it_healthy_above_eighteen_percent() {
        assert_eq!(
            status(4, 12).healthy(),
            Some(true),
            "25% of checkers is enough"
        );
        assert_eq!(status(2, 14).healthy(), Some(false), "12.5% is not");
    }

    #[test]
    fn no_observations_is_neither_healthy_nor_failing() {
        assert_eq!(status(0, 0).healthy(), None);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthObservation {
    pub region: Option<String>,
    pub ip_address: Option<String>,
    pub status: String,
    /// When this checker last checked: a report from before a change to the check says
    /// nothing about the change.
    #[serde(default)]
    pub checked_at: Option<DateTime<Utc>>,
}

/// Spelled as AWS spells it (`OK`, `ALARM`, `INSUFFICIENT_DATA`), in JSON and on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub state: AlarmState,
    pub reason: Option<String>,
    pub updated: Option<DateTime<Utc>>,
    pub namespace: Option<String>,
    pub metric: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// Lower-case identifier unique within one request, e.g. "m0".
    pub id: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    /// Average, Maximum, Sum, ...
    pub stat: String,
    pub period_secs: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub id: String,
    pub label: Option<String>,
    /// Oldest first.
    pub points: Vec<(DateTime<Utc>, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// A CloudFormation stack as DescribeStacks shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackInfo {
    pub name: String,
    /// The stack's ARN: the one name that still answers once the stack is deleted.
    pub id: String,
    /// CREATE_COMPLETE, UPDATE_IN_PROGRESS, UPDATE_ROLLBACK_COMPLETE, DELETE_COMPLETE, ...
    pub status: String,
    pub status_reason: Option<String>,
    pub parameters: Vec<StackParameter>,
    pub outputs: Vec<(String, String)>,
    pub capabilities: Vec<String>,
    /// The last update, or the creation where it never was updated.
    pub last_updated: Option<DateTime<Utc>>,
    /// The stack's tags (key, value), which a stack made again from a backup needs too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One parameter of a stack. Sent, `value: None` means UsePreviousValue: the value the stack
/// has now, not the template's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackParameter {
    pub key: String,
    pub value: Option<String>,
}

impl StackParameter {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> StackParameter {
        StackParameter {
            key: key.into(),
            value: Some(value.into()),
        }
    }

    pub fn previous(key: impl Into<String>) -> StackParameter {
        StackParameter {
            key: key.into(),
            value: None,
        }
    }
}

/// Where a stack stands, by the words of its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StackPhase {
    /// `*_COMPLETE` but a rollback: done, as asked.
    Complete,
    /// `*_IN_PROGRESS`: CloudFormation is still at it.
    InProgress,
    /// `*_FAILED`, or any `ROLLBACK`: not what was asked.
    Failed,
}

impl StackInfo {
    pub fn phase(&self) -> StackPhase {
        stack_phase(&self.status)
    }
}

/// `UPDATE_ROLLBACK_COMPLETE` ends in COMPLETE but means the update was undone: a failure.
pub fn stack_phase(status: &str) -> StackPhase {
    if status.contains("ROLLBACK") || status.ends_with("_FAILED") {
        StackPhase::Failed
    } else if status.ends_with("_IN_PROGRESS") {
        StackPhase::InProgress
    } else {
        StackPhase::Complete
    }
}

/// One line of a stack's history, as DescribeStackEvents lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackEvent {
    pub time: DateTime<Utc>,
    /// The stack's own name for stack-level events, else the resource's logical id.
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

impl StackEvent {
    /// "12:04:31 AWS::ECS::Service Service UPDATE_IN_PROGRESS (reason)": a progress line.
    pub fn line(&self) -> String {
        format!(
            "{} {} {} {}{}",
            self.time.format("%H:%M:%S"),
            self.resource_type,
            self.logical_id,
            self.status,
            self.reason
                .as_deref()
                .filter(|r| !r.is_empty())
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )
    }
}

/// Where CreateStack takes its template from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateSource {
    /// The template's text (what a file, or GetTemplate of a deleted stack, gave).
    Body(String),
    /// An S3 URL CloudFormation reads it from.
    Url(String),
}
