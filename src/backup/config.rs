//! `backup config`: the plan's infrastructure configuration backup. Stack templates and
//! parameters, the estate file, runbooks and templates under `config-backups/<date>/` with a
//! SHA-256 manifest; and whether each git mirror's heads match its origin's.

mod collect;
pub mod manifest;
pub mod mirrors;
mod store;

use std::path::PathBuf;
use std::sync::Arc;

use super::{Item, ItemStatus, Run, Step};
use crate::action::Args;
use collect::Part;
pub use manifest::{MANIFEST, Manifest, ManifestFile, Verified, VerifyError, verify};
use store::StoreConfigBackup;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The estate file this run read (none on `--demo` without `--config`).
    pub estate_file: Option<PathBuf>,
    /// The user's runbooks (`runbooks/` in the config directory), as the loader finds them.
    pub runbook_dir: Option<PathBuf>,
    /// The user's message templates (`comms/` in the config directory).
    pub template_dir: Option<PathBuf>,
    /// Write nothing: read that day's backup back from each place and check it.
    pub verify: Option<chrono::NaiveDate>,
}

/// A day as `--verify` takes it: `YYYYMMDD` (the folder's name) or `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y%m%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map_err(|_| format!("--verify takes a day as YYYYMMDD (a folder's name), not `{text}`"))
}

/// One place a configuration backup is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub region: String,
    pub bucket: String,
}

/// The bucket of the primary region and its copy in the backup region, as the estate names
/// them (`[backup]`, else the function backups' buckets).
pub fn places(estate: &crate::config::Estate) -> (Option<Place>, Option<Place>) {
    let main = estate
        .backup
        .config_bucket
        .as_ref()
        .or(estate.lambda.backup_bucket.as_ref())
        .map(|bucket| Place {
            region: estate.regions.primary.get_ref().clone(),
            bucket: bucket.clone(),
        });
    let copy = estate
        .backup
        .config_copy_bucket
        .as_ref()
        .or(estate.lambda.backup_copy_bucket.as_ref())
        .map(|bucket| Place {
            region: estate.regions.backup.get_ref().clone(),
            bucket: bucket.clone(),
        });
    (main, copy)
}

/// The dated folder of a day: `<config_prefix><YYYYMMDD>/`.
pub fn folder(estate: &crate::config::Estate, day: chrono::NaiveDate) -> String {
    format!("{}{}/", estate.backup.config_prefix, day.format("%Y%m%d"))
}

/// `--verify`: each place's folder of `day` read back, every file hashed against the
/// manifest. Reads only.
async fn verify_places(run: &Run<'_>, day: chrono::NaiveDate) -> Vec<Item> {
    let folder = folder(run.estate, day);
    let (main, copy) = places(run.estate);
    let places: Vec<Place> = [main, copy].into_iter().flatten().collect();
    if places.is_empty() {
        return vec![Item::new(
            "folder",
            &folder,
            ItemStatus::Failed,
            "the estate names no bucket for configuration backups ([backup].config_bucket or \
             lambda.backup_bucket)",
        )];
    }
    let folder = &folder;
    futures::future::join_all(places.into_iter().map(|place| async move {
        let target = format!("s3://{}/{folder}", place.bucket);
        run.say(format!("verifying {target}"));
        let (status, detail, figures) =
            match verify(run.cloud, &place.region, &place.bucket, folder).await {
                Ok(v) if v.ok() => (
                    ItemStatus::Done,
                    format!(
                        "{} files ({} bytes) match the manifest of {} (account {})",
                        v.manifest.files.len(),
                        v.manifest.bytes(),
                        v.manifest.created.format("%Y-%m-%d %H:%M:%S UTC"),
                        v.manifest.account.as_deref().unwrap_or("unknown")
                    ),
                    Some(v.manifest),
                ),
                Ok(v) => (ItemStatus::Failed, v.problems.join("; "), Some(v.manifest)),
                Err(VerifyError::Cloud(e)) if e.kind == crate::cloud::ErrorKind::Unreachable => {
                    (ItemStatus::Unknown, e.to_string(), None)
                }
                Err(e) => (ItemStatus::Failed, e.to_string(), None),
            };
        let item = Item::new("folder", &target, status, detail).figure("region", place.region);
        match figures {
            Some(m) => item
                .figure("files", m.files.len())
                .figure("bytes", m.bytes()),
            None => item,
        }
    }))
    .await
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    if let Some(day) = options.verify {
        return verify_places(run, day).await;
    }
    let parts = collect::collect(run, options).await;
    let mut items = if run.stopped() {
        // A backup cut short by Ctrl-C would store a manifest that leaves things out.
        parts
            .iter()
            .map(|p| {
                Item::new(
                    p.kind,
                    &p.target,
                    ItemStatus::Failed,
                    "not stored: the run was interrupted",
                )
            })
            .collect()
    } else {
        store(run, parts).await
    };
    items.extend(mirrors::check(run).await);
    items
}

/// Stores every file read, in each place, and says per part how it went.
async fn store(run: &Run<'_>, parts: Vec<Part>) -> Vec<Item> {
    let folder = folder(run.estate, run.now.date_naive());
    let files: Vec<collect::File> = parts.iter().flat_map(|p| p.files.clone()).collect();
    let regions = [
        run.estate.regions.primary.get_ref().as_str(),
        run.estate.regions.backup.get_ref().as_str(),
    ];
    let account = crate::cloud::identity_from_first(run.cloud, &regions)
        .await
        .ok()
        .map(|id| id.account);
    let manifest = Manifest::new(
        run.now,
        account,
        files.iter().map(collect::File::manifest_entry).collect(),
    );
    let (main, copy) = places(run.estate);
    let mut folder_items = Vec::new();
    if main.is_none() {
        folder_items.push(Item::new(
            "folder",
            &folder,
            ItemStatus::Failed,
            "nowhere to store it: set [backup].config_bucket (or lambda.backup_bucket)",
        ));
    }
    if copy.is_none() {
        folder_items.push(Item::new(
            "folder",
            &folder,
            ItemStatus::Warning,
            "no copy in the backup region: set [backup].config_copy_bucket (or \
             lambda.backup_copy_bucket); a configuration backup lost with the primary region is \
             no backup",
        ));
    }
    let keep: Vec<String> = parts
        .iter()
        .filter(|p| p.kind == "stack")
        .filter(|p| {
            p.problem
                .as_ref()
                .is_some_and(|(s, _)| matches!(s, ItemStatus::Failed | ItemStatus::Unknown))
        })
        .map(|p| collect::stack_folder(&p.target))
        .collect();
    let action = StoreConfigBackup {
        region: String::new(),
        folder: folder.clone(),
        files: Arc::new(files),
        manifest: Arc::new(manifest.clone()),
        keep: Arc::new(keep),
    };
    let places: Vec<Place> = [main, copy].into_iter().flatten().collect();
    let folder = &folder;
    let steps: Vec<Step> = futures::future::join_all(places.iter().map(|place| {
        let action = StoreConfigBackup {
            region: place.region.clone(),
            ..action.clone_shared()
        };
        async move {
            run.say(format!("storing s3://{}/{folder}", place.bucket));
            run.act(&action, &place.bucket, &Args::default()).await
        }
    }))
    .await;
    for (place, step) in places.iter().zip(&steps) {
        let mut item = Item::new(
            "folder",
            &format!("s3://{}/{folder}", place.bucket),
            step.status,
            step.detail.clone(),
        )
        .figure("region", place.region.clone())
        .figure("files", manifest.files.len())
        .figure("bytes", manifest.bytes());
        item.steps.push(step.clone());
        folder_items.push(item);
    }
    // A part is as stored as the best of its places: in a primary-region outage the copy is
    // the backup, and each folder's own item says what became of the other place.
    let stored = Stored {
        status: steps
            .iter()
            .map(|s| s.status)
            .min()
            .unwrap_or(ItemStatus::Failed),
        places: steps.len(),
        whole: steps
            .iter()
            .filter(|s| s.status <= ItemStatus::WouldDo)
            .count(),
    };
    let mut items: Vec<Item> = parts.iter().map(|p| part_item(p, &stored)).collect();
    items.extend(folder_items);
    items
}

/// How the store went, for the parts' items.
struct Stored {
    status: ItemStatus,
    places: usize,
    /// Places where it is stored (or would be, or already was).
    whole: usize,
}

fn part_item(part: &Part, stored: &Stored) -> Item {
    let keys: Vec<&str> = part.files.iter().map(|f| f.key.as_str()).collect();
    // A summary line per part: the files by name where few, else the first and a count.
    let mut listed = match keys.len() {
        0 => String::new(),
        1..=3 => format!("{} file(s): {}", keys.len(), keys.join(", ")),
        n => format!("{n} files: {}, {} and {} more", keys[0], keys[1], n - 2),
    };
    if !keys.is_empty() && stored.whole < stored.places {
        listed.push_str(&format!(
            "; in {} of {} place(s), see the folders",
            stored.whole, stored.places
        ));
    }
    let stored = stored.status;
    let (status, detail) = match (&part.problem, &part.absent) {
        (Some((status, why)), _) => {
            let kept = if keys.is_empty() {
                String::new()
            } else {
                format!(" (stored: {listed})")
            };
            ((*status).max(stored), format!("{why}{kept}"))
        }
        (None, Some(why)) => (ItemStatus::Unchanged, why.clone()),
        (None, None) => (stored, listed),
    };
    let bytes: u64 = part.files.iter().map(|f| f.bytes.len() as u64).sum();
    Item::new(part.kind, &part.target, status, detail)
        .figure("files", part.files.len())
        .figure("bytes", bytes)
}

impl StoreConfigBackup {
    fn clone_shared(&self) -> StoreConfigBackup {
        StoreConfigBackup {
            region: self.region.clone(),
            folder: self.folder.clone(),
            files: Arc::clone(&self.files),
            manifest: Arc::clone(&self.manifest),
            keep: Arc::clone(&self.keep),
        }
    }
}
