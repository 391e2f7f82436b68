//! Actions: the one path every AWS write takes, and the catalogue of what it can do.
//!
//! An [`Action`] reads the estate and makes a [`Plan`]: the exact [`WriteRequest`]s it would
//! send, what it saves first, and how to undo it. The [`Executor`] runs a plan through the
//! guards in a fixed order (read-only, account, drill, precheck, confirmation, safety net,
//! journal, call, journal, postcondition). Only this module holds an [`Authority`], the token
//! [`crate::cloud::Writes::send`] asks for, so no other code can write.

mod args;
pub mod catalogue;
mod check;
mod executor;
mod open;
mod plan;
mod wait;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cloud::{CloudError, ErrorKind};
use crate::config::Estate;

pub use args::{ArgKind, ArgSpec, Args};
pub use check::{Check, Report};
pub use executor::{DrillGuard, Executor, ExecutorOptions, Outcome, Progress, Status};
pub use open::Recording;
pub use plan::{Plan, SafetyNet, Undo};
pub use wait::{Looked, Wait, WaitFor};

/// The right to send a write. Only this module makes one, so only the executor can call
/// [`crate::cloud::Writes::send`].
#[derive(Debug)]
pub struct Authority(());

impl Authority {
    fn new() -> Authority {
        Authority(())
    }

    /// For the adapters' own tests, which check each write against moto or the simulation.
    /// The feature is never on in a build a user runs.
    #[cfg(any(test, feature = "failpoints"))]
    pub fn for_tests() -> Authority {
        Authority(())
    }
}

/// How much harm a mistake can do, which decides how much the executor asks before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Danger {
    /// Reads only.
    Read,
    /// Changes something, reversibly or harmlessly: previewed, then run (a key in the
    /// console; the command itself headless).
    Write,
    /// Stops production or removes data: the target's name typed back.
    Destructive,
}

impl Danger {
    pub fn label(self) -> &'static str {
        match self {
            Danger::Read => "read",
            Danger::Write => "write",
            Danger::Destructive => "destructive",
        }
    }
}

/// What an action's target names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Table,
    Bucket,
    Function,
    Alarm,
    /// A failover record set of `[dns]`, by its name.
    Record,
    /// A CloudFormation stack named in the estate file.
    Stack,
    /// A local command of the estate file's allow-list.
    Command,
}

impl TargetKind {
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Table => "table",
            TargetKind::Bucket => "bucket",
            TargetKind::Function => "function",
            TargetKind::Alarm => "alarm",
            TargetKind::Record => "record",
            TargetKind::Stack => "stack",
            TargetKind::Command => "command",
        }
    }

    /// Whether `name` is a resource of the estate of this kind: an action's target must be,
    /// so a typo never writes to a resource the console does not watch. A function found by
    /// the estate's prefix counts, as it does on the health panel.
    pub fn contains(self, estate: &Estate, name: &str) -> bool {
        match self {
            TargetKind::Function => estate.is_pipeline_function(name),
            // The buckets the estate keeps its backups in are its own too (a prune removes
            // dated folders there), though no for-each over the data buckets includes them.
            TargetKind::Bucket => {
                self.names(estate).iter().any(|n| n == name)
                    || backup_buckets(estate).any(|b| b == name)
            }
            _ => self.names(estate).iter().any(|n| n == name),
        }
    }

    /// The estate's resources of this kind, by name (for functions, the named ones).
    pub fn names(self, estate: &Estate) -> Vec<String> {
        match self {
            TargetKind::Table => estate
                .dynamodb
                .tables
                .iter()
                .map(|t| t.get_ref().clone())
                .collect(),
            TargetKind::Bucket => estate
                .s3
                .buckets
                .iter()
                .map(|b| b.name.get_ref().clone())
                .collect(),
            TargetKind::Function => estate.named_functions(),
            TargetKind::Alarm => estate
                .cloudwatch
                .alarms
                .iter()
                .map(|a| a.get_ref().clone())
                .collect(),
            TargetKind::Record => estate
                .dns
                .records
                .iter()
                .map(|r| r.name.get_ref().clone())
                .collect(),
            TargetKind::Stack => estate
                .stacks
                .iter()
                .map(|s| s.name.get_ref().clone())
                .collect(),
            TargetKind::Command => estate.commands.keys().cloned().collect(),
        }
    }
}

/// The buckets the estate names for backups: function and configuration backups (and their
/// copies in the backup region) and table exports.
fn backup_buckets(estate: &Estate) -> impl Iterator<Item = &str> {
    [
        estate.lambda.backup_bucket.as_deref(),
        estate.lambda.backup_copy_bucket.as_deref(),
        estate.dynamodb.export_bucket.as_deref(),
        estate.backup.config_bucket.as_deref(),
        estate.backup.config_copy_bucket.as_deref(),
    ]
    .into_iter()
    .flatten()
}

/// What an action reads from and writes to.
pub struct Context<'a> {
    pub cloud: &'a dyn crate::cloud::Cloud,
    pub estate: &'a Estate,
    /// The clock the estate is measured by (the sim's in a simulation).
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    pub fn primary(&self) -> &str {
        self.estate.regions.primary.get_ref()
    }
    pub fn backup(&self) -> &str {
        self.estate.regions.backup.get_ref()
    }
}

/// One thing drconsole can do to the estate.
#[async_trait]
pub trait Action: Send + Sync {
    /// Kebab-case, as typed on the command line.
    fn name(&self) -> &'static str;
    /// One line: what it does.
    fn summary(&self) -> &'static str;
    /// More: what it cannot do, what to do next.
    fn details(&self) -> &'static str {
        ""
    }
    fn danger(&self) -> Danger;
    fn target_kind(&self) -> TargetKind;
    /// The estate's default target, where there is one (the ingestion function).
    fn default_target(&self, estate: &Estate) -> Option<String> {
        let _ = estate;
        None
    }
    fn args(&self) -> &'static [ArgSpec] {
        &[]
    }
    /// Reads the current state and says what would be sent. A plan with no requests is the
    /// precheck saying "already done".
    async fn plan(&self, ctx: &Context<'_>, target: &str, args: &Args)
    -> Result<Plan, ActionError>;
    /// The plan when the target is the executor's own (a validation's temporary table, a
    /// drill's copy): what only protects someone else's data may be left out. By default
    /// the same plan.
    async fn plan_own(
        &self,
        ctx: &Context<'_>,
        target: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        self.plan(ctx, target, args).await
    }
    /// After the writes: reads again and says whether the state is the intended one.
    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String>;
    /// What a drill renames before the action runs. The default: it writes its target in
    /// place, so a drill aims it at the target's drill copy.
    fn drill_shape(&self) -> DrillShape {
        DrillShape::IN_PLACE
    }
}

/// How an action's target and arguments are put in drill form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrillShape {
    /// The argument naming the resource the action makes (a restore's `new-name`): the
    /// target is then only read (the drill copy when there is one, else the real resource),
    /// and this argument is made a drill name. `None`: the target itself is written.
    pub creates: Option<&'static str>,
    /// Other arguments naming something the action makes (a backup's name): drill names too.
    pub names: &'static [&'static str],
    /// Arguments naming a resource the action reads (a backup by name, a table to compare
    /// with): the drill's copy or renamed one when it has one.
    pub reads: &'static [&'static str],
    /// Arguments a drill fixes, whatever the runbook says: a failover moves the drill's
    /// records, never the health check it shares with production.
    pub fixed: &'static [(&'static str, &'static str)],
    /// The argument naming the resource a drill copy is judged like (re-protection copies
    /// the real table's): set to the real name when the runbook does not give it.
    pub like: Option<&'static str>,
}

impl DrillShape {
    pub const IN_PLACE: DrillShape = DrillShape {
        creates: None,
        names: &[],
        reads: &[],
        fixed: &[],
        like: None,
    };
}

/// Which guard refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Guard {
    ReadOnly,
    Account,
    Drill,
    Confirmation,
    /// The estate changed between the preview and the run.
    Preview,
    /// A drill's stop condition: one of its alarms is in ALARM, or could not be read.
    StopCondition,
}

impl Guard {
    pub fn label(self) -> &'static str {
        match self {
            Guard::ReadOnly => "read-only",
            Guard::Account => "account",
            Guard::Drill => "drill",
            Guard::Confirmation => "confirmation",
            Guard::Preview => "preview",
            Guard::StopCondition => "stop-condition",
        }
    }
}

/// Why an action did not do what it was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionError {
    /// Bad input: an unknown action or target, a missing or malformed argument. Found before
    /// anything is sent.
    #[error("{0}")]
    Invalid(String),
    /// A guard said no; nothing was sent.
    #[error("refused ({}): {reason}", guard.label())]
    Refused { guard: Guard, reason: String },
    /// A read or a write failed; the service's own words. Nothing is marked done, so the
    /// action can be run again.
    #[error("{0}")]
    Cloud(CloudError),
    /// The writes went through but the state is not the intended one.
    #[error("sent, but the result is not as intended: {0}")]
    Postcondition(String),
    /// The journal could not record it. Before a call that means it was not sent (no write
    /// goes unrecorded); after one, the message says the write went through.
    #[error("the journal could not record it: {0}")]
    Journal(String),
}

impl ActionError {
    pub fn refused(guard: Guard, reason: impl Into<String>) -> ActionError {
        ActionError::Refused {
            guard,
            reason: reason.into(),
        }
    }

    /// Whether running the same action again may succeed (a failed call, a throttle).
    pub fn retryable(&self) -> bool {
        match self {
            ActionError::Cloud(e) => !matches!(e.kind, ErrorKind::Validation),
            ActionError::Postcondition(_) => true,
            ActionError::Invalid(_) | ActionError::Refused { .. } | ActionError::Journal(_) => {
                false
            }
        }
    }
}

impl From<CloudError> for ActionError {
    fn from(e: CloudError) -> Self {
        ActionError::Cloud(e)
    }
}

/// A target must be a resource of the estate of the action's kind: a typo never writes to
/// something the console does not watch. Checked before anything is read.
pub fn check_target(estate: &Estate, action: &dyn Action, target: &str) -> Result<(), ActionError> {
    let kind = action.target_kind();
    if kind.contains(estate, target) {
        return Ok(());
    }
    let mut names = kind.names(estate);
    if let (TargetKind::Function, Some(prefix)) = (kind, &estate.lambda.prefix) {
        names.push(format!("{prefix}*"));
    }
    Err(ActionError::Invalid(format!(
        "{target} is not a {} of the estate{}",
        action.target_kind().label(),
        if names.is_empty() {
            " (it names none)".to_owned()
        } else {
            format!(" (it names: {})", names.join(", "))
        }
    )))
}

/// A read of the target that says "no such thing" is bad input, not a failed call.
pub(crate) fn missing_target(kind: TargetKind, name: &str, region: &str) -> ActionError {
    ActionError::Invalid(format!(
        "{} {name} does not exist in {region}",
        kind.label()
    ))
}

impl fmt::Display for Danger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
