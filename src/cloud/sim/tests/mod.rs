//! Tests of the simulated estate: the example estate on a fixed clock, without latency.

mod buckets;
mod faults;
mod health;
mod writes;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use super::{Fault, Latency, SimClock, SimCloud, SimOptions};
use crate::config::Estate;
use crate::health::{HealthSnapshot, ResourceHealth, ResourceKind, Status, snapshot};

pub(super) const EAST: &str = "us-east-1";
pub(super) const WEST: &str = "us-west-2";

/// 2026-11-24T03:00:00Z: an hour after the daily table backups, at the Lambda backup hour.
pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()
}

pub(super) fn estate() -> Estate {
    crate::config::parse(
        crate::session::EXAMPLE_ESTATE,
        Path::new("templates/estate.example.toml"),
    )
    .expect("the example estate parses")
}

pub(super) fn sim(faults: &[Fault]) -> SimCloud {
    SimCloud::new(
        &estate(),
        SimOptions {
            clock: SimClock::fixed(t0()),
            latency: Latency::None,
            faults: faults.to_vec(),
        },
    )
}

pub(super) async fn snap(sim: &SimCloud) -> HealthSnapshot {
    snapshot(sim, &estate(), 8).await
}

/// Every resource on one line, for failure messages.
pub(super) fn listing(snap: &HealthSnapshot) -> String {
    snap.resources
        .iter()
        .map(|r| {
            format!(
                "  {:?} {} [{}] {:?} {:?}",
                r.kind, r.name, r.region, r.status, r.reasons
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn resource<'a>(
    snap: &'a HealthSnapshot,
    kind: ResourceKind,
    name: &str,
) -> &'a ResourceHealth {
    snap.resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no {kind:?} {name}:\n{}", listing(snap)))
}

/// The resource has `status` and a reason containing `text`.
pub(super) fn assert_flagged(
    snap: &HealthSnapshot,
    kind: ResourceKind,
    name: &str,
    status: Status,
    text: &str,
) {
    let r = resource(snap, kind, name);
    assert_eq!(r.status, status, "{kind:?} {name}:\n{}", listing(snap));
    assert!(
        r.reasons.iter().any(|reason| reason.contains(text)),
        "{kind:?} {name} has no reason containing {text:?}:\n{}",
        listing(snap)
    );
}

/// Every resource but the ones named is Ok.
pub(super) fn assert_rest_ok(snap: &HealthSnapshot, except: &[(ResourceKind, &str)]) {
    for r in &snap.resources {
        if except.iter().any(|(k, n)| *k == r.kind && *n == r.name) {
            continue;
        }
        assert_eq!(
            r.status,
            Status::Ok,
            "{:?} {} should be ok:\n{}",
            r.kind,
            r.name,
            listing(snap)
        );
    }
}
