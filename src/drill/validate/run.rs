//! One validation run: the sweep of earlier runs' leftovers, every table at most
//! `[validate].concurrency` at a time with the buckets, functions and exports checked beside
//! them, a stop on request (Ctrl-C) that still deletes what exists, and the record the
//! history keeps.

use std::path::PathBuf;

use chrono::Utc;
use futures::StreamExt;
use serde_json::json;
use tokio::sync::watch;

use super::tables::{TAG_KEY, TableRun, is_temporary_name, salt, until_stopped};
use super::{Finding, Kind, ValidationRecord, Verdict};
use crate::action::{Args, Context, Executor, catalogue};
use crate::cloud::Cloud;
use crate::drill::History;
use crate::incident::record::Record;
use crate::mode::Mode;

/// What to validate, and where it counts.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Only these tables of the estate (every table when empty).
    pub tables: Vec<String>,
    pub mode: Mode,
    /// The account the session reads, for the record.
    pub account: Option<String>,
}

/// A run's id: `validate-YYYYMMDDTHHMMSS-<4 hex>`.
pub fn run_id(at: chrono::DateTime<Utc>) -> String {
    format!("validate-{}-{:04x}", at.format("%Y%m%dT%H%M%S"), salt())
}

/// Runs the whole validation through `executor` (its journal records every write) and
/// returns its record. `stop` turning true stops new restores; what exists is still deleted.
/// `progress` hears one line per step, prefixed with the resource.
pub async fn run(
    executor: &Executor,
    cloud: &dyn Cloud,
    options: &RunOptions,
    stop: watch::Receiver<bool>,
    progress: &(dyn Fn(String) + Send + Sync),
) -> ValidationRecord {
    let estate = executor.estate();
    let settings = estate.validate.clone();
    let started = cloud.now();
    let id = run_id(started);
    let region = estate.regions.primary.get_ref().clone();
    let tables: Vec<String> = estate
        .dynamodb
        .tables
        .iter()
        .map(|t| t.get_ref().clone())
        .filter(|t| options.tables.is_empty() || options.tables.contains(t))
        .collect();

    let mut findings = sweep(executor, cloud, &region, &id, progress).await;

    let table_run = TableRun {
        executor,
        cloud,
        settings: &settings,
        region: &region,
        run: &id,
        stop: stop.clone(),
        progress,
    };
    let tables_done = futures::stream::iter(tables.iter())
        .map(|t| table_run.check(t, salt()))
        .buffer_unordered(settings.concurrency.max(1))
        .collect::<Vec<_>>();
    let others = async {
        let ctx = Context {
            cloud,
            estate,
            now: cloud.now(),
        };
        let checks = async {
            let (b, f, e) = tokio::join!(
                super::buckets::check(&ctx, &settings),
                super::functions::check(&ctx, &settings),
                super::exports::check(&ctx, &settings),
            );
            [b, f, e].concat()
        };
        tokio::select! {
            found = checks => found,
            () = until_stopped(stop.clone()) => vec![Finding::new(
                Kind::Bucket,
                "buckets, functions, exports",
                "interrupted",
                Verdict::Unknown,
                "not checked: the run was interrupted",
            )],
        }
    };
    let (table_results, other_findings) = tokio::join!(tables_done, others);
    let mut left = Vec::new();
    for result in table_results {
        findings.extend(result.findings);
        left.extend(result.left);
    }
    findings.extend(other_findings);
    sort_worst_first(&mut findings);
    let interrupted = *stop.borrow();
    ValidationRecord {
        id,
        mode: options.mode,
        account: options.account.clone(),
        started,
        finished: cloud.now(),
        verdict: Verdict::overall(&findings),
        settings,
        replica_threshold_percent: estate.s3.replica_threshold_percent,
        tables,
        interrupted,
        left,
        findings,
    }
}

/// Worst first (unknown, failed, warned, passed), then by kind and resource, so the reader
/// sees what needs them at the top and the order is the same run after run.
pub fn sort_worst_first(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(a.kind.cmp(&b.kind))
            .then(a.resource.cmp(&b.resource))
    });
}

/// Earlier runs' temporary tables: named like one AND tagged as one are taken as this run's
/// own (journalled) and deleted; named like one without the tag are someone else's, left
/// alone and reported.
async fn sweep(
    executor: &Executor,
    cloud: &dyn Cloud,
    region: &str,
    run: &str,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Vec<Finding> {
    let names = match cloud.list_tables(region).await {
        Ok(names) => names,
        Err(e) => {
            return vec![Finding::new(
                Kind::Leftover,
                region,
                "sweep",
                Verdict::Unknown,
                format!("cannot list the tables of {region} to find earlier runs' leftovers: {e}"),
            )];
        }
    };
    let mut found = Vec::new();
    for name in names.into_iter().filter(|n| is_temporary_name(n)) {
        let leftover = |verdict, message: String| {
            Finding::new(Kind::Leftover, name.clone(), "sweep", verdict, message)
        };
        let tags = match cloud.describe_table_schema(region, &name).await {
            Ok(schema) => schema.tags,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                found.push(leftover(
                    Verdict::Unknown,
                    format!("cannot read its tags to tell whether an earlier run left it: {e}"),
                ));
                continue;
            }
        };
        let Some(by) = tags.get(TAG_KEY) else {
            found.push(leftover(
                Verdict::Warn,
                format!(
                    "named like a validation's temporary table but not tagged {TAG_KEY}: left \
                     alone; delete it by hand if it is one"
                ),
            ));
            continue;
        };
        progress(format!("{name}: left by {by}, deleting it"));
        let removed = remove_leftover(executor, run, region, &name).await;
        found.push(match removed {
            Ok(()) => leftover(
                Verdict::Warn,
                format!("left by validation run {by}: deleted"),
            )
            .with_figures(json!({ "left_by": by, "removed": true })),
            Err(e) => leftover(
                Verdict::Fail,
                format!("left by validation run {by}, and could not be deleted: {e}"),
            )
            .with_figures(json!({ "left_by": by, "removed": false })),
        });
    }
    found
}

async fn remove_leftover(
    executor: &Executor,
    run: &str,
    region: &str,
    name: &str,
) -> Result<(), String> {
    executor.own(run, name).await.map_err(|e| e.to_string())?;
    let action = catalogue::find("delete-table").map_err(|e| e.to_string())?;
    let args = Args::parse(action.name(), action.args(), &[format!("region={region}")])
        .map_err(|e| e.to_string())?;
    executor
        .run(action, name, &args, None, None, &|_| {})
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Journals the run's end and writes its record to the history. Returns the file written.
pub async fn keep(
    executor: &Executor,
    history: &History,
    record: &ValidationRecord,
) -> Result<PathBuf, String> {
    let summary = super::render::totals_line(record);
    executor
        .journal(Record::ValidationFinished {
            run: record.id.clone(),
            verdict: record.verdict.label().to_owned(),
            summary,
        })
        .await
        .map_err(|e| e.to_string())?;
    history.save(record.started, &record.id, record)
}
