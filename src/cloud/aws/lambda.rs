//! Lambda: the pipeline's functions, their code location and reserved concurrency.

use async_trait::async_trait;
use aws_sdk_lambda::types::FunctionConfiguration;

use super::{AwsCloud, cloud_error, missing};
use crate::cloud::{CloudResult, FunctionInfo, Functions};

const SERVICE: &str = "lambda";

/// `FunctionConfiguration` and `GetFunctionConfigurationOutput` are distinct types with the
/// same accessors; one macro maps both.
macro_rules! function_info {
    ($c:expr) => {{
        let c = $c;
        FunctionInfo {
            name: c.function_name().unwrap_or_default().to_owned(),
            arn: c.function_arn().unwrap_or_default().to_owned(),
            runtime: c.runtime().map(|r| r.as_str().to_owned()),
            handler: c.handler().map(str::to_owned),
            role: c.role().map(str::to_owned),
            last_modified: c.last_modified().map(str::to_owned),
            code_sha256: c.code_sha256().map(str::to_owned),
            code_size: c.code_size(),
            timeout_secs: c.timeout(),
            memory_mb: c.memory_size(),
            reserved_concurrency: None,
            code_location: None,
        }
    }};
}

fn function_info(c: &FunctionConfiguration) -> FunctionInfo {
    function_info!(c)
}

#[async_trait]
impl Functions for AwsCloud {
    async fn list_functions(
        &self,
        region: &str,
        prefix: Option<&str>,
    ) -> CloudResult<Vec<FunctionInfo>> {
        let all: Vec<FunctionConfiguration> = self
            .lambda(region)
            .list_functions()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(|e| cloud_error(SERVICE, "ListFunctions", e))?;
        Ok(all
            .iter()
            .filter(|c| prefix.is_none_or(|p| c.function_name().unwrap_or_default().starts_with(p)))
            .map(function_info)
            .collect())
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = name))]
    async fn get_function(&self, region: &str, name: &str) -> CloudResult<FunctionInfo> {
        let out = self
            .lambda(region)
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetFunction", e))?;
        let config = out
            .configuration()
            .ok_or_else(|| missing(SERVICE, "GetFunction", "Configuration"))?;
        let mut info = function_info(config);
        info.code_location = out.code().and_then(|c| c.location()).map(str::to_owned);
        info.reserved_concurrency = match out.concurrency() {
            Some(c) => c.reserved_concurrent_executions(),
            // GetFunction may omit the block when it is 0; ask the dedicated call.
            None => self.get_concurrency(region, name).await?,
        };
        Ok(info)
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = name))]
    async fn get_function_configuration(
        &self,
        region: &str,
        name: &str,
    ) -> CloudResult<FunctionInfo> {
        let out = self
            .lambda(region)
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetFunctionConfiguration", e))?;
        Ok(function_info!(&out))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = name))]
    async fn get_concurrency(&self, region: &str, name: &str) -> CloudResult<Option<i32>> {
        let out = self
            .lambda(region)
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "GetFunctionConcurrency", e))?;
        Ok(out.reserved_concurrent_executions())
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
impl AwsCloud {
    #[tracing::instrument(level = "error", skip_all, fields(target = name))]
    pub(crate) async fn put_concurrency(
        &self,
        region: &str,
        name: &str,
        reserved: i32,
    ) -> CloudResult<i32> {
        let out = self
            .lambda(region)
            .put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(reserved)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "PutFunctionConcurrency", e))?;
        Ok(out.reserved_concurrent_executions().unwrap_or(reserved))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = name))]
    pub(crate) async fn delete_concurrency(&self, region: &str, name: &str) -> CloudResult<()> {
        self.lambda(region)
            .delete_function_concurrency()
            .function_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cloud_error(SERVICE, "DeleteFunctionConcurrency", e))
    }
}
