//! Restoring a function in the simulation: Pending and InProgress on the sim's clock, a second
//! update refused meanwhile, a package from another region's bucket refused, and the whole
//! restore-function action run during a primary-region outage.

use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::action::{Args, Executor, ExecutorOptions, Status, catalogue};
use crate::cloud::{CodeInS3, ErrorKind, FunctionInfo, FunctionSpec, Functions, Storage};
use crate::incident::journal::{Journal, Origin};
use crate::mode::Mode;

const API: &str = "flightdata-api";
const PRIMARY_BUCKET: &str = "flightdata-lambda-backups";
const COPY_BUCKET: &str = "flightdata-lambda-backups-us-west-2";

/// The newest seeded backup of `API` in `bucket`: its saved configuration and package key.
async fn newest_backup(sim: &SimCloud, region: &str, bucket: &str) -> (FunctionInfo, String) {
    let days = sim
        .list_prefixes(region, bucket, "lambda-backups/")
        .await
        .unwrap();
    let folder = format!("{}{API}/", days.iter().max().expect("a dated folder"));
    let config = sim
        .get_object(region, bucket, &format!("{folder}{API}-config.json"))
        .await
        .unwrap();
    (
        serde_json::from_slice(&config).unwrap(),
        format!("{folder}{API}-code.zip"),
    )
}

fn create(region: &str, spec: FunctionSpec, bucket: &str, key: &str) -> WriteRequest {
    WriteRequest::CreateFunction {
        region: region.into(),
        spec,
        code: CodeInS3 {
            bucket: bucket.into(),
            key: key.into(),
        },
    }
}

#[tokio::test]
async fn a_new_function_is_pending_then_active_and_refuses_updates_until_then() {
    let sim = sim(&[]);
    let (saved, key) = newest_backup(&sim, WEST, COPY_BUCKET).await;
    let seeded = sim.get_function(EAST, API).await.unwrap();
    assert_eq!(
        saved.code_sha256, seeded.code_sha256,
        "the backup is of today's code"
    );

    send(&sim, create(WEST, saved.spec(), COPY_BUCKET, &key))
        .await
        .unwrap();
    let now = sim.get_function_configuration(WEST, API).await.unwrap();
    assert_eq!(now.state.as_deref(), Some("Pending"));
    assert_eq!(
        now.code_sha256, seeded.code_sha256,
        "the package's own hash"
    );
    assert_eq!(now.settings.environment, seeded.settings.environment);
    let update = WriteRequest::UpdateFunctionConfiguration {
        region: WEST.into(),
        spec: FunctionSpec {
            name: API.into(),
            timeout_secs: Some(60),
            ..FunctionSpec::default()
        },
    };
    let busy = send(&sim, update.clone()).await.unwrap_err();
    assert_eq!(busy.kind, ErrorKind::Conflict, "{busy:?}");
    assert_eq!(busy.code.as_deref(), Some("ResourceConflictException"));

    sim.clock().advance(Duration::seconds(10));
    let now = sim.get_function_configuration(WEST, API).await.unwrap();
    assert_eq!(now.state.as_deref(), Some("Active"));
    assert_eq!(now.last_update_status.as_deref(), Some("Successful"));

    send(&sim, update.clone()).await.unwrap();
    let now = sim.get_function_configuration(WEST, API).await.unwrap();
    assert_eq!(now.last_update_status.as_deref(), Some("InProgress"));
    assert_eq!(now.timeout_secs, Some(60));
    let busy = send(&sim, update).await.unwrap_err();
    assert_eq!(busy.kind, ErrorKind::Conflict, "one update at a time");
    sim.clock().advance(Duration::seconds(10));
    let now = sim.get_function_configuration(WEST, API).await.unwrap();
    assert_eq!(now.last_update_status.as_deref(), Some("Successful"));
}

#[tokio::test]
async fn a_package_in_another_regions_bucket_is_refused_as_lambda_does() {
    let sim = sim(&[]);
    let (saved, key) = newest_backup(&sim, EAST, PRIMARY_BUCKET).await;
    let refused = send(&sim, create(WEST, saved.spec(), PRIMARY_BUCKET, &key))
        .await
        .unwrap_err();
    assert_eq!(
        refused.code.as_deref(),
        Some("InvalidParameterValueException")
    );
    assert!(
        refused.message.contains("AuthorizationHeaderMalformed")
            && refused.message.contains("expecting 'us-east-1'"),
        "{refused:?}"
    );
    let layer = "arn:aws:lambda:us-east-1:123456789012:layer:common:7";
    let mut spec = saved.spec();
    spec.settings.layers = Some(vec![layer.into()]);
    let (_, west_key) = newest_backup(&sim, WEST, COPY_BUCKET).await;
    let refused = send(&sim, create(WEST, spec, COPY_BUCKET, &west_key))
        .await
        .unwrap_err();
    assert!(refused.message.contains(layer), "{refused:?}");
    assert!(sim.get_function(WEST, API).await.is_err(), "nothing made");
}

#[tokio::test]
async fn restore_function_rehearses_a_failover_with_the_primary_region_down() {
    let sim = Arc::new(sim(&[Fault::RegionOutage]));
    let dir = tempfile::tempdir().unwrap();
    let origin = Origin::new(
        Mode::Simulation,
        Some(super::super::ACCOUNT.into()),
        Vec::new(),
    );
    let journal = Journal::open_or_create(&dir.path().join("journal"), origin).unwrap();
    let executor = Executor::new(
        sim.clone(),
        Arc::new(estate()),
        journal,
        ExecutorOptions {
            account: Some(super::super::ACCOUNT.into()),
            ..ExecutorOptions::default()
        },
    );
    let action = catalogue::find("restore-function").unwrap();
    let args = Args::parse(action.name(), action.args(), &["region=us-west-2"]).unwrap();
    let started = sim.clock().now();
    let outcome = executor
        .run(action, API, &args, None, None, &|_| {})
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Done, "{outcome:#?}");
    let operations: Vec<&str> = outcome.sent.iter().map(|(r, _)| r.operation()).collect();
    assert_eq!(
        operations,
        ["CreateFunction"],
        "the copy bucket is in us-west-2: nothing to copy"
    );
    let made = sim.get_function_configuration(WEST, API).await.unwrap();
    assert_eq!(made.state.as_deref(), Some("Active"));
    assert!(
        sim.clock().now() >= started + Duration::seconds(10),
        "the run waited for Pending to end on the sim's clock"
    );
}
