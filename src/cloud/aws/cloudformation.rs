//! CloudFormation: the estate's stacks, their events and templates, and the stack writes
//! (update parameters, create, delete).

use async_trait::async_trait;
use aws_sdk_cloudformation::types::{Capability, Parameter, Stack};
use chrono::{DateTime, Utc};

use super::{AwsCloud, cloud_error, missing, request_id, to_chrono};
use crate::cloud::{
    CloudError, CloudResult, ErrorKind, Sent, StackEvent, StackInfo, StackParameter, Stacks,
    TemplateSource, WriteOutput,
};

const SERVICE: &str = "cloudformation";

/// CloudFormation says "this stack does not exist" as a ValidationError: a missing stack must
/// read as missing, not as a bad request.
fn stack_error(mut e: CloudError) -> CloudError {
    match e.code.as_deref() {
        Some("ValidationError") if e.message.contains("does not exist") => {
            e.kind = ErrorKind::NotFound;
        }
        Some("AlreadyExistsException") => e.kind = ErrorKind::AlreadyExists,
        _ => {}
    }
    e
}

/// UpdateStack's answer when every parameter already has its value: the stack is as asked.
fn no_updates(e: &CloudError) -> bool {
    e.code.as_deref() == Some("ValidationError")
        && e.message.contains("No updates are to be performed")
}

fn stack_info(s: &Stack) -> StackInfo {
    StackInfo {
        name: s.stack_name().unwrap_or_default().to_owned(),
        id: s.stack_id().unwrap_or_default().to_owned(),
        status: s
            .stack_status()
            .map(|st| st.as_str().to_owned())
            .unwrap_or_default(),
        status_reason: s.stack_status_reason().map(str::to_owned),
        parameters: s
            .parameters()
            .iter()
            .map(|p| StackParameter {
                key: p.parameter_key().unwrap_or_default().to_owned(),
                value: p.parameter_value().map(str::to_owned),
            })
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .map(|o| {
                (
                    o.output_key().unwrap_or_default().to_owned(),
                    o.output_value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        capabilities: s
            .capabilities()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        last_updated: s
            .last_updated_time()
            .or(s.creation_time())
            .and_then(to_chrono),
        tags: s
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        description: s.description().map(str::to_owned),
    }
}

fn sdk_parameters(parameters: &[StackParameter]) -> Vec<Parameter> {
    parameters
        .iter()
        .map(|p| match &p.value {
            Some(value) => Parameter::builder()
                .parameter_key(&p.key)
                .parameter_value(value)
                .build(),
            None => Parameter::builder()
                .parameter_key(&p.key)
                .use_previous_value(true)
                .build(),
        })
        .collect()
}

#[async_trait]
impl Stacks for AwsCloud {
    async fn describe_stack(&self, region: &str, name_or_id: &str) -> CloudResult<StackInfo> {
        const OP: &str = "DescribeStacks";
        let out = self
            .cloudformation(region)
            .describe_stacks()
            .stack_name(name_or_id)
            .send()
            .await
            .map_err(|e| stack_error(cloud_error(SERVICE, OP, e)))?;
        out.stacks()
            .first()
            .map(stack_info)
            .ok_or_else(|| missing(SERVICE, OP, "Stacks"))
    }

    async fn stack_events(
        &self,
        region: &str,
        name_or_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> CloudResult<Vec<StackEvent>> {
        const OP: &str = "DescribeStackEvents";
        let client = self.cloudformation(region);
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        // Newest first: once a page reaches `since`, the older pages hold nothing wanted.
        'pages: loop {
            let out = client
                .describe_stack_events()
                .stack_name(name_or_id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| stack_error(cloud_error(SERVICE, OP, e)))?;
            for e in out.stack_events() {
                let Some(time) = e.timestamp().and_then(to_chrono) else {
                    continue;
                };
                if since.is_some_and(|s| time <= s) {
                    break 'pages;
                }
                events.push(StackEvent {
                    time,
                    logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                    resource_type: e.resource_type().unwrap_or_default().to_owned(),
                    status: e
                        .resource_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: e.resource_status_reason().map(str::to_owned),
                });
            }
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.time));
        Ok(events)
    }

    async fn get_template(&self, region: &str, name_or_id: &str) -> CloudResult<String> {
        const OP: &str = "GetTemplate";
        let out = self
            .cloudformation(region)
            .get_template()
            .stack_name(name_or_id)
            .send()
            .await
            .map_err(|e| stack_error(cloud_error(SERVICE, OP, e)))?;
        out.template_body()
            .map(str::to_owned)
            .ok_or_else(|| missing(SERVICE, OP, "TemplateBody"))
    }
}

impl AwsCloud {
    /// "No updates are to be performed" is the stack already as asked (a race with another
    /// update, or a precheck that read a moment too early): a success that sent nothing.
    pub(crate) async fn update_stack(
        &self,
        region: &str,
        stack: &str,
        parameters: &[StackParameter],
    ) -> CloudResult<Sent> {
        const OP: &str = "UpdateStack";
        let result = self
            .cloudformation_write(region)
            .update_stack()
            .stack_name(stack)
            .use_previous_template(true)
            .set_parameters(Some(sdk_parameters(parameters)))
            .send()
            .await
            .map_err(|e| stack_error(cloud_error(SERVICE, OP, e)));
        match result {
            Ok(out) => Ok(Sent::new(
                request_id(&out),
                WriteOutput::Stack(out.stack_id().unwrap_or(stack).to_owned()),
            )),
            Err(e) if no_updates(&e) => {
                tracing::info!(stack, "UpdateStack: no updates are to be performed");
                Ok(Sent::new(e.request_id, WriteOutput::Nothing))
            }
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn create_stack(
        &self,
        region: &str,
        stack: &str,
        template: &TemplateSource,
        parameters: &[StackParameter],
        capabilities: &[String],
    ) -> CloudResult<Sent> {
        const OP: &str = "CreateStack";
        let mut call = self
            .cloudformation_write(region)
            .create_stack()
            .stack_name(stack)
            .set_parameters(Some(sdk_parameters(parameters)))
            .set_capabilities(Some(
                capabilities
                    .iter()
                    .map(|c| Capability::from(c.as_str()))
                    .collect(),
            ));
        call = match template {
            TemplateSource::Body(body) => call.template_body(body),
            TemplateSource::Url(url) => call.template_url(url),
        };
        let out = call
            .send()
            .await
            .map_err(|e| stack_error(cloud_error(SERVICE, OP, e)))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Stack(out.stack_id().unwrap_or(stack).to_owned()),
        ))
    }

    pub(crate) async fn delete_stack(&self, region: &str, stack: &str) -> CloudResult<Sent> {
        const OP: &str = "DeleteStack";
        let out = self
            .cloudformation_write(region)
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| stack_error(cloud_error(SERVICE, OP, e)))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }
}
