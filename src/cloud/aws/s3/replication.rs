//! S3 replication rules: reading them (V1 or V2, as the bucket has them) and putting the plan's
//! V2 rule, with Replication Time Control and metrics so its lag is published.

use aws_sdk_s3::types::{
    DeleteMarkerReplication, DeleteMarkerReplicationStatus, Destination, Metrics, MetricsStatus,
    ReplicationConfiguration, ReplicationRuleFilter, ReplicationRuleStatus, ReplicationTime,
    ReplicationTimeStatus, ReplicationTimeValue, StorageClass,
};
use aws_smithy_types::error::operation::BuildError;

use super::{SERVICE, bucket_from_arn, s3_request_id};
use crate::cloud::aws::{AwsCloud, cloud_error};
use crate::cloud::{
    CloudError, CloudResult, ErrorKind, ReplicationConfig, ReplicationRule, Sent, WriteOutput,
};

/// Replication Time Control's promise, and the only value S3 accepts for it: 15 minutes.
const RTC_MINUTES: i32 = 15;

fn build_error(err: BuildError) -> CloudError {
    CloudError::new(
        SERVICE,
        "PutBucketReplication",
        ErrorKind::Client,
        err.to_string(),
    )
}

/// One rule in V2 form: a `Filter` (never the V1 top-level `Prefix`, which AWS refuses beside
/// RTC and delete-marker replication), a priority, and the destination's RTC and metrics.
fn sdk_rule(
    rule: &ReplicationRule,
    index: usize,
) -> Result<aws_sdk_s3::types::ReplicationRule, BuildError> {
    let destination_arn = if rule.destination_arn.is_empty() {
        format!("arn:aws:s3:::{}", rule.destination_bucket)
    } else {
        rule.destination_arn.clone()
    };
    let fifteen = || ReplicationTimeValue::builder().minutes(RTC_MINUTES).build();
    let mut destination = Destination::builder()
        .bucket(destination_arn)
        .set_storage_class(rule.storage_class.as_deref().map(StorageClass::from));
    if rule.replication_time {
        destination = destination.replication_time(
            ReplicationTime::builder()
                .status(ReplicationTimeStatus::Enabled)
                .time(fifteen())
                .build()?,
        );
    }
    // AWS refuses Replication Time Control without metrics; the threshold (after which a
    // late object raises OperationMissedThreshold) belongs to RTC only.
    if rule.metrics || rule.replication_time {
        destination = destination.metrics(
            Metrics::builder()
                .status(MetricsStatus::Enabled)
                .set_event_threshold(rule.replication_time.then(fifteen))
                .build()?,
        );
    }
    aws_sdk_s3::types::ReplicationRule::builder()
        .set_id(rule.id.clone())
        // V2 rules need one; unique priorities keep overlapping filters unambiguous.
        .priority(rule.priority.unwrap_or(index as i32 + 1))
        .status(if rule.enabled {
            ReplicationRuleStatus::Enabled
        } else {
            ReplicationRuleStatus::Disabled
        })
        .filter(
            ReplicationRuleFilter::builder()
                .prefix(&rule.prefix)
                .build(),
        )
        .delete_marker_replication(
            DeleteMarkerReplication::builder()
                .status(if rule.delete_marker_replication {
                    DeleteMarkerReplicationStatus::Enabled
                } else {
                    DeleteMarkerReplicationStatus::Disabled
                })
                .build(),
        )
        .destination(destination.build()?)
        .build()
}

fn sdk_configuration(config: &ReplicationConfig) -> Result<ReplicationConfiguration, BuildError> {
    let rules = config
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| sdk_rule(rule, i))
        .collect::<Result<Vec<_>, _>>()?;
    ReplicationConfiguration::builder()
        .role(&config.role)
        .set_rules(Some(rules))
        .build()
}

impl AwsCloud {
    /// `None` when the bucket has no replication configuration.
    pub(super) async fn read_replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> CloudResult<Option<ReplicationConfig>> {
        let out = match self
            .s3(region)
            .get_bucket_replication()
            .bucket(bucket)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let err = cloud_error(SERVICE, "GetBucketReplication", e);
                // "No replication configured" is an answer, not a failure; a missing bucket is.
                if err.code.as_deref() == Some("ReplicationConfigurationNotFoundError") {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        let Some(config) = out.replication_configuration() else {
            return Ok(None);
        };
        #[allow(deprecated)] // V1 rules still carry the top-level Prefix.
        let rules = config
            .rules()
            .iter()
            .map(|r| {
                let destination_arn = r
                    .destination()
                    .map(|d| d.bucket().to_owned())
                    .unwrap_or_default();
                let prefix = r
                    .filter()
                    .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
                    .or(r.prefix())
                    .unwrap_or_default()
                    .to_owned();
                ReplicationRule {
                    id: r.id().map(str::to_owned),
                    enabled: r.status().as_str() == "Enabled",
                    priority: r.priority(),
                    prefix,
                    destination_bucket: bucket_from_arn(&destination_arn),
                    destination_arn,
                    storage_class: r
                        .destination()
                        .and_then(|d| d.storage_class())
                        .map(|c| c.as_str().to_owned()),
                    delete_marker_replication: r
                        .delete_marker_replication()
                        .and_then(|d| d.status())
                        .is_some_and(|s| s.as_str() == "Enabled"),
                    replication_time: r
                        .destination()
                        .and_then(|d| d.replication_time())
                        .is_some_and(|t| t.status().as_str() == "Enabled"),
                    metrics: r
                        .destination()
                        .and_then(|d| d.metrics())
                        .is_some_and(|m| m.status().as_str() == "Enabled"),
                }
            })
            .collect();
        Ok(Some(ReplicationConfig {
            role: config.role().to_owned(),
            rules,
        }))
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    /// Replaces the whole configuration. S3 refuses it while the source bucket is unversioned
    /// (`InvalidRequest`), and AWS also while the destination is.
    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    pub(crate) async fn put_replication(
        &self,
        region: &str,
        bucket: &str,
        config: &ReplicationConfig,
    ) -> CloudResult<Sent> {
        let configuration = sdk_configuration(config).map_err(build_error)?;
        let out = self
            .s3_write(region)
            .put_bucket_replication()
            .bucket(bucket)
            .replication_configuration(configuration)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "PutBucketReplication", e))?;
        Ok(Sent::new(s3_request_id(&out), WriteOutput::Nothing))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    pub(crate) async fn delete_replication(&self, region: &str, bucket: &str) -> CloudResult<Sent> {
        let out = self
            .s3_write(region)
            .delete_bucket_replication()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DeleteBucketReplication", e))?;
        Ok(Sent::new(s3_request_id(&out), WriteOutput::Nothing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(rtc: bool, metrics: bool) -> ReplicationRule {
        ReplicationRule {
            id: Some("ReplicateEverything".into()),
            enabled: true,
            priority: None,
            prefix: String::new(),
            destination_arn: String::new(),
            destination_bucket: "flightdata-raw-backup-us-west-2".into(),
            storage_class: Some("STANDARD_IA".into()),
            delete_marker_replication: true,
            replication_time: rtc,
            metrics,
        }
    }

    #[test]
    fn replication_time_control_brings_metrics_with_it() {
        let r = sdk_rule(&rule(true, false), 0).unwrap();
        let d = r.destination().unwrap();
        assert_eq!(d.bucket(), "arn:aws:s3:::flightdata-raw-backup-us-west-2");
        let rtc = d.replication_time().unwrap();
        assert_eq!(rtc.status(), &ReplicationTimeStatus::Enabled);
        assert_eq!(rtc.time().and_then(|t| t.minutes()), Some(15));
        let m = d.metrics().expect("metrics are required with RTC");
        assert_eq!(m.status(), &MetricsStatus::Enabled);
        assert_eq!(m.event_threshold().and_then(|t| t.minutes()), Some(15));
    }

    #[test]
    fn rules_are_v2_with_a_filter_and_a_priority() {
        let r = sdk_rule(&rule(false, false), 2).unwrap();
        #[allow(deprecated)]
        let v1_prefix = r.prefix();
        assert_eq!(v1_prefix, None, "never the V1 top-level Prefix");
        assert_eq!(r.filter().and_then(|f| f.prefix()), Some(""));
        assert_eq!(r.priority(), Some(3));
        assert_eq!(
            r.delete_marker_replication().and_then(|d| d.status()),
            Some(&DeleteMarkerReplicationStatus::Enabled)
        );
        let d = r.destination().unwrap();
        assert!(d.replication_time().is_none() && d.metrics().is_none());
        assert_eq!(d.storage_class(), Some(&StorageClass::StandardIa));
    }

    #[test]
    fn metrics_alone_have_no_rtc_threshold() {
        let r = sdk_rule(&rule(false, true), 0).unwrap();
        let d = r.destination().unwrap();
        assert!(d.replication_time().is_none());
        let m = d.metrics().expect("metrics");
        assert_eq!(m.status(), &MetricsStatus::Enabled);
        assert!(m.event_threshold().is_none());
    }
}
