//! Route53: fail a record's traffic over to its SECONDARY, by its PRIMARY's health check or by
//! its records, and put it back.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, DrillShape, Plan, SafetyNet,
    TargetKind, Undo, WaitFor,
};
use crate::cloud::{
    ChangeAction, CloudError, CloudResult, ErrorKind, Failover, HealthCheckConfig,
    HealthCheckStatus, RecordChange, RecordSet, WriteRequest,
};
use crate::config::DnsRecord;

pub struct FailoverDns;

const HOW_CHECK: &str = "health-check";
const HOW_RECORDS: &str = "records";

const ARGS: &[ArgSpec] = &[ArgSpec {
    name: "how",
    kind: ArgKind::Choice(&[HOW_CHECK, HOW_RECORDS]),
    required: false,
    help: "health-check: invert the PRIMARY's health check; records: make the PRIMARY record \
           serve the SECONDARY's value (default: health-check when the PRIMARY has one)",
}];

/// AWS: a change reaches every Route53 name server within about a minute.
const INSYNC_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Checkers look every 30 s and need a few reports in a row to change their verdict.
const FAILING_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A check's status as Route53 takes it: a disabled check counts as healthy whatever the
/// checkers see, an inverted one the other way round. `None` without observations.
pub(crate) fn as_route53_takes_it(
    status: &HealthCheckStatus,
    config: &HealthCheckConfig,
) -> Option<bool> {
    if config.disabled {
        return Some(true);
    }
    status.healthy().map(|h| h != config.inverted)
}

/// Said instead of retrying: during a us-east-1 outage every retry costs minutes, and
/// changing nothing is then the only outcome anyway.
fn control_plane_down(e: &CloudError) -> ActionError {
    ActionError::Cloud(CloudError::new(
        "route53",
        e.operation,
        e.kind,
        format!(
            "Route53's control plane (us-east-1) cannot be reached: DNS cannot be changed \
             now; Route53 keeps answering with the records and health checks it has — if the \
             primary's health check fails, it fails over by itself ({})",
            e.message
        ),
    ))
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// That `name` is an estate record with its PRIMARY and SECONDARY failover records in
/// Route53, as failover-dns reads them: what it needs to run at all.
pub(crate) async fn failover_pair_exists(ctx: &Context<'_>, name: &str) -> Result<(), ActionError> {
    read_pair(ctx, name).await.map(drop)
}

/// Whether the PRIMARY record already answers what the SECONDARY would.
fn serves_secondary(primary: &RecordSet, secondary: &RecordSet) -> bool {
    let sorted = |r: &RecordSet| {
        let mut v = r.values.clone();
        v.sort();
        v
    };
    match (&primary.alias, &secondary.alias) {
        (Some(a), Some(b)) => a.dns_name.eq_ignore_ascii_case(&b.dns_name),
        (None, None) => sorted(primary) == sorted(secondary),
        _ => false,
    }
}

fn answer(r: &RecordSet) -> String {
    match &r.alias {
        Some(a) => format!("alias {}", a.dns_name),
        None => r.values.join(", "),
    }
}

/// The failover pair of the estate's record `name`.
struct Pair {
    record: DnsRecord,
    primary: RecordSet,
    secondary: RecordSet,
}

/// Reads the pair, once: a control plane that does not answer stops the action at once.
async fn read_pair(ctx: &Context<'_>, name: &str) -> Result<Pair, ActionError> {
    let record = ctx
        .estate
        .dns
        .records
        .iter()
        .find(|r| r.name.get_ref() == name)
        .cloned()
        .ok_or_else(|| ActionError::Invalid(format!("{name} is not a record of the estate")))?;
    let records = match ctx.cloud.list_record_sets_once(&record.zone_id).await {
        Ok(records) => records,
        Err(e) if matches!(e.kind, ErrorKind::Timeout | ErrorKind::Unreachable) => {
            return Err(control_plane_down(&e));
        }
        Err(e) => return Err(e.into()),
    };
    let find = |role: Failover| {
        records
            .iter()
            .find(|r| {
                same_name(&r.name, name)
                    && r.record_type == record.record_type
                    && r.failover == Some(role)
            })
            .cloned()
    };
    let (Some(primary), Some(secondary)) = (find(Failover::Primary), find(Failover::Secondary))
    else {
        return Err(ActionError::Invalid(format!(
            "{name} ({}) has no PRIMARY and SECONDARY failover records in zone {}: there is \
             nothing to fail over",
            record.record_type, record.zone_id
        )));
    };
    Ok(Pair {
        record,
        primary,
        secondary,
    })
}

/// A check's configuration and status, each as read.
struct CheckRead {
    id: String,
    config: CloudResult<HealthCheckConfig>,
    status: CloudResult<HealthCheckStatus>,
}

impl CheckRead {
    async fn of(ctx: &Context<'_>, id: &str) -> CheckRead {
        let (config, status) = futures::join!(
            ctx.cloud.get_health_check(id),
            ctx.cloud.health_check_status(id)
        );
        CheckRead {
            id: id.to_owned(),
            config,
            status,
        }
    }

    /// As Route53 takes it; `None` when it cannot be told.
    fn healthy(&self) -> Option<bool> {
        match (&self.status, &self.config) {
            (Ok(s), Ok(c)) => as_route53_takes_it(s, c),
            _ => None,
        }
    }

    /// Why Route53 takes it as failing, in checkers.
    fn why_failing(&self) -> String {
        let (Ok(status), Ok(config)) = (&self.status, &self.config) else {
            return String::new();
        };
        let all = status.observations.len();
        let seen_ok = status
            .observations
            .iter()
            .filter(|o| o.status.starts_with("Success"))
            .count();
        if config.inverted {
            format!(
                "the primary's health check {} is inverted ({seen_ok} of {all} checkers see the \
                 endpoint healthy, so Route53 takes it as failing)",
                self.id
            )
        } else {
            format!(
                "the primary's health check {} fails ({} of {all} checkers)",
                self.id,
                all - seen_ok
            )
        }
    }

    fn error(&self) -> Option<&CloudError> {
        self.config.as_ref().err().or(self.status.as_ref().err())
    }
}

#[async_trait]
impl Action for FailoverDns {
    fn name(&self) -> &'static str {
        "failover-dns"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            fixed: &[("how", HOW_RECORDS)],
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Make Route53 answer a record's name with its SECONDARY (moves production traffic)"
    }
    fn details(&self) -> &'static str {
        "First reads whether Route53 already answers with SECONDARY (the primary's health check \
         failing does that with no change). Otherwise, how=health-check inverts the PRIMARY's \
         health check and waits until Route53's checkers take it as failing; how=records makes \
         the PRIMARY record serve the SECONDARY's value and waits for INSYNC. Undo puts the \
         check or the saved records back. Route53's control plane is in us-east-1: when it \
         cannot be reached, this stops at once and changes nothing."
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Record
    }
    fn args(&self) -> &'static [ArgSpec] {
        ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, name: &str, args: &Args) -> Result<Plan, ActionError> {
        let pair = read_pair(ctx, name).await?;
        let (primary, secondary) = (&pair.primary, &pair.secondary);
        let primary_check = match &primary.health_check_id {
            Some(id) => Some(CheckRead::of(ctx, id).await),
            None => None,
        };
        let secondary_check = match &secondary.health_check_id {
            Some(id) => Some(CheckRead::of(ctx, id).await),
            None => None,
        };
        let how = args.get("how").map(str::to_owned).unwrap_or_else(|| {
            if primary.health_check_id.is_some() {
                HOW_CHECK.to_owned()
            } else {
                HOW_RECORDS.to_owned()
            }
        });
        let mut plan = Plan::new(
            self.name(),
            name,
            self.danger(),
            &args.clone().with("how", &how),
        );
        plan.before = json!({
            "zone_id": pair.record.zone_id,
            "primary": primary,
            "secondary": secondary,
            "primary_check": primary_check.as_ref().and_then(|c| c.config.as_ref().ok()),
            "primary_healthy": primary_check.as_ref().and_then(CheckRead::healthy),
            "secondary_healthy": secondary_check.as_ref().and_then(CheckRead::healthy),
        });

        if serves_secondary(primary, secondary) {
            return Ok(plan.done(format!(
                "Route53 already answers {name} with SECONDARY's value: the PRIMARY record \
                 serves {}",
                answer(primary)
            )));
        }
        let secondary_failing =
            secondary_check.as_ref().and_then(CheckRead::healthy) == Some(false);
        if secondary_failing {
            plan.notes.push(format!(
                "SECONDARY's health check {} fails too: with both failing Route53 answers with \
                 PRIMARY, so only how=records moves the traffic",
                secondary.health_check_id.as_deref().unwrap_or_default()
            ));
        }
        // Route53 answers SECONDARY for a failing PRIMARY only while the SECONDARY is healthy:
        // a SECONDARY check that cannot be read leaves it unknown, never done.
        let secondary_ok = secondary_check
            .as_ref()
            .is_none_or(|c| c.healthy() == Some(true));
        if let Some(check) = &primary_check {
            match check.healthy() {
                Some(false) if secondary_ok => {
                    return Ok(plan.done(format!(
                        "Route53 already answers {name} with SECONDARY: {}",
                        check.why_failing()
                    )));
                }
                None => plan.notes.push(format!(
                    "whether Route53 already answers with SECONDARY is unknown: {}",
                    check.error().map_or_else(
                        || format!("no checker reports on health check {} yet", check.id),
                        |e| format!("health check {} could not be read ({e})", check.id)
                    )
                )),
                _ => {}
            }
        }
        match how.as_str() {
            HOW_CHECK => plan_check(&mut plan, primary, primary_check.as_ref())?,
            _ => plan_records(&mut plan, &pair),
        }
        if let Some(ttl) = primary.ttl.or(secondary.ttl) {
            plan.notes.push(format!(
                "resolvers may keep the old answer for the record's TTL ({ttl} s) after Route53 \
                 changes it"
            ));
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        match plan.requests.first() {
            Some(WriteRequest::UpdateHealthCheck {
                health_check_id,
                inverted,
                disabled,
            }) => {
                let now = ctx
                    .cloud
                    .get_health_check(health_check_id)
                    .await
                    .map_err(|e| format!("cannot read health check {health_check_id} back: {e}"))?;
                let wrong = inverted.is_some_and(|want| now.inverted != want)
                    || disabled.is_some_and(|want| now.disabled != want);
                if wrong {
                    return Err(format!(
                        "health check {health_check_id} reads inverted={} disabled={}",
                        now.inverted, now.disabled
                    ));
                }
                Ok(())
            }
            Some(WriteRequest::ChangeResourceRecordSets {
                zone_id, changes, ..
            }) => {
                let listed = ctx
                    .cloud
                    .list_record_sets(zone_id)
                    .await
                    .map_err(|e| format!("cannot read the records back: {e}"))?;
                for change in changes {
                    let want = &change.record;
                    let found = listed.iter().find(|r| {
                        same_name(&r.name, &want.name)
                            && r.record_type == want.record_type
                            && r.set_identifier == want.set_identifier
                    });
                    match found {
                        Some(r) if serves_secondary(r, want) => {}
                        Some(r) => {
                            return Err(format!(
                                "{} ({}) serves {}, not {}",
                                r.name,
                                r.set_identifier.as_deref().unwrap_or_default(),
                                answer(r),
                                answer(want)
                            ));
                        }
                        None => return Err(format!("{} is no longer listed", want.name)),
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Inverts the PRIMARY's check (and enables it, since Route53 takes a disabled check as
/// healthy whatever it is set to), then waits for Route53 to take it as failing.
fn plan_check(
    plan: &mut Plan,
    primary: &RecordSet,
    check: Option<&CheckRead>,
) -> Result<(), ActionError> {
    let Some(check) = check else {
        return Err(ActionError::Invalid(format!(
            "the PRIMARY record of {} has no health check to invert: use how=records",
            plan.target
        )));
    };
    // Undo must put back exactly what was there: without the configuration, it cannot.
    let config = check.config.clone()?;
    let want = match &check.status {
        // The checkers see the endpoint failing while the check is inverted: un-inverting
        // makes Route53 take it as failing.
        Ok(status) if status.healthy() == Some(false) => false,
        Ok(_) => true,
        // Without the checkers' view, which way to set it cannot be told.
        Err(e) => {
            return Err(ActionError::Invalid(format!(
                "cannot tell which way to set health check {}: its status cannot be read \
                 ({e}); use how=records, or try again",
                check.id
            )));
        }
    };
    if config.inverted == want && !config.disabled {
        if check.healthy().is_none() {
            plan.already_done = Some(format!(
                "the primary's health check {} is already inverted: Route53 takes the primary \
                 as failing once its checkers report",
                check.id
            ));
            return Ok(());
        }
        return Err(ActionError::Invalid(format!(
            "health check {} already makes Route53 take the primary as failing, but the \
             SECONDARY fails too: use how=records",
            check.id
        )));
    }
    let request = |inverted: bool, disabled: Option<bool>| WriteRequest::UpdateHealthCheck {
        health_check_id: check.id.clone(),
        inverted: Some(inverted),
        disabled,
    };
    plan.requests
        .push(request(want, config.disabled.then_some(false)));
    plan.wait_after_last(
        WaitFor::HealthCheckFailing {
            health_check_id: check.id.clone(),
        },
        FAILING_TIMEOUT,
    );
    plan.undo = Some(Undo {
        summary: format!(
            "set health check {} back to inverted={}{}",
            check.id,
            config.inverted,
            if config.disabled { ", disabled" } else { "" }
        ),
        requests: vec![request(config.inverted, config.disabled.then_some(true))],
        waits: Vec::new(),
    });
    plan.notes.push(format!(
        "while inverted, health check {} of {} reads the opposite of the endpoint's health: \
         undo once the primary is back",
        check.id, primary.name
    ));
    Ok(())
}

/// One UPSERT that makes the PRIMARY record answer what the SECONDARY answers, keeping its
/// set identifier, role and health check, so that the saved record put back is an exact undo.
fn plan_records(plan: &mut Plan, pair: &Pair) {
    let (primary, secondary) = (&pair.primary, &pair.secondary);
    let serving = RecordSet {
        values: secondary.values.clone(),
        ttl: secondary.ttl,
        alias: secondary.alias.clone(),
        ..primary.clone()
    };
    let upsert = |record: RecordSet, comment: &str| WriteRequest::ChangeResourceRecordSets {
        zone_id: pair.record.zone_id.clone(),
        changes: vec![RecordChange {
            // Never DELETE: Route53 (and moto) may remove every record with that identifier.
            action: ChangeAction::Upsert,
            record,
        }],
        comment: comment.to_owned(),
    };
    plan.safety_net.push(SafetyNet {
        what: format!("the failover records of {} as read", plan.target),
        saved: json!({ "primary": primary, "secondary": secondary }),
        request: None,
    });
    plan.requests.push(upsert(
        serving,
        "drconsole failover-dns: PRIMARY serves the SECONDARY's value",
    ));
    plan.wait_after_last(
        WaitFor::ChangeInsync {
            record: plan.target.clone(),
        },
        INSYNC_TIMEOUT,
    );
    plan.undo = Some(Undo {
        summary: format!(
            "put the PRIMARY record of {} back as saved ({})",
            plan.target,
            answer(primary)
        ),
        requests: vec![upsert(primary.clone(), "drconsole: undo failover-dns")],
        // Back is a DNS change like the failover: done when every name server has it.
        waits: vec![crate::action::Wait {
            after: 1,
            until: WaitFor::ChangeInsync {
                record: plan.target.clone(),
            },
            timeout: INSYNC_TIMEOUT,
        }],
    });
    plan.notes.push(format!(
        "the PRIMARY record keeps its health check{}: Route53 answers with the SECONDARY's \
         value whichever record it picks",
        primary
            .health_check_id
            .as_deref()
            .map(|id| format!(" {id}"))
            .unwrap_or_default()
    ));
}

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
