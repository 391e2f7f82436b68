//! A drill's record read from its journal: each step timed, the recovery time against the
//! RTO, the data loss of each restore point chosen, and how the drill ended.
//!
//! Recovery steps are told from setup and teardown by the run they belong to: only the steps
//! of the runbook run the drill started (the first `RunbookStarted` of the drill's runbook
//! after `DrillStarted`) are recovery. Setup is what comes before that run (from the drill
//! incident's declaration to `DrillStarted`, whose copies are setup's work); teardown is what
//! comes after the run's end (to `DrillTornDown`). Whatever setup or teardown journal of
//! their own (steps without that run's id, requests, owned resources) never counts towards
//! the recovery time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Estate;
use crate::drill::{DrillNames, DrillOutcome, DrillRecord, RestorePointFigure, StepTiming};
use crate::incident::journal::{Entry, Reader};
use crate::incident::record::{Record, StepOutcome};
use crate::runbook::model::{Runbook, StepKind};

/// One step as the journal saw it: the first start (a retried step keeps its first try's
/// start, so its duration includes the retries) and the last end.
struct Seen {
    path: String,
    title: Option<String>,
    started: Option<DateTime<Utc>>,
    finished: Option<(DateTime<Utc>, StepOutcome)>,
}

/// A restore point as journalled: when it was chosen, for which service, the point, and
/// `table: source`.
struct Chosen {
    at: DateTime<Utc>,
    service: String,
    point: DateTime<Utc>,
    source: Option<String>,
}

/// Reads the drill incident at `incident_dir` into its record. `runbook` is the runbook the
/// drill rehearsed (its targets); `estate` gives the services' RTO and RPO where the drill's
/// declaration does not.
///
/// Left for the drill's runner to set where it knows better: `removed`, `left` (read here
/// from `DrillTornDown` when the journal has it), `setup_secs` and `teardown_secs` (here:
/// declaration to `DrillStarted`, and the run's end to `DrillTornDown`).
pub fn record_from_journal(
    incident_dir: &Path,
    runbook: &Runbook,
    estate: &Estate,
) -> Result<DrillRecord, String> {
    let entries: Vec<Entry> = Reader::open(incident_dir)
        .and_then(|reader| reader.collect::<Result<Vec<_>, _>>())
        .map_err(|e| e.to_string())?;
    let first = entries
        .first()
        .ok_or_else(|| format!("{}: the journal is empty", incident_dir.display()))?;
    let name = runbook.name.get_ref();

    let mut declared_services: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    if let Some(Record::Declared(d)) = first.record() {
        for s in d.services {
            declared_services.insert(s.name, (s.rto_secs, s.rpo_secs));
        }
    }

    let mut drill: Option<(String, &Entry)> = None;
    let mut run: Option<(String, DateTime<Utc>)> = None;
    let mut run_end: Option<(DateTime<Utc>, StepOutcome, Option<String>)> = None;
    let mut halted: Option<String> = None;
    let mut torn_down: Option<(DateTime<Utc>, Vec<String>, Vec<String>)> = None;
    let mut steps: Vec<Seen> = Vec::new();
    let mut points: Vec<Chosen> = Vec::new();
    let mut targets_written: BTreeSet<String> = BTreeSet::new();

    for entry in &entries {
        let Some(record) = entry.record() else {
            continue;
        };
        match record {
            Record::DrillStarted {
                drill: id, runbook, ..
            } if drill.is_none() && &runbook == name => drill = Some((id, entry)),
            Record::RunbookStarted {
                run: r, runbook, ..
            } if drill.is_some() && run.is_none() && &runbook == name => {
                run = Some((r, entry.at));
            }
            Record::RunbookFinished {
                run: r,
                outcome,
                detail,
                ..
            } if run.as_ref().is_some_and(|(id, _)| *id == r) => {
                run_end = Some((entry.at, outcome, detail));
            }
            Record::StepStarted {
                run: Some(r),
                step,
                title,
            } if run.as_ref().is_some_and(|(id, _)| *id == r) => {
                match steps.iter_mut().find(|s| s.path == step) {
                    Some(seen) => {
                        seen.started.get_or_insert(entry.at);
                    }
                    None => steps.push(Seen {
                        path: step,
                        title,
                        started: Some(entry.at),
                        finished: None,
                    }),
                }
            }
            Record::StepFinished {
                run: Some(r),
                step,
                outcome,
                ..
            } if run.as_ref().is_some_and(|(id, _)| *id == r) => {
                match steps.iter_mut().find(|s| s.path == step) {
                    Some(seen) => seen.finished = Some((entry.at, outcome)),
                    // Passed over by a decision or a goto: it never started.
                    None => steps.push(Seen {
                        path: step,
                        title: None,
                        started: None,
                        finished: Some((entry.at, outcome)),
                    }),
                }
            }
            Record::RestorePointChosen {
                service,
                point,
                source,
            } if run.is_some() => points.push(Chosen {
                at: entry.at,
                service,
                point,
                source,
            }),
            Record::RequestSent { target, .. } if run.is_some() && run_end.is_none() => {
                targets_written.insert(target);
            }
            Record::DrillHalted { reason, .. } if drill.is_some() => {
                halted.get_or_insert(reason);
            }
            Record::DrillTornDown { removed, left, .. } if drill.is_some() => {
                torn_down = Some((entry.at, removed, left));
            }
            _ => {}
        }
    }

    let (id, drill_entry) = drill.ok_or_else(|| {
        format!(
            "{}: no drill of {name} in this journal (it has no drill-started entry for it)",
            incident_dir.display()
        )
    })?;
    let names = DrillNames::new(estate.drill.suffix.get_ref().clone());
    let real = |n: &str| n.replacen(names.suffix(), "", 1);

    let timings = step_timings(runbook, &steps);
    let recovery_secs = recovery(&steps);

    // The services the drill recovers: those it declared, those whose data it restored, and
    // those owning what its run wrote.
    let mut services: BTreeSet<String> = declared_services.keys().cloned().collect();
    services.extend(points.iter().map(|c| c.service.clone()));
    for target in &targets_written {
        if let Some(s) = service_owning(estate, &real(target)) {
            services.insert(s);
        }
    }
    let rto_secs = services
        .iter()
        .filter_map(|s| {
            declared_services.get(s).map(|(rto, _)| *rto).or_else(|| {
                estate
                    .services
                    .iter()
                    .find(|e| &e.name == s)
                    .map(|e| e.rto.as_secs())
            })
        })
        .min();

    let restore_points = points
        .into_iter()
        .map(
            |Chosen {
                 at,
                 service,
                 point,
                 source,
             }| {
                let table = source
                    .as_deref()
                    .and_then(|s| s.split_once(": ").map(|(t, _)| t.to_owned()))
                    .unwrap_or_else(|| service.clone());
                let owner = service_owning(estate, &real(&table)).unwrap_or(service);
                let rpo_secs = declared_services
                    .get(&owner)
                    .map(|(_, rpo)| *rpo)
                    .or_else(|| {
                        estate
                            .services
                            .iter()
                            .find(|e| e.name == owner)
                            .map(|e| e.rpo.as_secs())
                    });
                RestorePointFigure {
                    table,
                    point,
                    data_loss_secs: (at - point).num_seconds().max(0) as u64,
                    rpo_secs,
                }
            },
        )
        .collect();

    let outcome = match (&halted, &run_end) {
        (Some(reason), _) => DrillOutcome::Halted(reason.clone()),
        (None, Some((_, StepOutcome::Succeeded | StepOutcome::Skipped, _))) => {
            DrillOutcome::Completed
        }
        (None, Some((_, StepOutcome::Failed, detail))) => {
            DrillOutcome::Failed(detail.clone().unwrap_or_else(|| "a step failed".into()))
        }
        (None, Some((_, StepOutcome::Cancelled, detail))) => {
            DrillOutcome::Aborted(detail.clone().unwrap_or_else(|| "cancelled".into()))
        }
        (None, None) => DrillOutcome::Aborted(match &run {
            Some(_) => "the run never finished: its journal stops before the run's end".into(),
            None => "the runbook never started".into(),
        }),
    };

    let last = entries.last().map(|e| e.at);
    let finished = torn_down
        .as_ref()
        .map(|(at, _, _)| *at)
        .or(run_end.as_ref().map(|(at, _, _)| *at))
        .or(last);
    let secs = |from: DateTime<Utc>, to: DateTime<Utc>| {
        (to - from).num_milliseconds().max(0) as f64 / 1000.0
    };
    let (removed, left) = torn_down
        .as_ref()
        .map(|(_, r, l)| (r.clone(), l.clone()))
        .unwrap_or_default();

    Ok(DrillRecord {
        id,
        runbook: name.clone(),
        mode: drill_entry.mode,
        account: drill_entry.account.clone(),
        started: first.at,
        finished,
        outcome,
        target_secs: runbook.target.as_ref().map(|t| t.get_ref().as_secs()),
        rto_secs,
        recovery_secs,
        setup_secs: Some(secs(first.at, drill_entry.at)),
        teardown_secs: match (&run_end, &torn_down) {
            (Some((end, _, _)), Some((at, _, _))) => Some(secs(*end, *at)),
            _ => None,
        },
        steps: timings,
        restore_points,
        removed,
        left,
        journal: incident_dir.to_owned(),
    })
}

/// The service whose table, bucket or function `name` is.
fn service_owning(estate: &Estate, name: &str) -> Option<String> {
    estate
        .services
        .iter()
        .find(|s| {
            s.tables
                .iter()
                .chain(&s.buckets)
                .chain(&s.functions)
                .any(|r| r.get_ref() == name)
        })
        .map(|s| s.name.clone())
}

/// From the first recovery step's start to the last one's end, in seconds.
fn recovery(steps: &[Seen]) -> Option<f64> {
    let start = steps.iter().filter_map(|s| s.started).min()?;
    let end = steps.iter().filter_map(|s| s.finished.map(|f| f.0)).max()?;
    Some((end - start).num_milliseconds().max(0) as f64 / 1000.0)
}

/// Each step the run journalled, in the order it first appeared, then the runbook's steps it
/// never reached (its top-level steps and their `parallel` children: a `for_each`'s rows
/// exist only once it runs).
fn step_timings(runbook: &Runbook, steps: &[Seen]) -> Vec<StepTiming> {
    let model = |path: &str| {
        let id = path.rsplit('/').next().unwrap_or(path);
        runbook.step(id)
    };
    let mut out: Vec<StepTiming> = steps
        .iter()
        .map(|s| {
            let step = model(&s.path);
            StepTiming {
                path: s.path.clone(),
                title: s
                    .title
                    .clone()
                    .or_else(|| step.map(|m| m.title.clone()))
                    .unwrap_or_else(|| s.path.clone()),
                outcome: match s.finished {
                    Some((_, o)) => outcome_word(o).to_owned(),
                    None => "not finished".to_owned(),
                },
                started: s.started,
                secs: match (s.started, s.finished) {
                    (Some(a), Some((b, _))) => {
                        Some((b - a).num_milliseconds().max(0) as f64 / 1000.0)
                    }
                    _ => None,
                },
                target_secs: step.and_then(|m| m.target.as_ref().map(|t| t.get_ref().as_secs())),
            }
        })
        .collect();
    fn unreached(
        list: &[crate::runbook::model::Step],
        prefix: &str,
        seen: &[Seen],
        out: &mut Vec<StepTiming>,
    ) {
        for step in list {
            let path = if prefix.is_empty() {
                step.id.get_ref().clone()
            } else {
                format!("{prefix}/{}", step.id.get_ref())
            };
            if !seen.iter().any(|s| s.path == path) {
                out.push(StepTiming {
                    path: path.clone(),
                    title: step.title.clone(),
                    outcome: "not reached".to_owned(),
                    started: None,
                    secs: None,
                    target_secs: step.target.as_ref().map(|t| t.get_ref().as_secs()),
                });
            }
            if step.kind.get_ref() == &StepKind::Parallel {
                unreached(&step.steps, &path, seen, out);
            }
        }
    }
    for phase in &runbook.phases {
        unreached(&phase.steps, "", steps, &mut out);
    }
    out
}

fn outcome_word(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Succeeded => "succeeded",
        StepOutcome::Failed => "failed",
        StepOutcome::Skipped => "skipped",
        StepOutcome::Cancelled => "cancelled",
    }
}
