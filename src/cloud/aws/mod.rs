//! Adapters on the AWS SDK for Rust. Endpoint, credentials, profile and region come from the
//! standard AWS configuration, so `AWS_ENDPOINT_URL` points drconsole at moto or LocalStack.
//!
//! Every client carries [`calllog::CallLog`], so every call is logged. Adapter methods that
//! know their target open a span naming it; the span is at error level so the target is on
//! the call's line whatever level the log runs at.

mod calllog;
mod cloudformation;
mod cloudwatch;
mod download;
mod dynamodb;
mod dynamodb_import;
mod dynamodb_items;
mod dynamodb_schema;
mod dynamodb_writes;
mod lambda;
mod lambda_writes;
mod regiongate;
mod route53;
mod s3;
mod sts;
mod writes;

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;
use chrono::{DateTime, Utc};

use super::{CloudError, ErrorKind};
use calllog::CallLog;
use regiongate::{DownRegions, RegionGate};

/// How drconsole calls AWS: per-call time limit and the pace of waiters.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// Upper bound for one API call, retries included.
    pub call_timeout: Duration,
    /// Interval between polls while waiting for a table to become ACTIVE or go away.
    pub poll_interval: Duration,
    /// Requests in flight at once inside one bulk operation (parallel scan, copies).
    pub max_concurrency: usize,
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_secs(20),
            poll_interval: Duration::from_secs(5),
            max_concurrency: 16,
        }
    }
}

/// Where Route53's API lives, whatever region the estate runs in.
const ROUTE53_HOME: &str = "us-east-1";

/// The clients of one region, made once and reused.
#[derive(Clone)]
struct RegionClients {
    dynamodb: aws_sdk_dynamodb::Client,
    s3: aws_sdk_s3::Client,
    lambda: aws_sdk_lambda::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    sts: aws_sdk_sts::Client,
    cloudformation: aws_sdk_cloudformation::Client,
}

/// Every port on the AWS SDK; one set of clients per region, made on first use.
pub struct AwsCloud {
    base: SdkConfig,
    options: AwsOptions,
    path_style: bool,
    regions: Mutex<HashMap<String, RegionClients>>,
    /// Endpoints that replace the configured one for a single region.
    region_endpoints: HashMap<String, String>,
    route53: aws_sdk_route53::Client,
    sts: aws_sdk_sts::Client,
    /// For what the SDK does not fetch: Lambda code from its presigned URL.
    http: reqwest::Client,
    /// Regions that did not answer a moment ago: their calls fail at once for a while.
    down: std::sync::Arc<DownRegions>,
}

impl AwsCloud {
    /// Loads the standard AWS configuration (environment, profile, SSO, instance role).
    pub async fn from_env(profile: Option<&str>, options: AwsOptions) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        let config = loader.load().await;
        // A per-service override for S3 alone also means a non-AWS endpoint.
        let s3_override = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        Self::from_sdk_config(&config, options, s3_override)
    }

    /// Builds on an explicit configuration; `force_path_style` is also set whenever the
    /// configuration has an endpoint override, since `bucket.localhost` does not resolve.
    pub fn from_sdk_config(
        config: &SdkConfig,
        options: AwsOptions,
        force_path_style: bool,
    ) -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3).min(options.call_timeout))
            .operation_attempt_timeout(options.call_timeout / 2)
            .operation_timeout(options.call_timeout)
            .build();
        let base = config
            .to_builder()
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .build();
        let path_style = force_path_style || base.endpoint_url().is_some();
        // Route53 and STS answer globally; their region only picks the signing scope.
        let global = base
            .to_builder()
            .region(Region::from_static("us-east-1"))
            .build();
        let sts_region = base
            .region()
            .cloned()
            .unwrap_or(Region::from_static("us-east-1"));
        let down = std::sync::Arc::new(DownRegions::default());
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&base)
                .interceptor(CallLog::new(sts_region.as_ref()))
                .interceptor(RegionGate::new(sts_region.as_ref(), &down))
                .region(sts_region)
                .build(),
        );
        let route53 = aws_sdk_route53::config::Builder::from(&global)
            .interceptor(CallLog::new("us-east-1"))
            .interceptor(RegionGate::new(ROUTE53_HOME, &down))
            .build();
        Self {
            down,
            route53: aws_sdk_route53::Client::from_conf(route53),
            sts,
            http: download::client(options.call_timeout),
            base,
            options,
            path_style,
            regions: Mutex::new(HashMap::new()),
            region_endpoints: HashMap::new(),
        }
    }

    /// Sends one region's calls to another endpoint (a LocalStack per region, or a dead port
    /// to rehearse a region outage); the other regions keep the configured endpoint.
    pub fn with_region_endpoint(mut self, region: &str, url: &str) -> Self {
        self.regions
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .remove(region);
        self.region_endpoints
            .insert(region.to_owned(), url.to_owned());
        if region == ROUTE53_HOME {
            // Route53's control plane (every API call, health-check status included) is in
            // us-east-1: rehearsing that region's outage takes the DNS reads down with it.
            let global = self
                .base
                .to_builder()
                .region(Region::from_static(ROUTE53_HOME))
                .build();
            self.route53 = aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(&global)
                    .endpoint_url(url)
                    .interceptor(CallLog::new(ROUTE53_HOME))
                    .interceptor(RegionGate::new(ROUTE53_HOME, &self.down))
                    .build(),
            );
        }
        self
    }

    /// Sends Route53's calls to `url`. Route53's control plane lives in us-east-1, but its
    /// outages and that region's need not coincide: a rehearsal of a regional outage that
    /// Route53 survives sets this after [`Self::with_region_endpoint`].
    pub fn with_route53_endpoint(mut self, url: &str) -> Self {
        let global = self
            .base
            .to_builder()
            .region(Region::from_static(ROUTE53_HOME))
            .build();
        self.route53 = aws_sdk_route53::Client::from_conf(
            aws_sdk_route53::config::Builder::from(&global)
                .endpoint_url(url)
                .interceptor(CallLog::new(ROUTE53_HOME))
                .interceptor(RegionGate::new(ROUTE53_HOME, &self.down))
                .build(),
        );
        self
    }

    /// The region the standard configuration names (environment or profile), if any.
    pub fn configured_region(&self) -> Option<String> {
        self.base.region().map(ToString::to_string)
    }

    pub fn options(&self) -> &AwsOptions {
        &self.options
    }

    fn clients(&self, region: &str) -> RegionClients {
        let mut map = self
            .regions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(region.to_owned())
            .or_insert_with(|| {
                let config = self
                    .base
                    .to_builder()
                    .region(Region::new(region.to_owned()))
                    .build();
                // Set on each service's own builder: the SDK prefers an endpoint from the
                // environment (AWS_ENDPOINT_URL) over one set on the shared configuration,
                // and a region's override must win over both.
                let endpoint = self.region_endpoints.get(region).cloned();
                macro_rules! client {
                    ($sdk:ident) => {{
                        let mut b = $sdk::config::Builder::from(&config);
                        if let Some(url) = &endpoint {
                            b = b.endpoint_url(url);
                        }
                        b
                    }};
                }
                let log = CallLog::new(region);
                let gate = RegionGate::new(region, &self.down);
                let s3 = client!(aws_sdk_s3)
                    .force_path_style(self.path_style || endpoint.is_some())
                    .interceptor(log.clone())
                    .interceptor(gate.clone())
                    .build();
                RegionClients {
                    dynamodb: aws_sdk_dynamodb::Client::from_conf(
                        client!(aws_sdk_dynamodb)
                            .interceptor(log.clone())
                            .interceptor(gate.clone())
                            .build(),
                    ),
                    s3: aws_sdk_s3::Client::from_conf(s3),
                    lambda: aws_sdk_lambda::Client::from_conf(
                        client!(aws_sdk_lambda)
                            .interceptor(log.clone())
                            .interceptor(gate.clone())
                            .build(),
                    ),
                    cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                        client!(aws_sdk_cloudwatch)
                            .interceptor(log.clone())
                            .interceptor(gate.clone())
                            .build(),
                    ),
                    sts: aws_sdk_sts::Client::from_conf(
                        client!(aws_sdk_sts)
                            .interceptor(log.clone())
                            .interceptor(gate.clone())
                            .build(),
                    ),
                    cloudformation: aws_sdk_cloudformation::Client::from_conf(
                        client!(aws_sdk_cloudformation)
                            .interceptor(log)
                            .interceptor(gate)
                            .build(),
                    ),
                }
            })
            .clone()
    }

    fn dynamodb(&self, region: &str) -> aws_sdk_dynamodb::Client {
        self.clients(region).dynamodb
    }
    fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.clients(region).s3
    }
    fn lambda(&self, region: &str) -> aws_sdk_lambda::Client {
        self.clients(region).lambda
    }
    fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        self.clients(region).cloudwatch
    }
    fn cloudformation(&self, region: &str) -> aws_sdk_cloudformation::Client {
        self.clients(region).cloudformation
    }

    // Writes are sent once: a retry after a timeout or a 5xx may repeat a write AWS already
    // did (a second backup of the same name, a create that then says "already exists"),
    // behind the journal's back. A failed write is reported; running the action again
    // re-reads the state first, so the journal stays the record of every attempt.
    fn dynamodb_write(&self, region: &str) -> aws_sdk_dynamodb::Client {
        let config = self.dynamodb(region).config().to_builder();
        aws_sdk_dynamodb::Client::from_conf(config.retry_config(once()).build())
    }
    fn s3_write(&self, region: &str) -> aws_sdk_s3::Client {
        let config = self.s3(region).config().to_builder();
        aws_sdk_s3::Client::from_conf(config.retry_config(once()).build())
    }
    fn lambda_write(&self, region: &str) -> aws_sdk_lambda::Client {
        let config = self.lambda(region).config().to_builder();
        aws_sdk_lambda::Client::from_conf(config.retry_config(once()).build())
    }
    fn cloudwatch_write(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let config = self.cloudwatch(region).config().to_builder();
        aws_sdk_cloudwatch::Client::from_conf(config.retry_config(once()).build())
    }
    fn cloudformation_write(&self, region: &str) -> aws_sdk_cloudformation::Client {
        let config = self.cloudformation(region).config().to_builder();
        aws_sdk_cloudformation::Client::from_conf(config.retry_config(once()).build())
    }
}

/// One attempt: what writes are sent with.
fn once() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(1)
}

/// Error codes that mean "this thing does not exist", across the services we call.
const NOT_FOUND_CODES: &[&str] = &[
    "ResourceNotFoundException",
    "TableNotFoundException",
    "SourceTableNotFoundException",
    "BackupNotFoundException",
    "NoSuchBucket",
    "NotFound",
    "NoSuchKey",
    "ReplicationConfigurationNotFoundError",
    "NoSuchHostedZone",
    "NoSuchHealthCheck",
    "NoSuchChange",
    "ResourceNotFound",
];

/// Error codes that mean "these credentials are not accepted", not "not allowed".
const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "InvalidToken",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
];

/// Error codes that mean "what you ask to create is already there": a retry's first write
/// may have gone through.
const ALREADY_EXISTS_CODES: &[&str] = &[
    "TableAlreadyExistsException",
    "BackupAlreadyExistsException",
    "BucketAlreadyOwnedByYou",
    "BucketAlreadyExists",
    "ResourceConflictException",
    "ResourceAlreadyExistsException",
    "HealthCheckAlreadyExists",
    "ImportConflictException",
    "ExportConflictException",
];

/// Error codes that mean "busy, or in a state that forbids it now".
const CONFLICT_CODES: &[&str] = &[
    "ResourceInUseException",
    "TableInUseException",
    "BackupInUseException",
    "OperationAborted",
    "PriorRequestNotComplete",
    "ContinuousBackupsUnavailableException",
    "ConcurrentModification",
    "ConflictException",
];

/// Error codes that mean "the request is wrong": retrying it unchanged fails the same way.
const VALIDATION_CODES: &[&str] = &[
    "ValidationException",
    "ValidationError",
    "InvalidParameterValueException",
    "InvalidParameterException",
    "InvalidParameterCombination",
    "InvalidRequest",
    "InvalidArgument",
    "InvalidInput",
    "InvalidChangeBatch",
    "InvalidBucketName",
    "MalformedXML",
    "InvalidRestoreTimeException",
    "PointInTimeRecoveryUnavailableException",
    "InvalidExportTimeException",
    "IllegalLocationConstraintException",
    "InvalidLocationConstraint",
];

/// A code-less 404 means "missing" only for HEAD requests, which cannot carry an error body;
/// for anything else it means the endpoint does not serve this API (a proxy, an emulator
/// without the operation), which is not evidence that the resource is gone.
fn kind_of_code(code: &str, status: u16, operation: &str) -> ErrorKind {
    let head = operation.starts_with("Head");
    if NOT_FOUND_CODES.contains(&code) || (status == 404 && code.is_empty() && head) {
        ErrorKind::NotFound
    } else if ALREADY_EXISTS_CODES.contains(&code) {
        ErrorKind::AlreadyExists
    } else if CONFLICT_CODES.contains(&code) || status == 409 {
        ErrorKind::Conflict
    } else if VALIDATION_CODES.contains(&code) {
        ErrorKind::Validation
    } else if CREDENTIAL_CODES.contains(&code) {
        ErrorKind::Credentials
    } else if code.starts_with("AccessDenied") || code == "UnauthorizedOperation" || status == 403 {
        ErrorKind::AccessDenied
    } else if code.starts_with("Throttl")
        || code == "ProvisionedThroughputExceededException"
        || code == "TooManyRequestsException"
        || code == "RequestLimitExceeded"
        || status == 429
    {
        ErrorKind::Throttled
    } else {
        ErrorKind::Service
    }
}

/// Keeps the service's code, message and request id; classifies transport failures.
pub(crate) fn cloud_error<E>(
    service: &'static str,
    operation: &'static str,
    err: SdkError<E, HttpResponse>,
) -> CloudError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let request_id = err.request_id().map(str::to_owned);
    if let Some(message) = regiongate::refusal_in(&err) {
        return CloudError {
            service,
            operation,
            kind: ErrorKind::Unreachable,
            code: None,
            message,
            request_id,
        };
    }
    let (kind, code, message) = match &err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().unwrap_or_default().to_owned();
            // An answer the SDK could not read has no code or message of its own: say why.
            let message = ctx
                .err()
                .message()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("HTTP {status}: {}", chain(ctx.err())));
            let kind = kind_of_code(&code, status, operation);
            (kind, (!code.is_empty()).then_some(code), message)
        }
        SdkError::TimeoutError(_) => (
            ErrorKind::Timeout,
            None,
            "no answer within the call's time limit".to_owned(),
        ),
        // The request was never sent: no credentials could be loaded (none in the chain, an
        // expired SSO session, a failing credential_process).
        SdkError::DispatchFailure(_) if credentials_error(&err).is_some() => (
            ErrorKind::Credentials,
            None,
            credentials_error(&err).unwrap_or_default(),
        ),
        SdkError::DispatchFailure(failure) => {
            let kind = if failure.is_timeout() {
                ErrorKind::Timeout
            } else {
                ErrorKind::Unreachable
            };
            (
                kind,
                None,
                format!("could not reach the endpoint: {}", chain(&err)),
            )
        }
        SdkError::ResponseError(_) => (
            ErrorKind::Service,
            None,
            format!("unreadable answer: {}", chain(&err)),
        ),
        _ => (ErrorKind::Client, None, chain(&err)),
    };
    CloudError {
        service,
        operation,
        kind,
        code,
        message,
        request_id,
    }
}

/// The credentials provider's error among the causes, if there is one, on one line: the
/// default chain lists every provider it tried, a line each, after "Attempted:".
fn credentials_error(err: &dyn StdError) -> Option<String> {
    let mut source = err.source();
    while let Some(cause) = source {
        if cause.is::<CredentialsError>() {
            let text = chain(cause);
            let first = text.lines().next().unwrap_or_default();
            return Some(first.trim_end_matches("Attempted:").trim_end().to_owned());
        }
        source = cause.source();
    }
    None
}

/// The error and its causes on one line: the SDK's top-level messages alone say little.
fn chain(err: &dyn StdError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// The id AWS gave a successful call's answer: what the journal records and support asks for.
pub(crate) fn request_id<O: RequestId>(output: &O) -> Option<String> {
    output.request_id().map(str::to_owned)
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

pub(crate) fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs_and_nanos(t.timestamp(), t.timestamp_subsec_nanos())
}

/// A response field the service always sends but the SDK types as optional.
pub(crate) fn missing(service: &'static str, operation: &'static str, field: &str) -> CloudError {
    CloudError::new(
        service,
        operation,
        ErrorKind::Client,
        format!("answer has no {field}"),
    )
}

impl std::fmt::Debug for AwsCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCloud")
            .field("region", &self.base.region())
            .field("endpoint", &self.base.endpoint_url())
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bodiless_404_is_missing_only_for_head_requests() {
        assert_eq!(kind_of_code("", 404, "HeadBucket"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("", 404, "DescribeTable"), ErrorKind::Service);
        assert_eq!(
            kind_of_code("ResourceNotFoundException", 400, "DescribeTable"),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_of_code("ThrottlingException", 400, "Scan"),
            ErrorKind::Throttled
        );
        assert_eq!(
            kind_of_code("AccessDeniedException", 400, "Scan"),
            ErrorKind::AccessDenied
        );
        assert_eq!(
            kind_of_code("ExpiredTokenException", 400, "Scan"),
            ErrorKind::Credentials,
            "an expired session is not a missing permission"
        );
        assert_eq!(
            kind_of_code("InvalidClientTokenId", 403, "GetCallerIdentity"),
            ErrorKind::Credentials
        );
    }

    #[test]
    fn what_a_write_may_answer_has_a_kind_of_its_own() {
        for (code, status, operation, kind) in [
            (
                "TableAlreadyExistsException",
                400,
                "RestoreTableFromBackup",
                ErrorKind::AlreadyExists,
            ),
            // A 409, but "you have it already" is no conflict to wait out.
            (
                "BucketAlreadyOwnedByYou",
                409,
                "CreateBucket",
                ErrorKind::AlreadyExists,
            ),
            (
                "ResourceInUseException",
                400,
                "DeleteTable",
                ErrorKind::Conflict,
            ),
            (
                "OperationAborted",
                409,
                "PutBucketReplication",
                ErrorKind::Conflict,
            ),
            ("", 409, "PutBucketVersioning", ErrorKind::Conflict),
            (
                "ValidationException",
                400,
                "RestoreTableToPointInTime",
                ErrorKind::Validation,
            ),
            (
                "InvalidRequest",
                400,
                "PutBucketReplication",
                ErrorKind::Validation,
            ),
            (
                "InvalidParameterValueException",
                400,
                "UpdateEventSourceMapping",
                ErrorKind::Validation,
            ),
            // The kinds reads had keep their meaning for writes.
            (
                "AccessDeniedException",
                400,
                "CreateBackup",
                ErrorKind::AccessDenied,
            ),
            (
                "ThrottlingException",
                400,
                "CreateBackup",
                ErrorKind::Throttled,
            ),
            ("ExpiredToken", 400, "PutObject", ErrorKind::Credentials),
        ] {
            assert_eq!(
                kind_of_code(code, status, operation),
                kind,
                "{code} {status}"
            );
        }
    }
}
