//! What the guarded path costs over the write itself: one action run end to end on the
//! simulated estate without latency (so the cloud's own time is near zero), which is the
//! guards, the precheck and postcondition reads, and the four fsynced journal entries;
//! and a re-run the precheck finds done (one entry). Run: `cargo bench --bench actions`.
//!
//! The journal lives under the target directory's tmp dir: fsync costs what that disk
//! makes it cost.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::Criterion;
use drconsole::action::{Args, Executor, ExecutorOptions, Progress, catalogue};
use drconsole::cloud::sim::{ACCOUNT, Fault, Latency, SimClock, SimCloud, SimOptions};
use drconsole::incident::{Journal, Origin};
use drconsole::session::{Mode, example_estate};

fn executor(dir: &Path, faults: &[Fault]) -> Executor {
    let estate = example_estate().expect("the example estate parses");
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults: faults.to_vec(),
        },
    );
    let origin = Origin::new(Mode::Simulation, Some(ACCOUNT.into()), Vec::new());
    let journal = Journal::open_or_create(dir, origin).expect("a journal");
    Executor::new(
        Arc::new(sim),
        Arc::new(estate),
        journal,
        ExecutorOptions {
            account: Some(ACCOUNT.into()),
            ..ExecutorOptions::default()
        },
    )
}

fn quiet(_: Progress) {}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-actions");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("the bench directory");
    println!("journals under {}", tmp.display());
    let mut c = Criterion::default().sample_size(30).configure_from_args();
    let action = catalogue::find("enable-pitr").expect("enable-pitr");
    let mut n = 0u64;
    // A fresh estate (PITR off again) and journal per run, made outside the timing.
    c.bench_function("action: enable-pitr, one write (4 journal entries)", |b| {
        b.iter_batched(
            || {
                n += 1;
                executor(&tmp.join(format!("run-{n}")), &[Fault::PitrOff])
            },
            |executor| {
                runtime
                    .block_on(executor.run(
                        action,
                        "flightdata-main",
                        &Args::default(),
                        None,
                        None,
                        &quiet,
                    ))
                    .expect("the run succeeds")
            },
            criterion::BatchSize::PerIteration,
        )
    });
    let done = executor(&tmp.join("done"), &[]);
    c.bench_function("action: enable-pitr, already done (1 entry)", |b| {
        b.iter(|| {
            runtime
                .block_on(done.run(
                    action,
                    "flightdata-main",
                    &Args::default(),
                    None,
                    None,
                    &quiet,
                ))
                .expect("the run succeeds")
        })
    });
    c.final_summary();
}
