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
