//! The event loop against real endpoints: a region that accepts connections and never
//! answers must not delay a single key press; a journal others append to shows in the
//! console, and what the console writes there is durable before it says so; a fix from the
//! console goes through the runner's executor into the incident's journal.

mod common;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::cloud::aws::AwsOptions;
use drconsole::health::PollerOptions;
use drconsole::session::Mode;
use drconsole::tui::app::{App, Panel};
use drconsole::tui::event::Event;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::run::{Runner, channel, run_loop};
use drconsole::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use drconsole::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use drconsole::event::Resumed;
use drconsole::incident::{
    DeclareInput, Incident, IncidentStore, Journal, Origin, Record, Severity, describe,
    plan_declaration, verify,
};
use drconsole::tui::incident::{Popup, text_of};
use drconsole::tui::run::{Actions, Incidents};

/// A loopback port that accepts every connection and never says a word.
fn hanging_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://{addr}")
}

fn key(code: KeyCode) -> Event {
    Event::from(KeyEvent::new(code, KeyModifiers::NONE))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_handled_while_the_primary_region_hangs() {
    let env = common::moto().await;
    let seeded = common::seed_plan_estate(&env).await;
    let estate = Arc::new(common::plan_estate(&seeded));
    // Long enough that a loop waiting on the hung calls could not possibly quit in time.
    let options = AwsOptions {
        call_timeout: Duration::from_secs(120),
        ..common::test_options()
    };
    let cloud = env
        .cloud_with(options)
        .await
        .with_region_endpoint("us-east-1", &hanging_endpoint());

    let (tx, mut rx) = channel();
    let poll = PollerOptions {
        interval: Duration::from_secs(3600),
        concurrency: 8,
    };
    let mut runner = Runner::new(Arc::new(cloud), Arc::clone(&estate), poll, tx.clone());
    let mut app = App::new(estate, Mode::Production, Keymap::default(), Utc::now());
    let theme = Theme::builtin("default").unwrap();

    let ui = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        run_loop(&mut terminal, &mut app, &theme, &mut rx, &mut runner)
            .await
            .unwrap();
        (app, terminal.backend().to_string())
    });
    // Keys arrive one by one while the first snapshot is stuck on the hanging region.
    for code in [
        KeyCode::Tab,
        KeyCode::Tab,
        KeyCode::Char('j'),
        KeyCode::Char('?'),
        KeyCode::Esc,
        KeyCode::Char('q'),
    ] {
        tokio::time::sleep(Duration::from_millis(50)).await;
        tx.send(key(code)).unwrap();
    }
    let (app, screen) = tokio::time::timeout(Duration::from_secs(60), ui)
        .await
        .expect("the loop ended on q without waiting for the hung calls")
        .unwrap();
    assert!(app.should_quit);
    assert_eq!(app.focus, Panel::Buckets, "both Tabs were handled");
    assert!(!app.help_open, "? opened help and Esc closed it");
    assert!(
        app.snapshot.is_none(),
        "the snapshot was still waiting on the hung region"
    );
    assert!(screen.contains("Checking the estate"), "{screen}");
}

/// A console on the sim, run by the real runner and loop over a temporary data directory,
/// with one incident already declared there (as `drconsole incident declare` would).
struct Console {
    data: tempfile::TempDir,
    store: IncidentStore,
    /// The declared incident's directory.
    dir: std::path::PathBuf,
    incident: Incident,
    keys: UnboundedSender<Event>,
    /// Every event the runner sends, seen on its way to the loop.
    seen: UnboundedReceiver<Event>,
    ui: tokio::task::JoinHandle<App>,
}

impl Console {
    /// Declares an incident, lets `before` do what it will to its directory, then starts.
    fn start(faults: &[Fault], before: impl FnOnce(&std::path::Path)) -> Console {
        let estate = Arc::new(
            drconsole::config::parse(
                drconsole::session::EXAMPLE_ESTATE,
                std::path::Path::new("estate.toml"),
            )
            .unwrap(),
        );
        let now = Utc::now();
        let cloud = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(now),
                latency: Latency::None,
                faults: faults.to_vec(),
            },
        );
        let data = tempfile::tempdir().unwrap();
        let store = IncidentStore::at(data.path().join("simulation/incidents"), Mode::Simulation);
        let input = DeclareInput {
            title: "Ingestion stalled".into(),
            scenario: "region-failover".into(),
            severity: Severity::Sev1,
            services: vec!["Data Ingestion Pipeline".into()],
            commander: None,
            impact_began: None,
        };
        let declared = plan_declaration(&input, &estate, None, now).unwrap();
        let (journal, incident) = store.declare(declared, origin(), now).unwrap();
        let dir = journal.dir().to_owned();
        drop(journal);
        before(&dir);

        // The runner's events pass through the test on their way to the loop, so it can wait
        // for each step instead of guessing how long it takes.
        let (keys, mut loop_rx) = channel();
        let (runner_tx, mut runner_rx) = channel();
        let (seen_tx, seen) = unbounded_channel();
        let forward = keys.clone();
        tokio::spawn(async move {
            while let Some(event) = runner_rx.recv().await {
                // To the loop first: a key the test sends once it has seen this lands after it.
                if forward.send(event.clone()).is_err() {
                    return;
                }
                let _ = seen_tx.send(event);
            }
        });
        let poll = PollerOptions {
            interval: Duration::from_secs(3600),
            concurrency: 8,
        };
        let cloud: Arc<dyn drconsole::cloud::Cloud> = Arc::new(cloud);
        let session = drconsole::session::Session::new(
            (*estate).clone(),
            Arc::clone(&cloud),
            Mode::Simulation,
        );
        let dirs = drconsole::dirs::Dirs::with_env(Some(data.path()), &|_| None);
        let mut runner = Runner::new(cloud, Arc::clone(&estate), poll, runner_tx)
            .with_incidents(Incidents {
                store: store.clone(),
                origin: origin(),
            })
            .with_actions(Actions { session, dirs });
        let mut app = App::new(estate, Mode::Simulation, Keymap::default(), now);
        let theme = Theme::builtin("default").unwrap();
        let ui = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
            run_loop(&mut terminal, &mut app, &theme, &mut loop_rx, &mut runner)
                .await
                .unwrap();
            app
        });
        Console {
            data,
            store,
            dir,
            incident,
            keys,
            seen,
            ui,
        }
    }

    /// Waits until the runner sends an event `wanted` accepts.
    async fn wait_for(&mut self, what: &str, mut wanted: impl FnMut(&Event) -> bool) {
        let seen = &mut self.seen;
        let found = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(event) = seen.recv().await {
                if wanted(&event) {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(found, Ok(true), "the runner never sent {what}");
    }

    fn press(&self, code: KeyCode) {
        self.keys.send(key(code)).unwrap();
    }

    fn ctrl(&self, c: char) {
        let event = Event::from(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        self.keys.send(event).unwrap();
    }

    fn type_text(&self, text: &str) {
        text.chars().for_each(|c| self.press(KeyCode::Char(c)));
    }

    /// Takes the offered incident and waits until its journal is followed.
    async fn resume(&mut self) -> Resumed {
        let id = self.incident.id.clone();
        self.wait_for(
            "the open incident",
            |e| matches!(e, Event::OpenIncidents(open) if open.len() == 1 && open[0].id == id),
        )
        .await;
        self.press(KeyCode::Enter);
        let mut resumed = None;
        self.wait_for("the incident, resumed", |e| match e {
            Event::Resumed(Ok(r)) => {
                resumed = Some(r.clone());
                true
            }
            _ => false,
        })
        .await;
        self.wait_for(
            "the declaration, followed",
            |e| matches!(e, Event::JournalEntries { entries, .. } if entries[0].kind == "declared"),
        )
        .await;
        resumed.unwrap()
    }

    /// Quits with ctrl-c and hands back the App as it was then, and the data directory
    /// (removed when dropped).
    async fn quit(self) -> (App, tempfile::TempDir) {
        self.ctrl('c');
        // Over text not yet saved the first ctrl-c only warns; the loop may be gone by now.
        let again = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let _ = self.keys.send(Event::from(again));
        self.close(Event::Shutdown).await
    }

    /// Sends `last` (ctrl-c, or the Shutdown a SIGHUP becomes) and waits for the loop to end.
    async fn close(self, last: Event) -> (App, tempfile::TempDir) {
        let _ = self.keys.send(last);
        let app = tokio::time::timeout(Duration::from_secs(60), self.ui)
            .await
            .expect("the loop ended")
            .unwrap();
        (app, self.data)
    }
}

fn origin() -> Origin {
    Origin::new(Mode::Simulation, None, vec!["us-east-1".into()])
}

fn note(text: &str) -> Record {
    Record::Note {
        text: text.into(),
        author: None,
    }
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let theme = Theme::builtin("default").unwrap();
    terminal
        .draw(|frame| drconsole::tui::ui::render(app, &theme, frame))
        .unwrap();
    terminal.backend().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_resumes_an_incident_and_shows_what_another_process_appends() {
    let mut console = Console::start(&[], |_| {});
    let resumed = console.resume().await;
    assert_eq!(resumed.torn_bytes, 0);
    console.press(KeyCode::Char('t'));

    // Another process appends to the same journal while the console is open on it.
    let mut other = Journal::open(&console.dir, origin()).unwrap();
    let theirs = note("from another terminal");
    other.append(&theirs).unwrap();
    console
        .wait_for("the other process's note", |e| {
            matches!(e, Event::JournalEntries { entries, .. }
                if entries.iter().any(|x| x.record() == Some(theirs.clone())))
        })
        .await;

    // The console's own note goes through the runner to the same chain.
    console.press(KeyCode::Char('a'));
    console.type_text("mine, after theirs");
    console.ctrl('s');
    console
        .wait_for(
            "the console's note, durable",
            |e| matches!(e, Event::Appended { result: Ok(entry), .. } if entry.seq == 3),
        )
        .await;
    let dir = console.dir.clone();
    let (app, _data) = console.quit().await;

    let notes: Vec<String> = app
        .journal
        .iter()
        .filter(|e| e.kind == "note")
        .map(describe)
        .collect();
    assert_eq!(
        notes,
        ["note: from another terminal", "note: mine, after theirs"]
    );
    assert!(
        app.popup.is_none(),
        "the editor closed once the note was durable"
    );
    assert_eq!(app.incident.as_ref().unwrap().last_seq, 3);
    let screen = draw(&app);
    assert!(screen.contains("note: from another terminal"), "{screen}");
    let check = verify(&dir).unwrap();
    assert!(check.intact(), "{check:?}");
    assert_eq!(check.entries, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_tail_is_reported_at_resume_and_set_aside_at_the_next_entry() {
    let torn = br#"{"seq":2,"at":"2026-11-"#;
    let mut console = Console::start(&[], |dir| {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join("journal.jsonl"))
            .unwrap();
        file.write_all(torn).unwrap();
    });
    let resumed = console.resume().await;
    assert_eq!(resumed.torn_bytes, torn.len() as u64);
    console.press(KeyCode::Char('a'));
    console.type_text("after the power cut");
    console.ctrl('s');
    console
        .wait_for("the torn tail, set aside", |e| {
            matches!(e, Event::JournalEntries { entries, .. }
                if entries.iter().any(|x| x.kind == "torn_tail_set_aside"))
        })
        .await;
    let dir = console.dir.clone();
    let (app, _data) = console.quit().await;
    let flash = &app.flash.as_ref().expect("a flash").text;
    assert!(flash.contains("cut short"), "{flash}");
    let kinds: Vec<&str> = app.journal.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["declared", "torn_tail_set_aside", "note"]);
    assert!(verify(&dir).unwrap().intact());
    let side_files = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".torn-"))
        .count();
    assert_eq!(side_files, 1, "kept aside, never dropped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_append_leaves_the_note_in_the_editor() {
    let mut console = Console::start(&[], |_| {});
    console.resume().await;
    // The head says the chain went further than the file: someone removed its last entry.
    // The journal refuses to write over that evidence.
    let head = format!(r#"{{"seq":7,"hash":"{}"}}"#, "ab".repeat(32));
    std::fs::write(console.dir.join("head.json"), format!("{head:<159}\n")).unwrap();
    let read = drconsole::incident::journal::read_head(&console.dir.join("head.json"));
    assert_eq!(
        read.unwrap().map(|h| h.seq),
        Some(7),
        "a head that reads, and disagrees"
    );
    console.press(KeyCode::Char('a'));
    console.type_text("do not lose me");
    console.ctrl('s');
    let mut error = String::new();
    console
        .wait_for("the refusal", |e| match e {
            Event::Appended { result: Err(e), .. } => {
                error = e.clone();
                true
            }
            _ => false,
        })
        .await;
    // Closed as a dropped session would close it: ctrl-c over unsaved text would flash over
    // the refusal this test reads.
    let (app, _data) = console.close(Event::Shutdown).await;
    let Some(Popup::Note(editor)) = &app.popup else {
        panic!("the editor stays open");
    };
    assert_eq!(text_of(&editor.text), "do not lose me");
    let flash = &app.flash.as_ref().expect("a flash").text;
    assert!(flash.contains(&error), "the journal's own words: {flash}");
    assert!(draw(&app).contains("do not lose me"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_from_the_console_is_durable_and_stamped_with_the_account() {
    let mut console = Console::start(&[Fault::Alarm], |dir| {
        // This test declares its own: the one already there is resolved.
        let mut journal = Journal::open(dir, origin()).unwrap();
        journal.append(&Record::Resolved { summary: None }).unwrap();
    });
    console
        .wait_for("a snapshot", |e| matches!(e, Event::Snapshot(_)))
        .await;
    console.press(KeyCode::Char('D'));
    console.type_text("API errors");
    for _ in 0..6 {
        console.press(KeyCode::Tab);
    }
    console.press(KeyCode::Enter);
    let mut declared = None;
    console
        .wait_for("the declaration", |e| match e {
            Event::Declared(result) => {
                declared = Some(result.clone());
                true
            }
            _ => false,
        })
        .await;
    let incident = declared.unwrap().expect("declared");
    console
        .wait_for(
            "the new journal, followed",
            |e| matches!(e, Event::JournalEntries { entries, .. } if entries[0].kind == "declared"),
        )
        .await;
    let store = console.store.clone();
    let (app, _data) = console.quit().await;
    assert_eq!(app.incident.as_ref().unwrap().id, incident.id);
    assert!(app.popup.is_none());
    let open = store.open_incidents().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].title, "API errors");
    assert_eq!(open[0].account.as_deref(), Some("123456789012"));
    assert!(verify(&open[0].dir).unwrap().intact());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_being_written_when_the_session_drops_is_journalled_as_a_draft() {
    let mut console = Console::start(&[], |_| {});
    console.resume().await;
    console.press(KeyCode::Char('a'));
    console.type_text("half a thought about the restore point");
    // What SIGHUP becomes when the SSH session drops.
    let dir = console.dir.clone();
    let (_app, _data) = console.close(Event::Shutdown).await;
    let entries: Vec<_> = drconsole::incident::Reader::open(&dir)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let last = entries.last().unwrap();
    assert_eq!(last.kind, "note");
    let text = last.payload["text"].as_str().unwrap();
    assert!(
        text.starts_with("[draft, not saved by its author"),
        "{text}"
    );
    assert!(
        text.ends_with("half a thought about the restore point"),
        "{text}"
    );
    assert!(drconsole::incident::verify(&dir).unwrap().intact());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fix_from_the_console_is_journalled_in_the_incident_and_the_row_turns_ok() {
    let mut console = Console::start(&[Fault::PitrOff], |_| {});
    console.resume().await;
    let dir = console.dir.clone();
    console
        .wait_for(
            "the executor, recording to the incident",
            |e| matches!(e, Event::ExecutorReady(Ok(d)) if *d == dir),
        )
        .await;
    console.press(KeyCode::Char('r'));
    console
        .wait_for("a snapshot", |e| matches!(e, Event::Snapshot(_)))
        .await;
    // Tables, then flightdata-main: the table the fault turns PITR off on.
    console.press(KeyCode::Tab);
    console.press(KeyCode::Char('j'));
    console.press(KeyCode::Char('x'));
    console
        .wait_for(
            "the preview",
            |e| matches!(e, Event::ActionPlanned { result: Ok(plan), .. } if plan.action == "enable-pitr"),
        )
        .await;
    console.press(KeyCode::Enter);
    console
        .wait_for("the run", |e| {
            matches!(e, Event::ActionDone { result: Ok(_), .. })
        })
        .await;
    console
        .wait_for("the refresh it asked for", |e| {
            matches!(e, Event::Snapshot(s) if s.resources.iter().any(|r| r.name == "flightdata-main"
                && r.status == drconsole::health::Status::Ok))
        })
        .await;
    console
        .wait_for("the action, followed into the timeline", |e| {
            matches!(e, Event::JournalEntries { entries, .. }
                if entries.iter().any(|x| x.kind == "action_finished"))
        })
        .await;
    let (app, _data) = console.quit().await;
    let table = app
        .resource(drconsole::health::ResourceKind::Table, "flightdata-main")
        .unwrap();
    assert_eq!(table.health.status, drconsole::health::Status::Ok);
    let kinds: Vec<&str> = app.journal.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "action_started",
        "request_sent",
        "request_finished",
        "action_finished",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(verify(&dir).unwrap().intact());
}
