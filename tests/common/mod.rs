//! Test harness: one `moto_server` per test binary, one test at a time against it, and seeders
//! that build the estate of the disaster-recovery plan through the raw AWS SDK.
//!
//! ```ignore
//! mod common;
//! let env = common::moto().await;          // locks the server and resets it
//! let estate = common::seed_plan_estate(&env).await;
//! let cloud = env.cloud().await;            // drconsole's adapters, pointed at moto
//! ```
//!
//! moto models configuration, not time or traffic (see /work/shared/notes/moto.md): S3
//! replication never copies, restores are instant, backups are always created "now", alarms
//! are never evaluated and health checks always succeed. The seeders make up for what they
//! can (e.g. they write replica objects themselves) and the tests say where moto differs.

// Every test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use chrono::{DateTime, Utc};
use drconsole::cloud::aws::{AwsCloud, AwsOptions};
use futures::StreamExt;

pub mod recorder;

pub const ACCOUNT: &str = "123456789012";
pub const PRIMARY_REGION: &str = "us-east-1";
pub const BACKUP_REGION: &str = "us-west-2";
pub const TABLES: [&str; 3] = ["flightdata-main", "flightdata-metrics", "flightdata-config"];
/// Items seeded per table, in the order of `TABLES`.
pub const TABLE_ITEMS: [usize; 3] = [12, 8, 5];
pub const DATA_BUCKETS: [&str; 3] = [
    "flightdata-raw",
    "flightdata-processed",
    "flightdata-analytics",
];
/// Objects seeded per data bucket (and per replica), in the order of `DATA_BUCKETS`.
pub const BUCKET_OBJECTS: [usize; 3] = [5, 4, 3];
pub const BACKUPS_BUCKET: &str = "flightdata-backups";
pub const LAMBDA_BACKUPS_BUCKET: &str = "flightdata-lambda-backups";
/// The weekly copy of the function backups, in the backup region.
pub const LAMBDA_COPY_BUCKET: &str = "flightdata-lambda-backups-us-west-2";
pub const LAMBDA_BACKUPS_PREFIX: &str = "lambda-backups/";
pub const REPLICATION_ROLE: &str = "arn:aws:iam::123456789012:role/replication-role";
pub const LAMBDA_ROLE_NAME: &str = "flightdata-lambda-role";
pub const FUNCTIONS: [&str; 3] = [
    "flightdata-api",
    "flightdata-processor",
    "flightdata-ingest",
];
pub const UNRELATED_FUNCTION: &str = "other-thing";
pub const ZONE_NAME: &str = "flightdata.example.com.";
pub const API_RECORD: &str = "api.flightdata.example.com.";
pub const PRIMARY_IP: &str = "203.0.113.10";
pub const SECONDARY_IP: &str = "198.51.100.20";
pub const ALARMS: [&str; 3] = [
    "flightdata-api-errors",
    "flightdata-ingestion-lag",
    "flightdata-dynamodb-throttles",
];

/// The replica of a data bucket in the backup region, as the plan names it.
pub fn replica_of(bucket: &str) -> String {
    format!("{bucket}-backup-{BACKUP_REGION}")
}

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
fn start_server() -> Result<Server, String> {
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
        if http_request(addr, "GET", "/moto-api/", &[], b"").is_ok() {
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
        std::thread::sleep(Duration::from_millis(100));
    }
    configure(addr)?;
    Ok(server)
}

fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// No docker here: `Invoke` returns a stub instead of starting a container.
fn configure(addr: SocketAddr) -> Result<(), String> {
    let body = br#"{"lambda": {"use_docker": false}}"#;
    let resp = http_request(
        addr,
        "POST",
        "/moto-api/config",
        &[("Content-Type", "application/json")],
        body,
    )
    .map_err(|e| format!("POST /moto-api/config: {e}"))?;
    if !(200..300).contains(&resp.status) {
        return Err(format!(
            "POST /moto-api/config: HTTP {}: {}",
            resp.status, resp.body
        ));
    }
    Ok(())
}

/// The server, started by the first test that asks; a failure to start is remembered, so
/// every test reports it and none starts another server.
fn server() -> &'static Server {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    match SERVER.get_or_init(start_server) {
        Ok(server) => server,
        Err(message) => panic!("{message}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP, for moto's own API and for IAM (aws-sdk-iam is not a dependency)
// ---------------------------------------------------------------------------------------------

pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// One HTTP/1.1 request with `Connection: close`; the whole answer is read to end of file.
pub fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {text:.200}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok(HttpResponse { status, body })
}

fn form_encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// One test's view of the server
// ---------------------------------------------------------------------------------------------

/// A reset moto server, held by one test until this value is dropped.
pub struct MotoEnv {
    pub endpoint: String,
    addr: SocketAddr,
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

/// Takes the server (starting it on first use) and resets every service.
pub async fn moto() -> MotoEnv {
    let guard = LOCK.lock().await;
    let server = server();
    let addr: SocketAddr = server
        .endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("the server's address");
    let env = MotoEnv {
        endpoint: server.endpoint.clone(),
        addr,
        _guard: guard,
    };
    env.reset();
    env
}

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
        let resp = http_request(self.addr, "POST", "/moto-api/reset", &[], b"")
            .expect("POST /moto-api/reset");
        assert!(
            (200..300).contains(&resp.status),
            "moto reset: HTTP {}: {}",
            resp.status,
            resp.body
        );
    }

    /// The server's log file, for failure messages.
    pub fn log_path(&self) -> PathBuf {
        server().log.clone()
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
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// The `Status` of a bucket's versioning read with a raw request: moto 5.2.1 answers
    /// GetBucketVersioning with a `<GetBucketVersioningResponse>` root element, which
    /// aws-sdk-s3 rejects (AWS sends `<VersioningConfiguration>`). `None` when never set.
    pub fn raw_versioning_status(&self, region: &str, bucket: &str) -> Option<String> {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/s3/aws4_request, \
             SignedHeaders=host, Signature=x"
        );
        let path = format!("/{bucket}/?versioning");
        let resp = http_request(self.addr, "GET", &path, &[("Authorization", &auth)], b"")
            .expect("GET ?versioning");
        assert_eq!(resp.status, 200, "GET {path}: {}", resp.body);
        let (_, rest) = resp.body.split_once("<Status>")?;
        rest.split_once("</Status>")
            .map(|(status, _)| status.to_owned())
    }

    /// Creates an IAM role through moto's IAM query API (aws-sdk-iam is not a dependency);
    /// returns its ARN. Lambda's CreateFunction needs the role to exist.
    pub fn create_iam_role(&self, name: &str) -> String {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let body = format!(
            "Action=CreateRole&Version=2010-05-08&RoleName={}&AssumeRolePolicyDocument={}",
            form_encode(name),
            form_encode(policy)
        );
        // moto reads the service from the credential scope and does not check the signature.
        let auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, \
                    SignedHeaders=host, Signature=x";
        let resp = http_request(
            self.addr,
            "POST",
            "/",
            &[
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("Authorization", auth),
            ],
            body.as_bytes(),
        )
        .expect("IAM CreateRole");
        assert_eq!(resp.status, 200, "IAM CreateRole: {}", resp.body);
        let arn = format!("arn:aws:iam::{ACCOUNT}:role/{name}");
        assert!(
            resp.body.contains(&arn),
            "IAM CreateRole answered: {}",
            resp.body
        );
        arn
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

// ---------------------------------------------------------------------------------------------
// A deployment package without a zip crate
// ---------------------------------------------------------------------------------------------

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid zip archive holding one stored (uncompressed) file.
pub fn zip_one_file(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32(content);
    let size = u32::try_from(content.len()).expect("small file");
    let name_len = u16::try_from(name.len()).expect("short name");
    let (time, date) = (0u16, 0x21u16); // 1980-01-01 00:00
    let mut out = Vec::new();
    // Local file header.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    for v in [20u16, 0, 0, time, date] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, size, size] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(content);
    // Central directory.
    let cd_offset = u32::try_from(out.len()).expect("small archive");
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    for v in [20u16, 20, 0, 0, time, date] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, size, size] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [name_len, 0, 0, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // offset of the local header
    out.extend_from_slice(name.as_bytes());
    let cd_size = u32::try_from(out.len()).expect("small archive") - cd_offset;
    // End of central directory.
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, 1, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A minimal Python handler, zipped.
pub fn handler_zip(function: &str) -> Vec<u8> {
    let source = format!(
        "def handler(event, context):\n    return {{\"function\": \"{function}\", \"ok\": True}}\n"
    );
    zip_one_file("index.py", source.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// Seeders
// ---------------------------------------------------------------------------------------------

/// A PAY_PER_REQUEST table keyed by the string `flight_id`.
pub async fn create_table(env: &MotoEnv, region: &str, name: &str) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    env.dynamodb(region)
        .await
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("flight_id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("flight_id")
                .key_type(KeyType::Hash)
                .build()
                .expect("key schema"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {name}: {e:?}"));
}

/// Writes items `FL00000 .. FL{count-1}` (8 at a time in flight).
pub async fn put_items(env: &MotoEnv, region: &str, table: &str, count: usize) {
    use aws_sdk_dynamodb::types::AttributeValue;
    let client = env.dynamodb(region).await;
    futures::stream::iter(0..count)
        .map(|i| {
            let client = client.clone();
            async move {
                client
                    .put_item()
                    .table_name(table)
                    .item("flight_id", AttributeValue::S(format!("FL{i:05}")))
                    .item(
                        "timestamp",
                        AttributeValue::S(format!("2026-01-01T00:{:02}:00Z", i % 60)),
                    )
                    .item("altitude", AttributeValue::N((30_000 + i).to_string()))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("PutItem {table} #{i}: {e:?}"));
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
}

pub async fn enable_pitr(env: &MotoEnv, region: &str, table: &str) {
    use aws_sdk_dynamodb::types::PointInTimeRecoverySpecification;
    env.dynamodb(region)
        .await
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .expect("PITR specification"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateContinuousBackups {table}: {e:?}"));
}

/// Creates an on-demand backup; returns its ARN.
pub async fn create_backup(env: &MotoEnv, region: &str, table: &str, name: &str) -> String {
    let out = env
        .dynamodb(region)
        .await
        .create_backup()
        .table_name(table)
        .backup_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBackup {table}: {e:?}"));
    out.backup_details()
        .expect("backup details")
        .backup_arn()
        .to_owned()
}

/// Creates a bucket; outside us-east-1 with a LocationConstraint, as AWS requires.
pub async fn create_bucket(env: &MotoEnv, region: &str, bucket: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut req = env.s3(region).await.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
}

pub async fn enable_versioning(env: &MotoEnv, region: &str, bucket: &str) {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    env.s3(region)
        .await
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutBucketVersioning {bucket}: {e:?}"));
}

/// The plan's V1 rule: everything (`Prefix ""`) to `destination`, STANDARD_IA.
pub async fn put_replication(env: &MotoEnv, region: &str, bucket: &str, destination: &str) {
    use aws_sdk_s3::types::{
        Destination, ReplicationConfiguration, ReplicationRule, ReplicationRuleStatus, StorageClass,
    };
    #[allow(deprecated)] // The V1 `Prefix`, exactly as the plan's script writes it.
    let rule = ReplicationRule::builder()
        .id("ReplicateEverything")
        .status(ReplicationRuleStatus::Enabled)
        .prefix("")
        .destination(
            Destination::builder()
                .bucket(format!("arn:aws:s3:::{destination}"))
                .storage_class(StorageClass::StandardIa)
                .build()
                .expect("destination"),
        )
        .build()
        .expect("replication rule");
    env.s3(region)
        .await
        .put_bucket_replication()
        .bucket(bucket)
        .replication_configuration(
            ReplicationConfiguration::builder()
                .role(REPLICATION_ROLE)
                .rules(rule)
                .build()
                .expect("replication configuration"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutBucketReplication {bucket}: {e:?}"));
}

/// Puts objects concurrently (16 in flight).
pub async fn put_objects(
    env: &MotoEnv,
    region: &str,
    bucket: &str,
    objects: Vec<(String, Vec<u8>)>,
) {
    let client = env.s3(region).await;
    futures::stream::iter(objects)
        .map(|(key, body)| {
            let client = client.clone();
            async move {
                client
                    .put_object()
                    .bucket(bucket)
                    .key(&key)
                    .body(body.into())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("PutObject {bucket}/{key}: {e:?}"));
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

/// `count` objects `data/2026/01/01/part-NNNNN.json` of `10 + i % 7` bytes each.
pub fn data_objects(count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| {
            (
                format!("data/2026/01/01/part-{i:05}.json"),
                vec![b'x'; 10 + i % 7],
            )
        })
        .collect()
}

pub async fn create_function(env: &MotoEnv, region: &str, name: &str, role_arn: &str) {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    env.lambda(region)
        .await
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(role_arn)
        .handler("index.handler")
        .timeout(30)
        .memory_size(256)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(handler_zip(name)))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateFunction {name}: {e:?}"));
}

/// A hosted zone; returns its id without the "/hostedzone/" prefix.
pub async fn create_zone(env: &MotoEnv, name: &str) -> String {
    let out = env
        .route53()
        .await
        .create_hosted_zone()
        .name(name)
        .caller_reference(format!(
            "{name}-{}",
            Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateHostedZone {name}: {e:?}"));
    let id = out.hosted_zone().expect("hosted zone").id();
    id.trim_start_matches("/hostedzone/").to_owned()
}

/// An HTTPS health check on `fqdn`/health; returns its id.
pub async fn create_health_check(env: &MotoEnv, fqdn: &str) -> String {
    use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType};
    let out = env
        .route53()
        .await
        .create_health_check()
        .caller_reference(format!(
            "{fqdn}-{}",
            Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ))
        .health_check_config(
            HealthCheckConfig::builder()
                .r#type(HealthCheckType::Https)
                .fully_qualified_domain_name(fqdn)
                .port(443)
                .resource_path("/health")
                .request_interval(30)
                .failure_threshold(3)
                .build()
                .expect("health check config"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateHealthCheck {fqdn}: {e:?}"));
    out.health_check().expect("health check").id().to_owned()
}

/// Creates a failover A record (TTL 60).
pub async fn create_failover_record(
    env: &MotoEnv,
    zone_id: &str,
    name: &str,
    primary: bool,
    value: &str,
    health_check_id: Option<&str>,
) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet,
        ResourceRecordSetFailover, RrType,
    };
    let (identifier, failover) = if primary {
        ("primary", ResourceRecordSetFailover::Primary)
    } else {
        ("secondary", ResourceRecordSetFailover::Secondary)
    };
    let record = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .set_identifier(identifier)
        .failover(failover)
        .ttl(60)
        .resource_records(
            ResourceRecord::builder()
                .value(value)
                .build()
                .expect("record"),
        )
        .set_health_check_id(health_check_id.map(str::to_owned))
        .build()
        .expect("record set");
    env.route53()
        .await
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .comment("seed")
                .changes(
                    Change::builder()
                        .action(ChangeAction::Create)
                        .resource_record_set(record)
                        .build()
                        .expect("change"),
                )
                .build()
                .expect("change batch"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("ChangeResourceRecordSets {name} {identifier}: {e:?}"));
}

/// PutMetricAlarm: `metric` of `namespace` with one dimension, "> threshold" over 1 period.
pub async fn put_alarm(
    env: &MotoEnv,
    region: &str,
    name: &str,
    namespace: &str,
    metric: &str,
    dimension: (&str, &str),
    threshold: f64,
) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    env.cloudwatch(region)
        .await
        .put_metric_alarm()
        .alarm_name(name)
        .alarm_description(format!("{name} (seeded)"))
        .namespace(namespace)
        .metric_name(metric)
        .dimensions(
            Dimension::builder()
                .name(dimension.0)
                .value(dimension.1)
                .build(),
        )
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricAlarm {name}: {e:?}"));
}

/// SetAlarmState: moto never evaluates alarms (they stay OK), so tests fire them by hand.
pub async fn set_alarm_state(env: &MotoEnv, region: &str, name: &str, alarm: bool, reason: &str) {
    use aws_sdk_cloudwatch::types::StateValue;
    env.cloudwatch(region)
        .await
        .set_alarm_state()
        .alarm_name(name)
        .state_value(if alarm {
            StateValue::Alarm
        } else {
            StateValue::Ok
        })
        .state_reason(reason)
        .send()
        .await
        .unwrap_or_else(|e| panic!("SetAlarmState {name}: {e:?}"));
}

/// PutMetricData of `(timestamp, value)` points with one dimension, unit Count.
pub async fn put_metric_points(
    env: &MotoEnv,
    region: &str,
    namespace: &str,
    metric: &str,
    dimension: (&str, &str),
    points: &[(DateTime<Utc>, f64)],
) {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    let data: Vec<MetricDatum> = points
        .iter()
        .map(|(at, value)| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(
                    Dimension::builder()
                        .name(dimension.0)
                        .value(dimension.1)
                        .build(),
                )
                .timestamp(aws_smithy_types::DateTime::from_secs(at.timestamp()))
                .value(*value)
                .unit(StandardUnit::Count)
                .build()
        })
        .collect();
    env.cloudwatch(region)
        .await
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricData {namespace}/{metric}: {e:?}"));
}

/// What `seed_plan_estate` made, for the assertions of later tests.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// `(table, backup ARN)`, one on-demand backup per table.
    pub backups: Vec<(String, String)>,
    pub lambda_role_arn: String,
    /// The dated folders under `lambda-backups/`, oldest first (yesterday and today, UTC).
    pub lambda_backup_dates: Vec<String>,
    /// Without the "/hostedzone/" prefix.
    pub zone_id: String,
    pub health_check_id: String,
}

/// The plan's estate (disaster-recovery-plan.md), healthy:
/// - tables `TABLES` in us-east-1, PAY_PER_REQUEST, `TABLE_ITEMS` items each, PITR on, one
///   on-demand backup each (`daily-backup-<table>`);
/// - buckets `DATA_BUCKETS` in us-east-1, versioned, with the plan's V1 replication rule to
///   `<name>-backup-us-west-2` (versioned, in us-west-2). moto never replicates, so the same
///   `BUCKET_OBJECTS` objects are written to the source and to the replica here;
/// - bucket `flightdata-backups` in us-west-2 (the cross-region exports), with one export of
///   every table under `dynamodb-exports/<table>/<YYYY/MM/DD>/` in moto's layout
///   (`AWSDynamoDB/<id>/data/<id>.gz`; moto cannot backdate it: it is "now");
/// - bucket `flightdata-lambda-backups` in us-east-1, and its copy
///   `flightdata-lambda-backups-us-west-2` in us-west-2 with the same backups;
/// - IAM role `flightdata-lambda-role`, functions `FUNCTIONS` and `other-thing` (python3.12);
/// - lambda backups `lambda-backups/<YYYYMMDD>/<fn>/<fn>-config.json` and `<fn>-code.zip` for
///   every flightdata function, for yesterday and today;
/// - zone `flightdata.example.com.` with an HTTPS health check on the primary and
///   PRIMARY/SECONDARY failover A records `api.flightdata.example.com.`
///   (set identifiers "primary"/"secondary"; the primary carries the health check);
/// - alarms `ALARMS` in us-east-1, all OK (moto never evaluates them; use `set_alarm_state`).
pub async fn seed_plan_estate(env: &MotoEnv) -> Seeded {
    let region = PRIMARY_REGION;

    // DynamoDB.
    let mut backups = Vec::new();
    for (table, items) in TABLES.iter().zip(TABLE_ITEMS) {
        create_table(env, region, table).await;
        put_items(env, region, table, items).await;
        enable_pitr(env, region, table).await;
        let arn = create_backup(env, region, table, &format!("daily-backup-{table}")).await;
        backups.push(((*table).to_owned(), arn));
    }

    // S3 data buckets and their replicas.
    for (bucket, count) in DATA_BUCKETS.iter().zip(BUCKET_OBJECTS) {
        let replica = replica_of(bucket);
        create_bucket(env, BACKUP_REGION, &replica).await;
        enable_versioning(env, BACKUP_REGION, &replica).await;
        create_bucket(env, region, bucket).await;
        enable_versioning(env, region, bucket).await;
        put_replication(env, region, bucket, &replica).await;
        let objects: Vec<(String, Vec<u8>)> = (0..count)
            .map(|i| {
                (
                    format!("2026/01/0{}/{bucket}-{i}.json", 1 + i % 3),
                    vec![b'{'; 100 + i],
                )
            })
            .collect();
        put_objects(env, region, bucket, objects.clone()).await;
        // moto models replication as configuration only: copy the objects by hand.
        put_objects(env, BACKUP_REGION, &replica, objects).await;
    }
    // The plan exports "for cross-region backup": the bucket lives in the backup region.
    create_bucket(env, BACKUP_REGION, BACKUPS_BUCKET).await;
    // The plan's weekly export layout, so discovery can tell the export bucket from data.
    let mut exports = vec![(
        "dynamodb-exports/flightdata-main/2026/01/02/manifest-summary.json".to_owned(),
        b"{}".to_vec(),
    )];
    let day = Utc::now().format("%Y/%m/%d");
    for table in TABLES {
        let id = format!("01700000000000-{:08x}", table.len());
        exports.push((
            format!("dynamodb-exports/{table}/{day}/AWSDynamoDB/{id}/data/{id}.gz"),
            b"{}".to_vec(),
        ));
    }
    put_objects(env, BACKUP_REGION, BACKUPS_BUCKET, exports).await;
    create_bucket(env, region, LAMBDA_BACKUPS_BUCKET).await;

    // Lambda.
    let lambda_role_arn = env.create_iam_role(LAMBDA_ROLE_NAME);
    for function in FUNCTIONS.iter().chain([&UNRELATED_FUNCTION]) {
        create_function(env, region, function, &lambda_role_arn).await;
    }
    let today = Utc::now().date_naive();
    let lambda_backup_dates: Vec<String> = [today - chrono::Days::new(1), today]
        .iter()
        .map(|d| d.format("%Y%m%d").to_string())
        .collect();
    let mut objects = Vec::new();
    for date in &lambda_backup_dates {
        for function in FUNCTIONS {
            let config = serde_json::json!({
                "Configuration": {
                    "FunctionName": function,
                    "FunctionArn": format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{function}"),
                    "Runtime": "python3.12",
                    "Role": lambda_role_arn,
                    "Handler": "index.handler",
                    "Timeout": 30,
                    "MemorySize": 256,
                },
                "Code": { "RepositoryType": "S3" },
            });
            let folder = format!("{LAMBDA_BACKUPS_PREFIX}{date}/{function}/{function}");
            objects.push((
                format!("{folder}-config.json"),
                config.to_string().into_bytes(),
            ));
            objects.push((format!("{folder}-code.zip"), handler_zip(function)));
        }
    }
    put_objects(env, region, LAMBDA_BACKUPS_BUCKET, objects.clone()).await;
    create_bucket(env, BACKUP_REGION, LAMBDA_COPY_BUCKET).await;
    put_objects(env, BACKUP_REGION, LAMBDA_COPY_BUCKET, objects).await;

    // Route53.
    let zone_id = create_zone(env, ZONE_NAME).await;
    let health_check_id = create_health_check(env, "api-primary.flightdata.example.com").await;
    create_failover_record(
        env,
        &zone_id,
        API_RECORD,
        true,
        PRIMARY_IP,
        Some(&health_check_id),
    )
    .await;
    create_failover_record(env, &zone_id, API_RECORD, false, SECONDARY_IP, None).await;

    // CloudWatch.
    put_alarm(
        env,
        region,
        ALARMS[0],
        "AWS/Lambda",
        "Errors",
        ("FunctionName", "flightdata-api"),
        5.0,
    )
    .await;
    put_alarm(
        env,
        region,
        ALARMS[1],
        "FlightData/Pipeline",
        "IngestionLagSeconds",
        ("Pipeline", "ingest"),
        900.0,
    )
    .await;
    put_alarm(
        env,
        region,
        ALARMS[2],
        "AWS/DynamoDB",
        "ThrottledRequests",
        ("TableName", "flightdata-main"),
        0.0,
    )
    .await;

    Seeded {
        backups,
        lambda_role_arn,
        lambda_backup_dates,
        zone_id,
        health_check_id,
    }
}

/// The shipped example estate (the plan's), pointed at what `seed_plan_estate` made: only the
/// hosted zone id differs, since moto makes it up.
pub fn plan_estate_toml(seeded: &Seeded) -> String {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/estate.example.toml"),
    )
    .expect("templates/estate.example.toml");
    assert!(
        example.contains("\"Z123456789\""),
        "the example names its zone Z123456789"
    );
    example.replace("\"Z123456789\"", &format!("\"{}\"", seeded.zone_id))
}

/// [`plan_estate_toml`], parsed.
pub fn plan_estate(seeded: &Seeded) -> drconsole::config::Estate {
    drconsole::config::parse(
        &plan_estate_toml(seeded),
        std::path::Path::new("estate.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}
