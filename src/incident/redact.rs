//! Keeps secrets out of the journal. Every payload passes through here before it is written:
//! the journal is copied into postmortems and tickets, and a note pasted in a hurry may hold
//! a webhook URL or a key. Fields named like secrets lose their value; in every string,
//! access key ids, Slack tokens, bearer tokens, webhook URLs, presigned URLs and
//! `NAME=value` pairs whose name says secret are replaced by a marker saying what was there.

use serde_json::Value;

/// Field names (lower case, `-` read as `_`) whose values never enter the journal.
const SECRET_FIELDS: &[&str] = &[
    "secret",
    "token",
    "password",
    "passwd",
    "credential",
    "authorization",
    "webhook",
    "access_key",
    "accesskey",
    "private_key",
    "api_key",
    "apikey",
    "cookie",
];

/// The payload with every secret replaced.
pub fn value(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(text(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(self::value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, v)| {
                    let v = if secret_name(&key) && !v.is_null() {
                        Value::String("[redacted]".into())
                    } else {
                        self::value(v)
                    };
                    (key, v)
                })
                .collect(),
        ),
        other => other,
    }
}

fn secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace('-', "_");
    SECRET_FIELDS.iter().any(|s| name.contains(s))
}

/// `text` with every secret in it replaced; whitespace kept as it was.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_word = "";
    let mut rest = text;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..space]);
        rest = &rest[space..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        if !word.is_empty() {
            out.push_str(&redact_word(word, previous_word));
            previous_word = word;
        }
        rest = &rest[end..];
    }
    out
}

fn redact_word(word: &str, previous: &str) -> String {
    // Punctuation around a word (quotes, brackets, a trailing full stop) stays.
    let start = word
        .find(|c: char| c.is_ascii_alphanumeric())
        .unwrap_or(word.len());
    let end = word
        .rfind(|c: char| c.is_ascii_alphanumeric() || c == '/' || c == '=')
        .map_or(start, |i| i + 1)
        .max(start);
    let (lead, core, trail) = (&word[..start], &word[start..end], &word[end..]);
    let replaced = if previous.eq_ignore_ascii_case("bearer") {
        Some("[redacted token]")
    } else if is_url(core) && secret_url(core) {
        Some("[redacted URL]")
    } else if access_key_id(core) {
        Some("[redacted access key]")
    } else if slack_token(core) {
        Some("[redacted token]")
    } else {
        None
    };
    if let Some(marker) = replaced {
        return format!("{lead}{marker}{trail}");
    }
    // NAME=value or NAME:value where the name says secret.
    for sep in ['=', ':'] {
        if let Some((name, value)) = word.split_once(sep)
            && !value.is_empty()
            && !is_url(word)
            && secret_name(name.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
        {
            return format!("{name}{sep}[redacted]");
        }
    }
    word.to_owned()
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Webhooks (Slack, Teams, Discord, any with "hook" in it) and URLs that carry a signature
/// or credentials (presigned S3 URLs, tokens in the query).
fn secret_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let after_scheme = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let has_userinfo = after_scheme
        .split('/')
        .next()
        .is_some_and(|authority| authority.contains('@'));
    has_userinfo
        || lower.contains("hook")
        || lower.contains("x-amz-signature")
        || lower.contains("x-amz-credential")
        || lower.contains("x-amz-security-token")
        || lower.contains("signature=")
        || lower.contains("token=")
        || lower.contains("key=")
        || lower.contains("sig=")
}

/// `AKIA…`/`ASIA…` and the other AWS key id prefixes, followed by 16 upper-case letters or
/// digits.
fn access_key_id(s: &str) -> bool {
    const PREFIXES: &[&str] = &["AKIA", "ASIA", "AIDA", "AROA", "ANPA", "AGPA"];
    PREFIXES.iter().any(|p| s.starts_with(p))
        && s.len() == 20
        && s[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn slack_token(s: &str) -> bool {
    ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"]
        .iter()
        .any(|p| s.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_fields_lose_their_values_whatever_their_case() {
        let v = value(json!({
            "AWS_SESSION_TOKEN": "FwoGZXIvYXdzE...",
            "nested": {"webhook_url": "https://example.com/x", "Password": "hunter2"},
            "api-key": "abc",
            "table": "flightdata-main",
            "token": null,
        }));
        assert_eq!(v["AWS_SESSION_TOKEN"], "[redacted]");
        assert_eq!(v["nested"]["webhook_url"], "[redacted]");
        assert_eq!(v["nested"]["Password"], "[redacted]");
        assert_eq!(v["api-key"], "[redacted]");
        assert_eq!(v["table"], "flightdata-main");
        assert_eq!(v["token"], Value::Null);
    }

    #[test]
    fn secrets_inside_free_text_are_replaced_and_the_rest_kept() {
        let note = "posted to https://hooks.slack.com/services/T000/B000/XXXX, key AKIAIOSFODNN7EXAMPLE \
                    and aws_secret_access_key=wJalrXUtnFEMI/K7MDENG, \
                    header Authorization: Bearer eyJhbGciOi.abc \
                    slack xoxb-1234-5678-abcdef; see https://console.aws.amazon.com/dynamodb";
        let out = text(note);
        for secret in [
            "hooks.slack.com",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI",
            "eyJhbGciOi",
            "xoxb-1234",
        ] {
            assert!(!out.contains(secret), "{secret} left in: {out}");
        }
        assert!(out.contains("[redacted URL],"), "{out}");
        assert!(out.contains("aws_secret_access_key=[redacted]"), "{out}");
        assert!(
            out.contains("https://console.aws.amazon.com/dynamodb"),
            "{out}"
        );
        assert!(out.starts_with("posted to "), "{out}");
    }

    #[test]
    fn presigned_urls_are_secrets_and_plain_words_are_not() {
        let url = "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA/x&X-Amz-Signature=ab";
        assert_eq!(text(url), "[redacted URL]");
        assert_eq!(
            text("restore flightdata-main to 09:41 (region: us-west-2)"),
            "restore flightdata-main to 09:41 (region: us-west-2)"
        );
        assert_eq!(text("  two  spaces\nkept "), "  two  spaces\nkept ");
    }
}
