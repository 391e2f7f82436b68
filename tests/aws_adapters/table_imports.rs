//! Exports described and listed, and ImportTable from an export's data folder in a bucket of
//! another region: the new table has the key schema sent and every item.

use std::time::Duration;

use drconsole::action::Authority;
use drconsole::cloud::{
    Backups, ErrorKind, ExportRequest, ImportRequest, Storage, WriteOutput, WriteRequest, Writes,
};

use super::common::*;

const EAST: &str = PRIMARY_REGION;
const WEST: &str = BACKUP_REGION;

/// Polls `look` (every 50 ms, at most 10 s) until it says yes.
async fn eventually<F, Fut>(what: &str, mut look: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if look().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} never happened");
}

#[tokio::test]
async fn an_export_is_described_listed_and_imported_in_another_region() {
    let env = moto().await;
    create_table(&env, EAST, "orders").await;
    put_items(&env, EAST, "orders", 7).await;
    enable_pitr(&env, EAST, "orders").await;
    create_bucket(&env, WEST, "exports-west").await;
    let cloud = env.cloud().await;
    let schema = cloud.describe_table_schema(EAST, "orders").await.unwrap();

    let sent = cloud
        .send(
            &WriteRequest::ExportTableToPointInTime {
                region: EAST.into(),
                export: ExportRequest {
                    table_arn: schema.arn.clone(),
                    bucket: "exports-west".into(),
                    prefix: "orders/x".into(),
                    at: None,
                },
            },
            &Authority::for_tests(),
        )
        .await
        .unwrap();
    let WriteOutput::Export(export) = sent.output else {
        panic!("{sent:?}")
    };
    let described = cloud.describe_export(EAST, &export.arn).await.unwrap();
    assert_eq!(described.status, "COMPLETED", "{described:?}");
    assert_eq!(described.bucket.as_deref(), Some("exports-west"));
    assert_eq!(described.prefix.as_deref(), Some("orders/x"));
    assert_eq!(described.items, Some(7));
    let listed = cloud.list_exports(EAST, &schema.arn).await.unwrap();
    assert_eq!(listed, [described]);

    // moto writes one data file: orders/x/AWSDynamoDB/<id>/data/<id>.gz
    let files = cloud
        .list_objects(WEST, "exports-west", Some("orders/x/AWSDynamoDB/"), None)
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    let data = files[0].key.rsplit_once('/').unwrap().0.to_owned() + "/";

    env.start_recording();
    let sent = cloud
        .send(
            &WriteRequest::ImportTable {
                region: WEST.into(),
                import: Box::new(ImportRequest {
                    bucket: "exports-west".into(),
                    key_prefix: data.clone(),
                    table: "orders-imported".into(),
                    schema: schema.clone(),
                }),
            },
            &Authority::for_tests(),
        )
        .await
        .unwrap();
    let recorded = env.stop_recording();
    let WriteOutput::Import(import) = sent.output else {
        panic!("{sent:?}")
    };
    assert!(sent.request_id.is_some());
    assert_eq!(
        import.table_arn.as_deref(),
        Some("arn:aws:dynamodb:us-west-2:123456789012:table/orders-imported")
    );
    let body: serde_json::Value = serde_json::from_str(
        &recorded
            .iter()
            .find(|r| r.operation() == "ImportTable")
            .expect("an ImportTable request")
            .body,
    )
    .unwrap();
    assert_eq!(body["InputFormat"], "DYNAMODB_JSON");
    assert_eq!(body["InputCompressionType"], "GZIP");
    assert_eq!(body["S3BucketSource"]["S3Bucket"], "exports-west");
    assert_eq!(body["S3BucketSource"]["S3KeyPrefix"], data.as_str());
    let params = &body["TableCreationParameters"];
    assert_eq!(
        params["KeySchema"],
        serde_json::json!([{"AttributeName": "flight_id", "KeyType": "HASH"}])
    );
    assert_eq!(
        params["AttributeDefinitions"],
        serde_json::json!([{"AttributeName": "flight_id", "AttributeType": "S"}])
    );
    assert_eq!(params["BillingMode"], "PAY_PER_REQUEST");
    assert!(body["ClientToken"].as_str().is_some_and(|t| !t.is_empty()));

    // DescribeImport answers for a real ARN (moto runs the import on a thread).
    let arn = import.arn.clone();
    eventually("the import completes", || async {
        cloud
            .describe_import(WEST, &arn)
            .await
            .is_ok_and(|i| i.status == "COMPLETED")
    })
    .await;
    let done = cloud.describe_import(WEST, &arn).await.unwrap();
    assert_eq!(done.imported_items, Some(7), "{done:?}");
    assert_eq!(
        cloud.count_items(WEST, "orders-imported", 2).await.unwrap(),
        7
    );
}

#[tokio::test]
async fn schema_files_are_read_back_whole_and_a_missing_key_is_not_found() {
    let env = moto().await;
    create_bucket(&env, WEST, "exports-west").await;
    put_objects(
        &env,
        WEST,
        "exports-west",
        vec![("a/schema.json".to_owned(), b"{\"x\": 1}".to_vec())],
    )
    .await;
    let cloud = env.cloud().await;
    assert_eq!(
        cloud
            .get_object(WEST, "exports-west", "a/schema.json")
            .await
            .unwrap(),
        b"{\"x\": 1}"
    );
    let missing = cloud
        .get_object(WEST, "exports-west", "b/schema.json")
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
}
