//! Repairs from the console: which actions fit the selected row, and the one popup that takes
//! an action from its preview, through a typed confirmation where it is destructive, to its
//! run and its result. Everything goes out as an effect and comes back as an event; the
//! executor does the rest, so nothing here can skip a guard.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::app::{App, View};
use super::incident::{text_of, type_into};
use super::keymap::Action;
use super::theme::FlashLevel;
use crate::action::{ActionError, Danger, Outcome, Plan, Progress, Status as RunStatus, Undo};
use crate::action::{TargetKind, catalogue};
use crate::cloud::Versioning;
use crate::event::{Effect, ExecutorIncident};
use crate::health::{Facts, ResourceHealth, ResourceKind};
use crate::incident::Entry;
use crate::incident::record::Record;

pub const READ_ONLY: &str = "read-only: writes are off (--read-only)";
pub const NOTHING_TO_FIX: &str = "nothing to fix on this row";

/// One thing the popup can do: an action of the catalogue on a target, or the undo kept in
/// a journal entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Action {
        action: &'static str,
        target: String,
        args: BTreeMap<String, String>,
    },
    Undo {
        seq: u64,
        action: String,
        target: String,
        undo: Undo,
    },
}

impl Job {
    fn action(action: &'static str, target: &str) -> Job {
        Job::Action {
            action,
            target: target.to_owned(),
            args: BTreeMap::new(),
        }
    }

    /// "enable-pitr on flightdata-main", "set-alarm-state state=ALARM on …".
    pub fn label(&self) -> String {
        match self {
            Job::Action {
                action,
                target,
                args,
            } => {
                let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if args.is_empty() {
                    format!("{action} on {target}")
                } else {
                    format!("{action} {} on {target}", args.join(" "))
                }
            }
            Job::Undo {
                seq,
                action,
                target,
                ..
            } => format!("undo entry {seq} ({action} on {target})"),
        }
    }

    pub fn target(&self) -> &str {
        match self {
            Job::Action { target, .. } | Job::Undo { target, .. } => target,
        }
    }

    /// The catalogue's one-line summary, for the chooser.
    pub fn summary(&self) -> String {
        match self {
            Job::Action { action, .. } => catalogue::find(action)
                .map(|a| a.summary().to_owned())
                .unwrap_or_default(),
            Job::Undo { undo, .. } => undo.summary.clone(),
        }
    }
}

/// What a fix that went through left for a person to do, kept for the resource's view.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterFix {
    pub action: String,
    pub at: DateTime<Utc>,
    pub notes: Vec<String>,
}

/// Where the popup is in an action's life.
#[derive(Debug)]
pub enum Stage {
    /// Several fit the row: pick one.
    Choose {
        title: String,
        choices: Vec<Job>,
        selected: usize,
    },
    /// The preview is being read.
    Planning {
        id: u64,
        job: Job,
    },
    /// What would be sent. `plan` is `None` for an undo, whose requests are in the job.
    /// `confirm` is the typed-name field of a destructive action.
    Preview {
        job: Job,
        plan: Option<Box<Plan>>,
        confirm: Option<Box<TextArea<'static>>>,
        wrong: Option<String>,
    },
    Running {
        id: u64,
        job: Job,
        progress: Option<Progress>,
        started: DateTime<Utc>,
    },
    Done {
        job: Job,
        outcome: Box<Outcome>,
    },
    Failed {
        job: Job,
        error: ActionError,
    },
}

/// The repair popup and the action it follows. It outlives being hidden: a run goes on while
/// the commander looks elsewhere, and its result comes back here.
#[derive(Debug)]
pub struct Repair {
    pub stage: Stage,
    pub shown: bool,
}

impl Repair {
    pub fn running(&self) -> Option<(&Job, Option<&Progress>)> {
        match &self.stage {
            Stage::Running { job, progress, .. } => Some((job, progress.as_ref())),
            _ => None,
        }
    }
}

/// The fixes the row's judged facts call for, in the order they matter.
pub fn fixes(health: &ResourceHealth, lambda_every_secs: u64, now: DateTime<Utc>) -> Vec<Job> {
    let name = health.name.as_str();
    let overdue = |at: DateTime<Utc>, every: u64| {
        // The judge's own threshold: a quarter of the interval's grace.
        let age = (now - at).num_seconds().max(0) as u64;
        age > every.saturating_add(every / 4)
    };
    let mut jobs = Vec::new();
    match &health.facts {
        Facts::Table(f) if f.exists != Some(false) => {
            if f.pitr_enabled == Some(false) {
                jobs.push(Job::action("enable-pitr", name));
            }
            let stale = match (&f.newest_backup, f.backup_count) {
                (Some(b), _) => overdue(b.created, f.backup_every_secs),
                (None, Some(_)) => true,
                (None, None) => false,
            };
            if stale && f.newest_backup_pending.is_none() {
                jobs.push(Job::action("backup-table", name));
            }
        }
        Facts::Bucket(f) if f.exists != Some(false) => {
            if matches!(
                f.versioning,
                Some(Versioning::Disabled | Versioning::Suspended)
            ) {
                jobs.push(Job::action("enable-versioning", name));
            }
            if let Some(replica) = &f.replica
                && f.replication_checked
                && !f.unreplicated_on_purpose
            {
                let broken = f.rule_destination.as_deref() != Some(replica.as_str())
                    || f.rule_enabled == Some(false)
                    || f.replica_exists == Some(false)
                    || f.replica_versioning
                        .is_some_and(|v| v != Versioning::Enabled);
                if broken {
                    jobs.push(Job::action("put-replication", name));
                }
            }
        }
        Facts::Function(f) if f.exists != Some(false) && f.backups_checked => {
            let stale = match (&f.backup_location, f.backup_time) {
                (None, _) => true,
                (Some(_), _) if !f.backup_has_code || !f.backup_has_config => true,
                (Some(_), Some(at)) => {
                    overdue(at, lambda_every_secs)
                        || f.last_modified_at.is_some_and(|changed| changed > at)
                }
                (Some(_), None) => false,
            };
            if stale {
                jobs.push(Job::action("backup-function", name));
            }
        }
        _ => {}
    }
    jobs
}

/// The dashboard's panel for a target kind; stacks and commands have none.
fn resource_kind(kind: TargetKind) -> Option<ResourceKind> {
    match kind {
        TargetKind::Table => Some(ResourceKind::Table),
        TargetKind::Bucket => Some(ResourceKind::Bucket),
        TargetKind::Function => Some(ResourceKind::Function),
        TargetKind::Alarm => Some(ResourceKind::Alarm),
        TargetKind::Record => Some(ResourceKind::Dns),
        TargetKind::Stack | TargetKind::Command => None,
    }
}

fn target_kind(kind: ResourceKind) -> Option<TargetKind> {
    match kind {
        ResourceKind::Table => Some(TargetKind::Table),
        ResourceKind::Bucket => Some(TargetKind::Bucket),
        ResourceKind::Function => Some(TargetKind::Function),
        ResourceKind::Alarm => Some(TargetKind::Alarm),
        ResourceKind::Dns => Some(TargetKind::Record),
        ResourceKind::Stack => Some(TargetKind::Stack),
        ResourceKind::Replica => None,
    }
}

impl App {
    /// The resource the cursor is on: the focused panel's row, or the one the detail view
    /// shows.
    pub fn selected_resource(&self) -> Option<&ResourceHealth> {
        match &self.view {
            View::Dashboard => self
                .panel_resources(self.focus)
                .get(self.selected(self.focus))
                .map(|v| &v.health),
            View::Detail { kind, name } => self.resource(*kind, name).map(|v| &v.health),
            View::Service { .. }
            | View::Timeline
            | View::Runbook
            | View::Comms
            | View::Validate => None,
        }
    }

    /// The fixes for the selected row.
    pub fn row_fixes(&self) -> Vec<Job> {
        self.selected_resource().map_or_else(Vec::new, |h| {
            fixes(h, self.estate.lambda.backup_every.as_secs(), self.now)
        })
    }

    /// Every catalogue action that takes the selected row as its target; an action with one
    /// required choice (an alarm's state) once per choice.
    pub fn row_actions(&self) -> Vec<Job> {
        let Some(health) = self.selected_resource() else {
            return Vec::new();
        };
        let Some(kind) = target_kind(health.kind) else {
            return Vec::new();
        };
        let name = health.name.as_str();
        let mut jobs = Vec::new();
        for action in catalogue::all() {
            if action.target_kind() != kind
                || !kind.contains(&self.estate, name)
                || action
                    .default_target(&self.estate)
                    .is_some_and(|t| t != name)
            {
                continue;
            }
            let choice = action.args().iter().find_map(|spec| match spec.kind {
                crate::action::ArgKind::Choice(values) if spec.required => {
                    Some((spec.name, values))
                }
                _ => None,
            });
            match choice {
                Some((arg, values)) => {
                    for value in values {
                        jobs.push(Job::Action {
                            action: action.name(),
                            target: name.to_owned(),
                            args: BTreeMap::from([(arg.to_owned(), (*value).to_owned())]),
                        });
                    }
                }
                None => jobs.push(Job::action(action.name(), name)),
            }
        }
        jobs
    }

    /// The newest action with an undo among the timeline's entries on screen, not yet undone.
    pub fn timeline_undo(&self) -> Option<Job> {
        if self.view != View::Timeline {
            return None;
        }
        let rows = self.timeline_rows();
        let first = self.timeline.first_entry(self.timeline.follow_first.get());
        let last = (first + self.timeline.rows_visible.get().max(1)).min(rows.len());
        rows.get(first..last)?
            .iter()
            .rev()
            .find_map(|e| self.undo_of(e))
    }

    fn undo_of(&self, entry: &Entry) -> Option<Job> {
        let Some(Record::ActionFinished {
            action,
            target,
            undo: Some(undo),
            ..
        }) = entry.record()
        else {
            return None;
        };
        let undo: Undo = serde_json::from_value(undo).ok()?;
        let undone = format!("undo-{}", entry.seq);
        let done = self.journal.iter().any(|e| {
            matches!(e.record(), Some(Record::ActionFinished { action, outcome, .. })
                if action == undone && outcome == crate::incident::record::StepOutcome::Succeeded)
        });
        (!done).then_some(Job::Undo {
            seq: entry.seq,
            action,
            target,
            undo,
        })
    }

    /// Which of the repair keys work here: none read-only, the fix key only on a row with
    /// a fix, the actions key only on a row that is some action's target.
    pub fn repair_keys(&self) -> Vec<Action> {
        if self.read_only {
            return Vec::new();
        }
        let mut keys = Vec::new();
        if !self.row_fixes().is_empty() {
            keys.push(Action::Fix);
        }
        if !self.row_actions().is_empty() {
            keys.push(Action::Actions);
        }
        if self.timeline_undo().is_some() {
            keys.push(Action::Undo);
        }
        keys
    }

    /// The notes of the last fix done to this resource from here.
    pub fn after_fix(&self, kind: ResourceKind, name: &str) -> Option<&AfterFix> {
        self.after_fixes.get(&(kind, name.to_owned()))
    }

    fn remember_after_fix(&mut self, outcome: &Outcome) {
        let Ok(action) = catalogue::find(&outcome.action) else {
            return;
        };
        let Some(kind) = resource_kind(action.target_kind()) else {
            return;
        };
        let key = (kind, outcome.target.clone());
        if outcome.notes.is_empty() {
            self.after_fixes.remove(&key);
            return;
        }
        let notes = outcome.notes.clone();
        self.after_fixes.insert(
            key,
            AfterFix {
                action: outcome.action.clone(),
                at: self.now,
                notes,
            },
        );
    }

    /// Whether a repair popup takes the keys.
    pub fn repair_shown(&self) -> bool {
        self.repair.as_ref().is_some_and(|r| r.shown)
    }

    /// The incident the executor should record to now; an effect when that changed.
    pub(super) fn executor_change(&mut self) -> Option<Effect> {
        let wanted = self.open_incident().map(|i| ExecutorIncident {
            dir: i.dir.clone(),
            id: i.id.clone(),
            account: i.account.clone(),
        });
        if wanted == self.recording_to {
            return None;
        }
        self.recording_to = wanted.clone();
        Some(Effect::OpenExecutor { incident: wanted })
    }

    pub(super) fn on_repair_action(&mut self, action: Action) -> Vec<Effect> {
        if self.read_only {
            self.flash(FlashLevel::Warn, READ_ONLY);
            return Vec::new();
        }
        // One action at a time: the keys bring back the one under way, or its result.
        if let Some(repair) = &mut self.repair {
            repair.shown = true;
            return Vec::new();
        }
        let (choices, title, none) = match action {
            Action::Fix => (self.row_fixes(), "Fix", NOTHING_TO_FIX),
            Action::Actions => (self.row_actions(), "Actions", "no action takes this row"),
            Action::Undo => {
                let none = if self.view == View::Timeline {
                    "no action with an undo on screen"
                } else {
                    "undo works from an action's result, or in the timeline"
                };
                (self.timeline_undo().into_iter().collect(), "Undo", none)
            }
            _ => return Vec::new(),
        };
        match choices.len() {
            0 => {
                self.flash(FlashLevel::Info, none);
                Vec::new()
            }
            1 => self.begin(choices.into_iter().next().expect("one")),
            _ => {
                let target = choices[0].target().to_owned();
                self.repair = Some(Repair {
                    stage: Stage::Choose {
                        title: format!("{title}: {target}"),
                        choices,
                        selected: 0,
                    },
                    shown: true,
                });
                Vec::new()
            }
        }
    }

    fn next_job(&mut self) -> u64 {
        self.next_job += 1;
        self.next_job
    }

    /// An action is previewed first; an undo's requests are already known, so it is shown
    /// at once.
    fn begin(&mut self, job: Job) -> Vec<Effect> {
        match job {
            Job::Action {
                action,
                ref target,
                ref args,
            } => {
                let id = self.next_job();
                let effect = Effect::PlanAction {
                    id,
                    action: action.to_owned(),
                    target: target.clone(),
                    args: args.clone(),
                };
                self.repair = Some(Repair {
                    stage: Stage::Planning { id, job },
                    shown: true,
                });
                vec![effect]
            }
            Job::Undo { .. } => {
                self.repair = Some(Repair {
                    stage: Stage::Preview {
                        job,
                        plan: None,
                        confirm: None,
                        wrong: None,
                    },
                    shown: true,
                });
                Vec::new()
            }
        }
    }

    /// Keys while the repair popup is shown; `None` when it is not.
    pub(super) fn on_repair_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        if !self.repair_shown() {
            return None;
        }
        let mut repair = self.repair.take()?;
        let mut close = false;
        let mut effects = Vec::new();
        let esc = key.code == KeyCode::Esc;
        match &mut repair.stage {
            Stage::Choose {
                choices, selected, ..
            } => match key.code {
                KeyCode::Esc => close = true,
                KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => {
                    *selected = (*selected + 1).min(choices.len().saturating_sub(1));
                }
                KeyCode::Enter => {
                    let job = choices[*selected].clone();
                    return Some(self.begin(job));
                }
                _ => {}
            },
            // The preview is a read: dropping it sends nothing.
            Stage::Planning { .. } if esc => close = true,
            Stage::Planning { .. } => {}
            Stage::Preview {
                job,
                plan,
                confirm,
                wrong,
            } => {
                let noop = plan.as_ref().is_some_and(|p| p.is_noop());
                let mut go = None;
                match (confirm, key.code) {
                    (_, KeyCode::Esc) => close = true,
                    // Already done: the only thing left to do is close.
                    _ if noop => close = key.code == KeyCode::Enter,
                    (Some(field), KeyCode::Enter) => {
                        let typed = text_of(field).trim().to_owned();
                        if typed == job.target() {
                            go = Some(Some(typed));
                        } else {
                            *wrong = Some(format!(
                                "`{typed}` is not `{}`: nothing was sent; type the name exactly",
                                job.target()
                            ));
                        }
                    }
                    // Every other key is text: q, j, ? and digits never act here.
                    (Some(field), _) => {
                        type_into(field, key);
                        *wrong = None;
                    }
                    (None, KeyCode::Enter | KeyCode::Char('y' | 'Y')) => go = Some(None),
                    (None, KeyCode::Char('n' | 'N')) => close = true,
                    _ => {}
                }
                if let Some(confirm) = go {
                    effects = self.run(&mut repair.stage, confirm);
                }
            }
            Stage::Running { job, .. } if esc => {
                repair.shown = false;
                let text = format!(
                    "{} goes on in the background; {} shows it again",
                    job.label(),
                    self.keymap.label(Action::Fix)
                );
                self.flash(FlashLevel::Info, text);
            }
            Stage::Running { .. } => {}
            Stage::Done { outcome, .. } => match key.code {
                KeyCode::Esc | KeyCode::Enter => close = true,
                KeyCode::Char('u') => {
                    if let (Some(undo), Some(seq)) = (&outcome.undo, outcome.seq) {
                        let job = Job::Undo {
                            seq,
                            action: outcome.action.clone(),
                            target: outcome.target.clone(),
                            undo: undo.clone(),
                        };
                        return Some(self.begin(job));
                    }
                }
                _ => {}
            },
            Stage::Failed { job, error } => match key.code {
                KeyCode::Esc | KeyCode::Enter => close = true,
                KeyCode::Char('r') if error.retryable() => {
                    // A retry reads the estate again: what half went through is not resent.
                    let job = job.clone();
                    return Some(self.begin(job));
                }
                _ => {}
            },
        }
        if !close {
            self.repair = Some(repair);
        }
        Some(effects)
    }

    /// From the preview to the run; the stage becomes `Running`.
    fn run(&mut self, stage: &mut Stage, confirm: Option<String>) -> Vec<Effect> {
        let Stage::Preview { job, plan, .. } = stage else {
            return Vec::new();
        };
        let id = self.next_job();
        let effect = match (&*job, plan.take()) {
            (Job::Action { action, target, .. }, Some(plan)) => Effect::RunAction {
                id,
                action: (*action).to_owned(),
                target: target.clone(),
                previewed: plan,
                confirm,
            },
            (Job::Undo { seq, .. }, _) => Effect::UndoAction { id, seq: *seq },
            (Job::Action { .. }, None) => return Vec::new(),
        };
        *stage = Stage::Running {
            id,
            job: job.clone(),
            progress: None,
            started: self.now,
        };
        vec![effect]
    }

    pub(super) fn on_action_planned(&mut self, id: u64, result: Result<Box<Plan>, ActionError>) {
        let Some(repair) = &mut self.repair else {
            return;
        };
        let Stage::Planning { id: asked, job } = &repair.stage else {
            return;
        };
        if *asked != id {
            return;
        }
        let job = job.clone();
        repair.stage = match result {
            Ok(plan) => {
                let destructive = plan.danger == Danger::Destructive && !plan.is_noop();
                let confirm = destructive.then(|| {
                    let mut field = TextArea::default();
                    field.set_placeholder_text(format!("type {} to confirm", job.target()));
                    Box::new(field)
                });
                Stage::Preview {
                    job,
                    plan: Some(plan),
                    confirm,
                    wrong: None,
                }
            }
            Err(error) => Stage::Failed { job, error },
        };
    }

    pub(super) fn on_action_progress(&mut self, id: u64, update: Progress) {
        if let Some(Repair {
            stage:
                Stage::Running {
                    id: running,
                    progress,
                    ..
                },
            ..
        }) = &mut self.repair
            && *running == id
        {
            *progress = Some(update);
        }
    }

    pub(super) fn on_action_done(
        &mut self,
        id: u64,
        result: Result<Box<Outcome>, ActionError>,
    ) -> Vec<Effect> {
        let job = match &self.repair {
            Some(Repair {
                stage: Stage::Running {
                    id: running, job, ..
                },
                ..
            }) if *running == id => job.clone(),
            _ => return Vec::new(),
        };
        let label = job.label();
        let mut effects = Vec::new();
        let flash = match &result {
            Ok(outcome) if outcome.status == RunStatus::Done => {
                self.remember_after_fix(outcome);
                // The row turns ok on the next reading: take it now, not in 30 seconds.
                self.refreshing = true;
                effects.push(Effect::Refresh);
                (FlashLevel::Info, format!("done: {label}"))
            }
            Ok(_) => (FlashLevel::Info, format!("already done: {label}")),
            Err(e) => (FlashLevel::Error, format!("{label}: {e}")),
        };
        let stage = match result {
            Ok(outcome) => Stage::Done { job, outcome },
            Err(error) => Stage::Failed { job, error },
        };
        let other_popup = self.popup.is_some();
        let Some(repair) = &mut self.repair else {
            return effects;
        };
        repair.stage = stage;
        // Back on screen, unless another popup has the keys now: then the flash says it.
        if !other_popup {
            repair.shown = true;
        } else if !repair.shown {
            self.flash(flash.0, flash.1);
        }
        effects
    }
}
