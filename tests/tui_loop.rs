//! The event loop against real endpoints: a region that accepts connections and never
//! answers must not delay a single key press.

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

/// What the runner sent, as the test sees it pass on its way to the loop.
async fn wait_for(
    seen: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    what: &str,
    mut wanted: impl FnMut(&Event) -> bool,
) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_resumes_an_incident_and_shows_what_another_process_appends() {
    use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
    use drconsole::incident::{
        DeclareInput, IncidentStore, Journal, Origin, Record, Severity, plan_declaration, verify,
    };
    use drconsole::tui::run::Incidents;

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
            faults: Vec::new(),
        },
    );
    let data = tempfile::tempdir().unwrap();
    let store = IncidentStore::at(data.path().join("simulation/incidents"), Mode::Simulation);
    let origin = Origin::new(Mode::Simulation, None, vec!["us-east-1".into()]);
    // Declared elsewhere (`drconsole incident declare`), before the console starts.
    let input = DeclareInput {
        title: "Ingestion stalled".into(),
        scenario: "region-failover".into(),
        severity: Severity::Sev1,
        services: vec!["Data Ingestion Pipeline".into()],
        commander: None,
        impact_began: None,
    };
    let declared = plan_declaration(&input, &estate, None, now).unwrap();
    let (journal, incident) = store.declare(declared, origin.clone(), now).unwrap();
    let dir = journal.dir().to_owned();
    drop(journal);

    // The runner's events pass through the test on their way to the loop, so it can wait
    // for each step instead of guessing how long it takes.
    let (loop_tx, mut loop_rx) = channel();
    let (runner_tx, mut runner_rx) = channel();
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let forward = loop_tx.clone();
    tokio::spawn(async move {
        while let Some(event) = runner_rx.recv().await {
            let _ = seen_tx.send(event.clone());
            if forward.send(event).is_err() {
                return;
            }
        }
    });
    let poll = PollerOptions {
        interval: Duration::from_secs(3600),
        concurrency: 8,
    };
    let mut runner = Runner::new(Arc::new(cloud), Arc::clone(&estate), poll, runner_tx)
        .with_incidents(Incidents {
            store,
            origin: origin.clone(),
        });
    let mut app = App::new(
        Arc::clone(&estate),
        Mode::Simulation,
        Keymap::default(),
        now,
    );
    let theme = Theme::builtin("default").unwrap();
    let ui = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        run_loop(&mut terminal, &mut app, &theme, &mut loop_rx, &mut runner)
            .await
            .unwrap();
        app
    });

    wait_for(
        &mut seen,
        "the open incident",
        |e| matches!(e, Event::OpenIncidents(open) if open.len() == 1 && open[0].id == incident.id),
    )
    .await;
    loop_tx.send(key(KeyCode::Enter)).unwrap();
    wait_for(
        &mut seen,
        "the declaration, followed",
        |e| matches!(e, Event::JournalEntries(entries) if entries[0].kind == "declared"),
    )
    .await;
    loop_tx.send(key(KeyCode::Char('t'))).unwrap();

    // Another process appends to the same journal while the console is open on it.
    let mut other = Journal::open(&dir, origin).unwrap();
    let note = Record::Note {
        text: "from another terminal".into(),
        author: None,
    };
    other.append(&note).unwrap();
    wait_for(&mut seen, "the other process's note", |e| {
        matches!(e, Event::JournalEntries(entries)
            if entries.iter().any(|x| x.record() == Some(note.clone())))
    })
    .await;

    // The console's own note goes through the runner to the same chain.
    loop_tx.send(key(KeyCode::Char('a'))).unwrap();
    for c in "mine, after theirs".chars() {
        loop_tx.send(key(KeyCode::Char(c))).unwrap();
    }
    loop_tx
        .send(Event::from(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
        )))
        .unwrap();
    wait_for(
        &mut seen,
        "the console's note, durable",
        |e| matches!(e, Event::Appended { result: Ok(entry), .. } if entry.seq == 3),
    )
    .await;
    loop_tx
        .send(Event::from(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        )))
        .unwrap();
    let app = tokio::time::timeout(Duration::from_secs(60), ui)
        .await
        .expect("the loop ended on ctrl-c")
        .unwrap();

    let notes: Vec<String> = app
        .journal
        .iter()
        .filter(|e| e.kind == "note")
        .map(drconsole::incident::describe)
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
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|frame| drconsole::tui::ui::render(&app, &Theme::builtin("default").unwrap(), frame))
        .unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("note: from another terminal"), "{screen}");
    let check = verify(&dir).unwrap();
    assert!(check.intact(), "{check:?}");
    assert_eq!(check.entries, 3);
}
