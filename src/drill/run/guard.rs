//! The drill guard: every name a drill's request writes must be a drill name. A request that
//! names several resources (a restore reads a backup and writes a table; a copy reads one
//! bucket and writes another) is judged by each it writes, never by the one it reads.

use std::sync::Arc;

use crate::action::DrillGuard;
use crate::cloud::{ChangeAction, WriteRequest};
use crate::drill::DrillNames;

/// Every resource `request` changes or makes, by name.
pub fn written(request: &WriteRequest) -> Vec<String> {
    use WriteRequest::*;
    match request {
        // The backup is made as well as the table read: both are the drill's.
        CreateBackup {
            table, backup_name, ..
        } => vec![table.clone(), backup_name.clone()],
        ChangeResourceRecordSets { changes, .. } => {
            changes.iter().map(|c| c.record.name.clone()).collect()
        }
        // An export writes objects into its bucket.
        ExportTableToPointInTime { export, .. } => {
            vec![request.target(), export.bucket.clone()]
        }
        ImportTable { import, .. } => vec![import.table.clone()],
        _ => vec![request.target()],
    }
}

/// The guard an executor of a drill runs before each request.
pub fn guard(names: DrillNames) -> DrillGuard {
    Arc::new(move |request: &WriteRequest| check(&names, request))
}

/// `Err` names what is not the drill's and why nothing was sent.
pub fn check(names: &DrillNames, request: &WriteRequest) -> Result<(), String> {
    if let WriteRequest::ChangeResourceRecordSets { changes, .. } = request
        && let Some(c) = changes.iter().find(|c| {
            c.action != ChangeAction::Delete
                && c.record
                    .set_identifier
                    .as_deref()
                    .is_some_and(|id| !names.is_drill_name(id))
        })
    {
        // Route53 keys a failover record by its SetIdentifier too: a drill record sharing
        // production's could be taken for it.
        return Err(format!(
            "a drill writes only drill names: record {}'s set identifier {} is production's",
            c.record.name,
            c.record.set_identifier.as_deref().unwrap_or_default()
        ));
    }
    let not_ours: Vec<String> = written(request)
        .into_iter()
        .filter(|name| !names.is_drill_name(name))
        .collect();
    if not_ours.is_empty() {
        return Ok(());
    }
    Err(format!(
        "a drill writes only names carrying {} and what it made: {} {} would change {}",
        names.suffix(),
        request.service(),
        request.operation(),
        not_ours.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::{BucketRef, RecordChange, RecordSet};

    fn names() -> DrillNames {
        DrillNames::new("-dr-test")
    }

    #[test]
    fn a_restore_is_judged_by_the_table_it_writes_not_the_backup_it_reads() {
        let restore = WriteRequest::RestoreTableFromBackup {
            region: "us-east-1".into(),
            backup_arn: "arn:aws:dynamodb:us-east-1:1:table/flightdata-main/backup/1".into(),
            target_table: "flightdata-main-dr-test".into(),
        };
        assert!(check(&names(), &restore).is_ok());
        let real = WriteRequest::RestoreTableFromBackup {
            region: "us-east-1".into(),
            backup_arn: "arn:aws:dynamodb:us-east-1:1:table/flightdata-main/backup/1".into(),
            target_table: "flightdata-main".into(),
        };
        let why = check(&names(), &real).unwrap_err();
        assert!(why.contains("would change flightdata-main"), "{why}");
    }

    #[test]
    fn a_backup_of_a_drill_table_under_a_real_name_and_a_copy_into_a_real_bucket_are_refused() {
        let backup = WriteRequest::CreateBackup {
            region: "us-east-1".into(),
            table: "flightdata-main-dr-test".into(),
            backup_name: "nightly".into(),
        };
        assert!(check(&names(), &backup).unwrap_err().contains("nightly"));
        let copy = WriteRequest::CopyObjects {
            from: BucketRef::new("us-east-1", "raw-dr-test"),
            to: BucketRef::new("us-west-2", "raw"),
            prefix: None,
        };
        assert!(check(&names(), &copy).is_err());
    }

    #[test]
    fn every_record_of_a_change_must_be_the_drills() {
        let record = |name: &str, id: &str| RecordChange {
            action: ChangeAction::Upsert,
            record: RecordSet {
                name: name.into(),
                record_type: "A".into(),
                set_identifier: Some(id.into()),
                failover: None,
                ttl: Some(60),
                values: vec!["10.0.0.1".into()],
                alias: None,
                health_check_id: None,
            },
        };
        let change = |changes| WriteRequest::ChangeResourceRecordSets {
            zone_id: "Z1".into(),
            changes,
            comment: String::new(),
        };
        let ours = record("api-dr-test.example.com.", "primary-dr-test");
        assert!(check(&names(), &change(vec![ours.clone()])).is_ok());
        let theirs = record("api.example.com.", "primary");
        assert!(check(&names(), &change(vec![ours.clone(), theirs])).is_err());
        let shared_id = record("api-dr-test.example.com.", "primary");
        assert!(check(&names(), &change(vec![shared_id])).is_err());
        let health = WriteRequest::UpdateHealthCheck {
            health_check_id: "abc".into(),
            inverted: Some(true),
            disabled: None,
        };
        assert!(check(&names(), &health).is_err());
    }
}
