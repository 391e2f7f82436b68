//! `backup prune`: removes the on-demand backups and dated folders drconsole's naming made
//! that fall outside the retention rule; never the newest of anything, never an incident's
//! safety net.

use super::{Item, Run};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Days kept whole: the newest of each of the last N days with one.
    pub keep_daily: usize,
    /// Weeks kept: the newest of each of the last M ISO weeks with one.
    pub keep_weekly: usize,
    /// `--yes`: the removals were confirmed (needed without a terminal to type on).
    pub confirmed: bool,
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let _ = (run, options);
    Vec::new()
}
