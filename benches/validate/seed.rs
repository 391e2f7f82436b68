//! The estate the benchmark validates: the plan's (3 tables, 3 replicated buckets, 3
//! functions) times a scale, with items in every table, a backup of each, an export of each
//! in the backup region, dated function backups with their code, and replicas holding what
//! their source holds (moto never replicates). Also the estate file that points at it.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use futures::stream::{self, StreamExt};

use crate::common::{
    self, BACKUP_REGION as WEST, LAMBDA_BACKUPS_BUCKET, LAMBDA_BACKUPS_PREFIX, LAMBDA_COPY_BUCKET,
    MotoEnv, PRIMARY_REGION as EAST,
};

pub const TABLES: [&str; 3] = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
pub const BUCKETS: [&str; 3] = [
    "flightdata-raw",
    "flightdata-processed",
    "flightdata-analytics",
];
pub const FUNCTIONS: [&str; 3] = [
    "flightdata-api",
    "flightdata-processor",
    "flightdata-ingest",
];
/// The plan's cross-region export bucket, in the backup region.
pub const EXPORT_BUCKET: &str = "flightdata-backups";
pub const EXPORT_PREFIX: &str = "dynamodb-exports/";

/// What one scale of the estate holds.
#[derive(Debug, Clone)]
pub struct Estate {
    pub scale: usize,
    pub items: usize,
    pub objects: usize,
    pub tables: Vec<String>,
    pub buckets: Vec<String>,
    pub functions: Vec<String>,
}

impl Estate {
    pub fn new(scale: usize, items: usize, objects: usize) -> Estate {
        let names = |base: &[&str]| -> Vec<String> {
            (0..scale)
                .flat_map(|i| base.iter().map(move |name| copy(name, i)))
                .collect()
        };
        Estate {
            scale,
            items,
            objects,
            tables: names(&TABLES),
            buckets: names(&BUCKETS),
            functions: names(&FUNCTIONS),
        }
    }
}

/// The plan's names for the first copy, so the plan's script finds them unpatched; a suffix
/// for the others (still under the plan's `flightdata` prefix, which its Lambda check lists).
fn copy(name: &str, i: usize) -> String {
    if i == 0 {
        name.to_owned()
    } else {
        format!("{name}-c{i}")
    }
}

pub fn replica_of(bucket: &str) -> String {
    format!("{bucket}-backup-{WEST}")
}

/// An item of a flight-data table: about 200 bytes, keyed by `flight_id`.
fn item(i: usize) -> std::collections::HashMap<String, AttributeValue> {
    let s = |v: String| AttributeValue::S(v);
    let n = |v: String| AttributeValue::N(v);
    [
        ("flight_id", s(format!("FL{i:06}"))),
        (
            "timestamp",
            s(format!(
                "2026-11-{:02}T{:02}:{:02}:00Z",
                1 + i % 26,
                i % 24,
                i % 60
            )),
        ),
        ("callsign", s(format!("XY{:04}", i % 9973))),
        ("altitude", n((30_000 + i % 9_000).to_string())),
        ("speed", n((420 + i % 80).to_string())),
        (
            "lat",
            n(format!("{:.4}", 25.0 + (i % 2_400) as f64 / 100.0)),
        ),
        (
            "lon",
            n(format!("{:.4}", -120.0 + (i % 5_000) as f64 / 100.0)),
        ),
        ("source", s("adsb-feed-east".to_owned())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `count` items in batches of 25 (BatchWriteItem's limit), unprocessed ones sent again.
pub async fn put_items(env: &MotoEnv, table: &str, count: usize) {
    let client = env.dynamodb(EAST).await;
    let batches: Vec<Vec<usize>> = (0..count)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(<[usize]>::to_vec)
        .collect();
    stream::iter(batches)
        .map(|batch| {
            let client = client.clone();
            async move {
                let mut requests: Vec<WriteRequest> = batch
                    .into_iter()
                    .map(|i| {
                        let put = PutRequest::builder()
                            .set_item(Some(item(i)))
                            .build()
                            .expect("put request");
                        WriteRequest::builder().put_request(put).build()
                    })
                    .collect();
                while !requests.is_empty() {
                    let out = client
                        .batch_write_item()
                        .request_items(table, requests)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("BatchWriteItem {table}: {e:?}"));
                    requests = out
                        .unprocessed_items
                        .and_then(|mut m| m.remove(table))
                        .unwrap_or_default();
                }
            }
        })
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
}

/// Objects under two prefixes, as a data lake has them.
fn objects(bucket: &str, count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| {
            let folder = if i % 2 == 0 { "raw" } else { "processed" };
            (
                format!("{folder}/2026/11/{:02}/{bucket}-{i:04}.json", 1 + i % 26),
                format!("{{\"flight\":\"XY{i:04}\",\"n\":{i}}}").into_bytes(),
            )
        })
        .collect()
}

/// Seeds the estate into a reset moto, then exports every table with drconsole's own
/// `export-table` (the layout and `schema.json` that validate and import-table read).
pub async fn seed(env: &MotoEnv, estate: &Estate, config: &Path) {
    let role = env.create_iam_role(common::LAMBDA_ROLE_NAME);
    common::create_bucket(env, WEST, EXPORT_BUCKET).await;
    common::create_bucket(env, EAST, LAMBDA_BACKUPS_BUCKET).await;
    common::create_bucket(env, WEST, LAMBDA_COPY_BUCKET).await;

    stream::iter(&estate.tables)
        .for_each_concurrent(4, |table| async move {
            common::create_table(env, EAST, table).await;
            put_items(env, table, estate.items).await;
            common::enable_pitr(env, EAST, table).await;
            common::create_backup(env, EAST, table, &format!("daily-backup-{table}")).await;
        })
        .await;

    stream::iter(&estate.buckets)
        .for_each_concurrent(4, |bucket| async move {
            let replica = replica_of(bucket);
            common::create_bucket(env, WEST, &replica).await;
            common::enable_versioning(env, WEST, &replica).await;
            common::create_bucket(env, EAST, bucket).await;
            common::enable_versioning(env, EAST, bucket).await;
            common::put_replication(env, EAST, bucket, &replica).await;
            let objects = objects(bucket, estate.objects);
            common::put_objects(env, EAST, bucket, objects.clone()).await;
            common::put_objects(env, WEST, &replica, objects).await;
        })
        .await;

    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    let mut backups = Vec::new();
    for function in &estate.functions {
        common::create_function(env, EAST, function, &role).await;
        let config = serde_json::json!({
            "Configuration": {
                "FunctionName": function,
                "FunctionArn": format!("arn:aws:lambda:{EAST}:{}:function:{function}", common::ACCOUNT),
                "Runtime": "python3.12",
                "Role": role,
                "Handler": "index.handler",
                "Timeout": 30,
                "MemorySize": 256,
            },
            "Code": { "RepositoryType": "S3" },
        });
        let folder = format!("{LAMBDA_BACKUPS_PREFIX}{today}/{function}/{function}");
        backups.push((
            format!("{folder}-config.json"),
            config.to_string().into_bytes(),
        ));
        // The package CreateFunction was given, so its SHA-256 is the function's CodeSha256.
        backups.push((format!("{folder}-code.zip"), common::handler_zip(function)));
    }
    common::put_objects(env, EAST, LAMBDA_BACKUPS_BUCKET, backups.clone()).await;
    common::put_objects(env, WEST, LAMBDA_COPY_BUCKET, backups).await;

    std::fs::write(config, estate_toml(estate)).expect("write the estate file");
    for table in &estate.tables {
        let out = Command::new(crate::harness::drconsole())
            .arg("--config")
            .arg(config)
            .args(["action", "run", "export-table", "--target", table])
            .envs(env.env_vars())
            .output()
            .expect("run drconsole action run export-table");
        assert!(
            out.status.success(),
            "export-table {table}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan's estate file for this scale: its regions, buckets, backup places and services
/// (every table in "DynamoDB Tables", RPO 1h), with validate's default settings.
pub fn estate_toml(estate: &Estate) -> String {
    let mut toml = format!(
        "name = \"validate benchmark x{scale}\"\n\
         [regions]\nprimary = \"{EAST}\"\nbackup = \"{WEST}\"\n\
         [aws]\ncall_timeout = \"60s\"\nmax_concurrency = 16\n\
         [dynamodb]\ntables = [{tables}]\nexport_bucket = \"{EXPORT_BUCKET}\"\n\
         export_prefix = \"{EXPORT_PREFIX}\"\n\
         [lambda]\nprefix = \"flightdata\"\nfunctions = [{functions}]\n\
         backup_bucket = \"{LAMBDA_BACKUPS_BUCKET}\"\nbackup_prefix = \"{LAMBDA_BACKUPS_PREFIX}\"\n\
         backup_copy_bucket = \"{LAMBDA_COPY_BUCKET}\"\n",
        scale = estate.scale,
        tables = quoted(&estate.tables),
        functions = quoted(&estate.functions),
    );
    for bucket in &estate.buckets {
        let _ = writeln!(
            toml,
            "[[s3.buckets]]\nname = \"{bucket}\"\nreplica = \"{}\"",
            replica_of(bucket)
        );
    }
    let _ = write!(
        toml,
        "[[services]]\nname = \"API Gateway + Lambda\"\npriority = \"P0\"\nrto = \"1h\"\nrpo = \"15m\"\n\
         functions = [{functions}]\n\
         [[services]]\nname = \"DynamoDB Tables\"\npriority = \"P1\"\nrto = \"4h\"\nrpo = \"1h\"\n\
         tables = [{tables}]\n\
         [[services]]\nname = \"S3 Data Storage\"\npriority = \"P1\"\nrto = \"4h\"\nrpo = \"1h\"\n\
         buckets = [{buckets}]\n",
        functions = quoted(&estate.functions),
        tables = quoted(&estate.tables),
        buckets = quoted(&estate.buckets),
    );
    toml
}
