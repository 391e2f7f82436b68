//! CloudFormation in the simulation: the estate's stacks, with AWS's timing on the clock (an
//! update runs for four minutes, a create for five, a delete for three) and a stack event for
//! each step, so a rehearsal shows the progress it will show for real.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::{Call, SimCloud, fnv};
use crate::cloud::{
    CloudError, CloudResult, ErrorKind, StackEvent, StackInfo, StackParameter, Stacks,
    TemplateSource,
};
use crate::config::{Estate, StackRole};

const SERVICE: &str = "cloudformation";
const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// How long each operation runs, and when its resource events fall within it.
pub const UPDATE_TAKES: Duration = Duration::minutes(4);
pub const CREATE_TAKES: Duration = Duration::minutes(5);
pub const DELETE_TAKES: Duration = Duration::minutes(3);

/// One stack, with its whole history: events dated after "now" have not happened yet, and
/// the status is the newest stack-level event that has.
#[derive(Debug, Clone)]
pub(super) struct SimStack {
    pub name: String,
    pub id: String,
    pub region: String,
    pub template: String,
    pub parameters: Vec<(String, String)>,
    /// The template's defaults: what a parameter left out of an update falls back to.
    pub defaults: BTreeMap<String, String>,
    pub capabilities: Vec<String>,
    pub created: DateTime<Utc>,
    pub last_updated: Option<DateTime<Utc>>,
    /// Oldest first.
    pub events: Vec<StackEvent>,
    /// The resource the stack's steps are about, for its events.
    pub resource: (String, String),
}

impl SimStack {
    fn status(&self, now: DateTime<Utc>) -> (String, Option<String>) {
        self.events
            .iter()
            .rev()
            .filter(|e| e.time <= now && e.resource_type == STACK_TYPE)
            .map(|e| (e.status.clone(), e.reason.clone()))
            .next()
            .unwrap_or_else(|| ("CREATE_IN_PROGRESS".to_owned(), None))
    }

    fn deleted(&self, now: DateTime<Utc>) -> bool {
        self.status(now).0 == "DELETE_COMPLETE"
    }

    fn busy(&self, now: DateTime<Utc>) -> bool {
        self.status(now).0.ends_with("_IN_PROGRESS")
    }

    /// A step of `op` (UPDATE, CREATE, DELETE) that takes `takes` from `start`: the stack's
    /// own start and end, and its resource moving in between.
    fn schedule(&mut self, op: &str, start: DateTime<Utc>, takes: Duration) {
        let (logical, kind) = self.resource.clone();
        let at = |part: i32| start + takes * part / 8;
        let stack_event = |time, status: String, reason: Option<&str>| StackEvent {
            time,
            logical_id: self.name.clone(),
            resource_type: STACK_TYPE.to_owned(),
            status,
            reason: reason.map(str::to_owned),
        };
        let resource_event = |time, status: String, reason: Option<&str>| StackEvent {
            time,
            logical_id: logical.clone(),
            resource_type: kind.clone(),
            status,
            reason: reason.map(str::to_owned),
        };
        let mut steps = vec![
            stack_event(start, format!("{op}_IN_PROGRESS"), Some("User Initiated")),
            resource_event(at(1), format!("{op}_IN_PROGRESS"), None),
            resource_event(
                at(3),
                format!("{op}_IN_PROGRESS"),
                Some("Resource operation in progress: waiting for instances to pass health checks"),
            ),
            resource_event(at(7), format!("{op}_COMPLETE"), None),
        ];
        if op == "UPDATE" {
            steps.push(stack_event(
                at(7) + Duration::seconds(10),
                "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS".to_owned(),
                None,
            ));
        }
        steps.push(stack_event(start + takes, format!("{op}_COMPLETE"), None));
        self.events.extend(steps);
    }

    fn info(&self, now: DateTime<Utc>) -> StackInfo {
        let (status, status_reason) = self.status(now);
        StackInfo {
            name: self.name.clone(),
            id: self.id.clone(),
            status,
            status_reason,
            parameters: self
                .parameters
                .iter()
                .map(|(k, v)| StackParameter::new(k, v))
                .collect(),
            outputs: Vec::new(),
            capabilities: self.capabilities.clone(),
            last_updated: Some(self.last_updated.unwrap_or(self.created).min(now)),
            tags: Vec::new(),
            description: None,
        }
    }
}

fn stack_id(region: &str, name: &str, serial: u64) -> String {
    let h = fnv(&["stack", region, name, &serial.to_string()]);
    format!(
        "arn:aws:cloudformation:{region}:{}:stack/{name}/{:08x}-{:04x}-11ef-{:04x}-{:012x}",
        super::ACCOUNT,
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xffff,
        (h >> 8) & 0xffff_ffff_ffff
    )
}

/// A demo stack's parameters: (key, value now, template default).
type DemoParameters = Vec<(&'static str, &'static str, &'static str)>;

/// What each role's stack holds in the demo: its parameters and the resource whose events
/// show its progress.
fn role_shape(role: Option<StackRole>) -> (DemoParameters, (&'static str, &'static str)) {
    match role {
        Some(StackRole::BackupCapacity) => (
            vec![
                ("InstanceCount", "1", "1"),
                ("Environment", "production", "staging"),
                (
                    "AlertEmail",
                    "oncall@flightdata.example.com",
                    "alerts@example.com",
                ),
            ],
            ("WorkerGroup", "AWS::AutoScaling::AutoScalingGroup"),
        ),
        _ => (
            vec![("Environment", "production", "staging")],
            ("PipelineCluster", "AWS::ECS::Cluster"),
        ),
    }
}

/// A template with those parameters, as GetTemplate returns it.
fn template_for(name: &str, params: &[(&str, &str, &str)], resource: (&str, &str)) -> String {
    let mut t =
        format!("AWSTemplateFormatVersion: '2010-09-09'\nDescription: {name}\nParameters:\n");
    for (key, _, default) in params {
        t.push_str(&format!(
            "  {key}:\n    Type: String\n    Default: '{default}'\n"
        ));
    }
    t.push_str(&format!(
        "Resources:\n  {}:\n    Type: {}\n",
        resource.0, resource.1
    ));
    t
}

/// The estate's stacks, each created a month before `now` and settled since.
pub(super) fn seed(estate: &Estate, now: DateTime<Utc>) -> Vec<SimStack> {
    estate
        .stacks
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let name = entry.name.get_ref().clone();
            let region = entry.region.as_ref().map_or_else(
                || estate.regions.primary.get_ref().clone(),
                |r| r.get_ref().clone(),
            );
            let (params, resource) = role_shape(entry.role);
            let created = now - Duration::days(30);
            let mut stack = SimStack {
                id: stack_id(&region, &name, i as u64),
                template: template_for(&name, &params, resource),
                parameters: params
                    .iter()
                    .map(|(k, v, _)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                defaults: params
                    .iter()
                    .map(|(k, _, d)| ((*k).to_owned(), (*d).to_owned()))
                    .collect(),
                capabilities: vec!["CAPABILITY_NAMED_IAM".to_owned()],
                created,
                last_updated: None,
                events: Vec::new(),
                resource: (resource.0.to_owned(), resource.1.to_owned()),
                name,
                region,
            };
            stack.schedule("CREATE", created, CREATE_TAKES);
            stack
        })
        .collect()
}

/// The parameters a template declares, with their defaults: enough YAML or JSON reading for
/// the templates a rehearsal uses (`Parameters:` → `Key:` → `Default:`).
fn template_parameters(template: &str) -> BTreeMap<String, Option<String>> {
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(template) {
        return json
            .get("Parameters")
            .and_then(|p| p.as_object())
            .map(|p| {
                p.iter()
                    .map(|(k, v)| {
                        let default = v.get("Default").map(|d| match d {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        });
                        (k.clone(), default)
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    let mut found = BTreeMap::new();
    let mut in_parameters = false;
    let mut current: Option<String> = None;
    for line in template.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if indent == 0 {
            in_parameters = text == "Parameters:";
            current = None;
            continue;
        }
        if !in_parameters {
            continue;
        }
        if indent == 2 && text.ends_with(':') {
            let key = text.trim_end_matches(':').to_owned();
            found.insert(key.clone(), None);
            current = Some(key);
        } else if let (Some(key), Some(value)) = (&current, text.strip_prefix("Default:")) {
            let value = value
                .trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .to_owned();
            found.insert(key.clone(), Some(value));
        }
    }
    found
}

impl SimCloud {
    /// The live stack named `name_or_id` in `region`, by name (not deleted) or by id (any).
    fn find_stack<'s>(
        stacks: &'s mut [SimStack],
        region: &str,
        name_or_id: &str,
        now: DateTime<Utc>,
    ) -> Option<&'s mut SimStack> {
        stacks.iter_mut().rev().find(|s| {
            s.region == region
                && if name_or_id.starts_with("arn:") {
                    s.id == name_or_id
                } else {
                    s.name == name_or_id && !s.deleted(now)
                }
        })
    }

    fn no_stack(call: &Call, name_or_id: &str) -> CloudError {
        call.not_found(
            "ValidationError",
            format!("Stack with id {name_or_id} does not exist"),
        )
    }

    pub(super) fn update_stack(
        &self,
        call: &Call,
        region: &str,
        stack: &str,
        parameters: &[StackParameter],
    ) -> CloudResult<String> {
        let now = self.clock.now();
        let mut state = self.state();
        let Some(s) = Self::find_stack(&mut state.stacks, region, stack, now) else {
            return Err(Self::no_stack(call, stack));
        };
        if s.busy(now) || s.deleted(now) {
            return Err(call.invalid(
                "ValidationError",
                format!(
                    "Stack:{} is in {} state and can not be updated.",
                    s.id,
                    s.status(now).0
                ),
            ));
        }
        if let Some(unknown) = parameters.iter().find(|p| !s.defaults.contains_key(&p.key)) {
            return Err(call.invalid(
                "ValidationError",
                format!("Parameters: [{}] do not exist in the template", unknown.key),
            ));
        }
        // As AWS does: a parameter left out of the update takes the template's default.
        let next: Vec<(String, String)> = s
            .parameters
            .iter()
            .map(|(key, value)| {
                let sent = parameters.iter().find(|p| &p.key == key);
                let value = match sent {
                    Some(StackParameter { value: Some(v), .. }) => v.clone(),
                    Some(StackParameter { value: None, .. }) => value.clone(),
                    None => s.defaults.get(key).cloned().unwrap_or_default(),
                };
                (key.clone(), value)
            })
            .collect();
        if next == s.parameters {
            return Err(call.invalid("ValidationError", "No updates are to be performed."));
        }
        s.parameters = next;
        s.last_updated = Some(now);
        s.schedule("UPDATE", now, UPDATE_TAKES);
        Ok(s.id.clone())
    }

    pub(super) fn create_stack(
        &self,
        call: &Call,
        region: &str,
        stack: &str,
        template: &TemplateSource,
        parameters: &[StackParameter],
        capabilities: &[String],
    ) -> CloudResult<String> {
        let now = self.clock.now();
        let TemplateSource::Body(body) = template else {
            return Err(call.invalid(
                "ValidationError",
                "the simulation reads templates from their body only",
            ));
        };
        let mut state = self.state();
        if Self::find_stack(&mut state.stacks, region, stack, now).is_some() {
            return Err(call.fail(
                ErrorKind::AlreadyExists,
                "AlreadyExistsException",
                format!("Stack [{stack}] already exists"),
            ));
        }
        let declared = template_parameters(body);
        if let Some(unknown) = parameters.iter().find(|p| !declared.contains_key(&p.key)) {
            return Err(call.invalid(
                "ValidationError",
                format!("Parameters: [{}] do not exist in the template", unknown.key),
            ));
        }
        let mut values = Vec::new();
        for (key, default) in &declared {
            let given = parameters
                .iter()
                .find(|p| &p.key == key)
                .and_then(|p| p.value.clone());
            match given.or_else(|| default.clone()) {
                Some(v) => values.push((key.clone(), v)),
                None => {
                    return Err(call.invalid(
                        "ValidationError",
                        format!("Parameters: [{key}] must have values"),
                    ));
                }
            }
        }
        state.serial += 1;
        let mut s = SimStack {
            name: stack.to_owned(),
            id: stack_id(region, stack, 1000 + state.serial),
            region: region.to_owned(),
            template: body.clone(),
            parameters: values,
            defaults: declared
                .into_iter()
                .map(|(k, d)| (k, d.unwrap_or_default()))
                .collect(),
            capabilities: capabilities.to_vec(),
            created: now,
            last_updated: None,
            events: Vec::new(),
            resource: ("PipelineCluster".to_owned(), "AWS::ECS::Cluster".to_owned()),
        };
        s.schedule("CREATE", now, CREATE_TAKES);
        let id = s.id.clone();
        state.stacks.push(s);
        Ok(id)
    }

    /// Deleting a stack that does not exist succeeds and does nothing, as on AWS.
    pub(super) fn delete_stack(&self, call: &Call, region: &str, stack: &str) -> CloudResult<()> {
        let _ = call;
        let now = self.clock.now();
        let mut state = self.state();
        if let Some(s) = Self::find_stack(&mut state.stacks, region, stack, now)
            && !s.deleted(now)
            && !s.status(now).0.starts_with("DELETE")
        {
            s.schedule("DELETE", now, DELETE_TAKES);
        }
        Ok(())
    }
}

#[async_trait]
impl Stacks for SimCloud {
    async fn describe_stack(&self, region: &str, name_or_id: &str) -> CloudResult<StackInfo> {
        let call = self
            .enter(SERVICE, "DescribeStacks", Some(region), name_or_id)
            .await?;
        let now = self.clock.now();
        let mut state = self.state();
        Self::find_stack(&mut state.stacks, region, name_or_id, now)
            .map(|s| s.info(now))
            .ok_or_else(|| Self::no_stack(&call, name_or_id))
    }

    async fn stack_events(
        &self,
        region: &str,
        name_or_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> CloudResult<Vec<StackEvent>> {
        let call = self
            .enter(SERVICE, "DescribeStackEvents", Some(region), name_or_id)
            .await?;
        let now = self.clock.now();
        let mut state = self.state();
        let s = Self::find_stack(&mut state.stacks, region, name_or_id, now)
            .ok_or_else(|| Self::no_stack(&call, name_or_id))?;
        Ok(s.events
            .iter()
            .rev()
            .filter(|e| e.time <= now && since.is_none_or(|t| e.time > t))
            .cloned()
            .collect())
    }

    async fn get_template(&self, region: &str, name_or_id: &str) -> CloudResult<String> {
        let call = self
            .enter(SERVICE, "GetTemplate", Some(region), name_or_id)
            .await?;
        let now = self.clock.now();
        let mut state = self.state();
        Self::find_stack(&mut state.stacks, region, name_or_id, now)
            .map(|s| s.template.clone())
            .ok_or_else(|| Self::no_stack(&call, name_or_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parameters_are_read_from_yaml_and_json() {
        let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Environment:\n    \
                    Type: String\n    Default: 'staging'\n  RecoveryMode:\n    Type: String\n\
                    Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
        let found = template_parameters(yaml);
        assert_eq!(found.get("Environment"), Some(&Some("staging".to_owned())));
        assert_eq!(found.get("RecoveryMode"), Some(&None));
        assert_eq!(found.len(), 2);
        let json = r#"{"Parameters": {"InstanceCount": {"Type": "Number", "Default": 1}}}"#;
        assert_eq!(
            template_parameters(json).get("InstanceCount"),
            Some(&Some("1".to_owned()))
        );
    }
}
