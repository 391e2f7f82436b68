//! Where an executor records, and which account it holds writes to: an incident's journal and
//! account inside an incident; otherwise the standing operations journal and the account the
//! session started with. So no write is unrecorded, whoever starts it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Executor, ExecutorOptions};
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::incident::journal::{Journal, Origin};
use crate::incident::{Incident, IncidentStore};
use crate::session::Session;

/// Where the actions of one run are recorded.
#[derive(Debug, Clone)]
pub struct Recording {
    pub journal_dir: PathBuf,
    /// The incident, when the actions belong to one.
    pub incident: Option<String>,
    /// The account the incident started in, when it says.
    pub account: Option<String>,
}

impl Recording {
    /// The named incident; with no name, the only open one, or the operations journal when
    /// none is open. Several open and none named is an error: guessing could put a write in
    /// the wrong incident's record.
    pub fn choose(session: &Session, dirs: &Dirs, id: Option<&str>) -> Result<Recording, Failure> {
        let store = IncidentStore::new(dirs, session.mode).map_err(Failure::Usage)?;
        let incident = match id {
            Some(id) => {
                let dir = store.pick(Some(id)).map_err(Failure::Incident)?;
                Some(Incident::replay(&dir)?)
            }
            None => {
                let mut open = store.open_incidents()?;
                match open.len() {
                    0 => None,
                    1 => open.pop(),
                    _ => {
                        return Err(Failure::Incident(format!(
                            "{} incidents are open ({}): name one with --incident ID",
                            open.len(),
                            open.iter()
                                .map(|i| i.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                }
            }
        };
        match incident {
            Some(i) => Ok(Recording::incident(&i)),
            None => Recording::operations(session, dirs),
        }
    }

    pub fn incident(incident: &Incident) -> Recording {
        Recording {
            journal_dir: incident.dir.clone(),
            incident: Some(incident.id.clone()),
            account: incident.account.clone(),
        }
    }

    /// The standing operations journal of the session's mode.
    pub fn operations(session: &Session, dirs: &Dirs) -> Result<Recording, Failure> {
        let dir = dirs.operations_journal_for(session.mode).ok_or_else(|| {
            Failure::Usage("no data directory: pass --data-dir or set DRCONSOLE_DATA_DIR".into())
        })?;
        Ok(Recording {
            journal_dir: dir,
            incident: None,
            account: None,
        })
    }

    /// Opens the journal and makes the executor. The account writes are held to is the
    /// incident's, else the one the session reads now (once): a later change refuses.
    pub async fn executor(&self, session: &Session) -> Result<Executor, Failure> {
        let account = match &self.account {
            Some(a) => Some(a.clone()),
            None => session.identity().await.ok().map(|i| i.account.clone()),
        };
        let origin = Origin::for_session(session, account.clone());
        let journal = open_journal(&self.journal_dir, origin)?;
        Ok(Executor::new(
            Arc::clone(&session.cloud),
            Arc::clone(&session.estate),
            journal,
            ExecutorOptions {
                read_only: session.read_only,
                account,
                drill_guard: None,
                stop_alarms: Vec::new(),
                poll_every: None,
            },
        ))
    }
}

fn open_journal(dir: &Path, origin: Origin) -> Result<Journal, Failure> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::Internal(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(Journal::open_or_create(dir, origin)?)
}
