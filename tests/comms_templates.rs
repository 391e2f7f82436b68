//! The message templates as the commander reads them: every shipped template filled from the
//! scripted incident in both formats (snapshots), the library's loading rules, and each kind
//! of template mistake at its file:line:column (`tests/invalid_templates/`).

use drconsole::comms::template::{Library, Origin};
use drconsole::comms::{Format, demo};

const SHIPPED: [&str; 5] = [
    "initial-declaration",
    "progress-update",
    "completion-notice",
    "handoff-brief",
    "stakeholder-summary",
];

fn rendered(name: &str, format: Format) -> String {
    let library = Library::load(None).unwrap_or_else(|e| panic!("{e}"));
    library
        .render(name, &demo::context(), format)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_shipped_template_renders_for_the_scripted_incident() {
    for name in SHIPPED {
        for format in [Format::Text, Format::Slack] {
            insta::assert_snapshot!(format!("comms_{name}_{format}"), rendered(name, format));
        }
    }
}

#[test]
fn the_completion_notice_of_a_resolved_incident_leaves_only_the_post_mortem_date() {
    let library = Library::load(None).unwrap();
    let ctx = demo::resolved_context();
    for format in [Format::Text, Format::Slack] {
        let text = library.render("completion-notice", &ctx, format).unwrap();
        let labels: Vec<String> = drconsole::comms::placeholders(&text)
            .into_iter()
            .map(|p| p.label)
            .collect();
        assert_eq!(labels, ["Date/Time"]);
        insta::assert_snapshot!(format!("comms_completion-notice_resolved_{format}"), text);
    }
}

#[test]
fn the_plans_field_names_are_kept() {
    let text = |name| rendered(name, Format::Text);
    let declaration = text("initial-declaration");
    for field in [
        "PRIORITY: URGENT - DISASTER RECOVERY ACTIVATED",
        "Event: ",
        "Impact: ",
        "ETA for Resolution: ",
        "Recovery Team Lead: ",
        "Status Updates: Every 30 minutes",
        "Actions in Progress:",
        "Next Update: ",
    ] {
        assert!(declaration.contains(field), "{field} in\n{declaration}");
    }
    let update = text("progress-update");
    for field in [
        "DR UPDATE - ",
        "Status: ",
        "Services Restored: ",
        "Services Still Affected: ",
        "Current Activities:",
        "Next Milestone: ",
        "Changes since last update",
        "Estimated Full Recovery: ",
        "Next Update: ",
    ] {
        assert!(update.contains(field), "{field} in\n{update}");
    }
    let completion = text("completion-notice");
    for field in [
        "DISASTER RECOVERY COMPLETE - ",
        "Final Recovery Time: ",
        "Services Verified: ",
        "Post-Incident Actions:",
        "- Post-mortem scheduled for [[Date/Time]]",
        "- Root cause analysis in progress",
        "- DR procedures update pending",
        "Thank you for your patience during this recovery.",
    ] {
        assert!(completion.contains(field), "{field} in\n{completion}");
    }
}

#[test]
fn the_stakeholder_summary_has_no_jargon() {
    let text = rendered("stakeholder-summary", Format::Text);
    for word in [
        "PITR",
        "DynamoDB",
        "S3",
        "Lambda",
        "us-east-1",
        "us-west-2",
        "flight_",
        "RTO",
        "runbook",
    ] {
        assert!(!text.contains(word), "`{word}` in\n{text}");
    }
}

#[test]
fn a_user_file_replaces_the_shipped_template_of_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress-update.j2");
    std::fs::write(
        &path,
        "{# Our own update #}\nUPDATE {{ incident.id }}: **{{ eta }}**",
    )
    .unwrap();
    std::fs::write(dir.path().join("shift-note.j2"), "{# A note #}\nhello").unwrap();
    std::fs::write(dir.path().join("README.md"), "not a template").unwrap();
    let library = Library::load(Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let update = library.get("progress-update").unwrap();
    assert_eq!(update.title, "Our own update");
    assert_eq!(update.origin, Origin::User(path));
    assert_eq!(library.names().len(), 6, "{:?}", library.names());
    assert_eq!(library.names()[5], "shift-note");
    let ctx = demo::context();
    let slack = library
        .render("progress-update", &ctx, Format::Slack)
        .unwrap();
    assert_eq!(slack, format!("UPDATE {}: *{}*", ctx.incident.id, ctx.eta));
}

#[test]
fn a_missing_user_folder_is_the_shipped_templates_only() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::load(Some(&dir.path().join("absent"))).unwrap();
    assert_eq!(library.names(), SHIPPED);
    assert!(library.list().iter().all(|t| t.origin == Origin::Shipped));
}

#[test]
fn a_broken_user_file_stops_the_load_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("initial-declaration.j2");
    std::fs::write(&path, "{# Broken #}\n\nETA {{ etaa }}\n").unwrap();
    let err = Library::load(Some(dir.path())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3:8: unknown variable `etaa`; did you mean `eta`?",
            path.display()
        )
    );
}

#[test]
fn an_unknown_template_name_in_the_estate_is_pointed_at() {
    let estate = drconsole::config::parse(
        &format!(
            "{}\n[comms]\nupdate = \"progres-update\"\n",
            include_str!("../templates/estate.example.toml")
                .split("\n[comms]")
                .next()
                .unwrap()
        ),
        std::path::Path::new("estate.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let library = Library::load(None).unwrap();
    let found = library.check_comms(&estate.comms);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .1
            .starts_with("[comms] update names no template `progres-update`; there are "),
        "{}",
        found[0].1
    );
    assert!(!found[0].0.is_empty());
}

#[test]
fn the_example_estate_names_shipped_templates() {
    let estate = drconsole::config::load(std::path::Path::new("templates/estate.example.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Library::load(None).unwrap().check_comms(&estate.comms), []);
}

#[path = "comms_templates/invalid.rs"]
mod invalid;
