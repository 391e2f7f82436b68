//! One run of a backup family at a time: an advisory lock on a file of the data directory.
//! The operating system drops it when the process ends however it ends, so a killed run
//! leaves nothing to clean up and the next run goes ahead.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::Family;

/// Held for the whole run; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// The lock of `family` under `dir` (the data directory's `locks/`), or why not: held
    /// by another run (named by what it wrote: its pid and start), or not creatable.
    pub fn acquire(dir: &Path, family: Family) -> Result<RunLock, LockRefused> {
        std::fs::create_dir_all(dir)
            .map_err(|e| LockRefused::Io(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(format!("backup-{}.lock", family.label()));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| LockRefused::Io(format!("cannot open {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(LockRefused::Held {
                    path,
                    holder: holder.trim().to_owned(),
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(LockRefused::Io(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )));
            }
        }
        // Who holds it, for the refusal a second run prints.
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = writeln!(
            file,
            "pid {} since {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        let _ = file.flush();
        Ok(RunLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LockRefused {
    /// Another run of the same family is in progress.
    Held {
        path: PathBuf,
        holder: String,
    },
    Io(String),
}

impl std::fmt::Display for LockRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockRefused::Held { path, holder } => write!(
                f,
                "another run is in progress ({}; lock {}): wait for it to finish",
                if holder.is_empty() {
                    "holder unknown"
                } else {
                    holder
                },
                path.display()
            ),
            LockRefused::Io(why) => f.write_str(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_of_the_same_family_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path(), Family::Dynamodb).unwrap();
        match RunLock::acquire(dir.path(), Family::Dynamodb) {
            Err(LockRefused::Held { holder, .. }) => {
                assert!(
                    holder.contains(&format!("pid {}", std::process::id())),
                    "{holder}"
                )
            }
            other => panic!("expected Held, got {other:?}"),
        }
        // Another family is not blocked.
        let _other = RunLock::acquire(dir.path(), Family::Lambda).unwrap();
        drop(first);
        RunLock::acquire(dir.path(), Family::Dynamodb).unwrap();
    }
}
