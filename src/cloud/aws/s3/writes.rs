//! S3 writes: buckets, versioning, uploads and copies. Reached only through
//! [`crate::cloud::Writes::send`].

use std::collections::HashMap;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, ChecksumAlgorithm, CreateBucketConfiguration,
    Delete, ObjectIdentifier, VersioningConfiguration,
};
use futures::stream::{self, StreamExt, TryStreamExt};
use sha2::Digest;

use super::{SERVICE, copy_source, s3_request_id};
use crate::cloud::aws::{AwsCloud, cloud_error};
use crate::cloud::{
    BucketRef, CloudError, CloudResult, CopyReport, ErrorKind, ObjectBody, Sent, Storage,
    WriteOutput,
};

/// S3 takes at most this many keys in one DeleteObjects call.
const DELETE_BATCH: usize = 1000;

/// The region whose buckets take no LocationConstraint: S3 refuses one that names it.
const NO_CONSTRAINT: &str = "us-east-1";

/// The SHA-256 S3 is to verify the upload against, base64 as its header wants it. For bytes it
/// is the digest the preview and the journal show, so a body changed since then is refused.
fn checksum_sha256(body: &ObjectBody) -> CloudResult<String> {
    let digest = match body {
        ObjectBody::Text { text, .. } => sha2::Sha256::digest(text.as_bytes()).to_vec(),
        ObjectBody::Bytes { sha256, .. } => hex::decode(sha256).map_err(|e| {
            CloudError::new(
                SERVICE,
                "PutObject",
                ErrorKind::Validation,
                format!("the body's SHA-256 is not hex: {e}"),
            )
        })?,
    };
    Ok(aws_smithy_types::base64::encode(digest))
}

impl AwsCloud {
    /// In us-east-1 S3 answers a second create of one's own bucket with success; elsewhere
    /// with `BucketAlreadyOwnedByYou`, which is `ErrorKind::AlreadyExists`.
    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    pub(crate) async fn create_bucket(&self, region: &str, bucket: &str) -> CloudResult<Sent> {
        let configuration = (region != NO_CONSTRAINT).then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build()
        });
        let out = self
            .s3_write(region)
            .create_bucket()
            .bucket(bucket)
            .set_create_bucket_configuration(configuration)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "CreateBucket", e))?;
        Ok(Sent::new(s3_request_id(&out), WriteOutput::Nothing))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    pub(crate) async fn set_versioning(
        &self,
        region: &str,
        bucket: &str,
        enabled: bool,
    ) -> CloudResult<Sent> {
        let status = if enabled {
            BucketVersioningStatus::Enabled
        } else {
            BucketVersioningStatus::Suspended
        };
        let out = self
            .s3_write(region)
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(VersioningConfiguration::builder().status(status).build())
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "PutBucketVersioning", e))?;
        Ok(Sent::new(s3_request_id(&out), WriteOutput::Nothing))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket, key = key))]
    pub(crate) async fn put_object(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
        body: &ObjectBody,
    ) -> CloudResult<Sent> {
        let checksum = checksum_sha256(body)?;
        let out = self
            .s3_write(region)
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(body.content_type())
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_sha256(checksum)
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "PutObject", e))?;
        Ok(Sent::new(s3_request_id(&out), WriteOutput::Nothing))
    }

    /// One DeleteObjects call per 1,000 keys. S3 answers 200 even when some keys were not
    /// removed, naming each in `Errors`: any such key fails the write, each with its code and
    /// message, after every batch has been tried (a re-run lists what is left).
    #[tracing::instrument(level = "error", skip_all, fields(target = bucket, keys = keys.len()))]
    pub(crate) async fn delete_objects(
        &self,
        region: &str,
        bucket: &str,
        keys: &[String],
    ) -> CloudResult<Sent> {
        let client = self.s3_write(region);
        let mut request_id = None;
        let mut failed: Vec<String> = Vec::new();
        for batch in keys.chunks(DELETE_BATCH) {
            let objects = batch
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    CloudError::new(SERVICE, "DeleteObjects", ErrorKind::Client, e.to_string())
                })?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| {
                    CloudError::new(SERVICE, "DeleteObjects", ErrorKind::Client, e.to_string())
                })?;
            let out = client
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "DeleteObjects", e))?;
            request_id = s3_request_id(&out).or(request_id);
            failed.extend(out.errors().iter().map(|e| {
                format!(
                    "{}: {} ({})",
                    e.key().unwrap_or("?"),
                    e.message().unwrap_or("no message"),
                    e.code().unwrap_or("no code")
                )
            }));
        }
        if !failed.is_empty() {
            return Err(CloudError::new(
                SERVICE,
                "DeleteObjects",
                ErrorKind::Service,
                format!(
                    "{} of {} object(s) not removed: {}",
                    failed.len(),
                    keys.len(),
                    failed.join("; ")
                ),
            ));
        }
        Ok(Sent::new(request_id, WriteOutput::Nothing))
    }

    /// Many calls: the request id is the last copy's, none when everything was already there.
    #[tracing::instrument(level = "error", skip_all, fields(target = to.bucket.as_str(), source = from.bucket.as_str()))]
    pub(crate) async fn copy_objects(
        &self,
        from: &BucketRef,
        to: &BucketRef,
        prefix: Option<&str>,
    ) -> CloudResult<Sent> {
        let source = self
            .list_objects(&from.region, &from.bucket, prefix, None)
            .await?;
        let present: HashMap<String, u64> = self
            .list_objects(&to.region, &to.bucket, prefix, None)
            .await?
            .into_iter()
            .map(|o| (o.key, o.size))
            .collect();
        let (todo, done): (Vec<_>, Vec<_>) = source
            .into_iter()
            .partition(|o| present.get(&o.key) != Some(&o.size));
        let client = self.s3(&to.region);
        let copied: Vec<(u64, Option<String>)> = stream::iter(todo)
            .map(|object| {
                let client = client.clone();
                async move {
                    let out = client
                        .copy_object()
                        .bucket(&to.bucket)
                        .key(&object.key)
                        .copy_source(copy_source(&from.bucket, &object.key))
                        .send()
                        .await
                        .map_err(|e| cloud_error(SERVICE, "CopyObject", e))?;
                    Ok::<_, CloudError>((object.size, s3_request_id(&out)))
                }
            })
            .buffer_unordered(self.options.max_concurrency.max(1))
            .try_collect()
            .await?;
        let report = CopyReport {
            copied: copied.len() as u64,
            skipped: done.len() as u64,
            bytes: copied.iter().map(|(size, _)| size).sum(),
        };
        let last_id = copied.into_iter().filter_map(|(_, id)| id).next_back();
        Ok(Sent::new(last_id, WriteOutput::Copy(report)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_is_the_declared_digest_in_base64() {
        let bytes = ObjectBody::bytes("application/zip", b"abc".to_vec());
        // SHA-256("abc"), base64: the value S3 documents for x-amz-checksum-sha256.
        let abc = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
        assert_eq!(checksum_sha256(&bytes).unwrap(), abc);
        let text = ObjectBody::Text {
            content_type: "text/plain".into(),
            text: "abc".into(),
        };
        assert_eq!(checksum_sha256(&text).unwrap(), abc);
        let ObjectBody::Bytes {
            content_type, size, ..
        } = bytes
        else {
            unreachable!()
        };
        let broken = ObjectBody::Bytes {
            content_type,
            size,
            sha256: "not hex".into(),
            bytes: b"abc".to_vec(),
        };
        assert_eq!(
            checksum_sha256(&broken).unwrap_err().kind,
            ErrorKind::Validation
        );
    }
}
