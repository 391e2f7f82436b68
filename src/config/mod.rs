//! The estate file: where it lives, how it is read, and the checks that run before any AWS call.
//!
//! Everything the console knows about the pipeline (regions, tables, buckets, functions, DNS,
//! alarms, the service priority matrix and the contact tree) comes from one TOML file.
//! A mistake in it should surface here, pointing at the line, rather than as a confusing
//! AWS error in the middle of an incident.

mod backup_check;
mod comms_check;
mod drill_check;
pub mod duration;
mod error;
pub mod model;

use std::collections::HashMap;
use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

pub use duration::Dur;
pub use error::ConfigError;
pub use model::{
    AwsSettings, Bucket, CloudWatch, Comms, Contact, ContactGroup, Dns, DnsRecord, DynamoDb,
    Estate, IngestionStop, Lambda, Priority, Regions, S3, Service, SlackSettings,
    StatuspageSettings, Validation,
};
pub use model::{
    BackupSettings, CommandEntry, DrillSettings, GitMirror, StackEntry, StackRole, StopAlarm,
    ValidateSettings,
};

/// Environment variable naming the estate file when `--config` is not given.
pub const CONFIG_ENV: &str = "DRCONSOLE_CONFIG";

/// Reads and checks the estate file at `path`.
pub fn load(path: &Path) -> Result<Estate, ConfigError> {
    let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&src, path)
}

/// Parses and checks estate TOML; `path` is only used in error messages.
pub fn parse(src: &str, path: &Path) -> Result<Estate, ConfigError> {
    let mut estate: Estate = toml::from_str(src)
        .map_err(|e| ConfigError::invalid(path, src, e.span(), humanize(e.message())))?;
    validate(&estate, src, path)?;
    estate.base_dir = model::BaseDir(path.parent().map(Path::to_path_buf));
    Ok(estate)
}

/// Rewords serde's Rust-flavoured type names ("usize", "sequence", "struct Regions") in the
/// words of TOML, since the reader is editing a TOML file, not Rust.
fn humanize(message: &str) -> String {
    let mut message = message.trim_end().to_owned();
    for (rust, toml) in [
        ("invalid type: sequence", "invalid type: array"),
        ("invalid type: map", "invalid type: table"),
        ("expected a sequence", "expected an array"),
    ] {
        message = message.replace(rust, toml);
    }
    const EXPECTED: &str = ", expected ";
    if let Some(at) = message.rfind(EXPECTED) {
        let wanted = match &message[at + EXPECTED.len()..] {
            "usize" | "u64" | "u32" | "u16" | "u8" => Some("a non-negative whole number"),
            "isize" | "i64" | "i32" | "i16" | "i8" => Some("a whole number"),
            "f64" | "f32" => Some("a number"),
            other if other.starts_with("struct ") => Some("a table"),
            _ => None,
        };
        if let Some(wanted) = wanted {
            message.truncate(at + EXPECTED.len());
            message.push_str(wanted);
        }
    }
    message
}

/// Picks the estate file: `--config`, then `$DRCONSOLE_CONFIG`, then [`default_config_path`].
///
/// An explicit path is returned even if it does not exist, so the user gets a read error
/// naming the file they asked for rather than a search through places they did not mean.
pub fn resolve_path(cli: Option<&Path>) -> Result<PathBuf, ConfigError> {
    resolve_path_with(cli, |key| std::env::var_os(key))
}

/// Where the estate file lives when nothing else says: `estate.toml` in
/// [`crate::dirs::config_dir`]. `None` when no variable names a place for it.
pub fn default_config_path() -> Option<PathBuf> {
    default_config_path_with(&|key| std::env::var_os(key))
}

fn resolve_path_with(
    cli: Option<&Path>,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<PathBuf, ConfigError> {
    if let Some(path) = cli {
        return Ok(path.to_owned());
    }
    if let Some(path) = crate::dirs::non_empty(env(CONFIG_ENV)) {
        return Ok(PathBuf::from(path));
    }
    let searched: Vec<PathBuf> = default_config_path_with(&env).into_iter().collect();
    match searched.first() {
        Some(path) if path.exists() => Ok(path.clone()),
        _ => Err(ConfigError::NotFound { searched }),
    }
}

fn default_config_path_with(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    Some(crate::dirs::config_dir_with(env)?.join("estate.toml"))
}

impl Estate {
    /// The estate as pretty TOML, e.g. for `init` to write out.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("every estate value has a TOML representation")
    }

    /// Whether a Lambda function belongs to the pipeline: named in `[lambda].functions` or
    /// starting with `[lambda].prefix`.
    pub fn is_pipeline_function(&self, name: &str) -> bool {
        self.lambda.functions.iter().any(|f| f.get_ref() == name)
            || self
                .lambda
                .prefix
                .as_deref()
                .is_some_and(|prefix| name.starts_with(prefix))
    }

    /// The functions the file names: `[lambda].functions`, then the ingestion function if it
    /// is not among them (functions found by prefix are not named here).
    pub fn named_functions(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .lambda
            .functions
            .iter()
            .map(|f| f.get_ref().clone())
            .collect();
        if let Some(f) = &self.lambda.ingestion_function
            && !names.contains(f.get_ref())
        {
            names.push(f.get_ref().clone());
        }
        names
    }

    /// Services that depend on the DynamoDB table `name`.
    pub fn services_for_table<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Service> {
        self.services_referring(name, |s| &s.tables)
    }

    /// Services that depend on the S3 bucket `name` (a primary bucket name).
    pub fn services_for_bucket<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Service> {
        self.services_referring(name, |s| &s.buckets)
    }

    /// Services that depend on the Lambda function `name`.
    pub fn services_for_function<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Service> {
        self.services_referring(name, |s| &s.functions)
    }

    /// Services that the CloudWatch alarm `name` reports on.
    pub fn services_for_alarm<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Service> {
        self.services_referring(name, |s| &s.alarms)
    }

    /// Services reached through the DNS record `name`.
    pub fn services_for_dns<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Service> {
        self.services_referring(name, |s| &s.dns)
    }

    fn services_referring<'a>(
        &'a self,
        name: &'a str,
        refs: fn(&Service) -> &Vec<Spanned<String>>,
    ) -> impl Iterator<Item = &'a Service> {
        self.services
            .iter()
            .filter(move |s| refs(s).iter().any(|r| r.get_ref() == name))
    }
}

/// Spans of fields the model keeps as plain values. Read from the same source after the
/// model has parsed, so it cannot fail on anything the model accepted.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Locations {
    aws: AwsLocations,
    s3: S3Locations,
    comms: comms_check::CommsLocations,
    validate: drill_check::ValidateLocations,
    backup: backup_check::BackupLocations,
    services: Vec<ServiceLocations>,
}

type Loc = Option<Spanned<IgnoredAny>>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct AwsLocations {
    call_timeout: Loc,
    max_concurrency: Loc,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct S3Locations {
    replica_threshold_percent: Loc,
    count_every: Loc,
    buckets: Vec<BucketLocations>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BucketLocations {
    replicate: Loc,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ServiceLocations {
    name: Loc,
    rto: Loc,
}

fn span_of(loc: &Loc) -> Option<Range<usize>> {
    loc.as_ref().map(Spanned::span)
}

/// Collects every problem, then reports the one nearest the top of the file, so fixing
/// errors top to bottom never sends the user back up.
struct Checker<'a> {
    src: &'a str,
    path: &'a Path,
    problems: Vec<(Option<Range<usize>>, String)>,
}

impl Checker<'_> {
    fn report(&mut self, span: Option<Range<usize>>, message: String) {
        self.problems.push((span, message));
    }

    fn line_of(&self, span: &Range<usize>) -> usize {
        error::locate(self.src, span.start).0
    }

    fn into_result(self) -> Result<(), ConfigError> {
        // Unlocated problems sort first: they are reported at 1:1 anyway.
        let first = self
            .problems
            .into_iter()
            .min_by_key(|(span, _)| span.as_ref().map(|s| s.start));
        match first {
            None => Ok(()),
            Some((span, message)) => Err(ConfigError::invalid(self.path, self.src, span, message)),
        }
    }

    fn region(&mut self, key: &str, region: &Spanned<String>) {
        if !is_region_name(region.get_ref()) {
            self.report(
                Some(region.span()),
                format!(
                    "[regions].{key} {:?} is not an AWS region name; expected something like \
                     \"us-east-1\" or \"eu-west-2\"",
                    region.get_ref()
                ),
            );
        }
    }

    /// Reports each of `service`'s references of one `kind` that names nothing in `names`
    /// and that `also_known` does not accept either; `place` follows "which is not".
    fn references(
        &mut self,
        service: &str,
        kind: &str,
        refs: &[Spanned<String>],
        place: &str,
        names: &[&Spanned<String>],
        also_known: impl Fn(&str) -> bool,
    ) {
        for name in refs {
            let known = names.iter().any(|n| n.get_ref() == name.get_ref());
            if !known && !also_known(name.get_ref()) {
                self.report(
                    Some(name.span()),
                    format!(
                        "service {service:?} refers to {kind} {:?}, which is not {place} ({})",
                        name.get_ref(),
                        declared(names.iter().copied()),
                    ),
                );
            }
        }
    }

    /// Reports the second and later occurrences of each name in `names`.
    fn duplicates(&mut self, what: &str, place: &str, names: &[&Spanned<String>]) {
        let mut seen: HashMap<&str, Range<usize>> = HashMap::new();
        for name in names {
            if let Some(first) = seen.get(name.get_ref().as_str()) {
                let line = self.line_of(first);
                self.report(
                    Some(name.span()),
                    format!(
                        "{what} {:?} is listed twice in {place} (first at line {line})",
                        name.get_ref()
                    ),
                );
            } else {
                seen.insert(name.get_ref(), name.span());
            }
        }
    }
}

fn validate(estate: &Estate, src: &str, path: &Path) -> Result<(), ConfigError> {
    let locations: Locations = toml::from_str(src).unwrap_or_default();
    let mut check = Checker {
        src,
        path,
        problems: Vec::new(),
    };

    let regions = &estate.regions;
    check.region("primary", &regions.primary);
    check.region("backup", &regions.backup);
    if regions.primary.get_ref() == regions.backup.get_ref() {
        check.report(
            Some(regions.backup.span()),
            format!(
                "[regions].backup is {:?}, the same as [regions].primary; the backup region \
                 must be a different region",
                regions.backup.get_ref()
            ),
        );
    }

    for (region, url) in &estate.aws.region_endpoints {
        if !is_region_name(region) {
            check.report(
                Some(url.span()),
                format!(
                    "[aws.region_endpoints] key {region:?} is not an AWS region name; expected \
                     something like \"us-east-1\""
                ),
            );
        } else if !(url.get_ref().starts_with("http://") || url.get_ref().starts_with("https://")) {
            check.report(
                Some(url.span()),
                format!(
                    "[aws.region_endpoints].{region} must be an http:// or https:// URL, got {:?}",
                    url.get_ref()
                ),
            );
        }
    }

    for (from, to) in &estate.lambda.region_map {
        if let Some(problem) = region_map_problem(from, to.get_ref()) {
            check.report(
                Some(to.span()),
                format!(
                    "[lambda.region_map] {from:?} = {:?}: {problem}",
                    to.get_ref()
                ),
            );
        }
    }

    if estate.aws.max_concurrency == 0 {
        check.report(
            span_of(&locations.aws.max_concurrency),
            "[aws].max_concurrency must be at least 1, got 0".into(),
        );
    }
    if estate.aws.call_timeout.is_zero() {
        check.report(
            span_of(&locations.aws.call_timeout),
            "[aws].call_timeout must be longer than zero, like \"20s\"".into(),
        );
    }
    let threshold = estate.s3.replica_threshold_percent;
    if !(0.0..=100.0).contains(&threshold) {
        check.report(
            span_of(&locations.s3.replica_threshold_percent),
            format!("[s3].replica_threshold_percent must be between 0 and 100, got {threshold}"),
        );
    }
    if estate.s3.count_every.is_zero() {
        check.report(
            span_of(&locations.s3.count_every),
            "[s3].count_every must be longer than zero, like \"15m\"".into(),
        );
    }
    for (i, bucket) in estate.s3.buckets.iter().enumerate() {
        if let (false, Some(replica)) = (bucket.replicate, &bucket.replica) {
            let span = locations
                .s3
                .buckets
                .get(i)
                .and_then(|b| span_of(&b.replicate));
            check.report(
                span.or(Some(bucket.name.span())),
                format!(
                    "bucket {:?} says replicate = false but names the replica {replica:?}; \
                     remove one of the two",
                    bucket.name.get_ref()
                ),
            );
        }
    }

    let validation = &estate.dynamodb.validation;
    if let Some(required) = &validation.required {
        if required.get_ref().is_empty() {
            check.report(
                Some(required.span()),
                "[dynamodb.validation].required must name at least one attribute, like \
                 [\"flight_id\", \"timestamp\"]"
                    .into(),
            );
        }
        for name in required.get_ref() {
            if name.get_ref().trim().is_empty() {
                check.report(
                    Some(name.span()),
                    "[dynamodb.validation].required has an empty attribute name".into(),
                );
            }
        }
    }
    if let Some(attr) = &validation.time_attribute
        && attr.get_ref().trim().is_empty()
    {
        check.report(
            Some(attr.span()),
            "[dynamodb.validation].time_attribute is empty: name an attribute, or remove the \
             line for the plan's \"timestamp\""
                .into(),
        );
    }

    let tables: Vec<&Spanned<String>> = estate.dynamodb.tables.iter().collect();
    let buckets: Vec<&Spanned<String>> = estate.s3.buckets.iter().map(|b| &b.name).collect();
    let functions: Vec<&Spanned<String>> = estate.lambda.functions.iter().collect();
    let alarms: Vec<&Spanned<String>> = estate.cloudwatch.alarms.iter().collect();
    let records: Vec<&Spanned<String>> = estate.dns.records.iter().map(|r| &r.name).collect();
    check.duplicates("table", "[dynamodb].tables", &tables);
    check.duplicates("bucket", "[[s3.buckets]]", &buckets);
    check.duplicates("function", "[lambda].functions", &functions);
    check.duplicates("alarm", "[cloudwatch].alarms", &alarms);
    check.duplicates("DNS record", "[[dns.records]]", &records);

    let function_place = match &estate.lambda.prefix {
        Some(prefix) => {
            format!("[lambda].functions and does not start with [lambda].prefix {prefix:?}")
        }
        None => "[lambda].functions".to_owned(),
    };
    if let Some(ingestion) = &estate.lambda.ingestion_function
        && !estate.is_pipeline_function(ingestion.get_ref())
    {
        check.report(
            Some(ingestion.span()),
            format!(
                "[lambda].ingestion_function {:?} is not in {function_place} ({})",
                ingestion.get_ref(),
                declared(functions.iter().copied()),
            ),
        );
    }

    let mut service_names: HashMap<&str, Option<Range<usize>>> = HashMap::new();
    for (i, service) in estate.services.iter().enumerate() {
        let spans = locations.services.get(i);
        let name_span = spans.and_then(|s| span_of(&s.name));
        if let Some(first) = service_names.get(service.name.as_str()) {
            let first_line = first.as_ref().map(|span| check.line_of(span));
            let first = first_line
                .map(|l| format!(" (first at line {l})"))
                .unwrap_or_default();
            check.report(
                name_span.clone(),
                format!(
                    "service {:?} is defined twice in [[services]]{first}",
                    service.name
                ),
            );
        } else {
            service_names.insert(&service.name, name_span);
        }
        if service.rto.is_zero() {
            check.report(
                spans.and_then(|s| span_of(&s.rto)),
                format!(
                    "service {:?} has rto = \"0m\"; a recovery time objective must be longer \
                     than zero, like \"4h\"",
                    service.name
                ),
            );
        }

        let name = service.name.as_str();
        let unknown = |_: &str| false;
        check.references(
            name,
            "table",
            &service.tables,
            "in [dynamodb].tables",
            &tables,
            unknown,
        );
        check.references(
            name,
            "bucket",
            &service.buckets,
            "in [[s3.buckets]]",
            &buckets,
            unknown,
        );
        check.references(
            name,
            "function",
            &service.functions,
            &format!("in {function_place}"),
            &functions,
            |f| estate.is_pipeline_function(f),
        );
        check.references(
            name,
            "alarm",
            &service.alarms,
            "in [cloudwatch].alarms",
            &alarms,
            unknown,
        );
        check.references(
            name,
            "DNS record",
            &service.dns,
            "a [[dns.records]] name",
            &records,
            unknown,
        );
    }

    stacks_and_commands(&mut check, estate);
    comms_check::check(&estate.comms, &locations.comms, &mut check);
    drill_check::check_validate(&estate.validate, &locations.validate, &mut check);
    drill_check::check_drill(&estate.drill, &mut check);
    backup_check::check(&estate.backup, &locations.backup, &mut check);
    check.into_result()
}

/// The placeholders a command's arguments may use.
pub const COMMAND_PLACEHOLDERS: &[&str] = &["region", "primary_region", "backup_region"];

fn stacks_and_commands(check: &mut Checker<'_>, estate: &Estate) {
    let regions = [
        estate.regions.primary.get_ref(),
        estate.regions.backup.get_ref(),
    ];
    let names: Vec<&Spanned<String>> = estate.stacks.iter().map(|s| &s.name).collect();
    check.duplicates("stack", "[[stacks]]", &names);
    for stack in &estate.stacks {
        if stack.name.get_ref().trim().is_empty() {
            check.report(
                Some(stack.name.span()),
                "a [[stacks]] entry has an empty name".into(),
            );
        }
        if let Some(region) = &stack.region
            && !regions.contains(&region.get_ref())
        {
            check.report(
                Some(region.span()),
                format!(
                    "stack {:?} is in region {:?}, which is neither [regions].primary {:?} nor \
                     [regions].backup {:?}",
                    stack.name.get_ref(),
                    region.get_ref(),
                    regions[0],
                    regions[1]
                ),
            );
        }
        if let Some(template) = &stack.template
            && template.get_ref().trim().is_empty()
        {
            check.report(
                Some(template.span()),
                format!(
                    "stack {:?} has an empty template path",
                    stack.name.get_ref()
                ),
            );
        }
    }
    for (name, command) in &estate.commands {
        let run = command.run.get_ref();
        if run.first().is_none_or(|program| program.trim().is_empty()) {
            check.report(
                Some(command.run.span()),
                format!(
                    "[commands.{name}].run must name a program first, like \
                     [\"./scripts/smoke-test.sh\", \"--region\", \"{{{{region}}}}\"]"
                ),
            );
        }
        for arg in run {
            for placeholder in placeholders(arg) {
                if !COMMAND_PLACEHOLDERS.contains(&placeholder) {
                    check.report(
                        Some(command.run.span()),
                        format!(
                            "[commands.{name}].run uses {{{{{placeholder}}}}}, which is not one \
                             of {}",
                            COMMAND_PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{{{p}}}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
        }
        if command.timeout.is_zero() {
            check.report(
                Some(command.run.span()),
                format!("[commands.{name}].timeout must be longer than zero, like \"5m\""),
            );
        }
    }
}

/// The names inside `{{ }}` in `arg`, trimmed.
pub fn placeholders(arg: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = arg;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            break;
        };
        found.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    found
}
/// What is wrong with one `[lambda.region_map]` entry: both sides ARNs of one service in
/// different regions, or both subnet or both security group ids.
fn region_map_problem(from: &str, to: &str) -> Option<String> {
    let arn = |s: &str| -> Option<(String, String)> {
        let parts: Vec<&str> = s.split(':').collect();
        (parts.len() >= 4 && parts[0] == "arn").then(|| (parts[2].to_owned(), parts[3].to_owned()))
    };
    let id_kind = |s: &str| ["subnet-", "sg-"].into_iter().find(|p| s.starts_with(p));
    match (arn(from), arn(to), id_kind(from), id_kind(to)) {
        (Some((service, region)), Some((to_service, to_region)), _, _) => {
            if service != to_service {
                Some(format!("maps a {service} ARN to a {to_service} ARN"))
            } else if region.is_empty() || region == to_region {
                Some("both sides are in the same region; map a region-bound ARN to its counterpart in another region".to_owned())
            } else {
                None
            }
        }
        (Some(_), None, _, _) => Some("an ARN must map to an ARN".to_owned()),
        (None, _, Some(kind), Some(to_kind)) if kind == to_kind => None,
        (None, _, Some(kind), _) => Some(format!("a {kind}… id must map to a {kind}… id")),
        (None, _, None, _) => Some(
            "the key is neither an ARN (layer, KMS key, SQS queue, SNS topic) nor a subnet- or \
             sg- id"
                .to_owned(),
        ),
    }
}

/// "declared: a, b, c" or "none declared", for the tail of a dangling-reference message.
fn declared<'n>(names: impl Iterator<Item = &'n Spanned<String>>) -> String {
    let names: Vec<&str> = names.map(|n| n.get_ref().as_str()).collect();
    if names.is_empty() {
        "none declared".to_owned()
    } else {
        format!("declared: {}", names.join(", "))
    }
}

/// Whether `s` has the shape of an AWS region: `^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$`.
fn is_region_name(s: &str) -> bool {
    fn lower(part: &str) -> bool {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())
    }
    fn number(part: &str) -> bool {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
    }
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [geo, area, n] => geo.len() == 2 && lower(geo) && lower(area) && number(n),
        [geo, partition, area, n] => {
            geo.len() == 2
                && lower(geo)
                && (*partition == "gov" || (partition.starts_with("iso") && lower(partition)))
                && lower(area)
                && number(n)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn estate_file_in(dir: &Path) -> PathBuf {
        let path = dir.join("drconsole").join("estate.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "").unwrap();
        path
    }

    #[test]
    fn cli_path_wins_even_if_missing() {
        let dir = tempfile::tempdir().unwrap();
        let xdg = dir.path().to_str().unwrap();
        estate_file_in(dir.path());
        let vars = [
            ("DRCONSOLE_CONFIG", "/from/env.toml"),
            ("XDG_CONFIG_HOME", xdg),
        ];
        let got = resolve_path_with(Some(Path::new("/no/such/file.toml")), env(&vars));
        assert_eq!(got.unwrap(), Path::new("/no/such/file.toml"));
    }

    #[test]
    fn env_var_beats_config_dir_even_if_missing() {
        let dir = tempfile::tempdir().unwrap();
        let xdg = dir.path().to_str().unwrap();
        estate_file_in(dir.path());
        let vars = [
            ("DRCONSOLE_CONFIG", "/from/env.toml"),
            ("XDG_CONFIG_HOME", xdg),
            ("HOME", "/h"),
        ];
        assert_eq!(
            resolve_path_with(None, env(&vars)).unwrap(),
            Path::new("/from/env.toml")
        );
    }

    #[test]
    fn empty_env_var_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let xdg = dir.path().to_str().unwrap();
        let expected = estate_file_in(dir.path());
        let vars = [("DRCONSOLE_CONFIG", ""), ("XDG_CONFIG_HOME", xdg)];
        assert_eq!(resolve_path_with(None, env(&vars)).unwrap(), expected);
    }

    #[test]
    fn xdg_config_home_when_the_file_exists() {
        let dir = tempfile::tempdir().unwrap();
        let xdg = dir.path().to_str().unwrap();
        let expected = estate_file_in(dir.path());
        let vars = [("XDG_CONFIG_HOME", xdg), ("HOME", "/h")];
        assert_eq!(resolve_path_with(None, env(&vars)).unwrap(), expected);
    }

    #[test]
    fn relative_xdg_config_home_is_ignored() {
        let vars = [("XDG_CONFIG_HOME", "relative/dir"), ("HOME", "/h")];
        let expected = if cfg!(target_os = "macos") {
            "/h/Library/Application Support/drconsole/estate.toml"
        } else {
            "/h/.config/drconsole/estate.toml"
        };
        assert_eq!(
            default_config_path_with(&env(&vars)).unwrap(),
            Path::new(expected)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn home_config_dir_when_the_file_exists() {
        let home = tempfile::tempdir().unwrap();
        let expected = estate_file_in(&home.path().join(".config"));
        let vars = [("HOME", home.path().to_str().unwrap())];
        assert_eq!(resolve_path_with(None, env(&vars)).unwrap(), expected);
    }

    #[test]
    fn missing_default_file_lists_what_was_searched() {
        let dir = tempfile::tempdir().unwrap();
        let xdg = dir.path().to_str().unwrap();
        let vars = [("XDG_CONFIG_HOME", xdg), ("HOME", "/h")];
        match resolve_path_with(None, env(&vars)) {
            Err(ConfigError::NotFound { searched }) => {
                assert_eq!(
                    searched,
                    vec![dir.path().join("drconsole").join("estate.toml")]
                );
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
    }

    #[test]
    fn nothing_to_search_without_home() {
        match resolve_path_with(None, env(&[])) {
            Err(ConfigError::NotFound { searched }) => assert!(searched.is_empty()),
            other => panic!("expected NotFound, got {other:?}"),
        }
    }

    const MINIMAL: &str =
        "name = \"x\"\n[regions]\nprimary = \"us-east-1\"\nbackup = \"us-west-2\"\n";

    fn parse_err(extra: &str) -> String {
        let src = format!("{MINIMAL}{extra}");
        parse(&src, Path::new("e.toml"))
            .expect_err(extra)
            .to_string()
    }

    #[test]
    fn the_problem_nearest_the_top_is_reported() {
        // The dangling reference is checked after the threshold but sits earlier in the file.
        let err = parse_err(
            "[[services]]\nname = \"s\"\npriority = \"P0\"\nrto = \"1h\"\nrpo = \"1h\"\n\
             tables = [\"t\"]\n[s3]\nreplica_threshold_percent = -1.0\n",
        );
        assert!(
            err.starts_with("e.toml:10:11: service \"s\" refers to table \"t\""),
            "{err}"
        );
    }

    #[test]
    fn zero_call_timeout_is_rejected() {
        let err = parse_err("[aws]\ncall_timeout = \"0s\"\n");
        assert_eq!(
            err,
            "e.toml:6:16: [aws].call_timeout must be longer than zero, like \"20s\"\n    \
             call_timeout = \"0s\"\n                   ^"
        );
    }

    #[test]
    fn functions_match_by_prefix_or_name() {
        let src = format!(
            "{MINIMAL}[lambda]\nprefix = \"fd\"\nfunctions = [\"other\"]\n\
             ingestion_function = \"fd-ingest\"\n[[services]]\nname = \"s\"\npriority = \"P0\"\n\
             rto = \"1h\"\nrpo = \"0m\"\nfunctions = [\"other\", \"fd-api\"]\n"
        );
        parse(&src, Path::new("e.toml")).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn serde_type_names_become_toml_words() {
        assert_eq!(
            humanize("invalid type: sequence, expected usize"),
            "invalid type: array, expected a non-negative whole number"
        );
        assert_eq!(
            humanize("invalid type: map, expected f64"),
            "invalid type: table, expected a number"
        );
        assert_eq!(
            humanize("invalid type: string \"x\", expected struct Regions"),
            "invalid type: string \"x\", expected a table"
        );
        assert_eq!(
            humanize("invalid type: integer `1`, expected a sequence\n"),
            "invalid type: integer `1`, expected an array"
        );
        assert_eq!(
            humanize("unknown field `x`, expected `a` or `b`"),
            "unknown field `x`, expected `a` or `b`"
        );
    }

    #[test]
    fn region_names() {
        for good in [
            "us-east-1",
            "eu-west-2",
            "ap-southeast-10",
            "us-gov-west-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "cn-north-1",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in [
            "",
            "us-east",
            "useast1",
            "US-EAST-1",
            "us-east-1a",
            "usa-east-1",
            "us--1",
            "us-east-",
            "us-foo-east-1",
            "us-east-1-",
            " us-east-1",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
