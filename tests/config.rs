//! The estate file as a user meets it: the shipped example, and the exact message each kind of
//! mistake produces. Each broken file lives in `tests/invalid_configs/` so it can be opened and
//! compared with the message by eye.

use std::path::Path;

use drconsole::config::{self, ConfigError, Dur, Estate, Priority};

const EXAMPLE: &str = "templates/estate.example.toml";

fn example() -> Estate {
    config::load(Path::new(EXAMPLE)).unwrap_or_else(|e| panic!("{e}"))
}

fn names(items: &[toml::Spanned<String>]) -> Vec<&str> {
    items.iter().map(|s| s.get_ref().as_str()).collect()
}

const fn mins(m: u64) -> Dur {
    Dur::from_secs(m * 60)
}

const fn hours(h: u64) -> Dur {
    Dur::from_secs(h * 3600)
}

#[test]
fn example_has_the_plans_estate() {
    let estate = example();
    assert_eq!(estate.name, "Flight Data Pipeline");
    assert_eq!(estate.regions.primary.get_ref(), "us-east-1");
    assert_eq!(estate.regions.backup.get_ref(), "us-west-2");
    assert_eq!(estate.aws.profile, None);
    assert_eq!(estate.aws.max_concurrency, 16);
    assert_eq!(estate.aws.call_timeout, Dur::from_secs(20));

    assert_eq!(
        names(&estate.dynamodb.tables),
        ["flightdata-main", "flightdata-metrics", "flightdata-config"]
    );
    assert_eq!(estate.dynamodb.backup_every, hours(24));
    assert_eq!(
        estate.dynamodb.export_bucket.as_deref(),
        Some("flightdata-backups")
    );
    assert_eq!(estate.dynamodb.export_prefix, "dynamodb-exports/");

    assert_eq!(estate.s3.replica_threshold_percent, 95.0);
    assert_eq!(estate.s3.count_every, mins(15));
    let buckets: Vec<(&str, Option<&str>)> = estate
        .s3
        .buckets
        .iter()
        .map(|b| (b.name.get_ref().as_str(), b.replica.as_deref()))
        .collect();
    assert_eq!(
        buckets,
        [
            ("flightdata-raw", Some("flightdata-raw-backup-us-west-2")),
            (
                "flightdata-processed",
                Some("flightdata-processed-backup-us-west-2")
            ),
            (
                "flightdata-analytics",
                Some("flightdata-analytics-backup-us-west-2")
            ),
        ]
    );

    assert_eq!(estate.lambda.prefix.as_deref(), Some("flightdata"));
    assert_eq!(
        names(&estate.lambda.functions),
        [
            "flightdata-api",
            "flightdata-processor",
            "flightdata-ingest"
        ]
    );
    assert_eq!(
        estate.lambda.backup_bucket.as_deref(),
        Some("flightdata-lambda-backups")
    );
    assert_eq!(estate.lambda.backup_prefix, "lambda-backups/");
    assert_eq!(
        estate
            .lambda
            .ingestion_function
            .as_ref()
            .map(|f| f.get_ref().as_str()),
        Some("flightdata-processor")
    );

    let [record] = estate.dns.records.as_slice() else {
        panic!("one DNS record expected")
    };
    assert_eq!(record.zone_id, "Z123456789");
    assert_eq!(record.name.get_ref(), "api.flightdata.example.com.");
    assert_eq!(record.record_type, "A");

    assert_eq!(
        names(&estate.cloudwatch.alarms),
        [
            "flightdata-api-errors",
            "flightdata-ingestion-lag",
            "flightdata-dynamodb-throttles"
        ]
    );
    assert_eq!(estate.comms.update_every, mins(30));
}

#[test]
fn example_has_the_plans_priority_matrix() {
    let estate = example();
    let matrix: Vec<(&str, Priority, Dur, Dur, &str)> = estate
        .services
        .iter()
        .map(|s| (s.name.as_str(), s.priority, s.rto, s.rpo, s.impact.as_str()))
        .collect();
    // Copied from the plan's "Service Priority Matrix" table.
    let plan = [
        (
            "API Gateway + Lambda",
            Priority::P0,
            hours(1),
            mins(15),
            "User-facing service unavailable",
        ),
        (
            "Data Ingestion Pipeline",
            Priority::P0,
            hours(2),
            mins(15),
            "No new data processing",
        ),
        (
            "DynamoDB Tables",
            Priority::P1,
            hours(4),
            hours(1),
            "Data access limited",
        ),
        (
            "S3 Data Storage",
            Priority::P1,
            hours(4),
            hours(1),
            "Historical data unavailable",
        ),
        (
            "Athena Analytics",
            Priority::P2,
            hours(8),
            hours(4),
            "Analytics unavailable",
        ),
        (
            "Monitoring/Alerting",
            Priority::P2,
            hours(6),
            hours(1),
            "Operational visibility reduced",
        ),
    ];
    assert_eq!(matrix, plan);
}

#[test]
fn example_has_the_plans_contact_tree() {
    let estate = example();
    let tree: Vec<(&str, Vec<(&str, &str)>)> = estate
        .contacts
        .iter()
        .map(|g| {
            let people = g
                .people
                .iter()
                .map(|p| (p.role.as_str(), p.phone.as_str()))
                .collect();
            (g.group.as_str(), people)
        })
        .collect();
    assert_eq!(
        tree,
        [
            (
                "Disaster Declaration Authority",
                vec![
                    ("Engineering Manager", "+1-XXX-XXX-XXXX"),
                    ("VP Engineering", "+1-XXX-XXX-YYYY"),
                    ("CTO", "+1-XXX-XXX-ZZZZ"),
                ]
            ),
            (
                "Technical Recovery Team",
                vec![
                    ("Lead DevOps Engineer", "+1-XXX-XXX-AAAA"),
                    ("Senior Backend Engineer", "+1-XXX-XXX-BBBB"),
                    ("Database Administrator", "+1-XXX-XXX-CCCC"),
                ]
            ),
            (
                "Business Continuity",
                vec![
                    ("Operations Manager", "+1-XXX-XXX-DDDD"),
                    ("Customer Success", "+1-XXX-XXX-EEEE"),
                    ("External Relations", "+1-XXX-XXX-FFFF"),
                ]
            ),
        ]
    );
}

#[test]
fn example_maps_resources_to_services() {
    let estate = example();
    let services = |it: &mut dyn Iterator<Item = &config::Service>| -> Vec<String> {
        it.map(|s| s.name.clone()).collect()
    };
    assert_eq!(
        services(&mut estate.services_for_bucket("flightdata-analytics")),
        ["S3 Data Storage", "Athena Analytics"]
    );
    assert_eq!(
        services(&mut estate.services_for_table("flightdata-config")),
        ["DynamoDB Tables"]
    );
    assert_eq!(
        services(&mut estate.services_for_function("flightdata-processor")),
        ["Data Ingestion Pipeline"]
    );
    assert_eq!(
        services(&mut estate.services_for_alarm("flightdata-api-errors")),
        ["API Gateway + Lambda", "Monitoring/Alerting"]
    );
    assert_eq!(
        services(&mut estate.services_for_dns("api.flightdata.example.com.")),
        ["API Gateway + Lambda"]
    );
    assert!(estate.services_for_table("no-such-table").next().is_none());
    assert!(estate.is_pipeline_function("flightdata-anything"));
    assert!(!estate.is_pipeline_function("other-function"));
}

#[test]
fn to_toml_round_trips() {
    let estate = example();
    let written = estate.to_toml();
    let reread =
        config::parse(&written, Path::new("written.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reread, estate);
    assert!(written.contains("update_every = \"30m\""), "{written}");
}

#[test]
fn a_minimal_estate_gets_the_documented_defaults() {
    let src = "name = \"x\"\n[regions]\nprimary = \"eu-west-1\"\nbackup = \"eu-central-1\"\n";
    let estate = config::parse(src, Path::new("min.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(estate.aws.call_timeout, Dur::from_secs(20));
    assert_eq!(estate.aws.max_concurrency, 16);
    assert_eq!(estate.dynamodb.backup_every, hours(24));
    assert_eq!(estate.dynamodb.export_prefix, "dynamodb-exports/");
    assert_eq!(estate.s3.replica_threshold_percent, 95.0);
    assert_eq!(estate.s3.count_every, mins(15));
    assert_eq!(estate.lambda.backup_prefix, "lambda-backups/");
    assert_eq!(estate.comms.update_every, mins(30));
    assert!(estate.services.is_empty() && estate.contacts.is_empty());
}

#[test]
fn a_missing_file_is_a_read_error_naming_it() {
    let err = config::load(Path::new("tests/invalid_configs/no-such-file.toml")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("cannot read tests/invalid_configs/no-such-file.toml: "),
        "{err}"
    );
}

/// The full message for `tests/invalid_configs/<name>.toml`.
fn error_for(name: &str) -> String {
    let path = format!("tests/invalid_configs/{name}.toml");
    match config::load(Path::new(&path)) {
        Ok(_) => panic!("{path} loaded, but it should be rejected"),
        Err(err @ ConfigError::Invalid { .. }) => err.to_string(),
        Err(other) => panic!("{path}: expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn every_invalid_fixture_is_rejected() {
    let mut count = 0;
    for entry in std::fs::read_dir("tests/invalid_configs").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            error_for(path.file_stem().unwrap().to_str().unwrap());
            count += 1;
        }
    }
    assert!(count >= 11, "only {count} fixtures");
}

#[test]
fn wrong_type() {
    assert_eq!(
        error_for("wrong_type"),
        r#"tests/invalid_configs/wrong_type.toml:8:19: invalid type: string "lots", expected a non-negative whole number
    max_concurrency = "lots"
                      ^"#
    );
}

#[test]
fn unknown_top_level_key() {
    assert_eq!(
        error_for("unknown_top_level_key"),
        r#"tests/invalid_configs/unknown_top_level_key.toml:2:1: unknown field `owner`, expected one of `name`, `regions`, `aws`, `dynamodb`, `s3`, `lambda`, `dns`, `cloudwatch`, `services`, `contacts`, `comms`, `stacks`, `commands`, `validate`, `drill`, `backup`
    owner = "platform-team"
    ^"#
    );
}

#[test]
fn unknown_nested_key() {
    assert_eq!(
        error_for("unknown_nested_key"),
        r#"tests/invalid_configs/unknown_nested_key.toml:9:1: unknown field `replica_bucket`, expected one of `name`, `replica`, `replicate`
    replica_bucket = "flightdata-raw-backup-us-west-2"
    ^"#
    );
}

#[test]
fn bad_duration() {
    assert_eq!(
        error_for("bad_duration"),
        r#"tests/invalid_configs/bad_duration.toml:10:7: invalid duration "1 hour": expected a whole number followed by s, m, h or d, like "15m" or "4h"
    rto = "1 hour"
          ^"#
    );
}

#[test]
fn duration_not_a_string() {
    assert_eq!(
        error_for("duration_not_a_string"),
        r#"tests/invalid_configs/duration_not_a_string.toml:8:16: invalid type: integer `30`, expected a duration string like "15m" or "4h"
    update_every = 30
                   ^"#
    );
}

#[test]
fn missing_backup_region() {
    assert_eq!(
        error_for("missing_backup_region"),
        r#"tests/invalid_configs/missing_backup_region.toml:3:1: missing field `backup`
    [regions]
    ^"#
    );
}

#[test]
fn missing_regions() {
    assert_eq!(
        error_for("missing_regions"),
        r#"tests/invalid_configs/missing_regions.toml:1:1: missing field `regions`
    name = "Flight Data Pipeline"
    ^"#
    );
}

#[test]
fn bad_region_name() {
    assert_eq!(
        error_for("bad_region_name"),
        r#"tests/invalid_configs/bad_region_name.toml:5:10: [regions].backup "us-west" is not an AWS region name; expected something like "us-east-1" or "eu-west-2"
    backup = "us-west"
             ^"#
    );
}

#[test]
fn same_regions() {
    assert_eq!(
        error_for("same_regions"),
        r#"tests/invalid_configs/same_regions.toml:5:10: [regions].backup is "us-east-1", the same as [regions].primary; the backup region must be a different region
    backup = "us-east-1"
             ^"#
    );
}

#[test]
fn dangling_table_reference() {
    assert_eq!(
        error_for("dangling_table_reference"),
        r#"tests/invalid_configs/dangling_table_reference.toml:15:30: service "DynamoDB Tables" refers to table "flightdata-mian", which is not in [dynamodb].tables (declared: flightdata-main, flightdata-metrics, flightdata-config)
    tables = ["flightdata-main", "flightdata-mian"]
                                 ^"#
    );
}

#[test]
fn dangling_function_reference() {
    assert_eq!(
        error_for("dangling_function_reference"),
        r#"tests/invalid_configs/dangling_function_reference.toml:16:32: service "API Gateway + Lambda" refers to function "api-handler", which is not in [lambda].functions and does not start with [lambda].prefix "flightdata" (declared: flightdata-api)
    functions = ["flightdata-api", "api-handler"]
                                   ^"#
    );
}

#[test]
fn dangling_ingestion_function() {
    assert_eq!(
        error_for("dangling_ingestion_function"),
        r#"tests/invalid_configs/dangling_ingestion_function.toml:9:22: [lambda].ingestion_function "flightdata-processor" is not in [lambda].functions (declared: flightdata-api)
    ingestion_function = "flightdata-processor"
                         ^"#
    );
}

#[test]
fn dangling_dns_reference() {
    assert_eq!(
        error_for("dangling_dns_reference"),
        r#"tests/invalid_configs/dangling_dns_reference.toml:12:8: service "API Gateway + Lambda" refers to DNS record "api.flightdata.example.com.", which is not a [[dns.records]] name (none declared)
    dns = ["api.flightdata.example.com."]
           ^"#
    );
}

#[test]
fn duplicate_table() {
    assert_eq!(
        error_for("duplicate_table"),
        r#"tests/invalid_configs/duplicate_table.toml:11:5: table "flightdata-main" is listed twice in [dynamodb].tables (first at line 9)
        "flightdata-main",
        ^"#
    );
}

#[test]
fn duplicate_bucket() {
    assert_eq!(
        error_for("duplicate_bucket"),
        r#"tests/invalid_configs/duplicate_bucket.toml:11:8: bucket "flightdata-raw" is listed twice in [[s3.buckets]] (first at line 8)
    name = "flightdata-raw"
           ^"#
    );
}

#[test]
fn duplicate_service() {
    assert_eq!(
        error_for("duplicate_service"),
        r#"tests/invalid_configs/duplicate_service.toml:14:8: service "Athena Analytics" is defined twice in [[services]] (first at line 8)
    name = "Athena Analytics"
           ^"#
    );
}

#[test]
fn threshold_out_of_range() {
    assert_eq!(
        error_for("threshold_out_of_range"),
        r#"tests/invalid_configs/threshold_out_of_range.toml:8:29: [s3].replica_threshold_percent must be between 0 and 100, got 150
    replica_threshold_percent = 150.0
                                ^"#
    );
}

#[test]
fn zero_count_every() {
    assert_eq!(
        error_for("zero_count_every"),
        r#"tests/invalid_configs/zero_count_every.toml:8:15: [s3].count_every must be longer than zero, like "15m"
    count_every = "0m"
                  ^"#
    );
}

#[test]
fn replicate_false_with_replica() {
    assert_eq!(
        error_for("replicate_false_with_replica"),
        r#"tests/invalid_configs/replicate_false_with_replica.toml:14:13: bucket "flightdata-scratch" says replicate = false but names the replica "flightdata-scratch-backup-us-west-2"; remove one of the two
    replicate = false
                ^"#
    );
}

#[test]
fn zero_max_concurrency() {
    assert_eq!(
        error_for("zero_max_concurrency"),
        r#"tests/invalid_configs/zero_max_concurrency.toml:8:19: [aws].max_concurrency must be at least 1, got 0
    max_concurrency = 0
                      ^"#
    );
}

#[test]
fn zero_rto() {
    assert_eq!(
        error_for("zero_rto"),
        r#"tests/invalid_configs/zero_rto.toml:10:7: service "Monitoring/Alerting" has rto = "0m"; a recovery time objective must be longer than zero, like "4h"
    rto = "0m"
          ^"#
    );
}

#[test]
fn unknown_priority() {
    assert_eq!(
        error_for("unknown_priority"),
        r#"tests/invalid_configs/unknown_priority.toml:9:12: unknown variant `P3`, expected one of `P0`, `P1`, `P2`
    priority = "P3"
               ^"#
    );
}

#[test]
fn unclosed_string() {
    assert_eq!(
        error_for("unclosed_string"),
        r#"tests/invalid_configs/unclosed_string.toml:4:21: invalid basic string, expected `"`
    primary = "us-east-1
                        ^"#
    );
}

#[test]
fn region_endpoint_not_a_url() {
    assert_eq!(
        error_for("region_endpoint_not_a_url"),
        r#"tests/invalid_configs/region_endpoint_not_a_url.toml:8:13: [aws.region_endpoints].us-east-1 must be an http:// or https:// URL, got "127.0.0.1:4566"
    us-east-1 = "127.0.0.1:4566"
                ^"#
    );
}

#[test]
fn region_endpoint_bad_region() {
    assert_eq!(
        error_for("region_endpoint_bad_region"),
        r#"tests/invalid_configs/region_endpoint_bad_region.toml:8:11: [aws.region_endpoints] key "useast1" is not an AWS region name; expected something like "us-east-1"
    useast1 = "http://127.0.0.1:4566"
              ^"#
    );
}

#[test]
fn example_names_the_backup_capacity_stack_and_the_plans_scripts() {
    let estate = example();
    let stacks: Vec<(&str, Option<&str>, Option<config::StackRole>)> = estate
        .stacks
        .iter()
        .map(|s| {
            (
                s.name.get_ref().as_str(),
                s.region.as_ref().map(|r| r.get_ref().as_str()),
                s.role,
            )
        })
        .collect();
    assert_eq!(
        stacks,
        [(
            "flightdata-pipeline",
            Some("us-west-2"),
            Some(config::StackRole::BackupCapacity)
        )]
    );
    let commands: Vec<&str> = estate.commands.keys().map(String::as_str).collect();
    assert_eq!(commands, ["smoke-test", "verify-restored-data"]);
    assert_eq!(
        estate.commands["smoke-test"].run.get_ref(),
        &["./scripts/smoke-test.sh", "--region", "{{backup_region}}"]
    );
    assert_eq!(estate.commands["smoke-test"].timeout, mins(5));
    assert_eq!(
        estate.base_dir.as_deref(),
        Some(Path::new("templates")),
        "relative paths in it are taken from its folder"
    );
}

#[test]
fn stack_region_not_in_estate() {
    assert_eq!(
        error_for("stack_region_not_in_estate"),
        r#"tests/invalid_configs/stack_region_not_in_estate.toml:9:10: stack "flightdata-pipeline" is in region "eu-west-1", which is neither [regions].primary "us-east-1" nor [regions].backup "us-west-2"
    region = "eu-west-1"
             ^"#
    );
}

#[test]
fn duplicate_stack() {
    assert_eq!(
        error_for("duplicate_stack"),
        r#"tests/invalid_configs/duplicate_stack.toml:11:8: stack "flightdata-pipeline" is listed twice in [[stacks]] (first at line 8)
    name = "flightdata-pipeline"
           ^"#
    );
}

#[test]
fn unknown_stack_role() {
    assert_eq!(
        error_for("unknown_stack_role"),
        r#"tests/invalid_configs/unknown_stack_role.toml:9:8: unknown variant `standby`, expected one of `backup-capacity`, `production`, `emergency`
    role = "standby"
           ^"#
    );
}

#[test]
fn command_unknown_placeholder() {
    assert_eq!(
        error_for("command_unknown_placeholder"),
        r#"tests/invalid_configs/command_unknown_placeholder.toml:8:7: [commands.smoke-test].run uses {{regoin}}, which is not one of {{region}}, {{primary_region}}, {{backup_region}}
    run = ["./scripts/smoke-test.sh", "--region", "{{ regoin }}"]
          ^"#
    );
}

#[test]
fn command_without_program() {
    assert_eq!(
        error_for("command_without_program"),
        r#"tests/invalid_configs/command_without_program.toml:8:7: [commands.smoke-test].run must name a program first, like ["./scripts/smoke-test.sh", "--region", "{{region}}"]
    run = []
          ^"#
    );
}

#[test]
fn region_map_to_the_same_region() {
    assert_eq!(
        error_for("region_map_same_region"),
        r#"tests/invalid_configs/region_map_same_region.toml:8:58: [lambda.region_map] "arn:aws:lambda:us-east-1:123456789012:layer:common:7" = "arn:aws:lambda:us-east-1:123456789012:layer:common:8": both sides are in the same region; map a region-bound ARN to its counterpart in another region
    "arn:aws:lambda:us-east-1:123456789012:layer:common:7" = "arn:aws:lambda:us-east-1:123456789012:layer:common:8"
                                                             ^"#
    );
}

#[test]
fn region_map_key_neither_arn_nor_id() {
    assert_eq!(
        error_for("region_map_not_an_arn_or_id"),
        r#"tests/invalid_configs/region_map_not_an_arn_or_id.toml:8:18: [lambda.region_map] "common-layer" = "arn:aws:lambda:us-west-2:123456789012:layer:common:3": the key is neither an ARN (layer, KMS key, SQS queue, SNS topic) nor a subnet- or sg- id
    "common-layer" = "arn:aws:lambda:us-west-2:123456789012:layer:common:3"
                     ^"#
    );
}

#[test]
fn the_example_maps_the_ingestion_functions_dead_letter_queue() {
    let estate = example();
    let to = estate
        .lambda
        .region_map
        .get("arn:aws:sqs:us-east-1:123456789012:flightdata-ingest-dlq")
        .expect("an entry for the dead-letter queue");
    assert_eq!(
        to.get_ref(),
        "arn:aws:sqs:us-west-2:123456789012:flightdata-ingest-dlq"
    );
}

#[test]
fn empty_validation_rule() {
    assert_eq!(
        error_for("empty_validation_rule"),
        r#"tests/invalid_configs/empty_validation_rule.toml:8:12: [dynamodb.validation].required must name at least one attribute, like ["flight_id", "timestamp"]
    required = []
               ^"#
    );
}

#[test]
fn comms_secret_in_estate() {
    assert_eq!(
        error_for("comms_secret_in_estate"),
        r#"tests/invalid_configs/comms_secret_in_estate.toml:8:15: [comms.slack].webhook_env = "https://hooks.slack.com/services/T000/B000/XXXX": this looks like the secret itself; put it in an environment variable and name the variable here, like "DRCONSOLE_SLACK_WEBHOOK" (the estate file is shared, a secret must not be in it)
    webhook_env = "https://hooks.slack.com/services/T000/B000/XXXX"
                  ^"#
    );
}

#[test]
fn comms_zero_escalation() {
    assert_eq!(
        error_for("comms_zero_escalation"),
        r#"tests/invalid_configs/comms_zero_escalation.toml:8:18: [comms].escalate_after must be longer than zero, like "30m"
    escalate_after = "0m"
                     ^"#
    );
}

#[test]
fn backup_zero_concurrency() {
    assert_eq!(
        error_for("backup_zero_concurrency"),
        r#"tests/invalid_configs/backup_zero_concurrency.toml:8:15: [backup].concurrency must be at least 1, got 0
    concurrency = 0
                  ^"#
    );
}

#[test]
fn backup_empty_config_prefix() {
    assert_eq!(
        error_for("backup_empty_config_prefix"),
        r#"tests/invalid_configs/backup_empty_config_prefix.toml:8:17: [backup].config_prefix must not be empty, like "config-backups/": the dated folders would otherwise sit at the top of the bucket
    config_prefix = ""
                    ^"#
    );
}

#[test]
fn backup_mirror_empty_name() {
    assert_eq!(
        error_for("backup_mirror_empty_name"),
        r#"tests/invalid_configs/backup_mirror_empty_name.toml:8:8: a [[backup.mirrors]] entry has an empty name
    name = ""
           ^"#
    );
}

#[test]
fn backup_mirror_duplicate_name() {
    assert_eq!(
        error_for("backup_mirror_duplicate_name"),
        r#"tests/invalid_configs/backup_mirror_duplicate_name.toml:13:8: git mirror "pipeline-code" is listed twice in [[backup.mirrors]] (first at line 8)
    name = "pipeline-code"
           ^"#
    );
}

#[test]
fn backup_mirror_empty_origin() {
    assert_eq!(
        error_for("backup_mirror_empty_origin"),
        r#"tests/invalid_configs/backup_mirror_empty_origin.toml:9:10: git mirror "pipeline-code" has an empty origin URL
    origin = ""
             ^"#
    );
}

#[test]
fn backup_mirror_empty_url() {
    assert_eq!(
        error_for("backup_mirror_empty_url"),
        r#"tests/invalid_configs/backup_mirror_empty_url.toml:10:57: git mirror "pipeline-code" has an empty mirror URL
    mirrors = ["https://gitlab.com/example/flightdata.git", " "]
                                                            ^"#
    );
}

#[test]
fn backup_mirror_same_as_origin() {
    assert_eq!(
        error_for("backup_mirror_same_as_origin"),
        r#"tests/invalid_configs/backup_mirror_same_as_origin.toml:12:5: git mirror "pipeline-code" names its origin "https://github.com/example/flightdata.git" as a mirror: a repository always matches itself, so the check would prove nothing
        "https://github.com/example/flightdata.git",
        ^"#
    );
}
