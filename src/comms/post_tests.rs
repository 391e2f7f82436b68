//! The poster's rules without a network: what is configured, what is sent where, how long
//! it waits, and what is never said.

use super::*;
use crate::config::model::{SlackSettings, StatuspageSettings};
use toml::Spanned;

fn comms() -> Comms {
    Comms {
        slack: Some(SlackSettings {
            webhook_env: Spanned::new(0..0, "HOOK".to_owned()),
            channel: Some("#incidents".to_owned()),
        }),
        statuspage: Some(StatuspageSettings {
            page_id: "pg1".to_owned(),
            api_key_env: Spanned::new(0..0, "KEY".to_owned()),
            api_url: "https://api.statuspage.io/v1".to_owned(),
        }),
        ..Comms::default()
    }
}

#[test]
fn an_unset_variable_is_named_when_posting_not_before() {
    let poster = Poster::new(&comms(), None, &|_| None);
    let channels = poster.channels();
    assert_eq!(channels.len(), 2);
    assert_eq!(channels[0].label, "#incidents");
    assert_eq!(
        poster.check(Channel::Slack).unwrap_err().to_string(),
        "[comms.slack] webhook_env names HOOK, which is not set"
    );
    assert_eq!(
        poster.check(Channel::Statuspage).unwrap_err().to_string(),
        "[comms.statuspage] api_key_env names KEY, which is not set"
    );
}

#[test]
fn a_channel_the_estate_does_not_configure_says_so() {
    let poster = Poster::new(&Comms::default(), None, &|_| Some("x".into()));
    assert!(poster.channels().is_empty());
    assert_eq!(
        poster.check(Channel::Slack).unwrap_err(),
        NotReady::NotConfigured {
            channel: Channel::Slack
        }
    );
    assert_eq!(poster.label(Channel::Slack), "slack");
}

#[test]
fn a_webhook_that_is_no_url_is_refused_without_quoting_it() {
    let poster = Poster::new(&comms(), None, &|_| Some("not a url s3cr3t".into()));
    let err = poster.check(Channel::Slack).unwrap_err().to_string();
    assert!(err.contains("HOOK") && !err.contains("s3cr3t"), "{err}");
}

#[test]
fn the_statuspage_url_names_the_page_and_the_incident_to_update() {
    let poster = Poster::new(&comms(), None, &|_| Some("https://k".into()));
    let create = poster.target(Channel::Statuspage, None).unwrap();
    assert_eq!(
        create.url.as_str(),
        "https://api.statuspage.io/v1/pages/pg1/incidents"
    );
    assert_eq!(create.method, reqwest::Method::POST);
    let update = poster.target(Channel::Statuspage, Some("abc")).unwrap();
    assert_eq!(
        update.url.as_str(),
        "https://api.statuspage.io/v1/pages/pg1/incidents/abc"
    );
    assert_eq!(update.method, reqwest::Method::PATCH);
}

#[test]
fn backoff_doubles_retry_after_is_honoured_and_both_are_capped() {
    let s = PostSettings {
        attempts: 5,
        backoff: Duration::from_secs(1),
        max_wait: Duration::from_secs(10),
        timeout: Duration::from_secs(10),
    };
    assert_eq!(s.delay(1, None), Duration::from_secs(1));
    assert_eq!(s.delay(2, None), Duration::from_secs(2));
    assert_eq!(s.delay(3, None), Duration::from_secs(4));
    assert_eq!(s.delay(5, None), Duration::from_secs(10));
    assert_eq!(
        s.delay(1, Some(Duration::from_secs(7))),
        Duration::from_secs(7)
    );
    assert_eq!(
        s.delay(1, Some(Duration::from_secs(3600))),
        Duration::from_secs(10)
    );
}

#[test]
fn secrets_are_scrubbed_whole_url_and_path() {
    let poster = Poster::new(&comms(), None, &|v| {
        Some(match v {
            "HOOK" => "https://hooks.slack.com/services/T0/B0/XyZ".into(),
            _ => "key-123".into(),
        })
    });
    let s = poster.secrets();
    assert_eq!(
        scrub(
            "at https://hooks.slack.com/services/T0/B0/XyZ or /services/T0/B0/XyZ, key-123",
            &s
        ),
        "at [secret] or [secret], [secret]"
    );
    let debug = format!("{poster:?}");
    assert!(
        !debug.contains("XyZ") && !debug.contains("key-123"),
        "{debug}"
    );
}

#[test]
fn the_statuspage_status_follows_the_services_back() {
    let mut incident = crate::comms::demo::incident(&crate::comms::demo::entries());
    let at = Some(incident.declared_at);
    for s in &mut incident.services {
        s.restored_at = None;
    }
    incident.resolved_at = None;
    assert_eq!(statuspage_status(&incident), "investigating");
    incident.services[0].restored_at = at;
    assert_eq!(statuspage_status(&incident), "identified");
    for s in &mut incident.services {
        s.restored_at = at;
    }
    assert_eq!(statuspage_status(&incident), "monitoring");
    incident.resolved_at = at;
    assert_eq!(statuspage_status(&incident), "resolved");
    incident.statuspage_id = Some("p1".into());
    let request = PostRequest::for_incident(&incident, "completion-notice", "done");
    assert_eq!(request.existing.as_deref(), Some("p1"));
    assert_eq!(request.status, "resolved");
}

#[test]
fn a_rehearsal_says_so_in_its_title_and_text_and_a_real_one_does_not() {
    let mut incident = crate::comms::demo::incident(&crate::comms::demo::entries());
    incident.mode = Mode::Simulation;
    let request = PostRequest::for_incident(&incident, "progress-update", "API back.");
    assert_eq!(request.title, format!("[SIMULATION] {}", incident.title));
    assert_eq!(
        request.text,
        "SIMULATION - NOT A REAL INCIDENT\n\nAPI back."
    );
    let banner_already = "*SIMULATION - NOT A REAL INCIDENT*\nAPI back.";
    let request = PostRequest::for_incident(&incident, "progress-update", banner_already);
    assert_eq!(request.text, banner_already);
    incident.mode = Mode::Drill;
    let request = PostRequest::for_incident(&incident, "progress-update", "x");
    assert!(request.title.starts_with("[DRILL] "));
    incident.mode = Mode::Production;
    let request = PostRequest::for_incident(&incident, "progress-update", "API back.");
    assert_eq!(request.title, incident.title);
    assert_eq!(request.text, "API back.");
}

#[test]
fn a_long_answer_is_cut_to_one_line() {
    assert_eq!(one_line("no_service\n"), "no_service");
    let long = "x ".repeat(300);
    assert!(one_line(&long).chars().count() <= 201);
}

#[test]
fn a_ca_file_that_is_missing_is_named_with_the_estate_folder() {
    let comms = Comms {
        ca_file: Some(Spanned::new(0..0, "proxy-ca.pem".to_owned())),
        ..comms()
    };
    let poster = Poster::new(&comms, Some(Path::new("estate-dir")), &|_| {
        Some("https://k".into())
    });
    let err = poster.check(Channel::Slack).unwrap_err().to_string();
    assert!(
        err.starts_with("[comms] ca_file estate-dir/proxy-ca.pem: "),
        "{err}"
    );
}
