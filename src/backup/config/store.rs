//! `store-config-backup`: the one write of `backup config`, run through the executor. It puts
//! the files today's manifest does not already list, then the manifest, last, so a manifest
//! never names a file that is not stored.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use super::collect::File;
use super::manifest::{MANIFEST, Manifest, VerifyError, read_manifest, verify};
use crate::action::{Action, ActionError, Args, Context, Danger, Plan, TargetKind};
use crate::cloud::{ObjectBody, WriteRequest};

/// Stores one configuration backup in one bucket (the action's target).
pub struct StoreConfigBackup {
    /// The bucket's region.
    pub region: String,
    /// `<config_prefix><YYYYMMDD>/`.
    pub folder: String,
    pub files: Arc<Vec<File>>,
    pub manifest: Arc<Manifest>,
}

#[async_trait]
impl Action for StoreConfigBackup {
    fn name(&self) -> &'static str {
        "store-config-backup"
    }
    fn summary(&self) -> &'static str {
        "Store today's configuration backup (stacks, estate file, runbooks, templates) with its \
         SHA-256 manifest"
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::BackupBucket
    }

    async fn plan(
        &self,
        ctx: &Context<'_>,
        bucket: &str,
        args: &Args,
    ) -> Result<Plan, ActionError> {
        let place = format!("s3://{bucket}/{}", self.folder);
        let mut plan = Plan::new(self.name(), bucket, self.danger(), args);
        let existing = match read_manifest(ctx.cloud, &self.region, bucket, &self.folder).await {
            Ok(m) => Some(m),
            Err(VerifyError::NoManifest { .. }) => None,
            Err(VerifyError::Unreadable { message, .. }) => {
                plan.notes.push(format!(
                    "today's {MANIFEST} could not be read ({message}): every file is stored again"
                ));
                None
            }
            Err(VerifyError::Cloud(e)) => return Err(ActionError::Cloud(e)),
        };
        plan.before = json!({
            "folder": place,
            "region": self.region,
            "manifest": existing.as_ref().map(|m| json!({
                "created": m.created,
                "files": m.files.len(),
            })),
        });
        if let Some(existing) = &existing
            && existing.same_files(&self.manifest)
        {
            return Ok(plan.done(format!(
                "{place} already holds these {} files (manifest of {})",
                existing.files.len(),
                existing.created.format("%H:%M:%S UTC")
            )));
        }
        // A file today's manifest already lists with the same hash is stored: only what
        // changed during the day (or what an interrupted run left unlisted) is sent again.
        let stored = |file: &File| {
            existing.as_ref().is_some_and(|m| {
                m.files
                    .iter()
                    .any(|f| f.key == file.key && f.sha256 == file.sha256())
            })
        };
        for file in self.files.iter().filter(|f| !stored(f)) {
            plan.requests.push(WriteRequest::PutObject {
                region: self.region.clone(),
                bucket: bucket.to_owned(),
                key: format!("{}{}", self.folder, file.key),
                body: ObjectBody::bytes(file.content_type, file.bytes.clone()),
            });
        }
        let manifest = serde_json::to_value(self.manifest.as_ref())
            .map_err(|e| ActionError::Invalid(format!("the manifest: {e}")))?;
        plan.requests.push(WriteRequest::PutObject {
            region: self.region.clone(),
            bucket: bucket.to_owned(),
            key: format!("{}{MANIFEST}", self.folder),
            body: ObjectBody::json(&manifest),
        });
        if existing.is_some() {
            plan.notes.push(format!(
                "today's backup in {place} is replaced by a new manifest: something changed since \
                 it was written"
            ));
        }
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let verified = verify(ctx.cloud, &self.region, &plan.target, &self.folder)
            .await
            .map_err(|e| format!("cannot read the backup back: {e}"))?;
        if !verified.manifest.same_files(&self.manifest) {
            return Err(format!(
                "s3://{}/{}{MANIFEST} is not the manifest just written",
                plan.target, self.folder
            ));
        }
        if !verified.ok() {
            return Err(verified.problems.join("; "));
        }
        Ok(())
    }
}
