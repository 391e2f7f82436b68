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
    /// Folders of parts that could not be read this time (`stacks/<name>/`): what today's
    /// earlier backup stored of them stays listed, so a stack that fails to answer in the
    /// afternoon does not drop out of the morning's backup.
    pub keep: Arc<Vec<String>>,
}

impl StoreConfigBackup {
    /// The manifest to write over `existing`: this run's files, and the entries of `existing`
    /// under a folder this run could not read.
    fn manifest_over(&self, existing: Option<&Manifest>) -> Manifest {
        let mut manifest = self.manifest.as_ref().clone();
        if let Some(existing) = existing {
            let kept = existing.files.iter().filter(|f| {
                self.keep.iter().any(|k| f.key.starts_with(k.as_str()))
                    && !manifest.files.iter().any(|n| n.key == f.key)
            });
            manifest.files.extend(kept.cloned().collect::<Vec<_>>());
            manifest.files.sort();
        }
        manifest
    }
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
        TargetKind::Bucket
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
        let manifest = self.manifest_over(existing.as_ref());
        if let Some(existing) = &existing
            && existing.same_files(&manifest)
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
        let kept = manifest.files.len() - self.manifest.files.len();
        if kept > 0 {
            plan.notes.push(format!(
                "{kept} file(s) of what could not be read now stay listed from today's earlier \
                 backup"
            ));
        }
        let manifest = serde_json::to_value(&manifest)
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
        let listed = |key: &str| verified.manifest.files.iter().any(|f| f.key == key);
        if verified.manifest.created != self.manifest.created
            || !self.manifest.files.iter().all(|f| listed(&f.key))
        {
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
