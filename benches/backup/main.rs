//! The benchmark of `drconsole backup dynamodb --export` (the README's "Benchmark: backup
//! dynamodb"): whole-process wall time against moto_server, beside the plan's
//! `backup-dynamodb.sh` run through the AWS CLI with its table list extended to every table.
//! Every run starts from the same fresh state: moto reset, the tables made again with their
//! items, PITR off, no backup and no export (moto stamps every backup "now", so a second run
//! the same day would find the first one's and do nothing).
//!
//! Run: `benches/backup/run.sh` (checks moto and the AWS CLI, then runs this), or
//! `cargo bench --bench backup -- [--scales 1,10] [--runs 3] [--items 2000] [--only
//! drconsole,plan] [--concurrency N] [--record]`.

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../shared/harness.rs"]
mod harness;
// The validate benchmark's estate: its names, items and estate file.
#[allow(dead_code)]
#[path = "../validate/seed.rs"]
mod seed;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use common::{BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST};
use futures::stream::{self, StreamExt};
use seed::Estate;

/// The plan's script, byte for byte as the plan prints it.
const PLAN_SCRIPT: &str = include_str!("backup-dynamodb.sh");
const PLAN_TABLES: &str = r#"TABLES=("flightdata-main" "flightdata-metrics" "flightdata-config")"#;
/// The plan leaves the account as a placeholder: as printed, every export's ARN is invalid.
const PLAN_ACCOUNT: &str = "arn:aws:dynamodb:us-east-1:ACCOUNT:table/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Contender {
    Drconsole,
    Plan,
}

impl Contender {
    const ALL: [Contender; 2] = [Contender::Drconsole, Contender::Plan];

    fn name(self) -> &'static str {
        match self {
            Contender::Drconsole => "drconsole",
            Contender::Plan => "plan",
        }
    }

    fn describe(self, estate: &Estate) -> String {
        let t = estate.tables.len();
        match self {
            Contender::Drconsole => format!(
                "`drconsole backup dynamodb --export`: {t} tables (PITR, backup, schema, export, waited)"
            ),
            Contender::Plan => format!(
                "the plan's `backup-dynamodb.sh`, its list extended to {t} tables (account filled in)"
            ),
        }
    }
}

struct Options {
    scales: Vec<usize>,
    runs: usize,
    items: usize,
    only: Vec<Contender>,
    record: bool,
    /// `[backup].concurrency` for drconsole (default: the estate's default, 4).
    concurrency: Option<usize>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        scales: vec![1, 10],
        runs: 3,
        items: 2_000,
        only: Contender::ALL.to_vec(),
        record: false,
        concurrency: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |text: &str| {
            text.parse::<usize>()
                .map_err(|e| format!("`{text}` is not a number: {e}"))
        };
        match arg.as_str() {
            "--bench" => {}
            "--scales" => {
                options.scales = value(arg)?
                    .split(',')
                    .map(number)
                    .collect::<Result<_, _>>()?
            }
            "--runs" => options.runs = number(&value(arg)?)?,
            "--items" => options.items = number(&value(arg)?)?,
            "--only" => {
                options.only = value(arg)?
                    .split(',')
                    .map(|name| {
                        Contender::ALL
                            .into_iter()
                            .find(|c| c.name() == name)
                            .ok_or_else(|| format!("no contender `{name}`"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--record" => options.record = true,
            "--concurrency" => options.concurrency = Some(number(&value(arg)?)?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if options.runs == 0 || options.scales.contains(&0) {
        return Err("runs and scales start at 1".to_owned());
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !harness::under_cargo_bench(&args, "backup") {
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(64);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let env = runtime.block_on(common::moto());
    let out_dir = harness::out_dir("backup");
    let mut report = header(&options);
    for &scale in &options.scales {
        let estate = Estate::new(scale, options.items, 0);
        let config = out_dir.join(format!("estate-x{scale}.toml"));
        let mut toml = seed::estate_toml(&estate);
        if let Some(n) = options.concurrency {
            toml.push_str(&format!("[backup]\nconcurrency = {n}\n"));
        }
        std::fs::write(&config, toml).expect("write the estate file");
        let bench = Bench {
            env: &env,
            runtime: &runtime,
            estate: &estate,
            config: &config,
            out_dir: &out_dir,
        };
        let mut results: BTreeMap<Contender, Vec<harness::Timed>> = BTreeMap::new();
        let mut seeding = Vec::new();
        // Round-robin, so a change in the machine's load falls on both alike.
        for round in 1..=options.runs {
            for &contender in &options.only {
                seeding.push(bench.fresh());
                let timed = bench.run(contender, round, false);
                eprintln!(
                    "x{scale} run {round}/{}: {:<9} {:>8.2} s, exit {:?}, load {}",
                    options.runs,
                    contender.name(),
                    timed.secs,
                    timed.code,
                    timed.load
                );
                results.entry(contender).or_default().push(timed);
            }
        }
        report.push_str(&section(&estate, &results, &seeding));
        if options.record && options.only.contains(&Contender::Drconsole) {
            bench.fresh();
            report.push_str(&bench.recorded());
        }
    }
    let file = out_dir.join("results.md");
    std::fs::write(&file, &report).expect("write the results");
    println!("{report}");
    eprintln!("results and each run's output: {}", out_dir.display());
    ExitCode::SUCCESS
}

struct Bench<'a> {
    env: &'a MotoEnv,
    runtime: &'a tokio::runtime::Runtime,
    estate: &'a Estate,
    config: &'a Path,
    out_dir: &'a Path,
}

impl Bench<'_> {
    /// moto reset, then the tables with their items (PITR off) and the export bucket in the
    /// backup region; returns the seconds it took.
    fn fresh(&self) -> f64 {
        let start = Instant::now();
        self.env.reset();
        self.runtime.block_on(async {
            common::create_bucket(self.env, WEST, seed::EXPORT_BUCKET).await;
            stream::iter(&self.estate.tables)
                .for_each_concurrent(4, |table| async move {
                    common::create_table(self.env, EAST, table).await;
                    seed::put_items(self.env, table, self.estate.items).await;
                })
                .await;
        });
        start.elapsed().as_secs_f64()
    }

    fn command(&self, contender: Contender) -> Command {
        let mut cmd = match contender {
            Contender::Drconsole => {
                let mut cmd = Command::new(harness::drconsole());
                cmd.arg("--config")
                    .arg(self.config)
                    .args(["backup", "dynamodb", "--export"]);
                cmd
            }
            Contender::Plan => {
                let path = self
                    .out_dir
                    .join(format!("backup-dynamodb-x{}.sh", self.estate.scale));
                std::fs::write(&path, plan_script(self.estate)).expect("write the plan's script");
                let mut cmd = Command::new("bash");
                cmd.arg(path);
                cmd
            }
        };
        cmd.envs(self.env.env_vars())
            .env("AWS_DEFAULT_REGION", EAST)
            .env(
                "DRCONSOLE_DATA_DIR",
                self.out_dir.join(format!("data-x{}", self.estate.scale)),
            )
            .env_remove("DRCONSOLE_CONFIG")
            .stdin(Stdio::null());
        for name in common::ENV_TO_REMOVE {
            if *name != "AWS_DEFAULT_REGION" {
                cmd.env_remove(name);
            }
        }
        cmd
    }

    fn run(&self, contender: Contender, round: usize, quiet: bool) -> harness::Timed {
        let name = format!("{}-x{}-{round}", contender.name(), self.estate.scale);
        let mut cmd = self.command(contender);
        if quiet {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        } else {
            let file = |ext: &str| {
                std::fs::File::create(self.out_dir.join(format!("{name}.{ext}"))).unwrap()
            };
            cmd.stdout(file("out")).stderr(file("err"));
        }
        harness::time(&mut cmd, &name)
    }

    /// One more drconsole run, untimed, with moto's recorder on: its requests by operation,
    /// to say where the time goes.
    fn recorded(&self) -> String {
        self.env.start_recording();
        let timed = self.run(Contender::Drconsole, 0, true);
        let requests = self.env.stop_recording();
        let mut by_operation: BTreeMap<String, usize> = BTreeMap::new();
        for request in &requests {
            let operation = request.operation();
            let operation = match operation.split_once(' ') {
                Some((method, path)) if request.target.is_none() => {
                    let query = path.split_once('?').map_or("", |(_, q)| q);
                    let key = query.split(['&', '=']).next().unwrap_or("");
                    format!("S3 {method} {key}")
                }
                _ => operation,
            };
            *by_operation.entry(operation).or_default() += 1;
        }
        let mut text = format!(
            "\nRequests of one `drconsole backup dynamodb --export` at x{} (recorder on, untimed: \
             {:.2} s, exit {:?}): {} in all\n\n| Operation | Requests |\n|---|---|\n",
            self.estate.scale,
            timed.secs,
            timed.code,
            requests.len()
        );
        let mut rows: Vec<_> = by_operation.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (operation, count) in rows {
            let _ = writeln!(text, "| {operation} | {count} |");
        }
        text
    }
}

/// The plan's script with its table list replaced by every table and its account filled in.
fn plan_script(estate: &Estate) -> String {
    assert!(
        PLAN_SCRIPT.contains(PLAN_TABLES) && PLAN_SCRIPT.contains(PLAN_ACCOUNT),
        "the plan's script no longer has its table list or its ACCOUNT placeholder"
    );
    let tables: Vec<String> = estate.tables.iter().map(|t| format!("\"{t}\"")).collect();
    PLAN_SCRIPT
        .replace(PLAN_TABLES, &format!("TABLES=({})", tables.join(" ")))
        .replace(
            PLAN_ACCOUNT,
            &format!("arn:aws:dynamodb:us-east-1:{}:table/", common::ACCOUNT),
        )
}

fn header(options: &Options) -> String {
    format!(
        "# backup dynamodb benchmark, {}\n\n- machine: {} cores\n- moto {}; {}\n- drconsole: {}\n- {} items per table, {} runs each, round-robin, each from a fresh state\n- drconsole's `[backup].concurrency`: {}\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        harness::moto_version(),
        harness::version("aws", &["--version"]),
        harness::build(),
        options.items,
        options.runs,
        options
            .concurrency
            .map_or("4 (the default)".to_owned(), |n| n.to_string()),
    )
}

fn section(
    estate: &Estate,
    results: &BTreeMap<Contender, Vec<harness::Timed>>,
    seeding: &[f64],
) -> String {
    let mut text = format!(
        "\n## x{} ({} tables of {} items)\n\n{}",
        estate.scale,
        estate.tables.len(),
        estate.items,
        harness::TABLE_HEAD,
    );
    let mut medians = BTreeMap::new();
    for (contender, runs) in results {
        let timed: Vec<&harness::Timed> = runs.iter().collect();
        let median = harness::row(&mut text, &contender.describe(estate), &timed);
        medians.insert(*contender, median);
    }
    if let (Some(d), Some(p)) = (
        medians.get(&Contender::Drconsole),
        medians.get(&Contender::Plan),
    ) {
        let _ = writeln!(text, "\n- plan ÷ drconsole: {:.2}×", p / d);
    } else {
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "- fresh state before each run (reset, tables, items; untimed): {}",
        seeding
            .iter()
            .map(|s| format!("{s:.1} s"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    text
}
