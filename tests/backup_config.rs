//! `drconsole backup config` as cron runs it, against moto: the stacks' templates and
//! descriptions, the estate file, the runbooks and message templates in use, stored with a
//! SHA-256 manifest in the backup bucket and its copy in the backup region; read back and
//! hashed file by file; idempotent within the day (the recorder shows no second upload); a
//! changed file rewrites the manifest. The git mirror check runs on local bare repositories
//! (under `--demo --config`, which needs no AWS).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drconsole::backup::config::{Manifest, verify};
use drconsole::backup::{BackupRecord, Item, ItemStatus};
use drconsole::mode::Mode;

use common::recorder::Recorded;
use common::stacks::{STACK, VALUES, seed_stack};
use common::{
    BACKUP_REGION as WEST, LAMBDA_BACKUPS_BUCKET as MAIN, LAMBDA_COPY_BUCKET as COPY, MotoEnv,
    PRIMARY_REGION as EAST, create_bucket, run,
};

/// A second stack, in the primary region.
const CORE_STACK: &str = "flightdata-core";

/// The file create-stack would make the core stack from, beside the estate file.
const LOCAL_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";

const USER_TEMPLATE: &str = "{# Custom all-clear #}\nAll clear: the pipeline is back.\n";

fn estate_toml(extra: &str) -> String {
    format!(
        r#"name = "Flight Data Pipeline"

[regions]
primary = "us-east-1"
backup = "us-west-2"

[lambda]
backup_bucket = "{MAIN}"
backup_copy_bucket = "{COPY}"

[[stacks]]
name = "{STACK}"
region = "us-west-2"
role = "backup-capacity"

[[stacks]]
name = "{CORE_STACK}"
role = "production"
template = "stacks/core.yaml"
{extra}"#
    )
}

/// A test's folder: the estate file, the data directory and a config directory holding one
/// message template of the user's.
struct Setup {
    _dir: tempfile::TempDir,
    estate: PathBuf,
    data: PathBuf,
    config_home: PathBuf,
}

fn setup(extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("estate.toml");
    std::fs::write(&estate, estate_toml(extra)).unwrap();
    std::fs::create_dir_all(dir.path().join("stacks")).unwrap();
    std::fs::write(dir.path().join("stacks/core.yaml"), LOCAL_TEMPLATE).unwrap();
    let config_home = dir.path().join("xdg");
    let comms = config_home.join("drconsole").join("comms");
    std::fs::create_dir_all(&comms).unwrap();
    std::fs::write(comms.join("all-clear.j2"), USER_TEMPLATE).unwrap();
    Setup {
        data: dir.path().join("data"),
        estate,
        config_home,
        _dir: dir,
    }
}

async fn seed(env: &MotoEnv) {
    create_bucket(env, EAST, MAIN).await;
    create_bucket(env, WEST, COPY).await;
    seed_stack(env, WEST, STACK).await;
    seed_stack(env, EAST, CORE_STACK).await;
}

fn backup(env: &MotoEnv, s: &Setup, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = env.drconsole();
    cmd.env("DRCONSOLE_DATA_DIR", &s.data)
        .env("XDG_CONFIG_HOME", &s.config_home)
        .arg("--config")
        .arg(&s.estate)
        .args(["backup", "config", "--json"])
        .args(extra);
    cmd
}

fn record(stdout: &str) -> BackupRecord {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn folder(record: &BackupRecord) -> String {
    format!("config-backups/{}/", record.started.format("%Y%m%d"))
}

fn item<'a>(record: &'a BackupRecord, kind: &str, target: &str) -> &'a Item {
    record
        .items
        .iter()
        .find(|i| i.kind == kind && i.target.contains(target))
        .unwrap_or_else(|| panic!("no {kind} {target} in {:#?}", record.items))
}

/// The S3 uploads among what moto received, as `bucket/key`.
fn uploads(recorded: &[Recorded]) -> Vec<String> {
    let mut out: Vec<String> = recorded
        .iter()
        .filter(|r| r.method == "PUT" && r.service.as_deref() == Some("s3"))
        .map(|r| {
            let path = r.path().trim_start_matches('/');
            path.split_once('?').map_or(path, |(p, _)| p).to_owned()
        })
        .collect();
    out.sort();
    out
}

async fn get(env: &MotoEnv, region: &str, bucket: &str, key: &str) -> Vec<u8> {
    env.s3(region)
        .await
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {bucket}/{key}: {e:?}"))
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes()
        .to_vec()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The manifest of `folder`, read with the SDK, every file it lists downloaded and hashed
/// here (not by the code under test): key → bytes.
async fn read_back(
    env: &MotoEnv,
    region: &str,
    bucket: &str,
    folder: &str,
) -> (Manifest, BTreeMap<String, Vec<u8>>) {
    let manifest: Manifest =
        serde_json::from_slice(&get(env, region, bucket, &format!("{folder}manifest.json")).await)
            .unwrap();
    let mut files = BTreeMap::new();
    for file in &manifest.files {
        let bytes = get(env, region, bucket, &format!("{folder}{}", file.key)).await;
        assert_eq!(
            bytes.len() as u64,
            file.size,
            "{bucket}/{folder}{}",
            file.key
        );
        assert_eq!(sha256(&bytes), file.sha256, "{bucket}/{folder}{}", file.key);
        files.insert(file.key.clone(), bytes);
    }
    (manifest, files)
}

#[tokio::test]
async fn stores_stacks_estate_runbooks_and_templates_with_a_manifest_that_verifies() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    let (stdout, _) = run(&mut backup(&env, &s, &[]), 0);
    let record = record(&stdout);
    assert_eq!(record.verdict.label(), "pass", "{:#?}", record.items);
    assert_eq!(record.mode, Mode::Production);
    let folder = folder(&record);
    assert_eq!(item(&record, "stack", STACK).status, ItemStatus::Done);
    assert_eq!(item(&record, "stack", CORE_STACK).status, ItemStatus::Done);

    for (region, bucket) in [(EAST, MAIN), (WEST, COPY)] {
        let (manifest, files) = read_back(&env, region, bucket, &folder).await;
        assert_eq!(manifest.account.as_deref(), Some(common::ACCOUNT));
        assert_eq!(manifest.drconsole, env!("CARGO_PKG_VERSION"));
        assert_eq!(manifest.created, record.started);

        // Each stack: its template as CloudFormation returns it, and its parameters.
        for stack in [STACK, CORE_STACK] {
            let template = &files[&format!("stacks/{stack}/template.yaml")];
            assert_eq!(
                String::from_utf8_lossy(template),
                common::stacks::TEMPLATE,
                "{bucket}"
            );
            let described: serde_json::Value =
                serde_json::from_slice(&files[&format!("stacks/{stack}/stack.json")]).unwrap();
            assert_eq!(described["stack"]["name"], stack);
            assert_eq!(described["stack"]["status"], "CREATE_COMPLETE");
            let parameters: BTreeMap<String, String> = described["stack"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["key"].as_str().unwrap().to_owned(),
                        p["value"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let want: BTreeMap<String, String> = VALUES
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(parameters, want);
        }
        assert_eq!(
            described_region(&files, STACK),
            WEST,
            "each stack's region is kept"
        );
        assert_eq!(described_region(&files, CORE_STACK), EAST);

        assert_eq!(
            files[&format!("stacks/{CORE_STACK}/local/core.yaml")],
            LOCAL_TEMPLATE.as_bytes(),
            "the stack's own template file"
        );

        // The estate file byte for byte, every shipped runbook and template, the user's.
        assert_eq!(
            files["files/estate/estate.toml"],
            std::fs::read(&s.estate).unwrap()
        );
        for (file, text) in drconsole::runbook::load::SHIPPED {
            assert_eq!(
                files[&format!("files/runbooks/shipped/{file}")],
                text.as_bytes(),
                "{file}"
            );
        }
        assert!(files.contains_key("files/comms/shipped/progress-update.j2"));
        assert_eq!(
            files["files/comms/user/all-clear.j2"],
            USER_TEMPLATE.as_bytes()
        );

        // The product's own check agrees.
        let verified = verify(&env.cloud().await, region, bucket, &folder)
            .await
            .unwrap();
        assert!(verified.ok(), "{:?}", verified.problems);
    }
}

fn described_region(files: &BTreeMap<String, Vec<u8>>, stack: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_slice(&files[&format!("stacks/{stack}/stack.json")]).unwrap();
    v["region"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_second_run_the_same_day_sends_nothing() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    run(&mut backup(&env, &s, &[]), 0);

    env.start_recording();
    let (stdout, _) = run(&mut backup(&env, &s, &[]), 0);
    let recorded = env.stop_recording();
    assert_eq!(uploads(&recorded), Vec::<String>::new());
    let record = record(&stdout);
    for i in record.items.iter().filter(|i| i.kind == "folder") {
        assert_eq!(i.status, ItemStatus::Unchanged, "{i:#?}");
        assert!(i.detail.contains("already holds"), "{}", i.detail);
    }
}

#[tokio::test]
async fn a_file_changed_during_the_day_is_stored_again_under_a_new_manifest() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    let (first, _) = run(&mut backup(&env, &s, &[]), 0);
    let folder = folder(&record(&first));
    let (before, _) = read_back(&env, EAST, MAIN, &folder).await;

    let mut text = std::fs::read_to_string(&s.estate).unwrap();
    text.push_str("\n# a comment added after the morning's backup\n");
    std::fs::write(&s.estate, &text).unwrap();

    env.start_recording();
    let (second, _) = run(&mut backup(&env, &s, &[]), 0);
    let recorded = env.stop_recording();
    // Only what changed, then the manifest, in each place.
    let mut want: Vec<String> = [MAIN, COPY]
        .iter()
        .flat_map(|b| {
            [
                format!("{b}/{folder}files/estate/estate.toml"),
                format!("{b}/{folder}manifest.json"),
            ]
        })
        .collect();
    want.sort();
    assert_eq!(uploads(&recorded), want);

    let record = record(&second);
    assert_eq!(
        item(&record, "folder", MAIN).status,
        ItemStatus::Done,
        "{:#?}",
        record.items
    );
    for (region, bucket) in [(EAST, MAIN), (WEST, COPY)] {
        let (after, files) = read_back(&env, region, bucket, &folder).await;
        assert_eq!(files["files/estate/estate.toml"], text.as_bytes());
        assert_ne!(after.files, before.files);
        assert_eq!(after.files.len(), before.files.len());
    }
}

#[tokio::test]
async fn the_dry_run_lists_exactly_the_uploads_a_run_sends() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    env.start_recording();
    let (stdout, _) = run(&mut backup(&env, &s, &["--dry-run"]), 0);
    assert_eq!(uploads(&env.stop_recording()), Vec::<String>::new());
    let preview = record(&stdout);
    assert!(preview.dry_run);
    let mut listed: Vec<String> = preview
        .items
        .iter()
        .flat_map(|i| &i.steps)
        .flat_map(|s| &s.requests)
        .map(|r| {
            // "upload s3://bucket/key (N bytes) in region"
            let rest = r
                .strip_prefix("upload s3://")
                .unwrap_or_else(|| panic!("{r}"));
            rest.split(' ').next().unwrap().to_owned()
        })
        .collect();
    listed.sort();
    assert!(!listed.is_empty());

    env.start_recording();
    run(&mut backup(&env, &s, &[]), 0);
    assert_eq!(uploads(&env.stop_recording()), listed);
}

#[tokio::test]
async fn a_stack_that_cannot_be_read_fails_and_the_rest_is_still_stored() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("\n[[stacks]]\nname = \"flightdata-gone\"\nrole = \"production\"\n");
    let (stdout, _) = run(&mut backup(&env, &s, &[]), 2);
    let record = record(&stdout);
    let gone = item(&record, "stack", "flightdata-gone");
    assert_eq!(gone.status, ItemStatus::Failed);
    assert!(
        gone.detail.contains("flightdata-gone") && gone.detail.contains("does not exist"),
        "{}",
        gone.detail
    );
    assert_eq!(item(&record, "stack", STACK).status, ItemStatus::Done);
    let folder = folder(&record);
    let (manifest, _) = read_back(&env, WEST, COPY, &folder).await;
    let keys: Vec<&str> = manifest.files.iter().map(|f| f.key.as_str()).collect();
    assert!(keys.contains(&"stacks/flightdata-pipeline/template.yaml"));
    assert!(
        !keys.iter().any(|k| k.contains("flightdata-gone")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn verification_names_a_file_changed_after_it_was_stored() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    let (stdout, _) = run(&mut backup(&env, &s, &[]), 0);
    let day = record(&stdout).started.format("%Y%m%d").to_string();
    let folder = folder(&record(&stdout));

    // The command's own check, read-only: both copies whole.
    let (stdout, _) = run(backup(&env, &s, &["--verify", &day]).arg("--read-only"), 0);
    let verified = record(&stdout);
    let folders: Vec<&Item> = verified
        .items
        .iter()
        .filter(|i| i.kind == "folder")
        .collect();
    assert_eq!(folders.len(), 2, "{folders:#?}");
    for f in folders {
        assert_eq!(f.status, ItemStatus::Done, "{f:#?}");
        assert!(f.detail.contains("match the manifest"), "{}", f.detail);
    }

    let key = format!("{folder}stacks/{STACK}/stack.json");
    common::put_objects(&env, WEST, COPY, vec![(key, b"{}".to_vec())]).await;

    let cloud = env.cloud().await;
    let verified = verify(&cloud, WEST, COPY, &folder).await.unwrap();
    assert_eq!(verified.problems.len(), 1, "{:?}", verified.problems);
    assert!(
        verified.problems[0].starts_with("stacks/flightdata-pipeline/stack.json is 2 bytes"),
        "{}",
        verified.problems[0]
    );
    assert!(
        verify(&cloud, EAST, MAIN, &folder).await.unwrap().ok(),
        "the other copy is untouched"
    );

    let (stdout, _) = run(&mut backup(&env, &s, &["--verify", &day]), 2);
    let verified = record(&stdout);
    let copy = item(&verified, "folder", COPY);
    assert_eq!(copy.status, ItemStatus::Failed);
    assert!(
        copy.detail
            .contains("stacks/flightdata-pipeline/stack.json"),
        "{}",
        copy.detail
    );
    assert_eq!(item(&verified, "folder", MAIN).status, ItemStatus::Done);
    // A check is not a backup: the history holds the one backup run only.
    let kept = std::fs::read_dir(s.data.join("history").join("backups"))
        .unwrap()
        .count();
    assert_eq!(kept, 1);

    run(&mut backup(&env, &s, &["--verify", "2026-13-40"]), 64);
}

// ---------------------------------------------------------------------------------------------
// Git mirrors, on local bare repositories
// ---------------------------------------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn bare(root: &Path, name: &str) -> String {
    let path = root.join(name);
    std::fs::create_dir_all(&path).unwrap();
    git(&path, &["init", "--bare", "-q"]);
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_mirror_check_compares_heads_and_tags_with_the_origin() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let origin = bare(root, "origin.git");
    let same = bare(root, "github.git");
    let behind = bare(root, "gitlab.git");
    let missing = root.join("no-such-repo.git").to_str().unwrap().to_owned();

    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q"]);
    std::fs::write(work.join("deploy.sh"), "echo deploy\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-qm", "first"]);
    git(&work, &["tag", "v1"]);
    for remote in [&origin, &same, &behind] {
        git(&work, &["push", "-q", remote, "main", "v1"]);
    }
    // A new commit reaches the origin and one mirror only.
    std::fs::write(work.join("deploy.sh"), "echo deploy v2\n").unwrap();
    git(&work, &["commit", "-qam", "second"]);
    for remote in [&origin, &same] {
        git(&work, &["push", "-q", remote, "main"]);
    }

    let extra = format!(
        "\n[[backup.mirrors]]\nname = \"pipeline-code\"\norigin = {origin:?}\nmirrors = [{same:?}, \
         {behind:?}, {missing:?}]\n"
    );
    let s = setup(&extra);
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", &s.data)
        .env("XDG_CONFIG_HOME", &s.config_home)
        .env_remove("DRCONSOLE_CONFIG")
        .args(["--demo", "--config"])
        .arg(&s.estate)
        .args(["backup", "config", "--json"]);
    let (stdout, _) = run(&mut cmd, 2);
    let record = record(&stdout);
    assert_eq!(record.mode, Mode::Simulation);
    let mirrors: Vec<&Item> = record.items.iter().filter(|i| i.kind == "mirror").collect();
    assert_eq!(mirrors.len(), 3, "{mirrors:#?}");

    let ok = item(&record, "mirror", &same);
    assert_eq!(ok.status, ItemStatus::Done, "{ok:#?}");
    assert!(ok.target.starts_with("pipeline-code "), "{}", ok.target);
    assert!(
        ok.detail.contains("1 branch(es) and 1 tag(s)"),
        "{}",
        ok.detail
    );

    let stale = item(&record, "mirror", &behind);
    assert_eq!(stale.status, ItemStatus::Failed, "{stale:#?}");
    assert!(
        stale.detail.contains("refs/heads/main is ") && !stale.detail.contains("refs/tags/v1"),
        "only the branch differs: {}",
        stale.detail
    );

    let gone = item(&record, "mirror", &missing);
    assert_eq!(gone.status, ItemStatus::Unknown, "{gone:#?}");
    assert!(gone.detail.contains("could not be read"), "{}", gone.detail);
    assert!(
        gone.detail.contains("git ls-remote failed"),
        "{}",
        gone.detail
    );
}

#[test]
fn a_demo_run_stores_the_simulated_stacks_and_the_files() {
    let s = setup("");
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", &s.data)
        .env("XDG_CONFIG_HOME", &s.config_home)
        .env_remove("DRCONSOLE_CONFIG")
        .args(["--demo", "backup", "config", "--json"]);
    let (stdout, _) = run(&mut cmd, 0);
    let record = record(&stdout);
    assert_eq!(record.mode, Mode::Simulation);
    let estate = item(&record, "file", "estate file");
    assert_eq!(estate.status, ItemStatus::Unchanged);
    assert!(
        estate.detail.contains("--demo without --config"),
        "{}",
        estate.detail
    );
    let folders: Vec<&Item> = record.items.iter().filter(|i| i.kind == "folder").collect();
    assert_eq!(folders.len(), 2, "{folders:#?}");
    assert!(folders.iter().all(|f| f.status == ItemStatus::Done));
}

#[tokio::test]
async fn a_stack_gone_since_the_morning_stays_in_the_days_backup() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    let (first, _) = run(&mut backup(&env, &s, &[]), 0);
    let folder = folder(&record(&first));
    let (morning, _) = read_back(&env, WEST, COPY, &folder).await;

    common::stacks::client(&env, EAST)
        .await
        .delete_stack()
        .stack_name(CORE_STACK)
        .send()
        .await
        .unwrap();
    env.start_recording();
    let (second, _) = run(&mut backup(&env, &s, &[]), 2);
    let recorded = env.stop_recording();
    let record = record(&second);
    assert_eq!(
        item(&record, "stack", CORE_STACK).status,
        ItemStatus::Failed
    );
    // What the morning stored of it is still listed, and nothing else changed: nothing sent.
    assert_eq!(uploads(&recorded), Vec::<String>::new());
    let (afternoon, _) = read_back(&env, WEST, COPY, &folder).await;
    assert_eq!(afternoon, morning);
    assert!(
        afternoon
            .files
            .iter()
            .any(|f| f.key == format!("stacks/{CORE_STACK}/template.yaml"))
    );
}

#[tokio::test]
async fn a_bucket_that_fails_leaves_the_copy_in_the_backup_region_stored() {
    let env = common::moto().await;
    // No backup bucket in the primary region: its uploads fail, the copy's go through.
    create_bucket(&env, WEST, COPY).await;
    seed_stack(&env, WEST, STACK).await;
    seed_stack(&env, EAST, CORE_STACK).await;
    let s = setup("");
    let (stdout, _) = run(&mut backup(&env, &s, &[]), 2);
    let record = record(&stdout);
    let main = item(&record, "folder", &format!("s3://{MAIN}/"));
    assert_eq!(main.status, ItemStatus::Failed, "{main:#?}");
    assert!(main.detail.contains("NoSuchBucket"), "{}", main.detail);
    assert_eq!(item(&record, "folder", COPY).status, ItemStatus::Done);
    let stack = item(&record, "stack", STACK);
    assert_eq!(stack.status, ItemStatus::Done, "stored in the copy");
    assert!(
        stack.detail.contains("in 1 of 2 place(s)"),
        "{}",
        stack.detail
    );
    let folder = folder(&record);
    let verified = verify(&env.cloud().await, WEST, COPY, &folder)
        .await
        .unwrap();
    assert!(verified.ok(), "{:?}", verified.problems);
}

#[tokio::test]
async fn a_user_runbook_that_does_not_load_is_stored_as_found_with_a_warning() {
    let env = common::moto().await;
    seed(&env).await;
    let s = setup("");
    let runbooks = s.config_home.join("drconsole").join("runbooks");
    std::fs::create_dir_all(&runbooks).unwrap();
    let broken = "name = \"our-failover\"\nsteps = [\n";
    std::fs::write(runbooks.join("our-failover.toml"), broken).unwrap();

    let (stdout, _) = run(&mut backup(&env, &s, &[]), 1);
    let record = record(&stdout);
    let part = item(&record, "file", "runbooks");
    assert_eq!(part.status, ItemStatus::Warning, "{part:#?}");
    assert!(part.detail.contains("our-failover.toml"), "{}", part.detail);
    let (_, files) = read_back(&env, EAST, MAIN, &folder(&record)).await;
    assert_eq!(
        files["files/runbooks/user/our-failover.toml"],
        broken.as_bytes()
    );
    assert!(files.contains_key("files/runbooks/shipped/region-failover.toml"));
}
