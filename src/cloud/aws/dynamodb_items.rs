//! DynamoDB items, read to judge a restore: a counting parallel scan with progress, a sample
//! of whole items, and items fetched by key (BatchGetItem).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Select};
use futures::future::try_join_all;

use super::{AwsCloud, cloud_error};
use crate::cloud::{AttrValue, CloudError, CloudResult, ErrorKind, Item, ScanCount, ScanProgress};

const SERVICE: &str = "dynamodb";

/// BatchGetItem's limit per call.
const BATCH_GET_MAX: usize = 100;

/// Rounds of asking again for UnprocessedKeys before giving up: DynamoDB leaves keys out
/// under throttling, and each round backs off.
const UNPROCESSED_ROUNDS: u32 = 8;

pub(crate) fn from_sdk(v: &AttributeValue) -> AttrValue {
    match v {
        AttributeValue::S(s) => AttrValue::S(s.clone()),
        AttributeValue::N(n) => AttrValue::N(n.clone()),
        AttributeValue::B(b) => AttrValue::B(aws_smithy_types::base64::encode(b.as_ref())),
        AttributeValue::Bool(b) => AttrValue::Bool(*b),
        AttributeValue::Null(_) => AttrValue::Null,
        AttributeValue::L(l) => AttrValue::L(l.iter().map(from_sdk).collect()),
        AttributeValue::M(m) => {
            AttrValue::M(m.iter().map(|(k, v)| (k.clone(), from_sdk(v))).collect())
        }
        AttributeValue::Ss(s) => AttrValue::Ss(s.clone()),
        AttributeValue::Ns(s) => AttrValue::Ns(s.clone()),
        AttributeValue::Bs(s) => AttrValue::Bs(
            s.iter()
                .map(|b| aws_smithy_types::base64::encode(b.as_ref()))
                .collect(),
        ),
        // A type newer than this SDK: kept visible rather than dropped.
        _ => AttrValue::S(format!("{v:?}")),
    }
}

pub(crate) fn to_sdk(v: &AttrValue) -> AttributeValue {
    let blob = |b: &str| {
        aws_smithy_types::Blob::new(aws_smithy_types::base64::decode(b).unwrap_or_default())
    };
    match v {
        AttrValue::S(s) => AttributeValue::S(s.clone()),
        AttrValue::N(n) => AttributeValue::N(n.clone()),
        AttrValue::B(b) => AttributeValue::B(blob(b)),
        AttrValue::Bool(b) => AttributeValue::Bool(*b),
        AttrValue::Null => AttributeValue::Null(true),
        AttrValue::L(l) => AttributeValue::L(l.iter().map(to_sdk).collect()),
        AttrValue::M(m) => {
            AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), to_sdk(v))).collect())
        }
        AttrValue::Ss(s) => AttributeValue::Ss(s.clone()),
        AttrValue::Ns(s) => AttributeValue::Ns(s.clone()),
        AttrValue::Bs(s) => AttributeValue::Bs(s.iter().map(|b| blob(b)).collect()),
    }
}

fn item_from_sdk(m: &HashMap<String, AttributeValue>) -> Item {
    m.iter().map(|(k, v)| (k.clone(), from_sdk(v))).collect()
}

fn item_to_sdk(item: &Item) -> HashMap<String, AttributeValue> {
    item.iter().map(|(k, v)| (k.clone(), to_sdk(v))).collect()
}

impl AwsCloud {
    pub(crate) async fn count_items_progress(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> CloudResult<ScanCount> {
        self.parallel_scan(region, table, segments, None, progress)
            .await
    }

    pub(crate) async fn scan_items_progress(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        visit: &(dyn for<'i> Fn(&'i Item) + Send + Sync),
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> CloudResult<ScanCount> {
        self.parallel_scan(region, table, segments, Some(visit), progress)
            .await
    }

    /// A parallel scan of the whole table, every page of every segment. Without `visit` it
    /// asks for counts only (`Select=COUNT`: no item crosses the wire); with it, each item is
    /// handed to `visit`.
    async fn parallel_scan(
        &self,
        region: &str,
        table: &str,
        segments: u32,
        visit: Option<&(dyn for<'i> Fn(&'i Item) + Send + Sync)>,
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> CloudResult<ScanCount> {
        let client = self.dynamodb(region);
        let total = segments.max(1);
        let pages = AtomicU64::new(0);
        let counts = try_join_all((0..total).map(|segment| {
            let client = client.clone();
            let pages = &pages;
            async move {
                let mut count = 0u64;
                let mut start = None;
                loop {
                    let out = client
                        .scan()
                        .table_name(table)
                        .set_select(visit.is_none().then_some(Select::Count))
                        .segment(segment as i32)
                        .total_segments(total as i32)
                        .set_exclusive_start_key(start.take())
                        .send()
                        .await
                        .map_err(|e| cloud_error(SERVICE, "Scan", e))?;
                    pages.fetch_add(1, Ordering::Relaxed);
                    match visit {
                        Some(visit) => {
                            for item in out.items() {
                                visit(&item_from_sdk(item));
                            }
                            count += out.items().len() as u64;
                        }
                        None => count += out.count().max(0) as u64,
                    }
                    progress(ScanProgress {
                        segment,
                        segments: total,
                        segment_items: count,
                    });
                    match out.last_evaluated_key() {
                        Some(key) if !key.is_empty() => start = Some(key.clone()),
                        _ => return Ok::<u64, CloudError>(count),
                    }
                }
            }
        }))
        .await?;
        Ok(ScanCount {
            items: counts.into_iter().sum(),
            segments: total,
            pages: pages.into_inner(),
        })
    }

    pub(crate) async fn sample_table_items(
        &self,
        region: &str,
        table: &str,
        n: usize,
    ) -> CloudResult<Vec<Item>> {
        let client = self.dynamodb(region);
        let mut items = Vec::new();
        let mut start = None;
        while items.len() < n {
            let out = client
                .scan()
                .table_name(table)
                .limit((n - items.len()).min(1000) as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "Scan", e))?;
            items.extend(out.items().iter().map(item_from_sdk));
            match out.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        items.truncate(n);
        Ok(items)
    }

    pub(crate) async fn get_table_items(
        &self,
        region: &str,
        table: &str,
        keys: &[Item],
    ) -> CloudResult<Vec<Item>> {
        let client = self.dynamodb(region);
        let mut found = Vec::new();
        for chunk in keys.chunks(BATCH_GET_MAX) {
            let mut pending: Vec<HashMap<String, AttributeValue>> =
                chunk.iter().map(item_to_sdk).collect();
            let mut round = 0;
            while !pending.is_empty() {
                if round == UNPROCESSED_ROUNDS {
                    return Err(CloudError::new(
                        SERVICE,
                        "BatchGetItem",
                        ErrorKind::Throttled,
                        format!(
                            "{} key(s) still unprocessed after {UNPROCESSED_ROUNDS} rounds",
                            pending.len()
                        ),
                    ));
                }
                if round > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << round)).await;
                }
                round += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .build()
                    .map_err(|e| {
                        CloudError::new(
                            SERVICE,
                            "BatchGetItem",
                            ErrorKind::Validation,
                            e.to_string(),
                        )
                    })?;
                let out = client
                    .batch_get_item()
                    .request_items(table, request)
                    .send()
                    .await
                    .map_err(|e| cloud_error(SERVICE, "BatchGetItem", e))?;
                if let Some(items) = out.responses().and_then(|r| r.get(table)) {
                    found.extend(items.iter().map(item_from_sdk));
                }
                if let Some(left) = out.unprocessed_keys().and_then(|u| u.get(table)) {
                    pending = left.keys().to_vec();
                }
            }
        }
        Ok(found)
    }
}
