//! The `[comms]` section's own checks: cadences that move, and secrets named, never written.

use serde::Deserialize;
use toml::Spanned;

use super::model::Comms;
use super::{Checker, Loc, span_of};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CommsLocations {
    update_every: Loc,
    escalate_after: Loc,
    statuspage: Option<StatuspageLocations>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatuspageLocations {
    page_id: Loc,
    api_url: Loc,
}

pub(super) fn check(comms: &Comms, at: &CommsLocations, check: &mut Checker<'_>) {
    for (key, value, loc) in [
        ("update_every", &comms.update_every, &at.update_every),
        ("escalate_after", &comms.escalate_after, &at.escalate_after),
    ] {
        if value.is_zero() {
            check.report(
                span_of(loc),
                format!("[comms].{key} must be longer than zero, like \"30m\""),
            );
        }
    }
    if let Some(slack) = &comms.slack {
        env_name(check, "[comms.slack].webhook_env", &slack.webhook_env);
    }
    if let Some(page) = &comms.statuspage {
        env_name(check, "[comms.statuspage].api_key_env", &page.api_key_env);
        let page_at = at.statuspage.as_ref();
        if page.page_id.trim().is_empty() {
            check.report(
                page_at.and_then(|p| span_of(&p.page_id)),
                "[comms.statuspage].page_id is empty: give the page's id from its API settings"
                    .into(),
            );
        }
        if !(page.api_url.starts_with("https://") || page.api_url.starts_with("http://")) {
            check.report(
                page_at.and_then(|p| span_of(&p.api_url)),
                format!(
                    "[comms.statuspage].api_url must be an http:// or https:// URL, got {:?}",
                    page.api_url
                ),
            );
        }
    }
    if let Some(ca) = &comms.ca_file
        && ca.get_ref().trim().is_empty()
    {
        check.report(Some(ca.span()), "[comms].ca_file is empty".into());
    }
}

/// A secret's variable must be a variable's name: a URL or key pasted there would sit in the
/// estate file, which is committed and shared.
fn env_name(check: &mut Checker<'_>, key: &str, name: &Spanned<String>) {
    let value = name.get_ref();
    let valid = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return;
    }
    let why = if value.contains("://") || value.len() > 40 {
        "this looks like the secret itself; put it in an environment variable and name the \
         variable here, like \"DRCONSOLE_SLACK_WEBHOOK\" (the estate file is shared, a secret \
         must not be in it)"
    } else {
        "name an environment variable: letters, digits and _, not starting with a digit"
    };
    check.report(Some(name.span()), format!("{key} = {value:?}: {why}"));
}
