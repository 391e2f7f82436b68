//! Drills end to end on moto: a region-failover and a data-corruption drill make their
//! copies, run the shipped runbooks against them, tear down and write their record; every
//! write moto receives names a drill resource, and moto's state after equals its state
//! before. A stop alarm set to ALARM mid-drill halts it before its next write; an interrupt
//! and a failed setup still tear down. And a drill on the simulated estate, from the CLI.

mod common;
#[path = "common/actions.rs"]
mod helpers;
// The failover seeder; this binary uses part of it.
#[allow(dead_code)]
#[path = "runbooks_failover/seed.rs"]
mod seed;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::cloud::{Backups, Cloud, Dns};
use drconsole::config::{Estate, StopAlarm};
use drconsole::dirs::Dirs;
use drconsole::drill::run::{Drill, DrillOptions, DrillProgress, Ended, run_drill};
use drconsole::drill::{DrillOutcome, DrillRecord, History};
use drconsole::mode::Mode;
use drconsole::runbook::Manual;
use drconsole::session::Session;

use common::recorder::Recorded;
use common::{ALARMS, BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST, TABLES};
use helpers::is_write;

const SUFFIX: &str = "-dr-test";

/// The shipped runbook of this name.
fn shipped(name: &str, estate: &Estate) -> Arc<drconsole::runbook::Runbook> {
    let file = format!("{name}.toml");
    let (_, text) = drconsole::runbook::load::SHIPPED
        .iter()
        .find(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("{file} is not shipped"));
    let path = Path::new("templates/runbooks").join(&file);
    Arc::new(
        drconsole::runbook::load::parse(text, &path, estate)
            .unwrap_or_else(|e| panic!("runbook {name}: {e}")),
    )
}

/// The standby stack of the drills' estate.
const STANDBY: &str = "flightdata-standby";

/// The plan's estate with real exports and function backups (the failover seeder), its
/// standby stack made from a template that names none of its resources: a copy of a stack
/// whose queue has a fixed name would make (and on teardown delete) that very queue, so a
/// drill refuses it (see `a_stack_that_names_its_resources_is_not_copied`).
async fn estate(env: &MotoEnv, dir: &Path) -> Estate {
    let (_, mut estate) = seed::seed_failover_estate(env, dir).await;
    // A resource with no name of its own (moto answers 500 for a queue without one).
    let (head, _) = common::stacks::TEMPLATE
        .split_once("Resources:")
        .expect("the template's resources");
    let template = format!(
        "{head}Resources:\n  Handle:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"
    );
    common::stacks::client(env, WEST)
        .await
        .create_stack()
        .stack_name(STANDBY)
        .template_body(template)
        .set_parameters(Some(
            common::stacks::VALUES
                .iter()
                .map(|(k, v)| {
                    aws_sdk_cloudformation::types::Parameter::builder()
                        .parameter_key(*k)
                        .parameter_value(*v)
                        .build()
                })
                .collect(),
        ))
        .send()
        .await
        .expect("CreateStack");
    estate.stacks[0].name = toml::Spanned::new(0..0, STANDBY.to_owned());
    estate
}

fn session(env_cloud: Arc<dyn Cloud>, estate: Estate) -> Session {
    Session::new(estate, env_cloud, Mode::Production)
}

fn dirs(dir: &Path) -> Dirs {
    Dirs {
        config: None,
        data: Some(dir.join("data")),
        state: None,
    }
}

fn quick(manual: Manual, inputs: &[(&str, &str)], choose: &[(&str, &str)]) -> DrillOptions {
    let map = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    DrillOptions {
        inputs: map(inputs),
        manual,
        choose: map(choose),
        ask_decisions: false,
        poll_every: Some(Duration::from_millis(20)),
        interrupt: None,
    }
}

/// What the drill could leave behind, by name: tables and backups in both regions,
/// functions in both, stacks in the backup region, the zone's records.
async fn state(env: &MotoEnv, zone: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for region in [EAST, WEST] {
        let ddb = env.dynamodb(region).await;
        let tables = ddb.list_tables().send().await.expect("ListTables");
        for t in tables.table_names() {
            out.insert(format!("table {t} ({region})"));
        }
        let backups = ddb.list_backups().send().await.expect("ListBackups");
        for b in backups.backup_summaries() {
            out.insert(format!(
                "backup {} of {} ({region})",
                b.backup_name().unwrap_or_default(),
                b.table_name().unwrap_or_default()
            ));
        }
        let functions = env
            .lambda(region)
            .await
            .list_functions()
            .send()
            .await
            .expect("ListFunctions");
        for f in functions.functions() {
            out.insert(format!(
                "function {} ({region})",
                f.function_name().unwrap_or_default()
            ));
        }
        let stacks = common::stacks::client(env, region)
            .await
            .describe_stacks()
            .send()
            .await
            .expect("DescribeStacks");
        for s in stacks.stacks() {
            let status = s.stack_status().map(|s| s.as_str()).unwrap_or_default();
            if !status.starts_with("DELETE_COMPLETE") {
                out.insert(format!(
                    "stack {} ({region})",
                    s.stack_name().unwrap_or_default()
                ));
            }
        }
    }
    let records = env
        .cloud()
        .await
        .list_record_sets(zone)
        .await
        .expect("ListResourceRecordSets");
    for r in records {
        out.insert(format!(
            "record {} {} {:?} {:?}",
            r.name, r.record_type, r.set_identifier, r.values
        ));
    }
    out
}

/// The resource a recorded write changes, as the request names it: the new table of a
/// restore or an import, the table or backup of a DynamoDB call, the function, stack or
/// record of a REST or query call. `None` when the request names nothing recognisable.
fn written(r: &Recorded) -> String {
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
    let field = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    if r.target.is_some() {
        return field(&body["TargetTableName"])
            .or_else(|| field(&body["TableCreationParameters"]["TableName"]))
            .or_else(|| {
                field(&body["BackupName"])
                    .map(|b| format!("{b} {}", body["TableName"].as_str().unwrap_or_default()))
            })
            .or_else(|| field(&body["TableName"]))
            .or_else(|| field(&body["BackupArn"]))
            .or_else(|| field(&body["ResourceArn"]))
            .unwrap_or_else(|| r.body.clone());
    }
    if let Some(function) = field(&body["FunctionName"]) {
        return function;
    }
    if r.path().contains("/rrset") {
        // Every <Name> and <SetIdentifier> of the change batch.
        return r
            .body
            .split("<Name>")
            .skip(1)
            .chain(r.body.split("<SetIdentifier>").skip(1))
            .filter_map(|s| s.split('<').next())
            .collect::<Vec<_>>()
            .join(" ");
    }
    for part in r.body.split('&') {
        if let Some(stack) = part.strip_prefix("StackName=") {
            return stack.to_owned();
        }
    }
    r.path().to_owned()
}

/// Every write moto received names drill resources only (each name the request writes
/// carries the suffix).
fn assert_only_drill_names(recorded: &[Recorded]) {
    let writes: Vec<(String, String)> = recorded
        .iter()
        .filter(|r| is_write(r))
        .map(|r| (r.operation(), written(r)))
        .collect();
    assert!(!writes.is_empty(), "the drill wrote nothing");
    let foreign: Vec<&(String, String)> = writes
        .iter()
        .filter(|(op, name)| {
            // A record change names each record and set identifier: all the drill's.
            let parts: Vec<&str> = name.split([' ']).collect();
            parts.iter().any(|p| !p.contains(SUFFIX)) && !op.is_empty()
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "writes to what is not the drill's: {foreign:#?}\nall writes: {writes:#?}"
    );
}

fn saved(dirs: &Dirs) -> Vec<DrillRecord> {
    History::new(dirs.drill_history().unwrap())
        .load_all::<DrillRecord>()
        .0
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

fn lines() -> (
    Arc<Mutex<Vec<String>>>,
    impl Fn(DrillProgress) + Send + Sync,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (seen, move |p: DrillProgress| {
        sink.lock()
            .unwrap()
            .push(format!("{:?} {}", p.phase, p.line))
    })
}

#[tokio::test]
async fn a_region_failover_drill_writes_only_drill_names_and_leaves_the_estate_as_it_was() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let estate = estate(&env, dir.path()).await;
    let zone = estate.dns.records[0].zone_id.clone();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let session = session(cloud, estate.clone());
    let dirs = dirs(dir.path());
    let before = state(&env, &zone).await;

    env.start_recording();
    let (seen, progress) = lines();
    let run = run_drill(
        &session,
        &dirs,
        shipped("region-failover", &estate),
        quick(Manual::All, &[], &[("choose-source", "export")]),
        progress,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorded = env.stop_recording();
    let seen = seen.lock().unwrap().clone();

    assert_eq!(run.ended, Ended::Completed, "{seen:#?}");
    assert_eq!(run.record.outcome, DrillOutcome::Completed);
    assert!(run.record.left.is_empty(), "{:?}", run.record.left);
    assert_only_drill_names(&recorded);
    // The rehearsal did happen: each table imported from its real export into a drill
    // table in the backup region, each function restored there, the drill's DNS moved.
    for table in TABLES {
        let import = recorded
            .iter()
            .find(|r| {
                r.operation() == "ImportTable" && r.body.contains(&format!("{table}{SUFFIX}"))
            })
            .unwrap_or_else(|| panic!("an import of {table}"));
        assert_eq!(import.region.as_deref(), Some(WEST));
        assert!(import.body.contains(&format!("dynamodb-exports/{table}/")));
    }
    assert!(
        recorded.iter().any(|r| r.path().contains("/rrset")
            && r.body.contains("UPSERT")
            && r.body.contains(&format!("api{SUFFIX}."))),
        "the drill's record moved"
    );
    let scaled = recorded
        .iter()
        .find(|r| r.operation() == "UpdateStack")
        .expect("the drill's stack scaled up");
    assert!(scaled.body.contains(&format!("{STANDBY}{SUFFIX}")));
    // Nothing of the drill remains, and nothing real was changed.
    assert_eq!(state(&env, &zone).await, before);
    let params = common::stacks::parameters(&env, WEST, STANDBY).await;
    assert_eq!(
        params["InstanceCount"], "1",
        "the real stack was not scaled"
    );
    // The record: timed steps, teardown named, saved in the drill history.
    assert!(run.record.removed.len() >= 8, "{:?}", run.record.removed);
    assert!(run.record.recovery_secs.is_some());
    assert!(
        run.record
            .steps
            .iter()
            .any(|s| s.path == "dns" && s.outcome == "succeeded")
    );
    assert_eq!(saved(&dirs), std::slice::from_ref(&run.record));
    assert_eq!(run.record.mode, Mode::Drill);
    assert!(run.record.journal.starts_with(dir.path().join("data")));

    // A second drill of the same runbook: its report compares with the first.
    let second = run_drill(
        &session,
        &dirs,
        shipped("region-failover", &estate),
        quick(Manual::All, &[], &[("choose-source", "export")]),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.ended, Ended::Completed);
    let history = saved(&dirs);
    assert_eq!(history.len(), 2);
    let comparison = drconsole::drill::report::compare(&second.record, &history);
    assert_eq!(comparison.earlier, std::slice::from_ref(&run.record.id));
    let dns = comparison.step("dns").expect("the dns step compared");
    assert_eq!(dns.samples, 1);
    let first_dns = run.record.steps.iter().find(|s| s.path == "dns").unwrap();
    assert_eq!(
        dns.median_secs, first_dns.secs,
        "the median of one drill is its time"
    );
    assert_eq!(comparison.total.samples, 1);
    assert_eq!(comparison.total.median_secs, run.record.recovery_secs);
    assert_eq!(
        state(&env, &zone).await,
        before,
        "the second drill left nothing either"
    );
}

#[tokio::test]
async fn a_data_corruption_drill_corrupts_and_restores_its_own_copy() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let estate = estate(&env, dir.path()).await;
    let zone = estate.dns.records[0].zone_id.clone();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let session = session(Arc::clone(&cloud), estate.clone());
    let dirs = dirs(dir.path());
    let before = state(&env, &zone).await;
    let table = TABLES[0];
    let copy = format!("{table}{SUFFIX}");

    env.start_recording();
    let (seen, progress) = lines();
    let mut drill = Drill::prepare(
        &session,
        &dirs,
        shipped("data-corruption", &estate),
        quick(Manual::All, &[("table", table)], &[]),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let copies: Vec<(String, String)> = drill
        .copies
        .iter()
        .map(|c| (c.real.clone(), c.drill.clone()))
        .collect();
    assert_eq!(
        copies,
        [
            (
                "flightdata-processor".to_owned(),
                format!("flightdata-processor{SUFFIX}")
            ),
            (table.to_owned(), copy.clone()),
        ]
    );
    drill
        .setup(&progress)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // moto freezes a table's window when PITR is turned on: the copy's is the drill's.
    let window = cloud
        .describe_continuous_backups(EAST, &copy)
        .await
        .unwrap();
    let at = window.earliest_restorable.expect("the copy is protected");
    drill.set_input(
        "restore_time",
        &at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    );
    let mut handle = drill.start().await.unwrap();
    let ended =
        drconsole::drill::run::drive::drive(&mut handle, drill.executor(), &progress, None).await;
    let (torn, secs) = drill.teardown(&progress).await.unwrap();
    let record = drill.finish(&dirs, ended.outcome(), &torn, secs).unwrap();
    let recorded = env.stop_recording();
    let seen = seen.lock().unwrap().clone();

    assert_eq!(ended, Ended::Completed, "{seen:#?}");
    assert!(torn.left.is_empty(), "{:?}", torn.left);
    assert_only_drill_names(&recorded);
    // The runbook's swap ran on the copy: it was deleted and restored under its name.
    let deleted: Vec<String> = recorded
        .iter()
        .filter(|r| r.operation() == "DeleteTable")
        .map(written)
        .collect();
    assert!(deleted.contains(&copy), "{deleted:?}");
    assert!(
        recorded
            .iter()
            .any(|r| r.operation() == "RestoreTableToPointInTime"
                && r.body.contains(&format!("\"SourceTableName\":\"{copy}\"")))
    );
    assert_eq!(state(&env, &zone).await, before);
    // The real table and ingestion were never touched.
    assert_eq!(
        env.cloud().await.count_items(EAST, table, 2).await.unwrap(),
        common::TABLE_ITEMS[0] as u64
    );
    assert_eq!(record.outcome, DrillOutcome::Completed);
    assert!(record.setup_secs.is_some() && record.teardown_secs.is_some());
    assert!(
        record
            .steps
            .iter()
            .any(|s| s.path == "delete-corrupted" && s.outcome == "succeeded"),
        "{:#?}",
        record.steps
    );
    assert_eq!(saved(&dirs), [record]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_in_alarm_mid_drill_halts_it_before_its_next_write_and_tears_down() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let mut estate = estate(&env, dir.path()).await;
    estate.drill.stop_alarms.push(StopAlarm {
        name: toml::Spanned::new(0..0, ALARMS[0].to_owned()),
        region: None,
    });
    let zone = estate.dns.records[0].zone_id.clone();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let session = session(cloud, estate.clone());
    let dirs = dirs(dir.path());
    let before = state(&env, &zone).await;
    let table = TABLES[0];

    // `notice` is a manual step between two writes: the drill waits there for a person,
    // and the alarm goes off while it waits.
    let mut drill = Drill::prepare(
        &session,
        &dirs,
        shipped("data-corruption", &estate),
        quick(
            Manual::These(BTreeSet::from([
                "all-clear".to_owned(),
                "review".to_owned(),
            ])),
            &[("table", table)],
            &[],
        ),
    )
    .await
    .unwrap();
    let (seen, progress) = lines();
    drill.setup(&progress).await.unwrap();
    let mut handle = drill.start().await.unwrap();
    let first =
        drconsole::drill::run::drive::drive_until_idle(&mut handle, drill.executor(), &progress)
            .await;
    assert!(
        matches!(&first, Ended::Stopped(why) if why.iter().any(|w| w.starts_with("notice"))),
        "{first:?}"
    );
    common::set_alarm_state(&env, EAST, ALARMS[0], true, "errors above 5%").await;
    env.start_recording();
    handle.send(drconsole::runbook::Command::Done {
        step: "notice".into(),
        note: None,
    });
    let ended =
        drconsole::drill::run::drive::drive(&mut handle, drill.executor(), &progress, None).await;
    let during = env.stop_recording();
    let Ended::Halted(why) = &ended else {
        panic!("not halted: {ended:?}\n{:#?}", seen.lock().unwrap());
    };
    assert!(
        why.contains(&format!("alarm {} is in ALARM", ALARMS[0])),
        "{why}"
    );
    assert!(why.contains("errors above 5%"), "{why}");
    // The next write (the safety backup) was not sent.
    assert!(
        !during.iter().any(is_write),
        "a write went out after the alarm: {:?}",
        helpers::writes(&during)
    );
    drill.halt(why).await.unwrap();
    let (torn, secs) = drill.teardown(&progress).await.unwrap();
    let record = drill.finish(&dirs, ended.outcome(), &torn, secs).unwrap();
    assert!(matches!(&record.outcome, DrillOutcome::Halted(w) if w == why));
    assert!(torn.left.is_empty(), "{:?}", torn.left);
    // Teardown went ahead with the alarm still in ALARM: nothing of the drill is left.
    common::set_alarm_state(&env, EAST, ALARMS[0], false, "back to normal").await;
    assert_eq!(state(&env, &zone).await, before);
    let journal = helpers::entries(&record.journal);
    assert!(
        journal.iter().any(|e| e.kind == "drill_halted"),
        "{journal:#?}"
    );
    let refused = helpers::of_kind(&journal, "action_refused");
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert_eq!(refused[0].payload["guard"], "stop-condition");
    assert_eq!(refused[0].payload["action"], "backup-table");
}

#[tokio::test]
async fn a_stop_alarm_that_cannot_be_read_stops_the_drill_before_its_first_write() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let mut estate = estate(&env, dir.path()).await;
    estate.drill.stop_alarms.push(StopAlarm {
        name: toml::Spanned::new(0..0, "no-such-alarm".to_owned()),
        region: None,
    });
    let zone = estate.dns.records[0].zone_id.clone();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let session = session(cloud, estate.clone());
    let dirs = dirs(dir.path());
    let before = state(&env, &zone).await;

    env.start_recording();
    let run = run_drill(
        &session,
        &dirs,
        shipped("data-corruption", &estate),
        quick(Manual::All, &[("table", TABLES[0])], &[]),
        |_| {},
    )
    .await
    .unwrap();
    let recorded = env.stop_recording();
    let Ended::Halted(why) = &run.ended else {
        panic!("{:?}", run.ended);
    };
    assert!(
        why.contains("no-such-alarm") && why.contains("not a safe one"),
        "{why}"
    );
    assert!(
        !recorded.iter().any(is_write),
        "{:?}",
        helpers::writes(&recorded)
    );
    assert_eq!(state(&env, &zone).await, before);
}

#[tokio::test]
async fn an_interrupt_mid_run_and_a_failed_setup_still_tear_down() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let estate = estate(&env, dir.path()).await;
    let zone = estate.dns.records[0].zone_id.clone();
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let session = session(Arc::clone(&cloud), estate.clone());
    let dirs = dirs(dir.path());
    let before = state(&env, &zone).await;

    // Interrupted once the first step of the run has succeeded.
    let interrupt = Arc::new(tokio::sync::Notify::new());
    let mut options = quick(Manual::Ask, &[("table", TABLES[0])], &[]);
    options.interrupt = Some(Arc::clone(&interrupt));
    let bell = Arc::clone(&interrupt);
    let run = run_drill(
        &session,
        &dirs,
        shipped("data-corruption", &estate),
        options,
        move |p: DrillProgress| {
            if p.line.starts_with("succeeded") && p.line.contains("stop-ingestion") {
                bell.notify_one();
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(run.ended, Ended::Interrupted);
    assert_eq!(
        run.record.outcome,
        DrillOutcome::Aborted("interrupted".into())
    );
    assert!(run.record.left.is_empty(), "{:?}", run.record.left);
    assert!(!run.record.removed.is_empty());
    assert_eq!(state(&env, &zone).await, before);

    // A setup that fails part-way (the function's backups gone, after the table is
    // copied... here before: its copy is the first) tears down what it made.
    let backups = env.s3(EAST).await;
    let listed = backups
        .list_objects_v2()
        .bucket(common::LAMBDA_BACKUPS_BUCKET)
        .send()
        .await
        .unwrap();
    for o in listed.contents() {
        backups
            .delete_object()
            .bucket(common::LAMBDA_BACKUPS_BUCKET)
            .key(o.key().unwrap())
            .send()
            .await
            .unwrap();
    }
    let before = state(&env, &zone).await;
    let run = run_drill(
        &session,
        &dirs,
        shipped("data-corruption", &estate),
        quick(Manual::All, &[("table", TABLES[0])], &[]),
        |_| {},
    )
    .await
    .unwrap();
    assert!(
        matches!(&run.ended, Ended::SetupFailed(why) if why.contains("restore-function")),
        "{:?}",
        run.ended
    );
    assert!(run.record.left.is_empty(), "{:?}", run.record.left);
    assert_eq!(state(&env, &zone).await, before);
    assert_eq!(saved(&dirs).len(), 2);
}

#[tokio::test]
async fn a_stack_that_names_its_resources_is_not_copied() {
    let env = common::moto().await;
    let dir = tempfile::tempdir().unwrap();
    // The seeder's stack names its queue.
    let (_, estate) = seed::seed_failover_estate(&env, dir.path()).await;
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud().await);
    let session = session(cloud, estate.clone());
    let dirs = dirs(dir.path());
    env.start_recording();
    let err = Drill::prepare(
        &session,
        &dirs,
        shipped("region-failover", &estate),
        quick(Manual::All, &[], &[]),
    )
    .await
    .err()
    .expect("refused");
    let recorded = env.stop_recording();
    let text = err.to_string();
    assert!(
        text.contains("QueueName: flightdata-pipeline-work"),
        "{text}"
    );
    assert!(!recorded.iter().any(is_write));
    assert!(saved(&dirs).is_empty());
}

#[tokio::test]
async fn a_drill_on_the_simulated_estate_is_a_simulation_and_is_torn_down() {
    use chrono::TimeZone;
    use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
    let dir = tempfile::tempdir().unwrap();
    let estate = drconsole::session::example_estate().unwrap();
    let sim = SimCloud::new(
        &estate,
        SimOptions {
            // Still until a wait moves it: AWS's minutes pass without the test sleeping.
            clock: SimClock::fixed(chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap()),
            latency: Latency::None,
            faults: Vec::new(),
        },
    );
    let session = Session::new(estate.clone(), Arc::new(sim), Mode::Simulation);
    let dirs = dirs(dir.path());
    let run = run_drill(
        &session,
        &dirs,
        shipped("data-corruption", &estate),
        quick(Manual::Ask, &[("table", "flightdata-main")], &[]),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // The first manual step waits for a person no option answers: stopped, torn down.
    assert!(
        matches!(&run.ended, Ended::Stopped(why) if why.iter().any(|w| w.contains("--done notice"))),
        "{:?}",
        run.ended
    );
    assert!(run.record.left.is_empty(), "{:?}", run.record.left);
    // Torn down, the drill's incident is over: nothing later lands in it as "the open one".
    let open = drconsole::incident::IncidentStore::new(&dirs, Mode::Simulation)
        .unwrap()
        .open_incidents()
        .unwrap();
    assert!(
        open.is_empty(),
        "{:?}",
        open.iter().map(|i| &i.id).collect::<Vec<_>>()
    );
    assert_eq!(
        run.record.removed,
        [
            "table flightdata-main-dr-test (us-east-1)",
            "function flightdata-processor-dr-test (us-east-1)"
        ]
    );
    assert_eq!(run.record.mode, Mode::Simulation);
    assert!(run.record.id.starts_with("SIM-"), "{}", run.record.id);
    assert_eq!(saved(&dirs), [run.record]);
    let record = &saved(&dirs)[0];
    let comparison = drconsole::drill::report::compare(record, &[]);
    let text = drconsole::drill::report::render(
        record,
        &comparison,
        drconsole::drill::report::Style::Text,
    );
    assert!(text.contains("SIMULATION"), "{text}");
}

/// The console's drill asks the commander to choose the restore source (what a drill
/// rehearses); headless, the preselected source is taken unless `--choose` names one.
#[tokio::test]
async fn a_console_drill_waits_for_its_decisions_and_a_headless_one_takes_the_preselected() {
    use chrono::TimeZone;
    use drconsole::cloud::sim::{Latency, SimClock, SimCloud, SimOptions};
    let estate = drconsole::session::example_estate().unwrap();
    for ask in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::fixed(
                    chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap(),
                ),
                latency: Latency::None,
                faults: Vec::new(),
            },
        );
        let session = Session::new(estate.clone(), Arc::new(sim), Mode::Simulation);
        let dirs = dirs(dir.path());
        let options = DrillOptions {
            ask_decisions: ask,
            ..quick(Manual::All, &[], &[])
        };
        let run = run_drill(
            &session,
            &dirs,
            shipped("region-failover", &estate),
            options,
            |_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let waits_for_choice = matches!(
            &run.ended,
            Ended::Stopped(why) if why.iter().any(|w| w.contains("choose-source is a decision"))
        );
        assert_eq!(
            waits_for_choice, ask,
            "ask_decisions={ask}: {:?}",
            run.ended
        );
        assert!(run.record.left.is_empty(), "{:?}", run.record.left);
    }
}

#[test]
fn drill_without_a_runbook_is_a_usage_error_and_an_empty_history_has_no_report() {
    let dir = tempfile::tempdir().unwrap();
    for (args, code) in [
        (&["drill"][..], 64),
        (&["drill", "report"], 5),
        (&["drill", "list"], 0),
    ] {
        let mut cmd = assert_cmd::Command::cargo_bin("drconsole").unwrap();
        cmd.env_clear()
            .env("HOME", dir.path())
            .args(["--demo", "--data-dir"])
            .arg(dir.path())
            .args(args);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
    }
}
