//! `validate`'s checks that restore nothing, against moto: the buckets' replication and
//! replica completeness, the functions' backups and their code against `CodeSha256`, and each
//! table's copy in the backup region against its RPO.
//!
//! moto never replicates objects (the plan seeder writes the replicas itself) and cannot
//! backdate an object, so an old export is made old by measuring from a later clock.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::time::Duration;

use chrono::Utc;
use drconsole::action::Context;
use drconsole::cloud::Cloud;
use drconsole::cloud::aws::AwsOptions;
use drconsole::config::{Estate, ValidateSettings};
use drconsole::drill::validate::{Finding, Verdict, buckets, exports, functions};

use common::{
    BACKUP_REGION as WEST, BACKUPS_BUCKET, DATA_BUCKETS, FUNCTIONS, LAMBDA_BACKUPS_BUCKET,
    LAMBDA_BACKUPS_PREFIX, LAMBDA_COPY_BUCKET, MotoEnv, PRIMARY_REGION as EAST, Seeded, TABLES,
};

fn ctx<'a>(cloud: &'a dyn Cloud, estate: &'a Estate) -> Context<'a> {
    Context {
        cloud,
        estate,
        now: Utc::now(),
    }
}

async fn all_checks(ctx: &Context<'_>) -> Vec<Finding> {
    let settings = ValidateSettings::default();
    let mut found = buckets::check(ctx, &settings).await;
    found.extend(functions::check(ctx, &settings).await);
    found.extend(exports::check(ctx, &settings).await);
    found
}

fn table(found: &[Finding]) -> String {
    found
        .iter()
        .map(|f| format!("{:?} {} {}: {}", f.verdict, f.resource, f.check, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn one<'a>(found: &'a [Finding], resource: &str, check: &str) -> &'a Finding {
    let matching: Vec<&Finding> = found
        .iter()
        .filter(|f| f.resource == resource && f.check == check)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one finding {resource} {check} in:\n{}",
        table(found)
    );
    matching[0]
}

/// The plan's estate, healthy, with each export's schema.
async fn healthy(env: &MotoEnv) -> (Seeded, Estate) {
    let seeded = common::seed_plan_estate(env).await;
    common::seed_export_schemas(env).await;
    let estate = common::plan_estate(&seeded);
    (seeded, estate)
}

async fn delete_objects(env: &MotoEnv, region: &str, bucket: &str, keys: &[String]) {
    let s3 = env.s3(region).await;
    for key in keys {
        s3.delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DeleteObject {bucket}/{key}: {e:?}"));
    }
}

fn backup_key(date: &str, function: &str, file: &str) -> String {
    format!("{LAMBDA_BACKUPS_PREFIX}{date}/{function}/{function}-{file}")
}

#[tokio::test]
async fn a_healthy_plan_estate_passes_all_three_and_sends_no_write() {
    let env = common::moto().await;
    let (_, estate) = healthy(&env).await;
    let cloud = env.cloud().await;
    env.start_recording();
    let found = all_checks(&ctx(&cloud, &estate)).await;
    let recorded = env.stop_recording();

    assert!(
        found.iter().all(|f| f.verdict == Verdict::Pass),
        "every finding passes:\n{}",
        table(&found)
    );
    for bucket in DATA_BUCKETS {
        let c = one(&found, bucket, "completeness");
        assert!(
            c.message.contains("100.0% of objects") && c.message.contains("threshold 95%"),
            "{}",
            c.message
        );
        assert_eq!(c.figures["source_objects"], c.figures["replica_objects"]);
        assert_eq!(c.figures["source_versions"], c.figures["replica_versions"]);
        one(&found, bucket, "replication");
    }
    for function in FUNCTIONS {
        for check in [
            "code-backup",
            "code-sha256",
            "copy-code-backup",
            "copy-code-sha256",
        ] {
            one(&found, function, check);
        }
        let sha = one(&found, function, "code-sha256");
        assert_eq!(sha.figures["backup_sha256"], sha.figures["function_sha256"]);
        assert_eq!(
            one(&found, function, "code-backup").figures["layout"],
            "dated"
        );
    }
    assert!(
        !found
            .iter()
            .any(|f| f.resource == common::UNRELATED_FUNCTION),
        "a function outside the prefix is not the estate's"
    );
    for t in TABLES {
        let copy = one(&found, t, "backup-region-copy");
        assert_eq!(copy.figures["source"], "export", "{}", copy.message);
        assert!(
            copy.figures["age_secs"].as_u64().is_some_and(|a| a < 3600),
            "{}",
            copy.figures
        );
    }
    let writes = helpers::writes(&recorded);
    assert!(writes.is_empty(), "the checks only read: {writes:?}");
}

#[tokio::test]
async fn a_replica_at_ninety_percent_fails_naming_the_bucket_and_its_figures() {
    let env = common::moto().await;
    let (_, estate) = healthy(&env).await;
    // flightdata-raw holds 5 objects and its replica the same 5: make it 10 against 9.
    let bucket = DATA_BUCKETS[0];
    let extra: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("2026/02/01/late-{i}.json"), vec![b'x'; 10]))
        .collect();
    common::put_objects(&env, EAST, bucket, extra.clone()).await;
    common::put_objects(&env, WEST, &common::replica_of(bucket), extra[..4].to_vec()).await;

    let cloud = env.cloud().await;
    let found = buckets::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    let short = one(&found, bucket, "completeness");
    assert_eq!(short.verdict, Verdict::Fail, "{}", table(&found));
    assert_eq!(
        short.message,
        "flightdata-raw: replica holds 90.0% of objects (9 of 10) and 90.0% of versions (9 of \
         10), threshold 95%"
    );
    assert_eq!(short.figures["objects_percent"], serde_json::json!(90.0));
    // The rule itself is fine, and so are the other buckets.
    assert_eq!(one(&found, bucket, "replication").verdict, Verdict::Pass);
    for other in &DATA_BUCKETS[1..] {
        assert_eq!(one(&found, other, "completeness").verdict, Verdict::Pass);
    }
}

#[tokio::test]
async fn a_function_with_no_backup_fails_by_name() {
    let env = common::moto().await;
    let (seeded, estate) = healthy(&env).await;
    let function = FUNCTIONS[0];
    let keys: Vec<String> = seeded
        .lambda_backup_dates
        .iter()
        .flat_map(|d| {
            [
                backup_key(d, function, "config.json"),
                backup_key(d, function, "code.zip"),
            ]
        })
        .collect();
    delete_objects(&env, EAST, LAMBDA_BACKUPS_BUCKET, &keys).await;

    let cloud = env.cloud().await;
    let found = functions::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    let missing = one(&found, function, "code-backup");
    assert_eq!(missing.verdict, Verdict::Fail, "{}", table(&found));
    assert_eq!(
        missing.message,
        format!(
            "{function}: no backup in s3://{LAMBDA_BACKUPS_BUCKET}/{LAMBDA_BACKUPS_PREFIX} \
             ({EAST})"
        )
    );
    // Its copy in the backup region is still there, and checked on its own.
    assert_eq!(
        one(&found, function, "copy-code-sha256").verdict,
        Verdict::Pass
    );
    assert!(
        found
            .iter()
            .filter(|f| f.resource != function)
            .all(|f| f.verdict == Verdict::Pass),
        "{}",
        table(&found)
    );
}

#[tokio::test]
async fn a_backup_whose_code_is_not_the_functions_fails_with_both_hashes() {
    let env = common::moto().await;
    let (seeded, estate) = healthy(&env).await;
    let function = FUNCTIONS[1];
    let today = seeded.lambda_backup_dates.last().expect("today's backups");
    let other = common::zip_one_file("index.py", b"def handler(e, c):\n    return 'other'\n");
    common::put_objects(
        &env,
        WEST,
        LAMBDA_COPY_BUCKET,
        vec![(backup_key(today, function, "code.zip"), other)],
    )
    .await;

    let cloud = env.cloud().await;
    let found = functions::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    let wrong = one(&found, function, "copy-code-sha256");
    assert_eq!(wrong.verdict, Verdict::Fail, "{}", table(&found));
    let (backup, running) = (
        wrong.figures["backup_sha256"].as_str().unwrap(),
        wrong.figures["function_sha256"].as_str().unwrap(),
    );
    assert_ne!(backup, running);
    assert_eq!(
        wrong.message,
        format!(
            "{function}: the code of backup {today} (SHA-256 {backup}) is not the code it runs \
             ({running}): restoring it would put back other code"
        )
    );
    // The primary bucket's backup of the same day is untouched and matches.
    assert_eq!(one(&found, function, "code-sha256").verdict, Verdict::Pass);
}

#[tokio::test]
async fn a_configuration_only_backup_says_it_cannot_restore_the_function() {
    let env = common::moto().await;
    let (seeded, estate) = healthy(&env).await;
    let dates = &seeded.lambda_backup_dates;
    let today = dates.last().expect("today's backups");
    // flightdata-processor: no code in either day. flightdata-ingest: none today only.
    let (none, older) = (FUNCTIONS[1], FUNCTIONS[2]);
    let mut keys: Vec<String> = dates
        .iter()
        .map(|d| backup_key(d, none, "code.zip"))
        .collect();
    keys.push(backup_key(today, older, "code.zip"));
    delete_objects(&env, EAST, LAMBDA_BACKUPS_BUCKET, &keys).await;

    let cloud = env.cloud().await;
    let found = functions::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    let config_only = one(&found, none, "code-backup");
    assert_eq!(config_only.verdict, Verdict::Fail, "{}", table(&found));
    assert_eq!(
        config_only.message,
        format!(
            "{none}: newest backup s3://{LAMBDA_BACKUPS_BUCKET}/{LAMBDA_BACKUPS_PREFIX}{today}/\
             {none}/ is configuration only, no code package: it cannot restore the function, \
             and no older backup has both"
        )
    );
    let fallback = one(&found, older, "code-backup");
    assert_eq!(fallback.verdict, Verdict::Warn, "{}", table(&found));
    assert!(
        fallback.message.contains(&format!(
            "the newer backup {today} has only part of it (configuration yes, code no) and \
             cannot restore the function"
        )),
        "{}",
        fallback.message
    );
    assert_eq!(fallback.figures["date"], dates[0].as_str());
    // The older backup it falls back to is still the code it runs.
    assert_eq!(one(&found, older, "code-sha256").verdict, Verdict::Pass);
}

#[tokio::test]
async fn a_table_with_no_copy_in_the_backup_region_fails_by_name() {
    let env = common::moto().await;
    let (_, estate) = healthy(&env).await;
    let t = TABLES[1];
    let listed = env
        .s3(WEST)
        .await
        .list_objects_v2()
        .bucket(BACKUPS_BUCKET)
        .prefix(format!("dynamodb-exports/{t}/"))
        .send()
        .await
        .expect("list the exports");
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    assert!(!keys.is_empty(), "the seeder exported {t}");
    delete_objects(&env, WEST, BACKUPS_BUCKET, &keys).await;

    let cloud = env.cloud().await;
    let found = exports::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    let none = one(&found, t, "backup-region-copy");
    assert_eq!(none.verdict, Verdict::Fail, "{}", table(&found));
    assert_eq!(
        none.message,
        format!(
            "{t}: no copy in {WEST}: no export, no backup and no global-table replica there, \
             so losing the primary region loses the table"
        )
    );
    for other in [TABLES[0], TABLES[2]] {
        assert_eq!(
            one(&found, other, "backup-region-copy").verdict,
            Verdict::Pass
        );
    }
}

#[tokio::test]
async fn an_export_older_than_the_rpo_fails_and_one_without_its_schema_warns() {
    let env = common::moto().await;
    // No schema.json beside the exports this time.
    let seeded = common::seed_plan_estate(&env).await;
    let estate = common::plan_estate(&seeded);
    let cloud = env.cloud().await;

    let found = exports::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    for t in TABLES {
        assert_eq!(
            one(&found, t, "backup-region-copy").verdict,
            Verdict::Pass,
            "a fresh export without its schema still holds the data"
        );
        let schema = one(&found, t, "export-schema");
        assert_eq!(schema.verdict, Verdict::Warn);
        assert!(
            schema
                .message
                .contains("cannot be imported as the table was"),
            "{}",
            schema.message
        );
    }

    // moto dates every object "now": measure three hours later instead.
    let later = Context {
        now: Utc::now() + chrono::Duration::hours(3),
        ..ctx(&cloud, &estate)
    };
    let found = exports::check(&later, &ValidateSettings::default()).await;
    for t in TABLES {
        let old = one(&found, t, "backup-region-copy");
        assert_eq!(old.verdict, Verdict::Fail, "{}", table(&found));
        assert!(
            old.message.contains("3h old, RPO 1h: 2h over"),
            "{}",
            old.message
        );
        assert!(old.figures["age_secs"].as_u64().unwrap() >= 3 * 3600);
        assert_eq!(old.figures["rpo_secs"], 3600);
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_unknown_never_a_pass() {
    let env = common::moto().await;
    let (_, estate) = healthy(&env).await;
    let dead = common::dead_endpoint();
    let options = AwsOptions {
        call_timeout: Duration::from_secs(2),
        ..common::test_options()
    };
    let cloud = env
        .cloud_with(options)
        .await
        .with_region_endpoint(EAST, &dead)
        .with_region_endpoint(WEST, &dead);
    let c = ctx(&cloud, &estate);
    let settings = ValidateSettings::default();
    for (what, found) in [
        ("buckets", buckets::check(&c, &settings).await),
        ("functions", functions::check(&c, &settings).await),
        ("exports", exports::check(&c, &settings).await),
    ] {
        assert!(!found.is_empty(), "{what}: something is said");
        assert!(
            found.iter().all(|f| f.verdict == Verdict::Unknown),
            "{what}: nothing could be read, so nothing passes or fails:\n{}",
            table(&found)
        );
    }
}

#[tokio::test]
async fn a_backup_only_under_latest_or_older_than_its_schedule_warns() {
    let env = common::moto().await;
    let (seeded, estate) = healthy(&env).await;
    // flightdata-ingest: its dated backups moved to the plan's monthly test's `latest/`.
    let function = FUNCTIONS[2];
    let dated: Vec<String> = seeded
        .lambda_backup_dates
        .iter()
        .flat_map(|d| {
            [
                backup_key(d, function, "config.json"),
                backup_key(d, function, "code.zip"),
            ]
        })
        .collect();
    delete_objects(&env, EAST, LAMBDA_BACKUPS_BUCKET, &dated).await;
    common::put_objects(
        &env,
        EAST,
        LAMBDA_BACKUPS_BUCKET,
        vec![
            (
                backup_key("latest", function, "config.json"),
                b"{}".to_vec(),
            ),
            (
                backup_key("latest", function, "code.zip"),
                common::handler_zip(function),
            ),
        ],
    )
    .await;

    let cloud = env.cloud().await;
    let found = functions::check(&ctx(&cloud, &estate), &ValidateSettings::default()).await;
    let latest = one(&found, function, "code-backup");
    assert_eq!(latest.verdict, Verdict::Warn, "{}", table(&found));
    assert_eq!(latest.figures["layout"], "latest");
    assert!(
        latest
            .message
            .contains("which restore-function does not read"),
        "{}",
        latest.message
    );
    assert_eq!(one(&found, function, "code-sha256").verdict, Verdict::Pass);

    // moto dates every object "now": three days on, every backup is overdue.
    let later = Context {
        now: Utc::now() + chrono::Duration::days(3),
        ..ctx(&cloud, &estate)
    };
    let found = functions::check(&later, &ValidateSettings::default()).await;
    for f in found.iter().filter(|f| f.check.ends_with("code-backup")) {
        assert_eq!(f.verdict, Verdict::Warn, "{}", table(&found));
        assert!(
            f.message.contains("old (expected every 1d)"),
            "{}",
            f.message
        );
    }
}
