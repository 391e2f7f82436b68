//! DynamoDB items for the recovery checks: a counting parallel scan that reports each page,
//! a sample of whole items, and items fetched by key.

use std::sync::Mutex;

use super::*;
use drconsole::cloud::{AttrValue, Item, ScanProgress};

fn key(id: &str) -> Item {
    [("flight_id".to_owned(), AttrValue::S(id.to_owned()))]
        .into_iter()
        .collect()
}

#[tokio::test]
async fn items_count_with_progress_per_segment() {
    let env = moto().await;
    create_table(&env, EAST, "flightdata-main").await;
    put_items(&env, EAST, "flightdata-main", 40).await;
    let cloud = env.cloud().await;

    let seen: Mutex<Vec<ScanProgress>> = Mutex::new(Vec::new());
    let count = cloud
        .count_items_with(EAST, "flightdata-main", 4, &|p| {
            seen.lock().unwrap().push(p)
        })
        .await
        .unwrap();
    assert_eq!((count.items, count.segments), (40, 4));
    let seen = seen.into_inner().unwrap();
    assert_eq!(count.pages, seen.len() as u64, "one report per page");
    let mut segments: Vec<u32> = seen.iter().map(|p| p.segment).collect();
    segments.sort_unstable();
    segments.dedup();
    assert_eq!(segments, [0, 1, 2, 3], "every segment reports");
    // The last report of each segment is its count; together, the table's.
    let last: u64 = (0..4)
        .map(|s| {
            seen.iter()
                .filter(|p| p.segment == s)
                .map(|p| p.segment_items)
                .max()
                .unwrap()
        })
        .sum();
    assert_eq!(last, 40);

    let err = cloud
        .count_items_with(EAST, "no-such-table", 2, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn items_sampled_then_fetched_by_key_in_another_table() {
    let env = moto().await;
    create_table(&env, EAST, "flightdata-main").await;
    put_items(&env, EAST, "flightdata-main", 30).await;
    let cloud = env.cloud().await;

    let sample = cloud
        .sample_items(EAST, "flightdata-main", 12)
        .await
        .unwrap();
    assert_eq!(sample.len(), 12);
    assert!(
        sample
            .iter()
            .all(|i| matches!(i.get("altitude"), Some(AttrValue::N(_)))
                && matches!(i.get("flight_id"), Some(AttrValue::S(_)))),
        "{sample:?}"
    );
    let all = cloud
        .sample_items(EAST, "flightdata-main", 500)
        .await
        .unwrap();
    assert_eq!(all.len(), 30, "a sample larger than the table is the table");

    // 130 keys: two BatchGetItem calls (at most 100 keys each); the 100 unknown ones are
    // simply absent.
    let mut keys: Vec<Item> = (0..30).map(|i| key(&format!("FL{i:05}"))).collect();
    keys.extend((0..100).map(|i| key(&format!("XX{i:05}"))));
    env.start_recording();
    let found = cloud
        .get_items(EAST, "flightdata-main", &keys)
        .await
        .unwrap();
    let sent = env.stop_recording();
    assert_eq!(found.len(), 30);
    let batch_gets = sent
        .iter()
        .filter(|r| r.operation() == "BatchGetItem")
        .count();
    assert_eq!(batch_gets, 2, "{sent:?}");
    let twelve = found
        .iter()
        .find(|i| i.get("flight_id") == Some(&AttrValue::S("FL00012".into())))
        .unwrap();
    assert_eq!(twelve.get("altitude"), Some(&AttrValue::N("30012".into())));
}
