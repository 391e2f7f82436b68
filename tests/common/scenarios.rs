//! Seeders for the data-corruption and infrastructure-loss runbooks: a table with bad
//! records and the ingestion function feeding it; a pipeline whose stack took its functions
//! and two of its tables with it, their backups left behind.
//!
//! Included with `#[path]` by the test binaries that run these scenarios, so `common/mod.rs`
//! needs no line for it.

// Each test binary that includes this uses a different part of it.
#![allow(dead_code)]

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;

use drconsole::cloud::Functions;

use crate::common::{
    self, BUCKET_OBJECTS, DATA_BUCKETS, FUNCTIONS, LAMBDA_BACKUPS_BUCKET, LAMBDA_BACKUPS_PREFIX,
    LAMBDA_ROLE_NAME, MotoEnv, PRIMARY_REGION, replica_of,
};

/// The table the corruption is in, and the ingestion function that writes to it.
pub const CORRUPTED: &str = "flightdata-main";
pub const INGESTION: &str = "flightdata-processor";
/// Good records seeded, and the bad ones after them.
pub const GOOD_RECORDS: usize = 10;
/// Bad records: two without `flight_id` (their timestamps, earliest first), one without a
/// `timestamp`.
pub const BAD_TIMES: [&str; 2] = ["2026-11-26T09:41:00Z", "2026-11-26T09:55:00Z"];
pub const BAD_RECORDS: usize = 3;

/// What the corruption seeder made.
#[derive(Debug, Clone)]
pub struct Corruption {
    /// The SQS mapping feeding the ingestion function.
    pub mapping: String,
}

/// `flightdata-main` keyed by `record_id` (so a record can lack `flight_id`, which the
/// plan's rule requires), `GOOD_RECORDS` good records then `BAD_RECORDS` bad ones, PITR on;
/// the ingestion function fed by an enabled SQS mapping, with no reserved concurrency.
pub async fn seed_corruption(env: &MotoEnv) -> Corruption {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let ddb = env.dynamodb(PRIMARY_REGION).await;
    ddb.create_table()
        .table_name(CORRUPTED)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("record_id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("record_id")
                .key_type(KeyType::Hash)
                .build()
                .expect("key schema"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {CORRUPTED}: {e:?}"));
    for i in 0..GOOD_RECORDS {
        put_record(
            env,
            &format!("R{i:04}"),
            Some(&format!("FL{i:05}")),
            Some(&format!("2026-11-26T08:{:02}:00Z", i)),
        )
        .await;
    }
    for bad in bad_records() {
        put_record(env, &bad.0, bad.1.as_deref(), bad.2.as_deref()).await;
    }
    common::enable_pitr(env, PRIMARY_REGION, CORRUPTED).await;

    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    common::create_function(env, PRIMARY_REGION, INGESTION, &role).await;
    let queue = env.create_queue(PRIMARY_REGION, &format!("{INGESTION}-queue"));
    let mapping = common::create_event_source_mapping(env, PRIMARY_REGION, INGESTION, &queue).await;
    Corruption { mapping }
}

/// `(record_id, flight_id, timestamp)` of each bad record.
pub fn bad_records() -> Vec<(String, Option<String>, Option<String>)> {
    let mut out: Vec<(String, Option<String>, Option<String>)> = BAD_TIMES
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("BAD{i}"), None, Some((*t).to_owned())))
        .collect();
    out.push(("BAD-NOTIME".to_owned(), Some("FL99999".to_owned()), None));
    out
}

async fn put_record(env: &MotoEnv, id: &str, flight: Option<&str>, time: Option<&str>) {
    let mut put = env
        .dynamodb(PRIMARY_REGION)
        .await
        .put_item()
        .table_name(CORRUPTED)
        .item("record_id", AttributeValue::S(id.to_owned()))
        .item("altitude", AttributeValue::N("31000".to_owned()));
    if let Some(flight) = flight {
        put = put.item("flight_id", AttributeValue::S(flight.to_owned()));
    }
    if let Some(time) = time {
        put = put.item("timestamp", AttributeValue::S(time.to_owned()));
    }
    put.send()
        .await
        .unwrap_or_else(|e| panic!("PutItem {CORRUPTED} {id}: {e:?}"));
}

/// Deletes `keys` (record ids) from `table`: what a restore to before the corruption would
/// not have had, since moto's PITR restore copies the current items whatever the time.
pub async fn remove_records(env: &MotoEnv, table: &str, keys: &[String]) {
    let ddb = env.dynamodb(PRIMARY_REGION).await;
    for key in keys {
        ddb.delete_item()
            .table_name(table)
            .key("record_id", AttributeValue::S(key.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("DeleteItem {table} {key}: {e:?}"));
    }
}

/// The emergency stack the infrastructure-loss estate names, in the primary region.
pub const EMERGENCY_STACK: &str = "flightdata-pipeline-emergency";
pub const EMERGENCY_TEMPLATE_FILE: &str = "emergency-recovery-template.yaml";
/// The plan's `emergency-recovery-template.yaml`, reduced to what moto makes without
/// docker (a queue), with the two parameters the plan passes.
pub const EMERGENCY_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Description: flightdata pipeline, emergency recovery
Parameters:
  Environment:
    Type: String
    Default: staging
  RecoveryMode:
    Type: String
    Default: 'false'
Resources:
  IngestQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: flightdata-emergency-ingest
";

/// The tables the stack took with it, and the one that survived.
pub const LOST_TABLES: [&str; 2] = ["flightdata-main", "flightdata-metrics"];
pub const SURVIVING_TABLE: &str = "flightdata-config";
/// Items in flightdata-main's older and newer backups.
pub const OLDER_ITEMS: usize = 3;
pub const NEWER_ITEMS: usize = 6;

/// What the infrastructure-loss seeder made.
#[derive(Debug, Clone)]
pub struct Loss {
    /// flightdata-main's backups, older first (as moto lists them).
    pub main_backups: [String; 2],
    /// The dated folders of the function backups, older first.
    pub backup_dates: [String; 2],
}

/// After the accident: the functions are gone, their backups (configuration and code, two
/// dates, the older with other code) in the primary's backup bucket; flightdata-main and
/// flightdata-metrics are gone, their on-demand backups left (flightdata-main has two, the
/// older made first and listed first, with fewer items); flightdata-config survived with
/// PITR off; the data buckets and their replicas are there.
pub async fn seed_infrastructure_loss(env: &MotoEnv) -> Loss {
    let region = PRIMARY_REGION;
    let ddb = env.dynamodb(region).await;

    common::create_table(env, region, LOST_TABLES[0]).await;
    common::put_items(env, region, LOST_TABLES[0], OLDER_ITEMS).await;
    let older = common::create_backup(env, region, LOST_TABLES[0], "nightly-older").await;
    // Backups are stamped with the server's second: the newer must be a second later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    common::put_items(env, region, LOST_TABLES[0], NEWER_ITEMS).await;
    let newer = common::create_backup(env, region, LOST_TABLES[0], "nightly-newer").await;
    common::create_table(env, region, LOST_TABLES[1]).await;
    common::put_items(env, region, LOST_TABLES[1], 4).await;
    common::create_backup(env, region, LOST_TABLES[1], "nightly").await;
    for table in LOST_TABLES {
        ddb.delete_table()
            .table_name(table)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DeleteTable {table}: {e:?}"));
    }
    common::create_table(env, region, SURVIVING_TABLE).await;
    common::put_items(env, region, SURVIVING_TABLE, 2).await;

    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    let today = chrono::Utc::now().date_naive();
    let backup_dates =
        [today - chrono::Days::new(1), today].map(|d| d.format("%Y%m%d").to_string());
    common::create_bucket(env, region, LAMBDA_BACKUPS_BUCKET).await;
    // Each backup as backup-function saves it: the function's configuration as read, and
    // its package. The function is made with that day's code, backed up, then deleted.
    let cloud = env.cloud().await;
    let lambda = env.lambda(region).await;
    for (n, date) in backup_dates.iter().enumerate() {
        for function in FUNCTIONS {
            let code = function_code(function, n == 1);
            create_function_with(env, function, &role, &code).await;
            let mut saved = cloud
                .get_function(region, function)
                .await
                .unwrap_or_else(|e| panic!("GetFunction {function}: {e}"));
            saved.code_location = None;
            let folder = format!("{LAMBDA_BACKUPS_PREFIX}{date}/{function}/{function}");
            common::put_objects(
                env,
                region,
                LAMBDA_BACKUPS_BUCKET,
                vec![
                    (
                        format!("{folder}-config.json"),
                        serde_json::to_vec_pretty(&saved).expect("a configuration"),
                    ),
                    (format!("{folder}-code.zip"), code),
                ],
            )
            .await;
            lambda
                .delete_function()
                .function_name(function)
                .send()
                .await
                .unwrap_or_else(|e| panic!("DeleteFunction {function}: {e:?}"));
        }
    }

    for (bucket, count) in DATA_BUCKETS.iter().zip(BUCKET_OBJECTS) {
        let replica = replica_of(bucket);
        common::create_bucket(env, common::BACKUP_REGION, &replica).await;
        common::enable_versioning(env, common::BACKUP_REGION, &replica).await;
        common::create_bucket(env, region, bucket).await;
        common::enable_versioning(env, region, bucket).await;
        let objects = common::data_objects(count);
        common::put_objects(env, region, bucket, objects.clone()).await;
        // moto never replicates: the replica's copies are written by hand.
        common::put_objects(env, common::BACKUP_REGION, &replica, objects).await;
    }
    Loss {
        main_backups: [older, newer],
        backup_dates,
    }
}

async fn create_function_with(env: &MotoEnv, name: &str, role_arn: &str, code: &[u8]) {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    env.lambda(PRIMARY_REGION)
        .await
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(role_arn)
        .handler("index.handler")
        .timeout(30)
        .memory_size(256)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(code.to_vec()))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateFunction {name}: {e:?}"));
}

/// A function's code package in a backup: the newer date's differs from the older's, so
/// the package a restore used can be told from its CodeSha256.
pub fn function_code(function: &str, newer: bool) -> Vec<u8> {
    let which = if newer { "newer" } else { "older" };
    let source = format!("def handler(event, context):\n    return \"{function} {which}\"\n");
    common::zip_one_file("index.py", source.as_bytes())
}

/// The base64 SHA-256 Lambda reports as CodeSha256.
pub fn code_sha256(zip: &[u8]) -> String {
    use sha2::Digest;
    aws_smithy_types::base64::encode(sha2::Sha256::digest(zip))
}
