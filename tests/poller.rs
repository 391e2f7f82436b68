//! The poller as the console will use it: snapshots on an interval, at once on demand, and
//! nothing more once it is dropped or its receiver has gone.

mod common;

use std::sync::Arc;
use std::time::Duration;

use drconsole::health::{Poller, PollerOptions, Status};
use tokio::sync::mpsc;
use tokio::time::timeout;

const PATIENCE: Duration = Duration::from_secs(30);

/// A poller over the seeded plan estate, delivering into a channel.
async fn start(
    env: &common::MotoEnv,
    interval: Duration,
    concurrency: usize,
) -> (
    Poller,
    mpsc::UnboundedReceiver<drconsole::health::HealthSnapshot>,
) {
    let seeded = common::seed_plan_estate(env).await;
    let estate = Arc::new(common::plan_estate(&seeded));
    let cloud = Arc::new(env.cloud().await);
    let (tx, rx) = mpsc::unbounded_channel();
    let options = PollerOptions {
        interval,
        concurrency,
    };
    let poller = Poller::spawn(cloud, estate, options, move |s| tx.send(s).is_ok());
    (poller, rx)
}

#[tokio::test]
async fn snapshots_come_on_the_interval_and_on_demand_and_stop_when_dropped() {
    let env = common::moto().await;
    // An interval long enough that only refresh_now can explain a second snapshot.
    let (poller, mut rx) = start(&env, Duration::from_secs(3600), 8).await;
    let first = timeout(PATIENCE, rx.recv())
        .await
        .expect("a first snapshot")
        .unwrap();
    assert_eq!(first.overall(), Status::Ok, "{:#?}", first.resources);
    assert!(
        timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err(),
        "nothing before asked"
    );

    poller.refresh_now();
    let second = timeout(PATIENCE, rx.recv())
        .await
        .expect("a snapshot on demand")
        .unwrap();
    assert!(second.generated_at >= first.generated_at);
    assert_eq!(second.resources.len(), first.resources.len());

    drop(poller);
    // The task held the only sender: once it is gone, the channel closes.
    assert!(
        timeout(PATIENCE, rx.recv())
            .await
            .expect("closed after drop")
            .is_none()
    );
}

#[tokio::test]
async fn a_short_interval_repeats_and_a_gone_receiver_stops_the_poller() {
    let env = common::moto().await;
    let (poller, mut rx) = start(&env, Duration::from_millis(20), 4).await;
    for _ in 0..3 {
        timeout(PATIENCE, rx.recv())
            .await
            .expect("another snapshot")
            .unwrap();
    }
    drop(rx);
    timeout(PATIENCE, async {
        while poller.is_running() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the poller stops once nobody listens");
}
