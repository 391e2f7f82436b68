//! Buckets and replicas against moto over HTTP: what one poll costs whatever the buckets
//! hold, counts from CloudWatch's daily storage metrics, and the replication judgements moto
//! can show. Where moto ignores what was sent (it reads every rule's filter back as ""), the
//! request is checked with moto's recorder and the judgement over the simulated estate.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::recorder::Recorded;
use common::*;
use drconsole::config::Estate;
use drconsole::health::{
    BucketFacts, CountSource, Facts, HealthSnapshot, Poller, PollerOptions, ResourceKind, Status,
    snapshot,
};
use tokio::sync::mpsc;
use tokio::time::timeout;

const SOURCE: &str = "flightdata-raw";
const PATIENCE: Duration = Duration::from_secs(120);

fn replica() -> String {
    replica_of(SOURCE)
}

/// One bucket, replicated as the plan does it, used by a service with a 15-minute RPO;
/// `extra` is appended (more buckets, other keys).
fn estate(buckets: &str) -> Estate {
    let toml = format!(
        "name = \"buckets\"\n[regions]\nprimary = \"{PRIMARY_REGION}\"\nbackup = \"{BACKUP_REGION}\"\n\
         {buckets}\n\
         [[services]]\nname = \"Data Ingestion Pipeline\"\npriority = \"P0\"\nrto = \"2h\"\n\
         rpo = \"15m\"\nbuckets = [\"{SOURCE}\"]\n"
    );
    drconsole::config::parse(&toml, std::path::Path::new("estate.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn replicated_estate() -> Estate {
    estate(&format!(
        "[[s3.buckets]]\nname = \"{SOURCE}\"\nreplica = \"{}\"\n",
        replica()
    ))
}

/// The source and its replica, versioned, with the plan's rule, `objects` in each.
async fn seed_pair(env: &MotoEnv, objects: usize) {
    create_bucket(env, BACKUP_REGION, &replica()).await;
    enable_versioning(env, BACKUP_REGION, &replica()).await;
    create_bucket(env, PRIMARY_REGION, SOURCE).await;
    enable_versioning(env, PRIMARY_REGION, SOURCE).await;
    put_replication(env, PRIMARY_REGION, SOURCE, &replica()).await;
    let (data, replica) = (data_objects(objects), replica());
    tokio::join!(
        put_objects(env, PRIMARY_REGION, SOURCE, data.clone()),
        put_objects(env, BACKUP_REGION, &replica, data),
    );
}

fn bucket_facts<'a>(snap: &'a HealthSnapshot, name: &str) -> &'a BucketFacts {
    let r = snap
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Bucket && r.name == name)
        .unwrap_or_else(|| panic!("no bucket {name}: {:#?}", snap.resources));
    match &r.facts {
        Facts::Bucket(f) => f,
        other => panic!("{name}: {other:?}"),
    }
}

fn is_listing(r: &Recorded) -> bool {
    r.method == "GET" && r.url.contains("list-type=2")
}

/// Each request as operation and region: what it costs, whatever its times say.
fn calls(recorded: &[Recorded]) -> Vec<String> {
    let mut calls: Vec<String> = recorded
        .iter()
        .map(|r| format!("{} {}", r.region.as_deref().unwrap_or("-"), r.operation()))
        .collect();
    calls.sort();
    calls
}

async fn next(rx: &mut mpsc::UnboundedReceiver<HealthSnapshot>) -> HealthSnapshot {
    timeout(PATIENCE, rx.recv())
        .await
        .expect("a snapshot")
        .expect("the poller is running")
}

/// The console's poller over a pair of `objects` each: the requests of its first poll (which
/// counts) and of the next one (which carries the counts).
async fn poll_requests(env: &MotoEnv, objects: usize) -> (Vec<Recorded>, Vec<Recorded>) {
    seed_pair(env, objects).await;
    let cloud = Arc::new(env.cloud().await);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = PollerOptions {
        interval: Duration::from_secs(3600),
        concurrency: 8,
    };
    env.start_recording();
    let poller = Poller::spawn(cloud, Arc::new(replicated_estate()), options, move |s| {
        tx.send(s).is_ok()
    });
    let first = next(&mut rx).await;
    let counting = env.stop_recording();
    let f = bucket_facts(&first, SOURCE);
    assert_eq!(
        (f.objects, f.replica_objects),
        (Some(objects as u64), Some(objects as u64))
    );

    env.start_recording();
    poller.refresh_now();
    let second = next(&mut rx).await;
    let poll = env.stop_recording();
    let f = bucket_facts(&second, SOURCE);
    assert_eq!(f.objects, Some(objects as u64), "carried");
    assert_eq!(
        f.count,
        bucket_facts(&first, SOURCE).count,
        "carried with its time"
    );
    assert_eq!(second.overall(), Status::Ok, "{:#?}", second.resources);
    (counting, poll)
}

#[tokio::test]
async fn one_poll_costs_the_same_requests_for_100_and_5000_objects() {
    let env = moto().await;
    let (count_small, poll_small) = poll_requests(&env, 100).await;
    env.reset();
    let (count_large, poll_large) = poll_requests(&env, 5_000).await;

    assert_eq!(calls(&poll_small), calls(&poll_large));
    assert!(
        !poll_large.iter().any(is_listing),
        "{:#?}",
        calls(&poll_large)
    );
    // Head, versioning and the rule of the bucket, head and versioning of the replica, the
    // replication metrics, and who we are: a handful of calls.
    assert!(poll_large.len() <= 10, "{:#?}", calls(&poll_large));

    // Counting is what grows with the objects: one LIST page per 1,000 in each bucket.
    let listings = |r: &[Recorded]| r.iter().filter(|r| is_listing(r)).count();
    assert_eq!(listings(&count_small), 2);
    assert_eq!(listings(&count_large), 10);
}

/// `AWS/S3 NumberOfObjects` as S3 publishes it: daily, BucketName then StorageType.
async fn put_storage_count(env: &MotoEnv, region: &str, bucket: &str, at: DateTime<Utc>, n: f64) {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    env.cloudwatch(region)
        .await
        .put_metric_data()
        .namespace("AWS/S3")
        .metric_data(
            MetricDatum::builder()
                .metric_name("NumberOfObjects")
                .dimensions(dimension("BucketName", bucket))
                .dimensions(dimension("StorageType", "AllStorageTypes"))
                .timestamp(aws_smithy_types::DateTime::from_secs(at.timestamp()))
                .value(n)
                .unit(StandardUnit::Count)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricData NumberOfObjects {bucket}: {e:?}"));
}

#[tokio::test]
async fn cloudwatch_daily_counts_stand_in_for_listing() {
    let env = moto().await;
    seed_pair(&env, 20).await;
    let yesterday = Utc::now() - chrono::Duration::hours(20);
    put_storage_count(&env, PRIMARY_REGION, SOURCE, yesterday, 1_200_000.0).await;
    put_storage_count(&env, BACKUP_REGION, &replica(), yesterday, 1_188_000.0).await;
    let cloud = env.cloud().await;

    env.start_recording();
    let snap = snapshot(&cloud, &replicated_estate(), 8).await;
    let recorded = env.stop_recording();
    assert!(!recorded.iter().any(is_listing), "{:#?}", calls(&recorded));
    let asks: Vec<&Recorded> = recorded
        .iter()
        .filter(|r| r.operation() == "GetMetricData" && r.body.contains("NumberOfObjects"))
        .collect();
    assert_eq!(asks.len(), 2, "{:#?}", calls(&recorded));
    for ask in asks {
        let body = urlencoding_free(&ask.body);
        let name = body.find("Dimensions.member.1.Name=BucketName");
        let storage = body.find("Dimensions.member.2.Name=StorageType");
        assert!(name.is_some() && storage.is_some(), "{body}");
        assert!(body.contains("Period=86400"), "{body}");
    }

    let f = bucket_facts(&snap, SOURCE);
    let count = f.count.as_ref().expect("a count");
    assert_eq!(
        (count.source, count.objects, count.bytes),
        (CountSource::CloudWatch, 1_200_000, None)
    );
    assert!(
        (count.at - yesterday).num_hours().abs() <= 24,
        "{} vs {yesterday}",
        count.at
    );
    assert_eq!(f.replica_objects, Some(1_188_000));
    assert_eq!(f.completeness_percent, Some(99.0));

    // Asked for, the console lists anyway: CloudWatch's figure may be a day old.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = PollerOptions {
        interval: Duration::from_secs(3600),
        concurrency: 8,
    };
    let poller = Poller::spawn(
        Arc::new(cloud),
        Arc::new(replicated_estate()),
        options,
        move |s| tx.send(s).is_ok(),
    );
    let first = next(&mut rx).await;
    assert_eq!(
        bucket_facts(&first, SOURCE).count.as_ref().unwrap().source,
        CountSource::CloudWatch
    );
    poller.count_now();
    let asked = next(&mut rx).await;
    let count = bucket_facts(&asked, SOURCE).count.clone().unwrap();
    assert_eq!((count.source, count.objects), (CountSource::Listed, 20));
}

/// The query protocol's body, with the few escapes these assertions meet undone.
fn urlencoding_free(body: &str) -> String {
    body.replace("%2F", "/").replace("%3A", ":")
}

#[tokio::test]
async fn a_bucket_with_an_rpo_and_no_copy_outside_the_region_is_critical_unless_on_purpose() {
    let env = moto().await;
    create_bucket(&env, PRIMARY_REGION, SOURCE).await;
    enable_versioning(&env, PRIMARY_REGION, SOURCE).await;
    put_objects(&env, PRIMARY_REGION, SOURCE, data_objects(3)).await;
    let cloud = env.cloud().await;

    let snap = snapshot(
        &cloud,
        &estate(&format!("[[s3.buckets]]\nname = \"{SOURCE}\"\n")),
        4,
    )
    .await;
    let r = &snap.resources[0];
    assert_eq!(r.status, Status::Critical, "{:?}", r.reasons);
    assert!(
        r.reasons[0].starts_with("no copy outside us-east-1:"),
        "{:?}",
        r.reasons
    );
    let loss = r.region_loss.as_ref().expect("a region-loss figure");
    assert!(loss.unbounded);
    let service = &snap.services[0];
    assert_eq!(
        (service.region_loss_unbounded, service.region_loss_rpo_met),
        (true, Some(false))
    );

    let on_purpose = estate(&format!(
        "[[s3.buckets]]\nname = \"{SOURCE}\"\nreplicate = false\n"
    ));
    let snap = snapshot(&cloud, &on_purpose, 4).await;
    let r = &snap.resources[0];
    assert_eq!(r.status, Status::Ok, "{:?}", r.reasons);
    assert_eq!(r.region_loss, None);
}

#[tokio::test]
async fn replica_versioning_suspended_is_critical() {
    let env = moto().await;
    seed_pair(&env, 3).await;
    env.s3(BACKUP_REGION)
        .await
        .put_bucket_versioning()
        .bucket(replica())
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .expect("suspend the replica's versioning");
    let snap = snapshot(&env.cloud().await, &replicated_estate(), 4).await;
    let r = snap
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Replica)
        .unwrap();
    assert_eq!(r.status, Status::Critical);
    assert_eq!(
        r.reasons,
        ["versioning is suspended: S3 cannot replicate into it, so replication stops"]
    );
    let loss = snap.resources[0].region_loss.as_ref().unwrap();
    assert_eq!(loss.exposure_secs, None);
    assert!(loss.copy.as_deref().unwrap().ends_with("not being updated"));
}
