//! Lambda in the simulation: the pipeline's functions and their reserved concurrency, with
//! the account's concurrency limit enforced as AWS does.

use async_trait::async_trait;

use super::seed::function_arn;
use super::state::{Function, State};
use super::{ACCOUNT, Call, SimCloud, fnv};
use crate::cloud::{CloudError, CloudResult, FunctionInfo, Functions};

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
        let h = fnv(&["location", &f.name, &f.code_sha256]);
        info.code_location = Some(format!(
            "https://awslambda-{region}-tasks.s3.{region}.amazonaws.com/snapshots/{ACCOUNT}/\
             {}-{:08x}?versionId={:016x}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600",
            f.name, h as u32, h
        ));
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

    async fn download_code(&self, _region: &str, _location: &str) -> CloudResult<Vec<u8>> {
        Err(crate::cloud::CloudError::new(
            "lambda",
            "GetFunction",
            crate::cloud::ErrorKind::Client,
            "not implemented yet",
        ))
    }

    async fn list_event_source_mappings(
        &self,
        _region: &str,
        _function: &str,
    ) -> CloudResult<Vec<crate::cloud::EventSourceMapping>> {
        Ok(Vec::new())
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    pub(crate) async fn put_concurrency(
        &self,
        region: &str,
        name: &str,
        reserved: i32,
    ) -> CloudResult<i32> {
        let call = self
            .enter(SERVICE, "PutFunctionConcurrency", Some(region), name)
            .await?;
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
        state.function(&call, region, name)?;
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
        state.function_mut(&call, region, name)?.reserved = Some(reserved);
        Ok(reserved)
    }

    pub(crate) async fn delete_concurrency(&self, region: &str, name: &str) -> CloudResult<()> {
        let call = self
            .enter(SERVICE, "DeleteFunctionConcurrency", Some(region), name)
            .await?;
        let mut state = self.state();
        // Deleting a limit that is not set succeeds, as on AWS.
        state.function_mut(&call, region, name)?.reserved = None;
        Ok(())
    }
}
