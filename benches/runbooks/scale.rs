//! The parallel-restore measurement shared by `benches/runbooks.rs` and its test: the plan's
//! estate with ×N tables on the simulated cloud, a `for_each` that restores every table of
//! the tables' service at once, and the same restore of one table alone.
//!
//! Times are read from the runbook's own view, on the simulation's clock, which here follows
//! tokio's paused clock (`SimClock::tokio`): it moves only when every task waits (a call's
//! simulated latency, a restore's poll), never while the machine works, so a restore takes
//! the simulation's 3 minutes whatever the machine does and the figure measures how the
//! engine overlaps the restores, not how busy the machine is. Run it on a runtime with paused
//! time (`tokio::time::pause`).

// The test uses the figures, the bench also the runs' wall time.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use drconsole::action::{Executor, ExecutorOptions};
use drconsole::cloud::sim::{ACCOUNT, Latency, SimClock, SimCloud, SimOptions};
use drconsole::config::Estate;
use drconsole::incident::{Journal, Origin};
use drconsole::runbook::{Event, RunOptions, RunState, RunView, Runbook, start};
use drconsole::session::{EXAMPLE_ESTATE, Mode};

/// The service whose tables are restored.
pub const SERVICE: &str = "DynamoDB Tables";
const TABLES: &str = r#"tables = ["flightdata-main", "flightdata-metrics", "flightdata-config"]"#;

/// The example estate with `scale` copies of each table (`flightdata-main`,
/// `flightdata-main-01`, …), all of them in the tables' service.
pub fn estate(scale: usize) -> Estate {
    let names: Vec<String> = (0..scale)
        .flat_map(|i| {
            ["flightdata-main", "flightdata-metrics", "flightdata-config"]
                .into_iter()
                .map(move |t| {
                    if i == 0 {
                        t.to_owned()
                    } else {
                        format!("{t}-{i:02}")
                    }
                })
        })
        .map(|t| format!("\"{t}\""))
        .collect();
    let text = EXAMPLE_ESTATE.replace(TABLES, &format!("tables = [{}]", names.join(", ")));
    assert_ne!(
        text, EXAMPLE_ESTATE,
        "the example estate's tables line moved"
    );
    drconsole::config::parse(&text, std::path::Path::new("estate.toml"))
        .expect("the scaled estate parses")
}

/// Every table of the service restored from its newest backup, `concurrency` at once.
pub fn group(concurrency: usize) -> Arc<Runbook> {
    runbook(&format!(
        r#"
name = "restore-all"
title = "Restore every table"
summary = "Each table of the service from its newest backup."

[[phases]]
id = "restore"
title = "Restore"

[[phases.steps]]
id = "tables"
kind = "for_each"
title = "Each table"
for_each = "tables-of:{SERVICE}"
concurrency = {concurrency}

[[phases.steps.steps]]
id = "restore"
kind = "action"
title = "Restore from the newest backup"
action = "restore-backup"
resource = "{{{{ item }}}}"
"#
    ))
}

/// One table restored alone.
pub fn single(table: &str) -> Arc<Runbook> {
    runbook(&format!(
        r#"
name = "restore-one"
title = "Restore one table"
summary = "One table from its newest backup."

[[phases]]
id = "restore"
title = "Restore"

[[phases.steps]]
id = "restore"
kind = "action"
title = "Restore from the newest backup"
action = "restore-backup"
resource = "{table}"
"#
    ))
}

fn runbook(text: &str) -> Arc<Runbook> {
    Arc::new(toml::from_str(text).expect("the runbook parses"))
}

/// How often a waiting restore looks again.
pub const POLL: Duration = Duration::from_secs(5);

/// Runs `runbook` to its end on a fresh simulation of `estate`; its journal in `dir`.
pub async fn run(
    estate: &Estate,
    runbook: Arc<Runbook>,
    latency: Latency,
    dir: &std::path::Path,
) -> RunView {
    let sim = Arc::new(SimCloud::new(
        estate,
        SimOptions {
            clock: SimClock::tokio(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency,
            faults: Vec::new(),
        },
    ));
    let origin = Origin::new(Mode::Simulation, Some(ACCOUNT.into()), Vec::new());
    let journal = Journal::open_or_create(dir, origin).expect("a journal");
    let executor = Executor::new(
        sim.clone(),
        Arc::new(estate.clone()),
        journal,
        ExecutorOptions {
            account: Some(ACCOUNT.into()),
            poll_every: Some(POLL),
            ..ExecutorOptions::default()
        },
    );
    let options = RunOptions {
        take_preselected: true,
        poll_every: Some(POLL),
        ..RunOptions::default()
    };
    let mut handle = start(runbook, Arc::new(executor), sim, options)
        .await
        .expect("the run starts");
    while let Some(event) = handle.next_event().await {
        if let Event::Finished(state) = event {
            let view = handle.view();
            assert_eq!(state, RunState::Succeeded, "{:#?}", view.steps);
            return view;
        }
    }
    panic!(
        "the run ended without finishing: {:#?}",
        handle.view().steps
    )
}

/// How long a step took on the run's clock.
pub fn took(view: &RunView, path: &str) -> Duration {
    let step = view.step(path).unwrap_or_else(|| panic!("no step {path}"));
    match (step.started, step.finished) {
        (Some(s), Some(f)) => (f - s).to_std().unwrap_or_default(),
        _ => panic!("step {path} has no start or end: {step:#?}"),
    }
}

/// The tables of the service in `estate`.
pub fn tables(estate: &Estate) -> Vec<String> {
    estate
        .services
        .iter()
        .find(|s| s.name == SERVICE)
        .expect("the tables' service")
        .tables
        .iter()
        .map(|t| t.get_ref().clone())
        .collect()
}

/// The figures: each table restored alone (the slowest of them) and all of them at once.
pub struct Figures {
    pub tables: usize,
    pub slowest_single: Duration,
    pub group: Duration,
}

impl Figures {
    pub fn ratio(&self) -> f64 {
        self.group.as_secs_f64() / self.slowest_single.as_secs_f64()
    }
}

/// Measures on the simulation's clock, ×`scale` tables, every table at once.
pub async fn measure(scale: usize, latency: Latency, dir: &std::path::Path) -> Figures {
    let estate = estate(scale);
    let tables = tables(&estate);
    let mut slowest_single = Duration::ZERO;
    for (i, table) in tables.iter().enumerate() {
        let view = run(
            &estate,
            single(table),
            latency,
            &dir.join(format!("single-{i}")),
        )
        .await;
        slowest_single = slowest_single.max(took(&view, "restore"));
    }
    let view = run(&estate, group(tables.len()), latency, &dir.join("group")).await;
    Figures {
        tables: tables.len(),
        slowest_single,
        group: took(&view, "tables"),
    }
}
