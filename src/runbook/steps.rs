//! What each kind of step does when it runs: its reads, its one call into the actions path,
//! what it asks of a person, and its outputs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::engine::{ChoiceView, Command, Need};
use super::model::{Chooser, InputKind, Step, StepKind, WaitUntil};
use super::runner::{Ended, Shared, StepFailure};
use super::vars::Scope;
use crate::action::{
    Action, ActionError, Args, Context, Danger, Guard, Looked, WaitFor, catalogue,
};
use crate::incident::record::Record;

fn invalid(message: impl Into<String>) -> StepFailure {
    StepFailure {
        outputs: BTreeMap::new(),
        message: message.into(),
        retryable: false,
    }
}

fn render(
    scope: &Scope,
    text: Option<&toml::Spanned<String>>,
) -> Result<Option<String>, StepFailure> {
    text.map(|t| scope.render(t.get_ref()).map_err(invalid))
        .transpose()
}

fn render_args(scope: &Scope, step: &Step) -> Result<BTreeMap<String, String>, StepFailure> {
    step.args
        .iter()
        .map(|(k, v)| Ok((k.clone(), scope.render(v.get_ref()).map_err(invalid)?)))
        .collect()
}

/// Runs one step once. `Ok(None)`: the run was cancelled while it waited.
pub(super) async fn run_step(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let scope = shared.inputs_scope(scope);
    match step.kind.get_ref() {
        StepKind::Manual => manual(shared, step, path).await,
        StepKind::Action => action(shared, step, path, &scope).await,
        StepKind::Verify => verify(shared, step, path, &scope).await,
        StepKind::Wait => wait(shared, step, path, &scope).await,
        StepKind::Input => input(shared, step, path, &scope).await,
        StepKind::Decision => decision(shared, step, path, &scope).await,
        StepKind::Parallel | StepKind::ForEach => {
            Box::pin(super::runner::run_group(shared, step, path, &scope)).await
        }
    }
}

async fn manual(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
) -> Result<Option<Ended>, StepFailure> {
    let auto = match &shared.options.manual {
        super::engine::Manual::All => true,
        super::engine::Manual::These(ids) => ids.contains(path) || ids.contains(step.id.get_ref()),
        super::engine::Manual::Ask => false,
    };
    let note = if auto {
        Some("marked done up front".to_owned())
    } else {
        loop {
            match shared.ask(path, Need::Done).await {
                Command::Done { note, .. } => break note,
                Command::Skip { reason, .. } => return Ok(Some(skipped(reason))),
                Command::Cancel => return Ok(None),
                _ => continue,
            }
        }
    };
    let mut outputs = BTreeMap::new();
    outputs.insert("note".to_owned(), note.unwrap_or_default());
    Ok(Some(Ended::ok(outputs)))
}

fn skipped(reason: String) -> Ended {
    Ended::with(
        crate::incident::record::StepOutcome::Skipped,
        format!("skipped: {reason}"),
    )
}

async fn action(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let name = step
        .action
        .as_ref()
        .map(|a| a.get_ref().as_str())
        .unwrap_or_default();
    let action: &dyn Action = catalogue::find(name).map_err(|e| invalid(e.to_string()))?;
    let resource = render(scope, step.resource.as_ref())?
        .or_else(|| action.default_target(shared.executor.estate()))
        .ok_or_else(|| invalid(format!("step {path} names no resource for {name}")))?;
    let mut map = render_args(scope, step)?;
    let resource = match &shared.options.drill {
        Some(drill) => drill
            .action(action, &resource, &mut map)
            .map_err(|why| invalid(format!("not in a drill: {why}")))?,
        None => resource,
    };
    let args = Args::from_map(name, action.args(), map.clone()).map_err(StepFailure::from)?;
    shared.update(path, |s| {
        s.operation = Some(name.to_owned());
        s.resource = Some(resource.clone());
        s.danger = Some(action.danger());
    });
    if shared.in_flight.contains(path) {
        shared.log(
            path,
            "this step was in flight when the run stopped: its precheck decides what is left",
        );
    }
    let mut typed: Option<String> = None;
    loop {
        let plan = shared.executor.plan(action, &resource, &args).await?;
        shared.update(path, |s| s.preview = plan.preview_lines());
        if !plan.is_noop() && typed.is_none() {
            let destructive =
                plan.danger == Danger::Destructive && !shared.executor.owns(&resource);
            if destructive && shared.options.confirm.contains(&resource) {
                typed = Some(resource.clone());
            } else if destructive {
                match shared
                    .ask(
                        path,
                        Need::Confirm {
                            name: resource.clone(),
                        },
                    )
                    .await
                {
                    Command::Confirm { typed: t, .. } => typed = Some(t),
                    Command::Skip { reason, .. } => return Ok(Some(skipped(reason))),
                    Command::Cancel => return Ok(None),
                    _ => continue,
                }
            } else if shared.options.ask_before_writes && !path.contains('/') {
                match shared.ask(path, Need::Start).await {
                    Command::Run(_) => {}
                    Command::Skip { reason, .. } => return Ok(Some(skipped(reason))),
                    Command::Cancel => return Ok(None),
                    _ => continue,
                }
            }
        }
        let progress = {
            let shared = Arc::clone(shared);
            let path = path.to_owned();
            move |p: crate::action::Progress| {
                let line = if p.of > 0 {
                    format!("{}/{} {}", p.step, p.of, p.what)
                } else {
                    p.what
                };
                shared.log(&path, line);
            }
        };
        let run = shared.executor.run(
            action,
            &resource,
            &args,
            typed.as_deref(),
            Some(&plan),
            &progress,
        );
        let result = match step.timeout.as_ref() {
            Some(t) => match tokio::time::timeout(t.get_ref().as_duration(), run).await {
                Ok(r) => r,
                Err(_) => {
                    return Err(StepFailure {
                        outputs: BTreeMap::new(),
                        message: format!(
                            "gave up after {}: what was sent stays sent; a retry plans only what is left",
                            t.get_ref()
                        ),
                        retryable: true,
                    });
                }
            },
            None => run.await,
        };
        match result {
            Ok(outcome) => {
                let ids: Vec<String> = outcome
                    .sent
                    .iter()
                    .filter_map(|(_, sent)| sent.request_id.clone())
                    .collect();
                let mut outputs = BTreeMap::new();
                let created = plan
                    .creates
                    .first()
                    .cloned()
                    .or_else(|| args.get("new-name").map(str::to_owned))
                    .unwrap_or_else(|| resource.clone());
                outputs.insert("created".to_owned(), created);
                outputs.insert("run".to_owned(), outcome.run.clone());
                outputs.insert("resource".to_owned(), resource.clone());
                let status = match &outcome.status {
                    crate::action::Status::Done => "done",
                    crate::action::Status::AlreadyDone(_) => "already-done",
                };
                outputs.insert("status".to_owned(), status.to_owned());
                if let crate::action::Status::AlreadyDone(why) = &outcome.status {
                    shared.log(path, format!("already done: {why}"));
                }
                for note in &outcome.notes {
                    shared.log(path, format!("note: {note}"));
                }
                shared.update(path, |s| s.request_ids.extend(ids));
                return Ok(Some(Ended::ok(outputs)));
            }
            Err(ActionError::Refused {
                guard: Guard::Confirmation,
                reason,
            }) => {
                shared.log(path, reason);
                typed = None;
                if shared.options.confirm.contains(&resource) {
                    return Err(invalid("the confirmation was refused"));
                }
            }
            // The estate moved since the preview: show the new one.
            Err(ActionError::Refused {
                guard: Guard::Preview,
                reason,
            }) => {
                shared.log(path, reason);
                typed = None;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

async fn verify(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let name = step
        .check
        .as_ref()
        .map(|c| c.get_ref().as_str())
        .unwrap_or_default();
    let check = catalogue::find_check(name).ok_or_else(|| invalid(format!("no check `{name}`")))?;
    let mut resource = render(scope, step.resource.as_ref())?
        .ok_or_else(|| invalid(format!("step {path} names no resource for {name}")))?;
    let mut map = render_args(scope, step)?;
    if let Some(drill) = &shared.options.drill {
        resource = drill.read(&resource);
        for value in map.values_mut() {
            *value = drill.read(value);
        }
    }
    let args = Args::from_map(name, check.args(), map).map_err(StepFailure::from)?;
    shared.update(path, |s| {
        s.operation = Some(name.to_owned());
        s.resource = Some(resource.clone());
        s.danger = Some(Danger::Read);
    });
    let progress = {
        let shared = Arc::clone(shared);
        let path = path.to_owned();
        move |line: String| shared.log(&path, line)
    };
    let report = shared
        .executor
        .check(check, &resource, &args, &progress)
        .await?;
    for line in &report.lines {
        shared.log(path, line.clone());
    }
    let mut outputs = BTreeMap::new();
    outputs.insert("passed".to_owned(), report.passed.to_string());
    outputs.insert("summary".to_owned(), report.summary.clone());
    if let Some(figures) = report.figures.as_object() {
        for (k, v) in figures {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            outputs.insert(format!("figure.{k}"), v);
        }
    }
    if !report.passed {
        return Err(StepFailure {
            outputs,
            message: format!("{name} on {resource} did not pass: {}", report.summary),
            retryable: true,
        });
    }
    Ok(Some(Ended::ok(outputs)))
}

async fn wait(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let until = *step
        .until
        .as_ref()
        .ok_or_else(|| invalid("a wait step needs `until`"))?
        .get_ref();
    let resource = render(scope, step.resource.as_ref())?
        .ok_or_else(|| invalid(format!("step {path} names no resource to wait for")))?;
    let resource = match &shared.options.drill {
        Some(drill) => drill.read(&resource),
        None => resource,
    };
    let estate = shared.executor.estate();
    let region = render(scope, step.region.as_ref())?
        .unwrap_or_else(|| estate.regions.primary.get_ref().clone());
    let timeout = step
        .timeout
        .as_ref()
        .map_or(Duration::from_secs(30 * 60), |t| t.get_ref().as_duration());
    let every = shared.options.poll_every.unwrap_or(Duration::from_secs(5));
    shared.update(path, |s| {
        s.operation = Some(format!("wait {}", until_label(until)));
        s.resource = Some(resource.clone());
    });
    let start = shared.now();
    loop {
        if shared.is_cancelled() {
            return Ok(None);
        }
        let looked = look(shared, until, &resource, &region).await;
        let waited = (shared.now() - start).to_std().unwrap_or_default();
        match looked {
            Ok(Looked::Done(found)) => {
                let mut outputs = BTreeMap::new();
                outputs.insert("found".to_owned(), found);
                return Ok(Some(Ended::ok(outputs)));
            }
            Ok(Looked::Failed(why)) => return Err(invalid(why)),
            Ok(Looked::NotYet(found)) => {
                if waited >= timeout {
                    return Err(StepFailure {
                        outputs: BTreeMap::new(),
                        message: format!(
                            "still not {} after {}: {found}",
                            until_label(until),
                            crate::config::Dur::from_secs(waited.as_secs())
                        ),
                        retryable: true,
                    });
                }
                shared.log(
                    path,
                    format!(
                        "{found} ({} of at most {})",
                        crate::config::Dur::from_secs(waited.as_secs()),
                        crate::config::Dur::from_secs(timeout.as_secs())
                    ),
                );
            }
            Err(e) => return Err(e),
        }
        shared
            .cloud
            .pause(every.min(timeout.saturating_sub(waited).max(Duration::from_secs(1))))
            .await;
    }
}

fn until_label(until: WaitUntil) -> &'static str {
    match until {
        WaitUntil::TableActive => "table-active",
        WaitUntil::TableDeleted => "table-deleted",
        WaitUntil::FunctionActive => "function-active",
        WaitUntil::StackSettled => "stack-settled",
        WaitUntil::DnsOnSecondary => "dns-on-secondary",
        WaitUntil::DnsOnPrimary => "dns-on-primary",
        WaitUntil::AlarmOk => "alarm-ok",
    }
}

/// One look at a wait step's condition, through the actions' own looks where one fits.
async fn look(
    shared: &Arc<Shared>,
    until: WaitUntil,
    resource: &str,
    region: &str,
) -> Result<Looked, StepFailure> {
    let (region, name) = (region.to_owned(), resource.to_owned());
    let cloud = shared.cloud.as_ref();
    let via = |w: WaitFor| async move {
        w.look(cloud, None)
            .await
            .map_err(|e| StepFailure::from(ActionError::Cloud(e)))
    };
    match until {
        WaitUntil::TableActive => {
            via(WaitFor::TableActive {
                region,
                table: name,
            })
            .await
        }
        WaitUntil::TableDeleted => {
            via(WaitFor::TableDeleted {
                region,
                table: name,
            })
            .await
        }
        WaitUntil::FunctionActive => {
            via(WaitFor::FunctionActive {
                region,
                function: name,
            })
            .await
        }
        WaitUntil::StackSettled => {
            via(WaitFor::StackSettled {
                region,
                stack: name,
            })
            .await
        }
        WaitUntil::DnsOnSecondary | WaitUntil::DnsOnPrimary => {
            // The failover action's own precheck reads which record Route53 answers with:
            // nothing to do means the SECONDARY already serves.
            let ctx = context(shared);
            let failover = catalogue::find("failover-dns").map_err(|e| invalid(e.to_string()))?;
            let plan = failover.plan(&ctx, &name, &Args::default()).await?;
            let on_secondary = plan.is_noop();
            let want = until == WaitUntil::DnsOnSecondary;
            let side = if on_secondary { "SECONDARY" } else { "PRIMARY" };
            let found = format!("Route53 answers {name} with its {side}");
            Ok(if on_secondary == want {
                Looked::Done(found)
            } else {
                Looked::NotYet(found)
            })
        }
        WaitUntil::AlarmOk => {
            let alarms = shared
                .cloud
                .describe_alarms(&region, std::slice::from_ref(&name), None)
                .await
                .map_err(|e| StepFailure::from(ActionError::Cloud(e)))?;
            match alarms.first() {
                None => Err(invalid(format!("no alarm {name} in {region}"))),
                Some(a) if a.state == crate::cloud::AlarmState::Ok => {
                    Ok(Looked::Done(format!("{name} is OK")))
                }
                Some(a) => Ok(Looked::NotYet(format!("{name} is {:?}", a.state))),
            }
        }
    }
}

pub(super) fn context(shared: &Shared) -> Context<'_> {
    Context {
        cloud: shared.cloud.as_ref(),
        estate: shared.executor.estate(),
        now: shared.cloud.now(),
    }
}

async fn input(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let name = step
        .input
        .as_ref()
        .map(|i| i.get_ref().clone())
        .unwrap_or_default();
    let spec = shared
        .runbook
        .inputs
        .iter()
        .find(|i| i.name.get_ref() == &name)
        .ok_or_else(|| invalid(format!("no input `{name}` in the runbook")))?
        .clone();
    // A default built from what an earlier step did not find (no bad record, no date)
    // is no default: the person types the value.
    let default = render(scope, spec.default.as_ref()).ok().flatten();
    let window_of = render(scope, spec.within_pitr_of.as_ref())?;
    let window = match &window_of {
        Some(table) => {
            let region = shared.executor.estate().regions.primary.get_ref().clone();
            // A drill restores its copy: the copy's window is the one that holds.
            let read = match &shared.options.drill {
                Some(drill) => drill.read(table),
                None => table.clone(),
            };
            let w = shared
                .cloud
                .describe_continuous_backups(&region, &read)
                .await
                .map_err(|e| StepFailure::from(ActionError::Cloud(e)))?;
            match (w.earliest_restorable, w.latest_restorable) {
                (Some(a), Some(b)) => Some((table.clone(), a, b)),
                _ => {
                    return Err(invalid(format!(
                        "{table} has no point-in-time window in {region}: PITR is off"
                    )));
                }
            }
        }
        None => None,
    };
    let hint = window.as_ref().map(|(t, a, b)| {
        format!(
            "{t} can be restored to any time from {} to {}",
            a.format("%Y-%m-%d %H:%M:%SZ"),
            b.format("%Y-%m-%d %H:%M:%SZ")
        )
    });
    let given = shared
        .inputs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&name)
        .cloned();
    let mut error = None;
    let mut candidate = given;
    loop {
        if let Some(value) = candidate.take() {
            match validate(
                &spec.kind,
                &spec.choices,
                &value,
                window.as_ref(),
                shared.now(),
            ) {
                Ok(value) => {
                    shared
                        .inputs
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(name.clone(), value.clone());
                    shared
                        .journal(Record::InputGiven {
                            run: shared.run.clone(),
                            step: path.to_owned(),
                            name: name.clone(),
                            value: value.clone(),
                        })
                        .await?;
                    if let (Some((table, _, _)), InputKind::Time) = (&window, spec.kind) {
                        restore_point(shared, table, &value, "point-in-time restore").await;
                    }
                    let mut outputs = BTreeMap::new();
                    outputs.insert("value".to_owned(), value);
                    return Ok(Some(Ended::ok(outputs)));
                }
                Err(why) => {
                    shared.log(path, why.clone());
                    error = Some(why);
                }
            }
        }
        let need = Need::Input {
            prompt: spec.prompt.clone(),
            kind: spec.kind,
            default: default.clone(),
            choices: spec.choices.clone(),
            hint: hint.clone(),
            error: error.clone(),
        };
        match shared.ask(path, need).await {
            Command::Provide { value, .. } => candidate = Some(value),
            Command::Skip { reason, .. } => return Ok(Some(skipped(reason))),
            Command::Cancel => return Ok(None),
            _ => {}
        }
    }
}

/// A typed value made canonical (a time as RFC 3339), or why it is refused.
fn validate(
    kind: &InputKind,
    choices: &[String],
    value: &str,
    window: Option<&(
        String,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    )>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, String> {
    let value = value.trim();
    match kind {
        InputKind::Text if value.is_empty() => Err("a value is needed".to_owned()),
        InputKind::Text => Ok(value.to_owned()),
        InputKind::Count => value
            .parse::<u64>()
            .map(|n| n.to_string())
            .map_err(|_| format!("`{value}` is not a whole number")),
        InputKind::Choice => choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .cloned()
            .ok_or_else(|| format!("`{value}` is not one of: {}", choices.join(", "))),
        InputKind::Time => {
            let at = crate::incident::when::parse_time(value, now)?;
            if let Some((table, earliest, latest)) = window
                && (at < *earliest || at > *latest)
            {
                return Err(format!(
                    "{} is outside {table}'s restorable window ({} to {})",
                    at.format("%Y-%m-%d %H:%M:%SZ"),
                    earliest.format("%Y-%m-%d %H:%M:%SZ"),
                    latest.format("%Y-%m-%d %H:%M:%SZ")
                ));
            }
            // Sub-seconds kept: a window can begin inside a second (moto's is narrower than one),
            // and a value rounded down would fall outside what was checked.
            Ok(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
    }
}

/// Journals the point data is restored to, for the service that owns `table`.
async fn restore_point(shared: &Shared, table: &str, time: &str, source: &str) {
    let Ok(point) = chrono::DateTime::parse_from_rfc3339(time) else {
        return;
    };
    let estate = shared.executor.estate();
    let Some(service) = estate
        .services
        .iter()
        .find(|s| s.tables.iter().any(|t| t.get_ref() == table))
    else {
        return;
    };
    let _ = shared
        .journal(Record::RestorePointChosen {
            service: service.name.clone(),
            point: point.with_timezone(&chrono::Utc),
            source: Some(format!("{table}: {source}")),
        })
        .await;
}

async fn decision(
    shared: &Arc<Shared>,
    step: &Step,
    path: &str,
    scope: &Scope,
) -> Result<Option<Ended>, StepFailure> {
    let mut computed: Vec<super::sources::Source> = Vec::new();
    let mut table = None;
    let options: Vec<ChoiceView> = match step.choose.as_ref().map(|c| *c.get_ref()) {
        Some(Chooser::RestoreSource) => {
            let t = render(scope, step.resource.as_ref())?
                .ok_or_else(|| invalid("the restore source chooser needs `resource`"))?;
            shared.update(path, |s| {
                s.operation = Some("restore-source".to_owned());
                s.resource = Some(t.clone());
            });
            let ctx = context(shared);
            let (sources, unknown) = super::sources::restore_sources(&ctx, &t).await;
            for u in &unknown {
                shared.log(path, format!("could not read: {u}"));
            }
            computed = sources
                .into_iter()
                .filter(|s| step.options.iter().any(|o| o.id.get_ref() == s.kind.id()))
                .collect();
            if computed.iter().all(|s| !s.usable) {
                return Err(StepFailure {
                    outputs: BTreeMap::new(),
                    message: format!(
                        "no usable restore source for {t} in {}{}",
                        shared.executor.estate().regions.backup.get_ref(),
                        if unknown.is_empty() {
                            String::new()
                        } else {
                            format!(" (could not read: {})", unknown.join("; "))
                        }
                    ),
                    retryable: true,
                });
            }
            table = Some(t);
            computed
                .iter()
                .map(|s| ChoiceView {
                    id: s.kind.id().to_owned(),
                    label: s.label.clone(),
                    detail: Some(format!(
                        "data loss {}{}",
                        s.loss,
                        s.rpo.map(|r| format!(", RPO {r}")).unwrap_or_default()
                    )),
                    available: s.usable,
                })
                .collect()
        }
        None => step
            .options
            .iter()
            .map(|o| ChoiceView {
                id: o.id.get_ref().clone(),
                label: if o.label.is_empty() {
                    o.id.get_ref().clone()
                } else {
                    o.label.clone()
                },
                detail: None,
                available: true,
            })
            .collect(),
    };
    let preselected = options.iter().position(|o| o.available);
    let chosen_up_front = shared
        .options
        .choose
        .get(path)
        .or_else(|| shared.options.choose.get(step.id.get_ref()))
        .cloned();
    let mut answer = chosen_up_front
        .map(|o| (o, "chosen up front".to_owned()))
        .or_else(|| {
            (shared.options.take_preselected)
                .then(|| {
                    preselected.map(|i| {
                        (
                            options[i].id.clone(),
                            "the freshest source, preselected".to_owned(),
                        )
                    })
                })
                .flatten()
        });
    let (choice, rationale) = loop {
        if let Some((option, rationale)) = answer.take() {
            match options.iter().find(|o| o.id == option) {
                Some(o) if o.available => break (option, rationale),
                _ => shared.log(path, format!("`{option}` is not an available option here")),
            }
        }
        let need = Need::Choice {
            options: options.clone(),
            preselected,
        };
        match shared.ask(path, need).await {
            Command::Choose {
                option, rationale, ..
            } => answer = Some((option, rationale)),
            Command::Skip { reason, .. } => return Ok(Some(skipped(reason))),
            Command::Cancel => return Ok(None),
            _ => {}
        }
    };
    shared
        .journal(Record::Decision {
            choice: choice.clone(),
            rationale: rationale.clone(),
            step: Some(path.to_owned()),
            run: Some(shared.run.clone()),
        })
        .await?;
    let mut outputs = BTreeMap::new();
    outputs.insert("choice".to_owned(), choice.clone());
    if let Some(source) = computed.iter().find(|s| s.kind.id() == choice) {
        outputs.insert("source".to_owned(), choice.clone());
        outputs.insert("loss".to_owned(), source.loss.to_string());
        outputs.insert(
            "region".to_owned(),
            shared.executor.estate().regions.backup.get_ref().clone(),
        );
        outputs.extend(source.outputs.clone());
        if let (Some(table), Some(point)) = (&table, source.point) {
            let time = point.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            outputs.entry("time".to_owned()).or_insert(time.clone());
            restore_point(shared, table, &time, &source.label).await;
        }
    }
    let goto = step
        .options
        .iter()
        .find(|o| o.id.get_ref() == &choice)
        .and_then(|o| o.goto.as_ref().map(|g| g.get_ref().clone()));
    Ok(Some(super::runner::Ended {
        outcome: crate::incident::record::StepOutcome::Succeeded,
        outputs,
        goto,
        detail: Some(format!("chose {choice}: {rationale}")),
    }))
}
