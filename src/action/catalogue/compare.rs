//! A restored or imported table compared with its source: counts, keys and indexes, and
//! sampled items fetched by key and compared attribute by attribute.

use async_trait::async_trait;
use serde_json::json;

use super::dynamodb::{region_arg, table_not_found};
use super::tables::{REGION_ARG, SEGMENTS_ARG, scan_progress, segments, thousands};
use crate::action::{ActionError, ArgKind, ArgSpec, Args, Check, Context, Report, TargetKind};
use crate::cloud::{IndexDef, Item, ScanCount, TableSchema};

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
        let region = &region_arg(ctx, args)?;
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
        let mine = mine.map_err(|e| table_not_found(e, table, region))?;
        let theirs = theirs.map_err(|e| table_not_found(e, other, other_region))?;
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
