//! `drconsole report` and `drconsole init --discover --diff` as a user runs them, against a
//! seeded moto estate and a seeded history: every figure is worked out here from the seed
//! (the calendar, the counts, the weights of the README's formula), never copied from the
//! output; and on the sim, where faults must move the figures.

mod common;
#[path = "readiness/seed.rs"]
mod seed;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Months, Utc};
use serde_json::{Value, json};

use common::{
    ALARMS, BUCKET_OBJECTS, DATA_BUCKETS, FUNCTIONS, MotoEnv, PRIMARY_REGION, TABLES, run,
};
use seed::{first_friday_back, seed_history};

/// The README's weights: backup coverage, replication health, test frequency,
/// documentation current.
const WEIGHTS: [f64; 4] = [0.30, 0.25, 0.25, 0.20];

/// A place for the estate file, the data directory and the user's runbooks.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        Place {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn data(&self) -> PathBuf {
        self.path("data")
    }

    fn user_runbooks(&self) -> PathBuf {
        self.path("config/drconsole/runbooks")
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn cmd(&self, env: &MotoEnv) -> assert_cmd::Command {
        let mut cmd = env.drconsole();
        cmd.env("DRCONSOLE_DATA_DIR", self.data())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .arg("--config")
            .arg(self.path("estate.toml"));
        cmd
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the report
// ---------------------------------------------------------------------------------------------

fn term<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no term {name}"))
}

fn part<'a>(term: &'a Value, what_starts: &str) -> &'a Value {
    term["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["what"].as_str().unwrap().starts_with(what_starts))
        .unwrap_or_else(|| panic!("no part {what_starts} in {term}"))
}

fn met_of(part: &Value) -> (u64, u64) {
    (part["met"].as_u64().unwrap(), part["of"].as_u64().unwrap())
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual}"));
    assert!(
        (actual - expected).abs() < 1e-6,
        "{what}: {actual}, expected {expected}"
    );
}

fn shorts(part: &Value) -> String {
    part["short"].to_string()
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// The plan's estate (its stack too), and flightdata-config in a
/// service of its own whose RPO (15m) is tighter than the tables' hour.
async fn seed_estate(env: &MotoEnv, place: &Place) -> PathBuf {
    let seeded = common::seed_plan_estate(env).await;
    let toml = common::plan_estate_toml(&seeded)
        + r#"
[[services]]
name = "Configuration"
priority = "P1"
rto = "4h"
rpo = "15m"
impact = "Configuration unavailable"
tables = ["flightdata-config"]
"#;
    place.write("estate.toml", &toml)
}

fn estate_count_of_names() -> usize {
    // Tables, buckets, their replicas, functions, the failover record, alarms, the stack.
    TABLES.len() + DATA_BUCKETS.len() * 2 + FUNCTIONS.len() + 1 + ALARMS.len() + 1
}

#[tokio::test]
async fn init_diff_matches_the_seeded_estate_then_names_an_extra_table_and_a_missing_function() {
    let env = common::moto().await;
    let place = Place::new();
    seed_estate(&env, &place).await;

    let (out, _) = run(place.cmd(&env).args(["init", "--discover", "--diff"]), 0);
    assert!(out.contains("they match"), "{out}");
    assert!(
        out.contains(&format!("tables: {} match", TABLES.len())),
        "{out}"
    );
    assert!(!place.path("config/drconsole/estate.toml").exists());

    common::create_table(&env, PRIMARY_REGION, "flightdata-extra").await;
    env.lambda(PRIMARY_REGION)
        .await
        .delete_function()
        .function_name(FUNCTIONS[2])
        .send()
        .await
        .unwrap();
    let before = std::fs::read_to_string(place.path("estate.toml")).unwrap();
    let (out, _) = run(place.cmd(&env).args(["init", "--discover", "--diff"]), 1);
    assert!(out.contains("2 differences"), "{out}");
    assert!(
        out.contains("+ flightdata-extra  (in the account, not in the estate file)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "- {}  (in the estate file, not in the account)",
            FUNCTIONS[2]
        )),
        "{out}"
    );
    // Nothing written.
    assert_eq!(
        std::fs::read_to_string(place.path("estate.toml")).unwrap(),
        before
    );
}

#[tokio::test]
async fn report_figures_follow_the_seeded_estate_and_history() {
    let env = common::moto().await;
    let place = Place::new();
    seed_estate(&env, &place).await;
    // Half an hour on: every backup is ~30 minutes old, within the tables' hour and over
    // flightdata-config's 15 minutes.
    let at = Utc::now() + Duration::minutes(30);

    // A replica under threshold: moto never replicates, so one more source object is one
    // the replica lacks.
    common::put_objects(
        &env,
        PRIMARY_REGION,
        DATA_BUCKETS[0],
        vec![("2026/01/09/late.json".to_owned(), b"{}".to_vec())],
    )
    .await;
    // A table with point-in-time recovery turned off.
    env.dynamodb(PRIMARY_REGION)
        .await
        .update_continuous_backups()
        .table_name(TABLES[1])
        .point_in_time_recovery_specification(
            aws_sdk_dynamodb::types::PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(false)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // A table the estate file does not name.
    common::create_table(&env, PRIMARY_REGION, "flightdata-extra").await;
    // A runbook last reviewed seven months before the report.
    let stale_day = at.date_naive() - Months::new(7);
    let shipped = std::fs::read_to_string("templates/runbooks/data-corruption.toml").unwrap();
    let reviewed_line = shipped
        .lines()
        .find(|l| l.starts_with("reviewed = "))
        .expect("the shipped runbook has a review date");
    place.write(
        "config/drconsole/runbooks/data-corruption.toml",
        &shipped.replace(reviewed_line, &format!("reviewed = \"{stale_day}\"")),
    );
    let history = seed_history(&place.data(), at);

    let (out, err) = run(
        place
            .cmd(&env)
            .args(["report", "--json", "--at", &at.to_rfc3339()]),
        1,
    );
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(report["unknown"], json!([]), "{err}");
    assert_eq!(report["mode"], "production");

    // Backup coverage: every table but flightdata-config; every function has its code.
    let coverage = term(&report, "Backup Coverage");
    let tables = part(coverage, "tables");
    assert_eq!(
        met_of(tables),
        (TABLES.len() as u64 - 1, TABLES.len() as u64)
    );
    assert!(
        shorts(tables).contains("flightdata-config: newest backup"),
        "{tables}"
    );
    let functions = part(coverage, "functions");
    assert_eq!(
        met_of(functions),
        (FUNCTIONS.len() as u64, FUNCTIONS.len() as u64)
    );
    let pitr = part(coverage, "tables with point-in-time recovery");
    assert_eq!(met_of(pitr), (TABLES.len() as u64 - 1, TABLES.len() as u64));
    assert!(
        shorts(pitr).contains(&format!("{}: point-in-time recovery is off", TABLES[1])),
        "{pitr}"
    );
    let n = TABLES.len() as f64;
    let coverage_pct = ((n - 1.0) / n + (n - 1.0) / n + 1.0) / 3.0 * 100.0;
    close(&coverage["percent"], coverage_pct, "backup coverage");
    let config = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "flightdata-config")
        .unwrap();
    assert_eq!(config["bound_secs"], 15 * 60);
    assert_eq!(config["fresh"], false);
    assert_eq!(config["backups"], 1);

    // Replication: the first bucket's replica lacks one object.
    let replication = term(&report, "Replication Health");
    let buckets = part(replication, "buckets");
    let b = DATA_BUCKETS.len() as u64;
    assert_eq!(met_of(buckets), (b - 1, b));
    let completeness = BUCKET_OBJECTS[0] as f64 * 100.0 / (BUCKET_OBJECTS[0] + 1) as f64;
    let raw = report["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == DATA_BUCKETS[0])
        .unwrap();
    close(&raw["completeness_percent"], completeness, "completeness");
    assert_eq!(raw["healthy"], false);
    assert!(shorts(buckets).contains(DATA_BUCKETS[0]), "{buckets}");
    let replication_pct = (b - 1) as f64 * 100.0 / b as f64;
    close(
        &replication["percent"],
        replication_pct,
        "replication health",
    );

    // Test frequency: three first Fridays of twelve, two quarters of four.
    let frequency = term(&report, "Test Frequency");
    let validations = part(frequency, "first Fridays");
    assert_eq!(met_of(validations), (history.validations_met as u64, 12));
    let off = first_friday_back(at, 4);
    assert!(
        shorts(validations).contains(&format!("{off}: no validation")),
        "a validation on the second Friday is off schedule: {validations}"
    );
    let failed_day = first_friday_back(at, 5);
    assert!(
        shorts(validations).contains(&format!("{failed_day}: the validation did not pass")),
        "{validations}"
    );
    let drills = part(frequency, "quarters");
    assert_eq!(met_of(drills), (history.drills_met as u64, 4));
    assert!(
        shorts(drills).contains("no drill completed (1 tried)"),
        "{drills}"
    );
    let frequency_pct =
        (history.validations_met as f64 / 12.0 + history.drills_met as f64 / 4.0) / 2.0 * 100.0;
    close(&frequency["percent"], frequency_pct, "test frequency");

    // Documentation: one name in the account only; one runbook stale, the others as shipped.
    let documentation = term(&report, "Documentation Current");
    let estate = part(documentation, "resources");
    let names = estate_count_of_names() as u64;
    assert_eq!(met_of(estate), (names, names + 1));
    assert!(
        shorts(estate).contains("tables flightdata-extra"),
        "{estate}"
    );
    let example = drconsole::config::load(&place.path("estate.toml")).unwrap();
    let loaded =
        drconsole::runbook::load::load_all(Some(&place.user_runbooks()), &example).unwrap();
    let oldest_current = at.date_naive() - Months::new(6);
    let current = loaded
        .iter()
        .filter(|l| l.runbook.reviewed_on().is_some_and(|d| d >= oldest_current))
        .count();
    let reviews = part(documentation, "runbooks");
    assert_eq!(met_of(reviews), (current as u64, loaded.len() as u64));
    assert!(
        shorts(reviews).contains(&format!("data-corruption: last reviewed {stale_day}")),
        "{reviews}"
    );
    let documentation_pct =
        (names as f64 / (names + 1) as f64 + current as f64 / loaded.len() as f64) / 2.0 * 100.0;
    close(
        &documentation["percent"],
        documentation_pct,
        "documentation current",
    );

    let overall = [
        coverage_pct,
        replication_pct,
        frequency_pct,
        documentation_pct,
    ]
    .iter()
    .zip(WEIGHTS)
    .map(|(p, w)| p * w)
    .sum::<f64>();
    close(&report["readiness_percent"], overall, "readiness");

    // The last validation and the last drill, with the drill's measured RTO and RPO.
    let last_validation = &report["last_validation"];
    assert_eq!(last_validation["id"], "v-on-1");
    assert_eq!(last_validation["verdict"], "pass");
    let last_drill = &report["last_drill"];
    assert_eq!(last_drill["id"], json!(history.last_drill.id));
    close(
        &last_drill["recovery_secs"],
        history.last_drill.recovery_secs.unwrap(),
        "recovery",
    );
    assert_eq!(last_drill["rto_met"], json!(true));
    let point = &last_drill["restore_points"][0];
    assert_eq!(
        point["data_loss_secs"],
        json!(history.last_drill.restore_points[0].data_loss_secs)
    );
    assert_eq!(point["met"], json!(true));

    // The same figures as text and as Markdown.
    let (text, _) = run(
        place.cmd(&env).args(["report", "--at", &at.to_rfc3339()]),
        1,
    );
    assert!(
        text.contains(&format!("RECOVERY READINESS SCORE: {overall:.1}%")),
        "{text}"
    );
    assert!(
        text.contains("flightdata-config: 1 backup, newest"),
        "{text}"
    );
    let (markdown, _) = run(
        place
            .cmd(&env)
            .args(["report", "--markdown", "--at", &at.to_rfc3339()]),
        1,
    );
    assert!(
        markdown.contains(&format!("## Recovery readiness score: {overall:.1}%")),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("- Test Frequency: {frequency_pct:.1}%")),
        "{markdown}"
    );
}

/// Runs `--demo report --json` with `faults`, in `place`'s data directory.
fn demo_report(place: &Place, faults: &[&str], code: i32) -> Value {
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    cmd.env("DRCONSOLE_DATA_DIR", place.data())
        .env("XDG_CONFIG_HOME", place.path("config"))
        .env_remove("DRCONSOLE_CONFIG")
        .arg("--demo");
    for fault in faults {
        cmd.args(["--demo-fault", fault]);
    }
    let (out, _) = run(cmd.args(["report", "--json"]), code);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Each term's percentage is the mean of its parts' shares: nothing is a literal.
fn assert_terms_are_their_parts(report: &Value) {
    for t in report["terms"].as_array().unwrap() {
        let shares: Vec<f64> = t["parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["of"].as_u64().unwrap() > 0)
            .map(|p| p["met"].as_f64().unwrap() * 100.0 / p["of"].as_f64().unwrap())
            .collect();
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        close(&t["percent"], mean, t["name"].as_str().unwrap());
    }
}

#[test]
fn faults_on_the_sim_move_the_figures_they_touch() {
    let place = Place::new();
    let healthy = demo_report(&place, &[], 1);
    assert_eq!(healthy["mode"], "simulation");
    assert_terms_are_their_parts(&healthy);
    // The sim's daily backups are held to an hour's RPO, so the tables' share depends on
    // the time of day: only the parts the faults touch are compared.
    let functions = part(term(&healthy, "Backup Coverage"), "functions");
    let (met, of) = met_of(functions);
    assert!(of > 0 && met == of, "{functions}");
    close(
        &term(&healthy, "Replication Health")["percent"],
        100.0,
        "replication",
    );
    let estate = part(term(&healthy, "Documentation Current"), "resources");
    let (met, of) = met_of(estate);
    assert!(of > 0 && met == of, "{estate}");

    let faulted = demo_report(&place, &["missing-lambda-backup", "replication-broken"], 1);
    assert_terms_are_their_parts(&faulted);
    let functions = part(term(&faulted, "Backup Coverage"), "functions");
    let (met, of) = met_of(functions);
    assert!(met < of, "{functions}");
    let buckets = part(term(&faulted, "Replication Health"), "buckets");
    let (met, of) = met_of(buckets);
    assert!(met < of, "{buckets}");
    assert!(
        faulted["readiness_percent"].as_f64() < healthy["readiness_percent"].as_f64(),
        "{} vs {}",
        faulted["readiness_percent"],
        healthy["readiness_percent"]
    );
}

#[test]
fn a_history_file_that_cannot_be_read_is_named_and_exits_2() {
    let place = Place::new();
    let broken = place.write(
        "data/history/validation/20261106T100000Z-broken.json",
        "{ not json",
    );
    let report = demo_report(&place, &[], 2);
    let unknown = report["unknown"].to_string();
    assert!(
        unknown.contains(broken.file_name().unwrap().to_str().unwrap()),
        "{unknown}"
    );
}

#[test]
fn a_bad_at_is_a_usage_error() {
    let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
    let (_, err) = run(cmd.args(["--demo", "report", "--at", "last friday"]), 64);
    assert!(err.contains("--at last friday: not a date"), "{err}");
}

#[test]
fn a_review_date_that_is_not_a_date_is_refused_where_it_is_written() {
    let path = "tests/invalid_runbooks/bad-reviewed-date.toml";
    let text = std::fs::read_to_string(path).unwrap();
    let example = drconsole::session::example_estate().unwrap();
    let err = drconsole::runbook::load::parse(&text, Path::new(path), &example).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"tests/invalid_runbooks/bad-reviewed-date.toml:3:12: reviewed = "27/11/2026" is not a date: write it as YYYY-MM-DD, like "2026-11-27"
    reviewed = "27/11/2026"
               ^"#
    );
}

#[test]
fn a_resolved_incident_gives_its_measured_recovery_against_each_services_rto() {
    let place = Place::new();
    let demo = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
        cmd.env("DRCONSOLE_DATA_DIR", place.data())
            .env("XDG_CONFIG_HOME", place.path("config"))
            .env_remove("DRCONSOLE_CONFIG")
            .arg("--demo")
            .args(args);
        cmd
    };
    let example = drconsole::session::example_estate().unwrap();
    let (fast, slow) = (&example.services[0], &example.services[2]);
    let began = Utc::now() - Duration::hours(6);
    // One service back within its RTO, the other only at resolution, past its own.
    let fast_back = began + Duration::seconds(fast.rto.as_secs() as i64 / 2);
    let mut declare = demo(&[
        "incident",
        "declare",
        "--title",
        "Primary region down",
        "--scenario",
        "region-failover",
        "--severity",
        "SEV1",
        "--service",
        &fast.name,
        "--service",
        &slow.name,
        "--impact-began",
        &began.to_rfc3339(),
    ]);
    run(&mut declare, 0);
    run(
        &mut demo(&[
            "incident",
            "restored",
            &fast.name,
            "--at",
            &fast_back.to_rfc3339(),
        ]),
        0,
    );
    run(&mut demo(&["incident", "resolve", "--summary", "back"]), 0);

    let (out, _) = run(&mut demo(&["report", "--json"]), 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let incident = &report["last_incident"];
    assert_eq!(incident["title"], "Primary region down");
    let services = incident["services"].as_array().unwrap();
    let fast_row = services
        .iter()
        .find(|s| s["service"] == *fast.name)
        .unwrap();
    assert_eq!(fast_row["recovery_secs"], json!(fast.rto.as_secs() / 2));
    assert_eq!(fast_row["rto_secs"], json!(fast.rto.as_secs()));
    assert_eq!(fast_row["met"], json!(true));
    assert_eq!(fast_row["marked_restored"], json!(true));
    let slow_row = services
        .iter()
        .find(|s| s["service"] == *slow.name)
        .unwrap();
    assert_eq!(slow_row["marked_restored"], json!(false));
    let resolved: DateTime<Utc> = incident["resolved_at"].as_str().unwrap().parse().unwrap();
    let slow_secs = (resolved - began).num_seconds() as u64;
    assert_eq!(slow_row["recovery_secs"], json!(slow_secs));
    assert_eq!(slow_row["met"], json!(slow_secs <= slow.rto.as_secs()));
}

#[tokio::test]
async fn what_could_not_be_read_lowers_its_term_names_why_and_exits_2() {
    let env = common::moto().await;
    let place = Place::new();
    seed_estate(&env, &place).await;
    // CloudFormation unreachable: the estate's stack cannot be looked up, so the account
    // cannot be compared with the estate file.
    let (out, _) = run(
        place
            .cmd(&env)
            .env("AWS_ENDPOINT_URL_CLOUDFORMATION", common::dead_endpoint())
            .args(["report", "--json"]),
        2,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let estate = part(term(&report, "Documentation Current"), "resources");
    assert_eq!(met_of(estate), (0, 1));
    let unknown = report["unknown"].to_string();
    assert!(
        unknown.contains("the account could not be compared with the estate file"),
        "{unknown}"
    );
}

#[tokio::test]
async fn aws_unreachable_is_4_and_a_bad_estate_file_is_3() {
    let env = common::moto().await;
    let place = Place::new();
    let example = std::fs::read_to_string("templates/estate.example.toml").unwrap();
    place.write("estate.toml", &example);
    let (_, err) = run(
        place
            .cmd(&env)
            .env("AWS_ENDPOINT_URL", common::dead_endpoint())
            .arg("report"),
        4,
    );
    assert!(err.contains("no resource could be checked"), "{err}");

    place.write("estate.toml", "name = \"half an estate\"\n");
    run(place.cmd(&env).arg("report"), 3);
}
