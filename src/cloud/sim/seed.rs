//! The healthy estate built from the estate file at a moment T, and how each fault changes it
//! (and how switching a fault off repairs it). Every number comes from a hash of a name, so
//! the same estate and the same T always give the same state.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};

use super::lambda::code_sha256;
use super::state::{
    AlarmRec, Backup, Bucket, EXPORT_TAKES, Function, HealthCheck, Mapping, Obj, State, Table,
    TableStatus, Targets, Zone, put_object,
};
use super::{ACCOUNT, fnv, pseudo_b64};
use crate::cloud::{
    AlarmState, Failover, RecordSet, ReplicationConfig, ReplicationRule, Versioning,
};
use crate::config::Estate;

/// Replication rule id of every seeded bucket.
pub const RULE_ID: &str = "ReplicateEverything";
/// The value of the PRIMARY and SECONDARY records of type A.
pub const PRIMARY_IP: &str = "203.0.113.10";
pub const SECONDARY_IP: &str = "198.51.100.20";
/// Share of the lagging replica's objects that did arrive.
pub const LAG_PERCENT: u64 = 88;

const DAILY_BACKUPS: i64 = 7;
const LAMBDA_BACKUP_DAYS: i64 = 3;
pub const STALE_DAYS: i64 = 3;

pub(super) fn table_arn(region: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}")
}

pub(super) fn function_arn(region: &str, name: &str) -> String {
    format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{name}")
}

/// AWS's `<14-digit creation millis>-<8 hex>` identifier of backups and exports.
pub(super) fn aws_id(at: DateTime<Utc>, salt: &[&str]) -> String {
    format!(
        "{:014}-{:08x}",
        at.timestamp_millis().max(0),
        fnv(salt) as u32
    )
}

pub(super) fn backup_arn(region: &str, table: &str, at: DateTime<Utc>, salt: &str) -> String {
    let id = aws_id(at, &[table, salt]);
    format!("{}/backup/{id}", table_arn(region, table))
}

/// The most recent `hh:00` UTC at or before `now`.
fn last_daily(now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).expect("a valid hour");
    let today = now.date_naive().and_time(time).and_utc();
    if today > now {
        today - Duration::days(1)
    } else {
        today
    }
}

/// Every table, bucket, function, record and alarm of the estate, healthy, as of `now`.
pub(super) fn healthy(estate: &Estate, now: DateTime<Utc>) -> State {
    let primary = estate.regions.primary.get_ref().clone();
    let backup = estate.regions.backup.get_ref().clone();
    let mut state = State {
        primary: primary.clone(),
        faults: BTreeSet::new(),
        targets: targets(estate),
        tables: BTreeMap::new(),
        backups: Vec::new(),
        exports: Vec::new(),
        imports: Vec::new(),
        bodies: BTreeMap::new(),
        buckets: BTreeMap::new(),
        functions: BTreeMap::new(),
        zones: BTreeMap::new(),
        health_checks: BTreeMap::new(),
        changes: BTreeMap::new(),
        alarms: BTreeMap::new(),
        mappings: BTreeMap::new(),
        lag: None,
        replicas: estate
            .s3
            .buckets
            .iter()
            .filter_map(|b| Some((b.name.get_ref().clone(), b.replica.clone()?)))
            .collect(),
        lambda_bucket: estate.lambda.backup_bucket.clone(),
        lambda_copy_bucket: estate.lambda.backup_copy_bucket.clone(),
        serial: 0,
        stacks: super::cloudformation::seed(estate, now),
    };
    for name in estate.dynamodb.tables.iter().map(|t| t.get_ref()) {
        let mut table = seed_table(&primary, name, now);
        // A global table: its replica in the backup region is the copy that outlives the
        // primary region.
        table.replica_regions = vec![backup.clone()];
        state.backups.extend(daily_backups(&table, now, now));
        state.tables.insert((primary.clone(), name.clone()), table);
    }
    for b in &estate.s3.buckets {
        let name = b.name.get_ref();
        let mut bucket = empty_bucket(name, &primary, now);
        bucket_objects(&mut bucket, now);
        if let Some(replica) = &b.replica {
            bucket.replication = Some(replication(replica));
            let mut copy = bucket.clone();
            copy.name = replica.clone();
            copy.region = backup.clone();
            copy.replication = None;
            state.buckets.insert(replica.clone(), copy);
        }
        state.buckets.insert(name.clone(), bucket);
    }
    if let Some(name) = &estate.dynamodb.export_bucket {
        let mut bucket = empty_bucket(name, &backup, now);
        let mut made = Vec::new();
        for table in state.tables.values() {
            made.extend(weekly_exports(&mut bucket, estate, table, now));
        }
        for (export, schema) in made {
            let key = format!("{}{}", export.prefix, super::dynamodb_import::SCHEMA_FILE);
            state.bodies.insert((name.clone(), key), schema);
            state.exports.push(export);
        }
        state.buckets.insert(name.clone(), bucket);
    }
    for name in estate.named_functions() {
        state.functions.insert(
            (primary.clone(), name.clone()),
            seed_function(&primary, &name, now),
        );
    }
    if let Some(f) = state
        .targets
        .lambda_function
        .as_ref()
        .and_then(|f| state.functions.get(&(primary.clone(), f.clone())))
    {
        let mapping = seed_mapping(f, &primary);
        state.mappings.insert(mapping.uuid.clone(), mapping);
    }
    if let Some(name) = &estate.lambda.backup_bucket {
        let mut bucket = empty_bucket(name, &primary, now);
        for function in state.functions.values() {
            lambda_backups(&mut bucket, estate, function, now);
        }
        if let Some(copy) = &estate.lambda.backup_copy_bucket {
            let mut copied = bucket.clone();
            copied.name = copy.clone();
            copied.region = backup.clone();
            state.buckets.insert(copy.clone(), copied);
        }
        state.buckets.insert(name.clone(), bucket);
    }
    seed_dns(&mut state, estate);
    for name in estate.cloudwatch.alarms.iter().map(|a| a.get_ref()) {
        state
            .alarms
            .insert((primary.clone(), name.clone()), seed_alarm(name, now));
    }
    state
}

fn targets(estate: &Estate) -> Targets {
    let replicated: Vec<&String> = estate
        .s3
        .buckets
        .iter()
        .filter(|b| b.replica.is_some())
        .map(|b| b.name.get_ref())
        .collect();
    let lagging = replicated
        .get(1)
        .or(replicated.first())
        .map(|b| (*b).clone());
    let tightest_rpo = lagging
        .as_deref()
        .and_then(|b| estate.services_for_bucket(b).map(|s| s.rpo.as_secs()).min());
    let lag_peak = tightest_rpo.map_or(Duration::minutes(45), |rpo| {
        Duration::minutes(45).max(Duration::seconds(rpo as i64) + Duration::minutes(15))
    });
    Targets {
        tables: estate
            .dynamodb
            .tables
            .iter()
            .map(|t| t.get_ref().clone())
            .collect(),
        pitr_table: estate.dynamodb.tables.first().map(|t| t.get_ref().clone()),
        broken_bucket: replicated.first().map(|b| (*b).clone()),
        lagging_bucket: lagging,
        lag_peak,
        lambda_function: estate
            .lambda
            .ingestion_function
            .as_ref()
            .map(|f| f.get_ref().clone())
            .or_else(|| estate.named_functions().into_iter().next()),
        alarm: estate
            .cloudwatch
            .alarms
            .first()
            .map(|a| a.get_ref().clone()),
        backup_region: estate.regions.backup.get_ref().clone(),
    }
}

fn seed_table(region: &str, name: &str, now: DateTime<Utc>) -> Table {
    let h = fnv(&["table", name]);
    let items = 1000 * (2 + h % 98) + (h >> 16) % 1000;
    let item_bytes = 200 + (h >> 32) % 1000;
    let created = now - Duration::days(180 + (h % 500) as i64);
    Table {
        name: name.to_owned(),
        region: region.to_owned(),
        arn: table_arn(region, name),
        status: TableStatus::Active,
        items,
        size_bytes: items * item_bytes,
        created,
        pitr_since: Some(created),
        replica_regions: Vec::new(),
        shape_of: name.to_owned(),
        ttl_attribute: h.is_multiple_of(2).then(|| "expires_at".to_owned()),
        stream_view_type: h.is_multiple_of(4).then(|| "NEW_AND_OLD_IMAGES".to_owned()),
        tags: [
            ("environment".to_owned(), "production".to_owned()),
            ("table".to_owned(), name.to_owned()),
        ]
        .into(),
    }
}

/// A seeded table's key schema, attribute definitions and global indexes: `pk`/`sk`
/// strings, and a `by-status` index on every other table.
pub(super) fn table_shape(
    name: &str,
) -> (
    Vec<crate::cloud::KeyElement>,
    Vec<crate::cloud::AttributeDef>,
    Vec<crate::cloud::IndexDef>,
) {
    use crate::cloud::{AttributeDef, IndexDef, KeyElement};
    let key = |attribute: &str, key_type: &str| KeyElement {
        attribute: attribute.to_owned(),
        key_type: key_type.to_owned(),
    };
    let attribute = |name: &str| AttributeDef {
        name: name.to_owned(),
        attribute_type: "S".to_owned(),
    };
    let mut attributes = vec![attribute("pk"), attribute("sk")];
    let mut indexes = Vec::new();
    if fnv(&["table", name]) % 3 != 1 {
        attributes.push(attribute("status"));
        indexes.push(IndexDef {
            name: "by-status".to_owned(),
            key_schema: vec![key("status", "HASH"), key("sk", "RANGE")],
            projection: "ALL".to_owned(),
            non_key_attributes: Vec::new(),
            provisioned: None,
        });
    }
    (
        vec![key("pk", "HASH"), key("sk", "RANGE")],
        attributes,
        indexes,
    )
}

/// The plan's daily backup job: `daily-backup-YYYYMMDD-<table>` at 02:00 UTC for the last
/// seven days, none later than `newest`.
pub(super) fn daily_backups(
    table: &Table,
    now: DateTime<Utc>,
    newest: DateTime<Utc>,
) -> Vec<Backup> {
    let last = last_daily(newest.min(now), 2);
    (0..DAILY_BACKUPS)
        .map(|days| {
            let at = last - Duration::days(days);
            let name = format!("daily-backup-{}-{}", at.format("%Y%m%d"), table.name);
            Backup {
                arn: backup_arn(&table.region, &table.name, at, &name),
                name,
                region: table.region.clone(),
                table_name: table.name.clone(),
                created: at,
                status: "AVAILABLE",
                backup_type: "USER",
                size_bytes: table.size_bytes,
                items: table.items,
            }
        })
        .collect()
}

pub(super) fn empty_bucket(name: &str, region: &str, now: DateTime<Utc>) -> Bucket {
    Bucket {
        name: name.to_owned(),
        region: region.to_owned(),
        created: now - Duration::days(400 + (fnv(&["bucket", name]) % 300) as i64),
        versioning: Versioning::Enabled,
        replication: None,
        replication_since: None,
        objects: BTreeMap::new(),
        delete_markers: BTreeSet::new(),
    }
}

pub(super) fn replication(replica: &str) -> ReplicationConfig {
    ReplicationConfig {
        role: format!("arn:aws:iam::{ACCOUNT}:role/s3-replication-role"),
        rules: vec![ReplicationRule {
            id: Some(RULE_ID.to_owned()),
            enabled: true,
            priority: Some(1),
            prefix: String::new(),
            destination_arn: format!("arn:aws:s3:::{replica}"),
            destination_bucket: replica.to_owned(),
            storage_class: Some("STANDARD".to_owned()),
            delete_marker_replication: true,
            replication_time: true,
            metrics: true,
        }],
    }
}

/// A few hundred to a few thousand objects (a multiple of 25, so 88% is a whole number)
/// written over the last 30 days under dated keys, and a few deleted ones.
fn bucket_objects(bucket: &mut Bucket, now: DateTime<Utc>) {
    let name = bucket.name.clone();
    let n = 25 * (12 + fnv(&["objects", &name]) % 108);
    let (folder, stem, ext, lo, hi) = if name.contains("raw") {
        ("incoming", "flight", "json", 2_000, 200_000)
    } else if name.contains("processed") {
        ("processed", "part", "parquet", 50_000, 5_000_000)
    } else if name.contains("analytics") {
        ("reports", "summary", "csv", 1_000, 500_000)
    } else {
        ("data", "object", "bin", 1_000, 100_000)
    };
    for i in 0..n {
        let h = fnv(&[&name, &i.to_string()]);
        let days = 29 - (i * 30 / n) as i64;
        let at = now - Duration::days(days) - Duration::seconds((h % 86_400) as i64);
        let key = format!("{folder}/{}/{stem}-{i:05}.{ext}", at.format("%Y/%m/%d"));
        bucket.objects.insert(
            key.clone(),
            Obj {
                size: lo + (h >> 20) % (hi - lo),
                last_modified: at,
                etag: format!("\"{:016x}{:016x}\"", h, fnv(&[&key])),
                versions: if h.is_multiple_of(10) { 2 } else { 1 },
                body: None,
            },
        );
    }
    for k in 0..1 + fnv(&["deleted", &name]) % 5 {
        bucket
            .delete_markers
            .insert(format!("{folder}/tmp/deleted-{k}.tmp"));
    }
}

fn seed_function(region: &str, name: &str, now: DateTime<Utc>) -> Function {
    let h = fnv(&["function", name]);
    let code_size = 200_000 + (h >> 16) % 5_000_000;
    Function {
        name: name.to_owned(),
        arn: function_arn(region, name),
        runtime: "python3.12".to_owned(),
        handler: "lambda_function.lambda_handler".to_owned(),
        role: format!("arn:aws:iam::{ACCOUNT}:role/{name}-role"),
        last_modified: now
            - Duration::days(3 + (h % 60) as i64)
            - Duration::seconds(((h >> 8) % 86_400) as i64),
        code_sha256: code_sha256(name, code_size),
        code_size: code_size as i64,
        timeout_secs: [30, 60, 120, 300, 900][(h >> 24) as usize % 5],
        memory_mb: [256, 512, 1024, 2048][(h >> 28) as usize % 4],
        reserved: None,
        settings: crate::cloud::FunctionSettings {
            description: Some(format!("{name}: flight data pipeline")),
            environment: Some(BTreeMap::from([("STAGE".to_owned(), "prod".to_owned())])),
            layers: Some(Vec::new()),
            kms_key_arn: Some(String::new()),
            dead_letter_arn: Some(String::new()),
            vpc: Some(crate::cloud::FunctionVpc::default()),
            tracing: Some("PassThrough".to_owned()),
            architectures: Some(vec!["x86_64".to_owned()]),
            ephemeral_storage_mb: Some(512),
            tags: Some(BTreeMap::new()),
        },
        pending_until: None,
        updating_until: None,
    }
}

/// The SQS queue that feeds the ingestion function, named after the pipeline's prefix.
fn seed_mapping(f: &Function, region: &str) -> Mapping {
    let stem = f.name.split('-').next().unwrap_or(&f.name);
    let (a, b) = (fnv(&["mapping", &f.name]), fnv(&["mapping-tail", &f.name]));
    Mapping {
        uuid: format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        ),
        region: region.to_owned(),
        function_arn: f.arn.clone(),
        source_arn: format!("arn:aws:sqs:{region}:{ACCOUNT}:{stem}-ingest-queue"),
        enabled: true,
        changed: f.last_modified,
    }
}

/// The plan's daily Lambda backup job: config and code under
/// `<prefix><YYYYMMDD>/<fn>/` at 03:00 UTC for the last three days.
pub(super) fn lambda_backups(
    bucket: &mut Bucket,
    estate: &Estate,
    f: &Function,
    now: DateTime<Utc>,
) {
    let last = last_daily(now, 3);
    let prefix = &estate.lambda.backup_prefix;
    for days in 0..LAMBDA_BACKUP_DAYS {
        let at = last - Duration::days(days);
        let folder = format!("{prefix}{}/{}/", at.format("%Y%m%d"), f.name);
        let config_size = 1_000 + fnv(&[&f.name, "config"]) % 2_000;
        let config_key = format!("{folder}{}-config.json", f.name);
        put_object(bucket, config_key.clone(), config_size, at);
        // What backup-function saves: the configuration as GetFunction read it, without the
        // presigned code location. Its listed size stays the seeded one.
        let mut config = super::lambda::function_info(f, at);
        config.settings.tags = Some(BTreeMap::new());
        if let (Some(o), Ok(json)) = (
            bucket.objects.get_mut(&config_key),
            serde_json::to_vec_pretty(&config),
        ) {
            o.body = Some(std::sync::Arc::new(json));
        }
        put_object(
            bucket,
            format!("{folder}{}-code.zip", f.name),
            f.code_size as u64,
            at,
        );
    }
}

/// The plan's weekly cross-region export, Sundays at 04:00 UTC, for the last two weeks:
/// `<prefix><table>/YYYY/MM/DD/AWSDynamoDB/<id>/...`, written as the export finished, with
/// the table's `schema.json` beside it (written just before). Returns each export and the
/// content of its schema.json.
pub(super) fn weekly_exports(
    bucket: &mut Bucket,
    estate: &Estate,
    t: &Table,
    now: DateTime<Utc>,
) -> Vec<(super::state::Export, Vec<u8>)> {
    let mut made = Vec::new();
    let mut last = last_daily(now, 4);
    while last.weekday() != Weekday::Sun {
        last -= Duration::days(1);
    }
    for weeks in 0..2 {
        let at = last - Duration::weeks(weeks);
        let export = super::state::Export {
            id: aws_id(at, &[&t.name, "weekly-export"]),
            table_arn: t.arn.clone(),
            export_time: at,
            bucket: bucket.name.clone(),
            prefix: format!(
                "{}{}/{}/",
                estate.dynamodb.export_prefix,
                t.name,
                at.format("%Y/%m/%d")
            ),
            items: t.items,
            size_bytes: t.size_bytes,
            done_at: at + EXPORT_TAKES,
            status: "COMPLETED",
        };
        for (key, size) in export_objects(&export) {
            let written = if key.ends_with("_started") {
                at
            } else {
                export.done_at
            };
            put_object(bucket, key, size, written);
        }
        let schema = super::dynamodb_import::schema_json(t, at);
        let key = format!("{}{}", export.prefix, super::dynamodb_import::SCHEMA_FILE);
        put_object(bucket, key, schema.len() as u64, at);
        made.push((export, schema));
    }
    made
}

fn seed_dns(state: &mut State, estate: &Estate) {
    for record in &estate.dns.records {
        let name = absolute(record.name.get_ref());
        let zone_name = name
            .split_once('.')
            .map(|(_, rest)| rest)
            .filter(|rest| rest.contains('.') && *rest != ".")
            .unwrap_or(&name)
            .to_owned();
        let zone = state
            .zones
            .entry(record.zone_id.clone())
            .or_insert_with(|| new_zone(&record.zone_id, &zone_name));
        let taken = state
            .health_checks
            .keys()
            .filter(|k| k.starts_with(&format!("hc-{}-primary", record.zone_id)))
            .count();
        let hc = match taken {
            0 => format!("hc-{}-primary", record.zone_id),
            n => format!("hc-{}-primary-{}", record.zone_id, n + 1),
        };
        let (primary, secondary) = match record.record_type.as_str() {
            "AAAA" => ("2001:db8::10".to_owned(), "2001:db8::20".to_owned()),
            "CNAME" => (
                format!("primary.{}", zone.name),
                format!("secondary.{}", zone.name),
            ),
            _ => (PRIMARY_IP.to_owned(), SECONDARY_IP.to_owned()),
        };
        for (id, failover, value, check) in [
            ("primary", Failover::Primary, primary, Some(hc.clone())),
            ("secondary", Failover::Secondary, secondary, None),
        ] {
            zone.records.push(RecordSet {
                name: name.clone(),
                record_type: record.record_type.clone(),
                set_identifier: Some(id.to_owned()),
                failover: Some(failover),
                ttl: Some(60),
                values: vec![value],
                alias: None,
                health_check_id: check,
            });
        }
        state.health_checks.insert(
            hc,
            HealthCheck {
                endpoint_region: state.primary.clone(),
                target: format!("primary.{}", name.trim_end_matches('.')),
                disabled: false,
                inverted: false,
            },
        );
    }
}

/// A name with its trailing dot, as Route53 keeps it.
pub(super) fn absolute(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    if name.ends_with('.') {
        name
    } else {
        format!("{name}.")
    }
}

fn new_zone(id: &str, name: &str) -> Zone {
    let n = fnv(&["ns", id]);
    let servers: Vec<String> = (0..4)
        .map(|i| {
            let tld = ["com", "net", "org", "co.uk"][i];
            format!(
                "ns-{}.awsdns-{:02}.{tld}.",
                (n >> (i * 8)) % 2048,
                (n >> (i * 4)) % 64
            )
        })
        .collect();
    let record = |kind: &str, ttl: i64, values: Vec<String>| RecordSet {
        name: name.to_owned(),
        record_type: kind.to_owned(),
        set_identifier: None,
        failover: None,
        ttl: Some(ttl),
        values,
        alias: None,
        health_check_id: None,
    };
    let soa = format!(
        "{} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
        servers[0]
    );
    Zone {
        id: id.to_owned(),
        name: name.to_owned(),
        records: vec![
            record("NS", 172_800, servers),
            record("SOA", 900, vec![soa]),
        ],
    }
}

fn seed_alarm(name: &str, now: DateTime<Utc>) -> AlarmRec {
    let (namespace, metric, threshold) = if name.contains("dynamodb") {
        ("AWS/DynamoDB", "ThrottledRequests", 10.0)
    } else if name.contains("lag") {
        ("AWS/Lambda", "IteratorAge", 900_000.0)
    } else if name.contains("replication") {
        ("AWS/S3", "ReplicationLatency", 900.0)
    } else if name.contains("latency") {
        ("AWS/ApiGateway", "Latency", 3_000.0)
    } else {
        ("AWS/Lambda", "Errors", 5.0)
    };
    let updated = now - Duration::days(2 + (fnv(&["alarm", name]) % 20) as i64);
    AlarmRec {
        name: name.to_owned(),
        state: AlarmState::Ok,
        reason: ok_reason(threshold, updated),
        updated,
        namespace: namespace.to_owned(),
        metric: metric.to_owned(),
        threshold,
    }
}

pub(super) fn ok_reason(threshold: f64, at: DateTime<Utc>) -> String {
    format!(
        "Threshold Crossed: 1 datapoint [0.0 ({})] was not greater than the threshold ({threshold:.1}).",
        at.format("%d/%m/%y %H:%M:%S")
    )
}

pub(super) fn alarm_reason(threshold: f64, at: DateTime<Utc>) -> String {
    let value = (threshold * 2.4).max(12.0);
    format!(
        "Threshold Crossed: 1 datapoint [{value:.1} ({})] was greater than the threshold ({threshold:.1}).",
        at.format("%d/%m/%y %H:%M:%S")
    )
}

/// What an export leaves under its prefix: the manifests and a few data files.
pub(super) fn export_objects(e: &super::state::Export) -> Vec<(String, u64)> {
    let base = format!("{}AWSDynamoDB/{}/", e.prefix, e.id);
    let files = (e.items / 5_000).clamp(1, 8);
    let mut objects = vec![
        (format!("{base}_started"), 0),
        (format!("{base}manifest-summary.json"), 640),
        (format!("{base}manifest-summary.md5"), 24),
        (format!("{base}manifest-files.json"), 120 * files),
        (format!("{base}manifest-files.md5"), 24),
    ];
    for i in 0..files {
        let name = pseudo_b64(&[&e.id, &i.to_string()], 16)
            .replace(['+', '/', '='], "")
            .to_ascii_lowercase();
        objects.push((
            format!("{base}data/{name}.json.gz"),
            e.size_bytes / 3 / files,
        ));
    }
    objects
}
