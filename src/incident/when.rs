//! The moments a commander types: `--impact-began` and `--at` take RFC 3339, a UTC clock
//! time (`09:41`, today, or yesterday when that is still to come) or a time ago (`-45m`).

use chrono::{DateTime, Duration, NaiveTime, Utc};

use crate::config::Dur;

/// `text` as a moment, relative to `now`. The error names the text and the forms accepted.
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    let fail = || {
        format!(
            "invalid time `{text}`: use RFC 3339 (2026-11-26T09:41:00Z), a UTC time (09:41) or a time ago (-45m, -2h)"
        )
    };
    if let Some(ago) = t.strip_prefix('-') {
        let ago: Dur = ago.parse().map_err(|_| fail())?;
        let ago = Duration::from_std(ago.as_duration()).map_err(|_| fail())?;
        return now.checked_sub_signed(ago).ok_or_else(fail);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let clock = NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .map_err(|_| fail())?;
    let today = now.date_naive().and_time(clock).and_utc();
    if today <= now {
        return Ok(today);
    }
    // A clock time still to come today is yesterday's only shortly after midnight (an
    // outage at 23:50 declared at 00:10). Otherwise it is most likely a local time typed as
    // UTC, and rolling it back a day would make every RTO look long breached.
    let yesterday = today - Duration::days(1);
    if now - yesterday <= Duration::hours(12) {
        return Ok(yesterday);
    }
    Err(format!(
        "`{text}` UTC is still to come today (it is {} UTC now): times are UTC; give a time \
         ago (-45m) or a full RFC 3339 time",
        now.format("%H:%M")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, 30).unwrap()
    }

    #[test]
    fn times_ago_count_back_from_now() {
        assert_eq!(parse_time("-45m", now()), Ok(now() - Duration::minutes(45)));
        assert_eq!(parse_time("-2h", now()), Ok(now() - Duration::hours(2)));
        assert_eq!(
            parse_time(" -1h30m ", now()),
            Ok(now() - Duration::minutes(90))
        );
    }

    #[test]
    fn clock_times_are_utc_today_or_yesterday_if_still_to_come() {
        let at = |d, h, m, s| Utc.with_ymd_and_hms(2026, 11, d, h, m, s).unwrap();
        assert_eq!(parse_time("09:12", now()), Ok(at(26, 9, 12, 0)));
        assert_eq!(parse_time("09:41:30", now()), Ok(at(26, 9, 41, 30)));
        assert_eq!(parse_time("23:50", now()), Ok(at(25, 23, 50, 0)));
    }

    #[test]
    fn rfc3339_keeps_its_offset() {
        let at = parse_time("2026-11-26T10:00:00+01:00", now()).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap());
    }

    #[test]
    fn anything_else_is_named_in_the_error() {
        for bad in ["yesterday", "-45", "25:00", "-m", ""] {
            let err = parse_time(bad, now()).unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
            assert!(err.contains("-45m"), "{err}");
        }
    }

    #[test]
    fn a_local_time_typed_as_utc_is_refused_rather_than_moved_a_day_back() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 14, 50, 0).unwrap();
        let err = parse_time("16:41", now).unwrap_err();
        assert!(
            err.contains("still to come") && err.contains("14:50"),
            "{err}"
        );
        let after_midnight = Utc.with_ymd_and_hms(2026, 11, 26, 0, 10, 0).unwrap();
        assert_eq!(
            parse_time("23:50", after_midnight).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 25, 23, 50, 0).unwrap()
        );
    }
}
