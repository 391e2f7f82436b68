//! The console's own TOML files, themes and keymaps: read with serde, and every mistake
//! reported at file:line:column like the estate file's, in the words of TOML.

use std::path::Path;

use serde::Deserialize;

use crate::config::ConfigError;

/// The text of the file at `path`.
pub(super) fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_owned(),
        source,
    })
}

/// `src` as a `T`. `reword` gives serde's phrases the file's own vocabulary (an unknown
/// "field" is a slot, a style key or a table, depending on the file).
pub(super) fn parse<'de, T: Deserialize<'de>>(
    src: &'de str,
    path: &Path,
    reword: fn(&str) -> String,
) -> Result<T, ConfigError> {
    toml::from_str(src).map_err(|e| {
        let message = toml_words(e.message().trim_end());
        ConfigError::invalid(path, src, e.span(), reword(&message))
    })
}

/// `a`, `b`, `c`: how an error lists the names it would have accepted.
pub(super) fn backticked<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

/// serde names a value it did not expect the Rust way and quotes it (integer `3`, string
/// "yes", sequence, map); the reader is editing TOML, so name the TOML type instead.
fn toml_words(message: &str) -> String {
    // From the right: a quoted string value may itself hold ", expected ".
    let Some((unexpected, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.rsplit_once(", expected "))
    else {
        return message.to_owned();
    };
    let kind = match unexpected {
        u if u.starts_with("floating point") => "float",
        "sequence" => "array",
        "map" => "table",
        u => u.split_once(' ').map_or(u, |(kind, _)| kind),
    };
    let expected = match expected {
        "a boolean" => "true or false",
        other => other,
    };
    format!("invalid type: {kind}, expected {expected}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexpected_values_are_named_by_their_toml_type() {
        for (serde, toml) in [
            (
                "invalid type: integer `3`, expected x",
                "invalid type: integer, expected x",
            ),
            (
                "invalid type: boolean `true`, expected x",
                "invalid type: boolean, expected x",
            ),
            (
                "invalid type: floating point `1.5`, expected x",
                "invalid type: float, expected x",
            ),
            (
                r#"invalid type: string "a \", expected \\", expected x"#,
                "invalid type: string, expected x",
            ),
            (
                "invalid type: sequence, expected x",
                "invalid type: array, expected x",
            ),
            (
                "invalid type: map, expected x",
                "invalid type: table, expected x",
            ),
            (
                "invalid type: string \"yes\", expected a boolean",
                "invalid type: string, expected true or false",
            ),
            (
                "unknown field `x`, expected `y`",
                "unknown field `x`, expected `y`",
            ),
        ] {
            assert_eq!(toml_words(serde), toml, "{serde}");
        }
    }
}
