//! Runbooks as their authors meet them: the shipped ones load against the example estate, a
//! user's file replaces a shipped one by name, and each kind of mistake is reported at
//! file:line:column with the exact message. Each broken file lives in
//! `tests/invalid_runbooks/` so it can be opened and compared with the message by eye.

use std::path::Path;

use drconsole::config::{self, ConfigError, Estate};
use drconsole::runbook::load;

const EXAMPLE: &str = "templates/estate.example.toml";

fn example() -> Estate {
    config::load(Path::new(EXAMPLE)).unwrap_or_else(|e| panic!("{e}"))
}

/// Every construct a runbook may use, used the way the validation allows: variables of each
/// kind where they have a value, jumps forward within a list, a chooser's outputs, a verify's
/// figures.
const EVERYTHING: &str = r#"
name = "everything"
title = "Every construct"
summary = "Uses each field where it belongs."
fixes = ["The plan restores in sequence; this restores in parallel."]
target = "4h"

[[inputs]]
name = "corruption_start"
prompt = "When did the corruption start?"
kind = "time"
within_pitr_of = "{{ estate.name }}-main"

[[inputs]]
name = "restore_time"
prompt = "Restore to"
kind = "time"
default = "{{ steps.ask-start.value }}"
within_pitr_of = "flightdata-main"

[[inputs]]
name = "service"
prompt = "Which service?"
kind = "choice"
choices = ["DynamoDB Tables", "S3 Data Storage"]
default = "DynamoDB Tables"

[[inputs]]
name = "segments"
prompt = "Scan segments"
kind = "count"
default = "4"
required = false

[[phases]]
id = "immediate"
title = "Immediate response"
target = "15m"

[[phases.steps]]
id = "call"
kind = "manual"
title = "Call the team"
instructions = "Page the on-call engineer."
target = "5m"

[[phases.steps]]
id = "stop"
kind = "action"
title = "Stop ingestion"
action = "stop-ingestion"
resource = "{{ estate.ingestion_function }}"
on_failure = "goto:stop-by-hand"
max_attempts = 3
timeout = "10m"

[[phases.steps]]
id = "ask-start"
kind = "input"
title = "When did it start?"
input = "corruption_start"
next = "ask-restore-time"

[[phases.steps]]
id = "stop-by-hand"
kind = "manual"
title = "Stop ingestion by hand"
on_failure = "continue"

[[phases.steps]]
id = "ask-restore-time"
kind = "input"
title = "Restore to when?"
input = "restore_time"

[[phases]]
id = "recover"
title = "Recover"
target = "4h"

[[phases.steps]]
id = "dns-or-not"
kind = "decision"
title = "Does Route53 already serve the backup region?"
options = [
    { id = "yes", label = "Yes", goto = "restore-all" },
    { id = "no", label = "No, switch it", goto = "dns" },
]

[[phases.steps]]
id = "dns"
kind = "action"
title = "Point DNS at the backup region"
action = "failover-dns"
resource = "{{ estate.dns_record }}"
args = { how = "records" }

[[phases.steps]]
id = "wait-dns"
kind = "wait"
title = "Wait for DNS"
until = "dns-on-secondary"
resource = "{{ estate.dns_record }}"
region = "{{ estate.backup_region }}"

[[phases.steps]]
id = "restore-all"
kind = "for_each"
title = "Restore every table of the service"
for_each = "tables-of:{{ inputs.service }}"
concurrency = 3

[[phases.steps.steps]]
id = "source"
kind = "decision"
title = "Restore {{ item }} from"
choose = "restore-source"
resource = "{{ item }}"
options = [
    { id = "export", label = "Import the newest export" },
    { id = "replica", label = "Nothing to restore", goto = "protect" },
    { id = "pitr", label = "Cross-region point in time" },
]

[[phases.steps.steps]]
id = "import"
kind = "action"
title = "Import {{ item }}"
action = "import-table"
resource = "{{ item }}"
args = { export = "{{ steps.source.export }}", region = "{{ steps.source.region }}", new-name = "{{ item }}-{{ run.stamp }}" }

[[phases.steps.steps]]
id = "protect"
kind = "action"
title = "Turn PITR on"
action = "enable-pitr"
resource = "{{ steps.import.created }}"

[[phases.steps]]
id = "both"
kind = "parallel"
title = "Compare and scan at once"

[[phases.steps.steps]]
id = "compare"
kind = "verify"
title = "Compare"
check = "compare-tables"
resource = "flightdata-main"
args = { with = "{{ steps.dns.resource }}", sample = "50" }

[[phases.steps.steps]]
id = "count"
kind = "verify"
title = "Count"
check = "count-items"
resource = "flightdata-main"
args = { segments = "{{ inputs.segments }}" }

[[phases.steps]]
id = "smoke"
kind = "verify"
title = "Smoke test"
check = "shell"
resource = "smoke"
on_failure = "continue"

[[phases.steps]]
id = "restart"
kind = "action"
title = "Restart ingestion"
action = "restart-ingestion"
resource = "{{ estate.ingestion_function }}"
args = { concurrency = "{{ steps.ask-start.value }}" }

[[phases.steps]]
id = "wait-function"
kind = "wait"
title = "Wait for the function"
until = "function-active"
resource = "{{ steps.restart.resource }}"

[[phases.steps]]
id = "note"
kind = "manual"
title = "Write down the smoke test's verdict: {{ steps.smoke.summary }}"
"#;

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn every_shipped_runbook_loads_against_the_example_estate() {
    let estate = example();
    let all = load::load_all(None, &estate).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = all
        .iter()
        .map(|l| l.runbook.name.get_ref().as_str())
        .collect();
    assert_eq!(
        names,
        [
            "annual-bc-test",
            "data-corruption",
            "infrastructure-loss",
            "region-failback",
            "region-failover"
        ]
    );
    for (file, text) in load::SHIPPED {
        let path = Path::new("templates/runbooks").join(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), *text, "{file}");
        let loaded = all
            .iter()
            .find(|l| l.path == path)
            .unwrap_or_else(|| panic!("{file} not loaded"));
        assert_eq!(loaded.origin, load::Origin::Shipped);
        assert_eq!(loaded.digest, load::digest(text));
    }
}

#[test]
fn every_construct_loads_where_it_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "everything.toml", EVERYTHING);
    let loaded =
        load::find("everything", Some(dir.path()), &example()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        loaded.origin,
        load::Origin::User(dir.path().join("everything.toml"))
    );
    assert_eq!(loaded.runbook.steps().len(), 19);
}

#[test]
fn a_user_file_replaces_the_shipped_runbook_of_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let mine = r#"
name = "data-corruption"
title = "Our own data corruption runbook"
summary = "Ours."

[[phases]]
id = "respond"
title = "Respond"

[[phases.steps]]
id = "call"
kind = "manual"
title = "Call the data team"
"#;
    write(dir.path(), "data-corruption.toml", mine);
    write(dir.path(), "notes.txt", "not a runbook");
    write(
        dir.path(),
        "a-first.toml",
        &mine
            .replace("\"data-corruption\"", "\"a-first\"")
            .replace("Our own data corruption runbook", "Ours, first by name"),
    );
    let all = load::load_all(Some(dir.path()), &example()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = all
        .iter()
        .map(|l| l.runbook.name.get_ref().as_str())
        .collect();
    assert_eq!(
        names,
        [
            "a-first",
            "annual-bc-test",
            "data-corruption",
            "infrastructure-loss",
            "region-failback",
            "region-failover"
        ]
    );
    let ours = &all[2];
    assert_eq!(ours.runbook.title, "Our own data corruption runbook");
    let path = dir.path().join("data-corruption.toml");
    assert_eq!(ours.origin, load::Origin::User(path.clone()));
    assert_eq!(ours.path, path);
    assert_eq!(ours.digest, load::digest(mine));
}

#[test]
fn no_user_directory_is_the_shipped_runbooks_only() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("runbooks");
    let all = load::load_all(Some(&missing), &example()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), load::SHIPPED.len());
}

#[test]
fn a_broken_user_file_stops_the_load_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "region-failover.toml",
        "name = \"region-failover\"\n",
    );
    let err = load::load_all(Some(dir.path()), &example()).unwrap_err();
    let path = dir.path().join("region-failover.toml");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1:1: missing field `title`\n    name = \"region-failover\"\n    ^",
            path.display()
        )
    );
}

#[test]
fn an_unreadable_file_is_a_read_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // A directory named like a runbook cannot be read as one, whoever runs the test.
    let path = dir.path().join("region-failover.toml");
    std::fs::create_dir(&path).unwrap();
    let err = load::load_all(Some(dir.path()), &example()).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read {}: ", path.display())),
        "{err}"
    );
}

#[test]
fn find_names_the_runbooks_there_are() {
    let err = load::find("region-falover", None, &example()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no runbook `region-falover`; there are: annual-bc-test, data-corruption, \
         infrastructure-loss, region-failback, region-failover"
    );
}

#[test]
fn describe_shows_what_runbook_show_prints() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "everything.toml", EVERYTHING);
    let loaded = load::find("everything", Some(dir.path()), &example()).unwrap();
    let expected = format!(
        r#"everything — Every construct
your file: {}
target: 4h from the start

Uses each field where it belongs.

Where it departs from the plan:
  - The plan restores in sequence; this restores in parallel.

Inputs:
  corruption_start (time; within the PITR window of {{{{ estate.name }}}}-main): When did the corruption start?
  restore_time (time; default {{{{ steps.ask-start.value }}}}; within the PITR window of flightdata-main): Restore to
  service (choice; one of DynamoDB Tables, S3 Data Storage; default DynamoDB Tables): Which service?
  segments (count; default 4; optional): Scan segments

immediate (by 15m): Immediate response
  1. call: Call the team [manual] target 5m
     Page the on-call engineer.
  2. stop: Stop ingestion [action stop-ingestion on {{{{ estate.ingestion_function }}}}]
     on failure goto:stop-by-hand, 3 attempts, timeout 10m
  3. ask-start: When did it start? [input corruption_start]
     then ask-restore-time
  4. stop-by-hand: Stop ingestion by hand [manual]
     on failure continue
  5. ask-restore-time: Restore to when? [input restore_time]

recover (by 4h): Recover
  6. dns-or-not: Does Route53 already serve the backup region? [decision]
     - yes: Yes → restore-all
     - no: No, switch it → dns
  7. dns: Point DNS at the backup region [action failover-dns on {{{{ estate.dns_record }}}}]
     args: how=records
  8. wait-dns: Wait for DNS [wait until dns-on-secondary on {{{{ estate.dns_record }}}} in {{{{ estate.backup_region }}}}]
  9. restore-all: Restore every table of the service [for each of tables-of:{{{{ inputs.service }}}}]
     3 at once
    9.1 source: Restore {{{{ item }}}} from [decision, restore-source on {{{{ item }}}}]
        - export: Import the newest export
        - replica: Nothing to restore → protect
        - pitr: Cross-region point in time
    9.2 import: Import {{{{ item }}}} [action import-table on {{{{ item }}}}]
        args: export={{{{ steps.source.export }}}} new-name={{{{ item }}}}-{{{{ run.stamp }}}} region={{{{ steps.source.region }}}}
    9.3 protect: Turn PITR on [action enable-pitr on {{{{ steps.import.created }}}}]
  10. both: Compare and scan at once [parallel]
      4 at once
    10.1 compare: Compare [verify compare-tables on flightdata-main]
         args: sample=50 with={{{{ steps.dns.resource }}}}
    10.2 count: Count [verify count-items on flightdata-main]
         args: segments={{{{ inputs.segments }}}}
  11. smoke: Smoke test [verify shell on smoke]
      on failure continue
  12. restart: Restart ingestion [action restart-ingestion on {{{{ estate.ingestion_function }}}}]
      args: concurrency={{{{ steps.ask-start.value }}}}
  13. wait-function: Wait for the function [wait until function-active on {{{{ steps.restart.resource }}}}]
  14. note: Write down the smoke test's verdict: {{{{ steps.smoke.summary }}}} [manual]"#,
        dir.path().join("everything.toml").display()
    );
    assert_eq!(load::describe(&loaded).join("\n"), expected);
}

/// The message for `resource = RESOURCE` on a top-level action step.
fn resource_error(resource: &str) -> String {
    let text = format!(
        "name = \"columns\"\ntitle = \"t\"\nsummary = \"s\"\n\n[[phases]]\nid = \"p\"\ntitle = \"p\"\n\n\
         [[phases.steps]]\nid = \"protect\"\nkind = \"action\"\ntitle = \"t\"\n\
         action = \"enable-pitr\"\nresource = {resource}\n"
    );
    load::parse(&text, Path::new("columns.toml"), &example())
        .unwrap_err()
        .to_string()
}

#[test]
fn the_column_points_at_the_variable_as_written() {
    let first_line = |s: String| s.lines().next().unwrap().to_owned();
    // Counted in characters, after a non-ASCII one.
    assert_eq!(
        first_line(resource_error("\"café-{{ itme }}\"")),
        "columns.toml:14:18: `{{ itme }}`: not a variable; variables are estate.NAME, \
         run.NAME, inputs.NAME, item and steps.ID.OUTPUT"
    );
    assert!(
        resource_error("'{{ item }}'").starts_with("columns.toml:14:13: `{{ item }}`"),
        "a literal string maps byte for byte"
    );
    // An escape does not read back as written: the string's start is as close as can be said.
    assert!(
        resource_error(r#""caf\u00e9-{{ item }}""#).starts_with("columns.toml:14:12: `{{ item }}`"),
    );
    assert!(
        resource_error("\"\"\"\n{{ item }}\"\"\"").starts_with("columns.toml:14:12: `{{ item }}`"),
    );
}

#[path = "runbook_load/invalid.rs"]
mod invalid;
