//! The plan's Scenario 1 rehearsed against moto: the primary region's endpoint is dead
//! (`[aws.region_endpoints]`), the backup region answers. And the errors a person can act on
//! when nothing answers at all.

mod common;

use assert_cmd::Command;
use common::*;
use serde_json::Value;

fn drconsole(env: &MotoEnv) -> Command {
    env.drconsole()
}

fn estate_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("a temporary estate file");
    std::fs::write(file.path(), text).expect("write the estate");
    file
}

/// The seeded plan estate with the primary region sent to a port where nothing listens.
fn primary_dead(seeded: &Seeded) -> String {
    let text = plan_estate_toml(seeded).replace("call_timeout = \"20s\"", "call_timeout = \"3s\"");
    format!(
        "{text}\n[aws.region_endpoints]\n{PRIMARY_REGION} = \"{}\"\n",
        dead_endpoint()
    )
}

#[tokio::test]
async fn status_with_the_primary_region_dead_reads_the_backup_region_and_says_so() {
    let env = moto().await;
    let seeded = seed_plan_estate(&env).await;
    let file = estate_file(&primary_dead(&seeded));

    let out = drconsole(&env)
        .args(["status", "--json", "--config"])
        .arg(file.path())
        .output()
        .expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");

    let regions = doc["regions"].as_array().expect("regions[]");
    assert_eq!(regions[0]["region"], PRIMARY_REGION);
    assert_eq!(regions[0]["role"], "primary");
    assert_eq!(regions[0]["reachable"], false, "{:#}", regions[0]);
    assert!(
        regions[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("could not reach the endpoint")),
        "{:#}",
        regions[0]
    );
    assert_eq!(regions[1]["region"], BACKUP_REGION);
    assert_eq!(regions[1]["reachable"], true, "{:#}", regions[1]);
    // STS has regional endpoints: a dead primary is not "no account".
    assert_eq!(doc["account"], ACCOUNT);

    let resources = doc["resources"].as_array().expect("resources[]");
    let replicas: Vec<&Value> = resources
        .iter()
        .filter(|r| r["kind"] == "replica")
        .collect();
    assert_eq!(replicas.len(), DATA_BUCKETS.len());
    for replica in replicas {
        assert_eq!(replica["region"], BACKUP_REGION);
        assert_eq!(replica["status"], "ok", "{replica:#}");
    }
    for table in resources.iter().filter(|r| r["kind"] == "table") {
        assert_eq!(table["status"], "unknown", "{table:#}");
    }

    // The same estate as a person reads it: regions first, then what users notice.
    let out = drconsole(&env)
        .args(["status", "--config"])
        .arg(file.path())
        .output()
        .expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[1].starts_with("us-east-1 (primary): UNREACHABLE: "),
        "regions come first:\n{stdout}"
    );
    assert!(lines[2].starts_with("us-west-2 (backup): ok ("), "{stdout}");
    let service = lines
        .iter()
        .position(|l| l.starts_with("DynamoDB Tables"))
        .expect("the DynamoDB Tables row");
    assert_eq!(
        lines[service + 1].trim(),
        "impact: Data access limited",
        "{stdout}"
    );
    assert!(
        stdout.contains("could not check: us-east-1 did not answer (dynamodb DescribeTable)"),
        "few words for a dead region:\n{stdout}"
    );
}

#[tokio::test]
async fn missing_credentials_say_so_and_how_to_fix_it() {
    let env = moto().await;
    let nothing = Seeded {
        backups: Vec::new(),
        lambda_role_arn: String::new(),
        lambda_backup_dates: Vec::new(),
        zone_id: "ZNOTSEEDED".to_owned(),
        health_check_id: String::new(),
    };
    let file = estate_file(&plan_estate_toml(&nothing));
    let out = drconsole(&env)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["status", "--config"])
        .arg(file.path())
        .output()
        .expect("run drconsole");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("no credentials found"),
        "the cause, not 'could not reach the endpoint': {stderr}"
    );
    assert!(!stderr.contains("could not reach"), "{stderr}");
    assert!(stderr.contains("aws sso login"), "the fix: {stderr}");
}
