//! The `[backup]` section's own checks: settings a scheduled run can work with, and git
//! mirrors that can be told apart and compared.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;

use super::model::BackupSettings;
use super::{Checker, Loc, span_of};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BackupLocations {
    concurrency: Loc,
    config_prefix: Loc,
    mirrors: Vec<MirrorLocations>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MirrorLocations {
    name: Loc,
}

pub(super) fn check(b: &BackupSettings, at: &BackupLocations, check: &mut Checker<'_>) {
    if b.concurrency == 0 {
        check.report(
            span_of(&at.concurrency),
            "[backup].concurrency must be at least 1, got 0".into(),
        );
    }
    if b.config_prefix.trim().is_empty() {
        check.report(
            span_of(&at.config_prefix),
            "[backup].config_prefix must not be empty, like \"config-backups/\": the dated \
             folders would otherwise sit at the top of the bucket"
                .into(),
        );
    }
    let mut seen: HashMap<&str, Option<Range<usize>>> = HashMap::new();
    for (i, mirror) in b.mirrors.iter().enumerate() {
        let name_at = at.mirrors.get(i).and_then(|m| span_of(&m.name));
        let name = mirror.name.trim();
        if name.is_empty() {
            check.report(
                name_at.clone(),
                "a [[backup.mirrors]] entry has an empty name".into(),
            );
        } else if let Some(first) = seen.get(name) {
            let line = first.as_ref().map_or(1, |s| check.line_of(s));
            check.report(
                name_at.clone(),
                format!(
                    "git mirror {name:?} is listed twice in [[backup.mirrors]] (first at line \
                     {line})"
                ),
            );
        } else {
            seen.insert(name, name_at.clone());
        }
        let origin = mirror.origin.get_ref().trim();
        if origin.is_empty() {
            check.report(
                Some(mirror.origin.span()),
                format!("git mirror {name:?} has an empty origin URL"),
            );
        }
        for url in &mirror.mirrors {
            if url.get_ref().trim().is_empty() {
                check.report(
                    Some(url.span()),
                    format!("git mirror {name:?} has an empty mirror URL"),
                );
            } else if url.get_ref().trim() == origin {
                check.report(
                    Some(url.span()),
                    format!(
                        "git mirror {name:?} names its origin {origin:?} as a mirror: a \
                         repository always matches itself, so the check would prove nothing"
                    ),
                );
            }
        }
    }
}
