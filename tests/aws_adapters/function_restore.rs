//! Restoring a function through the port: CreateFunction from a package in S3, then its code
//! and configuration replaced, each read back as GetFunction reports it, and the saved
//! configuration read back from S3.

use drconsole::action::{Looked, WaitFor};
use drconsole::cloud::{CodeInS3, FunctionSpec};
use sha2::Digest;

use super::*;

const FUNCTION: &str = "flightdata-restored";
const BUCKET: &str = "flightdata-lambda-backups";

fn sha256_b64(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(sha2::Sha256::digest(bytes))
}

fn package(key: &str) -> CodeInS3 {
    CodeInS3 {
        bucket: BUCKET.to_owned(),
        key: key.to_owned(),
    }
}

fn spec(role: &str) -> FunctionSpec {
    let mut spec = FunctionSpec {
        name: FUNCTION.to_owned(),
        runtime: Some("python3.12".to_owned()),
        handler: Some("index.handler".to_owned()),
        role: Some(role.to_owned()),
        timeout_secs: Some(30),
        memory_mb: Some(256),
        ..FunctionSpec::default()
    };
    let s = &mut spec.settings;
    s.description = Some("restored from its backup".to_owned());
    s.environment = Some(BTreeMap::from([("STAGE".to_owned(), "prod".to_owned())]));
    s.tags = Some(BTreeMap::from([("team".to_owned(), "data".to_owned())]));
    // Empty values mean "none": left out of a create.
    s.layers = Some(Vec::new());
    s.dead_letter_arn = Some(String::new());
    s.kms_key_arn = Some(String::new());
    spec
}

#[tokio::test]
async fn a_function_is_created_from_s3_and_its_code_and_configuration_replaced() {
    let env = moto().await;
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    create_bucket(&env, EAST, BUCKET).await;
    let (first, second) = (handler_zip(FUNCTION), zip_one_file("index.py", b"# v2\n"));
    put_objects(
        &env,
        EAST,
        BUCKET,
        vec![
            ("v1/code.zip".to_owned(), first.clone()),
            ("v2/code.zip".to_owned(), second.clone()),
        ],
    )
    .await;
    let cloud = env.cloud().await;

    let created = output!(
        write(
            &cloud,
            WriteRequest::CreateFunction {
                region: EAST.to_owned(),
                spec: spec(&role),
                code: package("v1/code.zip"),
            }
        )
        .await,
        Function
    );
    // moto accepts a missing key with an empty CodeSha256: the hash proves the package came.
    assert_eq!(
        created.code_sha256.as_deref(),
        Some(sha256_b64(&first).as_str())
    );
    assert_eq!(created.code_size, first.len() as i64);

    let read = cloud.get_function(EAST, FUNCTION).await.unwrap();
    assert_eq!(read.state.as_deref(), Some("Active"), "{read:#?}");
    assert_eq!(read.last_update_status.as_deref(), Some("Successful"));
    assert_eq!(read.timeout_secs, Some(30));
    assert_eq!(read.memory_mb, Some(256));
    let s = &read.settings;
    assert_eq!(s.description.as_deref(), Some("restored from its backup"));
    assert_eq!(s.environment, spec(&role).settings.environment);
    assert_eq!(s.tags, spec(&role).settings.tags);
    assert_eq!(s.layers, Some(Vec::new()), "a read knows there are none");
    assert_eq!(s.architectures, Some(vec!["x86_64".to_owned()]));
    let ready = WaitFor::FunctionActive {
        region: EAST.to_owned(),
        function: FUNCTION.to_owned(),
    };
    assert!(
        matches!(ready.look(&cloud, None).await.unwrap(), Looked::Done(_)),
        "moto's functions are Active at once"
    );

    let updated = output!(
        write(
            &cloud,
            WriteRequest::UpdateFunctionCode {
                region: EAST.to_owned(),
                function: FUNCTION.to_owned(),
                code: package("v2/code.zip"),
                architectures: None,
            }
        )
        .await,
        Function
    );
    assert_eq!(
        updated.code_sha256.as_deref(),
        Some(sha256_b64(&second).as_str())
    );

    // Only the fields set are sent: the memory size is left as it is.
    let change = FunctionSpec {
        name: FUNCTION.to_owned(),
        timeout_secs: Some(60),
        settings: drconsole::cloud::FunctionSettings {
            environment: Some(BTreeMap::from([("STAGE".to_owned(), "dr".to_owned())])),
            ..Default::default()
        },
        ..FunctionSpec::default()
    };
    env.start_recording();
    output!(
        write(
            &cloud,
            WriteRequest::UpdateFunctionConfiguration {
                region: EAST.to_owned(),
                spec: change,
            }
        )
        .await,
        Function
    );
    let recorded = env.stop_recording();
    let sent: serde_json::Value = serde_json::from_str(&recorded[0].body).unwrap();
    let keys: BTreeSet<&str> = sent
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, BTreeSet::from(["Environment", "Timeout"]), "{sent}");
    let read = cloud.get_function(EAST, FUNCTION).await.unwrap();
    assert_eq!(read.timeout_secs, Some(60));
    assert_eq!(read.memory_mb, Some(256));
    assert_eq!(
        read.settings.environment,
        Some(BTreeMap::from([("STAGE".to_owned(), "dr".to_owned())]))
    );
    assert_eq!(
        read.code_sha256.as_deref(),
        Some(sha256_b64(&second).as_str())
    );
}

#[tokio::test]
async fn creating_a_function_that_exists_is_a_conflict_and_a_missing_one_cannot_be_updated() {
    let env = moto().await;
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    create_bucket(&env, EAST, BUCKET).await;
    put_objects(
        &env,
        EAST,
        BUCKET,
        vec![("v1/code.zip".to_owned(), handler_zip(FUNCTION))],
    )
    .await;
    create_function(&env, EAST, FUNCTION, &role).await;
    let cloud = env.cloud().await;
    let again = write(
        &cloud,
        WriteRequest::CreateFunction {
            region: EAST.to_owned(),
            spec: spec(&role),
            code: package("v1/code.zip"),
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(again.kind, ErrorKind::AlreadyExists | ErrorKind::Conflict),
        "{again:?}"
    );
    let missing = write(
        &cloud,
        WriteRequest::UpdateFunctionCode {
            region: EAST.to_owned(),
            function: "flightdata-nothing".to_owned(),
            code: package("v1/code.zip"),
            architectures: None,
        },
    )
    .await
    .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
}

#[tokio::test]
async fn an_object_is_read_back_whole_and_a_missing_one_is_not_found() {
    let env = moto().await;
    create_bucket(&env, WEST, BUCKET).await;
    let body = br#"{"name":"flightdata-api"}"#.to_vec();
    put_objects(
        &env,
        WEST,
        BUCKET,
        vec![("a/config.json".to_owned(), body.clone())],
    )
    .await;
    let cloud = env.cloud().await;
    assert_eq!(
        cloud
            .get_object(WEST, BUCKET, "a/config.json")
            .await
            .unwrap(),
        body
    );
    let missing = cloud
        .get_object(WEST, BUCKET, "a/none.json")
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
}
