//! `drconsole backup prune` against moto: daily backups and dated folders seeded for dates
//! relative to a fixed clock (moto stamps every backup "now", so the day comes from the
//! name, as in the product), a safety net in an incident's journal; the dry run's set is
//! exactly what the real run removes (moto's state and the recorder); the newest of each
//! series, the safety net, `latest/` and everything drconsole did not name survive. Through
//! the binary: no terminal and no `--yes` refuses with 64 and removes nothing; `--yes`
//! removes; `--demo` works on the simulated estate.

mod common;
#[path = "common/actions.rs"]
mod helpers;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use drconsole::backup::{BackupRecord, Item, ItemStatus, Run, prune};
use drconsole::cloud::{Cloud, WriteRequest};
use drconsole::config::Estate;
use drconsole::incident::journal::{Journal, Origin};
use drconsole::incident::record::Record;
use drconsole::mode::Mode;
use tokio::sync::watch;

use common::recorder::Recorded;
use common::{
    ACCOUNT, BACKUP_REGION as WEST, BACKUPS_BUCKET, LAMBDA_BACKUPS_BUCKET, LAMBDA_COPY_BUCKET,
    MotoEnv, PRIMARY_REGION as EAST, TABLES, create_backup, create_bucket, create_table,
    put_objects, run,
};
use helpers::{example_estate, executor_in, in_account, writes};

const MAIN: &str = TABLES[0];

/// Thursday 3 December 2026 (ISO week 49), the run's clock.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
}

fn daily(day: &str, table: &str) -> String {
    format!("daily-backup-{day}-{table}")
}

/// What the seeding made, and what a prune with 3 daily / 2 weekly must remove of it.
struct Seeded {
    /// Backup name -> ARN.
    backups: Vec<(String, String)>,
    /// The safety net an incident took, by name.
    safety_net: String,
    /// Every key of every bucket, as seeded.
    keys: BTreeSet<(String, String)>,
    removed_backups: BTreeSet<String>,
    removed_folders: BTreeSet<String>,
}

async fn seed(env: &MotoEnv, incidents: &Path) -> Seeded {
    create_table(env, EAST, MAIN).await;
    let mut backups = Vec::new();
    // Every day from Friday 20 November to today.
    let mut day = now().date_naive() - Duration::days(13);
    while day <= now().date_naive() {
        let name = daily(&day.format("%Y%m%d").to_string(), MAIN);
        let arn = create_backup(env, EAST, MAIN, &name).await;
        backups.push((name, arn));
        day = day.succ_opt().unwrap();
    }
    // Backups drconsole names otherwise, and one only like the daily name: never pruned.
    for other in [
        format!("ondemand-20261101-0300-{MAIN}"),
        format!("before-delete-20261101-0300-{MAIN}"),
        format!("daily-backup-20261101-{MAIN}-copy"),
        "hand-made".to_owned(),
    ] {
        let arn = create_backup(env, EAST, MAIN, &other).await;
        backups.push((other, arn));
    }
    // An incident took Saturday 21 November's as its safety net (a delete-table's backup).
    let safety_net = daily("20261121", MAIN);
    let arn = backups
        .iter()
        .find(|(n, _)| *n == safety_net)
        .unwrap()
        .1
        .clone();
    incident_with_safety_net(incidents, &safety_net, &arn);
    // Kept: today and the two days before (daily), Sunday 29 November (weekly, ISO week
    // 48), the safety net. Removed: the rest of the daily series.
    let removed_backups: BTreeSet<String> = [
        "20261120", "20261122", "20261123", "20261124", "20261125", "20261126", "20261127",
        "20261128", "20261130",
    ]
    .iter()
    .map(|d| daily(d, MAIN))
    .collect();

    create_bucket(env, EAST, LAMBDA_BACKUPS_BUCKET).await;
    create_bucket(env, WEST, LAMBDA_COPY_BUCKET).await;
    create_bucket(env, WEST, BACKUPS_BUCKET).await;
    let function_keys = |day: &str, functions: &[&str]| -> Vec<String> {
        functions
            .iter()
            .flat_map(|f| {
                [
                    format!("lambda-backups/{day}/{f}/{f}-config.json"),
                    format!("lambda-backups/{day}/{f}/{f}-code.zip"),
                ]
            })
            .collect()
    };
    let mut east: Vec<String> = Vec::new();
    // Function backups: 17 Nov (W47) goes; 18 Nov holds the only backup of flightdata-c;
    // 25 Nov goes (flightdata-b is in 26 Nov too); 26 Nov (weekly W48), 2 and 3 Dec stay.
    east.extend(function_keys("20261117", &["flightdata-a"]));
    east.extend(function_keys("20261118", &["flightdata-a", "flightdata-c"]));
    east.extend(function_keys("20261125", &["flightdata-a", "flightdata-b"]));
    east.extend(function_keys("20261126", &["flightdata-a", "flightdata-b"]));
    east.extend(function_keys("20261202", &["flightdata-a"]));
    east.extend(function_keys("20261203", &["flightdata-a"]));
    east.extend(function_keys("latest", &["flightdata-a", "flightdata-b"]));
    east.push("lambda-backups/notes.txt".into());
    east.push("lambda-backups/20261101".into());
    east.push("other/20261101/x.json".into());
    // Configuration backups share the bucket (the default): 10 and 11 Nov go.
    for day in ["20261110", "20261111", "20261112", "20261120", "20261203"] {
        east.push(format!("config-backups/{day}/manifest.json"));
        east.push(format!("config-backups/{day}/estate.toml"));
    }
    let mut west: Vec<String> = Vec::new();
    // Exports of the main table: 25 Oct and 1 Nov go; 20 Nov, 27 Nov and 3 Dec stay. The
    // metrics table's one export is its newest.
    for day in [
        "2026/10/25",
        "2026/11/01",
        "2026/11/20",
        "2026/11/27",
        "2026/12/03",
    ] {
        west.push(format!("dynamodb-exports/{MAIN}/{day}/schema.json"));
        west.push(format!(
            "dynamodb-exports/{MAIN}/{day}/AWSDynamoDB/0170-{}/data/0170.gz",
            day.replace('/', "")
        ));
    }
    west.push(format!(
        "dynamodb-exports/{}/2026/10/01/schema.json",
        TABLES[1]
    ));
    west.push(format!("dynamodb-exports/{MAIN}/latest/schema.json"));
    let body = |keys: &[String]| -> Vec<(String, Vec<u8>)> {
        keys.iter().map(|k| (k.clone(), b"{}".to_vec())).collect()
    };
    put_objects(env, EAST, LAMBDA_BACKUPS_BUCKET, body(&east)).await;
    put_objects(env, WEST, BACKUPS_BUCKET, body(&west)).await;
    let removed_folders: BTreeSet<String> = [
        format!("s3://{LAMBDA_BACKUPS_BUCKET}/lambda-backups/20261117/"),
        format!("s3://{LAMBDA_BACKUPS_BUCKET}/lambda-backups/20261125/"),
        format!("s3://{LAMBDA_BACKUPS_BUCKET}/config-backups/20261110/"),
        format!("s3://{LAMBDA_BACKUPS_BUCKET}/config-backups/20261111/"),
        format!("s3://{BACKUPS_BUCKET}/dynamodb-exports/{MAIN}/2026/10/25/"),
        format!("s3://{BACKUPS_BUCKET}/dynamodb-exports/{MAIN}/2026/11/01/"),
    ]
    .into();
    let keys = east
        .iter()
        .map(|k| (LAMBDA_BACKUPS_BUCKET.to_owned(), k.clone()))
        .chain(west.iter().map(|k| (BACKUPS_BUCKET.to_owned(), k.clone())))
        .collect();
    Seeded {
        backups,
        safety_net,
        keys,
        removed_backups,
        removed_folders,
    }
}

/// An incident's journal in which a delete-table took `name` as its safety net.
fn incident_with_safety_net(incidents: &Path, name: &str, arn: &str) {
    let origin = Origin::new(
        Mode::Production,
        Some(ACCOUNT.to_owned()),
        vec![EAST.to_owned(), WEST.to_owned()],
    );
    let mut journal = Journal::create(&incidents.join("INC-20261121-0200-main"), origin).unwrap();
    let request = WriteRequest::CreateBackup {
        region: EAST.into(),
        table: MAIN.into(),
        backup_name: name.into(),
    };
    let records = [
        Record::SafetyNet {
            run: "delete-table-1".into(),
            what: format!("an on-demand backup {name} of {MAIN}"),
            saved: serde_json::Value::Null,
        },
        Record::RequestSent {
            step: Some("delete-table-1".into()),
            service: "dynamodb".into(),
            operation: "CreateBackup".into(),
            target: MAIN.into(),
            region: Some(EAST.into()),
            request: request.to_json(),
        },
        Record::RequestFinished {
            step: Some("delete-table-1".into()),
            service: "dynamodb".into(),
            operation: "CreateBackup".into(),
            target: MAIN.into(),
            request_id: None,
            ok: true,
            error: None,
            result: serde_json::json!({ "type": "backup", "value": { "arn": arn } }),
        },
    ];
    for record in &records {
        journal.append(record).unwrap();
    }
}

async fn prune_at(
    cloud: Arc<dyn Cloud>,
    estate: &Estate,
    journal: &Path,
    incidents: &Path,
    dry_run: bool,
) -> Vec<Item> {
    let executor = executor_in(cloud.clone(), estate, journal, in_account());
    let (_stop_tx, stop) = watch::channel(false);
    let progress = |_: String| {};
    let run = Run {
        executor: &executor,
        cloud: cloud.as_ref(),
        estate,
        dry_run,
        now: now(),
        progress: &progress,
        stop,
    };
    let options = prune::Options {
        keep_daily: 3,
        keep_weekly: 2,
        confirmed: true,
        incidents: Some(incidents.to_owned()),
        ask: None,
    };
    prune::run(&run, &options).await
}

fn targets(items: &[Item], kind: &str, status: ItemStatus) -> BTreeSet<String> {
    items
        .iter()
        .filter(|i| i.kind == kind && i.status == status)
        .map(|i| i.target.clone())
        .collect()
}

async fn backup_names(env: &MotoEnv) -> BTreeSet<String> {
    let out = env
        .dynamodb(EAST)
        .await
        .list_backups()
        .table_name(MAIN)
        .send()
        .await
        .unwrap();
    out.backup_summaries()
        .iter()
        .filter(|b| b.backup_status().map(|s| s.as_str()) != Some("DELETED"))
        .filter_map(|b| b.backup_name().map(str::to_owned))
        .collect()
}

async fn all_keys(env: &MotoEnv) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (region, bucket) in [
        (EAST, LAMBDA_BACKUPS_BUCKET),
        (WEST, LAMBDA_COPY_BUCKET),
        (WEST, BACKUPS_BUCKET),
    ] {
        let out = env
            .s3(region)
            .await
            .list_objects_v2()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        all.extend(
            out.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(|k| (bucket.to_owned(), k.to_owned())),
        );
    }
    all
}

/// The keys each DeleteObjects request named, by bucket (from the XML body).
fn deleted_keys(recorded: &[Recorded]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for r in recorded
        .iter()
        .filter(|r| r.method == "POST" && r.url.contains("?delete"))
    {
        let bucket = r
            .path()
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap();
        for part in r.body.split("<Key>").skip(1) {
            let key = part.split("</Key>").next().unwrap();
            out.insert((bucket.to_owned(), key.to_owned()));
        }
    }
    out
}

fn under(folders: &BTreeSet<String>, bucket: &str, key: &str) -> bool {
    folders
        .iter()
        .any(|f| format!("s3://{bucket}/{key}").starts_with(f))
}

#[tokio::test]
async fn the_dry_run_lists_exactly_what_the_run_removes_and_the_newest_and_safety_net_stay() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let incidents = dir.path().join("incidents");
    let journal = dir.path().join("journal");
    let seeded = seed(&env, &incidents).await;
    let estate = example_estate();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);

    env.start_recording();
    let dry = prune_at(cloud.clone(), &estate, &journal, &incidents, true).await;
    let dry_sent = env.stop_recording();
    assert!(writes(&dry_sent).is_empty(), "{:?}", writes(&dry_sent));
    assert_eq!(
        targets(&dry, "backup", ItemStatus::WouldDo),
        seeded.removed_backups,
        "{dry:#?}"
    );
    assert_eq!(
        targets(&dry, "folder", ItemStatus::WouldDo),
        seeded.removed_folders,
        "{dry:#?}"
    );
    assert_eq!(backup_names(&env).await.len(), seeded.backups.len());
    assert_eq!(
        all_keys(&env).await,
        seeded.keys,
        "a dry run removes nothing"
    );

    env.start_recording();
    let real = prune_at(cloud.clone(), &estate, &journal, &incidents, false).await;
    let sent = env.stop_recording();
    assert_eq!(
        targets(&real, "backup", ItemStatus::Done),
        seeded.removed_backups,
        "{real:#?}"
    );
    assert_eq!(
        targets(&real, "folder", ItemStatus::Done),
        seeded.removed_folders,
        "{real:#?}"
    );
    assert!(
        real.iter().all(|i| i.status != ItemStatus::Failed),
        "{real:#?}"
    );

    // moto's state: exactly the dry run's set is gone.
    let names: BTreeSet<String> = seeded.backups.iter().map(|(n, _)| n.clone()).collect();
    let left = backup_names(&env).await;
    assert_eq!(
        names.difference(&left).cloned().collect::<BTreeSet<_>>(),
        seeded.removed_backups
    );
    assert!(left.contains(&seeded.safety_net), "the safety net stays");
    assert!(left.contains(&daily("20261203", MAIN)), "the newest stays");
    let expected_keys: BTreeSet<(String, String)> = seeded
        .keys
        .iter()
        .filter(|(b, k)| !under(&seeded.removed_folders, b, k))
        .cloned()
        .collect();
    assert_eq!(all_keys(&env).await, expected_keys);
    for kept in [
        "lambda-backups/latest/flightdata-a/flightdata-a-config.json",
        "lambda-backups/20261118/flightdata-c/flightdata-c-code.zip",
        "lambda-backups/notes.txt",
        "other/20261101/x.json",
    ] {
        assert!(
            expected_keys.contains(&(LAMBDA_BACKUPS_BUCKET.to_owned(), kept.to_owned())),
            "{kept}"
        );
    }

    // The recorder: one DeleteBackup per removed backup, by ARN, and DeleteObjects naming
    // exactly the objects of the removed folders; nothing else written.
    let arns: BTreeSet<&str> = seeded
        .backups
        .iter()
        .filter(|(n, _)| seeded.removed_backups.contains(n))
        .map(|(_, a)| a.as_str())
        .collect();
    let deleted: BTreeSet<&str> = sent
        .iter()
        .filter(|r| r.operation() == "DeleteBackup")
        .map(|r| {
            arns.iter()
                .find(|a| r.body.contains(**a))
                .copied()
                .unwrap_or_else(|| panic!("a DeleteBackup of another backup: {}", r.body))
        })
        .collect();
    assert_eq!(deleted, arns);
    assert_eq!(
        sent.iter()
            .filter(|r| r.operation() == "DeleteBackup")
            .count(),
        arns.len(),
        "each backup once"
    );
    let removed_keys: BTreeSet<(String, String)> =
        seeded.keys.difference(&expected_keys).cloned().collect();
    assert_eq!(deleted_keys(&sent), removed_keys);
    let other_writes: Vec<String> = writes(&sent)
        .into_iter()
        .filter(|w| !w.starts_with("DeleteBackup") && !w.starts_with("POST /"))
        .collect();
    assert!(other_writes.is_empty(), "{other_writes:?}");

    // A second run the same day finds nothing more to remove and sends nothing.
    env.start_recording();
    let again = prune_at(cloud, &estate, &journal, &incidents, false).await;
    let sent = env.stop_recording();
    assert!(writes(&sent).is_empty(), "{:?}", writes(&sent));
    assert!(again.iter().all(|i| i.kind == "series"), "{again:#?}");
}

#[tokio::test]
async fn an_unreadable_incident_journal_removes_nothing() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let incidents = dir.path().join("incidents");
    create_table(&env, EAST, MAIN).await;
    for day in ["20261120", "20261203"] {
        create_backup(&env, EAST, MAIN, &daily(day, MAIN)).await;
    }
    let torn = incidents.join("INC-20261201-0000-x");
    std::fs::create_dir_all(&torn).unwrap();
    std::fs::write(torn.join("journal.jsonl"), "{\"seq\": 1, garbled\n").unwrap();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let items = prune_at(
        cloud,
        &example_estate(),
        &dir.path().join("journal"),
        &incidents,
        false,
    )
    .await;
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0].status, ItemStatus::Unknown);
    assert!(
        items[0].detail.contains("nothing removed"),
        "{}",
        items[0].detail
    );
    assert_eq!(backup_names(&env).await.len(), 2);
}

static ASKED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn refuse(lines: &[String]) -> bool {
    ASKED.lock().unwrap().extend(lines.iter().cloned());
    false
}

/// On a terminal the person is shown every removal and asked; an answer that is not the
/// number removes nothing.
#[tokio::test]
async fn a_confirmation_not_given_removes_nothing() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    create_table(&env, EAST, MAIN).await;
    for day in ["20261120", "20261125", "20261203"] {
        create_backup(&env, EAST, MAIN, &daily(day, MAIN)).await;
    }
    let estate = example_estate();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let executor = executor_in(
        cloud.clone(),
        &estate,
        &dir.path().join("journal"),
        in_account(),
    );
    let (_stop_tx, stop) = watch::channel(false);
    let progress = |_: String| {};
    let run = Run {
        executor: &executor,
        cloud: cloud.as_ref(),
        estate: &estate,
        dry_run: false,
        now: now(),
        progress: &progress,
        stop,
    };
    let options = prune::Options {
        keep_daily: 1,
        keep_weekly: 0,
        confirmed: false,
        incidents: Some(dir.path().join("incidents")),
        ask: Some(refuse),
    };
    env.start_recording();
    let items = prune::run(&run, &options).await;
    let sent = env.stop_recording();
    assert!(writes(&sent).is_empty(), "{:?}", writes(&sent));
    assert_eq!(
        *ASKED.lock().unwrap(),
        [daily("20261125", MAIN), daily("20261120", MAIN)],
        "every removal is shown before the question"
    );
    let refused = items.iter().find(|i| i.kind == "confirmation").unwrap();
    assert_eq!(refused.status, ItemStatus::Failed);
    assert!(
        refused.detail.contains("nothing removed"),
        "{}",
        refused.detail
    );
    assert_eq!(backup_names(&env).await.len(), 3);
}

fn estate_file(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
    )
    .unwrap();
    let path = dir.join("estate.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn prune_cmd(env: &MotoEnv, estate: &Path, data: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = env.drconsole();
    cmd.env("DRCONSOLE_DATA_DIR", data)
        .args(["backup", "prune", "--keep-daily", "0", "--keep-weekly", "0"])
        .arg("--config")
        .arg(estate)
        .args(extra);
    cmd
}

#[tokio::test]
async fn without_a_terminal_it_needs_yes_and_with_it_keeps_only_the_newest() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let estate = estate_file(dir.path());
    let data = dir.path().join("data");
    create_table(&env, EAST, MAIN).await;
    let today = Utc::now().date_naive();
    let names: Vec<String> = (0..3)
        .map(|back| {
            daily(
                &(today - Duration::days(back)).format("%Y%m%d").to_string(),
                MAIN,
            )
        })
        .collect();
    for name in &names {
        create_backup(&env, EAST, MAIN, name).await;
    }

    // assert_cmd's stdin is not a terminal: cron's case.
    env.start_recording();
    let (_, stderr) = run(&mut prune_cmd(&env, &estate, &data, &[]), 64);
    let sent = env.stop_recording();
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(
        sent.is_empty(),
        "refused before anything was read: {:?}",
        writes(&sent)
    );
    assert_eq!(backup_names(&env).await.len(), 3);

    // --dry-run needs no confirmation and removes nothing.
    let (stdout, _) = run(&mut prune_cmd(&env, &estate, &data, &["--dry-run"]), 0);
    let listed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("would do  backup daily-backup-"))
        .collect();
    assert_eq!(listed.len(), 2, "{stdout}");
    assert_eq!(backup_names(&env).await.len(), 3);

    let (stdout, _) = run(
        &mut prune_cmd(&env, &estate, &data, &["--yes", "--json"]),
        0,
    );
    let record: BackupRecord = serde_json::from_str(&stdout).unwrap();
    assert_eq!(record.mode, Mode::Production);
    let removed: BTreeSet<String> = targets(&record.items, "backup", ItemStatus::Done);
    assert_eq!(removed, names[1..].iter().cloned().collect());
    assert_eq!(
        backup_names(&env).await,
        BTreeSet::from([names[0].clone()]),
        "the newest stays"
    );
    // The run is in the backup history.
    assert!(data.join("history").join("backups").is_dir());
}

#[test]
fn a_demo_run_prunes_the_simulated_estate() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", dir.path())
        .env_remove("DRCONSOLE_CONFIG")
        .args([
            "--demo",
            "backup",
            "prune",
            "--keep-daily",
            "2",
            "--keep-weekly",
            "0",
            "--yes",
            "--json",
        ]);
    let (stdout, _) = run(&mut cmd, 0);
    let record: BackupRecord = serde_json::from_str(&stdout).unwrap();
    assert_eq!(record.mode, Mode::Simulation);
    let removed = targets(&record.items, "backup", ItemStatus::Done);
    assert!(!removed.is_empty(), "{stdout}");
    assert!(
        removed.iter().all(|n| n.starts_with("daily-backup-")),
        "{removed:?}"
    );
    let folders = targets(&record.items, "folder", ItemStatus::Done);
    assert!(
        !folders.is_empty() && folders.iter().all(|f| f.contains("/lambda-backups/2")),
        "{stdout}"
    );
}

/// S3 takes at most 1,000 keys a call: 1,003 objects go in two DeleteObjects, and nothing
/// else in the bucket is touched.
#[tokio::test]
async fn delete_objects_goes_in_batches_of_a_thousand() {
    use drconsole::action::Authority;
    use drconsole::cloud::Writes;
    let env = common::moto().await;
    create_bucket(&env, EAST, LAMBDA_BACKUPS_BUCKET).await;
    create_bucket(&env, WEST, LAMBDA_COPY_BUCKET).await;
    create_bucket(&env, WEST, BACKUPS_BUCKET).await;
    let keys: Vec<String> = (0..1003)
        .map(|i| format!("lambda-backups/20261101/f/{i:04}.json"))
        .collect();
    let mut objects: Vec<(String, Vec<u8>)> =
        keys.iter().map(|k| (k.clone(), b"{}".to_vec())).collect();
    objects.push(("lambda-backups/latest/f/0000.json".into(), b"{}".to_vec()));
    put_objects(&env, EAST, LAMBDA_BACKUPS_BUCKET, objects).await;
    let cloud = env.cloud().await;

    env.start_recording();
    let request = WriteRequest::DeleteObjects {
        region: EAST.into(),
        bucket: LAMBDA_BACKUPS_BUCKET.into(),
        keys: keys.clone(),
    };
    cloud
        .send(&request, &Authority::for_tests())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sent = env.stop_recording();
    let calls: Vec<&Recorded> = sent
        .iter()
        .filter(|r| r.method == "POST" && r.url.contains("?delete"))
        .collect();
    assert_eq!(calls.len(), 2, "{:?}", writes(&sent));
    assert_eq!(calls[0].body.matches("<Key>").count(), 1000);
    assert_eq!(calls[1].body.matches("<Key>").count(), 3);
    let left = all_keys(&env).await;
    assert_eq!(
        left,
        BTreeSet::from([(
            LAMBDA_BACKUPS_BUCKET.to_owned(),
            "lambda-backups/latest/f/0000.json".to_owned()
        )])
    );
}
