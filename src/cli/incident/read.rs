//! Reading incidents back: `incident list`, `incident timeline` and `incident export`.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Format, tag};
use crate::cli::emit;
use crate::error::Failure;
use crate::incident::journal::{JournalError, check_line, locate};
use crate::incident::store::Listed;
use crate::incident::{Incident, IncidentStore, Severity, describe, export, short_duration};
use crate::mode::Mode;

/// The postmortem of the incident in `dir`, to standard output or to `out`.
pub(super) fn export(dir: &Path, format: Format, out: Option<&Path>) -> Result<ExitCode, Failure> {
    let postmortem = export::build(dir, Utc::now())?;
    let text = match format {
        Format::Markdown => export::markdown(&postmortem),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&postmortem)
                .map_err(|e| Failure::Internal(e.to_string()))?;
            text.push('\n');
            text
        }
    };
    match out {
        None => emit(&text)?,
        Some(path) => {
            // Said written only once it is on disk, like every entry it was made from.
            let write = || -> std::io::Result<()> {
                use std::io::Write;
                let mut file = std::fs::File::create(path)?;
                file.write_all(text.as_bytes())?;
                file.sync_all()
            };
            write()
                .map_err(|e| Failure::Incident(format!("cannot write {}: {e}", path.display())))?;
            emit(&format!(
                "{}wrote the postmortem of {} to {}\n",
                tag(postmortem.mode),
                postmortem.id,
                path.display()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ListedJson<'a> {
    id: &'a str,
    mode: Mode,
    severity: Severity,
    title: &'a str,
    scenario: &'a str,
    declared_at: DateTime<Utc>,
    impact_began: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    open: bool,
    /// From the impact to the resolution, or to now while open.
    duration_secs: i64,
    services_restored: usize,
    services: usize,
    dir: &'a Path,
}

/// Every incident in `store`, newest first; `simulated` rehearsals kept elsewhere get a line
/// saying where.
pub(super) fn list(
    store: &IncidentStore,
    json: bool,
    simulated: usize,
) -> Result<ExitCode, Failure> {
    let listed: Vec<Listed> = store.list()?;
    let now = Utc::now();
    if json {
        let items: Vec<serde_json::Value> = listed
            .iter()
            .map(|item| match item {
                Ok(i) => serde_json::to_value(ListedJson {
                    id: &i.id,
                    mode: i.mode,
                    severity: i.severity,
                    title: &i.title,
                    scenario: &i.scenario,
                    declared_at: i.declared_at,
                    impact_began: i.impact_began,
                    resolved_at: i.resolved_at,
                    open: i.is_open(),
                    duration_secs: i.elapsed(now).num_seconds(),
                    services_restored: restored_count(i),
                    services: i.services.len(),
                    dir: &i.dir,
                })
                .expect("a listing serialises"),
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            })
            .collect();
        let mut text =
            serde_json::to_string_pretty(&items).map_err(|e| Failure::Internal(e.to_string()))?;
        text.push('\n');
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    if store.mode() == Mode::Simulation {
        out.push_str("SIMULATION incidents (rehearsals on the simulated estate)\n");
    }
    let hint = match simulated {
        0 => String::new(),
        1 => "1 simulated incident is listed by `drconsole --demo incident list`\n".to_owned(),
        n => format!("{n} simulated incidents are listed by `drconsole --demo incident list`\n"),
    };
    if listed.is_empty() {
        out.push_str(&format!("no incidents in {}\n", store.root().display()));
        out.push_str(&hint);
        emit(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 6]> = listed
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .map(|i| {
            let state = match i.resolved_at {
                Some(_) => format!("resolved after {}", short_duration(i.elapsed(now))),
                None => format!("open {}", short_duration(i.elapsed(now))),
            };
            [
                i.id.clone(),
                i.severity.to_string(),
                i.declared_at.format("%Y-%m-%d %H:%MZ").to_string(),
                state,
                format!("{}/{}", restored_count(i), i.services.len()),
                i.title.clone(),
            ]
        })
        .collect();
    let header = ["ID", "SEV", "OPENED", "STATE", "RESTORED", "TITLE"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                l.push_str(&format!("{cell:w$}  ", w = widths[i]));
            }
        }
        l.push('\n');
        l
    };
    out.push_str(&line(header));
    let mut rows = rows.iter();
    for item in &listed {
        match item {
            Ok(_) => {
                let row = rows.next().expect("one row per readable incident");
                out.push_str(&line(row.each_ref().map(String::as_str)));
            }
            Err(e) => out.push_str(&format!("unreadable: {e}\n")),
        }
    }
    out.push_str(&hint);
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn restored_count(incident: &Incident) -> usize {
    incident
        .services
        .iter()
        .filter(|s| s.restored_at.is_some())
        .count()
}

/// Every entry: `#seq  time  description`, or with `json` each line exactly as stored (its
/// hash still checkable). Streamed, so memory stays flat however long the incident; a line
/// that fails its own hash ends the listing with an error after the entries before it.
pub(super) fn timeline(dir: &Path, json: bool) -> Result<ExitCode, Failure> {
    let (_, path) = locate(dir)?;
    let io = |e: std::io::Error| JournalError::Io {
        path: path.clone(),
        source: e,
    };
    let mut reader = BufReader::with_capacity(1 << 16, std::fs::File::open(&path).map_err(io)?);
    let mut out = Out::new();
    let mut line = Vec::with_capacity(1024);
    let mut number = 0u64;
    // Until the journal ends, or whoever reads the output goes away.
    while out.open() {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            eprintln!(
                "warning: {}: {} bytes after the last entry are a write the machine did not finish; not shown",
                path.display(),
                line.len()
            );
            break;
        }
        number += 1;
        line.pop();
        let entry = check_line(&line).map_err(|reason| JournalError::Invalid {
            path: path.clone(),
            reason: format!("line {number}: {reason}"),
        })?;
        if json {
            out.write(&line)?;
            out.write(b"\n")?;
            continue;
        }
        if number == 1 && entry.mode == Mode::Simulation {
            out.write(b"SIMULATION: an incident on the simulated estate\n")?;
        }
        let text = format!(
            "#{:<4} {}  {}\n",
            entry.seq,
            entry.at.format("%Y-%m-%d %H:%M:%SZ"),
            describe(&entry)
        );
        out.write(text.as_bytes())?;
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Buffered standard output. A reader that went away (`timeline | head`) ends the writing
/// quietly, as `emit` does.
struct Out {
    w: Option<BufWriter<std::io::StdoutLock<'static>>>,
}

impl Out {
    fn new() -> Out {
        Out {
            w: Some(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
        }
    }

    fn open(&self) -> bool {
        self.w.is_some()
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let Some(w) = self.w.as_mut() else {
            return Ok(());
        };
        Self::check(w.write_all(bytes), &mut self.w)
    }

    fn finish(mut self) -> Result<(), Failure> {
        match self.w.as_mut() {
            Some(w) => {
                let result = w.flush();
                Self::check(result, &mut self.w)
            }
            None => Ok(()),
        }
    }

    fn check(
        result: std::io::Result<()>,
        w: &mut Option<BufWriter<std::io::StdoutLock<'static>>>,
    ) -> Result<(), Failure> {
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                // Dropping the writer would try to flush into the closed pipe again.
                if let Some(w) = w.take() {
                    let _ = w.into_parts();
                }
                Ok(())
            }
            Err(e) => Err(Failure::Internal(format!(
                "cannot write to standard output: {e}"
            ))),
        }
    }
}
