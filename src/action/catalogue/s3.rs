//! S3 repairs: versioning on, and the plan's replication rule to the backup region.

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, SafetyNet, TargetKind,
    Undo, missing_target,
};
use crate::cloud::{ReplicationConfig, ReplicationRule, Versioning, WriteRequest};

/// The rule drconsole puts: one id, so a re-run recognises its own rule.
pub const RULE_ID: &str = "drconsole-backup-region";

pub struct EnableVersioning;

#[async_trait]
impl Action for EnableVersioning {
    fn name(&self) -> &'static str {
        "enable-versioning"
    }
    fn summary(&self) -> &'static str {
        "Turn on versioning for a bucket"
    }
    fn details(&self) -> &'static str {
        "Replication needs it on both sides. There is no undo: versioning can only be \
         suspended once on, and suspending it stops replication."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Bucket
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        bucket: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let versioning = read_versioning(ctx, region, bucket).await?;
        let mut plan = Plan::new(self.name(), bucket, self.danger(), args);
        plan.before = json!({ "versioning": versioning });
        if versioning == Versioning::Enabled {
            return Ok(plan.done(format!("versioning is already on for {bucket}")));
        }
        plan.requests.push(WriteRequest::PutBucketVersioning {
            region: region.to_owned(),
            bucket: bucket.to_owned(),
            enabled: true,
        });
        plan.notes.push(
            "versioning cannot be turned off again, only suspended (which stops replication)"
                .to_owned(),
        );
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        match ctx.cloud.get_versioning(ctx.primary(), &plan.target).await {
            Ok(Versioning::Enabled) => Ok(()),
            Ok(other) => Err(format!("versioning reads as {other:?}")),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

async fn read_versioning(
    ctx: &Context<'_>,
    region: &str,
    bucket: &str,
) -> Result<Versioning, ActionError> {
    ctx.cloud.get_versioning(region, bucket).await.map_err(|e| {
        if e.is_not_found() {
            missing_target(TargetKind::Bucket, bucket, region)
        } else {
            ActionError::Cloud(e)
        }
    })
}

pub struct PutReplication;

const REPLICATION_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "replica",
        kind: ArgKind::Text,
        required: false,
        help: "the replica bucket in the backup region (default: the estate's `replica`)",
    },
    ArgSpec {
        name: "role",
        kind: ArgKind::Text,
        required: false,
        help: "the IAM role S3 replicates with (default: the estate's s3.replication_role)",
    },
];

/// Whether a rule already does what the plan asks: everything, to the replica, measured.
fn is_plan_rule(rule: &ReplicationRule, replica: &str) -> bool {
    rule.enabled
        && rule.prefix.is_empty()
        && rule.destination_bucket == replica
        && rule.replication_time
        && rule.metrics
}

#[async_trait]
impl Action for PutReplication {
    fn name(&self) -> &'static str {
        "put-replication"
    }
    fn summary(&self) -> &'static str {
        "Replicate a bucket to its replica in the backup region (the plan's rule, with RTC)"
    }
    fn details(&self) -> &'static str {
        "Creates the replica bucket in the backup region if missing and turns versioning on \
         both sides first (AWS refuses a rule to an unversioned bucket), then puts a V2 rule \
         for every object with Replication Time Control and metrics, so ReplicationLatency is \
         published. A bucket that also replicates elsewhere is refused (its other rules could not \
         be carried over whole). A new rule replicates new objects only: existing \
         ones need S3 Batch Replication or a copy. Undo puts the previous configuration back."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Bucket
    }
    fn args(&self) -> &'static [ArgSpec] {
        REPLICATION_ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        bucket: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let (primary, backup) = (ctx.primary(), ctx.backup());
        let replica = match args.get("replica") {
            Some(r) => r.to_owned(),
            None => ctx
                .estate
                .s3
                .buckets
                .iter()
                .find(|b| b.name.get_ref() == bucket)
                .and_then(|b| b.replica.clone())
                .ok_or_else(|| {
                    ActionError::Invalid(format!(
                        "the estate names no replica for {bucket}: pass --arg replica=NAME"
                    ))
                })?,
        };
        let role = args
            .get("role")
            .map(str::to_owned)
            .or_else(|| ctx.estate.s3.replication_role.clone())
            .ok_or_else(|| {
                ActionError::Invalid(
                    "no replication role: set s3.replication_role in the estate file or pass \
                     --arg role=ARN"
                        .to_owned(),
                )
            })?;
        let args = args
            .clone()
            .with("replica", replica.clone())
            .with("role", role.clone());
        let source_versioning = read_versioning(ctx, primary, bucket).await?;
        let current = ctx.cloud.get_replication(primary, bucket).await?;
        let replica_versioning = match ctx.cloud.get_versioning(backup, &replica).await {
            Ok(v) => Some(v),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.into()),
        };
        let mut plan = Plan::new(self.name(), bucket, self.danger(), &args);
        plan.before = json!({
            "versioning": source_versioning,
            "replica_exists": replica_versioning.is_some(),
            "replica_versioning": replica_versioning,
            "replication": current,
        });
        if replica_versioning.is_none() {
            plan.requests.push(WriteRequest::CreateBucket {
                region: backup.to_owned(),
                bucket: replica.clone(),
            });
        }
        if replica_versioning != Some(Versioning::Enabled) {
            plan.requests.push(WriteRequest::PutBucketVersioning {
                region: backup.to_owned(),
                bucket: replica.clone(),
                enabled: true,
            });
        }
        if source_versioning != Versioning::Enabled {
            plan.requests.push(WriteRequest::PutBucketVersioning {
                region: primary.to_owned(),
                bucket: bucket.to_owned(),
                enabled: true,
            });
        }
        let has_rule = current
            .as_ref()
            .is_some_and(|c| c.role == role && c.rules.iter().any(|r| is_plan_rule(r, &replica)));
        if !has_rule {
            // A configuration is replaced whole, and drconsole's model of a rule does not
            // hold everything a rule can say (tag filters, encryption, another account's
            // destination): rules to other places would come back changed. Refuse instead.
            let others: Vec<&ReplicationRule> = current
                .as_ref()
                .map(|c| {
                    c.rules
                        .iter()
                        .filter(|r| {
                            r.id.as_deref() != Some(RULE_ID) && r.destination_bucket != replica
                        })
                        .collect()
                })
                .unwrap_or_default();
            if !others.is_empty() {
                return Err(ActionError::Invalid(format!(
                    "{bucket} also replicates to {}: a new configuration would replace those \
                     rules, and drconsole cannot carry them over whole (tags, encryption, \
                     other accounts); add the rule to {replica} by hand",
                    others
                        .iter()
                        .map(|r| r.destination_bucket.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let rules = vec![ReplicationRule {
                id: Some(RULE_ID.to_owned()),
                enabled: true,
                priority: Some(1),
                prefix: String::new(),
                destination_arn: format!("arn:aws:s3:::{replica}"),
                destination_bucket: replica.clone(),
                storage_class: Some("STANDARD".to_owned()),
                delete_marker_replication: true,
                replication_time: true,
                metrics: true,
            }];
            plan.requests.push(WriteRequest::PutBucketReplication {
                region: primary.to_owned(),
                bucket: bucket.to_owned(),
                configuration: ReplicationConfig { role, rules },
            });
            let undo_request = match &current {
                Some(previous) => WriteRequest::PutBucketReplication {
                    region: primary.to_owned(),
                    bucket: bucket.to_owned(),
                    configuration: previous.clone(),
                },
                None => WriteRequest::DeleteBucketReplication {
                    region: primary.to_owned(),
                    bucket: bucket.to_owned(),
                },
            };
            plan.safety_net.push(SafetyNet {
                what: match &current {
                    Some(c) => format!(
                        "the current replication configuration of {bucket} ({} rule(s))",
                        c.rules.len()
                    ),
                    None => format!("that {bucket} has no replication configuration"),
                },
                saved: serde_json::to_value(&current).unwrap_or_default(),
                request: None,
            });
            plan.undo = Some(Undo {
                summary: format!("put the previous replication configuration of {bucket} back"),
                requests: vec![undo_request],
                waits: Vec::new(),
            });
            plan.notes
                .push(unreplicated_note(ctx, bucket, &replica).await);
        }
        if plan.requests.is_empty() {
            return Ok(plan.done(format!(
                "{bucket} already replicates everything to {replica} with RTC and metrics"
            )));
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let replica = plan.args.get("replica").unwrap_or_default();
        match ctx.cloud.get_replication(ctx.primary(), &plan.target).await {
            Ok(Some(c)) if c.rules.iter().any(|r| is_plan_rule(r, replica)) => Ok(()),
            Ok(_) => Err(format!("no enabled rule to {replica} with RTC reads back")),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

/// What a new rule leaves behind: the objects already in the bucket and not in the replica.
async fn unreplicated_note(ctx: &Context<'_>, bucket: &str, replica: &str) -> String {
    let (source, copy) = tokio::join!(
        ctx.cloud.count_objects(ctx.primary(), bucket, None),
        ctx.cloud.count_objects(ctx.backup(), replica, None),
    );
    let advice = "(S3 Batch Replication, or copy them)";
    match (source, copy) {
        (Ok(s), Ok(c)) => format!(
            "a new rule replicates new objects only: {} existing object(s) not replicated {advice}",
            s.objects.saturating_sub(c.objects)
        ),
        (Ok(s), Err(_)) => format!(
            "a new rule replicates new objects only: the {} existing object(s) are not replicated {advice}",
            s.objects
        ),
        (Err(e), _) => format!(
            "a new rule replicates new objects only; existing objects could not be counted ({e}) {advice}"
        ),
    }
}
