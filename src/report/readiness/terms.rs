//! The plan's four readiness terms, each a mean of measured shares, and their weighted sum.
//! What could not be read counts as not met and is named: unknown is never full marks.

use chrono::{Months, NaiveDate};

use super::schedule::{Quarter, due_first_fridays, due_quarters};
use super::{Inputs, Part, Report, Term};
use crate::drill::DrillOutcome;
use crate::drill::history::Unreadable;
use crate::health::human_duration;

/// The terms' weights in the overall readiness (they sum to 1). A term with nothing to
/// measure (no bucket to replicate) is left out and the others are scaled up to fill.
pub const WEIGHTS: [(&str, f64); 4] = [
    (BACKUP_COVERAGE, 0.30),
    (REPLICATION_HEALTH, 0.25),
    (TEST_FREQUENCY, 0.25),
    (DOCUMENTATION_CURRENT, 0.20),
];

pub const BACKUP_COVERAGE: &str = "Backup Coverage";
pub const REPLICATION_HEALTH: &str = "Replication Health";
pub const TEST_FREQUENCY: &str = "Test Frequency";
pub const DOCUMENTATION_CURRENT: &str = "Documentation Current";

/// A runbook review older than this is out of date.
pub const REVIEW_MONTHS: u32 = 6;

fn weight(name: &str) -> f64 {
    WEIGHTS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0.0, |(_, w)| *w)
}

fn term(name: &str, parts: Vec<Part>) -> Term {
    let shares: Vec<f64> = parts.iter().filter_map(Part::percent).collect();
    let percent = (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64);
    Term {
        name: name.to_owned(),
        percent,
        weight: weight(name),
        parts,
    }
}

pub(super) fn all(report: &Report, inputs: &Inputs<'_>) -> Vec<Term> {
    vec![
        backup_coverage(report),
        replication_health(report),
        test_frequency(inputs),
        documentation_current(inputs),
    ]
}

/// The weighted mean of the terms that apply, in percent.
pub(super) fn overall(terms: &[Term]) -> f64 {
    let (sum, weights) = terms
        .iter()
        .filter_map(|t| Some((t.percent? * t.weight, t.weight)))
        .fold((0.0, 0.0), |(s, w), (ts, tw)| (s + ts, w + tw));
    if weights > 0.0 { sum / weights } else { 0.0 }
}

fn backup_coverage(report: &Report) -> Term {
    let mut tables = Part {
        what: "tables with an AVAILABLE backup younger than their RPO".to_owned(),
        met: 0,
        of: report.tables.len(),
        short: Vec::new(),
        unknown: Vec::new(),
    };
    for t in &report.tables {
        match (t.fresh, &t.newest) {
            (Some(true), _) => tables.met += 1,
            (Some(false), Some(n)) => tables.short.push(format!(
                "{}: newest backup {} old, over its {} of {}",
                t.name,
                human_duration(n.age_secs),
                t.bound_from,
                human_duration(t.bound_secs)
            )),
            (Some(false), None) => tables
                .short
                .push(format!("{}: no AVAILABLE backup", t.name)),
            (None, _) => tables.unknown.push(format!(
                "table {}: its backups could not be listed ({})",
                t.name,
                t.error.as_deref().unwrap_or("no answer")
            )),
        }
    }
    // The plan's first line of defence between daily backups: without PITR a 1-hour RPO is
    // met for only an hour a day.
    let mut pitr = Part {
        what: "tables with point-in-time recovery on".to_owned(),
        met: 0,
        of: report.tables.len(),
        short: Vec::new(),
        unknown: Vec::new(),
    };
    for t in &report.tables {
        match t.pitr_enabled {
            Some(true) => pitr.met += 1,
            Some(false) => pitr
                .short
                .push(format!("{}: point-in-time recovery is off", t.name)),
            None => pitr.unknown.push(format!(
                "table {}: its point-in-time recovery could not be read ({})",
                t.name,
                t.error.as_deref().unwrap_or("no answer")
            )),
        }
    }
    let mut functions = Part {
        what: "functions whose newest backup holds their code".to_owned(),
        met: 0,
        of: report.functions.len(),
        short: Vec::new(),
        unknown: Vec::new(),
    };
    for f in &report.functions {
        if !f.checked {
            functions.unknown.push(format!(
                "function {}: the backup bucket could not be searched ({})",
                f.name,
                f.error.as_deref().unwrap_or("no answer")
            ));
        } else if f.has_code {
            functions.met += 1;
        } else if f.has_config {
            functions.short.push(format!(
                "{}: configuration-only backup, which cannot restore the function",
                f.name
            ));
        } else {
            functions.short.push(format!("{}: no backup", f.name));
        }
    }
    term(BACKUP_COVERAGE, vec![tables, pitr, functions])
}

fn replication_health(report: &Report) -> Term {
    let to_replicate: Vec<_> = report
        .buckets
        .iter()
        .filter(|b| !b.unreplicated_on_purpose)
        .collect();
    let mut part = Part {
        what: "buckets replicated and at or above the completeness threshold".to_owned(),
        met: 0,
        of: to_replicate.len(),
        short: Vec::new(),
        unknown: Vec::new(),
    };
    for b in to_replicate {
        match b.healthy {
            Some(true) => part.met += 1,
            Some(false) => part.short.push(match (&b.rule, b.completeness_percent) {
                (Some(rule), _) if rule != "Enabled" => {
                    format!("{}: replication {}", b.name, rule.to_lowercase())
                }
                (_, Some(c)) => format!(
                    "{}: replica {c:.1}% complete, under the {:.0}% threshold",
                    b.name, b.threshold_percent
                ),
                _ => format!("{}: not replicated", b.name),
            }),
            None => part.unknown.push(format!(
                "bucket {}: {} ({})",
                b.name,
                if b.rule.is_none() {
                    "the replication configuration could not be read"
                } else {
                    "the objects could not be counted"
                },
                b.error.as_deref().unwrap_or("no answer")
            )),
        }
    }
    term(REPLICATION_HEALTH, vec![part])
}

fn test_frequency(inputs: &Inputs<'_>) -> Term {
    let at = inputs.at;
    let mut validations = Part {
        what: "first Fridays of the last 12 months with a passing validation".to_owned(),
        met: 0,
        of: 0,
        short: Vec::new(),
        unknown: Vec::new(),
    };
    for friday in due_first_fridays(at) {
        validations.of += 1;
        let that_day: Vec<_> = inputs
            .validations
            .iter()
            .filter(|v| v.started.date_naive() == friday && v.started <= at)
            .collect();
        if that_day.iter().any(|v| v.passed()) {
            validations.met += 1;
        } else if that_day.is_empty() {
            let unread = unread_on(&inputs.unreadable_validations, |d| d == friday);
            validations
                .short
                .push(format!("{friday}: no validation{unread}"));
        } else {
            validations
                .short
                .push(format!("{friday}: the validation did not pass"));
        }
    }
    let completed = |d: &&crate::drill::DrillRecord| d.outcome == DrillOutcome::Completed;
    let in_quarter = |q: Quarter| {
        inputs
            .drills
            .iter()
            .filter(move |d| d.started <= at && Quarter::of(d.started.date_naive()) == q)
    };
    let current = Quarter::of(at.date_naive());
    let current_done = in_quarter(current).any(|d| completed(&d));
    let mut drills = Part {
        what: "quarters of the last 12 months with a completed drill".to_owned(),
        met: 0,
        of: 0,
        short: Vec::new(),
        unknown: Vec::new(),
    };
    for quarter in due_quarters(at, current_done) {
        drills.of += 1;
        let held: Vec<_> = in_quarter(quarter).collect();
        if held.iter().any(completed) {
            drills.met += 1;
        } else if held.is_empty() {
            let unread = unread_on(&inputs.unreadable_drills, |d| Quarter::of(d) == quarter);
            drills.short.push(format!("{quarter}: no drill{unread}"));
        } else {
            drills.short.push(format!(
                "{quarter}: no drill completed ({} tried)",
                held.len()
            ));
        }
    }
    term(TEST_FREQUENCY, vec![validations, drills])
}

/// ", and FILE could not be read" for history files of that period: the run it may hold is
/// not counted, and the reader is told where to look.
fn unread_on(files: &[Unreadable], when: impl Fn(NaiveDate) -> bool) -> String {
    files
        .iter()
        .filter(|f| started_from_name(&f.path).is_some_and(&when))
        .map(|f| format!(", and {} could not be read", f.path.display()))
        .collect()
}

/// The day a history file's name says its run started (`YYYYMMDDTHHMMSSZ-<id>.json`).
fn started_from_name(path: &std::path::Path) -> Option<NaiveDate> {
    let name = path.file_name()?.to_str()?;
    NaiveDate::parse_from_str(name.get(..8)?, "%Y%m%d").ok()
}

fn documentation_current(inputs: &Inputs<'_>) -> Term {
    let mut estate = Part {
        what: "resources named alike in the estate file and the account".to_owned(),
        met: 0,
        of: 0,
        short: Vec::new(),
        unknown: Vec::new(),
    };
    match &inputs.documentation {
        Ok(diff) => {
            estate.met = diff.matched();
            estate.of = diff.matched() + diff.differences();
            for kind in &diff.kinds {
                for name in &kind.only_in_account {
                    estate.short.push(format!(
                        "{} {name}: in the account, not in the estate file",
                        kind.kind
                    ));
                }
                for name in &kind.only_in_estate {
                    estate.short.push(format!(
                        "{} {name}: in the estate file, not in the account",
                        kind.kind
                    ));
                }
            }
        }
        Err(why) => {
            estate.of = 1;
            estate.unknown.push(format!(
                "the account could not be compared with the estate file: {why}"
            ));
        }
    }
    let mut reviews = Part {
        what: format!("runbooks reviewed in the last {REVIEW_MONTHS} months"),
        met: 0,
        of: 0,
        short: Vec::new(),
        unknown: Vec::new(),
    };
    match &inputs.runbooks {
        Ok(runbooks) => {
            let today = inputs.at.date_naive();
            let oldest_current = today - Months::new(REVIEW_MONTHS);
            reviews.of = runbooks.len();
            for r in runbooks {
                match r.reviewed {
                    Some(day) if day >= oldest_current => reviews.met += 1,
                    Some(day) => reviews.short.push(format!(
                        "{}: last reviewed {day}, over {REVIEW_MONTHS} months ago",
                        r.name
                    )),
                    None => reviews.short.push(format!("{}: never reviewed", r.name)),
                }
            }
        }
        Err(why) => {
            reviews.of = 1;
            reviews
                .unknown
                .push(format!("the runbooks could not be loaded: {why}"));
        }
    }
    term(DOCUMENTATION_CURRENT, vec![estate, reviews])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(name: &str, met: usize, of: usize) -> Term {
        term(
            name,
            vec![Part {
                what: "things".into(),
                met,
                of,
                short: Vec::new(),
                unknown: Vec::new(),
            }],
        )
    }

    #[test]
    fn a_term_with_nothing_to_measure_gives_its_weight_to_the_others() {
        let all = [
            scored(BACKUP_COVERAGE, 1, 2),
            scored(REPLICATION_HEALTH, 0, 0),
            scored(TEST_FREQUENCY, 4, 4),
            scored(DOCUMENTATION_CURRENT, 3, 4),
        ];
        assert_eq!(all[1].percent, None);
        let expected = (50.0 * 0.30 + 100.0 * 0.25 + 75.0 * 0.20) / (0.30 + 0.25 + 0.20);
        assert!((overall(&all) - expected).abs() < 1e-9, "{}", overall(&all));
        let weights: f64 = WEIGHTS.iter().map(|(_, w)| w).sum();
        assert!((weights - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_term_is_the_mean_of_its_parts_not_of_their_items() {
        let mut t = scored(BACKUP_COVERAGE, 1, 4);
        t.parts.push(t.parts[0].clone());
        t.parts[1].met = 2;
        t.parts[1].of = 2;
        let t = term(BACKUP_COVERAGE, t.parts);
        assert_eq!(t.percent, Some((25.0 + 100.0) / 2.0));
    }
}
