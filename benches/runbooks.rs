//! A service's tables restored in parallel by a runbook's `for_each`, against the slowest of
//! them restored alone: on the plan's estate with ×10 tables (30), on the simulation.
//!
//! Two kinds of figure. On the simulation's clock, with realistic latency (each call 40–250
//! ms) and tokio's time paused (`benches/runbooks/scale.rs` says why that is a measurement of
//! the engine, not of the machine): the group's time over the slowest single restore, which
//! must stay near 1, and the same group one table at a time for contrast. And criterion's
//! wall time of the whole group on that paused clock, which is what the engine itself costs
//! (planning, guards, journal fsyncs) for 30 restores. Run: `cargo bench --bench runbooks`.

#[path = "runbooks/scale.rs"]
mod scale;

use std::path::Path;

use criterion::Criterion;
use drconsole::cloud::sim::Latency;

const SCALE: usize = 10;

fn main() {
    // Paused: the simulation's clock moves only when every task waits.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-runbooks");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("the bench directory");

    let figures = runtime.block_on(scale::measure(
        SCALE,
        Latency::Realistic,
        &tmp.join("figures"),
    ));
    println!(
        "sim clock, {} tables of {:?}: slowest single restore {}s, all at once {}s, ratio {:.2} \
         (one after another would be about {}x)",
        figures.tables,
        scale::SERVICE,
        figures.slowest_single.as_secs(),
        figures.group.as_secs(),
        figures.ratio(),
        figures.tables
    );

    let estate = scale::estate(SCALE);
    let tables = scale::tables(&estate).len();
    let one_at_a_time = runtime.block_on(scale::run(
        &estate,
        scale::group(1),
        Latency::Realistic,
        &tmp.join("one-at-a-time"),
    ));
    println!(
        "sim clock, the same {tables} tables one at a time: {}s",
        scale::took(&one_at_a_time, "tables").as_secs()
    );
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut n = 0u64;
    c.bench_function(
        &format!("runbook: restore {tables} tables at once (engine cost, paused clock)"),
        |b| {
            b.iter(|| {
                n += 1;
                runtime.block_on(scale::run(
                    &estate,
                    scale::group(tables),
                    Latency::Realistic,
                    &tmp.join(format!("group-{n}")),
                ))
            })
        },
    );
    c.final_summary();
}
