//! The safety nets incidents took, read from their journals: the backups (by name and ARN)
//! and anything else a safety-net record names, which a prune never removes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cloud::WriteRequest;
use crate::incident::journal::{JOURNAL_FILE, Reader};
use crate::incident::record::Record;

/// Every name a safety net holds, with the journal that holds it.
#[derive(Debug, Clone, Default)]
pub struct Nets {
    held: BTreeMap<String, String>,
    /// Journals read whole.
    pub journals: usize,
    /// Journals (or lines) that could not be read: a safety net there is unknown.
    pub unreadable: Vec<String>,
}

impl Nets {
    /// Reads every journal under `incidents` (one directory each) and the journal in each of
    /// `journals` (the operations journal, where actions outside an incident record theirs).
    /// A directory that does not exist holds nothing.
    pub fn read(incidents: Option<&Path>, journals: &[PathBuf]) -> Nets {
        let mut nets = Nets::default();
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(root) = incidents {
            match std::fs::read_dir(root) {
                Ok(entries) => dirs.extend(
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.join(JOURNAL_FILE).is_file()),
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => nets.unreadable.push(format!("{}: {e}", root.display())),
            }
        }
        dirs.sort();
        dirs.extend(
            journals
                .iter()
                .filter(|d| d.join(JOURNAL_FILE).is_file())
                .cloned(),
        );
        for dir in dirs {
            nets.read_one(&dir);
        }
        nets
    }

    /// Why `names` are held, if a safety net names one of them.
    pub fn holds<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
        names
            .into_iter()
            .find_map(|n| self.held.get(n))
            .map(|journal| format!("a safety net of {journal}"))
    }

    /// Whether any safety net names something that starts with `prefix` (an `s3://` URL of
    /// an object in a folder).
    pub fn holds_under(&self, prefix: &str) -> Option<String> {
        self.held
            .range(prefix.to_owned()..)
            .next()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(_, journal)| format!("a safety net of {journal}"))
    }

    fn read_one(&mut self, dir: &Path) {
        let label = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        let reader = match Reader::open(dir) {
            Ok(reader) => reader,
            Err(e) => {
                self.unreadable.push(format!("{label}: {e}"));
                return;
            }
        };
        // The runs that took a safety net: their CreateBackup is the net itself.
        let mut net_runs: BTreeSet<String> = BTreeSet::new();
        for entry in reader {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.unreadable.push(format!("{label}: {e}"));
                    return;
                }
            };
            match entry.record() {
                Some(Record::SafetyNet { run, what, saved }) => {
                    net_runs.insert(run);
                    for word in words(&what) {
                        self.hold(word, &label);
                    }
                    let mut strings = Vec::new();
                    strings_in(&saved, &mut strings);
                    for s in strings {
                        for word in words(&s) {
                            self.hold(word, &label);
                        }
                        self.hold(&s, &label);
                    }
                }
                Some(Record::RequestSent {
                    step: Some(run),
                    request,
                    ..
                }) if net_runs.contains(&run) => {
                    if let Ok(WriteRequest::CreateBackup { backup_name, .. }) =
                        serde_json::from_value::<WriteRequest>(request)
                    {
                        self.hold(&backup_name, &label);
                    }
                }
                Some(Record::RequestFinished {
                    step: Some(run),
                    ok: true,
                    operation,
                    result,
                    ..
                }) if net_runs.contains(&run) && operation == "CreateBackup" => {
                    if let Some(arn) = result["value"]["arn"].as_str() {
                        self.hold(arn, &label);
                    }
                }
                _ => {}
            }
        }
        self.journals += 1;
    }

    fn hold(&mut self, name: &str, journal: &str) {
        if !name.is_empty() {
            self.held
                .entry(name.to_owned())
                .or_insert_with(|| journal.to_owned());
        }
    }
}

/// The words of a safety net's description, without the punctuation around them
/// ("(arn:aws:...)," gives the ARN).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| "()[]{},;\"'`".contains(c)))
        .filter(|w| !w.is_empty())
}

fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::journal::{Journal, Origin};
    use crate::mode::Mode;
    use serde_json::json;

    fn journal(dir: &Path) -> Journal {
        Journal::create(
            dir,
            Origin::new(Mode::Production, None, vec!["us-east-1".into()]),
        )
        .unwrap()
    }

    #[test]
    fn a_safety_nets_backup_is_held_by_name_and_arn_and_a_plain_backup_is_not() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-20261120-0100-orders");
        let mut j = journal(&dir);
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/017";
        let net_backup = WriteRequest::CreateBackup {
            region: "us-east-1".into(),
            table: "orders".into(),
            backup_name: "daily-backup-20261120-orders".into(),
        };
        let plain = WriteRequest::CreateBackup {
            region: "us-east-1".into(),
            table: "orders".into(),
            backup_name: "daily-backup-20261119-orders".into(),
        };
        let records = [
            Record::SafetyNet {
                run: "r1".into(),
                what: "an on-demand backup daily-backup-20261120-orders of orders".into(),
                saved: json!({ "table": "orders" }),
            },
            sent("r1", &net_backup),
            finished("r1", json!({ "type": "backup", "value": { "arn": arn } })),
            sent("r2", &plain),
            finished(
                "r2",
                json!({ "type": "backup", "value": { "arn": "arn:other" } }),
            ),
            Record::SafetyNet {
                run: "r3".into(),
                what: "backup before-x of t, already taken (arn:aws:dynamodb:x/backup/9)".into(),
                saved: Value::Null,
            },
        ];
        for r in &records {
            j.append(r).unwrap();
        }
        let nets = Nets::read(Some(root.path()), &[]);
        assert_eq!(nets.journals, 1);
        assert!(nets.unreadable.is_empty(), "{:?}", nets.unreadable);
        assert_eq!(
            nets.holds(["daily-backup-20261120-orders"]).as_deref(),
            Some("a safety net of INC-20261120-0100-orders")
        );
        assert!(nets.holds(["nothing", arn]).is_some());
        assert!(nets.holds(["arn:aws:dynamodb:x/backup/9"]).is_some());
        assert!(
            nets.holds(["daily-backup-20261119-orders", "arn:other"])
                .is_none()
        );
    }

    #[test]
    fn a_journal_that_cannot_be_read_is_said_so() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-1");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(JOURNAL_FILE), "not json\n").unwrap();
        let nets = Nets::read(Some(root.path()), &[]);
        assert_eq!(nets.journals, 0);
        assert_eq!(nets.unreadable.len(), 1, "{:?}", nets.unreadable);
        let none = Nets::read(Some(&root.path().join("absent")), &[]);
        assert!(none.unreadable.is_empty() && none.journals == 0);
    }

    fn sent(run: &str, request: &WriteRequest) -> Record {
        Record::RequestSent {
            step: Some(run.into()),
            service: "dynamodb".into(),
            operation: "CreateBackup".into(),
            target: "orders".into(),
            region: Some("us-east-1".into()),
            request: request.to_json(),
        }
    }

    fn finished(run: &str, result: Value) -> Record {
        Record::RequestFinished {
            step: Some(run.into()),
            service: "dynamodb".into(),
            operation: "CreateBackup".into(),
            target: "orders".into(),
            request_id: None,
            ok: true,
            error: None,
            result,
        }
    }
}
