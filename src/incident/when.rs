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

/// `text` as a moment still to come (an ETA), relative to `now`: `+2h`, a UTC time (the next
/// time the clock reads it: `14:30`), `2026-03-14 16:00` (UTC) or RFC 3339.
pub fn parse_eta(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    let fail = || {
        format!(
            "invalid ETA `{text}`: use a time from now (+90m, +2h), a UTC time (14:30), a UTC \
             date and time (2026-03-14 16:00) or RFC 3339"
        )
    };
    let at = if let Some(ahead) = t.strip_prefix('+') {
        let ahead: Dur = ahead.trim().parse().map_err(|_| fail())?;
        let ahead = Duration::from_std(ahead.as_duration()).map_err(|_| fail())?;
        now.checked_add_signed(ahead).ok_or_else(fail)?
    } else if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        at.with_timezone(&Utc)
    } else if let Ok(at) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M") {
        at.and_utc()
    } else {
        let clock = NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| fail())?;
        let today = now.date_naive().and_time(clock).and_utc();
        if today > now {
            today
        } else {
            today + Duration::days(1)
        }
    };
    if at <= now {
        return Err(format!(
            "ETA `{text}` is already past (it is {} UTC now)",
            now.format("%Y-%m-%d %H:%M")
        ));
    }
    Ok(at)
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

    #[test]
    fn an_eta_is_always_ahead() {
        let now = Utc.with_ymd_and_hms(2026, 3, 14, 9, 50, 0).unwrap();
        let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 14, h, m, 0).unwrap();
        assert_eq!(parse_eta("+2h", now), Ok(at(11, 50)));
        assert_eq!(parse_eta("14:30", now), Ok(at(14, 30)));
        // A clock time already past today is tomorrow's.
        assert_eq!(parse_eta("08:00", now), Ok(at(8, 0) + Duration::days(1)));
        assert_eq!(parse_eta("2026-03-14 16:00", now), Ok(at(16, 0)));
        assert_eq!(parse_eta("2026-03-14T16:00:00Z", now), Ok(at(16, 0)));
        let past = parse_eta("2026-03-14 09:00", now).unwrap_err();
        assert!(past.contains("already past"), "{past}");
        let bad = parse_eta("soon", now).unwrap_err();
        assert!(bad.contains("+2h") && bad.contains("14:30"), "{bad}");
    }
}
