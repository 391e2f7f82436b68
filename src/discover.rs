//! `drconsole init --discover`: an estate file written from what the account really has.
//!
//! Resource names come from the account; targets, service assignments and the contact tree
//! start as the plan's defaults and are meant to be reviewed by a person afterwards.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use crate::cloud::{BucketInfo, Cloud, CloudResult};
use crate::config::{
    Bucket, CloudWatch, Comms, Contact, ContactGroup, Dns, DnsRecord, Dur, DynamoDb, Estate,
    Lambda, Priority, Regions, S3, Service,
};

/// Where function backups and table exports live, by the plan's layout.
const LAMBDA_BACKUP_PREFIX: &str = "lambda-backups/";
const EXPORT_PREFIX: &str = "dynamodb-exports/";

#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    pub primary_region: String,
    /// `None`: the region of the replica buckets, else the plan's us-west-2.
    pub backup_region: Option<String>,
    /// Only resources whose name starts with this (DNS zones are not filtered).
    pub prefix: Option<String>,
}

/// What was found, to tell the user before they read the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub buckets: usize,
    pub replicas: usize,
    pub functions: usize,
    pub dns_records: usize,
    pub alarms: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tables, {} buckets ({} replicated), {} functions, {} failover records, {} alarms",
            self.tables, self.buckets, self.replicas, self.functions, self.dns_records, self.alarms
        )
    }
}

fn spanned(value: &str) -> Spanned<String> {
    Spanned::new(0..0, value.to_owned())
}

fn matches(prefix: Option<&str>, name: &str) -> bool {
    prefix.is_none_or(|p| name.starts_with(p))
}

/// Reads the account through the ports and builds an estate that passes validation.
pub async fn discover(
    cloud: &dyn Cloud,
    options: &DiscoverOptions,
) -> CloudResult<(Estate, Summary)> {
    let primary = options.primary_region.as_str();
    let prefix = options.prefix.as_deref();

    let mut tables = cloud.list_tables(primary).await?;
    tables.retain(|t| matches(prefix, t));
    tables.sort();

    let all_buckets = cloud.list_buckets().await?;
    let region_of: HashMap<&str, &str> = all_buckets
        .iter()
        .map(|b| (b.name.as_str(), b.region.as_str()))
        .collect();
    let mut candidates: Vec<&str> = all_buckets
        .iter()
        .filter(|b| b.region == primary && matches(prefix, &b.name))
        .map(|b| b.name.as_str())
        .collect();
    candidates.sort();

    let mut replica_of = BTreeMap::new();
    for bucket in &candidates {
        if let Some(config) = cloud.get_replication(primary, bucket).await?
            && let Some(rule) = config
                .rules
                .iter()
                .find(|r| r.enabled)
                .or(config.rules.first())
        {
            replica_of.insert(bucket.to_string(), rule.destination_bucket.clone());
        }
    }
    let backup_region = options
        .backup_region
        .clone()
        .or_else(|| {
            replica_of
                .values()
                .find_map(|r| region_of.get(r.as_str()).map(|s| s.to_string()))
        })
        .unwrap_or_else(|| "us-west-2".to_owned());

    // Backup stores are not data: find them by the plan's layout and keep them apart.
    let (mut lambda_backup_bucket, mut export_bucket) = (None, None);
    let mut data_buckets = Vec::new();
    for bucket in candidates {
        if replica_of.values().any(|r| r == bucket) {
            continue;
        }
        if !replica_of.contains_key(bucket) {
            if lambda_backup_bucket.is_none()
                && has_objects(cloud, primary, bucket, LAMBDA_BACKUP_PREFIX).await?
            {
                lambda_backup_bucket = Some(bucket.to_owned());
                continue;
            }
            if export_bucket.is_none() && has_objects(cloud, primary, bucket, EXPORT_PREFIX).await?
            {
                export_bucket = Some(bucket.to_owned());
                continue;
            }
        }
        data_buckets.push(Bucket {
            name: spanned(bucket),
            replica: replica_of.get(bucket).cloned(),
            replicate: true,
        });
    }
    // The plan's copies that outlive the primary region live outside it: cross-region exports,
    // and the weekly copy of the function backups.
    let mut lambda_copy_bucket = None;
    let mut elsewhere: Vec<&BucketInfo> = all_buckets
        .iter()
        .filter(|b| b.region != primary && matches(prefix, &b.name))
        .filter(|b| !replica_of.values().any(|r| *r == b.name))
        .collect();
    elsewhere.sort_by(|a, b| a.name.cmp(&b.name));
    for b in elsewhere {
        if export_bucket.is_none() && has_objects(cloud, &b.region, &b.name, EXPORT_PREFIX).await? {
            export_bucket = Some(b.name.clone());
        } else if lambda_copy_bucket.is_none()
            && has_objects(cloud, &b.region, &b.name, LAMBDA_BACKUP_PREFIX).await?
        {
            lambda_copy_bucket = Some(b.name.clone());
        }
    }

    let mut functions: Vec<String> = cloud
        .list_functions(primary, prefix)
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    functions.sort();
    let ingestion = functions
        .iter()
        .find(|f| f.contains("processor"))
        .or_else(|| functions.iter().find(|f| f.contains("ingest")))
        .cloned();

    let mut records = Vec::new();
    for zone in cloud.list_hosted_zones().await? {
        let mut names: Vec<(String, String)> = cloud
            .list_record_sets(&zone.id)
            .await?
            .into_iter()
            .filter(|r| r.failover.is_some())
            .map(|r| (r.name, r.record_type))
            .collect();
        names.sort();
        names.dedup();
        records.extend(names.into_iter().map(|(name, record_type)| DnsRecord {
            zone_id: zone.id.clone(),
            name: spanned(&name),
            record_type,
        }));
    }

    let mut alarms: Vec<String> = cloud
        .describe_alarms(primary, &[], prefix)
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    alarms.sort();

    let summary = Summary {
        tables: tables.len(),
        buckets: data_buckets.len(),
        replicas: data_buckets.iter().filter(|b| b.replica.is_some()).count(),
        functions: functions.len(),
        dns_records: records.len(),
        alarms: alarms.len(),
    };
    let services = plan_services(&tables, &data_buckets, &functions, &records, &alarms);
    let estate = Estate {
        name: prefix.map_or_else(
            || "Discovered estate".to_owned(),
            |p| format!("{p} (discovered)"),
        ),
        regions: Regions {
            primary: spanned(primary),
            backup: spanned(&backup_region),
        },
        aws: Default::default(),
        dynamodb: DynamoDb {
            tables: tables.iter().map(|t| spanned(t)).collect(),
            export_bucket,
            ..Default::default()
        },
        s3: S3 {
            buckets: data_buckets,
            ..Default::default()
        },
        lambda: Lambda {
            prefix: prefix.map(str::to_owned),
            functions: functions.iter().map(|f| spanned(f)).collect(),
            backup_bucket: lambda_backup_bucket,
            backup_copy_bucket: lambda_copy_bucket,
            ingestion_function: ingestion.as_deref().map(spanned),
            ..Default::default()
        },
        dns: Dns { records },
        cloudwatch: CloudWatch {
            alarms: alarms.iter().map(|a| spanned(a)).collect(),
        },
        services,
        contacts: plan_contacts(),
        comms: Comms::default(),
        validate: Default::default(),
        drill: Default::default(),
        backup: Default::default(),
        stacks: Vec::new(),
        commands: Default::default(),
        base_dir: Default::default(),
    };
    Ok((estate, summary))
}

async fn has_objects(
    cloud: &dyn Cloud,
    region: &str,
    bucket: &str,
    prefix: &str,
) -> CloudResult<bool> {
    Ok(!cloud
        .list_objects(region, bucket, Some(prefix), Some(1))
        .await?
        .is_empty())
}

fn hours(h: u64) -> Dur {
    Dur::from_secs(h * 3600)
}

fn minutes(m: u64) -> Dur {
    Dur::from_secs(m * 60)
}

/// The plan's service priority matrix, with resources assigned by name: "api" functions and
/// the failover records serve the API; other functions and "raw" buckets are ingestion;
/// "analytics" buckets feed Athena; alarms are monitoring.
fn plan_services(
    tables: &[String],
    buckets: &[Bucket],
    functions: &[String],
    records: &[DnsRecord],
    alarms: &[String],
) -> Vec<Service> {
    let names =
        |items: &mut dyn Iterator<Item = &String>| items.map(|s| spanned(s)).collect::<Vec<_>>();
    let bucket_names = |keep: &dyn Fn(&str) -> bool| {
        buckets
            .iter()
            .filter(|b| keep(b.name.get_ref()))
            .map(|b| b.name.clone())
            .collect::<Vec<_>>()
    };
    let service = |name: &str, priority, rto, rpo, impact: &str| Service {
        name: name.to_owned(),
        priority,
        rto,
        rpo,
        impact: impact.to_owned(),
        tables: Vec::new(),
        buckets: Vec::new(),
        functions: Vec::new(),
        alarms: Vec::new(),
        dns: Vec::new(),
    };
    vec![
        Service {
            functions: names(&mut functions.iter().filter(|f| f.contains("api"))),
            dns: records.iter().map(|r| r.name.clone()).collect(),
            ..service(
                "API Gateway + Lambda",
                Priority::P0,
                hours(1),
                minutes(15),
                "User-facing service unavailable",
            )
        },
        Service {
            functions: names(&mut functions.iter().filter(|f| !f.contains("api"))),
            buckets: bucket_names(&|b| b.contains("raw")),
            ..service(
                "Data Ingestion Pipeline",
                Priority::P0,
                hours(2),
                minutes(15),
                "No new data processing",
            )
        },
        Service {
            tables: names(&mut tables.iter()),
            ..service(
                "DynamoDB Tables",
                Priority::P1,
                hours(4),
                hours(1),
                "Data access limited",
            )
        },
        Service {
            buckets: bucket_names(&|b| !b.contains("raw")),
            ..service(
                "S3 Data Storage",
                Priority::P1,
                hours(4),
                hours(1),
                "Historical data unavailable",
            )
        },
        Service {
            buckets: bucket_names(&|b| b.contains("analytics")),
            ..service(
                "Athena Analytics",
                Priority::P2,
                hours(8),
                hours(4),
                "Analytics unavailable",
            )
        },
        Service {
            alarms: names(&mut alarms.iter()),
            ..service(
                "Monitoring/Alerting",
                Priority::P2,
                hours(6),
                hours(1),
                "Operational visibility reduced",
            )
        },
    ]
}

/// The plan's contact tree; the numbers are placeholders to fill in.
fn plan_contacts() -> Vec<ContactGroup> {
    let group = |group: &str, people: &[(&str, &str)]| ContactGroup {
        group: group.to_owned(),
        people: people
            .iter()
            .map(|(role, phone)| Contact {
                role: (*role).to_owned(),
                name: String::new(),
                phone: (*phone).to_owned(),
            })
            .collect(),
    };
    vec![
        group(
            "Disaster Declaration Authority",
            &[
                ("Engineering Manager", "+1-XXX-XXX-XXXX"),
                ("VP Engineering", "+1-XXX-XXX-YYYY"),
                ("CTO", "+1-XXX-XXX-ZZZZ"),
            ],
        ),
        group(
            "Technical Recovery Team",
            &[
                ("Lead DevOps Engineer", "+1-XXX-XXX-AAAA"),
                ("Senior Backend Engineer", "+1-XXX-XXX-BBBB"),
                ("Database Administrator", "+1-XXX-XXX-CCCC"),
            ],
        ),
        group(
            "Business Continuity",
            &[
                ("Operations Manager", "+1-XXX-XXX-DDDD"),
                ("Customer Success", "+1-XXX-XXX-EEEE"),
                ("External Relations", "+1-XXX-XXX-FFFF"),
            ],
        ),
    ]
}

/// One kind of resource compared between the estate file and the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindDiff {
    /// "tables", "buckets", "replicas", "functions", "dns records", "alarms", "stacks".
    pub kind: String,
    /// Named on both sides.
    pub matched: usize,
    /// What the account has that the estate file lacks.
    pub only_in_account: Vec<String>,
    /// What the estate file names that the account lacks.
    pub only_in_estate: Vec<String>,
}

/// The estate file against the account, kind by kind: what `init --discover --diff` prints
/// and what the readiness report's "documentation current" counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EstateDiff {
    pub kinds: Vec<KindDiff>,
}

impl EstateDiff {
    pub fn matches(&self) -> bool {
        self.differences() == 0
    }

    pub fn matched(&self) -> usize {
        self.kinds.iter().map(|k| k.matched).sum()
    }

    pub fn differences(&self) -> usize {
        self.kinds
            .iter()
            .map(|k| k.only_in_account.len() + k.only_in_estate.len())
            .sum()
    }
}

impl std::fmt::Display for EstateDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for kind in &self.kinds {
            if kind.only_in_account.is_empty() && kind.only_in_estate.is_empty() {
                writeln!(f, "{}: {} match", kind.kind, kind.matched)?;
                continue;
            }
            writeln!(f, "{}: {} match, differ:", kind.kind, kind.matched)?;
            for name in &kind.only_in_account {
                writeln!(f, "  + {name}  (in the account, not in the estate file)")?;
            }
            for name in &kind.only_in_estate {
                writeln!(f, "  - {name}  (in the estate file, not in the account)")?;
            }
        }
        Ok(())
    }
}

fn compare_sets(
    kind: &str,
    estate: std::collections::BTreeSet<String>,
    account: std::collections::BTreeSet<String>,
) -> KindDiff {
    KindDiff {
        kind: kind.to_owned(),
        matched: estate.intersection(&account).count(),
        only_in_account: account.difference(&estate).cloned().collect(),
        only_in_estate: estate.difference(&account).cloned().collect(),
    }
}

/// What `estate` names against what `discover` found. Stacks are not discovered (an account
/// holds many that are no part of the pipeline): [`compare`] looks up the estate's own.
/// Functions the estate knows by `lambda.prefix` are the estate's whatever their name after it.
pub fn diff(estate: &Estate, discovered: &Estate) -> EstateDiff {
    use std::collections::BTreeSet;
    let names = |items: &[Spanned<String>]| -> BTreeSet<String> {
        items.iter().map(|s| s.get_ref().clone()).collect()
    };
    let replicas = |e: &Estate| -> BTreeSet<String> {
        e.s3.buckets
            .iter()
            .filter_map(|b| Some(format!("{} -> {}", b.name.get_ref(), b.replica.as_ref()?)))
            .collect()
    };
    let records = |e: &Estate| -> BTreeSet<String> {
        e.dns
            .records
            .iter()
            .map(|r| format!("{} {}", r.name.get_ref(), r.record_type))
            .collect()
    };
    let account_functions = names(&discovered.lambda.functions);
    let mut estate_functions = names(&estate.lambda.functions);
    if let Some(prefix) = &estate.lambda.prefix {
        estate_functions.extend(
            account_functions
                .iter()
                .filter(|f| f.starts_with(prefix.as_str()))
                .cloned(),
        );
    }
    let buckets = |e: &Estate| -> BTreeSet<String> {
        e.s3.buckets
            .iter()
            .map(|b| b.name.get_ref().clone())
            .collect()
    };
    EstateDiff {
        kinds: vec![
            compare_sets(
                "tables",
                names(&estate.dynamodb.tables),
                names(&discovered.dynamodb.tables),
            ),
            compare_sets("buckets", buckets(estate), buckets(discovered)),
            compare_sets("replicas", replicas(estate), replicas(discovered)),
            compare_sets("functions", estate_functions, account_functions),
            compare_sets("dns records", records(estate), records(discovered)),
            compare_sets(
                "alarms",
                names(&estate.cloudwatch.alarms),
                names(&discovered.cloudwatch.alarms),
            ),
        ],
    }
}

/// Discovers the account in the estate's regions (only names under `prefix`) and compares
/// it with the estate file, stacks included: each stack the estate names is looked up.
pub async fn compare(
    cloud: &dyn Cloud,
    estate: &Estate,
    prefix: Option<&str>,
) -> CloudResult<EstateDiff> {
    let options = DiscoverOptions {
        primary_region: estate.regions.primary.get_ref().clone(),
        backup_region: Some(estate.regions.backup.get_ref().clone()),
        prefix: prefix.map(str::to_owned),
    };
    let (discovered, _) = discover(cloud, &options).await?;
    let mut result = diff(estate, &discovered);
    let mut stacks = KindDiff {
        kind: "stacks".to_owned(),
        ..Default::default()
    };
    for stack in &estate.stacks {
        let region = stack
            .region
            .as_ref()
            .map_or(estate.regions.primary.get_ref(), |r| r.get_ref());
        match cloud.describe_stack(region, stack.name.get_ref()).await {
            Ok(info) if info.status != "DELETE_COMPLETE" => stacks.matched += 1,
            Ok(_) => stacks.only_in_estate.push(stack.name.get_ref().clone()),
            Err(e) if e.kind == crate::cloud::ErrorKind::NotFound => {
                stacks.only_in_estate.push(stack.name.get_ref().clone())
            }
            Err(e) => return Err(e),
        }
    }
    result.kinds.push(stacks);
    Ok(result)
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    fn estate(tables: &[&str], functions: &[&str], prefix: Option<&str>) -> Estate {
        let mut e = crate::session::example_estate().expect("the example estate");
        e.dynamodb.tables = tables.iter().map(|t| spanned(t)).collect();
        e.lambda.functions = functions.iter().map(|f| spanned(f)).collect();
        e.lambda.prefix = prefix.map(str::to_owned);
        e
    }

    fn kind<'a>(d: &'a EstateDiff, name: &str) -> &'a KindDiff {
        d.kinds.iter().find(|k| k.kind == name).expect(name)
    }

    #[test]
    fn names_each_side_and_counts_what_matches() {
        let file = estate(&["a", "b"], &["f1", "f2"], None);
        let account = estate(&["b", "c"], &["f1"], None);
        let d = diff(&file, &account);
        let tables = kind(&d, "tables");
        assert_eq!(tables.matched, 1);
        assert_eq!(tables.only_in_account, ["c"]);
        assert_eq!(tables.only_in_estate, ["a"]);
        assert_eq!(kind(&d, "functions").only_in_estate, ["f2"]);
        assert!(!d.matches());
        assert_eq!(d.differences(), 3);
        assert!(diff(&file, &file).matches());
    }

    #[test]
    fn functions_known_by_prefix_are_the_estates() {
        let file = estate(&[], &["app-a"], Some("app-"));
        let account = estate(&[], &["app-a", "app-b", "other"], None);
        let functions = diff(&file, &account).kinds[3].clone();
        assert_eq!(functions.matched, 2);
        assert_eq!(functions.only_in_account, ["other"]);
        assert!(functions.only_in_estate.is_empty());
    }
}
