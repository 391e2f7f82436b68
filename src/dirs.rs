//! Every directory drconsole uses, named once from the platform's conventions: config (the
//! estate file, themes, keys), data (incidents, the operations journal, validation, drill and
//! backup history) and state (logs). `--data-dir` / `DRCONSOLE_DATA_DIR` move data and state.
//!
//! Nothing here creates a directory: whoever first writes a file makes its parent, so a
//! read-only command leaves no empty folders behind.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::mode::Mode;

/// Environment variable that moves the data directory when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "DRCONSOLE_DATA_DIR";

const APP: &str = "drconsole";

/// The directories of one run. `None` where the platform gives no base to build on (no
/// `HOME`, no XDG variable, no override): callers then say so instead of guessing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// `$XDG_CONFIG_HOME/drconsole`, `~/.config/drconsole`, macOS
    /// `~/Library/Application Support/drconsole`.
    pub config: Option<PathBuf>,
    /// `--data-dir`, `$DRCONSOLE_DATA_DIR`, `$XDG_DATA_HOME/drconsole`,
    /// `~/.local/share/drconsole`, macOS `~/Library/Application Support/drconsole`.
    pub data: Option<PathBuf>,
    /// Logs. `<data>/state` when the data directory was given explicitly, so one flag puts
    /// everything a run writes in one place; else `$XDG_STATE_HOME/drconsole`,
    /// `~/.local/state/drconsole`, macOS `~/Library/Application Support/drconsole/state`.
    pub state: Option<PathBuf>,
}

impl Dirs {
    /// The directories from the process environment; `data_dir` is `--data-dir`.
    pub fn from_env(data_dir: Option<&Path>) -> Dirs {
        Dirs::with_env(data_dir, &|key| std::env::var_os(key))
    }

    /// As [`Dirs::from_env`], reading variables through `env` (tests inject one).
    pub fn with_env(data_dir: Option<&Path>, env: &dyn Fn(&str) -> Option<OsString>) -> Dirs {
        let explicit = data_dir
            .map(Path::to_owned)
            .or_else(|| non_empty(env(DATA_DIR_ENV)).map(PathBuf::from));
        let (data, state) = match explicit {
            Some(data) => {
                let state = data.join("state");
                (Some(data), Some(state))
            }
            None => (
                platform_dir(env, "XDG_DATA_HOME", &[".local", "share"], None),
                platform_dir(env, "XDG_STATE_HOME", &[".local", "state"], Some("state")),
            ),
        };
        Dirs {
            config: config_dir_with(env),
            data,
            state,
        }
    }

    /// One directory per incident, each holding its journal.
    pub fn incidents(&self) -> Option<PathBuf> {
        self.data_sub(&["incidents"])
    }

    /// The operations journal: every AWS write drconsole made outside an incident.
    pub fn operations_journal(&self) -> Option<PathBuf> {
        self.data_sub(&["journal"])
    }

    /// One mode's incidents: real ones under `incidents/`, drills under `drills/incidents/`,
    /// rehearsals on the simulated estate under `simulation/incidents/`, so a demo never
    /// shows up among real incidents.
    pub fn incidents_for(&self, mode: Mode) -> Option<PathBuf> {
        match mode {
            Mode::Production => self.incidents(),
            Mode::Drill => self.data_sub(&["drills", "incidents"]),
            Mode::Simulation => self.data_sub(&["simulation", "incidents"]),
        }
    }

    /// One mode's operations journal, kept apart as incidents are.
    pub fn operations_journal_for(&self, mode: Mode) -> Option<PathBuf> {
        match mode {
            Mode::Production => self.operations_journal(),
            Mode::Drill => self.data_sub(&["drills", "journal"]),
            Mode::Simulation => self.data_sub(&["simulation", "journal"]),
        }
    }

    /// Results of `drconsole validate`, one file per run.
    pub fn validation_history(&self) -> Option<PathBuf> {
        self.data_sub(&["history", "validation"])
    }

    /// Drill reports and their timings, compared run against run.
    pub fn drill_history(&self) -> Option<PathBuf> {
        self.data_sub(&["history", "drills"])
    }

    /// What the scheduled backup commands did.
    pub fn backup_history(&self) -> Option<PathBuf> {
        self.data_sub(&["history", "backups"])
    }

    /// Lock files: one per command that must not run twice at once (`backup <family>`).
    pub fn locks(&self) -> Option<PathBuf> {
        self.data_sub(&["locks"])
    }

    /// The log file; rotated copies sit beside it as `drconsole.log.1`, `.2`, ...
    pub fn log_file(&self) -> Option<PathBuf> {
        Some(self.state.as_ref()?.join("drconsole.log"))
    }

    /// What `drconsole --version` prints: the version, then where things live. `config` is
    /// the estate file this run would read.
    pub fn describe(&self, config: Option<&Path>) -> String {
        let shown = |path: Option<&Path>| match path {
            Some(path) if path.exists() => path.display().to_string(),
            Some(path) => format!("{} (not there yet)", path.display()),
            None => "(nowhere: neither HOME nor an XDG directory is set)".to_owned(),
        };
        format!(
            "drconsole {}\nconfig: {}\ndata:   {}\nlog:    {}\n",
            env!("CARGO_PKG_VERSION"),
            shown(config),
            shown(self.data.as_deref()),
            shown(self.log_file().as_deref()),
        )
    }

    fn data_sub(&self, parts: &[&str]) -> Option<PathBuf> {
        let mut path = self.data.clone()?;
        path.extend(parts);
        Some(path)
    }
}

/// The config directory: `$XDG_CONFIG_HOME/drconsole`, else the platform's config directory
/// under `$HOME` (`~/.config` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%`
/// on Windows).
pub fn config_dir() -> Option<PathBuf> {
    config_dir_with(&|key| std::env::var_os(key))
}

pub(crate) fn config_dir_with(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored.
    let xdg = absolute(env("XDG_CONFIG_HOME"));
    let base = match xdg {
        Some(dir) => dir,
        None if cfg!(windows) => PathBuf::from(non_empty(env("APPDATA"))?),
        None if cfg!(target_os = "macos") => PathBuf::from(non_empty(env("HOME"))?)
            .join("Library")
            .join("Application Support"),
        None => PathBuf::from(non_empty(env("HOME"))?).join(".config"),
    };
    Some(base.join(APP))
}

/// `$XDG_*` if absolute, else the platform's place: under `$HOME` on Linux, Application
/// Support on macOS, `%LOCALAPPDATA%` on Windows (both have one base for data and state,
/// hence `shared_sub`).
fn platform_dir(
    env: &dyn Fn(&str) -> Option<OsString>,
    xdg_var: &str,
    home_parts: &[&str],
    shared_sub: Option<&str>,
) -> Option<PathBuf> {
    if let Some(dir) = absolute(env(xdg_var)) {
        return Some(dir.join(APP));
    }
    if cfg!(windows) {
        let base = PathBuf::from(non_empty(env("LOCALAPPDATA"))?).join(APP);
        return Some(shared_sub.map_or(base.clone(), |sub| base.join(sub)));
    }
    let home = PathBuf::from(non_empty(env("HOME"))?);
    if cfg!(target_os = "macos") {
        let base = home.join("Library").join("Application Support").join(APP);
        return Some(shared_sub.map_or(base.clone(), |sub| base.join(sub)));
    }
    let mut dir = home;
    dir.extend(home_parts);
    Some(dir.join(APP))
}

fn absolute(value: Option<OsString>) -> Option<PathBuf> {
    non_empty(value)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

pub(crate) fn non_empty(value: Option<OsString>) -> Option<OsString> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_defaults_live_under_home() {
        let dirs = Dirs::with_env(None, &env(&[("HOME", "/h")]));
        assert_eq!(dirs.config.unwrap(), Path::new("/h/.config/drconsole"));
        assert_eq!(dirs.data.unwrap(), Path::new("/h/.local/share/drconsole"));
        assert_eq!(dirs.state.unwrap(), Path::new("/h/.local/state/drconsole"));
    }

    #[cfg(target_os = "macos")]
    #[test]
    fn macos_defaults_live_in_application_support() {
        let dirs = Dirs::with_env(None, &env(&[("HOME", "/h")]));
        let base = Path::new("/h/Library/Application Support/drconsole");
        assert_eq!(dirs.config.unwrap(), base);
        assert_eq!(dirs.data.unwrap(), base);
        assert_eq!(dirs.state.unwrap(), base.join("state"));
    }

    #[cfg(unix)]
    #[test]
    fn xdg_variables_win_over_home_and_relative_ones_are_ignored() {
        let vars = [
            ("HOME", "/h"),
            ("XDG_CONFIG_HOME", "/c"),
            ("XDG_DATA_HOME", "/d"),
            ("XDG_STATE_HOME", "relative/state"),
        ];
        let dirs = Dirs::with_env(None, &env(&vars));
        assert_eq!(dirs.config.unwrap(), Path::new("/c/drconsole"));
        assert_eq!(dirs.data.unwrap(), Path::new("/d/drconsole"));
        let state = dirs.state.unwrap();
        assert!(
            state.starts_with("/h"),
            "relative XDG_STATE_HOME ignored: {state:?}"
        );
    }

    #[test]
    fn the_flag_beats_the_variable_and_moves_state_along() {
        let vars = [
            ("HOME", "/h"),
            ("XDG_STATE_HOME", "/s"),
            (DATA_DIR_ENV, "/from/env"),
        ];
        let dirs = Dirs::with_env(Some(Path::new("/from/flag")), &env(&vars));
        assert_eq!(dirs.data.as_deref().unwrap(), Path::new("/from/flag"));
        assert_eq!(dirs.state.unwrap(), Path::new("/from/flag/state"));

        let dirs = Dirs::with_env(None, &env(&vars));
        assert_eq!(dirs.data.as_deref().unwrap(), Path::new("/from/env"));
        assert_eq!(
            dirs.log_file().unwrap(),
            Path::new("/from/env/state/drconsole.log")
        );
        // An empty variable is unset, as for DRCONSOLE_CONFIG.
        let dirs = Dirs::with_env(None, &env(&[("HOME", "/h"), (DATA_DIR_ENV, "")]));
        assert!(!dirs.data.unwrap().starts_with("/from"));
    }

    #[test]
    fn every_kind_of_record_has_its_own_folder_under_data() {
        let dirs = Dirs::with_env(Some(Path::new("/d")), &env(&[]));
        let folders = [
            dirs.incidents(),
            dirs.operations_journal(),
            dirs.validation_history(),
            dirs.drill_history(),
            dirs.backup_history(),
            dirs.incidents_for(Mode::Simulation),
            dirs.incidents_for(Mode::Drill),
            dirs.operations_journal_for(Mode::Simulation),
            dirs.operations_journal_for(Mode::Drill),
        ]
        .map(Option::unwrap);
        for folder in &folders {
            assert!(folder.starts_with("/d"), "{folder:?}");
        }
        let mut unique = folders.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), folders.len(), "{folders:?}");
    }

    #[test]
    fn nothing_to_build_on_is_none_not_a_guess() {
        let dirs = Dirs::with_env(None, &env(&[]));
        assert_eq!(
            dirs,
            Dirs {
                config: None,
                data: None,
                state: None
            }
        );
        assert_eq!(dirs.log_file(), None);
    }

    #[test]
    fn nothing_is_created() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let dirs = Dirs::with_env(Some(&data), &env(&[]));
        let _ = (dirs.log_file(), dirs.incidents(), dirs.operations_journal());
        assert!(!data.exists());
    }
}
