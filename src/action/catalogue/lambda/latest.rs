//! backup-function's `latest/` copy: `<backup_prefix>latest/<function>/`, the folder the plan's
//! monthly test reads, kept equal to the dated folder that restore-function and `validate`
//! read. The dated folder is the backup; `latest/` is only ever written from its bytes (those
//! this run puts there, or those read back from it), and only once it holds both files.

use crate::action::{ActionError, Context};
use crate::cloud::{CloudResult, ObjectBody, ObjectInfo, WriteRequest};

/// The folder's name under the backup prefix.
pub(crate) const LATEST: &str = "latest";

/// One backup bucket, as the plan found its dated folder.
pub(super) struct Place<'a> {
    pub region: &'a str,
    pub bucket: &'a str,
    /// `<prefix><day>/<function>/`
    pub folder: &'a str,
    /// What the dated folder held before this run.
    pub existing: &'a [ObjectInfo],
}

/// What this run puts into the dated folder; `None` where the folder already has the file.
pub(super) struct Fresh<'a> {
    pub config: Option<&'a ObjectBody>,
    pub code: Option<FreshCode<'a>>,
}

pub(super) enum FreshCode<'a> {
    Bytes(&'a [u8]),
    /// The folder lacks the code and it could not be had: the folder will not be whole.
    Missing,
}

/// The writes that make `latest/` equal to the dated folder of `day` once this run's own
/// writes are in it; none where it already is, where that folder will lack a file (then
/// `latest/` stays at the last whole backup, as restore-function would choose), or where a
/// newer dated folder exists (an older `date=` must not roll `latest/` back).
pub(super) async fn requests(
    ctx: &Context<'_>,
    function: &str,
    day: &str,
    place: &Place<'_>,
    fresh: &Fresh<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<WriteRequest>, ActionError> {
    let prefix = ctx.estate.lambda.backup_prefix.as_str();
    let latest_folder = format!("{prefix}{LATEST}/{function}/");
    let files = [
        format!("{function}-config.json"),
        format!("{function}-code.zip"),
    ];
    let stored = |file: &str| {
        place
            .existing
            .iter()
            .find(|o| o.key == format!("{}{file}", place.folder))
    };
    let no_code = match fresh.code {
        Some(FreshCode::Missing) => true,
        Some(FreshCode::Bytes(_)) => false,
        None => stored(&files[1]).is_none(),
    };
    if no_code {
        notes.push(format!(
            "s3://{}/{latest_folder} is left as it is: the folder of {day} has no code package \
             and cannot restore the function",
            place.bucket
        ));
        return Ok(Vec::new());
    }
    if let Some(newer) = newer_whole_folder(ctx, place, prefix, day, function, &files).await? {
        notes.push(format!(
            "s3://{}/{latest_folder} is left as it is: the backup of {newer} is newer than {day}",
            place.bucket
        ));
        return Ok(Vec::new());
    }
    let latest = ctx
        .cloud
        .list_objects(place.region, place.bucket, Some(&latest_folder), None)
        .await?;
    let mut requests = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let key = format!("{latest_folder}{file}");
        let in_latest = latest.iter().find(|o| o.key == key);
        let body = match (i, fresh.config, &fresh.code) {
            (0, Some(config), _) => config.clone(),
            (1, _, Some(FreshCode::Bytes(bytes))) => {
                ObjectBody::bytes("application/zip", bytes.to_vec())
            }
            _ => {
                let Some(dated) = stored(file) else {
                    // The dated folder has no configuration and this run puts none: nothing
                    // to copy (backup-function always puts it where it lacks).
                    continue;
                };
                if in_latest.is_some_and(|l| same_etag(dated, l)) {
                    continue;
                }
                let bytes = ctx
                    .cloud
                    .get_object(place.region, place.bucket, &dated.key)
                    .await?;
                if let Some(l) = in_latest
                    && l.size == bytes.len() as u64
                    && read(ctx, place, &l.key).await? == bytes
                {
                    continue;
                }
                body_of(file, bytes)
            }
        };
        requests.push(WriteRequest::PutObject {
            region: place.region.to_owned(),
            bucket: place.bucket.to_owned(),
            key,
            body,
        });
    }
    Ok(requests)
}

async fn read(ctx: &Context<'_>, place: &Place<'_>, key: &str) -> CloudResult<Vec<u8>> {
    ctx.cloud.get_object(place.region, place.bucket, key).await
}

/// A single-part upload's ETag is its bytes' MD5: equal tags are equal bytes. A multipart
/// or encrypted object's tag says nothing either way, so unequal tags are read and compared.
fn same_etag(a: &ObjectInfo, b: &ObjectInfo) -> bool {
    match (&a.etag, &b.etag) {
        (Some(x), Some(y)) => a.size == b.size && x == y && !x.contains('-') && !x.is_empty(),
        _ => false,
    }
}

/// A configuration read back is text, so the journal shows it as the first write did.
fn body_of(file: &str, bytes: Vec<u8>) -> ObjectBody {
    if file.ends_with(".json") {
        match String::from_utf8(bytes) {
            Ok(text) => ObjectBody::Text {
                content_type: "application/json".into(),
                text,
            },
            Err(e) => ObjectBody::bytes("application/json", e.into_bytes()),
        }
    } else {
        ObjectBody::bytes("application/zip", bytes)
    }
}

/// The newest dated folder after `day` that holds both files of `function`, if any.
async fn newer_whole_folder(
    ctx: &Context<'_>,
    place: &Place<'_>,
    prefix: &str,
    day: &str,
    function: &str,
    files: &[String; 2],
) -> CloudResult<Option<String>> {
    let mut newer: Vec<String> = ctx
        .cloud
        .list_prefixes(place.region, place.bucket, prefix)
        .await?
        .iter()
        .filter_map(|p| p.strip_prefix(prefix))
        .map(|p| p.trim_end_matches('/').to_owned())
        .filter(|d| d.len() == 8 && d.chars().all(|c| c.is_ascii_digit()) && d.as_str() > day)
        .collect();
    newer.sort_unstable_by(|a, b| b.cmp(a));
    for d in newer {
        let folder = format!("{prefix}{d}/{function}/");
        let objects = ctx
            .cloud
            .list_objects(place.region, place.bucket, Some(&folder), None)
            .await?;
        if files
            .iter()
            .all(|f| objects.iter().any(|o| o.key == format!("{folder}{f}")))
        {
            return Ok(Some(d));
        }
    }
    Ok(None)
}
