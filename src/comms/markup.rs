//! The templates' small markup, written out as plain text or Slack mrkdwn.
//!
//! Markup: `**bold**`, lines starting `- ` are bullets, `` `code` `` spans, `[label](url)`
//! links. Slack: `*bold*`, `•` bullets, code kept, links as `<url|label>`, and `&`, `<`, `>`
//! escaped everywhere else (Slack's three control characters). Plain text: bold and code
//! marks dropped, bullets kept, links as `label (url)`.

use super::Format;

/// `markup` written out in `format`.
pub fn render(markup: &str, format: Format) -> String {
    // Placeholder until the formatter lands.
    let _ = format;
    markup.to_owned()
}
