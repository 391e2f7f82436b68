//! The rules: facts in, status and reasons out. Pure functions of the facts and `now`, so the
//! time-dependent ones (backup age, restorable window) are tested with fixed clocks.

use chrono::{DateTime, Utc};

use super::{AlarmFacts, DnsFacts, FunctionFacts, RegionLoss, Status, TableFacts, human_duration};
use crate::cloud::{AlarmState, Failover};

mod bucket;
mod region_loss;
mod stack;
#[cfg(test)]
mod what_was_read;

pub use bucket::{CURRENT_METRIC_WINDOW, bucket, replica};
use region_loss::{function_region_loss, table_region_loss};
pub use stack::stack;

/// A status with its reasons, most severe first.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub reasons: Vec<String>,
    pub exposure_secs: Option<u64>,
    /// The exposure if the primary region is lost now; `None` where it does not apply.
    pub region_loss: Option<RegionLoss>,
    findings: Vec<(Status, String)>,
}

impl Default for Verdict {
    fn default() -> Self {
        Self {
            status: Status::Ok,
            reasons: Vec::new(),
            exposure_secs: None,
            region_loss: None,
            findings: Vec::new(),
        }
    }
}

impl Verdict {
    pub fn raise(&mut self, status: Status, reason: impl Into<String>) {
        self.findings.push((status, reason.into()));
    }

    /// One more finding after the rules ran (e.g. that a call failed), placed by severity:
    /// a critical reason the rules found still comes first.
    pub fn also(mut self, status: Status, reason: impl Into<String>) -> Self {
        self.raise(status, reason);
        self.done()
    }

    fn done(mut self) -> Self {
        // Stable: equally severe reasons keep the order the rules found them in.
        self.findings
            .sort_by_key(|(status, _)| std::cmp::Reverse(*status));
        self.status = self.findings.first().map_or(Status::Ok, |(s, _)| *s);
        self.reasons = self.findings.iter().map(|(_, r)| r.clone()).collect();
        self
    }
}

fn age_secs(now: DateTime<Utc>, then: DateTime<Utc>) -> u64 {
    (now - then).num_seconds().max(0) as u64
}

/// A scheduled job is late once it is a quarter of its interval overdue.
fn overdue(age: u64, every: u64) -> bool {
    age > every.saturating_add(every / 4)
}

pub fn table(f: &TableFacts, rpo_secs: Option<u64>, now: DateTime<Utc>) -> Verdict {
    let mut v = Verdict::default();
    if let Some(pending) = &f.newest_backup_pending {
        v.raise(
            Status::Ok,
            format!(
                "backup {} is still being created (started {} ago): not restorable yet",
                pending.name,
                human_duration(age_secs(now, pending.created))
            ),
        );
    }
    if f.exists == Some(false) {
        // What the commander needs now is what it can be restored from.
        match (&f.newest_backup, f.backup_count) {
            (Some(b), _) => {
                let age = age_secs(now, b.created);
                v.exposure_secs = Some(age);
                v.raise(
                    Status::Critical,
                    format!(
                        "table missing \u{2014} restorable from {} ({} old)",
                        b.name,
                        human_duration(age)
                    ),
                );
            }
            (None, Some(_)) => v.raise(
                Status::Critical,
                "table missing \u{2014} and no backup of it can be restored",
            ),
            (None, None) => v.raise(Status::Critical, "table does not exist"),
        }
        // Its copies outside the primary region may well have outlived it.
        table_region_loss(f, rpo_secs, now, &mut v);
        return v.done();
    }
    if let Some(status) = f.table_status.as_deref().filter(|s| *s != "ACTIVE") {
        v.raise(Status::Warn, format!("table is {status}, not ACTIVE"));
    }
    let newest_backup_age = f.newest_backup.as_ref().map(|b| age_secs(now, b.created));
    match f.pitr_enabled {
        Some(true) => match f.latest_restorable {
            // AWS keeps the latest restorable time about five minutes behind now.
            Some(t) => v.exposure_secs = Some(age_secs(now, t)),
            // Without it nothing says how recent the newest restorable point is.
            None => v.raise(
                Status::Unknown,
                "point-in-time recovery is on but reports no latest restorable time: \
                 exposure unknown",
            ),
        },
        Some(false) => {
            v.raise(
                Status::Critical,
                "point-in-time recovery is off: only on-demand backups can be restored",
            );
            v.exposure_secs = newest_backup_age;
            if newest_backup_age.is_none() && f.backup_count == Some(0) {
                v.raise(
                    Status::Critical,
                    "nothing to restore: no PITR and no backups",
                );
            }
        }
        None => {}
    }
    if let (Some(exposure), Some(rpo)) = (v.exposure_secs, rpo_secs)
        && exposure > rpo
    {
        v.raise(
            Status::Critical,
            format!(
                "restoring now would lose {} of data; RPO is {}",
                human_duration(exposure),
                human_duration(rpo)
            ),
        );
    }
    let every = f.backup_every_secs;
    match (&f.newest_backup, newest_backup_age) {
        (Some(backup), Some(age)) => {
            if overdue(age, every) {
                v.raise(
                    Status::Warn,
                    format!(
                        "newest on-demand backup is {} old (expected every {})",
                        human_duration(age),
                        human_duration(every)
                    ),
                );
            }
            if backup.status != "AVAILABLE" {
                v.raise(
                    Status::Warn,
                    format!("newest backup {} is {}", backup.name, backup.status),
                );
            }
        }
        _ if f.backup_count == Some(0) => v.raise(
            Status::Warn,
            format!(
                "no on-demand backups (expected every {})",
                human_duration(every)
            ),
        ),
        (None, _) if f.backup_count.is_some_and(|n| n > 0) => v.raise(
            Status::Warn,
            "no backup is restorable yet: every one is still being created",
        ),
        _ => {}
    }
    table_region_loss(f, rpo_secs, now, &mut v);
    v.done()
}

pub fn function(
    f: &FunctionFacts,
    backup_bucket: Option<&str>,
    backup_every_secs: u64,
    rpo_secs: Option<u64>,
    now: DateTime<Utc>,
) -> Verdict {
    let mut v = Verdict::default();
    function_region_loss(f, rpo_secs, now, &mut v);
    if f.exists == Some(false) {
        v.raise(Status::Critical, "function does not exist");
    }
    if f.reserved_concurrency == Some(0) {
        let what = if f.ingestion {
            "ingestion is stopped"
        } else {
            "the function cannot run"
        };
        v.raise(Status::Warn, format!("reserved concurrency is 0: {what}"));
    }
    match (backup_bucket, &f.backup_location, f.backup_time) {
        (None, _, _) => v.raise(
            Status::Warn,
            "no backup location configured ([lambda].backup_bucket)",
        ),
        (Some(_), None, _) if !f.backups_checked => {}
        (Some(bucket), None, _) => v.raise(
            Status::Critical,
            format!("no backup found in s3://{bucket}"),
        ),
        (Some(_), Some(location), time) => {
            if !f.backup_has_code {
                v.raise(
                    Status::Warn,
                    format!("backup at {location} has no code package"),
                );
            }
            if !f.backup_has_config {
                v.raise(
                    Status::Warn,
                    format!("backup at {location} has no configuration"),
                );
            }
            if let Some(age) = time.map(|t| age_secs(now, t))
                && overdue(age, backup_every_secs)
            {
                v.raise(
                    Status::Warn,
                    format!(
                        "newest backup is {} old (expected every {})",
                        human_duration(age),
                        human_duration(backup_every_secs)
                    ),
                );
            }
        }
    }
    v.done()
}

pub fn dns(f: &DnsFacts) -> Verdict {
    let mut v = Verdict::default();
    if !f.records_checked {
        return v.done();
    }
    match (f.has_primary, f.has_secondary) {
        (false, false) => v.raise(Status::Critical, "no failover records with this name"),
        (true, false) => v.raise(
            Status::Critical,
            "no SECONDARY record: failover has nowhere to go",
        ),
        (false, true) => v.raise(Status::Critical, "no PRIMARY record"),
        (true, true) => {}
    }
    if f.has_primary {
        match (&f.health_check_id, f.primary_healthy) {
            // An alias that evaluates its target's health fails over without a health check.
            (None, _) if f.primary_evaluates_target_health => {}
            (None, _) => v.raise(
                Status::Warn,
                "PRIMARY has no health check: failover never triggers",
            ),
            (Some(_), Some(false)) if f.has_secondary => match f.serving {
                Some(Failover::Secondary) => v.raise(
                    Status::Warn,
                    "PRIMARY is failing its health check: Route53 answers with SECONDARY",
                ),
                Some(Failover::Primary) => v.raise(
                    Status::Critical,
                    "PRIMARY and SECONDARY both fail their health checks: Route53 answers \
                     with PRIMARY",
                ),
                None => v.raise(
                    Status::Warn,
                    "PRIMARY is failing its health check; whether SECONDARY can take over is \
                     unknown",
                ),
            },
            (Some(_), Some(false)) => v.raise(
                Status::Critical,
                "PRIMARY is failing its health check and there is no SECONDARY to fail over to",
            ),
            (Some(_), None) => v.raise(
                Status::Unknown,
                "PRIMARY's health check status could not be told (no observations yet?): \
                 which record Route53 answers with is unknown",
            ),
            (Some(_), Some(true)) => {}
        }
    }
    for (record, check) in [
        ("PRIMARY", &f.primary_check),
        ("SECONDARY", &f.secondary_check),
    ] {
        let Some(check) = check else { continue };
        if check.disabled {
            v.raise(
                Status::Warn,
                format!(
                    "{record}'s health check {} is disabled: Route53 takes it as healthy \
                     whatever the endpoint does",
                    check.id
                ),
            );
        }
        if check.inverted {
            v.raise(
                Status::Warn,
                format!(
                    "{record}'s health check {} is inverted: Route53 takes a failing endpoint \
                     as healthy and a healthy one as failing",
                    check.id
                ),
            );
        }
    }
    v.done()
}

pub fn alarm(f: &AlarmFacts) -> Verdict {
    let mut v = Verdict::default();
    match (f.exists, f.state) {
        (false, _) => v.raise(Status::Critical, "alarm does not exist"),
        (true, Some(AlarmState::Alarm)) => v.raise(
            Status::Critical,
            format!(
                "in ALARM: {}",
                f.reason.as_deref().unwrap_or("no reason given")
            ),
        ),
        (true, Some(AlarmState::InsufficientData)) => {
            v.raise(Status::Warn, "insufficient data to evaluate")
        }
        _ => {}
    }
    v.done()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::health::BackupFact;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()
    }

    const DAY: u64 = 86_400;
    const HOUR: u64 = 3600;

    fn healthy_table() -> TableFacts {
        TableFacts {
            exists: Some(true),
            table_status: Some("ACTIVE".into()),
            item_count: Some(10),
            pitr_enabled: Some(true),
            earliest_restorable: Some(now() - Duration::days(35)),
            latest_restorable: Some(now() - Duration::minutes(5)),
            newest_backup: Some(BackupFact {
                name: "daily".into(),
                arn: "arn".into(),
                created: now() - Duration::hours(20),
                status: "AVAILABLE".into(),
            }),
            backup_count: Some(30),
            backup_every_secs: DAY,
            ..Default::default()
        }
    }

    #[test]
    fn a_healthy_table_is_ok_with_five_minutes_of_exposure() {
        let v = table(&healthy_table(), Some(HOUR), now());
        assert_eq!(v.status, Status::Ok, "{:?}", v.reasons);
        assert_eq!(v.exposure_secs, Some(300));
    }

    #[test]
    fn a_stale_latest_restorable_time_breaks_the_rpo() {
        let mut f = healthy_table();
        f.latest_restorable = Some(now() - Duration::minutes(70));
        let v = table(&f, Some(HOUR), now());
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.reasons,
            ["restoring now would lose 1h 10m of data; RPO is 1h"]
        );
        assert_eq!(v.exposure_secs, Some(70 * 60));
    }

    #[test]
    fn a_backup_a_day_and_a_half_old_is_late() {
        let mut f = healthy_table();
        f.newest_backup.as_mut().unwrap().created = now() - Duration::hours(36);
        let v = table(&f, Some(HOUR), now());
        assert_eq!(v.status, Status::Warn);
        assert_eq!(
            v.reasons,
            ["newest on-demand backup is 1d 12h old (expected every 1d)"]
        );
    }

    #[test]
    fn pitr_off_falls_back_to_the_newest_backup() {
        let mut f = healthy_table();
        f.pitr_enabled = Some(false);
        let v = table(&f, Some(HOUR), now());
        assert_eq!(v.status, Status::Critical);
        assert_eq!(v.exposure_secs, Some(20 * HOUR));
        assert_eq!(
            v.reasons,
            [
                "point-in-time recovery is off: only on-demand backups can be restored",
                "restoring now would lose 20h of data; RPO is 1h",
            ]
        );
    }

    #[test]
    fn pitr_off_and_no_backups_means_nothing_to_restore() {
        let mut f = healthy_table();
        f.pitr_enabled = Some(false);
        f.newest_backup = None;
        f.backup_count = Some(0);
        let v = table(&f, Some(HOUR), now());
        assert_eq!(v.status, Status::Critical);
        assert!(
            v.reasons
                .contains(&"nothing to restore: no PITR and no backups".to_owned())
        );
        assert!(
            v.reasons
                .contains(&"no on-demand backups (expected every 1d)".to_owned())
        );
    }

    #[test]
    fn a_failed_call_never_pushes_a_critical_reason_down() {
        let mut f = healthy_table();
        f.pitr_enabled = Some(false);
        let v = table(&f, Some(HOUR), now()).also(Status::Unknown, "could not check: x");
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.reasons.first().map(String::as_str),
            Some("point-in-time recovery is off: only on-demand backups can be restored")
        );
        assert!(v.reasons.contains(&"could not check: x".to_owned()));
        // Without a critical finding, what could not be read leads.
        let v =
            table(&healthy_table(), Some(HOUR), now()).also(Status::Unknown, "could not check: x");
        assert_eq!(
            (v.status, v.reasons[0].as_str()),
            (Status::Unknown, "could not check: x")
        );
    }

    #[test]
    fn a_missing_table_says_only_that() {
        let f = TableFacts {
            exists: Some(false),
            ..Default::default()
        };
        let v = table(&f, Some(HOUR), now());
        assert_eq!(
            (v.status, v.reasons),
            (Status::Critical, vec!["table does not exist".to_owned()])
        );
    }

    #[test]
    fn a_day_old_function_backup_is_fine_and_two_days_is_late() {
        let mut f = FunctionFacts {
            exists: Some(true),
            backup_location: Some("s3://b/lambda-backups/20261123/fn/".into()),
            backups_checked: true,
            backup_has_config: true,
            backup_has_code: true,
            backup_time: Some(now() - Duration::hours(23)),
            ..Default::default()
        };
        assert_eq!(
            function(&f, Some("b"), DAY, Some(HOUR), now()).status,
            Status::Ok
        );
        f.backup_time = Some(now() - Duration::hours(48));
        let v = function(&f, Some("b"), DAY, Some(HOUR), now());
        assert_eq!(v.status, Status::Warn);
        assert_eq!(v.reasons, ["newest backup is 2d old (expected every 1d)"]);
    }

    #[test]
    fn stopped_ingestion_is_named() {
        let f = FunctionFacts {
            exists: Some(true),
            reserved_concurrency: Some(0),
            ingestion: true,
            backup_location: Some("s3://b/x/".into()),
            backups_checked: true,
            backup_has_config: true,
            backup_has_code: true,
            ..Default::default()
        };
        let v = function(&f, Some("b"), DAY, Some(HOUR), now());
        assert_eq!(
            v.reasons,
            ["reserved concurrency is 0: ingestion is stopped"]
        );
    }

    #[test]
    fn what_could_not_be_read_is_not_called_missing() {
        let f = FunctionFacts {
            exists: Some(true),
            ..Default::default()
        };
        assert_eq!(
            function(&f, Some("b"), DAY, Some(HOUR), now()).reasons,
            Vec::<String>::new()
        );
        assert_eq!(dns(&DnsFacts::default()).reasons, Vec::<String>::new());
    }

    #[test]
    fn an_alias_that_evaluates_its_target_needs_no_health_check() {
        let f = DnsFacts {
            has_primary: true,
            has_secondary: true,
            records_checked: true,
            primary_evaluates_target_health: true,
            ..Default::default()
        };
        assert_eq!(dns(&f).status, Status::Ok);
    }

    #[test]
    fn a_failing_primary_without_a_secondary_has_nowhere_to_go() {
        let f = DnsFacts {
            has_primary: true,
            records_checked: true,
            health_check_id: Some("hc".into()),
            primary_healthy: Some(false),
            ..Default::default()
        };
        let v = dns(&f);
        assert_eq!(v.status, Status::Critical);
        assert!(
            !v.reasons
                .iter()
                .any(|r| r.contains("answers with SECONDARY")),
            "{:?}",
            v.reasons
        );
    }

    #[test]
    fn reasons_are_sorted_most_severe_first() {
        let f = DnsFacts {
            has_primary: true,
            has_secondary: false,
            records_checked: true,
            ..Default::default()
        };
        let v = dns(&f);
        assert_eq!(
            v.reasons,
            [
                "no SECONDARY record: failover has nowhere to go",
                "PRIMARY has no health check: failover never triggers"
            ]
        );
    }
}
