//! The estate of the disaster-recovery plan as moto holds it: its names, and the seeder that
//! builds all of it for a test.

use chrono::Utc;

use super::seed::*;
use super::{ACCOUNT, MotoEnv};

pub const PRIMARY_REGION: &str = "us-east-1";
pub const BACKUP_REGION: &str = "us-west-2";
pub const TABLES: [&str; 3] = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
/// Items seeded per table, in the order of `TABLES`.
pub const TABLE_ITEMS: [usize; 3] = [12, 8, 5];
pub const DATA_BUCKETS: [&str; 3] = [
    "flightdata-raw",
    "flightdata-processed",
    "flightdata-analytics",
];
/// Objects seeded per data bucket (and per replica), in the order of `DATA_BUCKETS`.
pub const BUCKET_OBJECTS: [usize; 3] = [5, 4, 3];
pub const BACKUPS_BUCKET: &str = "flightdata-backups";
pub const LAMBDA_BACKUPS_BUCKET: &str = "flightdata-lambda-backups";
/// The weekly copy of the function backups, in the backup region.
pub const LAMBDA_COPY_BUCKET: &str = "flightdata-lambda-backups-us-west-2";
pub const LAMBDA_BACKUPS_PREFIX: &str = "lambda-backups/";
pub const REPLICATION_ROLE: &str = "arn:aws:iam::123456789012:role/replication-role";
pub const LAMBDA_ROLE_NAME: &str = "flightdata-lambda-role";
pub const FUNCTIONS: [&str; 3] = [
    "flightdata-api",
    "flightdata-processor",
    "flightdata-ingest",
];
pub const UNRELATED_FUNCTION: &str = "other-thing";
pub const ZONE_NAME: &str = "flightdata.example.com.";
pub const API_RECORD: &str = "api.flightdata.example.com.";
pub const PRIMARY_IP: &str = "203.0.113.10";
pub const SECONDARY_IP: &str = "198.51.100.20";
pub const ALARMS: [&str; 3] = [
    "flightdata-api-errors",
    "flightdata-ingestion-lag",
    "flightdata-dynamodb-throttles",
];

/// The replica of a data bucket in the backup region, as the plan names it.
pub fn replica_of(bucket: &str) -> String {
    format!("{bucket}-backup-{BACKUP_REGION}")
}
/// What `seed_plan_estate` made, for the assertions of later tests.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// `(table, backup ARN)`, one on-demand backup per table.
    pub backups: Vec<(String, String)>,
    pub lambda_role_arn: String,
    /// The dated folders under `lambda-backups/`, oldest first (yesterday and today, UTC).
    pub lambda_backup_dates: Vec<String>,
    /// Without the "/hostedzone/" prefix.
    pub zone_id: String,
    pub health_check_id: String,
}

/// The plan's estate (disaster-recovery-plan.md), healthy:
/// - tables `TABLES` in us-east-1, PAY_PER_REQUEST, `TABLE_ITEMS` items each, PITR on, one
///   on-demand backup each (`daily-backup-<table>`);
/// - buckets `DATA_BUCKETS` in us-east-1, versioned, with the plan's V1 replication rule to
///   `<name>-backup-us-west-2` (versioned, in us-west-2). moto never replicates, so the same
///   `BUCKET_OBJECTS` objects are written to the source and to the replica here;
/// - bucket `flightdata-backups` in us-west-2 (the cross-region exports), with one export of
///   every table under `dynamodb-exports/<table>/<YYYY/MM/DD>/` in moto's layout
///   (`AWSDynamoDB/<id>/data/<id>.gz`; moto cannot backdate it: it is "now");
/// - bucket `flightdata-lambda-backups` in us-east-1, and its copy
///   `flightdata-lambda-backups-us-west-2` in us-west-2 with the same backups;
/// - IAM role `flightdata-lambda-role`, functions `FUNCTIONS` and `other-thing` (python3.12);
/// - lambda backups `lambda-backups/<YYYYMMDD>/<fn>/<fn>-config.json` and `<fn>-code.zip` for
///   every flightdata function, for yesterday and today;
/// - zone `flightdata.example.com.` with an HTTPS health check on the primary and
///   PRIMARY/SECONDARY failover A records `api.flightdata.example.com.`
///   (set identifiers "primary"/"secondary"; the primary carries the health check);
/// - alarms `ALARMS` in us-east-1, all OK (moto never evaluates them; use `set_alarm_state`).
pub async fn seed_plan_estate(env: &MotoEnv) -> Seeded {
    let region = PRIMARY_REGION;

    // DynamoDB.
    let mut backups = Vec::new();
    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        create_table(env, region, table).await;
        put_items(env, region, table, items).await;
        enable_pitr(env, region, table).await;
        let arn = create_backup(env, region, table, &format!("daily-backup-{table}")).await;
        backups.push(((*table).to_owned(), arn));
    }

    // S3 data buckets and their replicas.
    for (bucket, count) in DATA_BUCKETS.iter().zip(BUCKET_OBJECTS) {
        let replica = replica_of(bucket);
        create_bucket(env, BACKUP_REGION, &replica).await;
        enable_versioning(env, BACKUP_REGION, &replica).await;
        create_bucket(env, region, bucket).await;
        enable_versioning(env, region, bucket).await;
        put_replication(env, region, bucket, &replica).await;
        let objects: Vec<(String, Vec<u8>)> = (0..count)
            .map(|i| {
                (
                    format!("2026/01/0{}/{bucket}-{i}.json", 1 + i % 3),
                    vec![b'{'; 100 + i],
                )
            })
            .collect();
        put_objects(env, region, bucket, objects.clone()).await;
        // moto models replication as configuration only: copy the objects by hand.
        put_objects(env, BACKUP_REGION, &replica, objects).await;
    }
    // The plan exports "for cross-region backup": the bucket lives in the backup region.
    create_bucket(env, BACKUP_REGION, BACKUPS_BUCKET).await;
    // The plan's weekly export layout, so discovery can tell the export bucket from data.
    let mut exports = vec![(
        "dynamodb-exports/flightdata-main/2026/01/02/manifest-summary.json".to_owned(),
        b"{}".to_vec(),
    )];
    let day = Utc::now().format("%Y/%m/%d");
    for table in TABLES {
        let id = format!("01700000000000-{:08x}", table.len());
        exports.push((
            format!("dynamodb-exports/{table}/{day}/AWSDynamoDB/{id}/data/{id}.gz"),
            b"{}".to_vec(),
        ));
    }
    put_objects(env, BACKUP_REGION, BACKUPS_BUCKET, exports).await;
    create_bucket(env, region, LAMBDA_BACKUPS_BUCKET).await;

    // Lambda.
    let lambda_role_arn = env.create_iam_role(LAMBDA_ROLE_NAME);
    for function in FUNCTIONS.iter().chain([&UNRELATED_FUNCTION]) {
        create_function(env, region, function, &lambda_role_arn).await;
    }
    let today = Utc::now().date_naive();
    let lambda_backup_dates: Vec<String> = [today - chrono::Days::new(1), today]
        .iter()
        .map(|d| d.format("%Y%m%d").to_string())
        .collect();
    let mut objects = Vec::new();
    for date in &lambda_backup_dates {
        for function in FUNCTIONS {
            let config = serde_json::json!({
                "Configuration": {
                    "FunctionName": function,
                    "FunctionArn": format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{function}"),
                    "Runtime": "python3.12",
                    "Role": lambda_role_arn,
                    "Handler": "index.handler",
                    "Timeout": 30,
                    "MemorySize": 256,
                },
                "Code": { "RepositoryType": "S3" },
            });
            let folder = format!("{LAMBDA_BACKUPS_PREFIX}{date}/{function}/{function}");
            objects.push((
                format!("{folder}-config.json"),
                config.to_string().into_bytes(),
            ));
            objects.push((format!("{folder}-code.zip"), handler_zip(function)));
        }
    }
    put_objects(env, region, LAMBDA_BACKUPS_BUCKET, objects.clone()).await;
    create_bucket(env, BACKUP_REGION, LAMBDA_COPY_BUCKET).await;
    put_objects(env, BACKUP_REGION, LAMBDA_COPY_BUCKET, objects).await;

    // Route53.
    let zone_id = create_zone(env, ZONE_NAME).await;
    let health_check_id = create_health_check(env, "api-primary.flightdata.example.com").await;
    create_failover_record(
        env,
        &zone_id,
        API_RECORD,
        true,
        PRIMARY_IP,
        Some(&health_check_id),
    )
    .await;
    create_failover_record(env, &zone_id, API_RECORD, false, SECONDARY_IP, None).await;

    // CloudFormation: the standby capacity the plan scales up in the backup region.
    super::stacks::seed_stack(env, BACKUP_REGION, super::stacks::STACK).await;

    // CloudWatch.
    put_alarm(
        env,
        region,
        ALARMS[0],
        "AWS/Lambda",
        "Errors",
        ("FunctionName", "flightdata-api"),
        5.0,
    )
    .await;
    put_alarm(
        env,
        region,
        ALARMS[1],
        "FlightData/Pipeline",
        "IngestionLagSeconds",
        ("Pipeline", "ingest"),
        900.0,
    )
    .await;
    put_alarm(
        env,
        region,
        ALARMS[2],
        "AWS/DynamoDB",
        "ThrottledRequests",
        ("TableName", "flightdata-main"),
        0.0,
    )
    .await;

    Seeded {
        backups,
        lambda_role_arn,
        lambda_backup_dates,
        zone_id,
        health_check_id,
    }
}

/// The shipped example estate (the plan's), pointed at what `seed_plan_estate` made: only the
/// hosted zone id differs, since moto makes it up.
pub fn plan_estate_toml(seeded: &Seeded) -> String {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
    )
    .expect("templates/estate.example.toml");
    assert!(
        example.contains("\"Z123456789\""),
        "the example names its zone Z123456789"
    );
    example.replace("\"Z123456789\"", &format!("\"{}\"", seeded.zone_id))
}

/// [`plan_estate_toml`], parsed.
pub fn plan_estate(seeded: &Seeded) -> drconsole::config::Estate {
    drconsole::config::parse(
        &plan_estate_toml(seeded),
        std::path::Path::new("estate.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Writes `schema.json` beside each table's export, as export-table does: the plan seeder
/// writes the export's data only (moto's layout), which import-table could not take as the
/// table was.
#[allow(dead_code)]
pub async fn seed_export_schemas(env: &MotoEnv) {
    let day = Utc::now().format("%Y/%m/%d");
    let objects = TABLES
        .iter()
        .map(|t| {
            (
                format!("dynamodb-exports/{t}/{day}/schema.json"),
                b"{}".to_vec(),
            )
        })
        .collect();
    super::put_objects(env, BACKUP_REGION, BACKUPS_BUCKET, objects).await;
}
