//! The one error every port returns: which service and call failed, and the service's own words.

use std::fmt;

use serde::{Deserialize, Serialize};

pub type CloudResult<T> = Result<T, CloudError>;

/// What kind of failure, so callers can decide between retry, "missing", and "tell the human".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The resource does not exist.
    NotFound,
    /// The resource a create names is already there (`TableAlreadyExistsException`,
    /// `BucketAlreadyOwnedByYou`, `ResourceConflictException` on a create).
    AlreadyExists,
    /// The resource is busy or in a state that forbids the change (`ResourceInUseException`,
    /// `OperationAborted`, a conflicting change in progress): wait and retry.
    Conflict,
    /// The request itself is wrong (`ValidationException`, `InvalidParameterValueException`,
    /// `InvalidRequest`): retrying it unchanged will fail the same way.
    Validation,
    /// No usable credentials: none found, expired, or not accepted (a session that timed out,
    /// an SSO login that lapsed, a key that was rotated).
    Credentials,
    AccessDenied,
    Throttled,
    /// No answer within the call's time limit.
    Timeout,
    /// The endpoint could not be reached at all (refused, DNS, TLS).
    Unreachable,
    /// The service answered with an error.
    Service,
    /// The request could not be built or the answer not read.
    Client,
}

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
pub struct CloudError {
    /// e.g. "dynamodb".
    pub service: &'static str,
    /// e.g. "DescribeTable".
    pub operation: &'static str,
    pub kind: ErrorKind,
    /// The service's error code, e.g. "ResourceNotFoundException".
    pub code: Option<String>,
    /// The service's message, or what went wrong on our side.
    pub message: String,
    pub request_id: Option<String>,
}

impl CloudError {
    pub fn new(
        service: &'static str,
        operation: &'static str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            service,
            operation,
            kind,
            code: None,
            message: message.into(),
            request_id: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// What a person can do about it, where the kind says.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.kind {
            ErrorKind::Credentials => {
                "no usable AWS credentials: pass --profile NAME (or set AWS_PROFILE), run \
                 `aws sso login --profile NAME` if the session expired, or export \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            }
            ErrorKind::AccessDenied => {
                "the credentials work but lack this permission: see docs/iam/ for the policy \
                 drconsole needs"
            }
            ErrorKind::Throttled => {
                "AWS is throttling the account's calls: drconsole retries; if it persists, lower \
                 [aws].max_concurrency"
            }
            ErrorKind::Timeout => {
                "no answer within [aws].call_timeout: the endpoint or the network is slow or down"
            }
            ErrorKind::Unreachable => {
                "the endpoint could not be reached: check the network, VPN or proxy, and \
                 AWS_ENDPOINT_URL or [aws.region_endpoints] if set"
            }
            ErrorKind::Conflict => {
                "the resource is busy (being created, updated or deleted): wait for it to settle, \
                 then retry"
            }
            ErrorKind::NotFound
            | ErrorKind::AlreadyExists
            | ErrorKind::Validation
            | ErrorKind::Service
            | ErrorKind::Client => return None,
        })
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.service, self.operation)?;
        match &self.code {
            Some(code) if !self.message.is_empty() => write!(f, "{code}: {}", self.message)?,
            Some(code) => write!(f, "{code}")?,
            None => write!(f, "{}", self.message)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}
