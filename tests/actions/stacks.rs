//! The stack actions through the executor: on moto, what CloudFormation ends up with and
//! what was sent (UsePreviousValue, a re-run that sends nothing, a confirmation refused); on
//! the simulation, an update that takes minutes of its clock with events as progress.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use drconsole::action::{ActionError, Executor, ExecutorOptions, Guard, Status};
use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
use drconsole::cloud::{Cloud, Identity, Stacks};

use crate::common::stacks::{STACK, VALUES, client, parameters, seed_stack, status};
use crate::common::{BACKUP_REGION, moto};
use crate::helpers::*;

fn fast() -> ExecutorOptions {
    ExecutorOptions {
        poll_every: Some(std::time::Duration::from_millis(20)),
        ..in_account()
    }
}

#[tokio::test]
async fn update_stack_keeps_every_other_parameter_and_a_rerun_sends_nothing() {
    let env = moto().await;
    seed_stack(&env, BACKUP_REGION, STACK).await;
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate();
    let executor = executor_in(Arc::new(env.cloud().await), &estate, dir.path(), fast());

    env.start_recording();
    let outcome = run(&executor, "update-stack", STACK, &["set=InstanceCount=3"])
        .await
        .unwrap();
    let recorded = env.stop_recording();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    let params = parameters(&env, BACKUP_REGION, STACK).await;
    assert_eq!(params["InstanceCount"], "3");
    // Left out of the request, CloudFormation (and moto) would reset these to the
    // template's defaults ("staging", "alerts@example.com").
    assert_eq!(params["Environment"], "production");
    assert_eq!(params["AlertEmail"], "oncall@flightdata.example.com");

    let updates: Vec<_> = recorded
        .iter()
        .filter(|r| r.operation() == "UpdateStack")
        .collect();
    assert_eq!(updates.len(), 1, "{:?}", writes(&recorded));
    let body = &updates[0].body;
    assert_eq!(
        body.matches("UsePreviousValue=true").count(),
        2,
        "Environment and AlertEmail as UsePreviousValue: {body}"
    );
    assert!(body.contains("ParameterValue=3"), "{body}");
    assert!(body.contains("UsePreviousTemplate=true"), "{body}");
    assert_eq!(writes(&recorded), ["UpdateStack (us-west-2)"]);
    let ops = assert_journalled_run(&entries(dir.path()), "update-stack", "succeeded");
    assert_eq!(ops, ["UpdateStack"]);
    let undo = outcome.undo.expect("an undo");
    assert!(undo.summary.contains("InstanceCount=1"), "{}", undo.summary);

    // Again: the precheck reads InstanceCount=3 and sends nothing.
    env.start_recording();
    let again = run(&executor, "update-stack", STACK, &["set=InstanceCount=3"])
        .await
        .unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert!(writes(&recorded).is_empty(), "{:?}", writes(&recorded));
}

#[tokio::test]
async fn update_stack_refuses_a_parameter_the_stack_does_not_have() {
    let env = moto().await;
    seed_stack(&env, BACKUP_REGION, STACK).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(
        Arc::new(env.cloud().await),
        &example_estate(),
        dir.path(),
        fast(),
    );
    env.start_recording();
    let err = run(&executor, "update-stack", STACK, &["set=DesiredCount=3"])
        .await
        .unwrap_err();
    assert!(writes(&env.stop_recording()).is_empty());
    let text = err.to_string();
    assert!(
        matches!(err, ActionError::Invalid(_))
            && text.contains("DesiredCount")
            && text.contains("InstanceCount"),
        "{text}"
    );
}

#[tokio::test]
async fn create_stack_makes_a_deleted_stack_again_from_its_template_and_parameters() {
    let env = moto().await;
    let old = seed_stack(&env, BACKUP_REGION, STACK).await;
    client(&env, BACKUP_REGION)
        .await
        .delete_stack()
        .stack_name(STACK)
        .send()
        .await
        .unwrap();
    assert_eq!(status(&env, BACKUP_REGION, STACK).await, None);
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(
        Arc::new(env.cloud().await),
        &example_estate(),
        dir.path(),
        fast(),
    );

    let from = format!("from-deleted={old}");
    let outcome = run(&executor, "create-stack", STACK, &[&from])
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    assert_eq!(
        status(&env, BACKUP_REGION, STACK).await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let params = parameters(&env, BACKUP_REGION, STACK).await;
    for (key, value) in VALUES {
        assert_eq!(params[key], value, "the deleted stack's own {key}");
    }
    assert!(
        outcome.undo.is_none(),
        "no undo: delete-stack is the way back"
    );

    env.start_recording();
    let again = run(&executor, "create-stack", STACK, &[&from])
        .await
        .unwrap();
    let recorded = env.stop_recording();
    assert!(matches!(again.status, Status::AlreadyDone(_)), "{again:#?}");
    assert!(writes(&recorded).is_empty(), "{:?}", writes(&recorded));
}

#[tokio::test]
async fn delete_stack_needs_the_name_typed_and_saves_the_template_first() {
    let env = moto().await;
    let id = seed_stack(&env, BACKUP_REGION, STACK).await;
    let dir = tempfile::tempdir().unwrap();
    let executor = executor_in(
        Arc::new(env.cloud().await),
        &example_estate(),
        dir.path(),
        fast(),
    );

    env.start_recording();
    let refused = run(&executor, "delete-stack", STACK, &[])
        .await
        .unwrap_err();
    assert!(writes(&env.stop_recording()).is_empty());
    assert!(
        matches!(
            refused,
            ActionError::Refused {
                guard: Guard::Confirmation,
                ..
            }
        ),
        "{refused}"
    );
    assert_refused_in_journal(&entries(dir.path()), "confirmation");
    assert_eq!(
        status(&env, BACKUP_REGION, STACK).await.as_deref(),
        Some("CREATE_COMPLETE")
    );

    let outcome = run_confirmed(&executor, "delete-stack", STACK, &[], Some(STACK))
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    assert_eq!(
        status(&env, BACKUP_REGION, STACK).await,
        None,
        "gone by name"
    );
    assert_eq!(
        status(&env, BACKUP_REGION, &id).await.as_deref(),
        Some("DELETE_COMPLETE")
    );
    let journal = entries(dir.path());
    let net = of_kind(&journal, "safety_net");
    assert_eq!(net.len(), 1, "{journal:#?}");
    let saved = &net[0].payload;
    let saved_text = saved.to_string();
    assert!(
        saved_text.contains("AlertEmail") && saved_text.contains(&id),
        "template, parameters and id saved: {saved:#}"
    );
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains(&format!("from-deleted={id}"))),
        "{:?}",
        outcome.notes
    );

    // Nothing left to delete: nothing sent.
    env.start_recording();
    let again = run_confirmed(&executor, "delete-stack", STACK, &[], Some(STACK))
        .await
        .unwrap();
    assert!(matches!(again.status, Status::AlreadyDone(_)));
    assert!(writes(&env.stop_recording()).is_empty());
}

#[tokio::test]
async fn on_the_simulation_an_update_takes_minutes_with_the_newest_event_as_progress() {
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
    let estate = example_estate();
    let sim = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(start),
            latency: Latency::None,
            faults: Vec::new(),
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    let executor: Executor = executor_in(
        sim.clone() as Arc<dyn Cloud>,
        &estate,
        dir.path(),
        ExecutorOptions {
            account: Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
            poll_every: Some(std::time::Duration::from_secs(30)),
            ..ExecutorOptions::default()
        },
    );
    let before = sim.describe_stack(BACKUP_REGION, STACK).await.unwrap();
    assert_eq!(before.status, "CREATE_COMPLETE");

    let seen = Mutex::new(Vec::new());
    let action = action("update-stack");
    let outcome = executor
        .run(
            action,
            STACK,
            &args(action, &["set=InstanceCount=3"]),
            None,
            None,
            &|p| seen.lock().unwrap().push(p.what),
        )
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done);
    let seen = seen.into_inner().unwrap();
    // Looks while it ran showed the resource moving, by its event.
    assert!(
        seen.iter()
            .any(|l| l.contains("UPDATE_IN_PROGRESS") && l.contains("WorkerGroup")),
        "{seen:#?}"
    );
    let waited = sim.now() - start;
    assert!(
        waited >= chrono::Duration::minutes(4) && waited < chrono::Duration::minutes(6),
        "the update took {waited} of the simulated clock"
    );
    let after = sim.describe_stack(BACKUP_REGION, STACK).await.unwrap();
    assert_eq!(after.status, "UPDATE_COMPLETE");
    let value = |key: &str| {
        after
            .parameters
            .iter()
            .find(|p| p.key == key)
            .and_then(|p| p.value.clone())
    };
    assert_eq!(value("InstanceCount").as_deref(), Some("3"));
    assert_eq!(value("Environment").as_deref(), Some("production"));
    let events = sim.stack_events(BACKUP_REGION, STACK, None).await.unwrap();
    assert_eq!(events[0].status, "UPDATE_COMPLETE", "{events:#?}");
}

#[tokio::test]
async fn a_rerun_after_the_wait_gave_up_sends_nothing_and_says_the_stack_is_still_at_it() {
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
    let estate = example_estate();
    let sim = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(start),
            latency: Latency::None,
            faults: Vec::new(),
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    let options = |poll| ExecutorOptions {
        account: Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
        poll_every: Some(poll),
        ..ExecutorOptions::default()
    };
    // As if a run had sent the update and then given up waiting: the values are set, the
    // stack still UPDATE_IN_PROGRESS.
    let executor = executor_in(
        sim.clone() as Arc<dyn Cloud>,
        &estate,
        dir.path(),
        options(std::time::Duration::from_secs(30)),
    );
    use drconsole::action::Authority;
    use drconsole::cloud::{StackParameter, WriteRequest, Writes};
    sim.send(
        &WriteRequest::UpdateStack {
            region: BACKUP_REGION.to_owned(),
            stack: STACK.to_owned(),
            parameters: vec![
                StackParameter::new("InstanceCount", "3"),
                StackParameter::previous("Environment"),
                StackParameter::previous("AlertEmail"),
            ],
        },
        &Authority::for_tests(),
    )
    .await
    .unwrap();
    let again = run(&executor, "update-stack", STACK, &["set=InstanceCount=3"])
        .await
        .unwrap();
    match again.status {
        Status::AlreadyDone(why) => assert!(why.contains("UPDATE_IN_PROGRESS"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(again.sent.is_empty());
}
