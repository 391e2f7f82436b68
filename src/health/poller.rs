//! The snapshot: every probe fanned out with bounded concurrency, then judged in one pass;
//! and the poller task that takes one on an interval or on demand.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::probe::{Observed, Probes};
use super::{Facts, HealthSnapshot, ResourceHealth, ResourceKind, Status, judge, service_health};
use crate::cloud::{Cloud, CloudError};
use crate::config::{Estate, Service};

/// Takes one snapshot of the whole estate. `concurrency` bounds how many probes run at once;
/// with enough of it, the time approaches the slowest probe rather than the sum of all.
pub async fn snapshot(cloud: &dyn Cloud, estate: &Estate, concurrency: usize) -> HealthSnapshot {
    let started = std::time::Instant::now();
    let probes = Probes::new(cloud, estate);
    let primary = estate.regions.primary.get_ref();

    let (identity, listed) = tokio::join!(cloud.caller_identity(), async {
        match &estate.lambda.prefix {
            Some(prefix) => Some(cloud.list_functions(primary, Some(prefix)).await),
            None => None,
        }
    });
    let mut functions: Vec<String> = estate
        .lambda
        .functions
        .iter()
        .map(|f| f.get_ref().clone())
        .collect();
    let mut observed = Vec::new();
    match listed {
        Some(Ok(found)) => functions.extend(found.into_iter().map(|f| f.name)),
        Some(Err(e)) => {
            // Without the list, functions known only by prefix cannot be named: say so.
            let name = format!("{}*", estate.lambda.prefix.as_deref().unwrap_or_default());
            observed.push(unlisted_functions(&name, primary, e, cloud.now()));
        }
        None => {}
    }
    // A function a service or the ingestion switch names must be checked even when the
    // prefix listing no longer returns it: that is exactly the one that was deleted.
    functions.extend(
        estate
            .services
            .iter()
            .flat_map(|s| s.functions.iter().map(|f| f.get_ref().clone())),
    );
    functions.extend(
        estate
            .lambda
            .ingestion_function
            .iter()
            .map(|f| f.get_ref().clone()),
    );
    functions.sort();
    functions.dedup();

    let mut work: Vec<BoxFuture<'_, Vec<Observed>>> = Vec::new();
    for table in &estate.dynamodb.tables {
        work.push(Box::pin(async {
            vec![probes.table(table.get_ref()).await]
        }));
    }
    for bucket in &estate.s3.buckets {
        work.push(Box::pin(async { vec![probes.bucket(bucket).await] }));
        if let Some(replica) = &bucket.replica {
            work.push(Box::pin(async {
                vec![probes.replica(bucket, replica).await]
            }));
        }
    }
    for function in &functions {
        work.push(Box::pin(async { vec![probes.function(function).await] }));
    }
    for record in &estate.dns.records {
        work.push(Box::pin(async { vec![probes.dns(record).await] }));
    }
    work.push(Box::pin(probes.alarms()));

    let results: Vec<Vec<Observed>> = stream::iter(work)
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    observed.extend(results.into_iter().flatten());
    join_replicas(&mut observed);

    let now = cloud.now();
    let mut resources: Vec<ResourceHealth> = observed
        .into_iter()
        .map(|o| judged(o, estate, now))
        .collect();
    resources.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let services = estate
        .services
        .iter()
        .map(|s| service_health(s, &resources))
        .collect();
    let snap = HealthSnapshot {
        generated_at: now,
        estate: estate.name.clone(),
        account: identity.ok().map(|i| i.account),
        primary_region: primary.clone(),
        backup_region: estate.regions.backup.get_ref().clone(),
        services,
        resources,
    };
    log_refresh(&snap, started.elapsed());
    snap
}

/// One log line per snapshot: how long it took and what it found.
fn log_refresh(snap: &HealthSnapshot, took: Duration) {
    let count = |status| snap.resources.iter().filter(|r| r.status == status).count();
    tracing::info!(
        duration_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        resources = snap.resources.len(),
        ok = count(Status::Ok),
        warn = count(Status::Warn),
        unknown = count(Status::Unknown),
        critical = count(Status::Critical),
        overall = ?snap.overall(),
        "refresh"
    );
}

fn unlisted_functions(name: &str, region: &str, error: CloudError, now: DateTime<Utc>) -> Observed {
    Observed {
        kind: ResourceKind::Function,
        name: name.to_owned(),
        region: region.to_owned(),
        facts: Facts::Function(Default::default()),
        errors: vec![error],
        fetched_at: now,
    }
}

/// Replica completeness needs both buckets' counts, which two probes fetched.
fn join_replicas(observed: &mut [Observed]) {
    let counts: Vec<(String, Option<u64>, Option<bool>)> = observed
        .iter()
        .filter_map(|o| match &o.facts {
            Facts::Replica(r) => Some((r.source.clone(), r.objects, r.exists)),
            _ => None,
        })
        .collect();
    for o in observed.iter_mut() {
        let Facts::Bucket(b) = &mut o.facts else {
            continue;
        };
        let Some((_, replica_objects, _)) = counts.iter().find(|(source, _, _)| *source == o.name)
        else {
            continue;
        };
        b.replica_objects = *replica_objects;
        b.completeness_percent = match (b.objects, *replica_objects) {
            (Some(0), Some(_)) => Some(100.0),
            (Some(source), Some(replica)) => {
                Some((replica as f64 / source as f64 * 100.0).min(100.0))
            }
            _ => None,
        };
    }
}

fn services_of<'a>(
    estate: &'a Estate,
    kind: ResourceKind,
    name: &'a str,
    facts: &'a Facts,
) -> Vec<&'a Service> {
    match (kind, facts) {
        (ResourceKind::Table, _) => estate.services_for_table(name).collect(),
        (ResourceKind::Bucket, _) => estate.services_for_bucket(name).collect(),
        (ResourceKind::Replica, Facts::Replica(r)) => {
            estate.services_for_bucket(&r.source).collect()
        }
        (ResourceKind::Function, _) => estate.services_for_function(name).collect(),
        (ResourceKind::Dns, _) => estate.services_for_dns(name).collect(),
        (ResourceKind::Alarm, _) => estate.services_for_alarm(name).collect(),
        _ => Vec::new(),
    }
}

fn judged(o: Observed, estate: &Estate, now: DateTime<Utc>) -> ResourceHealth {
    let services = services_of(estate, o.kind, &o.name, &o.facts);
    let rpo_target_secs = services.iter().map(|s| s.rpo.as_secs()).min();
    let backup_region = estate.regions.backup.get_ref();
    let mut verdict = match &o.facts {
        Facts::Table(f) => judge::table(f, rpo_target_secs, now),
        Facts::Bucket(f) => judge::bucket(f, rpo_target_secs, backup_region),
        Facts::Replica(f) => judge::replica(f, backup_region),
        Facts::Function(f) => judge::function(
            f,
            estate.lambda.backup_bucket.as_deref(),
            estate.lambda.backup_every.as_secs(),
            now,
        ),
        Facts::Dns(f) => judge::dns(f),
        Facts::Alarm(f) => judge::alarm(f),
    };
    if let Some(first) = o.errors.first() {
        // Facts we could not read are not facts: never let them pass as healthy.
        verdict.status = verdict.status.max(Status::Unknown);
        verdict
            .reasons
            .insert(0, format!("could not check: {first}"));
    }
    ResourceHealth {
        kind: o.kind,
        service: services.first().map(|s| s.name.clone()),
        services: services.iter().map(|s| s.name.clone()).collect(),
        name: o.name,
        region: o.region,
        status: verdict.status,
        reasons: verdict.reasons,
        rpo_exposure_secs: verdict.exposure_secs,
        rpo_target_secs,
        region_loss: verdict.region_loss,
        facts: o.facts,
        error: o.errors.first().map(ToString::to_string),
        fetched_at: o.fetched_at,
    }
}

#[derive(Debug, Clone)]
pub struct PollerOptions {
    pub interval: Duration,
    pub concurrency: usize,
}

/// Takes a snapshot now, then every `interval` or whenever asked; stops when dropped.
pub struct Poller {
    refresh: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Poller {
    /// `deliver` gets each snapshot; the poller stops by itself once it returns false
    /// (the receiving side has gone).
    pub fn spawn<F>(
        cloud: Arc<dyn Cloud>,
        estate: Arc<Estate>,
        options: PollerOptions,
        mut deliver: F,
    ) -> Self
    where
        F: FnMut(HealthSnapshot) -> bool + Send + 'static,
    {
        let refresh = Arc::new(Notify::new());
        let wake = Arc::clone(&refresh);
        let task = tokio::spawn(async move {
            loop {
                let snap = snapshot(cloud.as_ref(), &estate, options.concurrency).await;
                if !deliver(snap) {
                    return;
                }
                tokio::select! {
                    () = tokio::time::sleep(options.interval) => {}
                    () = wake.notified() => {}
                }
            }
        });
        Self { refresh, task }
    }

    /// Starts the next snapshot now instead of at the end of the interval.
    pub fn refresh_now(&self) {
        self.refresh.notify_one();
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.task.abort();
    }
}
