//! Runbooks as their authors meet them: the shipped ones load against the example estate, a
//! user's file replaces a shipped one by name, and a file that cannot be read or parsed
//! names itself.

use std::path::Path;

use drconsole::config::{self, ConfigError, Estate};
use drconsole::runbook::load;

const EXAMPLE: &str = "templates/estate.example.toml";

fn example() -> Estate {
    config::load(Path::new(EXAMPLE)).unwrap_or_else(|e| panic!("{e}"))
}

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
            "data-corruption",
            "infrastructure-loss",
            "region-failback",
            "region-failover"
        ]
    );
    let ours = &all[1];
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
        "no runbook `region-falover`; there are: data-corruption, infrastructure-loss, \
         region-failback, region-failover"
    );
}
