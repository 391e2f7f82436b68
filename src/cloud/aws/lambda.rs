//! Lambda: the pipeline's functions, their code, reserved concurrency and event sources.

use async_trait::async_trait;
use aws_sdk_lambda::types::{EventSourceMappingConfiguration, FunctionConfiguration};

use super::download::download;
use super::{AwsCloud, cloud_error, missing, request_id};
use crate::cloud::{CloudResult, EventSourceMapping, FunctionInfo, Functions, Sent, WriteOutput};

const SERVICE: &str = "lambda";

/// `FunctionConfiguration` and `GetFunctionConfigurationOutput` are distinct types with the
/// same accessors; one macro maps both.
macro_rules! config_info {
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
            state: c.state().map(|s| s.as_str().to_owned()),
            state_reason: c.state_reason().map(str::to_owned),
            last_update_status: c.last_update_status().map(|s| s.as_str().to_owned()),
            last_update_reason: c.last_update_status_reason().map(str::to_owned),
            // A read knows each setting: an absent one is an empty one.
            settings: crate::cloud::FunctionSettings {
                description: Some(c.description().unwrap_or_default().to_owned()),
                environment: Some(
                    c.environment()
                        .and_then(|e| e.variables())
                        .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                ),
                layers: Some(
                    c.layers()
                        .iter()
                        .filter_map(|l| l.arn().map(str::to_owned))
                        .collect(),
                ),
                kms_key_arn: Some(c.kms_key_arn().unwrap_or_default().to_owned()),
                dead_letter_arn: Some(
                    c.dead_letter_config()
                        .and_then(|d| d.target_arn())
                        .unwrap_or_default()
                        .to_owned(),
                ),
                vpc: Some(crate::cloud::FunctionVpc {
                    subnet_ids: c
                        .vpc_config()
                        .map(|v| v.subnet_ids().to_vec())
                        .unwrap_or_default(),
                    security_group_ids: c
                        .vpc_config()
                        .map(|v| v.security_group_ids().to_vec())
                        .unwrap_or_default(),
                }),
                tracing: c
                    .tracing_config()
                    .and_then(|t| t.mode())
                    .map(|m| m.as_str().to_owned()),
                architectures: Some(
                    c.architectures()
                        .iter()
                        .map(|a| a.as_str().to_owned())
                        .collect(),
                ),
                ephemeral_storage_mb: c.ephemeral_storage().map(|e| e.size()),
                // Only GetFunction answers them.
                tags: None,
            },
        }
    }};
}

pub(super) use config_info;

fn function_info(c: &FunctionConfiguration) -> FunctionInfo {
    config_info!(c)
}

/// The list's `EventSourceMappingConfiguration` and `UpdateEventSourceMappingOutput` are
/// distinct types with the same accessors.
macro_rules! mapping {
    ($m:expr) => {{
        let m = $m;
        EventSourceMapping {
            uuid: m.uuid().unwrap_or_default().to_owned(),
            function_arn: m.function_arn().map(str::to_owned),
            source_arn: m.event_source_arn().map(str::to_owned),
            state: m.state().unwrap_or_default().to_owned(),
        }
    }};
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
        info.settings.tags = Some(
            out.tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        );
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
        Ok(config_info!(&out))
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

    async fn download_code(&self, _region: &str, location: &str) -> CloudResult<Vec<u8>> {
        download(&self.http, location).await
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = function))]
    async fn list_event_source_mappings(
        &self,
        region: &str,
        function: &str,
    ) -> CloudResult<Vec<EventSourceMapping>> {
        let all: Vec<EventSourceMappingConfiguration> = self
            .lambda(region)
            .list_event_source_mappings()
            .function_name(function)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(|e| cloud_error(SERVICE, "ListEventSourceMappings", e))?;
        Ok(all.iter().map(|m| mapping!(m)).collect())
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
    ) -> CloudResult<Sent> {
        let out = self
            .lambda_write(region)
            .put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(reserved)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "PutFunctionConcurrency", e))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Concurrency(out.reserved_concurrent_executions().unwrap_or(reserved)),
        ))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = name))]
    pub(crate) async fn delete_concurrency(&self, region: &str, name: &str) -> CloudResult<Sent> {
        let out = self
            .lambda_write(region)
            .delete_function_concurrency()
            .function_name(name)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DeleteFunctionConcurrency", e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }

    /// Stops (or restarts) what feeds a function without touching the function itself: the
    /// queue keeps its messages while the mapping is disabled.
    #[tracing::instrument(level = "error", skip_all, fields(target = function, uuid = uuid))]
    pub(crate) async fn update_event_source_mapping(
        &self,
        region: &str,
        uuid: &str,
        function: &str,
        enabled: bool,
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateEventSourceMapping";
        let out = self
            .lambda_write(region)
            .update_event_source_mapping()
            .uuid(uuid)
            .enabled(enabled)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        // An answer that names no mapping changed nothing we can show: never report it as done.
        if out.uuid().is_none_or(str::is_empty) {
            return Err(missing(SERVICE, OP, "UUID"));
        }
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Mapping(mapping!(&out)),
        ))
    }
}
