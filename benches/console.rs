//! The console's costs: drawing the dashboard with 1,000 resources, and a health snapshot of
//! the simulated estate with realistic latency (40–250 ms a call) fanned out or one at a time.
//! Run: `cargo bench --bench console`.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
use drconsole::config;
use drconsole::health::{self, HealthSnapshot};
use drconsole::session::Mode;
use drconsole::tui::app::App;
use drconsole::tui::event::Event;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::theme::Theme;
use drconsole::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn estate() -> Arc<config::Estate> {
    Arc::new(config::parse(drconsole::session::EXAMPLE_ESTATE, Path::new("estate.toml")).unwrap())
}

/// The plan's snapshot with its resources copied under new names up to `count`.
fn big_snapshot(
    runtime: &tokio::runtime::Runtime,
    estate: &config::Estate,
    count: usize,
) -> HealthSnapshot {
    let clock = SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap());
    let sim = SimCloud::new(
        estate,
        SimOptions {
            clock,
            latency: Latency::None,
            faults: Vec::new(),
        },
    );
    let mut snap = runtime.block_on(health::snapshot(&sim, estate, 16));
    let base = snap.resources.clone();
    let mut i = 0;
    while snap.resources.len() < count {
        let mut copy = base[i % base.len()].clone();
        copy.name = format!("{}-{}", copy.name, i);
        snap.resources.push(copy);
        i += 1;
    }
    snap
}

fn render(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let estate = estate();
    let snap = big_snapshot(&runtime, &estate, 1000);
    let mut app = App::new(
        Arc::clone(&estate),
        Mode::Simulation,
        Keymap::default(),
        snap.generated_at,
    );
    app.update(Event::Snapshot(Box::new(snap)));
    let theme = Theme::builtin("default").unwrap();
    for (w, h) in [(80, 24), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("render dashboard 1000 resources {w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::render(&app, &theme, frame))
                    .unwrap();
            });
        });
    }
}

fn snapshot_fan_out(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let estate = estate();
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::real(),
            latency: Latency::Realistic,
            faults: Vec::new(),
        },
    );
    let mut group = c.benchmark_group("sim snapshot, realistic latency");
    group.sample_size(10);
    for concurrency in [16, 1] {
        group.bench_function(format!("concurrency {concurrency}"), |b| {
            b.to_async(&runtime)
                .iter(|| health::snapshot(&sim, &estate, concurrency));
        });
    }
    group.finish();
}

criterion_group!(benches, render, snapshot_fan_out);
criterion_main!(benches);
