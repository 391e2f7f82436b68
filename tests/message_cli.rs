//! `drconsole message list` and `message render` as a commander runs them: the templates
//! there are, one filled from the scripted incident or a declared one, the user's own
//! templates, and the exit codes of each mistake.

use std::path::Path;

use assert_cmd::Command;
use drconsole::comms::template::Library;
use drconsole::comms::{Format, demo};

/// `drconsole` with its data and config under `home`, no estate file and no AWS.
fn drconsole(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").expect("the drconsole binary");
    for name in [
        "DRCONSOLE_CONFIG",
        "DRCONSOLE_FAILPOINTS",
        "DRCONSOLE_LOG",
        "XDG_DATA_HOME",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("DRCONSOLE_DATA_DIR", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1");
    cmd
}

/// Runs `cmd`, checks its exit code, and returns what it printed.
fn run(cmd: &mut Command, code: i32) -> (String, String) {
    let out = cmd.output().expect("drconsole runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn user_comms(home: &Path) -> std::path::PathBuf {
    let dir = home.join("config").join("drconsole").join("comms");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn list_names_every_shipped_template_with_its_title() {
    let home = tempfile::tempdir().unwrap();
    let (stdout, _) = run(drconsole(home.path()).args(["message", "list"]), 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert_eq!(
        lines[0],
        "initial-declaration  Initial disaster declaration: the plan's first message, sent when \
         the incident is declared  [shipped]"
    );
    for name in [
        "progress-update",
        "completion-notice",
        "handoff-brief",
        "stakeholder-summary",
    ] {
        assert!(
            stdout.contains(&format!("\n{name} ")),
            "{name} in\n{stdout}"
        );
    }

    let (stdout, _) = run(
        drconsole(home.path()).args(["message", "list", "--json"]),
        0,
    );
    let items: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(items[1]["name"], "progress-update");
    assert_eq!(items[1]["origin"], "shipped");
    assert!(items[1]["path"].is_null());
}

#[test]
fn render_with_demo_prints_the_scripted_incident_in_slack_and_the_placeholders_left() {
    let home = tempfile::tempdir().unwrap();
    let (stdout, stderr) = run(
        drconsole(home.path()).args([
            "--demo",
            "message",
            "render",
            "progress-update",
            "--format",
            "slack",
        ]),
        0,
    );
    let expected = Library::load(None)
        .unwrap()
        .render("progress-update", &demo::context(), Format::Slack)
        .unwrap();
    assert_eq!(stdout, format!("{expected}\n"));
    assert!(
        stdout.contains("*DR UPDATE - 09:50 UTC - INC-20260314-0912*"),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "1 placeholder left: [[Next milestone and its expected time]] at line 12\n"
    );
}

#[test]
fn an_unknown_template_is_a_usage_error_naming_the_known_ones() {
    let home = tempfile::tempdir().unwrap();
    let (stdout, stderr) = run(
        drconsole(home.path()).args(["--demo", "message", "render", "progress"]),
        64,
    );
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(
            "no template named `progress`; the templates are: initial-declaration, \
             progress-update, completion-notice, handoff-brief, stakeholder-summary"
        ),
        "{stderr}"
    );
}

#[test]
fn a_user_template_replaces_the_shipped_one_of_its_name() {
    let home = tempfile::tempdir().unwrap();
    let path = user_comms(home.path()).join("progress-update.j2");
    std::fs::write(
        &path,
        "{# Our short update #}\nUPDATE {{ incident.id }} & **ETA {{ eta }}**\n",
    )
    .unwrap();
    let (stdout, _) = run(drconsole(home.path()).args(["message", "list"]), 0);
    assert!(
        stdout.contains(&format!(
            "progress-update      Our short update  [{}]",
            path.display()
        )),
        "{stdout}"
    );
    let (stdout, stderr) = run(
        drconsole(home.path()).args([
            "--demo",
            "message",
            "render",
            "progress-update",
            "--format",
            "slack",
        ]),
        0,
    );
    assert_eq!(stdout, "UPDATE INC-20260314-0912 &amp; *ETA 11:30 UTC*\n");
    assert_eq!(stderr, "");
}

#[test]
fn a_broken_user_template_is_exit_3_at_its_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let path = user_comms(home.path()).join("handoff-brief.j2");
    std::fs::write(&path, "{# Broken #}\n\nETA {{ etaa }}\n").unwrap();
    for args in [
        &["message", "list"][..],
        &["--demo", "message", "render", "progress-update"][..],
    ] {
        let (stdout, stderr) = run(drconsole(home.path()).args(args), 3);
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(&format!(
                "{}:3:8: unknown variable `etaa`; did you mean `eta`?",
                path.display()
            )),
            "{stderr}"
        );
        assert!(stderr.contains("ETA {{ etaa }}"), "the line: {stderr}");
    }
}

/// Declares a simulated incident and returns its id.
fn declare(home: &Path) -> String {
    let (stdout, _) = run(
        drconsole(home).args([
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
            "--service",
            "DynamoDB Tables",
        ]),
        0,
    );
    stdout
        .split_whitespace()
        .find(|w| w.starts_with("SIM-"))
        .unwrap_or_else(|| panic!("an id in:\n{stdout}"))
        .to_owned()
}

#[test]
fn an_estate_naming_no_template_is_warned_about_at_its_place() {
    let home = tempfile::tempdir().unwrap();
    let id = declare(home.path());
    let example = std::fs::read_to_string("templates/estate.example.toml").unwrap();
    let estate = home.path().join("estate.toml");
    std::fs::write(
        &estate,
        example.replace(
            "update = \"progress-update\"",
            "update = \"progres-update\"",
        ),
    )
    .unwrap();
    let line = example
        .lines()
        .position(|l| l == "update = \"progress-update\"")
        .unwrap()
        + 1;
    let (stdout, stderr) = run(
        drconsole(home.path())
            .args(["--demo", "--config"])
            .arg(&estate)
            .args(["message", "render", "progress-update", "--incident", &id]),
        0,
    );
    assert!(stdout.starts_with("SIMULATION"), "{stdout}");
    assert!(
        stderr.starts_with(&format!(
            "warning: {}:{line}:10: [comms] update names no template `progres-update`; there are \
             initial-declaration, ",
            estate.display()
        )),
        "{stderr}"
    );
}

#[test]
fn render_fills_a_declared_incident_from_its_journal() {
    let home = tempfile::tempdir().unwrap();
    let id = declare(home.path());
    let (stdout, stderr) = run(
        drconsole(home.path()).args([
            "--demo",
            "message",
            "render",
            "initial-declaration",
            "--incident",
            &id,
        ]),
        0,
    );
    assert!(stdout.contains("Event: us-east-1 down\n"), "{stdout}");
    assert!(stdout.contains("Recovery Team Lead: Alex\n"), "{stdout}");
    assert!(
        stdout.contains(&format!("Incident: {id} (SEV1")),
        "{stdout}"
    );
    assert!(stderr.contains("[[ETA]]"), "{stderr}");
}

#[test]
fn an_incident_that_is_not_there_is_exit_5() {
    let home = tempfile::tempdir().unwrap();
    let (_, stderr) = run(
        drconsole(home.path()).args([
            "--demo",
            "message",
            "render",
            "progress-update",
            "--incident",
            "SIM-20990101-0000",
        ]),
        5,
    );
    assert!(stderr.contains("SIM-20990101-0000"), "{stderr}");
}
