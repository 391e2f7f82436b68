//! The writes the recovery actions send: buckets, replication rules, objects, event source
//! mappings, alarm states and code downloads, each with AWS's answers and errors.

use chrono::Duration;
use sha2::Digest;

use super::*;
use crate::cloud::writes::ObjectBody;
use crate::cloud::{
    AlarmState, ErrorKind, Functions, Metrics, ReplicationConfig, ReplicationRule, Storage,
    Versioning,
};

const INGEST: &str = "flightdata-processor";

fn rule(id: &str, destination: &str) -> ReplicationConfig {
    ReplicationConfig {
        role: "arn:aws:iam::123456789012:role/s3-replication-role".into(),
        rules: vec![ReplicationRule {
            id: Some(id.into()),
            enabled: true,
            priority: Some(1),
            prefix: String::new(),
            destination_arn: format!("arn:aws:s3:::{destination}"),
            destination_bucket: destination.into(),
            storage_class: Some("STANDARD".into()),
            delete_marker_replication: true,
            replication_time: true,
            metrics: true,
        }],
    }
}

fn create_bucket(region: &str, bucket: &str) -> WriteRequest {
    WriteRequest::CreateBucket {
        region: region.into(),
        bucket: bucket.into(),
    }
}

fn versioning(region: &str, bucket: &str) -> WriteRequest {
    WriteRequest::PutBucketVersioning {
        region: region.into(),
        bucket: bucket.into(),
        enabled: true,
    }
}

fn put_rule(region: &str, bucket: &str, configuration: ReplicationConfig) -> WriteRequest {
    WriteRequest::PutBucketReplication {
        region: region.into(),
        bucket: bucket.into(),
        configuration,
    }
}

fn put_text(region: &str, bucket: &str, key: &str, text: &str) -> WriteRequest {
    WriteRequest::PutObject {
        region: region.into(),
        bucket: bucket.into(),
        key: key.into(),
        body: ObjectBody::Text {
            content_type: "application/json".into(),
            text: text.into(),
        },
    }
}

fn mapping(uuid: &str, enabled: bool) -> WriteRequest {
    WriteRequest::UpdateEventSourceMapping {
        region: EAST.into(),
        uuid: uuid.into(),
        function: INGEST.into(),
        enabled,
    }
}

fn alarm_state(alarm: &str, state: AlarmState, reason: &str) -> WriteRequest {
    WriteRequest::SetAlarmState {
        region: EAST.into(),
        alarm: alarm.into(),
        state,
        reason: reason.into(),
    }
}

fn assert_code(err: &crate::cloud::CloudError, code: &str, kind: ErrorKind) {
    assert_eq!(err.code.as_deref(), Some(code), "{err}");
    assert_eq!(err.kind, kind, "{err}");
}

#[tokio::test]
async fn every_write_answers_with_a_request_id_shaped_like_aws() {
    let sim = sim(&[]);
    let first = send(&sim, versioning(EAST, "flightdata-raw"))
        .await
        .unwrap();
    let second = send(&sim, versioning(EAST, "flightdata-raw"))
        .await
        .unwrap();
    let (a, b) = (first.request_id.unwrap(), second.request_id.unwrap());
    assert_ne!(a, b);
    for id in [&a, &b] {
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    }
    // The same calls on a fresh estate answer with the same ids.
    let again = send(&super::sim(&[]), versioning(EAST, "flightdata-raw"))
        .await
        .unwrap();
    assert_eq!(again.request_id.as_deref(), Some(a.as_str()));
    let err = send(&sim, versioning(EAST, "nope")).await.unwrap_err();
    assert!(err.request_id.is_some(), "{err}");
}

#[tokio::test]
async fn a_created_bucket_is_empty_unversioned_and_seen_by_every_read() {
    let sim = sim(&[]);
    let name = "flightdata-drill-replica";
    send(&sim, create_bucket(WEST, name)).await.unwrap();
    let listed = sim.list_buckets().await.unwrap();
    let b = listed.iter().find(|b| b.name == name).unwrap();
    assert_eq!((b.region.as_str(), b.created), (WEST, Some(t0())));
    assert_eq!(sim.bucket_region(EAST, name).await.unwrap(), WEST);
    sim.head_bucket(WEST, name).await.unwrap();
    assert_eq!(
        sim.get_versioning(WEST, name).await.unwrap(),
        Versioning::Disabled
    );
    assert_eq!(
        sim.count_objects(WEST, name, None).await.unwrap().objects,
        0
    );
    assert_eq!(sim.get_replication(WEST, name).await.unwrap(), None);
    send(&sim, versioning(WEST, name)).await.unwrap();
    assert_eq!(
        sim.get_versioning(WEST, name).await.unwrap(),
        Versioning::Enabled
    );
}

#[tokio::test]
async fn creating_a_bucket_answers_as_s3_does() {
    let sim = sim(&[]);
    let err = send(&sim, create_bucket(WEST, "flightdata-raw-backup-us-west-2"))
        .await
        .unwrap_err();
    assert_code(&err, "BucketAlreadyOwnedByYou", ErrorKind::AlreadyExists);
    assert_eq!(
        err.message,
        "Your previous request to create the named bucket succeeded and you already own it."
    );
    // us-east-1 answers 200 to a bucket the caller already owns there (legacy behaviour).
    send(&sim, create_bucket(EAST, "flightdata-raw"))
        .await
        .unwrap();
    for bad in [
        "ab",
        "Flightdata",
        "flight_data",
        "-flightdata",
        "flightdata-",
        "flight..data",
        "192.168.1.10",
        "xn--flightdata",
        "flightdata-s3alias",
        &"a".repeat(64),
    ] {
        let err = send(&sim, create_bucket(WEST, bad)).await.unwrap_err();
        assert_code(&err, "InvalidBucketName", ErrorKind::Validation);
        assert_eq!(err.message, "The specified bucket is not valid.");
    }
    send(&sim, create_bucket(WEST, "a.b-c")).await.unwrap();
}

#[tokio::test]
async fn a_replication_rule_needs_versioning_on_both_sides_and_reads_back_whole() {
    let sim = sim(&[]);
    let (source, replica) = ("flightdata-drill", "flightdata-drill-replica");
    send(&sim, create_bucket(EAST, source)).await.unwrap();
    let err = send(&sim, put_rule(EAST, source, rule("drill", replica)))
        .await
        .unwrap_err();
    assert_code(&err, "InvalidRequest", ErrorKind::Validation);
    assert_eq!(
        err.message,
        "Versioning must be 'Enabled' on the bucket to apply a replication configuration"
    );
    send(&sim, versioning(EAST, source)).await.unwrap();
    let err = send(&sim, put_rule(EAST, source, rule("drill", replica)))
        .await
        .unwrap_err();
    assert_code(&err, "NoSuchBucket", ErrorKind::NotFound);
    send(&sim, create_bucket(WEST, replica)).await.unwrap();
    let err = send(&sim, put_rule(EAST, source, rule("drill", replica)))
        .await
        .unwrap_err();
    assert_code(&err, "InvalidRequest", ErrorKind::Validation);
    assert_eq!(
        err.message,
        "Destination bucket must have versioning enabled."
    );
    send(&sim, versioning(WEST, replica)).await.unwrap();
    send(&sim, put_rule(EAST, source, rule("drill", replica)))
        .await
        .unwrap();
    assert_eq!(
        sim.get_replication(EAST, source).await.unwrap(),
        Some(rule("drill", replica))
    );
    // Versioning cannot be suspended under a rule.
    let suspend = WriteRequest::PutBucketVersioning {
        region: EAST.into(),
        bucket: source.into(),
        enabled: false,
    };
    let err = send(&sim, suspend).await.unwrap_err();
    assert_code(&err, "InvalidBucketState", ErrorKind::Conflict);

    let delete = || WriteRequest::DeleteBucketReplication {
        region: EAST.into(),
        bucket: source.into(),
    };
    send(&sim, delete()).await.unwrap();
    assert_eq!(sim.get_replication(EAST, source).await.unwrap(), None);
    send(&sim, delete()).await.unwrap();
    let err = send(
        &sim,
        WriteRequest::DeleteBucketReplication {
            region: EAST.into(),
            bucket: "nope".into(),
        },
    )
    .await
    .unwrap_err();
    assert_code(&err, "NoSuchBucket", ErrorKind::NotFound);
}

#[tokio::test]
async fn an_uploaded_object_is_listed_counted_and_replicated() {
    let sim = sim(&[]);
    sim.clock().advance(Duration::minutes(2));
    let bucket = "flightdata-lambda-backups";
    let key = "lambda-backups/20261125/flightdata-api/flightdata-api-config.json";
    let before = sim.count_objects(EAST, bucket, None).await.unwrap();
    send(
        &sim,
        put_text(EAST, bucket, key, "{\"FunctionName\": \"flightdata-api\"}"),
    )
    .await
    .unwrap();
    let after = sim.count_objects(EAST, bucket, None).await.unwrap();
    assert_eq!(after.objects, before.objects + 1);
    assert_eq!(after.bytes, before.bytes + 34);
    let listed = sim
        .list_objects(EAST, bucket, Some(key), None)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].size, listed[0].last_modified),
        (34, Some(t0() + Duration::minutes(2)))
    );
    assert!(
        sim.list_prefixes(EAST, bucket, "lambda-backups/")
            .await
            .unwrap()
            .contains(&"lambda-backups/20261125/".to_owned())
    );

    // A replicated bucket copies a new object to its replica.
    let replica = "flightdata-raw-backup-us-west-2";
    let in_replica = sim
        .count_objects(WEST, replica, None)
        .await
        .unwrap()
        .objects;
    send(
        &sim,
        put_text(EAST, "flightdata-raw", "incoming/new.json", "{}"),
    )
    .await
    .unwrap();
    assert_eq!(
        sim.count_objects(WEST, replica, None)
            .await
            .unwrap()
            .objects,
        in_replica + 1
    );

    let err = send(&sim, put_text(EAST, "nope", "k", ""))
        .await
        .unwrap_err();
    assert_code(&err, "NoSuchBucket", ErrorKind::NotFound);
    let err = send(&sim, put_text(WEST, bucket, "k", ""))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("PermanentRedirect"));
}

#[tokio::test]
async fn the_ingestion_queue_is_disabled_in_five_seconds_and_enabled_again() {
    let sim = sim(&[]);
    let mappings = sim.list_event_source_mappings(EAST, INGEST).await.unwrap();
    assert_eq!(mappings.len(), 1, "{mappings:?}");
    let m = &mappings[0];
    assert_eq!(m.state, "Enabled");
    assert_eq!(
        m.source_arn.as_deref(),
        Some("arn:aws:sqs:us-east-1:123456789012:flightdata-ingest-queue")
    );
    assert_eq!(
        m.function_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:flightdata-processor")
    );
    assert!(
        sim.list_event_source_mappings(EAST, "flightdata-api")
            .await
            .unwrap()
            .is_empty()
    );

    let sent = send(&sim, mapping(&m.uuid, false)).await.unwrap();
    let WriteOutput::Mapping(answer) = sent.output else {
        panic!("{sent:?}")
    };
    assert_eq!(answer.state, "Disabling");
    sim.clock().advance(Duration::seconds(4));
    let state = || async {
        sim.list_event_source_mappings(EAST, INGEST).await.unwrap()[0]
            .state
            .clone()
    };
    assert_eq!(state().await, "Disabling");
    sim.clock().advance(Duration::seconds(1));
    assert_eq!(state().await, "Disabled");
    // Stopping ingestion as the plan does: no queue, no concurrency.
    assert_eq!(sim.concurrency(EAST, INGEST, 0).await.unwrap(), 0);
    assert_eq!(sim.get_concurrency(EAST, INGEST).await.unwrap(), Some(0));

    send(&sim, mapping(&m.uuid, true)).await.unwrap();
    assert_eq!(state().await, "Enabling");
    sim.clock().advance(Duration::seconds(5));
    assert_eq!(state().await, "Enabled");

    let err = send(&sim, mapping("00000000-0000-0000-0000-000000000000", false))
        .await
        .unwrap_err();
    assert_code(&err, "ResourceNotFoundException", ErrorKind::NotFound);
    let elsewhere = WriteRequest::UpdateEventSourceMapping {
        region: WEST.into(),
        uuid: m.uuid.clone(),
        function: INGEST.into(),
        enabled: false,
    };
    assert!(send(&sim, elsewhere).await.unwrap_err().is_not_found());
    let err = sim
        .list_event_source_mappings(EAST, "nope")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn an_alarm_state_set_holds_with_its_reason_and_time() {
    let sim = sim(&[]);
    sim.clock().advance(Duration::minutes(1));
    let name = "flightdata-api-errors";
    send(
        &sim,
        alarm_state(name, AlarmState::Alarm, "DR drill: stop condition test"),
    )
    .await
    .unwrap();
    sim.clock().advance(Duration::hours(1));
    let alarms = sim
        .describe_alarms(EAST, &[name.to_owned()], None)
        .await
        .unwrap();
    assert_eq!(alarms[0].state, AlarmState::Alarm);
    assert_eq!(
        alarms[0].reason.as_deref(),
        Some("DR drill: stop condition test")
    );
    assert_eq!(alarms[0].updated, Some(t0() + Duration::minutes(1)));
    assert_flagged(
        &snap(&sim).await,
        ResourceKind::Alarm,
        name,
        Status::Critical,
        "in ALARM: DR drill",
    );

    let err = send(&sim, alarm_state("nope", AlarmState::Ok, "x"))
        .await
        .unwrap_err();
    assert_code(&err, "ResourceNotFound", ErrorKind::NotFound);
    let err = send(&sim, alarm_state(name, AlarmState::Ok, &"x".repeat(1024)))
        .await
        .unwrap_err();
    assert_code(&err, "ValidationError", ErrorKind::Validation);
}

#[tokio::test]
async fn downloaded_code_hashes_to_the_code_sha256_for_ten_minutes() {
    let sim = sim(&[]);
    let f = sim.get_function(EAST, INGEST).await.unwrap();
    let location = f.code_location.clone().unwrap();
    let code = sim.download_code(EAST, &location).await.unwrap();
    assert_eq!(code.len() as i64, f.code_size);
    assert_eq!(
        Some(super::super::base64(&sha2::Sha256::digest(&code))),
        f.code_sha256
    );
    // Another function's package differs.
    let api = sim.get_function(EAST, "flightdata-api").await.unwrap();
    assert_ne!(api.code_sha256, f.code_sha256);

    let err = sim
        .download_code(EAST, "https://example.com/code.zip?X-Amz-Signature=secret")
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("AccessDenied"));
    assert!(err.message.contains("example.com"), "{err}");
    assert!(!err.message.contains("secret"), "{err}");
    assert!(sim.download_code(WEST, &location).await.is_err());
    sim.clock().advance(Duration::seconds(601));
    let err = sim.download_code(EAST, &location).await.unwrap_err();
    assert!(err.message.contains("Request has expired"), "{err}");
    let fresh = sim.get_function(EAST, INGEST).await.unwrap();
    assert_eq!(
        sim.download_code(EAST, &fresh.code_location.unwrap())
            .await
            .unwrap(),
        code
    );
}

#[tokio::test]
async fn a_region_outage_refuses_every_write_to_the_primary() {
    let sim = sim(&[Fault::RegionOutage]);
    for request in [
        versioning(EAST, "flightdata-raw"),
        create_bucket(EAST, "flightdata-new"),
        put_text(EAST, "flightdata-lambda-backups", "k", ""),
        alarm_state("flightdata-api-errors", AlarmState::Ok, "x"),
        mapping("any", false),
        WriteRequest::UpdateContinuousBackups {
            region: EAST.into(),
            table: "flightdata-main".into(),
            pitr: true,
        },
    ] {
        let err = send(&sim, request.clone()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unreachable, "{request:?}: {err}");
        assert_eq!(err.request_id, None);
    }
    // The backup region and the global services still take writes.
    send(&sim, create_bucket(WEST, "flightdata-new"))
        .await
        .unwrap();
    assert_eq!(
        sim.list_buckets().await.unwrap_err().kind,
        ErrorKind::Unreachable
    );
}
