//! A drill's setup: what the runbook will change in place, worked out from its steps, and a
//! drill copy of each (a table from its newest backup, a function from its backup, the
//! stack from its template and parameters, the DNS failover pair), made through the
//! executor so each is journalled and owned.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, TargetKind, catalogue,
};
use crate::cloud::{ChangeAction, RecordChange, WriteRequest};
use crate::config::{DnsRecord, Estate, StackEntry};
use crate::drill::DrillNames;
use crate::runbook::Runbook;
use crate::runbook::model::{Items, Step, StepKind};
use crate::runbook::vars::Scope;

/// What a copy is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CopyKind {
    Table,
    Function,
    Stack,
    Record,
}

impl CopyKind {
    pub fn label(self) -> &'static str {
        match self {
            CopyKind::Table => "table",
            CopyKind::Function => "function",
            CopyKind::Stack => "stack",
            CopyKind::Record => "DNS record",
        }
    }
}

/// One drill copy: of which resource, under which name, where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Copy {
    pub kind: CopyKind,
    pub real: String,
    pub drill: String,
    /// The region (for a record, its zone).
    pub region: String,
}

/// Every resource the runbook changes in place that it has not made itself first: each
/// needs a drill copy. A change the drill cannot copy (a bucket, an alarm) refuses the
/// runbook as a drill, naming the step.
pub fn copies_needed(
    runbook: &Runbook,
    estate: &Estate,
    names: &DrillNames,
    scope: &Scope,
) -> Result<Vec<Copy>, String> {
    let mut walk = Walk {
        estate,
        names,
        made: BTreeSet::new(),
        copies: Vec::new(),
    };
    for phase in &runbook.phases {
        walk.steps(&phase.steps, scope)?;
    }
    Ok(walk.copies)
}

struct Walk<'a> {
    estate: &'a Estate,
    names: &'a DrillNames,
    /// Names a step creates before any in-place change reaches them.
    made: BTreeSet<String>,
    copies: Vec<Copy>,
}

impl Walk<'_> {
    fn steps(&mut self, steps: &[Step], scope: &Scope) -> Result<(), String> {
        for step in steps {
            match step.kind.get_ref() {
                StepKind::Action => self.action(step, scope)?,
                StepKind::Parallel => self.steps(&step.steps, scope)?,
                StepKind::ForEach => {
                    for item in self.items(step, scope) {
                        let mut inner = scope.clone();
                        inner.set("item", item);
                        self.steps(&step.steps, &inner)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn items(&self, step: &Step, scope: &Scope) -> Vec<String> {
        let spec = step.for_each.as_ref().map_or("tables", |f| f.get_ref());
        let Ok(spec) = scope.render(spec) else {
            return Vec::new();
        };
        let service = |name: &str, pick: fn(&crate::config::Service) -> Vec<String>| {
            self.estate
                .services
                .iter()
                .find(|s| s.name == name)
                .map(pick)
                .unwrap_or_default()
        };
        fn names(v: &[toml::Spanned<String>]) -> Vec<String> {
            v.iter().map(|n| n.get_ref().clone()).collect()
        }
        match Items::parse(&spec) {
            Ok(Items::Tables) => TargetKind::Table.names(self.estate),
            Ok(Items::Buckets) => TargetKind::Bucket.names(self.estate),
            Ok(Items::Functions) => TargetKind::Function.names(self.estate),
            Ok(Items::TablesOf(s)) => service(&s, |s| names(&s.tables)),
            Ok(Items::BucketsOf(s)) => service(&s, |s| names(&s.buckets)),
            Ok(Items::FunctionsOf(s)) => service(&s, |s| names(&s.functions)),
            Ok(Items::Input(name)) => scope
                .get(&format!("inputs.{name}"))
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    fn action(&mut self, step: &Step, scope: &Scope) -> Result<(), String> {
        let Some(name) = step.action.as_ref() else {
            return Ok(());
        };
        let Ok(action) = catalogue::find(name.get_ref()) else {
            return Ok(());
        };
        // A resource named by an earlier step's output is something the run made: the
        // rewrite finds its drill name then.
        let resource = match step.resource.as_ref().map(|r| scope.render(r.get_ref())) {
            Some(Ok(r)) => r,
            Some(Err(_)) => return Ok(()),
            None => match action.default_target(self.estate) {
                Some(r) => r,
                None => return Ok(()),
            },
        };
        let arg = |key: &str| {
            step.args
                .get(key)
                .and_then(|v| scope.render(v.get_ref()).ok())
        };
        let shape = action.drill_shape();
        if let Some(new_name) = shape.creates {
            self.made.insert(arg(new_name).unwrap_or(resource));
            return Ok(());
        }
        if self.made.contains(&resource)
            || self.names.is_drill_name(&resource)
            || self.copies.iter().any(|c| c.real == resource)
        {
            return Ok(());
        }
        let primary = self.estate.regions.primary.get_ref().clone();
        let copy = match action.target_kind() {
            TargetKind::Table => Copy {
                kind: CopyKind::Table,
                drill: self.names.of(&resource),
                region: arg("region").unwrap_or(primary),
                real: resource,
            },
            TargetKind::Function => Copy {
                kind: CopyKind::Function,
                drill: self.names.of(&resource),
                region: arg("region").unwrap_or(primary),
                real: resource,
            },
            TargetKind::Stack => Copy {
                kind: CopyKind::Stack,
                drill: self.names.of(&resource),
                region: self
                    .estate
                    .stacks
                    .iter()
                    .find(|s| s.name.get_ref() == &resource)
                    .and_then(|s| s.region.as_ref().map(|r| r.get_ref().clone()))
                    .unwrap_or(primary),
                real: resource,
            },
            TargetKind::Record => Copy {
                kind: CopyKind::Record,
                drill: self.names.of_dns(&resource),
                region: self
                    .estate
                    .dns
                    .records
                    .iter()
                    .find(|r| r.name.get_ref() == &resource)
                    .map(|r| r.zone_id.clone())
                    .unwrap_or_default(),
                real: resource,
            },
            other => {
                return Err(format!(
                    "step {} ({}) changes {} {resource} in place, and a drill cannot make a \
                     copy of a {0}: this runbook cannot run as a drill",
                    step.id.get_ref(),
                    action.name(),
                    other.label()
                ));
            }
        };
        self.copies.push(copy);
        Ok(())
    }
}

/// The estate a drill's executor works with: the real one, plus the drill's stack and DNS
/// copies as entries of their own, so the actions that look a stack or a record up in the
/// estate (its region, its zone) find the copy as they find the real one.
pub fn drill_estate(estate: &Estate, copies: &[Copy]) -> Estate {
    let mut drill = estate.clone();
    for copy in copies {
        match copy.kind {
            CopyKind::Stack => {
                if let Some(real) = estate
                    .stacks
                    .iter()
                    .find(|s| s.name.get_ref() == &copy.real)
                {
                    drill.stacks.push(StackEntry {
                        name: toml::Spanned::new(0..0, copy.drill.clone()),
                        region: real.region.clone(),
                        // Not the real stack's role: `estate.backup_stack` still names it.
                        role: None,
                        template: None,
                    });
                }
            }
            CopyKind::Record => {
                if let Some(real) = estate
                    .dns
                    .records
                    .iter()
                    .find(|r| r.name.get_ref() == &copy.real)
                {
                    drill.dns.records.push(DnsRecord {
                        zone_id: real.zone_id.clone(),
                        name: toml::Spanned::new(0..0, copy.drill.clone()),
                        record_type: real.record_type.clone(),
                    });
                }
            }
            CopyKind::Table | CopyKind::Function => {}
        }
    }
    drill
}

/// Physical names a template gives its resources: a copy of the stack would make (or, on
/// delete, remove) the very same resources, so a drill refuses to copy it.
pub fn fixed_names(template: &str) -> Vec<String> {
    const KEYS: &[&str] = &[
        "QueueName",
        "TableName",
        "BucketName",
        "FunctionName",
        "TopicName",
        "RoleName",
        "StreamName",
        "AlarmName",
        "LogGroupName",
        "DBInstanceIdentifier",
        "ClusterName",
    ];
    let mut found = Vec::new();
    for line in template.lines() {
        let line = line.trim().trim_start_matches('"');
        for key in KEYS {
            let Some(rest) = line.strip_prefix(key) else {
                continue;
            };
            let value = rest
                .trim_start_matches('"')
                .trim_start()
                .strip_prefix(':')
                .map(|v| {
                    v.trim()
                        .trim_end_matches(',')
                        .trim_matches('"')
                        .trim_matches('\'')
                });
            // A value built from the stack's name or a parameter differs per copy.
            if let Some(v) = value
                && !v.is_empty()
                && !v.starts_with('!')
                && !v.starts_with('{')
                && !v.contains("${")
            {
                found.push(format!("{key}: {v}"));
            }
        }
    }
    found
}

const COPY_ARGS: &[ArgSpec] = &[ArgSpec {
    name: "from",
    kind: ArgKind::Text,
    required: true,
    help: "the real record whose PRIMARY and SECONDARY are copied",
}];

/// A drill's copy of a failover record pair: the same values, TTL and health checks under the
/// drill name, with drill set identifiers (Route53 keys a failover record by them too).
pub struct CopyRecords;

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

#[async_trait]
impl Action for CopyRecords {
    fn name(&self) -> &'static str {
        "drill-copy-records"
    }
    fn summary(&self) -> &'static str {
        "A drill's copy of a DNS failover pair, under the drill's name"
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Record
    }
    fn args(&self) -> &'static [ArgSpec] {
        COPY_ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        target: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let from = args.get("from").unwrap_or_default();
        let entry = ctx
            .estate
            .dns
            .records
            .iter()
            .find(|r| r.name.get_ref() == from)
            .ok_or_else(|| ActionError::Invalid(format!("{from} is not a record of the estate")))?;
        let names = DrillNames::new(ctx.estate.drill.suffix.get_ref());
        let records = ctx.cloud.list_record_sets_once(&entry.zone_id).await?;
        let mut plan = Plan::new(self.name(), target, self.danger(), args);
        if records.iter().any(|r| same_name(&r.name, target)) {
            return Ok(plan.done(format!("{target} is there already")));
        }
        let changes: Vec<RecordChange> = records
            .iter()
            .filter(|r| {
                same_name(&r.name, from)
                    && r.record_type == entry.record_type
                    && r.failover.is_some()
            })
            .map(|r| {
                let mut copy = r.clone();
                copy.name = target.to_owned();
                copy.set_identifier = r.set_identifier.as_deref().map(|id| names.of(id));
                RecordChange {
                    action: ChangeAction::Create,
                    record: copy,
                }
            })
            .collect();
        if changes.len() < 2 {
            return Err(ActionError::Invalid(format!(
                "{from} has no PRIMARY and SECONDARY records in zone {} to copy",
                entry.zone_id
            )));
        }
        plan.before = json!({ "zone_id": entry.zone_id, "from": from });
        plan.requests.push(WriteRequest::ChangeResourceRecordSets {
            zone_id: entry.zone_id.clone(),
            changes,
            comment: format!("drill copy of {from}"),
        });
        plan.creates.push(target.to_owned());
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let zone = plan.before["zone_id"].as_str().unwrap_or_default();
        let records = ctx
            .cloud
            .list_record_sets_once(zone)
            .await
            .map_err(|e| format!("cannot read zone {zone} back: {e}"))?;
        let copies = records
            .iter()
            .filter(|r| same_name(&r.name, &plan.target))
            .count();
        if copies >= 2 {
            Ok(())
        } else {
            Err(format!(
                "{} has {copies} record(s), not its pair",
                plan.target
            ))
        }
    }
}

/// The arguments of the catalogue action that makes `copy`, and the action.
pub fn how(
    copy: &Copy,
    estate: &Estate,
) -> (&'static dyn Action, String, BTreeMap<String, String>) {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let primary = estate.regions.primary.get_ref();
    match copy.kind {
        CopyKind::Table => (
            catalogue::find("restore-backup").expect("in the catalogue"),
            copy.real.clone(),
            map(&[("new-name", &copy.drill), ("region", &copy.region)]),
        ),
        CopyKind::Function => {
            let mut args = map(&[("new-name", &copy.drill), ("region", &copy.region)]);
            if copy.region != *primary {
                args.insert("from".into(), "copy".into());
            }
            (
                catalogue::find("restore-function").expect("in the catalogue"),
                copy.real.clone(),
                args,
            )
        }
        CopyKind::Stack => (
            catalogue::find("create-stack").expect("in the catalogue"),
            copy.drill.clone(),
            map(&[("from-deleted", &copy.real)]),
        ),
        CopyKind::Record => (
            &CopyRecords,
            copy.drill.clone(),
            map(&[("from", &copy.real)]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copies_of(
        name: &str,
        text: Option<&str>,
    ) -> Result<Vec<(CopyKind, String, String)>, String> {
        let estate = crate::session::example_estate().expect("the example estate");
        let file = format!("{name}.toml");
        let text = text.map_or_else(
            || {
                crate::runbook::load::SHIPPED
                    .iter()
                    .find(|(f, _)| *f == file)
                    .map(|(_, t)| (*t).to_owned())
                    .expect("shipped")
            },
            str::to_owned,
        );
        let runbook =
            crate::runbook::load::parse(&text, std::path::Path::new(&file), &estate).unwrap();
        let mut scope = crate::runbook::vars::base_scope(&estate, "drill", chrono::Utc::now());
        scope.set("inputs.table", "flightdata-main");
        let copies = copies_needed(&runbook, &estate, &DrillNames::new("-dr-test"), &scope)?;
        Ok(copies
            .into_iter()
            .map(|c| (c.kind, c.real, c.region))
            .collect())
    }

    #[test]
    fn each_runbook_copies_what_it_changes_in_place_and_nothing_it_makes_itself() {
        assert_eq!(
            copies_of("data-corruption", None).unwrap(),
            [
                (
                    CopyKind::Function,
                    "flightdata-processor".to_owned(),
                    "us-east-1".to_owned()
                ),
                (
                    CopyKind::Table,
                    "flightdata-main".to_owned(),
                    "us-east-1".to_owned()
                ),
            ]
        );
        // The failover imports and restores under new names: only DNS and the stack are
        // changed in place.
        let failover = copies_of("region-failover", None).unwrap();
        let kinds: Vec<CopyKind> = failover.iter().map(|c| c.0).collect();
        assert_eq!(kinds, [CopyKind::Record, CopyKind::Stack], "{failover:?}");
        assert_eq!(failover[1].2, "us-west-2");
    }

    #[test]
    fn a_runbook_that_changes_a_bucket_in_place_cannot_run_as_a_drill() {
        let text = r#"
name = "versioning"
title = "Turn versioning on"
summary = "x"

[[phases]]
id = "only"
title = "Only"

[[phases.steps]]
id = "on"
kind = "action"
title = "Versioning on"
action = "enable-versioning"
resource = "flightdata-raw"
"#;
        let why = copies_of("versioning", Some(text)).unwrap_err();
        assert!(
            why.contains("step on (enable-versioning) changes bucket flightdata-raw"),
            "{why}"
        );
        assert!(why.contains("cannot run as a drill"), "{why}");
    }

    #[test]
    fn a_template_that_names_its_resources_is_found_out() {
        let yaml = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: work\n  T:\n    Properties:\n      TableName: !Sub '${AWS::StackName}-t'\n";
        assert_eq!(fixed_names(yaml), ["QueueName: work"]);
        let json = "{\n  \"BucketName\": \"raw-data\",\n  \"TopicName\": {\"Ref\": \"P\"}\n}";
        assert_eq!(fixed_names(json), ["BucketName: raw-data"]);
        assert!(fixed_names("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").is_empty());
    }
}
