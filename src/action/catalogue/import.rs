//! Import from S3: a new table made from a table's export and protected as the source was —
//! the restore path that needs nothing of the primary region, since a backup or a PITR
//! restore cannot cross into a region that lost its source.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::export::{SCHEMA_FILE, bucket_region, join, s3_url, when};
use super::reprotect::reprotect;
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, DrillShape, Plan, TargetKind,
    WaitFor,
};
use crate::cloud::{ImportRequest, TableSchema, WriteRequest};
use crate::config::Dur;

/// An import of a large table takes hours.
const IMPORT_TIMEOUT: Duration = Duration::from_secs(6 * 3600);
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub struct ImportTable;

const IMPORT_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "export",
        kind: ArgKind::Text,
        required: false,
        help: "s3://bucket/prefix of one export (default: the newest complete export of the \
               table under the estate's export bucket)",
    },
    ArgSpec {
        name: "new-name",
        kind: ArgKind::Text,
        required: false,
        help: "the new table's name (default: <table>-imported-YYYYMMDDHHMM)",
    },
    ArgSpec {
        name: "region",
        kind: ArgKind::Text,
        required: false,
        help: "where to create it (default: the backup region)",
    },
    super::restore::IF_EXISTS,
];

/// One export in S3: where its data and schema are, and the point in time it holds.
pub(crate) struct Found {
    pub(crate) bucket: String,
    pub(crate) bucket_region: String,
    /// The export's own prefix: `AWSDynamoDB/` and `schema.json` are under it.
    base: String,
    id: String,
    /// Its earliest file: no later than the point in time it holds.
    pub(crate) time: DateTime<Utc>,
}

impl Found {
    /// `s3://bucket/<base>/AWSDynamoDB/<id>/`: what import-table's `export` argument takes.
    pub(crate) fn location(&self) -> String {
        s3_url(
            &self.bucket,
            &join(&self.base, &format!("AWSDynamoDB/{}/", self.id)),
        )
    }
    fn data_prefix(&self) -> String {
        join(&self.base, &format!("AWSDynamoDB/{}/data/", self.id))
    }
    /// The schema export-table saves beside the export.
    pub(crate) fn schema_key(&self) -> String {
        join(&self.base, SCHEMA_FILE)
    }
}

/// `s3://bucket/prefix` → (bucket, prefix).
fn parse_s3(url: &str) -> Result<(String, String), ActionError> {
    url.strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/').or(Some((rest, ""))))
        .filter(|(bucket, _)| !bucket.is_empty())
        .map(|(b, p)| (b.to_owned(), p.to_owned()))
        .ok_or_else(|| {
            ActionError::Invalid(format!(
                "export `{url}` is not s3://BUCKET/PREFIX (the prefix an export was made to, or \
                 its .../AWSDynamoDB/<id>/ folder)"
            ))
        })
}

/// Finds the export `url` names, or the newest complete one of `table` under the estate's
/// export bucket; S3 is read through the bucket's own region. None found is `Invalid`; a
/// read that failed is `Cloud`.
pub(crate) async fn find_export(
    ctx: &Context<'_>,
    table: &str,
    url: Option<&str>,
) -> Result<Found, ActionError> {
    let (bucket, prefix) = match url {
        Some(url) => parse_s3(url)?,
        None => {
            let bucket = ctx.estate.dynamodb.export_bucket.clone().ok_or_else(|| {
                ActionError::Invalid(
                    "no export to import: the estate names no dynamodb.export_bucket; give \
                     --arg export=s3://BUCKET/PREFIX"
                        .to_owned(),
                )
            })?;
            (
                bucket,
                format!("{}{table}/", ctx.estate.dynamodb.export_prefix),
            )
        }
    };
    let bucket_region = bucket_region(ctx, &bucket).await?;
    let (search, id) = match prefix.split_once("AWSDynamoDB/") {
        Some((base, rest)) => (
            base.to_owned(),
            rest.split('/').next().filter(|id| !id.is_empty()),
        ),
        None => (format!("{}/", prefix.trim_end_matches('/')), None),
    };
    let search = if search == "/" { String::new() } else { search };
    let newest = match id {
        Some(id) => {
            let folder = format!("{search}AWSDynamoDB/{id}/");
            let files = ctx
                .cloud
                .list_objects(&bucket_region, &bucket, Some(&folder), None)
                .await?;
            let data = files
                .iter()
                .any(|o| o.key.starts_with(&format!("{folder}data/")));
            let time = files.iter().filter_map(|o| o.last_modified).min();
            match (data, time) {
                (true, Some(time)) => Some((search.clone(), id.to_owned(), time)),
                _ => None,
            }
        }
        None => crate::health::newest_export(ctx.cloud, &bucket_region, &bucket, &search)
            .await?
            .and_then(|fact| {
                // s3://bucket/<base>AWSDynamoDB/<id>/
                let key = fact.location.strip_prefix(&format!("s3://{bucket}/"))?;
                let (base, rest) = key.split_once("AWSDynamoDB/")?;
                Some((
                    base.to_owned(),
                    rest.trim_end_matches('/').to_owned(),
                    fact.time,
                ))
            }),
    };
    let Some((base, id, time)) = newest else {
        return Err(ActionError::Invalid(format!(
            "no complete export of {table} under {}",
            s3_url(&bucket, &search)
        )));
    };
    Ok(Found {
        bucket,
        bucket_region,
        base: base.trim_end_matches('/').to_owned(),
        id,
        time,
    })
}

/// The schema saved beside the export; else the source's own, while it answers; never a
/// guess. Says where it came from.
async fn schema_for(
    ctx: &Context<'_>,
    table: &str,
    export: &Found,
) -> Result<(TableSchema, String), ActionError> {
    let key = export.schema_key();
    match ctx
        .cloud
        .get_object(&export.bucket_region, &export.bucket, &key)
        .await
    {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(|s| (s, s3_url(&export.bucket, &key)))
            .map_err(|e| {
                ActionError::Invalid(format!(
                    "{} is not a table schema ({e}): fix or remove it",
                    s3_url(&export.bucket, &key)
                ))
            }),
        Err(e) if e.is_not_found() => {
            let region = ctx.primary();
            match ctx.cloud.describe_table_schema(region, table).await {
                Ok(schema) => Ok((schema, format!("{table} in {region} (no {SCHEMA_FILE})"))),
                Err(e) => Err(ActionError::Invalid(format!(
                    "no {SCHEMA_FILE} beside the export and the source cannot be read: {e}"
                ))),
            }
        }
        Err(e) => Err(ActionError::Cloud(e)),
    }
}

/// What the export loses: the time since its point, against the tightest RPO of the
/// services that list the table.
fn data_loss(ctx: &Context<'_>, table: &str, time: DateTime<Utc>) -> String {
    let lost = (ctx.now - time).max(chrono::Duration::zero());
    let lost_for = Dur::from_secs(lost.num_seconds().max(0) as u64);
    let tightest = ctx
        .estate
        .services_for_table(table)
        .min_by_key(|s| s.rpo.as_secs());
    let rpo = match tightest {
        Some(s) if lost.num_seconds() as u64 > s.rpo.as_secs() => {
            format!(": more than the {} RPO of {}", s.rpo, s.name)
        }
        Some(s) => format!(": within the {} RPO of {}", s.rpo, s.name),
        None => ": no service of the estate lists the table, so there is no RPO to meet".to_owned(),
    };
    format!(
        "data loss: the export holds {table} as of about {} ({lost_for} ago, from its earliest \
         file); what was written since is not in the new table{rpo}",
        when(time)
    )
}

#[async_trait]
impl Action for ImportTable {
    fn name(&self) -> &'static str {
        "import-table"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            creates: Some("new-name"),
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Make a new table from a table's S3 export, and protect it as the source was"
    }
    fn details(&self) -> &'static str {
        "The restore path in the backup region when the primary is gone: an on-demand backup \
         or PITR cannot be restored into another region without its source. The key schema, \
         attributes and global indexes come from the schema.json saved beside the export (else \
         from the source table, while it answers; never guessed). Local secondary indexes cannot \
         be created by an import: the new table has none, and the preview says so. Afterwards \
         PITR, TTL, the stream and tags are put back as the source had them. The data is the \
         export's: everything written since is lost, and the preview says how much against the \
         RPO. There is no undo: the new table is kept."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Table
    }
    fn args(&self) -> &'static [ArgSpec] {
        IMPORT_ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, table: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = args.get("region").unwrap_or(ctx.backup()).to_owned();
        if region != ctx.backup() && region != ctx.primary() {
            return Err(ActionError::Invalid(format!(
                "region {region} is neither the estate's primary ({}) nor its backup ({})",
                ctx.primary(),
                ctx.backup()
            )));
        }
        let new_name = args
            .get("new-name")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{table}-imported-{}", ctx.now.format("%Y%m%d%H%M")));
        super::dynamodb::valid_name("table name", &new_name)?;
        // An estate table's name only where no table has it (in the backup region that may
        // be its global-table replica).
        let owned =
            super::restore::may_take_name(ctx, &new_name, &region, super::restore::adopts(args))
                .await?;
        let export = find_export(ctx, table, args.get("export")).await?;
        let (mut schema, schema_from) = schema_for(ctx, table, &export).await?;
        let args = args
            .clone()
            .with("export", export.location())
            .with("new-name", &new_name)
            .with("region", &region);
        let new_arn = super::reprotect::table_arn_like(&schema.arn, &region, &new_name);
        let (protect, protect_notes) = reprotect(&schema, &region, &new_name, &new_arn);
        let mut plan = Plan::new(self.name(), table, self.danger(), &args);
        // The new table is this run's own: later actions may target it, and a validation or
        // drill may remove it without a typed confirmation. Not under an estate table's name.
        if owned {
            plan.creates.push(new_name.clone());
        } else {
            plan.notes.push(format!(
                "{new_name} takes the name of a table of the estate: it is not this run's own, \
                 and deleting it later needs its name typed back"
            ));
        }
        plan.before = json!({
            "export": export.location(),
            "export_time": export.time,
            "schema_from": schema_from,
            "new_table": new_name,
            "region": region,
        });
        let lsi: Vec<String> = schema
            .local_indexes
            .iter()
            .map(|i| i.name.clone())
            .collect();
        match ctx.cloud.describe_table(&region, &new_name).await {
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(ActionError::Cloud(e)),
            Ok(info) if !info.is_active() => {
                // The import is still running (a run that gave up waiting, or a crash): wait
                // for it here, then protect it.
                plan.waits.push(crate::action::Wait {
                    after: 0,
                    until: WaitFor::TableActive {
                        region: region.clone(),
                        table: new_name.clone(),
                    },
                    timeout: IMPORT_TIMEOUT,
                });
                plan.requests = protect;
                plan.notes = protect_notes;
                plan.notes.push(format!(
                    "{new_name} exists in {region} and is {}: the import is still running",
                    info.status
                ));
                return Ok(plan);
            }
            Ok(_) => {
                // Imported already: only the protection still missing is left.
                // What re-protection restores uses too: only what the new table still lacks.
                let now = ctx.cloud.describe_table_schema(&region, &new_name).await?;
                let left = super::reprotect::still_needed(protect, &now);
                if left.is_empty() {
                    return Ok(plan.done(format!(
                        "{new_name} exists in {region} (ACTIVE) and is protected as {table} was"
                    )));
                }
                plan.requests = left;
                plan.notes = protect_notes;
                return Ok(plan);
            }
        }
        // An import cannot make them; the table is made without, and the preview says so.
        schema.local_indexes.clear();
        plan.requests.push(WriteRequest::ImportTable {
            region: region.clone(),
            import: Box::new(ImportRequest {
                bucket: export.bucket.clone(),
                key_prefix: export.data_prefix(),
                table: new_name.clone(),
                schema: schema.clone(),
            }),
        });
        plan.wait_after_last(
            WaitFor::ImportCompleted {
                region: region.clone(),
                table: new_name.clone(),
            },
            IMPORT_TIMEOUT,
        );
        plan.wait_after_last(
            WaitFor::TableActive {
                region: region.clone(),
                table: new_name.clone(),
            },
            ACTIVE_TIMEOUT,
        );
        plan.requests.extend(protect);
        plan.notes.push(data_loss(ctx, table, export.time));
        if !lsi.is_empty() {
            plan.notes.push(format!(
                "{table}'s local secondary indexes ({}) cannot be created by an import: \
                 {new_name} has none, and queries on them will fail",
                lsi.join(", ")
            ));
        }
        plan.notes
            .push(format!("key schema and indexes from {schema_from}"));
        plan.notes.extend(protect_notes);
        plan.notes.push(format!(
            "{new_name} is a new table: point the pipeline at it once it is checked; there is \
             no undo that deletes it"
        ));
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let (Some(region), Some(new_name)) = (plan.args.get("region"), plan.args.get("new-name"))
        else {
            return Err("the plan names no region or new table".to_owned());
        };
        match ctx.cloud.describe_table(region, new_name).await {
            Ok(t) if t.is_active() => {}
            Ok(t) => return Err(format!("{new_name} is {}, not ACTIVE", t.status)),
            Err(e) => return Err(format!("cannot read {new_name} back: {e}")),
        }
        let wants_pitr = plan
            .all_requests()
            .iter()
            .any(|r| matches!(r, WriteRequest::UpdateContinuousBackups { pitr: true, .. }));
        if wants_pitr {
            match ctx
                .cloud
                .describe_continuous_backups(region, new_name)
                .await
            {
                Ok(c) if c.pitr_enabled => {}
                Ok(_) => return Err(format!("point-in-time recovery of {new_name} reads as off")),
                Err(e) => return Err(format!("cannot read {new_name}'s PITR back: {e}")),
            }
        }
        Ok(())
    }
}
