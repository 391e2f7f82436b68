//! `backup dynamodb`: the plan's backup-dynamodb.sh. An on-demand backup per table named as
//! the plan names it, PITR on where it is off, and with `--export` an export into the backup
//! region's bucket with the table's description beside it.

mod export;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Item, ItemStatus, Run, Step, bounded};
use crate::action::{Action, Args, catalogue};

pub use export::Destination;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The tables named on the command line (default: every table of the estate).
    pub tables: Vec<String>,
    pub export: bool,
}

/// The plan's name for a table's on-demand backup of the run's day (UTC): one a day, so a
/// second run the same day finds it instead of making another.
pub fn backup_name(now: DateTime<Utc>, table: &str) -> String {
    format!("daily-backup-{}-{table}", now.format("%Y%m%d"))
}

/// The folder of a table's export of the run's day: `<export_prefix><table>/YYYY/MM/DD`,
/// without a trailing '/' (AWS adds one of its own: the plan's makes keys with `//`).
pub fn export_prefix(export_prefix: &str, now: DateTime<Utc>, table: &str) -> String {
    format!("{export_prefix}{table}/{}", now.format("%Y/%m/%d"))
        .trim_end_matches('/')
        .to_owned()
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let tables: Vec<String> = if options.tables.is_empty() {
        run.estate
            .dynamodb
            .tables
            .iter()
            .map(|t| t.get_ref().clone())
            .collect()
    } else {
        options.tables.clone()
    };
    // Checked once: every table's export goes to the same bucket.
    let destination = if options.export {
        Some(export::destination(run).await)
    } else {
        None
    };
    let destination = destination.as_ref();
    bounded(
        tables,
        run.estate.backup.concurrency,
        &run.stop,
        |table| async move { back_up(run, &table, destination).await },
    )
    .await
}

fn action(name: &str) -> &'static dyn Action {
    catalogue::find(name).expect("the catalogue has every action backup dynamodb runs")
}

/// One table: PITR, the day's backup, the export. A step that fails does not stop the next
/// one, except the export, which needs PITR on.
async fn back_up(
    run: &Run<'_>,
    table: &str,
    destination: Option<&Result<Destination, Step>>,
) -> Item {
    run.say(format!("{table}: backing up"));
    let pitr = run
        .act(action("enable-pitr"), table, &Args::default())
        .await;
    let name = backup_name(run.now, table);
    let backup = run
        .act(
            action("backup-table"),
            table,
            &Args::default().with("name", &name),
        )
        .await;
    let mut steps = vec![pitr, backup];
    let mut prefix = None;
    if let Some(destination) = destination {
        let step = match destination {
            Err(refused) => Step {
                target: table.to_owned(),
                ..refused.clone()
            },
            Ok(to) => {
                let at = export_prefix(&run.estate.dynamodb.export_prefix, run.now, table);
                prefix = Some((to.bucket.clone(), at.clone()));
                match steps[0].status {
                    ItemStatus::Done | ItemStatus::Unchanged => {
                        let args = Args::default()
                            .with("bucket", &to.bucket)
                            .with("prefix", &at);
                        run.act(action("export-table"), table, &args).await
                    }
                    ItemStatus::WouldDo => export::preview_after_pitr(run, table, to, &at).await,
                    _ => export::step(
                        table,
                        steps[0].status,
                        "not exported: an export needs point-in-time recovery on, and it could \
                         not be turned on (above)",
                    ),
                }
            }
        };
        steps.push(step);
    }
    let mut item = Item::new(
        "table",
        table,
        Item::status_from_steps(&steps),
        detail(&steps, &name),
    );
    figures(run, table, &name, prefix, &steps, &mut item).await;
    run.say(format!("{table}: {}: {}", item.status.label(), item.detail));
    item.steps = steps;
    item
}

/// One line: what each step did, or why it did not.
fn detail(steps: &[Step], name: &str) -> String {
    steps
        .iter()
        .map(|s| {
            let failed = || format!("{}: {}", s.action, s.detail);
            match (s.action.as_str(), s.status) {
                (_, ItemStatus::Failed | ItemStatus::Unknown | ItemStatus::Warning) => failed(),
                ("enable-pitr", ItemStatus::Done) => "PITR turned on".to_owned(),
                ("enable-pitr", ItemStatus::Unchanged) => "PITR already on".to_owned(),
                ("enable-pitr", ItemStatus::WouldDo) => "would turn PITR on".to_owned(),
                ("backup-table", ItemStatus::Done) => format!("backup {name} made"),
                ("backup-table", ItemStatus::Unchanged) => format!("backup {name} already exists"),
                ("backup-table", ItemStatus::WouldDo) => format!("would make backup {name}"),
                ("export-table", ItemStatus::Done) => "exported with its schema".to_owned(),
                ("export-table", ItemStatus::Unchanged) => {
                    "today's export already there".to_owned()
                }
                ("export-table", ItemStatus::WouldDo) => "would export".to_owned(),
                _ => failed(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The item's figures, read back from AWS (not taken from what was asked): the backup's
/// ARN, PITR before and after, the export's ARN and where its files are.
async fn figures(
    run: &Run<'_>,
    table: &str,
    name: &str,
    export: Option<(String, String)>,
    steps: &[Step],
    item: &mut Item,
) {
    let primary = run.estate.regions.primary.get_ref().as_str();
    let before = match steps[0].status {
        ItemStatus::Unchanged => Value::Bool(true),
        ItemStatus::Done | ItemStatus::WouldDo => Value::Bool(false),
        _ => Value::Null,
    };
    let after = if run.dry_run {
        Value::Null
    } else {
        match run.cloud.describe_continuous_backups(primary, table).await {
            Ok(c) => Value::Bool(c.pitr_enabled),
            Err(_) => Value::Null,
        }
    };
    item.figures.insert("pitr_before".into(), before);
    item.figures.insert("pitr_after".into(), after);
    item.figures.insert("backup_name".into(), name.into());
    if let Ok(list) = run.cloud.list_backups(primary, Some(table)).await
        && let Some(b) = list
            .iter()
            .find(|b| b.name == name && b.status != "DELETED")
    {
        item.figures
            .insert("backup_arn".into(), b.arn.clone().into());
    }
    if let Some((bucket, prefix)) = export {
        item.figures.insert(
            "export_prefix".into(),
            format!("s3://{bucket}/{prefix}").into(),
        );
        item.figures.insert(
            "schema_key".into(),
            format!("s3://{bucket}/{prefix}/{}", catalogue::SCHEMA_FILE).into(),
        );
        if let Some(arn) = export::arn(run, table, &bucket, &prefix).await {
            item.figures.insert("export_arn".into(), arn.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(action: &str, status: ItemStatus) -> Step {
        Step {
            action: action.to_owned(),
            target: "t".to_owned(),
            status,
            detail: "why".to_owned(),
            requests: Vec::new(),
            notes: Vec::new(),
            run: None,
        }
    }

    #[test]
    fn names_and_folders_are_dated_by_the_runs_clock_in_utc() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T23:59:59-05:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            backup_name(now, "flightdata-main"),
            "daily-backup-20260302-flightdata-main"
        );
        assert_eq!(
            export_prefix("dynamodb-exports/", now, "flightdata-main"),
            "dynamodb-exports/flightdata-main/2026/03/02"
        );
        assert_eq!(export_prefix("", now, "t1"), "t1/2026/03/02");
    }

    #[test]
    fn one_write_among_steps_already_done_is_done_and_a_failure_is_the_worst() {
        use ItemStatus::*;
        let of = |s: &[ItemStatus]| {
            Item::status_from_steps(
                &s.iter()
                    .map(|s| step("backup-table", *s))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(of(&[Unchanged, Done]), Done);
        assert_eq!(of(&[Unchanged, Unchanged]), Unchanged);
        assert_eq!(of(&[Done, Failed, Unchanged]), Failed);
        assert_eq!(of(&[WouldDo, Unchanged]), WouldDo);
        assert_eq!(of(&[Unknown, Failed]), Unknown);
    }

    #[test]
    fn the_detail_names_the_backup_and_the_service_message_of_a_failure() {
        let steps = [
            step("enable-pitr", ItemStatus::Unchanged),
            step("backup-table", ItemStatus::Failed),
        ];
        assert_eq!(
            detail(&steps, "daily-backup-20261127-t"),
            "PITR already on; backup-table: why"
        );
    }
}
