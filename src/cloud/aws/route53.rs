//! Route53: hosted zones, failover record sets, changes and health checks.

use async_trait::async_trait;
use aws_sdk_route53::types::{
    self as r53, Change, ChangeBatch, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover,
    RrType,
};

use super::{AwsCloud, cloud_error, missing, request_id, to_chrono};
use crate::cloud::{
    AliasTarget, ChangeAction, ChangeInfo, CloudError, CloudResult, Dns, ErrorKind, Failover,
    HealthCheckConfig, HealthCheckStatus, HealthObservation, HostedZone, RecordChange, RecordSet,
    Sent, WriteOutput,
};

const SERVICE: &str = "route53";

/// Route53 returns ids as "/hostedzone/Z123" and "/change/C123"; people and ARNs use the tail.
fn short_id(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_owned()
}

fn record_set(r: &ResourceRecordSet) -> RecordSet {
    RecordSet {
        name: r.name().to_owned(),
        record_type: r.r#type().as_str().to_owned(),
        set_identifier: r.set_identifier().map(str::to_owned),
        failover: r.failover().map(|f| match f {
            ResourceRecordSetFailover::Secondary => Failover::Secondary,
            _ => Failover::Primary,
        }),
        ttl: r.ttl(),
        values: r
            .resource_records()
            .iter()
            .map(|v| v.value().to_owned())
            .collect(),
        alias: r.alias_target().map(|a| AliasTarget {
            dns_name: a.dns_name().to_owned(),
            hosted_zone_id: a.hosted_zone_id().to_owned(),
            evaluate_target_health: a.evaluate_target_health(),
        }),
        health_check_id: r.health_check_id().map(str::to_owned),
    }
}

fn build_error(op: &'static str, e: impl std::fmt::Display) -> CloudError {
    CloudError::new(SERVICE, op, ErrorKind::Client, e.to_string())
}

fn sdk_record_set(op: &'static str, r: &RecordSet) -> CloudResult<ResourceRecordSet> {
    let records = r
        .values
        .iter()
        .map(|v| {
            ResourceRecord::builder()
                .value(v)
                .build()
                .map_err(|e| build_error(op, e))
        })
        .collect::<CloudResult<Vec<_>>>()?;
    let alias = r
        .alias
        .as_ref()
        .map(|a| {
            r53::AliasTarget::builder()
                .dns_name(&a.dns_name)
                .hosted_zone_id(&a.hosted_zone_id)
                .evaluate_target_health(a.evaluate_target_health)
                .build()
                .map_err(|e| build_error(op, e))
        })
        .transpose()?;
    ResourceRecordSet::builder()
        .name(&r.name)
        .r#type(RrType::from(r.record_type.as_str()))
        .set_set_identifier(r.set_identifier.clone())
        .set_failover(r.failover.map(|f| match f {
            Failover::Primary => ResourceRecordSetFailover::Primary,
            Failover::Secondary => ResourceRecordSetFailover::Secondary,
        }))
        .set_ttl(r.ttl)
        .set_resource_records((!records.is_empty()).then_some(records))
        .set_alias_target(alias)
        .set_health_check_id(r.health_check_id.clone())
        .build()
        .map_err(|e| build_error(op, e))
}

fn change_info(op: &'static str, c: Option<&r53::ChangeInfo>) -> CloudResult<ChangeInfo> {
    let c = c.ok_or_else(|| missing(SERVICE, op, "ChangeInfo"))?;
    Ok(ChangeInfo {
        id: short_id(c.id()),
        status: c.status().as_str().to_owned(),
        submitted_at: to_chrono(c.submitted_at()),
    })
}

impl AwsCloud {
    /// The record sets through `client`, all pages.
    async fn record_sets_with(
        client: &aws_sdk_route53::Client,
        zone_id: &str,
    ) -> CloudResult<Vec<RecordSet>> {
        let mut records = Vec::new();
        let (mut name, mut kind, mut identifier) = (None, None, None);
        loop {
            let out = client
                .list_resource_record_sets()
                .hosted_zone_id(zone_id)
                .set_start_record_name(name.take())
                .set_start_record_type(kind.take())
                .set_start_record_identifier(identifier.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "ListResourceRecordSets", e))?;
            records.extend(out.resource_record_sets().iter().map(record_set));
            if !out.is_truncated() || out.next_record_name().is_none() {
                break;
            }
            name = out.next_record_name().map(str::to_owned);
            kind = out.next_record_type().cloned();
            identifier = out.next_record_identifier().map(str::to_owned);
        }
        Ok(records)
    }

    /// One attempt, given the whole call's time limit: a dead control plane costs one call
    /// timeout, not three attempts with back-off between them.
    fn route53_once(&self) -> aws_sdk_route53::Client {
        let call = self.options.call_timeout;
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(std::time::Duration::from_secs(3).min(call))
            .operation_attempt_timeout(call)
            .operation_timeout(call)
            .build();
        let config = self
            .route53
            .config()
            .to_builder()
            .retry_config(super::once())
            .timeout_config(timeouts)
            .build();
        aws_sdk_route53::Client::from_conf(config)
    }
}

#[async_trait]
impl Dns for AwsCloud {
    async fn list_hosted_zones(&self) -> CloudResult<Vec<HostedZone>> {
        let mut zones = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .route53
                .list_hosted_zones()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "ListHostedZones", e))?;
            zones.extend(out.hosted_zones().iter().map(|z| HostedZone {
                id: short_id(z.id()),
                name: z.name().to_owned(),
                private: z.config().is_some_and(|c| c.private_zone()),
                record_count: z.resource_record_set_count(),
            }));
            match out.next_marker() {
                Some(next) if out.is_truncated() => marker = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(zones)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = zone_id))]
    async fn list_record_sets(&self, zone_id: &str) -> CloudResult<Vec<RecordSet>> {
        Self::record_sets_with(&self.route53, zone_id).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = zone_id))]
    async fn list_record_sets_once(&self, zone_id: &str) -> CloudResult<Vec<RecordSet>> {
        Self::record_sets_with(&self.route53_once(), zone_id).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = change_id))]
    async fn get_change(&self, change_id: &str) -> CloudResult<ChangeInfo> {
        let out = self
            .route53
            .get_change()
            .id(change_id)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetChange", e))?;
        change_info("GetChange", out.change_info())
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = health_check_id))]
    async fn health_check_status(&self, health_check_id: &str) -> CloudResult<HealthCheckStatus> {
        let out = self
            .route53
            .get_health_check_status()
            .health_check_id(health_check_id)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetHealthCheckStatus", e))?;
        Ok(HealthCheckStatus {
            id: health_check_id.to_owned(),
            observations: out
                .health_check_observations()
                .iter()
                .map(|o| HealthObservation {
                    region: o.region().map(|r| r.as_str().to_owned()),
                    ip_address: o.ip_address().map(str::to_owned),
                    status: o
                        .status_report()
                        .and_then(|s| s.status())
                        .unwrap_or_default()
                        .to_owned(),
                    checked_at: o
                        .status_report()
                        .and_then(|s| s.checked_time())
                        .and_then(to_chrono),
                })
                .collect(),
        })
    }

    async fn get_health_check(&self, health_check_id: &str) -> CloudResult<HealthCheckConfig> {
        const OP: &str = "GetHealthCheck";
        let out = self
            .route53
            .get_health_check()
            .health_check_id(health_check_id)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        let check = out
            .health_check()
            .ok_or_else(|| missing(SERVICE, OP, "HealthCheck"))?;
        let config = check
            .health_check_config()
            .ok_or_else(|| missing(SERVICE, OP, "HealthCheckConfig"))?;
        Ok(HealthCheckConfig {
            id: check.id().to_owned(),
            check_type: config.r#type().as_str().to_owned(),
            target: config
                .fully_qualified_domain_name()
                .or(config.ip_address())
                .map(str::to_owned),
            disabled: config.disabled().unwrap_or(false),
            inverted: config.inverted().unwrap_or(false),
        })
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    #[tracing::instrument(level = "error", skip_all, fields(target = zone_id))]
    pub(crate) async fn change_record_sets(
        &self,
        zone_id: &str,
        changes: &[RecordChange],
        comment: &str,
    ) -> CloudResult<Sent> {
        const OP: &str = "ChangeResourceRecordSets";
        let changes = changes
            .iter()
            .map(|c| {
                let action = match c.action {
                    ChangeAction::Create => r53::ChangeAction::Create,
                    ChangeAction::Upsert => r53::ChangeAction::Upsert,
                    ChangeAction::Delete => r53::ChangeAction::Delete,
                };
                Change::builder()
                    .action(action)
                    .resource_record_set(sdk_record_set(OP, &c.record)?)
                    .build()
                    .map_err(|e| build_error(OP, e))
            })
            .collect::<CloudResult<Vec<_>>>()?;
        let batch = ChangeBatch::builder()
            .comment(comment)
            .set_changes(Some(changes))
            .build()
            .map_err(|e| build_error(OP, e))?;
        let out = self
            .route53_once()
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(batch)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Change(change_info(OP, out.change_info())?),
        ))
    }
}

/// Route53 health-check writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    /// Sets only the flags given. Sent once, like every write.
    #[tracing::instrument(level = "error", skip_all, fields(target = health_check_id))]
    pub(crate) async fn update_health_check(
        &self,
        health_check_id: &str,
        inverted: Option<bool>,
        disabled: Option<bool>,
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateHealthCheck";
        let out = self
            .route53_once()
            .update_health_check()
            .health_check_id(health_check_id)
            .set_inverted(inverted)
            .set_disabled(disabled)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        let check = out
            .health_check()
            .ok_or_else(|| missing(SERVICE, OP, "HealthCheck"))?;
        let config = check
            .health_check_config()
            .ok_or_else(|| missing(SERVICE, OP, "HealthCheckConfig"))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::HealthCheck {
                config: HealthCheckConfig {
                    id: check.id().to_owned(),
                    check_type: config.r#type().as_str().to_owned(),
                    target: config
                        .fully_qualified_domain_name()
                        .or(config.ip_address())
                        .map(str::to_owned),
                    disabled: config.disabled().unwrap_or(false),
                    inverted: config.inverted().unwrap_or(false),
                },
                at: chrono::Utc::now(),
            },
        ))
    }
}
