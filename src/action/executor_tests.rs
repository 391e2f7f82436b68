//! The executor on the simulated estate: the guards' order, what each refusal records, the
//! precheck, the preview check, the exemption for a run's own resources, undo.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};

use super::*;
use crate::action::{Guard, catalogue};
use crate::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use crate::cloud::{Backups, Functions, Writes};
use crate::config::Estate;
use crate::incident::journal::{Origin, Reader};
use crate::mode::Mode;

const TABLE: &str = "flightdata-main";
const INGEST: &str = "flightdata-processor";

fn estate() -> Estate {
    crate::config::parse(
        crate::session::EXAMPLE_ESTATE,
        Path::new("templates/estate.example.toml"),
    )
    .expect("the example estate parses")
}

struct Setup {
    sim: Arc<SimCloud>,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(faults: &[Fault]) -> Setup {
        let sim = SimCloud::new(
            &estate(),
            SimOptions {
                clock: SimClock::fixed(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
                latency: Latency::None,
                faults: faults.to_vec(),
            },
        );
        Setup {
            sim: Arc::new(sim),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn executor(&self, options: ExecutorOptions) -> Executor {
        let origin = Origin::new(Mode::Simulation, options.account.clone(), Vec::new());
        let journal = Journal::open_or_create(&self.dir.path().join("journal"), origin).unwrap();
        Executor::new(self.sim.clone(), Arc::new(estate()), journal, options)
    }

    fn trusted(&self) -> Executor {
        self.executor(ExecutorOptions {
            account: Some(crate::cloud::sim::ACCOUNT.to_owned()),
            ..ExecutorOptions::default()
        })
    }

    fn kinds(&self) -> Vec<String> {
        Reader::open(&self.dir.path().join("journal"))
            .unwrap()
            .map(|e| e.unwrap().kind)
            .collect()
    }

    fn last(&self) -> Record {
        Reader::open(&self.dir.path().join("journal"))
            .unwrap()
            .last()
            .unwrap()
            .unwrap()
            .record()
            .unwrap()
    }

    async fn pitr(&self) -> bool {
        self.sim
            .describe_continuous_backups("us-east-1", TABLE)
            .await
            .unwrap()
            .pitr_enabled
    }
}

fn quiet(_: Progress) {}

async fn run(
    executor: &Executor,
    name: &str,
    target: &str,
    confirm: Option<&str>,
) -> Result<Outcome, ActionError> {
    let action = catalogue::find(name).unwrap();
    executor
        .run(action, target, &Args::default(), confirm, None, &quiet)
        .await
}

fn refused_by(result: Result<Outcome, ActionError>) -> Guard {
    match result {
        Err(ActionError::Refused { guard, .. }) => guard,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_repair_is_journalled_around_its_write_and_a_second_run_sends_nothing() {
    let setup = Setup::new(&[Fault::PitrOff]);
    let executor = setup.trusted();
    assert!(!setup.pitr().await);
    let outcome = run(&executor, "enable-pitr", TABLE, None).await.unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(outcome.sent.len(), 1);
    assert!(outcome.undo.is_some(), "enabling PITR can be undone");
    assert!(setup.pitr().await);
    assert_eq!(
        setup.kinds(),
        [
            "action_started",
            "request_sent",
            "request_finished",
            "action_finished"
        ]
    );
    let again = run(&executor, "enable-pitr", TABLE, None).await.unwrap();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:?}");
    assert!(again.sent.is_empty());
    let kinds = setup.kinds();
    assert_eq!(kinds.len(), 5, "one more entry, and no request: {kinds:?}");
    assert!(matches!(
        setup.last(),
        Record::ActionFinished {
            outcome: StepOutcome::Skipped,
            ..
        }
    ));
}

#[tokio::test]
async fn read_only_refuses_before_anything_is_read_or_sent_and_says_so_in_the_journal() {
    let setup = Setup::new(&[Fault::PitrOff]);
    let executor = setup.executor(ExecutorOptions {
        read_only: true,
        account: Some(crate::cloud::sim::ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    });
    let guard = refused_by(run(&executor, "enable-pitr", TABLE, None).await);
    assert_eq!(guard, Guard::ReadOnly);
    assert!(!setup.pitr().await, "nothing was sent");
    assert_eq!(setup.kinds(), ["action_refused"]);
}

#[tokio::test]
async fn another_account_or_an_unknown_one_is_refused() {
    let setup = Setup::new(&[Fault::PitrOff]);
    for account in [Some("999999999999".to_owned()), None] {
        let executor = setup.executor(ExecutorOptions {
            account,
            ..ExecutorOptions::default()
        });
        let guard = refused_by(run(&executor, "enable-pitr", TABLE, None).await);
        assert_eq!(guard, Guard::Account);
    }
    assert!(!setup.pitr().await, "nothing was sent");
    match setup.last() {
        Record::ActionRefused { guard, reason, .. } => {
            assert_eq!(guard, "account");
            assert!(reason.contains("not known"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_destructive_action_needs_the_targets_name_typed_back() {
    let setup = Setup::new(&[]);
    let executor = setup.trusted();
    let before = setup
        .sim
        .get_concurrency("us-east-1", INGEST)
        .await
        .unwrap();
    assert_ne!(before, Some(0));
    for typed in [None, Some("flightdata-processer"), Some("q")] {
        let guard = refused_by(run(&executor, "stop-ingestion", INGEST, typed).await);
        assert_eq!(guard, Guard::Confirmation, "{typed:?}");
    }
    let kinds = setup.kinds();
    assert!(kinds.iter().all(|k| k == "action_refused"), "{kinds:?}");
    assert_eq!(
        setup
            .sim
            .get_concurrency("us-east-1", INGEST)
            .await
            .unwrap(),
        before,
        "nothing was sent"
    );
    let outcome = run(&executor, "stop-ingestion", INGEST, Some(INGEST))
        .await
        .unwrap();
    assert_eq!(
        setup
            .sim
            .get_concurrency("us-east-1", INGEST)
            .await
            .unwrap(),
        Some(0)
    );
    assert!(setup.kinds().contains(&"safety_net".to_owned()));
    let undone = executor.undo(outcome.seq.unwrap(), &quiet).await.unwrap();
    assert_eq!(undone.status, Status::Done);
    assert_eq!(
        setup
            .sim
            .get_concurrency("us-east-1", INGEST)
            .await
            .unwrap(),
        before,
        "undo puts the saved concurrency back"
    );
    let again = executor.undo(outcome.seq.unwrap(), &quiet).await;
    assert!(
        matches!(&again, Err(ActionError::Invalid(m)) if m.contains("already undone")),
        "{again:?}"
    );
    // The undo re-enabled the mapping, which is Enabling until it settles: a stop now
    // would skip it and leave ingestion running, so it waits instead.
    let moving = run(&executor, "stop-ingestion", INGEST, Some(INGEST)).await;
    assert!(
        matches!(&moving, Err(ActionError::Invalid(m)) if m.contains("Enabling")),
        "{moving:?}"
    );
}

#[tokio::test]
async fn an_undo_is_refused_once_the_state_is_no_longer_what_the_action_left() {
    let setup = Setup::new(&[Fault::PitrOff]);
    let executor = setup.trusted();
    let outcome = run(&executor, "enable-pitr", TABLE, None).await.unwrap();
    // Someone turns it off by other means: undoing now would act on their change.
    let off = WriteRequest::UpdateContinuousBackups {
        region: "us-east-1".into(),
        table: TABLE.into(),
        pitr: false,
    };
    setup.sim.send(&off, &Authority::for_tests()).await.unwrap();
    let refused = refused_by(executor.undo(outcome.seq.unwrap(), &quiet).await);
    assert_eq!(refused, Guard::Preview);
    assert!(matches!(setup.last(), Record::ActionRefused { .. }));
}

#[tokio::test]
async fn a_preview_of_another_action_or_target_is_not_run() {
    let setup = Setup::new(&[Fault::PitrOff]);
    let executor = setup.trusted();
    let pitr = catalogue::find("enable-pitr").unwrap();
    let seen = executor.plan(pitr, TABLE, &Args::default()).await.unwrap();
    let result = executor
        .run(
            pitr,
            "flightdata-metrics",
            &Args::default(),
            None,
            Some(&seen),
            &quiet,
        )
        .await;
    assert!(matches!(result, Err(ActionError::Invalid(_))), "{result:?}");
    assert!(!setup.pitr().await);
}

#[tokio::test]
async fn a_runs_own_resource_needs_no_confirmation() {
    let setup = Setup::new(&[]);
    let executor = setup.trusted();
    executor.own("drill-1", INGEST).await.unwrap();
    let outcome = run(&executor, "stop-ingestion", INGEST, None)
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert!(setup.kinds().contains(&"resource_owned".to_owned()));
}

#[tokio::test]
async fn the_drill_guard_sees_every_request_and_can_refuse() {
    let setup = Setup::new(&[Fault::PitrOff]);
    let executor = setup.executor(ExecutorOptions {
        account: Some(crate::cloud::sim::ACCOUNT.to_owned()),
        drill_guard: Some(Arc::new(|r: &WriteRequest| {
            Err(format!("{} is not a drill resource", r.target()))
        })),
        ..ExecutorOptions::default()
    });
    let guard = refused_by(run(&executor, "enable-pitr", TABLE, None).await);
    assert_eq!(guard, Guard::Drill);
    assert!(!setup.pitr().await);
}

#[tokio::test]
async fn a_run_sends_only_what_was_previewed() {
    let setup = Setup::new(&[Fault::PitrOff]);
    let executor = setup.trusted();
    let action = catalogue::find("enable-pitr").unwrap();
    let mut seen = executor
        .plan(action, TABLE, &Args::default())
        .await
        .unwrap();
    seen.requests.push(seen.requests[0].clone());
    let result = executor
        .run(action, TABLE, &Args::default(), None, Some(&seen), &quiet)
        .await;
    assert_eq!(refused_by(result), Guard::Preview);
    assert!(!setup.pitr().await);
}

#[tokio::test]
async fn bad_input_is_found_before_anything_is_read() {
    let setup = Setup::new(&[]);
    let executor = setup.trusted();
    let err = run(&executor, "enable-pitr", "no-such-table", None)
        .await
        .unwrap_err();
    assert!(matches!(err, ActionError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("flightdata-main"), "{err}");
    assert!(setup.kinds().is_empty(), "bad input is not an attempt");
}

/// The console runs actions as tasks: a run must be a future that can move between threads.
#[allow(dead_code)]
fn runs_are_send(executor: &'static Executor, progress: &'static (dyn Fn(Progress) + Send + Sync)) {
    fn send<T: Send>(_: T) {}
    let action = catalogue::find("enable-pitr").unwrap();
    send(executor.run(action, TABLE, &Args::default(), None, None, progress));
    send(executor.undo(1, progress));
}

#[test]
fn a_function_found_by_the_estates_prefix_is_a_target_like_a_named_one() {
    let estate = estate();
    let backup = catalogue::find("backup-function").unwrap();
    assert!(crate::action::check_target(&estate, backup, "flightdata-extra").is_ok());
    let err = crate::action::check_target(&estate, backup, "billing-export").unwrap_err();
    assert!(err.to_string().contains("flightdata*"), "{err}");
    let pitr = catalogue::find("enable-pitr").unwrap();
    assert!(crate::action::check_target(&estate, pitr, "flightdata-extra").is_err());
}

/// Restores the newest backup into `<table>-copy` and waits for it; on a fixed clock the
/// wait moves the sim's clock, so the sim's restore time passes in no real time.
struct RestoreAndWait {
    timeout: std::time::Duration,
}

#[async_trait::async_trait]
impl Action for RestoreAndWait {
    fn name(&self) -> &'static str {
        "restore-and-wait"
    }
    fn summary(&self) -> &'static str {
        "test: restore then wait"
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> super::super::TargetKind {
        super::super::TargetKind::Table
    }
    async fn plan(
        &self,
        ctx: &super::super::Context<'_>,
        table: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = ctx.primary().to_owned();
        let copy = format!("{table}-copy");
        let mut plan = Plan::new(self.name(), table, Danger::Write, args);
        if ctx.cloud.describe_table(&region, &copy).await.is_ok() {
            return Ok(plan.done("restored"));
        }
        let newest = ctx.cloud.list_backups(&region, Some(table)).await?[0].clone();
        plan.requests.push(WriteRequest::RestoreTableFromBackup {
            region: region.clone(),
            backup_arn: newest.arn,
            target_table: copy.clone(),
        });
        plan.wait_after_last(
            super::super::WaitFor::TableActive {
                region,
                table: copy,
            },
            self.timeout,
        );
        Ok(plan)
    }
    async fn verify(&self, _: &super::super::Context<'_>, _: &Plan) -> Result<(), String> {
        Ok(())
    }
}

#[tokio::test]
async fn a_wait_polls_with_progress_until_the_table_is_active_and_is_journalled() {
    let setup = Setup::new(&[]);
    let executor = setup.trusted();
    let lines = Mutex::new(Vec::new());
    let action = RestoreAndWait {
        timeout: std::time::Duration::from_secs(3600),
    };
    let outcome = executor
        .run(
            &action,
            TABLE,
            &Args::default(),
            None,
            None,
            &|p: Progress| lines.lock().unwrap().push(p.what),
        )
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    let lines = lines.into_inner().unwrap();
    assert!(
        lines.iter().any(
            |l| l.starts_with("waiting for table flightdata-main-copy to be ACTIVE")
                && l.contains("CREATING")
        ),
        "{lines:?}"
    );
    let copy = setup
        .sim
        .describe_table("us-east-1", "flightdata-main-copy")
        .await
        .unwrap();
    assert!(copy.is_active());
    let kinds = setup.kinds();
    assert!(kinds.iter().any(|k| k == "wait_finished"), "{kinds:?}");
    assert_eq!(
        setup.kinds().last().map(String::as_str),
        Some("action_finished")
    );
}

#[tokio::test]
async fn a_wait_that_times_out_fails_the_run_and_a_rerun_continues() {
    let setup = Setup::new(&[]);
    let executor = setup.trusted();
    let action = RestoreAndWait {
        timeout: std::time::Duration::from_secs(10),
    };
    let e = executor
        .run(&action, TABLE, &Args::default(), None, None, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ActionError::Cloud(c) if c.kind == crate::cloud::ErrorKind::Timeout),
        "{e:?}"
    );
    assert!(e.retryable());
    assert!(e.to_string().contains("stays sent"), "{e}");
    match setup.last() {
        Record::ActionFinished {
            outcome, detail, ..
        } => {
            assert_eq!(outcome, StepOutcome::Failed);
            assert!(detail.unwrap().contains("after 1 of 1 writes"));
        }
        other => panic!("{other:?}"),
    }
    // The restore went through: the next run's precheck finds it and sends nothing.
    let again = executor
        .run(&action, TABLE, &Args::default(), None, None, &|_| {})
        .await
        .unwrap();
    assert!(matches!(again.status, Status::AlreadyDone(_)));
}
