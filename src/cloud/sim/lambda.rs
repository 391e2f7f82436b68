//! Lambda in the simulation: the pipeline's functions, their reserved concurrency (with the
//! account's limit enforced as AWS does), their code packages behind expiring presigned
//! locations, and the queue mapping that feeds the ingestion function.

use async_trait::async_trait;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::seed::function_arn;
use super::state::{Function, Mapping, State};
use super::{ACCOUNT, Call, SimCloud, base64, fnv};
use crate::cloud::{
    CloudError, CloudResult, CodeInS3, ErrorKind, EventSourceMapping, FunctionInfo, FunctionSpec,
    Functions,
};

const SERVICE: &str = "lambda";

/// The account's concurrency limit, and what must stay unreserved.
const ACCOUNT_CONCURRENCY: i32 = 1000;
const MIN_UNRESERVED: i32 = 100;

/// How long a new function stays Pending, and an update InProgress, on the sim's clock: AWS
/// takes seconds (longer with a VPC), and refuses another update meanwhile.
pub(super) const SETTLES_IN: Duration = Duration::seconds(10);

pub(super) fn function_info(f: &Function, now: DateTime<Utc>) -> FunctionInfo {
    let pending = f.pending_until.is_some_and(|t| now < t);
    let updating = f.updating_until.is_some_and(|t| now < t);
    FunctionInfo {
        name: f.name.clone(),
        arn: f.arn.clone(),
        runtime: Some(f.runtime.clone()),
        handler: Some(f.handler.clone()),
        role: Some(f.role.clone()),
        // Lambda's own format, e.g. 2026-10-02T14:03:11.000+0000.
        last_modified: Some(
            f.last_modified
                .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
                .to_string(),
        ),
        code_sha256: Some(f.code_sha256.clone()),
        code_size: f.code_size,
        timeout_secs: Some(f.timeout_secs),
        memory_mb: Some(f.memory_mb),
        reserved_concurrency: None,
        code_location: None,
        state: Some(if pending { "Pending" } else { "Active" }.to_owned()),
        state_reason: pending.then(|| "The function is being created.".to_owned()),
        last_update_status: Some(
            if pending || updating {
                "InProgress"
            } else {
                "Successful"
            }
            .to_owned(),
        ),
        last_update_reason: updating.then(|| "The function is being updated.".to_owned()),
        settings: f.settings.clone(),
    }
}

/// An object's bytes: those kept, or for a seeded backup's `<function>-code.zip` the
/// function's package, which the simulation makes again from its name and size.
pub(super) fn object_bytes(key: &str, o: &super::state::Obj) -> Option<Vec<u8>> {
    if let Some(body) = &o.body {
        return Some(body.as_ref().clone());
    }
    let file = key.rsplit('/').next().unwrap_or(key);
    file.strip_suffix("-code.zip")
        .map(|function| code_package(function, o.size))
}

/// The region an ARN names (`arn:aws:sqs:us-east-1:…`), where it names one.
fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// The function's deployment package: `size` bytes, the same every time, so a download
/// hashes to the `CodeSha256` the function reports.
fn code_package(name: &str, size: u64) -> Vec<u8> {
    // splitmix64: FNV per byte would make seeding an estate slow.
    let mut x = fnv(&["code", name]);
    let mut out = Vec::with_capacity(size as usize + 8);
    while (out.len() as u64) < size {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(size as usize);
    out
}

/// Base64 of the package's SHA-256, as Lambda spells `CodeSha256`.
pub(super) fn code_sha256(name: &str, size: u64) -> String {
    use sha2::Digest;
    base64(&sha2::Sha256::digest(code_package(name, size)))
}

/// How long a `Code.Location` stays valid (its `X-Amz-Expires`).
const LOCATION_EXPIRES: Duration = Duration::seconds(600);

/// A presigned URL of the function's package, signed at `at`.
fn code_location(region: &str, f: &Function, at: DateTime<Utc>) -> String {
    let h = fnv(&["location", &f.name, &f.code_sha256]);
    format!(
        "https://awslambda-{region}-tasks.s3.{region}.amazonaws.com/snapshots/{ACCOUNT}/\
         {}-{:08x}?versionId={:016x}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={}\
         &X-Amz-Expires={}",
        f.name,
        h as u32,
        h,
        at.format("%Y%m%dT%H%M%SZ"),
        LOCATION_EXPIRES.num_seconds()
    )
}

fn mapping_info(m: &Mapping, now: DateTime<Utc>) -> EventSourceMapping {
    EventSourceMapping {
        uuid: m.uuid.clone(),
        function_arn: Some(m.function_arn.clone()),
        source_arn: Some(m.source_arn.clone()),
        state: m.state(now).to_owned(),
    }
}

/// `name` may be a name or an ARN, as Lambda accepts both.
fn short_name(name: &str) -> &str {
    name.rsplit_once(":function:")
        .map_or(name, |(_, rest)| rest.split(':').next().unwrap_or(rest))
}

impl State {
    fn function(&self, call: &Call, region: &str, name: &str) -> Result<&Function, CloudError> {
        let name = short_name(name);
        self.functions
            .get(&(region.to_owned(), name.to_owned()))
            .ok_or_else(|| {
                call.not_found(
                    "ResourceNotFoundException",
                    format!("Function not found: {}", function_arn(region, name)),
                )
            })
    }

    fn function_mut(
        &mut self,
        call: &Call,
        region: &str,
        name: &str,
    ) -> Result<&mut Function, CloudError> {
        self.function(call, region, name)?;
        Ok(self
            .functions
            .get_mut(&(region.to_owned(), short_name(name).to_owned()))
            .expect("checked above"))
    }
}

#[async_trait]
impl Functions for SimCloud {
    async fn list_functions(
        &self,
        region: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<FunctionInfo>> {
        self.enter(SERVICE, "ListFunctions", Some(region), region)
            .await?;
        let state = self.state();
        Ok(state
            .functions
            .iter()
            .filter(|((r, name), _)| r == region && prefix.is_none_or(|p| name.starts_with(p)))
            .map(|(_, f)| function_info(f, self.clock.now()))
            .collect())
    }

    async fn get_function(&self, region: &str, name: &str) -> CloudResult<FunctionInfo> {
        let call = self
            .enter(SERVICE, "GetFunction", Some(region), name)
            .await?;
        let state = self.state();
        let f = state.function(&call, region, name)?;
        let mut info = function_info(f, self.clock.now());
        info.reserved_concurrency = f.reserved;
        info.code_location = Some(code_location(region, f, self.clock.now()));
        Ok(info)
    }

    async fn get_function_configuration(
        &self,
        region: &str,
        name: &str,
    ) -> CloudResult<FunctionInfo> {
        let call = self
            .enter(SERVICE, "GetFunctionConfiguration", Some(region), name)
            .await?;
        let state = self.state();
        let now = self.clock.now();
        state
            .function(&call, region, name)
            .map(|f| function_info(f, now))
    }

    async fn get_concurrency(&self, region: &str, name: &str) -> CloudResult<Option<i32>> {
        let call = self
            .enter(SERVICE, "GetFunctionConcurrency", Some(region), name)
            .await?;
        let state = self.state();
        Ok(state.function(&call, region, name)?.reserved)
    }

    /// The location must be one `get_function` handed out, within its ten minutes.
    async fn download_code(&self, region: &str, location: &str) -> CloudResult<Vec<u8>> {
        let call = self
            .enter(SERVICE, "GetFunction", Some(region), location)
            .await?;
        let now = self.clock.now();
        let host = location
            .strip_prefix("https://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("(no host)");
        let forbidden = |why: &str| {
            call.invalid(
                "AccessDenied",
                format!("HTTP 403 Forbidden from {host}: {why}"),
            )
        };
        let signed = location
            .split_once("X-Amz-Date=")
            .and_then(|(_, rest)| rest.get(..16))
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y%m%dT%H%M%SZ").ok())
            .map(|t| t.and_utc());
        let (size, name) = {
            let state = self.state();
            let found = signed.and_then(|at| {
                state
                    .functions
                    .iter()
                    .filter(|((r, _), _)| r == region)
                    .find(|(_, f)| code_location(region, f, at) == location)
                    .map(|(_, f)| (at, f))
            });
            let Some((at, f)) = found else {
                return Err(forbidden("Access Denied"));
            };
            if now > at + LOCATION_EXPIRES {
                return Err(forbidden("Request has expired"));
            }
            (f.code_size.max(0) as u64, f.name.clone())
        };
        Ok(code_package(&name, size))
    }

    async fn list_event_source_mappings(
        &self,
        region: &str,
        function: &str,
    ) -> CloudResult<Vec<EventSourceMapping>> {
        let call = self
            .enter(SERVICE, "ListEventSourceMappings", Some(region), function)
            .await?;
        let now = self.clock.now();
        let state = self.state();
        let arn = state.function(&call, region, function)?.arn.clone();
        Ok(state
            .mappings
            .values()
            .filter(|m| m.region == region && m.function_arn == arn)
            .map(|m| mapping_info(m, now))
            .collect())
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    pub(super) fn put_concurrency(
        &self,
        call: &Call,
        region: &str,
        name: &str,
        reserved: i32,
    ) -> CloudResult<i32> {
        if reserved < 0 {
            return Err(call.invalid(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{reserved}' at \
                     'reservedConcurrentExecutions' failed to satisfy constraint: Member must \
                     have value greater than or equal to 0"
                ),
            ));
        }
        let mut state = self.state();
        let short = short_name(name).to_owned();
        state.function(call, region, name)?;
        let others: i32 = state
            .functions
            .iter()
            .filter(|((r, n), _)| r == region && *n != short)
            .filter_map(|(_, f)| f.reserved)
            .sum();
        if others + reserved > ACCOUNT_CONCURRENCY - MIN_UNRESERVED {
            return Err(call.invalid(
                "InvalidParameterValueException",
                format!(
                    "Specified ReservedConcurrentExecutions for function decreases account's \
                     UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
                ),
            ));
        }
        state.function_mut(call, region, name)?.reserved = Some(reserved);
        Ok(reserved)
    }

    /// Enabling or disabling takes a few seconds, as on AWS: the answer says Enabling or
    /// Disabling.
    pub(super) fn update_mapping(
        &self,
        call: &Call,
        region: &str,
        uuid: &str,
        enabled: bool,
    ) -> CloudResult<EventSourceMapping> {
        let now = self.clock.now();
        let mut state = self.state();
        let m = state
            .mappings
            .get_mut(uuid)
            .filter(|m| m.region == region)
            .ok_or_else(|| {
                call.not_found(
                    "ResourceNotFoundException",
                    "The resource you requested does not exist.",
                )
            })?;
        if m.enabled != enabled {
            m.enabled = enabled;
            m.changed = now;
        }
        Ok(mapping_info(m, now))
    }

    pub(super) fn delete_concurrency(
        &self,
        call: &Call,
        region: &str,
        name: &str,
    ) -> CloudResult<()> {
        let mut state = self.state();
        // Deleting a limit that is not set succeeds, as on AWS.
        state.function_mut(call, region, name)?.reserved = None;
        Ok(())
    }
}

/// Restoring a function: create it, or replace its code and configuration, with AWS's
/// states and refusals.
impl SimCloud {
    /// The package's CodeSha256 and size. Lambda reads it through the function's own
    /// region, so a bucket elsewhere fails as it does on AWS.
    fn package(&self, call: &Call, region: &str, code: &CodeInS3) -> CloudResult<(String, i64)> {
        let state = self.state();
        let get_object = |s3_code: &str, message: &str| {
            call.invalid(
                "InvalidParameterValueException",
                format!(
                    "Error occurred while GetObject. S3 Error Code: {s3_code}. S3 Error \
                     Message: {message}"
                ),
            )
        };
        let bucket = state
            .buckets
            .get(&code.bucket)
            .ok_or_else(|| get_object("NoSuchBucket", "The specified bucket does not exist"))?;
        if bucket.region != region {
            return Err(get_object(
                "AuthorizationHeaderMalformed",
                &format!(
                    "The authorization header is malformed; the region '{region}' is wrong; \
                     expecting '{}'",
                    bucket.region
                ),
            ));
        }
        let o = bucket
            .objects
            .get(&code.key)
            .ok_or_else(|| get_object("NoSuchKey", "The specified key does not exist."))?;
        let bytes = object_bytes(&code.key, o).ok_or_else(|| {
            call.invalid(
                "InvalidParameterValueException",
                "Could not unzip uploaded file. Please check your file, then try to upload again.",
            )
        })?;
        use sha2::Digest;
        Ok((base64(&sha2::Sha256::digest(&bytes)), bytes.len() as i64))
    }

    /// Lambda refuses a layer, key or dead-letter target of another region.
    fn same_region(call: &Call, region: &str, spec: &FunctionSpec) -> CloudResult<()> {
        let s = &spec.settings;
        let bound = s
            .layers
            .iter()
            .flatten()
            .chain(s.kms_key_arn.iter())
            .chain(s.dead_letter_arn.iter());
        match bound
            .into_iter()
            .find(|arn| arn_region(arn).is_some_and(|r| r != region))
        {
            Some(arn) => Err(call.invalid(
                "InvalidParameterValueException",
                format!("{arn} is not in the function's region {region}"),
            )),
            None => Ok(()),
        }
    }

    /// Another update while one is in progress is a conflict, as on AWS.
    fn settled(call: &Call, f: &Function, now: DateTime<Utc>) -> CloudResult<()> {
        let busy = |why: String| {
            call.fail(
                ErrorKind::Conflict,
                "ResourceConflictException",
                format!("The operation cannot be performed at this time. {why}"),
            )
        };
        if f.pending_until.is_some_and(|t| now < t) {
            return Err(busy(
                "The function is currently in the following state: Pending".to_owned(),
            ));
        }
        if f.updating_until.is_some_and(|t| now < t) {
            return Err(busy(format!(
                "An update is in progress for resource: {}",
                f.arn
            )));
        }
        Ok(())
    }

    /// The function and its versions go at once; an unknown one is not found, as in AWS.
    pub(super) fn delete_function(&self, call: &Call, region: &str, name: &str) -> CloudResult<()> {
        let mut state = self.state();
        let name = short_name(name).to_owned();
        state.function(call, region, &name)?;
        state.functions.remove(&(region.to_owned(), name.clone()));
        Ok(())
    }

    pub(super) fn create_function(
        &self,
        call: &Call,
        region: &str,
        spec: &FunctionSpec,
        code: &CodeInS3,
    ) -> CloudResult<FunctionInfo> {
        let now = self.clock.now();
        let key = (region.to_owned(), spec.name.clone());
        if self.state().functions.contains_key(&key) {
            return Err(call.fail(
                ErrorKind::AlreadyExists,
                "ResourceConflictException",
                format!("Function already exist: {}", spec.name),
            ));
        }
        let (Some(runtime), Some(handler), Some(role)) = (&spec.runtime, &spec.handler, &spec.role)
        else {
            return Err(call.invalid(
                "InvalidParameterValueException",
                "A zip package needs a runtime, a handler and a role.",
            ));
        };
        Self::same_region(call, region, spec)?;
        let (code_sha256, code_size) = self.package(call, region, code)?;
        let f = Function {
            name: spec.name.clone(),
            arn: function_arn(region, &spec.name),
            runtime: runtime.clone(),
            handler: handler.clone(),
            role: role.clone(),
            last_modified: now,
            code_sha256,
            code_size,
            timeout_secs: spec.timeout_secs.unwrap_or(3),
            memory_mb: spec.memory_mb.unwrap_or(128),
            reserved: None,
            settings: spec.settings.clone(),
            pending_until: Some(now + SETTLES_IN),
            updating_until: None,
        };
        let info = function_info(&f, now);
        self.state().functions.insert(key, f);
        Ok(info)
    }

    pub(super) fn update_function_code(
        &self,
        call: &Call,
        region: &str,
        name: &str,
        code: &CodeInS3,
        architectures: Option<&[String]>,
    ) -> CloudResult<FunctionInfo> {
        let now = self.clock.now();
        Self::settled(call, self.state().function(call, region, name)?, now)?;
        let (sha, size) = self.package(call, region, code)?;
        let mut state = self.state();
        let f = state.function_mut(call, region, name)?;
        f.code_sha256 = sha;
        f.code_size = size;
        if let Some(architectures) = architectures {
            f.settings.architectures = Some(architectures.to_vec());
        }
        f.last_modified = now;
        f.updating_until = Some(now + SETTLES_IN);
        Ok(function_info(f, now))
    }

    pub(super) fn update_function_configuration(
        &self,
        call: &Call,
        region: &str,
        spec: &FunctionSpec,
    ) -> CloudResult<FunctionInfo> {
        let now = self.clock.now();
        Self::settled(call, self.state().function(call, region, &spec.name)?, now)?;
        Self::same_region(call, region, spec)?;
        let mut state = self.state();
        let f = state.function_mut(call, region, &spec.name)?;
        for (want, have) in [
            (&spec.runtime, &mut f.runtime),
            (&spec.handler, &mut f.handler),
            (&spec.role, &mut f.role),
        ] {
            if let Some(v) = want {
                *have = v.clone();
            }
        }
        if let Some(v) = spec.timeout_secs {
            f.timeout_secs = v;
        }
        if let Some(v) = spec.memory_mb {
            f.memory_mb = v;
        }
        let (s, to) = (&spec.settings, &mut f.settings);
        for (want, have) in [
            (&s.description, &mut to.description),
            (&s.kms_key_arn, &mut to.kms_key_arn),
            (&s.dead_letter_arn, &mut to.dead_letter_arn),
            (&s.tracing, &mut to.tracing),
        ] {
            if want.is_some() {
                *have = want.clone();
            }
        }
        if s.environment.is_some() {
            to.environment = s.environment.clone();
        }
        if s.layers.is_some() {
            to.layers = s.layers.clone();
        }
        if s.vpc.is_some() {
            to.vpc = s.vpc.clone();
        }
        if s.ephemeral_storage_mb.is_some() {
            to.ephemeral_storage_mb = s.ephemeral_storage_mb;
        }
        f.last_modified = now;
        f.updating_until = Some(now + SETTLES_IN);
        Ok(function_info(f, now))
    }
}
