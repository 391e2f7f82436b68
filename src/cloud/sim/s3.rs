//! S3 in the simulation: buckets in their regions, versioning, replication rules, objects
//! (every one materialised, so lists, counts and copies agree), and copies that skip what is
//! already there.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::seed::empty_bucket;
use super::state::{Bucket, Obj, State, put_object};
use super::{Call, SimCloud};
use crate::cloud::writes::ObjectBody;
use crate::cloud::{
    BucketInfo, BucketRef, CloudError, CloudResult, CopyReport, ObjectCount, ObjectInfo,
    ReplicationConfig, Storage, VersionCount, Versioning,
};

const SERVICE: &str = "s3";

/// Objects whose key starts with `prefix`, in key order (as S3 lists them).
fn under<'a>(bucket: &'a Bucket, prefix: &'a str) -> impl Iterator<Item = (&'a String, &'a Obj)> {
    bucket
        .objects
        .range(prefix.to_owned()..)
        .take_while(move |(k, _)| k.starts_with(prefix))
}

fn object_info(key: &str, o: &Obj) -> ObjectInfo {
    ObjectInfo {
        key: key.to_owned(),
        size: o.size,
        last_modified: Some(o.last_modified),
        etag: Some(o.etag.clone()),
    }
}

fn no_such_bucket(call: &Call) -> CloudError {
    call.not_found("NoSuchBucket", "The specified bucket does not exist")
}

/// A bucket asked for at another region's endpoint answers with a redirect, which the SDK
/// reports as an error.
fn wrong_region(call: &Call) -> CloudError {
    call.invalid(
        "PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified \
         endpoint. Please send all future requests to this endpoint.",
    )
}

impl State {
    fn bucket(&self, call: &Call, region: &str, name: &str) -> Result<&Bucket, CloudError> {
        match self.buckets.get(name) {
            None => Err(no_such_bucket(call)),
            Some(b) if b.region != region => Err(wrong_region(call)),
            Some(b) => Ok(b),
        }
    }

    fn bucket_mut(
        &mut self,
        call: &Call,
        region: &str,
        name: &str,
    ) -> Result<&mut Bucket, CloudError> {
        self.bucket(call, region, name)?;
        Ok(self.buckets.get_mut(name).expect("checked above"))
    }

    /// Where new objects in `bucket` are replicated to right away: an enabled rule's
    /// destination, unless the replica-lag fault is holding that bucket back.
    fn live_replica(&self, bucket: &str) -> Option<String> {
        self.replica_for(bucket, "")
    }

    /// Where a new object at `key` is replicated to: the destination of the first enabled
    /// rule whose prefix it falls under (`""` for any rule), unless replica-lag holds the
    /// bucket back.
    fn replica_for(&self, bucket: &str, key: &str) -> Option<String> {
        if self.lag.as_ref().is_some_and(|l| l.bucket == bucket) {
            return None;
        }
        let rules = &self.buckets.get(bucket)?.replication.as_ref()?.rules;
        rules
            .iter()
            .find(|r| r.enabled && key.starts_with(&r.prefix))
            .map(|r| r.destination_bucket.clone())
            .filter(|d| self.buckets.contains_key(d))
    }
}

/// S3's naming rules for a new bucket: 3 to 63 lowercase letters, digits, dots and hyphens,
/// starting and ending with a letter or digit, no two dots together, not an IP address, and
/// none of the prefixes and suffixes S3 reserves.
fn valid_bucket_name(name: &str) -> bool {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge(name.bytes().next())
        && edge(name.bytes().last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", ".mrap", "--x-s3"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// Writes a copy of `source` at `key`, adding a version where versioning is on.
fn write_copy(bucket: &mut Bucket, key: &str, source: &Obj, now: DateTime<Utc>) {
    let versioned = bucket.versioning == Versioning::Enabled;
    bucket.delete_markers.remove(key);
    let versions = match bucket.objects.get(key) {
        Some(old) if versioned => old.versions + 1,
        _ => 1,
    };
    bucket.objects.insert(
        key.to_owned(),
        Obj {
            last_modified: now,
            versions,
            ..source.clone()
        },
    );
}

#[async_trait]
impl Storage for SimCloud {
    /// Sent to the primary region's endpoint (as the adapter does with the profile's region),
    /// so it fails during a region outage.
    async fn list_buckets(&self) -> CloudResult<Vec<BucketInfo>> {
        let primary = self.state().primary.clone();
        self.enter(SERVICE, "ListBuckets", Some(&primary), "")
            .await?;
        let state = self.state();
        Ok(state
            .buckets
            .values()
            .map(|b| BucketInfo {
                name: b.name.clone(),
                region: b.region.clone(),
                created: Some(b.created),
            })
            .collect())
    }

    async fn head_bucket(&self, region: &str, bucket: &str) -> CloudResult<()> {
        let call = self
            .enter(SERVICE, "HeadBucket", Some(region), bucket)
            .await?;
        let state = self.state();
        match state.bucket(&call, region, bucket) {
            // HeadBucket has no body: the SDK reports a bare 404 as "NotFound".
            Err(e) if e.is_not_found() => Err(call.not_found("NotFound", "Not Found")),
            other => other.map(|_| ()),
        }
    }

    async fn bucket_region(&self, region: &str, bucket: &str) -> CloudResult<String> {
        let call = self
            .enter(SERVICE, "HeadBucket", Some(region), bucket)
            .await?;
        let state = self.state();
        // HeadBucket names the bucket's region even when asked at another region's endpoint.
        match state.buckets.get(bucket) {
            Some(b) => Ok(b.region.clone()),
            None => Err(call.not_found("NotFound", "Not Found")),
        }
    }

    async fn get_versioning(&self, region: &str, bucket: &str) -> CloudResult<Versioning> {
        let call = self
            .enter(SERVICE, "GetBucketVersioning", Some(region), bucket)
            .await?;
        let state = self.state();
        Ok(state.bucket(&call, region, bucket)?.versioning)
    }

    async fn get_replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> CloudResult<Option<ReplicationConfig>> {
        let call = self
            .enter(SERVICE, "GetBucketReplication", Some(region), bucket)
            .await?;
        let state = self.state();
        // AWS answers ReplicationConfigurationNotFoundError, which the port reads as None.
        Ok(state.bucket(&call, region, bucket)?.replication.clone())
    }

    async fn count_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<ObjectCount> {
        let call = self
            .enter(SERVICE, "ListObjectsV2", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        Ok(under(b, prefix.unwrap_or_default()).fold(
            ObjectCount::default(),
            |mut count, (_, o)| {
                count.objects += 1;
                count.bytes += o.size;
                count
            },
        ))
    }

    async fn count_versions(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<VersionCount> {
        let call = self
            .enter(SERVICE, "ListObjectVersions", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        let prefix = prefix.unwrap_or_default();
        let versions: u64 = under(b, prefix).map(|(_, o)| u64::from(o.versions)).sum();
        // Each deleted key keeps the version it had before its delete marker.
        let deleted = b
            .delete_markers
            .iter()
            .filter(|k| k.starts_with(prefix))
            .count() as u64;
        Ok(VersionCount {
            versions: versions + deleted,
            delete_markers: deleted,
        })
    }

    async fn list_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
        limit: Option<usize>,
    ) -> CloudResult<Vec<ObjectInfo>> {
        let call = self
            .enter(SERVICE, "ListObjectsV2", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        Ok(under(b, prefix.unwrap_or_default())
            .take(limit.unwrap_or(usize::MAX))
            .map(|(k, o)| object_info(k, o))
            .collect())
    }

    async fn list_prefixes(
        &self,
        region: &str,
        bucket: &str,
        prefix: &str,
    ) -> CloudResult<Vec<String>> {
        let call = self
            .enter(SERVICE, "ListObjectsV2", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        let mut prefixes: Vec<String> = under(b, prefix)
            .filter_map(|(k, _)| {
                let rest = &k[prefix.len()..];
                rest.find('/')
                    .map(|end| format!("{prefix}{}", &rest[..=end]))
            })
            .collect();
        prefixes.dedup(); // keys are sorted, so equal prefixes are adjacent
        Ok(prefixes)
    }

    async fn list_stored_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<crate::cloud::StoredObject>> {
        let call = self
            .enter(SERVICE, "ListObjectsV2", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        // The simulation archives nothing: every object is STANDARD.
        Ok(under(b, prefix.unwrap_or_default())
            .map(|(k, o)| crate::cloud::StoredObject {
                key: k.clone(),
                size: o.size,
                etag: Some(o.etag.clone()),
                last_modified: Some(o.last_modified),
                storage_class: "STANDARD".to_owned(),
                restore_in_progress: None,
                restored_until: None,
            })
            .collect())
    }

    async fn read_object_start(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
        len: u64,
    ) -> CloudResult<Vec<u8>> {
        let call = self
            .enter(SERVICE, "GetObject", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        let o = b
            .objects
            .get(key)
            .ok_or_else(|| call.not_found("NoSuchKey", "The specified key does not exist."))?;
        Ok(vec![b'x'; o.size.min(len) as usize])
    }

    async fn get_object(&self, region: &str, bucket: &str, key: &str) -> CloudResult<Vec<u8>> {
        let call = self
            .enter(SERVICE, "GetObject", Some(region), bucket)
            .await?;
        let state = self.state();
        let b = state.bucket(&call, region, bucket)?;
        let o = b
            .objects
            .get(key)
            .ok_or_else(|| call.not_found("NoSuchKey", "The specified key does not exist."))?;
        // What drconsole wrote (and the seeded schema files) first, then the seeded packages
        // and configurations.
        if let Some(body) = state.bodies.get(&(bucket.to_owned(), key.to_owned())) {
            return Ok(body.clone());
        }
        super::lambda::object_bytes(key, o).ok_or_else(|| {
            call.invalid(
                "NotImplemented",
                format!("the simulation keeps no content for s3://{bucket}/{key}"),
            )
        })
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    pub(super) fn set_versioning(
        &self,
        call: &Call,
        region: &str,
        bucket: &str,
        enabled: bool,
    ) -> CloudResult<()> {
        let mut state = self.state();
        let b = state.bucket_mut(call, region, bucket)?;
        if !enabled && b.replication.is_some() {
            return Err(call.invalid(
                "InvalidBucketState",
                "A replication configuration is present on this bucket, so the versioning \
                 state cannot be changed.",
            ));
        }
        b.versioning = if enabled {
            Versioning::Enabled
        } else {
            Versioning::Suspended
        };
        Ok(())
    }

    pub(super) fn create_bucket(&self, call: &Call, region: &str, bucket: &str) -> CloudResult<()> {
        if !valid_bucket_name(bucket) {
            return Err(call.invalid("InvalidBucketName", "The specified bucket is not valid."));
        }
        let now = self.clock.now();
        let mut state = self.state();
        if let Some(b) = state.buckets.get(bucket) {
            // For legacy compatibility us-east-1 answers 200 to a repeated create of a bucket
            // the caller already owns there; every other region answers 409.
            if region == "us-east-1" && b.region == region {
                return Ok(());
            }
            return Err(call.invalid(
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already \
                 own it.",
            ));
        }
        let mut b = empty_bucket(bucket, region, now);
        b.created = now;
        b.versioning = Versioning::Disabled;
        state.buckets.insert(bucket.to_owned(), b);
        Ok(())
    }

    /// Replaces the configuration after S3's checks. Objects already in the bucket stay where
    /// they are: a new rule replicates only what is written from now on.
    pub(super) fn put_replication(
        &self,
        call: &Call,
        region: &str,
        bucket: &str,
        configuration: &ReplicationConfig,
    ) -> CloudResult<()> {
        let now = self.clock.now();
        let mut state = self.state();
        if state.bucket(call, region, bucket)?.versioning != Versioning::Enabled {
            return Err(call.invalid(
                "InvalidRequest",
                "Versioning must be 'Enabled' on the bucket to apply a replication \
                 configuration",
            ));
        }
        for rule in &configuration.rules {
            let name = match rule.destination_bucket.as_str() {
                "" => rule
                    .destination_arn
                    .strip_prefix("arn:aws:s3:::")
                    .unwrap_or(&rule.destination_arn),
                name => name,
            };
            let destination = state
                .buckets
                .get(name)
                .ok_or_else(|| no_such_bucket(call))?;
            if destination.versioning != Versioning::Enabled {
                return Err(call.invalid(
                    "InvalidRequest",
                    "Destination bucket must have versioning enabled.",
                ));
            }
        }
        let b = state.bucket_mut(call, region, bucket)?;
        b.replication = Some(configuration.clone());
        b.replication_since = Some(now);
        Ok(())
    }

    /// Removing a configuration that is not there succeeds, as on S3.
    pub(super) fn delete_replication(
        &self,
        call: &Call,
        region: &str,
        bucket: &str,
    ) -> CloudResult<()> {
        let mut state = self.state();
        let b = state.bucket_mut(call, region, bucket)?;
        b.replication = None;
        b.replication_since = None;
        Ok(())
    }

    /// Stores the object (its size and time; the bytes themselves are not kept) and, where a
    /// rule covers its key, its replica.
    pub(super) fn put_object(
        &self,
        call: &Call,
        region: &str,
        bucket: &str,
        key: &str,
        body: &ObjectBody,
    ) -> CloudResult<()> {
        if key.len() > 1024 {
            return Err(call.invalid("KeyTooLongError", "Your key is too long"));
        }
        let now = self.clock.now();
        let mut state = self.state();
        let replica = state.replica_for(bucket, key);
        let b = state.bucket_mut(call, region, bucket)?;
        put_object(b, key.to_owned(), body.as_bytes().len() as u64, now);
        if let Some(o) = b.objects.get_mut(key) {
            o.body = Some(std::sync::Arc::new(body.as_bytes().to_vec()));
        }
        let written = b.objects[key].clone();
        if let ObjectBody::Text { text, .. } = body {
            state.bodies.insert(
                (bucket.to_owned(), key.to_owned()),
                text.clone().into_bytes(),
            );
        }
        if let Some(r) = replica.and_then(|r| state.buckets.get_mut(&r)) {
            write_copy(r, key, &written, now);
        }
        Ok(())
    }

    /// As S3: a key not there is no error; in a versioned bucket the object gets a delete
    /// marker instead of vanishing.
    pub(super) fn delete_objects(
        &self,
        call: &Call,
        region: &str,
        bucket: &str,
        keys: &[String],
    ) -> CloudResult<()> {
        let mut state = self.state();
        let b = state.bucket_mut(call, region, bucket)?;
        let versioned = b.versioning == Versioning::Enabled;
        for key in keys {
            if b.objects.remove(key).is_some() && versioned {
                b.delete_markers.insert(key.clone());
            }
        }
        for key in keys {
            state.bodies.remove(&(bucket.to_owned(), key.clone()));
        }
        Ok(())
    }

    pub(super) fn copy_objects(
        &self,
        call: &Call,
        from: &BucketRef,
        to: &BucketRef,
        prefix: Option<&str>,
    ) -> CloudResult<CopyReport> {
        let now = self.clock.now();
        let mut state = self.state();
        if state.is_down(&from.region) {
            return Err(call.unreachable(&from.region));
        }
        let prefix = prefix.unwrap_or_default();
        let source: Vec<(String, Obj)> =
            under(state.bucket(call, &from.region, &from.bucket)?, prefix)
                .map(|(k, o)| (k.clone(), o.clone()))
                .collect();
        let replica = state.live_replica(&to.bucket);
        let target = state.bucket_mut(call, &to.region, &to.bucket)?;
        let mut report = CopyReport::default();
        let mut copied = Vec::new();
        for (key, obj) in source {
            if target.objects.get(&key).is_some_and(|o| o.size == obj.size) {
                report.skipped += 1;
                continue;
            }
            write_copy(target, &key, &obj, now);
            report.copied += 1;
            report.bytes += obj.size;
            copied.push((key, obj));
        }
        if let Some(replica) = replica.and_then(|r| state.buckets.get_mut(&r)) {
            for (key, obj) in copied {
                write_copy(replica, &key, &obj, now);
            }
        }
        Ok(report)
    }

    /// Each listed object copied whole: the simulation has no 5 GiB limit to work around,
    /// so a multipart copy is one copy here.
    pub(super) fn copy_object_batch(
        &self,
        call: &Call,
        from: &BucketRef,
        to: &BucketRef,
        objects: &[crate::cloud::ObjectToCopy],
    ) -> CloudResult<CopyReport> {
        let now = self.clock.now();
        let mut state = self.state();
        if state.is_down(&from.region) {
            return Err(call.unreachable(&from.region));
        }
        let source = state.bucket(call, &from.region, &from.bucket)?;
        let found: Vec<(String, Obj)> = objects
            .iter()
            .map(|o| {
                source
                    .objects
                    .get(&o.key)
                    .map(|obj| (o.key.clone(), obj.clone()))
                    .ok_or_else(|| call.not_found("NoSuchKey", "The specified key does not exist."))
            })
            .collect::<CloudResult<_>>()?;
        let replica = state.live_replica(&to.bucket);
        let target = state.bucket_mut(call, &to.region, &to.bucket)?;
        let mut report = CopyReport::default();
        for (key, obj) in &found {
            write_copy(target, key, obj, now);
            report.copied += 1;
            report.bytes += obj.size;
        }
        if let Some(replica) = replica.and_then(|r| state.buckets.get_mut(&r)) {
            for (key, obj) in &found {
                write_copy(replica, key, obj, now);
            }
        }
        Ok(report)
    }

    /// Nothing is archived in the simulation: a restore of an object there is accepted, as
    /// S3 accepts one already under way.
    pub(super) fn restore_objects(
        &self,
        call: &Call,
        region: &str,
        bucket: &str,
        keys: &[String],
    ) -> CloudResult<()> {
        let state = self.state();
        let b = state.bucket(call, region, bucket)?;
        match keys.iter().find(|k| !b.objects.contains_key(*k)) {
            Some(_) => Err(call.not_found("NoSuchKey", "The specified key does not exist.")),
            None => Ok(()),
        }
    }
}
