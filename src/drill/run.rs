//! Drill mode: setup (drill copies of what the runbook changes), the runbook with every
//! target renamed, the drill guard, stop conditions, and teardown on the end or an abort.
//!
//! A [`Drill`] is the steps a console drives one by one ([`Drill::prepare`], `setup`,
//! `start`, `teardown`, `finish`); [`run_drill`] is all of them headless, answering the
//! runbook from [`DrillOptions`].

pub mod drive;
pub mod guard;
pub mod rewrite;
pub mod setup;
pub mod teardown;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::action::{Executor, ExecutorOptions};
use crate::cloud::Cloud;
use crate::config::Estate;
use crate::dirs::Dirs;
use crate::drill::{DrillNames, DrillOutcome, DrillRecord, History};
use crate::error::Failure;
use crate::incident::IncidentStore;
use crate::incident::journal::Origin;
use crate::incident::record::{AffectedService, Declared, ImpactSource, Record, Severity};
use crate::mode::Mode;
use crate::runbook::{Manual, RunHandle, RunOptions, Runbook};
use crate::session::Session;

pub use drive::Ended;
pub use rewrite::DrillRewrite;
pub use setup::{Copy, CopyKind};
pub use teardown::{Made, TornDown};

/// How a drill is answered: the runbook's inputs, its manual steps and decisions, as
/// `runbook run` takes them.
#[derive(Clone, Default)]
pub struct DrillOptions {
    pub inputs: BTreeMap<String, String>,
    pub manual: Manual,
    pub choose: BTreeMap<String, String>,
    /// Decisions wait for the commander (the console) instead of taking their preselected
    /// option (headless): choosing the restore source is part of what a drill rehearses.
    pub ask_decisions: bool,
    /// How often waits look again (5 s unless set).
    pub poll_every: Option<Duration>,
    /// Notified on Ctrl-C (or the console's abort): the run stops before its next step and
    /// the drill is torn down.
    pub interrupt: Option<Arc<tokio::sync::Notify>>,
}

/// Which part of the drill a progress line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillPhase {
    Setup,
    Run,
    Teardown,
}

/// A line of a drill's progress, for a display.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillProgress {
    pub phase: DrillPhase,
    pub line: String,
}

/// One drill: its incident, its executor (guarded, with stop conditions), its copies.
pub struct Drill {
    /// The drill's incident id (its journal's directory name): the record's id too.
    pub id: String,
    pub runbook: Arc<Runbook>,
    pub mode: Mode,
    pub names: DrillNames,
    pub copies: Vec<Copy>,
    pub started: DateTime<Utc>,
    executor: Arc<Executor>,
    cloud: Arc<dyn Cloud>,
    estate: Arc<Estate>,
    rewrite: Arc<DrillRewrite>,
    options: DrillOptions,
    account: Option<String>,
    journal: PathBuf,
    setup_secs: Option<f64>,
}

impl Drill {
    /// Works out the copies the runbook needs (refusing one that changes what a drill cannot
    /// copy), opens the drill's incident and journals its start. Nothing is written to AWS.
    pub async fn prepare(
        session: &Session,
        dirs: &Dirs,
        runbook: Arc<Runbook>,
        options: DrillOptions,
    ) -> Result<Drill, Failure> {
        if session.read_only {
            return Err(Failure::Refused(
                "drconsole runs with --read-only: a drill makes and removes copies, so it \
                 cannot run"
                    .into(),
            ));
        }
        let real = &session.estate;
        let names = DrillNames::new(real.drill.suffix.get_ref());
        let now = session.cloud.now();
        let mut scope = crate::runbook::vars::base_scope(real, "drill", now);
        for input in &runbook.inputs {
            let key = input.name.get_ref();
            let value = options.inputs.get(key).cloned().or_else(|| {
                input
                    .default
                    .as_ref()
                    .and_then(|d| scope.render(d.get_ref()).ok())
            });
            if let Some(value) = value {
                scope.set(format!("inputs.{key}"), value);
            }
        }
        let copies =
            setup::copies_needed(&runbook, real, &names, &scope).map_err(Failure::Usage)?;
        for copy in copies.iter().filter(|c| c.kind == CopyKind::Stack) {
            let template = session
                .cloud
                .get_template(&copy.region, &copy.real)
                .await
                .map_err(Failure::Cloud)?;
            let fixed = setup::fixed_names(&template);
            if !fixed.is_empty() {
                return Err(Failure::Refused(format!(
                    "stack {} names its resources ({}): a copy would make the same ones and its \
                     teardown would delete them, so {} cannot run as a drill; name them from \
                     the stack (!Sub '${{AWS::StackName}}-…') first",
                    copy.real,
                    fixed.join(", "),
                    runbook.name.get_ref()
                )));
            }
        }
        let estate = Arc::new(setup::drill_estate(real, &copies));
        let account = session.identity().await.ok().map(|i| i.account.clone());
        // A simulated drill stays with the simulation's incidents: it never counts as real.
        let mode = match session.mode {
            Mode::Simulation => Mode::Simulation,
            _ => Mode::Drill,
        };
        let store = IncidentStore::new(dirs, mode).map_err(Failure::Usage)?;
        let origin = Origin::new(
            mode,
            account.clone(),
            vec![
                real.regions.primary.get_ref().clone(),
                real.regions.backup.get_ref().clone(),
            ],
        );
        let declared = Declared {
            id: String::new(),
            title: format!("Drill: {}", runbook.title),
            scenario: scenario(runbook.name.get_ref()),
            severity: Severity::Sev3,
            services: real
                .services
                .iter()
                .map(|s| AffectedService {
                    name: s.name.clone(),
                    priority: format!("{:?}", s.priority),
                    rto_secs: s.rto.as_duration().as_secs(),
                    rpo_secs: s.rpo.as_duration().as_secs(),
                    impact: s.impact.clone(),
                })
                .collect(),
            commander: None,
            impact_began: now,
            impact_source: ImpactSource::Declaration,
        };
        let (journal, incident) = store.declare(declared, origin, now)?;
        let stop_alarms = real
            .drill
            .stop_alarms
            .iter()
            .map(|a| {
                (
                    a.name.get_ref().clone(),
                    a.region
                        .clone()
                        .unwrap_or_else(|| real.regions.primary.get_ref().clone()),
                )
            })
            .collect();
        let executor = Arc::new(Executor::new(
            Arc::clone(&session.cloud),
            Arc::clone(&estate),
            journal,
            ExecutorOptions {
                read_only: false,
                account: account.clone(),
                drill_guard: Some(guard::guard(names.clone())),
                stop_alarms,
                poll_every: options.poll_every,
            },
        ));
        let planned: BTreeMap<String, String> = copies
            .iter()
            .map(|c| (c.real.clone(), c.drill.clone()))
            .collect();
        executor
            .journal(Record::DrillStarted {
                drill: incident.id.clone(),
                runbook: runbook.name.get_ref().clone(),
                suffix: names.suffix().to_owned(),
                copies: planned.clone(),
            })
            .await
            .map_err(|e| Failure::Incident(e.to_string()))?;
        Ok(Drill {
            id: incident.id.clone(),
            runbook,
            mode,
            rewrite: Arc::new(DrillRewrite::new(names.clone(), planned)),
            names,
            copies,
            started: now,
            executor,
            cloud: Arc::clone(&session.cloud),
            estate,
            options,
            account,
            journal: incident.dir.clone(),
            setup_secs: None,
        })
    }

    /// A value for one of the runbook's inputs, before [`Drill::start`]: one that depends on
    /// a copy (a restore time inside the copy's point-in-time window) is known only after
    /// [`Drill::setup`].
    pub fn set_input(&mut self, name: &str, value: &str) {
        self.options
            .inputs
            .insert(name.to_owned(), value.to_owned());
    }

    /// The drill's executor: every write of the drill (the console's too) goes through it.
    pub fn executor(&self) -> &Arc<Executor> {
        &self.executor
    }

    /// The drill's journal directory.
    pub fn journal_dir(&self) -> &std::path::Path {
        &self.journal
    }

    /// Makes every copy, in the runbook's order, each through the executor (so the guard,
    /// the stop conditions and the journal see it). A copy that fails stops the setup: tear
    /// down what was made.
    pub async fn setup(
        &mut self,
        progress: &(dyn Fn(DrillProgress) + Send + Sync),
    ) -> Result<(), Failure> {
        let begun = self.cloud.now();
        let tell = |line: String| {
            progress(DrillProgress {
                phase: DrillPhase::Setup,
                line,
            })
        };
        for copy in &self.copies {
            tell(format!(
                "copying {} {} as {}",
                copy.kind.label(),
                copy.real,
                copy.drill
            ));
            let (action, target, args) = setup::how(copy, &self.estate);
            self.step(action, &target, args, &tell).await?;
            if copy.kind == CopyKind::Table {
                // A restore does not carry PITR over; the drill restores its copy to a point
                // in time, as the runbook restores the real one.
                let action = crate::action::catalogue::find("reprotect-table")
                    .map_err(|e| Failure::Internal(e.to_string()))?;
                let args = BTreeMap::from([
                    ("like".to_owned(), copy.real.clone()),
                    ("region".to_owned(), copy.region.clone()),
                ]);
                self.step(action, &copy.drill, args, &tell).await?;
            }
        }
        self.setup_secs = Some(secs_since(begun, self.cloud.now()));
        Ok(())
    }

    async fn step(
        &self,
        action: &dyn crate::action::Action,
        target: &str,
        args: BTreeMap<String, String>,
        tell: &(dyn Fn(String) + Send + Sync),
    ) -> Result<(), Failure> {
        let args = crate::action::Args::from_map(action.name(), action.args(), args)
            .map_err(|e| Failure::Internal(e.to_string()))?;
        let progress = |p: crate::action::Progress| tell(format!("  {}", p.what));
        self.executor
            .run(action, target, &args, None, None, &progress)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                crate::action::ActionError::Journal(m) => Failure::Incident(m),
                other => Failure::ActionFailed(format!(
                    "setup: {} of {target} failed: {other}",
                    action.name()
                )),
            })
    }

    /// Starts the runbook with every step put in drill form. Writes start by themselves;
    /// destructive ones too, as every target is the drill's own.
    pub async fn start(&self) -> Result<RunHandle, Failure> {
        let options = RunOptions {
            inputs: self.options.inputs.clone(),
            ask_before_writes: false,
            confirm: Default::default(),
            manual: self.options.manual.clone(),
            take_preselected: !self.options.ask_decisions,
            choose: self.options.choose.clone(),
            resume: None,
            poll_every: self.options.poll_every,
            drill: Some(Arc::clone(&self.rewrite) as Arc<dyn crate::runbook::Rewrite>),
        };
        crate::runbook::start(
            Arc::clone(&self.runbook),
            Arc::clone(&self.executor),
            Arc::clone(&self.cloud),
            options,
        )
        .await
        .map_err(|e| match e {
            crate::runbook::EngineError::Invalid(m) => Failure::Usage(m),
            crate::runbook::EngineError::Journal(m) => Failure::Incident(m),
        })
    }

    /// Journals why the drill halted (a stop condition, the commander).
    pub async fn halt(&self, reason: &str) -> Result<(), Failure> {
        self.executor
            .journal(Record::DrillHalted {
                drill: self.id.clone(),
                reason: reason.to_owned(),
            })
            .await
            .map(|_| ())
            .map_err(|e| Failure::Incident(e.to_string()))
    }

    /// Removes everything the drill made, as its journal records it, whatever the alarms
    /// say, and journals what went and what is left.
    pub async fn teardown(
        &self,
        progress: &(dyn Fn(DrillProgress) + Send + Sync),
    ) -> Result<(TornDown, f64), Failure> {
        let begun = self.cloud.now();
        self.executor.lift_stop_conditions();
        let dir = self.journal.clone();
        let entries = tokio::task::spawn_blocking(move || {
            crate::incident::journal::Reader::open(&dir)?.collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| Failure::Internal(e.to_string()))??;
        let made = teardown::made(&entries);
        let tell = |line: String| {
            progress(DrillProgress {
                phase: DrillPhase::Teardown,
                line,
            })
        };
        let torn = teardown::remove_all(&self.executor, &made, &tell).await;
        self.executor
            .journal(Record::DrillTornDown {
                drill: self.id.clone(),
                removed: torn.removed.clone(),
                left: torn.left.clone(),
            })
            .await
            .map_err(|e| Failure::Incident(e.to_string()))?;
        // A drill torn down is over: its incident no longer counts as open, so nothing later
        // (a console's resume offer, an action run without --incident) lands in it.
        self.executor
            .journal(Record::Resolved {
                summary: Some(format!(
                    "drill torn down: {} removed{}",
                    torn.removed.len(),
                    if torn.left.is_empty() {
                        String::new()
                    } else {
                        format!("; left behind: {}", torn.left.join(", "))
                    }
                )),
            })
            .await
            .map_err(|e| Failure::Incident(e.to_string()))?;
        Ok((torn, secs_since(begun, self.cloud.now())))
    }

    /// The drill's record from its journal, with how it ended and what teardown did, saved
    /// in the drill history.
    pub fn finish(
        &self,
        dirs: &Dirs,
        outcome: DrillOutcome,
        torn: &TornDown,
        teardown_secs: f64,
    ) -> Result<DrillRecord, Failure> {
        let mut record =
            crate::drill::report::record_from_journal(&self.journal, &self.runbook, &self.estate)
                .map_err(Failure::Internal)?;
        record.id = self.id.clone();
        record.mode = self.mode;
        record.account = self.account.clone();
        record.started = self.started;
        record.finished = Some(self.cloud.now());
        record.outcome = outcome;
        record.setup_secs = self.setup_secs;
        record.teardown_secs = Some(teardown_secs);
        record.removed = torn.removed.clone();
        record.left = torn.left.clone();
        let dir = dirs.drill_history().ok_or_else(|| {
            Failure::Usage("no data directory: pass --data-dir or set DRCONSOLE_DATA_DIR".into())
        })?;
        History::new(dir)
            .save(record.started, &record.id, &record)
            .map_err(Failure::Internal)?;
        Ok(record)
    }
}

/// On the cloud's clock, as the journal times the steps (the simulation's in a demo).
fn secs_since(begun: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    (now - begun).num_milliseconds().max(0) as f64 / 1000.0
}

/// The plan's scenario a runbook rehearses, as the incident store names them.
fn scenario(runbook: &str) -> String {
    crate::incident::SCENARIOS
        .iter()
        .find(|(name, _)| *name == runbook)
        .map_or("other", |(name, _)| name)
        .to_owned()
}

/// What a headless drill did.
#[derive(Debug, Clone)]
pub struct DrillRun {
    pub record: DrillRecord,
    pub ended: Ended,
}

/// A whole drill headless: prepare, setup, the runbook answered from `options`, teardown
/// (always, once anything may have been made), the record saved. Progress goes to
/// `progress`; nothing is printed.
pub async fn run_drill(
    session: &Session,
    dirs: &Dirs,
    runbook: Arc<Runbook>,
    options: DrillOptions,
    progress: impl Fn(DrillProgress) + Send + Sync,
) -> Result<DrillRun, Failure> {
    let interrupt = options.interrupt.clone();
    let mut drill = Drill::prepare(session, dirs, runbook, options).await?;
    let ended = match drill.setup(&progress).await {
        Err(Failure::Incident(m)) => return Err(Failure::Incident(m)),
        Err(e) => match drill.executor.halted() {
            Some(why) => Ended::Halted(why),
            None => Ended::SetupFailed(e.to_string()),
        },
        Ok(()) => {
            let mut handle = drill.start().await?;
            drive::drive(
                &mut handle,
                &drill.executor,
                &progress,
                interrupt.as_deref(),
            )
            .await
        }
    };
    if let Ended::Halted(why) = &ended {
        drill.halt(why).await?;
    }
    let (torn, secs) = drill.teardown(&progress).await?;
    let record = drill.finish(dirs, ended.outcome(), &torn, secs)?;
    Ok(DrillRun { record, ended })
}
