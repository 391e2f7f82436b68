//! The incident's popups driven by keys: the note editor, the declare form, the
//! confirmations and the offer to resume, each checked for the effect it asks for and for
//! what it keeps when the journal says no.

use chrono::Duration;
use drconsole::incident::{DeclareInput, Record, Severity, plan_declaration};
use drconsole::tui::incident::{Confirmable, Popup, text_of};

use super::incident::{API, INGEST, Open, app_timed, ctrl, type_text};
use super::*;

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
    // Choosing the severity it already has changes nothing and writes nothing.
    press(&mut app, &[KeyCode::Char('S'), KeyCode::Char('1')]);
    assert!(press(&mut app, &[KeyCode::Char('y')]).is_empty());
    assert!(app.popup.is_none());
    press(&mut app, &[KeyCode::Char('S')]);
    assert!(screen(&app, 80, 24).contains("SEV1 → ‹ SEV2 ›?"));
    let effects = press(&mut app, &[KeyCode::Right, KeyCode::Char('y')]);
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(matches!(
        **record,
        Record::SeverityChanged {
            from: Severity::Sev1,
            to: Severity::Sev3,
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
    assert!(
        screen.contains("An incident is open: resume it here?"),
        "{screen}"
    );
    assert!(screen.contains("SIM-20261124-0300"), "{screen}");
    assert!(screen.contains("1 entry"), "{screen}");
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(effects, vec![Effect::Resume(open.dir.clone())]);
    let effects = app.update(Event::Resumed(Ok(drconsole::event::Resumed {
        incident: Box::new(open.incident.clone()),
        torn_bytes: 17,
    })));
    assert_eq!(
        effects,
        vec![Effect::Follow(open.dir.clone()), open.executor_effect()]
    );
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
async fn a_console_without_an_incident_looks_for_one_now_and_then() {
    let mut app = app_with(&[]).await;
    let tick = |app: &mut App, secs| app.update(Event::Tick(t0() + Duration::seconds(secs)));
    assert!(tick(&mut app, 1).is_empty(), "not every second");
    assert_eq!(tick(&mut app, 5), vec![Effect::FindOpenIncidents]);
    assert!(tick(&mut app, 6).is_empty());

    // Declared in another terminal: offered; turned down: not offered again.
    let open = Open::declare(&app.estate, &[INGEST], t0());
    app.update(Event::OpenIncidents(vec![open.incident.clone()]));
    assert!(matches!(app.popup, Some(Popup::Resume(_))));
    assert!(tick(&mut app, 11).is_empty(), "not while the offer is up");
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(tick(&mut app, 12), vec![Effect::FindOpenIncidents]);
    app.update(Event::OpenIncidents(vec![open.incident.clone()]));
    assert!(app.popup.is_none(), "declined once is enough");

    // With one open, it has no reason to look.
    open.give_to(&mut app);
    assert!(tick(&mut app, 60).is_empty());
}

#[tokio::test]
async fn ctrl_c_over_an_unsaved_note_asks_once_before_quitting() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "restore point chosen by the DBA");
    app.update(ctrl('c'));
    assert!(!app.should_quit, "the first ctrl-c only warns");
    assert!(
        matches!(app.popup, Some(Popup::Note(_))),
        "the note is still there"
    );
    let flash = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("not saved"), "{flash}");
    // Any other key disarms it; then two in a row quit.
    type_text(&mut app, ".");
    app.update(ctrl('c'));
    assert!(!app.should_quit);
    app.update(ctrl('c'));
    assert!(app.should_quit, "the second ctrl-c quits");
}

#[tokio::test]
async fn ctrl_c_with_nothing_typed_quits_at_once() {
    let (mut app, _open) = app_timed(&[INGEST], Duration::minutes(5)).await;
    press(&mut app, &[KeyCode::Char('a')]);
    app.update(ctrl('c'));
    assert!(app.should_quit);
}
