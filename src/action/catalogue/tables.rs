//! DynamoDB tables after a restore: deleting one (an on-demand backup first), counting its
//! items, and comparing a restored table with its source.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Check, Context, Danger, Plan, Report, SafetyNet,
    TargetKind, WaitFor,
};
use crate::cloud::{IndexDef, Item, ScanCount, ScanProgress, TableSchema, WriteRequest};

/// `12345678` -> `12,345,678`: counts are read by tired eyes.
pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `region` argument, or the primary region.
fn region_arg<'a>(ctx: &'a Context<'_>, args: &'a Args) -> &'a str {
    args.get("region").unwrap_or_else(|| ctx.primary())
}

const REGION_ARG: ArgSpec = ArgSpec {
    name: "region",
    kind: ArgKind::Text,
    required: false,
    help: "the table's region (default: the primary region)",
};

/// How long DynamoDB may take to make a backup and to delete a table before the run stops
/// waiting (what was sent stays sent; a re-run finds where it stands).
const BACKUP_WAIT: Duration = Duration::from_secs(30 * 60);
const DELETE_WAIT: Duration = Duration::from_secs(30 * 60);

pub struct DeleteTable;

const DELETE_ARGS: &[ArgSpec] = &[
    REGION_ARG,
    ArgSpec {
        name: "backup-name",
        kind: ArgKind::Text,
        required: false,
        help: "the name of the backup taken first (default: before-delete-YYYYMMDD-HHMM-<table>)",
    },
];

#[async_trait]
impl Action for DeleteTable {
    fn name(&self) -> &'static str {
        "delete-table"
    }
    fn summary(&self) -> &'static str {
        "Delete a table, after an on-demand backup of it"
    }
    fn details(&self) -> &'static str {
        "Takes an on-demand backup first and waits for it to be AVAILABLE, then deletes the \
         table and waits until it is gone. A table with deletion protection on is refused: \
         turn it off by hand if the delete is really meant. There is no undo: restore-backup \
         brings the table back from the backup taken first (without its PITR, TTL, stream and \
         tags, which a restore does not carry over)."
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        DELETE_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = region_arg(ctx, args).to_owned();
        let backup_name = args.get("backup-name").map_or_else(
            || format!("before-delete-{}-{table}", ctx.now.format("%Y%m%d-%H%M")),
            str::to_owned,
        );
        if !(3..=255).contains(&backup_name.len())
            || !backup_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(ActionError::Invalid(format!(
                "backup name `{backup_name}` must be 3 to 255 letters, digits, '_', '.' or '-'"
            )));
        }
        // The names made explicit: the run after a preview, and a re-run, use the same backup.
        let args = args
            .clone()
            .with("region", region.clone())
            .with("backup-name", backup_name.clone());
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        let schema = match ctx.cloud.describe_table_schema(&region, table).await {
            Ok(schema) => schema,
            Err(e) if e.is_not_found() => {
                plan.before = json!({ "exists": false });
                return Ok(plan.done(format!("table {table} does not exist in {region}")));
            }
            Err(e) => return Err(e.into()),
        };
        if schema.deletion_protection {
            return Err(ActionError::Invalid(format!(
                "table {table} has deletion protection on: drconsole does not turn it off; \
                 turn it off by hand (UpdateTable DeletionProtectionEnabled=false) if the delete \
                 is really meant"
            )));
        }
        let backups = ctx.cloud.list_backups(&region, Some(table)).await?;
        let existing = backups
            .iter()
            .find(|b| b.name == backup_name && b.status != "DELETED");
        plan.before = json!({
            "exists": true,
            "schema": schema,
            "backup": existing.map(|b| json!({ "arn": b.arn, "status": b.status })),
        });
        let backup = WriteRequest::CreateBackup {
            region: region.clone(),
            table: table.to_owned(),
            backup_name: backup_name.clone(),
        };
        plan.safety_net.push(SafetyNet {
            what: match existing {
                Some(b) => format!("backup {backup_name} of {table}, already taken ({})", b.arn),
                None => format!("an on-demand backup {backup_name} of {table}"),
            },
            saved: serde_json::to_value(&schema).unwrap_or_default(),
            // A re-run after a failed delete keeps the backup it already took.
            request: existing.is_none().then_some(backup),
        });
        if existing.is_none() {
            plan.wait_after_last(
                WaitFor::BackupAvailable {
                    region: region.clone(),
                    table: table.to_owned(),
                    backup_name: backup_name.clone(),
                },
                BACKUP_WAIT,
            );
        }
        plan.requests.push(WriteRequest::DeleteTable {
            region: region.clone(),
            table: table.to_owned(),
        });
        plan.wait_after_last(
            WaitFor::TableDeleted {
                region: region.clone(),
                table: table.to_owned(),
            },
            DELETE_WAIT,
        );
        plan.notes.push(format!(
            "no undo: `drconsole action run restore-backup` brings {table} back from backup \
             {backup_name} (in {region} only)"
        ));
        plan.notes.push(
            "a restored table has no PITR, TTL, stream, tags, autoscaling or alarms until they \
             are put back"
                .to_owned(),
        );
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let region = plan.args.get("region").unwrap_or_else(|| ctx.primary());
        let table = plan.target.as_str();
        match ctx.cloud.describe_table(region, table).await {
            Err(e) if e.is_not_found() => Ok(()),
            Ok(info) => Err(format!("table {table} is still there ({})", info.status)),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}

const SEGMENTS_ARG: ArgSpec = ArgSpec {
    name: "segments",
    kind: ArgKind::Count,
    required: false,
    help: "parallel scan segments, 1 to 30 (default 4)",
};

fn segments(args: &Args) -> Result<u32, ActionError> {
    match args.count("segments") {
        None => Ok(4),
        Some(n @ 1..=30) => Ok(n as u32),
        Some(n) => Err(ActionError::Invalid(format!(
            "segments must be 1 to 30, not {n}"
        ))),
    }
}

/// Reports a counting scan's pages as "segment 2/4: 12,000 items so far".
fn scan_progress<'a>(
    label: &'a str,
    progress: &'a (dyn Fn(String) + Send + Sync),
) -> impl Fn(ScanProgress) + Send + Sync + 'a {
    move |p: ScanProgress| {
        progress(format!(
            "{label}segment {}/{}: {} items so far",
            p.segment + 1,
            p.segments,
            thousands(p.segment_items)
        ))
    }
}

/// A read of the table that says "no such table" is bad input (exit 2, "could not check").
fn table_error(e: crate::cloud::CloudError, table: &str, region: &str) -> ActionError {
    if e.is_not_found() {
        crate::action::missing_target(TargetKind::Table, table, region)
    } else {
        ActionError::Cloud(e)
    }
}

pub struct CountItems;

const COUNT_ARGS: &[ArgSpec] = &[REGION_ARG, SEGMENTS_ARG];

#[async_trait]
impl Check for CountItems {
    fn name(&self) -> &'static str {
        "count-items"
    }
    fn summary(&self) -> &'static str {
        "Count a table's items exactly (a parallel scan)"
    }
    fn details(&self) -> &'static str {
        "Scans with Select=COUNT in parallel segments, page by page: it reads the whole table \
         and costs read capacity (about one unit per 4 KB). DescribeTable's ItemCount is shown \
         beside it as approximate: AWS refreshes it about every six hours."
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        COUNT_ARGS
    }

    async fn run(
        &self,
        ctx: &Context<'_>,
        table: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError> {
        let region = region_arg(ctx, args);
        let segments = segments(args)?;
        let info = ctx
            .cloud
            .describe_table(region, table)
            .await
            .map_err(|e| table_error(e, table, region))?;
        let count = ctx
            .cloud
            .count_items_with(region, table, segments, &scan_progress("", progress))
            .await
            .map_err(|e| table_error(e, table, region))?;
        let mut report = Report::new(
            true,
            format!(
                "{} items in {table} ({region}), {} segment(s), {} page(s)",
                thousands(count.items),
                count.segments,
                thousands(count.pages)
            ),
        );
        report.lines.push(match info.item_count {
            Some(approx) => format!(
                "DescribeTable's ItemCount: {} (approximate: AWS refreshes it about every 6 h)",
                thousands(approx.max(0) as u64)
            ),
            None => "DescribeTable gave no ItemCount".to_owned(),
        });
        report.figures = json!({
            "table": table,
            "region": region,
            "items": count.items,
            "segments": count.segments,
            "pages": count.pages,
            "approximate_item_count": info.item_count,
        });
        Ok(report)
    }
}

pub struct CompareTables;

const COMPARE_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "with",
        kind: ArgKind::Text,
        required: true,
        help: "the table to compare with (a restored or imported one need not be in the estate)",
    },
    REGION_ARG,
    ArgSpec {
        name: "with-region",
        kind: ArgKind::Text,
        required: false,
        help: "the other table's region (default: the same as the target's)",
    },
    ArgSpec {
        name: "sample",
        kind: ArgKind::Count,
        required: false,
        help: "items sampled from the target and looked up by key in the other (default 100)",
    },
    ArgSpec {
        name: "tolerance",
        kind: ArgKind::Text,
        required: false,
        help: "how far the counts may differ, in percent of the target's (default 0)",
    },
    SEGMENTS_ARG,
];

/// Differences shown at most; the rest are counted.
const MAX_LINES: usize = 20;

/// An item's key, as a report shows it: `flight_id="FL00012"`.
fn key_text(item: &Item, key_names: &[String]) -> String {
    key_names
        .iter()
        .map(|k| {
            format!(
                "{k}={}",
                item.get(k).map_or_else(|| "?".to_owned(), |v| v.brief())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Indexes compared by what makes them the same index: name, keys, projection.
fn index_shape(indexes: &[IndexDef]) -> Vec<String> {
    let mut shapes: Vec<String> = indexes
        .iter()
        .map(|i| {
            let keys: Vec<String> = i
                .key_schema
                .iter()
                .map(|k| format!("{} {}", k.attribute, k.key_type))
                .collect();
            format!("{} ({}; {})", i.name, keys.join(", "), i.projection)
        })
        .collect();
    shapes.sort();
    shapes
}

fn schema_differences(a: &TableSchema, b: &TableSchema) -> Vec<String> {
    let mut out = Vec::new();
    let keys = |s: &TableSchema| {
        s.key_schema
            .iter()
            .map(|k| format!("{} {}", k.attribute, k.key_type))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if keys(a) != keys(b) {
        out.push(format!(
            "key schema differs: {} has ({}), {} has ({})",
            a.table,
            keys(a),
            b.table,
            keys(b)
        ));
    }
    for (what, x, y) in [
        (
            "global indexes",
            index_shape(&a.global_indexes),
            index_shape(&b.global_indexes),
        ),
        (
            "local indexes",
            index_shape(&a.local_indexes),
            index_shape(&b.local_indexes),
        ),
    ] {
        if x != y {
            out.push(format!(
                "{what} differ: {} has [{}], {} has [{}]",
                a.table,
                x.join("; "),
                b.table,
                y.join("; ")
            ));
        }
    }
    out
}

/// What differs between an item and its copy, attribute by attribute.
fn item_differences(key: &str, a: &Item, b: &Item, other: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in a {
        match b.get(name) {
            None => out.push(format!("item {key}: attribute {name} missing from {other}")),
            Some(v) if v != value => out.push(format!(
                "item {key}: attribute {name} is {} here, {} in {other}",
                value.brief(),
                v.brief()
            )),
            Some(_) => {}
        }
    }
    for name in b.keys().filter(|n| !a.contains_key(*n)) {
        out.push(format!("item {key}: attribute {name} only in {other}"));
    }
    out
}

fn counts_agree(a: u64, b: u64, tolerance_percent: f64) -> bool {
    if a == b {
        return true;
    }
    let allowed = a as f64 * tolerance_percent / 100.0;
    (a.abs_diff(b) as f64) <= allowed
}

#[async_trait]
impl Check for CompareTables {
    fn name(&self) -> &'static str {
        "compare-tables"
    }
    fn summary(&self) -> &'static str {
        "Compare a table with another (a restored copy): counts, keys, indexes, sampled items"
    }
    fn details(&self) -> &'static str {
        "Counts both tables with a parallel scan, compares their key schemas and indexes, then \
         takes the first N items of a scan of the target and fetches each by key from the \
         other (BatchGetItem), attribute by attribute. Passes when the counts agree (within \
         `tolerance` percent), the schemas match and every sampled item is found and equal. \
         Both tables are read whole: it costs read capacity on both."
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        COMPARE_ARGS
    }

    async fn run(
        &self,
        ctx: &Context<'_>,
        table: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError> {
        let region = region_arg(ctx, args);
        let other = args.get("with").unwrap_or_default();
        let other_region = args.get("with-region").unwrap_or(region);
        let sample = args.count("sample").unwrap_or(100).max(0) as usize;
        let segments = segments(args)?;
        let tolerance = match args.get("tolerance") {
            None => 0.0,
            Some(t) => t
                .trim_end_matches('%')
                .parse::<f64>()
                .ok()
                .filter(|t| (0.0..=100.0).contains(t))
                .ok_or_else(|| {
                    ActionError::Invalid(format!("tolerance `{t}` is not a percentage 0 to 100"))
                })?,
        };
        if other == table && other_region == region {
            return Err(ActionError::Invalid(format!(
                "{table} would be compared with itself: pass --arg with=OTHER (or with-region)"
            )));
        }
        progress(format!("reading the schemas of {table} and {other}"));
        let (mine, theirs) = tokio::join!(
            ctx.cloud.describe_table_schema(region, table),
            ctx.cloud.describe_table_schema(other_region, other),
        );
        let mine = mine.map_err(|e| table_error(e, table, region))?;
        let theirs = theirs.map_err(|e| table_error(e, other, other_region))?;
        let mut differences = schema_differences(&mine, &theirs);

        let here = format!("{table}: ");
        let there = format!("{other}: ");
        let (tell_here, tell_there) = (
            scan_progress(&here, progress),
            scan_progress(&there, progress),
        );
        let (a, b) = tokio::join!(
            ctx.cloud
                .count_items_with(region, table, segments, &tell_here),
            ctx.cloud
                .count_items_with(other_region, other, segments, &tell_there),
        );
        let (a, b): (ScanCount, ScanCount) = (a?, b?);
        let counts_ok = counts_agree(a.items, b.items, tolerance);
        if !counts_ok {
            differences.insert(
                0,
                format!(
                    "item counts differ: {} in {table}, {} in {other}{}",
                    thousands(a.items),
                    thousands(b.items),
                    if tolerance > 0.0 {
                        format!(" (more than {tolerance}%)")
                    } else {
                        String::new()
                    }
                ),
            );
        }

        let key_names: Vec<String> = mine
            .key_schema
            .iter()
            .map(|k| k.attribute.clone())
            .collect();
        progress(format!("sampling {sample} item(s) of {table}"));
        let sampled = ctx.cloud.sample_items(region, table, sample).await?;
        let keys: Vec<Item> = sampled
            .iter()
            .map(|item| {
                key_names
                    .iter()
                    .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
                    .collect()
            })
            .collect();
        progress(format!("looking up {} item(s) in {other}", keys.len()));
        let found = ctx.cloud.get_items(other_region, other, &keys).await?;
        let mut missing = 0usize;
        let mut unequal = 0usize;
        for (item, key) in sampled.iter().zip(&keys) {
            let text = key_text(item, &key_names);
            let copy = found
                .iter()
                .find(|f| key_names.iter().all(|k| f.get(k) == key.get(k)));
            match copy {
                None => {
                    missing += 1;
                    differences.push(format!("item {text} not found in {other}"));
                }
                Some(copy) => {
                    let diffs = item_differences(&text, item, copy, other);
                    if !diffs.is_empty() {
                        unequal += 1;
                        differences.extend(diffs);
                    }
                }
            }
        }

        let passed = differences.is_empty();
        let mut report = Report::new(
            passed,
            if passed {
                format!(
                    "{table} and {other} agree: {} items each, same keys and indexes, {} sampled \
                     item(s) equal",
                    thousands(a.items),
                    sampled.len()
                )
            } else {
                format!(
                    "{table} and {other} differ: {} difference(s)",
                    differences.len()
                )
            },
        );
        let shown = differences.len().min(MAX_LINES);
        report.lines.extend(differences.iter().take(shown).cloned());
        if differences.len() > shown {
            report
                .lines
                .push(format!("+{} more", differences.len() - shown));
        }
        report.figures = json!({
            "table": table,
            "region": region,
            "with": other,
            "with_region": other_region,
            "items": a.items,
            "with_items": b.items,
            "tolerance_percent": tolerance,
            "schema_equal": schema_differences(&mine, &theirs).is_empty(),
            "sampled": sampled.len(),
            "missing": missing,
            "unequal": unequal,
            "differences": differences.len(),
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::AttrValue;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn counts_agree_within_the_tolerance_only() {
        assert!(counts_agree(100, 100, 0.0));
        assert!(!counts_agree(100, 99, 0.0));
        assert!(counts_agree(100, 99, 1.0));
        assert!(!counts_agree(100, 97, 2.0));
    }

    #[test]
    fn an_item_differs_by_each_attribute() {
        let item = |alt: &str| -> Item {
            [
                ("id".to_owned(), AttrValue::S("a".into())),
                ("alt".to_owned(), AttrValue::N(alt.into())),
            ]
            .into_iter()
            .collect()
        };
        assert!(item_differences("id=a", &item("1"), &item("1"), "t2").is_empty());
        assert_eq!(
            item_differences("id=a", &item("1"), &item("2"), "t2"),
            ["item id=a: attribute alt is 1 here, 2 in t2"]
        );
    }
}
