//! Repairs from the health panel, over the simulated estate on a fixed clock: the App asks
//! for previews and runs as effects, and the test carries them out with a real executor on
//! the same simulation, as the runner would, so every preview is the action's own.

use std::collections::BTreeMap;

use drconsole::action::{ActionError, Executor, ExecutorOptions, Progress};
use drconsole::cloud::{CloudError, ErrorKind};
use drconsole::health::{ResourceKind, Status};
use drconsole::incident::{Journal, Origin, Reader};
use drconsole::tui::incident::text_of;
use drconsole::tui::repair::{NOTHING_TO_FIX, READ_ONLY, Stage};

use super::*;

/// A simulation, an executor that writes to it and journals in a temporary directory, and
/// the App that watches it.
struct Rig {
    sim: Arc<SimCloud>,
    estate: Arc<Estate>,
    executor: Executor,
    journal_dir: std::path::PathBuf,
    _data: tempfile::TempDir,
}

impl Rig {
    fn new(faults: &[Fault]) -> Rig {
        let estate = estate();
        let sim = Arc::new(SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(t0()),
                latency: Latency::None,
                faults: faults.to_vec(),
            },
        ));
        let data = tempfile::tempdir().unwrap();
        let journal_dir = data.path().join("operations");
        let origin = Origin::new(
            Mode::Simulation,
            Some(drconsole::cloud::sim::ACCOUNT.into()),
            vec!["us-east-1".into(), "us-west-2".into()],
        );
        let journal = Journal::open_or_create(&journal_dir, origin).unwrap();
        let executor = Executor::new(
            Arc::clone(&sim) as Arc<dyn drconsole::cloud::Cloud>,
            Arc::clone(&estate),
            journal,
            ExecutorOptions {
                read_only: false,
                account: Some(drconsole::cloud::sim::ACCOUNT.into()),
                drill_guard: None,
                poll_every: None,
                ..ExecutorOptions::default()
            },
        );
        Rig {
            sim,
            estate,
            executor,
            journal_dir,
            _data: data,
        }
    }

    async fn snapshot(&self) -> HealthSnapshot {
        health::snapshot(self.sim.as_ref(), &self.estate, 8).await
    }

    async fn app(&self) -> App {
        let mut app = fresh_app(&self.estate);
        app.update(Event::Snapshot(Box::new(self.snapshot().await)));
        app
    }

    /// Does what the runner would with `effects`, feeding the answers back, until none are
    /// left that the executor answers. Returns the run's progress reports.
    async fn carry_out(&self, app: &mut App, effects: Vec<Effect>) -> Vec<Progress> {
        let mut reports = Vec::new();
        let mut queue = effects;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for effect in queue {
                match effect {
                    Effect::PlanAction {
                        id,
                        action,
                        target,
                        args,
                    } => {
                        let action = drconsole::action::catalogue::find(&action).unwrap();
                        let args =
                            drconsole::action::Args::from_map(action.name(), action.args(), args)
                                .unwrap();
                        let result = self.executor.plan(action, &target, &args).await;
                        next.extend(app.update(Event::ActionPlanned {
                            id,
                            result: result.map(Box::new),
                        }));
                    }
                    Effect::RunAction {
                        id,
                        action,
                        target,
                        previewed,
                        confirm,
                    } => {
                        let action = drconsole::action::catalogue::find(&action).unwrap();
                        let seen = std::sync::Mutex::new(Vec::new());
                        let progress = |p: Progress| seen.lock().unwrap().push(p);
                        let result = self
                            .executor
                            .run(
                                action,
                                &target,
                                &previewed.args,
                                confirm.as_deref(),
                                Some(&previewed),
                                &progress,
                            )
                            .await;
                        for p in seen.into_inner().unwrap() {
                            app.update(Event::ActionProgress {
                                id,
                                progress: p.clone(),
                            });
                            reports.push(p);
                        }
                        next.extend(app.update(Event::ActionDone {
                            id,
                            result: result.map(Box::new),
                        }));
                    }
                    Effect::UndoAction { id, seq } => {
                        let result = self.executor.undo(seq, &|_| {}).await;
                        next.extend(app.update(Event::ActionDone {
                            id,
                            result: result.map(Box::new),
                        }));
                    }
                    Effect::Refresh => {
                        let snapshot = self.snapshot().await;
                        next.extend(app.update(Event::Snapshot(Box::new(snapshot))));
                    }
                    _ => {}
                }
            }
            queue = next;
        }
        reports
    }

    fn journal_kinds(&self) -> Vec<String> {
        Reader::open(&self.journal_dir)
            .unwrap()
            .map(|e| e.unwrap().kind)
            .collect()
    }
}

/// Focuses `panel` and puts the cursor on `name`.
fn select(app: &mut App, panel: Panel, name: &str) {
    while app.focus != panel {
        press(app, &[KeyCode::Tab]);
    }
    press(app, &[KeyCode::Char('g')]);
    for _ in 0..app.row_count(panel) {
        if app.selected_resource().is_some_and(|r| r.name == name) {
            return;
        }
        press(app, &[KeyCode::Char('j')]);
    }
    panic!("no row {name} in {panel:?}");
}

fn footer(app: &App) -> String {
    screen(app, 160, 48).lines().last().unwrap().to_owned()
}

fn status_of(app: &App, kind: ResourceKind, name: &str) -> Status {
    app.resource(kind, name).unwrap().health.status
}

fn stage(app: &App) -> &Stage {
    &app.repair.as_ref().expect("a repair popup").stage
}

/// The pitr-off table's row, previewing its fix.
async fn pitr_preview(rig: &Rig) -> App {
    let mut app = rig.app().await;
    select(&mut app, Panel::Tables, "flightdata-main");
    let effects = press(&mut app, &[KeyCode::Char('x')]);
    assert!(
        matches!(effects.as_slice(), [Effect::PlanAction { action, target, .. }]
            if action == "enable-pitr" && target == "flightdata-main"),
        "{effects:?}"
    );
    rig.carry_out(&mut app, effects).await;
    app
}

/// The ingestion function's actions menu, on stop-ingestion's preview.
async fn stop_ingestion_preview(rig: &Rig) -> App {
    let mut app = rig.app().await;
    let ingest = rig.estate.lambda.ingestion_function.clone().unwrap();
    select(&mut app, Panel::Functions, ingest.get_ref());
    press(&mut app, &[KeyCode::Char('A')]);
    let Stage::Choose { choices, .. } = stage(&app) else {
        panic!("a chooser: {:?}", stage(&app));
    };
    let at = choices
        .iter()
        .position(|j| j.label().starts_with("stop-ingestion"))
        .expect("stop-ingestion is offered on the ingestion function");
    for _ in 0..at {
        press(&mut app, &[KeyCode::Down]);
    }
    let effects = press(&mut app, &[KeyCode::Enter]);
    rig.carry_out(&mut app, effects).await;
    app
}

#[tokio::test]
async fn repair_preview_pitr_off_80x24() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let app = pitr_preview(&rig).await;
    let Stage::Preview { plan, confirm, .. } = stage(&app) else {
        panic!("{:?}", stage(&app));
    };
    assert!(confirm.is_none(), "enable-pitr is not destructive");
    assert!(!plan.as_ref().unwrap().is_noop());
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("enable point-in-time recovery"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn repair_preview_pitr_off_160x48() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let app = pitr_preview(&rig).await;
    snap!(screen(&app, 160, 48));
}

#[tokio::test]
async fn fix_on_the_pitr_off_row_runs_is_journalled_and_the_row_turns_ok() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = pitr_preview(&rig).await;
    assert_eq!(
        status_of(&app, ResourceKind::Table, "flightdata-main"),
        Status::Critical
    );
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::RunAction { confirm: None, .. }]
        ),
        "{effects:?}"
    );
    let progress = rig.carry_out(&mut app, effects).await;
    assert!(
        progress.iter().any(|p| p.step == 1 && p.of == 1),
        "{progress:?}"
    );
    let Stage::Done { outcome, .. } = stage(&app) else {
        panic!("{:?}", stage(&app));
    };
    assert_eq!(outcome.action, "enable-pitr");
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("u undo"), "{screen}");
    assert!(screen.contains("journal entry"), "{screen}");
    // The refresh the result asked for has come back: the row is ok, and so is the fix key.
    assert_eq!(
        status_of(&app, ResourceKind::Table, "flightdata-main"),
        Status::Ok
    );
    assert!(!app.refreshing);
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.repair.is_none());
    assert!(!footer(&app).contains("fix"), "{}", footer(&app));
    let kinds = rig.journal_kinds();
    for kind in [
        "action_started",
        "request_sent",
        "request_finished",
        "action_finished",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn undo_from_the_result_puts_it_back() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = pitr_preview(&rig).await;
    let effects = press(&mut app, &[KeyCode::Enter]);
    rig.carry_out(&mut app, effects).await;
    assert!(press(&mut app, &[KeyCode::Char('u')]).is_empty());
    let screen = screen(&app, 80, 24);
    assert!(
        screen.contains("disable point-in-time recovery"),
        "{screen}"
    );
    let effects = press(&mut app, &[KeyCode::Char('y')]);
    assert!(
        matches!(effects.as_slice(), [Effect::UndoAction { .. }]),
        "{effects:?}"
    );
    rig.carry_out(&mut app, effects).await;
    assert!(
        matches!(stage(&app), Stage::Done { .. }),
        "{:?}",
        stage(&app)
    );
    assert_eq!(
        status_of(&app, ResourceKind::Table, "flightdata-main"),
        Status::Critical,
        "PITR is off again"
    );
}

#[tokio::test]
async fn typed_confirmation_popup_stop_ingestion_80x24() {
    let rig = Rig::new(&[]);
    let mut app = stop_ingestion_preview(&rig).await;
    let Stage::Preview { confirm, .. } = stage(&app) else {
        panic!("{:?}", stage(&app));
    };
    assert!(confirm.is_some(), "stop-ingestion is destructive");
    type_text(&mut app, "flightdata-proc");
    let screen = screen(&app, 80, 24);
    assert!(
        screen.contains("type flightdata-processor to confirm"),
        "{screen}"
    );
    assert!(screen.contains("DESTRUCTIVE"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn q_and_j_typed_into_the_confirm_field_neither_quit_nor_move() {
    let rig = Rig::new(&[]);
    let mut app = stop_ingestion_preview(&rig).await;
    let selected = app.selected(Panel::Functions);
    let effects = type_text(&mut app, "qj?1");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(!app.should_quit, "q is text here");
    assert!(!app.help_open, "? is text here");
    assert_eq!(app.selected(Panel::Functions), selected, "j is text here");
    let Stage::Preview {
        confirm: Some(field),
        ..
    } = stage(&app)
    else {
        panic!("{:?}", stage(&app));
    };
    assert_eq!(text_of(field), "qj?1");
}

#[tokio::test]
async fn a_wrong_name_sends_nothing_and_says_so() {
    let rig = Rig::new(&[]);
    let mut app = stop_ingestion_preview(&rig).await;
    type_text(&mut app, "flightdata-ingest");
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert!(effects.is_empty(), "nothing asked for: {effects:?}");
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("nothing was sent"), "{screen}");
    assert!(
        !rig.journal_kinds().iter().any(|k| k == "action_started"),
        "{:?}",
        rig.journal_kinds()
    );
    // Corrected, it goes to the executor with the name typed back.
    for _ in 0.."flightdata-ingest".len() {
        press(&mut app, &[KeyCode::Backspace]);
    }
    type_text(&mut app, "flightdata-processor");
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(effects.as_slice(), [Effect::RunAction { confirm: Some(c), .. }]
            if c == "flightdata-processor"),
        "{effects:?}"
    );
}

fn run_with_progress(app: &mut App) -> u64 {
    let effects = press(app, &[KeyCode::Enter]);
    let [Effect::RunAction { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let id = *id;
    app.update(Event::ActionProgress {
        id,
        progress: Progress {
            run: "enable-pitr-20261124T030000-0001".into(),
            step: 1,
            of: 1,
            what: "enable point-in-time recovery on table flightdata-main in us-east-1".into(),
        },
    });
    id
}

#[tokio::test]
async fn running_action_with_progress_80x24() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = pitr_preview(&rig).await;
    run_with_progress(&mut app);
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("step 1/1"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn esc_hides_a_run_without_stopping_it_and_its_result_comes_back() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = pitr_preview(&rig).await;
    let id = run_with_progress(&mut app);
    assert!(
        press(&mut app, &[KeyCode::Esc]).is_empty(),
        "no cancel is sent"
    );
    assert!(!app.repair_shown());
    assert!(matches!(stage(&app), Stage::Running { .. }));
    // The flash says how to bring it back; once it is gone the footer says it runs.
    app.flash = None;
    assert!(
        footer(&app).contains("running enable-pitr"),
        "{}",
        footer(&app)
    );
    let effects = app.update(Event::ActionDone {
        id,
        result: Err(ActionError::Postcondition("PITR still reads off".into())),
    });
    assert!(effects.is_empty());
    assert!(app.repair_shown(), "the result is shown when it comes");
}

#[tokio::test]
async fn failed_action_with_the_services_message_and_a_retry_80x24() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = pitr_preview(&rig).await;
    let id = run_with_progress(&mut app);
    let mut error = CloudError::new(
        "dynamodb",
        "UpdateContinuousBackups",
        ErrorKind::Unreachable,
        "dispatch failure: connection refused (us-east-1)",
    );
    error.request_id = Some("4KBNVRGD25RG1KEO9UT4V3FQDJVV4KQNSO5AEMVJF66Q9ASUAAJG".into());
    app.update(Event::ActionDone {
        id,
        result: Err(ActionError::Cloud(error)),
    });
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("connection refused"), "{screen}");
    assert!(screen.contains("r retry"), "{screen}");
    snap!(screen);
    // A retry reads the estate again before anything is sent.
    let effects = press(&mut app, &[KeyCode::Char('r')]);
    assert!(
        matches!(effects.as_slice(), [Effect::PlanAction { action, .. }] if action == "enable-pitr"),
        "{effects:?}"
    );
}

#[tokio::test]
async fn a_refusal_says_the_guards_reason_and_offers_no_retry() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = pitr_preview(&rig).await;
    let id = run_with_progress(&mut app);
    app.update(Event::ActionDone {
        id,
        result: Err(ActionError::refused(
            drconsole::action::Guard::Account,
            "the credentials now act in account 999999999999",
        )),
    });
    let screen = screen(&app, 100, 30);
    assert!(screen.contains("999999999999"), "{screen}");
    assert!(!screen.contains("r retry"), "{screen}");
    assert!(press(&mut app, &[KeyCode::Char('r')]).is_empty());
}

#[tokio::test]
async fn a_healthy_row_has_no_fix_key_and_says_so() {
    let rig = Rig::new(&[]);
    let mut app = rig.app().await;
    select(&mut app, Panel::Tables, "flightdata-main");
    assert!(!footer(&app).contains("fix"), "{}", footer(&app));
    assert!(footer(&app).contains("actions"), "{}", footer(&app));
    assert!(press(&mut app, &[KeyCode::Char('x')]).is_empty());
    assert_eq!(app.flash.as_ref().unwrap().text, NOTHING_TO_FIX);
    assert!(app.repair.is_none());
}

#[tokio::test]
async fn read_only_hides_the_keys_and_refuses_them() {
    let rig = Rig::new(&[Fault::PitrOff]);
    let mut app = rig.app().await;
    app.read_only = true;
    select(&mut app, Panel::Tables, "flightdata-main");
    let screen_text = screen(&app, 160, 48);
    assert!(screen_text.lines().next().unwrap().contains("READ-ONLY"));
    assert!(!footer(&app).contains("fix"), "{}", footer(&app));
    assert!(!footer(&app).contains("actions"), "{}", footer(&app));
    for key in ['x', 'A', 'u'] {
        assert!(press(&mut app, &[KeyCode::Char(key)]).is_empty());
        assert_eq!(app.flash.as_ref().unwrap().text, READ_ONLY);
        assert!(app.repair.is_none());
    }
    press(&mut app, &[KeyCode::Char('?')]);
    let help = screen(&app, 160, 48);
    assert!(
        !help.contains("Fix what the selected row is flagged for"),
        "{help}"
    );
    // Writable, the same row lists them in the footer and in help.
    app.read_only = false;
    press(&mut app, &[KeyCode::Esc]);
    assert!(footer(&app).contains("x fix"), "{}", footer(&app));
    press(&mut app, &[KeyCode::Char('?')]);
    assert!(screen(&app, 160, 48).contains("Fix what the selected row is flagged for"));
}

#[tokio::test]
async fn an_alarm_row_offers_each_state_to_set() {
    let rig = Rig::new(&[]);
    let mut app = rig.app().await;
    select(&mut app, Panel::Alarms, "flightdata-api-errors");
    press(&mut app, &[KeyCode::Char('A')]);
    let Stage::Choose { choices, .. } = stage(&app) else {
        panic!("{:?}", stage(&app));
    };
    let labels: Vec<String> = choices.iter().map(|j| j.label()).collect();
    assert_eq!(
        labels,
        [
            "set-alarm-state state=OK on flightdata-api-errors",
            "set-alarm-state state=ALARM on flightdata-api-errors",
            "set-alarm-state state=INSUFFICIENT_DATA on flightdata-api-errors",
        ]
    );
    press(&mut app, &[KeyCode::Down]);
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(effects.as_slice(), [Effect::PlanAction { args, .. }]
            if *args == BTreeMap::from([("state".to_owned(), "ALARM".to_owned())])),
        "{effects:?}"
    );
}

#[tokio::test]
async fn esc_backs_out_of_every_repair_popup() {
    let rig = Rig::new(&[Fault::PitrOff]);
    // The chooser.
    let mut app = rig.app().await;
    select(&mut app, Panel::Functions, "flightdata-processor");
    press(&mut app, &[KeyCode::Char('A')]);
    assert!(matches!(stage(&app), Stage::Choose { .. }));
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.repair.is_none());
    // Waiting for the preview.
    select(&mut app, Panel::Tables, "flightdata-main");
    press(&mut app, &[KeyCode::Char('x')]);
    assert!(matches!(stage(&app), Stage::Planning { .. }));
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.repair.is_none());
    // The preview, and the typed confirmation.
    let mut app = pitr_preview(&rig).await;
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    assert!(app.repair.is_none());
    let mut app = stop_ingestion_preview(&rig).await;
    type_text(&mut app, "flight");
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    assert!(app.repair.is_none());
    // The result.
    let mut app = pitr_preview(&rig).await;
    let id = run_with_progress(&mut app);
    app.update(Event::ActionDone {
        id,
        result: Err(ActionError::Journal("disk full".into())),
    });
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.repair.is_none());
    assert!(!app.should_quit);
    assert_eq!(app.view, View::Dashboard);
}

#[tokio::test]
async fn u_in_the_timeline_undoes_the_newest_action_with_an_undo() {
    use drconsole::incident::record::{Record, StepOutcome};
    let (mut app, mut open) =
        super::incident::app_timed(&[super::incident::INGEST], chrono::Duration::minutes(5)).await;
    let undo = drconsole::action::Undo {
        summary: "turn point-in-time recovery off again for flightdata-main".into(),
        requests: vec![drconsole::cloud::WriteRequest::UpdateContinuousBackups {
            region: "us-east-1".into(),
            table: "flightdata-main".into(),
            pitr: false,
        }],
        waits: Vec::new(),
    };
    let finished = open.append(
        Record::ActionFinished {
            run: "enable-pitr-20261124T030100-0001".into(),
            action: "enable-pitr".into(),
            target: "flightdata-main".into(),
            outcome: StepOutcome::Succeeded,
            detail: None,
            undo: Some(serde_json::to_value(&undo).unwrap()),
        },
        t0(),
    );
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: vec![finished.clone()],
    });
    assert!(!footer(&app).contains("undo"), "not on the dashboard");
    press(&mut app, &[KeyCode::Char('t')]);
    screen(&app, 160, 48);
    assert!(footer(&app).contains("u undo"), "{}", footer(&app));
    assert!(press(&mut app, &[KeyCode::Char('u')]).is_empty());
    let screen = screen(&app, 100, 30);
    assert!(
        screen.contains("disable point-in-time recovery on table flightdata-main"),
        "{screen}"
    );
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        [Effect::UndoAction {
            id: 1,
            seq: finished.seq
        }]
    );
}

#[tokio::test]
async fn a_new_replication_rule_says_what_it_leaves_undone_on_the_buckets_view() {
    let rig = Rig::new(&[Fault::ReplicationBroken]);
    let mut app = rig.app().await;
    while app.focus != Panel::Buckets {
        press(&mut app, &[KeyCode::Tab]);
    }
    let rows = app.row_count(Panel::Buckets);
    let mut offered = false;
    for _ in 0..rows {
        if app
            .row_fixes()
            .iter()
            .any(|j| j.label().starts_with("put-replication"))
        {
            offered = true;
            break;
        }
        press(&mut app, &[KeyCode::Char('j')]);
    }
    assert!(
        offered,
        "replication-broken offers put-replication on its row"
    );
    let bucket = app.selected_resource().unwrap().name.clone();
    let effects = press(&mut app, &[KeyCode::Char('x')]);
    rig.carry_out(&mut app, effects).await;
    let Stage::Preview {
        plan: Some(plan), ..
    } = stage(&app)
    else {
        panic!("{:?}", stage(&app));
    };
    let plan = plan.clone();
    assert!(
        plan.notes.iter().any(|n| n.contains("not replicated")),
        "{:?}",
        plan.notes
    );
    let effects = press(&mut app, &[KeyCode::Enter]);
    let [Effect::RunAction { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    // The sim's replication writes are another package's: the outcome is fed as the
    // executor reports one.
    app.update(Event::ActionDone {
        id: *id,
        result: Ok(Box::new(drconsole::action::Outcome {
            run: "put-replication-20261124T030000-0001".into(),
            action: "put-replication".into(),
            target: bucket.clone(),
            status: drconsole::action::Status::Done,
            sent: Vec::new(),
            undo: plan.undo.clone(),
            notes: plan.notes.clone(),
            seq: Some(9),
        })),
    });
    let screen_text = screen(&app, 100, 30);
    assert!(
        screen_text.contains("replicates new objects only"),
        "{screen_text}"
    );
    press(&mut app, &[KeyCode::Esc, KeyCode::Enter]);
    assert!(matches!(&app.view, View::Detail { name, .. } if *name == bucket));
    let detail = screen(&app, 160, 48);
    assert!(detail.contains("After put-replication"), "{detail}");
    assert!(
        detail.contains("a new rule replicates new objects only"),
        "{detail}"
    );
}

#[tokio::test]
async fn once_the_incident_is_resolved_actions_record_to_the_operations_journal() {
    use drconsole::incident::record::Record;
    let (mut app, mut open) =
        super::incident::app_timed(&[super::incident::INGEST], chrono::Duration::minutes(5)).await;
    let resolved = open.append(Record::Resolved { summary: None }, t0());
    let effects = app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: vec![resolved],
    });
    assert_eq!(effects, [Effect::OpenExecutor { incident: None }]);
    // Asked once, not at every event after.
    assert!(app.update(Event::Tick(t0())).is_empty());
}

/// Types `text` key by key.
fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}
