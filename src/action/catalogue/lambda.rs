//! Lambda actions: back a function up now, stop ingestion, restart it.

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, SafetyNet, TargetKind,
    Undo, missing_target,
};
use crate::cloud::{CloudError, EventSourceMapping, ObjectBody, WriteRequest};
use crate::config::Estate;

mod latest;

fn not_found(e: CloudError, function: &str, region: &str) -> ActionError {
    if e.is_not_found() {
        missing_target(TargetKind::Function, function, region)
    } else {
        ActionError::Cloud(e)
    }
}

pub struct BackupFunction;

/// `<prefix><YYYYMMDD>/<function>/`: the dated folder the health panel reads.
fn backup_folder(ctx: &Context<'_>, day: &str, function: &str) -> String {
    format!("{}{day}/{function}/", ctx.estate.lambda.backup_prefix)
}

const BACKUP_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "date",
        kind: ArgKind::Text,
        required: false,
        help: "the backup's day folder, YYYYMMDD (default: today, UTC; fixed at the preview, so \
               a run just after midnight sends what the preview showed)",
    },
    ArgSpec {
        name: "latest",
        kind: ArgKind::Choice(&["yes", "no"]),
        required: false,
        help: "yes: also make <backup_prefix>latest/<function>/ (the folder the plan's monthly \
               test reads) a copy of the dated folder, once that folder holds both files \
               (default: no)",
    },
];

/// Lambda's `CodeSha256`: the package's SHA-256, base64.
fn code_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    aws_smithy_types::base64::encode(sha2::Sha256::digest(bytes))
}

#[async_trait]
impl Action for BackupFunction {
    fn name(&self) -> &'static str {
        "backup-function"
    }
    fn summary(&self) -> &'static str {
        "Back a function up now: its configuration and its code package"
    }
    fn details(&self) -> &'static str {
        "Writes <function>-config.json and <function>-code.zip under \
         <backup_prefix><YYYYMMDD>/<function>/ (the plan's layout) in the estate's \
         lambda.backup_bucket and, where named, lambda.backup_copy_bucket in the backup region \
         (the copy a failover restores from). The code is downloaded from the function's Code.Location; \
         where that fails, the configuration is still saved and the run says the backup cannot \
         restore the function. With latest=yes, <backup_prefix>latest/<function>/ (the folder the \
         plan's monthly test reads) is then made a copy of the dated folder, from its bytes, once \
         that folder holds both files. No undo: backups are kept."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Function
    }
    fn args(&self) -> &'static [ArgSpec] {
        BACKUP_ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        function: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let bucket = ctx.estate.lambda.backup_bucket.clone().ok_or_else(|| {
            ActionError::Invalid(
                "the estate names no lambda.backup_bucket to back functions up to".to_owned(),
            )
        })?;
        let info = ctx
            .cloud
            .get_function(region, function)
            .await
            .map_err(|e| not_found(e, function, region))?;
        let day = args
            .get("date")
            .map(str::to_owned)
            .unwrap_or_else(|| ctx.now.format("%Y%m%d").to_string());
        if day.len() != 8 || !day.chars().all(|c| c.is_ascii_digit()) {
            return Err(ActionError::Invalid(format!(
                "argument date must be YYYYMMDD, not `{day}`"
            )));
        }
        let args = &args.clone().with("date", day.clone());
        let folder = backup_folder(ctx, &day, function);
        let (config_file, code_file) = (
            format!("{function}-config.json"),
            format!("{function}-code.zip"),
        );
        // The backup bucket, and the plan's copy in the backup region (Lambda takes code only
        // from a bucket in the function's own region: the copy is what a failover restores).
        let mut places = vec![(region.to_owned(), bucket.clone())];
        if let Some(copy) = &ctx.estate.lambda.backup_copy_bucket {
            places.push((ctx.backup().to_owned(), copy.clone()));
        }
        let mut lacking = Vec::new();
        let mut stored = Vec::new();
        for (place_region, place_bucket) in &places {
            let existing = ctx
                .cloud
                .list_objects(place_region, place_bucket, Some(&folder), None)
                .await?;
            let has = |file: &str| existing.iter().any(|o| o.key == format!("{folder}{file}"));
            lacking.push((
                place_region.clone(),
                place_bucket.clone(),
                !has(&config_file),
                !has(&code_file),
            ));
            stored.push(existing);
        }
        let keep_latest = args.get("latest") == Some("yes");
        let mut plan = Plan::new(self.name(), function, self.danger(), args);
        plan.before = json!({
            "folder": folder,
            "places": lacking.iter().map(|(r, b, config, code)| json!({
                "bucket": format!("s3://{b}/{folder}"),
                "region": r,
                "has_config": !config,
                "has_code": !code,
            })).collect::<Vec<_>>(),
        });
        if lacking.iter().all(|(_, _, config, code)| !config && !code) {
            if keep_latest {
                for ((place_region, place_bucket, ..), existing) in lacking.iter().zip(&stored) {
                    let place = latest::Place {
                        region: place_region,
                        bucket: place_bucket,
                        folder: &folder,
                        existing,
                    };
                    let fresh = latest::Fresh {
                        config: None,
                        code: None,
                    };
                    plan.requests.extend(
                        latest::requests(ctx, function, &day, &place, &fresh, &mut plan.notes)
                            .await?,
                    );
                }
            }
            if plan.requests.is_empty() {
                return Ok(plan.done(format!(
                    "{function} is already backed up today in s3://{bucket}/{folder}"
                )));
            }
            return Ok(plan);
        }
        let code = if lacking.iter().any(|(_, _, _, code)| *code) {
            Some(match info.code_location.as_deref() {
                None => {
                    Err("the function has no code location (an image, or not readable)".to_owned())
                }
                Some(location) => match ctx.cloud.download_code(region, location).await {
                    Err(e) => Err(format!("the code could not be downloaded: {e}")),
                    Ok(bytes) => match info.code_sha256.as_deref() {
                        Some(want) if !want.is_empty() && want != code_sha256(&bytes) => {
                            Err(format!(
                                "the downloaded package's SHA-256 {} is not the function's \
                                 CodeSha256 {want}",
                                code_sha256(&bytes)
                            ))
                        }
                        _ => Ok(bytes),
                    },
                },
            })
        } else {
            None
        };
        // The presigned URL carries credentials and expires: never kept in a backup.
        let mut config = info.clone();
        config.code_location = None;
        let config = ObjectBody::json(&serde_json::to_value(&config).unwrap_or_default());
        // Only what each folder lacks: a re-run after a failed download must not send the
        // same configuration again.
        for (place_region, place_bucket, needs_config, needs_code) in &lacking {
            if *needs_config {
                plan.requests.push(WriteRequest::PutObject {
                    region: place_region.clone(),
                    bucket: place_bucket.clone(),
                    key: format!("{folder}{config_file}"),
                    body: config.clone(),
                });
            }
            if let (true, Some(Ok(bytes))) = (needs_code, &code) {
                plan.requests.push(WriteRequest::PutObject {
                    region: place_region.clone(),
                    bucket: place_bucket.clone(),
                    key: format!("{folder}{code_file}"),
                    body: ObjectBody::bytes("application/zip", bytes.clone()),
                });
            }
        }
        // `latest/` after the dated folders: an interrupted run leaves it at the previous
        // backup, never ahead of the dated folder it copies.
        if keep_latest {
            let mut copies = Vec::new();
            for ((place_region, place_bucket, needs_config, needs_code), existing) in
                lacking.iter().zip(&stored)
            {
                let place = latest::Place {
                    region: place_region,
                    bucket: place_bucket,
                    folder: &folder,
                    existing,
                };
                let fresh = latest::Fresh {
                    config: needs_config.then_some(&config),
                    code: match (needs_code, &code) {
                        (true, Some(Ok(bytes))) => Some(latest::FreshCode::Bytes(bytes)),
                        (true, _) => Some(latest::FreshCode::Missing),
                        (false, _) => None,
                    },
                };
                copies.extend(
                    latest::requests(ctx, function, &day, &place, &fresh, &mut plan.notes).await?,
                );
            }
            plan.requests.extend(copies);
        }
        if let Some(Err(why)) = &code {
            plan.notes.push(format!(
                "{why}: only the configuration is saved, and it cannot restore the function"
            ));
        }
        if plan.requests.is_empty() {
            return Ok(plan.done(format!(
                "the configuration of {function} is already saved today in s3://{bucket}/{folder}; \
                 its code is not, and cannot be downloaded now"
            )));
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        for request in &plan.requests {
            if let WriteRequest::PutObject {
                region,
                bucket,
                key,
                ..
            } = request
            {
                match ctx
                    .cloud
                    .list_objects(region, bucket, Some(key), Some(1))
                    .await
                {
                    Ok(found) if found.iter().any(|o| &o.key == key) => {}
                    Ok(_) => return Err(format!("s3://{bucket}/{key} is not listed")),
                    Err(e) => return Err(format!("cannot read it back: {e}")),
                }
            }
        }
        Ok(())
    }
}

fn ingestion_function(estate: &Estate) -> Option<String> {
    estate
        .lambda
        .ingestion_function
        .as_ref()
        .map(|f| f.get_ref().clone())
}

/// What ingestion looks like now: its reserved concurrency and what feeds it.
async fn ingestion_state(
    ctx: &Context<'_>,
    function: &str,
) -> Result<(Option<i32>, Vec<EventSourceMapping>), ActionError> {
    let region = ctx.primary();
    let (concurrency, mappings) = tokio::join!(
        ctx.cloud.get_concurrency(region, function),
        ctx.cloud.list_event_source_mappings(region, function),
    );
    Ok((
        concurrency.map_err(|e| not_found(e, function, region))?,
        mappings.map_err(|e| not_found(e, function, region))?,
    ))
}

/// Lambda refuses to change a mapping that is between states (ResourceInUseException), and
/// "Updating" says nothing of whether it was on: wait for it to settle.
fn settled(mappings: &[EventSourceMapping], moving: &[&str]) -> Result<(), ActionError> {
    match mappings.iter().find(|m| moving.contains(&m.state.as_str())) {
        Some(m) => Err(ActionError::Invalid(format!(
            "event source mapping {} is {}: run it again once it has settled",
            m.uuid, m.state
        ))),
        None => Ok(()),
    }
}

/// A reserved concurrency of `reserved`, or none at all.
fn set_concurrency(region: &str, function: &str, reserved: Option<i32>) -> WriteRequest {
    match reserved {
        Some(reserved) => WriteRequest::PutFunctionConcurrency {
            region: region.to_owned(),
            function: function.to_owned(),
            reserved,
        },
        None => WriteRequest::DeleteFunctionConcurrency {
            region: region.to_owned(),
            function: function.to_owned(),
        },
    }
}

pub struct StopIngestion;

#[async_trait]
impl Action for StopIngestion {
    fn name(&self) -> &'static str {
        "stop-ingestion"
    }
    fn summary(&self) -> &'static str {
        "Stop data ingestion: disable the ingestion function's event source mappings and/or \
         set its reserved concurrency to 0"
    }
    fn details(&self) -> &'static str {
        "Stops production data coming in. The estate's lambda.ingestion_stop says how: \
         `mappings` (queued messages wait in their queue, up to its retention period, instead of \
         failing into the dead-letter queue), `concurrency` (every invocation is throttled), or \
         `both`. The current concurrency and mapping states are saved first; undo (or \
         restart-ingestion) puts them back."
    }
    fn danger(&self) -> Danger {
        Danger::Destructive
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Function
    }
    fn default_target(&self, estate: &Estate) -> Option<String> {
        ingestion_function(estate)
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        function: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let how = ctx.estate.lambda.ingestion_stop;
        let (concurrency, mappings) = ingestion_state(ctx, function).await?;
        let mut plan = Plan::new(self.name(), function, self.danger(), args);
        let saved = json!({
            "reserved_concurrency": concurrency,
            "mappings": mappings.iter().map(|m| json!({ "uuid": m.uuid, "state": m.state, "source": m.source_arn })).collect::<Vec<_>>(),
        });
        plan.before = saved.clone();
        let mut undo = Vec::new();
        if how.mappings() {
            // One on its way to Enabled would keep ingesting after a stop that skipped it.
            settled(&mappings, &["Creating", "Enabling", "Updating"])?;
            for m in mappings.iter().filter(|m| m.state == "Enabled") {
                let request = |enabled| WriteRequest::UpdateEventSourceMapping {
                    region: region.to_owned(),
                    uuid: m.uuid.clone(),
                    function: function.to_owned(),
                    enabled,
                };
                plan.requests.push(request(false));
                undo.push(request(true));
            }
        }
        if how.concurrency() && concurrency != Some(0) {
            plan.requests
                .push(set_concurrency(region, function, Some(0)));
            undo.push(set_concurrency(region, function, concurrency));
        }
        if plan.requests.is_empty() {
            return Ok(plan.done(format!("ingestion through {function} is already stopped")));
        }
        plan.safety_net.push(SafetyNet {
            what: format!(
                "the reserved concurrency ({}) and the {} event source mapping state(s) of {function}",
                concurrency.map_or("none".to_owned(), |n| n.to_string()),
                mappings.len()
            ),
            saved,
            request: None,
        });
        plan.undo = Some(Undo {
            summary: format!("restart ingestion through {function} as it was"),
            requests: undo,
            waits: Vec::new(),
        });
        if how.mappings() && mappings.is_empty() {
            plan.notes.push(format!(
                "{function} has no event source mappings: only its concurrency can stop it"
            ));
        }
        plan.notes
            .push("this stops production data coming in until ingestion is restarted".to_owned());
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let how = ctx.estate.lambda.ingestion_stop;
        let (concurrency, mappings) = ingestion_state(ctx, &plan.target)
            .await
            .map_err(|e| format!("cannot read it back: {e}"))?;
        if how.concurrency() && concurrency != Some(0) {
            return Err(format!("reserved concurrency reads {concurrency:?}, not 0"));
        }
        if how.mappings()
            && let Some(m) = mappings.iter().find(|m| m.is_enabled())
        {
            return Err(format!("mapping {} is still {}", m.uuid, m.state));
        }
        Ok(())
    }
}

pub struct RestartIngestion;

const RESTART_ARGS: &[ArgSpec] = &[ArgSpec {
    name: "concurrency",
    kind: ArgKind::Count,
    required: false,
    help: "reserved concurrency to set (default: remove the limit of 0)",
}];

#[async_trait]
impl Action for RestartIngestion {
    fn name(&self) -> &'static str {
        "restart-ingestion"
    }
    fn summary(&self) -> &'static str {
        "Restart data ingestion: re-enable the event source mappings and lift a concurrency of 0"
    }
    fn details(&self) -> &'static str {
        "The reverse of stop-ingestion, by the estate's lambda.ingestion_stop. To put back \
         exactly what stop-ingestion saved, undo its journal entry instead \
         (`drconsole action undo SEQ`)."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Function
    }
    fn default_target(&self, estate: &Estate) -> Option<String> {
        ingestion_function(estate)
    }
    fn args(&self) -> &'static [ArgSpec] {
        RESTART_ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        function: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let how = ctx.estate.lambda.ingestion_stop;
        let (concurrency, mappings) = ingestion_state(ctx, function).await?;
        let mut plan = Plan::new(self.name(), function, self.danger(), args);
        plan.before = json!({
            "reserved_concurrency": concurrency,
            "mappings": mappings.iter().map(|m| json!({ "uuid": m.uuid, "state": m.state })).collect::<Vec<_>>(),
        });
        if how.mappings() {
            // One still Disabling cannot be enabled yet: a restart now would be half done.
            settled(&mappings, &["Disabling", "Updating"])?;
            for m in mappings.iter().filter(|m| m.state == "Disabled") {
                plan.requests.push(WriteRequest::UpdateEventSourceMapping {
                    region: region.to_owned(),
                    uuid: m.uuid.clone(),
                    function: function.to_owned(),
                    enabled: true,
                });
            }
        }
        if concurrency == Some(0) {
            plan.requests
                .push(set_concurrency(region, function, args.count("concurrency")));
        }
        if plan.requests.is_empty() {
            return Ok(plan.done(format!("ingestion through {function} is already running")));
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let how = ctx.estate.lambda.ingestion_stop;
        let (concurrency, mappings) = ingestion_state(ctx, &plan.target)
            .await
            .map_err(|e| format!("cannot read it back: {e}"))?;
        if concurrency == Some(0) && plan.args.count("concurrency") != Some(0) {
            return Err("reserved concurrency still reads 0".to_owned());
        }
        if how.mappings()
            && let Some(m) = mappings
                .iter()
                .find(|m| matches!(m.state.as_str(), "Disabled" | "Disabling"))
        {
            return Err(format!("mapping {} is still {}", m.uuid, m.state));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_sha256_is_base64_as_lambda_spells_it() {
        assert_eq!(
            super::code_sha256(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
