//! The checklist and the popups that answer a step, on hand-made engine views: the selection
//! that follows the waiting step, a running for_each, the restore source chooser, the typed
//! confirmation, an input refused, a failed step, cancel, the badge and the help.

use chrono::Duration;
use drconsole::runbook::model::{InputKind, StepKind};
use drconsole::runbook::{Command, Need, RunState, StepState};
use drconsole::tui::runbook::RunbookPopup;

use super::runbook::{app_running, app_with_runbooks, chars, selected_path, update};
use super::runbook_views::{destructive_view, failed_view, failover_view};
use super::*;

#[tokio::test]
async fn the_checklist_80x24() {
    let app = app_running(failover_view()).await;
    // The selection follows the step that waits for a person.
    assert_eq!(selected_path(&app), "restore/flightdata-config/source");
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("SIMULATION"), "the mode stays: {screen}");
    assert!(screen.contains("0–15 minutes"), "{screen}");
    assert!(
        screen.contains("23m00s / 4h"),
        "the run against its target: {screen}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_checklist_160x48() {
    let mut app = app_running(failover_view()).await;
    // The DNS step: its operation, request id and timing.
    press(&mut app, &[KeyCode::Home, KeyCode::Down]);
    assert_eq!(selected_path(&app), "dns");
    let screen = screen(&app, 160, 48);
    assert!(screen.contains("C2RQ7XPNF2K1"), "{screen}");
    assert!(screen.contains("2m30s / 5m"), "{screen}");
    snap!(screen);
}

#[tokio::test]
async fn a_running_for_each_shows_each_item_and_its_progress() {
    let mut app = app_running(failover_view()).await;
    let main = app
        .runbooks
        .run
        .as_ref()
        .unwrap()
        .view
        .steps
        .iter()
        .position(|s| s.path == "restore/flightdata-main/import")
        .unwrap();
    press(&mut app, &[KeyCode::Home]);
    for _ in 0..main {
        press(&mut app, &[KeyCode::Down]);
    }
    assert_eq!(selected_path(&app), "restore/flightdata-main/import");
    let screen = screen(&app, 100, 32);
    assert!(
        screen.contains("3/6 done"),
        "the group's progress: {screen}"
    );
    assert!(
        screen.contains("1.2 GB of 2.7 GB"),
        "the live log: {screen}"
    );
    snap!(screen);
}

#[tokio::test]
async fn the_restore_source_chooser_takes_the_freshest_and_asks_why() {
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Enter]);
    let Some(RunbookPopup::Choose { selected, .. }) = &app.runbooks.popup else {
        panic!("{:?}", app.runbooks.popup);
    };
    assert_eq!(*selected, 0, "the freshest is preselected");
    named!("restore_source_chooser_80x24", screen(&app, 80, 24));
    // Down to the backup, and down again: the two sources that cannot be used are skipped.
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Down]);
    let Some(RunbookPopup::Choose { selected, .. }) = &app.runbooks.popup else {
        panic!();
    };
    assert_eq!(*selected, 1);
    press(&mut app, &[KeyCode::Up, KeyCode::Enter]);
    let Some(RunbookPopup::Choose {
        rationale: Some(field),
        ..
    }) = &app.runbooks.popup
    else {
        panic!("enter asks why");
    };
    assert_eq!(drconsole::tui::incident::text_of(field), "freshest source");
    named!("restore_source_rationale_80x24", screen(&app, 80, 24));
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect::RunbookCommand(Command::Choose {
            step: "restore/flightdata-config/source".into(),
            option: "export".into(),
            rationale: "freshest source".into(),
        })]
    );
    // The engine's next view no longer asks: the chooser closes.
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    s.need = None;
    s.state = StepState::Succeeded;
    update(&mut app, view);
    assert!(app.runbooks.popup.is_none());
}

#[tokio::test]
async fn a_backup_over_the_rpo_needs_its_own_reason() {
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Enter, KeyCode::Down, KeyCode::Enter]);
    let Some(RunbookPopup::Choose {
        rationale: Some(field),
        ..
    }) = &app.runbooks.popup
    else {
        panic!();
    };
    assert_eq!(drconsole::tui::incident::text_of(field), "");
    assert!(
        press(&mut app, &[KeyCode::Enter]).is_empty(),
        "no empty reason"
    );
    let effects = chars(&mut app, "export bucket unreadable");
    assert!(effects.is_empty());
    let effects = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect::RunbookCommand(Command::Choose {
            step: "restore/flightdata-config/source".into(),
            option: "backup".into(),
            rationale: "export bucket unreadable".into(),
        })]
    );
}

#[tokio::test]
async fn the_confirm_popup_takes_every_key_as_text_until_the_name_is_right() {
    let mut app = app_running(destructive_view()).await;
    assert_eq!(selected_path(&app), "reprotect");
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Confirm { .. })
    ));
    // q, ?, j, C and y are text here: nothing quits, moves, cancels or confirms.
    assert!(chars(&mut app, "q?jCy").is_empty());
    assert!(!app.should_quit && !app.help_open);
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    let Some(RunbookPopup::Confirm { wrong, .. }) = &app.runbooks.popup else {
        panic!();
    };
    assert!(wrong.as_deref().unwrap().contains("nothing was sent"));
    named!("confirm_popup_80x24", screen(&app, 80, 24));
    press(&mut app, &[KeyCode::Backspace; 5]);
    assert!(chars(&mut app, "flightdata-main").is_empty());
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Confirm {
            step: "reprotect".into(),
            typed: "flightdata-main".into(),
        })]
    );
    // Sent once: a second Enter sends nothing more.
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
}

#[tokio::test]
async fn a_failed_step_shows_why_and_retries_or_is_skipped_with_a_reason() {
    let mut app = app_running(failed_view()).await;
    assert_eq!(selected_path(&app), "restore/flightdata-main/import");
    let screen80 = screen(&app, 80, 24);
    assert!(screen80.contains("FAILED"), "{screen80}");
    named!("failed_step_80x24", screen80);
    let wide = screen(&app, 160, 48);
    assert!(wide.contains("LimitExceededException"), "{wide}");
    assert!(wide.contains("retryable: T tries again"), "{wide}");
    named!("failed_step_160x48", wide);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('T')]),
        vec![Effect::RunbookCommand(Command::Retry(
            "restore/flightdata-main/import".into()
        ))]
    );
    press(&mut app, &[KeyCode::Char('s')]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Skip { .. })
    ));
    assert!(
        press(&mut app, &[KeyCode::Enter]).is_empty(),
        "a reason is needed"
    );
    chars(&mut app, "restored by hand");
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Skip {
            step: "restore/flightdata-main/import".into(),
            reason: "restored by hand".into(),
        })]
    );
}

#[tokio::test]
async fn an_input_shows_the_window_and_why_a_value_was_refused() {
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    s.kind = StepKind::Input;
    s.title = "When did the corruption start?".into();
    s.need = Some(Need::Input {
        prompt: "Restore flightdata-main to".into(),
        kind: InputKind::Time,
        default: Some("2026-11-24T02:40:00Z".into()),
        choices: Vec::new(),
        hint: Some("PITR window: 2026-10-20T03:00:00Z to 2026-11-24T02:55:00Z".into()),
        error: None,
    });
    let mut app = app_running(view.clone()).await;
    press(&mut app, &[KeyCode::Enter]);
    let Some(RunbookPopup::Input { field, .. }) = &app.runbooks.popup else {
        panic!("{:?}", app.runbooks.popup);
    };
    assert_eq!(
        drconsole::tui::incident::text_of(field),
        "2026-11-24T02:40:00Z"
    );
    press(&mut app, &[KeyCode::Backspace; 20]);
    chars(&mut app, "03:10");
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Provide {
            step: "restore/flightdata-config/source".into(),
            value: "03:10".into(),
        })]
    );
    // Refused: the popup stays, with the engine's reason, for another try.
    if let Some(Need::Input { error, .. }) = &mut view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap()
        .need
    {
        *error = Some("03:10 is after the window's end (02:55)".into());
    }
    update(&mut app, view);
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("after the window's end"), "{screen}");
    assert!(screen.contains("PITR window"), "{screen}");
    named!("input_refused_80x24", screen);
}

#[tokio::test]
async fn manual_steps_are_marked_done_and_start_runs_a_write() {
    let mut view = failover_view();
    let c = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    c.need = None;
    c.state = StepState::Succeeded;
    let s = view.steps.iter_mut().find(|s| s.path == "status").unwrap();
    s.state = StepState::Waiting;
    s.need = Some(Need::Done);
    let mut app = app_running(view.clone()).await;
    assert_eq!(selected_path(&app), "status");
    assert_eq!(
        press(&mut app, &[KeyCode::Char('d')]),
        vec![Effect::RunbookCommand(Command::Done {
            step: "status".into(),
            note: None
        })]
    );
    // `d` on a step that is not manual says so and sends nothing.
    press(&mut app, &[KeyCode::Home]);
    assert!(press(&mut app, &[KeyCode::Char('d')]).is_empty());
    assert!(app.flash.is_some());
    // A write that waits for its start runs on Enter.
    let s = view.steps.iter_mut().find(|s| s.path == "status").unwrap();
    s.need = Some(Need::Start);
    update(&mut app, view);
    press(&mut app, &[KeyCode::End]);
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Effect::RunbookCommand(Command::Run("status".into()))]
    );
}

#[tokio::test]
async fn cancel_asks_first_and_esc_leaves_the_run_going_with_a_badge() {
    let mut app = app_running(failover_view()).await;
    assert!(press(&mut app, &[KeyCode::Char('C')]).is_empty());
    assert!(matches!(app.runbooks.popup, Some(RunbookPopup::Cancel)));
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.runbooks.popup.is_none());
    press(&mut app, &[KeyCode::Char('C')]);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('y')]),
        vec![Effect::RunbookCommand(Command::Cancel)]
    );
    // Back to the dashboard: the run goes on, and the header says so.
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.view, View::Dashboard);
    let wide = screen(&app, 160, 48);
    let header = wide.lines().next().unwrap();
    assert!(
        header.contains("runbook: region-failover 6/12 · 23m · waiting"),
        "{wide}"
    );
    // Where the header has no room for it, the footer says it, once the flash is gone.
    app.update(Event::Tick(t0() + Duration::seconds(5)));
    let narrow = screen(&app, 80, 24);
    let footer = narrow.lines().last().unwrap();
    assert!(footer.contains("runbook: region-failover 6/12"), "{narrow}");
    // The same key as the picker brings the checklist back while a run exists.
    press(&mut app, &[KeyCode::Char('b')]);
    assert_eq!(app.view, View::Runbook);
    // And another runbook cannot start over it.
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(app.runbooks.popup.is_none());
}

#[tokio::test]
async fn the_step_keys_outside_the_checklist_say_where_they_work() {
    let mut app = app_with_runbooks().await;
    for c in ['d', 's', 'T', 'C'] {
        assert!(press(&mut app, &[KeyCode::Char(c)]).is_empty());
        assert!(app.flash.as_ref().unwrap().text.contains("checklist"));
    }
}

#[tokio::test]
async fn the_finished_run_is_flashed_and_the_picker_opens_again() {
    let mut app = app_running(failover_view()).await;
    let mut view = failover_view();
    for s in &mut view.steps {
        s.state = StepState::Succeeded;
        s.need = None;
    }
    view.state = RunState::Succeeded;
    view.finished = Some(t0());
    app.update(Event::RunbookUpdate {
        view: Box::new(view),
        event: Some(drconsole::runbook::Event::Finished(RunState::Succeeded)),
    });
    assert!(app.flash.as_ref().unwrap().text.contains("every step done"));
    press(&mut app, &[KeyCode::Char('b')]);
    assert!(matches!(
        app.runbooks.popup,
        Some(RunbookPopup::Pick { .. })
    ));
}

#[tokio::test]
async fn every_runbook_screen_draws_at_any_size_without_panicking() {
    let mut app = app_running(failed_view()).await;
    for (w, h) in [(20, 5), (40, 10), (80, 24), (120, 30), (200, 60)] {
        screen(&app, w, h);
    }
    press(&mut app, &[KeyCode::Char('s')]);
    for (w, h) in [(20, 5), (40, 10), (80, 24)] {
        screen(&app, w, h);
    }
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Enter]);
    for (w, h) in [(20, 5), (40, 10), (80, 24)] {
        screen(&app, w, h);
    }
}

#[tokio::test]
async fn help_on_the_checklist_at_80x24_lists_every_runbook_key() {
    let mut app = app_running(failover_view()).await;
    press(&mut app, &[KeyCode::Char('?')]);
    let screen = screen(&app, 80, 24);
    for want in [
        "Run or answer the selected step",
        "Mark the selected manual step done",
        "Skip the selected step",
        "Try the selected failed step again",
        "Cancel the run",
        "Pick a runbook or return to the run",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    named!("help_on_the_checklist_80x24", screen);
}

#[tokio::test]
async fn ctrl_c_over_a_reason_not_yet_sent_asks_once_more() {
    let mut app = app_running(failed_view()).await;
    press(&mut app, &[KeyCode::Char('s')]);
    chars(&mut app, "restored by hand");
    let ctrl_c = Event::from(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    app.update(ctrl_c.clone());
    assert!(!app.should_quit, "the first ctrl-c warns");
    assert!(app.flash.as_ref().unwrap().text.contains("skip reason"));
    app.update(ctrl_c);
    assert!(app.should_quit);
}

/// The status-update step names the message it sends: copying that message (and only
/// that one) marks it done, with a note saying how it went out.
#[tokio::test]
async fn copying_the_steps_message_marks_the_manual_step_done() {
    use drconsole::comms::Format;
    use drconsole::comms::clipboard::{CopyReport, Native, Osc52Route};
    use drconsole::event::CopyWhat;

    let mut view = failover_view();
    let status = view.steps.iter_mut().find(|s| s.path == "status").unwrap();
    status.state = StepState::Waiting;
    status.need = Some(Need::Done);
    status.message = Some("progress-update".into());
    let mut app = app_running(view).await;
    let copied = |template: &str| Event::Copied {
        id: 1,
        what: CopyWhat::Message {
            template: template.into(),
            format: Format::Slack,
            text: "DR UPDATE".into(),
        },
        report: CopyReport {
            osc52: Osc52Route::Direct,
            native: Native::Absent,
        },
    };
    let done = |effects: &[Effect]| -> Vec<(String, Option<String>)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::RunbookCommand(Command::Done { step, note }) => {
                    Some((step.clone(), note.clone()))
                }
                _ => None,
            })
            .collect()
    };
    assert!(done(&app.update(copied("initial-declaration"))).is_empty());
    let effects = app.update(copied("progress-update"));
    let done = done(&effects);
    assert_eq!(done.len(), 1, "{effects:?}");
    assert_eq!(done[0].0, "status");
    let note = done[0].1.as_deref().unwrap();
    assert!(
        note.starts_with("the progress-update message was copied ("),
        "{note}"
    );
}
