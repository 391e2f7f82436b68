//! The history a readiness test starts from, and the calendar it is checked against, worked
//! out here independently of the product's.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc, Weekday};
use serde_json::json;

use drconsole::drill::{DrillOutcome, DrillRecord, History, RestorePointFigure};
use drconsole::mode::Mode;

use super::common;

// ---------------------------------------------------------------------------------------------
// The calendar, worked out independently of the product's
// ---------------------------------------------------------------------------------------------

pub fn first_friday(year: i32, month: u32) -> NaiveDate {
    (1..=7)
        .map(|d| NaiveDate::from_ymd_opt(year, month, d).unwrap())
        .find(|d| d.weekday() == Weekday::Fri)
        .unwrap()
}

/// The first Friday `back` months before `at`'s month.
pub fn first_friday_back(at: DateTime<Utc>, back: u32) -> NaiveDate {
    let month = NaiveDate::from_ymd_opt(at.year(), at.month(), 1).unwrap() - Months::new(back);
    first_friday(month.year(), month.month())
}

/// The first day of the quarter `back` quarters before `at`'s.
pub fn quarter_start_back(at: DateTime<Utc>, back: i32) -> NaiveDate {
    let index = at.year() * 4 + (at.month() as i32 - 1) / 3 - back;
    NaiveDate::from_ymd_opt(index.div_euclid(4), (index.rem_euclid(4) * 3 + 1) as u32, 1).unwrap()
}

pub fn at_ten(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(10, 0, 0).unwrap().and_utc()
}

// ---------------------------------------------------------------------------------------------
// The history
// ---------------------------------------------------------------------------------------------

pub fn save_validation(data: &Path, id: &str, mode: &str, started: DateTime<Utc>, verdict: &str) {
    let record = json!({
        "id": id,
        "mode": mode,
        "account": common::ACCOUNT,
        "started": started,
        "finished": started + Duration::minutes(4),
        "verdict": verdict,
        "settings": {},
        "findings": [{
            "kind": "table",
            "resource": "flightdata-main",
            "check": "item-count",
            "verdict": verdict,
            "message": "12 items restored, 12 recorded",
        }],
    });
    History::new(data.join("history/validation"))
        .save(started, id, &record)
        .unwrap();
}

pub fn drill(
    id: &str,
    started: DateTime<Utc>,
    outcome: DrillOutcome,
    recovery: f64,
) -> DrillRecord {
    DrillRecord {
        id: id.to_owned(),
        runbook: "region-failover".to_owned(),
        mode: Mode::Drill,
        account: Some(common::ACCOUNT.to_owned()),
        started,
        finished: Some(started + Duration::seconds(recovery as i64 + 600)),
        outcome,
        target_secs: Some(4 * 3600),
        rto_secs: Some(4 * 3600),
        recovery_secs: Some(recovery),
        setup_secs: Some(120.0),
        teardown_secs: Some(90.0),
        steps: Vec::new(),
        restore_points: vec![RestorePointFigure {
            table: "flightdata-main".to_owned(),
            point: started - Duration::minutes(45),
            data_loss_secs: 45 * 60,
            rpo_secs: Some(3600),
        }],
        removed: Vec::new(),
        left: Vec::new(),
        journal: PathBuf::from("drills/incidents/DRL-1"),
    }
}

pub fn save_drill(data: &Path, record: &DrillRecord) {
    History::new(data.join("history/drills"))
        .save(record.started, &record.id, record)
        .unwrap();
}

/// What the seeded history must give: validations met of 12, drills met of 4.
pub struct SeededHistory {
    pub validations_met: usize,
    pub drills_met: usize,
    pub last_drill: DrillRecord,
}

/// Validations: passing on three first Fridays, passing on a second Friday (off schedule),
/// failed on a first Friday, a simulated pass on a first Friday (another mode). Drills: a
/// completed one in the last quarter and three quarters back, a failed one two quarters back,
/// none four quarters back, none yet in the quarter under way.
pub fn seed_history(data: &Path, at: DateTime<Utc>) -> SeededHistory {
    for back in 1..=3 {
        let day = first_friday_back(at, back);
        save_validation(
            data,
            &format!("v-on-{back}"),
            "production",
            at_ten(day),
            "pass",
        );
    }
    let second_friday = first_friday_back(at, 4) + Duration::days(7);
    save_validation(data, "v-off", "production", at_ten(second_friday), "pass");
    save_validation(
        data,
        "v-failed",
        "production",
        at_ten(first_friday_back(at, 5)),
        "fail",
    );
    save_validation(
        data,
        "v-sim",
        "simulation",
        at_ten(first_friday_back(at, 6)),
        "pass",
    );

    let in_quarter = |back| at_ten(quarter_start_back(at, back) + Duration::days(10));
    let earlier = drill("d-3", in_quarter(3), DrillOutcome::Completed, 5.0 * 3600.0);
    let failed = drill(
        "d-2",
        in_quarter(2),
        DrillOutcome::Failed("tables/restore: AccessDenied".into()),
        1800.0,
    );
    let last = drill("d-1", in_quarter(1), DrillOutcome::Completed, 3.5 * 3600.0);
    for record in [&earlier, &failed, &last] {
        save_drill(data, record);
    }
    // A simulated drill this quarter never counts for the account.
    let mut simulated = drill(
        "d-sim",
        at - Duration::hours(1),
        DrillOutcome::Completed,
        60.0,
    );
    simulated.mode = Mode::Simulation;
    save_drill(data, &simulated);
    SeededHistory {
        validations_met: 3,
        drills_met: 2,
        last_drill: last,
    }
}
