//! The console with an incident open: declared, journalled, timed and resolved, on a fixed
//! clock over the simulated estate. The journal is a real one in a temporary directory; what
//! the runner would do with each effect, the test does by hand.

use std::path::PathBuf;

use chrono::Duration;
use drconsole::incident::{
    DeclareInput, Entry, Incident, IncidentStore, Journal, Origin, Reader, Record, Severity,
    plan_declaration,
};
use drconsole::tui::incident::{Confirmable, Popup, text_of};

use super::*;

/// Snapshots of this module sit with the others, named `tui__incident__*`.
macro_rules! snap {
    ($value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots"}, {
            insta::assert_snapshot!($value)
        })
    };
}

const INGEST: &str = "Data Ingestion Pipeline";
const API: &str = "API Gateway + Lambda";

/// A real incident on disk, declared at `t0()`.
struct Open {
    _root: tempfile::TempDir,
    dir: PathBuf,
    journal: Journal,
    incident: Incident,
}

impl Open {
    fn declare(estate: &Estate, services: &[&str], impact_began: DateTime<Utc>) -> Open {
        let root = tempfile::tempdir().unwrap();
        let store = IncidentStore::at(root.path().join("incidents"), Mode::Simulation);
        let input = DeclareInput {
            title: "Ingestion stalled in us-east-1".into(),
            scenario: "region-failover".into(),
            severity: Severity::Sev1,
            services: services.iter().map(|s| s.to_string()).collect(),
            commander: Some("Dana".into()),
            impact_began: Some(impact_began),
        };
        let declared = plan_declaration(&input, estate, None, t0()).unwrap();
        let origin = Origin::new(
            Mode::Simulation,
            Some("123456789012".into()),
            vec!["us-east-1".into(), "us-west-2".into()],
        );
        let (journal, incident) = store.declare(declared, origin, t0()).unwrap();
        Open {
            dir: journal.dir().to_owned(),
            _root: root,
            journal,
            incident,
        }
    }

    fn append(&mut self, record: Record, at: DateTime<Utc>) -> Entry {
        self.journal.append_at(&record, at).unwrap()
    }

    fn entries(&self) -> Vec<Entry> {
        Reader::open(&self.dir)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Hands the incident to `app` as the runner would: declared, then followed.
    fn give_to(&self, app: &mut App) {
        let effects = app.update(Event::Declared(Ok(Box::new(self.incident.clone()))));
        assert_eq!(effects, vec![Effect::Follow(self.dir.clone())]);
        app.update(Event::JournalEntries(self.entries()));
    }
}

fn ctrl(c: char) -> Event {
    Event::from(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

/// An app on a healthy sim, `elapsed` after the impact on `services` began.
async fn app_timed(services: &[&str], elapsed: Duration) -> (App, Open) {
    let mut app = app_with(&[]).await;
    let open = Open::declare(&app.estate, services, t0() - elapsed);
    open.give_to(&mut app);
    (app, open)
}

#[tokio::test]
async fn stopwatch_at_0_percent_80x24() {
    let (app, _open) = app_timed(&[INGEST], Duration::zero()).await;
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("SIM-20261124-0300 SEV1 0s"), "{screen}");
    assert!(screen.contains("0% ok"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn stopwatch_at_80_percent_80x24() {
    // 96 minutes of a 2h RTO.
    let (app, _open) = app_timed(&[INGEST], Duration::minutes(96)).await;
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("80% warn"), "{screen}");
    assert!(screen.contains("SEV1 1h36m"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn stopwatch_at_120_percent_80x24() {
    let (app, _open) = app_timed(&[INGEST, API], Duration::minutes(144)).await;
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("SIMULATION"), "{screen}");
    // Worst first: the API's 1h RTO is long gone (240%), then "+1 more".
    assert!(screen.contains("240% critical · +1 more"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn stopwatches_at_120_percent_160x48() {
    let (app, _open) = app_timed(&[API, INGEST], Duration::minutes(144)).await;
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("120% critical"), "{screen}");
    assert!(screen.contains("240% critical"), "{screen}");
    assert!(
        screen.contains("SIM-20261124-0300 SEV1 2h24m"),
        "the header shows the incident at 160 columns too: {screen}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_incident_stays_in_the_header_on_every_screen() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    for keys in [
        &[KeyCode::Enter][..],
        &[KeyCode::Esc, KeyCode::Tab, KeyCode::Enter],
        &[KeyCode::Esc, KeyCode::Char('t')],
    ] {
        press(&mut app, keys);
        for (w, h) in [(80, 24), (160, 48)] {
            let screen = screen(&app, w, h);
            let header = screen.lines().next().unwrap();
            assert!(header.contains("SIM-20261124-0300 SEV1 5m"), "{header}");
            assert!(header.contains("SIMULATION"), "{header}");
        }
    }
}

/// A scripted incident: notes, a severity change, a restore point and a restored service.
async fn scripted() -> (App, Open) {
    let (mut app, mut open) = app_timed(&[INGEST, API], Duration::minutes(20)).await;
    let at = |m| t0() + Duration::minutes(m);
    let records = [
        (
            Record::Note {
                text: "ingest lag alarm since 02:40; failing over to us-west-2".into(),
                author: Some("Dana".into()),
            },
            at(1),
        ),
        (
            Record::SeverityChanged {
                from: Severity::Sev1,
                to: Severity::Sev2,
                reason: Some("API answers from us-west-2".into()),
            },
            at(2),
        ),
        (
            Record::RestorePointChosen {
                service: INGEST.into(),
                point: t0() - Duration::minutes(30),
                source: Some("PITR".into()),
            },
            at(3),
        ),
        (
            Record::ServiceRestored {
                service: API.into(),
                at: None,
                note: None,
            },
            at(4),
        ),
    ];
    for (record, when) in records {
        open.append(record, when);
    }
    app.update(Event::Tick(at(5)));
    app.update(Event::JournalEntries(open.entries()));
    (app, open)
}

#[tokio::test]
async fn timeline_80x24() {
    let (mut app, _open) = scripted().await;
    press(&mut app, &[KeyCode::Char('t')]);
    assert_eq!(app.view, View::Timeline);
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("severity SEV1 → SEV2"), "{screen}");
    snap!(screen);
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.view, View::Dashboard, "Esc leads back");
}

#[tokio::test]
async fn timeline_160x48() {
    let (mut app, _open) = scripted().await;
    app.local_offset = chrono::FixedOffset::east_opt(3600).unwrap();
    press(&mut app, &[KeyCode::Char('t')]);
    let screen = screen(&app, 160, 48);
    assert!(
        screen.contains("03:01:00Z 04:01:00"),
        "UTC and local: {screen}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_timeline_filters_by_kind_and_searches() {
    let (mut app, _open) = scripted().await;
    press(&mut app, &[KeyCode::Char('t'), KeyCode::Char('f')]);
    // Kinds present, sorted: declared first.
    assert_eq!(app.timeline.filter.as_deref(), Some("declared"));
    assert_eq!(app.timeline_rows().len(), 1);
    press(&mut app, &[KeyCode::Char('f')]);
    assert_eq!(app.timeline.filter.as_deref(), Some("note"));
    for _ in 0..4 {
        press(&mut app, &[KeyCode::Char('f')]);
    }
    assert_eq!(app.timeline.filter, None, "after the last kind, all again");

    press(&mut app, &[KeyCode::Char('/')]);
    // Typed into the search line: `q` and `f` are text here, not keys.
    type_text(&mut app, "west");
    assert_eq!(app.view, View::Timeline);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.timeline.search.as_deref(), Some("west"));
    assert_eq!(
        app.timeline_rows().len(),
        2,
        "the note and the severity change"
    );
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.timeline.search, None, "Esc clears the search first");
    assert_eq!(app.view, View::Timeline);
}

#[tokio::test]
async fn the_timeline_follows_new_entries_unless_scrolled_up() {
    let (mut app, mut open) = scripted().await;
    press(&mut app, &[KeyCode::Char('t')]);
    for i in 0..30 {
        open.append(
            Record::Note {
                text: format!("step {i}"),
                author: None,
            },
            t0() + Duration::minutes(6),
        );
    }
    app.update(Event::JournalEntries(open.entries()));
    let bottom = screen(&app, 80, 24);
    assert!(bottom.contains("note: step 29"), "{bottom}");
    press(&mut app, &[KeyCode::Char('k'), KeyCode::Char('k')]);
    let up = screen(&app, 80, 24);
    assert!(!up.contains("note: step 29"), "{up}");
    open.append(
        Record::Note {
            text: "arrived while scrolled up".into(),
            author: None,
        },
        t0() + Duration::minutes(7),
    );
    app.update(Event::JournalEntries(open.entries()));
    assert!(!screen(&app, 80, 24).contains("arrived while"));
    press(&mut app, &[KeyCode::Char('G')]);
    assert!(screen(&app, 80, 24).contains("arrived while scrolled up"));
}

#[tokio::test]
async fn note_editor_takes_q_and_j_as_text_80x24() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    press(&mut app, &[KeyCode::Char('a')]);
    let effects = type_text(&mut app, "quiet? just j and q: DNS still on primary");
    assert!(effects.is_empty());
    assert!(!app.should_quit, "q typed in the editor is text");
    assert!(!app.help_open, "? typed in the editor is text");
    let Some(Popup::Note(note)) = &app.popup else {
        panic!("the editor is open");
    };
    assert_eq!(
        text_of(&note.text),
        "quiet? just j and q: DNS still on primary"
    );
    snap!(screen(&app, 80, 24));
}

#[tokio::test]
async fn a_saved_note_is_appended_and_closes_the_editor() {
    let (mut app, mut open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "paged the DBA");
    let effects = app.update(ctrl('s'));
    let [Effect::Append { id, record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let expected = Record::Note {
        text: "paged the DBA".into(),
        author: None,
    };
    assert_eq!(**record, expected);
    let entry = open.append(expected, t0() + Duration::minutes(1));
    app.update(Event::Appended {
        id: *id,
        result: Ok(Box::new(entry)),
    });
    assert!(app.popup.is_none(), "durable, so the editor closes");
    assert!(app.journal.iter().any(|e| e.kind == "note"));
}

#[tokio::test]
async fn a_failed_append_keeps_the_note_in_the_editor() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "do not lose this");
    let effects = app.update(Event::from(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::ALT,
    )));
    let [Effect::Append { id, .. }] = effects.as_slice() else {
        panic!("alt-enter saves too: {effects:?}");
    };
    app.update(Event::Appended {
        id: *id,
        result: Err("journal.jsonl: No space left on device (os error 28)".into()),
    });
    let Some(Popup::Note(note)) = &app.popup else {
        panic!("the editor stays open");
    };
    assert_eq!(text_of(&note.text), "do not lose this");
    let flash = &app.flash.as_ref().unwrap().text;
    assert!(flash.contains("No space left on device"), "{flash}");
    // Still editable, and saving again is possible.
    type_text(&mut app, "!");
    assert_eq!(app.update(ctrl('s')).len(), 1);
}

#[tokio::test]
async fn esc_asks_before_discarding_a_note() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "half a thought");
    press(&mut app, &[KeyCode::Esc]);
    assert!(matches!(&app.popup, Some(Popup::Note(n)) if n.confirm_discard));
    assert!(screen(&app, 80, 24).contains("Discard what you wrote?"));
    press(&mut app, &[KeyCode::Char('n')]);
    let Some(Popup::Note(note)) = &app.popup else {
        panic!("n keeps it");
    };
    assert_eq!(text_of(&note.text), "half a thought");
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('y')]);
    assert!(app.popup.is_none());
    // An empty editor closes at once.
    press(&mut app, &[KeyCode::Char('a'), KeyCode::Esc]);
    assert!(app.popup.is_none());
}

#[tokio::test]
async fn declare_form_80x24() {
    let mut app = app_with(&[Fault::Alarm]).await;
    press(&mut app, &[KeyCode::Char('D')]);
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("Declare an incident"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn declare_carries_what_the_form_says() {
    let mut app = app_with(&[Fault::Alarm]).await;
    let default = plan_declaration(
        &DeclareInput {
            title: "x".into(),
            scenario: "other".into(),
            severity: Severity::Sev1,
            services: Vec::new(),
            commander: None,
            impact_began: None,
        },
        &app.estate,
        app.snapshot.as_ref(),
        app.now,
    )
    .unwrap();
    press(&mut app, &[KeyCode::Char('D')]);
    // Every key is text in the title: q, j and ? too.
    type_text(&mut app, "Ingest lag? q j");
    assert!(!app.should_quit);
    press(
        &mut app,
        &[KeyCode::Tab, KeyCode::Right, KeyCode::Tab, KeyCode::Right],
    );
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    type_text(&mut app, "Dana");
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    let effects = press(&mut app, &[KeyCode::Enter]);
    let [Effect::Declare { declared, account }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(account.as_deref(), Some("123456789012"));
    assert_eq!(declared.title, "Ingest lag? q j");
    assert_eq!(declared.scenario, "data-corruption");
    assert_eq!(declared.severity, Severity::Sev2);
    assert_eq!(declared.commander.as_deref(), Some("Dana"));
    assert_eq!(
        declared.services, default.services,
        "pre-ticked from the unhealthy services"
    );
    assert_eq!(declared.impact_began, default.impact_began);
    assert_eq!(declared.impact_source, default.impact_source);
}

#[tokio::test]
async fn declare_errors_stay_in_the_form() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('D')]);
    // Nothing is unhealthy, so nothing is ticked, and there is no title.
    for _ in 0..6 {
        press(&mut app, &[KeyCode::Tab]);
    }
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    let Some(Popup::Declare(form)) = &app.popup else {
        panic!("the form stays open");
    };
    assert_eq!(form.error.as_deref(), Some("a title is needed"));
    assert!(screen(&app, 80, 24).contains("a title is needed"));

    // A time typed by hand is taken as UTC today.
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "Lag");
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    press(&mut app, &[KeyCode::Char(' '), KeyCode::Tab, KeyCode::Tab]);
    for _ in 0..5 {
        press(&mut app, &[KeyCode::Backspace]);
    }
    type_text(&mut app, "02:15");
    let effects = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    let [Effect::Declare { declared, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(declared.services[0].name, API);
    assert_eq!(declared.impact_began, t0() - Duration::minutes(45));

    // A failure to write comes back into the form.
    app.update(Event::Declared(Err("incidents: Permission denied".into())));
    let Some(Popup::Declare(form)) = &app.popup else {
        panic!("the form stays open");
    };
    assert_eq!(form.error.as_deref(), Some("incidents: Permission denied"));
    assert_eq!(text_of(&form.title), "Lag");
}

#[tokio::test]
async fn an_appended_restore_stops_the_stopwatch() {
    let (mut app, mut open) = app_timed(&[API, INGEST], Duration::minutes(50)).await;
    // The Services panel's first row is the API.
    let effects = press(&mut app, &[KeyCode::Char('M')]);
    assert!(effects.is_empty(), "a confirmation first");
    assert!(
        matches!(&app.popup, Some(Popup::Confirm(c)) if c.action == Confirmable::Restore(API.into()))
    );
    assert!(screen(&app, 80, 24).contains("Mark API Gateway + Lambda restored"));
    let effects = press(&mut app, &[KeyCode::Char('y')]);
    let [Effect::Append { id, record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let entry = open.append((**record).clone(), t0());
    app.update(Event::Appended {
        id: *id,
        result: Ok(Box::new(entry)),
    });
    assert!(app.popup.is_none());
    let incident = app.incident.as_ref().unwrap();
    let (_, watch) = incident.rto_watches(t0() + Duration::hours(9))[0];
    assert_eq!(
        watch.elapsed,
        Duration::minutes(50),
        "measured, not running"
    );
    let screen = screen(&app, 160, 48);
    assert!(
        screen.contains("restored after 50m / 1h00m met"),
        "{screen}"
    );
    // A second M on the same service says it is done.
    press(&mut app, &[KeyCode::Char('M')]);
    assert!(app.popup.is_none());
}

#[tokio::test]
async fn resolve_asks_for_a_summary_and_stops_the_clocks() {
    let (mut app, mut open) = app_timed(&[INGEST], Duration::minutes(30)).await;
    press(&mut app, &[KeyCode::Char('R')]);
    type_text(&mut app, "failed over; qj typed");
    let effects = press(&mut app, &[KeyCode::Enter]);
    let [Effect::Append { id, record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        **record,
        Record::Resolved {
            summary: Some("failed over; qj typed".into())
        }
    );
    let entry = open.append((**record).clone(), t0());
    app.update(Event::Appended {
        id: *id,
        result: Ok(Box::new(entry)),
    });
    app.update(Event::Tick(t0() + Duration::hours(3)));
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("SEV1 resolved"), "{screen}");
    assert!(
        screen.contains("30m / 2h00m"),
        "the clock stopped: {screen}"
    );
    assert!(
        screen.contains("25% met"),
        "a service still out at resolution is measured there: {screen}"
    );
}

#[tokio::test]
async fn severity_changes_after_a_confirmation() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(30)).await;
    press(&mut app, &[KeyCode::Char('S')]);
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.popup.is_none());
    let effects = press(&mut app, &[KeyCode::Char('S'), KeyCode::Char('y')]);
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(matches!(
        **record,
        Record::SeverityChanged {
            from: Severity::Sev1,
            to: Severity::Sev2,
            ..
        }
    ));
}

#[tokio::test]
async fn an_open_incident_is_offered_at_start() {
    let mut app = app_with(&[]).await;
    assert!(app.start().contains(&Effect::FindOpenIncidents));
    let open = Open::declare(&app.estate, &[INGEST], t0());
    app.update(Event::OpenIncidents(vec![open.incident.clone()]));
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("An incident is still open"), "{screen}");
    assert!(screen.contains("SIM-20261124-0300"), "{screen}");
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(effects, vec![Effect::Resume(open.dir.clone())]);
    let effects = app.update(Event::Resumed(Ok(drconsole::event::Resumed {
        incident: Box::new(open.incident.clone()),
        torn_bytes: 17,
    })));
    assert_eq!(effects, vec![Effect::Follow(open.dir.clone())]);
    let flash = &app.flash.as_ref().unwrap().text;
    assert!(
        flash.contains("17 bytes"),
        "a torn tail is reported: {flash}"
    );
}

#[tokio::test]
async fn esc_starts_without_the_open_incident() {
    let mut app = app_with(&[]).await;
    let open = Open::declare(&app.estate, &[INGEST], t0());
    app.update(Event::OpenIncidents(vec![open.incident.clone()]));
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    assert!(app.popup.is_none() && app.incident.is_none());
    assert!(!app.should_quit);
}

#[tokio::test]
async fn incident_keys_without_an_incident_say_how_to_declare() {
    let mut app = app_with(&[]).await;
    for c in ['t', 'a', 'M', 'R', 'S'] {
        app.flash = None;
        press(&mut app, &[KeyCode::Char(c)]);
        assert!(app.popup.is_none(), "{c}");
        let flash = &app.flash.as_ref().expect("a flash").text;
        assert!(flash.contains("D declares one"), "{c}: {flash}");
    }
}

#[tokio::test]
async fn every_incident_screen_draws_at_any_size_without_panicking() {
    let (mut app, open) = scripted().await;
    let mut fresh = app_with(&[]).await;
    for (w, h) in [
        (1, 1),
        (10, 3),
        (20, 5),
        (40, 10),
        (60, 15),
        (80, 24),
        (120, 30),
        (250, 80),
    ] {
        screen(&app, w, h);
        for keys in [
            &[KeyCode::Char('t')][..],
            &[KeyCode::Char('/'), KeyCode::Char('x')],
            &[
                KeyCode::Esc,
                KeyCode::Esc,
                KeyCode::Char('a'),
                KeyCode::Char('x'),
            ],
            &[KeyCode::Esc],
            &[
                KeyCode::Char('n'),
                KeyCode::Esc,
                KeyCode::Char('y'),
                KeyCode::Char('M'),
            ],
            &[KeyCode::Esc, KeyCode::Char('R')],
            &[KeyCode::Esc, KeyCode::Char('S')],
            &[KeyCode::Esc, KeyCode::Char('D')],
        ] {
            press(&mut app, keys);
            screen(&app, w, h);
        }
        press(&mut app, &[KeyCode::Esc]);
        assert!(app.popup.is_none(), "{w}x{h}: {:?}", app.popup);
        fresh.update(Event::OpenIncidents(vec![open.incident.clone()]));
        screen(&fresh, w, h);
        press(&mut fresh, &[KeyCode::Esc]);
    }
}

#[tokio::test]
async fn with_an_endpoint_override_the_header_keeps_mode_incident_and_endpoint() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    app.mode = Mode::Production;
    app.endpoints = vec![("all".into(), "http://127.0.0.1:5000".into())];
    for (width, chip) in [(80, "SEV1 5m"), (160, "SIM-20261124-0300 SEV1 5m")] {
        let screen = screen(&app, width, 24);
        let header = screen.lines().next().unwrap();
        for wanted in ["PRODUCTION", chip, "9012", "endpoint 127.0.0.1:5000"] {
            assert!(header.contains(wanted), "{wanted}: {header}");
        }
    }
}
