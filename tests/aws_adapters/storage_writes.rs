//! S3 writes through the port: buckets in each region, the plan's V2 replication rule, uploads
//! checked byte for byte, and the request ids S3 gives.

use aws_sdk_s3::types::ChecksumMode;
use sha2::Digest;

use super::*;
use drconsole::cloud::{ObjectBody, ReplicationConfig, ReplicationRule};

fn create_bucket_request(region: &str, bucket: &str) -> WriteRequest {
    WriteRequest::CreateBucket {
        region: region.to_owned(),
        bucket: bucket.to_owned(),
    }
}

#[tokio::test]
async fn storage_create_bucket_in_each_region_and_again() {
    let env = moto().await;
    let cloud = env.cloud().await;

    env.start_recording();
    let east = write(&cloud, create_bucket_request(EAST, "flightdata-new-east")).await;
    let west = write(&cloud, create_bucket_request(WEST, "flightdata-new-west")).await;
    let sent = env.stop_recording();
    assert_eq!(east.unwrap(), WriteOutput::Nothing);
    assert_eq!(west.unwrap(), WriteOutput::Nothing);
    let bodies: Vec<(Option<&str>, &str)> = sent
        .iter()
        .map(|r| (r.region.as_deref(), r.body.as_str()))
        .collect();
    // S3 refuses a LocationConstraint naming us-east-1: that one is sent without a body.
    assert!(
        !bodies[0].1.contains("LocationConstraint"),
        "{:?}",
        bodies[0]
    );
    assert_eq!(bodies[0].0, Some(EAST));
    assert!(
        bodies[1]
            .1
            .contains("<LocationConstraint>us-west-2</LocationConstraint>"),
        "{:?}",
        bodies[1]
    );
    assert_eq!(bodies[1].0, Some(WEST));
    assert_eq!(
        cloud
            .bucket_region(EAST, "flightdata-new-west")
            .await
            .unwrap(),
        WEST
    );
    assert_eq!(
        cloud
            .bucket_region(EAST, "flightdata-new-east")
            .await
            .unwrap(),
        EAST
    );

    // A retry after a lost answer. us-east-1 answers a second create of one's own bucket
    // with 200, as AWS does there for historical reasons; every other region says
    // BucketAlreadyOwnedByYou (moto answers both as AWS does).
    write(&cloud, create_bucket_request(EAST, "flightdata-new-east"))
        .await
        .expect("us-east-1 accepts a second create of one's own bucket");
    let err = write(&cloud, create_bucket_request(WEST, "flightdata-new-west"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists, "{err}");
    assert_eq!(err.code.as_deref(), Some("BucketAlreadyOwnedByYou"));
    assert_eq!((err.service, err.operation), ("s3", "CreateBucket"));
    // The same name from another region is still our bucket.
    let err = write(&cloud, create_bucket_request(WEST, "flightdata-new-east"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists, "{err}");
}

/// The plan's rule as the repair puts it: everything under `data/`, deletions too, with RTC.
fn plan_rule(destination: &str, rtc: bool) -> ReplicationConfig {
    ReplicationConfig {
        role: REPLICATION_ROLE.to_owned(),
        rules: vec![ReplicationRule {
            id: Some("ReplicateEverything".to_owned()),
            enabled: true,
            priority: Some(1),
            prefix: "data/".to_owned(),
            destination_arn: format!("arn:aws:s3:::{destination}"),
            destination_bucket: destination.to_owned(),
            storage_class: Some("STANDARD_IA".to_owned()),
            delete_marker_replication: true,
            replication_time: rtc,
            metrics: false,
        }],
    }
}

fn put_replication_request(bucket: &str, configuration: ReplicationConfig) -> WriteRequest {
    WriteRequest::PutBucketReplication {
        region: EAST.to_owned(),
        bucket: bucket.to_owned(),
        configuration,
    }
}

#[tokio::test]
async fn storage_put_replication_v2_with_rtc_and_metrics_then_delete_it() {
    let env = moto().await;
    let (source, replica) = ("flightdata-raw", "flightdata-raw-backup-us-west-2");
    create_bucket(&env, EAST, source).await;
    enable_versioning(&env, EAST, source).await;
    create_bucket(&env, WEST, replica).await;
    enable_versioning(&env, WEST, replica).await;
    let cloud = env.cloud().await;

    env.start_recording();
    let put = write(
        &cloud,
        put_replication_request(source, plan_rule(replica, true)),
    )
    .await;
    let sent = env.stop_recording();
    assert_eq!(put.unwrap(), WriteOutput::Nothing);
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let body: String = sent[0].body.split_whitespace().collect();
    // moto hard-codes the filter and delete-marker replication it reads back, so what was
    // sent is the evidence: a V2 rule, never the V1 top-level Prefix.
    for part in [
        "<Filter><Prefix>data/</Prefix></Filter>",
        "<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>",
        "<Priority>1</Priority>",
        "<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>",
        "<Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics>",
        "<StorageClass>STANDARD_IA</StorageClass>",
        "<Role>arn:aws:iam::123456789012:role/",
    ] {
        assert!(body.contains(part), "{part} not in {body}");
    }
    let rule_xml = body
        .split_once("<Rule>")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    assert!(
        !rule_xml
            .replace("<Filter><Prefix>data/</Prefix></Filter>", "")
            .contains("<Prefix>"),
        "no V1 Prefix beside the Filter: {body}"
    );

    let read = cloud
        .get_replication(EAST, source)
        .await
        .unwrap()
        .expect("a replication configuration");
    assert_eq!(read.role, REPLICATION_ROLE);
    let rule = &read.rules[0];
    assert_eq!(rule.id.as_deref(), Some("ReplicateEverything"));
    assert!(rule.enabled);
    assert_eq!(rule.priority, Some(1));
    assert_eq!(rule.destination_bucket, replica);
    assert_eq!(rule.storage_class.as_deref(), Some("STANDARD_IA"));
    assert!(rule.replication_time, "RTC round-trips: {rule:?}");
    assert!(rule.metrics, "metrics come with RTC: {rule:?}");

    // Without RTC, no ReplicationTime and no Metrics are sent.
    env.start_recording();
    write(
        &cloud,
        put_replication_request(source, plan_rule(replica, false)),
    )
    .await
    .unwrap();
    let sent = env.stop_recording();
    assert!(
        !sent[0].body.contains("ReplicationTime") && !sent[0].body.contains("<Metrics>"),
        "{}",
        sent[0].body
    );
    let rule = &cloud
        .get_replication(EAST, source)
        .await
        .unwrap()
        .unwrap()
        .rules[0];
    assert!(!rule.replication_time && !rule.metrics, "{rule:?}");

    let removed = WriteRequest::DeleteBucketReplication {
        region: EAST.to_owned(),
        bucket: source.to_owned(),
    };
    assert_eq!(write(&cloud, removed).await.unwrap(), WriteOutput::Nothing);
    assert_eq!(cloud.get_replication(EAST, source).await.unwrap(), None);
}

#[tokio::test]
async fn storage_put_replication_on_an_unversioned_source_is_a_validation_error() {
    let env = moto().await;
    create_bucket(&env, EAST, "flightdata-raw").await;
    create_bucket(&env, WEST, "flightdata-raw-backup-us-west-2").await;
    let cloud = env.cloud().await;

    let err = write(
        &cloud,
        put_replication_request(
            "flightdata-raw",
            plan_rule("flightdata-raw-backup-us-west-2", true),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Validation, "{err}");
    assert_eq!(err.code.as_deref(), Some("InvalidRequest"), "{err}");
    assert!(err.request_id.is_some(), "{err:?}");
    assert_eq!(
        cloud.get_replication(EAST, "flightdata-raw").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn storage_put_object_reads_back_byte_identical() {
    let env = moto().await;
    create_bucket(&env, WEST, LAMBDA_COPY_BUCKET).await;
    let cloud = env.cloud().await;
    // Every byte value, so nothing on the way may treat the body as text.
    let package: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let body = ObjectBody::bytes("application/zip", package.clone());
    let ObjectBody::Bytes { sha256, .. } = &body else {
        unreachable!()
    };
    let declared = sha256.clone();
    let key = "lambda-backups/2026-11-26/flightdata-processor.zip";

    env.start_recording();
    let put = WriteRequest::PutObject {
        region: WEST.to_owned(),
        bucket: LAMBDA_COPY_BUCKET.to_owned(),
        key: key.to_owned(),
        body,
    };
    assert_eq!(write(&cloud, put).await.unwrap(), WriteOutput::Nothing);
    let sent = env.stop_recording();
    let upload = sent.iter().find(|r| r.method == "PUT").expect("the upload");
    let expected = aws_smithy_types::base64::encode(hex::decode(&declared).unwrap());
    assert_eq!(
        upload.header("x-amz-checksum-sha256"),
        Some(expected.as_str()),
        "S3 is asked to verify the declared SHA-256"
    );
    assert_eq!(upload.header("content-type"), Some("application/zip"));

    // moto never checks a checksum (AWS refuses a mismatch): hash what comes back ourselves.
    let got = env
        .s3(WEST)
        .await
        .get_object()
        .bucket(LAMBDA_COPY_BUCKET)
        .key(key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("application/zip"));
    assert_eq!(got.checksum_sha256(), Some(expected.as_str()));
    let bytes = got.body.collect().await.unwrap().into_bytes();
    assert_eq!(bytes.len(), package.len());
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), declared);

    // A text body (a function's configuration) goes up with its own digest.
    let config = serde_json::json!({"FunctionName": "flightdata-processor", "Timeout": 30});
    let put = WriteRequest::PutObject {
        region: WEST.to_owned(),
        bucket: LAMBDA_COPY_BUCKET.to_owned(),
        key: "lambda-backups/2026-11-26/flightdata-processor.json".to_owned(),
        body: ObjectBody::json(&config),
    };
    write(&cloud, put).await.unwrap();
    let got = env
        .s3(WEST)
        .await
        .get_object()
        .bucket(LAMBDA_COPY_BUCKET)
        .key("lambda-backups/2026-11-26/flightdata-processor.json")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("application/json"));
    let text = got.body.collect().await.unwrap().into_bytes();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&text).unwrap(),
        config
    );

    let err = write(
        &cloud,
        WriteRequest::PutObject {
            region: WEST.to_owned(),
            bucket: "flightdata-nope".to_owned(),
            key: "x".to_owned(),
            body: ObjectBody::bytes("application/zip", vec![1, 2, 3]),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

/// moto's S3 sends only `x-amzn-RequestId`; AWS's sends `x-amz-request-id` and the extended
/// `x-amz-id-2`, and support asks for both.
#[tokio::test]
async fn writes_s3_request_id_carries_the_extended_id() {
    let fake = FakeHttp::serve(
        "HTTP/1.1 200 OK\r\nx-amz-request-id: 4442587FB7D0A2F9\r\n\
         x-amz-id-2: vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=",
        b"",
        1,
    );
    let config = sdk_config_for(&fake.url, EAST).await;
    let cloud = AwsCloud::from_sdk_config(&config, test_options(), true);
    let sent = cloud
        .send(
            &versioning(EAST, "flightdata-raw", true),
            &Authority::for_tests(),
        )
        .await
        .unwrap();
    assert_eq!(
        sent.request_id.as_deref(),
        Some(
            "4442587FB7D0A2F9 (extended \
             vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=)"
        )
    );
    let requests = fake.requests();
    assert!(
        requests[0].starts_with("PUT /flightdata-raw/?versioning"),
        "{requests:?}"
    );
}

/// A write is sent once. A 5xx may come after AWS did the work, and the SDK's own retry would
/// then repeat it behind the journal's back; reads keep their retries. The fake answers one
/// connection: a retry would find nothing listening and fail as unreachable instead.
#[tokio::test]
async fn writes_are_sent_once_while_reads_are_retried() {
    let answer = "HTTP/1.1 500 Internal Server Error\r\nx-amzn-RequestId: R500\r\n\
                  Content-Type: application/x-amz-json-1.0";
    let body =
        br#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}"#;
    let fake = FakeHttp::serve(answer, body, 1);
    let cloud =
        AwsCloud::from_sdk_config(&sdk_config_for(&fake.url, EAST).await, test_options(), true);
    let backup = drconsole::cloud::WriteRequest::CreateBackup {
        region: EAST.into(),
        table: "flightdata-main".into(),
        backup_name: "once".into(),
    };
    let err = cloud
        .send(&backup, &Authority::for_tests())
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("InternalServerError"), "{err}");
    assert_eq!(fake.requests().len(), 1);

    let fake = FakeHttp::serve(answer, body, 1);
    let cloud =
        AwsCloud::from_sdk_config(&sdk_config_for(&fake.url, EAST).await, test_options(), true);
    let err = cloud
        .describe_table(EAST, "flightdata-main")
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Unreachable,
        "a read is tried again, and finds the fake gone: {err}"
    );
}
