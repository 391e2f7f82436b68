//! An incident's state, rebuilt by replaying its journal: what was declared, which services
//! are still out, the RTO and RPO stopwatches, what was said and when. Nothing here is kept
//! anywhere but the journal, so every reader (console, headless, export) sees the same.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::journal::{Entry, JournalResult, Reader};
use super::record::{AffectedService, ImpactSource, Record, Severity};
use crate::mode::Mode;

/// Where a stopwatch stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Running, under 75% of the target.
    Running,
    /// Running, 75% of the target or more.
    Warn,
    /// Running, past the target.
    Breached,
    /// Stopped within the target.
    Met,
    /// Stopped past the target.
    Missed,
}

impl Clock {
    fn running(elapsed: Duration, target: Duration) -> Clock {
        if elapsed > target {
            Clock::Breached
        } else if elapsed.num_milliseconds() * 4 >= target.num_milliseconds() * 3 {
            Clock::Warn
        } else {
            Clock::Running
        }
    }

    pub fn is_running(self) -> bool {
        matches!(self, Clock::Running | Clock::Warn | Clock::Breached)
    }
}

/// One measured span against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stopwatch {
    #[serde(rename = "elapsed_secs", serialize_with = "secs")]
    pub elapsed: Duration,
    #[serde(rename = "target_secs", serialize_with = "secs")]
    pub target: Duration,
    pub clock: Clock,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.num_seconds())
}

impl Stopwatch {
    /// Elapsed as a share of the target, in percent (0 when the target is zero).
    pub fn percent(&self) -> u32 {
        let target = self.target.num_milliseconds();
        if target <= 0 {
            return 0;
        }
        (self.elapsed.num_milliseconds().max(0) * 100 / target) as u32
    }
}

/// An affected service as the incident sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceClock {
    #[serde(flatten)]
    pub service: AffectedService,
    /// When it was marked restored.
    pub restored_at: Option<DateTime<Utc>>,
    /// The point its data was restored to, once chosen.
    pub restore_point: Option<DateTime<Utc>>,
}

impl ServiceClock {
    pub fn rto(&self) -> Duration {
        Duration::seconds(self.service.rto_secs as i64)
    }

    pub fn rpo(&self) -> Duration {
        Duration::seconds(self.service.rpo_secs as i64)
    }

    /// Time since the impact began against the RTO; stopped when the service was restored.
    pub fn rto_watch(&self, impact_began: DateTime<Utc>, now: DateTime<Utc>) -> Stopwatch {
        let target = self.rto();
        match self.restored_at {
            Some(at) => {
                let elapsed = at - impact_began;
                let clock = if elapsed > target {
                    Clock::Missed
                } else {
                    Clock::Met
                };
                Stopwatch {
                    elapsed,
                    target,
                    clock,
                }
            }
            None => {
                let elapsed = (now - impact_began).max(Duration::zero());
                Stopwatch {
                    elapsed,
                    target,
                    clock: Clock::running(elapsed, target),
                }
            }
        }
    }

    /// The data-loss window the chosen restore point implies, against the RPO: from the point
    /// to the moment the impact began. `None` until a point is chosen.
    pub fn rpo_watch(&self, impact_began: DateTime<Utc>) -> Option<Stopwatch> {
        let point = self.restore_point?;
        let elapsed = (impact_began - point).max(Duration::zero());
        let target = self.rpo();
        let clock = if elapsed > target {
            Clock::Missed
        } else {
            Clock::Met
        };
        Some(Stopwatch {
            elapsed,
            target,
            clock,
        })
    }
}

/// A message that went out (copied or posted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub template: String,
    /// `copied (osc52)` or the channel posted to.
    pub how: String,
}

/// One person of the contact tree, as the journal says they were reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactState {
    pub group: String,
    pub role: String,
    pub name: Option<String>,
    pub notified_at: Option<DateTime<Utc>>,
    /// The latest call: after a level's every person was called, escalation starts again
    /// from whoever was called longest ago.
    pub last_notified_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Everything the journal says about one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: String,
    pub dir: PathBuf,
    pub mode: Mode,
    pub account: Option<String>,
    pub title: String,
    pub scenario: String,
    pub severity: Severity,
    pub commander: Option<String>,
    pub declared_at: DateTime<Utc>,
    pub impact_began: DateTime<Utc>,
    pub impact_source: ImpactSource,
    pub services: Vec<ServiceClock>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub follow_ups: Vec<String>,
    pub messages: Vec<Sent>,
    /// The commander's estimate of full recovery, as last set.
    pub eta: Option<DateTime<Utc>>,
    /// Who of the contact tree was notified and who acknowledged, in the order first notified.
    pub contacts: Vec<ContactState>,
    /// The Statuspage incident the last post made or updated, so the next one updates it.
    pub statuspage_id: Option<String>,
    /// Entries replayed, and the last one's sequence number and time.
    pub entries: u64,
    pub last_seq: u64,
    pub last_at: DateTime<Utc>,
    /// Entries of kinds this version does not know, skipped.
    pub unknown_entries: u64,
}

impl Incident {
    /// The incident as its first entry declares it.
    pub fn from_declared(entry: &Entry, dir: &Path) -> Option<Incident> {
        let Some(Record::Declared(d)) = entry.record() else {
            return None;
        };
        Some(Incident {
            id: d.id,
            dir: dir.to_owned(),
            mode: entry.mode,
            account: entry.account.clone(),
            title: d.title,
            scenario: d.scenario,
            severity: d.severity,
            commander: d.commander,
            declared_at: entry.at,
            impact_began: d.impact_began,
            impact_source: d.impact_source,
            services: d
                .services
                .into_iter()
                .map(|service| ServiceClock {
                    service,
                    restored_at: None,
                    restore_point: None,
                })
                .collect(),
            resolved_at: None,
            summary: None,
            follow_ups: Vec::new(),
            messages: Vec::new(),
            eta: None,
            contacts: Vec::new(),
            statuspage_id: None,
            entries: 1,
            last_seq: entry.seq,
            last_at: entry.at,
            unknown_entries: 0,
        })
    }

    /// Reads the journal in `dir` from the start. A journal whose first entry is not a
    /// declaration is not an incident's.
    pub fn replay(dir: &Path) -> JournalResult<Incident> {
        let mut reader = Reader::open(dir)?;
        let first = match reader.next() {
            Some(entry) => entry?,
            None => return Err(not_incident(dir, "it is empty")),
        };
        let mut incident = Incident::from_declared(&first, dir)
            .ok_or_else(|| not_incident(dir, "its first entry is not a declaration"))?;
        for entry in reader {
            incident.apply(&entry?);
        }
        Ok(incident)
    }

    /// Folds one more entry in. Entries already applied (by sequence) are ignored, so a
    /// follower may deliver what the console itself appended.
    pub fn apply(&mut self, entry: &Entry) -> bool {
        if entry.seq <= self.last_seq {
            return false;
        }
        self.entries += 1;
        self.last_seq = entry.seq;
        self.last_at = entry.at;
        let Some(record) = entry.record() else {
            self.unknown_entries += 1;
            return true;
        };
        match record {
            Record::SeverityChanged { to, .. } => self.severity = to,
            Record::ServiceAffected { service } => {
                if self.service(&service.name).is_none() {
                    self.services.push(ServiceClock {
                        service,
                        restored_at: None,
                        restore_point: None,
                    });
                }
            }
            Record::ServiceRestored { service, at, .. } => {
                if let Some(clock) = self.service_mut(&service) {
                    clock.restored_at = Some(at.unwrap_or(entry.at));
                }
            }
            Record::RestorePointChosen { service, point, .. } => {
                if let Some(clock) = self.service_mut(&service) {
                    clock.restore_point = Some(point);
                }
            }
            Record::MessageCopied { template, via, .. } => self.messages.push(Sent {
                seq: entry.seq,
                at: entry.at,
                template,
                how: format!("copied ({via})"),
            }),
            Record::MessagePosted {
                template,
                channel,
                external_id,
                ..
            } => {
                if channel == "statuspage" && external_id.is_some() {
                    self.statuspage_id = external_id;
                }
                self.messages.push(Sent {
                    seq: entry.seq,
                    at: entry.at,
                    template,
                    how: format!("posted to {channel}"),
                })
            }
            Record::EtaSet { eta } => self.eta = eta,
            Record::ContactNotified { group, role, name } => {
                let contact = self.contact_mut(group, role, name);
                contact.notified_at.get_or_insert(entry.at);
                contact.last_notified_at = Some(entry.at);
            }
            Record::ContactAcknowledged { group, role, name } => {
                let contact = self.contact_mut(group, role, name);
                contact.notified_at.get_or_insert(entry.at);
                contact.last_notified_at.get_or_insert(entry.at);
                contact.acknowledged_at.get_or_insert(entry.at);
            }
            Record::FollowUp { text } => self.follow_ups.push(text),
            Record::Resolved { summary } => {
                self.resolved_at = Some(entry.at);
                self.summary = summary;
            }
            Record::Declared(_)
            | Record::Note { .. }
            | Record::StepStarted { .. }
            | Record::RequestSent { .. }
            | Record::RequestFinished { .. }
            | Record::StepFinished { .. }
            | Record::Decision { .. }
            | Record::RunbookStarted { .. }
            | Record::InputGiven { .. }
            | Record::RunbookFinished { .. }
            | Record::MessageDrafted { .. }
            | Record::MessagePostFailed { .. }
            | Record::ActionStarted { .. }
            | Record::ActionRefused { .. }
            | Record::SafetyNet { .. }
            | Record::ResourceOwned { .. }
            | Record::ActionFinished { .. }
            | Record::WaitFinished { .. }
            | Record::CheckFinished { .. }
            | Record::ValidationFinished { .. }
            | Record::BackupFinished { .. }
            | Record::DrillStarted { .. }
            | Record::DrillHalted { .. }
            | Record::DrillTornDown { .. }
            | Record::TornTailSetAside { .. } => {}
        }
        true
    }

    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }

    pub fn service(&self, name: &str) -> Option<&ServiceClock> {
        self.services.iter().find(|s| s.service.name == name)
    }

    /// The contact's state, made on first mention.
    fn contact_mut(
        &mut self,
        group: String,
        role: String,
        name: Option<String>,
    ) -> &mut ContactState {
        let at = self
            .contacts
            .iter()
            .position(|c| c.group == group && c.role == role);
        let at = at.unwrap_or_else(|| {
            self.contacts.push(ContactState {
                group,
                role,
                name,
                notified_at: None,
                last_notified_at: None,
                acknowledged_at: None,
            });
            self.contacts.len() - 1
        });
        &mut self.contacts[at]
    }

    fn service_mut(&mut self, name: &str) -> Option<&mut ServiceClock> {
        self.services.iter_mut().find(|s| s.service.name == name)
    }

    /// Time since the impact began: until now while open, until resolution after.
    pub fn elapsed(&self, now: DateTime<Utc>) -> Duration {
        (self.resolved_at.unwrap_or(now) - self.impact_began).max(Duration::zero())
    }

    /// Each affected service's RTO stopwatch, in declaration order.
    pub fn rto_watches(&self, now: DateTime<Utc>) -> Vec<(&ServiceClock, Stopwatch)> {
        let now = self.resolved_at.unwrap_or(now);
        self.services
            .iter()
            .map(|s| (s, s.rto_watch(self.impact_began, now)))
            .collect()
    }

    /// Services not yet marked restored.
    pub fn still_affected(&self) -> impl Iterator<Item = &ServiceClock> {
        self.services.iter().filter(|s| s.restored_at.is_none())
    }

    /// The last message copied or posted: updates are due from it.
    pub fn last_message(&self) -> Option<&Sent> {
        self.messages.last()
    }
}

fn not_incident(dir: &Path, why: &str) -> super::journal::JournalError {
    super::journal::JournalError::Invalid {
        path: dir.join(super::journal::JOURNAL_FILE),
        reason: format!("not an incident journal: {why}"),
    }
}

/// A duration as a person reads it on a stopwatch: `45s`, `12m`, `1h05m`, `2d03h`.
pub fn short_duration(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, mins) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{mins}m")
    } else if days == 0 {
        format!("{hours}h{mins:02}m")
    } else {
        format!("{days}d{hours:02}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn clock(rto_h: u64) -> ServiceClock {
        ServiceClock {
            service: AffectedService {
                name: "ingest".into(),
                priority: "P0".into(),
                rto_secs: rto_h * 3600,
                rpo_secs: 900,
                impact: String::new(),
            },
            restored_at: None,
            restore_point: None,
        }
    }

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, m, 0).unwrap()
    }

    #[test]
    fn a_running_rto_warns_at_three_quarters_and_breaches_past_it() {
        let s = clock(4);
        let began = t(8, 0);
        assert_eq!(s.rto_watch(began, t(8, 0)).clock, Clock::Running);
        assert_eq!(s.rto_watch(began, t(10, 59)).clock, Clock::Running);
        assert_eq!(s.rto_watch(began, t(11, 0)).clock, Clock::Warn);
        assert_eq!(s.rto_watch(began, t(12, 0)).clock, Clock::Warn);
        let late = s.rto_watch(began, t(12, 1));
        assert_eq!(late.clock, Clock::Breached);
        assert_eq!(late.percent(), 100);
        assert_eq!(s.rto_watch(began, t(12, 48)).percent(), 120);
    }

    #[test]
    fn a_restored_service_keeps_its_measured_rto() {
        let mut s = clock(1);
        s.restored_at = Some(t(8, 50));
        let w = s.rto_watch(t(8, 0), t(23, 0));
        assert_eq!((w.clock, w.elapsed), (Clock::Met, Duration::minutes(50)));
        s.restored_at = Some(t(9, 30));
        assert_eq!(s.rto_watch(t(8, 0), t(9, 30)).clock, Clock::Missed);
    }

    #[test]
    fn the_rpo_window_runs_from_the_restore_point_to_the_impact() {
        let mut s = clock(1);
        assert_eq!(s.rpo_watch(t(8, 0)), None);
        s.restore_point = Some(t(7, 50));
        let w = s.rpo_watch(t(8, 0)).unwrap();
        assert_eq!((w.clock, w.elapsed), (Clock::Met, Duration::minutes(10)));
        s.restore_point = Some(t(7, 30));
        assert_eq!(s.rpo_watch(t(8, 0)).unwrap().clock, Clock::Missed);
    }

    #[test]
    fn short_durations_read_like_a_stopwatch() {
        assert_eq!(short_duration(Duration::seconds(45)), "45s");
        assert_eq!(short_duration(Duration::minutes(12)), "12m");
        assert_eq!(short_duration(Duration::minutes(65)), "1h05m");
        assert_eq!(short_duration(Duration::hours(51)), "2d03h");
        assert_eq!(short_duration(Duration::seconds(-5)), "0s");
    }
}
