//! A runbook file as written: inputs, phases with the plan's target times, and steps.
//!
//! Every field a person can get wrong keeps its place in the file (`Spanned`), so the loader
//! names file:line:column for a mistake it finds after parsing (an unknown action, a `goto`
//! to no step, an undefined variable) as TOML itself does for a mistake of syntax.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::config::Dur;

/// One runbook: a scenario of the plan, as steps the console walks and executes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Runbook {
    /// Kebab-case, as typed on the command line; a user file of the same name replaces the
    /// shipped one.
    pub name: Spanned<String>,
    pub title: String,
    /// The plan's section this runbook carries out ("Scenario 1: Complete Region Failure").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// One paragraph: when to use it.
    pub summary: String,
    /// Where this runbook departs from the plan, and why (shown by `runbook show`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<String>,
    /// The whole runbook's target, from its start (the scenario's RTO where the plan gives
    /// one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Spanned<Dur>>,
    /// Runs only as a drill (`drconsole drill NAME`): a rehearsal whose steps are written for
    /// drill copies (the annual business-continuity test) must never run against production.
    /// Such a runbook is measured, so it needs a `target` and one on every top-level step.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drill_only: bool,
    /// When a person last read the runbook against the estate and the plan (`YYYY-MM-DD`):
    /// the readiness report counts a runbook unreviewed for six months as out of date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Input>,
    pub phases: Vec<Phase>,
}

impl Runbook {
    /// The review date, when there is one and it is a date (the loader refuses any other).
    pub fn reviewed_on(&self) -> Option<chrono::NaiveDate> {
        let text = self.reviewed.as_ref()?;
        chrono::NaiveDate::parse_from_str(text.get_ref(), "%Y-%m-%d").ok()
    }
}

/// A value the runbook asks for before or while it runs (`--input NAME=VALUE` headless).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// snake_case; used as `{{ inputs.NAME }}`.
    pub name: Spanned<String>,
    pub prompt: String,
    #[serde(default)]
    pub kind: InputKind,
    /// The value offered; may use `{{ }}` variables of the estate and earlier steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Spanned<String>>,
    /// For `kind = "choice"`: the values allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// For `kind = "time"`: the table (a template) whose point-in-time window the value must
    /// fall in; the window is shown with the prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_pitr_of: Option<Spanned<String>>,
    /// Asked for even when it has a default (the console shows the default preselected).
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    #[default]
    Text,
    /// A point in time: RFC 3339, `09:41` (UTC today), `-45m` (before now).
    Time,
    /// One of `choices`.
    Choice,
    /// A whole number.
    Count,
}

/// A stretch of the plan's timeline ("0–15 minutes: immediate response").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub id: Spanned<String>,
    pub title: String,
    /// By when, from the run's start, the phase should be done (the plan's "15 minutes").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Spanned<Dur>>,
    pub steps: Vec<Step>,
}

/// What a step does; which of [`Step`]'s fields it takes follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Instructions for a person, done when they mark it done.
    Manual,
    /// A catalogue action (`action`, on `resource`, with `args`), through the guarded path.
    Action,
    /// Polls a condition (`until` on `resource` in `region`) until it holds or `timeout`.
    Wait,
    /// A catalogue check (`check` on `resource`, with `args`) that must pass to go on.
    Verify,
    /// Asks for the runbook input named by `input`, validated.
    Input,
    /// A choice between `options` (or the sources `choose` computes), each going to a step;
    /// the choice and its rationale are journalled.
    Decision,
    /// The nested `steps` run at the same time, at most `concurrency` at once.
    Parallel,
    /// The nested `steps`, in order, for every item of `for_each`, items at the same time
    /// with at most `concurrency` at once.
    ForEach,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Manual => "manual",
            StepKind::Action => "action",
            StepKind::Wait => "wait",
            StepKind::Verify => "verify",
            StepKind::Input => "input",
            StepKind::Decision => "decision",
            StepKind::Parallel => "parallel",
            StepKind::ForEach => "for_each",
        }
    }

    /// Whether the step holds other steps.
    pub fn is_group(self) -> bool {
        matches!(self, StepKind::Parallel | StepKind::ForEach)
    }
}

/// One step. Fields a kind does not take are a load error, at the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within its runbook (nested steps included); kebab-case.
    pub id: Spanned<String>,
    pub kind: Spanned<StepKind>,
    pub title: String,
    /// What a person does or should know; shown in the step's detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// `manual`: a status update to send, by template name (`drconsole message list`). The
    /// console opens its draft filled from the incident, and copying or posting it marks the
    /// step done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Spanned<String>>,
    /// `action`: the catalogue action's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Spanned<String>>,
    /// `verify`: the catalogue check's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Spanned<String>>,
    /// `action`, `verify`, `wait`, `decision` with `choose`: what it acts on (a template:
    /// `"{{ item }}"`, `"{{ estate.ingestion_function }}"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Spanned<String>>,
    /// `action`, `verify`: the arguments, each a template.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Spanned<String>>,
    /// `wait`: the condition (see [`WaitUntil`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Spanned<WaitUntil>>,
    /// `wait`: the region the resource is in (a template; default the primary region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Spanned<String>>,
    /// `input`: the name of the runbook input it asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Spanned<String>>,
    /// `decision`: the choices, each going to a step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// `decision`: choices computed when the step is reached, matched to `options` by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choose: Option<Spanned<Chooser>>,
    /// `for_each`: what to run the nested steps for (see [`Items`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<Spanned<String>>,
    /// `parallel`, `for_each`: at most this many at once (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Spanned<usize>>,
    /// `parallel`, `for_each`: the nested steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// After this step, go to this one (a later step of the same list) instead of the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Spanned<String>>,
    /// `abort` (default), `continue`, or `goto:STEP` (a later step of the same list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Spanned<String>>,
    /// Tries before the step counts as failed (default 1); each retry re-plans, so what
    /// went through is not sent again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<Spanned<u32>>,
    /// The most one try may take (a wait's or an action's own waits included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<Dur>>,
    /// How long the step should take: elapsed is shown against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Spanned<Dur>>,
}

/// A `decision` step's choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: Spanned<String>,
    #[serde(default)]
    pub label: String,
    /// The step to go to (a later step of the same list); the next step when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goto: Option<Spanned<String>>,
}

/// Choices a `decision` step computes from the live estate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Chooser {
    /// Every restorable source of the table `resource` in the backup region, with the data
    /// loss each implies against its service's RPO, the freshest preselected. Option ids:
    /// `export` (an export in a backup-region bucket: import it), `replica` (a global-table
    /// replica: nothing to restore), `pitr` (a cross-region point-in-time restore, while the
    /// primary's control plane answers), `backup` (an on-demand backup in the backup region).
    /// Outputs: `source`, `export` (s3://bucket/prefix), `backup` (ARN), `time` (RFC 3339),
    /// `loss` (the data-loss window, e.g. "1h12m").
    RestoreSource,
}

/// A `wait` step's condition, polled through the same looks as the actions' waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitUntil {
    TableActive,
    TableDeleted,
    FunctionActive,
    StackSettled,
    /// Route53 answers the record's name with its SECONDARY.
    DnsOnSecondary,
    /// Route53 answers the record's name with its PRIMARY.
    DnsOnPrimary,
    /// The CloudWatch alarm `resource` is OK.
    AlarmOk,
}

/// What a step does when it fails for good (after `max_attempts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum OnFailure {
    Abort,
    Continue,
    Goto(String),
}

impl OnFailure {
    /// `abort`, `continue` or `goto:STEP`.
    pub fn parse(s: &str) -> Result<OnFailure, String> {
        match s.trim() {
            "abort" => Ok(OnFailure::Abort),
            "continue" => Ok(OnFailure::Continue),
            other => match other.strip_prefix("goto:") {
                Some(step) if !step.trim().is_empty() => {
                    Ok(OnFailure::Goto(step.trim().to_owned()))
                }
                _ => Err(format!(
                    "on_failure `{other}` is not `abort`, `continue` or `goto:STEP`"
                )),
            },
        }
    }
}

/// The items a `for_each` step runs over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Items {
    /// `tables`: every table of the estate.
    Tables,
    /// `buckets`: every bucket of the estate.
    Buckets,
    /// `functions`: the functions the estate names.
    Functions,
    /// `tables-of:SERVICE` / `buckets-of:SERVICE` / `functions-of:SERVICE`: a service's own
    /// (SERVICE may be a template, e.g. `{{ inputs.service }}`).
    TablesOf(String),
    BucketsOf(String),
    FunctionsOf(String),
    /// `input:NAME`: a comma-separated runbook input.
    Input(String),
}

impl Items {
    pub fn parse(s: &str) -> Result<Items, String> {
        let s = s.trim();
        match s {
            "tables" => return Ok(Items::Tables),
            "buckets" => return Ok(Items::Buckets),
            "functions" => return Ok(Items::Functions),
            _ => {}
        }
        let (what, of) = s.split_once(':').ok_or_else(|| {
            format!(
                "for_each `{s}` is not one of tables, buckets, functions, tables-of:SERVICE, \
                 buckets-of:SERVICE, functions-of:SERVICE, input:NAME"
            )
        })?;
        let of = of.trim().to_owned();
        match what.trim() {
            "tables-of" => Ok(Items::TablesOf(of)),
            "buckets-of" => Ok(Items::BucketsOf(of)),
            "functions-of" => Ok(Items::FunctionsOf(of)),
            "input" => Ok(Items::Input(of)),
            other => Err(format!(
                "for_each `{other}:…` is not one of tables-of, buckets-of, functions-of, input"
            )),
        }
    }
}

impl Runbook {
    /// Every step, nested ones included, depth first in file order.
    pub fn steps(&self) -> Vec<&Step> {
        fn walk<'a>(steps: &'a [Step], out: &mut Vec<&'a Step>) {
            for step in steps {
                out.push(step);
                walk(&step.steps, out);
            }
        }
        let mut out = Vec::new();
        for phase in &self.phases {
            walk(&phase.steps, &mut out);
        }
        out
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().into_iter().find(|s| s.id.get_ref() == id)
    }
}
