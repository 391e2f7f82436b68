//! restore-function: make a function again from its backup, in the primary region or the
//! backup region, with its code in a bucket of that region and its region-bound settings
//! mapped through `[lambda.region_map]`.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use super::region_map::{arn_region, map_for_region};
use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, DrillShape, Plan, SafetyNet,
    TargetKind, Undo, WaitFor,
};
use crate::cloud::{BucketRef, CodeInS3, FunctionInfo, WriteRequest};

/// Lambda settles a new function or an update in seconds, a VPC function in minutes.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "region",
        kind: ArgKind::Text,
        required: false,
        help: "where to restore it: the primary region (default) or the backup region",
    },
    ArgSpec {
        name: "date",
        kind: ArgKind::Text,
        required: false,
        help: "the backup's day folder, YYYYMMDD (default: the newest that has both the \
               configuration and the code)",
    },
    ArgSpec {
        name: "new-name",
        kind: ArgKind::Text,
        required: false,
        help: "restore the backup as a function of this name (default: the function's own; a \
               drill's copy)",
    },
    ArgSpec {
        name: "from",
        kind: ArgKind::Choice(&["primary", "copy"]),
        required: false,
        help: "which backup bucket: lambda.backup_bucket (primary) or lambda.backup_copy_bucket \
               (copy; the default when restoring into the backup region or when the primary's \
               bucket cannot be read)",
    },
];

pub struct RestoreFunction;

/// A backup bucket and the region whose endpoint serves it.
#[derive(Debug, Clone)]
struct Place {
    name: &'static str,
    region: String,
    bucket: String,
}

/// One dated backup of the function: its folder and its two files.
#[derive(Debug, Clone)]
struct Found {
    place: Place,
    date: String,
    config_key: String,
    code_key: String,
    code_size: u64,
}

fn places(ctx: &Context<'_>) -> (Option<Place>, Option<Place>) {
    let lambda = &ctx.estate.lambda;
    (
        lambda.backup_bucket.as_ref().map(|b| Place {
            name: "primary",
            region: ctx.primary().to_owned(),
            bucket: b.clone(),
        }),
        lambda.backup_copy_bucket.as_ref().map(|b| Place {
            name: "copy",
            region: ctx.backup().to_owned(),
            bucket: b.clone(),
        }),
    )
}

fn valid_date(day: &str) -> bool {
    day.len() == 8 && day.chars().all(|c| c.is_ascii_digit())
}

/// The dated backup of `function` in `place`: of `date`, or the newest with both files.
/// Newer folders with the configuration alone are skipped, and said so in `notes`.
async fn find_backup(
    ctx: &Context<'_>,
    place: &Place,
    function: &str,
    date: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Found, ActionError> {
    let prefix = &ctx.estate.lambda.backup_prefix;
    let mut days: Vec<String> = match date {
        Some(day) => vec![day.to_owned()],
        None => ctx
            .cloud
            .list_prefixes(&place.region, &place.bucket, prefix)
            .await?
            .iter()
            .filter_map(|p| p.strip_prefix(prefix.as_str()))
            .map(|p| p.trim_end_matches('/').to_owned())
            .filter(|d| valid_date(d))
            .collect(),
    };
    days.sort_unstable_by(|a, b| b.cmp(a));
    let (config_file, code_file) = (
        format!("{function}-config.json"),
        format!("{function}-code.zip"),
    );
    for day in &days {
        let folder = format!("{prefix}{day}/{function}/");
        let objects = ctx
            .cloud
            .list_objects(&place.region, &place.bucket, Some(&folder), None)
            .await?;
        let find = |file: &str| objects.iter().find(|o| o.key == format!("{folder}{file}"));
        match (find(&config_file), find(&code_file)) {
            (Some(config), Some(code)) => {
                return Ok(Found {
                    place: place.clone(),
                    date: day.clone(),
                    config_key: config.key.clone(),
                    code_key: code.key.clone(),
                    code_size: code.size,
                });
            }
            (Some(_), None) if date.is_some() => {
                return Err(ActionError::Invalid(format!(
                    "the backup of {function} of {day} in s3://{}/{folder} has only the \
                     configuration, no code package: it cannot restore the function",
                    place.bucket
                )));
            }
            (Some(_), None) => notes.push(format!(
                "the backup of {day} has no code package (configuration only): skipped"
            )),
            (None, _) => {}
        }
    }
    Err(ActionError::Invalid(match date {
        Some(day) => format!(
            "s3://{}/{prefix}{day}/{function}/ holds no backup of {function}",
            place.bucket
        ),
        None => format!(
            "s3://{}/{prefix} holds no backup of {function} with both its configuration and \
             its code",
            place.bucket
        ),
    }))
}

/// The newest backup of `function` with both its files in the copy bucket, the one a
/// restore into the backup region reads: `(bucket, date)`. None there is `Invalid`.
pub(crate) async fn copy_backup_of(
    ctx: &Context<'_>,
    function: &str,
) -> Result<(String, String), ActionError> {
    let (_, copy) = places(ctx);
    let copy = copy.ok_or_else(|| {
        ActionError::Invalid("the estate names no lambda.backup_copy_bucket".to_owned())
    })?;
    let found = find_backup(ctx, &copy, function, None, &mut Vec::new()).await?;
    Ok((found.place.bucket, found.date))
}

/// The bucket of `region` the package must be in for Lambda to take it.
fn bucket_in(region: &str, primary: &Option<Place>, copy: &Option<Place>) -> Option<Place> {
    copy.iter()
        .chain(primary.iter())
        .find(|p| p.region == region)
        .cloned()
}

#[async_trait]
impl Action for RestoreFunction {
    fn name(&self) -> &'static str {
        "restore-function"
    }
    fn drill_shape(&self) -> DrillShape {
        DrillShape {
            creates: Some("new-name"),
            ..DrillShape::IN_PLACE
        }
    }
    fn summary(&self) -> &'static str {
        "Restore a function from its backup (configuration and code), into the primary or the \
         backup region"
    }
    fn details(&self) -> &'static str {
        "Reads <function>-config.json and <function>-code.zip from a dated backup folder \
         (backup-function's layout). A function that does not exist is created; one that does \
         gets the backup's code, then its configuration, waiting for Lambda to settle after \
         each. Lambda takes code only from a bucket of the function's own region: a package \
         elsewhere is first copied into the estate's backup bucket of that region. Layers, KMS \
         keys, dead-letter targets and VPC ids saved in another region are mapped through \
         [lambda.region_map]; anything unmapped refuses the restore, naming each. Undo: for \
         an update of the configuration only, the previous configuration; none for a create \
         (delete the function by hand) or once the code is replaced."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Function
    }
    fn args(&self) -> &'static [ArgSpec] {
        ARGS
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        function: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let region = args.get("region").unwrap_or(ctx.primary()).to_owned();
        if region != ctx.primary() && region != ctx.backup() {
            return Err(ActionError::Invalid(format!(
                "argument region must be the estate's primary ({}) or backup ({}) region, not \
                 {region}",
                ctx.primary(),
                ctx.backup()
            )));
        }
        if let Some(day) = args.get("date")
            && !valid_date(day)
        {
            return Err(ActionError::Invalid(format!(
                "argument date must be YYYYMMDD, not `{day}`"
            )));
        }
        let (primary, copy) = places(ctx);
        let mut notes = Vec::new();
        let missing = |name: &str| {
            ActionError::Invalid(format!(
                "the estate names no lambda.{} to restore from",
                if name == "copy" {
                    "backup_copy_bucket"
                } else {
                    "backup_bucket"
                }
            ))
        };
        let date = args.get("date");
        let found = match args.get("from") {
            Some(from) => {
                let place = if from == "copy" { &copy } else { &primary };
                let place = place.as_ref().ok_or_else(|| missing(from))?;
                find_backup(ctx, place, function, date, &mut notes).await?
            }
            // A failover restores from the copy: the primary's bucket may be gone with its
            // region.
            None => match (&primary, &copy) {
                (_, Some(copy)) if region == ctx.backup() => {
                    find_backup(ctx, copy, function, date, &mut notes).await?
                }
                (Some(first), _) => {
                    match find_backup(ctx, first, function, date, &mut notes).await {
                        Err(ActionError::Cloud(e)) if copy.is_some() => {
                            notes.push(format!(
                                "the primary's backup bucket could not be read ({e}): restored \
                                 from the copy"
                            ));
                            let copy = copy.as_ref().ok_or_else(|| missing("copy"))?;
                            find_backup(ctx, copy, function, date, &mut notes).await?
                        }
                        other => other?,
                    }
                }
                (None, Some(copy)) => find_backup(ctx, copy, function, date, &mut notes).await?,
                (None, None) => return Err(missing("primary")),
            },
        };
        let args = &args
            .clone()
            .with("region", region.clone())
            .with("date", found.date.clone())
            .with("from", found.place.name);

        let bytes = ctx
            .cloud
            .get_object(&found.place.region, &found.place.bucket, &found.config_key)
            .await?;
        let saved: FunctionInfo = serde_json::from_slice(&bytes).map_err(|e| {
            ActionError::Invalid(format!(
                "the saved configuration s3://{}/{} cannot be read: {e}",
                found.place.bucket, found.config_key
            ))
        })?;
        let saved_in = arn_region(&saved.arn).map(str::to_owned);
        // From here on, the function written: the backup's own, or a copy under another name.
        let source = function;
        let function = args.get("new-name").unwrap_or(source);
        let mut spec = saved.spec();
        spec.name = function.to_owned();
        let (unmapped, warnings) = map_for_region(
            &mut spec,
            saved_in.as_deref(),
            &region,
            &ctx.estate.lambda.region_map,
        );
        if !unmapped.is_empty() {
            return Err(ActionError::Invalid(format!(
                "the backup of {function} was saved in {} and names values bound to that \
                 region; restoring it into {region} needs each mapped, or Lambda would refuse \
                 the function or make a broken one: {}",
                saved_in.as_deref().unwrap_or("another region"),
                unmapped.join("; ")
            )));
        }
        notes.extend(warnings);
        let want_sha = saved.code_sha256.clone().filter(|s| !s.is_empty());

        // Lambda reads the package through the function's own region.
        let mut copy_first = None;
        let code = if found.place.region == region {
            CodeInS3 {
                bucket: found.place.bucket.clone(),
                key: found.code_key.clone(),
            }
        } else {
            let there = bucket_in(&region, &primary, &copy).ok_or_else(|| {
                ActionError::Invalid(format!(
                    "the code package is in s3://{} ({}), and Lambda takes code only from a \
                     bucket of the function's region {region}: name a bucket of {region} as \
                     lambda.{} in the estate file",
                    found.place.bucket,
                    found.place.region,
                    if region == ctx.backup() {
                        "backup_copy_bucket"
                    } else {
                        "backup_bucket"
                    }
                ))
            })?;
            let present = ctx
                .cloud
                .list_objects(&there.region, &there.bucket, Some(&found.code_key), Some(1))
                .await?
                .iter()
                .any(|o| o.key == found.code_key && o.size == found.code_size);
            if !present {
                copy_first = Some(WriteRequest::CopyObjects {
                    from: BucketRef::new(&found.place.region, &found.place.bucket),
                    to: BucketRef::new(&there.region, &there.bucket),
                    prefix: Some(found.code_key.clone()),
                });
            }
            CodeInS3 {
                bucket: there.bucket.clone(),
                key: found.code_key.clone(),
            }
        };

        let current = match ctx.cloud.get_function(&region, function).await {
            Ok(info) => Some(info),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.into()),
        };
        let mut plan = Plan::new(self.name(), source, self.danger(), args);
        plan.before = json!({
            "region": region,
            "name": function,
            "backup": {
                "bucket": found.place.bucket,
                "region": found.place.region,
                "date": found.date,
                "configuration": found.config_key,
                "code": found.code_key,
                "code_sha256": want_sha,
                "saved_in": saved_in,
            },
            "function": current.as_ref().map(|c| json!({
                "code_sha256": c.code_sha256,
                "state": c.state,
                "last_update_status": c.last_update_status,
            })),
        });
        plan.notes = notes;
        let settle = || WaitFor::FunctionActive {
            region: region.clone(),
            function: function.to_owned(),
        };

        let Some(current) = current else {
            plan.requests.extend(copy_first);
            plan.requests.push(WriteRequest::CreateFunction {
                region: region.clone(),
                spec,
                code,
            });
            plan.wait_after_last(settle(), SETTLE_TIMEOUT);
            if function != source {
                plan.creates.push(function.to_owned());
            }
            plan.notes.push(format!(
                "no undo: {function} did not exist in {region}; to take it away, delete the \
                 function by hand"
            ));
            return Ok(plan);
        };

        let same_code = want_sha.is_some() && current.code_sha256 == want_sha;
        let changes = spec.changes_from(&current.spec());
        if same_code && changes.is_unchanged() {
            return Ok(plan.done(format!(
                "{function} in {region} already has the code and configuration of its backup \
                 of {}",
                found.date
            )));
        }
        // Lambda refuses an update while another is under way.
        if current.state.as_deref() == Some("Pending")
            || current.last_update_status.as_deref() == Some("InProgress")
        {
            return Err(ActionError::Invalid(format!(
                "{function} in {region} is being created or updated ({}, last update {}): run \
                 it again once it has settled",
                current.state.as_deref().unwrap_or("?"),
                current.last_update_status.as_deref().unwrap_or("?")
            )));
        }
        let mut kept = current.clone();
        kept.code_location = None;
        plan.safety_net.push(SafetyNet {
            what: format!(
                "the configuration and code SHA-256 of {function} in {region} as it is now"
            ),
            saved: serde_json::to_value(&kept).unwrap_or_default(),
            request: None,
        });
        if !same_code {
            plan.requests.extend(copy_first);
            plan.requests.push(WriteRequest::UpdateFunctionCode {
                region: region.clone(),
                function: function.to_owned(),
                code,
                architectures: spec.settings.architectures.clone(),
            });
            plan.wait_after_last(settle(), SETTLE_TIMEOUT);
        }
        if !changes.is_unchanged() {
            plan.requests
                .push(WriteRequest::UpdateFunctionConfiguration {
                    region: region.clone(),
                    spec: changes.clone(),
                });
            plan.wait_after_last(settle(), SETTLE_TIMEOUT);
        }
        if same_code {
            plan.undo = Some(Undo {
                summary: format!("put back the previous configuration of {function}"),
                requests: vec![WriteRequest::UpdateFunctionConfiguration {
                    region: region.clone(),
                    spec: changes.as_in(&current.spec()),
                }],
                waits: Vec::new(),
            });
        } else {
            plan.notes.push(format!(
                "no undo: the code now running ({}) cannot be fetched again once it is \
                 replaced; back the function up first (backup-function) to keep it",
                current.code_sha256.as_deref().unwrap_or("no SHA-256")
            ));
        }
        if spec
            .settings
            .tags
            .as_ref()
            .is_some_and(|t| current.settings.tags.as_ref() != Some(t))
        {
            plan.notes
                .push("tags differ from the backup's and are left as they are".to_owned());
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let region = plan.before["region"].as_str().unwrap_or(ctx.primary());
        let name = plan.before["name"].as_str().unwrap_or(&plan.target);
        let info = ctx
            .cloud
            .get_function_configuration(region, name)
            .await
            .map_err(|e| format!("cannot read it back: {e}"))?;
        if let Some(want) = plan.before["backup"]["code_sha256"].as_str()
            && info.code_sha256.as_deref() != Some(want)
        {
            return Err(format!(
                "its CodeSha256 reads {}, not the backup's {want}",
                info.code_sha256.as_deref().unwrap_or("nothing")
            ));
        }
        match info.state.as_deref() {
            Some("Active") => Ok(()),
            other => Err(format!(
                "its state reads {}, not Active{}",
                other.unwrap_or("nothing"),
                info.state_reason
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )),
        }
    }
}
