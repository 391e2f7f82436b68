//! CloudFormation through the port: describe, events and templates of a stack, by name and
//! by id once deleted; the three stack writes, and what moto received for them.
//!
//! moto makes and deletes stacks synchronously and updates them shallowly (moto-writes.md):
//! these tests assert parameters and statuses, never resources.

use drconsole::cloud::{StackParameter, StackPhase, Stacks, TemplateSource};

use super::common::stacks::{STACK, TEMPLATE, VALUES, parameters, seed_stack, status};
use super::*;

fn update(parameters: Vec<StackParameter>) -> WriteRequest {
    WriteRequest::UpdateStack {
        region: WEST.to_owned(),
        stack: STACK.to_owned(),
        parameters,
    }
}

#[tokio::test]
async fn a_stack_is_described_with_its_parameters_events_and_template() {
    let env = moto().await;
    let id = seed_stack(&env, WEST, STACK).await;
    let cloud = env.cloud().await;

    let info = cloud.describe_stack(WEST, STACK).await.unwrap();
    assert_eq!(info.name, STACK);
    assert_eq!(info.id, id);
    assert_eq!(info.status, "CREATE_COMPLETE");
    assert_eq!(info.phase(), StackPhase::Complete);
    let mut got: Vec<(String, String)> = info
        .parameters
        .iter()
        .map(|p| (p.key.clone(), p.value.clone().unwrap_or_default()))
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = VALUES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    want.sort();
    assert_eq!(got, want);
    assert!(info.last_updated.is_some(), "{info:?}");

    // moto lists stack-level events only: the create's start and end, newest first.
    let events = cloud.stack_events(WEST, STACK, None).await.unwrap();
    assert!(events.len() >= 2, "{events:#?}");
    assert_eq!(events[0].status, "CREATE_COMPLETE", "{events:#?}");
    assert!(
        events.windows(2).all(|w| w[0].time >= w[1].time),
        "newest first"
    );
    let since = cloud
        .stack_events(WEST, STACK, Some(events[0].time))
        .await
        .unwrap();
    assert!(since.is_empty(), "nothing after the newest: {since:#?}");

    let template = cloud.get_template(WEST, STACK).await.unwrap();
    assert!(template.contains("InstanceCount"), "{template}");

    // Stacks live in their region.
    let elsewhere = cloud.describe_stack(EAST, STACK).await.unwrap_err();
    assert_eq!(elsewhere.kind, ErrorKind::NotFound, "{elsewhere}");
}

#[tokio::test]
async fn an_update_keeps_the_template_and_every_parameter_not_set() {
    let env = moto().await;
    seed_stack(&env, WEST, STACK).await;
    let cloud = env.cloud().await;

    env.start_recording();
    let id = output!(
        write(
            &cloud,
            update(vec![
                StackParameter::new("InstanceCount", "3"),
                StackParameter::previous("Environment"),
                StackParameter::previous("AlertEmail"),
            ])
        )
        .await,
        Stack
    );
    let recorded = env.stop_recording();
    assert!(id.contains(&format!(":stack/{STACK}/")), "{id}");
    let params = parameters(&env, WEST, STACK).await;
    assert_eq!(params["InstanceCount"], "3");
    assert_eq!(params["Environment"], "production", "kept, not the default");
    assert_eq!(params["AlertEmail"], "oncall@flightdata.example.com");
    assert_eq!(
        status(&env, WEST, STACK).await.as_deref(),
        Some("UPDATE_COMPLETE")
    );

    // What was sent: the previous template, and UsePreviousValue for the two not set.
    let sent: Vec<_> = recorded
        .iter()
        .filter(|r| r.operation() == "UpdateStack")
        .collect();
    assert_eq!(sent.len(), 1, "{recorded:#?}");
    let body = sent[0].body.replace("%3D", "=");
    assert!(body.contains("UsePreviousTemplate=true"), "{body}");
    for key in ["Environment", "AlertEmail"] {
        let member = body
            .split('&')
            .find(|p| p.ends_with(&format!("ParameterKey={key}")))
            .and_then(|p| p.split(".ParameterKey").next())
            .unwrap_or_else(|| panic!("{key} is sent: {body}"))
            .to_owned();
        assert!(
            body.contains(&format!("{member}.UsePreviousValue=true")),
            "{key} as UsePreviousValue: {body}"
        );
        assert!(
            !body.contains(&format!("{member}.ParameterValue")),
            "{key} with no value: {body}"
        );
    }
    assert_eq!(sent[0].region.as_deref(), Some(WEST));
}

#[tokio::test]
async fn no_updates_to_perform_is_a_success_that_changed_nothing() {
    let env = moto().await;
    seed_stack(&env, WEST, STACK).await;
    let cloud = env.cloud().await;
    // The values it has: CloudFormation answers 400 "No updates are to be performed.".
    let same = update(
        VALUES
            .iter()
            .map(|(k, _)| StackParameter::previous(*k))
            .collect(),
    );
    let output = write(&cloud, same).await.unwrap();
    assert_eq!(output, WriteOutput::Nothing);
    assert_eq!(
        status(&env, WEST, STACK).await.as_deref(),
        Some("CREATE_COMPLETE")
    );

    // Any other refusal stays an error: an update of a stack that is not there. (moto
    // accepts a parameter the template does not declare; AWS refuses it.)
    let missing = WriteRequest::UpdateStack {
        region: EAST.to_owned(),
        stack: STACK.to_owned(),
        parameters: vec![StackParameter::new("InstanceCount", "3")],
    };
    let err = write(&cloud, missing).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn a_deleted_stack_answers_by_id_and_is_made_again_from_its_template() {
    let env = moto().await;
    let id = seed_stack(&env, WEST, STACK).await;
    let cloud = env.cloud().await;

    let deleted = write(
        &cloud,
        WriteRequest::DeleteStack {
            region: WEST.to_owned(),
            stack: STACK.to_owned(),
        },
    )
    .await
    .unwrap();
    assert_eq!(deleted, WriteOutput::Nothing);
    let by_name = cloud.describe_stack(WEST, STACK).await.unwrap_err();
    assert_eq!(by_name.kind, ErrorKind::NotFound, "{by_name}");
    let by_id = cloud.describe_stack(WEST, &id).await.unwrap();
    assert_eq!(by_id.status, "DELETE_COMPLETE");
    let template = cloud.get_template(WEST, &id).await.unwrap();
    assert!(template.contains("AlertEmail"), "{template}");

    let again = output!(
        write(
            &cloud,
            WriteRequest::CreateStack {
                region: WEST.to_owned(),
                stack: STACK.to_owned(),
                template: TemplateSource::Body(template),
                parameters: vec![StackParameter::new("Environment", "production")],
                capabilities: vec!["CAPABILITY_NAMED_IAM".to_owned()],
            }
        )
        .await,
        Stack
    );
    assert_ne!(again, id, "a new stack, with a new id");
    assert_eq!(
        status(&env, WEST, STACK).await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let params = parameters(&env, WEST, STACK).await;
    assert_eq!(params["Environment"], "production");
    assert_eq!(params["InstanceCount"], "1", "the template's default");

    // A second create of the same name is refused as "already exists".
    let twice = write(
        &cloud,
        WriteRequest::CreateStack {
            region: WEST.to_owned(),
            stack: STACK.to_owned(),
            template: TemplateSource::Body(TEMPLATE.to_owned()),
            parameters: Vec::new(),
            capabilities: Vec::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(twice.kind, ErrorKind::AlreadyExists, "{twice}");
}
