//! DynamoDB in the simulation: tables, PITR, on-demand backups, restores that take time,
//! exports, deletes; with DynamoDB's own error codes and messages.

use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::seed::{aws_id, backup_arn, table_arn};
use super::state::{
    Backup, DELETE_TAKES, EXPORT_TAKES, Export, State, Table, TableStatus, restore_takes,
};
use super::{Call, Latency, SimCloud, aws_time, valid_dynamodb_name};
use crate::cloud::{
    BackupInfo, BackupSource, Backups, CloudError, CloudResult, ContinuousBackups, ExportInfo,
    ExportRequest, ImportInfo, RestorePoint, TableCondition, TableInfo, TableReplica, TableSchema,
    poll_table,
};

const SERVICE: &str = "dynamodb";

fn table_info(t: &Table) -> TableInfo {
    TableInfo {
        name: t.name.clone(),
        arn: t.arn.clone(),
        status: t.status.as_str().to_owned(),
        item_count: Some(t.items as i64),
        size_bytes: Some(t.size_bytes as i64),
        created: Some(t.created),
        replicas: t
            .replica_regions
            .iter()
            .map(|r| TableReplica {
                region: r.clone(),
                status: Some("ACTIVE".to_owned()),
            })
            .collect(),
    }
}

fn backup_info(b: &Backup) -> BackupInfo {
    BackupInfo {
        arn: b.arn.clone(),
        name: b.name.clone(),
        table_name: b.table_name.clone(),
        created: b.created,
        status: b.status.to_owned(),
        backup_type: b.backup_type.to_owned(),
        size_bytes: Some(b.size_bytes as i64),
    }
}

fn continuous(t: &Table, now: DateTime<Utc>) -> ContinuousBackups {
    let window = t.restorable(now);
    ContinuousBackups {
        continuous_backups_enabled: true,
        pitr_enabled: window.is_some(),
        earliest_restorable: window.map(|w| w.0),
        latest_restorable: window.map(|w| w.1),
    }
}

/// DescribeTable, DeleteTable, Scan: "Requested resource not found".
fn resource_not_found(call: &Call, table: &str) -> CloudError {
    call.not_found(
        "ResourceNotFoundException",
        format!("Requested resource not found: Table: {table} not found"),
    )
}

/// The backup and PITR APIs name a missing table differently.
fn table_not_found(call: &Call, table: &str) -> CloudError {
    call.not_found(
        "TableNotFoundException",
        format!("Table not found: {table}"),
    )
}

pub(super) fn validate_table_name(call: &Call, field: &str, name: &str) -> CloudResult<()> {
    if valid_dynamodb_name(name) {
        return Ok(());
    }
    Err(call.invalid(
        "ValidationException",
        format!(
            "1 validation error detected: Value '{name}' at '{field}' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and \
             have length between 3 and 255"
        ),
    ))
}

/// `arn:aws:dynamodb:<region>:<account>:table/<name>` -> (region, name).
pub(super) fn parse_table_arn(arn: &str) -> Option<(String, String)> {
    let rest = arn.strip_prefix("arn:aws:dynamodb:")?;
    let (region, rest) = rest.split_once(':')?;
    let (_account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("table/")?;
    (!name.contains('/')).then(|| (region.to_owned(), name.to_owned()))
}

fn region_of_backup_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:aws:dynamodb:")?.split(':').next()
}

/// What a restore copies from its backup or source table.
struct RestoreSource {
    items: u64,
    size_bytes: u64,
    /// The table whose key schema and indexes the new table has.
    shape_of: String,
}

impl State {
    fn table(&self, region: &str, name: &str) -> Option<&Table> {
        self.tables.get(&(region.to_owned(), name.to_owned()))
    }

    /// A new table, CREATING until the restore completes.
    fn restore_into(
        &mut self,
        call: &Call,
        region: &str,
        target: &str,
        from: RestoreSource,
        now: DateTime<Utc>,
    ) -> CloudResult<TableInfo> {
        let RestoreSource {
            items,
            size_bytes,
            shape_of,
        } = from;
        if self.table(region, target).is_some() {
            return Err(call.invalid(
                "TableAlreadyExistsException",
                format!("Table already exists: {target}"),
            ));
        }
        let table = Table {
            name: target.to_owned(),
            region: region.to_owned(),
            arn: table_arn(region, target),
            status: TableStatus::Creating {
                ready_at: now + restore_takes(size_bytes),
            },
            items,
            size_bytes,
            created: now,
            // A restored table does not inherit point-in-time recovery, TTL, its stream
            // or tags; it keeps the key schema and indexes.
            pitr_since: None,
            replica_regions: Vec::new(),
            shape_of,
            ttl_attribute: None,
            stream_view_type: None,
            tags: Default::default(),
        };
        let info = table_info(&table);
        self.tables
            .insert((region.to_owned(), target.to_owned()), table);
        Ok(info)
    }
}

#[async_trait]
impl Backups for SimCloud {
    async fn list_tables(&self, region: &str) -> CloudResult<Vec<String>> {
        self.enter(SERVICE, "ListTables", Some(region), region)
            .await?;
        let state = self.state();
        Ok(state
            .tables
            .keys()
            .filter(|(r, _)| r == region)
            .map(|(_, name)| name.clone())
            .collect())
    }

    async fn describe_table(&self, region: &str, table: &str) -> CloudResult<TableInfo> {
        let call = self
            .enter(SERVICE, "DescribeTable", Some(region), table)
            .await?;
        // A global table's replicas are tables of their regions (State::sync_replicas).
        self.state()
            .table(region, table)
            .map(table_info)
            .ok_or_else(|| resource_not_found(&call, table))
    }

    async fn describe_continuous_backups(
        &self,
        region: &str,
        table: &str,
    ) -> CloudResult<ContinuousBackups> {
        let call = self
            .enter(SERVICE, "DescribeContinuousBackups", Some(region), table)
            .await?;
        let now = self.clock.now();
        let state = self.state();
        state
            .table(region, table)
            .map(|t| continuous(t, now))
            .ok_or_else(|| table_not_found(&call, table))
    }

    async fn list_backups(
        &self,
        region: &str,
        table: Option<&str>,
    ) -> CloudResult<Vec<BackupInfo>> {
        self.enter(
            SERVICE,
            "ListBackups",
            Some(region),
            table.unwrap_or(region),
        )
        .await?;
        let state = self.state();
        // Backups outlive their table, and a missing table simply has none: no error.
        let mut backups: Vec<BackupInfo> = state
            .backups
            .iter()
            .filter(|b| b.region == region && table.is_none_or(|t| b.table_name == t))
            .map(backup_info)
            .collect();
        backups.sort_by_key(|b| std::cmp::Reverse(b.created));
        Ok(backups)
    }

    async fn describe_table_schema(&self, region: &str, table: &str) -> CloudResult<TableSchema> {
        let call = self
            .enter(SERVICE, "DescribeTable", Some(region), table)
            .await?;
        let now = self.clock.now();
        let state = self.state();
        let t = state
            .table(region, table)
            .ok_or_else(|| table_not_found(&call, table))?;
        let (key_schema, attributes, global_indexes) = super::seed::table_shape(&t.shape_of);
        Ok(TableSchema {
            table: t.name.clone(),
            region: t.region.clone(),
            arn: t.arn.clone(),
            key_schema,
            attributes,
            global_indexes,
            local_indexes: Vec::new(),
            billing_mode: "PAY_PER_REQUEST".to_owned(),
            provisioned: None,
            ttl_attribute: t.ttl_attribute.clone(),
            stream_view_type: t.stream_view_type.clone(),
            pitr_enabled: t.restorable(now).is_some(),
            deletion_protection: false,
            tags: t.tags.clone(),
            read_at: now,
        })
    }

    async fn describe_import(&self, region: &str, import_arn: &str) -> CloudResult<ImportInfo> {
        let call = self
            .enter(SERVICE, "DescribeImport", Some(region), import_arn)
            .await?;
        self.read_import(&call, region, import_arn)
    }

    async fn describe_export(&self, region: &str, export_arn: &str) -> CloudResult<ExportInfo> {
        let call = self
            .enter(SERVICE, "DescribeExport", Some(region), export_arn)
            .await?;
        self.read_export(&call, region, export_arn)
    }

    async fn list_exports(&self, region: &str, table_arn: &str) -> CloudResult<Vec<ExportInfo>> {
        self.enter(SERVICE, "ListExports", Some(region), table_arn)
            .await?;
        Ok(self.read_exports(region, table_arn))
    }

    async fn describe_backup(&self, region: &str, backup_arn: &str) -> CloudResult<BackupInfo> {
        let call = self
            .enter(SERVICE, "DescribeBackup", Some(region), backup_arn)
            .await?;
        let state = self.state();
        state
            .backups
            .iter()
            .find(|b| b.arn == backup_arn && b.region == region)
            .map(backup_info)
            .ok_or_else(|| {
                call.not_found(
                    "BackupNotFoundException",
                    format!("Backup not found: {backup_arn}"),
                )
            })
    }

    async fn describe_backup_source(
        &self,
        region: &str,
        backup_arn: &str,
    ) -> CloudResult<BackupSource> {
        let call = self
            .enter(SERVICE, "DescribeBackup", Some(region), backup_arn)
            .await?;
        let state = self.state();
        let b = state
            .backups
            .iter()
            .find(|b| b.arn == backup_arn && b.region == region)
            .ok_or_else(|| {
                call.not_found(
                    "BackupNotFoundException",
                    format!("Backup not found: {backup_arn}"),
                )
            })?;
        let shape_of = state
            .table(region, &b.table_name)
            .map_or_else(|| b.table_name.clone(), |t| t.shape_of.clone());
        let (key_schema, _, global_indexes) = super::seed::table_shape(&shape_of);
        Ok(BackupSource {
            backup: backup_info(b),
            item_count: Some(b.items as i64),
            table_size_bytes: Some(b.size_bytes as i64),
            key_schema,
            indexes_recorded: true,
            global_indexes,
            local_indexes: Vec::new(),
        })
    }

    async fn wait_for_table(
        &self,
        region: &str,
        table: &str,
        until: TableCondition,
        timeout: StdDuration,
    ) -> CloudResult<()> {
        let pause = match self.latency {
            Latency::None => StdDuration::from_millis(50),
            Latency::Realistic => StdDuration::from_secs(1),
        };
        // Real time, not the simulated clock: a test may advance a fixed clock meanwhile.
        poll_table(self, region, table, until, timeout, pause).await
    }

    async fn count_items(&self, region: &str, table: &str, segments: u32) -> CloudResult<u64> {
        let call = self.enter(SERVICE, "Scan", Some(region), table).await?;
        if segments > 1_000_000 {
            return Err(call.invalid(
                "ValidationException",
                "1 validation error detected: Value at 'totalSegments' failed to satisfy \
                 constraint: Member must have value less than or equal to 1000000",
            ));
        }
        let state = self.state();
        match state.table(region, table) {
            // Only an ACTIVE table can be scanned.
            Some(t) if t.status == TableStatus::Active => Ok(t.items),
            _ => Err(call.not_found("ResourceNotFoundException", "Requested resource not found")),
        }
    }

    async fn count_items_with(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        progress: &(dyn Fn(crate::cloud::ScanProgress) + Send + Sync),
    ) -> CloudResult<crate::cloud::ScanCount> {
        let total = segments.max(1);
        let items = self.count_items(region, table, total).await?;
        // Segments split the items evenly, a page of DynamoDB's 1 MB per ~4,000 items.
        let mut pages = 0;
        for segment in 0..total {
            let share = items / total as u64 + u64::from((segment as u64) < items % total as u64);
            let page_count = share.div_ceil(SIM_ITEMS_PER_PAGE).max(1);
            pages += page_count;
            for page in 1..=page_count {
                progress(crate::cloud::ScanProgress {
                    segment,
                    segments: total,
                    segment_items: (page * SIM_ITEMS_PER_PAGE).min(share),
                });
            }
        }
        Ok(crate::cloud::ScanCount {
            items,
            segments: total,
            pages,
        })
    }

    async fn scan_items_with(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        visit: &(dyn for<'i> Fn(&'i crate::cloud::Item) + Send + Sync),
        progress: &(dyn Fn(crate::cloud::ScanProgress) + Send + Sync),
    ) -> CloudResult<crate::cloud::ScanCount> {
        let total = segments.max(1);
        let shape_of = {
            let call = self.enter(SERVICE, "Scan", Some(region), table).await?;
            let state = self.state();
            match state.table(region, table) {
                Some(t) if t.status == TableStatus::Active => t.shape_of.clone(),
                _ => {
                    return Err(
                        call.not_found("ResourceNotFoundException", "Requested resource not found")
                    );
                }
            }
        };
        // Segment s holds items s, s + total, ...: the count's split, item by item.
        self.count_items_with(region, table, total, &|p| progress(p))
            .await
            .inspect(|count| {
                for i in 0..count.items {
                    visit(&sim_item(&shape_of, i));
                }
            })
    }

    async fn sample_items(
        &self,
        region: &str,
        table: &str,
        n: usize,
    ) -> CloudResult<Vec<crate::cloud::Item>> {
        let call = self.enter(SERVICE, "Scan", Some(region), table).await?;
        let state = self.state();
        match state.table(region, table) {
            Some(t) if t.status == TableStatus::Active => Ok((0..t.items.min(n as u64))
                .map(|i| sim_item(&t.shape_of, i))
                .collect()),
            _ => Err(call.not_found("ResourceNotFoundException", "Requested resource not found")),
        }
    }

    async fn get_items(
        &self,
        region: &str,
        table: &str,
        keys: &[crate::cloud::Item],
    ) -> CloudResult<Vec<crate::cloud::Item>> {
        let call = self
            .enter(SERVICE, "BatchGetItem", Some(region), table)
            .await?;
        let state = self.state();
        let t = match state.table(region, table) {
            Some(t) if t.status == TableStatus::Active => t,
            _ => {
                return Err(
                    call.not_found("ResourceNotFoundException", "Requested resource not found")
                );
            }
        };
        Ok(keys
            .iter()
            .filter_map(|key| {
                let crate::cloud::AttrValue::S(pk) = key.get("pk")? else {
                    return None;
                };
                let (shape, index) = pk.rsplit_once('#')?;
                let index: u64 = index.parse().ok()?;
                (shape == t.shape_of && index < t.items).then(|| sim_item(&t.shape_of, index))
            })
            .collect())
    }
}

/// Items a simulated scan returns per page.
const SIM_ITEMS_PER_PAGE: u64 = 4_000;
/// 2026-11-01T00:00:00Z: the simulated records were written over the day after it.
const SIM_ITEMS_EPOCH: i64 = 1_793_491_200;

/// The simulation keeps counts, not items: item `i` of a table is made from the name of the
/// table it was first created as, so a restored table's items equal its source's.
fn sim_item(shape_of: &str, i: u64) -> crate::cloud::Item {
    use crate::cloud::AttrValue;
    [
        ("pk", AttrValue::S(format!("{shape_of}#{i:07}"))),
        ("sk", AttrValue::S("v1".to_owned())),
        // What the plan's validation rule asks of every record.
        ("flight_id", AttrValue::S(format!("FL{i:07}"))),
        (
            "timestamp",
            AttrValue::S(
                DateTime::<Utc>::from_timestamp(SIM_ITEMS_EPOCH + (i % 86_400) as i64, 0)
                    .unwrap_or_default()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        ),
        (
            "status",
            AttrValue::S(
                if i.is_multiple_of(7) {
                    "late"
                } else {
                    "on-time"
                }
                .to_owned(),
            ),
        ),
        ("altitude", AttrValue::N((30_000 + i % 9_000).to_string())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    pub(super) fn set_point_in_time_recovery(
        &self,
        call: &Call,
        region: &str,
        table: &str,
        enabled: bool,
    ) -> CloudResult<ContinuousBackups> {
        let now = self.clock.now();
        let mut state = self.state();
        let t = state
            .tables
            .get_mut(&(region.to_owned(), table.to_owned()))
            .ok_or_else(|| table_not_found(call, table))?;
        if let TableStatus::Creating { .. } = t.status {
            return Err(call.invalid(
                "ContinuousBackupsUnavailableException",
                format!("Backups are being enabled for the table: {table}. Please retry later"),
            ));
        }
        match (enabled, t.pitr_since) {
            (true, None) => t.pitr_since = Some(now),
            (false, Some(_)) => t.pitr_since = None,
            _ => {} // already as asked: AWS answers with the current state
        }
        Ok(continuous(t, now))
    }

    pub(super) fn create_backup(
        &self,
        call: &Call,
        region: &str,
        table: &str,
        name: &str,
    ) -> CloudResult<BackupInfo> {
        if !valid_dynamodb_name(name) {
            return Err(call.invalid(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{name}' at 'backupName' failed to \
                     satisfy constraint: Member must satisfy regular expression pattern: \
                     [a-zA-Z0-9_.-]+"
                ),
            ));
        }
        let now = self.clock.now();
        let mut state = self.state();
        let t = state
            .table(region, table)
            .ok_or_else(|| table_not_found(call, table))?;
        if t.status != TableStatus::Active {
            return Err(call.invalid(
                "TableInUseException",
                format!(
                    "Table is in use: {table} is {}",
                    t.status.as_str().to_lowercase()
                ),
            ));
        }
        let serial = state.next_serial().to_string();
        let t = state.table(region, table).expect("checked above");
        let backup = Backup {
            arn: backup_arn(region, table, now, &serial),
            name: name.to_owned(),
            region: region.to_owned(),
            table_name: table.to_owned(),
            created: now,
            status: "AVAILABLE",
            backup_type: "USER",
            size_bytes: t.size_bytes,
            items: t.items,
        };
        let info = backup_info(&backup);
        state.backups.push(backup);
        Ok(info)
    }

    pub(super) fn restore_from_backup(
        &self,
        call: &Call,
        region: &str,
        backup_arn: &str,
        target_table: &str,
    ) -> CloudResult<TableInfo> {
        validate_table_name(call, "targetTableName", target_table)?;
        let now = self.clock.now();
        let mut state = self.state();
        let backup = state
            .backups
            .iter()
            .find(|b| b.arn == backup_arn && region_of_backup_arn(&b.arn) == Some(region))
            .cloned()
            .ok_or_else(|| {
                call.not_found(
                    "BackupNotFoundException",
                    format!("Backup not found: {backup_arn}"),
                )
            })?;
        if backup.status != "AVAILABLE" {
            return Err(call.invalid(
                "BackupInUseException",
                format!("Backup is in use: {backup_arn}"),
            ));
        }
        // The backup keeps its table's shape; a restore of a restore keeps the original's.
        let shape_of = state
            .table(region, &backup.table_name)
            .map_or_else(|| backup.table_name.clone(), |t| t.shape_of.clone());
        // The fault: a restore that comes back short of what its backup recorded.
        let items = if state.faults.contains(&super::Fault::ShortRestore) {
            backup.items - (backup.items / 10).max(1).min(backup.items)
        } else {
            backup.items
        };
        state.restore_into(
            call,
            region,
            target_table,
            RestoreSource {
                items,
                size_bytes: backup.size_bytes,
                shape_of,
            },
            now,
        )
    }

    pub(super) fn restore_to_point_in_time(
        &self,
        call: &Call,
        region: &str,
        source: &str,
        target_table: &str,
        point: RestorePoint,
    ) -> CloudResult<TableInfo> {
        validate_table_name(call, "targetTableName", target_table)?;
        let (source_region, source_name) = match parse_table_arn(source) {
            Some(parsed) => parsed,
            None if source.starts_with("arn:") => return Err(table_not_found(call, source)),
            None => (region.to_owned(), source.to_owned()),
        };
        let now = self.clock.now();
        let mut state = self.state();
        // A cross-region restore reads the source region: it fails while that region is out.
        if state.is_down(&source_region) {
            return Err(call.unreachable(&source_region));
        }
        let t = state
            .table(&source_region, &source_name)
            .ok_or_else(|| table_not_found(call, source))?;
        let Some((earliest, latest)) = t.restorable(now) else {
            return Err(call.invalid(
                "PointInTimeRecoveryUnavailableException",
                format!("Point in time recovery is not enabled for table '{source_name}'"),
            ));
        };
        if let RestorePoint::At(at) = point
            && (at < earliest || at > latest)
        {
            return Err(call.invalid(
                "InvalidRestoreTimeException",
                format!(
                    "Invalid restore time {}: RestoreDateTime must be between \
                     EarliestRestorableDateTime ({}) and LatestRestorableDateTime ({})",
                    aws_time(at),
                    aws_time(earliest),
                    aws_time(latest)
                ),
            ));
        }
        let from = RestoreSource {
            items: t.items,
            size_bytes: t.size_bytes,
            shape_of: t.shape_of.clone(),
        };
        state.restore_into(call, region, target_table, from, now)
    }

    pub(super) fn export_to_s3(
        &self,
        call: &Call,
        region: &str,
        request: &ExportRequest,
    ) -> CloudResult<ExportInfo> {
        let now = self.clock.now();
        let mut state = self.state();
        let table = parse_table_arn(&request.table_arn)
            .filter(|(r, _)| r == region)
            .and_then(|(r, name)| state.table(&r, &name))
            .cloned()
            .ok_or_else(|| table_not_found(call, &request.table_arn))?;
        let Some((earliest, latest)) = table.restorable(now) else {
            return Err(call.invalid(
                "PointInTimeRecoveryUnavailableException",
                format!(
                    "Point in time recovery is not enabled for table '{}'",
                    table.name
                ),
            ));
        };
        if let Some(at) = request.at
            && (at < earliest || at > now)
        {
            return Err(call.invalid(
                "InvalidExportTimeException",
                format!(
                    "Export time {} is outside the point-in-time recovery window ({} to {})",
                    aws_time(at),
                    aws_time(earliest),
                    aws_time(latest.max(now))
                ),
            ));
        }
        let serial = state.next_serial().to_string();
        let id = aws_id(now, &[&table.name, "export", &serial]);
        let prefix = match request.prefix.as_str() {
            "" => String::new(),
            p if p.ends_with('/') => p.to_owned(),
            p => format!("{p}/"),
        };
        let export_time = request.at.unwrap_or(now);
        state.exports.push(Export {
            id: id.clone(),
            table_arn: table.arn.clone(),
            export_time,
            bucket: request.bucket.clone(),
            prefix,
            items: table.items,
            size_bytes: table.size_bytes,
            done_at: now + EXPORT_TAKES,
            status: "IN_PROGRESS",
        });
        Ok(ExportInfo {
            arn: format!("{}/export/{id}", table.arn),
            status: "IN_PROGRESS".to_owned(),
            bucket: Some(request.bucket.clone()),
            prefix: Some(request.prefix.clone()),
            export_time: Some(export_time),
            items: None,
            failure: None,
        })
    }

    /// The backup goes at once (AWS: DELETED, then gone); an unknown one is not found.
    pub(super) fn delete_backup(
        &self,
        call: &Call,
        region: &str,
        backup_arn: &str,
    ) -> CloudResult<()> {
        let mut state = self.state();
        let before = state.backups.len();
        state
            .backups
            .retain(|b| !(b.arn == backup_arn && region_of_backup_arn(&b.arn) == Some(region)));
        if state.backups.len() == before {
            return Err(call.not_found(
                "BackupNotFoundException",
                format!("Backup not found: {backup_arn}"),
            ));
        }
        Ok(())
    }

    pub(super) fn delete_table(
        &self,
        call: &Call,
        region: &str,
        table: &str,
    ) -> CloudResult<TableInfo> {
        let now = self.clock.now();
        let mut state = self.state();
        let t = state
            .tables
            .get_mut(&(region.to_owned(), table.to_owned()))
            .ok_or_else(|| resource_not_found(call, table))?;
        let busy = match t.status {
            TableStatus::Creating { .. } => "being created",
            TableStatus::Deleting { .. } => "being deleted",
            TableStatus::Active => {
                t.status = TableStatus::Deleting {
                    gone_at: now + DELETE_TAKES,
                };
                let info = table_info(t);
                // DynamoDB keeps a SYSTEM backup of a deleted table that had PITR on: the
                // one thing left to restore it from.
                if t.pitr_since.is_some() {
                    let (items, size_bytes) = (t.items, t.size_bytes);
                    let serial = state.next_serial().to_string();
                    state.backups.push(Backup {
                        arn: backup_arn(region, table, now, &serial),
                        name: format!("{table}$DeletedTableBackup"),
                        region: region.to_owned(),
                        table_name: table.to_owned(),
                        created: now,
                        status: "AVAILABLE",
                        backup_type: "SYSTEM",
                        size_bytes,
                        items,
                    });
                }
                return Ok(info);
            }
        };
        Err(call.invalid(
            "ResourceInUseException",
            format!("Attempt to change a resource which is still in use: Table is {busy}: {table}"),
        ))
    }
}

/// Re-protection writes: TTL, the stream, tags, as a restored table needs them back.
impl SimCloud {
    /// The table a re-protection write changes, ACTIVE (AWS refuses a table still being
    /// created or deleted).
    fn active_table_mut<'a>(
        state: &'a mut State,
        call: &Call,
        region: &str,
        table: &str,
    ) -> CloudResult<&'a mut Table> {
        let t = state
            .tables
            .get_mut(&(region.to_owned(), table.to_owned()))
            .ok_or_else(|| resource_not_found(call, table))?;
        if t.status != TableStatus::Active {
            return Err(call.invalid(
                "ResourceInUseException",
                format!(
                    "Attempt to change a resource which is still in use: Table is {}: {table}",
                    t.status.as_str().to_lowercase()
                ),
            ));
        }
        Ok(t)
    }

    pub(super) fn update_time_to_live(
        &self,
        call: &Call,
        region: &str,
        table: &str,
        attribute: &str,
        enabled: bool,
    ) -> CloudResult<()> {
        let mut state = self.state();
        let t = Self::active_table_mut(&mut state, call, region, table)?;
        match (&t.ttl_attribute, enabled) {
            (Some(_), true) | (None, false) => Err(call.invalid(
                "ValidationException",
                format!(
                    "TimeToLive is already {}",
                    if enabled { "enabled" } else { "disabled" }
                ),
            )),
            (_, true) => {
                t.ttl_attribute = Some(attribute.to_owned());
                Ok(())
            }
            (_, false) => {
                t.ttl_attribute = None;
                Ok(())
            }
        }
    }

    pub(super) fn update_table_stream(
        &self,
        call: &Call,
        region: &str,
        table: &str,
        view_type: Option<&str>,
    ) -> CloudResult<TableInfo> {
        let mut state = self.state();
        let t = Self::active_table_mut(&mut state, call, region, table)?;
        if t.stream_view_type.is_some() && view_type.is_some() {
            return Err(call.invalid(
                "ValidationException",
                format!("Table already has an enabled stream: {table}"),
            ));
        }
        t.stream_view_type = view_type.map(str::to_owned);
        Ok(table_info(t))
    }

    pub(super) fn tag_table(
        &self,
        call: &Call,
        region: &str,
        table_arn: &str,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> CloudResult<()> {
        let (arn_region, table) = parse_table_arn(table_arn)
            .filter(|(r, _)| r == region)
            .ok_or_else(|| {
                call.not_found(
                    "ResourceNotFoundException",
                    format!("Requested resource not found: ResourcArn: {table_arn} not found"),
                )
            })?;
        let mut state = self.state();
        let t = Self::active_table_mut(&mut state, call, &arn_region, &table)?;
        t.tags
            .extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(())
    }
}
