//! The faults a simulated estate can be started with (or switched to), by name, and what
//! each one does to the estate when it happens and when it is repaired.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use strum::{Display, IntoStaticStr, VariantArray};

use super::seed::{
    LAG_PERCENT, STALE_DAYS, alarm_reason, daily_backups, lambda_backups, ok_reason, replication,
};
use super::state::{Bucket, Lag, State, Table};
use crate::cloud::AlarmState;
use crate::config::Estate;

/// Something wrong with the estate, of the kind the plan prepares for. Each one changes what
/// reads return, the way AWS would show it, so the health model flags it.
///
/// Its name on the command line is the variant's in kebab case, e.g. `--demo-fault pitr-off`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Display, IntoStaticStr, VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Fault {
    /// Every call to the primary region fails as unreachable; its health check fails.
    RegionOutage,
    /// Point-in-time recovery is off on the first table.
    PitrOff,
    /// The first replicated bucket has no replication configuration.
    ReplicationBroken,
    /// The second replicated bucket's replica is behind: 88% of the objects, latency rising.
    ReplicaLag,
    /// No on-demand backup of any table in the last three days.
    StaleBackup,
    /// No backup at all of the ingestion function (or the first function).
    MissingLambdaBackup,
    /// The first alarm is in ALARM.
    Alarm,
    /// The tables lost their global-table replicas: the newest copy outside the primary
    /// region is the weekly export, days old.
    StaleExport,
    /// A table restored from an on-demand backup holds a tenth fewer items (at least one)
    /// than the backup recorded. Only a restore shows it: the health panel cannot.
    ShortRestore,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: &'static [Fault] = Fault::VARIANTS;

    /// The name used on the command line, e.g. `--demo-fault region-outage`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// One line for help texts and the demo's fault menu.
    pub fn description(self) -> &'static str {
        match self {
            Fault::RegionOutage => {
                "the primary region is unreachable and its health check fails; the backup \
                 region works"
            }
            Fault::PitrOff => "point-in-time recovery is disabled on the first table",
            Fault::ReplicationBroken => {
                "the first replicated bucket has lost its replication configuration"
            }
            Fault::ReplicaLag => {
                "the second replicated bucket's replica holds 88% of the objects and \
                 replication latency keeps rising"
            }
            Fault::StaleBackup => "no on-demand table backup has run for three days",
            Fault::MissingLambdaBackup => {
                "the ingestion function (or the first function) has no backup at all"
            }
            Fault::Alarm => "the first watched alarm is in ALARM",
            Fault::StaleExport => {
                "the tables have no global-table replica: the newest copy outside the primary \
                 region is the weekly export, days old"
            }
            Fault::ShortRestore => {
                "a table restored from a backup holds fewer items than the backup recorded \
                 (only drconsole validate sees it)"
            }
        }
    }

    /// Whether the health panel shows the fault. A short restore is seen only by restoring.
    pub fn shows_in_health(self) -> bool {
        !matches!(self, Fault::ShortRestore)
    }
}

/// A fault name that is not one of [`Fault::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault \"{given}\"; valid faults are: {}", valid_names())]
pub struct ParseFaultError {
    pub given: String,
}

fn valid_names() -> String {
    let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
    names.join(", ")
}

impl FromStr for Fault {
    type Err = ParseFaultError;

    /// Takes the names of [`Fault::name`], in any case, with `_` for `-` also accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == wanted)
            .ok_or_else(|| ParseFaultError {
                given: s.to_owned(),
            })
    }
}

/// How long before the replication-broken fault happens its rule went missing.
pub const BROKEN_FOR: Duration = Duration::hours(12);

/// Whether the faulted configuration is still there: once a write has repaired it (PITR
/// turned on, a rule put back, the backups or the function's backup written, the alarm set
/// back), the fault is over. A fault whose resource the estate lacks cannot be repaired.
pub(super) fn holds(state: &State, fault: Fault, now: DateTime<Utc>) -> bool {
    let targets = &state.targets;
    let primary = &state.primary;
    match fault {
        Fault::RegionOutage | Fault::ShortRestore => true,
        Fault::PitrOff => targets
            .pitr_table
            .as_ref()
            .and_then(|t| state.tables.get(&(primary.clone(), t.clone())))
            .is_none_or(|t| t.pitr_since.is_none()),
        Fault::ReplicationBroken => targets
            .broken_bucket
            .as_ref()
            .and_then(|b| state.buckets.get(b))
            .is_none_or(|b| b.replication.is_none()),
        Fault::ReplicaLag => state.lag.is_some(),
        Fault::StaleBackup => {
            let cutoff = now - Duration::days(STALE_DAYS);
            targets.tables.iter().any(|t| {
                !state
                    .backups
                    .iter()
                    .any(|b| &b.table_name == t && b.region == *primary && b.created > cutoff)
            })
        }
        Fault::MissingLambdaBackup => {
            let Some(f) = &targets.lambda_function else {
                return true;
            };
            let marker = format!("/{f}/");
            !state
                .lambda_bucket
                .as_ref()
                .and_then(|b| state.buckets.get(b))
                .is_some_and(|b| b.objects.keys().any(|k| k.contains(&marker)))
        }
        Fault::Alarm => targets
            .alarm
            .as_ref()
            .and_then(|a| state.alarms.get(&(primary.clone(), a.clone())))
            .is_none_or(|a| a.state == AlarmState::Alarm),
        Fault::StaleExport => state
            .tables
            .values()
            .any(|t| t.region == *primary && t.replica_regions.is_empty()),
    }
}

/// Puts the fault into the state: what AWS would show if it had happened at `now`.
pub(super) fn apply(state: &mut State, fault: Fault, now: DateTime<Utc>) {
    let targets = state.targets.clone();
    match fault {
        // Flags: the calls read them.
        Fault::RegionOutage | Fault::ShortRestore => {}
        Fault::PitrOff => {
            if let Some(t) = targets.pitr_table.and_then(|t| state.table_mut(&t)) {
                t.pitr_since = None;
            }
        }
        Fault::ReplicationBroken => {
            let Some(name) = targets.broken_bucket else {
                return;
            };
            let Some(b) = state.buckets.get_mut(&name) else {
                return;
            };
            b.replication = None;
            b.replication_since = None;
            // The rule went BROKEN_FOR ago: what the source took in since never arrived, and
            // a rule put back later will not copy it.
            let since = now - BROKEN_FOR;
            let missed: Vec<String> = b
                .objects
                .iter()
                .filter(|(_, o)| o.last_modified > since)
                .map(|(k, _)| k.clone())
                .collect();
            if let Some(r) = replica_of(state, &name).and_then(|r| state.buckets.get_mut(&r)) {
                for key in missed {
                    r.objects.remove(&key);
                }
            }
        }
        Fault::ReplicaLag => {
            let Some(name) = targets.lagging_bucket else {
                return;
            };
            state.lag = Some(Lag {
                bucket: name.clone(),
                since: now - targets.lag_peak,
            });
            let Some(replica) = replica_of(state, &name) else {
                return;
            };
            if let Some(r) = state.buckets.get_mut(&replica) {
                let mut by_age: Vec<(DateTime<Utc>, String)> = r
                    .objects
                    .iter()
                    .map(|(k, o)| (o.last_modified, k.clone()))
                    .collect();
                by_age.sort();
                let keep = (by_age.len() as u64 * LAG_PERCENT).div_ceil(100) as usize;
                for (_, key) in &by_age[keep..] {
                    r.objects.remove(key);
                }
            }
        }
        Fault::StaleBackup => {
            let tables = targets.tables;
            let cutoff = now - Duration::days(STALE_DAYS);
            state
                .backups
                .retain(|b| !(tables.contains(&b.table_name) && b.created > cutoff));
        }
        Fault::MissingLambdaBackup => {
            if let Some(f) = targets.lambda_function {
                let marker = format!("/{f}/");
                for name in [
                    state.lambda_bucket.clone(),
                    state.lambda_copy_bucket.clone(),
                ]
                .into_iter()
                .flatten()
                {
                    if let Some(bucket) = state.buckets.get_mut(&name) {
                        bucket.objects.retain(|k, _| !k.contains(&marker));
                    }
                }
            }
        }
        Fault::StaleExport => {
            for t in state.tables.values_mut() {
                t.replica_regions.clear();
            }
        }
        Fault::Alarm => {
            if let Some(name) = targets.alarm {
                let primary = state.primary.clone();
                if let Some(a) = state.alarms.get_mut(&(primary, name)) {
                    a.state = AlarmState::Alarm;
                    a.updated = now - Duration::minutes(7);
                    a.reason = alarm_reason(a.threshold, a.updated);
                }
            }
        }
    }
}

/// Takes the fault out again: what the runbook's fix (or the next scheduled job) would do.
pub(super) fn heal(state: &mut State, estate: &Estate, fault: Fault, now: DateTime<Utc>) {
    let targets = state.targets.clone();
    match fault {
        Fault::RegionOutage | Fault::ShortRestore => {}
        Fault::PitrOff => {
            if let Some(t) = targets.pitr_table.and_then(|t| state.table_mut(&t))
                && t.pitr_since.is_none()
            {
                t.pitr_since = Some(now);
            }
        }
        Fault::ReplicationBroken => {
            let Some(name) = targets.broken_bucket else {
                return;
            };
            let replica = state.replicas.get(&name).cloned();
            if let (Some(b), Some(replica)) = (state.buckets.get_mut(&name), replica)
                && b.replication.is_none()
            {
                b.replication = Some(replication(&replica));
            }
        }
        Fault::ReplicaLag => {
            let Some(lag) = state.lag.take() else {
                return;
            };
            if let Some(replica) = replica_of(state, &lag.bucket)
                && let Some(source) = state.buckets.get(&lag.bucket).cloned()
                && let Some(r) = state.buckets.get_mut(&replica)
            {
                for (key, obj) in source.objects {
                    r.objects.entry(key).or_insert(obj);
                }
            }
        }
        Fault::StaleBackup => {
            for table in targets.tables {
                let Some(t) = state.table_mut(&table).cloned() else {
                    continue;
                };
                for b in daily_backups(&t, now, now) {
                    if !state.backups.iter().any(|have| have.name == b.name) {
                        state.backups.push(b);
                    }
                }
            }
        }
        Fault::MissingLambdaBackup => {
            let primary = state.primary.clone();
            let Some(f) = targets
                .lambda_function
                .and_then(|f| state.functions.get(&(primary, f)).cloned())
            else {
                return;
            };
            if let Some(bucket) = state.lambda_bucket_mut() {
                lambda_backups(bucket, estate, &f, now);
            }
            let copy = state.lambda_copy_bucket.clone();
            if let Some(bucket) = copy.and_then(|c| state.buckets.get_mut(&c)) {
                lambda_backups(bucket, estate, &f, now);
            }
        }
        Fault::StaleExport => {
            let (primary, backup) = (state.primary.clone(), targets.backup_region);
            for t in state.tables.values_mut().filter(|t| t.region == primary) {
                if t.replica_regions.is_empty() {
                    t.replica_regions.push(backup.clone());
                }
            }
        }
        Fault::Alarm => {
            if let Some(name) = targets.alarm {
                let primary = state.primary.clone();
                if let Some(a) = state.alarms.get_mut(&(primary, name)) {
                    a.state = AlarmState::Ok;
                    a.updated = now;
                    a.reason = ok_reason(a.threshold, now);
                }
            }
        }
    }
}

/// The bucket's replica as the estate file names it.
fn replica_of(state: &State, bucket: &str) -> Option<String> {
    state.replicas.get(bucket).cloned()
}

impl State {
    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables
            .get_mut(&(self.primary.clone(), name.to_owned()))
    }

    fn lambda_bucket_mut(&mut self) -> Option<&mut Bucket> {
        let name = self.lambda_bucket.clone()?;
        self.buckets.get_mut(&name)
    }
}
