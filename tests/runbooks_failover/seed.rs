//! The plan's estate on moto as a region failover finds it: the weekly exports real (moto
//! writes them, with the schema saved beside each), an estate file in a folder of its own
//! with a smoke-test script that records how it was called, and the cloud with the primary
//! region's endpoint dead.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use drconsole::cloud::aws::{AwsCloud, AwsOptions};
use drconsole::config::Estate;

use drconsole::cloud::Functions;

use crate::common::{
    self, BACKUP_REGION, BACKUPS_BUCKET, FUNCTIONS, LAMBDA_BACKUPS_BUCKET, LAMBDA_BACKUPS_PREFIX,
    LAMBDA_COPY_BUCKET, MotoEnv, PRIMARY_REGION, Seeded, TABLES,
};
use crate::helpers::{executor_in, in_account, run};

/// The plan's estate (`seed_plan_estate`) with every table exported for real into the backup
/// region's export bucket, where the seeder's stand-in files were: what a failover imports.
pub async fn seed_failover_estate(env: &MotoEnv, dir: &Path) -> (Seeded, Estate) {
    let seeded = common::seed_plan_estate(env).await;
    let estate = estate_in(&seeded, dir);
    // The seeder's export files are placeholders (`{}`, not gzip): import cannot read them.
    let s3 = env.s3(BACKUP_REGION).await;
    let listed = s3
        .list_objects_v2()
        .bucket(BACKUPS_BUCKET)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListObjectsV2 {BACKUPS_BUCKET}: {e:?}"));
    for object in listed.contents() {
        let key = object.key().unwrap_or_default();
        s3.delete_object()
            .bucket(BACKUPS_BUCKET)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DeleteObject {key}: {e:?}"));
    }
    // The weekly export, as the plan's backup script makes it (export-table's own layout).
    let cloud: Arc<dyn drconsole::cloud::Cloud> = Arc::new(env.cloud().await);
    let journal = tempfile::tempdir().unwrap();
    let seeder = executor_in(cloud, &estate, journal.path(), in_account());
    for table in TABLES {
        run(&seeder, "export-table", table, &[])
            .await
            .unwrap_or_else(|e| panic!("export {table}: {e}"));
    }
    // The functions backed up as backup-function saves them (restore-function reads that
    // layout, not the plan's `aws lambda get-function` output the seeder writes), today's
    // folder in both backup buckets: the weekly cross-region copy is current.
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    let moto = env.cloud().await;
    for function in FUNCTIONS {
        let mut saved = moto.get_function(PRIMARY_REGION, function).await.unwrap();
        saved.code_location = None;
        let key = format!("{LAMBDA_BACKUPS_PREFIX}{today}/{function}/{function}-config.json");
        let body = serde_json::to_vec_pretty(&saved).unwrap();
        common::put_objects(
            env,
            PRIMARY_REGION,
            LAMBDA_BACKUPS_BUCKET,
            vec![(key.clone(), body.clone())],
        )
        .await;
        common::put_objects(env, BACKUP_REGION, LAMBDA_COPY_BUCKET, vec![(key, body)]).await;
    }
    (seeded, estate)
}

/// The seeded estate file written into `dir`, with `scripts/smoke-test.sh` beside it: the
/// script appends its arguments to `smoke-test.log` and passes.
pub fn estate_in(seeded: &Seeded, dir: &Path) -> Estate {
    let scripts = dir.join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    let script = scripts.join("smoke-test.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/../smoke-test.log\"\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.join("estate.toml");
    let text = common::plan_estate_toml(seeded);
    std::fs::write(&path, &text).unwrap();
    drconsole::config::parse(&text, &path).unwrap_or_else(|e| panic!("{e}"))
}

/// What the smoke-test script was called with, one line per call.
pub fn smoke_test_calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("smoke-test.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Short calls: a dead endpoint costs seconds, not the default twenty.
pub fn options() -> AwsOptions {
    AwsOptions {
        call_timeout: Duration::from_secs(3),
        ..common::test_options()
    }
}

/// moto with the primary region's endpoint dead. Route53's control plane is in us-east-1:
/// `route53_alive` keeps it on moto (an outage of the region's services that Route53
/// survives), else it goes down with the region.
pub async fn primary_dead(env: &MotoEnv, route53_alive: bool) -> AwsCloud {
    let cloud = env
        .cloud_with(options())
        .await
        .with_region_endpoint(PRIMARY_REGION, &common::dead_endpoint());
    if route53_alive {
        cloud.with_route53_endpoint(&env.endpoint)
    } else {
        cloud
    }
}

/// The journal folder of a test.
pub fn journal_dir(dir: &Path) -> PathBuf {
    dir.join("journal")
}
