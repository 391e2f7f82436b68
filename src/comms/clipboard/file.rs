//! The fallback that always works: the draft written to a file in the incident's directory,
//! for the commander to open, `cat` or `scp` when no clipboard is reachable.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::comms::Format;

/// Writes `text` to `dir/messages/<YYYYMMDD-HHMMSS>-<template>.<txt|slack.txt>` and returns
/// its path. The file appears whole or not at all (written beside, synced, then linked into
/// place), and an existing file is never replaced: a second draft in the same second gets
/// `-2`, `-3`, ... before its extension.
pub fn write_draft(
    dir: &Path,
    template: &str,
    format: Format,
    text: &str,
    now: DateTime<Utc>,
) -> std::io::Result<PathBuf> {
    let messages = dir.join("messages");
    std::fs::create_dir_all(&messages)?;
    let stem = format!("{}-{}", now.format("%Y%m%d-%H%M%S"), file_safe(template));
    let extension = match format {
        Format::Text => "txt",
        Format::Slack => "slack.txt",
    };

    let temp = messages.join(format!(".{stem}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }

    let result = (1..)
        .map(|n| match n {
            1 => messages.join(format!("{stem}.{extension}")),
            n => messages.join(format!("{stem}-{n}.{extension}")),
        })
        .find_map(|path| {
            // A hard link fails when the name is taken, where a rename would replace it.
            match std::fs::hard_link(&temp, &path) {
                Ok(()) => Some(Ok(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                // A file system without hard links: the name was free a moment ago.
                Err(_) if !path.exists() => Some(std::fs::rename(&temp, &path).map(|()| path)),
                Err(e) => Some(Err(e)),
            }
        })
        .expect("an unbounded sequence of names");
    let _ = std::fs::remove_file(&temp);
    let path = result?;
    sync_dir(&messages);
    Ok(path)
}

/// A template name as a file name: anything but letters, digits, `-` and `_` becomes `_`, so
/// a user's template named with a slash cannot write elsewhere.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "message".to_owned()
    } else {
        safe
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // The name is durable only once the directory is.
    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 9, 5, 7).unwrap()
    }

    #[test]
    fn two_drafts_in_the_same_second_make_two_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_draft(dir.path(), "progress-update", Format::Text, "one", at()).unwrap();
        let second = write_draft(dir.path(), "progress-update", Format::Text, "two", at()).unwrap();
        assert_eq!(
            first,
            dir.path()
                .join("messages/20261127-090507-progress-update.txt")
        );
        assert_eq!(
            second,
            dir.path()
                .join("messages/20261127-090507-progress-update-2.txt")
        );
        assert_eq!(std::fs::read_to_string(first).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(second).unwrap(), "two");
        // Nothing half-written is left beside them.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("messages"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_slack_draft_says_so_in_its_extension_and_keeps_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let text = "*Status:* degraded → ETA 14:30 🚒\n• orders &amp; payments\n";
        let path =
            write_draft(dir.path(), "initial-declaration", Format::Slack, text, at()).unwrap();
        assert_eq!(
            path.file_name().unwrap(),
            "20261127-090507-initial-declaration.slack.txt"
        );
        assert_eq!(std::fs::read_to_string(path).unwrap(), text);
    }

    #[test]
    fn a_template_name_cannot_lead_out_of_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_draft(dir.path(), "../../etc/x", Format::Text, "t", at()).unwrap();
        assert_eq!(path.parent().unwrap(), dir.path().join("messages"));
        assert_eq!(path.file_name().unwrap(), "20261127-090507-______etc_x.txt");
    }
}
