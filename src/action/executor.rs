//! The executor: every write drconsole sends goes through [`Executor::run`], in one order —
//! read-only, account, drill, precheck, confirmation, safety net, journal "sent" (fsynced),
//! the call, journal result, postcondition.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Action, ActionError, Args, Authority, Context, Danger, Guard, Looked, Plan, Undo, Wait,
};
use crate::cloud::{Cloud, CloudError, ErrorKind, Sent, WriteRequest, identity_from_first};
use crate::config::{Dur, Estate};
use crate::incident::journal::{Entry, Journal};
use crate::incident::record::{Record, StepOutcome};

/// A predicate on each request, filled in by drills: `Err` says why it may not be sent.
pub type DrillGuard = Arc<dyn Fn(&WriteRequest) -> Result<(), String> + Send + Sync>;

#[derive(Clone, Default)]
pub struct ExecutorOptions {
    /// `--read-only`: every write is refused.
    pub read_only: bool,
    /// The account the incident or the session started with; every run re-reads the
    /// caller's and refuses on a difference. `None` refuses every write: an unknown account
    /// is not a matching one.
    pub account: Option<String>,
    pub drill_guard: Option<DrillGuard>,
    /// A drill's stop conditions, as AWS FIS has them: alarms (name, region) read before
    /// every write; one in ALARM, or one that cannot be read, refuses the write and halts.
    pub stop_alarms: Vec<(String, String)>,
    /// How often a wait looks again (5 s unless set; tests against moto shorten it).
    pub poll_every: Option<std::time::Duration>,
}

const DEFAULT_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// How far a run has got, for a progress display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub run: String,
    /// 1-based; 0 while the guards run and the postcondition is checked.
    pub step: usize,
    pub of: usize,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum Status {
    Done,
    /// The precheck found nothing to do: why.
    AlreadyDone(String),
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub run: String,
    pub action: String,
    pub target: String,
    pub status: Status,
    /// Each write sent and its answer, in order.
    pub sent: Vec<(WriteRequest, Sent)>,
    pub undo: Option<Undo>,
    pub notes: Vec<String>,
    /// The journal entry that closed the run (its `undo` is offered from there).
    pub seq: Option<u64>,
}

/// The one path to the write port.
pub struct Executor {
    cloud: Arc<dyn Cloud>,
    estate: Arc<Estate>,
    journal: Arc<Mutex<Journal>>,
    options: ExecutorOptions,
    /// Resources this executor's runs created and journalled as their own.
    own: Mutex<BTreeSet<String>>,
    /// Why a stop condition halted this executor's writes: once set, every write is refused
    /// until [`Executor::lift_stop_conditions`] (a drill's teardown).
    halted: Mutex<Option<String>>,
    /// Set for a drill's teardown: its removals go ahead whatever the alarms say.
    stops_lifted: std::sync::atomic::AtomicBool,
    authority: Authority,
}

impl Executor {
    pub fn new(
        cloud: Arc<dyn Cloud>,
        estate: Arc<Estate>,
        journal: Journal,
        options: ExecutorOptions,
    ) -> Executor {
        Executor {
            cloud,
            estate,
            journal: Arc::new(Mutex::new(journal)),
            options,
            own: Mutex::new(BTreeSet::new()),
            halted: Mutex::new(None),
            stops_lifted: std::sync::atomic::AtomicBool::new(false),
            authority: Authority::new(),
        }
    }

    pub fn read_only(&self) -> bool {
        self.options.read_only
    }

    /// Whether this executor serves a drill: only a drill sets the drill guard.
    pub fn is_drill(&self) -> bool {
        self.options.drill_guard.is_some()
    }

    pub fn estate(&self) -> &Estate {
        &self.estate
    }

    /// Where this executor records.
    pub fn journal_dir(&self) -> std::path::PathBuf {
        self.journal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .dir()
            .to_owned()
    }

    fn context(&self) -> Context<'_> {
        Context {
            cloud: self.cloud.as_ref(),
            estate: &self.estate,
            now: self.cloud.now(),
        }
    }

    /// Checks the target against the estate and reads what the action would do: the
    /// preview. Reads only, so it is allowed read-only too; but not with credentials of
    /// another account, whose estate it would describe instead (a table "missing" there).
    pub async fn plan(
        &self,
        action: &dyn Action,
        target: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        self.check_target(action, target)?;
        self.not_another_account(action.name(), target).await?;
        self.plan_for(action, target, args).await
    }

    /// The action's plan, or its plan for a target of this executor's own.
    async fn plan_for(
        &self,
        action: &dyn Action,
        target: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        if self.owns(target) {
            action.plan_own(&self.context(), target, args).await
        } else {
            action.plan(&self.context(), target, args).await
        }
    }

    /// Refuses (journalled) when the credentials read as an account other than the known
    /// one. An unknown or unreadable account is left to the run's guard, which refuses it.
    async fn not_another_account(&self, action: &str, target: &str) -> Result<(), ActionError> {
        let Some(expected) = &self.options.account else {
            return Ok(());
        };
        let identity = identity_from_first(self.cloud.as_ref(), &self.regions()).await;
        match identity {
            Ok(id) if &id.account != expected => Err(self
                .refuse(
                    action,
                    target,
                    Guard::Account,
                    another_account(&id.account, expected),
                )
                .await),
            _ => Ok(()),
        }
    }

    fn regions(&self) -> [&str; 2] {
        [
            self.estate.regions.primary.get_ref().as_str(),
            self.estate.regions.backup.get_ref().as_str(),
        ]
    }

    fn check_target(&self, action: &dyn Action, target: &str) -> Result<(), ActionError> {
        let own = self
            .own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(target);
        if own {
            return Ok(());
        }
        super::check_target(&self.estate, action, target)
    }

    /// Runs an action through every guard. `previewed` is the plan the person saw: if the
    /// estate changed since, the run stops rather than send something not previewed.
    /// `confirm` is the name typed back, for a destructive action.
    pub async fn run(
        &self,
        action: &dyn Action,
        target: &str,
        args: &Args,
        confirm: Option<&str>,
        previewed: Option<&Plan>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Outcome, ActionError> {
        let name = action.name();
        let run = run_id(name);
        let tell = |what: &str| {
            progress(Progress {
                run: run.clone(),
                step: 0,
                of: 0,
                what: what.to_owned(),
            })
        };
        self.check_target(action, target)?;
        tell("checking the guards");
        self.guards(name, target).await?;
        tell("checking what is already done");
        if let Some(seen) = previewed
            && (seen.action != name || seen.target != target)
        {
            return Err(ActionError::Invalid(format!(
                "the preview is of {} on {}, not {name} on {target}",
                seen.action, seen.target
            )));
        }
        // The preview's arguments, defaults included: the run sends what the preview showed.
        let args = previewed.map_or(args, |p| &p.args);
        // The guards have just read the account: no second read.
        let plan = self.plan_for(action, target, args).await?;
        if let Some(seen) = previewed
            && seen.all_requests() != plan.all_requests()
            && !plan.is_noop()
        {
            return Err(self
                .refuse(
                    name,
                    target,
                    Guard::Preview,
                    "the estate changed since the preview: look at the new preview before running it",
                )
                .await);
        }
        if plan.is_noop() {
            let why = plan
                .already_done
                .clone()
                .unwrap_or_else(|| "nothing to change".to_owned());
            let entry = self
                .record(Record::ActionFinished {
                    run: run.clone(),
                    action: name.to_owned(),
                    target: target.to_owned(),
                    outcome: StepOutcome::Skipped,
                    detail: Some(why.clone()),
                    undo: None,
                })
                .await?;
            return Ok(Outcome {
                run,
                action: name.to_owned(),
                target: target.to_owned(),
                status: Status::AlreadyDone(why),
                sent: Vec::new(),
                undo: None,
                notes: plan.notes,
                seq: Some(entry.seq),
            });
        }
        self.confirmation(name, &plan, confirm).await?;
        self.stop_conditions(name, target).await?;
        let sent = self.execute(&run, &plan, progress).await?;
        tell("checking the result");
        let verdict = action.verify(&self.context(), &plan).await;
        let outcome = self.finish(&run, &plan, verdict, sent).await?;
        for created in &plan.creates {
            self.own(&run, created).await?;
        }
        Ok(outcome)
    }

    /// Sends the undo recorded in journal entry `seq` (an action's end), through the same
    /// guards. An undo already sent for that entry is not sent twice.
    pub async fn undo(
        &self,
        seq: u64,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Outcome, ActionError> {
        let dir = self.journal_dir();
        let entries = tokio::task::spawn_blocking(move || {
            crate::incident::journal::Reader::open(&dir)?.collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| ActionError::Journal(e.to_string()))?
        .map_err(|e| ActionError::Journal(e.to_string()))?;
        let Some((action, target, undo)) =
            entries
                .iter()
                .find(|e| e.seq == seq)
                .and_then(|e| match e.record() {
                    Some(Record::ActionFinished {
                        action,
                        target,
                        undo: Some(undo),
                        ..
                    }) => serde_json::from_value::<Undo>(undo)
                        .ok()
                        .map(|u| (action, target, u)),
                    _ => None,
                })
        else {
            return Err(ActionError::Invalid(format!(
                "journal entry {seq} is not an action with an undo; `drconsole incident timeline` \
                 or the operations journal lists them"
            )));
        };
        let undo_name = format!("undo-{seq}");
        let done_before = entries.iter().find(|e| {
            matches!(e.record(), Some(Record::ActionFinished { action, outcome: StepOutcome::Succeeded, .. }) if action == undo_name)
        });
        if let Some(before) = done_before {
            return Err(ActionError::Invalid(format!(
                "entry {seq} ({action} on {target}) was already undone (entry {})",
                before.seq
            )));
        }
        self.guards(&undo_name, &target).await?;
        // The state must still be what the action left: its own precheck says "done". Else
        // someone changed it since, and putting the old state back would undo their change.
        let args = started_args(&entries, seq);
        if let Ok(original) = super::catalogue::find(&action) {
            let args =
                super::Args::from_map(original.name(), original.args(), args).unwrap_or_default();
            let now = original.plan(&self.context(), &target, &args).await?;
            if !now.is_noop() {
                return Err(self
                    .refuse(
                        &undo_name,
                        &target,
                        Guard::Preview,
                        format!(
                            "{target} is no longer as entry {seq} left it ({action} would now \
                             send: {}): undo it by hand",
                            now.all_requests()
                                .iter()
                                .map(|r| r.summary())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    )
                    .await);
            }
        }
        let mut plan = Plan::new(&undo_name, &target, Danger::Write, &Args::default());
        plan.requests = undo.requests.clone();
        plan.waits = undo.waits.clone();
        plan.notes
            .push(format!("undoes {action} (journal entry {seq})"));
        self.confirmation(&undo_name, &plan, None).await?;
        self.stop_conditions(&undo_name, &target).await?;
        let run = run_id(&undo_name);
        let sent = self.execute(&run, &plan, progress).await?;
        self.finish(&run, &plan, Ok(()), sent).await
    }

    /// Runs a read-only check on a target of the estate (or one of this executor's own) and
    /// journals its verdict and figures. Allowed read-only: it writes nothing to AWS.
    pub async fn check(
        &self,
        check: &dyn super::Check,
        target: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<super::Report, ActionError> {
        let own = self
            .own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(target);
        if !own && !check.target_kind().contains(&self.estate, target) {
            return Err(ActionError::Invalid(format!(
                "{target} is not a {} of the estate (it names: {})",
                check.target_kind().label(),
                check.target_kind().names(&self.estate).join(", ")
            )));
        }
        // A local command may do anything, writes included: it runs only where writes may.
        if check.target_kind() == super::TargetKind::Command {
            if self.options.read_only {
                return Err(self
                    .refuse(
                        check.name(),
                        target,
                        Guard::ReadOnly,
                        "drconsole runs with --read-only: no command of the estate file is run",
                    )
                    .await);
            }
            self.guards(check.name(), target).await?;
        }
        let report = check.run(&self.context(), target, args, progress).await?;
        self.record(Record::CheckFinished {
            run: run_id(check.name()),
            check: check.name().to_owned(),
            target: target.to_owned(),
            passed: report.passed,
            summary: report.summary.clone(),
            figures: report.figures.clone(),
        })
        .await?;
        Ok(report)
    }

    /// Journals a runbook's own record (a step's start and end, an input, a decision) in the
    /// same journal as the actions it runs, so one file tells the whole story in order.
    pub async fn journal(&self, record: Record) -> Result<Entry, ActionError> {
        self.record(record).await
    }

    /// Whether a run of this executor created `resource` (so removing it needs no typed
    /// confirmation).
    pub fn owns(&self, resource: &str) -> bool {
        self.own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(resource)
    }

    /// Journals `resource` as created by run `run`: the same executor may then remove it
    /// without a typed confirmation (a validation's temporary table, a drill's copy).
    pub async fn own(&self, run: &str, resource: &str) -> Result<(), ActionError> {
        self.record(Record::ResourceOwned {
            run: run.to_owned(),
            resource: resource.to_owned(),
        })
        .await?;
        self.own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(resource.to_owned());
        Ok(())
    }

    /// Why a stop condition halted the writes, once one has.
    pub fn halted(&self) -> Option<String> {
        self.halted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A drill's teardown removes what the drill made whatever its alarms say: the stop
    /// conditions no longer refuse.
    pub fn lift_stop_conditions(&self) {
        self.stops_lifted
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn halt(&self, why: &str) {
        self.halted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| why.to_owned());
    }

    /// Refuses (journalled) a write while a stop condition holds.
    async fn stop_conditions(&self, action: &str, target: &str) -> Result<(), ActionError> {
        match self.stop_reason().await {
            Ok(()) => Ok(()),
            Err(why) => {
                self.halt(&why);
                Err(self.refuse(action, target, Guard::StopCondition, why).await)
            }
        }
    }

    /// Reads every stop alarm: the first in ALARM, or the first that could not be read (an
    /// unknown state is not a safe one), is the reason to stop. A halt stands once made.
    async fn stop_reason(&self) -> Result<(), String> {
        if self.options.stop_alarms.is_empty()
            || self.stops_lifted.load(std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(());
        }
        if let Some(why) = self.halted() {
            return Err(why);
        }
        for (name, region) in &self.options.stop_alarms {
            let read = self
                .cloud
                .describe_alarms(region, std::slice::from_ref(name), None)
                .await;
            match read {
                Ok(alarms) => match alarms.iter().find(|a| &a.name == name) {
                    Some(a) if a.state == crate::cloud::AlarmState::Alarm => {
                        return Err(format!(
                            "stopped: alarm {name} is in ALARM since {}: {}",
                            a.updated
                                .map(|t| t.format("%H:%M").to_string())
                                .unwrap_or_else(|| "an unknown time".to_owned()),
                            a.reason.as_deref().unwrap_or("no reason given")
                        ));
                    }
                    // As AWS FIS: only ALARM stops. INSUFFICIENT_DATA is a state read, not
                    // an unknown one (a quiet metric).
                    Some(_) => {}
                    None => {
                        return Err(format!(
                            "stopped: stop condition {name} cannot be read: there is no such \
                             alarm in {region}, and an unknown state is not a safe one"
                        ));
                    }
                },
                Err(e) => {
                    return Err(format!(
                        "stopped: stop condition {name} cannot be read in {region} ({e}): an \
                         unknown state is not a safe one"
                    ));
                }
            }
        }
        Ok(())
    }

    async fn guards(&self, action: &str, target: &str) -> Result<(), ActionError> {
        if self.options.read_only {
            return Err(self
                .refuse(
                    action,
                    target,
                    Guard::ReadOnly,
                    "drconsole runs with --read-only: no write is sent",
                )
                .await);
        }
        let identity = identity_from_first(self.cloud.as_ref(), &self.regions()).await;
        let reason = match (identity, &self.options.account) {
            (Ok(id), Some(expected)) if &id.account == expected => None,
            (Ok(id), Some(expected)) => Some(another_account(&id.account, expected)),
            (Ok(_), None) => Some(
                "the account this started in is not known, so it cannot be compared".to_owned(),
            ),
            (Err(e), _) => Some(format!(
                "cannot confirm which account the credentials act in ({e}){}",
                e.hint().map(|h| format!("; {h}")).unwrap_or_default()
            )),
        };
        if let Some(reason) = reason {
            return Err(self.refuse(action, target, Guard::Account, reason).await);
        }
        Ok(())
    }

    async fn confirmation(
        &self,
        action: &str,
        plan: &Plan,
        confirm: Option<&str>,
    ) -> Result<(), ActionError> {
        if let Some(guard) = &self.options.drill_guard {
            for request in plan.all_requests() {
                if let Err(reason) = guard(request) {
                    return Err(self
                        .refuse(action, &plan.target, Guard::Drill, reason)
                        .await);
                }
            }
        }
        if plan.danger < Danger::Destructive {
            return Ok(());
        }
        let own = self
            .own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&plan.target);
        let reason = match confirm.map(str::trim) {
            _ if own => return Ok(()),
            Some(typed) if typed == plan.target => return Ok(()),
            Some(typed) => format!(
                "`{typed}` is not `{}`: type the target's name exactly",
                plan.target
            ),
            None => format!(
                "{action} is destructive: confirm with the target's name (--confirm {})",
                plan.target
            ),
        };
        Err(self
            .refuse(action, &plan.target, Guard::Confirmation, reason)
            .await)
    }

    /// Journals the refusal (nothing was sent) and returns it as the error.
    async fn refuse(
        &self,
        action: &str,
        target: &str,
        guard: Guard,
        reason: impl Into<String>,
    ) -> ActionError {
        let reason = reason.into();
        let record = Record::ActionRefused {
            action: action.to_owned(),
            target: target.to_owned(),
            guard: guard.label().to_owned(),
            reason: reason.clone(),
        };
        match self.record(record).await {
            Ok(_) => ActionError::refused(guard, reason),
            Err(e) => {
                ActionError::Journal(format!("{e}; and refused ({}): {reason}", guard.label()))
            }
        }
    }

    /// The safety net, then each write: journalled before it is sent and after it answers.
    async fn execute(
        &self,
        run: &str,
        plan: &Plan,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Vec<(WriteRequest, Sent)>, ActionError> {
        self.record(Record::ActionStarted {
            run: run.to_owned(),
            action: plan.action.clone(),
            target: plan.target.clone(),
            danger: plan.danger.label().to_owned(),
            args: plan.args.map().clone(),
            requests: plan.all_requests().iter().map(|r| r.to_json()).collect(),
        })
        .await?;
        for net in &plan.safety_net {
            self.record(Record::SafetyNet {
                run: run.to_owned(),
                what: net.what.clone(),
                saved: net.saved.clone(),
            })
            .await?;
        }
        let requests = plan.all_requests();
        let of = requests.len();
        let mut sent: Vec<(WriteRequest, Sent)> = Vec::with_capacity(of);
        for wait in plan.waits.iter().filter(|w| w.after == 0) {
            if let Err(e) = self.wait(run, wait, None, (0, of), progress).await {
                return Err(self.failed(run, plan, &sent, of, e).await);
            }
        }
        for (i, request) in requests.into_iter().enumerate() {
            // The first write's conditions were read just before the run was journalled.
            if i > 0
                && let Err(why) = self.stop_reason().await
            {
                self.halt(&why);
                let e = ActionError::refused(Guard::StopCondition, why);
                return Err(self.failed(run, plan, &sent, of, e).await);
            }
            progress(Progress {
                run: run.to_owned(),
                step: i + 1,
                of,
                what: request.summary(),
            });
            match self.send_one(run, request).await {
                Ok(answer) => sent.push((request.clone(), answer)),
                Err(e) => return Err(self.failed(run, plan, &sent, of, e).await),
            }
            for wait in plan.waits.iter().filter(|w| w.after == i + 1) {
                let last = sent.last().map(|(_, answer)| answer);
                if let Err(e) = self.wait(run, wait, last, (i + 1, of), progress).await {
                    return Err(self.failed(run, plan, &sent, of, e).await);
                }
            }
        }
        Ok(sent)
    }

    /// Journals a run that stopped part-way, with the undo of what went through.
    async fn failed(
        &self,
        run: &str,
        plan: &Plan,
        sent: &[(WriteRequest, Sent)],
        of: usize,
        e: ActionError,
    ) -> ActionError {
        let detail = match sent.len() {
            0 => e.to_string(),
            n => format!("{e} (after {n} of {of} writes went through)"),
        };
        let recorded = self
            .record(Record::ActionFinished {
                run: run.to_owned(),
                action: plan.action.clone(),
                target: plan.target.clone(),
                outcome: StepOutcome::Failed,
                detail: Some(detail),
                // Whatever went through can be put back from here.
                undo: (!sent.is_empty())
                    .then(|| plan.undo.as_ref().map(to_value))
                    .flatten(),
            })
            .await;
        if let Err(journal) = recorded {
            return journal;
        }
        // A create that went through made its resource even if a later step failed (a wait
        // that gave up): it is the run's own, so a re-run or a clean-up can target it.
        if !sent.is_empty() {
            for created in &plan.creates {
                if let Err(journal) = self.own(run, created).await {
                    return journal;
                }
            }
        }
        e
    }

    /// Polls `wait` until it is reached, fails, or times out by the cloud's clock; each look
    /// is progress, the end is journalled.
    async fn wait(
        &self,
        run: &str,
        wait: &Wait,
        last: Option<&Sent>,
        (step, of): (usize, usize),
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<(), ActionError> {
        let what = wait.until.summary();
        let start = self.cloud.now();
        let every = self.options.poll_every.unwrap_or(DEFAULT_POLL);
        let timeout = Dur::from_secs(wait.timeout.as_secs());
        loop {
            let looked = wait.until.look(self.cloud.as_ref(), last).await;
            let waited = (self.cloud.now() - start).to_std().unwrap_or_default();
            let waited_for = Dur::from_secs(waited.as_secs());
            let end = |ok: bool, detail: String| Record::WaitFinished {
                run: run.to_owned(),
                what: what.clone(),
                ok,
                waited_secs: waited.as_secs(),
                detail: Some(detail),
            };
            let found = match looked {
                Ok(Looked::Done(found)) => {
                    self.record(end(true, found)).await?;
                    return Ok(());
                }
                Ok(Looked::Failed(why)) => {
                    self.record(end(false, why.clone())).await?;
                    return Err(ActionError::Postcondition(format!(
                        "waiting for {what}: {why}"
                    )));
                }
                Ok(Looked::NotYet(found)) => found,
                Err(e) if e.kind == ErrorKind::Throttled => format!("throttled: {e}"),
                Err(e) => {
                    self.record(end(false, e.to_string())).await?;
                    return Err(ActionError::Cloud(e));
                }
            };
            if waited >= wait.timeout {
                let why = format!("still not done after {waited_for} ({found})");
                self.record(end(false, why.clone())).await?;
                return Err(ActionError::Cloud(CloudError::new(
                    "drconsole",
                    "Wait",
                    ErrorKind::Timeout,
                    format!(
                        "gave up waiting for {what} after {timeout}: {found}; what was sent \
                         stays sent, and running the action again continues from where it is"
                    ),
                )));
            }
            progress(Progress {
                run: run.to_owned(),
                step,
                of,
                what: format!("waiting for {what}: {found} ({waited_for} of at most {timeout})"),
            });
            self.cloud.pause(every.min(wait.timeout - waited)).await;
        }
    }

    async fn send_one(&self, run: &str, request: &WriteRequest) -> Result<Sent, ActionError> {
        let target = request.target();
        self.record(Record::RequestSent {
            step: Some(run.to_owned()),
            service: request.service().to_owned(),
            operation: request.operation().to_owned(),
            target: target.clone(),
            region: request.region().map(str::to_owned),
            request: request.to_json(),
        })
        .await?;
        let answer = self.cloud.send(request, &self.authority).await;
        // A crash here leaves a write AWS has done and the journal has not: what a resumed
        // runbook must find with its precheck instead of sending it again.
        crate::fault_point!("executor.after_send")
            .map_err(|e| ActionError::Journal(e.to_string()))?;
        let sent_note = |e: ActionError| match e {
            ActionError::Journal(m) => ActionError::Journal(format!(
                "{} {} WAS sent ({}), but its answer could not be recorded: {m}",
                request.service(),
                request.operation(),
                if answer.is_ok() {
                    "it succeeded"
                } else {
                    "it failed"
                }
            )),
            other => other,
        };
        let (ok, request_id, error, result) = match &answer {
            Ok(sent) => (
                true,
                sent.request_id.clone(),
                None,
                serde_json::to_value(&sent.output).unwrap_or(Value::Null),
            ),
            Err(e) => (
                false,
                e.request_id.clone(),
                Some(e.to_string()),
                Value::Null,
            ),
        };
        self.record(Record::RequestFinished {
            step: Some(run.to_owned()),
            service: request.service().to_owned(),
            operation: request.operation().to_owned(),
            target,
            request_id,
            ok,
            error,
            result,
        })
        .await
        .map_err(sent_note)?;
        answer.map_err(ActionError::Cloud)
    }

    async fn finish(
        &self,
        run: &str,
        plan: &Plan,
        verdict: Result<(), String>,
        sent: Vec<(WriteRequest, Sent)>,
    ) -> Result<Outcome, ActionError> {
        let undo = plan.undo.as_ref().map(to_value);
        let (outcome, detail) = match &verdict {
            Ok(()) => (StepOutcome::Succeeded, None),
            Err(why) => (StepOutcome::Failed, Some(format!("postcondition: {why}"))),
        };
        let entry = self
            .record(Record::ActionFinished {
                run: run.to_owned(),
                action: plan.action.clone(),
                target: plan.target.clone(),
                outcome,
                detail,
                undo,
            })
            .await?;
        verdict.map_err(ActionError::Postcondition)?;
        Ok(Outcome {
            run: run.to_owned(),
            action: plan.action.clone(),
            target: plan.target.clone(),
            status: Status::Done,
            sent,
            undo: plan.undo.clone(),
            notes: plan.notes.clone(),
            seq: Some(entry.seq),
        })
    }

    /// Appends one record, fsynced, off the async threads.
    async fn record(&self, record: Record) -> Result<Entry, ActionError> {
        let journal = Arc::clone(&self.journal);
        tokio::task::spawn_blocking(move || {
            journal
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .append(&record)
        })
        .await
        .map_err(|e| ActionError::Journal(e.to_string()))?
        .map_err(|e| ActionError::Journal(e.to_string()))
    }
}

fn another_account(found: &str, expected: &str) -> String {
    format!(
        "the credentials now act in account {found}, but this started in account {expected}: \
         a changed profile or role? Nothing is sent to another account"
    )
}

fn to_value(undo: &Undo) -> Value {
    serde_json::to_value(undo).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

/// A name for a run's entries: the action, the time, and a few bits that differ between
/// two runs started in the same second.
fn run_id(action: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let salt = (now.timestamp_subsec_nanos() ^ COUNTER.fetch_add(1, Ordering::Relaxed)) & 0xffff;
    format!("{action}-{}-{salt:04x}", now.format("%Y%m%dT%H%M%S"))
}

#[cfg(test)]
#[path = "executor_tests.rs"]
mod tests;

/// The arguments the action that ended at entry `seq` started with (its run's first entry).
fn started_args(entries: &[Entry], seq: u64) -> std::collections::BTreeMap<String, String> {
    let run = entries
        .iter()
        .find(|e| e.seq == seq)
        .and_then(|e| match e.record() {
            Some(Record::ActionFinished { run, .. }) => Some(run),
            _ => None,
        });
    entries
        .iter()
        .filter(|e| e.seq < seq)
        .find_map(|e| match e.record() {
            Some(Record::ActionStarted { run: r, args, .. }) if Some(&r) == run.as_ref() => {
                Some(args)
            }
            _ => None,
        })
        .unwrap_or_default()
}
