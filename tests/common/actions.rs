//! Helpers for the action tests: an executor over moto with a journal of its own, the
//! journal read back, the writes among what moto received, and the ingestion function's
//! SQS feed (moto's queue API, since aws-sdk-sqs is not a dependency).
//!
//! Included with `#[path]` by the test binaries that run actions, so `common/mod.rs` needs
//! no line for it.

// Each test binary that includes this uses a different part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use drconsole::action::{Action, Args, Executor, ExecutorOptions, Outcome, catalogue};
use drconsole::cloud::Cloud;
use drconsole::config::Estate;
use drconsole::incident::journal::{Entry, Journal, Origin, Reader};
use drconsole::mode::Mode;
use serde_json::Value;

use crate::common::recorder::Recorded;
use crate::common::{ACCOUNT, BACKUP_REGION, MotoEnv, PRIMARY_REGION, http_request};

/// The shipped example estate as it is: the plan's names, which the seeders use too. Only
/// the hosted zone id is made up, and no action here touches DNS.
pub fn example_estate() -> Estate {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml");
    let text = std::fs::read_to_string(&path).expect("templates/estate.example.toml");
    drconsole::config::parse(&text, Path::new("estate.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// A journal in `dir`, stamped as production in moto's account.
pub fn journal(dir: &Path) -> Journal {
    let origin = Origin::new(
        Mode::Production,
        Some(ACCOUNT.to_owned()),
        vec![PRIMARY_REGION.to_owned(), BACKUP_REGION.to_owned()],
    );
    Journal::open_or_create(dir, origin).unwrap_or_else(|e| panic!("journal: {e}"))
}

/// An executor over `cloud` recording into `dir`, holding writes to `account`.
pub fn executor_in(
    cloud: Arc<dyn Cloud>,
    estate: &Estate,
    dir: &Path,
    options: ExecutorOptions,
) -> Executor {
    Executor::new(cloud, Arc::new(estate.clone()), journal(dir), options)
}

/// The options a session in moto's account runs with.
pub fn in_account() -> ExecutorOptions {
    ExecutorOptions {
        account: Some(ACCOUNT.to_owned()),
        ..ExecutorOptions::default()
    }
}

/// The catalogue's action named `name`.
pub fn action(name: &str) -> &'static dyn Action {
    catalogue::find(name).unwrap_or_else(|e| panic!("{e}"))
}

/// `NAME=VALUE` pairs checked against the action's arguments.
pub fn args(action: &dyn Action, pairs: &[&str]) -> Args {
    Args::parse(action.name(), action.args(), pairs).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs an action with no preview and no typed confirmation.
pub async fn run(
    executor: &Executor,
    name: &str,
    target: &str,
    pairs: &[&str],
) -> Result<Outcome, drconsole::action::ActionError> {
    run_confirmed(executor, name, target, pairs, None).await
}

pub async fn run_confirmed(
    executor: &Executor,
    name: &str,
    target: &str,
    pairs: &[&str],
    confirm: Option<&str>,
) -> Result<Outcome, drconsole::action::ActionError> {
    let action = action(name);
    let args = args(action, pairs);
    executor
        .run(action, target, &args, confirm, None, &|_| {})
        .await
}

/// Every entry of the journal in `dir`, in order.
pub fn entries(dir: &Path) -> Vec<Entry> {
    Reader::open(dir)
        .unwrap_or_else(|e| panic!("open the journal: {e}"))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("read the journal: {e}"))
}

/// The kinds of the entries, in order, without the journal's own opening entries.
pub fn action_kinds(entries: &[Entry]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e.kind.as_str())
        .filter(|k| {
            matches!(
                *k,
                "action_started"
                    | "action_refused"
                    | "safety_net"
                    | "resource_owned"
                    | "action_finished"
                    | "request_sent"
                    | "request_finished"
            )
        })
        .collect()
}

/// The entries of one kind.
pub fn of_kind<'a>(entries: &'a [Entry], kind: &str) -> Vec<&'a Entry> {
    entries.iter().filter(|e| e.kind == kind).collect()
}

/// One run, journalled in full: started, then for each write a `request_sent` and an answered
/// `request_finished` carrying AWS's request id, then finished with `outcome`. Returns the
/// operations in the order they were sent.
pub fn assert_journalled_run(entries: &[Entry], action: &str, outcome: &str) -> Vec<String> {
    let started = of_kind(entries, "action_started");
    let started = started
        .iter()
        .rfind(|e| e.payload["action"] == action)
        .unwrap_or_else(|| panic!("an action_started for {action} in {entries:#?}"));
    let run = started.payload["run"]
        .as_str()
        .expect("a run id")
        .to_owned();
    let tail: Vec<&Entry> = entries.iter().filter(|e| e.seq > started.seq).collect();
    let sent: Vec<&&Entry> = tail
        .iter()
        .filter(|e| e.kind == "request_sent" && e.payload["step"] == run.as_str())
        .collect();
    let finished: Vec<&&Entry> = tail
        .iter()
        .filter(|e| e.kind == "request_finished" && e.payload["step"] == run.as_str())
        .collect();
    assert!(!sent.is_empty(), "{action} sent something: {tail:#?}");
    assert_eq!(sent.len(), finished.len(), "each write answered: {tail:#?}");
    for (s, f) in sent.iter().zip(&finished) {
        assert!(s.seq < f.seq, "journalled before it is sent");
        assert_eq!(s.payload["operation"], f.payload["operation"]);
        assert_eq!(f.payload["ok"], true, "{f:#?}");
        let id = f.payload["request_id"].as_str().unwrap_or_default();
        assert!(!id.is_empty(), "AWS's request id is kept: {f:#?}");
    }
    let end = tail
        .iter()
        .find(|e| e.kind == "action_finished" && e.payload["run"] == run.as_str())
        .unwrap_or_else(|| panic!("an action_finished for {run}: {tail:#?}"));
    assert_eq!(end.payload["outcome"], outcome, "{end:#?}");
    sent.iter()
        .map(|e| {
            e.payload["operation"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The last entry is a refusal by `guard`, and no request was journalled as sent.
pub fn assert_refused_in_journal(entries: &[Entry], guard: &str) {
    let last = entries.last().expect("a journal entry");
    assert_eq!(last.kind, "action_refused", "{last:#?}");
    assert_eq!(last.payload["guard"], guard, "{last:#?}");
    assert!(
        of_kind(entries, "request_sent").is_empty(),
        "nothing journalled as sent: {entries:#?}"
    );
}

/// Whether a request moto received changes something. Named operations (DynamoDB's JSON
/// target, the query protocol's `Action=`) are reads when they get, describe, list, query or
/// scan; REST requests (S3, Lambda, Route53) are reads when they GET or HEAD.
pub fn is_write(request: &Recorded) -> bool {
    let operation = request.operation();
    if operation.contains(' ') {
        return !matches!(request.method.as_str(), "GET" | "HEAD");
    }
    const READS: [&str; 6] = ["Get", "Describe", "List", "Query", "Scan", "BatchGet"];
    !READS.iter().any(|p| operation.starts_with(p))
}

/// The writes among what moto received, for messages: "METHOD path" or the operation.
pub fn writes(recorded: &[Recorded]) -> Vec<String> {
    recorded
        .iter()
        .filter(|r| is_write(r))
        .map(|r| format!("{} ({})", r.operation(), r.region.as_deref().unwrap_or("?")))
        .collect()
}

/// A SigV4 header moto accepts (it reads only the scope).
fn auth(region: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/{service}/aws4_request, \
         SignedHeaders=host, Signature=x"
    )
}

/// Creates an SQS queue through moto's query API; returns its ARN.
pub fn create_queue(env: &MotoEnv, region: &str, name: &str) -> String {
    let body = format!("Action=CreateQueue&Version=2012-11-05&QueueName={name}");
    let resp = http_request(
        env.addr(),
        "POST",
        "/",
        &[
            ("Authorization", &auth(region, "sqs")),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
    .unwrap_or_else(|e| panic!("SQS CreateQueue {name}: {e}"));
    assert_eq!(resp.status, 200, "SQS CreateQueue: {}", resp.body);
    format!("arn:aws:sqs:{region}:{ACCOUNT}:{name}")
}

/// An enabled SQS event source mapping from a new queue to `function`; returns its UUID.
pub async fn create_sqs_mapping(env: &MotoEnv, region: &str, function: &str) -> String {
    let queue = create_queue(env, region, &format!("{function}-queue"));
    let mapping = env
        .lambda(region)
        .await
        .create_event_source_mapping()
        .function_name(function)
        .event_source_arn(&queue)
        .enabled(true)
        .batch_size(10)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateEventSourceMapping {function}: {e:?}"));
    mapping.uuid().expect("a mapping UUID").to_owned()
}

/// A mapping's state as moto reports it ("Enabled", "Disabled").
pub async fn mapping_state(env: &MotoEnv, region: &str, uuid: &str) -> String {
    let mapping = env
        .lambda(region)
        .await
        .get_event_source_mapping()
        .uuid(uuid)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetEventSourceMapping {uuid}: {e:?}"));
    mapping.state().unwrap_or_default().to_owned()
}

/// A function's reserved concurrency, `None` when it has none.
pub async fn reserved_concurrency(env: &MotoEnv, region: &str, function: &str) -> Option<i32> {
    env.lambda(region)
        .await
        .get_function_concurrency()
        .function_name(function)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetFunctionConcurrency {function}: {e:?}"))
        .reserved_concurrent_executions()
}

pub async fn put_concurrency(env: &MotoEnv, region: &str, function: &str, reserved: i32) {
    env.lambda(region)
        .await
        .put_function_concurrency()
        .function_name(function)
        .reserved_concurrent_executions(reserved)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutFunctionConcurrency {function}: {e:?}"));
}

/// PITR's status as DynamoDB reports it.
pub async fn pitr_enabled(env: &MotoEnv, region: &str, table: &str) -> bool {
    let out = env
        .dynamodb(region)
        .await
        .describe_continuous_backups()
        .table_name(table)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeContinuousBackups {table}: {e:?}"));
    out.continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        .is_some_and(|s| s.as_str() == "ENABLED")
}

/// A JSON value's string, for assertions on journal payloads.
pub fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}
