//! Seeders: one resource of the estate at a time, through the AWS SDK (and moto's IAM query API,
//! since aws-sdk-iam is not a dependency), plus the Lambda deployment package they upload.

use std::io::Write;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::{ACCOUNT, MotoEnv, REPLICATION_ROLE, auth_header, call};

/// A zip archive holding one stored (uncompressed) file: enough for a Lambda package, and
/// with the `time` feature off every entry carries the same date, so equal inputs give equal
/// bytes (tests compare `CodeSize` with the package's length).
pub fn zip_one_file(name: &str, content: &[u8]) -> Vec<u8> {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(name, options)
        .unwrap_or_else(|e| panic!("zip {name}: {e}"));
    zip.write_all(content)
        .unwrap_or_else(|e| panic!("zip {name}: {e}"));
    zip.finish()
        .unwrap_or_else(|e| panic!("zip {name}: {e}"))
        .into_inner()
}

/// A minimal Python handler, zipped.
pub fn handler_zip(function: &str) -> Vec<u8> {
    let source = format!(
        "def handler(event, context):\n    return {{\"function\": \"{function}\", \"ok\": True}}\n"
    );
    zip_one_file("index.py", source.as_bytes())
}
impl MotoEnv {
    /// Creates an IAM role through moto's IAM query API; returns its ARN. Lambda's
    /// CreateFunction needs the role to exist.
    pub fn create_iam_role(&self, name: &str) -> String {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let request = self
            .post("/")
            // moto reads the service from the credential scope and does not check the signature.
            .header("Authorization", auth_header("us-east-1", "iam"))
            .form(&[
                ("Action", "CreateRole"),
                ("Version", "2010-05-08"),
                ("RoleName", name),
                ("AssumeRolePolicyDocument", policy),
            ]);
        let resp = call(request).unwrap_or_else(|e| panic!("IAM CreateRole {name}: {e}"));
        assert_eq!(resp.status, 200, "IAM CreateRole: {}", resp.body);
        let arn = format!("arn:aws:iam::{ACCOUNT}:role/{name}");
        assert!(
            resp.body.contains(&arn),
            "IAM CreateRole answered: {}",
            resp.body
        );
        arn
    }
}

/// A PAY_PER_REQUEST table keyed by the string `flight_id`.
pub async fn create_table(env: &MotoEnv, region: &str, name: &str) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    env.dynamodb(region)
        .await
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("flight_id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("flight_id")
                .key_type(KeyType::Hash)
                .build()
                .expect("key schema"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {name}: {e:?}"));
}

/// Writes items `FL00000 .. FL{count-1}` (8 at a time in flight).
pub async fn put_items(env: &MotoEnv, region: &str, table: &str, count: usize) {
    use aws_sdk_dynamodb::types::AttributeValue;
    let client = env.dynamodb(region).await;
    futures::stream::iter(0..count)
        .map(|i| {
            let client = client.clone();
            async move {
                client
                    .put_item()
                    .table_name(table)
                    .item("flight_id", AttributeValue::S(format!("FL{i:05}")))
                    .item(
                        "timestamp",
                        AttributeValue::S(format!("2026-01-01T00:{:02}:00Z", i % 60)),
                    )
                    .item("altitude", AttributeValue::N((30_000 + i).to_string()))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("PutItem {table} #{i}: {e:?}"));
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
}

pub async fn enable_pitr(env: &MotoEnv, region: &str, table: &str) {
    use aws_sdk_dynamodb::types::PointInTimeRecoverySpecification;
    env.dynamodb(region)
        .await
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .expect("PITR specification"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateContinuousBackups {table}: {e:?}"));
}

/// Creates an on-demand backup; returns its ARN.
pub async fn create_backup(env: &MotoEnv, region: &str, table: &str, name: &str) -> String {
    let out = env
        .dynamodb(region)
        .await
        .create_backup()
        .table_name(table)
        .backup_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBackup {table}: {e:?}"));
    out.backup_details()
        .expect("backup details")
        .backup_arn()
        .to_owned()
}

/// Creates a bucket; outside us-east-1 with a LocationConstraint, as AWS requires.
pub async fn create_bucket(env: &MotoEnv, region: &str, bucket: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut req = env.s3(region).await.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
}

pub async fn enable_versioning(env: &MotoEnv, region: &str, bucket: &str) {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    env.s3(region)
        .await
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutBucketVersioning {bucket}: {e:?}"));
}

/// The plan's V1 rule: everything (`Prefix ""`) to `destination`, STANDARD_IA.
pub async fn put_replication(env: &MotoEnv, region: &str, bucket: &str, destination: &str) {
    use aws_sdk_s3::types::{
        Destination, ReplicationConfiguration, ReplicationRule, ReplicationRuleStatus, StorageClass,
    };
    #[allow(deprecated)] // The V1 `Prefix`, exactly as the plan's script writes it.
    let rule = ReplicationRule::builder()
        .id("ReplicateEverything")
        .status(ReplicationRuleStatus::Enabled)
        .prefix("")
        .destination(
            Destination::builder()
                .bucket(format!("arn:aws:s3:::{destination}"))
                .storage_class(StorageClass::StandardIa)
                .build()
                .expect("destination"),
        )
        .build()
        .expect("replication rule");
    env.s3(region)
        .await
        .put_bucket_replication()
        .bucket(bucket)
        .replication_configuration(
            ReplicationConfiguration::builder()
                .role(REPLICATION_ROLE)
                .rules(rule)
                .build()
                .expect("replication configuration"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutBucketReplication {bucket}: {e:?}"));
}

/// Puts objects concurrently (16 in flight).
pub async fn put_objects(
    env: &MotoEnv,
    region: &str,
    bucket: &str,
    objects: Vec<(String, Vec<u8>)>,
) {
    let client = env.s3(region).await;
    futures::stream::iter(objects)
        .map(|(key, body)| {
            let client = client.clone();
            async move {
                client
                    .put_object()
                    .bucket(bucket)
                    .key(&key)
                    .body(body.into())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("PutObject {bucket}/{key}: {e:?}"));
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

/// `count` objects `data/2026/01/01/part-NNNNN.json` of `10 + i % 7` bytes each.
pub fn data_objects(count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| {
            (
                format!("data/2026/01/01/part-{i:05}.json"),
                vec![b'x'; 10 + i % 7],
            )
        })
        .collect()
}

pub async fn create_function(env: &MotoEnv, region: &str, name: &str, role_arn: &str) {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    env.lambda(region)
        .await
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(role_arn)
        .handler("index.handler")
        .timeout(30)
        .memory_size(256)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(handler_zip(name)))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateFunction {name}: {e:?}"));
}

/// A hosted zone; returns its id without the "/hostedzone/" prefix.
pub async fn create_zone(env: &MotoEnv, name: &str) -> String {
    let out = env
        .route53()
        .await
        .create_hosted_zone()
        .name(name)
        .caller_reference(format!(
            "{name}-{}",
            Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateHostedZone {name}: {e:?}"));
    let id = out.hosted_zone().expect("hosted zone").id();
    id.trim_start_matches("/hostedzone/").to_owned()
}

/// An HTTPS health check on `fqdn`/health; returns its id.
pub async fn create_health_check(env: &MotoEnv, fqdn: &str) -> String {
    use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType};
    let out = env
        .route53()
        .await
        .create_health_check()
        .caller_reference(format!(
            "{fqdn}-{}",
            Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ))
        .health_check_config(
            HealthCheckConfig::builder()
                .r#type(HealthCheckType::Https)
                .fully_qualified_domain_name(fqdn)
                .port(443)
                .resource_path("/health")
                .request_interval(30)
                .failure_threshold(3)
                .build()
                .expect("health check config"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateHealthCheck {fqdn}: {e:?}"));
    out.health_check().expect("health check").id().to_owned()
}

/// Creates a failover A record (TTL 60).
pub async fn create_failover_record(
    env: &MotoEnv,
    zone_id: &str,
    name: &str,
    primary: bool,
    value: &str,
    health_check_id: Option<&str>,
) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet,
        ResourceRecordSetFailover, RrType,
    };
    let (identifier, failover) = if primary {
        ("primary", ResourceRecordSetFailover::Primary)
    } else {
        ("secondary", ResourceRecordSetFailover::Secondary)
    };
    let record = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .set_identifier(identifier)
        .failover(failover)
        .ttl(60)
        .resource_records(
            ResourceRecord::builder()
                .value(value)
                .build()
                .expect("record"),
        )
        .set_health_check_id(health_check_id.map(str::to_owned))
        .build()
        .expect("record set");
    env.route53()
        .await
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .comment("seed")
                .changes(
                    Change::builder()
                        .action(ChangeAction::Create)
                        .resource_record_set(record)
                        .build()
                        .expect("change"),
                )
                .build()
                .expect("change batch"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("ChangeResourceRecordSets {name} {identifier}: {e:?}"));
}

/// PutMetricAlarm: `metric` of `namespace` with one dimension, "> threshold" over 1 period.
pub async fn put_alarm(
    env: &MotoEnv,
    region: &str,
    name: &str,
    namespace: &str,
    metric: &str,
    dimension: (&str, &str),
    threshold: f64,
) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    env.cloudwatch(region)
        .await
        .put_metric_alarm()
        .alarm_name(name)
        .alarm_description(format!("{name} (seeded)"))
        .namespace(namespace)
        .metric_name(metric)
        .dimensions(
            Dimension::builder()
                .name(dimension.0)
                .value(dimension.1)
                .build(),
        )
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricAlarm {name}: {e:?}"));
}

/// SetAlarmState: moto never evaluates alarms (they stay OK), so tests fire them by hand.
pub async fn set_alarm_state(env: &MotoEnv, region: &str, name: &str, alarm: bool, reason: &str) {
    use aws_sdk_cloudwatch::types::StateValue;
    env.cloudwatch(region)
        .await
        .set_alarm_state()
        .alarm_name(name)
        .state_value(if alarm {
            StateValue::Alarm
        } else {
            StateValue::Ok
        })
        .state_reason(reason)
        .send()
        .await
        .unwrap_or_else(|e| panic!("SetAlarmState {name}: {e:?}"));
}

/// PutMetricData of `(timestamp, value)` points with one dimension, unit Count.
pub async fn put_metric_points(
    env: &MotoEnv,
    region: &str,
    namespace: &str,
    metric: &str,
    dimension: (&str, &str),
    points: &[(DateTime<Utc>, f64)],
) {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    let data: Vec<MetricDatum> = points
        .iter()
        .map(|(at, value)| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(
                    Dimension::builder()
                        .name(dimension.0)
                        .value(dimension.1)
                        .build(),
                )
                .timestamp(aws_smithy_types::DateTime::from_secs(at.timestamp()))
                .value(*value)
                .unit(StandardUnit::Count)
                .build()
        })
        .collect();
    env.cloudwatch(region)
        .await
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricData {namespace}/{metric}: {e:?}"));
}

impl MotoEnv {
    /// Creates an SQS queue through moto's SQS query API (aws-sdk-sqs is not a dependency);
    /// returns its ARN, what an event source mapping names.
    pub fn create_queue(&self, region: &str, name: &str) -> String {
        let request = self
            .post("/")
            .header("Authorization", auth_header(region, "sqs"))
            .form(&[
                ("Action", "CreateQueue"),
                ("Version", "2012-11-05"),
                ("QueueName", name),
            ]);
        let resp = call(request).unwrap_or_else(|e| panic!("SQS CreateQueue {name}: {e}"));
        assert_eq!(resp.status, 200, "SQS CreateQueue: {}", resp.body);
        assert!(resp.body.contains(name), "SQS CreateQueue: {}", resp.body);
        format!("arn:aws:sqs:{region}:{ACCOUNT}:{name}")
    }
}

/// Feeds `function` from the queue; returns the mapping's UUID.
pub async fn create_event_source_mapping(
    env: &MotoEnv,
    region: &str,
    function: &str,
    queue_arn: &str,
) -> String {
    let out = env
        .lambda(region)
        .await
        .create_event_source_mapping()
        .function_name(function)
        .event_source_arn(queue_arn)
        .batch_size(10)
        .enabled(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateEventSourceMapping {function}: {e:?}"));
    out.uuid().expect("the mapping's UUID").to_owned()
}
