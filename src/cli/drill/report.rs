//! `drconsole drill report [ID]` and `drconsole drill list`: the drills of the history
//! directory, read back. They need no estate file and no AWS: everything is in the records.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::cli::emit;
use crate::dirs::Dirs;
use crate::drill::report::{self, Style};
use crate::drill::{DrillOutcome, DrillRecord, History};
use crate::error::Failure;
use crate::mode::Mode;
use crate::session::SessionOptions;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The drill's id (as `drill list` shows it), its history file, or the start of its id;
    /// default the latest.
    pub id: Option<String>,
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    #[arg(long)]
    pub markdown: bool,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

/// The records of the session's mode, oldest first. Files that could not be read are named
/// on standard error: a drill missing from the list is never silent.
fn drills(options: &SessionOptions, dirs: &Dirs) -> Result<(PathBuf, Vec<DrillRecord>), Failure> {
    let session = if options.is_demo() {
        Mode::Simulation
    } else {
        Mode::Production
    };
    drills_of(session, dirs)
}

/// The records that count for a session in `session` mode, oldest first.
pub(super) fn drills_of(
    session: Mode,
    dirs: &Dirs,
) -> Result<(PathBuf, Vec<DrillRecord>), Failure> {
    let dir = dirs.drill_history().ok_or_else(|| {
        Failure::Usage("no data directory: set HOME, or pass --data-dir DIR".into())
    })?;
    let (records, unreadable) = History::new(&dir).load_all::<DrillRecord>();
    for u in &unreadable {
        eprintln!("warning: cannot read {}: {}", u.path.display(), u.error);
    }
    let mut records: Vec<DrillRecord> = records
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| report::counts_for(session, r.mode))
        .collect();
    records.sort_by_key(|r| r.started);
    Ok((dir, records))
}

pub fn report(
    args: ReportArgs,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    let (dir, records) = drills(options, dirs)?;
    let record = match &args.id {
        None => records.last(),
        Some(id) => {
            let file = std::path::Path::new(id)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(id);
            records
                .iter()
                .find(|r| {
                    &r.id == id || History::file_name(r.started, &r.id) == format!("{file}.json")
                })
                .or_else(|| {
                    let mut matching = records.iter().filter(|r| r.id.starts_with(id.as_str()));
                    match (matching.next(), matching.next()) {
                        (Some(one), None) => Some(one),
                        _ => None,
                    }
                })
        }
    };
    let Some(record) = record else {
        return Err(Failure::Incident(match &args.id {
            Some(id) => format!(
                "no drill `{id}` in {}; `drconsole drill list` shows them",
                dir.display()
            ),
            None => format!(
                "no drill recorded yet in {}{}",
                dir.display(),
                if options.is_demo() {
                    " for the simulation"
                } else {
                    ""
                }
            ),
        }));
    };
    let comparison = report::compare(record, &records);
    let text = if args.json {
        let mut text = serde_json::to_string_pretty(&json!({
            "record": record,
            "comparison": comparison,
        }))
        .map_err(|e| Failure::Internal(e.to_string()))?;
        text.push('\n');
        text
    } else {
        let style = if args.markdown {
            Style::Markdown
        } else {
            Style::Text
        };
        report::render(record, &comparison, style)
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(args: ListArgs, options: &SessionOptions, dirs: &Dirs) -> Result<ExitCode, Failure> {
    let (dir, records) = drills(options, dirs)?;
    if args.json {
        let rows: Vec<_> = records
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "runbook": r.runbook,
                    "mode": r.mode,
                    "started": r.started,
                    "outcome": r.outcome,
                    "recovery_secs": r.recovery_secs,
                    "rto_secs": r.rto_secs,
                    "rto_met": rto_met(r),
                    "left": r.left,
                })
            })
            .collect();
        let mut text =
            serde_json::to_string_pretty(&rows).map_err(|e| Failure::Internal(e.to_string()))?;
        text.push('\n');
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if records.is_empty() {
        emit(&format!("No drill recorded yet in {}.\n", dir.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 5]> = records
        .iter()
        .rev()
        .map(|r| {
            [
                r.started.format("%Y-%m-%d %H:%MZ").to_string(),
                r.id.clone(),
                r.runbook.clone(),
                outcome_word(&r.outcome),
                recovery(r),
            ]
        })
        .collect();
    let headers = ["Started", "Drill", "Runbook", "Outcome", "Recovery vs RTO"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == 4 {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut text = line(headers);
    for row in &rows {
        text.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn rto_met(r: &DrillRecord) -> Option<bool> {
    Some(r.recovery_secs? <= r.rto_secs? as f64)
}

fn outcome_word(outcome: &DrillOutcome) -> String {
    match outcome {
        DrillOutcome::Completed => "completed",
        DrillOutcome::Failed(_) => "FAILED",
        DrillOutcome::Halted(_) => "HALTED",
        DrillOutcome::Aborted(_) => "ABORTED",
    }
    .to_owned()
}

/// `52m 10s of 4h 00m: met`.
fn recovery(r: &DrillRecord) -> String {
    let took = r
        .recovery_secs
        .map(report::duration)
        .unwrap_or_else(|| "not measured".into());
    match (rto_met(r), r.rto_secs) {
        (Some(met), Some(rto)) => format!(
            "{took} of {}: {}",
            report::duration(rto as f64),
            if met { "met" } else { "MISSED" }
        ),
        (_, None) => format!("{took} (no RTO known)"),
        (None, Some(rto)) => format!("{took} (RTO {})", report::duration(rto as f64)),
    }
}
