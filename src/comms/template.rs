//! The message templates: the shipped ones (`templates/comms`, compiled in) and the user's
//! (`comms/` in the config directory, replacing a shipped one of the same name), checked when
//! loaded so a mistake names its file, line and column before an incident needs the template.
//!
//! Templates are minijinja (Jinja2) with strict undefined values, `trim_blocks` and
//! `lstrip_blocks` (a line holding only a `{% %}` tag leaves nothing behind), filled from a
//! [`MessageContext`] and written in the markup of [`super::markup`]. Filters added to
//! minijinja's own:
//! - `bullets` prints a list as `- ` lines; `bullets("text")` prints `- text` for an empty
//!   list (`- none` without it).
//! - `or_placeholder("label")` prints the value, or `[[label]]` when there is none.

mod check;

use std::path::{Path, PathBuf};

use minijinja::value::Serde;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value, syntax::SyntaxConfig};

use super::{Format, MessageContext, markup, placeholder};

pub use check::sample;

/// The shipped templates, in the order `message list` shows them.
pub(crate) const SHIPPED: &[(&str, &str)] = &[
    (
        "initial-declaration",
        include_str!("../../templates/comms/initial-declaration.j2"),
    ),
    (
        "progress-update",
        include_str!("../../templates/comms/progress-update.j2"),
    ),
    (
        "completion-notice",
        include_str!("../../templates/comms/completion-notice.j2"),
    ),
    (
        "handoff-brief",
        include_str!("../../templates/comms/handoff-brief.j2"),
    ),
    (
        "stakeholder-summary",
        include_str!("../../templates/comms/stakeholder-summary.j2"),
    ),
];

/// The extension of a template file.
pub const EXTENSION: &str = "j2";

/// Where a template came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Shipped,
    User(PathBuf),
}

/// A template as `message list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInfo {
    pub name: String,
    /// From the template's first `{# ... #}` comment.
    pub title: String,
    pub origin: Origin,
}

/// A template that does not load or render: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct TemplateError {
    /// As a person finds the file: `templates/comms/x.j2` for a shipped one, else its path.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every template that loaded.
#[derive(Debug, Clone)]
pub struct Library {
    env: Environment<'static>,
    templates: Vec<TemplateInfo>,
}

impl Library {
    /// The shipped templates and the user's from `user_dir` (when it exists). The first
    /// mistake in any file stops the load, naming that file.
    pub fn load(user_dir: Option<&Path>) -> Result<Library, TemplateError> {
        let mut library = Library {
            env: environment(),
            templates: Vec::new(),
        };
        for (name, source) in SHIPPED {
            library.add(name, (*source).to_owned(), Origin::Shipped)?;
        }
        if let Some(dir) = user_dir {
            for path in user_files(dir)? {
                let source = read(&path)?;
                let name = stem(&path);
                library.add(&name, source, Origin::User(path))?;
            }
        }
        Ok(library)
    }

    pub fn list(&self) -> &[TemplateInfo] {
        &self.templates
    }

    pub fn get(&self, name: &str) -> Option<&TemplateInfo> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// The names, in list order, for messages that say which there are.
    pub fn names(&self) -> Vec<&str> {
        self.templates.iter().map(|t| t.name.as_str()).collect()
    }

    /// The template `name` filled from `ctx` and written out in `format`.
    pub fn render(
        &self,
        name: &str,
        ctx: &MessageContext,
        format: Format,
    ) -> Result<String, TemplateError> {
        let Some(info) = self.get(name) else {
            return Err(TemplateError {
                path: name.to_owned(),
                line: 1,
                column: 1,
                message: format!(
                    "no template named `{name}`; there are {}",
                    self.names().join(", ")
                ),
            });
        };
        let path = display_path(name, &info.origin);
        let template = self
            .env
            .get_template(name)
            .map_err(|e| from_minijinja(&path, "", &e))?;
        let markup = template
            .render(Value::from(Serde(ctx)))
            .map_err(|e| from_minijinja(&path, template.source(), &e))?;
        Ok(markup::render(&markup, format))
    }

    /// Each `[comms]` template name that names no loaded template: its place in the estate
    /// file (a byte range) and what to say about it.
    pub fn check_comms(
        &self,
        comms: &crate::config::Comms,
    ) -> Vec<(std::ops::Range<usize>, String)> {
        [
            ("declaration", &comms.declaration),
            ("update", &comms.update),
            ("completion", &comms.completion),
        ]
        .into_iter()
        .filter(|(_, name)| self.get(name.get_ref()).is_none())
        .map(|(key, name)| {
            (
                name.span(),
                format!(
                    "[comms] {key} names no template `{}`; there are {}",
                    name.get_ref(),
                    self.names().join(", ")
                ),
            )
        })
        .collect()
    }

    /// Compiles and checks `source`, then adds it, replacing a template of the same name.
    fn add(&mut self, name: &str, source: String, origin: Origin) -> Result<(), TemplateError> {
        let path = display_path(name, &origin);
        let title = title(&source);
        if let Err(e) = self.env.add_template_owned(name.to_owned(), source.clone()) {
            return Err(from_minijinja(&path, &source, &e));
        }
        let checked = {
            let template = self
                .env
                .get_template(name)
                .map_err(|e| from_minijinja(&path, &source, &e))?;
            check::check(&self.env, &template, &path, &source)
        };
        if let Err(e) = checked {
            self.env.remove_template(name);
            return Err(e);
        }
        let info = TemplateInfo {
            name: name.to_owned(),
            title,
            origin,
        };
        match self.templates.iter_mut().find(|t| t.name == name) {
            Some(existing) => *existing = info,
            None => self.templates.push(info),
        }
        Ok(())
    }
}

/// One template file checked on its own, as a user file would be: what `message list` would
/// show for it, or its first mistake.
pub fn load_file(path: &Path) -> Result<TemplateInfo, TemplateError> {
    let source = read(path)?;
    let mut library = Library {
        env: environment(),
        templates: Vec::new(),
    };
    library.add(&stem(path), source, Origin::User(path.to_owned()))?;
    Ok(library.templates.remove(0))
}

/// Every template name there is, without loading any: the shipped ones and the user's files
/// (for a runbook step that names its message; a broken file is reported where templates load).
pub fn available_names(user_dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = SHIPPED.iter().map(|(n, _)| (*n).to_owned()).collect();
    let files = user_dir
        .and_then(|d| user_files(d).ok())
        .unwrap_or_default();
    for path in files {
        let name = stem(&path);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The user's template folder: `comms/` in the config directory.
pub fn user_dir() -> Option<PathBuf> {
    crate::dirs::config_dir().map(|d| d.join("comms"))
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Spans on every error, so a mistake found by a trial render still has its column.
    env.set_debug(true);
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    env.add_filter("bullets", bullets);
    env.add_filter("or_placeholder", or_placeholder);
    env
}

/// `- item` lines; `- empty` (default `- none`) for an empty list.
fn bullets(value: Value, empty: Option<String>) -> Result<String, Error> {
    if value.as_str().is_some() {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "bullets needs a list, not a text: write `- {{ value }}` for one line",
        ));
    }
    let items: Vec<String> = value.try_iter()?.map(|v| v.to_string()).collect();
    if items.is_empty() {
        return Ok(format!("- {}", empty.as_deref().unwrap_or("none")));
    }
    Ok(items
        .iter()
        .map(|i| format!("- {i}"))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The value, or `[[label]]` when there is none (nothing, or an empty text).
fn or_placeholder(value: Value, label: String) -> String {
    if value.is_none() || value.is_undefined() || value.as_str() == Some("") {
        placeholder(&label)
    } else {
        value.to_string()
    }
}

/// The `*.j2` files of `dir`, by name; none when it does not exist.
fn user_files(dir: &Path) -> Result<Vec<PathBuf>, TemplateError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(dir, &e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| unreadable(dir, &e))?.path();
        if path.extension().is_some_and(|e| e == EXTENSION) && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The file's text; bytes that are not UTF-8 are a mistake at the first of them.
fn read(path: &Path) -> Result<String, TemplateError> {
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let text = String::from_utf8_lossy(&bytes[..valid]);
        let (line, column) = line_column(&text, valid);
        TemplateError {
            path: path.display().to_string(),
            line,
            column,
            message: format!(
                "not UTF-8 text (byte 0x{:02X}): save the file as UTF-8",
                bytes[valid]
            ),
        }
    })
}

fn unreadable(path: &Path, e: &std::io::Error) -> TemplateError {
    TemplateError {
        path: path.display().to_string(),
        line: 1,
        column: 1,
        message: format!("cannot read: {e}"),
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn display_path(name: &str, origin: &Origin) -> String {
    match origin {
        Origin::Shipped => format!("templates/comms/{name}.{EXTENSION}"),
        Origin::User(path) => path.display().to_string(),
    }
}

/// The text of the first `{# ... #}` comment, on one line.
fn title(source: &str) -> String {
    let Some(open) = source.find("{#") else {
        return String::new();
    };
    let inner = &source[open + 2..];
    let inner = &inner[..inner.find("#}").unwrap_or(inner.len())];
    inner
        .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// 1-based line and column (in characters) of byte `offset` of `source`.
pub(crate) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// minijinja's error at its place: the span's start where it gives one, else its line.
fn from_minijinja(path: &str, source: &str, e: &Error) -> TemplateError {
    let (line, column) = match (e.range(), e.line()) {
        (Some(range), _) if !source.is_empty() => line_column(source, range.start),
        (_, Some(line)) => (line, 1),
        _ => (1, 1),
    };
    TemplateError {
        path: path.to_owned(),
        line,
        column,
        message: describe(e),
    }
}

/// minijinja's words without its own "(in name:line)" tail, which ours replaces.
fn describe(e: &Error) -> String {
    match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_loads() {
        let library = Library::load(None).unwrap_or_else(|e| panic!("{e}"));
        let names = library.names();
        assert_eq!(
            names,
            [
                "initial-declaration",
                "progress-update",
                "completion-notice",
                "handoff-brief",
                "stakeholder-summary"
            ]
        );
        assert!(library.list().iter().all(|t| !t.title.is_empty()));
    }

    #[test]
    fn the_title_is_the_first_comment_on_one_line() {
        assert_eq!(
            title("x {#- Status\n   update -#} {# other #}"),
            "Status update"
        );
        assert_eq!(title("no comment"), "");
    }

    #[test]
    fn bullets_print_a_list_or_the_empty_text() {
        let env = environment();
        let render = |src: &str, items: Vec<String>| {
            env.render_str(src, minijinja::context! { items => items })
                .unwrap()
        };
        assert_eq!(
            render("{{ items | bullets }}", vec!["a".into(), "b".into()]),
            "- a\n- b"
        );
        assert_eq!(render("{{ items | bullets }}", vec![]), "- none");
        assert_eq!(render("{{ items | bullets('quiet') }}", vec![]), "- quiet");
    }

    #[test]
    fn or_placeholder_stands_in_for_a_missing_value_only() {
        let env = environment();
        let render = |v: Option<&str>| {
            let v = v.map(str::to_owned);
            env.render_str(
                "{{ v | or_placeholder('ETA') }}",
                minijinja::context! { v => v },
            )
            .unwrap()
        };
        assert_eq!(render(None), "[[ETA]]");
        assert_eq!(render(Some("")), "[[ETA]]");
        assert_eq!(render(Some("14:00 UTC")), "14:00 UTC");
    }

    #[test]
    fn names_a_template_declares_or_the_engine_gives_are_not_unknown() {
        let mut library = Library {
            env: environment(),
            templates: Vec::new(),
        };
        let source = "{% set ns = namespace(n=0) %}{% set lead = incident.commander %}\
            {% for s in services %}{{ loop.index }} {{ s.name }}{% set ns.n = ns.n + 1 %}\
            {% endfor %}{% for i in range(2) %}{{ i }}{% endfor %}{{ lead }}\
            {% macro line(x) %}- {{ x }}{% endmacro %}{{ line(eta) }}{{ ns.n }}\
            {{ run.forecast if run else 'none' }}";
        library
            .add("x", source.to_owned(), Origin::Shipped)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_column("é→\nab", 5), (1, 3));
        assert_eq!(line_column("é→\nab", 6), (2, 1));
    }
}
