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

/// Of `requests` (from [`reprotect`]), those whose protection `current` (the new table as it
/// reads now) does not have yet: what a re-run still has to send.
pub fn still_needed(requests: Vec<WriteRequest>, current: &TableSchema) -> Vec<WriteRequest> {
    requests
        .into_iter()
        .filter_map(|request| match request {
            WriteRequest::UpdateContinuousBackups { pitr, .. } if pitr == current.pitr_enabled => {
                None
            }
            WriteRequest::UpdateTimeToLive { ref attribute, .. }
                if current.ttl_attribute.as_deref() == Some(attribute.as_str()) =>
            {
                None
            }
            // A stream of another view type is the table's own choice since: left alone.
            WriteRequest::UpdateTableStream { .. } if current.stream_view_type.is_some() => None,
            WriteRequest::TagTable {
                region,
                table_arn,
                tags,
            } => {
                let missing: std::collections::BTreeMap<String, String> = tags
                    .into_iter()
                    .filter(|(k, v)| current.tags.get(k) != Some(v))
                    .collect();
                (!missing.is_empty()).then_some(WriteRequest::TagTable {
                    region,
                    table_arn,
                    tags: missing,
                })
            }
            other => Some(other),
        })
        .collect()
}

/// A table's ARN in `region`, in the account `like` (any DynamoDB ARN) names: the new
/// table's ARN is known before it exists, so its tag write can be planned with the restore.
pub fn table_arn_like(like: &str, region: &str, table: &str) -> String {
    let account = like.split(':').nth(4).unwrap_or_default();
    format!("arn:aws:dynamodb:{region}:{account}:table/{table}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(table: &str) -> TableSchema {
        TableSchema {
            table: table.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:dynamodb:us-east-1:123456789012:table/{table}"),
            key_schema: Vec::new(),
            attributes: Vec::new(),
            global_indexes: Vec::new(),
            local_indexes: Vec::new(),
            billing_mode: "PAY_PER_REQUEST".into(),
            provisioned: None,
            ttl_attribute: None,
            stream_view_type: None,
            pitr_enabled: false,
            deletion_protection: false,
            tags: Default::default(),
            read_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_what_the_new_table_lacks_is_sent_again() {
        let mut source = schema("orders");
        source.pitr_enabled = true;
        source.ttl_attribute = Some("expires_at".into());
        source.tags.insert("team".into(), "data".into());
        source.tags.insert("tier".into(), "1".into());
        let arn = table_arn_like(&source.arn, "us-west-2", "orders-r");
        assert_eq!(
            arn,
            "arn:aws:dynamodb:us-west-2:123456789012:table/orders-r"
        );
        let (all, _) = reprotect(&source, "us-west-2", "orders-r", &arn);
        assert_eq!(all.len(), 3);

        let mut current = schema("orders-r");
        current.pitr_enabled = true;
        current.tags.insert("team".into(), "data".into());
        let left = still_needed(all.clone(), &current);
        assert_eq!(
            left.iter().map(|r| r.operation()).collect::<Vec<_>>(),
            ["UpdateTimeToLive", "TagResource"]
        );
        match &left[1] {
            WriteRequest::TagTable { tags, .. } => {
                assert_eq!(tags.keys().collect::<Vec<_>>(), ["tier"])
            }
            other => panic!("{other:?}"),
        }

        current.ttl_attribute = Some("expires_at".into());
        current.tags.insert("tier".into(), "1".into());
        assert!(still_needed(all, &current).is_empty());
    }
}
