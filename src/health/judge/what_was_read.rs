//! Unit tests: judgements on what was read, and on what was not (health checks without
//! observations, PITR without a latest time, backups still being made, a missing table).

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{dns, table};
use crate::cloud::{Failover, HealthCheckConfig};
use crate::health::{BackupFact, DnsFacts, Status, TableFacts};

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()
}

fn failover_pair() -> DnsFacts {
    DnsFacts {
        has_primary: true,
        has_secondary: true,
        records_checked: true,
        health_check_id: Some("hc-primary".into()),
        primary_healthy: Some(true),
        serving: Some(Failover::Primary),
        ..Default::default()
    }
}

fn check(id: &str, disabled: bool, inverted: bool) -> Option<HealthCheckConfig> {
    Some(HealthCheckConfig {
        id: id.into(),
        check_type: "HTTPS".into(),
        target: Some("api-primary.flightdata.example.com".into()),
        disabled,
        inverted,
    })
}

#[test]
fn a_check_without_observations_is_unknown_not_failing() {
    let mut f = failover_pair();
    (f.primary_healthy, f.serving) = (None, None);
    let v = dns(&f);
    assert_eq!(v.status, Status::Unknown);
    assert_eq!(
        v.reasons,
        [
            "PRIMARY's health check status could not be told (no observations yet?): which \
             record Route53 answers with is unknown"
        ]
    );
}

#[test]
fn both_records_failing_means_route53_answers_with_the_primary() {
    let mut f = failover_pair();
    f.primary_healthy = Some(false);
    f.secondary_health_check_id = Some("hc-secondary".into());
    f.secondary_healthy = Some(false);
    f.serving = Some(Failover::Primary);
    let v = dns(&f);
    assert_eq!(v.status, Status::Critical);
    assert_eq!(
        v.reasons,
        ["PRIMARY and SECONDARY both fail their health checks: Route53 answers with PRIMARY"]
    );
}

#[test]
fn a_failing_primary_with_a_healthy_secondary_fails_over() {
    let mut f = failover_pair();
    f.primary_healthy = Some(false);
    f.serving = Some(Failover::Secondary);
    let v = dns(&f);
    assert_eq!(v.status, Status::Warn);
    assert_eq!(
        v.reasons,
        ["PRIMARY is failing its health check: Route53 answers with SECONDARY"]
    );
}

#[test]
fn a_disabled_or_inverted_check_is_a_warning_in_itself() {
    let mut f = failover_pair();
    f.primary_check = check("hc-primary", true, false);
    f.secondary_health_check_id = Some("hc-secondary".into());
    f.secondary_healthy = Some(true);
    f.secondary_check = check("hc-secondary", false, true);
    let v = dns(&f);
    assert_eq!(v.status, Status::Warn);
    assert_eq!(
        v.reasons,
        [
            "PRIMARY's health check hc-primary is disabled: Route53 takes it as healthy \
             whatever the endpoint does",
            "SECONDARY's health check hc-secondary is inverted: Route53 takes a failing \
             endpoint as healthy and a healthy one as failing",
        ]
    );
}

fn pitr_table() -> TableFacts {
    TableFacts {
        exists: Some(true),
        table_status: Some("ACTIVE".into()),
        pitr_enabled: Some(true),
        latest_restorable: Some(now() - Duration::minutes(5)),
        newest_backup: Some(backup("daily-backup-20261123", 25, "AVAILABLE")),
        backup_count: Some(3),
        backup_every_secs: DAY,
        ..Default::default()
    }
}

fn backup(name: &str, hours_ago: i64, status: &str) -> BackupFact {
    BackupFact {
        name: name.into(),
        arn: format!("arn:{name}"),
        created: now() - Duration::hours(hours_ago),
        status: status.into(),
    }
}

#[test]
fn pitr_on_without_a_latest_restorable_time_is_unknown_never_met() {
    let mut f = pitr_table();
    f.latest_restorable = None;
    let v = table(&f, Some(HOUR), now());
    assert_eq!(v.exposure_secs, None, "never 0");
    assert_eq!(v.status, Status::Unknown);
    assert_eq!(
        v.reasons,
        ["point-in-time recovery is on but reports no latest restorable time: exposure unknown"]
    );
}

#[test]
fn a_backup_still_being_created_is_named_but_not_counted() {
    let mut f = pitr_table();
    f.newest_backup_pending = Some(backup("daily-backup-20261124", 0, "CREATING"));
    let v = table(&f, Some(HOUR), now());
    assert_eq!(v.status, Status::Ok);
    assert_eq!(
        v.reasons,
        [
            "backup daily-backup-20261124 is still being created (started 0s ago): not restorable yet"
        ]
    );
}

#[test]
fn no_backup_restorable_yet_warns() {
    let mut f = pitr_table();
    f.newest_backup = None;
    f.newest_backup_pending = Some(backup("first", 1, "CREATING"));
    f.backup_count = Some(1);
    let v = table(&f, Some(HOUR), now());
    assert_eq!(v.status, Status::Warn);
    assert!(
        v.reasons
            .contains(&"no backup is restorable yet: every one is still being created".to_owned()),
        "{:?}",
        v.reasons
    );
}

#[test]
fn a_missing_table_names_what_it_can_be_restored_from() {
    let f = TableFacts {
        exists: Some(false),
        newest_backup: Some(backup("flightdata-main$DeletedTableBackup", 3, "AVAILABLE")),
        backup_count: Some(2),
        ..Default::default()
    };
    let v = table(&f, Some(HOUR), now());
    assert_eq!(v.status, Status::Critical);
    assert_eq!(
        v.reasons,
        ["table missing \u{2014} restorable from flightdata-main$DeletedTableBackup (3h old)"]
    );
    assert_eq!(v.exposure_secs, Some(3 * HOUR));

    let none = TableFacts {
        newest_backup: None,
        backup_count: Some(0),
        ..f
    };
    assert_eq!(
        table(&none, Some(HOUR), now()).reasons,
        ["table missing \u{2014} and no backup of it can be restored"]
    );
}
