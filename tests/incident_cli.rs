//! The incident commands as a user runs them, on the simulated estate with a data directory
//! of their own: declare, record, list, read back, export and verify; tampering named by
//! `journal verify`; bad input as one-line errors with their exit codes; and the postmortem
//! of a scripted incident on a fixed clock as a snapshot.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{DateTime, Duration, TimeZone, Utc};
use drconsole::incident::export;
use drconsole::incident::journal::JOURNAL_FILE;
use drconsole::incident::{
    DeclareInput, IncidentStore, Origin, Record, Severity, StepOutcome, plan_declaration,
};
use drconsole::session::{Mode, example_estate};
use serde_json::Value;

/// `drconsole` with its data in `data`, no estate file and no AWS anywhere it could find one.
fn drconsole(data: &Path) -> Command {
    Command::from_std(std_drconsole(data))
}

fn std_drconsole(data: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("drconsole"));
    for name in [
        "DRCONSOLE_CONFIG",
        "DRCONSOLE_FAILPOINTS",
        "DRCONSOLE_LOG",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("DRCONSOLE_DATA_DIR", data)
        .env("HOME", data)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1");
    cmd
}

fn run(cmd: &mut Command, code: i32) -> (String, String) {
    let output = cmd.output().expect("run drconsole");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// The error a person reads: exactly one line (warnings aside), naming `thing`.
fn one_line_error(stderr: &str, thing: &str) {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect();
    assert_eq!(lines.len(), 1, "one line:\n{stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(thing), "names {thing}:\n{stderr}");
}

fn simulated(data: &Path) -> PathBuf {
    data.join("simulation").join("incidents")
}

/// The id `declare` printed: the word before ` declared`.
fn declared_id(stdout: &str) -> String {
    stdout
        .split_whitespace()
        .find(|w| w.starts_with("SIM-"))
        .unwrap_or_else(|| panic!("an id in:\n{stdout}"))
        .to_owned()
}

fn declare(data: &Path, services: &[&str]) -> String {
    let mut cmd = drconsole(data);
    cmd.args([
        "--demo",
        "incident",
        "declare",
        "--title",
        "us-east-1 down",
        "--scenario",
        "region-failover",
        "--severity",
        "SEV1",
        "--commander",
        "Alex",
        "--impact-began",
        "-30m",
    ]);
    for s in services {
        cmd.args(["--service", s]);
    }
    let (stdout, _) = run(&mut cmd, 0);
    declared_id(&stdout)
}

#[test]
fn a_scripted_incident_runs_from_declaration_to_a_verified_postmortem() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let mut cmd = drconsole(d);
    cmd.args([
        "--demo",
        "incident",
        "declare",
        "--title",
        "us-east-1 down",
        "--scenario",
        "region-failover",
        "--severity",
        "sev1",
        "--service",
        "api gateway + lambda",
        "--service",
        "DynamoDB Tables",
        "--impact-began",
        "-30m",
    ]);
    let (stdout, _) = run(&mut cmd, 0);
    assert!(stdout.starts_with("SIMULATION"), "{stdout}");
    let id = declared_id(&stdout);
    assert!(stdout.contains("API Gateway + Lambda"), "{stdout}");
    assert!(stdout.contains("RTO 1h00m"), "the service's RTO:\n{stdout}");
    assert!(stdout.contains("(given)"), "when impact began:\n{stdout}");
    assert!(simulated(d).join(&id).join(JOURNAL_FILE).is_file());
    assert!(
        !d.join("incidents").exists(),
        "a demo never lands among real incidents"
    );

    let (stdout, _) = run(
        drconsole(d).args([
            "--demo",
            "incident",
            "note",
            "failover to us-west-2 started",
        ]),
        0,
    );
    assert!(
        stdout.contains(&format!("{id} #2 note: failover")),
        "{stdout}"
    );
    let (stdout, _) = run(
        drconsole(d).args([
            "--demo",
            "incident",
            "restored",
            "API Gateway + Lambda",
            "--at",
            "-5m",
        ]),
        0,
    );
    assert!(
        stdout.contains("#3 API Gateway + Lambda restored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("measured RTO 25m against 1h00m (met)"),
        "{stdout}"
    );
    let (stdout, stderr) = run(
        drconsole(d).args([
            "--demo",
            "incident",
            "resolve",
            "--summary",
            "served from us-west-2",
        ]),
        0,
    );
    assert!(stdout.contains("#4 resolved"), "{stdout}");
    assert!(
        stderr.contains("never marked restored") && stderr.contains("DynamoDB Tables"),
        "{stderr}"
    );
    // Resolved once only.
    let (_, stderr) = run(
        drconsole(d).args(["--demo", "incident", "resolve", "--incident", &id]),
        64,
    );
    one_line_error(&stderr, &id);

    let (stdout, _) = run(drconsole(d).args(["--demo", "incident", "list"]), 0);
    assert!(stdout.starts_with("SIMULATION"), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.contains("SEV1"), "{row}");
    assert!(row.contains("resolved after 30m"), "{row}");
    assert!(row.contains("1/2"), "services restored: {row}");
    assert!(row.ends_with("us-east-1 down"), "{row}");
    let (stdout, _) = run(
        drconsole(d).args(["--demo", "incident", "list", "--json"]),
        0,
    );
    let list: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["open"], false);
    assert_eq!(list[0]["services_restored"], 1);

    let (stdout, _) = run(
        drconsole(d).args(["--demo", "incident", "timeline", &id, "--json"]),
        0,
    );
    let entries: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["declared", "note", "service_restored", "resolved"]);
    for (n, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"], n as u64 + 1);
        assert_eq!(e["mode"], "simulation", "every entry says so");
    }
    // As stored: each line is byte for byte a line of the journal.
    let journal = std::fs::read_to_string(simulated(d).join(&id).join(JOURNAL_FILE)).unwrap();
    assert_eq!(stdout, journal);
    let (stdout, _) = run(
        drconsole(d).args(["--demo", "incident", "timeline", &id]),
        0,
    );
    assert!(stdout.starts_with("SIMULATION"), "{stdout}");
    assert!(stdout.contains("#2"), "{stdout}");
    assert!(
        stdout.contains("note: failover to us-west-2 started"),
        "{stdout}"
    );

    let (md, _) = run(
        drconsole(d).args(["--demo", "incident", "export", &id, "--format", "markdown"]),
        0,
    );
    assert!(md.starts_with(&format!("# {id} · SEV1")), "{md}");
    assert!(md.lines().next().unwrap().ends_with("SIMULATION"), "{md}");
    for section in [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Steps",
        "## Measured RTO/RPO",
        "## Messages sent",
        "## Open follow-ups",
    ] {
        assert!(md.contains(section), "{section} in:\n{md}");
    }
    assert!(
        md.contains("| API Gateway + Lambda | 1h00m | 25m | Met |"),
        "{md}"
    );
    assert!(
        md.contains("- [ ] DynamoDB Tables was never marked restored"),
        "{md}"
    );
    let out = d.join("pm.json");
    run(
        drconsole(d)
            .args([
                "--demo", "incident", "export", &id, "--format", "json", "--out",
            ])
            .arg(&out),
        0,
    );
    let pm: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(pm["simulation"], true);
    assert_eq!(pm["services"][0]["rto"]["clock"], "met");
    assert_eq!(pm["never_restored"][0], "DynamoDB Tables");

    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify", &id]), 0);
    assert!(stdout.contains("intact: 4 entries, last #4 "), "{stdout}");
    let dir = simulated(d).join(&id);
    run(drconsole(d).args(["journal", "verify"]).arg(&dir), 0);
}

/// Five entries, each note text distinct, in an incident of its own.
fn five_entries(data: &Path) -> PathBuf {
    let id = declare(data, &["S3 Data Storage"]);
    for text in ["alpha", "bravo", "charlie", "delta"] {
        run(
            drconsole(data).args(["--demo", "incident", "note", text]),
            0,
        );
    }
    simulated(data).join(id)
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(JOURNAL_FILE))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(JOURNAL_FILE), text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn journal_verify_names_the_entry_where_tampering_breaks_the_chain() {
    let data = tempfile::tempdir().unwrap();
    let original = five_entries(data.path());
    let verify = |dir: &Path| {
        let (stdout, _) = run(
            drconsole(data.path()).args(["journal", "verify"]).arg(dir),
            1,
        );
        stdout
    };
    let tampered = |name: &str, edit: &dyn Fn(&mut Vec<String>)| {
        let dir = data.path().join(name);
        copy_dir(&original, &dir);
        let mut l = lines(&dir);
        edit(&mut l);
        write_lines(&dir, &l);
        dir
    };

    let flipped = tampered("flip", &|l| l[2] = l[2].replace("bravo", "brava"));
    let out = verify(&flipped);
    assert!(out.contains("broken at line 3, entry #3:"), "{out}");
    assert!(out.contains("does not match its hash"), "{out}");
    assert!(out.contains("2 entries before it verify"), "{out}");

    let deleted = tampered("delete", &|l| {
        l.remove(1);
    });
    let out = verify(&deleted);
    assert!(out.contains("broken at line 2, entry #3:"), "{out}");
    assert!(out.contains("missing"), "{out}");

    let last = tampered("last", &|l| {
        l.pop();
    });
    let out = verify(&last);
    assert!(out.contains("broken at line 4, entry #5:"), "{out}");
    assert!(out.contains("the last entries are missing"), "{out}");

    let swapped = tampered("swap", &|l| l.swap(2, 3));
    let out = verify(&swapped);
    assert!(out.contains("broken at line 3, entry #4:"), "{out}");

    // The untouched one still verifies.
    let (out, _) = run(
        drconsole(data.path())
            .args(["journal", "verify"])
            .arg(&original),
        0,
    );
    assert!(out.contains("intact: 5 entries, last #5"), "{out}");
}

#[test]
fn bad_names_are_usage_errors_that_name_them() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let declare = |extra: &[&str]| {
        let mut cmd = drconsole(d);
        cmd.args(["--demo", "incident", "declare", "--title", "t"]);
        cmd.args(extra);
        let (_, stderr) = run(&mut cmd, 64);
        stderr
    };
    let err = declare(&[
        "--scenario",
        "region-failover",
        "--severity",
        "SEV1",
        "--service",
        "Dynamo",
    ]);
    one_line_error(&err, "unknown service `Dynamo`");
    assert!(err.contains("DynamoDB Tables"), "lists the known: {err}");
    let err = declare(&["--scenario", "region-failover", "--severity", "SEV4"]);
    one_line_error(&err, "unknown severity `SEV4`");
    let err = declare(&["--scenario", "meteor", "--severity", "SEV2"]);
    one_line_error(&err, "unknown scenario `meteor`");
    assert!(err.contains("data-corruption"), "{err}");
    let err = declare(&[
        "--scenario",
        "other",
        "--severity",
        "1",
        "--service",
        "S3 Data Storage",
        "--impact-began",
        "yesterday",
    ]);
    one_line_error(&err, "invalid time `yesterday`");
    assert!(!simulated(d).exists(), "nothing declared");

    // Nothing open yet: nothing to add a note to.
    let (_, stderr) = run(drconsole(d).args(["--demo", "incident", "note", "x"]), 5);
    one_line_error(&stderr, "no open incident");

    let id = declare_ok(d);
    let (_, stderr) = run(
        drconsole(d).args(["--demo", "incident", "restored", "Athena Analytics"]),
        64,
    );
    one_line_error(&stderr, "unknown service `Athena Analytics`");
    assert!(stderr.contains("S3 Data Storage"), "its services: {stderr}");
    let (_, stderr) = run(
        drconsole(d).args(["--demo", "incident", "severity", "SEV9"]),
        64,
    );
    one_line_error(&stderr, "unknown severity `SEV9`");
    let (_, stderr) = run(
        drconsole(d).args(["--demo", "incident", "timeline", "SIM-19990101-0000"]),
        5,
    );
    one_line_error(&stderr, "no incident `SIM-19990101-0000`");
    let (_, stderr) = run(
        drconsole(d)
            .args(["journal", "verify"])
            .arg(d.join("no").join("such").join(JOURNAL_FILE)),
        5,
    );
    one_line_error(&stderr, "no journal here");
    // The id is not among real incidents: --demo picks the store.
    run(drconsole(d).args(["incident", "timeline", &id]), 5);
}

fn declare_ok(d: &Path) -> String {
    declare(d, &["S3 Data Storage"])
}

#[test]
fn a_journal_that_is_not_json_fails_verify_and_cannot_be_read() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let dir = simulated(d).join("SIM-20261126-0941");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(JOURNAL_FILE), "this is not a journal\n").unwrap();
    let (stdout, _) = run(
        drconsole(d).args(["--demo", "journal", "verify", "SIM-20261126-0941"]),
        1,
    );
    assert!(stdout.contains("broken at line 1, entry #1:"), "{stdout}");
    assert!(stdout.contains("not a journal entry"), "{stdout}");
    for command in ["timeline", "export"] {
        let (_, stderr) = run(
            drconsole(d).args(["--demo", "incident", command, "SIM-20261126-0941"]),
            5,
        );
        one_line_error(&stderr, "journal.jsonl: line 1: not a journal entry");
    }
    // Listed with its error, never hidden.
    let (stdout, _) = run(drconsole(d).args(["--demo", "incident", "list"]), 0);
    assert!(
        stdout.contains("unreadable:") && stdout.contains("SIM-20261126-0941"),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn a_data_directory_without_permission_is_exit_code_5_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let data = tempfile::tempdir().unwrap();
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked = data.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    let mut cmd = std_drconsole(&locked);
    // Permissions do not bind root: as root, run drconsole as nobody.
    if std::fs::write(locked.join("probe"), "x").is_ok() {
        std::fs::remove_file(locked.join("probe")).unwrap();
        cmd.uid(65534).gid(65534);
    }
    cmd.args([
        "--demo",
        "incident",
        "declare",
        "--title",
        "t",
        "--scenario",
        "other",
        "--severity",
        "SEV3",
        "--service",
        "S3 Data Storage",
    ]);
    let (_, stderr) = run(&mut Command::from_std(cmd), 5);
    one_line_error(&stderr, &locked.display().to_string());
    assert!(stderr.contains("ermission denied"), "{stderr}");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn declaring_without_services_takes_the_alarmed_ones_from_their_alarm() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let (stdout, _) = run(
        drconsole(d).args([
            "--demo-fault",
            "alarm",
            "incident",
            "declare",
            "--title",
            "api errors",
            "--scenario",
            "other",
            "--severity",
            "SEV2",
        ]),
        0,
    );
    assert!(stdout.contains("in ALARM"), "{stdout}");
    let id = declared_id(&stdout);
    let (stdout, _) = run(
        drconsole(d).args(["--demo", "incident", "timeline", &id, "--json"]),
        0,
    );
    let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let declared = &first["payload"];
    let services: Vec<&str> = declared["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // The simulated fault puts the API's error alarm in ALARM; the services it reports on
    // are the ones the snapshot marks not ok.
    assert_eq!(services, ["API Gateway + Lambda", "Monitoring/Alerting"]);
    assert_eq!(declared["impact_source"]["from"], "alarm");
    assert_eq!(declared["impact_source"]["alarm"], "flightdata-api-errors");
    let began: DateTime<Utc> = declared["impact_began"].as_str().unwrap().parse().unwrap();
    let at: DateTime<Utc> = first["at"].as_str().unwrap().parse().unwrap();
    assert!(began < at, "impact {began} before the declaration {at}");
    assert_eq!(first["account"], drconsole::cloud::sim::ACCOUNT);
}

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, m, s).unwrap()
}

/// A region failover from declaration to resolution on a fixed clock, every kind of entry
/// the postmortem reads included.
fn scripted_incident(root: &Path) -> PathBuf {
    let estate = example_estate().unwrap();
    let input = DeclareInput {
        title: "us-east-1 down: API and DynamoDB unavailable".into(),
        scenario: "region-failover".into(),
        severity: Severity::Sev2,
        services: vec!["API Gateway + Lambda".into(), "DynamoDB Tables".into()],
        commander: Some("Alex Kim".into()),
        impact_began: Some(t(9, 12, 0)),
    };
    let declared = plan_declaration(&input, &estate, None, t(9, 41, 0)).unwrap();
    let store = IncidentStore::at(root.to_owned(), Mode::Production);
    let origin = Origin::new(
        Mode::Production,
        Some("123456789012".into()),
        vec!["us-east-1".into(), "us-west-2".into()],
    );
    let (mut journal, incident) = store.declare(declared, origin, t(9, 41, 0)).unwrap();
    let table = "flightdata-main";
    let script: Vec<(Record, DateTime<Utc>)> = vec![
        (
            Record::SeverityChanged {
                from: Severity::Sev2,
                to: Severity::Sev1,
                reason: Some("the whole region is out".into()),
            },
            t(9, 44, 0),
        ),
        (
            Record::Decision {
                choice: "fail over to us-west-2".into(),
                rationale: "AWS Health expects hours".into(),
                step: None,
            },
            t(9, 47, 30),
        ),
        (
            Record::StepStarted {
                run: Some("region-failover-1".into()),
                step: "dns".into(),
                title: Some("Point the API at us-west-2".into()),
            },
            t(9, 50, 0),
        ),
        (
            Record::RequestSent {
                step: Some("dns".into()),
                service: "Route53".into(),
                operation: "ChangeResourceRecordSets".into(),
                target: "api.flightdata.example.com.".into(),
                region: Some("us-east-1".into()),
                request: Value::Null,
            },
            t(9, 50, 5),
        ),
        (
            Record::RequestFinished {
                step: Some("dns".into()),
                service: "Route53".into(),
                operation: "ChangeResourceRecordSets".into(),
                target: "api.flightdata.example.com.".into(),
                request_id: Some("C2682N5HXP0BZ4".into()),
                ok: true,
                error: None,
                result: Value::Null,
            },
            t(9, 50, 7),
        ),
        (
            Record::StepFinished {
                run: Some("region-failover-1".into()),
                step: "dns".into(),
                outcome: StepOutcome::Succeeded,
                detail: None,
            },
            t(9, 52, 40),
        ),
        (
            Record::StepStarted {
                run: Some("region-failover-1".into()),
                step: "restore-main".into(),
                title: Some(format!("Restore {table} in us-west-2")),
            },
            t(9, 55, 0),
        ),
        (
            Record::RestorePointChosen {
                service: "DynamoDB Tables".into(),
                point: t(9, 5, 0),
                source: Some("PITR".into()),
            },
            t(9, 55, 10),
        ),
        (
            Record::RequestSent {
                step: Some("restore-main".into()),
                service: "DynamoDB".into(),
                operation: "RestoreTableToPointInTime".into(),
                target: table.into(),
                region: Some("us-west-2".into()),
                request: Value::Null,
            },
            t(9, 55, 12),
        ),
        (
            Record::Note {
                text: "API answering from us-west-2 | checked by hand".into(),
                author: Some("Sam".into()),
            },
            t(10, 2, 0),
        ),
        (
            Record::ServiceRestored {
                service: "API Gateway + Lambda".into(),
                at: Some(t(10, 1, 0)),
                note: None,
            },
            t(10, 2, 30),
        ),
        (
            Record::MessageDrafted {
                template: "progress-update".into(),
                text: "Update: API restored".into(),
            },
            t(10, 10, 0),
        ),
        (
            Record::MessageCopied {
                template: "progress-update".into(),
                text: "Update: API restored".into(),
                via: "osc52".into(),
            },
            t(10, 11, 0),
        ),
        (
            Record::FollowUp {
                text: "Alarm on Route53 health checks sooner".into(),
            },
            t(12, 20, 0),
        ),
        (
            Record::MessagePosted {
                template: "completion-notice".into(),
                channel: "#incidents".into(),
                text: "Resolved".into(),
            },
            t(12, 24, 0),
        ),
        (
            Record::Resolved {
                summary: Some("Served from us-west-2 until us-east-1 recovered.".into()),
            },
            t(12, 24, 0),
        ),
    ];
    journal.append_all(&script).unwrap();
    incident.dir
}

#[test]
fn the_markdown_postmortem_of_a_scripted_incident() {
    let root = tempfile::tempdir().unwrap();
    let dir = scripted_incident(root.path());
    let postmortem = export::build(&dir, t(15, 0, 0)).unwrap();
    insta::assert_snapshot!("postmortem_markdown", export::markdown(&postmortem));
}

#[test]
fn the_json_postmortem_carries_the_same_figures() {
    let root = tempfile::tempdir().unwrap();
    let dir = scripted_incident(root.path());
    let p = export::build(&dir, t(15, 0, 0)).unwrap();
    let doc = serde_json::to_value(&p).unwrap();
    assert_eq!(doc["simulation"], false);
    assert_eq!(doc["severity"], "SEV1");
    assert_eq!(doc["declared_severity"], "SEV2");
    assert_eq!(
        doc["duration_secs"],
        (t(12, 24, 0) - t(9, 12, 0)).num_seconds()
    );
    let api = &doc["services"][0];
    assert_eq!(
        api["rto"]["elapsed_secs"],
        Duration::minutes(49).num_seconds()
    );
    assert_eq!(api["rto"]["clock"], "met");
    let dynamo = &doc["services"][1];
    assert_eq!(
        dynamo["rpo"]["elapsed_secs"],
        Duration::minutes(7).num_seconds()
    );
    assert_eq!(dynamo["rpo"]["clock"], "met");
    assert_eq!(doc["steps"][0]["duration_secs"], 160);
    assert_eq!(doc["steps"][1]["outcome"], Value::Null, "never finished");
    assert_eq!(doc["requests"][0]["request_id"], "C2682N5HXP0BZ4");
    assert_eq!(doc["requests"][1]["ok"], Value::Null, "sent, no result");
    assert_eq!(doc["never_restored"][0], "DynamoDB Tables");
    assert_eq!(doc["timeline"].as_array().unwrap().len(), 17);
}

#[test]
fn a_note_cut_by_a_crash_is_never_reported_and_the_next_sets_it_aside() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let id = declare(d, &["S3 Data Storage"]);
    let dir = simulated(d).join(&id);

    // The machine dies before the fsync: what was written is lost, and nothing was reported.
    let out = drconsole(d)
        .env("DRCONSOLE_FAILPOINTS", "journal.before_fsync=error")
        .args(["--demo", "incident", "note", "lost before the fsync"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "never reported");
    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify"]), 0);
    assert!(stdout.contains("intact: 1 entry, last #1"), "{stdout}");

    // The machine dies half-way through the write: a torn line, noted by verify, not a break.
    let out = drconsole(d)
        .env("DRCONSOLE_FAILPOINTS", "journal.append=torn")
        .args(["--demo", "incident", "note", "cut in half"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "never reported");
    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify"]), 0);
    assert!(stdout.contains("intact: 1 entry"), "{stdout}");
    assert!(
        stdout.contains("a write the machine did not finish"),
        "{stdout}"
    );

    // The next note sets the torn line aside, says so, and the chain goes on.
    let (stdout, stderr) = run(
        drconsole(d).args(["--demo", "incident", "note", "after the crash"]),
        0,
    );
    assert!(stdout.contains("#3 note: after the crash"), "{stdout}");
    assert!(stderr.contains("set aside in"), "{stderr}");
    let side: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("journal.jsonl.torn-"))
        .collect();
    assert_eq!(side.len(), 1, "{side:?}");
    let kept = std::fs::read_to_string(dir.join(&side[0])).unwrap();
    assert!(
        kept.starts_with("{\"seq\":2,"),
        "the torn half is kept: {kept}"
    );
    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify"]), 0);
    assert!(stdout.contains("intact: 3 entries, last #3"), "{stdout}");
    assert!(!stdout.contains("note:"), "{stdout}");
}

#[test]
fn with_several_open_the_incident_must_be_named() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let first = declare(d, &["S3 Data Storage"]);
    let second = declare(d, &["DynamoDB Tables"]);
    assert_ne!(first, second);
    let (_, stderr) = run(drconsole(d).args(["--demo", "incident", "note", "x"]), 5);
    one_line_error(&stderr, "2 incidents are open");
    assert!(
        stderr.contains(&first) && stderr.contains(&second),
        "{stderr}"
    );
    let (stdout, _) = run(
        drconsole(d).args(["--demo", "incident", "note", "x", "--incident", &first]),
        0,
    );
    assert!(stdout.contains(&format!("{first} #2")), "{stdout}");
    // A restore in the future is refused; one before the impact too.
    let (_, stderr) = run(
        drconsole(d).args([
            "--demo",
            "incident",
            "restored",
            "S3 Data Storage",
            "--incident",
            &first,
            "--at",
            "2099-01-01T00:00:00Z",
        ]),
        64,
    );
    one_line_error(&stderr, "in the future");
    let (_, stderr) = run(
        drconsole(d).args([
            "--demo",
            "incident",
            "restored",
            "S3 Data Storage",
            "--incident",
            &first,
            "--at",
            "-2h",
        ]),
        64,
    );
    one_line_error(&stderr, "before the impact began");
}

/// AWS unreachable: the account cannot be read, and the incident is declared all the same.
#[test]
fn an_incident_is_declared_without_the_account_when_aws_is_down() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let estate = d.join("estate.toml");
    run(drconsole(d).args(["init", "--out"]).arg(&estate), 0);
    let (stdout, stderr) = run(
        drconsole(d)
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "not-a-secret")
            .args(["--config"])
            .arg(&estate)
            .args([
                "incident",
                "declare",
                "--title",
                "us-east-1 down",
                "--scenario",
                "region-failover",
                "--severity",
                "SEV1",
                "--service",
                "DynamoDB Tables",
            ]),
        0,
    );
    assert!(
        stderr.contains("warning: the account could not be read"),
        "{stderr}"
    );
    assert!(!stdout.contains("SIMULATION"), "{stdout}");
    let id = stdout.split_whitespace().next().unwrap();
    assert!(id.starts_with("INC-"), "{stdout}");
    let (timeline, _) = run(drconsole(d).args(["incident", "timeline", id, "--json"]), 0);
    let first: Value = serde_json::from_str(timeline.lines().next().unwrap()).unwrap();
    assert_eq!(first["mode"], "production");
    assert_eq!(first.get("account"), None, "unknown, not guessed");
    assert_eq!(first["payload"]["impact_source"]["from"], "declaration");
}
