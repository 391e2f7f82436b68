//! Why a command or the console could not do its job, and the exit code each reason gets.

use std::fmt;
use std::process::ExitCode;

use crate::cloud::CloudError;
use crate::config::ConfigError;
use crate::incident::JournalError;

/// Each kind has its own exit code, so scripts and cron can tell "the estate is unhealthy"
/// (1, 2) from "drconsole could not look" (3 and up).
#[derive(Debug)]
pub enum Failure {
    /// The estate, theme or keymap file is missing, unreadable or invalid.
    Config(ConfigError),
    /// `init` would overwrite this file.
    Exists(String),
    /// AWS could not be reached or refused us (endpoint, credentials, permissions).
    Cloud(CloudError),
    /// Nothing at all could be checked: the first error says why.
    Unreachable(CloudError),
    /// An incident or journal could not be read or written (missing, no permission, not a
    /// journal, a broken chain refused for appending).
    Journal(JournalError),
    /// No incident fits what was asked (none open, several open, no such id): the message
    /// says what to pass instead.
    Incident(String),
    /// A guard refused an action: nothing was sent (read-only, another account, a missing
    /// or wrong confirmation, a drill's limits).
    Refused(String),
    /// An action's write failed, or its result is not the intended one: it can be run again.
    ActionFailed(String),
    Usage(String),
    Internal(String),
    /// Another run holds the lock this one needs (a second `backup` of the same family).
    Busy(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Config(_) | Failure::Exists(_) => 3,
            Failure::Cloud(_) | Failure::Unreachable(_) => 4,
            Failure::Journal(_) | Failure::Incident(_) => 5,
            Failure::ActionFailed(_) => 2,
            Failure::Refused(_) => 6,
            Failure::Usage(_) => 64,
            Failure::Internal(_) => 70,
            // EX_TEMPFAIL: cron's mail says "try again later", not "broken".
            Failure::Busy(_) => 75,
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Config(e) => write!(f, "{e}"),
            Failure::Exists(path) => {
                write!(f, "{path} already exists; pass --force to replace it")
            }
            Failure::Cloud(e) => write_cloud(f, e),
            Failure::Unreachable(e) => {
                f.write_str("no resource could be checked; ")?;
                write_cloud(f, e)
            }
            Failure::Journal(e) => write!(f, "{e}"),
            Failure::Incident(m)
            | Failure::Refused(m)
            | Failure::ActionFailed(m)
            | Failure::Usage(m)
            | Failure::Internal(m)
            | Failure::Busy(m) => f.write_str(m),
        }
    }
}

/// The service's words, then what to do about it on a line of its own.
fn write_cloud(f: &mut fmt::Formatter<'_>, e: &CloudError) -> fmt::Result {
    write!(f, "{e}")?;
    if let Some(hint) = e.hint() {
        write!(f, "\n  {hint}")?;
    }
    Ok(())
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e)
    }
}

impl From<JournalError> for Failure {
    fn from(e: JournalError) -> Self {
        Failure::Journal(e)
    }
}

impl From<CloudError> for Failure {
    fn from(e: CloudError) -> Self {
        Failure::Cloud(e)
    }
}

/// What reqwest says went wrong, its causes included, without the URL it would otherwise
/// quote whole: a presigned URL and a webhook URL are secrets.
pub fn http_cause(err: reqwest::Error) -> String {
    use std::error::Error as _;
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
