//! Text renderings of health for terminals, scripts and cron mail, and the readiness report.

pub mod readiness;

use std::fmt::Write;

use crate::health::{
    HealthSnapshot, RegionLoss, RegionRole, ResourceHealth, ServiceHealth, Status, human_duration,
};
use crate::mode::Mode;

fn tag(status: Status) -> &'static str {
    match status {
        Status::Ok => "OK",
        Status::Warn => "WARN",
        Status::Unknown => "UNKNOWN",
        Status::Critical => "CRIT",
    }
}

fn exposure(r: &ResourceHealth) -> String {
    match (r.rpo_exposure_secs, r.rpo_target_secs) {
        (Some(e), Some(t)) => format!("{} / {}", human_duration(e), human_duration(t)),
        (Some(e), None) => human_duration(e),
        (None, Some(t)) => format!("- / {}", human_duration(t)),
        (None, None) => "-".to_owned(),
    }
}

/// The same if the primary region is lost now: only copies outside it count.
fn region_loss(loss: Option<&RegionLoss>) -> String {
    match loss {
        None => "-".to_owned(),
        Some(l) if l.unbounded => "ALL".to_owned(),
        Some(RegionLoss {
            exposure_secs: Some(e),
            ..
        }) => human_duration(*e),
        Some(_) => "unknown".to_owned(),
    }
}

fn service_region_loss(s: &ServiceHealth) -> String {
    let worst = if s.region_loss_unbounded {
        "everything".to_owned()
    } else {
        match s.worst_region_loss_secs {
            Some(w) => human_duration(w),
            None => return "-".to_owned(),
        }
    };
    match s.region_loss_rpo_met {
        Some(true) => format!("met ({worst})"),
        Some(false) => format!("MISSED ({worst})"),
        None => format!("unknown ({worst} known)"),
    }
}

/// The services of the priority matrix, then every resource, worst first. Each shows two
/// exposures: restoring now in-region, and if the primary region is lost now. Anything but
/// production opens with its mode, so a rehearsal's table never passes for the real estate's.
pub fn status_table(snap: &HealthSnapshot, mode: Mode) -> String {
    let mut out = String::new();
    match mode {
        Mode::Production => {}
        Mode::Simulation => {
            let _ = writeln!(
                out,
                "SIMULATION: a simulated estate, not AWS; nothing below was read from an account"
            );
        }
        Mode::Drill => {
            let _ = writeln!(out, "DRILL: drill targets, not the production estate");
        }
    }
    let _ = writeln!(
        out,
        "{}  account {}  {} -> {}  at {}",
        snap.estate,
        snap.account.as_deref().unwrap_or("unknown"),
        snap.primary_region,
        snap.backup_region,
        snap.generated_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    // Regions first: an unreachable one explains every "unknown" below it.
    for r in &snap.regions {
        let role = match r.role {
            RegionRole::Primary => "primary",
            RegionRole::Backup => "backup",
        };
        let state = match (r.reachable, &r.error) {
            (Some(false), Some(e)) => format!("UNREACHABLE: {e}"),
            (Some(false), None) => "UNREACHABLE".to_owned(),
            (Some(true), _) => format!(
                "ok ({} of {} resources read)",
                r.resources_read, r.resources
            ),
            (None, _) => "unknown".to_owned(),
        };
        let _ = writeln!(out, "{} ({role}): {state}", r.region);
    }
    let _ = writeln!(
        out,
        "\n{:<26} {:<3} {:>4} {:>4}  {:<8} {:<18} RPO IF {} IS LOST",
        "SERVICE", "PRI", "RTO", "RPO", "STATUS", "RPO NOW", snap.primary_region
    );
    for s in &snap.services {
        let rpo_now = match (s.rpo_met, s.worst_exposure_secs) {
            (Some(true), Some(w)) => format!("met ({})", human_duration(w)),
            (Some(false), Some(w)) => format!("MISSED ({})", human_duration(w)),
            _ => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<26} {:<3} {:>4} {:>4}  {:<8} {:<18} {}",
            s.name,
            format!("{:?}", s.priority),
            human_duration(s.rto_secs),
            human_duration(s.rpo_secs),
            tag(s.status),
            rpo_now,
            service_region_loss(s)
        );
        // What it means for users, where something is wrong.
        if s.status != Status::Ok && !s.impact.is_empty() {
            let _ = writeln!(out, "{:<26} impact: {}", "", s.impact);
        }
    }
    let mut resources: Vec<&ResourceHealth> = snap.resources.iter().collect();
    resources.sort_by_key(|r| std::cmp::Reverse(r.status));
    let _ = writeln!(
        out,
        "\n{:<7} {:<8} {:<38} {:<10} {:<14} {:<11} REASON",
        "STATUS", "KIND", "RESOURCE", "REGION", "EXPOSURE/RPO", "REGION LOSS"
    );
    for r in resources {
        let reason = r.reasons.first().map_or("", String::as_str);
        let _ = writeln!(
            out,
            "{:<7} {:<8} {:<38} {:<10} {:<14} {:<11} {}",
            tag(r.status),
            r.kind.label(),
            r.name,
            r.region,
            exposure(r),
            region_loss(r.region_loss.as_ref()),
            reason
        );
        for more in r.reasons.iter().skip(1) {
            let _ = writeln!(out, "{:<93} {}", "", more);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::config::Priority;
    use crate::health::{Facts, ResourceKind, TableFacts};

    #[test]
    fn both_exposures_are_shown_for_services_and_resources() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let snap = HealthSnapshot {
            generated_at: at,
            estate: "Flight Data Pipeline".into(),
            account: Some("123456789012".into()),
            identity_error: None,
            primary_region: "us-east-1".into(),
            backup_region: "us-west-2".into(),
            regions: Vec::new(),
            next_count_at: None,
            services: vec![ServiceHealth {
                name: "DynamoDB Tables".into(),
                priority: Priority::P1,
                impact: String::new(),
                rto_secs: 4 * 3600,
                rpo_secs: 3600,
                status: Status::Critical,
                rpo_met: Some(true),
                worst_exposure_secs: Some(300),
                region_loss_rpo_met: Some(false),
                worst_region_loss_secs: Some(6 * 86_400),
                region_loss_unbounded: false,
                resources: vec!["table:flightdata-main".into()],
                reasons: Vec::new(),
            }],
            resources: vec![ResourceHealth {
                kind: ResourceKind::Table,
                name: "flightdata-main".into(),
                region: "us-east-1".into(),
                service: Some("DynamoDB Tables".into()),
                services: vec!["DynamoDB Tables".into()],
                status: Status::Critical,
                reasons: vec!["if us-east-1 is lost, 6d of data is lost".into()],
                rpo_exposure_secs: Some(300),
                rpo_target_secs: Some(3600),
                region_loss: Some(RegionLoss {
                    exposure_secs: Some(6 * 86_400),
                    unbounded: false,
                    copy: Some("export".into()),
                }),
                facts: Facts::Table(TableFacts::default()),
                error: None,
                fetched_at: at,
            }],
        };
        let text = status_table(&snap, Mode::Production);
        let service = text
            .lines()
            .find(|l| l.starts_with("DynamoDB Tables"))
            .unwrap();
        assert!(
            service.ends_with("CRIT     met (5m)           MISSED (6d)"),
            "{text}"
        );
        assert!(text.contains("RPO IF us-east-1 IS LOST"), "{text}");
        let table = text
            .lines()
            .find(|l| l.contains("flightdata-main"))
            .unwrap();
        assert!(
            table.contains("5m / 1h        6d          if us-east-1"),
            "{table}"
        );
    }
}
