//! Test harness: one `moto_server` per test binary, one test at a time against it, and the one
//! HTTP client that talks to moto's own API. The plan's estate is built by `plan` and `seed`.
//!
//! ```ignore
//! mod common;
//! let env = common::moto().await;          // locks the server and resets it
//! let estate = common::seed_plan_estate(&env).await;
//! let cloud = env.cloud().await;            // drconsole's adapters, pointed at moto
//! ```
//!
//! moto models configuration, not time or traffic (the README's "Testing" section lists what it
//! does not model): S3 replication never copies, restores are instant, backups are always
//! created "now", alarms are never evaluated and health checks always succeed. The seeders make
//! up for what they can (e.g. they write replica objects themselves) and the tests say where
//! moto differs.

// Every test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use drconsole::cloud::aws::{AwsCloud, AwsOptions};

pub mod fake_http;
mod plan;
pub mod recorder;
mod seed;
pub mod stacks;

// Not every test binary uses every seeder.
#[allow(unused_imports)]
pub use plan::*;
#[allow(unused_imports)]
pub use seed::*;

/// moto's account id.
pub const ACCOUNT: &str = "123456789012";

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

struct Server {
    endpoint: String,
    log: PathBuf,
    /// The supervisor shell; kept so the handle (and its stdin pipe) live as long as the process.
    _child: Mutex<Child>,
    /// The write end of the supervisor's stdin. Nobody writes to it: when this test process
    /// exits, for any reason, the kernel closes it, the supervisor's `cat` sees end of file and
    /// the supervisor kills moto_server. A `static` is never dropped, so Drop cannot do this.
    _stdin: Mutex<ChildStdin>,
}

/// Serialises the tests of one binary: they share one server and reset it.
/// A tokio mutex has no poisoning: a test that panics releases it while unwinding.
static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs moto in the background and kills it when its stdin reaches end of file. A non-interactive
/// shell gives a background job /dev/null as stdin, so only `cat` reads the pipe.
const SUPERVISOR: &str = r#"port=$1; shift
"$@" -H 127.0.0.1 -p "$port" &
pid=$!
cat >/dev/null
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit 0"#;

const NOT_INSTALLED: &str =
    "moto_server not found: install it with python3 -m pip install 'moto[server]'";

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| {
            std::fs::metadata(candidate).is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        })
}

/// `moto_server`, else `python3 -m moto.server`, else an error: never skip silently.
fn moto_command() -> Result<Vec<String>, String> {
    if let Some(path) = find_in_path("moto_server") {
        return Ok(vec![path.to_string_lossy().into_owned()]);
    }
    let importable = Command::new("python3")
        .args(["-c", "import moto.server"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if importable {
        return Ok(["python3", "-m", "moto.server"].map(String::from).to_vec());
    }
    Err(NOT_INSTALLED.to_owned())
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

/// A loopback endpoint where nothing listens (bound, read, released).
pub fn dead_endpoint() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

/// Starts the supervised server and waits until it answers. On an error every handle is
/// dropped, which closes the supervisor's stdin and so stops a half-started moto_server.
async fn start_server() -> Result<Server, String> {
    let command = moto_command()?;
    let port = free_port();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("moto_server-{port}.log"));
    let log_file = File::create(&log).map_err(|e| format!("create {}: {e}", log.display()))?;
    let log_err = log_file
        .try_clone()
        .map_err(|e| format!("clone the log handle: {e}"))?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(SUPERVISOR)
        .arg("moto-supervisor")
        .arg(port.to_string())
        .args(&command)
        // The recorder writes its file into the working directory unless told otherwise.
        .env(
            "MOTO_RECORDER_FILEPATH",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("moto_recording-{port}")),
        )
        .stdin(Stdio::piped())
        .stdout(log_file)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("could not start {command:?}: {e}"))?;
    let stdin = child.stdin.take().expect("the supervisor's stdin");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let server = Server {
        endpoint: format!("http://{addr}"),
        log: log.clone(),
        _child: Mutex::new(child),
        _stdin: Mutex::new(stdin),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let probe = client().get(format!("{}/moto-api/", server.endpoint));
        if send(probe).await.is_ok() {
            break;
        }
        let exited = server
            ._child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .try_wait();
        if let Ok(Some(status)) = exited {
            return Err(format!(
                "moto_server exited ({status}); log {}:\n{}",
                log.display(),
                read_log(&log)
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "moto_server did not answer on {addr} within 20 s; log {}:\n{}",
                log.display(),
                read_log(&log)
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    configure(&server.endpoint).await?;
    Ok(server)
}

fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// No docker here: `Invoke` returns a stub instead of starting a container.
async fn configure(endpoint: &str) -> Result<(), String> {
    let request = client()
        .post(format!("{endpoint}/moto-api/config"))
        .json(&serde_json::json!({"lambda": {"use_docker": false}}));
    ok("POST /moto-api/config", send(request).await).map(drop)
}

/// The server, started by the first test that asks; a failure to start is remembered, so
/// every test reports it and none starts another server.
async fn server() -> &'static Server {
    static SERVER: tokio::sync::OnceCell<Result<Server, String>> =
        tokio::sync::OnceCell::const_new();
    match SERVER.get_or_init(start_server).await {
        Ok(server) => server,
        Err(message) => panic!("{message}"),
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP to moto's own API and to services without an SDK client here (IAM)
// ---------------------------------------------------------------------------------------------

pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// The harness's HTTP runs on a runtime of its own, so that synchronous helpers (the recorder,
/// `reset` between benchmark runs, which has no runtime) can wait for it from anywhere, and so
/// that pooled connections never belong to a test's runtime that has already ended.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("moto-harness")
            .enable_all()
            .build()
            .expect("the harness's runtime")
    })
}

/// One client per test binary, so that its pool keeps moto's connections from test to test.
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            // moto is on loopback: a proxy from the host's environment must not see it.
            .no_proxy()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client")
    })
}

async fn exchange(request: reqwest::RequestBuilder) -> Result<HttpResponse, String> {
    let resp = request.send().await.map_err(|e| error_chain(&e))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| error_chain(&e))?;
    Ok(HttpResponse { status, body })
}

/// reqwest's own message names the URL only; the cause (refused, timed out) is in its sources.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Sends a request on the harness's runtime and waits for the answer.
async fn send(request: reqwest::RequestBuilder) -> Result<HttpResponse, String> {
    runtime()
        .spawn(exchange(request))
        .await
        .map_err(|e| format!("the harness's HTTP task: {e}"))?
}

/// [`send`] for synchronous callers: it waits on a channel, not on a runtime, so it works
/// inside a test's runtime and outside any.
fn call(request: reqwest::RequestBuilder) -> Result<HttpResponse, String> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = tx.send(exchange(request).await);
    });
    rx.recv()
        .map_err(|_| "the harness's HTTP task ended without an answer".to_owned())?
}

/// A 2xx answer, or an error that says what was asked and what came back.
fn ok(what: &str, answer: Result<HttpResponse, String>) -> Result<HttpResponse, String> {
    match answer {
        Ok(resp) if (200..300).contains(&resp.status) => Ok(resp),
        Ok(resp) => Err(format!("{what}: HTTP {}: {}", resp.status, resp.body)),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// [`ok`] for a test: anything else fails it.
fn expect_ok(what: &str, answer: Result<HttpResponse, String>) -> HttpResponse {
    ok(what, answer).unwrap_or_else(|e| panic!("{e}"))
}

/// A SigV4 header moto accepts: it reads the region and service from the credential scope and
/// does not check the signature.
fn auth_header(region: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/{service}/aws4_request, \
         SignedHeaders=host, Signature=x"
    )
}

/// One request, waited for; `path` includes the query.
pub fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(std::io::Error::other)?;
    let mut request = client()
        .request(method, format!("http://{addr}{path}"))
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    call(request).map_err(std::io::Error::other)
}

// ---------------------------------------------------------------------------------------------
// One test's view of the server
// ---------------------------------------------------------------------------------------------

/// A reset moto server, held by one test until this value is dropped.
pub struct MotoEnv {
    pub endpoint: String,
    addr: SocketAddr,
    log: PathBuf,
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

/// Takes the server (starting it on first use) and resets every service.
pub async fn moto() -> MotoEnv {
    let guard = LOCK.lock().await;
    let server = server().await;
    let addr: SocketAddr = server
        .endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("the server's address");
    let env = MotoEnv {
        endpoint: server.endpoint.clone(),
        addr,
        log: server.log.clone(),
        _guard: guard,
    };
    expect_ok(RESET, send(env.post("/moto-api/reset")).await);
    env
}

const RESET: &str = "POST /moto-api/reset";

/// The adapter options of the tests: short calls, fast polls.
pub fn test_options() -> AwsOptions {
    AwsOptions {
        call_timeout: Duration::from_secs(10),
        poll_interval: Duration::from_millis(50),
        max_concurrency: 8,
    }
}

/// Credentials moto accepts; anything does.
pub fn test_credentials() -> aws_sdk_sts::config::Credentials {
    aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "moto")
}

/// An SDK configuration for any endpoint (e.g. a dead one), with test credentials.
pub async fn sdk_config_for(endpoint: &str, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .credentials_provider(test_credentials())
        .load()
        .await
}

impl MotoEnv {
    /// Clears all state of every service (moto's lambda settings survive a reset).
    pub fn reset(&self) {
        expect_ok(RESET, call(self.post("/moto-api/reset")));
    }

    /// A request to this server; `path` includes the query.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        client().request(method, format!("{}{path}", self.endpoint))
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path)
    }

    /// Where the server listens, for [`http_request`].
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's log file, for failure messages.
    pub fn log_path(&self) -> PathBuf {
        self.log.clone()
    }

    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        sdk_config_for(&self.endpoint, region).await
    }

    /// drconsole's adapters on moto, with `test_options()`.
    pub async fn cloud(&self) -> AwsCloud {
        self.cloud_with(test_options()).await
    }

    pub async fn cloud_with(&self, options: AwsOptions) -> AwsCloud {
        AwsCloud::from_sdk_config(&self.sdk_config(PRIMARY_REGION).await, options, true)
    }

    pub async fn dynamodb(&self, region: &str) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk_config(region).await)
    }

    /// Path-style, as S3 needs against a loopback endpoint.
    pub async fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk_config(region).await)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    pub async fn lambda(&self, region: &str) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.sdk_config(region).await)
    }

    pub async fn route53(&self) -> aws_sdk_route53::Client {
        aws_sdk_route53::Client::new(&self.sdk_config(PRIMARY_REGION).await)
    }

    pub async fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.sdk_config(region).await)
    }

    /// The environment for running the `drconsole` binary against this server (assert_cmd's
    /// `.envs(env.env_vars())`). The profile files point at empty files, so the host's
    /// `~/.aws` cannot leak in; also remove `ENV_TO_REMOVE` from the child's environment.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let (config, credentials) = empty_profile_files();
        [
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", PRIMARY_REGION),
            ("AWS_CONFIG_FILE", config.to_str().expect("utf-8 path")),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials.to_str().expect("utf-8 path"),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            // The log and everything else a run writes stay in the build's temp directory.
            (
                "DRCONSOLE_DATA_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/drconsole-data"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// The `drconsole` binary with this server's environment and nothing of the host's AWS
    /// settings or estate file; it is killed if it runs for two minutes.
    pub fn drconsole(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("drconsole").expect("the drconsole binary");
        cmd.envs(self.env_vars());
        for name in ENV_TO_REMOVE {
            cmd.env_remove(name);
        }
        cmd.env_remove("DRCONSOLE_CONFIG");
        cmd.timeout(Duration::from_secs(120));
        cmd
    }

    /// `drconsole --config ESTATE backup ARGS...`, its data directory at `data`.
    pub fn backup(&self, estate: &Path, data: &Path, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.drconsole();
        cmd.env("DRCONSOLE_DATA_DIR", data)
            .arg("--config")
            .arg(estate)
            .arg("backup")
            .args(args);
        cmd
    }

    /// The `Status` of a bucket's versioning read with a raw request: moto 5.2.1 answers
    /// GetBucketVersioning with a `<GetBucketVersioningResponse>` root element, which
    /// aws-sdk-s3 rejects (AWS sends `<VersioningConfiguration>`). `None` when never set.
    pub fn raw_versioning_status(&self, region: &str, bucket: &str) -> Option<String> {
        let path = format!("/{bucket}/?versioning");
        let request = self
            .get(&path)
            .header("Authorization", auth_header(region, "s3"));
        let resp = call(request).unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(resp.status, 200, "GET {path}: {}", resp.body);
        let (_, rest) = resp.body.split_once("<Status>")?;
        rest.split_once("</Status>")
            .map(|(status, _)| status.to_owned())
    }
}

/// Names the AWS SDK reads that must not reach a child process from the host.
pub const ENV_TO_REMOVE: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_LAMBDA",
    "AWS_ENDPOINT_URL_CLOUDWATCH",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_ROUTE_53",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

fn empty_profile_files() -> (PathBuf, PathBuf) {
    static FILES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    FILES
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
            let config = dir.join("aws-empty-config");
            let credentials = dir.join("aws-empty-credentials");
            std::fs::write(&config, "").expect("write an empty AWS config file");
            std::fs::write(&credentials, "").expect("write an empty AWS credentials file");
            (config, credentials)
        })
        .clone()
}

/// Runs drconsole as a user would and checks its exit code; gives back what it printed.
pub fn run(cmd: &mut assert_cmd::Command, code: i32) -> (String, String) {
    let output = cmd.output().expect("run drconsole");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// Runs drconsole with its standard output closed at once, as `drconsole … | head -1` does
/// after the first line: the reader going away is no reason to panic, and the exit code
/// stays what it would have been.
pub fn run_with_stdout_closed(cmd: &mut std::process::Command, code: i32) {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start drconsole");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("drconsole ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A command's `--json` output read as `T`, or a panic that shows it.
pub fn from_json<T: serde::de::DeserializeOwned>(stdout: &str) -> T {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}
