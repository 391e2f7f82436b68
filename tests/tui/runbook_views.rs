//! The engine's views of a region failover made by hand, as the engine would send them, so
//! each checklist screen is reached exactly: 23 minutes in, a destructive step waiting for its
//! name, a failed import.

use std::collections::BTreeMap;

use chrono::Duration;
use drconsole::action::Danger;
use drconsole::config::Dur;
use drconsole::runbook::model::StepKind;
use drconsole::runbook::{ChoiceView, Need, PhaseView, RunState, RunView, StepState, StepView};

use super::*;

pub(super) fn dur(s: &str) -> Option<Dur> {
    Some(s.parse().unwrap())
}

pub(super) fn step(
    path: &str,
    title: &str,
    kind: StepKind,
    phase: &str,
    state: StepState,
) -> StepView {
    StepView {
        state,
        ..StepView::pending(path, title, kind, phase)
    }
}

pub(super) fn ago(mins: i64, secs: i64) -> Option<DateTime<Utc>> {
    Some(t0() - Duration::minutes(mins) - Duration::seconds(secs))
}

pub(super) fn sources() -> Vec<ChoiceView> {
    vec![
        ChoiceView {
            id: "export".into(),
            label: "export of 02:12 in flightdata-exports-usw2 → import".into(),
            detail: Some("48m ago · loss 48m · RPO 1h: within".into()),
            available: true,
        },
        ChoiceView {
            id: "backup".into(),
            label: "backup of 23:00 (copied to us-west-2) → restore".into(),
            detail: Some("4h ago · loss 4h00m · RPO 1h: OVER by 3h".into()),
            available: true,
        },
        ChoiceView {
            id: "pitr".into(),
            label: "cross-region PITR restore from us-east-1".into(),
            detail: Some("us-east-1's control plane does not answer".into()),
            available: false,
        },
        ChoiceView {
            id: "replica".into(),
            label: "global-table replica".into(),
            detail: Some("no replica of flightdata-config in us-west-2".into()),
            available: false,
        },
    ]
}

/// The region failover 23 minutes in: DNS and capacity done, the tables being restored in
/// parallel (one importing, one waiting for its source to be chosen, one done).
pub(super) fn failover_view() -> RunView {
    use StepKind::*;
    use StepState::*;
    let mut steps = Vec::new();
    let mut s = step(
        "confirm",
        "Confirm the outage",
        Manual,
        "immediate",
        Succeeded,
    );
    s.started = ago(23, 0);
    s.finished = ago(21, 30);
    s.target = dur("5m");
    s.outputs
        .insert("note".into(), "us-east-1 console unreachable".into());
    steps.push(s);
    let mut s = step(
        "dns",
        "Point DNS at us-west-2",
        Action,
        "immediate",
        Succeeded,
    );
    s.started = ago(21, 30);
    s.finished = ago(19, 0);
    s.target = dur("5m");
    s.operation = Some("failover-dns".into());
    s.resource = Some("api.flightdata.example.com".into());
    s.danger = Some(Danger::Write);
    s.request_ids = vec!["C2RQ7XPNF2K1".into()];
    steps.push(s);
    let mut s = step(
        "scale-up",
        "Scale up the backup region's stack",
        Action,
        "immediate",
        Succeeded,
    );
    s.started = ago(19, 0);
    s.finished = ago(12, 0);
    s.target = dur("10m");
    s.operation = Some("update-stack".into());
    s.resource = Some("flightdata-backup-usw2".into());
    steps.push(s);
    let mut g = step(
        "restore",
        "Restore every table in us-west-2",
        ForEach,
        "restore",
        Running,
    );
    g.started = ago(12, 0);
    g.target = dur("30m");
    steps.push(g);
    for (table, choose, import) in [
        ("flightdata-main", Succeeded, Running),
        ("flightdata-config", Waiting, Pending),
        ("flightdata-metrics", Succeeded, Succeeded),
    ] {
        let mut c = step(
            &format!("restore/{table}/source"),
            "Choose the restore source",
            Decision,
            "restore",
            choose,
        );
        c.depth = 1;
        c.item = Some(table.into());
        c.started = ago(12, 0);
        if choose == Succeeded {
            c.finished = ago(11, 0);
            c.outputs.insert("source".into(), "export".into());
            c.outputs.insert("loss".into(), "48m".into());
        } else {
            c.need = Some(Need::Choice {
                options: sources(),
                preselected: Some(0),
            });
        }
        steps.push(c);
        let mut i = step(
            &format!("restore/{table}/import"),
            &format!("Import {table}"),
            Action,
            "restore",
            import,
        );
        i.depth = 1;
        i.item = Some(table.into());
        i.target = dur("20m");
        i.operation = Some("import-table".into());
        i.resource = Some(table.into());
        i.danger = Some(Danger::Write);
        if import != Pending {
            i.started = ago(11, 0);
            i.attempts = 1;
            i.preview = vec![
                format!(
                    "1. dynamodb:ImportTable {table} from s3://flightdata-exports-usw2/exports/{table}/ (us-west-2)"
                ),
                "2. wait until the import is COMPLETED".into(),
            ];
            i.log = vec![
                "import started: IMP-01J9".into(),
                "import IN_PROGRESS: 1.2 GB of 2.7 GB".into(),
            ];
            i.request_ids = vec!["7H2KD9Q0".into()];
        }
        if import == Succeeded {
            i.finished = ago(4, 0);
            i.log.push("import COMPLETED: 1 240 118 items".into());
        }
        steps.push(i);
    }
    let mut s = step(
        "reprotect",
        "Turn PITR on for the restored tables",
        Action,
        "restore",
        Pending,
    );
    s.target = dur("5m");
    steps.push(s);
    steps.push(step(
        "functions",
        "Restore the Lambda functions in us-west-2",
        ForEach,
        "restore",
        Pending,
    ));
    steps.push(step(
        "smoke",
        "Run the estate's smoke test",
        Verify,
        "verify",
        Pending,
    ));
    let mut s = step(
        "status",
        "Post the status update",
        Manual,
        "verify",
        Pending,
    );
    s.instructions = Some("Post the drafted update to the status page.".into());
    steps.push(s);
    RunView {
        run: "run-0001".into(),
        runbook: "region-failover".into(),
        title: "Region failover: serve from us-west-2".into(),
        started: t0() - Duration::minutes(23),
        finished: None,
        target: dur("4h"),
        state: RunState::Running,
        inputs: BTreeMap::from([("reason".into(), "us-east-1 unreachable".into())]),
        phases: vec![
            PhaseView {
                id: "immediate".into(),
                title: "0–15 minutes: immediate response".into(),
                target: dur("15m"),
            },
            PhaseView {
                id: "restore".into(),
                title: "15–60 minutes: data in the backup region".into(),
                target: dur("1h"),
            },
            PhaseView {
                id: "verify".into(),
                title: "1–4 hours: verify and reopen".into(),
                target: dur("4h"),
            },
        ],
        steps,
    }
}

/// The swap of the data-corruption runbook: the corrupted table is deleted.
pub(super) fn destructive_view() -> RunView {
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "reprotect")
        .unwrap();
    s.title = "Delete the corrupted table".into();
    s.operation = Some("delete-table".into());
    s.resource = Some("flightdata-main".into());
    s.danger = Some(Danger::Destructive);
    s.state = StepState::Waiting;
    s.preview = vec!["1. dynamodb:DeleteTable flightdata-main (us-east-1)".into()];
    s.need = Some(Need::Confirm {
        name: "flightdata-main".into(),
    });
    // Nothing else waits, so the selection follows this step.
    let c = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    c.need = None;
    c.state = StepState::Succeeded;
    view
}

pub(super) fn failed_view() -> RunView {
    let mut view = failover_view();
    let s = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-main/import")
        .unwrap();
    s.state = StepState::Failed;
    s.finished = Some(t0() - Duration::minutes(1));
    s.attempts = 2;
    s.max_attempts = 2;
    s.error = Some(
        "ImportTable: LimitExceededException: at most 50 concurrent imports (request id 7H2KD9Q0)"
            .into(),
    );
    s.retryable = true;
    s.need = Some(Need::Retry);
    s.log.push("import FAILED: LimitExceededException".into());
    let c = view
        .steps
        .iter_mut()
        .find(|s| s.path == "restore/flightdata-config/source")
        .unwrap();
    c.need = None;
    c.state = StepState::Succeeded;
    view.state = RunState::Failed;
    view
}
