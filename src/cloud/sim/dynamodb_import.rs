//! DynamoDB exports and imports in the simulation: describing and listing exports, and
//! `ImportTable`, which makes a new table from an export's data folder over ten minutes of
//! clock, as AWS takes minutes where a restore takes seconds.

use chrono::{DateTime, Utc};

use super::dynamodb::{parse_table_arn, validate_table_name};
use super::seed::{aws_id, table_arn};
use super::state::{Export, IMPORT_TAKES, Import, State, Table, TableStatus};
use super::{Call, SimCloud};
use crate::cloud::{CloudResult, ExportInfo, ImportInfo, ImportRequest, TableSchema};

/// The file saved beside each export: the table's [`TableSchema`] as JSON.
pub(super) const SCHEMA_FILE: &str = "schema.json";

/// A seeded table's schema as saved beside its export at `at`.
pub(super) fn schema_json(t: &Table, at: DateTime<Utc>) -> Vec<u8> {
    let (key_schema, attributes, global_indexes) = super::seed::table_shape(&t.shape_of);
    let schema = TableSchema {
        table: t.name.clone(),
        region: t.region.clone(),
        arn: t.arn.clone(),
        key_schema,
        attributes,
        global_indexes,
        local_indexes: Vec::new(),
        billing_mode: "PAY_PER_REQUEST".to_owned(),
        provisioned: None,
        ttl_attribute: t.ttl_attribute.clone(),
        stream_view_type: t.stream_view_type.clone(),
        pitr_enabled: t.pitr_since.is_some(),
        deletion_protection: false,
        tags: t.tags.clone(),
        read_at: at,
    };
    serde_json::to_vec_pretty(&schema).unwrap_or_default()
}

fn export_info(e: &Export) -> ExportInfo {
    ExportInfo {
        arn: format!("{}/export/{}", e.table_arn, e.id),
        status: e.status.to_owned(),
        bucket: Some(e.bucket.clone()),
        // As it was asked for: without the '/' the simulation keeps.
        prefix: Some(e.prefix.trim_end_matches('/').to_owned()),
        export_time: Some(e.export_time),
        items: (e.status == "COMPLETED").then_some(e.items as i64),
        failure: (e.status == "FAILED")
            .then(|| "S3NoSuchBucket: The specified bucket does not exist".to_owned()),
    }
}

fn import_info(i: &Import) -> ImportInfo {
    ImportInfo {
        arn: i.arn.clone(),
        status: i.status.to_owned(),
        table_arn: Some(i.table_arn.clone()),
        imported_items: Some(if i.status == "COMPLETED" { i.items } else { 0 } as i64),
        failure: i.failure.clone().filter(|_| i.status == "FAILED"),
    }
}

impl State {
    /// What an import of `key_prefix` in `bucket` would load: the items of the export whose
    /// data folder it is, else an estimate from the objects' size; why it fails otherwise.
    fn import_source(&self, bucket: &str, key_prefix: &str) -> Result<u64, String> {
        let Some(b) = self.buckets.get(bucket) else {
            return Err("S3NoSuchBucket: The specified bucket does not exist".to_owned());
        };
        if self.is_down(&b.region) {
            return Err(format!(
                "S3 could not be read: {} is unreachable (simulated region outage)",
                b.region
            ));
        }
        let export = self.exports.iter().find(|e| {
            e.bucket == bucket
                && e.status == "COMPLETED"
                && format!("{}AWSDynamoDB/{}/data/", e.prefix, e.id) == key_prefix
        });
        if let Some(e) = export {
            return Ok(e.items);
        }
        let bytes: u64 = b
            .objects
            .range(key_prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(key_prefix))
            .map(|(_, o)| o.size)
            .sum();
        if bytes == 0 {
            return Err(format!(
                "InvalidInput: no data files under s3://{bucket}/{key_prefix}"
            ));
        }
        // DynamoDB JSON, gzipped: about 200 bytes an item.
        Ok(bytes / 200 + 1)
    }
}

/// Reads and writes: reached through the ports' dispatch in dynamodb.rs and writes.rs.
impl SimCloud {
    pub(super) fn read_import(
        &self,
        call: &Call,
        region: &str,
        import_arn: &str,
    ) -> CloudResult<ImportInfo> {
        let state = self.state();
        state
            .imports
            .iter()
            .find(|i| i.arn == import_arn && i.region == region)
            .map(import_info)
            .ok_or_else(|| {
                call.not_found(
                    "ImportNotFoundException",
                    format!("Import not found: {import_arn}"),
                )
            })
    }

    pub(super) fn read_export(
        &self,
        call: &Call,
        region: &str,
        export_arn: &str,
    ) -> CloudResult<ExportInfo> {
        let state = self.state();
        state
            .exports
            .iter()
            .filter(|e| parse_table_arn(&e.table_arn).is_some_and(|(r, _)| r == region))
            .find(|e| format!("{}/export/{}", e.table_arn, e.id) == export_arn)
            .map(export_info)
            .ok_or_else(|| {
                call.not_found(
                    "ExportNotFoundException",
                    format!("Export not found: {export_arn}"),
                )
            })
    }

    /// Every export of the table, in the order they were made.
    pub(super) fn read_exports(&self, region: &str, table_arn: &str) -> Vec<ExportInfo> {
        let state = self.state();
        state
            .exports
            .iter()
            .filter(|e| e.table_arn == table_arn)
            .filter(|e| parse_table_arn(&e.table_arn).is_some_and(|(r, _)| r == region))
            .map(export_info)
            .collect()
    }

    /// A new table, CREATING while the import runs. A source that cannot be read fails the
    /// import later, as on AWS: the call itself is accepted.
    pub(super) fn import_table(
        &self,
        call: &Call,
        region: &str,
        import: &ImportRequest,
    ) -> CloudResult<ImportInfo> {
        validate_table_name(call, "tableCreationParameters.tableName", &import.table)?;
        if !import.schema.local_indexes.is_empty() {
            return Err(call.invalid(
                "ValidationException",
                "One or more parameter values were invalid: ImportTable cannot create local \
                 secondary indexes",
            ));
        }
        let now = self.clock.now();
        let mut state = self.state();
        let key = (region.to_owned(), import.table.clone());
        if state.tables.contains_key(&key) {
            return Err(call.invalid(
                "ResourceInUseException",
                format!("Table already exists: {}", import.table),
            ));
        }
        let source = state.import_source(&import.bucket, &import.key_prefix);
        let serial = state.next_serial().to_string();
        let arn = table_arn(region, &import.table);
        let done_at = now + IMPORT_TAKES;
        // The imported table has the shape of the table the export came from.
        let shape_of = parse_table_arn(&import.schema.arn)
            .and_then(|(r, name)| state.tables.get(&(r, name)))
            .map_or_else(|| import.schema.table.clone(), |t| t.shape_of.clone());
        let items = *source.as_ref().unwrap_or(&0);
        state.tables.insert(
            key,
            Table {
                name: import.table.clone(),
                region: region.to_owned(),
                arn: arn.clone(),
                status: TableStatus::Creating { ready_at: done_at },
                items,
                size_bytes: items * 200,
                created: now,
                // An imported table is as bare as a restored one.
                pitr_since: None,
                replica_regions: Vec::new(),
                shape_of,
                ttl_attribute: None,
                stream_view_type: None,
                tags: Default::default(),
            },
        );
        let import = Import {
            arn: format!(
                "{arn}/import/{}",
                aws_id(now, &[&import.table, "import", &serial])
            ),
            region: region.to_owned(),
            table: import.table.clone(),
            table_arn: arn,
            done_at,
            status: "IN_PROGRESS",
            failure: source.err(),
            items,
        };
        let info = import_info(&import);
        state.imports.push(import);
        Ok(info)
    }
}
