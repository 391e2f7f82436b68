//! The ETA as a commander types it: a time today (UTC), a span from now, or a full date.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

const FORMS: &str = "expected 14:30 (today, UTC), +2h, +90m, +1h30m or 2026-03-14 16:00; \
                     empty withdraws the ETA";

/// `None` withdraws the ETA (an empty field).
pub fn parse_eta(text: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let wrong = || format!("{text:?}: {FORMS}");
    if let Some(span) = text.strip_prefix('+') {
        return span_of(span).map(|d| Some(now + d)).ok_or_else(wrong);
    }
    let text = text.trim_end_matches("UTC").trim_end_matches('Z').trim();
    if let Ok(t) = NaiveTime::parse_from_str(text, "%H:%M") {
        return Ok(Some(now.date_naive().and_time(t).and_utc()));
    }
    for form in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, form) {
            return Ok(Some(t.and_utc()));
        }
    }
    if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Err(format!(
            "{text:?}: a date needs its time too, like {text} 16:00"
        ));
    }
    Err(wrong())
}

/// `2h`, `90m`, `1h30m`.
fn span_of(text: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut digits = String::new();
    let mut any = false;
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'h' | 'm' if !digits.is_empty() => {
                let n: i64 = digits.parse().ok()?;
                total += if c == 'h' {
                    Duration::hours(n)
                } else {
                    Duration::minutes(n)
                };
                digits.clear();
                any = true;
            }
            _ => return None,
        }
    }
    (any && digits.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, 10, 5, 0).unwrap()
    }

    fn at(d: u32, h: u32, m: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap())
    }

    #[test]
    fn every_form_the_popup_names_parses() {
        assert_eq!(parse_eta("14:30", now()), Ok(at(14, 14, 30)));
        assert_eq!(parse_eta(" 14:30 UTC ", now()), Ok(at(14, 14, 30)));
        assert_eq!(parse_eta("+2h", now()), Ok(at(14, 12, 5)));
        assert_eq!(parse_eta("+90m", now()), Ok(at(14, 11, 35)));
        assert_eq!(parse_eta("+1h30m", now()), Ok(at(14, 11, 35)));
        assert_eq!(parse_eta("2026-03-15 16:00", now()), Ok(at(15, 16, 0)));
        assert_eq!(parse_eta("", now()), Ok(None));
    }

    #[test]
    fn what_does_not_parse_says_the_forms() {
        for typed in ["soon", "+2", "+h", "25:00", "+2x"] {
            let e = parse_eta(typed, now()).unwrap_err();
            assert!(e.contains("expected 14:30"), "{typed}: {e}");
        }
        let e = parse_eta("2026-03-15", now()).unwrap_err();
        assert!(e.contains("needs its time"), "{e}");
    }
}
