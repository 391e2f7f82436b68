//! A drill against the drills before it: per step and in total, this drill's time beside the
//! median of the earlier drills of the same runbook and mode, and which way it went.

use serde::{Deserialize, Serialize};

use crate::drill::{DrillOutcome, DrillRecord};
use crate::mode::Mode;

/// Within this share of the median either way, a time is steady: a drill's steps wait on AWS
/// and on people, and a few percent either way is noise, not a trend.
pub const STEADY_PERCENT: f64 = 10.0;

/// Which way a time went against the earlier drills' median.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Faster,
    Slower,
    /// Within [`STEADY_PERCENT`] of the median.
    Steady,
    /// No earlier drill measured it.
    NoHistory,
    /// This drill did not measure it (not reached, failed, not finished).
    NotMeasured,
}

impl Trend {
    pub fn label(self) -> &'static str {
        match self {
            Trend::Faster => "faster",
            Trend::Slower => "slower",
            Trend::Steady => "steady",
            Trend::NoHistory => "no history",
            Trend::NotMeasured => "not measured",
        }
    }
}

/// One time (a step's or the total) beside the earlier drills'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The step's path, or `total` for the recovery time.
    pub path: String,
    pub secs: Option<f64>,
    /// The median of the earlier drills that measured it, and how many did.
    pub median_secs: Option<f64>,
    pub samples: usize,
    pub trend: Trend,
    /// This drill's time minus the median (negative: faster), and that as a percentage of
    /// the median.
    pub change_secs: Option<f64>,
    pub change_percent: Option<f64>,
}

/// The comparison the drill report prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub runbook: String,
    pub mode: Mode,
    /// The earlier drills compared with, oldest first.
    pub earlier: Vec<String>,
    pub steps: Vec<Figure>,
    pub total: Figure,
}

impl Comparison {
    pub fn step(&self, path: &str) -> Option<&Figure> {
        self.steps.iter().find(|f| f.path == path)
    }
}

/// The earlier drills `record` is compared with: the same runbook and mode, started before
/// it, itself left out.
pub fn earlier_of<'a>(record: &DrillRecord, all: &'a [DrillRecord]) -> Vec<&'a DrillRecord> {
    let mut earlier: Vec<&DrillRecord> = all
        .iter()
        .filter(|d| {
            d.runbook == record.runbook
                && d.mode == record.mode
                && d.id != record.id
                && d.started < record.started
        })
        .collect();
    earlier.sort_by_key(|d| d.started);
    earlier
}

/// `record`'s steps and total against the median of `earlier` (filtered by [`earlier_of`]:
/// passing every drill of the history is fine). A step counts only where it succeeded, and a
/// total only where the drill completed: a failed step's time or a halted drill's total says
/// nothing about how long the work takes.
pub fn compare(record: &DrillRecord, earlier: &[DrillRecord]) -> Comparison {
    let earlier = earlier_of(record, earlier);
    let steps = record
        .steps
        .iter()
        .map(|step| {
            let history: Vec<f64> = earlier
                .iter()
                .filter_map(|d| d.steps.iter().find(|s| s.path == step.path))
                .filter(|s| s.outcome == "succeeded")
                .filter_map(|s| s.secs)
                .collect();
            let secs = step.secs.filter(|_| step.outcome == "succeeded");
            figure(&step.path, secs, &history)
        })
        .collect();
    let history: Vec<f64> = earlier
        .iter()
        .filter(|d| d.outcome == DrillOutcome::Completed)
        .filter_map(|d| d.recovery_secs)
        .collect();
    let total_secs = record
        .recovery_secs
        .filter(|_| record.outcome == DrillOutcome::Completed);
    Comparison {
        runbook: record.runbook.clone(),
        mode: record.mode,
        earlier: earlier.iter().map(|d| d.id.clone()).collect(),
        steps,
        total: figure("total", total_secs, &history),
    }
}

fn figure(path: &str, secs: Option<f64>, history: &[f64]) -> Figure {
    let median_secs = median(history);
    let (trend, change_secs, change_percent) = match (secs, median_secs) {
        (None, _) => (Trend::NotMeasured, None, None),
        (Some(_), None) => (Trend::NoHistory, None, None),
        (Some(s), Some(m)) => {
            let change = s - m;
            let percent = if m > 0.0 {
                Some(change / m * 100.0)
            } else {
                None
            };
            let trend = match percent {
                Some(p) if p.abs() <= STEADY_PERCENT => Trend::Steady,
                Some(p) if p < 0.0 => Trend::Faster,
                Some(_) => Trend::Slower,
                // A median of zero: any time at all is slower, none is steady.
                None if change > 0.0 => Trend::Slower,
                None => Trend::Steady,
            };
            (trend, Some(change), percent)
        }
    };
    Figure {
        path: path.to_owned(),
        secs,
        median_secs,
        samples: history.len(),
        trend,
        change_secs,
        change_percent,
    }
}

/// The middle value; the mean of the two middle ones for an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_or_the_mean_of_the_two_middles() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[300.0, 100.0, 200.0]), Some(200.0));
        assert_eq!(median(&[400.0, 100.0, 200.0, 300.0]), Some(250.0));
    }

    #[test]
    fn a_trend_is_steady_within_ten_percent_of_the_median() {
        assert_eq!(figure("s", Some(109.0), &[100.0]).trend, Trend::Steady);
        assert_eq!(figure("s", Some(111.0), &[100.0]).trend, Trend::Slower);
        assert_eq!(figure("s", Some(80.0), &[100.0]).trend, Trend::Faster);
        assert_eq!(figure("s", Some(80.0), &[]).trend, Trend::NoHistory);
        assert_eq!(figure("s", None, &[100.0]).trend, Trend::NotMeasured);
        let f = figure("s", Some(80.0), &[100.0, 120.0, 90.0]);
        assert_eq!(f.median_secs, Some(100.0));
        assert_eq!(f.change_secs, Some(-20.0));
        assert_eq!(f.change_percent, Some(-20.0));
    }
}
