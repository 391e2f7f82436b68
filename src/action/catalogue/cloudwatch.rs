//! CloudWatch: set an alarm's state, so a drill can see who gets paged.

use async_trait::async_trait;
use serde_json::json;

use crate::action::{
    Action, ActionError, ArgKind, ArgSpec, Args, Context, Danger, Plan, TargetKind, Undo,
    missing_target,
};
use crate::cloud::{AlarmState, WriteRequest};

pub struct SetAlarmState;

const ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "state",
        kind: ArgKind::Choice(&["OK", "ALARM", "INSUFFICIENT_DATA"]),
        required: true,
        help: "the state to set: OK, ALARM or INSUFFICIENT_DATA",
    },
    ArgSpec {
        name: "reason",
        kind: ArgKind::Text,
        required: false,
        help: "why, as the alarm's state reason (default: set by drconsole)",
    },
];

fn parse_state(s: &str) -> AlarmState {
    match s {
        "ALARM" => AlarmState::Alarm,
        "INSUFFICIENT_DATA" => AlarmState::InsufficientData,
        _ => AlarmState::Ok,
    }
}

#[async_trait]
impl Action for SetAlarmState {
    fn name(&self) -> &'static str {
        "set-alarm-state"
    }
    fn summary(&self) -> &'static str {
        "Set an alarm's state (for drills: see its actions fire)"
    }
    fn details(&self) -> &'static str {
        "The alarm's actions run as for a real change of state. CloudWatch sets the alarm back \
         at its next evaluation of the metric. Undo sets the previous state again."
    }
    fn danger(&self) -> Danger {
        Danger::Write
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Alarm
    }
    fn args(&self) -> &'static [ArgSpec] {
        ARGS
    }

    async fn plan(&self, ctx: &Context<'_>, alarm: &str, args: &Args) -> Result<Plan, ActionError> {
        let region = ctx.primary();
        let want = parse_state(args.get("state").unwrap_or("OK"));
        let reason = args.get("reason").unwrap_or("set by drconsole").to_owned();
        let found = ctx
            .cloud
            .describe_alarms(region, &[alarm.to_owned()], None)
            .await?;
        let Some(current) = found.into_iter().find(|a| a.name == alarm) else {
            return Err(missing_target(TargetKind::Alarm, alarm, region));
        };
        let mut plan = Plan::new(self.name(), alarm, self.danger(), args);
        plan.before = json!({ "state": current.state, "reason": current.reason });
        if current.state == want {
            return Ok(plan.done(format!("{alarm} is already {want:?}")));
        }
        let request = |state, reason: String| WriteRequest::SetAlarmState {
            region: region.to_owned(),
            alarm: alarm.to_owned(),
            state,
            reason,
        };
        plan.requests.push(request(want, reason));
        plan.undo = Some(Undo {
            summary: format!("set {alarm} back to {:?}", current.state),
            requests: vec![request(
                current.state,
                "restored by drconsole (undo)".to_owned(),
            )],
            waits: Vec::new(),
        });
        plan.notes
            .push("CloudWatch sets the alarm back at its next evaluation of the metric".to_owned());
        Ok(plan)
    }

    async fn verify(&self, ctx: &Context<'_>, plan: &Plan) -> Result<(), String> {
        let want = parse_state(plan.args.get("state").unwrap_or("OK"));
        match ctx
            .cloud
            .describe_alarms(ctx.primary(), std::slice::from_ref(&plan.target), None)
            .await
        {
            Ok(list) if list.iter().any(|a| a.state == want) => Ok(()),
            // Set, then evaluated again at once: the actions fired, and a re-run would page
            // the people a second time, so this is not a failure to retry.
            Ok(list)
                if list.iter().any(|a| {
                    a.updated
                        .is_some_and(|t| t >= ctx.now - chrono::Duration::minutes(5))
                }) =>
            {
                Ok(())
            }
            Ok(_) => Err(format!(
                "{} does not read as {want:?} and has not changed state since: the set did not \
                 take",
                plan.target
            )),
            Err(e) => Err(format!("cannot read it back: {e}")),
        }
    }
}
