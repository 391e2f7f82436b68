//! Text renderings of health for terminals, scripts and cron mail.

use std::fmt::Write;

use crate::health::{HealthSnapshot, RegionRole, ResourceHealth, Status, human_duration};
use crate::session::Mode;

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

/// The services of the priority matrix, then every resource, worst first. Anything but
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
        "\n{:<26} {:<3} {:>4} {:>4}  {:<8} RPO NOW",
        "SERVICE", "PRI", "RTO", "RPO", "STATUS"
    );
    for s in &snap.services {
        let rpo_now = match (s.rpo_met, s.worst_exposure_secs) {
            (Some(true), Some(w)) => format!("met ({})", human_duration(w)),
            (Some(false), Some(w)) => format!("MISSED ({})", human_duration(w)),
            _ => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<26} {:<3} {:>4} {:>4}  {:<8} {}",
            s.name,
            format!("{:?}", s.priority),
            human_duration(s.rto_secs),
            human_duration(s.rpo_secs),
            tag(s.status),
            rpo_now
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
        "\n{:<7} {:<8} {:<38} {:<10} {:<14} REASON",
        "STATUS", "KIND", "RESOURCE", "REGION", "EXPOSURE/RPO"
    );
    for r in resources {
        let reason = r.reasons.first().map_or("", String::as_str);
        let _ = writeln!(
            out,
            "{:<7} {:<8} {:<38} {:<10} {:<14} {}",
            tag(r.status),
            r.kind.label(),
            r.name,
            r.region,
            exposure(r),
            reason
        );
        for more in r.reasons.iter().skip(1) {
            let _ = writeln!(out, "{:<81} {}", "", more);
        }
    }
    out
}
