//! The write port: one dispatch from a [`WriteRequest`] to the call that makes it, with the
//! request id AWS would give it, and the faults a write repairs switched off.

use async_trait::async_trait;

use super::{Call, SimCloud, fault};
use crate::cloud::CloudResult;
use crate::cloud::writes::{Authority, Sent, WriteOutput, WriteRequest, Writes};

#[async_trait]
impl Writes for SimCloud {
    /// Every write enters as one call: a region outage refuses it as it refuses reads, and
    /// its answer, or its error, carries the call's request id.
    async fn send(&self, request: &WriteRequest, _authority: &Authority) -> CloudResult<Sent> {
        let call = self
            .enter(
                request.service(),
                request.operation(),
                request.region(),
                &request.target(),
            )
            .await?;
        let output = self.dispatch(&call, request)?;
        let now = self.clock.now();
        let mut state = self.state();
        // A fault the write repaired is over: the demo's fault list stops showing it.
        let repaired: Vec<_> = state
            .faults
            .iter()
            .copied()
            .filter(|f| !fault::holds(&state, *f, now))
            .collect();
        for f in repaired {
            state.faults.remove(&f);
        }
        Ok(Sent::new(Some(call.request_id()), output))
    }
}

impl SimCloud {
    fn dispatch(&self, call: &Call, request: &WriteRequest) -> CloudResult<WriteOutput> {
        use WriteRequest::*;
        Ok(match request {
            UpdateContinuousBackups {
                region,
                table,
                pitr,
            } => WriteOutput::ContinuousBackups(
                self.set_point_in_time_recovery(call, region, table, *pitr)?,
            ),
            CreateBackup {
                region,
                table,
                backup_name,
            } => WriteOutput::Backup(self.create_backup(call, region, table, backup_name)?),
            RestoreTableFromBackup {
                region,
                backup_arn,
                target_table,
            } => WriteOutput::Table(self.restore_from_backup(
                call,
                region,
                backup_arn,
                target_table,
            )?),
            RestoreTableToPointInTime {
                region,
                source,
                target_table,
                point,
            } => WriteOutput::Table(self.restore_to_point_in_time(
                call,
                region,
                source,
                target_table,
                *point,
            )?),
            ExportTableToPointInTime { region, export } => {
                WriteOutput::Export(self.export_to_s3(call, region, export)?)
            }
            DeleteTable { region, table } => {
                WriteOutput::Table(self.delete_table(call, region, table)?)
            }
            DeleteBackup { region, backup_arn } => {
                self.delete_backup(call, region, backup_arn)?;
                WriteOutput::Nothing
            }
            DeleteFunction { region, function } => {
                self.delete_function(call, region, function)?;
                WriteOutput::Nothing
            }
            CreateBucket { region, bucket } => {
                self.create_bucket(call, region, bucket)?;
                WriteOutput::Nothing
            }
            PutBucketVersioning {
                region,
                bucket,
                enabled,
            } => {
                self.set_versioning(call, region, bucket, *enabled)?;
                WriteOutput::Nothing
            }
            PutBucketReplication {
                region,
                bucket,
                configuration,
            } => {
                self.put_replication(call, region, bucket, configuration)?;
                WriteOutput::Nothing
            }
            DeleteBucketReplication { region, bucket } => {
                self.delete_replication(call, region, bucket)?;
                WriteOutput::Nothing
            }
            PutObject {
                region,
                bucket,
                key,
                body,
            } => {
                self.put_object(call, region, bucket, key, body)?;
                WriteOutput::Nothing
            }
            DeleteObjects {
                region,
                bucket,
                keys,
            } => {
                self.delete_objects(call, region, bucket, keys)?;
                WriteOutput::Nothing
            }
            CopyObjects { from, to, prefix } => {
                WriteOutput::Copy(self.copy_objects(call, from, to, prefix.as_deref())?)
            }
            PutFunctionConcurrency {
                region,
                function,
                reserved,
            } => WriteOutput::Concurrency(self.put_concurrency(call, region, function, *reserved)?),
            DeleteFunctionConcurrency { region, function } => {
                self.delete_concurrency(call, region, function)?;
                WriteOutput::Nothing
            }
            UpdateEventSourceMapping {
                region,
                uuid,
                enabled,
                ..
            } => WriteOutput::Mapping(self.update_mapping(call, region, uuid, *enabled)?),
            ChangeResourceRecordSets {
                zone_id,
                changes,
                comment,
            } => WriteOutput::Change(self.change_record_sets(call, zone_id, changes, comment)?),
            SetAlarmState {
                region,
                alarm,
                state,
                reason,
            } => {
                self.set_alarm_state(call, region, alarm, *state, reason)?;
                WriteOutput::Nothing
            }
            UpdateHealthCheck {
                health_check_id,
                inverted,
                disabled,
            } => WriteOutput::HealthCheck {
                config: self.update_health_check(call, health_check_id, *inverted, *disabled)?,
                at: self.clock.now(),
            },
            UpdateStack {
                region,
                stack,
                parameters,
            } => match self.update_stack(call, region, stack, parameters) {
                Ok(id) => WriteOutput::Stack(id),
                // As the AWS adapter does: the stack is already as asked.
                Err(e) if e.message.contains("No updates are to be performed") => {
                    WriteOutput::Nothing
                }
                Err(e) => return Err(e),
            },
            CreateStack {
                region,
                stack,
                template,
                parameters,
                capabilities,
            } => WriteOutput::Stack(self.create_stack(
                call,
                region,
                stack,
                template,
                parameters,
                capabilities,
            )?),
            DeleteStack { region, stack } => {
                self.delete_stack(call, region, stack)?;
                WriteOutput::Nothing
            }
            CreateFunction { region, spec, code } => {
                WriteOutput::Function(Box::new(self.create_function(call, region, spec, code)?))
            }
            UpdateFunctionCode {
                region,
                function,
                code,
                architectures,
            } => WriteOutput::Function(Box::new(self.update_function_code(
                call,
                region,
                function,
                code,
                architectures.as_deref(),
            )?)),
            UpdateFunctionConfiguration { region, spec } => WriteOutput::Function(Box::new(
                self.update_function_configuration(call, region, spec)?,
            )),
            ImportTable { region, import } => {
                WriteOutput::Import(self.import_table(call, region, import)?)
            }
            UpdateTimeToLive {
                region,
                table,
                attribute,
                enabled,
            } => {
                self.update_time_to_live(call, region, table, attribute, *enabled)?;
                WriteOutput::Nothing
            }
            UpdateTableStream {
                region,
                table,
                view_type,
            } => WriteOutput::Table(self.update_table_stream(
                call,
                region,
                table,
                view_type.as_deref(),
            )?),
            TagTable {
                region,
                table_arn,
                tags,
            } => {
                self.tag_table(call, region, table_arn, tags)?;
                WriteOutput::Nothing
            }
            CopyObjectBatch {
                from, to, objects, ..
            } => WriteOutput::Copy(self.copy_object_batch(call, from, to, objects)?),
            RestoreObjects {
                region,
                bucket,
                keys,
                ..
            } => {
                self.restore_objects(call, region, bucket, keys)?;
                WriteOutput::Nothing
            }
        })
    }
}
