//! Posting a message to a Slack incoming webhook or a Statuspage incident, with the secrets
//! read from the environment variables the estate file names and never written anywhere.

use serde::Serialize;

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
