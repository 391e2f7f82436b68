//! Copies outside the primary region: a table's global-table replica and exports, a
//! function's backups in a bucket of another region, and where each bucket lives.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{LambdaBackups, Probes};
use crate::cloud::{Cloud, CloudError, ObjectInfo, TableInfo};
use crate::health::{ExportFact, FunctionOutside, OutsideCopies};

impl Probes<'_> {
    /// The global-table replica in the backup region: from the primary's description when it
    /// answered, else from the backup region itself, which outlives the primary.
    pub(super) async fn table_replica(
        &self,
        name: &str,
        primary: &Result<TableInfo, CloudError>,
        outside: &mut OutsideCopies,
        errors: &mut Vec<CloudError>,
    ) {
        let backup = self.backup();
        if let Ok(info) = primary {
            outside.replica_checked = true;
            outside.replica_status = info
                .replicas
                .iter()
                .find(|r| r.region == backup)
                .map(|r| r.status.clone().unwrap_or_else(|| "ACTIVE".to_owned()));
            return;
        }
        match self.cloud.describe_table(backup, name).await {
            // A table of the same name that belongs to no global table is not a copy.
            Ok(info) if !info.replicas.is_empty() => {
                outside.replica_checked = true;
                outside.replica_status = Some(info.status);
            }
            Ok(_) => outside.replica_checked = true,
            Err(e) if e.is_not_found() => outside.replica_checked = true,
            Err(e) => errors.push(e),
        }
    }

    /// The newest complete export of the table in the export bucket, read through the backup
    /// region's endpoint; an export bucket in the primary region is noted and not searched,
    /// since its exports die with the region.
    pub(super) async fn table_exports(
        &self,
        table: &str,
    ) -> Result<OutsideCopies, (OutsideCopies, CloudError)> {
        let mut outside = OutsideCopies {
            primary_region: self.primary().to_owned(),
            backup_region: self.backup().to_owned(),
            export_bucket: self.estate.dynamodb.export_bucket.clone(),
            ..Default::default()
        };
        let Some(bucket) = self.estate.dynamodb.export_bucket.as_deref() else {
            outside.exports_checked = true;
            return Ok(outside);
        };
        let region = match self.bucket_region(bucket).await {
            Ok(region) => region,
            // A missing bucket is a fact: there is no export to restore from.
            Err(e) if e.is_not_found() => {
                outside.exports_checked = true;
                return Ok(outside);
            }
            Err(e) => return Err((outside, e)),
        };
        outside.export_region = Some(region.clone());
        if region == self.primary() {
            outside.exports_checked = true;
            return Ok(outside);
        }
        let prefix = format!("{}{table}/", self.estate.dynamodb.export_prefix);
        match newest_export(self.cloud, &region, bucket, &prefix).await {
            Ok(found) => {
                outside.export = found;
                outside.exports_checked = true;
                Ok(outside)
            }
            Err(e) => Err((outside, e)),
        }
    }

    /// Each bucket's region, asked once per snapshot through the backup region's endpoint.
    async fn bucket_region(&self, bucket: &str) -> Result<String, CloudError> {
        let cell = {
            let mut regions = self.bucket_regions.lock().expect("not poisoned");
            regions.entry(bucket.to_owned()).or_default().clone()
        };
        cell.get_or_init(|| self.cloud.bucket_region(self.backup(), bucket))
            .await
            .clone()
    }

    /// The newest backup of the function in a bucket outside the primary region: the daily
    /// bucket when it lives there, and the weekly copy bucket.
    pub(super) async fn function_outside(
        &self,
        name: &str,
        errors: &mut Vec<CloudError>,
    ) -> FunctionOutside {
        let lambda = &self.estate.lambda;
        let mut outside = FunctionOutside {
            primary_region: self.primary().to_owned(),
            checked: true,
            ..Default::default()
        };
        let mut buckets: Vec<&str> = lambda.backup_bucket.iter().map(String::as_str).collect();
        if let Some(copy) = lambda.backup_copy_bucket.as_deref()
            && !buckets.contains(&copy)
        {
            buckets.push(copy);
        }
        for bucket in buckets {
            let region = match self.bucket_region(bucket).await {
                Ok(region) => region,
                Err(e) if e.is_not_found() => {
                    outside.buckets.push((bucket.to_owned(), None));
                    continue;
                }
                Err(e) => {
                    errors.push(e);
                    outside.checked = false;
                    outside.buckets.push((bucket.to_owned(), None));
                    continue;
                }
            };
            outside
                .buckets
                .push((bucket.to_owned(), Some(region.clone())));
            if region == self.primary() {
                continue;
            }
            match self.lambda_copy(bucket, &region).await {
                Ok(index) => {
                    if let Some(b) = index.found.get(name).filter(|b| b.has_code)
                        && b.time > outside.time
                    {
                        outside.location = Some(b.location.clone());
                        outside.time = b.time;
                    }
                }
                Err(e) => {
                    errors.push(e);
                    outside.checked = false;
                }
            }
        }
        outside
    }

    async fn lambda_copy(&self, bucket: &str, region: &str) -> Result<LambdaBackups, CloudError> {
        let cell = {
            let mut copies = self.lambda_copies.lock().expect("not poisoned");
            copies.entry(bucket.to_owned()).or_default().clone()
        };
        cell.get_or_init(|| self.backup_index(bucket, region))
            .await
            .clone()
    }
}

/// Folders looked into while searching for a table's newest export, at most.
const EXPORT_FOLDERS_SEARCHED: usize = 40;

/// The newest complete export under `prefix`: dated folders (the plan writes
/// `<table>/YYYY/MM/DD/`) are walked newest first, so only the newest day is listed in full.
pub(crate) async fn newest_export(
    cloud: &dyn Cloud,
    region: &str,
    bucket: &str,
    prefix: &str,
) -> Result<Option<ExportFact>, CloudError> {
    let mut pending = vec![prefix.to_owned()];
    let mut budget = EXPORT_FOLDERS_SEARCHED;
    while let Some(folder) = pending.pop() {
        if budget == 0 {
            break;
        }
        budget -= 1;
        let mut children = cloud.list_prefixes(region, bucket, &folder).await?;
        let marker = format!("{folder}AWSDynamoDB/");
        if children.contains(&marker) {
            let objects = cloud
                .list_objects(region, bucket, Some(&marker), None)
                .await?;
            if let Some(found) = newest_complete(bucket, &marker, &objects) {
                return Ok(Some(found));
            }
        }
        children.retain(|c| *c != marker);
        // Dates sort as text; the stack pops the newest first.
        children.sort();
        pending.extend(children);
    }
    Ok(None)
}

/// Groups `<marker><id>/...` objects by export and keeps the newest complete one. AWS writes
/// `_started` first and `manifest-summary.json` last: an export with the first and not the
/// last is still running. Its point in time is when it started, so the earliest file is taken.
fn newest_complete(bucket: &str, marker: &str, objects: &[ObjectInfo]) -> Option<ExportFact> {
    #[derive(Default)]
    struct Seen {
        started: bool,
        finished: bool,
        data: bool,
        earliest: Option<DateTime<Utc>>,
    }
    let mut exports: HashMap<&str, Seen> = HashMap::new();
    for o in objects {
        let Some((id, file)) = o.key[marker.len()..].split_once('/') else {
            continue;
        };
        let seen = exports.entry(id).or_default();
        seen.started |= file == "_started";
        seen.finished |= file == "manifest-summary.json";
        seen.data |= file.starts_with("data/");
        if let Some(t) = o.last_modified {
            seen.earliest = Some(seen.earliest.map_or(t, |e| e.min(t)));
        }
    }
    exports
        .into_iter()
        .filter(|(_, s)| s.finished || (s.data && !s.started))
        .filter_map(|(id, s)| {
            Some(ExportFact {
                location: format!("s3://{bucket}/{marker}{id}/"),
                time: s.earliest?,
            })
        })
        .max_by_key(|e| e.time)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn object(key: &str, minute: u32) -> ObjectInfo {
        ObjectInfo {
            key: key.into(),
            size: 1,
            last_modified: Some(Utc.with_ymd_and_hms(2026, 11, 22, 4, minute, 0).unwrap()),
            etag: None,
        }
    }

    #[test]
    fn the_newest_complete_export_is_dated_by_its_earliest_file() {
        let m = "x/t/2026/11/22/AWSDynamoDB/";
        let objects = [
            // AWS: started at 04:00, finished at 04:20.
            object(&format!("{m}01-a/_started"), 0),
            object(&format!("{m}01-a/data/p.json.gz"), 15),
            object(&format!("{m}01-a/manifest-summary.json"), 20),
            // Still running: started, no manifest.
            object(&format!("{m}02-b/_started"), 30),
            object(&format!("{m}02-b/data/q.json.gz"), 35),
        ];
        let found = newest_complete("bkt", m, &objects).unwrap();
        assert_eq!(found.location, format!("s3://bkt/{m}01-a/"));
        assert_eq!(found.time.format("%H:%M").to_string(), "04:00");
    }

    #[test]
    fn an_export_of_data_files_alone_counts() {
        // moto writes only `data/<id>.gz`, with no markers.
        let m = "x/t/2026/11/22/AWSDynamoDB/";
        let objects = [object(&format!("{m}03-c/data/03-c.gz"), 45)];
        let found = newest_complete("bkt", m, &objects).unwrap();
        assert_eq!(found.time.format("%H:%M").to_string(), "04:45");
    }
}
