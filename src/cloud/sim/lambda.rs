//! Lambda in the simulation: the pipeline's functions, their reserved concurrency (with the
//! account's limit enforced as AWS does), their code packages behind expiring presigned
//! locations, and the queue mapping that feeds the ingestion function.

use async_trait::async_trait;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::seed::function_arn;
use super::state::{Function, Mapping, State};
use super::{ACCOUNT, Call, SimCloud, base64, fnv};
use crate::cloud::{CloudError, CloudResult, EventSourceMapping, FunctionInfo, Functions};

const SERVICE: &str = "lambda";

/// The account's concurrency limit, and what must stay unreserved.
const ACCOUNT_CONCURRENCY: i32 = 1000;
const MIN_UNRESERVED: i32 = 100;

fn function_info(f: &Function) -> FunctionInfo {
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
    }
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
            .map(|(_, f)| function_info(f))
            .collect())
    }

    async fn get_function(&self, region: &str, name: &str) -> CloudResult<FunctionInfo> {
        let call = self
            .enter(SERVICE, "GetFunction", Some(region), name)
            .await?;
        let state = self.state();
        let f = state.function(&call, region, name)?;
        let mut info = function_info(f);
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
        state.function(&call, region, name).map(function_info)
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
