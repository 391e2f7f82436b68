//! A validation run for people: the summary a terminal or a cron mail shows (one line per
//! finding, worst first, then the totals and the limits judged by), and Markdown for a
//! ticket or a wiki page.

use std::fmt::Write as _;

use super::{ValidationRecord, Verdict};

/// `FAIL: 3 tables; 14 findings: 11 pass, 1 warn, 2 fail, 0 unknown`.
pub fn totals_line(record: &ValidationRecord) -> String {
    let count = |v: Verdict| record.findings.iter().filter(|f| f.verdict == v).count();
    format!(
        "{}: {} table(s); {} finding(s): {} pass, {} warn, {} fail, {} unknown{}",
        record.verdict.label().to_uppercase(),
        record.tables.len(),
        record.findings.len(),
        count(Verdict::Pass),
        count(Verdict::Warn),
        count(Verdict::Fail),
        count(Verdict::Unknown),
        if record.interrupted {
            " (interrupted)"
        } else {
            ""
        }
    )
}

/// The limits the run judged by, in one line: printed with every result.
pub fn limits_line(record: &ValidationRecord) -> String {
    let s = &record.settings;
    format!(
        "item counts within {}% of the backup's own record (DescribeBackup's ItemCount, which \
         AWS calls approximate); replicas complete to {}%; {} item(s) sampled per table; {} \
         scan segment(s); restore timeout {}",
        s.tolerance_percent,
        record.replica_threshold_percent,
        s.sample,
        s.segments,
        s.restore_timeout
    )
}

fn took(record: &ValidationRecord) -> String {
    let secs = (record.finished - record.started).num_milliseconds() as f64 / 1000.0;
    format!("{secs:.1}s")
}

/// The terminal's summary.
pub fn summary(record: &ValidationRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} backup validation {} ({}), started {}, took {}",
        record.mode.label(),
        record.id,
        record
            .account
            .as_deref()
            .map_or_else(|| "account unknown".to_owned(), |a| format!("account {a}")),
        record.started.format("%Y-%m-%d %H:%M:%S UTC"),
        took(record)
    );
    let width = |f: fn(&super::Finding) -> usize| record.findings.iter().map(f).max().unwrap_or(0);
    let resource_w = width(|f| f.resource.chars().count());
    let check_w = width(|f| f.check.chars().count());
    for f in &record.findings {
        let _ = writeln!(
            out,
            "{:<7} {:<8} {:<resource_w$}  {:<check_w$}  {}",
            f.verdict.label().to_uppercase(),
            f.kind.label(),
            f.resource,
            f.check,
            f.message
        );
    }
    for left in &record.left {
        let _ = writeln!(
            out,
            "LEFT    {left}: this temporary table still exists; the next run deletes it"
        );
    }
    let _ = writeln!(out, "{}", totals_line(record));
    let _ = writeln!(out, "judged by: {}", limits_line(record));
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a ticket or a wiki page.
pub fn markdown(record: &ValidationRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Backup validation {}: {}\n",
        record.id,
        record.verdict.label().to_uppercase()
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Mode | {} |", record.mode.label());
    let _ = writeln!(
        out,
        "| Account | {} |",
        record.account.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(
        out,
        "| Started | {} |",
        record.started.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let _ = writeln!(out, "| Took | {} |", took(record));
    let _ = writeln!(
        out,
        "| Tables | {} |",
        if record.tables.is_empty() {
            "none".to_owned()
        } else {
            record
                .tables
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(out, "| Judged by | {} |", cell(&limits_line(record)));
    let _ = writeln!(out, "\n| Verdict | Kind | Resource | Check | Result |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for f in &record.findings {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} |",
            f.verdict.label().to_uppercase(),
            f.kind.label(),
            cell(&f.resource),
            cell(&f.check),
            cell(&f.message)
        );
    }
    if !record.left.is_empty() {
        let _ = writeln!(
            out,
            "\nTemporary tables still there (the next run deletes them): {}",
            record
                .left
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(out, "\n**{}**", cell(&totals_line(record)));
    out
}
