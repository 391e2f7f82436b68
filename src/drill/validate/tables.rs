//! One table's validation: its newest AVAILABLE backup restored into a temporary table the
//! run owns, that table counted against the backup's own record, its keys and indexes
//! compared, a sample of its items looked up in the source, and the temporary table deleted
//! whatever happened.

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::watch;

use super::{Finding, Kind, Verdict};
use crate::action::{Args, Executor, Progress, catalogue};
use crate::cloud::{BackupInfo, BackupSource, Cloud};
use crate::config::ValidateSettings;

/// The tag every temporary table carries, its value the run's id: with the name, what lets a
/// later run tell a leftover of ours from someone's table that merely looks like one.
pub const TAG_KEY: &str = "drconsole:validation";

/// What sits between a table's name and the stamp in a temporary table's name.
const MARK: &str = "-validate-";
/// `-validate-` + `YYYYMMDDHHMMSS` + `-` + 4 hex digits.
const SUFFIX_LEN: usize = MARK.len() + 14 + 1 + 4;
/// DynamoDB's longest table name.
const MAX_NAME: usize = 255;

/// `<table>-validate-<YYYYMMDDHHMMSS>-<4 hex>`: unique per run and table, and a valid
/// DynamoDB name whatever the table's length (a long name is cut to make room).
pub fn temporary_name(table: &str, at: DateTime<Utc>, salt: u16) -> String {
    let keep = MAX_NAME - SUFFIX_LEN;
    let base: String = table.chars().take(keep).collect();
    format!("{base}{MARK}{}-{salt:04x}", at.format("%Y%m%d%H%M%S"))
}

/// Whether `name` is shaped like a temporary table's name (its tag says whether it is one).
pub fn is_temporary_name(name: &str) -> bool {
    let Some(start) = name.len().checked_sub(SUFFIX_LEN) else {
        return false;
    };
    let Some(tail) = name.get(start..) else {
        return false;
    };
    let Some(rest) = tail.strip_prefix(MARK) else {
        return false;
    };
    let (Some(stamp), Some(salt)) = (rest.get(..14), rest.get(14..)) else {
        return false;
    };
    start > 0
        && stamp.bytes().all(|b| b.is_ascii_digit())
        && salt.len() == 5
        && salt.starts_with('-')
        && salt[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What one run shares with each of its tables.
pub struct TableRun<'a> {
    pub executor: &'a Executor,
    pub cloud: &'a dyn Cloud,
    pub settings: &'a ValidateSettings,
    pub region: &'a str,
    /// The run's id: the tag's value and the journal's name for it.
    pub run: &'a str,
    pub stop: watch::Receiver<bool>,
    pub progress: &'a (dyn Fn(String) + Send + Sync),
}

/// What a table's validation found, and what became of its temporary table.
#[derive(Debug, Default)]
pub struct TableResult {
    pub findings: Vec<Finding>,
    /// The temporary table that could not be removed, if any (named for a hand to finish).
    pub left: Option<String>,
}

pub(super) fn finding(table: &str, check: &str, verdict: Verdict, message: String) -> Finding {
    Finding::new(Kind::Table, table, check, verdict, message)
}

fn stopped(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow()
}

/// Resolves once the run is told to stop (Ctrl-C); never, if the sender is gone.
pub(super) async fn until_stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The newest AVAILABLE backup by creation time: AWS lists in no promised order.
pub fn newest_available(backups: &[BackupInfo]) -> Option<&BackupInfo> {
    backups
        .iter()
        .filter(|b| b.status == "AVAILABLE")
        .max_by_key(|b| b.created)
}

impl TableRun<'_> {
    pub(super) fn tell(&self, table: &str, what: impl std::fmt::Display) {
        (self.progress)(format!("{table}: {what}"));
    }

    /// Validates `table`; never stops another table's validation, and leaves no temporary
    /// table behind that it could delete.
    pub async fn check(&self, table: &str, salt: u16) -> TableResult {
        let mut result = TableResult::default();
        if stopped(&self.stop) {
            result
                .findings
                .push(interrupted(table, "before its restore"));
            return result;
        }
        let backups = match self.cloud.list_backups(self.region, Some(table)).await {
            Ok(b) => b,
            Err(e) => {
                result.findings.push(finding(
                    table,
                    "restore",
                    Verdict::Unknown,
                    format!("cannot list its backups in {}: {e}", self.region),
                ));
                return result;
            }
        };
        let Some(backup) = newest_available(&backups).cloned() else {
            result.findings.push(finding(
                table,
                "restore",
                Verdict::Fail,
                format!(
                    "no AVAILABLE backup in {} ({} listed): there is nothing to restore",
                    self.region,
                    backups.len()
                ),
            ));
            return result;
        };
        let recorded = match self
            .cloud
            .describe_backup_source(self.region, &backup.arn)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                result.findings.push(finding(
                    table,
                    "restore",
                    Verdict::Unknown,
                    format!("cannot read backup {} (DescribeBackup): {e}", backup.name),
                ));
                return result;
            }
        };
        let temp = temporary_name(table, self.cloud.now(), salt);
        // Owned before it exists: an interrupted restore's table is still this run's to
        // delete without a confirmation.
        if let Err(e) = self.executor.own(self.run, &temp).await {
            result.findings.push(finding(
                table,
                "restore",
                Verdict::Unknown,
                format!("not restored: the journal could not record {temp} as this run's: {e}"),
            ));
            return result;
        }
        let restored = self.restore(table, &backup, &temp).await;
        let restored_ok = matches!(restored.verdict, Verdict::Pass);
        result.findings.push(restored);
        if restored_ok {
            let checks = self.after_restore(table, &temp, &recorded);
            let limit = self.settings.restore_timeout.as_duration();
            tokio::select! {
                found = tokio::time::timeout(limit, checks) => match found {
                    Ok(found) => result.findings.extend(found),
                    Err(_) => result.findings.push(finding(
                        table,
                        "item-count",
                        Verdict::Unknown,
                        format!(
                            "the checks of {temp} took longer than restore_timeout ({})",
                            self.settings.restore_timeout
                        ),
                    )),
                },
                () = until_stopped(self.stop.clone()) => {
                    result.findings.push(interrupted(table, "during its checks"));
                }
            }
        }
        result.left = self.remove(table, &temp, &mut result.findings).await;
        result
    }

    async fn restore(&self, table: &str, backup: &BackupInfo, temp: &str) -> Finding {
        let action = match catalogue::find("restore-backup") {
            Ok(a) => a,
            Err(e) => return finding(table, "restore", Verdict::Unknown, e.to_string()),
        };
        let pairs = [
            format!("backup={}", backup.arn),
            format!("new-name={temp}"),
            format!("region={}", self.region),
            "protect=none".to_owned(),
            format!("tag={TAG_KEY}={}", self.run),
            format!("timeout={}", self.settings.restore_timeout),
        ];
        let args = match Args::parse(action.name(), action.args(), &pairs) {
            Ok(a) => a,
            Err(e) => return finding(table, "restore", Verdict::Unknown, e.to_string()),
        };
        let age = self.cloud.now() - backup.created;
        self.tell(
            table,
            format!(
                "restoring backup {} ({} old) into {temp}",
                backup.name,
                age_text(age)
            ),
        );
        let began = Instant::now();
        let progress = |p: Progress| self.tell(table, p.what);
        let run = self
            .executor
            .run(action, table, &args, None, None, &progress);
        let outcome = tokio::select! {
            outcome = run => outcome,
            () = until_stopped(self.stop.clone()) => {
                return interrupted(table, "during its restore");
            }
        };
        let secs = began.elapsed().as_secs_f64();
        let figures = json!({
            "backup": backup.name,
            "backup_arn": backup.arn,
            "backup_created": backup.created,
            "backup_age_secs": age.num_seconds(),
            "temporary_table": temp,
            "restore_secs": secs,
        });
        match outcome {
            Ok(_) => {
                self.tell(table, format!("restored into {temp} in {secs:.1}s"));
                finding(
                    table,
                    "restore",
                    Verdict::Pass,
                    format!(
                        "backup {} (made {}, {} old, the newest AVAILABLE by creation time) \
                         restored into {temp} in {secs:.1}s",
                        backup.name,
                        backup.created.format("%Y-%m-%d %H:%M UTC"),
                        age_text(age)
                    ),
                )
                .with_figures(figures)
            }
            Err(e) => finding(
                table,
                "restore",
                Verdict::Fail,
                format!("backup {} did not restore into {temp}: {e}", backup.name),
            )
            .with_figures(figures),
        }
    }

    /// Count, keys and indexes, sample: each its own finding.
    async fn after_restore(
        &self,
        table: &str,
        temp: &str,
        recorded: &BackupSource,
    ) -> Vec<Finding> {
        if let Err(e) = crate::fault_point_async!("validate.after_restore") {
            return vec![finding(
                table,
                "item-count",
                Verdict::Fail,
                format!("{temp} was not checked: {e}"),
            )];
        }
        // The three read the copy at once: the key names come from the backup's record, so
        // the sample need not wait for the copy's description.
        let schema = async {
            match self.cloud.describe_table_schema(self.region, temp).await {
                Ok(restored) => Ok(self.compare_schema(table, &restored, recorded).await),
                Err(e) => Err(e),
            }
        };
        let sample = async {
            if !recorded.key_schema.is_empty() {
                return self.sample(table, temp, &recorded.key_schema).await;
            }
            match self.cloud.describe_table_schema(self.region, temp).await {
                Ok(restored) => self.sample(table, temp, &restored.key_schema).await,
                Err(e) => finding(
                    table,
                    "sample",
                    Verdict::Unknown,
                    format!("cannot describe {temp}: {e}"),
                ),
            }
        };
        let (count, schema, sample) =
            tokio::join!(self.count(table, temp, recorded), schema, sample);
        let schema = schema.unwrap_or_else(|e| {
            finding(
                table,
                "schema",
                Verdict::Unknown,
                format!("cannot describe {temp}: {e}"),
            )
        });
        vec![count, schema, sample]
    }

    /// Deletes the temporary table through the executor (its own: no confirmation, no
    /// backup), even after a Ctrl-C; says what is left when it cannot.
    async fn remove(&self, table: &str, temp: &str, findings: &mut Vec<Finding>) -> Option<String> {
        let action = catalogue::find("delete-table").ok()?;
        let args = Args::parse(
            action.name(),
            action.args(),
            &[format!("region={}", self.region)],
        )
        .ok()?;
        self.tell(table, format!("deleting {temp}"));
        let progress = |p: Progress| self.tell(table, p.what);
        match self
            .executor
            .run(action, temp, &args, None, None, &progress)
            .await
        {
            Ok(_) => None,
            Err(e) => {
                findings.push(finding(
                    table,
                    "cleanup",
                    Verdict::Fail,
                    format!(
                        "the temporary table {temp} could not be deleted: {e}; the next \
                         validation removes it (it is tagged {TAG_KEY}), or delete it by hand"
                    ),
                ));
                Some(temp.to_owned())
            }
        }
    }
}

fn interrupted(table: &str, when: &str) -> Finding {
    finding(
        table,
        "interrupted",
        Verdict::Unknown,
        format!("not checked: the run was interrupted {when}"),
    )
}

fn age_text(age: chrono::Duration) -> String {
    let secs = age.num_seconds().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// A short random number for names made in the same second.
pub fn salt() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = Utc::now().timestamp_subsec_nanos();
    let n = COUNTER.fetch_add(0x9e37, Ordering::Relaxed);
    ((nanos ^ (nanos >> 16) ^ n) & 0xffff) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_valid_unique_and_recognised() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let name = temporary_name("flightdata-main", at, 0x1a2b);
        assert_eq!(name, "flightdata-main-validate-20261127030405-1a2b");
        assert!(is_temporary_name(&name));
        let long = "t".repeat(255);
        let name = temporary_name(&long, at, 7);
        assert_eq!(name.len(), 255, "{name}");
        assert!(is_temporary_name(&name));
        assert!(name.ends_with("-validate-20261127030405-0007"));
        for not in [
            "flightdata-main",
            "-validate-20261127030405-1a2b",
            "x-validate-2026112703040-1a2b",
            "x-validate-20261127030405-1A2B",
            "x-validate-20261127030405-1a2bc",
            "x-restored-20261127030405-1a2b",
        ] {
            assert!(!is_temporary_name(not), "{not}");
        }
    }
}
