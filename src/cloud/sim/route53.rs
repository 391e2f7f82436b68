//! Route53 in the simulation: zones, failover records, atomic change batches that go INSYNC
//! after a minute of clock, and health checks that fail while their endpoint's region is out,
//! reported by checkers that look every 30 s.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::seed::absolute;
use super::state::{CHANGE_TAKES, Change, State, Zone};
use super::{Call, SimCloud, fnv};
use crate::cloud::{
    ChangeAction, ChangeInfo, CloudError, CloudResult, Dns, HealthCheckConfig, HealthCheckStatus,
    HealthObservation, HostedZone, RecordChange, RecordSet,
};

const SERVICE: &str = "route53";

/// The checker regions that report on each health check, with a checker address in each.
const CHECKERS: [(&str, &str); 3] = [
    ("us-east-1", "15.177.2.109"),
    ("us-west-1", "15.177.10.82"),
    ("eu-west-1", "15.177.34.17"),
];

/// How often each checker looks at the endpoint, as Route53's standard interval.
const CHECK_EVERY_SECS: i64 = 30;

const SUCCESS: &str = "Success: HTTP Status Code 200, OK";
const FAILURE: &str = "Failure: Connection timed out. The endpoint or the internet connection \
                       is down, or requests are being blocked by your firewall.";

/// Route53 ids are accepted with or without their "/hostedzone/" or "/change/" prefix.
fn short_id(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// Route53 lists records by name with the labels reversed (the apex first), then by type.
fn sort_key(r: &RecordSet) -> (Vec<String>, String, String) {
    let labels = r.name.trim_end_matches('.').rsplit('.').map(str::to_owned);
    (
        labels.collect(),
        r.record_type.clone(),
        r.set_identifier.clone().unwrap_or_default(),
    )
}

fn same_record(a: &RecordSet, b: &RecordSet) -> bool {
    a.name == b.name && a.record_type == b.record_type && a.set_identifier == b.set_identifier
}

/// How Route53 names a record in its error messages.
fn describe(r: &RecordSet) -> String {
    match &r.set_identifier {
        Some(id) => format!(
            "[name='{}', type='{}', set-identifier='{id}']",
            r.name, r.record_type
        ),
        None => format!("[name='{}', type='{}']", r.name, r.record_type),
    }
}

fn action_name(a: ChangeAction) -> &'static str {
    match a {
        ChangeAction::Create => "CREATE",
        ChangeAction::Upsert => "UPSERT",
        ChangeAction::Delete => "DELETE",
    }
}

impl State {
    fn zone(&self, call: &Call, zone_id: &str) -> Result<&Zone, CloudError> {
        let id = short_id(zone_id);
        self.zones.get(id).ok_or_else(|| {
            call.not_found(
                "NoSuchHostedZone",
                format!("No hosted zone found with ID: {id}"),
            )
        })
    }

    /// Validates the whole batch against the zone, then applies it: all or nothing.
    fn apply_changes(
        &mut self,
        call: &Call,
        zone_id: &str,
        changes: &[RecordChange],
    ) -> CloudResult<()> {
        let zone = self.zone(call, zone_id)?;
        if changes.is_empty() {
            return Err(call.invalid(
                "InvalidInput",
                "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to \
                 satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        let mut records = zone.records.clone();
        let mut problems = Vec::new();
        for change in changes {
            let mut r = change.record.clone();
            r.name = absolute(&r.name);
            let in_zone = r.name == zone.name || r.name.ends_with(&format!(".{}", zone.name));
            if !in_zone {
                problems.push(format!(
                    "RRSet with DNS name {} is not permitted in zone {}",
                    r.name, zone.name
                ));
                continue;
            }
            if r.alias.is_some() != r.values.is_empty() || (r.alias.is_none() && r.ttl.is_none()) {
                return Err(call.invalid(
                    "InvalidInput",
                    format!(
                        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and \
                         ResourceRecords], or TrafficPolicyInstanceId], but found none in Change \
                         with [Action={}, Name={}, Type={}, SetIdentifier={}]",
                        action_name(change.action),
                        r.name,
                        r.record_type,
                        r.set_identifier.as_deref().unwrap_or("null")
                    ),
                ));
            }
            if let Some(hc) = &r.health_check_id
                && change.action != ChangeAction::Delete
                && !self.health_checks.contains_key(hc)
            {
                return Err(call.not_found(
                    "NoSuchHealthCheck",
                    format!("A health check with id {hc} does not exist."),
                ));
            }
            let existing = records.iter().position(|have| same_record(have, &r));
            match (change.action, existing) {
                (ChangeAction::Create, Some(_)) => problems.push(format!(
                    "Tried to create resource record set {} but it already exists",
                    describe(&r)
                )),
                (ChangeAction::Create | ChangeAction::Upsert, None) => records.push(r),
                (ChangeAction::Upsert, Some(i)) => records[i] = r,
                (ChangeAction::Delete, None) => problems.push(format!(
                    "Tried to delete resource record set {} but it was not found",
                    describe(&r)
                )),
                (ChangeAction::Delete, Some(i)) => {
                    let have = &records[i];
                    let mut wanted_values = r.values.clone();
                    let mut have_values = have.values.clone();
                    wanted_values.sort();
                    have_values.sort();
                    if have.ttl != r.ttl
                        || have_values != wanted_values
                        || have.alias != r.alias
                        || have.failover != r.failover
                        || have.health_check_id != r.health_check_id
                    {
                        problems.push(format!(
                            "Tried to delete resource record set {} but the values provided do \
                             not match the current values",
                            describe(&r)
                        ));
                    } else {
                        records.remove(i);
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(call.invalid("InvalidChangeBatch", format!("[{}]", problems.join(", "))));
        }
        records.sort_by_key(sort_key);
        let id = short_id(zone_id).to_owned();
        self.zones.get_mut(&id).expect("checked above").records = records;
        Ok(())
    }
}

#[async_trait]
impl Dns for SimCloud {
    async fn list_hosted_zones(&self) -> CloudResult<Vec<HostedZone>> {
        self.enter(SERVICE, "ListHostedZones", None, "").await?;
        let state = self.state();
        Ok(state
            .zones
            .values()
            .map(|z| HostedZone {
                id: z.id.clone(),
                name: z.name.clone(),
                private: false,
                record_count: Some(z.records.len() as i64),
            })
            .collect())
    }

    async fn list_record_sets(&self, zone_id: &str) -> CloudResult<Vec<RecordSet>> {
        let call = self
            .enter(SERVICE, "ListResourceRecordSets", None, zone_id)
            .await?;
        let state = self.state();
        let mut records = state.zone(&call, zone_id)?.records.clone();
        records.sort_by_key(sort_key);
        Ok(records)
    }

    async fn get_change(&self, change_id: &str) -> CloudResult<ChangeInfo> {
        let call = self.enter(SERVICE, "GetChange", None, change_id).await?;
        let now = self.clock.now();
        let state = self.state();
        let id = short_id(change_id);
        let change = state.changes.get(id).ok_or_else(|| {
            call.not_found(
                "NoSuchChange",
                format!("A change with the specified change ID {id} does not exist."),
            )
        })?;
        let status = if now >= change.submitted + CHANGE_TAKES {
            "INSYNC"
        } else {
            "PENDING"
        };
        Ok(ChangeInfo {
            id: id.to_owned(),
            status: status.to_owned(),
            submitted_at: Some(change.submitted),
        })
    }

    async fn health_check_status(&self, health_check_id: &str) -> CloudResult<HealthCheckStatus> {
        let call = self
            .enter(SERVICE, "GetHealthCheckStatus", None, health_check_id)
            .await?;
        let now = self.clock.now();
        let state = self.state();
        let check = state
            .health_checks
            .get(health_check_id)
            .ok_or_else(|| no_such_check(&call, health_check_id))?;
        let checked_at = last_round(now);
        let status = if state.is_down(&check.endpoint_region) {
            FAILURE
        } else {
            SUCCESS
        };
        Ok(HealthCheckStatus {
            id: health_check_id.to_owned(),
            observations: CHECKERS
                .iter()
                .map(|(region, ip)| HealthObservation {
                    region: Some((*region).to_owned()),
                    ip_address: Some((*ip).to_owned()),
                    status: status.to_owned(),
                    checked_at: Some(checked_at),
                })
                .collect(),
        })
    }

    async fn get_health_check(&self, health_check_id: &str) -> CloudResult<HealthCheckConfig> {
        let call = self
            .enter(SERVICE, "GetHealthCheck", None, health_check_id)
            .await?;
        let state = self.state();
        let check = state
            .health_checks
            .get(health_check_id)
            .ok_or_else(|| no_such_check(&call, health_check_id))?;
        Ok(HealthCheckConfig {
            id: health_check_id.to_owned(),
            check_type: "HTTPS".to_owned(),
            target: Some(check.target.clone()),
            disabled: check.disabled,
            inverted: check.inverted,
        })
    }
}

/// When the checkers last looked: the latest multiple of their interval at or before `now`.
fn last_round(now: DateTime<Utc>) -> DateTime<Utc> {
    let secs = now.timestamp();
    let round = secs - secs.rem_euclid(CHECK_EVERY_SECS);
    DateTime::from_timestamp(round, 0).unwrap_or(now)
}

/// A change id shaped like Route53's: "C" and 13 upper-case letters and digits.
fn change_id(serial: u64) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h = fnv(&["change", &serial.to_string()]);
    let mut id = String::from("C");
    for _ in 0..13 {
        id.push(ALPHABET[(h & 31) as usize] as char);
        h >>= 5;
    }
    id
}

/// What Route53 answers for a health check id it does not know.
fn no_such_check(call: &Call, id: &str) -> CloudError {
    call.not_found(
        "NoSuchHealthCheck",
        format!("A health check with id {id} does not exist."),
    )
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    pub(super) fn change_record_sets(
        &self,
        call: &Call,
        zone_id: &str,
        changes: &[RecordChange],
        _comment: &str,
    ) -> CloudResult<ChangeInfo> {
        let now = self.clock.now();
        let mut state = self.state();
        state.apply_changes(call, zone_id, changes)?;
        let serial = state.next_serial();
        let id = change_id(serial);
        state.changes.insert(id.clone(), Change { submitted: now });
        Ok(ChangeInfo {
            id,
            status: "PENDING".to_owned(),
            submitted_at: Some(now),
        })
    }
}

/// Health-check writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    /// Sets the flags given; the checkers' next round (within 30 s) reports under them.
    pub(super) fn update_health_check(
        &self,
        call: &Call,
        health_check_id: &str,
        inverted: Option<bool>,
        disabled: Option<bool>,
    ) -> CloudResult<HealthCheckConfig> {
        let mut state = self.state();
        let check = state
            .health_checks
            .get_mut(health_check_id)
            .ok_or_else(|| no_such_check(call, health_check_id))?;
        if let Some(inverted) = inverted {
            check.inverted = inverted;
        }
        if let Some(disabled) = disabled {
            check.disabled = disabled;
        }
        Ok(HealthCheckConfig {
            id: health_check_id.to_owned(),
            check_type: "HTTPS".to_owned(),
            target: Some(check.target.clone()),
            disabled: check.disabled,
            inverted: check.inverted,
        })
    }
}
