//! failover-dns against moto: the records strategy end to end (moto answers every change
//! INSYNC at once and never evaluates failover, so the records are what is asserted), a
//! re-run that sends nothing, the typed name, and a dead Route53 control plane.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::action::{ActionError, ExecutorOptions, Guard, Status};
use drconsole::cloud::{Cloud, ErrorKind, Failover, RecordSet};
use drconsole::config::Estate;

use crate::common::{
    self, API_RECORD, MotoEnv, PRIMARY_IP, SECONDARY_IP, ZONE_NAME, create_failover_record,
    create_health_check, create_zone,
};
use crate::helpers::*;

/// The plan's failover pair, and the example estate pointed at its zone.
async fn seed_pair(env: &MotoEnv) -> (Estate, String) {
    let zone = create_zone(env, ZONE_NAME).await;
    let check = create_health_check(env, "api-primary.flightdata.example.com").await;
    create_failover_record(env, &zone, API_RECORD, true, PRIMARY_IP, Some(&check)).await;
    create_failover_record(env, &zone, API_RECORD, false, SECONDARY_IP, None).await;
    let mut estate = example_estate();
    estate.dns.records[0].zone_id = zone.clone();
    (estate, zone)
}

fn quick() -> ExecutorOptions {
    ExecutorOptions {
        poll_every: Some(Duration::from_millis(50)),
        ..in_account()
    }
}

async fn role(cloud: &dyn Cloud, zone: &str, role: Failover) -> RecordSet {
    cloud
        .list_record_sets(zone)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == API_RECORD && r.failover == Some(role))
        .unwrap_or_else(|| panic!("no {role:?} record"))
}

#[tokio::test]
async fn by_records_the_name_answers_with_the_secondary_and_undo_restores_the_saved_records() {
    let env = common::moto().await;
    let (estate, zone) = seed_pair(&env).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let before = role(cloud.as_ref(), &zone, Failover::Primary).await;
    let secondary = role(cloud.as_ref(), &zone, Failover::Secondary).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud.clone(), &estate, dir.path(), quick());

    env.start_recording();
    let done = run_confirmed(
        &executor,
        "failover-dns",
        API_RECORD,
        &["how=records"],
        Some(API_RECORD),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    assert_eq!(done.status, Status::Done);
    assert_eq!(
        writes(&recorded).len(),
        1,
        "one UPSERT: {:?}",
        writes(&recorded)
    );
    let upsert = recorded.iter().find(|r| is_write(r)).unwrap();
    assert!(
        upsert.body.contains("<Action>UPSERT</Action>"),
        "{}",
        upsert.body
    );
    assert!(!upsert.body.contains("DELETE"), "{}", upsert.body);

    let after = role(cloud.as_ref(), &zone, Failover::Primary).await;
    assert_eq!(
        after.values,
        [SECONDARY_IP],
        "the name answers the secondary's value"
    );
    assert_eq!(after.set_identifier, before.set_identifier);
    assert_eq!(after.health_check_id, before.health_check_id);
    assert_eq!(
        role(cloud.as_ref(), &zone, Failover::Secondary).await,
        secondary
    );

    let journal = entries(dir.path());
    assert_eq!(
        assert_journalled_run(&journal, "failover-dns", "succeeded"),
        ["ChangeResourceRecordSets"]
    );
    let saved = &of_kind(&journal, "safety_net")[0].payload["saved"];
    assert_eq!(saved["primary"]["values"][0], PRIMARY_IP, "{saved:#}");
    let waited = of_kind(&journal, "wait_finished");
    assert_eq!(waited.len(), 1, "waited for INSYNC");
    assert_eq!(waited[0].payload["ok"], true);

    // Again: nothing is sent, and the precheck says why.
    env.start_recording();
    let again = run_confirmed(&executor, "failover-dns", API_RECORD, &[], Some(API_RECORD))
        .await
        .unwrap();
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert!(
        matches!(&again.status, Status::AlreadyDone(why) if why.contains("SECONDARY")),
        "{again:?}"
    );

    // Undo: the precheck says "done", so it is allowed, and the saved record comes back.
    executor
        .undo(done.seq.unwrap(), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(role(cloud.as_ref(), &zone, Failover::Primary).await, before);
    assert_eq!(
        role(cloud.as_ref(), &zone, Failover::Secondary).await,
        secondary
    );
}

#[tokio::test]
async fn by_health_check_moto_keeps_the_inversion_and_undo_reverts_it() {
    let env = common::moto().await;
    let (estate, zone) = seed_pair(&env).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let check = role(cloud.as_ref(), &zone, Failover::Primary)
        .await
        .health_check_id
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud.clone(), &estate, dir.path(), quick());
    let done = run_confirmed(&executor, "failover-dns", API_RECORD, &[], Some(API_RECORD))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        assert_journalled_run(&entries(dir.path()), "failover-dns", "succeeded"),
        ["UpdateHealthCheck"]
    );
    assert!(cloud.get_health_check(&check).await.unwrap().inverted);
    executor.undo(done.seq.unwrap(), &|_| {}).await.unwrap();
    assert!(!cloud.get_health_check(&check).await.unwrap().inverted);
}

#[tokio::test]
async fn without_the_typed_name_nothing_is_sent() {
    let env = common::moto().await;
    let (estate, zone) = seed_pair(&env).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let before = role(cloud.as_ref(), &zone, Failover::Primary).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud.clone(), &estate, dir.path(), quick());
    env.start_recording();
    for typed in [None, Some("api.flightdata.example.com")] {
        let refused = run_confirmed(
            &executor,
            "failover-dns",
            API_RECORD,
            &["how=records"],
            typed,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                refused,
                ActionError::Refused {
                    guard: Guard::Confirmation,
                    ..
                }
            ),
            "{refused:?}"
        );
    }
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    assert_eq!(role(cloud.as_ref(), &zone, Failover::Primary).await, before);
    assert_refused_in_journal(&entries(dir.path()), "confirmation");
}

/// A listener that takes connections and never answers, and keeps each request line.
fn silent_listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let keep = keep.clone();
            std::thread::spawn(move || {
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut line = String::new();
                BufReader::new(&stream).read_line(&mut line).ok();
                keep.lock().unwrap().push(line.trim_end().to_owned());
                // Held open, unanswered, until the client gives up.
                std::thread::sleep(Duration::from_secs(30));
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn with_route53_unreachable_it_stops_at_once_and_says_why() {
    let env = common::moto().await;
    let (estate, _) = seed_pair(&env).await;
    let (dead, seen) = silent_listener();
    let options = drconsole::cloud::aws::AwsOptions {
        call_timeout: Duration::from_secs(2),
        ..common::test_options()
    };
    let cloud: Arc<dyn Cloud> = Arc::new(
        env.cloud_with(options)
            .await
            .with_region_endpoint(common::PRIMARY_REGION, &dead),
    );
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(cloud, &estate, dir.path(), quick());

    env.start_recording();
    let err = run_confirmed(&executor, "failover-dns", API_RECORD, &[], Some(API_RECORD))
        .await
        .unwrap_err();
    assert_eq!(writes(&env.stop_recording()), Vec::<String>::new());
    let ActionError::Cloud(e) = &err else {
        panic!("expected the read's failure: {err:?}");
    };
    assert!(
        matches!(e.kind, ErrorKind::Timeout | ErrorKind::Unreachable),
        "{e:?}"
    );
    assert!(
        e.message
            .contains("Route53's control plane (us-east-1) cannot be reached")
            && e.message.contains("fails over by itself"),
        "{e}"
    );
    let route53: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/2013-04-01/"))
        .cloned()
        .collect();
    assert_eq!(route53.len(), 1, "one attempt, no retry: {route53:?}");
}
