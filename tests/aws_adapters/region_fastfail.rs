//! A region that did not answer is not asked again for a while: with the primary region
//! gone, the second call to it fails at once instead of waiting out its own timeout.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use drconsole::action::Authority;
use drconsole::cloud::aws::AwsOptions;
use drconsole::cloud::{Backups, ErrorKind, WriteRequest, Writes};

use super::common::*;

/// An endpoint that accepts connections and never answers: a region gone dark. Counts the
/// connections, which is how a test sees whether a call was even attempted.
struct Blackhole {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl Blackhole {
    fn start() -> Blackhole {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&connections);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        Blackhole { url, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_region_that_did_not_answer_fails_at_once_until_it_answers_again() {
    let env = moto().await;
    create_table(&env, BACKUP_REGION, "flightdata-main").await;
    let dark = Blackhole::start();
    let cloud = env
        .cloud_with(AwsOptions {
            call_timeout: Duration::from_secs(2),
            ..test_options()
        })
        .await
        .with_region_endpoint(PRIMARY_REGION, &dark.url);

    let first = cloud
        .describe_table(PRIMARY_REGION, "flightdata-main")
        .await
        .unwrap_err();
    assert!(
        matches!(first.kind, ErrorKind::Timeout | ErrorKind::Unreachable),
        "{first:?}"
    );
    // One attempt waited; its retries were not sent to a region that had just not answered.
    assert_eq!(dark.connections(), 1, "{first}");

    // The next calls to that region, reads and writes, fail at once: no new connection.
    let second = cloud.list_tables(PRIMARY_REGION).await.unwrap_err();
    assert_eq!(second.kind, ErrorKind::Unreachable, "{second:?}");
    assert!(
        second.message.contains(": us-east-1 did not answer ")
            && second.message.contains("not asked again for"),
        "{second}"
    );
    assert_eq!(
        (second.service, second.operation),
        ("dynamodb", "ListTables")
    );
    let write = cloud
        .send(
            &WriteRequest::UpdateContinuousBackups {
                region: PRIMARY_REGION.into(),
                table: "flightdata-main".into(),
                pitr: true,
            },
            &Authority::for_tests(),
        )
        .await
        .unwrap_err();
    assert_eq!(write.kind, ErrorKind::Unreachable, "{write:?}");
    assert_eq!(
        dark.connections(),
        1,
        "nothing more was sent to the dark region"
    );

    // The other region is asked as before.
    assert_eq!(
        cloud.list_tables(BACKUP_REGION).await.unwrap(),
        ["flightdata-main"]
    );
}
