//! Posting a message to a Slack incoming webhook or a Statuspage incident, with the secrets
//! read from the environment variables the estate file names and never written anywhere.
//!
//! The Slack webhook URL *is* the secret (anyone holding it can post), and reqwest quotes a
//! request's URL in its errors: every error here is built from `without_url()` and then
//! scrubbed of each secret, so neither the journal, the log nor the screen can show one.

use std::error::Error as StdError;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::model::{Comms, Estate};
use crate::incident::Incident;
use crate::mode::Mode;

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

struct Target {
    method: reqwest::Method,
    url: reqwest::Url,
    authorization: Option<String>,
}

/// One attempt that did not post.
struct Attempt {
    error: String,
    retry: bool,
    retry_after: Option<Duration>,
}

/// What each channel is sent: Slack's webhook takes the text alone; Statuspage creates an
/// incident with its name, or updates the one it made with the status and the text.
fn body(channel: Channel, request: &PostRequest) -> Value {
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

fn secret(
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

fn http_url(text: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The client every post uses: the platform's roots, plus `ca_file`'s (a company proxy's).
fn client(
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

/// What reqwest says went wrong, without the URL it would otherwise quote whole.
fn cause(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        let part = next.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = next.source();
    }
    text
}

/// `10s`, or `0.25s` for the short limits tests use.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// A service's answer as one short line: enough to say why, never a page of HTML.
fn one_line(body: &str) -> String {
    const MAX: usize = 200;
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// `text` with every secret replaced by a marker.
fn scrub(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |t, s| {
        if s.is_empty() {
            t
        } else {
            t.replace(s.as_str(), "[secret]")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{SlackSettings, StatuspageSettings};
    use toml::Spanned;

    fn comms() -> Comms {
        Comms {
            slack: Some(SlackSettings {
                webhook_env: Spanned::new(0..0, "HOOK".to_owned()),
                channel: Some("#incidents".to_owned()),
            }),
            statuspage: Some(StatuspageSettings {
                page_id: "pg1".to_owned(),
                api_key_env: Spanned::new(0..0, "KEY".to_owned()),
                api_url: "https://api.statuspage.io/v1".to_owned(),
            }),
            ..Comms::default()
        }
    }

    #[test]
    fn an_unset_variable_is_named_when_posting_not_before() {
        let poster = Poster::new(&comms(), None, &|_| None);
        let channels = poster.channels();
        assert_eq!(channels.len(), 2);
        assert_eq!(channels[0].label, "#incidents");
        assert_eq!(
            poster.check(Channel::Slack).unwrap_err().to_string(),
            "[comms.slack] webhook_env names HOOK, which is not set"
        );
        assert_eq!(
            poster.check(Channel::Statuspage).unwrap_err().to_string(),
            "[comms.statuspage] api_key_env names KEY, which is not set"
        );
    }

    #[test]
    fn a_channel_the_estate_does_not_configure_says_so() {
        let poster = Poster::new(&Comms::default(), None, &|_| Some("x".into()));
        assert!(poster.channels().is_empty());
        assert_eq!(
            poster.check(Channel::Slack).unwrap_err(),
            NotReady::NotConfigured {
                channel: Channel::Slack
            }
        );
        assert_eq!(poster.label(Channel::Slack), "slack");
    }

    #[test]
    fn a_webhook_that_is_no_url_is_refused_without_quoting_it() {
        let poster = Poster::new(&comms(), None, &|_| Some("not a url s3cr3t".into()));
        let err = poster.check(Channel::Slack).unwrap_err().to_string();
        assert!(err.contains("HOOK") && !err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn the_statuspage_url_names_the_page_and_the_incident_to_update() {
        let poster = Poster::new(&comms(), None, &|_| Some("https://k".into()));
        let create = poster.target(Channel::Statuspage, None).unwrap();
        assert_eq!(
            create.url.as_str(),
            "https://api.statuspage.io/v1/pages/pg1/incidents"
        );
        assert_eq!(create.method, reqwest::Method::POST);
        let update = poster.target(Channel::Statuspage, Some("abc")).unwrap();
        assert_eq!(
            update.url.as_str(),
            "https://api.statuspage.io/v1/pages/pg1/incidents/abc"
        );
        assert_eq!(update.method, reqwest::Method::PATCH);
    }

    #[test]
    fn backoff_doubles_retry_after_is_honoured_and_both_are_capped() {
        let s = PostSettings {
            attempts: 5,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
        };
        assert_eq!(s.delay(1, None), Duration::from_secs(1));
        assert_eq!(s.delay(2, None), Duration::from_secs(2));
        assert_eq!(s.delay(3, None), Duration::from_secs(4));
        assert_eq!(s.delay(5, None), Duration::from_secs(10));
        assert_eq!(
            s.delay(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            s.delay(1, Some(Duration::from_secs(3600))),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn secrets_are_scrubbed_whole_url_and_path() {
        let poster = Poster::new(&comms(), None, &|v| {
            Some(match v {
                "HOOK" => "https://hooks.slack.com/services/T0/B0/XyZ".into(),
                _ => "key-123".into(),
            })
        });
        let s = poster.secrets();
        assert_eq!(
            scrub(
                "at https://hooks.slack.com/services/T0/B0/XyZ or /services/T0/B0/XyZ, key-123",
                &s
            ),
            "at [secret] or [secret], [secret]"
        );
        let debug = format!("{poster:?}");
        assert!(
            !debug.contains("XyZ") && !debug.contains("key-123"),
            "{debug}"
        );
    }

    #[test]
    fn the_statuspage_status_follows_the_services_back() {
        let mut incident = crate::comms::demo::incident(&crate::comms::demo::entries());
        let at = Some(incident.declared_at);
        for s in &mut incident.services {
            s.restored_at = None;
        }
        incident.resolved_at = None;
        assert_eq!(statuspage_status(&incident), "investigating");
        incident.services[0].restored_at = at;
        assert_eq!(statuspage_status(&incident), "identified");
        for s in &mut incident.services {
            s.restored_at = at;
        }
        assert_eq!(statuspage_status(&incident), "monitoring");
        incident.resolved_at = at;
        assert_eq!(statuspage_status(&incident), "resolved");
        incident.statuspage_id = Some("p1".into());
        let request = PostRequest::for_incident(&incident, "completion-notice", "done");
        assert_eq!(request.existing.as_deref(), Some("p1"));
        assert_eq!(request.status, "resolved");
    }

    #[test]
    fn a_rehearsal_says_so_in_its_title_and_text_and_a_real_one_does_not() {
        let mut incident = crate::comms::demo::incident(&crate::comms::demo::entries());
        incident.mode = Mode::Simulation;
        let request = PostRequest::for_incident(&incident, "progress-update", "API back.");
        assert_eq!(request.title, format!("[SIMULATION] {}", incident.title));
        assert_eq!(
            request.text,
            "SIMULATION - NOT A REAL INCIDENT\n\nAPI back."
        );
        let banner_already = "*SIMULATION - NOT A REAL INCIDENT*\nAPI back.";
        let request = PostRequest::for_incident(&incident, "progress-update", banner_already);
        assert_eq!(request.text, banner_already);
        incident.mode = Mode::Drill;
        let request = PostRequest::for_incident(&incident, "progress-update", "x");
        assert!(request.title.starts_with("[DRILL] "));
        incident.mode = Mode::Production;
        let request = PostRequest::for_incident(&incident, "progress-update", "API back.");
        assert_eq!(request.title, incident.title);
        assert_eq!(request.text, "API back.");
    }

    #[test]
    fn a_long_answer_is_cut_to_one_line() {
        assert_eq!(one_line("no_service\n"), "no_service");
        let long = "x ".repeat(300);
        assert!(one_line(&long).chars().count() <= 201);
    }

    #[test]
    fn a_ca_file_that_is_missing_is_named_with_the_estate_folder() {
        let comms = Comms {
            ca_file: Some(Spanned::new(0..0, "proxy-ca.pem".to_owned())),
            ..comms()
        };
        let poster = Poster::new(&comms, Some(Path::new("estate-dir")), &|_| {
            Some("https://k".into())
        });
        let err = poster.check(Channel::Slack).unwrap_err().to_string();
        assert!(
            err.starts_with("[comms] ca_file estate-dir/proxy-ca.pem: "),
            "{err}"
        );
    }
}
