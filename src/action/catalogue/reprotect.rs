//! Re-protection: what AWS does not carry over to a restored or imported table (point-in-time
//! recovery, TTL, the stream, tags), put back as the source had it. A restored
//! `flightdata-main` without PITR is the next incident.

use crate::cloud::{TableSchema, WriteRequest};

/// The writes that protect `table` (new, in `region`) as `source` was, and what they cannot
/// put back, for the plan's notes. Each write is sent only once the table is ACTIVE.
pub fn reprotect(
    source: &TableSchema,
    region: &str,
    table: &str,
    table_arn: &str,
) -> (Vec<WriteRequest>, Vec<String>) {
    let mut requests = Vec::new();
    let mut not_reapplied = vec![
        "auto scaling policies and CloudWatch alarms of the source are not copied: set them \
         again if it had any"
            .to_owned(),
    ];
    if source.pitr_enabled {
        requests.push(WriteRequest::UpdateContinuousBackups {
            region: region.to_owned(),
            table: table.to_owned(),
            pitr: true,
        });
    } else {
        not_reapplied.push(format!(
            "{} had point-in-time recovery off; it stays off on {table}",
            source.table
        ));
    }
    if let Some(attribute) = &source.ttl_attribute {
        requests.push(WriteRequest::UpdateTimeToLive {
            region: region.to_owned(),
            table: table.to_owned(),
            attribute: attribute.clone(),
            enabled: true,
        });
    }
    if let Some(view) = &source.stream_view_type {
        requests.push(WriteRequest::UpdateTableStream {
            region: region.to_owned(),
            table: table.to_owned(),
            view_type: Some(view.clone()),
        });
        not_reapplied.push(format!(
            "{table} has a new stream ARN: its consumers (event source mappings) still read \
             the old one"
        ));
    }
    if !source.tags.is_empty() {
        requests.push(WriteRequest::TagTable {
            region: region.to_owned(),
            table_arn: table_arn.to_owned(),
            tags: source.tags.clone(),
        });
    }
    if source.deletion_protection {
        not_reapplied.push(format!(
            "{} had deletion protection; {table} does not (UpdateTable to turn it on)",
            source.table
        ));
    }
    (requests, not_reapplied)
}
