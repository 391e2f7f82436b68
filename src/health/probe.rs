//! Probes: one per resource, each gathering facts through the ports. A failed call is kept
//! with the facts, never thrown: the resource becomes `unknown` and the others carry on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use super::{AlarmFacts, BackupFact, DnsFacts, Facts, FunctionFacts, ResourceKind, TableFacts};
use crate::cloud::{Cloud, CloudError, Failover, HealthCheckConfig};
use crate::config::{DnsRecord, Estate};

mod bucket;
mod outside;
mod stack;
pub(crate) use outside::newest_export;

pub(super) use bucket::{Counting, Counts};

/// What one probe saw, before judgement.
#[derive(Debug, Clone)]
pub(super) struct Observed {
    pub kind: ResourceKind,
    pub name: String,
    pub region: String,
    pub facts: Facts,
    pub errors: Vec<CloudError>,
    pub fetched_at: DateTime<Utc>,
}

/// How many dated backup folders to look through for a function before calling it missing.
const BACKUP_FOLDERS_SEARCHED: usize = 14;

/// The newest backup of each function, read once per snapshot and shared by all functions.
#[derive(Debug, Clone, Default)]
pub(super) struct LambdaBackups {
    found: HashMap<String, FunctionBackup>,
}

#[derive(Debug, Clone, Default)]
struct FunctionBackup {
    location: String,
    has_config: bool,
    has_code: bool,
    time: Option<DateTime<Utc>>,
}

type Shared<T> = Mutex<HashMap<String, Arc<OnceCell<Result<T, CloudError>>>>>;

pub(super) struct Probes<'a> {
    pub cloud: &'a dyn Cloud,
    pub estate: &'a Estate,
    lambda_backups: OnceCell<Result<LambdaBackups, CloudError>>,
    /// Backup indexes of buckets outside the primary region, by bucket.
    lambda_copies: Shared<LambdaBackups>,
    /// Where each bucket lives, by bucket.
    bucket_regions: Shared<String>,
}

fn split<T>(result: Result<T, CloudError>, errors: &mut Vec<CloudError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// `Some(false)` for "does not exist"; the error is kept for anything else.
fn existence<T>(result: &Result<T, CloudError>) -> Option<bool> {
    match result {
        Ok(_) => Some(true),
        Err(e) if e.is_not_found() => Some(false),
        Err(_) => None,
    }
}

impl<'a> Probes<'a> {
    pub fn new(cloud: &'a dyn Cloud, estate: &'a Estate) -> Self {
        Self {
            cloud,
            estate,
            lambda_backups: OnceCell::new(),
            lambda_copies: Mutex::default(),
            bucket_regions: Mutex::default(),
        }
    }

    fn primary(&self) -> &'a str {
        self.estate.regions.primary.get_ref()
    }

    fn backup(&self) -> &'a str {
        self.estate.regions.backup.get_ref()
    }

    fn observed(
        &self,
        kind: ResourceKind,
        name: &str,
        region: &str,
        facts: Facts,
        errors: Vec<CloudError>,
    ) -> Observed {
        Observed {
            kind,
            name: name.to_owned(),
            region: region.to_owned(),
            facts,
            errors,
            fetched_at: self.cloud.now(),
        }
    }

    pub async fn table(&self, name: &str) -> Observed {
        let region = self.primary();
        let (described, continuous, backups, exports) = tokio::join!(
            self.cloud.describe_table(region, name),
            self.cloud.describe_continuous_backups(region, name),
            // By name, so a deleted table's backups (its SYSTEM backup) are still found.
            self.cloud.list_backups(region, Some(name)),
            self.table_exports(name),
        );
        let mut errors = Vec::new();
        let mut facts = TableFacts {
            exists: existence(&described),
            backup_every_secs: self.estate.dynamodb.backup_every.as_secs(),
            ..Default::default()
        };
        // A missing table fails the PITR call the same way; "does not exist" says it all.
        if facts.exists != Some(false) {
            if let Some(table) = split(described.clone(), &mut errors) {
                facts.table_status = Some(table.status);
                facts.item_count = table.item_count;
            }
            if let Some(c) = split(continuous, &mut errors) {
                facts.pitr_enabled = Some(c.pitr_enabled);
                facts.earliest_restorable = c.earliest_restorable;
                facts.latest_restorable = c.latest_restorable;
            }
        }
        if let Some(backups) = split(backups, &mut errors) {
            facts.backup_count = Some(backups.len());
            let fact = |b: &crate::cloud::BackupInfo| BackupFact {
                name: b.name.clone(),
                arn: b.arn.clone(),
                created: b.created,
                status: b.status.clone(),
            };
            // Newest first: the newest AVAILABLE one is what can be restored now; a newer
            // one still CREATING cannot be yet.
            let available = backups.iter().position(|b| b.status == "AVAILABLE");
            facts.newest_backup = available.map(|i| fact(&backups[i]));
            facts.newest_backup_pending = backups[..available.unwrap_or(backups.len())]
                .iter()
                .find(|b| b.status == "CREATING")
                .map(fact);
        }
        facts.outside = exports.unwrap_or_else(|(outside, e)| {
            errors.push(e);
            outside
        });
        self.table_replica(name, &described, &mut facts.outside, &mut errors)
            .await;
        self.observed(
            ResourceKind::Table,
            name,
            region,
            Facts::Table(facts),
            errors,
        )
    }

    pub async fn function(&self, name: &str) -> Observed {
        let region = self.primary();
        let (function, backups) =
            tokio::join!(self.cloud.get_function(region, name), self.lambda_backups());
        let mut errors = Vec::new();
        let ingestion = self
            .estate
            .lambda
            .ingestion_function
            .as_ref()
            .is_some_and(|f| f.get_ref() == name);
        let mut facts = FunctionFacts {
            exists: existence(&function),
            ingestion,
            ..Default::default()
        };
        if facts.exists != Some(false)
            && let Some(f) = split(function, &mut errors)
        {
            facts.last_modified_at = f.last_modified.as_deref().and_then(lambda_time);
            facts.runtime = f.runtime;
            facts.last_modified = f.last_modified;
            facts.reserved_concurrency = f.reserved_concurrency;
        }
        facts.outside = self.function_outside(name, &mut errors).await;
        match backups {
            Ok(index) => {
                facts.backups_checked = true;
                if let Some(b) = index.found.get(name) {
                    facts.backup_location = Some(b.location.clone());
                    facts.backup_has_config = b.has_config;
                    facts.backup_has_code = b.has_code;
                    facts.backup_time = b.time;
                }
            }
            Err(e) => errors.push(e.clone()),
        }
        self.observed(
            ResourceKind::Function,
            name,
            region,
            Facts::Function(facts),
            errors,
        )
    }

    async fn lambda_backups(&self) -> &Result<LambdaBackups, CloudError> {
        self.lambda_backups
            .get_or_init(|| async {
                match self.estate.lambda.backup_bucket.as_deref() {
                    Some(bucket) => self.backup_index(bucket, self.primary()).await,
                    None => Ok(LambdaBackups::default()),
                }
            })
            .await
    }

    /// Looks through the newest dated folders (`lambda-backups/20261123/<fn>/...`, and the
    /// plan's `lambda-backups/latest/`) until every function has a backup or the search ends.
    async fn backup_index(&self, bucket: &str, region: &str) -> Result<LambdaBackups, CloudError> {
        let mut index = LambdaBackups::default();
        let prefix = self.estate.lambda.backup_prefix.as_str();
        let folders = self.cloud.list_prefixes(region, bucket, prefix).await?;
        // The dated folders are the backups, newest first (dates sort as text); `latest/` is
        // only a copy of the newest whole one (backup lambda writes it from that folder's
        // bytes), its times the copy's: looked at last, as validate and restore-function do.
        let is_latest = |f: &String| f.strip_prefix(prefix) == Some("latest/");
        let mut dated: Vec<&String> = folders.iter().filter(|f| !is_latest(f)).collect();
        dated.sort_by(|a, b| b.cmp(a));
        let latest = folders.iter().filter(|f| is_latest(f));
        for folder in dated
            .into_iter()
            .take(BACKUP_FOLDERS_SEARCHED)
            .chain(latest)
        {
            for object in self
                .cloud
                .list_objects(region, bucket, Some(folder), None)
                .await?
            {
                let rest = &object.key[folder.len()..];
                let Some((function, file)) = rest.split_once('/') else {
                    continue;
                };
                let entry =
                    index
                        .found
                        .entry(function.to_owned())
                        .or_insert_with(|| FunctionBackup {
                            location: format!("s3://{bucket}/{folder}{function}/"),
                            ..Default::default()
                        });
                if !entry.location.ends_with(&format!("{folder}{function}/")) {
                    continue; // a newer folder already had this function
                }
                entry.has_config |= file.ends_with("config.json");
                entry.has_code |= file.ends_with(".zip");
                entry.time = entry.time.max(object.last_modified);
            }
        }
        Ok(index)
    }

    pub async fn dns(&self, record: &DnsRecord) -> Observed {
        let name = record.name.get_ref();
        let mut errors = Vec::new();
        let mut facts = DnsFacts {
            zone_id: record.zone_id.clone(),
            record_type: record.record_type.clone(),
            ..Default::default()
        };
        let same_name = |a: &str| {
            a.trim_end_matches('.')
                .eq_ignore_ascii_case(name.trim_end_matches('.'))
        };
        if let Some(records) = split(
            self.cloud.list_record_sets(&record.zone_id).await,
            &mut errors,
        ) {
            facts.records_checked = true;
            for r in records
                .iter()
                .filter(|r| same_name(&r.name) && r.record_type == record.record_type)
            {
                match r.failover {
                    Some(Failover::Primary) => {
                        facts.has_primary = true;
                        facts.primary_values = r.values.clone();
                        facts.health_check_id = r.health_check_id.clone();
                        facts.primary_evaluates_target_health =
                            r.alias.as_ref().is_some_and(|a| a.evaluate_target_health);
                    }
                    Some(Failover::Secondary) => {
                        facts.has_secondary = true;
                        facts.secondary_values = r.values.clone();
                        facts.secondary_health_check_id = r.health_check_id.clone();
                    }
                    None => {}
                }
            }
            let (primary, secondary) = tokio::join!(
                self.health_check(facts.health_check_id.as_deref()),
                self.health_check(facts.secondary_health_check_id.as_deref()),
            );
            (facts.primary_healthy, facts.primary_check) = primary.unwrap_or_else(|e| {
                errors.push(e);
                (None, None)
            });
            (facts.secondary_healthy, facts.secondary_check) = secondary.unwrap_or_else(|e| {
                errors.push(e);
                (None, None)
            });
            facts.serving = serving(&facts);
        }
        self.observed(ResourceKind::Dns, name, "global", Facts::Dns(facts), errors)
    }

    /// A check's status as Route53 takes it, with its configuration: a disabled check counts
    /// as healthy whatever the checkers see, an inverted one the other way round.
    async fn health_check(
        &self,
        id: Option<&str>,
    ) -> Result<(Option<bool>, Option<HealthCheckConfig>), CloudError> {
        let Some(id) = id else {
            return Ok((None, None));
        };
        let (status, config) = tokio::join!(
            self.cloud.health_check_status(id),
            self.cloud.get_health_check(id)
        );
        let (status, config) = (status?, config?);
        let healthy = if config.disabled {
            Some(true)
        } else {
            status.healthy().map(|h| h != config.inverted)
        };
        Ok((healthy, Some(config)))
    }

    /// One call for every watched alarm.
    pub async fn alarms(&self) -> Vec<Observed> {
        let region = self.primary();
        let names: Vec<String> = self
            .estate
            .cloudwatch
            .alarms
            .iter()
            .map(|a| a.get_ref().clone())
            .collect();
        if names.is_empty() {
            return Vec::new();
        }
        let result = self.cloud.describe_alarms(region, &names, None).await;
        names
            .iter()
            .map(|name| {
                let (facts, errors) = match &result {
                    Ok(alarms) => {
                        let alarm = alarms.iter().find(|a| &a.name == name);
                        let facts = AlarmFacts {
                            exists: alarm.is_some(),
                            state: alarm.map(|a| a.state),
                            reason: alarm.and_then(|a| a.reason.clone()),
                            updated: alarm.and_then(|a| a.updated),
                        };
                        (facts, Vec::new())
                    }
                    Err(e) => (
                        AlarmFacts {
                            exists: true,
                            state: None,
                            reason: None,
                            updated: None,
                        },
                        vec![e.clone()],
                    ),
                };
                self.observed(
                    ResourceKind::Alarm,
                    name,
                    region,
                    Facts::Alarm(facts),
                    errors,
                )
            })
            .collect()
    }
}

/// Which record Route53 answers with: the PRIMARY while it is healthy (a record without a
/// check counts as healthy), else the SECONDARY if that is healthy, else the PRIMARY again
/// (with both failing, Route53 answers with the PRIMARY). `None` when a needed check is unknown.
fn serving(f: &DnsFacts) -> Option<Failover> {
    let primary = match (&f.health_check_id, f.primary_healthy) {
        // An alias that evaluates its target follows a health this probe does not read.
        (None, _) if f.primary_evaluates_target_health => None,
        (None, _) => Some(true),
        (Some(_), healthy) => healthy,
    };
    let secondary = match &f.secondary_health_check_id {
        None => Some(true),
        Some(_) => f.secondary_healthy,
    };
    match (f.has_primary, f.has_secondary) {
        (false, false) => None,
        (false, true) => Some(Failover::Secondary),
        (true, false) => Some(Failover::Primary),
        (true, true) => match (primary?, secondary) {
            (true, _) => Some(Failover::Primary),
            (false, Some(true)) => Some(Failover::Secondary),
            (false, Some(false)) => Some(Failover::Primary),
            (false, None) => None,
        },
    }
}

/// Lambda's `LastModified`, e.g. "2026-11-23T10:00:00.000+0000".
fn lambda_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(primary: Option<bool>, secondary: Option<Option<bool>>) -> DnsFacts {
        DnsFacts {
            has_primary: true,
            has_secondary: true,
            records_checked: true,
            health_check_id: Some("hc-p".into()),
            primary_healthy: primary,
            secondary_health_check_id: secondary.map(|_| "hc-s".into()),
            secondary_healthy: secondary.flatten(),
            ..Default::default()
        }
    }

    #[test]
    fn serving_follows_route53_s_failover_rule() {
        use Failover::{Primary, Secondary};
        assert_eq!(serving(&pair(Some(true), None)), Some(Primary));
        // A SECONDARY without a check counts as healthy.
        assert_eq!(serving(&pair(Some(false), None)), Some(Secondary));
        assert_eq!(
            serving(&pair(Some(false), Some(Some(true)))),
            Some(Secondary)
        );
        // Both unhealthy: Route53 answers with the PRIMARY.
        assert_eq!(
            serving(&pair(Some(false), Some(Some(false)))),
            Some(Primary)
        );
        // Anything that decides it and is unknown leaves it unknown.
        assert_eq!(serving(&pair(None, None)), None);
        assert_eq!(serving(&pair(Some(false), Some(None))), None);
    }

    #[test]
    fn lambda_times_parse_in_lambda_s_format() {
        assert_eq!(
            lambda_time("2026-11-23T10:00:00.000+0000").map(|t| t.to_rfc3339()),
            Some("2026-11-23T10:00:00+00:00".to_owned())
        );
        assert_eq!(lambda_time("yesterday"), None);
    }
}
