//! failover-dns on the simulated estate, whose clock is fixed: a change stays PENDING for a
//! minute and the checkers report every 30 s, so each wait is seen in progress before it ends.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};

use crate::action::{
    ActionError, Args, Executor, ExecutorOptions, Outcome, Progress, Status, catalogue,
};
use crate::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
use crate::cloud::{Dns, Failover, Identity, RecordSet};
use crate::config::Estate;
use crate::incident::journal::{Journal, Origin};
use crate::mode::Mode;

const RECORD: &str = "api.flightdata.example.com.";
const ZONE: &str = "Z123456789";
const CHECK: &str = "hc-Z123456789-primary";

fn estate() -> Estate {
    crate::config::parse(
        crate::session::EXAMPLE_ESTATE,
        Path::new("templates/estate.example.toml"),
    )
    .expect("the example estate parses")
}

struct Setup {
    sim: Arc<SimCloud>,
    executor: Executor,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let sim = Arc::new(SimCloud::new(
        &estate(),
        SimOptions {
            clock: SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    let options = ExecutorOptions {
        account: Some(crate::cloud::sim::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    };
    let origin = Origin::new(Mode::Simulation, options.account.clone(), Vec::new());
    let journal = Journal::open_or_create(&dir.path().join("journal"), origin).unwrap();
    let executor = Executor::new(sim.clone(), Arc::new(estate()), journal, options);
    Setup {
        sim,
        executor,
        _dir: dir,
    }
}

/// Runs failover-dns confirmed, returning the outcome and every progress line.
async fn failover(
    executor: &Executor,
    how: Option<&str>,
    confirm: Option<&str>,
) -> (Result<Outcome, ActionError>, Vec<String>) {
    let action = catalogue::find("failover-dns").unwrap();
    let pairs: Vec<String> = how.map(|h| format!("how={h}")).into_iter().collect();
    let args = Args::parse(action.name(), action.args(), &pairs).unwrap();
    let seen = Mutex::new(Vec::new());
    let outcome = executor
        .run(action, RECORD, &args, confirm, None, &|p: Progress| {
            seen.lock().unwrap().push(p.what)
        })
        .await;
    (outcome, seen.into_inner().unwrap())
}

async fn primary(sim: &SimCloud) -> RecordSet {
    sim.list_record_sets(ZONE)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.failover == Some(Failover::Primary))
        .unwrap()
}

#[tokio::test]
async fn by_health_check_it_inverts_the_check_and_waits_for_the_checkers() {
    let s = setup();
    let start = s.sim.now();
    let (outcome, progress) = failover(&s.executor, None, Some(RECORD)).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(outcome.sent.len(), 1);
    assert_eq!(outcome.sent[0].0.operation(), "UpdateHealthCheck");
    assert!(s.sim.get_health_check(CHECK).await.unwrap().inverted);
    // The checkers had not reported since the change at first: the wait was seen waiting.
    assert!(
        progress
            .iter()
            .any(|p| p.contains("take health check") && p.contains("0 of 3 checkers")),
        "{progress:#?}"
    );
    let waited = s.sim.now() - start;
    assert!(
        waited >= chrono::Duration::seconds(30) && waited <= chrono::Duration::seconds(60),
        "one round of the checkers: {waited}"
    );
    // The dashboard's DNS panel reads SECONDARY as serving.
    let snap = crate::health::snapshot(s.sim.as_ref(), &estate(), 4).await;
    let dns = snap
        .resources
        .iter()
        .find(|r| r.kind == crate::health::ResourceKind::Dns && r.name == RECORD)
        .expect("the DNS row");
    let crate::health::Facts::Dns(facts) = &dns.facts else {
        panic!("{:?}", dns.facts);
    };
    assert_eq!(facts.serving, Some(Failover::Secondary), "{dns:?}");
    assert!(
        dns.reasons
            .iter()
            .any(|r| r.contains("answers with SECONDARY")),
        "{:?}",
        dns.reasons
    );

    // Again: Route53 already answers with SECONDARY, nothing is sent.
    let (again, _) = failover(&s.executor, None, Some(RECORD)).await;
    match again.unwrap().status {
        Status::AlreadyDone(why) => assert!(
            why.contains("already answers") && why.contains("inverted"),
            "{why}"
        ),
        other => panic!("expected already done: {other:?}"),
    }

    // Undo is allowed (the precheck says done) and puts the check back.
    let undone = s
        .executor
        .undo(outcome.seq.unwrap(), &|_| {})
        .await
        .unwrap();
    assert_eq!(undone.status, Status::Done);
    assert!(!s.sim.get_health_check(CHECK).await.unwrap().inverted);
}

#[tokio::test]
async fn by_records_it_waits_through_pending_until_insync_and_undo_puts_them_back() {
    let s = setup();
    let before = primary(&s.sim).await;
    let start = s.sim.now();
    let (outcome, progress) = failover(&s.executor, Some("records"), Some(RECORD)).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.sent[0].0.operation(), "ChangeResourceRecordSets");
    assert!(
        progress.iter().any(|p| p.contains("is PENDING")),
        "{progress:#?}"
    );
    assert!(s.sim.now() - start >= chrono::Duration::seconds(60));
    let after = primary(&s.sim).await;
    let secondary = s
        .sim
        .list_record_sets(ZONE)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.failover == Some(Failover::Secondary))
        .unwrap();
    assert_eq!(after.values, secondary.values);
    assert_eq!(after.health_check_id, before.health_check_id);

    // The way back is a DNS change too: the undo waits until it is INSYNC.
    let undo_lines = std::sync::Mutex::new(Vec::new());
    let started = s.sim.now();
    s.executor
        .undo(outcome.seq.unwrap(), &|p: crate::action::Progress| {
            undo_lines.lock().unwrap().push(p.what)
        })
        .await
        .unwrap();
    assert_eq!(primary(&s.sim).await, before);
    assert!(
        s.sim.now() - started >= chrono::Duration::seconds(60),
        "the undo waited for INSYNC on the sim's clock"
    );
    let undo_lines = undo_lines.into_inner().unwrap();
    assert!(
        undo_lines.iter().any(|l| l.contains("PENDING")),
        "{undo_lines:?}"
    );
}

#[tokio::test]
async fn before_the_change_the_wait_reads_the_primary_as_healthy() {
    let s = setup();
    let action = catalogue::find("failover-dns").unwrap();
    let plan = s
        .executor
        .plan(action, RECORD, &Args::default())
        .await
        .unwrap();
    assert_eq!(plan.waits.len(), 1);
    assert_eq!(plan.args.get("how"), Some("health-check"));
    let wait = &plan.waits[0];
    let looked = wait.until.look(s.sim.as_ref(), None).await.unwrap();
    assert!(
        matches!(&looked, crate::action::Looked::NotYet(m) if m.contains("still reports the primary healthy")),
        "{looked:?}"
    );
}
