//! The console with an incident open: its header, stopwatches and timeline, on a fixed
//! clock over the simulated estate. The journal is a real one in a temporary directory; what
//! the runner would do with each effect, the test does by hand.

use std::path::PathBuf;

use chrono::Duration;
use drconsole::incident::{
    DeclareInput, Entry, Incident, IncidentStore, Journal, Origin, Reader, Record, Severity,
    plan_declaration,
};

use super::*;

pub(super) const INGEST: &str = "Data Ingestion Pipeline";
pub(super) const API: &str = "API Gateway + Lambda";

/// A real incident on disk, declared at `t0()`.
pub(super) struct Open {
    _root: tempfile::TempDir,
    pub(super) dir: PathBuf,
    pub(super) journal: Journal,
    pub(super) incident: Incident,
}

impl Open {
    pub(super) fn declare(estate: &Estate, services: &[&str], impact_began: DateTime<Utc>) -> Open {
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

    pub(super) fn append(&mut self, record: Record, at: DateTime<Utc>) -> Entry {
        self.journal.append_at(&record, at).unwrap()
    }

    /// Actions record to the incident once it is open here, in its account.
    pub(super) fn executor_effect(&self) -> Effect {
        Effect::OpenExecutor {
            incident: Some(drconsole::event::ExecutorIncident {
                dir: self.dir.clone(),
                id: self.incident.id.clone(),
                account: self.incident.account.clone(),
            }),
        }
    }

    pub(super) fn entries(&self) -> Vec<Entry> {
        Reader::open(&self.dir)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Hands the incident to `app` as the runner would: declared, then followed.
    pub(super) fn give_to(&self, app: &mut App) {
        let effects = app.update(Event::Declared(Ok(Box::new(self.incident.clone()))));
        assert_eq!(
            effects,
            vec![Effect::Follow(self.dir.clone()), self.executor_effect()]
        );
        app.update(Event::JournalEntries {
            dir: self.dir.clone(),
            entries: self.entries(),
        });
    }
}

pub(super) fn ctrl(c: char) -> Event {
    Event::from(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub(super) fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

/// An app on a healthy sim, `elapsed` after the impact on `services` began.
pub(super) async fn app_timed(services: &[&str], elapsed: Duration) -> (App, Open) {
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
pub(super) async fn scripted() -> (App, Open) {
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
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: open.entries(),
    });
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
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: open.entries(),
    });
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
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: open.entries(),
    });
    assert!(!screen(&app, 80, 24).contains("arrived while"));
    press(&mut app, &[KeyCode::Char('G')]);
    assert!(screen(&app, 80, 24).contains("arrived while scrolled up"));
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

#[tokio::test]
async fn help_on_80x24_lists_every_incident_key() {
    let mut app = app_with(&[Fault::RegionOutage]).await;
    press(&mut app, &[KeyCode::Char('?')]);
    let screen = screen(&app, 80, 24);
    for wanted in [
        "Declare an incident",
        "Mark the selected service restored",
        "Change the severity",
        "k/up j/down",
    ] {
        assert!(screen.contains(wanted), "{wanted}: {screen}");
    }
    snap!(screen);
}

#[tokio::test]
async fn entries_from_another_incidents_journal_are_not_taken() {
    let (mut app, mut open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    let other = Open::declare(&app.estate, &[API], t0());
    open.append(
        Record::ServiceRestored {
            service: INGEST.into(),
            at: None,
            note: None,
        },
        t0(),
    );
    // A batch from a follower of another incident (one this console left) arrives late.
    let mut late = open.entries();
    late.iter_mut().for_each(|e| e.seq += 1);
    app.update(Event::JournalEntries {
        dir: other.dir.clone(),
        entries: late,
    });
    assert_eq!(app.journal.len(), 1, "only this incident's declaration");
    assert!(app.incident.as_ref().unwrap().still_affected().count() == 1);
}

#[tokio::test]
async fn the_rpo_window_shows_once_a_restore_point_is_chosen() {
    let (app, _open) = scripted().await;
    // The impact began at 02:40 and the data goes back to 02:30: 10 minutes lost, of 15.
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("RPO 10m/15m met"), "{screen}");
    let line = screen
        .lines()
        .find(|l| l.contains("Data Ingestion Pipeline") && l.contains("RPO"))
        .unwrap();
    assert!(line.contains("25m / 2h00m"), "{line}");
}

#[tokio::test]
async fn a_long_note_is_read_whole_in_the_timeline() {
    let (mut app, mut open) = scripted().await;
    let text = "DBA restored flightdata-main to 02:30 into flightdata-main-restored;\n\
                swap pending sign-off from the VP Engineering, ETA 20 minutes";
    open.append(
        Record::Note {
            text: text.into(),
            author: None,
        },
        t0() + Duration::minutes(5),
    );
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: open.entries(),
    });
    press(&mut app, &[KeyCode::Char('t')]);
    let screen = screen(&app, 80, 24);
    for part in ["flightdata-main-restored;", "ETA 20 minutes"] {
        assert!(screen.contains(part), "{part}: {screen}");
    }
}

/// A console that was killed mid-write left half a line; the next append cuts it away and
/// writes over it. This console's follower must keep going, and the restore show.
#[test]
fn the_console_keeps_following_after_a_torn_line_is_set_aside() {
    use drconsole::incident::Follower;
    use std::io::Write;
    let estate = estate();
    let mut open = Open::declare(&estate, &[INGEST], t0() - Duration::minutes(30));
    let mut app = App::new(estate.clone(), Mode::Simulation, Keymap::default(), t0());
    app.update(Event::Declared(Ok(Box::new(open.incident.clone()))));
    let mut follower = Follower::new(&open.dir);
    let dir = open.dir.clone();
    let feed = |app: &mut App, follower: &mut Follower| match follower.poll() {
        Ok(entries) if entries.is_empty() => {}
        Ok(entries) => {
            app.update(Event::JournalEntries {
                dir: dir.clone(),
                entries,
            });
        }
        Err(e) => {
            app.update(Event::JournalError(e.to_string()));
        }
    };
    feed(&mut app, &mut follower);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(open.dir.join("journal.jsonl"))
        .unwrap();
    f.write_all(b"{\"seq\":2,\"at\":\"2026-11-26T09:00:00.000Z\",\"kind\":\"note\",\"mode\":\"sim")
        .unwrap();
    drop(f);
    feed(&mut app, &mut follower);
    let entry = open.append(
        Record::ServiceRestored {
            service: INGEST.into(),
            at: None,
            note: None,
        },
        t0() + Duration::minutes(1),
    );
    app.update(Event::Appended {
        id: 1,
        result: Ok(Box::new(entry)),
    });
    feed(&mut app, &mut follower);
    let incident = app.incident.as_ref().unwrap();
    assert!(incident.service(INGEST).unwrap().restored_at.is_some());
    assert_eq!(
        app.journal.len(),
        open.entries().len(),
        "every entry on disk is shown"
    );
}
