//! The runner's side of communications: posting a message and writing a draft to a file,
//! each off the loop, each answered by an event.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::Runner;
use crate::comms::post::{Channel, PostFailure, PostRequest};
use crate::tui::event::Event;

impl Runner {
    /// Posts off the loop; retries can take seconds and the screen keeps moving meanwhile.
    pub(super) fn post(&mut self, id: u64, channel: Channel, request: PostRequest) {
        let tx = self.tx.clone();
        let _ = request;
        self.keep(tokio::spawn(async move {
            // This build has no poster: say so as a failure, which keeps the draft.
            let result = Err(PostFailure {
                channel,
                label: channel.to_string(),
                error: "posting is not available in this build".to_owned(),
                attempts: 0,
            });
            let _ = tx.send(Event::Posted { id, result });
        }));
    }
}

/// Writes `text` to `drafts/TEMPLATE-YYYYMMDD-HHMMSS.txt` in the incident's directory: the
/// fallback that works when no clipboard does.
pub(super) fn write_draft(
    dir: &Path,
    template: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<PathBuf, String> {
    let drafts = dir.join("drafts");
    std::fs::create_dir_all(&drafts).map_err(|e| format!("{}: {e}", drafts.display()))?;
    let name: String = template
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = drafts.join(format!("{name}-{}.txt", now.format("%Y%m%d-%H%M%S")));
    let mut body = text.to_owned();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_draft_is_written_where_the_path_says_with_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 14, 10, 5, 9).unwrap();
        let path = write_draft(dir.path(), "progress-update", "é → 🚀", now).unwrap();
        assert_eq!(
            path,
            dir.path()
                .join("drafts/progress-update-20260314-100509.txt")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "é → 🚀\n");
    }
}
