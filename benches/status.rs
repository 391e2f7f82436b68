//! How long a full health snapshot takes against a moto estate of 3 sizes: the plan's
//! (3 tables, 3 buckets with replicas, 3 functions, 1 failover record, 3 alarms), ×10 and ×50.
//! Measured in-process (`health::snapshot`) and as a whole process (`drconsole status --json`),
//! whose peak memory is printed too. Run: `cargo bench --bench status`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::stream::{self, StreamExt};

use common::{BACKUP_REGION as WEST, LAMBDA_BACKUPS_BUCKET, MotoEnv, PRIMARY_REGION as EAST};
use drconsole::health;

const TABLES: [&str; 3] = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
const BUCKETS: [&str; 3] = [
    "flightdata-raw",
    "flightdata-processed",
    "flightdata-analytics",
];
const FUNCTIONS: [&str; 3] = [
    "flightdata-api",
    "flightdata-processor",
    "flightdata-ingest",
];
const ALARMS: [&str; 3] = [
    "flightdata-api-errors",
    "flightdata-ingestion-lag",
    "flightdata-dynamodb-throttles",
];

fn copy(name: &str, i: usize) -> String {
    if i == 0 {
        name.to_owned()
    } else {
        format!("{name}-c{i}")
    }
}

/// Seeds `scale` copies of the plan's estate and returns its estate file.
async fn seed(env: &MotoEnv, scale: usize) -> String {
    let role = env.create_iam_role("bench-role");
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    common::create_bucket(env, EAST, LAMBDA_BACKUPS_BUCKET).await;
    let copies: Vec<usize> = (0..scale).collect();
    stream::iter(copies.iter().copied())
        .for_each_concurrent(8, |i| {
            let (role, today) = (role.clone(), today.clone());
            async move {
                for table in TABLES.map(|t| copy(t, i)) {
                    common::create_table(env, EAST, &table).await;
                    common::put_items(env, EAST, &table, 5).await;
                    common::enable_pitr(env, EAST, &table).await;
                    common::create_backup(env, EAST, &table, &format!("daily-{table}")).await;
                }
                for bucket in BUCKETS.map(|b| copy(b, i)) {
                    let replica = format!("{bucket}-backup-us-west-2");
                    common::create_bucket(env, WEST, &replica).await;
                    common::enable_versioning(env, WEST, &replica).await;
                    common::create_bucket(env, EAST, &bucket).await;
                    common::enable_versioning(env, EAST, &bucket).await;
                    common::put_replication(env, EAST, &bucket, &replica).await;
                    let objects = common::data_objects(5);
                    common::put_objects(env, EAST, &bucket, objects.clone()).await;
                    common::put_objects(env, WEST, &replica, objects).await;
                }
                for function in FUNCTIONS.map(|f| copy(f, i)) {
                    common::create_function(env, EAST, &function, &role).await;
                    let folder = format!("lambda-backups/{today}/{function}/{function}");
                    let objects = vec![
                        (format!("{folder}-config.json"), b"{}".to_vec()),
                        (format!("{folder}-code.zip"), common::handler_zip(&function)),
                    ];
                    common::put_objects(env, EAST, LAMBDA_BACKUPS_BUCKET, objects).await;
                }
                for alarm in ALARMS.map(|a| copy(a, i)) {
                    common::put_alarm(
                        env,
                        EAST,
                        &alarm,
                        "AWS/Lambda",
                        "Errors",
                        ("FunctionName", "x"),
                        1.0,
                    )
                    .await;
                }
            }
        })
        .await;
    let zone = common::create_zone(env, "flightdata.example.com.").await;
    let check = common::create_health_check(env, "api.flightdata.example.com").await;
    common::create_failover_record(
        env,
        &zone,
        "api.flightdata.example.com.",
        true,
        "203.0.113.10",
        Some(&check),
    )
    .await;
    common::create_failover_record(
        env,
        &zone,
        "api.flightdata.example.com.",
        false,
        "198.51.100.20",
        None,
    )
    .await;

    let list = |names: &[&str]| {
        let all: Vec<String> = copies
            .iter()
            .flat_map(|&i| names.iter().map(move |n| format!("\"{}\"", copy(n, i))))
            .collect();
        all.join(", ")
    };
    let mut toml = format!(
        "name = \"bench x{scale}\"\n[regions]\nprimary = \"us-east-1\"\nbackup = \"us-west-2\"\n\
         [aws]\ncall_timeout = \"30s\"\nmax_concurrency = 16\n\
         [dynamodb]\ntables = [{}]\n[lambda]\nfunctions = [{}]\nbackup_bucket = \"{LAMBDA_BACKUPS_BUCKET}\"\n\
         [cloudwatch]\nalarms = [{}]\n[[dns.records]]\nzone_id = \"{zone}\"\nname = \"api.flightdata.example.com.\"\n",
        list(&TABLES),
        list(&FUNCTIONS),
        list(&ALARMS),
    );
    for i in &copies {
        for bucket in BUCKETS.map(|b| copy(b, *i)) {
            let _ = writeln!(
                toml,
                "[[s3.buckets]]\nname = \"{bucket}\"\nreplica = \"{bucket}-backup-us-west-2\""
            );
        }
    }
    let _ = write!(
        toml,
        "[[services]]\nname = \"DynamoDB Tables\"\npriority = \"P1\"\nrto = \"4h\"\nrpo = \"1h\"\ntables = [{}]\n",
        list(&TABLES)
    );
    toml
}

/// Peak resident memory of one whole `drconsole status --json` run, from GNU time.
fn peak_rss_kib(env: &MotoEnv, config: &std::path::Path) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("maxrss=%M")
        .arg(env!("CARGO_BIN_EXE_drconsole"))
        .args(["status", "--json", "--config"])
        .arg(config)
        .envs(env.env_vars())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok())
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let env = runtime.block_on(common::moto());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("status");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for scale in [1, 10, 50] {
        env.reset();
        let toml = runtime.block_on(seed(&env, scale));
        let path = dir.path().join(format!("estate-x{scale}.toml"));
        std::fs::write(&path, &toml).expect("estate file");
        let estate = Arc::new(drconsole::config::load(&path).unwrap_or_else(|e| panic!("{e}")));
        let cloud = Arc::new(runtime.block_on(env.cloud()));
        let snap = runtime.block_on(health::snapshot(cloud.as_ref(), &estate, 16));
        eprintln!(
            "x{scale}: {} resources, overall {:?}, peak RSS of `drconsole status --json`: {} KiB",
            snap.resources.len(),
            snap.overall(),
            peak_rss_kib(&env, &path).map_or("n/a".to_owned(), |k| k.to_string())
        );
        group.bench_function(format!("in-process x{scale}"), |b| {
            b.to_async(&runtime)
                .iter(|| health::snapshot(cloud.as_ref(), &estate, 16));
        });
        group.bench_function(format!("in-process x{scale} concurrency 1"), |b| {
            b.to_async(&runtime)
                .iter(|| health::snapshot(cloud.as_ref(), &estate, 1));
        });
        group.bench_function(format!("whole process x{scale}"), |b| {
            b.iter(|| {
                let status = Command::new(env!("CARGO_BIN_EXE_drconsole"))
                    .args(["status", "--json", "--config"])
                    .arg(&path)
                    .envs(env.env_vars())
                    .stdout(std::process::Stdio::null())
                    .status()
                    .expect("drconsole");
                assert!(status.code().is_some_and(|c| c <= 2));
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
