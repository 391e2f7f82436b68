//! The test harness itself, where no other test would notice it break: its synchronous helpers
//! without any runtime (as the benchmark calls them), the request recorder, moto's IAM query
//! API and the Lambda package the seeders upload.

mod common;

use std::io::Read;

use common::*;

/// The benchmark resets moto between runs outside any runtime; CI only compiles benchmarks.
#[test]
fn sync_helpers_work_outside_any_runtime() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let env = runtime.block_on(moto());
    runtime.block_on(create_bucket(&env, PRIMARY_REGION, "left-over"));
    env.reset();
    let listed = runtime.block_on(async {
        env.s3(PRIMARY_REGION)
            .await
            .list_buckets()
            .send()
            .await
            .expect("ListBuckets")
    });
    assert!(
        listed.buckets().is_empty(),
        "the reset left {:?}",
        listed.buckets()
    );
    let role = env.create_iam_role("made-without-a-runtime");
    assert_eq!(
        role,
        format!("arn:aws:iam::{ACCOUNT}:role/made-without-a-runtime")
    );
}

#[tokio::test]
async fn recorder_returns_the_form_and_json_requests_sent() {
    let env = moto().await;
    env.start_recording();
    env.create_iam_role("recorded role+plus=equals");
    create_table(&env, BACKUP_REGION, "recorded-table").await;
    let sent = env.stop_recording();

    let role = sent
        .iter()
        .find(|r| r.operation() == "CreateRole")
        .unwrap_or_else(|| panic!("no CreateRole among {sent:#?}"));
    assert_eq!(role.service.as_deref(), Some("iam"));
    assert_eq!(role.region.as_deref(), Some("us-east-1"));
    assert!(
        role.body.contains("RoleName=recorded+role%2Bplus%3Dequals"),
        "the role's name, form-encoded: {}",
        role.body
    );
    let table = sent
        .iter()
        .find(|r| r.operation() == "CreateTable")
        .unwrap_or_else(|| panic!("no CreateTable among {sent:#?}"));
    assert_eq!(table.region.as_deref(), Some(BACKUP_REGION));
    assert!(table.body.contains("\"TableName\":\"recorded-table\""));
}

#[tokio::test]
async fn handler_zip_is_a_package_lambda_accepts_and_unzips() {
    let env = moto().await;
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    create_function(&env, PRIMARY_REGION, "zipped", &role).await;
    let package = handler_zip("zipped");
    let out = env
        .lambda(PRIMARY_REGION)
        .await
        .get_function()
        .function_name("zipped")
        .send()
        .await
        .expect("GetFunction");
    let size = out.configuration().map(|c| c.code_size());
    assert_eq!(size, Some(package.len() as i64));

    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(package)).expect("a readable zip archive");
    assert_eq!(archive.len(), 1);
    let mut source = String::new();
    // Reading to the end checks the entry's CRC-32.
    archive
        .by_name("index.py")
        .expect("index.py in the archive")
        .read_to_string(&mut source)
        .expect("index.py, whole");
    assert!(
        source.starts_with("def handler(event, context):"),
        "{source}"
    );
    assert!(source.contains("\"function\": \"zipped\""), "{source}");
}

/// Other test files call moto's API with this function directly.
#[tokio::test]
async fn http_request_posts_a_body_and_reads_the_answer() {
    let env = moto().await;
    let addr = env.addr();
    let resp = http_request(
        addr,
        "POST",
        "/moto-api/config",
        &[("Content-Type", "application/json")],
        br#"{"lambda": {"use_docker": false}}"#,
    )
    .expect("POST /moto-api/config");
    assert!((200..300).contains(&resp.status), "{}", resp.body);
    let resp = http_request(addr, "GET", "/moto-api/config", &[], b"").expect("GET config");
    // moto answers this GET with 201 too.
    assert!((200..300).contains(&resp.status), "{}", resp.body);
    let config: serde_json::Value = serde_json::from_str(&resp.body).expect("JSON");
    assert_eq!(config["lambda"]["use_docker"], false, "{config}");
}
