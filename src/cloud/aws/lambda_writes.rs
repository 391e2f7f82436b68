//! Lambda writes that restore a function from its backup: create it, or replace its code and
//! configuration. Each is sent once, as every write is.

use std::collections::HashMap;

use aws_sdk_lambda::types::{
    Architecture, DeadLetterConfig, Environment, EphemeralStorage, FunctionCode, Runtime,
    TracingConfig, TracingMode, VpcConfig,
};

use super::lambda::config_info;
use super::{AwsCloud, cloud_error, request_id};
use crate::cloud::{
    CloudError, CloudResult, CodeInS3, ErrorKind, FunctionInfo, FunctionSpec, Sent, WriteOutput,
};

const SERVICE: &str = "lambda";

fn code(code: &CodeInS3) -> FunctionCode {
    FunctionCode::builder()
        .s3_bucket(&code.bucket)
        .s3_key(&code.key)
        .build()
}

fn environment(variables: &std::collections::BTreeMap<String, String>) -> Environment {
    Environment::builder()
        .set_variables(Some(
            variables
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<HashMap<_, _>>(),
        ))
        .build()
}

fn vpc(vpc: &crate::cloud::FunctionVpc) -> VpcConfig {
    VpcConfig::builder()
        .set_subnet_ids(Some(vpc.subnet_ids.clone()))
        .set_security_group_ids(Some(vpc.security_group_ids.clone()))
        .build()
}

fn storage(operation: &'static str, mb: i32) -> CloudResult<EphemeralStorage> {
    EphemeralStorage::builder().size(mb).build().map_err(|e| {
        CloudError::new(
            SERVICE,
            operation,
            ErrorKind::Validation,
            format!("ephemeral storage of {mb} MB: {e}"),
        )
    })
}

fn answered(info: FunctionInfo, request_id: Option<String>) -> Sent {
    Sent::new(request_id, WriteOutput::Function(Box::new(info)))
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    /// Without a qualifier: the function and every version of it go.
    #[tracing::instrument(level = "error", skip_all, fields(target = function))]
    pub(crate) async fn delete_function(&self, region: &str, function: &str) -> CloudResult<Sent> {
        let out = self
            .lambda_write(region)
            .delete_function()
            .function_name(function)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "DeleteFunction", e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }

    /// Sends what the spec knows; an empty setting (no layers, no dead-letter target) is
    /// simply left out, as a new function has none.
    #[tracing::instrument(level = "error", skip_all, fields(target = spec.name))]
    pub(crate) async fn create_function(
        &self,
        region: &str,
        spec: &FunctionSpec,
        package: &CodeInS3,
    ) -> CloudResult<Sent> {
        const OP: &str = "CreateFunction";
        let s = &spec.settings;
        let mut call = self
            .lambda_write(region)
            .create_function()
            .function_name(&spec.name)
            .code(code(package))
            .set_runtime(spec.runtime.as_deref().map(Runtime::from))
            .set_handler(spec.handler.clone())
            .set_role(spec.role.clone())
            .set_timeout(spec.timeout_secs)
            .set_memory_size(spec.memory_mb)
            .set_description(s.description.clone().filter(|d| !d.is_empty()))
            .set_kms_key_arn(s.kms_key_arn.clone().filter(|k| !k.is_empty()));
        if let Some(variables) = s.environment.as_ref().filter(|e| !e.is_empty()) {
            call = call.environment(environment(variables));
        }
        if let Some(layers) = s.layers.as_ref().filter(|l| !l.is_empty()) {
            call = call.set_layers(Some(layers.clone()));
        }
        if let Some(target) = s.dead_letter_arn.as_ref().filter(|t| !t.is_empty()) {
            call = call.dead_letter_config(DeadLetterConfig::builder().target_arn(target).build());
        }
        if let Some(v) = s.vpc.as_ref().filter(|v| !v.is_empty()) {
            call = call.vpc_config(vpc(v));
        }
        if let Some(mode) = &s.tracing {
            call = call.tracing_config(
                TracingConfig::builder()
                    .mode(TracingMode::from(mode.as_str()))
                    .build(),
            );
        }
        if let Some(architectures) = s.architectures.as_ref().filter(|a| !a.is_empty()) {
            call = call.set_architectures(Some(
                architectures
                    .iter()
                    .map(|a| Architecture::from(a.as_str()))
                    .collect(),
            ));
        }
        if let Some(mb) = s.ephemeral_storage_mb {
            call = call.ephemeral_storage(storage(OP, mb)?);
        }
        if let Some(tags) = s.tags.as_ref().filter(|t| !t.is_empty()) {
            call = call.set_tags(Some(
                tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ));
        }
        let out = call.send().await.map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(answered(config_info!(&out), request_id(&out)))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = function))]
    pub(crate) async fn update_function_code(
        &self,
        region: &str,
        function: &str,
        package: &CodeInS3,
        architectures: Option<&[String]>,
    ) -> CloudResult<Sent> {
        let out = self
            .lambda_write(region)
            .update_function_code()
            .function_name(function)
            .s3_bucket(&package.bucket)
            .s3_key(&package.key)
            .set_architectures(
                architectures
                    .filter(|a| !a.is_empty())
                    .map(|a| a.iter().map(|a| Architecture::from(a.as_str())).collect()),
            )
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "UpdateFunctionCode", e))?;
        Ok(answered(config_info!(&out), request_id(&out)))
    }

    /// Sends only the fields the spec sets: here an empty value does mean "none" (an empty
    /// layer list removes the layers, an empty KMS key goes back to Lambda's own key).
    #[tracing::instrument(level = "error", skip_all, fields(target = spec.name))]
    pub(crate) async fn update_function_configuration(
        &self,
        region: &str,
        spec: &FunctionSpec,
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateFunctionConfiguration";
        let s = &spec.settings;
        let mut call = self
            .lambda_write(region)
            .update_function_configuration()
            .function_name(&spec.name)
            .set_runtime(spec.runtime.as_deref().map(Runtime::from))
            .set_handler(spec.handler.clone())
            .set_role(spec.role.clone())
            .set_timeout(spec.timeout_secs)
            .set_memory_size(spec.memory_mb)
            .set_description(s.description.clone())
            .set_kms_key_arn(s.kms_key_arn.clone())
            .set_layers(s.layers.clone());
        if let Some(variables) = &s.environment {
            call = call.environment(environment(variables));
        }
        if let Some(target) = &s.dead_letter_arn {
            call = call.dead_letter_config(DeadLetterConfig::builder().target_arn(target).build());
        }
        if let Some(v) = &s.vpc {
            call = call.vpc_config(vpc(v));
        }
        if let Some(mode) = &s.tracing {
            call = call.tracing_config(
                TracingConfig::builder()
                    .mode(TracingMode::from(mode.as_str()))
                    .build(),
            );
        }
        if let Some(mb) = s.ephemeral_storage_mb {
            call = call.ephemeral_storage(storage(OP, mb)?);
        }
        let out = call.send().await.map_err(|e| cloud_error(SERVICE, OP, e))?;
        Ok(answered(config_info!(&out), request_id(&out)))
    }
}
