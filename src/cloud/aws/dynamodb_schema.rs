//! DynamoDB: what it takes to make a table again — its key schema, indexes, billing — and
//! how it is protected (TTL, stream, PITR, deletion protection, tags), read from four calls.

use aws_sdk_dynamodb::types::{
    BillingMode, KeySchemaElement, Projection, ProvisionedThroughputDescription, TimeToLiveStatus,
};

use super::{AwsCloud, cloud_error, missing};
use crate::cloud::{AttributeDef, BackupSource, CloudResult, IndexDef, KeyElement, TableSchema};

const SERVICE: &str = "dynamodb";

fn keys(schema: &[KeySchemaElement]) -> Vec<KeyElement> {
    let mut keys: Vec<KeyElement> = schema
        .iter()
        .map(|k| KeyElement {
            attribute: k.attribute_name().to_owned(),
            key_type: k.key_type().as_str().to_owned(),
        })
        .collect();
    // HASH first, whatever order AWS lists them in.
    keys.sort_by_key(|k| k.key_type != "HASH");
    keys
}

fn projection(p: Option<&Projection>) -> (String, Vec<String>) {
    match p {
        Some(p) => (
            p.projection_type()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_else(|| "ALL".to_owned()),
            p.non_key_attributes().to_vec(),
        ),
        None => ("ALL".to_owned(), Vec::new()),
    }
}

fn throughput(t: Option<&ProvisionedThroughputDescription>) -> Option<(i64, i64)> {
    let t = t?;
    match (t.read_capacity_units(), t.write_capacity_units()) {
        (Some(r), Some(w)) if r > 0 || w > 0 => Some((r, w)),
        _ => None,
    }
}

impl AwsCloud {
    #[tracing::instrument(level = "error", skip_all, fields(target = table))]
    pub(crate) async fn read_table_schema(
        &self,
        region: &str,
        table: &str,
    ) -> CloudResult<TableSchema> {
        const OP: &str = "DescribeTable";
        let client = self.dynamodb(region);
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        let t = described
            .table()
            .ok_or_else(|| missing(SERVICE, OP, "Table"))?;
        let arn = t.table_arn().unwrap_or_default().to_owned();
        let (ttl, pitr, tags) = tokio::join!(
            client.describe_time_to_live().table_name(table).send(),
            client
                .describe_continuous_backups()
                .table_name(table)
                .send(),
            self.table_tags(region, &arn),
        );
        let ttl = ttl.map_err(|e| cloud_error(SERVICE, "DescribeTimeToLive", e))?;
        let pitr = pitr.map_err(|e| cloud_error(SERVICE, "DescribeContinuousBackups", e))?;
        let tags = tags?;
        let ttl_attribute = ttl.time_to_live_description().and_then(|d| {
            matches!(
                d.time_to_live_status(),
                Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            )
            .then(|| d.attribute_name().map(str::to_owned))
            .flatten()
        });
        let pitr_enabled = pitr
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status())
            .is_some_and(|s| s.as_str() == "ENABLED");
        // No BillingModeSummary means PROVISIONED: tables made before on-demand existed,
        // and moto's restored tables, have none.
        let billing_mode = t
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|m| m.as_str().to_owned())
            .unwrap_or_else(|| BillingMode::Provisioned.as_str().to_owned());
        let provisioned = (billing_mode == "PROVISIONED")
            .then(|| throughput(t.provisioned_throughput()))
            .flatten();
        Ok(TableSchema {
            table: table.to_owned(),
            region: region.to_owned(),
            arn,
            key_schema: keys(t.key_schema()),
            attributes: t
                .attribute_definitions()
                .iter()
                .map(|a| AttributeDef {
                    name: a.attribute_name().to_owned(),
                    attribute_type: a.attribute_type().as_str().to_owned(),
                })
                .collect(),
            global_indexes: t
                .global_secondary_indexes()
                .iter()
                .map(|g| {
                    let (projection, non_key_attributes) = projection(g.projection());
                    IndexDef {
                        name: g.index_name().unwrap_or_default().to_owned(),
                        key_schema: keys(g.key_schema()),
                        projection,
                        non_key_attributes,
                        provisioned: throughput(g.provisioned_throughput()),
                    }
                })
                .collect(),
            local_indexes: t
                .local_secondary_indexes()
                .iter()
                .map(|l| {
                    let (projection, non_key_attributes) = projection(l.projection());
                    IndexDef {
                        name: l.index_name().unwrap_or_default().to_owned(),
                        key_schema: keys(l.key_schema()),
                        projection,
                        non_key_attributes,
                        provisioned: None,
                    }
                })
                .collect(),
            billing_mode,
            provisioned,
            ttl_attribute,
            stream_view_type: t
                .stream_specification()
                .filter(|s| s.stream_enabled())
                .and_then(|s| s.stream_view_type())
                .map(|v| v.as_str().to_owned()),
            pitr_enabled,
            deletion_protection: t.deletion_protection_enabled().unwrap_or(false),
            tags,
            read_at: chrono::Utc::now(),
        })
    }

    pub(crate) async fn read_backup_source(
        &self,
        region: &str,
        backup_arn: &str,
    ) -> CloudResult<BackupSource> {
        const OP: &str = "DescribeBackup";
        let out = self
            .dynamodb(region)
            .describe_backup()
            .backup_arn(backup_arn)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        let desc = out
            .backup_description()
            .ok_or_else(|| missing(SERVICE, OP, "BackupDescription"))?;
        let details = desc
            .backup_details()
            .ok_or_else(|| missing(SERVICE, OP, "BackupDetails"))?;
        let table = desc.source_table_details();
        let backup = super::dynamodb::backup_info(
            OP,
            details,
            table.map(|t| t.table_name()).unwrap_or_default(),
        )?;
        let features = desc.source_table_feature_details();
        let index =
            |name: Option<&str>, key_schema: &[KeySchemaElement], p: Option<&Projection>| {
                let (projection, non_key_attributes) = projection(p);
                IndexDef {
                    name: name.unwrap_or_default().to_owned(),
                    key_schema: keys(key_schema),
                    projection,
                    non_key_attributes,
                    provisioned: None,
                }
            };
        Ok(BackupSource {
            backup,
            item_count: table.and_then(|t| t.item_count()),
            table_size_bytes: table.and_then(|t| t.table_size_bytes()),
            key_schema: table.map(|t| keys(t.key_schema())).unwrap_or_default(),
            indexes_recorded: features.is_some(),
            global_indexes: features
                .map(|f| {
                    f.global_secondary_indexes()
                        .iter()
                        .map(|g| index(g.index_name(), g.key_schema(), g.projection()))
                        .collect()
                })
                .unwrap_or_default(),
            local_indexes: features
                .map(|f| {
                    f.local_secondary_indexes()
                        .iter()
                        .map(|l| index(l.index_name(), l.key_schema(), l.projection()))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Every tag of a table, all pages (ListTagsOfResource has no paginator in the SDK).
    async fn table_tags(
        &self,
        region: &str,
        arn: &str,
    ) -> CloudResult<std::collections::BTreeMap<String, String>> {
        let client = self.dynamodb(region);
        let mut tags = std::collections::BTreeMap::new();
        let mut next: Option<String> = None;
        loop {
            let out = client
                .list_tags_of_resource()
                .resource_arn(arn)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "ListTagsOfResource", e))?;
            for tag in out.tags() {
                tags.insert(tag.key().to_owned(), tag.value().to_owned());
            }
            match out.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => return Ok(tags),
            }
        }
    }
}
