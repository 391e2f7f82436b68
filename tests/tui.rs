//! The console's screens, driven by key events over the simulated estate on a fixed clock,
//! drawn on ratatui's TestBackend and compared with committed snapshots.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use drconsole::config::{self, Estate};
use drconsole::event::Effect;
use drconsole::health::{self, HealthSnapshot};
use drconsole::session::Mode;
use drconsole::tui::app::{App, Panel, View};
use drconsole::tui::event::Event;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::theme::Theme;
use drconsole::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()
}

fn estate() -> Arc<Estate> {
    let text = drconsole::session::EXAMPLE_ESTATE;
    Arc::new(config::parse(text, Path::new("templates/estate.example.toml")).unwrap())
}

async fn snapshot(estate: &Estate, faults: &[Fault]) -> HealthSnapshot {
    let options = SimOptions {
        clock: SimClock::fixed(t0()),
        latency: Latency::None,
        faults: faults.to_vec(),
    };
    let sim = SimCloud::new(estate, options);
    health::snapshot(&sim, estate, 8).await
}

/// An app that has received one snapshot of the sim with `faults`.
async fn app_with(faults: &[Fault]) -> App {
    let estate = estate();
    let mut app = App::new(
        Arc::clone(&estate),
        Mode::Simulation,
        Keymap::default(),
        t0(),
    );
    let snap = snapshot(&estate, faults).await;
    app.update(Event::Snapshot(Box::new(snap)));
    app
}

fn key(code: KeyCode) -> Event {
    Event::from(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(app: &mut App, keys: &[KeyCode]) -> Vec<Effect> {
    keys.iter().flat_map(|k| app.update(key(*k))).collect()
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let theme = Theme::builtin("default").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ui::render(app, &theme, frame))
        .unwrap();
    terminal.backend().to_string()
}

#[tokio::test]
async fn dashboard_80x24() {
    let app = app_with(&[]).await;
    let screen = screen(&app, 80, 24);
    assert!(
        screen.contains("SIMULATION"),
        "the mode is always on screen"
    );
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn dashboard_160x48() {
    let app = app_with(&[]).await;
    insta::assert_snapshot!(screen(&app, 160, 48));
}

#[tokio::test]
async fn before_the_first_snapshot_it_says_it_is_checking() {
    let estate = estate();
    let app = App::new(estate, Mode::Simulation, Keymap::default(), t0());
    let screen = screen(&app, 100, 30);
    assert!(screen.contains("Checking the estate"), "{screen}");
    assert!(screen.contains("SIMULATION"));
}

#[tokio::test]
async fn enter_opens_a_resource_and_esc_comes_back() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Tab, KeyCode::Down, KeyCode::Enter]);
    assert_eq!(app.focus, Panel::Tables);
    assert!(
        matches!(&app.view, View::Detail { name, .. } if name == "flightdata-main"),
        "{:?}",
        app.view
    );
    insta::assert_snapshot!(screen(&app, 100, 40));
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.view, View::Dashboard);
    assert!(!app.should_quit, "Esc goes back, it does not quit");
}

#[tokio::test]
async fn help_lists_every_key_and_any_key_closes_it() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('?')]);
    assert!(app.help_open);
    let screen = screen(&app, 100, 40);
    assert!(screen.contains("ctrl-c"), "{screen}");
    insta::assert_snapshot!(screen);
    press(&mut app, &[KeyCode::Char('j')]);
    assert!(!app.help_open);
    assert!(!app.should_quit);
}

#[tokio::test]
async fn r_refreshes_and_q_quits_from_the_dashboard_only() {
    let mut app = app_with(&[]).await;
    assert_eq!(
        press(&mut app, &[KeyCode::Char('r')]),
        vec![Effect::Refresh]
    );
    assert!(app.refreshing);
    press(
        &mut app,
        &[KeyCode::Tab, KeyCode::Enter, KeyCode::Char('q')],
    );
    assert_eq!(app.view, View::Dashboard, "q leaves the detail view first");
    assert!(!app.should_quit);
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(app.should_quit);
}

#[tokio::test]
async fn ctrl_c_quits_from_anywhere() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('?')]);
    app.update(Event::from(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(app.should_quit);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_last_reading_and_says_since_when() {
    let estate = estate();
    let mut app = App::new(
        Arc::clone(&estate),
        Mode::Simulation,
        Keymap::default(),
        t0(),
    );
    app.update(Event::Snapshot(Box::new(snapshot(&estate, &[]).await)));
    app.update(Event::Snapshot(Box::new(
        snapshot(&estate, &[Fault::RegionOutage]).await,
    )));
    let main = app
        .resource(health::ResourceKind::Table, "flightdata-main")
        .unwrap();
    assert!(main.stale.is_some(), "the table's refresh failed");
    assert_eq!(
        main.health.status,
        health::Status::Ok,
        "its last reading is kept"
    );
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("stale since 03:00:00Z"), "{screen}");
    insta::assert_snapshot!(screen);
}

async fn fault_screen(fault: Fault) -> String {
    let app = app_with(&[fault]).await;
    screen(&app, 160, 48)
}

#[tokio::test]
async fn fault_region_outage() {
    insta::assert_snapshot!(fault_screen(Fault::RegionOutage).await);
}

#[tokio::test]
async fn fault_pitr_off() {
    insta::assert_snapshot!(fault_screen(Fault::PitrOff).await);
}

#[tokio::test]
async fn fault_replication_broken() {
    insta::assert_snapshot!(fault_screen(Fault::ReplicationBroken).await);
}

#[tokio::test]
async fn fault_replica_lag() {
    insta::assert_snapshot!(fault_screen(Fault::ReplicaLag).await);
}

#[tokio::test]
async fn fault_stale_backup() {
    insta::assert_snapshot!(fault_screen(Fault::StaleBackup).await);
}

#[tokio::test]
async fn fault_missing_lambda_backup() {
    insta::assert_snapshot!(fault_screen(Fault::MissingLambdaBackup).await);
}

#[tokio::test]
async fn fault_alarm() {
    insta::assert_snapshot!(fault_screen(Fault::Alarm).await);
}

#[tokio::test]
async fn every_view_draws_at_any_size_without_panicking() {
    let mut app = app_with(&[Fault::ReplicaLag]).await;
    let empty = App::new(estate(), Mode::Simulation, Keymap::default(), t0());
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
        screen(&empty, w, h);
        screen(&app, w, h);
        press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
        screen(&app, w, h);
        press(&mut app, &[KeyCode::Esc, KeyCode::Char('?')]);
        screen(&app, w, h);
        press(&mut app, &[KeyCode::Esc]);
    }
}

#[tokio::test]
async fn a_long_detail_view_scrolls_to_its_end_and_back() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    assert!(matches!(&app.view, View::Detail { name, .. } if name == "flightdata-analytics"));
    let top = screen(&app, 80, 24);
    assert!(top.contains("Status"), "{top}");
    assert!(
        !top.contains("Replica flightdata-analytics-backup"),
        "the replica is below the fold"
    );
    press(&mut app, &[KeyCode::Char('G')]);
    let bottom = screen(&app, 80, 24);
    assert!(
        bottom.contains("Replica flightdata-analytics-backup-us-west-2"),
        "{bottom}"
    );
    press(&mut app, &[KeyCode::Char('k'), KeyCode::Char('g')]);
    assert_eq!(app.detail_scroll, 0);
    assert_eq!(screen(&app, 80, 24), top);
}

#[tokio::test]
async fn any_key_closes_help_even_one_bound_to_nothing() {
    let mut app = app_with(&[]).await;
    press(&mut app, &[KeyCode::Char('?'), KeyCode::Char('x')]);
    assert!(!app.help_open);
    assert!(!app.should_quit);
}
