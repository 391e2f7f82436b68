//! The message templates: the shipped ones (`templates/comms`, compiled in) and the user's
//! (`comms/` in the config directory, replacing a shipped one of the same name), checked when
//! loaded so a mistake names its file, line and column before an incident needs the template.

use std::path::{Path, PathBuf};

use super::{Format, MessageContext};

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
    templates: Vec<TemplateInfo>,
}

impl Library {
    /// The shipped templates and the user's from `user_dir` (when it exists).
    pub fn load(user_dir: Option<&Path>) -> Result<Library, TemplateError> {
        let _ = user_dir;
        Ok(Library {
            templates: Vec::new(),
        })
    }

    pub fn list(&self) -> &[TemplateInfo] {
        &self.templates
    }

    pub fn get(&self, name: &str) -> Option<&TemplateInfo> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// The template `name` filled from `ctx` and written out in `format`.
    pub fn render(
        &self,
        name: &str,
        ctx: &MessageContext,
        format: Format,
    ) -> Result<String, TemplateError> {
        let _ = (name, ctx, format);
        Ok(String::new())
    }
}

/// The user's template folder: `comms/` in the config directory.
pub fn user_dir() -> Option<PathBuf> {
    crate::dirs::config_dir().map(|d| d.join("comms"))
}
