//! The templates' small markup, written out as plain text or Slack mrkdwn.
//!
//! Markup: `**bold**`, lines starting `- ` are bullets, `` `code` `` spans, `[label](url)`
//! links, `[[placeholders]]` left exactly as written. Slack: `*bold*`, `•` bullets, code kept,
//! links as `<url|label>`, and `&`, `<`, `>` escaped everywhere (Slack's three control
//! characters, inside code spans too). Plain text: bold and code marks dropped, bullets kept,
//! links as `label (url)`.
//!
//! Slack has no escape for its own formatting marks. It reads `_x_`, `*x*` and `~x~` as
//! formatting only when the marks stand at a word's edges, so `flight_data` stays as typed; a
//! word that starts or ends with `_`, `*` or `~` (`_staging_`, a lone `*`) is put in a code
//! span instead, where Slack shows it literally.

use super::{Format, PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN};

/// `markup` written out in `format`.
pub fn render(markup: &str, format: Format) -> String {
    let mut out = String::with_capacity(markup.len() + markup.len() / 8);
    for (i, line) in markup.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start_matches([' ', '\t']);
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        let body = match body.strip_prefix("- ") {
            Some(rest) => {
                out.push_str(match format {
                    Format::Text => "- ",
                    Format::Slack => "• ",
                });
                rest
            }
            None => body,
        };
        write_inlines(&mut out, &parse(body), format);
    }
    out
}

#[derive(Debug, PartialEq)]
enum Inline<'a> {
    Text(&'a str),
    Code(&'a str),
    Bold(Vec<Inline<'a>>),
    Link { label: &'a str, url: &'a str },
    Placeholder(&'a str),
}

/// One line's spans. A mark without its closing half is text, so a stray `**` or `` ` `` in a
/// value prints as itself.
fn parse(line: &str) -> Vec<Inline<'_>> {
    let mut spans = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let found = if rest.starts_with(PLACEHOLDER_OPEN) {
            closed(rest, PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE)
                .map(|(_, len)| (Inline::Placeholder(&rest[..len]), len))
        } else if rest.starts_with('`') {
            closed(rest, "`", "`").map(|(inner, len)| (Inline::Code(inner), len))
        } else if rest.starts_with("**") {
            closed(rest, "**", "**")
                .filter(|(inner, _)| !inner.is_empty())
                .map(|(inner, len)| (Inline::Bold(parse(inner)), len))
        } else if rest.starts_with('[') {
            link(rest)
        } else {
            None
        };
        match found {
            Some((span, len)) => {
                if text_start < i {
                    spans.push(Inline::Text(&line[text_start..i]));
                }
                spans.push(span);
                i += len;
                text_start = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if text_start < line.len() {
        spans.push(Inline::Text(&line[text_start..]));
    }
    spans
}

/// The text between `open` and the next `close`, and the length of the whole span.
fn closed<'a>(s: &'a str, open: &str, close: &str) -> Option<(&'a str, usize)> {
    let inner = &s[open.len()..];
    let end = inner.find(close)?;
    Some((&inner[..end], open.len() + end + close.len()))
}

/// `[label](url)`.
fn link(s: &str) -> Option<(Inline<'_>, usize)> {
    let close = s.find("](")?;
    let label = &s[1..close];
    if label.is_empty() || label.contains('[') {
        return None;
    }
    let after = &s[close + 2..];
    let end = after.find(')')?;
    let url = &after[..end];
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    Some((Inline::Link { label, url }, close + 2 + end + 1))
}

fn write_inlines(out: &mut String, spans: &[Inline<'_>], format: Format) {
    for span in spans {
        match (span, format) {
            (Inline::Placeholder(p), _) => out.push_str(p),
            (Inline::Text(t), Format::Text) | (Inline::Code(t), Format::Text) => out.push_str(t),
            (Inline::Text(t), Format::Slack) => slack_text(out, t),
            (Inline::Code(t), Format::Slack) => {
                out.push('`');
                escape(out, t);
                out.push('`');
            }
            (Inline::Bold(inner), Format::Text) => write_inlines(out, inner, format),
            (Inline::Bold(inner), Format::Slack) => {
                out.push('*');
                write_inlines(out, inner, format);
                out.push('*');
            }
            (Inline::Link { label, url }, Format::Text) => {
                out.push_str(label);
                out.push_str(" (");
                out.push_str(url);
                out.push(')');
            }
            (Inline::Link { label, url }, Format::Slack) => {
                out.push('<');
                escape(out, url);
                out.push('|');
                // A `|` would end the label early: Slack gives it no escape.
                escape(out, &label.replace('|', "/"));
                out.push('>');
            }
        }
    }
}

/// Slack's three control characters as entities.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Marks Slack would read as formatting at a word's edges.
const SLACK_MARKS: [char; 3] = ['_', '*', '~'];
/// Punctuation that may stand around a word without hiding its edges from Slack.
const EDGE_PUNCTUATION: &[char] = &[
    '(', ')', '[', ']', '{', '}', '"', '\'', ',', '.', ';', ':', '!', '?',
];

/// Plain text for Slack: escaped, with each word that Slack would format put in a code span.
fn slack_text(out: &mut String, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        slack_word(out, word);
        let space_end = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        out.push_str(&after[..space_end]);
        rest = &after[space_end..];
    }
}

fn slack_word(out: &mut String, word: &str) {
    let core = word.trim_matches(EDGE_PUNCTUATION);
    let formats = core.starts_with(SLACK_MARKS) || core.ends_with(SLACK_MARKS);
    if core.is_empty() || !formats {
        escape(out, word);
        return;
    }
    let start = word.find(core).unwrap_or(0);
    escape(out, &word[..start]);
    out.push('`');
    escape(out, core);
    out.push('`');
    escape(out, &word[start + core.len()..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(s: &str) -> String {
        render(s, Format::Slack)
    }

    fn text(s: &str) -> String {
        render(s, Format::Text)
    }

    #[test]
    fn bold_is_one_star_in_slack_and_unmarked_in_text() {
        assert_eq!(slack("**Status:** In Progress"), "*Status:* In Progress");
        assert_eq!(text("**Status:** In Progress"), "Status: In Progress");
    }

    #[test]
    fn dash_bullets_become_round_bullets_in_slack_only() {
        let markup = "Actions:\n- restore table\n  - nested step\n-not a bullet";
        assert_eq!(
            slack(markup),
            "Actions:\n• restore table\n  • nested step\n-not a bullet"
        );
        assert_eq!(text(markup), markup);
    }

    #[test]
    fn code_spans_are_kept_in_slack_with_control_characters_still_escaped() {
        assert_eq!(slack("run `a && b <x>`"), "run `a &amp;&amp; b &lt;x&gt;`");
        assert_eq!(text("run `a && b <x>`"), "run a && b <x>");
    }

    #[test]
    fn links_are_angle_links_in_slack_and_label_then_url_in_text() {
        let markup = "see [the runbook](https://wiki.example.com/dr?a=1&b=2)";
        assert_eq!(
            slack(markup),
            "see <https://wiki.example.com/dr?a=1&amp;b=2|the runbook>"
        );
        assert_eq!(
            text(markup),
            "see the runbook (https://wiki.example.com/dr?a=1&b=2)"
        );
    }

    #[test]
    fn a_bar_in_a_link_label_cannot_end_it_early() {
        assert_eq!(
            slack("[a|b <c>](https://x.example)"),
            "<https://x.example|a/b &lt;c&gt;>"
        );
    }

    #[test]
    fn control_characters_are_escaped_everywhere_else_in_slack() {
        assert_eq!(
            slack("R&D <ops> -> 5 > 3"),
            "R&amp;D &lt;ops&gt; -&gt; 5 &gt; 3"
        );
        assert_eq!(text("R&D <ops>"), "R&D <ops>");
    }

    #[test]
    fn a_line_starting_with_a_quote_mark_is_not_a_slack_quote() {
        assert_eq!(slack("> not quoted"), "&gt; not quoted");
    }

    #[test]
    fn placeholders_are_left_exactly_as_written() {
        let markup = "ETA: [[ETA <local> & **date**]]";
        assert_eq!(slack(markup), markup);
        assert_eq!(text(markup), markup);
    }

    #[test]
    fn bold_may_hold_a_link_a_code_span_and_a_placeholder() {
        let markup = "**Lead: [Ana](https://x.example/ana) `on-call` [[phone]]**";
        assert_eq!(
            slack(markup),
            "*Lead: <https://x.example/ana|Ana> `on-call` [[phone]]*"
        );
        assert_eq!(
            text(markup),
            "Lead: Ana (https://x.example/ana) on-call [[phone]]"
        );
    }

    #[test]
    fn a_placeholder_inside_a_bullet_stays_a_placeholder() {
        assert_eq!(
            slack("- Post-mortem scheduled for [[date/time]]"),
            "• Post-mortem scheduled for [[date/time]]"
        );
    }

    #[test]
    fn non_ascii_text_survives_both_formats() {
        let markup = "- **Café** → restored 🎉 `naïve`";
        assert_eq!(slack(markup), "• *Café* → restored 🎉 `naïve`");
        assert_eq!(text(markup), "- Café → restored 🎉 naïve");
    }

    #[test]
    fn an_underscore_inside_a_name_is_left_for_slack_to_ignore() {
        // Slack formats `_x_` only at a word's edges: the name stays copyable as typed.
        assert_eq!(
            slack("flight_data_main and raw_data restored."),
            "flight_data_main and raw_data restored."
        );
    }

    #[test]
    fn a_word_slack_would_format_goes_in_a_code_span() {
        assert_eq!(
            slack("table _staging_ (and *tmp*), 3 * 4 ~x~."),
            "table `_staging_` (and `*tmp*`), 3 `*` 4 `~x~`."
        );
        assert_eq!(text("table _staging_"), "table _staging_");
    }

    #[test]
    fn unclosed_marks_print_as_themselves() {
        assert_eq!(slack("a ** b ` c [d](e"), "a `**` b ` c [d](e");
        assert_eq!(text("a ** b ` c [[d"), "a ** b ` c [[d");
    }
}
