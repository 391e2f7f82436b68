//! An action's arguments: declared with their types, checked before anything is read or sent.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ActionError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "values")]
pub enum ArgKind {
    Text,
    /// A whole number, at least 0.
    Count,
    /// One of these words (case does not matter; stored as written here).
    Choice(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgKind,
    pub required: bool,
    pub help: &'static str,
}

/// Checked arguments, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Args(BTreeMap<String, String>);

impl Args {
    /// Checks `NAME=VALUE` pairs against the action's declared arguments: an unknown name, a
    /// value of the wrong type or a missing required argument is an error naming it.
    pub fn parse<S: AsRef<str>>(
        action: &str,
        specs: &[ArgSpec],
        pairs: &[S],
    ) -> Result<Args, ActionError> {
        let mut map = BTreeMap::new();
        for pair in pairs {
            let pair = pair.as_ref();
            let Some((name, value)) = pair.split_once('=') else {
                return Err(ActionError::Invalid(format!(
                    "argument `{pair}` is not NAME=VALUE"
                )));
            };
            let (name, value) = (name.trim(), value.trim());
            let Some(spec) = specs.iter().find(|s| s.name == name) else {
                return Err(ActionError::Invalid(format!(
                    "{action} has no argument `{name}`{}",
                    known(specs)
                )));
            };
            map.insert(name.to_owned(), check(spec, value)?);
        }
        Args::from_map(action, specs, map)
    }

    /// The same checks, for arguments already split into a map (a runbook step, a saved undo).
    pub fn from_map(
        action: &str,
        specs: &[ArgSpec],
        map: BTreeMap<String, String>,
    ) -> Result<Args, ActionError> {
        for (name, value) in &map {
            let Some(spec) = specs.iter().find(|s| s.name == name) else {
                return Err(ActionError::Invalid(format!(
                    "{action} has no argument `{name}`{}",
                    known(specs)
                )));
            };
            check(spec, value)?;
        }
        if let Some(spec) = specs
            .iter()
            .find(|s| s.required && !map.contains_key(s.name))
        {
            return Err(ActionError::Invalid(format!(
                "{action} needs --arg {}=… ({})",
                spec.name, spec.help
            )));
        }
        Ok(Args(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A `Count` argument; parsing was checked when the arguments were.
    pub fn count(&self, name: &str) -> Option<i32> {
        self.get(name).and_then(|v| v.parse().ok())
    }

    /// The same arguments with a default made explicit, so a later look (the run after a
    /// preview, the postcondition) uses the value the preview showed.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Args {
        self.0.insert(name.to_owned(), value.into());
        self
    }

    pub fn map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

fn known(specs: &[ArgSpec]) -> String {
    if specs.is_empty() {
        " (it takes none)".to_owned()
    } else {
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        format!(" (it takes: {})", names.join(", "))
    }
}

fn check(spec: &ArgSpec, value: &str) -> Result<String, ActionError> {
    match spec.kind {
        ArgKind::Text if value.is_empty() => Err(ActionError::Invalid(format!(
            "argument {} is empty ({})",
            spec.name, spec.help
        ))),
        ArgKind::Text => Ok(value.to_owned()),
        ArgKind::Count => match value.parse::<i32>() {
            Ok(n) if n >= 0 => Ok(value.to_owned()),
            _ => Err(ActionError::Invalid(format!(
                "argument {} must be a whole number ≥ 0, not `{value}`",
                spec.name
            ))),
        },
        ArgKind::Choice(choices) => choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .map(|c| (*c).to_owned())
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "argument {} must be one of {}, not `{value}`",
                    spec.name,
                    choices.join(", ")
                ))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ArgSpec] = &[
        ArgSpec {
            name: "state",
            kind: ArgKind::Choice(&["OK", "ALARM"]),
            required: true,
            help: "the state to set",
        },
        ArgSpec {
            name: "limit",
            kind: ArgKind::Count,
            required: false,
            help: "how many",
        },
    ];

    #[test]
    fn arguments_are_checked_by_name_type_and_presence() {
        let args = Args::parse("x", SPECS, &["state=alarm", "limit=3"]).unwrap();
        assert_eq!(args.get("state"), Some("ALARM"));
        assert_eq!(args.count("limit"), Some(3));
        let err = Args::parse("x", SPECS, &["limit=3"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs --arg state="), "{err}");
        let err = Args::parse("x", SPECS, &["state=OK", "limit=-1"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("whole number") && err.contains("-1"), "{err}");
        let err = Args::parse("x", SPECS, &["colour=red"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no argument `colour`") && err.contains("state"),
            "{err}"
        );
        let err = Args::parse("x", SPECS, &["state"]).unwrap_err().to_string();
        assert!(err.contains("NAME=VALUE"), "{err}");
        let err = Args::parse("x", SPECS, &["state=maybe"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("one of OK, ALARM"), "{err}");
    }
}
