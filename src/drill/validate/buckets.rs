//! `validate`'s buckets: each replication rule as configured (enabled, to the estate's
//! replica, versioning on both sides) and the replica's completeness against
//! `[s3].replica_threshold_percent`, by objects and by versions, under the rule's prefix.

use futures::stream::{self, StreamExt};
use serde_json::json;

use super::{Finding, Kind, Verdict};
use crate::action::Context;
use crate::cloud::{CloudResult, VersionCount, Versioning};
use crate::config::{Estate, ValidateSettings};
use crate::health::{BucketFacts, Facts, ReplicaFacts, ResourceHealth, ResourceKind};

/// Every bucket of the estate, in the estate's order: its replication as configured, then its
/// replica's completeness. Reads only.
pub async fn check(ctx: &Context<'_>, _settings: &ValidateSettings) -> Vec<Finding> {
    let estate = ctx.estate;
    if estate.s3.buckets.is_empty() {
        return Vec::new();
    }
    let concurrency = estate.aws.max_concurrency.max(1);
    // The health probes and judges read the rules and count the objects; a snapshot of the
    // estate narrowed to its buckets runs exactly those, and nothing else.
    let snap = crate::health::snapshot(ctx.cloud, &buckets_only(estate), concurrency).await;
    let find = |kind: ResourceKind, name: &str| {
        snap.resources
            .iter()
            .find(|r| r.kind == kind && r.name == name)
    };
    let work = estate.s3.buckets.iter().map(|bucket| {
        let name = bucket.name.get_ref().as_str();
        let source = find(ResourceKind::Bucket, name);
        let replica = bucket
            .replica
            .as_deref()
            .and_then(|r| find(ResourceKind::Replica, r));
        async move {
            if !bucket.replicate && bucket.replica.is_none() {
                return vec![Finding::new(
                    Kind::Bucket,
                    name,
                    "replication",
                    Verdict::Pass,
                    format!(
                        "{name}: not replicated, on purpose (replicate = false): it is lost with {}",
                        ctx.primary()
                    ),
                )];
            }
            let Some(source) = source else {
                return vec![unread(name, "replication", "the health probe gave no result")];
            };
            let configured = replication(ctx, name, source, replica);
            let mut found = vec![configured];
            if let Some(completeness) = completeness(ctx, name, source, replica).await {
                found.push(completeness);
            }
            found
        }
    });
    stream::iter(work)
        .buffered(concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The estate with only its buckets left to probe: no tables, functions, records, alarms or
/// stacks (the services stay, for the RPO the judge measures replication latency against).
fn buckets_only(estate: &Estate) -> Estate {
    let mut only = estate.clone();
    only.dynamodb.tables.clear();
    only.lambda.prefix = None;
    only.lambda.functions.clear();
    only.lambda.ingestion_function = None;
    only.dns.records.clear();
    only.cloudwatch.alarms.clear();
    only.stacks.clear();
    for service in &mut only.services {
        service.functions.clear();
    }
    only
}

fn unread(name: &str, check: &str, why: &str) -> Finding {
    Finding::new(
        Kind::Bucket,
        name,
        check,
        Verdict::Unknown,
        format!("{name}: could not check: {why}"),
    )
}

fn words(v: Option<Versioning>) -> &'static str {
    match v {
        Some(Versioning::Enabled) => "on",
        Some(Versioning::Suspended) => "suspended",
        Some(Versioning::Disabled) => "off",
        None => "unknown",
    }
}

/// The rule and versioning, from the probe's facts: every condition S3 needs to copy new
/// objects to the replica the estate names.
fn replication(
    ctx: &Context<'_>,
    name: &str,
    source: &ResourceHealth,
    replica: Option<&ResourceHealth>,
) -> Finding {
    let Facts::Bucket(f) = &source.facts else {
        return unread(name, "replication", "no bucket facts");
    };
    let r = replica.and_then(|r| match &r.facts {
        Facts::Replica(f) => Some(f),
        _ => None,
    });
    let figures = json!({
        "rule_id": f.rule_id,
        "rule_enabled": f.rule_enabled,
        "rule_prefix": f.rule_prefix,
        "destination": f.rule_destination,
        "replica": f.replica,
        "versioning": words(f.versioning),
        "replica_versioning": words(r.and_then(|r| r.versioning)),
        "health": { "status": source.status, "reasons": source.reasons },
    });
    let (verdict, why) = replication_verdict(ctx, f, r, source, replica);
    Finding::new(
        Kind::Bucket,
        name,
        "replication",
        verdict,
        format!("{name}: {why}"),
    )
    .with_figures(figures)
}

fn replication_verdict(
    ctx: &Context<'_>,
    f: &BucketFacts,
    r: Option<&ReplicaFacts>,
    source: &ResourceHealth,
    replica: Option<&ResourceHealth>,
) -> (Verdict, String) {
    let error = |h: &ResourceHealth| h.error.clone().unwrap_or_else(|| "unread".to_owned());
    if f.exists == Some(false) {
        return (
            Verdict::Fail,
            format!("bucket does not exist in {}", ctx.primary()),
        );
    }
    let Some(wanted) = f.replica.as_deref() else {
        return (
            Verdict::Fail,
            format!(
                "no replica named in the estate file: losing {} loses the bucket (say \
                 replicate = false if that is intended)",
                ctx.primary()
            ),
        );
    };
    if !f.replication_checked || f.versioning.is_none() {
        return (
            Verdict::Unknown,
            format!("could not read its replication: {}", error(source)),
        );
    }
    let mut wrong = Vec::new();
    match (&f.rule_destination, f.rule_enabled) {
        (None, _) => wrong.push(format!(
            "no replication rule: nothing is copied to {wanted}"
        )),
        (Some(dest), _) if dest != wanted => wrong.push(format!(
            "replicates to {dest}, but the estate file names {wanted}"
        )),
        (Some(_), Some(false)) => wrong.push(format!(
            "replication rule {} is disabled",
            f.rule_id.as_deref().unwrap_or("(unnamed)")
        )),
        _ => {}
    }
    if f.versioning != Some(Versioning::Enabled) {
        wrong.push(format!(
            "versioning is {}: replication needs it on",
            words(f.versioning)
        ));
    }
    match r {
        Some(r) if r.exists == Some(false) => wrong.push(format!(
            "replica {wanted} does not exist in {}",
            ctx.backup()
        )),
        Some(r) if r.versioning.is_some() && r.versioning != Some(Versioning::Enabled) => wrong
            .push(format!(
                "versioning of replica {wanted} is {}: S3 cannot replicate into it",
                words(r.versioning)
            )),
        Some(r) if r.versioning.is_some() => {}
        _ if wrong.is_empty() => {
            let why = replica.map_or_else(|| "no result".to_owned(), error);
            return (
                Verdict::Unknown,
                format!("could not read replica {wanted} in {}: {why}", ctx.backup()),
            );
        }
        _ => {}
    }
    if !wrong.is_empty() {
        return (Verdict::Fail, wrong.join("; "));
    }
    let prefix = match f.rule_prefix.as_deref() {
        Some(p) if !p.is_empty() => format!(" (objects under {p})"),
        _ => String::new(),
    };
    (
        Verdict::Pass,
        format!(
            "rule {} enabled, replicating to {wanted} in {}{prefix}; versioning on both sides",
            f.rule_id.as_deref().unwrap_or("(unnamed)"),
            ctx.backup()
        ),
    )
}

/// Replica over source, under the rule's prefix: objects as the probe counted them, versions
/// counted here the same way. Either below the threshold fails.
async fn completeness(
    ctx: &Context<'_>,
    name: &str,
    source: &ResourceHealth,
    replica: Option<&ResourceHealth>,
) -> Option<Finding> {
    let Facts::Bucket(f) = &source.facts else {
        return None;
    };
    let wanted = f.replica.as_deref()?;
    if f.exists == Some(false) {
        return None;
    }
    let replica_gone =
        replica.is_some_and(|r| matches!(&r.facts, Facts::Replica(r) if r.exists == Some(false)));
    if replica_gone {
        return None; // the replication finding says it
    }
    let threshold = f.threshold_percent;
    let Some(prefix) = f.rule_prefix.clone() else {
        return Some(
            unread(
                name,
                "completeness",
                &format!(
                    "the replication rule could not be read, so the prefix to count under is \
                     unknown ({})",
                    source.error.as_deref().unwrap_or("unread")
                ),
            )
            .with_figures(json!({ "threshold_percent": threshold })),
        );
    };
    let under = Some(prefix.as_str()).filter(|p| !p.is_empty());
    let (source_versions, replica_versions) = tokio::join!(
        ctx.cloud.count_versions(ctx.primary(), name, under),
        ctx.cloud.count_versions(ctx.backup(), wanted, under),
    );
    Some(judge_completeness(
        name,
        &prefix,
        threshold,
        (f.objects, f.replica_objects),
        (source_versions, replica_versions),
        f.count.as_ref().map(|c| c.source),
        source
            .error
            .as_deref()
            .or(replica.and_then(|r| r.error.as_deref())),
    ))
}

fn percent(replica: u64, source: u64) -> f64 {
    if source == 0 {
        100.0
    } else {
        replica as f64 / source as f64 * 100.0
    }
}

fn judge_completeness(
    name: &str,
    prefix: &str,
    threshold: f64,
    objects: (Option<u64>, Option<u64>),
    versions: (CloudResult<VersionCount>, CloudResult<VersionCount>),
    counted_by: Option<crate::health::CountSource>,
    probe_error: Option<&str>,
) -> Finding {
    let under = if prefix.is_empty() {
        String::new()
    } else {
        format!(" under prefix {prefix}")
    };
    let versions_error = [&versions.0, &versions.1]
        .iter()
        .find_map(|v| v.as_ref().err().map(ToString::to_string));
    let (source_v, replica_v) = (versions.0.ok(), versions.1.ok());
    let mut figures = json!({
        "prefix": prefix,
        "threshold_percent": threshold,
        "source_objects": objects.0,
        "replica_objects": objects.1,
        "objects_counted_by": counted_by,
        "source_versions": source_v.map(|v| v.versions),
        "replica_versions": replica_v.map(|v| v.versions),
        "source_delete_markers": source_v.map(|v| v.delete_markers),
        "replica_delete_markers": replica_v.map(|v| v.delete_markers),
    });
    let (Some(so), Some(ro), Some(sv), Some(rv)) = (objects.0, objects.1, source_v, replica_v)
    else {
        let why = probe_error
            .map(str::to_owned)
            .or(versions_error)
            .unwrap_or_else(|| "a count was not taken".to_owned());
        return unread(
            name,
            "completeness",
            &format!("could not count{under}: {why}"),
        )
        .with_figures(figures);
    };
    let (objects_pct, versions_pct) = (percent(ro, so), percent(rv.versions, sv.versions));
    figures["objects_percent"] = json!(objects_pct);
    figures["versions_percent"] = json!(versions_pct);
    let said = format!(
        "replica holds {objects_pct:.1}% of objects ({} of {}) and {versions_pct:.1}% of \
         versions ({} of {}){under}, threshold {threshold}%",
        thousands(ro),
        thousands(so),
        thousands(rv.versions),
        thousands(sv.versions),
    );
    // The probe takes S3's daily storage metric where both buckets publish one: a day old at
    // most, and counting every version, so it is said.
    let said = if counted_by == Some(crate::health::CountSource::CloudWatch) {
        format!("{said} (objects by CloudWatch's daily NumberOfObjects)")
    } else {
        said
    };
    let verdict = if objects_pct < threshold || versions_pct < threshold {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    Finding::new(
        Kind::Bucket,
        name,
        "completeness",
        verdict,
        format!("{name}: {said}"),
    )
    .with_figures(figures)
}

/// 1234567 → "1,234,567": a count a tired reader takes in at a glance.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::{CloudError, ErrorKind};

    fn counted(versions: u64) -> CloudResult<VersionCount> {
        Ok(VersionCount {
            versions,
            delete_markers: 0,
        })
    }

    #[test]
    fn a_short_replica_fails_with_its_figures_and_prefix() {
        let f = judge_completeness(
            "flightdata-raw",
            "data/",
            95.0,
            (Some(1000), Some(900)),
            (counted(1000), counted(900)),
            None,
            None,
        );
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(
            f.message,
            "flightdata-raw: replica holds 90.0% of objects (900 of 1,000) and 90.0% of \
             versions (900 of 1,000) under prefix data/, threshold 95%"
        );
        assert_eq!(f.figures["objects_percent"], json!(90.0));
    }

    #[test]
    fn missing_versions_alone_fail_too() {
        let f = judge_completeness(
            "b",
            "",
            95.0,
            (Some(10), Some(10)),
            (counted(40), counted(10)),
            None,
            None,
        );
        assert_eq!(f.verdict, Verdict::Fail, "{}", f.message);
    }

    #[test]
    fn an_empty_source_is_complete() {
        let f = judge_completeness(
            "b",
            "",
            95.0,
            (Some(0), Some(0)),
            (counted(0), counted(0)),
            None,
            None,
        );
        assert_eq!(f.verdict, Verdict::Pass);
    }

    #[test]
    fn a_count_that_failed_is_unknown_never_a_pass() {
        let err = CloudError::new("s3", "ListObjectVersions", ErrorKind::Unreachable, "down");
        let f = judge_completeness(
            "b",
            "",
            95.0,
            (Some(10), Some(10)),
            (counted(10), Err(err)),
            None,
            None,
        );
        assert_eq!(f.verdict, Verdict::Unknown);
        assert!(f.message.contains("down"), "{}", f.message);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

/// On the simulated estate, which models what moto cannot: replicas that fall behind, a rule
/// that went missing, a region that does not answer.
#[cfg(test)]
mod on_the_sim {
    use super::*;
    use crate::cloud::sim::Fault;

    async fn findings(faults: &[Fault]) -> Vec<Finding> {
        let (estate, sim, now) = crate::drill::validate::example_on_sim(faults);
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now,
        };
        check(&ctx, &ValidateSettings::default()).await
    }

    fn verdict(found: &[Finding], resource: &str, check: &str) -> Verdict {
        found
            .iter()
            .find(|f| f.resource == resource && f.check == check)
            .map(|f| f.verdict)
            .unwrap_or_else(|| panic!("no {resource} {check} in {found:#?}"))
    }

    #[tokio::test]
    async fn a_lagging_replica_fails_its_completeness_and_keeps_its_rule() {
        let found = findings(&[Fault::ReplicaLag]).await;
        let lagging = found
            .iter()
            .find(|f| f.resource == "flightdata-processed" && f.check == "completeness")
            .expect("a completeness finding");
        assert_eq!(lagging.verdict, Verdict::Fail);
        assert!(
            lagging.message.contains("88.0% of objects (374 of 425)"),
            "{}",
            lagging.message
        );
        assert_eq!(
            verdict(&found, "flightdata-processed", "replication"),
            Verdict::Pass
        );
        assert_eq!(
            verdict(&found, "flightdata-raw", "completeness"),
            Verdict::Pass
        );
    }

    #[tokio::test]
    async fn a_lost_rule_fails_even_while_the_replica_is_still_nearly_complete() {
        let found = findings(&[Fault::ReplicationBroken]).await;
        let rule = found
            .iter()
            .find(|f| f.resource == "flightdata-raw" && f.check == "replication")
            .expect("a replication finding");
        assert_eq!(rule.verdict, Verdict::Fail);
        assert_eq!(
            rule.message,
            "flightdata-raw: no replication rule: nothing is copied to \
             flightdata-raw-backup-us-west-2"
        );
    }

    #[tokio::test]
    async fn a_rule_with_a_prefix_is_measured_under_that_prefix_alone() {
        use crate::cloud::{ReplicationConfig, ReplicationRule, Storage, WriteRequest, Writes};
        let (estate, sim, now) = crate::drill::validate::example_on_sim(&[Fault::ReplicaLag]);
        let (bucket, replica) = (
            "flightdata-processed",
            "flightdata-processed-backup-us-west-2",
        );
        let first = sim
            .list_objects("us-east-1", bucket, None, Some(1))
            .await
            .expect("the sim's objects");
        // The first object's own folder: a part of the bucket.
        let key = &first[0].key;
        let prefix = key[..=key.rfind('/').expect("a key in a folder")].to_owned();
        let rule = ReplicationRule {
            id: Some("only-some".into()),
            enabled: true,
            priority: Some(1),
            prefix: prefix.clone(),
            destination_arn: format!("arn:aws:s3:::{replica}"),
            destination_bucket: replica.into(),
            storage_class: None,
            delete_marker_replication: false,
            replication_time: false,
            metrics: false,
        };
        let put = WriteRequest::PutBucketReplication {
            region: "us-east-1".into(),
            bucket: bucket.into(),
            configuration: ReplicationConfig {
                role: "arn:aws:iam::123456789012:role/s3-replication-role".into(),
                rules: vec![rule],
            },
        };
        sim.send(&put, &crate::action::Authority::for_tests())
            .await
            .expect("the rule is put");
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now,
        };
        let found = check(&ctx, &ValidateSettings::default()).await;
        let c = found
            .iter()
            .find(|f| f.resource == bucket && f.check == "completeness")
            .expect("a completeness finding");
        let (source, copied) = (
            sim.count_objects("us-east-1", bucket, Some(&prefix))
                .await
                .unwrap(),
            sim.count_objects("us-west-2", replica, Some(&prefix))
                .await
                .unwrap(),
        );
        let whole = sim.count_objects("us-east-1", bucket, None).await.unwrap();
        assert!(
            source.objects < whole.objects,
            "{prefix} holds part of the bucket, not all of it"
        );
        assert!(
            c.message.contains(&format!("under prefix {prefix}")),
            "{}",
            c.message
        );
        assert_eq!(c.figures["prefix"], prefix.as_str());
        assert_eq!(c.figures["source_objects"], source.objects);
        assert_eq!(c.figures["replica_objects"], copied.objects);
    }

    #[tokio::test]
    async fn a_primary_that_does_not_answer_leaves_every_bucket_unknown() {
        let found = findings(&[Fault::RegionOutage]).await;
        assert_eq!(found.len(), 6, "{found:#?}");
        assert!(
            found.iter().all(|f| f.verdict == Verdict::Unknown),
            "{found:#?}"
        );
    }
}
