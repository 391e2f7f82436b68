//! The log file as the morning after reads it: `drconsole status` against moto logs every
//! call it sent, with its request id, and none of the credentials it signed them with; and
//! `--version` says where that file is.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use common::{ENV_TO_REMOVE, MotoEnv, plan_estate_toml, seed_plan_estate};

/// Credentials moto accepts like any other, chosen so that a leak cannot hide in other text.
const SECRET_KEY: &str = "SeCrEtKeyThatMustNeverBeLogged0123456789";
const SESSION_TOKEN: &str = "SeSsIoNtOkEnThatMustNeverBeLogged9876543210";
const ACCESS_KEY: &str = "AKIALOGTESTEXAMPLE01";

fn drconsole(env: &MotoEnv) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").expect("the drconsole binary");
    cmd.envs(env.env_vars());
    for name in ENV_TO_REMOVE {
        cmd.env_remove(name);
    }
    for name in ["DRCONSOLE_CONFIG", "DRCONSOLE_DATA_DIR", "DRCONSOLE_LOG"] {
        cmd.env_remove(name);
    }
    cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .timeout(Duration::from_secs(120));
    cmd
}

/// `key=value` pairs of one log line, quotes removed.
fn fields(line: &str) -> BTreeMap<String, String> {
    line.split_whitespace()
        .filter_map(|word| word.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

/// The SDK's service names as the SigV4 signing names that moto's recorder reports.
fn signing_name(service: &str) -> &str {
    match service {
        "DynamoDB" => "dynamodb",
        "S3" => "s3",
        "Lambda" => "lambda",
        "CloudWatch" => "monitoring",
        "Route53" => "route53",
        "STS" => "sts",
        "CloudFormation" => "cloudformation",
        other => panic!("a service the test does not know: {other}"),
    }
}

#[tokio::test]
async fn status_logs_every_call_with_its_request_id_and_no_secret() {
    let env = common::moto().await;
    let seeded = seed_plan_estate(&env).await;
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("estate.toml");
    std::fs::write(&estate, plan_estate_toml(&seeded)).unwrap();
    let data = dir.path().join("data");

    env.start_recording();
    let out = drconsole(&env)
        .env("DRCONSOLE_LOG", "debug")
        .arg("status")
        .arg("--config")
        .arg(&estate)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    let recorded = env.stop_recording();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "status ran: {:?}\n{stderr}",
        out.status
    );
    assert!(
        stderr.is_empty(),
        "nothing logged to the terminal: {stderr}"
    );

    let log_path = data.join("state").join("drconsole.log");
    let log = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("{}: {e}", log_path.display()));

    // One line per call, whatever became of it; moto answers at once, so no call is retried
    // and the requests moto saw are exactly the calls logged.
    let calls: Vec<BTreeMap<String, String>> = log
        .lines()
        .filter(|l| l.contains(" aws call"))
        .map(fields)
        .collect();
    assert!(!recorded.is_empty(), "moto saw the status run");
    let attempts: usize = calls
        .iter()
        .map(|c| 1 + c["retries"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(
        attempts,
        recorded.len(),
        "one logged attempt per request:\n{log}"
    );
    for call in &calls {
        for key in ["service", "operation", "region", "status", "latency_ms"] {
            assert!(call.contains_key(key), "no {key} in {call:?}");
        }
        let id = &call["request_id"];
        assert!(!id.is_empty() && id != "-", "a request id in {call:?}");
    }

    // The same calls, service by service and region by region.
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &recorded {
        let key = (r.service.clone().unwrap(), r.region.clone().unwrap());
        *seen.entry(key).or_default() += 1;
    }
    let mut logged: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in &calls {
        let key = (signing_name(&c["service"]).to_owned(), c["region"].clone());
        *logged.entry(key).or_default() += 1;
    }
    assert_eq!(logged, seen, "calls per service and region");
    // Where the request names its operation (JSON and query protocols), the log names it too.
    for r in &recorded {
        let op = r.operation();
        if op.contains(' ') {
            continue;
        }
        assert!(
            calls.iter().any(|c| c["operation"] == op),
            "{op} logged:\n{log}"
        );
    }
    // The adapter names what it looked at.
    let table = common::TABLES[0];
    assert!(
        log.lines()
            .any(|l| l.contains(&format!("target=\"{table}\"")) && l.contains("DescribeTable")),
        "DescribeTable of {table} names it:\n{log}"
    );
    let refresh = log
        .lines()
        .find(|l| l.contains(" refresh "))
        .map(fields)
        .unwrap_or_else(|| panic!("a refresh line:\n{log}"));
    assert!(
        refresh["resources"].parse::<usize>().unwrap() > 0,
        "{refresh:?}"
    );

    for file in walk(&data) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for secret in [SECRET_KEY, SESSION_TOKEN] {
            assert!(!text.contains(secret), "{} holds a secret", file.display());
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn version_names_the_config_the_data_and_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("estate.toml");
    let out = Command::cargo_bin("drconsole")
        .unwrap()
        .env("DRCONSOLE_CONFIG", &config)
        .env("DRCONSOLE_DATA_DIR", &data)
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("drconsole {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    for (label, path) in [
        ("config:", config.clone()),
        ("data:", data.clone()),
        ("log:", data.join("state").join("drconsole.log")),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("{label} in {text}"));
        assert!(line.contains(path.to_str().unwrap()), "{line}");
    }
    assert!(!data.exists(), "--version creates nothing");
}

#[test]
fn a_bad_log_level_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("drconsole")
        .unwrap()
        .env("DRCONSOLE_DATA_DIR", dir.path())
        .env("DRCONSOLE_LOG", "aws_sigv4=trace")
        .args(["status", "--config", "no-such-file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("aws_sigv4=trace"), "{stderr}");
}

#[test]
fn a_log_that_cannot_be_opened_does_not_stop_the_command() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the data directory should be: no log can be made under it.
    let blocked = dir.path().join("not-a-directory");
    std::fs::write(&blocked, "").unwrap();
    let out = Command::cargo_bin("drconsole")
        .unwrap()
        .env_remove("DRCONSOLE_LOG")
        .arg("--data-dir")
        .arg(&blocked)
        .args(["status", "--config", "no-such-file.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: no log file"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(3),
        "went on to read the estate: {stderr}"
    );
}
