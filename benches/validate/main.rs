//! The benchmark of `drconsole validate` (the README's "Benchmark: validate"): whole-process
//! wall time against the same seeded moto_server, beside the plan's `monthly-backup-test.sh`
//! (verbatim, and extended to every table and bucket) and beside the naive approach (restore,
//! then count source and restored by full scan, one table at a time).
//!
//! Run: `benches/validate/run.sh` (checks moto and the AWS CLI, then runs this), or
//! `cargo bench --bench validate -- [--scales 1,10] [--runs 3] [--items 2000] [--objects 20]
//! [--naive-runs 1] [--only validate,plan,plan-all,naive] [--record]`.

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../shared/harness.rs"]
mod harness;
mod naive;
mod seed;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use common::{BACKUP_REGION as WEST, MotoEnv, PRIMARY_REGION as EAST};
use seed::Estate;

/// The plan's script, byte for byte as the plan prints it.
const PLAN_SCRIPT: &str = include_str!("monthly-backup-test.sh");
/// The two lists the plan's script checks; the extended run replaces them with every name.
const PLAN_TABLES: &str = "for table in flightdata-main flightdata-metrics; do";
const PLAN_BUCKETS: &str = "for bucket in flightdata-raw flightdata-processed; do";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Contender {
    Validate,
    Plan,
    PlanAll,
    Naive,
}

impl Contender {
    const ALL: [Contender; 4] = [
        Contender::Validate,
        Contender::Plan,
        Contender::PlanAll,
        Contender::Naive,
    ];

    fn name(self) -> &'static str {
        match self {
            Contender::Validate => "validate",
            Contender::Plan => "plan",
            Contender::PlanAll => "plan-all",
            Contender::Naive => "naive",
        }
    }

    fn describe(self, estate: &Estate) -> String {
        let (t, b, f) = (
            estate.tables.len(),
            estate.buckets.len(),
            estate.functions.len(),
        );
        match self {
            Contender::Validate => {
                format!("`drconsole validate`: {t} tables, {b} buckets, {f} functions, {t} exports")
            }
            Contender::Plan => format!(
                "the plan's `monthly-backup-test.sh`, verbatim: 2 tables, 2 buckets, {f} functions"
            ),
            Contender::PlanAll => format!(
                "the plan's script, every table and bucket: {t} tables, {b} buckets, {f} functions"
            ),
            Contender::Naive => format!("naive (restore, count both, sequential): {t} tables"),
        }
    }
}

struct Options {
    scales: Vec<usize>,
    runs: usize,
    /// Fewer runs of the slowest contender, where time is short.
    naive_runs: Option<usize>,
    items: usize,
    objects: usize,
    only: Vec<Contender>,
    record: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        scales: vec![1, 10],
        runs: 3,
        naive_runs: None,
        items: 2_000,
        objects: 20,
        only: Contender::ALL.to_vec(),
        record: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |text: String| {
            text.parse::<usize>()
                .map_err(|e| format!("`{text}` is not a number: {e}"))
        };
        match arg.as_str() {
            // What cargo passes to every benchmark binary.
            "--bench" => {}
            "--scales" => {
                options.scales = value(arg)?
                    .split(',')
                    .map(|s| number(s.to_owned()))
                    .collect::<Result<_, _>>()?;
            }
            "--runs" => options.runs = number(value(arg)?)?,
            "--naive-runs" => options.naive_runs = Some(number(value(arg)?)?),
            "--items" => options.items = number(value(arg)?)?,
            "--objects" => options.objects = number(value(arg)?)?,
            "--only" => {
                options.only = value(arg)?
                    .split(',')
                    .map(|name| {
                        Contender::ALL
                            .into_iter()
                            .find(|c| c.name() == name)
                            .ok_or_else(|| format!("no contender `{name}`"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--record" => options.record = true,
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
    if args.first().map(String::as_str) == Some(naive::MODE) {
        return naive::main(&args[1..]);
    }
    if !harness::under_cargo_bench(&args, "validate") {
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
    let out_dir = harness::out_dir("validate");
    let mut report = header(&options);
    for &scale in &options.scales {
        env.reset();
        let estate = Estate::new(scale, options.items, options.objects);
        let config = out_dir.join(format!("estate-x{scale}.toml"));
        let seeding = Instant::now();
        runtime.block_on(seed::seed(&env, &estate, &config));
        eprintln!(
            "x{scale}: seeded {} tables of {} items, {} buckets of {} objects, {} functions in {:.1} s",
            estate.tables.len(),
            estate.items,
            estate.buckets.len(),
            estate.objects,
            estate.functions.len(),
            seeding.elapsed().as_secs_f64()
        );
        let bench = Bench {
            env: &env,
            runtime: &runtime,
            estate: &estate,
            config: &config,
            out_dir: &out_dir,
            data_dir: out_dir.join(format!("data-x{scale}")),
        };
        let baseline = bench.tables();
        let floor = bench.scan_floor();
        eprintln!("x{scale}: one full scan of a table, in-process: {floor:.2} s");
        let mut results: BTreeMap<Contender, Vec<Run>> = BTreeMap::new();
        // Round-robin, so a change in the machine's load falls on every contender alike.
        for round in 1..=options.runs {
            for &contender in &options.only {
                if contender == Contender::Naive && options.naive_runs.is_some_and(|n| round > n) {
                    continue;
                }
                let run = bench.run(contender, &baseline);
                eprintln!(
                    "x{scale} run {round}/{}: {:<9} {:>8.2} s, exit {:?}, load {}{}",
                    options.runs,
                    contender.name(),
                    run.timed.secs,
                    run.timed.code,
                    run.timed.load,
                    if run.left.is_empty() {
                        String::new()
                    } else {
                        format!(", LEFT BEHIND: {}", run.left.join(", "))
                    }
                );
                results.entry(contender).or_default().push(run);
            }
        }
        report.push_str(&section(&estate, &results));
        let _ = writeln!(
            report,
            "\nmoto's floor: one full scan (`Select=COUNT`) of a {}-item table, in-process, takes {floor:.2} s (mean of the first 3 tables); counting every restored item of {} tables costs at least {:.1} s of moto's time.",
            estate.items,
            estate.tables.len(),
            floor * estate.tables.len() as f64
        );
        if options.record && options.only.contains(&Contender::Validate) {
            report.push_str(&bench.recorded_requests());
        }
    }
    let file = out_dir.join("results.md");
    std::fs::write(&file, &report).expect("write the results");
    println!("{report}");
    eprintln!("results and each contender's output: {}", out_dir.display());
    ExitCode::SUCCESS
}

/// One timed run of one contender.
struct Run {
    timed: harness::Timed,
    /// Tables that were not there before the run.
    left: Vec<String>,
}

struct Bench<'a> {
    env: &'a MotoEnv,
    runtime: &'a tokio::runtime::Runtime,
    estate: &'a Estate,
    config: &'a Path,
    out_dir: &'a Path,
    data_dir: PathBuf,
}

impl Bench<'_> {
    fn command(&self, contender: Contender) -> Command {
        let mut cmd = match contender {
            Contender::Validate => {
                let mut cmd = Command::new(harness::drconsole());
                cmd.arg("--config").arg(self.config).arg("validate");
                cmd
            }
            Contender::Plan => self.plan_script("monthly-backup-test.sh", PLAN_SCRIPT.to_owned()),
            Contender::PlanAll => {
                let script = every_table_and_bucket(self.estate);
                self.plan_script("monthly-backup-test-all.sh", script)
            }
            Contender::Naive => {
                let mut cmd = Command::new(std::env::current_exe().expect("this binary"));
                cmd.arg(naive::MODE).args(&self.estate.tables);
                cmd
            }
        };
        cmd.envs(self.env.env_vars())
            // The AWS CLI's name for the region; drconsole and the SDK read AWS_REGION.
            .env("AWS_DEFAULT_REGION", EAST)
            .env("DRCONSOLE_DATA_DIR", &self.data_dir)
            .env_remove("DRCONSOLE_CONFIG")
            .stdin(Stdio::null());
        for name in common::ENV_TO_REMOVE {
            if *name != "AWS_DEFAULT_REGION" {
                cmd.env_remove(name);
            }
        }
        cmd
    }

    fn plan_script(&self, name: &str, text: String) -> Command {
        let path = self.out_dir.join(name);
        std::fs::write(&path, text).expect("write the plan's script");
        let mut cmd = Command::new("bash");
        cmd.arg(path);
        cmd
    }

    fn run(&self, contender: Contender, baseline: &BTreeSet<(String, String)>) -> Run {
        let name = format!("{}-x{}", contender.name(), self.estate.scale);
        let stdout = std::fs::File::create(self.out_dir.join(format!("{name}.out"))).unwrap();
        let stderr = std::fs::File::create(self.out_dir.join(format!("{name}.err"))).unwrap();
        let mut cmd = self.command(contender);
        cmd.stdout(stdout).stderr(stderr);
        let timed = harness::time(&mut cmd, &name);
        // Whatever a run left behind is reported and removed, so the next run starts alike.
        let left: Vec<(String, String)> = self.tables().difference(baseline).cloned().collect();
        for (region, table) in &left {
            self.runtime.block_on(async {
                let _ = self
                    .env
                    .dynamodb(region)
                    .await
                    .delete_table()
                    .table_name(table)
                    .send()
                    .await;
            });
        }
        Run {
            timed,
            left: left
                .into_iter()
                .map(|(r, t)| format!("{t} ({r})"))
                .collect(),
        }
    }

    /// Seconds to count one table by full scan (the mean of the first three): what moto needs
    /// to hand over a table's items, so the least a count of every restored item can cost here.
    fn scan_floor(&self) -> f64 {
        self.runtime.block_on(async {
            let client = self.env.dynamodb(EAST).await;
            let start = Instant::now();
            let some = &self.estate.tables[..3.min(self.estate.tables.len())];
            for table in some {
                let mut from = None;
                loop {
                    let out = client
                        .scan()
                        .table_name(table)
                        .select(aws_sdk_dynamodb::types::Select::Count)
                        .set_exclusive_start_key(from)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("Scan {table}: {e:?}"));
                    from = out.last_evaluated_key;
                    if from.is_none() {
                        break;
                    }
                }
            }
            start.elapsed().as_secs_f64() / some.len() as f64
        })
    }

    /// Every table in both regions, as `(region, name)`.
    fn tables(&self) -> BTreeSet<(String, String)> {
        self.runtime.block_on(async {
            let mut all = BTreeSet::new();
            for region in [EAST, WEST] {
                let client = self.env.dynamodb(region).await;
                let mut start = None;
                loop {
                    let out = client
                        .list_tables()
                        .set_exclusive_start_table_name(start)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("ListTables {region}: {e:?}"));
                    for name in out.table_names() {
                        all.insert((region.to_owned(), name.clone()));
                    }
                    start = out.last_evaluated_table_name;
                    if start.is_none() {
                        break;
                    }
                }
            }
            all
        })
    }

    /// One more run of validate, untimed, with moto's recorder on: what it asked, by
    /// operation, to say where its time goes.
    fn recorded_requests(&self) -> String {
        let baseline = self.tables();
        self.env.start_recording();
        let start = Instant::now();
        let code = self
            .command(Contender::Validate)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("start drconsole validate")
            .code();
        let secs = start.elapsed().as_secs_f64();
        let requests = self.env.stop_recording();
        let left: Vec<_> = self.tables().difference(&baseline).cloned().collect();
        assert!(left.is_empty(), "validate left {left:?} behind");
        let mut by_operation: BTreeMap<String, usize> = BTreeMap::new();
        for request in &requests {
            let operation = request.operation();
            // S3 names operations by path: keep the method and the query's first key.
            let operation = if request.target.is_none() && operation.contains(' ') {
                let (method, path) = operation.split_once(' ').unwrap_or_default();
                let query = path.split_once('?').map_or("", |(_, q)| q);
                let key = query.split(['&', '=']).next().unwrap_or("");
                format!("S3 {method} {key}")
            } else {
                operation
            };
            *by_operation.entry(operation).or_default() += 1;
        }
        let mut text = format!(
            "\nRequests of one `drconsole validate` at x{} (moto's recorder on, untimed: {:.2} s, exit {:?}): {} in all\n\n| Operation | Requests |\n|---|---|\n",
            self.estate.scale,
            secs,
            code,
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

/// The plan's script with its two lists of names replaced by every table and bucket.
fn every_table_and_bucket(estate: &Estate) -> String {
    assert!(
        PLAN_SCRIPT.contains(PLAN_TABLES) && PLAN_SCRIPT.contains(PLAN_BUCKETS),
        "the plan's script no longer has its two lists"
    );
    PLAN_SCRIPT
        .replace(
            PLAN_TABLES,
            &format!("for table in {}; do", estate.tables.join(" ")),
        )
        .replace(
            PLAN_BUCKETS,
            &format!("for bucket in {}; do", estate.buckets.join(" ")),
        )
}

fn header(options: &Options) -> String {
    format!(
        "# validate benchmark, {}\n\n- machine: {} cores, {}\n- moto {}; {}\n- drconsole: {}\n- {} items per table, {} objects per bucket (and replica), {} runs each, round-robin\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m
                .lines()
                .next()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")))
            .unwrap_or_default(),
        harness::moto_version(),
        harness::version("aws", &["--version"]),
        harness::build(),
        options.items,
        options.objects,
        options.runs,
    )
}

fn section(estate: &Estate, results: &BTreeMap<Contender, Vec<Run>>) -> String {
    let mut text = format!(
        "\n## x{} ({} tables of {} items, {} buckets, {} functions)\n\n{}",
        estate.scale,
        estate.tables.len(),
        estate.items,
        estate.buckets.len(),
        estate.functions.len(),
        harness::TABLE_HEAD,
    );
    let mut medians = BTreeMap::new();
    for (contender, runs) in results {
        let timed: Vec<&harness::Timed> = runs.iter().map(|r| &r.timed).collect();
        let median = harness::row(&mut text, &contender.describe(estate), &timed);
        medians.insert(*contender, median);
        for run in runs.iter().filter(|r| !r.left.is_empty()) {
            let _ = writeln!(
                text,
                "\n{} left tables behind: {}\n",
                contender.name(),
                run.left.join(", ")
            );
        }
    }
    let validate_passed = results.get(&Contender::Validate).is_some_and(|runs| {
        runs.iter()
            .all(|r| r.timed.code.is_some_and(|c| c <= 1) && r.left.is_empty())
    });
    if medians.contains_key(&Contender::Validate) && !validate_passed {
        text.push_str(
            "\nvalidate did not pass on the healthy estate (or left tables behind): no ratio.\n",
        );
    }
    if let Some(validate) = medians
        .get(&Contender::Validate)
        .filter(|_| validate_passed)
    {
        text.push('\n');
        for (other, goal) in [
            (Contender::Plan, "goal ≥ 10×"),
            (Contender::PlanAll, "goal ≥ 10×"),
        ] {
            if let Some(m) = medians.get(&other) {
                let _ = writeln!(
                    text,
                    "- {} ÷ validate: {:.2}× ({goal})",
                    other.name(),
                    m / validate
                );
            }
        }
        if let Some(naive) = medians.get(&Contender::Naive) {
            let _ = writeln!(
                text,
                "- validate ÷ naive: {:.2}× (goal ≤ 0.7×)",
                validate / naive
            );
        }
    }
    text
}
