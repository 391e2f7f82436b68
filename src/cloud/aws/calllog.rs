//! The log line of every AWS call: an SDK interceptor on every client, so no adapter can make
//! a call the log does not see.
//!
//! One line per call (info; warn when it failed) with service, operation, region, status,
//! request id, latency and retries, and one debug line per attempt. The adapter's span adds
//! the target (table, bucket, function). Headers and bodies are never logged: they carry the
//! signature, the session token and the data.

use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// Logs the calls of one client; the region is the client's, fixed when it is built.
#[derive(Debug, Clone)]
pub(super) struct CallLog {
    region: String,
}

impl CallLog {
    pub(super) fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Started(Instant);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
struct Attempts(u32);

impl Storable for Attempts {
    type Storer = StoreReplace<Self>;
}

/// The request id AWS gives each answer: `x-amzn-RequestId` for the JSON and query services,
/// `x-amz-request-id` for S3. Support asks for it, and the journal records it for writes.
fn request_id(response: Option<&HttpResponse>) -> &str {
    response
        .and_then(|r| {
            let headers = r.headers();
            headers
                .get("x-amzn-requestid")
                .or_else(|| headers.get("x-amz-request-id"))
        })
        .unwrap_or("-")
}

/// What went wrong, in words, when there is no HTTP status to say it.
fn failure<O, E>(outcome: Option<Result<&O, &OrchestratorError<E>>>) -> &'static str {
    match outcome {
        Some(Err(e)) if e.is_timeout_error() => "timeout",
        Some(Err(e)) if e.is_connector_error() => "unreachable",
        Some(Err(e)) if e.is_response_error() => "unreadable answer",
        Some(Err(e)) if e.is_operation_error() => "service error",
        Some(Err(_)) => "client error",
        Some(Ok(_)) | None => "",
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "drconsole::CallLog"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        cfg.interceptor_state().store_put(Attempts(0));
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempts = cfg.load::<Attempts>().map_or(0, |a| a.0) + 1;
        cfg.interceptor_state().store_put(Attempts(attempts));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = names(cfg);
        let response = context.response();
        tracing::debug!(
            service = %service,
            operation = %operation,
            region = %self.region,
            attempt = cfg.load::<Attempts>().map_or(0, |a| a.0),
            status = response.map_or(0, |r| r.status().as_u16()),
            request_id = %request_id(response),
            "aws attempt"
        );
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = names(cfg);
        let response = context.response();
        let status = response.map_or(0, |r| r.status().as_u16());
        let latency_ms = cfg
            .load::<Started>()
            .map_or(0, |s| s.0.elapsed().as_millis());
        let retries = cfg.load::<Attempts>().map_or(0, |a| a.0).saturating_sub(1);
        let outcome = context.output_or_error();
        let failed = !matches!(outcome, Some(Ok(_))) || status >= 400;
        let error = failure(outcome);
        let request_id = request_id(response);
        if failed {
            tracing::warn!(
                service = %service,
                operation = %operation,
                region = %self.region,
                status,
                request_id = %request_id,
                latency_ms,
                retries,
                error,
                "aws call failed"
            );
        } else {
            tracing::info!(
                service = %service,
                operation = %operation,
                region = %self.region,
                status,
                request_id = %request_id,
                latency_ms,
                retries,
                "aws call"
            );
        }
        Ok(())
    }
}

/// The SDK's service and operation names; "Route 53" loses its space so that every field of
/// a line is one word, as `grep` and `awk` expect.
fn names(cfg: &ConfigBag) -> (String, &str) {
    cfg.load::<Metadata>().map_or(("?".to_owned(), "?"), |m| {
        (m.service().replace(' ', ""), m.name())
    })
}
