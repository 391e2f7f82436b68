//! DynamoDB: tables, PITR, on-demand backups, restores, exports, item counts.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    BackupDetails, BackupTypeFilter, PointInTimeRecoverySpecification, Select, TableDescription,
};
use futures::future::try_join_all;

use super::{AwsCloud, cloud_error, missing, request_id, to_chrono, to_smithy};
use crate::cloud::{
    BackupInfo, BackupSource, Backups, CloudError, CloudResult, ContinuousBackups, ErrorKind,
    ExportInfo, ExportRequest, ImportInfo, RestorePoint, Sent, TableCondition, TableInfo,
    TableReplica, TableSchema, WriteOutput, poll_table,
};

const SERVICE: &str = "dynamodb";

fn table_info(op: &'static str, table: Option<&TableDescription>) -> CloudResult<TableInfo> {
    let t = table.ok_or_else(|| missing(SERVICE, op, "TableDescription"))?;
    Ok(TableInfo {
        name: t.table_name().unwrap_or_default().to_owned(),
        arn: t.table_arn().unwrap_or_default().to_owned(),
        status: t
            .table_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        item_count: t.item_count(),
        size_bytes: t.table_size_bytes(),
        created: t.creation_date_time().and_then(to_chrono),
        replicas: t
            .replicas()
            .iter()
            .filter_map(|r| {
                Some(TableReplica {
                    region: r.region_name()?.to_owned(),
                    status: r.replica_status().map(|s| s.as_str().to_owned()),
                })
            })
            .collect(),
    })
}

pub(super) fn backup_info(
    op: &'static str,
    d: &BackupDetails,
    table_name: &str,
) -> CloudResult<BackupInfo> {
    Ok(BackupInfo {
        arn: d.backup_arn().to_owned(),
        name: d.backup_name().to_owned(),
        table_name: table_name.to_owned(),
        created: to_chrono(d.backup_creation_date_time())
            .ok_or_else(|| missing(SERVICE, op, "BackupCreationDateTime"))?,
        status: d.backup_status().as_str().to_owned(),
        backup_type: d.backup_type().as_str().to_owned(),
        size_bytes: d.backup_size_bytes(),
    })
}

#[async_trait]
impl Backups for AwsCloud {
    async fn list_tables(&self, region: &str) -> CloudResult<Vec<String>> {
        self.dynamodb(region)
            .list_tables()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| cloud_error(SERVICE, "ListTables", e))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn describe_table(&self, region: &str, table: &str) -> CloudResult<TableInfo> {
        let out = self
            .dynamodb(region)
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DescribeTable", e))?;
        table_info("DescribeTable", out.table())
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn describe_continuous_backups(
        &self,
        region: &str,
        table: &str,
    ) -> CloudResult<ContinuousBackups> {
        let out = self
            .dynamodb(region)
            .describe_continuous_backups()
            .table_name(table)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DescribeContinuousBackups", e))?;
        continuous(
            "DescribeContinuousBackups",
            out.continuous_backups_description(),
        )
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table.unwrap_or("*")))]
    async fn list_backups(
        &self,
        region: &str,
        table: Option<&str>,
    ) -> CloudResult<Vec<BackupInfo>> {
        const OP: &str = "ListBackups";
        let client = self.dynamodb(region);
        let mut backups = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let out = client
                .list_backups()
                .set_table_name(table.map(str::to_owned))
                // The default is USER only: the SYSTEM backup DynamoDB keeps of a deleted
                // table, and AWS Backup's, are exactly the ones a restore may need.
                .backup_type(BackupTypeFilter::All)
                .set_exclusive_start_backup_arn(start.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, OP, e))?;
            for s in out.backup_summaries() {
                let Some(created) = s.backup_creation_date_time().and_then(to_chrono) else {
                    return Err(missing(SERVICE, OP, "BackupCreationDateTime"));
                };
                backups.push(BackupInfo {
                    arn: s.backup_arn().unwrap_or_default().to_owned(),
                    name: s.backup_name().unwrap_or_default().to_owned(),
                    table_name: s.table_name().unwrap_or_default().to_owned(),
                    created,
                    status: s
                        .backup_status()
                        .map(|v| v.as_str().to_owned())
                        .unwrap_or_default(),
                    backup_type: s
                        .backup_type()
                        .map(|v| v.as_str().to_owned())
                        .unwrap_or_default(),
                    size_bytes: s.backup_size_bytes(),
                });
            }
            match out.last_evaluated_backup_arn() {
                // A page that names the last one we already have would loop forever.
                Some(arn) if !arn.is_empty() && !out.backup_summaries().is_empty() => {
                    start = Some(arn.to_owned())
                }
                _ => break,
            }
        }
        backups.sort_by_key(|b| std::cmp::Reverse(b.created));
        Ok(backups)
    }

    async fn describe_table_schema(&self, region: &str, table: &str) -> CloudResult<TableSchema> {
        self.read_table_schema(region, table).await
    }

    async fn describe_import(&self, region: &str, import_arn: &str) -> CloudResult<ImportInfo> {
        self.read_import(region, import_arn).await
    }

    async fn describe_export(&self, region: &str, export_arn: &str) -> CloudResult<ExportInfo> {
        self.read_export(region, export_arn).await
    }

    async fn list_exports(&self, region: &str, table_arn: &str) -> CloudResult<Vec<ExportInfo>> {
        self.read_exports(region, table_arn).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = backup_arn))]
    async fn describe_backup(&self, region: &str, backup_arn: &str) -> CloudResult<BackupInfo> {
        // One DescribeBackup reader: the backup is the part of its answer this call wants.
        self.read_backup_source(region, backup_arn)
            .await
            .map(|source| source.backup)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = backup_arn))]
    async fn describe_backup_source(
        &self,
        region: &str,
        backup_arn: &str,
    ) -> CloudResult<BackupSource> {
        self.read_backup_source(region, backup_arn).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn wait_for_table(
        &self,
        region: &str,
        table: &str,
        until: TableCondition,
        timeout: Duration,
    ) -> CloudResult<()> {
        poll_table(
            self,
            region,
            table,
            until,
            timeout,
            self.options.poll_interval,
        )
        .await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn count_items(&self, region: &str, table: &str, segments: u32) -> CloudResult<u64> {
        let client = self.dynamodb(region);
        let total = segments.max(1) as i32;
        let counts = try_join_all((0..total).map(|segment| {
            let client = client.clone();
            async move {
                let mut count = 0u64;
                let mut start = None;
                loop {
                    let out = client
                        .scan()
                        .table_name(table)
                        .select(Select::Count)
                        .segment(segment)
                        .total_segments(total)
                        .set_exclusive_start_key(start.take())
                        .send()
                        .await
                        .map_err(|e| cloud_error(SERVICE, "Scan", e))?;
                    count += out.count().max(0) as u64;
                    match out.last_evaluated_key() {
                        Some(key) if !key.is_empty() => start = Some(key.clone()),
                        _ => return Ok::<u64, CloudError>(count),
                    }
                }
            }
        }))
        .await?;
        Ok(counts.into_iter().sum())
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn count_items_with(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        progress: &(dyn Fn(crate::cloud::ScanProgress) + Send + Sync),
    ) -> CloudResult<crate::cloud::ScanCount> {
        self.count_items_progress(region, table, segments, progress)
            .await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn scan_items_with(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        visit: &(dyn for<'i> Fn(&'i crate::cloud::Item) + Send + Sync),
        progress: &(dyn Fn(crate::cloud::ScanProgress) + Send + Sync),
    ) -> CloudResult<crate::cloud::ScanCount> {
        self.scan_items_progress(region, table, segments, visit, progress)
            .await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn sample_items(
        &self,
        region: &str,
        table: &str,
        n: usize,
    ) -> CloudResult<Vec<crate::cloud::Item>> {
        self.sample_table_items(region, table, n).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    async fn get_items(
        &self,
        region: &str,
        table: &str,
        keys: &[crate::cloud::Item],
    ) -> CloudResult<Vec<crate::cloud::Item>> {
        self.get_table_items(region, table, keys).await
    }
}

fn continuous(
    op: &'static str,
    desc: Option<&aws_sdk_dynamodb::types::ContinuousBackupsDescription>,
) -> CloudResult<ContinuousBackups> {
    let d = desc.ok_or_else(|| missing(SERVICE, op, "ContinuousBackupsDescription"))?;
    let pitr = d.point_in_time_recovery_description();
    Ok(ContinuousBackups {
        continuous_backups_enabled: d.continuous_backups_status().as_str() == "ENABLED",
        pitr_enabled: pitr
            .and_then(|p| p.point_in_time_recovery_status())
            .is_some_and(|s| s.as_str() == "ENABLED"),
        earliest_restorable: pitr
            .and_then(|p| p.earliest_restorable_date_time())
            .and_then(to_chrono),
        latest_restorable: pitr
            .and_then(|p| p.latest_restorable_date_time())
            .and_then(to_chrono),
    })
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    pub(crate) async fn set_point_in_time_recovery(
        &self,
        region: &str,
        table: &str,
        enabled: bool,
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateContinuousBackups";
        let spec = PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(enabled)
            .build()
            .map_err(|e| CloudError::new(SERVICE, OP, ErrorKind::Client, e.to_string()))?;
        let out = self
            .dynamodb_write(region)
            .update_continuous_backups()
            .table_name(table)
            .point_in_time_recovery_specification(spec)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::ContinuousBackups(continuous(OP, out.continuous_backups_description())?),
        ))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    pub(crate) async fn create_backup(
        &self,
        region: &str,
        table: &str,
        name: &str,
    ) -> CloudResult<Sent> {
        let out = self
            .dynamodb_write(region)
            .create_backup()
            .table_name(table)
            .backup_name(name)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "CreateBackup", e))?;
        let details = out
            .backup_details()
            .ok_or_else(|| missing(SERVICE, "CreateBackup", "BackupDetails"))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Backup(backup_info("CreateBackup", details, table)?),
        ))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = target_table))]
    pub(crate) async fn restore_from_backup(
        &self,
        region: &str,
        backup_arn: &str,
        target_table: &str,
    ) -> CloudResult<Sent> {
        const OP: &str = "RestoreTableFromBackup";
        let out = self
            .dynamodb_write(region)
            .restore_table_from_backup()
            .backup_arn(backup_arn)
            .target_table_name(target_table)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Table(table_info(OP, out.table_description())?),
        ))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = target_table, source = source))]
    pub(crate) async fn restore_to_point_in_time(
        &self,
        region: &str,
        source: &str,
        target_table: &str,
        point: RestorePoint,
    ) -> CloudResult<Sent> {
        const OP: &str = "RestoreTableToPointInTime";
        let mut req = self
            .dynamodb_write(region)
            .restore_table_to_point_in_time()
            .target_table_name(target_table);
        req = if source.starts_with("arn:") {
            req.source_table_arn(source)
        } else {
            req.source_table_name(source)
        };
        req = match point {
            RestorePoint::Latest => req.use_latest_restorable_time(true),
            RestorePoint::At(at) => req.restore_date_time(to_smithy(at)),
        };
        let out = req.send().await.map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Table(table_info(OP, out.table_description())?),
        ))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = request.table_arn.as_str(), bucket = request.bucket.as_str()))]
    pub(crate) async fn export_to_s3(
        &self,
        region: &str,
        request: &ExportRequest,
    ) -> CloudResult<Sent> {
        const OP: &str = "ExportTableToPointInTime";
        let out = self
            .dynamodb_write(region)
            .export_table_to_point_in_time()
            .table_arn(&request.table_arn)
            .s3_bucket(&request.bucket)
            .s3_prefix(&request.prefix)
            .set_export_time(request.at.map(to_smithy))
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        let d = out
            .export_description()
            .ok_or_else(|| missing(SERVICE, OP, "ExportDescription"))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Export(super::dynamodb_import::export_info(d)),
        ))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    pub(crate) async fn delete_table(&self, region: &str, table: &str) -> CloudResult<Sent> {
        let out = self
            .dynamodb_write(region)
            .delete_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DeleteTable", e))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Table(table_info("DeleteTable", out.table_description())?),
        ))
    }
}
