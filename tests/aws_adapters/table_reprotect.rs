//! The re-protection writes a restored table needs (TTL, stream, tags), read back from moto.

use std::collections::BTreeMap;

use drconsole::action::Authority;
use drconsole::cloud::{Backups, ErrorKind, WriteRequest, Writes};

use super::common::*;

const EAST: &str = PRIMARY_REGION;

async fn send(env: &MotoEnv, request: WriteRequest) -> drconsole::cloud::CloudResult<()> {
    let sent = env
        .cloud()
        .await
        .send(&request, &Authority::for_tests())
        .await?;
    assert!(sent.request_id.is_some(), "{sent:?}");
    Ok(())
}

#[tokio::test]
async fn ttl_stream_and_tags_are_put_on_a_table() {
    let env = moto().await;
    create_table(&env, EAST, "orders").await;
    let arn = format!("arn:aws:dynamodb:{EAST}:{ACCOUNT}:table/orders");

    send(
        &env,
        WriteRequest::UpdateTimeToLive {
            region: EAST.into(),
            table: "orders".into(),
            attribute: "expires_at".into(),
            enabled: true,
        },
    )
    .await
    .unwrap();
    send(
        &env,
        WriteRequest::UpdateTableStream {
            region: EAST.into(),
            table: "orders".into(),
            view_type: Some("NEW_AND_OLD_IMAGES".into()),
        },
    )
    .await
    .unwrap();
    send(
        &env,
        WriteRequest::TagTable {
            region: EAST.into(),
            table_arn: arn.clone(),
            tags: BTreeMap::from([
                ("team".to_owned(), "data".to_owned()),
                ("tier".to_owned(), "1".to_owned()),
            ]),
        },
    )
    .await
    .unwrap();

    let ddb = env.dynamodb(EAST).await;
    let ttl = ddb
        .describe_time_to_live()
        .table_name("orders")
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(
        ttl.time_to_live_status().map(|s| s.as_str()),
        Some("ENABLED")
    );
    let described = ddb
        .describe_table()
        .table_name("orders")
        .send()
        .await
        .unwrap();
    let stream = described.table().unwrap().stream_specification().unwrap();
    assert!(stream.stream_enabled());
    assert_eq!(
        stream.stream_view_type().map(|v| v.as_str()),
        Some("NEW_AND_OLD_IMAGES")
    );
    let tags = ddb
        .list_tags_of_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags: BTreeMap<&str, &str> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, BTreeMap::from([("team", "data"), ("tier", "1")]));

    // The schema reader sees the same protection the writes put there.
    let schema = env
        .cloud()
        .await
        .describe_table_schema(EAST, "orders")
        .await
        .unwrap();
    assert_eq!(schema.ttl_attribute.as_deref(), Some("expires_at"));
    assert_eq!(
        schema.stream_view_type.as_deref(),
        Some("NEW_AND_OLD_IMAGES")
    );
    assert_eq!(schema.tags.len(), 2);

    // Turning the stream off again is the same write with no view type.
    send(
        &env,
        WriteRequest::UpdateTableStream {
            region: EAST.into(),
            table: "orders".into(),
            view_type: None,
        },
    )
    .await
    .unwrap();
    let described = ddb
        .describe_table()
        .table_name("orders")
        .send()
        .await
        .unwrap();
    assert!(
        !described
            .table()
            .unwrap()
            .stream_specification()
            .is_some_and(|s| s.stream_enabled()),
        "{described:?}"
    );
}

#[tokio::test]
async fn re_protecting_a_missing_table_is_not_found() {
    let env = moto().await;
    let err = send(
        &env,
        WriteRequest::UpdateTimeToLive {
            region: EAST.into(),
            table: "nope".into(),
            attribute: "expires_at".into(),
            enabled: true,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(err.operation, "UpdateTimeToLive");
}
