//! Communications: status updates filled from the incident, rendered from templates,
//! formatted for Slack or plain text, copied or posted, and kept on the plan's cadence.
//!
//! Templates write a small markup (`**bold**`, `- ` bullets, `` `code` ``, `[label](url)`) that
//! [`markup`] turns into plain text or Slack mrkdwn. A value the console cannot know is a
//! visible placeholder, `[[like this]]`, which the copy key warns about before copying.

pub mod cadence;
pub mod clipboard;
pub mod contacts;
pub mod context;
pub mod demo;
pub mod markup;
pub mod post;
pub mod template;

use serde::Serialize;

pub use cadence::{Cadence, CadenceLevel};
pub use context::MessageContext;
pub use template::{Library, TemplateError, TemplateInfo};

/// How a message is written out.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, strum::EnumString, strum::Display,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text, for email, SMS or a ticket.
    #[default]
    Text,
    /// Slack mrkdwn: `*bold*`, `•` bullets, `&`, `<` and `>` escaped, `<url|label>` links.
    Slack,
}

/// Opens and closes a placeholder: `[[ETA]]`.
pub const PLACEHOLDER_OPEN: &str = "[[";
pub const PLACEHOLDER_CLOSE: &str = "]]";

/// A value left for the commander to fill in, where it stands in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    /// What it asks for, without the brackets.
    pub label: String,
}

/// `[[label]]` as a context value.
pub fn placeholder(label: &str) -> String {
    format!("{PLACEHOLDER_OPEN}{label}{PLACEHOLDER_CLOSE}")
}

/// Every placeholder still in `text`, in reading order.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(open) = rest.find(PLACEHOLDER_OPEN) {
            let after = &rest[open + PLACEHOLDER_OPEN.len()..];
            let Some(close) = after.find(PLACEHOLDER_CLOSE) else {
                break;
            };
            let label = &after[..close];
            if !label.is_empty() && !label.contains(PLACEHOLDER_OPEN) {
                found.push(Placeholder {
                    line: i + 1,
                    column: line[..offset + open].chars().count() + 1,
                    label: label.to_owned(),
                });
            }
            let used = open + PLACEHOLDER_OPEN.len() + close + PLACEHOLDER_CLOSE.len();
            offset += used;
            rest = &rest[used..];
        }
    }
    found
}

/// A message as drafted: its template, format and text (the commander's edits included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub template: String,
    pub format: Format,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_with_their_place() {
        let text = "Event: outage\nETA: [[ETA]] lead [[Recovery Team Lead]]\n[[]] [[open";
        let found = placeholders(text);
        assert_eq!(
            found,
            vec![
                Placeholder {
                    line: 2,
                    column: 6,
                    label: "ETA".into()
                },
                Placeholder {
                    line: 2,
                    column: 19,
                    label: "Recovery Team Lead".into()
                },
            ]
        );
        assert_eq!(placeholder("ETA"), "[[ETA]]");
    }

    #[test]
    fn a_placeholder_after_non_ascii_text_is_counted_in_characters() {
        let found = placeholders("é → [[x]]");
        assert_eq!(found[0].column, 5);
    }

    #[test]
    fn formats_parse_and_print_in_lowercase() {
        assert_eq!("slack".parse::<Format>(), Ok(Format::Slack));
        assert_eq!(Format::Text.to_string(), "text");
    }
}
