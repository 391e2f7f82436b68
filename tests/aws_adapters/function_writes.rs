//! Lambda through the port and beside it: stopping and restarting what feeds a function, and
//! downloading its code from the presigned URL GetFunction gives.

use sha2::Digest;

use super::*;

fn toggle(uuid: &str, function: &str, enabled: bool) -> WriteRequest {
    WriteRequest::UpdateEventSourceMapping {
        region: EAST.to_owned(),
        uuid: uuid.to_owned(),
        function: function.to_owned(),
        enabled,
    }
}

#[tokio::test]
async fn functions_event_source_mappings_are_listed_and_toggled() {
    let env = moto().await;
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    let (ingest, other) = ("flightdata-ingest", "flightdata-api");
    create_function(&env, EAST, ingest, &role).await;
    create_function(&env, EAST, other, &role).await;
    let queue = env.create_queue(EAST, "flightdata-ingest-queue");
    let other_queue = env.create_queue(EAST, "flightdata-api-queue");
    let uuid = create_event_source_mapping(&env, EAST, ingest, &queue).await;
    create_event_source_mapping(&env, EAST, other, &other_queue).await;
    let cloud = env.cloud().await;

    let listed = cloud
        .list_event_source_mappings(EAST, ingest)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "only the function's own: {listed:#?}");
    let mapping = &listed[0];
    assert_eq!(mapping.uuid, uuid);
    assert_eq!(mapping.source_arn.as_deref(), Some(queue.as_str()));
    assert!(
        mapping
            .function_arn
            .as_deref()
            .is_some_and(|arn| arn.ends_with(&format!(":function:{ingest}"))),
        "{mapping:?}"
    );
    assert!(mapping.is_enabled(), "{mapping:?}");

    // Stop ingestion. AWS answers "Disabling" and settles on "Disabled" within seconds; moto
    // answers "Disabled" at once. Either way it no longer counts as running.
    let stopped = output!(write(&cloud, toggle(&uuid, ingest, false)).await, Mapping);
    assert_eq!(stopped.uuid, uuid);
    assert!(
        ["Disabling", "Disabled"].contains(&stopped.state.as_str()),
        "{stopped:?}"
    );
    assert!(!stopped.is_enabled());
    let listed = cloud
        .list_event_source_mappings(EAST, ingest)
        .await
        .unwrap();
    assert!(!listed[0].is_enabled(), "{listed:?}");
    let others = cloud.list_event_source_mappings(EAST, other).await.unwrap();
    assert!(others[0].is_enabled(), "the other function keeps its feed");

    // Restart: the undo.
    let restarted = output!(write(&cloud, toggle(&uuid, ingest, true)).await, Mapping);
    assert!(restarted.is_enabled(), "{restarted:?}");
    let listed = cloud
        .list_event_source_mappings(EAST, ingest)
        .await
        .unwrap();
    assert!(listed[0].is_enabled(), "{listed:?}");

    assert!(
        cloud
            .list_event_source_mappings(EAST, "flightdata-unfed")
            .await
            .unwrap()
            .is_empty()
    );
    // AWS answers an unknown UUID with ResourceNotFoundException; moto with 200 and `{}`.
    // An answer that names no mapping is never taken for a done change.
    let err = write(
        &cloud,
        toggle("00000000-0000-0000-0000-000000000000", ingest, false),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.service, err.operation),
        ("lambda", "UpdateEventSourceMapping")
    );
    assert_eq!(err.kind, ErrorKind::Client, "{err}");
    assert!(err.message.contains("UUID"), "{err}");
}

#[tokio::test]
async fn functions_code_that_cannot_be_downloaded_is_a_clean_error() {
    let env = moto().await;
    let role = env.create_iam_role(LAMBDA_ROLE_NAME);
    create_function(&env, EAST, "flightdata-processor", &role).await;
    let cloud = env.cloud().await;
    let location = cloud
        .get_function(EAST, "flightdata-processor")
        .await
        .unwrap()
        .code_location
        .expect("GetFunction names the code's location");
    // A real location is presigned: its query string carries the signature and the token.
    let presigned = format!("{location}?X-Amz-Security-Token=SECRET-TOKEN&X-Amz-Signature=abc");
    let host = location
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();

    // moto's location (awslambda-REGION-tasks.s3...) does not resolve here.
    let err = cloud.download_code(EAST, &presigned).await.unwrap_err();
    assert_eq!((err.service, err.operation), ("lambda", "GetFunction"));
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(err.message.contains(&host), "names the host: {err}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("SECRET") && !shown.contains('?') && !shown.contains("X-Amz"),
        "never the query string: {shown}"
    );
}

#[tokio::test]
async fn functions_code_is_downloaded_whole_from_its_url() {
    let cloud = AwsCloud::from_sdk_config(
        &sdk_config_for(&dead_endpoint(), EAST).await,
        test_options(),
        true,
    );
    let package = zip_one_file("index.py", &vec![b'#'; 100_000]);
    let fake = FakeHttp::serve(
        "HTTP/1.1 200 OK\r\nContent-Type: application/zip",
        &package,
        1,
    );
    let url = format!(
        "{}/snapshots/123456789012/flightdata-processor-1a2b?X-Amz-Signature=abc",
        fake.url
    );
    let got = cloud.download_code(EAST, &url).await.unwrap();
    assert_eq!(got.len(), package.len());
    assert_eq!(sha2::Sha256::digest(&got), sha2::Sha256::digest(&package));
    assert_eq!(
        fake.requests(),
        ["GET /snapshots/123456789012/flightdata-processor-1a2b?X-Amz-Signature=abc HTTP/1.1"]
    );

    // An expired link: S3 says why in its error document.
    let fake = FakeHttp::serve(
        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>\
          <Message>Request has expired</Message></Error>",
        1,
    );
    let url = format!("{}/code?X-Amz-Security-Token=SECRET-TOKEN", fake.url);
    let err = cloud.download_code(EAST, &url).await.unwrap_err();
    assert_eq!((err.service, err.operation), ("lambda", "GetFunction"));
    assert_eq!(err.kind, ErrorKind::Service, "{err}");
    assert_eq!(err.code.as_deref(), Some("AccessDenied"));
    let host = fake.url.trim_start_matches("http://").to_owned();
    assert!(
        err.message.contains(&host) && err.message.contains("HTTP 403"),
        "{err}"
    );
    assert!(err.message.contains("Request has expired"), "{err}");
    assert!(!format!("{err:?}").contains("SECRET"), "{err:?}");
    fake.requests();

    // Nothing listening.
    let err = cloud
        .download_code(
            EAST,
            &format!("{}/code?X-Amz-Signature=SECRET", dead_endpoint()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(!format!("{err:?}").contains("SECRET"), "{err:?}");
}

#[tokio::test]
async fn functions_code_download_is_held_to_the_call_timeout() {
    let options = AwsOptions {
        call_timeout: Duration::from_millis(300),
        ..test_options()
    };
    let cloud =
        AwsCloud::from_sdk_config(&sdk_config_for(&dead_endpoint(), EAST).await, options, true);
    // The kernel completes the connection from the backlog; nobody ever answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/code?X-Amz-Signature=SECRET",
        silent.local_addr().unwrap()
    );
    let err = cloud.download_code(EAST, &url).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert_eq!((err.service, err.operation), ("lambda", "GetFunction"));
    assert!(!format!("{err:?}").contains("SECRET"), "{err:?}");
}
