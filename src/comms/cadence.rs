//! When the next status update is due: from the last message copied or posted (or the
//! declaration, before the first), every `[comms] update_every`.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::incident::Incident;

/// How soon a warning shows before an update is due.
pub const WARN_BEFORE_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CadenceLevel {
    /// More than five minutes to go.
    Ok,
    /// Five minutes or less.
    Warn,
    /// Past due.
    Overdue,
}

/// The countdown to the next update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cadence {
    pub due: DateTime<Utc>,
    /// Positive before the due time, negative after.
    pub left: Duration,
    pub level: CadenceLevel,
    /// When the countdown started: the last message or the declaration.
    pub since: DateTime<Utc>,
}

impl Cadence {
    /// `None` once the incident is resolved: no more updates are due.
    pub fn of(incident: &Incident, every: std::time::Duration, now: DateTime<Utc>) -> Option<Self> {
        if !incident.is_open() {
            return None;
        }
        let since = incident
            .last_message()
            .map(|m| m.at)
            .unwrap_or(incident.declared_at);
        let every = Duration::from_std(every).unwrap_or(Duration::minutes(30));
        Some(Self::from(since, every, now))
    }

    pub fn from(since: DateTime<Utc>, every: Duration, now: DateTime<Utc>) -> Self {
        let due = since + every;
        let left = due - now;
        let level = if left < Duration::zero() {
            CadenceLevel::Overdue
        } else if left <= Duration::seconds(WARN_BEFORE_SECS) {
            CadenceLevel::Warn
        } else {
            CadenceLevel::Ok
        };
        Self {
            due,
            left,
            level,
            since,
        }
    }

    /// `next update 14:30 UTC in 12m`, `update due in 3m`, `update OVERDUE by 4m`.
    pub fn label(&self) -> String {
        let minutes =
            |d: Duration| crate::incident::short_duration(Duration::seconds(d.num_seconds().abs()));
        match self.level {
            CadenceLevel::Ok => format!(
                "next update {} in {}",
                super::context::clock(self.due),
                minutes(self.left)
            ),
            CadenceLevel::Warn => format!("update due in {}", minutes(self.left)),
            CadenceLevel::Overdue => format!("update OVERDUE by {}", minutes(self.left)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, h, m, 0).unwrap()
    }

    #[test]
    fn the_countdown_warns_five_minutes_before_and_turns_overdue_after() {
        let every = Duration::minutes(30);
        let c = Cadence::from(at(10, 0), every, at(10, 10));
        assert_eq!(
            (c.level, c.label()),
            (CadenceLevel::Ok, "next update 10:30 UTC in 20m".into())
        );
        let c = Cadence::from(at(10, 0), every, at(10, 27));
        assert_eq!(
            (c.level, c.label()),
            (CadenceLevel::Warn, "update due in 3m".into())
        );
        let c = Cadence::from(at(10, 0), every, at(10, 34));
        assert_eq!(
            (c.level, c.label()),
            (CadenceLevel::Overdue, "update OVERDUE by 4m".into())
        );
    }
}
