//! CloudWatch: watched alarms and metric series (replication latency, pending operations), and
//! the alarm state a drill sets.

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{
    AlarmType, Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StateValue,
};
use chrono::{DateTime, Utc};

use super::{AwsCloud, cloud_error, request_id, to_chrono, to_smithy};
use crate::cloud::{
    Alarm, AlarmState, CloudResult, MetricQuery, MetricSeries, Metrics, Sent, WriteOutput,
};

const SERVICE: &str = "cloudwatch";

fn data_query(q: &MetricQuery) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(&q.namespace)
        .metric_name(&q.metric)
        .set_dimensions(Some(
            q.dimensions
                .iter()
                .map(|(name, value)| Dimension::builder().name(name).value(value).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(&q.id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(q.period_secs)
                .stat(&q.stat)
                .build(),
        )
        .return_data(true)
        .build()
}

fn state(value: Option<&StateValue>) -> AlarmState {
    match value {
        Some(StateValue::Alarm) => AlarmState::Alarm,
        Some(StateValue::Ok) => AlarmState::Ok,
        _ => AlarmState::InsufficientData,
    }
}

#[async_trait]
impl Metrics for AwsCloud {
    async fn describe_alarms(
        &self,
        region: &str,
        names: &[String],
        prefix: Option<&str>,
    ) -> CloudResult<Vec<Alarm>> {
        let client = self.cloudwatch(region);
        let mut alarms = Vec::new();
        // DescribeAlarms takes at most 100 names per call.
        let batches: Vec<Option<&[String]>> = if names.is_empty() {
            vec![None]
        } else {
            names.chunks(100).map(Some).collect()
        };
        for batch in batches {
            let mut token = None;
            loop {
                let out = client
                    .describe_alarms()
                    .set_alarm_names(batch.map(<[String]>::to_vec))
                    // AWS refuses names and a prefix together: names win, the prefix filters.
                    .set_alarm_name_prefix(prefix.filter(|_| batch.is_none()).map(str::to_owned))
                    .alarm_types(AlarmType::MetricAlarm)
                    .alarm_types(AlarmType::CompositeAlarm)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| cloud_error(SERVICE, "DescribeAlarms", e))?;
                let wanted = |name: &str| prefix.is_none_or(|p| name.starts_with(p));
                for a in out.metric_alarms() {
                    let name = a.alarm_name().unwrap_or_default();
                    if wanted(name) {
                        alarms.push(Alarm {
                            name: name.to_owned(),
                            state: state(a.state_value()),
                            reason: a.state_reason().map(str::to_owned),
                            updated: a.state_updated_timestamp().and_then(to_chrono),
                            namespace: a.namespace().map(str::to_owned),
                            metric: a.metric_name().map(str::to_owned),
                        });
                    }
                }
                // Composite alarms (a rule over other alarms) have no metric of their own.
                for a in out.composite_alarms() {
                    let name = a.alarm_name().unwrap_or_default();
                    if wanted(name) {
                        alarms.push(Alarm {
                            name: name.to_owned(),
                            state: state(a.state_value()),
                            reason: a.state_reason().map(str::to_owned),
                            updated: a.state_updated_timestamp().and_then(to_chrono),
                            namespace: None,
                            metric: None,
                        });
                    }
                }
                match out.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                    _ => break,
                }
            }
        }
        Ok(alarms)
    }

    async fn get_metric_data(
        &self,
        region: &str,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> CloudResult<Vec<MetricSeries>> {
        let client = self.cloudwatch(region);
        let mut series: Vec<MetricSeries> = queries
            .iter()
            .map(|q| MetricSeries {
                id: q.id.clone(),
                label: None,
                points: Vec::new(),
            })
            .collect();
        let mut token = None;
        loop {
            let out = client
                .get_metric_data()
                .set_metric_data_queries(Some(queries.iter().map(data_query).collect()))
                .start_time(to_smithy(start))
                .end_time(to_smithy(end))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, "GetMetricData", e))?;
            for result in out.metric_data_results() {
                let Some(s) = series
                    .iter_mut()
                    .find(|s| Some(s.id.as_str()) == result.id())
                else {
                    continue;
                };
                s.label = result.label().map(str::to_owned).or(s.label.take());
                s.points.extend(
                    result
                        .timestamps()
                        .iter()
                        .zip(result.values())
                        .filter_map(|(t, v)| Some((to_chrono(t)?, *v))),
                );
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => break,
            }
        }
        // Pages and ScanBy are hints some endpoints ignore: the order is ours to guarantee.
        for s in &mut series {
            s.points.sort_by_key(|(t, _)| *t);
        }
        Ok(series)
    }
}

/// Writes: reached only through [`crate::cloud::Writes::send`].
impl AwsCloud {
    /// The state holds until the alarm's next evaluation, which sets it from the metric again.
    #[tracing::instrument(level = "error", skip_all, fields(target = alarm))]
    pub(crate) async fn set_alarm_state(
        &self,
        region: &str,
        alarm: &str,
        to: AlarmState,
        reason: &str,
    ) -> CloudResult<Sent> {
        let value = match to {
            AlarmState::Ok => StateValue::Ok,
            AlarmState::Alarm => StateValue::Alarm,
            AlarmState::InsufficientData => StateValue::InsufficientData,
        };
        let out = self
            .cloudwatch_write(region)
            .set_alarm_state()
            .alarm_name(alarm)
            .state_value(value)
            .state_reason(reason)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, "SetAlarmState", e))?;
        Ok(Sent::new(request_id(&out), WriteOutput::Nothing))
    }
}
