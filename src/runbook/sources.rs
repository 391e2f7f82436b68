//! The restore source chooser: every copy of a table in the backup region a failover could
//! restore from, each with the data loss it implies against the table's service's RPO.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::action::{ActionError, Context};
use crate::config::Dur;

/// How a table can be had in the backup region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An export (with its schema file) in a bucket of the backup region: import it.
    Export,
    /// A global-table replica in the backup region: nothing to restore.
    Replica,
    /// A cross-region point-in-time restore, while the primary's control plane answers.
    Pitr,
    /// An on-demand backup made in (or copied to) the backup region.
    Backup,
}

impl SourceKind {
    /// The id a runbook's `decision` options match.
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::Export => "export",
            SourceKind::Replica => "replica",
            SourceKind::Pitr => "pitr",
            SourceKind::Backup => "backup",
        }
    }
}

/// One restorable source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    /// The point in time the data is from (`None` for a replica, which is current).
    pub point: Option<DateTime<Utc>>,
    /// From `point` to now (zero for a replica).
    pub loss: Dur,
    /// The table's service's RPO, where a service names the table.
    pub rpo: Option<Dur>,
    /// What the restore step takes: `export` (s3://bucket/prefix), `backup` (ARN), `time`
    /// (RFC 3339).
    pub outputs: std::collections::BTreeMap<String, String>,
    /// One line for the chooser: "export of 09:12 (48m ago; RPO 1h: within)".
    pub label: String,
    /// False when it is listed but cannot be used now (why in `label`).
    pub usable: bool,
}

impl Source {
    /// Usable and no older than the RPO (a source with no RPO to meet is within it).
    pub fn within_rpo(&self) -> bool {
        self.usable && self.rpo.is_none_or(|rpo| self.loss <= rpo)
    }
}

/// A duration as a tired reader takes it in: its two largest units, to the minute
/// ("9d 4h", "1h12m", "48m"; under a minute "0m").
pub fn rough(d: Dur) -> String {
    let mins = d.as_secs() / 60;
    let (days, hours, mins) = (mins / 1440, mins / 60 % 24, mins % 60);
    match (days, hours) {
        (0, 0) => format!("{mins}m"),
        (0, h) if mins == 0 => format!("{h}h"),
        (0, h) => format!("{h}h{mins}m"),
        (d, 0) => format!("{d}d"),
        (d, h) => format!("{d}d {h}h"),
    }
}

/// "2026-11-26 09:12Z".
fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%MZ").to_string()
}

/// The tightest RPO of the services that name the table.
pub fn rpo_of(ctx: &Context<'_>, table: &str) -> Option<Dur> {
    ctx.estate
        .services_for_table(table)
        .map(|s| s.rpo)
        .min_by_key(|d| d.as_secs())
}

/// "48m of data lost (RPO 1h: within)" / "(RPO 1h: 3h over)" / "(no RPO: no service names
/// the table)".
fn loss_words(loss: Dur, rpo: Option<Dur>) -> String {
    let against = match rpo {
        Some(rpo) if loss > rpo => format!(
            "RPO {rpo}: {} over",
            rough(Dur::from_secs(loss.as_secs() - rpo.as_secs()))
        ),
        Some(rpo) => format!("RPO {rpo}: within"),
        None => "no RPO: no service names the table".to_owned(),
    };
    format!("{} of data lost ({against})", rough(loss))
}

struct Maker<'a> {
    now: DateTime<Utc>,
    rpo: Option<Dur>,
    region: &'a str,
}

impl Maker<'_> {
    fn source(
        &self,
        kind: SourceKind,
        point: Option<DateTime<Utc>>,
        what: String,
        extra: &[(&str, String)],
        unusable: Option<String>,
    ) -> Source {
        let loss = point.map_or(Dur::from_secs(0), |p| {
            Dur::from_secs((self.now - p).num_seconds().max(0) as u64)
        });
        let mut outputs: BTreeMap<String, String> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        outputs.insert("source".into(), kind.id().into());
        outputs.insert("region".into(), self.region.to_owned());
        outputs.insert("loss".into(), rough(loss));
        if let Some(p) = point {
            outputs.insert("time".into(), p.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        let label = match &unusable {
            Some(why) => format!("{what} — {why}"),
            None => format!("{what} — {}", loss_words(loss, self.rpo)),
        };
        Source {
            kind,
            point,
            loss,
            rpo: self.rpo,
            outputs,
            label,
            usable: unusable.is_none(),
        }
    }
}

/// What the backup region holds for `table`, freshest first; reads that failed are said in
/// the second list (unknown is never "no source"). Reads only; the primary region is asked
/// only for its PITR window, so a dead primary costs one fast failure there.
pub async fn restore_sources(ctx: &Context<'_>, table: &str) -> (Vec<Source>, Vec<String>) {
    sources_of(ctx, table, true).await
}

/// The sources that need nothing of the primary region (no PITR): what a failover has when
/// the primary is gone, which readiness must judge while it still answers.
pub async fn backup_region_sources(ctx: &Context<'_>, table: &str) -> (Vec<Source>, Vec<String>) {
    sources_of(ctx, table, false).await
}

async fn sources_of(ctx: &Context<'_>, table: &str, with_pitr: bool) -> (Vec<Source>, Vec<String>) {
    let backup = ctx.backup();
    let make = Maker {
        now: ctx.now,
        rpo: rpo_of(ctx, table),
        region: backup,
    };
    let pitr = async {
        if with_pitr {
            Some(
                ctx.cloud
                    .describe_continuous_backups(ctx.primary(), table)
                    .await,
            )
        } else {
            None
        }
    };
    let (replica, pitr, backups, export) = tokio::join!(
        ctx.cloud.describe_table(backup, table),
        pitr,
        ctx.cloud.list_backups(backup, Some(table)),
        export_source(ctx, table, &make),
    );
    let mut sources = Vec::new();
    let mut unknowns = Vec::new();

    match replica {
        Ok(info) if info.replicas.is_empty() => sources.push(
            make.source(
                SourceKind::Replica,
                None,
                format!("{table} in {backup}"),
                &[],
                Some(
                    "a table of its own, no global-table replica: its data's age is unknown, and \
                 nothing can be restored under its name while it exists"
                        .to_owned(),
                ),
            ),
        ),
        Ok(info) if info.is_active() => sources.push(make.source(
            SourceKind::Replica,
            None,
            format!("global-table replica in {backup}"),
            &[],
            None,
        )),
        Ok(info) => sources.push(make.source(
            SourceKind::Replica,
            None,
            format!("global-table replica in {backup}"),
            &[],
            Some(format!("it is {}, not ACTIVE", info.status)),
        )),
        Err(e) if e.is_not_found() => {}
        Err(e) => unknowns.push(format!("could not read {table} in {backup}: {e}")),
    }

    if let Some(pitr) = pitr {
        match pitr {
            Ok(c) if c.pitr_enabled => match c.latest_restorable {
                Some(latest) => sources.push(make.source(
                    SourceKind::Pitr,
                    Some(latest),
                    format!(
                        "point-in-time restore from {} as of {}",
                        ctx.primary(),
                        stamp(latest)
                    ),
                    &[],
                    None,
                )),
                None => unknowns.push(format!(
                    "{table}'s point-in-time recovery is on in {} but gives no latest restorable \
                     time",
                    ctx.primary()
                )),
            },
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => unknowns.push(format!(
                "could not read {table}'s point-in-time recovery in {}: {e}",
                ctx.primary()
            )),
        }
    }

    match backups {
        Ok(list) => {
            // By creation time: AWS lists in no promised order.
            if let Some(b) = list
                .iter()
                .filter(|b| b.status == "AVAILABLE" && b.table_name == table)
                .max_by_key(|b| b.created)
            {
                sources.push(make.source(
                    SourceKind::Backup,
                    Some(b.created),
                    format!("backup {} of {} in {backup}", b.name, stamp(b.created)),
                    &[("backup", b.arn.clone())],
                    None,
                ));
            }
        }
        Err(e) => unknowns.push(format!("could not list {table}'s backups in {backup}: {e}")),
    }

    match export {
        Ok(Some(source)) => sources.push(source),
        Ok(None) => {}
        Err(why) => unknowns.push(why),
    }

    sources.sort_by_key(|s| (!s.usable, s.loss.as_secs()));
    (sources, unknowns)
}

/// The newest complete export of `table` under the estate's export bucket, found as
/// import-table finds it; `Ok(None)` when there is none (or no export bucket).
async fn export_source(
    ctx: &Context<'_>,
    table: &str,
    make: &Maker<'_>,
) -> Result<Option<Source>, String> {
    let Some(bucket) = ctx.estate.dynamodb.export_bucket.as_deref() else {
        return Ok(None);
    };
    let found = match crate::action::catalogue::find_export(ctx, table, None).await {
        Ok(found) => found,
        Err(ActionError::Cloud(e)) => {
            return Err(format!(
                "could not read the exports of {table} in {bucket}: {e}"
            ));
        }
        Err(_) => return Ok(None),
    };
    let what = format!("export of {}", stamp(found.time));
    let location = found.location();
    let extra = [("export", location.clone())];
    if found.bucket_region == ctx.primary() {
        return Ok(Some(make.source(
            SourceKind::Export,
            Some(found.time),
            what,
            &extra,
            Some(format!(
                "{bucket} is in {}, the primary region: lost with it",
                ctx.primary()
            )),
        )));
    }
    let key = found.schema_key();
    let schema = ctx
        .cloud
        .list_objects(&found.bucket_region, &found.bucket, Some(&key), Some(1))
        .await
        .map_err(|e| format!("could not look for s3://{bucket}/{key}: {e}"))?;
    let unusable = (!schema.iter().any(|o| o.key == key))
        .then(|| "no schema.json beside it: cannot import".to_owned());
    Ok(Some(make.source(
        SourceKind::Export,
        Some(found.time),
        what,
        &extra,
        unusable,
    )))
}

/// How long before the corruption's start the proposed restore time is: the plan's "5
/// minutes before corruption".
pub const BEFORE_CORRUPTION: chrono::Duration = chrono::Duration::minutes(5);

/// When the corruption of `table` may have begun, earliest first, each with why: the
/// earliest bad record's time (find-invalid's `earliest_bad` in `figures`), and the moment
/// each alarm of the table's services now in ALARM changed state. Reads that failed are the
/// second list: an alarm that could not be read is not an alarm that did not fire.
pub async fn corruption_start(
    ctx: &Context<'_>,
    table: &str,
    figures: &serde_json::Value,
) -> (Vec<(DateTime<Utc>, String)>, Vec<String>) {
    let mut starts = Vec::new();
    let mut unknowns = Vec::new();
    if let Some(text) = figures["earliest_bad"].as_str() {
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => starts.push((
                t.with_timezone(&Utc),
                format!(
                    "the earliest invalid record of {table} says it was written at {}",
                    stamp(t.with_timezone(&Utc))
                ),
            )),
            Err(e) => unknowns.push(format!("earliest_bad `{text}` is not RFC 3339: {e}")),
        }
    }
    let mut names: Vec<String> = ctx
        .estate
        .services_for_table(table)
        .flat_map(|s| s.alarms.iter().map(|a| a.get_ref().clone()))
        .collect();
    names.sort();
    names.dedup();
    if !names.is_empty() {
        match ctx.cloud.describe_alarms(ctx.primary(), &names, None).await {
            Ok(alarms) => {
                for alarm in alarms
                    .iter()
                    .filter(|a| a.state == crate::cloud::AlarmState::Alarm)
                {
                    match alarm.updated {
                        Some(t) => starts.push((
                            t,
                            format!(
                                "alarm {} went to ALARM at {}{}",
                                alarm.name,
                                stamp(t),
                                alarm
                                    .reason
                                    .as_deref()
                                    .map(|r| format!(": {r}"))
                                    .unwrap_or_default()
                            ),
                        )),
                        None => unknowns.push(format!(
                            "alarm {} is in ALARM but CloudWatch gave no state-change time",
                            alarm.name
                        )),
                    }
                }
            }
            Err(e) => unknowns.push(format!(
                "could not read the alarms of {table}'s services ({}): {e}",
                names.join(", ")
            )),
        }
    }
    starts.sort_by_key(|(t, _)| *t);
    (starts, unknowns)
}

/// The restore time the data-corruption runbook offers: five minutes before the earliest
/// proposed start.
pub fn proposed_restore_time(starts: &[(DateTime<Utc>, String)]) -> Option<DateTime<Utc>> {
    starts
        .iter()
        .map(|(t, _)| *t)
        .min()
        .map(|t| t - BEFORE_CORRUPTION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(rough(Dur::from_secs(30)), "0m");
        assert_eq!(rough(Dur::from_secs(48 * 60 + 10)), "48m");
        assert_eq!(rough(Dur::from_secs(3600)), "1h");
        assert_eq!(rough(Dur::from_secs(72 * 60)), "1h12m");
        assert_eq!(rough(Dur::from_secs(9 * 86400 + 4 * 3600 + 60)), "9d 4h");
        assert_eq!(rough(Dur::from_secs(9 * 86400)), "9d");
    }

    #[test]
    fn loss_is_said_against_the_rpo() {
        let hour = Some(Dur::from_secs(3600));
        assert_eq!(
            loss_words(Dur::from_secs(48 * 60), hour),
            "48m of data lost (RPO 1h: within)"
        );
        assert_eq!(
            loss_words(Dur::from_secs(4 * 3600), hour),
            "4h of data lost (RPO 1h: 3h over)"
        );
    }
}
