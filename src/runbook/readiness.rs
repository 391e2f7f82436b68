//! Readiness: would a runbook succeed right now? Reads only, every poll, before any outage:
//! do its targets exist, has every table a restorable copy in the backup region and how old,
//! does the backup bucket hold every function's code, is the template file there.

use serde::Serialize;

use super::model::Runbook;
use crate::action::Context;

/// One reason a runbook would not succeed now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    /// The step it blocks.
    pub step: String,
    /// In words: "flightdata-config has no restorable copy in us-west-2 — newest export 9
    /// days old".
    pub what: String,
    /// True when a read failed: not known to block, not known not to.
    pub unknown: bool,
}

/// A runbook's readiness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub runbook: String,
    pub blockers: Vec<Blocker>,
    /// What was looked at, in words (for `runbook check`'s output).
    pub checked: Vec<String>,
}

impl Readiness {
    /// Ready: nothing blocks and nothing is unknown.
    pub fn ready(&self) -> bool {
        self.blockers.is_empty()
    }

    /// "ready", or "N blockers: the first in words".
    pub fn summary(&self) -> String {
        match self.blockers.first() {
            None => format!("{}: ready", self.runbook),
            Some(first) => format!(
                "{}: {} blocker{} — {}",
                self.runbook,
                self.blockers.len(),
                if self.blockers.len() == 1 { "" } else { "s" },
                first.what
            ),
        }
    }
}

/// Evaluates `runbook` against the live estate, reads only.
pub async fn check(ctx: &Context<'_>, runbook: &Runbook) -> Readiness {
    let _ = ctx;
    Readiness {
        runbook: runbook.name.get_ref().clone(),
        blockers: vec![Blocker {
            step: String::new(),
            what: "readiness is not built yet".to_owned(),
            unknown: true,
        }],
        checked: Vec::new(),
    }
}
