//! Where incidents live and how one begins: one directory per incident under the data
//! directory (simulated ones apart, under `simulation/`), named by its id; declaring one
//! works out the affected services and when the impact began, then writes the first entry.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::journal::{JOURNAL_FILE, Journal, JournalError, JournalResult, Origin};
use super::record::{AffectedService, Declared, ImpactSource, Record, Severity};
use super::state::Incident;
use crate::cloud::AlarmState;
use crate::config::Estate;
use crate::dirs::Dirs;
use crate::health::{Facts, HealthSnapshot, Status};
use crate::mode::Mode;

/// The plan's three disaster scenarios, and `other` for what it did not foresee.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("region-failover", "Complete AWS region failure"),
    ("data-corruption", "Data corruption"),
    ("infrastructure-loss", "Complete infrastructure loss"),
    ("other", "Anything else"),
];

/// What a commander gives when declaring. Empty `services` means "the ones the health
/// snapshot marks not ok"; no `impact_began` means "the earliest alarm, else now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclareInput {
    pub title: String,
    pub scenario: String,
    pub severity: Severity,
    pub services: Vec<String>,
    pub commander: Option<String>,
    pub impact_began: Option<DateTime<Utc>>,
}

/// Why a declaration was refused: each names the value that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclareError {
    #[error("a title is needed")]
    NoTitle,
    #[error("unknown scenario `{0}`; known: {known}", known = scenario_names())]
    UnknownScenario(String),
    #[error("unknown service `{name}`; the estate's services are: {known}")]
    UnknownService { name: String, known: String },
    #[error(
        "no service is marked unhealthy, so none can be assumed affected: name them with --service"
    )]
    NoServices,
    #[error("the impact cannot begin after the declaration ({0})")]
    ImpactInFuture(DateTime<Utc>),
}

fn scenario_names() -> String {
    SCENARIOS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first entry of a new incident, worked out from what was given, the estate and the
/// latest health snapshot (if any). Pure: the id is filled in when the directory is made.
pub fn plan_declaration(
    input: &DeclareInput,
    estate: &Estate,
    snapshot: Option<&HealthSnapshot>,
    now: DateTime<Utc>,
) -> Result<Declared, DeclareError> {
    let title = input.title.trim();
    if title.is_empty() {
        return Err(DeclareError::NoTitle);
    }
    let scenario = input.scenario.trim().to_ascii_lowercase();
    if !SCENARIOS.iter().any(|(n, _)| *n == scenario) {
        return Err(DeclareError::UnknownScenario(input.scenario.clone()));
    }
    let known = || {
        estate
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut names: Vec<String> = Vec::new();
    for name in &input.services {
        let service = estate
            .services
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| DeclareError::UnknownService {
                name: name.clone(),
                known: known(),
            })?;
        if !names.contains(&service.name) {
            names.push(service.name.clone());
        }
    }
    if names.is_empty() {
        names = unhealthy_services(snapshot);
    }
    if names.is_empty() {
        return Err(DeclareError::NoServices);
    }
    let services: Vec<AffectedService> = estate
        .services
        .iter()
        .filter(|s| names.contains(&s.name))
        .map(|s| AffectedService {
            name: s.name.clone(),
            priority: format!("{:?}", s.priority),
            rto_secs: s.rto.as_duration().as_secs(),
            rpo_secs: s.rpo.as_duration().as_secs(),
            impact: s.impact.clone(),
        })
        .collect();
    let (impact_began, impact_source) = match input.impact_began {
        Some(at) if at > now => return Err(DeclareError::ImpactInFuture(at)),
        Some(at) => (at, ImpactSource::Given),
        None => match earliest_alarm(estate, &names, snapshot) {
            Some((at, alarm)) if at <= now => (at, ImpactSource::Alarm { alarm }),
            _ => (now, ImpactSource::Declaration),
        },
    };
    Ok(Declared {
        id: String::new(),
        title: title.to_owned(),
        scenario,
        severity: input.severity,
        services,
        commander: input
            .commander
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        impact_began,
        impact_source,
    })
}

/// The services the snapshot marks anything but ok, in the matrix's order. Unknown counts:
/// a service nobody can see is not known to be fine.
pub fn unhealthy_services(snapshot: Option<&HealthSnapshot>) -> Vec<String> {
    snapshot
        .map(|s| {
            s.services
                .iter()
                .filter(|s| s.status != Status::Ok)
                .map(|s| s.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The earliest alarm in ALARM among the services' alarms, with when it went there.
fn earliest_alarm(
    estate: &Estate,
    services: &[String],
    snapshot: Option<&HealthSnapshot>,
) -> Option<(DateTime<Utc>, String)> {
    let snapshot = snapshot?;
    let alarms: Vec<&str> = estate
        .services
        .iter()
        .filter(|s| services.contains(&s.name))
        .flat_map(|s| s.alarms.iter().map(|a| a.get_ref().as_str()))
        .collect();
    snapshot
        .resources
        .iter()
        .filter(|r| alarms.contains(&r.name.as_str()))
        .filter_map(|r| match &r.facts {
            Facts::Alarm(f) if f.state == Some(AlarmState::Alarm) => {
                f.updated.map(|at| (at, r.name.clone()))
            }
            _ => None,
        })
        .min()
}

/// One mode's incidents: a directory of incident directories.
#[derive(Debug, Clone)]
pub struct IncidentStore {
    root: PathBuf,
    mode: Mode,
    /// Incidents already replayed, by directory, with their journal's length then: a console
    /// with no open incident lists the store every few seconds, and a journal nobody appended
    /// to need not be read again. Journals only grow (a torn tail cut away changes the length
    /// too), so an unchanged length is an unchanged journal.
    replayed: Arc<Mutex<HashMap<PathBuf, (u64, Incident)>>>,
}

fn replay_cached(cache: &mut HashMap<PathBuf, (u64, Incident)>, dir: &Path) -> Listed {
    let len = fs::metadata(dir.join(JOURNAL_FILE)).map(|m| m.len()).ok();
    if let (Some(len), Some((cached_len, incident))) = (len, cache.get(dir))
        && *cached_len == len
    {
        return Ok(incident.clone());
    }
    let incident = Incident::replay(dir)?;
    if let Some(len) = len {
        cache.insert(dir.to_owned(), (len, incident.clone()));
    }
    Ok(incident)
}

/// An incident as `list` finds it: replayed, or the reason it could not be.
pub type Listed = Result<Incident, JournalError>;

impl IncidentStore {
    /// The store for a mode: simulated incidents never mix with real ones.
    pub fn new(dirs: &Dirs, mode: Mode) -> Result<IncidentStore, String> {
        let root = dirs
            .incidents_for(mode)
            .ok_or_else(|| "no data directory: set HOME, or pass --data-dir DIR".to_owned())?;
        Ok(IncidentStore::at(root, mode))
    }

    pub fn at(root: PathBuf, mode: Mode) -> IncidentStore {
        IncidentStore {
            root,
            mode,
            replayed: Arc::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Opens a new incident: its directory (named by a fresh id), its journal and the
    /// `declared` entry, all durable before this returns.
    pub fn declare(
        &self,
        mut declared: Declared,
        origin: Origin,
        now: DateTime<Utc>,
    ) -> JournalResult<(Journal, Incident)> {
        let base = format!("{}-{}", self.id_prefix(), now.format("%Y%m%d-%H%M"));
        let mut n = 1;
        let mut journal = loop {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            match Journal::create(&self.root.join(&id), origin.clone()) {
                Ok(journal) => {
                    declared.id = id;
                    break journal;
                }
                Err(JournalError::Io { source, .. })
                    if source.kind() == io::ErrorKind::AlreadyExists && n < 100 =>
                {
                    n += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let entry = journal.append_at(&Record::Declared(declared), now)?;
        let incident = Incident::from_declared(&entry, journal.dir()).expect("just declared");
        Ok((journal, incident))
    }

    fn id_prefix(&self) -> &'static str {
        match self.mode {
            Mode::Production => "INC",
            Mode::Drill => "DRL",
            Mode::Simulation => "SIM",
        }
    }

    /// Every incident, newest first, each replayed (or the reason it could not be).
    pub fn list(&self) -> JournalResult<Vec<Listed>> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(JournalError::Io {
                    path: self.root.clone(),
                    source,
                });
            }
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            // An empty journal is a declaration that never reached the disk (a crash between
            // making the directory and writing its first entry): nothing was recorded, and
            // it must not stand in the way of picking the real open incident.
            .filter(|p| {
                fs::metadata(p.join(JOURNAL_FILE)).is_ok_and(|m| m.is_file() && m.len() > 0)
            })
            .collect();
        // Ids begin with the declaration time, so name order is time order.
        dirs.sort();
        dirs.reverse();
        let mut cache = self.replayed.lock().unwrap_or_else(|p| p.into_inner());
        cache.retain(|dir, _| dirs.contains(dir));
        Ok(dirs.iter().map(|d| replay_cached(&mut cache, d)).collect())
    }

    /// The open incidents, newest first. Ones that cannot be read are left out here; `list`
    /// shows them with their error.
    pub fn open_incidents(&self) -> JournalResult<Vec<Incident>> {
        Ok(self
            .list()?
            .into_iter()
            .filter_map(Result::ok)
            .filter(Incident::is_open)
            .collect())
    }

    /// The directory of the incident named `id` (or a path to one); with no id, the only
    /// open incident. The error says what to pass instead.
    pub fn pick(&self, id: Option<&str>) -> Result<PathBuf, String> {
        if let Some(id) = id {
            let path = Path::new(id);
            if path.join(JOURNAL_FILE).is_file() || path.is_file() {
                return Ok(path.to_owned());
            }
            let dir = self.root.join(id);
            if dir.join(JOURNAL_FILE).is_file() {
                return Ok(dir);
            }
            return Err(format!(
                "no incident `{id}` in {}; `drconsole incident list` shows them",
                self.root.display()
            ));
        }
        let listed = self.list().map_err(|e| e.to_string())?;
        // An incident that cannot be read may be the open one: guessing past it could put a
        // note or a restore into the wrong incident.
        if let Some(Err(e)) = listed.iter().find(|l| l.is_err()) {
            return Err(format!(
                "an incident here cannot be read ({e}): name the one you mean with --incident ID"
            ));
        }
        let open: Vec<Incident> = listed
            .into_iter()
            .filter_map(Result::ok)
            .filter(Incident::is_open)
            .collect();
        match open.as_slice() {
            [] => Err(format!(
                "no open incident in {}; declare one with `drconsole incident declare`",
                self.root.display()
            )),
            [one] => Ok(one.dir.clone()),
            many => Err(format!(
                "{} incidents are open ({}): name one with --incident ID",
                many.len(),
                many.iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
