//! The plan's test calendar: a backup validation on the first Friday of every month and a
//! drill every calendar quarter, as the periods of the last twelve months that were due.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc, Weekday};

/// The first Friday of the month `date` falls in.
pub fn first_friday(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a month's first day");
    let ahead =
        (7 + Weekday::Fri.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + chrono::Days::new(u64::from(ahead))
}

/// The twelve most recent first Fridays on or before `at`'s day, newest first: the twelve
/// monthly validations that were due.
pub fn due_first_fridays(at: DateTime<Utc>) -> Vec<NaiveDate> {
    let today = at.date_naive();
    let mut month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("month");
    let mut due = Vec::new();
    while due.len() < 12 {
        let friday = first_friday(month.year(), month.month());
        if friday <= today {
            due.push(friday);
        }
        month = month - Months::new(1);
    }
    due
}

/// A calendar quarter: its year and number (1–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            q: (date.month() - 1) / 3 + 1,
        }
    }

    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} Q{}", self.year, self.q)
    }
}

/// The four most recent quarters that were due, newest first. A quarter is due once it has
/// ended; the quarter `at` falls in counts only when its drill has already been done
/// (`current_done`), so a quarter still under way is never a miss.
pub fn due_quarters(at: DateTime<Utc>, current_done: bool) -> Vec<Quarter> {
    let current = Quarter::of(at.date_naive());
    let mut quarter = if current_done {
        current
    } else {
        current.previous()
    };
    let mut due = Vec::new();
    while due.len() < 4 {
        due.push(quarter);
        quarter = quarter.previous();
    }
    due
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn first_fridays_of_known_months() {
        // November 2026 begins on a Sunday, May 2026 on a Friday.
        assert_eq!(first_friday(2026, 11), day(2026, 11, 6));
        assert_eq!(first_friday(2026, 5), day(2026, 5, 1));
        assert_eq!(first_friday(2026, 2), day(2026, 2, 6));
    }

    #[test]
    fn twelve_fridays_that_have_come() {
        let before = Utc.with_ymd_and_hms(2026, 11, 5, 12, 0, 0).unwrap();
        let due = due_first_fridays(before);
        assert_eq!(due.len(), 12);
        assert_eq!(due[0], day(2026, 10, 2), "November's has not come yet");
        assert_eq!(due[11], day(2025, 11, 7));
        let on = Utc.with_ymd_and_hms(2026, 11, 6, 0, 0, 0).unwrap();
        assert_eq!(due_first_fridays(on)[0], day(2026, 11, 6));
    }

    #[test]
    fn the_quarter_under_way_counts_only_once_done() {
        let at = Utc.with_ymd_and_hms(2026, 2, 10, 0, 0, 0).unwrap();
        let q = |year, q| Quarter { year, q };
        assert_eq!(
            due_quarters(at, false),
            [q(2025, 4), q(2025, 3), q(2025, 2), q(2025, 1)]
        );
        assert_eq!(
            due_quarters(at, true),
            [q(2026, 1), q(2025, 4), q(2025, 3), q(2025, 2)]
        );
        assert_eq!(q(2026, 1).to_string(), "2026 Q1");
    }
}
