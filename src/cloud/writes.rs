//! The write port: every change drconsole may make to a cloud, as one serialisable value.
//!
//! A [`WriteRequest`] is what the preview shows, what the journal records before the call and
//! what is sent: one value, so the three cannot disagree. Only the action module holds the
//! [`Authority`] that [`Writes::send`] asks for, so nothing else can write.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{
    AlarmState, BackupInfo, BucketRef, ChangeInfo, CloudResult, CodeInS3, ContinuousBackups,
    CopyReport, EventSourceMapping, ExportInfo, ExportRequest, FunctionInfo, FunctionSpec,
    HealthCheckConfig, ImportInfo, ImportRequest, ObjectToCopy, RecordChange, ReplicationConfig,
    RestorePoint, StackParameter, TableInfo, TemplateSource,
};
pub use crate::action::Authority;

/// One AWS write, named as AWS names the operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "PascalCase")]
pub enum WriteRequest {
    // DynamoDB
    /// Turns point-in-time recovery on or off.
    UpdateContinuousBackups {
        region: String,
        table: String,
        pitr: bool,
    },
    CreateBackup {
        region: String,
        table: String,
        backup_name: String,
    },
    RestoreTableFromBackup {
        region: String,
        backup_arn: String,
        target_table: String,
    },
    /// `source` is a table name in `region`, or a table ARN (for a cross-region restore).
    RestoreTableToPointInTime {
        region: String,
        source: String,
        target_table: String,
        point: RestorePoint,
    },
    ExportTableToPointInTime {
        region: String,
        export: ExportRequest,
    },
    DeleteTable {
        region: String,
        table: String,
    },
    /// Removes an on-demand backup (a drill's own, at its teardown).
    DeleteBackup {
        region: String,
        backup_arn: String,
    },
    /// Creates a new table from an export's data in S3.
    ImportTable {
        region: String,
        /// Boxed: the schema it carries is far larger than any other request.
        import: Box<ImportRequest>,
    },
    UpdateTimeToLive {
        region: String,
        table: String,
        attribute: String,
        enabled: bool,
    },
    /// `UpdateTable` with only a `StreamSpecification`: `None` turns the stream off.
    UpdateTableStream {
        region: String,
        table: String,
        view_type: Option<String>,
    },
    /// `TagResource` on a table (by ARN).
    TagTable {
        region: String,
        table_arn: String,
        tags: std::collections::BTreeMap<String, String>,
    },
    // S3
    /// Creates a bucket in `region` (its LocationConstraint; none for us-east-1).
    CreateBucket {
        region: String,
        bucket: String,
    },
    /// Enables versioning, or suspends it (`enabled: false`): once on it can never be off.
    PutBucketVersioning {
        region: String,
        bucket: String,
        enabled: bool,
    },
    /// Replaces the bucket's whole replication configuration.
    PutBucketReplication {
        region: String,
        bucket: String,
        configuration: ReplicationConfig,
    },
    DeleteBucketReplication {
        region: String,
        bucket: String,
    },
    PutObject {
        region: String,
        bucket: String,
        key: String,
        body: ObjectBody,
    },
    /// Removes these objects (their current versions: a versioned bucket keeps the older
    /// ones behind a delete marker), in DeleteObjects calls of at most 1,000 keys.
    DeleteObjects {
        region: String,
        bucket: String,
        keys: Vec<String>,
    },
    /// Copies every object under `prefix`; objects already there with the same size are
    /// skipped, so a retry finishes the work.
    CopyObjects {
        from: BucketRef,
        to: BucketRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
    // Lambda
    PutFunctionConcurrency {
        region: String,
        function: String,
        reserved: i32,
    },
    DeleteFunctionConcurrency {
        region: String,
        function: String,
    },
    UpdateEventSourceMapping {
        region: String,
        /// The mapping's UUID.
        uuid: String,
        /// The function it feeds, for the preview and the journal.
        function: String,
        enabled: bool,
    },
    // Route53
    ChangeResourceRecordSets {
        zone_id: String,
        changes: Vec<RecordChange>,
        comment: String,
    },
    // CloudWatch
    SetAlarmState {
        region: String,
        alarm: String,
        state: AlarmState,
        reason: String,
    },
    // Route53 health checks
    /// Changes only the fields given; the others keep their values.
    UpdateHealthCheck {
        health_check_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inverted: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disabled: Option<bool>,
    },
    // CloudFormation
    /// Always with UsePreviousTemplate: only parameters change. A parameter with no value is
    /// sent as UsePreviousValue; one left out would fall back to the template's default.
    UpdateStack {
        region: String,
        stack: String,
        parameters: Vec<StackParameter>,
    },
    CreateStack {
        region: String,
        stack: String,
        template: TemplateSource,
        parameters: Vec<StackParameter>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        capabilities: Vec<String>,
    },
    DeleteStack {
        region: String,
        stack: String,
    },
    // Lambda: restoring a function from its backup
    /// Creates the function with the package in `code` (a bucket of `region`).
    CreateFunction {
        region: String,
        spec: FunctionSpec,
        code: CodeInS3,
    },
    /// Replaces the function's code with the package in `code` (a bucket of `region`).
    UpdateFunctionCode {
        region: String,
        function: String,
        code: CodeInS3,
        /// Set with the code where the backup names them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        architectures: Option<Vec<String>>,
    },
    /// Sends only the fields `spec` sets.
    UpdateFunctionConfiguration {
        region: String,
        spec: FunctionSpec,
    },
    /// Removes a function, every version of it (a drill's copy, at its teardown).
    DeleteFunction {
        region: String,
        function: String,
    },
    // S3, a bucket's copy back from its replica
    /// Copies these objects, each one CopyObject, or a multipart copy (UploadPartCopy) in
    /// parts of `part_size` when larger than `multipart_above`: S3 refuses a CopyObject of
    /// more than 5 GiB. The list is what the journal keeps of what was copied.
    CopyObjectBatch {
        from: BucketRef,
        to: BucketRef,
        objects: Vec<ObjectToCopy>,
        multipart_above: u64,
        part_size: u64,
    },
    /// Asks S3 to restore archived objects (GLACIER, DEEP_ARCHIVE) for `days`, at `tier`
    /// (Standard, Bulk or Expedited): a RestoreObject each.
    RestoreObjects {
        region: String,
        bucket: String,
        keys: Vec<String>,
        days: i32,
        tier: String,
    },
}

/// What an object upload carries. The preview and the journal show text bodies whole and
/// binary ones by size and SHA-256; the bytes themselves are never written to a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ObjectBody {
    Text {
        content_type: String,
        text: String,
    },
    Bytes {
        content_type: String,
        size: u64,
        sha256: String,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
}

impl ObjectBody {
    pub fn json(value: &serde_json::Value) -> ObjectBody {
        ObjectBody::Text {
            content_type: "application/json".into(),
            text: serde_json::to_string_pretty(value).unwrap_or_default(),
        }
    }

    pub fn bytes(content_type: &str, bytes: Vec<u8>) -> ObjectBody {
        use sha2::Digest;
        ObjectBody::Bytes {
            content_type: content_type.into(),
            size: bytes.len() as u64,
            sha256: hex::encode(sha2::Sha256::digest(&bytes)),
            bytes,
        }
    }

    pub fn content_type(&self) -> &str {
        match self {
            ObjectBody::Text { content_type, .. } | ObjectBody::Bytes { content_type, .. } => {
                content_type
            }
        }
    }

    /// The bytes to upload.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ObjectBody::Text { text, .. } => text.as_bytes(),
            ObjectBody::Bytes { bytes, .. } => bytes,
        }
    }
}

impl WriteRequest {
    /// The AWS service, as the SDK's crate names it: "dynamodb", "s3", "lambda", ...
    pub fn service(&self) -> &'static str {
        use WriteRequest::*;
        match self {
            UpdateContinuousBackups { .. }
            | CreateBackup { .. }
            | RestoreTableFromBackup { .. }
            | RestoreTableToPointInTime { .. }
            | ExportTableToPointInTime { .. }
            | DeleteTable { .. }
            | DeleteBackup { .. }
            | ImportTable { .. }
            | UpdateTimeToLive { .. }
            | UpdateTableStream { .. }
            | TagTable { .. } => "dynamodb",
            CreateBucket { .. }
            | PutBucketVersioning { .. }
            | PutBucketReplication { .. }
            | DeleteBucketReplication { .. }
            | PutObject { .. }
            | DeleteObjects { .. }
            | CopyObjects { .. } => "s3",
            PutFunctionConcurrency { .. }
            | DeleteFunctionConcurrency { .. }
            | UpdateEventSourceMapping { .. } => "lambda",
            ChangeResourceRecordSets { .. } => "route53",
            SetAlarmState { .. } => "cloudwatch",
            UpdateHealthCheck { .. } => "route53",
            UpdateStack { .. } | CreateStack { .. } | DeleteStack { .. } => "cloudformation",
            CreateFunction { .. }
            | UpdateFunctionCode { .. }
            | UpdateFunctionConfiguration { .. }
            | DeleteFunction { .. } => "lambda",
            CopyObjectBatch { .. } | RestoreObjects { .. } => "s3",
        }
    }

    /// The operation, as AWS names it.
    pub fn operation(&self) -> &'static str {
        use WriteRequest::*;
        match self {
            UpdateContinuousBackups { .. } => "UpdateContinuousBackups",
            CreateBackup { .. } => "CreateBackup",
            RestoreTableFromBackup { .. } => "RestoreTableFromBackup",
            RestoreTableToPointInTime { .. } => "RestoreTableToPointInTime",
            ExportTableToPointInTime { .. } => "ExportTableToPointInTime",
            DeleteTable { .. } => "DeleteTable",
            DeleteBackup { .. } => "DeleteBackup",
            ImportTable { .. } => "ImportTable",
            UpdateTimeToLive { .. } => "UpdateTimeToLive",
            UpdateTableStream { .. } => "UpdateTable",
            TagTable { .. } => "TagResource",
            CreateBucket { .. } => "CreateBucket",
            PutBucketVersioning { .. } => "PutBucketVersioning",
            PutBucketReplication { .. } => "PutBucketReplication",
            DeleteBucketReplication { .. } => "DeleteBucketReplication",
            PutObject { .. } => "PutObject",
            DeleteObjects { .. } => "DeleteObjects",
            CopyObjects { .. } => "CopyObject",
            PutFunctionConcurrency { .. } => "PutFunctionConcurrency",
            DeleteFunctionConcurrency { .. } => "DeleteFunctionConcurrency",
            UpdateEventSourceMapping { .. } => "UpdateEventSourceMapping",
            ChangeResourceRecordSets { .. } => "ChangeResourceRecordSets",
            SetAlarmState { .. } => "SetAlarmState",
            UpdateHealthCheck { .. } => "UpdateHealthCheck",
            UpdateStack { .. } => "UpdateStack",
            CreateStack { .. } => "CreateStack",
            DeleteStack { .. } => "DeleteStack",
            CreateFunction { .. } => "CreateFunction",
            UpdateFunctionCode { .. } => "UpdateFunctionCode",
            UpdateFunctionConfiguration { .. } => "UpdateFunctionConfiguration",
            DeleteFunction { .. } => "DeleteFunction",
            CopyObjectBatch { .. } => "CopyObject",
            RestoreObjects { .. } => "RestoreObject",
        }
    }

    /// The region whose endpoint receives it; `None` for Route53 (global).
    pub fn region(&self) -> Option<&str> {
        use WriteRequest::*;
        match self {
            UpdateContinuousBackups { region, .. }
            | CreateBackup { region, .. }
            | RestoreTableFromBackup { region, .. }
            | RestoreTableToPointInTime { region, .. }
            | ExportTableToPointInTime { region, .. }
            | DeleteTable { region, .. }
            | DeleteBackup { region, .. }
            | ImportTable { region, .. }
            | UpdateTimeToLive { region, .. }
            | UpdateTableStream { region, .. }
            | TagTable { region, .. }
            | CreateBucket { region, .. }
            | PutBucketVersioning { region, .. }
            | PutBucketReplication { region, .. }
            | DeleteBucketReplication { region, .. }
            | PutObject { region, .. }
            | DeleteObjects { region, .. }
            | PutFunctionConcurrency { region, .. }
            | DeleteFunctionConcurrency { region, .. }
            | UpdateEventSourceMapping { region, .. }
            | SetAlarmState { region, .. } => Some(region),
            CopyObjects { to, .. } => Some(&to.region),
            ChangeResourceRecordSets { .. } => None,
            UpdateHealthCheck { .. } => None,
            UpdateStack { region, .. }
            | CreateStack { region, .. }
            | DeleteStack { region, .. } => Some(region),
            CreateFunction { region, .. }
            | UpdateFunctionCode { region, .. }
            | UpdateFunctionConfiguration { region, .. }
            | DeleteFunction { region, .. } => Some(region),
            CopyObjectBatch { to, .. } => Some(&to.region),
            RestoreObjects { region, .. } => Some(region),
        }
    }

    /// The resource it changes, by name: what a destructive action's confirmation asks for.
    pub fn target(&self) -> String {
        use WriteRequest::*;
        match self {
            UpdateContinuousBackups { table, .. }
            | CreateBackup { table, .. }
            | DeleteTable { table, .. }
            | UpdateTimeToLive { table, .. }
            | UpdateTableStream { table, .. } => table.clone(),
            ImportTable { import, .. } => import.table.clone(),
            TagTable { table_arn, .. } => {
                table_arn.rsplit('/').next().unwrap_or(table_arn).to_owned()
            }
            RestoreTableFromBackup { target_table, .. }
            | RestoreTableToPointInTime { target_table, .. } => target_table.clone(),
            ExportTableToPointInTime { export, .. } => export
                .table_arn
                .rsplit('/')
                .next()
                .unwrap_or(&export.table_arn)
                .to_owned(),
            CreateBucket { bucket, .. }
            | PutBucketVersioning { bucket, .. }
            | PutBucketReplication { bucket, .. }
            | DeleteBucketReplication { bucket, .. }
            | DeleteObjects { bucket, .. } => bucket.clone(),
            PutObject { bucket, key, .. } => format!("s3://{bucket}/{key}"),
            CopyObjects { to, .. } => to.bucket.clone(),
            PutFunctionConcurrency { function, .. }
            | DeleteFunctionConcurrency { function, .. }
            | UpdateEventSourceMapping { function, .. } => function.clone(),
            ChangeResourceRecordSets { changes, .. } => changes
                .first()
                .map(|c| c.record.name.clone())
                .unwrap_or_default(),
            SetAlarmState { alarm, .. } => alarm.clone(),
            UpdateHealthCheck {
                health_check_id, ..
            } => health_check_id.clone(),
            UpdateStack { stack, .. } | CreateStack { stack, .. } | DeleteStack { stack, .. } => {
                stack.clone()
            }
            CreateFunction { spec, .. } | UpdateFunctionConfiguration { spec, .. } => {
                spec.name.clone()
            }
            UpdateFunctionCode { function, .. } | DeleteFunction { function, .. } => {
                function.clone()
            }
            // A backup's ARN ends in `table/<table>/backup/<id>`: its table names it.
            DeleteBackup { backup_arn, .. } => backup_arn
                .split("table/")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or(backup_arn)
                .to_owned(),
            CopyObjectBatch { to, .. } => to.bucket.clone(),
            RestoreObjects { bucket, .. } => bucket.clone(),
        }
    }

    /// One line for a person: what it does, to what, where.
    pub fn summary(&self) -> String {
        use WriteRequest::*;
        let place = self
            .region()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default();
        let what = match self {
            UpdateContinuousBackups { table, pitr, .. } => format!(
                "{} point-in-time recovery on table {table}",
                if *pitr { "enable" } else { "disable" }
            ),
            CreateBackup {
                table, backup_name, ..
            } => format!("create on-demand backup {backup_name} of table {table}"),
            RestoreTableFromBackup {
                backup_arn,
                target_table,
                ..
            } => format!("restore backup {backup_arn} into new table {target_table}"),
            RestoreTableToPointInTime {
                source,
                target_table,
                point,
                ..
            } => {
                let when = match point {
                    RestorePoint::Latest => "the latest restorable time".to_owned(),
                    RestorePoint::At(t) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                };
                format!("restore table {source} as of {when} into new table {target_table}")
            }
            ExportTableToPointInTime { export, .. } => format!(
                "export table {} to s3://{}/{}",
                self.target(),
                export.bucket,
                export.prefix
            ),
            DeleteTable { table, .. } => format!("DELETE table {table} and all its items"),
            DeleteBackup { backup_arn, .. } => format!("DELETE backup {backup_arn}"),
            DeleteFunction { function, .. } => {
                format!("DELETE function {function} and every version of it")
            }
            ImportTable { import, .. } => format!(
                "import s3://{}/{} into new table {}",
                import.bucket, import.key_prefix, import.table
            ),
            UpdateTimeToLive {
                table,
                attribute,
                enabled,
                ..
            } => format!(
                "{} time to live on table {table} (attribute {attribute})",
                if *enabled { "enable" } else { "disable" }
            ),
            UpdateTableStream {
                table, view_type, ..
            } => match view_type {
                Some(view) => format!("turn on the stream of table {table} ({view})"),
                None => format!("turn off the stream of table {table}"),
            },
            TagTable { tags, .. } => format!(
                "tag table {} with {}",
                self.target(),
                tags.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CreateBucket { bucket, .. } => format!("create bucket {bucket}"),
            PutBucketVersioning {
                bucket, enabled, ..
            } => format!(
                "{} versioning on bucket {bucket}",
                if *enabled { "enable" } else { "suspend" }
            ),
            PutBucketReplication {
                bucket,
                configuration,
                ..
            } => {
                let to: Vec<&str> = configuration
                    .rules
                    .iter()
                    .map(|r| r.destination_bucket.as_str())
                    .collect();
                format!(
                    "replace the replication configuration of bucket {bucket} ({} rule(s), to {})",
                    configuration.rules.len(),
                    to.join(", ")
                )
            }
            DeleteBucketReplication { bucket, .. } => {
                format!("remove the replication configuration of bucket {bucket}")
            }
            PutObject {
                bucket, key, body, ..
            } => format!(
                "upload s3://{bucket}/{key} ({} bytes)",
                match body {
                    ObjectBody::Text { text, .. } => text.len() as u64,
                    ObjectBody::Bytes { size, .. } => *size,
                }
            ),
            DeleteObjects { bucket, keys, .. } => format!(
                "DELETE {} object(s) of bucket {bucket}{}",
                keys.len(),
                match (keys.first(), keys.last()) {
                    (Some(first), Some(last)) if keys.len() > 1 => format!(" ({first} .. {last})"),
                    (Some(first), _) => format!(" ({first})"),
                    _ => String::new(),
                }
            ),
            CopyObjects { from, to, prefix } => format!(
                "copy objects{} from s3://{} ({}) to s3://{} ({})",
                prefix
                    .as_deref()
                    .map(|p| format!(" under {p}"))
                    .unwrap_or_default(),
                from.bucket,
                from.region,
                to.bucket,
                to.region
            ),
            PutFunctionConcurrency {
                function, reserved, ..
            } => format!("set reserved concurrency of function {function} to {reserved}"),
            DeleteFunctionConcurrency { function, .. } => {
                format!("remove the reserved concurrency of function {function}")
            }
            UpdateEventSourceMapping {
                uuid,
                function,
                enabled,
                ..
            } => format!(
                "{} event source mapping {uuid} of function {function}",
                if *enabled { "enable" } else { "disable" }
            ),
            ChangeResourceRecordSets {
                zone_id, changes, ..
            } => {
                let list: Vec<String> = changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{:?} {} {}{}",
                            c.action,
                            c.record.name,
                            c.record.record_type,
                            c.record
                                .set_identifier
                                .as_deref()
                                .map(|s| format!(" ({s})"))
                                .unwrap_or_default()
                        )
                        .to_uppercase()
                    })
                    .collect();
                format!("change records in zone {zone_id}: {}", list.join("; "))
            }
            SetAlarmState {
                alarm,
                state,
                reason,
                ..
            } => format!("set alarm {alarm} to {state:?} ({reason})"),
            UpdateHealthCheck {
                health_check_id,
                inverted,
                disabled,
            } => {
                let flag = |name: &str, on: &Option<bool>| {
                    on.map(|on| format!("{name}={}", if on { "true" } else { "false" }))
                };
                let set: Vec<String> = [flag("Inverted", inverted), flag("Disabled", disabled)]
                    .into_iter()
                    .flatten()
                    .collect();
                format!(
                    "update Route53 health check {health_check_id}: {}",
                    set.join(", ")
                )
            }
            UpdateStack {
                stack, parameters, ..
            } => format!(
                "update stack {stack} (previous template): {}",
                stack_parameters(parameters)
            ),
            CreateStack {
                stack,
                template,
                parameters,
                capabilities,
                ..
            } => format!(
                "create stack {stack} from {}{}{}",
                match template {
                    TemplateSource::Body(body) => format!("a template of {} bytes", body.len()),
                    TemplateSource::Url(url) => url.clone(),
                },
                if parameters.is_empty() {
                    String::new()
                } else {
                    format!(", {}", stack_parameters(parameters))
                },
                if capabilities.is_empty() {
                    String::new()
                } else {
                    format!(", capabilities {}", capabilities.join(", "))
                }
            ),
            DeleteStack { stack, .. } => {
                format!("DELETE stack {stack} and every resource it made")
            }
            CreateFunction { spec, code, .. } => format!(
                "create function {} ({}) from s3://{}/{}",
                spec.name,
                spec.runtime.as_deref().unwrap_or("no runtime"),
                code.bucket,
                code.key
            ),
            UpdateFunctionCode { function, code, .. } => format!(
                "replace the code of function {function} with s3://{}/{}",
                code.bucket, code.key
            ),
            UpdateFunctionConfiguration { spec, .. } => format!(
                "update the configuration of function {}: {}",
                spec.name,
                spec.field_names().join(", ")
            ),
            CopyObjectBatch {
                from,
                to,
                objects,
                multipart_above,
                ..
            } => {
                let bytes: u64 = objects.iter().map(|o| o.size).sum();
                let parts = objects.iter().filter(|o| o.size > *multipart_above).count();
                format!(
                    "copy {} object(s), {} byte(s){}{} from s3://{} ({}) to s3://{}",
                    objects.len(),
                    bytes,
                    match objects.first() {
                        Some(first) if objects.len() > 1 => format!(
                            " ({} .. {})",
                            first.key,
                            objects.last().map(|o| o.key.as_str()).unwrap_or_default()
                        ),
                        Some(first) => format!(" ({})", first.key),
                        None => String::new(),
                    },
                    if parts > 0 {
                        format!(", {parts} in parts")
                    } else {
                        String::new()
                    },
                    from.bucket,
                    from.region,
                    to.bucket
                )
            }
            RestoreObjects {
                bucket,
                keys,
                days,
                tier,
                ..
            } => format!(
                "restore {} archived object(s) of bucket {bucket} for {days} day(s) ({tier} tier)",
                keys.len()
            ),
        };
        format!("{what}{place}")
    }

    /// The request as the journal and `--json` previews record it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// "Key=value, Other (previous value)": set values first, as a person reads a change.
fn stack_parameters(parameters: &[StackParameter]) -> String {
    let (set, kept): (Vec<_>, Vec<_>) = parameters.iter().partition(|p| p.value.is_some());
    let mut parts: Vec<String> = set
        .iter()
        .map(|p| format!("{}={}", p.key, p.value.as_deref().unwrap_or_default()))
        .collect();
    if !kept.is_empty() {
        parts.push(format!(
            "{} unchanged (previous value)",
            kept.iter()
                .map(|p| p.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join(", ")
}

/// What a write answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum WriteOutput {
    Nothing,
    Table(TableInfo),
    Backup(BackupInfo),
    ContinuousBackups(ContinuousBackups),
    Export(ExportInfo),
    Import(ImportInfo),
    Copy(CopyReport),
    Concurrency(i32),
    Mapping(EventSourceMapping),
    Change(ChangeInfo),
    /// A health check as an update left it, and when the answer came (by the cloud's clock):
    /// the checkers' reports from before then say nothing about the update.
    HealthCheck {
        config: HealthCheckConfig,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The stack a CreateStack or UpdateStack started, by id.
    Stack(String),
    Function(Box<FunctionInfo>),
}

/// A write's answer and the request id AWS gave it (what support asks for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub request_id: Option<String>,
    pub output: WriteOutput,
}

impl Sent {
    pub fn new(request_id: Option<String>, output: WriteOutput) -> Sent {
        Sent { request_id, output }
    }
}

/// Every write a cloud accepts. Only the action module can call it: it alone holds an
/// [`Authority`].
#[async_trait]
pub trait Writes: Send + Sync {
    async fn send(&self, request: &WriteRequest, authority: &Authority) -> CloudResult<Sent>;
}
