//! `runbook run --dry-run`: every request a run would send, read from the live estate and
//! sent nowhere. It walks the runbook as written (every branch), renders each step's
//! variables, expands each `for_each` over the estate's items and plans each action with
//! reads only; it neither journals nor refuses, so it can be run by anyone at any time.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::action::{Args, Context, Danger, catalogue};
use crate::config::Estate;
use crate::runbook::model::{Chooser, Items, Runbook, Step, StepKind};
use crate::runbook::vars::{Scope, references};

/// One step as a run would take it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    /// The path a run names the step by (`GROUP/ITEM/ID` inside a `for_each`).
    pub path: String,
    pub phase: String,
    pub kind: StepKind,
    pub title: String,
    pub depth: usize,
    /// The action or check, where the step has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub danger: Option<Danger>,
    /// The plan's preview: each request it would send, or why there is nothing to send.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<String>,
    /// What else a person should know: what it waits for, which flag answers it, the earlier
    /// step whose output it needs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What the flags of a headless run say up front.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub inputs: BTreeMap<String, String>,
    pub choose: BTreeMap<String, String>,
    pub done: BTreeSet<String>,
    pub done_all: bool,
    pub confirm: BTreeSet<String>,
}

/// Every step of `runbook` with what it would send now.
pub async fn plan(
    ctx: &Context<'_>,
    runbook: &Runbook,
    scope: Scope,
    given: &Given,
) -> Vec<Planned> {
    let mut walker = Walker {
        ctx,
        given,
        out: Vec::new(),
    };
    let scope = walker.with_inputs(runbook, scope);
    for phase in &runbook.phases {
        let phase_id = phase.id.get_ref().clone();
        walker.steps(&phase.steps, &phase_id, "", 0, &scope).await;
    }
    walker.out
}

struct Walker<'a, 'c> {
    ctx: &'a Context<'c>,
    given: &'a Given,
    out: Vec<Planned>,
}

/// A string rendered for a dry run: the earlier steps (or inputs) it still needs.
struct Rendered {
    text: String,
    needs: BTreeSet<String>,
}

impl Walker<'_, '_> {
    /// The inputs given with `--input`, else their defaults (themselves templates of the
    /// estate); an input with neither stays unset and shows as `<input NAME>`.
    fn with_inputs(&self, runbook: &Runbook, mut scope: Scope) -> Scope {
        for input in &runbook.inputs {
            let name = input.name.get_ref();
            let value = match self.given.inputs.get(name) {
                Some(v) => Some(v.clone()),
                None => input
                    .default
                    .as_ref()
                    .and_then(|d| scope.render(d.get_ref()).ok()),
            };
            if let Some(v) = value {
                scope.set(format!("inputs.{name}"), v);
            }
        }
        scope
    }

    fn steps<'s>(
        &'s mut self,
        steps: &'s [Step],
        phase: &'s str,
        prefix: &'s str,
        depth: usize,
        scope: &'s Scope,
    ) -> futures::future::BoxFuture<'s, ()> {
        Box::pin(async move {
            for step in steps {
                self.step(step, phase, prefix, depth, scope).await;
            }
        })
    }

    async fn step(&mut self, step: &Step, phase: &str, prefix: &str, depth: usize, scope: &Scope) {
        let id = step.id.get_ref();
        let path = format!("{prefix}{id}");
        let kind = *step.kind.get_ref();
        let mut planned = Planned {
            path: path.clone(),
            phase: phase.to_owned(),
            kind,
            title: step.title.clone(),
            depth,
            operation: None,
            resource: None,
            danger: None,
            requests: Vec::new(),
            notes: Vec::new(),
        };
        let resource = step.resource.as_ref().map(|r| render(scope, r.get_ref()));
        let mut needs: BTreeSet<String> = BTreeSet::new();
        if let Some(r) = &resource {
            planned.resource = Some(r.text.clone());
            needs.extend(r.needs.iter().cloned());
        }
        match kind {
            StepKind::Action => {
                let name = step.action.as_ref().map(|a| a.get_ref().clone());
                planned.operation = name.clone();
                let mut args = BTreeMap::new();
                for (k, v) in &step.args {
                    let r = render(scope, v.get_ref());
                    needs.extend(r.needs);
                    args.insert(k.clone(), r.text);
                }
                match name.as_deref().map(catalogue::find) {
                    Some(Ok(action)) => {
                        planned.danger = Some(action.danger());
                        let target = resource
                            .as_ref()
                            .map(|r| r.text.clone())
                            .or_else(|| action.default_target(self.ctx.estate));
                        planned.resource = target.clone();
                        if !needs.is_empty() {
                            planned.requests.push(format!(
                                "planned when it runs: it needs {}",
                                needs.iter().cloned().collect::<Vec<_>>().join(", ")
                            ));
                            for (k, v) in &args {
                                planned.notes.push(format!("{k} = {v}"));
                            }
                        } else {
                            planned.requests = self.preview(action, target.as_deref(), args).await;
                        }
                        if action.danger() == Danger::Destructive
                            && let Some(target) = &target
                        {
                            let confirmed = self.given.confirm.contains(target);
                            planned.notes.push(if confirmed {
                                format!("destructive: confirmed with --confirm {target}")
                            } else {
                                format!("destructive: a headless run needs --confirm {target}")
                            });
                        }
                    }
                    Some(Err(e)) => planned.notes.push(e.to_string()),
                    None => planned.notes.push("the step names no action".to_owned()),
                }
            }
            StepKind::Verify => {
                planned.operation = step.check.as_ref().map(|c| c.get_ref().clone());
                planned.danger = Some(Danger::Read);
                planned
                    .notes
                    .push("a check: reads only, must pass to go on".to_owned());
            }
            StepKind::Wait => {
                let until = step
                    .until
                    .as_ref()
                    .map(|u| {
                        serde_json::to_value(u.get_ref())
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    })
                    .unwrap_or_default();
                let region = step
                    .region
                    .as_ref()
                    .map(|r| render(scope, r.get_ref()).text)
                    .unwrap_or_else(|| self.ctx.primary().to_owned());
                let timeout = step
                    .timeout
                    .as_ref()
                    .map(|t| format!(", at most {}", t.get_ref()))
                    .unwrap_or_default();
                planned.notes.push(format!(
                    "waits until {until} in {region}{timeout} (reads only)"
                ));
            }
            StepKind::Input => {
                let name = step
                    .input
                    .as_ref()
                    .map(|i| i.get_ref().clone())
                    .unwrap_or_default();
                planned
                    .notes
                    .push(match scope.get(&format!("inputs.{name}")) {
                        Some(v) => format!("{name} = {v}"),
                        None => format!("a headless run needs --input {name}=VALUE"),
                    });
            }
            StepKind::Decision => {
                for option in &step.options {
                    let goto = option
                        .goto
                        .as_ref()
                        .map(|g| format!(" → {}", g.get_ref()))
                        .unwrap_or_default();
                    planned.notes.push(format!(
                        "option {}: {}{goto}",
                        option.id.get_ref(),
                        option.label
                    ));
                }
                if let Some(chooser) = &step.choose {
                    match chooser.get_ref() {
                        Chooser::RestoreSource => planned.notes.push(format!(
                            "the restore sources of {} are listed when it runs, the freshest \
                             preselected",
                            planned.resource.as_deref().unwrap_or("the table")
                        )),
                    }
                }
                planned.notes.push(match self.given.choose.get(&path) {
                    Some(option) => format!("chosen with --choose {path}={option}"),
                    None => "a headless run takes the preselected option, or --choose \
                             STEP=OPTION"
                        .to_owned(),
                });
            }
            StepKind::Manual => {
                if let Some(text) = &step.instructions {
                    planned.notes.extend(text.lines().map(str::to_owned));
                }
                let done = self.given.done_all || self.given.done.contains(&path);
                planned.notes.push(if done {
                    "marked done by --done".to_owned()
                } else {
                    format!("a headless run needs --done {path} (or --done all)")
                });
            }
            StepKind::Parallel | StepKind::ForEach => {}
        }
        self.out.push(planned);
        match kind {
            StepKind::Parallel => {
                let inner = format!("{path}/");
                self.steps(&step.steps, phase, &inner, depth + 1, scope)
                    .await;
            }
            StepKind::ForEach => {
                let of = step
                    .for_each
                    .as_ref()
                    .map(|f| f.get_ref().as_str())
                    .unwrap_or("");
                match items(self.ctx.estate, scope, of) {
                    Ok(items) if items.is_empty() => {
                        if let Some(last) = self.out.last_mut() {
                            last.notes
                                .push(format!("no items for `{of}`: nothing to run"));
                        }
                    }
                    Ok(items) => {
                        if let Some(last) = self.out.last_mut() {
                            last.notes.push(format!(
                                "for each of {} ({}), at most {} at once",
                                items.join(", "),
                                of,
                                step.concurrency.as_ref().map_or(4, |c| *c.get_ref())
                            ));
                        }
                        for item in items {
                            let mut inner_scope = scope.clone();
                            inner_scope.set("item", item.clone());
                            let inner = format!("{path}/{item}/");
                            self.steps(&step.steps, phase, &inner, depth + 1, &inner_scope)
                                .await;
                        }
                    }
                    Err(why) => {
                        if let Some(last) = self.out.last_mut() {
                            last.notes.push(why);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The action's own plan, reads only: its preview lines, or why it cannot be planned now.
    async fn preview(
        &self,
        action: &dyn crate::action::Action,
        target: Option<&str>,
        args: BTreeMap<String, String>,
    ) -> Vec<String> {
        let Some(target) = target else {
            return vec!["cannot plan now: the step names no resource".to_owned()];
        };
        let args = match Args::from_map(action.name(), action.args(), args) {
            Ok(args) => args,
            Err(e) => return vec![format!("cannot plan now: {e}")],
        };
        if let Err(e) = crate::action::check_target(self.ctx.estate, action, target) {
            // A resource an earlier step creates (a recovery table) is planned when it runs.
            return vec![format!("planned when it runs: {e}")];
        }
        match action.plan(self.ctx, target, &args).await {
            Ok(plan) => plan.preview_lines(),
            Err(e) => vec![format!("cannot plan now: {e}")],
        }
    }
}

/// `text` rendered with what is known before the run: an earlier step's output shows as
/// `<from step ID>`, an input not given as `<input NAME>`.
fn render(scope: &Scope, text: &str) -> Rendered {
    let mut needs = BTreeSet::new();
    let Ok(refs) = references(text) else {
        return Rendered {
            text: text.to_owned(),
            needs,
        };
    };
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in refs {
        out.push_str(&text[from..r.start]);
        match scope.get(&r.name) {
            Some(value) => out.push_str(value),
            None => {
                let shown = if let Some(rest) = r.name.strip_prefix("steps.") {
                    let step = rest.split('.').next().unwrap_or(rest);
                    needs.insert(format!("step {step}"));
                    format!("<from step {step}>")
                } else if let Some(input) = r.name.strip_prefix("inputs.") {
                    needs.insert(format!("--input {input}"));
                    format!("<input {input}>")
                } else {
                    needs.insert(format!("{} (not in the estate file)", r.name));
                    format!("<{}: not in the estate file>", r.name)
                };
                out.push_str(&shown);
            }
        }
        from = r.end;
    }
    out.push_str(&text[from..]);
    Rendered { text: out, needs }
}

/// What a `for_each` runs over, now.
fn items(estate: &Estate, scope: &Scope, of: &str) -> Result<Vec<String>, String> {
    let service = |name: &str| {
        let name = render(scope, name).text;
        estate
            .services
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .ok_or_else(|| format!("no service `{name}` in the estate file"))
    };
    let names = |v: &[toml::Spanned<String>]| v.iter().map(|n| n.get_ref().clone()).collect();
    Ok(match Items::parse(of)? {
        Items::Tables => names(&estate.dynamodb.tables),
        Items::Buckets => estate
            .s3
            .buckets
            .iter()
            .map(|b| b.name.get_ref().clone())
            .collect(),
        Items::Functions => estate.named_functions(),
        Items::TablesOf(s) => names(&service(&s)?.tables),
        Items::BucketsOf(s) => names(&service(&s)?.buckets),
        Items::FunctionsOf(s) => names(&service(&s)?.functions),
        Items::Input(name) => match scope.get(&format!("inputs.{name}")) {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None => return Err(format!("the items come from --input {name}=A,B,…")),
        },
    })
}

/// The dry run as text: phases, each step indented by depth, its requests numbered.
pub fn text(runbook: &Runbook, planned: &[Planned]) -> String {
    let mut out = format!(
        "dry run of {} — nothing is sent, nothing is journalled\n",
        runbook.name.get_ref()
    );
    let mut phase = None;
    for p in planned {
        if phase != Some(&p.phase) {
            phase = Some(&p.phase);
            let title = runbook
                .phases
                .iter()
                .find(|ph| ph.id.get_ref() == &p.phase)
                .map(|ph| {
                    let target = ph
                        .target
                        .as_ref()
                        .map(|t| format!(" (by {})", t.get_ref()))
                        .unwrap_or_default();
                    format!("{}{target}", ph.title)
                })
                .unwrap_or_default();
            out.push_str(&format!("\n{}: {title}\n", p.phase));
        }
        let pad = "  ".repeat(p.depth + 1);
        let what = match (&p.operation, &p.resource) {
            (Some(op), Some(r)) => format!(" — {op} on {r}"),
            (Some(op), None) => format!(" — {op}"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{pad}{} [{}] {}{what}\n",
            p.path,
            p.kind.label(),
            p.title
        ));
        for line in &p.requests {
            out.push_str(&format!("{pad}    {line}\n"));
        }
        for line in &p.notes {
            out.push_str(&format!("{pad}    ({line})\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
    use crate::runbook::vars::base_scope;
    use crate::session::example_estate;

    const RUNBOOK: &str = r#"
name = "protect"
title = "Protect the tables"
summary = "Switch PITR on everywhere, take a backup, restore it, stop ingestion."

[[inputs]]
name = "why"
prompt = "Why"

[[phases]]
id = "protect"
title = "Protect"
target = "15m"

[[phases.steps]]
id = "each"
kind = "for_each"
title = "Each table"
for_each = "tables"

[[phases.steps.steps]]
id = "pitr"
kind = "action"
title = "PITR on"
action = "enable-pitr"
resource = "{{ item }}"

[[phases.steps]]
id = "backup"
kind = "action"
title = "Back up"
action = "backup-table"
resource = "flightdata-main"

[[phases.steps]]
id = "restore"
kind = "action"
title = "Restore the backup"
action = "restore-backup"
resource = "flightdata-main"
args = { backup = "{{ steps.backup.created }}" }

[[phases.steps]]
id = "stop"
kind = "action"
title = "Stop ingestion"
action = "stop-ingestion"
resource = "{{ estate.ingestion_function }}"

[[phases.steps]]
id = "tell"
kind = "manual"
title = "Tell the team: {{ inputs.why }}"
"#;

    async fn planned(given: &Given) -> (Runbook, Vec<Planned>) {
        let estate = example_estate().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(at),
                latency: Latency::None,
                faults: vec![Fault::PitrOff],
            },
        );
        let runbook: Runbook = toml::from_str(RUNBOOK).unwrap();
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now: at,
        };
        let scope = base_scope(&estate, "dry-run", at);
        let out = plan(&ctx, &runbook, scope, given).await;
        (runbook, out)
    }

    #[tokio::test]
    async fn a_for_each_is_planned_per_table_and_an_earlier_output_waits_for_its_step() {
        let (runbook, out) = planned(&Given::default()).await;
        let paths: Vec<&str> = out.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "each",
                "each/flightdata-main/pitr",
                "each/flightdata-metrics/pitr",
                "each/flightdata-config/pitr",
                "backup",
                "restore",
                "stop",
                "tell"
            ]
        );
        // PITR is off on the first table only: the plan of the others has nothing to send.
        let main = &out[1];
        assert_eq!(main.resource.as_deref(), Some("flightdata-main"));
        assert!(
            main.requests
                .iter()
                .any(|l| l
                    == "1. enable point-in-time recovery on table flightdata-main in us-east-1"),
            "{main:?}"
        );
        assert!(
            out[2].requests[0].starts_with("nothing to do"),
            "{:?}",
            out[2]
        );
        let restore = &out[5];
        assert_eq!(
            restore.requests,
            ["planned when it runs: it needs step backup"]
        );
        assert!(
            restore
                .notes
                .contains(&"backup = <from step backup>".to_owned()),
            "{restore:?}"
        );
        let stop = &out[6];
        assert_eq!(stop.danger, Some(Danger::Destructive));
        assert!(
            stop.notes.contains(
                &"destructive: a headless run needs --confirm flightdata-processor".to_owned()
            ),
            "{stop:?}"
        );
        assert!(
            out[7].notes.iter().any(|n| n.contains("--done tell")),
            "{:?}",
            out[7]
        );
        let text = text(&runbook, &out);
        assert!(text.contains("\nprotect: Protect (by 15m)\n"), "{text}");
        assert!(
            text.contains(
                "    each/flightdata-main/pitr [action] PITR on — enable-pitr on flightdata-main\n"
            ),
            "{text}"
        );
    }

    #[tokio::test]
    async fn flags_show_as_answered() {
        let given = Given {
            confirm: ["flightdata-processor".to_owned()].into(),
            done: ["tell".to_owned()].into(),
            ..Given::default()
        };
        let (_, out) = planned(&given).await;
        let stop = out.iter().find(|p| p.path == "stop").unwrap();
        assert!(
            stop.notes
                .contains(&"destructive: confirmed with --confirm flightdata-processor".to_owned()),
            "{stop:?}"
        );
        let tell = out.iter().find(|p| p.path == "tell").unwrap();
        assert!(tell.notes.contains(&"marked done by --done".to_owned()));
    }

    #[test]
    fn an_unknown_value_names_what_it_waits_for() {
        let mut scope = Scope::default();
        scope.set("item", "t");
        let r = render(
            &scope,
            "{{ item }}-{{ steps.restore.created }}-{{ inputs.when }}",
        );
        assert_eq!(r.text, "t-<from step restore>-<input when>");
        assert_eq!(
            r.needs.into_iter().collect::<Vec<_>>(),
            ["--input when", "step restore"]
        );
    }
}
