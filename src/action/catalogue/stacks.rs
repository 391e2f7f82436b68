//! CloudFormation actions: change a stack's parameters (the plan's "scale up backup region"),
//! make a stack from a template file or from a deleted stack's template, delete a stack.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, SafetyNet, TargetKind,
    Undo, WaitFor, missing_target,
};
use crate::cloud::{
    CloudError, StackInfo, StackParameter, StackPhase, TemplateSource, WriteRequest,
};
use crate::config::StackEntry;

/// How long a stack may take to settle before the run gives up waiting (what was sent stays
/// sent; a re-run finds where it stands).
const SETTLE_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How DescribeStacks shows a NoEcho parameter: not its value, so never one to send back.
const MASKED: &str = "****";

/// The estate's entry for `stack` and the region it lives in.
fn entry<'e>(ctx: &'e Context<'_>, stack: &str) -> Result<(&'e StackEntry, String), ActionError> {
    let entry = ctx
        .estate
        .stacks
        .iter()
        .find(|s| s.name.get_ref() == stack)
        .ok_or_else(|| ActionError::Invalid(format!("{stack} is not a stack of the estate")))?;
    let region = entry
        .region
        .as_ref()
        .map_or_else(|| ctx.primary().to_owned(), |r| r.get_ref().clone());
    Ok((entry, region))
}

fn not_found(e: CloudError, stack: &str, region: &str) -> ActionError {
    if e.is_not_found() {
        missing_target(TargetKind::Stack, stack, region)
    } else {
        ActionError::Cloud(e)
    }
}

/// `Key=Value,Key=Value` into pairs, in the order written; a key twice is an error.
fn parse_pairs(arg: &str, what: &str) -> Result<Vec<(String, String)>, ActionError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in arg.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(ActionError::Invalid(format!(
                "argument {what}: `{part}` is not Key=Value"
            )));
        };
        let key = key.trim().to_owned();
        if key.is_empty() {
            return Err(ActionError::Invalid(format!(
                "argument {what}: `{part}` has no key"
            )));
        }
        if pairs.iter().any(|(k, _)| k == &key) {
            return Err(ActionError::Invalid(format!(
                "argument {what} sets {key} twice"
            )));
        }
        pairs.push((key, value.trim().to_owned()));
    }
    if pairs.is_empty() {
        return Err(ActionError::Invalid(format!(
            "argument {what} sets nothing; write Key=Value[,Key=Value]"
        )));
    }
    Ok(pairs)
}

fn parameters_json(info: &StackInfo) -> serde_json::Value {
    info.parameters
        .iter()
        .map(|p| (p.key.clone(), json!(p.value)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// A stack CloudFormation is still changing refuses another change: say so before sending.
fn settled(info: &StackInfo) -> Result<(), ActionError> {
    if info.phase() == StackPhase::InProgress {
        return Err(ActionError::Invalid(format!(
            "stack {} is {}: run it again once it has settled",
            info.name, info.status
        )));
    }
    Ok(())
}

pub struct UpdateStack;

const UPDATE_ARGS: &[ArgSpec] = &[ArgSpec {
    name: "set",
    kind: ArgKind::Text,
    required: true,
    help: "the parameters to change, Key=Value[,Key=Value]; every other parameter keeps its \
           value",
}];

#[async_trait]
impl Action for UpdateStack {
    fn name(&self) -> &'static str {
        "update-stack"
    }
    fn summary(&self) -> &'static str {
        "Change a stack's parameters, keeping its template and every other parameter (the \
         plan's \"scale up backup region\")"
    }
    fn details(&self) -> &'static str {
        "Sends UpdateStack with UsePreviousTemplate and, for every parameter not set, \
         UsePreviousValue: a parameter left out of an update would fall back to the template's \
         default. Waits for the stack to settle, showing its newest event. A stack already at \
         the values sends nothing. Undo sets the changed parameters back."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Stack
    }
    fn default_target(&self, estate: &crate::config::Estate) -> Option<String> {
        estate
            .stacks
            .iter()
            .find(|s| s.role == Some(crate::config::StackRole::BackupCapacity))
            .map(|s| s.name.get_ref().clone())
    }
    fn args(&self) -> &'static [ArgSpec] {
        UPDATE_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, stack: &str, args: &Args) -> Result<Plan, ActionError> {
        let (_, region) = entry(ctx, stack)?;
        let set = parse_pairs(args.get("set").unwrap_or_default(), "set")?;
        let info = ctx
            .cloud
            .describe_stack(&region, stack)
            .await
            .map_err(|e| not_found(e, stack, &region))?;
        let mut plan = Plan::new(self.name(), stack, self.danger(), args);
        plan.before = json!({
            "stack_id": info.id,
            "status": info.status,
            "parameters": parameters_json(&info),
        });
        let current = |key: &str| {
            info.parameters
                .iter()
                .find(|p| p.key == key)
                .map(|p| p.value.clone().unwrap_or_default())
        };
        if let Some((key, _)) = set.iter().find(|(k, _)| current(k).is_none()) {
            let known: Vec<&str> = info.parameters.iter().map(|p| p.key.as_str()).collect();
            return Err(ActionError::Invalid(format!(
                "stack {stack} has no parameter {key} (it has: {})",
                known.join(", ")
            )));
        }
        let changed: Vec<&(String, String)> = set
            .iter()
            .filter(|(k, v)| current(k).as_deref() != Some(v.as_str()))
            .collect();
        if changed.is_empty() {
            // After a run that gave up waiting, the values are there but CloudFormation may
            // still be applying them: say so rather than call it finished.
            let still = match info.phase() {
                StackPhase::Complete => String::new(),
                _ => format!("; the stack is {}", info.status),
            };
            return Ok(plan.done(format!(
                "{stack} already has {}{still}",
                set.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        settled(&info)?;
        // Every parameter named, the unchanged ones as UsePreviousValue: one left out would
        // take the template's default.
        let with = |values: &dyn Fn(&str) -> Option<String>| -> Vec<StackParameter> {
            info.parameters
                .iter()
                .map(|p| StackParameter {
                    key: p.key.clone(),
                    value: values(&p.key),
                })
                .collect()
        };
        let request = |parameters| WriteRequest::UpdateStack {
            region: region.clone(),
            stack: stack.to_owned(),
            parameters,
        };
        plan.requests.push(request(with(&|key| {
            changed
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        })));
        plan.wait_after_last(
            WaitFor::StackSettled {
                region: region.clone(),
                stack: stack.to_owned(),
            },
            SETTLE_TIMEOUT,
        );
        let masked: Vec<&str> = changed
            .iter()
            .filter(|(k, _)| current(k).as_deref() == Some(MASKED))
            .map(|(k, _)| k.as_str())
            .collect();
        if masked.is_empty() {
            plan.undo = Some(Undo {
                summary: format!(
                    "set {} of {stack} back",
                    changed
                        .iter()
                        .map(|(k, _)| format!("{k}={}", current(k).unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                requests: vec![request(with(&|key| {
                    changed
                        .iter()
                        .any(|(k, _)| k == key)
                        .then(|| current(key).unwrap_or_default())
                }))],
                waits: Vec::new(),
            });
        } else {
            plan.notes.push(format!(
                "no undo: CloudFormation does not show the current value of {} (NoEcho)",
                masked.join(", ")
            ));
        }
        let kept: Vec<&str> = info
            .parameters
            .iter()
            .filter(|p| !changed.iter().any(|(k, _)| k == &p.key))
            .map(|p| p.key.as_str())
            .collect();
        if !kept.is_empty() {
            plan.notes.push(format!(
                "{} keep their values (sent as UsePreviousValue)",
                kept.join(", ")
            ));
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let (_, region) = entry(ctx, &plan.target).map_err(|e| e.to_string())?;
        let set = parse_pairs(plan.args.get("set").unwrap_or_default(), "set")
            .map_err(|e| e.to_string())?;
        let info = ctx
            .cloud
            .describe_stack(&region, &plan.target)
            .await
            .map_err(|e| format!("cannot read it back: {e}"))?;
        if info.phase() != StackPhase::Complete {
            return Err(format!("{} is {}", plan.target, info.status));
        }
        for (key, want) in &set {
            let has = info
                .parameters
                .iter()
                .find(|p| &p.key == key)
                .and_then(|p| p.value.clone());
            if has.as_deref() != Some(want.as_str()) {
                return Err(format!("{key} reads {has:?}, not {want}"));
            }
        }
        Ok(())
    }
}

pub struct CreateStack;

const CREATE_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "template",
        kind: ArgKind::Text,
        required: false,
        help: "the template file, relative to the estate file (default: the stack's `template` \
               in the estate file)",
    },
    ArgSpec {
        name: "from-deleted",
        kind: ArgKind::Text,
        required: false,
        help: "the stack id (ARN) of a deleted stack: its template, parameters and \
               capabilities, as GetTemplate and DescribeStacks still return them",
    },
    ArgSpec {
        name: "params",
        kind: ArgKind::Text,
        required: false,
        help: "parameters, Key=Value[,Key=Value] (over a deleted stack's own)",
    },
    ArgSpec {
        name: "capabilities",
        kind: ArgKind::Text,
        required: false,
        help: "capabilities to acknowledge, comma-separated, e.g. CAPABILITY_NAMED_IAM",
    },
];

/// CreateStack takes a template body of at most 51,200 bytes; a larger one must be in S3.
const MAX_TEMPLATE_BODY: usize = 51_200;

#[async_trait]
impl Action for CreateStack {
    fn name(&self) -> &'static str {
        "create-stack"
    }
    fn summary(&self) -> &'static str {
        "Make a stack of the estate from a template file, or again from a deleted stack's \
         template"
    }
    fn details(&self) -> &'static str {
        "The template comes from --arg template=FILE, the stack's `template` in the estate \
         file, or --arg from-deleted=STACK_ID: a deleted stack's template, parameters and \
         capabilities still answer by its id (for 90 days). Waits for CREATE_COMPLETE, \
         showing the newest event. A stack that already exists and is complete sends nothing. \
         No undo: delete-stack removes it."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Stack
    }
    fn args(&self) -> &'static [ArgSpec] {
        CREATE_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, stack: &str, args: &Args) -> Result<Plan, ActionError> {
        let (entry, region) = entry(ctx, stack)?;
        let mut plan = Plan::new(self.name(), stack, self.danger(), args);
        match ctx.cloud.describe_stack(&region, stack).await {
            Ok(info) => {
                plan.before = json!({ "stack_id": info.id, "status": info.status });
                return match info.phase() {
                    StackPhase::Complete => Ok(plan.done(format!(
                        "{stack} already exists in {region} and is {}",
                        info.status
                    ))),
                    StackPhase::InProgress => Err(ActionError::Invalid(format!(
                        "stack {stack} is {}: run it again once it has settled",
                        info.status
                    ))),
                    StackPhase::Failed => Err(ActionError::Invalid(format!(
                        "stack {stack} exists in {region} as {}: delete it first \
                         (delete-stack), then create it again",
                        info.status
                    ))),
                };
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        let file = args
            .get("template")
            .map(str::to_owned)
            .or_else(|| entry.template.as_ref().map(|t| t.get_ref().clone()));
        let (template, mut parameters, mut capabilities, source) =
            match (args.get("from-deleted"), file) {
                (Some(_), Some(_)) if args.get("template").is_some() => {
                    return Err(ActionError::Invalid(
                        "give either template or from-deleted, not both".to_owned(),
                    ));
                }
                (Some(id), _) => {
                    let (body, old) = tokio::join!(
                        ctx.cloud.get_template(&region, id),
                        ctx.cloud.describe_stack(&region, id)
                    );
                    let body = body.map_err(|e| {
                        if e.is_not_found() {
                            ActionError::Invalid(format!(
                                "CloudFormation has no template for stack id {id} in {region}"
                            ))
                        } else {
                            ActionError::Cloud(e)
                        }
                    })?;
                    let (parameters, capabilities) = match old {
                        Ok(old) => (
                            old.parameters
                                .into_iter()
                                .filter(|p| p.value.as_deref() != Some(MASKED))
                                .map(|p| (p.key, p.value.unwrap_or_default()))
                                .collect(),
                            old.capabilities,
                        ),
                        Err(_) => (Vec::new(), Vec::new()),
                    };
                    (
                        body,
                        parameters,
                        capabilities,
                        format!("the template of {id}"),
                    )
                }
                (None, Some(file)) => {
                    let path = ctx.estate.base_dir.join(&file);
                    let body = std::fs::read_to_string(&path).map_err(|e| {
                        ActionError::Invalid(format!(
                            "cannot read the template {}: {e}",
                            path.display()
                        ))
                    })?;
                    (
                        body,
                        Vec::new(),
                        Vec::new(),
                        format!("file {}", path.display()),
                    )
                }
                (None, None) => {
                    return Err(ActionError::Invalid(format!(
                        "stack {stack} has no template in the estate file: give --arg \
                         template=FILE or --arg from-deleted=STACK_ID"
                    )));
                }
            };
        if template.len() > MAX_TEMPLATE_BODY {
            return Err(ActionError::Invalid(format!(
                "the template is {} bytes; CloudFormation takes at most {MAX_TEMPLATE_BODY} in \
                 the request: upload it to S3 and create the stack from its URL",
                template.len()
            )));
        }
        if let Some(given) = args.get("params") {
            for (key, value) in parse_pairs(given, "params")? {
                match parameters.iter_mut().find(|(k, _)| k == &key) {
                    Some(slot) => slot.1 = value,
                    None => parameters.push((key, value)),
                }
            }
        }
        if let Some(given) = args.get("capabilities") {
            capabilities = given
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
        }
        plan.before = json!({ "exists": false, "template": source });
        plan.requests.push(WriteRequest::CreateStack {
            region: region.clone(),
            stack: stack.to_owned(),
            template: TemplateSource::Body(template),
            parameters: parameters
                .into_iter()
                .map(|(k, v)| StackParameter::new(k, v))
                .collect(),
            capabilities,
        });
        plan.wait_after_last(
            WaitFor::StackSettled {
                region: region.clone(),
                stack: stack.to_owned(),
            },
            SETTLE_TIMEOUT,
        );
        plan.notes.push(format!(
            "from {source}; no undo: delete-stack removes the stack and what it made"
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let (_, region) = entry(ctx, &plan.target).map_err(|e| e.to_string())?;
        match ctx.cloud.describe_stack(&region, &plan.target).await {
            Ok(info) if info.phase() == StackPhase::Complete => Ok(()),
            Ok(info) => Err(format!("{} is {}", plan.target, info.status)),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

pub struct DeleteStack;

#[async_trait]
impl Action for DeleteStack {
    fn name(&self) -> &'static str {
        "delete-stack"
    }
    fn summary(&self) -> &'static str {
        "Delete a stack and every resource it made (its template and parameters saved first)"
    }
    fn details(&self) -> &'static str {
        "The stack's template, parameters and capabilities are saved in the journal first, \
         and its id is kept: create-stack --arg from-deleted=STACK_ID makes it again. Waits \
         for DELETE_COMPLETE, by id. Resources with a Retain policy stay."
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Stack
    }

    async fn plan(&self, ctx: &Context<'_>, stack: &str, args: &Args) -> Result<Plan, ActionError> {
        let (_, region) = entry(ctx, stack)?;
        let mut plan = Plan::new(self.name(), stack, self.danger(), args);
        let info = match ctx.cloud.describe_stack(&region, stack).await {
            Ok(info) => info,
            Err(e) if e.is_not_found() => {
                return Ok(plan.done(format!("there is no stack {stack} in {region}")));
            }
            Err(e) => return Err(e.into()),
        };
        plan.before = json!({
            "stack_id": info.id,
            "status": info.status,
            "parameters": parameters_json(&info),
        });
        if info.status.starts_with("DELETE_") && info.phase() == StackPhase::InProgress {
            return Ok(plan.done(format!("{stack} is already being deleted")));
        }
        // Without its template the stack cannot be made again: no safety net, no delete.
        let template = ctx.cloud.get_template(&region, &info.id).await?;
        plan.safety_net.push(SafetyNet {
            what: format!(
                "the template ({} bytes), parameters and capabilities of stack {stack} ({})",
                template.len(),
                info.id
            ),
            saved: json!({
                "stack_id": info.id,
                "region": region,
                "template": template,
                "parameters": parameters_json(&info),
                "capabilities": info.capabilities,
            }),
            request: None,
        });
        plan.requests.push(WriteRequest::DeleteStack {
            region: region.clone(),
            stack: stack.to_owned(),
        });
        plan.wait_after_last(
            WaitFor::StackSettled {
                region: region.clone(),
                stack: info.id.clone(),
            },
            SETTLE_TIMEOUT,
        );
        plan.notes.push(format!(
            "no undo; to make it again: drconsole action run create-stack --target {stack} \
             --arg from-deleted={}",
            info.id
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let (_, region) = entry(ctx, &plan.target).map_err(|e| e.to_string())?;
        match ctx.cloud.describe_stack(&region, &plan.target).await {
            Err(e) if e.is_not_found() => Ok(()),
            Ok(info) if info.status == "DELETE_COMPLETE" => Ok(()),
            Ok(info) => Err(format!("{} is {}", plan.target, info.status)),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_key_value_each_key_once() {
        assert_eq!(
            parse_pairs("InstanceCount=3, Environment=production", "set").unwrap(),
            [
                ("InstanceCount".to_owned(), "3".to_owned()),
                ("Environment".to_owned(), "production".to_owned())
            ]
        );
        for bad in ["InstanceCount", "=3", "A=1,A=2", " , "] {
            assert!(parse_pairs(bad, "set").is_err(), "{bad}");
        }
    }
}
