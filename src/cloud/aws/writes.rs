//! The write port: one dispatch from a [`WriteRequest`] to the call that makes it.

use async_trait::async_trait;

use super::AwsCloud;
use crate::cloud::writes::{Authority, Sent, WriteOutput, WriteRequest, Writes};
use crate::cloud::{CloudError, CloudResult, ErrorKind};

#[async_trait]
impl Writes for AwsCloud {
    async fn send(&self, request: &WriteRequest, _authority: &Authority) -> CloudResult<Sent> {
        use WriteRequest::*;
        let output = match request {
            UpdateContinuousBackups {
                region,
                table,
                pitr,
            } => WriteOutput::ContinuousBackups(
                self.set_point_in_time_recovery(region, table, *pitr)
                    .await?,
            ),
            CreateBackup {
                region,
                table,
                backup_name,
            } => WriteOutput::Backup(self.create_backup(region, table, backup_name).await?),
            RestoreTableFromBackup {
                region,
                backup_arn,
                target_table,
            } => WriteOutput::Table(
                self.restore_from_backup(region, backup_arn, target_table)
                    .await?,
            ),
            RestoreTableToPointInTime {
                region,
                source,
                target_table,
                point,
            } => WriteOutput::Table(
                self.restore_to_point_in_time(region, source, target_table, *point)
                    .await?,
            ),
            ExportTableToPointInTime { region, export } => {
                WriteOutput::Export(self.export_to_s3(region, export).await?)
            }
            DeleteTable { region, table } => {
                WriteOutput::Table(self.delete_table(region, table).await?)
            }
            PutBucketVersioning {
                region,
                bucket,
                enabled,
            } => {
                self.set_versioning(region, bucket, *enabled).await?;
                WriteOutput::Nothing
            }
            CopyObjects { from, to, prefix } => {
                WriteOutput::Copy(self.copy_objects(from, to, prefix.as_deref()).await?)
            }
            PutFunctionConcurrency {
                region,
                function,
                reserved,
            } => WriteOutput::Concurrency(self.put_concurrency(region, function, *reserved).await?),
            DeleteFunctionConcurrency { region, function } => {
                self.delete_concurrency(region, function).await?;
                WriteOutput::Nothing
            }
            ChangeResourceRecordSets {
                zone_id,
                changes,
                comment,
            } => WriteOutput::Change(self.change_record_sets(zone_id, changes, comment).await?),
            CreateBucket { .. }
            | PutBucketReplication { .. }
            | DeleteBucketReplication { .. }
            | PutObject { .. }
            | UpdateEventSourceMapping { .. }
            | SetAlarmState { .. } => {
                return Err(CloudError::new(
                    request.service(),
                    request.operation(),
                    ErrorKind::Client,
                    "not implemented yet",
                ));
            }
        };
        Ok(Sent::new(None, output))
    }
}
