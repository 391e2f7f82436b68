//! Posting to a Slack webhook and a Statuspage page, against a local HTTP (and HTTPS) server
//! started by each test that records what it received: the exact body and headers, retries
//! counted (never timed), the Statuspage incident created then updated, the company CA trusted
//! through `ca_file`, and `message post` end to end — journalled either way, the draft kept on
//! failure, and the secret in no file, log or output of the run.

#[path = "common/http_server.rs"]
mod http_server;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::comms::post::{Channel, PostRequest, PostSettings, Poster, Sleep};
use drconsole::config::model::{Comms, SlackSettings, StatuspageSettings};
use http_server::{Answer, Server};
use serde_json::{Value, json};
use toml::Spanned;

const HOOK_PATH: &str = "/services/T0DR/B0DR/s3cretW3bhookT0ken";
const API_KEY: &str = "sp-api-key-0123456789abcdef";

fn slack_comms() -> Comms {
    Comms {
        slack: Some(SlackSettings {
            webhook_env: Spanned::new(0..0, "TEST_SLACK_WEBHOOK".to_owned()),
            channel: Some("#incidents".to_owned()),
        }),
        ..Comms::default()
    }
}

fn statuspage_comms(api_url: &str) -> Comms {
    Comms {
        statuspage: Some(StatuspageSettings {
            page_id: "pg7".to_owned(),
            api_key_env: Spanned::new(0..0, "TEST_STATUSPAGE_KEY".to_owned()),
            api_url: api_url.to_owned(),
        }),
        ..Comms::default()
    }
}

/// The waits a poster asked for, without waiting them.
fn recorded_sleep() -> (Sleep, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let record = waits.clone();
    let sleep: Sleep = Arc::new(move |d| {
        record.lock().unwrap().push(d);
        Box::pin(async {})
    });
    (sleep, waits)
}

fn poster(comms: &Comms, dir: Option<&Path>, hook: &str) -> (Poster, Arc<Mutex<Vec<Duration>>>) {
    let hook = hook.to_owned();
    let (sleep, waits) = recorded_sleep();
    let poster = Poster::new(comms, dir, &move |name| match name {
        "TEST_SLACK_WEBHOOK" => Some(hook.clone()),
        "TEST_STATUSPAGE_KEY" => Some(API_KEY.to_owned()),
        _ => None,
    })
    .with_sleep(sleep);
    (poster, waits)
}

fn request(text: &str) -> PostRequest {
    PostRequest {
        template: "progress-update".to_owned(),
        text: text.to_owned(),
        title: "us-east-1 outage".to_owned(),
        status: "investigating".to_owned(),
        existing: None,
    }
}

const MRKDWN: &str = "*Recovery progress* — Café → 🚒\n• API: restored\n• <https://status.example.com|status> &amp; `drconsole`";

#[tokio::test]
async fn slack_receives_exactly_the_text_as_json() {
    let server = Server::start(vec![Answer::new(200, "ok")]).await;
    let (poster, _) = poster(&slack_comms(), None, &format!("{}{HOOK_PATH}", server.url));

    let posted = poster
        .post(Channel::Slack, &request(MRKDWN))
        .await
        .expect("posted");

    assert_eq!(posted.attempts, 1);
    assert_eq!(posted.label, "#incidents");
    assert_eq!(posted.external_id, None);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, HOOK_PATH);
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    assert_eq!(got[0].header("authorization"), None);
    assert_eq!(got[0].json(), json!({ "text": MRKDWN }));
}

#[tokio::test]
async fn a_server_error_then_ok_posts_on_the_second_attempt() {
    let server = Server::start(vec![
        Answer::new(500, "internal_error"),
        Answer::new(200, "ok"),
    ])
    .await;
    let (poster, waits) = poster(&slack_comms(), None, &format!("{}{HOOK_PATH}", server.url));

    let posted = poster
        .post(Channel::Slack, &request("hello"))
        .await
        .expect("posted");

    assert_eq!(posted.attempts, 2);
    assert_eq!(server.received().len(), 2);
    assert_eq!(*waits.lock().unwrap(), vec![poster.settings().backoff]);
}

#[tokio::test]
async fn an_invalid_payload_is_not_retried_and_says_why() {
    let server = Server::start(vec![Answer::new(400, "invalid_payload")]).await;
    let hook = format!("{}{HOOK_PATH}", server.url);
    let (poster, waits) = poster(&slack_comms(), None, &hook);

    let failure = poster
        .post(Channel::Slack, &request("hello"))
        .await
        .expect_err("refused");

    assert_eq!(failure.attempts, 1);
    assert_eq!(server.received().len(), 1);
    assert!(waits.lock().unwrap().is_empty());
    assert!(failure.error.contains("invalid_payload"), "{failure}");
    assert!(failure.error.contains("400"), "{failure}");
    assert_eq!(failure.label, "#incidents");
    assert!(!failure.to_string().contains("s3cret"), "{failure}");
}

#[tokio::test]
async fn a_closed_port_is_retried_then_fails_without_quoting_the_webhook() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (poster, waits) = poster(
        &slack_comms(),
        None,
        &format!("http://127.0.0.1:{port}{HOOK_PATH}"),
    );

    let failure = poster
        .post(Channel::Slack, &request("hello"))
        .await
        .expect_err("nobody listens");

    assert_eq!(failure.attempts, 3);
    assert_eq!(waits.lock().unwrap().len(), 2);
    assert!(failure.error.contains("could not connect"), "{failure}");
    assert!(!failure.to_string().contains("s3cret"), "{failure}");
    assert!(!format!("{failure:?}").contains("s3cret"), "{failure:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{HOOK_PATH}", listener.local_addr().unwrap());
    // Accepts and holds every connection, saying nothing.
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let (poster, waits) = poster(&slack_comms(), None, &url);
    let poster = poster.with_settings(PostSettings {
        timeout: Duration::from_millis(250),
        ..PostSettings::default()
    });

    let failure = poster
        .post(Channel::Slack, &request("hello"))
        .await
        .expect_err("no answer");

    held.abort();
    assert_eq!(failure.attempts, 3);
    assert_eq!(waits.lock().unwrap().len(), 2);
    assert!(
        failure.error.contains("no answer within 0.25s"),
        "{failure}"
    );
    assert!(!failure.error.contains("s3cret"), "{failure}");
}

#[tokio::test]
async fn too_many_requests_waits_as_retry_after_asks() {
    let server = Server::start(vec![
        Answer::new(429, "rate_limited").header("Retry-After", "7"),
        Answer::new(200, "ok"),
    ])
    .await;
    let (poster, waits) = poster(&slack_comms(), None, &format!("{}{HOOK_PATH}", server.url));

    let posted = poster
        .post(Channel::Slack, &request("hello"))
        .await
        .expect("posted");

    assert_eq!(posted.attempts, 2);
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(7)]);
}

#[tokio::test]
async fn the_attempts_are_a_setting() {
    let server = Server::start(vec![Answer::new(503, "")]).await;
    let (poster, _) = poster(&slack_comms(), None, &format!("{}{HOOK_PATH}", server.url));
    let poster = poster.with_settings(PostSettings {
        attempts: 5,
        ..PostSettings::default()
    });

    let failure = poster
        .post(Channel::Slack, &request("hello"))
        .await
        .expect_err("always unavailable");

    assert_eq!(failure.attempts, 5);
    assert_eq!(server.received().len(), 5);
    assert!(failure.error.starts_with("HTTP 503"), "{failure}");
}

#[tokio::test]
async fn statuspage_creates_an_incident_then_updates_the_same_one() {
    let server = Server::start(vec![
        Answer::new(
            201,
            r#"{"id":"p1abc","name":"us-east-1 outage","status":"investigating"}"#,
        ),
        Answer::new(200, r#"{"id":"p1abc","status":"identified"}"#),
    ])
    .await;
    let comms = statuspage_comms(&format!("{}/v1", server.url));
    let (poster, _) = poster(&comms, None, "unused");

    let created = poster
        .post(Channel::Statuspage, &request("Services are down."))
        .await
        .expect("created");
    assert_eq!(created.external_id.as_deref(), Some("p1abc"));
    assert_eq!(created.label, "statuspage");

    let mut update = request("API restored.");
    update.status = "identified".to_owned();
    update.existing = created.external_id.clone();
    let updated = poster
        .post(Channel::Statuspage, &update)
        .await
        .expect("updated");
    assert_eq!(updated.external_id.as_deref(), Some("p1abc"));

    let got = server.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/v1/pages/pg7/incidents");
    assert_eq!(
        got[0].header("authorization").map(str::to_owned),
        Some(format!("OAuth {API_KEY}"))
    );
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    assert_eq!(
        got[0].json(),
        json!({"incident": {"name": "us-east-1 outage", "status": "investigating", "body": "Services are down."}})
    );
    assert_eq!(got[1].method, "PATCH");
    assert_eq!(got[1].path, "/v1/pages/pg7/incidents/p1abc");
    assert_eq!(
        got[1].json(),
        json!({"incident": {"status": "identified", "body": "API restored."}})
    );
}

#[tokio::test]
async fn a_statuspage_error_keeps_the_key_out_of_the_failure() {
    let server = Server::start(vec![Answer::new(
        401,
        &format!(r#"{{"error":"Could not authenticate with key {API_KEY}"}}"#),
    )])
    .await;
    let comms = statuspage_comms(&format!("{}/v1", server.url));
    let (poster, _) = poster(&comms, None, "unused");

    let failure = poster
        .post(Channel::Statuspage, &request("x"))
        .await
        .expect_err("unauthorised");

    assert_eq!(failure.attempts, 1);
    assert!(
        failure.error.contains("Could not authenticate"),
        "{failure}"
    );
    assert!(!failure.error.contains(API_KEY), "{failure}");
}

fn tls_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls")
}

#[tokio::test]
async fn https_to_a_server_whose_ca_the_estate_names() {
    let server = Server::start_tls(vec![Answer::new(200, "ok")], &tls_dir()).await;
    let comms = Comms {
        ca_file: Some(Spanned::new(0..0, "cert.pem".to_owned())),
        ..slack_comms()
    };
    let hook = format!("{}{HOOK_PATH}", server.url);
    assert!(hook.starts_with("https://localhost:"));
    let (poster, _) = poster(&comms, Some(&tls_dir()), &hook);

    let posted = poster
        .post(Channel::Slack, &request("over TLS é"))
        .await
        .expect("posted over TLS");

    assert_eq!(posted.attempts, 1);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json(), json!({ "text": "over TLS é" }));
}

#[tokio::test]
async fn https_to_an_unknown_ca_fails_without_the_ca_file() {
    let server = Server::start_tls(vec![Answer::new(200, "ok")], &tls_dir()).await;
    let (poster, _) = poster(&slack_comms(), None, &format!("{}{HOOK_PATH}", server.url));

    let failure = poster
        .post(Channel::Slack, &request("x"))
        .await
        .expect_err("the certificate is not trusted");

    assert!(server.received().is_empty());
    assert!(!failure.error.contains("s3cret"), "{failure}");
}

// ---- `drconsole message post`, end to end ----

mod cli {
    use super::*;
    use std::process::Output;

    const SECRET_HOOK_PATH: &str = "/services/T0CLI/B0CLI/cliS3cretT0ken9";

    struct Run {
        tmp: tempfile::TempDir,
    }

    impl Run {
        fn new(statuspage_url: &str) -> Run {
            let tmp = tempfile::tempdir().unwrap();
            let estate = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
            )
            .unwrap();
            let estate = format!(
                "{estate}\n[comms.slack]\nwebhook_env = \"DRCONSOLE_SLACK_WEBHOOK\"\nchannel = \"#incidents\"\n\n\
                 [comms.statuspage]\npage_id = \"pg7\"\napi_key_env = \"DRCONSOLE_STATUSPAGE_KEY\"\napi_url = \"{statuspage_url}/v1\"\n"
            );
            std::fs::create_dir_all(tmp.path().join("estate")).unwrap();
            std::fs::write(tmp.path().join("estate/estate.toml"), estate).unwrap();
            std::fs::create_dir_all(tmp.path().join("config")).unwrap();
            Run { tmp }
        }

        fn data(&self) -> PathBuf {
            self.tmp.path().join("data")
        }

        fn cmd(&self, hook: &str) -> std::process::Command {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("drconsole"));
            for name in [
                "DRCONSOLE_CONFIG",
                "DRCONSOLE_FAILPOINTS",
                "XDG_DATA_HOME",
                "XDG_STATE_HOME",
                "AWS_PROFILE",
                "AWS_ACCESS_KEY_ID",
            ] {
                cmd.env_remove(name);
            }
            cmd.env("DRCONSOLE_DATA_DIR", self.data())
                .env("HOME", self.tmp.path())
                .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
                .env("DRCONSOLE_LOG", "trace")
                .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
                .env("AWS_REGION", "us-east-1")
                .env("DRCONSOLE_SLACK_WEBHOOK", hook)
                .env("DRCONSOLE_STATUSPAGE_KEY", API_KEY)
                .arg("--demo")
                .arg("--config")
                .arg(self.tmp.path().join("estate/estate.toml"));
            cmd
        }

        /// Declares an incident with two services; gives its id.
        async fn declare(&self) -> String {
            let out = self
                .output(
                    "http://127.0.0.1:9/unused",
                    &[
                        "incident",
                        "declare",
                        "--title",
                        "us-east-1 down",
                        "--scenario",
                        "region-failover",
                        "--severity",
                        "SEV1",
                        "--service",
                        "API Gateway + Lambda",
                        "--service",
                        "Data Ingestion Pipeline",
                        "--commander",
                        "Dana",
                    ],
                )
                .await;
            let stdout = expect_code(&out, 0);
            stdout
                .split_whitespace()
                .find(|w| w.starts_with("SIM-"))
                .unwrap_or_else(|| panic!("an id in:\n{stdout}"))
                .to_owned()
        }

        /// Runs off the test's runtime, so the local server keeps answering meanwhile.
        async fn output(&self, hook: &str, args: &[&str]) -> Output {
            let mut cmd = self.cmd(hook);
            cmd.args(args);
            tokio::task::spawn_blocking(move || cmd.output().expect("run drconsole"))
                .await
                .unwrap()
        }

        fn journal(&self) -> Vec<Value> {
            let incidents = self.data().join("simulation/incidents");
            let dir = std::fs::read_dir(&incidents)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.is_dir())
                .expect("an incident folder");
            std::fs::read_to_string(dir.join(drconsole::incident::journal::JOURNAL_FILE))
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        }

        fn entries_of(&self, kind: &str) -> Vec<Value> {
            self.journal()
                .into_iter()
                .filter(|e| e.get("kind").and_then(Value::as_str) == Some(kind))
                .collect()
        }

        /// Every file under the run's folders (data, config, estate) that holds `needle`.
        fn files_holding(&self, needle: &str) -> Vec<PathBuf> {
            let mut found = Vec::new();
            let mut stack = vec![self.tmp.path().to_path_buf()];
            let mut files = 0;
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        files += 1;
                        let bytes = std::fs::read(&path).unwrap();
                        if String::from_utf8_lossy(&bytes).contains(needle) {
                            found.push(path);
                        }
                    }
                }
            }
            assert!(
                files >= 3,
                "the run wrote its journal and log: {files} files"
            );
            found
        }
    }

    fn expect_code(out: &Output, code: i32) -> String {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "stdout:\n{stdout}\nstderr:\n{stderr}"
        );
        stdout
    }

    fn no_secret_in_output(out: &Output, secret: &str) {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(secret), "the secret was printed:\n{text}");
        }
    }

    /// A field of the entry's payload.
    fn field<'a>(entry: &'a Value, name: &str) -> &'a Value {
        entry
            .pointer(&format!("/payload/{name}"))
            .unwrap_or_else(|| panic!("{name} in {entry}"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_progress_update_goes_to_slack_and_is_journalled_with_its_text() {
        let server = Server::start(vec![Answer::new(200, "ok")]).await;
        let run = Run::new("http://127.0.0.1:9");
        run.declare().await;
        let hook = format!("{}{SECRET_HOOK_PATH}", server.url);

        let out = run
            .output(
                &hook,
                &["message", "post", "progress-update", "--to", "slack"],
            )
            .await;

        let stdout = expect_code(&out, 0);
        assert!(
            stdout.contains("posted progress-update to #incidents"),
            "{stdout}"
        );
        let got = server.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, SECRET_HOOK_PATH);
        let sent = got[0].json()["text"].as_str().unwrap().to_owned();
        // The progress update filled from the journal, in mrkdwn, the rehearsal said.
        assert!(
            sent.contains("*Services Still Affected:* API Gateway + Lambda"),
            "{sent}"
        );
        assert!(
            sent.contains("*SIMULATION - NOT A REAL INCIDENT*"),
            "{sent}"
        );
        let posted = run.entries_of("message_posted");
        assert_eq!(posted.len(), 1, "{:?}", run.journal());
        assert_eq!(field(&posted[0], "text").as_str(), Some(sent.as_str()));
        assert_eq!(field(&posted[0], "channel").as_str(), Some("#incidents"));
        assert_eq!(
            field(&posted[0], "template").as_str(),
            Some("progress-update")
        );
        no_secret_in_output(&out, SECRET_HOOK_PATH);
        assert_eq!(run.files_holding("cliS3cretT0ken9"), Vec::<PathBuf>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_webhook_exits_2_journals_the_failure_and_keeps_the_draft() {
        let server = Server::start(vec![Answer::new(500, "internal_error")]).await;
        let run = Run::new("http://127.0.0.1:9");
        run.declare().await;
        let hook = format!("{}{SECRET_HOOK_PATH}", server.url);
        let draft = run.tmp.path().join("edited.txt");
        std::fs::write(&draft, "*Edited* by the commander — é → 🚒").unwrap();

        let out = run
            .output(
                &hook,
                &[
                    "message",
                    "post",
                    "progress-update",
                    "--to",
                    "slack",
                    "--text",
                    draft.to_str().unwrap(),
                ],
            )
            .await;

        expect_code(&out, 2);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("HTTP 500"), "{stderr}");
        assert!(stderr.contains(&draft.display().to_string()), "{stderr}");
        assert_eq!(server.received().len(), 3, "three attempts");
        let failed = run.entries_of("message_post_failed");
        assert_eq!(failed.len(), 1, "{:?}", run.journal());
        assert_eq!(field(&failed[0], "attempts").as_u64(), Some(3));
        assert_eq!(field(&failed[0], "channel").as_str(), Some("#incidents"));
        assert!(run.entries_of("message_posted").is_empty());
        no_secret_in_output(&out, SECRET_HOOK_PATH);
        assert_eq!(run.files_holding("cliS3cretT0ken9"), Vec::<PathBuf>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rendered_message_that_did_not_go_out_is_written_to_a_file() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let run = Run::new("http://127.0.0.1:9");
        run.declare().await;
        let hook = format!("http://127.0.0.1:{port}{SECRET_HOOK_PATH}");

        let out = run
            .output(
                &hook,
                &["message", "post", "progress-update", "--to", "slack"],
            )
            .await;

        expect_code(&out, 2);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let path = stderr
            .split("the message is in ")
            .nth(1)
            .map(|rest| PathBuf::from(rest.trim()))
            .unwrap_or_else(|| panic!("a path in:\n{stderr}"));
        let kept = std::fs::read_to_string(&path).expect("the draft file");
        assert!(!kept.trim().is_empty());
        assert_eq!(run.entries_of("message_post_failed").len(), 1);
        no_secret_in_output(&out, SECRET_HOOK_PATH);
        assert_eq!(run.files_holding("cliS3cretT0ken9"), Vec::<PathBuf>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn statuspage_is_created_once_then_updated_from_the_journal() {
        let server = Server::start(vec![
            Answer::new(201, r#"{"id":"pgInc42"}"#),
            Answer::new(200, r#"{"id":"pgInc42"}"#),
        ])
        .await;
        let run = Run::new(&server.url);
        run.declare().await;
        let text = run.tmp.path().join("update.txt");
        std::fs::write(&text, "Recovery in progress. ETA [[ETA]].").unwrap();
        let args = [
            "message",
            "post",
            "progress-update",
            "--to",
            "statuspage",
            "--text",
            text.to_str().unwrap(),
        ];

        expect_code(&run.output("http://127.0.0.1:9/x", &args).await, 0);
        let out = run.output("http://127.0.0.1:9/x", &args).await;
        expect_code(&out, 0);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("warning: posting with 1 placeholder(s) left: [[ETA]] at line 1"),
            "{stderr}"
        );

        let got = server.received();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].method.as_str(), got[0].path.as_str()),
            ("POST", "/v1/pages/pg7/incidents")
        );
        // A simulated incident says so on the status page.
        assert_eq!(
            got[0].json()["incident"]["name"],
            "[SIMULATION] us-east-1 down"
        );
        assert_eq!(
            got[0].json()["incident"]["body"],
            "SIMULATION - NOT A REAL INCIDENT\n\nRecovery in progress. ETA [[ETA]]."
        );
        assert_eq!(got[0].json()["incident"]["status"], "investigating");
        assert_eq!(
            (got[1].method.as_str(), got[1].path.as_str()),
            ("PATCH", "/v1/pages/pg7/incidents/pgInc42")
        );
        let posted = run.entries_of("message_posted");
        assert_eq!(field(&posted[0], "external_id").as_str(), Some("pgInc42"));
        assert_eq!(field(&posted[0], "channel").as_str(), Some("statuspage"));
        no_secret_in_output(&out, API_KEY);
        assert_eq!(run.files_holding(API_KEY), Vec::<PathBuf>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unset_secret_or_unknown_channel_is_a_usage_error() {
        let run = Run::new("http://127.0.0.1:9");
        run.declare().await;
        let mut cmd = run.cmd("");
        cmd.env_remove("DRCONSOLE_SLACK_WEBHOOK").args([
            "message",
            "post",
            "progress-update",
            "--to",
            "slack",
        ]);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        expect_code(&out, 64);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "[comms.slack] webhook_env names DRCONSOLE_SLACK_WEBHOOK, which is not set"
            ),
            "{stderr}"
        );

        let out = run
            .output(
                "http://127.0.0.1:9/x",
                &["message", "post", "progress-update", "--to", "teams"],
            )
            .await;
        expect_code(&out, 64);
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown channel `teams`"));

        let out = run
            .output(
                "http://127.0.0.1:9/x",
                &["message", "post", "progres-update", "--to", "slack"],
            )
            .await;
        expect_code(&out, 64);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("no template named `progres-update`"),
            "{stderr}"
        );
        assert!(run.entries_of("message_post_failed").is_empty());
    }
}
