//! Fault names, the clock and the latency of calls.

use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::Duration;

use super::*;
use crate::cloud::Backups;
use crate::cloud::sim::{LATENCY_RANGE_MS, call_latency};

#[test]
fn the_sim_is_a_cloud_the_poller_can_share() {
    let cloud: std::sync::Arc<dyn crate::cloud::Cloud> = std::sync::Arc::new(sim(&[]));
    assert_eq!(cloud.now(), t0());
}

#[test]
fn fault_names_round_trip() {
    for &fault in Fault::ALL {
        assert_eq!(Fault::from_str(fault.name()), Ok(fault));
        assert_eq!(fault.to_string(), fault.name());
        assert!(!fault.description().is_empty());
    }
    assert_eq!("Region_Outage".parse::<Fault>(), Ok(Fault::RegionOutage));
    let mut sorted = Fault::ALL.to_vec();
    sorted.sort();
    assert_eq!(sorted, Fault::ALL);
}

#[test]
fn a_bad_fault_name_lists_the_valid_ones() {
    let err = "pitr".parse::<Fault>().unwrap_err().to_string();
    assert!(err.contains("\"pitr\""), "{err}");
    for &fault in Fault::ALL {
        assert!(err.contains(fault.name()), "{err}");
    }
}

#[test]
fn fixed_clocks_move_together_and_real_ones_do_not_move() {
    let clock = SimClock::fixed(t0());
    let copy = clock.clone();
    clock.advance(Duration::seconds(91));
    assert_eq!(copy.now(), t0() + Duration::seconds(91));
    assert!(!clock.is_real());

    let real = SimClock::real();
    real.advance(Duration::days(365));
    assert!((real.now() - Utc::now()).num_seconds().abs() < 5);
}

#[test]
fn call_latency_is_repeatable_and_in_range() {
    let (lo, hi) = LATENCY_RANGE_MS;
    let mut seen = std::collections::BTreeSet::new();
    for call in 0..2_000 {
        let d = call_latency("DescribeTable", "flightdata-main", call);
        assert!(
            (StdDuration::from_millis(lo)..=StdDuration::from_millis(hi)).contains(&d),
            "{d:?}"
        );
        assert_eq!(d, call_latency("DescribeTable", "flightdata-main", call));
        seen.insert(d.as_millis());
    }
    assert!(seen.len() > 100, "latencies should vary: {}", seen.len());
}

#[tokio::test]
async fn realistic_calls_wait_for_their_latency() {
    let sim = SimCloud::new(
        &estate(),
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::Realistic,
            faults: vec![],
        },
    );
    // The first call sleeps call_latency("DescribeTable", table, 0) before it answers: polled
    // once it is still waiting on its timer (tokio's test-util clock is not enabled here, so
    // the time itself is checked on call_latency above, never on the wall clock).
    let expected = call_latency("DescribeTable", "flightdata-main", 0);
    assert!(expected >= StdDuration::from_millis(LATENCY_RANGE_MS.0));
    let mut call = Box::pin(sim.describe_table(EAST, "flightdata-main"));
    assert!(futures::FutureExt::now_or_never(&mut call).is_none());
    assert!(call.await.unwrap().is_active());
}

#[tokio::test]
async fn without_latency_a_call_never_waits() {
    let sim = sim(&[]);
    // Polled once, it is already done: no timer was involved.
    let call = sim.describe_table(EAST, "flightdata-main");
    let done = futures::FutureExt::now_or_never(call).expect("ready at once");
    assert!(done.unwrap().is_active());
}
