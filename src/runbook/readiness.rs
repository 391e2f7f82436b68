//! Readiness: would a runbook succeed right now? Reads only, every poll, before any outage:
//! do its targets exist, has every table a restorable copy in the backup region and how old,
//! does the backup bucket hold every function's code, is the template file there.

use futures::StreamExt;
use serde::Serialize;

use super::model::{Items, Runbook, Step, StepKind};
use super::sources::{Source, SourceKind, backup_region_sources, rough};
use super::vars::{Scope, base_scope};
use crate::action::catalogue::copy_backup_of;
use crate::action::{ActionError, Context, TargetKind};

/// One reason a runbook would not succeed now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    /// The step it blocks.
    pub step: String,
    /// In words: "flightdata-config has no restorable copy in us-west-2 — newest export 9
    /// days old".
    pub what: String,
    /// True when a read failed: not known to block, not known not to.
    pub unknown: bool,
}

/// A runbook's readiness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub runbook: String,
    pub blockers: Vec<Blocker>,
    /// What was looked at, in words (for `runbook check`'s output).
    pub checked: Vec<String>,
}

impl Readiness {
    /// Ready: nothing blocks and nothing is unknown.
    pub fn ready(&self) -> bool {
        self.blockers.is_empty()
    }

    /// "ready", or "N blockers: the first in words".
    pub fn summary(&self) -> String {
        match self.blockers.first() {
            None => format!("{}: ready", self.runbook),
            Some(first) => format!(
                "{}: {} blocker{} — {}",
                self.runbook,
                self.blockers.len(),
                if self.blockers.len() == 1 { "" } else { "s" },
                first.what
            ),
        }
    }
}

/// Distinct reads at once, at most: readiness runs every poll beside the health probes.
const AT_ONCE: usize = 6;

/// One thing a step needs of the live estate, read once however many steps need it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Need {
    /// A copy of the table in the backup region, fresh enough for the RPO; `export_only`
    /// for import-table, which restores from an export and nothing else.
    Copy {
        table: String,
        export_only: bool,
    },
    /// The function's backup (configuration and code) in the copy bucket.
    FunctionCopy(String),
    /// create-stack's template file (relative to the estate file), or `None` when none is
    /// named.
    Template {
        stack: String,
        file: Option<String>,
    },
    Stack(String),
    Dns(String),
    Backup {
        table: String,
        region: String,
    },
    Pitr(String),
    Exists {
        kind: TargetKind,
        name: String,
        region: String,
    },
    /// An `estate.*` name a step uses that the estate file does not give (no stack of the
    /// emergency role): the step would stop when reached.
    EstateName(String),
}

impl Need {
    /// What it checks, in words, for `runbook check`.
    fn words(&self, ctx: &Context<'_>) -> String {
        match self {
            Need::Copy { table, export_only } => format!(
                "{table}: {} in {} within its RPO",
                if *export_only {
                    "an export with its schema"
                } else {
                    "a restorable copy"
                },
                ctx.backup()
            ),
            Need::FunctionCopy(f) => format!("{f}: its backup in the copy bucket"),
            Need::Template { stack, .. } => format!("{stack}: a template to create it from"),
            Need::Stack(stack) => format!("{stack}: the stack exists"),
            Need::Dns(name) => format!("{name}: PRIMARY and SECONDARY failover records"),
            Need::Backup { table, region } => format!("{table}: an AVAILABLE backup in {region}"),
            Need::Pitr(table) => format!("{table}: point-in-time recovery on"),
            Need::Exists { kind, name, region } => {
                format!("{} {name} exists in {region}", kind.label())
            }
            Need::EstateName(name) => format!("the estate file gives {{{{ {name} }}}}"),
        }
    }
}

/// The steps' needs, in checklist order, each with the first step path that needs it.
fn needs(ctx: &Context<'_>, runbook: &Runbook) -> Vec<(String, Need)> {
    let mut scope = base_scope(ctx.estate, "readiness", ctx.now);
    // An input's default, where it needs nothing but the estate, stands for the input.
    for input in &runbook.inputs {
        if let Some(Ok(value)) = input.default.as_ref().map(|d| scope.render(d.get_ref())) {
            scope.set(format!("inputs.{}", input.name.get_ref()), value);
        }
    }
    let mut out: Vec<(String, Need)> = Vec::new();
    for phase in &runbook.phases {
        walk(ctx, &phase.steps, &scope, "", &mut out);
    }
    let mut seen = Vec::new();
    out.retain(|(_, need)| {
        let first = !seen.contains(need);
        if first {
            seen.push(need.clone());
        }
        first
    });
    out
}

fn walk(
    ctx: &Context<'_>,
    steps: &[Step],
    scope: &Scope,
    prefix: &str,
    out: &mut Vec<(String, Need)>,
) {
    for step in steps {
        let id = step.id.get_ref();
        let path = if prefix.is_empty() {
            id.clone()
        } else {
            format!("{prefix}/{id}")
        };
        if let Some(name) = missing_estate_name(step, scope) {
            out.push((path.clone(), Need::EstateName(name)));
        }
        match step.kind.get_ref() {
            StepKind::ForEach => {
                for item in items(ctx, step, scope) {
                    let mut inner = scope.clone();
                    inner.set("item", item.clone());
                    walk(ctx, &step.steps, &inner, &format!("{path}/{item}"), out);
                }
            }
            StepKind::Parallel => walk(ctx, &step.steps, scope, &path, out),
            StepKind::Decision if step.choose.is_some() => {
                if let Some(table) = render(scope, step.resource.as_ref()) {
                    out.push((
                        path,
                        Need::Copy {
                            table,
                            export_only: false,
                        },
                    ));
                }
            }
            StepKind::Action => {
                if let Some(need) = action_need(ctx, step, scope) {
                    out.push((path, need));
                }
            }
            _ => {}
        }
    }
}

/// `text` rendered, or `None` when it uses what only a run has (an input without a default,
/// an earlier step's output): such a step cannot be judged before it runs.
fn render(scope: &Scope, text: Option<&toml::Spanned<String>>) -> Option<String> {
    scope.render(text?.get_ref()).ok()
}

fn names(list: &[toml::Spanned<String>]) -> Vec<String> {
    list.iter().map(|n| n.get_ref().clone()).collect()
}

/// What a `for_each` runs over, as the estate names it now.
fn items(ctx: &Context<'_>, step: &Step, scope: &Scope) -> Vec<String> {
    let Some(spec) = step.for_each.as_ref() else {
        return Vec::new();
    };
    let Ok(items) = Items::parse(spec.get_ref()) else {
        return Vec::new();
    };
    let estate = ctx.estate;
    let of_service = |service: &str, pick: fn(&crate::config::Service) -> Vec<String>| {
        scope
            .render(service)
            .ok()
            .and_then(|name| estate.services.iter().find(|s| s.name == name))
            .map(pick)
            .unwrap_or_default()
    };
    match items {
        Items::Tables => TargetKind::Table.names(estate),
        Items::Buckets => TargetKind::Bucket.names(estate),
        Items::Functions => estate.named_functions(),
        Items::TablesOf(s) => of_service(&s, |s| names(&s.tables)),
        Items::BucketsOf(s) => of_service(&s, |s| names(&s.buckets)),
        Items::FunctionsOf(s) => of_service(&s, |s| names(&s.functions)),
        Items::Input(name) => scope
            .get(&format!("inputs.{name}"))
            .map(|v| {
                v.split(',')
                    .map(|i| i.trim().to_owned())
                    .filter(|i| !i.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// What an action step needs to succeed, judged by its action and rendered resource.
fn action_need(ctx: &Context<'_>, step: &Step, scope: &Scope) -> Option<Need> {
    let action = crate::action::catalogue::find(step.action.as_ref()?.get_ref()).ok()?;
    let target =
        render(scope, step.resource.as_ref()).or_else(|| action.default_target(ctx.estate))?;
    let arg = |name: &str| step.args.get(name).map(|v| scope.render(v.get_ref()));
    // An argument that needs the run (an earlier step's output) leaves the step unjudged.
    let region = match arg("region") {
        Some(Ok(region)) => Some(region),
        Some(Err(_)) => return None,
        None => None,
    };
    let need = match action.name() {
        "import-table" => match arg("export") {
            None => Need::Copy {
                table: target,
                export_only: true,
            },
            // A named export: a choice made before the step (a restore source) or by hand.
            Some(_) => return None,
        },
        "restore-function" if region.as_deref() == Some(ctx.backup()) => Need::FunctionCopy(target),
        "restore-function" | "delete-table" | "delete-stack" | "copy-from-replica" => {
            return None;
        }
        "create-stack" => {
            if arg("from-deleted").is_some() {
                return None;
            }
            let file = match arg("template") {
                Some(Ok(file)) => Some(file),
                Some(Err(_)) => return None,
                None => ctx
                    .estate
                    .stacks
                    .iter()
                    .find(|s| s.name.get_ref() == &target)
                    .and_then(|s| s.template.as_ref().map(|t| t.get_ref().clone())),
            };
            Need::Template {
                stack: target,
                file,
            }
        }
        "update-stack" => Need::Stack(target),
        "failover-dns" => Need::Dns(target),
        "restore-backup" => {
            if arg("backup").is_some() {
                return None;
            }
            Need::Backup {
                table: target,
                region: region.unwrap_or_else(|| ctx.primary().to_owned()),
            }
        }
        "restore-pitr" => Need::Pitr(target),
        _ => {
            let kind = action.target_kind();
            let region = region.unwrap_or_else(|| ctx.primary().to_owned());
            // Only what the estate names in the primary region: a target in the backup region
            // is usually what an earlier step makes there.
            let checkable = matches!(
                kind,
                TargetKind::Table | TargetKind::Bucket | TargetKind::Function
            );
            if !checkable || region != ctx.primary() || !kind.contains(ctx.estate, &target) {
                return None;
            }
            Need::Exists {
                kind,
                name: target,
                region,
            }
        }
    };
    Some(need)
}

/// The first `estate.*` name the step's resource or arguments use that has no value.
fn missing_estate_name(step: &Step, scope: &Scope) -> Option<String> {
    step.resource
        .iter()
        .chain(step.args.values())
        .flat_map(|text| super::vars::references(text.get_ref()).unwrap_or_default())
        .map(|r| r.name)
        .find(|name| name.starts_with("estate.") && scope.get(name).is_none())
}

/// A need that is not met, or could not be read (`true`).
type Unmet = (String, bool);

fn unknown(what: String) -> Unmet {
    (what, true)
}

async fn judge(ctx: &Context<'_>, need: &Need) -> Result<(), Unmet> {
    let backup = ctx.backup();
    match need {
        Need::EstateName(name) => Err((
            format!(
                "the estate file gives no value for {{{{ {name} }}}}{}",
                match name.as_str() {
                    "estate.emergency_stack" => " (a [[stacks]] entry with role = \"emergency\")",
                    "estate.backup_stack" =>
                        " (a [[stacks]] entry with role = \"backup-capacity\")",
                    "estate.production_stack" => " (a [[stacks]] entry with role = \"production\")",
                    "estate.ingestion_function" => " (lambda.ingestion_function)",
                    "estate.export_bucket" => " (dynamodb.export_bucket)",
                    "estate.lambda_backup_copy_bucket" => " (lambda.backup_copy_bucket)",
                    _ => "",
                }
            ),
            false,
        )),
        Need::Copy { table, export_only } => {
            let (sources, unknowns) = backup_region_sources(ctx, table).await;
            let fits = |s: &&Source| !*export_only || s.kind == SourceKind::Export;
            let candidates: Vec<&Source> = sources.iter().filter(fits).collect();
            if candidates.iter().any(|s| s.within_rpo()) {
                return Ok(());
            }
            let lead = format!("{table} has no restorable copy in {backup}");
            if let Some(why) = unknowns.first() {
                return Err(unknown(format!(
                    "could not tell whether {table} has a restorable copy in {backup}: {why}"
                )));
            }
            let none = if *export_only {
                "no export at all"
            } else {
                "no export, backup or global-table replica"
            };
            let why = match (candidates.iter().find(|s| s.usable), candidates.first()) {
                (Some(stale), _) => format!(
                    "newest {} {} old{}",
                    stale.kind.id(),
                    rough(stale.loss),
                    stale.rpo.map(|r| format!(", RPO {r}")).unwrap_or_default()
                ),
                (None, Some(unusable)) => unusable.label.clone(),
                (None, None) => none.to_owned(),
            };
            Err((format!("{lead} — {why}"), false))
        }
        Need::FunctionCopy(function) => match copy_backup_of(ctx, function).await {
            Ok(_) => Ok(()),
            Err(ActionError::Cloud(e)) => Err(unknown(format!(
                "could not read the backups of {function} in the copy bucket: {e}"
            ))),
            Err(e) => Err((
                format!("{function} cannot be restored in {backup}: {e}"),
                false,
            )),
        },
        Need::Template { stack, file } => {
            if !TargetKind::Stack.contains(ctx.estate, stack) {
                return Err((format!("{stack} is not a stack of the estate"), false));
            }
            let Some(file) = file else {
                return Err((
                    format!(
                        "{stack} has no template file to be created from (the estate's \
                         [[stacks]] template, or the step's template argument)"
                    ),
                    false,
                ));
            };
            let path = ctx.estate.base_dir.join(file);
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => Ok(()),
                Ok(_) => Err((
                    format!("the template {file} of {stack} is not a file"),
                    false,
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err((
                    format!(
                        "the template {file} of {stack} is missing (relative to the estate \
                         file)"
                    ),
                    false,
                )),
                Err(e) => Err(unknown(format!("could not read the template {file}: {e}"))),
            }
        }
        Need::Stack(stack) => {
            let region = ctx
                .estate
                .stacks
                .iter()
                .find(|s| s.name.get_ref() == stack)
                .and_then(|s| s.region.as_ref().map(|r| r.get_ref().clone()))
                .unwrap_or_else(|| ctx.primary().to_owned());
            match ctx.cloud.describe_stack(&region, stack).await {
                Ok(info) if info.status == "DELETE_COMPLETE" => {
                    Err((format!("stack {stack} in {region} is deleted"), false))
                }
                Ok(_) => Ok(()),
                Err(e) if e.is_not_found() => {
                    Err((format!("stack {stack} does not exist in {region}"), false))
                }
                Err(e) => Err(unknown(format!(
                    "could not read stack {stack} in {region}: {e}"
                ))),
            }
        }
        Need::Dns(name) => {
            match crate::action::catalogue::dns::failover_pair_exists(ctx, name).await {
                Ok(()) => Ok(()),
                Err(ActionError::Invalid(why)) => Err((why, false)),
                Err(e) => Err(unknown(format!(
                    "could not read the records of {name}: {e}"
                ))),
            }
        }
        Need::Backup { table, region } => match ctx.cloud.list_backups(region, Some(table)).await {
            Ok(list) if list.iter().any(|b| b.status == "AVAILABLE") => Ok(()),
            Ok(_) => Err((
                format!("{table} has no AVAILABLE backup in {region}"),
                false,
            )),
            Err(e) => Err(unknown(format!(
                "could not list the backups of {table} in {region}: {e}"
            ))),
        },
        Need::Pitr(table) => {
            let primary = ctx.primary();
            match ctx.cloud.describe_continuous_backups(primary, table).await {
                Ok(c) if c.pitr_enabled => Ok(()),
                Ok(_) => Err((
                    format!("point-in-time recovery is off for {table}: no point to restore"),
                    false,
                )),
                Err(e) if e.is_not_found() => {
                    Err((format!("table {table} does not exist in {primary}"), false))
                }
                Err(e) => Err(unknown(format!(
                    "could not read {table}'s point-in-time recovery in {primary}: {e}"
                ))),
            }
        }
        Need::Exists { kind, name, region } => {
            let read = match kind {
                TargetKind::Table => ctx.cloud.describe_table(region, name).await.map(drop),
                TargetKind::Bucket => ctx.cloud.head_bucket(region, name).await,
                TargetKind::Function => ctx
                    .cloud
                    .get_function_configuration(region, name)
                    .await
                    .map(drop),
                _ => Ok(()),
            };
            match read {
                Ok(()) => Ok(()),
                Err(e) if e.is_not_found() => Err((
                    format!("{} {name} does not exist in {region}", kind.label()),
                    false,
                )),
                Err(e) => Err(unknown(format!(
                    "could not read {} {name} in {region}: {e}",
                    kind.label()
                ))),
            }
        }
    }
}

/// Evaluates `runbook` against the live estate, reads only: each distinct need once, a few
/// at a time; a step whose resource or arguments come from the run itself is not judged.
pub async fn check(ctx: &Context<'_>, runbook: &Runbook) -> Readiness {
    let needs = needs(ctx, runbook);
    let verdicts: Vec<Result<(), Unmet>> = futures::stream::iter(needs.iter())
        .map(|(_, need)| judge(ctx, need))
        .buffered(AT_ONCE)
        .collect()
        .await;
    let mut readiness = Readiness {
        runbook: runbook.name.get_ref().clone(),
        blockers: Vec::new(),
        checked: Vec::new(),
    };
    for ((step, need), verdict) in needs.iter().zip(verdicts) {
        readiness.checked.push(need.words(ctx));
        if let Err((what, unknown)) = verdict {
            readiness.blockers.push(Blocker {
                step: step.clone(),
                what,
                unknown,
            });
        }
    }
    readiness
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};

    const IMPORT_EVERY_TABLE: &str = r#"
name = "imports"
title = "Imports"
summary = "Every table imported in the backup region."

[[phases]]
id = "restore"
title = "Restore"

[[phases.steps]]
id = "tables"
kind = "for_each"
title = "Every table"
for_each = "tables"

[[phases.steps.steps]]
id = "source"
kind = "decision"
title = "Choose the source"
choose = "restore-source"
resource = "{{ item }}"

[[phases.steps.steps]]
id = "import"
kind = "action"
title = "Import it"
action = "import-table"
resource = "{{ item }}"
"#;

    /// The sim's weekly exports are days old against a 1h RPO: every import is blocked,
    /// saying how old; the chooser has the global-table replicas, so it is not.
    #[tokio::test]
    async fn a_weekly_export_older_than_the_rpo_blocks_the_import_and_says_how_old() {
        let estate = crate::config::parse(
            crate::session::EXAMPLE_ESTATE,
            std::path::Path::new("templates/estate.example.toml"),
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(now),
                latency: Latency::None,
                faults: Vec::new(),
            },
        );
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now,
        };
        let runbook: Runbook = toml::from_str(IMPORT_EVERY_TABLE).unwrap();
        let readiness = check(&ctx, &runbook).await;
        assert_eq!(readiness.blockers.len(), 3, "{readiness:#?}");
        for b in &readiness.blockers {
            assert!(b.step.ends_with("/import"), "{b:#?}");
            assert!(!b.unknown);
            assert!(
                b.what
                    .contains(" has no restorable copy in us-west-2 — newest export ")
            );
            assert!(b.what.ends_with(" old, RPO 1h"), "{}", b.what);
        }
        assert_eq!(readiness.checked.len(), 6, "{:#?}", readiness.checked);
    }

    /// Every shipped runbook judged on the simulated estate, as the Scenarios panel of
    /// `--demo` does each poll: each finishes, and nothing reads as unknown there.
    #[tokio::test]
    async fn every_shipped_runbook_is_judged_on_the_sim() {
        let estate = crate::config::parse(
            crate::session::EXAMPLE_ESTATE,
            std::path::Path::new("templates/estate.example.toml"),
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(now),
                latency: Latency::None,
                faults: Vec::new(),
            },
        );
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now,
        };
        let all = crate::runbook::load::load_all(None, &estate).unwrap();
        assert!(!all.is_empty());
        for loaded in all {
            let readiness = check(&ctx, &loaded.runbook).await;
            assert!(
                readiness.blockers.iter().all(|b| !b.unknown),
                "{readiness:#?}"
            );
            // The example estate names no emergency stack: infrastructure-loss could not
            // create one, and says so before an outage rather than at its first step.
            if loaded.runbook.name.get_ref() == "infrastructure-loss" {
                assert!(
                    readiness
                        .blockers
                        .iter()
                        .any(|b| b.what.contains("estate.emergency_stack")
                            && b.what.contains("role = \"emergency\"")),
                    "{readiness:#?}"
                );
            }
        }
    }
}
