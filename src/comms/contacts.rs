//! The contact tree during an incident: who was notified, who acknowledged, and when a level
//! has gone unanswered past `[comms] escalate_after`, who to call next.
//!
//! The plan's tree has levels, one per `[[contacts]]` group in the estate file's order
//! (declaration authority, technical recovery, business continuity); the people of a level
//! are called in the order listed. Everything here is a pure reading of the estate and the
//! journal's fold on a given clock, so the console and the tests agree on what it says.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::config::ContactGroup;
use crate::incident::{Incident, short_duration};

/// One person of a level, with what the journal says about reaching them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub role: String,
    pub name: Option<String>,
    pub phone: String,
    /// The first call.
    pub notified_at: Option<DateTime<Utc>>,
    /// The latest call (the same as the first until they are called again).
    pub last_notified_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl Person {
    /// `VP Engineering`, or `Ann Lee (VP Engineering)` when the estate names them.
    pub fn who(&self) -> String {
        who(&self.role, self.name.as_deref())
    }
}

fn who(role: &str, name: Option<&str>) -> String {
    match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} ({role})"),
        None => role.to_owned(),
    }
}

/// Whether a level has someone on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Answer {
    /// Someone acknowledged: the first to, and when.
    Answered { who: String, at: DateTime<Utc> },
    /// Someone was called, nobody acknowledged yet: since the latest call.
    Waiting {
        since: DateTime<Utc>,
        #[serde(serialize_with = "seconds")]
        waited: Duration,
    },
    /// Nobody of the level was called.
    NotStarted,
}

/// Why a call is due, which is also how it is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// Nobody of the level was called since the declaration.
    First,
    /// Someone was called and did not answer; the next in order was not called yet.
    Next,
    /// Everyone was called and no one answered: round again from whoever was called first.
    Again,
}

/// A call the console says is due: who, and for how long the level has been silent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub group: String,
    /// The level's place in the tree, from 0.
    pub level: usize,
    /// The person's place in the level, from 0.
    pub person: usize,
    pub who: String,
    pub role: String,
    pub phone: String,
    pub kind: CallKind,
    /// What the silence is counted from: the level's latest call, or the declaration.
    pub since: DateTime<Utc>,
    #[serde(serialize_with = "seconds")]
    pub silent_for: Duration,
}

impl Call {
    /// `no answer for 16m: call VP Engineering next`, as the level's line says it.
    pub fn message(&self) -> String {
        let silent = short_duration(self.silent_for);
        match self.kind {
            CallKind::First => format!("nobody called for {silent}: call {} first", self.who),
            CallKind::Next => format!("no answer for {silent}: call {} next", self.who),
            CallKind::Again => {
                format!("no one has answered for {silent}: call {} again", self.who)
            }
        }
    }

    /// The message with its level named, for a line that stands alone.
    pub fn summary(&self) -> String {
        format!("{}: {}", self.group, self.message())
    }
}

/// One level of the tree as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelState {
    pub group: String,
    pub people: Vec<Person>,
    pub answer: Answer,
    /// Set when nobody acknowledged within `escalate_after` and the incident is open.
    pub call: Option<Call>,
}

/// Each level of the estate's tree, in the estate file's order, as the incident's journal
/// has it at `now`.
///
/// A level nobody has acknowledged for `escalate_after` — counted from its latest call, or
/// from the declaration when nobody of it was called — gets a [`Call`]: the first person in
/// order not yet called; once all were, whoever was called longest ago. A resolved incident
/// calls nobody.
pub fn escalation(
    groups: &[ContactGroup],
    incident: &Incident,
    escalate_after: std::time::Duration,
    now: DateTime<Utc>,
) -> Vec<LevelState> {
    let after = Duration::from_std(escalate_after).unwrap_or(Duration::MAX);
    groups
        .iter()
        .enumerate()
        .map(|(level, group)| {
            let people: Vec<Person> = group
                .people
                .iter()
                .map(|p| {
                    let state = incident
                        .contacts
                        .iter()
                        .find(|c| c.group == group.group && c.role == p.role);
                    Person {
                        role: p.role.clone(),
                        name: (!p.name.is_empty()).then(|| p.name.clone()),
                        phone: p.phone.clone(),
                        notified_at: state.and_then(|c| c.notified_at),
                        last_notified_at: state.and_then(|c| c.last_notified_at.or(c.notified_at)),
                        acknowledged_at: state.and_then(|c| c.acknowledged_at),
                    }
                })
                .collect();
            let answer = answer(&people, now);
            let call = match answer {
                _ if !incident.is_open() => None,
                Answer::Answered { .. } => None,
                Answer::Waiting { since, .. } => due(&people, since, after, now),
                Answer::NotStarted => due(&people, incident.declared_at, after, now),
            }
            .map(|(person, kind, since)| Call {
                group: group.group.clone(),
                level,
                person,
                who: people[person].who(),
                role: people[person].role.clone(),
                phone: people[person].phone.clone(),
                kind,
                since,
                silent_for: now - since,
            });
            LevelState {
                group: group.group.clone(),
                people,
                answer,
                call,
            }
        })
        .collect()
}

/// The call to show above all others: the highest level that needs one, because the tree
/// is an order — a level higher up is who decides for the ones below.
pub fn most_urgent(levels: &[LevelState]) -> Option<&Call> {
    levels.iter().find_map(|l| l.call.as_ref())
}

fn answer(people: &[Person], now: DateTime<Utc>) -> Answer {
    let first_ack = people
        .iter()
        .filter_map(|p| p.acknowledged_at.map(|at| (at, p)))
        .min_by_key(|(at, _)| *at);
    if let Some((at, p)) = first_ack {
        return Answer::Answered { who: p.who(), at };
    }
    match people.iter().filter_map(|p| p.last_notified_at).max() {
        Some(since) => Answer::Waiting {
            since,
            waited: (now - since).max(Duration::zero()),
        },
        None => Answer::NotStarted,
    }
}

/// Who to call once the level has been silent since `since` for `after`, and why.
fn due(
    people: &[Person],
    since: DateTime<Utc>,
    after: Duration,
    now: DateTime<Utc>,
) -> Option<(usize, CallKind, DateTime<Utc>)> {
    if people.is_empty() || now - since < after {
        return None;
    }
    let called = people.iter().filter(|p| p.notified_at.is_some()).count();
    if let Some(next) = people.iter().position(|p| p.notified_at.is_none()) {
        let kind = if called == 0 {
            CallKind::First
        } else {
            CallKind::Next
        };
        return Some((next, kind, since));
    }
    // Round again: whoever was called longest ago (the first, on the second round).
    let (again, _) = people
        .iter()
        .enumerate()
        .min_by_key(|(i, p)| (p.last_notified_at, *i))?;
    Some((again, CallKind::Again, since))
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.num_seconds())
}

#[cfg(test)]
#[path = "contacts_tests.rs"]
mod tests;
