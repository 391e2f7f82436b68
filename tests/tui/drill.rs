//! A drill started from the console: `d` in the picker asks every input (setup needs them),
//! leaves as a drill effect with no declaration, shows DRILL in the header and its phase
//! above the checklist, and its end (torn down, or what was left) once the record is back.

use drconsole::drill::run::{DrillPhase, DrillProgress};
use drconsole::drill::{DrillOutcome, DrillRecord};
use drconsole::mode::Mode;
use drconsole::tui::runbook::RunbookPopup;

use super::runbook::{app_with_runbooks, update};
use super::runbook_views::failover_view;
use super::*;

fn record(left: &[&str]) -> DrillRecord {
    DrillRecord {
        id: "DRL-20261127-0300".into(),
        runbook: "region-failover".into(),
        mode: Mode::Drill,
        account: None,
        started: t0(),
        finished: Some(t0() + chrono::Duration::minutes(75)),
        outcome: DrillOutcome::Completed,
        target_secs: Some(4 * 3600),
        rto_secs: Some(4 * 3600),
        recovery_secs: Some(62.0 * 60.0),
        setup_secs: Some(90.0),
        teardown_secs: Some(40.0),
        steps: Vec::new(),
        restore_points: Vec::new(),
        removed: vec!["table flightdata-main-dr-test (us-west-2)".into()],
        left: left.iter().map(|s| s.to_string()).collect(),
        journal: "drills/incidents/DRL-20261127-0300".into(),
    }
}

#[tokio::test]
async fn d_in_the_picker_starts_a_drill_without_a_declaration() {
    let mut app = app_with_runbooks().await;
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(screen(&app, 100, 30).contains("drill"));
    press(&mut app, &[KeyCode::Char('d')]);
    // No declare form: the drill makes its own incident.
    assert!(app.popup.is_none(), "{:?}", app.popup);
    let Some(RunbookPopup::Start(form)) = &app.runbooks.popup else {
        panic!("{:?}", app.runbooks.popup);
    };
    assert!(form.drill);
    assert!(screen(&app, 80, 24).contains("Drill region-failover"));
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(&effects[..], [Effect::StartDrill { runbook, .. }] if runbook.name.get_ref() == "region-failover"),
        "{effects:?}"
    );
    // DRILL goes up at once, before setup's first line.
    let header = screen(&app, 80, 24);
    assert!(header.lines().next().unwrap().contains("DRILL"), "{header}");
}

#[tokio::test]
async fn the_drill_shows_its_phase_then_its_end() {
    let mut app = app_with_runbooks().await;
    press(
        &mut app,
        &[KeyCode::Char('b'), KeyCode::Char('d'), KeyCode::Enter],
    );
    app.update(Event::DrillStarted {
        id: "DRL-20261127-0300".into(),
        suffix: "-dr-test".into(),
        earlier: Vec::new(),
    });
    app.update(Event::DrillProgress(DrillProgress {
        phase: DrillPhase::Setup,
        line: "copying stack flightdata-standby as flightdata-standby-dr-test".into(),
    }));
    let setup = screen(&app, 80, 24);
    assert!(setup.contains("setup: copying stack"), "{setup}");
    assert!(setup.contains("-dr-test"), "{setup}");
    named!("drill_setup_80x24", setup);

    update(&mut app, failover_view());
    let begun = screen(&app, 120, 30);
    assert!(
        begun.contains("run: region-failover is running on the drill's copies"),
        "the setup line gives way once the run begins: {begun}"
    );
    app.update(Event::DrillProgress(DrillProgress {
        phase: DrillPhase::Run,
        line: "running   immediate/dns".into(),
    }));
    let running = screen(&app, 160, 48);
    assert!(
        running.lines().next().unwrap().contains("DRILL"),
        "{running}"
    );
    assert!(
        running.contains("run: running   immediate/dns"),
        "{running}"
    );
    named!("drill_running_160x48", running);

    app.update(Event::DrillFinished(Ok(Box::new(record(&[])))));
    let done = screen(&app, 80, 24);
    assert!(
        !done.lines().next().unwrap().contains("DRILL"),
        "DRILL leaves the header once torn down: {done}"
    );
    assert!(done.contains("torn down (1 removed)"), "{done}");
}

#[tokio::test]
async fn what_teardown_left_is_named() {
    let mut app = app_with_runbooks().await;
    press(
        &mut app,
        &[KeyCode::Char('b'), KeyCode::Char('d'), KeyCode::Enter],
    );
    app.update(Event::DrillFinished(Ok(Box::new(record(&[
        "function flightdata-api-dr-test (us-west-2)",
    ])))));
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("LEFT BEHIND: function flightdata-api-dr-test"),
        "{text}"
    );
}

#[tokio::test]
async fn a_read_only_console_starts_no_drill() {
    let mut app = app_with_runbooks().await;
    app.read_only = true;
    let effects = press(&mut app, &[KeyCode::Char('b'), KeyCode::Char('d')]);
    assert!(effects.is_empty());
    assert!(app.runbooks.popup.is_none());
    assert!(app.drill.is_none());
}

#[tokio::test]
async fn the_drills_own_incident_is_not_offered_for_resuming() {
    let mut app = app_with_runbooks().await;
    press(
        &mut app,
        &[KeyCode::Char('b'), KeyCode::Char('d'), KeyCode::Enter],
    );
    app.update(Event::DrillStarted {
        id: "SIM-20261127-0300".into(),
        suffix: "-dr-test".into(),
        earlier: Vec::new(),
    });
    let open = super::incident::Open::declare(&app.estate, &[super::incident::INGEST], t0());
    let mut incident = open.incident.clone();
    incident.id = "SIM-20261127-0300".into();
    app.update(Event::OpenIncidents(vec![incident.clone()]));
    assert!(app.popup.is_none(), "{:?}", app.popup);
    // Another incident still is.
    incident.id = "SIM-20261127-0245".into();
    app.update(Event::OpenIncidents(vec![incident]));
    assert!(app.popup.is_some());
}
