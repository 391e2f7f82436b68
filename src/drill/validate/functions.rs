//! `validate`'s functions: each function's newest backup (configuration and code, in
//! restore-function's layout) in the backup bucket and in its copy in the backup region, the
//! code object read back and its SHA-256 held against the live function's `CodeSha256`.

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};
use serde_json::json;

use super::{Finding, Kind, Verdict};
use crate::action::Context;
use crate::cloud::{CloudError, FunctionInfo, ObjectInfo};
use crate::config::ValidateSettings;
use crate::health::human_duration;

/// Dated folders looked through for a function before it is called missing: the health
/// probe's reach (two weeks of daily backups).
const FOLDERS_SEARCHED: usize = 14;

/// The plan's monthly test looks under `<prefix>latest/<function>/`; restore-function reads
/// only dated folders.
const LATEST: &str = "latest";

/// Every function of the estate (named, and found by the prefix), in name order: its backup
/// and the backup's code hash in each backup bucket. Reads only.
pub async fn check(ctx: &Context<'_>, _settings: &ValidateSettings) -> Vec<Finding> {
    let lambda = &ctx.estate.lambda;
    let mut findings = Vec::new();
    let mut names = ctx.estate.named_functions();
    if let Some(prefix) = lambda.prefix.as_deref() {
        match ctx.cloud.list_functions(ctx.primary(), Some(prefix)).await {
            Ok(found) => names.extend(found.into_iter().map(|f| f.name)),
            Err(e) => findings.push(Finding::new(
                Kind::Function,
                format!("{prefix}*"),
                "list",
                Verdict::Unknown,
                format!(
                    "{prefix}*: could not list the functions named by the prefix, so their \
                     backups were not checked: {e}"
                ),
            )),
        }
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        return findings;
    }

    let places = [
        (
            Place::Primary,
            lambda.backup_bucket.as_deref(),
            ctx.primary(),
        ),
        (
            Place::Copy,
            lambda.backup_copy_bucket.as_deref(),
            ctx.backup(),
        ),
    ];
    let (primary_index, copy_index) = tokio::join!(
        index_of(ctx, places[0].1, places[0].2, &names),
        index_of(ctx, places[1].1, places[1].2, &names),
    );
    let indexes = [primary_index, copy_index];
    let concurrency = ctx.estate.aws.max_concurrency.max(1);
    let work = names.iter().map(|name| {
        let indexes = &indexes;
        let places = &places;
        async move {
            let live = ctx.cloud.get_function(ctx.primary(), name).await;
            let mut found = Vec::new();
            let live_sha = match &live {
                Ok(info) => info.code_sha256.clone().filter(|s| !s.is_empty()),
                Err(_) => None,
            };
            if let Err(e) = &live {
                found.push(live_unread(ctx, name, e));
            }
            for ((place, bucket, region), index) in places.iter().zip(indexes) {
                found.extend(
                    one_place(ctx, name, *place, *bucket, region, index, &live, &live_sha).await,
                );
            }
            found
        }
    });
    findings.extend(
        stream::iter(work)
            .buffered(concurrency)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .flatten(),
    );
    findings
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `[lambda].backup_bucket`, in the primary region.
    Primary,
    /// `[lambda].backup_copy_bucket`, in the backup region: what a failover restores from.
    Copy,
}

impl Place {
    fn checks(self) -> (&'static str, &'static str) {
        match self {
            Place::Primary => ("code-backup", "code-sha256"),
            Place::Copy => ("copy-code-backup", "copy-code-sha256"),
        }
    }

    fn setting(self) -> &'static str {
        match self {
            Place::Primary => "lambda.backup_bucket",
            Place::Copy => "lambda.backup_copy_bucket",
        }
    }
}

fn live_unread(ctx: &Context<'_>, name: &str, e: &CloudError) -> Finding {
    if e.is_not_found() {
        Finding::new(
            Kind::Function,
            name,
            "function",
            Verdict::Fail,
            format!(
                "{name}: does not exist in {}: its backups cannot be held against the code it \
                 runs",
                ctx.primary()
            ),
        )
    } else {
        Finding::new(
            Kind::Function,
            name,
            "function",
            Verdict::Unknown,
            format!(
                "{name}: could not read the function in {}: {e}",
                ctx.primary()
            ),
        )
    }
}

/// One backup folder of one function: its files, by name.
#[derive(Debug, Clone, Default)]
struct Folder {
    /// YYYYMMDD, or "latest".
    date: String,
    config: Option<ObjectInfo>,
    code: Option<ObjectInfo>,
}

/// Every function's backups in one bucket, newest folder first; or why it could not be read.
#[derive(Debug, Default)]
struct Index {
    /// The newest dated folder of the bucket, whoever is in it: the last backup run.
    newest_date: Option<String>,
    by_function: BTreeMap<String, Vec<Folder>>,
    /// `None`: no bucket configured.
    read: Option<Result<(), String>>,
}

fn valid_date(day: &str) -> bool {
    day.len() == 8 && day.chars().all(|c| c.is_ascii_digit())
}

/// Lists the newest dated folders (each once, for every function), newest first, until every
/// function has a backup with its code or the search ends; `latest/` too, as the plan's own
/// test looks there.
async fn index_of(
    ctx: &Context<'_>,
    bucket: Option<&str>,
    region: &str,
    functions: &[String],
) -> Index {
    let Some(bucket) = bucket else {
        return Index::default();
    };
    let mut index = Index::default();
    match fill(ctx, bucket, region, functions, &mut index).await {
        Ok(()) => index.read = Some(Ok(())),
        Err(e) => index.read = Some(Err(e.to_string())),
    }
    index
}

async fn fill(
    ctx: &Context<'_>,
    bucket: &str,
    region: &str,
    functions: &[String],
    index: &mut Index,
) -> Result<(), CloudError> {
    let prefix = ctx.estate.lambda.backup_prefix.as_str();
    let folders = ctx.cloud.list_prefixes(region, bucket, prefix).await?;
    let mut days: Vec<String> = folders
        .iter()
        .filter_map(|p| p.strip_prefix(prefix))
        .map(|p| p.trim_end_matches('/').to_owned())
        .filter(|d| valid_date(d) || d == LATEST)
        .collect();
    // Dates sort as text, newest first; "latest" is looked at last, since restore-function
    // cannot read it.
    days.sort_unstable_by(|a, b| match (a == LATEST, b == LATEST) {
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => b.cmp(a),
    });
    index.newest_date = days.iter().find(|d| valid_date(d)).cloned();
    let wanted: BTreeSet<&str> = functions.iter().map(String::as_str).collect();
    let dated = days.iter().filter(|d| valid_date(d)).take(FOLDERS_SEARCHED);
    let latest = days.iter().filter(|d| *d == LATEST);
    for day in dated.chain(latest) {
        let complete = |index: &Index| {
            wanted.iter().all(|f| {
                index
                    .by_function
                    .get(*f)
                    .is_some_and(|folders| folders.iter().any(|x| x.code.is_some()))
            })
        };
        if complete(index) {
            break;
        }
        let folder = format!("{prefix}{day}/");
        for object in ctx
            .cloud
            .list_objects(region, bucket, Some(&folder), None)
            .await?
        {
            let Some((function, file)) = object.key[folder.len()..].split_once('/') else {
                continue;
            };
            if !wanted.contains(function) {
                continue;
            }
            let folders = index.by_function.entry(function.to_owned()).or_default();
            if folders.last().is_none_or(|f| f.date != *day) {
                folders.push(Folder {
                    date: day.clone(),
                    ..Default::default()
                });
            }
            let entry = folders.last_mut().expect("pushed above");
            if file == format!("{function}-config.json") {
                entry.config = Some(object);
            } else if file == format!("{function}-code.zip") {
                entry.code = Some(object);
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn one_place(
    ctx: &Context<'_>,
    name: &str,
    place: Place,
    bucket: Option<&str>,
    region: &str,
    index: &Index,
    live: &Result<FunctionInfo, CloudError>,
    live_sha: &Option<String>,
) -> Vec<Finding> {
    let (backup_check, sha_check) = place.checks();
    let finding = |check: &str, verdict, message: String| {
        Finding::new(
            Kind::Function,
            name,
            check,
            verdict,
            format!("{name}: {message}"),
        )
    };
    let Some(bucket) = bucket else {
        // Without a copy the function can still be rebuilt from version control, only not
        // restored once the primary region is gone: a warning, as the health judge says.
        let verdict = match place {
            Place::Primary => Verdict::Fail,
            Place::Copy => Verdict::Warn,
        };
        return vec![finding(
            backup_check,
            verdict,
            format!("the estate names no {} to back it up to", place.setting()),
        )];
    };
    let url = |folder: &Folder| {
        format!(
            "s3://{bucket}/{}{}/{name}/",
            ctx.estate.lambda.backup_prefix, folder.date
        )
    };
    match &index.read {
        Some(Ok(())) => {}
        Some(Err(e)) => {
            return vec![finding(
                backup_check,
                Verdict::Unknown,
                format!("could not read the backups in s3://{bucket} ({region}): {e}"),
            )];
        }
        None => return Vec::new(),
    }
    let folders = index.by_function.get(name).map_or(&[][..], Vec::as_slice);
    let restorable = folders
        .iter()
        .find(|f| f.config.is_some() && f.code.is_some());
    let Some(newest) = folders.first() else {
        return vec![
            finding(
                backup_check,
                Verdict::Fail,
                format!(
                    "no backup in s3://{bucket}/{} ({region})",
                    ctx.estate.lambda.backup_prefix
                ),
            )
            .with_figures(json!({ "bucket": bucket, "region": region })),
        ];
    };
    let mut found = Vec::new();
    let Some(chosen) = restorable else {
        let what = match (&newest.config, &newest.code) {
            (Some(_), None) => "configuration only, no code package",
            (None, Some(_)) => "code package only, no configuration",
            _ => "neither configuration nor code package",
        };
        found.push(
            finding(
                backup_check,
                Verdict::Fail,
                format!(
                    "newest backup {} is {what}: it cannot restore the function, and no \
                     older backup has both",
                    url(newest)
                ),
            )
            .with_figures(json!({
                "bucket": bucket, "region": region, "date": newest.date,
                "config": newest.config.is_some(), "code": newest.code.is_some(),
            })),
        );
        return found;
    };
    let layout = if chosen.date == LATEST {
        "latest"
    } else {
        "dated"
    };
    let mut figures = json!({
        "bucket": bucket,
        "region": region,
        "date": chosen.date,
        "layout": layout,
        "newest_date_in_bucket": index.newest_date,
        "code_key": chosen.code.as_ref().map(|c| c.key.clone()),
        "code_bytes": chosen.code.as_ref().map(|c| c.size),
        "backed_up_at": chosen.code.as_ref().and_then(|c| c.last_modified),
    });
    let mut notes = Vec::new();
    if newest.date != chosen.date {
        notes.push(format!(
            "the newer backup {} has only part of it (configuration {}, code {}) and cannot \
             restore the function",
            newest.date,
            if newest.config.is_some() { "yes" } else { "no" },
            if newest.code.is_some() { "yes" } else { "no" },
        ));
    }
    if layout == "latest" {
        notes.push(format!(
            "only under {}{LATEST}/ (the plan's monthly test's path), which restore-function \
             does not read: it restores from dated folders",
            ctx.estate.lambda.backup_prefix
        ));
    } else if let Some(newest_date) = index.newest_date.as_deref()
        && newest_date != chosen.date
    {
        notes.push(format!(
            "missing from the newest backup run ({newest_date})"
        ));
    }
    let every = ctx.estate.lambda.backup_every.as_secs();
    let age = chosen
        .code
        .as_ref()
        .and_then(|c| c.last_modified)
        .map(|t| (ctx.now - t).num_seconds().max(0) as u64);
    figures["age_secs"] = json!(age);
    // The health judge's rule: a daily job is late once a quarter of its interval overdue.
    if let Some(age) = age.filter(|a| *a > every.saturating_add(every / 4)) {
        notes.push(format!(
            "it is {} old (expected every {})",
            human_duration(age),
            human_duration(every)
        ));
    }
    let verdict = if notes.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Warn
    };
    let mut said = format!("backup {} has its configuration and code", url(chosen));
    for note in &notes {
        said.push_str("; ");
        said.push_str(note);
    }
    figures["notes"] = json!(notes);
    found.push(finding(backup_check, verdict, said).with_figures(figures));

    // The code, read back whole and hashed as Lambda hashes it.
    let code = chosen.code.as_ref().expect("a restorable backup has code");
    let sha = match ctx.cloud.get_object(region, bucket, &code.key).await {
        Ok(bytes) => code_sha256(&bytes),
        Err(e) => {
            found.push(finding(
                sha_check,
                Verdict::Unknown,
                format!(
                    "could not read the code object s3://{bucket}/{}: {e}",
                    code.key
                ),
            ));
            return found;
        }
    };
    let hashes = json!({ "backup_sha256": sha, "function_sha256": live_sha, "code_key": code.key });
    let sha_finding = match (live, live_sha) {
        (Ok(_), Some(want)) if *want == sha => finding(
            sha_check,
            Verdict::Pass,
            format!(
                "the code of backup {} is the code it runs (SHA-256 {sha})",
                chosen.date
            ),
        ),
        (Ok(_), Some(want)) => finding(
            sha_check,
            Verdict::Fail,
            format!(
                "the code of backup {} (SHA-256 {sha}) is not the code it runs ({want}): \
                 restoring it would put back other code",
                chosen.date
            ),
        ),
        (Ok(_), None) => finding(
            sha_check,
            Verdict::Unknown,
            "Lambda gave no CodeSha256 for it: the backup's code cannot be compared".to_owned(),
        ),
        // The function's own finding says why it could not be read.
        (Err(e), _) if e.is_not_found() => return found,
        (Err(_), _) => finding(
            sha_check,
            Verdict::Unknown,
            format!(
                "the code of backup {} hashes to {sha}; the function's could not be read",
                chosen.date
            ),
        ),
    };
    found.push(sha_finding.with_figures(hashes));
    found
}

/// Lambda's `CodeSha256`: the package's SHA-256, base64.
fn code_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    aws_smithy_types::base64::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::sim::Fault;

    async fn on_the_sim(faults: &[Fault]) -> Vec<Finding> {
        let (estate, sim, now) = crate::drill::validate::example_on_sim(faults);
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now,
        };
        check(&ctx, &ValidateSettings::default()).await
    }

    #[tokio::test]
    async fn the_sims_backups_are_the_code_each_function_runs() {
        let found = on_the_sim(&[]).await;
        assert_eq!(found.len(), 12, "{found:#?}");
        assert!(
            found.iter().all(|f| f.verdict == Verdict::Pass),
            "{found:#?}"
        );
    }

    #[tokio::test]
    async fn a_function_with_no_backup_fails_in_both_buckets() {
        let found = on_the_sim(&[Fault::MissingLambdaBackup]).await;
        let failed: Vec<(&str, &str)> = found
            .iter()
            .filter(|f| f.verdict != Verdict::Pass)
            .map(|f| (f.resource.as_str(), f.check.as_str()))
            .collect();
        assert_eq!(
            failed,
            [
                ("flightdata-processor", "code-backup"),
                ("flightdata-processor", "copy-code-backup")
            ]
        );
    }

    #[tokio::test]
    async fn with_the_primary_down_only_the_copy_is_found_and_nothing_compared_passes() {
        let found = on_the_sim(&[Fault::RegionOutage]).await;
        for f in &found {
            let expected = if f.check == "copy-code-backup" {
                Verdict::Pass
            } else {
                Verdict::Unknown
            };
            assert_eq!(f.verdict, expected, "{f:#?}");
        }
    }

    #[test]
    fn the_hash_is_lambdas_base64_sha256() {
        // `printf hello | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            code_sha256(b"hello"),
            "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
        );
    }
}
