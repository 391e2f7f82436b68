//! CloudWatch through the port: the alarm state a drill sets.

use super::*;

fn set_state(alarm: &str, state: AlarmState, reason: &str) -> WriteRequest {
    WriteRequest::SetAlarmState {
        region: EAST.to_owned(),
        alarm: alarm.to_owned(),
        state,
        reason: reason.to_owned(),
    }
}

#[tokio::test]
async fn metrics_set_alarm_state_for_a_drill_and_back() {
    let env = moto().await;
    let name = "flightdata-api-errors";
    put_alarm(
        &env,
        EAST,
        name,
        "AWS/Lambda",
        "Errors",
        ("FunctionName", "flightdata-api"),
        5.0,
    )
    .await;
    let cloud = env.cloud().await;
    let state_of = |alarms: Vec<drconsole::cloud::Alarm>| {
        let a = alarms
            .into_iter()
            .find(|a| a.name == name)
            .expect("the alarm");
        (a.state, a.reason, a.updated)
    };

    let reason = "drconsole drill: region failover rehearsal";
    let out = write(&cloud, set_state(name, AlarmState::Alarm, reason)).await;
    assert_eq!(out.unwrap(), WriteOutput::Nothing);
    // moto's DescribeAlarmHistory answers 500: the alarm's own state is the evidence.
    let (state, said, updated) = state_of(
        cloud
            .describe_alarms(EAST, &[name.to_owned()], None)
            .await
            .unwrap(),
    );
    assert_eq!(state, AlarmState::Alarm);
    assert_eq!(said.as_deref(), Some(reason));
    assert!(updated.is_some());

    write(&cloud, set_state(name, AlarmState::Ok, "drill over"))
        .await
        .unwrap();
    let (state, said, _) = state_of(
        cloud
            .describe_alarms(EAST, &[name.to_owned()], None)
            .await
            .unwrap(),
    );
    assert_eq!(state, AlarmState::Ok);
    assert_eq!(said.as_deref(), Some("drill over"));

    let err = write(
        &cloud,
        set_state("flightdata-nope", AlarmState::Alarm, reason),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(
        (err.service, err.operation),
        ("cloudwatch", "SetAlarmState")
    );
}
