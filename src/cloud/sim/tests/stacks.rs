//! Stacks in the simulation: the estate's stack settled, an update that runs for minutes of
//! clock with an event per step, the health row that follows it, and what CloudFormation
//! refuses.

use super::*;
use crate::cloud::{ErrorKind, StackParameter, Stacks};

const STACK: &str = "flightdata-pipeline";

fn update(parameters: Vec<StackParameter>) -> WriteRequest {
    WriteRequest::UpdateStack {
        region: WEST.to_owned(),
        stack: STACK.to_owned(),
        parameters,
    }
}

async fn send(sim: &SimCloud, request: WriteRequest) -> CloudResult<Sent> {
    sim.send(&request, &Authority::for_tests()).await
}

#[tokio::test]
async fn an_update_runs_for_minutes_and_the_health_row_follows_it() {
    let sim = sim(&[]);
    let row = |snap: &HealthSnapshot| resource(snap, ResourceKind::Stack, STACK).clone();
    let before = row(&snap(&sim).await);
    assert_eq!(before.status, Status::Ok, "{:?}", before.reasons);
    assert_eq!(before.region, WEST);

    let sent = send(
        &sim,
        update(vec![
            StackParameter::new("InstanceCount", "3"),
            StackParameter::previous("Environment"),
            StackParameter::previous("AlertEmail"),
        ]),
    )
    .await
    .unwrap();
    assert!(matches!(sent.output, WriteOutput::Stack(ref id) if id.contains(STACK)));

    sim.clock().advance(chrono::Duration::minutes(1));
    let during = row(&snap(&sim).await);
    assert_eq!(during.status, Status::Warn, "{:?}", during.reasons);
    assert_eq!(during.reasons, ["UPDATE_IN_PROGRESS: User Initiated"]);
    let events = sim.stack_events(WEST, STACK, None).await.unwrap();
    assert_eq!(events[0].logical_id, "WorkerGroup", "{events:#?}");
    assert_eq!(events[0].status, "UPDATE_IN_PROGRESS");

    sim.clock().advance(chrono::Duration::minutes(3));
    let after = row(&snap(&sim).await);
    assert_eq!(after.status, Status::Ok, "{:?}", after.reasons);
    let info = sim.describe_stack(WEST, STACK).await.unwrap();
    assert_eq!(info.status, "UPDATE_COMPLETE");
}

#[tokio::test]
async fn a_parameter_left_out_of_an_update_takes_the_template_default() {
    let sim = sim(&[]);
    // The plan's command: InstanceCount and Environment only.
    send(
        &sim,
        update(vec![
            StackParameter::new("InstanceCount", "3"),
            StackParameter::new("Environment", "production"),
        ]),
    )
    .await
    .unwrap();
    let info = sim.describe_stack(WEST, STACK).await.unwrap();
    let alert = info.parameters.iter().find(|p| p.key == "AlertEmail");
    assert_eq!(
        alert.and_then(|p| p.value.as_deref()),
        Some("alerts@example.com"),
        "the template's default, as CloudFormation does"
    );
}

#[tokio::test]
async fn cloudformation_refusals_and_no_updates() {
    let sim = sim(&[]);
    // The values it has: nothing to do, answered as nothing done.
    let keep = ["InstanceCount", "Environment", "AlertEmail"]
        .into_iter()
        .map(StackParameter::previous)
        .collect();
    let same = send(&sim, update(keep)).await.unwrap();
    assert_eq!(same.output, WriteOutput::Nothing);
    // A change while another runs is refused.
    send(
        &sim,
        update(vec![StackParameter::new("InstanceCount", "2")]),
    )
    .await
    .unwrap();
    let busy = send(
        &sim,
        update(vec![StackParameter::new("InstanceCount", "4")]),
    )
    .await
    .unwrap_err();
    assert_eq!(busy.kind, ErrorKind::Validation, "{busy}");
    assert!(busy.message.contains("UPDATE_IN_PROGRESS"), "{busy}");
    // Unknown by name once deleted; by id DELETE_COMPLETE, and its template still answers.
    sim.clock().advance(chrono::Duration::minutes(5));
    let id = sim.describe_stack(WEST, STACK).await.unwrap().id;
    send(
        &sim,
        WriteRequest::DeleteStack {
            region: WEST.to_owned(),
            stack: STACK.to_owned(),
        },
    )
    .await
    .unwrap();
    sim.clock().advance(chrono::Duration::minutes(3));
    let gone = sim.describe_stack(WEST, STACK).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(
        sim.describe_stack(WEST, &id).await.unwrap().status,
        "DELETE_COMPLETE"
    );
    assert!(
        sim.get_template(WEST, &id)
            .await
            .unwrap()
            .contains("InstanceCount")
    );
    let row = snap(&sim).await;
    assert_flagged(
        &row,
        ResourceKind::Stack,
        STACK,
        Status::Critical,
        "does not exist",
    );
}
