//! Runbooks in the console, on the simulated estate and a fixed clock: the Scenarios panel,
//! the picker and start form, the checklist with its step detail, and the popups that answer
//! a step. The engine's views are made by hand here, as the engine would send them, so each
//! screen is reached exactly; what the console sends back is read from its effects.

use std::collections::BTreeMap;

use chrono::Duration;
use drconsole::action::Danger;
use drconsole::config::Dur;
use drconsole::runbook::model::{InputKind, StepKind};
use drconsole::runbook::{
    Blocker, ChoiceView, Command, Need, PhaseView, Readiness, RunState, RunView, Runbook,
    StepState, StepView,
};
use drconsole::tui::runbook::{RunbookPopup, Verdict};

use super::incident::Open;
use super::*;

const FAILOVER: &str = r#"
name = "region-failover"
title = "Region failover: serve from us-west-2"
scenario = "Scenario 1: Complete Region Failure"
summary = "The primary region is gone: DNS, capacity and data in the backup region."
target = "4h"

[[inputs]]
name = "reason"
prompt = "Why fail over (journalled)"
default = "{{ estate.primary_region }} unreachable"

[[inputs]]
name = "restore_to"
prompt = "Restore the tables to"
kind = "time"
within_pitr_of = "flightdata-main"
required = false

[[phases]]
id = "immediate"
title = "0–15 minutes: immediate response"
target = "15m"

[[phases.steps]]
id = "confirm"
kind = "manual"
title = "Confirm the outage"

[[phases]]
id = "restore"
title = "15–60 minutes: data in the backup region"
target = "1h"

[[phases.steps]]
id = "restore"
kind = "for_each"
title = "Restore every table in us-west-2"
for_each = "tables"

[[phases.steps.steps]]
id = "source"
kind = "decision"
title = "Choose the restore source"
choose = "restore-source"
resource = "{{ item }}"
options = [{ id = "export" }, { id = "backup" }, { id = "pitr" }, { id = "replica" }]
"#;

const CORRUPTION: &str = r#"
name = "data-corruption"
title = "Data corruption: restore to before it began"
summary = "Bad records were written: stop ingestion, find when, restore, swap."

[[phases]]
id = "contain"
title = "Contain"

[[phases.steps]]
id = "stop"
kind = "manual"
title = "Stop ingestion"
"#;

const LOSS: &str = r#"
name = "infrastructure-loss"
title = "Infrastructure loss: rebuild from the backups"
summary = "The stack is gone: recreate it, restore functions and tables."

[[phases]]
id = "rebuild"
title = "Rebuild"

[[phases.steps]]
id = "stack"
kind = "manual"
title = "Create the emergency stack"
"#;

/// A snapshot under its own name, beside the other screens' in tests/snapshots.
macro_rules! named {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots"}, {
            insta::assert_snapshot!($name, $value)
        })
    };
}

fn runbook(text: &str) -> Arc<Runbook> {
    Arc::new(toml::from_str(text).unwrap())
}

fn runbooks() -> Vec<Arc<Runbook>> {
    vec![runbook(FAILOVER), runbook(CORRUPTION), runbook(LOSS)]
}

fn readiness(runbook: &str, blockers: &[(&str, bool)]) -> Readiness {
    Readiness {
        runbook: runbook.into(),
        blockers: blockers
            .iter()
            .map(|(what, unknown)| Blocker {
                step: "restore".into(),
                what: (*what).into(),
                unknown: *unknown,
            })
            .collect(),
        checked: Vec::new(),
    }
}

const NO_EXPORT: &str =
    "flightdata-config has no restorable copy in us-west-2 — newest export 9 days old";

/// The readiness of the three: failover blocked, corruption ready, loss unknown.
fn mixed_readiness() -> Vec<Readiness> {
    vec![
        readiness(
            "region-failover",
            &[
                (NO_EXPORT, false),
                (
                    "flightdata-ingest has no code in flightdata-lambda-backups",
                    false,
                ),
            ],
        ),
        readiness("data-corruption", &[]),
        readiness(
            "infrastructure-loss",
            &[(
                "CloudFormation in us-east-1 did not answer: timed out",
                true,
            )],
        ),
    ]
}

async fn app_with_runbooks() -> App {
    let mut app = app_with(&[]).await;
    app.set_runbooks(Ok(runbooks()));
    app
}

fn dur(s: &str) -> Option<Dur> {
    Some(s.parse().unwrap())
}

fn step(path: &str, title: &str, kind: StepKind, phase: &str, state: StepState) -> StepView {
    let id = path.rsplit('/').next().unwrap().to_owned();
    StepView {
        path: path.into(),
        id,
        title: title.into(),
        kind,
        phase: phase.into(),
        depth: 0,
        item: None,
        state,
        need: None,
        started: None,
        finished: None,
        target: None,
        attempts: 0,
        max_attempts: 1,
        operation: None,
        resource: None,
        danger: None,
        instructions: None,
        preview: Vec::new(),
        log: Vec::new(),
        request_ids: Vec::new(),
        error: None,
        retryable: false,
        outputs: BTreeMap::new(),
    }
}

fn ago(mins: i64, secs: i64) -> Option<DateTime<Utc>> {
    Some(t0() - Duration::minutes(mins) - Duration::seconds(secs))
}

fn sources() -> Vec<ChoiceView> {
    vec![
        ChoiceView {
            id: "export".into(),
            label: "export of 02:12 in flightdata-exports-usw2 → import".into(),
            detail: Some("48m ago · loss 48m · RPO 1h: within".into()),
            available: true,
        },
        ChoiceView {
            id: "backup".into(),
            label: "backup of 23:00 (copied to us-west-2) → restore".into(),
            detail: Some("4h ago · loss 4h00m · RPO 1h: OVER by 3h".into()),
            available: true,
        },
        ChoiceView {
            id: "pitr".into(),
            label: "cross-region PITR restore from us-east-1".into(),
            detail: Some("us-east-1's control plane does not answer".into()),
            available: false,
        },
        ChoiceView {
            id: "replica".into(),
            label: "global-table replica".into(),
            detail: Some("no replica of flightdata-config in us-west-2".into()),
            available: false,
        },
    ]
}

/// The region failover 23 minutes in: DNS and capacity done, the tables being restored in
/// parallel (one importing, one waiting for its source to be chosen, one done).
fn failover_view() -> RunView {
    use StepKind::*;
    use StepState::*;
    let mut steps = Vec::new();
    let mut s = step(
        "confirm",
        "Confirm the outage",
        Manual,
        "immediate",
        Succeeded,
    );
    s.started = ago(23, 0);
    s.finished = ago(21, 30);
    s.target = dur("5m");
    s.outputs
        .insert("note".into(), "us-east-1 console unreachable".into());
    steps.push(s);
    let mut s = step(
        "dns",
        "Point DNS at us-west-2",
        Action,
        "immediate",
        Succeeded,
    );
    s.started = ago(21, 30);
    s.finished = ago(19, 0);
    s.target = dur("5m");
    s.operation = Some("failover-dns".into());
    s.resource = Some("api.flightdata.example.com".into());
    s.danger = Some(Danger::Write);
    s.request_ids = vec!["C2RQ7XPNF2K1".into()];
    steps.push(s);
    let mut s = step(
        "scale-up",
        "Scale up the backup region's stack",
        Action,
        "immediate",
        Succeeded,
    );
    s.started = ago(19, 0);
    s.finished = ago(12, 0);
    s.target = dur("10m");
    s.operation = Some("update-stack".into());
    s.resource = Some("flightdata-backup-usw2".into());
    steps.push(s);
    let mut g = step(
        "restore",
        "Restore every table in us-west-2",
        ForEach,
        "restore",
        Running,
    );
    g.started = ago(12, 0);
    g.target = dur("30m");
    steps.push(g);
    for (table, choose, import) in [
        ("flightdata-main", Succeeded, Running),
        ("flightdata-config", Waiting, Pending),
        ("flightdata-metrics", Succeeded, Succeeded),
    ] {
        let mut c = step(
            &format!("restore/{table}/source"),
            "Choose the restore source",
            Decision,
            "restore",
            choose,
        );
        c.depth = 1;
        c.item = Some(table.into());
        c.started = ago(12, 0);
        if choose == Succeeded {
            c.finished = ago(11, 0);
            c.outputs.insert("source".into(), "export".into());
            c.outputs.insert("loss".into(), "48m".into());
        } else {
            c.need = Some(Need::Choice {
                options: sources(),
                preselected: Some(0),
            });
        }
        steps.push(c);
        let mut i = step(
            &format!("restore/{table}/import"),
            &format!("Import {table}"),
            Action,
            "restore",
            import,
        );
        i.depth = 1;
        i.item = Some(table.into());
        i.target = dur("20m");
        i.operation = Some("import-table".into());
        i.resource = Some(table.into());
        i.danger = Some(Danger::Write);
        if import != Pending {
            i.started = ago(11, 0);
            i.attempts = 1;
            i.preview = vec![
                format!(
                    "1. dynamodb:ImportTable {table} from s3://flightdata-exports-usw2/exports/{table}/ (us-west-2)"
                ),
                "2. wait until the import is COMPLETED".into(),
            ];
            i.log = vec![
                "import started: IMP-01J9".into(),
                "import IN_PROGRESS: 1.2 GB of 2.7 GB".into(),
            ];
            i.request_ids = vec!["7H2KD9Q0".into()];
        }
        if import == Succeeded {
            i.finished = ago(4, 0);
            i.log.push("import COMPLETED: 1 240 118 items".into());
        }
        steps.push(i);
    }
    let mut s = step(
        "reprotect",
        "Turn PITR on for the restored tables",
        Action,
        "restore",
        Pending,
    );
    s.target = dur("5m");
    steps.push(s);
    steps.push(step(
        "functions",
        "Restore the Lambda functions in us-west-2",
        ForEach,
        "restore",
        Pending,
    ));
    steps.push(step(
        "smoke",
        "Run the estate's smoke test",
        Verify,
        "verify",
        Pending,
    ));
    let mut s = step(
        "status",
        "Post the status update",
        Manual,
        "verify",
        Pending,
    );
    s.instructions = Some("Post the drafted update to the status page.".into());
    steps.push(s);
    RunView {
        run: "run-0001".into(),
        runbook: "region-failover".into(),
        title: "Region failover: serve from us-west-2".into(),
        started: t0() - Duration::minutes(23),
        finished: None,
        target: dur("4h"),
        state: RunState::Running,
        inputs: BTreeMap::from([("reason".into(), "us-east-1 unreachable".into())]),
        phases: vec![
            PhaseView {
                id: "immediate".into(),
                title: "0–15 minutes: immediate response".into(),
                target: dur("15m"),
            },
            PhaseView {
                id: "restore".into(),
                title: "15–60 minutes: data in the backup region".into(),
                target: dur("1h"),
            },
            PhaseView {
                id: "verify".into(),
                title: "1–4 hours: verify and reopen".into(),
                target: dur("4h"),
            },
        ],
        steps,
    }
}

fn update(app: &mut App, view: RunView) -> Vec<Effect> {
    app.update(Event::RunbookUpdate {
        view: Box::new(view),
        event: None,
    })
}

/// An app showing `view`'s checklist, as after the run started from it.
async fn app_running(view: RunView) -> App {
    let mut app = app_with_runbooks().await;
    update(&mut app, view);
    assert_eq!(app.view, View::Runbook);
    app
}

fn chars(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

fn selected_path(app: &App) -> String {
    let run = app.runbooks.run.as_ref().unwrap();
    run.step().unwrap().path.clone()
}

#[tokio::test]
async fn each_poll_asks_for_readiness_once_at_a_time() {
    let estate = estate();
    let mut app = fresh_app(&estate);
    app.set_runbooks(Ok(runbooks()));
    let snap = snapshot(&estate, &[]).await;
    let effects = app.update(Event::Snapshot(Box::new(snap.clone())));
    assert_eq!(effects, vec![Effect::CheckReadiness(runbooks())]);
    // The first check has not answered: a second is not stacked on it.
    assert!(
        app.update(Event::Snapshot(Box::new(snap.clone())))
            .is_empty()
    );
    app.update(Event::Readiness(mixed_readiness()));
    assert_eq!(
        app.update(Event::Snapshot(Box::new(snap))),
        vec![Effect::CheckReadiness(runbooks())]
    );
    // Without runbooks there is nothing to check and no panel.
    let mut bare = fresh_app(&estate);
    let snap = snapshot(&estate, &[]).await;
    assert!(bare.update(Event::Snapshot(Box::new(snap))).is_empty());
}

#[tokio::test]
async fn scenarios_panel_says_ready_blockers_and_unknown() {
    let mut app = app_with_runbooks().await;
    let before = screen(&app, 160, 48);
    assert!(
        before.contains("checking…"),
        "not yet checked is not ready: {before}"
    );
    app.update(Event::Readiness(mixed_readiness()));
    assert_eq!(
        app.runbooks.verdict("region-failover"),
        Verdict::Blocked {
            count: 2,
            first: NO_EXPORT.into()
        }
    );
    assert_eq!(app.runbooks.verdict("data-corruption"), Verdict::Ready);
    assert!(matches!(
        app.runbooks.verdict("infrastructure-loss"),
        Verdict::Unknown { .. }
    ));
    let wide = screen(&app, 160, 48);
    assert!(wide.contains("2 blockers"), "{wide}");
    assert!(wide.contains(NO_EXPORT), "{wide}");
    assert!(wide.contains("unknown"), "{wide}");
    named!("scenarios_panel_160x48", wide);
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("Scenarios"), "{narrow}");
    assert!(narrow.contains("2 blockers"), "{narrow}");
    named!("scenarios_panel_80x24", narrow);
}

#[tokio::test]
async fn a_runbook_that_does_not_load_is_shown_where_the_rows_would_be() {
    let mut app = app_with(&[]).await;
    let error = "runbooks/region-failover.toml:31:10: unknown action `failover-dnz`";
    app.set_runbooks(Err(error.into()));
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("runbooks did not load"), "{screen}");
    assert!(screen.contains("failover-dnz"), "{screen}");
    // Nothing to check, and the picker says why instead of opening.
    let snap = snapshot(&app.estate, &[]).await;
    assert!(app.update(Event::Snapshot(Box::new(snap))).is_empty());
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(app.runbooks.popup.is_none());
    assert!(app.flash.as_ref().unwrap().text.contains("failover-dnz"));
}

#[tokio::test]
async fn picking_a_runbook_declares_first_then_asks_its_inputs_then_starts_it() {
    let mut app = app_with_runbooks().await;
    app.update(Event::Readiness(mixed_readiness()));
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Pick { selected: 0 })
    ));
    let picker = screen(&app, 80, 24);
    assert!(picker.contains("declares the incident first"), "{picker}");
    named!("runbook_picker_80x24", picker);
    press(&mut app, &[KeyCode::Enter]);
    // No incident is open: the declare form, filled in from the runbook.
    let Some(drconsole::tui::incident::Popup::Declare(form)) = &app.popup else {
        panic!("the declare form opens first: {:?}", app.popup);
    };
    assert_eq!(
        drconsole::tui::incident::text_of(&form.title),
        "Region failover: serve from us-west-2"
    );
    assert_eq!(
        drconsole::incident::SCENARIOS[form.scenario].0,
        "region-failover"
    );
    // Declared (as the runner answers): the runbook's inputs, defaults filled in.
    let open = Open::declare(&app.estate, &[super::incident::INGEST], t0());
    app.update(Event::Declared(Ok(Box::new(open.incident.clone()))));
    let Some(RunbookPopup::Start(start)) = &app.runbooks.popup else {
        panic!("the start form follows the declaration");
    };
    assert_eq!(start.fields.len(), 2);
    assert_eq!(
        drconsole::tui::incident::text_of(&start.fields[0].text),
        "us-east-1 unreachable",
        "an estate variable in a default is filled in"
    );
    assert!(
        start.fields[1]
            .hint
            .as_deref()
            .unwrap()
            .contains("in flightdata-main's PITR window")
    );
    named!("runbook_start_form_80x24", screen(&app, 80, 24));
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect::StartRunbook {
            runbook: runbook(FAILOVER),
            inputs: BTreeMap::from([("reason".into(), "us-east-1 unreachable".into())]),
        }]
    );
    // The engine's first view replaces the form with the checklist.
    update(&mut app, failover_view());
    assert!(app.runbooks.popup.is_none());
    assert_eq!(app.view, View::Runbook);
}

#[tokio::test]
async fn a_declare_form_closed_unsent_starts_nothing_later() {
    let mut app = app_with_runbooks().await;
    press(&mut app, &[KeyCode::Char('b'), KeyCode::Enter]);
    assert!(app.popup.is_some());
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.popup.is_none());
    // An incident declared another way afterwards does not start the runbook picked before.
    let open = Open::declare(&app.estate, &[super::incident::INGEST], t0());
    app.update(Event::Declared(Ok(Box::new(open.incident.clone()))));
    assert!(app.runbooks.popup.is_none());
}

#[tokio::test]
async fn with_an_incident_open_the_picker_goes_straight_to_the_inputs() {
    let mut app = app_with_runbooks().await;
    let open = Open::declare(&app.estate, &[super::incident::INGEST], t0());
    open.give_to(&mut app);
    press(
        &mut app,
        &[KeyCode::Char('b'), KeyCode::Down, KeyCode::Enter],
    );
    let Some(RunbookPopup::Start(form)) = &app.runbooks.popup else {
        panic!("{:?}", app.runbooks.popup);
    };
    assert_eq!(form.runbook.name.get_ref(), "data-corruption");
    assert!(app.popup.is_none(), "no second declaration");
}

#[tokio::test]
async fn a_refused_start_is_said_in_the_form() {
    let mut app = app_with_runbooks().await;
    let open = Open::declare(&app.estate, &[super::incident::INGEST], t0());
    open.give_to(&mut app);
    press(
        &mut app,
        &[KeyCode::Char('b'), KeyCode::Enter, KeyCode::Enter],
    );
    app.update(Event::RunbookNotStarted(
        "the journal could not record it: disk full".into(),
    ));
    let Some(RunbookPopup::Start(form)) = &app.runbooks.popup else {
        panic!("the form stays, with the reason");
    };
    assert!(!form.waiting);
    assert!(form.error.as_deref().unwrap().contains("disk full"));
    assert!(screen(&app, 80, 24).contains("disk full"));
}

#[tokio::test]
async fn read_only_starts_no_runbook() {
    let mut app = app_with_runbooks().await;
    app.read_only = true;
    press(&mut app, &[KeyCode::Char('b'), KeyCode::Enter]);
    assert!(app.popup.is_none());
    assert!(app.runbooks.popup.is_none());
    assert!(app.flash.as_ref().unwrap().text.contains("read-only"));
}

#[tokio::test]
async fn the_checklist_80x24() {
    let app = app_running(failover_view()).await;
    // The selection follows the step that waits for a person.
    assert_eq!(selected_path(&app), "restore/flightdata-config/source");
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("SIMULATION"), "the mode stays: {screen}");
    assert!(screen.contains("0–15 minutes"), "{screen}");
    assert!(
        screen.contains("23m00s / 4h"),
        "the run against its target: {screen}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_checklist_160x48() {
    let mut app = app_running(failover_view()).await;
    // The DNS step: its operation, request id and timing.
    press(&mut app, &[KeyCode::Home, KeyCode::Down]);
    assert_eq!(selected_path(&app), "dns");
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("C2RQ7XPNF2K1"), "{screen}");
    assert!(screen.contains("2m30s / 5m"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn a_running_for_each_shows_each_item_and_its_progress() {
    let mut app = app_running(failover_view()).await;
    let main = app
        .runbooks
        .run
        .as_ref()
        .unwrap()
        .view
        .steps
        .iter()
        .position(|s| s.path == "restore/flightdata-main/import")
        .unwrap();
    press(&mut app, &[KeyCode::Home]);
    for _ in 0..main {
        press(&mut app, &[KeyCode::Down]);
    }
    assert_eq!(selected_path(&app), "restore/flightdata-main/import");
    let screen = screen(&app, 100, 32);
    assert!(
        screen.contains("3/6 done"),
        "the group's progress: {screen}"
    );
    assert!(
        screen.contains("1.2 GB of 2.7 GB"),
        "the live log: {screen}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_restore_source_chooser_takes_the_freshest_and_asks_why() {
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Enter]);
    let Some(RunbookPopup::Choose { selected, .. }) = &app.runbooks.popup else {
        panic!("{:?}", app.runbooks.popup);
    };
    assert_eq!(*selected, 0, "the freshest is preselected");
    named!("restore_source_chooser_80x24", screen(&app, 80, 24));
    // Down to the backup, and down again: the two sources that cannot be used are skipped.
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Down]);
    let Some(RunbookPopup::Choose { selected, .. }) = &app.runbooks.popup else {
        panic!();
    };
    assert_eq!(*selected, 1);
    press(&mut app, &[KeyCode::Up, KeyCode::Enter]);
    let Some(RunbookPopup::Choose {
        rationale: Some(field),
        ..
    }) = &app.runbooks.popup
    else {
        panic!("enter asks why");
    };
    assert_eq!(drconsole::tui::incident::text_of(field), "freshest source");
    named!("restore_source_rationale_80x24", screen(&app, 80, 24));
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect::RunbookCommand(Command::Choose {
            step: "restore/flightdata-config/source".into(),
            option: "export".into(),
            rationale: "freshest source".into(),
        })]
    );
    // The engine's next view no longer asks: the chooser closes.
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    s.need = None;
    s.state = StepState::Succeeded;
    update(&mut app, view);
    assert!(app.runbooks.popup.is_none());
}

#[tokio::test]
async fn a_backup_over_the_rpo_needs_its_own_reason() {
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Enter, KeyCode::Down, KeyCode::Enter]);
    let Some(RunbookPopup::Choose {
        rationale: Some(field),
        ..
    }) = &app.runbooks.popup
    else {
        panic!();
    };
    assert_eq!(drconsole::tui::incident::text_of(field), "");
    assert!(
        press(&mut app, &[KeyCode::Enter]).is_empty(),
        "no empty reason"
    );
    let effects = chars(&mut app, "export bucket unreadable");
    assert!(effects.is_empty());
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect::RunbookCommand(Command::Choose {
            step: "restore/flightdata-config/source".into(),
            option: "backup".into(),
            rationale: "export bucket unreadable".into(),
        })]
    );
}

/// The swap of the data-corruption runbook: the corrupted table is deleted.
fn destructive_view() -> RunView {
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "reprotect")
        .unwrap();
    s.title = "Delete the corrupted table".into();
    s.operation = Some("delete-table".into());
    s.resource = Some("flightdata-main".into());
    s.danger = Some(Danger::Destructive);
    s.state = StepState::Waiting;
    s.preview = vec!["1. dynamodb:DeleteTable flightdata-main (us-east-1)".into()];
    s.need = Some(Need::Confirm {
        name: "flightdata-main".into(),
    });
    // Nothing else waits, so the selection follows this step.
    let c = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    c.need = None;
    c.state = StepState::Succeeded;
    view
}

#[tokio::test]
async fn the_confirm_popup_takes_every_key_as_text_until_the_name_is_right() {
    let mut app = app_running(destructive_view()).await;
    assert_eq!(selected_path(&app), "reprotect");
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Confirm { .. })
    ));
    // q, ?, j, C and y are text here: nothing quits, moves, cancels or confirms.
    assert!(chars(&mut app, "q?jCy").is_empty());
    assert!(!app.should_quit && !app.help_open);
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    let Some(RunbookPopup::Confirm { wrong, .. }) = &app.runbooks.popup else {
        panic!();
    };
    assert!(wrong.as_deref().unwrap().contains("nothing was sent"));
    named!("confirm_popup_80x24", screen(&app, 80, 24));
    press(&mut app, &[KeyCode::Backspace; 5]);
    assert!(chars(&mut app, "flightdata-main").is_empty());
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Confirm {
            step: "reprotect".into(),
            typed: "flightdata-main".into(),
        })]
    );
    // Sent once: a second Enter sends nothing more.
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
}

fn failed_view() -> RunView {
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-main/import")
        .unwrap();
    s.state = StepState::Failed;
    s.finished = Some(t0() - Duration::minutes(1));
    s.attempts = 2;
    s.max_attempts = 2;
    s.error = Some(
        "ImportTable: LimitExceededException: at most 50 concurrent imports (request id 7H2KD9Q0)"
            .into(),
    );
    s.retryable = true;
    s.need = Some(Need::Retry);
    s.log.push("import FAILED: LimitExceededException".into());
    let c = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    c.need = None;
    c.state = StepState::Succeeded;
    view.state = RunState::Failed;
    view
}

#[tokio::test]
async fn a_failed_step_shows_why_and_retries_or_is_skipped_with_a_reason() {
    let mut app = app_running(failed_view()).await;
    assert_eq!(selected_path(&app), "restore/flightdata-main/import");
    let screen80 = screen(&app, 80, 24);
    assert!(screen80.contains("FAILED"), "{screen80}");
    named!("failed_step_80x24", screen80);
    let wide = screen(&app, 160, 48);
    assert!(wide.contains("LimitExceededException"), "{wide}");
    assert!(wide.contains("retryable: T tries again"), "{wide}");
    named!("failed_step_160x48", wide);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('T')]),
        vec![Effect::RunbookCommand(Command::Retry(
            "restore/flightdata-main/import".into()
        ))]
    );
    press(&mut app, &[KeyCode::Char('s')]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Skip { .. })
    ));
    assert!(
        press(&mut app, &[KeyCode::Enter]).is_empty(),
        "a reason is needed"
    );
    chars(&mut app, "restored by hand");
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Skip {
            step: "restore/flightdata-main/import".into(),
            reason: "restored by hand".into(),
        })]
    );
}

#[tokio::test]
async fn an_input_shows_the_window_and_why_a_value_was_refused() {
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    s.kind = StepKind::Input;
    s.title = "When did the corruption start?".into();
    s.need = Some(Need::Input {
        prompt: "Restore flightdata-main to".into(),
        kind: InputKind::Time,
        default: Some("2026-11-24T02:40:00Z".into()),
        choices: Vec::new(),
        hint: Some("PITR window: 2026-10-20T03:00:00Z to 2026-11-24T02:55:00Z".into()),
        error: None,
    });
    let mut app = app_running(view.clone()).await;
    press(&mut app, &[KeyCode::Enter]);
    let Some(RunbookPopup::Input { field, .. }) = &app.runbooks.popup else {
        panic!("{:?}", app.runbooks.popup);
    };
    assert_eq!(
        drconsole::tui::incident::text_of(field),
        "2026-11-24T02:40:00Z"
    );
    press(&mut app, &[KeyCode::Backspace; 20]);
    chars(&mut app, "03:10");
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Provide {
            step: "restore/flightdata-config/source".into(),
            value: "03:10".into(),
        })]
    );
    // Refused: the popup stays, with the engine's reason, for another try.
    if let Some(Need::Input { error, .. }) = &mut view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap()
        .need
    {
        *error = Some("03:10 is after the window's end (02:55)".into());
    }
    update(&mut app, view);
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("after the window's end"), "{screen}");
    assert!(screen.contains("PITR window"), "{screen}");
    named!("input_refused_80x24", screen);
}

#[tokio::test]
async fn manual_steps_are_marked_done_and_start_runs_a_write() {
    let mut view = failover_view();
    let c = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    c.need = None;
    c.state = StepState::Succeeded;
    let s = view.steps.iter_mut().find(|s| s.path == "status").unwrap();
    s.state = StepState::Waiting;
    s.need = Some(Need::Done);
    let mut app = app_running(view.clone()).await;
    assert_eq!(selected_path(&app), "status");
    assert_eq!(
        press(&mut app, &[KeyCode::Char('d')]),
        vec![Effect::RunbookCommand(Command::Done {
            step: "status".into(),
            note: None
        })]
    );
    // `d` on a step that is not manual says so and sends nothing.
    press(&mut app, &[KeyCode::Home]);
    assert!(press(&mut app, &[KeyCode::Char('d')]).is_empty());
    assert!(app.flash.is_some());
    // A write that waits for its start runs on Enter.
    let s = view.steps.iter_mut().find(|s| s.path == "status").unwrap();
    s.need = Some(Need::Start);
    update(&mut app, view);
    press(&mut app, &[KeyCode::End]);
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Run("status".into()))]
    );
}

#[tokio::test]
async fn cancel_asks_first_and_esc_leaves_the_run_going_with_a_badge() {
    let mut app = app_running(failover_view()).await;
    assert!(press(&mut app, &[KeyCode::Char('C')]).is_empty());
    assert!(matches!(app.runbooks.popup, Some(RunbookPopup::Cancel)));
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.runbooks.popup.is_none());
    press(&mut app, &[KeyCode::Char('C')]);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('y')]),
        vec![Effect::RunbookCommand(Command::Cancel)]
    );
    // Back to the dashboard: the run goes on, and the header says so.
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.view, View::Dashboard);
    let wide = screen(&app, 160, 48);
    let header = wide.lines().next().unwrap();
    assert!(
        header.contains("runbook: region-failover 6/12 · 23m · waiting"),
        "{wide}"
    );
    // Where the header has no room for it, the footer says it, once the flash is gone.
    app.update(Event::Tick(t0() + Duration::seconds(5)));
    let narrow = screen(&app, 80, 24);
    let footer = narrow.lines().last().unwrap();
    assert!(footer.contains("runbook: region-failover 6/12"), "{narrow}");
    // The same key as the picker brings the checklist back while a run exists.
    press(&mut app, &[KeyCode::Char('b')]);
    assert_eq!(app.view, View::Runbook);
    // And another runbook cannot start over it.
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(app.runbooks.popup.is_none());
}

#[tokio::test]
async fn the_step_keys_outside_the_checklist_say_where_they_work() {
    let mut app = app_with_runbooks().await;
    for c in ['d', 's', 'T', 'C'] {
        assert!(press(&mut app, &[KeyCode::Char(c)]).is_empty());
        assert!(app.flash.as_ref().unwrap().text.contains("checklist"));
    }
}

#[tokio::test]
async fn the_finished_run_is_flashed_and_the_picker_opens_again() {
    let mut app = app_running(failover_view()).await;
    let mut view = failover_view();
    for s in &mut view.steps {
        s.state = StepState::Succeeded;
        s.need = None;
    }
    view.state = RunState::Succeeded;
    view.finished = Some(t0());
    app.update(Event::RunbookUpdate {
        view: Box::new(view),
        event: Some(drconsole::runbook::Event::Finished(RunState::Succeeded)),
    });
    assert!(app.flash.as_ref().unwrap().text.contains("every step done"));
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Pick { .. })
    ));
}

#[tokio::test]
async fn every_runbook_screen_draws_at_any_size_without_panicking() {
    let mut app = app_running(failed_view()).await;
    for (w, h) in [(20, 5), (40, 10), (80, 24), (120, 30), (200, 60)] {
        screen(&app, w, h);
    }
    press(&mut app, &[KeyCode::Char('s')]);
    for (w, h) in [(20, 5), (40, 10), (80, 24)] {
        screen(&app, w, h);
    }
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Enter]);
    for (w, h) in [(20, 5), (40, 10), (80, 24)] {
        screen(&app, w, h);
    }
}

/// A runner on the simulation, without a data directory, and the events it sends.
fn sim_runner() -> (
    drconsole::tui::run::Runner,
    tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    let estate = estate();
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    );
    let (tx, rx) = drconsole::tui::run::channel();
    let poll = drconsole::health::PollerOptions {
        interval: std::time::Duration::from_secs(3600),
        concurrency: 8,
    };
    let runner = drconsole::tui::run::Runner::new(Arc::new(sim), estate, poll, tx);
    (runner, rx)
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
        .await
        .expect("the runner answers")
        .expect("the runner is there")
}

#[tokio::test]
async fn the_runner_answers_a_readiness_check_with_one_verdict_per_runbook() {
    let (mut runner, mut rx) = sim_runner();
    runner.run(Effect::CheckReadiness(runbooks()));
    let Event::Readiness(found) = next(&mut rx).await else {
        panic!("a readiness answer");
    };
    let names: Vec<&str> = found.iter().map(|r| r.runbook.as_str()).collect();
    assert_eq!(
        names,
        ["region-failover", "data-corruption", "infrastructure-loss"]
    );
}

#[tokio::test]
async fn a_run_with_nowhere_to_journal_is_refused_and_says_why() {
    let (mut runner, mut rx) = sim_runner();
    runner.run(Effect::StartRunbook {
        runbook: runbook(FAILOVER),
        inputs: BTreeMap::new(),
    });
    match next(&mut rx).await {
        Event::RunbookNotStarted(why) => assert!(why.contains("data directory"), "{why}"),
        other => panic!("no run without a journal: {other:?}"),
    }
    // An answer with no run under way goes nowhere, and nothing breaks.
    runner.run(Effect::RunbookCommand(Command::Cancel));
}

/// Every kind of step a person answers, on the simulated estate.
const ON_THE_SIM: &str = r#"
name = "sim-walk"
title = "Walk every kind of step"
summary = "A person answers each step from the console's keys."

[[inputs]]
name = "copies"
prompt = "How many copies"
kind = "count"

[[phases]]
id = "first"
title = "0–15 minutes"
target = "15m"

[[phases.steps]]
id = "notice"
kind = "manual"
title = "Post the maintenance notice"

[[phases.steps]]
id = "pitr"
kind = "action"
title = "PITR on for flightdata-main"
action = "enable-pitr"
resource = "flightdata-main"

[[phases.steps]]
id = "ask"
kind = "input"
title = "How many copies"
input = "copies"

[[phases.steps]]
id = "which"
kind = "decision"
title = "Back up every table?"
options = [{ id = "yes", label = "back them up", goto = "backups" }, { id = "no", label = "skip it", goto = "end" }]

[[phases.steps]]
id = "backups"
kind = "for_each"
title = "Back up every table"
for_each = "tables"
concurrency = 3

[[phases.steps.steps]]
id = "backup"
kind = "action"
title = "Back up"
action = "backup-table"
resource = "{{ item }}"
args = { name = "rb-{{ item }}-{{ run.stamp }}" }

[[phases.steps]]
id = "end"
kind = "manual"
title = "Tell the team"
"#;

/// What a commander presses for the step the checklist has selected, once per need.
fn answer(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.runbooks.run.as_ref().and_then(|r| r.step().cloned()) else {
        return Vec::new();
    };
    match step.need {
        Some(Need::Done) => press(app, &[KeyCode::Char('d')]),
        Some(Need::Start) => press(app, &[KeyCode::Enter]),
        Some(Need::Input { .. }) => {
            press(app, &[KeyCode::Enter]);
            chars(app, "2");
            press(app, &[KeyCode::Enter])
        }
        Some(Need::Choice { .. }) => {
            press(app, &[KeyCode::Enter, KeyCode::Enter]);
            chars(app, "every table, before the swap");
            press(app, &[KeyCode::Enter])
        }
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn a_real_run_on_the_sim_is_answered_from_the_keys_to_its_end() {
    let data = tempfile::tempdir().unwrap();
    let estate = estate();
    let sim: Arc<dyn drconsole::cloud::Cloud> = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::None,
            // PITR off on the first table, so turning it on is a write to run.
            faults: vec![Fault::PitrOff],
        },
    ));
    let (tx, mut rx) = drconsole::tui::run::channel();
    let poll = drconsole::health::PollerOptions {
        interval: std::time::Duration::from_secs(3600),
        concurrency: 8,
    };
    let session =
        drconsole::session::Session::new((*estate).clone(), Arc::clone(&sim), Mode::Simulation);
    let dirs = drconsole::dirs::Dirs::with_env(Some(data.path()), &|_| None);
    let mut runner =
        drconsole::tui::run::Runner::new(Arc::clone(&sim), Arc::clone(&estate), poll, tx)
            .with_actions(drconsole::tui::run::Actions { session, dirs });
    let mut app = fresh_app(&estate);
    app.update(Event::Snapshot(Box::new(
        health::snapshot(sim.as_ref(), &estate, 8).await,
    )));
    runner.run(Effect::OpenExecutor { incident: None });
    runner.run(Effect::StartRunbook {
        runbook: runbook(ON_THE_SIM),
        inputs: BTreeMap::new(),
    });
    let mut asked = Vec::new();
    let mut snapped = false;
    loop {
        let event = next(&mut rx).await;
        let finished = matches!(
            event,
            Event::RunbookUpdate {
                event: Some(drconsole::runbook::Event::Finished(RunState::Succeeded)),
                ..
            }
        );
        let mut effects = app.update(event);
        if let Some(step) = app.runbooks.run.as_ref().and_then(|r| r.step().cloned())
            && let Some(need) = &step.need
            && !asked.contains(&step.path)
        {
            asked.push(step.path.clone());
            if matches!(need, Need::Input { .. }) && !snapped {
                // The input as the real engine asks it, before the answer is typed.
                snapped = true;
                press(&mut app, &[KeyCode::Enter]);
                let screen = screen(&app, 80, 24);
                assert!(screen.contains("How many copies"), "{screen}");
                named!("sim_walk_at_its_input_80x24", screen);
                chars(&mut app, "2");
                effects.extend(press(&mut app, &[KeyCode::Enter]));
            } else {
                effects.extend(answer(&mut app));
            }
        }
        for effect in effects {
            runner.run(effect);
        }
        if finished {
            break;
        }
    }
    let view = &app.runbooks.run.as_ref().unwrap().view;
    assert_eq!(view.state, RunState::Succeeded, "{:#?}", view.steps);
    for table in ["flightdata-main", "flightdata-metrics", "flightdata-config"] {
        let step = view.step(&format!("backups/{table}/backup")).unwrap();
        assert_eq!(step.state, StepState::Succeeded, "{step:#?}");
    }
    assert_eq!(view.step("ask").unwrap().outputs["value"], "2");
    assert_eq!(view.step("which").unwrap().outputs["choice"], "yes");
    // Each need was answered once, from the keys, in the checklist's order.
    assert_eq!(
        asked,
        ["notice", "pitr", "ask", "which", "backups", "end"],
        "{asked:?}"
    );
    assert!(app.flash.as_ref().unwrap().text.contains("every step done"));
    let done = screen(&app, 80, 24);
    assert!(done.contains("succeeded"), "{done}");
}

#[tokio::test]
async fn help_on_the_checklist_at_80x24_lists_every_runbook_key() {
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Char('?')]);
    let screen = screen(&app, 80, 24);
    for want in [
        "Run or answer the selected step",
        "Mark the selected manual step done",
        "Skip the selected step",
        "Try the selected failed step again",
        "Cancel the run",
        "Pick a runbook or return to the run",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    named!("help_on_the_checklist_80x24", screen);
}
