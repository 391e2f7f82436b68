//! The summary a person (or cron's mail) reads: one line per target, the steps of those that
//! did not simply go through, and the totals.

use std::fmt::Write as _;

use super::{BackupRecord, ItemStatus};

/// "3 done, 1 unchanged, 1 failed".
pub fn totals_line(record: &BackupRecord) -> String {
    let counts = record.counts();
    if counts.is_empty() {
        return "nothing to back up".to_owned();
    }
    counts
        .iter()
        .map(|(status, n)| format!("{n} {}", status.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn summary(record: &BackupRecord) -> String {
    let mut out = String::new();
    if record.mode == crate::mode::Mode::Simulation {
        let _ = writeln!(out, "SIMULATION: the simulated estate, not an AWS account");
    }
    let _ = writeln!(
        out,
        "backup {}{}: {} ({}){}",
        record.family.label(),
        if record.dry_run { " --dry-run" } else { "" },
        record.verdict.label(),
        totals_line(record),
        if record.interrupted {
            "; interrupted: targets not started are not listed"
        } else {
            ""
        }
    );
    let width = record
        .items
        .iter()
        .map(|i| i.kind.len() + 1 + i.target.len())
        .max()
        .unwrap_or(0);
    for item in &record.items {
        let name = format!("{} {}", item.kind, item.target);
        let _ = writeln!(
            out,
            "  {:<9} {name:<width$}  {}",
            item.status.label(),
            item.detail
        );
        let show_steps =
            record.dry_run || !matches!(item.status, ItemStatus::Done | ItemStatus::Unchanged);
        for step in item.steps.iter().filter(|_| show_steps) {
            let _ = writeln!(
                out,
                "      {} {} ({}): {}",
                step.action,
                step.target,
                step.status.label(),
                step.detail
            );
            for request in &step.requests {
                let _ = writeln!(out, "        - {request}");
            }
            for note in &step.notes {
                let _ = writeln!(out, "        note: {note}");
            }
        }
    }
    for note in &record.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
