//! The history directory: one JSON file per validation run and per drill, under
//! `history/validation/` and `history/drills/` of the data directory. Files are named
//! `YYYYMMDDTHHMMSSZ-<id>.json`, so a listing is in time order; each is written whole (a
//! temporary file, fsynced, renamed), so a crash leaves the old set or the new one.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::mode::Mode;

/// One kind of history (validations, drills), in one directory.
#[derive(Debug, Clone)]
pub struct History {
    dir: PathBuf,
}

/// A file of the history that could not be read: named, never silently skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub path: PathBuf,
    pub error: String,
}

impl History {
    pub fn new(dir: impl Into<PathBuf>) -> History {
        History { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file name of a record started at `started` with id `id`.
    pub fn file_name(started: DateTime<Utc>, id: &str) -> String {
        format!("{}-{id}.json", started.format("%Y%m%dT%H%M%SZ"))
    }

    /// Writes `record` as `<dir>/<file_name>` whole: a temporary file, fsynced, then renamed
    /// over any earlier version of the same run.
    pub fn save<T: Serialize>(
        &self,
        started: DateTime<Utc>,
        id: &str,
        record: &T,
    ) -> Result<PathBuf, String> {
        use std::io::Write;
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let path = self.dir.join(History::file_name(started, id));
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(record)
            .map_err(|e| format!("cannot encode the record: {e}"))?;
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            if let Ok(dir) = std::fs::File::open(&self.dir) {
                let _ = dir.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// Every record, oldest first, and the files that could not be read. A directory that
    /// does not exist yet is an empty history.
    pub fn load_all<T: DeserializeOwned>(&self) -> (Vec<(PathBuf, T)>, Vec<Unreadable>) {
        let mut records = Vec::new();
        let mut unreadable = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (records, unreadable),
            Err(e) => {
                unreadable.push(Unreadable {
                    path: self.dir.clone(),
                    error: e.to_string(),
                });
                return (records, unreadable);
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let read = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    serde_json::from_str::<T>(&text)
                        .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))
                });
            match read {
                Ok(record) => records.push((path, record)),
                Err(error) => unreadable.push(Unreadable { path, error }),
            }
        }
        (records, unreadable)
    }
}

/// How a drill ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum DrillOutcome {
    /// Every step done.
    Completed,
    /// A step failed (its path and why).
    Failed(String),
    /// A stop condition or the commander halted it before its next write (why).
    Halted(String),
    /// Interrupted (Ctrl-C, a crash found on the next start).
    Aborted(String),
}

/// One step of a drill, timed from the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepTiming {
    /// The step's path in the runbook (`databases/tables/import[flightdata-main]` style, as
    /// the journal names it).
    pub path: String,
    pub title: String,
    /// succeeded, failed, skipped, cancelled, or not reached.
    pub outcome: String,
    pub started: Option<DateTime<Utc>>,
    pub secs: Option<f64>,
    /// The runbook's target for the step.
    pub target_secs: Option<u64>,
}

/// The data a restore point chosen during the drill would have lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestorePointFigure {
    pub table: String,
    pub point: DateTime<Utc>,
    /// How far the point was behind the moment it was chosen.
    pub data_loss_secs: u64,
    /// The service's RPO, when the table belongs to one.
    pub rpo_secs: Option<u64>,
}

/// A drill as the history keeps it: what the drill report, its comparison with later drills,
/// the forecast and the readiness report read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub id: String,
    pub runbook: String,
    pub mode: Mode,
    pub account: Option<String>,
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    pub outcome: DrillOutcome,
    /// The runbook's whole target (its RTO stand-in) and the tightest RTO of the services
    /// it recovers.
    pub target_secs: Option<u64>,
    pub rto_secs: Option<u64>,
    /// From the first step's start to the last recovery step's end (setup and teardown
    /// excluded): the measured RTO.
    pub recovery_secs: Option<f64>,
    pub setup_secs: Option<f64>,
    pub teardown_secs: Option<f64>,
    pub steps: Vec<StepTiming>,
    pub restore_points: Vec<RestorePointFigure>,
    /// What teardown removed, and what it left (named).
    pub removed: Vec<String>,
    pub left: Vec<String>,
    /// The drill's incident directory (its journal).
    pub journal: PathBuf,
}
