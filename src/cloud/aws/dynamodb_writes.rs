//! DynamoDB re-protection writes: TTL, the stream and tags, put back on a restored or
//! imported table (AWS carries none of them over).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{StreamSpecification, StreamViewType, Tag, TimeToLiveSpecification};

use super::{AwsCloud, cloud_error, request_id};
use crate::cloud::{CloudError, CloudResult, ErrorKind, Sent, WriteOutput};

const SERVICE: &str = "dynamodb";

fn build_error(op: &'static str, e: impl std::fmt::Display) -> CloudError {
    CloudError::new(SERVICE, op, ErrorKind::Client, e.to_string())
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    #[tracing::instrument(level = "error", skip_all, fields(target = backup_arn))]
    pub(crate) async fn delete_backup(&self, region: &str, backup_arn: &str) -> CloudResult<Sent> {
        let out = self
            .dynamodb_write(region)
            .delete_backup()
            .backup_arn(backup_arn)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DeleteBackup", e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    pub(crate) async fn update_time_to_live(
        &self,
        region: &str,
        table: &str,
        attribute: &str,
        enabled: bool,
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateTimeToLive";
        let spec = TimeToLiveSpecification::builder()
            .attribute_name(attribute)
            .enabled(enabled)
            .build()
            .map_err(|e| build_error(OP, e))?;
        let out = self
            .dynamodb_write(region)
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    pub(crate) async fn update_table_stream(
        &self,
        region: &str,
        table: &str,
        view_type: Option<&str>,
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateTable";
        let spec = StreamSpecification::builder()
            .stream_enabled(view_type.is_some())
            .set_stream_view_type(view_type.map(StreamViewType::from))
            .build()
            .map_err(|e| build_error(OP, e))?;
        let out = self
            .dynamodb_write(region)
            .update_table()
            .table_name(table)
            .stream_specification(spec)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table_arn))]
    pub(crate) async fn tag_table(
        &self,
        region: &str,
        table_arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> CloudResult<Sent> {
        const OP: &str = "TagResource";
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| build_error(OP, e))?;
        let out = self
            .dynamodb_write(region)
            .tag_resource()
            .resource_arn(table_arn)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }
}
