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

/// An app on the plan's estate that has received nothing yet.
fn fresh_app(estate: &Arc<Estate>) -> App {
    App::new(
        Arc::clone(estate),
        Mode::Simulation,
        Keymap::default(),
        t0(),
    )
}

/// An app that has received one snapshot of the sim with `faults`.
async fn app_with(faults: &[Fault]) -> App {
    let estate = estate();
    let mut app = fresh_app(&estate);
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
    let mut app = fresh_app(&estate);
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

async fn snapshot_at(estate: &Estate, faults: &[Fault], at: DateTime<Utc>) -> HealthSnapshot {
    let options = SimOptions {
        clock: SimClock::fixed(at),
        latency: Latency::None,
        faults: faults.to_vec(),
    };
    health::snapshot(&SimCloud::new(estate, options), estate, 8).await
}

#[tokio::test]
async fn region_outage_banner_at_80x24() {
    let app = app_with(&[Fault::RegionOutage]).await;
    let screen = screen(&app, 80, 24);
    let banner = screen.lines().nth(1).unwrap();
    assert!(
        banner.contains("us-east-1 DOWN since 03:00Z — us-west-2 ok (3/3 replicas), DNS SECONDARY"),
        "the short form fits 80 columns: {banner}"
    );
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn region_outage_banner_at_160x48_says_what_still_answers() {
    let app = app_with(&[Fault::RegionOutage]).await;
    let screen = screen(&app, 160, 48);
    assert!(
        screen.contains(
            "us-east-1 unreachable since 03:00Z — us-west-2 ok: 3/3 replicas readable, \
             DNS serving SECONDARY"
        ),
        "{screen}"
    );
    // The replicas are judged from their own reads in us-west-2, not shown as "?".
    assert_eq!(screen.matches("✔ read").count(), 3, "{screen}");
}

#[tokio::test]
async fn no_banner_while_every_region_answers() {
    let app = app_with(&[Fault::PitrOff]).await;
    assert!(!screen(&app, 160, 48).contains("unreachable"));
}

#[tokio::test]
async fn stale_since_is_the_last_good_reading_and_the_matrix_agrees() {
    let estate = estate();
    let mut app = fresh_app(&estate);
    app.update(Event::Snapshot(Box::new(
        snapshot_at(&estate, &[], t0()).await,
    )));
    let later = t0() + chrono::Duration::minutes(2);
    for at in [later, later + chrono::Duration::seconds(30)] {
        app.update(Event::Tick(at));
        app.update(Event::Snapshot(Box::new(
            snapshot_at(&estate, &[Fault::RegionOutage], at).await,
        )));
    }
    let main = app
        .resource(health::ResourceKind::Table, "flightdata-main")
        .unwrap();
    assert_eq!(
        main.stale.as_ref().unwrap().since,
        t0(),
        "stale since the last good reading, not the first failed one"
    );
    // The matrix rolls up the same readings the panels show.
    let tables = app.service("DynamoDB Tables").unwrap();
    assert_eq!(tables.status, health::Status::Ok);
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("stale since 03:00:00Z"), "{screen}");
}

#[tokio::test]
async fn a_stale_reading_keeps_its_glyph_but_dimmed() {
    let estate = estate();
    let mut app = fresh_app(&estate);
    app.update(Event::Snapshot(Box::new(snapshot(&estate, &[]).await)));
    let theme = Theme::builtin("default").unwrap();
    let glyph_style = |app: &App| {
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
        terminal
            .draw(|frame| ui::render(app, &theme, frame))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        // The first table row: under the tables panel's title and header.
        let (x, y) = (0..48)
            .flat_map(|y| (0..160).map(move |x| (x, y)))
            .find(|(x, y)| {
                buffer[(*x, *y)].symbol() == "f"
                    && buffer[(*x + 1, *y)].symbol() == "l"
                    && (0..4).all(|i| {
                        buffer[(*x + 11 + i, *y)].symbol() == ["c", "o", "n", "f"][i as usize]
                    })
            })
            .expect("the flightdata-config row");
        buffer[(x - 2, y)].style()
    };
    let fresh = glyph_style(&app);
    assert_eq!(fresh.fg, theme.status(health::Status::Ok).fg);
    app.update(Event::Snapshot(Box::new(
        snapshot(&estate, &[Fault::RegionOutage]).await,
    )));
    let stale = glyph_style(&app);
    assert_ne!(stale.fg, fresh.fg, "no bright green it cannot vouch for");
    assert_eq!(stale.fg, theme.style(drconsole::tui::theme::Slot::Muted).fg);
}

#[tokio::test]
async fn enter_on_a_service_lists_its_resources_worst_first_with_every_reason() {
    let mut app = app_with(&[Fault::PitrOff, Fault::Alarm, Fault::StaleBackup]).await;
    // The services panel has focus; DynamoDB Tables is the third row.
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    assert_eq!(
        app.view,
        View::Service {
            name: "DynamoDB Tables".into()
        }
    );
    let screen = screen(&app, 100, 40);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Impact") && l.contains("Data access limited")),
        "{screen}"
    );
    let main = screen
        .find("table flightdata-main")
        .expect("the broken table");
    let ok_alarm = screen.find("alarm flightdata-dynamodb-throttles");
    if let Some(ok_alarm) = ok_alarm {
        assert!(main < ok_alarm, "worst first:\n{screen}");
    }
    insta::assert_snapshot!(screen);
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.view, View::Dashboard);
}

#[tokio::test]
async fn the_matrix_shows_the_worst_reason_and_how_many_more() {
    let app = app_with(&[Fault::StaleBackup, Fault::PitrOff]).await;
    let screen = screen(&app, 160, 48);
    let row = screen
        .lines()
        .find(|l| l.contains("DynamoDB Tables"))
        .unwrap();
    assert!(
        row.contains("flightdata-main: point-in-time recovery is off"),
        "the critical reason, not the first warning: {row}"
    );
    assert!(row.contains(" more"), "{row}");
}

#[tokio::test]
async fn narrow_panels_say_how_many_rows_are_hidden() {
    let app = app_with(&[]).await;
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("+1 more"), "{screen}");
    assert!(screen.contains("+7 more"), "contacts too: {screen}");
    // Nothing is cut mid-number: exposure figures keep their "/".
    for line in screen.lines().filter(|l| l.contains("…config")) {
        assert!(line.contains("5m/1h"), "{line}");
    }
}

#[tokio::test]
async fn the_refreshing_marker_and_message_end_together() {
    let mut app = app_with(&[]).await;
    assert!(!screen(&app, 100, 30).contains("refreshing"));
    let effects = press(&mut app, &[KeyCode::Char('r')]);
    assert_eq!(effects, [Effect::Refresh]);
    let during = screen(&app, 100, 30);
    assert!(
        during.contains("refreshing…") && during.contains('↻'),
        "{during}"
    );
    // Long after a flash would have gone, it still says so while the refresh runs.
    app.update(Event::Tick(t0() + chrono::Duration::seconds(20)));
    assert!(screen(&app, 100, 30).contains("refreshing…"));
    let estate = estate();
    app.update(Event::Snapshot(Box::new(snapshot(&estate, &[]).await)));
    let after = screen(&app, 100, 30);
    assert!(
        !after.contains("refreshing") && !after.contains('↻'),
        "{after}"
    );
}

#[tokio::test]
async fn the_header_names_an_overridden_endpoint_even_when_narrow() {
    let mut app = app_with(&[]).await;
    app.mode = Mode::Production;
    app.endpoints = vec![("all".into(), "http://127.0.0.1:5000".into())];
    for width in [80, 160] {
        let screen = screen(&app, width, 24);
        let header = screen.lines().next().unwrap();
        assert!(
            header.contains("PRODUCTION") && header.contains("endpoint 127.0.0.1:5000"),
            "{header}"
        );
    }
}

#[tokio::test]
async fn the_banner_says_dns_unknown_when_route53_cannot_be_read() {
    let estate = estate();
    let mut snap = snapshot(&estate, &[Fault::RegionOutage]).await;
    // Route53's API lives in us-east-1: in a real outage of it, the records may not be read.
    for r in snap
        .resources
        .iter_mut()
        .filter(|r| r.kind == health::ResourceKind::Dns)
    {
        r.status = health::Status::Unknown;
        r.error = Some("route53 ListResourceRecordSets: could not reach the endpoint".into());
    }
    let mut app = fresh_app(&estate);
    app.update(Event::Snapshot(Box::new(snap)));
    let screen = screen(&app, 160, 48);
    let banner = screen.lines().nth(1).unwrap();
    assert!(banner.contains("DNS unknown"), "{banner}");
    assert!(!banner.contains("SECONDARY"), "never a guess: {banner}");
}

#[tokio::test]
async fn c_counts_objects_from_the_s3_panel_only() {
    let mut app = app_with(&[]).await;
    assert!(
        press(&mut app, &[KeyCode::Char('c')]).is_empty(),
        "counting lists every object: not from the services panel"
    );
    // Services → Tables → Buckets.
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    assert_eq!(app.focus, Panel::Buckets);
    let footer = screen(&app, 160, 48);
    assert!(
        footer.lines().last().unwrap().contains("count objects"),
        "{footer}"
    );
    assert_eq!(press(&mut app, &[KeyCode::Char('c')]), [Effect::CountNow]);
    assert!(app.refreshing);
}

/// Snapshots of the modules below sit with the others, named `tui__<module>__*`.
macro_rules! snap {
    ($value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots"}, {
            insta::assert_snapshot!($value)
        })
    };
}

#[path = "tui/contacts.rs"]
mod contacts;
#[path = "tui/incident.rs"]
mod incident;
#[path = "tui/incident_keys.rs"]
mod incident_keys;
#[path = "tui/repair.rs"]
mod repair;
/// A snapshot under its own name, beside the other screens' in tests/snapshots.
macro_rules! named {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots"}, {
            insta::assert_snapshot!($name, $value)
        })
    };
}

#[path = "tui/comms.rs"]
mod comms;
#[path = "tui/drill.rs"]
mod drill;
#[path = "tui/runbook.rs"]
mod runbook;
#[path = "tui/runbook_checklist.rs"]
mod runbook_checklist;
#[path = "tui/runbook_sim.rs"]
mod runbook_sim;
#[path = "tui/runbook_views.rs"]
mod runbook_views;
#[path = "tui/validate.rs"]
mod validate;
