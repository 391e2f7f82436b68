//! The incident commands as a user runs them, on the simulated estate with a data directory
//! of their own: declare, record, list, read back, export and verify; tampering named by
//! `journal verify`; bad input as one-line errors with their exit codes; and the postmortem
//! of a scripted incident on a fixed clock as a snapshot.

mod common;
#[path = "incident_cli/journal.rs"]
mod journal;
#[path = "incident_cli/postmortem.rs"]
mod postmortem;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{DateTime, Utc};
pub(crate) use common::run;
use drconsole::incident::journal::JOURNAL_FILE;
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

/// The id `declare` printed.
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
    // Real incidents are listed apart, with a word about the rehearsals.
    let (stdout, _) = run(drconsole(d).args(["incident", "list"]), 0);
    assert!(stdout.starts_with("no incidents in"), "{stdout}");
    assert!(
        stdout.contains("1 simulated incident is listed by `drconsole --demo incident list`"),
        "{stdout}"
    );
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
    // The id is not among real incidents: --demo picks the store, and the error says so.
    let (_, stderr) = run(drconsole(d).args(["incident", "timeline", &id]), 5);
    one_line_error(&stderr, "a simulated incident: add --demo");
}

/// In this file so its snapshot sits with the others in `tests/snapshots`.
#[test]
fn the_markdown_postmortem_of_a_scripted_incident() {
    let root = tempfile::tempdir().unwrap();
    let dir = postmortem::scripted_incident(root.path());
    let at = postmortem::t(15, 0, 0);
    let postmortem = drconsole::incident::export::build(&dir, at).unwrap();
    insta::assert_snapshot!(
        "postmortem_markdown",
        drconsole::incident::export::markdown(&postmortem)
    );
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

/// `drconsole incident timeline | head -1`: a reader that goes away ends the listing, never
/// with a panic.
#[test]
fn a_timeline_reader_that_goes_away_is_not_a_panic() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let id = declare(d, &["S3 Data Storage"]);
    common::run_with_stdout_closed(
        std_drconsole(d).args(["--demo", "incident", "timeline", &id]),
        0,
    );
}

#[test]
fn an_eta_is_journalled_for_the_status_updates_and_a_past_one_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let id = declare(data.path(), &["API Gateway + Lambda"]);
    let (stdout, _) = run(
        drconsole(data.path()).args(["--demo", "incident", "eta", "+2h", "--incident", &id]),
        0,
    );
    assert!(stdout.contains("ETA for full recovery set to"), "{stdout}");
    let (_, stderr) = run(
        drconsole(data.path()).args(["--demo", "incident", "eta", "-2h", "--incident", &id]),
        64,
    );
    one_line_error(&stderr, "ETA `-2h`");
    run(
        drconsole(data.path()).args(["--demo", "incident", "eta", "none", "--incident", &id]),
        0,
    );
    let (timeline, _) = run(
        drconsole(data.path()).args(["--demo", "incident", "timeline", &id, "--json"]),
        0,
    );
    let etas: Vec<Value> = timeline
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["kind"] == "eta_set")
        .collect();
    assert_eq!(etas.len(), 2, "{timeline}");
    assert!(etas[0]["payload"]["eta"].is_string());
    assert!(
        etas[1]["payload"].get("eta").is_none(),
        "withdrawn: {}",
        etas[1]
    );
}
