//! The estate file's data model: what the Disaster Recovery Plan describes, as TOML.
//!
//! Names that other sections refer to are `Spanned` so validation can point at the exact
//! line and column of a bad reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::duration::Dur;

/// The whole estate: regions, resources, targets, people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estate {
    /// A short name shown in the header and in messages, e.g. "Flight Data Pipeline".
    pub name: String,
    pub regions: Regions,
    #[serde(default)]
    pub aws: AwsSettings,
    #[serde(default)]
    pub dynamodb: DynamoDb,
    #[serde(default)]
    pub s3: S3,
    #[serde(default)]
    pub lambda: Lambda,
    #[serde(default)]
    pub dns: Dns,
    #[serde(default)]
    pub cloudwatch: CloudWatch,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub contacts: Vec<ContactGroup>,
    #[serde(default)]
    pub comms: Comms,
    /// CloudFormation stacks the console watches and the stack actions may change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<StackEntry>,
    /// The allow-list of local commands the `shell` check may run, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub commands: BTreeMap<String, CommandEntry>,
    /// `drconsole validate`: the monthly backup validation's limits.
    #[serde(default, skip_serializing_if = "ValidateSettings::is_default")]
    pub validate: ValidateSettings,
    /// Drills: the suffix of every name a drill may write, and its stop conditions.
    #[serde(default, skip_serializing_if = "DrillSettings::is_default")]
    pub drill: DrillSettings,
    /// `drconsole backup`: where the configuration backups go, how many run at once, and the
    /// git mirrors to compare.
    #[serde(default, skip_serializing_if = "BackupSettings::is_default")]
    pub backup: BackupSettings,
    /// The estate file's folder: relative paths in it (a stack's template, a command's
    /// folder) are taken from here, not from wherever drconsole was started.
    #[serde(skip)]
    pub base_dir: BaseDir,
}

/// Where an estate file lives. Not part of what it says: two files with the same content
/// are the same estate wherever they are.
#[derive(Debug, Clone, Default)]
pub struct BaseDir(pub Option<std::path::PathBuf>);

impl BaseDir {
    /// `path` taken from the estate file's folder (from the working folder when the estate
    /// came from no file).
    pub fn join(&self, path: impl AsRef<std::path::Path>) -> std::path::PathBuf {
        match &self.0 {
            Some(dir) => dir.join(path),
            None => path.as_ref().to_path_buf(),
        }
    }

    pub fn as_deref(&self) -> Option<&std::path::Path> {
        self.0.as_deref()
    }
}

impl PartialEq for BaseDir {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regions {
    /// Where production runs, e.g. "us-east-1".
    pub primary: Spanned<String>,
    /// Where replicas and restores go, e.g. "us-west-2".
    pub backup: Spanned<String>,
}

/// How drconsole talks to AWS; credentials and endpoint come from the standard AWS configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwsSettings {
    /// A named profile from ~/.aws/config; unset means the default chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Upper bound for one API call, retries included.
    pub call_timeout: Dur,
    /// How many resources are checked at once (each check makes up to four calls at once).
    pub max_concurrency: usize,
    /// Endpoints that replace AWS's own for one region, e.g. `us-east-1 = "http://..."`: a
    /// LocalStack per region, or a dead port to rehearse that region's outage.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub region_endpoints: BTreeMap<String, Spanned<String>>,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            profile: None,
            call_timeout: Dur::from_secs(20),
            max_concurrency: 16,
            region_endpoints: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DynamoDb {
    /// Tables in the primary region.
    pub tables: Vec<Spanned<String>>,
    /// How often an on-demand backup is expected (the plan: daily).
    pub backup_every: Dur,
    /// Bucket and prefix of the weekly cross-region exports, if any; each table's exports are
    /// under `<export_prefix><table>/`. The bucket should live in the backup region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_bucket: Option<String>,
    pub export_prefix: String,
    /// What a valid item is, for the corruption scan (find-invalid).
    #[serde(skip_serializing_if = "Validation::is_default")]
    pub validation: Validation,
}

impl Default for DynamoDb {
    fn default() -> Self {
        Self {
            tables: Vec::new(),
            backup_every: Dur::from_secs(24 * 3600),
            export_bucket: None,
            export_prefix: "dynamodb-exports/".into(),
            validation: Validation::default(),
        }
    }
}

/// The rule an item of the estate's tables must pass: attributes it must have, and the one
/// that says when it was written (to date the corruption from the bad items).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Validation {
    /// Attributes every valid item has, present and not empty. Absent: the plan's rule,
    /// `flight_id` and `timestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Spanned<Vec<Spanned<String>>>>,
    /// An attribute holding when the item was written (RFC 3339 or epoch seconds or
    /// milliseconds). Absent: the plan's `timestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_attribute: Option<Spanned<String>>,
}

/// The plan's rule (its assess-corruption.sh): a record without either is corrupted.
pub const PLAN_REQUIRED: [&str; 2] = ["flight_id", "timestamp"];
pub const PLAN_TIME_ATTRIBUTE: &str = "timestamp";

impl Validation {
    fn is_default(&self) -> bool {
        self == &Validation::default()
    }

    /// The attributes every valid item has.
    pub fn required(&self) -> Vec<String> {
        match &self.required {
            Some(list) => list.get_ref().iter().map(|a| a.get_ref().clone()).collect(),
            None => PLAN_REQUIRED.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// The attribute that dates an item.
    pub fn time_attribute(&self) -> &str {
        self.time_attribute
            .as_ref()
            .map_or(PLAN_TIME_ATTRIBUTE, |a| a.get_ref().as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3 {
    /// Replica completeness below this percentage is a warning (the plan's test uses 95).
    pub replica_threshold_percent: f64,
    /// How often the console lists every object to count them: a count costs one LIST call
    /// per 1,000 objects, so it runs on its own slower cadence, not on every refresh.
    pub count_every: Dur,
    /// The IAM role S3 assumes to replicate (what the plan's `setup-s3-replication.sh` names
    /// `s3-replication-role`); the replication repair uses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_role: Option<String>,
    pub buckets: Vec<Bucket>,
}

impl Default for S3 {
    fn default() -> Self {
        Self {
            replica_threshold_percent: 95.0,
            count_every: Dur::from_secs(15 * 60),
            replication_role: None,
            buckets: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// Bucket in the primary region.
    pub name: Spanned<String>,
    /// Its replica in the backup region; absent means not replicated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// `false` says the bucket is left without a copy outside the primary region on purpose,
    /// so its missing replication is not flagged.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub replicate: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lambda {
    /// Functions whose name starts with this belong to the pipeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Functions named explicitly (in addition to the prefix).
    pub functions: Vec<Spanned<String>>,
    /// Where function backups (config + code) live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_bucket: Option<String>,
    pub backup_prefix: String,
    /// The weekly copy of those backups in a bucket of the backup region (same layout), so a
    /// function can be restored when the primary region is lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_copy_bucket: Option<String>,
    /// How often function backups are expected (the plan: daily).
    pub backup_every: Dur,
    /// The function that takes data in: stopping ingestion stops it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingestion_function: Option<Spanned<String>>,
    /// How ingestion is stopped: `mappings` disables the function's event source mappings
    /// (queued messages wait in their queue instead of running into the dead-letter queue),
    /// `concurrency` sets its reserved concurrency to 0 (every invocation is throttled),
    /// `both` does both.
    pub ingestion_stop: IngestionStop,
    /// Each region-bound value of a function's saved configuration (a layer, KMS key or
    /// dead-letter ARN, by ARN or ARN prefix; a VPC subnet or security group, by id) to its
    /// counterpart in another region: what restoring a function outside the region it was
    /// saved in needs, since Lambda refuses them across regions.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub region_map: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IngestionStop {
    Mappings,
    Concurrency,
    #[default]
    Both,
}

impl IngestionStop {
    pub fn mappings(self) -> bool {
        matches!(self, IngestionStop::Mappings | IngestionStop::Both)
    }
    pub fn concurrency(self) -> bool {
        matches!(self, IngestionStop::Concurrency | IngestionStop::Both)
    }
}

impl Default for Lambda {
    fn default() -> Self {
        Self {
            prefix: None,
            functions: Vec::new(),
            backup_bucket: None,
            backup_prefix: "lambda-backups/".into(),
            backup_copy_bucket: None,
            backup_every: Dur::from_secs(24 * 3600),
            ingestion_function: None,
            ingestion_stop: IngestionStop::Both,
            region_map: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dns {
    pub records: Vec<DnsRecord>,
}

/// A failover record set: one name with a PRIMARY and a SECONDARY record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsRecord {
    pub zone_id: String,
    /// Fully qualified, e.g. "api.flightdata.example.com."
    pub name: Spanned<String>,
    #[serde(rename = "type", default = "default_record_type")]
    pub record_type: String,
}

fn default_record_type() -> String {
    "A".into()
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CloudWatch {
    /// Alarms to watch, by name, in the primary region.
    pub alarms: Vec<Spanned<String>>,
}

/// A row of the plan's service priority matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    pub priority: Priority,
    pub rto: Dur,
    pub rpo: Dur,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub impact: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    P0,
    P1,
    P2,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactGroup {
    /// e.g. "Disaster Declaration Authority"
    pub group: String,
    pub people: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub role: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Comms {
    /// How often a status update is due during an incident (the plan: every 30 minutes).
    pub update_every: Dur,
    /// How long a level of the contact tree may go without anyone acknowledging before the
    /// console says to call the next level.
    pub escalate_after: Dur,
    /// The template for each message of the plan, by name (`drconsole message list`).
    pub declaration: Spanned<String>,
    pub update: Spanned<String>,
    pub completion: Spanned<String>,
    /// Where messages are posted, when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack: Option<SlackSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuspage: Option<StatuspageSettings>,
    /// A PEM file of extra root certificates the posts trust (a company proxy's), relative to
    /// the estate file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<Spanned<String>>,
}

impl Default for Comms {
    fn default() -> Self {
        Self {
            update_every: Dur::from_secs(30 * 60),
            escalate_after: Dur::from_secs(15 * 60),
            declaration: Spanned::new(0..0, "initial-declaration".to_owned()),
            update: Spanned::new(0..0, "progress-update".to_owned()),
            completion: Spanned::new(0..0, "completion-notice".to_owned()),
            slack: None,
            statuspage: None,
            ca_file: None,
        }
    }
}

/// A Slack incoming webhook. The URL is a secret: only the name of the environment variable
/// that holds it is in the estate file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSettings {
    pub webhook_env: Spanned<String>,
    /// How the journal and the screen name the channel, like "#incidents".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// A Statuspage page. The API key is a secret: only the name of its environment variable is
/// in the estate file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuspageSettings {
    pub page_id: String,
    pub api_key_env: Spanned<String>,
    #[serde(default = "default_statuspage_url")]
    pub api_url: String,
}

fn default_statuspage_url() -> String {
    "https://api.statuspage.io/v1".to_owned()
}

/// A CloudFormation stack of the estate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackEntry {
    pub name: Spanned<String>,
    /// One of the estate's two regions; the primary when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Spanned<String>>,
    /// What the stack is for in a recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<StackRole>,
    /// The template file `create-stack` makes it from, relative to the estate file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackRole {
    /// The standby capacity in the backup region that a failover scales up.
    BackupCapacity,
    /// The pipeline's production infrastructure.
    Production,
    /// What an infrastructure-loss recovery deploys from scratch.
    Emergency,
}

/// A local command of the allow-list: argv, never a shell line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandEntry {
    /// The program and its arguments; `{{region}}`, `{{primary_region}}` and
    /// `{{backup_region}}` are replaced from the estate.
    pub run: Spanned<Vec<String>>,
    /// Killed after this long.
    #[serde(default = "default_command_timeout")]
    pub timeout: Dur,
    /// The folder it runs in, relative to the estate file (default: the estate file's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

fn default_command_timeout() -> Dur {
    Dur::from_secs(5 * 60)
}

/// `[validate]`: how `drconsole validate` restores and compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidateSettings {
    /// How far a restored table's counted items may be from the backup's own record
    /// (DescribeBackup's item count, which AWS calls approximate), in percent. Printed with
    /// every result.
    pub tolerance_percent: f64,
    /// Items read by key from the restored table and compared with the source.
    pub sample: usize,
    /// Tables restored and checked at once.
    pub concurrency: usize,
    /// How long one restore may take before the table is failed (and its temporary table
    /// removed).
    pub restore_timeout: Dur,
    /// Parallel scan segments when counting a restored table.
    pub segments: u32,
}

impl Default for ValidateSettings {
    fn default() -> Self {
        Self {
            tolerance_percent: 1.0,
            sample: 25,
            concurrency: 4,
            restore_timeout: Dur::from_secs(2 * 3600),
            segments: 4,
        }
    }
}

impl ValidateSettings {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// `[drill]`: what a drill may touch and when it must stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DrillSettings {
    /// Every name a drill writes carries this (the plan's `-dr-test`).
    pub suffix: Spanned<String>,
    /// Stop conditions, as AWS FIS has them: a CloudWatch alarm in ALARM halts the drill
    /// before its next write.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop_alarms: Vec<StopAlarm>,
}

impl Default for DrillSettings {
    fn default() -> Self {
        Self {
            suffix: Spanned::new(0..0, "-dr-test".to_owned()),
            stop_alarms: Vec::new(),
        }
    }
}

impl DrillSettings {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// `[backup]`: the scheduled backups (`drconsole backup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupSettings {
    /// Targets (tables, functions, buckets) backed up at once.
    pub concurrency: usize,
    /// The bucket `backup config` writes to (default: `lambda.backup_bucket`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_bucket: Option<String>,
    /// Its copy in the backup region (default: `lambda.backup_copy_bucket`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_copy_bucket: Option<String>,
    /// Folder of the configuration backups: `<config_prefix><YYYYMMDD>/`.
    pub config_prefix: String,
    /// Git repositories and their mirrors (the plan's GitHub + GitLab): `backup config` says
    /// whether each mirror's heads match the origin's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<GitMirror>,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            concurrency: 4,
            config_bucket: None,
            config_copy_bucket: None,
            config_prefix: "config-backups/".to_owned(),
            mirrors: Vec::new(),
        }
    }
}

impl BackupSettings {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// One repository: its origin and the remotes that should mirror it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitMirror {
    /// A name for the report (`pipeline-code`).
    pub name: String,
    /// The origin's URL, as `git ls-remote` takes it.
    pub origin: Spanned<String>,
    /// The mirrors' URLs.
    pub mirrors: Vec<Spanned<String>>,
}

/// One stop condition: an alarm, read in its region (default: the primary region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopAlarm {
    pub name: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}
