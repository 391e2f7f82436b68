//! Keeps secrets out of the journal. Every payload passes through here before it is written:
//! the journal is copied into postmortems and tickets, and a note pasted in a hurry may hold
//! a webhook URL or a key. Fields named like secrets lose their value; in every string,
//! access key ids, Slack and GitHub tokens, bearer tokens, webhook URLs, URLs that carry a
//! signature or credentials, and `NAME=value` / `NAME: value` pairs whose name says secret
//! are replaced by a marker saying what was there. Names are matched word by word
//! (`SessionToken`, `AWS_SECRET_ACCESS_KEY`), so `secretsmanager:GetSecretValue` or a
//! "token bucket" in a note stay as written.

use serde_json::Value;

/// Words of a name that make it a secret's name.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "token",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "credentials",
    "authorization",
    "webhook",
    "cookie",
    "apikey",
    "sessiontoken",
    "webhookurl",
];

/// Pairs of words that do the same together (`access_key`, `PrivateKey`, `api-key`).
const SECRET_PAIRS: &[(&str, &str)] = &[("access", "key"), ("private", "key"), ("api", "key")];

/// Query parameters whose value is a secret.
const SECRET_PARAMS: &[&str] = &[
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "signature",
    "sig",
    "token",
    "access_token",
    "auth",
    "key",
    "apikey",
    "api_key",
    "password",
];

/// Prefixes of tokens that are secrets wherever they appear.
const TOKEN_PREFIXES: &[&str] = &[
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "xapp-",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "github_pat_",
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

/// The words of a name: split at anything not a letter or digit and where lower case turns
/// to upper (`SessionToken` → session, token), in lower case.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut last_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            last_lower = false;
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        if c.is_ascii_uppercase() && last_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        last_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn secret_name(name: &str) -> bool {
    let words = words(name);
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|pair| SECRET_PAIRS.contains(&(pair[0].as_str(), pair[1].as_str())))
}

/// `text` with every secret in it replaced; whitespace kept as it was.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Set by `Bearer`, or by a secret's name ending in `:` or `=` (`password: hunter2`):
    // the next word is the secret.
    let mut next_is_secret = false;
    let mut previous = "";
    let mut rest = text;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..space]);
        rest = &rest[space..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        if !word.is_empty() {
            let scheme = ["bearer", "basic", "token", "digest"]
                .iter()
                .any(|s| word.eq_ignore_ascii_case(s));
            if next_is_secret && (word == "=" || word == ":" || scheme) {
                // `Authorization: Bearer <token>`: the scheme stays, the token goes.
                out.push_str(word);
            } else if next_is_secret {
                out.push_str("[redacted]");
                next_is_secret = false;
            } else {
                out.push_str(&redact_word(word));
                let lone_separator = (word == "=" || word == ":") && secret_name(previous);
                next_is_secret = next_is_secret || announces_secret(word) || lone_separator;
            }
            previous = word;
        }
        rest = &rest[end..];
    }
    out
}

/// A word after which the next one is a secret: `Bearer`, `password:`, `SECRET_KEY =`.
fn announces_secret(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    if lower.ends_with("bearer") || lower.ends_with("bearer:") {
        return true;
    }
    match word.strip_suffix([':', '=']) {
        Some(name) => !name.contains(['=', ':']) && secret_name(name),
        None => false,
    }
}

fn redact_word(word: &str) -> String {
    // URLs anywhere in the word: `url=https://…`, `[text](https://…)`, `"https://…"`.
    if let Some(start) = word.find("https://").or_else(|| word.find("http://")) {
        let url_end = word[start..]
            .find(['"', '\'', ')', ']', '>', '<', '`'])
            .map_or(word.len(), |i| start + i);
        let url = word[start..url_end].trim_end_matches(['.', ',', ';']);
        let url_end = start + url.len();
        let before = redact_word(&word[..start]);
        if secret_url(url) {
            return format!("{before}[redacted URL]{}", &word[url_end..]);
        }
        return format!("{before}{}", &word[start..]);
    }
    // NAME=value or NAME:value in one word, where the name says secret.
    for sep in ['=', ':'] {
        if let Some((name, value)) = word.split_once(sep)
            && !value.is_empty()
            && secret_name(name)
        {
            return format!("{name}{sep}[redacted]");
        }
    }
    // Key ids and tokens anywhere in the word, between punctuation.
    let mut out = String::with_capacity(word.len());
    let mut piece_start = 0;
    for (i, c) in word
        .char_indices()
        .chain(std::iter::once((word.len(), ' ')))
    {
        let boundary = i == word.len() || "=:(\"'`,;[]{}<>".contains(c);
        if !boundary {
            continue;
        }
        let piece = &word[piece_start..i];
        if access_key_id(piece) {
            out.push_str("[redacted access key]");
        } else if TOKEN_PREFIXES.iter().any(|p| piece.starts_with(p)) {
            out.push_str("[redacted token]");
        } else {
            out.push_str(piece);
        }
        if i < word.len() {
            out.push(c);
        }
        piece_start = i + c.len_utf8();
    }
    out
}

/// Webhooks (a `hooks.` host, a host with "webhook" in it, a `/webhook(s)` or `/hooks` path
/// segment), URLs with credentials before the host, and URLs whose query carries a
/// signature, a token or a key.
fn secret_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let after_scheme = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..authority_end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if authority.contains('@') || host.starts_with("hooks.") || host.contains("webhook") {
        return true;
    }
    let rest = &after_scheme[authority_end..];
    let path = rest.split(['?', '#']).next().unwrap_or("");
    if path
        .split('/')
        .any(|segment| matches!(segment, "webhook" | "webhooks" | "hooks"))
    {
        return true;
    }
    rest.split(['?', '#', '&'])
        .skip(1)
        .filter_map(|pair| pair.split_once('=').map(|(name, _)| name))
        .any(|name| SECRET_PARAMS.contains(&name))
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

    #[test]
    fn secrets_hidden_in_pairs_links_and_json_are_found() {
        let cases = [
            ("password: hunter2", "hunter2"),
            (
                "AWS_SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG",
                "wJalrXUtnFEMI",
            ),
            (
                "see [slack](https://hooks.slack.com/services/T0/B0/XXXX)",
                "hooks.slack",
            ),
            (
                r#"{"url":"https://hooks.slack.com/services/T0/B0/XXXX"}"#,
                "hooks.slack",
            ),
            (
                "url=https://hooks.slack.com/services/T0/B0/XXXX",
                "hooks.slack",
            ),
            ("Authorization:Bearer eyJhbGciOi.abc", "eyJhbGciOi"),
            ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_"),
            ("SLACK_BOT=xoxb-1234-5678-abcdef", "xoxb-"),
            ("key=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
            (
                "posted to https://discord.com/api/webhooks/123/abc",
                "webhooks/123",
            ),
            ("https://user:pw@example.com/x", "user:pw"),
        ];
        for (input, secret) in cases {
            let out = text(input);
            assert!(!out.contains(secret), "{input:?} -> {out:?}");
            assert!(out.contains("[redacted"), "{input:?} -> {out:?}");
        }
    }

    #[test]
    fn ordinary_incident_notes_are_left_as_written() {
        for note in [
            "AccessDenied on secretsmanager:GetSecretValue for the restore role",
            "runbook https://github.com/acme/dr/blob/main/docs/webhooks.md step 3",
            "item https://console.aws.amazon.com/dynamodbv2/home?region=us-east-1#edit-item?table=flightdata-main&sortKey=2026",
            "region: us-east-1, key rotation done, token bucket drained",
            "tokens:5 retries:3",
            "logs https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fwebhook-relay",
        ] {
            assert_eq!(text(note), note);
        }
    }

    #[test]
    fn names_are_matched_word_by_word() {
        for name in [
            "SessionToken",
            "AWS_SECRET_ACCESS_KEY",
            "api-key",
            "PrivateKey",
            "webhook_url",
            "x-amz-security-token",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "secretsmanager",
            "tokens",
            "KeySchema",
            "key_schema",
            "TableName",
            "region",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    /// Any text, however odd, comes back without a panic (cuts stay on character boundaries).
    #[test]
    fn odd_text_never_panics() {
        let alphabet: Vec<char> =
            "aAkK=:/ -_\"'()[]<>.,é漢🙂\u{00a0}\u{2003}\n\tAKIAxoxb-https://hook?token=@bearer Bearer password="
                .chars()
                .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let _ = text(&s);
        }
    }
}
