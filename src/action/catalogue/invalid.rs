//! find-invalid: a parallel scan of a whole table for items that break the estate's
//! validation rule, and when the bad ones say they were written: the corruption's scope and
//! its likely start, for the data-corruption runbook.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use super::dynamodb::{region_arg, table_not_found};
use super::tables::{REGION_ARG, SEGMENTS_ARG, scan_progress, segments, thousands};
use crate::action::{ActionError, ArgKind, ArgSpec, Args, Check, Context, Report, TargetKind};
use crate::cloud::{AttrValue, Item};

/// Bad items named in the report, at most.
const EXAMPLES: usize = 5;

const ARGS: &[ArgSpec] = &[
    REGION_ARG,
    SEGMENTS_ARG,
    ArgSpec {
        name: "required",
        kind: ArgKind::Text,
        required: false,
        help: "attributes every valid item has, comma-separated (default: the estate's \
               [dynamodb.validation].required, else the plan's flight_id,timestamp)",
    },
];

pub struct FindInvalid;

/// Absent, NULL or empty: what the plan's `not item.get(...)` caught, without taking a
/// number 0 or `false` for missing as Python's truthiness did.
fn missing(item: &Item, attr: &str) -> bool {
    match item.get(attr) {
        None | Some(AttrValue::Null) => true,
        Some(AttrValue::S(s) | AttrValue::B(s)) => s.is_empty(),
        Some(_) => false,
    }
}

/// When an item says it was written: RFC 3339 text, or epoch seconds or milliseconds (as a
/// number or as digits).
pub(crate) fn item_time(value: &AttrValue) -> Option<DateTime<Utc>> {
    let epoch = |n: f64| {
        // Past 1e11 it is milliseconds: 1e11 seconds is the year 5138.
        let ms = if n.abs() >= 1e11 { n } else { n * 1000.0 };
        DateTime::<Utc>::from_timestamp_millis(ms as i64)
    };
    match value {
        AttrValue::S(s) => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| s.trim().parse::<f64>().ok().and_then(epoch)),
        AttrValue::N(n) => n.parse::<f64>().ok().and_then(epoch),
        _ => None,
    }
}

#[derive(Default)]
struct Tally {
    invalid: u64,
    missing: BTreeMap<String, u64>,
    earliest: Option<DateTime<Utc>>,
    /// The first keys in key order, so the same table gives the same examples.
    examples: BTreeSet<String>,
}

struct Rule<'a> {
    required: &'a [String],
    time_attribute: &'a str,
    keys: &'a [String],
}

impl Rule<'_> {
    fn judge(&self, item: &Item, tally: &mut Tally) {
        let lacks: Vec<&String> = self.required.iter().filter(|a| missing(item, a)).collect();
        if lacks.is_empty() {
            return;
        }
        tally.invalid += 1;
        for a in &lacks {
            *tally.missing.entry((*a).clone()).or_default() += 1;
        }
        if let Some(t) = item.get(self.time_attribute).and_then(item_time) {
            tally.earliest = Some(tally.earliest.map_or(t, |e| e.min(t)));
        }
        let key = self
            .keys
            .iter()
            .map(|k| {
                let value = item.get(k).map_or("(none)".to_owned(), AttrValue::brief);
                format!("{k}={value}")
            })
            .collect::<Vec<_>>()
            .join(" ");
        let names: Vec<&str> = lacks.iter().map(|a| a.as_str()).collect();
        tally
            .examples
            .insert(format!("{key}: missing {}", names.join(", ")));
        if tally.examples.len() > EXAMPLES {
            tally.examples.pop_last();
        }
    }
}

#[async_trait]
impl Check for FindInvalid {
    fn name(&self) -> &'static str {
        "find-invalid"
    }
    fn summary(&self) -> &'static str {
        "Scan a whole table for items that break the validation rule, and date the earliest"
    }
    fn details(&self) -> &'static str {
        "A parallel scan of every item, with no filter: the plan's scan kept only items with \
         timestamp >= a cutoff, which drops exactly the records missing a timestamp. An item \
         is invalid when an attribute of [dynamodb.validation].required (default flight_id, \
         timestamp) is absent, NULL or empty. The earliest time_attribute (default timestamp) \
         among the invalid items that have one proposes when the corruption began. It reads \
         the whole table and costs read capacity (about one unit per 4 KB). Passes when no \
         item is invalid."
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        ARGS
    }

    async fn run(
        &self,
        ctx: &Context<'_>,
        table: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError> {
        let region = &region_arg(ctx, args)?;
        let segments = segments(args)?;
        let validation = &ctx.estate.dynamodb.validation;
        let required: Vec<String> = match args.get("required") {
            Some(list) => list
                .split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
            None => validation.required(),
        };
        if required.is_empty() {
            return Err(ActionError::Invalid(
                "required names no attribute: give at least one, like required=flight_id"
                    .to_owned(),
            ));
        }
        let time_attribute = validation.time_attribute();
        let schema = ctx
            .cloud
            .describe_table_schema(region, table)
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        let keys: Vec<String> = schema
            .key_schema
            .iter()
            .map(|k| k.attribute.clone())
            .collect();
        let rule = Rule {
            required: &required,
            time_attribute,
            keys: &keys,
        };
        let tally = Mutex::new(Tally::default());
        let visit =
            |item: &Item| rule.judge(item, &mut tally.lock().unwrap_or_else(|p| p.into_inner()));
        let count = ctx
            .cloud
            .scan_items_with(
                region,
                table,
                segments,
                &visit,
                &scan_progress("", progress),
            )
            .await
            .map_err(|e| table_not_found(e, table, region))?;
        let tally = tally.into_inner().unwrap_or_else(|p| p.into_inner());
        let earliest = tally
            .earliest
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        let rule_words = format!("required: {}", required.join(", "));
        let mut report = Report::new(
            tally.invalid == 0,
            if tally.invalid == 0 {
                format!(
                    "no invalid item among {} in {table} ({region}; {rule_words})",
                    thousands(count.items)
                )
            } else {
                format!(
                    "{} of {} items in {table} ({region}) are invalid ({rule_words})",
                    thousands(tally.invalid),
                    thousands(count.items)
                )
            },
        );
        for (attr, n) in &tally.missing {
            report
                .lines
                .push(format!("{} without {attr}", thousands(*n)));
        }
        if tally.invalid > 0 {
            report.lines.push(match &earliest {
                Some(t) => format!(
                    "earliest {time_attribute} among the invalid items: {t} (the corruption \
                     began no later)"
                ),
                None => format!(
                    "no invalid item has a readable {time_attribute}: date the corruption from \
                     the alarm or by hand"
                ),
            });
        }
        report.lines.extend(
            tally
                .examples
                .iter()
                .map(|example| format!("e.g. {example}")),
        );
        report.figures = json!({
            "table": table,
            "region": region,
            "scanned": count.items,
            "invalid": tally.invalid,
            "earliest_bad": earliest,
            // The plan's rule: restore to five minutes before the corruption began.
            "restore_before": tally
                .earliest
                .map(|t| (t - chrono::Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true)),
            "required": required,
            "time_attribute": time_attribute,
            "missing": tally.missing,
            "segments": count.segments,
            "pages": count.pages,
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, AttrValue)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn times_are_read_from_text_or_epoch_seconds_or_millis() {
        let at = "2026-11-26T09:12:00Z";
        let want = DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc);
        let secs = want.timestamp().to_string();
        let millis = (want.timestamp() * 1000).to_string();
        assert_eq!(item_time(&AttrValue::S(at.into())), Some(want));
        assert_eq!(item_time(&AttrValue::N(secs.clone())), Some(want));
        assert_eq!(item_time(&AttrValue::S(secs)), Some(want));
        assert_eq!(item_time(&AttrValue::N(millis)), Some(want));
        assert_eq!(item_time(&AttrValue::S("yesterday".into())), None);
    }

    #[test]
    fn missing_empty_or_null_is_invalid_but_zero_is_not() {
        let required = ["flight_id".to_owned(), "altitude".to_owned()];
        let rule = Rule {
            required: &required,
            time_attribute: "timestamp",
            keys: &["flight_id".to_owned()],
        };
        let mut tally = Tally::default();
        rule.judge(
            &item(&[
                ("flight_id", AttrValue::S("FL1".into())),
                ("altitude", AttrValue::N("0".into())),
            ]),
            &mut tally,
        );
        assert_eq!(tally.invalid, 0);
        rule.judge(
            &item(&[
                ("flight_id", AttrValue::S(String::new())),
                ("altitude", AttrValue::Null),
                ("timestamp", AttrValue::S("2026-11-26T09:12:00Z".into())),
            ]),
            &mut tally,
        );
        assert_eq!(tally.invalid, 1);
        assert_eq!(tally.missing["altitude"], 1);
        assert_eq!(
            tally.examples.first().unwrap(),
            "flight_id=\"\": missing flight_id, altitude"
        );
        assert!(tally.earliest.is_some());
    }

    /// The simulated records carry the plan's attributes: a healthy sim table passes.
    #[tokio::test]
    async fn a_healthy_sim_table_has_no_invalid_item() {
        use crate::cloud::Backups;
        use crate::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
        let estate = crate::config::parse(
            crate::session::EXAMPLE_ESTATE,
            std::path::Path::new("templates/estate.example.toml"),
        )
        .unwrap();
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(Utc::now()),
                latency: Latency::None,
                faults: Vec::new(),
            },
        );
        let ctx = Context {
            cloud: &sim,
            estate: &estate,
            now: Utc::now(),
        };
        let table = "flightdata-config";
        let report = FindInvalid
            .run(&ctx, table, &Args::default(), &|_| {})
            .await
            .unwrap();
        assert!(report.passed, "{report:#?}");
        let items = sim.count_items("us-east-1", table, 1).await.unwrap();
        assert_eq!(report.figures["scanned"], items);
        assert_eq!(report.figures["invalid"], 0);
    }
}
