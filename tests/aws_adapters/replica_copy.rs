//! S3 for a copy back from a replica: objects with their storage class, a ranged read, a
//! batch copy (multipart above the given size), and restores of archived objects.

use aws_sdk_s3::types::StorageClass;

use super::*;
use drconsole::cloud::ObjectToCopy;

async fn put(
    env: &MotoEnv,
    region: &str,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    class: StorageClass,
) {
    env.s3(region)
        .await
        .put_object()
        .bucket(bucket)
        .key(key)
        .storage_class(class)
        .body(body.into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObject {key}: {e:?}"));
}

async fn body_of(env: &MotoEnv, region: &str, bucket: &str, key: &str) -> Vec<u8> {
    env.s3(region)
        .await
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {key}: {e:?}"))
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes()
        .to_vec()
}

#[tokio::test]
async fn storage_lists_storage_classes_and_reads_a_first_byte() {
    let env = moto().await;
    create_bucket(&env, WEST, "replica").await;
    put(
        &env,
        WEST,
        "replica",
        "a.json",
        b"{}".to_vec(),
        StorageClass::Standard,
    )
    .await;
    put(
        &env,
        WEST,
        "replica",
        "old.json",
        b"[1]".to_vec(),
        StorageClass::Glacier,
    )
    .await;
    let cloud = env.cloud().await;

    let listed = cloud
        .list_stored_objects(WEST, "replica", None)
        .await
        .unwrap();
    let classes: Vec<(&str, &str, u64)> = listed
        .iter()
        .map(|o| (o.key.as_str(), o.storage_class.as_str(), o.size))
        .collect();
    assert_eq!(
        classes,
        [("a.json", "STANDARD", 2), ("old.json", "GLACIER", 3)]
    );
    assert!(!listed[0].is_archived() && listed[1].is_archived());
    assert!(!listed[1].is_readable(), "{:?}", listed[1]);

    env.start_recording();
    let first = cloud
        .read_object_start(WEST, "replica", "a.json", 1)
        .await
        .unwrap();
    let sent = env.stop_recording();
    assert_eq!(first, b"{");
    assert_eq!(sent[0].header("range"), Some("bytes=0-0"), "{sent:?}");

    let err = cloud
        .read_object_start(WEST, "replica", "missing.json", 1)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn storage_batch_copy_uses_parts_above_the_threshold() {
    let env = moto().await;
    create_bucket(&env, WEST, "replica").await;
    create_bucket(&env, EAST, "primary").await;
    let big: Vec<u8> = (0..6 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    put(
        &env,
        WEST,
        "replica",
        "big.bin",
        big.clone(),
        StorageClass::Standard,
    )
    .await;
    put(
        &env,
        WEST,
        "replica",
        "small.txt",
        b"hello".to_vec(),
        StorageClass::Standard,
    )
    .await;
    let cloud = env.cloud().await;

    let request = WriteRequest::CopyObjectBatch {
        from: BucketRef::new(WEST, "replica"),
        to: BucketRef::new(EAST, "primary"),
        objects: vec![
            ObjectToCopy {
                key: "big.bin".into(),
                size: big.len() as u64,
            },
            ObjectToCopy {
                key: "small.txt".into(),
                size: 5,
            },
        ],
        // Lowered from S3's 5 GiB so a small object takes the multipart path; 5 MiB parts
        // are S3's smallest.
        multipart_above: 1024,
        part_size: 5 * 1024 * 1024,
    };
    env.start_recording();
    let report = output!(write(&cloud, request).await, Copy);
    let sent = env.stop_recording();
    assert_eq!((report.copied, report.bytes), (2, big.len() as u64 + 5));
    let copies = |key: &str| -> Vec<&str> {
        sent.iter()
            .filter(|r| {
                r.method == "PUT"
                    && r.path().contains(key)
                    && r.header("x-amz-copy-source").is_some()
            })
            .map(|r| r.header("x-amz-copy-source-range").unwrap_or("whole"))
            .collect()
    };
    assert_eq!(
        copies("big.bin"),
        ["bytes=0-5242879", "bytes=5242880-6291455"],
        "the large object: two UploadPartCopy calls with ranges"
    );
    assert_eq!(
        copies("small.txt"),
        ["whole"],
        "the small one: one CopyObject"
    );
    assert!(
        sent.iter().any(|r| r.url.contains("uploads")),
        "CreateMultipartUpload"
    );
    assert_eq!(body_of(&env, EAST, "primary", "big.bin").await, big);
    assert_eq!(body_of(&env, EAST, "primary", "small.txt").await, b"hello");
}

#[tokio::test]
async fn storage_restore_objects_asks_once_per_key() {
    let env = moto().await;
    create_bucket(&env, WEST, "replica").await;
    put(
        &env,
        WEST,
        "replica",
        "old.json",
        b"[1]".to_vec(),
        StorageClass::Glacier,
    )
    .await;
    let cloud = env.cloud().await;

    let request = WriteRequest::RestoreObjects {
        region: WEST.into(),
        bucket: "replica".into(),
        keys: vec!["old.json".into()],
        days: 7,
        tier: "Standard".into(),
    };
    env.start_recording();
    let out = write(&cloud, request).await;
    let sent = env.stop_recording();
    assert_eq!(out.unwrap(), WriteOutput::Nothing);
    let restores: Vec<&str> = sent
        .iter()
        .filter(|r| r.url.contains("restore"))
        .map(|r| r.body.as_str())
        .collect();
    assert_eq!(restores.len(), 1, "{sent:?}");
    assert!(
        restores[0].contains("<Days>7</Days>") && restores[0].contains("Standard"),
        "{}",
        restores[0]
    );
    let head = env
        .s3(WEST)
        .await
        .head_object()
        .bucket("replica")
        .key("old.json")
        .send()
        .await
        .unwrap();
    assert!(
        head.restore().is_some(),
        "moto records the restore: {head:?}"
    );
}
