//! Posting a message to a Slack incoming webhook or a Statuspage incident, with the secrets
//! read from the environment variables the estate file names and never written anywhere.
//!
//! The Slack webhook URL *is* the secret (anyone holding it can post), and reqwest quotes a
//! request's URL in its errors: every error here is built from `without_url()` and then
//! scrubbed of each secret, so neither the journal, the log nor the screen can show one.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::config::model::{Comms, Estate};
use crate::incident::Incident;
use crate::mode::Mode;

mod wire;

use crate::error::http_cause as cause;
use wire::{Attempt, Target, body, client, http_url, one_line, scrub, seconds, secret};

/// Where a message can be posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::EnumString, strum::Display)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Slack,
    Statuspage,
}

/// One message to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRequest {
    pub template: String,
    /// As it goes out (Slack mrkdwn for Slack, plain text for Statuspage).
    pub text: String,
    /// Statuspage's incident name (the incident's title).
    pub title: String,
    /// Statuspage's status: investigating, identified, monitoring, resolved.
    pub status: String,
    /// The Statuspage incident an earlier post made: this one updates it.
    pub existing: Option<String>,
}

impl PostRequest {
    /// `text` as the message of `template` about `incident`: its title and status for
    /// Statuspage, and the page's incident an earlier post made, which this one updates.
    ///
    /// A rehearsal posts to the same channels as an outage: a drill's or a simulation's
    /// message says so in its title and, unless its text already does, in its first line,
    /// so nobody reading the channel or the status page takes it for a real outage.
    pub fn for_incident(incident: &Incident, template: &str, text: &str) -> PostRequest {
        let banner = match incident.mode {
            Mode::Production => None,
            mode @ (Mode::Drill | Mode::Simulation) => Some(mode.label()),
        };
        let (title, text) = match banner {
            None => (incident.title.clone(), text.to_owned()),
            Some(b) => (
                format!("[{b}] {}", incident.title),
                if text.contains(b) {
                    text.to_owned()
                } else {
                    format!("{b} - NOT A REAL INCIDENT\n\n{text}")
                },
            ),
        };
        PostRequest {
            template: template.to_owned(),
            text,
            title,
            status: statuspage_status(incident).to_owned(),
            existing: incident.statuspage_id.clone(),
        }
    }
}

/// Statuspage's word for where the incident stands. Its four words describe a fault being
/// found and fixed; ours are services coming back: nothing restored yet is `investigating`,
/// some restored is `identified` (the cause is known and the recovery is under way), all
/// restored but not yet closed is `monitoring`, closed is `resolved`.
pub fn statuspage_status(incident: &Incident) -> &'static str {
    let restored = incident
        .services
        .iter()
        .filter(|s| s.restored_at.is_some())
        .count();
    if !incident.is_open() {
        "resolved"
    } else if restored == 0 {
        "investigating"
    } else if restored < incident.services.len() {
        "identified"
    } else {
        "monitoring"
    }
}

/// A post that went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    pub channel: Channel,
    /// How the journal names the channel: `#incidents`, `statuspage`.
    pub label: String,
    pub external_id: Option<String>,
    pub attempts: u32,
}

/// A post that did not, after its retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{label}: {error} (after {attempts} attempt(s))")]
pub struct PostFailure {
    pub channel: Channel,
    pub label: String,
    pub error: String,
    pub attempts: u32,
}

/// Why a channel cannot be posted to at all: said when someone tries to post, not when the
/// estate loads, so a console without the secrets still starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum NotReady {
    #[error("{channel} posting is not configured: the estate file has no [comms.{channel}]")]
    NotConfigured { channel: Channel },
    #[error("[comms.{channel}] {key} names {var}, which is not set")]
    SecretUnset {
        channel: Channel,
        key: &'static str,
        var: String,
    },
    /// The variable is set but its value is unusable; the value itself is never quoted.
    #[error("[comms.{channel}] {key} names {var}, whose value {reason}")]
    SecretInvalid {
        channel: Channel,
        key: &'static str,
        var: String,
        reason: String,
    },
    #[error("[comms.statuspage] api_url {url:?} is not an http(s) URL")]
    BadApiUrl { url: String },
    #[error("[comms] ca_file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("the HTTP client could not start: {0}")]
    Client(String),
}

/// A channel the estate configures, and what would stop a post to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelInfo {
    pub channel: Channel,
    pub label: String,
    pub problem: Option<NotReady>,
}

/// How hard a post tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostSettings {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first retry waits this long, each later one twice the one before.
    pub backoff: Duration,
    /// No wait is longer, whatever `Retry-After` asks: the commander is waiting too.
    pub max_wait: Duration,
    /// Each attempt's limit, connection included.
    pub timeout: Duration,
}

impl Default for PostSettings {
    fn default() -> Self {
        PostSettings {
            attempts: 3,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

impl PostSettings {
    /// The wait before attempt `failed + 1`, after `failed` attempts, the last of which
    /// asked for `retry_after` (a 429's `Retry-After`).
    pub fn delay(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        let wait = retry_after.unwrap_or_else(|| {
            self.backoff
                .saturating_mul(2u32.saturating_pow(failed.saturating_sub(1)))
        });
        wait.min(self.max_wait)
    }
}

/// Waits between attempts; tests pass one that records the wait and returns at once.
pub type Sleep = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The configured channels, their secrets and the one HTTP client that posts to them.
#[derive(Clone)]
pub struct Poster {
    slack: Option<SlackTarget>,
    statuspage: Option<StatuspageTarget>,
    client: Result<reqwest::Client, NotReady>,
    settings: PostSettings,
    sleep: Sleep,
}

#[derive(Clone)]
struct SlackTarget {
    label: String,
    webhook: Result<reqwest::Url, NotReady>,
}

#[derive(Clone)]
struct StatuspageTarget {
    incidents: Result<reqwest::Url, NotReady>,
    key: Result<String, NotReady>,
}

/// Statuspage's incidents are journalled under this name: the incident's state looks for it
/// to find the page's incident the next update edits.
pub const STATUSPAGE_LABEL: &str = "statuspage";

impl std::fmt::Debug for Poster {
    // By hand: the derived one would print the secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poster")
            .field("channels", &self.channels())
            .field("settings", &self.settings)
            .finish()
    }
}

impl Poster {
    /// The channels `comms` configures, their secrets read through `env`; relative paths
    /// (`ca_file`) are taken from `estate_dir`, the estate file's folder.
    pub fn new(
        comms: &Comms,
        estate_dir: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Poster {
        let slack = comms.slack.as_ref().map(|s| SlackTarget {
            label: s
                .channel
                .clone()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or_else(|| "slack".to_owned()),
            webhook: secret(env, Channel::Slack, "webhook_env", s.webhook_env.get_ref()).and_then(
                |url| {
                    http_url(&url).ok_or_else(|| NotReady::SecretInvalid {
                        channel: Channel::Slack,
                        key: "webhook_env",
                        var: s.webhook_env.get_ref().clone(),
                        reason: "is not an http(s) URL".to_owned(),
                    })
                },
            ),
        });
        let statuspage = comms.statuspage.as_ref().map(|s| StatuspageTarget {
            incidents: http_url(&s.api_url)
                .map(|mut url| {
                    if let Ok(mut path) = url.path_segments_mut() {
                        path.pop_if_empty()
                            .extend(["pages", s.page_id.as_str(), "incidents"]);
                    }
                    url
                })
                .ok_or_else(|| NotReady::BadApiUrl {
                    url: s.api_url.clone(),
                }),
            key: secret(
                env,
                Channel::Statuspage,
                "api_key_env",
                s.api_key_env.get_ref(),
            ),
        });
        let settings = PostSettings::default();
        let client = client(comms, estate_dir, &settings);
        Poster {
            slack,
            statuspage,
            client,
            settings,
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }

    /// The estate's channels, their secrets read from this process's environment.
    pub fn from_estate(estate: &Estate) -> Poster {
        Poster::new(&estate.comms, estate.base_dir.0.as_deref(), &|name| {
            std::env::var(name).ok()
        })
    }

    /// The same channels, trying as `settings` says.
    pub fn with_settings(mut self, settings: PostSettings) -> Poster {
        self.settings = settings;
        self
    }

    /// The same channels, waiting between attempts through `sleep`.
    pub fn with_sleep(mut self, sleep: Sleep) -> Poster {
        self.sleep = sleep;
        self
    }

    pub fn settings(&self) -> PostSettings {
        self.settings
    }

    /// What the estate configures, in a fixed order, each with what would stop a post.
    pub fn channels(&self) -> Vec<ChannelInfo> {
        [Channel::Slack, Channel::Statuspage]
            .into_iter()
            .filter(|c| self.configured(*c))
            .map(|channel| ChannelInfo {
                channel,
                label: self.label(channel),
                problem: self.check(channel).err(),
            })
            .collect()
    }

    fn configured(&self, channel: Channel) -> bool {
        match channel {
            Channel::Slack => self.slack.is_some(),
            Channel::Statuspage => self.statuspage.is_some(),
        }
    }

    /// How the journal and the screen name `channel`: Slack's configured channel name,
    /// else `slack`; `statuspage`.
    pub fn label(&self, channel: Channel) -> String {
        match (channel, &self.slack) {
            (Channel::Slack, Some(s)) => s.label.clone(),
            (Channel::Slack, None) => "slack".to_owned(),
            (Channel::Statuspage, _) => STATUSPAGE_LABEL.to_owned(),
        }
    }

    /// Whether a post to `channel` could go out: configured, its secret set, its client up.
    pub fn check(&self, channel: Channel) -> Result<(), NotReady> {
        self.target(channel, None).map(|_| ())
    }

    /// What one post sends, minus the retries; `None` asks for a Statuspage create.
    fn target(&self, channel: Channel, existing: Option<&str>) -> Result<Target, NotReady> {
        let not_configured = NotReady::NotConfigured { channel };
        let target = match channel {
            Channel::Slack => {
                let slack = self.slack.as_ref().ok_or(not_configured)?;
                Target {
                    method: reqwest::Method::POST,
                    url: slack.webhook.clone()?,
                    authorization: None,
                }
            }
            Channel::Statuspage => {
                let page = self.statuspage.as_ref().ok_or(not_configured)?;
                let mut url = page.incidents.clone()?;
                let key = page.key.clone()?;
                let method = match existing {
                    Some(id) => {
                        if let Ok(mut path) = url.path_segments_mut() {
                            path.push(id);
                        }
                        reqwest::Method::PATCH
                    }
                    None => reqwest::Method::POST,
                };
                Target {
                    method,
                    url,
                    authorization: Some(format!("OAuth {key}")),
                }
            }
        };
        self.client.as_ref().map_err(Clone::clone)?;
        Ok(target)
    }

    /// Every secret this poster holds, to scrub from anything it says.
    fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(Ok(url)) = self.slack.as_ref().map(|s| &s.webhook) {
            out.push(url.as_str().to_owned());
            out.push(url.as_str().trim_end_matches('/').to_owned());
            if url.path().len() > 1 {
                out.push(url.path().to_owned());
            }
            if let Some(query) = url.query() {
                out.push(query.to_owned());
            }
        }
        if let Some(Ok(key)) = self.statuspage.as_ref().map(|s| &s.key) {
            out.push(key.clone());
        }
        out.retain(|s| !s.is_empty());
        // The longest first, so a URL goes whole before its path is looked for.
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out
    }

    /// Posts `request` to `channel`, retrying connection errors, timeouts, 5xx and 429 (as
    /// long as `Retry-After` asks, capped); any other answer is final.
    pub async fn post(
        &self,
        channel: Channel,
        request: &PostRequest,
    ) -> Result<Posted, PostFailure> {
        let label = self.label(channel);
        let secrets = self.secrets();
        let failure = |error: String, attempts: u32| PostFailure {
            channel,
            label: label.clone(),
            error: scrub(&error, &secrets),
            attempts,
        };
        let existing = match channel {
            Channel::Statuspage => request.existing.as_deref(),
            Channel::Slack => None,
        };
        let target = self
            .target(channel, existing)
            .map_err(|e| failure(e.to_string(), 0))?;
        let client = self
            .client
            .as_ref()
            .map_err(|e| failure(e.to_string(), 0))?;
        let body = body(channel, request);
        let attempts = self.settings.attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.once(client, &target, &body).await;
            match &outcome {
                Ok(_) => tracing::info!(
                    channel = %label,
                    method = %target.method,
                    attempt,
                    "message posted"
                ),
                // Scrubbed like the failure: the log is a file, and files are copied around.
                Err(e) => tracing::warn!(
                    channel = %label,
                    method = %target.method,
                    attempt,
                    error = %scrub(&e.error, &secrets),
                    "message post attempt failed"
                ),
            }
            match outcome {
                Ok(external_id) => {
                    return Ok(Posted {
                        channel,
                        label,
                        external_id,
                        attempts: attempt,
                    });
                }
                Err(e) if e.retry && attempt < attempts => {
                    (self.sleep)(self.settings.delay(attempt, e.retry_after)).await;
                }
                Err(e) => return Err(failure(e.error, attempt)),
            }
        }
    }

    async fn once(
        &self,
        client: &reqwest::Client,
        target: &Target,
        body: &Value,
    ) -> Result<Option<String>, Attempt> {
        let mut builder = client
            .request(target.method.clone(), target.url.clone())
            .timeout(self.settings.timeout)
            .json(body);
        if let Some(auth) = &target.authorization {
            builder = builder.header(reqwest::header::AUTHORIZATION, auth);
        }
        let response = builder.send().await.map_err(|e| self.sent_error(e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.text().await.map_err(|e| self.sent_error(e))?;
        if status.is_success() {
            return Ok(serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| match v.get("id") {
                    Some(Value::String(id)) => Some(id.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                }));
        }
        let code = status.as_u16();
        let retry = code == 429 || status.is_server_error();
        let mut error = format!("HTTP {code}");
        if let Some(reason) = status.canonical_reason() {
            error.push(' ');
            error.push_str(reason);
        }
        let said = one_line(&text);
        if !said.is_empty() {
            error.push_str(": ");
            error.push_str(&said);
        }
        Err(Attempt {
            error,
            retry,
            retry_after: if code == 429 { retry_after } else { None },
        })
    }

    /// A request that got no answer: said without its URL; worth another try unless the
    /// request could not even be built.
    fn sent_error(&self, err: reqwest::Error) -> Attempt {
        let retry = !err.is_builder();
        let what = if err.is_timeout() {
            format!("no answer within {}", seconds(self.settings.timeout))
        } else if err.is_connect() {
            "could not connect".to_owned()
        } else {
            "the request failed".to_owned()
        };
        Attempt {
            error: format!("{what}: {}", cause(err)),
            retry,
            retry_after: None,
        }
    }
}

#[cfg(test)]
#[path = "post_tests.rs"]
mod tests;
