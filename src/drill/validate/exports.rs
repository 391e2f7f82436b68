//! `validate`'s backup-region copies: for each table, the freshest copy a failover could
//! restore from without the primary region (an export with its saved schema, a backup made
//! in or copied to the backup region, a global-table replica), its age against the RPO.

use futures::stream::{self, StreamExt};
use serde_json::json;

use super::{Finding, Kind, Verdict};
use crate::action::Context;
use crate::config::{Dur, ValidateSettings};
use crate::runbook::sources::{Source, SourceKind, backup_region_sources, rough};

/// Every table of the estate, in the estate's order: its freshest copy in the backup region
/// against its service's RPO, and a warning for each export without its schema. Reads only.
pub async fn check(ctx: &Context<'_>, _settings: &ValidateSettings) -> Vec<Finding> {
    let concurrency = ctx.estate.aws.max_concurrency.max(1);
    let work = ctx.estate.dynamodb.tables.iter().map(|table| async move {
        let table = table.get_ref().as_str();
        // The restore source chooser's own reading: what a failover would be offered.
        let (sources, unknowns) = backup_region_sources(ctx, table).await;
        judge(table, ctx.backup(), &sources, &unknowns)
    });
    stream::iter(work)
        .buffered(concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// A copy counts when it holds the table's data outside the primary region: every usable
/// source, and an export without its schema (its data can be imported, only not as the
/// table was).
fn is_copy(s: &Source) -> bool {
    s.usable || s.kind == SourceKind::Export
}

fn what(s: &Source, backup: &str) -> String {
    let at = s
        .point
        .map(|p| format!(" of {}", p.format("%Y-%m-%d %H:%MZ")))
        .unwrap_or_default();
    match s.kind {
        SourceKind::Export => format!(
            "export{at} {}",
            s.outputs.get("export").map(String::as_str).unwrap_or("")
        ),
        SourceKind::Backup => format!(
            "backup{at} {}",
            s.outputs.get("backup").map(String::as_str).unwrap_or("")
        ),
        SourceKind::Replica => format!("global-table replica in {backup}"),
        SourceKind::Pitr => format!("point-in-time restore{at}"),
    }
}

fn figures(s: &Source) -> serde_json::Value {
    json!({
        "source": s.kind,
        "point": s.point,
        "age_secs": s.loss.as_secs(),
        "rpo_secs": s.rpo.map(|r| r.as_secs()),
        "location": s.outputs.get("export").or(s.outputs.get("backup")),
        "usable": s.usable,
    })
}

fn against(s: &Source) -> String {
    let (loss, rpo) = (s.loss, s.rpo);
    if s.kind == SourceKind::Replica {
        // A global-table replica trails by seconds: it is as current as a copy gets.
        return match rpo {
            Some(rpo) => format!("current, RPO {rpo}: within"),
            None => "current".to_owned(),
        };
    }
    match rpo {
        Some(rpo) if loss > rpo => format!(
            "{} old, RPO {rpo}: {} over",
            rough(loss),
            rough(Dur::from_secs(loss.as_secs() - rpo.as_secs()))
        ),
        Some(rpo) => format!("{} old, RPO {rpo}: within", rough(loss)),
        None => format!("{} old (no RPO: no service names the table)", rough(loss)),
    }
}

fn judge(table: &str, backup: &str, sources: &[Source], unknowns: &[String]) -> Vec<Finding> {
    let finding = |check: &str, verdict, message: String| {
        Finding::new(
            Kind::Export,
            table,
            check,
            verdict,
            format!("{table}: {message}"),
        )
    };
    let mut found = Vec::new();
    // Freshest first.
    let mut copies: Vec<&Source> = sources.iter().filter(|s| is_copy(s)).collect();
    copies.sort_by_key(|s| s.loss.as_secs());
    let unread = unknowns.join("; ");
    let within = copies
        .iter()
        .find(|s| s.rpo.is_none_or(|rpo| s.loss <= rpo));
    let main = match (copies.first(), within) {
        (_, Some(s)) => finding(
            "backup-region-copy",
            Verdict::Pass,
            format!(
                "newest copy in {backup} is the {}, {}",
                what(s, backup),
                against(s)
            ),
        )
        .with_figures(figures(s)),
        // Something could not be read: the copy that would meet the RPO may be there.
        (_, None) if !unknowns.is_empty() => {
            let newest = copies
                .first()
                .map(|s| {
                    format!(
                        "; the newest that could be read is the {}, {}",
                        what(s, backup),
                        against(s)
                    )
                })
                .unwrap_or_default();
            finding(
                "backup-region-copy",
                Verdict::Unknown,
                format!("could not look at every copy in {backup}: {unread}{newest}"),
            )
            .with_figures(
                copies
                    .first()
                    .map_or(serde_json::Value::Null, |s| figures(s)),
            )
        }
        (Some(s), None) => finding(
            "backup-region-copy",
            Verdict::Fail,
            format!(
                "newest copy in {backup} is the {}, {}: a region loss now loses more than the \
                 RPO allows",
                what(s, backup),
                against(s)
            ),
        )
        .with_figures(figures(s)),
        (None, None) => {
            let standing: Vec<String> = sources
                .iter()
                .filter(|s| !s.usable)
                .map(|s| s.label.clone())
                .collect();
            let also = if standing.is_empty() {
                String::new()
            } else {
                format!(" (found, not usable: {})", standing.join("; "))
            };
            finding(
                "backup-region-copy",
                Verdict::Fail,
                format!(
                    "no copy in {backup}: no export, no backup and no global-table replica \
                     there, so losing the primary region loses the table{also}"
                ),
            )
        }
    };
    found.push(main);
    for s in sources
        .iter()
        .filter(|s| s.kind == SourceKind::Export && !s.usable)
    {
        found.push(
            finding(
                "export-schema",
                Verdict::Warn,
                format!(
                    "the {} has no schema.json beside it: it cannot be imported as the table \
                     was (keys, indexes, billing and protection come from the source, which a \
                     region loss takes away)",
                    what(s, backup)
                ),
            )
            .with_figures(figures(s)),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};

    use super::*;

    const HOUR: u64 = 3600;

    fn export(age: u64, usable: bool) -> Source {
        Source {
            kind: SourceKind::Export,
            point: Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 12, 0).unwrap()),
            loss: Dur::from_secs(age),
            rpo: Some(Dur::from_secs(HOUR)),
            outputs: BTreeMap::from([(
                "export".to_owned(),
                "s3://b/dynamodb-exports/t/AWSDynamoDB/1/".to_owned(),
            )]),
            label: "export".to_owned(),
            usable,
        }
    }

    #[test]
    fn a_fresh_export_passes_and_an_old_one_fails_with_its_age() {
        let pass = judge("t", "us-west-2", &[export(600, true)], &[]);
        assert_eq!(pass[0].verdict, Verdict::Pass);
        assert_eq!(pass[0].figures["age_secs"], json!(600));
        let fail = judge("t", "us-west-2", &[export(3 * HOUR, true)], &[]);
        assert_eq!(fail[0].verdict, Verdict::Fail);
        assert!(
            fail[0].message.contains("3h old, RPO 1h: 2h over"),
            "{}",
            fail[0].message
        );
    }

    #[test]
    fn an_export_without_its_schema_is_a_copy_and_a_warning() {
        let found = judge("t", "us-west-2", &[export(600, false)], &[]);
        assert_eq!(found[0].verdict, Verdict::Pass);
        assert_eq!(found[1].check, "export-schema");
        assert_eq!(found[1].verdict, Verdict::Warn);
    }

    #[test]
    fn what_could_not_be_read_is_unknown_unless_a_copy_is_within_the_rpo() {
        let unread = ["could not list t's backups in us-west-2: down".to_owned()];
        let found = judge("t", "us-west-2", &[export(3 * HOUR, true)], &unread);
        assert_eq!(found[0].verdict, Verdict::Unknown);
        let found = judge("t", "us-west-2", &[export(600, true)], &unread);
        assert_eq!(found[0].verdict, Verdict::Pass);
    }

    #[tokio::test]
    async fn on_the_sim_a_days_old_export_breaks_the_rpo_a_replica_does_not() {
        use crate::cloud::sim::Fault;
        for (faults, expected) in [
            (vec![], Verdict::Pass),
            (vec![Fault::StaleExport], Verdict::Fail),
        ] {
            let (estate, sim, now) = crate::drill::validate::example_on_sim(&faults);
            let ctx = Context {
                cloud: &sim,
                estate: &estate,
                now,
            };
            let found = check(&ctx, &ValidateSettings::default()).await;
            assert_eq!(found.len(), 3, "{found:#?}");
            for f in &found {
                assert_eq!(f.verdict, expected, "{f:#?}");
            }
            if expected == Verdict::Fail {
                assert!(
                    found[0].message.contains("1d 23h old, RPO 1h: 1d 22h over"),
                    "{}",
                    found[0].message
                );
                assert_eq!(found[0].figures["source"], "export");
            }
        }
    }

    #[test]
    fn nothing_at_all_fails_naming_the_table() {
        let found = judge("t", "us-west-2", &[], &[]);
        assert_eq!(found[0].verdict, Verdict::Fail);
        assert!(found[0].message.starts_with("t: no copy in us-west-2"));
    }
}
