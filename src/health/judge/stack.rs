//! The stack rule: a settled stack is fine, one CloudFormation is still changing is a
//! warning, one that failed or rolled back is critical.

use super::Verdict;
use crate::cloud::{StackPhase, stack_phase};
use crate::health::{StackFacts, Status};

pub fn stack(f: &StackFacts) -> Verdict {
    let mut v = Verdict::default();
    let reason = f
        .status_reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    match (f.exists, f.stack_status.as_deref()) {
        // An emergency stack is made during the recovery that needs it: its absence before is
        // the normal state.
        (Some(false), _) if f.role.as_deref() == Some("emergency") => {}
        (Some(false), _) => v.raise(Status::Critical, "stack does not exist"),
        (_, Some(status)) => match stack_phase(status) {
            StackPhase::Complete => {}
            StackPhase::InProgress => v.raise(Status::Warn, format!("{status}{reason}")),
            StackPhase::Failed => v.raise(Status::Critical, format!("{status}{reason}")),
        },
        _ => {}
    }
    v.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: &str) -> StackFacts {
        StackFacts {
            exists: Some(true),
            stack_status: Some(status.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn complete_is_ok_in_progress_warns_failed_and_rollback_are_critical() {
        assert_eq!(stack(&facts("CREATE_COMPLETE")).status, Status::Ok);
        assert_eq!(stack(&facts("UPDATE_COMPLETE")).status, Status::Ok);
        assert_eq!(stack(&facts("UPDATE_IN_PROGRESS")).status, Status::Warn);
        assert_eq!(
            stack(&facts("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")).status,
            Status::Warn
        );
        let mut failed = facts("UPDATE_ROLLBACK_COMPLETE");
        failed.status_reason = Some("Resource WorkerGroup failed to stabilize".into());
        let v = stack(&failed);
        assert_eq!(v.status, Status::Critical, "a rollback undid the change");
        assert_eq!(
            v.reasons,
            ["UPDATE_ROLLBACK_COMPLETE: Resource WorkerGroup failed to stabilize"]
        );
        assert_eq!(stack(&facts("CREATE_FAILED")).status, Status::Critical);
    }

    #[test]
    fn a_missing_stack_is_critical_unless_it_is_made_during_recovery() {
        let missing = StackFacts {
            exists: Some(false),
            ..Default::default()
        };
        assert_eq!(stack(&missing).status, Status::Critical);
        let emergency = StackFacts {
            role: Some("emergency".into()),
            ..missing
        };
        assert_eq!(stack(&emergency).status, Status::Ok);
    }
}
