//! The checks of a restored table: its items counted against the backup's own record, its
//! keys and indexes against the backup's (or the source's), and a sample of its items looked
//! up by key in the source, where drift since the backup is told apart from a bad restore.

use serde_json::json;

use super::Finding;
use super::Verdict;
use super::tables::{TableRun, finding};
use crate::cloud::{BackupSource, IndexDef, Item, KeyElement, TableSchema};

impl TableRun<'_> {
    pub(super) async fn count(&self, table: &str, temp: &str, recorded: &BackupSource) -> Finding {
        let tolerance = self.settings.tolerance_percent;
        let segments = self.settings.segments;
        self.tell(table, format!("counting {temp} ({segments} segments)"));
        let progress = |p: crate::cloud::ScanProgress| {
            self.tell(
                table,
                format!(
                    "counting: segment {}/{}: {} items so far",
                    p.segment + 1,
                    p.segments,
                    p.segment_items
                ),
            )
        };
        let counted = match self
            .cloud
            .count_items_with(self.region, temp, segments, &progress)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                return finding(
                    table,
                    "item-count",
                    Verdict::Unknown,
                    format!("cannot count {temp}: {e}"),
                );
            }
        };
        let mut figures = json!({
            "counted": counted.items,
            "recorded": recorded.item_count,
            "tolerance_percent": tolerance,
            "segments": counted.segments,
            "pages": counted.pages,
            "backup_size_bytes": recorded.backup.size_bytes,
            "table_size_bytes_at_backup": recorded.table_size_bytes,
        });
        let Some(expected) = recorded.item_count.map(|n| n.max(0) as u64) else {
            return finding(
                table,
                "item-count",
                Verdict::Unknown,
                format!(
                    "{} items restored, but DescribeBackup recorded no item count to compare \
                     with",
                    counted.items
                ),
            )
            .with_figures(figures);
        };
        let off = off_by_percent(counted.items, expected);
        figures["off_percent"] = json!(off);
        let size = match recorded.backup.size_bytes {
            Some(bytes) => format!(", backup {bytes} bytes"),
            None => String::new(),
        };
        let (verdict, how) = if off <= tolerance {
            (Verdict::Pass, "within")
        } else {
            (Verdict::Fail, "outside")
        };
        finding(
            table,
            "item-count",
            verdict,
            format!(
                "{} items counted, the backup recorded {expected} ({off:.2}% off, {how} the \
                 {tolerance}% tolerance{size})",
                counted.items
            ),
        )
        .with_figures(figures)
    }

    /// The key schema against the backup's record; the indexes against the backup's record
    /// where it has one, else against the source as it is now (which may have changed since).
    pub(super) async fn compare_schema(
        &self,
        table: &str,
        restored: &TableSchema,
        recorded: &BackupSource,
    ) -> Finding {
        let mut wrong = Vec::new();
        if !recorded.key_schema.is_empty() && restored.key_schema != recorded.key_schema {
            wrong.push(format!(
                "keys {} where the backup recorded {}",
                keys_text(&restored.key_schema),
                keys_text(&recorded.key_schema)
            ));
        }
        let (globals, locals, against) = if recorded.indexes_recorded {
            (
                recorded.global_indexes.clone(),
                recorded.local_indexes.clone(),
                "the backup's record",
            )
        } else {
            match self.cloud.describe_table_schema(self.region, table).await {
                Ok(source) => (
                    source.global_indexes,
                    source.local_indexes,
                    "the source now",
                ),
                Err(e) => {
                    return finding(
                        table,
                        "schema",
                        if wrong.is_empty() {
                            Verdict::Unknown
                        } else {
                            Verdict::Fail
                        },
                        format!(
                            "{}the backup records no indexes and the source cannot be read \
                             ({e})",
                            wrong.iter().map(|w| format!("{w}; ")).collect::<String>()
                        ),
                    );
                }
            }
        };
        let index_diff = [
            ("global", &restored.global_indexes, &globals),
            ("local", &restored.local_indexes, &locals),
        ]
        .into_iter()
        .filter_map(|(kind, have, want)| indexes_differ(kind, have, want))
        .collect::<Vec<_>>();
        let figures = json!({
            "key_schema": keys_text(&restored.key_schema),
            "global_indexes": restored.global_indexes.iter().map(|i| &i.name).collect::<Vec<_>>(),
            "local_indexes": restored.local_indexes.iter().map(|i| &i.name).collect::<Vec<_>>(),
            "indexes_compared_with": against,
        });
        if !wrong.is_empty() {
            wrong.extend(index_diff);
            return finding(table, "schema", Verdict::Fail, wrong.join("; ")).with_figures(figures);
        }
        if !index_diff.is_empty() {
            // Against the source, a difference may be a change made since the backup.
            let verdict = if recorded.indexes_recorded {
                Verdict::Fail
            } else {
                Verdict::Warn
            };
            return finding(
                table,
                "schema",
                verdict,
                format!("{} (compared with {against})", index_diff.join("; ")),
            )
            .with_figures(figures);
        }
        finding(
            table,
            "schema",
            Verdict::Pass,
            format!(
                "keys {}, {} global and {} local index(es), as {against} has them",
                keys_text(&restored.key_schema),
                restored.global_indexes.len(),
                restored.local_indexes.len()
            ),
        )
        .with_figures(figures)
    }

    /// Items read from the restored table, looked up by key in the source. The source moves
    /// on after a backup: an item changed or gone there is drift, not a failed restore.
    pub(super) async fn sample(&self, table: &str, temp: &str, keys: &[KeyElement]) -> Finding {
        let n = self.settings.sample;
        if n == 0 {
            return finding(
                table,
                "sample",
                Verdict::Pass,
                "no items sampled ([validate].sample = 0)".to_owned(),
            );
        }
        let items = match self.cloud.sample_items(self.region, temp, n).await {
            Ok(items) => items,
            Err(e) => {
                return finding(
                    table,
                    "sample",
                    Verdict::Unknown,
                    format!("cannot read items from {temp}: {e}"),
                );
            }
        };
        let key_names: Vec<&str> = keys.iter().map(|k| k.attribute.as_str()).collect();
        let keys: Vec<Item> = items.iter().map(|item| key_of(item, &key_names)).collect();
        if keys.iter().any(|k| k.len() != key_names.len()) || key_names.is_empty() {
            return finding(
                table,
                "sample",
                Verdict::Fail,
                format!(
                    "items of {temp} lack their key attributes ({})",
                    key_names.join(", ")
                ),
            );
        }
        let source = match self.cloud.get_items(self.region, table, &keys).await {
            Ok(found) => found,
            Err(e) if e.is_not_found() => {
                return finding(
                    table,
                    "sample",
                    Verdict::Warn,
                    format!(
                        "{} items read from {temp}, but the source no longer exists to compare \
                         them with",
                        items.len()
                    ),
                );
            }
            Err(e) => {
                return finding(
                    table,
                    "sample",
                    Verdict::Unknown,
                    format!("cannot read the sampled keys from {table}: {e}"),
                );
            }
        };
        let (mut equal, mut changed, mut gone) = (0usize, 0usize, 0usize);
        for item in &items {
            let key = key_of(item, &key_names);
            match source.iter().find(|s| key_of(s, &key_names) == key) {
                Some(s) if s == item => equal += 1,
                Some(_) => changed += 1,
                None => gone += 1,
            }
        }
        let figures = json!({
            "sampled": items.len(),
            "equal": equal,
            "changed_since_backup": changed,
            "gone_since_backup": gone,
        });
        let drift = if changed + gone > 0 {
            format!(
                "; {changed} changed and {gone} gone in the source since the backup (drift, \
                 not a failure)"
            )
        } else {
            String::new()
        };
        finding(
            table,
            "sample",
            Verdict::Pass,
            format!(
                "{} items sampled from {temp}: {equal} equal in the source{drift}",
                items.len()
            ),
        )
        .with_figures(figures)
    }
}

/// How far `counted` is from `expected`, in percent of `expected` (any difference from an
/// expected zero is 100%).
pub fn off_by_percent(counted: u64, expected: u64) -> f64 {
    if expected == 0 {
        return if counted == 0 { 0.0 } else { 100.0 };
    }
    (counted as f64 - expected as f64).abs() * 100.0 / expected as f64
}

fn key_of(item: &Item, names: &[&str]) -> Item {
    names
        .iter()
        .filter_map(|n| item.get(*n).map(|v| ((*n).to_owned(), v.clone())))
        .collect()
}

pub(super) fn keys_text(keys: &[KeyElement]) -> String {
    if keys.is_empty() {
        return "(none)".to_owned();
    }
    keys.iter()
        .map(|k| format!("{} {}", k.attribute, k.key_type))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What differs between two sets of indexes, by name, key schema and projection; `None`
/// when they agree. Provisioned capacity is not compared: a restore may change it.
fn indexes_differ(kind: &str, have: &[IndexDef], want: &[IndexDef]) -> Option<String> {
    let shape = |i: &IndexDef| {
        (
            i.name.clone(),
            keys_text(&i.key_schema),
            i.projection.clone(),
            i.non_key_attributes.clone(),
        )
    };
    let mut a: Vec<_> = have.iter().map(shape).collect();
    let mut b: Vec<_> = want.iter().map(shape).collect();
    a.sort();
    b.sort();
    if a == b {
        return None;
    }
    let names = |v: &[(String, _, _, _)]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.iter()
                .map(|i| i.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    Some(format!(
        "{kind} indexes {} where {} expected",
        names(&a),
        names(&b)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_judged_in_percent_of_the_backups_record() {
        assert_eq!(off_by_percent(100, 100), 0.0);
        assert_eq!(off_by_percent(99, 100), 1.0);
        assert_eq!(off_by_percent(0, 0), 0.0);
        assert_eq!(off_by_percent(3, 0), 100.0);
        assert!((off_by_percent(90, 100) - 10.0).abs() < 1e-9);
    }
}
