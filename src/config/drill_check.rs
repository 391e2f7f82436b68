//! The `[validate]` and `[drill]` sections' own checks: limits that let a run finish, and a
//! drill suffix that cannot be confused with a production name.

use serde::Deserialize;

use super::model::{DrillSettings, ValidateSettings};
use super::{Checker, Loc, span_of};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ValidateLocations {
    tolerance_percent: Loc,
    sample: Loc,
    concurrency: Loc,
    restore_timeout: Loc,
    segments: Loc,
}

pub(super) fn check_validate(
    v: &ValidateSettings,
    at: &ValidateLocations,
    check: &mut Checker<'_>,
) {
    if !(0.0..=100.0).contains(&v.tolerance_percent) {
        check.report(
            span_of(&at.tolerance_percent),
            format!(
                "[validate].tolerance_percent must be between 0 and 100, got {}",
                v.tolerance_percent
            ),
        );
    }
    if v.concurrency == 0 {
        check.report(
            span_of(&at.concurrency),
            "[validate].concurrency must be at least 1, got 0".into(),
        );
    }
    if v.sample > 1000 {
        check.report(
            span_of(&at.sample),
            format!("[validate].sample is at most 1000 items, got {}", v.sample),
        );
    }
    if v.restore_timeout.is_zero() {
        check.report(
            span_of(&at.restore_timeout),
            "[validate].restore_timeout must be longer than zero, like \"2h\"".into(),
        );
    }
    if !(1..=30).contains(&v.segments) {
        check.report(
            span_of(&at.segments),
            format!("[validate].segments must be 1 to 30, got {}", v.segments),
        );
    }
}

pub(super) fn check_drill(d: &DrillSettings, check: &mut Checker<'_>) {
    let suffix = d.suffix.get_ref();
    let ok = suffix.len() >= 3
        && suffix.starts_with('-')
        && suffix[1..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        check.report(
            Some(d.suffix.span()),
            format!(
                "[drill].suffix {suffix:?} must start with '-' and hold only lower-case letters, \
                 digits and '-', like \"-dr-test\": it is put on table, function, stack and DNS \
                 names"
            ),
        );
    }
    for alarm in &d.stop_alarms {
        if alarm.name.get_ref().trim().is_empty() {
            check.report(
                Some(alarm.name.span()),
                "[drill].stop_alarms has an alarm with an empty name".into(),
            );
        }
    }
}
