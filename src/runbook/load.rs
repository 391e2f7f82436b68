//! Finding and reading runbooks: the shipped ones (compiled in from `templates/runbooks/`)
//! and the user's (`runbooks/` in the config directory), a user file replacing the shipped
//! one of the same name. Every mistake is found here, at file:line:column, never when a step
//! runs.

use std::path::{Path, PathBuf};

use super::model::Runbook;
use crate::config::{ConfigError, Estate};

mod describe;
mod validate;

pub use describe::describe;

/// The runbooks shipped with drconsole: (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "region-failover.toml",
        include_str!("../../templates/runbooks/region-failover.toml"),
    ),
    (
        "region-failback.toml",
        include_str!("../../templates/runbooks/region-failback.toml"),
    ),
    (
        "data-corruption.toml",
        include_str!("../../templates/runbooks/data-corruption.toml"),
    ),
    (
        "infrastructure-loss.toml",
        include_str!("../../templates/runbooks/infrastructure-loss.toml"),
    ),
    (
        "annual-bc-test.toml",
        include_str!("../../templates/runbooks/annual-bc-test.toml"),
    ),
];

/// Where shipped runbooks are said to be, in errors and `runbook show`.
const SHIPPED_DIR: &str = "templates/runbooks";

/// Where a runbook came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Shipped,
    User(PathBuf),
}

/// A runbook that loaded without error.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub runbook: Runbook,
    pub origin: Origin,
    /// The file's path as errors and `runbook show` name it.
    pub path: PathBuf,
    /// SHA-256 of the file's text: a resumed run says when the file changed since it began.
    pub digest: String,
}

/// Parses and checks one runbook's text against the estate and the catalogue.
/// The first mistake in document order is the one reported: fixing from the top down, each
/// message is about the file as the reader sees it, not about an earlier mistake's fallout.
pub fn parse(text: &str, path: &Path, estate: &Estate) -> Result<Runbook, ConfigError> {
    let runbook: Runbook = toml::from_str(text)
        .map_err(|e| ConfigError::invalid(path, text, e.span(), e.message().trim_end()))?;
    match validate::first_problem(&runbook, text, path, estate) {
        Some((at, message)) => Err(ConfigError::invalid(path, text, Some(at..at), message)),
        None => Ok(runbook),
    }
}

/// Every runbook: shipped, then the user's over them by name, sorted by name. The first
/// error stops the load (a runbook that does not load must be fixed, not skipped silently).
/// `user_dir` is the config directory's `runbooks/`; it need not exist.
pub fn load_all(user_dir: Option<&Path>, estate: &Estate) -> Result<Vec<Loaded>, ConfigError> {
    let mut by_name = std::collections::BTreeMap::new();
    for (file, text) in SHIPPED {
        let path = Path::new(SHIPPED_DIR).join(file);
        let loaded = load_one(text, path, Origin::Shipped, estate)?;
        by_name.insert(loaded.runbook.name.get_ref().clone(), loaded);
    }
    for path in user_files(user_dir)? {
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        let loaded = load_one(&text, path.clone(), Origin::User(path), estate)?;
        by_name.insert(loaded.runbook.name.get_ref().clone(), loaded);
    }
    Ok(by_name.into_values().collect())
}

fn load_one(
    text: &str,
    path: PathBuf,
    origin: Origin,
    estate: &Estate,
) -> Result<Loaded, ConfigError> {
    let runbook = parse(text, &path, estate)?;
    Ok(Loaded {
        runbook,
        origin,
        path,
        digest: digest(text),
    })
}

/// The `*.toml` files in `dir`, by file name so two machines load them in the same order.
/// No directory is no user runbooks; a directory that cannot be listed is an error naming
/// it, since silently running the shipped runbook instead of the user's is worse.
fn user_files(dir: Option<&Path>) -> Result<Vec<PathBuf>, ConfigError> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ConfigError::Io {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| ConfigError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The user's runbook directory: `runbooks/` in the config directory.
pub fn user_dir() -> Option<PathBuf> {
    crate::dirs::config_dir().map(|d| d.join("runbooks"))
}

/// Why a runbook could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file does not load: file:line:column and what is wrong.
    #[error(transparent)]
    File(#[from] ConfigError),
    /// No runbook of that name: the names there are.
    #[error("no runbook `{name}`; there are: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
}

/// The runbook named `name`, or an error listing the names there are.
pub fn find(name: &str, user_dir: Option<&Path>, estate: &Estate) -> Result<Loaded, LoadError> {
    let all = load_all(user_dir, estate)?;
    let known: Vec<String> = all
        .iter()
        .map(|l| l.runbook.name.get_ref().clone())
        .collect();
    all.into_iter()
        .find(|l| l.runbook.name.get_ref() == name)
        .ok_or_else(|| LoadError::Unknown {
            name: name.to_owned(),
            known,
        })
}

/// SHA-256 of a runbook's text, hex.
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}
