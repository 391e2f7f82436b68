//! Downloads from presigned URLs (a Lambda function's `Code.Location`): plain HTTPS outside the
//! SDK, held to the same time limit as every SDK call.
//!
//! A presigned URL carries a signature and, from a role, a session token in its query string:
//! no error, log line or journal entry may show more of it than its host.

use crate::error::http_cause as cause;
use std::time::{Duration, Instant};

use crate::cloud::{CloudError, CloudResult, ErrorKind};

const SERVICE: &str = "lambda";
/// The code's URL comes from GetFunction: a failed download is reported against it.
const OPERATION: &str = "GetFunction";

/// The one HTTP client of the adapters, outside the SDK: no overall limit longer than a call.
pub(super) fn client(call_timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3).min(call_timeout))
        .timeout(call_timeout)
        .build()
        // Only a TLS backend that cannot start fails here; the default client has the same one.
        .unwrap_or_default()
}

/// The host a URL names, and nothing else of it.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| "an unreadable URL".to_owned())
}

fn error(kind: ErrorKind, message: String) -> CloudError {
    CloudError::new(SERVICE, OPERATION, kind, message)
}

/// The whole body of `url`; a status other than 2xx, a host that does not answer or a body
/// cut short is an error naming the host only.
pub(super) async fn download(http: &reqwest::Client, url: &str) -> CloudResult<Vec<u8>> {
    let started = Instant::now();
    let host = host_of(url);
    let result = fetch(http, url, &host).await;
    // The SDK's calls are logged by their interceptor; this one is not an SDK call. Like
    // those lines, this names the host only.
    let latency_ms = started.elapsed().as_millis();
    match &result {
        Ok(bytes) => tracing::info!(
            service = SERVICE,
            operation = "DownloadCode",
            host = %host,
            bytes = bytes.len(),
            latency_ms,
            "code download"
        ),
        Err(err) => tracing::warn!(
            service = SERVICE,
            operation = "DownloadCode",
            host = %host,
            latency_ms,
            error = %err.message,
            "code download failed"
        ),
    }
    result
}

async fn fetch(http: &reqwest::Client, url: &str, host: &str) -> CloudResult<Vec<u8>> {
    let failed = |err: reqwest::Error| {
        let kind = if err.is_timeout() {
            ErrorKind::Timeout
        } else if err.is_connect() || err.is_request() {
            ErrorKind::Unreachable
        } else {
            ErrorKind::Service
        };
        error(
            kind,
            format!("could not download the code from {host}: {}", cause(err)),
        )
    };
    let response = http.get(url).send().await.map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        // S3 names the reason (an expired link says AccessDenied "Request has expired").
        let body = response.text().await.unwrap_or_default();
        let mut err = error(
            ErrorKind::Service,
            format!(
                "could not download the code from {host}: HTTP {}{}",
                status.as_u16(),
                xml_text(&body, "Message")
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        );
        err.code = xml_text(&body, "Code");
        return Err(err);
    }
    response.bytes().await.map(|b| b.to_vec()).map_err(failed)
}

/// The text of the first `<tag>` in an S3 error document.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let (_, rest) = body.split_once(&format!("<{tag}>"))?;
    let (text, _) = rest.split_once(&format!("</{tag}>"))?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_host_of_a_presigned_url_is_named() {
        let url = "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/1/f-abc\
                   ?X-Amz-Security-Token=SECRET&X-Amz-Signature=abc";
        assert_eq!(
            host_of(url),
            "awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com"
        );
        assert_eq!(host_of("http://127.0.0.1:8080/x?y"), "127.0.0.1:8080");
        assert_eq!(host_of("not a url"), "an unreadable URL");
    }

    #[test]
    fn s3_error_documents_give_code_and_message() {
        let body = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code>\
                    <Message>Request has expired</Message></Error>";
        assert_eq!(xml_text(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(
            xml_text(body, "Message").as_deref(),
            Some("Request has expired")
        );
        assert_eq!(xml_text("", "Code"), None);
    }
}
