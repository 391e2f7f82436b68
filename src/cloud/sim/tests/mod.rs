//! Tests of the simulated estate: the example estate on a fixed clock, without latency.

mod buckets;
mod faults;
mod function_restore;
mod health;
mod imports;
mod new_writes;
mod recovery_checks;
mod repairs;
mod stacks;
mod writes;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use super::{Fault, Latency, SimClock, SimCloud, SimOptions};
use crate::cloud::writes::{Authority, Sent, WriteOutput, WriteRequest, Writes};
use crate::cloud::{
    BackupInfo, BucketRef, ChangeInfo, CloudResult, ContinuousBackups, CopyReport, ExportInfo,
    ExportRequest, RecordChange, RestorePoint, TableInfo,
};
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

/// Sends a write as the action module does.
pub(super) async fn send(sim: &SimCloud, request: WriteRequest) -> CloudResult<Sent> {
    sim.send(&request, &Authority::for_tests()).await
}

/// Each write as one call that answers what it wrote: the tests read as they did when each
/// write was a method of its own.
pub(super) trait SendWrites {
    async fn output(&self, request: WriteRequest) -> CloudResult<WriteOutput>;

    async fn pitr(&self, region: &str, table: &str, pitr: bool) -> CloudResult<ContinuousBackups> {
        let request = WriteRequest::UpdateContinuousBackups {
            region: region.into(),
            table: table.into(),
            pitr,
        };
        match self.output(request).await? {
            WriteOutput::ContinuousBackups(c) => Ok(c),
            other => panic!("UpdateContinuousBackups answered {other:?}"),
        }
    }

    async fn backup(&self, region: &str, table: &str, name: &str) -> CloudResult<BackupInfo> {
        let request = WriteRequest::CreateBackup {
            region: region.into(),
            table: table.into(),
            backup_name: name.into(),
        };
        match self.output(request).await? {
            WriteOutput::Backup(b) => Ok(b),
            other => panic!("CreateBackup answered {other:?}"),
        }
    }

    async fn restore_backup(
        &self,
        region: &str,
        arn: &str,
        target: &str,
    ) -> CloudResult<TableInfo> {
        let request = WriteRequest::RestoreTableFromBackup {
            region: region.into(),
            backup_arn: arn.into(),
            target_table: target.into(),
        };
        table(self.output(request).await?)
    }

    async fn restore_pitr(
        &self,
        region: &str,
        source: &str,
        target: &str,
        point: RestorePoint,
    ) -> CloudResult<TableInfo> {
        let request = WriteRequest::RestoreTableToPointInTime {
            region: region.into(),
            source: source.into(),
            target_table: target.into(),
            point,
        };
        table(self.output(request).await?)
    }

    async fn export(&self, region: &str, export: &ExportRequest) -> CloudResult<ExportInfo> {
        let request = WriteRequest::ExportTableToPointInTime {
            region: region.into(),
            export: export.clone(),
        };
        match self.output(request).await? {
            WriteOutput::Export(e) => Ok(e),
            other => panic!("ExportTableToPointInTime answered {other:?}"),
        }
    }

    async fn delete(&self, region: &str, table_name: &str) -> CloudResult<TableInfo> {
        let request = WriteRequest::DeleteTable {
            region: region.into(),
            table: table_name.into(),
        };
        table(self.output(request).await?)
    }

    async fn versioning(&self, region: &str, bucket: &str, enabled: bool) -> CloudResult<()> {
        let request = WriteRequest::PutBucketVersioning {
            region: region.into(),
            bucket: bucket.into(),
            enabled,
        };
        self.output(request).await.map(|_| ())
    }

    async fn copy(
        &self,
        from: &BucketRef,
        to: &BucketRef,
        prefix: Option<&str>,
    ) -> CloudResult<CopyReport> {
        let request = WriteRequest::CopyObjects {
            from: from.clone(),
            to: to.clone(),
            prefix: prefix.map(str::to_owned),
        };
        match self.output(request).await? {
            WriteOutput::Copy(c) => Ok(c),
            other => panic!("CopyObjects answered {other:?}"),
        }
    }

    async fn concurrency(&self, region: &str, function: &str, reserved: i32) -> CloudResult<i32> {
        let request = WriteRequest::PutFunctionConcurrency {
            region: region.into(),
            function: function.into(),
            reserved,
        };
        match self.output(request).await? {
            WriteOutput::Concurrency(n) => Ok(n),
            other => panic!("PutFunctionConcurrency answered {other:?}"),
        }
    }

    async fn no_concurrency(&self, region: &str, function: &str) -> CloudResult<()> {
        let request = WriteRequest::DeleteFunctionConcurrency {
            region: region.into(),
            function: function.into(),
        };
        self.output(request).await.map(|_| ())
    }

    async fn records(
        &self,
        zone_id: &str,
        changes: &[RecordChange],
        comment: &str,
    ) -> CloudResult<ChangeInfo> {
        let request = WriteRequest::ChangeResourceRecordSets {
            zone_id: zone_id.into(),
            changes: changes.to_vec(),
            comment: comment.into(),
        };
        match self.output(request).await? {
            WriteOutput::Change(c) => Ok(c),
            other => panic!("ChangeResourceRecordSets answered {other:?}"),
        }
    }
}

fn table(output: WriteOutput) -> CloudResult<TableInfo> {
    match output {
        WriteOutput::Table(t) => Ok(t),
        other => panic!("a table write answered {other:?}"),
    }
}

impl SendWrites for SimCloud {
    async fn output(&self, request: WriteRequest) -> CloudResult<WriteOutput> {
        send(self, request).await.map(|sent| sent.output)
    }
}
