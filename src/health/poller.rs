//! The snapshot: every probe fanned out with bounded concurrency, then judged in one pass;
//! and the poller task that takes one on an interval or on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::probe::{Counting, Counts, Observed, Probes};
use super::regions::{self, RegionRole};
use super::{Facts, HealthSnapshot, ResourceHealth, ResourceKind, Status, judge, service_health};
use crate::cloud::{Cloud, CloudError, ErrorKind, identity_via_any};
use crate::config::{Estate, Service};

/// Takes one snapshot of the whole estate, object counts included (from CloudWatch's daily
/// storage metrics where S3 publishes them, else by listing every object). `concurrency`
/// bounds how many probes run at once; with enough of it, the time approaches the slowest
/// probe rather than the sum of all.
pub async fn snapshot(cloud: &dyn Cloud, estate: &Estate, concurrency: usize) -> HealthSnapshot {
    snapshot_with(cloud, estate, concurrency, Counting::Due, None).await
}

/// A snapshot whose object counts come as `counting` says.
async fn snapshot_with(
    cloud: &dyn Cloud,
    estate: &Estate,
    concurrency: usize,
    counting: Counting<'_>,
    next_count_at: Option<DateTime<Utc>>,
) -> HealthSnapshot {
    let started = std::time::Instant::now();
    let probes = Probes::new(cloud, estate);
    let primary = estate.regions.primary.get_ref();

    let backup = estate.regions.backup.get_ref();
    // The account through any region that answers: a dead primary is not "no account".
    let both = [primary.as_str(), backup.as_str()];
    let ((identity, identities), listed) = tokio::join!(identity_via_any(cloud, &both), async {
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
        work.push(Box::pin(probes.bucket_pair(bucket, counting)));
    }
    for function in &functions {
        work.push(Box::pin(async { vec![probes.function(function).await] }));
    }
    for record in &estate.dns.records {
        work.push(Box::pin(async { vec![probes.dns(record).await] }));
    }
    work.push(Box::pin(probes.alarms()));
    for stack in &estate.stacks {
        work.push(Box::pin(async { vec![probes.stack(stack).await] }));
    }

    let results: Vec<Vec<Observed>> = stream::iter(work)
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    observed.extend(results.into_iter().flatten());
    let regions = regions::assess(
        &[
            (primary.clone(), RegionRole::Primary),
            (backup.clone(), RegionRole::Backup),
        ],
        &identities,
        &observed,
    );
    let down: Vec<&str> = regions
        .iter()
        .filter(|r| r.is_unreachable())
        .map(|r| r.region.as_str())
        .collect();

    let now = cloud.now();
    let mut resources: Vec<ResourceHealth> = observed
        .into_iter()
        .map(|o| judged(o, estate, now, &down))
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
        identity_error: identity.as_ref().err().cloned(),
        account: identity.ok().map(|i| i.account),
        primary_region: primary.clone(),
        backup_region: backup.clone(),
        regions,
        services,
        resources,
        next_count_at,
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

/// `down`: the regions found unreachable in this snapshot. A resource there that could not be
/// read is said in few words; any other failure keeps the service's words in the reason.
fn judged(o: Observed, estate: &Estate, now: DateTime<Utc>, down: &[&str]) -> ResourceHealth {
    let services = services_of(estate, o.kind, &o.name, &o.facts);
    let rpo_target_secs = services.iter().map(|s| s.rpo.as_secs()).min();
    let (primary, backup) = (
        estate.regions.primary.get_ref(),
        estate.regions.backup.get_ref(),
    );
    let mut verdict = match &o.facts {
        Facts::Table(f) => judge::table(f, rpo_target_secs, now),
        Facts::Bucket(f) => judge::bucket(f, rpo_target_secs, (primary, backup), now),
        Facts::Replica(f) => judge::replica(f, backup),
        Facts::Function(f) => judge::function(
            f,
            estate.lambda.backup_bucket.as_deref(),
            estate.lambda.backup_every.as_secs(),
            rpo_target_secs,
            now,
        ),
        Facts::Dns(f) => judge::dns(f),
        Facts::Alarm(f) => judge::alarm(f),
        Facts::Stack(f) => judge::stack(f),
    };
    if let Some(first) = o.errors.first() {
        // Facts we could not read are not facts: never let them pass as healthy. A region
        // that does not answer is said in few words; `error` keeps the service's own.
        let silent = matches!(first.kind, ErrorKind::Unreachable | ErrorKind::Timeout);
        let why = if silent && down.contains(&o.region.as_str()) {
            format!(
                "could not check: {} did not answer ({} {})",
                o.region, first.service, first.operation
            )
        } else {
            format!("could not check: {first}")
        };
        verdict = verdict.also(Status::Unknown, why);
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
///
/// Object counts list every object, so they are taken on their own cadence
/// (`[s3].count_every`) and on demand ([`Poller::count_now`]); the snapshots in between carry
/// the last counts, each with its time.
pub struct Poller {
    refresh: Arc<Notify>,
    count_wanted: Arc<AtomicBool>,
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
        let count_wanted = Arc::new(AtomicBool::new(false));
        let (wake, wanted) = (Arc::clone(&refresh), Arc::clone(&count_wanted));
        let task = tokio::spawn(async move {
            let count_every = estate.s3.count_every.as_duration();
            let mut last_count: Option<Instant> = None;
            let mut counts = Counts::default();
            loop {
                let asked = wanted.swap(false, Ordering::SeqCst);
                let due = last_count.is_none_or(|t| t.elapsed() >= count_every);
                let counting = match (asked, due) {
                    (true, _) => Counting::List,
                    (false, true) => Counting::Due,
                    (false, false) => Counting::Carry(&counts),
                };
                let counted = !matches!(counting, Counting::Carry(_));
                let since = if counted {
                    Duration::ZERO
                } else {
                    last_count.map_or(Duration::ZERO, |t| t.elapsed())
                };
                let next = cloud.now()
                    + chrono::Duration::from_std(count_every.saturating_sub(since))
                        .unwrap_or_default();
                let snap = snapshot_with(
                    cloud.as_ref(),
                    &estate,
                    options.concurrency,
                    counting,
                    Some(next),
                )
                .await;
                if counted {
                    last_count = Some(Instant::now());
                    counts.update(Counts::of(&snap.resources));
                }
                if !deliver(snap) {
                    return;
                }
                tokio::select! {
                    () = tokio::time::sleep(options.interval) => {}
                    () = wake.notified() => {}
                }
            }
        });
        Self {
            refresh,
            count_wanted,
            task,
        }
    }

    /// Starts the next snapshot now instead of at the end of the interval.
    pub fn refresh_now(&self) {
        self.refresh.notify_one();
    }

    /// Starts the next snapshot now, listing every object of every bucket and replica to
    /// count them (whatever CloudWatch has): a count that is minutes old at most.
    pub fn count_now(&self) {
        self.count_wanted.store(true, Ordering::SeqCst);
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
