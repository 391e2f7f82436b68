//! The table schema read from four calls: what a restore or an import needs to make the table
//! again and protect it as it was.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType, Tag,
    TimeToLiveSpecification,
};
use drconsole::cloud::{Backups, ErrorKind};

use super::common::*;

#[tokio::test]
async fn the_schema_has_keys_indexes_ttl_stream_pitr_and_tags() {
    let env = moto().await;
    let ddb = env.dynamodb(PRIMARY_REGION).await;
    let key = |name: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(t)
            .build()
            .unwrap()
    };
    let attr = |name: &str, t: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(t)
            .build()
            .unwrap()
    };
    // RANGE listed first: the schema still reads HASH first.
    ddb.create_table()
        .table_name("orders")
        .key_schema(key("ts", KeyType::Range))
        .key_schema(key("id", KeyType::Hash))
        .attribute_definitions(attr("id", ScalarAttributeType::S))
        .attribute_definitions(attr("ts", ScalarAttributeType::N))
        .attribute_definitions(attr("status", ScalarAttributeType::S))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-status")
                .key_schema(key("status", KeyType::Hash))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::KeysOnly)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .tags(Tag::builder().key("team").value("data").build().unwrap())
        .send()
        .await
        .unwrap();
    ddb.update_time_to_live()
        .table_name("orders")
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name("expires_at")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let schema = env
        .cloud()
        .await
        .describe_table_schema(PRIMARY_REGION, "orders")
        .await
        .unwrap();
    let keys: Vec<(&str, &str)> = schema
        .key_schema
        .iter()
        .map(|k| (k.attribute.as_str(), k.key_type.as_str()))
        .collect();
    assert_eq!(keys, [("id", "HASH"), ("ts", "RANGE")]);
    assert_eq!(schema.attributes.len(), 3);
    assert_eq!(schema.global_indexes.len(), 1);
    assert_eq!(schema.global_indexes[0].name, "by-status");
    assert_eq!(schema.global_indexes[0].projection, "KEYS_ONLY");
    assert_eq!(schema.billing_mode, "PAY_PER_REQUEST");
    assert_eq!(schema.ttl_attribute.as_deref(), Some("expires_at"));
    assert_eq!(
        schema.stream_view_type.as_deref(),
        Some("NEW_AND_OLD_IMAGES")
    );
    assert!(!schema.pitr_enabled);
    assert_eq!(schema.tags.get("team").map(String::as_str), Some("data"));
    assert!(schema.arn.ends_with(":table/orders"), "{}", schema.arn);
    // The schema is what gets saved beside an export: it round-trips through JSON.
    let json = serde_json::to_string(&schema).unwrap();
    assert_eq!(
        serde_json::from_str::<drconsole::cloud::TableSchema>(&json).unwrap(),
        schema
    );
}

#[tokio::test]
async fn a_missing_table_has_no_schema() {
    let env = moto().await;
    let e = env
        .cloud()
        .await
        .describe_table_schema(PRIMARY_REGION, "nope")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}
