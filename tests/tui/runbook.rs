//! Runbooks in the console, on the simulated estate and a fixed clock: the runbooks the
//! console offers, the Scenarios panel with their readiness, the picker and the start form.
//! What the console sends back is read from its effects.

use std::collections::BTreeMap;

use drconsole::runbook::{Blocker, Readiness, RunView, Runbook};
use drconsole::tui::runbook::{RunbookPopup, Verdict};

use super::incident::Open;
use super::runbook_views::failover_view;
use super::*;

pub(super) const FAILOVER: &str = r#"
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

pub(super) const CORRUPTION: &str = r#"
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

pub(super) const LOSS: &str = r#"
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

pub(super) fn runbook(text: &str) -> Arc<Runbook> {
    Arc::new(toml::from_str(text).unwrap())
}

pub(super) fn runbooks() -> Vec<Arc<Runbook>> {
    vec![runbook(FAILOVER), runbook(CORRUPTION), runbook(LOSS)]
}

pub(super) fn readiness(runbook: &str, blockers: &[(&str, bool)]) -> Readiness {
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

pub(super) const NO_EXPORT: &str =
    "flightdata-config has no restorable copy in us-west-2 — newest export 9 days old";

/// The readiness of the three: failover blocked, corruption ready, loss unknown.
pub(super) fn mixed_readiness() -> Vec<Readiness> {
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

pub(super) async fn app_with_runbooks() -> App {
    let mut app = app_with(&[]).await;
    app.set_runbooks(Ok(runbooks()));
    app
}

pub(super) fn update(app: &mut App, view: RunView) -> Vec<Effect> {
    app.update(Event::RunbookUpdate {
        view: Box::new(view),
        event: None,
    })
}

/// An app showing `view`'s checklist, as after the run started from it.
pub(super) async fn app_running(view: RunView) -> App {
    let mut app = app_with_runbooks().await;
    update(&mut app, view);
    assert_eq!(app.view, View::Runbook);
    app
}

pub(super) fn chars(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

pub(super) fn selected_path(app: &App) -> String {
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
    let error = "runbooks/region-failover.toml:31:10: unknown action `failover-dnz`\n    \
                 action = \"failover-dnz\"\n             ^";
    app.set_runbooks(Err(error.into()));
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("runbooks did not load"), "{screen}");
    assert!(screen.contains("failover-dnz"), "{screen}");
    // The file's line and the caret under the column keep their own lines.
    assert!(
        screen.contains("│    action = \"failover-dnz\""),
        "{screen}"
    );
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
