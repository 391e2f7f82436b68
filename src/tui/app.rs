//! The console's state and the one place it changes: `App::update(event) -> effects`.
//! Synchronous and free of I/O, so every screen can be reached in a test by sending events.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use crossterm::event::KeyEvent;

use super::event::{Event, Input};
use super::incident::Popup;
use super::keymap::{Action, Keymap};
use super::repair::Repair;
use super::theme::FlashLevel;
use super::timeline::TimelineState;
use crate::config::Estate;
use crate::event::Effect;
use crate::health::{
    HealthSnapshot, ResourceHealth, ResourceKind, ServiceHealth, Status, service_health,
};
use crate::incident::{Entry, Incident};
use crate::mode::Mode;

/// How long a flash message stays up.
const FLASH_SECS: i64 = 4;

/// The dashboard's panels, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    Services,
    Tables,
    Buckets,
    Functions,
    Dns,
    Alarms,
    Contacts,
}

impl Panel {
    pub const ALL: [Panel; 7] = [
        Panel::Services,
        Panel::Tables,
        Panel::Buckets,
        Panel::Functions,
        Panel::Dns,
        Panel::Alarms,
        Panel::Contacts,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Panel::Services => "Services",
            Panel::Tables => "DynamoDB backups & PITR",
            Panel::Buckets => "S3 replication",
            Panel::Functions => "Lambda backups",
            Panel::Dns => "DNS failover",
            Panel::Alarms => "Alarms",
            Panel::Contacts => "Contacts",
        }
    }

    /// The resources a panel lists; `None` for panels that are not about resources.
    pub fn kinds(self) -> &'static [ResourceKind] {
        match self {
            Panel::Tables => &[ResourceKind::Table],
            // A bucket row shows its replica too; replicas have no rows of their own.
            Panel::Buckets => &[ResourceKind::Bucket],
            Panel::Functions => &[ResourceKind::Function],
            Panel::Dns => &[ResourceKind::Dns],
            Panel::Alarms => &[ResourceKind::Alarm],
            Panel::Services | Panel::Contacts => &[],
        }
    }

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// A resource as the console shows it: the last good reading, and, when the newest refresh
/// failed, since when and why it is stale.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceView {
    pub health: ResourceHealth,
    pub stale: Option<Stale>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stale {
    pub since: DateTime<Utc>,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: FlashLevel,
    pub text: String,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Dashboard,
    /// Every fact of one resource.
    Detail {
        kind: ResourceKind,
        name: String,
    },
    /// One service of the priority matrix: its targets and its resources, worst first.
    Service {
        name: String,
    },
    /// The open incident's journal, every entry, newest last.
    Timeline,
    /// The run's checklist and the selected step's detail.
    Runbook,
    /// The template picker and the message draft.
    Comms,
    /// The backup validation this console started: its lines, then its summary.
    Validate,
}

pub struct App {
    pub estate: Arc<Estate>,
    pub mode: Mode,
    pub keymap: Keymap,
    /// Offset of the local clock shown beside UTC (fixed, so screens are repeatable in tests).
    pub local_offset: FixedOffset,
    pub now: DateTime<Utc>,
    pub account: Option<String>,
    pub resources: Vec<ResourceView>,
    /// The priority matrix, rolled up from `resources` (stale readings included), so the
    /// matrix and the panels always tell the same story.
    pub services: Vec<ServiceHealth>,
    pub snapshot: Option<HealthSnapshot>,
    /// Endpoints that replace AWS's own, as (scope, URL); shown in the header.
    pub endpoints: Vec<(String, String)>,
    /// Since when each unreachable region has been unreachable, in this console's sight.
    pub unreachable_since: BTreeMap<String, DateTime<Utc>>,
    pub refreshing: bool,
    pub view: View,
    pub focus: Panel,
    selected: [usize; Panel::ALL.len()],
    pub help_open: bool,
    pub flash: Option<Flash>,
    pub should_quit: bool,
    /// First line shown in the detail view.
    pub detail_scroll: u16,
    /// How far the detail view can scroll at the size it was last drawn. The renderer sets
    /// it: only it knows the screen size and how many lines the facts take.
    pub detail_max_scroll: std::cell::Cell<u16>,
    /// The incident this console journals to, as replayed from its journal.
    pub incident: Option<Box<Incident>>,
    /// Its entries in journal order, as the follower and appends deliver them.
    pub journal: Vec<Entry>,
    pub popup: Option<Popup>,
    pub timeline: TimelineState,
    /// Ids for appends, so an answer finds the popup that asked.
    pub(super) next_append: u64,
    /// Set by a popup's key handler to close it.
    pub(super) close_popup: bool,
    /// A first ctrl-c over unsaved text (or a quit while a validation runs) arms the second
    /// until then.
    pub(super) quit_armed_until: Option<DateTime<Utc>>,
    /// Incidents offered and turned down: not offered again.
    pub(super) declined: Vec<String>,
    /// When this console last looked for open incidents.
    pub(super) looked_at: DateTime<Utc>,
    /// `--read-only`: the keys that write are hidden and refuse.
    pub read_only: bool,
    /// The action being previewed, run or reported, shown or not.
    pub repair: Option<Repair>,
    /// Ids for previews and runs, so an answer finds the popup that asked.
    pub(super) next_job: u64,
    /// The incident the executor was last asked to record to (`None`: the operations
    /// journal).
    pub(super) recording_to: Option<crate::event::ExecutorIncident>,
    /// Where the executor records, once it is made, or why it could not be.
    pub executor: Option<Result<std::path::PathBuf, String>>,
    /// What each fix done from here left to do, by resource.
    pub(super) after_fixes: BTreeMap<(ResourceKind, String), super::repair::AfterFix>,
    /// The runbooks, their readiness, the run under way and its popups.
    pub runbooks: super::runbook::RunbookState,
    /// The drill this console started, while it lasts and after (its record).
    pub drill: Option<super::drill::DrillScreen>,
    /// The comms view: templates, the draft, a post under way.
    pub comms: super::comms::CommsState,
    /// The backup validation this console started, while it runs and after.
    pub validation: Option<super::validate::ValidateScreen>,
    /// The validation's question, when one is asked.
    pub validate_popup: Option<super::validate::ValidatePopup>,
}

impl App {
    pub fn new(estate: Arc<Estate>, mode: Mode, keymap: Keymap, now: DateTime<Utc>) -> Self {
        Self {
            estate,
            mode,
            keymap,
            local_offset: FixedOffset::east_opt(0).expect("zero offset"),
            now,
            account: None,
            resources: Vec::new(),
            services: Vec::new(),
            snapshot: None,
            endpoints: Vec::new(),
            unreachable_since: BTreeMap::new(),
            refreshing: true,
            view: View::Dashboard,
            focus: Panel::Services,
            selected: [0; Panel::ALL.len()],
            help_open: false,
            flash: None,
            should_quit: false,
            detail_scroll: 0,
            detail_max_scroll: std::cell::Cell::new(0),
            incident: None,
            journal: Vec::new(),
            popup: None,
            timeline: TimelineState::default(),
            next_append: 0,
            close_popup: false,
            quit_armed_until: None,
            declined: Vec::new(),
            looked_at: now,
            read_only: false,
            repair: None,
            next_job: 0,
            recording_to: None,
            executor: None,
            after_fixes: BTreeMap::new(),
            runbooks: Default::default(),
            drill: None,
            comms: Default::default(),
            validation: None,
            validate_popup: None,
        }
    }

    /// What to do once the loop runs.
    pub fn start(&self) -> Vec<Effect> {
        vec![
            Effect::StartPolling,
            Effect::FindOpenIncidents,
            Effect::OpenExecutor { incident: None },
        ]
    }

    pub fn update(&mut self, event: Event) -> Vec<Effect> {
        let mut effects = self.on_event(event);
        // Declared, resumed or resolved: actions record where the console now journals.
        effects.extend(self.executor_change());
        effects
    }

    fn on_event(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Input(Input::Key(key)) => self.on_key(key),
            Event::Input(Input::Resize(..)) => Vec::new(),
            Event::Tick(now) => {
                self.now = now;
                if self.flash.as_ref().is_some_and(|f| f.until <= now) {
                    self.flash = None;
                }
                let mut effects = self.look_for_incidents();
                effects.extend(self.cadence_bell());
                effects
            }
            Event::Shutdown => {
                self.should_quit = true;
                let mut effects = self.draft_before_exit();
                effects.extend(self.comms_draft_before_exit());
                effects
            }
            Event::Snapshot(snapshot) => {
                self.on_snapshot(*snapshot);
                self.readiness_effect().into_iter().collect()
            }
            Event::OpenIncidents(incidents) => {
                self.on_open_incidents(incidents);
                Vec::new()
            }
            Event::Declared(result) => {
                let declared = result.is_ok();
                let effects = self.on_declared(result);
                if declared {
                    self.after_declared();
                }
                effects
            }
            Event::Resumed(result) => self.on_resumed(result),
            Event::Appended { id, result } => {
                self.on_appended(id, result);
                Vec::new()
            }
            Event::JournalEntries { dir, entries } => {
                if self.incident.as_ref().is_some_and(|i| i.dir == dir) {
                    self.on_entries(entries);
                }
                Vec::new()
            }
            Event::JournalError(e) => {
                self.flash(FlashLevel::Error, format!("journal: {e}"));
                Vec::new()
            }
            Event::ExecutorReady(result) => {
                self.executor = Some(result);
                Vec::new()
            }
            Event::ActionPlanned { id, result } => {
                self.on_action_planned(id, result);
                Vec::new()
            }
            Event::ActionProgress { id, progress } => {
                self.on_action_progress(id, progress);
                Vec::new()
            }
            Event::ActionDone { id, result } => self.on_action_done(id, result),
            Event::Copied { what, report, .. } => self.on_copied(what, report),
            Event::Posted { id, result } => self.on_posted(id, result),
            Event::DraftWritten { result, .. } => {
                self.on_draft_written(result);
                Vec::new()
            }
            Event::Readiness(found) => {
                self.on_readiness(found);
                Vec::new()
            }
            Event::RunbookUpdate { view, event } => self.on_runbook_update(*view, event),
            Event::RunbookNotStarted(why) => {
                self.on_drill_not_started(&why);
                self.on_runbook_not_started(why);
                Vec::new()
            }
            Event::DrillStarted {
                id,
                suffix,
                earlier,
            } => {
                self.on_drill_started(id, suffix, earlier);
                Vec::new()
            }
            Event::DrillProgress(progress) => {
                self.on_drill_progress(progress);
                Vec::new()
            }
            Event::DrillFinished(result) => {
                self.on_drill_finished(result);
                Vec::new()
            }
            Event::ValidationProgress(line) => {
                self.on_validation_progress(line);
                Vec::new()
            }
            Event::ValidationFinished(result) => {
                self.on_validation_finished(result);
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.help_open {
            // The popup says "any key closes": every key does, and ctrl-c still quits.
            self.should_quit = is_ctrl_c(&key);
            self.help_open = false;
            return Vec::new();
        }
        // Popups and the search line take every key as text; ctrl-c still quits, but asks
        // once before it throws away text that is not yet in the journal.
        if is_ctrl_c(&key) {
            let unsaved = self.popup.as_ref().and_then(Popup::unsaved).or_else(|| {
                let popup = self.runbooks.popup.as_ref();
                popup.and_then(super::runbook::RunbookPopup::unsaved)
            });
            let unsaved = unsaved.or_else(|| self.comms_unsaved());
            match unsaved {
                Some(what) if self.quit_armed_until.is_none_or(|until| until < self.now) => {
                    self.quit_armed_until = Some(self.now + Duration::seconds(FLASH_SECS));
                    self.flash(
                        FlashLevel::Warn,
                        format!("this {what} is not saved: ctrl-c again to quit without it"),
                    );
                }
                _ if self.validation_holds_quit() => {}
                _ => self.should_quit = true,
            }
            return Vec::new();
        }
        // A second q answers a quit held back by a running validation.
        if self.keymap.action(&key) != Some(Action::Quit) {
            self.quit_armed_until = None;
        }
        if let Some(effects) = self.on_validate_popup_key(key) {
            return effects;
        }
        if let Some(effects) = self.on_repair_key(key) {
            return effects;
        }
        if let Some(effects) = self.on_popup_key(key) {
            self.forget_pending();
            return effects;
        }
        if let Some(effects) = self.on_validate_view_key(key) {
            return effects;
        }
        if let Some(effects) = self.on_runbook_key(key) {
            return effects;
        }
        if let Some(effects) = self.on_comms_key(key) {
            return effects;
        }
        if self.view == View::Timeline && self.on_search_key(key).is_some() {
            return Vec::new();
        }
        let Some(action) = self.keymap.action(&key) else {
            return Vec::new();
        };
        if action == Action::Validate {
            return self.on_validate_action();
        }
        if let Some(effects) = self.on_comms_action(action) {
            return effects;
        }
        if let Some(effects) = self.on_runbook_action(action) {
            return effects;
        }
        if self.on_timeline_action(action) {
            return Vec::new();
        }
        match action {
            Action::Quit => {
                // q leaves a sub-view first; only ctrl-c quits from anywhere.
                if (is_ctrl_c(&key) || self.view == View::Dashboard)
                    && !self.validation_holds_quit()
                {
                    self.should_quit = true;
                } else {
                    self.view = View::Dashboard;
                }
            }
            Action::Back => {
                if self.view != View::Dashboard {
                    self.view = View::Dashboard;
                }
            }
            Action::Help => self.help_open = true,
            Action::Refresh => {
                // The footer says "refreshing…" for exactly as long as the ↻ shows.
                self.refreshing = true;
                return vec![Effect::Refresh];
            }
            Action::NextPanel => self.cycle_focus(1),
            Action::PrevPanel => self.cycle_focus(Panel::ALL.len() - 1),
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-10),
            Action::PageDown => self.move_selection(10),
            Action::Top => self.move_selection(i64::MIN / 2),
            Action::Bottom => self.move_selection(i64::MAX / 2),
            Action::Open => self.open_selected(),
            Action::CountNow => {
                // Counting lists every object: only where the counts are shown, on purpose.
                if self.view == View::Dashboard && self.focus == Panel::Buckets {
                    self.refreshing = true;
                    self.flash(
                        FlashLevel::Info,
                        "counting every bucket's objects; the figures update when done",
                    );
                    return vec![Effect::CountNow];
                }
                self.flash(
                    FlashLevel::Info,
                    "c counts objects from the S3 replication panel (tab to it)",
                );
            }
            Action::Declare
            | Action::Timeline
            | Action::AddNote
            | Action::MarkRestored
            | Action::Resolve
            | Action::ChangeSeverity => return self.on_incident_action(action),
            Action::Fix | Action::Actions | Action::Undo => return self.on_repair_action(action),
            Action::MarkNotified | Action::MarkAcknowledged => {
                return self.on_contact_action(action);
            }
            // Outside the comms view, copy is the Contacts panel's: the selected number.
            Action::Copy => return self.on_contact_action(action),
            // Answered by `on_runbook_action` above.
            Action::Runbooks
            | Action::Validate
            | Action::StepDone
            | Action::StepSkip
            | Action::StepRetry
            | Action::CancelRun => {}
            // Answered by `on_comms_action` above.
            Action::Comms
            | Action::EditDraft
            | Action::Post
            | Action::WriteDraft
            | Action::Format
            | Action::SetEta => {}
            Action::Filter | Action::Search => {
                let timeline = self.keymap.label(Action::Timeline);
                self.flash(
                    FlashLevel::Info,
                    format!("filter and search work in the timeline ({timeline})"),
                );
            }
        }
        Vec::new()
    }

    fn cycle_focus(&mut self, step: usize) {
        if self.view != View::Dashboard {
            return;
        }
        let next = (self.focus.index() + step) % Panel::ALL.len();
        self.focus = Panel::ALL[next];
    }

    fn move_selection(&mut self, delta: i64) {
        if self.view != View::Dashboard {
            let max = i64::from(self.detail_max_scroll.get());
            let from = i64::from(self.detail_scroll).min(max);
            self.detail_scroll = (from + delta).clamp(0, max) as u16;
            return;
        }
        let rows = self.row_count(self.focus);
        if rows == 0 {
            return;
        }
        let current = self.selected[self.focus.index()] as i64;
        self.selected[self.focus.index()] = (current + delta).clamp(0, rows as i64 - 1) as usize;
    }

    fn open_selected(&mut self) {
        if self.view != View::Dashboard {
            return;
        }
        let selected = self.selected(self.focus);
        if self.focus == Panel::Services {
            if let Some(service) = self.estate.services.get(selected) {
                self.view = View::Service {
                    name: service.name.clone(),
                };
                self.detail_scroll = 0;
            }
        } else if let Some(view) = self.panel_resources(self.focus).get(selected) {
            self.view = View::Detail {
                kind: view.health.kind,
                name: view.health.name.clone(),
            };
            self.detail_scroll = 0;
        }
    }

    pub(super) fn flash(&mut self, level: FlashLevel, text: impl Into<String>) {
        self.flash = Some(Flash {
            level,
            text: text.into(),
            until: self.now + Duration::seconds(FLASH_SECS),
        });
    }

    /// Keeps the last good reading of a resource whose refresh failed, marked stale.
    fn on_snapshot(&mut self, snapshot: HealthSnapshot) {
        let previous = std::mem::take(&mut self.resources);
        self.resources = snapshot
            .resources
            .iter()
            .map(|fresh| {
                let failed = fresh
                    .error
                    .as_ref()
                    .filter(|_| fresh.status == Status::Unknown);
                let before = previous
                    .iter()
                    .find(|p| p.health.kind == fresh.kind && p.health.name == fresh.name);
                match (failed, before) {
                    // Stale since the last good reading: that is how old what we show is.
                    (Some(error), Some(before)) if before.health.error.is_none() => ResourceView {
                        health: before.health.clone(),
                        stale: Some(Stale {
                            since: before.health.fetched_at,
                            error: error.clone(),
                        }),
                    },
                    _ => ResourceView {
                        health: fresh.clone(),
                        stale: None,
                    },
                }
            })
            .collect();
        let stale = self.resources.iter().filter(|r| r.stale.is_some()).count();
        if stale > 0 {
            self.flash(
                FlashLevel::Warn,
                format!("{stale} resources could not be refreshed; showing their last reading"),
            );
        }
        let healths: Vec<ResourceHealth> =
            self.resources.iter().map(|v| v.health.clone()).collect();
        self.services = self
            .estate
            .services
            .iter()
            .map(|s| service_health(s, &healths))
            .collect();
        for region in &snapshot.regions {
            if region.is_unreachable() {
                self.unreachable_since
                    .entry(region.region.clone())
                    .or_insert(snapshot.generated_at);
            } else {
                self.unreachable_since.remove(&region.region);
            }
        }
        self.account = snapshot.account.clone().or(self.account.take());
        self.refreshing = false;
        self.snapshot = Some(snapshot);
        for panel in Panel::ALL {
            let rows = self.row_count(panel);
            let i = panel.index();
            self.selected[i] = self.selected[i].min(rows.saturating_sub(1));
        }
    }

    pub fn selected(&self, panel: Panel) -> usize {
        self.selected[panel.index()]
    }

    pub fn row_count(&self, panel: Panel) -> usize {
        match panel {
            Panel::Services => self.estate.services.len(),
            Panel::Contacts => self.estate.contacts.iter().map(|g| g.people.len()).sum(),
            _ => self.panel_resources(panel).len(),
        }
    }

    pub fn panel_resources(&self, panel: Panel) -> Vec<&ResourceView> {
        let kinds = panel.kinds();
        let mut views: Vec<&ResourceView> = self
            .resources
            .iter()
            .filter(|r| kinds.contains(&r.health.kind))
            .collect();
        // An alarm firing is what the commander looks for: worst first (stable by name).
        if panel == Panel::Alarms {
            views.sort_by_key(|v| std::cmp::Reverse(v.health.status));
        }
        views
    }

    /// The resources a service depends on, worst first: what its drill-down lists.
    pub fn service_resources(&self, service: &str) -> Vec<&ResourceView> {
        let mut views: Vec<&ResourceView> = self
            .resources
            .iter()
            .filter(|r| r.health.services.iter().any(|s| s == service))
            .collect();
        views.sort_by_key(|v| std::cmp::Reverse(v.health.status));
        views
    }

    /// The service's row of the matrix.
    pub fn service(&self, name: &str) -> Option<&ServiceHealth> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn resource(&self, kind: ResourceKind, name: &str) -> Option<&ResourceView> {
        self.resources
            .iter()
            .find(|r| r.health.kind == kind && r.health.name == name)
    }

    /// The replica row that belongs with a bucket.
    pub fn replica_of(&self, bucket: &str) -> Option<&ResourceView> {
        self.resources.iter().find(|r| {
            r.health.kind == ResourceKind::Replica
                && matches!(&r.health.facts, crate::health::Facts::Replica(f) if f.source == bucket)
        })
    }

    /// The actions that work in the current view, for the footer.
    pub fn footer_actions(&self) -> Vec<Action> {
        let mut actions = self.view_actions().to_vec();
        if !self.help_open
            && self.popup.is_none()
            && !self.repair_shown()
            && self.runbooks.popup.is_none()
            && self.validate_popup.is_none()
        {
            // Beside the row's details, so a narrow footer cuts other keys first.
            let at = actions
                .iter()
                .position(|a| *a == Action::Open)
                .map(|i| i + 1)
                .or_else(|| actions.iter().position(|a| *a == Action::Help))
                .unwrap_or(actions.len());
            actions.splice(at..at, self.repair_keys());
            if self.view == View::Dashboard
                && self.focus == Panel::Contacts
                && let Some(open) = actions.iter().position(|a| *a == Action::Open)
            {
                // Enter opens nothing here: its place goes to the panel's own keys.
                actions.splice(open..=open, self.contact_keys().iter().copied());
            }
        }
        actions
    }

    fn view_actions(&self) -> &'static [Action] {
        let open = self.incident.as_ref().is_some_and(|i| i.is_open());
        if self.help_open
            || self.popup.is_some()
            || self.repair_shown()
            || self.runbooks.popup.is_some()
            || self.validate_popup.is_some()
        {
            &[Action::Back]
        } else {
            match self.view {
                View::Runbook => self.runbook_footer(),
                View::Comms => self.comms_footer(),
                View::Validate => &[Action::Back, Action::Down, Action::Validate, Action::Help],
                View::Timeline => &[
                    Action::Back,
                    Action::Down,
                    Action::Filter,
                    Action::Search,
                    Action::AddNote,
                    Action::Help,
                ],
                View::Dashboard if open && self.focus == Panel::Services => &[
                    Action::NextPanel,
                    Action::Open,
                    Action::Timeline,
                    Action::Comms,
                    Action::AddNote,
                    Action::MarkRestored,
                    Action::Help,
                    Action::Quit,
                ],
                View::Dashboard if open => &[
                    Action::NextPanel,
                    Action::Open,
                    Action::Timeline,
                    Action::Comms,
                    Action::AddNote,
                    Action::Resolve,
                    Action::Help,
                    Action::Quit,
                ],
                View::Dashboard if self.incident.is_none() && self.focus == Panel::Services => &[
                    Action::NextPanel,
                    Action::Open,
                    Action::Declare,
                    Action::Refresh,
                    Action::Help,
                    Action::Quit,
                ],
                View::Dashboard if self.focus == Panel::Buckets => &[
                    Action::NextPanel,
                    Action::Down,
                    Action::Open,
                    Action::CountNow,
                    Action::Refresh,
                    Action::Help,
                    Action::Quit,
                ],
                View::Dashboard => &[
                    Action::NextPanel,
                    Action::Down,
                    Action::Open,
                    Action::Refresh,
                    Action::Help,
                    Action::Quit,
                ],
                View::Service { .. } if open => &[
                    Action::Back,
                    Action::Down,
                    Action::MarkRestored,
                    Action::AddNote,
                    Action::Help,
                ],
                View::Detail { .. } | View::Service { .. } => {
                    &[Action::Back, Action::Down, Action::Refresh, Action::Help]
                }
            }
        }
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}
