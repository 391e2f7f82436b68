//! `{{ }}` variables in a runbook's strings: the estate's names, the inputs, the item of a
//! `for_each`, and earlier steps' outputs. Deliberately small (a dotted name, no filters,
//! no logic), so every reference can be checked when the file is loaded.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::config::{Estate, StackRole};

/// One `{{ name }}` in a string: the name and its byte range in the string (for a load
/// error's column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// Every reference in `text`, or where a `{{` is not closed.
pub fn references(text: &str) -> Result<Vec<Reference>, (usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{") {
        let start = from + open;
        let Some(close) = text[start + 2..].find("}}") else {
            return Err((start, "`{{` is not closed by `}}`".to_owned()));
        };
        let end = start + 2 + close + 2;
        let name = text[start + 2..end - 2].trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err((
                start,
                format!(
                    "`{}` is not a variable: write `{{{{ name }}}}`",
                    &text[start..end]
                ),
            ));
        }
        out.push(Reference {
            name: name.to_owned(),
            start,
            end,
        });
        from = end;
    }
    Ok(out)
}

/// The values a step's strings are rendered with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    values: BTreeMap<String, String>,
}

impl Scope {
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// This scope with another's values over it.
    pub fn with(&self, other: &Scope) -> Scope {
        let mut values = self.values.clone();
        values.extend(other.values.clone());
        Scope { values }
    }

    /// `text` with every `{{ name }}` replaced; a name without a value is an error naming it
    /// (the loader makes sure that cannot happen for a name that is defined by then).
    pub fn render(&self, text: &str) -> Result<String, String> {
        let refs = references(text).map_err(|(_, why)| why)?;
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        for r in refs {
            out.push_str(&text[from..r.start]);
            match self.get(&r.name) {
                Some(value) => out.push_str(value),
                None => return Err(format!("`{{{{ {} }}}}` has no value here", r.name)),
            }
            from = r.end;
        }
        out.push_str(&text[from..]);
        Ok(out)
    }
}

/// The estate's names a runbook may use, as `estate.NAME`. A name the estate file leaves
/// out (no ingestion function) has no value, and a step using it fails when it is reached.
pub const ESTATE_NAMES: &[&str] = &[
    "estate.name",
    "estate.primary_region",
    "estate.backup_region",
    "estate.ingestion_function",
    "estate.export_bucket",
    "estate.export_prefix",
    "estate.lambda_backup_bucket",
    "estate.lambda_backup_copy_bucket",
    "estate.dns_record",
    "estate.backup_stack",
    "estate.production_stack",
    "estate.emergency_stack",
];

/// The run's own names: `run.id`, `run.stamp` (YYYYMMDDHHMM of its start, for new
/// resources' names), `run.date` (YYYYMMDD).
pub const RUN_NAMES: &[&str] = &["run.id", "run.stamp", "run.date"];

/// The estate's and the run's values.
pub fn base_scope(estate: &Estate, run: &str, started: DateTime<Utc>) -> Scope {
    let mut scope = Scope::default();
    scope.set("estate.name", estate.name.clone());
    scope.set(
        "estate.primary_region",
        estate.regions.primary.get_ref().clone(),
    );
    scope.set(
        "estate.backup_region",
        estate.regions.backup.get_ref().clone(),
    );
    if let Some(f) = &estate.lambda.ingestion_function {
        scope.set("estate.ingestion_function", f.get_ref().clone());
    }
    if let Some(b) = &estate.dynamodb.export_bucket {
        scope.set("estate.export_bucket", b.clone());
    }
    scope.set(
        "estate.export_prefix",
        estate.dynamodb.export_prefix.clone(),
    );
    if let Some(b) = &estate.lambda.backup_bucket {
        scope.set("estate.lambda_backup_bucket", b.clone());
    }
    if let Some(b) = &estate.lambda.backup_copy_bucket {
        scope.set("estate.lambda_backup_copy_bucket", b.clone());
    }
    if let Some(r) = estate.dns.records.first() {
        scope.set("estate.dns_record", r.name.get_ref().clone());
    }
    for (name, role) in [
        ("estate.backup_stack", StackRole::BackupCapacity),
        ("estate.production_stack", StackRole::Production),
        ("estate.emergency_stack", StackRole::Emergency),
    ] {
        if let Some(s) = estate.stacks.iter().find(|s| s.role == Some(role)) {
            scope.set(name, s.name.get_ref().clone());
        }
    }
    scope.set("run.id", run);
    scope.set("run.stamp", started.format("%Y%m%d%H%M").to_string());
    scope.set("run.date", started.format("%Y%m%d").to_string());
    scope
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_names_and_says_which_is_missing() {
        let mut scope = Scope::default();
        scope.set("item", "flightdata-main");
        assert_eq!(
            scope.render("{{ item }}-restored-{{item}}").unwrap(),
            "flightdata-main-restored-flightdata-main"
        );
        assert!(
            scope
                .render("{{ inputs.x }}")
                .unwrap_err()
                .contains("inputs.x")
        );
        assert!(references("a {{ b").is_err());
        assert!(references("{{ a b }}").is_err());
    }
}
