//! What goes over the wire: each channel's method, URL, authorisation and body, the one
//! HTTP client (with the estate's extra roots), and errors said without a URL or a secret.

use crate::error::http_cause as cause;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Channel, NotReady, PostRequest, PostSettings};
use crate::config::model::Comms;

pub(super) struct Target {
    pub(super) method: reqwest::Method,
    pub(super) url: reqwest::Url,
    pub(super) authorization: Option<String>,
}

/// One attempt that did not post.
pub(super) struct Attempt {
    pub(super) error: String,
    pub(super) retry: bool,
    pub(super) retry_after: Option<Duration>,
}

/// What each channel is sent: Slack's webhook takes the text alone; Statuspage creates an
/// incident with its name, or updates the one it made with the status and the text.
pub(super) fn body(channel: Channel, request: &PostRequest) -> Value {
    match (channel, &request.existing) {
        (Channel::Slack, _) => json!({ "text": request.text }),
        (Channel::Statuspage, None) => json!({
            "incident": {
                "name": request.title,
                "status": request.status,
                "body": request.text,
            }
        }),
        (Channel::Statuspage, Some(_)) => json!({
            "incident": {
                "status": request.status,
                "body": request.text,
            }
        }),
    }
}

pub(super) fn secret(
    env: &dyn Fn(&str) -> Option<String>,
    channel: Channel,
    key: &'static str,
    var: &str,
) -> Result<String, NotReady> {
    match env(var) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(NotReady::SecretUnset {
            channel,
            key,
            var: var.to_owned(),
        }),
    }
}

pub(super) fn http_url(text: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The client every post uses: the platform's roots, plus `ca_file`'s (a company proxy's).
pub(super) fn client(
    comms: &Comms,
    estate_dir: Option<&Path>,
    settings: &PostSettings,
) -> Result<reqwest::Client, NotReady> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
        // A webhook that redirects is not one to follow with the message.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("drconsole/", env!("CARGO_PKG_VERSION")));
    if let Some(ca) = &comms.ca_file {
        let path = match estate_dir {
            Some(dir) => dir.join(ca.get_ref()),
            None => Path::new(ca.get_ref()).to_path_buf(),
        };
        let bad = |reason: String| NotReady::CaFile {
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| bad(format!("not PEM certificates ({})", cause(e))))?;
        if certs.is_empty() {
            return Err(bad("holds no PEM certificate".to_owned()));
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| NotReady::Client(cause(e)))
}

/// `10s`, or `0.25s` for the short limits tests use.
pub(super) fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// A service's answer as one short line: enough to say why, never a page of HTML.
pub(super) fn one_line(body: &str) -> String {
    const MAX: usize = 200;
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// `text` with every secret replaced by a marker.
pub(super) fn scrub(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |t, s| {
        if s.is_empty() {
            t
        } else {
            t.replace(s.as_str(), "[secret]")
        }
    })
}
