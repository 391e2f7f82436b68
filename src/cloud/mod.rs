//! Ports: the small capability traits drconsole needs from a cloud, and the types they return.
//!
//! The health model, runbook engine and reports speak only these types, so they are tested
//! without a network. `aws` implements them on the AWS SDK; a simulated estate can too.

pub mod aws;
mod error;
mod function_spec;
mod items;
pub mod sim;
mod types;
pub mod writes;

pub use error::{CloudError, CloudResult, ErrorKind};
pub use function_spec::*;
pub use items::*;
pub use types::*;
pub use writes::{ObjectBody, Sent, WriteOutput, WriteRequest, Writes};

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// DynamoDB reads: tables, point-in-time recovery, on-demand backups. Every write is a
/// [`WriteRequest`] sent through [`Writes`].
#[async_trait]
pub trait Backups: Send + Sync {
    /// Every table name in the region, all pages.
    async fn list_tables(&self, region: &str) -> CloudResult<Vec<String>>;
    /// A missing table is `ErrorKind::NotFound`.
    async fn describe_table(&self, region: &str, table: &str) -> CloudResult<TableInfo>;
    async fn describe_continuous_backups(
        &self,
        region: &str,
        table: &str,
    ) -> CloudResult<ContinuousBackups>;
    /// Every backup (all pages, every type: USER, SYSTEM and AWS_BACKUP) of one table, or of
    /// all tables when `table` is `None`, newest first by creation time: AWS promises no
    /// order. A deleted table's backups are still listed by its name.
    async fn list_backups(&self, region: &str, table: Option<&str>)
    -> CloudResult<Vec<BackupInfo>>;
    async fn describe_backup(&self, region: &str, backup_arn: &str) -> CloudResult<BackupInfo>;
    /// The same call, with what the backup recorded of its table: item count, size, keys and
    /// indexes at backup time.
    async fn describe_backup_source(
        &self,
        region: &str,
        backup_arn: &str,
    ) -> CloudResult<BackupSource>;
    /// What it takes to make the table again and protect it as it is: DescribeTable,
    /// DescribeTimeToLive, DescribeContinuousBackups, ListTagsOfResource.
    async fn describe_table_schema(&self, region: &str, table: &str) -> CloudResult<TableSchema>;
    async fn describe_import(&self, region: &str, import_arn: &str) -> CloudResult<ImportInfo>;
    async fn describe_export(&self, region: &str, export_arn: &str) -> CloudResult<ExportInfo>;
    /// Every export of the table (by ARN), described: ListExports names only ARN and status.
    async fn list_exports(&self, region: &str, table_arn: &str) -> CloudResult<Vec<ExportInfo>>;
    /// Polls until the table is ACTIVE (or gone), or fails with `ErrorKind::Timeout`.
    async fn wait_for_table(
        &self,
        region: &str,
        table: &str,
        until: TableCondition,
        timeout: Duration,
    ) -> CloudResult<()>;
    /// Counts items with a parallel scan of `segments` segments.
    async fn count_items(&self, region: &str, table: &str, segments: u32) -> CloudResult<u64>;
    /// The same parallel scan, telling `progress` after each page, and how many pages it took.
    async fn count_items_with(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> CloudResult<ScanCount>;
    /// Every item of the table, by a parallel scan with no filter, each handed to `visit` as
    /// its page arrives (the table is never held whole), telling `progress` after each page.
    async fn scan_items_with(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        visit: &(dyn for<'i> Fn(&'i Item) + Send + Sync),
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> CloudResult<ScanCount>;
    /// Up to `n` whole items from the start of a scan: a sample to look up elsewhere.
    async fn sample_items(&self, region: &str, table: &str, n: usize) -> CloudResult<Vec<Item>>;
    /// The items with these keys (each a map of the key attributes), as found; a missing
    /// key is simply absent from the answer. Any number of keys: batched by 100, and what
    /// DynamoDB leaves unprocessed is asked again.
    async fn get_items(&self, region: &str, table: &str, keys: &[Item]) -> CloudResult<Vec<Item>>;
}

/// Polls `describe_table` until the table is ACTIVE (or gone), pausing `pause` between
/// looks, or fails with `ErrorKind::Timeout` once `timeout` of real time has passed. Shared
/// by every `Backups` implementation so they agree on what "ready" means.
pub async fn poll_table<B: Backups + ?Sized>(
    backups: &B,
    region: &str,
    table: &str,
    until: TableCondition,
    timeout: Duration,
    pause: Duration,
) -> CloudResult<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let reached = match (backups.describe_table(region, table).await, until) {
            (Ok(info), TableCondition::Active) => info.is_active(),
            (Err(e), TableCondition::Deleted) if e.is_not_found() => true,
            (Ok(_), TableCondition::Deleted) => false,
            (Err(e), TableCondition::Active) if e.is_not_found() => false,
            (Err(e), _) => return Err(e),
        };
        if reached {
            return Ok(());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            let want = match until {
                TableCondition::Active => "ACTIVE",
                TableCondition::Deleted => "deleted",
            };
            return Err(CloudError::new(
                "dynamodb",
                "DescribeTable",
                ErrorKind::Timeout,
                format!("table {table} was not {want} after {}s", timeout.as_secs()),
            ));
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
    }
}

/// S3: buckets, versioning, replication, object counts and copies.
#[async_trait]
pub trait Storage: Send + Sync {
    /// Every bucket of the account, with its region.
    async fn list_buckets(&self) -> CloudResult<Vec<BucketInfo>>;
    /// Succeeds when the bucket exists and is reachable; a missing one is `NotFound`.
    async fn head_bucket(&self, region: &str, bucket: &str) -> CloudResult<()>;
    /// The region the bucket lives in, asked through `region`'s endpoint (which need not be
    /// the bucket's own), so it can be answered while another region is down.
    async fn bucket_region(&self, region: &str, bucket: &str) -> CloudResult<String>;
    async fn get_versioning(&self, region: &str, bucket: &str) -> CloudResult<Versioning>;
    /// `None` when the bucket has no replication configuration.
    async fn get_replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> CloudResult<Option<ReplicationConfig>>;
    /// Current objects and bytes under `prefix`, all pages.
    async fn count_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<ObjectCount>;
    /// Every version and delete marker under `prefix`, all pages.
    async fn count_versions(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<VersionCount>;
    /// Objects under `prefix`, all pages, at most `limit`.
    async fn list_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
        limit: Option<usize>,
    ) -> CloudResult<Vec<ObjectInfo>>;
    /// The "folders" directly under `prefix` (delimiter `/`), e.g. the dated backup folders.
    async fn list_prefixes(
        &self,
        region: &str,
        bucket: &str,
        prefix: &str,
    ) -> CloudResult<Vec<String>>;
    /// One object's bytes, whole: for the small files drconsole writes itself (a function's
    /// saved configuration), never for data. A missing key is `ErrorKind::NotFound`.
    async fn get_object(&self, region: &str, bucket: &str, key: &str) -> CloudResult<Vec<u8>>;
    /// Current objects under `prefix` with their storage class, all pages.
    async fn list_stored_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<StoredObject>>;
    /// The first `len` bytes of an object (a ranged GET): proof that it can be read.
    async fn read_object_start(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
        len: u64,
    ) -> CloudResult<Vec<u8>>;
}

/// Lambda: the pipeline's functions, their reserved concurrency and what feeds them.
#[async_trait]
pub trait Functions: Send + Sync {
    /// Functions whose name starts with `prefix` (all when `None`), all pages.
    async fn list_functions(
        &self,
        region: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<FunctionInfo>>;
    /// Configuration, code location and reserved concurrency.
    async fn get_function(&self, region: &str, name: &str) -> CloudResult<FunctionInfo>;
    async fn get_function_configuration(
        &self,
        region: &str,
        name: &str,
    ) -> CloudResult<FunctionInfo>;
    /// `None` when no reserved concurrency is set; `Some(0)` means the function is stopped.
    async fn get_concurrency(&self, region: &str, name: &str) -> CloudResult<Option<i32>>;
    /// The deployment package behind `FunctionInfo::code_location` (a presigned URL, valid
    /// for ten minutes), downloaded whole.
    async fn download_code(&self, region: &str, location: &str) -> CloudResult<Vec<u8>>;
    /// What feeds the function (queues, streams), all pages.
    async fn list_event_source_mappings(
        &self,
        region: &str,
        function: &str,
    ) -> CloudResult<Vec<EventSourceMapping>>;
}

/// Route53: failover records and health checks (a global service).
#[async_trait]
pub trait Dns: Send + Sync {
    async fn list_hosted_zones(&self) -> CloudResult<Vec<HostedZone>>;
    /// Every record set of the zone, all pages.
    async fn list_record_sets(&self, zone_id: &str) -> CloudResult<Vec<RecordSet>>;
    async fn get_change(&self, change_id: &str) -> CloudResult<ChangeInfo>;
    async fn health_check_status(&self, health_check_id: &str) -> CloudResult<HealthCheckStatus>;
    /// What the check is configured to do: a disabled or inverted check changes what its
    /// status means.
    async fn get_health_check(&self, health_check_id: &str) -> CloudResult<HealthCheckConfig>;
    /// The same as [`Dns::list_record_sets`], asked once, without retries, within one call's
    /// time limit: for a caller that must know at once whether Route53's control plane
    /// (us-east-1) answers at all, rather than retry for minutes during an outage.
    async fn list_record_sets_once(&self, zone_id: &str) -> CloudResult<Vec<RecordSet>> {
        self.list_record_sets(zone_id).await
    }
}

/// CloudWatch: alarms and metrics.
#[async_trait]
pub trait Metrics: Send + Sync {
    /// Alarms by name, or by name prefix, or all when both are empty (with both, the prefix
    /// filters the named ones); all pages.
    async fn describe_alarms(
        &self,
        region: &str,
        names: &[String],
        prefix: Option<&str>,
    ) -> CloudResult<Vec<Alarm>>;
    /// One series per query, points oldest first.
    async fn get_metric_data(
        &self,
        region: &str,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> CloudResult<Vec<MetricSeries>>;
}

/// CloudFormation: the stacks the estate file names (the backup region's capacity).
#[async_trait]
pub trait Stacks: Send + Sync {
    /// By name, or by stack id (ARN), the one way to see a deleted stack: by name, a deleted
    /// stack is `ErrorKind::NotFound`.
    async fn describe_stack(&self, region: &str, name_or_id: &str) -> CloudResult<StackInfo>;
    /// Newest first; with `since`, only the events after it.
    async fn stack_events(
        &self,
        region: &str,
        name_or_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> CloudResult<Vec<StackEvent>>;
    /// The template the stack was last made from; by stack id it answers for a deleted stack
    /// too, which is how a deleted stack is made again.
    async fn get_template(&self, region: &str, name_or_id: &str) -> CloudResult<String>;
}

/// Who we are, and what time it is where we look.
#[async_trait]
pub trait Identity: Send + Sync {
    /// The account shown in the header.
    async fn caller_identity(&self) -> CloudResult<CallerIdentity>;

    /// The same, asked of one region's own STS endpoint: the answer also tells whether that
    /// region can be reached at all.
    async fn caller_identity_in(&self, region: &str) -> CloudResult<CallerIdentity> {
        let _ = region;
        self.caller_identity().await
    }

    /// Endpoints that replace AWS's own, as (scope, URL): scope is "all" for a global
    /// override (`AWS_ENDPOINT_URL`) or a region name. Shown in the header, so a console
    /// pointed at an emulator never looks like production.
    fn endpoint_overrides(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The time every age is measured against: the system clock for a real cloud, the
    /// simulated clock for a simulated one (so rehearsals and screen tests are repeatable).
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Waits `d` by this cloud's clock, between two looks at something AWS is doing: real
    /// time for a real cloud. A simulated cloud on a fixed clock moves its clock instead, so a
    /// rehearsed ten-minute restore takes no time in a test.
    async fn pause(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// The caller's identity through the first of `regions` that answers, so a dead primary
/// region never turns into "no account". On failure, the first region's error.
pub async fn identity_via_any(
    cloud: &dyn Cloud,
    regions: &[&str],
) -> (
    CloudResult<CallerIdentity>,
    Vec<(String, CloudResult<CallerIdentity>)>,
) {
    let tries = futures::future::join_all(regions.iter().map(|r| cloud.caller_identity_in(r)));
    let answers: Vec<(String, CloudResult<CallerIdentity>)> = regions
        .iter()
        .map(|r| (*r).to_owned())
        .zip(tries.await)
        .collect();
    let found = answers
        .iter()
        .find_map(|(_, a)| a.as_ref().ok().cloned())
        .map(Ok)
        .or_else(|| answers.first().map(|(_, a)| a.clone()))
        .unwrap_or_else(|| {
            Err(CloudError::new(
                "sts",
                "GetCallerIdentity",
                ErrorKind::Client,
                "no region to ask",
            ))
        });
    (found, answers)
}

/// The caller's identity from whichever of `regions` answers first, without waiting for the
/// others: a dead region costs nothing when another answers. On failure, the first region's
/// error.
pub async fn identity_from_first(
    cloud: &dyn Cloud,
    regions: &[&str],
) -> CloudResult<CallerIdentity> {
    use futures::stream::{FuturesUnordered, StreamExt};
    let mut tries: FuturesUnordered<_> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| async move { (i, cloud.caller_identity_in(r).await) })
        .collect();
    let mut first_error: Option<(usize, CloudError)> = None;
    while let Some((i, answer)) = tries.next().await {
        match answer {
            Ok(identity) => return Ok(identity),
            Err(e) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    Err(first_error.map(|(_, e)| e).unwrap_or_else(|| {
        CloudError::new(
            "sts",
            "GetCallerIdentity",
            ErrorKind::Client,
            "no region to ask",
        )
    }))
}

/// Everything drconsole needs from a cloud: the reads, and the one write port only the
/// action module can use.
pub trait Cloud:
    Backups + Storage + Functions + Dns + Metrics + Identity + Writes + Stacks
{
}

impl<T: Backups + Storage + Functions + Dns + Metrics + Identity + Writes + Stacks> Cloud for T {}
