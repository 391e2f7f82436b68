//! `message post`: one message to Slack or Statuspage, journalled either way; a message that
//! did not go out is kept in a file whose path is printed, so nothing typed is lost.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::super::emit;
use super::super::incident::{Opened, store, tag};
use crate::comms::context::Sources;
use crate::comms::post::{Channel, PostRequest, Poster};
use crate::comms::{Format, MessageContext, clipboard, placeholders};
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::incident::{Reader, Record};
use crate::session::{SessionOptions, example_estate, load_estate};

pub async fn post(
    options: &SessionOptions,
    dirs: &Dirs,
    template: &str,
    to: &str,
    incident: Option<&str>,
    text: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let channel: Channel =
        to.trim().to_ascii_lowercase().parse().map_err(|_| {
            Failure::Usage(format!("unknown channel `{to}`: use slack or statuspage"))
        })?;
    let estate = if options.is_demo() {
        match &options.config {
            Some(path) => crate::config::load(path)?,
            None => example_estate()?,
        }
    } else {
        load_estate(options.config.as_deref())?
    };
    let poster = Poster::from_estate(&estate);
    // Before anything is read or rendered: a missing secret is the commander's to fix.
    poster
        .check(channel)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let mut open = Opened::pick(&store(options, dirs)?, incident)?;
    let format = match channel {
        Channel::Slack => Format::Slack,
        Channel::Statuspage => Format::Text,
    };
    let now = Utc::now();
    let source = text;
    let text = match source {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?,
        None => {
            let entries = Reader::open(&open.incident.dir)?.collect::<Result<Vec<_>, _>>()?;
            let ctx = MessageContext::build(&Sources::new(&open.incident, &entries, &estate, now));
            // As `message render` finds and reports them: a broken template is exit 3 at its
            // line, an unknown name exit 64 listing the known ones.
            let library = super::render::library(dirs)?;
            if library.get(template).is_none() {
                return Err(Failure::Usage(format!(
                    "no template named `{template}`; the templates are: {}",
                    library.names().join(", ")
                )));
            }
            library
                .render(template, &ctx, format)
                .map_err(|e| super::render::template_failure(&e))?
        }
    };
    if text.trim().is_empty() {
        return Err(Failure::Usage(format!(
            "the message is empty: nothing was posted to {}",
            poster.label(channel)
        )));
    }
    let left = placeholders(&text);
    if !left.is_empty() {
        // Said, not refused: a template asks for what the journal may never know, and an
        // update on time with a gap beats none. The console asks before it copies.
        let list: Vec<String> = left
            .iter()
            .map(|p| format!("[[{}]] at line {}", p.label, p.line))
            .collect();
        eprintln!(
            "warning: posting with {} placeholder(s) left: {}",
            left.len(),
            list.join(", ")
        );
    }
    let request = PostRequest::for_incident(&open.incident, template, &text);
    let mode = tag(open.incident.mode);
    match poster.post(channel, &request).await {
        Ok(posted) => {
            open.record(Record::MessagePosted {
                template: template.to_owned(),
                channel: posted.label.clone(),
                // As it went out, a rehearsal's banner included.
                text: request.text,
                external_id: posted.external_id.clone(),
            })?;
            emit(&format!(
                "{mode}posted {template} to {}{}{}\n",
                posted.label,
                match &posted.external_id {
                    Some(id) => format!(" (incident {id})"),
                    None => String::new(),
                },
                match posted.attempts {
                    1 => String::new(),
                    n => format!(" after {n} attempts"),
                }
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            // The draft first: whatever the journal does next, the text is somewhere.
            let kept = match kept_in(source, &open, template, format, &request.text, now) {
                Ok(path) => format!("the message is in {}", path.display()),
                Err(e) => format!("the message could not be written to a file either ({e})"),
            };
            eprintln!("error: {mode}not posted to {failure}; {kept}");
            open.record(Record::MessagePostFailed {
                template: template.to_owned(),
                channel: failure.label.clone(),
                error: failure.error.clone(),
                attempts: failure.attempts,
            })?;
            Ok(ExitCode::from(2))
        }
    }
}

/// Where the text that did not go out can be found: the file it came from, else a new one
/// in the incident's folder.
fn kept_in(
    source: Option<&Path>,
    open: &Opened,
    template: &str,
    format: Format,
    text: &str,
    now: DateTime<Utc>,
) -> std::io::Result<PathBuf> {
    match source {
        Some(path) => Ok(path.to_path_buf()),
        None => clipboard::write_draft(&open.incident.dir, template, format, text, now),
    }
}
