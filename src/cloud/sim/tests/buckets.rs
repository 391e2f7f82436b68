//! Buckets over the simulated estate where moto cannot show it: a rule's prefix (moto reads
//! every filter back as ""), a replica holding more than its source, and the poller's
//! counting cadence (moto answers every poll the same).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use tokio::sync::mpsc;

use super::*;
use crate::health::{BucketFacts, CountSource, Facts, Poller, PollerOptions, ResourceKind as K};

const RAW: &str = "flightdata-raw";
const RAW_REPLICA: &str = "flightdata-raw-backup-us-west-2";

fn bucket_facts<'a>(snap: &'a HealthSnapshot, name: &str) -> &'a BucketFacts {
    match &resource(snap, K::Bucket, name).facts {
        Facts::Bucket(f) => f,
        other => panic!("{name}: {other:?}"),
    }
}

/// Adds `n` objects under `folder/` to a bucket, as a write would.
fn add_objects(sim: &SimCloud, bucket: &str, folder: &str, n: usize) {
    let mut state = sim.state();
    let b = state.buckets.get_mut(bucket).expect("bucket");
    let template = b.objects.values().next().expect("an object").clone();
    for i in 0..n {
        b.objects
            .insert(format!("{folder}/extra-{i:03}.json"), template.clone());
    }
}

#[tokio::test]
async fn completeness_counts_only_what_the_rule_replicates() {
    let sim = sim(&[]);
    let prefix = "incoming/2026/11/";
    let expected = {
        let mut state = sim.state();
        let rule = &mut state
            .buckets
            .get_mut(RAW)
            .unwrap()
            .replication
            .as_mut()
            .unwrap()
            .rules[0];
        rule.prefix = prefix.to_owned();
        // The replica holds only what the rule copies.
        let replica = state.buckets.get_mut(RAW_REPLICA).unwrap();
        replica.objects.retain(|k, _| k.starts_with(prefix));
        replica.objects.len() as u64
    };
    let source_total = sim.state().buckets[RAW].objects.len() as u64;
    assert!(
        expected > 0 && expected < source_total * 9 / 10,
        "{expected} of {source_total}"
    );

    let snap = snap(&sim).await;
    let f = bucket_facts(&snap, RAW);
    assert_eq!(f.rule_prefix.as_deref(), Some(prefix));
    assert_eq!(
        (f.objects, f.replica_objects),
        (Some(expected), Some(expected))
    );
    assert_eq!(f.completeness_percent, Some(100.0));
    let count = f.count.as_ref().expect("a count");
    assert_eq!(
        (count.prefix.as_str(), count.source, count.at),
        (prefix, CountSource::Listed, t0())
    );
    assert_rest_ok(&snap, &[]);
}

#[tokio::test]
async fn a_replica_holding_more_than_its_source_is_shown_above_100_percent() {
    let sim = sim(&[]);
    let source = sim.state().buckets[RAW].objects.len() as u64;
    add_objects(&sim, RAW_REPLICA, "incoming/gone", 4);
    let snap = snap(&sim).await;
    let f = bucket_facts(&snap, RAW);
    let pct = f.completeness_percent.expect("completeness");
    assert!(pct > 100.0, "{pct}");
    let r = resource(&snap, K::Bucket, RAW);
    assert_eq!(r.status, Status::Ok);
    assert_eq!(
        r.reasons,
        [format!(
            "replica holds {pct:.1}% of the source's objects ({} of {source}): it keeps \
             objects since deleted from the source",
            source + 4
        )]
    );
}

#[tokio::test]
async fn the_healthy_estate_loses_each_bucket_s_replication_latency_with_the_region() {
    let snap = snap(&sim(&[])).await;
    for name in [RAW, "flightdata-processed", "flightdata-analytics"] {
        let r = resource(&snap, K::Bucket, name);
        let loss = r.region_loss.as_ref().expect("a region-loss figure");
        assert!(!loss.unbounded, "{name}");
        assert_eq!(loss.exposure_secs, r.rpo_exposure_secs, "{name}");
        assert!(
            loss.exposure_secs.is_some_and(|e| (5..=60).contains(&e)),
            "{name}: {loss:?}"
        );
        let copy = loss.copy.as_deref().unwrap();
        assert!(
            copy.starts_with(&format!(
                "replica {name}-backup-us-west-2 (us-west-2), holding 100.0% ("
            )),
            "{copy}"
        );
    }
    let storage = snap
        .services
        .iter()
        .find(|s| s.name == "S3 Data Storage")
        .unwrap();
    assert_eq!(storage.region_loss_rpo_met, Some(true));
}

async fn next(rx: &mut mpsc::UnboundedReceiver<HealthSnapshot>) -> HealthSnapshot {
    tokio::time::timeout(StdDuration::from_secs(3600), rx.recv())
        .await
        .expect("a snapshot")
        .expect("the poller is running")
}

/// The poller counts at once, carries the counts between polls, counts again after
/// `count_every` or when asked. Tokio's clock is paused, so the cadence costs no wall time.
#[tokio::test(start_paused = true)]
async fn the_poller_counts_on_its_cadence_and_on_demand_and_carries_counts_between() {
    let sim = Arc::new(sim(&[]));
    let estate = Arc::new(estate());
    assert_eq!(estate.s3.count_every.as_secs(), 15 * 60);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = PollerOptions {
        interval: StdDuration::from_secs(30),
        concurrency: 8,
    };
    let poller = Poller::spawn(sim.clone(), estate, options, move |s| tx.send(s).is_ok());
    let objects = |snap: &HealthSnapshot| bucket_facts(snap, RAW).objects.unwrap();

    let first = next(&mut rx).await;
    let counted = objects(&first);
    assert_eq!(
        first.next_count_at,
        Some(t0() + Duration::minutes(15)),
        "a fixed sim clock: the next count is 15 minutes of it away"
    );
    add_objects(&sim, RAW, "incoming/new", 3);

    // Polls within count_every carry the first count, with its time.
    let carried = next(&mut rx).await;
    assert_eq!(objects(&carried), counted);
    assert_eq!(
        bucket_facts(&carried, RAW).count,
        bucket_facts(&first, RAW).count
    );

    // Asked for: counted now.
    poller.count_now();
    let asked = next(&mut rx).await;
    assert_eq!(objects(&asked), counted + 3);

    // And again once count_every has passed, by itself.
    add_objects(&sim, RAW, "incoming/newer", 2);
    let mut polls = 0;
    loop {
        let snap = next(&mut rx).await;
        polls += 1;
        if objects(&snap) == counted + 5 {
            break;
        }
        assert_eq!(objects(&snap), counted + 3);
        assert!(polls <= 31, "no count after {polls} polls of 30 s");
    }
    assert!(
        polls >= 29,
        "counted again after only {polls} polls of 30 s"
    );
}
