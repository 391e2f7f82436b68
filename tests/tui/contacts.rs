//! The Contacts panel during an incident: each person's call and answer, each level's state,
//! who to call next when a level is silent, and the keys that copy a number and record calls.

use chrono::Duration;
use drconsole::event::CopyWhat;
use drconsole::incident::Record;

use super::incident::{INGEST, Open, app_timed};
use super::*;

const DECLARATION: &str = "Disaster Declaration Authority";
const TECHNICAL: &str = "Technical Recovery Team";
const BUSINESS: &str = "Business Continuity";

fn notified(group: &str, role: &str) -> Record {
    Record::ContactNotified {
        group: group.into(),
        role: role.into(),
        name: None,
    }
}

fn acknowledged(group: &str, role: &str) -> Record {
    Record::ContactAcknowledged {
        group: group.into(),
        role: role.into(),
        name: None,
    }
}

/// Hands the app what was appended since it last looked, as the follower would.
fn follow(app: &mut App, open: &Open) {
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: open.entries(),
    });
}

/// An incident declared at 03:00 with one level answered, one waited on and one silent past
/// `escalate_after` (15m), seen at 03:18 with the Contacts panel focused.
async fn app_with_calls() -> (App, Open) {
    let (mut app, mut open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    let m = |n: i64| t0() + Duration::minutes(n);
    open.append(notified(DECLARATION, "Engineering Manager"), m(2));
    open.append(notified(TECHNICAL, "Lead DevOps Engineer"), m(3));
    open.append(acknowledged(TECHNICAL, "Lead DevOps Engineer"), m(5));
    open.append(notified(BUSINESS, "Operations Manager"), m(10));
    follow(&mut app, &open);
    app.update(Event::Tick(m(18)));
    press(&mut app, &[KeyCode::BackTab]);
    assert_eq!(app.focus, Panel::Contacts);
    (app, open)
}

#[tokio::test]
async fn contacts_during_an_incident_160x48() {
    let (app, _open) = app_with_calls().await;
    let screen = screen(&app, 160, 48);
    for expected in [
        "no answer for 16m: call VP Engineering next",
        "notified 03:02",
        "answered: Lead DevOps Engineer 03:05",
        "ack 03:05",
        "waiting 8m",
        "escalate after 15m",
    ] {
        assert!(screen.contains(expected), "{expected}: {screen}");
    }
    snap!(screen);
}

#[tokio::test]
async fn contacts_during_an_incident_80x24() {
    let (app, _open) = app_with_calls().await;
    let screen = screen(&app, 80, 24);
    let footer = screen.lines().last().unwrap();
    assert!(
        footer.contains("call VP Engineering next (no answer 16m)"),
        "the most urgent call is in sight whatever the panel shows: {footer}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_most_urgent_call_shows_in_every_view_until_someone_answers() {
    let (mut app, mut open) = app_with_calls().await;
    press(&mut app, &[KeyCode::Char('t')]);
    let wide = screen(&app, 160, 48);
    assert!(
        wide.lines()
            .last()
            .unwrap()
            .contains("call VP Engineering next (no answer 16m)"),
        "{wide}"
    );
    open.append(
        acknowledged(DECLARATION, "VP Engineering"),
        t0() + Duration::minutes(19),
    );
    follow(&mut app, &open);
    let after = screen(&app, 160, 48);
    assert!(!after.contains("call VP Engineering"), "{after}");
}

#[tokio::test]
async fn n_records_a_call_and_k_an_answer_for_the_selected_person() {
    let (mut app, mut open) = app_with_calls().await;
    // The second person of the first level: the VP the panel says to call.
    let effects = press(&mut app, &[KeyCode::Down, KeyCode::Char('n')]);
    let [Effect::Append { id, record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let expected = notified(DECLARATION, "VP Engineering");
    assert_eq!(**record, expected);
    let entry = open.append(expected, t0() + Duration::minutes(18));
    app.update(Event::Appended {
        id: *id,
        result: Ok(Box::new(entry)),
    });
    let screen_after_call = screen(&app, 160, 48);
    assert!(
        !screen_after_call.contains("call VP Engineering next"),
        "{screen_after_call}"
    );
    assert!(
        screen_after_call.contains("waiting 0s"),
        "{screen_after_call}"
    );
    // The CTO answers without having been called: the answer counts as the call too.
    let effects = press(&mut app, &[KeyCode::Down, KeyCode::Char('K')]);
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(**record, acknowledged(DECLARATION, "CTO"));
}

#[tokio::test]
async fn an_answer_already_recorded_is_not_recorded_twice() {
    let (mut app, _open) = app_with_calls().await;
    // Lead DevOps Engineer, the fourth person, acknowledged at 03:05.
    let effects = press(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Char('K'),
        ],
    );
    assert_eq!(effects, []);
    let flash = &app.flash.as_ref().unwrap().text;
    assert_eq!(flash, "Lead DevOps Engineer acknowledged at 03:05 already");
}

#[tokio::test]
async fn y_copies_the_selected_number_with_or_without_an_incident() {
    let (mut app, _open) = app_with_calls().await;
    let effects = press(&mut app, &[KeyCode::Down, KeyCode::Char('y')]);
    let [Effect::Copy { text, what, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(text, "+1-XXX-XXX-YYYY");
    assert_eq!(
        *what,
        CopyWhat::Phone {
            role: "VP Engineering".into()
        }
    );

    let mut quiet = app_with(&[]).await;
    quiet.read_only = true;
    let effects = press(&mut quiet, &[KeyCode::BackTab, KeyCode::Char('y')]);
    assert!(
        matches!(effects.as_slice(), [Effect::Copy { text, .. }] if text == "+1-XXX-XXX-XXXX"),
        "copying writes nothing, so read-only copies too: {effects:?}"
    );
}

#[tokio::test]
async fn without_an_open_incident_n_and_k_say_to_declare_first() {
    let mut app = app_with(&[]).await;
    for k in ['n', 'K'] {
        let effects = press(&mut app, &[KeyCode::BackTab, KeyCode::Char(k)]);
        assert_eq!(effects, [], "{k}");
        let flash = &app.flash.as_ref().unwrap().text;
        assert!(
            flash.contains("no incident is open: D declares one"),
            "{flash}"
        );
        press(&mut app, &[KeyCode::Tab]);
    }
}

#[tokio::test]
async fn a_read_only_console_refuses_to_record_calls() {
    let (mut app, _open) = app_with_calls().await;
    app.read_only = true;
    let effects = press(&mut app, &[KeyCode::Char('n'), KeyCode::Char('K')]);
    assert_eq!(effects, []);
    assert!(app.flash.as_ref().unwrap().text.contains("read-only"));
    let footer = screen(&app, 160, 48);
    let footer = footer.lines().last().unwrap();
    assert!(footer.contains("copy number"), "{footer}");
    assert!(
        !footer.contains("notified"),
        "hidden when they cannot work: {footer}"
    );
}

#[tokio::test]
async fn the_contact_keys_work_in_the_contacts_panel_only() {
    let (mut app, _open) = app_with_calls().await;
    let effects = press(&mut app, &[KeyCode::Tab, KeyCode::Char('n')]);
    assert_eq!(app.focus, Panel::Services);
    assert_eq!(effects, []);
    let flash = &app.flash.as_ref().unwrap().text;
    assert_eq!(flash, "n works in the Contacts panel (tab to it)");
    let footer = screen(&app, 160, 48);
    assert!(!footer.lines().last().unwrap().contains("copy number"));
}

#[tokio::test]
async fn the_footer_lists_the_contact_keys_on_the_panel() {
    let (app, _open) = app_with_calls().await;
    let screen = screen(&app, 160, 48);
    let footer = screen.lines().last().unwrap();
    for key in ["y copy number", "n notified", "K acknowledged"] {
        assert!(footer.contains(key), "{key}: {footer}");
    }
}

#[tokio::test]
async fn a_resolved_incident_shows_what_happened_and_calls_nobody() {
    let (mut app, mut open) = app_with_calls().await;
    open.append(
        Record::Resolved { summary: None },
        t0() + Duration::minutes(18),
    );
    follow(&mut app, &open);
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("ack 03:05"), "{screen}");
    assert!(!screen.contains("call VP Engineering"), "{screen}");
    let effects = press(&mut app, &[KeyCode::Char('n')]);
    assert_eq!(effects, [], "a resolved incident takes no more calls");
}
