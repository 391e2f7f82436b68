//! `message list` and `message render`: the templates there are, and one filled from an
//! incident's journal (or the scripted one with `--demo`), with what is left to fill in said
//! on standard error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::Utc;
use serde_json::json;

use super::super::emit;
use super::super::incident::{pick_dir, store};
use crate::comms::context::Sources;
use crate::comms::template::{Library, Origin, TemplateError};
use crate::comms::{Format, MessageContext, demo, placeholders};
use crate::config::{self, ConfigError, Estate};
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::incident::{Entry, Incident, Reader};
use crate::session::{self, SessionOptions};

pub async fn list(options: &SessionOptions, dirs: &Dirs, json: bool) -> Result<ExitCode, Failure> {
    let _ = options;
    let library = library(dirs)?;
    let templates = library.list();
    if json {
        let items: Vec<_> = templates
            .iter()
            .map(|t| {
                let (origin, path) = match &t.origin {
                    Origin::Shipped => ("shipped", None),
                    Origin::User(path) => ("user", Some(path.display().to_string())),
                };
                json!({ "name": t.name, "title": t.title, "origin": origin, "path": path })
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&items).map_err(|e| Failure::Internal(e.to_string()))?;
        emit(&format!("{text}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = templates.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for t in templates {
        let origin = match &t.origin {
            Origin::Shipped => "shipped".to_owned(),
            Origin::User(path) => path.display().to_string(),
        };
        out.push_str(&format!("{:<width$}  {}  [{origin}]\n", t.name, t.title));
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn render(
    options: &SessionOptions,
    dirs: &Dirs,
    template: &str,
    incident: Option<&str>,
    format: Format,
) -> Result<ExitCode, Failure> {
    let library = library(dirs)?;
    if library.get(template).is_none() {
        return Err(Failure::Usage(format!(
            "no template named `{template}`; the templates are: {}",
            library.names().join(", ")
        )));
    }
    let ctx = match (options.is_demo(), incident) {
        (true, None) => demo::context(),
        _ => {
            let (estate, estate_file) = estate(options)?;
            warn_comms(&library, &estate, estate_file.as_deref());
            from_journal(options, dirs, &estate, incident)?
        }
    };
    let text = library
        .render(template, &ctx, format)
        .map_err(|e| template_failure(&e))?;
    emit(&format!("{text}\n"))?;
    let left = placeholders(&text);
    if !left.is_empty() {
        let places: Vec<String> = left
            .iter()
            .map(|p| format!("[[{}]] at line {}", p.label, p.line))
            .collect();
        let noun = if left.len() == 1 {
            "placeholder"
        } else {
            "placeholders"
        };
        eprintln!("{} {noun} left: {}", left.len(), places.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// The shipped templates and the user's `comms/` folder in the config directory.
pub(super) fn library(dirs: &Dirs) -> Result<Library, Failure> {
    let user_dir = dirs.config.as_ref().map(|d| d.join("comms"));
    Library::load(user_dir.as_deref()).map_err(|e| template_failure(&e))
}

/// A template mistake as a configuration error (exit 3), with the line it is on.
pub(super) fn template_failure(e: &TemplateError) -> Failure {
    let source_line = std::fs::read(&e.path)
        .ok()
        .and_then(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .nth(e.line.saturating_sub(1))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Failure::Config(ConfigError::Invalid {
        path: PathBuf::from(&e.path),
        line: e.line,
        column: e.column,
        message: e.message.clone(),
        source_line,
    })
}

/// The estate the incident belongs to, and its file when one was read.
fn estate(options: &SessionOptions) -> Result<(Estate, Option<PathBuf>), Failure> {
    if options.is_demo() && options.config.is_none() {
        return Ok((session::example_estate()?, None));
    }
    let path = config::resolve_path(options.config.as_deref())?;
    Ok((config::load(&path)?, Some(path)))
}

/// `[comms]` names that name no template, on standard error: the message can still be
/// rendered, but the console would not find its default.
fn warn_comms(library: &Library, estate: &Estate, file: Option<&Path>) {
    let found = library.check_comms(&estate.comms);
    if found.is_empty() {
        return;
    }
    let source = file
        .and_then(|f| std::fs::read_to_string(f).ok())
        .unwrap_or_default();
    for (span, message) in found {
        let (line, column) = crate::comms::template::line_column(&source, span.start);
        let place = file.map_or(String::new(), |f| {
            format!("{}:{line}:{column}: ", f.display())
        });
        eprintln!("warning: {place}{message}");
    }
}

/// The context of the incident `id` (the only open one without it), from its journal.
fn from_journal(
    options: &SessionOptions,
    dirs: &Dirs,
    estate: &Estate,
    id: Option<&str>,
) -> Result<MessageContext, Failure> {
    let dir = pick_dir(&store(options, dirs)?, id)?;
    let incident = Incident::replay(&dir)?;
    let entries = Reader::open(&dir)?.collect::<Result<Vec<Entry>, _>>()?;
    Ok(MessageContext::build(&Sources::new(
        &incident,
        &entries,
        estate,
        Utc::now(),
    )))
}
