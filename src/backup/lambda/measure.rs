//! What a `backup lambda` run left behind, read back from each bucket: the dated folder's two
//! files, the code's SHA-256 held against the function's `CodeSha256`, and whether `latest/`
//! is a copy of the dated folder. Every figure of the item comes from these reads.

use serde_json::json;

use super::super::{Item, ItemStatus, Run, Step};
use crate::cloud::{CloudError, ObjectInfo};

/// The folder the plan's monthly test reads.
const LATEST: &str = "latest";

struct Place<'a> {
    label: &'static str,
    region: &'a str,
    bucket: &'a str,
}

/// The item of a function whose backup ran (or had nothing to do): Done or Unchanged as the
/// step said when everything reads back whole, Warning where it is short of a restorable
/// backup, Unknown where it could not be read back.
pub(super) async fn after(run: &Run<'_>, function: &str, day: &str, step: &Step) -> Item {
    let lambda = &run.estate.lambda;
    let primary = run.estate.regions.primary.get_ref().as_str();
    let backup = run.estate.regions.backup.get_ref().as_str();
    let mut places = Vec::new();
    if let Some(bucket) = lambda.backup_bucket.as_deref() {
        places.push(Place {
            label: "",
            region: primary,
            bucket,
        });
    }
    if let Some(bucket) = lambda.backup_copy_bucket.as_deref() {
        places.push(Place {
            label: "copy_",
            region: backup,
            bucket,
        });
    }
    let live = run.cloud.get_function(primary, function).await;
    let live_sha = live
        .as_ref()
        .ok()
        .and_then(|f| f.code_sha256.clone())
        .filter(|s| !s.is_empty());
    let mut figures = serde_json::Map::new();
    figures.insert("function_sha256".into(), json!(live_sha));
    let mut warnings: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut kept = Vec::new();
    if let Err(e) = &live {
        unknown.push(format!(
            "the function could not be read back to compare its code: {e}"
        ));
    }
    if lambda.backup_copy_bucket.is_none() {
        warnings.push(format!(
            "the estate names no lambda.backup_copy_bucket: nothing is kept in {backup}, and \
             Lambda takes code only from a bucket in the function's own region"
        ));
    }
    for place in &places {
        match look(run, function, day, place).await {
            Err(e) => unknown.push(format!(
                "s3://{} ({}) could not be read back: {e}",
                place.bucket, place.region
            )),
            Ok(found) => {
                let url = format!("s3://{}/{}", place.bucket, found.folder);
                figures.insert(format!("{}folder", place.label), json!(url));
                match &found.code_sha256 {
                    None => warnings.push(format!(
                        "configuration only in {url}: it cannot restore the function{}",
                        why_no_code(step)
                    )),
                    Some(sha) => {
                        figures.insert(format!("{}code_sha256", place.label), json!(sha));
                        if let Some(want) = &live_sha
                            && want != sha
                        {
                            warnings.push(format!(
                                "the code saved in {url} (SHA-256 {sha}) is not the code the \
                                 function runs now ({want}): it was deployed since, and the \
                                 next day's run saves it"
                            ));
                        }
                        kept.push(url.clone());
                    }
                }
                if !found.config {
                    warnings.push(format!("{url} has no configuration"));
                }
                figures.insert(
                    format!("{}latest_matches", place.label),
                    json!(found.latest_matches),
                );
                if found.code_sha256.is_some() && found.config && !found.latest_matches {
                    warnings.push(format!(
                        "s3://{}/{}{LATEST}/{function}/ is not a copy of {url}",
                        place.bucket, lambda.backup_prefix
                    ));
                }
            }
        }
    }
    let (status, detail) = if !unknown.is_empty() {
        (ItemStatus::Unknown, unknown.join("; "))
    } else if !warnings.is_empty() {
        (ItemStatus::Warning, warnings.join("; "))
    } else {
        let done = if step.status == ItemStatus::Unchanged {
            "already backed up today"
        } else {
            "backed up"
        };
        (
            step.status,
            format!(
                "{done}: configuration and code in {}, and latest/ is a copy",
                kept.join(" and ")
            ),
        )
    };
    let mut item = Item::new("function", function, status, detail);
    item.figures = figures;
    item
}

/// The step's own reason the code is missing, if it gave one.
fn why_no_code(step: &Step) -> String {
    step.notes
        .iter()
        .find(|n| n.contains("could not be downloaded") || n.contains("no code location"))
        .map(|n| format!(" ({n})"))
        .unwrap_or_default()
}

struct Found {
    folder: String,
    config: bool,
    code_sha256: Option<String>,
    latest_matches: bool,
}

/// The dated folder of `day` and `latest/` in one bucket, read back.
async fn look(
    run: &Run<'_>,
    function: &str,
    day: &str,
    place: &Place<'_>,
) -> Result<Found, CloudError> {
    let prefix = &run.estate.lambda.backup_prefix;
    let folder = format!("{prefix}{day}/{function}/");
    let latest_folder = format!("{prefix}{LATEST}/{function}/");
    let (dated, latest) = tokio::join!(
        run.cloud
            .list_objects(place.region, place.bucket, Some(&folder), None),
        run.cloud
            .list_objects(place.region, place.bucket, Some(&latest_folder), None),
    );
    let (dated, latest) = (dated?, latest?);
    let find = |objects: &[ObjectInfo], folder: &str, file: &str| {
        objects
            .iter()
            .find(|o| o.key == format!("{folder}{function}-{file}"))
            .cloned()
    };
    let config = find(&dated, &folder, "config.json");
    let code = find(&dated, &folder, "code.zip");
    let code_bytes = match &code {
        Some(o) => Some(
            run.cloud
                .get_object(place.region, place.bucket, &o.key)
                .await?,
        ),
        None => None,
    };
    let mut latest_matches = true;
    for (file, bytes) in [("config.json", None), ("code.zip", code_bytes.as_deref())] {
        let (Some(d), Some(l)) = (
            find(&dated, &folder, file),
            find(&latest, &latest_folder, file),
        ) else {
            latest_matches = false;
            continue;
        };
        // Listed sizes are not compared: the simulation lists its seeded objects at a size
        // of their own, and the bytes decide anyway.
        if !same_etag(&d, &l) {
            let dated_bytes = match bytes {
                Some(b) => b.to_vec(),
                None => {
                    run.cloud
                        .get_object(place.region, place.bucket, &d.key)
                        .await?
                }
            };
            let latest_bytes = run
                .cloud
                .get_object(place.region, place.bucket, &l.key)
                .await?;
            latest_matches &= dated_bytes == latest_bytes;
        }
    }
    Ok(Found {
        folder,
        config: config.is_some(),
        code_sha256: code_bytes.as_deref().map(code_sha256),
        latest_matches,
    })
}

/// A single-part upload's ETag is its bytes' MD5; any other tag is compared by reading.
fn same_etag(a: &ObjectInfo, b: &ObjectInfo) -> bool {
    matches!((&a.etag, &b.etag), (Some(x), Some(y)) if x == y && !x.is_empty() && !x.contains('-'))
}

/// Lambda's `CodeSha256`: the package's SHA-256, base64.
fn code_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    aws_smithy_types::base64::encode(sha2::Sha256::digest(bytes))
}
