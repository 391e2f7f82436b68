//! Probes: one per resource, each gathering facts through the ports. A failed call is kept
//! with the facts, never thrown: the resource becomes `unknown` and the others carry on.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use super::{AlarmFacts, BackupFact, DnsFacts, Facts, FunctionFacts, ResourceKind, TableFacts};
use crate::cloud::{Cloud, CloudError, Failover};
use crate::config::{DnsRecord, Estate};

mod bucket;

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

pub(super) struct Probes<'a> {
    pub cloud: &'a dyn Cloud,
    pub estate: &'a Estate,
    lambda_backups: OnceCell<Result<LambdaBackups, CloudError>>,
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
        let (described, continuous, backups) = tokio::join!(
            self.cloud.describe_table(region, name),
            self.cloud.describe_continuous_backups(region, name),
            self.cloud.list_backups(region, Some(name)),
        );
        let mut errors = Vec::new();
        let mut facts = TableFacts {
            exists: existence(&described),
            backup_every_secs: self.estate.dynamodb.backup_every.as_secs(),
            ..Default::default()
        };
        if facts.exists == Some(false) {
            // The other calls fail the same way; one "does not exist" says it all.
            return self.observed(
                ResourceKind::Table,
                name,
                region,
                Facts::Table(facts),
                errors,
            );
        }
        if let Some(table) = split(described, &mut errors) {
            facts.table_status = Some(table.status);
            facts.item_count = table.item_count;
        }
        if let Some(c) = split(continuous, &mut errors) {
            facts.pitr_enabled = Some(c.pitr_enabled);
            facts.earliest_restorable = c.earliest_restorable;
            facts.latest_restorable = c.latest_restorable;
        }
        if let Some(backups) = split(backups, &mut errors) {
            facts.backup_count = Some(backups.len());
            // list_backups is newest first by creation time.
            facts.newest_backup = backups.first().map(|b| BackupFact {
                name: b.name.clone(),
                arn: b.arn.clone(),
                created: b.created,
                status: b.status.clone(),
            });
        }
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
            facts.runtime = f.runtime;
            facts.last_modified = f.last_modified;
            facts.reserved_concurrency = f.reserved_concurrency;
        }
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

    /// Looks through the newest dated folders (`lambda-backups/20261123/<fn>/...`, and the
    /// plan's `lambda-backups/latest/`) until every function has a backup or the search ends.
    async fn lambda_backups(&self) -> &Result<LambdaBackups, CloudError> {
        self.lambda_backups
            .get_or_init(|| async {
                let mut index = LambdaBackups::default();
                let Some(bucket) = self.estate.lambda.backup_bucket.as_deref() else {
                    return Ok(index);
                };
                let prefix = self.estate.lambda.backup_prefix.as_str();
                let mut folders = self
                    .cloud
                    .list_prefixes(self.primary(), bucket, prefix)
                    .await?;
                // Dates sort as text; "latest/" sorts after every date, as it should.
                folders.sort_by(|a, b| b.cmp(a));
                for folder in folders.iter().take(BACKUP_FOLDERS_SEARCHED) {
                    for object in self
                        .cloud
                        .list_objects(self.primary(), bucket, Some(folder), None)
                        .await?
                    {
                        let rest = &object.key[folder.len()..];
                        let Some((function, file)) = rest.split_once('/') else {
                            continue;
                        };
                        let entry = index.found.entry(function.to_owned()).or_insert_with(|| {
                            FunctionBackup {
                                location: format!("s3://{bucket}/{folder}{function}/"),
                                ..Default::default()
                            }
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
            })
            .await
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
                    }
                    None => {}
                }
            }
            if let Some(id) = &facts.health_check_id {
                facts.primary_healthy =
                    split(self.cloud.health_check_status(id).await, &mut errors)
                        .map(|s| s.healthy());
            }
            facts.serving = match (
                facts.has_primary,
                facts.primary_healthy,
                facts.has_secondary,
            ) {
                (true, Some(false), true) => Some(Failover::Secondary),
                (true, _, _) => Some(Failover::Primary),
                (false, _, true) => Some(Failover::Secondary),
                _ => None,
            };
        }
        self.observed(ResourceKind::Dns, name, "global", Facts::Dns(facts), errors)
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
