//! The retention rule, as a pure function of a series, the clock and the two counts: which
//! members stay and why. Everything the prune removes is what this leaves without a reason.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, IsoWeek, NaiveDate, Utc};
use serde::Serialize;

/// One member of a series as the rule sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dated {
    /// The day its name gives (the schedule's own date; AWS's creation time may be later).
    pub day: NaiveDate,
    /// Orders members of one day: the newest of a day is the latest `at` (then the later in
    /// the series).
    pub at: DateTime<Utc>,
    /// Kept whatever the counts say, and why (an incident's safety net, the newest backup of
    /// a function).
    pub held: Option<String>,
}

/// Why a member stays.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "why", content = "of")]
pub enum Why {
    /// The newest of the series: never removed, whatever the counts.
    Newest,
    /// Dated after today: the clock or the name is wrong, and neither is for a prune to guess.
    Future,
    /// The newest of one of the last N days that have a member.
    Daily(NaiveDate),
    /// The newest of one of the last M ISO weeks that have a member (`2026-W48`).
    Weekly(String),
    Held(String),
}

impl Why {
    pub fn label(&self) -> String {
        match self {
            Why::Newest => "the newest".to_owned(),
            Why::Future => "dated after today".to_owned(),
            Why::Daily(day) => format!("daily {day}"),
            Why::Weekly(week) => format!("weekly {week}"),
            Why::Held(why) => why.clone(),
        }
    }
}

fn week_label(week: IsoWeek) -> String {
    format!("{}-W{:02}", week.year(), week.week())
}

/// For each member (in the order given), the reasons it stays; none means it is removed.
///
/// Within the series: the newest member of each of the last `keep_daily` days that have one,
/// and the newest of each of the last `keep_weekly` ISO weeks that have one, stay (the two
/// counts are applied each on its own, a member may stay for both); the newest of the series
/// always stays; a member dated after `now`'s day stays; a held member stays.
pub fn decide(
    series: &[Dated],
    now: DateTime<Utc>,
    keep_daily: usize,
    keep_weekly: usize,
) -> Vec<Vec<Why>> {
    let mut keep: Vec<Vec<Why>> = vec![Vec::new(); series.len()];
    // Newest first; of equals, the later in the series.
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by(|&a, &b| (series[b].day, series[b].at, b).cmp(&(series[a].day, series[a].at, a)));
    if let Some(&newest) = order.first() {
        keep[newest].push(Why::Newest);
    }
    let today = now.date_naive();
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut weeks: BTreeSet<IsoWeek> = BTreeSet::new();
    for &i in &order {
        let member = &series[i];
        if member.day > today {
            keep[i].push(Why::Future);
        }
        // The first member met of a day (or week) is its newest.
        if !days.contains(&member.day) {
            if days.len() < keep_daily {
                keep[i].push(Why::Daily(member.day));
            }
            days.insert(member.day);
        }
        let week = member.day.iso_week();
        if !weeks.contains(&week) {
            if weeks.len() < keep_weekly {
                keep[i].push(Why::Weekly(week_label(week)));
            }
            weeks.insert(week);
        }
        if let Some(why) = &member.held {
            keep[i].push(Why::Held(why.clone()));
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(d: &str, hour: u32) -> DateTime<Utc> {
        let d = day(d);
        Utc.with_ymd_and_hms(d.year(), d.month(), d.day(), hour, 0, 0)
            .unwrap()
    }

    /// One member per day, stamped at 02:00 of its day.
    fn daily(days: &[&str]) -> Vec<Dated> {
        days.iter()
            .map(|d| Dated {
                day: day(d),
                at: at(d, 2),
                held: None,
            })
            .collect()
    }

    fn kept_days(series: &[Dated], keep: &[Vec<Why>]) -> Vec<String> {
        let mut out: Vec<String> = series
            .iter()
            .zip(keep)
            .filter(|(_, why)| !why.is_empty())
            .map(|(m, _)| m.day.to_string())
            .collect();
        out.sort();
        out
    }

    fn every_day(from: &str, to: &str) -> Vec<String> {
        let (mut d, to) = (day(from), day(to));
        let mut out = Vec::new();
        while d <= to {
            out.push(d.to_string());
            d = d.succ_opt().unwrap();
        }
        out
    }

    #[test]
    fn seven_daily_and_four_weekly_across_a_month_and_a_week_boundary() {
        // Thursday 3 December 2026; a backup every day since Wednesday 28 October.
        let days = every_day("2026-10-28", "2026-12-03");
        let series = daily(&days.iter().map(String::as_str).collect::<Vec<_>>());
        let keep = decide(&series, at("2026-12-03", 9), 7, 4);
        assert_eq!(
            kept_days(&series, &keep),
            [
                // Weekly: the Sundays ending ISO weeks 46, 47, 48 (week 49's newest is today).
                "2026-11-15",
                "2026-11-22",
                "2026-11-29",
                // Daily: the last seven days, across the month's end and Monday's new week.
                "2026-11-27",
                "2026-11-28",
                "2026-11-30",
                "2026-12-01",
                "2026-12-02",
                "2026-12-03",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        let today = days.iter().position(|d| d == "2026-12-03").unwrap();
        assert_eq!(
            keep[today],
            [
                Why::Newest,
                Why::Daily(day("2026-12-03")),
                Why::Weekly("2026-W49".into())
            ]
        );
        let sunday = days.iter().position(|d| d == "2026-11-29").unwrap();
        assert_eq!(
            keep[sunday],
            [
                Why::Daily(day("2026-11-29")),
                Why::Weekly("2026-W48".into())
            ]
        );
    }

    #[test]
    fn a_week_with_several_backups_keeps_its_newest_and_a_day_its_latest() {
        // ISO week 2026-W47 runs Monday 16 to Sunday 22 November.
        let mut series = daily(&["2026-11-16", "2026-11-18", "2026-11-20"]);
        // Two on the Wednesday of the week after; the later one is that day's newest.
        series.push(Dated {
            day: day("2026-11-25"),
            at: at("2026-11-25", 14),
            held: None,
        });
        series.push(Dated {
            day: day("2026-11-25"),
            at: at("2026-11-25", 2),
            held: None,
        });
        let keep = decide(&series, at("2026-11-26", 9), 1, 2);
        assert!(keep[0].is_empty() && keep[1].is_empty(), "{keep:?}");
        assert_eq!(keep[2], [Why::Weekly("2026-W47".into())]);
        assert_eq!(
            keep[3],
            [
                Why::Newest,
                Why::Daily(day("2026-11-25")),
                Why::Weekly("2026-W48".into())
            ]
        );
        assert!(keep[4].is_empty(), "the earlier of one day: {keep:?}");
    }

    #[test]
    fn days_and_weeks_without_a_backup_are_not_counted() {
        // Gaps: nothing between 2 and 20 November, nothing in ISO weeks 46 and 48.
        let series = daily(&["2026-11-01", "2026-11-02", "2026-11-20", "2026-11-30"]);
        let keep = decide(&series, at("2026-12-03", 9), 3, 3);
        // The last three days that have one, and the last three weeks that have one (W49,
        // W47 and W45): the same three members.
        assert_eq!(
            kept_days(&series, &keep),
            ["2026-11-02", "2026-11-20", "2026-11-30"]
        );
        assert_eq!(
            keep[1],
            [
                Why::Daily(day("2026-11-02")),
                Why::Weekly("2026-W45".into())
            ]
        );
        assert!(
            keep[0].is_empty(),
            "2026-11-01 is the fourth day back: {keep:?}"
        );
        let keep = decide(&series, at("2026-12-03", 9), 0, 4);
        assert_eq!(
            kept_days(&series, &keep),
            ["2026-11-01", "2026-11-02", "2026-11-20", "2026-11-30"],
            "Sunday 1 November closes W44, Monday 2 November opens W45"
        );
    }

    #[test]
    fn zero_and_zero_keep_only_the_newest() {
        let series = daily(&["2026-11-24", "2026-11-25", "2026-11-26"]);
        let keep = decide(&series, at("2026-11-26", 9), 0, 0);
        assert_eq!(keep, [vec![], vec![], vec![Why::Newest]]);
        assert!(decide(&[], at("2026-11-26", 9), 0, 0).is_empty());
    }

    #[test]
    fn a_held_member_and_one_dated_after_today_stay() {
        let mut series = daily(&["2026-10-01", "2026-11-25", "2026-11-26", "2026-11-29"]);
        series[0].held = Some("safety net of INC-1".into());
        let keep = decide(&series, at("2026-11-26", 9), 1, 0);
        assert_eq!(keep[0], [Why::Held("safety net of INC-1".into())]);
        assert!(keep[1].is_empty());
        assert!(
            keep[2].is_empty(),
            "today's is not the newest day: {keep:?}"
        );
        assert_eq!(
            keep[3],
            [Why::Newest, Why::Future, Why::Daily(day("2026-11-29"))]
        );
    }

    #[test]
    fn iso_weeks_cross_the_year() {
        // 2026 has 53 ISO weeks: Monday 28 December 2026 to Sunday 3 January 2027 is W53.
        let series = daily(&["2026-12-27", "2026-12-28", "2027-01-03", "2027-01-04"]);
        let keep = decide(&series, at("2027-01-04", 9), 0, 3);
        assert_eq!(keep[0], [Why::Weekly("2026-W52".into())]);
        assert!(keep[1].is_empty(), "the same week as 3 January: {keep:?}");
        assert_eq!(keep[2], [Why::Weekly("2026-W53".into())]);
        assert_eq!(keep[3], [Why::Newest, Why::Weekly("2027-W01".into())]);
    }
}
