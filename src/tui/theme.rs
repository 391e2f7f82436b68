//! Colour themes by meaning: components ask for `ok`, `critical` or `selection`, never for a colour.
//!
//! A theme is a TOML file with one key per [`Slot`]. Three are built in from `themes/`; a user
//! file only has to name the slots it changes, the rest come from the built-in default. Errors
//! point at `file:line:column` exactly like estate file errors.

use std::ffi::OsStr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::{self, ConfigError};
use crate::health::Status;
use crate::session::Mode;

/// One meaning a theme gives a style to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Text,
    Muted,
    Title,
    Border,
    BorderFocused,
    Selection,
    Ok,
    Warn,
    Critical,
    Unknown,
    Danger,
    Production,
    Drill,
    Simulation,
    FlashInfo,
    FlashWarn,
    FlashError,
    Header,
    FooterKey,
    FooterText,
    GaugeFilled,
    GaugeEmpty,
    Sparkline,
}

impl Slot {
    /// Every slot, in declaration order, so `slot as usize` indexes it.
    pub const ALL: [Slot; 23] = [
        Slot::Text,
        Slot::Muted,
        Slot::Title,
        Slot::Border,
        Slot::BorderFocused,
        Slot::Selection,
        Slot::Ok,
        Slot::Warn,
        Slot::Critical,
        Slot::Unknown,
        Slot::Danger,
        Slot::Production,
        Slot::Drill,
        Slot::Simulation,
        Slot::FlashInfo,
        Slot::FlashWarn,
        Slot::FlashError,
        Slot::Header,
        Slot::FooterKey,
        Slot::FooterText,
        Slot::GaugeFilled,
        Slot::GaugeEmpty,
        Slot::Sparkline,
    ];

    /// The key in a theme file.
    pub fn key(self) -> &'static str {
        match self {
            Slot::Text => "text",
            Slot::Muted => "muted",
            Slot::Title => "title",
            Slot::Border => "border",
            Slot::BorderFocused => "border_focused",
            Slot::Selection => "selection",
            Slot::Ok => "ok",
            Slot::Warn => "warn",
            Slot::Critical => "critical",
            Slot::Unknown => "unknown",
            Slot::Danger => "danger",
            Slot::Production => "production",
            Slot::Drill => "drill",
            Slot::Simulation => "simulation",
            Slot::FlashInfo => "flash_info",
            Slot::FlashWarn => "flash_warn",
            Slot::FlashError => "flash_error",
            Slot::Header => "header",
            Slot::FooterKey => "footer_key",
            Slot::FooterText => "footer_text",
            Slot::GaugeFilled => "gauge_filled",
            Slot::GaugeEmpty => "gauge_empty",
            Slot::Sparkline => "sparkline",
        }
    }

    fn from_key(key: &str) -> Option<Slot> {
        Slot::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// How loud a flash (a short status message) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlashLevel {
    Info,
    Warn,
    Error,
}

/// A style for every [`Slot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    name: String,
    styles: [Style; Slot::ALL.len()],
}

const BUILTIN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

const BUILTIN_NAMES: [&str; 3] = [BUILTIN[0].0, BUILTIN[1].0, BUILTIN[2].0];

impl Default for Theme {
    fn default() -> Theme {
        Theme::builtin("default").expect("the default theme is built in")
    }
}

impl Theme {
    /// A built-in theme by name; see [`Theme::builtin_names`].
    pub fn builtin(name: &str) -> Option<Theme> {
        let (name, src) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let path = PathBuf::from(format!("themes/{name}.toml"));
        let file = read(src, &path)
            .unwrap_or_else(|e| panic!("built-in theme {name} does not parse:\n{e}"));
        Some(file.over(Theme::blank(name)))
    }

    pub fn builtin_names() -> &'static [&'static str] {
        &BUILTIN_NAMES
    }

    /// The theme the user asked for with `arg` (e.g. `--theme`): `None` is the default theme;
    /// something that looks like a path (has a separator or ends in `.toml`) is read as a file;
    /// otherwise a built-in name, then `<user_dir>/<arg>.toml`.
    ///
    /// Does not look at `NO_COLOR`; see [`no_color_requested`] and [`Theme::without_color`].
    pub fn resolve(arg: Option<&str>, user_dir: Option<&Path>) -> Result<Theme, ConfigError> {
        let Some(arg) = arg else {
            return Ok(Theme::default());
        };
        if arg.contains(['/', std::path::MAIN_SEPARATOR]) || arg.ends_with(".toml") {
            return Theme::load(Path::new(arg));
        }
        if let Some(theme) = Theme::builtin(arg) {
            return Ok(theme);
        }
        let builtins = BUILTIN_NAMES.join(", ");
        let Some(dir) = user_dir else {
            return Err(not_found(
                PathBuf::from(arg),
                format!(
                    "{arg:?} is not a built-in theme ({builtins}), and there is no user theme \
                     directory to look in because neither XDG_CONFIG_HOME nor HOME is set"
                ),
            ));
        };
        let path = dir.join(format!("{arg}.toml"));
        match Theme::load(&path) {
            Err(ConfigError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Err(not_found(
                    path,
                    format!("no such file, and {arg:?} is not a built-in theme ({builtins})"),
                ))
            }
            other => other,
        }
    }

    /// Reads a theme file; see [`Theme::parse`].
    pub fn load(path: &Path) -> Result<Theme, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        Theme::parse(&src, path)
    }

    /// Parses a theme file; slots it leaves out come from the built-in default theme.
    /// `path` names the file in errors, and its stem names the theme if the file does not.
    pub fn parse(src: &str, path: &Path) -> Result<Theme, ConfigError> {
        let file = read(src, path)?;
        let base = Theme {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..Theme::default()
        };
        Ok(file.over(base))
    }

    /// A theme with nothing set, for built-ins to fill completely.
    fn blank(name: &str) -> Theme {
        Theme {
            name: name.to_owned(),
            styles: [Style::new(); Slot::ALL.len()],
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn style(&self, slot: Slot) -> Style {
        self.styles[slot as usize]
    }

    pub fn status(&self, status: Status) -> Style {
        self.style(match status {
            Status::Ok => Slot::Ok,
            Status::Warn => Slot::Warn,
            Status::Unknown => Slot::Unknown,
            Status::Critical => Slot::Critical,
        })
    }

    pub fn border(&self, focused: bool) -> Style {
        self.style(if focused {
            Slot::BorderFocused
        } else {
            Slot::Border
        })
    }

    pub fn title(&self, focused: bool) -> Style {
        self.style(if focused { Slot::Title } else { Slot::Muted })
    }

    /// Each mode's unmistakable banner style.
    pub fn mode(&self, mode: Mode) -> Style {
        self.style(match mode {
            Mode::Production => Slot::Production,
            Mode::Drill => Slot::Drill,
            Mode::Simulation => Slot::Simulation,
        })
    }

    pub fn flash(&self, level: FlashLevel) -> Style {
        self.style(match level {
            FlashLevel::Info => Slot::FlashInfo,
            FlashLevel::Warn => Slot::FlashWarn,
            FlashLevel::Error => Slot::FlashError,
        })
    }

    /// A distinct shape per status, so colour-blind users and monochrome terminals can tell
    /// them apart. A method, like the styles, so components never hard-code a glyph.
    pub fn status_glyph(&self, status: Status) -> &'static str {
        match status {
            Status::Ok => "✔",
            Status::Warn => "▲",
            Status::Unknown => "?",
            Status::Critical => "✖",
        }
    }

    /// [`Theme::status_glyph`] for terminals or fonts without those symbols.
    pub fn status_ascii(&self, status: Status) -> &'static str {
        match status {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Unknown => "??",
            Status::Critical => "CRIT",
        }
    }

    /// The theme for a terminal that must not show colour (<https://no-color.org>): colours go,
    /// modifiers stay, and the slots that colour alone told apart get a modifier instead.
    pub fn without_color(&self) -> Theme {
        let mut theme = self.clone();
        for slot in Slot::ALL {
            let style = self.style(slot);
            let extra = match slot {
                // A selection with no colour and no REVERSED would be invisible.
                Slot::Selection => Modifier::REVERSED,
                // A banner you cannot miss, like the coloured bar it replaces.
                Slot::Production | Slot::Drill | Slot::Simulation => {
                    Modifier::BOLD | Modifier::REVERSED
                }
                Slot::Critical
                | Slot::Warn
                | Slot::Title
                | Slot::BorderFocused
                | Slot::Danger
                | Slot::FlashError
                | Slot::FooterKey => Modifier::BOLD,
                _ => Modifier::empty(),
            };
            theme.styles[slot as usize] = Style::new()
                .add_modifier(style.add_modifier | extra)
                .remove_modifier(style.sub_modifier - extra);
        }
        theme
    }
}

/// Whether the `NO_COLOR` variable asks for no colour: set and not empty, as no-color.org says.
/// The caller passes `std::env::var_os("NO_COLOR").as_deref()`.
pub fn no_color_requested(var: Option<&OsStr>) -> bool {
    var.is_some_and(|v| !v.is_empty())
}

/// Where user themes live: `themes/` beside the estate file's default location
/// (`$XDG_CONFIG_HOME/drconsole/themes`, else `~/.config/drconsole/themes` on Linux).
pub fn user_theme_dir() -> Option<PathBuf> {
    Some(config::default_config_path()?.parent()?.join("themes"))
}

fn not_found(path: PathBuf, message: String) -> ConfigError {
    ConfigError::Io {
        path,
        source: std::io::Error::new(std::io::ErrorKind::NotFound, message),
    }
}

/// What a theme file says, before it is laid over a base theme.
struct ThemeFile {
    name: Option<String>,
    styles: Vec<(Slot, Style)>,
}

impl ThemeFile {
    fn over(self, mut base: Theme) -> Theme {
        if let Some(name) = self.name {
            base.name = name;
        }
        for (slot, style) in self.styles {
            base.styles[slot as usize] = style;
        }
        base
    }
}

const COLOUR_FORMS: &str = "a colour name (black, red, green, yellow, blue, magenta, cyan, gray, \
                            darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, \
                            lightcyan, white, reset), \"#rrggbb\" or an index \"0\" to \"255\"";

const STYLE_FORMS: &str =
    "a colour like \"green\" or a table like { fg = \"black\", bg = \"green\", bold = true }";

const STYLE_KEYS: [&str; 7] = ["fg", "bg", "bold", "italic", "underline", "reversed", "dim"];

/// Parses theme TOML, stopping at the problem nearest the top of the file.
fn read(src: &str, path: &Path) -> Result<ThemeFile, ConfigError> {
    let invalid =
        |span: Range<usize>, message: String| ConfigError::invalid(path, src, Some(span), message);
    let doc = parse_toml(src, path)?;
    let mut file = ThemeFile {
        name: None,
        styles: Vec::new(),
    };
    for (key, value) in in_file_order(doc.get_ref()) {
        if key.get_ref() == "name" {
            match value.get_ref() {
                DeValue::String(name) => file.name = Some(name.to_string()),
                other => {
                    return Err(invalid(
                        value.span(),
                        format!("invalid type: {}, expected a string", other.type_str()),
                    ));
                }
            }
        } else if let Some(slot) = Slot::from_key(key.get_ref()) {
            let style = read_style(value).map_err(|(span, message)| invalid(span, message))?;
            file.styles.push((slot, style));
        } else {
            let expected = std::iter::once("name")
                .chain(Slot::ALL.iter().map(|s| s.key()))
                .collect::<Vec<_>>();
            return Err(invalid(
                key.span(),
                format!(
                    "unknown slot `{}`, expected one of {}",
                    key.get_ref(),
                    backticked(&expected)
                ),
            ));
        }
    }
    Ok(file)
}

type Problem = (Range<usize>, String);

fn read_style(value: &Spanned<DeValue<'_>>) -> Result<Style, Problem> {
    let table = match value.get_ref() {
        DeValue::String(colour) => return Ok(Style::new().fg(read_colour(colour, value)?)),
        DeValue::Table(table) => table,
        other => {
            return Err((
                value.span(),
                format!("invalid type: {}, expected {STYLE_FORMS}", other.type_str()),
            ));
        }
    };
    let mut style = Style::new();
    for (key, value) in in_file_order(table) {
        let modifier = match key.get_ref().as_ref() {
            "fg" | "bg" => {
                let DeValue::String(colour) = value.get_ref() else {
                    return Err((
                        value.span(),
                        format!(
                            "invalid type: {}, expected a colour string like \"green\"",
                            value.get_ref().type_str()
                        ),
                    ));
                };
                let colour = read_colour(colour, value)?;
                style = if key.get_ref() == "fg" {
                    style.fg(colour)
                } else {
                    style.bg(colour)
                };
                continue;
            }
            "bold" => Modifier::BOLD,
            "italic" => Modifier::ITALIC,
            "underline" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            "dim" => Modifier::DIM,
            other => {
                return Err((
                    key.span(),
                    format!(
                        "unknown style key `{other}`, expected one of {}",
                        backticked(&STYLE_KEYS)
                    ),
                ));
            }
        };
        style = match value.get_ref() {
            DeValue::Boolean(true) => style.add_modifier(modifier),
            // An explicit `false` switches the modifier off even where an enclosing style
            // (a block, a row) turned it on.
            DeValue::Boolean(false) => style.remove_modifier(modifier),
            other => {
                return Err((
                    value.span(),
                    format!("invalid type: {}, expected true or false", other.type_str()),
                ));
            }
        };
    }
    Ok(style)
}

fn read_colour(colour: &str, at: &Spanned<DeValue<'_>>) -> Result<Color, Problem> {
    colour.parse().map_err(|_| {
        (
            at.span(),
            format!("invalid colour {colour:?}, expected {COLOUR_FORMS}"),
        )
    })
}

/// The TOML document in `src`, with spans; a syntax error becomes an `Invalid` error like any other.
pub(super) fn parse_toml<'i>(
    src: &'i str,
    path: &Path,
) -> Result<Spanned<DeTable<'i>>, ConfigError> {
    DeTable::parse(src)
        .map_err(|e| ConfigError::invalid(path, src, e.span(), e.message().trim_end()))
}

/// Entries in the order they appear, so the first error found is the one nearest the top.
pub(super) fn in_file_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(
    &'t Spanned<toml::de::DeString<'i>>,
    &'t Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

pub(super) fn backticked(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
