//! What a prune may remove, read from the cloud: the daily backups of each table and the
//! dated folders of each backup bucket, as series, each member dated by its own name. Only
//! drconsole's names are members; anything else is never read as one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::nets::Nets;
use super::rule::Dated;
use crate::backup::Run;
use crate::cloud::CloudError;
use crate::config::Estate;

/// What the prune removes a member with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An on-demand DynamoDB backup `daily-backup-YYYYMMDD-<table>`.
    Backup,
    /// A folder `<prefix>YYYYMMDD/` (function and configuration backups).
    DayFolder,
    /// A folder `<export_prefix><table>/YYYY/MM/DD/` (table exports).
    ExportFolder,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Backup => "backup",
            Kind::DayFolder | Kind::ExportFolder => "folder",
        }
    }
}

/// One backup or folder of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub kind: Kind,
    /// The removal's target: the table (a backup) or the bucket (a folder).
    pub target: String,
    pub region: String,
    /// The backup's name, or the folder's key prefix (ending in `/`).
    pub name: String,
    /// The backup's ARN; for a folder, `s3://bucket/folder/`.
    pub id: String,
    /// Objects in the folder when it was listed.
    pub objects: usize,
    pub dated: Dated,
}

impl Member {
    /// How the summary names it.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::Backup => self.name.clone(),
            Kind::DayFolder | Kind::ExportFolder => self.id.clone(),
        }
    }
}

/// One series: what the rule is applied to, on its own.
#[derive(Debug, Clone)]
pub struct Series {
    /// "daily backups of orders (us-east-1)".
    pub label: String,
    /// The estate setting naming its bucket (`lambda.backup_bucket`), for a folder series.
    pub setting: Option<&'static str>,
    pub members: Vec<Member>,
}

/// A series, or why it could not be read (then nothing of it is removed).
pub type Found = Result<Series, (String, CloudError)>;

/// The day a daily backup's name gives: `daily-backup-YYYYMMDD-<table>`, exactly.
pub fn daily_backup_day(name: &str, table: &str) -> Option<NaiveDate> {
    let rest = name.strip_prefix("daily-backup-")?;
    let (date, of) = rest.split_at_checked(8)?;
    (of.strip_prefix('-')? == table).then_some(())?;
    compact_date(date)
}

fn compact_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

/// The folder a key is in and its day, when the key is under `prefix` in a dated folder of
/// `kind`'s layout: `<prefix>YYYYMMDD/…` or `<prefix>YYYY/MM/DD/…`. `latest/` and any other
/// name are not dated folders.
pub fn dated_folder(kind: Kind, prefix: &str, key: &str) -> Option<(String, NaiveDate)> {
    let rest = key.strip_prefix(prefix)?;
    let (folder, day) = match kind {
        Kind::Backup => return None,
        Kind::DayFolder => {
            let (date, _) = rest.split_once('/')?;
            (format!("{date}/"), compact_date(date)?)
        }
        Kind::ExportFolder => {
            let mut parts = rest.splitn(4, '/');
            let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
            parts.next()?;
            if y.len() != 4 || m.len() != 2 || d.len() != 2 {
                return None;
            }
            (
                format!("{y}/{m}/{d}/"),
                compact_date(&format!("{y}{m}{d}"))?,
            )
        }
    };
    Some((format!("{prefix}{folder}"), day))
}

/// Whether `folder` is itself a dated folder of `bucket` under a prefix the estate gives
/// backups there (what the removal checks again before it lists anything to remove).
pub fn is_dated_folder(estate: &Estate, bucket: &str, folder: &str) -> bool {
    folders(estate).iter().any(|place| {
        place.bucket == bucket
            && dated_folder(place.kind(), &place.prefix, folder).is_some_and(|(f, _)| f == folder)
    })
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Every series of the estate, in a fixed order: tables' backups, then folders by bucket.
pub async fn find(run: &Run<'_>, nets: &Nets) -> Vec<Found> {
    let estate = run.estate;
    let primary = estate.regions.primary.get_ref().clone();
    let tables: Vec<String> = estate
        .dynamodb
        .tables
        .iter()
        .map(|t| t.get_ref().clone())
        .collect();
    let mut found = Vec::new();
    for table in &tables {
        found.push(backups(run, nets, &primary, table).await);
    }
    for place in folders(estate) {
        found.push(place.read(run, nets).await);
    }
    found
}

async fn backups(run: &Run<'_>, nets: &Nets, region: &str, table: &str) -> Found {
    let label = format!("daily backups of {table} ({region})");
    let listed = run
        .cloud
        .list_backups(region, Some(table))
        .await
        .map_err(|e| (label.clone(), e))?;
    let mut members: Vec<Member> = listed
        .into_iter()
        .filter(|b| b.status != "DELETED" && b.table_name == table)
        .filter_map(|b| {
            let day = daily_backup_day(&b.name, table)?;
            Some(Member {
                kind: Kind::Backup,
                target: table.to_owned(),
                region: region.to_owned(),
                objects: 0,
                dated: Dated {
                    day,
                    at: b.created,
                    held: nets.holds([b.name.as_str(), b.arn.as_str()]),
                },
                name: b.name,
                id: b.arn,
            })
        })
        .collect();
    // Newest first, as a person reads a list of backups.
    members.sort_by(|a, b| {
        (b.dated.day, b.dated.at, &b.name).cmp(&(a.dated.day, a.dated.at, &a.name))
    });
    Ok(Series {
        label,
        setting: None,
        members,
    })
}

/// A folder series: a bucket, a prefix and the layout of the dated folders under it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    bucket: String,
    prefix: String,
    /// `lambda.backup_bucket`, ...: where the estate names it.
    setting: &'static str,
    layout: Layout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layout {
    Functions,
    Config,
    Exports,
}

fn folders(estate: &Estate) -> Vec<Place> {
    let lambda = &estate.lambda;
    let backup = &estate.backup;
    let mut places: Vec<Place> = Vec::new();
    let mut add = |bucket: Option<&String>, prefix: &str, setting, layout| {
        if let Some(bucket) = bucket {
            let place = Place {
                bucket: bucket.clone(),
                prefix: prefix.to_owned(),
                setting,
                layout,
            };
            // One bucket and prefix named twice (the config bucket defaults to the
            // function backup bucket) is one series.
            if !places
                .iter()
                .any(|p| p.bucket == place.bucket && p.prefix == place.prefix)
            {
                places.push(place);
            }
        }
    };
    add(
        lambda.backup_bucket.as_ref(),
        &lambda.backup_prefix,
        "lambda.backup_bucket",
        Layout::Functions,
    );
    add(
        lambda.backup_copy_bucket.as_ref(),
        &lambda.backup_prefix,
        "lambda.backup_copy_bucket",
        Layout::Functions,
    );
    add(
        backup
            .config_bucket
            .as_ref()
            .or(lambda.backup_bucket.as_ref()),
        &backup.config_prefix,
        "backup.config_bucket",
        Layout::Config,
    );
    add(
        backup
            .config_copy_bucket
            .as_ref()
            .or(lambda.backup_copy_bucket.as_ref()),
        &backup.config_prefix,
        "backup.config_copy_bucket",
        Layout::Config,
    );
    for table in &estate.dynamodb.tables {
        add(
            estate.dynamodb.export_bucket.as_ref(),
            &format!("{}{}/", estate.dynamodb.export_prefix, table.get_ref()),
            "dynamodb.export_bucket",
            Layout::Exports,
        );
    }
    places
}

impl Place {
    fn kind(&self) -> Kind {
        match self.layout {
            Layout::Functions | Layout::Config => Kind::DayFolder,
            Layout::Exports => Kind::ExportFolder,
        }
    }

    fn label(&self) -> String {
        let what = match self.layout {
            Layout::Functions => "function backups",
            Layout::Config => "configuration backups",
            Layout::Exports => "exports",
        };
        format!("{what} s3://{}/{}", self.bucket, self.prefix)
    }

    async fn read(&self, run: &Run<'_>, nets: &Nets) -> Found {
        let label = self.label();
        let fail = |e| (label.clone(), e);
        // Asked through the backup region, so the answer does not hang on the primary.
        let region = match run
            .cloud
            .bucket_region(run.estate.regions.backup.get_ref(), &self.bucket)
            .await
        {
            Ok(region) => region,
            // A bucket that is not there holds nothing to prune (health says it is missing).
            Err(e) if e.is_not_found() => {
                return Ok(Series {
                    label: format!("{label} (the bucket does not exist)"),
                    setting: Some(self.setting),
                    members: Vec::new(),
                });
            }
            Err(e) => return Err(fail(e)),
        };
        let objects = run
            .cloud
            .list_objects(&region, &self.bucket, Some(&self.prefix), None)
            .await
            .map_err(fail)?;
        let kind = self.kind();
        // Folder -> (day, objects, newest object, functions in it).
        let mut by_folder: BTreeMap<String, (NaiveDate, usize, DateTime<Utc>, BTreeSet<String>)> =
            BTreeMap::new();
        for object in &objects {
            let Some((folder, day)) = dated_folder(kind, &self.prefix, &object.key) else {
                continue;
            };
            let entry = by_folder
                .entry(folder.clone())
                .or_insert_with(|| (day, 0, midnight(day), BTreeSet::new()));
            entry.1 += 1;
            if let Some(t) = object.last_modified {
                entry.2 = entry.2.max(t);
            }
            if self.layout == Layout::Functions
                && let Some(function) = object.key[folder.len()..].split_once('/').map(|(f, _)| f)
            {
                entry.3.insert(function.to_owned());
            }
        }
        // A function's only backups may be in an older folder (a run for some functions
        // only): the newest folder that holds each function is kept for it.
        let mut newest_of: BTreeMap<&str, &str> = BTreeMap::new();
        for (folder, (_, _, _, functions)) in &by_folder {
            for f in functions {
                newest_of.insert(f, folder);
            }
        }
        // Newest first (dated folder names sort by date).
        let members = by_folder
            .iter()
            .rev()
            .map(|(folder, (day, count, at, functions))| {
                let id = format!("s3://{}/{folder}", self.bucket);
                let newest_for: Vec<&str> = functions
                    .iter()
                    .map(String::as_str)
                    .filter(|f| newest_of.get(f) == Some(&folder.as_str()))
                    .collect();
                let held = nets.holds_under(&id).or_else(|| {
                    (!newest_for.is_empty())
                        .then(|| format!("the newest backup of {}", newest_for.join(", ")))
                });
                Member {
                    kind,
                    target: self.bucket.clone(),
                    region: region.clone(),
                    name: folder.clone(),
                    id,
                    objects: *count,
                    dated: Dated {
                        day: *day,
                        at: *at,
                        held,
                    },
                }
            })
            .collect();
        Ok(Series {
            label,
            setting: Some(self.setting),
            members,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_the_plans_daily_name_of_the_table_is_a_daily_backup() {
        assert_eq!(
            daily_backup_day("daily-backup-20261120-orders", "orders"),
            Some(d("2026-11-20"))
        );
        for other in [
            "daily-backup-20261120-orders-archive",
            "daily-backup-20261120-order",
            "daily-backup-2026112-orders",
            "daily-backup-20261320-orders",
            "ondemand-20261120-0300-orders",
            "before-delete-20261120-0300-orders",
            "daily-backup-20261120-orders-dr-test",
            "weekly-backup-20261120-orders",
        ] {
            assert_eq!(daily_backup_day(other, "orders"), None, "{other}");
        }
    }

    #[test]
    fn dated_folders_of_each_layout_and_never_latest() {
        let p = "lambda-backups/";
        assert_eq!(
            dated_folder(
                Kind::DayFolder,
                p,
                "lambda-backups/20261120/ingest/code.zip"
            ),
            Some(("lambda-backups/20261120/".into(), d("2026-11-20")))
        );
        for key in [
            "lambda-backups/latest/ingest/code.zip",
            "lambda-backups/2026-11-20/ingest/code.zip",
            "lambda-backups/20261120",
            "lambda-backups/notes.txt",
            "other/20261120/x",
        ] {
            assert_eq!(dated_folder(Kind::DayFolder, p, key), None, "{key}");
        }
        let e = "dynamodb-exports/orders/";
        assert_eq!(
            dated_folder(
                Kind::ExportFolder,
                e,
                "dynamodb-exports/orders/2026/11/20/AWSDynamoDB/x/data/y.gz"
            ),
            Some((
                "dynamodb-exports/orders/2026/11/20/".into(),
                d("2026-11-20")
            ))
        );
        assert_eq!(
            dated_folder(Kind::ExportFolder, e, "dynamodb-exports/orders/2026/11/20"),
            None
        );
        assert_eq!(
            dated_folder(
                Kind::ExportFolder,
                e,
                "dynamodb-exports/orders/latest/schema.json"
            ),
            None
        );
    }

    #[test]
    fn a_folder_is_dated_only_under_a_prefix_the_estate_gives_its_bucket() {
        let mut estate = crate::session::example_estate().unwrap();
        estate.backup = Default::default();
        estate.lambda.backup_copy_bucket = None;
        estate.lambda.backup_bucket = Some("fn-backups".into());
        estate.dynamodb.export_bucket = Some("exports".into());
        estate.dynamodb.tables = vec![toml::Spanned::new(0..0, "orders".to_owned())];
        assert!(is_dated_folder(
            &estate,
            "fn-backups",
            "lambda-backups/20261120/"
        ));
        assert!(is_dated_folder(
            &estate,
            "fn-backups",
            "config-backups/20261120/"
        ));
        assert!(!is_dated_folder(
            &estate,
            "fn-backups",
            "lambda-backups/latest/"
        ));
        assert!(!is_dated_folder(&estate, "fn-backups", "lambda-backups/"));
        assert!(!is_dated_folder(
            &estate,
            "fn-backups",
            "lambda-backups/20261120/ingest/"
        ));
        assert!(!is_dated_folder(
            &estate,
            "exports",
            "lambda-backups/20261120/"
        ));
        assert!(is_dated_folder(
            &estate,
            "exports",
            "dynamodb-exports/orders/2026/11/20/"
        ));
        assert!(!is_dated_folder(
            &estate,
            "exports",
            "dynamodb-exports/users/2026/11/20/"
        ));
    }
}
