//! The write port: one dispatch from a [`WriteRequest`] to the call that makes it. Each call
//! answers with the request id AWS gave it.

use async_trait::async_trait;

use super::AwsCloud;
use crate::cloud::CloudResult;
use crate::cloud::writes::{Authority, Sent, WriteRequest, Writes};

#[async_trait]
impl Writes for AwsCloud {
    async fn send(&self, request: &WriteRequest, _authority: &Authority) -> CloudResult<Sent> {
        use WriteRequest::*;
        match request {
            UpdateContinuousBackups {
                region,
                table,
                pitr,
            } => self.set_point_in_time_recovery(region, table, *pitr).await,
            CreateBackup {
                region,
                table,
                backup_name,
            } => self.create_backup(region, table, backup_name).await,
            RestoreTableFromBackup {
                region,
                backup_arn,
                target_table,
            } => {
                self.restore_from_backup(region, backup_arn, target_table)
                    .await
            }
            RestoreTableToPointInTime {
                region,
                source,
                target_table,
                point,
            } => {
                self.restore_to_point_in_time(region, source, target_table, *point)
                    .await
            }
            ExportTableToPointInTime { region, export } => self.export_to_s3(region, export).await,
            DeleteTable { region, table } => self.delete_table(region, table).await,
            DeleteBackup { region, backup_arn } => self.delete_backup(region, backup_arn).await,
            DeleteFunction { region, function } => self.delete_function(region, function).await,
            CreateBucket { region, bucket } => self.create_bucket(region, bucket).await,
            PutBucketVersioning {
                region,
                bucket,
                enabled,
            } => self.set_versioning(region, bucket, *enabled).await,
            PutBucketReplication {
                region,
                bucket,
                configuration,
            } => self.put_replication(region, bucket, configuration).await,
            DeleteBucketReplication { region, bucket } => {
                self.delete_replication(region, bucket).await
            }
            PutObject {
                region,
                bucket,
                key,
                body,
            } => self.put_object(region, bucket, key, body).await,
            DeleteObjects {
                region,
                bucket,
                keys,
            } => self.delete_objects(region, bucket, keys).await,
            CopyObjects { from, to, prefix } => {
                self.copy_objects(from, to, prefix.as_deref()).await
            }
            PutFunctionConcurrency {
                region,
                function,
                reserved,
            } => self.put_concurrency(region, function, *reserved).await,
            DeleteFunctionConcurrency { region, function } => {
                self.delete_concurrency(region, function).await
            }
            UpdateEventSourceMapping {
                region,
                uuid,
                function,
                enabled,
            } => {
                self.update_event_source_mapping(region, uuid, function, *enabled)
                    .await
            }
            ChangeResourceRecordSets {
                zone_id,
                changes,
                comment,
            } => self.change_record_sets(zone_id, changes, comment).await,
            SetAlarmState {
                region,
                alarm,
                state,
                reason,
            } => self.set_alarm_state(region, alarm, *state, reason).await,
            UpdateHealthCheck {
                health_check_id,
                inverted,
                disabled,
            } => {
                self.update_health_check(health_check_id, *inverted, *disabled)
                    .await
            }
            UpdateStack {
                region,
                stack,
                parameters,
            } => self.update_stack(region, stack, parameters).await,
            CreateStack {
                region,
                stack,
                template,
                parameters,
                capabilities,
            } => {
                self.create_stack(region, stack, template, parameters, capabilities)
                    .await
            }
            DeleteStack { region, stack } => self.delete_stack(region, stack).await,
            CreateFunction { region, spec, code } => self.create_function(region, spec, code).await,
            UpdateFunctionCode {
                region,
                function,
                code,
                architectures,
            } => {
                self.update_function_code(region, function, code, architectures.as_deref())
                    .await
            }
            UpdateFunctionConfiguration { region, spec } => {
                self.update_function_configuration(region, spec).await
            }
            ImportTable { region, import } => self.import_table(region, import).await,
            UpdateTimeToLive {
                region,
                table,
                attribute,
                enabled,
            } => {
                self.update_time_to_live(region, table, attribute, *enabled)
                    .await
            }
            UpdateTableStream {
                region,
                table,
                view_type,
            } => {
                self.update_table_stream(region, table, view_type.as_deref())
                    .await
            }
            TagTable {
                region,
                table_arn,
                tags,
            } => self.tag_table(region, table_arn, tags).await,
            CopyObjectBatch {
                from,
                to,
                objects,
                multipart_above,
                part_size,
            } => {
                self.copy_object_batch(from, to, objects, *multipart_above, *part_size)
                    .await
            }
            RestoreObjects {
                region,
                bucket,
                keys,
                days,
                tier,
            } => {
                self.restore_objects(region, bucket, keys, *days, tier)
                    .await
            }
        }
    }
}
