//! The console's side of communications: the comms view's state (template picker, draft
//! editor, its popups, a post under way), its keys, what a copy or post did, and the bell
//! when an update falls overdue. The draft's text is exactly what a copy or post sends.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::app::{App, Panel, View};
use super::incident::{line_input, text_of, type_into};
use super::keymap::Action;
use super::repair::READ_ONLY;
use super::theme::FlashLevel;
use crate::comms::context::Sources;
use crate::comms::post::Channel;
use crate::comms::{
    Cadence, CadenceLevel, Format, Library, MessageContext, Placeholder, TemplateError,
    TemplateInfo, placeholders,
};
use crate::event::Effect;
use crate::incident::Record;

#[path = "comms_eta.rs"]
mod eta;

#[path = "comms_send.rs"]
mod send;

pub use eta::parse_eta;

/// The comms view's keys; the help lists them there only.
pub const DRAFT_KEYS: [Action; 6] = [
    Action::EditDraft,
    Action::Copy,
    Action::Post,
    Action::WriteDraft,
    Action::Format,
    Action::SetEta,
];

/// Where drafts come from: the template library, or in tests a fixed set whose wording does
/// not move when the shipped templates do.
pub trait Templates: Send + Sync {
    fn list(&self) -> Vec<TemplateInfo>;
    fn render(
        &self,
        name: &str,
        ctx: &MessageContext,
        format: Format,
    ) -> Result<String, TemplateError>;
}

impl Templates for Library {
    fn list(&self) -> Vec<TemplateInfo> {
        Library::list(self).to_vec()
    }

    fn render(
        &self,
        name: &str,
        ctx: &MessageContext,
        format: Format,
    ) -> Result<String, TemplateError> {
        Library::render(self, name, ctx, format)
    }
}

/// The library the console starts with: the user's templates over the shipped ones, or, when
/// a user file does not load, the shipped ones alone and the error (file:line:column).
pub fn console_library() -> (Box<dyn Templates>, Option<String>) {
    let user = crate::comms::template::user_dir();
    match Library::load(user.as_deref()) {
        Ok(library) => (Box::new(library), None),
        Err(e) => match Library::load(None) {
            Ok(shipped) => (Box::new(shipped), Some(e.to_string())),
            Err(shipped) => (Box::new(NoTemplates), Some(format!("{e}; {shipped}"))),
        },
    }
}

struct NoTemplates;

impl Templates for NoTemplates {
    fn list(&self) -> Vec<TemplateInfo> {
        Vec::new()
    }

    fn render(&self, name: &str, _: &MessageContext, _: Format) -> Result<String, TemplateError> {
        Err(TemplateError {
            path: name.to_owned(),
            line: 0,
            column: 0,
            message: "no templates loaded".to_owned(),
        })
    }
}

/// Everything the comms view holds.
pub struct CommsState {
    templates: Box<dyn Templates>,
    /// The templates as listed when loaded.
    pub listed: Vec<TemplateInfo>,
    /// A user template that did not load: file:line:column and why.
    pub load_error: Option<String>,
    /// Index into `listed`.
    pub selected: usize,
    /// The format the next draft is rendered in.
    pub format: Format,
    pub draft: Option<DraftView>,
    pub popup: Option<CommsPopup>,
    pub posting: Option<Posting>,
    /// The due time of the overdue period the bell has rung for.
    rung_for: Option<DateTime<Utc>>,
    next_id: u64,
}

impl Default for CommsState {
    fn default() -> Self {
        CommsState {
            templates: Box::new(NoTemplates),
            listed: Vec::new(),
            load_error: None,
            selected: 0,
            format: Format::Text,
            draft: None,
            popup: None,
            posting: None,
            rung_for: None,
            next_id: 0,
        }
    }
}

impl std::fmt::Debug for CommsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommsState")
            .field("listed", &self.listed)
            .field("selected", &self.selected)
            .field("draft", &self.draft)
            .field("popup", &self.popup)
            .finish_non_exhaustive()
    }
}

impl CommsState {
    pub fn template(&self) -> Option<&TemplateInfo> {
        self.listed.get(self.selected)
    }
}

/// The draft on screen.
#[derive(Debug)]
pub struct DraftView {
    /// The incident it was drafted for.
    pub incident: String,
    pub template: String,
    pub format: Format,
    /// What the template gave, so an edited draft is told from an untouched one.
    pub rendered: String,
    pub editor: TextArea<'static>,
    pub editing: bool,
    /// First line shown while not editing.
    pub scroll: u16,
    /// Why a refresh is offered instead of done: the incident (or the template or format
    /// chosen) changed under edits.
    pub stale: Option<String>,
    /// The last journal entry the draft was rendered with.
    seq: u64,
    /// The text last copied or posted, to tell a sent draft from an unsent one.
    sent: Option<String>,
}

impl DraftView {
    pub fn text(&self) -> String {
        text_of(&self.editor)
    }

    pub fn edited(&self) -> bool {
        self.text() != self.rendered
    }

    pub fn placeholders(&self) -> Vec<Placeholder> {
        placeholders(&self.text())
    }

    /// Edited and neither copied nor posted as it stands.
    fn unsent_edits(&self) -> bool {
        self.edited() && self.sent.as_deref() != Some(self.text().as_str())
    }
}

/// What happens once placeholders are acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Copy,
    Post(Channel),
}

#[derive(Debug)]
pub enum CommsPopup {
    /// Placeholders left in the draft: `y` goes on anyway, anything else goes back.
    Placeholders { found: Vec<Placeholder>, then: Then },
    /// The ETA as typed, and why the last try did not parse.
    Eta {
        field: Box<TextArea<'static>>,
        error: Option<String>,
    },
    /// Leaving the view with edits nobody sent.
    Leave,
    /// Two channels configured: which one.
    Channel { selected: usize },
}

/// A post under way: what it sends, for the journal when the answer comes.
#[derive(Debug, Clone)]
pub struct Posting {
    pub id: u64,
    pub channel: Channel,
    pub template: String,
    pub text: String,
    pub since: DateTime<Utc>,
}

const STALE_INCIDENT: &str =
    "incident changed since this draft — r refreshes (your edits are lost), keep editing to ignore";

impl App {
    /// The templates the comms view offers; a user file that did not load is said at once.
    pub fn set_templates(&mut self, templates: Box<dyn Templates>, error: Option<String>) {
        self.comms.listed = templates.list();
        self.comms.templates = templates;
        self.comms.selected = 0;
        if let Some(e) = &error {
            self.flash(FlashLevel::Error, format!("template not loaded: {e}"));
        }
        self.comms.load_error = error;
    }

    /// The message context as the incident, its journal and the estate give it now.
    pub fn message_context(&self) -> Option<MessageContext> {
        let incident = self.incident.as_deref()?;
        let run = self.runbooks.run.as_ref().map(|r| &r.view);
        let src = Sources::new(incident, &self.journal, &self.estate, self.now).with_run(run);
        Some(MessageContext::build(&src))
    }

    /// The template the plan calls for now: the declaration before any message went out,
    /// the completion notice once resolved, else the progress update.
    pub fn suggested_template(&self) -> Option<String> {
        let incident = self.incident.as_deref()?;
        let comms = &self.estate.comms;
        let name = if !incident.is_open() {
            &comms.completion
        } else if incident.messages.is_empty() {
            &comms.declaration
        } else {
            &comms.update
        };
        Some(name.get_ref().clone())
    }

    /// The countdown to the next update while the incident is open.
    pub fn cadence(&self) -> Option<Cadence> {
        let incident = self.incident.as_deref()?;
        Cadence::of(incident, self.estate.comms.update_every.into(), self.now)
    }

    /// Once per overdue period: a new message starts a new period, which may ring again.
    pub(super) fn cadence_bell(&mut self) -> Option<Effect> {
        let cadence = self.cadence()?;
        if cadence.level != CadenceLevel::Overdue || self.comms.rung_for == Some(cadence.due) {
            return None;
        }
        self.comms.rung_for = Some(cadence.due);
        Some(Effect::Bell)
    }

    fn open_comms(&mut self) {
        if self.incident.is_none() {
            let declare = self.keymap.label(Action::Declare);
            return self.flash(
                FlashLevel::Info,
                format!("no incident is open: declare one first ({declare})"),
            );
        }
        if let Some(e) = self.comms.load_error.clone() {
            self.flash(FlashLevel::Error, format!("template not loaded: {e}"));
        }
        self.view = View::Comms;
        if self.comms.draft.is_none() {
            if let Some(name) = self.suggested_template()
                && let Some(i) = self.comms.listed.iter().position(|t| t.name == name)
            {
                self.comms.selected = i;
            }
            self.render_draft();
        } else if let Some(draft) = &self.comms.draft
            && !draft.edited()
            && self.journal.iter().any(|e| e.seq > draft.seq)
        {
            // Brought up to date here rather than on every entry while out of sight.
            self.render_draft();
        }
    }

    /// The selected template rendered anew in the chosen format; edits are lost.
    fn render_draft(&mut self) {
        let Some(info) = self.comms.template().cloned() else {
            self.comms.draft = None;
            return;
        };
        let Some(ctx) = self.message_context() else {
            return;
        };
        let format = self.comms.format;
        let text = match self.comms.templates.render(&info.name, &ctx, format) {
            Ok(text) => text,
            Err(e) => {
                self.flash(FlashLevel::Error, format!("template: {e}"));
                return;
            }
        };
        let seq = self.journal.last().map_or(0, |e| e.seq);
        let (editing, cursor) = match &self.comms.draft {
            Some(d) if d.template == info.name => {
                let at = d.editor.cursor();
                (d.editing, (at.0, at.1))
            }
            _ => (false, (0, 0)),
        };
        let sent = self.comms.draft.as_ref().and_then(|d| d.sent.clone());
        let mut editor = TextArea::new(text.lines().map(str::to_owned).collect());
        editor.set_wrap_mode(WrapMode::WordOrGlyph);
        editor.move_cursor(CursorMove::Jump(cursor.0 as u16, cursor.1 as u16));
        self.comms.draft = Some(DraftView {
            incident: ctx.incident.id.clone(),
            template: info.name,
            format,
            rendered: text_of(&editor),
            editor,
            editing,
            scroll: 0,
            stale: None,
            seq,
            sent,
        });
    }

    /// After new journal entries: an untouched draft follows the incident; an edited one
    /// is offered a refresh when something other than a message happened.
    pub(super) fn comms_after_entries(&mut self) {
        let Some(draft) = &self.comms.draft else {
            return;
        };
        // Another incident now: a draft of the last one says nothing about it.
        if self
            .incident
            .as_ref()
            .is_some_and(|i| i.id != draft.incident)
        {
            self.comms.draft = None;
            if self.view == View::Comms {
                self.render_draft();
            }
            return;
        }
        let mut newer = self.journal.iter().filter(|e| e.seq > draft.seq);
        if !draft.edited() {
            // Out of sight it waits for the view to open: a context is a whole journal's
            // read, and a run under way appends many entries a second.
            if self.view == View::Comms && newer.count() > 0 {
                self.render_draft();
            }
            return;
        }
        if newer.any(|e| !e.kind.starts_with("message_"))
            && let Some(draft) = &mut self.comms.draft
        {
            draft.stale = Some(STALE_INCIDENT.to_owned());
        }
    }

    /// Keys while the comms view is up; `None` to let the key go on to the keymap.
    pub(super) fn on_comms_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        if self.view != View::Comms {
            return None;
        }
        if let Some(popup) = self.comms.popup.take() {
            return Some(self.on_comms_popup_key(popup, key));
        }
        let draft = self.comms.draft.as_mut()?;
        if !draft.editing {
            return None;
        }
        if key.code == KeyCode::Esc {
            draft.editing = false;
        } else {
            draft.editor.input(key);
        }
        Some(Vec::new())
    }

    fn on_comms_popup_key(&mut self, popup: CommsPopup, key: KeyEvent) -> Vec<Effect> {
        match popup {
            CommsPopup::Placeholders { then, .. } => {
                if key.code == KeyCode::Char('y') {
                    return match then {
                        Then::Copy => self.copy_draft(),
                        Then::Post(channel) => self.post_draft(channel),
                    };
                }
            }
            CommsPopup::Leave => match key.code {
                KeyCode::Char('y' | 'Y') => return self.leave_comms(),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => {}
                _ => self.comms.popup = Some(CommsPopup::Leave),
            },
            CommsPopup::Channel { selected } => {
                let channels = self.channels();
                match key.code {
                    KeyCode::Up | KeyCode::Char('k') => {
                        let selected = selected.saturating_sub(1);
                        self.comms.popup = Some(CommsPopup::Channel { selected });
                    }
                    KeyCode::Down | KeyCode::Char('j') => {
                        let selected = (selected + 1).min(channels.len().saturating_sub(1));
                        self.comms.popup = Some(CommsPopup::Channel { selected });
                    }
                    KeyCode::Enter => {
                        if let Some((channel, _)) = channels.get(selected) {
                            return self.ask_post(*channel);
                        }
                    }
                    KeyCode::Esc => {}
                    _ => self.comms.popup = Some(CommsPopup::Channel { selected }),
                }
            }
            CommsPopup::Eta { mut field, .. } => match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let typed = text_of(&field);
                    match parse_eta(&typed, self.now) {
                        Ok(eta) => {
                            let words = eta.map_or("withdrawn".to_owned(), |t| {
                                format!("set to {}", t.format("%Y-%m-%d %H:%M UTC"))
                            });
                            self.flash(FlashLevel::Info, format!("ETA {words}"));
                            let (_, effect) = self.append(Record::EtaSet { eta });
                            return vec![effect];
                        }
                        Err(e) => {
                            self.comms.popup = Some(CommsPopup::Eta {
                                field,
                                error: Some(e),
                            })
                        }
                    }
                }
                _ => {
                    type_into(&mut field, key);
                    self.comms.popup = Some(CommsPopup::Eta { field, error: None });
                }
            },
        }
        Vec::new()
    }

    /// The comms view's actions; `None` to let the action go on.
    pub(super) fn on_comms_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if action == Action::Comms {
            if self.view == View::Comms {
                return Some(self.ask_leave());
            }
            self.open_comms();
            return Some(Vec::new());
        }
        if self.view != View::Comms {
            // On the Contacts panel, copy is the selected number's.
            let contacts = self.view == View::Dashboard && self.focus == Panel::Contacts;
            if DRAFT_KEYS.contains(&action) && !(contacts && action == Action::Copy) {
                let text = format!(
                    "{} works in the message view ({})",
                    action.short(),
                    self.keymap.label(Action::Comms)
                );
                self.flash(FlashLevel::Info, text);
                return Some(Vec::new());
            }
            return None;
        }
        let effects = match action {
            Action::Back | Action::Quit => self.ask_leave(),
            Action::Up => self.select_template(-1),
            Action::Down => self.select_template(1),
            Action::Top => self.select_template(i64::MIN / 2),
            Action::Bottom => self.select_template(i64::MAX / 2),
            Action::PageUp | Action::PageDown => {
                if let Some(draft) = &mut self.comms.draft {
                    let last = draft.editor.lines().len().saturating_sub(1) as u16;
                    draft.scroll = if action == Action::PageUp {
                        draft.scroll.saturating_sub(10)
                    } else {
                        (draft.scroll + 10).min(last)
                    };
                }
                Vec::new()
            }
            Action::Open | Action::EditDraft => {
                if let Some(draft) = &mut self.comms.draft {
                    draft.editing = true;
                }
                Vec::new()
            }
            Action::Refresh => {
                self.render_draft();
                Vec::new()
            }
            Action::Format => {
                self.comms.format = match self.comms.format {
                    Format::Text => Format::Slack,
                    Format::Slack => Format::Text,
                };
                self.offer_or_render("the format changed");
                Vec::new()
            }
            Action::Copy => self.ask_copy(),
            Action::Post => self.ask_channel(),
            Action::WriteDraft => self.write_draft(),
            Action::SetEta => {
                if self.read_only {
                    self.flash(FlashLevel::Warn, READ_ONLY);
                } else {
                    let eta = self.incident.as_ref().and_then(|i| i.eta);
                    let text = eta.map(|t| t.format("%H:%M").to_string());
                    let mut field = line_input(text.as_deref().unwrap_or(""));
                    field.set_placeholder_text("14:30 (UTC today), +2h, 2026-03-14 16:00");
                    self.comms.popup = Some(CommsPopup::Eta {
                        field: Box::new(field),
                        error: None,
                    });
                }
                Vec::new()
            }
            // A note or a severity change is a popup over the draft.
            Action::Help | Action::AddNote | Action::ChangeSeverity => return None,
            // Panels and other views' keys do nothing here.
            _ => Vec::new(),
        };
        Some(effects)
    }

    fn select_template(&mut self, delta: i64) -> Vec<Effect> {
        let last = self.comms.listed.len().saturating_sub(1) as i64;
        let next = (self.comms.selected as i64 + delta).clamp(0, last) as usize;
        if next != self.comms.selected {
            self.comms.selected = next;
            self.offer_or_render("another template is chosen");
        }
        Vec::new()
    }

    /// Renders the draft anew unless that would lose edits; then offers it.
    fn offer_or_render(&mut self, why: &str) {
        match &mut self.comms.draft {
            Some(draft) if draft.edited() => {
                draft.stale = Some(format!(
                    "{why} — r renders it (your edits are lost), keep editing to ignore"
                ));
            }
            _ => self.render_draft(),
        }
    }

    fn ask_leave(&mut self) -> Vec<Effect> {
        if self
            .comms
            .draft
            .as_ref()
            .is_some_and(DraftView::unsent_edits)
        {
            self.comms.popup = Some(CommsPopup::Leave);
            return Vec::new();
        }
        self.view = View::Dashboard;
        Vec::new()
    }

    /// Leaves the view; edits nobody sent go to the journal as a draft, and stay here for
    /// the next visit.
    fn leave_comms(&mut self) -> Vec<Effect> {
        self.view = View::Dashboard;
        let Some(draft) = &mut self.comms.draft else {
            return Vec::new();
        };
        draft.editing = false;
        let (template, text) = (draft.template.clone(), draft.text());
        if self.open_incident().is_none() || self.read_only {
            return Vec::new();
        }
        let (_, effect) = self.append(Record::MessageDrafted { template, text });
        vec![effect]
    }

    /// What ctrl-c would throw away: edits nobody sent.
    pub(super) fn comms_unsaved(&self) -> Option<&'static str> {
        let draft = self.comms.draft.as_ref()?;
        draft.unsent_edits().then_some("message draft")
    }

    /// Closing over an edited, unsent draft: it goes to the journal rather than vanish.
    pub(super) fn comms_draft_before_exit(&self) -> Option<Effect> {
        let draft = self.comms.draft.as_ref().filter(|d| d.unsent_edits())?;
        self.open_incident()?;
        Some(Effect::SaveBeforeExit {
            record: Box::new(Record::MessageDrafted {
                template: draft.template.clone(),
                text: draft.text(),
            }),
            account: self.account.clone(),
        })
    }

    /// The comms view's keys for the footer.
    pub(super) fn comms_footer(&self) -> &'static [Action] {
        if self.comms.popup.is_some() || self.comms.draft.as_ref().is_some_and(|d| d.editing) {
            return &[Action::Back];
        }
        &[
            Action::Back,
            Action::EditDraft,
            Action::Copy,
            Action::Post,
            Action::WriteDraft,
            Action::Format,
            Action::SetEta,
            Action::Refresh,
            Action::Help,
        ]
    }
}
