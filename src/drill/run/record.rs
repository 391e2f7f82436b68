//! A drill's record from its journal and a plain report of it: a stand-in until the drill
//! report (`drill::report`) builds and renders the full one, with the comparison.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Estate;
use crate::drill::{DrillOutcome, DrillRecord, RestorePointFigure, StepTiming};
use crate::incident::record::{Record, StepOutcome};
use crate::mode::Mode;
use crate::runbook::Runbook;

/// Each step's start, end and outcome as the journal has them; the recovery time from the
/// first step's start to the last step's end; each restore point chosen and what it lost.
pub fn from_journal(
    incident_dir: &Path,
    runbook: &Runbook,
    estate: &Estate,
) -> Result<DrillRecord, String> {
    let entries: Vec<_> = crate::incident::journal::Reader::open(incident_dir)
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut steps: Vec<StepTiming> = Vec::new();
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    let mut restore_points = Vec::new();
    let (mut first, mut last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = (None, None);
    for entry in &entries {
        match entry.record() {
            Some(Record::StepStarted { step, title, .. }) => {
                first.get_or_insert(entry.at);
                let id = step.rsplit('/').next().unwrap_or(&step).to_owned();
                let target_secs = runbook
                    .step(&id)
                    .and_then(|s| s.target.as_ref().map(|t| t.get_ref().as_secs()));
                open.insert(step.clone(), steps.len());
                steps.push(StepTiming {
                    title: title.unwrap_or_else(|| id.clone()),
                    path: step,
                    outcome: "not reached".to_owned(),
                    started: Some(entry.at),
                    secs: None,
                    target_secs,
                });
            }
            Some(Record::StepFinished { step, outcome, .. }) => {
                if matches!(outcome, StepOutcome::Succeeded | StepOutcome::Failed) {
                    last = Some(entry.at);
                }
                let label = match outcome {
                    StepOutcome::Succeeded => "succeeded",
                    StepOutcome::Failed => "failed",
                    StepOutcome::Skipped => "skipped",
                    StepOutcome::Cancelled => "cancelled",
                };
                match open.remove(&step) {
                    Some(i) => {
                        let s = &mut steps[i];
                        s.outcome = label.to_owned();
                        s.secs = s
                            .started
                            .map(|t| (entry.at - t).num_milliseconds().max(0) as f64 / 1000.0);
                    }
                    // A step passed over is finished without being started.
                    None => steps.push(StepTiming {
                        title: step.rsplit('/').next().unwrap_or(&step).to_owned(),
                        path: step,
                        outcome: label.to_owned(),
                        started: None,
                        secs: None,
                        target_secs: None,
                    }),
                }
            }
            Some(Record::RestorePointChosen {
                service,
                point,
                source,
            }) => {
                let svc = estate.services.iter().find(|s| s.name == service);
                restore_points.push(RestorePointFigure {
                    table: source
                        .as_deref()
                        .and_then(|s| s.split(':').next())
                        .unwrap_or(&service)
                        .to_owned(),
                    point,
                    data_loss_secs: (entry.at - point).num_seconds().max(0) as u64,
                    rpo_secs: svc.map(|s| s.rpo.as_duration().as_secs()),
                });
            }
            _ => {}
        }
    }
    let rto_secs = estate
        .services
        .iter()
        .map(|s| s.rto.as_duration().as_secs())
        .min();
    let started = entries.first().map_or_else(Utc::now, |e| e.at);
    Ok(DrillRecord {
        id: incident_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        runbook: runbook.name.get_ref().clone(),
        mode: entries.first().map_or(Mode::Drill, |e| e.mode),
        account: entries.first().and_then(|e| e.account.clone()),
        started,
        finished: entries.last().map(|e| e.at),
        outcome: DrillOutcome::Completed,
        target_secs: runbook.target.as_ref().map(|t| t.get_ref().as_secs()),
        rto_secs,
        recovery_secs: match (first, last) {
            (Some(a), Some(b)) => Some((b - a).num_milliseconds().max(0) as f64 / 1000.0),
            _ => None,
        },
        setup_secs: None,
        teardown_secs: None,
        steps,
        restore_points,
        removed: Vec::new(),
        left: Vec::new(),
        journal: incident_dir.to_owned(),
    })
}

/// The record as text: how it ended, each step against its target, recovery against the
/// RTO, what teardown removed and left.
pub fn render(record: &DrillRecord) -> String {
    let secs = |s: f64| crate::config::Dur::from_secs(s.round() as u64).to_string();
    let mut out = format!(
        "drill {} of {} ({}): {}\n",
        record.id,
        record.runbook,
        record.mode.label(),
        match &record.outcome {
            DrillOutcome::Completed => "completed".to_owned(),
            DrillOutcome::Failed(why) => format!("FAILED: {why}"),
            DrillOutcome::Halted(why) => format!("HALTED: {why}"),
            DrillOutcome::Aborted(why) => format!("aborted: {why}"),
        }
    );
    let width = record.steps.iter().map(|s| s.path.len()).max().unwrap_or(0);
    for s in &record.steps {
        let took = s.secs.map(secs).unwrap_or_default();
        let target = s
            .target_secs
            .map(|t| {
                let over = s.secs.is_some_and(|x| x > t as f64);
                format!(
                    " of {}{}",
                    crate::config::Dur::from_secs(t),
                    if over { " (over)" } else { "" }
                )
            })
            .unwrap_or_default();
        let line = format!("  {:<9} {:<width$}  {took}{target}", s.outcome, s.path);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let against = |label: &str, limit: Option<u64>| {
        limit.map_or(String::new(), |l| {
            format!(" against {label} {}", crate::config::Dur::from_secs(l))
        })
    };
    if let Some(setup) = record.setup_secs {
        out.push_str(&format!("  setup: {}\n", secs(setup)));
    }
    match record.recovery_secs {
        Some(r) => out.push_str(&format!(
            "  recovery: {}{}{}\n",
            secs(r),
            against("the RTO", record.rto_secs),
            against("the runbook's target", record.target_secs).replace(" against", ",")
        )),
        None => out.push_str("  recovery: not measured (no step ran)\n"),
    }
    for p in &record.restore_points {
        out.push_str(&format!(
            "  restore point of {}: {} (data loss {}{})\n",
            p.table,
            p.point.format("%Y-%m-%d %H:%M:%SZ"),
            crate::config::Dur::from_secs(p.data_loss_secs),
            p.rpo_secs
                .map(|r| format!(" against the RPO {}", crate::config::Dur::from_secs(r)))
                .unwrap_or_default()
        ));
    }
    if let Some(t) = record.teardown_secs {
        out.push_str(&format!(
            "  teardown: {}, {} removed\n",
            secs(t),
            record.removed.len()
        ));
    }
    for left in &record.left {
        out.push_str(&format!("  LEFT BEHIND: {left}\n"));
    }
    out
}
