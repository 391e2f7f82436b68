//! The comms view and the update countdown, on a fixed clock over the simulated estate:
//! the draft and its placeholders, editing, the copy's warning, the refresh offer, the ETA,
//! posting's answers, and the bell. Templates are a fixed script here, so these screens do
//! not move when the shipped templates' wording does.

use chrono::Duration;
use drconsole::comms::post::{Channel, PostFailure, Posted};
use drconsole::comms::template::Origin;
use drconsole::comms::{Format, MessageContext, TemplateError, TemplateInfo};
use drconsole::config::SlackSettings;
use drconsole::event::CopyWhat;
use drconsole::incident::Record;
use drconsole::tui::comms::{CommsPopup, Templates};

use super::incident::{INGEST, Open, app_timed, ctrl, type_text};
use super::*;

/// Three templates in the markup the shipped ones use, filled from the context.
struct Scripted;

fn info(name: &str, title: &str) -> TemplateInfo {
    TemplateInfo {
        name: name.into(),
        title: title.into(),
        origin: Origin::Shipped,
    }
}

impl Templates for Scripted {
    fn list(&self) -> Vec<TemplateInfo> {
        vec![
            info("initial-declaration", "Initial disaster declaration"),
            info("progress-update", "Recovery progress update"),
            info("completion-notice", "Recovery completion notice"),
        ]
    }

    fn render(
        &self,
        name: &str,
        ctx: &MessageContext,
        format: Format,
    ) -> Result<String, TemplateError> {
        let i = &ctx.incident;
        let markup = match name {
            "initial-declaration" => format!(
                "**DISASTER DECLARED** - {}\nEvent: {}\nImpact: {}\nETA for Resolution: {}\n\
                 Recovery Team Lead: {}\nStatus Updates: Every {}\nNext Update: {}\n\
                 Next Milestone: [[next milestone]]",
                i.id, i.event, ctx.impact, ctx.eta, i.commander, ctx.update_every, ctx.next_update
            ),
            "progress-update" => {
                let changes: Vec<String> = ctx.changes.iter().map(|c| format!("- {c}")).collect();
                format!(
                    "**DR UPDATE - {} - {}**\nStatus: {}\nChanges since last update:\n{}\n\
                     Estimated Full Recovery: {}",
                    ctx.now,
                    i.id,
                    i.status,
                    changes.join("\n"),
                    ctx.eta
                )
            }
            "completion-notice" => format!(
                "**DISASTER RECOVERY COMPLETE** - {}\nServices Verified: {}",
                i.id,
                ctx.restored.join(", ")
            ),
            _ => unreachable!("{name}"),
        };
        Ok(match format {
            Format::Text => markup.replace("**", ""),
            Format::Slack => markup.replace("**", "*"),
        })
    }
}

/// An open incident whose impact began 10 minutes before its declaration at `t0()`, with
/// the scripted templates loaded.
async fn comms_app() -> (App, Open) {
    let (mut app, open) = app_timed(&[INGEST], Duration::minutes(10)).await;
    app.set_templates(Box::new(Scripted), None);
    (app, open)
}

fn tick(app: &mut App, after: Duration) -> Vec<Effect> {
    app.update(Event::Tick(t0() + after))
}

fn draft_text(app: &App) -> String {
    app.comms.draft.as_ref().expect("a draft").text()
}

fn give(app: &mut App, open: &mut Open, record: Record, at: DateTime<Utc>) {
    let entry = open.append(record, at);
    app.update(Event::JournalEntries {
        dir: open.dir.clone(),
        entries: vec![entry],
    });
}

fn copy_report() -> drconsole::comms::clipboard::CopyReport {
    use drconsole::comms::clipboard::{CopyReport, Native, Osc52Route};
    CopyReport {
        osc52: Osc52Route::Direct,
        native: Native::Absent,
    }
}

/// The estate with a Slack webhook configured.
fn with_slack(app: &mut App) {
    let mut estate = (*app.estate).clone();
    estate.comms.slack = Some(SlackSettings {
        webhook_env: toml::Spanned::new(0..0, "DRCONSOLE_SLACK_WEBHOOK".into()),
        channel: Some("#incidents".into()),
    });
    app.estate = Arc::new(estate);
}

#[tokio::test]
async fn m_without_an_incident_says_to_declare_first() {
    let mut app = app_with(&[]).await;
    app.set_templates(Box::new(Scripted), None);
    press(&mut app, &[KeyCode::Char('m')]);
    assert_eq!(app.view, View::Dashboard);
    let flash = app.flash.as_ref().unwrap().text.clone();
    assert_eq!(flash, "no incident is open: declare one first (D)");
}

#[tokio::test]
async fn the_comms_view_shows_the_suggested_draft_with_its_placeholders() {
    let (mut app, _open) = comms_app().await;
    tick(&mut app, Duration::minutes(2));
    press(&mut app, &[KeyCode::Char('m')]);
    assert_eq!(app.view, View::Comms);
    let draft = app.comms.draft.as_ref().unwrap();
    assert_eq!(
        draft.template, "initial-declaration",
        "before any message went out, the plan's declaration"
    );
    assert!(
        draft.text().contains("ETA for Resolution: [[ETA]]"),
        "{}",
        draft.text()
    );
    let small = screen(&app, 80, 24);
    assert!(small.contains("2 placeholders left"), "{small}");
    named!("comms_view_80x24", small);
    named!("comms_view_160x48", screen(&app, 160, 48));
}

#[tokio::test]
async fn placeholders_stand_out_in_the_warning_style() {
    let (mut app, _open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m')]);
    let theme = Theme::builtin("default").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|frame| ui::render(&app, &theme, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let warn = theme.style(drconsole::tui::theme::Slot::Warn);
    let text = terminal.backend().to_string();
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("[[ETA]]"))
        .unwrap();
    let col = line[..line.find("[[ETA]]").unwrap()].chars().count();
    let cell = &buffer[(col as u16, row as u16)];
    assert_eq!(cell.fg, warn.fg.unwrap_or(cell.fg), "{line}");
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::REVERSED),
        "a placeholder shows without colour too"
    );
}

#[tokio::test]
async fn the_draft_editor_while_editing_80x24() {
    let (mut app, _open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('e')]);
    assert!(app.comms.draft.as_ref().unwrap().editing);
    // While editing, every key types: `y` and `q` are letters, not copy and quit.
    let effects = type_text(&mut app, "Call Dana; yq");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        draft_text(&app).starts_with("Call Dana; yq"),
        "{}",
        draft_text(&app)
    );
    assert_eq!(app.view, View::Comms);
    named!("comms_editing_80x24", screen(&app, 80, 24));
    press(&mut app, &[KeyCode::Esc]);
    assert!(!app.comms.draft.as_ref().unwrap().editing);
    assert_eq!(
        app.view,
        View::Comms,
        "esc stops editing, it does not leave"
    );
}

#[tokio::test]
async fn copy_with_placeholders_left_asks_first_and_lists_them() {
    let (mut app, _open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m')]);
    assert!(press(&mut app, &[KeyCode::Char('y')]).is_empty());
    assert!(matches!(
        app.comms.popup,
        Some(CommsPopup::Placeholders { .. })
    ));
    let small = screen(&app, 80, 24);
    assert!(small.contains("[[ETA]] line 4"), "{small}");
    named!("comms_placeholder_warning_80x24", small);
    // Anything but y goes back, copying nothing.
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.comms.popup.is_none());
    let effects = press(&mut app, &[KeyCode::Char('y'), KeyCode::Char('y')]);
    let text = draft_text(&app);
    assert!(matches!(
        effects.as_slice(),
        [Effect::Copy { text: copied, what: CopyWhat::Message { template, .. }, .. }]
            if *copied == text && template == "initial-declaration"
    ));
}

#[tokio::test]
async fn a_copy_carries_the_exact_text_in_the_chosen_format_and_is_journalled() {
    let (mut app, _open) = comms_app().await;
    // The completion notice has no placeholders: it copies at once.
    press(
        &mut app,
        &[KeyCode::Char('m'), KeyCode::Char('G'), KeyCode::Char('F')],
    );
    let expected = format!("*DISASTER RECOVERY COMPLETE* - {}\nServices Verified: ", {
        app.incident.as_ref().unwrap().id.clone()
    });
    assert_eq!(
        draft_text(&app),
        expected,
        "F re-renders an untouched draft"
    );
    assert!(screen(&app, 100, 30).contains("copies as Slack mrkdwn"));
    let effects = press(&mut app, &[KeyCode::Char('y')]);
    let [Effect::Copy { id, text, what }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(text, &expected);
    assert_eq!(
        what,
        &CopyWhat::Message {
            template: "completion-notice".into(),
            format: Format::Slack,
            text: expected.clone(),
        }
    );
    let effects = app.update(Event::Copied {
        id: *id,
        what: what.clone(),
        report: copy_report(),
    });
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        **record,
        Record::MessageCopied {
            template: "completion-notice".into(),
            text: expected,
            via: copy_report().via(),
        }
    );
}

/// tmux dropped the sequence and there is no native clipboard: nothing was copied, so
/// nothing is journalled as sent and the update stays due; the flash says how to fix it.
#[tokio::test]
async fn a_copy_that_reached_no_clipboard_is_not_a_message_sent() {
    use drconsole::comms::clipboard::{CopyReport, Native, Osc52Route};
    let (mut app, _open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m')]);
    let effects = press(&mut app, &[KeyCode::Char('y'), KeyCode::Char('y')]);
    let Some(Effect::Copy { id, what, .. }) = effects.last() else {
        panic!("{effects:?}");
    };
    let report = CopyReport {
        osc52: Osc52Route::TmuxDrops {
            fix: "tmux set -g set-clipboard on".into(),
        },
        native: Native::Absent,
    };
    let effects = app.update(Event::Copied {
        id: *id,
        what: what.clone(),
        report,
    });
    assert_eq!(effects, []);
    let flash = &app.flash.as_ref().unwrap().text;
    assert!(flash.contains("tmux set -g set-clipboard on"), "{flash}");
}

#[tokio::test]
async fn edits_survive_an_incoming_entry_and_r_refreshes() {
    let (mut app, mut open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('e')]);
    type_text(&mut app, "Dana's words. ");
    press(&mut app, &[KeyCode::Esc]);
    let edited = draft_text(&app);
    let note = Record::Note {
        text: "replica lag 40s".into(),
        author: None,
    };
    give(&mut app, &mut open, note, t0() + Duration::minutes(3));
    assert_eq!(
        draft_text(&app),
        edited,
        "an edited draft is never overwritten"
    );
    let small = screen(&app, 80, 24);
    assert!(
        small.contains("incident changed since this draft"),
        "{small}"
    );
    named!("comms_refresh_offer_80x24", small);
    // Typing on ignores the offer; r takes it.
    press(&mut app, &[KeyCode::Char('r')]);
    let text = draft_text(&app);
    assert!(!text.contains("Dana's words."), "{text}");
    assert!(app.comms.draft.as_ref().unwrap().stale.is_none());
}

#[tokio::test]
async fn an_untouched_draft_follows_the_incident() {
    let (mut app, mut open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('j')]);
    assert_eq!(
        app.comms.draft.as_ref().unwrap().template,
        "progress-update"
    );
    let note = Record::Note {
        text: "replica lag 40s".into(),
        author: None,
    };
    give(&mut app, &mut open, note, t0() + Duration::minutes(3));
    let text = draft_text(&app);
    assert!(text.contains("replica lag 40s"), "{text}");
    assert!(app.comms.draft.as_ref().unwrap().stale.is_none());
}

/// Out of sight an untouched draft is not rendered on every entry (a run appends many);
/// opening the view again brings it up to date, its template kept.
#[tokio::test]
async fn an_untouched_draft_out_of_sight_catches_up_when_the_view_opens() {
    let (mut app, mut open) = comms_app().await;
    press(
        &mut app,
        &[KeyCode::Char('m'), KeyCode::Char('j'), KeyCode::Esc],
    );
    assert_eq!(app.view, View::Dashboard);
    let note = Record::Note {
        text: "replica lag 40s".into(),
        author: None,
    };
    give(&mut app, &mut open, note, t0() + Duration::minutes(3));
    assert!(
        !draft_text(&app).contains("replica lag 40s"),
        "not while out of sight"
    );
    press(&mut app, &[KeyCode::Char('m')]);
    let draft = app.comms.draft.as_ref().unwrap();
    assert_eq!(draft.template, "progress-update");
    assert!(draft_text(&app).contains("replica lag 40s"));
}

#[tokio::test]
async fn a_draft_of_another_incident_is_not_kept_for_this_one() {
    let (mut app, mut open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('e')]);
    type_text(&mut app, "about the last incident ");
    press(&mut app, &[KeyCode::Esc]);
    // As if the draft had been written for an incident since resolved and replaced.
    app.comms.draft.as_mut().unwrap().incident = "SIM-20261123-0100".into();
    let note = Record::Note {
        text: "replica lag 40s".into(),
        author: None,
    };
    give(&mut app, &mut open, note, t0() + Duration::minutes(3));
    let draft = app.comms.draft.as_ref().unwrap();
    assert_eq!(draft.incident, open.incident.id);
    assert!(
        !draft.text().contains("about the last incident"),
        "{}",
        draft.text()
    );
}

#[tokio::test]
async fn the_eta_popup_appends_eta_set_and_refuses_what_it_cannot_read() {
    let (mut app, mut open) = comms_app().await;
    tick(&mut app, Duration::minutes(5));
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('E')]);
    type_text(&mut app, "soon");
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    let Some(CommsPopup::Eta { error: Some(e), .. }) = &app.comms.popup else {
        panic!("{:?}", app.comms.popup);
    };
    assert!(e.contains("expected 14:30"), "{e}");
    press(&mut app, &[KeyCode::Backspace; 4]);
    type_text(&mut app, "+2h");
    let effects = press(&mut app, &[KeyCode::Enter]);
    let eta = Some(t0() + Duration::minutes(125));
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(**record, Record::EtaSet { eta });
    assert!(app.comms.popup.is_none());
    // Once journalled, the untouched draft says it.
    give(
        &mut app,
        &mut open,
        Record::EtaSet { eta },
        t0() + Duration::minutes(5),
    );
    assert!(draft_text(&app).contains("ETA for Resolution: 05:05 UTC"));
}

#[tokio::test]
async fn a_post_failure_keeps_the_draft_and_journals_the_failure() {
    let (mut app, _open) = comms_app().await;
    with_slack(&mut app);
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('G')]);
    let text = draft_text(&app);
    let effects = press(&mut app, &[KeyCode::Char('P')]);
    let [
        Effect::Post {
            id,
            channel,
            request,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(*channel, Channel::Slack);
    assert_eq!(request.template, "completion-notice");
    assert!(text.starts_with("DISASTER RECOVERY COMPLETE"), "{text}");
    // An untouched draft goes out as Slack takes it, and a simulation's says so first.
    assert!(
        request
            .text
            .starts_with("SIMULATION - NOT A REAL INCIDENT\n\n*DISASTER RECOVERY COMPLETE*"),
        "{}",
        request.text
    );
    tick(&mut app, Duration::seconds(4));
    assert!(screen(&app, 100, 30).contains("posting to slack… 4s"));
    let failure = PostFailure {
        channel: Channel::Slack,
        label: "#incidents".into(),
        error: "HTTP 500".into(),
        attempts: 3,
    };
    let effects = app.update(Event::Posted {
        id: *id,
        result: Err(failure),
    });
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        **record,
        Record::MessagePostFailed {
            template: "completion-notice".into(),
            channel: "#incidents".into(),
            error: "HTTP 500".into(),
            attempts: 3,
        }
    );
    assert_eq!(draft_text(&app), text, "the draft is kept");
    assert!(app.comms.posting.is_none());
    let flash = app.flash.as_ref().unwrap();
    assert_eq!(flash.level, drconsole::tui::theme::FlashLevel::Error);
    assert!(flash.text.contains("HTTP 500"), "{}", flash.text);
}

#[tokio::test]
async fn a_post_that_went_out_is_journalled_with_its_external_id() {
    let (mut app, _open) = comms_app().await;
    with_slack(&mut app);
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('G')]);
    let effects = press(&mut app, &[KeyCode::Char('P')]);
    let [Effect::Post { id, request, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let posted = Posted {
        channel: Channel::Slack,
        label: "#incidents".into(),
        external_id: Some("ts-1".into()),
        attempts: 1,
    };
    let effects = app.update(Event::Posted {
        id: *id,
        result: Ok(posted),
    });
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        **record,
        Record::MessagePosted {
            template: "completion-notice".into(),
            channel: "#incidents".into(),
            text: request.text.clone(),
            external_id: Some("ts-1".into()),
        }
    );
}

#[tokio::test]
async fn post_without_a_channel_says_how_to_configure_one() {
    let (mut app, _open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m')]);
    assert!(press(&mut app, &[KeyCode::Char('P')]).is_empty());
    let flash = &app.flash.as_ref().unwrap().text;
    assert!(flash.contains("[comms.slack] webhook_env"), "{flash}");
}

#[tokio::test]
async fn leaving_unsent_edits_asks_and_journals_the_draft() {
    let (mut app, _open) = comms_app().await;
    press(&mut app, &[KeyCode::Char('m'), KeyCode::Char('e')]);
    type_text(&mut app, "x");
    press(&mut app, &[KeyCode::Esc, KeyCode::Esc]);
    assert!(matches!(app.comms.popup, Some(CommsPopup::Leave)));
    assert_eq!(app.view, View::Comms);
    let effects = press(&mut app, &[KeyCode::Char('y')]);
    let [Effect::Append { record, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let text = draft_text(&app);
    assert_eq!(
        **record,
        Record::MessageDrafted {
            template: "initial-declaration".into(),
            text
        }
    );
    assert_eq!(app.view, View::Dashboard);
    // The draft is still there on the way back.
    press(&mut app, &[KeyCode::Char('m')]);
    assert!(draft_text(&app).starts_with('x'));
    // A first ctrl-c over it warns rather than quits.
    app.update(ctrl('c'));
    assert!(!app.should_quit);
}

#[tokio::test]
async fn the_bell_rings_once_per_overdue_period() {
    let (mut app, mut open) = comms_app().await;
    let bells = |effects: Vec<Effect>| effects.iter().filter(|e| **e == Effect::Bell).count();
    assert_eq!(bells(tick(&mut app, Duration::minutes(29))), 0);
    assert_eq!(bells(tick(&mut app, Duration::minutes(31))), 1);
    assert_eq!(bells(tick(&mut app, Duration::minutes(32))), 0, "once");
    let copied = Record::MessageCopied {
        template: "progress-update".into(),
        text: "DR UPDATE".into(),
        via: "osc52".into(),
    };
    give(&mut app, &mut open, copied, t0() + Duration::minutes(33));
    assert_eq!(bells(tick(&mut app, Duration::minutes(40))), 0);
    assert_eq!(
        bells(tick(&mut app, Duration::minutes(64))),
        1,
        "a new period rings again"
    );
}

/// The style the header draws `text` in, at 160 columns.
fn header_style(app: &App, text: &str) -> ratatui::style::Style {
    let theme = Theme::builtin("default").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(160, 24)).unwrap();
    terminal
        .draw(|frame| ui::render(app, &theme, frame))
        .unwrap();
    let screen = terminal.backend().to_string();
    let line = screen.lines().next().unwrap();
    let col = line[..line.find(text).expect(text)].chars().count() - 1;
    terminal.backend().buffer()[(col as u16, 0)].style()
}

fn slot(name: drconsole::tui::theme::Slot) -> ratatui::style::Style {
    Theme::builtin("default").unwrap().style(name)
}

fn header(app: &App) -> String {
    let first = |w| screen(app, w, 24).lines().next().unwrap().to_owned();
    format!("{}\n{}", first(80), first(160))
}

#[tokio::test]
async fn the_header_countdown_at_20_minutes() {
    let (mut app, _open) = comms_app().await;
    tick(&mut app, Duration::minutes(10));
    let header = header(&app);
    assert!(header.contains("next update 03:30 UTC in 20m"), "{header}");
    let style = header_style(&app, "next update");
    assert_ne!(style.fg, slot(drconsole::tui::theme::Slot::Warn).fg);
    assert_ne!(style.fg, slot(drconsole::tui::theme::Slot::Critical).fg);
    named!("comms_countdown_20m", header);
}

#[tokio::test]
async fn the_header_countdown_at_3_minutes() {
    let (mut app, _open) = comms_app().await;
    tick(&mut app, Duration::minutes(27));
    let header = header(&app);
    assert!(header.contains("update due in 3m"), "{header}");
    let warn = slot(drconsole::tui::theme::Slot::Warn);
    assert_eq!(header_style(&app, "update due").fg, warn.fg);
    named!("comms_countdown_3m", header);
}

#[tokio::test]
async fn the_header_countdown_overdue() {
    let (mut app, _open) = comms_app().await;
    tick(&mut app, Duration::minutes(34));
    let header = header(&app);
    assert!(header.contains("update OVERDUE by 4m"), "{header}");
    let critical = slot(drconsole::tui::theme::Slot::Critical);
    let style = header_style(&app, "update OVERDUE");
    assert_eq!(style.fg, critical.fg);
    assert!(
        style
            .add_modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    named!("comms_countdown_overdue", header);
}
