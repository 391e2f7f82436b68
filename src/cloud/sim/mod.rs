//! An embedded simulated estate: the same ports as the AWS adapters, no network.
//!
//! `SimCloud` builds the plan's estate from the estate file, in memory, as of its clock's
//! "now": tables with PITR and seven daily backups, replicated buckets with their objects,
//! functions with three days of backups, failover records with a health check, alarms, and
//! S3 replication metrics. It answers like AWS does (error codes, messages, eventual states:
//! a restore is CREATING for 90 s of clock), not like moto. It is for `drconsole --demo`
//! and for console tests; it never stands in for tests of the AWS adapters.
//!
//! Faults ([`Fault`]) change what reads return, each on a fixed resource of the estate:
//! pitr-off the first table; replication-broken the first bucket with a replica (its rule
//! lost twelve hours ago, so the objects written since are not in the replica); replica-lag
//! the second one (the first when there is only one): its replica holds 88% of the objects
//! and its replication latency climbs to 45 minutes or to 15 minutes past the tightest RPO
//! of the services using it, whichever is longer, so the lag breaks that RPO; stale-backup
//! every table; missing-lambda-backup the ingestion function (the first function when none
//! is named); alarm the first alarm; region-outage every call to the primary region (Route53
//! and STS are global and keep answering; the primary's health check fails).
//!
//! Writes repair what they fix, as on AWS: PITR turned on, a replication rule put back (it
//! replicates new objects only, so what the source took in while the rule was missing stays
//! missing from the replica), a function's backup uploaded, an alarm set back to OK. A fault
//! whose faulted configuration a write has removed is over and no longer listed. Every write
//! answers with a request id; a region outage refuses writes to the primary as it does reads.
//!
//! Time: restores are CREATING for 90 s, deletes DELETING for 20 s, exports IN_PROGRESS for
//! 5 minutes, imports (their table CREATING) for 10 minutes, DNS changes PENDING for 60 s,
//! event source mappings Enabling or Disabling for 5 s, stacks updating for 4 minutes,
//! creating for 5 and deleting for 3 (an event a step), all on the [`SimClock`]. PITR's
//! window and the metrics are computed from the clock
//! at read time, so a real clock stays current.

mod clock;
mod cloudformation;
mod cloudwatch;
mod dynamodb;
mod dynamodb_import;
mod fault;
mod lambda;
mod route53;
mod s3;
mod seed;
mod state;
#[cfg(test)]
mod tests;
mod writes;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

pub use clock::{LATENCY_RANGE_MS, Latency, SimClock, call_latency};
pub use fault::{Fault, ParseFaultError};

use super::{CloudError, ErrorKind};
use crate::config::Estate;
use state::State;

/// The simulated account.
pub const ACCOUNT: &str = "123456789012";
/// The simulated caller.
pub const CALLER_ARN: &str = "arn:aws:sts::123456789012:assumed-role/drconsole-demo/sim";

/// How a simulated estate starts.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub clock: SimClock,
    pub latency: Latency,
    pub faults: Vec<Fault>,
}

impl Default for SimOptions {
    /// The demo: the system clock, realistic latency, no faults.
    fn default() -> Self {
        Self {
            clock: SimClock::real(),
            latency: Latency::Realistic,
            faults: Vec::new(),
        }
    }
}

/// A simulated AWS estate implementing every port. The state sits behind one mutex that is
/// never held across an await.
pub struct SimCloud {
    estate: Estate,
    clock: SimClock,
    latency: Latency,
    calls: AtomicU64,
    state: Mutex<State>,
}

impl SimCloud {
    /// The estate file's resources, healthy as of `options.clock.now()`, then `options.faults`.
    pub fn new(estate: &Estate, options: SimOptions) -> SimCloud {
        let now = options.clock.now();
        let mut state = seed::healthy(estate, now);
        for fault in options.faults {
            if state.faults.insert(fault) {
                fault::apply(&mut state, fault, now);
            }
        }
        state.sync_replicas();
        SimCloud {
            estate: estate.clone(),
            clock: options.clock,
            latency: options.latency,
            calls: AtomicU64::new(0),
            state: Mutex::new(state),
        }
    }

    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// The faults in effect, in [`Fault::ALL`] order.
    pub fn faults(&self) -> Vec<Fault> {
        self.state().faults.iter().copied().collect()
    }

    /// Switches a fault on (as if it happened now) or off (as if it was repaired now: PITR
    /// turned back on, the replication rule put back, the replica caught up, the backup jobs
    /// run again, the alarm back to OK). Writes made meanwhile are kept.
    pub fn set_fault(&self, fault: Fault, active: bool) {
        let now = self.clock.now();
        let mut state = self.state();
        if active && state.faults.insert(fault) {
            fault::apply(&mut state, fault, now);
        } else if !active && state.faults.remove(&fault) {
            fault::heal(&mut state, &self.estate, fault, now);
        }
        state.sync_replicas();
    }

    /// The state, with every transition due by now applied.
    fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.settle(self.clock.now());
        state
    }

    /// Every call starts here: it takes its simulated time, then fails as AWS would if its
    /// region is out. `region` is `None` for the global services (Route53, STS).
    async fn enter(
        &self,
        service: &'static str,
        operation: &'static str,
        region: Option<&str>,
        resource: &str,
    ) -> Result<Call, CloudError> {
        let id = self.calls.fetch_add(1, Ordering::Relaxed);
        if self.latency == Latency::Realistic {
            tokio::time::sleep(call_latency(operation, resource, id)).await;
        }
        let call = Call {
            service,
            operation,
            id,
        };
        match region {
            Some(region) if self.state().is_down(region) => Err(call.unreachable(region)),
            _ => Ok(call),
        }
    }
}

impl std::fmt::Debug for SimCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCloud")
            .field("estate", &self.estate.name)
            .field("clock", &self.clock)
            .field("latency", &self.latency)
            .field("faults", &self.faults())
            .finish()
    }
}

/// One call in flight: names the errors it returns.
#[derive(Debug, Clone, Copy)]
struct Call {
    service: &'static str,
    operation: &'static str,
    id: u64,
}

impl Call {
    fn fail(&self, kind: ErrorKind, code: &str, message: impl Into<String>) -> CloudError {
        CloudError {
            service: self.service,
            operation: self.operation,
            kind,
            code: Some(code.to_owned()),
            message: message.into(),
            request_id: Some(request_id(self.id)),
        }
    }

    fn not_found(&self, code: &str, message: impl Into<String>) -> CloudError {
        self.fail(ErrorKind::NotFound, code, message)
    }

    /// A refusal, of the kind the AWS adapter gives the same code.
    fn invalid(&self, code: &str, message: impl Into<String>) -> CloudError {
        self.fail(kind_of(code), code, message)
    }

    /// The id AWS would return with this call's answer.
    fn request_id(&self) -> String {
        request_id(self.id)
    }

    /// What the adapter reports when the endpoint does not answer: no code, no request id.
    fn unreachable(&self, region: &str) -> CloudError {
        let host = match self.service {
            "cloudwatch" => "monitoring",
            other => other,
        };
        CloudError::new(
            self.service,
            self.operation,
            ErrorKind::Unreachable,
            format!(
                "could not reach the endpoint: {host}.{region}.amazonaws.com \
                 (simulated region outage)"
            ),
        )
    }
}

/// How the AWS adapter classifies each code the simulation answers with, so a caller sees the
/// same [`ErrorKind`] from both.
fn kind_of(code: &str) -> ErrorKind {
    match code {
        "TableAlreadyExistsException" | "BucketAlreadyOwnedByYou" => ErrorKind::AlreadyExists,
        // InvalidBucketState is S3's 409.
        "ResourceInUseException"
        | "TableInUseException"
        | "BackupInUseException"
        | "ContinuousBackupsUnavailableException"
        | "InvalidBucketState" => ErrorKind::Conflict,
        "ValidationException"
        | "ValidationError"
        | "InvalidParameterValueException"
        | "InvalidRequest"
        | "InvalidInput"
        | "InvalidChangeBatch"
        | "InvalidBucketName"
        | "InvalidRestoreTimeException"
        | "PointInTimeRecoveryUnavailableException"
        | "InvalidExportTimeException" => ErrorKind::Validation,
        _ => ErrorKind::Service,
    }
}

/// A request id shaped like AWS's.
fn request_id(call: u64) -> String {
    let a = fnv(&["request", &call.to_string()]);
    let b = fnv(&["request-tail", &call.to_string()]);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// FNV-1a over the parts (separated, so ["ab","c"] and ["a","bc"] differ): the simulation's
/// only source of variety, so the same inputs always give the same estate.
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // FNV mixes its last bytes poorly into the high bits; finish like splitmix64.
    h ^= h >> 31;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 29)
}

/// `len` pseudo-random bytes from the parts, base64-encoded.
fn pseudo_b64(parts: &[&str], len: usize) -> String {
    let bytes: Vec<u8> = (0..len.div_ceil(8))
        .flat_map(|i| {
            let mut p = parts.to_vec();
            let i = i.to_string();
            p.push(&i);
            fnv(&p).to_le_bytes()
        })
        .take(len)
        .collect();
    base64(&bytes)
}

/// Standard base64 with padding, as AWS prints a `CodeSha256`.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// DynamoDB's rule for table and backup names: `[a-zA-Z0-9_.-]`, 3 to 255 characters.
fn valid_dynamodb_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A `DateTime` as AWS prints it in messages.
fn aws_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
