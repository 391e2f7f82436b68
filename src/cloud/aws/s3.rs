//! S3: buckets, versioning, object and version counts; replication rules and the writes live
//! in the submodules.

mod copy;
mod replication;
mod writes;

use async_trait::async_trait;
use aws_sdk_s3::operation::RequestIdExt;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_types::request_id::RequestId;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{AwsCloud, cloud_error, to_chrono};
use crate::cloud::{
    BucketInfo, CloudResult, ObjectCount, ObjectInfo, ReplicationConfig, Storage, VersionCount,
    Versioning,
};

const SERVICE: &str = "s3";

/// S3's request id with its extended id (`x-amz-id-2`): AWS support asks for both.
fn s3_request_id<O: RequestId + RequestIdExt>(output: &O) -> Option<String> {
    let id = output.request_id()?;
    Some(match output.extended_request_id() {
        Some(extended) if !extended.is_empty() => format!("{id} (extended {extended})"),
        _ => id.to_owned(),
    })
}

/// `GetBucketLocation` says nothing for us-east-1 and "EU" for the oldest European region.
fn location_to_region(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    }
}

/// `arn:aws:s3:::name` -> `name`; a bare name stays as it is.
fn bucket_from_arn(arn: &str) -> String {
    arn.rsplit(":::").next().unwrap_or(arn).to_owned()
}

/// `CopySource` is `bucket/key` with the key URL-encoded, slashes kept.
fn copy_source(bucket: &str, key: &str) -> String {
    let mut out = String::with_capacity(bucket.len() + key.len() + 1);
    out.push_str(bucket);
    out.push('/');
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// AWS answers GetBucketVersioning with a `<VersioningConfiguration>` root; moto 5.2 names it
/// `<GetBucketVersioningResponse>`, which the SDK rejects. The answer is otherwise the same,
/// so read its `<Status>` from the raw body. Unreachable against AWS.
fn misnamed_versioning_status<E>(err: &SdkError<E, HttpResponse>) -> Option<Option<String>> {
    let SdkError::ServiceError(ctx) = err else {
        return None;
    };
    if ctx.raw().status().as_u16() != 200 {
        return None;
    }
    let body = std::str::from_utf8(ctx.raw().body().bytes()?).ok()?;
    if !body.contains("<GetBucketVersioningResponse") {
        return None;
    }
    let status = body
        .split_once("<Status>")
        .and_then(|(_, rest)| rest.split_once("</Status>"))
        .map(|(status, _)| status.trim().to_owned());
    Some(status)
}

#[async_trait]
impl Storage for AwsCloud {
    async fn list_buckets(&self) -> CloudResult<Vec<BucketInfo>> {
        let region = self
            .base
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into());
        let client = self.s3(&region);
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let out = client
                .list_buckets()
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "ListBuckets", e))?;
            for b in out.buckets() {
                names.push((
                    b.name().unwrap_or_default().to_owned(),
                    b.bucket_region().map(str::to_owned),
                    b.creation_date().and_then(to_chrono),
                ));
            }
            match out.continuation_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => break,
            }
        }
        // Older endpoints leave BucketRegion out: ask each bucket where it lives.
        stream::iter(names)
            .map(|(name, region, created)| {
                let client = client.clone();
                async move {
                    let region = match region {
                        Some(region) => region,
                        None => {
                            let out = client
                                .get_bucket_location()
                                .bucket(&name)
                                .send()
                                .await
                                .map_err(|e| cloud_error(SERVICE, "GetBucketLocation", e))?;
                            location_to_region(out.location_constraint().map(|c| c.as_str()))
                        }
                    };
                    Ok(BucketInfo {
                        name,
                        region,
                        created,
                    })
                }
            })
            .buffered(self.options.max_concurrency.max(1))
            .try_collect()
            .await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn head_bucket(&self, region: &str, bucket: &str) -> CloudResult<()> {
        self.s3(region)
            .head_bucket()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cloud_error(SERVICE, "HeadBucket", e))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn bucket_region(&self, region: &str, bucket: &str) -> CloudResult<String> {
        match self.s3(region).head_bucket().bucket(bucket).send().await {
            Ok(out) => Ok(out
                .bucket_region()
                .map_or_else(|| region.to_owned(), str::to_owned)),
            Err(err) => {
                // A bucket of another region answers 301 (or 403 without rights), and names
                // its region in this header either way.
                if let SdkError::ServiceError(ctx) = &err
                    && let Some(other) = ctx.raw().headers().get("x-amz-bucket-region")
                {
                    return Ok(other.to_owned());
                }
                Err(cloud_error(SERVICE, "HeadBucket", err))
            }
        }
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn get_versioning(&self, region: &str, bucket: &str) -> CloudResult<Versioning> {
        let status = match self
            .s3(region)
            .get_bucket_versioning()
            .bucket(bucket)
            .send()
            .await
        {
            Ok(out) => out.status().map(|s| s.as_str().to_owned()),
            Err(e) => match misnamed_versioning_status(&e) {
                Some(status) => status,
                None => return Err(cloud_error(SERVICE, "GetBucketVersioning", e)),
            },
        };
        Ok(match status.as_deref() {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => Versioning::Disabled,
        })
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn get_replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> CloudResult<Option<ReplicationConfig>> {
        self.read_replication(region, bucket).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn count_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<ObjectCount> {
        let mut pages = self
            .s3(region)
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_owned))
            .into_paginator()
            .send();
        let mut count = ObjectCount::default();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| cloud_error(SERVICE, "ListObjectsV2", e))?;
            for object in page.contents() {
                count.objects += 1;
                count.bytes += object.size().unwrap_or(0).max(0) as u64;
            }
        }
        Ok(count)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn count_versions(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<VersionCount> {
        let client = self.s3(region);
        let mut count = VersionCount::default();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let out = client
                .list_object_versions()
                .bucket(bucket)
                .set_prefix(prefix.map(str::to_owned))
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "ListObjectVersions", e))?;
            count.versions += out.versions().len() as u64;
            count.delete_markers += out.delete_markers().len() as u64;
            if out.is_truncated() != Some(true) {
                break;
            }
            key_marker = out.next_key_marker().map(str::to_owned);
            version_marker = out.next_version_id_marker().map(str::to_owned);
            if key_marker.is_none() && version_marker.is_none() {
                break;
            }
        }
        Ok(count)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn list_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
        limit: Option<usize>,
    ) -> CloudResult<Vec<ObjectInfo>> {
        let limit = limit.unwrap_or(usize::MAX);
        let mut pages = self
            .s3(region)
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_owned))
            .set_max_keys((limit < 1000).then_some(limit as i32))
            .into_paginator()
            .send();
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| cloud_error(SERVICE, "ListObjectsV2", e))?;
            for o in page.contents() {
                objects.push(ObjectInfo {
                    key: o.key().unwrap_or_default().to_owned(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                    last_modified: o.last_modified().and_then(to_chrono),
                    etag: o.e_tag().map(str::to_owned),
                });
                if objects.len() >= limit {
                    return Ok(objects);
                }
            }
        }
        Ok(objects)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn list_prefixes(
        &self,
        region: &str,
        bucket: &str,
        prefix: &str,
    ) -> CloudResult<Vec<String>> {
        let mut pages = self
            .s3(region)
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .delimiter("/")
            .into_paginator()
            .send();
        let mut prefixes = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| cloud_error(SERVICE, "ListObjectsV2", e))?;
            prefixes.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix())
                    .map(str::to_owned),
            );
        }
        Ok(prefixes)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket, key = key))]
    async fn get_object(&self, region: &str, bucket: &str, key: &str) -> CloudResult<Vec<u8>> {
        let out = self
            .s3(region)
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetObject", e))?;
        let body = out.body.collect().await.map_err(|e| {
            crate::cloud::CloudError::new(
                SERVICE,
                "GetObject",
                crate::cloud::ErrorKind::Unreachable,
                format!("the object's body broke off: {e}"),
            )
        })?;
        Ok(body.into_bytes().to_vec())
    }
    #[tracing::instrument(level = "error", skip_all, fields(target = bucket))]
    async fn list_stored_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<crate::cloud::StoredObject>> {
        self.list_stored(region, bucket, prefix).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = bucket, key = key))]
    async fn read_object_start(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
        len: u64,
    ) -> CloudResult<Vec<u8>> {
        self.read_start(region, bucket, key, len).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_encodes_keys_but_keeps_slashes() {
        assert_eq!(copy_source("b", "a/b c+d.txt"), "b/a/b%20c%2Bd.txt");
    }

    #[test]
    fn bucket_names_come_out_of_arns() {
        assert_eq!(
            bucket_from_arn("arn:aws:s3:::flightdata-raw-backup-us-west-2"),
            "flightdata-raw-backup-us-west-2"
        );
        assert_eq!(bucket_from_arn("plain"), "plain");
    }

    #[test]
    fn empty_location_means_us_east_1() {
        assert_eq!(location_to_region(None), "us-east-1");
        assert_eq!(location_to_region(Some("EU")), "eu-west-1");
        assert_eq!(location_to_region(Some("us-west-2")), "us-west-2");
    }
}
