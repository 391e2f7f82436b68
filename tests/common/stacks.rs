//! A CloudFormation stack in moto, made with the SDK directly (not through the adapter under
//! test): the plan's backup-region capacity stack with three parameters, each with a
//! template default that differs from its value, so a parameter reset to its default shows.

// Each test binary uses a different part of it.
#![allow(dead_code)]

use aws_sdk_cloudformation::types::Parameter;

use super::MotoEnv;

/// The stack the example estate names as its backup capacity.
pub const STACK: &str = "flightdata-pipeline";

/// Its template: an SQS queue moto makes without docker; parameters with defaults.
pub const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Description: flightdata pipeline, standby capacity
Parameters:
  InstanceCount:
    Type: String
    Default: '1'
  Environment:
    Type: String
    Default: staging
  AlertEmail:
    Type: String
    Default: alerts@example.com
Resources:
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: flightdata-pipeline-work
";

/// The values the stack is made with: none is its default.
pub const VALUES: [(&str, &str); 3] = [
    ("InstanceCount", "1"),
    ("Environment", "production"),
    ("AlertEmail", "oncall@flightdata.example.com"),
];

pub async fn client(env: &MotoEnv, region: &str) -> aws_sdk_cloudformation::Client {
    aws_sdk_cloudformation::Client::new(&env.sdk_config(region).await)
}

/// Makes the stack (moto: CREATE_COMPLETE at once); returns its id.
pub async fn seed_stack(env: &MotoEnv, region: &str, name: &str) -> String {
    let out = client(env, region)
        .await
        .create_stack()
        .stack_name(name)
        .template_body(TEMPLATE)
        .set_parameters(Some(
            VALUES
                .iter()
                .map(|(k, v)| {
                    Parameter::builder()
                        .parameter_key(*k)
                        .parameter_value(*v)
                        .build()
                })
                .collect(),
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStack {name}: {e:?}"));
    out.stack_id().expect("a stack id").to_owned()
}

/// The stack's parameters as moto reports them, by key.
pub async fn parameters(
    env: &MotoEnv,
    region: &str,
    name_or_id: &str,
) -> std::collections::BTreeMap<String, String> {
    let out = client(env, region)
        .await
        .describe_stacks()
        .stack_name(name_or_id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStacks {name_or_id}: {e:?}"));
    out.stacks()[0]
        .parameters()
        .iter()
        .map(|p| {
            (
                p.parameter_key().unwrap_or_default().to_owned(),
                p.parameter_value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The stack's status as moto reports it, by name or id; `None` when it is not found.
pub async fn status(env: &MotoEnv, region: &str, name_or_id: &str) -> Option<String> {
    let out = client(env, region)
        .await
        .describe_stacks()
        .stack_name(name_or_id)
        .send()
        .await
        .ok()?;
    out.stacks()[0]
        .stack_status()
        .map(|s| s.as_str().to_owned())
}
