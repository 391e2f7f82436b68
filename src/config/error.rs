//! Errors from finding, reading and checking the estate file.
//!
//! Syntax errors, type errors and the semantic checks all become one `Invalid` variant that
//! points at a line and column, so the user always gets the same `file:line:col` shape with
//! the offending line quoted underneath, whatever stage caught the mistake.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No `--config`, no `DRCONSOLE_CONFIG`, and nothing at the default location.
    #[error("{}", NotFoundMessage(searched))]
    NotFound { searched: Vec<PathBuf> },

    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The file is not valid TOML, does not fit the estate model, or fails a consistency check.
    #[error("{}", InvalidMessage { path, line: *line, column: *column, message, source_line })]
    Invalid {
        path: PathBuf,
        /// 1-based.
        line: usize,
        /// 1-based, in characters rather than bytes.
        column: usize,
        message: String,
        /// The line the error is on, without its line break.
        source_line: String,
    },
}

impl ConfigError {
    /// An `Invalid` error at the start of `span` (a byte range into `src`); no span means 1:1.
    pub(crate) fn invalid(
        path: &Path,
        src: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column, source_line) = match span {
            Some(span) => locate(src, span.start),
            None => (1, 1, src.lines().next().unwrap_or_default().to_owned()),
        };
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
            source_line,
        }
    }
}

/// Line, column and text of the line holding byte `offset` of `src`.
pub(crate) fn locate(src: &str, offset: usize) -> (usize, usize, String) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    // An error "at end of input" after a final newline would point at an empty phantom
    // line; the end of the last real line is where the user has to look.
    if offset == src.len() && src.ends_with('\n') {
        offset = src.trim_end_matches(['\n', '\r']).len();
    }
    let before = &src[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    let source_line = src[line_start..]
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    (line, column, source_line)
}

struct NotFoundMessage<'a>(&'a [PathBuf]);

impl fmt::Display for NotFoundMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str(
                "no estate file found: --config is not given, and neither DRCONSOLE_CONFIG, \
                 XDG_CONFIG_HOME nor HOME is set",
            )?,
            [one] => write!(f, "no estate file found at {}", one.display())?,
            many => {
                f.write_str("no estate file found; looked in:")?;
                for path in many {
                    write!(f, "\n  {}", path.display())?;
                }
            }
        }
        f.write_str(
            "\nCreate one with `drconsole init --discover`, or copy templates/estate.example.toml \
             there; use --config PATH or DRCONSOLE_CONFIG to point somewhere else.",
        )
    }
}

struct InvalidMessage<'a> {
    path: &'a Path,
    line: usize,
    column: usize,
    message: &'a str,
    source_line: &'a str,
}

impl fmt::Display for InvalidMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const INDENT: &str = "    ";
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        write!(f, "\n{INDENT}{}\n{INDENT}", self.source_line)?;
        // Copy tabs from the quoted line so the caret lines up however wide the terminal
        // renders them.
        for c in self.source_line.chars().take(self.column.saturating_sub(1)) {
            f.write_str(if c == '\t' { "\t" } else { " " })?;
        }
        f.write_str("^")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(src: &str, offset: usize) -> String {
        ConfigError::invalid(Path::new("e.toml"), src, Some(offset..offset + 1), "bad").to_string()
    }

    #[test]
    fn points_at_line_and_character_column() {
        let src = "a = 1\nname = \"é x\"\n";
        let offset = src.find('x').unwrap();
        assert_eq!(
            at(src, offset),
            "e.toml:2:11: bad\n    name = \"é x\"\n              ^"
        );
    }

    #[test]
    fn first_column_and_no_span() {
        assert_eq!(at("oops\n", 0), "e.toml:1:1: bad\n    oops\n    ^");
        let err = ConfigError::invalid(Path::new("e.toml"), "x = 1\n", None, "bad");
        assert_eq!(err.to_string(), "e.toml:1:1: bad\n    x = 1\n    ^");
    }

    #[test]
    fn end_of_input_points_at_last_real_line() {
        let src = "a = 1\nb = \"open\n";
        assert_eq!(
            at(src, src.len()),
            "e.toml:2:10: bad\n    b = \"open\n             ^"
        );
        assert_eq!(at("", 0), "e.toml:1:1: bad\n    \n    ^");
    }

    #[test]
    fn tabs_keep_the_caret_aligned() {
        let src = "\tx = 1";
        assert_eq!(at(src, 5), "e.toml:1:6: bad\n    \tx = 1\n    \t    ^");
    }

    #[test]
    fn crlf_is_not_part_of_the_line() {
        let src = "a = 1\r\nb = 2\r\n";
        assert_eq!(at(src, 7), "e.toml:2:1: bad\n    b = 2\n    ^");
    }

    #[test]
    fn not_found_lists_the_search_and_the_remedy() {
        let one = ConfigError::NotFound {
            searched: vec!["/h/.config/drconsole/estate.toml".into()],
        };
        assert_eq!(
            one.to_string(),
            "no estate file found at /h/.config/drconsole/estate.toml\n\
             Create one with `drconsole init --discover`, or copy templates/estate.example.toml \
             there; use --config PATH or DRCONSOLE_CONFIG to point somewhere else."
        );
        let two = ConfigError::NotFound {
            searched: vec!["/a".into(), "/b".into()],
        };
        assert!(
            two.to_string()
                .starts_with("no estate file found; looked in:\n  /a\n  /b\nCreate one")
        );
        let none = ConfigError::NotFound { searched: vec![] };
        assert!(
            none.to_string()
                .contains("neither DRCONSOLE_CONFIG, XDG_CONFIG_HOME nor HOME is set")
        );
    }
}
