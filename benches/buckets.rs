//! What one console poll and one full object count cost against moto, on a replicated bucket
//! pair of 20,000 objects each: requests (from moto's recorder) and wall time (median of a few
//! runs, recorder off). Before the counting cadence every poll was a full count.
//! Run: `cargo bench --bench buckets`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST};
use drconsole::cloud::aws::AwsCloud;
use drconsole::config::Estate;
use drconsole::health::{self, HealthSnapshot, Poller, PollerOptions};
use tokio::sync::mpsc;

const SOURCE: &str = "flightdata-raw";
const REPLICA: &str = "flightdata-raw-backup-us-west-2";
const OBJECTS: usize = 20_000;
const POLLS: usize = 7;
const COUNTS: usize = 3;

fn estate() -> Estate {
    let toml = format!(
        "name = \"bench buckets\"\n[regions]\nprimary = \"{EAST}\"\nbackup = \"{WEST}\"\n\
         [aws]\ncall_timeout = \"120s\"\n\
         [[s3.buckets]]\nname = \"{SOURCE}\"\nreplica = \"{REPLICA}\"\n\
         [[services]]\nname = \"Data Ingestion Pipeline\"\npriority = \"P0\"\nrto = \"2h\"\n\
         rpo = \"15m\"\nbuckets = [\"{SOURCE}\"]\n"
    );
    drconsole::config::parse(&toml, std::path::Path::new("estate.toml")).expect("estate")
}

async fn seed(env: &MotoEnv) {
    common::create_bucket(env, WEST, REPLICA).await;
    common::enable_versioning(env, WEST, REPLICA).await;
    common::create_bucket(env, EAST, SOURCE).await;
    common::enable_versioning(env, EAST, SOURCE).await;
    common::put_replication(env, EAST, SOURCE, REPLICA).await;
    let objects = common::data_objects(OBJECTS);
    tokio::join!(
        common::put_objects(env, EAST, SOURCE, objects.clone()),
        common::put_objects(env, WEST, REPLICA, objects),
    );
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

struct Console {
    poller: Poller,
    rx: mpsc::UnboundedReceiver<HealthSnapshot>,
}

impl Console {
    fn start(cloud: &Arc<AwsCloud>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let options = PollerOptions {
            interval: Duration::from_secs(3600),
            concurrency: 16,
        };
        let poller = Poller::spawn(cloud.clone(), Arc::new(estate()), options, move |s| {
            tx.send(s).is_ok()
        });
        Self { poller, rx }
    }

    async fn next(&mut self) -> HealthSnapshot {
        self.rx.recv().await.expect("a snapshot")
    }

    /// One poll between counts, timed.
    async fn poll(&mut self) -> Duration {
        let start = Instant::now();
        self.poller.refresh_now();
        self.next().await;
        start.elapsed()
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let env = common::moto().await;
        let started = Instant::now();
        seed(&env).await;
        eprintln!(
            "seeded 2 x {OBJECTS} objects in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        let cloud = Arc::new(env.cloud().await);

        // Requests: the console's first poll counts, the next ones carry the counts.
        env.start_recording();
        let mut console = Console::start(&cloud);
        let first = console.next().await;
        let counting = env.stop_recording();
        env.start_recording();
        console.poll().await;
        let poll = env.stop_recording();
        let lists = |r: &[common::recorder::Recorded]| {
            r.iter()
                .filter(|r| r.method == "GET" && r.url.contains("list-type=2"))
                .count()
        };
        assert_eq!(health_objects(&first), Some(OBJECTS as u64));

        // Wall time, recorder off.
        let polls: Vec<Duration> = {
            let mut times = Vec::new();
            for _ in 0..POLLS {
                times.push(console.poll().await);
            }
            times
        };
        drop(console);
        let estate = estate();
        let mut counts = Vec::new();
        for _ in 0..COUNTS {
            let start = Instant::now();
            let snap = health::snapshot(cloud.as_ref(), &estate, 16).await;
            counts.push(start.elapsed());
            assert_eq!(health_objects(&snap), Some(OBJECTS as u64));
        }

        println!("| What | Requests | Of which LIST | Wall time |");
        println!("|---|---|---|---|");
        println!(
            "| One console poll between counts | {} | {} | {:.0} ms (median of {POLLS}) |",
            poll.len(),
            lists(&poll),
            median(polls).as_secs_f64() * 1000.0
        );
        println!(
            "| Full count (the console's first poll, or `drconsole status`) | {} | {} | {:.2} s (median of {COUNTS}) |",
            counting.len(),
            lists(&counting),
            median(counts).as_secs_f64()
        );
    });
}

fn health_objects(snap: &HealthSnapshot) -> Option<u64> {
    snap.resources.iter().find_map(|r| match &r.facts {
        health::Facts::Bucket(f) => f.objects,
        _ => None,
    })
}
