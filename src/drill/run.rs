//! Drill mode: setup (drill copies of what the runbook changes), the runbook with every
//! target renamed, the drill guard, stop conditions, and teardown on the end or an abort.
