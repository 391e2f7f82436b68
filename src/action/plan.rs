//! A plan: what an action would send, what it saves first, how to undo it. The preview shows
//! it, the journal records it, the executor sends exactly it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Args, Danger, Wait};
use crate::cloud::WriteRequest;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub action: String,
    pub target: String,
    pub danger: Danger,
    pub args: Args,
    /// The state read before, as the action sees it (for the preview and the journal).
    pub before: Value,
    /// Set when the precheck found nothing to do: why (and nothing is sent).
    pub already_done: Option<String>,
    /// Saved (journalled) before the first write; a write among them (a backup before a
    /// delete) is sent first.
    pub safety_net: Vec<SafetyNet>,
    /// The writes, in order.
    pub requests: Vec<WriteRequest>,
    /// What to wait for between the writes (a restored table to be ACTIVE before its PITR
    /// is turned on), each after the write it names.
    pub waits: Vec<Wait>,
    /// How to put it back, where that is possible.
    pub undo: Option<Undo>,
    /// What a person should know: what the change cannot do, what is left to do by hand.
    pub notes: Vec<String>,
    /// Resources the writes create (a restored table): after a successful run the executor
    /// owns them, so a later action may target them though the estate does not name them.
    pub creates: Vec<String>,
}

impl Plan {
    pub fn new(action: &str, target: &str, danger: Danger, args: &Args) -> Plan {
        Plan {
            action: action.to_owned(),
            target: target.to_owned(),
            danger,
            args: args.clone(),
            before: Value::Null,
            already_done: None,
            safety_net: Vec::new(),
            requests: Vec::new(),
            waits: Vec::new(),
            undo: None,
            notes: Vec::new(),
            creates: Vec::new(),
        }
    }

    /// Nothing to send: the precheck says why.
    pub fn done(mut self, why: impl Into<String>) -> Plan {
        self.already_done = Some(why.into());
        self
    }

    pub fn is_noop(&self) -> bool {
        self.requests.is_empty()
            && self.waits.is_empty()
            && self.safety_net.iter().all(|s| s.request.is_none())
    }

    /// Waits for `until` after the last write pushed so far (before the first write, when
    /// none is pushed yet: a re-run finding a restore still under way).
    pub fn wait_after_last(&mut self, until: super::WaitFor, timeout: std::time::Duration) {
        let after = self.all_requests().len();
        self.waits.push(Wait {
            after,
            until,
            timeout,
        });
    }

    /// Every write in the order it is sent: safety-net writes first.
    pub fn all_requests(&self) -> Vec<&WriteRequest> {
        self.safety_net
            .iter()
            .filter_map(|s| s.request.as_ref())
            .chain(self.requests.iter())
            .collect()
    }

    /// The text a preview shows: each request on one line, then its JSON.
    pub fn preview_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(why) = &self.already_done {
            lines.push(format!("nothing to do: {why}"));
        }
        for net in &self.safety_net {
            lines.push(format!("first, save: {}", net.what));
        }
        for wait in self.waits.iter().filter(|w| w.after == 0) {
            lines.push(format!(
                "first, wait for {} (at most {})",
                wait.until.summary(),
                crate::config::Dur::from_secs(wait.timeout.as_secs())
            ));
        }
        for (i, request) in self.all_requests().iter().enumerate() {
            lines.push(format!("{}. {}", i + 1, request.summary()));
            for wait in self.waits.iter().filter(|w| w.after == i + 1) {
                lines.push(format!(
                    "   then wait for {} (at most {})",
                    wait.until.summary(),
                    crate::config::Dur::from_secs(wait.timeout.as_secs())
                ));
            }
        }
        if let Some(undo) = &self.undo {
            lines.push(format!("undo: {}", undo.summary));
        } else if !self.is_noop() {
            lines.push("undo: none".to_owned());
        }
        for note in &self.notes {
            lines.push(format!("note: {note}"));
        }
        lines
    }
}

/// Something saved before a change: a state read and journalled, or a write (a backup).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyNet {
    pub what: String,
    pub saved: Value,
    pub request: Option<WriteRequest>,
}

/// The writes that put a change back, kept in the journal entry that ends the action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undo {
    pub summary: String,
    pub requests: Vec<WriteRequest>,
    /// What the undo waits for between its writes (a DNS change to be INSYNC), as a plan's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<Wait>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_that_only_waits_is_not_already_done() {
        let mut plan = Plan::new("import-table", "t", Danger::Write, &Args::default());
        assert!(plan.is_noop());
        plan.wait_after_last(
            super::super::WaitFor::TableActive {
                region: "us-west-2".into(),
                table: "t-imported".into(),
            },
            std::time::Duration::from_secs(60),
        );
        assert_eq!(plan.waits[0].after, 0, "before any write");
        assert!(!plan.is_noop(), "a run still has to wait for AWS to finish");
        assert!(
            plan.preview_lines()
                .iter()
                .any(|l| l.contains("wait for table t-imported to be ACTIVE")),
            "{:?}",
            plan.preview_lines()
        );
    }
}
