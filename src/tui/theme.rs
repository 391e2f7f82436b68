//! Colour themes by meaning: components ask for `ok`, `critical` or `selection`, never for a colour.
//!
//! A theme is a TOML file with one key per [`Slot`]. Three are built in from `themes/`; a user
//! file only has to name the slots it changes, the rest come from the built-in default. Errors
//! point at `file:line:column` exactly like estate file errors.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use strum::{EnumString, IntoStaticStr, VariantArray};

use super::toml_file::{self, backticked};
use crate::config::{self, ConfigError};
use crate::health::Status;
use crate::mode::Mode;

/// One meaning a theme gives a style to; its key in a theme file is its name in snake case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
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
    pub const ALL: &'static [Slot] = Slot::VARIANTS;

    /// The key in a theme file.
    pub fn key(self) -> &'static str {
        self.into()
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
        Theme::parse(&toml_file::read(path)?, path)
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
        for &slot in Slot::ALL {
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
#[derive(Default)]
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

/// Parses theme TOML, stopping at the problem nearest the top of the file.
fn read(src: &str, path: &Path) -> Result<ThemeFile, ConfigError> {
    // Unknown top-level keys are reported as slots by `ThemeKey`; only a style table has
    // fields.
    toml_file::parse(src, path, |m| {
        m.replacen("unknown field", "unknown style key", 1)
    })
}

/// A top-level key of a theme file.
enum ThemeKey {
    Name,
    Slot(Slot),
}

impl<'de> Deserialize<'de> for ThemeKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ThemeKey, D::Error> {
        let key = String::deserialize(d)?;
        if key == "name" {
            return Ok(ThemeKey::Name);
        }
        key.parse().map(ThemeKey::Slot).map_err(|_| {
            let keys = std::iter::once("name").chain(Slot::ALL.iter().map(|s| s.key()));
            de::Error::custom(format!(
                "unknown slot `{key}`, expected one of {}",
                backticked(keys)
            ))
        })
    }
}

impl<'de> Deserialize<'de> for ThemeFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ThemeFile, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = ThemeFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of slots")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ThemeFile, A::Error> {
                let mut file = ThemeFile::default();
                while let Some(key) = map.next_key()? {
                    match key {
                        ThemeKey::Name => file.name = Some(map.next_value()?),
                        ThemeKey::Slot(slot) => {
                            file.styles.push((slot, map.next_value::<StyleSpec>()?.0));
                        }
                    }
                }
                Ok(file)
            }
        }
        d.deserialize_map(Entries)
    }
}

/// One slot's style: a colour, or a table of colours and modifiers.
struct StyleSpec(Style);

impl<'de> Deserialize<'de> for StyleSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StyleSpec, D::Error> {
        struct Spec;
        impl<'de> Visitor<'de> for Spec {
            type Value = StyleSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(STYLE_FORMS)
            }
            fn visit_str<E: de::Error>(self, colour: &str) -> Result<StyleSpec, E> {
                Ok(StyleSpec(Style::new().fg(parse_colour(colour)?)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StyleSpec, A::Error> {
                let table = StyleTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(StyleSpec(table.style()))
            }
        }
        d.deserialize_any(Spec)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleTable {
    fg: Option<Colour>,
    bg: Option<Colour>,
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    reversed: Option<bool>,
    dim: Option<bool>,
}

impl StyleTable {
    fn style(&self) -> Style {
        let mut style = Style::new();
        if let Some(Colour(fg)) = self.fg {
            style = style.fg(fg);
        }
        if let Some(Colour(bg)) = self.bg {
            style = style.bg(bg);
        }
        for (set, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
            (self.dim, Modifier::DIM),
        ] {
            style = match set {
                Some(true) => style.add_modifier(modifier),
                // An explicit `false` switches the modifier off even where an enclosing style
                // (a block, a row) turned it on.
                Some(false) => style.remove_modifier(modifier),
                None => style,
            };
        }
        style
    }
}

#[derive(Clone, Copy)]
struct Colour(Color);

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Colour, D::Error> {
        struct Named;
        impl Visitor<'_> for Named {
            type Value = Colour;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a colour string like \"green\"")
            }
            fn visit_str<E: de::Error>(self, colour: &str) -> Result<Colour, E> {
                parse_colour(colour).map(Colour)
            }
        }
        d.deserialize_str(Named)
    }
}

fn parse_colour<E: de::Error>(colour: &str) -> Result<Color, E> {
    colour.parse().map_err(|_| {
        E::custom(format!(
            "invalid colour {colour:?}, expected {COLOUR_FORMS}"
        ))
    })
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
