//! S3 for a bucket's copy back from its replica: objects listed with their storage class,
//! a ranged read that proves access, copies of a listed batch (multipart above a size), and
//! restores of archived objects.

use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, GlacierJobParameters, OptionalObjectAttributes,
    RestoreRequest, Tier,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{SERVICE, copy_source, s3_request_id};
use crate::cloud::aws::{AwsCloud, cloud_error, to_chrono};
use crate::cloud::{
    BucketRef, CloudError, CloudResult, CopyReport, ErrorKind, ObjectToCopy, Sent, StoredObject,
    WriteOutput,
};

/// AWS answers CompleteMultipartUpload with a `<CompleteMultipartUploadResult>` root; moto
/// 5.2 names it `<CompleteMultipartUploadResponse>`, which the SDK rejects although the upload
/// completed (HTTP 200). Unreachable against AWS.
fn misnamed_completion<E>(err: &SdkError<E, HttpResponse>) -> bool {
    let SdkError::ServiceError(ctx) = err else {
        return false;
    };
    ctx.raw().status().as_u16() == 200
        && ctx
            .raw()
            .body()
            .bytes()
            .and_then(|b| std::str::from_utf8(b).ok())
            .is_some_and(|b| b.contains("<CompleteMultipartUploadResponse"))
}

/// The byte ranges of a multipart copy of `size` bytes in parts of `part_size`, inclusive as
/// `x-amz-copy-source-range` wants them. An empty object is one empty part.
pub(crate) fn part_ranges(size: u64, part_size: u64) -> Vec<(u64, u64)> {
    let part_size = part_size.max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < size {
        let end = (start + part_size).min(size) - 1;
        ranges.push((start, end));
        start = end + 1;
    }
    ranges
}

impl AwsCloud {
    pub(crate) async fn list_stored(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<StoredObject>> {
        let mut pages = self
            .s3(region)
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_owned))
            .optional_object_attributes(OptionalObjectAttributes::RestoreStatus)
            .into_paginator()
            .send();
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| cloud_error(SERVICE, "ListObjectsV2", e))?;
            for o in page.contents() {
                objects.push(StoredObject {
                    key: o.key().unwrap_or_default().to_owned(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                    etag: o.e_tag().map(str::to_owned),
                    last_modified: o.last_modified().and_then(to_chrono),
                    storage_class: o
                        .storage_class()
                        .map_or("STANDARD", |c| c.as_str())
                        .to_owned(),
                    restore_in_progress: o
                        .restore_status()
                        .and_then(|r| r.is_restore_in_progress()),
                    restored_until: o
                        .restore_status()
                        .and_then(|r| r.restore_expiry_date())
                        .and_then(to_chrono),
                });
            }
        }
        Ok(objects)
    }

    pub(crate) async fn read_start(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
        len: u64,
    ) -> CloudResult<Vec<u8>> {
        let out = self
            .s3(region)
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes=0-{}", len.max(1) - 1))
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetObject", e))?;
        let body = out.body.collect().await.map_err(|e| {
            CloudError::new(SERVICE, "GetObject", ErrorKind::Unreachable, e.to_string())
        })?;
        Ok(body.into_bytes().to_vec())
    }

    /// Copies are sent with the SDK's retries: a copy repeated writes the same bytes again.
    #[tracing::instrument(level = "error", skip_all, fields(target = to.bucket.as_str(), source = from.bucket.as_str()))]
    pub(crate) async fn copy_object_batch(
        &self,
        from: &BucketRef,
        to: &BucketRef,
        objects: &[ObjectToCopy],
        multipart_above: u64,
        part_size: u64,
    ) -> CloudResult<Sent> {
        let ids: Vec<Option<String>> = stream::iter(objects.to_vec())
            .map(|object| async move {
                if object.size > multipart_above {
                    self.copy_in_parts(from, to, &object.key, object.size, part_size)
                        .await
                } else {
                    let out = self
                        .s3(&to.region)
                        .copy_object()
                        .bucket(&to.bucket)
                        .key(&object.key)
                        .copy_source(copy_source(&from.bucket, &object.key))
                        .send()
                        .await
                        .map_err(|e| cloud_error(SERVICE, "CopyObject", e))?;
                    Ok(s3_request_id(&out))
                }
            })
            .buffer_unordered(self.options.max_concurrency.max(1))
            .try_collect()
            .await?;
        let report = CopyReport {
            copied: objects.len() as u64,
            skipped: 0,
            bytes: objects.iter().map(|o| o.size).sum(),
        };
        Ok(Sent::new(
            ids.into_iter().flatten().next_back(),
            WriteOutput::Copy(report),
        ))
    }

    /// CreateMultipartUpload, an UploadPartCopy per range, CompleteMultipartUpload; an
    /// upload that fails part-way is aborted, so its parts are not billed.
    async fn copy_in_parts(
        &self,
        from: &BucketRef,
        to: &BucketRef,
        key: &str,
        size: u64,
        part_size: u64,
    ) -> CloudResult<Option<String>> {
        let client = self.s3(&to.region);
        // A multipart copy does not carry the source's metadata as CopyObject does.
        let head = self
            .s3(&from.region)
            .head_object()
            .bucket(&from.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "HeadObject", e))?;
        let created = client
            .create_multipart_upload()
            .bucket(&to.bucket)
            .key(key)
            .set_content_type(head.content_type().map(str::to_owned))
            .set_metadata(head.metadata().cloned())
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "CreateMultipartUpload", e))?;
        let upload_id = created.upload_id().unwrap_or_default().to_owned();
        let parts = async {
            let mut parts = Vec::new();
            for (i, (start, end)) in part_ranges(size, part_size).into_iter().enumerate() {
                let number = i as i32 + 1;
                let out = client
                    .upload_part_copy()
                    .bucket(&to.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .part_number(number)
                    .copy_source(copy_source(&from.bucket, key))
                    .copy_source_range(format!("bytes={start}-{end}"))
                    .send()
                    .await
                    .map_err(|e| cloud_error(SERVICE, "UploadPartCopy", e))?;
                parts.push(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(
                            out.copy_part_result()
                                .and_then(|r| r.e_tag())
                                .map(str::to_owned),
                        )
                        .build(),
                );
            }
            match client
                .complete_multipart_upload()
                .bucket(&to.bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
            {
                Ok(out) => Ok::<_, CloudError>(s3_request_id(&out)),
                Err(e) if misnamed_completion(&e) => Ok(None),
                Err(e) => Err(cloud_error(SERVICE, "CompleteMultipartUpload", e)),
            }
        }
        .await;
        if parts.is_err() {
            let _ = client
                .abort_multipart_upload()
                .bucket(&to.bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
        }
        parts
    }

    /// A restore already under way counts as asked.
    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    pub(crate) async fn restore_objects(
        &self,
        region: &str,
        bucket: &str,
        keys: &[String],
        days: i32,
        tier: &str,
    ) -> CloudResult<Sent> {
        let client = self.s3_write(region);
        let mut last = None;
        for key in keys {
            let request = RestoreRequest::builder()
                .days(days)
                .glacier_job_parameters(
                    GlacierJobParameters::builder()
                        .tier(Tier::from(tier))
                        .build()
                        .map_err(|e| {
                            CloudError::new(
                                SERVICE,
                                "RestoreObject",
                                ErrorKind::Validation,
                                e.to_string(),
                            )
                        })?,
                )
                .build();
            match client
                .restore_object()
                .bucket(bucket)
                .key(key)
                .restore_request(request)
                .send()
                .await
            {
                Ok(out) => last = s3_request_id(&out),
                Err(e) => {
                    let e = cloud_error(SERVICE, "RestoreObject", e);
                    if e.code.as_deref() != Some("RestoreAlreadyInProgress") {
                        return Err(e);
                    }
                }
            }
        }
        Ok(Sent::new(last, WriteOutput::Nothing))
    }
}

#[cfg(test)]
mod tests {
    use super::part_ranges;

    #[test]
    fn parts_cover_the_object_exactly() {
        assert_eq!(part_ranges(10, 4), [(0, 3), (4, 7), (8, 9)]);
        assert_eq!(part_ranges(8, 4), [(0, 3), (4, 7)]);
        assert_eq!(part_ranges(3, 4), [(0, 2)]);
        assert!(part_ranges(0, 4).is_empty());
    }
}
