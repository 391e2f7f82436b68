//! CloudWatch and STS in the simulation: alarms, S3 replication metrics computed from the
//! clock (so a lagging replica keeps falling behind as time passes), and the caller.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::state::State;
use super::{ACCOUNT, CALLER_ARN, Call, SimCloud, fnv};
use crate::cloud::{
    Alarm, AlarmState, CallerIdentity, CloudResult, Identity, MetricQuery, MetricSeries, Metrics,
};

const SERVICE: &str = "cloudwatch";
/// S3 publishes replication metrics every five minutes (at this simulation's resolution).
const RESOLUTION: i64 = 300;
/// How far back the simulated metrics go.
const HISTORY: Duration = Duration::days(15);

#[derive(Debug, Clone, Copy, PartialEq)]
enum ReplicationMetric {
    Latency,
    Pending,
}

/// The replication metric a query asks for, if S3 publishes it for a rule in `region`:
/// the dimensions must be exactly SourceBucket, DestinationBucket and RuleId of an enabled
/// rule with replication metrics on, as CloudWatch matches dimension sets exactly.
fn replication_series(
    state: &State,
    region: &str,
    q: &MetricQuery,
) -> Option<(String, ReplicationMetric)> {
    let metric = match (q.namespace.as_str(), q.metric.as_str()) {
        ("AWS/S3", "ReplicationLatency") => ReplicationMetric::Latency,
        ("AWS/S3", "OperationsPendingReplication") => ReplicationMetric::Pending,
        _ => return None,
    };
    let dim = |name: &str| {
        q.dimensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if q.dimensions.len() != 3 {
        return None;
    }
    let (source, destination, rule) = (
        dim("SourceBucket")?,
        dim("DestinationBucket")?,
        dim("RuleId")?,
    );
    let bucket = state.buckets.get(source).filter(|b| b.region == region)?;
    bucket
        .replication
        .as_ref()?
        .rules
        .iter()
        .any(|r| {
            r.enabled
                && r.metrics
                && r.destination_bucket == destination
                && r.id.as_deref() == Some(rule)
        })
        .then(|| (source.to_owned(), metric))
}

/// One five-minute value of a bucket's replication metric at `t` (seconds since the epoch).
fn value(state: &State, bucket: &str, metric: ReplicationMetric, t: i64) -> f64 {
    let step = t.div_euclid(RESOLUTION);
    let noise = (fnv(&[bucket, "noise", &step.to_string()]) % 1000) as f64 / 1000.0;
    let lag = state
        .lag
        .as_ref()
        .filter(|l| l.bucket == bucket && t >= l.since.timestamp())
        .map(|l| (t - l.since.timestamp()) as f64);
    match (metric, lag) {
        (ReplicationMetric::Latency, behind) => {
            let phase = (fnv(&[bucket, "phase"]) % 628) as f64 / 100.0;
            let wave = ((step as f64 * 0.45 + phase).sin() + 1.0) / 2.0;
            let normal = 5.0 + 55.0 * (0.7 * wave + 0.3 * noise);
            // Stuck replication: five minutes behind when it stopped, one more second each second.
            behind.map_or(normal, |secs| normal.max(300.0 + secs))
        }
        (ReplicationMetric::Pending, None) => (noise * 4.0).floor(),
        (ReplicationMetric::Pending, Some(secs)) => (20.0 + secs / 8.0 + noise * 10.0).floor(),
    }
}

fn aggregate(stat: &str, values: &[f64]) -> f64 {
    match stat {
        "Average" => values.iter().sum::<f64>() / values.len() as f64,
        "Sum" => values.iter().sum(),
        "Minimum" => values.iter().copied().fold(f64::INFINITY, f64::min),
        "SampleCount" => values.len() as f64,
        _ => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// The points in [start, end), one per period (rounded up to five minutes), each covering a
/// period that has fully passed by `now`; oldest first.
fn points(
    state: &State,
    bucket: &str,
    metric: ReplicationMetric,
    q: &MetricQuery,
    window: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, f64)> {
    let period = (i64::from(q.period_secs.max(1)) + RESOLUTION - 1) / RESOLUTION * RESOLUTION;
    // A rule put since publishes from then on, not before.
    let since = state.buckets.get(bucket).and_then(|b| b.replication_since);
    let from = window
        .0
        .max(now - HISTORY)
        .max(since.unwrap_or(window.0))
        .timestamp();
    let mut t = from + (period - from.rem_euclid(period)) % period;
    let until = window.1.min(now).timestamp();
    let mut out = Vec::new();
    while t < until {
        let values: Vec<f64> = (t..t + period)
            .step_by(RESOLUTION as usize)
            .filter(|u| u + RESOLUTION <= now.timestamp())
            .map(|u| value(state, bucket, metric, u))
            .collect();
        if let (false, Some(at)) = (values.is_empty(), DateTime::from_timestamp(t, 0)) {
            out.push((at, aggregate(&q.stat, &values)));
        }
        t += period;
    }
    out
}

fn valid_query_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[async_trait]
impl Metrics for SimCloud {
    async fn describe_alarms(
        &self,
        region: &str,
        names: &[String],
        prefix: Option<&str>,
    ) -> CloudResult<Vec<Alarm>> {
        self.enter(SERVICE, "DescribeAlarms", Some(region), region)
            .await?;
        let state = self.state();
        Ok(state
            .alarms
            .iter()
            .filter(|((r, name), _)| {
                r == region
                    && (names.is_empty() || names.contains(name))
                    && prefix.is_none_or(|p| name.starts_with(p))
            })
            .map(|(_, a)| Alarm {
                name: a.name.clone(),
                state: a.state,
                reason: Some(a.reason.clone()),
                updated: Some(a.updated),
                namespace: Some(a.namespace.clone()),
                metric: Some(a.metric.clone()),
            })
            .collect())
    }

    async fn get_metric_data(
        &self,
        region: &str,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> CloudResult<Vec<MetricSeries>> {
        let call = self
            .enter(SERVICE, "GetMetricData", Some(region), region)
            .await?;
        if start >= end {
            return Err(call.invalid(
                "ValidationError",
                "The parameter StartTime must be less than the parameter EndTime.",
            ));
        }
        if let Some((i, q)) = queries
            .iter()
            .enumerate()
            .find(|(_, q)| !valid_query_id(&q.id))
        {
            return Err(call.invalid(
                "ValidationError",
                format!(
                    "The value {} for parameter MetricDataQueries.member.{}.Id is not matching \
                     the expected pattern ^[a-z][a-zA-Z0-9_]*$.",
                    q.id,
                    i + 1
                ),
            ));
        }
        let now = self.clock.now();
        let state = self.state();
        Ok(queries
            .iter()
            .map(|q| MetricSeries {
                id: q.id.clone(),
                label: Some(q.metric.clone()),
                points: replication_series(&state, region, q)
                    .map(|(bucket, metric)| points(&state, &bucket, metric, q, (start, end), now))
                    .unwrap_or_default(),
            })
            .collect())
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl SimCloud {
    /// The state holds until something sets it again: the simulation does not evaluate
    /// alarms, so a drill's ALARM stays until it is set back.
    pub(super) fn set_alarm_state(
        &self,
        call: &Call,
        region: &str,
        alarm: &str,
        to: AlarmState,
        reason: &str,
    ) -> CloudResult<()> {
        if reason.chars().count() > 1023 {
            return Err(call.invalid(
                "ValidationError",
                "1 validation error detected: Value at 'stateReason' failed to satisfy \
                 constraint: Member must have length less than or equal to 1023",
            ));
        }
        let now = self.clock.now();
        let mut state = self.state();
        let a = state
            .alarms
            .get_mut(&(region.to_owned(), alarm.to_owned()))
            .ok_or_else(|| {
                call.not_found("ResourceNotFound", format!("Alarm {alarm} not found"))
            })?;
        a.state = to;
        a.reason = reason.to_owned();
        a.updated = now;
        Ok(())
    }
}

#[async_trait]
impl Identity for SimCloud {
    /// STS answers globally: this works during a region outage.
    async fn caller_identity(&self) -> CloudResult<CallerIdentity> {
        self.enter("sts", "GetCallerIdentity", None, "").await?;
        Ok(CallerIdentity {
            account: ACCOUNT.to_owned(),
            arn: CALLER_ARN.to_owned(),
            user_id: "AROA3SIMULATEDDEMO0001:sim".to_owned(),
        })
    }

    /// A regional STS endpoint goes down with its region.
    async fn caller_identity_in(&self, region: &str) -> CloudResult<CallerIdentity> {
        self.enter("sts", "GetCallerIdentity", Some(region), "")
            .await?;
        Ok(CallerIdentity {
            account: ACCOUNT.to_owned(),
            arn: CALLER_ARN.to_owned(),
            user_id: "AROA3SIMULATEDDEMO0001:sim".to_owned(),
        })
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    async fn pause(&self, d: std::time::Duration) {
        if self.clock.sleeps() {
            tokio::time::sleep(d).await;
        } else {
            self.clock
                .advance(chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero()));
            tokio::task::yield_now().await;
        }
    }
}
