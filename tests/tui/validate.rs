//! The backup validation from the console: `V` asks first and says what it will do, `esc`
//! backs out, `y` starts it; its lines, then its summary and record, on its own screen;
//! leaving while it runs asks and then stops it; a read-only console refuses; and a run on
//! the simulation through the runner keeps its record and leaves no temporary table.

use drconsole::drill::validate::{Finding, Kind, ValidationRecord, Verdict};
use drconsole::event::ValidationDone;
use drconsole::tui::validate::ValidatePopup;

use super::*;

fn record(verdict: Verdict) -> ValidationRecord {
    let findings = vec![
        Finding::new(
            Kind::Bucket,
            "flightdata-raw-replica",
            "completeness",
            verdict,
            "replica holds 90.0% of the source's objects (threshold 95%)",
        ),
        Finding::new(
            Kind::Table,
            "flightdata-main",
            "item-count",
            Verdict::Pass,
            "1000 item(s) counted; the backup recorded 1000",
        ),
    ];
    ValidationRecord {
        id: "validate-20261124T030000-00aa".into(),
        mode: Mode::Simulation,
        account: Some("123456789012".into()),
        started: t0(),
        finished: t0() + chrono::Duration::seconds(42),
        verdict: Verdict::overall(&findings),
        settings: Default::default(),
        replica_threshold_percent: 95.0,
        tables: vec!["flightdata-main".into()],
        interrupted: false,
        left: Vec::new(),
        findings,
    }
}

#[tokio::test]
async fn v_asks_first_and_esc_backs_out_with_nothing_started() {
    let mut app = app_with(&[]).await;
    let effects = press(&mut app, &[KeyCode::Char('V')]);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.validate_popup, Some(ValidatePopup::Confirm));
    let asked = screen(&app, 80, 24);
    assert!(asked.contains("Validate backups?"), "{asked}");
    assert!(asked.contains("3 table(s)"), "{asked}");
    assert!(asked.contains("deletes it"), "{asked}");
    assert!(asked.contains("y/enter"), "{asked}");
    let effects = press(&mut app, &[KeyCode::Esc]);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.validate_popup.is_none());
    assert!(app.validation.is_none());
    assert_eq!(app.view, View::Dashboard);
    // n backs out too.
    press(&mut app, &[KeyCode::Char('V')]);
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.validation.is_none());
}

#[tokio::test]
async fn y_starts_it_and_its_lines_then_its_summary_show() {
    let mut app = app_with(&[]).await;
    let effects = press(&mut app, &[KeyCode::Char('V'), KeyCode::Char('y')]);
    assert_eq!(effects, vec![Effect::StartValidation]);
    assert_eq!(app.view, View::Validate);
    app.update(Event::ValidationProgress(
        "flightdata-main: restoring backup daily-backup-20261124 (4h old)".into(),
    ));
    app.update(Event::ValidationProgress(
        "flightdata-main: counting the restored table".into(),
    ));
    app.update(Event::Tick(t0() + chrono::Duration::seconds(75)));
    let running = screen(&app, 80, 24);
    assert!(running.contains("running: 3 table(s)"), "{running}");
    assert!(running.contains("1m 15s elapsed"), "{running}");
    assert!(
        running.contains("flightdata-main: counting the restored table"),
        "{running}"
    );

    // A second start while it runs is refused.
    let again = press(&mut app, &[KeyCode::Char('V')]);
    assert!(again.is_empty(), "{again:?}");
    assert!(app.validate_popup.is_none());
    assert!(screen(&app, 80, 24).contains("one at a time"));

    app.update(Event::ValidationFinished(Ok(Box::new(ValidationDone {
        record: record(Verdict::Fail),
        kept: Ok("history/validation/validate-20261124T030000-00aa.json".into()),
    }))));
    let done = screen(&app, 80, 24);
    assert!(done.contains("FAIL: 1 table(s); 2 finding(s)"), "{done}");
    assert!(done.contains("flightdata-raw-replica"), "{done}");
    assert!(
        done.contains("record: history/validation/validate-20261124T030000-00aa.json"),
        "{done}"
    );
    named!("validate_finished_80x24", done);
    // Over, esc leaves without a question.
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    assert!(app.validate_popup.is_none());
    assert_eq!(app.view, View::Dashboard);
}

#[tokio::test]
async fn leaving_while_it_runs_asks_then_stops_it() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('V'), KeyCode::Enter]);
    assert_eq!(app.view, View::Validate);
    // Asked, and staying sends nothing.
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    assert_eq!(app.validate_popup, Some(ValidatePopup::Leave));
    assert!(screen(&app, 80, 24).contains("Stop the validation?"));
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert_eq!(app.view, View::Validate);
    // Asked again, and yes stops it as Ctrl-C does headless.
    press(&mut app, &[KeyCode::Esc]);
    let effects = press(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(effects, vec![Effect::StopValidation]);
    assert_eq!(app.view, View::Dashboard);
    assert!(app.validation.as_ref().unwrap().stopping);
    // Back on its screen until it ends: it says what it is doing.
    press(&mut app, &[KeyCode::Char('V')]);
    assert_eq!(app.view, View::Validate);
    let stopping = screen(&app, 80, 24);
    assert!(
        stopping.contains("stopping: deleting the temporary tables"),
        "{stopping}"
    );
    // Stopping already: esc does not ask twice.
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    assert!(app.validate_popup.is_none());
    assert_eq!(app.view, View::Dashboard);
}

#[tokio::test]
async fn a_read_only_console_starts_no_validation() {
    let mut app = app_with(&[]).await;
    app.read_only = true;
    let effects = press(&mut app, &[KeyCode::Char('V')]);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.validate_popup.is_none());
    let text = screen(&app, 80, 24);
    assert!(text.contains("read-only: writes are off"), "{text}");
    // No question was asked, so a y that follows starts nothing.
    assert!(press(&mut app, &[KeyCode::Char('y')]).is_empty());
    assert!(app.validation.is_none());
}

#[tokio::test]
async fn a_console_started_validation_on_the_sim_is_kept_and_leaves_no_temporary_table() {
    let data = tempfile::tempdir().unwrap();
    let estate = estate();
    let sim: Arc<dyn drconsole::cloud::Cloud> = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::None,
            faults: Vec::new(),
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
            .with_actions(drconsole::tui::run::Actions {
                session,
                dirs: dirs.clone(),
            });
    let mut app = fresh_app(&estate);
    for effect in press(&mut app, &[KeyCode::Char('V'), KeyCode::Char('y')]) {
        runner.run(effect);
    }
    let mut lines = 0;
    loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(120), rx.recv())
            .await
            .expect("the validation ends")
            .expect("the runner is there");
        let finished = matches!(event, Event::ValidationFinished(_));
        lines += usize::from(matches!(event, Event::ValidationProgress(_)));
        app.update(event);
        if finished {
            break;
        }
    }
    assert!(lines > 0, "its lines reached the console");
    let done = match &app.validation.as_ref().unwrap().done {
        Some(Ok(done)) => done.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(done.record.mode, Mode::Simulation);
    assert_eq!(done.record.tables.len(), 3);
    let kept = done.kept.clone().expect("kept in the history");
    let history = drconsole::drill::History::new(dirs.validation_history().unwrap());
    let (records, unreadable) = history.load_all::<ValidationRecord>();
    assert!(unreadable.is_empty(), "{unreadable:?}");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, kept);
    assert_eq!(records[0].1.id, done.record.id);
    assert_eq!(records[0].1.mode, Mode::Simulation);
    let tables = drconsole::cloud::Backups::list_tables(sim.as_ref(), "us-east-1")
        .await
        .unwrap();
    assert!(
        !tables
            .iter()
            .any(|t| drconsole::drill::validate::tables::is_temporary_name(t)),
        "{tables:?}"
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("record: "), "{text}");
}

#[tokio::test]
async fn quitting_while_it_runs_asks_once_and_says_what_is_left() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('V'), KeyCode::Char('y')]);
    // On the dashboard (reached by another view's key), q asks before cutting the run off.
    app.view = View::Dashboard;
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(!app.should_quit);
    let text = screen(&app, 120, 30);
    assert!(text.contains("a validation is running"), "{text}");
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(app.should_quit);

    // ctrl-c likewise asks once.
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('V'), KeyCode::Char('y')]);
    let ctrl_c = Event::from(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    app.update(ctrl_c.clone());
    assert!(!app.should_quit);
    app.update(ctrl_c);
    assert!(app.should_quit);
}
