use super::*;
use crate::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use crate::incident::Clock;
use chrono::{Duration, TimeZone};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, 0).unwrap()
}

fn estate() -> Estate {
    crate::session::example_estate().unwrap()
}

fn input(services: &[&str]) -> DeclareInput {
    DeclareInput {
        title: "us-east-1 down".into(),
        scenario: "region-failover".into(),
        severity: Severity::Sev1,
        services: services.iter().map(|s| (*s).to_owned()).collect(),
        commander: Some("  Alex  ".into()),
        impact_began: None,
    }
}

async fn snapshot(faults: Vec<Fault>) -> HealthSnapshot {
    let estate = estate();
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(now()),
            latency: Latency::None,
            faults,
        },
    );
    crate::health::snapshot(&sim, &estate, 4).await
}

#[test]
fn named_services_carry_their_targets_and_bad_names_are_refused() {
    let estate = estate();
    let d = plan_declaration(&input(&["dynamodb tables"]), &estate, None, now()).unwrap();
    assert_eq!(d.services.len(), 1);
    let s = &d.services[0];
    assert_eq!(s.name, "DynamoDB Tables");
    assert_eq!((s.rto_secs, s.rpo_secs), (4 * 3600, 3600));
    assert_eq!(d.commander.as_deref(), Some("Alex"));
    assert_eq!(
        (d.impact_began, d.impact_source),
        (now(), ImpactSource::Declaration)
    );

    let err = plan_declaration(&input(&["Dynamo"]), &estate, None, now()).unwrap_err();
    assert!(
        err.to_string().contains("unknown service `Dynamo`"),
        "{err}"
    );
    assert!(err.to_string().contains("S3 Data Storage"), "{err}");
    let mut bad = input(&["S3 Data Storage"]);
    bad.scenario = "meteor".into();
    let err = plan_declaration(&bad, &estate, None, now()).unwrap_err();
    assert!(err.to_string().contains("region-failover"), "{err}");
    assert_eq!(
        plan_declaration(&input(&[]), &estate, None, now()),
        Err(DeclareError::NoServices)
    );
}

#[tokio::test]
async fn by_default_the_unhealthy_services_are_affected_from_their_first_alarm() {
    let snapshot = snapshot(vec![Fault::Alarm]).await;
    let d = plan_declaration(&input(&[]), &estate(), Some(&snapshot), now()).unwrap();
    assert!(!d.services.is_empty());
    let ImpactSource::Alarm { alarm } = &d.impact_source else {
        panic!("{:?}", d.impact_source);
    };
    assert!(alarm.starts_with("flightdata-"), "{alarm}");
    assert_eq!(d.impact_began, now() - Duration::minutes(7));

    let mut given = input(&[]);
    given.impact_began = Some(now() - Duration::hours(1));
    let d = plan_declaration(&given, &estate(), Some(&snapshot), now()).unwrap();
    assert_eq!(d.impact_source, ImpactSource::Given);
    given.impact_began = Some(now() + Duration::hours(1));
    assert!(matches!(
        plan_declaration(&given, &estate(), Some(&snapshot), now()),
        Err(DeclareError::ImpactInFuture(_))
    ));
}

#[test]
fn a_declared_incident_is_found_replayed_and_picked() {
    let root = tempfile::tempdir().unwrap();
    let store = IncidentStore::at(root.path().join("incidents"), Mode::Simulation);
    let origin = Origin::new(Mode::Simulation, None, vec!["us-east-1".into()]);
    let declared = plan_declaration(&input(&["S3 Data Storage"]), &estate(), None, now()).unwrap();
    let (mut journal, incident) = store
        .declare(declared.clone(), origin.clone(), now())
        .unwrap();
    assert_eq!(incident.id, "SIM-20261126-0941");
    assert_eq!(store.pick(None).unwrap(), incident.dir);

    // A second one in the same minute gets its own directory.
    let (_, second) = store.declare(declared, origin, now()).unwrap();
    assert_eq!(second.id, "SIM-20261126-0941-2");
    let err = store.pick(None).unwrap_err();
    assert!(err.contains("2 incidents are open"), "{err}");
    assert_eq!(store.pick(Some(&second.id)).unwrap(), second.dir);

    journal
        .append_at(
            &Record::ServiceRestored {
                service: "S3 Data Storage".into(),
                at: None,
                note: None,
            },
            now() + Duration::hours(2),
        )
        .unwrap();
    journal
        .append_at(
            &Record::Resolved { summary: None },
            now() + Duration::hours(3),
        )
        .unwrap();
    let replayed = Incident::replay(&incident.dir).unwrap();
    assert!(!replayed.is_open());
    let watches = replayed.rto_watches(now() + Duration::days(1));
    assert_eq!(watches[0].1.clock, Clock::Met);
    assert_eq!(watches[0].1.elapsed, Duration::hours(2));
    assert_eq!(store.pick(None).unwrap(), second.dir);
    assert_eq!(store.list().unwrap().len(), 2);
}

#[test]
fn a_listed_incident_is_read_again_only_when_its_journal_grew() {
    let root = tempfile::tempdir().unwrap();
    let store = IncidentStore::at(root.path().join("incidents"), Mode::Simulation);
    let origin = Origin::new(Mode::Simulation, None, vec!["us-east-1".into()]);
    let declared = plan_declaration(&input(&["S3 Data Storage"]), &estate(), None, now()).unwrap();
    let (mut journal, incident) = store.declare(declared, origin, now()).unwrap();
    assert_eq!(store.open_incidents().unwrap().len(), 1);
    // Another process resolves it: the next listing sees it.
    journal
        .append_at(
            &Record::Resolved { summary: None },
            now() + Duration::hours(1),
        )
        .unwrap();
    assert!(store.open_incidents().unwrap().is_empty());
    // A directory removed is forgotten, not served from memory.
    std::fs::remove_dir_all(&incident.dir).unwrap();
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn with_an_unreadable_incident_in_the_store_none_is_picked_by_guess() {
    let root = tempfile::tempdir().unwrap();
    let store = IncidentStore::at(root.path().to_owned(), Mode::Simulation);
    let origin = Origin::new(Mode::Simulation, None, vec!["us-east-1".into()]);
    let d = plan_declaration(&input(&["DynamoDB Tables"]), &estate(), None, now()).unwrap();
    let (_, first) = store.declare(d.clone(), origin.clone(), now()).unwrap();
    let (_, second) = store.declare(d, origin, now()).unwrap();
    std::fs::write(first.dir.join(JOURNAL_FILE), "not a journal\n").unwrap();
    let err = store.pick(None).unwrap_err();
    assert!(
        err.contains("cannot be read") && err.contains("--incident"),
        "{err}"
    );
    assert_eq!(store.pick(Some(&second.id)).unwrap(), second.dir);
}

#[test]
fn a_declaration_that_never_reached_the_disk_is_not_an_incident() {
    let root = tempfile::tempdir().unwrap();
    let store = IncidentStore::at(root.path().to_owned(), Mode::Simulation);
    let origin = Origin::new(Mode::Simulation, None, vec!["us-east-1".into()]);
    // A crash between making the directory and writing the declaration.
    Journal::create(&root.path().join("SIM-20261126-0900"), origin.clone()).unwrap();
    let d = plan_declaration(&input(&["DynamoDB Tables"]), &estate(), None, now()).unwrap();
    let (_, real) = store.declare(d, origin, now()).unwrap();
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(store.pick(None).unwrap(), real.dir);
}
