//! The drill report on a fixed clock: a drill journal written by hand through the journal's
//! own API, read into a record (each step against its target, the recovery time against the
//! RTO, each restore point's data loss against its RPO), compared with a seeded history of
//! earlier drills (median and trend), rendered as text and Markdown (snapshots), the forecast
//! of a running drill, `drill report` and `drill list` through the binary, and the annual
//! business-continuity runbook that runs only as a drill.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use chrono::{DateTime, Duration, TimeZone, Utc};
use drconsole::config::Estate;
use drconsole::drill::report::{self, Style, Trend};
use drconsole::drill::{DrillOutcome, DrillRecord, History, StepTiming};
use drconsole::incident::plan_declaration;
use drconsole::incident::{DeclareInput, IncidentStore, Origin, Record, Severity, StepOutcome};
use drconsole::runbook::load;
use drconsole::runbook::model::{Runbook, StepKind};
use drconsole::runbook::{RunState, RunView, StepState, StepView};
use drconsole::session::{Mode, example_estate};
use serde_json::Value;

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, h, m, s).unwrap()
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, d, 5, 3, 0, 0).unwrap()
}

fn failover(estate: &Estate) -> Runbook {
    load::find("region-failover", None, estate)
        .unwrap_or_else(|e| panic!("{e}"))
        .runbook
}

const RUN: &str = "region-failover-20261127T030510-0001";
const DRILL: &str = "DRL-20261127-0300";

fn started(step: &str, at: DateTime<Utc>) -> (Record, DateTime<Utc>) {
    (
        Record::StepStarted {
            run: Some(RUN.into()),
            step: step.into(),
            title: None,
        },
        at,
    )
}

fn finished(step: &str, outcome: StepOutcome, at: DateTime<Utc>) -> (Record, DateTime<Utc>) {
    (
        Record::StepFinished {
            run: Some(RUN.into()),
            step: step.into(),
            outcome,
            detail: None,
            outputs: Default::default(),
        },
        at,
    )
}

/// A region-failover drill from declaration to teardown. Setup 03:00:00–03:05:00, the run
/// 03:05:10–04:04:10 (59 minutes of recovery), teardown to 04:10:10. `halt` stops it with a
/// stop condition after the tables instead.
fn drill_journal(root: &Path, halt: bool) -> PathBuf {
    let estate = example_estate().unwrap();
    let input = DeclareInput {
        title: "Quarterly drill: region failover".into(),
        scenario: "region-failover".into(),
        severity: Severity::Sev3,
        // RTO 1h and 4h: the tightest, 1h, is the drill's.
        services: vec!["API Gateway + Lambda".into(), "DynamoDB Tables".into()],
        commander: Some("Alex Kim".into()),
        impact_began: Some(t(3, 0, 0)),
    };
    let declared = plan_declaration(&input, &estate, None, t(3, 0, 0)).unwrap();
    let store = IncidentStore::at(root.to_owned(), Mode::Drill);
    let origin = Origin::new(
        Mode::Drill,
        Some("123456789012".into()),
        vec!["us-east-1".into(), "us-west-2".into()],
    );
    let (mut journal, _) = store.declare(declared, origin, t(3, 0, 0)).unwrap();
    let ok = StepOutcome::Succeeded;
    let mut script = vec![
        // A setup step of the drill's own, outside the run: never recovery.
        (
            Record::StepStarted {
                run: Some("setup".into()),
                step: "copy-stack".into(),
                title: None,
            },
            t(3, 0, 30),
        ),
        (
            Record::DrillStarted {
                drill: DRILL.into(),
                runbook: "region-failover".into(),
                suffix: "-dr-test".into(),
                copies: [(
                    "flightdata-backup".to_owned(),
                    "flightdata-backup-dr-test".to_owned(),
                )]
                .into(),
            },
            t(3, 5, 0),
        ),
        (
            Record::RunbookStarted {
                run: RUN.into(),
                runbook: "region-failover".into(),
                inputs: Default::default(),
                digest: "d".into(),
            },
            t(3, 5, 10),
        ),
        started("dns", t(3, 5, 10)),
        finished("dns", ok, t(3, 7, 10)),
        started("scale-up", t(3, 7, 10)),
        // Its target is 20m: 3 minutes over.
        finished("scale-up", ok, t(3, 30, 10)),
        started("tables", t(3, 30, 10)),
        started("tables/flightdata-main/choose-source", t(3, 30, 10)),
        (
            Record::RestorePointChosen {
                service: "DynamoDB Tables".into(),
                point: t(2, 20, 0),
                source: Some("flightdata-main-dr-test: export".into()),
            },
            t(3, 31, 10),
        ),
        finished("tables/flightdata-main/choose-source", ok, t(3, 31, 10)),
        (
            Record::StepFinished {
                run: Some(RUN.into()),
                step: "tables/flightdata-main/restore-pitr".into(),
                outcome: StepOutcome::Skipped,
                detail: None,
                outputs: Default::default(),
            },
            t(3, 31, 10),
        ),
        started("tables/flightdata-main/import", t(3, 31, 10)),
        // A retry: the first try's start stands.
        started("tables/flightdata-main/import", t(3, 40, 0)),
        finished("tables/flightdata-main/import", ok, t(3, 51, 10)),
        finished("tables", ok, t(3, 55, 10)),
    ];
    if halt {
        script.extend([
            (
                Record::DrillHalted {
                    drill: DRILL.into(),
                    reason: "stopped: alarm flightdata-api-errors is in ALARM".into(),
                },
                t(3, 56, 0),
            ),
            (
                Record::RunbookFinished {
                    run: RUN.into(),
                    runbook: "region-failover".into(),
                    outcome: StepOutcome::Cancelled,
                    detail: Some("cancelled".into()),
                },
                t(3, 56, 5),
            ),
        ]);
    } else {
        script.extend([
            started("functions", t(3, 55, 10)),
            finished("functions", ok, t(4, 0, 10)),
            started("smoke-test", t(4, 0, 10)),
            finished("smoke-test", ok, t(4, 2, 10)),
            started("status-update", t(4, 2, 10)),
            finished("status-update", ok, t(4, 4, 10)),
            (
                Record::RunbookFinished {
                    run: RUN.into(),
                    runbook: "region-failover".into(),
                    outcome: ok,
                    detail: None,
                },
                t(4, 4, 10),
            ),
        ]);
    }
    let end = if halt { t(3, 58, 5) } else { t(4, 10, 10) };
    script.push((
        Record::DrillTornDown {
            drill: DRILL.into(),
            removed: vec![
                "flightdata-main-dr-test".into(),
                "flightdata-backup-dr-test".into(),
            ],
            left: Vec::new(),
        },
        end,
    ));
    journal.append_all(&script).unwrap();
    journal.dir().to_owned()
}

fn timing(path: &str, secs: f64) -> StepTiming {
    StepTiming {
        path: path.into(),
        title: path.into(),
        outcome: "succeeded".into(),
        started: None,
        secs: Some(secs),
        target_secs: None,
    }
}

/// An earlier drill as the history keeps it.
fn earlier(
    id: &str,
    started: DateTime<Utc>,
    runbook: &str,
    mode: Mode,
    steps: &[(&str, f64)],
    recovery: f64,
) -> DrillRecord {
    DrillRecord {
        id: id.into(),
        runbook: runbook.into(),
        mode,
        account: Some("123456789012".into()),
        started,
        finished: Some(started + Duration::hours(2)),
        outcome: DrillOutcome::Completed,
        target_secs: Some(4 * 3600),
        rto_secs: Some(3600),
        recovery_secs: Some(recovery),
        setup_secs: Some(300.0),
        teardown_secs: Some(360.0),
        steps: steps.iter().map(|(p, s)| timing(p, *s)).collect(),
        restore_points: Vec::new(),
        removed: Vec::new(),
        left: Vec::new(),
        journal: PathBuf::from("drills/incidents/earlier"),
    }
}

/// Three earlier drills of region-failover in drill mode, and two that must not count: a
/// simulated one and one of another runbook. The functions step has no history.
fn history() -> Vec<DrillRecord> {
    vec![
        earlier(
            "DRL-1",
            day(2),
            "region-failover",
            Mode::Drill,
            &[
                ("dns", 150.0),
                ("scale-up", 1200.0),
                ("tables", 1800.0),
                ("smoke-test", 60.0),
                ("status-update", 300.0),
            ],
            3600.0,
        ),
        earlier(
            "DRL-2",
            day(5),
            "region-failover",
            Mode::Drill,
            &[
                ("dns", 180.0),
                ("scale-up", 1380.0),
                ("tables", 2000.0),
                ("smoke-test", 90.0),
                ("status-update", 240.0),
            ],
            4000.0,
        ),
        earlier(
            "SIM-1",
            day(6),
            "region-failover",
            Mode::Simulation,
            &[("dns", 5.0), ("scale-up", 5.0), ("tables", 5.0)],
            15.0,
        ),
        earlier(
            "DRL-3",
            day(8),
            "region-failover",
            Mode::Drill,
            &[
                ("dns", 120.0),
                ("scale-up", 1500.0),
                ("tables", 1900.0),
                ("smoke-test", 120.0),
                ("status-update", 180.0),
            ],
            3800.0,
        ),
        earlier(
            "DRL-4",
            day(9),
            "data-corruption",
            Mode::Drill,
            &[("dns", 9999.0)],
            9999.0,
        ),
    ]
}

#[test]
fn each_step_is_timed_from_the_journal_against_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate().unwrap();
    let journal = drill_journal(dir.path(), false);
    let record = report::record_from_journal(&journal, &failover(&estate), &estate).unwrap();

    assert_eq!(record.id, DRILL);
    assert_eq!(record.runbook, "region-failover");
    assert_eq!(record.mode, Mode::Drill);
    assert_eq!(record.account.as_deref(), Some("123456789012"));
    assert_eq!(record.started, t(3, 0, 0));
    assert_eq!(record.finished, Some(t(4, 10, 10)));
    assert_eq!(record.outcome, DrillOutcome::Completed);
    let step = |path: &str| {
        record
            .steps
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("{path} in {:#?}", record.steps))
    };
    assert_eq!(step("dns").secs, Some(120.0));
    assert_eq!(step("dns").target_secs, Some(300));
    assert_eq!(step("scale-up").secs, Some(1380.0));
    assert_eq!(step("scale-up").target_secs, Some(1200));
    // A for_each row takes its nested step's target; a retried step runs from its first try.
    let import = step("tables/flightdata-main/import");
    assert_eq!(import.secs, Some(1200.0));
    assert_eq!(import.target_secs, Some(3600));
    assert_eq!(import.started, Some(t(3, 31, 10)));
    let skipped = step("tables/flightdata-main/restore-pitr");
    assert_eq!((skipped.outcome.as_str(), skipped.secs), ("skipped", None));
    // The setup's own step is not the run's.
    assert!(record.steps.iter().all(|s| s.path != "copy-stack"));
    // Recovery: the run's first step's start (03:05:10) to its last step's end (04:04:10).
    assert_eq!(record.recovery_secs, Some(59.0 * 60.0));
    assert_eq!(record.rto_secs, Some(3600), "API Gateway + Lambda's 1h");
    assert_eq!(record.target_secs, Some(4 * 3600));
    assert_eq!(record.setup_secs, Some(300.0));
    assert_eq!(record.teardown_secs, Some(360.0));
    assert_eq!(
        record.removed,
        ["flightdata-main-dr-test", "flightdata-backup-dr-test"]
    );
    assert!(record.left.is_empty());
}

#[test]
fn each_restore_point_is_measured_against_its_services_rpo() {
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate().unwrap();
    let journal = drill_journal(dir.path(), false);
    let record = report::record_from_journal(&journal, &failover(&estate), &estate).unwrap();
    assert_eq!(record.restore_points.len(), 1);
    let point = &record.restore_points[0];
    assert_eq!(point.table, "flightdata-main-dr-test");
    assert_eq!(point.point, t(2, 20, 0));
    // Chosen at 03:31:10, 71m10s after the point; DynamoDB Tables' RPO is 1h.
    assert_eq!(point.data_loss_secs, 71 * 60 + 10);
    assert_eq!(point.rpo_secs, Some(3600));
}

#[test]
fn a_stop_condition_halts_the_drill_and_its_steps_not_reached_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate().unwrap();
    let journal = drill_journal(dir.path(), true);
    let record = report::record_from_journal(&journal, &failover(&estate), &estate).unwrap();
    assert_eq!(
        record.outcome,
        DrillOutcome::Halted("stopped: alarm flightdata-api-errors is in ALARM".into())
    );
    let functions = record.steps.iter().find(|s| s.path == "functions").unwrap();
    assert_eq!(functions.outcome, "not reached");
    assert_eq!(functions.target_secs, Some(1800));
    assert_eq!(record.recovery_secs, Some(50.0 * 60.0));
    // A halted drill's total says nothing about how long recovery takes.
    let comparison = report::compare(&record, &history());
    assert_eq!(comparison.total.trend, Trend::NotMeasured);
    assert_eq!(comparison.total.median_secs, Some(3800.0));
}

#[test]
fn a_journal_without_a_drill_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate().unwrap();
    let journal = drill_journal(dir.path(), false);
    let err = report::record_from_journal(
        &journal,
        &load::find("data-corruption", None, &estate)
            .unwrap()
            .runbook,
        &estate,
    )
    .unwrap_err();
    assert!(err.contains("no drill of data-corruption"), "{err}");
}

#[test]
fn the_comparison_takes_the_median_of_earlier_drills_of_the_same_runbook_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate().unwrap();
    let journal = drill_journal(dir.path(), false);
    let record = report::record_from_journal(&journal, &failover(&estate), &estate).unwrap();
    let comparison = report::compare(&record, &history());
    assert_eq!(comparison.earlier, ["DRL-1", "DRL-2", "DRL-3"]);
    let figure = |path: &str| comparison.step(path).unwrap();

    // dns: 150, 180, 120 -> 150; this drill 120: 30 s faster, -20%.
    assert_eq!(figure("dns").median_secs, Some(150.0));
    assert_eq!(figure("dns").samples, 3);
    assert_eq!(figure("dns").trend, Trend::Faster);
    assert_eq!(figure("dns").change_secs, Some(-30.0));
    assert_eq!(figure("dns").change_percent, Some(-20.0));
    // scale-up: 1200, 1380, 1500 -> 1380, as this drill.
    assert_eq!(figure("scale-up").median_secs, Some(1380.0));
    assert_eq!(figure("scale-up").trend, Trend::Steady);
    // tables: 1800, 2000, 1900 -> 1900; this drill 1500: 400 s faster.
    assert_eq!(figure("tables").median_secs, Some(1900.0));
    assert_eq!(figure("tables").trend, Trend::Faster);
    // status-update: 300, 240, 180 -> 240; this drill 120: -50%.
    assert_eq!(figure("status-update").change_percent, Some(-50.0));
    // smoke-test: 60, 90, 120 -> 90; this drill 120: +33%.
    assert_eq!(figure("smoke-test").trend, Trend::Slower);
    // No earlier drill measured the functions.
    assert_eq!(figure("functions").trend, Trend::NoHistory);
    assert_eq!(figure("functions").samples, 0);
    assert_eq!(figure("functions").median_secs, None);
    // Total: 3600, 4000, 3800 -> 3800; this drill 3540: within 10%, steady.
    assert_eq!(comparison.total.median_secs, Some(3800.0));
    assert_eq!(comparison.total.change_secs, Some(-260.0));
    assert_eq!(comparison.total.trend, Trend::Steady);

    // A drill compared with itself and later drills only: nothing earlier.
    let first = &history()[0];
    assert!(report::compare(first, &history()).earlier.is_empty());
}

/// The report as a snapshot, its journal's (temporary) path put in words.
fn rendered(style: Style) -> String {
    let dir = tempfile::tempdir().unwrap();
    let estate = example_estate().unwrap();
    let journal = drill_journal(dir.path(), false);
    let record = report::record_from_journal(&journal, &failover(&estate), &estate).unwrap();
    let comparison = report::compare(&record, &history());
    report::render(&record, &comparison, style).replace(&journal.display().to_string(), "<journal>")
}

#[test]
fn the_text_report() {
    let text = rendered(Style::Text);
    assert!(text.contains("scale-up"), "{text}");
    insta::assert_snapshot!("drill_report_text", text);
}

#[test]
fn the_markdown_report() {
    insta::assert_snapshot!("drill_report_markdown", rendered(Style::Markdown));
}

fn row(path: &str, state: StepState, started: Option<DateTime<Utc>>, target: &str) -> StepView {
    StepView {
        state,
        started,
        target: Some(target.parse().unwrap()),
        ..StepView::pending(path, path, StepKind::Action, "p")
    }
}

#[test]
fn the_forecast_on_a_fixed_clock_uses_the_medians_and_falls_back_to_targets() {
    let now = t(3, 20, 0);
    let run_started = t(3, 5, 0);
    let mut view = RunView {
        run: RUN.into(),
        runbook: "region-failover".into(),
        title: "Region failover".into(),
        started: run_started,
        finished: None,
        target: Some("4h".parse().unwrap()),
        state: RunState::Running,
        inputs: Default::default(),
        phases: Vec::new(),
        steps: vec![
            row("dns", StepState::Succeeded, Some(t(3, 5, 0)), "5m"),
            // 10 minutes into a step the earlier drills took 1380 s (median) for.
            row(
                "scale-up",
                StepState::Running,
                Some(now - Duration::minutes(10)),
                "20m",
            ),
            row("tables", StepState::Pending, None, "1h30m"),
            // No earlier drill measured it: its 30m target stands in.
            row("functions", StepState::Pending, None, "30m"),
            row("smoke-test", StepState::Pending, None, "15m"),
            row("status-update", StepState::Pending, None, "10m"),
        ],
    };
    // Only drills of the session's mode: the caller picks them (a run's view does not say
    // its mode); the forecast takes those of the same runbook.
    let all = history();
    let drills: Vec<DrillRecord> = all
        .iter()
        .filter(|d| report::counts_for(Mode::Production, d.mode))
        .cloned()
        .collect();
    let f = report::forecast(&view, &drills, now).unwrap();
    let expected = (1380 - 600) + 1900 + 1800 + 90 + 240;
    assert_eq!(f.finish, now + Duration::seconds(expected));
    assert_eq!(f.steps_left, 5);
    assert_eq!(f.steps_without_history, 1);
    assert_eq!(f.steps_without_estimate, 0);
    // The data-corruption drill does not count.
    assert_eq!(f.earlier, 3);
    assert_eq!(f.rto_deadline, Some(run_started + Duration::hours(4)));
    assert_eq!(f.within_rto, Some(true));
    let line = f.line();
    assert!(line.contains("1 of 5 steps left have no history"), "{line}");
    assert!(
        line.contains("inside the RTO (4h 00m, runbook target)"),
        "{line}"
    );
    // Had the simulated drill's 5 s steps been passed, they would pull the medians down.
    let skewed = report::forecast(&view, &all, now).unwrap();
    assert_eq!(skewed.earlier, 4);
    assert!(skewed.finish < f.finish);

    // Behind schedule: the running step past its median leaves nothing of it.
    view.steps[1].started = Some(now - Duration::hours(1));
    let f = report::forecast(&view, &drills, now).unwrap();
    assert_eq!(f.finish, now + Duration::seconds(1900 + 1800 + 90 + 240));

    view.state = RunState::Succeeded;
    assert_eq!(report::forecast(&view, &drills, now), None);
}

/// `drconsole` with its data in `data`, no estate file and no AWS anywhere it could find one.
fn drconsole(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drconsole").unwrap();
    for name in [
        "DRCONSOLE_CONFIG",
        "DRCONSOLE_LOG",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("DRCONSOLE_DATA_DIR", data)
        .env("HOME", data)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1");
    cmd
}

/// The history directory of `data`, seeded with the earlier drills and this one.
fn seeded(data: &Path) -> DrillRecord {
    let estate = example_estate().unwrap();
    let journal = drill_journal(&data.join("drills").join("incidents"), false);
    let record = report::record_from_journal(&journal, &failover(&estate), &estate).unwrap();
    let history = History::new(data.join("history").join("drills"));
    for d in history_records().iter().chain([&record]) {
        history.save(d.started, &d.id, d).unwrap();
    }
    record
}

fn history_records() -> Vec<DrillRecord> {
    history()
}

#[test]
fn drill_report_through_the_binary_shows_the_latest_drill_and_its_comparison() {
    let data = tempfile::tempdir().unwrap();
    let record = seeded(data.path());
    let out = drconsole(data.path())
        .args(["drill", "report"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.starts_with(&format!("DRILL REPORT  region-failover  {DRILL}  [DRILL]")),
        "{text}"
    );
    assert!(
        text.contains("Compared with 3 earlier drills (DRL-1, DRL-2, DRL-3)"),
        "{text}"
    );
    assert!(
        text.contains("Against the RTO: met (59m 00s of 1h 00m)"),
        "{text}"
    );

    // --json carries the same figures.
    let out = drconsole(data.path())
        .args(["drill", "report", DRILL, "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["record"]["id"], DRILL);
    assert_eq!(
        json["record"]["recovery_secs"],
        record.recovery_secs.unwrap()
    );
    assert_eq!(json["comparison"]["total"]["median_secs"], 3800.0);
    assert_eq!(json["comparison"]["earlier"].as_array().unwrap().len(), 3);

    // An earlier drill by the start of its id, in Markdown: compared only with those before.
    let out = drconsole(data.path())
        .args(["drill", "report", "DRL-2", "--markdown"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.starts_with("# Drill report: region-failover (DRILL)"),
        "{text}"
    );
    assert!(
        text.contains("Compared with 1 earlier drill (DRL-1)"),
        "{text}"
    );

    let out = drconsole(data.path())
        .args(["drill", "report", "DRL-9"])
        .assert()
        .code(5);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("no drill `DRL-9`"), "{err}");
}

#[test]
fn drill_list_through_the_binary_lists_the_drills_of_the_sessions_mode() {
    let data = tempfile::tempdir().unwrap();
    seeded(data.path());
    let out = drconsole(data.path())
        .args(["drill", "list"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Started"), "{text}");
    // Newest first; the simulated drill is not a real one.
    assert_eq!(lines.len(), 1 + 5, "{text}");
    assert!(
        lines[1].contains(DRILL) && lines[1].ends_with("59m 00s of 1h 00m: met"),
        "{text}"
    );
    assert!(!text.contains("SIM-1"), "{text}");

    let out = drconsole(data.path())
        .args(["drill", "list", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DRL-1", "DRL-2", "DRL-3", "DRL-4", DRILL]);
    assert_eq!(json[4]["rto_met"], true);

    // The simulation's drills only, with --demo.
    let out = drconsole(data.path())
        .args(["--demo", "drill", "list", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], "SIM-1");
}

#[test]
fn the_annual_test_loads_with_a_target_on_every_top_level_step() {
    let estate = example_estate().unwrap();
    let loaded = load::find("annual-bc-test", None, &estate).unwrap_or_else(|e| panic!("{e}"));
    let runbook = loaded.runbook;
    assert!(runbook.drill_only);
    assert!(runbook.target.is_some());
    for phase in &runbook.phases {
        for step in &phase.steps {
            assert!(step.target.is_some(), "{} has a target", step.id.get_ref());
        }
    }
    // The region failover's steps, all of them, and the plan's human parts.
    for step in failover(&estate).steps() {
        assert!(
            runbook.step(step.id.get_ref()).is_some(),
            "{}",
            step.id.get_ref()
        );
    }
    for id in [
        "communication-procedures",
        "stakeholder-notification",
        "business-process-validation",
        "customer-impact-assessment",
        "recovery-time-measurement",
        "improvement-planning",
    ] {
        let step = runbook.step(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(*step.kind.get_ref(), StepKind::Manual, "{id}");
    }
    let messages: Vec<&str> = runbook
        .steps()
        .iter()
        .filter_map(|s| s.message.as_ref().map(|m| m.get_ref().as_str()))
        .collect();
    assert!(messages.contains(&"initial-declaration") && messages.contains(&"stakeholder-summary"));
}

#[test]
fn a_drill_only_runbook_without_targets_does_not_load() {
    let estate = example_estate().unwrap();
    let text = r#"
name = "rehearsal"
title = "Rehearsal"
summary = "Drill only."
drill_only = true
target = "1h"

[[phases]]
id = "only"
title = "Only"

[[phases.steps]]
id = "talk"
kind = "manual"
title = "Talk"
"#;
    let err = load::parse(text, Path::new("rehearsal.toml"), &estate).unwrap_err();
    assert!(
        err.to_string().contains("step `talk` has no `target`"),
        "{err}"
    );
    let err = load::parse(
        &text.replace("target = \"1h\"\n", ""),
        Path::new("rehearsal.toml"),
        &estate,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("a drill-only runbook needs a `target`"),
        "{err}"
    );
}

#[test]
fn runbook_run_refuses_a_drill_only_runbook_and_names_the_drill_command() {
    let data = tempfile::tempdir().unwrap();
    for extra in [&[][..], &["--dry-run"][..]] {
        let out = drconsole(data.path())
            .args([
                "--demo",
                "runbook",
                "run",
                "annual-bc-test",
                "--done",
                "all",
            ])
            .args(extra)
            .assert()
            .code(64);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("annual-bc-test runs only as a drill")
                && err.contains("drconsole drill annual-bc-test"),
            "{err}"
        );
    }
    // Nothing was journalled: no incident, no operations journal entry.
    assert!(!data.path().join("simulation").exists());
}

#[tokio::test]
async fn the_engine_starts_a_drill_only_runbook_only_for_a_drill() {
    use drconsole::action::{Executor, ExecutorOptions};
    use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
    use drconsole::incident::journal::Journal;
    use drconsole::runbook::{EngineError, RunOptions};

    let estate = example_estate().unwrap();
    let runbook = Arc::new(load::find("annual-bc-test", None, &estate).unwrap().runbook);
    let dir = tempfile::tempdir().unwrap();
    let sim = Arc::new(SimCloud::new(
        &estate,
        SimOptions {
            clock: SimClock::fixed(t(3, 0, 0)),
            latency: Latency::None,
            faults: Vec::new(),
        },
    ));
    let executor = |guard: bool, name: &str| {
        let origin = Origin::new(
            Mode::Simulation,
            Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
            Vec::new(),
        );
        let journal = Journal::open_or_create(&dir.path().join(name), origin).unwrap();
        let options = ExecutorOptions {
            account: Some(drconsole::cloud::sim::ACCOUNT.to_owned()),
            drill_guard: guard.then(|| {
                Arc::new(|_: &drconsole::cloud::WriteRequest| Ok(()))
                    as drconsole::action::DrillGuard
            }),
            ..ExecutorOptions::default()
        };
        Arc::new(Executor::new(
            sim.clone(),
            Arc::new(estate.clone()),
            journal,
            options,
        ))
    };
    let refused = drconsole::runbook::start(
        Arc::clone(&runbook),
        executor(false, "plain"),
        sim.clone(),
        RunOptions::default(),
    )
    .await
    .err()
    .expect("refused");
    assert!(
        matches!(&refused, EngineError::Invalid(m) if m.contains("runs only as a drill")),
        "{refused:?}"
    );
    let handle = drconsole::runbook::start(
        runbook,
        executor(true, "drill"),
        sim.clone(),
        RunOptions::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    handle.send(drconsole::runbook::Command::Cancel);
}
