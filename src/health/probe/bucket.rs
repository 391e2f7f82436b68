//! The bucket probe: a primary bucket and its replica, observed together so both are counted
//! under the replication rule's prefix; cheap facts every poll, object counts only when due.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::{Observed, Probes, existence, split};
use crate::cloud::{CloudError, MetricQuery, ObjectCount, ReplicationRule};
use crate::config::Bucket;
use crate::health::{BucketFacts, CountSource, Facts, ObjectTally, ReplicaFacts, ResourceKind};

/// How far back the replication metrics are read: the sparkline's hour.
const METRICS_WINDOW: Duration = Duration::hours(1);
/// S3 storage metrics are daily and land up to a day late: three days finds the latest.
const STORAGE_WINDOW: Duration = Duration::days(3);

/// How a snapshot gets its object counts.
#[derive(Debug, Clone, Copy)]
pub(in crate::health) enum Counting<'c> {
    /// A count is due: CloudWatch's daily counts where both buckets have one and the rule
    /// covers the whole bucket, else list every object.
    Due,
    /// Asked for: list every object, whatever CloudWatch has.
    List,
    /// Between counts: carry these, make no count calls.
    Carry(&'c Counts),
}

/// The last counts, by resource, carried from one poll to the next.
#[derive(Debug, Clone, Default)]
pub(in crate::health) struct Counts(HashMap<(ResourceKind, String), ObjectTally>);

impl Counts {
    /// The counts a snapshot's facts hold.
    pub fn of(resources: &[crate::health::ResourceHealth]) -> Self {
        let mut counts = HashMap::new();
        for r in resources {
            let tally = match &r.facts {
                Facts::Bucket(f) => f.count.as_ref(),
                Facts::Replica(f) => f.count.as_ref(),
                _ => None,
            };
            if let Some(t) = tally {
                counts.insert((r.kind, r.name.clone()), t.clone());
            }
        }
        Self(counts)
    }

    /// Takes the newer counts; one that could not be taken this time keeps its last value,
    /// whose time says how old it is.
    pub fn update(&mut self, newer: Counts) {
        self.0.extend(newer.0);
    }

    /// The carried count, if it was taken under the same prefix.
    fn get(&self, kind: ResourceKind, name: &str, prefix: &str) -> Option<ObjectTally> {
        self.0
            .get(&(kind, name.to_owned()))
            .filter(|t| t.prefix == prefix)
            .cloned()
    }
}

fn listed(count: ObjectCount, prefix: &str, at: DateTime<Utc>) -> ObjectTally {
    ObjectTally {
        objects: count.objects,
        bytes: Some(count.bytes),
        prefix: prefix.to_owned(),
        source: CountSource::Listed,
        at,
    }
}

/// The rule that feeds the estate's replica, else the first enabled one, else any.
fn pick_rule(rules: &[ReplicationRule], wanted: Option<&str>) -> Option<ReplicationRule> {
    rules
        .iter()
        .find(|r| Some(r.destination_bucket.as_str()) == wanted)
        .or_else(|| rules.iter().find(|r| r.enabled))
        .or(rules.first())
        .cloned()
}

impl Probes<'_> {
    /// The bucket and, when the estate names one, its replica: one `Observed` each, every
    /// failed call kept with the resource it was about.
    pub async fn bucket_pair(&self, bucket: &Bucket, counting: Counting<'_>) -> Vec<Observed> {
        let replica_name = bucket.replica.as_deref();
        let (mut source, replica) = tokio::join!(self.bucket(bucket), async {
            match replica_name {
                Some(name) => Some(self.replica(bucket, name).await),
                None => None,
            }
        });
        let Some(mut replica) = replica else {
            self.count(&mut source, None, counting).await;
            return vec![source];
        };
        self.count(&mut source, Some(&mut replica), counting).await;
        if let (Facts::Bucket(b), Facts::Replica(r)) = (&mut source.facts, &replica.facts) {
            b.replica_exists = r.exists;
            b.replica_versioning = r.versioning;
        }
        vec![source, replica]
    }

    /// Head, versioning, replication rule and its metrics: a fixed number of calls, whatever
    /// the bucket holds.
    async fn bucket(&self, bucket: &Bucket) -> Observed {
        let (region, name) = (self.primary(), bucket.name.get_ref().as_str());
        let (head, versioning, replication) = tokio::join!(
            self.cloud.head_bucket(region, name),
            self.cloud.get_versioning(region, name),
            self.cloud.get_replication(region, name),
        );
        let mut errors = Vec::new();
        let mut facts = BucketFacts {
            exists: existence(&head),
            replica: bucket.replica.clone(),
            unreplicated_on_purpose: !bucket.replicate,
            threshold_percent: self.estate.s3.replica_threshold_percent,
            ..Default::default()
        };
        if facts.exists == Some(false) {
            return self.observed(
                ResourceKind::Bucket,
                name,
                region,
                Facts::Bucket(facts),
                errors,
            );
        }
        let _ = split(head, &mut errors);
        facts.versioning = split(versioning, &mut errors);
        let replication = split(replication, &mut errors);
        facts.replication_checked = replication.is_some();
        match replication
            .flatten()
            .and_then(|c| pick_rule(&c.rules, bucket.replica.as_deref()))
        {
            Some(rule) => {
                if let Err(e) = self.replication_metrics(name, &rule, &mut facts).await {
                    facts.metrics_error = Some(e.to_string());
                    errors.push(e);
                }
                facts.rule_prefix = Some(rule.prefix);
                facts.rule_id = rule.id;
                facts.rule_enabled = Some(rule.enabled);
                facts.rule_destination = Some(rule.destination_bucket);
            }
            // Without a rule nothing is filtered: the whole bucket is the data.
            None if facts.replication_checked => facts.rule_prefix = Some(String::new()),
            None => {}
        }
        self.observed(
            ResourceKind::Bucket,
            name,
            region,
            Facts::Bucket(facts),
            errors,
        )
    }

    /// S3 publishes these only where the rule has replication metrics on: no data is not an
    /// error, but a failed call is (AccessDenied says nothing about replication).
    async fn replication_metrics(
        &self,
        source: &str,
        rule: &ReplicationRule,
        facts: &mut BucketFacts,
    ) -> Result<(), CloudError> {
        // The order AWS documents; moto matches dimensions in order.
        let mut dimensions = vec![
            ("SourceBucket".to_owned(), source.to_owned()),
            (
                "DestinationBucket".to_owned(),
                rule.destination_bucket.clone(),
            ),
        ];
        if let Some(id) = &rule.id {
            dimensions.push(("RuleId".to_owned(), id.clone()));
        }
        let query = |id: &str, metric: &str, stat: &str| MetricQuery {
            id: id.to_owned(),
            namespace: "AWS/S3".to_owned(),
            metric: metric.to_owned(),
            dimensions: dimensions.clone(),
            stat: stat.to_owned(),
            period_secs: 300,
        };
        let queries = [
            query("latency", "ReplicationLatency", "Maximum"),
            query("pending", "OperationsPendingReplication", "Maximum"),
            query("failed", "OperationsFailedReplication", "Sum"),
        ];
        let end = self.cloud.now();
        let series = self
            .cloud
            .get_metric_data(self.primary(), &queries, end - METRICS_WINDOW, end)
            .await?;
        for s in series {
            let last = s.points.last().copied();
            match s.id.as_str() {
                "latency" => {
                    facts.replication_latency_secs = last.map(|(_, v)| v);
                    facts.replication_latency_at = last.map(|(t, _)| t);
                    facts.latency_series = s.points;
                }
                "pending" => facts.pending_operations = last.map(|(_, v)| v),
                _ if !s.points.is_empty() => {
                    facts.failed_operations = Some(s.points.iter().map(|(_, v)| v).sum());
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Head and versioning of the replica in the backup region.
    async fn replica(&self, bucket: &Bucket, replica: &str) -> Observed {
        let region = self.backup();
        let (head, versioning) = tokio::join!(
            self.cloud.head_bucket(region, replica),
            self.cloud.get_versioning(region, replica),
        );
        let mut errors = Vec::new();
        let mut facts = ReplicaFacts {
            source: bucket.name.get_ref().clone(),
            exists: existence(&head),
            ..Default::default()
        };
        if facts.exists != Some(false) {
            let _ = split(head, &mut errors);
            facts.versioning = split(versioning, &mut errors);
        }
        self.observed(
            ResourceKind::Replica,
            replica,
            region,
            Facts::Replica(facts),
            errors,
        )
    }

    /// Fills both buckets' counts, under the rule's prefix, and the completeness.
    async fn count(
        &self,
        source: &mut Observed,
        mut replica: Option<&mut Observed>,
        counting: Counting<'_>,
    ) {
        let Facts::Bucket(b) = &source.facts else {
            return;
        };
        let replica_gone = replica
            .as_deref()
            .is_some_and(|r| matches!(&r.facts, Facts::Replica(f) if f.exists == Some(false)));
        let source_gone = b.exists == Some(false);
        // An unread rule leaves the prefix unknown: count the whole replica, which is a fact
        // about it either way, and leave the source (whose calls failed) uncounted.
        let whole_bucket = b.rule_prefix.as_deref() == Some("");
        let prefix = b.rule_prefix.clone().unwrap_or_default();
        let count_source = !source_gone && b.rule_prefix.is_some();
        let count_replica = replica.is_some() && !replica_gone;
        let replica_name = replica.as_deref().map(|r| r.name.clone());

        let (source_tally, replica_tally) = match counting {
            Counting::Carry(counts) => (
                counts
                    .get(ResourceKind::Bucket, &source.name, &prefix)
                    .filter(|_| count_source),
                replica_name
                    .as_deref()
                    .and_then(|n| counts.get(ResourceKind::Replica, n, &prefix))
                    .filter(|_| count_replica),
            ),
            Counting::Due | Counting::List => {
                let from_cloudwatch = if matches!(counting, Counting::Due) && whole_bucket {
                    self.cloudwatch_counts(&source.name, replica_name.as_deref())
                        .await
                } else {
                    None
                };
                match from_cloudwatch {
                    Some(pair) => pair,
                    None => {
                        let (s, r) = tokio::join!(
                            async {
                                if count_source {
                                    Some(
                                        self.cloud
                                            .count_objects(
                                                self.primary(),
                                                &source.name,
                                                Some(prefix.as_str()).filter(|p| !p.is_empty()),
                                            )
                                            .await,
                                    )
                                } else {
                                    None
                                }
                            },
                            async {
                                match (&replica_name, count_replica) {
                                    (Some(name), true) => Some(
                                        self.cloud
                                            .count_objects(
                                                self.backup(),
                                                name,
                                                Some(prefix.as_str()).filter(|p| !p.is_empty()),
                                            )
                                            .await,
                                    ),
                                    _ => None,
                                }
                            }
                        );
                        let now = self.cloud.now();
                        let s = s.and_then(|r| split(r, &mut source.errors));
                        let r = match (r, replica.as_deref_mut()) {
                            (Some(r), Some(o)) => split(r, &mut o.errors),
                            _ => None,
                        };
                        (
                            s.map(|c| listed(c, &prefix, now)),
                            r.map(|c| listed(c, &prefix, now)),
                        )
                    }
                }
            }
        };

        let Facts::Bucket(b) = &mut source.facts else {
            return;
        };
        b.objects = source_tally.as_ref().map(|t| t.objects);
        b.bytes = source_tally.as_ref().and_then(|t| t.bytes);
        b.replica_objects = replica_tally.as_ref().map(|t| t.objects);
        b.completeness_percent = match (b.objects, b.replica_objects) {
            (Some(0), Some(_)) => Some(100.0),
            (Some(source), Some(replica)) => Some(replica as f64 / source as f64 * 100.0),
            _ => None,
        };
        b.count = source_tally;
        b.replica_count = replica_tally.clone();
        if let Some(Facts::Replica(r)) = replica.map(|o| &mut o.facts) {
            r.objects = replica_tally.as_ref().map(|t| t.objects);
            r.bytes = replica_tally.as_ref().and_then(|t| t.bytes);
            r.count = replica_tally;
        }
    }

    /// CloudWatch's daily `NumberOfObjects` of both buckets, when S3 has published it for
    /// each: one call per region instead of one LIST per 1,000 objects.
    async fn cloudwatch_counts(
        &self,
        source: &str,
        replica: Option<&str>,
    ) -> Option<(Option<ObjectTally>, Option<ObjectTally>)> {
        let (s, r) = tokio::join!(self.storage_count(self.primary(), source), async {
            match replica {
                Some(name) => self.storage_count(self.backup(), name).await,
                None => None,
            }
        });
        match (s, r, replica) {
            (Some(s), Some(r), Some(_)) => Some((Some(s), Some(r))),
            (Some(s), None, None) => Some((Some(s), None)),
            _ => None,
        }
    }

    /// The latest daily `AWS/S3 NumberOfObjects`, if any. A failure only means listing
    /// instead, which tells the same thing.
    async fn storage_count(&self, region: &str, bucket: &str) -> Option<ObjectTally> {
        let query = MetricQuery {
            id: "objects".to_owned(),
            namespace: "AWS/S3".to_owned(),
            metric: "NumberOfObjects".to_owned(),
            // The order AWS documents; moto matches dimensions in order.
            dimensions: vec![
                ("BucketName".to_owned(), bucket.to_owned()),
                ("StorageType".to_owned(), "AllStorageTypes".to_owned()),
            ],
            stat: "Average".to_owned(),
            period_secs: 86_400,
        };
        let end = self.cloud.now();
        let series = self
            .cloud
            .get_metric_data(region, &[query], end - STORAGE_WINDOW, end)
            .await
            .ok()?;
        let (at, objects) = series.first()?.points.last().copied()?;
        Some(ObjectTally {
            objects: objects.max(0.0).round() as u64,
            bytes: None,
            prefix: String::new(),
            source: CountSource::CloudWatch,
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn tally(objects: u64, hour: u32) -> ObjectTally {
        ObjectTally {
            objects,
            bytes: Some(objects * 10),
            prefix: String::new(),
            source: CountSource::Listed,
            at: Utc.with_ymd_and_hms(2026, 11, 24, hour, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_count_that_failed_keeps_the_last_one_with_its_time() {
        let key = |name: &str| (ResourceKind::Bucket, name.to_owned());
        let mut counts = Counts(HashMap::from([
            (key("a"), tally(1, 1)),
            (key("b"), tally(2, 1)),
        ]));
        // This time only "a" could be counted.
        counts.update(Counts(HashMap::from([(key("a"), tally(5, 2))])));
        assert_eq!(counts.get(ResourceKind::Bucket, "a", ""), Some(tally(5, 2)));
        assert_eq!(counts.get(ResourceKind::Bucket, "b", ""), Some(tally(2, 1)));
        // Taken under another prefix, it says nothing about the rule's prefix now.
        assert_eq!(counts.get(ResourceKind::Bucket, "b", "logs/"), None);
    }
}
